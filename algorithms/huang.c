/*
 * huang.c - Huang's weight throwing termination detection.
 *
 * The controller (the one initiator) holds weight 1 at the start.  Every
 * basic message carries part of its sender's weight: half of it, so the
 * sender keeps the other half.  A receiver adds the weight to its own.  A
 * process that becomes passive returns all its weight to the controller;
 * when the controller is passive and holds weight 1 again, no weight is
 * anywhere else, so every process is passive and no basic message is in
 * transit: it announces.
 *
 * Weights are dyadic rationals held exactly as integers, never floats:
 * a weight w stands for w / 2^63 (HUANG_ONE is 1).  Halving is exact until
 * a process holds a single unit (2^-63), which cannot be split; such a
 * process skips that basic send (counted as `indivisible` in the result).
 * This needs 63 halvings in a row along one chain and never happens with
 * the default sizes.
 *
 * Returns go straight to the controller, so the graph is complete.  A
 * process learns which port leads to the controller from the `hello` the
 * controller sends on every channel at the start (n-1 messages, a kind of
 * their own); a process that becomes passive before its hello arrives
 * keeps its weight until then.
 *
 * The invariant weights_sum_to_one reads, after every event, every node's
 * weight and each channel's weight in transit (sent minus received on the
 * channel, from per-port sums in the states) and checks they add up to
 * exactly 1.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "disco.h"

#include "diffusing.h"

#define HUANG_ONE (UINT64_C(1) << 63)

enum { BASIC = DIFFUSING_BASIC, RETURN, HELLO };

struct huang_state {
    struct diffusing_basic b;
    bool controller;         /* the initiator, which detects */
    bool knows_controller;   /* the hello arrived */
    uint32_t controller_port; /* out-port to the controller, once known */
    uint64_t weight;         /* this process's weight, in units of 2^-63 */
    uint64_t indivisible;    /* basic sends skipped: weight 2^-63 */
};

/* Per port: weight sent on the out-port and received on the in-port (both
 * modulo 2^64: differences stay exact). */
struct huang_port {
    _Alignas(16) struct diffusing_port d;
    uint64_t weight_sent, weight_received;
};

static void send_weight(struct disco_ctx *ctx, struct huang_state *s,
                        uint32_t port, unsigned kind, uint64_t w)
{
    struct huang_port *p = disco_port_state(ctx, port);
    p->weight_sent += w;
    s->weight -= w;
    if (kind == BASIC) {
        diffusing_count_send(ctx, &s->b, port);
        disco_send(ctx, port, kind, &w, sizeof w);
    } else {
        diffusing_send_control(ctx, &s->b, port, kind, &w, sizeof w);
    }
}

static uint64_t receive_weight(struct disco_ctx *ctx, struct huang_state *s,
                               uint32_t port, const void *payload)
{
    uint64_t w;
    memcpy(&w, payload, sizeof w);
    struct huang_port *p = disco_port_state(ctx, port);
    p->weight_received += w;
    s->weight += w;
    return w;
}

/* A passive process returns its weight; the passive controller announces
 * once it holds all of it. */
static void give_back(struct disco_ctx *ctx, struct huang_state *s)
{
    if (s->b.active)
        return;
    if (s->controller) {
        if (s->weight == HUANG_ONE && !s->b.announced)
            diffusing_announce(ctx, &s->b);
    } else if (s->weight > 0 && s->knows_controller) {
        send_weight(ctx, s, s->controller_port, RETURN, s->weight);
    }
}

static void huang_send_basic(struct disco_ctx *ctx, void *state,
                             uint32_t port)
{
    struct huang_state *s = state;
    if (s->weight < 2) {
        s->indivisible++;
        return;
    }
    send_weight(ctx, s, port, BASIC, s->weight / 2);
}

static void huang_passive(struct disco_ctx *ctx, void *state)
{
    give_back(ctx, state);
}

static const struct diffusing_ops huang_ops = {huang_send_basic,
                                               huang_passive};

static void huang_init(struct disco_ctx *ctx, void *state)
{
    struct huang_state *s = state;
    if (!disco_is_initiator(ctx))
        return;
    s->controller = true;
    s->weight = HUANG_ONE;
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
        diffusing_send_control(ctx, &s->b, port, HELLO, NULL, 0);
    diffusing_start(ctx, &s->b);
}

static void huang_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind, const void *payload,
                             size_t len)
{
    struct huang_state *s = state;
    if (kind == BASIC) {
        receive_weight(ctx, s, port, payload);
        diffusing_receive(ctx, &s->b, port);
    } else if (kind == RETURN) {
        receive_weight(ctx, s, port, payload);
        give_back(ctx, s);
    } else { /* HELLO */
        s->knows_controller = true;
        s->controller_port = port;
        give_back(ctx, s);
    }
}

static void huang_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    diffusing_work(ctx, state, &huang_ops);
}

/* A weight as students read it, in lowest terms: 0, 1, 3/8, 5/2^40. */
static void format_weight(uint64_t w, char *buf, size_t len)
{
    if (w == 0 || w == HUANG_ONE) {
        snprintf(buf, len, "%d", w != 0);
        return;
    }
    int exponent = 63;
    while (w % 2 == 0) {
        w /= 2;
        exponent--;
    }
    if (exponent <= 16)
        snprintf(buf, len, "%" PRIu64 "/%" PRIu64, w,
                 UINT64_C(1) << exponent);
    else
        snprintf(buf, len, "%" PRIu64 "/2^%d", w, exponent);
}

static void huang_format_state(const void *state, char *buf, size_t len)
{
    const struct huang_state *s = state;
    char weight[32];
    format_weight(s->weight, weight, sizeof weight);
    snprintf(buf, len, "%s%s weight=%s%s",
             s->b.active ? "active" : "passive",
             s->controller ? " controller" : "", weight,
             s->b.announced ? " announced" : "");
}

/* Adds t to the 128-bit sum (*hi, *lo). */
static void add128(uint64_t *hi, uint64_t *lo, uint64_t t)
{
    *lo += t;
    *hi += *lo < t;
}

/* Nodes' weights plus the weight in transit on every channel is exactly 1,
 * summed without overflow (a lost or doubled weight shows as a wrong sum,
 * a channel that received more than was sent as a huge one). */
static bool check_weights(const struct disco_view *view, char *detail,
                          size_t len)
{
    uint64_t hi = 0, lo = 0, transit_hi = 0, transit = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct huang_state *s = disco_view_state(view, v);
        add128(&hi, &lo, s->weight);
        for (uint32_t p = 0; p < disco_view_degree(view, v); p++) {
            uint32_t u = disco_view_neighbour(view, v, p);
            const struct huang_port *out = disco_view_port_state(view, v, p);
            const struct huang_port *in = disco_view_port_state(
                view, u, disco_view_port_to(view, u, v));
            uint64_t t = out->weight_sent - in->weight_received;
            add128(&hi, &lo, t);
            add128(&transit_hi, &transit, t);
        }
    }
    if (hi != 0 || lo != HUANG_ONE) {
        snprintf(detail, len, "weights sum to %" PRIu64 ":%" PRIu64
                 " units of 2^-63, not 2^63", hi, lo);
        return false;
    }
    snprintf(detail, len, "weights sum to exactly 1 (%" PRIu64 "/2^63 in "
             "transit)", transit);
    return true;
}

static void huang_result(const struct disco_view *view, char *buf, size_t len)
{
    int used = diffusing_result(view, buf, len);
    uint64_t indivisible = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        indivisible +=
            ((const struct huang_state *)disco_view_state(view, v))
                ->indivisible;
    if (used >= 0 && (size_t)used < len)
        snprintf(buf + used, len - (size_t)used, ", \"indivisible\": %" PRIu64,
                 indivisible);
}

static const char *const huang_kinds[] = {"basic", "return", "hello"};

static const struct disco_property huang_properties[] = {
    {"no_false_detection",
     "whenever a node has announced, every node is passive and no basic "
     "message is in transit (true quiescence, from the states)",
     DISCO_PROPERTY_INVARIANT, diffusing_check_no_false_detection, false},
    {"detected",
     "exactly one announcement, at or after the tick quiescence began",
     DISCO_PROPERTY_FINAL, diffusing_check_detected, true},
    {"weights_sum_to_one",
     "at every moment the nodes' weights plus the weights in transit are "
     "exactly 1",
     DISCO_PROPERTY_INVARIANT, check_weights, false},
};

const struct disco_algorithm disco_alg_huang = {
    .name = "huang",
    .family = "termination",
    .summary = "termination detection by weight throwing: the controller "
               "announces when all weight has come back",
    .description =
        "The controller (the initiator) starts a random diffusing "
        "computation (each process sends up to `size` basic messages to "
        "random neighbours, one every `gap` ticks on average, and stays "
        "active with probability 1/2 after each) holding weight 1. A basic "
        "message carries half its sender's weight; a process that becomes "
        "passive returns its weight to the controller, which announces when "
        "it is passive and holds weight 1 again. Weights are exact dyadic "
        "integers (units of 2^-63), never floats.",
    .messages = "at most one return per activation (M basic messages, at "
                "most M returns), plus n-1 hello",
    .time = "the announcement follows quiescence within one channel delay",
    .source = "S.-T. Huang, Detecting termination of distributed "
              "computations by external agents, ICDCS 1989; F. Mattern, "
              "Global quiescence detection based on credit distribution and "
              "recovery, IPL 30(4), 1989; W. Fokkink, Distributed "
              "Algorithms: An Intuitive Approach, 2nd ed., sec. 6.2",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "complete:6",
        .initiators = "0",
        .faults = "none",
    },
    .params = diffusing_params,
    .param_count = DIFFUSING_PARAMS,
    .message_kinds = huang_kinds,
    .kind_count = sizeof huang_kinds / sizeof huang_kinds[0],
    .control_kinds = ~(uint64_t)1, /* all but basic */
    .properties = huang_properties,
    .property_count = sizeof huang_properties / sizeof huang_properties[0],
    .state_size = sizeof(struct huang_state),
    .port_state_size = sizeof(struct huang_port),
    .init = huang_init,
    .on_message = huang_on_message,
    .on_timer = huang_on_timer,
    .format_state = huang_format_state,
    .result = huang_result,
};
