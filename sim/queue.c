/*
 * queue.c - the event queue: a radix heap of events by value.
 *
 * Keys are read as digits of R bits.  An event whose key equals `last` is
 * in bucket 0; any other is in the bucket named by the most significant
 * digit where its key differs from `last` (the level) and its own value of
 * that digit, which is larger than `last`'s since keys never fall below it.
 * With R = 1 this is the textbook radix heap: bucket b holds the keys that
 * first differ from `last` at bit b-1.  Wider digits (queue.h sets R) mean
 * fewer levels, so an event moves fewer times on its way down to bucket 0,
 * for more buckets.  A queue.h without DISCO__QUEUE_RADIX_BITS, 65 buckets
 * and no `nonempty` bit set still works: R = 1, found by a walk.
 *
 * Bucket indices grow with the keys they can hold, so the smallest pending
 * key is in the smallest non-empty bucket i.  `last` only ever moves to a
 * key no greater than any pending one that agrees with the old `last` above
 * bucket i's digit; events in buckets above i stay where they belong, and
 * only bucket i is spread out, into buckets below i.
 *
 * Stability comes from the same argument: at any moment all pending events
 * with one key sit in one bucket, because that bucket is a function of
 * (key, last).  Each bucket is an append-only array, a spread walks its
 * bucket front to back into buckets that are empty (they lie below the
 * smallest non-empty one), and bucket 0 is consumed from the front, so
 * events with equal keys keep their insertion order all the way out.
 *
 * An empty bucket always has head == count == 0, which is what lets a
 * failed spread be undone by emptying the buckets it wrote to.
 *
 * Items are q->item_size bytes: a whole event, its 40-byte core, or, in a
 * compact queue until a far event has a payload, the core's first 24 bytes
 * (NARROW: the time and the fields before the payload, which reads 0).
 * The functions that move events take that size as a parameter and are
 * forced inline into one copy per size, so that each copy moves a constant
 * number of bytes; the public functions pick the copy (BY_ITEM_SIZE).
 */
#include "queue.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "big_array.h"
#include "disco_sim.h"

#ifdef DISCO__QUEUE_RADIX_BITS
#define QUEUE_RADIX_BITS DISCO__QUEUE_RADIX_BITS
#else
#define QUEUE_RADIX_BITS 1u
#endif
/* Buckets per level: one for each value a differing digit can take. */
#define QUEUE_PER_LEVEL ((1u << QUEUE_RADIX_BITS) - 1u)
#define QUEUE_LEVELS ((64u + QUEUE_RADIX_BITS - 1u) / QUEUE_RADIX_BITS)
#define QUEUE_BUCKETS (1u + QUEUE_LEVELS * QUEUE_PER_LEVEL)
#define QUEUE_FIRST_CAPACITY 32u
/* Buckets up to this many events are scanned for their smallest key before
 * they are spread; larger ones are spread without a scan (see refill). */
#define QUEUE_SCAN_LIMIT 64u
/* Arrays at least this large are traded between buckets rather than grown
 * (see bucket_reserve). */
#define QUEUE_TRADE_MIN 4096u
#define CORE DISCO__EVENT_CORE_SIZE
#define WHOLE sizeof(struct disco__event)
/* Narrow items: a far heap of the bimodal hold's 10^5 pending events takes
 * 2.4 MB instead of 4 MB, about what one core's L2 cache holds: 14% fewer
 * L1 misses in cachegrind, x0.96 in alternating runs, and the hold at 10^7
 * pending peaks at 953 MiB instead of 1,454 (docs/performance.md,
 * "Thirteenth session"). */
#define NARROW (sizeof(disco_time_t) + DISCO__WHEEL_NARROW)
_Static_assert(NARROW == offsetof(struct disco__event, payload),
               "a narrow item is the event up to its payload");
#define SIZED __attribute__((always_inline)) static inline
/* f(args..., es) through its copy for the constant item size es is. */
#define BY_ITEM_SIZE(es, f, ...)                                             \
    ((es) == NARROW ? f(__VA_ARGS__, NARROW)                                 \
                    : (es) == CORE ? f(__VA_ARGS__, CORE)                    \
                                   : f(__VA_ARGS__, WHOLE))

static inline unsigned char *item(const struct disco__queue_bucket *b,
                                  size_t j, size_t es)
{
    return b->items + j * es;
}

/* Every item begins with its time. */
static inline disco_time_t item_time(const struct disco__queue_bucket *b,
                                     size_t j, size_t es)
{
    disco_time_t t;
    memcpy(&t, item(b, j, es), sizeof t);
    return t;
}

_Static_assert(sizeof ((struct disco__radix *)0)->buckets ==
                   QUEUE_BUCKETS * sizeof(struct disco__queue_bucket),
               "queue.h's bucket count does not match its radix");

static inline unsigned bucket_of(disco_time_t key, disco_time_t last)
{
    disco_time_t diff = key ^ last;
    if (diff == 0)
        return 0;
    unsigned level = (63u - (unsigned)__builtin_clzll(diff)) / QUEUE_RADIX_BITS;
    unsigned digit =
        (unsigned)(key >> (level * QUEUE_RADIX_BITS)) & QUEUE_PER_LEVEL;
    return level * QUEUE_PER_LEVEL + digit;
}

/* The least key bucket i (i > 0) can hold: `last` above its level, its
 * digit at its level, zeros below. */
static disco_time_t bucket_floor(disco_time_t last, unsigned i)
{
    unsigned level = (i - 1) / QUEUE_PER_LEVEL;
    unsigned shift = level * QUEUE_RADIX_BITS;
    disco_time_t digit = i - level * QUEUE_PER_LEVEL;
    disco_time_t high = 0;
    if (shift + QUEUE_RADIX_BITS < 64)
        high = last >> (shift + QUEUE_RADIX_BITS) << (shift + QUEUE_RADIX_BITS);
    return high | digit << shift;
}

/* Level 0 buckets hold one key each: `last` with its lowest digit
 * replaced. */
static inline bool single_key_bucket(unsigned i)
{
    return i <= QUEUE_PER_LEVEL;
}

#ifdef DISCO__QUEUE_RADIX_BITS
/* With hundreds of buckets, finding the smallest non-empty one by looking
 * at each would cost more than the rest of a pop, hence the bit set.  A
 * bit is set by the item that makes its bucket non-empty, not by every
 * item: a store per moved event would chain through one word of memory. */
static inline void mark(struct disco__radix *q, unsigned i)
{
    q->nonempty[i / 64] |= 1ull << (i % 64);
}

static inline void unmark(struct disco__radix *q, unsigned i)
{
    q->nonempty[i / 64] &= ~(1ull << (i % 64));
}

static unsigned smallest_bucket(const struct disco__radix *q)
{
    unsigned w = 0;
    while (q->nonempty[w] == 0) {
        w++;
        assert(w * 64 < QUEUE_BUCKETS);
    }
    return w * 64 + (unsigned)__builtin_ctzll(q->nonempty[w]);
}
#else
static inline void mark(struct disco__radix *q, unsigned i)
{
    (void)q, (void)i;
}

static inline void unmark(struct disco__radix *q, unsigned i)
{
    (void)q, (void)i;
}

/* 65 buckets of 32 bytes: a short walk over a few cache lines. */
static unsigned smallest_bucket(const struct disco__radix *q)
{
    unsigned i = 1;
    while (q->buckets[i].count == 0) {
        i++;
        assert(i < QUEUE_BUCKETS);
    }
    return i;
}
#endif

static void radix_init(struct disco__radix *q, size_t item_size)
{
    memset(q, 0, sizeof *q);
    q->item_size = item_size;
}

static void radix_release(struct disco__radix *q)
{
    size_t es = q->item_size;
    for (unsigned b = 0; b < QUEUE_BUCKETS; b++)
        free(q->buckets[b].items);
    memset(q, 0, sizeof *q);
    q->item_size = es;
}

/* Make room for one more item at the end of a full bucket b.
 *
 * A bucket consumed from the front (bucket 0, or any bucket after
 * pop_in_place) first reclaims its consumed prefix when that is at least
 * half the array, so a bucket that never quite empties (a chain of
 * zero-delay events) does not grow forever; the move costs no more than the
 * pops that made the prefix.
 *
 * Otherwise b needs an array twice as large, and a large one is first
 * sought among the empty buckets, trading b's array for it.  Which buckets
 * hold the crowds keeps changing as time advances, so with plain doubling
 * every bucket's array would grow to the largest crowd it ever held, and
 * keep faulting in fresh pages (about 2 us each here, some 30 ns per event
 * slot: more than copying the events across) long after the pending count
 * stopped growing.  The copy stays amortised: b's new array is at least
 * twice the old, as with doubling.  Small arrays are left to realloc, as
 * the search would then cost more than it saves. */
static int bucket_reserve(struct disco__radix *q,
                          struct disco__queue_bucket *b)
{
    assert(b->count == b->capacity);
    size_t es = q->item_size;
    size_t live = b->count - b->head;
    if (b->head > 0 && b->head >= live) {
        memmove(b->items, item(b, b->head, es), live * es);
        b->count = live;
        b->head = 0;
        return 0;
    }
    size_t capacity = b->capacity ? b->capacity : QUEUE_FIRST_CAPACITY / 2;
    if (capacity > SIZE_MAX / 2 / es)
        return DISCO_ENOMEM;
    capacity *= 2;

    if (capacity >= QUEUE_TRADE_MIN) {
        struct disco__queue_bucket *idle = NULL;
        for (unsigned k = 0; k < QUEUE_BUCKETS; k++) {
            struct disco__queue_bucket *e = &q->buckets[k];
            if (e->count == 0 && e->capacity >= capacity &&
                (!idle || e->capacity < idle->capacity))
                idle = e;
        }
        if (idle) {
            unsigned char *items = idle->items;
            size_t idle_capacity = idle->capacity;
            memcpy(items, item(b, b->head, es), live * es);
            idle->items = b->items;
            idle->capacity = b->capacity;
            b->items = items;
            b->capacity = idle_capacity;
            b->head = 0;
            b->count = live;
            return 0;
        }
    }

    unsigned char *items = realloc(b->items, capacity * es);
    if (!items)
        return DISCO_ENOMEM;
    b->items = items;
    b->capacity = capacity;
    return 0;
}

SIZED int radix_push_sized(struct disco__radix *q, const struct disco__event *ev,
                     size_t es)
{
    assert(ev->time >= q->last);
    unsigned i = bucket_of(ev->time, q->last);
    struct disco__queue_bucket *b = &q->buckets[i];
    if (b->count == b->capacity && bucket_reserve(q, b) != 0)
        return DISCO_ENOMEM;
    if (b->count == 0)
        mark(q, i);
    memcpy(item(b, b->count++, es), ev, es);
    q->size++;
    return 0;
}

/* Narrow items to cores, for a far event with a payload: every bucket's
 * array rewritten at the same capacity, or, short of memory, none (then
 * DISCO_ENOMEM, and the heap is as it was). */
static int widen_far(struct disco__radix *q)
{
    assert(q->item_size == NARROW);
    unsigned char *wide[QUEUE_BUCKETS] = {0};
    for (unsigned i = 0; i < QUEUE_BUCKETS; i++) {
        size_t capacity = q->buckets[i].capacity;
        if (capacity && (capacity > SIZE_MAX / CORE ||
                         !(wide[i] = malloc(capacity * CORE)))) {
            for (unsigned k = 0; k < i; k++)
                free(wide[k]);
            return DISCO_ENOMEM;
        }
    }
    for (unsigned i = 0; i < QUEUE_BUCKETS; i++) {
        struct disco__queue_bucket *b = &q->buckets[i];
        if (!b->capacity)
            continue;
        for (size_t j = b->head; j < b->count; j++) {
            unsigned char *to = wide[i] + j * CORE;
            memcpy(to, item(b, j, NARROW), NARROW);
            memset(to + NARROW, 0, CORE - NARROW);
        }
        free(b->items);
        b->items = wide[i];
    }
    q->item_size = CORE;
    return 0;
}

static int radix_push(struct disco__radix *q, const struct disco__event *ev)
{
    return BY_ITEM_SIZE(q->item_size, radix_push_sized, q, ev);
}

/* Bucket i becomes bucket 0 by trading arrays with the empty bucket 0: all
 * its events share one key, so no event needs to move. */
static void promote(struct disco__radix *q, unsigned i, disco_time_t key)
{
    struct disco__queue_bucket *b0 = &q->buckets[0], *src = &q->buckets[i];
    struct disco__queue_bucket spare = *b0;
    *b0 = *src;
    src->items = spare.items;
    src->capacity = spare.capacity;
    src->head = src->count = 0;
    unmark(q, i);
    mark(q, 0);
    q->last = key;
}

/* Move bucket i's events, in order, to the buckets their keys call for
 * once `last` is `pivot`, a key no greater than any of them that agrees
 * with `last` above bucket i's level.  Every bucket below i must be empty.
 * Stores the smallest key moved in *min.  On DISCO_ENOMEM the buckets below
 * i are emptied again and bucket i, which is read but not changed until the
 * end, still holds everything: the queue is as it was. */
SIZED int spread(struct disco__radix *q, unsigned i, disco_time_t pivot,
                 disco_time_t *min, size_t es)
{
    struct disco__queue_bucket *src = &q->buckets[i];
    size_t head = src->head, count = src->count;
    disco_time_t least = item_time(src, head, es);
    for (size_t j = head; j < count; j++) {
        disco_time_t t = item_time(src, j, es);
        least = t < least ? t : least;
        unsigned k = bucket_of(t, pivot);
        struct disco__queue_bucket *dst = &q->buckets[k];
        if (dst->count == dst->capacity && bucket_reserve(q, dst) != 0) {
            for (unsigned e = 0; e < i; e++) {
                q->buckets[e].count = 0;
                unmark(q, e);
            }
            return DISCO_ENOMEM;
        }
        if (dst->count == 0)
            mark(q, k);
        memcpy(item(dst, dst->count++, es), item(src, j, es), es);
    }
    src->head = src->count = 0;
    unmark(q, i);
    q->last = pivot;
    *min = least;
    return 0;
}

/* Called by a pop that found bucket 0 empty: advance `last` to the smallest
 * pending key, leaving bucket 0 holding exactly the events with that key.
 * Returns 0, or DISCO_ENOMEM with every event still in a bucket that fits
 * its key and `last` (which may have advanced, but not past the key that
 * the pop will return).
 *
 * The textbook radix heap finds the bucket's minimum in one pass and
 * spreads around it in a second.  For a large bucket, which does not fit
 * in the cache, that first pass costs as much as the move itself, so
 * instead we spread around the least key the bucket could hold, learning
 * the true minimum on the way.  When events are dense that floor is usually
 * the minimum itself and bucket 0 fills at once; otherwise the minimum sits
 * in one smaller bucket, which a second spread around the now known
 * minimum settles.  Moving `last` to the floor would forbid pushes between
 * the last pop and it, which is why only a pop may do this: the key it
 * returns is at least the floor. */
SIZED int refill_sized(struct disco__radix *q, size_t es)
{
    assert(q->buckets[0].count == 0 && q->size > 0);
    unsigned i = smallest_bucket(q);
    struct disco__queue_bucket *src = &q->buckets[i];
    disco_time_t min;
    if (single_key_bucket(i)) {
        promote(q, i, item_time(src, src->head, es));
        return 0;
    }
    if (src->count - src->head > QUEUE_SCAN_LIMIT) {
        disco_time_t floor = bucket_floor(q->last, i);
        int rc = spread(q, i, floor, &min, es);
        if (rc || q->buckets[0].count > 0)
            return rc;
        i = bucket_of(min, floor);
        src = &q->buckets[i];
        if (single_key_bucket(i)) {
            promote(q, i, min);
            return 0;
        }
        if (src->count - src->head > QUEUE_SCAN_LIMIT)
            return spread(q, i, min, &min, es);
    }
    min = item_time(src, src->head, es);
    disco_time_t max = min;
    for (size_t j = src->head + 1; j < src->count; j++) {
        disco_time_t t = item_time(src, j, es);
        min = t < min ? t : min;
        max = t > max ? t : max;
    }
    if (min == max) {
        promote(q, i, min);
        return 0;
    }
    return spread(q, i, min, &min, es);
}

/* Refills are rare next to pops (once per distinct key), so one copy of
 * each size, not one per caller. */
static int refill(struct disco__radix *q)
{
    return BY_ITEM_SIZE(q->item_size, refill_sized, q);
}

/* An item into a whole event: the fields an item leaves out read 0. */
SIZED void take(struct disco__event *out, const unsigned char *from,
                size_t es)
{
    memcpy(out, from, es);
    if (es == NARROW)
        memset(&out->payload, 0, sizeof out->payload);
    if (es != WHOLE)
        out->msg = out->lamport = 0;
}

/* Pop without spreading, for when a spread cannot get memory: take the
 * first event with the smallest key out of the smallest bucket, closing the
 * gap on whichever side is shorter.  `last` stays below the key popped, so
 * every other event still lies in the bucket its key and `last` call for,
 * and later pushes (all at or after the key popped here) land correctly
 * too; the only cost is that the monotonicity assertion checks against an
 * older bound. */
static void pop_in_place(struct disco__radix *q, struct disco__event *out)
{
    size_t es = q->item_size;
    unsigned i = smallest_bucket(q);
    struct disco__queue_bucket *b = &q->buckets[i];
    size_t first = b->head;
    for (size_t j = b->head + 1; j < b->count; j++) {
        if (item_time(b, j, es) < item_time(b, first, es))
            first = j;
    }
    BY_ITEM_SIZE(es, take, out, item(b, first, es));
    if (first - b->head < b->count - first - 1) {
        memmove(item(b, b->head + 1, es), item(b, b->head, es),
                (first - b->head) * es);
        b->head++;
    } else {
        memmove(item(b, first, es), item(b, first + 1, es),
                (b->count - first - 1) * es);
        b->count--;
    }
    if (b->head == b->count) {
        b->head = b->count = 0;
        unmark(q, i);
    }
}

SIZED bool radix_pop_sized(struct disco__radix *q, struct disco__event *out,
                     size_t es)
{
    struct disco__queue_bucket *b0 = &q->buckets[0];
    if (b0->count == 0) {
        if (q->size == 0)
            return false;
        if (refill(q) != 0) {
            pop_in_place(q, out);
            q->size--;
            return true;
        }
    }
    take(out, item(b0, b0->head++, es), es);
    if (b0->head == b0->count) {
        b0->head = b0->count = 0;
        unmark(q, 0);
    }
    q->size--;
    return true;
}

static bool radix_pop(struct disco__radix *q, struct disco__event *out)
{
    return BY_ITEM_SIZE(q->item_size, radix_pop_sized, q, out);
}

static disco_time_t radix_peek_time(const struct disco__radix *q)
{
    assert(q->size > 0);
    if (q->buckets[0].count > 0)
        return q->last;
    /* Spreading here, as a pop does, would move `last` past the last pop
     * and forbid pushes the contract allows (a peek at t, then a push
     * before t), so a peek reads the smallest bucket instead. */
    size_t es = q->item_size;
    const struct disco__queue_bucket *b = &q->buckets[smallest_bucket(q)];
    disco_time_t min = item_time(b, b->head, es);
    for (size_t j = b->head + 1; j < b->count; j++) {
        disco_time_t t = item_time(b, j, es);
        min = t < min ? t : min;
    }
    return min;
}

/* ------------------------------------------------------------------------ */
/* The wheel in front.                                                      */

#define WHEEL_MASK (DISCO__WHEEL_SLOTS - 1u)
/* How far struct disco__queue's inline_score saturates either way: a few
 * dozen slots to change its mind. */
#define INLINE_SCORE_MAX 16
/* A slot emptied small (its records fit inline) or large moves the score
 * one step towards opening slots inline or in a block.  An inline slot
 * is always small: */
static inline void score_emptied_inline(struct disco__queue *q)
{
    q->inline_score += q->inline_score < INLINE_SCORE_MAX;
}

/* a slot emptied from a block may have held one record or many: in a run
 * of mixed slots that is as good as random, and a mispredicted branch on
 * it cost more than the step. */
static inline void score_emptied_block(struct disco__queue *q, bool small)
{
    int score = q->inline_score + (small ? 1 : -1);
    score = score > INLINE_SCORE_MAX ? INLINE_SCORE_MAX : score;
    q->inline_score = score < -INLINE_SCORE_MAX ? -INLINE_SCORE_MAX : score;
}
/* How many ticks ahead of the slot being popped pop_next fetches a slot:
 * where the pushes of events with short delays go next. */
#define SLOT_PREFETCH_TICKS 6u
#define FIRST_CHUNK_BLOCKS 4u
#define CHUNK_HEADER 64u       /* links the chunks; keeps blocks aligned */
/* The largest chunks are exactly DISCO__BIG_ARRAY bytes, on huge pages. */
#define MAX_CHUNK_BLOCKS                                                     \
    ((DISCO__BIG_ARRAY - CHUNK_HEADER) / DISCO__WHEEL_BLOCK)

_Static_assert(sizeof(struct disco__wheel_record) == CORE - sizeof(disco_time_t),
               "a wheel record is an event core without its time");
_Static_assert(offsetof(struct disco__wheel_record, payload) ==
                       DISCO__WHEEL_NARROW &&
                   offsetof(struct disco__event, payload) ==
                       sizeof(disco_time_t) + DISCO__WHEEL_NARROW,
               "a narrow record is an event after its time, up to its "
               "payload");
_Static_assert(offsetof(struct disco__event, target) == sizeof(disco_time_t) &&
                   offsetof(struct disco__event, payload) ==
                       sizeof(disco_time_t) +
                           offsetof(struct disco__wheel_record, payload),
               "a wheel record must be the bytes of an event after its time");
_Static_assert(sizeof(struct disco__wheel_block) == DISCO__WHEEL_BLOCK,
               "wheel blocks are their nominal size");
_Static_assert(sizeof(struct disco__wheel_slot) == 64u,
               "a slot, with its inline records, is a cache line");
_Static_assert(offsetof(struct disco__wheel_slot, first) %
                       _Alignof(struct disco__wheel_record) ==
                   0,
               "inline records are aligned as records");
_Static_assert(DISCO__WHEEL_SLOTS / 64u <= 64u,
               "one word must summarise the occupied bitmap");

/* A record's bytes: the event's fields after its time up to the payload,
 * then the parts its format has, in the order of struct disco__event. */
static size_t format_size(unsigned format)
{
    return DISCO__WHEEL_NARROW +
           (format & DISCO__WHEEL_PAYLOAD ? DISCO__INLINE_PAYLOAD : 0) +
           (format & DISCO__WHEEL_MSG ? sizeof(uint64_t) : 0) +
           (format & DISCO__WHEEL_LAMPORT ? sizeof(uint64_t) : 0);
}

static void set_format(struct disco__queue *q, unsigned format)
{
    q->record_format = format;
    q->record_size = format_size(format);
    q->records_per_block =
        (unsigned)(sizeof ((struct disco__wheel_block *)0)->bytes /
                   q->record_size);
    q->records_inline = (unsigned)(DISCO__WHEEL_INLINE / q->record_size);
}

/* Every format starts without the payload: it is added with the first
 * event that has one (see reformat). */
static unsigned initial_format(size_t item_size)
{
    return item_size == WHOLE ? DISCO__WHEEL_MSG | DISCO__WHEEL_LAMPORT : 0;
}

_Static_assert(offsetof(struct disco__queue, far) +
                       sizeof(struct disco__radix) ==
                   sizeof(struct disco__queue),
               "the far heap must be the queue's last member");

static void init_sized(struct disco__queue *q, size_t item_size)
{
    memset(q, 0, offsetof(struct disco__queue, far));
    q->far_low = UINT64_MAX;
    radix_init(&q->far, item_size);
    set_format(q, initial_format(item_size));
    q->next_chunk_blocks = FIRST_CHUNK_BLOCKS;
    q->block_limit = SIZE_MAX;
}

void disco__queue_init(struct disco__queue *q)
{
    init_sized(q, WHOLE);
}

void disco__queue_init_compact(struct disco__queue *q)
{
    init_sized(q, NARROW);
}

void disco__queue_release(struct disco__queue *q)
{
    radix_release(&q->far); /* leaves it empty, of the same item size */
    if (q->far.item_size == CORE) /* compact: narrow again until a payload */
        q->far.item_size = NARROW;
    free(q->slots);
    free(q->spare_chunk);
    void *chunk = q->chunks;
    while (chunk) {
        void *next;
        memcpy(&next, chunk, sizeof next);
        free(chunk);
        chunk = next;
    }
    /* The wheel's fields as init_sized leaves them, without clearing the
     * far heap a second time (tiny runs create and release queues by the
     * thousand). */
    memset(q, 0, offsetof(struct disco__queue, far));
    q->far_low = UINT64_MAX;
    set_format(q, initial_format(q->far.item_size));
    q->next_chunk_blocks = FIRST_CHUNK_BLOCKS;
    q->block_limit = SIZE_MAX;
}

/* Slots on cache lines of their own (see struct disco__wheel_slot). */
static struct disco__wheel_slot *alloc_slots(void)
{
    return aligned_alloc(64u, DISCO__WHEEL_SLOTS *
                                  sizeof(struct disco__wheel_slot));
}

static inline void vacate(struct disco__queue *q, unsigned i)
{
    q->occupied[i / 64u] &= ~(1ull << (i % 64u));
    if (q->occupied[i / 64u] == 0)
        q->occupied_words &= ~(1ull << (i / 64u));
}

/* The first occupied slot at or after slot `from` (no wrapping), or
 * DISCO__WHEEL_SLOTS: walks the bitmap a word at a time, so that a pass
 * over a nearly empty wheel costs a few dozen steps, not thousands. */
static unsigned next_slot(const struct disco__queue *q, unsigned from)
{
    if (from >= DISCO__WHEEL_SLOTS)
        return DISCO__WHEEL_SLOTS;
    unsigned w = from / 64u;
    uint64_t bits = q->occupied[w] & (~0ull << (from % 64u));
    if (bits)
        return w * 64u + (unsigned)__builtin_ctzll(bits);
    uint64_t words = w + 1u >= DISCO__WHEEL_SLOTS / 64u
                         ? 0
                         : q->occupied_words & (~0ull << (w + 1u));
    if (!words)
        return DISCO__WHEEL_SLOTS;
    unsigned v = (unsigned)__builtin_ctzll(words);
    return v * 64u + (unsigned)__builtin_ctzll(q->occupied[v]);
}

/* Make sure `count` blocks are free, allocating chunks of blocks as
 * needed (each chunk twice the last, up to MAX_CHUNK_BLOCKS, and no
 * further than the queue's block_limit). */
static int reserve_blocks(struct disco__queue *q, size_t count)
{
    while (q->free_count < count) {
        size_t blocks = q->next_chunk_blocks;
        if (q->block_count >= q->block_limit)
            return DISCO_ENOMEM;
        if (blocks > q->block_limit - q->block_count)
            blocks = q->block_limit - q->block_count;
        unsigned char *chunk;
        if (blocks == MAX_CHUNK_BLOCKS) {
            /* The largest chunks are allocated one ahead of need:
             * disco__big_alloc hands the spare to the prefault helper,
             * which faults it in while the blocks before it fill, so that
             * the crest of a wave does not wait for the kernel to zero
             * its pages.  A spare that cannot be had is no error. */
            chunk = q->spare_chunk;
            q->spare_chunk = NULL;
            if (!chunk)
                chunk = disco__big_alloc(DISCO__BIG_ARRAY, false);
            if (chunk)
                q->spare_chunk = disco__big_alloc(DISCO__BIG_ARRAY, false);
        } else {
            chunk = aligned_alloc(CHUNK_HEADER,
                                  CHUNK_HEADER + blocks * DISCO__WHEEL_BLOCK);
        }
        if (!chunk)
            return DISCO_ENOMEM;
        memcpy(chunk, &q->chunks, sizeof q->chunks);
        q->chunks = chunk;
        /* Pushed in reverse, so that they are taken in address order. */
        for (size_t k = blocks; k-- > 0;) {
            struct disco__wheel_block *b =
                (struct disco__wheel_block *)(void *)(chunk + CHUNK_HEADER +
                                                      k * DISCO__WHEEL_BLOCK);
            b->next = q->free_blocks;
            q->free_blocks = b;
        }
        q->free_count += blocks;
        q->block_count += blocks;
        if (q->next_chunk_blocks < MAX_CHUNK_BLOCKS)
            q->next_chunk_blocks = q->next_chunk_blocks * 2 < MAX_CHUNK_BLOCKS
                                       ? q->next_chunk_blocks * 2
                                       : MAX_CHUNK_BLOCKS;
    }
    return 0;
}

/* Freed blocks go on top of the free list: the block just read is the
 * next one written, while it is still in the cache. */
static inline void give_block(struct disco__queue *q,
                              struct disco__wheel_block *b)
{
    b->next = q->free_blocks;
    q->free_blocks = b;
    q->free_count++;
}

/* Give back the blocks of a chain from `first` to `last`, both included. */
static void give_chain(struct disco__queue *q, struct disco__wheel_block *first,
                       struct disco__wheel_block *last)
{
    for (struct disco__wheel_block *b = first;;) {
        struct disco__wheel_block *next = b->next;
        give_block(q, b);
        if (b == last)
            return;
        b = next;
    }
}

/* Append an event to slot i, in the queue's record format.  When that
 * format has no payload, the caller has checked the payload is zero.
 * The slot logic is disco__wheel_place's; here only the block it may
 * need first: allocated when the free list is empty, and linked after
 * the slot's tail when that is full. */
static int wheel_append(struct disco__queue *q, unsigned i,
                        const struct disco__event *ev)
{
    unsigned char *at = disco__wheel_place(q, i);
    if (!at) {
        if (q->free_count == 0 && reserve_blocks(q, 1) != 0)
            return DISCO_ENOMEM;
        struct disco__wheel_slot *s = &q->slots[i];
        if (disco__wheel_occupied(q, i) && s->head) {
            /* A full chain: the next block goes after its tail.  (An
             * empty slot, or a full inline one, only lacked a free
             * block, and there is one now.) */
            struct disco__wheel_block *b = disco__wheel_take_block(q);
            s->tail->next = b;
            s->tail = b;
            s->records = b->bytes;
            s->write = 0;
        }
        at = disco__wheel_place(q, i);
    }
    disco__wheel_encode(at, ev, q->record_format);
    return 0;
}

/* Take the first record of occupied slot i, due at `time`, into *out;
 * the slot's records are in blocks. */
static void wheel_take(struct disco__queue *q, unsigned i, disco_time_t time,
                       struct disco__event *out)
{
    struct disco__wheel_slot *s = &q->slots[i];
    assert(s->head);
    disco__wheel_decode(out,
                        s->head->bytes + (size_t)s->read++ * q->record_size,
                        q->record_format);
    out->time = time;
    if (s->head == s->tail) {
        if (s->read == s->write) {
            give_block(q, s->head);
            vacate(q, i);
            /* (A slot of several blocks whose last held few records
             * counts as small: rare, and only a heuristic.) */
            score_emptied_block(q, s->write <= q->records_inline);
        }
    } else if (s->read == q->records_per_block) {
        struct disco__wheel_block *done = s->head;
        s->head = done->next;
        s->read = 0;
        give_block(q, done);
    }
}

/* Run `body` for each pending record of slot s, in order, with `record`
 * pointing at its rs bytes (rpb of them to a block; inline records, with
 * no block, end at write, before rpb). */
#define FOR_EACH_RECORD(q, s, rs, rpb, record, body)                           \
    do {                                                                       \
        const struct disco__wheel_block *b_ = (s)->head;                       \
        unsigned j_ = (s)->read;                                               \
        for (;;) {                                                             \
            if (b_ == (s)->tail && j_ == (s)->write)                           \
                break;                                                         \
            if (j_ == (rpb)) {                                                 \
                b_ = b_->next;                                                 \
                j_ = 0;                                                        \
                continue;                                                      \
            }                                                                  \
            const unsigned char *record =                                      \
                (b_ ? b_->bytes : (s)->first) + (size_t)j_++ * (rs);           \
            body                                                               \
        }                                                                      \
    } while (0)

/* Rewrite every pending wheel record in another format, slot by slot:
 * when the first event with a payload arrives in a queue whose format has
 * none (wider records: blocks for all of them are reserved first, so that
 * on DISCO_ENOMEM the queue is as it was), or when message numbers are no
 * longer needed (narrower: in place, needing no memory).  A run does this at
 * most once, and usually while its queue is small (its first message with a
 * payload, or its first timer with a tag). */
static int reformat(struct disco__queue *q, unsigned format)
{
    unsigned old_format = q->record_format;
    size_t old_size = q->record_size;
    unsigned old_per_block = q->records_per_block;
    size_t new_size = format_size(format);
    unsigned new_per_block =
        (unsigned)(sizeof((struct disco__wheel_block *)0)->bytes / new_size);
    struct disco__event ev;
    if (new_size <= old_size) {
        /* Narrower records are rewritten in place, from the front of each
         * slot: the record written never lies beyond the one read (each is
         * copied out before anything is written), and the blocks left
         * over at the end go back to the free list.  Inline records stay
         * inline: narrower, as many fit as before, or more. */
        for (unsigned i = next_slot(q, 0); i < DISCO__WHEEL_SLOTS;
             i = next_slot(q, i + 1)) {
            struct disco__wheel_slot old = q->slots[i], *s = &q->slots[i];
            struct disco__wheel_block *to = old.head;
            unsigned written = 0;
            FOR_EACH_RECORD(q, &old, old_size, old_per_block, from, {
                disco__wheel_decode(&ev, from, old_format);
                if (written == new_per_block) {
                    to = to->next;
                    written = 0;
                }
                disco__wheel_encode((to ? to->bytes : s->first) +
                                        (size_t)written++ * new_size,
                                    &ev, format);
            });
            if (to != old.tail)
                give_chain(q, to->next, old.tail);
            s->read = 0;
            s->tail = to;
            s->write = (uint32_t)written;
            s->records = to ? to->bytes : s->first;
            s->limit = (uint32_t)(to ? new_per_block
                                     : DISCO__WHEEL_INLINE / new_size);
        }
        set_format(q, format);
        return 0;
    }
    size_t pending = q->size - q->far.size;
    size_t slots = 0;
    for (unsigned w = 0; w < DISCO__WHEEL_SLOTS / 64u; w++)
        slots += (size_t)__builtin_popcountll(q->occupied[w]);
    if (reserve_blocks(q, pending / new_per_block + slots) != 0)
        return DISCO_ENOMEM;
    /* Every slot gets a block, even one whose records would still fit
     * inline: a slot may hold few records in a block, and this is rare. */
    for (unsigned i = next_slot(q, 0); i < DISCO__WHEEL_SLOTS;
         i = next_slot(q, i + 1)) {
        struct disco__wheel_slot old = q->slots[i], *s = &q->slots[i];
        s->head = s->tail = disco__wheel_take_block(q);
        s->read = s->write = 0;
        FOR_EACH_RECORD(q, &old, old_size, old_per_block, from, {
            if (s->write == new_per_block) {
                struct disco__wheel_block *b = disco__wheel_take_block(q);
                s->tail->next = b;
                s->tail = b;
                s->write = 0;
            }
            disco__wheel_decode(&ev, from, old_format);
            disco__wheel_encode(s->tail->bytes + (size_t)s->write++ * new_size,
                                &ev, format);
        });
        s->records = s->tail->bytes;
        s->limit = (uint32_t)new_per_block;
        if (old.head)
            give_chain(q, old.head, old.tail);
    }
    set_format(q, format);
    return 0;
}

/* Make room in the format for a payload, if the event has one. */
static int fit_payload(struct disco__queue *q,
                       const union disco__event_payload *payload)
{
    if ((q->record_format & DISCO__WHEEL_PAYLOAD) ||
        disco__payload_is_zero(payload))
        return 0;
    return reformat(q, q->record_format | DISCO__WHEEL_PAYLOAD);
}

/* Whether the wheel, based at `base`, would hold time t (or, for a t below
 * the base, a lower bound of keys, might hold some of them). */
static inline bool within(disco_time_t base, disco_time_t t)
{
    return t < base || t - base < DISCO__WHEEL_SLOTS;
}

/* Move the wheel's base up as far as far events at `low` and later
 * allow: their times must stay beyond the window.  Only up, never past
 * zero. */
static void hold_base_below(struct disco__queue *q, disco_time_t low)
{
    if (low >= DISCO__WHEEL_SLOTS && low - DISCO__WHEEL_SLOTS > q->base)
        q->base = low - DISCO__WHEEL_SLOTS;
}

/* Move the wheel's base up to `to`, a time no later than any pending, once
 * the far events the new window covers have moved to the wheel, in key
 * order and, for equal keys, in the order they were pushed.  That keeps
 * ties in order: a far event's time was beyond the window when it was
 * pushed, so anything pushed at that time since came later, and nothing
 * can be pushed at a time the window has just reached before the move.
 *
 * A key's events move together, once blocks for all of them are
 * reserved.  If memory runs out, the base stops short of `to`, just low
 * enough that the window excludes what is left in the far heap: still
 * consistent, only the wheel reaches less far.  Pops are unaffected. */
static void advance_base(struct disco__queue *q, disco_time_t to)
{
    if (to <= q->base)
        return;
    if (!within(to, q->far_low)) {
        q->base = to;
        return;
    }
    if (q->far_low >= to && q->far_low - to >= DISCO__WHEEL_SLOTS / 2u) {
        /* Far events are near the window's end but not yet at its middle:
         * the base stays short of `to`, as far as they allow, and they
         * move when the window has come half its length closer, all
         * those of that half in one go.  Moving them as soon as they
         * entered would move the few of a tick or two at a time when the
         * far future is sparse, each time paying for a look at the far
         * heap and a spread of the bucket that straddles the window's
         * end.  Pops are unaffected, and the wheel still reaches at
         * least half its length beyond `to`.  The base only moves up:
         * after a move cut short by memory, far_low may lie below the
         * window's end. */
        hold_base_below(q, q->far_low);
        return;
    }
    struct disco__radix *r = &q->far;
    size_t es = r->item_size;
    q->far_low = UINT64_MAX;
    while (r->size > 0) {
        /* The smallest bucket (bucket 0 when it holds anything) and the
         * least and greatest keys it can hold.  Every far key is at least
         * `to`, which is at most the earliest pending time. */
        unsigned i = smallest_bucket(r);
        disco_time_t low = i == 0 ? r->last : bucket_floor(r->last, i);
        disco_time_t span = i <= QUEUE_PER_LEVEL
                                ? 0
                                : ((disco_time_t)1 << ((i - 1) / QUEUE_PER_LEVEL *
                                                       QUEUE_RADIX_BITS)) - 1;
        if (!within(to, low)) {
            q->far_low = low;
            break;
        }
        if (low > UINT64_MAX - span || !within(to, low + span)) {
            /* Straddles the end of the window: spread it, so that its
             * part inside comes out in smaller buckets. */
            disco_time_t least;
            int rc = BY_ITEM_SIZE(es, spread, r, i, low, &least);
            if (rc != 0)
                goto short_of_memory;
            continue;
        }
        /* Wholly inside: every event goes straight to the slot of its time,
         * in the bucket's order, which is insertion order for each key
         * (all pending events with one key share a bucket).  Memory first,
         * so that a bucket moves entirely or not at all: the format, then
         * the blocks, of which n / records_per_block + keys suffice (keys:
         * at least how many distinct keys the bucket holds).
         *
         * Why.  Each key's slot is empty when its events arrive: the
         * wheel's events and all the keys moved lie in [to, to +
         * DISCO__WHEEL_SLOTS), a slot to a time, the wheel's below
         * q->base + DISCO__WHEEL_SLOTS (the base moves after the loop)
         * and the far keys at or after it.  A slot filled from empty
         * with m records holds them from index 0 of its chain of blocks,
         * per block p of them: ceil(m / p) blocks, or none while a lone
         * record stays inline (the second spills it to index 0 of a
         * block, which then counts it like the rest: a spill costs no
         * block of its own).  Summed over the keys, with ceil(m / p) <=
         * floor(m / p) + 1 and floors adding up to at most floor(n / p):
         * n / p + keys.
         *
         * The bound is reached (test_advance_reserves_exactly): 16 keys in
         * a bucket of 16, each with one record more than a block holds,
         * take two blocks each, n / p + keys.  (The former 2 * keys + 1
         * counted a spill as a block of its own.) */
        struct disco__queue_bucket *b = &r->buckets[i];
        size_t n = b->count - b->head;
        struct disco__event ev;
        /* The format grows at the first payload, if any (read in place:
         * a sparse run moves a bucket or so per far event; narrow items
         * have none). */
        for (size_t j = b->head; es != NARROW &&
                                 !(q->record_format & DISCO__WHEEL_PAYLOAD) &&
                                 j < b->count;
             j++) {
            union disco__event_payload payload;
            memcpy(&payload,
                   item(b, j, es) + offsetof(struct disco__event, payload),
                   sizeof payload);
            if (fit_payload(q, &payload) != 0)
                goto short_of_memory;
        }
        size_t keys = n < span + 1 ? n : (size_t)span + 1;
        size_t reserved = n / q->records_per_block + keys;
        if ((!q->slots &&
             !(q->slots = alloc_slots())) ||
            reserve_blocks(q, reserved) != 0)
            goto short_of_memory;
        size_t free_before = q->free_count, blocks_before = q->block_count;
        for (size_t j = b->head; j < b->count; j++) {
            take(&ev, item(b, j, es), es);
            int appended =
                wheel_append(q, (unsigned)(ev.time & WHEEL_MASK), &ev);
            assert(appended == 0);
            (void)appended;
        }
        /* The bound, where it counts: the move took no more blocks than
         * it reserved, and so allocated none (an allocation here could
         * fail, and lose events a refused move would have kept). */
        assert(q->block_count == blocks_before &&
               free_before - q->free_count <= reserved);
        (void)free_before, (void)blocks_before;
        b->head = b->count = 0;
        unmark(r, i);
        r->size -= n;
        continue;
    short_of_memory:
        /* Everything far is at or after low, and low < to + SLOTS. */
        q->far_low = low;
        hold_base_below(q, low);
        return;
    }
    q->base = to;
}

/* When the next call to advance_base does something worth its cost (see
 * struct disco__queue's advance_at): once the pops are a quarter of the
 * wheel past the base, or, when the far events' lower bound holds the base
 * back, once they are within half the wheel, where advance_base moves them
 * to the wheel. */
static disco_time_t next_advance(const struct disco__queue *q)
{
    disco_time_t lazy = q->base + DISCO__WHEEL_SLOTS / 4u;
    if (lazy < q->base)
        return q->base; /* the end of time: call every pop */
    if (q->far_low >= DISCO__WHEEL_SLOTS &&
        lazy <= q->far_low - DISCO__WHEEL_SLOTS)
        return lazy;
    return q->far_low >= DISCO__WHEEL_SLOTS / 2u
               ? q->far_low - DISCO__WHEEL_SLOTS / 2u
               : 0;
}

/* Move the base up to `to` as far as advance_base can, and say when to
 * call again. */
static void advance(struct disco__queue *q, disco_time_t to)
{
    advance_base(q, to);
    q->advance_at = next_advance(q);
}

static int push_event(struct disco__queue *q, const struct disco__event *ev)
{
    assert(ev->time >= q->last && q->last >= q->base);
    int rc;
    if (ev->time - q->base < DISCO__WHEEL_SLOTS) {
        if (!q->slots &&
            !(q->slots = alloc_slots()))
            return DISCO_ENOMEM;
        if (fit_payload(q, &ev->payload) != 0)
            return DISCO_ENOMEM;
        rc = wheel_append(q, (unsigned)(ev->time & WHEEL_MASK), ev);
    } else {
        if (q->far.item_size == NARROW &&
            !disco__payload_is_zero(&ev->payload) && widen_far(&q->far) != 0)
            return DISCO_ENOMEM;
        rc = radix_push(&q->far, ev);
        if (rc == 0 && ev->time < q->far_low) {
            q->far_low = ev->time;
            /* It may come near before the base would move again. */
            disco_time_t next = next_advance(q);
            q->advance_at = next < q->advance_at ? next : q->advance_at;
        }
    }
    if (rc == 0)
        q->size++;
    return rc;
}

int disco__queue_push_slow(struct disco__queue *q,
                           const struct disco__event *ev)
{
    return push_event(q, ev);
}

/* Take the next record of occupied slot f, due at `time`, into *out. */
static inline void pop_from_slot(struct disco__queue *q, unsigned f,
                                 disco_time_t time, struct disco__event *out)
{
    struct disco__wheel_slot *s = &q->slots[f];
    if (!s->head) {
        /* A slot's one inline record: a sparse run's every pop.  The
         * formats that have one (no payload: records_inline) get a copy
         * each, of constant sizes: the compact one, and the causal log's. */
        const unsigned char *from =
            s->first + (size_t)s->read++ * q->record_size;
        if (q->record_format == 0)
            disco__wheel_decode(out, from, 0);
        else if (q->record_format == DISCO__WHEEL_LAMPORT)
            disco__wheel_decode(out, from, DISCO__WHEEL_LAMPORT);
        else
            disco__wheel_decode(out, from, q->record_format);
        out->time = time;
        if (s->read == s->write) {
            vacate(q, f);
            score_emptied_inline(q);
        }
    } else {
        wheel_take(q, f, time, out);
    }
    q->size--;
}

/* The first occupied slot from slot `from` on, going round; the wheel
 * must hold something.  With few branches: in a sparse run every pop
 * comes here, and where the next slot lies is as good as random.  (Its
 * first step is next_slot's, written out so that the pop path keeps one
 * branch.) */
static inline unsigned next_occupied_round(const struct disco__queue *q,
                                           unsigned from)
{
    unsigned w = from / 64u;
    uint64_t bits = q->occupied[w] & (~0ull << (from % 64u));
    if (bits)
        return w * 64u + (unsigned)__builtin_ctzll(bits);
    /* The next word with a slot above w, else round to the first. */
    uint64_t above = q->occupied_words & (~1ull << w);
    unsigned v = (unsigned)__builtin_ctzll(above ? above : q->occupied_words);
    return v * 64u + (unsigned)__builtin_ctzll(q->occupied[v]);
}

void disco__queue_pop_slow(struct disco__queue *q, struct disco__event *out)
{
    pop_from_slot(q, q->front, q->last, out);
}

bool disco__queue_pop_next(struct disco__queue *q, struct disco__event *out)
{
    if (!q->occupied_words) {
        if (q->size == 0)
            return false;
        /* Only far events: the next is the far heap's. */
        radix_pop(&q->far, out);
        q->last = out->time;
        q->front = (unsigned)(out->time & WHEEL_MASK);
        advance(q, out->time); /* the rest of its time joins the wheel */
        q->size--;
        return true;
    }
    /* The wheel's slots hold times from `last` on, going round; far
     * events all come after them. */
    unsigned f = next_occupied_round(q, q->front);
    disco_time_t time = q->last + ((f - q->front) & WHEEL_MASK);
    if (time >= q->advance_at)
        advance(q, time);
    q->last = time;
    q->front = f;
    /* In a sparse run slots are seldom in the cache when reached: fetch
     * one a few ticks on, where the pushes of events with short delays
     * go. */
    __builtin_prefetch(&q->slots[(f + SLOT_PREFETCH_TICKS) & WHEEL_MASK], 1);
    pop_from_slot(q, f, time, out);
    return true;
}

disco_time_t disco__queue_peek_time(struct disco__queue *q)
{
    assert(q->size > 0);
    if (!q->occupied_words)
        return radix_peek_time(&q->far);
    unsigned from = (unsigned)(q->last & WHEEL_MASK);
    return q->last + ((next_occupied_round(q, from) - from) & WHEEL_MASK);
}

/* Rebuild the queue with whole far items and wheel records of `format`
 * (a payload is added as needed). */
static int keep_messages(struct disco__queue *q, unsigned format)
{
    if (q->far.item_size == WHOLE &&
        (q->record_format | DISCO__WHEEL_PAYLOAD) ==
            (format | DISCO__WHEEL_PAYLOAD))
        return 0;
    /* With the same base and `last`, every event goes where it is now: the
     * wheel slot of its time, or the far bucket it is in (the far heap keeps
     * its `last`).  Walking each slot and bucket in order keeps every tie.
     * The old queue is only released once the new one holds everything. */
    struct disco__queue whole;
    init_sized(&whole, WHOLE);
    set_format(&whole, format);
    whole.base = q->base;
    whole.last = q->last;
    whole.front = q->front;
    whole.far.last = q->far.last;
    struct disco__event ev;
    for (unsigned i = next_slot(q, 0); i < DISCO__WHEEL_SLOTS;
         i = next_slot(q, i + 1)) {
        const struct disco__wheel_slot *s = &q->slots[i];
        disco_time_t time = q->base + ((i - q->base) & WHEEL_MASK);
        FOR_EACH_RECORD(q, s, q->record_size, q->records_per_block, record, {
            disco__wheel_decode(&ev, record, q->record_format);
            ev.time = time;
            if (push_event(&whole, &ev) != 0)
                goto fail;
        });
    }
    for (unsigned i = 0; i < QUEUE_BUCKETS; i++) {
        const struct disco__queue_bucket *b = &q->far.buckets[i];
        for (size_t j = b->head; j < b->count; j++) {
            take(&ev, item(b, j, q->far.item_size), q->far.item_size);
            if (push_event(&whole, &ev) != 0)
                goto fail;
        }
    }
    disco__queue_release(q);
    *q = whole;
    return 0;
fail:
    disco__queue_release(&whole);
    return DISCO_ENOMEM;
}

int disco__queue_keep_whole(struct disco__queue *q)
{
    return disco__queue_keep_fields(q, DISCO__WHEEL_MSG | DISCO__WHEEL_LAMPORT);
}

int disco__queue_forget_msg(struct disco__queue *q)
{
    unsigned format = q->record_format & DISCO__WHEEL_PAYLOAD;
    if (q->record_format == format)
        return 0;
    return reformat(q, format);
}

int disco__queue_keep_fields(struct disco__queue *q, unsigned fields)
{
    fields &= DISCO__WHEEL_MSG | DISCO__WHEEL_LAMPORT;
    if ((q->record_format & fields) == fields && q->far.item_size == WHOLE)
        return 0;
    return keep_messages(q, (q->record_format &
                             (DISCO__WHEEL_MSG | DISCO__WHEEL_LAMPORT)) |
                                fields);
}
