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
#include <string.h>

#include "traversal.h"

enum { TOKEN, VISITED };        /* message kinds, indices into cidon_kinds */
enum { PARAM_RANDOM };          /* parameters, indices into cidon_params */

struct cidon_state {
    struct traversal t;         /* parent, reached, holds_token, decided;
                                   tokens sent and received per port, dropped
                                   ones included (kept for the oracle only) */
    uint32_t mrs;               /* port the token was last sent through and
                                   has not come back from, or DISCO_NO_PORT */
    uint8_t used[TRAVERSAL_MAX_PORTS]; /* the token went out through the
                                   port, or the neighbour is known to be
                                   visited */
};
_Static_assert(offsetof(struct cidon_state, t) == 0,
               "the shared oracles read the state as a struct traversal");

/* By R1 and R2, or decide when no channel is left at the initiator. */
static void pass_token(struct disco_ctx *ctx, struct cidon_state *s)
{
    uint32_t port = traversal_next_port(ctx, s->t.parent, s->used);
    if (port == DISCO_NO_PORT) {
        traversal_decide(ctx, &s->t);
        return;
    }
    if (port != s->t.parent) {
        s->used[port] = true;
        s->mrs = port;
    }
    traversal_send_token(ctx, &s->t, port);
}

/* First visit: VISITED to every neighbour but the parent, then at once on. */
static void visit(struct disco_ctx *ctx, struct cidon_state *s)
{
    s->t.reached = true;
    disco_send_all_except(ctx, s->t.parent, VISITED, NULL, 0);
    pass_token(ctx, s);
}

static void cidon_init(struct disco_ctx *ctx, void *state)
{
    struct cidon_state *s = state;
    s->mrs = DISCO_NO_PORT;
    if (traversal_start(ctx, &s->t)) {
        s->t.holds_token = true;
        visit(ctx, s);
    }
}

static void on_token(struct disco_ctx *ctx, struct cidon_state *s,
                     uint32_t port)
{
    traversal_count_received(&s->t, port);
    if (s->t.reached && port != s->mrs) {
        s->used[port] = true; /* a non-tree edge: drop, read as VISITED */
        return;
    }
    s->t.holds_token = true;
    s->mrs = DISCO_NO_PORT;
    if (!s->t.reached) {
        s->t.parent = port;
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
        s->t.holds_token = true;
        s->mrs = DISCO_NO_PORT;
        pass_token(ctx, s);
    }
}

static void cidon_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind,
                             const void *payload, size_t len)
{
    struct cidon_state *s = state;
    if (s->t.too_many_ports)
        return;
    if (kind == TOKEN)
        on_token(ctx, s, port);
    else
        on_visited(ctx, s, port);
}

static void cidon_format_state(const void *state, char *buf, size_t len)
{
    const struct cidon_state *s = state;
    if (s->t.decided)
        snprintf(buf, len, "decided");
    else if (!s->t.reached)
        snprintf(buf, len, "idle");
    else if (s->t.holds_token)
        snprintf(buf, len, "token here");
    else if (s->mrs != DISCO_NO_PORT)
        snprintf(buf, len, "token out on port %u", s->mrs);
    else if (s->t.parent == DISCO_NO_PORT)
        snprintf(buf, len, "initiator");
    else
        snprintf(buf, len, "parent port %u", s->t.parent);
}

/* ---- properties: oracles over the view ---------------------------------- */

/* Every channel u->v of the real topology: a tree edge carried one token
 * each way; any other channel at most one token, sent to a process already
 * visited, which dropped it. */
static bool one_if_tree_else_dropped(bool tree, unsigned sent, unsigned got)
{
    return tree ? sent == 1 && got == 1 : sent <= 1 && got == sent;
}

static bool check_token_per_channel(const struct disco_view *view,
                                    char *detail, size_t len)
{
    static const struct traversal_channel_rule rule = {
        one_if_tree_else_dropped, "tree edge", "non-tree edge", "1",
        "at most 1, all received"};
    uint64_t dropped;
    if (!traversal_check_channels(view, &rule, &dropped, detail, len))
        return false;
    snprintf(detail, len, "one token each way on the %u tree edges, %llu "
             "dropped elsewhere",
             disco_view_nodes(view) - 1, (unsigned long long)dropped);
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
    if (!traversal_result(view, buf, len))
        return;
    uint64_t tokens = disco_view_messages(view, TOKEN);
    uint64_t on_tree = 2 * ((uint64_t)disco_view_nodes(view) - 1);
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, ", \"dropped_tokens\": %llu",
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
    {"token_per_channel",
     "the token crossed each tree edge once each way, any other channel at "
     "most once",
     DISCO_PROPERTY_FINAL, check_token_per_channel, true},
    {"ends_at_initiator", "the token finishes at the initiator",
     DISCO_PROPERTY_FINAL, traversal_check_ends_at_initiator, true},
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
        .max_degree = TRAVERSAL_MAX_PORTS,
    },
    .params = cidon_params,
    .param_count = sizeof cidon_params / sizeof cidon_params[0],
    .message_kinds = cidon_kinds,
    .kind_count = 2,
    .properties = cidon_properties,
    .property_count = sizeof cidon_properties / sizeof cidon_properties[0],
    .tokens_certify = true,
    .state_size = sizeof(struct cidon_state),
    .init = cidon_init,
    .on_message = cidon_on_message,
    .format_state = cidon_format_state,
    .result = cidon_result,
    .parent_port = traversal_parent_port,
};
