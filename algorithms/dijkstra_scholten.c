/*
 * dijkstra_scholten.c - Dijkstra and Scholten's termination detection for a
 * diffusing computation, and the machinery safra.c and huang.c share (the
 * random basic computation and the ground-truth oracles, see diffusing.h).
 *
 * One initiator starts the basic computation and is the root of a tree
 * that grows and shrinks with it.  Every basic message is acknowledged,
 * exactly once: a process that is not in the tree joins it on a basic
 * message, taking the sender as its parent, and acknowledges that message
 * only when it leaves the tree; every other basic message is acknowledged
 * at once.  A process leaves (acknowledging to its parent) when it is
 * passive and all its own basic messages have been acknowledged (its
 * deficit is 0).  When the root is passive with deficit 0 the computation
 * has terminated, and it announces.  So acknowledgements = basic messages,
 * exactly, on every schedule.  The computation is diffusing: exactly one
 * initiator (with more, each would be the root of its own tree, and the
 * properties report the extra announcements).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "disco.h"

#include "diffusing.h"

/* ======================================================================== */
/* The shared basic computation (diffusing.h).                              */

const struct disco_param diffusing_params[DIFFUSING_PARAMS] = {
    {"size", 5, 0, 1000000,
     "basic messages each process may send in all (its activity budget)"},
    {"gap", 20, 1, 1000000000,
     "mean ticks of work between two basic sends of an active process "
     "(uniform in 1 .. 2 gap - 1)"},
};

static void plan_work(struct disco_ctx *ctx)
{
    uint64_t gap = (uint64_t)disco_param(ctx, DIFFUSING_GAP);
    disco_set_timer(ctx, 1 + disco_random_below(ctx, 2 * gap - 1),
                    DIFFUSING_WORK);
}

void diffusing_start(struct disco_ctx *ctx, struct diffusing_basic *b)
{
    b->active = true;
    disco_set_passive(ctx, false);
    plan_work(ctx);
}

void diffusing_work(struct disco_ctx *ctx, void *state,
                    const struct diffusing_ops *ops)
{
    struct diffusing_basic *b = state;
    uint64_t size = (uint64_t)disco_param(ctx, DIFFUSING_SIZE);
    uint32_t degree = disco_out_degree(ctx);
    if (b->sent < size && degree > 0)
        ops->send_basic(ctx, state,
                        (uint32_t)disco_random_below(ctx, degree));
    if (b->sent < size && degree > 0 && disco_random_below(ctx, 2)) {
        plan_work(ctx);
        return;
    }
    b->active = false;
    b->last_basic = disco_now(ctx);
    b->basic_events++;
    disco_set_passive(ctx, true);
    ops->passive(ctx, state);
}

bool diffusing_receive(struct disco_ctx *ctx, struct diffusing_basic *b,
                       uint32_t port)
{
    struct diffusing_port *p = disco_port_state(ctx, port);
    p->received++;
    b->received++;
    b->last_basic = disco_now(ctx);
    b->basic_events++;
    if (b->active)
        return false;
    diffusing_start(ctx, b);
    return true;
}

void diffusing_count_send(struct disco_ctx *ctx, struct diffusing_basic *b,
                          uint32_t port)
{
    struct diffusing_port *p = disco_port_state(ctx, port);
    p->sent++;
    b->sent++;
}

void diffusing_send_control(struct disco_ctx *ctx, struct diffusing_basic *b,
                            uint32_t port, unsigned kind, const void *payload,
                            size_t len)
{
    unsigned slot = (unsigned)(b->control_sent % DIFFUSING_CONTROL_LOG);
    b->control_log[slot].tick = disco_now(ctx);
    b->control_log[slot].basic_events = b->basic_events;
    b->control_sent++;
    disco_send(ctx, port, kind, payload, len);
}

void diffusing_announce(struct disco_ctx *ctx, struct diffusing_basic *b)
{
    b->announced = true;
    b->announced_at = disco_now(ctx);
    disco_decide(ctx, 1);
}

/* ---- ground truth ---- */

static const struct diffusing_basic *basic_of(const struct disco_view *view,
                                              uint32_t v)
{
    return disco_view_state(view, v);
}

bool diffusing_quiescent(const struct disco_view *view, char *detail,
                         size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (uint32_t v = 0; v < n; v++) {
        if (basic_of(view, v)->active) {
            snprintf(detail, len, "node %u is still active", v);
            return false;
        }
        for (uint32_t p = 0; p < disco_view_degree(view, v); p++) {
            uint32_t u = disco_view_neighbour(view, v, p);
            uint32_t q = disco_view_port_to(view, u, v);
            const struct diffusing_port *out =
                disco_view_port_state(view, v, p);
            const struct diffusing_port *in =
                disco_view_port_state(view, u, q);
            if (out->sent != in->received) {
                snprintf(detail, len, "%" PRIu64 " basic message(s) in "
                         "transit from node %u to node %u",
                         out->sent - in->received, v, u);
                return false;
            }
        }
    }
    snprintf(detail, len, "every node passive, no basic message in transit");
    return true;
}

disco_time_t diffusing_quiescence_tick(const struct disco_view *view)
{
    disco_time_t t = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (basic_of(view, v)->last_basic > t)
            t = basic_of(view, v)->last_basic;
    return t;
}

/* Checked after every event: an announcement made while the computation
 * still runs is caught at the event that made it. */
bool diffusing_check_no_false_detection(const struct disco_view *view,
                                        char *detail, size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (!basic_of(view, v)->announced)
            continue;
        char why[160];
        if (!diffusing_quiescent(view, why, sizeof why)) {
            snprintf(detail, len, "node %u announced termination but %s", v,
                     why);
            return false;
        }
    }
    snprintf(detail, len, "no announcement before true quiescence");
    return true;
}

bool diffusing_check_detected(const struct disco_view *view, char *detail,
                              size_t len)
{
    uint32_t announcer = DISCO_NO_PORT, count = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (basic_of(view, v)->announced) {
            announcer = v;
            count++;
        }
    if (count != 1) {
        snprintf(detail, len, "%u nodes announced termination, wanted 1",
                 count);
        return false;
    }
    char why[160];
    if (!diffusing_quiescent(view, why, sizeof why)) {
        snprintf(detail, len, "the run ended but %s", why);
        return false;
    }
    disco_time_t at = basic_of(view, announcer)->announced_at;
    disco_time_t quiet = diffusing_quiescence_tick(view);
    if (at < quiet) {
        snprintf(detail, len, "node %u announced at tick %" PRIu64 ", before "
                 "quiescence at tick %" PRIu64, announcer, at, quiet);
        return false;
    }
    snprintf(detail, len, "node %u announced at tick %" PRIu64 ", quiescent "
             "since tick %" PRIu64, announcer, at, quiet);
    return true;
}

/* A false detection shows as a negative delay. */
int diffusing_result(const struct disco_view *view, char *buf, size_t len)
{
    disco_time_t quiet = diffusing_quiescence_tick(view), at = 0;
    bool announced = false, saturated = false;
    uint64_t after = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct diffusing_basic *b = basic_of(view, v);
        if (b->announced && !announced) {
            announced = true;
            at = b->announced_at;
        }
        uint64_t logged = b->control_sent < DIFFUSING_CONTROL_LOG
                              ? b->control_sent : DIFFUSING_CONTROL_LOG;
        uint64_t late = 0;
        for (uint64_t i = 0; i < logged; i++)
            late += b->control_log[i].tick > quiet ||
                    (b->control_log[i].tick == quiet &&
                     b->control_log[i].basic_events == b->basic_events);
        /* A full log of late sends may hide earlier late ones. */
        saturated |= late == DIFFUSING_CONTROL_LOG &&
                     b->control_sent > DIFFUSING_CONTROL_LOG;
        after += late;
    }
    uint64_t basic = disco_view_messages(view, DIFFUSING_BASIC);
    uint64_t all = disco_view_messages(view, -1);
    return snprintf(buf, len,
                    "\"announced\": %s, \"quiescence_tick\": %" PRIu64 ", "
                    "\"announce_tick\": %" PRIu64 ", \"delay_ticks\": %" PRId64
                    ", \"delay_messages\": %" PRIu64 "%s, \"basic_messages\": "
                    "%" PRIu64 ", \"control_messages\": %" PRIu64,
                    announced ? "true" : "false", quiet, at,
                    announced ? (int64_t)at - (int64_t)quiet : 0, after,
                    saturated ? ", \"delay_messages_at_least\": true" : "",
                    basic, all - basic);
}

/* ======================================================================== */
/* Dijkstra-Scholten.                                                       */

enum { BASIC = DIFFUSING_BASIC, ACK };

struct ds_state {
    struct diffusing_basic b;
    bool root;        /* the initiator: the tree's root */
    bool engaged;     /* in the tree (the root until it announces) */
    uint32_t parent;  /* out-port to the parent while engaged, not root */
    uint64_t deficit; /* own basic messages not yet acknowledged */
};

struct ds_port {
    _Alignas(16) struct diffusing_port d;
};

/* Leave the tree once passive with every message acknowledged; the root
 * instead announces. */
static void try_leave(struct disco_ctx *ctx, struct ds_state *s)
{
    if (!s->engaged || s->b.active || s->deficit > 0)
        return;
    s->engaged = false;
    if (s->root)
        diffusing_announce(ctx, &s->b);
    else
        diffusing_send_control(ctx, &s->b, s->parent, ACK, NULL, 0);
}

static void ds_send_basic(struct disco_ctx *ctx, void *state, uint32_t port)
{
    struct ds_state *s = state;
    s->deficit++;
    diffusing_count_send(ctx, &s->b, port);
    disco_send(ctx, port, BASIC, NULL, 0);
}

static void ds_passive(struct disco_ctx *ctx, void *state)
{
    try_leave(ctx, state);
}

static const struct diffusing_ops ds_ops = {ds_send_basic, ds_passive};

static void ds_init(struct disco_ctx *ctx, void *state)
{
    struct ds_state *s = state;
    s->parent = DISCO_NO_PORT;
    if (disco_is_initiator(ctx)) {
        s->root = s->engaged = true;
        diffusing_start(ctx, &s->b);
    }
}

static void ds_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct ds_state *s = state;
    if (kind == BASIC) {
        diffusing_receive(ctx, &s->b, port);
        if (s->engaged) {
            diffusing_send_control(ctx, &s->b, port, ACK, NULL, 0);
        } else {
            s->engaged = true; /* join the tree; ack when leaving */
            s->parent = port;
        }
    } else { /* ACK */
        s->deficit--;
        try_leave(ctx, s);
    }
}

static void ds_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    diffusing_work(ctx, state, &ds_ops);
}

static void ds_format_state(const void *state, char *buf, size_t len)
{
    const struct ds_state *s = state;
    snprintf(buf, len, "%s%s deficit=%" PRIu64 "%s",
             s->b.active ? "active" : "passive",
             s->engaged ? (s->root ? " root" : " engaged") : "",
             s->deficit, s->b.announced ? " announced" : "");
}

static uint32_t ds_parent_port(const void *state)
{
    const struct ds_state *s = state;
    return s->engaged && !s->root ? s->parent : DISCO_NO_PORT;
}

/* SI: every basic message is acknowledged exactly once. */
static bool check_acks(const struct disco_view *view, char *detail,
                       size_t len)
{
    uint64_t basic = disco_view_messages(view, BASIC);
    uint64_t acks = disco_view_messages(view, ACK);
    snprintf(detail, len, "%" PRIu64 " acknowledgements for %" PRIu64
             " basic messages", acks, basic);
    return acks == basic;
}

static void ds_result(const struct disco_view *view, char *buf, size_t len)
{
    diffusing_result(view, buf, len);
}

static const char *const ds_kinds[] = {"basic", "ack"};

static const struct disco_property ds_properties[] = {
    {"no_false_detection",
     "whenever a node has announced, every node is passive and no basic "
     "message is in transit (true quiescence, from the states)",
     DISCO_PROPERTY_INVARIANT, diffusing_check_no_false_detection, false},
    {"detected",
     "exactly one announcement, at or after the tick quiescence began",
     DISCO_PROPERTY_FINAL, diffusing_check_detected, true},
    {"acks_equal_basic",
     "acknowledgements = basic messages, exactly",
     DISCO_PROPERTY_FINAL, check_acks, true},
};

const struct disco_algorithm disco_alg_dijkstra_scholten = {
    .name = "dijkstra-scholten",
    .family = "termination",
    .summary = "termination detection for a diffusing computation by "
               "acknowledging every basic message along a shrinking tree",
    .description =
        "The initiator starts a random diffusing computation (each process "
        "sends up to `size` basic messages to random neighbours, one every "
        "`gap` ticks on average, and stays active with probability 1/2 "
        "after each) and is the root of a tree: a process outside the tree "
        "joins it on a basic message, with the sender as parent; every "
        "other basic message is acknowledged at once. A passive process "
        "whose messages are all acknowledged leaves the tree by "
        "acknowledging to its parent; when the root is passive with nothing "
        "unacknowledged, it announces termination.",
    .messages = "exactly one ack per basic message: M basic + M acks",
    .time = "the announcement follows quiescence within the depth of the "
            "tree in channel delays",
    .source = "E. W. Dijkstra and C. S. Scholten, Termination detection for "
              "diffusing computations, IPL 11(1), 1980; W. Fokkink, "
              "Distributed Algorithms: An Intuitive Approach, 2nd ed., "
              "sec. 6.1; G. Tel, Introduction to Distributed Algorithms, "
              "2nd ed., sec. 8.2.1",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "grid:4x4",
        .initiators = "0",
        .faults = "none",
    },
    .params = diffusing_params,
    .param_count = DIFFUSING_PARAMS,
    .message_kinds = ds_kinds,
    .kind_count = sizeof ds_kinds / sizeof ds_kinds[0],
    .control_kinds = ~(uint64_t)1, /* all but basic */
    .properties = ds_properties,
    .property_count = sizeof ds_properties / sizeof ds_properties[0],
    .state_size = sizeof(struct ds_state),
    .port_state_size = sizeof(struct ds_port),
    .init = ds_init,
    .on_message = ds_on_message,
    .on_timer = ds_on_timer,
    .format_state = ds_format_state,
    .result = ds_result,
    .parent_port = ds_parent_port,
};
