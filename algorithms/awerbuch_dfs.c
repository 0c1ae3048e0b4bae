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

#include "traversal.h"

enum { TOKEN, VISITED, ACK };   /* message kinds, indices into awerbuch_kinds */
enum { PARAM_RANDOM };          /* parameters, indices into awerbuch_params */

struct awerbuch_state {
    struct traversal t;         /* parent, reached, holds_token, decided;
                                   tokens sent and received per port (kept
                                   for the oracle only) */
    uint32_t acks_awaited;      /* VISITED sent and not yet acknowledged: the
                                   token waits here until it is 0 */
    uint8_t used[TRAVERSAL_MAX_PORTS]; /* the token went out through the
                                   port, or the neighbour said VISITED (Tel's
                                   used_p) */
};
_Static_assert(offsetof(struct awerbuch_state, t) == 0,
               "the shared oracles read the state as a struct traversal");

/* By R1 and R2, or decide when no channel is left at the initiator. */
static void pass_token(struct disco_ctx *ctx, struct awerbuch_state *s)
{
    uint32_t port = traversal_next_port(ctx, s->t.parent, s->used);
    if (port == DISCO_NO_PORT) {
        traversal_decide(ctx, &s->t);
        return;
    }
    s->used[port] = true;
    traversal_send_token(ctx, &s->t, port);
}

/* First visit: VISITED to every neighbour but the parent; the token moves
 * on once all of them have acknowledged. */
static void visit(struct disco_ctx *ctx, struct awerbuch_state *s)
{
    s->t.reached = true;
    disco_send_all_except(ctx, s->t.parent, VISITED, NULL, 0);
    s->acks_awaited = disco_out_degree(ctx) - (s->t.parent != DISCO_NO_PORT);
    if (s->acks_awaited == 0)
        pass_token(ctx, s);
}

static void awerbuch_init(struct disco_ctx *ctx, void *state)
{
    struct awerbuch_state *s = state;
    if (traversal_start(ctx, &s->t)) {
        s->t.holds_token = true;
        visit(ctx, s);
    }
}

static void on_token(struct disco_ctx *ctx, struct awerbuch_state *s,
                     uint32_t port)
{
    traversal_count_received(&s->t, port);
    s->t.holds_token = true;
    if (!s->t.reached) {
        s->t.parent = port;
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
    if (s->t.too_many_ports)
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
    if (s->t.reached && !s->t.decided && s->acks_awaited)
        snprintf(buf, len, "token here, awaiting %u acks", s->acks_awaited);
    else
        traversal_format_state(state, buf, len);
}

/* ---- properties: oracles over the view ---------------------------------- */

/* Every channel u->v of the real topology carried one token if u-v is an
 * edge of the parent tree, and none otherwise. */
static bool one_if_tree(bool tree, unsigned sent, unsigned got)
{
    return sent == tree && got == tree;
}

static bool check_tree_edges_only(const struct disco_view *view, char *detail,
                                  size_t len)
{
    static const struct traversal_channel_rule rule = {
        one_if_tree, "tree edge", "non-tree edge", "1", "0"};
    if (!traversal_check_channels(view, &rule, NULL, detail, len))
        return false;
    snprintf(detail, len, "one token each way on the %u tree edges, none "
             "elsewhere", disco_view_nodes(view) - 1);
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

static const char *const awerbuch_kinds[] = {"token", "visited", "ack"};

static const struct disco_param awerbuch_params[] = {
    {"random", 1, 0, 1,
     "1: where R1 and R2 leave a choice, take a free channel at random "
     "(from the node's own stream, so --seed changes the tree); 0: the "
     "lowest port"},
};

static const struct disco_property awerbuch_properties[] = {
    {"decides_once", "the initiator, and only it, decides exactly once",
     DISCO_PROPERTY_FINAL, traversal_check_decides_once, true},
    {"decision_preceded_by_all",
     "the decision is causally preceded by an event at every node",
     DISCO_PROPERTY_TRACE, traversal_check_preceded_by_all, true},
    {"spanning_tree",
     "the parent pointers form a spanning tree rooted at the initiator",
     DISCO_PROPERTY_FINAL, traversal_check_spanning_tree, true},
    {"dfs_tree",
     "the tree is depth-first: every edge joins a node and an ancestor",
     DISCO_PROPERTY_FINAL, traversal_check_dfs_tree, true},
    {"token_on_tree_edges_only",
     "the token crossed each tree edge once each way and no other edge",
     DISCO_PROPERTY_FINAL, check_tree_edges_only, true},
    {"ends_at_initiator", "the token finishes at the initiator",
     DISCO_PROPERTY_FINAL, traversal_check_ends_at_initiator, true},
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
        .max_degree = TRAVERSAL_MAX_PORTS,
    },
    .params = awerbuch_params,
    .param_count = sizeof awerbuch_params / sizeof awerbuch_params[0],
    .message_kinds = awerbuch_kinds,
    .kind_count = 3,
    .properties = awerbuch_properties,
    .property_count =
        sizeof awerbuch_properties / sizeof awerbuch_properties[0],
    .tokens_certify = true,
    .state_size = sizeof(struct awerbuch_state),
    .init = awerbuch_init,
    .on_message = awerbuch_on_message,
    .format_state = awerbuch_format_state,
    .result = traversal_plain_result,
    .parent_port = traversal_parent_port,
};
