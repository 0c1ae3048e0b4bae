/*
 * floodset.c - FloodSet: synchronous consensus with up to f crash
 * failures (Lynch, Distributed Algorithms, sec. 6.2.1).
 *
 * Every process keeps W, the set of input values it has heard of, starting
 * with its own.  In each of f+1 rounds it sends W to every other process
 * and adds what it receives.  After round f+1 it decides min(W) (Lynch's
 * version decides the unique element when |W| = 1 and a default v0
 * otherwise; Lynch remarks that any fixed choice function works, and min
 * keeps validity "the decision is some process's input" without a v0).
 *
 * Why f+1 rounds: among f+1 rounds at least one has no crash, and after a
 * crash-free round every live process has the same W.  One round fewer
 * and a chain of crashes can keep a value hidden from all but one process.
 *
 * Rounds, as disco runs them: init (round 0) sends the messages of
 * Lynch's round 1; on_round(r) receives round r's messages (already added
 * by on_message) and sends round r+1's, or decides when r = f+1.
 *
 * Crashes come from the kernel (--crash NODE@R: the node sent its round-R
 * messages, at disco round R-1, to everybody, and never runs again).  The
 * kernel cannot crash a node in the middle of a send, which the lower
 * bound needs; the parameters cut_node, cut_round and cut_ports emulate
 * it: node cut_node sends its Lynch-round cut_round messages only on its
 * out-ports 0 .. cut_ports-1 (on a complete graph, the other nodes in
 * index order) and then stops for good.  The parameter chain = k scripts
 * the lower bound's adversary: for i = 1 .. k, node i-1 crashes in the
 * middle of round i, reaching node i only, so that node 0's input travels
 * down the chain one process per round and, after k rounds, only node k
 * knows it.  The oracles count all these nodes as crashed.
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { VALUES };
enum { P_F, P_ROUNDS, P_CUT_NODE, P_CUT_ROUND, P_CUT_PORTS, P_CHAIN };

/* W holds at most one value per process: n <= MAX_VALUES. */
#define MAX_VALUES 64

struct floodset_state {
    int64_t input;            /* this process's input value */
    uint32_t count;           /* |W| */
    bool decided;             /* has decided (in round f+1) */
    bool stopped;             /* the emulated mid-send crash happened */
    int64_t decision;         /* min(W), once decided */
    int64_t w[MAX_VALUES];    /* W, sorted increasing */
};

/* Rounds to run: the parameter `rounds`, or f+1 when it is 0. */
static uint64_t last_round(const struct disco_ctx *ctx)
{
    int64_t r = disco_param(ctx, P_ROUNDS);
    return r > 0 ? (uint64_t)r : (uint64_t)disco_param(ctx, P_F) + 1;
}

/* W := W u {v}, kept sorted. */
static void add_value(struct floodset_state *s, int64_t v)
{
    uint32_t i = 0;
    while (i < s->count && s->w[i] < v)
        i++;
    if ((i < s->count && s->w[i] == v) || s->count == MAX_VALUES)
        return;
    memmove(&s->w[i + 1], &s->w[i], (s->count - i) * sizeof s->w[0]);
    s->w[i] = v;
    s->count++;
}

/* Send W for Lynch round `round`: to everybody, or, in an emulated
 * mid-send crash, to some ports only, and then stop. */
static void send_w(struct disco_ctx *ctx, struct floodset_state *s,
                   uint64_t round)
{
    size_t len = s->count * sizeof s->w[0];
    uint32_t ports = disco_out_degree(ctx), self = disco_self(ctx);
    if ((int64_t)self < disco_param(ctx, P_CHAIN) && round == self + 1u) {
        /* On a complete graph, out-port `self` leads to node self+1. */
        if (self < ports)
            disco_send(ctx, self, VALUES, s->w, len);
        s->stopped = true;
        disco_set_passive(ctx, true);
        return;
    }
    if (disco_param(ctx, P_CUT_NODE) == (int64_t)disco_self(ctx) &&
        disco_param(ctx, P_CUT_ROUND) == (int64_t)round) {
        if ((uint64_t)disco_param(ctx, P_CUT_PORTS) < ports)
            ports = (uint32_t)disco_param(ctx, P_CUT_PORTS);
        s->stopped = true;
        disco_set_passive(ctx, true);
    }
    for (uint32_t p = 0; p < ports; p++)
        disco_send(ctx, p, VALUES, s->w, len);
}

static void floodset_init(struct disco_ctx *ctx, void *state)
{
    struct floodset_state *s = state;
    /* No `value` attribute: inputs alternate 0, 1, 0, ... by index. */
    if (!disco_input(ctx, "value", &s->input))
        s->input = disco_self(ctx) % 2;
    add_value(s, s->input);
    /* Active until the decision: after crashes every process still runs
     * its f+1 rounds (and `rounds` may exceed what messages would keep
     * going). */
    disco_set_passive(ctx, false);
    send_w(ctx, s, 1);
}

static void floodset_on_message(struct disco_ctx *ctx, void *state,
                                uint32_t port, unsigned kind,
                                const void *payload, size_t len)
{
    struct floodset_state *s = state;
    if (s->stopped)
        return;
    const unsigned char *bytes = payload;
    for (size_t off = 0; off + sizeof(int64_t) <= len; off += sizeof(int64_t)) {
        int64_t v;
        memcpy(&v, bytes + off, sizeof v);
        add_value(s, v);
    }
}

static void floodset_on_round(struct disco_ctx *ctx, void *state,
                              disco_time_t round)
{
    struct floodset_state *s = state;
    if (s->stopped || s->decided)
        return;
    if (round < last_round(ctx)) {
        send_w(ctx, s, round + 1);
        return;
    }
    s->decided = true;
    disco_set_passive(ctx, true);
    s->decision = s->w[0];
    disco_decide(ctx, s->decision);
}

static void floodset_format_state(const void *state, char *buf, size_t len)
{
    const struct floodset_state *s = state;
    if (s->stopped) {
        snprintf(buf, len, "crashed mid-send");
        return;
    }
    int used = snprintf(buf, len, s->decided ? "decided %lld, W={" : "W={",
                        (long long)s->decision);
    for (uint32_t i = 0; i < s->count && used > 0 && (size_t)used < len; i++)
        used += snprintf(buf + used, len - (size_t)used, i ? ",%lld" : "%lld",
                         (long long)s->w[i]);
    if (used > 0 && (size_t)used < len)
        snprintf(buf + used, len - (size_t)used, "}");
}

/* ---- properties: oracles over the kernel's crashes and the states ---- */

/* Live: not crashed by the kernel, nor by the emulated mid-send crash. */
static bool live(const struct disco_view *view, uint32_t v)
{
    return !disco_view_crashed(view, v) &&
           disco_view_param(view, P_CUT_NODE) != (int64_t)v &&
           disco_view_param(view, P_CHAIN) <= (int64_t)v;
}

static uint64_t view_last_round(const struct disco_view *view)
{
    int64_t r = disco_view_param(view, P_ROUNDS);
    return r > 0 ? (uint64_t)r : (uint64_t)disco_view_param(view, P_F) + 1;
}

/* The first of two who disagree is named without "live": the words
 * this module always printed. */
static const struct disco_agreement_words floodset_words = {
    .judged = "live", .group = "process", .verb = "decided",
    .first = "node", .other = "node",
};

static bool check_agreement(const struct disco_view *view, char *detail,
                            size_t len)
{
    return disco_oracle_agreement(view, live, &floodset_words, detail, len);
}

static int64_t input_of(const void *state)
{
    return ((const struct floodset_state *)state)->input;
}

/* The decided value is the input of some process (crashed ones count). */
static bool check_validity(const struct disco_view *view, char *detail,
                           size_t len)
{
    return disco_oracle_decisions_are_inputs(view, input_of, detail, len);
}

/* Every live process decides exactly once, in round f+1 (or `rounds`). */
static bool check_decides_in_time(const struct disco_view *view, char *detail,
                                  size_t len)
{
    uint64_t want = view_last_round(view);
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (!live(view, v))
            continue;
        size_t at = disco_view_decision_of(view, v);
        if (at == SIZE_MAX) {
            snprintf(detail, len, "live node %u never decided", v);
            return false;
        }
        const struct disco_decision *d = disco_view_decision(view, at);
        if (d->time != want) {
            snprintf(detail, len, "node %u decided in round %llu, not %llu",
                     v, (unsigned long long)d->time,
                     (unsigned long long)want);
            return false;
        }
    }
    if (!disco_oracle_decides_at_most_once(view, detail, len))
        return false;
    snprintf(detail, len, "every live process decided once, in round %llu",
             (unsigned long long)want);
    return true;
}

/* The theorem's hypothesis: f < n, at most f processes crash (the
 * emulated ones included), and W fits (at most MAX_VALUES processes). */
static bool check_resilience(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view), crashed = 0;
    for (uint32_t v = 0; v < n; v++)
        crashed += !live(view, v);
    int64_t f = disco_view_param(view, P_F);
    snprintf(detail, len, "n = %u, f = %lld, %u crashed%s", n, (long long)f,
             crashed, n > MAX_VALUES ? " (floodset keeps at most 64 "
             "processes)" : "");
    return n <= MAX_VALUES && f < (int64_t)n && (int64_t)crashed <= f;
}

static void floodset_result(const struct disco_view *view, char *buf,
                            size_t len)
{
    uint32_t decided = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (!live(view, d->node))
            continue;
        decided++;
        lo = d->value < lo ? d->value : lo;
        hi = d->value > hi ? d->value : hi;
    }
    if (decided == 0)
        snprintf(buf, len, "\"decided\": 0");
    else if (lo == hi)
        snprintf(buf, len, "\"decided\": %u, \"decision\": %lld", decided,
                 (long long)lo);
    else
        snprintf(buf, len, "\"decided\": %u, \"decision\": null, "
                 "\"min\": %lld, \"max\": %lld", decided, (long long)lo,
                 (long long)hi);
}

static const struct disco_param floodset_params[] = {
    {"f", 1, 0, MAX_VALUES - 1, "crash failures tolerated: f+1 rounds"},
    {"rounds", 0, 0, 1000,
     "rounds to run instead of f+1 (0: f+1); fewer admit disagreement"},
    {"cut_node", -1, -1, MAX_VALUES - 1,
     "node that crashes in the middle of a send (-1: none)"},
    {"cut_round", 1, 1, 1000, "the round of cut_node's partial send"},
    {"cut_ports", 0, 0, MAX_VALUES,
     "cut_node's partial send reaches out-ports 0..cut_ports-1 only"},
    {"chain", 0, 0, MAX_VALUES - 1,
     "lower-bound adversary: node i-1 crashes in round i reaching only "
     "node i, for i = 1..chain"},
};

static const struct disco_input_decl floodset_inputs[] = {
    {"value", INT64_MIN, INT64_MAX,
     "the node's input, any integer (else the node index mod 2)"},
};

static const char *const floodset_kinds[] = {"values"};

static const struct disco_property floodset_properties[] = {
    {"agreement", "no two live processes decide differently",
     DISCO_PROPERTY_FINAL, check_agreement, true},
    {"validity", "every decision is the input of some process",
     DISCO_PROPERTY_FINAL, check_validity, true},
    {"decides_at_f_plus_1",
     "every live process decides exactly once, in round f+1",
     DISCO_PROPERTY_FINAL, check_decides_in_time, true},
    {"resilience", "f < n and at most f crashes (the theorem's hypothesis: "
     "when it fails, agreement may too)",
     DISCO_PROPERTY_FINAL, check_resilience, false},
};

const struct disco_algorithm disco_alg_floodset = {
    .name = "floodset",
    .family = "consensus",
    .summary = "FloodSet: synchronous consensus with f crash failures in "
               "f+1 rounds",
    .description =
        "Synchronous rounds on a complete graph of at most 64 processes. "
        "Each process keeps W, the "
        "set of input values it knows, initially its own input (node "
        "attribute `value`; without it, node index mod 2). In each of f+1 "
        "rounds it sends W to all others and adds what it receives; after "
        "round f+1 it decides min(W). Tolerates f < n crashes (--crash). "
        "`rounds` runs fewer rounds, to watch agreement fail; cut_node, "
        "cut_round and cut_ports emulate a crash in the middle of a send "
        "(the node reaches only its first cut_ports ports in that round, "
        "then stops); chain=k crashes node i-1 in round i reaching only "
        "node i, for i = 1..k, the adversary of the f+1 lower bound.",
    .messages = "exactly (f+1)n(n-1) with no crash; fewer with crashes",
    .time = "f+1 rounds; every live process decides in round f+1",
    .source = "Lynch, Distributed Algorithms, sec. 6.2.1 (FloodSet); "
              "Attiya and Welch, Distributed Computing, sec. 5.1.3",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "complete:5",
        .initiators = "all",
        .faults = "up to f crash failures (--crash), f < n",
        .max_nodes = MAX_VALUES,
        .node_params = {"cut_node", "chain"},
        .resilience_param = "f",
    },
    .params = floodset_params,
    .param_count = sizeof floodset_params / sizeof floodset_params[0],
    .inputs = floodset_inputs,
    .input_count = sizeof floodset_inputs / sizeof floodset_inputs[0],
    .message_kinds = floodset_kinds,
    .kind_count = 1,
    .properties = floodset_properties,
    .property_count =
        sizeof floodset_properties / sizeof floodset_properties[0],
    .state_size = sizeof(struct floodset_state),
    .init = floodset_init,
    .on_message = floodset_on_message,
    .on_round = floodset_on_round,
    .format_state = floodset_format_state,
    .result = floodset_result,
};
