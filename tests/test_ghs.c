/*
 * test_ghs.c - Gallager-Humblet-Spira: on every topology family, with
 * random distinct weights and many schedules, the branch edges are exactly
 * Kruskal's minimum spanning tree, one leader is elected and announced with
 * exactly N messages, and the GHS messages stay within 5N log2 N + 2m.
 * Weights that are not distinct are reported, not silently accepted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "scenario.h"
#include "support.h"

extern const struct disco_algorithm disco_alg_ghs;
enum { CONNECT, INITIATE, TEST, ACCEPT, REJECT, REPORT, CHANGEROOT, LEADER };
enum { P_MST, P_TERMINATES, P_LEADER, P_LEARNS, P_PRECEDED, P_BOUND,
       P_ANNOUNCE };

static uint64_t core_messages(const struct disco_metrics *m)
{
    uint64_t sum = 0;
    for (int k = CONNECT; k <= CHANGEROOT; k++)
        sum += m->by_kind[k];
    return sum;
}

static uint64_t bound(uint32_t n, uint64_t m)
{
    return (uint64_t)floor(5.0 * n * log2((double)n)) + 2 * m;
}

/* Weights sum of Kruskal's tree, computed here independently of the
 * algorithm's own oracle (a plain O(m^2) selection, no union-find). */
static int64_t kruskal_weight(const struct disco_topology *t)
{
    uint32_t n = t->nodes;
    uint32_t *comp = malloc(n * sizeof *comp);
    for (uint32_t v = 0; v < n; v++)
        comp[v] = v;
    int64_t total = 0, last = INT64_MIN;
    for (uint32_t taken = 0; taken + 1 < n;) {
        /* the lightest edge heavier than the last one looked at */
        int64_t best = INT64_MAX;
        uint32_t bu = 0, bv = 0;
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t c = t->out_offset[u]; c < t->out_offset[u + 1]; c++)
                if (t->weight[c] > last && t->weight[c] < best) {
                    best = t->weight[c];
                    bu = u;
                    bv = t->out_target[c];
                }
        last = best;
        if (comp[bu] == comp[bv])
            continue;
        uint32_t from = comp[bv];
        for (uint32_t v = 0; v < n; v++)
            if (comp[v] == from)
                comp[v] = comp[bu];
        total += best;
        taken++;
    }
    free(comp);
    return total;
}

/* One run of ghs on `topo` (weights already set) with `cfg`: every property
 * holds, the run ends quiescent, the announcement costs exactly N and the
 * GHS messages stay within the bound.  Returns the GHS message count. */
static uint64_t run_checked(const struct disco_topology *topo,
                            struct disco_config *cfg)
{
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, &disco_alg_ghs, topo, cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run.unchecked, 0);
    for (unsigned i = 0; i < disco_alg_ghs.property_count; i++)
        if (run.results[i].holds != DISCO_HOLDS_YES)
            fail_msg("property %s failed on %s (seed %llu): %s",
                     run.results[i].name, topo->spec,
                     (unsigned long long)cfg->seed, run.results[i].detail);
    uint64_t m = topo->channels / 2;
    assert_int_equal(run.metrics->by_kind[LEADER],
                     topo->nodes < 2 ? 0 : topo->nodes);
    uint64_t sent = core_messages(run.metrics);
    assert_true(sent <= bound(topo->nodes, m));
    char result[DISCO_RESULT_TEXT], want[64];
    disco_sim_result(run.sim, result, sizeof result);
    snprintf(want, sizeof want, "\"tree_edges\": %u, \"tree_weight\": %lld,",
             topo->nodes - 1, (long long)kruskal_weight(topo));
    if (!strstr(result, want))
        fail_msg("%s: result %s, expected %s", topo->spec, result, want);
    disco_sim_free(run.sim);
    return sent;
}

/* `spec` from topo_seed, for seeds 1..seeds: fresh distinct weights and a
 * fresh schedule each time, FIFO (the model requires it). */
static void ghs_on(const char *spec, uint64_t topo_seed, int seeds)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, spec, topo_seed, &err), 0);
    for (int seed = 1; seed <= seeds; seed++) {
        assert_int_equal(
            disco_topology_random_weights(&topo, (uint64_t)seed, &err), 0);
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ghs);
        cfg.seed = (uint64_t)seed;
        cfg.fifo = true;
        run_checked(&topo, &cfg);
        disco_config_release(&cfg);
    }
    disco_topology_release(&topo);
}

static void test_ring(void **unused) { ghs_on("ring:12", 1, 100); }
static void test_line(void **unused) { ghs_on("line:10", 1, 100); }
static void test_grid(void **unused) { ghs_on("grid:4x5", 1, 100); }
static void test_torus(void **unused) { ghs_on("torus:4x4", 1, 100); }
static void test_hypercube(void **unused) { ghs_on("hypercube:4", 1, 100); }
static void test_complete(void **unused) { ghs_on("complete:8", 1, 100); }
static void test_petersen(void **unused) { ghs_on("petersen", 1, 100); }

/* The first `count` topology seeds from which `spec` is connected. */
static void connected_seeds(const char *spec, uint64_t *seeds, int count)
{
    int found = 0;
    for (uint64_t s = 1; found < count; s++) {
        struct disco_topology topo;
        struct disco_error err;
        assert_int_equal(disco_topology_generate(&topo, spec, s, &err), 0);
        if (disco_topology_connected(&topo))
            seeds[found++] = s;
        disco_topology_release(&topo);
        assert_true(s < 1000);
    }
}

static void test_twenty_random_graphs(void **unused)
{
    uint64_t seeds[20];
    connected_seeds("gnp:16:0.3", seeds, 20);
    for (int g = 0; g < 20; g++)
        ghs_on("gnp:16:0.3", seeds[g], 100);
}

/* The paper's bound over 1,000 random weight assignments (and schedules)
 * on three graphs: a sparse random one, a dense one, a ring. */
static void bound_over_1000(const char *spec, uint64_t topo_seed,
                            uint64_t expected_bound)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, spec, topo_seed, &err), 0);
    assert_true(disco_topology_connected(&topo));
    assert_int_equal(bound(topo.nodes, topo.channels / 2), expected_bound);
    uint64_t worst = 0;
    for (uint64_t seed = 1; seed <= 1000; seed++) {
        assert_int_equal(disco_topology_random_weights(&topo, seed, &err), 0);
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ghs);
        cfg.seed = seed;
        uint64_t sent = run_checked(&topo, &cfg);
        if (sent > worst)
            worst = sent;
        disco_config_release(&cfg);
    }
    assert_true(worst <= expected_bound);
    disco_topology_release(&topo);
}

/* N = 20: 5*20*log2(20) = 432.19; m varies. */
static void test_bound_random_graph(void **unused)
{
    uint64_t seed[1];
    connected_seeds("gnp:20:0.25", seed, 1);
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, "gnp:20:0.25", seed[0],
                                             &err), 0);
    uint64_t expected = 432 + topo.channels;
    disco_topology_release(&topo);
    bound_over_1000("gnp:20:0.25", seed[0], expected);
}

/* complete:12: 5*12*log2(12) = 215.1, m = 66: 215 + 132 = 347. */
static void test_bound_complete(void **unused)
{
    bound_over_1000("complete:12", 1, 347);
}

/* ring:16: 5*16*4 = 320, m = 16: 352. */
static void test_bound_ring(void **unused) { bound_over_1000("ring:16", 1, 352); }

/* Any non-empty set of initiators: the others wake on their first
 * message. */
static void test_initiator_sets(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, "grid:4x4", 1, &err), 0);
    for (uint64_t seed = 1; seed <= 100; seed++) {
        assert_int_equal(disco_topology_random_weights(&topo, seed, &err), 0);
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ghs);
        cfg.seed = seed;
        char list[64];
        if (seed <= 16) { /* each node alone */
            snprintf(list, sizeof list, "%llu",
                     (unsigned long long)(seed - 1));
        } else {          /* a random subset: each node with p = 1/4 */
            struct disco_rng rng;
            disco_rng_init(&rng, seed, 0);
            size_t used = 0;
            for (unsigned v = 0; v < 16; v++)
                if (disco_rng_below(&rng, 4) == 0 || (v == 15 && used == 0))
                    used += (size_t)snprintf(list + used, sizeof list - used,
                                             used ? ",%u" : "%u", v);
        }
        sim_config_initiators(&cfg, list, 16);
        run_checked(&topo, &cfg);
        disco_config_release(&cfg);
    }
    disco_topology_release(&topo);
}

static void test_other_delay_laws(void **unused)
{
    static const char *const laws[] = {"const:1", "exp:20", "uniform:1:1000"};
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, "torus:3x5", 1, &err), 0);
    for (int l = 0; l < 3; l++) {
        for (uint64_t seed = 1; seed <= 100; seed++) {
            assert_int_equal(disco_topology_random_weights(&topo, seed, &err),
                             0);
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_ghs);
            cfg.seed = seed;
            assert_int_equal(disco_delay_parse(&cfg.delay, laws[l], &err), 0);
            run_checked(&topo, &cfg);
            disco_config_release(&cfg);
        }
    }
    disco_topology_release(&topo);
}

/* Two nodes: each connects, both answer with initiate (a merge into level
 * 1), both report infinity, halt and swap ids: 2+2+2 and 2 leader
 * messages on every schedule; the larger id leads. */
static void test_two_nodes(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    struct disco_edge edge = {0, 1, 5};
    assert_int_equal(disco_topology_build(&topo, 2, false, &edge, 1, true,
                                          &err), 0);
    snprintf(topo.spec, sizeof topo.spec, "two nodes");
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ghs);
        cfg.seed = seed;
        struct sim_run run;
        memset(&run, 0, sizeof run);
        sim_run_on(&run, &disco_alg_ghs, &topo, &cfg);
        assert_all_hold(&run);
        assert_int_equal(run.metrics->by_kind[CONNECT], 2);
        assert_int_equal(run.metrics->by_kind[INITIATE], 2);
        assert_int_equal(run.metrics->by_kind[REPORT], 2);
        assert_int_equal(run.metrics->by_kind[LEADER], 2);
        assert_int_equal(run.metrics->messages, 8);
        assert_string_equal(run.results[P_LEADER].detail, "node 1, id 2");
        disco_sim_free(run.sim);
        disco_config_release(&cfg);
    }
    disco_topology_release(&topo);
}

/* The lecture scenario: the tree, the final core and the leader are the
 * same on every schedule (see the comment in the file). */
static void test_lecture_scenario(void **unused)
{
    const char *dir = getenv("DISCO_SCENARIOS");
    char path[4096];
    snprintf(path, sizeof path, "%s/ghs-eight.dot", dir ? dir : "scenarios");
    struct disco_scenario sc;
    struct disco_error err;
    if (disco_scenario_load(&sc, path, &err) != 0)
        fail_msg("%s", err.message);
    assert_string_equal(disco_scenario_option(&sc, "algorithm"), "ghs");
    assert_int_equal(sc.topo.nodes, 8);
    assert_int_equal(sc.topo.channels, 24);
    static const char *const tree[] = {"c-e", "d-f", "f-h", "a-b",
                                       "g-h", "e-g", "a-c"};
    static const char *const delays[] = {"uniform:1:50", "exp:30", "const:3"};
    for (uint64_t seed = 1; seed <= 300; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ghs);
        cfg.seed = seed;
        assert_int_equal(disco_delay_parse(&cfg.delay, delays[seed % 3], &err),
                         0);
        struct sim_run run;
        memset(&run, 0, sizeof run);
        sim_run_on(&run, &disco_alg_ghs, &sc.topo, &cfg);
        assert_all_hold(&run);
        assert_string_equal(run.results[P_MST].detail,
                            "7 branches = Kruskal's MST, weight 29");
        /* e is node 4, g node 6 (order of first appearance), g has id 7. */
        assert_string_equal(run.results[P_TERMINATES].detail,
                            "core edge 4-6, level 2");
        assert_string_equal(run.results[P_LEADER].detail, "node 6, id 7");
        assert_int_equal(run.metrics->by_kind[LEADER], 8);
        assert_true(core_messages(run.metrics) <= 144);
        /* The tree the file's comment names has Kruskal's weight. */
        const struct disco_view *view = disco_sim_view(run.sim);
        unsigned found = 0;
        int64_t weight = 0;
        for (uint32_t u = 0; u < 8; u++) {
            for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
                uint32_t v = disco_view_neighbour(view, u, p);
                char name[8];
                snprintf(name, sizeof name, "%s-%s", sc.topo.names[u],
                         sc.topo.names[v]);
                for (int t = 0; t < 7; t++) {
                    if (u < v && strcmp(name, tree[t]) == 0) {
                        found++;
                        weight += disco_view_weight(view, u, p);
                    }
                }
            }
        }
        assert_int_equal(weight, 29);
        assert_int_equal(found, 7); /* every named edge exists */
        disco_sim_free(run.sim);
        disco_config_release(&cfg);
    }
    disco_scenario_release(&sc);
}

/* A graph without weights: every edge weighs 1.  The property must say so
 * (and the run must still end). */
static void test_unweighted_is_reported(void **unused)
{
    static const char *const specs[] = {"grid:3x3", "ring:8", "complete:6",
                                        "petersen"};
    for (int i = 0; i < 4; i++) {
        for (uint64_t seed = 1; seed <= 25; seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_ghs);
            cfg.seed = seed;
            cfg.max_events = 1000000;
            struct sim_run run;
            sim_run(&run, &disco_alg_ghs, specs[i], 1, &cfg);
            assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
            assert_int_equal(run.results[P_MST].holds, DISCO_HOLDS_NO);
            const char *detail = run.results[P_MST].detail;
            if (strncmp(detail, "weights are not distinct: ", 26) != 0 ||
                !strstr(detail, "both weigh 1 (the graph has no weights: use "
                                "--weights random)"))
                fail_msg("%s: %s", specs[i], detail);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

/* Two equal weights among distinct ones: reported, naming both edges, on
 * every schedule, whether or not the run happens to find a tree. */
static void test_equal_weights_are_reported(void **unused)
{
    /* A 4-cycle a-b-c-d with the chord a-c; a-b and c-d both weigh 2. */
    const struct disco_edge edges[] = {
        {0, 1, 2}, {1, 2, 3}, {2, 3, 2}, {3, 0, 4}, {0, 2, 5},
    };
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_build(&topo, 4, false, edges, 5, true,
                                          &err), 0);
    snprintf(topo.spec, sizeof topo.spec, "square");
    for (uint64_t seed = 1; seed <= 200; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ghs);
        cfg.seed = seed;
        cfg.max_events = 1000000;
        struct sim_run run;
        memset(&run, 0, sizeof run);
        sim_run_on(&run, &disco_alg_ghs, &topo, &cfg);
        assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
        assert_int_equal(run.results[P_MST].holds, DISCO_HOLDS_NO);
        assert_string_equal(run.results[P_MST].detail,
                            "weights are not distinct: edges 0-1 and 2-3 "
                            "both weigh 2");
        disco_sim_free(run.sim);
        disco_config_release(&cfg);
    }
    disco_topology_release(&topo);
}

/* Random graphs with weights drawn from a small range (many ties): always
 * reported, never a crash or an endless run. */
static void test_ties_never_pass(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    uint64_t seeds[5];
    connected_seeds("gnp:12:0.4", seeds, 5);
    for (int g = 0; g < 5; g++) {
        assert_int_equal(disco_topology_generate(&topo, "gnp:12:0.4",
                                                 seeds[g], &err), 0);
        for (uint64_t seed = 1; seed <= 100; seed++) {
            assert_int_equal(disco_topology_random_weights(&topo, seed, &err),
                             0);
            for (uint32_t c = 0; c < topo.channels; c++)
                topo.weight[c] = 1 + topo.weight[c] / 4; /* ties */
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_ghs);
            cfg.seed = seed;
            cfg.max_events = 1000000;
            struct sim_run run;
            memset(&run, 0, sizeof run);
            sim_run_on(&run, &disco_alg_ghs, &topo, &cfg);
            assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
            assert_int_equal(run.results[P_MST].holds, DISCO_HOLDS_NO);
            assert_memory_equal(run.results[P_MST].detail,
                                "weights are not distinct: ", 26);
            disco_sim_free(run.sim);
            disco_config_release(&cfg);
        }
        disco_topology_release(&topo);
    }
}

/* The state has room for 64 ports: a node of degree 65 is refused by the
 * property (and takes no part); degree 64 works. */
static void test_degree_limit(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, "star:65", 1, &err), 0);
    assert_int_equal(disco_topology_random_weights(&topo, 1, &err), 0);
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_ghs);
    run_checked(&topo, &cfg);
    disco_config_release(&cfg);
    disco_topology_release(&topo);

    assert_int_equal(disco_topology_generate(&topo, "star:66", 1, &err), 0);
    assert_int_equal(disco_topology_random_weights(&topo, 1, &err), 0);
    disco_config_init(&cfg, &disco_alg_ghs);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, &disco_alg_ghs, &topo, &cfg);
    assert_int_equal(run.results[P_MST].holds, DISCO_HOLDS_NO);
    assert_string_equal(run.results[P_MST].detail,
                        "node 0 has 65 neighbours; this implementation "
                        "supports at most 64");
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
    disco_topology_release(&topo);
}

/* FIFO is an assumption of the proof: asking for non-FIFO channels is
 * allowed but warned about. */
static void test_no_fifo_warns(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, "grid:3x3", 1, &err), 0);
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_ghs);
    char warning[256];
    assert_int_equal(disco_model_check(&disco_alg_ghs, &topo, &cfg, warning,
                                       sizeof warning, &err), 0);
    assert_string_equal(warning, "");
    cfg.fifo = false;
    assert_int_equal(disco_model_check(&disco_alg_ghs, &topo, &cfg, warning,
                                       sizeof warning, &err), 0);
    assert_non_null(strstr(warning, "FIFO"));
    disco_config_release(&cfg);
    disco_topology_release(&topo);
}

/* ... and the proof does need it: without FIFO a report can overtake the
 * initiate sent before it on the same edge.  Within 20 seeds some run
 * breaks a property; every run still ends and nothing crashes. */
static void test_no_fifo_breaks(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, "grid:4x4", 1, &err), 0);
    unsigned broken = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        assert_int_equal(disco_topology_random_weights(&topo, seed, &err), 0);
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ghs);
        cfg.seed = seed;
        cfg.fifo = false;
        cfg.max_events = 1000000;
        struct sim_run run;
        memset(&run, 0, sizeof run);
        sim_run_on(&run, &disco_alg_ghs, &topo, &cfg);
        assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
        broken += run.failed > 0;
        disco_sim_free(run.sim);
        disco_config_release(&cfg);
    }
    assert_true(broken > 0);
    disco_topology_release(&topo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_line),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_torus),
        cmocka_unit_test(test_hypercube),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_petersen),
        cmocka_unit_test(test_twenty_random_graphs),
        cmocka_unit_test(test_bound_random_graph),
        cmocka_unit_test(test_bound_complete),
        cmocka_unit_test(test_bound_ring),
        cmocka_unit_test(test_initiator_sets),
        cmocka_unit_test(test_other_delay_laws),
        cmocka_unit_test(test_two_nodes),
        cmocka_unit_test(test_lecture_scenario),
        cmocka_unit_test(test_unweighted_is_reported),
        cmocka_unit_test(test_equal_weights_are_reported),
        cmocka_unit_test(test_ties_never_pass),
        cmocka_unit_test(test_degree_limit),
        cmocka_unit_test(test_no_fifo_warns),
        cmocka_unit_test(test_no_fifo_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
