/*
 * test_tree.c - the tree algorithm: exactly N tokens and exactly two
 * neighbouring deciders on every tree shape, many seeds, FIFO and not;
 * sleeping leaves; duplicated tokens; the model check.
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

extern const struct disco_algorithm disco_alg_tree;

/* The two deciders of a finished run, checked against the real topology
 * here too (not only by the algorithm's property). */
static void assert_two_neighbours_decided(const struct sim_run *run)
{
    const struct disco_view *view = disco_sim_view(run->sim);
    assert_int_equal(disco_view_decision_count(view), 2);
    uint32_t u = disco_view_decision(view, 0)->node;
    uint32_t v = disco_view_decision(view, 1)->node;
    assert_int_not_equal(u, v);
    assert_int_not_equal(disco_topology_find(&run->topo, u, v), UINT32_MAX);
}

/* The diameter of a tree: the farthest node from the node farthest from
 * node 0. */
static uint32_t farthest(const struct disco_topology *t, uint32_t from,
                         uint32_t *far)
{
    uint32_t n = t->nodes, *dist = malloc(n * sizeof *dist);
    uint32_t *queue = malloc(n * sizeof *queue), head = 0, tail = 0;
    for (uint32_t v = 0; v < n; v++)
        dist[v] = UINT32_MAX;
    dist[from] = 0;
    queue[tail++] = from;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t c = t->out_offset[u]; c < t->out_offset[u + 1]; c++)
            if (dist[t->out_target[c]] == UINT32_MAX) {
                dist[t->out_target[c]] = dist[u] + 1;
                queue[tail++] = t->out_target[c];
            }
    }
    *far = queue[tail - 1];
    uint32_t d = dist[*far];
    free(dist);
    free(queue);
    return d;
}

static uint32_t tree_diameter(const struct disco_topology *t)
{
    uint32_t a, b;
    farthest(t, 0, &a);
    return farthest(t, a, &b);
}

/* Seeds 1..100 with FIFO on and off: N tokens, two adjacent deciders,
 * every property; no chain of tokens longer than the diameter. */
static void tree_on(const char *spec, uint64_t topo_seed)
{
    for (int fifo = 0; fifo <= 1; fifo++) {
        for (uint64_t seed = 1; seed <= 100; seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_tree);
            cfg.seed = seed;
            cfg.fifo = fifo;
            struct sim_run run;
            sim_run(&run, &disco_alg_tree, spec, topo_seed, &cfg);
            assert_int_equal(run.metrics->messages, run.topo.nodes);
            assert_int_equal(run.metrics->by_kind[0], run.topo.nodes);
            assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
            assert_int_equal(run.unchecked, 0);
            assert_all_hold(&run);
            assert_two_neighbours_decided(&run);
            assert_true(run.metrics->causal_depth <= tree_diameter(&run.topo));
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

static void test_random_trees(void **unused)
{
    /* Ten random trees of each size, 100 seeds each. */
    for (uint64_t g = 1; g <= 10; g++) {
        tree_on("tree:12", g);
        tree_on("tree:31", g);
    }
}

static void test_binary_trees(void **unused)
{
    tree_on("btree:7", 1);
    tree_on("btree:15", 1);
    tree_on("btree:20", 1);
}

static void test_lines(void **unused)
{
    tree_on("line:2", 1);
    tree_on("line:3", 1);
    tree_on("line:9", 1);
    tree_on("line:16", 1);
}

static void test_stars(void **unused)
{
    tree_on("star:3", 1);
    tree_on("star:10", 1);
    tree_on("star:40", 1);
}

static void run_with(struct sim_run *run, const char *spec,
                     const char *initiators, const char *delay)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_tree);
    struct disco_error err;
    memset(run, 0, sizeof *run);
    assert_int_equal(disco_topology_generate(&run->topo, spec, 1, &err), 0);
    if (initiators)
        sim_config_initiators(&cfg, initiators, run->topo.nodes);
    if (delay)
        assert_int_equal(disco_delay_parse(&cfg.delay, delay, &err), 0);
    sim_run_on(run, &disco_alg_tree, &run->topo, &cfg);
    disco_config_release(&cfg);
}

static void test_line4_worked_case(void **unused)
{
    /* line:4 with every delay 1: the leaves 0 and 3 send at t=0, nodes 1
     * and 2 then send to each other at t=1 and both decide at t=2 on the
     * middle edge: 4 tokens. */
    struct sim_run run;
    run_with(&run, "line:4", NULL, "const:1");
    assert_int_equal(run.metrics->messages, 4);
    assert_all_hold(&run);
    const struct disco_view *view = disco_sim_view(run.sim);
    assert_int_equal(disco_view_decision_count(view), 2);
    uint32_t a = disco_view_decision(view, 0)->node;
    uint32_t b = disco_view_decision(view, 1)->node;
    assert_int_equal(a + b, 3);
    assert_true(a == 1 || a == 2);
    assert_int_equal(disco_view_decision(view, 0)->time, 2);
    assert_int_equal(disco_view_decision(view, 1)->time, 2);
    assert_int_equal(run.metrics->causal_depth, 2);
    sim_run_release(&run);
}

static void test_one_sleeping_leaf(void **unused)
{
    /* star:6 (centre 0) with leaf 5 asleep: the centre hears from leaves
     * 1..4, sends to 5, which wakes, answers and decides with it.  Still
     * N = 6 tokens, on every seed. */
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_tree);
        cfg.seed = seed;
        cfg.fifo = seed % 2;
        sim_config_initiators(&cfg, "1,2,3,4", 6);
        struct sim_run run;
        sim_run(&run, &disco_alg_tree, "star:6", 1, &cfg);
        assert_int_equal(run.metrics->messages, 6);
        assert_all_hold(&run);
        const struct disco_view *view = disco_sim_view(run.sim);
        assert_int_equal(disco_view_decision(view, 0)->node +
                             disco_view_decision(view, 1)->node,
                         5);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

static void test_two_sleeping_leaves_stall(void **unused)
{
    /* Leaves 4 and 5 asleep: the centre hears from 3 of its 5 neighbours
     * and waits for ever.  The oracles must say so. */
    struct sim_run run;
    run_with(&run, "star:6", "1,2,3", NULL);
    assert_int_equal(run.metrics->messages, 3);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)), 0);
    assert_int_equal(run.failed, 3);
    assert_string_equal(run.results[0].detail, "0 decisions (expected 2)");
    assert_string_equal(run.results[2].detail, "3 tokens, N = 6");
    sim_run_release(&run);
}

static void test_inner_initiators_wait(void **unused)
{
    /* Only the leaves initiate on btree:7 (3..6): the same run as with
     * every process initiating, since inner processes wait anyway. */
    for (uint64_t seed = 1; seed <= 20; seed++) {
        uint64_t time[2];
        for (int all = 0; all <= 1; all++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_tree);
            cfg.seed = seed;
            sim_config_initiators(&cfg, all ? "all" : "3,4,5,6", 7);
            struct sim_run run;
            sim_run(&run, &disco_alg_tree, "btree:7", 1, &cfg);
            assert_int_equal(run.metrics->messages, 7);
            assert_all_hold(&run);
            time[all] = run.metrics->time;
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
        assert_int_equal(time[0], time[1]);
    }
}

static void test_lone_process(void **unused)
{
    /* line:1: no channel, no token; the lone process decides alone. */
    struct sim_run run;
    run_with(&run, "line:1", NULL, NULL);
    assert_int_equal(run.metrics->messages, 0);
    assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)), 1);
    assert_all_hold(&run);
    sim_run_release(&run);
}

static void test_duplication_counts_each_neighbour_once(void **unused)
{
    /* Tel assumes reliable channels; under duplication (every token twice
     * at --dup 1) a process ignores a neighbour's second token.  The old
     * count (the sum of the ports heard on) then named a port that does
     * not exist; now the run is the wave it should be: N tokens sent,
     * two neighbours decide, every property holds. */
    /* star:100's centre has 99 ports, more than a 64-bit mask of ports
     * heard could hold (a sketch that tried one, and fell back on the sum
     * past port 63, answered a leaf already heard). */
    const char *specs[] = {"tree:12", "star:10", "line:9", "btree:15",
                           "star:100"};
    const double dups[] = {1, 0.3};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        for (size_t d = 0; d < sizeof dups / sizeof dups[0]; d++)
            for (uint64_t seed = 1; seed <= 50; seed++) {
                struct disco_config cfg;
                disco_config_init(&cfg, &disco_alg_tree);
                cfg.seed = seed;
                cfg.fifo = seed % 2;
                cfg.dup = dups[d];
                struct sim_run run;
                sim_run(&run, &disco_alg_tree, specs[i], seed, &cfg);
                assert_int_equal(run.metrics->messages, run.topo.nodes);
                if (dups[d] == 1)
                    assert_int_equal(run.metrics->duplicated,
                                     run.topo.nodes);
                assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
                assert_all_hold(&run);
                assert_two_neighbours_decided(&run);
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
}

static void test_refuses_graphs_with_cycles(void **unused)
{
    const char *specs[] = {"ring:6", "grid:3x3", "petersen", "uring:5"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        struct disco_topology topo;
        struct disco_error err;
        assert_int_equal(disco_topology_generate(&topo, specs[i], 1, &err), 0);
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_tree);
        char warning[256];
        assert_int_equal(disco_model_check(&disco_alg_tree, &topo, &cfg,
                                           warning, sizeof warning, &err),
                         DISCO_EMODEL);
        disco_config_release(&cfg);
        disco_topology_release(&topo);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_trees),
        cmocka_unit_test(test_binary_trees),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_stars),
        cmocka_unit_test(test_line4_worked_case),
        cmocka_unit_test(test_one_sleeping_leaf),
        cmocka_unit_test(test_two_sleeping_leaves_stall),
        cmocka_unit_test(test_inner_initiators_wait),
        cmocka_unit_test(test_lone_process),
        cmocka_unit_test(test_duplication_counts_each_neighbour_once),
        cmocka_unit_test(test_refuses_graphs_with_cycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
