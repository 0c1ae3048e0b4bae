/*
 * test_oracles.c - the shared oracles of sim/oracles.c, on trees, leaders
 * and decisions built to be right and built to be wrong.
 *
 * A test-only algorithm sends nothing: its init reads the node's parent
 * port, leader flag and decisions from scenario-style inputs (cfg.inputs,
 * read with disco_input), so every case below is a global state written
 * by hand.  Each oracle's verdict and detail text are asserted exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h" /* which format the causal log chose */
#include "support.h"

/* ---- the probe: a state written by hand --------------------------------- */

struct probe_state {
    uint32_t parent;   /* input "parent" (a port), else DISCO_NO_PORT */
    bool leader;       /* input "leader" != 0 */
    int64_t input;     /* input "input", else 0: a consensus input */
    uint32_t received; /* messages received so far */
};

/* Inputs: parent = PORT, leader = 0/1, input = VALUE, decide = VALUE (decided in init,
 * `decisions` times, default once), send = PORT (one message at init),
 * send_also = PORT (a second one), decide_after = K (decide the node's id
 * on the K-th message received).
 * A timer keeps the run going to t = 1, so that crashes scheduled at t = 0
 * take effect (a run with nothing pending ends before its remaining fault
 * events). */
static void probe_init(struct disco_ctx *ctx, void *state)
{
    struct probe_state *s = state;
    int64_t value;
    s->parent = disco_input(ctx, "parent", &value) ? (uint32_t)value
                                                   : DISCO_NO_PORT;
    s->leader = disco_input(ctx, "leader", &value) && value != 0;
    s->input = disco_input(ctx, "input", &value) ? value : 0;
    if (disco_input(ctx, "decide", &value)) {
        int64_t times = 1;
        disco_input(ctx, "decisions", &times);
        for (int64_t k = 0; k < times; k++)
            disco_decide(ctx, value);
    }
    if (disco_input(ctx, "send", &value))
        disco_send(ctx, (uint32_t)value, 0, NULL, 0);
    if (disco_input(ctx, "send_also", &value))
        disco_send(ctx, (uint32_t)value, 0, NULL, 0);
    disco_set_timer(ctx, 1, 0);
}

static void probe_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind,
                             const void *payload, size_t len)
{
    struct probe_state *s = state;
    int64_t after;
    s->received++;
    if (disco_input(ctx, "decide_after", &after) && s->received == after)
        disco_decide(ctx, disco_id(ctx));
}

/* Input timer_send = PORT: the timer at t = 1 sends one message there. */
static void probe_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    int64_t port;
    if (disco_input(ctx, "timer_send", &port))
        disco_send(ctx, (uint32_t)port, 0, NULL, 0);
}

/* A trace property makes the kernel keep the causal log. */
static bool no_check(const struct disco_view *view, char *detail, size_t len)
{
    return true;
}

static const char *const probe_kinds[] = {"probe"};

static const struct disco_property probe_properties[] = {
    {"causal_log", "keeps the causal log for the oracles",
     DISCO_PROPERTY_TRACE, no_check, false},
};

/* The inputs above, declared as every module declares its own
 * (disco_input stops a run that reads an undeclared one). */
static const struct disco_input_decl probe_inputs[] = {
    {"parent", 0, UINT32_MAX, "out-port to the parent"},
    {"leader", 0, 1, "1: a leader"},
    {"input", INT64_MIN, INT64_MAX, "a consensus input"},
    {"decide", INT64_MIN, INT64_MAX, "a value decided in init"},
    {"decisions", 0, 1000, "how many times it is decided"},
    {"send", 0, UINT32_MAX, "out-port of a message sent in init"},
    {"send_also", 0, UINT32_MAX, "out-port of a second one"},
    {"decide_after", 0, INT64_MAX, "decide the id on this message"},
    {"timer_send", 0, UINT32_MAX, "out-port of a message sent at t = 1"},
};

static const struct disco_algorithm probe = {
    .name = "oracle-probe",
    .family = "test",
    .summary = "a global state written by hand, for the oracles",
    .model = {.undirected = true, .timing = DISCO_ASYNC, .initiators = "0"},
    .inputs = probe_inputs,
    .input_count = sizeof probe_inputs / sizeof probe_inputs[0],
    .message_kinds = probe_kinds,
    .kind_count = 1,
    .properties = probe_properties,
    .property_count = 1,
    .tokens_certify = true,
    .state_size = sizeof(struct probe_state),
    .init = probe_init,
    .on_message = probe_on_message,
    .on_timer = probe_on_timer,
};

static uint32_t parent_port(const void *state)
{
    return ((const struct probe_state *)state)->parent;
}

static bool is_leader(const void *state)
{
    return ((const struct probe_state *)state)->leader;
}

static int64_t input_of(const void *state)
{
    return ((const struct probe_state *)state)->input;
}

/* A topology and a configuration being written, then the run. */
struct fixture {
    struct disco_topology topo;
    struct disco_config cfg;
    struct sim_run run;
    char detail[256];
};

static void start(struct fixture *f, const char *spec)
{
    struct disco_error err;
    memset(f, 0, sizeof *f);
    assert_int_equal(disco_topology_generate(&f->topo, spec, 1, &err), 0);
    disco_config_init(&f->cfg, &probe);
}

static void input(struct fixture *f, uint32_t node, const char *name,
                  int64_t value)
{
    struct disco_config *cfg = &f->cfg;
    cfg->inputs = realloc(cfg->inputs,
                          (cfg->input_count + 1) * sizeof *cfg->inputs);
    assert_non_null(cfg->inputs);
    struct disco_input_value *in = &cfg->inputs[cfg->input_count++];
    memset(in, 0, sizeof *in);
    in->node = node;
    snprintf(in->name, sizeof in->name, "%s", name);
    in->value = value;
}

/* Node v's parent is node parent[v] (-1: none), given as the port of v
 * that leads to it. */
static void parents(struct fixture *f, const int *parent)
{
    for (uint32_t v = 0; v < f->topo.nodes; v++) {
        if (parent[v] < 0)
            continue;
        uint32_t c = disco_topology_find(&f->topo, v, (uint32_t)parent[v]);
        assert_int_not_equal(c, UINT32_MAX);
        input(f, v, "parent", c - f->topo.out_offset[v]);
    }
}

static void byzantine(struct fixture *f, const char *list)
{
    sim_config_byzantine(&f->cfg, list, f->topo.nodes, "silent");
}

static void crash(struct fixture *f, const char *schedule)
{
    sim_config_faults(&f->cfg, DISCO_FAULT_CRASH, schedule, f->topo.nodes);
}

static const struct disco_view *run(struct fixture *f)
{
    sim_run_on(&f->run, &probe, &f->topo, &f->cfg);
    return disco_sim_view(f->run.sim);
}

static void finish(struct fixture *f)
{
    disco_sim_free(f->run.sim);
    disco_config_release(&f->cfg);
    disco_topology_release(&f->topo);
}

/* grid:3x3, row-major:   0 - 1 - 2
 *                        |   |   |
 *                        3 - 4 - 5
 *                        |   |   |
 *                        6 - 7 - 8                                        */

/* A breadth-first tree from 0, not depth-first (3-4 joins two branches). */
static const int bfs_tree[9] = {-1, 0, 1, 0, 1, 2, 3, 4, 5};
/* The snake 0-1-2-5-4-3-6-7-8: depth-first, not breadth-first. */
static const int snake[9] = {-1, 0, 1, 4, 5, 2, 3, 6, 7};

/* ---- disco_oracle_spanning_tree ----------------------------------------- */

static void test_spanning_tree_right(void **unused)
{
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, bfs_tree);
    const struct disco_view *view = run(&f);
    assert_true(disco_oracle_spanning_tree(view, parent_port, DISCO_NO_PORT,
                                           f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "rooted at node 0");
    assert_true(disco_oracle_spanning_tree(view, parent_port, 0, f.detail,
                                           sizeof f.detail));
    assert_string_equal(f.detail, "rooted at node 0");
    /* A tree, but not where it was asked to be rooted. */
    assert_false(disco_oracle_spanning_tree(view, parent_port, 4, f.detail,
                                            sizeof f.detail));
    assert_string_equal(f.detail, "the tree is rooted at node 0, not node 4");
    finish(&f);

    /* Any node may be the root. */
    static const int rooted_at_8[9] = {1, 2, 5, 4, 5, 8, 7, 8, -1};
    start(&f, "grid:3x3");
    parents(&f, rooted_at_8);
    view = run(&f);
    assert_true(disco_oracle_spanning_tree(view, parent_port, 8, f.detail,
                                           sizeof f.detail));
    assert_string_equal(f.detail, "rooted at node 8");
    finish(&f);
}

static void test_spanning_tree_two_roots(void **unused)
{
    static const int two_roots[9] = {-1, 0, 1, 0, 1, 2, 3, 4, -1};
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, two_roots);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_spanning_tree(view, parent_port, DISCO_NO_PORT,
                                            f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "2 nodes without a parent (expected one)");
    finish(&f);
}

static void test_spanning_tree_no_root(void **unused)
{
    /* ring:4, every node's parent its successor: one cycle, no root. */
    static const int around[4] = {1, 2, 3, 0};
    struct fixture f;
    start(&f, "ring:4");
    parents(&f, around);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_spanning_tree(view, parent_port, DISCO_NO_PORT,
                                            f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "0 nodes without a parent (expected one)");
    finish(&f);
}

static void test_spanning_tree_cycle(void **unused)
{
    /* One root (0), and the cycle 1 -> 2 -> 5 -> 4 -> 1 beside it. */
    static const int cycle[9] = {-1, 2, 5, 0, 1, 4, 3, 6, 7};
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, cycle);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_spanning_tree(view, parent_port, DISCO_NO_PORT,
                                            f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "the parent pointers from node 1 cycle");
    /* The other tree oracles stop at the same point, with the same words. */
    assert_false(disco_oracle_dfs_tree(view, parent_port, f.detail,
                                       sizeof f.detail));
    assert_string_equal(f.detail, "the parent pointers from node 1 cycle");
    uint32_t depth[9];
    memset(depth, 0xab, sizeof depth);
    assert_false(disco_oracle_bfs_tree(view, parent_port, depth, f.detail,
                                       sizeof f.detail));
    assert_string_equal(f.detail, "the parent pointers from node 1 cycle");
    for (int v = 0; v < 9; v++) /* no depths to give: left alone */
        assert_int_equal(depth[v], 0xabababab);
    finish(&f);
}

static void test_spanning_tree_unreached_node(void **unused)
{
    /* A tree on 8 nodes and one node (8) never reached: two "roots". */
    static const int unreached[9] = {-1, 0, 1, 0, 1, 2, 3, 4, -1};
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, unreached);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_spanning_tree(view, parent_port, 0, f.detail,
                                            sizeof f.detail));
    assert_string_equal(f.detail, "2 nodes without a parent (expected one)");
    finish(&f);
}

static void test_spanning_tree_port_out_of_range(void **unused)
{
    /* Node 4 names port 9 (it has 4): read as no parent at all. */
    struct fixture f;
    start(&f, "grid:3x3");
    static const int all_but_4[9] = {-1, 0, 1, 0, -1, 2, 3, 4, 5};
    parents(&f, all_but_4);
    input(&f, 4, "parent", 9);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_spanning_tree(view, parent_port, DISCO_NO_PORT,
                                            f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "2 nodes without a parent (expected one)");
    finish(&f);
}

/* ---- disco_oracle_dfs_tree ---------------------------------------------- */

static void test_dfs_tree_right(void **unused)
{
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, snake);
    const struct disco_view *view = run(&f);
    assert_true(disco_oracle_dfs_tree(view, parent_port, f.detail,
                                      sizeof f.detail));
    assert_string_equal(f.detail, "rooted at node 0, no cross edges");
    finish(&f);

    /* A path is depth-first from either end. */
    static const int path_from_5[6] = {1, 2, 3, 4, 5, -1};
    start(&f, "grid:1x6");
    parents(&f, path_from_5);
    view = run(&f);
    assert_true(disco_oracle_dfs_tree(view, parent_port, f.detail,
                                      sizeof f.detail));
    assert_string_equal(f.detail, "rooted at node 5, no cross edges");
    finish(&f);
}

static void test_dfs_tree_cross_edge(void **unused)
{
    /* The breadth-first tree: 3 hangs off 0, 4 off 1, and the edge 3-4
     * joins the two branches.  The first edge found is 4-3 (from the
     * deeper end). */
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, bfs_tree);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_dfs_tree(view, parent_port, f.detail,
                                       sizeof f.detail));
    assert_string_equal(f.detail, "edge 4-3 is a cross edge");
    finish(&f);
}

static void test_dfs_tree_cross_edge_between_equal_depths(void **unused)
{
    /* complete:4 with 1, 2 and 3 all children of 0: the edge 1-2 joins
     * two nodes of the same depth. */
    static const int star[4] = {-1, 0, 0, 0};
    struct fixture f;
    start(&f, "complete:4");
    parents(&f, star);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_dfs_tree(view, parent_port, f.detail,
                                       sizeof f.detail));
    assert_string_equal(f.detail, "edge 1-2 is a cross edge");
    /* It is still a spanning tree, and a breadth-first one. */
    assert_true(disco_oracle_spanning_tree(view, parent_port, 0, f.detail,
                                           sizeof f.detail));
    assert_true(disco_oracle_bfs_tree(view, parent_port, NULL, f.detail,
                                      sizeof f.detail));
    finish(&f);
}

static void test_dfs_tree_two_roots(void **unused)
{
    static const int two_roots[9] = {-1, 0, 1, 4, 5, 2, 3, 6, -1};
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, two_roots);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_dfs_tree(view, parent_port, f.detail,
                                       sizeof f.detail));
    assert_string_equal(f.detail, "2 nodes without a parent (expected one)");
    finish(&f);
}

/* ---- disco_oracle_bfs_tree ---------------------------------------------- */

static void test_bfs_tree_right(void **unused)
{
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, bfs_tree);
    const struct disco_view *view = run(&f);
    uint32_t depth[9];
    assert_true(disco_oracle_bfs_tree(view, parent_port, depth, f.detail,
                                      sizeof f.detail));
    assert_string_equal(f.detail, "rooted at node 0, depths are distances");
    static const uint32_t distance[9] = {0, 1, 2, 1, 2, 3, 2, 3, 4};
    assert_memory_equal(depth, distance, sizeof distance);
    /* depth may be NULL. */
    assert_true(disco_oracle_bfs_tree(view, parent_port, NULL, f.detail,
                                      sizeof f.detail));
    finish(&f);
}

static void test_bfs_tree_depth_is_not_distance(void **unused)
{
    /* The snake: node 3 is at distance 1 from 0 but at depth 5. */
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, snake);
    const struct disco_view *view = run(&f);
    uint32_t depth[9];
    assert_false(disco_oracle_bfs_tree(view, parent_port, depth, f.detail,
                                       sizeof f.detail));
    assert_string_equal(f.detail, "node 3 has depth 5 but distance 1");
    /* The tree's depths are still handed back. */
    static const uint32_t snake_depth[9] = {0, 1, 2, 5, 4, 3, 6, 7, 8};
    assert_memory_equal(depth, snake_depth, sizeof snake_depth);
    finish(&f);
}

static void test_bfs_tree_two_roots(void **unused)
{
    static const int two_roots[9] = {-1, 0, 1, 0, 1, 2, 3, 4, -1};
    struct fixture f;
    start(&f, "grid:3x3");
    parents(&f, two_roots);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_bfs_tree(view, parent_port, NULL, f.detail,
                                       sizeof f.detail));
    assert_string_equal(f.detail, "2 nodes without a parent (expected one)");
    finish(&f);
}

/* ---- disco_oracle_unique_max_leader and disco_view_max_id --------------- */

static void test_leader_right(void **unused)
{
    /* Default ids: node i has id i+1, so node 4 has the maximum, 5. */
    struct fixture f;
    start(&f, "ring:5");
    input(&f, 4, "leader", 1);
    const struct disco_view *view = run(&f);
    assert_int_equal(disco_view_max_id(view, NULL), 5);
    assert_true(disco_oracle_unique_max_leader(view, is_leader, NULL,
                                               f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "node 4, id 5");
    finish(&f);
}

static void test_leader_none_or_two(void **unused)
{
    struct fixture f;
    start(&f, "ring:5");
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_unique_max_leader(view, is_leader, NULL,
                                                f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "0 leaders (expected exactly one)");
    finish(&f);

    start(&f, "ring:5");
    input(&f, 4, "leader", 1);
    input(&f, 1, "leader", 1);
    view = run(&f);
    assert_false(disco_oracle_unique_max_leader(view, is_leader, NULL,
                                                f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "2 leaders (expected exactly one)");
    finish(&f);
}

static void test_leader_not_the_maximum(void **unused)
{
    struct fixture f;
    struct disco_error err;
    start(&f, "ring:5");
    assert_int_equal(disco_ids_parse(&f.cfg, "7,3,9,1,5", 5, &err), 0);
    input(&f, 4, "leader", 1);
    const struct disco_view *view = run(&f);
    assert_int_equal(disco_view_max_id(view, NULL), 9);
    assert_false(disco_oracle_unique_max_leader(view, is_leader, NULL,
                                                f.detail, sizeof f.detail));
    assert_string_equal(f.detail,
                        "node 4 leads with id 5, but the maximum id is 9");
    finish(&f);
}

static void test_leader_among_the_eligible(void **unused)
{
    /* Only nodes 0, 3 and 4 are candidates (ids 7, 1, 5): node 0 wins,
     * though node 2 has the larger id 9. */
    static const unsigned char eligible[5] = {1, 0, 0, 1, 1};
    struct fixture f;
    struct disco_error err;
    start(&f, "ring:5");
    assert_int_equal(disco_ids_parse(&f.cfg, "7,3,9,1,5", 5, &err), 0);
    input(&f, 0, "leader", 1);
    const struct disco_view *view = run(&f);
    assert_int_equal(disco_view_max_id(view, eligible), 7);
    assert_true(disco_oracle_unique_max_leader(view, is_leader, eligible,
                                               f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "node 0, id 7");
    /* Without the restriction the same state is wrong. */
    assert_false(disco_oracle_unique_max_leader(view, is_leader, NULL,
                                                f.detail, sizeof f.detail));
    assert_string_equal(f.detail,
                        "node 0 leads with id 7, but the maximum id is 9");
    finish(&f);
}

static void test_leader_and_crashes(void **unused)
{
    /* Node 4 (id 5) crashed: its leader flag does not count, and the
     * maximum among the live is node 3's id 4. */
    struct fixture f;
    start(&f, "ring:5");
    input(&f, 4, "leader", 1);
    input(&f, 3, "leader", 1);
    crash(&f, "4@0");
    const struct disco_view *view = run(&f);
    assert_true(disco_view_crashed(view, 4));
    assert_int_equal(disco_view_max_id(view, NULL), 4);
    assert_true(disco_oracle_unique_max_leader(view, is_leader, NULL,
                                               f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "node 3, id 4");
    finish(&f);

    /* The crashed node was the only leader: none is left. */
    start(&f, "ring:5");
    input(&f, 4, "leader", 1);
    crash(&f, "4@0");
    view = run(&f);
    assert_false(disco_oracle_unique_max_leader(view, is_leader, NULL,
                                                f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "0 leaders (expected exactly one)");
    finish(&f);
}

static void test_max_id_of_nobody(void **unused)
{
    /* No eligible live node: the maximum of the empty set is INT64_MIN,
     * and the leader oracle says there is nobody to compare with. */
    static const unsigned char nobody[3] = {0, 0, 0};
    struct fixture f;
    start(&f, "ring:3");
    input(&f, 2, "leader", 1);
    const struct disco_view *view = run(&f);
    assert_true(disco_view_max_id(view, nobody) == INT64_MIN);
    assert_false(disco_oracle_unique_max_leader(view, is_leader, nobody,
                                                f.detail, sizeof f.detail));
    assert_string_equal(f.detail,
                        "node 2 leads, but no live node is eligible");
    finish(&f);
}

/* ---- disco_oracle_all_decided ------------------------------------------- */

static void everyone_decides(struct fixture *f, int64_t value)
{
    for (uint32_t v = 0; v < f->topo.nodes; v++)
        input(f, v, "decide", value);
}

static void test_all_decided_right(void **unused)
{
    struct fixture f;
    start(&f, "ring:4");
    everyone_decides(&f, 7);
    const struct disco_view *view = run(&f);
    assert_int_equal(disco_view_decision_count(view), 4);
    assert_true(disco_oracle_all_decided(view, 7, f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "every live node decided 7");
    /* The same decisions, held against another value. */
    assert_false(disco_oracle_all_decided(view, 8, f.detail,
                                          sizeof f.detail));
    assert_string_equal(f.detail, "node 0 decided 7, not 8");
    finish(&f);
}

/* disco_oracle_decided_in_round: the probe decides in init, at time 0. */
static void test_decided_in_round(void **unused)
{
    struct fixture f;
    start(&f, "ring:4");
    input(&f, 1, "decide", 7);
    input(&f, 2, "decide", 7);
    input(&f, 3, "decide", 7);
    crash(&f, "3@0");
    const struct disco_view *view = run(&f);
    /* Node 0 never decided; node 3 crashed and is not judged. */
    assert_true(disco_oracle_decided_in_round(view, 1, 0, f.detail,
                                              sizeof f.detail));
    assert_string_equal(f.detail, "every correct process decided in round 0");
    assert_false(disco_oracle_decided_in_round(view, 0, 0, f.detail,
                                               sizeof f.detail));
    assert_string_equal(f.detail,
                        "correct process 0 did not decide in round 0");
    assert_false(disco_oracle_decided_in_round(view, 1, 1, f.detail,
                                               sizeof f.detail));
    assert_string_equal(f.detail,
                        "correct process 1 did not decide in round 1");
    finish(&f);
}

static void test_all_decided_missing_twice_wrong(void **unused)
{
    struct fixture f;
    start(&f, "ring:4");
    input(&f, 0, "decide", 7);
    input(&f, 1, "decide", 7);
    input(&f, 2, "decide", 7);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_all_decided(view, 7, f.detail,
                                          sizeof f.detail));
    assert_string_equal(f.detail, "node 3 never decided");
    finish(&f);

    start(&f, "ring:4");
    everyone_decides(&f, 7);
    input(&f, 2, "decisions", 2);
    view = run(&f);
    assert_int_equal(disco_view_decision_count(view), 5);
    assert_false(disco_oracle_all_decided(view, 7, f.detail,
                                          sizeof f.detail));
    assert_string_equal(f.detail, "node 2 decided twice");
    finish(&f);

    start(&f, "ring:4");
    input(&f, 0, "decide", 7);
    input(&f, 1, "decide", 8);
    input(&f, 2, "decide", 7);
    input(&f, 3, "decide", 7);
    view = run(&f);
    assert_false(disco_oracle_all_decided(view, 7, f.detail,
                                          sizeof f.detail));
    assert_string_equal(f.detail, "node 1 decided 8, not 7");
    finish(&f);

    /* No decision at all: the first node is named. */
    start(&f, "ring:4");
    view = run(&f);
    assert_false(disco_oracle_all_decided(view, 7, f.detail,
                                          sizeof f.detail));
    assert_string_equal(f.detail, "node 0 never decided");
    finish(&f);
}

static void test_all_decided_and_crashes(void **unused)
{
    /* A node that crashed without deciding is excused. */
    struct fixture f;
    start(&f, "ring:4");
    input(&f, 0, "decide", 7);
    input(&f, 1, "decide", 7);
    input(&f, 3, "decide", 7);
    crash(&f, "2@0");
    const struct disco_view *view = run(&f);
    assert_true(disco_oracle_all_decided(view, 7, f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "every live node decided 7");
    finish(&f);

    /* A node that decided something else and then crashed is not judged:
     * the oracle promises "every live node decided value exactly once". */
    start(&f, "ring:4");
    input(&f, 0, "decide", 7);
    input(&f, 1, "decide", 8);
    input(&f, 2, "decide", 7);
    input(&f, 3, "decide", 7);
    crash(&f, "1@0");
    view = run(&f);
    assert_true(disco_view_crashed(view, 1));
    assert_true(disco_oracle_all_decided(view, 7, f.detail,
                                         sizeof f.detail));
    assert_string_equal(f.detail, "every live node decided 7");
    finish(&f);
}

/* ---- disco_oracle_preceded_by_all and disco_view_decision_of ----------- */

/* The port of node u that leads to node v. */
static uint32_t port_of(const struct fixture *f, uint32_t u, uint32_t v)
{
    uint32_t c = disco_topology_find(&f->topo, u, v);
    assert_int_not_equal(c, UINT32_MAX);
    return c - f->topo.out_offset[u];
}

static void test_preceded_by_all_right(void **unused)
{
    /* Nodes 0 and 2 each send to node 1, which decides on the second
     * message: both senders are in the decision's causal past. */
    struct fixture f;
    start(&f, "ring:3");
    input(&f, 0, "send", port_of(&f, 0, 1));
    input(&f, 2, "send", port_of(&f, 2, 1));
    input(&f, 1, "decide_after", 2);
    const struct disco_view *view = run(&f);
    assert_int_equal(disco_view_decision_count(view), 1);
    assert_true(disco_oracle_preceded_by_all(view, 0, f.detail,
                                             sizeof f.detail));
    assert_string_equal(f.detail, "all 3 nodes");
    assert_true(disco_oracle_preceded_by_all(view, DISCO_ALL_DECISIONS,
                                             f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "all 3 nodes");
    assert_int_equal(disco_view_decision_of(view, 1), 0);
    assert_true(disco_view_decision_of(view, 0) == SIZE_MAX);
    finish(&f);
}

static void test_preceded_by_all_missing(void **unused)
{
    /* Node 1 decides on node 0's message: node 2 is not in its past. */
    struct fixture f;
    start(&f, "ring:3");
    input(&f, 0, "send", port_of(&f, 0, 1));
    input(&f, 1, "decide_after", 1);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_preceded_by_all(view, 0, f.detail,
                                              sizeof f.detail));
    assert_string_equal(f.detail, "1 node (first: node 2) has no event "
                                  "before the decision of node 1");
    finish(&f);

    /* A decision in init has only its own node in its past. */
    start(&f, "ring:3");
    input(&f, 1, "decide", 5);
    view = run(&f);
    assert_false(disco_oracle_preceded_by_all(view, 0, f.detail,
                                              sizeof f.detail));
    assert_string_equal(f.detail, "2 nodes (first: node 0) have no event "
                                  "before the decision of node 1");
    finish(&f);
}

/* A run of the probe that ends in one decision: the senders each send
 * to node 1 at init; node 1 decides on its `after`-th message or, with
 * `timer_relay`, its timer (t = 1) sends to node 2, which decides.  The
 * causal log is capped at `limit` (0: the default), delays are constant
 * `delay` (0: the default law); with `tokens`, the run keeps causal
 * tokens instead of the log.  past_of_decision returns the oracle's
 * verdict, its detail in f->detail, and whether the log kept its entries
 * whole (*wide) rather than packed. */
struct past_case {
    const char *spec;
    int senders[3];       /* send to node 1 at init; -1 ends the list */
    bool timer_relay;     /* node 1's timer sends to node 2, which decides
                           * on it; else node 1 decides */
    int64_t after;        /* the decider decides on this many messages */
    uint64_t delay, limit;
    bool tokens;
};

static bool past_of_decision(struct fixture *f, const struct past_case *c,
                             bool *wide)
{
    start(f, c->spec);
    if (c->delay)
        f->cfg.delay =
            (struct disco_delay){.kind = DISCO_DELAY_CONST, .a = c->delay};
    if (c->limit)
        f->cfg.causal_log_limit = c->limit;
    f->cfg.causal_tokens = c->tokens;
    for (int k = 0; k < 3 && c->senders[k] >= 0; k++)
        input(f, (uint32_t)c->senders[k], "send",
              port_of(f, (uint32_t)c->senders[k], 1));
    if (c->timer_relay)
        input(f, 1, "timer_send", port_of(f, 1, 2));
    input(f, c->timer_relay ? 2 : 1, "decide_after", c->after);
    const struct disco_view *view = run(f);
    assert_int_equal(disco_view_decision_count(view), 1);
    *wide = f->run.sim->causal_packing.node_shift == 0;
    return disco_oracle_preceded_by_all(view, 0, f->detail, sizeof f->detail);
}

/* A local event that is not a receive (a timer) shares its position in
 * the causal log with the receive before it: the receive is in the past
 * of what the timer sends, and a receive after the timer is not.  Node
 * 0's message reaches node 1 at t = 1, just before node 1's timer, whose
 * message node 2 decides on: all three are in the decision's past.  With
 * a delay of 5 it arrives at t = 5, after the timer: node 0 is not. */
static void test_preceded_by_all_around_a_timer(void **unused)
{
    /* Each case carries its own expectation, so reordering or adding
     * cases cannot pair a run with another run's verdict. */
    static const struct {
        struct past_case run;
        bool holds;
        const char *detail;
    } cases[] = {
        {{"ring:3", {0, -1}, true, 1, 1, 0, false}, true, "all 3 nodes"},
        {{"ring:3", {0, -1}, true, 1, 5, 0, false},
         false,
         "1 node (first: node 0) has no event before the decision of node 2"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct fixture f;
        bool wide;
        assert_int_equal(past_of_decision(&f, &cases[k].run, &wide),
                         cases[k].holds);
        assert_string_equal(f.detail, cases[k].detail);
        finish(&f);
    }
}

/* On 70,000 nodes the log packs its entries under the default cap, and
 * keeps them whole under the largest cap (node numbers of 17 bits and
 * positions of 32 do not fit in 64): both give the same causal pasts,
 * node 1 deciding on node 0's message, or on the second of 0's and 2's. */
static void test_preceded_by_all_both_log_formats(void **unused)
{
    for (int k = 0; k < 4; k++) {
        bool want_wide = k & 1, two = k & 2;
        struct past_case c = {"ring:70000", {0, two ? 2 : -1, -1}, false,
                              two ? 2 : 1, 0,
                              want_wide ? UINT32_MAX - 1u : 0, false};
        struct fixture f;
        bool wide;
        assert_false(past_of_decision(&f, &c, &wide));
        assert_int_equal(wide, want_wide);
        assert_string_equal(f.detail,
                            two ? "69997 nodes (first: node 3) have no "
                                  "event before the decision of node 1"
                                : "69998 nodes (first: node 2) have no "
                                  "event before the decision of node 1");
        finish(&f);
    }
}

/* ring:3 with two decisions: node 2 decides in init, before it sends
 * (decision 0, alone in its past); node 1 decides after hearing from 0
 * and 2 (decision 1, preceded by all). */
static void start_two_decisions(struct fixture *f)
{
    start(f, "ring:3");
    input(f, 0, "send", port_of(f, 0, 1));
    input(f, 2, "send", port_of(f, 2, 1));
    input(f, 2, "decide", 9);
    input(f, 1, "decide_after", 2);
}

static void test_preceded_by_all_every_decision(void **unused)
{
    struct fixture f;
    start_two_decisions(&f);
    const struct disco_view *view = run(&f);
    assert_int_equal(disco_view_decision_count(view), 2);
    assert_int_equal(disco_view_decision_of(view, 2), 0);
    assert_int_equal(disco_view_decision_of(view, 1), 1);
    assert_true(disco_oracle_preceded_by_all(view, 1, f.detail,
                                             sizeof f.detail));
    assert_string_equal(f.detail, "all 3 nodes");
    assert_false(disco_oracle_preceded_by_all(view, DISCO_ALL_DECISIONS,
                                              f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "2 nodes (first: node 0) have no event "
                                  "before the decision of node 2");
    finish(&f);

    /* complete:3, every node hears from both others before node 1 and
     * node 2 decide: both decisions are preceded by all. */
    start(&f, "complete:3");
    input(&f, 0, "send", port_of(&f, 0, 1));
    input(&f, 0, "send_also", port_of(&f, 0, 2));
    input(&f, 1, "send", port_of(&f, 1, 2));
    input(&f, 2, "send", port_of(&f, 2, 1));
    input(&f, 1, "decide_after", 2);
    input(&f, 2, "decide_after", 2);
    view = run(&f);
    assert_int_equal(disco_view_decision_count(view), 2);
    assert_true(disco_oracle_preceded_by_all(view, DISCO_ALL_DECISIONS,
                                             f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "all 2 decisions, all 3 nodes");
    finish(&f);
}

static void test_preceded_by_all_without_decisions_or_log(void **unused)
{
    struct fixture f;
    start(&f, "ring:3");
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_preceded_by_all(view, DISCO_ALL_DECISIONS,
                                              f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "no decision");
    assert_false(disco_oracle_preceded_by_all(view, 0, f.detail,
                                              sizeof f.detail));
    assert_string_equal(f.detail, "no decision");
    finish(&f);

    /* A decision index past the last one. */
    start(&f, "ring:3");
    input(&f, 1, "decide", 5);
    view = run(&f);
    assert_false(disco_oracle_preceded_by_all(view, 1, f.detail,
                                              sizeof f.detail));
    assert_string_equal(f.detail, "no decision");
    finish(&f);

    /* No causal log: false, and the detail says so (the kernel turns this
     * into "not checked" inside disco_sim_check). */
    start(&f, "ring:3");
    f.cfg.causal_log_limit = 0;
    input(&f, 0, "send", port_of(&f, 0, 1));
    input(&f, 1, "decide_after", 1);
    view = run(&f);
    snprintf(f.detail, sizeof f.detail, "untouched");
    assert_false(disco_oracle_preceded_by_all(view, 0, f.detail,
                                              sizeof f.detail));
    assert_string_equal(f.detail, "not checked: no causal log");
    assert_int_equal(f.run.results[0].holds, DISCO_HOLDS_YES);
    finish(&f);
}

/* ---- causal tokens in place of the log (cfg.causal_tokens) ------------- */

/* The probe with causal tokens asked for: the run must have kept them,
 * and no log. */
static const struct disco_view *run_with_tokens(struct fixture *f)
{
    f->cfg.causal_tokens = true;
    const struct disco_view *view = run(f);
    assert_true(f->run.sim->causal_mode == DISCO__CAUSAL_TOKENS);
    assert_int_equal(f->run.sim->causal_count, 0);
    return view;
}

/* Whether the oracle certified decision `index` from the tokens; when it
 * did not, it must say "not checked" and ask for the log. */
static bool certified(struct fixture *f, const struct disco_view *view,
                      size_t index)
{
    bool holds = disco_oracle_preceded_by_all(view, index, f->detail,
                                              sizeof f->detail);
    if (holds)
        assert_false(disco_sim_causal_rerun(f->run.sim));
    else {
        assert_string_equal(f->detail, "not checked: no causal log");
        assert_true(disco_sim_causal_rerun(f->run.sim));
    }
    return holds;
}

/* The log's cases above, on tokens: a decider holding all three tokens
 * certifies its decision (both senders heard; node 0's token carried on
 * by node 1's timer message); one holding two certifies nothing and asks
 * for the log (node 2 never sends; node 0's message arrives after the
 * timer's left). */
static void test_tokens_on_the_log_cases(void **unused)
{
    static const struct {
        struct past_case run;
        uint32_t tokens; /* what the decider held */
    } cases[] = {
        {{"ring:3", {0, 2, -1}, false, 2, 0, 0, true}, 3},
        {{"ring:3", {0, -1}, true, 1, 1, 0, true}, 3},
        {{"ring:3", {0, -1}, false, 1, 0, 0, true}, 2},
        {{"ring:3", {0, -1}, true, 1, 5, 0, true}, 2},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct fixture f;
        bool wide;
        bool holds = past_of_decision(&f, &cases[k].run, &wide);
        assert_true(f.run.sim->causal_mode == DISCO__CAUSAL_TOKENS);
        assert_int_equal(f.run.sim->causal_count, 0);
        assert_int_equal(f.run.sim->decision_tokens[0], cases[k].tokens);
        assert_int_equal(holds, cases[k].tokens == 3);
        assert_int_equal(disco_sim_causal_rerun(f.run.sim), !holds);
        assert_string_equal(f.detail, holds ? "all 3 nodes"
                                            : "not checked: no causal log");
        finish(&f);
    }
}

static void test_tokens_certify_each_decision(void **unused)
{
    /* Node 2 decides before its send takes its token (one token), node 1
     * on both messages (all three): the second is certified alone, not
     * every decision. */
    struct fixture f;
    start_two_decisions(&f);
    const struct disco_view *view = run_with_tokens(&f);
    assert_int_equal(f.run.sim->decision_tokens[0], 1);
    assert_int_equal(f.run.sim->decision_tokens[1], 3);
    assert_true(certified(&f, view, 1));
    assert_false(certified(&f, view, DISCO_ALL_DECISIONS));
    finish(&f);
}

/* A token is never copied: node 1 decides on its second message from
 * node 0, a duplicate or a second send, holding two tokens (its own and
 * node 0's), not three, which would certify a decision that node 2 has no
 * part in. */
static void test_tokens_are_not_copied(void **unused)
{
    for (int twice = 0; twice < 2; twice++) {
        struct fixture f;
        start(&f, "ring:3");
        input(&f, 0, "send", port_of(&f, 0, 1));
        if (twice)
            input(&f, 0, "send_also", port_of(&f, 0, 1));
        else
            f.cfg.dup = 1.0;
        input(&f, 1, "decide_after", 2);
        const struct disco_view *view = run_with_tokens(&f);
        assert_int_equal(disco_sim_metrics(f.run.sim)->duplicated,
                         twice ? 0 : 1);
        assert_int_equal(f.run.sim->decision_tokens[0], 2);
        assert_false(certified(&f, view, 0));
        finish(&f);
    }
}

/* Tokens travel in the events' Lamport field, which a trace or vector
 * clocks need for themselves: then the run keeps the log, whatever was
 * asked, and answers exactly. */
static void test_tokens_give_way_to_clocks(void **unused)
{
    struct fixture f;
    start(&f, "ring:3");
    f.cfg.causal_tokens = true;
    f.cfg.vector_clocks = true;
    input(&f, 0, "send", port_of(&f, 0, 1));
    input(&f, 1, "decide_after", 1);
    const struct disco_view *view = run(&f);
    assert_false(f.run.sim->causal_mode == DISCO__CAUSAL_TOKENS);
    assert_false(disco_oracle_preceded_by_all(view, 0, f.detail,
                                              sizeof f.detail));
    assert_string_equal(f.detail, "1 node (first: node 2) has no event "
                                  "before the decision of node 1");
    assert_false(disco_sim_causal_rerun(f.run.sim));
    finish(&f);
}

/* ---- the consensus oracles ---------------------------------------------- */

/* Node v decides value[v] in init, in the order of the nodes (-1: none). */
static void decide(struct fixture *f, const int *value)
{
    for (uint32_t v = 0; v < f->topo.nodes; v++)
        if (value[v] >= 0)
            input(f, v, "decide", value[v]);
}

static const struct disco_agreement_words correct_words = {
    .judged = "correct", .group = "process", .verb = "decided",
    .first = "correct node", .other = "node",
};

static const struct disco_agreement_words lieutenant_words = {
    .judged = "loyal", .group = "lieutenant", .verb = "obeys",
    .first = "loyal lieutenant", .other = "lieutenant",
};

static bool not_node_0(const struct disco_view *view, uint32_t v)
{
    return v != 0;
}

static void test_agreement_holds(void **unused)
{
    /* Node 1 is Byzantine and node 3 crashed: NULL judges neither, so
     * their 0s do not count against the others' 1s. */
    static const int decisions[5] = {1, 0, 1, 0, -1};
    struct fixture f;
    start(&f, "complete:5");
    decide(&f, decisions);
    byzantine(&f, "1");
    crash(&f, "3@0");
    const struct disco_view *view = run(&f);
    /* The 0s were decided (nodes 1 and 3 are among the four), so their
     * leaving the verdict alone is NULL's doing. */
    assert_int_equal(disco_view_decision_count(view), 4);
    assert_int_equal(disco_view_decision(view, 1)->node, 1);
    assert_int_equal(disco_view_decision(view, 3)->node, 3);
    assert_true(disco_oracle_agreement(view, NULL, &correct_words, f.detail,
                                       sizeof f.detail));
    assert_string_equal(f.detail, "every correct process decided 1");
    finish(&f);

    /* Nobody judged decided: agreement holds, and says so. */
    static const int only_0[5] = {4, -1, -1, -1, -1};
    start(&f, "complete:5");
    decide(&f, only_0);
    view = run(&f);
    assert_true(disco_oracle_agreement(view, not_node_0, &lieutenant_words,
                                       f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "no loyal lieutenant decided");
    assert_true(disco_oracle_agreement(view, NULL, &lieutenant_words,
                                       f.detail, sizeof f.detail));
    assert_string_equal(f.detail, "every loyal lieutenant obeys 4");
    finish(&f);
}

static void test_agreement_fails(void **unused)
{
    /* Node 0 (judged by NULL) decided 0 and the others 1: named are the
     * first judged decision and the first that differs. */
    static const int decisions[4] = {0, 1, 1, 0};
    struct fixture f;
    start(&f, "complete:4");
    decide(&f, decisions);
    const struct disco_view *view = run(&f);
    assert_false(disco_oracle_agreement(view, NULL, &correct_words, f.detail,
                                        sizeof f.detail));
    assert_string_equal(f.detail, "correct node 0 decided 0, node 1 1");
    /* Without node 0, node 3's 0 is the one that differs from node 1's 1;
     * negative values are values like any other. */
    assert_false(disco_oracle_agreement(view, not_node_0, &lieutenant_words,
                                        f.detail, sizeof f.detail));
    assert_string_equal(f.detail,
                        "loyal lieutenant 1 obeys 1, lieutenant 3 0");
    finish(&f);

    start(&f, "complete:3");
    input(&f, 0, "decide", -2);
    input(&f, 1, "decide", -2);
    input(&f, 2, "decide", -3);
    view = run(&f);
    assert_false(disco_oracle_agreement(view, NULL, &correct_words, f.detail,
                                        sizeof f.detail));
    assert_string_equal(f.detail, "correct node 0 decided -2, node 2 -3");
    finish(&f);
}

static void test_uniform_agreement(void **unused)
{
    struct fixture f;
    start(&f, "complete:4");
    const struct disco_view *view = run(&f);
    assert_true(disco_oracle_uniform_agreement(view, f.detail,
                                               sizeof f.detail));
    assert_string_equal(f.detail, "nobody decided");
    finish(&f);

    static const int same[4] = {5, -1, 5, 5};
    start(&f, "complete:4");
    decide(&f, same);
    view = run(&f);
    assert_true(disco_oracle_uniform_agreement(view, f.detail,
                                               sizeof f.detail));
    assert_string_equal(f.detail, "every decision is 5");
    finish(&f);

    /* A crashed decider is judged too (unlike disco_oracle_agreement). */
    static const int differ[4] = {5, -1, 6, 5};
    start(&f, "complete:4");
    decide(&f, differ);
    crash(&f, "2@0");
    view = run(&f);
    assert_true(disco_view_crashed(view, 2));
    assert_false(disco_oracle_uniform_agreement(view, f.detail,
                                                sizeof f.detail));
    assert_string_equal(f.detail, "node 0 decided 5, node 2 6");
    assert_true(disco_oracle_agreement(view, NULL, &correct_words, f.detail,
                                       sizeof f.detail));
    finish(&f);
}

static void test_decisions_are_inputs(void **unused)
{
    /* Inputs 0, 7, -4 (node 1 crashed: its input still counts). */
    struct fixture f;
    start(&f, "complete:3");
    input(&f, 1, "input", 7);
    input(&f, 2, "input", -4);
    input(&f, 0, "decide", 7);
    input(&f, 2, "decide", 0);
    crash(&f, "1@0");
    const struct disco_view *view = run(&f);
    assert_true(disco_oracle_decisions_are_inputs(view, input_of, f.detail,
                                                  sizeof f.detail));
    assert_string_equal(f.detail, "every decision is some process's input");
    finish(&f);

    /* Node 1's 5 is nobody's input, and a crashed decider is judged. */
    start(&f, "complete:3");
    input(&f, 1, "input", 7);
    input(&f, 0, "decide", 7);
    input(&f, 1, "decide", 5);
    input(&f, 2, "decide", 6);
    crash(&f, "1@0");
    view = run(&f);
    assert_false(disco_oracle_decisions_are_inputs(view, input_of, f.detail,
                                                   sizeof f.detail));
    assert_string_equal(f.detail, "node 1 decided 5, nobody's input");
    finish(&f);
}

static void test_decides_at_most_once(void **unused)
{
    static const int decisions[4] = {1, -1, 1, 1};
    struct fixture f;
    start(&f, "complete:4");
    decide(&f, decisions);
    const struct disco_view *view = run(&f);
    assert_true(disco_oracle_decides_at_most_once(view, f.detail,
                                                  sizeof f.detail));
    assert_string_equal(f.detail, "3 decisions, at most one per process");
    finish(&f);

    start(&f, "complete:4");
    const struct disco_view *none = run(&f);
    assert_true(disco_oracle_decides_at_most_once(none, f.detail,
                                                  sizeof f.detail));
    assert_string_equal(f.detail, "0 decisions, at most one per process");
    finish(&f);

    /* Nodes 1 and 3 decide twice (a crashed node too): the first second
     * decision in the log is node 1's. */
    start(&f, "complete:4");
    decide(&f, decisions);
    input(&f, 1, "decide", 2);
    input(&f, 1, "decisions", 2);
    input(&f, 3, "decisions", 3);
    crash(&f, "1@0");
    view = run(&f);
    assert_int_equal(disco_view_decision_count(view), 7);
    assert_false(disco_oracle_decides_at_most_once(view, f.detail,
                                                   sizeof f.detail));
    assert_string_equal(f.detail, "node 1 decided twice");
    finish(&f);
}

static void test_message_count(void **unused)
{
    /* Two messages sent, nobody faulty: exactly `want`. */
    struct fixture f;
    start(&f, "ring:3");
    input(&f, 0, "send", 0);
    input(&f, 1, "send", 0);
    const struct disco_view *view = run(&f);
    uint64_t sent = disco_view_messages(view, -1);
    assert_int_equal(sent, 2);
    assert_true(disco_oracle_message_count(view, sent, 2, "2n-4", f.detail,
                                           sizeof f.detail));
    assert_string_equal(f.detail, "2 messages, 2n-4 = 2");
    assert_false(disco_oracle_message_count(view, sent, 3, "n", f.detail,
                                            sizeof f.detail));
    assert_string_equal(f.detail, "2 messages, n = 3");
    finish(&f);

    /* A faulty (Byzantine) process: at most `want`. */
    start(&f, "ring:3");
    input(&f, 0, "send", 0);
    input(&f, 1, "send", 0);
    byzantine(&f, "2");
    view = run(&f);
    sent = disco_view_messages(view, -1);
    assert_true(disco_oracle_message_count(view, sent, 3, "n", f.detail,
                                           sizeof f.detail));
    assert_string_equal(f.detail, "2 messages, at most n = 3 (faulty "
                                  "processes may send fewer)");
    assert_false(disco_oracle_message_count(view, sent, 1, "n-2", f.detail,
                                            sizeof f.detail));
    assert_string_equal(f.detail, "2 messages, at most n-2 = 1 (faulty "
                                  "processes may send fewer)");
    finish(&f);
}

/* Which nodes disco_view_faulty_count counts: the Byzantine and the
 * crashed, each node once. */
static void test_faulty_count(void **unused)
{
    /* Which nodes end Byzantine and which crashed (bit v: node v), as
     * the settings make them, and the count. */
    static const struct {
        const char *spec, *byzantine, *crash;
        unsigned byzantine_nodes, crashed_nodes;
        uint32_t faulty;
    } cases[] = {
        {"complete:6", NULL, NULL, 0, 0, 0},
        {"complete:6", "1,4", NULL, 0x12, 0, 2},
        {"complete:6", NULL, "0@0,2@0,5@0", 0, 0x25, 3},
        /* Node 2 is Byzantine and crashed, and counts once. */
        {"complete:6", "1,2", "2@0,3@0", 0x06, 0x0c, 3},
        /* Every node Byzantine and crashed: n, not 2n. */
        {"complete:3", "0,1,2", "0@0,1@0,2@0", 0x7, 0x7, 3},
    };
    struct fixture f;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        start(&f, cases[k].spec);
        if (cases[k].byzantine)
            byzantine(&f, cases[k].byzantine);
        if (cases[k].crash)
            crash(&f, cases[k].crash);
        const struct disco_view *view = run(&f);
        for (uint32_t v = 0; v < f.topo.nodes; v++) {
            bool byz = cases[k].byzantine_nodes >> v & 1u;
            bool crashed = cases[k].crashed_nodes >> v & 1u;
            assert_int_equal(disco_view_byzantine(view, v), byz);
            assert_int_equal(disco_view_crashed(view, v), crashed);
            assert_int_equal(disco_view_faulty(view, v), byz || crashed);
        }
        assert_int_equal(disco_view_faulty_count(view), cases[k].faulty);
        finish(&f);
    }

    /* Faulty means Byzantine or crashed at the end: node 4 crashed and
     * recovered, node 1 omits its sends for ever (its timer's message to
     * node 0 is dropped), but only omits, and link 2-3 is cut from tick 0
     * to the end, which makes neither end faulty.  Node 5, crashed like
     * node 4 and never back, is the one counted. */
    struct disco_error err;
    start(&f, "complete:6");
    crash(&f, "4@0,5@0");
    sim_config_faults(&f.cfg, DISCO_FAULT_RECOVER, "4@1", f.topo.nodes);
    assert_ok(disco_omission_parse(&f.cfg, DISCO_FAULT_OMIT_SEND, "1@0",
                                   f.topo.nodes, &err),
              &err);
    input(&f, 1, "timer_send", port_of(&f, 1, 0));
    /* Still down when the count is taken. */
    sim_config_cut_for_good(&f.cfg, 2, 3, 0, f.topo.nodes);
    const struct disco_view *view = run(&f);
    assert_false(disco_view_crashed(view, 4));
    assert_true(disco_view_crashed(view, 5));
    assert_true(disco_view_link_down(view, 2, disco_view_port_to(view, 2, 3)));
    assert_int_equal(disco_view_messages(view, -1), 1);
    assert_int_equal(disco_sim_metrics(f.run.sim)->dropped, 1);
    assert_int_equal(disco_view_faulty_count(view), 1);
    finish(&f);
}

static void test_decision_other_than(void **unused)
{
    /* Decisions 3, 4 (node 1, Byzantine), 3, 5 (node 3, crashed), 6. */
    static const int decisions[5] = {3, 4, 3, 5, 6};
    struct fixture f;
    start(&f, "complete:5");
    decide(&f, decisions);
    byzantine(&f, "1");
    crash(&f, "3@0");
    const struct disco_view *view = run(&f);
    /* NULL judges the correct: node 4's 6 is the first other than 3. */
    const struct disco_decision *d =
        disco_view_decision_other_than(view, NULL, 3);
    assert_non_null(d);
    assert_int_equal(d->node, 4);
    assert_int_equal(d->value, 6);
    assert_ptr_equal(d, disco_view_decision(view, 4));
    /* Judging every node but 0, node 1's 4 comes first. */
    d = disco_view_decision_other_than(view, not_node_0, 3);
    assert_non_null(d);
    assert_int_equal(d->node, 1);
    assert_int_equal(d->value, 4);
    finish(&f);

    static const int all_3[5] = {3, -1, 3, 3, 3};
    start(&f, "complete:5");
    decide(&f, all_3);
    view = run(&f);
    assert_null(disco_view_decision_other_than(view, NULL, 3));
    assert_non_null(disco_view_decision_other_than(view, NULL, 4));
    finish(&f);
}

static void test_common_input(void **unused)
{
    /* Inputs 2, 9 (node 1, Byzantine), 2, 0 (node 3, crashed). */
    struct fixture f;
    start(&f, "complete:4");
    input(&f, 0, "input", 2);
    input(&f, 1, "input", 9);
    input(&f, 2, "input", 2);
    byzantine(&f, "1");
    crash(&f, "3@0");
    const struct disco_view *view = run(&f);
    int64_t common = -7;
    assert_true(disco_view_common_input(view, NULL, input_of, &common));
    assert_int_equal(common, 2);
    /* Judging every node but 0 (the Byzantine 1 and the crashed 3 too),
     * the inputs differ: *value is left alone. */
    common = -7;
    assert_false(disco_view_common_input(view, not_node_0, input_of,
                                         &common));
    assert_int_equal(common, -7);
    finish(&f);

    /* Nobody judged: no common input. */
    start(&f, "complete:2");
    byzantine(&f, "0,1");
    view = run(&f);
    assert_false(disco_view_common_input(view, NULL, input_of, &common));
    assert_int_equal(common, -7);
    finish(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spanning_tree_right),
        cmocka_unit_test(test_spanning_tree_two_roots),
        cmocka_unit_test(test_spanning_tree_no_root),
        cmocka_unit_test(test_spanning_tree_cycle),
        cmocka_unit_test(test_spanning_tree_unreached_node),
        cmocka_unit_test(test_spanning_tree_port_out_of_range),
        cmocka_unit_test(test_dfs_tree_right),
        cmocka_unit_test(test_dfs_tree_cross_edge),
        cmocka_unit_test(test_dfs_tree_cross_edge_between_equal_depths),
        cmocka_unit_test(test_dfs_tree_two_roots),
        cmocka_unit_test(test_bfs_tree_right),
        cmocka_unit_test(test_bfs_tree_depth_is_not_distance),
        cmocka_unit_test(test_bfs_tree_two_roots),
        cmocka_unit_test(test_leader_right),
        cmocka_unit_test(test_leader_none_or_two),
        cmocka_unit_test(test_leader_not_the_maximum),
        cmocka_unit_test(test_leader_among_the_eligible),
        cmocka_unit_test(test_leader_and_crashes),
        cmocka_unit_test(test_max_id_of_nobody),
        cmocka_unit_test(test_all_decided_right),
        cmocka_unit_test(test_decided_in_round),
        cmocka_unit_test(test_all_decided_missing_twice_wrong),
        cmocka_unit_test(test_all_decided_and_crashes),
        cmocka_unit_test(test_preceded_by_all_right),
        cmocka_unit_test(test_preceded_by_all_missing),
        cmocka_unit_test(test_preceded_by_all_around_a_timer),
        cmocka_unit_test(test_preceded_by_all_both_log_formats),
        cmocka_unit_test(test_preceded_by_all_every_decision),
        cmocka_unit_test(test_preceded_by_all_without_decisions_or_log),
        cmocka_unit_test(test_tokens_on_the_log_cases),
        cmocka_unit_test(test_tokens_certify_each_decision),
        cmocka_unit_test(test_tokens_are_not_copied),
        cmocka_unit_test(test_tokens_give_way_to_clocks),
        cmocka_unit_test(test_agreement_holds),
        cmocka_unit_test(test_agreement_fails),
        cmocka_unit_test(test_uniform_agreement),
        cmocka_unit_test(test_decisions_are_inputs),
        cmocka_unit_test(test_decides_at_most_once),
        cmocka_unit_test(test_message_count),
        cmocka_unit_test(test_faulty_count),
        cmocka_unit_test(test_decision_other_than),
        cmocka_unit_test(test_common_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
