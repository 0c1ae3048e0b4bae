/*
 * event.h - the kernel's pending event, stored by value in the queue.
 *
 * Internal to sim/ (and to tests and benchmarks of the queue).  The queue
 * keeps only what a run reads (sim/queue.h): its far heap keeps each
 * event's first 40 bytes (struct disco__event_core), or the 56-byte whole
 * when a trace, vector clocks or the causal log read the message number
 * and Lamport clock; its wheel leaves out the time too, and the payload
 * until one is pushed.
 */
#ifndef DISCO_EVENT_H
#define DISCO_EVENT_H

#include <stddef.h>
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
    DISCO__EV_DELAY,      /* channels without a law of their own follow
                           * laws[payload.tag] (sim->live_law) */
};

union disco__event_payload {
    unsigned char bytes[DISCO__INLINE_PAYLOAD];
    uint64_t pool;   /* offset into the payload pool */
    uint64_t tag;    /* timers */
};

/* The fields every event keeps, in the order of struct disco__event: a
 * compact queue stores exactly these bytes. */
struct disco__event_core {
    disco_time_t time;
    uint32_t target, to, depth;
    uint8_t type, kind;
    uint16_t len;
    union disco__event_payload payload;
};

struct disco__event {
    disco_time_t time;   /* the key: when it happens */
    uint32_t target;     /* channel or node, per type */
    uint32_t to;         /* deliveries: the receiving node, so that the
                          * loop can prefetch its data before it pops */
    uint32_t depth;      /* causal depth of the message at the send;
                          * timers: the node's epoch */
    uint8_t type;        /* enum disco__event_type */
    uint8_t kind;        /* message kind (at most 256 kinds) */
    uint16_t len;        /* payload length in bytes (<= DISCO_MAX_PAYLOAD) */
    union disco__event_payload payload;
    /* Not kept by a compact queue (they pop as 0). */
    uint64_t msg;        /* message number (deliveries) */
    uint64_t lamport;    /* sender's Lamport clock at the send */
};

#define DISCO__EVENT_CORE_SIZE sizeof(struct disco__event_core)
_Static_assert(sizeof(struct disco__event_core) == 40, "event core grew");
_Static_assert(sizeof(struct disco__event) == 56, "event layout changed");
_Static_assert(offsetof(struct disco__event, msg) == DISCO__EVENT_CORE_SIZE &&
                   offsetof(struct disco__event, payload) ==
                       offsetof(struct disco__event_core, payload) &&
                   offsetof(struct disco__event, len) ==
                       offsetof(struct disco__event_core, len),
               "an event must begin with its core");

#endif /* DISCO_EVENT_H */
