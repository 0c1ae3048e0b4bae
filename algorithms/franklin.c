/*
 * franklin.c - Franklin's leader election on a bidirectional ring with
 * FIFO channels.
 *
 * Processes are active or relays.  In each round an active process sends
 * its id to both neighbours and receives the ids of its nearest active
 * neighbours on either side (relays pass ids on in the direction they
 * travel).  It stays active for the next round if its id is larger than
 * both, and becomes a relay if either is larger.  No two neighbouring
 * active processes survive a round, so at most half do.  When one active
 * process is left, its own id comes back from both sides: it is the leader,
 * with the maximum id, and it sends one `leader` announcement round the
 * ring.
 *
 * A process knows its two ports only as "this one and the other one": it
 * never needs to know which way is clockwise.  An active neighbour can be
 * one round ahead, so its next id may arrive before the id from the other
 * side: a process keeps such early ids, per port, in arrival order.
 *
 * FIFO channels are what the message bound needs, not the election: without
 * them an id of a later round can overtake one of an earlier round, a
 * process compares a stale id, and two neighbouring active processes may
 * both survive a round, costing more rounds than floor(log2 n).  The
 * maximum still never loses and never passes an id on, so it is still the
 * only process whose id can come back (see tests/test_franklin.c).
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { ELECT, LEADER };

/* An active neighbour is at most one round ahead, so at most two ids wait
 * on a port (the current round's and the next one's).  This holds with or
 * without FIFO: every id that reaches a port was sent by the nearest active
 * process on that side or by a relay in between, and each of those relays,
 * while it was active, received as many ids from that side as it sent. */
#define WAITING_MAX 2

struct fr_state {
    int64_t waiting[2][WAITING_MAX]; /* per port: ids received and not yet
                                        compared, oldest first */
    uint32_t waiting_count[2];       /* per port: how many */
    int64_t leader;                  /* the leader's id, once known */
    uint32_t round;                  /* rounds begun while active */
    bool awake;        /* has started: an initiator, or woken by a message */
    bool relay;        /* lost a round: passes ids on, port to other port */
    bool is_leader;    /* its own id came back: the last active process */
    bool knows_leader; /* has decided the leader's id */
};

static uint32_t other(uint32_t port) { return 1 - port; }

static void send_id(struct disco_ctx *ctx, uint32_t port, unsigned kind,
                    int64_t id)
{
    disco_send(ctx, port, kind, &id, sizeof id);
}

static void start_round(struct disco_ctx *ctx, struct fr_state *s)
{
    s->round++;
    send_id(ctx, 0, ELECT, disco_id(ctx));
    send_id(ctx, 1, ELECT, disco_id(ctx));
}

static void wake_up(struct disco_ctx *ctx, struct fr_state *s)
{
    s->awake = true;
    start_round(ctx, s);
}

static void fr_init(struct disco_ctx *ctx, void *state)
{
    if (disco_is_initiator(ctx))
        wake_up(ctx, state);
}

static int64_t take_waiting(struct fr_state *s, uint32_t port)
{
    int64_t id = s->waiting[port][0];
    s->waiting[port][0] = s->waiting[port][1];
    s->waiting_count[port]--;
    return id;
}

/* Lost: from now on pass ids on, starting with those already waiting. */
static void become_relay(struct disco_ctx *ctx, struct fr_state *s)
{
    s->relay = true;
    for (uint32_t port = 0; port < 2; port++)
        while (s->waiting_count[port] > 0)
            send_id(ctx, other(port), ELECT, take_waiting(s, port));
}

static void learn_leader(struct disco_ctx *ctx, struct fr_state *s,
                         int64_t id)
{
    s->leader = id;
    s->knows_leader = true;
    disco_decide(ctx, id);
}

/* Compare with the nearest active neighbours, one round at a time, as long
 * as an id from each side is waiting. */
static void play_rounds(struct disco_ctx *ctx, struct fr_state *s)
{
    int64_t own = disco_id(ctx);
    while (!s->relay && !s->is_leader && s->waiting_count[0] > 0 &&
           s->waiting_count[1] > 0) {
        int64_t q = take_waiting(s, 0), r = take_waiting(s, 1);
        if (q == own || r == own) { /* no other active process is left */
            s->is_leader = true;
            learn_leader(ctx, s, own);
            send_id(ctx, 0, LEADER, own);
        } else if (q > own || r > own) {
            become_relay(ctx, s);
        } else {
            start_round(ctx, s);
        }
    }
}

static void on_leader(struct disco_ctx *ctx, struct fr_state *s,
                      uint32_t port, int64_t id)
{
    if (s->is_leader)
        return; /* the announcement went round: done */
    learn_leader(ctx, s, id);
    send_id(ctx, other(port), LEADER, id);
}

static void fr_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct fr_state *s = state;
    int64_t id;
    memcpy(&id, payload, sizeof id);

    if (kind == LEADER) {
        on_leader(ctx, s, port, id);
        return;
    }
    /* A process that has not started joins on its first message, as if it
     * had started just before it arrived. */
    if (!s->awake)
        wake_up(ctx, s);
    if (s->relay) {
        send_id(ctx, other(port), ELECT, id);
    } else if (s->is_leader) {
        return; /* with FIFO channels nothing arrives after the election */
    } else if (s->waiting_count[port] == WAITING_MAX) {
        return; /* cannot happen (see WAITING_MAX) */
    } else {
        s->waiting[port][s->waiting_count[port]++] = id;
        play_rounds(ctx, s);
    }
}

static void fr_format_state(const void *state, char *buf, size_t len)
{
    const struct fr_state *s = state;
    if (s->is_leader)
        snprintf(buf, len, "leader");
    else if (s->knows_leader)
        snprintf(buf, len, "relay, leader %lld", (long long)s->leader);
    else if (s->relay)
        snprintf(buf, len, "relay");
    else if (s->awake)
        snprintf(buf, len, "active, round %u", s->round);
    else
        snprintf(buf, len, "asleep");
}

/* ---- properties ---- */

static bool is_leader(const void *state)
{
    return ((const struct fr_state *)state)->is_leader;
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

static uint32_t floor_log2(uint32_t n)
{
    uint32_t k = 0;
    while (n >>= 1)
        k++;
    return k;
}

static bool check_elect_bound(const struct disco_view *view, char *detail,
                              size_t len)
{
    uint64_t n = disco_view_nodes(view);
    uint64_t sent = disco_view_messages(view, ELECT);
    uint64_t bound = 2 * n * (floor_log2((uint32_t)n) + 1);
    snprintf(detail, len, "%llu elect messages, bound 2n(floor(log2 n)+1) "
             "= %llu", (unsigned long long)sent, (unsigned long long)bound);
    return sent <= bound;
}

static bool check_announcements(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint64_t sent = disco_view_messages(view, LEADER);
    snprintf(detail, len, "%llu announcements for %u nodes",
             (unsigned long long)sent, disco_view_nodes(view));
    return sent == disco_view_nodes(view);
}

static void fr_result(const struct disco_view *view, char *buf, size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct fr_state *s = disco_view_state(view, v);
        if (s->is_leader) {
            snprintf(buf, len, "\"leader\": %lld, \"leader_node\": %u, "
                     "\"rounds\": %u",
                     (long long)disco_view_id(view, v), v, s->round);
            return;
        }
    }
    snprintf(buf, len, "\"leader\": null");
}

static const char *const fr_kinds[] = {"elect", "leader"};

static const struct disco_property fr_properties[] = {
    {"unique_leader", "exactly one leader, and it holds the maximum id",
     DISCO_PROPERTY_FINAL, check_unique_leader, true},
    {"everyone_learns", "every process learns the leader's id",
     DISCO_PROPERTY_FINAL, check_everyone_learns, true},
    {"elect_within_bound", "elect messages at most 2n(floor(log2 n)+1)",
     DISCO_PROPERTY_FINAL, check_elect_bound, true},
    {"n_announcements", "the announcement crosses n channels, once each",
     DISCO_PROPERTY_FINAL, check_announcements, true},
};

const struct disco_algorithm disco_alg_franklin = {
    .name = "franklin",
    .family = "election",
    .summary = "Franklin: O(n log n) election on a bidirectional FIFO ring",
    .description =
        "Active processes work in rounds. An active process sends its id to "
        "both neighbours and receives the ids of the nearest active process "
        "on each side (relays pass ids on). If its id is larger than both it "
        "starts the next round; if either is larger it becomes a relay. At "
        "most half the active processes survive a round. The last active "
        "process receives its own id back from both sides: it is the leader, "
        "with the maximum id, and it sends one `leader` announcement round "
        "the ring. A process that is not an initiator joins when its first "
        "message arrives. The algorithm never uses the ring's orientation, "
        "only 'the other port'. FIFO channels keep an id of one round from "
        "being compared in another; the message bound depends on them. "
        "Without them the maximum is still elected and everyone learns it, "
        "but two neighbouring processes can both survive a round and the "
        "bound can be exceeded.",
    .messages = "elect: exactly 2n per round, 2n(R+1) with R <= floor(log2 n) "
                "rounds that start with at least two active processes, at "
                "most 2n(floor(log2 n)+1) (fixed by the ids, the same on "
                "every FIFO schedule); plus exactly n leader announcements",
    .time = "O(n) causal depth: the last round and the announcement take n "
            "hops each",
    .message_bound = "2*n*(floor(log(n)/log(2))+1)+n",
    .source = "W. R. Franklin, On an improved algorithm for decentralized "
              "extrema finding in circular configurations of processors, "
              "CACM 25(5), 1982; Fokkink, Distributed Algorithms, sec. 9.1; "
              "Tel, Introduction to Distributed Algorithms, 2nd ed., sec. 7.2",
    .model = {
        .shape = DISCO_SHAPE_RING,
        .undirected = true,
        .connected = true,
        .fifo = true,
        .unique_ids = true,
        .timing = DISCO_ASYNC,
        .topology = "ring:16",
        .initiators = "all",
        .faults = "none",
    },
    .message_kinds = fr_kinds,
    .kind_count = 2,
    .properties = fr_properties,
    .property_count = sizeof fr_properties / sizeof fr_properties[0],
    .state_size = sizeof(struct fr_state),
    .init = fr_init,
    .on_message = fr_on_message,
    .format_state = fr_format_state,
    .result = fr_result,
    .is_leader = is_leader,
};
