/*
 * test_layers.c - per-port state sized by each node's degree, per-in-port
 * state sized by each node's in-degree, node cells (a small state beside
 * its node's record), and layers that run an inner algorithm and catch its
 * sends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "internal.h" /* disco__state_size: where each node's block ends */
#include "registry.h"
#include "support.h"

extern const struct disco_algorithm disco_alg_flood;
extern const struct disco_algorithm disco_alg_echo;
extern const struct disco_algorithm disco_alg_lcr;
extern const struct disco_algorithm disco_alg_tarry;
extern const struct disco_algorithm disco_alg_lamport_mutex;

/* ---- per-port state: count what arrives on each port ---- */

struct counter_state {
    uint64_t total; /* 8-byte aligned: blocks of odd-sized parts must be */
};

static void counter_init(struct disco_ctx *ctx, void *state)
{
    /* Every node says hello on every port; each port part counts. */
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        unsigned char *sent = disco_port_state(ctx, p);
        *sent = 0;
        disco_send(ctx, p, 0, NULL, 0);
    }
}

static void counter_on_message(struct disco_ctx *ctx, void *state,
                               uint32_t port, unsigned kind,
                               const void *payload, size_t len)
{
    struct counter_state *s = state;
    unsigned char *seen = disco_port_state(ctx, port);
    (*seen)++;
    s->total++;
}

static const char *const counter_kinds[] = {"hello"};
static const struct disco_algorithm counter = {
    .name = "counter",
    .family = "test",
    .summary = "per-port counters",
    .model = {.timing = DISCO_ASYNC, .undirected = true},
    .message_kinds = counter_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct counter_state),
    .port_state_size = 3, /* odd on purpose: the next block stays aligned */
    .init = counter_init,
    .on_message = counter_on_message,
};

static void test_port_state_follows_each_degree(void **unused)
{
    /* (Under UBSan a misaligned block would be reported here.) */
    /* A star: the centre has 9 ports, the leaves 1.  Blocks are sized per
     * node, and every port part is its own. */
    struct sim_run run;
    sim_run(&run, &counter, "star:10", 1, NULL);
    const struct disco_view *view = disco_sim_view(run.sim);
    for (uint32_t v = 0; v < 10; v++) {
        const struct counter_state *s = disco_view_state(view, v);
        assert_int_equal(s->total, disco_view_degree(view, v));
        for (uint32_t p = 0; p < disco_view_degree(view, v); p++) {
            const unsigned char *seen = disco_view_port_state(view, v, p);
            assert_int_equal(*seen, 1);
        }
    }
    sim_run_release(&run);
}

/* ---- per-in-port state: one part per incoming channel ---- */

/* Every node sends its index on each out-port; the receiver files it in the
 * part of the in-port it came on.  The out-port parts hold a pattern that
 * the in-port writes must not touch. */
struct in_counter_state {
    uint32_t in_ports_zeroed; /* in-port parts that were all zero at init */
    uint32_t received;
};

struct in_part {
    _Alignas(16) uint32_t hellos; /* messages on this in-port */
    uint32_t sender;              /* the index they carried */
    uint64_t untouched;           /* never written: must stay zero */
};

enum { OUT_PART_SIZE = 5 }; /* odd on purpose: the in-port parts after the
                             * out-port parts still start aligned */

static void in_counter_init(struct disco_ctx *ctx, void *state)
{
    struct in_counter_state *s = state;
    static const struct in_part zero;
    for (uint32_t q = 0; q < disco_in_degree(ctx); q++)
        s->in_ports_zeroed +=
            memcmp(disco_in_port_state(ctx, q), &zero, sizeof zero) == 0;
    uint32_t self = disco_self(ctx);
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        memset(disco_port_state(ctx, p), (int)(0xA0 + p), OUT_PART_SIZE);
        disco_send(ctx, p, 0, &self, sizeof self);
    }
}

static void in_counter_on_message(struct disco_ctx *ctx, void *state,
                                  uint32_t port, unsigned kind,
                                  const void *payload, size_t len)
{
    struct in_counter_state *s = state;
    struct in_part *in = disco_in_port_state(ctx, port);
    in->hellos++;
    memcpy(&in->sender, payload, sizeof in->sender);
    s->received++;
}

static const struct disco_algorithm in_counter = {
    .name = "in-counter",
    .family = "test",
    .summary = "per-in-port counters",
    .model = {.timing = DISCO_ASYNC},
    .message_kinds = counter_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct in_counter_state),
    .port_state_size = OUT_PART_SIZE,
    .in_port_state_size = sizeof(struct in_part),
    .init = in_counter_init,
    .on_message = in_counter_on_message,
};

/* A byte range of some node's block, to check that no two overlap. */
struct part_range {
    uintptr_t start, end;
};

static int by_start(const void *a, const void *b)
{
    uintptr_t x = ((const struct part_range *)a)->start,
              y = ((const struct part_range *)b)->start;
    return (x > y) - (x < y);
}

/* The in-port parts of `topo` after in_counter ran on it: one per
 * in-port, zeroed at init, 16-byte aligned, each holding exactly the one
 * message of the channel disco_view_in_port names, and no part (node,
 * out-port or in-port) overlapping another. */
static void check_in_ports(const struct disco_topology *topo)
{
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, &in_counter, topo, NULL);
    const struct disco_view *view = disco_sim_view(run.sim);
    uint32_t n = disco_view_nodes(view);
    size_t part_count = n + 2 * (size_t)disco_view_channels(view), parts = 0;
    struct part_range *part = calloc(part_count, sizeof *part);
    assert_non_null(part);
    for (uint32_t v = 0; v < n; v++) {
        const struct in_counter_state *s = disco_view_state(view, v);
        uint32_t in_degree = disco_view_in_degree(view, v);
        size_t first_part = parts;
        assert_int_equal(s->in_ports_zeroed, in_degree);
        assert_int_equal(s->received, in_degree);
        part[parts++] = (struct part_range){
            (uintptr_t)s, (uintptr_t)s + in_counter.state_size};
        for (uint32_t q = 0; q < in_degree; q++) {
            const struct in_part *in = disco_view_in_port_state(view, v, q);
            assert_int_equal((uintptr_t)in % 16, 0);
            assert_int_equal(in->hellos, 1);
            assert_int_equal(in->untouched, 0);
            part[parts++] = (struct part_range){
                (uintptr_t)in, (uintptr_t)(in + 1)};
        }
        for (uint32_t p = 0; p < disco_view_degree(view, v); p++) {
            const unsigned char *out = disco_view_port_state(view, v, p);
            for (unsigned b = 0; b < OUT_PART_SIZE; b++)
                assert_int_equal(out[b], 0xA0 + p);
            part[parts++] = (struct part_range){(uintptr_t)out,
                                                (uintptr_t)out + OUT_PART_SIZE};
            /* The channel's far end filed it by the in-port the view names. */
            uint32_t to = disco_view_neighbour(view, v, p);
            uint32_t q = disco_view_in_port(view, v, p);
            assert_true(q < disco_view_in_degree(view, to));
            const struct in_part *in = disco_view_in_port_state(view, to, q);
            assert_int_equal(in->sender, v);
            if (!disco_view_directed(view))
                assert_int_equal(q, disco_view_port_to(view, to, v));
        }
        /* Every part of v lies in v's block as disco_sim_create sized it:
         * the accessors' offsets and the block sizes agree (the overlap
         * check below cannot see the last node's parts run off the end). */
        uintptr_t block = (uintptr_t)s;
        for (size_t i = first_part; i < parts; i++)
            assert_true(part[i].start >= block &&
                        part[i].end <= block + disco__state_size(run.sim, v));
    }
    assert_int_equal(parts, part_count);
    qsort(part, parts, sizeof *part, by_start);
    for (size_t i = 1; i < parts; i++)
        assert_true(part[i - 1].end <= part[i].start);
    free(part);
    disco_sim_free(run.sim);
}

static void test_in_port_state_per_in_port(void **unused)
{
    /* A directed star and back: the hub 0 sends to 1..4 and hears only
     * from 1, which hears from everyone (in-degrees 1, 4, 1, 1, 1;
     * out-degrees 4, 1, 1, 1, 1).  Then the undirected star, where the
     * in-port of a channel is the receiver's port back. */
    static const struct disco_edge edges[] = {
        {0, 1, 1}, {0, 2, 1}, {0, 3, 1}, {0, 4, 1},
        {1, 0, 1}, {2, 1, 1}, {3, 1, 1}, {4, 1, 1},
    };
    struct disco_topology topo = {0};
    struct disco_error err = {0};
    assert_ok(disco_topology_build(&topo, 5, true, edges,
                                   sizeof edges / sizeof edges[0], false,
                                   &err),
              &err);
    assert_int_equal(topo.in_degree[1], 4);
    assert_int_equal(disco_topology_degree(&topo, 0), 4);
    check_in_ports(&topo);
    disco_topology_release(&topo);
    assert_ok(disco_topology_generate(&topo, "star:6", 1, &err), &err);
    check_in_ports(&topo);
    disco_topology_release(&topo);
}

/* ---- a layer: flood inside, every inner message tagged and counted ---- */

enum { WRAPPED };

struct layer_state {
    uint32_t caught;          /* inner sends the hook saw */
    unsigned char inner[64];  /* the inner algorithm's state */
};

static void layer_hook(struct disco_ctx *ctx, void *hook_state, uint32_t port,
                       unsigned kind, const void *payload, size_t len)
{
    struct layer_state *s = hook_state;
    s->caught++;
    unsigned char tagged = (unsigned char)kind;
    disco_send(ctx, port, WRAPPED, &tagged, 1); /* to the network */
}

static void layer_init(struct disco_ctx *ctx, void *state)
{
    struct layer_state *s = state;
    disco_set_send_hook(ctx, layer_hook, s);
    disco_alg_flood.init(ctx, s->inner);
    disco_set_send_hook(ctx, NULL, NULL);
}

static void layer_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind,
                             const void *payload, size_t len)
{
    struct layer_state *s = state;
    unsigned char inner_kind;
    memcpy(&inner_kind, payload, 1);
    disco_set_send_hook(ctx, layer_hook, s);
    disco_alg_flood.on_message(ctx, s->inner, port, inner_kind, NULL, 0);
    disco_set_send_hook(ctx, NULL, NULL);
}

static const char *const layer_kinds[] = {"wrapped"};
static const struct disco_algorithm layer = {
    .name = "layer",
    .family = "test",
    .summary = "flood inside a layer",
    .model = {.timing = DISCO_ASYNC, .undirected = true, .initiators = "0"},
    .message_kinds = layer_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct layer_state),
    .init = layer_init,
    .on_message = layer_on_message,
};

static void test_layer_catches_inner_sends(void **unused)
{
    /* Flood through the layer costs what flood costs (2m-(N-1) = 33 on
     * grid:4x4), every message passes the hook exactly once, and the
     * inner states end as flood's own would. */
    struct sim_run run;
    sim_run(&run, &layer, "grid:4x4", 1, NULL);
    assert_int_equal(run.metrics->messages, 33);
    const struct disco_view *view = disco_sim_view(run.sim);
    uint32_t caught = 0;
    for (uint32_t v = 0; v < 16; v++) {
        const struct layer_state *s = disco_view_state(view, v);
        caught += s->caught;
        assert_true(*(const bool *)s->inner); /* flood_state.reached */
    }
    assert_int_equal(caught, 33);
    sim_run_release(&run);
}

/* ---- node cells: a state of up to 32 bytes beside its node's record ---- */

/* Sets DISCO_NODE_CELLS to `setting` (NULL: unset) for the sims created
 * until the next call. */
static void set_node_cells(const char *setting)
{
    if (setting)
        assert_int_equal(setenv("DISCO_NODE_CELLS", setting, 1), 0);
    else
        assert_int_equal(unsetenv("DISCO_NODE_CELLS"), 0);
}

static void test_node_cells_rule(void **unused)
{
    set_node_cells(NULL);
    /* echo's 12 bytes take a 16-byte stride: 16 bytes of padding a node,
     * up to 64 MiB of it (2^22 nodes) and no more. */
    assert_true(disco__node_cells(&disco_alg_echo, 1, 16));
    assert_true(disco__node_cells(&disco_alg_echo, 1u << 22, 16));
    assert_false(disco__node_cells(&disco_alg_echo, (1u << 22) + 1, 16));
    assert_false(disco__node_cells(&disco_alg_echo, 10000000, 16));
    /* A 32-byte state fills its cell: no padding, at any size. */
    assert_true(disco__node_cells(&disco_alg_lcr, UINT32_MAX, 32));
    /* Larger states, and states with per-port parts, stay apart. */
    assert_false(disco__node_cells(&disco_alg_tarry, 1, 144));
    assert_false(disco__node_cells(&disco_alg_lamport_mutex, 1, 32));
    /* Only the exact value 0 turns them off. */
    set_node_cells("0");
    assert_false(disco__node_cells(&disco_alg_echo, 1, 16));
    set_node_cells("no");
    assert_true(disco__node_cells(&disco_alg_echo, 1, 16));
    set_node_cells(NULL);
}

/* Each node fills its whole 32-byte state with its own byte, and its
 * neighbours' messages never touch it. */
struct filler_state {
    unsigned char bytes[32];
};

static void filler_init(struct disco_ctx *ctx, void *state)
{
    memset(state, (int)(0x40 + disco_self(ctx)), sizeof(struct filler_state));
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++)
        disco_send(ctx, p, 0, NULL, 0);
}

static void filler_on_message(struct disco_ctx *ctx, void *state,
                              uint32_t port, unsigned kind,
                              const void *payload, size_t len)
{
}

static const struct disco_algorithm filler = {
    .name = "filler",
    .family = "test",
    .summary = "fills its state",
    .model = {.timing = DISCO_ASYNC, .undirected = true},
    .message_kinds = counter_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct filler_state),
    .init = filler_init,
    .on_message = filler_on_message,
};

/* The run's states each hold their node's bytes, and its records what the
 * topology says: no state overlaps another, nor any record. */
static void assert_states_and_records_intact(const struct sim_run *run)
{
    const struct disco_view *view = disco_sim_view(run->sim);
    const struct disco_topology *t = run->ran_on;
    for (uint32_t v = 0; v < t->nodes; v++) {
        const unsigned char *bytes = disco_view_state(view, v);
        for (size_t b = 0; b < sizeof(struct filler_state); b++)
            assert_int_equal(bytes[b], (unsigned char)(0x40 + v));
        assert_int_equal(disco__node(run->sim, v)->first_channel,
                         t->out_offset[v]);
        assert_int_equal(disco__node(run->sim, v)->degree,
                         disco_topology_degree(t, v));
        assert_int_equal((uintptr_t)bytes % 16, 0);
    }
    /* Every node heard from each neighbour. */
    assert_int_equal(run->metrics->messages, t->channels);
}

/* A small run's records come from the allocator; a large one's (from 4 MB)
 * from fresh mappings (disco__big_zeroed), given back by their size. */
static const char *const cell_specs[] = {"star:10", "ring:70000"};

static void test_node_cells_hold_record_then_state(void **unused)
{
    for (size_t i = 0; i < sizeof cell_specs / sizeof cell_specs[0]; i++) {
        set_node_cells(NULL);
        struct sim_run run;
        sim_run(&run, &filler, cell_specs[i], 1, NULL);
        uint32_t n = run.ran_on->nodes;
        const unsigned char *cells = (const unsigned char *)run.sim->node;
        for (uint32_t v = 0; v < n; v++) {
            const unsigned char *cell = cells + (size_t)v * DISCO__CELL_BYTES;
            assert_ptr_equal(disco__node(run.sim, v), cell);
            assert_ptr_equal(disco__state(run.sim, v),
                             cell + sizeof(struct disco__node));
        }
        assert_int_equal((uintptr_t)cells % 64, 0); /* one line each */
        assert_states_and_records_intact(&run);
        sim_run_release(&run);
    }
}

static void test_node_cells_off_keeps_states_apart(void **unused)
{
    for (size_t i = 0; i < sizeof cell_specs / sizeof cell_specs[0]; i++) {
        set_node_cells("0");
        struct sim_run run;
        sim_run(&run, &filler, cell_specs[i], 1, NULL);
        set_node_cells(NULL);
        uint32_t n = run.ran_on->nodes;
        const unsigned char *records = (const unsigned char *)run.sim->node;
        const unsigned char *states = disco__state(run.sim, 0);
        for (uint32_t v = 0; v < n; v++) {
            assert_ptr_equal(disco__node(run.sim, v),
                             records + (size_t)v * sizeof(struct disco__node));
            assert_ptr_equal(disco__state(run.sim, v),
                             states + (size_t)v * sizeof(struct filler_state));
        }
        /* The states' array is not inside the records'. */
        assert_true(states >= records + n * sizeof(struct disco__node) ||
                    states + n * sizeof(struct filler_state) <= records);
        assert_states_and_records_intact(&run);
        sim_run_release(&run);
    }
}

/* Whatever a cells test left set on its way out, failing or not. */
static int unset_node_cells(void **unused)
{
    return unsetenv("DISCO_NODE_CELLS");
}

/* Cells change where a node's state lies, never what a run does: every
 * algorithm prints the same summary and trace with them off, on two seeds,
 * and a faulty network's flood does too. */
static void run_both_ways(const char *const argv[], const char *trace)
{
    struct cli_output on, off;
    size_t on_len, off_len;
    set_node_cells(NULL);
    unlink(trace); /* a run that writes no trace must not pass for one */
    cli_run(&on, argv);
    char *on_trace = file_read(trace, &on_len);
    set_node_cells("0");
    unlink(trace);
    cli_run(&off, argv);
    char *off_trace = file_read(trace, &off_len);
    set_node_cells(NULL);
    assert_true(on.status == 0 || on.status == 1);
    assert_int_equal(on.status, off.status);
    assert_string_equal(on.out, off.out);
    assert_string_equal(on.err, off.err);
    assert_non_null(on_trace);
    assert_non_null(off_trace);
    assert_true(on_len > 0);
    assert_int_equal(on_len, off_len);
    assert_memory_equal(on_trace, off_trace, on_len);
    free(on_trace);
    free(off_trace);
    cli_output_release(&on);
    cli_output_release(&off);
}

static void test_node_cells_same_output(void **unused)
{
    char *dir = tmpdir_create();
    char *trace = path_in(dir, "trace.jsonl");
    const char *disco = NULL; /* cli_run runs DISCO_BIN */
    /* Every algorithm, whether it gets cells or not (which is the rule's
     * business, tested above). */
    static const char *const seeds[] = {"1", "2"};
    for (size_t i = 0; i < disco_algorithm_count; i++)
        for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
            const char *argv[] = {disco, "run", disco_algorithms[i]->name,
                                  "--seed", seeds[k], "--json", "--trace",
                                  trace, NULL};
            run_both_ways(argv, trace);
        }
    const char *faulty[] = {disco, "run", "flood", "--topology", "gnp:60:0.1",
                            "--no-fifo", "--delay", "exp:20", "--loss", "0.2",
                            "--dup", "0.1", "--crash", "3@5", "--recover",
                            "3@40", "--cut", "0-2@2:30", "--json", "--trace",
                            trace, NULL};
    run_both_ways(faulty, trace);
    free(trace);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_port_state_follows_each_degree),
        cmocka_unit_test(test_in_port_state_per_in_port),
        cmocka_unit_test(test_layer_catches_inner_sends),
        cmocka_unit_test_teardown(test_node_cells_rule, unset_node_cells),
        cmocka_unit_test_teardown(test_node_cells_hold_record_then_state,
                                  unset_node_cells),
        cmocka_unit_test_teardown(test_node_cells_off_keeps_states_apart,
                                  unset_node_cells),
        cmocka_unit_test_teardown(test_node_cells_same_output,
                                  unset_node_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
