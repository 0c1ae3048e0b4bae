/*
 * dfs.c - the classical depth-first search: Tarry's traversal plus a rule.
 *
 * The initiator sends the token to a neighbour.  A process that gets the
 * token for the first time takes the sender as its parent.  Every process
 * then passes the token on by three rules:
 *
 *   R1  never send the token twice through the same channel;
 *   R2  send it to the parent only when no other channel is left;
 *   R3  when the token arrives through a channel not used yet (from a
 *       neighbour that is not the parent, so the receiver was visited
 *       before), send it straight back through that channel.
 *
 * R3 makes the walk depth-first: a token that reaches a visited process
 * over a non-tree edge bounces back at once, so every non-tree edge joins
 * a process and one of its ancestors.  The walk is still a Tarry walk:
 * exactly 2m messages, one after the other, and the initiator decides when
 * all its channels are used.
 */
#include <stdio.h>

#include "traversal.h"

enum { TOKEN };                 /* message kinds, indices into dfs_kinds */
enum { PARAM_RANDOM };          /* parameters, indices into dfs_params */

struct dfs_state {
    struct traversal t;         /* parent, reached, holds_token, decided;
                                   sent (R1: 0 or 1) and received per port */
};
_Static_assert(offsetof(struct dfs_state, t) == 0,
               "the shared oracles read the state as a struct traversal");

static void dfs_init(struct disco_ctx *ctx, void *state)
{
    struct dfs_state *s = state;
    if (traversal_start(ctx, &s->t)) {
        s->t.reached = true;
        s->t.holds_token = true;
        traversal_pass_token(ctx, &s->t);
    }
}

static void dfs_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    struct dfs_state *s = state;
    if (s->t.too_many_ports)
        return;
    traversal_count_received(&s->t, port);
    s->t.holds_token = true;
    if (!s->t.reached) {
        s->t.reached = true;
        s->t.parent = port;
    }
    if (port != s->t.parent && !s->t.sent[port]) /* R3: a frond, */
        traversal_send_token(ctx, &s->t, port);  /* straight back */
    else
        traversal_pass_token(ctx, &s->t);
}

static const char *const dfs_kinds[] = {"token"};

static const struct disco_param dfs_params[] = {
    {"random", 1, 0, 1,
     "1: where R1-R3 leave a choice, take a free channel at random (from "
     "the node's own stream, so --seed changes the walk); 0: the lowest "
     "port"},
};

static const struct disco_property dfs_properties[] = {
    {"decides_once", "the initiator, and only it, decides exactly once",
     DISCO_PROPERTY_FINAL, traversal_check_decides_once, true},
    {"decision_preceded_by_all",
     "the decision is causally preceded by an event at every node",
     DISCO_PROPERTY_TRACE, traversal_check_preceded_by_all, true},
    {"each_channel_once_each_way",
     "the token crossed every channel of the network exactly once",
     DISCO_PROPERTY_FINAL, traversal_check_each_channel_once, true},
    {"ends_at_initiator", "the token finishes at the initiator",
     DISCO_PROPERTY_FINAL, traversal_check_ends_at_initiator, true},
    {"spanning_tree",
     "the parent pointers form a spanning tree rooted at the initiator",
     DISCO_PROPERTY_FINAL, traversal_check_spanning_tree, true},
    {"dfs_tree",
     "the tree is depth-first: every edge joins a node and an ancestor",
     DISCO_PROPERTY_FINAL, traversal_check_dfs_tree, true},
    {"messages_2m", "exactly 2m tokens", DISCO_PROPERTY_FINAL,
     traversal_check_messages_2m, true},
};

const struct disco_algorithm disco_alg_dfs = {
    .name = "dfs",
    .family = "traversal",
    .summary = "classical depth-first search: Tarry's traversal plus "
               "'bounce the token back over a non-tree edge', 2m messages",
    .description =
        "The token walk of Tarry's traversal (never twice through the same "
        "channel; to the parent only when no other channel is left) with a "
        "third rule: a process that receives the token through a channel "
        "it has not used yet, from a neighbour other than its parent, "
        "sends it straight back through that channel. The walk becomes "
        "depth-first, and the parent pointers a depth-first tree. The "
        "initiator decides when the token is back and all its channels "
        "are used.",
    .messages = "exactly 2m (schedule-independent)",
    .time = "2m: the token's walk is one causal chain of 2m messages",
    .source = "T.-Y. Cheung, Graph traversal techniques and the maximum "
              "flow problem in distributed computation, IEEE Trans. Softw. "
              "Eng. 9(4), 1983; Tel, Introduction to Distributed "
              "Algorithms, 2nd ed., sec. 6.4 (classical depth-first "
              "search); Fokkink, Distributed Algorithms, sec. 4.1",
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
    .params = dfs_params,
    .param_count = sizeof dfs_params / sizeof dfs_params[0],
    .message_kinds = dfs_kinds,
    .kind_count = 1,
    .properties = dfs_properties,
    .property_count = sizeof dfs_properties / sizeof dfs_properties[0],
    .tokens_certify = true,
    .state_size = sizeof(struct dfs_state),
    .init = dfs_init,
    .on_message = dfs_on_message,
    .format_state = traversal_format_state,
    .result = traversal_plain_result,
    .parent_port = traversal_parent_port,
};
