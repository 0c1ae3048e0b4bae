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
 * Items are q->item_size bytes: a whole event or its 40-byte core.  The
 * functions that move events take that size as a parameter and are forced
 * inline into one copy per size, so that each copy moves a constant number
 * of bytes; the public functions pick the copy.
 */
#include "queue.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
#define SIZED __attribute__((always_inline)) static inline

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

_Static_assert(sizeof ((struct disco__queue *)0)->buckets ==
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
static inline void mark(struct disco__queue *q, unsigned i)
{
    q->nonempty[i / 64] |= 1ull << (i % 64);
}

static inline void unmark(struct disco__queue *q, unsigned i)
{
    q->nonempty[i / 64] &= ~(1ull << (i % 64));
}

static unsigned smallest_bucket(const struct disco__queue *q)
{
    unsigned w = 0;
    while (q->nonempty[w] == 0) {
        w++;
        assert(w * 64 < QUEUE_BUCKETS);
    }
    return w * 64 + (unsigned)__builtin_ctzll(q->nonempty[w]);
}
#else
static inline void mark(struct disco__queue *q, unsigned i)
{
    (void)q, (void)i;
}

static inline void unmark(struct disco__queue *q, unsigned i)
{
    (void)q, (void)i;
}

/* 65 buckets of 32 bytes: a short walk over a few cache lines. */
static unsigned smallest_bucket(const struct disco__queue *q)
{
    unsigned i = 1;
    while (q->buckets[i].count == 0) {
        i++;
        assert(i < QUEUE_BUCKETS);
    }
    return i;
}
#endif

void disco__queue_init(struct disco__queue *q)
{
    memset(q, 0, sizeof *q);
    q->item_size = WHOLE;
}

void disco__queue_init_compact(struct disco__queue *q)
{
    memset(q, 0, sizeof *q);
    q->item_size = CORE;
}

void disco__queue_release(struct disco__queue *q)
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
static int bucket_reserve(struct disco__queue *q,
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

SIZED int push_sized(struct disco__queue *q, const struct disco__event *ev,
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

int disco__queue_push(struct disco__queue *q, const struct disco__event *ev)
{
    return q->item_size == CORE ? push_sized(q, ev, CORE)
                                : push_sized(q, ev, WHOLE);
}

/* Bucket i becomes bucket 0 by trading arrays with the empty bucket 0: all
 * its events share one key, so no event needs to move. */
static void promote(struct disco__queue *q, unsigned i, disco_time_t key)
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
SIZED int spread(struct disco__queue *q, unsigned i, disco_time_t pivot,
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
SIZED int refill_sized(struct disco__queue *q, size_t es)
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
static int refill(struct disco__queue *q)
{
    return q->item_size == CORE ? refill_sized(q, CORE)
                                : refill_sized(q, WHOLE);
}

/* An item into a whole event: a core's missing fields read 0. */
SIZED void take(struct disco__event *out, const unsigned char *from,
                size_t es)
{
    memcpy(out, from, es);
    if (es == CORE)
        out->msg = out->lamport = 0;
}

/* Pop without spreading, for when a spread cannot get memory: take the
 * first event with the smallest key out of the smallest bucket, closing the
 * gap on whichever side is shorter.  `last` stays below the key popped, so
 * every other event still lies in the bucket its key and `last` call for,
 * and later pushes (all at or after the key popped here) land correctly
 * too; the only cost is that the monotonicity assertion checks against an
 * older bound. */
static void pop_in_place(struct disco__queue *q, struct disco__event *out)
{
    size_t es = q->item_size;
    unsigned i = smallest_bucket(q);
    struct disco__queue_bucket *b = &q->buckets[i];
    size_t first = b->head;
    for (size_t j = b->head + 1; j < b->count; j++) {
        if (item_time(b, j, es) < item_time(b, first, es))
            first = j;
    }
    if (es == CORE)
        take(out, item(b, first, es), CORE);
    else
        take(out, item(b, first, es), WHOLE);
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

SIZED bool pop_sized(struct disco__queue *q, struct disco__event *out,
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

bool disco__queue_pop(struct disco__queue *q, struct disco__event *out)
{
    return q->item_size == CORE ? pop_sized(q, out, CORE)
                                : pop_sized(q, out, WHOLE);
}

int disco__queue_keep_whole(struct disco__queue *q)
{
    if (q->item_size == WHOLE)
        return 0;
    /* With the same `last`, every event goes to the bucket it is in now,
     * and walking each bucket in order keeps every tie (equal keys share a
     * bucket).  The old queue is only released once the new one holds
     * everything. */
    struct disco__queue whole;
    disco__queue_init(&whole);
    whole.last = q->last;
    struct disco__event ev;
    for (unsigned i = 0; i < QUEUE_BUCKETS; i++) {
        const struct disco__queue_bucket *b = &q->buckets[i];
        for (size_t j = b->head; j < b->count; j++) {
            take(&ev, item(b, j, CORE), CORE);
            if (push_sized(&whole, &ev, WHOLE) != 0) {
                disco__queue_release(&whole);
                return DISCO_ENOMEM;
            }
        }
    }
    disco__queue_release(q);
    *q = whole;
    return 0;
}

disco_time_t disco__queue_peek_time(struct disco__queue *q)
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
