/*
 * test_byzantine_peer.c - disco_byzantine_peer, the coalition as a strategy
 * or lie callback sees it.  No algorithm in the tree calls it, so this is
 * the only place that holds it to its comment in disco.h: true for the
 * coalition's members when asked by one of them, false for everyone else,
 * for nodes that do not exist, and always when asked at a correct node.
 *
 * The roll-call algorithm: every node sends one message to every
 * neighbour; the honest payload says "not asked", a Byzantine sender's
 * strategy (or lie callback) writes the coalition as it sees it, and every
 * receiver records what each sender said and what it sees itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "support.h"

#define ROLL_NODES 5
#define NOT_ASKED UINT32_MAX

struct roll_msg {
    uint32_t sender;
    uint32_t coalition; /* NOT_ASKED, or a mask from coalition() */
};

struct roll_state {
    uint32_t heard[ROLL_NODES]; /* per sender: its message's coalition */
    uint32_t own_view;          /* coalition() at this node, on receipt */
};

/* Bit v for each node v < 31 that is a peer of the calling node; bit 31
 * when a node that does not exist (the node count, UINT32_MAX) is one.
 * Nodes ROLL_NODES..30 do not exist either, so their bits must stay 0. */
static uint32_t coalition(const struct disco_ctx *ctx)
{
    uint32_t mask = 0;
    for (uint32_t v = 0; v < 31; v++)
        if (disco_byzantine_peer(ctx, v))
            mask |= 1u << v;
    if (disco_byzantine_peer(ctx, disco_nodes(ctx)) ||
        disco_byzantine_peer(ctx, UINT32_MAX))
        mask |= 1u << 31;
    return mask;
}

static void roll_init(struct disco_ctx *ctx, void *state)
{
    (void)state;
    struct roll_msg m = {.sender = disco_self(ctx), .coalition = NOT_ASKED};
    disco_send_all(ctx, 0, &m, sizeof m);
}

static void roll_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                            unsigned kind, const void *payload, size_t len)
{
    (void)port, (void)kind;
    struct roll_state *s = state;
    struct roll_msg m;
    assert_int_equal(len, sizeof m);
    memcpy(&m, payload, sizeof m);
    assert_in_range(m.sender, 0, ROLL_NODES - 1);
    s->heard[m.sender] = m.coalition;
    s->own_view = coalition(ctx);
}

/* Both the lie callback (generic strategies) and the module's own
 * strategy write the coalition into the message. */
static bool roll_lie(struct disco_ctx *ctx, enum disco_lie how, uint32_t port,
                     unsigned kind, void *payload, size_t len)
{
    (void)how, (void)port, (void)kind, (void)len;
    struct roll_msg *m = payload;
    m->coalition = coalition(ctx);
    return true;
}

static bool roll_call(struct disco_ctx *ctx, uint32_t port, unsigned *kind,
                      void *payload, size_t *len)
{
    (void)port, (void)kind, (void)len;
    struct roll_msg *m = payload;
    m->coalition = coalition(ctx);
    return true;
}

static const struct disco_strategy roll_strategies[] = {
    {"roll-call", "names the coalition in every message", roll_call},
};

static const char *const roll_kinds[] = {"roll"};

static const struct disco_algorithm roll = {
    .name = "roll",
    .family = "test",
    .summary = "every node tells every neighbour whom it conspires with",
    .model = {.timing = DISCO_ASYNC, .initiators = "all"},
    .message_kinds = roll_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct roll_state),
    .init = roll_init,
    .on_message = roll_on_message,
    .lie = roll_lie,
    .strategies = roll_strategies,
    .strategy_count = 1,
};

/* Run roll on complete:5 with `byzantine` (NULL: none) under `strategy`
 * and copy out every node's state. */
static void roll_run(struct roll_state out[ROLL_NODES], const char *byzantine,
                     const char *strategy)
{
    struct disco_config cfg;
    sim_config(&cfg, &roll, 1, NULL);
    if (byzantine)
        sim_config_byzantine(&cfg, byzantine, ROLL_NODES, strategy);
    struct sim_run run;
    sim_run(&run, &roll, "complete:5", 1, &cfg);
    assert_int_equal(run.metrics->messages, ROLL_NODES * (ROLL_NODES - 1));
    for (uint32_t v = 0; v < ROLL_NODES; v++)
        memcpy(&out[v], disco_view_state(disco_sim_view(run.sim), v),
               sizeof out[v]);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* Nodes 1 and 3 conspire: each names both (mask 0b1010), itself included,
 * and no node beyond the graph; the honest senders were never asked.  The
 * correct nodes see no coalition at all; the traitors' own handlers see it
 * as their strategy does (the answer depends on the node, not on whether a
 * strategy or the algorithm asks). */
static void assert_coalition_1_3(const struct roll_state st[ROLL_NODES])
{
    for (uint32_t r = 0; r < ROLL_NODES; r++) {
        bool byzantine = r == 1 || r == 3;
        assert_int_equal(st[r].own_view, byzantine ? 0xAu : 0u);
        for (uint32_t s = 0; s < ROLL_NODES; s++) {
            if (s == r)
                assert_int_equal(st[r].heard[s], 0); /* no self-loop */
            else if (s == 1 || s == 3)
                assert_int_equal(st[r].heard[s], 0xAu);
            else
                assert_int_equal(st[r].heard[s], NOT_ASKED);
        }
    }
}

static void test_strategy_sees_its_coalition(void **state)
{
    (void)state;
    struct roll_state st[ROLL_NODES];
    roll_run(st, "1,3", "roll-call");
    assert_coalition_1_3(st);
}

static void test_lie_callback_sees_its_coalition(void **state)
{
    (void)state;
    struct roll_state st[ROLL_NODES];
    roll_run(st, "1,3", "flip");
    assert_coalition_1_3(st);
}

/* A lone traitor conspires with itself only. */
static void test_lone_traitor(void **state)
{
    (void)state;
    struct roll_state st[ROLL_NODES];
    roll_run(st, "4", "roll-call");
    for (uint32_t r = 0; r < ROLL_NODES; r++) {
        assert_int_equal(st[r].own_view, r == 4 ? 0x10u : 0u);
        if (r != 4)
            assert_int_equal(st[r].heard[4], 0x10u);
    }
}

/* Without Byzantine nodes nobody has peers, and nobody lies. */
static void test_no_coalition_without_traitors(void **state)
{
    (void)state;
    struct roll_state st[ROLL_NODES];
    roll_run(st, NULL, NULL);
    for (uint32_t r = 0; r < ROLL_NODES; r++) {
        assert_int_equal(st[r].own_view, 0);
        for (uint32_t s = 0; s < ROLL_NODES; s++)
            assert_int_equal(st[r].heard[s], s == r ? 0 : NOT_ASKED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strategy_sees_its_coalition),
        cmocka_unit_test(test_lie_callback_sees_its_coalition),
        cmocka_unit_test(test_lone_traitor),
        cmocka_unit_test(test_no_coalition_without_traitors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
