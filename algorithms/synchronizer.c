/*
 * synchronizer.c - Awerbuch's synchronizers alpha, beta and gamma as a layer
 * between the kernel and a synchronous algorithm.
 *
 * The layer is an asynchronous algorithm.  Each node runs the inner
 * algorithm in pulses: pulse 0 is the inner init, pulse p >= 1 delivers the
 * inner messages sent in pulse p-1 (on_message) and then calls
 * on_round(p), exactly as the kernel's synchronous mode does in round p.
 * Inner sends are caught with the send hook, tagged with (pulse, sender,
 * sequence) and sent at once; the receiver acknowledges each with an ACK
 * and holds it until its next pulse.  A node is *safe* for pulse p when
 * every inner message it sent in p was acknowledged.
 *
 *   alpha: a safe node sends SAFE to every neighbour; a node starts pulse
 *          p+1 once all its neighbours are safe for p.  2m SAFE per pulse.
 *   beta:  an echo wave from the root builds a spanning tree once (TREE,
 *          ECHO: 2m messages); then safety is convergecast to the root
 *          (SAFE) and the next pulse broadcast down (PULSE): 2(N-1) per
 *          pulse.
 *   gamma: the same echo tree, cut into clusters: a node at depth d is a
 *          cluster leader when d is a multiple of k (the parameter), so each
 *          cluster is a slab of the tree of height < k (a simple
 *          deterministic partition, not Awerbuch's, whose growth rule
 *          bounds the preferred edges).  Each cluster chooses one preferred
 *          edge towards each neighbouring cluster, the least pair of node
 *          indices (CAND up, CHOSEN down).  Per pulse: beta inside the
 *          cluster (SAFE up, CSAFE down), INTER both ways on each preferred
 *          edge, READY up once the neighbouring clusters are safe, PULSE
 *          down.  Singleton clusters (k = 1) send only INTER, 2m per pulse
 *          as alpha; one cluster (k > height) skips INTER, CSAFE and READY
 *          and is beta, 2(N-1) per pulse.
 *
 * Given forms (disco_synchronize_given, "beta:bfs:ROOT",
 * "gamma:awerbuch:K"): the tree or the partition is computed centrally at
 * set-up from the topology, as the textbook's "given" tree, and each node
 * starts knowing its parent, children, cluster and preferred edges (no
 * TREE/ECHO/CAND/CHOSEN).  beta gets a BFS tree; gamma Awerbuch's
 * partition: clusters grown from the least unclustered node by whole BFS
 * layers while the next layer has more than (k-1)*|cluster| nodes, so a
 * cluster of height h has more than k^h nodes (h <= log_k N) and there are
 * at most (k-1)*N preferred edges.  The per-pulse protocol is unchanged.
 *
 * What the layer reproduces of the synchronous run: held messages are
 * delivered in the kernel's synchronous order (by sender index, then in
 * send order), the node's random stream is the inner algorithm's alone, and
 * disco_now reads the pulse during the inner calls, so states, decisions
 * and decision rounds equal the native run's.
 *
 * Termination.  The native run stops before round p+1 when no message was
 * sent in round p.  beta knows that exactly: SAFE carries whether the
 * subtree sent anything, and the root's last PULSE says stop.  alpha has no
 * global view: SAFE carries the last pulse in which the sender knows some
 * inner message was sent; that knowledge travels one hop per pulse, so every
 * node learns the last active pulse A within N-1 pulses and all stop after
 * pulse A+N; gamma does the same between clusters (INTER carries it) and
 * stops at once, as beta, when there is one cluster.  The idle pulses cost
 * SAFE messages (still 2m per pulse).  Nor does alpha know whether the
 * native run would have a round p+1 at all: a node steps the inner
 * algorithm in pulse p+1 only when it or a neighbour sent something in
 * pulse p (SAFE carries that too; gamma: its cluster or a neighbouring
 * one).  This is exact for algorithms whose step does nothing when nothing
 * happened around them in the previous round (sync-bfs) and for those
 * active everywhere until they stop (synchronous Bellman-Ford); an
 * algorithm that counts silent rounds is not reproduced by alpha or gamma
 * (beta is exact).
 *
 * An inner node that stays active (disco_set_passive(ctx, false)) counts
 * as one that sent something, since the native run goes on while it is:
 * an algorithm that waits out silent rounds (Dolev-Strong, FloodSet)
 * keeps its pulses.
 *
 * Limitations (documented in docs/cli.md): undirected graphs only (ACKs and
 * SAFE go back along each channel); inner timers and algorithms that send
 * in on_message in an order that matters are not modelled; gamma's tree grows from node 0 and a cluster has at most
 * GAMMA_TABLE neighbouring clusters; an inner algorithm that falls silent
 * for N pulses and then speaks again spontaneously stops alpha too early;
 * at most HELD_MAX inner messages of at most HELD_BYTES bytes per port and
 * pulse (an overflow is reported by the `synchronized` property).
 */
#include "synchronizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELD_MAX 4u

static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }
#define HELD_BYTES 32u
#define MAX_PROPERTIES 32u

enum layer_kind {
    ACK, SAFE, PULSE, TREE, ECHO,       /* alpha uses the first two, beta 5 */
    CAND, CHOSEN, CSAFE, INTER, READY, /* gamma: all ten */
    LAYER_KINDS
};

static const char *const layer_kind_names[LAYER_KINDS] = {
    "ack", "safe", "pulse", "tree", "echo",
    "cand", "chosen", "csafe", "inter", "ready"};

/* gamma: at most this many neighbouring clusters per cluster. */
#define GAMMA_TABLE 64u

/* The header in front of every inner message on the network. */
struct tag {
    uint32_t pulse;
    uint32_t sender; /* node index: the synchronous delivery order */
    uint32_t seq;    /* the sender's send number within the pulse */
};

struct safe_msg {
    uint32_t pulse;
    uint32_t active; /* beta: the subtree sent something in this pulse */
    int64_t last;    /* alpha: last pulse known to have sent something */
};

struct pulse_msg {
    uint32_t pulse;
    uint32_t stop;
    uint32_t run; /* gamma: step the inner algorithm in this pulse */
};

/* gamma's tree messages tell the neighbour where the sender stands. */
struct where_msg {
    uint32_t depth, cluster, index;
};

/* gamma: the preferred edge towards a neighbouring cluster, the least
 * (lo, hi) pair of node indices among the edges between the two. */
struct preferred {
    uint32_t cluster, lo, hi;
};

struct table_msg {
    uint32_t count;
    struct preferred entry[GAMMA_TABLE];
};

/* gamma's CSAFE, INTER and READY: a pulse and the last active pulse. */
struct last_msg {
    uint32_t pulse;
    uint32_t pad;
    int64_t last;
};

/* An inner message held until the receiver's next pulse. */
struct held {
    uint32_t sender, seq;
    uint16_t len;
    uint8_t kind;
    uint8_t data[HELD_BYTES];
};

struct port_part {
    uint32_t nbr_cluster, nbr_index; /* gamma: where the neighbour stands */
    uint8_t cchild;    /* gamma: a child in the same cluster */
    uint8_t preferred; /* gamma: the preferred edge to its cluster */
    uint8_t child;    /* beta: the neighbour is a child in the tree */
    uint8_t count[2]; /* held messages, by parity of their pulse */
    struct held held[2][HELD_MAX];
};

struct layer {
    uint32_t pulse;          /* the pulse whose step ran last */
    uint32_t unacked;        /* inner messages of this pulse not yet ACKed */
    uint32_t seq;            /* inner sends in this pulse */
    uint32_t safe_count[2];  /* SAFE of each pulse parity (alpha: from
                                neighbours; beta: from children) */
    int64_t heard[2];        /* alpha: largest `last` in those SAFE */
    int64_t last;            /* alpha: last pulse known active */
    uint32_t parent, replies, children; /* beta's tree */
    uint8_t sub_active[2];   /* beta: a child's subtree was active */
    bool stepped;            /* this pulse's step ran */
    bool active;             /* this node sent inner messages this pulse */
    bool safe_sent;          /* SAFE for this pulse went out */
    bool done;               /* stopped: the run is over for this node */
    bool overflow;           /* a held buffer or a tag did not fit */
    bool table_full;         /* gamma: too many neighbouring clusters */
    bool in_tree, tree_done; /* beta */
    /* gamma */
    uint32_t depth, cluster;   /* depth in the tree; cluster = its leader */
    uint32_t cparent;          /* port to the cluster parent, or NO_PORT */
    uint32_t cchildren, npref; /* cluster children, preferred ports */
    uint32_t cand_count;       /* CAND received from cluster children */
    uint32_t inter_count[2], ready_count[2];
    int64_t inter_heard[2], ready_heard[2];
    bool cand_sent, setup_done, got_csafe, inter_sent, ready_sent;
    disco_time_t first_tick; /* when pulse 1 started here */
    disco_time_t last_tick;  /* when the last pulse started here */
};

/* Everything a wrapped algorithm's callbacks need to know: the kernel
 * passes them no user pointer, so it lives here, one slot per kind. */
struct wrapper {
    enum disco_synchronizer which;
    const struct disco_algorithm *inner;
    int64_t root;
    size_t inner_size, inner_port; /* rounded up to 16 bytes */
    unsigned base;                 /* first layer kind */
    const char *kinds[256];
    struct disco_property properties[MAX_PROPERTIES];
    unsigned kind_count, property_count; /* of the wrapped algorithm */
    char name[96];
    /* Given mode (disco_synchronize_given): beta's BFS tree or gamma's
     * Awerbuch partition, computed at set-up from a copy of the topology.
     * Per node: the parent node (NONE at the root / a leader), the depth
     * in the (cluster) tree, the cluster's leader and, at a leader, the
     * number of neighbouring clusters; per channel: GIVEN_CHILD and
     * GIVEN_PREFERRED. */
    bool given;
    uint32_t g_nodes, g_channels;
    uint32_t *g_offset, *g_target;
    uint32_t *g_parent, *g_depth, *g_cluster, *g_neighbours;
    uint8_t *g_flags;
};

#define NONE UINT32_MAX
#define GIVEN_CHILD 1u
#define GIVEN_PREFERRED 2u

static struct wrapper wrappers[3];

static const char *const synchronizer_names[3] = {"alpha", "beta", "gamma"};

/* gamma's table of preferred edges, after the layer's state. */
static struct table_msg *table_of(const struct wrapper *w, void *state)
{
    return (struct table_msg *)((char *)state + w->inner_size +
                                round16(sizeof(struct layer)));
}


static struct layer *layer_of(const struct wrapper *w, void *state)
{
    return (struct layer *)((char *)state + w->inner_size);
}

static const struct layer *view_layer(const struct wrapper *w,
                                      const struct disco_view *view,
                                      uint32_t v)
{
    return (const struct layer *)((const char *)disco_view_state(view, v) +
                                  w->inner_size);
}

static struct port_part *port_of(const struct wrapper *w,
                                 struct disco_ctx *ctx, uint32_t port)
{
    return (struct port_part *)((char *)disco_port_state(ctx, port) +
                                w->inner_port);
}

/* The inner algorithm reads the pulse from disco_now and has its decisions
 * stamped with it: the kernel's layer clock, on for the inner call only.
 * The layer's own sends keep the real tick. */
static void clock_enter(struct disco_ctx *ctx, disco_time_t pulse)
{
    disco_set_layer_clock(ctx, true, pulse);
}

static void clock_leave(struct disco_ctx *ctx)
{
    disco_set_layer_clock(ctx, false, 0);
}

/* ------------------------------------------------------------------------ */
/* Calling the inner algorithm.                                             */

struct call {
    const struct wrapper *w;
    struct layer *s;
    disco_time_t pulse;
};

static void catch_send(struct disco_ctx *ctx, void *hook_state, uint32_t port,
                       unsigned kind, const void *payload, size_t len)
{
    struct call *c = hook_state;
    unsigned char buf[DISCO_MAX_PAYLOAD];
    if (len > HELD_BYTES || len > DISCO_MAX_PAYLOAD - sizeof(struct tag)) {
        c->s->overflow = true;
        return;
    }
    struct tag tag = {(uint32_t)c->pulse, disco_self(ctx), c->s->seq++};
    memcpy(buf, &tag, sizeof tag);
    if (len)
        memcpy(buf + sizeof tag, payload, len);
    clock_leave(ctx);
    disco_send(ctx, port, kind, buf, sizeof tag + len);
    clock_enter(ctx, c->pulse);
    c->s->unacked++;
    c->s->active = true;
}

static void begin_call(struct call *c, struct disco_ctx *ctx,
                       const struct wrapper *w, struct layer *s,
                       disco_time_t pulse)
{
    *c = (struct call){w, s, pulse};
    disco_set_send_hook(ctx, catch_send, c);
    clock_enter(ctx, pulse);
}

static void end_call(struct call *c, struct disco_ctx *ctx)
{
    clock_leave(ctx);
    disco_set_send_hook(ctx, NULL, NULL);
}

/* A held message, for sorting into the synchronous delivery order. */
struct pending {
    uint32_t sender, seq, port, index;
};

static int pending_order(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    if (x->sender != y->sender)
        return x->sender < y->sender ? -1 : 1;
    if (x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return 0;
}

/* Pulse p: deliver what was sent in p-1, then the inner round step. */
static void start_pulse(struct disco_ctx *ctx, const struct wrapper *w,
                        struct layer *s, uint32_t p, void *state,
                        bool run_round)
{
    s->pulse = p;
    s->stepped = false;
    s->safe_sent = false;
    s->got_csafe = s->inter_sent = s->ready_sent = false;
    s->active = false;
    s->seq = 0;
    s->last_tick = disco_now(ctx);
    if (p == 1)
        s->first_tick = s->last_tick;

    unsigned slot = (p - 1) & 1;
    uint32_t degree = disco_out_degree(ctx);
    size_t total = 0;
    for (uint32_t q = 0; q < degree; q++)
        total += port_of(w, ctx, q)->count[slot];
    struct call c;
    begin_call(&c, ctx, w, s, p);
    if (total) {
        struct pending *order = malloc(total * sizeof *order);
        if (!order) {
            s->overflow = true;
        } else {
            size_t n = 0;
            for (uint32_t q = 0; q < degree; q++) {
                struct port_part *pp = port_of(w, ctx, q);
                for (uint32_t i = 0; i < pp->count[slot]; i++)
                    order[n++] = (struct pending){pp->held[slot][i].sender,
                                                  pp->held[slot][i].seq, q, i};
            }
            qsort(order, n, sizeof *order, pending_order);
            for (size_t i = 0; i < n; i++) {
                const struct port_part *from = port_of(w, ctx, order[i].port);
                const struct held *h = &from->held[slot][order[i].index];
                w->inner->on_message(ctx, state, order[i].port, h->kind,
                                     h->len ? h->data : NULL, h->len);
            }
            free(order);
        }
        for (uint32_t q = 0; q < degree; q++)
            port_of(w, ctx, q)->count[slot] = 0;
    }
    if (run_round && w->inner->on_round)
        w->inner->on_round(ctx, state, p);
    end_call(&c, ctx);
    /* An inner node that declared itself active keeps the rounds going
     * as a message would: the native run continues while one is. */
    if (!disco_is_passive(ctx))
        s->active = true;
    s->stepped = true;
}

/* ------------------------------------------------------------------------ */
/* Progress: send SAFE when safe, start the next pulse when allowed.         */

static void alpha_progress(struct disco_ctx *ctx, const struct wrapper *w,
                           struct layer *s, void *state)
{
    uint32_t degree = disco_out_degree(ctx);
    for (;;) {
        if (s->done || !s->stepped || s->unacked)
            return;
        if (!s->safe_sent) {
            if (s->active && (int64_t)s->pulse > s->last)
                s->last = s->pulse;
            struct safe_msg m = {s->pulse, 0, s->last};
            s->safe_sent = true;
            disco_send_all(ctx, w->base + SAFE, &m, sizeof m);
        }
        unsigned slot = s->pulse & 1;
        if (s->safe_count[slot] < degree)
            return;
        s->safe_count[slot] = 0;
        if (s->heard[slot] > s->last)
            s->last = s->heard[slot];
        s->heard[slot] = -1;
        /* Everyone has heard of the last active pulse within N-1 pulses,
         * so all nodes stop after the same pulse. */
        if ((int64_t)s->pulse - s->last >= (int64_t)disco_nodes(ctx)) {
            s->done = true;
            return;
        }
        /* The native run has a round p+1 only if something was sent in
         * p somewhere; alpha knows it only of its neighbourhood, and steps
         * the inner algorithm when that was active (see the top). */
        start_pulse(ctx, w, s, s->pulse + 1, state,
                    s->last >= (int64_t)s->pulse);
    }
}

static void beta_progress(struct disco_ctx *ctx, const struct wrapper *w,
                          struct layer *s, void *state)
{
    for (;;) {
        if (s->done || !s->stepped || s->unacked || !s->tree_done ||
            s->safe_sent)
            return;
        unsigned slot = s->pulse & 1;
        if (s->safe_count[slot] < s->children)
            return;
        bool active = s->active || s->sub_active[slot];
        s->safe_count[slot] = 0;
        s->sub_active[slot] = 0;
        s->safe_sent = true;
        if (s->parent != DISCO_NO_PORT) {
            struct safe_msg m = {s->pulse, active, 0};
            disco_send(ctx, s->parent, w->base + SAFE, &m, sizeof m);
            return;
        }
        /* The root: the whole tree is safe for this pulse. */
        struct pulse_msg m = {s->pulse + 1, !active, 1};
        for (uint32_t q = 0; q < disco_out_degree(ctx); q++)
            if (port_of(w, ctx, q)->child)
                disco_send(ctx, q, w->base + PULSE, &m, sizeof m);
        if (!active) {
            s->done = true;
            return;
        }
        start_pulse(ctx, w, s, s->pulse + 1, state, true);
    }
}

static void mark_child(struct disco_ctx *ctx, const struct wrapper *w,
                       struct layer *s, uint32_t port);

static void send_cchildren(struct disco_ctx *ctx, const struct wrapper *w,
                           unsigned kind, const void *payload, size_t len)
{
    for (uint32_t q = 0; q < disco_out_degree(ctx); q++)
        if (port_of(w, ctx, q)->cchild)
            disco_send(ctx, q, w->base + kind, payload, len);
}

/* gamma: beta inside each cluster (SAFE up, then CSAFE down: the cluster
 * is safe), alpha between clusters on the preferred edges (INTER), then
 * READY up once every neighbouring cluster is safe, and PULSE down.  A
 * cluster with no neighbour (the whole graph) skips the middle part, as
 * beta; singleton clusters send only INTER, as alpha sends SAFE. */
static void gamma_progress(struct disco_ctx *ctx, const struct wrapper *w,
                           struct layer *s, void *state)
{
    const struct table_msg *t = table_of(w, state);
    bool leader = s->cparent == DISCO_NO_PORT;
    for (;;) {
        if (s->done || !s->setup_done || !s->stepped || s->unacked)
            return;
        unsigned slot = s->pulse & 1;
        if (!s->safe_sent) {
            if (s->safe_count[slot] < s->cchildren)
                return;
            bool active = s->active || s->sub_active[slot];
            s->safe_count[slot] = 0;
            s->sub_active[slot] = 0;
            s->safe_sent = true;
            if (!leader) {
                struct safe_msg m = {s->pulse, active, 0};
                disco_send(ctx, s->cparent, w->base + SAFE, &m, sizeof m);
                return;
            }
            if (active && (int64_t)s->pulse > s->last)
                s->last = s->pulse;
            if (t->count == 0) {
                /* No neighbouring cluster: beta, exactly. */
                struct pulse_msg m = {s->pulse + 1, !active, 1};
                send_cchildren(ctx, w, PULSE, &m, sizeof m);
                if (!active) {
                    s->done = true;
                    return;
                }
                start_pulse(ctx, w, s, s->pulse + 1, state, true);
                continue;
            }
            struct last_msg m = {s->pulse, 0, s->last};
            send_cchildren(ctx, w, CSAFE, &m, sizeof m);
            s->got_csafe = true;
        }
        if (!s->got_csafe)
            return;
        if (!s->inter_sent) {
            struct last_msg m = {s->pulse, 0, s->last};
            s->inter_sent = true;
            for (uint32_t q = 0; q < disco_out_degree(ctx); q++)
                if (port_of(w, ctx, q)->preferred)
                    disco_send(ctx, q, w->base + INTER, &m, sizeof m);
        }
        if (s->ready_sent || s->inter_count[slot] < s->npref ||
            s->ready_count[slot] < s->cchildren)
            return;
        int64_t heard = s->inter_heard[slot] > s->ready_heard[slot]
                            ? s->inter_heard[slot]
                            : s->ready_heard[slot];
        s->inter_count[slot] = s->ready_count[slot] = 0;
        s->inter_heard[slot] = s->ready_heard[slot] = -1;
        s->ready_sent = true;
        if (!leader) {
            struct last_msg m = {s->pulse, 0, heard};
            disco_send(ctx, s->cparent, w->base + READY, &m, sizeof m);
            return;
        }
        if (heard > s->last)
            s->last = heard;
        /* As alpha, one level up: clusters learn the last active pulse
         * one cluster hop per pulse. */
        bool stop = (int64_t)s->pulse - s->last >= (int64_t)disco_nodes(ctx);
        bool run = s->last >= (int64_t)s->pulse;
        struct pulse_msg m = {s->pulse + 1, stop, run};
        send_cchildren(ctx, w, PULSE, &m, sizeof m);
        if (stop) {
            s->done = true;
            return;
        }
        start_pulse(ctx, w, s, s->pulse + 1, state, run);
    }
}

static void progress(struct disco_ctx *ctx, const struct wrapper *w,
                     struct layer *s, void *state)
{
    if (w->which == DISCO_SYNCHRONIZER_ALPHA)
        alpha_progress(ctx, w, s, state);
    else if (w->which == DISCO_SYNCHRONIZER_BETA)
        beta_progress(ctx, w, s, state);
    else
        gamma_progress(ctx, w, s, state);
}

/* ---- gamma's setup: tree, clusters, preferred edges ---- */

static void table_add(struct layer *s, struct table_msg *t,
                      const struct preferred *e)
{
    for (uint32_t i = 0; i < t->count; i++) {
        struct preferred *x = &t->entry[i];
        if (x->cluster != e->cluster)
            continue;
        if (e->lo < x->lo || (e->lo == x->lo && e->hi < x->hi))
            *x = *e;
        return;
    }
    if (t->count == GAMMA_TABLE) {
        s->table_full = true;
        return;
    }
    t->entry[t->count++] = *e;
}

static struct preferred edge_key(uint32_t cluster, uint32_t a, uint32_t b)
{
    return (struct preferred){cluster, a < b ? a : b, a < b ? b : a};
}

/* The cluster's table is complete here: mark this node's preferred ports
 * and pass the table down. */
static void gamma_chosen(struct disco_ctx *ctx, const struct wrapper *w,
                         struct layer *s, struct table_msg *t)
{
    uint32_t self = disco_self(ctx);
    for (uint32_t q = 0; q < disco_out_degree(ctx); q++) {
        struct port_part *pp = port_of(w, ctx, q);
        if (pp->nbr_cluster == s->cluster)
            continue;
        struct preferred k = edge_key(pp->nbr_cluster, self, pp->nbr_index);
        for (uint32_t i = 0; i < t->count; i++)
            if (!memcmp(&t->entry[i], &k, sizeof k)) {
                pp->preferred = 1;
                s->npref++;
            }
    }
    send_cchildren(ctx, w, CHOSEN, t,
                   offsetof(struct table_msg, entry) +
                       t->count * sizeof t->entry[0]);
    s->setup_done = true;
}

/* Once the subtree of this cluster below the node has reported, send the
 * candidates up (or, at the leader, choose). */
static void gamma_candidates(struct disco_ctx *ctx, const struct wrapper *w,
                             struct layer *s, void *state)
{
    if (!s->tree_done || s->cand_sent || s->cand_count < s->cchildren)
        return;
    s->cand_sent = true;
    struct table_msg *t = table_of(w, state);
    if (s->cparent == DISCO_NO_PORT)
        gamma_chosen(ctx, w, s, t);
    else
        disco_send(ctx, s->cparent, w->base + CAND, t,
                   offsetof(struct table_msg, entry) +
                       t->count * sizeof t->entry[0]);
}

/* The echo is complete at this node: every neighbour's cluster is known,
 * so its own candidate edges are. */
static void gamma_tree_done(struct disco_ctx *ctx, const struct wrapper *w,
                            struct layer *s, void *state)
{
    struct table_msg *t = table_of(w, state);
    uint32_t self = disco_self(ctx);
    for (uint32_t q = 0; q < disco_out_degree(ctx); q++) {
        struct port_part *pp = port_of(w, ctx, q);
        if (pp->nbr_cluster != s->cluster) {
            struct preferred k =
                edge_key(pp->nbr_cluster, self, pp->nbr_index);
            table_add(s, t, &k);
        }
    }
    gamma_candidates(ctx, w, s, state);
}

static void gamma_join(struct disco_ctx *ctx, const struct wrapper *w,
                       struct layer *s, uint32_t port, uint32_t depth,
                       uint32_t parent_cluster)
{
    uint32_t k = (uint32_t)w->root; /* gamma's parameter: cluster depth */
    s->in_tree = true;
    s->parent = port;
    s->depth = depth;
    bool lead = depth % k == 0;
    s->cluster = lead ? disco_self(ctx) : parent_cluster;
    s->cparent = lead ? DISCO_NO_PORT : port;
    struct where_msg m = {s->depth, s->cluster, disco_self(ctx)};
    disco_send_all_except(ctx, port, w->base + TREE, &m, sizeof m);
}

static void gamma_mark_child(struct disco_ctx *ctx, const struct wrapper *w,
                             struct layer *s, uint32_t port, uint32_t cluster)
{
    mark_child(ctx, w, s, port);
    struct port_part *pp = port_of(w, ctx, port);
    if (cluster == s->cluster && !pp->cchild) {
        pp->cchild = 1;
        s->cchildren++;
    }
}

/* beta's tree: an echo wave from the root. */
static void tree_check(struct disco_ctx *ctx, const struct wrapper *w,
                       struct layer *s, void *state)
{
    if (s->in_tree && !s->tree_done && s->replies == disco_out_degree(ctx)) {
        s->tree_done = true;
        if (w->which == DISCO_SYNCHRONIZER_GAMMA) {
            struct where_msg m = {s->depth, s->cluster, disco_self(ctx)};
            if (s->parent != DISCO_NO_PORT)
                disco_send(ctx, s->parent, w->base + ECHO, &m, sizeof m);
            gamma_tree_done(ctx, w, s, state);
        } else if (s->parent != DISCO_NO_PORT) {
            disco_send(ctx, s->parent, w->base + ECHO, NULL, 0);
        }
    }
}

static void mark_child(struct disco_ctx *ctx, const struct wrapper *w,
                       struct layer *s, uint32_t port)
{
    struct port_part *pp = port_of(w, ctx, port);
    if (!pp->child) {
        pp->child = 1;
        s->children++;
    }
}

/* Given mode: the node starts knowing its place in the tree or the
 * partition, as if a setup phase had run (it costs no message here). */
static void given_setup(struct disco_ctx *ctx, const struct wrapper *w,
                        struct layer *s, void *state)
{
    uint32_t v = disco_self(ctx);
    uint32_t first = w->g_offset[v];
    bool gamma = w->which == DISCO_SYNCHRONIZER_GAMMA;
    s->depth = w->g_depth[v];
    s->cluster = w->g_cluster[v];
    s->in_tree = s->tree_done = true;
    s->cand_sent = s->setup_done = true;
    for (uint32_t q = 0; q < disco_out_degree(ctx); q++) {
        struct port_part *pp = port_of(w, ctx, q);
        uint8_t f = w->g_flags[first + q];
        uint32_t u = w->g_target[first + q];
        pp->nbr_index = u;
        pp->nbr_cluster = w->g_cluster[u];
        if (u == w->g_parent[v]) {
            s->parent = q;
            if (gamma)
                s->cparent = q;
        }
        if (f & GIVEN_CHILD) {
            if (gamma) {
                pp->cchild = 1;
                s->cchildren++;
            } else {
                pp->child = 1;
                s->children++;
            }
        }
        if (f & GIVEN_PREFERRED) {
            pp->preferred = 1;
            s->npref++;
        }
    }
    /* The leader only asks whether its cluster has neighbours. */
    if (gamma)
        table_of(w, state)->count = w->g_neighbours[v];
}

/* ------------------------------------------------------------------------ */
/* The layer's callbacks.                                                    */

static void layer_init(struct disco_ctx *ctx, void *state,
                       const struct wrapper *w)
{
    struct layer *s = layer_of(w, state);
    s->parent = DISCO_NO_PORT;
    s->cparent = DISCO_NO_PORT;
    s->last = -1;
    s->heard[0] = s->heard[1] = -1;
    s->inter_heard[0] = s->inter_heard[1] = -1;
    s->ready_heard[0] = s->ready_heard[1] = -1;
    if (w->which != DISCO_SYNCHRONIZER_GAMMA)
        s->setup_done = true;
    if (w->given)
        given_setup(ctx, w, s, state);
    /* Pulse 0 is the inner init. */
    struct call c;
    begin_call(&c, ctx, w, s, 0);
    w->inner->init(ctx, state);
    end_call(&c, ctx);
    s->stepped = true;
    if (w->which == DISCO_SYNCHRONIZER_BETA && !w->given &&
        (int64_t)disco_self(ctx) == w->root) {
        s->in_tree = true;
        disco_send_all(ctx, w->base + TREE, NULL, 0);
        tree_check(ctx, w, s, state);
    }
    if (w->which == DISCO_SYNCHRONIZER_GAMMA && !w->given &&
        disco_self(ctx) == 0) {
        gamma_join(ctx, w, s, DISCO_NO_PORT, 0, 0);
        tree_check(ctx, w, s, state);
    }
    progress(ctx, w, s, state);
}

static void layer_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                             unsigned kind, const void *payload, size_t len,
                             const struct wrapper *w)
{
    struct layer *s = layer_of(w, state);
    if (kind < w->base) {
        /* An inner message: acknowledge it, hold it for the next pulse. */
        struct tag tag;
        memcpy(&tag, payload, sizeof tag);
        disco_send(ctx, port, w->base + ACK, NULL, 0);
        struct port_part *pp = port_of(w, ctx, port);
        unsigned slot = tag.pulse & 1;
        if (pp->count[slot] == HELD_MAX) {
            s->overflow = true;
            return;
        }
        struct held *h = &pp->held[slot][pp->count[slot]++];
        h->sender = tag.sender;
        h->seq = tag.seq;
        h->kind = (uint8_t)kind;
        h->len = (uint16_t)(len - sizeof tag);
        if (h->len)
            memcpy(h->data, (const char *)payload + sizeof tag, h->len);
        return;
    }
    switch (kind - w->base) {
    case ACK:
        s->unacked--;
        break;
    case SAFE: {
        struct safe_msg m;
        memcpy(&m, payload, sizeof m);
        unsigned slot = m.pulse & 1;
        s->safe_count[slot]++;
        if (w->which == DISCO_SYNCHRONIZER_ALPHA) {
            if (m.last > s->heard[slot])
                s->heard[slot] = m.last;
        } else {
            mark_child(ctx, w, s, port); /* SAFE may overtake ECHO */
            s->sub_active[slot] |= m.active ? 1 : 0;
        }
        break;
    }
    case PULSE: {
        struct pulse_msg m;
        memcpy(&m, payload, sizeof m);
        for (uint32_t q = 0; q < disco_out_degree(ctx); q++) {
            const struct port_part *pp = port_of(w, ctx, q);
            /* beta: down the tree; gamma: down the cluster's part of it */
            if (w->which == DISCO_SYNCHRONIZER_GAMMA ? pp->cchild : pp->child)
                disco_send(ctx, q, w->base + PULSE, &m, sizeof m);
        }
        if (m.stop) {
            s->done = true;
            return;
        }
        start_pulse(ctx, w, s, m.pulse, state, m.run);
        break;
    }
    case TREE:
        if (w->which == DISCO_SYNCHRONIZER_GAMMA) {
            struct where_msg m;
            memcpy(&m, payload, sizeof m);
            port_of(w, ctx, port)->nbr_cluster = m.cluster;
            port_of(w, ctx, port)->nbr_index = m.index;
            if (!s->in_tree)
                gamma_join(ctx, w, s, port, m.depth + 1, m.cluster);
        } else if (!s->in_tree) {
            s->in_tree = true;
            s->parent = port;
            disco_send_all_except(ctx, port, w->base + TREE, NULL, 0);
        }
        s->replies++;
        tree_check(ctx, w, s, state);
        break;
    case ECHO:
        if (w->which == DISCO_SYNCHRONIZER_GAMMA) {
            struct where_msg m;
            memcpy(&m, payload, sizeof m);
            port_of(w, ctx, port)->nbr_cluster = m.cluster;
            port_of(w, ctx, port)->nbr_index = m.index;
            gamma_mark_child(ctx, w, s, port, m.cluster);
        } else {
            mark_child(ctx, w, s, port);
        }
        s->replies++;
        tree_check(ctx, w, s, state);
        break;
    case CAND: {
        struct table_msg m;
        memcpy(&m, payload, len);
        gamma_mark_child(ctx, w, s, port, s->cluster); /* may beat ECHO */
        for (uint32_t i = 0; i < m.count; i++)
            table_add(s, table_of(w, state), &m.entry[i]);
        s->cand_count++;
        gamma_candidates(ctx, w, s, state);
        break;
    }
    case CHOSEN: {
        struct table_msg *t = table_of(w, state);
        memcpy(t, payload, len);
        gamma_chosen(ctx, w, s, t);
        break;
    }
    case CSAFE: {
        struct last_msg m;
        memcpy(&m, payload, sizeof m);
        if (m.last > s->last)
            s->last = m.last;
        send_cchildren(ctx, w, CSAFE, &m, sizeof m);
        s->got_csafe = true;
        break;
    }
    case INTER:
    case READY: {
        struct last_msg m;
        memcpy(&m, payload, sizeof m);
        unsigned slot = m.pulse & 1;
        bool inter = kind - w->base == INTER;
        int64_t *heard = inter ? &s->inter_heard[slot] : &s->ready_heard[slot];
        (inter ? s->inter_count : s->ready_count)[slot]++;
        if (m.last > *heard)
            *heard = m.last;
        break;
    }
    }
    progress(ctx, w, s, state);
}

static void layer_format(const void *state, char *buf, size_t len,
                         const struct wrapper *w)
{
    const struct layer *s =
        (const struct layer *)((const char *)state + w->inner_size);
    char inner[DISCO_STATE_TEXT] = "";
    if (w->inner->format_state)
        w->inner->format_state(state, inner, sizeof inner);
    snprintf(buf, len, "pulse %u%s%s%s", s->pulse, s->done ? " done" : "",
             inner[0] ? ": " : "", inner);
}

/* ------------------------------------------------------------------------ */
/* Counts, properties and the result.                                        */

struct counts {
    uint64_t basic, layer, ack, safe, pulse, tree, echo;
    uint64_t cand, chosen, csafe, inter, ready; /* gamma */
    uint32_t clusters, preferred;               /* gamma: leaders, and
                                                   preferred ports (2 per
                                                   preferred edge) */
    uint32_t pulses;          /* pulses run, pulse 0 included */
    uint32_t height;          /* given: the tree's / the tallest cluster's */
    bool agree;               /* every node stopped after the same pulse */
    bool overflow, table_full;
    disco_time_t first_tick, last_tick;
};

static void count(const struct wrapper *w, const struct disco_view *view,
                  struct counts *c)
{
    memset(c, 0, sizeof *c);
    for (unsigned k = 0; k < w->base; k++)
        c->basic += disco_view_messages(view, (int)k);
    c->ack = disco_view_messages(view, (int)(w->base + ACK));
    c->safe = disco_view_messages(view, (int)(w->base + SAFE));
    if (w->which != DISCO_SYNCHRONIZER_ALPHA) {
        c->pulse = disco_view_messages(view, (int)(w->base + PULSE));
        c->tree = disco_view_messages(view, (int)(w->base + TREE));
        c->echo = disco_view_messages(view, (int)(w->base + ECHO));
    }
    if (w->which == DISCO_SYNCHRONIZER_GAMMA) {
        c->cand = disco_view_messages(view, (int)(w->base + CAND));
        c->chosen = disco_view_messages(view, (int)(w->base + CHOSEN));
        c->csafe = disco_view_messages(view, (int)(w->base + CSAFE));
        c->inter = disco_view_messages(view, (int)(w->base + INTER));
        c->ready = disco_view_messages(view, (int)(w->base + READY));
    }
    c->layer = c->ack + c->safe + c->pulse + c->tree + c->echo + c->cand +
               c->chosen + c->csafe + c->inter + c->ready;
    c->agree = true;
    uint32_t n = disco_view_nodes(view);
    for (uint32_t v = 0; v < n; v++) {
        const struct layer *s = view_layer(w, view, v);
        if (v == 0)
            c->pulses = s->pulse + 1;
        c->agree &= s->done && s->pulse + 1 == c->pulses;
        c->overflow |= s->overflow;
        c->table_full |= s->table_full;
        if (w->which == DISCO_SYNCHRONIZER_GAMMA) {
            c->clusters += s->cluster == v;
            c->preferred += s->npref;
        }
        if (s->depth > c->height)
            c->height = s->depth;
        if (s->first_tick > c->first_tick)
            c->first_tick = s->first_tick;
        if (s->last_tick > c->last_tick)
            c->last_tick = s->last_tick;
    }
}

static bool check_synchronized(const struct wrapper *w,
                               const struct disco_view *view, char *detail,
                               size_t len)
{
    struct counts c;
    count(w, view, &c);
    if (c.overflow) {
        snprintf(detail, len, "an inner message did not fit the layer's "
                 "buffers (%u per port and pulse, %u bytes)", HELD_MAX,
                 HELD_BYTES);
        return false;
    }
    if (c.table_full) {
        snprintf(detail, len, "a cluster has more than %u neighbouring "
                 "clusters (use a larger gamma:K)", GAMMA_TABLE);
        return false;
    }
    if (!c.agree) {
        snprintf(detail, len, "the nodes did not all stop after pulse %u",
                 c.pulses - 1);
        return false;
    }
    snprintf(detail, len, "every node ran pulses 0..%u", c.pulses - 1);
    return true;
}

static bool check_acks(const struct wrapper *w, const struct disco_view *view,
                       char *detail, size_t len)
{
    struct counts c;
    count(w, view, &c);
    snprintf(detail, len, "%llu acks for %llu basic messages",
             (unsigned long long)c.ack, (unsigned long long)c.basic);
    return c.ack == c.basic;
}

static bool check_per_pulse(const struct wrapper *w,
                            const struct disco_view *view, char *detail,
                            size_t len)
{
    struct counts c;
    count(w, view, &c);
    uint64_t per, sent;
    if (w->which == DISCO_SYNCHRONIZER_ALPHA) {
        per = 2 * disco_view_edges(view);
        sent = c.safe;
        snprintf(detail, len, "%llu safe in %u pulses, 2m = %llu per pulse",
                 (unsigned long long)sent, c.pulses, (unsigned long long)per);
    } else if (w->which == DISCO_SYNCHRONIZER_GAMMA) {
        /* Inside clusters: SAFE and PULSE on every cluster-tree edge, and
         * CSAFE and READY too when there are neighbouring clusters; INTER
         * on both sides of every preferred edge. */
        uint64_t inside = disco_view_nodes(view) - c.clusters;
        per = c.preferred ? 4 * inside + c.preferred : 2 * inside;
        sent = c.safe + c.pulse + c.csafe + c.ready + c.inter;
        snprintf(detail, len, "%llu per-pulse messages in %u pulses, "
                 "%u clusters, %u preferred edges: %llu per pulse",
                 (unsigned long long)sent, c.pulses, c.clusters,
                 c.preferred / 2, (unsigned long long)per);
    } else {
        per = 2 * (uint64_t)(disco_view_nodes(view) - 1);
        sent = c.safe + c.pulse;
        snprintf(detail, len, "%llu safe + %llu pulse in %u pulses, "
                 "2(N-1) = %llu per pulse", (unsigned long long)c.safe,
                 (unsigned long long)c.pulse, c.pulses,
                 (unsigned long long)per);
    }
    return sent == per * c.pulses;
}

/* The given tree or partition, as the nodes hold it, checked against the
 * network the run had: every parent is a neighbour one level up in the
 * same cluster, the roots are the root / the leaders, and beta's depths
 * are the distances from the root.  (It catches a slot rewritten for
 * another network: see the limitation in synchronizer.h.) */
static bool given_consistent(const struct wrapper *w,
                             const struct disco_view *view)
{
    uint32_t n = disco_view_nodes(view);
    bool gamma = w->which == DISCO_SYNCHRONIZER_GAMMA;
    for (uint32_t v = 0; v < n; v++) {
        const struct layer *s = view_layer(w, view, v);
        uint32_t port = gamma ? s->cparent : s->parent;
        if (port == DISCO_NO_PORT) {
            if (s->depth != 0 ||
                (gamma ? s->cluster != v : (int64_t)v != w->root))
                return false;
            continue;
        }
        if (port >= disco_view_degree(view, v))
            return false;
        const struct layer *ps =
            view_layer(w, view, disco_view_neighbour(view, v, port));
        if (ps->depth + 1 != s->depth || (gamma && ps->cluster != s->cluster))
            return false;
    }
    if (gamma)
        return true;
    /* beta: depths are distances (a BFS of the view's graph). */
    uint32_t *dist = malloc(n * sizeof *dist), *queue = malloc(n * sizeof *queue);
    bool ok = dist && queue && w->root < (int64_t)n;
    if (ok) {
        uint32_t head = 0, tail = 0;
        for (uint32_t v = 0; v < n; v++)
            dist[v] = NONE;
        dist[w->root] = 0;
        queue[tail++] = (uint32_t)w->root;
        while (head < tail) {
            uint32_t u = queue[head++];
            for (uint32_t q = 0; q < disco_view_degree(view, u); q++) {
                uint32_t x = disco_view_neighbour(view, u, q);
                if (dist[x] == NONE) {
                    dist[x] = dist[u] + 1;
                    queue[tail++] = x;
                }
            }
        }
        for (uint32_t v = 0; v < n && ok; v++)
            ok = dist[v] == view_layer(w, view, v)->depth;
    }
    free(dist);
    free(queue);
    return ok;
}

static bool check_tree(const struct wrapper *w, const struct disco_view *view,
                       char *detail, size_t len)
{
    struct counts c;
    count(w, view, &c);
    uint64_t m2 = 2 * disco_view_edges(view);
    if (w->given && !given_consistent(w, view)) {
        snprintf(detail, len, "the nodes' %s does not fit this network",
                 w->which == DISCO_SYNCHRONIZER_BETA ? "bfs tree"
                                                     : "partition");
        return false;
    }
    if (w->given) {
        snprintf(detail, len, "%llu tree + %llu echo + %llu cand + %llu "
                 "chosen: the %s is given", (unsigned long long)c.tree,
                 (unsigned long long)c.echo, (unsigned long long)c.cand,
                 (unsigned long long)c.chosen,
                 w->which == DISCO_SYNCHRONIZER_BETA ? "bfs tree"
                                                     : "partition");
        return c.tree + c.echo + c.cand + c.chosen == 0;
    }
    snprintf(detail, len, "%llu tree + %llu echo, 2m = %llu",
             (unsigned long long)c.tree, (unsigned long long)c.echo,
             (unsigned long long)m2);
    return c.tree + c.echo == m2 && c.echo == disco_view_nodes(view) - 1;
}

static void layer_result(const struct wrapper *w,
                         const struct disco_view *view, char *buf, size_t len)
{
    char inner[DISCO_RESULT_TEXT] = "";
    if (w->inner->result)
        w->inner->result(view, inner, sizeof inner);
    struct counts c;
    count(w, view, &c);
    char gamma[192] = "";
    if (w->which == DISCO_SYNCHRONIZER_GAMMA)
        snprintf(gamma, sizeof gamma,
                 ", \"clusters\": %u, \"preferred_edges\": %u, "
                 "\"inter\": %llu",
                 c.clusters, c.preferred / 2, (unsigned long long)c.inter);
    if (w->given) {
        size_t used = strlen(gamma);
        if (w->which == DISCO_SYNCHRONIZER_GAMMA)
            snprintf(gamma + used, sizeof gamma - used,
                     ", \"partition\": \"awerbuch\", \"k\": %lld, "
                     "\"max_cluster_height\": %u",
                     (long long)w->root, c.height);
        else
            snprintf(gamma + used, sizeof gamma - used,
                     ", \"tree\": \"bfs\", \"root\": %lld, "
                     "\"tree_height\": %u",
                     (long long)w->root, c.height);
    }
    uint64_t per = c.safe + c.pulse + c.csafe + c.ready + c.inter;
    /* Time per pulse: from the start of pulse 1 to the start of the last,
     * at the slowest node (beta's tree building is before pulse 1). */
    double ticks = c.pulses > 2 ? (double)(c.last_tick - c.first_tick) /
                                      (double)(c.pulses - 2)
                                : 0.0;
    snprintf(buf, len,
             "%s%s\"synchronizer\": \"%s\", \"pulses\": %u, "
             "\"basic_messages\": %llu, \"synchronizer_messages\": %llu, "
             "\"ack\": %llu, \"safe\": %llu, \"pulse\": %llu, "
             "\"setup\": %llu, \"per_pulse\": %.2f, "
             "\"basic_per_pulse\": %.2f, \"ticks_per_pulse\": %.2f%s",
             inner, inner[0] ? ", " : "",
             synchronizer_names[w->which],
             c.pulses, (unsigned long long)c.basic,
             (unsigned long long)c.layer, (unsigned long long)c.ack,
             (unsigned long long)c.safe, (unsigned long long)c.pulse,
             (unsigned long long)(c.tree + c.echo + c.cand + c.chosen),
             c.pulses ? (double)per / c.pulses : 0.0,
             c.pulses ? (double)c.basic / c.pulses : 0.0, ticks, gamma);
}

/* One set of callbacks per synchronizer kind, bound to its slot. */
#define DEFINE_CALLBACKS(prefix, index)                                        \
    static void prefix##_init(struct disco_ctx *ctx, void *state)              \
    {                                                                          \
        layer_init(ctx, state, &wrappers[index]);                              \
    }                                                                          \
    static void prefix##_on_message(struct disco_ctx *ctx, void *state,        \
                                    uint32_t port, unsigned kind,              \
                                    const void *payload, size_t len)           \
    {                                                                          \
        layer_on_message(ctx, state, port, kind, payload, len,                 \
                         &wrappers[index]);                                    \
    }                                                                          \
    static void prefix##_format(const void *state, char *buf, size_t len)      \
    {                                                                          \
        layer_format(state, buf, len, &wrappers[index]);                       \
    }                                                                          \
    static void prefix##_result(const struct disco_view *view, char *buf,      \
                                size_t len)                                    \
    {                                                                          \
        layer_result(&wrappers[index], view, buf, len);                        \
    }                                                                          \
    static bool prefix##_synchronized(const struct disco_view *view,           \
                                      char *detail, size_t len)                \
    {                                                                          \
        return check_synchronized(&wrappers[index], view, detail, len);        \
    }                                                                          \
    static bool prefix##_acks(const struct disco_view *view, char *detail,     \
                              size_t len)                                      \
    {                                                                          \
        return check_acks(&wrappers[index], view, detail, len);                \
    }                                                                          \
    static bool prefix##_per_pulse(const struct disco_view *view,              \
                                   char *detail, size_t len)                   \
    {                                                                          \
        return check_per_pulse(&wrappers[index], view, detail, len);           \
    }                                                                          \
    static bool prefix##_tree(const struct disco_view *view, char *detail,     \
                              size_t len)                                      \
    {                                                                          \
        return check_tree(&wrappers[index], view, detail, len);                \
    }

DEFINE_CALLBACKS(alpha, 0)
DEFINE_CALLBACKS(beta, 1)
DEFINE_CALLBACKS(gamma, 2)

struct callbacks {
    void (*init)(struct disco_ctx *, void *);
    void (*on_message)(struct disco_ctx *, void *, uint32_t, unsigned,
                       const void *, size_t);
    void (*format)(const void *, char *, size_t);
    void (*result)(const struct disco_view *, char *, size_t);
    bool (*synchronized)(const struct disco_view *, char *, size_t);
    bool (*acks)(const struct disco_view *, char *, size_t);
    bool (*per_pulse)(const struct disco_view *, char *, size_t);
    bool (*tree)(const struct disco_view *, char *, size_t);
};

static const struct callbacks callbacks[3] = {
    {alpha_init, alpha_on_message, alpha_format, alpha_result,
     alpha_synchronized, alpha_acks, alpha_per_pulse, alpha_tree},
    {beta_init, beta_on_message, beta_format, beta_result,
     beta_synchronized, beta_acks, beta_per_pulse, beta_tree},
    {gamma_init, gamma_on_message, gamma_format, gamma_result,
     gamma_synchronized, gamma_acks, gamma_per_pulse, gamma_tree},
};

/* The wrapped algorithm's struct, from the slot (which outlives it). */
static void fill_algorithm(struct disco_algorithm *out,
                           const struct wrapper *w,
                           const struct disco_algorithm *inner,
                           enum disco_synchronizer which)
{
    const struct callbacks *cb = &callbacks[which];
    memset(out, 0, sizeof *out);
    out->name = w->name;
    out->family = inner->family;
    out->summary = inner->summary;
    out->description = inner->description;
    static const char *const messages[3] = {
        "the inner algorithm's, plus one ack each, plus 2m safe per pulse",
        "the inner algorithm's, plus one ack each, plus 2m to build the tree, "
        "plus 2(N-1) (safe and pulse) per pulse",
        "the inner algorithm's, plus one ack each, plus the setup (2m for "
        "the tree, 2(N-C) for the preferred edges), plus per pulse 4(N-C) "
        "inside the C clusters and 2 per preferred edge (2(N-1) with one "
        "cluster, 2m with singletons)"};
    static const char *const times[3] = {
        "O(1) per pulse; N idle pulses at the end to agree that the run is "
        "over",
        "O(h) per pulse, h the height of the tree",
        "O(k) per pulse, k the cluster depth; N idle pulses at the end "
        "unless there is one cluster"};
    static const char *const given_messages[3] = {
        "", "the inner algorithm's, plus one ack each, plus 2(N-1) (safe and "
        "pulse) per pulse; the BFS tree is given (computed centrally at "
        "set-up, no setup messages)",
        "the inner algorithm's, plus one ack each, plus per pulse 4(N-C) "
        "inside the C clusters and 2 per preferred edge, at most (k-1)N "
        "preferred edges; Awerbuch's partition is given (computed centrally "
        "at set-up, no setup messages)"};
    static const char *const given_times[3] = {
        "", "O(h) per pulse, h = the root's eccentricity",
        "O(log_k N) per pulse (cluster height <= log_k N); N idle pulses at "
        "the end unless there is one cluster"};
    out->messages = w->given ? given_messages[which] : messages[which];
    out->time = w->given ? given_times[which] : times[which];
    out->source = "Awerbuch, Complexity of network synchronization, JACM "
                  "1985; Lynch, Distributed Algorithms, ch. 16";
    out->model = inner->model;
    out->model.undirected = true; /* acks and safe go back */
    out->model.connected = true;
    out->model.fifo = false;
    out->model.timing = DISCO_ASYNC;
    out->model.sync_by_default = false;
    out->params = inner->params;
    out->param_count = inner->param_count;
    out->inputs = inner->inputs;
    out->input_count = inner->input_count;
    out->message_kinds = w->kinds;
    out->kind_count = w->kind_count;
    out->properties = w->properties;
    out->property_count = w->property_count;
    out->state_size = w->inner_size + round16(sizeof(struct layer)) +
                      (which == DISCO_SYNCHRONIZER_GAMMA
                           ? sizeof(struct table_msg)
                           : 0);
    out->port_state_size = w->inner_port + sizeof(struct port_part);
    /* The layer keeps nothing per in-port: the inner algorithm's in-port
     * parts are the whole of them, reached by its own disco_in_port_state. */
    out->in_port_state_size = inner->in_port_state_size;
    out->init = cb->init;
    out->on_message = cb->on_message;
    out->format_state = cb->format;
    out->result = cb->result;
    out->parent_port = inner->parent_port;
    out->is_leader = inner->is_leader;
    out->orientation = inner->orientation;
}

static void given_release(struct wrapper *w)
{
    free(w->g_offset);
    free(w->g_target);
    free(w->g_parent);
    free(w->g_depth);
    free(w->g_cluster);
    free(w->g_neighbours);
    free(w->g_flags);
    w->g_offset = w->g_target = w->g_parent = w->g_depth = NULL;
    w->g_cluster = w->g_neighbours = NULL;
    w->g_flags = NULL;
    w->g_nodes = w->g_channels = 0;
    w->given = false;
}

/* Is the slot's copy of the topology this one? */
static bool given_same(const struct wrapper *w,
                       const struct disco_topology *topo)
{
    return w->given && w->g_nodes == topo->nodes &&
           w->g_channels == topo->channels &&
           !memcmp(w->g_offset, topo->out_offset,
                   (topo->nodes + 1) * sizeof *topo->out_offset) &&
           !memcmp(w->g_target, topo->out_target,
                   topo->channels * sizeof *topo->out_target);
}

static uint32_t channel_to(const struct wrapper *w, uint32_t u, uint32_t v)
{
    for (uint32_t c = w->g_offset[u]; c < w->g_offset[u + 1]; c++)
        if (w->g_target[c] == v)
            return c;
    return NONE;
}

/* An edge between two clusters, for choosing the preferred ones. */
struct cross {
    uint32_t a, b, lo, hi; /* clusters a < b; nodes lo < hi */
};

static int cross_order(const void *x, const void *y)
{
    const struct cross *p = x, *q = y;
    const uint32_t l[4] = {p->a, p->b, p->lo, p->hi};
    const uint32_t r[4] = {q->a, q->b, q->lo, q->hi};
    for (int i = 0; i < 4; i++)
        if (l[i] != r[i])
            return l[i] < r[i] ? -1 : 1;
    return 0;
}

/* BFS by whole layers from `seed` over the nodes with cluster NONE.
 * beta (k = 0): every layer joins.  gamma: the next layer joins while it
 * has more than (k-1) * |cluster| nodes (Awerbuch).  Parents and depths of
 * the members are set; `queue` holds the members, `mark` marks the last
 * layer tried (with stamp). */
static void grow(struct wrapper *w, uint32_t seed, int64_t k, uint32_t *queue,
                 uint32_t *mark, uint32_t stamp)
{
    uint32_t size = 1, begin = 0;
    queue[0] = seed;
    w->g_cluster[seed] = seed;
    w->g_parent[seed] = NONE;
    w->g_depth[seed] = 0;
    for (uint32_t depth = 1;; depth++) {
        uint32_t end = size, next = size;
        for (uint32_t i = begin; i < end; i++) {
            uint32_t u = queue[i];
            for (uint32_t c = w->g_offset[u]; c < w->g_offset[u + 1]; c++) {
                uint32_t x = w->g_target[c];
                if (w->g_cluster[x] != NONE || mark[x] == stamp + depth)
                    continue;
                mark[x] = stamp + depth;
                w->g_parent[x] = u;
                w->g_depth[x] = depth;
                queue[next++] = x;
            }
        }
        uint64_t layer = next - end;
        if (layer == 0 ||
            (k > 0 && layer <= (uint64_t)(k - 1) * (uint64_t)size))
            return;
        for (uint32_t i = end; i < next; i++)
            w->g_cluster[queue[i]] = seed;
        begin = end;
        size = next;
    }
}

/* The tree or partition, computed centrally (see synchronizer.h). */
static int given_compute(struct wrapper *w, enum disco_synchronizer which,
                         int64_t param, const struct disco_topology *topo,
                         struct disco_error *err)
{
    uint32_t n = topo->nodes, ch = topo->channels;
    given_release(w);
    w->g_nodes = n;
    w->g_channels = ch;
    w->g_offset = malloc((n + 1) * sizeof *w->g_offset);
    w->g_target = malloc((ch ? ch : 1) * sizeof *w->g_target);
    w->g_parent = malloc(n * sizeof *w->g_parent);
    w->g_depth = malloc(n * sizeof *w->g_depth);
    w->g_cluster = malloc(n * sizeof *w->g_cluster);
    w->g_neighbours = calloc(n, sizeof *w->g_neighbours);
    w->g_flags = calloc(ch ? ch : 1, 1);
    uint32_t *queue = malloc(n * sizeof *queue);
    uint32_t *mark = calloc(n, sizeof *mark);
    struct cross *cross = malloc((ch ? ch : 1) * sizeof *cross);
    if (!w->g_offset || !w->g_target || !w->g_parent || !w->g_depth ||
        !w->g_cluster || !w->g_neighbours || !w->g_flags || !queue ||
        !mark || !cross) {
        free(queue);
        free(mark);
        free(cross);
        given_release(w);
        return disco_fail(err, DISCO_ENOMEM,
                          "out of memory computing the synchronizer's %s",
                          which == DISCO_SYNCHRONIZER_BETA ? "tree"
                                                           : "partition");
    }
    w->given = true;
    memcpy(w->g_offset, topo->out_offset, (n + 1) * sizeof *w->g_offset);
    memcpy(w->g_target, topo->out_target, ch * sizeof *w->g_target);
    for (uint32_t v = 0; v < n; v++)
        w->g_cluster[v] = NONE;
    int rc = 0;
    if (which == DISCO_SYNCHRONIZER_BETA) {
        grow(w, (uint32_t)param, 0, queue, mark, 0);
        for (uint32_t v = 0; v < n; v++)
            if (w->g_cluster[v] == NONE) {
                rc = disco_fail(err, DISCO_EMODEL,
                                "beta:bfs:%lld: node %u is not reachable "
                                "from the root (the network must be "
                                "connected)",
                                (long long)param, v);
                break;
            }
    } else {
        /* Seeds in index order; stamps keep the layer marks apart. */
        uint32_t stamp = 0;
        for (uint32_t v = 0; v < n; v++)
            if (w->g_cluster[v] == NONE) {
                grow(w, v, param, queue, mark, stamp);
                stamp += n + 1;
            }
        /* One preferred edge per pair of neighbouring clusters: the least
         * (lo, hi) pair of node indices, as the distributed gamma does. */
        size_t crossings = 0;
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t c = w->g_offset[u]; c < w->g_offset[u + 1]; c++) {
                uint32_t x = w->g_target[c];
                uint32_t a = w->g_cluster[u], b = w->g_cluster[x];
                if (u < x && a != b)
                    cross[crossings++] = (struct cross){
                        a < b ? a : b, a < b ? b : a, u, x};
            }
        qsort(cross, crossings, sizeof *cross, cross_order);
        for (size_t i = 0; i < crossings; i++) {
            if (i && cross[i].a == cross[i - 1].a &&
                cross[i].b == cross[i - 1].b)
                continue;
            uint32_t c1 = channel_to(w, cross[i].lo, cross[i].hi);
            uint32_t c2 = channel_to(w, cross[i].hi, cross[i].lo);
            w->g_flags[c1] |= GIVEN_PREFERRED;
            w->g_flags[c2] |= GIVEN_PREFERRED;
            w->g_neighbours[cross[i].a]++;
            w->g_neighbours[cross[i].b]++;
        }
    }
    /* Children: the tree edges (gamma: inside the clusters). */
    for (uint32_t v = 0; v < n; v++)
        if (w->g_parent[v] != NONE)
            w->g_flags[channel_to(w, w->g_parent[v], v)] |= GIVEN_CHILD;
    free(queue);
    free(mark);
    free(cross);
    if (rc)
        given_release(w);
    return rc;
}

static int synchronize(struct disco_algorithm *out,
                       const struct disco_algorithm *inner,
                       enum disco_synchronizer which, int64_t param,
                       const struct disco_topology *topo,
                       struct disco_error *err);

int disco_synchronize(struct disco_algorithm *out,
                      const struct disco_algorithm *inner,
                      enum disco_synchronizer which, int64_t param,
                      struct disco_error *err)
{
    return synchronize(out, inner, which, param, NULL, err);
}

int disco_synchronize_given(struct disco_algorithm *out,
                            const struct disco_algorithm *inner,
                            enum disco_synchronizer which, int64_t param,
                            const struct disco_topology *topo,
                            struct disco_error *err)
{
    if (which != DISCO_SYNCHRONIZER_BETA && which != DISCO_SYNCHRONIZER_GAMMA)
        return disco_fail(err, DISCO_EINVAL,
                          "only beta and gamma take a given tree or "
                          "partition");
    if (!topo)
        return disco_fail(err, DISCO_EINVAL,
                          "a given tree or partition needs the topology");
    return synchronize(out, inner, which, param, topo, err);
}

static int synchronize(struct disco_algorithm *out,
                       const struct disco_algorithm *inner,
                       enum disco_synchronizer which, int64_t param,
                       const struct disco_topology *topo,
                       struct disco_error *err)
{
    if (which != DISCO_SYNCHRONIZER_ALPHA &&
        which != DISCO_SYNCHRONIZER_BETA && which != DISCO_SYNCHRONIZER_GAMMA)
        return disco_fail(err, DISCO_EINVAL, "unknown synchronizer %d",
                          (int)which);
    if (!inner->on_round || !(inner->model.timing & DISCO_SYNC))
        return disco_fail(err, DISCO_EMODEL,
                          "%s is not a synchronous algorithm (a synchronizer "
                          "runs algorithms with rounds)",
                          inner->name);
    unsigned kinds = which == DISCO_SYNCHRONIZER_ALPHA  ? 2
                     : which == DISCO_SYNCHRONIZER_BETA ? 5
                                                        : LAYER_KINDS;
    unsigned extra = which == DISCO_SYNCHRONIZER_ALPHA ? 3 : 4;
    if (inner->kind_count + kinds > 256)
        return disco_fail(err, DISCO_ELIMIT,
                          "%s has too many message kinds to synchronize",
                          inner->name);
    if (inner->property_count + extra > MAX_PROPERTIES)
        return disco_fail(err, DISCO_ELIMIT,
                          "%s has too many properties to synchronize",
                          inner->name);
    if (param < (which == DISCO_SYNCHRONIZER_GAMMA ? 1 : 0))
        return disco_fail(err, DISCO_EINVAL,
                          "bad synchronizer parameter %lld: expected a node "
                          "index (beta) or a cluster depth >= 1 (gamma)",
                          (long long)param);

    struct wrapper *w = &wrappers[which];
    const struct callbacks *cb = &callbacks[which];
    /* The slot is written only when the configuration changes, so that
     * `disco check` (which prepares its first run on one thread) has its
     * worker threads only read it. */
    if (topo && topo->directed)
        return disco_fail(err, DISCO_EMODEL,
                          "%s+%s needs an undirected network (acks and safe "
                          "go back along each channel)",
                          inner->name, synchronizer_names[which]);
    if (topo && which == DISCO_SYNCHRONIZER_BETA &&
        param >= (int64_t)topo->nodes)
        return disco_fail(err, DISCO_EINVAL,
                          "bad beta root %lld: not a node of the network "
                          "(%u nodes)",
                          (long long)param, topo->nodes);
    if (w->inner == inner && w->root == param && w->which == which &&
        (topo ? given_same(w, topo) : !w->given)) {
        fill_algorithm(out, w, inner, which);
        return 0;
    }
    if (topo) {
        int rc = given_compute(w, which, param, topo, err);
        if (rc) {
            w->inner = NULL;
            return rc;
        }
    } else {
        given_release(w);
    }
    w->which = which;
    w->inner = inner;
    w->root = param;
    w->inner_size = round16(inner->state_size);
    w->inner_port = round16(inner->port_state_size);
    w->base = inner->kind_count;
    for (unsigned k = 0; k < inner->kind_count; k++)
        w->kinds[k] = inner->message_kinds[k];
    for (unsigned k = 0; k < kinds; k++)
        w->kinds[w->base + k] = layer_kind_names[k];
    unsigned np = 0;
    for (unsigned i = 0; i < inner->property_count; i++)
        w->properties[np++] = inner->properties[i];
    w->properties[np++] = (struct disco_property){
        "synchronized",
        "every node ran the same pulses and stopped after the same one, and "
        "every inner message fitted the layer",
        DISCO_PROPERTY_FINAL, cb->synchronized, true};
    w->properties[np++] = (struct disco_property){
        "acks", "exactly one ack per basic (inner) message",
        DISCO_PROPERTY_FINAL, cb->acks, true};
    static const char *const per_pulse_names[3] = {
        "safe_2m_per_pulse", "tree_2n_per_pulse", "clusters_per_pulse"};
    static const char *const per_pulse_text[3] = {
        "alpha sends exactly 2m safe messages per pulse",
        "beta sends exactly N-1 safe and N-1 pulse messages per pulse",
        "gamma sends per pulse 2 on each cluster-tree edge (4 when there is "
        "more than one cluster) and 2 on each preferred edge"};
    w->properties[np++] = (struct disco_property){
        per_pulse_names[which], per_pulse_text[which], DISCO_PROPERTY_FINAL,
        cb->per_pulse, true};
    if (which != DISCO_SYNCHRONIZER_ALPHA)
        w->properties[np++] = (struct disco_property){
            "tree_setup",
            w->given ? "the tree or partition is given: no setup message"
                     : "the echo wave building the tree costs exactly 2m "
                       "messages, N-1 of them echoes",
            DISCO_PROPERTY_FINAL, cb->tree, true};
    snprintf(w->name, sizeof w->name, "%s+%s", inner->name,
             synchronizer_names[which]);
    w->kind_count = inner->kind_count + kinds;
    w->property_count = np;

    fill_algorithm(out, w, inner, which);
    return 0;
}

static int synchronize_text(struct disco_algorithm *out,
                            const struct disco_algorithm *inner,
                            const char *text, uint32_t nodes,
                            const struct disco_topology *topo,
                            struct disco_error *err);

int disco_synchronize_text(struct disco_algorithm *out,
                           const struct disco_algorithm *inner,
                           const char *text, uint32_t nodes,
                           struct disco_error *err)
{
    return synchronize_text(out, inner, text, nodes, NULL, err);
}

int disco_synchronize_topology(struct disco_algorithm *out,
                               const struct disco_algorithm *inner,
                               const char *text,
                               const struct disco_topology *topo,
                               struct disco_error *err)
{
    return synchronize_text(out, inner, text, topo->nodes, topo, err);
}

/* "beta:bfs[:ROOT]" and "gamma:awerbuch[:K]": the given forms. */
static int given_text(struct disco_algorithm *out,
                      const struct disco_algorithm *inner, const char *text,
                      enum disco_synchronizer which, const char *rest,
                      uint32_t nodes, const struct disco_topology *topo,
                      struct disco_error *err)
{
    long long v = which == DISCO_SYNCHRONIZER_GAMMA ? 2 : 0;
    if (*rest) {
        char *end;
        v = strtoll(rest + 1, &end, 10);
        if (*rest != ':' || end == rest + 1 || *end ||
            v < (which == DISCO_SYNCHRONIZER_GAMMA ? 1 : 0))
            return disco_fail(err, DISCO_EINVAL,
                              "bad --synchronizer '%s' (beta:bfs:ROOT or "
                              "gamma:awerbuch:K, K >= 1)",
                              text);
    }
    if (which == DISCO_SYNCHRONIZER_BETA && v >= (long long)nodes)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --synchronizer '%s': node %lld is not in the "
                          "network (%u nodes)",
                          text, v, nodes);
    if (!topo)
        return disco_fail(err, DISCO_EINVAL,
                          "--synchronizer '%s' needs the topology (call "
                          "disco_synchronize_topology)",
                          text);
    return disco_synchronize_given(out, inner, which, v, topo, err);
}

static int synchronize_text(struct disco_algorithm *out,
                            const struct disco_algorithm *inner,
                            const char *text, uint32_t nodes,
                            const struct disco_topology *topo,
                            struct disco_error *err)
{
    if (!strncmp(text, "beta:bfs", 8))
        return given_text(out, inner, text, DISCO_SYNCHRONIZER_BETA,
                          text + 8, nodes, topo, err);
    if (!strncmp(text, "gamma:awerbuch", 14))
        return given_text(out, inner, text, DISCO_SYNCHRONIZER_GAMMA,
                          text + 14, nodes, topo, err);
    const char *const *names = synchronizer_names;
    const char *colon = strchr(text, ':');
    size_t len = colon ? (size_t)(colon - text) : strlen(text);
    for (unsigned k = 0; k < 3; k++) {
        if (strlen(names[k]) != len || strncmp(text, names[k], len) != 0)
            continue;
        int64_t param = k == DISCO_SYNCHRONIZER_GAMMA ? 2 : 0;
        if (colon) {
            char *end;
            long long v = strtoll(colon + 1, &end, 10);
            if (k == DISCO_SYNCHRONIZER_ALPHA || end == colon + 1 || *end ||
                v < (k == DISCO_SYNCHRONIZER_GAMMA ? 1 : 0))
                return disco_fail(err, DISCO_EINVAL,
                                  "bad --synchronizer '%s' (alpha, beta, "
                                  "beta:ROOT, beta:bfs:ROOT, gamma, gamma:K "
                                  "or gamma:awerbuch:K, K >= 1)",
                                  text);
            if (k == DISCO_SYNCHRONIZER_BETA && v >= (long long)nodes)
                return disco_fail(err, DISCO_EINVAL,
                                  "bad --synchronizer '%s': node %lld is not "
                                  "in the network (%u nodes)",
                                  text, v, nodes);
            param = v;
        }
        return disco_synchronize(out, inner, (enum disco_synchronizer)k,
                                 param, err);
    }
    const char *close = disco_suggest(text, names, 3);
    if (close)
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown --synchronizer '%s' (did you mean '%s'?)",
                          text, close);
    return disco_fail(err, DISCO_EUNKNOWN,
                      "unknown --synchronizer '%s' (alpha, beta or gamma)",
                      text);
}

void disco_synchronizer_node(const struct disco_view *view,
                             enum disco_synchronizer which, uint32_t v,
                             struct disco_synchronizer_node *out)
{
    const struct wrapper *w = &wrappers[which];
    const struct layer *s = view_layer(w, view, v);
    uint32_t port = which == DISCO_SYNCHRONIZER_GAMMA ? s->cparent : s->parent;
    out->parent =
        port == DISCO_NO_PORT ? NONE : disco_view_neighbour(view, v, port);
    out->depth = s->depth;
    out->cluster = s->cluster;
}

bool disco_synchronizer_given(const char *text)
{
    return !strncmp(text, "beta:bfs", 8) || !strncmp(text, "gamma:awerbuch", 14);
}
