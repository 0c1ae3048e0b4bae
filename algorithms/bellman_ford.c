/*
 * bellman_ford.c - asynchronous Bellman-Ford shortest paths (Lynch's
 * AsynchBellmanFord; with unit weights, AsynchBFS).
 *
 * Every process keeps `dist`, the length of the shortest path from the
 * source it has heard of, and `parent`, the neighbour that path comes
 * through.  The source starts with dist = 0 and tells its neighbours; the
 * others start at infinity.  A process that receives a distance d from a
 * neighbour over an edge of weight w relaxes: if d + w < dist, it takes
 * d + w as its distance and that neighbour as its parent, and tells all its
 * neighbours its new distance.  Nothing else happens; when no message is
 * left in transit, every dist is the true shortest-path distance and the
 * parents form a shortest-path tree.  No process knows when that is: the
 * run ends at quiescence (termination detection would need more, e.g. a
 * Dijkstra-Scholten overlay).
 *
 * Edge weights come from the topology (`weight` edge attributes in a
 * scenario, `--weights random` on the command line) and must be
 * non-negative; with weight 1 everywhere this is breadth-first search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco.h"
#include "shortest_paths.h"

struct bf_state {
    int64_t dist;    /* shortest distance from the source known so far,
                        INFINITE until the first message */
    uint32_t parent; /* port of the neighbour `dist` came from, or NO_PARENT
                        (the source, or not reached yet) */
    uint32_t changes; /* how many times dist has decreased */
};

/* d + w, saturating at INFINITE (huge scenario weights must not wrap). */
int64_t shortest_paths_plus(int64_t d, int64_t w)
{
    if (d == INFINITE || (w > 0 && d > INFINITE - w))
        return INFINITE;
    return d + w;
}

static void tell_neighbours(struct disco_ctx *ctx, const struct bf_state *s)
{
    disco_send_all(ctx, DIST, &s->dist, sizeof s->dist);
}

static void bf_init(struct disco_ctx *ctx, void *state)
{
    struct bf_state *s = state;
    s->dist = INFINITE;
    s->parent = NO_PARENT;
    if (disco_is_initiator(ctx)) {
        s->dist = 0;
        tell_neighbours(ctx, s);
    }
}

static void bf_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct bf_state *s = state;
    int64_t d;
    memcpy(&d, payload, sizeof d);
    int64_t via = shortest_paths_plus(d, disco_weight(ctx, port));
    if (via < s->dist) {
        s->dist = via;
        s->parent = port;
        s->changes++;
        tell_neighbours(ctx, s);
    }
}

static void bf_format_state(const void *state, char *buf, size_t len)
{
    const struct bf_state *s = state;
    if (s->dist == INFINITE)
        snprintf(buf, len, "dist inf");
    else if (s->parent == NO_PARENT)
        snprintf(buf, len, "source");
    else
        snprintf(buf, len, "dist %lld via port %u (%u changes)",
                 (long long)s->dist, s->parent, s->changes);
}

/* ---- properties: oracles over the real, weighted topology ----
 * The shortest_paths_* functions are shared with sync_bellman_ford.c
 * (shortest_paths.h). */

static uint32_t parent_port(const void *state)
{
    return ((const struct bf_state *)state)->parent;
}

static int64_t dist_of(const void *state)
{
    return ((const struct bf_state *)state)->dist;
}

static const struct bf_state *state_of(const struct disco_view *view,
                                       uint32_t v)
{
    return disco_view_state(view, v);
}

/* The source: the single initiator, or DISCO_NO_PORT (with a detail). */
static uint32_t the_source(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint32_t count = 0, source = DISCO_NO_PORT;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (disco_view_initiator(view, v) && count++ == 0)
            source = v;
    if (count != 1)
        snprintf(detail, len, "%u initiators (one source expected)", count);
    return count == 1 ? source : DISCO_NO_PORT;
}

/* The model's assumption, checked on the real topology: no negative
 * weight (on an undirected graph a negative edge is a negative cycle, and
 * distances do not exist).  Checked even when the run stopped at a bound,
 * to say why it did not terminate. */
bool shortest_paths_check_weights(const struct disco_view *view,
                                  char *detail, size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        for (uint32_t p = 0; p < disco_view_degree(view, v); p++) {
            int64_t w = disco_view_weight(view, v, p);
            if (w < 0) {
                snprintf(detail, len, "edge %u-%u has weight %lld: outside "
                         "the model (weights must be >= 0)", v,
                         disco_view_neighbour(view, v, p), (long long)w);
                return false;
            }
        }
    }
    snprintf(detail, len, "%s", disco_view_weighted(view) ? "all weights >= 0"
                                                          : "unit weights");
    return true;
}

/* Dijkstra over the real topology and its weights (non-negative): the true
 * distance of every node from `source` (INFINITE: unreachable), or NULL
 * when out of memory.  A binary heap of (distance, node) with lazy
 * deletion: at most one entry per channel plus one. */
struct heap_entry {
    int64_t dist;
    uint32_t node;
};

static void heap_push(struct heap_entry *heap, size_t *size, int64_t dist,
                      uint32_t node)
{
    size_t i = (*size)++;
    while (i > 0 && heap[(i - 1) / 2].dist > dist) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = (struct heap_entry){dist, node};
}

static struct heap_entry heap_pop(struct heap_entry *heap, size_t *size)
{
    struct heap_entry top = heap[0], last = heap[--*size];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= *size)
            break;
        if (child + 1 < *size && heap[child + 1].dist < heap[child].dist)
            child++;
        if (heap[child].dist >= last.dist)
            break;
        heap[i] = heap[child];
        i = child;
    }
    if (*size)
        heap[i] = last;
    return top;
}

static int64_t *true_distances(const struct disco_view *view, uint32_t source)
{
    uint32_t n = disco_view_nodes(view);
    int64_t *dist = malloc((size_t)n * sizeof *dist);
    struct heap_entry *heap =
        malloc((disco_view_channels(view) + 1) * sizeof *heap);
    if (!dist || !heap) {
        free(dist);
        free(heap);
        return NULL;
    }
    for (uint32_t v = 0; v < n; v++)
        dist[v] = INFINITE;
    size_t size = 0;
    dist[source] = 0;
    heap_push(heap, &size, 0, source);
    while (size) {
        struct heap_entry e = heap_pop(heap, &size);
        if (e.dist > dist[e.node])
            continue; /* stale */
        for (uint32_t p = 0; p < disco_view_degree(view, e.node); p++) {
            uint32_t v = disco_view_neighbour(view, e.node, p);
            int64_t w = disco_view_weight(view, e.node, p);
            int64_t via = shortest_paths_plus(e.dist, w);
            if (via < dist[v]) {
                dist[v] = via;
                heap_push(heap, &size, via, v);
            }
        }
    }
    free(heap);
    return dist;
}

/* The true distances from the single source, after checking the model's
 * assumption; NULL with a detail otherwise. */
int64_t *shortest_paths_truth(const struct disco_view *view,
                              uint32_t *source, char *detail, size_t len)
{
    *source = the_source(view, detail, len);
    if (*source == DISCO_NO_PORT ||
        !shortest_paths_check_weights(view, detail, len))
        return NULL;
    int64_t *truth = true_distances(view, *source);
    if (!truth)
        snprintf(detail, len, "out of memory");
    return truth;
}

static bool check_distances(const struct disco_view *view, char *detail,
                            size_t len)
{
    uint32_t source;
    int64_t *truth = shortest_paths_truth(view, &source, detail, len);
    if (!truth)
        return false;
    bool ok = true;
    uint32_t n = disco_view_nodes(view);
    for (uint32_t v = 0; ok && v < n; v++) {
        if (state_of(view, v)->dist != truth[v]) {
            snprintf(detail, len, "node %u has dist %lld, but its distance "
                     "from node %u is %lld", v,
                     (long long)state_of(view, v)->dist, source,
                     (long long)truth[v]);
            ok = false;
        }
    }
    if (ok)
        snprintf(detail, len, "all %u distances from node %u are exact", n,
                 source);
    free(truth);
    return ok;
}

/* A spanning tree rooted at the source in which every parent edge is
 * tight, dist(v) = dist(parent) + w(parent, v): with exact distances
 * (checked above), a shortest-path tree. */
bool shortest_paths_check_tree(const struct disco_view *view,
                               disco_parent_port_fn *parent_of,
                               shortest_paths_dist_fn *dist, char *detail,
                               size_t len)
{
    uint32_t source = the_source(view, detail, len);
    if (source == DISCO_NO_PORT ||
        !disco_oracle_spanning_tree(view, parent_of, source, detail, len))
        return false;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        uint32_t p = parent_of(disco_view_state(view, v));
        if (p == NO_PARENT)
            continue;
        uint32_t u = disco_view_neighbour(view, v, p);
        int64_t w = disco_view_weight(view, v, p);
        int64_t dv = dist(disco_view_state(view, v));
        int64_t du = dist(disco_view_state(view, u));
        if (dv != shortest_paths_plus(du, w)) {
            snprintf(detail, len, "parent edge %u-%u (weight %lld) is not "
                     "tight: dist %lld vs %lld", v, u, (long long)w,
                     (long long)dv, (long long)du);
            return false;
        }
    }
    snprintf(detail, len, "rooted at node %u, every parent edge tight",
             source);
    return true;
}

static bool check_tree(const struct disco_view *view, char *detail,
                       size_t len)
{
    return shortest_paths_check_tree(view, parent_port, dist_of, detail, len);
}

/* a * b and a + b, saturating at UINT64_MAX. */
static uint64_t sat_mul(uint64_t a, uint64_t b)
{
    return b && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}
static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The message bound.  Every distance a process adopts is the length of a
 * simple path from the source (a walk through a cycle never improves, with
 * non-negative weights), so it is an integer between the true distance
 * d(v) and L = (n-1)W, W the largest weight; each value is sent once on
 * every channel of v.  Hence at most
 *     deg(source) + sum over v != source of deg(v) * (L - d(v) + 1)
 * messages: at most (n-1)|C| with unit weights. */
static bool check_message_bound(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint32_t source;
    int64_t *truth = shortest_paths_truth(view, &source, detail, len);
    if (!truth)
        return false;
    uint32_t n = disco_view_nodes(view);
    uint64_t heaviest = 0;
    for (uint32_t v = 0; v < n; v++)
        for (uint32_t p = 0; p < disco_view_degree(view, v); p++)
            if ((uint64_t)disco_view_weight(view, v, p) > heaviest)
                heaviest = (uint64_t)disco_view_weight(view, v, p);
    uint64_t longest = sat_mul(n - 1, heaviest);
    uint64_t bound = disco_view_degree(view, source);
    for (uint32_t v = 0; v < n; v++) {
        if (v == source || truth[v] == INFINITE)
            continue;
        uint64_t values = sat_add(longest - (uint64_t)truth[v], 1);
        bound = sat_add(bound, sat_mul(disco_view_degree(view, v), values));
    }
    free(truth);
    uint64_t sent = disco_view_messages(view, DIST);
    snprintf(detail, len, "%llu messages, bound %llu",
             (unsigned long long)sent, (unsigned long long)bound);
    return sent <= bound;
}

static void bf_result(const struct disco_view *view, char *buf, size_t len)
{
    int64_t farthest = 0;
    uint64_t changes = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct bf_state *s = state_of(view, v);
        if (s->dist != INFINITE && s->dist > farthest)
            farthest = s->dist;
        changes += s->changes;
    }
    snprintf(buf, len, "\"farthest\": %lld, \"improvements\": %llu",
             (long long)farthest, (unsigned long long)changes);
}

static const char *const bf_kinds[] = {"dist"};

static const struct disco_property bf_properties[] = {
    {"shortest_distances",
     "every node's dist is its true shortest-path distance from the source "
     "(Dijkstra on the real weights)",
     DISCO_PROPERTY_FINAL, check_distances, true},
    {"shortest_path_tree",
     "the parent pointers form a spanning tree rooted at the source whose "
     "edges are all tight: dist(v) = dist(parent) + w",
     DISCO_PROPERTY_FINAL, check_tree, true},
    {"message_bound",
     "at most deg(source) + sum of deg(v)(L - d(v) + 1) messages, "
     "L = (n-1) times the largest weight: (n-1)|C| with unit weights",
     DISCO_PROPERTY_FINAL, check_message_bound, true},
    {"weights_nonnegative",
     "no edge has a negative weight (the model's assumption)",
     DISCO_PROPERTY_FINAL, shortest_paths_check_weights, false},
};

const struct disco_algorithm disco_alg_bellman_ford = {
    .name = "bellman-ford",
    .family = "spanning-tree",
    .summary = "asynchronous Bellman-Ford: shortest paths from one source "
               "(BFS with unit weights)",
    .description =
        "One source (the initiator) starts with dist 0 and sends it to all "
        "its neighbours; every other process starts with dist infinity. A "
        "process that receives d from a neighbour over an edge of weight w "
        "and finds d + w < dist sets dist to d + w, takes that neighbour "
        "as its parent, and sends its new dist to all its neighbours. At "
        "quiescence every dist is the shortest-path distance and the "
        "parents form a shortest-path tree; nobody detects that moment. "
        "Weights: the topology's (scenario `weight`, or --weights random), "
        "non-negative; 1 everywhere gives breadth-first search.",
    .messages = "at most (n-1)|C| = 2(n-1)m with unit weights, O(n m); "
                "with positive integer weights up to W at most (n-1)W|C|; "
                "exponential in n in the worst case (weights growing "
                "exponentially, adversarial delays)",
    .time = "causal depth at most 1 + the number of improvements (the "
            "messages of a causal chain are sent by distinct improvements): "
            "at most 1 + (n-1)^2 with unit weights; exponential in the "
            "worst case",
    .source = "Lynch, Distributed Algorithms, sec. 15.4 (AsynchBFS, "
              "AsynchBellmanFord); Fokkink, Distributed Algorithms, "
              "2nd ed., ch. 8 (the Chandy-Misra algorithm)",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "grid:4x4",
        .initiators = "0",
        .faults = "none",
    },
    .message_kinds = bf_kinds,
    .kind_count = 1,
    .properties = bf_properties,
    .property_count = sizeof bf_properties / sizeof bf_properties[0],
    .state_size = sizeof(struct bf_state),
    .init = bf_init,
    .on_message = bf_on_message,
    .format_state = bf_format_state,
    .result = bf_result,
    .parent_port = parent_port,
};
