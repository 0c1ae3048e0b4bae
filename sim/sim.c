/*
 * sim.c - the kernel: the event loop, the network layer and the callbacks'
 * side of the API (disco_send and friends).
 *
 * One simulation runs on one thread.  Events are values in a radix heap
 * keyed by integer time; equal times keep insertion order, which with the
 * derived random streams makes every run a pure function of (algorithm,
 * topology, config).
 */
#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "big_array.h"
#include "internal.h"
#include "prefault.h"

/* ------------------------------------------------------------------------ */
/* Payload pool.                                                             */

static unsigned pool_class(size_t len)
{
    unsigned cls = 0;
    size_t size = 32;
    while (size < len) {
        size <<= 1;
        cls++;
    }
    return cls;
}

static int pool_alloc(struct disco__pool *pool, size_t len, uint64_t *offset)
{
    unsigned cls = pool_class(len);
    if (pool->free_head[cls]) {
        *offset = pool->free_head[cls] - 1;
        memcpy(&pool->free_head[cls], pool->bytes + *offset, sizeof(uint64_t));
        return 0;
    }
    uint64_t size = (uint64_t)32 << cls;
    if (pool->used + size > pool->capacity) {
        uint64_t capacity = pool->capacity ? pool->capacity * 2 : 65536;
        while (capacity < pool->used + size)
            capacity *= 2;
        unsigned char *bytes = realloc(pool->bytes, capacity);
        if (!bytes)
            return DISCO_ENOMEM;
        pool->bytes = bytes;
        pool->capacity = capacity;
    }
    *offset = pool->used;
    pool->used += size;
    return 0;
}

static void pool_free(struct disco__pool *pool, uint64_t offset, size_t len)
{
    unsigned cls = pool_class(len);
    memcpy(pool->bytes + offset, &pool->free_head[cls], sizeof(uint64_t));
    pool->free_head[cls] = offset + 1;
}

static const void *event_payload(const struct disco_sim *sim,
                                 const struct disco__event *ev)
{
    if (ev->len <= DISCO__INLINE_PAYLOAD)
        return ev->payload.bytes;
    return sim->pool.bytes + ev->payload.pool;
}

/* ------------------------------------------------------------------------ */
/* Errors raised by the algorithm's misuse of the API.                      */

/* Simulated time stays below 2^63 (sim->time_bound). */
#define TIME_LIMIT ((disco_time_t)INT64_MAX)

static void sim_fault(struct disco_sim *sim, int code, const char *fmt, ...)
{
    if (sim->fault_code)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sim->fault_message, sizeof sim->fault_message, fmt, ap);
    va_end(ap);
    sim->fault_code = code;
}


/* ------------------------------------------------------------------------ */
/* The causal log: one entry per receive, in global order, naming the
 * receiver, the sender and the sender's position at the send.  A local
 * event's position is the log's length when it happens (after its own
 * entry, for a receive): positions order each node's events, the receive
 * of entry i is at position i + 1, and a send costs no per-node counter.
 * Enough to walk the happened-before relation backwards from any decision
 * (disco_view_causal_past). */

static void update_plain_paths(struct disco_sim *sim);
static void free_log(void *array, size_t *reserved, size_t *prefaulted);

/* The receives' array in use, packed words or whole entries, and the size
 * of one of its entries. */
static void **causal_log(struct disco_sim *sim, size_t *entry_size)
{
    if (sim->causal_packing.node_shift) {
        *entry_size = sizeof *sim->causal_words;
        return (void **)&sim->causal_words;
    }
    *entry_size = sizeof *sim->causal;
    return (void **)&sim->causal;
}

/* Free the log's arrays and forget their contents. */
static void causal_free(struct disco_sim *sim)
{
    size_t entry_size;
    void **log = causal_log(sim, &entry_size);
    free_log(*log, &sim->causal_reserved, &sim->causal_prefaulted);
    *log = NULL;
    free_log(sim->send_position, &sim->send_reserved,
             &sim->send_prefaulted);
    sim->send_position = NULL;
    sim->causal_count = sim->causal_capacity = sim->send_capacity = 0;
}

static void causal_drop(struct disco_sim *sim)
{
    /* Past the limit (or out of memory) the log is useless: free it, and
     * the checks that need it report "not checked".  Causal tokens give up
     * at the same limit, so that the queue can drop the field that carries
     * them (at 10^7 nodes it would take the peak past 2 GB). */
    causal_free(sim);
    sim->causal_mode = DISCO__CAUSAL_GAVE_UP;
    /* Nothing else may read message numbers: the queue can forget them
     * (at 10^7 nodes, a third of its memory at the crest of a wave), and
     * the run can take the plain paths again.  Without the memory to
     * rewrite its records, the queue just keeps them. */
    if (!sim->observer_count && !sim->vc)
        (void)disco__queue_forget_msg(&sim->queue);
    update_plain_paths(sim);
}

static bool grow(void **array, size_t *capacity, size_t needed, size_t size,
                 uint64_t limit)
{
    if (needed <= *capacity)
        return true;
    size_t want = *capacity ? *capacity * 2 : 4096;
    if (want > limit)
        want = limit;
    if (want < needed)
        return false;
    void *p = realloc(*array, want * size);
    if (!p)
        return false;
    *array = p;
    *capacity = want;
    return true;
}

/* When the prefault helper starts on a reserved log, how far ahead of its
 * end it works, and how much it is asked for at a time: the log grows by
 * about 8 bytes per receive, 4 MB in a few tens of milliseconds, which the
 * helper faults in a few milliseconds.  Below LOG_PREFAULT_START nothing is
 * asked: most runs' logs stay that small, and faulting in megabytes they
 * never write (and starting a thread for it) would double a small run's
 * time. */
#define LOG_PREFAULT_START ((size_t)4 << 20)
#define LOG_PREFAULT_AHEAD ((size_t)8 << 20)
#define LOG_PREFAULT_STEP ((size_t)4 << 20)

/* A reserved log of `needed` entries: ask the prefault helper for the
 * pages ahead of its end when due, and return how many entries it may hold
 * before the next look (its capacity, to grow_log's fast path). */
static size_t log_look_ahead(void *array, size_t reserved, size_t *prefaulted,
                             size_t needed, size_t size)
{
    size_t used = needed * size;
    if (used >= LOG_PREFAULT_START && used + LOG_PREFAULT_AHEAD > *prefaulted &&
        *prefaulted < reserved) {
        if (*prefaulted < used) /* the main thread has been there */
            *prefaulted = used;
        size_t step = reserved - *prefaulted < LOG_PREFAULT_STEP
                          ? reserved - *prefaulted
                          : LOG_PREFAULT_STEP;
        disco__prefault((unsigned char *)array + *prefaulted, step,
                        DISCO__PREFAULT_FROM_START);
        *prefaulted += step;
    }
    if (*prefaulted >= reserved)
        return reserved / size; /* all asked for: no more looks */
    /* The next look: once the log is less than LOG_PREFAULT_AHEAD short of
     * what was asked for, and holds LOG_PREFAULT_START. */
    size_t next = *prefaulted < LOG_PREFAULT_START + LOG_PREFAULT_AHEAD
                      ? LOG_PREFAULT_START
                      : *prefaulted - LOG_PREFAULT_AHEAD + 1;
    size_t entries = (next + size - 1) / size; /* the first to look at */
    return entries > needed ? entries - 1 : needed;
}

/* A causal log starts on the heap, grown by doubling, and moves once into
 * a reservation of its whole cap when it passes this many bytes.  Most
 * runs' logs stay below it, and for them a reservation was a mapping made
 * and unmade per run whose first write faulted in (and zeroed) a whole
 * 2 MB huge page: nearly a third of each run of echo on gnp:200:0.05
 * under `disco check`, and more with --jobs 2, whose two workers then took
 * turns in the kernel's memory map. */
#define LOG_RESERVE_FROM ((size_t)1 << 20)

/* grow, for the causal log's arrays, which fill in order up to the cap:
 * once the log passes LOG_RESERVE_FROM, the whole cap is reserved as
 * address space when it is large (disco__big_reserve; `reserved` says how
 * many bytes), so that the log never moves again, and the pages ahead of
 * its end are faulted in on the prefault helper (`prefaulted`: bytes asked
 * for so far).  For a reserved log `capacity` is where it next looks
 * ahead, so that the fast path stays one comparison. */
static bool grow_log(void **array, size_t *capacity, size_t *reserved,
                     size_t *prefaulted, size_t needed, size_t size,
                     uint64_t limit)
{
    if (needed <= *capacity)
        return true;
    if (*reserved) {
        if (needed > limit)
            return false;
        *capacity = log_look_ahead(*array, *reserved, prefaulted, needed, size);
        return true;
    }
    if (needed > limit)
        return false;
    if (needed > LOG_RESERVE_FROM / size && limit <= SIZE_MAX / size &&
        limit * size >= DISCO__BIG_ARRAY) {
        void *p = disco__big_reserve(limit * size);
        if (p) {
            /* Entries [0, *capacity) hold what the log has so far (the
             * send log's gaps, messages never recorded, copied as they
             * are). */
            if (*capacity)
                memcpy(p, *array, *capacity * size);
            free(*array);
            *array = p;
            *reserved = limit * size;
            *capacity = log_look_ahead(p, *reserved, prefaulted, needed, size);
            return true;
        }
    }
    return grow(array, capacity, needed, size, limit);
}

/* Free an array grow_log made. */
static void free_log(void *array, size_t *reserved, size_t *prefaulted)
{
    if (*reserved)
        disco__big_unreserve(array, *reserved);
    else
        free(array);
    *reserved = 0;
    *prefaulted = 0;
}

static void causal_record_send(struct disco_sim *sim, uint64_t msg)
{
    if (!grow_log((void **)&sim->send_position, &sim->send_capacity,
                  &sim->send_reserved, &sim->send_prefaulted, msg,
                  sizeof *sim->send_position, sim->cfg.causal_log_limit)) {
        causal_drop(sim);
        return;
    }
    sim->send_position[msg - 1] = (uint32_t)sim->causal_count;
}

/* Room for one more receive in the log, or false once the log gave up
 * (causal_drop). */
static bool causal_room(struct disco_sim *sim)
{
    size_t entry_size;
    void **log = causal_log(sim, &entry_size);
    if (!grow_log(log, &sim->causal_capacity, &sim->causal_reserved,
                  &sim->causal_prefaulted, sim->causal_count + 1, entry_size,
                  sim->cfg.causal_log_limit)) {
        causal_drop(sim);
        return false;
    }
    return true;
}

/* A receive by `node` of a message sent by `from` at position
 * `from_position`.  Inline, growing out of line: while the log has room
 * (nearly always) a receive is one comparison and one store. */
static inline void causal_record(struct disco_sim *sim, uint32_t node,
                                 uint32_t from, uint32_t from_position)
{
    if (sim->causal_count >= sim->causal_capacity && !causal_room(sim))
        return;
    struct disco__causal_packing packing = sim->causal_packing;
    if (packing.node_shift)
        sim->causal_words[sim->causal_count++] =
            disco__causal_pack(packing, node, from, from_position);
    else
        sim->causal[sim->causal_count++] = (struct disco__causal_entry){
            .node = node, .from = from, .from_position = from_position,
        };
}

/* ------------------------------------------------------------------------ */
/* Causal tokens (cfg.causal_tokens): what a wave's trace property asks --
 * is the decision preceded by an event at every node? -- answered without
 * the log.  Each node starts with one token; a send takes every token its
 * sender holds (the copies after the first, and a duplicate, take none),
 * and a receive adds the message's to the receiver's.  A token is never
 * copied, so the tokens a decider holds when it decides came from that
 * many distinct nodes, and each along a chain of messages that starts at
 * a send of its node and ends before the decision: a decider holding all
 * N certifies its decision.  Fewer certify nothing (a token may have gone
 * elsewhere, or been lost with its message), and the check asks for the
 * run again with the log (disco_sim_causal_rerun).  Echo's decider holds
 * all N: every node's last send is its echo, after its last receive.
 * Tokens give up where the log would (past causal_log_limit messages or
 * receives), and the checks then say "not checked", as the log's do. */

/* (Storing tokens minus one, so that zeroed records would hold the one
 * each node starts with and disco_sim_run need not hand them out, measured
 * 2.7 M instructions more on echo over 10^5 nodes than the 0.3 M of the
 * pass it saves.) */
static inline uint32_t node_tokens(const struct disco__node *n)
{
    return (uint32_t)n->tokens[0] | (uint32_t)n->tokens[1] << 8 |
           (uint32_t)n->tokens[2] << 16;
}

static inline void set_node_tokens(struct disco__node *n, uint32_t tokens)
{
    n->tokens[0] = (uint8_t)tokens;
    n->tokens[1] = (uint8_t)(tokens >> 8);
    n->tokens[2] = (uint8_t)(tokens >> 16);
}

/* A receive in token mode: the message's tokens join the receiver's.
 * Receives count against the log's limit as the log's entries would
 * (causal_room), so that both give up at the same receive. */
static inline void receive_tokens(struct disco_sim *sim,
                                  struct disco__node *receiver,
                                  uint64_t tokens)
{
    if (++sim->token_receives > sim->cfg.causal_log_limit) {
        causal_drop(sim);
        return;
    }
    set_node_tokens(receiver, node_tokens(receiver) + (uint32_t)tokens);
}

/* ------------------------------------------------------------------------ */
/* Vector clocks (cfg.vector_clocks).  The semantics are viz/vclock.h's, so
 * that the kernel's clocks equal what the space-time diagram rebuilds from
 * a trace: send, receive, timer, decide, crash and recover tick the node's
 * own entry; a send stamps its message with the clock after the tick; a
 * receive takes the entry-wise maximum with the message's stamp (ticking
 * first or after gives the same vector, since no stamp can know more of
 * the receiver than the receiver does).  Drops, duplications, state,
 * link and mark events do not tick.  Unlike the Lamport clock, a synchronous
 * round's step does not tick, as it is no observed event. */

static uint64_t *vc_of(const struct disco_sim *sim, uint32_t node)
{
    return sim->vc + (size_t)node * sim->nodes;
}

static void vc_tick(struct disco_sim *sim, uint32_t node)
{
    if (sim->vc)
        vc_of(sim, node)[node]++;
}

static size_t vc_hash(uint64_t msg, size_t capacity)
{
    uint64_t h = msg * 0x9e3779b97f4a7c15u;
    return (size_t)(h ^ (h >> 29)) & (capacity - 1);
}

/* The map's position of `msg`, or of the empty slot where it would go. */
static size_t vc_map_find(const struct disco__vc_store *st, uint64_t msg)
{
    size_t i = vc_hash(msg, st->map_capacity);
    while (st->keys[i] && st->keys[i] != msg)
        i = (i + 1) & (st->map_capacity - 1);
    return i;
}

static bool vc_map_grow(struct disco__vc_store *st)
{
    size_t capacity = st->map_capacity ? st->map_capacity * 2 : 1024;
    uint64_t *keys = calloc(capacity, sizeof *keys);
    uint32_t *values = malloc(capacity * sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        return false;
    }
    struct disco__vc_store old = *st;
    st->keys = keys;
    st->values = values;
    st->map_capacity = capacity;
    for (size_t i = 0; i < old.map_capacity; i++) {
        if (!old.keys[i])
            continue;
        size_t j = vc_map_find(st, old.keys[i]);
        keys[j] = old.keys[i];
        values[j] = old.values[i];
    }
    free(old.keys);
    free(old.values);
    return true;
}

/* Linear probing deletes by shifting back the entries of the run after
 * the hole, so that lookups never need tombstones. */
static void vc_map_erase(struct disco__vc_store *st, size_t hole)
{
    size_t mask = st->map_capacity - 1;
    size_t i = hole;
    for (;;) {
        i = (i + 1) & mask;
        if (!st->keys[i])
            break;
        size_t home = vc_hash(st->keys[i], st->map_capacity);
        /* Move it into the hole unless its home lies cyclically in
         * (hole, i]. */
        bool stays = hole <= i ? (hole < home && home <= i)
                               : (hole < home || home <= i);
        if (stays)
            continue;
        st->keys[hole] = st->keys[i];
        st->values[hole] = st->values[i];
        hole = i;
    }
    st->keys[hole] = 0;
    st->map_count--;
}

/* Stamp message `msg` with the sender's clock. */
static void vc_stamp(struct disco_sim *sim, uint32_t sender, uint64_t msg)
{
    struct disco__vc_store *st = &sim->vc_store;
    size_t n = sim->nodes;
    if ((st->map_count + 1) * 2 > st->map_capacity && !vc_map_grow(st))
        goto nomem;
    uint32_t slot;
    if (st->free_head) {
        slot = st->free_head - 1;
        st->free_head = st->refs[slot];
    } else {
        if (st->slot_count == st->slot_capacity) {
            if (st->slot_capacity >= UINT32_MAX / 2)
                goto nomem;
            uint32_t capacity = st->slot_capacity ? st->slot_capacity * 2 : 64;
            uint64_t *vectors =
                realloc(st->vectors, (size_t)capacity * n * sizeof *vectors);
            if (!vectors)
                goto nomem;
            st->vectors = vectors;
            uint32_t *refs = realloc(st->refs, capacity * sizeof *refs);
            if (!refs)
                goto nomem;
            st->refs = refs;
            st->slot_capacity = capacity;
        }
        slot = st->slot_count++;
    }
    st->refs[slot] = 1;
    memcpy(st->vectors + (size_t)slot * n, vc_of(sim, sender),
           n * sizeof(uint64_t));
    size_t i = vc_map_find(st, msg);
    st->keys[i] = msg;
    st->values[i] = slot;
    st->map_count++;
    return;
nomem:
    sim_fault(sim, DISCO_ENOMEM,
              "out of memory for the vector clocks of messages in flight");
}

/* A duplicate shares its original's stamp. */
static void vc_retain(struct disco_sim *sim, uint64_t msg)
{
    struct disco__vc_store *st = &sim->vc_store;
    size_t i = vc_map_find(st, msg);
    if (st->keys[i])
        st->refs[st->values[i]]++;
}

/* A copy of `msg` left the network: merge its stamp into `into` (when not
 * NULL) and free the stamp with the last copy. */
static void vc_release(struct disco_sim *sim, uint64_t msg, uint64_t *into)
{
    struct disco__vc_store *st = &sim->vc_store;
    if (!st->map_capacity)
        return;
    size_t i = vc_map_find(st, msg);
    if (!st->keys[i])
        return;
    uint32_t slot = st->values[i];
    if (into) {
        const uint64_t *stamp = st->vectors + (size_t)slot * sim->nodes;
        for (uint32_t k = 0; k < sim->nodes; k++)
            if (stamp[k] > into[k])
                into[k] = stamp[k];
    }
    if (--st->refs[slot] == 0) {
        st->refs[slot] = st->free_head;
        st->free_head = slot + 1;
        vc_map_erase(st, i);
    }
}

static void vc_store_free(struct disco__vc_store *st)
{
    free(st->vectors);
    free(st->refs);
    free(st->keys);
    free(st->values);
    memset(st, 0, sizeof *st);
}

bool disco_vc_before(const uint64_t *a, const uint64_t *b, uint32_t n)
{
    bool less = false;
    for (uint32_t k = 0; k < n; k++) {
        if (a[k] > b[k])
            return false;
        if (a[k] < b[k])
            less = true;
    }
    return less;
}

const uint64_t *disco_view_decision_vc(const struct disco_view *view,
                                       size_t index)
{
    const struct disco_sim *sim = view->sim;
    if (!sim->decision_vc || index >= sim->decision_count)
        return NULL;
    return sim->decision_vc + index * sim->nodes;
}

int disco_view_happened_before(const struct disco_view *view, size_t a,
                               size_t b)
{
    const struct disco_sim *sim = view->sim;
    if (!sim->vc)
        return DISCO_ENOLOG;
    if (a >= sim->decision_count || b >= sim->decision_count)
        return DISCO_EINVAL;
    return disco_vc_before(disco_view_decision_vc(view, a),
                           disco_view_decision_vc(view, b), sim->nodes);
}

/* ------------------------------------------------------------------------ */
/* Observers.                                                                */

static void observe(struct disco_sim *sim, struct disco_event_view *ev)
{
    ev->seq = sim->observed_seq++;
    ev->vc = sim->vc ? vc_of(sim, ev->node) : NULL;
    for (unsigned i = 0; i < sim->observer_count; i++)
        sim->observers[i].on_event(sim->observers[i].self, ev);
}

static void observe_simple(struct disco_sim *sim, enum disco_event_type type,
                           uint32_t node, uint32_t peer)
{
    struct disco_event_view ev = {
        .type = type, .time = sim->now, .node = node, .peer = peer,
        .kind = -1, .lamport = sim->lamport ? sim->lamport[node] : 0,
    };
    observe(sim, &ev);
}

static void observe_message(struct disco_sim *sim, enum disco_event_type type,
                            uint32_t node, uint32_t peer,
                            const struct disco__event *msg)
{
    struct disco_event_view ev = {
        .type = type, .time = sim->now, .node = node, .peer = peer,
        .kind = msg->kind, .kind_name = sim->alg->message_kinds[msg->kind],
        .msg = msg->msg, .lamport = sim->lamport ? sim->lamport[node] : 0,
        .payload = event_payload(sim, msg), .len = msg->len,
        .forged = type == DISCO_EV_SEND && sim->forging,
    };
    observe(sim, &ev);
}

/* Around each callback: remember the state, and after it emit a `state`
 * event if the bytes changed.  Only observers that ask pay for this. */
static void before_callback(struct disco_sim *sim, uint32_t node)
{
    if (sim->want_state)
        memcpy(sim->state_before, disco__state(sim, node),
               disco__state_size(sim, node));
}

static void crash_node(struct disco_sim *sim, uint32_t node);

static void emit_state_change(struct disco_sim *sim, uint32_t node);

/* After each callback: report a changed state, and finish a crash that
 * struck in the middle of the step. */
static void after_callback(struct disco_sim *sim, uint32_t node)
{
    emit_state_change(sim, node);
    /* In rounds the step is the round's own (init, on_round), not the
     * deliveries before it. */
    if (sim->crashing_any &&
        (disco__node(sim, node)->flags & DISCO__NODE_CRASHING) &&
        (!sim->sync || sim->round_step))
        crash_node(sim, node);
}

static void emit_state_change(struct disco_sim *sim, uint32_t node)
{
    /* Equal bytes are the cheap test; a state whose bytes changed may
     * still read the same (a buffer, a counter the text leaves out), and
     * only a change of text is news to whoever watches. */
    if (!sim->want_state ||
        memcmp(sim->state_before, disco__state(sim, node),
               disco__state_size(sim, node)) == 0)
        return;
    char before[DISCO_STATE_TEXT], text[DISCO_STATE_TEXT];
    sim->alg->format_state(sim->state_before, before, sizeof before);
    sim->alg->format_state(disco__state(sim, node), text, sizeof text);
    if (strcmp(before, text) == 0)
        return;
    struct disco_event_view ev = {
        .type = DISCO_EV_STATE, .time = sim->now, .node = node,
        .peer = node, .kind = -1, .state = text,
        .lamport = sim->lamport ? sim->lamport[node] : 0,
    };
    observe(sim, &ev);
}

/* ------------------------------------------------------------------------ */
/* The network layer.                                                        */

static uint64_t probability_threshold(double p)
{
    if (p <= 0)
        return 0;
    if (p >= 1)
        return UINT64_MAX;
    return (uint64_t)ldexp(p, 64);
}

/* True with the probability a threshold encodes.  Draws only when the
 * probability is strictly between 0 and 1, so that --loss 0 consumes no
 * randomness and adding a zero-probability fault changes no outcome. */
static bool chance(uint64_t *stream, uint64_t threshold)
{
    if (threshold == 0)
        return false;
    if (threshold == UINT64_MAX)
        return true;
    return disco__splitmix_next(stream) < threshold;
}

static disco_time_t draw_delay(const struct disco_delay *law, uint64_t *stream)
{
    switch (law->kind) {
    case DISCO_DELAY_CONST:
        return law->a;
    case DISCO_DELAY_UNIFORM: {
        uint64_t span = law->b - law->a + 1;
        if (span == 0) /* the whole 64-bit range */
            return disco__splitmix_next(stream);
        __uint128_t m = (__uint128_t)disco__splitmix_next(stream) * span;
        return law->a + (uint64_t)(m >> 64);
    }
    case DISCO_DELAY_EXP: {
        double u = (double)(disco__splitmix_next(stream) >> 11) * 0x1.0p-53;
        double d = ceil(-law->mean * log1p(-u));
        return d >= 1e18 ? (disco_time_t)1e18 : (disco_time_t)d;
    }
    }
    return 1;
}

static bool channel_fifo(const struct disco_sim *sim, uint32_t channel)
{
    return sim->chan_fifo ? sim->chan_fifo[channel] : sim->cfg.fifo;
}

/* After a push that returned rc: count the pending event, or fail the
 * run. */
static inline int pushed(struct disco_sim *sim, int rc)
{
    if (rc)
        sim_fault(sim, DISCO_ENOMEM, "out of memory with %zu pending events",
                  disco__queue_size(&sim->queue));
    else
        sim->pending_work++;
    return rc;
}

static int push(struct disco_sim *sim, const struct disco__event *ev)
{
    return pushed(sim, disco__queue_push(&sim->queue, ev));
}

/* Whether a message kind belongs to the basic computation (quiescence). */
static bool is_basic(const struct disco_sim *sim, unsigned kind)
{
    return kind >= 64 || !(sim->alg->control_kinds >> kind & 1);
}

/* FIFO clocks in 32 bits: a channel's last arrival matters only while it
 * is after now, hence less than the longest delay ahead of now.  With every
 * delay below FIFO_SPAN and now less than FIFO_SPAN past fifo_base, an
 * arrival lies less than 2^32 ticks past the base; once now moves on by
 * FIFO_SPAN, the base moves up to it and arrivals already past turn to 0,
 * which reads as "no constraint", as they are. */
#define FIFO_SPAN ((disco_time_t)1 << 31)

/* FIFO clocks in 16 bits, for large graphs whose delays are all shorter than
 * FIFO_SHORT_SPAN: half the memory (160 MB less at 10^7 nodes), for a pass
 * over the channels every FIFO_SHORT_SPAN ticks (a wave over 10^7 nodes
 * lasts a few hundred ticks).
 * Graphs below FIFO_SHORT_CHANNELS keep 32 bits: the saving would be small
 * and a sparse run on them could rebase more often than it sends. */
#define FIFO_SHORT_SPAN ((disco_time_t)1 << 15)
#define FIFO_SHORT_CHANNELS (1u << 20)

/* Move fifo_base up to now: every relative clock drops by the time since
 * (to 0 for an arrival already past).  After an idle gap of the clock's
 * largest value or more (the shift saturates) no clock exceeds the shift,
 * so the loop would turn every one to 0: a memset writes the same bytes
 * without reading them.  (Every arrival it recorded is also at most now by
 * then, as 0 says.)  The loop is a saturating subtract the compiler
 * vectorises. */
#define FIFO_REBASE(name, type, largest, clocks)                              \
    static void name(struct disco_sim *sim)                                  \
    {                                                                        \
        uint32_t channels = sim->topo->channels;                             \
        disco_time_t gap = sim->now - sim->fifo_base;                        \
        type shift = gap > (largest) ? (largest) : (type)gap;                \
        type *clock = sim->clocks;                                           \
        if (shift == (largest))                                              \
            memset(clock, 0, (size_t)channels * sizeof *clock);              \
        else                                                                 \
            for (uint32_t c = 0; c < channels; c++)                          \
                clock[c] = clock[c] > shift ? (type)(clock[c] - shift) : 0;  \
        sim->fifo_base = sim->now;                                           \
    }
FIFO_REBASE(fifo_rebase, uint32_t, UINT32_MAX, fifo_near)
FIFO_REBASE(fifo_rebase_short, uint16_t, UINT16_MAX, fifo_short)
#undef FIFO_REBASE

/* Rebase the relative FIFO clocks once now has moved a span past their
 * base: the first thing a FIFO send does, the same for every send at one
 * time. */
static inline void fifo_rebase_when_due(struct disco_sim *sim)
{
    if (sim->fifo_bits == 16) {
        if (sim->now - sim->fifo_base >= FIFO_SHORT_SPAN)
            fifo_rebase_short(sim);
    } else if (sim->fifo_bits == 32 &&
               sim->now - sim->fifo_base >= FIFO_SPAN) {
        fifo_rebase(sim);
    }
}

/* A channel's FIFO clock: wait for its last arrival, record this one.
 * Relative to fifo_base in 16 or 32 bits (rebased when due), or absolute. */
#define FIFO_WAIT_RELATIVE(name, type)                                        \
    static inline disco_time_t name(type *clock, disco_time_t base,          \
                                    disco_time_t at)                         \
    {                                                                        \
        disco_time_t last = base + *clock;                                   \
        if (at < last)                                                       \
            at = last;                                                       \
        *clock = (type)(at - base);                                          \
        return at;                                                           \
    }
FIFO_WAIT_RELATIVE(fifo_wait16, uint16_t)
FIFO_WAIT_RELATIVE(fifo_wait32, uint32_t)
#undef FIFO_WAIT_RELATIVE

static inline disco_time_t fifo_wait64(disco_time_t *clock, disco_time_t at)
{
    if (at < *clock)
        at = *clock;
    *clock = at;
    return at;
}

/* When a message sent now on `channel` arrives: its delay, then FIFO
 * order.  Inlined into the send paths, where it is most of the work. */
__attribute__((always_inline)) static inline disco_time_t
arrival(struct disco_sim *sim, uint32_t sender, uint32_t channel)
{
    if (sim->sync)
        return sim->now + 1;
    unsigned index = sim->chan_law ? sim->chan_law[channel] : 0;
    const struct disco_delay *law = &sim->laws[index ? index : sim->live_law];
    disco_time_t at =
        sim->now + draw_delay(law, &disco__node(sim, sender)->net_rng);
    /* One test of the clocks' width (fifo_bits, 0: none kept), not one
     * per array. */
    if (sim->fifo_bits == 0 || !channel_fifo(sim, channel))
        return at;
    fifo_rebase_when_due(sim);
    if (sim->fifo_bits == 16)
        return fifo_wait16(&sim->fifo_short[channel], sim->fifo_base, at);
    if (sim->fifo_bits == 32)
        return fifo_wait32(&sim->fifo_near[channel], sim->fifo_base, at);
    return fifo_wait64(&sim->fifo_last[channel], at);
}

/* After the push of a message of `kind` that returned rc: count it, in
 * transit for quiescence too, or fail the run. */
static inline void message_pushed(struct disco_sim *sim, int rc,
                                  unsigned kind)
{
    if (pushed(sim, rc) == 0 && is_basic(sim, kind))
        sim->basic_in_transit++;
}

/* Put one copy of a message on the channel. */
__attribute__((always_inline)) static inline void
transmit(struct disco_sim *sim, uint32_t sender, uint32_t channel,
         struct disco__event *ev)
{
    ev->time = arrival(sim, sender, channel);
    message_pushed(sim, disco__queue_push(&sim->queue, ev), ev->kind);
}

/* A new message from `node` of `kind`, counted; its number and, with the
 * causal log alone (LOG_IN_EVENTS), the `lamport` field that carries
 * the sender and its log position, or in token mode the sender's tokens
 * (0 otherwise). */
static inline uint64_t new_message(struct disco_sim *sim, uint32_t node,
                                   unsigned kind, uint64_t *lamport)
{
    uint64_t msg = ++sim->msg_counter;
    *lamport = 0;
    /* The log's cap counts sends as well as receives, as the array of
     * send indices did: a wave's sends run far ahead of its receives, and
     * a log that gives up late does so with a crowded queue.  Tokens give
     * up at the same cap (receive_tokens has the one on receives).  The
     * test is written out in each branch: one mode test per message in
     * token mode, the wave benchmarks' (a shared test of both modes first
     * measured 0.8 M instructions more on echo over 10^5 nodes). */
    if (sim->causal_mode == DISCO__CAUSAL_TOKENS) {
        struct disco__node *sender = disco__node(sim, node);
        if (msg > sim->cfg.causal_log_limit) {
            causal_drop(sim);
        } else { /* every token the sender holds leaves with it */
            *lamport = node_tokens(sender);
            set_node_tokens(sender, 0);
        }
    } else if (sim->causal_mode == DISCO__CAUSAL_LOG_IN_EVENTS) {
        if (msg > sim->cfg.causal_log_limit)
            causal_drop(sim);
        else
            *lamport = (uint64_t)node << 32 | sim->causal_count;
    }
    sim->metrics.messages++;
    sim->metrics.by_kind[kind]++;
    return msg;
}

/* A message from `node` on `channel`, without its payload, counted: the
 * part of a send common to the paths below. */
static inline struct disco__event message_event(struct disco_sim *sim,
                                                uint32_t node,
                                                uint32_t channel,
                                                unsigned kind, size_t len)
{
    struct disco__event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = DISCO__EV_DELIVER;
    ev.target = channel;
    ev.to = sim->topo->out_target[channel];
    ev.kind = (uint8_t)kind;
    ev.len = (uint16_t)len;
    ev.depth = disco__node(sim, node)->depth;
    ev.msg = new_message(sim, node, kind, &ev.lamport);
    return ev;
}

/* Push a plain run's message, payload held inline: built as an event when
 * it has bytes, else written straight as its fields (a wave's tokens:
 * disco__queue_push_message).  Returns what the push returned. */
static inline int push_plain(struct disco_sim *sim, disco_time_t at,
                             uint32_t channel, uint32_t to, uint32_t depth,
                             unsigned kind, uint64_t msg, uint64_t lamport,
                             const void *payload, size_t len)
{
    if (!len)
        return disco__queue_push_message(&sim->queue, at, channel, to, depth,
                                         (uint8_t)kind, msg, lamport);
    struct disco__event ev = {
        .time = at, .target = channel, .to = to, .depth = depth,
        .type = DISCO__EV_DELIVER, .kind = (uint8_t)kind,
        .len = (uint16_t)len, .msg = msg, .lamport = lamport,
    };
    memcpy(ev.payload.bytes, payload, len);
    return disco__queue_push(&sim->queue, &ev);
}

/* A send in a plain run (sim->plain_send) of a payload held inline: what
 * send_on_channel does in that case, without the tests for what is off. */
static inline void send_plain(struct disco_sim *sim, uint32_t node,
                              uint32_t channel, unsigned kind,
                              const void *payload, size_t len)
{
    uint64_t lamport;
    uint64_t msg = new_message(sim, node, kind, &lamport);
    disco_time_t at = arrival(sim, node, channel);
    int rc = push_plain(sim, at, channel, sim->topo->out_target[channel],
                        disco__node(sim, node)->depth, kind, msg, lamport,
                        payload, len);
    message_pushed(sim, rc, kind);
}

/* One message from `node` on each of its ports but `except` (UINT32_MAX:
 * none), in port order: exactly the sends send_plain makes one by one,
 * with what they share read once.  For a plain asynchronous run whose
 * channels all follow the run's law and FIFO setting (as
 * disco_send_all_except checks); a wave's broadcasts are most of its
 * sends. */
static void send_plain_all(struct disco_sim *sim, uint32_t node,
                           uint32_t except, unsigned kind,
                           const void *payload, size_t len)
{
    struct disco__node *self = disco__node(sim, node);
    uint32_t first = self->first_channel, degree = self->degree;
    /* No copy, no send: not even the FIFO clocks' rebase. */
    if (degree == (except < degree ? 1u : 0u))
        return;
    uint32_t depth = self->depth;
    const uint32_t *targets = sim->topo->out_target + first;
    const struct disco_delay *law = &sim->laws[sim->live_law];
    uint64_t stream = self->net_rng;
    /* The FIFO clocks of this node's channels: a rebase is due or not for
     * all of them alike, now being the same for every copy. */
    uint16_t *clocks16 = NULL;
    uint32_t *clocks32 = NULL;
    disco_time_t *clocks64 = NULL;
    if (sim->cfg.fifo) {
        fifo_rebase_when_due(sim);
        /* By the pointers, which the copies need anyway (asking fifo_bits
         * here, as arrival does, measured 1 M instructions more on echo
         * over 10^5 nodes); they agree with it. */
        if (sim->fifo_short)
            clocks16 = sim->fifo_short + first;
        else if (sim->fifo_near)
            clocks32 = sim->fifo_near + first;
        else if (sim->fifo_last)
            clocks64 = sim->fifo_last + first;
    }
    disco_time_t now = sim->now, base = sim->fifo_base;
    uint64_t sent = 0;
    for (uint32_t port = 0; port < degree; port++) {
        if (port == except)
            continue;
        uint64_t lamport;
        uint64_t msg = new_message(sim, node, kind, &lamport);
        disco_time_t at = now + draw_delay(law, &stream);
        if (clocks16)
            at = fifo_wait16(&clocks16[port], base, at);
        else if (clocks32)
            at = fifo_wait32(&clocks32[port], base, at);
        else if (clocks64)
            at = fifo_wait64(&clocks64[port], at);
        int rc = push_plain(sim, at, first + port, targets[port], depth, kind,
                            msg, lamport, payload, len);
        if (rc) {
            pushed(sim, rc);
            break;
        }
        sent++;
    }
    self->net_rng = stream;
    sim->pending_work += sent;
    if (is_basic(sim, kind))
        sim->basic_in_transit += sent;
}

static void send_on_channel(struct disco_sim *sim, uint32_t node,
                            uint32_t channel, unsigned kind,
                            const void *payload, size_t len)
{
    if (sim->plain_send && len <= DISCO__INLINE_PAYLOAD) {
        send_plain(sim, node, channel, kind, payload, len);
        return;
    }
    struct disco__event ev = message_event(sim, node, channel, kind, len);
    if (sim->lamport)
        ev.lamport = ++sim->lamport[node];
    vc_tick(sim, node);
    if (sim->causal_mode == DISCO__CAUSAL_LOG)
        causal_record_send(sim, ev.msg);

    uint32_t to = ev.to;
    if (len <= DISCO__INLINE_PAYLOAD) {
        if (len)
            memcpy(ev.payload.bytes, payload, len);
    } else if (pool_alloc(&sim->pool, len, &ev.payload.pool) == 0) {
        memcpy(sim->pool.bytes + ev.payload.pool, payload, len);
    } else {
        sim_fault(sim, DISCO_ENOMEM, "out of memory for a %zu-byte payload",
                  len);
        return;
    }
    if (sim->vc) {
        vc_stamp(sim, node, ev.msg);
        if (sim->fault_code)
            return;
    }
    if (sim->observer_count)
        observe_message(sim, DISCO_EV_SEND, node, to, &ev);

    uint64_t loss = sim->chan_loss ? sim->chan_loss[channel]
                                   : sim->loss_threshold;
    if ((sim->link_down && sim->link_down[channel]) ||
        (sim->dyn_absent && sim->dyn_absent[channel]) ||
        ((disco__node(sim, node)->flags & DISCO__NODE_OMIT_SEND) &&
         chance(&disco__node(sim, node)->net_rng,
                sim->omit_threshold[2 * node])) ||
        chance(&disco__node(sim, node)->net_rng, loss)) {
        sim->metrics.dropped++;
        if (sim->observer_count)
            observe_message(sim, DISCO_EV_DROP, to, node, &ev);
        if (len > DISCO__INLINE_PAYLOAD)
            pool_free(&sim->pool, ev.payload.pool, len);
        if (sim->vc)
            vc_release(sim, ev.msg, NULL);
        return;
    }
    bool duplicate =
        chance(&disco__node(sim, node)->net_rng, sim->dup_threshold);
    transmit(sim, node, channel, &ev);
    if (duplicate) {
        struct disco__event copy = ev;
        if (sim->causal_mode == DISCO__CAUSAL_TOKENS)
            copy.lamport = 0; /* tokens are never copied */
        if (len > DISCO__INLINE_PAYLOAD) {
            if (pool_alloc(&sim->pool, len, &copy.payload.pool)) {
                sim_fault(sim, DISCO_ENOMEM, "out of memory for a payload");
                return;
            }
            memcpy(sim->pool.bytes + copy.payload.pool, payload, len);
        }
        sim->metrics.duplicated++;
        if (sim->vc)
            vc_retain(sim, ev.msg);
        if (sim->observer_count)
            observe_message(sim, DISCO_EV_DUP, to, node, &copy);
        transmit(sim, node, channel, &copy);
    }
}

/* A node whose sends need disco_send's care: a crashed one's vanish, a
 * crashing one's spend its budget, a Byzantine one's go through its
 * strategy. */
#define SENDS_WITH_CARE                                                      \
    (DISCO__NODE_CRASHING | DISCO__NODE_BYZANTINE | DISCO__NODE_CRASHED)

/* ------------------------------------------------------------------------ */
/* The callbacks' API (disco.h).                                             */

uint32_t disco_self(const struct disco_ctx *ctx) { return ctx->node; }
int64_t disco_id(const struct disco_ctx *ctx)
{
    return disco__id(ctx->sim, ctx->node);
}
uint32_t disco_nodes(const struct disco_ctx *ctx) { return ctx->sim->nodes; }
uint32_t disco_out_degree(const struct disco_ctx *ctx)
{
    return disco__node(ctx->sim, ctx->node)->degree;
}
uint32_t disco_in_degree(const struct disco_ctx *ctx)
{
    /* disco_topology_in_degree, but an undirected graph's from the
     * node's record, which a callback has in the cache (echo asks on
     * every receive), not from the offsets. */
    const struct disco_sim *sim = ctx->sim;
    return sim->topo->directed ? sim->topo->in_degree[ctx->node]
                               : disco__node(sim, ctx->node)->degree;
}
int64_t disco_weight(const struct disco_ctx *ctx, uint32_t port)
{
    const struct disco_topology *t = ctx->sim->topo;
    if (!t->weight || port >= disco_topology_degree(t, ctx->node))
        return 1;
    return t->weight[t->out_offset[ctx->node] + port];
}
bool disco_is_initiator(const struct disco_ctx *ctx)
{
    return disco__node(ctx->sim, ctx->node)->flags & DISCO__NODE_INITIATOR;
}
disco_time_t disco_now(const struct disco_ctx *ctx)
{
    return ctx->layer_clock ? ctx->layer_now : ctx->sim->now;
}

void disco_set_layer_clock(struct disco_ctx *ctx, bool on, disco_time_t now)
{
    ctx->layer_clock = on;
    ctx->layer_now = on ? now : 0;
}
int64_t disco_param(const struct disco_ctx *ctx, unsigned index)
{
    assert(index < ctx->sim->alg->param_count);
    return ctx->sim->cfg.params[index];
}
bool disco_input(const struct disco_ctx *ctx, const char *name,
                 int64_t *value)
{
    struct disco_sim *sim = ctx->sim;
    const struct disco_algorithm *alg = sim->alg;
    if (!disco_input_find(alg, name)) {
        /* Else a scenario's attribute of that name would be refused as
         * unknown before the run, and the module never get it. */
        sim_fault(sim, DISCO_EINVAL,
                  "%s: node %u read input '%s', which the algorithm does "
                  "not declare (inputs)",
                  alg->name, ctx->node, name);
        return false;
    }
    for (size_t i = 0; i < sim->input_count; i++) {
        if (sim->inputs[i].node == ctx->node &&
            strcmp(sim->inputs[i].name, name) == 0) {
            *value = sim->inputs[i].value;
            return true;
        }
    }
    return false;
}
uint64_t disco_random(struct disco_ctx *ctx)
{
    return disco__splitmix_next(&disco__node(ctx->sim, ctx->node)->rng);
}
uint64_t disco_random_below(struct disco_ctx *ctx, uint64_t bound)
{
    assert(bound > 0);
    uint64_t *stream = &disco__node(ctx->sim, ctx->node)->rng;
    /* Lemire's rejection: a draw whose low half is at least `bound` is
     * above the threshold (-bound % bound < bound), so the division is
     * needed only for the rare draw below it.  Same numbers as testing
     * every draw against the threshold. */
    __uint128_t m = (__uint128_t)disco__splitmix_next(stream) * bound;
    if ((uint64_t)m < bound) {
        uint64_t threshold = -bound % bound;
        while ((uint64_t)m < threshold)
            m = (__uint128_t)disco__splitmix_next(stream) * bound;
    }
    return (uint64_t)(m >> 64);
}

static bool check_send(struct disco_ctx *ctx, uint32_t port, unsigned kind,
                       size_t len)
{
    struct disco_sim *sim = ctx->sim;
    const char *name = sim->alg->name;
    if (port >= disco__node(sim, ctx->node)->degree) {
        sim_fault(sim, DISCO_EINVAL,
                  "%s: node %u sent on port %u but has %u out-port%s", name,
                  ctx->node, port, disco__node(sim, ctx->node)->degree,
                  disco__node(sim, ctx->node)->degree == 1 ? "" : "s");
        return false;
    }
    if (kind >= sim->alg->kind_count) {
        sim_fault(sim, DISCO_EINVAL,
                  "%s: node %u sent message kind %u, but the algorithm "
                  "declares %u message kind%s (kind_count)",
                  name, ctx->node, kind, sim->alg->kind_count,
                  sim->alg->kind_count == 1 ? "" : "s");
        return false;
    }
    if (len > DISCO_MAX_PAYLOAD) {
        sim_fault(sim, DISCO_EINVAL,
                  "%s: node %u sent %zu bytes (at most %u per message)", name,
                  ctx->node, len, DISCO_MAX_PAYLOAD);
        return false;
    }
    return !sim->fault_code;
}

void *disco_port_state(struct disco_ctx *ctx, uint32_t port)
{
    struct disco_sim *sim = ctx->sim;
    assert(sim->port_stride && port < disco__node(sim, ctx->node)->degree);
    return (unsigned char *)disco__state(sim, ctx->node) + sim->stride +
           (size_t)port * sim->port_stride;
}

void *disco_in_port_state(struct disco_ctx *ctx, uint32_t in_port)
{
    struct disco_sim *sim = ctx->sim;
    assert(sim->in_port_stride && in_port < disco_in_degree(ctx));
    return disco__in_port_state(sim, ctx->node, in_port);
}

void disco_set_send_hook(struct disco_ctx *ctx, disco_send_hook_fn *hook,
                         void *hook_state)
{
    ctx->send_hook = hook;
    ctx->hook_state = hook_state;
}

/* A Byzantine node's message goes through its strategy first, on a copy
 * (the algorithm's buffer stays as it was). */
static void forge_and_send(struct disco_ctx *ctx, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    struct disco_sim *sim = ctx->sim;
    unsigned char *buffer = sim->forge_buffer;
    memset(buffer, 0, DISCO_MAX_PAYLOAD);
    if (len)
        memcpy(buffer, payload, len);
    unsigned new_kind = kind;
    size_t new_len = len;
    if (!sim->strategy->on_send(ctx, port, &new_kind, buffer, &new_len))
        return;
    if (new_kind >= sim->alg->kind_count || new_len > DISCO_MAX_PAYLOAD) {
        sim_fault(sim, DISCO_EINVAL,
                  "%s: strategy %s made message kind %u of %zu bytes",
                  sim->alg->name, sim->strategy->name, new_kind, new_len);
        return;
    }
    sim->forging = new_kind != kind || new_len != len ||
                   (len && memcmp(buffer, payload, len) != 0);
    send_on_channel(sim, ctx->node,
                    disco__node(sim, ctx->node)->first_channel + port,
                    new_kind, buffer, new_len);
    sim->forging = false;
}

void disco_send(struct disco_ctx *ctx, uint32_t port, unsigned kind,
                const void *payload, size_t len)
{
    if (ctx->send_hook) {
        /* The layer sees the inner algorithm's send; its own sends, made
         * from inside the hook, go to the network. */
        disco_send_hook_fn *hook = ctx->send_hook;
        void *hook_state = ctx->hook_state;
        ctx->send_hook = NULL;
        hook(ctx, hook_state, port, kind, payload, len);
        ctx->send_hook = hook;
        ctx->hook_state = hook_state;
        return;
    }
    if (!check_send(ctx, port, kind, len))
        return;
    struct disco_sim *sim = ctx->sim;
    struct disco__node *self = disco__node(sim, ctx->node);
    if (self->flags & SENDS_WITH_CARE) {
        if (self->flags & DISCO__NODE_CRASHED)
            return; /* a crashed node's sends vanish */
        if (self->flags & DISCO__NODE_CRASHING) {
            /* Crashing in the middle of this step: only the first sends
             * leave; the crash itself takes effect after the callback. */
            if (sim->crash_budget[ctx->node] == 0)
                return;
            sim->crash_budget[ctx->node]--;
        }
        if ((self->flags & DISCO__NODE_BYZANTINE) && sim->strategy) {
            forge_and_send(ctx, port, kind, payload, len);
            return;
        }
    }
    uint32_t channel = self->first_channel + port;
    send_on_channel(sim, ctx->node, channel, kind, payload, len);
}

void disco_send_all_except(struct disco_ctx *ctx, uint32_t except,
                           unsigned kind, const void *payload, size_t len)
{
    struct disco_sim *sim = ctx->sim;
    const struct disco__node *self = disco__node(sim, ctx->node);
    uint32_t degree = self->degree;
    /* A wave's broadcast in a plain asynchronous run on a uniform network:
     * what disco_send and check_send test holds for every port alike (the
     * ports are the node's own, and len <= DISCO__INLINE_PAYLOAD is within
     * DISCO_MAX_PAYLOAD), so it is tested once and the copies go out as
     * one batch, in port order as below. */
    if (!ctx->send_hook && sim->plain_send && !sim->sync && !sim->chan_law &&
        !sim->chan_fifo && len <= DISCO__INLINE_PAYLOAD &&
        kind < sim->alg->kind_count && !sim->fault_code &&
        !(self->flags & SENDS_WITH_CARE)) {
        send_plain_all(sim, ctx->node, except, kind, payload, len);
        return;
    }
    for (uint32_t port = 0; port < degree; port++)
        if (port != except)
            disco_send(ctx, port, kind, payload, len);
}

void disco_send_all(struct disco_ctx *ctx, unsigned kind, const void *payload,
                    size_t len)
{
    disco_send_all_except(ctx, UINT32_MAX, kind, payload, len);
}

void disco_set_timer(struct disco_ctx *ctx, disco_time_t delay, uint64_t tag)
{
    struct disco_sim *sim = ctx->sim;
    struct disco__event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = DISCO__EV_TIMER;
    ev.target = ctx->node;
    ev.depth = disco__epoch(sim, ctx->node); /* a crash makes it stale */
    ev.payload.tag = tag;
    ev.time = sim->now + delay;
    if (ev.time < sim->now)
        ev.time = UINT64_MAX; /* saturate: fires after everything else, if
                               * ever: past time_bound, a run that gets to
                               * it stops (--max-time) or fails */
    push(sim, &ev);
}

void disco_decide(struct disco_ctx *ctx, int64_t value)
{
    struct disco_sim *sim = ctx->sim;
    if (sim->decision_count == sim->decision_capacity) {
        size_t capacity = sim->decision_capacity ? sim->decision_capacity * 2
                                                 : 16;
        struct disco_decision *d =
            realloc(sim->decisions, capacity * sizeof *d);
        if (!d) {
            sim_fault(sim, DISCO_ENOMEM, "out of memory recording decisions");
            return;
        }
        sim->decisions = d;
        if (sim->vc) {
            uint64_t *v = realloc(sim->decision_vc, capacity * sim->nodes *
                                                        sizeof *v);
            if (!v) {
                sim_fault(sim, DISCO_ENOMEM,
                          "out of memory recording decisions");
                return;
            }
            sim->decision_vc = v;
        }
        if (sim->causal_mode == DISCO__CAUSAL_TOKENS) {
            uint32_t *t =
                realloc(sim->decision_tokens, capacity * sizeof *t);
            if (!t) {
                sim_fault(sim, DISCO_ENOMEM,
                          "out of memory recording decisions");
                return;
            }
            sim->decision_tokens = t;
        }
        sim->decision_capacity = capacity;
    }
    uint32_t node = ctx->node;
    if (sim->lamport)
        sim->lamport[node]++;
    if (sim->vc) {
        vc_tick(sim, node);
        memcpy(sim->decision_vc + sim->decision_count * sim->nodes,
               vc_of(sim, node), sim->nodes * sizeof(uint64_t));
    }
    if (sim->causal_mode == DISCO__CAUSAL_TOKENS)
        sim->decision_tokens[sim->decision_count] =
            node_tokens(disco__node(sim, node));
    sim->decisions[sim->decision_count++] = (struct disco_decision){
        .node = node, .value = value, .time = disco_now(ctx),
        .lamport = sim->lamport ? sim->lamport[node] : 0,
        .log_position = sim->causal_count, /* 0 without a log */
    };
    if (sim->observer_count) {
        struct disco_event_view ev = {
            .type = DISCO_EV_DECIDE, .time = sim->now, .node = node,
            .peer = node, .kind = -1, .value = value,
            .lamport = sim->lamport ? sim->lamport[node] : 0,
        };
        observe(sim, &ev);
    }
}

/* A mark is for observers only: without one it costs nothing, and it
 * ticks no clock, so that marking changes no other line of a trace. */
void disco_mark(struct disco_ctx *ctx, const char *label)
{
    struct disco_sim *sim = ctx->sim;
    if (!sim->observer_count)
        return;
    uint32_t node = ctx->node;
    struct disco_event_view ev = {
        .type = DISCO_EV_MARK, .time = sim->now, .node = node, .peer = node,
        .kind = -1, .label = label,
        .lamport = sim->lamport ? sim->lamport[node] : 0,
    };
    observe(sim, &ev);
}

bool disco_is_passive(const struct disco_ctx *ctx)
{
    return disco__node(ctx->sim, ctx->node)->flags & DISCO__NODE_PASSIVE;
}

void disco_set_passive(struct disco_ctx *ctx, bool passive)
{
    unsigned char *flags = &disco__node(ctx->sim, ctx->node)->flags;
    bool was_passive = *flags & DISCO__NODE_PASSIVE;
    if (passive == was_passive)
        return;
    if (passive)
        *flags |= DISCO__NODE_PASSIVE;
    else
        *flags &= (unsigned char)~DISCO__NODE_PASSIVE;
    if (!(*flags & DISCO__NODE_CRASHED))
        ctx->sim->active_count += passive ? -1 : 1;
}

/* Ground truth for termination detection: after each event, whether every
 * live node is passive and no message of the basic computation is in
 * transit, and since when. */
static void update_quiescence(struct disco_sim *sim)
{
    bool quiet = sim->active_count == 0 && sim->basic_in_transit == 0;
    if (quiet && !sim->quiet) {
        sim->quiet_since = sim->now;
        if (!sim->ever_quiet) {
            sim->first_quiet = sim->now;
            sim->ever_quiet = true;
        }
    }
    sim->quiet = quiet;
}

bool disco_view_quiescence(const struct disco_view *view, disco_time_t *since,
                           disco_time_t *first)
{
    const struct disco_sim *sim = view->sim;
    if (since)
        *since = sim->quiet ? sim->quiet_since : UINT64_MAX;
    if (first)
        *first = sim->ever_quiet ? sim->first_quiet : UINT64_MAX;
    return sim->quiet;
}

/* ------------------------------------------------------------------------ */
/* Creation.                                                                 */

/* Zeroed; arrays of megabytes on transparent huge pages (big_array.h),
 * since the event loop reads per-node and per-channel arrays at random and
 * at 10^7 nodes every such read would otherwise miss the TLB too. */
static void *alloc_array(size_t count, size_t size, bool *failed)
{
    if (*failed)
        return NULL;
    void *p = NULL;
    if (!count || size <= SIZE_MAX / count)
        p = disco__big_alloc(count * size, true);
    if (!p)
        *failed = true;
    return p;
}

/* alloc_array for the largest arrays a run zeroes, the node records, the
 * states and the FIFO clocks: when big, fresh pages from the system
 * (disco__big_zeroed), which are zero without a memset.  At 10^6 nodes the
 * main thread spent some 45 ms zeroing these from their start while the
 * prefault helper faulted them in from their end; alternating runs of echo
 * measured x0.97.  Given back by disco__big_release_zeroed with the same
 * size, which the sim knows for these three (the others are freed without
 * one). */
static void *alloc_zeroed(size_t count, size_t size, bool *failed)
{
    if (*failed)
        return NULL;
    void *p = NULL;
    if (!count || size <= SIZE_MAX / count)
        p = disco__big_zeroed(count * size);
    if (!p)
        *failed = true;
    return p;
}

/* The FIFO clocks, whichever width exists (at most one does, of
 * fifo_bits). */
static void release_fifo_clocks(struct disco_sim *sim)
{
    void *clocks = sim->fifo_short ? (void *)sim->fifo_short
                   : sim->fifo_near ? (void *)sim->fifo_near
                                    : (void *)sim->fifo_last;
    disco__big_release_zeroed(clocks, (size_t)sim->topo->channels *
                                          sim->fifo_bits / 8u);
    sim->fifo_last = NULL;
    sim->fifo_near = NULL;
    sim->fifo_short = NULL;
}

/* The algorithm's default initiators: "all", "none" or a list of indices
 * (indices beyond the network are ignored, so "0" suits every size). */
static void default_initiators(struct disco_sim *sim)
{
    const char *text = sim->alg->model.initiators;
    if (!text || strcmp(text, "all") == 0) {
        for (uint32_t i = 0; i < sim->nodes; i++)
            disco__node(sim, i)->flags |= DISCO__NODE_INITIATOR;
        return;
    }
    if (strcmp(text, "none") == 0)
        return;
    const char *p = text;
    while (*p) {
        char *end;
        unsigned long node = strtoul(p, &end, 10);
        if (end == p)
            break;
        if (node < sim->nodes)
            disco__node(sim, node)->flags |= DISCO__NODE_INITIATOR;
        p = *end == ',' ? end + 1 : end;
    }
}

/* The index of `law` in the table, added if new; the search starts at
 * `first`, so that a channel's own law (first 1) never resolves to slot 0,
 * which --delay-change repoints.  -1 beyond 16 distinct laws: a channel's
 * copy of laws[0] takes a slot but is not one more law, so the runs
 * accepted are those accepted when it shared slot 0. */
static int law_index(struct disco_sim *sim, const struct disco_delay *law,
                     unsigned first)
{
    for (unsigned i = first; i < sim->law_count; i++)
        if (memcmp(&sim->laws[i], law, sizeof *law) == 0)
            return (int)i;
    /* The table holds at most one copy of laws[0]: a second would have
     * been found above. */
    unsigned distinct = sim->law_count;
    for (unsigned i = 1; i < sim->law_count; i++)
        if (memcmp(&sim->laws[i], &sim->laws[0], sizeof *law) == 0)
            distinct--;
    bool copy = first > 0 && memcmp(&sim->laws[0], law, sizeof *law) == 0;
    if (!copy && distinct == sizeof sim->laws / sizeof sim->laws[0] - 1)
        return -1;
    sim->laws[sim->law_count] = *law;
    return (int)sim->law_count++;
}

static int setup_network(struct disco_sim *sim, struct disco_error *err)
{
    const struct disco_config *cfg = &sim->cfg;
    const struct disco_channel_overrides *ov = &cfg->channel;
    uint32_t channels = sim->topo->channels;
    bool failed = false;

    memset(sim->laws, 0, sizeof sim->laws);
    sim->laws[0] = cfg->delay;
    sim->law_count = 1;
    bool varying_delay = cfg->delay.kind != DISCO_DELAY_CONST;
    if (ov->delay && ov->use_delay) {
        sim->chan_law = alloc_array(channels, 1, &failed);
        for (uint32_t c = 0; !failed && c < channels; c++) {
            if (!ov->use_delay[c])
                continue;
            /* From slot 1: a channel's own law equal to --delay gets a
             * slot of its own, and keeps it after a --delay-change. */
            int index = law_index(sim, &ov->delay[c], 1);
            if (index < 0)
                return disco_fail(err, DISCO_ELIMIT,
                                  "at most 16 distinct channel delay laws");
            sim->chan_law[c] = (unsigned char)index;
            /* Several constant laws of different lengths reorder too. */
            if (ov->delay[c].kind != DISCO_DELAY_CONST ||
                memcmp(&ov->delay[c], &cfg->delay, sizeof cfg->delay) != 0)
                varying_delay = true;
        }
    }
    if (ov->loss) {
        sim->chan_loss = alloc_array(channels, sizeof(uint64_t), &failed);
        for (uint32_t c = 0; !failed && c < channels; c++)
            sim->chan_loss[c] = probability_threshold(
                ov->loss[c] < 0 ? cfg->loss : ov->loss[c]);
    }
    bool any_fifo = cfg->fifo;
    if (ov->fifo) {
        sim->chan_fifo = alloc_array(channels, 1, &failed);
        for (uint32_t c = 0; !failed && c < channels; c++) {
            sim->chan_fifo[c] = ov->fifo[c] < 0 ? cfg->fifo : ov->fifo[c] != 0;
            any_fifo |= sim->chan_fifo[c];
        }
    }
    /* Delay changes: their laws join the table now, so that FIFO clocks
     * exist whenever some law of the run can reorder. */
    for (size_t i = 0; i < cfg->fault_count; i++) {
        const struct disco_fault *f = &cfg->faults[i];
        if (f->kind != DISCO_FAULT_DELAY)
            continue;
        int index = law_index(sim, &f->delay, 0);
        if (index < 0)
            return disco_fail(err, DISCO_ELIMIT,
                              "at most 16 distinct delay laws in a run");
        if (f->delay.kind != DISCO_DELAY_CONST ||
            memcmp(&f->delay, &cfg->delay, sizeof f->delay) != 0)
            varying_delay = true;
    }
    for (unsigned i = 0; i < sim->law_count; i++)
        disco_delay_format(&sim->laws[i], sim->law_labels[i],
                           sizeof sim->law_labels[i]);
    /* Delays are below 2^63 (config.c) and so is every event time the run
     * processes: a send at `now` then arrives by 2^64 - 2, without
     * wrapping round, and no later than TIME_LIMIT. */
    sim->longest_delay = 1; /* a round */
    for (unsigned i = 0; !cfg->sync && i < sim->law_count; i++) {
        disco_time_t m = disco__delay_max(&sim->laws[i]);
        sim->longest_delay = m > sim->longest_delay ? m : sim->longest_delay;
    }
    sim->time_bound = sim->longest_delay < TIME_LIMIT
                          ? TIME_LIMIT - sim->longest_delay
                          : 0;
    if (cfg->max_time && cfg->max_time < sim->time_bound)
        sim->time_bound = cfg->max_time;
    /* A constant delay keeps send order by itself: duplicates are the only
     * way to overtake, and they are sent after the original anyway. */
    if (!sim->sync && any_fifo && (varying_delay || cfg->dup > 0)) {
        disco_time_t longest = sim->longest_delay;
        if (longest < FIFO_SHORT_SPAN && channels >= FIFO_SHORT_CHANNELS) {
            sim->fifo_short = alloc_zeroed(channels, sizeof(uint16_t), &failed);
            sim->fifo_bits = 16;
        } else if (longest < FIFO_SPAN) {
            sim->fifo_near = alloc_zeroed(channels, sizeof(uint32_t), &failed);
            sim->fifo_bits = 32;
        } else {
            sim->fifo_last =
                alloc_zeroed(channels, sizeof(disco_time_t), &failed);
            sim->fifo_bits = 64;
        }
    }
    sim->loss_threshold = probability_threshold(cfg->loss);
    sim->dup_threshold = probability_threshold(cfg->dup);
    if (failed)
        return disco_fail(err, DISCO_ENOMEM,
                          "out of memory for %u channels", channels);
    return 0;
}

/* Work keeps a run going: a delivery, a timer, or a recovery or link change
 * that wakes an algorithm with an on_recover or on_link callback (which may
 * start work anew). */
static bool is_work(const struct disco_sim *sim, const struct disco__event *ev)
{
    return ev->type == DISCO__EV_DELIVER || ev->type == DISCO__EV_TIMER ||
           (ev->type == DISCO__EV_RECOVER && sim->alg->on_recover) ||
           ((ev->type == DISCO__EV_LINK_DOWN || ev->type == DISCO__EV_LINK_UP ||
             ev->type == DISCO__EV_PARTITION) &&
            sim->alg->on_link);
}

static int schedule_faults(struct disco_sim *sim, struct disco_error *err)
{
    for (size_t i = 0; i < sim->cfg.fault_count; i++) {
        const struct disco_fault *f = &sim->cfg.faults[i];
        struct disco__event ev;
        memset(&ev, 0, sizeof ev);
        ev.time = f->time;
        if (f->node >= sim->nodes)
            return disco_fail(err, DISCO_EINVAL,
                              "fault names node %u, but nodes are 0..%u",
                              f->node, sim->nodes - 1);
        struct disco__event end = ev;
        bool has_end = false;
        switch (f->kind) {
        case DISCO_FAULT_CRASH:
        case DISCO_FAULT_RECOVER:
            ev.type = f->kind == DISCO_FAULT_CRASH ? DISCO__EV_CRASH
                                                   : DISCO__EV_RECOVER;
            ev.target = f->node;
            if (f->kind == DISCO_FAULT_CRASH && f->partial) {
                ev.payload.tag = (uint64_t)f->after_sends + 1;
                if (f->time == 0) {
                    /* Struck during init, whose sends are a synchronous
                     * algorithm's first round. */
                    disco__node(sim, f->node)->flags |= DISCO__NODE_CRASHING;
                    sim->crash_budget[f->node] = f->after_sends;
                    sim->crashing_any = true;
                    continue;
                }
            }
            break;
        case DISCO_FAULT_OMIT_SEND:
        case DISCO_FAULT_OMIT_RECEIVE:
            ev.type = DISCO__EV_OMIT_START;
            ev.target = f->node;
            ev.kind = f->kind == DISCO_FAULT_OMIT_RECEIVE;
            ev.payload.tag = probability_threshold(f->probability);
            end = ev;
            end.type = DISCO__EV_OMIT_END;
            end.time = f->until;
            has_end = f->until != UINT64_MAX;
            break;
        case DISCO_FAULT_PARTITION:
            if (f->partition >= sim->cfg.partition_count)
                return disco_fail(err, DISCO_EINVAL,
                                  "fault names partition %u of %zu",
                                  f->partition, sim->cfg.partition_count);
            ev.type = DISCO__EV_PARTITION;
            ev.target = f->partition;
            ev.kind = 1;
            end = ev;
            end.kind = 0;
            end.time = f->until;
            has_end = f->until != UINT64_MAX;
            break;
        case DISCO_FAULT_DELAY:
            ev.type = DISCO__EV_DELAY;
            ev.payload.tag = (uint64_t)law_index(sim, &f->delay, 0);
            break;
        case DISCO_FAULT_LINK_DOWN:
        case DISCO_FAULT_LINK_UP: {
            uint32_t c = f->peer < sim->nodes
                             ? disco_topology_find(sim->topo, f->node, f->peer)
                             : UINT32_MAX;
            if (c == UINT32_MAX)
                c = f->peer < sim->nodes ? disco_topology_find(
                                               sim->topo, f->peer, f->node)
                                         : UINT32_MAX;
            if (c == UINT32_MAX)
                return disco_fail(err, DISCO_EINVAL,
                                  "cannot cut %u-%u: there is no such link",
                                  f->node, f->peer);
            if (!sim->link_down) {
                sim->link_down = calloc(sim->topo->channels, 1);
                if (!sim->link_down)
                    return disco_fail(err, DISCO_ENOMEM, "out of memory");
            }
            ev.type = f->kind == DISCO_FAULT_LINK_DOWN ? DISCO__EV_LINK_DOWN
                                                       : DISCO__EV_LINK_UP;
            ev.target = c;
            break;
        }
        }
        if (disco__queue_push(&sim->queue, &ev) ||
            (has_end && disco__queue_push(&sim->queue, &end)))
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        if (is_work(sim, &ev))
            sim->pending_work++;
        if (has_end && is_work(sim, &end))
            sim->pending_work++;
    }
    return 0;
}

/* What the faults beyond crashes and cuts need: arrays sized by what the
 * schedule uses, the Byzantine strategy, the trusted node of <>S. */
static int setup_adversary(struct disco_sim *sim, struct disco_error *err)
{
    const struct disco_config *cfg = &sim->cfg;
    uint32_t n = sim->nodes;
    bool failed = false, partial = false, omission = false;
    for (size_t i = 0; i < cfg->fault_count; i++) {
        const struct disco_fault *f = &cfg->faults[i];
        partial |= f->kind == DISCO_FAULT_CRASH && f->partial;
        omission |= f->kind == DISCO_FAULT_OMIT_SEND ||
                    f->kind == DISCO_FAULT_OMIT_RECEIVE;
        if ((f->kind == DISCO_FAULT_PARTITION) && !sim->link_down)
            sim->link_down = alloc_array(sim->topo->channels, 1, &failed);
    }
    if (partial)
        sim->crash_budget = alloc_array(n, sizeof(uint32_t), &failed);
    if (omission)
        sim->omit_threshold = alloc_array(2 * (size_t)n, sizeof(uint64_t),
                                          &failed);
    if (failed)
        return disco_fail(err, DISCO_ENOMEM, "out of memory for faults");

    sim->sign_key = disco__stream_seed(cfg->seed, DISCO_STREAM_SIGNATURES);
    /* <>S trusts the first node that no scheduled crash touches. */
    sim->trusted = UINT32_MAX;
    for (uint32_t v = 0; v < n && sim->trusted == UINT32_MAX; v++) {
        bool crashes = cfg->byzantine && cfg->byzantine[v];
        for (size_t i = 0; i < cfg->fault_count; i++)
            crashes |= cfg->faults[i].kind == DISCO_FAULT_CRASH &&
                       cfg->faults[i].node == v;
        if (!crashes)
            sim->trusted = v;
    }

    if (cfg->byzantine) {
        const char *name = cfg->strategy[0] ? cfg->strategy : "silent";
        int rc = disco__strategy_resolve(sim->alg, name, &sim->strategy, err);
        if (rc)
            return rc;
        sim->forge_buffer = malloc(DISCO_MAX_PAYLOAD);
        if (!sim->forge_buffer)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        for (uint32_t v = 0; v < n; v++)
            if (cfg->byzantine[v])
                disco__node(sim, v)->flags |= DISCO__NODE_BYZANTINE;
    }
    if (cfg->dynamic != DISCO_DYNAMIC_NONE)
        return disco__dynamic_create(sim, err);
    return 0;
}

/* How many bits hold x (at least 1). */
static unsigned bits_for(uint64_t x)
{
    return x ? 64u - (unsigned)__builtin_clzll(x) : 1u;
}

/* Node cells.  A delivery reads its receiver's record and its state, two
 * random lines of a large graph when they lie in two arrays, and the event
 * loop waits on such lines (docs/performance.md, "Thirteenth session").
 * When the state's node part fits beside the 32-byte record and the
 * algorithm keeps no per-port parts, each node gets one 64-byte cell,
 * record first, and a delivery reads one line.  A 16-byte state then costs
 * 16 bytes more a node; beyond DISCO__CELLS_EXTRA_MAX of such padding (more
 * than 2^22 nodes, as in bench/run.sh's echo over 10^7 nodes, where the
 * 2 GB target is the tighter one) records and states stay apart.
 * DISCO_NODE_CELLS=0 keeps them apart always, for measuring; the output is
 * the same either way. */
bool disco__node_cells(const struct disco_algorithm *alg, uint32_t nodes,
                       size_t stride)
{
    size_t room = DISCO__CELL_BYTES - sizeof(struct disco__node);
    if (alg->port_state_size || alg->in_port_state_size || stride > room)
        return false;
    /* Read at every create, not cached: tests set it between sims. */
    const char *setting = getenv("DISCO_NODE_CELLS");
    if (setting && strcmp(setting, "0") == 0)
        return false;
    return (room - stride) * (size_t)nodes <= DISCO__CELLS_EXTRA_MAX;
}

int disco_sim_create(struct disco_sim **out, const struct disco_algorithm *alg,
                     const struct disco_topology *topo,
                     const struct disco_config *cfg, struct disco_error *err)
{
    *out = NULL;
    if (topo->nodes == 0)
        return disco_fail(err, DISCO_EINVAL, "the topology has no nodes");
    if (alg->kind_count > 256)
        return disco_fail(err, DISCO_ELIMIT,
                          "%s declares %u message kinds (at most 256)",
                          alg->name, alg->kind_count);
    if (alg->param_count > sizeof cfg->params / sizeof cfg->params[0])
        return disco_fail(err, DISCO_ELIMIT, "%s declares too many parameters",
                          alg->name);
    size_t stride = (alg->state_size + 15) & ~(size_t)15;
    if (stride == 0)
        stride = 16;
    /* (The records' array, in cells, takes up to 64 bytes a node: only a
     * 32-bit size_t could overflow.) */
    if ((size_t)topo->nodes > SIZE_MAX / stride ||
        (uint64_t)topo->nodes * DISCO__CELL_BYTES > SIZE_MAX)
        return disco_fail(err, DISCO_ELIMIT, "state of %u nodes overflows",
                          topo->nodes);
    /* Per-port parts: each block is the node part plus out-degree parts,
     * then in-degree in-port parts, each run rounded up to 16 bytes so
     * that the in-port parts and every block stay aligned: at most
     * N*(stride + 15 + 15) + C*(port_stride + in_port_stride) in all (the
     * in-degrees, like the out-degrees, add up to C). */
    size_t port_stride = alg->port_state_size;
    size_t in_port_stride = alg->in_port_state_size;
    size_t state_bytes = (size_t)topo->nodes * stride;
    size_t per_channel = port_stride + in_port_stride;
    size_t padding = (size_t)(port_stride > 0) + (in_port_stride > 0);
    if (per_channel) {
        if (per_channel < port_stride ||
            (size_t)topo->channels > (SIZE_MAX - state_bytes) / per_channel ||
            (size_t)topo->nodes >
                (SIZE_MAX - state_bytes -
                 (size_t)topo->channels * per_channel) / (15 * padding))
            return disco_fail(err, DISCO_ELIMIT,
                              "per-port state of %u channels overflows",
                              topo->channels);
        state_bytes += (size_t)topo->channels * per_channel +
                       (size_t)topo->nodes * 15 * padding;
    }

    if (cfg->vector_clocks && topo->nodes > DISCO_MAX_VECTOR_CLOCK_NODES)
        return disco_fail(err, DISCO_ELIMIT,
                          "vector clocks for %u nodes would need %llu MiB "
                          "(at most %u nodes)",
                          topo->nodes,
                          (unsigned long long)((uint64_t)topo->nodes *
                                               topo->nodes * 8 >> 20),
                          DISCO_MAX_VECTOR_CLOCK_NODES);

    struct disco_sim *sim = calloc(1, sizeof *sim);
    if (!sim)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    atomic_init(&sim->progress_events, 0);
    atomic_init(&sim->progress_time, 0);
    sim->alg = alg;
    sim->topo = topo;
    sim->cfg = *cfg;
    /* The sim keeps only what it copies below; the caller keeps cfg's. */
    sim->cfg.ids = NULL;
    sim->cfg.initiators = NULL;
    sim->cfg.faults = cfg->faults;
    sim->cfg.inputs = NULL;
    sim->cfg.byzantine = cfg->byzantine; /* read at create only */
    sim->cfg.partition_side = NULL;
    sim->cfg.partition_one_way = NULL;
    sim->view.sim = sim;
    sim->ctx.sim = sim;
    sim->nodes = topo->nodes;
    sim->stride = stride;
    sim->port_stride = port_stride;
    sim->in_port_stride = in_port_stride;
    sim->sync = cfg->sync;
    /* Compact until disco_sim_run knows whether anything reads message
     * numbers or Lamport clocks (observers attach after create). */
    disco__queue_init_compact(&sim->queue);

    uint32_t n = topo->nodes;
    bool failed = false;
    bool cells = disco__node_cells(alg, n, stride);
    sim->node_cells = cells;
    sim->record_shift = cells ? DISCO__CELL_SHIFT : DISCO__RECORD_SHIFT;
    sim->state_step = cells ? DISCO__CELL_BYTES : stride;
    if (!cells) {
        sim->state_bytes = state_bytes;
        sim->states = alloc_zeroed(1, state_bytes, &failed);
    }
    sim->max_state = stride;
    if ((port_stride || in_port_stride) && !failed) {
        sim->state_offset = alloc_array((size_t)n + 1, sizeof(size_t),
                                        &failed);
        size_t offset = 0;
        for (uint32_t i = 0; !failed && i < n; i++) {
            sim->state_offset[i] = offset;
            size_t ports = disco_topology_degree(topo, i) * port_stride;
            size_t in_ports =
                (size_t)disco_topology_in_degree(topo, i) * in_port_stride;
            size_t block = stride + ((ports + 15) & ~(size_t)15) +
                           ((in_ports + 15) & ~(size_t)15);
            if (block > sim->max_state)
                sim->max_state = block;
            offset += block;
        }
        if (!failed)
            sim->state_offset[n] = offset;
    }
    if (cfg->ids) {
        sim->ids = alloc_array(n, sizeof(int64_t), &failed);
        if (!failed)
            memcpy(sim->ids, cfg->ids, (size_t)n * sizeof(int64_t));
    }
    /* Cache-line aligned (disco__big_zeroed), so that no record or cell
     * straddles two lines. */
    sim->node = alloc_zeroed(n, (size_t)1 << sim->record_shift, &failed);
    if (sim->node && cells)
        sim->states = (unsigned char *)sim->node + sizeof(struct disco__node);
    for (size_t i = 0; i < cfg->fault_count; i++)
        if (cfg->faults[i].kind == DISCO_FAULT_CRASH && !sim->epoch)
            sim->epoch = alloc_array(n, sizeof(uint32_t), &failed);
    sim->metrics.by_kind = alloc_array(alg->kind_count, sizeof(uint64_t),
                                       &failed);
    if (cfg->vector_clocks)
        sim->vc = alloc_array((size_t)n * n, sizeof(uint64_t), &failed);
    if (cfg->partition_count) {
        size_t bytes = cfg->partition_count * (size_t)n;
        sim->cfg.partition_side = alloc_array(bytes, 1, &failed);
        sim->cfg.partition_one_way =
            alloc_array(cfg->partition_count, 1, &failed);
        if (!failed) {
            memcpy(sim->cfg.partition_side, cfg->partition_side, bytes);
            memcpy(sim->cfg.partition_one_way, cfg->partition_one_way,
                   cfg->partition_count);
        }
    }
    if (cfg->input_count) {
        sim->inputs = alloc_array(cfg->input_count, sizeof *sim->inputs,
                                  &failed);
        if (!failed) {
            memcpy(sim->inputs, cfg->inputs,
                   cfg->input_count * sizeof *sim->inputs);
            sim->input_count = cfg->input_count;
        }
    }
    if (failed) {
        disco_sim_free(sim);
        return disco_fail(err, DISCO_ENOMEM,
                          "out of memory for the state of %u nodes", n);
    }
    for (uint32_t i = 0; i < n; i++) {
        disco__node(sim, i)->flags = DISCO__NODE_PASSIVE;
        disco__node(sim, i)->first_channel = topo->out_offset[i];
        disco__node(sim, i)->degree = disco_topology_degree(topo, i);
        if (cfg->initiators && cfg->initiators[i])
            disco__node(sim, i)->flags |= DISCO__NODE_INITIATOR;
        disco__node(sim, i)->rng =
            disco__stream_seed(cfg->seed, DISCO_STREAM_NODE(i));
        disco__node(sim, i)->net_rng =
            disco__stream_seed(cfg->seed, DISCO_STREAM_NODE(i) + 1);
    }
    if (!cfg->initiators)
        default_initiators(sim);

    int rc = setup_network(sim, err);
    if (rc == 0)
        rc = setup_adversary(sim, err);
    if (rc == 0)
        rc = schedule_faults(sim, err);
    sim->cfg.faults = NULL;
    sim->cfg.byzantine = NULL;
    sim->cfg.channel_rounds = NULL; /* copied by the dynamic network */
    if (rc) {
        disco_sim_free(sim);
        return rc;
    }

    bool has_trace_property = false;
    for (unsigned i = 0; i < alg->property_count; i++)
        if (alg->properties[i].kind == DISCO_PROPERTY_TRACE)
            has_trace_property = true;
    sim->causal_mode = has_trace_property && cfg->causal_log_limit > 0
                           ? DISCO__CAUSAL_LOG
                           : DISCO__CAUSAL_NONE;
    /* Log positions are 32-bit (struct disco__causal_entry). */
    if (sim->cfg.causal_log_limit > UINT32_MAX - 1u)
        sim->cfg.causal_log_limit = UINT32_MAX - 1u;
    /* A logged receive's sender position is below the cap (it is at most
     * the receive's own index): pack entries into 64 bits when node
     * numbers and such positions fit, two thirds of the memory. */
    unsigned node_bits = bits_for(sim->nodes - 1);
    unsigned position_bits =
        bits_for(sim->cfg.causal_log_limit ? sim->cfg.causal_log_limit - 1
                                           : 0);
    if (2 * node_bits + position_bits <= 64)
        sim->causal_packing = (struct disco__causal_packing){
            .node_shift = position_bits + node_bits,
            .from_shift = position_bits,
        };
    *out = sim;
    return 0;
}

int disco_sim_observe(struct disco_sim *sim, const struct disco_observer *obs,
                      struct disco_error *err)
{
    if (sim->ran)
        return disco_fail(err, DISCO_EINVAL,
                          "observers attach before the run starts");
    if (sim->observer_count == DISCO__MAX_OBSERVERS)
        return disco_fail(err, DISCO_ELIMIT, "at most %d observers",
                          DISCO__MAX_OBSERVERS);
    sim->observers[sim->observer_count++] = *obs;
    if (obs->wants_state && sim->alg->format_state)
        sim->want_state = true;
    return 0;
}

void disco_sim_free(struct disco_sim *sim)
{
    if (!sim)
        return;
    disco__queue_release(&sim->queue);
    free(sim->pool.bytes);
    if (!sim->node_cells) /* else the states are in the records' array */
        disco__big_release_zeroed(sim->states, sim->state_bytes);
    free(sim->state_offset);
    free(sim->ids);
    disco__big_release_zeroed(sim->node,
                              (size_t)sim->nodes << sim->record_shift);
    free(sim->lamport);
    free(sim->vc);
    free(sim->decision_vc);
    free(sim->decision_tokens);
    vc_store_free(&sim->vc_store);
    free(sim->epoch);
    release_fifo_clocks(sim);
    free(sim->link_down);
    free(sim->chan_law);
    free(sim->chan_loss);
    free(sim->chan_fifo);
    free(sim->inputs);
    free(sim->metrics.by_kind);
    free(sim->state_before);
    free(sim->decisions);
    causal_free(sim);
    free(sim->invariant_failure);
    free(sim->crash_budget);
    free(sim->omit_threshold);
    free(sim->forge_buffer);
    free(sim->cfg.partition_side);
    free(sim->cfg.partition_one_way);
    disco__dynamic_free(sim);
    free(sim);
}

/* ------------------------------------------------------------------------ */
/* The event loop.                                                           */

static void check_invariants(struct disco_sim *sim)
{
    const struct disco_algorithm *alg = sim->alg;
    for (unsigned i = 0; i < alg->property_count; i++) {
        const struct disco_property *p = &alg->properties[i];
        char *slot = sim->invariant_failure + (size_t)i * 256;
        if (p->kind != DISCO_PROPERTY_INVARIANT || slot[0])
            continue;
        char detail[200] = "";
        if (!p->check(&sim->view, detail, sizeof detail))
            snprintf(slot, 256, "violated at t=%llu after event %llu: %s",
                     (unsigned long long)sim->now,
                     (unsigned long long)sim->metrics.events, detail);
    }
}

/* The node that sends on `channel` (which leads to `to`).  On undirected
 * graphs the receiver's port back to the sender names it, in the
 * receiver's adjacency: a cache line the delivery touches anyway.  Directed
 * graphs (rings, digraph scenarios) search the CSR offsets. */
static uint32_t channel_source(const struct disco_sim *sim, uint32_t channel,
                               uint32_t to)
{
    const struct disco_topology *topo = sim->topo;
    if (!topo->directed)
        return topo->out_target[disco__node(sim, to)->first_channel +
                                disco_topology_in_port(topo, channel)];
    uint32_t lo = 0, hi = sim->nodes;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (topo->out_offset[mid] <= channel)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* A delivery in a plain run (sim->plain_deliver): what deliver does in
 * that case, without the tests for what is off. */
static inline void deliver_plain(struct disco_sim *sim,
                                 const struct disco__event *ev)
{
    uint32_t to = ev->to;
    struct disco__node *receiver = disco__node(sim, to);
    if (is_basic(sim, ev->kind))
        sim->basic_in_transit--;
    if (receiver->flags & DISCO__NODE_CRASHED) {
        sim->metrics.dropped++;
    } else {
        sim->metrics.delivered++;
        sim->metrics.events++;
        uint32_t depth = ev->depth + 1;
        /* A maximum without a branch: which is larger is a coin toss on a
         * wave, and a mispredicted branch cost more than the store. */
        receiver->depth = depth > receiver->depth ? depth : receiver->depth;
        if (depth > sim->metrics.causal_depth)
            sim->metrics.causal_depth = depth;
        if (sim->causal_mode == DISCO__CAUSAL_TOKENS)
            receive_tokens(sim, receiver, ev->lamport);
        else if (sim->causal_mode == DISCO__CAUSAL_LOG_IN_EVENTS)
            causal_record(sim, to, (uint32_t)(ev->lamport >> 32),
                          (uint32_t)ev->lamport);
        sim->ctx.node = to;
        sim->alg->on_message(&sim->ctx, disco__state(sim, to),
                             disco_topology_in_port(sim->topo, ev->target),
                             ev->kind,
                             event_payload(sim, ev), ev->len);
        if (sim->crashing_any)
            after_callback(sim, to);
    }
    if (ev->len > DISCO__INLINE_PAYLOAD)
        pool_free(&sim->pool, ev->payload.pool, ev->len);
}

static void deliver(struct disco_sim *sim, struct disco__event *ev)
{
    const struct disco_topology *topo = sim->topo;
    uint32_t channel = ev->target;
    uint32_t to = ev->to;
    if (is_basic(sim, ev->kind))
        sim->basic_in_transit--;
    /* Only traces and the causal log need the sender; with the log alone,
     * the message carries it (LOG_IN_EVENTS).  Tokens need no sender. */
    bool logged = disco__causal_logged(sim);
    uint32_t from = UINT32_MAX;
    if (sim->causal_mode == DISCO__CAUSAL_LOG_IN_EVENTS)
        from = (uint32_t)(ev->lamport >> 32);
    else if (sim->observer_count || logged)
        from = channel_source(sim, channel, to);
    if ((disco__node(sim, to)->flags & DISCO__NODE_CRASHED) ||
        (sim->link_down && sim->link_down[channel]) ||
        ((disco__node(sim, to)->flags & DISCO__NODE_OMIT_RECEIVE) &&
         chance(&disco__node(sim, to)->net_rng,
                sim->omit_threshold[2 * to + 1]))) {
        sim->metrics.dropped++;
        if (sim->vc)
            vc_release(sim, ev->msg, NULL);
        if (sim->observer_count)
            observe_message(sim, DISCO_EV_DROP, to, from, ev);
    } else {
        sim->metrics.delivered++;
        sim->metrics.events++;
        uint32_t depth = ev->depth + 1;
        struct disco__node *receiver = disco__node(sim, to);
        receiver->depth = depth > receiver->depth ? depth : receiver->depth;
        if (depth > sim->metrics.causal_depth)
            sim->metrics.causal_depth = depth;
        if (sim->lamport) {
            uint64_t l = sim->lamport[to];
            sim->lamport[to] = (l > ev->lamport ? l : ev->lamport) + 1;
        }
        if (sim->vc) {
            vc_release(sim, ev->msg, vc_of(sim, to));
            vc_tick(sim, to);
        }
        if (sim->causal_mode == DISCO__CAUSAL_TOKENS)
            receive_tokens(sim, receiver, ev->lamport);
        else if (logged)
            causal_record(sim, to, from,
                          sim->causal_mode == DISCO__CAUSAL_LOG_IN_EVENTS
                              ? (uint32_t)ev->lamport
                              : sim->send_position[ev->msg - 1]);
        if (sim->observer_count)
            observe_message(sim, DISCO_EV_RECV, to, from, ev);
        before_callback(sim, to);
        sim->ctx.node = to;
        sim->alg->on_message(&sim->ctx, disco__state(sim, to),
                             disco_topology_in_port(topo, channel), ev->kind,
                             event_payload(sim, ev), ev->len);
        after_callback(sim, to);
    }
    if (ev->len > DISCO__INLINE_PAYLOAD)
        pool_free(&sim->pool, ev->payload.pool, ev->len);
}

/* Links count the faults that hold them down, so that a cut healing
 * inside a partition (or two overlapping cuts) leaves the link down until
 * the last one ends. */
static void hold_down(struct disco_sim *sim, uint32_t channel, bool down)
{
    unsigned char *count = &sim->link_down[channel];
    if (down && *count < UCHAR_MAX)
        (*count)++;
    else if (!down && *count > 0)
        (*count)--;
}

/* Whether the last hold_down on `channel` changed its state. */
static bool just_changed(const struct disco_sim *sim, uint32_t channel,
                         bool down)
{
    return sim->link_down[channel] == (down ? 1 : 0);
}

/* Tell the sender of `channel` that its link went down or came back
 * (on_link), once every change of the fault has taken effect. */
static void notify_link(struct disco_sim *sim, uint32_t node, uint32_t channel,
                        bool down)
{
    if (!sim->alg->on_link ||
        (disco__node(sim, node)->flags & DISCO__NODE_CRASHED) ||
        sim->fault_code)
        return;
    sim->metrics.events++;
    if (sim->lamport)
        sim->lamport[node]++;
    vc_tick(sim, node);
    before_callback(sim, node);
    sim->ctx.node = node;
    sim->alg->on_link(&sim->ctx, disco__state(sim, node),
                      channel - disco__node(sim, node)->first_channel, !down);
    after_callback(sim, node);
}

static void set_link(struct disco_sim *sim, uint32_t channel, bool down)
{
    const struct disco_topology *topo = sim->topo;
    hold_down(sim, channel, down);
    uint32_t to = topo->out_target[channel];
    uint32_t from = UINT32_MAX, reverse = UINT32_MAX;
    if (!topo->directed) {
        reverse =
            topo->out_offset[to] + disco_topology_in_port(topo, channel);
        hold_down(sim, reverse, down);
        from = topo->out_target[reverse];
    }
    if (sim->observer_count)
        observe_simple(sim, down ? DISCO_EV_LINK_DOWN : DISCO_EV_LINK_UP,
                       from == UINT32_MAX ? to : from, to);
    if (!sim->alg->on_link)
        return;
    bool changed = just_changed(sim, channel, down);
    bool reverse_changed =
        reverse != UINT32_MAX && just_changed(sim, reverse, down);
    if (changed)
        notify_link(sim, channel_source(sim, channel, to), channel, down);
    if (reverse_changed)
        notify_link(sim, to, reverse, down);
}

static void crash_node(struct disco_sim *sim, uint32_t node)
{
    sim->metrics.events++;
    if (!(disco__node(sim, node)->flags & DISCO__NODE_PASSIVE))
        sim->active_count--;
    disco__node(sim, node)->flags |= DISCO__NODE_CRASHED;
    disco__node(sim, node)->flags &= (unsigned char)~DISCO__NODE_CRASHING;
    sim->epoch[node]++; /* exists: a crash was scheduled */
    vc_tick(sim, node);
    if (sim->observer_count)
        observe_simple(sim, DISCO_EV_CRASH, node, node);
}

static void observe_fault(struct disco_sim *sim, bool start, uint32_t node,
                          const char *label)
{
    if (!sim->observer_count)
        return;
    struct disco_event_view view = {
        .type = start ? DISCO_EV_FAULT : DISCO_EV_HEAL, .time = sim->now,
        .node = node, .peer = node, .kind = -1, .label = label,
        .lamport = sim->lamport ? sim->lamport[node] : 0,
    };
    observe(sim, &view);
}

/* Partition `index` starts or heals: every channel from side A to side B
 * (and back, unless one way) goes down or up. */
/* Whether the channel u -> v crosses the partition with these sides (1:
 * side A, 2: side B, 0: neither). */
static bool crosses(const unsigned char *side, bool one_way, uint32_t u,
                    uint32_t v)
{
    return (side[u] == 1 && side[v] == 2) ||
           (!one_way && side[u] == 2 && side[v] == 1);
}

static void set_partition(struct disco_sim *sim, uint32_t index, bool down)
{
    const unsigned char *side =
        sim->cfg.partition_side + (size_t)index * sim->nodes;
    bool one_way = sim->cfg.partition_one_way[index];
    const struct disco_topology *topo = sim->topo;
    for (uint32_t u = 0; u < sim->nodes; u++) {
        if (!side[u])
            continue;
        for (uint32_t c = topo->out_offset[u]; c < topo->out_offset[u + 1];
             c++)
            if (crosses(side, one_way, u, topo->out_target[c]))
                hold_down(sim, c, down);
    }
    observe_fault(sim, down, 0, one_way ? "one-way partition" : "partition");
    if (!sim->alg->on_link)
        return;
    /* Senders hear of their links once the whole partition stands. */
    for (uint32_t u = 0; u < sim->nodes; u++) {
        if (!side[u])
            continue;
        for (uint32_t c = topo->out_offset[u]; c < topo->out_offset[u + 1];
             c++)
            if (crosses(side, one_way, u, topo->out_target[c]) &&
                just_changed(sim, c, down))
                notify_link(sim, u, c, down);
    }
}

static void process(struct disco_sim *sim, struct disco__event *ev)
{
    switch ((enum disco__event_type)ev->type) {
    case DISCO__EV_DELIVER:
        deliver(sim, ev);
        break;
    case DISCO__EV_TIMER: {
        uint32_t node = ev->target;
        if ((disco__node(sim, node)->flags & DISCO__NODE_CRASHED) ||
            ev->depth != disco__epoch(sim, node) || !sim->alg->on_timer)
            break;
        sim->metrics.events++;
        if (sim->lamport)
            sim->lamport[node]++;
        vc_tick(sim, node);
        if (sim->observer_count) {
            struct disco_event_view view = {
                .type = DISCO_EV_TIMER, .time = sim->now, .node = node,
                .peer = node, .kind = -1, .value = (int64_t)ev->payload.tag,
                .lamport = sim->lamport ? sim->lamport[node] : 0,
            };
            observe(sim, &view);
        }
        before_callback(sim, node);
        sim->ctx.node = node;
        sim->alg->on_timer(&sim->ctx, disco__state(sim, node),
                           ev->payload.tag);
        after_callback(sim, node);
        break;
    }
    case DISCO__EV_CRASH:
        if (disco__node(sim, ev->target)->flags & DISCO__NODE_CRASHED)
            break;
        if (ev->payload.tag) {
            /* Partial: the next step sends tag-1 messages, then crashes. */
            disco__node(sim, ev->target)->flags |= DISCO__NODE_CRASHING;
            sim->crash_budget[ev->target] = (uint32_t)(ev->payload.tag - 1);
            sim->crashing_any = true;
            break;
        }
        crash_node(sim, ev->target);
        break;
    case DISCO__EV_RECOVER: {
        uint32_t node = ev->target;
        if (!(disco__node(sim, node)->flags & DISCO__NODE_CRASHED))
            break; /* recovering a live node changes nothing */
        sim->metrics.events++;
        disco__node(sim, node)->flags &= (unsigned char)~DISCO__NODE_CRASHED;
        if (!(disco__node(sim, node)->flags & DISCO__NODE_PASSIVE))
            sim->active_count++;
        vc_tick(sim, node);
        if (sim->observer_count)
            observe_simple(sim, DISCO_EV_RECOVER, node, node);
        if (sim->alg->on_recover) {
            before_callback(sim, node);
            sim->ctx.node = node;
            sim->alg->on_recover(&sim->ctx, disco__state(sim, node));
            after_callback(sim, node);
        }
        break;
    }
    case DISCO__EV_LINK_DOWN:
    case DISCO__EV_LINK_UP:
        sim->metrics.events++;
        set_link(sim, ev->target, ev->type == DISCO__EV_LINK_DOWN);
        break;
    case DISCO__EV_OMIT_START:
    case DISCO__EV_OMIT_END: {
        bool start = ev->type == DISCO__EV_OMIT_START;
        unsigned char bit = ev->kind ? DISCO__NODE_OMIT_RECEIVE
                                     : DISCO__NODE_OMIT_SEND;
        sim->metrics.events++;
        if (start) {
            disco__node(sim, ev->target)->flags |= bit;
            sim->omit_threshold[2 * ev->target + ev->kind] = ev->payload.tag;
        } else {
            disco__node(sim, ev->target)->flags &= (unsigned char)~bit;
        }
        observe_fault(sim, start, ev->target,
                      ev->kind ? "receive omission" : "send omission");
        break;
    }
    case DISCO__EV_PARTITION:
        sim->metrics.events++;
        set_partition(sim, ev->target, ev->kind != 0);
        break;
    case DISCO__EV_DELAY:
        sim->metrics.events++;
        /* Not a copy into laws[0]: a later change back to the run's own
         * law resolves to index 0 and must find it there. */
        sim->live_law = (unsigned)ev->payload.tag;
        if (sim->observer_count) {
            observe_fault(sim, true, 0, sim->law_labels[ev->payload.tag]);
        }
        break;
    }
}

/* Call init at every node, in index order, at time 0. */
static void init_nodes(struct disco_sim *sim)
{
    for (uint32_t i = 0; i < sim->nodes && !sim->fault_code; i++) {
        sim->metrics.events++;
        before_callback(sim, i);
        sim->ctx.node = i;
        sim->round_step = true;
        if (sim->alg->init)
            sim->alg->init(&sim->ctx, disco__state(sim, i));
        after_callback(sim, i);
        sim->round_step = false;
    }
}

static bool all_passive(const struct disco_sim *sim)
{
    for (uint32_t i = 0; i < sim->nodes; i++)
        if (!(disco__node(sim, i)->flags &
              (DISCO__NODE_PASSIVE | DISCO__NODE_CRASHED)))
            return false;
    return true;
}

/* Whether anything but fault events remains: messages and timers. */
static bool bounded_out(struct disco_sim *sim, disco_time_t next)
{
    if (next > sim->time_bound) {
        if (sim->cfg.max_time && next > sim->cfg.max_time)
            sim->metrics.stop = DISCO_STOP_MAX_TIME;
        else
            sim_fault(sim, DISCO_ELIMIT,
                      "simulated time would pass 2^63 ticks (an event at "
                      "tick %llu, delays of up to %llu ticks): the delays "
                      "or timers are too long for this run",
                      (unsigned long long)next,
                      (unsigned long long)sim->longest_delay);
        return true;
    }
    if (sim->cfg.max_events && sim->metrics.events >= sim->cfg.max_events) {
        sim->metrics.stop = DISCO_STOP_MAX_EVENTS;
        return true;
    }
    return false;
}

/* Deliveries hit random nodes of a large graph: fetch the data of events a
 * few places ahead (already in the wheel slot being popped) while this one
 * runs.
 * always_inline matters: GCC deems a function that only prefetches free of
 * side effects and deletes the call before it would inline it. */
__attribute__((always_inline)) static inline void prefetch_ahead(const struct disco_sim *sim)
{
    /* The events 8, 16 and 40 places ahead: most often in the block
     * being popped, all found in one step (the span); else in the slot's
     * later blocks. */
    const struct disco__queue *q = &sim->queue;
    const unsigned char *run;
    size_t span = disco__queue_peek_span(q, &run);
    if (span == 0) /* the slot being popped is empty: nothing ahead known */
        return;
    const struct disco__wheel_record *at8 =
        disco__queue_span_at(q, run, span, 8);
    const struct disco__wheel_record *at16 =
        disco__queue_span_at(q, run, span, 16);
    const struct disco__wheel_record *at40 =
        disco__queue_span_at(q, run, span, 40);
    /* The queue's own records were written long ago (a slot fills while
     * the wheel turns once): fetch them before they are read below. */
    if (at40)
        __builtin_prefetch(at40);
    const struct disco__wheel_record *next = at16;
    if (next && next->type == DISCO__EV_DELIVER) {
        /* For writing: a delivery updates the record (the causal depth,
         * the tokens) and the state.  In cells the state shares the
         * record's line. */
        __builtin_prefetch(disco__node(sim, next->to), 1);
        __builtin_prefetch(disco__in_port_addr(sim->topo, next->target));
        if (!sim->node_cells)
            __builtin_prefetch(disco__state(sim, next->to), 1);
        /* The causal log's per-message positions (traced runs). */
        if (sim->send_position) {
            uint64_t msg = disco__queue_record_msg(&sim->queue, next);
            if (msg && msg <= sim->send_capacity)
                __builtin_prefetch(&sim->send_position[msg - 1]);
        }
    }
    /* By now the receiver's record has arrived: fetch what its sends will
     * touch, its adjacency and its channels' FIFO clocks. */
    next = at8;
    if (next && next->type == DISCO__EV_DELIVER) {
        uint32_t first = disco__node(sim, next->to)->first_channel;
        __builtin_prefetch(&sim->topo->out_target[first]);
        if (sim->fifo_bits == 16)
            __builtin_prefetch(&sim->fifo_short[first], 1);
        else if (sim->fifo_bits == 32)
            __builtin_prefetch(&sim->fifo_near[first], 1);
        else if (sim->fifo_bits == 64)
            __builtin_prefetch(&sim->fifo_last[first], 1);
    }
}

/* Whether sends and deliveries may take the plain paths: nothing
 * observes a message and the network can neither lose, duplicate nor
 * block one. */
static void update_plain_paths(struct disco_sim *sim)
{
    /* (Lamport clocks exist only with observers.) */
    bool observed = sim->observer_count || sim->vc ||
                    sim->causal_mode == DISCO__CAUSAL_LOG ||
                    sim->want_state;
    sim->plain_deliver = !observed && !sim->link_down && !sim->omit_threshold;
    sim->plain_send = sim->plain_deliver && !sim->dyn_absent &&
                      !sim->chan_loss && sim->loss_threshold == 0 &&
                      sim->dup_threshold == 0;
}

/* Publish how far the run has got (disco_sim_progress). */
static void report_progress(struct disco_sim *sim)
{
    atomic_store_explicit(&sim->progress_events, sim->metrics.events,
                          memory_order_relaxed);
    atomic_store_explicit(&sim->progress_time, sim->metrics.time,
                          memory_order_relaxed);
}

void disco_sim_progress(const struct disco_sim *sim, uint64_t *events,
                        disco_time_t *time)
{
    *events = atomic_load_explicit(&sim->progress_events,
                                   memory_order_relaxed);
    *time = atomic_load_explicit(&sim->progress_time, memory_order_relaxed);
}

/* Loop turns between two reports of an asynchronous run: a countdown in a
 * register, rare enough to cost nothing, often enough for a line redrawn
 * a few times a second. */
#define PROGRESS_EVERY 65536u

static void run_async(struct disco_sim *sim)
{
    bool invariants = sim->invariant_failure != NULL;
    struct disco__event ev;
    uint32_t until_report = PROGRESS_EVERY;
    /* Quiescent once no message or timer is pending: fault events left
     * after that (a crash at t=10^6) could change nothing. */
    while (!sim->fault_code && sim->pending_work &&
           disco__queue_pop(&sim->queue, &ev)) {
        if (--until_report == 0) {
            until_report = PROGRESS_EVERY;
            report_progress(sim);
        }
        if (is_work(sim, &ev))
            sim->pending_work--;
        if (bounded_out(sim, ev.time))
            return;
        prefetch_ahead(sim);
        sim->now = ev.time;
        sim->metrics.time = ev.time;
        if (ev.type == DISCO__EV_DELIVER && sim->plain_deliver)
            deliver_plain(sim, &ev);
        else
            process(sim, &ev);
        update_quiescence(sim);
        if (invariants)
            check_invariants(sim);
    }
}

/* Lock-step rounds: the messages of round r-1 are delivered, then every
 * live node takes its round-r step.  Rounds go on while a message is in
 * flight or a node is active. */
static void run_sync(struct disco_sim *sim)
{
    bool invariants = sim->invariant_failure != NULL;
    struct disco__event ev;
    for (disco_time_t round = 1; !sim->fault_code; round++) {
        report_progress(sim);
        /* Messages and timers keep rounds going, and so do active nodes;
         * fault events alone (a crash scheduled for later) do not. */
        if (!sim->pending_work && all_passive(sim))
            return;
        if (sim->cfg.max_time && round > sim->cfg.max_time) {
            sim->metrics.stop = DISCO_STOP_MAX_TIME;
            return;
        }
        sim->now = round;
        sim->metrics.time = round;
        sim->metrics.rounds = round;
        if (sim->dynamic) /* carries what this round sends */
            disco__dynamic_round(sim, round + 1);
        while (disco__queue_size(&sim->queue) &&
               disco__queue_peek_time(&sim->queue) <= round) {
            if (bounded_out(sim, round))
                return;
            disco__queue_pop(&sim->queue, &ev);
            if (is_work(sim, &ev))
                sim->pending_work--;
            process(sim, &ev);
            update_quiescence(sim);
            if (invariants)
                check_invariants(sim);
        }
        if (!sim->alg->on_round)
            continue;
        /* Each node's step is an event of the synchronous model, so that
         * --max-events bounds a run whose nodes stay active in silence. */
        for (uint32_t i = 0; i < sim->nodes && !sim->fault_code; i++) {
            if (disco__node(sim, i)->flags & DISCO__NODE_CRASHED)
                continue;
            if (bounded_out(sim, round))
                return;
            sim->metrics.events++;
            if (sim->lamport)
                sim->lamport[i]++;
            before_callback(sim, i);
            sim->ctx.node = i;
            sim->round_step = true;
            sim->alg->on_round(&sim->ctx, disco__state(sim, i), round);
            after_callback(sim, i);
            sim->round_step = false;
        }
        update_quiescence(sim);
        if (invariants)
            check_invariants(sim);
    }
}

/* Fault events due by the time the computation fell quiet still happen
 * (a crash at t=0 in a run with nothing to do shows in the final state);
 * later ones could change nothing and are left out. */
static void apply_due_faults(struct disco_sim *sim)
{
    struct disco__event ev;
    while (!sim->fault_code && sim->metrics.stop == DISCO_STOP_QUIESCENT &&
           disco__queue_size(&sim->queue) &&
           disco__queue_peek_time(&sim->queue) <= sim->now) {
        disco__queue_pop(&sim->queue, &ev);
        process(sim, &ev);
        update_quiescence(sim);
    }
}

int disco_sim_run(struct disco_sim *sim, struct disco_error *err)
{
    if (sim->ran)
        return disco_fail(err, DISCO_EINVAL, "a simulation runs only once");
    sim->ran = true;
    bool failed = false;
    if (sim->observer_count)
        sim->lamport = alloc_array(sim->nodes, sizeof(uint64_t), &failed);
    if (sim->want_state)
        sim->state_before = alloc_array(1, sim->max_state, &failed);
    bool invariants = false;
    for (unsigned i = 0; i < sim->alg->property_count; i++)
        invariants |= sim->alg->properties[i].kind == DISCO_PROPERTY_INVARIANT;
    if (invariants)
        sim->invariant_failure =
            alloc_array(sim->alg->property_count, 256, &failed);
    /* Message numbers feed traces, vector clocks and the causal log, and
     * Lamport clocks traces: the queue keeps each only when something reads
     * it (a 16-byte record for a message without payload and nobody
     * watching, 24 with the causal log alone, 32 with a trace).  With the
     * causal log alone, the `lamport` field carries the sender (high 32
     * bits) and its log position (low 32) instead (LOG_IN_EVENTS), or,
     * for algorithms whose trace properties tokens can certify
     * (alg->tokens_certify) when cfg.causal_tokens asks, its tokens: one
     * per node, held in 24 bits. */
    if (sim->causal_mode == DISCO__CAUSAL_LOG && !sim->observer_count &&
        !sim->vc)
        sim->causal_mode = sim->cfg.causal_tokens && sim->alg->tokens_certify &&
                                   sim->nodes < (1u << 24)
                               ? DISCO__CAUSAL_TOKENS
                               : DISCO__CAUSAL_LOG_IN_EVENTS;
    if (sim->causal_mode == DISCO__CAUSAL_TOKENS)
        for (uint32_t v = 0; v < sim->nodes; v++)
            set_node_tokens(disco__node(sim, v), 1);
    if ((sim->observer_count || sim->vc) &&
        disco__queue_keep_whole(&sim->queue) != 0)
        failed = true;
    else if (disco__causal_in_events(sim) &&
             disco__queue_keep_fields(&sim->queue, DISCO__WHEEL_LAMPORT) != 0)
        failed = true;
    if (failed)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    update_plain_paths(sim);

    sim->metrics.stop = DISCO_STOP_QUIESCENT;
    sim->now = 0;
    if (sim->dynamic) /* init's sends arrive in round 1 */
        disco__dynamic_round(sim, 1);
    init_nodes(sim);
    update_quiescence(sim);
    if (invariants && !sim->fault_code)
        check_invariants(sim);
    if (sim->sync)
        run_sync(sim);
    else
        run_async(sim);
    apply_due_faults(sim);
    report_progress(sim);
    /* No more sends: what only the network needed goes back before the
     * checks allocate theirs (at 10^7 nodes, gigabytes of bucket arrays). */
    if (disco__queue_size(&sim->queue) == 0)
        disco__queue_release(&sim->queue);
    release_fifo_clocks(sim);
    for (unsigned i = 0; i < sim->observer_count; i++)
        if (sim->observers[i].on_end)
            sim->observers[i].on_end(sim->observers[i].self);
    if (sim->fault_code)
        return disco_fail(err, sim->fault_code, "%s", sim->fault_message);
    return 0;
}

const struct disco_metrics *disco_sim_metrics(const struct disco_sim *sim)
{
    return &sim->metrics;
}

const struct disco_view *disco_sim_view(const struct disco_sim *sim)
{
    return &sim->view;
}
