/*
 * cidon_dfs.c - Cidon's depth-first search: Awerbuch's, without waiting.
 *
 * Awerbuch's algorithm (`awerbuch-dfs`) holds the token at every newly
 * visited process until all neighbours have acknowledged its VISITED
 * message.  Cidon drops the acknowledgements: a process visited for the
 * first time sends VISITED to every neighbour but its parent and passes
 * the token on at once, by the rules of Tarry's traversal:
 *
 *   R1  never send the token twice through the same channel (nor to a
 *       neighbour whose VISITED has arrived);
 *   R2  send it to the parent only when no other channel is left.
 *
 * The token may now reach a process that was visited already, because that
 * process's VISITED is still on its way.  Each process remembers the
 * neighbour it most recently sent the token to and is waiting for (mrs,
 * "most recently sent").  Then:
 *
 *   - a visited process that receives the token from anyone but its mrs
 *     drops it, and counts it as that neighbour's VISITED message;
 *   - a process that receives VISITED from its mrs knows its token was
 *     dropped there, and passes the token on as if it had come back.
 *
 * The token moves along the tree edges once each way, and at most once
 * over any other channel; VISITED crosses 2m-(N-1) channels.  That is at
 * most 4m messages (Tel's bound; in fact at most 4m-(N-1)), and with unit
 * delays no token is ever dropped, so the traversal takes 2N-2 time units.
 *
 * A note on the pseudo-code.  Read literally, the version usually quoted
 * (Tel, sec. 6.4) keeps mrs after the token has come back and takes "mrs
 * is set" to mean "visited".  A process that never forwarded the token
 * (all its neighbours were known to be visited) then takes a late token
 * for a fresh one, and a VISITED that arrives after the token came back by
 * another way revives it a second time.  Run in disco, that reading sends
 * a second token down a tree edge on 3 to 22% of random schedules (FIFO
 * or not, depending on the graph), and now and then the initiator decides
 * twice.  Here mrs is cleared when the token comes back, and `reached`
 * says "visited".
 */
#include <stdio.h>

#include "disco.h"

enum { TOKEN, VISITED };        /* message kinds, indices into cidon_kinds */
enum { PARAM_RANDOM };          /* parameters, indices into cidon_params */

/* The per-port arrays below bound the degree this implementation handles. */
#define MAX_PORTS 64

struct cidon_state {
    uint32_t parent;            /* port of the first token, or DISCO_NO_PORT
                                   (the initiator, or not reached yet) */
    uint32_t mrs;               /* port the token was last sent through and
                                   has not come back from, or DISCO_NO_PORT */
    bool reached;               /* has held the token */
    bool holds_token;           /* the token is here now */
    bool decided;               /* the initiator saw the traversal end */
    bool too_many_ports;        /* degree > MAX_PORTS: this node cannot run */
    bool used[MAX_PORTS];       /* the token went out through the port, or
                                   the neighbour is known to be visited */
    /* Kept for the oracle only; the rules never read them. */
    uint8_t tokens_sent[MAX_PORTS];     /* tokens sent through each port */
    uint8_t tokens_received[MAX_PORTS]; /* tokens received through each,
                                           dropped ones included */
};

/* The port R1 and R2 allow next: an unused one other than the parent's (the
 * lowest, or one drawn at random by the `random` parameter); else the
 * parent's; else DISCO_NO_PORT: the traversal is over. */
static uint32_t next_port(struct disco_ctx *ctx, const struct cidon_state *s)
{
    uint32_t free_ports = 0;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++)
        free_ports += p != s->parent && !s->used[p];
    if (free_ports == 0)
        return s->parent;
    uint64_t pick = disco_param(ctx, PARAM_RANDOM)
                        ? disco_random_below(ctx, free_ports)
                        : 0;
    for (uint32_t p = 0;; p++)
        if (p != s->parent && !s->used[p] && pick-- == 0)
            return p;
}

static void pass_token(struct disco_ctx *ctx, struct cidon_state *s)
{
    uint32_t port = next_port(ctx, s);
    if (port == DISCO_NO_PORT) {
        s->decided = true;
        disco_decide(ctx, disco_id(ctx));
        return;
    }
    if (port != s->parent) {
        s->used[port] = true;
        s->mrs = port;
    }
    s->holds_token = false;
    if (s->tokens_sent[port] < UINT8_MAX)
        s->tokens_sent[port]++;
    disco_send(ctx, port, TOKEN, NULL, 0);
}

/* First visit: VISITED to every neighbour but the parent, then at once on. */
static void visit(struct disco_ctx *ctx, struct cidon_state *s)
{
    s->reached = true;
    disco_send_all_except(ctx, s->parent, VISITED, NULL, 0);
    pass_token(ctx, s);
}

static void cidon_init(struct disco_ctx *ctx, void *state)
{
    struct cidon_state *s = state;
    s->parent = DISCO_NO_PORT;
    s->mrs = DISCO_NO_PORT;
    s->too_many_ports = disco_out_degree(ctx) > MAX_PORTS;
    if (disco_is_initiator(ctx) && !s->too_many_ports) {
        s->holds_token = true;
        visit(ctx, s);
    }
}

static void on_token(struct disco_ctx *ctx, struct cidon_state *s,
                     uint32_t port)
{
    if (s->tokens_received[port] < UINT8_MAX)
        s->tokens_received[port]++;
    if (s->reached && port != s->mrs) {
        s->used[port] = true; /* a non-tree edge: drop, read as VISITED */
        return;
    }
    s->holds_token = true;
    s->mrs = DISCO_NO_PORT;
    if (!s->reached) {
        s->parent = port;
        visit(ctx, s);
    } else {
        pass_token(ctx, s); /* back from a child */
    }
}

static void on_visited(struct disco_ctx *ctx, struct cidon_state *s,
                       uint32_t port)
{
    s->used[port] = true;
    if (port == s->mrs) { /* our token was dropped there: go on */
        s->holds_token = true;
        s->mrs = DISCO_NO_PORT;
        pass_token(ctx, s);
    }
}

static void cidon_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind,
                             const void *payload, size_t len)
{
    struct cidon_state *s = state;
    if (s->too_many_ports)
        return;
    if (kind == TOKEN)
        on_token(ctx, s, port);
    else
        on_visited(ctx, s, port);
}

static void cidon_format_state(const void *state, char *buf, size_t len)
{
    const struct cidon_state *s = state;
    if (s->decided)
        snprintf(buf, len, "decided");
    else if (!s->reached)
        snprintf(buf, len, "idle");
    else if (s->holds_token)
        snprintf(buf, len, "token here");
    else if (s->mrs != DISCO_NO_PORT)
        snprintf(buf, len, "token out on port %u", s->mrs);
    else if (s->parent == DISCO_NO_PORT)
        snprintf(buf, len, "initiator");
    else
        snprintf(buf, len, "parent port %u", s->parent);
}

/* ---- properties: oracles over the view ---------------------------------- */

static uint32_t parent_port(const void *state)
{
    return ((const struct cidon_state *)state)->parent;
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

static bool check_spanning_tree(const struct disco_view *view, char *detail,
                                size_t len)
{
    return disco_oracle_spanning_tree(view, parent_port, disco_view_single_initiator(view),
                                      detail, len);
}

static bool check_dfs_tree(const struct disco_view *view, char *detail,
                           size_t len)
{
    return disco_oracle_dfs_tree(view, parent_port, detail, len);
}

/* Every channel u->v of the real topology: a tree edge carried one token
 * each way; any other channel at most one token, sent to a process already
 * visited, which dropped it. */
static bool check_token_per_channel(const struct disco_view *view,
                                    char *detail, size_t len)
{
    if (!ports_tracked(view, detail, len))
        return false;
    uint64_t dropped = 0;
    for (uint32_t u = 0; u < disco_view_nodes(view); u++) {
        const struct cidon_state *su = disco_view_state(view, u);
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            uint32_t q = disco_view_port_to(view, v, u);
            const struct cidon_state *sv = disco_view_state(view, v);
            bool tree = su->parent == p || sv->parent == q;
            unsigned sent = su->tokens_sent[p];
            unsigned got = q == DISCO_NO_PORT ? 0 : sv->tokens_received[q];
            if (tree ? sent != 1 || got != 1 : sent > 1 || got != sent) {
                snprintf(detail, len, "%s %u->%u: sent %u, received %u "
                         "(expected %s)",
                         tree ? "tree edge" : "non-tree edge", u, v, sent,
                         got, tree ? "1" : "at most 1, all received");
                return false;
            }
            dropped += !tree && sent;
        }
    }
    snprintf(detail, len, "one token each way on the %u tree edges, %llu "
             "dropped elsewhere",
             disco_view_nodes(view) - 1, (unsigned long long)dropped);
    return true;
}

static bool check_ends_at_initiator(const struct disco_view *view,
                                    char *detail, size_t len)
{
    uint32_t holders = 0, holder = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct cidon_state *s = disco_view_state(view, v);
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

/* 2m-(N-1) VISITED, between 2(N-1) and 2m tokens: at most 4m. */
static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t m = disco_view_edges(view), n = disco_view_nodes(view);
    uint64_t tokens = disco_view_messages(view, TOKEN);
    uint64_t visited = disco_view_messages(view, VISITED);
    uint64_t total = disco_view_messages(view, -1);
    snprintf(detail, len, "%llu messages, 4m = %llu (%llu token, %llu "
             "visited)", (unsigned long long)total,
             (unsigned long long)(4 * m), (unsigned long long)tokens,
             (unsigned long long)visited);
    return total <= 4 * m && visited == 2 * m - (n - 1) &&
           tokens >= 2 * (n - 1) && tokens <= 2 * m;
}

static void cidon_result(const struct disco_view *view, char *buf, size_t len)
{
    if (disco_view_decision_count(view) == 0) {
        snprintf(buf, len, "\"decided\": false");
        return;
    }
    const struct disco_decision *d = disco_view_decision(view, 0);
    uint64_t tokens = disco_view_messages(view, TOKEN);
    uint64_t on_tree = 2 * ((uint64_t)disco_view_nodes(view) - 1);
    snprintf(buf, len, "\"decided\": true, \"initiator\": %u, "
             "\"decided_at\": %llu, \"dropped_tokens\": %llu", d->node,
             (unsigned long long)d->time,
             (unsigned long long)(tokens > on_tree ? tokens - on_tree : 0));
}

static const char *const cidon_kinds[] = {"token", "visited"};

static const struct disco_param cidon_params[] = {
    {"random", 1, 0, 1,
     "1: where R1 and R2 leave a choice, take a free channel at random "
     "(from the node's own stream, so --seed changes the tree); 0: the "
     "lowest port"},
};

static const struct disco_property cidon_properties[] = {
    {"decides_once", "the initiator, and only it, decides exactly once",
     DISCO_PROPERTY_FINAL, check_decides_once, true},
    {"decision_preceded_by_all",
     "the decision is causally preceded by an event at every node",
     DISCO_PROPERTY_TRACE, check_preceded_by_all, true},
    {"spanning_tree",
     "the parent pointers form a spanning tree rooted at the initiator",
     DISCO_PROPERTY_FINAL, check_spanning_tree, true},
    {"dfs_tree",
     "the tree is depth-first: every edge joins a node and an ancestor",
     DISCO_PROPERTY_FINAL, check_dfs_tree, true},
    {"token_per_channel",
     "the token crossed each tree edge once each way, any other channel at "
     "most once",
     DISCO_PROPERTY_FINAL, check_token_per_channel, true},
    {"ends_at_initiator", "the token finishes at the initiator",
     DISCO_PROPERTY_FINAL, check_ends_at_initiator, true},
    {"messages_at_most_4m",
     "at most 4m messages: 2m-(N-1) visited, 2(N-1) to 2m tokens",
     DISCO_PROPERTY_FINAL, check_messages, true},
};

const struct disco_algorithm disco_alg_cidon_dfs = {
    .name = "cidon-dfs",
    .family = "traversal",
    .summary = "Cidon's depth-first search: VISITED without waiting for "
               "acks, at most 4m messages, time 2N-2",
    .description =
        "A process visited for the first time sends VISITED to all its "
        "neighbours but its parent and passes the token on at once, as in "
        "Tarry's traversal (never twice through the same channel, nor to a "
        "neighbour known to be visited; to the parent only when nothing "
        "else is left). A token that reaches a process already visited is "
        "dropped there and read as a VISITED message; its sender, which "
        "remembers where it sent the token last, goes on when that "
        "neighbour's VISITED arrives. The initiator decides when the token "
        "is back and all its channels are used.",
    .messages = "at most 4m: exactly 2m-(N-1) visited, and between 2(N-1) "
                "and 2m tokens (one each way per tree edge, at most one per "
                "other channel, dropped); 2m+N-1 when no token is dropped",
    .time = "2N-2 with unit delays (no token is then dropped): the token "
            "walks the tree edges and never waits",
    .source = "I. Cidon, Yet another distributed depth-first-search "
              "algorithm, Inf. Process. Lett. 26(6), 1988; Tel, "
              "Introduction to Distributed Algorithms, 2nd ed., sec. 6.4 "
              "(Cidon's algorithm); Fokkink, Distributed Algorithms, "
              "sec. 4.1",
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
    .params = cidon_params,
    .param_count = sizeof cidon_params / sizeof cidon_params[0],
    .message_kinds = cidon_kinds,
    .kind_count = 2,
    .properties = cidon_properties,
    .property_count = sizeof cidon_properties / sizeof cidon_properties[0],
    .state_size = sizeof(struct cidon_state),
    .init = cidon_init,
    .on_message = cidon_on_message,
    .format_state = cidon_format_state,
    .result = cidon_result,
    .parent_port = parent_port,
};
