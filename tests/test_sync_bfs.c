/*
 * test_sync_bfs.c - SynchBFS: exactly |C| searches, every node marked in
 * round dist(root, v), the last in round ecc(root), on every topology
 * family and from every root; and the kernel's round semantics it relies
 * on, probed with a small instrumented algorithm.
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

extern const struct disco_algorithm disco_alg_sync_bfs;

/* The test's own hop distances over the CSR (independent of the view and
 * of the oracles the algorithm uses). */
static void bfs_distances(const struct disco_topology *t, uint32_t root,
                          uint32_t *dist)
{
    uint32_t *queue = malloc(t->nodes * sizeof *queue);
    assert_non_null(queue);
    for (uint32_t v = 0; v < t->nodes; v++)
        dist[v] = UINT32_MAX;
    size_t head = 0, tail = 0;
    dist[root] = 0;
    queue[tail++] = root;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t c = t->out_offset[u]; c < t->out_offset[u + 1]; c++) {
            uint32_t v = t->out_target[c];
            if (dist[v] == UINT32_MAX) {
                dist[v] = dist[u] + 1;
                queue[tail++] = v;
            }
        }
    }
    free(queue);
}

static uint32_t eccentricity(const struct disco_topology *t, uint32_t root)
{
    uint32_t *dist = malloc(t->nodes * sizeof *dist);
    assert_non_null(dist);
    bfs_distances(t, root, dist);
    uint32_t ecc = 0;
    for (uint32_t v = 0; v < t->nodes; v++) {
        assert_int_not_equal(dist[v], UINT32_MAX);
        if (dist[v] > ecc)
            ecc = dist[v];
    }
    free(dist);
    return ecc;
}

static void set_root(struct disco_config *cfg, uint32_t root, uint32_t n)
{
    sim_config_initiator(cfg, root, n);
}

/* One run from `root`: exactly |C| searches, ecc+1 rounds (the last one
 * delivers the farthest nodes' searches), each node marked once in round
 * dist(root, v) deciding that distance, and every property holds. */
static void check_run(const struct disco_topology *topo, uint32_t root,
                      uint64_t seed, const uint32_t *dist, uint32_t ecc)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bfs);
    assert_true(cfg.sync);
    cfg.seed = seed;
    cfg.fifo = seed % 2;
    set_root(&cfg, root, topo->nodes);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, &disco_alg_sync_bfs, topo, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(run.metrics->messages, topo->channels);
    assert_int_equal(run.metrics->by_kind[0], topo->channels);
    assert_int_equal(run.metrics->rounds, ecc + 1);
    assert_int_equal(run.unchecked, 0);
    assert_all_hold(&run);
    const struct disco_view *view = disco_sim_view(run.sim);
    assert_int_equal(disco_view_decision_count(view), topo->nodes);
    for (size_t i = 0; i < topo->nodes; i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        assert_int_equal(d->time, dist[d->node]);
        assert_int_equal(d->value, dist[d->node]);
    }
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
}

/* Every root position of `spec` (graph `topo_seed`), 100 seeds each. */
static void every_root(const char *spec, uint64_t topo_seed)
{
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, spec, topo_seed, &err), 0);
    uint32_t *dist = malloc(topo.nodes * sizeof *dist);
    assert_non_null(dist);
    for (uint32_t root = 0; root < topo.nodes; root++) {
        bfs_distances(&topo, root, dist);
        uint32_t ecc = eccentricity(&topo, root);
        for (uint64_t seed = 1; seed <= 100; seed++)
            check_run(&topo, root, seed, dist, ecc);
    }
    free(dist);
    disco_topology_release(&topo);
}

static void test_ring(void **unused) { every_root("ring:9", 1); }
static void test_grid(void **unused) { every_root("grid:4x4", 1); }
static void test_torus(void **unused) { every_root("torus:4x5", 1); }
static void test_hypercube(void **unused) { every_root("hypercube:4", 1); }
static void test_complete(void **unused) { every_root("complete:7", 1); }
static void test_petersen(void **unused) { every_root("petersen", 1); }
static void test_line_star_trees(void **unused)
{
    every_root("line:7", 1);
    every_root("star:6", 1);
    every_root("btree:10", 1);
    every_root("tree:12", 3);
    every_root("regular:10:3", 2);
}
static void test_random_graphs(void **unused)
{
    for (uint64_t g = 1; g <= 5; g++)
        every_root("gnp:14:0.3", g);
}

/* The reference's figures on named cases, through the kernel's metrics. */
static void worked(const char *spec, uint32_t root, uint64_t messages,
                   uint64_t ecc)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bfs);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&run.topo, spec, 1, &err), 0);
    set_root(&cfg, root, run.topo.nodes);
    sim_run_on(&run, &disco_alg_sync_bfs, &run.topo, &cfg);
    assert_int_equal(run.metrics->messages, messages);
    assert_int_equal(run.metrics->rounds, ecc + 1);
    assert_all_hold(&run);
    char result[DISCO_RESULT_TEXT];
    disco_sim_result(run.sim, result, sizeof result);
    char want[64];
    snprintf(want, sizeof want, "\"height\": %llu", (unsigned long long)ecc);
    assert_non_null(strstr(result, want));
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_worked_cases(void **unused)
{
    worked("grid:4x4", 0, 48, 6);   /* corner: 2m = 48, ecc 3+3 */
    worked("grid:4x4", 5, 48, 4);   /* inner node (1,1): far corner (3,3) */
    worked("ring:9", 0, 18, 4);
    worked("petersen", 0, 30, 2);   /* diameter 2 */
    worked("complete:6", 3, 30, 1);
    worked("hypercube:4", 0, 64, 4);
    worked("line:5", 0, 8, 4);
    worked("line:5", 2, 8, 2);
    worked("star:6", 0, 10, 1);
    worked("star:6", 1, 10, 2);
}

/* The parent is drawn among the senders of the marking round: the seed
 * picks the tree, and every tree drawn is a BFS tree (checked by the
 * oracle in each run). */
static void test_seed_picks_among_bfs_trees(void **unused)
{
    enum { SEEDS = 100, N = 16 };
    static char trees[SEEDS][N * DISCO_STATE_TEXT];
    unsigned distinct = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_sync_bfs);
        cfg.seed = seed;
        struct sim_run run;
        sim_run(&run, &disco_alg_sync_bfs, "grid:4x4", 1, &cfg);
        assert_all_hold(&run);
        /* The tree, as the states describe it ("depth 2, parent port 1"). */
        char *tree = trees[distinct];
        memset(tree, 0, sizeof trees[0]);
        const struct disco_view *view = disco_sim_view(run.sim);
        for (uint32_t v = 0; v < N; v++)
            disco_alg_sync_bfs.format_state(disco_view_state(view, v),
                                            tree + v * DISCO_STATE_TEXT,
                                            DISCO_STATE_TEXT);
        bool seen = false;
        for (unsigned t = 0; t < distinct && !seen; t++)
            seen = memcmp(trees[t], tree, sizeof trees[0]) == 0;
        distinct += !seen;
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    /* From the corner, the 9 nodes (i, j) with i, j >= 1 each have two
     * candidate parents: 512 BFS trees.  100 uniform draws from 512 give
     * about 91 distinct ones; a deterministic choice would give 1. */
    assert_true(distinct >= 80);
}

/* The oracles are not vacuous: broken runs fail them. */
static void test_two_roots_are_caught(void **unused)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bfs);
    struct disco_error err;
    struct sim_run run;
    memset(&run, 0, sizeof run);
    assert_int_equal(disco_topology_generate(&run.topo, "grid:4x4", 1, &err),
                     0);
    sim_config_initiators(&cfg, "0,15", 16);
    sim_run_on(&run, &disco_alg_sync_bfs, &run.topo, &cfg);
    assert_int_equal(run.results[0].holds, DISCO_HOLDS_NO); /* bfs_tree */
    assert_int_equal(run.results[1].holds, DISCO_HOLDS_NO); /* marked... */
    assert_string_equal(run.results[0].detail,
                        "2 initiators (SynchBFS has one root)");
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_lost_searches_are_caught(void **unused)
{
    /* Cut node 0 off (both its links down for the whole run): the search
     * never leaves the root, nobody else is marked, and the properties
     * say so. */
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bfs);
    struct disco_error err;
    struct sim_run run;
    memset(&run, 0, sizeof run);
    assert_int_equal(disco_topology_generate(&run.topo, "grid:3x3", 1, &err),
                     0);
    assert_int_equal(disco_faults_parse(&cfg, DISCO_FAULT_LINK_DOWN,
                                        "0-1@0:100,0-3@0:100", 9, &err),
                     0);
    sim_run_on(&run, &disco_alg_sync_bfs, &run.topo, &cfg);
    assert_int_equal(run.metrics->messages, 2); /* the root's, both lost */
    assert_int_equal(run.metrics->dropped, 2);
    assert_int_equal(run.results[0].holds, DISCO_HOLDS_NO);
    assert_int_equal(run.results[1].holds, DISCO_HOLDS_NO);
    assert_int_equal(run.results[3].holds, DISCO_HOLDS_NO);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_model_refuses_async_and_digraphs(void **unused)
{
    struct disco_topology topo;
    struct disco_error err;
    char warning[256];
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bfs);
    assert_int_equal(disco_topology_generate(&topo, "grid:3x3", 1, &err), 0);
    assert_int_equal(disco_model_check(&disco_alg_sync_bfs, &topo, &cfg,
                                       warning, sizeof warning, &err),
                     0);
    cfg.sync = false;
    assert_int_equal(disco_model_check(&disco_alg_sync_bfs, &topo, &cfg,
                                       warning, sizeof warning, &err),
                     DISCO_EMODEL);
    disco_topology_release(&topo);
    cfg.sync = true;
    assert_int_equal(disco_topology_generate(&topo, "uring:5", 1, &err), 0);
    assert_int_equal(disco_model_check(&disco_alg_sync_bfs, &topo, &cfg,
                                       warning, sizeof warning, &err),
                     DISCO_EMODEL);
    disco_topology_release(&topo);
    disco_config_release(&cfg);
}

static void test_delays_do_not_matter_in_rounds(void **unused)
{
    /* Rounds ignore the delay law and FIFO: same seed, same run. */
    const char *laws[] = {"uniform:1:100", "const:50", "exp:20"};
    char reference[DISCO_RESULT_TEXT] = "";
    uint64_t ref_time = 0;
    for (unsigned i = 0; i < 3; i++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_sync_bfs);
        struct disco_error err;
        assert_int_equal(disco_delay_parse(&cfg.delay, laws[i], &err), 0);
        cfg.fifo = i != 1;
        cfg.seed = 9;
        struct sim_run run;
        sim_run(&run, &disco_alg_sync_bfs, "gnp:20:0.2", 4, &cfg);
        assert_all_hold(&run);
        char text[DISCO_RESULT_TEXT];
        disco_sim_result(run.sim, text, sizeof text);
        if (i == 0) {
            memcpy(reference, text, sizeof text);
            ref_time = run.metrics->time;
        }
        assert_string_equal(text, reference);
        assert_int_equal(run.metrics->time, ref_time);
        assert_int_equal(run.metrics->time, run.metrics->rounds);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

static void test_max_time_stops_at_a_round(void **unused)
{
    /* --max-time counts rounds: stopped after round 3 of 7, the
     * termination-dependent properties are not checked. */
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_sync_bfs);
    cfg.max_time = 3;
    struct sim_run run;
    sim_run(&run, &disco_alg_sync_bfs, "grid:4x4", 1, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_MAX_TIME);
    assert_int_equal(run.metrics->rounds, 3);
    assert_int_equal(run.unchecked, 4);
    /* marked by round 3: distances 0..3 from the corner, 1+2+3+4 nodes */
    assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)), 10);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* ---- the kernel's synchronous mode, probed --------------------------- */

/* A probe: node 0 sends on port 0 in init; on uring:N every receiver
 * forwards on port 0 (from on_message or from on_round, by parameter)
 * while the round is below `hops`.  Each node logs what the kernel told
 * it, and flags any breach of the round contract. */
enum { PROBE_FORWARD_IN_ROUND, PROBE_HOPS, PROBE_ACTIVE_UNTIL };

struct probe_state {
    uint32_t init_calls, init_now;  /* init: once, at round 0 */
    uint32_t received;              /* messages delivered */
    uint32_t received_in[8];        /* the round of each delivery */
    uint32_t round_calls;           /* on_round calls */
    uint32_t last_round;            /* last on_round's round number */
    uint32_t breaches;              /* contract violations seen */
    bool forward;                   /* forward in this round's step */
};

static void probe_init(struct disco_ctx *ctx, void *state)
{
    struct probe_state *s = state;
    s->init_calls++;
    s->init_now = (uint32_t)disco_now(ctx);
    if (disco_is_initiator(ctx)) {
        disco_send(ctx, 0, 0, NULL, 0);
        if (disco_param(ctx, PROBE_ACTIVE_UNTIL) > 0)
            disco_set_passive(ctx, false);
    }
}

static void probe_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind,
                             const void *payload, size_t len)
{
    struct probe_state *s = state;
    uint32_t now = (uint32_t)disco_now(ctx);
    /* Round r's deliveries all come before any step of round r. */
    if (now <= s->last_round)
        s->breaches++;
    if (s->received < 8)
        s->received_in[s->received] = now;
    s->received++;
    if (now < disco_param(ctx, PROBE_HOPS)) {
        if (disco_param(ctx, PROBE_FORWARD_IN_ROUND))
            s->forward = true;
        else
            disco_send(ctx, 0, 0, NULL, 0);
    }
}

static void probe_on_round(struct disco_ctx *ctx, void *state,
                           disco_time_t round)
{
    struct probe_state *s = state;
    if (round != s->last_round + 1 || disco_now(ctx) != round)
        s->breaches++;
    s->round_calls++;
    s->last_round = (uint32_t)round;
    if (s->forward) {
        s->forward = false;
        disco_send(ctx, 0, 0, NULL, 0);
    }
    if (disco_self(ctx) == 0 &&
        (int64_t)round == disco_param(ctx, PROBE_ACTIVE_UNTIL))
        disco_set_passive(ctx, true);
}

static const char *const probe_kinds[] = {"ping"};
static const struct disco_param probe_params[] = {
    {"forward_in_round", 0, 0, 1, "forward from on_round, not on_message"},
    {"hops", 3, -1, 100, "forward while the round is below this"},
    {"active_until", 0, 0, 100, "node 0 stays active until this round"},
};
static const struct disco_algorithm probe = {
    .name = "round-probe",
    .model = {.timing = DISCO_SYNC, .sync_by_default = true,
              .initiators = "0"},
    .params = probe_params,
    .param_count = 3,
    .message_kinds = probe_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct probe_state),
    .init = probe_init,
    .on_message = probe_on_message,
    .on_round = probe_on_round,
};

/* Into *run, not returned by value: the sim keeps pointers to the
 * topology inside struct sim_run, which a copy would leave behind. */
static void probe_run(struct sim_run *run, const char *spec, int64_t in_round,
                      int64_t hops, int64_t active_until)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &probe);
    if (hops < 0) /* nobody starts */
        sim_config_initiators(&cfg, "none", 8);
    cfg.params[PROBE_FORWARD_IN_ROUND] = in_round;
    cfg.params[PROBE_HOPS] = hops;
    cfg.params[PROBE_ACTIVE_UNTIL] = active_until;
    sim_run(run, &probe, spec, 1, &cfg);
    disco_config_release(&cfg);
}

static const struct probe_state *probe_state(const struct sim_run *run,
                                             uint32_t v)
{
    return disco_view_state(disco_sim_view(run->sim), v);
}

static void test_kernel_round_contract(void **unused)
{
    /* Sent in init (round 0) -> arrives in round 1; sent in round r, from
     * on_message or from on_round -> arrives in round r+1.  On uring:3
     * with hops 3: node 1 hears in round 1, node 2 in round 2, node 0 in
     * round 3, which forwards nothing; the run ends after round 3, and
     * every node took exactly the steps of rounds 1..3. */
    for (int64_t in_round = 0; in_round <= 1; in_round++) {
        struct sim_run run;
        probe_run(&run, "uring:3", in_round, 3, 0);
        assert_int_equal(run.metrics->rounds, 3);
        assert_int_equal(run.metrics->time, 3);
        assert_int_equal(run.metrics->messages, 3);
        assert_int_equal(run.metrics->causal_depth, 3);
        for (uint32_t v = 0; v < 3; v++) {
            const struct probe_state *s = probe_state(&run, v);
            assert_int_equal(s->init_calls, 1);
            assert_int_equal(s->init_now, 0);
            assert_int_equal(s->received, 1);
            assert_int_equal(s->received_in[0], v == 0 ? 3 : v);
            assert_int_equal(s->round_calls, 3);
            assert_int_equal(s->last_round, 3);
            assert_int_equal(s->breaches, 0);
        }
        sim_run_release(&run);
    }
}

static void test_kernel_active_node_keeps_rounds_going(void **unused)
{
    /* No message after round 3, but node 0 stays active until round 6:
     * the rounds go on, every node steps in each, and the run stops when
     * it turns passive. */
    struct sim_run run;
    probe_run(&run, "uring:3", 0, 3, 6);
    assert_int_equal(run.metrics->rounds, 6);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    for (uint32_t v = 0; v < 3; v++) {
        assert_int_equal(probe_state(&run, v)->round_calls, 6);
        assert_int_equal(probe_state(&run, v)->breaches, 0);
    }
    sim_run_release(&run);
}

static void test_kernel_last_round_is_last_delivery(void **unused)
{
    /* hops 0 on uring:2: node 0's message arrives in round 1 and nothing
     * follows: exactly one round, in which every node steps once. */
    struct sim_run run;
    probe_run(&run, "uring:2", 0, 0, 0);
    assert_int_equal(run.metrics->rounds, 1);
    assert_int_equal(probe_state(&run, 1)->received_in[0], 1);
    assert_int_equal(probe_state(&run, 0)->round_calls, 1);
    assert_int_equal(probe_state(&run, 1)->round_calls, 1);
    sim_run_release(&run);
}

static void test_kernel_silent_run_has_no_round(void **unused)
{
    /* Nobody sends in round 0 and everybody is passive: no round at all. */
    struct sim_run run;
    probe_run(&run, "uring:4", 0, -1, 0);
    assert_int_equal(run.metrics->rounds, 0);
    assert_int_equal(run.metrics->messages, 0);
    for (uint32_t v = 0; v < 4; v++) {
        assert_int_equal(probe_state(&run, v)->init_calls, 1);
        assert_int_equal(probe_state(&run, v)->round_calls, 0);
    }
    sim_run_release(&run);
}

static void test_kernel_crash_in_rounds(void **unused)
{
    /* Node 1 crashes at round 1: the message of round 0 to it is dropped
     * and it takes no step; the others step in round 1 and the run ends. */
    struct disco_config cfg;
    disco_config_init(&cfg, &probe);
    struct disco_error err;
    assert_int_equal(disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@1", 3,
                                        &err), 0);
    struct sim_run run;
    sim_run(&run, &probe, "uring:3", 1, &cfg);
    assert_int_equal(run.metrics->dropped, 1);
    assert_int_equal(run.metrics->rounds, 1);
    assert_int_equal(probe_state(&run, 1)->received, 0);
    assert_int_equal(probe_state(&run, 1)->round_calls, 0);
    assert_int_equal(probe_state(&run, 0)->round_calls, 1);
    assert_int_equal(probe_state(&run, 2)->round_calls, 1);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_torus),
        cmocka_unit_test(test_hypercube),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_petersen),
        cmocka_unit_test(test_line_star_trees),
        cmocka_unit_test(test_random_graphs),
        cmocka_unit_test(test_worked_cases),
        cmocka_unit_test(test_seed_picks_among_bfs_trees),
        cmocka_unit_test(test_two_roots_are_caught),
        cmocka_unit_test(test_lost_searches_are_caught),
        cmocka_unit_test(test_model_refuses_async_and_digraphs),
        cmocka_unit_test(test_delays_do_not_matter_in_rounds),
        cmocka_unit_test(test_max_time_stops_at_a_round),
        cmocka_unit_test(test_kernel_round_contract),
        cmocka_unit_test(test_kernel_active_node_keeps_rounds_going),
        cmocka_unit_test(test_kernel_last_round_is_last_delivery),
        cmocka_unit_test(test_kernel_silent_run_has_no_round),
        cmocka_unit_test(test_kernel_crash_in_rounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
