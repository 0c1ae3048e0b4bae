/*
 * chandy_misra_haas.c - Chandy, Misra and Haas's edge-chasing deadlock
 * detection for the AND model (resource model).
 *
 * The wait-for graph IS the communication graph: a channel u -> v (a DOT
 * edge `u -> v` in a digraph scenario) means "u waits for v", and a process
 * is blocked exactly when it waits for someone (out-degree > 0).  In the AND
 * model a blocked process needs every process it waits for, so it is
 * deadlocked exactly when it lies on a cycle of the wait-for graph (a
 * process that only waits INTO a cycle is stuck, but not deadlocked in the
 * sense the algorithm detects: it is not on the cycle).
 *
 * A blocked initiator i sends probe(i, i, k) to every k it waits for.  A
 * blocked process k receiving probe(i, j, k) for an initiator i it has not
 * seen before marks dependent_k(i) and sends probe(i, k, m) to every m it
 * waits for; a probe of an initiator it has already seen is dropped.  When
 * the initiator's own probe comes back to it, probe(i, j, i), i declares
 * itself deadlocked (disco_decide).  Probes are the only messages.
 *
 * Cost: per initiator i, every process reachable from i in the wait-for
 * graph (i included) sends one probe on each of its wait-for edges, once:
 * sum over initiators i of sum over v reachable from i of outdeg(v) probes,
 * on every schedule.  A simple k-cycle with one initiator: exactly k.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco.h"

enum { PROBE };

/* dependent_k(i) is one bit per possible initiator; larger networks are
 * not detected (the completeness property then fails, naming the limit). */
#define CMH_MAX_NODES 4096u

/* probe(i, j, k): node indices, as in the paper. */
struct probe {
    uint32_t initiator; /* i: whose deadlock is being chased */
    uint32_t sender;    /* j: the process that sent this probe */
    uint32_t receiver;  /* k: the process it is for */
};

struct cmh_state {
    bool initiated;   /* sent its own probes (a blocked initiator) */
    bool deadlocked;  /* its own probe came back: declared deadlock */
    uint32_t probes_seen; /* probes received, forwarded or not */
    /* dependent_k(i): probe(i, ...) already seen (and forwarded) here */
    unsigned char dependent[CMH_MAX_NODES / 8];
};

static bool dependent(const struct cmh_state *s, uint32_t i)
{
    return s->dependent[i / 8] & (1u << (i % 8));
}

static void set_dependent(struct cmh_state *s, uint32_t i)
{
    s->dependent[i / 8] |= (unsigned char)(1u << (i % 8));
}

/* Send probe(i, self, m) to every process m this one waits for. */
static void send_probes(struct disco_ctx *ctx, uint32_t initiator)
{
    /* The receiver's index is not known behind a port: the kernel hides
     * the far end, so k is filled in on arrival (it is the receiver). */
    struct probe p = {initiator, disco_self(ctx), UINT32_MAX};
    disco_send_all(ctx, PROBE, &p, sizeof p);
}

static void cmh_init(struct disco_ctx *ctx, void *state)
{
    struct cmh_state *s = state;
    uint32_t self = disco_self(ctx);
    if (!disco_is_initiator(ctx) || disco_out_degree(ctx) == 0)
        return; /* not blocked: nothing to detect */
    if (disco_nodes(ctx) > CMH_MAX_NODES)
        return; /* beyond dependent[]: `complete` fails and says why */
    s->initiated = true;
    set_dependent(s, self);
    send_probes(ctx, self);
}

static void cmh_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    struct cmh_state *s = state;
    struct probe p;
    if (kind != PROBE || len != sizeof p)
        return;
    memcpy(&p, payload, sizeof p);
    p.receiver = disco_self(ctx);
    s->probes_seen++;
    if (p.initiator >= CMH_MAX_NODES)
        return;
    if (p.initiator == p.receiver) {
        if (!s->deadlocked) {
            s->deadlocked = true;
            disco_decide(ctx, disco_id(ctx));
        }
        return;
    }
    /* The sender waits for this process; the chase goes on only through a
     * process that is itself blocked, and only once per initiator. */
    if (disco_out_degree(ctx) == 0 || dependent(s, p.initiator))
        return;
    set_dependent(s, p.initiator);
    send_probes(ctx, p.initiator);
}

static void cmh_format_state(const void *state, char *buf, size_t len)
{
    const struct cmh_state *s = state;
    if (s->deadlocked)
        snprintf(buf, len, "deadlocked");
    else if (s->initiated)
        snprintf(buf, len, "probing, %u probes in", s->probes_seen);
    else
        snprintf(buf, len, "%u probes in", s->probes_seen);
}

static bool is_deadlocked(const void *state)
{
    return ((const struct cmh_state *)state)->deadlocked;
}

/* ---- oracles over the true wait-for graph (the topology) ---- */

/* on_cycle[v] = 1 when v lies on a cycle of the wait-for graph, i.e. its
 * strongly connected component has more than one node (no self-loops).
 * Iterative Tarjan.  Returns false when out of memory. */
static bool wait_for_cycles(const struct disco_view *view,
                            unsigned char *on_cycle)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t *index = malloc(n * sizeof *index);
    uint32_t *low = malloc(n * sizeof *low);
    uint32_t *stack = malloc(n * sizeof *stack);
    uint32_t *call = malloc(n * sizeof *call);   /* DFS path: nodes */
    uint32_t *next = malloc(n * sizeof *next);   /* next port to visit */
    unsigned char *on_stack = calloc(n, 1);
    bool ok = index && low && stack && call && next && on_stack;
    uint32_t counter = 0, top = 0;
    for (uint32_t v = 0; ok && v < n; v++)
        index[v] = UINT32_MAX;
    for (uint32_t root = 0; ok && root < n; root++) {
        if (index[root] != UINT32_MAX)
            continue;
        uint32_t depth = 0;
        call[depth++] = root;
        index[root] = low[root] = counter++;
        next[root] = 0;
        stack[top++] = root;
        on_stack[root] = 1;
        while (depth > 0) {
            uint32_t v = call[depth - 1];
            if (next[v] < disco_view_degree(view, v)) {
                uint32_t w = disco_view_neighbour(view, v, next[v]++);
                if (index[w] == UINT32_MAX) {
                    index[w] = low[w] = counter++;
                    next[w] = 0;
                    stack[top++] = w;
                    on_stack[w] = 1;
                    call[depth++] = w;
                } else if (on_stack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            depth--;
            if (depth > 0 && low[v] < low[call[depth - 1]])
                low[call[depth - 1]] = low[v];
            if (low[v] != index[v])
                continue;
            /* v roots a component: pop it, and mark it if it has 2+ nodes */
            uint32_t first = top;
            do {
                first--;
            } while (stack[first] != v);
            for (uint32_t k = first; k < top; k++) {
                on_stack[stack[k]] = 0;
                on_cycle[stack[k]] = top - first > 1;
            }
            top = first;
        }
    }
    free(index);
    free(low);
    free(stack);
    free(call);
    free(next);
    free(on_stack);
    return ok;
}

static bool check_sound(const struct disco_view *view, char *detail,
                        size_t len)
{
    uint32_t n = disco_view_nodes(view);
    unsigned char *on_cycle = calloc(n, 1);
    if (!on_cycle || !wait_for_cycles(view, on_cycle)) {
        free(on_cycle);
        snprintf(detail, len, "out of memory");
        return false;
    }
    bool ok = true;
    size_t count = disco_view_decision_count(view);
    for (size_t k = 0; k < count && ok; k++) {
        uint32_t v = disco_view_decision(view, k)->node;
        if (!on_cycle[v]) {
            snprintf(detail, len, "node %u declared deadlock but is on no "
                     "wait-for cycle", v);
            ok = false;
        }
    }
    if (ok)
        snprintf(detail, len, "%zu declared, all on wait-for cycles", count);
    free(on_cycle);
    return ok;
}

static bool check_complete(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint32_t n = disco_view_nodes(view);
    if (n > CMH_MAX_NODES) {
        snprintf(detail, len, "%u nodes: more than the %u this "
                 "implementation tracks", n, CMH_MAX_NODES);
        return false;
    }
    unsigned char *on_cycle = calloc(n, 1);
    if (!on_cycle || !wait_for_cycles(view, on_cycle)) {
        free(on_cycle);
        snprintf(detail, len, "out of memory");
        return false;
    }
    bool ok = true;
    uint32_t expected = 0;
    for (uint32_t v = 0; v < n && ok; v++) {
        if (!on_cycle[v] || !disco_view_initiator(view, v))
            continue;
        expected++;
        if (disco_view_decision_of(view, v) == SIZE_MAX) {
            snprintf(detail, len, "initiator %u is on a wait-for cycle but "
                     "never declared deadlock", v);
            ok = false;
        }
    }
    if (ok)
        snprintf(detail, len, "%u initiators on wait-for cycles, all declared",
                 expected);
    free(on_cycle);
    return ok;
}

static bool check_once(const struct disco_view *view, char *detail,
                       size_t len)
{
    uint32_t n = disco_view_nodes(view);
    unsigned char *seen = calloc(n, 1);
    if (!seen) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    bool ok = true;
    size_t count = disco_view_decision_count(view);
    for (size_t k = 0; k < count && ok; k++) {
        uint32_t v = disco_view_decision(view, k)->node;
        if (seen[v]++) {
            snprintf(detail, len, "node %u declared deadlock twice", v);
            ok = false;
        }
    }
    if (ok)
        snprintf(detail, len, "%zu declared, none twice", count);
    free(seen);
    return ok;
}

/* The exact probe count: each initiator's probe crosses every wait-for edge
 * leaving a process reachable from it (itself included), once.  Counted by
 * a search from every blocked initiator over the topology. */
static bool check_probes(const struct disco_view *view, char *detail,
                         size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t *queue = malloc(n * sizeof *queue);
    uint32_t *mark = malloc(n * sizeof *mark);
    if (!queue || !mark) {
        free(queue);
        free(mark);
        snprintf(detail, len, "out of memory");
        return false;
    }
    uint64_t expected = 0;
    for (uint32_t v = 0; v < n; v++)
        mark[v] = UINT32_MAX;
    for (uint32_t i = 0; i < n && n <= CMH_MAX_NODES; i++) {
        if (!disco_view_initiator(view, i) || disco_view_degree(view, i) == 0)
            continue;
        uint32_t head = 0, tail = 0;
        queue[tail++] = i;
        mark[i] = i;
        while (head < tail) {
            uint32_t v = queue[head++];
            expected += disco_view_degree(view, v);
            for (uint32_t p = 0; p < disco_view_degree(view, v); p++) {
                uint32_t w = disco_view_neighbour(view, v, p);
                if (mark[w] != i) {
                    mark[w] = i;
                    queue[tail++] = w;
                }
            }
        }
    }
    free(queue);
    free(mark);
    uint64_t sent = disco_view_messages(view, PROBE);
    snprintf(detail, len, "%llu probes, expected %llu (each initiator's "
             "probe once over every edge it can reach)",
             (unsigned long long)sent, (unsigned long long)expected);
    return sent == expected;
}

static void cmh_result(const struct disco_view *view, char *buf, size_t len)
{
    size_t count = disco_view_decision_count(view);
    int used = snprintf(buf, len, "\"declarations\": %zu, \"probes\": %llu",
                        count, (unsigned long long)disco_view_messages(view,
                                                                      PROBE));
    /* The list of deadlocked nodes when it fits (it always does for a
     * lecture-sized graph); otherwise the count alone. */
    if (used < 0 || (size_t)used >= len || count > 64)
        return;
    size_t at = (size_t)used;
    at += (size_t)snprintf(buf + at, len - at, ", \"deadlocked\": [");
    /* in node order, so the list does not depend on the schedule */
    bool first = true;
    for (uint32_t v = 0; v < disco_view_nodes(view) && at < len; v++) {
        if (disco_view_decision_of(view, v) == SIZE_MAX)
            continue;
        at += (size_t)snprintf(buf + at, len - at, "%s%u", first ? "" : ", ",
                               v);
        first = false;
    }
    if (at < len)
        snprintf(buf + at, len - at, "]");
}

static const char *const cmh_kinds[] = {"probe"};

static const struct disco_property cmh_properties[] = {
    {"sound", "deadlock is declared only by a node on a wait-for cycle",
     DISCO_PROPERTY_FINAL, check_sound, false},
    {"complete", "every initiator on a wait-for cycle declares deadlock",
     DISCO_PROPERTY_FINAL, check_complete, true},
    {"declares_once", "no node declares deadlock twice",
     DISCO_PROPERTY_FINAL, check_once, false},
    {"probes_exact",
     "each initiator's probe crosses every wait-for edge it can reach "
     "exactly once (a simple k-cycle with one initiator: k probes)",
     DISCO_PROPERTY_FINAL, check_probes, true},
};

const struct disco_algorithm disco_alg_chandy_misra_haas = {
    .name = "chandy-misra-haas",
    .family = "deadlock",
    .summary = "edge-chasing deadlock detection (AND model): probes along "
               "the wait-for graph",
    .description =
        "The graph is the wait-for graph: a channel u -> v means u waits for "
        "v, and a process with an outgoing channel is blocked. A blocked "
        "initiator i sends probe(i, i, k) to every k it waits for. A blocked "
        "process k that receives probe(i, j, k) for an initiator it has not "
        "seen yet sends probe(i, k, m) to every m it waits for; later probes "
        "of the same initiator are dropped. An initiator whose own probe "
        "comes back declares deadlock: it is on a wait-for cycle. A process "
        "that only waits into a cycle is never declared.",
    .messages = "exactly the sum over initiators i of the out-degrees of the "
                "processes reachable from i (i included), on every "
                "schedule; a simple k-cycle with one initiator: k probes",
    .time = "O(N) causal depth: a probe returns along a cycle of at most N "
            "edges",
    .source = "K. M. Chandy, J. Misra, L. M. Haas, Distributed deadlock "
              "detection, ACM TOCS 1(2), 1983; Kshemkalyani and Singhal, "
              "Distributed Computing: Principles, Algorithms, and Systems, "
              "ch. 10 (the Chandy-Misra-Haas algorithm for the AND model)",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = false,
        .connected = false,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "uring:5",
        .initiators = "all",
        .faults = "none",
        .max_nodes = CMH_MAX_NODES,
    },
    .message_kinds = cmh_kinds,
    .kind_count = 1,
    .properties = cmh_properties,
    .property_count = sizeof cmh_properties / sizeof cmh_properties[0],
    .state_size = sizeof(struct cmh_state),
    .init = cmh_init,
    .on_message = cmh_on_message,
    .format_state = cmh_format_state,
    .result = cmh_result,
    .is_leader = is_deadlocked,
};
