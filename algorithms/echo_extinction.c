/*
 * echo_extinction.c - leader election by extinction of echo waves, on any
 * connected network with any set of initiators.
 *
 * Tel's Algorithm 7.10 (extinction applied to the echo algorithm), with
 * the largest id winning as in Fokkink.  Every initiator starts an echo
 * wave tagged with its id.  A process takes part in one wave at a time,
 * the largest it has seen: a token of a larger wave makes it drop its
 * current wave, take the sender as its father in the new one and forward
 * the token to all its other neighbours; a token of a smaller wave is
 * swallowed, so that wave dies out.  Within a wave a process behaves as in
 * echo: once it has a token of the wave from every neighbour it sends one
 * to its father.  Only the wave of the largest initiator id reaches every
 * process and comes back complete; its initiator becomes the leader and
 * floods a `leader` announcement: every process, on the first one, decides
 * the leader's id and sends the announcement to all its neighbours, so it
 * can tell it is done when one has come from every neighbour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco.h"

enum { TOKEN, LEADER };

#define NO_WAVE INT64_MIN

struct ee_state {
    int64_t wave;        /* caw: the wave taken part in (the largest id
                            seen), or NO_WAVE before any */
    uint32_t father;     /* in-port to the father in that wave; DISCO_NO_PORT
                            at the wave's own initiator */
    uint32_t received;   /* rec: tokens of that wave received */
    int64_t leader;      /* win: the leader's id, once announced */
    uint32_t announced;  /* lrec: announcements received (done at degree) */
    bool is_leader;      /* its own wave came back complete */
    bool knows_leader;   /* has decided the leader's id */
};

static void send_token(struct disco_ctx *ctx, uint32_t port, int64_t wave)
{
    disco_send(ctx, port, TOKEN, &wave, sizeof wave);
}

/* Learn the leader, decide its id and pass the announcement on to every
 * neighbour (once: the first announcement, or the leader's own). */
static void learn_leader(struct disco_ctx *ctx, struct ee_state *s,
                         int64_t leader)
{
    s->knows_leader = true;
    s->leader = leader;
    disco_decide(ctx, leader);
    disco_send_all(ctx, LEADER, &leader, sizeof leader);
}

/* Every neighbour has sent a token of the current wave: echo it to the
 * father, or, at the wave's initiator, win. */
static void complete_when_all_heard(struct disco_ctx *ctx, struct ee_state *s)
{
    if (s->received < disco_out_degree(ctx))
        return;
    if (s->wave == disco_id(ctx)) {
        s->is_leader = true;
        learn_leader(ctx, s, s->wave);
    } else {
        send_token(ctx, s->father, s->wave);
    }
}

static void ee_init(struct disco_ctx *ctx, void *state)
{
    struct ee_state *s = state;
    s->wave = NO_WAVE;
    s->father = DISCO_NO_PORT;
    if (disco_is_initiator(ctx)) {
        s->wave = disco_id(ctx);
        disco_send_all(ctx, TOKEN, &s->wave, sizeof s->wave);
        complete_when_all_heard(ctx, s); /* only a lone process */
    }
}

static void on_token(struct disco_ctx *ctx, struct ee_state *s, uint32_t port,
                     int64_t wave)
{
    if (wave < s->wave)
        return; /* extinction: a smaller wave dies here */
    if (wave > s->wave) {
        /* Drop the current wave and join the larger one. */
        s->wave = wave;
        s->father = port;
        s->received = 0;
        disco_send_all_except(ctx, port, TOKEN, &wave, sizeof wave);
    }
    s->received++;
    complete_when_all_heard(ctx, s);
}

static void on_leader(struct disco_ctx *ctx, struct ee_state *s,
                      int64_t leader)
{
    s->announced++;
    if (!s->knows_leader)
        learn_leader(ctx, s, leader);
}

static void ee_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct ee_state *s = state;
    int64_t id;
    memcpy(&id, payload, sizeof id);
    if (kind == TOKEN)
        on_token(ctx, s, port, id);
    else
        on_leader(ctx, s, id);
}

/* For pictures: the father in the wave the node last took part in (the
 * winner's, at the end), drawn in bold. */
static uint32_t ee_parent_port(const void *state)
{
    return ((const struct ee_state *)state)->father;
}

static void ee_format_state(const void *state, char *buf, size_t len)
{
    const struct ee_state *s = state;
    if (s->is_leader)
        snprintf(buf, len, "leader");
    else if (s->knows_leader)
        snprintf(buf, len, "follower of %lld", (long long)s->leader);
    else if (s->wave == NO_WAVE)
        snprintf(buf, len, "asleep");
    else
        snprintf(buf, len, "in wave %lld, %u heard", (long long)s->wave,
                 s->received);
}

/* ---- properties: oracles over the real topology and the causal log ---- */

static bool is_leader(const void *state)
{
    return ((const struct ee_state *)state)->is_leader;
}

static uint32_t father_port(const void *state)
{
    return ((const struct ee_state *)state)->father;
}

/* The initiators, as the `eligible` set of the leader oracles (malloc'ed;
 * NULL when out of memory). */
static unsigned char *initiators(const struct disco_view *view)
{
    uint32_t n = disco_view_nodes(view);
    unsigned char *eligible = malloc(n ? n : 1);
    for (uint32_t v = 0; eligible && v < n; v++)
        eligible[v] = disco_view_initiator(view, v);
    return eligible;
}

/* The node that must win: the initiator with the largest id, or
 * DISCO_NO_PORT when there is no initiator. */
static uint32_t expected_leader(const struct disco_view *view)
{
    uint32_t best = DISCO_NO_PORT;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (disco_view_initiator(view, v) &&
            (best == DISCO_NO_PORT ||
             disco_view_id(view, v) > disco_view_id(view, best)))
            best = v;
    return best;
}

static uint32_t initiator_count(const struct disco_view *view)
{
    uint32_t k = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        k += disco_view_initiator(view, v);
    return k;
}

static bool check_unique_leader(const struct disco_view *view, char *detail,
                                size_t len)
{
    unsigned char *eligible = initiators(view);
    if (!eligible) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    bool ok = disco_oracle_unique_max_leader(view, is_leader, eligible,
                                             detail, len);
    free(eligible);
    return ok;
}

static bool check_everyone_learns(const struct disco_view *view, char *detail,
                                  size_t len)
{
    uint32_t winner = expected_leader(view);
    if (winner == DISCO_NO_PORT) {
        snprintf(detail, len, "no initiator, so no leader");
        return false;
    }
    return disco_oracle_all_decided(view, disco_view_id(view, winner), detail,
                                    len);
}

/* The winning wave's father pointers span the network, rooted at the
 * leader. */
static bool check_spanning_tree(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint32_t winner = expected_leader(view);
    if (winner == DISCO_NO_PORT) {
        snprintf(detail, len, "no initiator, so no wave");
        return false;
    }
    return disco_oracle_spanning_tree(view, father_port, winner, detail, len);
}

/* The leader's decision closes a wave: every process has an event before
 * it. */
static bool check_preceded_by_all(const struct disco_view *view, char *detail,
                                  size_t len)
{
    uint32_t winner = expected_leader(view);
    size_t index = winner == DISCO_NO_PORT
                       ? SIZE_MAX
                       : disco_view_decision_of(view, winner);
    if (index == SIZE_MAX) {
        snprintf(detail, len, "the largest initiator never decided");
        return false;
    }
    return disco_oracle_preceded_by_all(view, index, detail, len);
}

/* Each wave sends at most one token per channel, and the winning wave
 * exactly one: 2m <= tokens <= 2m.k for k initiators, 2m when k = 1. */
static bool check_tokens(const struct disco_view *view, char *detail,
                         size_t len)
{
    uint64_t sent = disco_view_messages(view, TOKEN);
    uint64_t two_m = 2 * disco_view_edges(view);
    uint32_t k = initiator_count(view);
    snprintf(detail, len, "%llu tokens, %u initiators: between 2m = %llu and "
             "2m.k = %llu", (unsigned long long)sent, k,
             (unsigned long long)two_m, (unsigned long long)(two_m * k));
    return k > 0 && sent >= two_m && sent <= two_m * k;
}

static bool check_announcements(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint64_t sent = disco_view_messages(view, LEADER);
    uint64_t expected = 2 * disco_view_edges(view);
    snprintf(detail, len, "%llu announcements, 2m = %llu",
             (unsigned long long)sent, (unsigned long long)expected);
    return sent == expected;
}

static void ee_result(const struct disco_view *view, char *buf, size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (is_leader(disco_view_state(view, v))) {
            snprintf(buf, len, "\"leader\": %lld, \"leader_node\": %u",
                     (long long)disco_view_id(view, v), v);
            return;
        }
    }
    snprintf(buf, len, "\"leader\": null");
}

static const char *const ee_kinds[] = {"token", "leader"};

static const struct disco_property ee_properties[] = {
    {"unique_leader", "exactly one leader, and it is the initiator with the "
     "largest id", DISCO_PROPERTY_FINAL, check_unique_leader, true},
    {"everyone_learns", "every process decides the leader's id, once",
     DISCO_PROPERTY_FINAL, check_everyone_learns, true},
    {"spanning_tree", "the winning wave's father pointers form a spanning "
     "tree rooted at the leader", DISCO_PROPERTY_FINAL, check_spanning_tree,
     true},
    {"leader_preceded_by_all", "the leader's decision is causally preceded "
     "by an event at every process", DISCO_PROPERTY_TRACE,
     check_preceded_by_all, true},
    {"tokens_bounded", "between 2m tokens (the winning wave) and 2m per "
     "initiator; exactly 2m with one initiator", DISCO_PROPERTY_FINAL,
     check_tokens, true},
    {"announcements_2m", "exactly 2m leader announcements, one each way on "
     "every edge", DISCO_PROPERTY_FINAL, check_announcements, true},
};

const struct disco_algorithm disco_alg_echo_extinction = {
    .name = "echo-extinction",
    .family = "election",
    .summary = "leader election on any network: echo waves, the smaller "
               "ones extinguished",
    .description =
        "Every initiator starts an echo wave tagged with its id. A process "
        "takes part in the largest wave it has seen: a token of a larger "
        "wave makes it join that wave (the sender becomes its father, the "
        "token goes on to all its other neighbours); a token of a smaller "
        "wave is swallowed. Within a wave a process answers its father once "
        "it has a token of the wave from every neighbour. Only the wave of "
        "the largest initiator id completes; its initiator becomes the "
        "leader and floods an announcement, which every process decides on "
        "and passes to all its neighbours.",
    .messages = "tokens: exactly 2m with one initiator; at most 2m per "
                "initiator, so at most 2m.k for k initiators, O(N.m) in the "
                "worst case; plus exactly 2m announcements (flooded to every "
                "neighbour): 4m in all with one initiator",
    .time = "O(N) time units: the winning echo wave (its tree can be a "
            "path), then the announcement (at most the diameter plus one)",
    .source = "Tel, Introduction to Distributed Algorithms, 2nd ed., "
              "sec. 7.3.1 (extinction, Algorithm 7.10; Tel elects the "
              "smallest id); Fokkink, Distributed Algorithms: an Intuitive "
              "Approach, sec. 9.3 (echo algorithm with extinction)",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = true,
        .timing = DISCO_ASYNC,
        .topology = "petersen",
        .initiators = "all",
        .faults = "none",
    },
    .message_kinds = ee_kinds,
    .kind_count = 2,
    .properties = ee_properties,
    .property_count = sizeof ee_properties / sizeof ee_properties[0],
    .tokens_certify = true,
    .state_size = sizeof(struct ee_state),
    .init = ee_init,
    .on_message = ee_on_message,
    .format_state = ee_format_state,
    .result = ee_result,
    .parent_port = ee_parent_port,
    .is_leader = is_leader,
};
