/*
 * lamport_mutex.c - Lamport's mutual exclusion: a replicated request queue
 * ordered by Lamport timestamps, over FIFO channels.
 *
 * Every process keeps a queue of requests ordered by (timestamp, id).  To
 * enter, a process stamps a request with its Lamport clock, puts it in its
 * own queue and sends it to all n-1 others; each puts it in its queue and
 * answers with a timestamped reply.  The process enters when
 *   (1) its request is at the head of its queue, and
 *   (2) it has received a message with a larger timestamp from every other
 *       process.
 * On leaving it removes its request and sends a release to all, which
 * remove it too.  Exactly 3(n-1) messages per entry.
 *
 * Condition (2) is only sound over FIFO channels: a message from j with a
 * later timestamp proves that j's earlier request, if any, has arrived.
 * Without FIFO a reply can overtake j's request (or a new request overtake
 * j's release, which then deletes it), two processes both see themselves at
 * the head, and the invariant mutual_exclusion catches them (--no-fifo).
 *
 * Each process has at most one request outstanding, so the queue is kept as
 * one slot per out-port (the request of the process behind it) plus the
 * process's own.
 *
 * The application (requests, entries, parameters) and the properties the
 * four mutual-exclusion modules share are in mutex.h.
 */
#include <stdio.h>
#include <string.h>

#include "mutex.h"

enum { REQUEST, REPLY, RELEASE };

/* A request: the requester's Lamport timestamp and its id (the tie-break). */
struct lm_request {
    uint64_t ts;
    int64_t id;
};

struct lm_state {
    struct mutex_process app; /* phase (WANTED: its request is queued
                                 everywhere, waits for (1) and (2)) */
    uint64_t clock;    /* this process's Lamport clock */
    uint64_t ts;       /* timestamp of its own queued request */
};

/* Per out-port: the queue slot of the process behind it, and the latest
 * timestamp heard from it (for condition 2).
 * _Alignas(16) keeps this part a multiple of 16 bytes long: the kernel
 * does not round a node's block (state, then degree such parts) up to the
 * 16-byte alignment the next block needs. */
struct lm_port {
    _Alignas(16) bool queued; /* its request is in this process's queue */
    struct lm_request request;
    uint64_t last_ts;    /* timestamp of the last message received from it */
};

/* ---- the algorithm ---- */

/* Lamport's clock rule for a received timestamp. */
static void receive_clock(struct lm_state *s, struct lm_port *p, uint64_t ts)
{
    if (ts > s->clock)
        s->clock = ts;
    s->clock++;
    p->last_ts = ts;
}

/* Enter when (1) this request heads the queue and (2) every other process
 * has sent something later than it. */
static void try_enter(struct disco_ctx *ctx, struct lm_state *s)
{
    if (s->app.phase != WANTED)
        return;
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++) {
        const struct lm_port *p = disco_port_state(ctx, port);
        if (p->last_ts <= s->ts)
            return;
        if (p->queued && mutex_earlier(p->request.ts, p->request.id,
                                       s->ts, disco_id(ctx)))
            return;
    }
    mutex_enter(ctx, &s->app);
}

static void request(struct disco_ctx *ctx, struct lm_state *s)
{
    s->app.phase = WANTED;
    s->ts = ++s->clock;
    struct lm_request r = {s->ts, disco_id(ctx)};
    disco_send_all(ctx, REQUEST, &r, sizeof r);
    try_enter(ctx, s); /* alone in the network */
}

static void release(struct disco_ctx *ctx, struct lm_state *s)
{
    s->app.phase = RELEASED;
    s->clock++;
    disco_send_all(ctx, RELEASE, &s->clock, sizeof s->clock);
    mutex_plan_request(ctx, &s->app);
}

static void lm_init(struct disco_ctx *ctx, void *state)
{
    struct lm_state *s = state;
    if (disco_is_initiator(ctx))
        mutex_plan_request(ctx, &s->app);
}

static void lm_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct lm_state *s = state;
    struct lm_port *p = disco_port_state(ctx, port);
    if (kind == REQUEST) {
        memcpy(&p->request, payload, sizeof p->request);
        p->queued = true;
        receive_clock(s, p, p->request.ts);
        s->clock++;
        disco_send(ctx, port, REPLY, &s->clock, sizeof s->clock);
    } else {
        uint64_t ts;
        memcpy(&ts, payload, sizeof ts);
        receive_clock(s, p, ts);
        if (kind == RELEASE)
            p->queued = false;
    }
    try_enter(ctx, s);
}

static void lm_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    if (tag == MUTEX_T_REQUEST)
        request(ctx, state);
    else
        release(ctx, state);
}

static void lm_format_state(const void *state, char *buf, size_t len)
{
    const struct lm_state *s = state;
    switch (s->app.phase) {
    case RELEASED:
        snprintf(buf, len, "released (%u entries)", s->app.entered);
        break;
    case WANTED:
        snprintf(buf, len, "wanted ts=%llu", (unsigned long long)s->ts);
        break;
    case HELD:
        snprintf(buf, len, "held");
        break;
    }
}

/* ---- properties ---- */

/* 3(n-1) per entry: n-1 requests, n-1 replies, n-1 releases. */
static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t n = disco_view_nodes(view), entries = mutex_total_entries(view);
    uint64_t requests = disco_view_messages(view, REQUEST);
    uint64_t replies = disco_view_messages(view, REPLY);
    uint64_t releases = disco_view_messages(view, RELEASE);
    uint64_t each = (n - 1) * entries;
    snprintf(detail, len, "%llu requests + %llu replies + %llu releases, "
             "3(n-1) x %llu entries = %llu", (unsigned long long)requests,
             (unsigned long long)replies, (unsigned long long)releases,
             (unsigned long long)entries, (unsigned long long)(3 * each));
    return requests == each && replies == each && releases == each;
}

static const char *const lm_kinds[] = {"request", "reply", "release"};

static const struct disco_param lm_params[] = {MUTEX_PARAM_TABLE("p0")};

static const struct disco_property lm_properties[] = {
    MUTEX_PROPERTY_TABLE,
    {"messages_per_entry",
     "exactly n-1 requests, n-1 replies and n-1 releases per entry: 3(n-1)",
     DISCO_PROPERTY_FINAL, check_messages, true},
};

const struct disco_algorithm disco_alg_lamport_mutex = {
    .name = "lamport-mutex",
    .family = "mutex",
    .summary = "mutual exclusion by a replicated queue of requests ordered "
               "by Lamport timestamps; needs FIFO channels",
    .description =
        "A process that wants the critical section queues a request stamped "
        "with its Lamport clock (ties broken by id) and sends it to all; "
        "every process queues it and replies. It enters when its request "
        "heads its queue and it has heard something later from everyone, "
        "and on leaving sends a release to all, who dequeue the request. "
        "Sound only over FIFO channels (--no-fifo breaks mutual exclusion). "
        "The application: each initiator enters `entries` times, requesting "
        "after a random think time (mean `think`, or at i * stagger the "
        "first time) and staying `hold` ticks inside.",
    .messages = "exactly 3(n-1) per entry (n-1 requests, replies, releases)",
    .time = "synchronization delay d: the next process enters one message "
            "delay after a release",
    .source = "L. Lamport, Time, clocks, and the ordering of events in a "
              "distributed system, CACM 21(7), 1978; Kshemkalyani and "
              "Singhal, Distributed Computing, sec. 9.6",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .fifo = true,
        .unique_ids = true,
        .timing = DISCO_ASYNC,
        .topology = "complete:6",
        .initiators = "all",
        .faults = "none",
    },
    .params = lm_params,
    .param_count = sizeof lm_params / sizeof lm_params[0],
    .message_kinds = lm_kinds,
    .kind_count = sizeof lm_kinds / sizeof lm_kinds[0],
    .properties = lm_properties,
    .property_count = sizeof lm_properties / sizeof lm_properties[0],
    .state_size = sizeof(struct lm_state),
    .port_state_size = sizeof(struct lm_port),
    .init = lm_init,
    .on_message = lm_on_message,
    .on_timer = lm_on_timer,
    .format_state = lm_format_state,
    .result = mutex_result,
};
