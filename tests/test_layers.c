/*
 * test_layers.c - per-port state sized by each node's degree, and layers
 * that run an inner algorithm and catch its sends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support.h"

extern const struct disco_algorithm disco_alg_flood;

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_port_state_follows_each_degree),
        cmocka_unit_test(test_layer_catches_inner_sends),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
