/*
 * maekawa.c - Maekawa's quorum-based mutual exclusion, with the
 * inquire/relinquish/failed messages that avoid deadlock.
 *
 * Each process i has a quorum (request set) R_i, and any two quorums
 * intersect.  Here the processes are laid out row by row on a k x k grid,
 * k = ceil(sqrt(n)), and R_i is i's row and column: 2k - 1 processes (i
 * included) when n is a perfect square, fewer in a last row left short.
 * Two quorums always meet: for processes at (r1, c1) and (r2, c2) one of
 * (r1, c2), (r2, c1) exists (both missing would put both in the short last
 * row at columns past its end, but then neither exists).
 *
 * Every process is an arbiter with one lock (a vote), given to one request
 * at a time; requests are ordered by (Lamport timestamp, id), earlier first.
 *
 *   - To enter, i sends request(ts) to every member of R_i and enters when
 *     it holds the grant of all of them; on leaving it sends release.
 *   - An arbiter with its lock free grants it.  Otherwise it queues the
 *     request and: if the request is earlier than the lock's holder and
 *     every waiting request, it sends inquire to the holder (once per
 *     grant) and failed to the waiter it overtook, if that one had none;
 *     if not, it sends failed to the requester.
 *   - A requester that has got (or later gets) a failed, relinquishes every
 *     grant that was inquired: it sends relinquish and counts the arbiter
 *     as failed, since it now waits there behind an earlier request.  One
 *     inside, or holding all its grants, ignores the inquire: its release
 *     comes.  One still hoping defers the inquire until a failed arrives.
 *   - An arbiter receiving relinquish queues the holder again and grants
 *     its lock to the earliest waiting request; on release it grants it to
 *     the earliest waiting request, if any.
 *
 * A process is its own arbiter too; what it would send itself is done by a
 * direct call and not counted.  Without contention an entry costs
 * 3(|R_i| - 1) messages: about 3 sqrt(n) for grid quorums of 2 sqrt(n) - 1
 * (Maekawa's K ~ sqrt(n) quorums give the same order).  Each grant to
 * another process ends with exactly one release or relinquish from it, so
 * grant = release + relinquish, on every schedule.
 *
 * Inquire and failed carry the timestamp of the request they concern, so a
 * requester can ignore one about a request it has finished (channels need
 * not be FIFO).
 *
 * Naming as in suzuki_kasami.c: out-ports are ordered by neighbour index,
 * so out-port p of process i leads to process p (p < i) or p + 1 (p >= i).
 *
 * The application (requests, entries, parameters) and the properties the
 * four mutual-exclusion modules share are in mutex.h.
 */
#include <stdio.h>
#include <string.h>

#include "complete.h"
#include "mutex.h"

enum { REQUEST, GRANT, RELEASE, INQUIRE, RELINQUISH, FAILED };

/* The arbiter's own lock holder when it is this process (not a port). */
#define SELF UINT32_MAX
#define NOBODY (UINT32_MAX - 1)

/* What a requester knows of one arbiter of its quorum. */
enum mk_vote {
    NONE,     /* no answer yet (or relinquished, and then FAILED) */
    GRANTED,  /* holds its grant */
    REFUSED,  /* got failed: an earlier request is served there first */
};

struct mk_state {
    struct mutex_process app; /* phase (WANTED: collects the grants of its
                                 quorum) */
    uint64_t clock;        /* this process's Lamport clock */
    uint64_t ts;           /* timestamp of its current request */
    uint32_t grants;       /* grants held for the current request */
    uint32_t quorum;       /* |R_i|, this process included */
    /* As a requester, for itself as arbiter: */
    enum mk_vote self_vote;
    bool self_inquired;
    /* As an arbiter: */
    uint32_t holder;       /* port of the lock's holder, SELF or NOBODY */
    uint64_t holder_ts;    /* timestamp of the holder's request */
    bool inquired;         /* inquire sent for the current grant */
    bool self_waiting;     /* its own request waits in the queue */
    bool self_told;        /* ... and was told it failed */
    uint64_t self_wait_ts;
};

/* Per out-port, for the process j behind it.
 * _Alignas(16) keeps this part a multiple of 16 bytes long: the kernel
 * does not round a node's block (state, then degree such parts) up to the
 * 16-byte alignment the next block needs. */
struct mk_port {
    _Alignas(16) bool member; /* j is in this process's quorum (and so
                                 this process in j's: rows and columns
                                 are mutual) */
    /* As a requester, j as arbiter: */
    enum mk_vote vote;
    bool inquired;       /* j inquired about its grant (deferred) */
    /* As an arbiter, j as requester: */
    bool waiting;        /* j's request waits in the queue */
    bool told;           /* ... and j was sent failed (or knows) */
    uint64_t wait_ts;    /* its timestamp */
};

/* ---- grid quorums ---- */

/* k = ceil(sqrt(n)). */
static uint32_t grid_side(uint32_t n)
{
    uint32_t k = 0;
    while ((uint64_t)k * k < n)
        k++;
    return k;
}

/* Same row or same column of the grid. */
static bool same_quorum(uint32_t n, uint32_t a, uint32_t b)
{
    uint32_t k = grid_side(n);
    return a / k == b / k || a % k == b % k;
}

/* ---- helpers ---- */

static struct mk_port *port_state(struct disco_ctx *ctx, uint32_t port)
{
    return disco_port_state(ctx, port);
}

/* The number of the process behind a port (or this one, for SELF): equal
 * timestamps are ordered by process number, which every process knows. */
static int64_t who(const struct disco_ctx *ctx, uint32_t port)
{
    return port == SELF ? (int64_t)disco_self(ctx)
                        : (int64_t)complete_node_at(disco_self(ctx), port);
}

static void tick(struct mk_state *s, uint64_t ts)
{
    if (ts > s->clock)
        s->clock = ts;
    s->clock++;
}

/* ---- messages (or direct calls for this process as its own arbiter) ---- */

static void arbiter_request(struct disco_ctx *ctx, struct mk_state *s,
                            uint32_t from, uint64_t ts);
static void arbiter_free(struct disco_ctx *ctx, struct mk_state *s);
static void requester_grant(struct disco_ctx *ctx, struct mk_state *s,
                            uint32_t from);
static void requester_inquire(struct disco_ctx *ctx, struct mk_state *s,
                              uint32_t from, uint64_t ts);
static void requester_failed(struct disco_ctx *ctx, struct mk_state *s,
                             uint32_t from, uint64_t ts);

/* Send `kind` with timestamp `ts` to `to`, or handle it here for SELF. */
static void post(struct disco_ctx *ctx, struct mk_state *s, uint32_t to,
                 unsigned kind, uint64_t ts)
{
    if (to != SELF) {
        s->clock++;
        uint64_t payload[2] = {s->clock, ts};
        disco_send(ctx, to, kind, payload, sizeof payload);
        return;
    }
    switch (kind) {
    case REQUEST:
        arbiter_request(ctx, s, SELF, ts);
        break;
    case GRANT:
        requester_grant(ctx, s, SELF);
        break;
    case RELEASE:
    case RELINQUISH:
        break; /* handled by the caller, which knows which */
    case INQUIRE:
        requester_inquire(ctx, s, SELF, ts);
        break;
    case FAILED:
        requester_failed(ctx, s, SELF, ts);
        break;
    }
}

/* The waiting request of `port` (or SELF): its flags. */
static bool *waiting(struct disco_ctx *ctx, struct mk_state *s, uint32_t port)
{
    return port == SELF ? &s->self_waiting : &port_state(ctx, port)->waiting;
}

static bool *told(struct disco_ctx *ctx, struct mk_state *s, uint32_t port)
{
    return port == SELF ? &s->self_told : &port_state(ctx, port)->told;
}

static uint64_t *wait_ts(struct disco_ctx *ctx, struct mk_state *s,
                         uint32_t port)
{
    return port == SELF ? &s->self_wait_ts : &port_state(ctx, port)->wait_ts;
}

/* The earliest waiting request at this arbiter: a port, SELF or NOBODY. */
static uint32_t earliest_waiting(struct disco_ctx *ctx, struct mk_state *s)
{
    uint32_t best = s->self_waiting ? SELF : NOBODY;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        const struct mk_port *q = port_state(ctx, p);
        if (q->waiting &&
            (best == NOBODY || mutex_earlier(q->wait_ts, who(ctx, p),
                                             *wait_ts(ctx, s, best),
                                             who(ctx, best))))
            best = p;
    }
    return best;
}

/* ---- the arbiter ---- */

static void give_lock(struct disco_ctx *ctx, struct mk_state *s, uint32_t to,
                      uint64_t ts)
{
    s->holder = to;
    s->holder_ts = ts;
    s->inquired = false;
    post(ctx, s, to, GRANT, ts);
}

static void arbiter_request(struct disco_ctx *ctx, struct mk_state *s,
                            uint32_t from, uint64_t ts)
{
    if (s->holder == NOBODY) {
        give_lock(ctx, s, from, ts);
        return;
    }
    uint32_t first = earliest_waiting(ctx, s);
    *waiting(ctx, s, from) = true;
    *told(ctx, s, from) = false;
    *wait_ts(ctx, s, from) = ts;
    bool before_holder = mutex_earlier(ts, who(ctx, from), s->holder_ts,
                                       who(ctx, s->holder));
    bool before_all = first == NOBODY ||
                      mutex_earlier(ts, who(ctx, from),
                                    *wait_ts(ctx, s, first), who(ctx, first));
    if (before_holder && before_all) {
        if (first != NOBODY && !*told(ctx, s, first)) {
            *told(ctx, s, first) = true; /* overtaken */
            post(ctx, s, first, FAILED, *wait_ts(ctx, s, first));
        }
        if (!s->inquired) {
            s->inquired = true;
            post(ctx, s, s->holder, INQUIRE, s->holder_ts);
        }
    } else {
        *told(ctx, s, from) = true;
        post(ctx, s, from, FAILED, ts);
    }
}

/* The lock came back (release or relinquish): grant the earliest. */
static void arbiter_free(struct disco_ctx *ctx, struct mk_state *s)
{
    s->holder = NOBODY;
    uint32_t next = earliest_waiting(ctx, s);
    if (next == NOBODY)
        return;
    *waiting(ctx, s, next) = false;
    give_lock(ctx, s, next, *wait_ts(ctx, s, next));
}

static void arbiter_relinquish(struct disco_ctx *ctx, struct mk_state *s,
                               uint32_t from)
{
    if (s->holder != from)
        return;
    /* The holder waits again, and knows it is behind an earlier request. */
    *waiting(ctx, s, from) = true;
    *told(ctx, s, from) = true;
    *wait_ts(ctx, s, from) = s->holder_ts;
    arbiter_free(ctx, s);
}

/* ---- the requester ---- */

static enum mk_vote *vote(struct disco_ctx *ctx, struct mk_state *s,
                          uint32_t port)
{
    return port == SELF ? &s->self_vote : &port_state(ctx, port)->vote;
}

static bool *vote_inquired(struct disco_ctx *ctx, struct mk_state *s,
                           uint32_t port)
{
    return port == SELF ? &s->self_inquired : &port_state(ctx, port)->inquired;
}

/* Give back the grant of arbiter `to`, which asked for it. */
static void relinquish(struct disco_ctx *ctx, struct mk_state *s, uint32_t to)
{
    *vote_inquired(ctx, s, to) = false;
    *vote(ctx, s, to) = REFUSED;
    s->grants--;
    if (to == SELF)
        arbiter_relinquish(ctx, s, SELF);
    else
        post(ctx, s, to, RELINQUISH, s->ts);
}

/* Having been refused somewhere: give back every inquired grant. */
static void relinquish_inquired(struct disco_ctx *ctx, struct mk_state *s)
{
    if (s->self_inquired && s->self_vote == GRANTED)
        relinquish(ctx, s, SELF);
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        struct mk_port *q = port_state(ctx, p);
        if (q->inquired && q->vote == GRANTED)
            relinquish(ctx, s, p);
    }
}

static bool refused_somewhere(struct disco_ctx *ctx, const struct mk_state *s)
{
    if (s->self_vote == REFUSED)
        return true;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++)
        if (port_state(ctx, p)->member && port_state(ctx, p)->vote == REFUSED)
            return true;
    return false;
}

static void requester_grant(struct disco_ctx *ctx, struct mk_state *s,
                            uint32_t from)
{
    *vote(ctx, s, from) = GRANTED;
    s->grants++;
    /* Inquired before the grant arrived (channels need not be FIFO). */
    if (*vote_inquired(ctx, s, from) && refused_somewhere(ctx, s)) {
        relinquish(ctx, s, from);
        return;
    }
    if (s->grants < s->quorum)
        return;
    mutex_enter(ctx, &s->app);
}

/* An inquire about the current request: give the grant back if refused
 * somewhere, else wait for a failed (or for all grants).  It may overtake
 * the grant it is about; it is then noted and answered on the grant. */
static void requester_inquire(struct disco_ctx *ctx, struct mk_state *s,
                              uint32_t from, uint64_t ts)
{
    if (s->app.phase != WANTED || ts != s->ts)
        return; /* about a finished request */
    *vote_inquired(ctx, s, from) = true;
    if (*vote(ctx, s, from) == GRANTED && refused_somewhere(ctx, s))
        relinquish(ctx, s, from);
}

static void requester_failed(struct disco_ctx *ctx, struct mk_state *s,
                             uint32_t from, uint64_t ts)
{
    if (s->app.phase != WANTED || ts != s->ts ||
        *vote(ctx, s, from) == GRANTED)
        return;
    *vote(ctx, s, from) = REFUSED;
    relinquish_inquired(ctx, s);
}

/* ---- the algorithm ---- */

static void request(struct disco_ctx *ctx, struct mk_state *s)
{
    s->app.phase = WANTED;
    s->ts = ++s->clock;
    s->grants = 0;
    s->self_vote = NONE;
    s->self_inquired = false;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        struct mk_port *q = port_state(ctx, p);
        q->vote = NONE;
        q->inquired = false;
        if (q->member)
            post(ctx, s, p, REQUEST, s->ts);
    }
    post(ctx, s, SELF, REQUEST, s->ts);
}

static void release(struct disco_ctx *ctx, struct mk_state *s)
{
    s->app.phase = RELEASED;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++)
        if (port_state(ctx, p)->member)
            post(ctx, s, p, RELEASE, s->ts);
    if (s->holder == SELF)
        arbiter_free(ctx, s);
    mutex_plan_request(ctx, &s->app);
}

static void mk_init(struct disco_ctx *ctx, void *state)
{
    struct mk_state *s = state;
    uint32_t n = disco_nodes(ctx), self = disco_self(ctx);
    s->holder = NOBODY;
    s->quorum = 1;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        struct mk_port *q = port_state(ctx, p);
        q->member = same_quorum(n, self, complete_node_at(self, p));
        s->quorum += q->member;
    }
    if (disco_is_initiator(ctx))
        mutex_plan_request(ctx, &s->app);
}

static void mk_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct mk_state *s = state;
    uint64_t words[2];
    memcpy(words, payload, sizeof words);
    tick(s, words[0]);
    uint64_t ts = words[1];
    switch (kind) {
    case REQUEST:
        arbiter_request(ctx, s, port, ts);
        break;
    case GRANT:
        requester_grant(ctx, s, port);
        break;
    case RELEASE:
        if (s->holder == port)
            arbiter_free(ctx, s);
        break;
    case INQUIRE:
        requester_inquire(ctx, s, port, ts);
        break;
    case RELINQUISH:
        arbiter_relinquish(ctx, s, port);
        break;
    case FAILED:
        requester_failed(ctx, s, port, ts);
        break;
    }
}

static void mk_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    if (tag == MUTEX_T_REQUEST)
        request(ctx, state);
    else
        release(ctx, state);
}

static void mk_format_state(const void *state, char *buf, size_t len)
{
    const struct mk_state *s = state;
    switch (s->app.phase) {
    case RELEASED:
        snprintf(buf, len, "released (%u entries)", s->app.entered);
        break;
    case WANTED:
        snprintf(buf, len, "wanted ts=%llu, %u/%u grants",
                 (unsigned long long)s->ts, s->grants, s->quorum);
        break;
    case HELD:
        snprintf(buf, len, "held");
        break;
    }
}

/* ---- properties ---- */

/* Requests (and releases) due: |R_i| - 1 per entry of process i. */
static uint64_t requests_due(const struct disco_view *view)
{
    uint64_t due = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct mk_state *s = disco_view_state(view, v);
        due += (uint64_t)(s->quorum - 1) * s->app.entered;
    }
    return due;
}

/* Exactly |R_i| - 1 requests and releases per entry of i; every grant to
 * another process ends with one release or relinquish. */
static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t due = requests_due(view);
    uint64_t requests = disco_view_messages(view, REQUEST);
    uint64_t grants = disco_view_messages(view, GRANT);
    uint64_t releases = disco_view_messages(view, RELEASE);
    uint64_t relinquishes = disco_view_messages(view, RELINQUISH);
    snprintf(detail, len, "%llu requests, %llu releases (due %llu); %llu "
             "grants = %llu releases + %llu relinquishes",
             (unsigned long long)requests, (unsigned long long)releases,
             (unsigned long long)due, (unsigned long long)grants,
             (unsigned long long)releases, (unsigned long long)relinquishes);
    return requests == due && releases == due &&
           grants == releases + relinquishes;
}

/* The quorums, read from the states and the real topology: every two
 * intersect, and membership is mutual. */
static bool member(const struct disco_view *view, uint32_t u, uint32_t v)
{
    if (u == v)
        return true;
    for (uint32_t p = 0; p < disco_view_degree(view, u); p++)
        if (disco_view_neighbour(view, u, p) == v)
            return ((const struct mk_port *)disco_view_port_state(view, u, p))
                ->member;
    return false;
}

static bool check_quorums(const struct disco_view *view, char *detail,
                          size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t v = u + 1; v < n; v++) {
            if (member(view, u, v) != member(view, v, u)) {
                snprintf(detail, len, "node %u and node %u disagree on "
                         "membership", u, v);
                return false;
            }
            bool meet = false;
            for (uint32_t w = 0; !meet && w < n; w++)
                meet = member(view, u, w) && member(view, v, w);
            if (!meet) {
                snprintf(detail, len, "the quorums of node %u and node %u "
                         "are disjoint", u, v);
                return false;
            }
        }
    const struct mk_state *s0 = n ? disco_view_state(view, 0) : NULL;
    snprintf(detail, len, "every two quorums intersect (|R_0| = %u)",
             s0 ? s0->quorum : 0);
    return true;
}

static void mk_result(const struct disco_view *view, char *buf, size_t len)
{
    uint64_t entries = mutex_total_entries(view);
    uint64_t messages = disco_view_messages(view, -1);
    snprintf(buf, len, "\"entries\": %llu, \"messages\": %llu, "
             "\"messages_per_entry\": %.2f, \"inquire\": %llu, "
             "\"relinquish\": %llu, \"failed\": %llu",
             (unsigned long long)entries, (unsigned long long)messages,
             entries ? (double)messages / (double)entries : 0.0,
             (unsigned long long)disco_view_messages(view, INQUIRE),
             (unsigned long long)disco_view_messages(view, RELINQUISH),
             (unsigned long long)disco_view_messages(view, FAILED));
}

static const char *const mk_kinds[] = {"request", "grant", "release",
                                       "inquire", "relinquish", "failed"};

static const struct disco_param mk_params[] = {MUTEX_PARAM_TABLE("p0")};

static const struct disco_property mk_properties[] = {
    MUTEX_PROPERTY_TABLE,
    {"messages_per_entry",
     "exactly |R_i|-1 requests and releases per entry of process i, and "
     "grant = release + relinquish",
     DISCO_PROPERTY_FINAL, check_messages, true},
    {"quorums_intersect",
     "every two request sets share a process, and membership is mutual",
     DISCO_PROPERTY_FINAL, check_quorums, false},
};

const struct disco_algorithm disco_alg_maekawa = {
    .name = "maekawa",
    .family = "mutex",
    .summary = "mutual exclusion by votes from a grid quorum (row and "
               "column), with inquire/relinquish/failed against deadlock",
    .description =
        "Processes sit row by row on a k x k grid, k = ceil(sqrt(n)); the "
        "request set R_i is i's row and column (2k-1 processes when n is a "
        "perfect square), and any two sets meet. Each process is an arbiter "
        "with one vote: it grants it to the earliest request (Lamport "
        "timestamp, then process number) and queues the others. A process "
        "enters with the grants of all of R_i and sends release on leaving. "
        "An earlier request makes the arbiter inquire of the holder, which "
        "relinquishes if it was refused (failed) somewhere; later requests "
        "are told failed. The application: each initiator enters `entries` "
        "times, requesting after a random think time (mean `think`, or at "
        "i * stagger the first time) and staying `hold` ticks inside.",
    .messages = "without contention exactly 3(|R_i|-1) per entry: "
                "3(2 sqrt(n) - 2), about 3 sqrt(n) for Maekawa's K ~ sqrt(n) "
                "sets; with contention up to about 5(|R_i|-1) "
                "(inquire, relinquish, failed), always "
                "grant = release + relinquish",
    .time = "synchronization delay 2d (release to the arbiter, grant to "
            "the next)",
    .source = "M. Maekawa, A sqrt(N) algorithm for mutual exclusion in "
              "decentralized systems, ACM TOCS 3(2), 1985; Kshemkalyani and "
              "Singhal, Distributed Computing, sec. 9.8",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "complete:9",
        .initiators = "all",
        .faults = "none",
    },
    .params = mk_params,
    .param_count = sizeof mk_params / sizeof mk_params[0],
    .message_kinds = mk_kinds,
    .kind_count = sizeof mk_kinds / sizeof mk_kinds[0],
    .properties = mk_properties,
    .property_count = sizeof mk_properties / sizeof mk_properties[0],
    .state_size = sizeof(struct mk_state),
    .port_state_size = sizeof(struct mk_port),
    .init = mk_init,
    .on_message = mk_on_message,
    .on_timer = mk_on_timer,
    .format_state = mk_format_state,
    .result = mk_result,
};
