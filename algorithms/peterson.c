/*
 * peterson.c - the Peterson / Dolev-Klawe-Rodeh leader election on a
 * unidirectional ring with FIFO channels.
 *
 * Processes are active or relays.  An active process stands for a value
 * (its own id at first).  In each round it sends its value as `one`; from
 * the `one` it receives it learns the value of its nearest active
 * predecessor, which it passes on as `two`; from the `two` it receives it
 * learns the value of the active process before that.  It stays active, and
 * takes over its predecessor's value, only if that value is a local maximum
 * (larger than its own and than the one before); otherwise it becomes a
 * relay and from then on forwards everything.  No two neighbouring active
 * processes survive a round, so at most half do.  When one active process
 * is left, its `one` comes all the way round: it is the leader, its value
 * is the maximum id, and it announces it with `leader` round the ring.
 * The leader is the process that ends up holding the maximum, not
 * necessarily the one that started with it.
 *
 * Without FIFO channels the messages a process receives can arrive out of
 * order (a `two` before its `one`, the next round's `one` before this
 * round's `two`), the comparisons are made with the wrong values, and the
 * election fails: the maximum is swallowed and a smaller value elected, or
 * every process ends up a relay and nobody is (see tests/test_peterson.c).
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { ONE, TWO, LEADER };

struct pt_state {
    int64_t value;     /* the value it stands for while active */
    int64_t pred;      /* the value of the nearest active predecessor, from
                          this round's `one` */
    int64_t leader;    /* the elected value, once known */
    uint32_t round;    /* rounds begun while active (1 = the first) */
    bool awake;        /* has started: an initiator, or woken by a message */
    bool relay;        /* lost a round: forwards everything unchanged */
    bool is_leader;    /* its own value came back: the last active process */
    bool knows_leader; /* has decided the elected value */
};

static void send_value(struct disco_ctx *ctx, unsigned kind, int64_t value)
{
    disco_send(ctx, 0, kind, &value, sizeof value);
}

static void start_round(struct disco_ctx *ctx, struct pt_state *s)
{
    s->round++;
    send_value(ctx, ONE, s->value);
}

static void wake_up(struct disco_ctx *ctx, struct pt_state *s)
{
    s->awake = true;
    s->value = disco_id(ctx);
    start_round(ctx, s);
}

static void pt_init(struct disco_ctx *ctx, void *state)
{
    if (disco_is_initiator(ctx))
        wake_up(ctx, state);
}

static void learn_leader(struct disco_ctx *ctx, struct pt_state *s,
                         int64_t value)
{
    s->leader = value;
    s->knows_leader = true;
    disco_decide(ctx, value);
}

/* `one`: the value of the nearest active predecessor. */
static void on_one(struct disco_ctx *ctx, struct pt_state *s, int64_t q)
{
    if (q == s->value) { /* went all the way round: no one else is active */
        s->is_leader = true;
        learn_leader(ctx, s, q);
        send_value(ctx, LEADER, q);
        return;
    }
    s->pred = q;
    send_value(ctx, TWO, q);
}

/* `two`: the value of the active process before the predecessor. */
static void on_two(struct disco_ctx *ctx, struct pt_state *s, int64_t r)
{
    if (s->pred > s->value && s->pred > r) {
        s->value = s->pred; /* the predecessor's value is a local maximum */
        start_round(ctx, s);
    } else {
        s->relay = true;
    }
}

static void on_leader(struct disco_ctx *ctx, struct pt_state *s, int64_t v)
{
    if (s->is_leader)
        return; /* the announcement went round: done */
    learn_leader(ctx, s, v);
    send_value(ctx, LEADER, v);
}

static void pt_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct pt_state *s = state;
    int64_t v;
    memcpy(&v, payload, sizeof v);

    if (kind == LEADER) {
        on_leader(ctx, s, v);
        return;
    }
    /* A process that has not started joins on its first message, as if it
     * had started just before it arrived. */
    if (!s->awake)
        wake_up(ctx, s);
    if (s->relay)
        send_value(ctx, kind, v);
    else if (s->is_leader)
        return; /* with FIFO channels nothing arrives after the election */
    else if (kind == ONE)
        on_one(ctx, s, v);
    else
        on_two(ctx, s, v);
}

/* For pictures: the leader drawn in gold. */
static bool pt_is_leader(const void *state)
{
    return ((const struct pt_state *)state)->is_leader;
}

static void pt_format_state(const void *state, char *buf, size_t len)
{
    const struct pt_state *s = state;
    if (s->is_leader)
        snprintf(buf, len, "leader, value %lld", (long long)s->leader);
    else if (s->knows_leader)
        snprintf(buf, len, "relay, leader value %lld", (long long)s->leader);
    else if (s->relay)
        snprintf(buf, len, "relay");
    else if (s->awake)
        snprintf(buf, len, "active, round %u, value %lld", s->round,
                 (long long)s->value);
    else
        snprintf(buf, len, "asleep");
}

/* ---- properties ---- */

static uint32_t floor_log2(uint32_t n)
{
    uint32_t k = 0;
    while (n >>= 1)
        k++;
    return k;
}

/* Exactly one process is the leader.  (Which one depends on the ids: the
 * oracle for the value is everyone_learns.) */
static bool check_one_leader(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t leaders = 0, first = 0, second = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct pt_state *s = disco_view_state(view, v);
        if (!s->is_leader)
            continue;
        if (leaders == 0)
            first = v;
        else if (leaders == 1)
            second = v;
        leaders++;
    }
    if (leaders == 1)
        snprintf(detail, len, "node %u", first);
    else if (leaders == 0)
        snprintf(detail, len, "no leader");
    else
        snprintf(detail, len, "%u leaders (nodes %u and %u)", leaders, first,
                 second);
    return leaders == 1;
}

/* Every process, the leader included, decides the maximum id, once: the
 * elected value is the maximum and everyone learns it. */
static bool check_everyone_learns(const struct disco_view *view, char *detail,
                                  size_t len)
{
    return disco_oracle_all_decided(view, disco_view_max_id(view, NULL),
                                    detail, len);
}

static bool check_core_bound(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint64_t n = disco_view_nodes(view);
    uint64_t core = disco_view_messages(view, ONE) +
                    disco_view_messages(view, TWO);
    uint64_t bound = 2 * n * floor_log2((uint32_t)n) + n;
    snprintf(detail, len, "%llu one+two messages, bound 2n*floor(log2 n)+n "
             "= %llu", (unsigned long long)core, (unsigned long long)bound);
    return core <= bound;
}

static bool check_announcements(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint64_t sent = disco_view_messages(view, LEADER);
    snprintf(detail, len, "%llu announcements for %u nodes",
             (unsigned long long)sent, disco_view_nodes(view));
    return sent == disco_view_nodes(view);
}

static void pt_result(const struct disco_view *view, char *buf, size_t len)
{
    uint32_t n = disco_view_nodes(view), max_node = 0;
    for (uint32_t v = 1; v < n; v++)
        if (disco_view_id(view, v) > disco_view_id(view, max_node))
            max_node = v;
    for (uint32_t v = 0; v < n; v++) {
        const struct pt_state *s = disco_view_state(view, v);
        if (s->is_leader) {
            snprintf(buf, len, "\"leader\": %lld, \"leader_node\": %u, "
                     "\"max_id_node\": %u, \"rounds\": %u",
                     (long long)s->leader, v, max_node, s->round);
            return;
        }
    }
    snprintf(buf, len, "\"leader\": null, \"max_id_node\": %u", max_node);
}

static const char *const pt_kinds[] = {"one", "two", "leader"};

static const struct disco_property pt_properties[] = {
    {"one_leader", "exactly one process becomes the leader",
     DISCO_PROPERTY_FINAL, check_one_leader, true},
    {"everyone_learns",
     "every process decides the elected value, and it is the maximum id",
     DISCO_PROPERTY_FINAL, check_everyone_learns, true},
    {"core_within_bound",
     "one+two messages at most 2n*floor(log2 n)+n",
     DISCO_PROPERTY_FINAL, check_core_bound, true},
    {"n_announcements", "the announcement crosses each of the n channels once",
     DISCO_PROPERTY_FINAL, check_announcements, true},
};

const struct disco_algorithm disco_alg_peterson = {
    .name = "peterson",
    .family = "election",
    .summary = "Peterson / Dolev-Klawe-Rodeh: O(n log n) election on a "
               "unidirectional FIFO ring",
    .description =
        "Active processes work in rounds. An active process sends its current "
        "value as `one`, forwards the value it receives as `two`, and compares "
        "the two values it received: if its predecessor's value is larger "
        "than both its own and the one before, it adopts that value and "
        "starts the next round, otherwise it becomes a relay that forwards "
        "every message. At most half the active processes survive a round. "
        "The last active process receives its own value back in `one`: it "
        "is the leader, its value is the maximum id (it need not have started "
        "with it), and it sends one `leader` announcement round the ring. A "
        "process that is not an initiator joins when its first message "
        "arrives. Needs FIFO channels: a process tells a round's `one`, its "
        "`two` and the next round's `one` apart only by their order; "
        "without FIFO a smaller value, or no one, can be elected.",
    .messages = "one+two: exactly 2n per round with at least two active "
                "processes plus n for the last round, so 2n*R+n with "
                "R <= floor(log2 n), at most 2n*floor(log2 n)+n (fixed by the "
                "ids, the same on every FIFO schedule); plus exactly n leader "
                "announcements",
    .time = "O(n) causal depth: the last round and the announcement take n "
            "hops each",
    .message_bound = "2*n*floor(log(n)/log(2))+2*n",
    .source = "G. L. Peterson, An O(n log n) unidirectional algorithm for the "
              "circular extrema problem, ACM TOPLAS 4(4), 1982; D. Dolev, "
              "M. Klawe and M. Rodeh, An O(n log n) unidirectional "
              "distributed algorithm for extrema finding in a circle, "
              "J. Algorithms 3(3), 1982; Tel, Introduction to Distributed "
              "Algorithms, 2nd ed., sec. 7.2; Fokkink, Distributed "
              "Algorithms, sec. 9.1; Lynch, Distributed Algorithms, "
              "sec. 15.1.3",
    .model = {
        .shape = DISCO_SHAPE_URING,
        .undirected = false,
        .connected = true,
        .fifo = true,
        .unique_ids = true,
        .timing = DISCO_ASYNC,
        .topology = "uring:16",
        .initiators = "all",
        .faults = "none",
    },
    .message_kinds = pt_kinds,
    .kind_count = 3,
    .properties = pt_properties,
    .property_count = sizeof pt_properties / sizeof pt_properties[0],
    .state_size = sizeof(struct pt_state),
    .init = pt_init,
    .on_message = pt_on_message,
    .format_state = pt_format_state,
    .result = pt_result,
    .is_leader = pt_is_leader,
};
