/*
 * test_hirschberg_sinclair.c - Hirschberg-Sinclair in rounds (Lynch 3.4)
 * and asynchronously (Lynch 15.1.2): the oracles' verdicts, the message
 * bound 8n(1+ceil(log2 n)) and the time bound 3n / 5n over random
 * placements, the exact token count a placement determines on every
 * schedule, and independence from the ports' orientation; duplicated
 * tokens.
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

extern const struct disco_algorithm disco_alg_hirschberg_sinclair;
#define HS (&disco_alg_hirschberg_sinclair)
enum { OUT, IN, REPORT };

#define MAX_N 128

/* ---- what the textbook predicts, from the ids in cycle order ---- */

static uint32_t ceil_log2(uint32_t n)
{
    uint32_t l = 0;
    while ((1u << l) < n)
        l++;
    return l;
}

/* Hops from position i, stepping `dir` (+1 or -1) round the cycle, to the
 * first larger id; n when there is none. */
static uint64_t gap(const int64_t *cycle, uint32_t n, uint32_t i, int dir)
{
    for (uint64_t k = 1; k < n; k++) {
        uint32_t j = (uint32_t)(((int64_t)i + dir * (int64_t)k % n + n) % n);
        if (cycle[j] > cycle[i])
            return k;
    }
    return n;
}

/* Lynch's analysis, token by token: phase l sends a token each way that
 * ends at the first larger id within 2^l hops (or, for the maximum, comes
 * home after n), else turns back after 2^l hops and costs 2 * 2^l. */
static uint64_t expected_tokens(const int64_t *cycle, uint32_t n)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t g[2] = {gap(cycle, n, i, +1), gap(cycle, n, i, -1)};
        for (uint64_t d = 1;; d *= 2) {
            uint64_t cost = 0;
            bool back = true;
            for (int side = 0; side < 2; side++) {
                cost += g[side] <= d ? g[side] : 2 * d;
                back &= g[side] > d;
            }
            total += cost;
            if (!back)
                break;
        }
    }
    return total;
}

/* The round in which the leader knows, every process starting at round 0:
 * phase l starts at 2(2^l - 1), the last phase l = ceil(log2 n) takes n. */
static uint64_t leader_round(uint32_t n)
{
    return 2 * ((1u << ceil_log2(n)) - 1) + n;
}

static uint64_t token_bound(uint32_t n)
{
    return 8ull * n * (1 + ceil_log2(n));
}

/* ---- running it ---- */

struct hs_case {
    uint32_t n;
    int64_t cycle[MAX_N]; /* ids in the order of the cycle */
};

/* A ring whose cycle visits the nodes in the order `order` (NULL: 0, 1,
 * ..., n-1, the generated ring:n), so that port 0 leads one way at some
 * nodes and the other way at others. */
static void build_ring(struct disco_topology *topo, uint32_t n,
                       const uint32_t *order)
{
    struct disco_edge edges[MAX_N];
    for (uint32_t k = 0; k < n; k++) {
        uint32_t a = order ? order[k] : k, b = order ? order[(k + 1) % n]
                                                     : (k + 1) % n;
        edges[k] = (struct disco_edge){a, b, 1};
    }
    struct disco_error err;
    assert_int_equal(disco_topology_build(topo, n, false, edges, n, false,
                                          &err),
                     0);
    snprintf(topo->spec, sizeof topo->spec, "ring of %u", n);
}

/* Run HS on `topo` with cfg (ids set) and check the model, properties and
 * exact counts every run must show; fill `c` with the ids in cycle order
 * (along `order`, NULL: node order). */
static void run_hs(struct sim_run *run, struct disco_topology *topo,
                   struct disco_config *cfg, const uint32_t *order,
                   struct hs_case *c)
{
    struct disco_error err;
    char warning[256];
    assert_int_equal(disco_model_check(HS, topo, cfg, warning, sizeof warning,
                                       &err),
                     0);
    assert_string_equal(warning, "");
    memset(run, 0, sizeof *run);
    sim_run_on(run, HS, topo, cfg);
    assert_all_hold(run);
    assert_int_equal(run->unchecked, 0);
    assert_int_equal(run->metrics->stop, DISCO_STOP_QUIESCENT);
    c->n = topo->nodes;
    for (uint32_t k = 0; k < c->n; k++)
        c->cycle[k] = cfg->ids[order ? order[k] : k];
    uint64_t tokens = run->metrics->by_kind[OUT] + run->metrics->by_kind[IN];
    assert_int_equal(tokens, expected_tokens(c->cycle, c->n));
    assert_true(tokens <= token_bound(c->n));
    assert_int_equal(run->metrics->by_kind[REPORT], c->n);
}

/* In rounds: the leader knows in round 2(2^ceil(log2 n) - 1) + n, within
 * 3n (n a power of 2) or 5n; the report reaches one more process per round
 * and the run ends when it is home. */
static void assert_sync_times(const struct sim_run *run, uint32_t n)
{
    uint64_t t = leader_round(n);
    bool power = (n & (n - 1)) == 0;
    assert_true(t <= (power ? 3ull * n : 5ull * n));
    const struct disco_view *view = disco_sim_view(run->sim);
    assert_int_equal(disco_view_decision_count(view), n);
    unsigned char seen[MAX_N] = {0};
    int64_t max = disco_view_max_id(view, NULL);
    for (size_t i = 0; i < n; i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        assert_true(d->time >= t && d->time < t + n);
        assert_int_equal(seen[d->time - t], 0);
        seen[d->time - t] = 1;
        if (d->time == t)
            assert_int_equal(disco_view_id(view, d->node), max);
    }
    assert_int_equal(run->metrics->rounds, t + n);
}

static void random_case(struct disco_config *cfg, uint32_t n, uint64_t seed,
                        bool sync, bool fifo, const char *delay)
{
    disco_config_init(cfg, HS);
    cfg->seed = seed;
    cfg->sync = sync;
    cfg->fifo = fifo;
    cfg->max_events = 1000000; /* a broken version fails, not hangs */
    struct disco_error err;
    assert_int_equal(disco_ids_parse(cfg, "random", n, &err), 0);
    if (delay)
        assert_int_equal(disco_delay_parse(&cfg->delay, delay, &err), 0);
}

/* 1,000 random placements in rounds on ring:16, and 1,000 on rings of 3 to
 * 128 nodes. */
static void test_sync_random_placements(void **unused)
{
    for (int family = 0; family < 2; family++) {
        for (uint64_t seed = 1; seed <= 1000; seed++) {
            uint32_t n = family == 0 ? 16 : 3 + (uint32_t)(seed * 7 % 126);
            struct disco_topology topo;
            build_ring(&topo, n, NULL);
            struct disco_config cfg;
            random_case(&cfg, n, seed, true, true, NULL);
            struct sim_run run;
            struct hs_case c;
            run_hs(&run, &topo, &cfg, NULL, &c);
            assert_sync_times(&run, n);
            sim_run_release(&run);
            disco_topology_release(&topo);
            disco_config_release(&cfg);
        }
    }
}

/* The generated ring:n and the default config: rounds, and the same
 * tokens whatever the seed, delay law or FIFO-ness (ignored in rounds). */
static void test_sync_default_run(void **unused)
{
    struct disco_config cfg;
    disco_config_init(&cfg, HS);
    assert_true(cfg.sync);
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_config c;
        random_case(&c, 16, 42, true, seed % 2,
                    seed % 3 ? "exp:30" : "uniform:1:5");
        c.seed = seed; /* the ids stay those of seed 42 */
        struct sim_run run;
        sim_run(&run, HS, "ring:16", 1, &c);
        assert_all_hold(&run);
        assert_sync_times(&run, 16);
        sim_run_release(&run);
        disco_config_release(&c);
    }
    disco_config_release(&cfg);
}

/* Asynchronously, the leader's own tokens make a chain of
 * 2(2^ceil(log2 n) - 1) + n hops, each taking one delay: with delays in
 * [a, b] it decides between a and b times that; with const:3 exactly 3
 * times (the synchronous run, slowed down). */
static void assert_async_time(const struct sim_run *run, uint32_t n,
                              struct disco_delay delay)
{
    const struct disco_view *view = disco_sim_view(run->sim);
    int64_t max = disco_view_max_id(view, NULL);
    uint64_t chain = leader_round(n), t = UINT64_MAX;
    for (size_t i = 0; i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (disco_view_id(view, d->node) == max)
            t = d->time;
    }
    if (delay.kind == DISCO_DELAY_CONST) {
        assert_int_equal(t, chain * delay.a);
    } else if (delay.kind == DISCO_DELAY_UNIFORM) {
        assert_true(t >= chain * delay.a);
        assert_true(t <= chain * delay.b);
    } else {
        assert_true(t >= chain);
    }
}

/* Asynchronously, 100 seeds each with FIFO and non-FIFO channels (the
 * algorithm does not need FIFO: each process has at most its two current
 * tokens in flight), under three delay laws, on several ring sizes: every
 * property, and the very tokens the placement predicts. */
static void test_async_seeds(void **unused)
{
    static const uint32_t sizes[] = {3, 5, 8, 13, 16, 33, 64};
    static const char *const delays[] = {"uniform:1:100", "exp:20",
                                         "const:3"};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint32_t n = sizes[i];
        for (uint64_t seed = 1; seed <= 100; seed++) {
            for (int fifo = 0; fifo < 2; fifo++) {
                struct disco_topology topo;
                build_ring(&topo, n, NULL);
                struct disco_config cfg;
                random_case(&cfg, n, seed, false, fifo, delays[seed % 3]);
                struct sim_run run;
                struct hs_case c;
                run_hs(&run, &topo, &cfg, NULL, &c);
                assert_async_time(&run, n, cfg.delay);
                sim_run_release(&run);
                disco_topology_release(&topo);
                disco_config_release(&cfg);
            }
        }
    }
}

/* The same placement costs the same tokens in rounds and asynchronously. */
static void test_sync_equals_async(void **unused)
{
    for (uint64_t seed = 1; seed <= 100; seed++) {
        uint64_t tokens[2];
        for (int sync = 0; sync < 2; sync++) {
            struct disco_topology topo;
            build_ring(&topo, 24, NULL);
            struct disco_config cfg;
            random_case(&cfg, 24, seed, sync, false, "exp:50");
            struct sim_run run;
            struct hs_case c;
            run_hs(&run, &topo, &cfg, NULL, &c);
            tokens[sync] = run.metrics->by_kind[OUT] +
                           run.metrics->by_kind[IN];
            sim_run_release(&run);
            disco_topology_release(&topo);
            disco_config_release(&cfg);
        }
        assert_int_equal(tokens[0], tokens[1]);
    }
}

/* Rings whose node numbering is shuffled: port 0 leads clockwise at some
 * nodes and anticlockwise at others.  Nothing changes. */
static void test_orientation_free(void **unused)
{
    for (uint64_t seed = 1; seed <= 100; seed++) {
        uint32_t n = 3 + (uint32_t)(seed % 30);
        uint32_t order[MAX_N];
        struct disco_rng rng;
        disco_rng_init(&rng, seed, 99);
        for (uint32_t k = 0; k < n; k++)
            order[k] = k;
        for (uint32_t k = n - 1; k > 0; k--) {
            uint32_t j = (uint32_t)disco_rng_below(&rng, k + 1);
            uint32_t tmp = order[k];
            order[k] = order[j];
            order[j] = tmp;
        }
        for (int mode = 0; mode < 3; mode++) {
            struct disco_topology topo;
            build_ring(&topo, n, order);
            struct disco_config cfg;
            random_case(&cfg, n, seed, mode == 0, mode == 1, "exp:10");
            struct sim_run run;
            struct hs_case c;
            run_hs(&run, &topo, &cfg, order, &c);
            if (mode == 0)
                assert_sync_times(&run, n);
            sim_run_release(&run);
            disco_topology_release(&topo);
            disco_config_release(&cfg);
        }
    }
}

/* Worked by hand: ids 8,1,5,2,7,3,6,4 round a ring of 8.  Phase 0: every
 * process, 4+2+4+2+4+2+4+2 = 24; phase 1: 8 (the maximum), 5, 7 and 6,
 * 8+4+8+4 = 24; phase 2: 8 and 7, 16+8 = 24; phase 3: 8 alone, 8 each way
 * = 16.  88 tokens (bound 256); the leader knows in round 2*7+8 = 22 <= 3n,
 * and the report is home in round 30. */
static void test_worked_case_ring8(void **unused)
{
    for (int sync = 0; sync < 2; sync++) {
        struct disco_config cfg;
        disco_config_init(&cfg, HS);
        cfg.sync = sync;
        struct disco_error err;
        assert_int_equal(disco_ids_parse(&cfg, "8,1,5,2,7,3,6,4", 8, &err), 0);
        struct sim_run run;
        sim_run(&run, HS, "ring:8", 1, &cfg);
        assert_all_hold(&run);
        assert_int_equal(run.metrics->by_kind[OUT] + run.metrics->by_kind[IN],
                         88);
        assert_int_equal(run.metrics->by_kind[REPORT], 8);
        assert_string_equal(run.results[0].detail, "node 0, id 8");
        char result[DISCO_RESULT_TEXT];
        disco_sim_result(run.sim, result, sizeof result);
        assert_string_equal(result,
                            "\"leader\": 8, \"leader_node\": 0, \"phases\": 4");
        if (sync) {
            assert_sync_times(&run, 8);
            assert_int_equal(run.metrics->rounds, 30);
        }
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* Ids increasing round ring:8: the maximum 4+8+16+16 = 44, id 1 (both
 * neighbours larger) 2, ids 2..7 one hop to the larger side and back from
 * the other, 3 each: 64.  Decreasing is the mirror image: 64 too. */
static void test_monotone_ids(void **unused)
{
    static const char *const orders[] = {"increasing", "decreasing"};
    for (int o = 0; o < 2; o++) {
        struct disco_config cfg;
        disco_config_init(&cfg, HS);
        struct disco_error err;
        assert_int_equal(disco_ids_parse(&cfg, orders[o], 8, &err), 0);
        struct sim_run run;
        sim_run(&run, HS, "ring:8", 1, &cfg);
        assert_all_hold(&run);
        assert_int_equal(run.metrics->by_kind[OUT] + run.metrics->by_kind[IN],
                         64);
        assert_sync_times(&run, 8);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* The time bound in rounds, size by size: exactly 3n-2 for powers of 2,
 * 5n-6 just above one (the worst case), never above 5n. */
static void test_time_bound_all_sizes(void **unused)
{
    for (uint32_t n = 3; n <= MAX_N; n++) {
        struct disco_topology topo;
        build_ring(&topo, n, NULL);
        struct disco_config cfg;
        random_case(&cfg, n, n, true, true, NULL);
        struct sim_run run;
        struct hs_case c;
        run_hs(&run, &topo, &cfg, NULL, &c);
        assert_sync_times(&run, n);
        if ((n & (n - 1)) == 0)
            assert_int_equal(leader_round(n), 3 * n - 2);
        if (((n - 1) & (n - 2)) == 0)
            assert_int_equal(leader_round(n), 5 * n - 6);
        sim_run_release(&run);
        disco_topology_release(&topo);
        disco_config_release(&cfg);
    }
}

/* Only some processes start; the others wake on their first token.  The
 * maximum still wins, everyone learns it, the bound holds. */
static void test_some_initiators(void **unused)
{
    for (uint64_t seed = 1; seed <= 100; seed++) {
        for (int sync = 0; sync < 2; sync++) {
            struct disco_config cfg;
            random_case(&cfg, 16, seed, sync, seed % 2, NULL);
            char who[16];
            snprintf(who, sizeof who, "%u", (unsigned)(seed % 16));
            if (seed % 4 == 0)
                snprintf(who, sizeof who, "%u,%u", (unsigned)(seed % 16),
                         (unsigned)((seed * 5 + 3) % 16 == seed % 16
                                        ? (seed + 1) % 16
                                        : (seed * 5 + 3) % 16));
            sim_config_initiators(&cfg, who, 16);
            struct sim_run run;
            sim_run(&run, HS, "ring:16", 1, &cfg);
            assert_all_hold(&run);
            assert_string_equal(run.results[4].detail,
                                "not applicable: not every process started");
            assert_true(run.metrics->by_kind[OUT] + run.metrics->by_kind[IN] <=
                        token_bound(16));
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

/* A bidirectional ring, in rounds or not; nothing else. */
static void test_model(void **unused)
{
    static const struct {
        const char *spec;
        int rc;
    } cases[] = {{"ring:3", 0},       {"ring:100", 0}, {"complete:3", 0},
                 {"uring:8", DISCO_EMODEL}, {"line:5", DISCO_EMODEL},
                 {"grid:3x3", DISCO_EMODEL}, {"complete:4", DISCO_EMODEL}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int sync = 0; sync < 2; sync++) {
            struct disco_config cfg;
            disco_config_init(&cfg, HS);
            cfg.sync = sync;
            struct disco_error err;
            struct disco_topology topo;
            assert_int_equal(
                disco_topology_generate(&topo, cases[i].spec, 1, &err), 0);
            char warning[256];
            assert_int_equal(disco_model_check(HS, &topo, &cfg, warning,
                                               sizeof warning, &err),
                             cases[i].rc);
            disco_topology_release(&topo);
            disco_config_release(&cfg);
        }
    }
}

/* The algorithm assumes reliable channels; under duplication (--dup, run
 * with a warning) an in token may come back twice.  Each side counts once
 * per phase and the phase stops at 62, so 2^phase stays defined (the old
 * count went on to phase 64 and beyond: a shift by 64, undefined).  The
 * token counts then break their bounds, but the run ends, the maximum is
 * the one leader, and the report, passed on once by each process, makes
 * exactly n messages. */
static void test_duplication(void **unused)
{
    static const struct {
        uint32_t n;
        double dup;
    } cases[] = {{8, 1}, {16, 0.3}, {33, 0.1}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t n = cases[i].n;
        for (uint64_t seed = 1; seed <= 20; seed++) {
            for (int mode = 0; mode < 3; mode++) {
                struct disco_topology topo;
                build_ring(&topo, n, NULL);
                struct disco_config cfg;
                random_case(&cfg, n, seed, mode == 0, mode != 2, NULL);
                cfg.dup = cases[i].dup;
                struct sim_run run;
                memset(&run, 0, sizeof run);
                sim_run_on(&run, HS, &topo, &cfg);
                assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
                assert_true(run.metrics->duplicated > 0);
                assert_int_equal(run.results[0].holds, DISCO_HOLDS_YES);
                assert_int_equal(run.results[1].holds, DISCO_HOLDS_YES);
                assert_int_equal(run.results[2].holds, DISCO_HOLDS_YES);
                assert_int_equal(run.metrics->by_kind[REPORT], n);
                char result[DISCO_RESULT_TEXT];
                disco_sim_result(run.sim, result, sizeof result);
                unsigned phases = 0;
                assert_int_equal(sscanf(strstr(result, "\"phases\": "),
                                        "\"phases\": %u", &phases),
                                 1);
                assert_in_range(phases, 1, 63);
                sim_run_release(&run);
                disco_topology_release(&topo);
                disco_config_release(&cfg);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_random_placements),
        cmocka_unit_test(test_sync_default_run),
        cmocka_unit_test(test_async_seeds),
        cmocka_unit_test(test_sync_equals_async),
        cmocka_unit_test(test_orientation_free),
        cmocka_unit_test(test_worked_case_ring8),
        cmocka_unit_test(test_monotone_ids),
        cmocka_unit_test(test_time_bound_all_sizes),
        cmocka_unit_test(test_some_initiators),
        cmocka_unit_test(test_model),
        cmocka_unit_test(test_duplication),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
