/*
 * test_chang_roberts.c - exact message counts from the reference and the
 * oracle's verdicts over random id placements.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support.h"

extern const struct disco_algorithm disco_alg_chang_roberts;
enum { ELECT, LEADER };

static void run_with_ids(struct sim_run *run, const char *spec,
                         const char *ids, uint64_t seed, bool fifo)
{
    sim_run_ids(run, &disco_alg_chang_roberts, spec, ids, seed, fifo);
}

static void test_decreasing_ids_worst_case(void **unused)
{
    /* n(n+1)/2 = 136 election messages plus n = 16 announcements, on
     * every schedule. */
    for (uint64_t seed = 1; seed <= 50; seed++) {
        struct sim_run run;
        run_with_ids(&run, "uring:16", "decreasing", seed, seed % 2);
        assert_int_equal(run.metrics->by_kind[ELECT], 136);
        assert_int_equal(run.metrics->by_kind[LEADER], 16);
        assert_int_equal(run.metrics->messages, 152);
        assert_all_hold(&run);
        sim_run_release(&run);
    }
}

static void test_increasing_ids_best_case(void **unused)
{
    for (uint64_t seed = 1; seed <= 50; seed++) {
        struct sim_run run;
        run_with_ids(&run, "uring:16", "increasing", seed, seed % 2);
        assert_int_equal(run.metrics->by_kind[ELECT], 31);
        assert_int_equal(run.metrics->by_kind[LEADER], 16);
        assert_all_hold(&run);
        sim_run_release(&run);
    }
}

static void test_random_placements_elect_the_maximum(void **unused)
{
    /* 1,000 placements: the oracle confirms one leader with the maximum id
     * every time, and the mean election cost is n*H_n = 54.09 for n = 16
     * (the standard deviation of the mean is 0.23: 1.2 is five of them). */
    double total = 0;
    for (uint64_t seed = 1; seed <= 1000; seed++) {
        struct sim_run run;
        run_with_ids(&run, "uring:16", "random", seed, true);
        assert_int_equal(run.failed, 0);
        assert_int_equal(run.unchecked, 0);
        assert_int_equal(run.metrics->by_kind[LEADER], 16);
        assert_true(run.metrics->by_kind[ELECT] >= 31);
        assert_true(run.metrics->by_kind[ELECT] <= 136);
        char result[DISCO_RESULT_TEXT];
        disco_sim_result(run.sim, result, sizeof result);
        assert_non_null(strstr(result, "\"leader\": 16,"));
        total += (double)run.metrics->by_kind[ELECT];
        sim_run_release(&run);
    }
    double mean = total / 1000, expected = 54.0917;
    assert_true(mean > expected - 1.2 && mean < expected + 1.2);
}

static void test_explicit_list(void **unused)
{
    /* ids 3,1,4,2 along uring:4: id 3 travels 2 hops, 1 one, 4 four, 2 one
     * = 8 election messages; the leader is node 2 with id 4. */
    struct sim_run run;
    run_with_ids(&run, "uring:4", "3,1,4,2", 7, true);
    assert_int_equal(run.metrics->by_kind[ELECT], 8);
    assert_int_equal(run.metrics->by_kind[LEADER], 4);
    assert_string_equal(run.results[0].detail, "node 2, id 4");
    assert_all_hold(&run);
    sim_run_release(&run);
}

static void test_single_initiator(void **unused)
{
    /* Only node 0 starts; the others join when woken by a smaller id. */
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_chang_roberts);
    struct disco_error err;
    struct sim_run run;
    memset(&run, 0, sizeof run);
    assert_int_equal(disco_topology_generate(&run.topo, "uring:8", 1, &err),
                     0);
    sim_config_initiators(&cfg, "0", 8);
    sim_run_on(&run, &disco_alg_chang_roberts, &run.topo, &cfg);
    assert_all_hold(&run);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decreasing_ids_worst_case),
        cmocka_unit_test(test_increasing_ids_best_case),
        cmocka_unit_test(test_random_placements_elect_the_maximum),
        cmocka_unit_test(test_explicit_list),
        cmocka_unit_test(test_single_initiator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
