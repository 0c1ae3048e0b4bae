/*
 * echo.c - Segall's echo algorithm: a wave from one initiator.
 *
 * The initiator sends a token to every neighbour.  A process receiving its
 * first token takes the sender as its parent and forwards the token to all
 * other neighbours; once it has heard from every neighbour it sends the
 * token back to its parent.  When the initiator has heard from every
 * neighbour it decides.  Every edge carries exactly one token each way:
 * 2m messages on every schedule.
 */
#include <stdio.h>
#include <stdlib.h>

#include "disco.h"

enum { TOKEN };

#define NO_PARENT DISCO_NO_PORT

struct echo_state {
    uint32_t parent;   /* in-port of the first token, or NO_PARENT */
    uint32_t received; /* tokens received so far */
    bool reached;      /* has seen the wave (initiator: from the start) */
    bool decided;      /* the initiator has heard back from everyone */
};

static void echo_init(struct disco_ctx *ctx, void *state)
{
    struct echo_state *s = state;
    s->parent = NO_PARENT;
    if (disco_is_initiator(ctx)) {
        s->reached = true;
        disco_send_all(ctx, TOKEN, NULL, 0);
        /* Alone (one node): nobody to hear from, the wave is complete. */
        if (disco_in_degree(ctx) == 0) {
            s->decided = true;
            disco_decide(ctx, disco_id(ctx));
        }
    }
}

static void echo_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                            unsigned kind, const void *payload, size_t len)
{
    struct echo_state *s = state;
    s->received++;
    if (!s->reached) {
        s->reached = true;
        s->parent = port;
        disco_send_all_except(ctx, port, TOKEN, NULL, 0);
    }
    if (s->received < disco_in_degree(ctx))
        return;
    if (s->parent == NO_PARENT) {
        s->decided = true;
        disco_decide(ctx, disco_id(ctx));
    } else {
        disco_send(ctx, s->parent, TOKEN, NULL, 0);
    }
}

static void echo_format_state(const void *state, char *buf, size_t len)
{
    const struct echo_state *s = state;
    if (s->decided)
        snprintf(buf, len, "decided");
    else if (!s->reached)
        snprintf(buf, len, "idle");
    else if (s->parent == NO_PARENT)
        snprintf(buf, len, "initiator %u heard", s->received);
    else
        snprintf(buf, len, "parent port %u, %u heard", s->parent, s->received);
}

static uint32_t parent_port(const void *state)
{
    return ((const struct echo_state *)state)->parent;
}

static bool check_decides_once(const struct disco_view *view, char *detail,
                               size_t len)
{
    return disco_oracle_decides_once(view, detail, len);
}

static bool check_preceded_by_all(const struct disco_view *view, char *detail,
                                  size_t len)
{
    return disco_oracle_preceded_by_all(view, 0, detail, len);
}

static bool check_spanning_tree(const struct disco_view *view, char *detail,
                                size_t len)
{
    return disco_oracle_spanning_tree(view, parent_port, DISCO_NO_PORT,
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

static void echo_result(const struct disco_view *view, char *buf, size_t len)
{
    if (disco_view_decision_count(view) == 0) {
        snprintf(buf, len, "\"decided\": false");
        return;
    }
    const struct disco_decision *d = disco_view_decision(view, 0);
    snprintf(buf, len, "\"decided\": true, \"initiator\": %u, "
             "\"decided_at\": %llu", d->node, (unsigned long long)d->time);
}

static const char *const echo_kinds[] = {"token"};

static const struct disco_property echo_properties[] = {
    {"decides_once", "the initiator, and only it, decides exactly once",
     DISCO_PROPERTY_FINAL, check_decides_once, true},
    {"decision_preceded_by_all",
     "the decision is causally preceded by an event at every node",
     DISCO_PROPERTY_TRACE, check_preceded_by_all, true},
    {"spanning_tree",
     "the parent pointers form a spanning tree rooted at the initiator",
     DISCO_PROPERTY_FINAL, check_spanning_tree, true},
    {"messages_2m", "exactly 2m tokens, one each way on every edge",
     DISCO_PROPERTY_FINAL, check_messages, true},
};

const struct disco_algorithm disco_alg_echo = {
    .name = "echo",
    .family = "wave",
    .summary = "Segall's echo wave: one initiator, a spanning tree, 2m tokens",
    .description =
        "The initiator sends a token to every neighbour. A process takes the "
        "sender of its first token as its parent and forwards the token to "
        "all its other neighbours; once it has received a token from every "
        "neighbour it sends a token to its parent. The initiator decides "
        "when it has heard from all its neighbours.",
    .messages = "exactly 2m (schedule-independent)",
    .time = "O(N) causal depth: the tree may be a path of N-1 edges, "
            "walked down and back",
    .source = "A. Segall, Distributed network protocols, IEEE Trans. Inf. "
              "Theory 29(1), 1983; Tel, Introduction to Distributed "
              "Algorithms, 2nd ed., sec. 6.2.3; Fokkink, Distributed "
              "Algorithms, sec. 4.3",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "petersen",
        .initiators = "0",
        .faults = "none",
    },
    .message_kinds = echo_kinds,
    .kind_count = 1,
    .properties = echo_properties,
    .property_count = sizeof echo_properties / sizeof echo_properties[0],
    .tokens_certify = true,
    .state_size = sizeof(struct echo_state),
    .init = echo_init,
    .on_message = echo_on_message,
    .format_state = echo_format_state,
    .result = echo_result,
    .parent_port = parent_port,
};
