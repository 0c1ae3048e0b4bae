/*
 * test_synchronizers.c - synchronous algorithms through the alpha and beta
 * synchronizers: the same states round by round as the native synchronous
 * run, under every delay law, and the synchronizers' exact per-pulse costs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "support.h"
#include "synchronizer.h"

extern const struct disco_algorithm disco_alg_sync_bfs;
extern const struct disco_algorithm disco_alg_sync_bellman_ford;

/* ---- a recorder: the inner algorithm, logging a hash of its state after
 * each of its round steps (init is round 0) ---- */

#define MAX_ROUNDS 256
#define MAX_NODES 64

struct record {
    uint64_t hash[MAX_ROUNDS][MAX_NODES];
    unsigned char logged[MAX_ROUNDS][MAX_NODES];
    uint32_t last_round; /* the largest round logged */
};

static struct record *recording; /* where the recorder writes */
static const struct disco_algorithm *recorded; /* the algorithm it runs */

static uint64_t fnv(const void *bytes, size_t len)
{
    const unsigned char *b = bytes;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static void log_state(struct disco_ctx *ctx, const void *state)
{
    disco_time_t round = disco_now(ctx);
    uint32_t v = disco_self(ctx);
    assert_true(round < MAX_ROUNDS && v < MAX_NODES);
    recording->hash[round][v] = fnv(state, recorded->state_size);
    recording->logged[round][v] = 1;
    if (round > recording->last_round)
        recording->last_round = (uint32_t)round;
}

static void rec_init(struct disco_ctx *ctx, void *state)
{
    recorded->init(ctx, state);
    log_state(ctx, state);
}

static void rec_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    recorded->on_message(ctx, state, port, kind, payload, len);
}

static void rec_on_round(struct disco_ctx *ctx, void *state,
                         disco_time_t round)
{
    recorded->on_round(ctx, state, round);
    log_state(ctx, state);
}

/* The recorder for `alg`: the same algorithm with logging callbacks. */
static struct disco_algorithm recorder(const struct disco_algorithm *alg)
{
    struct disco_algorithm r = *alg;
    recorded = alg;
    r.init = rec_init;
    r.on_message = rec_on_message;
    r.on_round = rec_on_round;
    return r;
}

/* The state hash of node v after round r: the last one logged at or
 * before r (a node whose step was skipped, or a run that ended, keeps its
 * state). */
static uint64_t state_at(const struct record *rec, uint32_t r, uint32_t v)
{
    for (;; r--) {
        if (rec->logged[r][v])
            return rec->hash[r][v];
        if (r == 0)
            fail_msg("node %u has no state logged", v);
    }
}

/* ---- one comparison: native synchronous run against a synchronized one */

/* When set, compare() gives beta its BFS tree / gamma Awerbuch's partition
 * (disco_synchronize_given) and keeps where each node stood, and the
 * result text, in `placed` and `result_text`. */
static bool given;
static struct disco_synchronizer_node placed[MAX_NODES];
static char result_text[DISCO_RESULT_TEXT];

struct outcome {
    uint64_t safe, pulse, ack, basic, inter, csafe, ready;
    uint32_t rounds; /* the last pulse the inner algorithm stepped in */
};

static void compare(const struct disco_algorithm *alg,
                    const struct disco_topology *topo,
                    enum disco_synchronizer which, int64_t root,
                    const char *delay, bool fifo, uint64_t seed,
                    struct outcome *out)
{
    static struct record native, synced;
    struct disco_algorithm rec = recorder(alg);

    memset(&native, 0, sizeof native);
    recording = &native;
    struct disco_config cfg;
    disco_config_init(&cfg, &rec);
    cfg.seed = seed;
    cfg.sync = true;
    struct sim_run nrun = {0};
    sim_run_on(&nrun, &rec, topo, &cfg);
    nrun.topo = *topo; /* for messages only; not released */
    assert_all_hold(&nrun);
    disco_config_release(&cfg);

    struct disco_algorithm wrapped;
    struct disco_error err = {0};
    if (given)
        assert_int_equal(disco_synchronize_given(&wrapped, &rec, which, root,
                                                 topo, &err),
                         0);
    else
        assert_int_equal(disco_synchronize(&wrapped, &rec, which, root, &err),
                         0);
    memset(&synced, 0, sizeof synced);
    recording = &synced;
    disco_config_init(&cfg, &wrapped);
    cfg.seed = seed;
    cfg.fifo = fifo;
    assert_int_equal(disco_delay_parse(&cfg.delay, delay, &err), 0);
    assert_false(cfg.sync);
    struct sim_run srun = {0};
    sim_run_on(&srun, &wrapped, topo, &cfg);
    srun.topo = *topo;
    assert_all_hold(&srun);
    disco_config_release(&cfg);

    /* Round by round, every node's state equals the native one. */
    uint32_t last = native.last_round > synced.last_round
                        ? native.last_round
                        : synced.last_round;
    for (uint32_t r = 0; r <= last; r++)
        for (uint32_t v = 0; v < topo->nodes; v++)
            if (state_at(&native, r, v) != state_at(&synced, r, v))
                fail_msg("%s on %s, seed %llu, %s: node %u differs after "
                         "round %u", wrapped.name, topo->spec,
                         (unsigned long long)seed, delay, v, r);

    /* The same decisions, in the same rounds. */
    const struct disco_view *nv = disco_sim_view(nrun.sim);
    const struct disco_view *sv = disco_sim_view(srun.sim);
    assert_int_equal(disco_view_decision_count(nv),
                     disco_view_decision_count(sv));
    for (uint32_t v = 0; v < topo->nodes; v++) {
        size_t a = disco_view_decision_of(nv, v);
        size_t b = disco_view_decision_of(sv, v);
        assert_int_equal(a == SIZE_MAX, b == SIZE_MAX);
        if (a == SIZE_MAX)
            continue;
        assert_int_equal(disco_view_decision(nv, a)->value,
                         disco_view_decision(sv, b)->value);
        assert_int_equal(disco_view_decision(nv, a)->time,
                         disco_view_decision(sv, b)->time);
        /* And the final inner state, byte for byte. */
        assert_memory_equal(disco_view_state(nv, v), disco_view_state(sv, v),
                            alg->state_size);
    }

    /* beta reproduces the rounds exactly: pulses 0..R. */
    if (given) {
        assert_true(topo->nodes <= MAX_NODES);
        for (uint32_t v = 0; v < topo->nodes; v++)
            disco_synchronizer_node(sv, which, v, &placed[v]);
        disco_sim_result(srun.sim, result_text, sizeof result_text);
    }
    const uint64_t *k = srun.metrics->by_kind;
    unsigned base = alg->kind_count;
    if (out) {
        memset(out, 0, sizeof *out);
        for (unsigned i = 0; i < base; i++)
            out->basic += k[i];
        out->ack = k[base];
        out->safe = k[base + 1];
        out->pulse = which != DISCO_SYNCHRONIZER_ALPHA ? k[base + 2] : 0;
        if (which == DISCO_SYNCHRONIZER_GAMMA) {
            out->csafe = k[base + 7];
            out->inter = k[base + 8];
            out->ready = k[base + 9];
        }
        out->rounds = synced.last_round;
    }
    if (which == DISCO_SYNCHRONIZER_BETA)
        assert_int_equal(synced.last_round, nrun.metrics->rounds);
    else
        assert_true(synced.last_round >= nrun.metrics->rounds);
    /* The algorithm's own messages are exactly the native ones. */
    for (unsigned i = 0; i < base; i++)
        assert_int_equal(k[i], nrun.metrics->by_kind[i]);
    assert_int_equal(k[base], nrun.metrics->messages); /* one ack each */
    disco_sim_free(nrun.sim);
    disco_sim_free(srun.sim);
}

/* ---- the worked cases of the reference ---- */

static void grid_counts(enum disco_synchronizer which, uint64_t per_pulse)
{
    struct disco_topology topo;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_generate(&topo, "grid:4x4", 1, &err), 0);
    struct outcome o;
    compare(&disco_alg_sync_bfs, &topo, which, 0, "uniform:1:100", true, 1,
            &o);
    uint64_t layer_per_pulse = o.safe + o.pulse;
    /* pulses = layer messages / per pulse, and it divides exactly */
    assert_int_equal(layer_per_pulse % per_pulse, 0);
    if (which == DISCO_SYNCHRONIZER_BETA) {
        /* sync-bfs from a corner of the 4x4 grid: rounds 0..7 */
        assert_int_equal(layer_per_pulse, 30 * 8);
        assert_int_equal(o.safe, 15 * 8);
    } else {
        /* last search in round 6; all stop after pulse 6 + 16 */
        assert_int_equal(layer_per_pulse, 48 * 23);
    }
    assert_int_equal(o.basic, 48); /* |C| searches */
    assert_int_equal(o.ack, 48);
    disco_topology_release(&topo);
}

static void test_alpha_grid_48_safe_per_pulse(void **unused)
{
    grid_counts(DISCO_SYNCHRONIZER_ALPHA, 48);
}

static void test_beta_grid_30_per_pulse(void **unused)
{
    grid_counts(DISCO_SYNCHRONIZER_BETA, 30);
}

/* gamma with singleton clusters (k = 1) costs what alpha costs, pulse for
 * pulse; with one cluster (k > the tree's height) what beta costs. */
static void test_gamma_extremes(void **unused)
{
    struct disco_topology topo;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_generate(&topo, "grid:4x4", 1, &err), 0);
    struct outcome a, b, g1, gn;
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_ALPHA, 0,
            "uniform:1:100", true, 1, &a);
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_BETA, 0,
            "uniform:1:100", true, 1, &b);
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_GAMMA, 1,
            "exp:30", false, 1, &g1);
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_GAMMA, 16,
            "const:3", true, 1, &gn);
    assert_int_equal(a.safe, 48 * 23);
    assert_int_equal(g1.inter, a.safe);
    assert_int_equal(g1.safe + g1.pulse + g1.csafe + g1.ready, 0);
    assert_int_equal(b.safe + b.pulse, 30 * 8);
    assert_int_equal(gn.safe, b.safe);
    assert_int_equal(gn.pulse, b.pulse);
    assert_int_equal(gn.inter + gn.csafe + gn.ready, 0);
    assert_int_equal(gn.rounds, b.rounds);
    disco_topology_release(&topo);
}

static void test_result_members(void **unused)
{
    struct disco_algorithm wrapped;
    struct disco_error err = {0};
    assert_int_equal(disco_synchronize_text(&wrapped, &disco_alg_sync_bfs,
                                            "beta:0", 16, &err),
                     0);
    assert_string_equal(wrapped.name, "sync-bfs+beta");
    assert_int_equal(wrapped.kind_count, 6);
    assert_string_equal(wrapped.message_kinds[0], "search");
    assert_string_equal(wrapped.message_kinds[2], "safe");
    assert_string_equal(wrapped.message_kinds[3], "pulse");
    struct sim_run run;
    sim_run(&run, &wrapped, "grid:4x4", 1, NULL);
    assert_all_hold(&run);
    char buf[DISCO_RESULT_TEXT];
    disco_sim_result(run.sim, buf, sizeof buf);
    /* tree: 2m = 48 setup messages; 8 pulses of 30 */
    assert_non_null(strstr(buf, "\"marked\": 16, \"height\": 6, "
                                "\"synchronizer\": \"beta\", \"pulses\": 8, "
                                "\"basic_messages\": 48, "
                                "\"synchronizer_messages\": 336, "
                                "\"ack\": 48, \"safe\": 120, \"pulse\": 120, "
                                "\"setup\": 48, \"per_pulse\": 30.00, "
                                "\"basic_per_pulse\": 6.00"));
    sim_run_release(&run);
}

/* ---- 20 random graphs, every delay law, both synchronizers ---- */

static void test_sync_bfs_random_graphs(void **unused)
{
    static const char *const laws[] = {"const:1", "uniform:1:100", "exp:20",
                                       "uniform:1:5"};
    unsigned graphs = 0;
    for (uint64_t tseed = 1; graphs < 20; tseed++) {
        struct disco_topology topo;
        struct disco_error err = {0};
        char spec[32];
        snprintf(spec, sizeof spec, "gnp:%u:0.2", 8 + (unsigned)(tseed % 17));
        assert_int_equal(disco_topology_generate(&topo, spec, tseed, &err), 0);
        if (!disco_topology_connected(&topo)) {
            disco_topology_release(&topo);
            continue;
        }
        graphs++;
        for (unsigned l = 0; l < 4; l++) {
            uint64_t seed = tseed * 7 + l;
            bool fifo = l % 2 == 0;
            struct outcome a, b;
            compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_ALPHA, 0,
                    laws[l], fifo, seed, &a);
            compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_BETA,
                    (int64_t)(tseed % topo.nodes), laws[l], fifo, seed, &b);
            compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_GAMMA,
                    (int64_t)(1 + l), laws[l], !fifo, seed, NULL);
            /* alpha: 2m = |C| SAFE in each pulse 0..P; beta: N-1 SAFE and
             * N-1 PULSE in each pulse 0..R, R the native rounds. */
            assert_int_equal(a.safe % topo.channels, 0);
            assert_int_equal(b.safe, (uint64_t)(topo.nodes - 1) *
                                         (b.rounds + 1));
            assert_int_equal(b.pulse, b.safe);
        }
        disco_topology_release(&topo);
    }
}

static void test_sync_bellman_ford_through_both(void **unused)
{
    for (uint64_t tseed = 1; tseed <= 5; tseed++) {
        struct disco_topology topo;
        struct disco_error err = {0};
        assert_int_equal(disco_topology_generate(&topo, "grid:3x4", tseed,
                                                 &err),
                         0);
        assert_int_equal(disco_topology_random_weights(&topo, tseed, &err), 0);
        compare(&disco_alg_sync_bellman_ford, &topo, DISCO_SYNCHRONIZER_ALPHA,
                0, "exp:10", false, tseed, NULL);
        compare(&disco_alg_sync_bellman_ford, &topo, DISCO_SYNCHRONIZER_BETA,
                5, "uniform:1:50", true, tseed, NULL);
        compare(&disco_alg_sync_bellman_ford, &topo, DISCO_SYNCHRONIZER_GAMMA,
                2, "exp:40", true, tseed, NULL);
        disco_topology_release(&topo);
    }
}

/* ---- refusals ---- */

/* ---- given trees and partitions ---- */

/* Distances from `root` by a plain BFS of the test's own. */
static void distances(const struct disco_topology *topo, uint32_t root,
                      uint32_t *dist)
{
    uint32_t queue[MAX_NODES], head = 0, tail = 0;
    for (uint32_t v = 0; v < topo->nodes; v++)
        dist[v] = UINT32_MAX;
    dist[root] = 0;
    queue[tail++] = root;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t c = topo->out_offset[u]; c < topo->out_offset[u + 1];
             c++) {
            uint32_t x = topo->out_target[c];
            if (dist[x] == UINT32_MAX) {
                dist[x] = dist[u] + 1;
                queue[tail++] = x;
            }
        }
    }
}

/* The tree in `placed` is a BFS tree from root: depths are distances and
 * every parent is a neighbour one step closer. */
static void assert_bfs_tree(const struct disco_topology *topo, uint32_t root)
{
    uint32_t dist[MAX_NODES];
    distances(topo, root, dist);
    for (uint32_t v = 0; v < topo->nodes; v++) {
        assert_int_equal(placed[v].depth, dist[v]);
        if (v == root) {
            assert_int_equal(placed[v].parent, UINT32_MAX);
            continue;
        }
        uint32_t p = placed[v].parent;
        assert_true(p < topo->nodes);
        assert_int_not_equal(disco_topology_find(topo, p, v), UINT32_MAX);
        assert_int_equal(dist[p] + 1, dist[v]);
    }
}

/* The worked case: beta on a BFS tree rooted at a corner of grid:4x4
 * sends 30 per pulse (15 safe + 15 pulse), and its tree is a BFS tree;
 * from the opposite corner too. */
static void test_beta_bfs_tree_grid_corner(void **unused)
{
    struct disco_topology topo;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_generate(&topo, "grid:4x4", 1, &err), 0);
    given = true;
    struct outcome o;
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_BETA, 0,
            "uniform:1:100", true, 1, &o);
    /* sync-bfs from node 0: pulses 0..7, 30 layer messages each, and no
     * setup message (tree and echo are kinds base+3, base+4: none) */
    assert_int_equal(o.safe + o.pulse, 30 * 8);
    assert_int_equal(o.safe, 15 * 8);
    assert_int_equal(o.basic, 48);
    assert_int_equal(o.ack, 48);
    assert_bfs_tree(&topo, 0);
    assert_non_null(strstr(result_text, "\"synchronizer_messages\": 288, "
                                        "\"ack\": 48, \"safe\": 120, "
                                        "\"pulse\": 120, \"setup\": 0, "
                                        "\"per_pulse\": 30.00"));
    assert_non_null(strstr(result_text, "\"tree\": \"bfs\", \"root\": 0, "
                                        "\"tree_height\": 6"));
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_BETA, 15,
            "exp:20", false, 2, &o);
    assert_int_equal((o.safe + o.pulse) % 30, 0);
    assert_int_equal(o.safe, o.pulse);
    assert_bfs_tree(&topo, 15);
    assert_non_null(strstr(result_text, "\"root\": 15, \"tree_height\": 6"));
    given = false;
    disco_topology_release(&topo);
}

static uint64_t power(uint64_t k, uint32_t h)
{
    uint64_t p = 1;
    while (h--)
        p *= k;
    return p;
}

/* Check `placed` against Awerbuch's rule for parameter k, independently of
 * the layer's code: clusters are trees of BFS layers from their seed (the
 * least unclustered node), every layer that joined had more than (k-1)
 * times the nodes before it, the first layer left out had at most that
 * many; heights satisfy k^h <= |cluster| (so h <= log_k N); the preferred
 * edges, one per pair of neighbouring clusters, are at most (k-1)N.
 * Returns the number of clusters. */
static uint32_t assert_awerbuch(const struct disco_topology *topo, int64_t k)
{
    uint32_t n = topo->nodes, clusters = 0, pairs = 0;
    static uint8_t adjacent[MAX_NODES][MAX_NODES];
    memset(adjacent, 0, sizeof adjacent);
    for (uint32_t s = 0; s < n; s++) {
        if (placed[s].cluster != s)
            continue;
        clusters++;
        /* nodes unclustered when s was chosen: clusters with seeds >= s;
         * s is the least of them */
        uint32_t layer[MAX_NODES] = {0}, size = 0, height = 0;
        for (uint32_t v = 0; v < n; v++) {
            assert_true(placed[v].cluster <= v); /* the seed is the least */
            if (placed[v].cluster != s)
                continue;
            size++;
            layer[placed[v].depth]++;
            if (placed[v].depth > height)
                height = placed[v].depth;
            if (v == s) {
                assert_int_equal(placed[v].parent, UINT32_MAX);
                assert_int_equal(placed[v].depth, 0);
            } else {
                uint32_t p = placed[v].parent;
                assert_true(p < n);
                assert_int_equal(placed[p].cluster, s);
                assert_int_equal(placed[p].depth + 1, placed[v].depth);
                assert_int_not_equal(disco_topology_find(topo, p, v),
                                     UINT32_MAX);
            }
        }
        uint64_t before = 1;
        for (uint32_t d = 1; d <= height; d++) {
            assert_true(layer[d] > (uint64_t)(k - 1) * before);
            before += layer[d];
        }
        assert_true(power((uint64_t)k, height) <= size);
        /* the layer left out: unclustered-then neighbours of the cluster */
        uint32_t out = 0;
        uint8_t seen[MAX_NODES] = {0};
        for (uint32_t v = 0; v < n; v++) {
            if (placed[v].cluster != s)
                continue;
            for (uint32_t c = topo->out_offset[v]; c < topo->out_offset[v + 1];
                 c++) {
                uint32_t x = topo->out_target[c];
                uint32_t cx = placed[x].cluster;
                if (cx != s && !adjacent[s][cx]) {
                    adjacent[s][cx] = adjacent[cx][s] = 1;
                    pairs++;
                }
                if (cx > s && !seen[x]) {
                    seen[x] = 1;
                    out++;
                }
            }
        }
        assert_true(out <= (uint64_t)(k - 1) * size);
    }
    assert_true(pairs <= (uint64_t)(k - 1) * n);
    char expect[64];
    snprintf(expect, sizeof expect, "\"clusters\": %u, \"preferred_edges\": %u",
             clusters, pairs);
    assert_non_null(strstr(result_text, expect));
    return clusters;
}

/* gamma with Awerbuch's partition on 20 random graphs, every delay law:
 * the same states round by round as the native run, and the partition
 * obeys the rule and the height bound. */
static void test_gamma_awerbuch_random_graphs(void **unused)
{
    static const char *const laws[] = {"const:1", "uniform:1:100", "exp:20",
                                       "uniform:1:5"};
    unsigned graphs = 0;
    given = true;
    for (uint64_t tseed = 1; graphs < 20; tseed++) {
        struct disco_topology topo;
        struct disco_error err = {0};
        char spec[32];
        snprintf(spec, sizeof spec, "gnp:%u:0.2", 8 + (unsigned)(tseed % 17));
        assert_int_equal(disco_topology_generate(&topo, spec, tseed, &err), 0);
        if (!disco_topology_connected(&topo)) {
            disco_topology_release(&topo);
            continue;
        }
        graphs++;
        for (unsigned l = 0; l < 4; l++) {
            int64_t k = 2 + l % 3;
            compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_GAMMA, k,
                    laws[l], l % 2 == 0, tseed * 7 + l, NULL);
            assert_awerbuch(&topo, k);
        }
        /* and the BFS tree of beta, from a node of the graph */
        compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_BETA,
                (int64_t)(tseed % topo.nodes), "exp:20", false, tseed, NULL);
        assert_bfs_tree(&topo, (uint32_t)(tseed % topo.nodes));
        disco_topology_release(&topo);
    }
    given = false;
}

/* The extremes of Awerbuch's partition: k = 1 grows one cluster, the BFS
 * tree from node 0, and costs exactly what beta on that tree costs; k >= N
 * leaves singletons and costs exactly what alpha costs. */
static void test_gamma_awerbuch_extremes(void **unused)
{
    struct disco_topology topo;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_generate(&topo, "grid:4x4", 1, &err), 0);
    struct outcome a, b, g1, gn;
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_ALPHA, 0,
            "uniform:1:100", true, 1, &a);
    given = true;
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_BETA, 0,
            "uniform:1:100", true, 1, &b);
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_GAMMA, 1,
            "exp:30", false, 1, &g1);
    assert_int_equal(assert_awerbuch(&topo, 1), 1);
    assert_bfs_tree(&topo, 0);
    assert_non_null(strstr(result_text, "\"setup\": 0, "));
    assert_non_null(strstr(result_text, "\"partition\": \"awerbuch\", "
                                        "\"k\": 1, \"max_cluster_height\": 6"));
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_GAMMA, 16,
            "const:3", true, 1, &gn);
    assert_int_equal(assert_awerbuch(&topo, 16), 16);
    assert_non_null(strstr(result_text, "\"max_cluster_height\": 0"));
    given = false;
    /* one cluster = beta: 30 per pulse in pulses 0..7 */
    assert_int_equal(b.safe + b.pulse, 30 * 8);
    assert_int_equal(g1.safe, b.safe);
    assert_int_equal(g1.pulse, b.pulse);
    assert_int_equal(g1.inter + g1.csafe + g1.ready, 0);
    assert_int_equal(g1.rounds, b.rounds);
    /* singletons = alpha: 2m = 48 per pulse, pulses 0..22 */
    assert_int_equal(a.safe, 48 * 23);
    assert_int_equal(gn.inter, a.safe);
    assert_int_equal(gn.safe + gn.pulse + gn.csafe + gn.ready, 0);
    assert_int_equal(gn.rounds, a.rounds);
    /* k = 2 on the grid: between the two, by the counts */
    compare(&disco_alg_sync_bfs, &topo, DISCO_SYNCHRONIZER_GAMMA, 2,
            "uniform:1:100", true, 1, NULL);
    disco_topology_release(&topo);
}

/* The text forms: beta:bfs[:ROOT] and gamma:awerbuch[:K] need the
 * topology; bad ones name the culprit. */
static void test_given_text(void **unused)
{
    struct disco_topology topo;
    struct disco_error err = {0};
    struct disco_algorithm wrapped;
    assert_int_equal(disco_topology_generate(&topo, "grid:4x4", 1, &err), 0);
    assert_int_equal(disco_synchronize_topology(&wrapped, &disco_alg_sync_bfs,
                                                "beta:bfs:3", &topo, &err),
                     0);
    assert_string_equal(wrapped.name, "sync-bfs+beta");
    assert_non_null(strstr(wrapped.messages, "given"));
    struct sim_run run;
    struct disco_config cfg;
    disco_config_init(&cfg, &wrapped);
    sim_run_on(&run, &wrapped, &topo, &cfg);
    run.topo = topo;
    assert_all_hold(&run);
    char buf[DISCO_RESULT_TEXT];
    disco_sim_result(run.sim, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"tree\": \"bfs\", \"root\": 3, "
                                "\"tree_height\": 6"));
    disco_sim_free(run.sim);
    disco_config_release(&cfg);

    assert_int_equal(disco_synchronize_topology(&wrapped, &disco_alg_sync_bfs,
                                                "gamma:awerbuch", &topo, &err),
                     0);
    disco_config_init(&cfg, &wrapped);
    sim_run_on(&run, &wrapped, &topo, &cfg);
    run.topo = topo;
    assert_all_hold(&run);
    disco_sim_result(run.sim, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"partition\": \"awerbuch\", \"k\": 2, "));
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
    /* the old forms still work through the topology entry point */
    assert_int_equal(disco_synchronize_topology(&wrapped, &disco_alg_sync_bfs,
                                                "gamma:3", &topo, &err),
                     0);

    static const struct {
        const char *text, *message;
    } bad[] = {
        {"beta:bfs:16", "bad --synchronizer 'beta:bfs:16': node 16 is not in "
                        "the network (16 nodes)"},
        {"beta:bfs:x", "bad --synchronizer 'beta:bfs:x' (beta:bfs:ROOT or "
                       "gamma:awerbuch:K, K >= 1)"},
        {"beta:bfsy", "bad --synchronizer 'beta:bfsy' (beta:bfs:ROOT or "
                      "gamma:awerbuch:K, K >= 1)"},
        {"gamma:awerbuch:0", "bad --synchronizer 'gamma:awerbuch:0' "
                             "(beta:bfs:ROOT or gamma:awerbuch:K, K >= 1)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_not_equal(
            disco_synchronize_topology(&wrapped, &disco_alg_sync_bfs,
                                       bad[i].text, &topo, &err),
            0);
        assert_string_equal(err.message, bad[i].message);
    }
    /* without the topology, the given forms are refused */
    assert_int_not_equal(disco_synchronize_text(&wrapped, &disco_alg_sync_bfs,
                                                "gamma:awerbuch:2", 16, &err),
                         0);
    assert_string_equal(err.message, "--synchronizer 'gamma:awerbuch:2' needs "
                                     "the topology (call "
                                     "disco_synchronize_topology)");
    disco_topology_release(&topo);
}

static void test_refusals(void **unused)
{
    extern const struct disco_algorithm disco_alg_echo;
    struct disco_algorithm out;
    struct disco_error err = {0};
    assert_int_equal(disco_synchronize_text(&out, &disco_alg_echo, "alpha",
                                            16, &err),
                     DISCO_EMODEL);
    assert_string_equal(err.message, "echo is not a synchronous algorithm (a "
                        "synchronizer runs algorithms with rounds)");
    assert_int_equal(disco_synchronize_text(&out, &disco_alg_sync_bfs, "alfa",
                                            16, &err),
                     DISCO_EUNKNOWN);
    assert_string_equal(err.message,
                        "unknown --synchronizer 'alfa' (did you mean "
                        "'alpha'?)");
    assert_int_equal(disco_synchronize_text(&out, &disco_alg_sync_bfs,
                                            "alpha:3", 16, &err),
                     DISCO_EINVAL);
    assert_int_equal(disco_synchronize_text(&out, &disco_alg_sync_bfs,
                                            "beta:x", 16, &err),
                     DISCO_EINVAL);
    assert_string_equal(err.message, "bad --synchronizer 'beta:x' (alpha, "
                        "beta, beta:ROOT, beta:bfs:ROOT, gamma, gamma:K or "
                        "gamma:awerbuch:K, K >= 1)");
    assert_int_equal(disco_synchronize_text(&out, &disco_alg_sync_bfs,
                                            "gamma:0", 16, &err),
                     DISCO_EINVAL);
    assert_int_equal(disco_synchronize_text(&out, &disco_alg_sync_bfs,
                                            "beta:16", 16, &err),
                     DISCO_EINVAL);
    assert_string_equal(err.message, "bad --synchronizer 'beta:16': node 16 "
                        "is not in the network (16 nodes)");
}

static void test_gamma_table_limit(void **unused)
{
    /* Singleton clusters on a star: the centre's cluster has 99
     * neighbouring clusters, more than the layer keeps; said, not hidden. */
    struct disco_algorithm wrapped;
    struct disco_error err = {0};
    assert_int_equal(disco_synchronize(&wrapped, &disco_alg_sync_bfs,
                                       DISCO_SYNCHRONIZER_GAMMA, 1, &err),
                     0);
    struct sim_run run;
    sim_run(&run, &wrapped, "star:100", 1, NULL);
    unsigned i = disco_alg_sync_bfs.property_count; /* "synchronized" */
    assert_string_equal(run.results[i].name, "synchronized");
    assert_int_equal(run.results[i].holds, DISCO_HOLDS_NO);
    assert_string_equal(run.results[i].detail,
                        "a cluster has more than 64 neighbouring clusters "
                        "(use a larger gamma:K)");
    sim_run_release(&run);
}

/* ---- the command line ---- */

static void test_cli(void **unused)
{
    struct cli_output a, b, c;
    const char *const run[] = {NULL, "run", "sync-bfs", "--synchronizer",
                               "alpha", "--seed", "3", "--json", NULL};
    cli_run(&a, run);
    assert_int_equal(a.status, 0);
    assert_non_null(strstr(a.out, "sync-bfs+alpha"));
    assert_non_null(strstr(a.out, "\"synchronizer\": \"alpha\""));
    cli_run(&b, run);
    assert_string_equal(a.out, b.out); /* same seed, same bytes */
    cli_output_release(&a);
    cli_output_release(&b);

    const char *const bad[] = {NULL, "run", "sync-bfs", "--synchronizer",
                               "betta", NULL};
    cli_run(&c, bad);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.out, "");
    assert_non_null(strstr(c.err, "unknown --synchronizer 'betta' (did you "
                                  "mean 'beta'?)"));
    assert_ptr_equal(strchr(c.err, '\n'), c.err + strlen(c.err) - 1);
    cli_output_release(&c);

    /* the given forms (cli/run.c passes the topology) */
    const char *const bfs[] = {NULL, "run", "sync-bfs", "--synchronizer",
                               "beta:bfs:0", "--topology", "grid:4x4",
                               "--seed", "5", "--json", NULL};
    cli_run(&a, bfs);
    assert_int_equal(a.status, 0);
    assert_non_null(strstr(a.out, "\"setup\": 0, \"per_pulse\": 30.00"));
    assert_non_null(strstr(a.out, "\"tree\": \"bfs\", \"root\": 0, "
                                  "\"tree_height\": 6"));
    cli_run(&b, bfs);
    assert_string_equal(a.out, b.out);
    cli_output_release(&a);
    cli_output_release(&b);
    const char *const awerbuch[] = {NULL, "run", "sync-bfs", "--synchronizer",
                                    "gamma:awerbuch:16", "--topology",
                                    "grid:4x4", "--json", NULL};
    cli_run(&a, awerbuch);
    assert_int_equal(a.status, 0);
    assert_non_null(strstr(a.out, "\"clusters\": 16, \"preferred_edges\": "
                                  "24"));
    cli_output_release(&a);
    const char *const far[] = {NULL, "run", "sync-bfs", "--synchronizer",
                               "beta:bfs:16", "--topology", "grid:4x4", NULL};
    cli_run(&c, far);
    assert_int_equal(c.status, 2);
    assert_string_equal(c.out, "");
    assert_non_null(strstr(c.err, "bad --synchronizer 'beta:bfs:16': node 16 "
                                  "is not in the network (16 nodes)"));
    assert_ptr_equal(strchr(c.err, '\n'), c.err + strlen(c.err) - 1);
    cli_output_release(&c);
}

/* disco check and sweep through each synchronizer: the wrapped module's
 * properties are checked and named (the batch once kept a pointer into a
 * released run: '(null)', no properties, then double frees and crashes),
 * alpha's 1200 messages on grid:4x4 every seed, with two jobs. */
static void test_check_through_synchronizers(void **unused)
{
    static const char *const layers[] = {"alpha", "beta", "beta:bfs",
                                         "gamma:2", "gamma:awerbuch:2"};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        const char *const check[] = {NULL, "check", "sync-bfs",
                                     "--synchronizer", layers[i],
                                     "--topology", "grid:4x4", "--seeds",
                                     "3", "--jobs", "2", NULL};
        struct cli_output o;
        cli_run(&o, check);
        assert_int_equal(o.status, 0);
        assert_true(strncmp(o.out, "sync-bfs+", 9) == 0);
        assert_non_null(strstr(o.out, "  bfs_tree "));
        assert_non_null(strstr(o.out, "  synchronized "));
        assert_non_null(strstr(o.out, "verdict: pass (0 of 3 runs failed)"));
        if (i == 0)
            assert_non_null(strstr(o.out, "  messages                  1200 "
                                          "      1200       1200\n"));
        cli_output_release(&o);
    }
    char *dir = tmpdir_create();
    char *path = path_in(dir, "sweep.csv");
    const char *const sweep[] = {NULL, "sweep", "sync-bfs", "--synchronizer",
                                 "alpha", "--topology", "grid:{3,4}x4",
                                 "--seeds", "1", "--csv", path, NULL};
    struct cli_output o;
    cli_run(&o, sweep);
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "grid:4x4                 16     1       "
                                  "1200.0"));
    cli_output_release(&o);
    free(path);
    tmpdir_remove(dir);
}

/* ---- lcr on a bidirectional ring (it sends clockwise only) ---- */

extern const struct disco_algorithm disco_alg_lcr;

/* lcr on ring:8 and ring:16 (ids i+1, so the leader is node n-1 with id n,
 * elected in round n, and the report is home in round 2n) through alpha,
 * beta and gamma under four delay laws: the same states round by round,
 * the same decisions in the same rounds (compare), and the reference's
 * counts.  alpha: 2m = 2n SAFE in each pulse 0..(2n-1)+N (the last inner
 * message is sent in pulse 2n-1, and alpha stops N pulses later), one ACK
 * per basic message; beta: N-1 SAFE and N-1 PULSE in each pulse 0..2n;
 * gamma with singleton clusters: alpha's counts as INTER, with one
 * cluster: beta's. */
static void test_lcr_ring_through_all_three(void **unused)
{
    static const char *const laws[] = {"const:1", "uniform:1:100", "exp:20",
                                       "uniform:1:5"};
    static const uint32_t sizes[] = {8, 16};
    for (size_t i = 0; i < 2; i++) {
        uint32_t n = sizes[i];
        char spec[32];
        snprintf(spec, sizeof spec, "ring:%u", n);
        struct disco_topology topo;
        struct disco_error err = {0};
        assert_int_equal(disco_topology_generate(&topo, spec, 1, &err), 0);
        for (unsigned l = 0; l < 4; l++) {
            uint64_t seed = 11 * n + l;
            bool fifo = l % 2 == 0;
            struct outcome a, b, g1, gn, g2;
            compare(&disco_alg_lcr, &topo, DISCO_SYNCHRONIZER_ALPHA, 0,
                    laws[l], fifo, seed, &a);
            compare(&disco_alg_lcr, &topo, DISCO_SYNCHRONIZER_BETA,
                    (int64_t)(l * 3 % n), laws[l], !fifo, seed, &b);
            compare(&disco_alg_lcr, &topo, DISCO_SYNCHRONIZER_GAMMA, 1,
                    laws[l], fifo, seed, &g1);
            compare(&disco_alg_lcr, &topo, DISCO_SYNCHRONIZER_GAMMA, n,
                    laws[l], !fifo, seed, &gn);
            compare(&disco_alg_lcr, &topo, DISCO_SYNCHRONIZER_GAMMA, 2,
                    laws[l], fifo, seed, &g2);
            /* uid: 2n-1 (increasing ids), report: n */
            uint64_t basic = 2 * n - 1 + n;
            assert_int_equal(a.basic, basic);
            assert_int_equal(a.ack, basic);
            assert_int_equal(a.safe, (uint64_t)2 * n * (2 * n - 1 + n + 1));
            assert_int_equal(a.pulse, 0);
            assert_int_equal(b.basic, basic);
            assert_int_equal(b.ack, basic);
            assert_int_equal(b.safe, (uint64_t)(n - 1) * (2 * n + 1));
            assert_int_equal(b.pulse, b.safe);
            assert_int_equal(b.rounds, 2 * n);
            assert_int_equal(g1.inter, a.safe);
            assert_int_equal(g1.safe + g1.pulse + g1.csafe + g1.ready, 0);
            assert_int_equal(gn.safe, b.safe);
            assert_int_equal(gn.pulse, b.pulse);
            assert_int_equal(gn.inter + gn.csafe + gn.ready, 0);
            assert_int_equal(g2.ack, basic);
        }
        disco_topology_release(&topo);
    }
}

/* An algorithm that stays active through silent rounds: Dolev-Strong with
 * f = 2 sends nothing after round 2 but decides in round 3.  The
 * synchronizers keep pulsing while an inner node is active, as the native
 * run keeps its rounds, so all three decide in round 3 with the native
 * run's 16 chain messages (without that, they stopped after pulse 2 and
 * nobody decided). */
static void test_active_through_silent_rounds(void **unused)
{
    static const char *const names[] = {"none", "alpha", "beta", "gamma"};
    for (int k = 0; k < 4; k++) {
        const char *argv[16] = {NULL, "run", "dolev-strong", "--topology",
                                "complete:5", "--param", "f=2", "--json"};
        int n = 8;
        if (k) {
            argv[n++] = "--synchronizer";
            argv[n++] = names[k];
        }
        argv[n] = NULL;
        struct cli_output o;
        cli_run(&o, argv);
        assert_int_equal(o.status, 0);
        assert_non_null(strstr(o.out, "\"every correct process decided "
                                      "once, in round 3\""));
        assert_non_null(strstr(o.out, "\"detail\": \"16 messages, exactly "
                                      "(n-1)^2 = 16 without faults\""));
        cli_output_release(&o);
    }
}

/* The same through the command line: lcr on ring:8 with --synchronizer
 * elects id 8, and is refused on the unidirectional ring, which has no
 * channel back for the acknowledgements. */
static void test_lcr_cli(void **unused)
{
    static const char *const names[] = {"alpha", "beta", "gamma"};
    for (int k = 0; k < 3; k++) {
        const char *const argv[] = {NULL, "run", "lcr", "--topology",
                                    "ring:8", "--synchronizer", names[k],
                                    "--json", NULL};
        struct cli_output o;
        cli_run(&o, argv);
        assert_int_equal(o.status, 0);
        assert_non_null(strstr(o.out, "\"leader\": 8, \"leader_node\": 7"));
        cli_output_release(&o);
    }
    const char *const uring[] = {NULL, "run", "lcr", "--topology", "uring:8",
                                 "--synchronizer", "alpha", NULL};
    struct cli_output o;
    cli_run(&o, uring);
    assert_int_equal(o.status, 2);
    assert_string_equal(o.out, "");
    assert_non_null(strstr(o.err, "lcr+alpha"));
    cli_output_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alpha_grid_48_safe_per_pulse),
        cmocka_unit_test(test_beta_grid_30_per_pulse),
        cmocka_unit_test(test_gamma_extremes),
        cmocka_unit_test(test_result_members),
        cmocka_unit_test(test_sync_bfs_random_graphs),
        cmocka_unit_test(test_sync_bellman_ford_through_both),
        cmocka_unit_test(test_beta_bfs_tree_grid_corner),
        cmocka_unit_test(test_gamma_awerbuch_random_graphs),
        cmocka_unit_test(test_gamma_awerbuch_extremes),
        cmocka_unit_test(test_given_text),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_gamma_table_limit),
        cmocka_unit_test(test_cli),
        cmocka_unit_test(test_check_through_synchronizers),
        cmocka_unit_test(test_lcr_ring_through_all_three),
        cmocka_unit_test(test_lcr_cli),
        cmocka_unit_test(test_active_through_silent_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
