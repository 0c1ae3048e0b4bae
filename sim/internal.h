/*
 * internal.h - the kernel's own structures, shared by sim.c and view.c.
 * Nothing outside sim/ includes this, but white-box tests.
 */
#ifndef DISCO_INTERNAL_H
#define DISCO_INTERNAL_H

#include <stdatomic.h>

#include "disco_sim.h"
#include "queue.h"

#define DISCO__MAX_OBSERVERS 8

/* Per-node flags, one byte each. */
enum {
    DISCO__NODE_INITIATOR = 1u << 0,
    DISCO__NODE_CRASHED = 1u << 1,
    DISCO__NODE_PASSIVE = 1u << 2,
    DISCO__NODE_BYZANTINE = 1u << 3,   /* sends pass through the strategy */
    DISCO__NODE_CRASHING = 1u << 4,    /* a partial crash: sends left in
                                        * crash_budget, then it crashes */
    DISCO__NODE_OMIT_SEND = 1u << 5,   /* in a send-omission window */
    DISCO__NODE_OMIT_RECEIVE = 1u << 6,
};

/* What the event loop touches of a node on every delivery and send, in
 * one 32-byte record so that a delivery costs one cache miss, not six. */
struct disco__node {
    uint64_t rng;           /* the algorithm's random stream */
    uint64_t net_rng;       /* the network's stream for this node's sends */
    uint32_t first_channel; /* = topology out_offset[node] */
    uint32_t degree;        /* out-degree */
    uint32_t depth;         /* causal depth: longest message chain so far */
    uint8_t flags;          /* DISCO__NODE_* */
    /* Causal tokens held (sim.c, "Causal tokens"): 24 bits, low byte
     * first, in the record's spare bytes; they count nodes, fewer than
     * 2^24 in token mode. */
    uint8_t tokens[3];
};
_Static_assert(sizeof(struct disco__node) == 32, "node record grew");

/* The handle callbacks act through: which node is running, in which sim. */
struct disco_ctx {
    struct disco_sim *sim;
    uint32_t node;
    /* A layer (a synchronizer) running an inner algorithm takes its sends
     * here; NULL: sends go to the network. */
    disco_send_hook_fn *send_hook;
    void *hook_state;
    /* A layer's clock (disco_set_layer_clock): what disco_now says. */
    bool layer_clock;
    disco_time_t layer_now;
};

/* The read-only face of a sim handed to property checks. */
struct disco_view {
    struct disco_sim *sim;
};

/* What tracks causality for a run's trace properties (sim.c, "The causal
 * log" and "Causal tokens").  Set at create (NONE or LOG), refined when
 * the run starts, and GAVE_UP once the log or the tokens pass the log's
 * limit (causal_drop).  The questions asked of two modes at once are
 * disco__causal_logged and disco__causal_in_events. */
enum disco__causal_mode {
    DISCO__CAUSAL_NONE,    /* no trace property, or a limit of 0 */
    /* Past the limit (or out of memory): no log, no tokens; the checks
     * that needed them say "not checked". */
    DISCO__CAUSAL_GAVE_UP,
    /* The log, with each message's sender position in send_position:
     * a trace or vector clocks read the events' `lamport` field. */
    DISCO__CAUSAL_LOG,
    /* The log, with nothing else reading an event's `lamport` field: each
     * message carries its sender (high 32 bits) and the sender's position
     * (low 32) there, and the log needs no per-message array, no slow
     * paths and no read at a receive. */
    DISCO__CAUSAL_LOG_IN_EVENTS,
    /* No log: the `lamport` field carries a message's tokens, asked by
     * cfg.causal_tokens for an algorithm they certify (tokens_certify),
     * where LOG_IN_EVENTS would have been. */
    DISCO__CAUSAL_TOKENS,
};

/* One receive in the causal log, the i-th (at position i + 1): `node`
 * received a message that `from` sent at position `from_position` (sim.c,
 * "The causal log").  When node numbers and positions fit in 64 bits
 * (every run of up to 2^20 nodes under the default cap), the log packs
 * each entry into one word instead (struct disco__causal_packing). */
struct disco__causal_entry {
    uint32_t node, from, from_position;
};

/* A packed entry: node << node_shift | from << from_shift | from_position
 * (from_position below 2^from_shift). */
struct disco__causal_packing {
    unsigned node_shift, from_shift; /* 0: entries are not packed */
};

static inline uint64_t disco__causal_pack(struct disco__causal_packing p,
                                          uint32_t node, uint32_t from,
                                          uint32_t from_position)
{
    return (uint64_t)node << p.node_shift | (uint64_t)from << p.from_shift |
           from_position;
}

static inline struct disco__causal_entry
disco__causal_unpack(struct disco__causal_packing p, uint64_t word)
{
    uint64_t from_mask = ((uint64_t)1 << (p.node_shift - p.from_shift)) - 1;
    return (struct disco__causal_entry){
        .node = (uint32_t)(word >> p.node_shift),
        .from = (uint32_t)(word >> p.from_shift & from_mask),
        .from_position =
            (uint32_t)(word & (((uint64_t)1 << p.from_shift) - 1)),
    };
}

/* Payloads larger than an event's inline bytes live here, in power-of-two
 * size classes with free lists threaded through the freed blocks, so that a
 * steady stream of large messages allocates nothing. */
#define DISCO__POOL_CLASSES 8 /* 32 .. 4096 bytes */
struct disco__pool {
    unsigned char *bytes;
    uint64_t used, capacity;
    uint64_t free_head[DISCO__POOL_CLASSES]; /* offset + 1, 0 = empty */
};

/* Vector clocks of messages in flight (cfg.vector_clocks): one N-entry
 * vector per message number, shared by a message and its duplicate (a
 * reference count), freed when the last copy is delivered or dropped.
 * Slots come from a slab with a free list; an open-addressing table maps
 * message numbers to slots, since the event record has no room left. */
struct disco__vc_store {
    uint64_t *vectors;  /* slot_capacity x nodes */
    uint32_t *refs;     /* per slot: copies in flight; free slots: next free
                         * slot + 1 (0 ends the list) */
    uint32_t slot_count, slot_capacity, free_head; /* free_head: slot + 1 */
    uint64_t *keys;     /* message numbers, 0 = empty */
    uint32_t *values;   /* their slots */
    size_t map_capacity, map_count; /* capacity a power of two */
};

struct disco_sim {
    const struct disco_algorithm *alg;
    const struct disco_topology *topo;
    struct disco_config cfg;      /* copy; arrays below are the sim's own */
    struct disco_view view;
    struct disco_ctx ctx;

    uint32_t nodes;
    size_t stride;                /* bytes of the node part of a state,
                                   * a multiple of 16 */
    size_t *state_offset;         /* nodes + 1 offsets when states carry
                                   * per-port parts, else NULL (uniform) */
    size_t port_stride;           /* bytes per out-port part */
    size_t in_port_stride;        /* bytes per in-port part */
    size_t max_state;             /* the largest state block */
    unsigned char *states;        /* node 0's state: its own array, or
                                   * inside node 0's cell */
    size_t state_step;            /* bytes from one node's state to the
                                   * next's when uniform: stride, or
                                   * DISCO__CELL_BYTES in cells */
    int64_t *ids;                 /* NULL: the default, node i has id i+1 */
    struct disco__node *node;     /* the hot per-node record (disco__node) */
    bool node_cells;              /* records and states share 64-byte cells
                                   * (sim.c, "Node cells") */
    unsigned record_shift;        /* log2 of the step from one record to
                                   * the next: DISCO__RECORD_SHIFT alone,
                                   * DISCO__CELL_SHIFT in cells */
    size_t state_bytes;           /* what `states` was allocated with, for
                                   * disco__big_release_zeroed; 0 in cells,
                                   * which the records' array holds */
    uint64_t *lamport;            /* per node; only with observers */
    uint64_t *vc;                 /* nodes x nodes: node i's vector clock
                                   * at vc + i*nodes; NULL unless
                                   * cfg.vector_clocks */
    struct disco__vc_store vc_store;
    uint64_t *decision_vc;        /* decision_capacity x nodes, or NULL */
    uint32_t *epoch;              /* per node, bumped by a crash to cancel
                                   * its timers; NULL when nothing crashes */
    disco_time_t *fifo_last;      /* per channel, when FIFO needs it and
                                   * a delay can reach 2^31 ticks */
    uint32_t *fifo_near;          /* instead, when every delay is shorter:
                                   * the channel's last arrival minus
                                   * fifo_base, 0 when not after it */
    uint16_t *fifo_short;         /* the same in 16 bits, for large
                                   * graphs whose every delay is below
                                   * 2^15 ticks */
    disco_time_t fifo_base;       /* at most now; rebased every 2^31
                                   * ticks (2^15 for fifo_short) */
    unsigned char fifo_bits;      /* the width of the clocks chosen
                                   * above: 16, 32 or 64, 0 for none.
                                   * arrival, the rebase and the prefetch
                                   * ahead dispatch on it (one test, not
                                   * three pointers; send_plain_all takes
                                   * the pointers, which its copies
                                   * need): while the
                                   * run holds the clocks it says which
                                   * array is allocated.  Kept after the
                                   * run frees them, so that tests can
                                   * tell; nothing sends after that. */
    unsigned char *link_down;     /* per channel, when links can fail:
                                   * how many cuts and partitions hold it
                                   * down (0: up) */

    /* Faults beyond crashes and cuts, each allocated only when used. */
    uint32_t *crash_budget;       /* per node: sends left in a partial crash */
    bool crashing_any;            /* some node is in a partial crash */
    uint64_t *omit_threshold;     /* per node: [0] send, [1] receive */
    const struct disco_strategy *strategy; /* of Byzantine nodes, or NULL */
    bool forging;                 /* the send under way was rewritten */
    bool round_step;              /* init or on_round is running: the step
                                   * a partial crash strikes in rounds */
    unsigned char *forge_buffer;  /* DISCO_MAX_PAYLOAD bytes */
    uint32_t trusted;             /* <>S never suspects it (UINT32_MAX:
                                   * every node crashes some time) */
    uint64_t sign_key;            /* signatures derive from it */
    unsigned char *dyn_absent;    /* per channel: absent this round */
    struct disco_dynamic_graph *dynamic;
    char law_labels[17][48];      /* each law's text, for the trace */

    /* Quiescence of the basic computation (disco_view_quiescence). */
    int64_t active_count;         /* live nodes not passive */
    uint64_t basic_in_transit;    /* deliveries pending, control kinds not
                                   * counted */
    bool quiet, ever_quiet;
    disco_time_t quiet_since, first_quiet;

    /* Per-channel network behaviour, resolved once at create. */
    unsigned char *chan_law;      /* index into laws[], or NULL: all 0;
                                   * 0 follows live_law, a channel with a
                                   * law of its own is never 0 */
    struct disco_delay laws[17];  /* laws[0] the run's --delay, then the
                                   * channels' and delay changes' (16
                                   * distinct, plus a channel's copy of
                                   * laws[0]) */
    unsigned law_count;
    unsigned live_law;            /* the law of channels without their own
                                   * (chan_law 0): laws[0], the run's
                                   * --delay, until a --delay-change */
    uint64_t *chan_loss;          /* loss threshold per channel, or NULL */
    unsigned char *chan_fifo;     /* per channel, or NULL: cfg.fifo */
    uint64_t loss_threshold, dup_threshold; /* probability * 2^64 */

    struct disco_input_value *inputs;
    size_t input_count;

    /* Set when the run starts, and again when the causal log gives up:
     * nothing observes a message (but a causal log that travels in the
     * events) and the network can neither lose, duplicate nor block one,
     * so sends and deliveries take the short paths (send_plain,
     * deliver_plain). */
    bool plain_send, plain_deliver;

    struct disco__queue queue;
    uint64_t pending_work;        /* deliveries, timers, and recoveries
                                   * of an algorithm with on_recover */
    struct disco__pool pool;
    disco_time_t now;
    /* The last event time the run processes (bounded_out): --max-time, or
     * 2^63 - 1 less the longest delay any law of the run draws, so that
     * `now + delay` stays below 2^63 and cannot wrap around on a chain of
     * long delays; an event later than that one fails the run. */
    disco_time_t time_bound;
    disco_time_t longest_delay;
    uint64_t msg_counter;
    bool sync;
    bool ran;

    struct disco_metrics metrics;
    /* metrics.events and .time as of the last report, for another thread
     * drawing a progress line (disco_sim_progress): stored now and then by
     * the run, never read by it. */
    _Atomic uint64_t progress_events;
    _Atomic disco_time_t progress_time;

    struct disco_observer observers[DISCO__MAX_OBSERVERS];
    unsigned observer_count;
    bool want_state;
    uint64_t observed_seq;
    unsigned char *state_before;  /* scratch copy of one state */

    struct disco_decision *decisions;
    size_t decision_count, decision_capacity;

    /* The receives: `causal` (entries) or, packed, `causal_words`. */
    struct disco__causal_entry *causal;
    uint64_t *causal_words;
    struct disco__causal_packing causal_packing;
    size_t causal_count, causal_capacity;
    size_t causal_reserved, send_reserved; /* bytes of address space the
                                            * two arrays reserve, or 0 when
                                            * malloc'd (grow_log) */
    size_t causal_prefaulted, send_prefaulted; /* bytes of each handed to
                                                * the prefault helper */
    uint32_t *send_position;      /* per message number - 1: the sender's
                                   * position at the send */
    size_t send_capacity;
    /* How causality is tracked for trace properties: one mode, so that
     * each path asks one question (enum disco__causal_mode). */
    enum disco__causal_mode causal_mode;
    /* Token mode: decision_tokens holds what each decider held, and
     * tokens_short is set when a check needed a decision they do not
     * certify (disco_sim_causal_rerun). */
    bool tokens_short;
    uint32_t *decision_tokens;
    uint64_t token_receives; /* receives in token mode, against the log's
                              * limit (receive_tokens) */
    /* Set when a check hit a missing oracle, with why: the detail of
     * its result says which. */
    enum {
        CHECK_ANSWERED,
        CHECK_UNCHECKED_LOG,    /* no log, or too large for it */
        CHECK_UNCHECKED_TOKENS, /* the tokens do not certify it */
    } check_unchecked;

    /* First invariant violation, if any (per property index). */
    char *invariant_failure;      /* property_count * 256 bytes, or NULL */

    /* An algorithm misuse (bad port, oversized payload) stops the run. */
    int fault_code;
    char fault_message[256];
};

/* Byzantine strategies (byzantine.c): the one `name` resolves to for
 * `alg`, its own first, or NULL. */
const struct disco_strategy *
disco__strategy_find(const struct disco_algorithm *alg, const char *name);
/* Whether the generic strategy needs the algorithm's lie callback. */
bool disco__strategy_needs_lie(const struct disco_strategy *strategy);
/* The strategy `name` names for `alg`, or the one-line error a user sees
 * (an unknown name with a suggestion, or a lie the algorithm cannot
 * tell): what the model check and disco_sim_create both ask. */
int disco__strategy_resolve(const struct disco_algorithm *alg,
                            const char *name,
                            const struct disco_strategy **out,
                            struct disco_error *err);

/* Dynamic networks (dynamic.c): draw the channels absent in `round` into
 * sim->dyn_absent.  The graph of round r carries the messages delivered in
 * round r, that is those sent in round r-1 (init's sends for round 1). */
int disco__dynamic_create(struct disco_sim *sim, struct disco_error *err);
void disco__dynamic_round(struct disco_sim *sim, disco_time_t round);
void disco__dynamic_free(struct disco_sim *sim);

/* Where channel c's in-port is stored, in whichever array holds them: for
 * the event loop's prefetches, which need an address, not a value. */
static inline const void *
disco__in_port_addr(const struct disco_topology *t, uint32_t c)
{
    return t->in_port_short ? (const void *)&t->in_port_short[c]
                            : (const void *)&t->in_port[c];
}

/* The longest delay a law can draw (exp: -ln of the smallest 1 - u, 2^-53,
 * is 36.8 means), or UINT64_MAX when it is not below 2^63. */
disco_time_t disco__delay_max(const struct disco_delay *law);

/* Node cells (disco_sim_create, "Node cells"): a node's record and its
 * state in one 64-byte line, the state after the record. */
#define DISCO__RECORD_SHIFT 5u
#define DISCO__CELL_SHIFT 6u
#define DISCO__CELL_BYTES (1u << DISCO__CELL_SHIFT)
_Static_assert(sizeof(struct disco__node) == 1u << DISCO__RECORD_SHIFT,
               "records alone are a shift apart");
_Static_assert(DISCO__CELL_BYTES == 2 * sizeof(struct disco__node),
               "a cell is a record and at most a record's size of state");

/* The padding cells may add, at most (2^22 nodes of 16-byte states). */
#define DISCO__CELLS_EXTRA_MAX ((size_t)64 << 20)

/* Whether a sim of `nodes` nodes of this algorithm, whose states' node
 * parts take `stride` bytes, keeps them in cells (sim.c, "Node cells"). */
bool disco__node_cells(const struct disco_algorithm *alg, uint32_t nodes,
                       size_t stride);

static inline struct disco__node *disco__node(const struct disco_sim *sim,
                                              uint32_t node)
{
    return (struct disco__node *)(void *)((unsigned char *)sim->node +
                                          ((size_t)node << sim->record_shift));
}

/* Whether the causal log is kept (LOG or LOG_IN_EVENTS). */
static inline bool disco__causal_logged(const struct disco_sim *sim)
{
    return sim->causal_mode == DISCO__CAUSAL_LOG ||
           sim->causal_mode == DISCO__CAUSAL_LOG_IN_EVENTS;
}

/* Whether each message's `lamport` field carries causality (its sender
 * and position, or its tokens) and counts against the log's limit. */
static inline bool disco__causal_in_events(const struct disco_sim *sim)
{
    return sim->causal_mode == DISCO__CAUSAL_LOG_IN_EVENTS ||
           sim->causal_mode == DISCO__CAUSAL_TOKENS;
}

static inline void *disco__state(const struct disco_sim *sim, uint32_t node)
{
    return sim->states + (sim->state_offset ? sim->state_offset[node]
                                            : (size_t)node * sim->state_step);
}

/* A node's part for in-port `in_port`: after the node part and the
 * out-port parts, rounded up to 16 bytes (disco_sim_create's layout). */
static inline unsigned char *disco__in_port_state(const struct disco_sim *sim,
                                                  uint32_t node,
                                                  uint32_t in_port)
{
    size_t out_ports = (size_t)disco__node(sim, node)->degree *
                       sim->port_stride;
    return (unsigned char *)disco__state(sim, node) + sim->stride +
           ((out_ports + 15) & ~(size_t)15) +
           (size_t)in_port * sim->in_port_stride;
}

/* The bytes of a node's whole state block, per-port parts included. */
static inline size_t disco__state_size(const struct disco_sim *sim,
                                       uint32_t node)
{
    return sim->state_offset
               ? sim->state_offset[node + 1] - sim->state_offset[node]
               : sim->stride;
}

static inline int64_t disco__id(const struct disco_sim *sim, uint32_t node)
{
    return sim->ids ? sim->ids[node] : (int64_t)node + 1;
}

static inline uint32_t disco__epoch(const struct disco_sim *sim, uint32_t node)
{
    return sim->epoch ? sim->epoch[node] : 0;
}

/* splitmix64 as a compact per-node generator: 8 bytes of state, good
 * statistical quality, and seeded per (seed, stream) like disco_rng. */
uint64_t disco__stream_seed(uint64_t seed, uint64_t stream);
/* Inline: the event loop draws two or three numbers per delivery. */
static inline uint64_t disco__splitmix_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif /* DISCO_INTERNAL_H */
