/*
 * sync_bellman_ford.c - synchronous Bellman-Ford shortest paths (Lynch's
 * SynchBellmanFord).
 *
 * Every process knows n.  It keeps `dist` (0 at the source, infinity
 * elsewhere) and `parent`.  In each of the rounds 0 .. n-2 every process
 * sends its dist to all its neighbours; on receiving d over an edge of
 * weight w it relaxes, dist := d + w and parent := the sender when that is
 * smaller.  Messages sent in round r arrive in round r+1, so after round r
 * dist(v) is the length of the shortest path from the source with at most
 * r edges; shortest paths have at most n-1 edges, so in round n-1 every
 * dist is exact and every process decides it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco.h"
#include "shortest_paths.h"

struct sbf_state {
    int64_t dist;    /* shortest distance from the source over paths of at
                        most r edges, after round r; INFINITE if none */
    uint32_t parent; /* port of the neighbour `dist` came from, or NO_PARENT
                        (the source, or not reached yet) */
};

/* A process's step in round r: send dist to every neighbour in rounds
 * 0 .. n-2; in round n-1 the distance is final. */
static void step(struct disco_ctx *ctx, struct sbf_state *s,
                 disco_time_t round)
{
    if (round + 1 < disco_nodes(ctx))
        disco_send_all(ctx, DIST, &s->dist, sizeof s->dist);
    else
        disco_decide(ctx, s->dist);
}

static void sbf_init(struct disco_ctx *ctx, void *state)
{
    struct sbf_state *s = state;
    s->dist = disco_is_initiator(ctx) ? 0 : INFINITE;
    s->parent = NO_PARENT;
    step(ctx, s, 0);
}

static void sbf_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    struct sbf_state *s = state;
    int64_t d;
    memcpy(&d, payload, sizeof d);
    int64_t via = shortest_paths_plus(d, disco_weight(ctx, port));
    if (via < s->dist) {
        s->dist = via;
        s->parent = port;
    }
}

static void sbf_on_round(struct disco_ctx *ctx, void *state,
                         disco_time_t round)
{
    step(ctx, state, round);
}

static void sbf_format_state(const void *state, char *buf, size_t len)
{
    const struct sbf_state *s = state;
    if (s->dist == INFINITE)
        snprintf(buf, len, "dist inf");
    else if (s->parent == NO_PARENT)
        snprintf(buf, len, "source");
    else
        snprintf(buf, len, "dist %lld via port %u", (long long)s->dist,
                 s->parent);
}

/* ---- properties: oracles over the real, weighted topology ---- */

static uint32_t parent_port(const void *state)
{
    return ((const struct sbf_state *)state)->parent;
}

static int64_t dist_of(const void *state)
{
    return ((const struct sbf_state *)state)->dist;
}

static const struct sbf_state *state_of(const struct disco_view *view,
                                        uint32_t v)
{
    return disco_view_state(view, v);
}

/* Every process decided once, in round n-1 (the kernel's clock), and the
 * value it decided, its dist, is its true distance from the source. */
static bool check_distances(const struct disco_view *view, char *detail,
                            size_t len)
{
    uint32_t source;
    int64_t *truth = shortest_paths_truth(view, &source, detail, len);
    if (!truth)
        return false;
    uint32_t n = disco_view_nodes(view);
    unsigned char *seen = calloc(n, 1);
    bool ok = seen != NULL;
    if (!ok)
        snprintf(detail, len, "out of memory");
    for (size_t i = 0; ok && i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (seen[d->node]++) {
            snprintf(detail, len, "node %u decided twice", d->node);
            ok = false;
        } else if (d->time != n - 1) {
            snprintf(detail, len, "node %u decided in round %llu, not n-1 = "
                     "%u", d->node, (unsigned long long)d->time, n - 1);
            ok = false;
        } else if (d->value != truth[d->node] ||
                   state_of(view, d->node)->dist != truth[d->node]) {
            snprintf(detail, len, "node %u decided %lld, but its distance "
                     "from node %u is %lld", d->node, (long long)d->value,
                     source, (long long)truth[d->node]);
            ok = false;
        }
    }
    for (uint32_t v = 0; ok && v < n; v++) {
        if (!seen[v]) {
            snprintf(detail, len, "node %u never decided", v);
            ok = false;
        }
    }
    if (ok)
        snprintf(detail, len, "all %u distances from node %u exact in round "
                 "%u", n, source, n - 1);
    free(truth);
    free(seen);
    return ok;
}

/* A spanning tree rooted at the source whose edges are all tight. */
static bool check_tree(const struct disco_view *view, char *detail,
                       size_t len)
{
    return shortest_paths_check_tree(view, parent_port, dist_of, detail, len);
}

static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t sent = disco_view_messages(view, DIST);
    uint64_t expected =
        (uint64_t)(disco_view_nodes(view) - 1) * disco_view_channels(view);
    snprintf(detail, len, "%llu messages, (n-1)|C| = %llu",
             (unsigned long long)sent, (unsigned long long)expected);
    return sent == expected;
}

static void sbf_result(const struct disco_view *view, char *buf, size_t len)
{
    int64_t farthest = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct sbf_state *s = state_of(view, v);
        if (s->dist != INFINITE && s->dist > farthest)
            farthest = s->dist;
    }
    snprintf(buf, len, "\"farthest\": %lld", (long long)farthest);
}

static const char *const sbf_kinds[] = {"dist"};

static const struct disco_property sbf_properties[] = {
    {"shortest_distances",
     "every node decides in round n-1, and its dist is its true "
     "shortest-path distance from the source (Dijkstra on the real weights)",
     DISCO_PROPERTY_FINAL, check_distances, true},
    {"shortest_path_tree",
     "the parent pointers form a spanning tree rooted at the source whose "
     "edges are all tight: dist(v) = dist(parent) + w",
     DISCO_PROPERTY_FINAL, check_tree, true},
    {"messages_n_minus_1_C",
     "exactly (n-1)|C| messages: every node, every channel, rounds 0..n-2",
     DISCO_PROPERTY_FINAL, check_messages, true},
    {"weights_nonnegative",
     "no edge has a negative weight (the model's assumption)",
     DISCO_PROPERTY_FINAL, shortest_paths_check_weights, false},
};

const struct disco_algorithm disco_alg_sync_bellman_ford = {
    .name = "sync-bellman-ford",
    .family = "spanning-tree",
    .summary = "synchronous Bellman-Ford: shortest paths in n-1 rounds, "
               "(n-1)|C| messages",
    .description =
        "Synchronous rounds; every process knows n. The source (the "
        "initiator) starts with dist 0, the others with infinity. In each "
        "round 0..n-2 every process sends its dist to all its neighbours; "
        "on receiving d over an edge of weight w it sets dist to d + w and "
        "takes the sender as its parent when that is smaller. After round "
        "r, dist is the shortest distance over paths of at most r edges; "
        "in round n-1 every dist is exact and every process decides it. "
        "Weights: the topology's (scenario `weight`, or --weights random), "
        "non-negative.",
    .messages = "exactly (n-1)|C| (every process sends on every channel in "
                "each of n-1 rounds; schedule-independent)",
    .time = "exactly n-1 rounds",
    .source = "Lynch, Distributed Algorithms, sec. 4.3 (SynchBellmanFord)",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "grid:4x4",
        .initiators = "0",
        .faults = "none",
    },
    .message_kinds = sbf_kinds,
    .kind_count = 1,
    .properties = sbf_properties,
    .property_count = sizeof sbf_properties / sizeof sbf_properties[0],
    .state_size = sizeof(struct sbf_state),
    .init = sbf_init,
    .on_message = sbf_on_message,
    .on_round = sbf_on_round,
    .format_state = sbf_format_state,
    .result = sbf_result,
    .parent_port = parent_port,
};
