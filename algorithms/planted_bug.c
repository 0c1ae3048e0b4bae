/*
 * planted_bug.c - a test-only election with a deliberate bug, so that the
 * tests can prove `disco check` catches, reproduces and shrinks a
 * violation.  Not for teaching: family "test".
 *
 * It is Chang and Roberts on a unidirectional ring, except that a node
 * whose first draw from its own random stream is 0 (one chance in 32)
 * also believes it is the leader as soon as it starts.  The draw depends
 * only on the seed and the node's index, so a violation on ring size n
 * stays a violation on any smaller ring that still contains the faulty
 * node: what shrinking needs to show its worth.
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { ELECT, LEADER };

struct pb_state {
    int64_t leader;
    bool sent_own;
    bool is_leader;
    bool knows_leader;
};

static void send_id(struct disco_ctx *ctx, unsigned kind, int64_t id)
{
    disco_send(ctx, 0, kind, &id, sizeof id);
}

static void pb_init(struct disco_ctx *ctx, void *state)
{
    struct pb_state *s = state;
    /* The planted bug: an unlucky node crowns itself. */
    if (disco_random_below(ctx, 32) == 0)
        s->is_leader = true;
    if (disco_is_initiator(ctx)) {
        s->sent_own = true;
        send_id(ctx, ELECT, disco_id(ctx));
    }
}

static void pb_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct pb_state *s = state;
    int64_t id;
    memcpy(&id, payload, sizeof id);
    int64_t own = disco_id(ctx);

    if (kind == LEADER) {
        if (id == own)
            return;
        s->leader = id;
        s->knows_leader = true;
        disco_decide(ctx, id);
        send_id(ctx, LEADER, id);
        return;
    }
    if (!s->sent_own && id < own) {
        s->sent_own = true;
        send_id(ctx, ELECT, own);
    } else if (id > own) {
        send_id(ctx, ELECT, id);
    } else if (id == own) {
        s->is_leader = true;
        s->knows_leader = true;
        s->leader = own;
        disco_decide(ctx, own);
        send_id(ctx, LEADER, own);
    }
}

static bool is_leader(const void *state)
{
    return ((const struct pb_state *)state)->is_leader;
}

static bool check_unique_leader(const struct disco_view *view, char *detail,
                                size_t len)
{
    return disco_oracle_unique_max_leader(view, is_leader, NULL, detail, len);
}

static bool check_everyone_learns(const struct disco_view *view, char *detail,
                                  size_t len)
{
    return disco_oracle_all_decided(view, disco_view_max_id(view, NULL),
                                    detail, len);
}

static const char *const pb_kinds[] = {"elect", "leader"};

static const struct disco_property pb_properties[] = {
    {"unique_leader", "exactly one leader, and it holds the maximum id",
     DISCO_PROPERTY_FINAL, check_unique_leader, true},
    {"everyone_learns", "every process learns the leader's id",
     DISCO_PROPERTY_FINAL, check_everyone_learns, true},
};

const struct disco_algorithm disco_alg_planted_bug = {
    .name = "planted-bug",
    .family = "test",
    .summary = "test only: Chang-Roberts where one node in 32 also crowns "
               "itself",
    .description =
        "A deliberately broken election for the tests of disco check: "
        "Chang and Roberts' algorithm, except that a node whose first "
        "random draw is 0 (probability 1/32) declares itself leader at "
        "start, so some seeds elect two leaders.",
    .messages = "as chang-roberts: at most n(n+1)/2 + n",
    .time = "as chang-roberts",
    .source = "none: a planted bug",
    .model = {
        .shape = DISCO_SHAPE_URING,
        .connected = true,
        .unique_ids = true,
        .timing = DISCO_ASYNC,
        .topology = "uring:16",
        .initiators = "all",
        .faults = "none",
    },
    .message_kinds = pb_kinds,
    .kind_count = 2,
    .properties = pb_properties,
    .property_count = sizeof pb_properties / sizeof pb_properties[0],
    .state_size = sizeof(struct pb_state),
    .init = pb_init,
    .on_message = pb_on_message,
    .is_leader = is_leader,
};
