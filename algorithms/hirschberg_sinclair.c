/*
 * hirschberg_sinclair.c - Hirschberg and Sinclair's leader election on a
 * bidirectional ring, as Lynch gives it in section 3.4 (synchronous) and
 * 15.1.2 (asynchronous).
 *
 * Each process works in phases 0, 1, 2, ...  In phase l it sends its UID
 * both ways in an `out` token meant to travel 2^l hops and come back as an
 * `in` token.  A process passes on an out token with a larger UID (or, at
 * the token's last hop, turns it back), discards one with a smaller UID,
 * and passes in tokens on unconditionally.  A process whose two tokens both
 * come back starts the next phase; one whose own out token comes round the
 * whole ring is the leader, and sends a `report` once round the ring.
 *
 * Nothing here depends on an orientation: a process only tells its two
 * neighbours apart (ports 0 and 1), sends both ways, passes a token on
 * through the other port, and turns one back through the port it came in
 * on.  The same handlers run in both models: asynchronously, and in lock-
 * step rounds, where a token received in round r moves on in round r+1 (so
 * no on_round is needed).
 *
 * The algorithm assumes reliable channels.  Under duplication (which disco
 * allows with a warning) an in token may come back twice: a process counts
 * one per side and phase, and never goes past phase HS_MAX_PHASE (a reliable
 * run ends by phase ceil(log2 n) <= 32), so 2^phase stays an int64_t
 * however many stale copies come back.
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { OUT, IN, REPORT };

/* The last phase: its tokens go 2^62 hops, which int64_t holds. */
enum { HS_MAX_PHASE = 62 };

/* Lynch's message (u, out, h) or (u, in, 1); a report carries the leader's
 * UID in `uid` and 0 hops. */
struct hs_token {
    int64_t uid;
    int64_t hops; /* out: hops still to go, this one included; in: 1 */
};

struct hs_state {
    uint32_t phase;    /* current phase l: the tokens go 2^l hops out */
    uint32_t returned; /* own in tokens back in this phase: bit p set
                          when the one sent through port p is back */
    bool awake;        /* has started phase 0 (initiators at time 0, the
                          others on their first token) */
    bool is_leader;    /* its own out token came round the ring */
    bool knows_leader; /* is the leader, or the report has reached it */
    int64_t leader;    /* the leader's UID, once known */
};

static uint32_t other(uint32_t port)
{
    return 1 - port;
}

static void send_token(struct disco_ctx *ctx, uint32_t port, unsigned kind,
                       int64_t uid, int64_t hops)
{
    struct hs_token t = {uid, hops};
    disco_send(ctx, port, kind, &t, sizeof t);
}

/* Send (u, out, 2^l) both ways. */
static void start_phase(struct disco_ctx *ctx, struct hs_state *s)
{
    s->returned = 0;
    int64_t distance = (int64_t)1 << s->phase;
    send_token(ctx, 0, OUT, disco_id(ctx), distance);
    send_token(ctx, 1, OUT, disco_id(ctx), distance);
}

static void wake(struct disco_ctx *ctx, struct hs_state *s)
{
    s->awake = true;
    s->phase = 0;
    start_phase(ctx, s);
}

static void hs_init(struct disco_ctx *ctx, void *state)
{
    if (disco_is_initiator(ctx))
        wake(ctx, state);
}

static void learn(struct disco_ctx *ctx, struct hs_state *s, int64_t leader,
                  uint32_t port)
{
    s->knows_leader = true;
    s->leader = leader;
    disco_decide(ctx, leader);
    send_token(ctx, port, REPORT, leader, 0);
}

static void on_out(struct disco_ctx *ctx, struct hs_state *s, uint32_t port,
                   struct hs_token t)
{
    int64_t u = disco_id(ctx);
    if (t.uid > u && t.hops > 1)
        send_token(ctx, other(port), OUT, t.uid, t.hops - 1);
    else if (t.uid > u)
        send_token(ctx, port, IN, t.uid, 1); /* the last hop: turn back */
    else if (t.uid == u && !s->is_leader) {
        s->is_leader = true; /* (the second copy, from the other side,
                                finds it already leader) */
        learn(ctx, s, u, 0);
    }
    /* t.uid < u: discarded. */
}

static void on_in(struct disco_ctx *ctx, struct hs_state *s, uint32_t port,
                  struct hs_token t)
{
    if (t.uid != disco_id(ctx)) {
        send_token(ctx, other(port), IN, t.uid, 1);
    } else {
        s->returned |= 1u << port; /* a duplicate sets it again */
        if (s->returned == 3 && s->phase < HS_MAX_PHASE) {
            s->phase++;
            start_phase(ctx, s);
        }
    }
}

static void hs_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct hs_state *s = state;
    struct hs_token t;
    memcpy(&t, payload, sizeof t);

    if (kind == REPORT) {
        /* At the leader it has gone round; a duplicate is passed on once. */
        if (t.uid != disco_id(ctx) && !s->knows_leader)
            learn(ctx, s, t.uid, other(port));
        return;
    }
    if (!s->awake)
        wake(ctx, s);
    if (kind == OUT)
        on_out(ctx, s, port, t);
    else
        on_in(ctx, s, port, t);
}

static void hs_format_state(const void *state, char *buf, size_t len)
{
    const struct hs_state *s = state;
    if (s->is_leader)
        snprintf(buf, len, "leader");
    else if (s->knows_leader)
        snprintf(buf, len, "follower of %lld", (long long)s->leader);
    else if (!s->awake)
        snprintf(buf, len, "asleep");
    else
        snprintf(buf, len, "phase %u, %u back", s->phase,
                 (s->returned & 1) + (s->returned >> 1));
}

/* ---- properties, over the view's ground truth ---- */

static bool is_leader(const void *state)
{
    return ((const struct hs_state *)state)->is_leader;
}

static bool all_initiators(const struct disco_view *view)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (!disco_view_initiator(view, v))
            return false;
    return true;
}

static uint32_t ceil_log2(uint32_t n)
{
    uint32_t l = 0;
    while (((uint64_t)1 << l) < n)
        l++;
    return l;
}

/* Hops from node v, leaving through its out-port `port` and going on the
 * same way round the ring, to the first node with a larger id; n for the
 * maximum (its token comes home). */
static uint64_t hops_to_larger(const struct disco_view *view, uint32_t v,
                               uint32_t port)
{
    uint32_t n = disco_view_nodes(view), from = v;
    uint32_t w = disco_view_neighbour(view, v, port);
    int64_t id = disco_view_id(view, v);
    uint64_t hops = 1;
    while (w != v && disco_view_id(view, w) < id) {
        uint32_t next = disco_view_neighbour(view, w, 0);
        if (next == from)
            next = disco_view_neighbour(view, w, 1);
        from = w;
        w = next;
        hops++;
    }
    return hops < n ? hops : n;
}

/* The election's cost for this placement, from the ids alone: in phase l
 * each token goes 2^l hops out and back, unless a larger id (or, for the
 * maximum, its own) lies within 2^l hops, where it ends; a process goes on
 * to phase l+1 when both its tokens came back. */
static uint64_t predicted_tokens(const struct disco_view *view)
{
    uint64_t total = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        uint64_t gap[2] = {hops_to_larger(view, v, 0),
                           hops_to_larger(view, v, 1)};
        for (uint64_t distance = 1;; distance *= 2) {
            bool both_back = true;
            for (int side = 0; side < 2; side++) {
                if (gap[side] <= distance) {
                    total += gap[side];
                    both_back = false;
                } else {
                    total += 2 * distance;
                }
            }
            if (!both_back)
                break;
        }
    }
    return total;
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

static bool check_reports(const struct disco_view *view, char *detail,
                          size_t len)
{
    uint64_t sent = disco_view_messages(view, REPORT);
    snprintf(detail, len, "%llu reports for %u nodes",
             (unsigned long long)sent, disco_view_nodes(view));
    return sent == disco_view_nodes(view);
}

/* Lynch, sec. 3.4: at most 4n messages in phase 0, at most 8n in each later
 * phase, at most 1 + ceil(log2 n) phases. */
static bool check_message_bound(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint64_t n = disco_view_nodes(view);
    uint64_t bound = 8 * n * (1 + ceil_log2((uint32_t)n));
    uint64_t sent = disco_view_messages(view, OUT) +
                    disco_view_messages(view, IN);
    snprintf(detail, len, "%llu tokens, 8n(1+ceil(log2 n)) = %llu",
             (unsigned long long)sent, (unsigned long long)bound);
    return sent <= bound;
}

static bool check_predicted_tokens(const struct disco_view *view,
                                   char *detail, size_t len)
{
    if (!all_initiators(view)) {
        snprintf(detail, len, "not applicable: not every process started");
        return true;
    }
    uint64_t expected = predicted_tokens(view);
    uint64_t sent = disco_view_messages(view, OUT) +
                    disco_view_messages(view, IN);
    snprintf(detail, len, "%llu tokens, placement predicts %llu",
             (unsigned long long)sent, (unsigned long long)expected);
    return sent == expected;
}

static void hs_result(const struct disco_view *view, char *buf, size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct hs_state *s = disco_view_state(view, v);
        if (s->is_leader) {
            snprintf(buf, len,
                     "\"leader\": %lld, \"leader_node\": %u, \"phases\": %u",
                     (long long)disco_view_id(view, v), v, s->phase + 1);
            return;
        }
    }
    snprintf(buf, len, "\"leader\": null");
}

static const char *const hs_kinds[] = {"out", "in", "report"};

static const struct disco_property hs_properties[] = {
    {"unique_leader", "exactly one leader, and it holds the maximum UID",
     DISCO_PROPERTY_FINAL, check_unique_leader, true},
    {"everyone_learns", "every process learns the leader's UID",
     DISCO_PROPERTY_FINAL, check_everyone_learns, true},
    {"n_reports", "the report crosses n channels, once round the ring",
     DISCO_PROPERTY_FINAL, check_reports, true},
    {"message_bound", "at most 8n(1+ceil(log2 n)) out and in tokens",
     DISCO_PROPERTY_FINAL, check_message_bound, true},
    {"predicted_tokens",
     "when every process starts, the tokens are exactly those the placement "
     "of the ids predicts, on every schedule",
     DISCO_PROPERTY_FINAL, check_predicted_tokens, true},
};

const struct disco_algorithm disco_alg_hirschberg_sinclair = {
    .name = "hirschberg-sinclair",
    .family = "election",
    .summary = "leader election on a bidirectional ring by probing both ways "
               "to doubling distances: O(n log n) messages",
    .description =
        "Every process works in phases l = 0, 1, 2, ... In phase l it sends "
        "its UID both ways in an out token that should travel 2^l hops and "
        "come back as an in token. A process passes on an out token with a "
        "larger UID, or turns it back at its last hop; it discards one with "
        "a smaller UID; it passes in tokens on. A process starts the next "
        "phase when both its tokens are back, and is the leader when its "
        "own out token arrives after going round the ring. The leader then "
        "sends a report round the ring so that everyone learns its UID. A "
        "process that did not start wakes on its first token. Runs in "
        "rounds (default) or asynchronously (--async), FIFO or not.",
    .messages = "out+in tokens at most 8n(1+ceil(log2 n)) (at most 4n in "
                "phase 0, 8n in each later phase); exact for a given "
                "placement whatever the schedule; plus exactly n report "
                "messages",
    .time = "synchronous, every process starting: the leader knows in round "
            "2(2^ceil(log2 n) - 1) + n, at most 3n when n is a power of 2 "
            "and 5n otherwise, and the report takes n rounds more; "
            "asynchronous: the leader's own tokens form a chain of that many "
            "messages, so it knows within that many maximal delays, O(n)",
    .message_bound = "8*n*(1+ceil(log(n)/log(2)))+n",
    .source = "D. S. Hirschberg and J. B. Sinclair, Decentralized "
              "extrema-finding in circular configurations of processors, "
              "CACM 23(11), 1980; Lynch, Distributed Algorithms, sec. 3.4 "
              "(synchronous) and 15.1.2 (asynchronous)",
    .model = {
        .shape = DISCO_SHAPE_RING,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = true,
        .timing = DISCO_SYNC | DISCO_ASYNC,
        .sync_by_default = true,
        .topology = "ring:16",
        .initiators = "all",
        .faults = "none",
    },
    .message_kinds = hs_kinds,
    .kind_count = 3,
    .properties = hs_properties,
    .property_count = sizeof hs_properties / sizeof hs_properties[0],
    .state_size = sizeof(struct hs_state),
    .init = hs_init,
    .on_message = hs_on_message,
    .format_state = hs_format_state,
    .result = hs_result,
    .is_leader = is_leader,
};
