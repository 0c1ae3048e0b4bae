/*
 * queue.h - the kernel's event queue: a radix heap of events by value.
 *
 * Keys (event times) must be monotone: an event pushed may not be earlier
 * than the last one popped.  Events with equal times pop in insertion order.
 * Storage is a set of growable arrays, one per bucket; pushes and pops
 * allocate only when a bucket outgrows its capacity (amortised, never per
 * event in steady state).  A compact queue stores only each event's core
 * (40 of its 56 bytes): less memory, and less to move.
 */
#ifndef DISCO_QUEUE_H
#define DISCO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

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

struct disco__queue {
    disco_time_t last;  /* the key of the last pop (0 initially) */
    size_t size;        /* pending events */
    size_t item_size;   /* bytes stored per event: the core or the whole */
    uint64_t nonempty[(DISCO__QUEUE_BUCKETS + 63u) / 64u]; /* bit per bucket */
    struct disco__queue_bucket buckets[DISCO__QUEUE_BUCKETS];
};

/* A queue that keeps every field of its events. */
void disco__queue_init(struct disco__queue *q);
/* A queue that keeps only each event's core: msg and lamport pop as 0. */
void disco__queue_init_compact(struct disco__queue *q);
/* Make a compact queue keep whole events from now on; the events already
 * in it keep their order and pop with msg and lamport 0.  Returns 0, or
 * DISCO_ENOMEM leaving the queue unchanged. */
int disco__queue_keep_whole(struct disco__queue *q);
void disco__queue_release(struct disco__queue *q);
/* Push a copy of *ev.  ev->time >= the last popped time (asserted).
 * Returns 0, or DISCO_ENOMEM leaving the queue unchanged. */
int disco__queue_push(struct disco__queue *q, const struct disco__event *ev);
/* Pop the earliest event into *out.  Returns false when empty. */
bool disco__queue_pop(struct disco__queue *q, struct disco__event *out);
/* The earliest pending time; the queue must not be empty. */
disco_time_t disco__queue_peek_time(struct disco__queue *q);
/* The core of the event `ahead` places after the next one to pop, when it
 * is already known (sitting in bucket 0), else NULL.  For prefetching
 * only: the pointer is valid until the next push or pop. */
static inline const struct disco__event_core *
disco__queue_peek_ahead(const struct disco__queue *q, size_t ahead)
{
    const struct disco__queue_bucket *b = &q->buckets[0];
    size_t index = b->head + ahead;
    return index < b->count
               ? (const struct disco__event_core *)(const void *)(
                     b->items + index * q->item_size)
               : NULL;
}

static inline size_t disco__queue_size(const struct disco__queue *q)
{
    return q->size;
}

#endif /* DISCO_QUEUE_H */
