/*
 * test_clocks.c - vector clocks (--clocks vector, cfg.vector_clocks): the
 * worked case of the reference exactly, e -> f iff V(e) < V(f) over random
 * runs against the causal order rebuilt from their traces, the kernel's
 * clocks equal to the space-time diagram's (viz/vclock.h), the decision
 * oracle, byte-identical traces, and the CLI's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "disco_sim.h"
#include "support.h"
#include "trace.h"
#include "vclock.h"

/* ------------------------------------------------------------------------ */
/* An observer that keeps every event with its clocks.                       */

struct seen {
    enum disco_event_type type;
    uint32_t node, peer;
    uint64_t msg, lamport;
    uint64_t vc[8];
    bool has_vc;
};

struct log {
    struct seen events[4096];
    size_t count;
    uint32_t n;
};

static void log_event(void *self, const struct disco_event_view *ev)
{
    struct log *log = self;
    assert_true(log->count < sizeof log->events / sizeof log->events[0]);
    struct seen *s = &log->events[log->count++];
    memset(s, 0, sizeof *s);
    s->type = ev->type;
    s->node = ev->node;
    s->peer = ev->peer;
    s->msg = ev->msg;
    s->lamport = ev->lamport;
    s->has_vc = ev->vc != NULL;
    if (ev->vc)
        memcpy(s->vc, ev->vc, log->n * sizeof(uint64_t));
}

/* ------------------------------------------------------------------------ */
/* The worked case: p1 (node 0): a = send m1 to p2, b = internal (a timer);
 * p2 (node 1): c = receive m1, d = send m2 to p3; p3 (node 2): x =
 * internal (a timer), e = receive m2.  On the line 0 - 1 - 2 with constant
 * delay 5 and timers after 1 tick: a (t 0), b and x (t 1), c and d (t 5),
 * e (t 10).  In `with_decisions` mode node 1 also decides on m1 before
 * sending m2, and node 2 decides on m2, for the decision oracle. */

static bool with_decisions;

static void worked_init(struct disco_ctx *ctx, void *state)
{
    (void)state;
    if (disco_self(ctx) == 0) {
        disco_send(ctx, 0, 0, NULL, 0);  /* a: to node 1 */
        disco_set_timer(ctx, 1, 0);      /* b */
    } else if (disco_self(ctx) == 2) {
        disco_set_timer(ctx, 1, 0);      /* x */
    }
}

static void worked_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    (void)state, (void)port, (void)kind, (void)payload, (void)len;
    if (disco_self(ctx) == 1) {
        if (with_decisions)
            disco_decide(ctx, 1);
        disco_send(ctx, 1, 1, NULL, 0);  /* d: node 1's port 1 is node 2 */
    } else if (disco_self(ctx) == 2 && with_decisions) {
        disco_decide(ctx, 2);
    }
}

static void worked_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    (void)ctx, (void)state, (void)tag;
}

static const char *const worked_kinds[] = {"m1", "m2"};

static const struct disco_algorithm worked = {
    .name = "worked-clocks",
    .family = "test",
    .summary = "the three-process example of the clocks chapter",
    .message_kinds = worked_kinds,
    .kind_count = 2,
    .state_size = 8,
    .init = worked_init,
    .on_message = worked_message,
    .on_timer = worked_timer,
};

static void line3(struct disco_topology *topo)
{
    const struct disco_edge edges[] = {{0, 1, 1}, {1, 2, 1}};
    struct disco_error err;
    assert_int_equal(disco_topology_build(topo, 3, false, edges, 2, false,
                                          &err),
                     0);
}

static struct disco_sim *worked_run(struct disco_topology *topo,
                                    struct log *log, bool vector)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &worked);
    cfg.delay = (struct disco_delay){.kind = DISCO_DELAY_CONST, .a = 5};
    cfg.vector_clocks = vector;
    struct disco_error err;
    struct disco_sim *sim;
    assert_int_equal(disco_sim_create(&sim, &worked, topo, &cfg, &err), 0);
    memset(log, 0, sizeof *log);
    log->n = 3;
    struct disco_observer obs = {.self = log, .on_event = log_event};
    assert_int_equal(disco_sim_observe(sim, &obs, &err), 0);
    assert_int_equal(disco_sim_run(sim, &err), 0);
    disco_config_release(&cfg);
    return sim;
}

static void test_worked_case(void **unused)
{
    (void)unused;
    with_decisions = false;
    struct disco_topology topo;
    line3(&topo);
    struct log *log = calloc(1, sizeof *log);
    struct disco_sim *sim = worked_run(&topo, log, true);

    /* In processing order: a, b, x, c, d, e. */
    static const struct {
        enum disco_event_type type;
        uint32_t node;
        uint64_t lamport;
        uint64_t vc[3];
    } want[] = {
        {DISCO_EV_SEND, 0, 1, {1, 0, 0}},  /* a */
        {DISCO_EV_TIMER, 0, 2, {2, 0, 0}}, /* b */
        {DISCO_EV_TIMER, 2, 1, {0, 0, 1}}, /* x */
        {DISCO_EV_RECV, 1, 2, {1, 1, 0}},  /* c */
        {DISCO_EV_SEND, 1, 3, {1, 2, 0}},  /* d */
        {DISCO_EV_RECV, 2, 4, {1, 2, 2}},  /* e */
    };
    assert_int_equal(log->count, 6);
    for (size_t i = 0; i < 6; i++) {
        const struct seen *s = &log->events[i];
        assert_int_equal(s->type, want[i].type);
        assert_int_equal(s->node, want[i].node);
        assert_int_equal(s->lamport, want[i].lamport);
        assert_true(s->has_vc);
        for (int k = 0; k < 3; k++)
            assert_int_equal(s->vc[k], want[i].vc[k]);
    }
    /* b || c although L(b) = L(c); a -> e; x -> e; b and e concurrent. */
    const uint64_t *a = log->events[0].vc, *b = log->events[1].vc,
                   *x = log->events[2].vc, *c = log->events[3].vc,
                   *e = log->events[5].vc;
    assert_false(disco_vc_before(b, c, 3));
    assert_false(disco_vc_before(c, b, 3));
    assert_true(disco_vc_before(a, e, 3));
    assert_true(disco_vc_before(x, e, 3));
    assert_true(disco_vc_before(a, b, 3));
    assert_false(disco_vc_before(b, e, 3));
    assert_false(disco_vc_before(e, e, 3));
    /* No decisions: the oracle has nothing to index. */
    assert_int_equal(disco_view_happened_before(disco_sim_view(sim), 0, 0),
                     DISCO_EINVAL);
    disco_sim_free(sim);

    /* Off (the default): no vectors, the same Lamport clocks. */
    sim = worked_run(&topo, log, false);
    assert_int_equal(log->count, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_false(log->events[i].has_vc);
        assert_int_equal(log->events[i].lamport, want[i].lamport);
    }
    disco_sim_free(sim);
    free(log);
    disco_topology_release(&topo);
}

static void test_decision_oracle(void **unused)
{
    (void)unused;
    with_decisions = true;
    struct disco_topology topo;
    line3(&topo);
    struct log *log = calloc(1, sizeof *log);
    struct disco_sim *sim = worked_run(&topo, log, true);
    const struct disco_view *view = disco_sim_view(sim);
    /* Node 1 decides on m1 (1,2,0), sends m2 (1,3,0); node 2 receives it
     * (1,3,2) and decides (1,3,3). */
    assert_int_equal(disco_view_decision_count(view), 2);
    const uint64_t *d0 = disco_view_decision_vc(view, 0);
    const uint64_t *d1 = disco_view_decision_vc(view, 1);
    assert_non_null(d0);
    assert_non_null(d1);
    assert_int_equal(d0[0], 1), assert_int_equal(d0[1], 2);
    assert_int_equal(d0[2], 0);
    assert_int_equal(d1[0], 1), assert_int_equal(d1[1], 3);
    assert_int_equal(d1[2], 3);
    assert_null(disco_view_decision_vc(view, 2));
    assert_int_equal(disco_view_happened_before(view, 0, 1), 1);
    assert_int_equal(disco_view_happened_before(view, 1, 0), 0);
    assert_int_equal(disco_view_happened_before(view, 0, 0), 0);
    assert_int_equal(disco_view_happened_before(view, 0, 2), DISCO_EINVAL);
    /* The decide events carry the same vectors as the decisions. */
    size_t decides = 0;
    for (size_t i = 0; i < log->count; i++) {
        if (log->events[i].type != DISCO_EV_DECIDE)
            continue;
        const uint64_t *d = decides ? d1 : d0;
        assert_memory_equal(log->events[i].vc, d, 3 * sizeof(uint64_t));
        decides++;
    }
    assert_int_equal(decides, 2);
    disco_sim_free(sim);

    /* Without vector clocks the oracle says so. */
    sim = worked_run(&topo, log, false);
    view = disco_sim_view(sim);
    assert_int_equal(disco_view_decision_count(view), 2);
    assert_null(disco_view_decision_vc(view, 0));
    assert_int_equal(disco_view_happened_before(view, 0, 1), DISCO_ENOLOG);
    disco_sim_free(sim);
    free(log);
    disco_topology_release(&topo);
    with_decisions = false;
}

/* ------------------------------------------------------------------------ */
/* Random gossip: every node starts with a timer; each event may send to a
 * random neighbour, set another timer or decide, a few times over.  Enough
 * concurrency, chains and internal events to exercise every case. */

struct gossip {
    uint32_t budget;
};

static void gossip_step(struct disco_ctx *ctx, struct gossip *g)
{
    if (g->budget == 0)
        return;
    g->budget--;
    uint64_t r = disco_random_below(ctx, 6);
    if (r < 3 && disco_out_degree(ctx) > 0)
        disco_send(ctx, (uint32_t)disco_random_below(ctx, disco_out_degree(ctx)),
                   0, NULL, 0);
    if (r == 1 && disco_out_degree(ctx) > 0)
        disco_send(ctx, 0, 0, NULL, 0);
    if (r == 3 || r == 4)
        disco_set_timer(ctx, 1 + disco_random_below(ctx, 20), r);
    if (r == 5)
        disco_decide(ctx, (int64_t)disco_self(ctx));
}

static void gossip_init(struct disco_ctx *ctx, void *state)
{
    struct gossip *g = state;
    g->budget = 12;
    disco_set_timer(ctx, disco_random_below(ctx, 10), 0);
}

static void gossip_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    (void)port, (void)kind, (void)payload, (void)len;
    gossip_step(ctx, state);
}

static void gossip_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    (void)tag;
    gossip_step(ctx, state);
}

static const char *const gossip_kinds[] = {"g"};

static const struct disco_algorithm gossip = {
    .name = "gossip-clocks",
    .family = "test",
    .summary = "random sends, timers and decisions",
    .message_kinds = gossip_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct gossip),
    .init = gossip_init,
    .on_message = gossip_message,
    .on_timer = gossip_timer,
};

static bool ticks(enum disco_event_type type)
{
    return type == DISCO_EV_SEND || type == DISCO_EV_RECV ||
           type == DISCO_EV_TIMER || type == DISCO_EV_DECIDE ||
           type == DISCO_EV_CRASH || type == DISCO_EV_RECOVER;
}

/* The causal order of the ticking events from program order and send/recv
 * pairs alone, then compared with the vectors in both directions.  The
 * events come in processing order, a topological order of the relation,
 * so each event's past is its predecessor's past plus its send's past. */
static void check_characterisation(const struct log *log, uint32_t n)
{
    size_t count = 0;
    size_t *index = malloc(log->count * sizeof *index);
    for (size_t i = 0; i < log->count; i++)
        if (ticks(log->events[i].type))
            index[count++] = i;
    size_t words = (count + 63) / 64;
    uint64_t *past = calloc(count * words + 1, sizeof(uint64_t));
    size_t last[8];
    for (uint32_t k = 0; k < n; k++)
        last[k] = SIZE_MAX;
    size_t *send_of = calloc(log->count + 1, sizeof *send_of); /* by msg */
    for (size_t j = 0; j < count; j++) {
        const struct seen *ev = &log->events[index[j]];
        uint64_t *mine = past + j * words;
        size_t prev = last[ev->node];
        if (prev != SIZE_MAX) {
            for (size_t w = 0; w < words; w++)
                mine[w] |= past[prev * words + w];
            mine[prev / 64] |= (uint64_t)1 << (prev % 64);
        }
        if (ev->type == DISCO_EV_SEND) {
            assert_true(ev->msg <= log->count);
            send_of[ev->msg] = j + 1;
        } else if (ev->type == DISCO_EV_RECV) {
            size_t s = send_of[ev->msg];
            assert_true(s > 0);
            s--;
            for (size_t w = 0; w < words; w++)
                mine[w] |= past[s * words + w];
            mine[s / 64] |= (uint64_t)1 << (s % 64);
        }
        last[ev->node] = j;
    }
    for (size_t f = 0; f < count; f++) {
        const struct seen *ef = &log->events[index[f]];
        for (size_t e = 0; e < count; e++) {
            const struct seen *ee = &log->events[index[e]];
            bool before = past[f * words + e / 64] >> (e % 64) & 1;
            if (before != disco_vc_before(ee->vc, ef->vc, n))
                fail_msg("events %zu and %zu: causal %d, vectors say %d",
                         index[e], index[f], before, !before);
            /* Lamport: e -> f implies L(e) < L(f), where f ticks the
             * Lamport clock (the kernel's Lamport clock, unlike the
             * vectors, does not count crash and recover). */
            if (before)
                assert_true(ef->type == DISCO_EV_CRASH ||
                                    ef->type == DISCO_EV_RECOVER
                                ? ee->lamport <= ef->lamport
                                : ee->lamport < ef->lamport);
        }
    }
    free(send_of);
    free(past);
    free(index);
}

/* The space-time diagram's own computation (viz/vclock.h) over the same
 * events gives the same vector at every ticking event. */
static void check_same_as_viz(const struct log *log,
                              const struct disco_topology *topo)
{
    struct viz_event *events = calloc(log->count + 1, sizeof *events);
    for (size_t i = 0; i < log->count; i++) {
        events[i].type = log->events[i].type;
        events[i].node = log->events[i].node;
        events[i].peer = log->events[i].peer;
        events[i].msg = log->events[i].msg;
    }
    struct viz_recorder rec;
    memset(&rec, 0, sizeof rec);
    rec.topo = topo;
    rec.events = events;
    rec.event_count = log->count;
    struct vclock vc;
    struct disco_error err;
    assert_int_equal(vclock_init(&vc, &rec, &err), 0);
    size_t compared = 0;
    for (size_t i = 0; i < log->count; i++) {
        const uint32_t *clock = vclock_step(&vc, &events[i]);
        if (!clock)
            continue;
        for (uint32_t k = 0; k < topo->nodes; k++)
            assert_int_equal(clock[k], log->events[i].vc[k]);
        compared++;
    }
    assert_true(compared > 0);
    vclock_release(&vc);
    free(events);
}

static void test_random_runs(void **unused)
{
    (void)unused;
    static const char *const specs[] = {"gnp:6:0.5", "ring:5", "complete:4",
                                        "grid:2x3", "star:6"};
    struct log *log = calloc(1, sizeof *log);
    size_t pairs = 0;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        const char *spec = specs[seed % 5];
        struct disco_topology topo;
        struct disco_error err;
        assert_int_equal(disco_topology_generate(&topo, spec, seed, &err), 0);
        struct disco_config cfg;
        disco_config_init(&cfg, &gossip);
        cfg.seed = seed;
        cfg.vector_clocks = true;
        cfg.fifo = seed % 2 == 0;
        /* Duplicates share their stamp; losses free theirs. */
        if (seed % 3 == 0)
            cfg.dup = 0.3;
        if (seed % 4 == 0)
            cfg.loss = 0.2;
        if (seed % 7 == 0) {
            assert_int_equal(disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@20",
                                                topo.nodes, &err),
                             0);
            assert_int_equal(disco_faults_parse(&cfg, DISCO_FAULT_RECOVER,
                                                "1@60", topo.nodes, &err),
                             0);
        }
        struct disco_sim *sim;
        assert_int_equal(disco_sim_create(&sim, &gossip, &topo, &cfg, &err),
                         0);
        memset(log, 0, sizeof *log);
        log->n = topo.nodes;
        struct disco_observer obs = {.self = log, .on_event = log_event};
        assert_int_equal(disco_sim_observe(sim, &obs, &err), 0);
        assert_int_equal(disco_sim_run(sim, &err), 0);
        check_characterisation(log, topo.nodes);
        check_same_as_viz(log, &topo);
        /* The decision oracle agrees with the characterisation. */
        const struct disco_view *view = disco_sim_view(sim);
        size_t d = disco_view_decision_count(view);
        for (size_t i = 0; i < d; i++)
            for (size_t j = 0; j < d; j++)
                assert_int_equal(disco_view_happened_before(view, i, j),
                                 disco_vc_before(
                                     disco_view_decision_vc(view, i),
                                     disco_view_decision_vc(view, j),
                                     topo.nodes));
        pairs += log->count * log->count;
        disco_sim_free(sim);
        disco_config_release(&cfg);
        disco_topology_release(&topo);
    }
    assert_true(pairs > 100000);
    free(log);
}

/* ------------------------------------------------------------------------ */
/* Traces.                                                                   */

static char *traced(const char *dir, const char *name,
                    const char *const *args, int want_status)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    const char *argv[40] = {NULL};
    size_t n = 1;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n++] = "--trace";
    argv[n++] = path;
    struct cli_output out;
    cli_run(&out, argv);
    if (out.status != want_status)
        fail_msg("disco exited %d: %s", out.status, out.err);
    cli_output_release(&out);
    char *bytes = file_read(path, NULL);
    assert_non_null(bytes);
    return bytes;
}

/* Parse the events of a --clocks vector trace into a log: type, node,
 * msg, lamport and vc from each line after the first. */
static void parse_trace(const char *text, struct log *log, uint32_t n)
{
    static const char *const names[] = {
        "send", "recv", "timer", "drop", "dup", "crash", "recover", "state",
        "decide", "link_down", "link_up"};
    memset(log, 0, sizeof *log);
    log->n = n;
    const char *line = strchr(text, '\n');
    assert_non_null(line);
    line++;
    while (*line) {
        const char *end = strchr(line, '\n');
        assert_non_null(end);
        assert_true(log->count < sizeof log->events / sizeof log->events[0]);
        struct seen *s = &log->events[log->count++];
        memset(s, 0, sizeof *s);
        const char *p = strstr(line, "\"node\": ");
        assert_true(p && p < end);
        s->node = (uint32_t)strtoul(p + 8, NULL, 10);
        p = strstr(line, "\"type\": \"");
        assert_true(p && p < end);
        p += 9;
        bool known = false;
        for (int t = 0; t < 11; t++) {
            size_t len = strlen(names[t]);
            if (strncmp(p, names[t], len) == 0 && p[len] == '"') {
                s->type = (enum disco_event_type)t;
                known = true;
            }
        }
        assert_true(known);
        p = strstr(line, "\"msg\": ");
        if (p && p < end)
            s->msg = strtoull(p + 7, NULL, 10);
        p = strstr(line, "\"lamport\": ");
        assert_true(p && p < end);
        s->lamport = strtoull(p + 11, NULL, 10);
        p = strstr(line, "\"vc\": [");
        assert_true(p && p < end);
        p += 7;
        for (uint32_t k = 0; k < n; k++) {
            char *next;
            s->vc[k] = strtoull(p, &next, 10);
            assert_true(next > p);
            p = next;
            if (k + 1 < n) {
                assert_true(p[0] == ',' && p[1] == ' ');
                p += 2;
            }
        }
        assert_true(p[0] == ']' && p[1] == '}' && p + 2 == end);
        s->has_vc = true;
        line = end + 1;
    }
}

static void test_trace_vector(void **unused)
{
    (void)unused;
    char *dir = tmpdir_create();
    /* Real algorithms, lossy and reordering networks: the trace's vectors
     * characterise the causal order the trace itself shows. */
    static const struct {
        const char *args[20];
        uint32_t nodes;
    } runs[] = {
        {{"run", "chang-roberts", "--topology", "uring:6", "--ids", "random",
          "--no-fifo", "--seed", "3", "--clocks", "vector", NULL}, 6},
        {{"run", "echo", "--topology", "gnp:7:0.5", "--dup", "0.2", "--delay",
          "exp:10", "--seed", "4", "--clocks", "vector", NULL}, 7},
        {{"run", "flood", "--topology", "grid:2x3", "--loss", "0.2", "--seed",
          "5", "--clocks", "vector", NULL}, 6},
        /* Synchronous rounds, and crashes with a recovery. */
        {{"run", "sync-bfs", "--topology", "grid:2x3", "--seed", "6",
          "--clocks", "vector", NULL}, 6},
        {{"run", "bully", "--topology", "complete:5", "--crash", "4@50",
          "--recover", "4@400", "--seed", "7", "--clocks", "vector", NULL}, 5},
    };
    struct log *log = calloc(1, sizeof *log);
    for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
        /* Same seed, same options: the same bytes. */
        struct cli_output out;
        const char *argv[24] = {NULL};
        size_t n = 0;
        for (; runs[r].args[n]; n++)
            argv[n + 1] = runs[r].args[n];
        char path_a[4096], path_b[4096];
        snprintf(path_a, sizeof path_a, "%s/a%zu.jsonl", dir, r);
        snprintf(path_b, sizeof path_b, "%s/b%zu.jsonl", dir, r);
        argv[n + 1] = "--trace";
        argv[n + 2] = path_a;
        cli_run(&out, argv);
        int status = out.status;
        assert_true(status == 0 || status == 1);
        cli_output_release(&out);
        argv[n + 2] = path_b;
        cli_run(&out, argv);
        assert_int_equal(out.status, status);
        cli_output_release(&out);
        char *a = file_read(path_a, NULL);
        char *b = file_read(path_b, NULL);
        assert_non_null(a);
        assert_non_null(b);
        assert_string_equal(a, b);
        parse_trace(a, log, runs[r].nodes);
        assert_true(log->count > 20);
        check_characterisation(log, runs[r].nodes);
        free(a);
        free(b);
    }
    free(log);
    tmpdir_remove(dir);
}

static void test_trace_lamport_unchanged(void **unused)
{
    (void)unused;
    /* The default and an explicit --clocks lamport both give the golden
     * trace, byte for byte: no "vc" member. */
    const char *const plain[] = {"run", "chang-roberts", "--topology",
                                 "uring:4", "--ids", "3,1,4,2", "--seed", "7",
                                 "--json", NULL};
    const char *const lamport[] = {"run", "chang-roberts", "--topology",
                                   "uring:4", "--ids", "3,1,4,2", "--seed",
                                   "7", "--json", "--clocks", "lamport", NULL};
    const char *const vector[] = {"run", "chang-roberts", "--topology",
                                  "uring:4", "--ids", "3,1,4,2", "--seed",
                                  "7", "--json", "--clocks", "vector", NULL};
    char *dir = tmpdir_create();
    char *golden = file_read(env_path("DISCO_GOLDEN",
                                      "chang-roberts-uring4.jsonl"), NULL);
    assert_non_null(golden);
    char *a = traced(dir, "a.jsonl", plain, 0);
    char *b = traced(dir, "b.jsonl", lamport, 0);
    char *c = traced(dir, "c.jsonl", vector, 0);
    assert_string_equal(a, golden);
    assert_string_equal(b, golden);
    assert_null(strstr(a, "\"vc\""));
    /* With vectors: the same lines, each with ", "vc": [...]" before its
     * closing brace, and the first line unchanged. */
    const char *g = golden, *v = c;
    size_t lines = 0;
    while (*g) {
        const char *ge = strchr(g, '\n');
        const char *ve = strchr(v, '\n');
        assert_non_null(ge);
        assert_non_null(ve);
        size_t glen = (size_t)(ge - g), vlen = (size_t)(ve - v);
        if (lines == 0) {
            assert_int_equal(glen, vlen);
            assert_memory_equal(g, v, glen);
        } else {
            assert_true(vlen > glen);
            assert_memory_equal(g, v, glen - 1); /* all but the '}' */
            assert_memory_equal(v + glen - 1, ", \"vc\": [", 9);
            assert_memory_equal(v + vlen - 2, "]}", 2);
        }
        g = ge + 1;
        v = ve + 1;
        lines++;
    }
    assert_int_equal(*v, '\0');
    assert_true(lines > 10);
    free(a), free(b), free(c), free(golden);
    tmpdir_remove(dir);
}

static void test_cli_refusals(void **unused)
{
    (void)unused;
    char *dir = tmpdir_create();
    char path[4096];
    snprintf(path, sizeof path, "%s/t.jsonl", dir);
    struct cli_output out;
    const char *const bad[] = {NULL, "run", "chang-roberts", "--topology",
                               "uring:4", "--clocks", "vectr", "--trace",
                               path, NULL};
    cli_run(&out, bad);
    assert_int_equal(out.status, 2);
    assert_string_equal(out.out, "");
    assert_string_equal(out.err, "disco: unknown --clocks 'vectr' (did you "
                                 "mean 'vector'?)\n");
    cli_output_release(&out);
    assert_int_equal(dir_entry_count(dir), 0);

    const char *const far[] = {NULL, "run", "chang-roberts", "--topology",
                               "uring:4", "--clocks", "quantum", NULL};
    cli_run(&out, far);
    assert_int_equal(out.status, 2);
    assert_string_equal(out.err, "disco: unknown --clocks 'quantum' (lamport "
                                 "or vector)\n");
    cli_output_release(&out);

    /* Too many nodes: refused before anything runs or is written. */
    const char *const big[] = {NULL, "run", "flood", "--topology",
                               "ring:5000", "--clocks", "vector", "--trace",
                               path, NULL};
    cli_run(&out, big);
    assert_int_equal(out.status, 2);
    assert_string_equal(out.out, "");
    assert_string_equal(out.err, "disco: vector clocks for 5000 nodes would "
                                 "need 190 MiB (at most 4096 nodes)\n");
    cli_output_release(&out);
    assert_int_equal(dir_entry_count(dir), 0);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_case),
        cmocka_unit_test(test_decision_oracle),
        cmocka_unit_test(test_random_runs),
        cmocka_unit_test(test_trace_vector),
        cmocka_unit_test(test_trace_lamport_unchanged),
        cmocka_unit_test(test_cli_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
