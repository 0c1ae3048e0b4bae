/*
 * full_reversal.c - Gafni-Bertsekas link reversal: full reversal, and the
 * machinery partial_reversal.c shares.
 *
 * Every link of an undirected connected graph is oriented, the orientation
 * is acyclic, and one node is the destination D.  A node other than D that
 * is a sink (every link points towards it) reverses links: under full
 * reversal all of them, under partial reversal those to neighbours that did
 * not reverse towards it since its own last reversal (all of them when every
 * neighbour did; see Heights below for how this is decided).  Each reversal is announced to the neighbour by a `reverse`
 * message, so both ends of a link learn its new direction.  The run ends
 * when no node other than D is a sink: the orientation then routes every
 * node to D.
 *
 * The initial orientation comes from heights: a link points from the end
 * with the larger (height, node index) to the other, so no cycle can exist.
 * Each node takes its height from its scenario input `elevation` when it
 * has one (`height` itself is Graphviz's node size), otherwise from the
 * `orientation` parameter:
 *   0 (chain-away)  height = -|index - D|: on a line numbered from D every
 *                   link points away from D, the reference's worked case;
 *   1 (random)      a pseudo-random height drawn from `orientation_seed` and
 *                   the node index (not from --seed, so that --seed changes
 *                   the schedule and nothing else).
 * A node learns its neighbours' heights from one `height` message on every
 * link (2m in all, a kind of their own), and acts once it knows them all.
 *
 * Link failures and recoveries come from the kernel (--cut A-B@T1:T2, a
 * scenario edge's down_at/up_at, --partition): both ends hear of them in
 * on_link.  A link that goes down leaves the orientation at once (messages
 * on it are lost); if that leaves a node a sink, it reverses, and so the
 * DAG is repaired.  Nodes cut off from D altogether reverse for ever while
 * they are cut off, as in Gafni and Bertsekas (TORA adds partition
 * detection); bound such runs with --max-events, or let the link come back.
 *
 * Heights.  Each node keeps a current height, Gafni and Bertsekas's
 * (alpha, beta, node index), compared lexicographically, and every link
 * points from the higher end to the lower.  A node starts at (0, initial
 * height, index).  Under full reversal a sink rises above its highest
 * neighbour (alpha = their largest alpha + 1: GB's pair algorithm), so all
 * its links turn.  Under partial reversal it takes GB's triple step: alpha
 * = the lowest neighbours' alpha + 1, beta = the least beta among the
 * neighbours already at that alpha, minus one (unchanged if none), and the
 * links that turn are those to the neighbours now below it, the lowest
 * ones.  Without link changes those are exactly the neighbours that did not
 * reverse towards it since its own last step (all of them if all did), the
 * list of the textbook's partial reversal, so the counts are the list's
 * (n on the chain); with link changes the two can differ (a rejoined
 * neighbour may be at any height), and the heights decide, so that they
 * keep ordering every link.
 * Heights travel on the height and reverse messages.
 *
 * A link that comes back up rejoins the DAG by heights: both ends forget
 * it, send their current height on it (one height message each way), and
 * take it as pointing from the higher end to the lower.  Until then neither
 * end can step, so neither height moves; and since the heights order all
 * nodes, the rejoined link closes no cycle (the invariant `heights` checks
 * that every link points down them).  A rejoined link is not on partial
 * reversal's list (binary link labels: it gets the node's initial label).
 * Every message carries the link's epoch, the number of times it came
 * back, so that one sent before a cut and delivered after the link came
 * back is ignored.
 *
 * Binary link labels (binary_link_labels.c) steps by its labels, like the
 * list, and keeps heights as best it can: all links turn, the node rises
 * above its highest neighbour; some stay, it goes just below the lowest
 * one that stays.  With labels that differ between nodes it is no height
 * algorithm (a step may have to keep the link of a neighbour that is below
 * one whose link it turns, and no height orders both), so a rejoining link
 * may close a cycle (the invariant `acyclic` then says so) and `heights`
 * is not checked for it.
 *
 * A crashed node, or a one-way partition, leaves one end unaware of a link
 * change: the link is then out of the oracles' graph but still in that
 * end's view, which the algorithm does not survive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco.h"

#include "link_reversal.h"

enum { HEIGHT, REVERSE };
enum { P_DESTINATION, P_ORIENTATION, P_ORIENTATION_SEED };
enum { CHAIN_AWAY, RANDOM };

#define NO_NODE UINT32_MAX

struct lr_state {
    int64_t height;     /* initial height: fixes the initial orientation */
    int64_t alpha;      /* the current height (alpha, beta, node index) */
    int64_t beta;
    uint32_t reversals; /* work: how many times this node has reversed */
    uint32_t unknown;   /* live links whose direction is not known yet */
    uint8_t rule;       /* enum link_reversal_rule */
    bool destination;   /* this node is D, which never reverses */
    bool label;         /* whether a link starts on the list (BLL's label) */
};

/* One per link (out-port), after the state block. */
struct lr_port {
    int64_t alpha;  /* the neighbour's current height, as last heard */
    int64_t beta;
    uint32_t peer;  /* the neighbour's node index, from its messages
                     * (NO_NODE before the first arrives) */
    uint32_t flips; /* reversals of this link seen here, own and announced,
                     * since it last (re)joined */
    uint32_t epoch; /* times the link came back up */
    bool known;     /* the direction is known (height or reverse received) */
    bool out;       /* the link points away from this node */
    bool listed;    /* partial reversal's list: the neighbour reversed the
                     * link towards this node since this node last did
                     * (binary link labels: the link's label is 1) */
    bool dead;      /* the link is down (on_link) */
    bool ever_down; /* it went down at some time in the run */
};

/* The height and reverse messages: the sender's current height and node
 * index, and the link's epoch. */
struct lr_msg {
    int64_t alpha;
    int64_t beta;
    uint32_t index;
    uint32_t epoch;
};

/* The splitmix64 finaliser: a random height is a fixed function of
 * (orientation_seed, node index), untouched by the run's seed. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

static int64_t initial_height(struct disco_ctx *ctx)
{
    int64_t h;
    if (disco_input(ctx, "elevation", &h))
        return h;
    int64_t self = disco_self(ctx);
    if (disco_param(ctx, P_ORIENTATION) == RANDOM) {
        uint64_t seed = (uint64_t)disco_param(ctx, P_ORIENTATION_SEED);
        return (int64_t)(mix(mix(seed) ^ (uint64_t)self) >> 2);
    }
    int64_t d = self - disco_param(ctx, P_DESTINATION);
    return d < 0 ? d : -d;
}

/* A height: (alpha, beta, node index), ordered lexicographically. */
struct height {
    int64_t alpha, beta;
    uint32_t index;
};

static int compare_heights(struct height a, struct height b)
{
    if (a.alpha != b.alpha)
        return a.alpha > b.alpha ? 1 : -1;
    if (a.beta != b.beta)
        return a.beta > b.beta ? 1 : -1;
    return a.index > b.index ? 1 : a.index < b.index ? -1 : 0;
}

/* The link u-v points from u to v when u's height is the larger. */
static bool points_from(struct height u, struct height v)
{
    return compare_heights(u, v) > 0;
}

static struct height state_height(const struct lr_state *s, uint32_t index)
{
    return (struct height){s->alpha, s->beta, index};
}

static struct lr_port *port_of(struct disco_ctx *ctx, uint32_t port)
{
    return disco_port_state(ctx, port);
}

static void send_height(struct disco_ctx *ctx, const struct lr_state *s,
                        uint32_t port, unsigned kind)
{
    struct lr_msg msg;
    memset(&msg, 0, sizeof msg); /* no stray padding bytes in traces */
    msg.alpha = s->alpha;
    msg.beta = s->beta;
    msg.index = disco_self(ctx);
    msg.epoch = port_of(ctx, port)->epoch;
    disco_send(ctx, port, kind, &msg, sizeof msg);
}

/* A sink with every link's direction known reverses (D never does). */
static void reverse_if_sink(struct disco_ctx *ctx, struct lr_state *s)
{
    if (s->destination || s->unknown > 0)
        return;
    uint32_t degree = disco_out_degree(ctx), live = 0, listed = 0;
    int64_t low = INT64_MAX, top = INT64_MIN;
    for (uint32_t p = 0; p < degree; p++) {
        struct lr_port *ps = port_of(ctx, p);
        if (ps->dead)
            continue;
        if (ps->out)
            return; /* not a sink */
        live++;
        listed += ps->listed;
        if (ps->alpha < low)
            low = ps->alpha;
        if (ps->alpha > top)
            top = ps->alpha;
    }
    if (live == 0)
        return; /* cut off from everything: nothing to reverse */
    /* The new height, and which links turn: those to neighbours now
     * below. */
    if (s->rule == LINK_REVERSAL_FULL) {
        s->alpha = top + 1; /* above every neighbour: all turn */
    } else if (s->rule == LINK_REVERSAL_PARTIAL) {
        /* GB's triples: one level above the lowest neighbours, just below
         * the lowest of those already there. */
        int64_t beta = INT64_MAX;
        for (uint32_t p = 0; p < degree; p++) {
            const struct lr_port *ps = port_of(ctx, p);
            if (!ps->dead && ps->alpha == low + 1 && ps->beta < beta)
                beta = ps->beta;
        }
        s->alpha = low + 1;
        if (beta != INT64_MAX)
            s->beta = beta - 1;
    } else if (listed == live || listed == 0) {
        s->alpha = top + 1; /* labels: all turn */
    } else {
        /* Labels: the unlisted turn; just below the lowest listed one. */
        struct height kept = {INT64_MAX, INT64_MAX, NO_NODE};
        for (uint32_t p = 0; p < degree; p++) {
            const struct lr_port *ps = port_of(ctx, p);
            struct height h = {ps->alpha, ps->beta, ps->peer};
            if (!ps->dead && ps->listed && compare_heights(h, kept) < 0)
                kept = h;
        }
        s->alpha = kept.alpha;
        s->beta = kept.beta - 1;
    }
    bool all = listed == live;
    struct height mine = state_height(s, disco_self(ctx));
    for (uint32_t p = 0; p < degree; p++) {
        struct lr_port *ps = port_of(ctx, p);
        if (ps->dead)
            continue;
        bool turn = s->rule == LINK_REVERSAL_LABELS
                        ? all || !ps->listed
                        : points_from(mine, (struct height){ps->alpha,
                                                            ps->beta,
                                                            ps->peer});
        if (turn) {
            ps->out = true;
            ps->flips++;
            send_height(ctx, s, p, REVERSE);
        }
        ps->listed = false;
    }
    s->reversals++;
}

/* Whether the run has a destination at all (else nobody acts). */
static bool has_destination(struct disco_ctx *ctx)
{
    return (uint64_t)disco_param(ctx, P_DESTINATION) < disco_nodes(ctx);
}

/* `listed`: whether every link starts on the node's list (binary link
 * labels: the label of its incoming links). */
void link_reversal_init(struct disco_ctx *ctx, void *state,
                        enum link_reversal_rule rule, bool listed)
{
    struct lr_state *s = state;
    uint32_t self = disco_self(ctx);
    s->rule = (uint8_t)rule;
    s->label = listed;
    /* An out-of-range destination leaves every node idle (nobody could
     * stop reversing); the final properties name the culprit. */
    if (!has_destination(ctx))
        return;
    s->destination = self == (uint32_t)disco_param(ctx, P_DESTINATION);
    s->height = initial_height(ctx);
    s->alpha = 0;
    s->beta = s->height;
    s->unknown = disco_out_degree(ctx);
    for (uint32_t p = 0; p < s->unknown; p++) {
        port_of(ctx, p)->peer = NO_NODE; /* until its height message */
        port_of(ctx, p)->listed = listed;
    }
    for (uint32_t p = 0; p < s->unknown; p++)
        send_height(ctx, s, p, HEIGHT);
}

void link_reversal_on_message(struct disco_ctx *ctx, void *state,
                              uint32_t port, unsigned kind,
                              const void *payload, size_t len)
{
    struct lr_state *s = state;
    struct lr_port *ps = port_of(ctx, port);
    struct lr_msg msg;
    memcpy(&msg, payload, sizeof msg);
    if (ps->dead || msg.epoch != ps->epoch)
        return; /* sent before the link last went down or came back */
    ps->peer = msg.index;
    if (kind == HEIGHT) {
        /* Without FIFO a reverse may overtake the height: it is newer. */
        if (!ps->known) {
            ps->known = true;
            ps->alpha = msg.alpha;
            ps->beta = msg.beta;
            ps->out = points_from(state_height(s, disco_self(ctx)),
                                  (struct height){msg.alpha, msg.beta,
                                                  msg.index});
            s->unknown--;
        }
    } else {
        /* The neighbour reversed the link: it now points towards us. */
        if (!ps->known) {
            ps->known = true;
            s->unknown--;
        }
        ps->alpha = msg.alpha;
        ps->beta = msg.beta;
        ps->out = false;
        ps->flips++;
        ps->listed = true;
    }
    reverse_if_sink(ctx, s);
}

void link_reversal_on_link(struct disco_ctx *ctx, void *state, uint32_t port,
                           bool up)
{
    struct lr_state *s = state;
    struct lr_port *ps = port_of(ctx, port);
    if (!has_destination(ctx) || ps->dead == !up)
        return;
    if (!up) {
        /* The link leaves the orientation; what was in flight is lost. */
        if (!ps->known)
            s->unknown--;
        ps->dead = true;
        ps->ever_down = true;
        ps->known = false;
        ps->out = false;
        ps->listed = false;
        reverse_if_sink(ctx, s);
        return;
    }
    /* Back: a new link, oriented by the heights once both ends know. */
    ps->dead = false;
    ps->epoch++;
    ps->known = false;
    ps->out = false;
    ps->flips = 0;
    ps->listed = s->label;
    s->unknown++;
    send_height(ctx, s, port, HEIGHT);
}

void link_reversal_format_state(const void *state, char *buf, size_t len)
{
    const struct lr_state *s = state;
    if (s->destination)
        snprintf(buf, len, "destination");
    else if (s->unknown > 0)
        snprintf(buf, len, "h=%lld, %u unknown", (long long)s->height,
                 s->unknown);
    else
        snprintf(buf, len, "reversed %u", s->reversals);
}

/* ------------------------------------------------------------------------ */
/* Ground truth for the oracles.                                            */

static const struct lr_port *view_port(const struct disco_view *view,
                                       uint32_t node, uint32_t port)
{
    return disco_view_port_state(view, node, port);
}

/* Whether link u-v (u's port p, v's port q) is out of the graph: the kernel
 * holds either channel down, or either end took it out (or has not heard
 * yet that it came back). */
static bool absent(const struct disco_view *view, uint32_t u, uint32_t p,
                   uint32_t v, uint32_t q)
{
    const struct lr_port *a = view_port(view, u, p);
    const struct lr_port *b = view_port(view, v, q);
    return disco_view_link_down(view, u, p) ||
           disco_view_link_down(view, v, q) || a->dead || b->dead ||
           a->epoch != b->epoch;
}

/* The port by which v's link to u leaves v, for u's port p to v: the
 * topology's reverse (constant time) on an undirected graph, where it is
 * the one port of v leading to u (no repeated edges). */
static uint32_t back_port(const struct disco_view *view, uint32_t u,
                          uint32_t p, uint32_t v)
{
    if (!disco_view_directed(view))
        return disco_view_in_port(view, u, p);
    return disco_view_port_to(view, v, u);
}

/* The direction of link u-v seen from u, with a its port state at u and b
 * at v, when the link is in the graph: see true_direction. */
static int direction_from(const struct disco_view *view,
                          const struct lr_port *a, const struct lr_port *b,
                          uint32_t u, uint32_t v)
{
    bool out;
    if (a->known && (!b->known || a->flips >= b->flips))
        out = a->out;
    else if (b->known)
        out = !b->out;
    else
        out = points_from(
            state_height(disco_view_state(view, u), u),
            state_height(disco_view_state(view, v), v));
    return out ? 1 : -1;
}

/* The true direction of the link behind node's port: +1 away from node,
 * -1 towards it, 0 when the link is out of the graph.  Only an end can
 * reverse a link pointing into it, so an end's view is stale only while a
 * reverse from the other end is in flight; the truth is then the sender's
 * view, the end that has seen more reversals since the link (re)joined.
 * Before either end has heard the other's height, both heights stand still
 * (a node with a link of unknown direction does not step), and they give
 * the direction. */
static int true_direction(const struct disco_view *view, uint32_t u,
                          uint32_t p)
{
    uint32_t v = disco_view_neighbour(view, u, p);
    uint32_t q = back_port(view, u, p, v);
    if (absent(view, u, p, v, q))
        return 0;
    return direction_from(view, view_port(view, u, p), view_port(view, v, q),
                          u, v);
}

/* One link as the invariants see it, read once for both of its ends: u's
 * port p leads to v, v's port q back to u (an undirected graph). */
struct lr_link {
    uint32_t v, q;
    const struct lr_port *a, *b; /* the port states at u and at v */
    int uv, vu; /* true_direction(view, u, p) and (view, v, q) */
};

static struct lr_link link_at(const struct disco_view *view, uint32_t u,
                              uint32_t p, uint32_t v)
{
    struct lr_link l;
    l.v = v;
    l.q = disco_view_in_port(view, u, p);
    l.a = view_port(view, u, p);
    l.b = view_port(view, v, l.q);
    if (absent(view, u, p, v, l.q)) {
        l.uv = l.vu = 0;
    } else {
        l.uv = direction_from(view, l.a, l.b, u, v);
        l.vu = direction_from(view, l.b, l.a, v, u);
    }
    return l;
}

int link_reversal_orientation(const struct disco_view *view, uint32_t node,
                              uint32_t port)
{
    return true_direction(view, node, port);
}

/* Whether the node has no outgoing live link; `live` counts its links. */
static bool is_sink(const struct disco_view *view, uint32_t u,
                    uint32_t *live)
{
    uint32_t degree = disco_view_degree(view, u);
    *live = 0;
    for (uint32_t p = 0; p < degree; p++) {
        int d = true_direction(view, u, p);
        if (d > 0)
            return false;
        *live += d != 0;
    }
    return true;
}

/* Whether link u-v went down at some time in the run (either end says). */
static bool ever_down(const struct disco_view *view, uint32_t u, uint32_t p,
                      uint32_t v)
{
    uint32_t q = back_port(view, u, p, v);
    return view_port(view, u, p)->ever_down ||
           view_port(view, v, q)->ever_down;
}

/* Marks in `reach` every node with a directed path to `dest`, following
 * links backwards from it; `initial` uses the initial orientation (initial
 * heights only) without the links that went down at some time.  Returns
 * how many, or -1 without memory. */
static long reaching(const struct disco_view *view, uint32_t dest,
                     bool initial, unsigned char *reach)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t *stack = malloc((size_t)n * sizeof *stack);
    if (!stack)
        return -1;
    memset(reach, 0, n);
    size_t top = 0;
    long count = 1;
    reach[dest] = 1;
    stack[top++] = dest;
    while (top) {
        uint32_t v = stack[--top];
        const struct lr_state *sv = disco_view_state(view, v);
        for (uint32_t q = 0; q < disco_view_degree(view, v); q++) {
            uint32_t u = disco_view_neighbour(view, v, q);
            if (reach[u])
                continue;
            bool into_v;
            if (initial) {
                const struct lr_state *su = disco_view_state(view, u);
                into_v = !ever_down(view, v, q, u) &&
                         points_from((struct height){0, su->height, u},
                                     (struct height){0, sv->height, v});
            } else {
                into_v = true_direction(view, v, q) < 0;
            }
            if (into_v) {
                reach[u] = 1;
                count++;
                stack[top++] = u;
            }
        }
    }
    free(stack);
    return count;
}

static uint32_t destination(const struct disco_view *view)
{
    return (uint32_t)disco_view_param(view, P_DESTINATION);
}

/* The final properties judge nothing when there is no destination. */
static bool no_destination(const struct disco_view *view, char *detail,
                           size_t len)
{
    if (destination(view) < disco_view_nodes(view))
        return false;
    snprintf(detail, len, "destination %u is not a node (nodes are 0..%u)",
             destination(view), disco_view_nodes(view) - 1);
    return true;
}

static bool scan_acyclic(const struct disco_view *view, char *detail,
                         size_t len)
{
    /* Kahn: repeatedly remove nodes with no incoming live link. */
    uint32_t n = disco_view_nodes(view);
    uint32_t *indeg = calloc(n, sizeof *indeg);
    uint32_t *queue = malloc((size_t)n * sizeof *queue);
    if (!indeg || !queue) {
        free(indeg);
        free(queue);
        snprintf(detail, len, "out of memory");
        return false;
    }
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++)
            indeg[u] += true_direction(view, u, p) < 0;
    size_t head = 0, tail = 0;
    for (uint32_t u = 0; u < n; u++)
        if (indeg[u] == 0)
            queue[tail++] = u;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++)
            if (true_direction(view, u, p) > 0) {
                uint32_t v = disco_view_neighbour(view, u, p);
                if (--indeg[v] == 0)
                    queue[tail++] = v;
            }
    }
    bool holds = tail == n;
    if (holds) {
        snprintf(detail, len, "no directed cycle");
    } else {
        uint32_t u = 0;
        while (indeg[u] == 0)
            u++;
        snprintf(detail, len, "node %u lies on a directed cycle", u);
    }
    free(indeg);
    free(queue);
    return holds;
}

/* End a has seen two reversals fewer than end b: at most one may be in
 * flight. */
static bool flips_apart(const struct lr_port *a, const struct lr_port *b)
{
    return a->flips + 1 < b->flips;
}

/* Both ends have seen every reversal and believe the link points the same
 * way from each: an end that has seen them all knows the direction. */
static bool both_sure_same_way(const struct lr_port *a, const struct lr_port *b)
{
    return a->known && b->known && a->flips == b->flips && a->out == b->out;
}

static bool scan_views_agree(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (uint32_t u = 0; u < n; u++) {
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            const struct lr_port *a = view_port(view, u, p);
            const struct lr_port *b =
                view_port(view, v, back_port(view, u, p, v));
            int d = true_direction(view, u, p);
            if (d == 0)
                continue;
            if (flips_apart(a, b)) {
                snprintf(detail, len, "link %u-%u: %u reversals seen at %u, "
                         "%u at %u (at most one may be in flight)", u, v,
                         a->flips, u, b->flips, v);
                return false;
            }
            if (both_sure_same_way(a, b)) {
                snprintf(detail, len, "nodes %u and %u both believe link "
                         "%u-%u points %s", u, v, u, v,
                         a->out ? "away from them" : "towards them");
                return false;
            }
        }
    }
    snprintf(detail, len, "every up-to-date end agrees with the other");
    return true;
}

/* Every link points from the higher end to the lower, by the heights the
 * nodes keep: what makes a rejoining link safe. */
static bool scan_heights(const struct disco_view *view, char *detail,
                         size_t len)
{
    uint32_t n = disco_view_nodes(view);
    /* Binary link labels steps by its labels, and with labels that differ
     * between nodes it is no height algorithm: a step may have to reverse
     * the link to a neighbour above one whose link it keeps, and no height
     * of its own orders both. */
    if (n > 0 && ((const struct lr_state *)disco_view_state(view, 0))->rule ==
                     LINK_REVERSAL_LABELS) {
        snprintf(detail, len, "not applicable: binary link labels steps by "
                 "its labels, not by heights");
        return true;
    }
    for (uint32_t u = 0; u < n; u++) {
        const struct lr_state *su = disco_view_state(view, u);
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            if (true_direction(view, u, p) <= 0)
                continue;
            const struct lr_state *sv = disco_view_state(view, v);
            if (!points_from(state_height(su, u), state_height(sv, v))) {
                snprintf(detail, len, "link %u->%u points up: heights "
                         "(%lld, %lld) below (%lld, %lld)", u, v,
                         (long long)su->alpha, (long long)su->beta,
                         (long long)sv->alpha, (long long)sv->beta);
                return false;
            }
        }
    }
    snprintf(detail, len, "every link points down the heights");
    return true;
}

/* The invariants run after every event, so each reads every link once
 * (from its end with the smaller index, both of its directions at once:
 * link_at) where the scans above read it from both ends, each end's
 * direction from both port states.  They find a violation exactly when
 * the scan does, and then leave the wording to the scan, so that the
 * detail names the violation the scan meets first.  A directed graph (not
 * this algorithm's model) is left to the scans. */

/* Kahn's algorithm, as scan_acyclic, on the directions read once into
 * `dir` (by channel: node u's port p is first[u] + p). */
static bool check_acyclic(const struct disco_view *view, char *detail,
                          size_t len)
{
    if (disco_view_directed(view))
        return scan_acyclic(view, detail, len);
    uint32_t n = disco_view_nodes(view);
    size_t *first = malloc(((size_t)n + 1) * sizeof *first);
    signed char *dir = malloc(disco_view_channels(view) + 1);
    uint32_t *indeg = calloc(n + (size_t)1, sizeof *indeg);
    uint32_t *queue = malloc(((size_t)n + 1) * sizeof *queue);
    if (!first || !dir || !indeg || !queue) {
        free(first);
        free(dir);
        free(indeg);
        free(queue);
        return scan_acyclic(view, detail, len);
    }
    first[0] = 0;
    for (uint32_t u = 0; u < n; u++)
        first[u + 1] = first[u] + disco_view_degree(view, u);
    for (uint32_t u = 0; u < n; u++) {
        uint32_t degree = disco_view_degree(view, u);
        for (uint32_t p = 0; p < degree; p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            if (v < u)
                continue;
            struct lr_link l = link_at(view, u, p, v);
            dir[first[u] + p] = (signed char)l.uv;
            dir[first[v] + l.q] = (signed char)l.vu;
            indeg[u] += l.uv < 0;
            indeg[v] += l.vu < 0;
        }
    }
    size_t head = 0, tail = 0;
    for (uint32_t u = 0; u < n; u++)
        if (indeg[u] == 0)
            queue[tail++] = u;
    while (head < tail) {
        uint32_t u = queue[head++];
        uint32_t degree = disco_view_degree(view, u);
        for (uint32_t p = 0; p < degree; p++)
            if (dir[first[u] + p] > 0) {
                uint32_t v = disco_view_neighbour(view, u, p);
                if (--indeg[v] == 0)
                    queue[tail++] = v;
            }
    }
    bool holds = tail == n;
    free(first);
    free(dir);
    free(indeg);
    free(queue);
    if (!holds)
        return scan_acyclic(view, detail, len);
    snprintf(detail, len, "no directed cycle");
    return true;
}

/* What scan_views_agree objects to at the end with port state a, the
 * other end's being b. */
static bool views_clash(const struct lr_port *a, const struct lr_port *b)
{
    return flips_apart(a, b) || both_sure_same_way(a, b);
}

static bool check_views_agree(const struct disco_view *view, char *detail,
                              size_t len)
{
    if (disco_view_directed(view))
        return scan_views_agree(view, detail, len);
    uint32_t n = disco_view_nodes(view);
    for (uint32_t u = 0; u < n; u++) {
        uint32_t degree = disco_view_degree(view, u);
        for (uint32_t p = 0; p < degree; p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            if (v < u)
                continue;
            struct lr_link l = link_at(view, u, p, v);
            if (l.uv != 0 && (views_clash(l.a, l.b) || views_clash(l.b, l.a)))
                return scan_views_agree(view, detail, len);
        }
    }
    snprintf(detail, len, "every up-to-date end agrees with the other");
    return true;
}

static bool check_heights(const struct disco_view *view, char *detail,
                          size_t len)
{
    uint32_t n = disco_view_nodes(view);
    if (disco_view_directed(view) ||
        (n > 0 && ((const struct lr_state *)disco_view_state(view, 0))
                          ->rule == LINK_REVERSAL_LABELS))
        return scan_heights(view, detail, len);
    for (uint32_t u = 0; u < n; u++) {
        struct height hu = state_height(disco_view_state(view, u), u);
        uint32_t degree = disco_view_degree(view, u);
        for (uint32_t p = 0; p < degree; p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            if (v < u)
                continue;
            struct lr_link l = link_at(view, u, p, v);
            if (l.uv == 0)
                continue;
            struct height hv = state_height(disco_view_state(view, v), v);
            if ((l.uv > 0 && !points_from(hu, hv)) ||
                (l.vu > 0 && !points_from(hv, hu)))
                return scan_heights(view, detail, len);
        }
    }
    snprintf(detail, len, "every link points down the heights");
    return true;
}

static bool check_only_sink(const struct disco_view *view, char *detail,
                            size_t len)
{
    if (no_destination(view, detail, len))
        return false;
    uint32_t n = disco_view_nodes(view), dest = destination(view), live;
    for (uint32_t u = 0; u < n; u++) {
        if (u != dest && is_sink(view, u, &live)) {
            snprintf(detail, len, live ? "node %u is a sink"
                                       : "node %u has no link left", u);
            return false;
        }
    }
    /* (A destination alone in the network has no link to be a sink by.) */
    if (!is_sink(view, dest, &live) && n > 1) {
        snprintf(detail, len, "the destination %u is not a sink", dest);
        return false;
    }
    snprintf(detail, len, "node %u only", dest);
    return true;
}

static bool check_routes(const struct disco_view *view, char *detail,
                         size_t len)
{
    if (no_destination(view, detail, len))
        return false;
    uint32_t n = disco_view_nodes(view);
    unsigned char *reach = malloc(n);
    long count = reach ? reaching(view, destination(view), false, reach) : -1;
    if (count < 0) {
        free(reach);
        snprintf(detail, len, "out of memory");
        return false;
    }
    uint32_t u = 0;
    while (u < n && reach[u])
        u++;
    free(reach);
    if (u < n) {
        snprintf(detail, len, "node %u has no directed path to %u "
                 "(%ld of %u nodes do)", u, destination(view), count, n);
        return false;
    }
    snprintf(detail, len, "all %u nodes reach %u", n, destination(view));
    return true;
}

static bool check_routed_stay(const struct disco_view *view, char *detail,
                              size_t len)
{
    if (no_destination(view, detail, len))
        return false;
    uint32_t n = disco_view_nodes(view);
    unsigned char *reach = malloc(n);
    long count = reach ? reaching(view, destination(view), true, reach) : -1;
    if (count < 0) {
        free(reach);
        snprintf(detail, len, "out of memory");
        return false;
    }
    for (uint32_t u = 0; u < n; u++) {
        const struct lr_state *s = disco_view_state(view, u);
        if (reach[u] && s->reversals > 0) {
            snprintf(detail, len, "node %u had a path to %u and reversed %u "
                     "times", u, destination(view), s->reversals);
            free(reach);
            return false;
        }
    }
    free(reach);
    snprintf(detail, len, "%ld with a path at the start, none reversed",
             count);
    return true;
}

void link_reversal_result(const struct disco_view *view, char *buf,
                          size_t len)
{
    uint32_t n = disco_view_nodes(view);
    if (destination(view) >= n)
        return;
    uint64_t total = 0, max = 0, movers = 0;
    for (uint32_t u = 0; u < n; u++) {
        const struct lr_state *s = disco_view_state(view, u);
        total += s->reversals;
        movers += s->reversals > 0;
        if (s->reversals > max)
            max = s->reversals;
    }
    int w = snprintf(buf, len, "\"destination\": %u, \"total_reversals\": "
                     "%llu, \"reversing_nodes\": %llu, \"max_reversals\": "
                     "%llu", destination(view), (unsigned long long)total,
                     (unsigned long long)movers, (unsigned long long)max);
    /* The per-node list when it fits (a few hundred nodes). */
    size_t at = (size_t)w;
    if (at + 20 >= len)
        return;
    size_t start = at;
    at += (size_t)snprintf(buf + at, len - at, ", \"reversals\": [");
    for (uint32_t u = 0; u < n; u++) {
        const struct lr_state *s = disco_view_state(view, u);
        char item[16];
        int k = snprintf(item, sizeof item, "%s%u", u ? ", " : "",
                         s->reversals);
        if (at + (size_t)k + 2 >= len) {
            buf[start] = '\0'; /* does not fit: leave the list out */
            return;
        }
        memcpy(buf + at, item, (size_t)k);
        at += (size_t)k;
    }
    snprintf(buf + at, len - at, "]");
}

/* partial_reversal.c and binary_link_labels.c repeat the two sizes. */
_Static_assert(sizeof(struct lr_state) == LINK_REVERSAL_STATE_SIZE,
               "update LINK_REVERSAL_STATE_SIZE in all three files");
_Static_assert(sizeof(struct lr_port) == LINK_REVERSAL_PORT_SIZE,
               "update LINK_REVERSAL_PORT_SIZE in all three files");

/* Elevations stay far from the ends of int64_t: a height's beta moves by
 * one per reversal. */
const struct disco_input_decl link_reversal_inputs[2] = {
    {"elevation", -1000000000000000000, 1000000000000000000,
     "the node's initial height (else as --param orientation says)"},
    {"link_label", 0, 1,
     "binary-link-labels: the initial label of the links that point into "
     "the node, 0 or 1 "
     "(all 1 is full reversal, all 0 partial reversal; else 0)"},
};

const struct disco_param link_reversal_params[LINK_REVERSAL_PARAMS] = {
    {"destination", 0, 0, INT32_MAX,
     "the destination's node index"},
    {"orientation", CHAIN_AWAY, CHAIN_AWAY, RANDOM,
     "initial orientation where no `elevation` input is given: 0 chain-away "
     "(links point away from the destination along the node numbering), "
     "1 random (drawn from orientation_seed)"},
    {"orientation_seed", 1, 0, INT64_MAX,
     "seed of the random orientation (independent of --seed)"},
};

const char *const link_reversal_kinds[2] = {"height", "reverse"};

const struct disco_property
    link_reversal_properties[LINK_REVERSAL_PROPERTIES] = {
    {"acyclic",
     "the orientation has no directed cycle after every event (a link with "
     "a reverse in flight counts as its sender sees it)",
     DISCO_PROPERTY_INVARIANT, check_acyclic, false},
    {"views_agree",
     "after every event, each end of a link that has seen all its reversals "
     "knows its true direction, and at most one reverse is in flight",
     DISCO_PROPERTY_INVARIANT, check_views_agree, false},
    {"destination_only_sink",
     "at the end the destination is the only sink", DISCO_PROPERTY_FINAL,
     check_only_sink, true},
    {"destination_oriented",
     "at the end every node has a directed path to the destination",
     DISCO_PROPERTY_FINAL, check_routes, true},
    {"routed_never_reverse",
     "nodes with an initial path to the destination (avoiding every link "
     "that goes down during the run) never reverse",
     DISCO_PROPERTY_FINAL, check_routed_stay, true},
    {"heights",
     "after every event, every link points from the end with the larger "
     "height (alpha, beta, index) to the other, so that a link coming back "
     "up, oriented by the heights, closes no cycle",
     DISCO_PROPERTY_INVARIANT, check_heights, false},
};

static void full_init(struct disco_ctx *ctx, void *state)
{
    link_reversal_init(ctx, state, LINK_REVERSAL_FULL, false);
}

const struct disco_algorithm disco_alg_full_reversal = {
    .name = "full-reversal",
    .family = "routing",
    .summary = "Gafni-Bertsekas full reversal: a sink reverses all its links",
    .description =
        "Links are oriented acyclically; D is the destination. A node other "
        "than D whose links all point towards it (a sink) reverses every one "
        "of them and tells each neighbour with a reverse message. The "
        "orientation stays acyclic and, when no node but D is a sink, every "
        "node has a directed path to D. Initial orientation: from the "
        "`elevation` inputs, else --param orientation=0 (chain-away) or 1 "
        "(random, --param orientation_seed); heights are exchanged first "
        "(2m height messages). A link that goes down (--cut, --partition, "
        "down_at) leaves the DAG, and the sinks it makes reverse: the DAG is "
        "repaired; one that comes back rejoins pointing down the nodes' "
        "heights (one height message each way), which keeps it acyclic. "
        "Unless links change while nodes are reversing, each node's number of "
        "reversals is the same on every schedule.",
    .messages = "2m height, plus one reverse per link per reversal: total "
                "work Theta(n_b^2) reversals (n_b nodes without an initial "
                "path to D), exactly n(n+1)/2 on the chain pointing away "
                "from D",
    .time = "causal depth at most 1 + the total work (after the height "
            "exchange every message is sent by a reversal); 2n on the chain "
            "D-v1-...-vn pointing away from D",
    .source = "E. Gafni, D. Bertsekas, Distributed algorithms for generating "
              "loop-free routes in networks with frequently changing "
              "topology, IEEE Trans. Commun. 29(1), 1981; C. Busch, S. "
              "Tirthapura, Analysis of link reversal routing algorithms, "
              "SIAM J. Comput. 35(2), 2005; Welch, Walter, Link Reversal "
              "Algorithms, 2012, ch. 2-3",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "line:11",
        .initiators = "all",
        .faults = "link failures and recoveries (--cut, --partition, "
                  "down_at/up_at), repaired; nodes cut off from the "
                  "destination reverse for ever while cut off",
        .node_params = {"destination"},
    },
    .params = link_reversal_params,
    .param_count = LINK_REVERSAL_PARAMS,
    .inputs = link_reversal_inputs,
    .input_count = 1,
    .message_kinds = link_reversal_kinds,
    .kind_count = 2,
    .properties = link_reversal_properties,
    .property_count = LINK_REVERSAL_PROPERTIES,
    .state_size = LINK_REVERSAL_STATE_SIZE,
    .port_state_size = LINK_REVERSAL_PORT_SIZE,
    .init = full_init,
    .on_message = link_reversal_on_message,
    .on_link = link_reversal_on_link,
    .format_state = link_reversal_format_state,
    .result = link_reversal_result,
    .orientation = link_reversal_orientation,
};
