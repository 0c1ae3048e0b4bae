/*
 * chang_roberts.c - Chang and Roberts' leader election on a unidirectional
 * ring.
 *
 * Every process sends its id clockwise.  A process forwards ids larger than
 * its own and swallows smaller ones; a process that gets its own id back
 * has the largest id and is the leader.  It then sends a `leader`
 * announcement once round the ring, so that everyone learns the result.
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { ELECT, LEADER };

struct cr_state {
    int64_t leader;    /* the leader's id, once known */
    bool sent_own;     /* this process's id is on its way */
    bool is_leader;    /* got its own id back */
    bool knows_leader; /* the announcement has reached it */
};

static void send_id(struct disco_ctx *ctx, unsigned kind, int64_t id)
{
    disco_send(ctx, 0, kind, &id, sizeof id);
}

static void cr_init(struct disco_ctx *ctx, void *state)
{
    struct cr_state *s = state;
    if (disco_is_initiator(ctx)) {
        s->sent_own = true;
        send_id(ctx, ELECT, disco_id(ctx));
    }
}

static void cr_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct cr_state *s = state;
    int64_t id;
    memcpy(&id, payload, sizeof id);
    int64_t own = disco_id(ctx);

    if (kind == LEADER) {
        if (id == own)
            return; /* the announcement went round: done */
        s->leader = id;
        s->knows_leader = true;
        disco_decide(ctx, id);
        send_id(ctx, LEADER, id);
        return;
    }
    /* A non-initiator wakes up on its first message and joins. */
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
    /* id < own from a participant: swallowed. */
}

static void cr_format_state(const void *state, char *buf, size_t len)
{
    const struct cr_state *s = state;
    if (s->is_leader)
        snprintf(buf, len, "leader");
    else if (s->knows_leader)
        snprintf(buf, len, "follower of %lld", (long long)s->leader);
    else
        snprintf(buf, len, s->sent_own ? "candidate" : "asleep");
}

static bool is_leader(const void *state)
{
    return ((const struct cr_state *)state)->is_leader;
}

static bool check_unique_leader(const struct disco_view *view, char *detail,
                                size_t len)
{
    return disco_oracle_unique_max_leader(view, is_leader, NULL, detail, len);
}

/* Everyone learns the leader: every process decides the maximum id, once
 * (the leader when its id returns, the others on the announcement). */
static bool check_everyone_learns(const struct disco_view *view, char *detail,
                                  size_t len)
{
    return disco_oracle_all_decided(view, disco_view_max_id(view, NULL),
                                    detail, len);
}

static bool check_announcements(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint64_t sent = disco_view_messages(view, LEADER);
    snprintf(detail, len, "%llu announcements for %u nodes",
             (unsigned long long)sent, disco_view_nodes(view));
    return sent == disco_view_nodes(view);
}

static void cr_result(const struct disco_view *view, char *buf, size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct cr_state *s = disco_view_state(view, v);
        if (s->is_leader) {
            snprintf(buf, len, "\"leader\": %lld, \"leader_node\": %u",
                     (long long)disco_view_id(view, v), v);
            return;
        }
    }
    snprintf(buf, len, "\"leader\": null");
}

static const char *const cr_kinds[] = {"elect", "leader"};

static const struct disco_property cr_properties[] = {
    {"unique_leader", "exactly one leader, and it holds the maximum id",
     DISCO_PROPERTY_FINAL, check_unique_leader, true},
    {"everyone_learns", "every process learns the leader's id",
     DISCO_PROPERTY_FINAL, check_everyone_learns, true},
    {"n_announcements", "the announcement crosses each of the n channels once",
     DISCO_PROPERTY_FINAL, check_announcements, true},
};

const struct disco_algorithm disco_alg_chang_roberts = {
    .name = "chang-roberts",
    .family = "election",
    .summary = "leader election on a unidirectional ring by extinction of "
               "smaller ids",
    .description =
        "Every process sends its id along the ring. A process forwards an id "
        "larger than its own and swallows a smaller one; a process that has "
        "not yet started joins when it first hears a smaller id. The process "
        "that receives its own id back has the maximum id, becomes the "
        "leader and sends one announcement round the ring.",
    .messages = "election: n(n+1)/2 when ids decrease along the ring (worst), "
                "2n-1 when they increase (best), n*H_n on average over all "
                "placements; plus n announcements",
    .time = "at most 3n-1 causal depth (2n-1 for the election, n for the "
            "announcement)",
    .message_bound = "n*(n+1)/2+n",
    .source = "E. Chang and R. Roberts, An improved algorithm for "
              "decentralized extrema-finding in circular configurations of "
              "processes, CACM 22(5), 1979; Fokkink, Distributed Algorithms, "
              "sec. 9.1; Lynch, Distributed Algorithms, sec. 15.1",
    .model = {
        .shape = DISCO_SHAPE_URING,
        .undirected = false,
        .connected = true,
        .fifo = false,
        .unique_ids = true,
        .timing = DISCO_ASYNC,
        .topology = "uring:16",
        .initiators = "all",
        .faults = "none",
    },
    .message_kinds = cr_kinds,
    .kind_count = 2,
    .properties = cr_properties,
    .property_count = sizeof cr_properties / sizeof cr_properties[0],
    .state_size = sizeof(struct cr_state),
    .init = cr_init,
    .on_message = cr_on_message,
    .format_state = cr_format_state,
    .result = cr_result,
    .is_leader = is_leader,
};
