/*
 * test_peterson.c - the Peterson / Dolev-Klawe-Rodeh election: exact
 * message counts (fixed by the ids on every FIFO schedule), the bound
 * 2n*floor(log2 n)+n over 1,000 random placements per ring size, the
 * elected value is the maximum although the winner need not have started
 * with it, and a seed on which --no-fifo breaks the election.
 *
 * What counts: the core messages are the kinds `one` and `two`; the bound
 * 2n*floor(log2 n)+n is asserted on their sum.  The `leader` announcement
 * is counted separately: exactly n.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "support.h"

extern const struct disco_algorithm disco_alg_peterson;
enum { ONE, TWO, LEADER };
enum { ONE_LEADER, EVERYONE_LEARNS, CORE_WITHIN_BOUND, N_ANNOUNCEMENTS };

#define MAX_RING 64

static uint32_t floor_log2(uint32_t n)
{
    uint32_t k = 0;
    while (n >>= 1)
        k++;
    return k;
}

/* The reference model, independent of the simulator: the values the active
 * processes hold, in ring order, round by round.  The active process after
 * position i keeps value v[i] exactly when v[i] beats both its neighbours
 * in the list (a local maximum), so the next round's list is the list of
 * local maxima.  Returns R, the number of rounds that start with at least
 * two active processes. */
static uint32_t rounds_with_two_active(const int64_t *ids, uint32_t n)
{
    int64_t v[MAX_RING], next[MAX_RING];
    memcpy(v, ids, n * sizeof *v);
    uint32_t k = n, rounds = 0;
    while (k >= 2) {
        uint32_t kept = 0;
        for (uint32_t i = 0; i < k; i++)
            if (v[i] > v[(i + k - 1) % k] && v[i] > v[(i + 1) % k])
                next[kept++] = v[i];
        memcpy(v, next, kept * sizeof *v);
        k = kept;
        rounds++;
    }
    return rounds;
}

static void run_with_ids(struct sim_run *run, const char *spec,
                         const char *ids, uint64_t seed, bool fifo)
{
    sim_run_ids(run, &disco_alg_peterson, spec, ids, seed, fifo);
}

/* One FIFO run against the model: one = n(R+1), two = nR, so the core
 * count is exactly 2nR+n <= 2n*floor(log2 n)+n; n announcements; every
 * property holds; the elected value is the maximum id n. */
static void check_fifo_run(const struct sim_run *run, const int64_t *ids)
{
    uint64_t n = run->topo.nodes;
    uint64_t r = rounds_with_two_active(ids, run->topo.nodes);
    assert_true(r <= floor_log2(run->topo.nodes));
    assert_int_equal(run->metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run->metrics->by_kind[ONE], n * (r + 1));
    assert_int_equal(run->metrics->by_kind[TWO], n * r);
    uint64_t core = run->metrics->by_kind[ONE] + run->metrics->by_kind[TWO];
    assert_true(core <= 2 * n * floor_log2(run->topo.nodes) + n);
    assert_int_equal(run->metrics->by_kind[LEADER], n);
    assert_int_equal(run->unchecked, 0);
    assert_all_hold(run);
    char result[DISCO_RESULT_TEXT], expected[64];
    disco_sim_result(run->sim, result, sizeof result);
    snprintf(expected, sizeof expected, "\"leader\": %llu,",
             (unsigned long long)n);
    assert_non_null(strstr(result, expected));
}

/* 1,000 random placements (seed s draws the ids and the delays), FIFO. */
static void random_placements(const char *spec)
{
    for (uint64_t seed = 1; seed <= 1000; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_peterson);
        cfg.seed = seed;
        struct disco_error err;
        struct sim_run run;
        memset(&run, 0, sizeof run);
        assert_int_equal(disco_topology_generate(&run.topo, spec, 1, &err), 0);
        assert_int_equal(disco_ids_parse(&cfg, "random", run.topo.nodes, &err),
                         0);
        sim_run_on(&run, &disco_alg_peterson, &run.topo, &cfg);
        check_fifo_run(&run, cfg.ids);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

static void test_random_8(void **unused) { random_placements("uring:8"); }
static void test_random_16(void **unused) { random_placements("uring:16"); }
static void test_random_33(void **unused) { random_placements("uring:33"); }
static void test_random_64(void **unused) { random_placements("uring:64"); }

/* Every ring size from 2 to 20, 100 seeds each. */
static void test_small_rings(void **unused)
{
    for (uint32_t n = 2; n <= 20; n++) {
        char spec[32];
        snprintf(spec, sizeof spec, "uring:%u", n);
        for (uint64_t seed = 1; seed <= 100; seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_peterson);
            cfg.seed = seed;
            struct disco_error err;
            struct sim_run run;
            memset(&run, 0, sizeof run);
            assert_int_equal(disco_topology_generate(&run.topo, spec, 1, &err),
                             0);
            assert_int_equal(disco_ids_parse(&cfg, "random", n, &err), 0);
            sim_run_on(&run, &disco_alg_peterson, &run.topo, &cfg);
            check_fifo_run(&run, cfg.ids);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

/* A placement that needs floor(log2 n) rounds with two or more active
 * processes: the local maxima alternate with smaller ids at every level.
 * The core count then meets the bound exactly, on every schedule. */
static void worst_case(const char *spec, const char *ids, uint64_t core)
{
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct sim_run run;
        run_with_ids(&run, spec, ids, seed, true);
        uint64_t n = run.topo.nodes;
        assert_int_equal(2 * n * floor_log2(run.topo.nodes) + n, core);
        assert_int_equal(run.metrics->by_kind[ONE] +
                             run.metrics->by_kind[TWO], core);
        assert_int_equal(run.metrics->by_kind[LEADER], n);
        assert_all_hold(&run);
        sim_run_release(&run);
    }
}

static void test_worst_case_8(void **unused)
{
    /* Rounds: 8 active, 4, 2, then 1: 2*8*3 + 8 = 56. */
    worst_case("uring:8", "8,1,5,2,7,3,6,4", 56);
}

static void test_worst_case_16(void **unused)
{
    worst_case("uring:16", "16,1,9,2,13,3,10,4,15,5,11,6,14,7,12,8", 144);
}

static void test_sorted_ids_one_round(void **unused)
{
    /* Ids increasing or decreasing along the ring: one local maximum, so
     * one round with n active and the last round: 2n + n = 3n. */
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct sim_run run;
        run_with_ids(&run, "uring:16", seed % 2 ? "increasing" : "decreasing",
                     seed, true);
        assert_int_equal(run.metrics->by_kind[ONE], 32);
        assert_int_equal(run.metrics->by_kind[TWO], 16);
        assert_int_equal(run.metrics->by_kind[LEADER], 16);
        assert_all_hold(&run);
        sim_run_release(&run);
    }
}

static void test_winner_need_not_start_with_the_maximum(void **unused)
{
    /* ids 3,1,4,2 along uring:4.  Round 1: node 1 takes 3 (3 > 1, 3 > 2),
     * node 3 takes 4 (4 > 2, 4 > 1); nodes 0 and 2 relay.  Round 2: node 1
     * takes 4 from node 3 (4 > 3), node 3 relays.  Round 3: node 1's `one`
     * comes back: node 1 leads with value 4, which started at node 2.
     * Core: one = 4*3 = 12, two = 4*2 = 8. */
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct sim_run run;
        run_with_ids(&run, "uring:4", "3,1,4,2", seed, true);
        assert_int_equal(run.metrics->by_kind[ONE], 12);
        assert_int_equal(run.metrics->by_kind[TWO], 8);
        assert_int_equal(run.metrics->by_kind[LEADER], 4);
        assert_string_equal(run.results[ONE_LEADER].detail, "node 1");
        char result[DISCO_RESULT_TEXT];
        disco_sim_result(run.sim, result, sizeof result);
        assert_string_equal(result, "\"leader\": 4, \"leader_node\": 1, "
                                    "\"max_id_node\": 2, \"rounds\": 3");
        assert_all_hold(&run);
        sim_run_release(&run);
    }
}

static void test_late_joiners_change_nothing(void **unused)
{
    /* Only node 0 (or nodes 0 and 5) start; the others join on their first
     * message.  The counts are those of the run where all start. */
    const char *starters[] = {"0", "0,5"};
    for (int which = 0; which < 2; which++) {
        for (uint64_t seed = 1; seed <= 100; seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_peterson);
            cfg.seed = seed;
            struct disco_error err;
            struct sim_run run;
            memset(&run, 0, sizeof run);
            assert_int_equal(
                disco_topology_generate(&run.topo, "uring:12", 1, &err), 0);
            assert_int_equal(disco_ids_parse(&cfg, "random", 12, &err), 0);
            sim_config_initiators(&cfg, starters[which], 12);
            sim_run_on(&run, &disco_alg_peterson, &run.topo, &cfg);
            check_fifo_run(&run, cfg.ids);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

/* With --no-fifo a round's `two`, or the next round's `one`, can overtake
 * a `one`, and a process compares the wrong values.  Watch the proof
 * break: find the first seed (ids and delays drawn from it) on which a
 * property fails, and check that the same seed with FIFO keeps them all. */
static void test_no_fifo_breaks_the_election(void **unused)
{
    uint64_t broken = 0;
    for (uint64_t seed = 1; seed <= 100 && !broken; seed++) {
        struct sim_run run;
        run_with_ids(&run, "uring:8", "random", seed, false);
        assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
        if (run.failed > 0) {
            broken = seed;
            /* The election itself fails: no leader, or a wrong value. */
            assert_true(run.results[ONE_LEADER].holds == DISCO_HOLDS_NO ||
                        run.results[EVERYONE_LEARNS].holds == DISCO_HOLDS_NO);
            print_message("peterson --no-fifo, uring:8, seed %llu: %s: %s\n",
                          (unsigned long long)seed,
                          run.results[EVERYONE_LEARNS].name,
                          run.results[EVERYONE_LEARNS].detail);
        }
        sim_run_release(&run);
    }
    assert_int_not_equal(broken, 0);
    struct sim_run run;
    run_with_ids(&run, "uring:8", "random", broken, true);
    assert_all_hold(&run);
    sim_run_release(&run);
}

/* scenarios/peterson-ring8.dot (its ids, seed and delays are the defaults
 * used here) run with --no-fifo: --seed 3 elects the wrong value, --seed 4
 * nobody.  With FIFO the same seeds elect 8 at node 7. */
static void test_no_fifo_scenario_seeds(void **unused)
{
    const char *ids = "8,1,5,2,7,3,6,4";
    struct sim_run run;
    run_with_ids(&run, "uring:8", ids, 3, false);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run.results[ONE_LEADER].holds, DISCO_HOLDS_YES);
    assert_string_equal(run.results[ONE_LEADER].detail, "node 7");
    assert_int_equal(run.results[EVERYONE_LEARNS].holds, DISCO_HOLDS_NO);
    assert_string_equal(run.results[EVERYONE_LEARNS].detail,
                        "node 7 decided 7, not 8");
    sim_run_release(&run);

    run_with_ids(&run, "uring:8", ids, 4, false);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run.results[ONE_LEADER].holds, DISCO_HOLDS_NO);
    assert_string_equal(run.results[ONE_LEADER].detail, "no leader");
    assert_int_equal(run.metrics->by_kind[LEADER], 0);
    sim_run_release(&run);

    for (uint64_t seed = 3; seed <= 4; seed++) {
        run_with_ids(&run, "uring:8", ids, seed, true);
        assert_string_equal(run.results[ONE_LEADER].detail, "node 7");
        assert_int_equal(run.metrics->by_kind[ONE] + run.metrics->by_kind[TWO],
                         56);
        assert_all_hold(&run);
        sim_run_release(&run);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_8),
        cmocka_unit_test(test_random_16),
        cmocka_unit_test(test_random_33),
        cmocka_unit_test(test_random_64),
        cmocka_unit_test(test_small_rings),
        cmocka_unit_test(test_worst_case_8),
        cmocka_unit_test(test_worst_case_16),
        cmocka_unit_test(test_sorted_ids_one_round),
        cmocka_unit_test(test_winner_need_not_start_with_the_maximum),
        cmocka_unit_test(test_late_joiners_change_nothing),
        cmocka_unit_test(test_no_fifo_breaks_the_election),
        cmocka_unit_test(test_no_fifo_scenario_seeds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
