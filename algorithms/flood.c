/*
 * flood.c - plain flooding: the smallest useful wave, and the worked
 * example of docs/writing-an-algorithm.md.
 *
 * The initiators send a message to every neighbour.  A process that hears
 * the message for the first time forwards it to every neighbour except the
 * one it came from, and ignores every later copy.  With one initiator on an
 * undirected connected graph that costs exactly 2m - (N - 1) messages:
 * the initiator sends deg(i), every other process deg(v) - 1.
 */
#include <stdio.h>

#include "disco.h"

/* Message kinds: indices into flood_kinds below. */
enum { FLOOD };

/* One process's state.  Plain data, zeroed by the kernel before init. */
struct flood_state {
    bool reached;       /* has seen the message */
    uint32_t from_port; /* where the first copy came from */
    uint32_t copies;    /* copies received, the first included */
};

static void flood_init(struct disco_ctx *ctx, void *state)
{
    struct flood_state *s = state;
    if (disco_is_initiator(ctx)) {
        s->reached = true;
        s->from_port = UINT32_MAX;
        disco_send_all(ctx, FLOOD, NULL, 0);
    }
}

static void flood_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind,
                             const void *payload, size_t len)
{
    struct flood_state *s = state;
    s->copies++;
    if (s->reached)
        return;
    s->reached = true;
    s->from_port = port;
    disco_decide(ctx, disco_id(ctx));
    disco_send_all_except(ctx, port, FLOOD, NULL, 0);
}

static void flood_format_state(const void *state, char *buf, size_t len)
{
    const struct flood_state *s = state;
    snprintf(buf, len, s->reached ? "reached (%u copies)" : "waiting",
             s->copies);
}

/* Property: every process was reached. */
static bool check_all_reached(const struct disco_view *view, char *detail,
                              size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct flood_state *s = disco_view_state(view, v);
        if (!s->reached) {
            snprintf(detail, len, "node %u was never reached", v);
            return false;
        }
    }
    snprintf(detail, len, "all %u nodes", disco_view_nodes(view));
    return true;
}

/* Property: the textbook count, for a single initiator. */
static bool check_message_count(const struct disco_view *view, char *detail,
                                size_t len)
{
    uint32_t initiators = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        initiators += disco_view_initiator(view, v);
    uint64_t sent = disco_view_messages(view, FLOOD);
    if (initiators != 1) {
        snprintf(detail, len, "%llu messages (%u initiators: no exact count)",
                 (unsigned long long)sent, initiators);
        return true;
    }
    uint64_t expected = 2 * disco_view_edges(view) - (disco_view_nodes(view) - 1);
    snprintf(detail, len, "%llu messages, 2m-(N-1) = %llu",
             (unsigned long long)sent, (unsigned long long)expected);
    return sent == expected;
}

static const char *const flood_kinds[] = {"flood"};

static const struct disco_property flood_properties[] = {
    {"all_reached", "every process receives the message",
     DISCO_PROPERTY_FINAL, check_all_reached, true},
    {"messages_2m_minus_n_plus_1",
     "one initiator: exactly 2m-(N-1) messages",
     DISCO_PROPERTY_FINAL, check_message_count, true},
};

const struct disco_algorithm disco_alg_flood = {
    .name = "flood",
    .family = "wave",
    .summary = "plain flooding: forward the first copy to all other "
               "neighbours",
    .description =
        "The initiators send a message to all neighbours. A process that "
        "receives the message for the first time forwards it to all its "
        "other neighbours; later copies are ignored. Nobody learns that the "
        "flood is over: compare with echo, which pays 2m to know it.",
    .messages = "exactly 2m-(N-1) with one initiator (schedule-independent)",
    .time = "causal depth = eccentricity of the initiator",
    .source = "Fokkink, Distributed Algorithms, sec. 4.1; Lynch, "
              "Distributed Algorithms, sec. 4.1 (flooding)",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .timing = DISCO_ASYNC,
        .topology = "grid:4x4",
        .initiators = "0",
        .faults = "none",
    },
    .message_kinds = flood_kinds,
    .kind_count = sizeof flood_kinds / sizeof flood_kinds[0],
    .properties = flood_properties,
    .property_count = sizeof flood_properties / sizeof flood_properties[0],
    .state_size = sizeof(struct flood_state),
    .init = flood_init,
    .on_message = flood_on_message,
    .format_state = flood_format_state,
};
