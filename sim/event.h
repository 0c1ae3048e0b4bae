/*
 * event.h - the kernel's pending event, stored by value in the queue.
 *
 * Internal to sim/ (and to tests and benchmarks of the queue).  Kept at 56
 * bytes: the queue moves events between buckets, so their size is most of
 * its cost.
 */
#ifndef DISCO_EVENT_H
#define DISCO_EVENT_H

#include <stdint.h>

#include "disco.h"

/* Payloads up to this size live inside the event; larger ones in the
 * kernel's payload pool, referenced by `payload.pool`. */
#define DISCO__INLINE_PAYLOAD 16u

enum disco__event_type {
    DISCO__EV_DELIVER,   /* a message arrives on channel `target` */
    DISCO__EV_TIMER,     /* node `target`'s timer with tag payload.tag */
    DISCO__EV_CRASH,     /* node `target` crashes */
    DISCO__EV_RECOVER,   /* node `target` recovers */
    DISCO__EV_LINK_DOWN, /* channel `target` (and its reverse) goes down */
    DISCO__EV_LINK_UP,
    DISCO__EV_OMIT_START, /* node `target` omits (kind 0 sends, 1
                           * receptions) with threshold payload.tag */
    DISCO__EV_OMIT_END,
    DISCO__EV_PARTITION,  /* partition `target` starts (kind 1) or heals */
    DISCO__EV_DELAY,      /* the run's law becomes laws[payload.tag] */
};

struct disco__event {
    disco_time_t time;   /* the key: when it happens */
    uint64_t msg;        /* message number (deliveries) */
    uint64_t lamport;    /* sender's Lamport clock at the send */
    uint32_t target;     /* channel or node, per type */
    uint32_t to;         /* deliveries: the receiving node, so that the
                          * loop can prefetch its data before it pops */
    uint32_t depth;      /* causal depth of the message at the send */
    uint8_t type;        /* enum disco__event_type */
    uint8_t kind;        /* message kind (at most 256 kinds) */
    uint16_t len;        /* payload length in bytes (<= DISCO_MAX_PAYLOAD) */
    union {
        unsigned char bytes[DISCO__INLINE_PAYLOAD];
        uint64_t pool;   /* offset into the payload pool */
        uint64_t tag;    /* timers */
    } payload;
};

_Static_assert(sizeof(struct disco__event) == 56, "event layout changed");

#endif /* DISCO_EVENT_H */
