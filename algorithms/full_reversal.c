/*
 * full_reversal.c - Gafni-Bertsekas link reversal: full reversal, and the
 * machinery partial_reversal.c shares.
 *
 * Every link of an undirected connected graph is oriented, the orientation
 * is acyclic, and one node is the destination D.  A node other than D that
 * is a sink (every link points towards it) reverses links: under full
 * reversal all of them, under partial reversal those to neighbours that did
 * not reverse towards it since its own last reversal (all of them when every
 * neighbour did).  Each reversal is announced to the neighbour by a `reverse`
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
 * Link failure: the kernel does not yet tell a node that a link went down,
 * so a failure is announced by parameters: at tick `fail_at` the link
 * between nodes `fail_a` and `fail_b` fails for good, and both ends drop it
 * from the orientation (a timer at each end).  Pair it with the kernel's own
 * cut (`--cut A-B@T:LATER`, or `down_at` in a scenario) so that messages on
 * the link are lost too.  A failure that cuts nodes off from D makes them
 * reverse forever, as Gafni and Bertsekas's algorithm does; bound such runs
 * with --max-events.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco.h"

#include "link_reversal.h"

enum { HEIGHT, REVERSE };
enum { P_DESTINATION, P_ORIENTATION, P_ORIENTATION_SEED, P_FAIL_A, P_FAIL_B,
       P_FAIL_AT };
enum { CHAIN_AWAY, RANDOM };

#define NO_NODE UINT32_MAX

struct lr_state {
    int64_t height;     /* initial height: fixes the initial orientation */
    uint32_t reversals; /* work: how many times this node has reversed */
    uint32_t unknown;   /* live links whose direction is not known yet */
    uint32_t fail_peer; /* the other end of the link due to fail, or NO_NODE */
    bool partial;       /* partial reversal (else full reversal) */
    bool destination;   /* this node is D, which never reverses */
    bool fail_due;      /* the failure time has come */
};

/* One per link (out-port), after the state block. */
struct lr_port {
    uint32_t peer;  /* the neighbour's node index, from its height message
                     * (NO_NODE before it arrives) */
    uint32_t flips; /* reversals of this link seen here: own and announced */
    bool known;     /* the direction is known (height or reverse received) */
    bool out;       /* the link points away from this node */
    bool listed;    /* partial reversal's list: the neighbour reversed the
                     * link towards this node since this node last did
                     * (binary link labels: the link's label is 1) */
    bool dead;      /* the link failed and is no longer part of the graph */
};

/* The height message: the sender's height and node index (the tie-break,
 * and how a node knows which port a scheduled failure concerns). */
struct lr_height {
    int64_t height;
    uint32_t index;
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

/* The link u-v points from u to v when (h_u, u) > (h_v, v). */
static bool points_from(int64_t hu, uint32_t u, int64_t hv, uint32_t v)
{
    return hu > hv || (hu == hv && u > v);
}

static struct lr_port *port_of(struct disco_ctx *ctx, uint32_t port)
{
    return disco_port_state(ctx, port);
}

/* A sink with every link's direction known reverses (D never does). */
static void reverse_if_sink(struct disco_ctx *ctx, struct lr_state *s)
{
    if (s->destination || s->unknown > 0)
        return;
    uint32_t degree = disco_out_degree(ctx), live = 0, listed = 0;
    for (uint32_t p = 0; p < degree; p++) {
        struct lr_port *ps = port_of(ctx, p);
        if (ps->dead)
            continue;
        if (ps->out)
            return; /* not a sink */
        live++;
        listed += ps->listed;
    }
    if (live == 0)
        return; /* cut off from everything: nothing to reverse */
    bool all = !s->partial || listed == live;
    for (uint32_t p = 0; p < degree; p++) {
        struct lr_port *ps = port_of(ctx, p);
        if (ps->dead)
            continue;
        if (all || !ps->listed) {
            ps->out = true;
            ps->flips++;
            disco_send(ctx, p, REVERSE, NULL, 0);
        }
        ps->listed = false;
    }
    s->reversals++;
}

/* `listed`: whether every link starts on the node's list (binary link
 * labels: the label of its incoming links). */
void link_reversal_init(struct disco_ctx *ctx, void *state, bool partial,
                        bool listed)
{
    struct lr_state *s = state;
    uint32_t self = disco_self(ctx);
    s->partial = partial;
    /* An out-of-range destination leaves every node idle (nobody could
     * stop reversing); the final properties name the culprit. */
    if ((uint64_t)disco_param(ctx, P_DESTINATION) >= disco_nodes(ctx))
        return;
    s->destination = self == (uint32_t)disco_param(ctx, P_DESTINATION);
    s->height = initial_height(ctx);
    s->unknown = disco_out_degree(ctx);
    for (uint32_t p = 0; p < s->unknown; p++) {
        port_of(ctx, p)->peer = NO_NODE; /* until its height message */
        port_of(ctx, p)->listed = listed;
    }
    s->fail_peer = NO_NODE;
    int64_t a = disco_param(ctx, P_FAIL_A), b = disco_param(ctx, P_FAIL_B);
    int64_t at = disco_param(ctx, P_FAIL_AT);
    if (at > 0 && (a == self || b == self)) {
        s->fail_peer = (uint32_t)(a == self ? b : a);
        disco_set_timer(ctx, (disco_time_t)at, 0);
    }
    struct lr_height msg;
    memset(&msg, 0, sizeof msg); /* no stray padding bytes in traces */
    msg.height = s->height;
    msg.index = self;
    disco_send_all(ctx, HEIGHT, &msg, sizeof msg);
}

static void drop_failed_link(struct disco_ctx *ctx, struct lr_state *s)
{
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        struct lr_port *ps = port_of(ctx, p);
        if (ps->dead || s->fail_peer == NO_NODE || ps->peer != s->fail_peer)
            continue;
        ps->dead = true;
        ps->listed = false;
        s->fail_peer = NO_NODE;
    }
}

void link_reversal_on_message(struct disco_ctx *ctx, void *state,
                              uint32_t port, unsigned kind,
                              const void *payload, size_t len)
{
    struct lr_state *s = state;
    struct lr_port *ps = port_of(ctx, port);
    if (ps->dead)
        return; /* sent before the link failed */
    if (kind == HEIGHT) {
        struct lr_height msg;
        memcpy(&msg, payload, sizeof msg);
        ps->peer = msg.index;
        /* Without FIFO a reverse may overtake the height: it is newer. */
        if (!ps->known) {
            ps->known = true;
            ps->out = points_from(s->height, disco_self(ctx), msg.height,
                                  msg.index);
            s->unknown--;
        }
        if (s->fail_due)
            drop_failed_link(ctx, s);
    } else {
        /* The neighbour reversed the link: it now points towards us. */
        if (!ps->known) {
            ps->known = true;
            s->unknown--;
        }
        ps->out = false;
        ps->flips++;
        ps->listed = true;
    }
    reverse_if_sink(ctx, s);
}

void link_reversal_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct lr_state *s = state;
    /* The failure is due; the port is the one whose height came from the
     * other end (if it has not come yet, the height message will drop it). */
    s->fail_due = true;
    drop_failed_link(ctx, s);
    reverse_if_sink(ctx, s);
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

/* The true direction of the link behind node's port: +1 away from node,
 * -1 towards it, 0 when the link has failed (either end dropped it).  It is
 * the initial direction, fixed by both ends' heights, turned over once per
 * reversal of the link.  While a reverse is in flight the two ends' views
 * differ; the truth is then the sender's view, the end that has seen one
 * reversal more. */
static int true_direction(const struct disco_view *view, uint32_t u,
                          uint32_t p)
{
    uint32_t v = disco_view_neighbour(view, u, p);
    uint32_t q = disco_view_port_to(view, v, u);
    const struct lr_port *a = view_port(view, u, p);
    const struct lr_port *b = view_port(view, v, q);
    if (a->dead || b->dead)
        return 0;
    const struct lr_state *su = disco_view_state(view, u);
    const struct lr_state *sv = disco_view_state(view, v);
    bool out = points_from(su->height, u, sv->height, v);
    uint32_t flips = a->flips > b->flips ? a->flips : b->flips;
    if (flips % 2)
        out = !out;
    return out ? 1 : -1;
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

/* Marks in `reach` every node with a directed path to `dest`, following
 * links backwards from it; `initial` uses the initial orientation (heights
 * only) without the link that fails.  Returns how many, or -1 without
 * memory. */
static long reaching(const struct disco_view *view, uint32_t dest,
                     bool initial, unsigned char *reach)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t *stack = malloc((size_t)n * sizeof *stack);
    if (!stack)
        return -1;
    int64_t fa = disco_view_param(view, P_FAIL_A);
    int64_t fb = disco_view_param(view, P_FAIL_B);
    bool failing = disco_view_param(view, P_FAIL_AT) > 0;
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
                bool cut = failing && ((u == fa && v == fb) ||
                                       (u == fb && v == fa));
                into_v = !cut && points_from(su->height, u, sv->height, v);
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

static bool check_acyclic(const struct disco_view *view, char *detail,
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

static bool check_views_agree(const struct disco_view *view, char *detail,
                              size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (uint32_t u = 0; u < n; u++) {
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            const struct lr_port *a = view_port(view, u, p);
            const struct lr_port *b =
                view_port(view, v, disco_view_port_to(view, v, u));
            int d = true_direction(view, u, p);
            if (d == 0)
                continue;
            if (a->flips + 1 < b->flips) {
                snprintf(detail, len, "link %u-%u: %u reversals seen at %u, "
                         "%u at %u (at most one may be in flight)", u, v,
                         a->flips, u, b->flips, v);
                return false;
            }
            /* An end that has seen every reversal knows the direction. */
            if (a->known && a->flips >= b->flips && a->out != (d > 0)) {
                snprintf(detail, len, "node %u believes link %u-%u points "
                         "the wrong way", u, u, v);
                return false;
            }
        }
    }
    snprintf(detail, len, "every up-to-date end agrees with the truth");
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

const struct disco_param link_reversal_params[LINK_REVERSAL_PARAMS] = {
    {"destination", 0, 0, INT32_MAX,
     "the destination's node index"},
    {"orientation", CHAIN_AWAY, CHAIN_AWAY, RANDOM,
     "initial orientation where no `elevation` input is given: 0 chain-away "
     "(links point away from the destination along the node numbering), "
     "1 random (drawn from orientation_seed)"},
    {"orientation_seed", 1, 0, INT64_MAX,
     "seed of the random orientation (independent of --seed)"},
    {"fail_a", 0, 0, INT32_MAX, "one end of the link that fails"},
    {"fail_b", 0, 0, INT32_MAX,
     "the other end of the link that fails"},
    {"fail_at", 0, 0, INT64_MAX,
     "tick at which link fail_a-fail_b fails for good (0: never)"},
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
     "nodes with an initial path to the destination (avoiding the link that "
     "fails) never reverse",
     DISCO_PROPERTY_FINAL, check_routed_stay, true},
};

static void full_init(struct disco_ctx *ctx, void *state)
{
    link_reversal_init(ctx, state, false, false);
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
        "(2m height messages). --param fail_a/fail_b/fail_at fails a link "
        "for good mid-run. Each node's number of reversals is the same "
        "on every schedule.",
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
        .faults = "the link failure announced by fail_a, fail_b, fail_at",
    },
    .params = link_reversal_params,
    .param_count = LINK_REVERSAL_PARAMS,
    .message_kinds = link_reversal_kinds,
    .kind_count = 2,
    .properties = link_reversal_properties,
    .property_count = LINK_REVERSAL_PROPERTIES,
    .state_size = LINK_REVERSAL_STATE_SIZE,
    .port_state_size = LINK_REVERSAL_PORT_SIZE,
    .init = full_init,
    .on_message = link_reversal_on_message,
    .on_timer = link_reversal_on_timer,
    .format_state = link_reversal_format_state,
    .result = link_reversal_result,
    .orientation = link_reversal_orientation,
};
