/*
 * test_deadlock.c - Chandy-Misra-Haas deadlock detection (AND model): the
 * worked case (a 5-cycle with one initiator costs exactly 5 probes), tails
 * that wait into a cycle, graphs without cycles, and random wait-for graphs,
 * each against a ground truth computed here from the graph alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "registry.h"
#include "scenario.h"
#include "support.h"

extern const struct disco_algorithm disco_alg_chandy_misra_haas;
#define CMH (&disco_alg_chandy_misra_haas)

#define MAX_N 32

/* ---- the ground truth, from the topology only ---- */

struct truth {
    uint32_t n;
    unsigned char reach[MAX_N][MAX_N]; /* reach[u][v]: a path u ->+ v */
    unsigned char on_cycle[MAX_N];
};

static void truth_of(struct truth *t, const struct disco_topology *topo)
{
    assert_true(topo->nodes <= MAX_N);
    memset(t, 0, sizeof *t);
    t->n = topo->nodes;
    for (uint32_t u = 0; u < t->n; u++)
        for (uint32_t c = topo->out_offset[u]; c < topo->out_offset[u + 1]; c++)
            t->reach[u][topo->out_target[c]] = 1;
    /* Warshall: paths of one edge or more. */
    for (uint32_t k = 0; k < t->n; k++)
        for (uint32_t u = 0; u < t->n; u++)
            if (t->reach[u][k])
                for (uint32_t v = 0; v < t->n; v++)
                    t->reach[u][v] |= t->reach[k][v];
    for (uint32_t v = 0; v < t->n; v++)
        t->on_cycle[v] = t->reach[v][v];
}

/* Probes on every schedule: each blocked initiator's probe is sent once
 * over every edge leaving a node it reaches (itself included). */
static uint64_t expected_probes(const struct truth *t,
                                const struct disco_topology *topo,
                                const unsigned char *initiator)
{
    uint64_t probes = 0;
    for (uint32_t i = 0; i < t->n; i++) {
        if (!initiator[i] || disco_topology_degree(topo, i) == 0)
            continue;
        for (uint32_t v = 0; v < t->n; v++)
            if (v == i || t->reach[i][v])
                probes += disco_topology_degree(topo, v);
    }
    return probes;
}

/* declared[v] = 1 when node v declared deadlock (asserting at most once). */
static void declared_of(const struct sim_run *run, unsigned char *declared)
{
    const struct disco_view *view = disco_sim_view(run->sim);
    memset(declared, 0, MAX_N);
    for (size_t k = 0; k < disco_view_decision_count(view); k++) {
        uint32_t v = disco_view_decision(view, k)->node;
        assert_true(v < MAX_N);
        assert_int_equal(declared[v], 0);
        declared[v] = 1;
    }
}

/* Run on `topo` with the initiators `initiator` (n entries) under `seed`
 * and FIFO or not; assert the declarations are exactly the initiators on
 * cycles, the probe count is exact, and every property holds.  Returns the
 * number of declarations. */
static unsigned run_and_judge(const struct disco_topology *topo,
                              const unsigned char *initiator, uint64_t seed,
                              bool fifo)
{
    struct truth t;
    truth_of(&t, topo);
    struct disco_config cfg;
    disco_config_init(&cfg, CMH);
    cfg.seed = seed;
    cfg.fifo = fifo;
    cfg.initiators = malloc(topo->nodes);
    assert_non_null(cfg.initiators);
    memcpy(cfg.initiators, initiator, topo->nodes);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, CMH, topo, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run.unchecked, 0);
    assert_all_hold(&run);
    assert_int_equal(run.metrics->messages,
                     expected_probes(&t, topo, initiator));
    assert_int_equal(run.metrics->by_kind[0], run.metrics->messages);
    unsigned char declared[MAX_N];
    declared_of(&run, declared);
    unsigned count = 0;
    for (uint32_t v = 0; v < topo->nodes; v++) {
        bool should = initiator[v] && t.on_cycle[v];
        if (declared[v] != should)
            fail_msg("seed %llu: node %u %s (on cycle %d, initiator %d)",
                     (unsigned long long)seed, v,
                     declared[v] ? "declared" : "did not declare",
                     t.on_cycle[v], initiator[v]);
        count += declared[v];
    }
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
    return count;
}

static void build(struct disco_topology *topo, uint32_t n,
                  const struct disco_edge *edges, size_t count)
{
    struct disco_error err;
    if (disco_topology_build(topo, n, true, edges, count, false, &err))
        fail_msg("%s", err.message);
    snprintf(topo->spec, sizeof topo->spec, "hand-made:%u", n);
}

static void cycle(struct disco_topology *topo, uint32_t k)
{
    struct disco_edge edges[MAX_N];
    for (uint32_t v = 0; v < k; v++)
        edges[v] = (struct disco_edge){v, (v + 1) % k, 1};
    build(topo, k, edges, k);
}

/* ---- the worked case ---- */

static void test_five_cycle_costs_five(void **unused)
{
    struct disco_topology topo;
    cycle(&topo, 5);
    for (uint32_t start = 0; start < 5; start++) {
        unsigned char init[5] = {0};
        init[start] = 1;
        for (int fifo = 0; fifo <= 1; fifo++)
            for (uint64_t seed = 1; seed <= 100; seed++) {
                struct disco_config cfg;
                disco_config_init(&cfg, CMH);
                cfg.seed = seed;
                cfg.fifo = fifo;
                cfg.initiators = malloc(5);
                memcpy(cfg.initiators, init, 5);
                struct sim_run run;
                memset(&run, 0, sizeof run);
                sim_run_on(&run, CMH, &topo, &cfg);
                assert_all_hold(&run);
                assert_int_equal(run.metrics->messages, 5);
                const struct disco_view *view = disco_sim_view(run.sim);
                assert_int_equal(disco_view_decision_count(view), 1);
                assert_int_equal(disco_view_decision(view, 0)->node, start);
                /* the probe walks the cycle: 5 hops in sequence */
                assert_int_equal(run.metrics->causal_depth, 5);
                disco_sim_free(run.sim);
                disco_config_release(&cfg);
            }
    }
    disco_topology_release(&topo);
}

/* The default: uring:5 with every process initiating, k^2 = 25 probes. */
static void test_default_run(void **unused)
{
    struct sim_run run;
    sim_run(&run, CMH, CMH->model.topology, 1, NULL);
    assert_int_equal(run.topo.nodes, 5);
    assert_int_equal(run.metrics->messages, 25);
    assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)), 5);
    assert_all_hold(&run);
    sim_run_release(&run);
}

/* A simple k-cycle: k probes with one initiator, k^2 with all. */
static void test_k_cycles(void **unused)
{
    for (uint32_t k = 2; k <= 16; k++) {
        struct disco_topology topo;
        cycle(&topo, k);
        unsigned char one[MAX_N] = {0}, all[MAX_N];
        memset(all, 1, sizeof all);
        one[k / 2] = 1;
        for (uint64_t seed = 1; seed <= 100; seed++) {
            assert_int_equal(run_and_judge(&topo, one, seed, seed % 2), 1);
            assert_int_equal(run_and_judge(&topo, all, seed, seed % 2), k);
        }
        disco_topology_release(&topo);
    }
}

/* ---- tails and graphs without cycles ---- */

/* 0 -> 1 -> 2 -> 0 with the tail 4 -> 3 -> 0: 3 and 4 are blocked forever
 * but on no cycle, so they never declare. */
static void test_tail_never_declares(void **unused)
{
    const struct disco_edge edges[] = {
        {0, 1, 1}, {1, 2, 1}, {2, 0, 1}, {3, 0, 1}, {4, 3, 1},
    };
    struct disco_topology topo;
    build(&topo, 5, edges, 5);
    unsigned char all[5] = {1, 1, 1, 1, 1}, tail_only[5] = {0, 0, 0, 1, 1};
    for (uint64_t seed = 1; seed <= 100; seed++)
        for (int fifo = 0; fifo <= 1; fifo++) {
            assert_int_equal(run_and_judge(&topo, all, seed, fifo), 3);
            assert_int_equal(run_and_judge(&topo, tail_only, seed, fifo), 0);
        }
    disco_topology_release(&topo);
}

/* A directed acyclic wait-for graph: much waiting, no deadlock. */
static void test_no_cycle_no_declaration(void **unused)
{
    /* every u waits for every v > u: the densest acyclic graph */
    struct disco_edge edges[MAX_N * MAX_N];
    size_t count = 0;
    for (uint32_t u = 0; u < 8; u++)
        for (uint32_t v = u + 1; v < 8; v++)
            edges[count++] = (struct disco_edge){u, v, 1};
    struct disco_topology topo;
    build(&topo, 8, edges, count);
    unsigned char all[8];
    memset(all, 1, sizeof all);
    for (uint64_t seed = 1; seed <= 100; seed++)
        assert_int_equal(run_and_judge(&topo, all, seed, seed % 2), 0);
    disco_topology_release(&topo);
}

/* ---- random wait-for graphs ---- */

static uint64_t next(uint64_t *x)
{
    /* xorshift64*: the test's own stream, independent of the kernel's */
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 2685821657736338717ull;
}

static void test_random_graphs(void **unused)
{
    unsigned graphs_with_cycle = 0, graphs_without = 0, tails = 0;
    unsigned declarations = 0;
    for (uint64_t g = 1; g <= 150; g++) {
        uint64_t x = g * 0x9e3779b97f4a7c15ull;
        uint32_t n = 2 + (uint32_t)(next(&x) % 13);
        unsigned percent = 5 + (unsigned)(next(&x) % 30);
        struct disco_edge edges[MAX_N * MAX_N];
        size_t count = 0;
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t v = 0; v < n; v++)
                if (u != v && next(&x) % 100 < percent)
                    edges[count++] = (struct disco_edge){u, v, 1};
        if (count == 0)
            edges[count++] = (struct disco_edge){0, 1, 1};
        struct disco_topology topo;
        build(&topo, n, edges, count);
        /* every process, or a random half of them, initiates */
        unsigned char init[MAX_N];
        for (uint32_t v = 0; v < n; v++)
            init[v] = g % 3 == 0 ? 1 : (unsigned char)(next(&x) % 2);
        struct truth t;
        truth_of(&t, &topo);
        bool any_cycle = false;
        for (uint32_t v = 0; v < n; v++) {
            any_cycle |= t.on_cycle[v];
            /* a blocked initiator off every cycle that reaches one */
            bool reaches_cycle = false;
            for (uint32_t w = 0; w < n; w++)
                reaches_cycle |= t.reach[v][w] && t.on_cycle[w];
            tails += init[v] && !t.on_cycle[v] && reaches_cycle;
        }
        graphs_with_cycle += any_cycle;
        graphs_without += !any_cycle;
        for (uint64_t seed = 1; seed <= 20; seed++)
            declarations += run_and_judge(&topo, init, seed, seed % 2);
        disco_topology_release(&topo);
    }
    /* the sample covers every case the properties speak of */
    assert_true(graphs_with_cycle >= 30);
    assert_true(graphs_without >= 10);
    assert_true(tails >= 30);
    assert_true(declarations > 0);
}

/* ---- the oracles are not vacuous ---- */

/* A liar: every blocked initiator declares at once, sending nothing. */
static void liar_init(struct disco_ctx *ctx, void *state)
{
    if (disco_is_initiator(ctx) && disco_out_degree(ctx) > 0)
        disco_decide(ctx, disco_id(ctx));
}

/* A mute: nobody ever probes or declares. */
static void mute_init(struct disco_ctx *ctx, void *state) {}

static void test_oracles_catch_wrong_runs(void **unused)
{
    /* the cycle 0 -> 1 -> 2 -> 0 and the tail 3 -> 0; everyone initiates */
    const struct disco_edge edges[] = {
        {0, 1, 1}, {1, 2, 1}, {2, 0, 1}, {3, 0, 1},
    };
    struct disco_topology topo;
    build(&topo, 4, edges, 4);
    struct disco_algorithm liar = *CMH, mute = *CMH;
    liar.init = liar_init;
    mute.init = mute_init;
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, &liar, &topo, NULL);
    /* sound, complete, declares_once, probes_exact in that order */
    assert_int_equal(run.results[0].holds, DISCO_HOLDS_NO);
    assert_string_equal(run.results[0].detail,
                        "node 3 declared deadlock but is on no wait-for "
                        "cycle");
    assert_int_equal(run.results[1].holds, DISCO_HOLDS_YES);
    assert_int_equal(run.results[2].holds, DISCO_HOLDS_YES);
    assert_int_equal(run.results[3].holds, DISCO_HOLDS_NO);
    disco_sim_free(run.sim);

    memset(&run, 0, sizeof run);
    sim_run_on(&run, &mute, &topo, NULL);
    assert_int_equal(run.results[0].holds, DISCO_HOLDS_YES);
    assert_int_equal(run.results[1].holds, DISCO_HOLDS_NO);
    assert_string_equal(run.results[1].detail,
                        "initiator 0 is on a wait-for cycle but never "
                        "declared deadlock");
    assert_int_equal(run.results[3].holds, DISCO_HOLDS_NO);
    disco_sim_free(run.sim);

    /* the real one, with only the tail initiating: its probe crosses
     * 3 -> 0 and goes once round the cycle, 4 probes, and nobody declares */
    struct disco_config cfg;
    disco_config_init(&cfg, CMH);
    sim_config_initiators(&cfg, "3", 4);
    memset(&run, 0, sizeof run);
    sim_run_on(&run, CMH, &topo, &cfg);
    assert_all_hold(&run);
    assert_int_equal(run.metrics->messages, 4);
    assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)), 0);
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
    disco_topology_release(&topo);
}

/* ---- the lecture scenarios ---- */

struct scenario_case {
    const char *file;
    uint64_t probes;
    const char *declared[8]; /* node names, NULL-terminated */
};

static void scenario_runs(const struct scenario_case *c)
{
    struct disco_scenario sc;
    struct disco_error err;
    if (disco_scenario_load(&sc, env_path("DISCO_SCENARIOS", c->file), &err))
        fail_msg("%s", err.message);
    assert_string_equal(disco_scenario_option(&sc, "algorithm"),
                        "chandy-misra-haas");
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, CMH);
        cfg.seed = seed;
        cfg.fifo = seed % 2;
        /* each run takes its own copy of the node settings */
        struct disco_scenario copy;
        if (disco_scenario_load(&copy, env_path("DISCO_SCENARIOS", c->file),
                                &err))
            fail_msg("%s", err.message);
        assert_int_equal(disco_scenario_apply(&copy, &cfg, &err), 0);
        struct sim_run run;
        memset(&run, 0, sizeof run);
        sim_run_on(&run, CMH, &sc.topo, &cfg);
        assert_all_hold(&run);
        assert_int_equal(run.metrics->messages, c->probes);
        unsigned char declared[MAX_N];
        declared_of(&run, declared);
        for (uint32_t v = 0; v < sc.topo.nodes; v++) {
            bool listed = false;
            for (int k = 0; c->declared[k]; k++)
                listed |= strcmp(c->declared[k], sc.topo.names[v]) == 0;
            if (declared[v] != listed)
                fail_msg("%s seed %llu: %s %s", c->file,
                         (unsigned long long)seed, sc.topo.names[v],
                         listed ? "did not declare" : "declared");
        }
        disco_sim_free(run.sim);
        disco_config_release(&cfg);
        disco_scenario_release(&copy);
    }
    disco_scenario_release(&sc);
}

static void test_scenario_cycle5(void **unused)
{
    static const struct scenario_case c = {"deadlock-cycle5.dot", 5, {"p0"}};
    scenario_runs(&c);
}

static void test_scenario_tail(void **unused)
{
    static const struct scenario_case c = {"deadlock-tail.dot", 18,
                                           {"a", "b", "c"}};
    scenario_runs(&c);
}

static void test_scenario_no_cycle(void **unused)
{
    static const struct scenario_case c = {"deadlock-no-cycle.dot", 17, {0}};
    scenario_runs(&c);
}

/* ---- through the command line ---- */

/* The tail scenario, twice with the same options: the same trace and
 * summary byte for byte, with the exact result. */
static void test_cli_reproducible(void **unused)
{
    char *dir = tmpdir_create();
    char *text[2][2];
    for (int k = 0; k < 2; k++) {
        char out[512];
        snprintf(out, sizeof out, "%s/run%d", dir, k);
        const char *argv[] = {NULL, "run",
                              env_path("DISCO_SCENARIOS", "deadlock-tail.dot"),
                              "--seed", "5", "--no-fifo", "--out", out, NULL};
        struct cli_output o;
        cli_run(&o, argv);
        assert_int_equal(o.status, 0);
        cli_output_release(&o);
        char path[600];
        snprintf(path, sizeof path, "%s/trace.jsonl", out);
        text[k][0] = file_read(path, NULL);
        snprintf(path, sizeof path, "%s/summary.json", out);
        text[k][1] = file_read(path, NULL);
        assert_non_null(text[k][0]);
        assert_non_null(text[k][1]);
    }
    assert_non_null(strstr(text[0][0], "\"probe\""));
    assert_non_null(strstr(text[0][1], "\"result\": {\"declarations\": 3, "
                           "\"probes\": 18, \"deadlocked\": [0, 1, 2]}"));
    assert_string_equal(text[0][0], text[1][0]);
    assert_string_equal(text[0][1], text[1][1]);
    for (int k = 0; k < 2; k++) {
        free(text[k][0]);
        free(text[k][1]);
    }
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_five_cycle_costs_five),
        cmocka_unit_test(test_default_run),
        cmocka_unit_test(test_k_cycles),
        cmocka_unit_test(test_tail_never_declares),
        cmocka_unit_test(test_no_cycle_no_declaration),
        cmocka_unit_test(test_random_graphs),
        cmocka_unit_test(test_oracles_catch_wrong_runs),
        cmocka_unit_test(test_scenario_cycle5),
        cmocka_unit_test(test_scenario_tail),
        cmocka_unit_test(test_scenario_no_cycle),
        cmocka_unit_test(test_cli_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
