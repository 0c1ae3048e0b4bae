/*
 * sync_bfs.c - synchronous breadth-first search (Lynch's SynchBFS).
 *
 * In lock-step rounds, a search wave spreads from the root one hop per
 * round.  The root is marked at the start (round 0).  An unmarked process
 * that receives search messages in round r marks itself, records one of
 * the senders as its parent, and sends search on all its channels once, in
 * its step of the same round r (so they arrive in round r+1, Lynch's
 * "the round after it is marked").  A process at distance d from the root
 * is therefore marked in round d exactly, and the parent pointers form a
 * breadth-first tree.
 *
 * Every process sends search once on each of its channels, back to its
 * parent included: exactly |C| messages, whatever happens.
 */
#include <stdio.h>
#include <stdlib.h>

#include "disco.h"

enum { SEARCH };

#define NO_PARENT DISCO_NO_PORT

struct sbfs_state {
    bool marked;         /* has joined the tree (the root: from the start) */
    bool searched;       /* has sent its search messages */
    uint32_t parent;     /* port of the chosen parent, or NO_PARENT (root,
                            or not yet marked) */
    uint32_t depth;      /* the round in which it was marked */
    uint32_t candidates; /* searches received in that round: the parent is
                            drawn uniformly among their senders */
};

/* Marked in the current round: the round number is the distance to the
 * root, and the process decides it. */
static void mark(struct disco_ctx *ctx, struct sbfs_state *s, uint32_t port)
{
    s->marked = true;
    s->parent = port;
    s->depth = (uint32_t)disco_now(ctx);
    s->candidates = 1;
    disco_decide(ctx, s->depth);
}

/* A process's step in a round: once marked, search all neighbours, once. */
static void step(struct disco_ctx *ctx, struct sbfs_state *s)
{
    if (s->marked && !s->searched) {
        s->searched = true;
        disco_send_all(ctx, SEARCH, NULL, 0);
    }
}

static void sbfs_init(struct disco_ctx *ctx, void *state)
{
    struct sbfs_state *s = state;
    s->parent = NO_PARENT;
    if (disco_is_initiator(ctx))
        mark(ctx, s, NO_PARENT);
    step(ctx, s);
}

static void sbfs_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                            unsigned kind, const void *payload, size_t len)
{
    struct sbfs_state *s = state;
    if (!s->marked) {
        mark(ctx, s, port);
    } else if (!s->searched) {
        /* Another search in the round it was marked: the textbook lets the
         * process choose any sender; choose uniformly (reservoir
         * sampling), so that different seeds give different BFS trees. */
        s->candidates++;
        if (disco_random_below(ctx, s->candidates) == 0)
            s->parent = port;
    }
}

static void sbfs_on_round(struct disco_ctx *ctx, void *state,
                          disco_time_t round)
{
    step(ctx, state);
}

static void sbfs_format_state(const void *state, char *buf, size_t len)
{
    const struct sbfs_state *s = state;
    if (!s->marked)
        snprintf(buf, len, "unmarked");
    else if (s->parent == NO_PARENT)
        snprintf(buf, len, "root");
    else
        snprintf(buf, len, "depth %u, parent port %u", s->depth, s->parent);
}

/* ---- properties: oracles over the real topology and the kernel's log ---- */

static uint32_t parent_port(const void *state)
{
    return ((const struct sbfs_state *)state)->parent;
}

/* The root: the single initiator, or DISCO_NO_PORT (with a detail). */
static uint32_t the_root(const struct disco_view *view, char *detail,
                         size_t len)
{
    uint32_t count = 0, root = DISCO_NO_PORT;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (disco_view_initiator(view, v) && count++ == 0)
            root = v;
    if (count != 1) {
        snprintf(detail, len, "%u initiators (SynchBFS has one root)", count);
        return DISCO_NO_PORT;
    }
    return root;
}

/* Hop distances from `root` by breadth-first search over the real
 * topology (UINT32_MAX: unreachable).  Returns the array, or NULL. */
static uint32_t *hop_distances(const struct disco_view *view, uint32_t root)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t *dist = malloc((size_t)n * sizeof *dist);
    uint32_t *queue = malloc((size_t)n * sizeof *queue);
    if (!dist || !queue) {
        free(dist);
        free(queue);
        return NULL;
    }
    for (uint32_t v = 0; v < n; v++)
        dist[v] = UINT32_MAX;
    size_t head = 0, tail = 0;
    dist[root] = 0;
    queue[tail++] = root;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            if (dist[v] == UINT32_MAX) {
                dist[v] = dist[u] + 1;
                queue[tail++] = v;
            }
        }
    }
    free(queue);
    return dist;
}

static bool check_bfs_tree(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint32_t root = the_root(view, detail, len);
    if (root == DISCO_NO_PORT)
        return false;
    if (!disco_oracle_spanning_tree(view, parent_port, root, detail, len))
        return false;
    return disco_oracle_bfs_tree(view, parent_port, NULL, detail, len);
}

/* Every process decided exactly once, in round dist(root, v), the value
 * dist(root, v): the decision's round is the kernel's clock, not the
 * algorithm's opinion. */
static bool check_marked_at_distance(const struct disco_view *view,
                                     char *detail, size_t len)
{
    uint32_t root = the_root(view, detail, len);
    if (root == DISCO_NO_PORT)
        return false;
    uint32_t n = disco_view_nodes(view);
    uint32_t *dist = hop_distances(view, root);
    unsigned char *seen = calloc(n, 1);
    bool ok = dist && seen;
    if (!ok)
        snprintf(detail, len, "out of memory");
    for (size_t i = 0; ok && i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (seen[d->node]++) {
            snprintf(detail, len, "node %u was marked twice", d->node);
            ok = false;
        } else if (d->time != dist[d->node] ||
                   d->value != (int64_t)dist[d->node]) {
            snprintf(detail, len, "node %u was marked in round %llu with "
                     "depth %lld, but its distance is %u", d->node,
                     (unsigned long long)d->time, (long long)d->value,
                     dist[d->node]);
            ok = false;
        }
    }
    for (uint32_t v = 0; ok && v < n; v++) {
        if (!seen[v]) {
            snprintf(detail, len, "node %u was never marked", v);
            ok = false;
        }
    }
    if (ok)
        snprintf(detail, len, "each of the %u nodes in round dist(root, v)",
                 n);
    free(dist);
    free(seen);
    return ok;
}

/* The last process is marked in round ecc(root), the eccentricity of the
 * root computed here by BFS on the real graph. */
static bool check_time_eccentricity(const struct disco_view *view,
                                    char *detail, size_t len)
{
    uint32_t root = the_root(view, detail, len);
    if (root == DISCO_NO_PORT)
        return false;
    uint32_t *dist = hop_distances(view, root);
    if (!dist) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    uint32_t ecc = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (dist[v] != UINT32_MAX && dist[v] > ecc)
            ecc = dist[v];
    free(dist);
    disco_time_t last = 0;
    for (size_t i = 0; i < disco_view_decision_count(view); i++)
        if (disco_view_decision(view, i)->time > last)
            last = disco_view_decision(view, i)->time;
    snprintf(detail, len, "last node marked in round %llu, ecc(root) = %u",
             (unsigned long long)last, ecc);
    return last == ecc;
}

static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t sent = disco_view_messages(view, SEARCH);
    uint64_t channels = disco_view_channels(view);
    snprintf(detail, len, "%llu searches, |C| = %llu",
             (unsigned long long)sent, (unsigned long long)channels);
    return sent == channels;
}

static void sbfs_result(const struct disco_view *view, char *buf, size_t len)
{
    uint32_t depth = 0, marked = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct sbfs_state *s = disco_view_state(view, v);
        if (s->marked) {
            marked++;
            if (s->depth > depth)
                depth = s->depth;
        }
    }
    snprintf(buf, len, "\"marked\": %u, \"height\": %u", marked, depth);
}

static const char *const sbfs_kinds[] = {"search"};

static const struct disco_property sbfs_properties[] = {
    {"bfs_tree",
     "the parent pointers form a spanning tree rooted at the initiator, "
     "and every node's depth in it is its distance from the root",
     DISCO_PROPERTY_FINAL, check_bfs_tree, true},
    {"marked_at_distance",
     "every node is marked exactly once, in round dist(root, v)",
     DISCO_PROPERTY_FINAL, check_marked_at_distance, true},
    {"time_eccentricity",
     "the last node is marked in round ecc(root)",
     DISCO_PROPERTY_FINAL, check_time_eccentricity, true},
    {"messages_C", "exactly |C| search messages, one on every channel",
     DISCO_PROPERTY_FINAL, check_messages, true},
};

const struct disco_algorithm disco_alg_sync_bfs = {
    .name = "sync-bfs",
    .family = "spanning-tree",
    .summary = "synchronous breadth-first search: a BFS tree in ecc(root) "
               "rounds with |C| messages",
    .description =
        "Synchronous rounds, one root (the initiator). The root is marked "
        "in round 0 and sends search to all its neighbours. An unmarked "
        "process that receives search in round r marks itself, chooses one "
        "of the senders of that round as its parent (disco draws it at "
        "random: the seed picks among the BFS trees), decides its depth r, "
        "and sends search to all its neighbours, its parent included, "
        "arriving in round r+1. Later searches are ignored. Each process "
        "sends search once per channel; the parent pointers form a "
        "breadth-first spanning tree.",
    .messages = "exactly |C| search messages, one per directed channel "
                "(2m on an undirected graph; schedule-independent)",
    .time = "a process at distance d is marked in round d, so all are "
            "marked by round ecc(root), the eccentricity of the root; the "
            "run ends one round later (ecc(root)+1 rounds), when the "
            "searches of the farthest processes arrive",
    .source = "Lynch, Distributed Algorithms, sec. 4.2 (SynchBFS)",
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
    .message_kinds = sbfs_kinds,
    .kind_count = 1,
    .properties = sbfs_properties,
    .property_count = sizeof sbfs_properties / sizeof sbfs_properties[0],
    .state_size = sizeof(struct sbfs_state),
    .init = sbfs_init,
    .on_message = sbfs_on_message,
    .on_round = sbfs_on_round,
    .format_state = sbfs_format_state,
    .result = sbfs_result,
    .parent_port = parent_port,
};
