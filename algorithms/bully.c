/*
 * bully.c - Garcia-Molina's bully algorithm: leader election in a complete
 * network of processes that may crash, detected by timeouts.
 *
 * Every process knows the ids of all the others and reaches each directly.
 * The coordinator is meant to be the live process with the highest id.  A
 * process that suspects the coordinator has crashed holds an election:
 *
 *   - it sends `election` to every process with a higher id and waits T;
 *   - if no `answer` arrives within T, no higher process is alive: it is the
 *     coordinator and sends `coordinator` to every process with a lower id;
 *   - if an answer arrives, a higher process has taken over: it waits
 *     T' = 2T for that process's `coordinator` message, and holds a new
 *     election if none comes (the higher process crashed meanwhile);
 *   - a process that receives `election` answers it, and holds an election
 *     of its own unless it is holding one already;
 *   - a process that receives `coordinator` takes the sender as coordinator.
 *
 * Timeouts detect crashes only in a synchronous system: every message
 * arrives within a known bound d, so a live process's answer is back within
 * the round trip 2d.  T (`timeout`) must exceed 2d: 250 by default, against
 * d = 100 under the default delay uniform:1:100.  With a shorter T an answer
 * may come too late; the process then declares itself coordinator while a
 * higher process is alive, and two coordinators coexist: the invariant
 * `one_coordinator` catches it.
 *
 * Failure detector.  The coordinator sends a `heartbeat` to every lower
 * process every P ticks (`period`); a process that hears none for P + T
 * suspects the coordinator and holds an election.  So that a run ends, each
 * coordinator sends only H heartbeats (`heartbeats`) and its followers stop
 * watching after the H-th: a coordinator that crashes after its last
 * heartbeat goes unnoticed.
 *
 * Two departures from the textbook, both for the simulator's sake:
 *   - Known ids.  The model gives every process all ids; the simulator tells
 *     a process only its own.  So at boot every process sends its id to all
 *     others (`hello`, n(n-1) messages, kept apart from the election's
 *     count), and the initiators hold the first election at time T, when
 *     every hello has arrived (T > d).
 *   - The highest process, too, waits T before it declares itself (Coulouris
 *     lets it declare at once).  Its `coordinator` could otherwise overtake
 *     elections still in flight; processes that already know the result
 *     would answer them and hold new elections, and the message count would
 *     depend on the schedule (with every process starting at boot, up to 529
 *     core messages instead of 63 for n = 8, over 500 seeds).  With the
 *     wait, every live process holds exactly one election per failure of
 *     the coordinator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco.h"

enum { ELECTION, ANSWER, COORDINATOR, HEARTBEAT, HELLO };

enum { TIMEOUT, PERIOD, HEARTBEATS }; /* parameters */

/* Timers.  A tag is (generation << 3) | timer: a timer set before the
 * process's latest change of phase is stale and ignored. */
enum { T_START, T_ANSWER, T_COORDINATOR, T_HEARTBEAT, T_WATCHDOG };

enum bully_phase {
    BOOTING,      /* has not yet taken part in an election */
    ELECTING,     /* sent `election` upwards, waits T for an answer */
    WAITING,      /* got an answer, waits T' for the winner's `coordinator` */
    COORDINATING, /* is the coordinator */
    FOLLOWING,    /* knows the coordinator (and watches its heartbeats) */
};

/* The largest network: the bitset of higher ports below has this many bits
 * (state is fixed-size plain data).  On a larger network ports beyond it
 * would count as lower, and the oracles would object. */
#define BULLY_MAX_NODES 4096u

struct bully_state {
    enum bully_phase phase;
    int64_t coordinator;       /* elected_i: the coordinator's id, once known */
    uint32_t coordinator_port; /* out-port to the coordinator, or
                                  DISCO_NO_PORT when it is this process */
    uint32_t generation;       /* bumped at every change of phase and every
                                  heartbeat heard: older timers are stale */
    uint32_t beats;            /* heartbeats of the current term: sent (as
                                  coordinator) or heard (as follower) */
    uint32_t elections;        /* elections this process has held */
    unsigned char higher[BULLY_MAX_NODES / 8]; /* bit p: out-port p leads to
                                                  a process with a higher id */
};

/* ---- helpers ---- */

static bool is_higher(const struct bully_state *s, uint32_t port)
{
    return port < BULLY_MAX_NODES && (s->higher[port / 8] >> (port % 8)) & 1;
}

static void mark_higher(struct bully_state *s, uint32_t port)
{
    if (port < BULLY_MAX_NODES)
        s->higher[port / 8] |= (unsigned char)(1u << (port % 8));
}

/* Send to every process whose id is above (higher) or below (!higher)
 * this one's. */
static void send_where(struct disco_ctx *ctx, const struct bully_state *s,
                       bool higher, unsigned kind, const void *payload,
                       size_t len)
{
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
        if (is_higher(s, port) == higher)
            disco_send(ctx, port, kind, payload, len);
}

static void send_to_higher(struct disco_ctx *ctx, const struct bully_state *s,
                           unsigned kind)
{
    send_where(ctx, s, true, kind, NULL, 0);
}

static void send_to_lower(struct disco_ctx *ctx, const struct bully_state *s,
                          unsigned kind, const void *payload, size_t len)
{
    send_where(ctx, s, false, kind, payload, len);
}

static disco_time_t param(const struct disco_ctx *ctx, unsigned index)
{
    return (disco_time_t)disco_param(ctx, index);
}

static void set_timer(struct disco_ctx *ctx, const struct bully_state *s,
                      disco_time_t delay, unsigned timer)
{
    disco_set_timer(ctx, delay, (uint64_t)s->generation << 3 | timer);
}

/* A change of phase: the timers of the old phase become stale. */
static void enter(struct bully_state *s, enum bully_phase phase)
{
    s->phase = phase;
    s->generation++;
}

/* A follower expects the next heartbeat within P + T, while any is due.
 * (The new generation makes the previous watchdog stale.) */
static void watch(struct disco_ctx *ctx, struct bully_state *s)
{
    s->generation++;
    if (s->beats < param(ctx, HEARTBEATS))
        set_timer(ctx, s, param(ctx, PERIOD) + param(ctx, TIMEOUT),
                  T_WATCHDOG);
}

/* ---- the algorithm ---- */

static void hold_election(struct disco_ctx *ctx, struct bully_state *s)
{
    enter(s, ELECTING);
    s->elections++;
    send_to_higher(ctx, s, ELECTION);
    set_timer(ctx, s, param(ctx, TIMEOUT), T_ANSWER);
}

static void become_coordinator(struct disco_ctx *ctx, struct bully_state *s)
{
    int64_t id = disco_id(ctx);
    enter(s, COORDINATING);
    s->coordinator = id;
    s->coordinator_port = DISCO_NO_PORT;
    s->beats = 0;
    disco_decide(ctx, id);
    send_to_lower(ctx, s, COORDINATOR, &id, sizeof id);
    if (param(ctx, HEARTBEATS) > 0)
        set_timer(ctx, s, param(ctx, PERIOD), T_HEARTBEAT);
}

static void follow(struct disco_ctx *ctx, struct bully_state *s,
                   uint32_t port, int64_t id)
{
    enter(s, FOLLOWING);
    s->coordinator = id;
    s->coordinator_port = port;
    s->beats = 0;
    disco_decide(ctx, id);
    watch(ctx, s);
}

static void send_heartbeat(struct disco_ctx *ctx, struct bully_state *s)
{
    s->beats++;
    send_to_lower(ctx, s, HEARTBEAT, &s->beats, sizeof s->beats);
    if (s->beats < param(ctx, HEARTBEATS))
        set_timer(ctx, s, param(ctx, PERIOD), T_HEARTBEAT);
}

static void bully_init(struct disco_ctx *ctx, void *state)
{
    struct bully_state *s = state;
    int64_t id = disco_id(ctx);
    s->coordinator_port = DISCO_NO_PORT;
    disco_send_all(ctx, HELLO, &id, sizeof id);
    if (disco_is_initiator(ctx))
        set_timer(ctx, s, param(ctx, TIMEOUT), T_START);
}

static void bully_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind, const void *payload,
                             size_t len)
{
    struct bully_state *s = state;
    int64_t id;
    uint32_t beat;
    switch (kind) {
    case HELLO:
        memcpy(&id, payload, sizeof id);
        if (id > disco_id(ctx))
            mark_higher(s, port);
        break;
    case ELECTION:
        disco_send(ctx, port, ANSWER, NULL, 0);
        if (s->phase != ELECTING && s->phase != WAITING)
            hold_election(ctx, s);
        break;
    case ANSWER:
        if (s->phase == ELECTING) {
            enter(s, WAITING);
            set_timer(ctx, s, 2 * param(ctx, TIMEOUT), T_COORDINATOR);
        }
        break;
    case COORDINATOR:
        memcpy(&id, payload, sizeof id);
        follow(ctx, s, port, id);
        break;
    case HEARTBEAT:
        memcpy(&beat, payload, sizeof beat);
        if (s->phase == FOLLOWING && port == s->coordinator_port &&
            beat > s->beats) {
            s->beats = beat;
            watch(ctx, s);
        }
        break;
    }
}

static void bully_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct bully_state *s = state;
    if (tag >> 3 != s->generation)
        return; /* set in an earlier phase */
    switch (tag & 7) {
    case T_START:       /* boot: every id has arrived */
    case T_COORDINATOR: /* answered, but the winner fell silent */
    case T_WATCHDOG:    /* the coordinator fell silent */
        hold_election(ctx, s);
        break;
    case T_ANSWER: /* nobody higher is alive */
        become_coordinator(ctx, s);
        break;
    case T_HEARTBEAT:
        send_heartbeat(ctx, s);
        break;
    }
}

static void bully_format_state(const void *state, char *buf, size_t len)
{
    const struct bully_state *s = state;
    switch (s->phase) {
    case BOOTING:
        snprintf(buf, len, "booting");
        break;
    case ELECTING:
        snprintf(buf, len, "electing");
        break;
    case WAITING:
        snprintf(buf, len, "waiting for a coordinator");
        break;
    case COORDINATING:
        snprintf(buf, len, "coordinator");
        break;
    case FOLLOWING:
        snprintf(buf, len, "follows %lld", (long long)s->coordinator);
        break;
    }
}

/* ---- properties ---- */

static bool is_coordinator(const void *state)
{
    return ((const struct bully_state *)state)->phase == COORDINATING;
}

static bool check_highest_live_leads(const struct disco_view *view,
                                     char *detail, size_t len)
{
    return disco_oracle_unique_max_leader(view, is_coordinator, NULL, detail,
                                          len);
}

/* Every live process's last decision is the highest live id.  (A process
 * decides each time it learns a coordinator, so earlier decisions may name
 * one that crashed since.) */
static bool check_everyone_follows(const struct disco_view *view,
                                   char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    int64_t best = disco_view_max_id(view, NULL);
    size_t *last = malloc(n * sizeof *last);
    if (!last) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    size_t count = disco_view_decision_count(view);
    for (uint32_t v = 0; v < n; v++)
        last[v] = count;
    for (size_t i = 0; i < count; i++)
        last[disco_view_decision(view, i)->node] = i;
    bool ok = true;
    for (uint32_t v = 0; ok && v < n; v++) {
        if (disco_view_crashed(view, v))
            continue;
        if (last[v] == count) {
            snprintf(detail, len, "node %u never learnt a coordinator", v);
            ok = false;
        } else if (disco_view_decision(view, last[v])->value != best) {
            snprintf(detail, len, "node %u follows %lld, but the highest "
                     "live id is %lld", v,
                     (long long)disco_view_decision(view, last[v])->value,
                     (long long)best);
            ok = false;
        }
    }
    if (ok)
        snprintf(detail, len, "every live node follows %lld", (long long)best);
    free(last);
    return ok;
}

/* Safety, after every event: a live process that considers itself
 * coordinator has the highest live id (so there is at most one). */
static bool check_one_coordinator(const struct disco_view *view, char *detail,
                                  size_t len)
{
    int64_t best = disco_view_max_id(view, NULL);
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (disco_view_crashed(view, v) ||
            !is_coordinator(disco_view_state(view, v)))
            continue;
        if (disco_view_id(view, v) != best) {
            snprintf(detail, len, "node %u (id %lld) is coordinator while id "
                     "%lld is alive", v, (long long)disco_view_id(view, v),
                     (long long)best);
            return false;
        }
    }
    snprintf(detail, len, "never two coordinators");
    return true;
}

static bool check_hellos(const struct disco_view *view, char *detail,
                         size_t len)
{
    uint64_t n = disco_view_nodes(view);
    uint64_t sent = disco_view_messages(view, HELLO);
    snprintf(detail, len, "%llu hellos, n(n-1) = %llu",
             (unsigned long long)sent, (unsigned long long)(n * (n - 1)));
    return sent == n * (n - 1);
}

static void bully_result(const struct disco_view *view, char *buf, size_t len)
{
    uint64_t elections = 0;
    int leader = -1;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct bully_state *s = disco_view_state(view, v);
        elections += s->elections;
        if (leader < 0 && !disco_view_crashed(view, v) && is_coordinator(s))
            leader = (int)v;
    }
    if (leader < 0)
        snprintf(buf, len, "\"leader\": null, \"elections\": %llu",
                 (unsigned long long)elections);
    else
        snprintf(buf, len, "\"leader\": %lld, \"leader_node\": %d, "
                 "\"elections\": %llu",
                 (long long)disco_view_id(view, (uint32_t)leader), leader,
                 (unsigned long long)elections);
}

static const char *const bully_kinds[] = {"election", "answer", "coordinator",
                                          "heartbeat", "hello"};

static const struct disco_param bully_params[] = {
    {"timeout", 250, 1, 1000000000,
     "T, the wait for an answer: must exceed the round trip 2d (d = the "
     "largest delay, 100 under uniform:1:100), or two coordinators can "
     "coexist; T' = 2T is the wait for the winner's coordinator message"},
    {"period", 500, 1, 1000000000,
     "P, the ticks between two heartbeats of the coordinator (should exceed "
     "d); a process that hears none for P + T holds an election"},
    {"heartbeats", 4, 0, 1000000,
     "H, the heartbeats each coordinator sends; after the H-th nobody "
     "watches it, so that the run ends"},
};

static const struct disco_property bully_properties[] = {
    {"highest_live_leads",
     "exactly one live process is coordinator, and it has the highest live id",
     DISCO_PROPERTY_FINAL, check_highest_live_leads, true},
    {"everyone_follows",
     "every live process's last decision is the highest live id",
     DISCO_PROPERTY_FINAL, check_everyone_follows, true},
    {"one_coordinator",
     "at every moment, a live process that considers itself coordinator has "
     "the highest live id",
     DISCO_PROPERTY_INVARIANT, check_one_coordinator, false},
    {"hello_each_pair",
     "every process sends its id to every other once: n(n-1) hellos",
     DISCO_PROPERTY_FINAL, check_hellos, true},
};

const struct disco_algorithm disco_alg_bully = {
    .name = "bully",
    .family = "election",
    .summary = "leader election in a complete network with crashes and "
               "timeouts: the highest live id bullies its way to coordinator",
    .description =
        "A process holds an election by sending `election` to every higher "
        "id. A live higher process sends `answer` and holds its own "
        "election; a process that gets no answer within T declares itself "
        "with `coordinator` to every lower id. A process that got an answer "
        "but no coordinator within T' = 2T holds a new election. The "
        "coordinator sends H heartbeats, one every P ticks; a process that "
        "hears none for P + T holds an election. At boot every process "
        "sends its id to all (`hello`: the model's known ids) and the "
        "initiators hold the first election at time T. Needs message delays "
        "at most d with T > 2d (and P > d); crash faults only, no recovery; "
        "at most 4096 processes.",
    .messages =
        "hello: exactly n(n-1). Per failure of the coordinator (and at "
        "boot), when no process crashes during the election: election = sum "
        "over live processes of the ids above theirs, answer = pairs of live "
        "processes, coordinator = ids below the winner's; with every "
        "process live at most n(n-1)/2 + n(n-1)/2 + n-1 = n^2-1 (every "
        "process takes part, e.g. the lowest id starts: O(n^2)); n-1 when "
        "only the highest starts. Heartbeats: at most H per lower id per "
        "coordinator",
    .time = "boot: the coordinator is known by 2T + d (2T + 2d when the "
            "highest id is not an initiator); a crash of the "
            "coordinator is noticed within P + T + d of its last heartbeat, "
            "and its successor is known at most T + 2d later",
    .source = "H. Garcia-Molina, Elections in a distributed computing "
              "system, IEEE Trans. Computers C-31(1), 1982; Coulouris, "
              "Dollimore, Kindberg and Blair, Distributed Systems: Concepts "
              "and Design, 5th ed., sec. 15.3",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = true,
        .timing = DISCO_ASYNC,
        .topology = "complete:8",
        .initiators = "all",
        .faults = "crashes (no recovery); delays bounded by d < T/2",
        .delay_below_param = "timeout",
        .delay_below_divisor = 2,
        .max_nodes = BULLY_MAX_NODES,
    },
    .params = bully_params,
    .param_count = sizeof bully_params / sizeof bully_params[0],
    .message_kinds = bully_kinds,
    .kind_count = sizeof bully_kinds / sizeof bully_kinds[0],
    .properties = bully_properties,
    .property_count = sizeof bully_properties / sizeof bully_properties[0],
    .state_size = sizeof(struct bully_state),
    .init = bully_init,
    .on_message = bully_on_message,
    .on_timer = bully_on_timer,
    .format_state = bully_format_state,
    .result = bully_result,
    .is_leader = is_coordinator, /* pictures: the coordinator in gold */
};
