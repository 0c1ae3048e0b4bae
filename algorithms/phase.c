/*
 * phase.c - the phase algorithm: a decentralised wave on any strongly
 * connected directed network whose processes know a bound D on the
 * diameter.
 *
 * Tel's Algorithm 6.7, written as handlers.  A process sends tokens in
 * phases: in each phase one token to every out-neighbour.  It starts its
 * first phase spontaneously (an initiator) or on its first token, and its
 * next phase once it has received as many tokens from every in-neighbour
 * as it has sent phases, until it has sent D phases.  A process that has
 * received D tokens from every in-neighbour decides.  Every process sends
 * exactly D tokens on each of its out-channels: D.|C| messages, whatever
 * the schedule.  Every process decides, and each decision is causally
 * preceded by an event at every process, *provided D is at least the
 * diameter*: the k-th token on a channel is sent only after k-1 tokens
 * came in on every in-channel, so a decision has a chain of D tokens
 * behind it on every path of length at most D.
 *
 * The bound D is the parameter `diameter`; 0 (the default) means N-1,
 * which bounds the diameter of every strongly connected network of N
 * processes (processes know N).  A bound below the real diameter still
 * gives D.|C| tokens and a decision at every process, but a decision may
 * come before some far process has done anything: the `diameter_bound`
 * property compares D with the true diameter, and
 * `decisions_preceded_by_all` catches the premature decisions themselves.
 */
#include <stdio.h>
#include <stdlib.h>

#include "disco.h"

enum { TOKEN };
enum { PARAM_DIAMETER };

/* State is plain data of fixed size, so the per-channel counters have a
 * fixed length: a process with more ports than this cannot take part. */
#define PHASE_MAX_PORTS 64

struct phase_state {
    uint16_t rec[PHASE_MAX_PORTS];  /* Rec_p[q]: tokens in on in-port q */
    uint16_t sent[PHASE_MAX_PORTS]; /* tokens sent on out-port r */
    uint32_t phases;                /* Sent_p: phases sent, 0..D */
    bool decided;                   /* D tokens received on every in-port */
    bool too_many_ports;            /* more than PHASE_MAX_PORTS: idle */
};

/* D: the parameter, or N-1 when it is 0. */
static uint32_t bound(uint32_t nodes, int64_t param)
{
    return param > 0 ? (uint32_t)param : nodes - 1;
}

static uint32_t my_bound(const struct disco_ctx *ctx)
{
    return bound(disco_nodes(ctx), disco_param(ctx, PARAM_DIAMETER));
}

/* min over the in-neighbours q of Rec_p[q] (D when there are none). */
static uint32_t min_received(const struct disco_ctx *ctx,
                             const struct phase_state *s)
{
    uint32_t low = my_bound(ctx);
    for (uint32_t q = 0; q < disco_in_degree(ctx); q++)
        if (s->rec[q] < low)
            low = s->rec[q];
    return low;
}

/* One phase: a token to every out-neighbour. */
static void send_phase(struct disco_ctx *ctx, struct phase_state *s)
{
    for (uint32_t r = 0; r < disco_out_degree(ctx); r++) {
        disco_send(ctx, r, TOKEN, NULL, 0);
        s->sent[r]++;
    }
    s->phases++;
}

static void decide_when_done(struct disco_ctx *ctx, struct phase_state *s)
{
    if (!s->decided && min_received(ctx, s) == my_bound(ctx)) {
        s->decided = true;
        disco_decide(ctx, disco_id(ctx));
    }
}

static void phase_init(struct disco_ctx *ctx, void *state)
{
    struct phase_state *s = state;
    if (disco_in_degree(ctx) > PHASE_MAX_PORTS ||
        disco_out_degree(ctx) > PHASE_MAX_PORTS) {
        s->too_many_ports = true;
        return;
    }
    if (disco_is_initiator(ctx) && s->phases < my_bound(ctx))
        send_phase(ctx, s);
    decide_when_done(ctx, s); /* only a lone process, with D = 0 */
}

static void phase_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                             unsigned kind, const void *payload, size_t len)
{
    struct phase_state *s = state;
    if (s->too_many_ports)
        return;
    s->rec[port]++;
    if (min_received(ctx, s) >= s->phases && s->phases < my_bound(ctx))
        send_phase(ctx, s);
    decide_when_done(ctx, s);
}

static void phase_format_state(const void *state, char *buf, size_t len)
{
    const struct phase_state *s = state;
    if (s->too_many_ports)
        snprintf(buf, len, "too many ports");
    else if (s->decided)
        snprintf(buf, len, "decided after %u phases", s->phases);
    else
        snprintf(buf, len, "%u phases sent", s->phases);
}

/* ---- properties: oracles over the real topology and the causal log ---- */

static uint32_t view_bound(const struct disco_view *view)
{
    return bound(disco_view_nodes(view),
                 disco_view_param(view, PARAM_DIAMETER));
}

/* The directed diameter: the longest shortest path, by breadth-first search
 * along out-channels from every node (O(N.(N+|C|))); UINT32_MAX if some
 * node cannot reach another, or out of memory. */
static uint32_t true_diameter(const struct disco_view *view)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t *dist = malloc((size_t)n * sizeof *dist);
    uint32_t *queue = malloc((size_t)n * sizeof *queue);
    uint32_t diameter = 0;
    if (!dist || !queue) {
        free(dist);
        free(queue);
        return UINT32_MAX;
    }
    for (uint32_t root = 0; root < n && diameter != UINT32_MAX; root++) {
        for (uint32_t v = 0; v < n; v++)
            dist[v] = UINT32_MAX;
        size_t head = 0, tail = 0;
        dist[root] = 0;
        queue[tail++] = root;
        while (head < tail) {
            uint32_t u = queue[head++];
            for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
                uint32_t v = disco_view_neighbour(view, u, p);
                if (dist[v] == UINT32_MAX) {
                    dist[v] = dist[u] + 1;
                    queue[tail++] = v;
                }
            }
        }
        if (tail < n)
            diameter = UINT32_MAX;
        else if (dist[queue[tail - 1]] > diameter)
            diameter = dist[queue[tail - 1]];
    }
    free(dist);
    free(queue);
    return diameter;
}

/* The assumption the wave property rests on: D >= the real diameter. */
static bool check_diameter_bound(const struct disco_view *view, char *detail,
                                 size_t len)
{
    uint32_t d = view_bound(view), diameter = true_diameter(view);
    if (diameter == UINT32_MAX) {
        snprintf(detail, len, "the network is not strongly connected (or "
                 "out of memory)");
        return false;
    }
    snprintf(detail, len, "D = %u, the diameter is %u", d, diameter);
    return d >= diameter;
}

static bool check_all_decide(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view);
    unsigned char *count = calloc(n, 1);
    if (!count) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < disco_view_decision_count(view); i++) {
        uint32_t v = disco_view_decision(view, i)->node;
        if (count[v]++) {
            snprintf(detail, len, "node %u decided twice", v);
            ok = false;
        }
    }
    for (uint32_t v = 0; ok && v < n; v++) {
        if (!count[v]) {
            snprintf(detail, len, "node %u never decided", v);
            ok = false;
        }
    }
    if (ok)
        snprintf(detail, len, "all %u nodes, once each", n);
    free(count);
    return ok;
}

/* The wave property: each decision is causally preceded by an event at
 * every process. */
static bool check_preceded_by_all(const struct disco_view *view, char *detail,
                                  size_t len)
{
    return disco_oracle_preceded_by_all(view, DISCO_ALL_DECISIONS, detail,
                                        len);
}

/* Every process sent exactly D tokens on each of its real out-channels,
 * and none on a port it does not have. */
static bool check_d_per_channel(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint32_t d = view_bound(view);
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct phase_state *s = disco_view_state(view, v);
        uint32_t degree = disco_view_degree(view, v);
        if (s->too_many_ports) {
            snprintf(detail, len, "node %u has more than %u ports, the most "
                     "this implementation records", v, PHASE_MAX_PORTS);
            return false;
        }
        for (uint32_t r = 0; r < PHASE_MAX_PORTS; r++) {
            uint32_t want = r < degree ? d : 0;
            if (s->sent[r] != want) {
                snprintf(detail, len, "node %u sent %u tokens on out-port %u "
                         "(expected %u)", v, s->sent[r], r, want);
                return false;
            }
        }
    }
    snprintf(detail, len, "D = %u tokens on each of the %llu channels", d,
             (unsigned long long)disco_view_channels(view));
    return true;
}

static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t sent = disco_view_messages(view, TOKEN);
    uint64_t expected = (uint64_t)view_bound(view) * disco_view_channels(view);
    snprintf(detail, len, "%llu tokens, D.|C| = %llu",
             (unsigned long long)sent, (unsigned long long)expected);
    return sent == expected;
}

static void phase_result(const struct disco_view *view, char *buf, size_t len)
{
    snprintf(buf, len, "\"bound\": %u, \"decided\": %zu", view_bound(view),
             disco_view_decision_count(view));
}

static const struct disco_param phase_params[] = {
    {"diameter", 0, 0, 65535,
     "D, a bound on the network's diameter that every process knows; it must "
     "be at least the real (directed) diameter. 0 means N-1, which bounds "
     "the diameter of any strongly connected network of N processes"},
};

static const char *const phase_kinds[] = {"token"};

static const struct disco_property phase_properties[] = {
    {"diameter_bound", "the bound D is at least the network's true diameter "
     "(the assumption the wave property rests on)", DISCO_PROPERTY_FINAL,
     check_diameter_bound, false},
    {"all_decide", "every process decides, exactly once",
     DISCO_PROPERTY_FINAL, check_all_decide, true},
    {"decisions_preceded_by_all",
     "each decision is causally preceded by an event at every process",
     DISCO_PROPERTY_TRACE, check_preceded_by_all, true},
    {"d_per_channel", "every process sent exactly D tokens on each of its "
     "out-channels", DISCO_PROPERTY_FINAL, check_d_per_channel, true},
    {"messages_d_c", "exactly D.|C| tokens in all", DISCO_PROPERTY_FINAL,
     check_messages, true},
};

const struct disco_algorithm disco_alg_phase = {
    .name = "phase",
    .family = "wave",
    .summary = "the phase algorithm: D tokens on every channel, D a known "
               "diameter bound",
    .description =
        "A wave for any strongly connected directed network (an undirected "
        "one is a digraph with both directions) whose processes know a bound "
        "D on its diameter. A process sends tokens in phases, one token to "
        "every out-neighbour per phase. It sends its first phase when it "
        "starts (an initiator) or on its first token, and its next phase "
        "once it has received, from every in-neighbour, as many tokens as it "
        "has sent phases, up to D phases. A process decides when it has "
        "received D tokens from every in-neighbour. Every process decides. "
        "If D is smaller than the real diameter the counts do not change, "
        "but a decision may precede any action of a far process: the "
        "diameter_bound property reports the broken assumption.",
    .messages = "exactly D.|C| (schedule-independent): D tokens on every "
                "channel; 2D.m on an undirected graph",
    .time = "2D time units when a message takes at most one (Tel); causal "
            "depth at least D",
    .source = "Tel, Introduction to Distributed Algorithms, 2nd ed., "
              "sec. 6.2.5 (the phase algorithm, Algorithm 6.7)",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = false,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "uring:8",
        .initiators = "all",
        .faults = "none",
        .max_degree = PHASE_MAX_PORTS,
    },
    .params = phase_params,
    .param_count = sizeof phase_params / sizeof phase_params[0],
    .message_kinds = phase_kinds,
    .kind_count = 1,
    .properties = phase_properties,
    .property_count = sizeof phase_properties / sizeof phase_properties[0],
    .state_size = sizeof(struct phase_state),
    .init = phase_init,
    .on_message = phase_on_message,
    .format_state = phase_format_state,
    .result = phase_result,
};
