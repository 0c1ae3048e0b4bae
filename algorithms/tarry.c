/*
 * tarry.c - Tarry's traversal: one token walks every channel once each way.
 *
 * The initiator sends the token to a neighbour.  A process that gets the
 * token for the first time takes the sender as its parent.  Every process
 * then passes the token on by two rules:
 *
 *   R1  never send the token twice through the same channel;
 *   R2  send it to the parent only when no other channel is left.
 *
 * When the token is back at the initiator and every channel of the
 * initiator has been used, the traversal is over and the initiator
 * decides.  The token crosses each of the m edges once in each direction:
 * exactly 2m messages on every schedule, one after the other.  The parent
 * pointers form a spanning tree, but not necessarily a depth-first one
 * (compare with `dfs`, which adds a third rule).
 */
#include <stdio.h>

#include "disco.h"

enum { TOKEN };                 /* message kinds, indices into tarry_kinds */
enum { PARAM_RANDOM };          /* parameters, indices into tarry_params */

/* The per-port arrays below bound the degree this implementation handles. */
#define MAX_PORTS 64

struct tarry_state {
    uint32_t parent;            /* port of the first token, or DISCO_NO_PORT
                                   (the initiator, or not reached yet) */
    bool reached;               /* has held the token */
    bool holds_token;           /* the token is here now */
    bool decided;               /* the initiator saw the traversal end */
    bool too_many_ports;        /* degree > MAX_PORTS: this node cannot run */
    uint8_t sent[MAX_PORTS];     /* tokens sent through each port (R1: 0 or 1) */
    uint8_t received[MAX_PORTS]; /* tokens received through each port (kept
                                    for the oracle; the rules never read it) */
};

/* The port R1 and R2 allow next: one the token has never left by, other
 * than the parent's (the lowest, or one drawn at random by the `random`
 * parameter); else the parent's; else DISCO_NO_PORT: the walk is over. */
static uint32_t next_port(struct disco_ctx *ctx, const struct tarry_state *s)
{
    uint32_t free_ports = 0;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++)
        free_ports += p != s->parent && !s->sent[p];
    if (free_ports == 0)
        return s->parent;
    uint64_t pick = disco_param(ctx, PARAM_RANDOM)
                        ? disco_random_below(ctx, free_ports)
                        : 0;
    for (uint32_t p = 0;; p++)
        if (p != s->parent && !s->sent[p] && pick-- == 0)
            return p;
}

static void send_token(struct disco_ctx *ctx, struct tarry_state *s,
                       uint32_t port)
{
    s->holds_token = false;
    if (s->sent[port] < UINT8_MAX)
        s->sent[port]++;
    disco_send(ctx, port, TOKEN, NULL, 0);
}

/* By R1 and R2, or decide when no channel is left at the initiator. */
static void pass_token(struct disco_ctx *ctx, struct tarry_state *s)
{
    uint32_t port = next_port(ctx, s);
    if (port == DISCO_NO_PORT) {
        s->decided = true;
        disco_decide(ctx, disco_id(ctx));
    } else {
        send_token(ctx, s, port);
    }
}

static void tarry_init(struct disco_ctx *ctx, void *state)
{
    struct tarry_state *s = state;
    s->parent = DISCO_NO_PORT;
    s->too_many_ports = disco_out_degree(ctx) > MAX_PORTS;
    if (disco_is_initiator(ctx) && !s->too_many_ports) {
        s->reached = true;
        s->holds_token = true;
        pass_token(ctx, s);
    }
}

static void tarry_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind,
                             const void *payload, size_t len)
{
    struct tarry_state *s = state;
    if (s->too_many_ports)
        return;
    if (s->received[port] < UINT8_MAX)
        s->received[port]++;
    s->holds_token = true;
    if (!s->reached) {
        s->reached = true;
        s->parent = port;
    }
    pass_token(ctx, s);
}

static void tarry_format_state(const void *state, char *buf, size_t len)
{
    const struct tarry_state *s = state;
    if (s->decided)
        snprintf(buf, len, "decided");
    else if (!s->reached)
        snprintf(buf, len, "idle");
    else if (s->parent == DISCO_NO_PORT)
        snprintf(buf, len, s->holds_token ? "initiator, token here"
                                          : "initiator");
    else
        snprintf(buf, len, "parent port %u%s", s->parent,
                 s->holds_token ? ", token here" : "");
}

/* ---- properties: oracles over the view ---------------------------------- */

static uint32_t parent_port(const void *state)
{
    return ((const struct tarry_state *)state)->parent;
}

/* The per-port counts exist only up to MAX_PORTS ports. */
static bool ports_tracked(const struct disco_view *view, char *detail,
                          size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (disco_view_degree(view, v) > MAX_PORTS) {
            snprintf(detail, len, "node %u has %u ports; this implementation "
                     "handles at most %u", v, disco_view_degree(view, v),
                     MAX_PORTS);
            return false;
        }
    }
    return true;
}

static bool check_decides_once(const struct disco_view *view, char *detail,
                               size_t len)
{
    return disco_oracle_decides_once(view, detail, len);
}

static bool check_preceded_by_all(const struct disco_view *view, char *detail,
                                  size_t len)
{
    return disco_oracle_preceded_by_all(view, DISCO_ALL_DECISIONS, detail,
                                        len);
}

/* Every channel u->v of the real topology: u sent exactly one token on it
 * and v received exactly one from it. */
static bool check_each_channel_once(const struct disco_view *view,
                                    char *detail, size_t len)
{
    if (!ports_tracked(view, detail, len))
        return false;
    for (uint32_t u = 0; u < disco_view_nodes(view); u++) {
        const struct tarry_state *su = disco_view_state(view, u);
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            const struct tarry_state *sv = disco_view_state(view, v);
            uint32_t back = disco_view_port_to(view, v, u);
            unsigned sent = su->sent[p];
            unsigned got = back == DISCO_NO_PORT ? 0 : sv->received[back];
            if (sent != 1 || got != 1) {
                snprintf(detail, len, "channel %u->%u: sent %u, received %u "
                         "(expected 1 and 1)", u, v, sent, got);
                return false;
            }
        }
    }
    snprintf(detail, len, "each of the %llu channels carried one token",
             (unsigned long long)disco_view_channels(view));
    return true;
}

static bool check_ends_at_initiator(const struct disco_view *view,
                                    char *detail, size_t len)
{
    uint32_t holders = 0, holder = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct tarry_state *s = disco_view_state(view, v);
        if (s->holds_token && holders++ == 0)
            holder = v;
    }
    if (holders != 1) {
        snprintf(detail, len, "%u nodes hold the token (expected one)",
                 holders);
        return false;
    }
    if (!disco_view_initiator(view, holder)) {
        snprintf(detail, len, "the token rests at node %u, not at the "
                 "initiator", holder);
        return false;
    }
    snprintf(detail, len, "the token rests at node %u, the initiator",
             holder);
    return true;
}

static bool check_spanning_tree(const struct disco_view *view, char *detail,
                                size_t len)
{
    return disco_oracle_spanning_tree(view, parent_port, disco_view_single_initiator(view),
                                      detail, len);
}

static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t sent = disco_view_messages(view, TOKEN);
    uint64_t expected = 2 * disco_view_edges(view);
    snprintf(detail, len, "%llu tokens, 2m = %llu", (unsigned long long)sent,
             (unsigned long long)expected);
    return sent == expected;
}

/* What the run computed: the decision, and whether this particular Tarry
 * tree happens to be a depth-first tree (often it is not). */
static void tarry_result(const struct disco_view *view, char *buf, size_t len)
{
    if (disco_view_decision_count(view) == 0) {
        snprintf(buf, len, "\"decided\": false");
        return;
    }
    const struct disco_decision *d = disco_view_decision(view, 0);
    char why[256];
    bool dfs = disco_oracle_dfs_tree(view, parent_port, why, sizeof why);
    snprintf(buf, len, "\"decided\": true, \"initiator\": %u, "
             "\"decided_at\": %llu, \"dfs_tree\": %s, \"tree\": \"%s\"",
             d->node, (unsigned long long)d->time, dfs ? "true" : "false",
             why);
}

static const char *const tarry_kinds[] = {"token"};

static const struct disco_param tarry_params[] = {
    {"random", 1, 0, 1,
     "1: where R1 and R2 leave a choice, take a free channel at random (from "
     "the node's own stream, so --seed changes the walk); 0: the lowest "
     "port"},
};

static const struct disco_property tarry_properties[] = {
    {"decides_once", "the initiator, and only it, decides exactly once",
     DISCO_PROPERTY_FINAL, check_decides_once, true},
    {"decision_preceded_by_all",
     "the decision is causally preceded by an event at every node",
     DISCO_PROPERTY_TRACE, check_preceded_by_all, true},
    {"each_channel_once_each_way",
     "the token crossed every channel of the network exactly once",
     DISCO_PROPERTY_FINAL, check_each_channel_once, true},
    {"ends_at_initiator", "the token finishes at the initiator",
     DISCO_PROPERTY_FINAL, check_ends_at_initiator, true},
    {"spanning_tree",
     "the parent pointers form a spanning tree rooted at the initiator",
     DISCO_PROPERTY_FINAL, check_spanning_tree, true},
    {"messages_2m", "exactly 2m tokens", DISCO_PROPERTY_FINAL,
     check_messages, true},
};

const struct disco_algorithm disco_alg_tarry = {
    .name = "tarry",
    .family = "traversal",
    .summary = "Tarry's traversal: a token crosses every channel once each "
               "way, 2m messages",
    .description =
        "The initiator sends a token to a neighbour. A process takes the "
        "sender of its first token as its parent, and passes the token on "
        "by two rules: never twice through the same channel (R1), and to "
        "the parent only when no other channel is left (R2). The initiator "
        "decides when the token is back and all its channels are used. "
        "The parent pointers form a spanning tree, not always a "
        "depth-first one: the result says which.",
    .messages = "exactly 2m (schedule-independent)",
    .time = "2m: the token's walk is one causal chain of 2m messages",
    .source = "G. Tarry, Le probleme des labyrinthes, Nouvelles Annales de "
              "Mathematiques 14, 1895; Tel, Introduction to Distributed "
              "Algorithms, 2nd ed., sec. 6.3; Fokkink, Distributed "
              "Algorithms, sec. 4.1",
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
    .params = tarry_params,
    .param_count = sizeof tarry_params / sizeof tarry_params[0],
    .message_kinds = tarry_kinds,
    .kind_count = 1,
    .properties = tarry_properties,
    .property_count = sizeof tarry_properties / sizeof tarry_properties[0],
    .state_size = sizeof(struct tarry_state),
    .init = tarry_init,
    .on_message = tarry_on_message,
    .format_state = tarry_format_state,
    .result = tarry_result,
    .parent_port = parent_port,
};
