/*
 * test_bellman_ford.c - asynchronous Bellman-Ford: true shortest distances
 * and a shortest-path tree on every topology family under random weights,
 * many seeds, FIFO and not; the message bound with unit weights (BFS); a
 * detour the first message gets wrong; and the exponential family, where
 * the last node changes its mind 2^k times.
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
#include "support.h"

extern const struct disco_algorithm disco_alg_bellman_ford;

#define INF INT64_MAX

/* A node's dist and number of changes, as its state text tells them
 * ("source", "dist inf", "dist 12 via port 1 (3 changes)"). */
static int64_t dist_of(const struct sim_run *run, uint32_t v,
                       uint32_t *changes)
{
    char text[DISCO_STATE_TEXT];
    disco_alg_bellman_ford.format_state(
        disco_view_state(disco_sim_view(run->sim), v), text, sizeof text);
    long long d = 0;
    unsigned port = 0, c = 0;
    if (changes)
        *changes = 0;
    if (strcmp(text, "source") == 0)
        return 0;
    if (strcmp(text, "dist inf") == 0)
        return INF;
    assert_int_equal(sscanf(text, "dist %lld via port %u (%u changes)", &d,
                            &port, &c), 3);
    if (changes)
        *changes = c;
    return d;
}

/* The test's own all-pairs distances (Floyd-Warshall on the CSR), a second
 * opinion next to the algorithm's Dijkstra-based oracle. */
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
            uint32_t v = t->out_target[c];
            if (w < d[u * n + v])
                d[u * n + v] = w;
        }
    for (uint32_t k = 0; k < n; k++)
        for (uint32_t i = 0; i < n; i++)
            for (uint32_t j = 0; j < n; j++)
                if (d[i * n + k] != INF && d[k * n + j] != INF &&
                    d[i * n + k] + d[k * n + j] < d[i * n + j])
                    d[i * n + j] = d[i * n + k] + d[k * n + j];
    return d;
}

static int64_t heaviest(const struct disco_topology *t)
{
    int64_t w = 1;
    for (uint32_t c = 0; t->weight && c < t->channels; c++)
        if (t->weight[c] > w)
            w = t->weight[c];
    return w;
}

static const char *const delay_laws[] = {"uniform:1:100", "exp:20",
                                         "uniform:1:3"};

/* One run from `source`: every property holds, the distances agree with
 * Floyd-Warshall, the messages stay within (n-1)W|C|, and the causal
 * depth within 1 + the number of improvements.  Returns the messages. */
static uint64_t check_run(const struct disco_topology *topo, uint32_t source,
                          uint64_t seed, bool fifo, const int64_t *truth)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_bellman_ford);
    assert_false(cfg.sync);
    cfg.seed = seed;
    cfg.fifo = fifo;
    struct disco_error err;
    assert_int_equal(disco_delay_parse(&cfg.delay, delay_laws[seed % 3],
                                       &err), 0);
    sim_config_initiator(&cfg, source, topo->nodes);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, &disco_alg_bellman_ford, topo, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run.unchecked, 0);
    assert_all_hold(&run);
    uint32_t n = topo->nodes;
    uint64_t improvements = 0;
    for (uint32_t v = 0; v < n; v++) {
        uint32_t changes;
        assert_int_equal(dist_of(&run, v, &changes), truth[source * n + v]);
        improvements += changes;
    }
    uint64_t messages = run.metrics->messages;
    assert_true(messages <= (uint64_t)(n - 1) * (uint64_t)heaviest(topo) *
                                topo->channels);
    assert_true(run.metrics->causal_depth <= 1 + improvements);
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
    return messages;
}

/* 100 seeds, FIFO and not, each seed with its own random weights. */
static void weighted(const char *spec, uint64_t topo_seed)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, spec, topo_seed, &err), 0);
    for (uint64_t seed = 1; seed <= 100; seed++) {
        assert_int_equal(disco_topology_random_weights(&topo, seed, &err), 0);
        int64_t *truth = all_pairs(&topo);
        uint32_t source = (uint32_t)(seed % topo.nodes);
        check_run(&topo, source, seed, true, truth);
        check_run(&topo, source, seed, false, truth);
        free(truth);
    }
    disco_topology_release(&topo);
}

static void test_weighted_ring(void **unused) { weighted("ring:12", 1); }
static void test_weighted_grid(void **unused) { weighted("grid:4x5", 1); }
static void test_weighted_torus(void **unused) { weighted("torus:4x4", 1); }
static void test_weighted_hypercube(void **unused)
{
    weighted("hypercube:4", 1);
}
static void test_weighted_complete(void **unused) { weighted("complete:8", 1); }
static void test_weighted_petersen(void **unused) { weighted("petersen", 1); }
static void test_weighted_trees_and_regular(void **unused)
{
    weighted("tree:12", 2);
    weighted("btree:10", 1);
    weighted("regular:12:3", 3);
    weighted("line:6", 1);
}
static void test_weighted_random_graphs(void **unused)
{
    for (uint64_t g = 1; g <= 5; g++)
        weighted("gnp:16:0.3", g);
}

/* Unit weights: breadth-first search.  From every source, 100 seeds,
 * FIFO and not: hop distances, and at most
 *     deg(s) + sum over v != s of deg(v) (n - d(v))  <=  (n-1)|C|
 * messages (node v adopts at most the values d(v) .. n-1). */
static void unit(const char *spec)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, spec, 1, &err), 0);
    assert_null(topo.weight);
    uint32_t n = topo.nodes;
    int64_t *truth = all_pairs(&topo);
    for (uint32_t s = 0; s < n; s++) {
        uint64_t bound = disco_topology_degree(&topo, s);
        for (uint32_t v = 0; v < n; v++)
            if (v != s)
                bound += disco_topology_degree(&topo, v) *
                         (uint64_t)(n - truth[s * n + v]);
        assert_true(bound <= (uint64_t)(n - 1) * topo.channels);
        for (uint64_t seed = 1; seed <= 100; seed++) {
            uint64_t sent = check_run(&topo, s, seed, seed % 2, truth);
            assert_true(sent <= bound);
            assert_true(sent >= topo.channels); /* everyone sends once */
        }
    }
    free(truth);
    disco_topology_release(&topo);
}

static void test_bfs_every_source(void **unused)
{
    unit("grid:4x4");
    unit("petersen");
    unit("hypercube:3");
    unit("complete:6");
    unit("ring:8");
}

/* A triangle where the first message is wrong: s-a weighs 10, s-b and b-a
 * weigh 1.  With a constant delay a hears 10 from s before 1 from b: it
 * adopts 10, then 2, and the run costs exactly 2+2+2+2 = 8 messages.  With
 * random delays a adopts 10 or not (2 comes first), and b may first adopt
 * 11 through a before 1 from s: each adoption costs 2 messages, so a run
 * costs 6 (a: 2; b: 1), 8 (a: 10, 2; b: 1) or 10 (a: 10, 2; b: 11, 1). */
static void triangle(struct disco_topology *topo)
{
    const struct disco_edge edges[] = {{0, 1, 10}, {0, 2, 1}, {2, 1, 1}};
    struct disco_error err;
    assert_int_equal(disco_topology_build(topo, 3, false, edges, 3, true,
                                          &err), 0);
    snprintf(topo->spec, sizeof topo->spec, "triangle");
}

static void test_detour_constant_delay(void **unused)
{
    struct sim_run run;
    memset(&run, 0, sizeof run);
    triangle(&run.topo);
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_bellman_ford);
        struct disco_error err;
        assert_int_equal(disco_delay_parse(&cfg.delay, "const:5", &err), 0);
        cfg.seed = seed;
        cfg.fifo = seed % 2;
        sim_run_on(&run, &disco_alg_bellman_ford, &run.topo, &cfg);
        assert_all_hold(&run);
        assert_int_equal(run.metrics->messages, 8);
        uint32_t changes;
        assert_int_equal(dist_of(&run, 1, &changes), 2);
        assert_int_equal(changes, 2);
        assert_int_equal(dist_of(&run, 2, &changes), 1);
        assert_int_equal(changes, 1);
        disco_sim_free(run.sim);
        disco_config_release(&cfg);
    }
    disco_topology_release(&run.topo);
}

static void test_detour_random_delays(void **unused)
{
    struct sim_run run;
    memset(&run, 0, sizeof run);
    triangle(&run.topo);
    unsigned seen[11] = {0};
    for (uint64_t seed = 1; seed <= 200; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_bellman_ford);
        cfg.seed = seed;
        cfg.fifo = seed % 2;
        sim_run_on(&run, &disco_alg_bellman_ford, &run.topo, &cfg);
        assert_all_hold(&run);
        uint64_t sent = run.metrics->messages;
        assert_true(sent == 6 || sent == 8 || sent == 10);
        seen[sent]++;
        disco_sim_free(run.sim);
        disco_config_release(&cfg);
    }
    assert_true(seen[6] > 0 && seen[8] > 0 && seen[10] > 0);
    disco_topology_release(&run.topo);
}

/* The exponential family.  A chain v0 .. vk; between v_i and v_(i+1) a
 * heavy edge (weight 2^(i+1) + 1, delay 1) and a light path through u_i
 * (weights 1 and 2^i, delays 2^i and 1).  Heavy beats light by 2^i, more
 * than the spread of v_i's values, and the light path is slower than the
 * time v_i takes to go through them: so v_(i+1) first adopts every value
 * of v_i plus the heavy weight, then every value plus the light one, each
 * an improvement.  v_k changes its mind 2^k times, n = 2k + 1. */
static void chain(struct disco_topology *topo, struct disco_config *cfg,
                  uint32_t k)
{
    uint32_t n = 2 * k + 1;
    struct disco_edge *edges = malloc(3 * k * sizeof *edges);
    int64_t *delay_of = malloc(3 * k * sizeof *delay_of);
    assert_non_null(edges);
    assert_non_null(delay_of);
    for (uint32_t i = 0; i < k; i++) {
        uint32_t v = i, next = i + 1, u = k + 1 + i;
        edges[3 * i] = (struct disco_edge){v, next, (2 << i) + 1};
        edges[3 * i + 1] = (struct disco_edge){v, u, 1};
        edges[3 * i + 2] = (struct disco_edge){u, next, 1 << i};
        delay_of[3 * i] = 1;
        delay_of[3 * i + 1] = 1 << i;
        delay_of[3 * i + 2] = 1;
    }
    struct disco_error err;
    assert_int_equal(disco_topology_build(topo, n, false, edges, 3 * k, true,
                                          &err), 0);
    snprintf(topo->spec, sizeof topo->spec, "chain:%u", k);
    /* Per-channel constant delays, both ways of each edge. */
    cfg->channel.delay = calloc(topo->channels, sizeof *cfg->channel.delay);
    cfg->channel.use_delay = calloc(topo->channels, 1);
    assert_non_null(cfg->channel.delay);
    assert_non_null(cfg->channel.use_delay);
    for (uint32_t e = 0; e < 3 * k; e++) {
        for (int way = 0; way < 2; way++) {
            uint32_t from = way ? edges[e].to : edges[e].from;
            uint32_t to = way ? edges[e].from : edges[e].to;
            uint32_t c = disco_topology_find(topo, from, to);
            assert_int_not_equal(c, UINT32_MAX);
            cfg->channel.delay[c] = (struct disco_delay){
                .kind = DISCO_DELAY_CONST, .a = (uint64_t)delay_of[e]};
            cfg->channel.use_delay[c] = 1;
        }
    }
    free(edges);
    free(delay_of);
}

static void test_exponential_family(void **unused)
{
    for (uint32_t k = 1; k <= 10; k++) {
        uint64_t first = 0;
        for (uint64_t seed = 1; seed <= 100; seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_bellman_ford);
            cfg.seed = seed;
            struct sim_run run;
            memset(&run, 0, sizeof run);
            chain(&run.topo, &cfg, k);
            sim_run_on(&run, &disco_alg_bellman_ford, &run.topo, &cfg);
            assert_all_hold(&run);
            uint32_t changes;
            /* dist(v_k) = the light paths: sum of (1 + 2^i) = k + 2^k - 1 */
            assert_int_equal(dist_of(&run, k, &changes), k + (1u << k) - 1);
            assert_int_equal(changes, 1u << k);
            /* constant delays and FIFO: the same run on every seed */
            if (seed == 1)
                first = run.metrics->messages;
            assert_int_equal(run.metrics->messages, first);
            /* measured for k = 1..10, a regression check (v0 sends 2,
             * each middle v_i 4 per adoption, v_k 2 per adoption, the
             * u_i the rest): 8, 24, 60, 136, 292, ..., 10192 */
            assert_int_equal(first, 10 * (1u << k) - 4 * k - 8);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

/* The lecture scenario is the chain with k = 5: v5 adopts 32 distances. */
static void test_scenario_file(void **unused)
{
    struct disco_scenario sc;
    struct disco_error err;
    const char *path = env_path("DISCO_SCENARIOS",
                                "bellman-ford-exponential.dot");
    if (disco_scenario_load(&sc, path, &err) != 0)
        fail_msg("%s", err.message);
    assert_string_equal(disco_scenario_option(&sc, "algorithm"),
                        "bellman-ford");
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_bellman_ford);
    cfg.initiators = sc.initiators;
    cfg.channel = sc.channel;
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, &disco_alg_bellman_ford, &sc.topo, &cfg);
    assert_all_hold(&run);
    /* v5 is the node named "v5" */
    uint32_t v5 = UINT32_MAX;
    for (uint32_t v = 0; v < sc.topo.nodes; v++)
        if (strcmp(sc.topo.names[v], "v5") == 0)
            v5 = v;
    assert_int_not_equal(v5, UINT32_MAX);
    uint32_t changes;
    assert_int_equal(dist_of(&run, v5, &changes), 36);
    assert_int_equal(changes, 32);
    assert_int_equal(run.metrics->messages, 292);
    disco_sim_free(run.sim);
    /* the scenario owns what cfg borrowed */
    cfg.initiators = NULL;
    memset(&cfg.channel, 0, sizeof cfg.channel);
    disco_config_release(&cfg);
    disco_scenario_release(&sc);
}

/* The oracles are not vacuous. */
static void test_two_sources_are_caught(void **unused)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_bellman_ford);
    sim_config_initiators(&cfg, "0,5", 16);
    struct sim_run run;
    sim_run(&run, &disco_alg_bellman_ford, "grid:4x4", 1, &cfg);
    assert_int_equal(run.results[0].holds, DISCO_HOLDS_NO);
    assert_int_equal(run.results[1].holds, DISCO_HOLDS_NO);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_lost_messages_are_caught(void **unused)
{
    /* Half the messages lost: on most seeds some node ends with a wrong
     * distance, and the oracle must say so every time it happens. */
    unsigned caught = 0;
    for (uint64_t seed = 1; seed <= 50; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_bellman_ford);
        cfg.seed = seed;
        cfg.loss = 0.5;
        struct sim_run run;
        memset(&run, 0, sizeof run);
        struct disco_error err;
        assert_int_equal(disco_topology_generate(&run.topo, "grid:4x4", 1,
                                                 &err), 0);
        assert_int_equal(disco_topology_random_weights(&run.topo, seed, &err),
                         0);
        int64_t *truth = all_pairs(&run.topo);
        sim_run_on(&run, &disco_alg_bellman_ford, &run.topo, &cfg);
        bool wrong = false;
        for (uint32_t v = 0; v < 16; v++)
            wrong |= dist_of(&run, v, NULL) != truth[v];
        assert_int_equal(run.results[0].holds,
                         wrong ? DISCO_HOLDS_NO : DISCO_HOLDS_YES);
        caught += wrong;
        free(truth);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    assert_true(caught > 25);
}

static void test_negative_weight_is_reported(void **unused)
{
    /* A negative edge on an undirected graph is a negative cycle: the
     * distances fall for ever.  Bounded by --max-events, the run says why
     * (the other properties need termination and are not checked). */
    const struct disco_edge edges[] = {{0, 1, 2}, {1, 2, -1}};
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_bellman_ford);
    cfg.max_events = 10000;
    struct sim_run run;
    memset(&run, 0, sizeof run);
    struct disco_error err;
    assert_int_equal(disco_topology_build(&run.topo, 3, false, edges, 2, true,
                                          &err), 0);
    sim_run_on(&run, &disco_alg_bellman_ford, &run.topo, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_MAX_EVENTS);
    assert_int_equal(run.unchecked, 3);
    assert_int_equal(run.failed, 1);
    assert_string_equal(run.results[3].name, "weights_nonnegative");
    assert_string_equal(run.results[3].detail,
                        "edge 1-2 has weight -1: outside the model (weights "
                        "must be >= 0)");
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_model_refuses_sync_and_digraphs(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    char warning[256];
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_bellman_ford);
    assert_int_equal(disco_topology_generate(&topo, "grid:3x3", 1, &err), 0);
    assert_int_equal(disco_model_check(&disco_alg_bellman_ford, &topo, &cfg,
                                       warning, sizeof warning, &err),
                     0);
    assert_string_equal(warning, "");
    cfg.sync = true;
    assert_int_equal(disco_model_check(&disco_alg_bellman_ford, &topo, &cfg,
                                       warning, sizeof warning, &err),
                     DISCO_EMODEL);
    disco_topology_release(&topo);
    cfg.sync = false;
    assert_int_equal(disco_topology_generate(&topo, "uring:5", 1, &err), 0);
    assert_int_equal(disco_model_check(&disco_alg_bellman_ford, &topo, &cfg,
                                       warning, sizeof warning, &err),
                     DISCO_EMODEL);
    disco_topology_release(&topo);
    disco_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weighted_ring),
        cmocka_unit_test(test_weighted_grid),
        cmocka_unit_test(test_weighted_torus),
        cmocka_unit_test(test_weighted_hypercube),
        cmocka_unit_test(test_weighted_complete),
        cmocka_unit_test(test_weighted_petersen),
        cmocka_unit_test(test_weighted_trees_and_regular),
        cmocka_unit_test(test_weighted_random_graphs),
        cmocka_unit_test(test_bfs_every_source),
        cmocka_unit_test(test_detour_constant_delay),
        cmocka_unit_test(test_detour_random_delays),
        cmocka_unit_test(test_exponential_family),
        cmocka_unit_test(test_scenario_file),
        cmocka_unit_test(test_two_sources_are_caught),
        cmocka_unit_test(test_lost_messages_are_caught),
        cmocka_unit_test(test_negative_weight_is_reported),
        cmocka_unit_test(test_model_refuses_sync_and_digraphs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
