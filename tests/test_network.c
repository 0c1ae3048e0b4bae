/*
 * test_network.c - the network layer: FIFO, loss, duplication, crashes and
 * cut links, each observed through the kernel's observer interface.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h" /* which FIFO clocks the kernel chose */
#include "support.h"

extern const struct disco_algorithm disco_alg_echo;

/* ---- a test-only algorithm: numbered messages, in bursts or on timers -- */

enum { BURST, TIMED };   /* parameter "mode" */
enum { P_MODE, P_COUNT, P_GAP };

struct chatter_state {
    uint32_t next_expected[4]; /* per in-port: the next sequence number */
    uint32_t out_of_order;     /* receptions that overtook an earlier one */
    uint32_t received;
    uint32_t sent;
};

static void chatter_send(struct disco_ctx *ctx, struct chatter_state *s)
{
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
        disco_send(ctx, port, 0, &s->sent, sizeof s->sent);
    s->sent++;
}

static void chatter_init(struct disco_ctx *ctx, void *state)
{
    struct chatter_state *s = state;
    if (!disco_is_initiator(ctx))
        return;
    int64_t count = disco_param(ctx, P_COUNT);
    if (disco_param(ctx, P_MODE) == BURST) {
        for (int64_t i = 0; i < count; i++)
            chatter_send(ctx, s);
    } else {
        disco_set_timer(ctx, 1, 0);
    }
}

static void chatter_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct chatter_state *s = state;
    chatter_send(ctx, s);
    uint64_t count = (uint64_t)disco_param(ctx, P_COUNT);
    /* "gap" ticks of silence halfway, to test long idle spells. */
    disco_time_t wait =
        s->sent == count / 2 ? (disco_time_t)disco_param(ctx, P_GAP) : 1;
    if (s->sent < count)
        disco_set_timer(ctx, wait, 0);
}

static void chatter_on_message(struct disco_ctx *ctx, void *state,
                               uint32_t port, unsigned kind,
                               const void *payload, size_t len)
{
    struct chatter_state *s = state;
    uint32_t seq;
    memcpy(&seq, payload, sizeof seq);
    s->received++;
    if (seq < s->next_expected[port])
        s->out_of_order++;
    else
        s->next_expected[port] = seq + 1;
}

static const char *const chatter_kinds[] = {"seq"};
static const struct disco_param chatter_params[] = {
    {"mode", BURST, 0, 1, "0: all at once, 1: one per tick"},
    {"count", 100, 1, 1000000, "messages per out-port"},
    {"gap", 1, 1, INT64_MAX, "mode 1: ticks between the two halves"},
};

static const struct disco_algorithm chatter = {
    .name = "chatter",
    .family = "test",
    .summary = "numbered messages for testing the network",
    .model = {.timing = DISCO_ASYNC, .initiators = "0"},
    .params = chatter_params,
    .param_count = 3,
    .message_kinds = chatter_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct chatter_state),
    .init = chatter_init,
    .on_message = chatter_on_message,
    .on_timer = chatter_on_timer,
};

static const struct chatter_state *node_state(const struct sim_run *run,
                                              uint32_t node)
{
    return disco_view_state(disco_sim_view(run->sim), node);
}

static void config(struct disco_config *cfg, int mode, int64_t count,
                   uint64_t seed)
{
    disco_config_init(cfg, &chatter);
    cfg->params[P_MODE] = mode;
    cfg->params[P_COUNT] = count;
    cfg->seed = seed;
}

/* ---- FIFO ---- */

static void test_fifo_holds_when_on(void **unused)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg;
        config(&cfg, BURST, 500, seed);
        struct sim_run run;
        sim_run(&run, &chatter, "line:2", 1, &cfg);
        assert_int_equal(node_state(&run, 1)->received, 500);
        assert_int_equal(node_state(&run, 1)->out_of_order, 0);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

static void test_fifo_broken_when_off(void **unused)
{
    /* With uniform delays and no FIFO, 500 messages sent at once must
     * overtake each other on every seed. */
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg;
        config(&cfg, BURST, 500, seed);
        cfg.fifo = false;
        struct sim_run run;
        sim_run(&run, &chatter, "line:2", 1, &cfg);
        assert_int_equal(node_state(&run, 1)->received, 500);
        assert_true(node_state(&run, 1)->out_of_order > 0);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* On a graph of 2^20 channels the kernel keeps FIFO clocks in 16 bits,
 * rebased every 2^15 ticks: one message per tick for 40,000 ticks, with
 * delays up to 30,000 ticks, crosses a rebase with clocks near the top of
 * the range, and must still arrive in order (and out of order without
 * FIFO, so that the check can fail). */
static void test_fifo_holds_in_16_bits(void **unused)
{
    for (int fifo = 1; fifo >= 0; fifo--) {
        struct disco_config cfg;
        config(&cfg, TIMED, 40000, 3);
        cfg.fifo = fifo;
        cfg.delay = (struct disco_delay){.kind = DISCO_DELAY_UNIFORM,
                                         .a = 1, .b = 30000};
        struct sim_run run;
        sim_run(&run, &chatter, "torus:512x512", 1, &cfg);
        assert_int_equal(run.topo.channels, 1u << 20);
        const struct disco_view *view = disco_sim_view(run.sim);
        uint32_t out_of_order = 0;
        for (uint32_t port = 0; port < 4; port++) {
            uint32_t v = disco_view_neighbour(view, 0, port);
            assert_int_equal(node_state(&run, v)->received, 40000);
            out_of_order += node_state(&run, v)->out_of_order;
        }
        if (fifo)
            assert_int_equal(out_of_order, 0);
        else
            assert_true(out_of_order > 1000);
        assert_true(run.metrics->time > 40000);
        if (fifo) {
            /* The same run with 32-bit clocks, forced by a law that could
             * draw 2^15 (a change due long after the run ends), must be
             * the same execution: same end, same states. */
            struct disco_error err;
            struct disco_config wide;
            config(&wide, TIMED, 40000, 3);
            wide.delay = cfg.delay;
            assert_int_equal(disco_delay_change_parse(
                                 &wide, "uniform:1:40000@1000000000", &err),
                             0);
            struct sim_run other;
            sim_run(&other, &chatter, "torus:512x512", 1, &wide);
            assert_int_equal(other.metrics->time, run.metrics->time);
            assert_int_equal(other.metrics->events, run.metrics->events);
            for (uint32_t v = 0; v < run.topo.nodes; v++)
                assert_memory_equal(node_state(&other, v), node_state(&run, v),
                                    sizeof(struct chatter_state));
            sim_run_release(&other);
            disco_config_release(&wide);
        }
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* ---- which FIFO clocks the kernel keeps ---- */

/* The width of the FIFO clocks (sim->fifo_bits) a sim of chatter on `spec`
 * keeps, with delay law `delay`, an optional delay change `change`
 * (LAW@T), duplication rate `dup` and FIFO `fifo`.  The clocks are chosen
 * at create, so nothing runs. */
static unsigned fifo_bits(const char *spec, const char *delay,
                          const char *change, double dup, bool fifo)
{
    struct disco_config cfg;
    config(&cfg, BURST, 1, 1);
    struct disco_error err;
    assert_int_equal(disco_delay_parse(&cfg.delay, delay, &err), 0);
    if (change)
        assert_int_equal(disco_delay_change_parse(&cfg, change, &err), 0);
    cfg.dup = dup;
    cfg.fifo = fifo;
    struct disco_topology topo;
    assert_int_equal(disco_topology_generate(&topo, spec, 1, &err), 0);
    struct disco_sim *sim;
    assert_int_equal(disco_sim_create(&sim, &chatter, &topo, &cfg, &err), 0);
    unsigned bits = sim->fifo_bits;
    disco_sim_free(sim);
    disco_topology_release(&topo);
    disco_config_release(&cfg);
    return bits;
}

static void test_fifo_width_16_bits_from_2_20_channels(void **unused)
{
    /* 16 bits take 2^20 channels or more (uring:N has N), with every
     * delay below 2^15, whichever law draws it. */
    assert_int_equal(
        fifo_bits("uring:1048576", "uniform:1:32767", NULL, 0, true), 16);
    assert_int_equal(fifo_bits("torus:512x512", "uniform:1:100", NULL, 0, true),
                     16);
    /* An exp law's longest delay is taken as 37 means, rounded down, + 1
     * (the smallest 1 - u drawn, 2^-53, gives 36.8 means): 885.5 * 37 =
     * 32763.5, so 32763 + 1 = 32764, below 2^15 = 32768; 885.6 * 37 =
     * 32767.2, so 32767 + 1 = 32768, not below.  (The boundary is at
     * 32767 / 37 = 885.59...) */
    assert_int_equal(fifo_bits("uring:1048576", "exp:885.5", NULL, 0, true),
                     16);
    assert_int_equal(fifo_bits("uring:1048576", "exp:885.6", NULL, 0, true),
                     32);
    /* A constant delay with duplicates needs clocks too. */
    assert_int_equal(fifo_bits("uring:1048576", "const:32767", NULL, 0.1, true),
                     16);
}

static void test_fifo_width_32_bits_below_either_bound(void **unused)
{
    /* One channel short of 2^20, or one tick too long a delay. */
    assert_int_equal(
        fifo_bits("uring:1048575", "uniform:1:32767", NULL, 0, true), 32);
    assert_int_equal(
        fifo_bits("uring:1048576", "uniform:1:32768", NULL, 0, true), 32);
    /* A delay change counts as much as the run's own law, even one due
     * long after the run. */
    assert_int_equal(fifo_bits("uring:1048576", "uniform:1:100",
                               "uniform:1:32768@1000000000", 0, true),
                     32);
    assert_int_equal(fifo_bits("line:2", "uniform:1:2147483647", NULL, 0, true),
                     32);
}

static void test_fifo_width_64_bits_past_2_31(void **unused)
{
    assert_int_equal(fifo_bits("line:2", "uniform:1:2147483648", NULL, 0, true),
                     64);
    /* const:2^33 reorders only next to another law, or with duplicates. */
    assert_int_equal(
        fifo_bits("line:2", "const:5", "const:8589934592@10", 0, true), 64);
    assert_int_equal(fifo_bits("line:2", "const:8589934592", NULL, 0.1, true),
                     64);
    assert_int_equal(
        fifo_bits("uring:1048576", "uniform:1:2147483648", NULL, 0, true), 64);
}

static void test_fifo_width_0_without_clocks(void **unused)
{
    /* FIFO off, or nothing that could reorder: no clocks at all. */
    assert_int_equal(
        fifo_bits("uring:1048576", "uniform:1:100", NULL, 0, false), 0);
    assert_int_equal(
        fifo_bits("line:2", "uniform:1:2147483648", NULL, 0, false), 0);
    assert_int_equal(fifo_bits("line:2", "const:8589934592", NULL, 0, true), 0);
    assert_int_equal(fifo_bits("uring:1048576", "const:7", NULL, 0, true), 0);
}

static void test_fifo_width_on_for_one_channel(void **unused)
{
    /* FIFO off for the run but on for one channel (a scenario's edge
     * attribute): that channel needs clocks. */
    struct disco_config cfg;
    config(&cfg, BURST, 1, 1);
    cfg.fifo = false;
    cfg.delay =
        (struct disco_delay){.kind = DISCO_DELAY_UNIFORM, .a = 1, .b = 100};
    struct disco_error err;
    struct disco_topology topo;
    assert_int_equal(disco_topology_generate(&topo, "line:2", 1, &err), 0);
    cfg.channel.fifo = malloc(topo.channels);
    assert_non_null(cfg.channel.fifo);
    memset(cfg.channel.fifo, -1, topo.channels);
    cfg.channel.fifo[1] = 1;
    struct disco_sim *sim;
    assert_int_equal(disco_sim_create(&sim, &chatter, &topo, &cfg, &err), 0);
    assert_int_equal(sim->fifo_bits, 32);
    disco_sim_free(sim);
    disco_topology_release(&topo);
    disco_config_release(&cfg);
}

/* ---- rebasing the relative clocks ---- */

/* Send and receive times by message number, from an observer. */
struct arrivals {
    disco_time_t sent_at[2048], recv_at[2048];
    disco_time_t last_send, longest_quiet; /* between two sends */
    size_t received;
};

static void record_arrival(void *self, const struct disco_event_view *ev)
{
    struct arrivals *a = self;
    assert_true(ev->msg < 2048);
    if (ev->type == DISCO_EV_SEND) {
        if (ev->time - a->last_send > a->longest_quiet)
            a->longest_quiet = ev->time - a->last_send;
        a->last_send = ev->time;
        a->sent_at[ev->msg] = ev->time;
    } else if (ev->type == DISCO_EV_RECV) {
        assert_int_equal(a->recv_at[ev->msg], 0);
        a->recv_at[ev->msg] = ev->time;
        a->received++;
    }
}

/* Run chatter in TIMED mode on `spec` with cfg's network, from the first
 * and the last node (whose channels lie at both ends of the clock array):
 * `count` messages per out-port with `gap` ticks between the two halves.
 * Checks FIFO order and returns the width of the FIFO clocks, read after
 * the run. */
static unsigned run_gapped(struct disco_config *cfg, const char *spec,
                           int64_t gap, struct arrivals *a)
{
    cfg->params[P_MODE] = TIMED;
    cfg->params[P_GAP] = gap;
    memset(a, 0, sizeof *a);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&run.topo, spec, 1, &err), 0);
    uint32_t last = run.topo.nodes - 1;
    char initiators[32];
    snprintf(initiators, sizeof initiators, "0,%u", last);
    sim_config_initiators(cfg, initiators, run.topo.nodes);
    assert_int_equal(disco_sim_create(&run.sim, &chatter, &run.topo, cfg, &err),
                     0);
    struct disco_observer obs = {.self = a, .on_event = record_arrival};
    assert_int_equal(disco_sim_observe(run.sim, &obs, &err), 0);
    assert_int_equal(disco_sim_run(run.sim, &err), 0);
    size_t received = 0;
    for (uint32_t v = 0; v < run.topo.nodes; v++) {
        received += node_state(&run, v)->received;
        assert_int_equal(node_state(&run, v)->out_of_order, 0);
    }
    uint32_t ports = disco_topology_degree(&run.topo, 0) +
                     disco_topology_degree(&run.topo, last);
    assert_int_equal(received, (size_t)cfg->params[P_COUNT] * ports);
    assert_int_equal(a->received, received);
    assert_true(a->longest_quiet >= (disco_time_t)gap);
    unsigned bits = run.sim->fifo_bits;
    sim_run_release(&run);
    return bits;
}

/* The same run (delay law `delay`, then `change` if not NULL) with clocks
 * of two widths: the wider forced by the delay change `wider`, due after
 * the end.  Every message must arrive at the same time in both.  Returns
 * the narrow run's arrivals (the caller frees them). */
static struct arrivals *check_widths_agree(const char *spec, const char *delay,
                                           const char *change, int64_t count,
                                           int64_t gap, const char *wider,
                                           unsigned narrow_bits,
                                           unsigned wide_bits)
{
    struct arrivals *a = calloc(2, sizeof *a);
    assert_non_null(a);
    struct disco_error err;
    struct disco_config narrow, wide;
    config(&narrow, TIMED, count, 7);
    config(&wide, TIMED, count, 7);
    assert_int_equal(disco_delay_parse(&narrow.delay, delay, &err), 0);
    wide.delay = narrow.delay;
    if (change) {
        assert_int_equal(disco_delay_change_parse(&narrow, change, &err), 0);
        assert_int_equal(disco_delay_change_parse(&wide, change, &err), 0);
    }
    assert_int_equal(disco_delay_change_parse(&wide, wider, &err), 0);
    assert_int_equal(run_gapped(&narrow, spec, gap, &a[0]), narrow_bits);
    assert_int_equal(run_gapped(&wide, spec, gap, &a[1]), wide_bits);
    assert_int_equal(a[0].received, a[1].received);
    assert_memory_equal(a[0].recv_at, a[1].recv_at, sizeof a[0].recv_at);
    disco_config_release(&narrow);
    disco_config_release(&wide);
    return a;
}

/* After a silence of 2^16 ticks or more (2^32 for 32 bits) the first send
 * rebases by clearing every clock at once; each must then read "no
 * constraint", as in wider clocks.  The first half's last arrivals (up to
 * 30,100, or 1,200) stay in the clocks until then. */
static void test_fifo_16_bits_after_idle_gap(void **unused)
{
    free(check_widths_agree("torus:512x512", "uniform:1:30000", NULL, 200,
                            70000, "uniform:1:40000@1000000000", 16, 32));
}

static void test_fifo_32_bits_after_idle_gap(void **unused)
{
    free(check_widths_agree("line:2", "uniform:1:1000", NULL, 400,
                            ((int64_t)1 << 32) + 1000,
                            "uniform:1:2147483648@1099511627776", 32, 64));
}

/* A rebase `span` ticks after the base must keep the arrivals still
 * ahead.  A constant delay of span - 1 carries the 100 messages sent at
 * 1..100 to span..span+99; at span - 50 the delay drops to 1; sends resume
 * at span (a rebase by span), and FIFO holds them to span + 99, the last
 * arrival of the first half: a message sent at s arrives at s + span - 1
 * before the gap, at max(s + 1, span + 99) after it. */
static void check_pending_arrival(const char *spec, disco_time_t span,
                                  const char *wider, unsigned narrow_bits,
                                  unsigned wide_bits)
{
    char delay[64], change[64];
    snprintf(delay, sizeof delay, "const:%llu", (unsigned long long)(span - 1));
    snprintf(change, sizeof change, "const:1@%llu",
             (unsigned long long)(span - 50));
    struct arrivals *a =
        check_widths_agree(spec, delay, change, 200, (int64_t)span - 100, wider,
                           narrow_bits, wide_bits);
    size_t checked = 0;
    for (size_t msg = 0; msg < 2048; msg++) {
        if (!a->recv_at[msg])
            continue;
        disco_time_t s = a->sent_at[msg];
        disco_time_t want = s + span - 1;
        if (s > 100)
            want = s + 1 > span + 99 ? s + 1 : span + 99;
        assert_int_equal(a->recv_at[msg], want);
        checked++;
    }
    assert_int_equal(checked, a->received);
    free(a);
}

static void test_fifo_16_bits_rebase_keeps_pending_arrival(void **unused)
{
    check_pending_arrival("torus:512x512", (disco_time_t)1 << 15,
                          "uniform:1:40000@1000000000", 16, 32);
}

static void test_fifo_32_bits_rebase_keeps_pending_arrival(void **unused)
{
    check_pending_arrival("line:2", (disco_time_t)1 << 31,
                          "uniform:1:2147483648@1099511627776", 32, 64);
}

/* ---- loss and duplication rates ---- */

static void test_loss_rate_within_three_sigma(void **unused)
{
    /* 10^5 messages, p = 0.1: mean 10^4, sigma = sqrt(n p (1-p)) = 94.9. */
    struct disco_config cfg;
    config(&cfg, BURST, 100000, 3);
    cfg.loss = 0.1;
    struct sim_run run;
    sim_run(&run, &chatter, "line:2", 1, &cfg);
    double dropped = (double)run.metrics->dropped;
    assert_int_equal(run.metrics->messages, 100000);
    assert_true(dropped > 10000 - 3 * 94.9 && dropped < 10000 + 3 * 94.9);
    assert_int_equal(node_state(&run, 1)->received,
                     100000 - run.metrics->dropped);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_dup_rate_within_three_sigma(void **unused)
{
    /* p = 0.05: mean 5000, sigma = sqrt(1e5 * 0.05 * 0.95) = 68.9. */
    struct disco_config cfg;
    config(&cfg, BURST, 100000, 4);
    cfg.dup = 0.05;
    struct sim_run run;
    sim_run(&run, &chatter, "line:2", 1, &cfg);
    double duplicated = (double)run.metrics->duplicated;
    assert_true(duplicated > 5000 - 3 * 68.9 && duplicated < 5000 + 3 * 68.9);
    assert_int_equal(node_state(&run, 1)->received,
                     100000 + run.metrics->duplicated);
    /* Duplicates are the network's doing: they are not messages sent. */
    assert_int_equal(run.metrics->messages, 100000);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_zero_probabilities_draw_nothing(void **unused)
{
    /* --loss 0 and --dup 0 must not consume randomness: the delivery times
     * equal those of a run that never mentions them. */
    struct disco_config a, b;
    config(&a, TIMED, 50, 9);
    config(&b, TIMED, 50, 9);
    b.loss = 0;
    b.dup = 0;
    struct sim_run ra, rb;
    sim_run(&ra, &chatter, "ring:5", 1, &a);
    sim_run(&rb, &chatter, "ring:5", 1, &b);
    assert_int_equal(ra.metrics->time, rb.metrics->time);
    assert_int_equal(ra.metrics->events, rb.metrics->events);
    sim_run_release(&ra);
    sim_run_release(&rb);
    disco_config_release(&a);
    disco_config_release(&b);
}

/* ---- crashes and cuts, seen by an observer ---- */

struct recorder {
    struct disco_event_view events[4096];
    size_t count;
    disco_time_t sent_at[4096]; /* by message number */
};

static void record(void *self, const struct disco_event_view *ev)
{
    struct recorder *r = self;
    if (ev->type == DISCO_EV_SEND && ev->msg < 4096)
        r->sent_at[ev->msg] = ev->time;
    if (r->count < 4096)
        r->events[r->count++] = *ev;
}

static void run_recorded(struct sim_run *run, struct disco_config *cfg,
                         const char *spec, struct recorder *rec)
{
    memset(run, 0, sizeof *run);
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&run->topo, spec, 1, &err), 0);
    assert_int_equal(disco_sim_create(&run->sim, &chatter, &run->topo, cfg,
                                      &err), 0);
    struct disco_observer obs = {.self = rec, .on_event = record};
    assert_int_equal(disco_sim_observe(run->sim, &obs, &err), 0);
    assert_int_equal(disco_sim_run(run->sim, &err), 0);
    run->metrics = disco_sim_metrics(run->sim);
}

static void test_crashed_node_receives_nothing(void **unused)
{
    struct disco_config cfg;
    config(&cfg, TIMED, 200, 5);
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@50", 2, &err), 0);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_RECOVER, "1@120", 2, &err), 0);
    struct recorder *rec = calloc(1, sizeof *rec);
    struct sim_run run;
    run_recorded(&run, &cfg, "line:2", rec);
    size_t before = 0, after = 0, drops = 0;
    for (size_t i = 0; i < rec->count; i++) {
        const struct disco_event_view *ev = &rec->events[i];
        if (ev->type == DISCO_EV_RECV && ev->node == 1) {
            assert_false(ev->time >= 50 && ev->time < 120);
            if (ev->time < 50)
                before++;
            else
                after++;
        }
        drops += ev->type == DISCO_EV_DROP;
    }
    /* It received before the crash, after the recovery, and the messages
     * that arrived in between were dropped: all 200 accounted for. */
    assert_true(before > 0 && after > 0);
    assert_true(drops > 0);
    assert_int_equal(before + after + drops, 200);
    assert_int_equal(run.metrics->dropped, drops);
    sim_run_release(&run);
    disco_config_release(&cfg);
    free(rec);
}

static void test_cut_link_carries_nothing_while_down(void **unused)
{
    struct disco_config cfg;
    config(&cfg, TIMED, 200, 6);
    cfg.delay = (struct disco_delay){.kind = DISCO_DELAY_UNIFORM, .a = 1,
                                     .b = 20};
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_LINK_DOWN, "0-1@30:90", 2, &err),
        0);
    struct recorder *rec = calloc(1, sizeof *rec);
    struct sim_run run;
    run_recorded(&run, &cfg, "line:2", rec);
    size_t received = 0, drops = 0, downs = 0, ups = 0;
    for (size_t i = 0; i < rec->count; i++) {
        const struct disco_event_view *ev = &rec->events[i];
        if (ev->type == DISCO_EV_RECV) {
            received++;
            assert_false(ev->time >= 30 && ev->time < 90);
            disco_time_t sent = rec->sent_at[ev->msg];
            assert_false(sent >= 30 && sent < 90);
        }
        drops += ev->type == DISCO_EV_DROP;
        downs += ev->type == DISCO_EV_LINK_DOWN;
        ups += ev->type == DISCO_EV_LINK_UP;
    }
    assert_int_equal(downs, 1);
    assert_int_equal(ups, 1);
    assert_true(drops >= 60); /* one message a tick while down */
    assert_int_equal(received + drops, 200);
    sim_run_release(&run);
    disco_config_release(&cfg);
    free(rec);
}

/* Run chatter, renamed `name`, with `init` in place of its own on line:2,
 * and expect the run to stop with DISCO_EINVAL and `message`. */
static void expect_run_error(const char *name,
                             void (*init)(struct disco_ctx *, void *),
                             const char *message)
{
    struct disco_algorithm bad = chatter;
    bad.name = name;
    bad.init = init;
    struct disco_config cfg;
    config(&cfg, BURST, 1, 1);
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, "line:2", 1, &err), 0);
    struct disco_sim *sim;
    assert_int_equal(disco_sim_create(&sim, &bad, &topo, &cfg, &err), 0);
    assert_int_equal(disco_sim_run(sim, &err), DISCO_EINVAL);
    assert_string_equal(err.message, message);
    disco_sim_free(sim);
    disco_topology_release(&topo);
    disco_config_release(&cfg);
}

static void bad_port_init(struct disco_ctx *ctx, void *state)
{
    disco_send(ctx, 5, 0, NULL, 0);
}

static void test_bad_port_is_an_error_not_a_crash(void **unused)
{
    /* An algorithm sending on a port it does not have stops the run with
     * an error that names the algorithm, the node and the port. */
    expect_run_error("bad-port", bad_port_init,
                     "bad-port: node 0 sent on port 5 but has 1 out-port");
}

static void bad_kind_init(struct disco_ctx *ctx, void *state)
{
    disco_send(ctx, 0, 1, NULL, 0);
}

static void test_bad_kind_is_an_error_not_a_crash(void **unused)
{
    /* A kind beyond the module's kind_count (a count or an enum out of
     * step with the kinds' names) stops the run the same way. */
    assert_int_equal(chatter.kind_count, 1);
    expect_run_error("bad-kind", bad_kind_init,
                     "bad-kind: node 0 sent message kind 1, but the "
                     "algorithm declares 1 message kind (kind_count)");
}

static void test_time_past_two_to_the_63_is_an_error(void **unused)
{
    /* Delays of 2^62 ticks each are allowed, but echo's tokens chain them
     * (2^62, 2^63, then past 2^63): the run stops with an error naming
     * the limit, where simulated time used to wrap round to 0 and the run
     * reported time 0.  A chain that stays below the limit runs. */
    for (int longer = 0; longer <= 1; longer++) {
        struct disco_config cfg;
        sim_config(&cfg, &disco_alg_echo, 1,
                   longer ? "const:4611686018427387904"
                          : "const:1000000000000000000");
        struct disco_error err;
        struct disco_topology topo;
        assert_int_equal(disco_topology_generate(&topo, "ring:4", 1, &err), 0);
        struct disco_sim *sim;
        assert_int_equal(disco_sim_create(&sim, &disco_alg_echo, &topo, &cfg,
                                          &err),
                         0);
        int rc = disco_sim_run(sim, &err);
        if (longer) {
            assert_int_equal(rc, DISCO_ELIMIT);
            assert_string_equal(
                err.message,
                "simulated time would pass 2^63 ticks (an event at tick "
                "4611686018427387904, delays of up to 4611686018427387904 "
                "ticks): the delays or timers are too long for this run");
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(disco_sim_metrics(sim)->time,
                             4000000000000000000ull);
        }
        disco_sim_free(sim);
        disco_topology_release(&topo);
        disco_config_release(&cfg);
    }
}

/* ---- timers and the end of a run ---- */

static void alarm_init(struct disco_ctx *ctx, void *state)
{
    if (disco_self(ctx) == 0)
        disco_set_timer(ctx, 3, 7);
}

static void alarm_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    disco_decide(ctx, (int64_t)tag);
}

static const struct disco_algorithm alarm = {
    .name = "alarm",
    .family = "test",
    .summary = "one timer",
    .model = {.timing = DISCO_ASYNC | DISCO_SYNC},
    .message_kinds = chatter_kinds,
    .kind_count = 1,
    .state_size = 8,
    .init = alarm_init,
    .on_message = chatter_on_message,
    .on_timer = alarm_on_timer,
};

static void test_timer_fires_in_rounds_and_ticks(void **unused)
{
    /* A pending timer keeps either kind of run going until it fires. */
    for (int sync = 0; sync <= 1; sync++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &alarm);
        cfg.sync = sync;
        struct sim_run run;
        sim_run(&run, &alarm, "line:2", 1, &cfg);
        const struct disco_view *view = disco_sim_view(run.sim);
        assert_int_equal(disco_view_decision_count(view), 1);
        assert_int_equal(disco_view_decision(view, 0)->time, 3);
        assert_int_equal(disco_view_decision(view, 0)->value, 7);
        assert_int_equal(run.metrics->time, 3);
        assert_int_equal(run.metrics->rounds, sync ? 3 : 0);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

static void test_late_fault_does_not_prolong_the_run(void **unused)
{
    /* The computation is over at t=3; a crash scheduled at 10^6 could
     * change nothing, so the run ends at 3, quiescent. */
    struct disco_config cfg;
    disco_config_init(&cfg, &alarm);
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@1000000", 2, &err), 0);
    struct sim_run run;
    sim_run(&run, &alarm, "line:2", 1, &cfg);
    assert_int_equal(run.metrics->time, 3);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void restless_init(struct disco_ctx *ctx, void *state)
{
    disco_set_passive(ctx, false); /* active forever, silent forever */
}

static void restless_on_round(struct disco_ctx *ctx, void *state,
                              disco_time_t round)
{
}

static void test_silent_active_rounds_are_bounded(void **unused)
{
    /* Each node's step is an event, so --max-events ends such a run. */
    struct disco_algorithm restless = alarm;
    restless.name = "restless";
    restless.model.timing = DISCO_SYNC;
    restless.init = restless_init;
    restless.on_round = restless_on_round;
    struct disco_config cfg;
    disco_config_init(&cfg, &restless);
    cfg.sync = true;
    cfg.max_events = 100;
    struct sim_run run;
    sim_run(&run, &restless, "ring:5", 1, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_MAX_EVENTS);
    /* 5 inits, then 19 rounds of 5 steps: the bound hits in round 20. */
    assert_int_equal(run.metrics->events, 100);
    assert_int_equal(run.metrics->rounds, 20);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void phoenix_on_recover(struct disco_ctx *ctx, void *state)
{
    disco_decide(ctx, 42);
}

static void test_on_recover_runs_once_per_recovery(void **unused)
{
    /* Node 1 crashes at 2 and recovers at 3, when node 0's alarm also
     * fires (faults scheduled at the start come first at equal times):
     * on_recover runs then, and not for "recovering" node 0, which never
     * crashed. */
    struct disco_algorithm phoenix = alarm;
    phoenix.name = "phoenix";
    phoenix.on_recover = phoenix_on_recover;
    struct disco_config cfg;
    disco_config_init(&cfg, &phoenix);
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@2", 2, &err), 0);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_RECOVER, "1@3,0@1", 2, &err), 0);
    struct sim_run run;
    sim_run(&run, &phoenix, "line:2", 1, &cfg);
    const struct disco_view *view = disco_sim_view(run.sim);
    assert_int_equal(disco_view_decision_count(view), 2);
    assert_int_equal(disco_view_decision(view, 0)->node, 1);
    assert_int_equal(disco_view_decision(view, 0)->value, 42);
    assert_int_equal(disco_view_decision(view, 0)->time, 3);
    assert_int_equal(disco_view_decision(view, 1)->node, 0);
    assert_int_equal(disco_view_decision(view, 1)->value, 7);
    assert_false(disco_view_crashed(view, 1));
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_late_recovery_wakes_on_recover(void **unused)
{
    /* The computation is quiet at t=3, but node 1 recovers at t=500: with
     * an on_recover callback that is work, so the run goes on to it; the
     * plain alarm (no callback) still ends at 3 (see the late-fault test). */
    struct disco_algorithm phoenix = alarm;
    phoenix.name = "phoenix";
    phoenix.on_recover = phoenix_on_recover;
    struct disco_config cfg;
    disco_config_init(&cfg, &phoenix);
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@2", 2, &err), 0);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_RECOVER, "1@500", 2, &err), 0);
    struct sim_run run;
    sim_run(&run, &phoenix, "line:2", 1, &cfg);
    const struct disco_view *view = disco_sim_view(run.sim);
    assert_int_equal(run.metrics->time, 500);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(disco_view_decision_count(view), 2);
    assert_int_equal(disco_view_decision(view, 1)->value, 42);
    assert_int_equal(disco_view_decision(view, 1)->time, 500);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_holds_when_on),
        cmocka_unit_test(test_fifo_broken_when_off),
        cmocka_unit_test(test_fifo_holds_in_16_bits),
        cmocka_unit_test(test_fifo_width_16_bits_from_2_20_channels),
        cmocka_unit_test(test_fifo_width_32_bits_below_either_bound),
        cmocka_unit_test(test_fifo_width_64_bits_past_2_31),
        cmocka_unit_test(test_fifo_width_0_without_clocks),
        cmocka_unit_test(test_fifo_width_on_for_one_channel),
        cmocka_unit_test(test_fifo_16_bits_after_idle_gap),
        cmocka_unit_test(test_fifo_32_bits_after_idle_gap),
        cmocka_unit_test(test_fifo_16_bits_rebase_keeps_pending_arrival),
        cmocka_unit_test(test_fifo_32_bits_rebase_keeps_pending_arrival),
        cmocka_unit_test(test_loss_rate_within_three_sigma),
        cmocka_unit_test(test_dup_rate_within_three_sigma),
        cmocka_unit_test(test_zero_probabilities_draw_nothing),
        cmocka_unit_test(test_crashed_node_receives_nothing),
        cmocka_unit_test(test_cut_link_carries_nothing_while_down),
        cmocka_unit_test(test_bad_port_is_an_error_not_a_crash),
        cmocka_unit_test(test_bad_kind_is_an_error_not_a_crash),
        cmocka_unit_test(test_time_past_two_to_the_63_is_an_error),
        cmocka_unit_test(test_timer_fires_in_rounds_and_ticks),
        cmocka_unit_test(test_late_fault_does_not_prolong_the_run),
        cmocka_unit_test(test_silent_active_rounds_are_bounded),
        cmocka_unit_test(test_on_recover_runs_once_per_recovery),
        cmocka_unit_test(test_late_recovery_wakes_on_recover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
