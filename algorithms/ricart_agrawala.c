/*
 * ricart_agrawala.c - Ricart and Agrawala's mutual exclusion: permission
 * from everyone, with deferred replies.
 *
 * A process that wants the critical section stamps a request with its
 * Lamport clock and sends it to all n-1 others; it enters when all n-1 have
 * replied.  A process that receives a request replies at once unless it is
 * in the critical section, or wants it with an earlier request (smaller
 * timestamp, ties broken by the smaller id); then it defers the reply until
 * it leaves.  Exactly 2(n-1) messages per entry, on every schedule, and no
 * FIFO needed: a reply is the whole permission.
 *
 * The application (requests, entries, parameters) and the properties the
 * four mutual-exclusion modules share are in mutex.h, and defined at the
 * end of this file.
 */
#include <stdio.h>
#include <string.h>

#include "mutex.h"

enum { REQUEST, REPLY };

/* A request: the requester's Lamport timestamp and its id (the tie-break). */
struct ra_request {
    uint64_t ts;
    int64_t id;
};

struct ra_state {
    struct mutex_process app; /* phase (WANTED: waits for the replies) */
    uint64_t clock;    /* this process's Lamport clock */
    uint64_t ts;       /* timestamp of its current request */
    uint32_t replies;  /* replies received for the current request */
};

/* Per out-port: the reply owed to the process behind it is deferred.
 * _Alignas(16) keeps this part a multiple of 16 bytes long: the kernel
 * does not round a node's block (state, then degree such parts) up to the
 * 16-byte alignment the next block needs. */
struct ra_port {
    _Alignas(16) bool deferred;
};

/* ---- the algorithm ---- */

static void request(struct disco_ctx *ctx, struct ra_state *s)
{
    s->app.phase = WANTED;
    s->ts = ++s->clock;
    s->replies = 0;
    struct ra_request r = {s->ts, disco_id(ctx)};
    disco_send_all(ctx, REQUEST, &r, sizeof r);
    if (disco_out_degree(ctx) == 0)
        mutex_enter(ctx, &s->app);
}

/* Leave the critical section: send every deferred reply. */
static void release(struct disco_ctx *ctx, struct ra_state *s)
{
    s->app.phase = RELEASED;
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++) {
        struct ra_port *p = disco_port_state(ctx, port);
        if (p->deferred) {
            p->deferred = false;
            s->clock++;
            disco_send(ctx, port, REPLY, &s->clock, sizeof s->clock);
        }
    }
    mutex_plan_request(ctx, &s->app);
}

static void ra_init(struct disco_ctx *ctx, void *state)
{
    struct ra_state *s = state;
    if (disco_is_initiator(ctx))
        mutex_plan_request(ctx, &s->app);
}

static void ra_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct ra_state *s = state;
    if (kind == REQUEST) {
        struct ra_request r;
        memcpy(&r, payload, sizeof r);
        if (r.ts > s->clock)
            s->clock = r.ts;
        s->clock++;
        bool mine_first = s->app.phase == WANTED &&
                          mutex_earlier(s->ts, disco_id(ctx), r.ts, r.id);
        if (s->app.phase == HELD || mine_first) {
            struct ra_port *p = disco_port_state(ctx, port);
            p->deferred = true;
        } else {
            s->clock++;
            disco_send(ctx, port, REPLY, &s->clock, sizeof s->clock);
        }
    } else { /* REPLY */
        uint64_t ts;
        memcpy(&ts, payload, sizeof ts);
        if (ts > s->clock)
            s->clock = ts;
        s->clock++;
        if (s->app.phase == WANTED && ++s->replies == disco_out_degree(ctx))
            mutex_enter(ctx, &s->app);
    }
}

static void ra_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    if (tag == MUTEX_T_REQUEST)
        request(ctx, state);
    else
        release(ctx, state);
}

static void ra_format_state(const void *state, char *buf, size_t len)
{
    const struct ra_state *s = state;
    switch (s->app.phase) {
    case RELEASED:
        snprintf(buf, len, "released (%u entries)", s->app.entered);
        break;
    case WANTED:
        snprintf(buf, len, "wanted ts=%llu, %u replies",
                 (unsigned long long)s->ts, s->replies);
        break;
    case HELD:
        snprintf(buf, len, "held");
        break;
    }
}

/* ---- properties ---- */

/* 2(n-1) per entry: n-1 requests and n-1 replies. */
static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t n = disco_view_nodes(view), entries = mutex_total_entries(view);
    uint64_t requests = disco_view_messages(view, REQUEST);
    uint64_t replies = disco_view_messages(view, REPLY);
    uint64_t each = (n - 1) * entries;
    snprintf(detail, len, "%llu requests + %llu replies, 2(n-1) x %llu "
             "entries = %llu", (unsigned long long)requests,
             (unsigned long long)replies, (unsigned long long)entries,
             (unsigned long long)(2 * each));
    return requests == each && replies == each;
}

static const char *const ra_kinds[] = {"request", "reply"};

static const struct disco_param ra_params[] = {MUTEX_PARAM_TABLE("p0")};

static const struct disco_property ra_properties[] = {
    MUTEX_PROPERTY_TABLE,
    {"messages_per_entry",
     "exactly n-1 requests and n-1 replies per entry: 2(n-1)",
     DISCO_PROPERTY_FINAL, check_messages, true},
};

const struct disco_algorithm disco_alg_ricart_agrawala = {
    .name = "ricart-agrawala",
    .family = "mutex",
    .summary = "mutual exclusion by permission from all, with replies "
               "deferred by the process with the earlier request",
    .description =
        "A process that wants the critical section sends a request stamped "
        "with its Lamport clock (ties broken by id) to all others and enters "
        "when all have replied. A process replies at once unless it is "
        "inside, or wants in with an earlier request: then it defers the "
        "reply until it leaves. The application: each initiator enters "
        "`entries` times, requesting after a random think time (mean "
        "`think`, or at i * stagger the first time) and staying `hold` "
        "ticks inside.",
    .messages = "exactly 2(n-1) per entry (n-1 requests, n-1 replies)",
    .time = "a request is granted within one round trip once the earlier "
            "requests are done: synchronization delay d",
    .source = "G. Ricart and A. K. Agrawala, An optimal algorithm for mutual "
              "exclusion in computer networks, CACM 24(1), 1981; Coulouris, "
              "Dollimore, Kindberg and Blair, Distributed Systems, 5th ed., "
              "sec. 15.2",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = true,
        .timing = DISCO_ASYNC,
        .topology = "complete:6",
        .initiators = "all",
        .faults = "none",
    },
    .params = ra_params,
    .param_count = sizeof ra_params / sizeof ra_params[0],
    .message_kinds = ra_kinds,
    .kind_count = sizeof ra_kinds / sizeof ra_kinds[0],
    .properties = ra_properties,
    .property_count = sizeof ra_properties / sizeof ra_properties[0],
    .state_size = sizeof(struct ra_state),
    .port_state_size = sizeof(struct ra_port),
    .init = ra_init,
    .on_message = ra_on_message,
    .on_timer = ra_on_timer,
    .format_state = ra_format_state,
    .result = mutex_result,
};

/* ---- what the mutual-exclusion modules share (mutex.h) ---- */

static uint64_t param(const struct disco_ctx *ctx, unsigned index)
{
    return (uint64_t)disco_param(ctx, index);
}

void mutex_plan_request(struct disco_ctx *ctx, const struct mutex_process *p)
{
    if (p->entered >= param(ctx, MUTEX_ENTRIES))
        return;
    uint64_t think = param(ctx, MUTEX_THINK), delay;
    if (p->entered == 0 && param(ctx, MUTEX_STAGGER) > 0)
        delay = disco_self(ctx) * param(ctx, MUTEX_STAGGER);
    else if (p->entered == 0)
        delay = disco_random_below(ctx, 2 * think);
    else
        delay = 1 + disco_random_below(ctx, 2 * think - 1);
    disco_set_timer(ctx, delay, MUTEX_T_REQUEST);
}

void mutex_enter(struct disco_ctx *ctx, struct mutex_process *p)
{
    p->phase = HELD;
    p->entered++;
    disco_set_timer(ctx, param(ctx, MUTEX_HOLD), MUTEX_T_EXIT);
}

bool mutex_earlier(uint64_t ts, int64_t id, uint64_t ts2, int64_t id2)
{
    return ts < ts2 || (ts == ts2 && id < id2);
}

static const struct mutex_process *process(const struct disco_view *view,
                                           uint32_t v)
{
    return disco_view_state(view, v);
}

/* Safety, after every event: at most one live process in the critical
 * section, read from the flags of all states. */
bool mutex_check_mutual_exclusion(const struct disco_view *view,
                                  char *detail, size_t len)
{
    uint32_t inside = UINT32_MAX;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (disco_view_crashed(view, v) || process(view, v)->phase != HELD)
            continue;
        if (inside != UINT32_MAX) {
            snprintf(detail, len, "nodes %u and %u both in the critical "
                     "section", inside, v);
            return false;
        }
        inside = v;
    }
    snprintf(detail, len, "never two in the critical section");
    return true;
}

/* Liveness: every initiator entered `entries` times, the others never. */
bool mutex_check_all_granted(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint64_t want = (uint64_t)disco_view_param(view, MUTEX_ENTRIES);
    uint64_t total = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct mutex_process *p = process(view, v);
        uint64_t expected = disco_view_initiator(view, v) ? want : 0;
        if (p->entered != expected) {
            snprintf(detail, len, "node %u entered %u times, wanted %llu", v,
                     p->entered, (unsigned long long)expected);
            return false;
        }
        total += p->entered;
    }
    snprintf(detail, len, "%llu entries, every request granted",
             (unsigned long long)total);
    return true;
}

/* The run ended (quiescent) with nobody waiting for permission. */
bool mutex_check_no_deadlock(const struct disco_view *view, char *detail,
                             size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct mutex_process *p = process(view, v);
        if (p->phase != RELEASED) {
            snprintf(detail, len, "the run ended with node %u %s", v,
                     p->phase == WANTED ? "waiting" : "inside");
            return false;
        }
    }
    snprintf(detail, len, "terminated with nobody waiting");
    return true;
}

uint64_t mutex_total_entries(const struct disco_view *view)
{
    uint64_t total = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        total += process(view, v)->entered;
    return total;
}

void mutex_result(const struct disco_view *view, char *buf, size_t len)
{
    uint64_t entries = mutex_total_entries(view);
    uint64_t messages = disco_view_messages(view, -1);
    snprintf(buf, len, "\"entries\": %llu, \"messages\": %llu, "
             "\"messages_per_entry\": %.2f", (unsigned long long)entries,
             (unsigned long long)messages,
             entries ? (double)messages / (double)entries : 0.0);
}
