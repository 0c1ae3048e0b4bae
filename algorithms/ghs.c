/*
 * ghs.c - Gallager, Humblet and Spira's minimum-weight spanning tree, and
 * the leader it elects.
 *
 * Every process starts as a fragment of its own at level 0.  A fragment
 * finds its minimum-weight outgoing edge (each node tests its basic edges in
 * increasing weight with `test`, answered by `accept` or `reject`; the
 * results flow to the core with `report`) and asks to join the fragment at
 * the far end with `connect`.  Two fragments of the same level that choose
 * the same edge merge into one of the next level, whose core is that edge;
 * a fragment of a lower level is absorbed.  `initiate` spreads a fragment's
 * new level and name (the weight of its core edge) and starts the search;
 * `changeroot` leads the way from the core to the chosen edge.  When both
 * core nodes report that no outgoing edge is left, the tree is complete.
 *
 * The code follows the paper's figure line by line: the numbers (1)-(12)
 * below are its numbers.  Where the paper says "place received message on
 * end of queue", the message goes into the node's `deferred` queue and is
 * looked at again after every later event (see `run_deferred`).
 *
 * Election: GHS also elects a leader (Tel sec. 7.3), since the search ends
 * at the two nodes of the final core edge.  Here both of them halt; each
 * sends its id across the core edge in a `leader` message, the larger id
 * wins, and both forward the winner's id down their half of the tree.  That
 * announcement costs exactly N messages and is its own message kind.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco.h"

/* Message kinds: the paper's seven, then the announcement. */
enum { CONNECT, INITIATE, TEST, ACCEPT, REJECT, REPORT, CHANGEROOT, LEADER };
#define CORE_KINDS 7u

/* The state of a node (SN) and of each of its edges (SE). */
enum { SLEEPING = 0, FIND, FOUND };
enum { BASIC = 0, BRANCH, REJECTED };

/* The state is plain data of a fixed size, so the per-edge arrays have a
 * fixed length: a node of larger degree stays out of the run, and the `mst`
 * property says why. */
#define MAX_PORTS 64u
#define NONE DISCO_NO_PORT
#define INFINITE_WEIGHT INT64_MAX

/* Every message carries this; each kind uses the fields it names. */
struct ghs_msg {
    int64_t value;  /* initiate, test: fragment name F; report: best weight;
                       leader: an id */
    uint32_t level; /* connect, initiate, test: the level L */
    uint32_t state; /* initiate: FIND or FOUND */
};

/* A message put aside until the node's state allows it (connect, test,
 * report or leader: never an initiate, so no state field). */
struct ghs_deferred {
    int64_t value;  /* the message's value */
    uint32_t level; /* the message's level */
    uint16_t port;  /* where it arrived (< MAX_PORTS) */
    uint16_t kind;  /* CONNECT, TEST, REPORT or LEADER */
};

struct ghs_state {
    uint32_t sn;         /* SN: SLEEPING, FIND or FOUND */
    uint32_t ln;         /* LN: level of this node's fragment */
    int64_t fn;          /* FN: fragment name, the weight of its core edge */
    uint32_t in_branch;  /* port towards the core (the core edge at a core
                            node) */
    uint32_t best_edge;  /* port of the best outgoing edge seen so far */
    int64_t best_wt;     /* its weight, INFINITE_WEIGHT when none */
    uint32_t test_edge;  /* port of the edge being tested, or NONE */
    uint32_t find_count; /* reports still awaited from the subtree */
    bool halted;         /* a core node that saw the search end */
    bool decided;        /* knows the leader (the announcement reached it) */
    bool is_leader;      /* the core node with the larger id */
    bool too_many_ports; /* degree > MAX_PORTS: takes no part */
    bool confused;       /* had to drop a message or send on no edge: only
                            when FIFO or distinct weights are broken */
    int64_t leader;      /* the leader's id, once decided */
    uint32_t deferred_count;              /* messages in `deferred` */
    struct ghs_deferred deferred[MAX_PORTS]; /* in arrival order */
    uint8_t se[MAX_PORTS];                   /* SE(j) for every port j */
};

/* ---- helpers ---- */

static void send_msg(struct disco_ctx *ctx, struct ghs_state *s,
                     uint32_t port, unsigned kind, int64_t value,
                     uint32_t level, uint32_t state)
{
    if (port == NONE) { /* only when the model is broken */
        s->confused = true;
        return;
    }
    struct ghs_msg m = {.value = value, .level = level, .state = state};
    disco_send(ctx, port, kind, &m, sizeof m);
}

/* The basic edge of least weight, or NONE. */
static uint32_t min_basic_edge(struct disco_ctx *ctx,
                               const struct ghs_state *s)
{
    uint32_t best = NONE;
    for (uint32_t j = 0; j < disco_out_degree(ctx); j++)
        if (s->se[j] == BASIC &&
            (best == NONE || disco_weight(ctx, j) < disco_weight(ctx, best)))
            best = j;
    return best;
}

/* ---- the paper's procedures ---- */

/* (2) wakeup: join the lightest edge's other end. */
static void wakeup(struct disco_ctx *ctx, struct ghs_state *s)
{
    s->ln = 0;
    s->sn = FOUND;
    s->find_count = 0;
    s->in_branch = s->best_edge = s->test_edge = NONE;
    s->best_wt = INFINITE_WEIGHT;
    uint32_t m = min_basic_edge(ctx, s);
    if (m == NONE) { /* a network of one node */
        s->halted = s->decided = s->is_leader = true;
        s->leader = disco_id(ctx);
        disco_decide(ctx, s->leader);
        return;
    }
    s->se[m] = BRANCH;
    send_msg(ctx, s, m, CONNECT, 0, 0, 0);
}

/* (9) report: once the subtree and the own test are done. */
static void report(struct disco_ctx *ctx, struct ghs_state *s)
{
    if (s->find_count == 0 && s->test_edge == NONE) {
        s->sn = FOUND;
        send_msg(ctx, s, s->in_branch, REPORT, s->best_wt, 0, 0);
    }
}

/* (5) test: probe the lightest basic edge, or report when none is left. */
static void test(struct disco_ctx *ctx, struct ghs_state *s)
{
    s->test_edge = min_basic_edge(ctx, s);
    if (s->test_edge != NONE)
        send_msg(ctx, s, s->test_edge, TEST, s->fn, s->ln, 0);
    else
        report(ctx, s);
}

/* (11) change-root: pass the turn towards the best edge, then connect. */
static void change_root(struct disco_ctx *ctx, struct ghs_state *s)
{
    if (s->best_edge == NONE) { /* only when the model is broken */
        s->confused = true;
    } else if (s->se[s->best_edge] == BRANCH) {
        send_msg(ctx, s, s->best_edge, CHANGEROOT, 0, 0, 0);
    } else {
        send_msg(ctx, s, s->best_edge, CONNECT, 0, s->ln, 0);
        s->se[s->best_edge] = BRANCH;
    }
}

/* The search is over: tell the other core node who this is. */
static void halt(struct disco_ctx *ctx, struct ghs_state *s)
{
    s->halted = true;
    send_msg(ctx, s, s->in_branch, LEADER, disco_id(ctx), 0, 0);
}

/* ---- the paper's responses; each returns false to defer the message ---- */

/* (3) Connect(L) on edge j. */
static bool on_connect(struct disco_ctx *ctx, struct ghs_state *s, uint32_t j,
                       const struct ghs_msg *m)
{
    if (m->level < s->ln) { /* absorb the lower fragment */
        s->se[j] = BRANCH;
        send_msg(ctx, s, j, INITIATE, s->fn, s->ln, s->sn);
        if (s->sn == FIND)
            s->find_count++;
    } else if (s->se[j] == BASIC) {
        return false;
    } else { /* both chose edge j: merge, j is the new core */
        send_msg(ctx, s, j, INITIATE, disco_weight(ctx, j), s->ln + 1, FIND);
    }
    return true;
}

/* (4) Initiate(L, F, S) on edge j. */
static bool on_initiate(struct disco_ctx *ctx, struct ghs_state *s,
                        uint32_t j, const struct ghs_msg *m)
{
    s->ln = m->level;
    s->fn = m->value;
    s->sn = m->state;
    s->in_branch = j;
    s->best_edge = NONE;
    s->best_wt = INFINITE_WEIGHT;
    for (uint32_t i = 0; i < disco_out_degree(ctx); i++) {
        if (i == j || s->se[i] != BRANCH)
            continue;
        send_msg(ctx, s, i, INITIATE, m->value, m->level, m->state);
        if (m->state == FIND)
            s->find_count++;
    }
    if (m->state == FIND)
        test(ctx, s);
    return true;
}

/* (6) Test(L, F) on edge j. */
static bool on_test(struct disco_ctx *ctx, struct ghs_state *s, uint32_t j,
                    const struct ghs_msg *m)
{
    if (m->level > s->ln)
        return false; /* cannot tell yet whether j leaves the fragment */
    if (m->value != s->fn) {
        send_msg(ctx, s, j, ACCEPT, 0, 0, 0);
    } else {
        if (s->se[j] == BASIC)
            s->se[j] = REJECTED;
        if (s->test_edge != j)
            send_msg(ctx, s, j, REJECT, 0, 0, 0);
        else
            test(ctx, s);
    }
    return true;
}

/* (7) Accept on edge j. */
static bool on_accept(struct disco_ctx *ctx, struct ghs_state *s, uint32_t j)
{
    s->test_edge = NONE;
    if (disco_weight(ctx, j) < s->best_wt) {
        s->best_edge = j;
        s->best_wt = disco_weight(ctx, j);
    }
    report(ctx, s);
    return true;
}

/* (8) Reject on edge j. */
static bool on_reject(struct disco_ctx *ctx, struct ghs_state *s, uint32_t j)
{
    if (s->se[j] == BASIC)
        s->se[j] = REJECTED;
    test(ctx, s);
    return true;
}

/* (10) Report(w) on edge j. */
static bool on_report(struct disco_ctx *ctx, struct ghs_state *s, uint32_t j,
                      const struct ghs_msg *m)
{
    if (j != s->in_branch) {
        s->find_count--;
        if (m->value < s->best_wt) {
            s->best_wt = m->value;
            s->best_edge = j;
        }
        report(ctx, s);
    } else if (s->sn == FIND) {
        return false; /* the other core node reported first: wait */
    } else if (m->value > s->best_wt) {
        change_root(ctx, s);
    } else if (m->value == s->best_wt && s->best_wt == INFINITE_WEIGHT) {
        halt(ctx, s);
    }
    return true;
}

/* Announcement: the core nodes compare ids across the core edge; every
 * other node takes the id from its parent.  Both forward it down. */
static bool on_leader(struct disco_ctx *ctx, struct ghs_state *s, uint32_t j,
                      const struct ghs_msg *m)
{
    bool core = disco_weight(ctx, s->in_branch) == s->fn;
    if (core && !s->halted)
        return false;
    if (s->decided)
        return true;
    int64_t own = disco_id(ctx);
    s->leader = core && own > m->value ? own : m->value;
    s->is_leader = s->leader == own;
    s->decided = true;
    disco_decide(ctx, s->leader);
    for (uint32_t i = 0; i < disco_out_degree(ctx); i++)
        if (i != j && s->se[i] == BRANCH)
            send_msg(ctx, s, i, LEADER, s->leader, 0, 0);
    return true;
}

static bool respond(struct disco_ctx *ctx, struct ghs_state *s, uint32_t j,
                    unsigned kind, const struct ghs_msg *m)
{
    switch (kind) {
    case CONNECT: return on_connect(ctx, s, j, m);
    case INITIATE: return on_initiate(ctx, s, j, m);
    case TEST: return on_test(ctx, s, j, m);
    case ACCEPT: return on_accept(ctx, s, j);
    case REJECT: return on_reject(ctx, s, j);
    case REPORT: return on_report(ctx, s, j, m);
    case CHANGEROOT: change_root(ctx, s); return true; /* (12) */
    default: return on_leader(ctx, s, j, m);
    }
}

/* ---- the deferred queue ---- */

static void defer(struct ghs_state *s, uint32_t port, unsigned kind,
                  const struct ghs_msg *m)
{
    if (s->deferred_count == MAX_PORTS) {
        s->confused = true; /* one per port at most, with FIFO and distinct
                               weights */
        return;
    }
    struct ghs_deferred *d = &s->deferred[s->deferred_count++];
    d->value = m->value;
    d->level = m->level;
    d->port = (uint16_t)port;
    d->kind = (uint16_t)kind;
}

/* Look at the deferred messages again, oldest first, until none of them
 * can be taken: each one taken may change what the others wait for. */
static void run_deferred(struct disco_ctx *ctx, struct ghs_state *s)
{
    for (uint32_t i = 0; i < s->deferred_count;) {
        struct ghs_deferred d = s->deferred[i];
        struct ghs_msg m = {.value = d.value, .level = d.level};
        if (!respond(ctx, s, d.port, d.kind, &m)) {
            i++;
            continue;
        }
        s->deferred_count--;
        memmove(&s->deferred[i], &s->deferred[i + 1],
                (s->deferred_count - i) * sizeof s->deferred[0]);
        i = 0;
    }
}

/* ---- kernel callbacks ---- */

static void ghs_init(struct disco_ctx *ctx, void *state)
{
    struct ghs_state *s = state;
    s->in_branch = s->best_edge = s->test_edge = NONE;
    s->too_many_ports = disco_out_degree(ctx) > MAX_PORTS;
    if (!s->too_many_ports && disco_is_initiator(ctx))
        wakeup(ctx, s); /* (1) */
}

static void ghs_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    struct ghs_state *s = state;
    if (s->too_many_ports)
        return;
    struct ghs_msg m = {0};
    memcpy(&m, payload, len < sizeof m ? len : sizeof m);
    if (s->sn == SLEEPING)
        wakeup(ctx, s); /* a sleeping node wakes on its first message */
    if (!respond(ctx, s, port, kind, &m))
        defer(s, port, kind, &m);
    run_deferred(ctx, s);
}

/* For pictures: the leader in gold, and every node's branch towards the
 * core in bold, which together are the minimum spanning tree (both core
 * nodes point along the core edge). */
static bool ghs_is_leader(const void *state)
{
    return ((const struct ghs_state *)state)->is_leader;
}

static uint32_t ghs_parent_port(const void *state)
{
    const struct ghs_state *s = state;
    return s->sn == SLEEPING ? NONE : s->in_branch;
}

static void ghs_format_state(const void *state, char *buf, size_t len)
{
    const struct ghs_state *s = state;
    char waiting[24] = "";
    if (s->deferred_count)
        snprintf(waiting, sizeof waiting, ", %u deferred", s->deferred_count);
    if (s->too_many_ports)
        snprintf(buf, len, "out: more than %u ports", MAX_PORTS);
    else if (s->sn == SLEEPING)
        snprintf(buf, len, "sleeping");
    else if (s->decided)
        snprintf(buf, len, "%s %lld, level %u", s->is_leader ? "leader" :
                 "knows leader", (long long)s->leader, s->ln);
    else if (s->halted)
        snprintf(buf, len, "halted at the core, level %u", s->ln);
    else if (s->in_branch == NONE)
        snprintf(buf, len, "level 0, connect sent%s", waiting);
    else
        snprintf(buf, len, "%s, level %u, fragment %lld%s",
                 s->sn == FIND ? "find" : "found", s->ln, (long long)s->fn,
                 waiting);
}

/* ---- properties: ground truth from the view ---- */

/* One undirected edge of the real graph. */
struct edge {
    int64_t weight;
    uint32_t u, v;       /* u < v */
    uint32_t port_u, port_v;
};

static int by_weight(const void *a, const void *b)
{
    const struct edge *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    return x->v < y->v ? -1 : x->v > y->v;
}

/* The edges u < v of the graph, sorted by weight; *count set.  NULL when
 * out of memory. */
static struct edge *graph_edges(const struct disco_view *view, size_t *count)
{
    uint32_t n = disco_view_nodes(view);
    size_t cap = 0;
    for (uint32_t u = 0; u < n; u++)
        cap += disco_view_degree(view, u);
    struct edge *e = malloc((cap / 2 + 1) * sizeof *e);
    if (!e)
        return NULL;
    size_t k = 0;
    for (uint32_t u = 0; u < n; u++) {
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            if (v < u)
                continue;
            uint32_t q = 0;
            while (disco_view_neighbour(view, v, q) != u)
                q++;
            e[k++] = (struct edge){disco_view_weight(view, u, p), u, v, p, q};
        }
    }
    qsort(e, k, sizeof *e, by_weight);
    *count = k;
    return e;
}

static uint32_t find_root(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x)
        x = parent[x] = parent[parent[x]];
    return x;
}

/* Kruskal with union-find: in_mst[i] for each sorted edge. */
static void kruskal(const struct edge *e, size_t count, uint32_t n,
                    unsigned char *in_mst, uint32_t *parent)
{
    for (uint32_t v = 0; v < n; v++)
        parent[v] = v;
    for (size_t i = 0; i < count; i++) {
        uint32_t a = find_root(parent, e[i].u), b = find_root(parent, e[i].v);
        in_mst[i] = a != b;
        if (a != b)
            parent[a] = b;
    }
}

/* The preconditions of the algorithm that a run may break. */
static bool check_model(const struct disco_view *view, const struct edge *e,
                        size_t count, char *detail, size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (disco_view_degree(view, v) > MAX_PORTS) {
            snprintf(detail, len, "node %u has %u neighbours; this "
                     "implementation supports at most %u", v,
                     disco_view_degree(view, v), MAX_PORTS);
            return false;
        }
    }
    for (size_t i = 1; i < count; i++) {
        if (e[i].weight == e[i - 1].weight) {
            snprintf(detail, len, "weights are not distinct: edges %u-%u and "
                     "%u-%u both weigh %lld%s", e[i - 1].u, e[i - 1].v,
                     e[i].u, e[i].v, (long long)e[i].weight,
                     disco_view_weighted(view) ? "" : " (the graph has no "
                     "weights: use --weights random)");
            return false;
        }
    }
    if (count && e[count - 1].weight == INFINITE_WEIGHT) {
        snprintf(detail, len, "edge %u-%u weighs INT64_MAX, which the "
                 "algorithm uses as infinity", e[count - 1].u, e[count - 1].v);
        return false;
    }
    return true;
}

static const struct ghs_state *state_of(const struct disco_view *view,
                                        uint32_t v)
{
    return disco_view_state(view, v);
}

static bool check_mst(const struct disco_view *view, char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    size_t count = 0;
    struct edge *e = graph_edges(view, &count);
    unsigned char *in_mst = malloc(count + 1);
    uint32_t *parent = malloc(((size_t)n + 1) * sizeof *parent);
    bool ok = e && in_mst && parent;
    if (!ok)
        snprintf(detail, len, "out of memory");
    if (ok)
        ok = check_model(view, e, count, detail, len);
    int64_t total = 0;
    size_t branches = 0;
    if (ok)
        kruskal(e, count, n, in_mst, parent);
    for (size_t i = 0; ok && i < count; i++) {
        bool at_u = state_of(view, e[i].u)->se[e[i].port_u] == BRANCH;
        bool at_v = state_of(view, e[i].v)->se[e[i].port_v] == BRANCH;
        if (at_u != at_v) {
            snprintf(detail, len, "edge %u-%u is a branch at node %u only",
                     e[i].u, e[i].v, at_u ? e[i].u : e[i].v);
            ok = false;
        } else if (at_u && !in_mst[i]) {
            snprintf(detail, len, "branch %u-%u (weight %lld) is not in the "
                     "minimum spanning tree", e[i].u, e[i].v,
                     (long long)e[i].weight);
            ok = false;
        } else if (!at_u && in_mst[i]) {
            snprintf(detail, len, "MST edge %u-%u (weight %lld) is not a "
                     "branch", e[i].u, e[i].v, (long long)e[i].weight);
            ok = false;
        } else if (at_u) {
            total += e[i].weight;
            branches++;
        }
    }
    if (ok)
        snprintf(detail, len, "%zu branches = Kruskal's MST, weight %lld",
                 branches, (long long)total);
    free(e);
    free(in_mst);
    free(parent);
    return ok;
}

/* Both core nodes, and only they, saw the end; nobody is still searching
 * or holding a message back. */
static bool check_terminates(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view), halted = 0, core[2] = {0, 0};
    for (uint32_t v = 0; v < n; v++) {
        const struct ghs_state *s = state_of(view, v);
        if (s->sn != FOUND && !s->halted) {
            snprintf(detail, len, "node %u is %s", v,
                     s->sn == SLEEPING ? "still asleep" : "still searching");
            return false;
        }
        if (s->deferred_count || s->confused) {
            snprintf(detail, len, "node %u %s", v, s->confused ?
                     "dropped a message it had no place or edge for" :
                     "still holds a deferred message");
            return false;
        }
        if (s->halted && halted++ < 2)
            core[halted - 1] = v;
    }
    uint32_t expected = n < 2 ? n : 2;
    if (halted != expected) {
        snprintf(detail, len, "%u nodes detected termination (expected %u)",
                 halted, expected);
        return false;
    }
    if (n >= 2) {
        uint32_t a = core[0], b = core[1];
        uint32_t pa = state_of(view, a)->in_branch;
        uint32_t pb = state_of(view, b)->in_branch;
        if (pa >= disco_view_degree(view, a) ||
            pb >= disco_view_degree(view, b) ||
            disco_view_neighbour(view, a, pa) != b ||
            disco_view_neighbour(view, b, pb) != a) {
            snprintf(detail, len, "nodes %u and %u halted but do not share "
                     "the core edge", a, b);
            return false;
        }
        snprintf(detail, len, "core edge %u-%u, level %u", a, b,
                 state_of(view, a)->ln);
    } else {
        snprintf(detail, len, "a single node");
    }
    return true;
}

/* The one leader, or n when there is none or more than one. */
static uint32_t find_leader(const struct disco_view *view, uint32_t *leaders)
{
    uint32_t n = disco_view_nodes(view), leader = n;
    *leaders = 0;
    for (uint32_t v = 0; v < n; v++)
        if (state_of(view, v)->is_leader && (*leaders)++ == 0)
            leader = v;
    return *leaders == 1 ? leader : n;
}

static bool check_unique_leader(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint32_t n = disco_view_nodes(view), leaders;
    uint32_t v = find_leader(view, &leaders);
    if (v == n) {
        snprintf(detail, len, "%u leaders (expected exactly one)", leaders);
        return false;
    }
    const struct ghs_state *s = state_of(view, v);
    if (!s->halted || (n >= 2 && s->in_branch >= disco_view_degree(view, v))) {
        snprintf(detail, len, "node %u leads but is not a core node", v);
        return false;
    }
    if (n >= 2) {
        uint32_t other = disco_view_neighbour(view, v, s->in_branch);
        if (disco_view_id(view, other) >= disco_view_id(view, v)) {
            snprintf(detail, len, "node %u leads but the other core node %u "
                     "has a larger id", v, other);
            return false;
        }
    }
    snprintf(detail, len, "node %u, id %lld", v,
             (long long)disco_view_id(view, v));
    return true;
}

static bool check_everyone_learns(const struct disco_view *view, char *detail,
                                  size_t len)
{
    uint32_t leaders, v = find_leader(view, &leaders);
    if (v == disco_view_nodes(view)) {
        snprintf(detail, len, "no unique leader to learn");
        return false;
    }
    return disco_oracle_all_decided(view, disco_view_id(view, v), detail,
                                    len);
}

/* The leader knows the tree is complete only after hearing, through a
 * chain of messages, from every node. */
static bool check_preceded_by_all(const struct disco_view *view, char *detail,
                                  size_t len)
{
    uint32_t leaders;
    uint32_t leader = find_leader(view, &leaders);
    size_t index = disco_view_decision_of(view, leader);
    if (index == SIZE_MAX) {
        snprintf(detail, len, "the leader never decided");
        return false;
    }
    return disco_oracle_preceded_by_all(view, index, detail, len);
}

/* The paper's bound: at most 5N log2 N + 2m messages (core kinds). */
static bool check_message_bound(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint64_t sent = 0;
    for (unsigned k = 0; k < CORE_KINDS; k++)
        sent += disco_view_messages(view, (int)k);
    double n = disco_view_nodes(view);
    uint64_t m = disco_view_edges(view);
    uint64_t bound = (uint64_t)floor(5 * n * log2(n)) + 2 * m;
    snprintf(detail, len, "%llu GHS messages (announcements apart), "
             "5N log2 N + 2m = %llu",
             (unsigned long long)sent, (unsigned long long)bound);
    return sent <= bound;
}

static bool check_announcements(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint64_t sent = disco_view_messages(view, LEADER);
    uint32_t n = disco_view_nodes(view);
    uint64_t expected = n < 2 ? 0 : n;
    snprintf(detail, len, "%llu announcements, expected %llu",
             (unsigned long long)sent, (unsigned long long)expected);
    return sent == expected;
}

static void ghs_result(const struct disco_view *view, char *buf, size_t len)
{
    uint32_t n = disco_view_nodes(view), leaders;
    uint32_t leader = find_leader(view, &leaders);
    int64_t weight = 0;
    uint32_t branches = 0;
    for (uint32_t v = 0; v < n; v++) {
        const struct ghs_state *s = state_of(view, v);
        uint32_t degree = disco_view_degree(view, v);
        for (uint32_t p = 0; p < degree && p < MAX_PORTS; p++) {
            if (s->se[p] == BRANCH && disco_view_neighbour(view, v, p) > v) {
                weight += disco_view_weight(view, v, p);
                branches++;
            }
        }
    }
    int used = snprintf(buf, len, "\"tree_edges\": %u, \"tree_weight\": %lld",
                        branches, (long long)weight);
    if (used < 0 || (size_t)used >= len)
        return;
    if (leader < n)
        snprintf(buf + used, len - (size_t)used, ", \"leader\": %lld, "
                 "\"leader_node\": %u, \"level\": %u",
                 (long long)disco_view_id(view, leader), leader,
                 state_of(view, leader)->ln);
    else
        snprintf(buf + used, len - (size_t)used, ", \"leader\": null");
}

static const char *const ghs_kinds[] = {
    "connect", "initiate", "test", "accept", "reject", "report",
    "changeroot", "leader",
};

static const struct disco_property ghs_properties[] = {
    {"mst",
     "the branch edges are exactly the minimum spanning tree Kruskal "
     "computes on the same weights (which must be distinct)",
     DISCO_PROPERTY_FINAL, check_mst, true},
    {"terminates",
     "the two core nodes, and only they, detect that the tree is complete; "
     "no node is left searching or holding a deferred message",
     DISCO_PROPERTY_FINAL, check_terminates, true},
    {"unique_leader",
     "exactly one leader: the core node with the larger id",
     DISCO_PROPERTY_FINAL, check_unique_leader, true},
    {"everyone_learns", "every process decides the leader's id, once",
     DISCO_PROPERTY_FINAL, check_everyone_learns, true},
    {"decision_preceded_by_all",
     "the leader's decision is causally preceded by an event at every node",
     DISCO_PROPERTY_TRACE, check_preceded_by_all, true},
    {"message_bound",
     "at most 5N log2 N + 2m messages of the seven GHS kinds",
     DISCO_PROPERTY_FINAL, check_message_bound, true},
    {"n_announcements",
     "the announcement costs exactly N messages: two across the core edge, "
     "one down every other tree edge",
     DISCO_PROPERTY_FINAL, check_announcements, true},
};

const struct disco_algorithm disco_alg_ghs = {
    .name = "ghs",
    .family = "election",
    .summary = "Gallager-Humblet-Spira: the minimum spanning tree by merging "
               "fragments, and a leader at its core",
    .description =
        "Fragments of the minimum spanning tree grow by joining along their "
        "minimum-weight outgoing edge. Each node tests its basic edges in "
        "increasing weight (test, answered by accept or reject: same "
        "fragment name means the edge is internal), the fragment collects "
        "the best result at its core (report) and sends the turn to that "
        "edge (changeroot), which asks to join (connect). Two fragments of "
        "level L that choose the same edge merge into one of level L+1 "
        "whose core is that edge; a fragment of lower level is absorbed. "
        "initiate spreads the fragment's level and name (its core edge's "
        "weight). A connect or test that comes too early waits in a queue "
        "at the receiver, as in the paper. When both core nodes report "
        "that no outgoing edge is left, they halt, swap ids across the core "
        "edge (leader), and the larger id is announced down the tree. Edge "
        "weights must be distinct: generated topologies get distinct "
        "random weights (--weights random, the default here), scenarios "
        "give weight attributes. Every initiator "
        "wakes up spontaneously, every other node on its first message. "
        "Nodes of degree over 64 are not supported (fixed-size state).",
    .messages = "at most 5N log2 N + 2m (the seven GHS kinds), plus exactly N "
                "leader announcements",
    .time = "O(N log N) time units when every node wakes up at the start "
            "(a message takes at most one unit)",
    .source = "R. G. Gallager, P. A. Humblet and P. M. Spira, A distributed "
              "algorithm for minimum-weight spanning trees, ACM TOPLAS 5(1), "
              "1983; Lynch, Distributed Algorithms, sec. 15.5; Tel, "
              "Introduction to Distributed Algorithms, 2nd ed., sec. 7.3.2; "
              "Fokkink, Distributed Algorithms, sec. 8.3",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = true,
        .unique_ids = true,
        .distinct_weights = true,
        .timing = DISCO_ASYNC,
        .topology = "grid:4x4",
        .initiators = "all",
        .faults = "none",
        .max_degree = MAX_PORTS,
    },
    .message_kinds = ghs_kinds,
    .kind_count = sizeof ghs_kinds / sizeof ghs_kinds[0],
    .properties = ghs_properties,
    .property_count = sizeof ghs_properties / sizeof ghs_properties[0],
    .state_size = sizeof(struct ghs_state),
    .init = ghs_init,
    .on_message = ghs_on_message,
    .format_state = ghs_format_state,
    .result = ghs_result,
    .is_leader = ghs_is_leader,
    .parent_port = ghs_parent_port,
};
