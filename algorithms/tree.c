/*
 * tree.c - the tree algorithm: a decentralised wave on a tree network.
 *
 * Tel's Algorithm 6.3, written as handlers.  A process waits until it has
 * heard from all its neighbours but one, then sends a token to that last
 * neighbour; a process that has heard from every neighbour decides.  The
 * leaves, which have only one neighbour, start at once.  Every process sends
 * exactly one token, so a run costs exactly N messages; N-1 edges carry N
 * tokens, so exactly one edge carries two, one each way, and its two ends
 * are the two processes that decide.
 *
 * Initiators: every leaf must start on its own (all but one may, see
 * below), and an inner process that "initiates" just waits like any other,
 * so the default is `all`.  A sleeping leaf wakes when its neighbour's
 * token reaches it, answers, and decides; if two leaves sleep, the wave
 * stalls and the properties say so.
 *
 * Tel assumes reliable channels.  Under duplication (which disco allows
 * with a warning) a neighbour's token may arrive twice: a process remembers
 * per port whether it has heard that neighbour and ignores a second token,
 * so it still counts each neighbour once and names the silent one right.
 */
#include <stdio.h>
#include <stdlib.h>

#include "disco.h"

enum { TOKEN };

struct tree_state {
    uint32_t heard;    /* neighbours heard from (each counted once) */
    uint32_t sent_to;  /* out-port of the token sent, or DISCO_NO_PORT */
    bool decided;      /* heard from every neighbour */
};

/* Per port (in-port p and out-port p face the same neighbour): whether that
 * neighbour's token has come in. */
struct tree_port {
    bool heard;
};

/* The one neighbour not heard from yet, when heard == degree - 1. */
static uint32_t silent_port(struct disco_ctx *ctx, uint32_t degree)
{
    for (uint32_t p = 0; p < degree; p++)
        if (!((const struct tree_port *)disco_port_state(ctx, p))->heard)
            return p;
    return DISCO_NO_PORT; /* not reached: heard < degree */
}

/* Once at most one neighbour is silent, send <tok> to it.  A sleeping leaf
 * woken by its only neighbour hears everyone before it sends: it answers
 * the sender (Tel: "send <tok> to q0", then "receive <tok> from q0"). */
static void send_when_one_left(struct disco_ctx *ctx, struct tree_state *s,
                               uint32_t last_port)
{
    uint32_t degree = disco_out_degree(ctx);
    if (degree == 0 || s->sent_to != DISCO_NO_PORT || s->heard + 1 < degree)
        return;
    s->sent_to = s->heard < degree ? silent_port(ctx, degree) : last_port;
    disco_send(ctx, s->sent_to, TOKEN, NULL, 0);
}

static void decide_when_all_heard(struct disco_ctx *ctx, struct tree_state *s)
{
    if (s->heard == disco_out_degree(ctx) && !s->decided) {
        s->decided = true;
        disco_decide(ctx, disco_id(ctx));
    }
}

static void tree_init(struct disco_ctx *ctx, void *state)
{
    struct tree_state *s = state;
    s->sent_to = DISCO_NO_PORT;
    if (!disco_is_initiator(ctx))
        return;
    send_when_one_left(ctx, s, DISCO_NO_PORT); /* only a leaf sends now */
    decide_when_all_heard(ctx, s);             /* only a lone process (N=1) */
}

static void tree_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                            unsigned kind, const void *payload, size_t len)
{
    struct tree_state *s = state;
    struct tree_port *from = disco_port_state(ctx, port);
    if (from->heard)
        return; /* a duplicate: this neighbour is already counted */
    from->heard = true;
    s->heard++;
    send_when_one_left(ctx, s, port);
    decide_when_all_heard(ctx, s);
}

static void tree_format_state(const void *state, char *buf, size_t len)
{
    const struct tree_state *s = state;
    if (s->decided)
        snprintf(buf, len, "decided");
    else if (s->sent_to != DISCO_NO_PORT)
        snprintf(buf, len, "sent to port %u, %u heard", s->sent_to, s->heard);
    else
        snprintf(buf, len, "waiting, %u heard", s->heard);
}

/* ---- properties: oracles over the real topology and the causal log ---- */

static bool adjacent(const struct disco_view *view, uint32_t u, uint32_t v)
{
    for (uint32_t p = 0; p < disco_view_degree(view, u); p++)
        if (disco_view_neighbour(view, u, p) == v)
            return true;
    return false;
}

/* Exactly two processes decide, and they are neighbours (one alone when
 * the network is a single process). */
static bool check_two_adjacent_deciders(const struct disco_view *view,
                                        char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    size_t count = disco_view_decision_count(view);
    size_t expected = n >= 2 ? 2 : 1;
    if (count != expected) {
        snprintf(detail, len, "%zu decisions (expected %zu)", count,
                 expected);
        return false;
    }
    uint32_t u = disco_view_decision(view, 0)->node;
    if (expected == 1) {
        snprintf(detail, len, "node %u, alone", u);
        return true;
    }
    uint32_t v = disco_view_decision(view, 1)->node;
    if (u == v) {
        snprintf(detail, len, "node %u decided twice", u);
        return false;
    }
    if (!adjacent(view, u, v)) {
        snprintf(detail, len, "nodes %u and %u decided but are not "
                 "neighbours", u, v);
        return false;
    }
    snprintf(detail, len, "nodes %u and %u, neighbours", u, v);
    return true;
}

/* The wave property: each decision is causally preceded by an event at
 * every process. */
static bool check_preceded_by_all(const struct disco_view *view, char *detail,
                                  size_t len)
{
    return disco_oracle_preceded_by_all(view, DISCO_ALL_DECISIONS, detail,
                                        len);
}

/* Each process sends one token: N in all (none for a lone process). */
static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint64_t sent = disco_view_messages(view, TOKEN);
    uint64_t expected = n >= 2 ? n : 0;
    snprintf(detail, len, "%llu tokens, N = %u", (unsigned long long)sent, n);
    return sent == expected;
}

static void tree_result(const struct disco_view *view, char *buf, size_t len)
{
    size_t count = disco_view_decision_count(view);
    if (count < 2) {
        snprintf(buf, len, "\"deciders\": %zu", count);
        return;
    }
    snprintf(buf, len, "\"deciders\": 2, \"decided\": [%u, %u]",
             disco_view_decision(view, 0)->node,
             disco_view_decision(view, 1)->node);
}

static const char *const tree_kinds[] = {"token"};

static const struct disco_property tree_properties[] = {
    {"two_adjacent_deciders", "exactly two processes decide, and they are "
     "neighbours", DISCO_PROPERTY_FINAL, check_two_adjacent_deciders, true},
    {"decisions_preceded_by_all",
     "each decision is causally preceded by an event at every process",
     DISCO_PROPERTY_TRACE, check_preceded_by_all, true},
    {"messages_n", "exactly N tokens, one sent by each process",
     DISCO_PROPERTY_FINAL, check_messages, true},
};

const struct disco_algorithm disco_alg_tree = {
    .name = "tree",
    .family = "wave",
    .summary = "the tree algorithm: leaves start, N tokens, two neighbours "
               "decide",
    .description =
        "A wave on a tree network. A process waits until it has received a "
        "token from all its neighbours but one, then sends a token to that "
        "remaining neighbour; the leaves, with a single neighbour, start at "
        "once. A process that has received a token from every neighbour "
        "decides. Exactly one edge carries a token each way, and its two "
        "ends are the only processes that decide. Every leaf must be an "
        "initiator (the wave still completes if one leaf sleeps: it wakes on "
        "its neighbour's token); an inner initiator simply waits.",
    .messages = "exactly N (schedule-independent): each process sends one "
                "token",
    .time = "causal depth at most the tree's diameter (a chain of tokens "
            "follows a path from a leaf to a decider), one more when a "
            "sleeping leaf answers",
    .source = "Tel, Introduction to Distributed Algorithms, 2nd ed., "
              "sec. 6.2.2 (Algorithm 6.3); Fokkink, Distributed Algorithms: "
              "an Intuitive Approach, sec. 4.2",
    .model = {
        .shape = DISCO_SHAPE_TREE,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "tree:12",
        .initiators = "all",
        .faults = "none",
    },
    .message_kinds = tree_kinds,
    .kind_count = 1,
    .properties = tree_properties,
    .property_count = sizeof tree_properties / sizeof tree_properties[0],
    .state_size = sizeof(struct tree_state),
    .port_state_size = sizeof(struct tree_port),
    .init = tree_init,
    .on_message = tree_on_message,
    .format_state = tree_format_state,
    .result = tree_result,
};
