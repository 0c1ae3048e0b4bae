/*
 * test_sync_bellman_ford.c - SynchBellmanFord: exactly (n-1)|C| messages
 * and n-1 rounds, every node deciding its true distance in round n-1, on
 * every topology family with random weights and from every source with
 * unit weights.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support.h"

extern const struct disco_algorithm disco_alg_sync_bellman_ford;

#define INF INT64_MAX

/* The test's own all-pairs distances (Floyd-Warshall on the CSR). */
static int64_t *all_pairs(const struct disco_topology *t)
{
    uint32_t n = t->nodes;
    int64_t *d = malloc((size_t)n * n * sizeof *d);
    assert_non_null(d);
    for (uint32_t i = 0; i < n * n; i++)
        d[i] = i % (n + 1) == 0 ? 0 : INF;
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t c = t->out_offset[u]; c < t->out_offset[u + 1]; c++) {
            int64_t w = t->weight ? t->weight[c] : 1;
            if (w < d[u * n + t->out_target[c]])
                d[u * n + t->out_target[c]] = w;
        }
    for (uint32_t k = 0; k < n; k++)
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t j = 0; j < n; j++)
                if (d[i * n + k] != INF && d[k * n + j] != INF &&
                    d[i * n + k] + d[k * n + j] < d[i * n + j])
                    d[i * n + j] = d[i * n + k] + d[k * n + j];
    return d;
}

/* One run from `source`: (n-1)|C| messages, n-1 rounds, one decision per
 * node in round n-1 with its true distance, every property. */
static void check_run(const struct disco_topology *topo, uint32_t source,
                      uint64_t seed, const int64_t *truth)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bellman_ford);
    assert_true(cfg.sync);
    cfg.seed = seed;
    cfg.fifo = seed % 2;
    sim_config_initiator(&cfg, source, topo->nodes);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, &disco_alg_sync_bellman_ford, topo, &cfg);
    uint32_t n = topo->nodes;
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run.metrics->messages, (uint64_t)(n - 1) * topo->channels);
    assert_int_equal(run.metrics->rounds, n - 1);
    assert_int_equal(run.unchecked, 0);
    assert_all_hold(&run);
    const struct disco_view *view = disco_sim_view(run.sim);
    assert_int_equal(disco_view_decision_count(view), n);
    for (size_t i = 0; i < n; i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        assert_int_equal(d->time, n - 1);
        assert_int_equal(d->value, truth[source * n + d->node]);
    }
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
}

/* 100 seeds, each with its own random weights and source. */
static void weighted(const char *spec, uint64_t topo_seed)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, spec, topo_seed, &err), 0);
    for (uint64_t seed = 1; seed <= 100; seed++) {
        assert_int_equal(disco_topology_random_weights(&topo, seed, &err), 0);
        int64_t *truth = all_pairs(&topo);
        check_run(&topo, (uint32_t)(seed % topo.nodes), seed, truth);
        free(truth);
    }
    disco_topology_release(&topo);
}

static void test_weighted_families(void **unused)
{
    weighted("ring:12", 1);
    weighted("grid:4x5", 1);
    weighted("torus:4x4", 1);
    weighted("hypercube:4", 1);
    weighted("complete:8", 1);
    weighted("petersen", 1);
    weighted("tree:12", 2);
    weighted("regular:12:3", 3);
}

static void test_weighted_random_graphs(void **unused)
{
    for (uint64_t g = 1; g <= 5; g++)
        weighted("gnp:16:0.3", g);
}

/* Unit weights (hop distances), every source. */
static void test_unit_every_source(void **unused)
{
    const char *specs[] = {"grid:4x4", "petersen", "hypercube:3",
                           "complete:6", "ring:9", "line:5", "star:5"};
    for (unsigned i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        struct disco_topology topo;
        struct disco_error err;
        assert_int_equal(disco_topology_generate(&topo, specs[i], 1, &err),
                         0);
        int64_t *truth = all_pairs(&topo);
        for (uint32_t s = 0; s < topo.nodes; s++)
            check_run(&topo, s, 1, truth);
        free(truth);
        disco_topology_release(&topo);
    }
}

static void test_worked_case(void **unused)
{
    /* grid:4x4: n - 1 = 15 rounds of |C| = 48 messages, 720 in all. */
    struct sim_run run;
    sim_run(&run, &disco_alg_sync_bellman_ford, "grid:4x4", 1, NULL);
    assert_int_equal(run.metrics->messages, 720);
    assert_int_equal(run.metrics->rounds, 15);
    assert_all_hold(&run);
    char result[DISCO_RESULT_TEXT];
    disco_sim_result(run.sim, result, sizeof result);
    assert_string_equal(result, "\"farthest\": 6");
    sim_run_release(&run);
}

static void test_two_sources_are_caught(void **unused)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bellman_ford);
    sim_config_initiators(&cfg, "0,15", 16);
    struct sim_run run;
    sim_run(&run, &disco_alg_sync_bellman_ford, "grid:4x4", 1, &cfg);
    assert_int_equal(run.results[0].holds, DISCO_HOLDS_NO);
    assert_int_equal(run.results[1].holds, DISCO_HOLDS_NO);
    assert_int_equal(run.results[2].holds, DISCO_HOLDS_YES);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_too_few_rounds_are_caught(void **unused)
{
    /* Stopped one round early (--max-time n-2), no property is claimed;
     * a line from one end needs every one of its n-1 rounds. */
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bellman_ford);
    cfg.max_time = 5;
    struct sim_run run;
    sim_run(&run, &disco_alg_sync_bellman_ford, "line:7", 1, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_MAX_TIME);
    assert_int_equal(run.unchecked, 3);
    assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)), 0);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_negative_weight_is_reported(void **unused)
{
    /* Rounds end after n-1 whatever the weights; a negative edge is outside
     * the model, and the run says so. */
    const struct disco_edge edges[] = {{0, 1, 2}, {1, 2, -1}};
    struct sim_run run;
    memset(&run, 0, sizeof run);
    struct disco_error err;
    assert_int_equal(disco_topology_build(&run.topo, 3, false, edges, 2, true,
                                          &err), 0);
    sim_run_on(&run, &disco_alg_sync_bellman_ford, &run.topo, NULL);
    assert_int_equal(run.metrics->rounds, 2);
    assert_int_equal(run.results[3].holds, DISCO_HOLDS_NO);
    assert_string_equal(run.results[3].detail,
                        "edge 1-2 has weight -1: outside the model (weights "
                        "must be >= 0)");
    sim_run_release(&run);
}

static void test_model_refuses_async(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    char warning[256];
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bellman_ford);
    assert_int_equal(disco_topology_generate(&topo, "grid:3x3", 1, &err), 0);
    assert_int_equal(disco_model_check(&disco_alg_sync_bellman_ford, &topo,
                                       &cfg, warning, sizeof warning, &err),
                     0);
    cfg.sync = false;
    assert_int_equal(disco_model_check(&disco_alg_sync_bellman_ford, &topo,
                                       &cfg, warning, sizeof warning, &err),
                     DISCO_EMODEL);
    disco_topology_release(&topo);
    disco_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weighted_families),
        cmocka_unit_test(test_weighted_random_graphs),
        cmocka_unit_test(test_unit_every_source),
        cmocka_unit_test(test_worked_case),
        cmocka_unit_test(test_two_sources_are_caught),
        cmocka_unit_test(test_too_few_rounds_are_caught),
        cmocka_unit_test(test_negative_weight_is_reported),
        cmocka_unit_test(test_model_refuses_async),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
