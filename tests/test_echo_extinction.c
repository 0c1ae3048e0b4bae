/*
 * test_echo_extinction.c - election by echo extinction: one leader, the
 * largest initiator id, learnt by everyone, on rings, grids, tori, complete
 * graphs, the Petersen graph and random graphs, with one, several and all
 * initiators, 100 seeds FIFO and not; 2m tokens with one initiator, 2m
 * announcements always; 1,000 random id placements.
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

extern const struct disco_algorithm disco_alg_echo_extinction;
enum { TOKEN, LEADER };

enum initiator_set { ONE, SEVERAL, ALL };

/* A list of initiators for `n` nodes drawn from `seed`: one node, a random
 * subset of 2..n/2 nodes, or all.  Returns how many. */
static uint32_t pick_initiators(char *list, size_t len, enum initiator_set set,
                                uint32_t n, uint64_t seed)
{
    struct disco_rng rng;
    disco_rng_init(&rng, seed, 77);
    if (set == ALL) {
        snprintf(list, len, "all");
        return n;
    }
    uint32_t k = set == ONE ? 1
                            : 2 + (uint32_t)disco_rng_below(&rng, n / 2 - 1);
    uint32_t *perm = malloc(n * sizeof *perm);
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    for (uint32_t i = 0; i < k; i++) {
        uint32_t j = i + (uint32_t)disco_rng_below(&rng, n - i), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    size_t at = 0;
    list[0] = '\0';
    for (uint32_t i = 0; i < k; i++)
        at += (size_t)snprintf(list + at, len - at, "%s%u", i ? "," : "",
                               perm[i]);
    free(perm);
    return k;
}

/* Run on a generated topology with the given initiators and ids ("random"
 * draws them from the seed); check everything that must hold on every run,
 * independently of the algorithm's own properties where we can: the
 * leader (from the result) is the largest initiator id computed here. */
static void run_and_check(const char *spec, uint64_t topo_seed,
                          enum initiator_set set, const char *ids,
                          uint64_t seed, bool fifo, uint64_t *tokens_out)
{
    struct sim_run run;
    struct disco_error err;
    memset(&run, 0, sizeof run);
    assert_int_equal(disco_topology_generate(&run.topo, spec, topo_seed, &err),
                     0);
    uint32_t n = run.topo.nodes;
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_echo_extinction);
    cfg.seed = seed;
    cfg.fifo = fifo;
    char list[1024];
    uint32_t k = pick_initiators(list, sizeof list, set, n, seed);
    sim_config_initiators(&cfg, list, n);
    assert_int_equal(disco_ids_parse(&cfg, ids, n, &err), 0);
    char warning[256];
    assert_int_equal(disco_model_check(&disco_alg_echo_extinction, &run.topo,
                                       &cfg, warning, sizeof warning, &err),
                     0);

    int64_t best = -1;
    for (uint32_t v = 0; v < n; v++) {
        int64_t id = cfg.ids ? cfg.ids[v] : (int64_t)v + 1;
        if ((!cfg.initiators || cfg.initiators[v]) && id > best)
            best = id;
    }
    sim_run_on(&run, &disco_alg_echo_extinction, &run.topo, &cfg);

    uint64_t two_m = run.topo.channels;
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run.unchecked, 0);
    assert_all_hold(&run);
    assert_int_equal(run.metrics->by_kind[LEADER], two_m);
    if (k == 1)
        assert_int_equal(run.metrics->by_kind[TOKEN], two_m);
    assert_true(run.metrics->by_kind[TOKEN] >= two_m);
    assert_true(run.metrics->by_kind[TOKEN] <= two_m * k);
    char result[DISCO_RESULT_TEXT], want[64];
    disco_sim_result(run.sim, result, sizeof result);
    snprintf(want, sizeof want, "\"leader\": %lld,", (long long)best);
    assert_non_null(strstr(result, want));
    /* Every node decided the same value: the winner's id. */
    const struct disco_view *view = disco_sim_view(run.sim);
    assert_int_equal(disco_view_decision_count(view), n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(disco_view_decision(view, i)->value, best);
    if (tokens_out)
        *tokens_out = run.metrics->by_kind[TOKEN];
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* 100 seeds, FIFO and not, one, several and all initiators. */
static void extinction_on(const char *spec, uint64_t topo_seed)
{
    for (int set = ONE; set <= ALL; set++)
        for (int fifo = 0; fifo <= 1; fifo++)
            for (uint64_t seed = 1; seed <= 100; seed++)
                run_and_check(spec, topo_seed, (enum initiator_set)set,
                              "increasing", seed, fifo, NULL);
}

static void test_ring(void **unused) { extinction_on("ring:12", 1); }
static void test_grid(void **unused) { extinction_on("grid:4x5", 1); }
static void test_torus(void **unused) { extinction_on("torus:4x4", 1); }
static void test_complete(void **unused) { extinction_on("complete:8", 1); }
static void test_petersen(void **unused) { extinction_on("petersen", 1); }

static void test_random_graphs(void **unused)
{
    for (uint64_t g = 1; g <= 5; g++)
        extinction_on("gnp:16:0.3", g);
}

static void test_random_id_placements(void **unused)
{
    /* 1,000 placements of the ids 1..N on each of two networks: the
     * leader is always the largest initiator id, never merely the largest
     * id (with several initiators the maximum id often sleeps). */
    for (uint64_t seed = 1; seed <= 1000; seed++) {
        run_and_check("petersen", 1, seed % 2 ? ALL : SEVERAL, "random", seed,
                      seed % 3 != 0, NULL);
        run_and_check("gnp:16:0.3", seed % 7 + 1, seed % 2 ? SEVERAL : ONE,
                      "random", seed, seed % 3 != 0, NULL);
    }
}

static void test_petersen_single_initiator_is_60(void **unused)
{
    /* One initiator on the Petersen graph (m = 15): its wave alone, 30
     * tokens as in echo, then 30 announcements, on every seed. */
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_echo_extinction);
        cfg.seed = seed;
        cfg.fifo = seed % 2;
        sim_config_initiators(&cfg, "0", 10);
        struct sim_run run;
        sim_run(&run, &disco_alg_echo_extinction, "petersen", 1, &cfg);
        assert_int_equal(run.metrics->by_kind[TOKEN], 30);
        assert_int_equal(run.metrics->by_kind[LEADER], 30);
        assert_int_equal(run.metrics->messages, 60);
        assert_all_hold(&run);
        /* The only initiator wins although its id, 1, is the smallest. */
        assert_string_equal(run.results[0].detail, "node 0, id 1");
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

static void test_extinction_costs_tokens(void **unused)
{
    /* With every process initiating, beaten waves cost tokens beyond the
     * 2m of the winner, up to 2m per initiator: on ring:12 (2m = 24) with
     * ids increasing round the ring, each wave runs into larger ones. */
    uint64_t least = UINT64_MAX, most = 0;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        uint64_t tokens;
        run_and_check("ring:12", 1, ALL, "increasing", seed, true, &tokens);
        least = tokens < least ? tokens : least;
        most = tokens > most ? tokens : most;
    }
    assert_true(least > 24);
    assert_true(most <= 24 * 12);
    assert_true(most > least);
}

static void test_no_initiator_no_leader(void **unused)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_echo_extinction);
    sim_config_initiators(&cfg, "none", 10);
    struct sim_run run;
    sim_run(&run, &disco_alg_echo_extinction, "petersen", 1, &cfg);
    assert_int_equal(run.metrics->messages, 0);
    assert_int_equal(run.failed, disco_alg_echo_extinction.property_count);
    assert_string_equal(run.results[0].detail, "0 leaders (expected exactly "
                        "one)");
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_duplicate_ids_refused(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, "ring:4", 1, &err), 0);
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_echo_extinction);
    assert_int_equal(disco_ids_parse(&cfg, "3,1,3,2", 4, &err), 0);
    char warning[256];
    assert_int_equal(disco_model_check(&disco_alg_echo_extinction, &topo, &cfg,
                                       warning, sizeof warning, &err),
                     DISCO_EMODEL);
    disco_config_release(&cfg);
    disco_topology_release(&topo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_torus),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_petersen),
        cmocka_unit_test(test_random_graphs),
        cmocka_unit_test(test_random_id_placements),
        cmocka_unit_test(test_petersen_single_initiator_is_60),
        cmocka_unit_test(test_extinction_costs_tokens),
        cmocka_unit_test(test_no_initiator_no_leader),
        cmocka_unit_test(test_duplicate_ids_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
