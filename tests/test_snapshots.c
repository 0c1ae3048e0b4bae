/*
 * test_snapshots.c - global snapshots: chandy-lamport (FIFO) and lai-yang
 * (non-FIFO) over the money-transfer application.  The worked case of the
 * reference (3 accounts 100/200/300, all linked: 6 markers, recorded total
 * 600), every property on 100 seeds of several topologies, the ground
 * truth cross-checked from the states here, and the broken model:
 * chandy-lamport without FIFO is caught on some seed among the first
 * 1,000, while the same seed with FIFO (and lai-yang without) is clean.
 * The same on one-way channels: directed rings uring:N (N markers, total
 * 100 N) and scenarios/snapshot-digraph.dot (5 accounts 100..500, 8
 * channels none of which has its reverse: 8 markers, total 1500).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scenario.h"
#include "snapshot.h"
#include "support.h"

extern const struct disco_algorithm disco_alg_chandy_lamport;
extern const struct disco_algorithm disco_alg_lai_yang;

#define CL (&disco_alg_chandy_lamport)
#define LY (&disco_alg_lai_yang)

static void config(struct disco_config *cfg, const struct disco_algorithm *alg,
                   uint64_t seed, bool fifo)
{
    disco_config_init(cfg, alg);
    cfg->seed = seed;
    cfg->fifo = fifo;
    cfg->max_events = 10000000; /* a safety net: every run here ends sooner */
}

static const struct snap_state *state(const struct sim_run *run, uint32_t v)
{
    return disco_view_state(disco_sim_view(run->sim), v);
}

/* The two halves of each channel's truth meet, read here without the
 * oracles: the run ended with nothing in transit, so what u sent on
 * out-port p before recording is exactly what its receiver v filed on
 * in-port disco_view_in_port(u, p) as sent before (received before or
 * after v recorded), and every message sent was delivered (nothing is
 * lost).  Each in-channel of every node got exactly one marker, in-ports
 * counting in-degree of them (the sum of which is |C|). */
static void cross_check_channels(const struct sim_run *run)
{
    const struct disco_view *view = disco_sim_view(run->sim);
    assert_int_equal(run->metrics->delivered, run->metrics->messages);
    uint64_t sent = 0, received = 0, in_channels = 0;
    for (uint32_t u = 0; u < disco_view_nodes(view); u++) {
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            const struct snap_out_channel *out =
                disco_view_port_state(view, u, p);
            uint32_t v = disco_view_neighbour(view, u, p);
            const struct snap_in_channel *in = disco_view_in_port_state(
                view, v, disco_view_in_port(view, u, p));
            assert_int_equal(out->sent_before,
                             in->recv_before + in->recv_cross);
            assert_int_equal(out->sent_before_sum,
                             in->recv_before_sum + in->recv_cross_sum);
            sent += out->sent;
        }
        for (uint32_t q = 0; q < disco_view_in_degree(view, u); q++) {
            const struct snap_in_channel *in =
                disco_view_in_port_state(view, u, q);
            assert_int_equal(in->markers, 1);
            assert_true(in->closed);
            received += in->recv_before + in->recv_cross + in->orphans;
            in_channels++;
        }
    }
    assert_int_equal(in_channels, disco_view_channels(view));
    assert_int_equal(sent, disco_view_messages(view, SNAP_TRANSFER));
    /* Sent after and received after is filed nowhere: only bound it. */
    assert_true(received <= sent);
}

/* What the tests check beyond the properties, from the states: money is
 * conserved and never overdrawn, every process decided its share once and
 * the shares add up to the initial total, the initiator recorded at
 * `start`, and kind 1 (markers, control messages) is exactly |C|. */
static int64_t cross_check(const struct sim_run *run, uint32_t nodes,
                           int64_t start)
{
    const struct disco_view *view = disco_sim_view(run->sim);
    assert_int_equal(run->metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run->metrics->by_kind[SNAP_MARKER],
                     disco_view_channels(view));
    int64_t initial = 0, final = 0, shares = 0;
    for (uint32_t v = 0; v < nodes; v++) {
        const struct snap_state *s = state(run, v);
        assert_true(s->balance >= 0);
        assert_true(s->recorded_balance >= 0);
        initial += s->initial;
        final += s->balance;
        if (disco_view_initiator(view, v))
            assert_int_equal(s->record_tick, start);
        else
            assert_true(s->record_tick >= (disco_time_t)start);
    }
    assert_int_equal(final, initial);
    assert_int_equal(disco_view_decision_count(view), nodes);
    for (size_t i = 0; i < nodes; i++)
        shares += disco_view_decision(view, i)->value;
    assert_int_equal(shares, initial);
    cross_check_channels(run);
    /* And the result says so. */
    char result[DISCO_RESULT_TEXT], want[96];
    disco_sim_result(run->sim, result, sizeof result);
    snprintf(want, sizeof want,
             "\"initial_total\": %lld, \"recorded_total\": %lld",
             (long long)initial, (long long)initial);
    assert_non_null(strstr(result, want));
    return initial;
}

/* ---- the worked case ---- */

/* scenarios/`file` on `seed`: its parameters, its balances; messages
 * lost with probability `loss`. */
static void scenario_lossy(struct sim_run *run, struct disco_scenario *sc,
                           const char *file, const struct disco_algorithm *alg,
                           uint64_t seed, bool fifo, double loss)
{
    struct disco_error err;
    if (disco_scenario_load(sc, env_path("DISCO_SCENARIOS", file), &err))
        fail_msg("%s", err.message);
    struct disco_config cfg;
    config(&cfg, alg, seed, fifo);
    /* The file's delay, as disco run takes it (disco_scenario_apply
     * leaves it to the caller). */
    const char *delay = disco_scenario_option(sc, "delay");
    assert_non_null(delay);
    assert_ok(disco_delay_parse(&cfg.delay, delay, &err), &err);
    cfg.loss = loss;
    sim_config_scenario_params(&cfg, alg, sc);
    assert_int_equal(disco_scenario_apply(sc, &cfg, &err), 0);
    memset(run, 0, sizeof *run);
    sim_run_on(run, alg, &sc->topo, &cfg);
    run->topo.spec[0] = '\0';
    disco_config_release(&cfg);
}

static void scenario(struct sim_run *run, struct disco_scenario *sc,
                     const char *file, const struct disco_algorithm *alg,
                     uint64_t seed, bool fifo)
{
    scenario_lossy(run, sc, file, alg, seed, fifo, 0);
}

/* scenarios/`file`, on 100 seeds: every property, `markers` markers
 * (|C|), accounts holding 100 (v + 1) for v < `nodes` whose recorded total
 * is the initial one, and channel states that matter (more than 100
 * transfers recorded in transit over the seeds: the snapshot is taken
 * while money moves).  `shape`, if not NULL, asserts on each run that the
 * graph is the one the scenario's comment draws. */
static void scenario_case(const char *file, const struct disco_algorithm *alg,
                          bool fifo, uint32_t nodes, uint64_t markers,
                          void (*shape)(const struct disco_view *))
{
    int64_t total = 100 * (int64_t)nodes * (nodes + 1) / 2;
    uint64_t in_transit = 0;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_scenario sc;
        struct sim_run run;
        scenario(&run, &sc, file, alg, seed, fifo);
        const struct disco_view *view = disco_sim_view(run.sim);
        if (shape)
            shape(view);
        assert_int_equal(run.unchecked, 0);
        assert_all_hold(&run);
        assert_int_equal(run.metrics->by_kind[SNAP_MARKER], markers);
        assert_int_equal(cross_check(&run, nodes, 100), total);
        for (uint32_t v = 0; v < nodes; v++)
            assert_int_equal(state(&run, v)->initial, 100 * (v + 1));
        for (uint32_t v = 0; v < nodes; v++)
            for (uint32_t q = 0; q < disco_view_in_degree(view, v); q++)
                in_transit += ((const struct snap_in_channel *)
                                   disco_view_in_port_state(view, v, q))
                                  ->rec_count;
        disco_sim_free(run.sim);
        disco_scenario_release(&sc);
    }
    assert_true(in_transit > 100);
}

/* scenarios/snapshot-bank.dot: 3 accounts, all linked (6 channels). */
static void worked_case(const struct disco_algorithm *alg, bool fifo)
{
    scenario_case("snapshot-bank.dot", alg, fifo, 3, 6, NULL);
}

static void test_worked_case_chandy_lamport(void **unused)
{
    worked_case(CL, true);
}

static void test_worked_case_lai_yang(void **unused)
{
    worked_case(LY, false);
    worked_case(LY, true);
}

/* ---- topologies ---- */

/* Undirected graphs, and directed rings: one in- and one out-channel per
 * process, the out-channel leading away from the in-channel's sender
 * (except for N = 2). */
static const char *const specs[] = {
    "ring:8", "grid:4x4", "complete:6", "gnp:12:0.3", "tree:15",
    "uring:2", "uring:3", "uring:5", "uring:8", "uring:13"};

static void topologies(const struct disco_algorithm *alg, bool fifo)
{
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        for (uint64_t seed = 1; seed <= 100; seed++) {
            struct disco_config cfg;
            config(&cfg, alg, seed, fifo);
            struct sim_run run;
            sim_run(&run, alg, specs[i], seed, &cfg);
            assert_int_equal(run.unchecked, 0);
            assert_all_hold(&run);
            uint32_t n = run.topo.nodes;
            assert_int_equal(cross_check(&run, n, 100), 100 * (int64_t)n);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
}

static void test_chandy_lamport_fifo(void **unused)
{
    topologies(CL, true);
}

static void test_lai_yang_no_fifo(void **unused)
{
    topologies(LY, false);
}

/* Parameters: the balance when the scenario gives none; a start at tick 0
 * (the initiator records before any transfer: its opening balance) and
 * one after the last transfer (nothing in transit: the channel states are
 * empty and every account records what it ends with). */
static void test_parameters(void **unused)
{
    const struct disco_algorithm *algs[] = {CL, LY};
    for (size_t a = 0; a < 2; a++)
        for (uint64_t seed = 1; seed <= 20; seed++) {
            bool early = seed % 2;
            struct disco_config cfg;
            config(&cfg, algs[a], seed, a == 0);
            cfg.params[SNAP_BALANCE] = 7;
            cfg.params[SNAP_START] = early ? 0 : 100000;
            struct sim_run run;
            sim_run(&run, algs[a], "complete:5", 1, &cfg);
            assert_all_hold(&run);
            assert_int_equal(cross_check(&run, 5, cfg.params[SNAP_START]),
                             35);
            assert_true(run.metrics->by_kind[SNAP_TRANSFER] > 0);
            if (early)
                assert_int_equal(state(&run, 0)->recorded_balance, 7);
            for (uint32_t v = 0; v < 5 && !early; v++) {
                const struct snap_state *s = state(&run, v);
                assert_int_equal(s->recorded_balance, s->balance);
                for (uint32_t q = 0; q < 4; q++)
                    assert_int_equal(((const struct snap_in_channel *)
                        disco_view_in_port_state(disco_sim_view(run.sim), v,
                                                 q))
                        ->rec_count, 0);
            }
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
}

/* Same seed, same options: the same result, byte for byte. */
static void test_deterministic(void **unused)
{
    char first[DISCO_RESULT_TEXT], second[DISCO_RESULT_TEXT];
    for (int round = 0; round < 2; round++) {
        struct disco_config cfg;
        config(&cfg, LY, 42, false);
        struct sim_run run;
        sim_run(&run, LY, "gnp:12:0.3", 42, &cfg);
        disco_sim_result(run.sim, round ? second : first, sizeof first);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    assert_string_equal(first, second);
}

/* ---- one-way channels ---- */

/* The digraph scenario as its comment draws it: one-way, lopsided. */
static void digraph_shape(const struct disco_view *view)
{
    assert_true(disco_view_directed(view));
    assert_int_equal(disco_view_channels(view), 8);
    assert_int_equal(disco_view_in_degree(view, 2), 3);
    assert_int_equal(disco_view_degree(view, 2), 1);
    assert_int_equal(disco_view_in_degree(view, 0), 1);
    assert_int_equal(disco_view_degree(view, 0), 2);
}

/* The digraph scenario on 100 seeds: every property, 8 markers (control
 * messages), recorded total 1500 = 100 + ... + 500. */
static void digraph_case(const struct disco_algorithm *alg, bool fifo)
{
    scenario_case("snapshot-digraph.dot", alg, fifo, 5, 8, digraph_shape);
}

static void test_digraph_chandy_lamport(void **unused)
{
    digraph_case(CL, true);
}

static void test_digraph_lai_yang(void **unused)
{
    digraph_case(LY, false);
    digraph_case(LY, true);
}

/* ---- the broken model ---- */

/* Chandy-lamport without FIFO on scenarios/`file`, seeds 1..1000 until
 * both are found: the first seed on which consistency, channel states or
 * the total fails (*caught), and the first with an orphan, a transfer
 * overtaking a marker (*orphan).  Markers and records stay right on every
 * seed: only the cut goes wrong.  `first`, if not NULL, sees the run of
 * each (`orphan` saying which).  Then both seeds are clean with FIFO, and
 * with lai-yang without it. */
static void no_fifo_search(const char *file, uint64_t *caught,
                           uint64_t *orphan,
                           void (*first)(const struct sim_run *, bool orphan))
{
    *caught = *orphan = 0;
    for (uint64_t seed = 1; seed <= 1000 && (!*caught || !*orphan); seed++) {
        struct disco_scenario sc;
        struct sim_run run;
        scenario(&run, &sc, file, CL, seed, false);
        bool broken = false;
        for (unsigned p = SNAP_CONSISTENT; p <= SNAP_TOTAL; p++)
            broken |= run.results[p].holds == DISCO_HOLDS_NO;
        assert_int_equal(run.results[SNAP_RECORDS_ONCE].holds,
                         DISCO_HOLDS_YES);
        assert_int_equal(run.results[SNAP_CONTROL].holds, DISCO_HOLDS_YES);
        if (broken && !*caught) {
            *caught = seed;
            if (first)
                first(&run, false);
        }
        if (run.results[SNAP_CONSISTENT].holds == DISCO_HOLDS_NO &&
            !*orphan) {
            *orphan = seed;
            if (first)
                first(&run, true);
        }
        disco_sim_free(run.sim);
        disco_scenario_release(&sc);
    }
    assert_true(*caught > 0);
    assert_true(*orphan > 0);
    const uint64_t seeds[] = {*caught, *orphan};
    for (size_t i = 0; i < 2; i++) {
        struct disco_scenario sc;
        struct sim_run run;
        scenario(&run, &sc, file, CL, seeds[i], true);
        assert_all_hold(&run);
        disco_sim_free(run.sim);
        disco_scenario_release(&sc);
        scenario(&run, &sc, file, LY, seeds[i], false);
        assert_all_hold(&run);
        disco_sim_free(run.sim);
        disco_scenario_release(&sc);
    }
}

/* On the bank, the scenario's comment promises seed 1. */
static void test_no_fifo_caught(void **unused)
{
    uint64_t caught, orphan;
    no_fifo_search("snapshot-bank.dot", &caught, &orphan, NULL);
    assert_int_equal(caught, 1);
}

/* What the digraph scenario's comment says of seeds 1 and 4. */
static void digraph_first_failures(const struct sim_run *run, bool orphan)
{
    if (orphan) {
        assert_string_equal(run->results[SNAP_CONSISTENT].detail,
                            "inconsistent cut: transfer #8 on 2->3 was "
                            "sent after 2 recorded and received before "
                            "3 recorded (2 such)");
        return;
    }
    assert_int_equal(run->results[SNAP_CHANNELS].holds, DISCO_HOLDS_NO);
    assert_string_equal(run->results[SNAP_CHANNELS].detail,
                        "channel 1->2 recorded 0 transfers (amount 0; "
                        "0 of them sent after the cut), but 6 crossed "
                        "the cut (amount 386)");
    assert_string_equal(run->results[SNAP_TOTAL].detail,
                        "recorded total 505, initial total 1500");
}

/* The same on one-way channels: chandy-lamport without FIFO on the digraph
 * scenario loses transfers on five channels on seed 1 (the first named,
 * p1 -> p2, records none of the 6 that crossed the cut; total 505) and
 * leaves an orphan on seed 4 (transfer #8 on p2 -> p3), as the scenario's
 * comment says. */
static void test_no_fifo_caught_on_digraph(void **unused)
{
    uint64_t caught, orphan;
    no_fifo_search("snapshot-digraph.dot", &caught, &orphan,
                   digraph_first_failures);
    assert_int_equal(caught, 1);
    assert_int_equal(orphan, 4);
}

/* A lost marker leaves its channel without one, and the check names the
 * channel by its sender and receiver: on the digraph, node 0's one
 * in-channel comes from p4 (not from p1 or p2, the ends of its own
 * out-channels). */
static void test_lost_marker_named_on_digraph(void **unused)
{
    struct disco_scenario sc;
    struct sim_run run;
    scenario_lossy(&run, &sc, "snapshot-digraph.dot", CL, 1, true, 0.3);
    assert_int_equal(run.results[SNAP_CONTROL].holds, DISCO_HOLDS_NO);
    assert_string_equal(run.results[SNAP_CONTROL].detail,
                        "0 markers on 4->0");
    disco_sim_free(run.sim);
    disco_scenario_release(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_case_chandy_lamport),
        cmocka_unit_test(test_worked_case_lai_yang),
        cmocka_unit_test(test_chandy_lamport_fifo),
        cmocka_unit_test(test_lai_yang_no_fifo),
        cmocka_unit_test(test_parameters),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_no_fifo_caught),
        cmocka_unit_test(test_digraph_chandy_lamport),
        cmocka_unit_test(test_digraph_lai_yang),
        cmocka_unit_test(test_no_fifo_caught_on_digraph),
        cmocka_unit_test(test_lost_marker_named_on_digraph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
