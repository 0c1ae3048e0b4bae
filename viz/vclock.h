/*
 * vclock.h - vector clocks computed from a recorded run, for the ShiViz
 * export and the space-time diagram's tooltips (viz-internal).
 *
 * The kernel keeps Lamport clocks only; vector clocks are rebuilt here
 * from send/receive pairs, which the recorder has in full.  Header-only
 * (static inline) so that both writers share one definition without a
 * build change.
 *
 * The events that count are the ones a process "does": send, receive,
 * timer, decide, crash, recover.  Each advances its node's own component by
 * exactly one (ShiViz rejects a log whose local component skips), a send
 * stamps its message with the sender's clock and a receive takes the
 * pointwise maximum with it.  `state` events annotate the step before them,
 * and drops, duplications and link changes are the network's, not a
 * process's, so none of them ticks.
 */
#ifndef DISCO_VIZ_VCLOCK_H
#define DISCO_VIZ_VCLOCK_H

#include <stdlib.h>
#include <string.h>

#include "viz.h"

/* Past this many clock entries (nodes x messages, 4 bytes each) the
 * clocks are not kept: 64 Mi entries is 256 MB. */
#define VCLOCK_MAX_ENTRIES ((uint64_t)1 << 26)

struct vclock {
    uint32_t n;
    uint32_t *now;     /* n x n: each node's clock after its last event */
    uint32_t *msg;     /* messages x n: the clock each message carries */
    uint64_t messages; /* message numbers run 1..messages */
};

static inline bool vclock_ticks(enum disco_event_type type)
{
    switch (type) {
    case DISCO_EV_SEND:
    case DISCO_EV_RECV:
    case DISCO_EV_TIMER:
    case DISCO_EV_DECIDE:
    case DISCO_EV_CRASH:
    case DISCO_EV_RECOVER:
        return true;
    default:
        return false;
    }
}

/* Size the clocks for a recorder's run.  DISCO_ELIMIT when they would not
 * fit the bound above (the caller decides whether that is an error). */
static inline int vclock_init(struct vclock *vc, const struct viz_recorder *rec,
                              struct disco_error *err)
{
    memset(vc, 0, sizeof *vc);
    uint32_t n = rec->topo->nodes;
    uint64_t messages = 0;
    for (size_t i = 0; i < rec->event_count; i++)
        if (rec->events[i].type == DISCO_EV_SEND &&
            rec->events[i].msg > messages)
            messages = rec->events[i].msg;
    if ((uint64_t)n * n > VCLOCK_MAX_ENTRIES ||
        (messages && (uint64_t)n * messages > VCLOCK_MAX_ENTRIES))
        return disco_fail(err, DISCO_ELIMIT,
                          "too large for vector clocks: %u nodes and %llu "
                          "messages (at most %llu clock entries)",
                          n, (unsigned long long)messages,
                          (unsigned long long)VCLOCK_MAX_ENTRIES);
    vc->n = n;
    vc->messages = messages;
    vc->now = calloc((size_t)n * n, sizeof *vc->now);
    vc->msg = messages ? calloc((size_t)(messages * n), sizeof *vc->msg)
                       : NULL;
    if (!vc->now || (messages && !vc->msg)) {
        free(vc->now);
        free(vc->msg);
        memset(vc, 0, sizeof *vc);
        return disco_fail(err, DISCO_ENOMEM, "out of memory for vector "
                          "clocks");
    }
    return 0;
}

static inline void vclock_release(struct vclock *vc)
{
    free(vc->now);
    free(vc->msg);
    memset(vc, 0, sizeof *vc);
}

/* Apply one event, in run order.  Returns the node's clock after it (n
 * entries, valid until the node's next event), or NULL for an event that
 * does not tick. */
static inline const uint32_t *vclock_step(struct vclock *vc,
                                          const struct viz_event *ev)
{
    if (!vclock_ticks(ev->type) || ev->node >= vc->n)
        return NULL;
    uint32_t *clock = vc->now + (size_t)ev->node * vc->n;
    clock[ev->node]++;
    bool has_msg = ev->msg >= 1 && ev->msg <= vc->messages;
    if (ev->type == DISCO_EV_SEND && has_msg) {
        memcpy(vc->msg + (size_t)(ev->msg - 1) * vc->n, clock,
               vc->n * sizeof *clock);
    } else if (ev->type == DISCO_EV_RECV && has_msg) {
        const uint32_t *carried = vc->msg + (size_t)(ev->msg - 1) * vc->n;
        for (uint32_t k = 0; k < vc->n; k++)
            if (carried[k] > clock[k])
                clock[k] = carried[k];
    }
    return clock;
}

#endif /* DISCO_VIZ_VCLOCK_H */
