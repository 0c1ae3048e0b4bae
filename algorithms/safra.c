/*
 * safra.c - Safra's termination detection: a token visits the processes
 * around a ring, adding up message counters, and colours catch what a
 * sweep of the counters alone would miss.
 *
 * Every process counts basic messages sent minus received.  Process 0
 * starts a wave when passive: the token (sum 0, white) goes to process 1,
 * 2, ..., n-1 and back to 0 over the ring 0 -> 1 -> ... -> n-1 -> 0.  A
 * process holds the token until it is passive, then adds its counter to
 * the token's sum, blackens the token if it is black itself, whitens
 * itself and passes the token on.  A process turns black when it receives
 * a basic message: its counter changed behind the token's back.  When the
 * token returns white to a white, passive process 0 and the sum plus 0's
 * own counter is 0, the computation has terminated; otherwise 0 starts a
 * new wave.
 *
 * With `--param colours=off` no process or token is ever black: the sum
 * alone is then fooled by a message received by an already visited process
 * which sends on to a not yet visited one, and a false detection becomes
 * reachable (the test finds one).
 *
 * The ring order.  A process needs the port to process i+1 mod n, which
 * the API does not name; so each process first sends its index on every
 * channel (`hello`, 2m messages in all, a kind of their own), and holds the
 * token until it knows that port.  The graph must therefore contain the
 * channels i -- i+1 mod n (ring:N and complete:N do); the property
 * ring_order says when it does not.  Every initiator starts the basic
 * computation; the token always starts at process 0.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "disco.h"

#include "diffusing.h"

enum { BASIC = DIFFUSING_BASIC, TOKEN, HELLO };
enum { COLOURS = DIFFUSING_PARAMS };

struct safra_state {
    struct diffusing_basic b;
    int64_t count;      /* basic messages sent minus received */
    bool black;         /* received a basic message since the token left */
    bool has_token;     /* holds the token */
    bool wave_started;  /* process 0: the token is on a wave */
    bool token_black;   /* the held token's colour */
    int64_t token_sum;  /* the held token's sum */
    uint32_t next;      /* out-port to process i+1 mod n, or DISCO_NO_PORT */
    uint32_t waves;     /* process 0: waves started */
};

struct safra_port {
    _Alignas(16) struct diffusing_port d;
};

/* The token on the wire. */
struct safra_token {
    int64_t sum;
    uint8_t black;
};

static void pass_token(struct disco_ctx *ctx, struct safra_state *s,
                       int64_t sum, bool black)
{
    struct safra_token t = {sum, black};
    s->has_token = false;
    diffusing_send_control(ctx, &s->b, s->next, TOKEN, &t, sizeof t);
}

/* Process 0, holding the returned token: announce, or start a new wave. */
static void judge_wave(struct disco_ctx *ctx, struct safra_state *s)
{
    if (s->wave_started && !s->token_black && !s->black &&
        s->token_sum + s->count == 0) {
        s->has_token = false;
        diffusing_announce(ctx, &s->b);
        return;
    }
    s->wave_started = true;
    s->waves++;
    s->black = false;
    pass_token(ctx, s, 0, false);
}

/* Act on the token once passive and the next process's port is known. */
static void try_token(struct disco_ctx *ctx, struct safra_state *s)
{
    if (!s->has_token || s->b.active)
        return;
    if (disco_nodes(ctx) == 1) { /* alone: passive is terminated */
        s->has_token = false;
        diffusing_announce(ctx, &s->b);
        return;
    }
    if (s->next == DISCO_NO_PORT)
        return;
    if (disco_self(ctx) == 0) {
        judge_wave(ctx, s);
        return;
    }
    bool black = s->token_black || s->black;
    s->black = false;
    pass_token(ctx, s, s->token_sum + s->count, black);
}

static void safra_send_basic(struct disco_ctx *ctx, void *state,
                             uint32_t port)
{
    struct safra_state *s = state;
    s->count++;
    diffusing_count_send(ctx, &s->b, port);
    disco_send(ctx, port, BASIC, NULL, 0);
}

static void safra_passive(struct disco_ctx *ctx, void *state)
{
    try_token(ctx, state);
}

static const struct diffusing_ops safra_ops = {safra_send_basic,
                                               safra_passive};

static void safra_init(struct disco_ctx *ctx, void *state)
{
    struct safra_state *s = state;
    s->next = DISCO_NO_PORT;
    uint32_t self = disco_self(ctx);
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
        diffusing_send_control(ctx, &s->b, port, HELLO, &self, sizeof self);
    s->has_token = self == 0;
    if (disco_is_initiator(ctx))
        diffusing_start(ctx, &s->b);
    try_token(ctx, s);
}

static void safra_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind, const void *payload,
                             size_t len)
{
    struct safra_state *s = state;
    if (kind == BASIC) {
        diffusing_receive(ctx, &s->b, port);
        s->count--;
        s->black = disco_param(ctx, COLOURS) != 0;
    } else if (kind == TOKEN) {
        struct safra_token t;
        memcpy(&t, payload, sizeof t);
        s->has_token = true;
        s->token_sum = t.sum;
        s->token_black = t.black && disco_param(ctx, COLOURS);
        try_token(ctx, s);
    } else { /* HELLO */
        uint32_t from;
        memcpy(&from, payload, sizeof from);
        if (from == (disco_self(ctx) + 1) % disco_nodes(ctx)) {
            s->next = port;
            try_token(ctx, s);
        }
    }
}

static void safra_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    diffusing_work(ctx, state, &safra_ops);
}

static void safra_format_state(const void *state, char *buf, size_t len)
{
    const struct safra_state *s = state;
    snprintf(buf, len, "%s %s count=%" PRId64 "%s%s",
             s->b.active ? "active" : "passive", s->black ? "black" : "white",
             s->count, s->has_token ? " token" : "",
             s->b.announced ? " announced" : "");
}

/* The token's route exists: every i has a channel to i+1 mod n. */
static bool check_ring_order(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (uint32_t v = 0; n > 1 && v < n; v++)
        if (disco_view_port_to(view, v, (v + 1) % n) == DISCO_NO_PORT) {
            snprintf(detail, len, "no channel from node %u to node %u: the "
                     "token's ring is broken", v, (v + 1) % n);
            return false;
        }
    snprintf(detail, len, "ring 0 -> 1 -> ... -> %u -> 0 over the channels",
             n - 1);
    return true;
}

static void safra_result(const struct disco_view *view, char *buf, size_t len)
{
    int used = diffusing_result(view, buf, len);
    const struct safra_state *s0 = disco_view_state(view, 0);
    if (used >= 0 && (size_t)used < len)
        snprintf(buf + used, len - (size_t)used, ", \"waves\": %u",
                 s0->waves);
}

static const char *const safra_kinds[] = {"basic", "token", "hello"};

static const struct disco_param safra_params[] = {
    {"size", 5, 0, 1000000,
     "basic messages each process may send in all (its activity budget)"},
    {"gap", 20, 1, 1000000000,
     "mean ticks of work between two basic sends of an active process "
     "(uniform in 1 .. 2 gap - 1)"},
    {"colours", 1, 0, 1,
     "off: no process or token is ever black (a false detection becomes "
     "reachable)"},
};

static const struct disco_property safra_properties[] = {
    {"no_false_detection",
     "whenever a node has announced, every node is passive and no basic "
     "message is in transit (true quiescence, from the states)",
     DISCO_PROPERTY_INVARIANT, diffusing_check_no_false_detection, false},
    {"detected",
     "exactly one announcement, at or after the tick quiescence began",
     DISCO_PROPERTY_FINAL, diffusing_check_detected, true},
    {"ring_order", "the graph has the channels i -- i+1 mod n",
     DISCO_PROPERTY_FINAL, check_ring_order, false},
};

const struct disco_algorithm disco_alg_safra = {
    .name = "safra",
    .family = "termination",
    .summary = "termination detection by a token that sums message counters "
               "around a ring, with colours",
    .description =
        "The initiators start a random basic computation (each process "
        "sends up to `size` basic messages to random neighbours, one every "
        "`gap` ticks on average, and stays active with probability 1/2 "
        "after each). Each process counts basic messages sent minus "
        "received and turns black on receiving one. Process 0 sends a "
        "token around the ring 0 -> 1 -> ... -> 0; a passive process adds "
        "its counter, blackens a token if it is black, whitens itself and "
        "passes it on. Process 0 announces when the token returns white to "
        "it white and passive with a total of 0, else starts a new wave. "
        "`colours=off` drops the colours, and false detections appear.",
    .messages = "n token hops per wave: unbounded while the computation "
                "runs, fewer than 3n after termination (the wave under way, "
                "perhaps a black one, a white one); plus 2m hello to learn "
                "the ring",
    .time = "detection within 3n token hops after termination",
    .source = "E. W. Dijkstra, Shmuel Safra's version of termination "
              "detection, EWD 998, 1987; W. Fokkink, Distributed "
              "Algorithms: An Intuitive Approach, 2nd ed., sec. 6.4",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "ring:8",
        .initiators = "all",
        .faults = "none",
        .ring_order = true,
    },
    .params = safra_params,
    .param_count = sizeof safra_params / sizeof safra_params[0],
    .message_kinds = safra_kinds,
    .kind_count = sizeof safra_kinds / sizeof safra_kinds[0],
    .control_kinds = ~(uint64_t)1, /* all but basic */
    .properties = safra_properties,
    .property_count = sizeof safra_properties / sizeof safra_properties[0],
    .state_size = sizeof(struct safra_state),
    .port_state_size = sizeof(struct safra_port),
    .init = safra_init,
    .on_message = safra_on_message,
    .on_timer = safra_on_timer,
    .format_state = safra_format_state,
    .result = safra_result,
};
