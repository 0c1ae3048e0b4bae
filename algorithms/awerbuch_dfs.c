/*
 * awerbuch_dfs.c - Awerbuch's depth-first search: the token never crosses
 * a non-tree edge.
 *
 * The classical depth-first search (`dfs`) wastes two token moves on every
 * non-tree edge: the token goes to a process already visited and bounces
 * back.  Awerbuch avoids them by telling the neighbours.  A process visited
 * for the first time sends VISITED to every neighbour but its parent, and
 * keeps the token until every one of them has answered ACK.  A process that
 * receives VISITED from q marks the channel to q as used, so it will never
 * send the token there.  Then the token moves as in Tarry's traversal:
 *
 *   R1  never send the token twice through the same channel (nor to a
 *       neighbour known to be visited);
 *   R2  send it to the parent only when no other channel is left.
 *
 * Because the ACKs are awaited, a neighbour knows about the visit before
 * the token moves on, so the token reaches only unvisited processes: it
 * crosses the N-1 tree edges once each way and nothing else.  VISITED and
 * ACK each cross 2m-(N-1) channels, so 4m messages in all, on every
 * schedule, FIFO or not.
 */
#include <stdio.h>

#include "disco.h"

enum { TOKEN, VISITED, ACK };   /* message kinds, indices into awerbuch_kinds */
enum { PARAM_RANDOM };          /* parameters, indices into awerbuch_params */

/* The per-port arrays below bound the degree this implementation handles. */
#define MAX_PORTS 64

struct awerbuch_state {
    uint32_t parent;            /* port of the first token, or DISCO_NO_PORT
                                   (the initiator, or not reached yet) */
    uint32_t acks_awaited;      /* VISITED sent and not yet acknowledged: the
                                   token waits here until it is 0 */
    bool reached;               /* has held the token */
    bool holds_token;           /* the token is here now */
    bool decided;               /* the initiator saw the traversal end */
    bool too_many_ports;        /* degree > MAX_PORTS: this node cannot run */
    bool used[MAX_PORTS];       /* the token went out through the port, or
                                   the neighbour said VISITED (Tel's used_p) */
    /* Kept for the oracle only; the rules never read them. */
    uint8_t tokens_sent[MAX_PORTS];     /* tokens sent through each port */
    uint8_t tokens_received[MAX_PORTS]; /* tokens received through each */
};

/* The port R1 and R2 allow next: an unused one other than the parent's (the
 * lowest, or one drawn at random by the `random` parameter); else the
 * parent's; else DISCO_NO_PORT: the traversal is over. */
static uint32_t next_port(struct disco_ctx *ctx,
                          const struct awerbuch_state *s)
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

static void pass_token(struct disco_ctx *ctx, struct awerbuch_state *s)
{
    uint32_t port = next_port(ctx, s);
    if (port == DISCO_NO_PORT) {
        s->decided = true;
        disco_decide(ctx, disco_id(ctx));
        return;
    }
    s->used[port] = true;
    s->holds_token = false;
    if (s->tokens_sent[port] < UINT8_MAX)
        s->tokens_sent[port]++;
    disco_send(ctx, port, TOKEN, NULL, 0);
}

/* First visit: VISITED to every neighbour but the parent; the token moves
 * on once all of them have acknowledged. */
static void visit(struct disco_ctx *ctx, struct awerbuch_state *s)
{
    s->reached = true;
    disco_send_all_except(ctx, s->parent, VISITED, NULL, 0);
    s->acks_awaited = disco_out_degree(ctx) - (s->parent != DISCO_NO_PORT);
    if (s->acks_awaited == 0)
        pass_token(ctx, s);
}

static void awerbuch_init(struct disco_ctx *ctx, void *state)
{
    struct awerbuch_state *s = state;
    s->parent = DISCO_NO_PORT;
    s->too_many_ports = disco_out_degree(ctx) > MAX_PORTS;
    if (disco_is_initiator(ctx) && !s->too_many_ports) {
        s->holds_token = true;
        visit(ctx, s);
    }
}

static void on_token(struct disco_ctx *ctx, struct awerbuch_state *s,
                     uint32_t port)
{
    if (s->tokens_received[port] < UINT8_MAX)
        s->tokens_received[port]++;
    s->holds_token = true;
    if (!s->reached) {
        s->parent = port;
        visit(ctx, s);
    } else {
        pass_token(ctx, s); /* back from a child */
    }
}

static void awerbuch_on_message(struct disco_ctx *ctx, void *state,
                                uint32_t port, unsigned kind,
                                const void *payload, size_t len)
{
    struct awerbuch_state *s = state;
    if (s->too_many_ports)
        return;
    switch (kind) {
    case TOKEN:
        on_token(ctx, s, port);
        break;
    case VISITED:
        s->used[port] = true;
        disco_send(ctx, port, ACK, NULL, 0);
        break;
    case ACK:
        if (s->acks_awaited > 0 && --s->acks_awaited == 0)
            pass_token(ctx, s);
        break;
    }
}

static void awerbuch_format_state(const void *state, char *buf, size_t len)
{
    const struct awerbuch_state *s = state;
    if (s->decided)
        snprintf(buf, len, "decided");
    else if (!s->reached)
        snprintf(buf, len, "idle");
    else if (s->acks_awaited)
        snprintf(buf, len, "token here, awaiting %u acks", s->acks_awaited);
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
    return ((const struct awerbuch_state *)state)->parent;
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

/* Every channel u->v of the real topology carried one token if u-v is an
 * edge of the parent tree, and none otherwise. */
static bool check_tree_edges_only(const struct disco_view *view, char *detail,
                                  size_t len)
{
    if (!ports_tracked(view, detail, len))
        return false;
    for (uint32_t u = 0; u < disco_view_nodes(view); u++) {
        const struct awerbuch_state *su = disco_view_state(view, u);
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            uint32_t q = disco_view_port_to(view, v, u);
            const struct awerbuch_state *sv = disco_view_state(view, v);
            bool tree = su->parent == p || sv->parent == q;
            unsigned sent = su->tokens_sent[p];
            unsigned got = q == DISCO_NO_PORT ? 0 : sv->tokens_received[q];
            if (sent != tree || got != tree) {
                snprintf(detail, len, "%s %u->%u: sent %u, received %u "
                         "(expected %u)",
                         tree ? "tree edge" : "non-tree edge", u, v, sent,
                         got, (unsigned)tree);
                return false;
            }
        }
    }
    snprintf(detail, len, "one token each way on the %u tree edges, none "
             "elsewhere", disco_view_nodes(view) - 1);
    return true;
}

static bool check_ends_at_initiator(const struct disco_view *view,
                                    char *detail, size_t len)
{
    uint32_t holders = 0, holder = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct awerbuch_state *s = disco_view_state(view, v);
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

/* 2(N-1) tokens, 2m-(N-1) VISITED, 2m-(N-1) ACK: 4m. */
static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t m = disco_view_edges(view), n = disco_view_nodes(view);
    uint64_t tokens = disco_view_messages(view, TOKEN);
    uint64_t visited = disco_view_messages(view, VISITED);
    uint64_t acks = disco_view_messages(view, ACK);
    uint64_t total = disco_view_messages(view, -1);
    snprintf(detail, len, "%llu messages, 4m = %llu (%llu token, %llu "
             "visited, %llu ack)", (unsigned long long)total,
             (unsigned long long)(4 * m), (unsigned long long)tokens,
             (unsigned long long)visited, (unsigned long long)acks);
    return total == 4 * m && tokens == 2 * (n - 1) &&
           visited == 2 * m - (n - 1) && acks == visited;
}

static void awerbuch_result(const struct disco_view *view, char *buf,
                            size_t len)
{
    if (disco_view_decision_count(view) == 0) {
        snprintf(buf, len, "\"decided\": false");
        return;
    }
    const struct disco_decision *d = disco_view_decision(view, 0);
    snprintf(buf, len, "\"decided\": true, \"initiator\": %u, "
             "\"decided_at\": %llu", d->node, (unsigned long long)d->time);
}

static const char *const awerbuch_kinds[] = {"token", "visited", "ack"};

static const struct disco_param awerbuch_params[] = {
    {"random", 1, 0, 1,
     "1: where R1 and R2 leave a choice, take a free channel at random "
     "(from the node's own stream, so --seed changes the tree); 0: the "
     "lowest port"},
};

static const struct disco_property awerbuch_properties[] = {
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
    {"token_on_tree_edges_only",
     "the token crossed each tree edge once each way and no other edge",
     DISCO_PROPERTY_FINAL, check_tree_edges_only, true},
    {"ends_at_initiator", "the token finishes at the initiator",
     DISCO_PROPERTY_FINAL, check_ends_at_initiator, true},
    {"messages_4m",
     "exactly 4m messages: 2(N-1) token, 2m-(N-1) visited, 2m-(N-1) ack",
     DISCO_PROPERTY_FINAL, check_messages, true},
};

const struct disco_algorithm disco_alg_awerbuch_dfs = {
    .name = "awerbuch-dfs",
    .family = "traversal",
    .summary = "Awerbuch's depth-first search: VISITED and ACK keep the "
               "token off non-tree edges, 4m messages, time 4N-2",
    .description =
        "A process visited for the first time sends VISITED to all its "
        "neighbours but its parent and holds the token until every one of "
        "them has answered ACK; a process that receives VISITED will never "
        "send the token to that neighbour. The token then moves as in "
        "Tarry's traversal (never twice through the same channel, to the "
        "parent only when nothing else is left), and so reaches only "
        "unvisited processes: it crosses the tree edges and nothing else. "
        "The initiator decides when the token is back and all its channels "
        "are used.",
    .messages = "exactly 4m (schedule-independent): 2(N-1) token, 2m-(N-1) "
                "visited, 2m-(N-1) ack",
    .time = "4N-2: 2(N-1) token moves plus a VISITED/ACK round trip at "
            "each of the N processes; exactly 4N-2-2L as causal depth on "
            "every schedule (and as ticks with unit delays), where L counts "
            "the processes other than the initiator whose only neighbour is "
            "their parent",
    .source = "B. Awerbuch, A new distributed depth-first-search algorithm, "
              "Inf. Process. Lett. 20(3), 1985; Tel, Introduction to "
              "Distributed Algorithms, 2nd ed., sec. 6.4 (Awerbuch's "
              "algorithm); Fokkink, Distributed Algorithms, sec. 4.1",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "complete:6",
        .initiators = "0",
        .faults = "none",
    },
    .params = awerbuch_params,
    .param_count = sizeof awerbuch_params / sizeof awerbuch_params[0],
    .message_kinds = awerbuch_kinds,
    .kind_count = 3,
    .properties = awerbuch_properties,
    .property_count =
        sizeof awerbuch_properties / sizeof awerbuch_properties[0],
    .state_size = sizeof(struct awerbuch_state),
    .init = awerbuch_init,
    .on_message = awerbuch_on_message,
    .format_state = awerbuch_format_state,
    .result = awerbuch_result,
    .parent_port = parent_port,
};
