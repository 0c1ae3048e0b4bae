/*
 * test_broadcast.c - disco_send_all and disco_send_all_except make exactly
 * the execution that disco_send on each port in turn makes: same arrival
 * times, same random draws, same message numbers and causal log, under
 * every delay law, with FIFO clocks of each width and without FIFO, with
 * and without payload, and when the causal log gives up in the middle of
 * a broadcast.  (In a plain run the kernel sends a broadcast as one batch,
 * with what its copies share read once: these runs hold it to the
 * one-by-one sends it must equal.)
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

/* ---- a test-only algorithm: rumours, forwarded a few times ---- */

enum { HOW_EACH, HOW_ALL, HOW_EACH_EXCEPT, HOW_ALL_EXCEPT }; /* "how" */
enum { P_HOW, P_LEN, P_FORWARDS };

struct rumour_state {
    uint64_t digest; /* of every reception: time, port, kind, bytes */
    uint32_t received;
    uint32_t forwarded;    /* broadcasts made */
    disco_time_t first_at; /* the first reception's time */
};

/* FNV-1a over a reception, so that any difference in what arrived, when
 * or where, shows in the state. */
static uint64_t mix(uint64_t h, const void *bytes, size_t len)
{
    const unsigned char *p = bytes;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void broadcast(struct disco_ctx *ctx, struct rumour_state *s,
                      uint32_t except)
{
    unsigned char payload[16];
    size_t len = (size_t)disco_param(ctx, P_LEN);
    for (size_t i = 0; i < len; i++)
        payload[i] = (unsigned char)(disco_self(ctx) * 31u + s->forwarded + i);
    unsigned kind = s->forwarded % 2;
    switch (disco_param(ctx, P_HOW)) {
    case HOW_EACH:
        for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
            disco_send(ctx, port, kind, payload, len);
        break;
    case HOW_ALL:
        disco_send_all(ctx, kind, payload, len);
        break;
    case HOW_EACH_EXCEPT:
        for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
            if (port != except)
                disco_send(ctx, port, kind, payload, len);
        break;
    case HOW_ALL_EXCEPT:
        disco_send_all_except(ctx, except, kind, payload, len);
        break;
    }
    s->forwarded++;
}

static void rumour_init(struct disco_ctx *ctx, void *state)
{
    struct rumour_state *s = state;
    s->digest = 0xcbf29ce484222325ull;
    if (disco_is_initiator(ctx))
        broadcast(ctx, s, UINT32_MAX);
}

static void rumour_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                              unsigned kind, const void *payload, size_t len)
{
    struct rumour_state *s = state;
    disco_time_t now = disco_now(ctx);
    if (s->received++ == 0)
        s->first_at = now;
    s->digest = mix(s->digest, &now, sizeof now);
    s->digest = mix(s->digest, &port, sizeof port);
    s->digest = mix(s->digest, &kind, sizeof kind);
    s->digest = mix(s->digest, payload, len);
    if (s->forwarded < (uint32_t)disco_param(ctx, P_FORWARDS))
        broadcast(ctx, s, port);
    if (s->received == 1)
        disco_decide(ctx, (int64_t)now);
}

/* Writes how far back the first and the last decisions reach, and when
 * the run fell quiet, so that two runs' causal logs and quiescence (odd
 * rumours are control messages) can be compared through their details. */
static bool check_causal_reach(const struct disco_view *view, char *detail,
                               size_t len)
{
    uint32_t nodes = disco_view_nodes(view);
    size_t decisions = disco_view_decision_count(view);
    unsigned char *in_past = calloc(nodes, 1);
    size_t reach[2] = {0, 0};
    for (int which = 0; which < 2 && decisions; which++) {
        size_t index = which ? decisions - 1 : 0;
        if (disco_view_causal_past(view, index, in_past) != 0) {
            free(in_past);
            snprintf(detail, len, "no causal log");
            return true;
        }
        for (uint32_t v = 0; v < nodes; v++)
            reach[which] += in_past[v];
    }
    free(in_past);
    disco_time_t since, first;
    disco_view_quiescence(view, &since, &first);
    snprintf(detail, len,
             "%zu decisions, reaching %zu and %zu nodes; quiet from %llu, "
             "first at %llu",
             decisions, reach[0], reach[1], (unsigned long long)since,
             (unsigned long long)first);
    return true;
}

static const char *const rumour_kinds[] = {"even", "odd"};
static const struct disco_param rumour_params[] = {
    {"how", HOW_EACH, 0, 3,
     "0: disco_send on each port, 1: disco_send_all, "
     "2 and 3: the same but the arrival port"},
    {"len", 4, 0, 16, "payload bytes"},
    {"forwards", 2, 1, 100, "broadcasts per node"},
};
static const struct disco_property rumour_properties[] = {
    {"causal_reach", "how far back the decisions reach (always holds)",
     DISCO_PROPERTY_TRACE, check_causal_reach, false},
};

static const struct disco_algorithm rumour = {
    .name = "rumour",
    .family = "test",
    .summary = "rumours forwarded a few times, for testing broadcasts",
    .model = {.timing = DISCO_ASYNC, .initiators = "0"},
    .params = rumour_params,
    .param_count = 3,
    .message_kinds = rumour_kinds,
    .kind_count = 2,
    .control_kinds = 1u << 1,
    .state_size = sizeof(struct rumour_state),
    .init = rumour_init,
    .on_message = rumour_on_message,
    .properties = rumour_properties,
    .property_count = 1,
};

/* ---- one execution against the other ---- */

struct setting {
    const char *topology;
    const char *delay;
    bool fifo;
    int64_t len, forwards;
    uint64_t causal_log_limit; /* 0: the default */
    unsigned fifo_bits;        /* the clocks the kernel must choose */
    const char *delay_change;  /* LAW@T, or NULL */
    const char *crash;         /* --crash NODE@T[+K] on `nodes`, or NULL */
    uint32_t nodes;
    disco_time_t min_time; /* the run must last longer than this */
};

/* Run `set` with `how` and `seed` (also the topology's), on `cfg`, which
 * the caller releases after the run. */
static void run_rumour(struct sim_run *run, struct disco_config *cfg,
                       const struct setting *set, int how, uint64_t seed)
{
    struct disco_error err = {0};
    sim_config(cfg, &rumour, seed, set->delay);
    cfg->params[P_HOW] = how;
    cfg->params[P_LEN] = set->len;
    cfg->params[P_FORWARDS] = set->forwards;
    cfg->fifo = set->fifo;
    if (set->causal_log_limit)
        cfg->causal_log_limit = set->causal_log_limit;
    if (set->delay_change)
        assert_ok(disco_delay_change_parse(cfg, set->delay_change, &err), &err);
    if (set->crash)
        assert_ok(disco_faults_parse(cfg, DISCO_FAULT_CRASH, set->crash,
                                     set->nodes, &err),
                  &err);
    sim_run(run, &rumour, set->topology, seed, cfg);
}

static void assert_same_execution(const struct sim_run *a,
                                  const struct sim_run *b)
{
    assert_int_equal(a->metrics->time, b->metrics->time);
    assert_int_equal(a->metrics->events, b->metrics->events);
    assert_int_equal(a->metrics->messages, b->metrics->messages);
    assert_int_equal(a->metrics->by_kind[0], b->metrics->by_kind[0]);
    assert_int_equal(a->metrics->by_kind[1], b->metrics->by_kind[1]);
    assert_int_equal(a->metrics->causal_depth, b->metrics->causal_depth);
    assert_int_equal(a->metrics->delivered, b->metrics->delivered);
    assert_int_equal(a->unchecked, b->unchecked);
    assert_string_equal(a->results[0].detail, b->results[0].detail);
    const struct disco_view *va = disco_sim_view(a->sim);
    const struct disco_view *vb = disco_sim_view(b->sim);
    for (uint32_t v = 0; v < a->topo.nodes; v++)
        assert_memory_equal(disco_view_state(va, v), disco_view_state(vb, v),
                            sizeof(struct rumour_state));
}

/* Runs `set` one by one (`how`: HOW_EACH or HOW_EACH_EXCEPT) and batched
 * (how + 1) and compares.  Returns the messages of the batched run. */
static uint64_t compare_pair(const struct setting *set, uint64_t seed, int how)
{
    struct disco_config one_by_one, batched;
    struct sim_run a, b;
    run_rumour(&a, &one_by_one, set, how, seed);
    run_rumour(&b, &batched, set, how + 1, seed);
    /* The batch is open to this run (else both sides would send one by
     * one and agree trivially). */
    assert_true(b.sim->plain_send && !b.sim->sync && !b.sim->chan_law &&
                !b.sim->chan_fifo);
    assert_int_equal(b.sim->fifo_bits, set->fifo_bits);
    assert_true(a.metrics->messages > a.topo.nodes);
    assert_true(b.metrics->time > set->min_time);
    /* A capped log gives up in both runs. */
    assert_int_equal(b.unchecked, set->causal_log_limit ? 1 : 0);
    assert_same_execution(&a, &b);
    uint64_t messages = b.metrics->messages;
    sim_run_release(&a);
    sim_run_release(&b);
    disco_config_release(&one_by_one);
    disco_config_release(&batched);
    return messages;
}

/* Both pairs: HOW_ALL with HOW_EACH, HOW_ALL_EXCEPT with HOW_EACH_EXCEPT.
 * Returns the messages of the last run. */
static uint64_t compare(const struct setting *set, uint64_t seed)
{
    compare_pair(set, seed, HOW_EACH);
    return compare_pair(set, seed, HOW_EACH_EXCEPT);
}

static void test_every_law_with_32_bit_clocks(void **unused)
{
    /* A constant delay keeps FIFO order by itself: no clocks. */
    static const struct {
        const char *law;
        unsigned fifo_bits;
    } laws[] = {{"const:3", 0},
                {"uniform:1:100", 32},
                {"exp:20", 32},
                {"uniform:5:6", 32}};
    for (size_t i = 0; i < sizeof laws / sizeof *laws; i++)
        for (uint64_t seed = 1; seed <= 5; seed++) {
            struct setting set = {.topology = "gnp:80:0.1",
                                  .delay = laws[i].law,
                                  .fifo = true,
                                  .len = 4,
                                  .forwards = 3,
                                  .fifo_bits = laws[i].fifo_bits};
            compare(&set, seed);
        }
}

static void test_without_fifo(void **unused)
{
    for (uint64_t seed = 1; seed <= 5; seed++) {
        struct setting set = {.topology = "torus:8x8",
                              .delay = "uniform:1:50",
                              .fifo = false,
                              .len = 4,
                              .forwards = 3};
        compare(&set, seed);
    }
}

/* Tokens (no payload) and full 16-byte payloads. */
static void test_payload_sizes(void **unused)
{
    for (int64_t len = 0; len <= 16; len += 16)
        for (uint64_t seed = 1; seed <= 5; seed++) {
            struct setting set = {.topology = "hypercube:6",
                                  .delay = "uniform:1:100",
                                  .fifo = true,
                                  .len = len,
                                  .forwards = 2,
                                  .fifo_bits = 32};
            compare(&set, seed);
        }
}

/* 2^20 channels: 16-bit clocks, with a delay law long enough that sends
 * meet rebases.  Each node forwards twice, on all ports but the arrival
 * one, so that each channel's clock is read: 4 + 3 messages from the
 * initiator (its first broadcast has no arrival port), 3 + 3 from each
 * other node.  The except pair alone: disco_send_all is
 * disco_send_all_except with no port excepted, which the initiator's
 * first broadcast already is, so the other pair would take the same
 * paths through the 16-bit clocks and double the test's time (four runs
 * of 1.5 million messages were most of it under AddressSanitizer); the
 * smaller settings keep both pairs. */
static void test_16_bit_clocks(void **unused)
{
    struct setting torus = {.min_time = 1u << 15,
                            .topology = "torus:512x512",
                            .delay = "uniform:1:30000",
                            .fifo = true,
                            .len = 0,
                            .forwards = 2,
                            .fifo_bits = 16};
    assert_int_equal(compare_pair(&torus, 2, HOW_EACH_EXCEPT),
                     7 + 6 * (262144 - 1));
}

/* A run far longer than 2^32 ticks with 32-bit clocks rebases them: the
 * rumours go round a ring of 40 in hops of up to 2 * 10^9 ticks. */
static void test_32_bit_clocks_rebased(void **unused)
{
    struct setting set = {.topology = "ring:40",
                          .delay = "uniform:1:2000000000",
                          .fifo = true,
                          .len = 4,
                          .forwards = 3,
                          .fifo_bits = 32};
    struct disco_config cfg;
    struct sim_run run;
    run_rumour(&run, &cfg, &set, HOW_ALL, 1);
    assert_true(run.metrics->time > (disco_time_t)1 << 34);
    sim_run_release(&run);
    disco_config_release(&cfg);
    for (uint64_t seed = 1; seed <= 3; seed++)
        compare(&set, seed);
}

/* The delay law changes while rumours spread (--delay-change). */
static void test_delay_change(void **unused)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct setting set = {.topology = "gnp:60:0.1",
                              .delay = "uniform:1:100",
                              .fifo = true,
                              .len = 4,
                              .forwards = 3,
                              .fifo_bits = 32,
                              .delay_change = "const:2@40"};
        compare(&set, seed);
    }
}

/* A node crashing in the middle of its broadcast (--crash NODE@T+K) sends
 * only its first K copies: a broadcast from a crashing node is no batch. */
static void test_crash_mid_broadcast(void **unused)
{
    static const char *const crashes[] = {"3@0+2", "5@4+1,7@0+5", "0@0+4"};
    for (size_t i = 0; i < sizeof crashes / sizeof *crashes; i++) {
        struct setting set = {.topology = "complete:12",
                              .delay = "uniform:1:30",
                              .fifo = true,
                              .len = 4,
                              .forwards = 2,
                              .fifo_bits = 32,
                              .crash = crashes[i],
                              .nodes = 12};
        compare(&set, 3);
    }
}

/* Delays beyond 2^31 ticks: 64-bit clocks. */
static void test_64_bit_clocks(void **unused)
{
    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct setting set = {.topology = "complete:12",
                              .delay = "uniform:1:4294967296",
                              .fifo = true,
                              .len = 4,
                              .forwards = 2,
                              .fifo_bits = 64};
        compare(&set, seed);
    }
}

/* A causal log capped below the run's messages gives up in the middle of
 * some broadcast: the copies before the cap carry their log positions, the
 * ones after it do not, and both runs report the log as not kept. */
static void test_log_gives_up_mid_broadcast(void **unused)
{
    /* On complete:10 every broadcast has 8 or 9 copies, and the cap counts
     * messages: caps of 37 to 41 fall inside broadcasts, at different
     * copies. */
    for (uint64_t limit = 37; limit <= 41; limit++) {
        struct setting set = {.topology = "complete:10",
                              .delay = "uniform:1:20",
                              .fifo = true,
                              .len = 0,
                              .forwards = 2,
                              .causal_log_limit = limit,
                              .fifo_bits = 32};
        compare(&set, 7);
    }
    /* ...and a log that keeps everything answers: the first node reached
     * heard from node 0 alone (2 nodes); on this seed the last one was
     * reached through one other node (3).  Nodes stay passive, so the
     * run falls quiet at its last delivery of an even rumour (28); the odd
     * ones, control messages, go on until 30. */
    struct setting whole = {.topology = "complete:10",
                            .delay = "uniform:1:20",
                            .fifo = true,
                            .len = 0,
                            .forwards = 2,
                            .fifo_bits = 32};
    struct disco_config cfg;
    struct sim_run run;
    run_rumour(&run, &cfg, &whole, HOW_ALL_EXCEPT, 7);
    assert_int_equal(run.unchecked, 0);
    assert_int_equal(run.metrics->time, 30);
    assert_string_equal(run.results[0].detail,
                        "10 decisions, reaching 2 and 3 nodes; quiet from 28, "
                        "first at 28");
    sim_run_release(&run);
    disco_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_law_with_32_bit_clocks),
        cmocka_unit_test(test_without_fifo),
        cmocka_unit_test(test_payload_sizes),
        cmocka_unit_test(test_16_bit_clocks),
        cmocka_unit_test(test_32_bit_clocks_rebased),
        cmocka_unit_test(test_delay_change),
        cmocka_unit_test(test_crash_mid_broadcast),
        cmocka_unit_test(test_64_bit_clocks),
        cmocka_unit_test(test_log_gives_up_mid_broadcast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
