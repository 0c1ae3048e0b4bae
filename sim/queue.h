/*
 * queue.h - the kernel's event queue: a timing wheel for the near future
 * in front of a radix heap for the far future, events by value.
 *
 * Keys (event times) must be monotone: an event pushed may not be earlier
 * than the last one popped.  Events with equal times pop in insertion order.
 * The wheel stores events in blocks from a shared free list, the heap in
 * growable arrays, one per bucket; pushes and pops allocate only when the
 * pending events outgrow what was allocated (never per event in steady
 * state).  Both keep only what the run reads: a compact queue leaves out
 * message numbers and Lamport clocks, and the wheel the time and, until
 * one is pushed, the payload (struct disco__wheel_record).
 */
#ifndef DISCO_QUEUE_H
#define DISCO_QUEUE_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "event.h"

struct disco__queue_bucket {
    unsigned char *items; /* events of the queue's item size */
    size_t head;   /* first live item (bucket 0 is consumed from the front) */
    size_t count;  /* items in use, including the consumed prefix */
    size_t capacity;
};

/* Keys are read as digits of this many bits, one level of buckets per
 * digit (2^bits - 1 buckets each) plus bucket 0: an event moves down at
 * most once per level.  1 would give the textbook radix heap's 65 buckets;
 * 4 moves events about a third as often, for 241 buckets. */
#define DISCO__QUEUE_RADIX_BITS 4u
#define DISCO__QUEUE_BUCKETS                                                 \
    (1u + (64u + DISCO__QUEUE_RADIX_BITS - 1u) / DISCO__QUEUE_RADIX_BITS *   \
              ((1u << DISCO__QUEUE_RADIX_BITS) - 1u))

/* The radix heap that holds the far future (see struct disco__queue). */
struct disco__radix {
    disco_time_t last;  /* the key of the last pop (0 initially) */
    size_t size;        /* pending events */
    size_t item_size;   /* bytes stored per event: the whole, the core,
                         * or the core without its payload (queue.c) */
    uint64_t nonempty[(DISCO__QUEUE_BUCKETS + 63u) / 64u]; /* bit per bucket */
    struct disco__queue_bucket buckets[DISCO__QUEUE_BUCKETS];
};

/* The near future is a timing wheel of one slot per tick: an event due
 * within DISCO__WHEEL_SLOTS ticks of the wheel's base goes straight to the
 * slot of its time, appended, and is popped from there, moved once in all.
 * A slot is a chain of fixed-size blocks drawn from one free list shared
 * by every slot, so the memory the wheel holds follows the pending events,
 * and a block just read is the next one written while it is still in the
 * cache.  Records in the wheel leave out the time (the slot says it). */
#define DISCO__WHEEL_BITS 12u
#define DISCO__WHEEL_SLOTS (1u << DISCO__WHEEL_BITS)
#define DISCO__WHEEL_BLOCK 2048u /* bytes; the last 8 link to the next */

struct disco__wheel_block {
    unsigned char bytes[DISCO__WHEEL_BLOCK - sizeof(void *)];
    struct disco__wheel_block *next; /* in a slot's chain, or the free list */
};
/* A slot's first records live in the slot itself, as many as
 * DISCO__WHEEL_INLINE bytes hold (one narrow record), and move to a block
 * when one more arrives.  In a sparse run most slots hold one event at a
 * time, and a slot opened and emptied without a block touches one cache
 * line, not two, and no free list. */
#define DISCO__WHEEL_INLINE 28u
struct disco__wheel_slot {
    /* Valid while its bit is set: both NULL while the records are in
     * `first`, else the slot's chain of blocks. */
    struct disco__wheel_block *head, *tail;
    /* Where pushes write (tail's bytes, or `first`) and how many records
     * fit there: a push need not ask which, a branch that a mix of
     * sparse and crowded slots would mispredict. */
    unsigned char *records;
    /* Record index in head (next pop) and tail (next push), or both in
     * `first`; 32 bits, as narrower ones measured slower. */
    uint32_t read, write;
    /* Aligned as records in blocks are (disco__queue_span_at hands them
     * out as structs). */
    unsigned char first[DISCO__WHEEL_INLINE];
    uint32_t limit;
};

/* An event as the wheel keeps it: the event without its time, and without
 * the parts its queue's record format leaves out.  Every record has the
 * first DISCO__WHEEL_NARROW bytes (the fields up to the payload); the
 * payload follows once an event with a nonzero payload has been pushed (16
 * bytes, then), and the message number and Lamport clock when the queue
 * keeps them.  Narrow records are what most pending events of a large run
 * are: messages without payload. */
#define DISCO__WHEEL_NARROW 16u
_Static_assert(DISCO__WHEEL_INLINE < 2 * DISCO__WHEEL_NARROW,
               "one record inline at most, which disco__queue_pop relies on");
#define DISCO__WHEEL_PAYLOAD 1u
#define DISCO__WHEEL_MSG 2u
#define DISCO__WHEEL_LAMPORT 4u
struct disco__wheel_record {
    uint32_t target, to, depth;
    uint8_t type, kind;
    uint16_t len;
    union disco__event_payload payload;
};

struct disco__queue {
    /* Wheel events have times in [base, base + DISCO__WHEEL_SLOTS); the far
     * heap's all lie at or after base + DISCO__WHEEL_SLOTS.  When the base
     * moves up, the far events that enter the window move to the wheel
     * before anything else can be pushed at their times, which keeps ties
     * in insertion order. */
    disco_time_t base;
    disco_time_t far_low; /* no far event is earlier (UINT64_MAX: none
                           * may be), so that moving the base needs no
                           * look at the far heap until it comes near */
    /* The earliest pop time at which moving the base is worth a call: it
     * lets the base lag up to a quarter of the wheel behind the pops (the
     * wheel then reaches at least three quarters ahead), and while far
     * events hold the base back it waits for them to come within half the
     * wheel (see advance in queue.c).  A sparse run's every pop moves the
     * time, and a call on every pop to move the base by a tick or two, or
     * not at all, was some 4% of a sparse hold's instructions.  0 is
     * always safe: the next pop calls. */
    disco_time_t advance_at;
    disco_time_t last;  /* the key of the last pop (0 initially) */
    size_t size;        /* pending events, wheel and far heap */
    unsigned record_format; /* DISCO__WHEEL_PAYLOAD | _MSG | _LAMPORT */
    size_t record_size;     /* bytes per record in that format */
    unsigned records_per_block;
    unsigned records_inline; /* in a slot's `first`: 1, or 0 for formats
                              * of 32 bytes or more (a payload, or both
                              * msg and lamport: a whole queue's default) */
    /* Whether slots emptied lately would have fitted inline (> 0) or
     * needed a block anyway (< 0), saturating: slots open inline while it
     * is not negative.  Crowded slots gain nothing from starting inline,
     * and moving their records to a block costs a mispredicted branch
     * and a copy. */
    int inline_score;
    uint32_t front;     /* the slot of the last pop */
    struct disco__wheel_slot *slots;    /* DISCO__WHEEL_SLOTS, or NULL
                                         * until the first push */
    uint64_t occupied[DISCO__WHEEL_SLOTS / 64u]; /* bit per nonempty slot */
    uint64_t occupied_words;            /* bit per nonzero word above */
    struct disco__wheel_block *free_blocks;
    size_t free_count, block_count;     /* blocks free, blocks allocated */
    void *chunks;       /* allocations of blocks, chained */
    void *spare_chunk;  /* the next chunk of the largest size, or NULL */
    size_t next_chunk_blocks;
    /* The most blocks the wheel may allocate in all: SIZE_MAX, except in
     * tests, which lower it to make a block allocation fail as when memory
     * runs out, exactly where they choose (a lowered RLIMIT_AS cannot aim
     * at one block, and AddressSanitizer's reserved address space leaves
     * it no room).  Chunks are cut to fit under it.  A queue rebuilt by
     * disco__queue_keep_fields starts without one again. */
    size_t block_limit;
    struct disco__radix far;
};

/* A queue that keeps every field of its events. */
void disco__queue_init(struct disco__queue *q);
/* A queue that keeps only each event's core: msg and lamport pop as 0. */
void disco__queue_init_compact(struct disco__queue *q);
/* Make a compact queue keep whole events from now on; the events already
 * in it keep their order and pop with msg and lamport 0.  Returns 0, or
 * DISCO_ENOMEM leaving the queue unchanged. */
int disco__queue_keep_whole(struct disco__queue *q);
/* The same for some of the two: `fields` is DISCO__WHEEL_MSG,
 * DISCO__WHEEL_LAMPORT or both; what is not kept pops as 0. */
int disco__queue_keep_fields(struct disco__queue *q, unsigned fields);
/* The opposite, once nothing reads them any more: the wheel's records drop
 * message numbers and Lamport clocks (far events keep theirs; all pop as 0
 * from the wheel).  Returns 0, or DISCO_ENOMEM leaving the queue as it
 * was. */
int disco__queue_forget_msg(struct disco__queue *q);
void disco__queue_release(struct disco__queue *q);
/* The general paths of push and pop, below. */
int disco__queue_push_slow(struct disco__queue *q,
                           const struct disco__event *ev);
/* Pop from the slot being popped (occupied): its inline record, or the
 * last record of a block. */
void disco__queue_pop_slow(struct disco__queue *q, struct disco__event *out);
/* Pop when the slot being popped is empty: the next occupied slot's first
 * record, or the far heap's next event, or false when the queue is
 * empty. */
bool disco__queue_pop_next(struct disco__queue *q, struct disco__event *out);

static inline bool disco__wheel_occupied(const struct disco__queue *q,
                                         uint32_t slot)
{
    return q->occupied[slot / 64u] >> (slot % 64u) & 1u;
}

static inline void disco__wheel_occupy(struct disco__queue *q, uint32_t slot)
{
    q->occupied[slot / 64u] |= 1ull << (slot % 64u);
    q->occupied_words |= 1ull << (slot / 64u);
}

/* A free block; there must be one. */
static inline struct disco__wheel_block *
disco__wheel_take_block(struct disco__queue *q)
{
    struct disco__wheel_block *b = q->free_blocks;
    q->free_blocks = b->next;
    q->free_count--;
    return b;
}

/* Move the inline records of slot s to a free block (there must be one),
 * which then takes the slot's further records.  They keep their indices:
 * the slot's inline bytes are the start of the block. */
static inline void disco__wheel_spill(struct disco__queue *q,
                                      struct disco__wheel_slot *s)
{
    struct disco__wheel_block *b = disco__wheel_take_block(q);
    memcpy(b->bytes, s->first, DISCO__WHEEL_INLINE);
    s->head = s->tail = b;
    s->records = b->bytes;
    s->limit = (uint32_t)q->records_per_block;
}

static inline bool
disco__payload_is_zero(const union disco__event_payload *payload)
{
    uint64_t words[2];
    memcpy(words, payload, sizeof words);
    return (words[0] | words[1]) == 0;
}

/* A record's part after its first DISCO__WHEEL_NARROW bytes, as `format`
 * keeps it: the payload (`payload`, or zeros when NULL), the message
 * number, the Lamport clock. */
static inline void disco__wheel_encode_tail(unsigned char *to, unsigned format,
                                            const void *payload, uint64_t msg,
                                            uint64_t lamport)
{
    if (format & DISCO__WHEEL_PAYLOAD) {
        if (payload)
            memcpy(to, payload, DISCO__INLINE_PAYLOAD);
        else
            memset(to, 0, DISCO__INLINE_PAYLOAD);
        to += DISCO__INLINE_PAYLOAD;
    }
    if (format & DISCO__WHEEL_MSG) {
        memcpy(to, &msg, sizeof msg);
        to += sizeof msg;
    }
    if (format & DISCO__WHEEL_LAMPORT)
        memcpy(to, &lamport, sizeof lamport);
}

/* An event into a record of the given format, and back (fields the
 * format leaves out read 0).  Copies of constant size, piece by piece. */
static inline void disco__wheel_encode(unsigned char *to,
                                       const struct disco__event *ev,
                                       unsigned format)
{
    memcpy(to, (const unsigned char *)ev + sizeof(disco_time_t),
           DISCO__WHEEL_NARROW);
    disco__wheel_encode_tail(to + DISCO__WHEEL_NARROW, format, &ev->payload,
                             ev->msg, ev->lamport);
}

static inline void disco__wheel_decode(struct disco__event *out,
                                       const unsigned char *from,
                                       unsigned format)
{
    memcpy((unsigned char *)out + sizeof(disco_time_t), from,
           DISCO__WHEEL_NARROW);
    from += DISCO__WHEEL_NARROW;
    if (format & DISCO__WHEEL_PAYLOAD) {
        memcpy(&out->payload, from, DISCO__INLINE_PAYLOAD);
        from += DISCO__INLINE_PAYLOAD;
    } else {
        memset(&out->payload, 0, sizeof out->payload);
    }
    out->msg = 0;
    out->lamport = 0;
    if (format & DISCO__WHEEL_MSG) {
        memcpy(&out->msg, from, sizeof out->msg);
        from += sizeof out->msg;
    }
    if (format & DISCO__WHEEL_LAMPORT)
        memcpy(&out->lamport, from, sizeof out->lamport);
}

/* Where the next record of wheel slot `slot` goes: the bytes for the
 * caller to write in the queue's record format (the queue's size is the
 * caller's to count).  NULL, with nothing changed, when the record needs
 * a block first: the slot's first one, or one for its inline records to
 * spill to, while the free list is empty, or the next one to link after
 * a full tail block.  One logic for both the inline push below and the
 * general path (wheel_append in queue.c, which gets that block and asks
 * again), so that the two cannot disagree on where a record goes. */
static inline unsigned char *disco__wheel_place(struct disco__queue *q,
                                                uint32_t slot)
{
    struct disco__wheel_slot *s = &q->slots[slot];
    if (!disco__wheel_occupied(q, slot)) {
        /* A slot's first record, in the slot: sparse runs (a few events
         * per tick) open a slot on nearly every push. */
        if (q->inline_score >= 0 && q->records_inline) {
            s->head = s->tail = NULL;
            s->records = s->first;
            s->read = 0;
            s->write = 1;
            s->limit = (uint32_t)q->records_inline;
            disco__wheel_occupy(q, slot);
            return s->first;
        }
        /* In a block. */
        if (!q->free_blocks)
            return NULL;
        s->head = s->tail = disco__wheel_take_block(q);
        s->records = s->head->bytes;
        s->read = s->write = 0;
        s->limit = (uint32_t)q->records_per_block;
        disco__wheel_occupy(q, slot);
    } else if (s->write == s->limit) {
        /* Full: inline records move to a block; a full block is the
         * general path's (it links the next). */
        if (s->head || !q->free_blocks)
            return NULL;
        disco__wheel_spill(q, s);
    }
    unsigned char *at = s->records + (size_t)s->write++ * q->record_size;
    /* The slot's next push comes about a slot's worth of pushes later:
     * fetch the line it will write now, so that it does not stall on it
     * then (the line is in the cache, not in memory). */
    __builtin_prefetch(at + 64, 1);
    return at;
}

/* Where a push at `time` goes when it goes straight into the wheel: the
 * bytes of its record, counted in the queue's size, for the caller to
 * write in the queue's record format.  NULL when the push must take the
 * general path (disco__queue_push_slow), with nothing changed: a time
 * outside the wheel, no wheel yet, or a slot that needs a block first
 * (disco__wheel_place). */
static inline unsigned char *disco__queue_push_place(struct disco__queue *q,
                                                     disco_time_t time)
{
    /* (An event earlier than the last pop would break the contract; the
     * general path only asserts it too.) */
    assert(time >= q->last);
    if (!(time - q->base < DISCO__WHEEL_SLOTS && q->slots))
        return NULL;
    unsigned char *at =
        disco__wheel_place(q, (uint32_t)(time & (DISCO__WHEEL_SLOTS - 1u)));
    if (at)
        q->size++;
    return at;
}

/* Push a copy of *ev.  ev->time >= the last popped time (asserted).
 * Returns 0, or DISCO_ENOMEM leaving the queue unchanged.
 *
 * Inline for the case of nearly every push: an event due within the
 * wheel, that the record format can hold, in a slot whose last block has
 * room. */
static inline int disco__queue_push(struct disco__queue *q,
                                    const struct disco__event *ev)
{
    unsigned format = q->record_format;
    if (!(format & DISCO__WHEEL_PAYLOAD) &&
        !disco__payload_is_zero(&ev->payload))
        return disco__queue_push_slow(q, ev); /* the format grows */
    unsigned char *at = disco__queue_push_place(q, ev->time);
    if (!at)
        return disco__queue_push_slow(q, ev);
    disco__wheel_encode(at, ev, format);
    return 0;
}

/* disco__queue_push of a message without payload, given by its fields:
 * they are written straight into the record.  (An event built on the
 * stack field by field and copied out whole costs a store-forwarding
 * stall per push: perf put a third of a plain send's samples there, in
 * echo over 10^6 nodes.) */
static inline int disco__queue_push_message(struct disco__queue *q,
                                            disco_time_t time,
                                            uint32_t channel, uint32_t to,
                                            uint32_t depth, uint8_t kind,
                                            uint64_t msg, uint64_t lamport)
{
    unsigned char *at = disco__queue_push_place(q, time);
    if (!at) {
        struct disco__event ev = {
            .time = time, .target = channel, .to = to, .depth = depth,
            .type = DISCO__EV_DELIVER, .kind = kind, .msg = msg,
            .lamport = lamport,
        };
        return disco__queue_push_slow(q, &ev);
    }
    /* Field by field into the record: a struct built first would be put
     * together on the stack and copied, the very stall avoided here. */
    const uint8_t type = DISCO__EV_DELIVER;
    const uint16_t len = 0;
#define DISCO__PUT(field, value)                                             \
    memcpy(at + offsetof(struct disco__wheel_record, field), &(value),       \
           sizeof(value))
    DISCO__PUT(target, channel);
    DISCO__PUT(to, to);
    DISCO__PUT(depth, depth);
    DISCO__PUT(type, type);
    DISCO__PUT(kind, kind);
    DISCO__PUT(len, len);
#undef DISCO__PUT
    disco__wheel_encode_tail(at + DISCO__WHEEL_NARROW, q->record_format, NULL,
                             msg, lamport);
    return 0;
}

/* Pop the earliest event into *out.  Returns false when empty.  Inline for
 * an event from the middle of the block being read. */
static inline bool disco__queue_pop(struct disco__queue *q,
                                    struct disco__event *out)
{
    uint32_t f = q->front;
    if (!disco__wheel_occupied(q, f))
        return disco__queue_pop_next(q, out);
    struct disco__wheel_slot *s = &q->slots[f];
    /* A slot of inline records (head == tail == NULL, write <= 1) never
     * passes this test: they all pop through the slow path. */
    if (s->read + 1u < (s->head == s->tail ? s->write
                                           : q->records_per_block)) {
        disco__wheel_decode(
            out, s->head->bytes + (size_t)s->read++ * q->record_size,
            q->record_format);
        out->time = q->last;
        q->size--;
        return true;
    }
    disco__queue_pop_slow(q, out);
    return true;
}

/* The earliest pending time; the queue must not be empty. */
disco_time_t disco__queue_peek_time(struct disco__queue *q);
/* The records to pop next that lie one after another, in the slot's
 * first block or in the slot itself: how many (0 when the slot being
 * popped is empty, with *records NULL), and in *records where the next
 * one is.  The event i places on, for i below that count, is at *records
 * + i * record_size.  Valid until the next push or pop (a push may move
 * a slot's inline record to a block). */
static inline size_t disco__queue_peek_span(const struct disco__queue *q,
                                            const unsigned char **records)
{
    uint32_t f = q->front;
    if (!disco__wheel_occupied(q, f)) {
        *records = NULL;
        return 0;
    }
    const struct disco__wheel_slot *s = &q->slots[f];
    const unsigned char *first = s->head ? s->head->bytes : s->first;
    size_t end = s->head && s->head != s->tail ? q->records_per_block
                                                : s->write;
    *records = first + (size_t)s->read * q->record_size;
    return end - s->read;
}

/* The record `ahead` places after the next one when it lies beyond the
 * span (disco__queue_peek_span said `span`, nonzero and at most `ahead`):
 * in a later block of the slot being popped, or NULL.  The slot must be
 * occupied: an empty slot's block pointers are stale. */
static inline const struct disco__wheel_record *
disco__queue_peek_beyond(const struct disco__queue *q, size_t ahead)
{
    assert(disco__wheel_occupied(q, q->front));
    const struct disco__wheel_slot *s = &q->slots[q->front];
    const struct disco__wheel_block *b = s->head;
    if (!b || b == s->tail) /* inline, or one block: the span was all */
        return NULL;
    size_t index = s->read + ahead;
    while (index >= q->records_per_block) {
        if (b == s->tail)
            return NULL;
        b = b->next;
        index -= q->records_per_block;
    }
    if (b == s->tail && index >= s->write)
        return NULL;
    return (const struct disco__wheel_record *)(const void *)(
        b->bytes + index * q->record_size);
}

/* The record `ahead` places after the next one, given a nonzero span
 * (disco__queue_peek_span's count and records; a span of 0 has nothing
 * ahead, which the caller tests once for all its lookups): in it, beyond
 * it, or NULL.  For prefetching: the pointer is valid until the next push
 * or pop, and only the fields before the payload are sure to be there. */
static inline const struct disco__wheel_record *
disco__queue_span_at(const struct disco__queue *q,
                     const unsigned char *records, size_t span, size_t ahead)
{
    assert(span > 0);
    if (ahead < span)
        return (const struct disco__wheel_record *)(const void *)(
            records + ahead * q->record_size);
    return disco__queue_peek_beyond(q, ahead);
}

/* The message number of a record span_at returned, or 0 when the queue
 * does not keep them. */
static inline uint64_t
disco__queue_record_msg(const struct disco__queue *q,
                        const struct disco__wheel_record *record)
{
    uint64_t msg = 0;
    if (q->record_format & DISCO__WHEEL_MSG)
        memcpy(&msg,
               (const unsigned char *)record + DISCO__WHEEL_NARROW +
                   (q->record_format & DISCO__WHEEL_PAYLOAD
                        ? DISCO__INLINE_PAYLOAD
                        : 0),
               sizeof msg);
    return msg;
}

static inline size_t disco__queue_size(const struct disco__queue *q)
{
    return q->size;
}

#endif /* DISCO_QUEUE_H */
