/*
 * averaging.c - equal-neighbour averaging: every round each process sends
 * its value to all out-neighbours and takes the mean of its own value and
 * the values received (weights 1/(received+1)).
 *
 * The new value is a convex combination of values of the previous round,
 * so the maximum never rises and the minimum never falls, over any graph
 * and any dynamic network.  On a static strongly connected digraph the
 * values converge to a common value (a weighted mean of the inputs, the
 * weights from the graph's stationary distribution), and over dynamic
 * networks whenever the round graphs are rooted often enough (Moreau;
 * Cao, Morse and Anderson); but the rate depends on the graph and no round
 * count follows from epsilon alone, so `rounds` is a parameter.  One case
 * is exact: a round in which every process hears every other (a complete
 * graph) leaves everyone with the same mean, and from then on nothing
 * changes: complete:N agrees in one round.  Means are rounded down to the
 * integer unit; see multiagent.h.
 */
#include "multiagent.h"

static void avg_init(struct disco_ctx *ctx, void *state)
{
    ma_init(ctx, state, (uint32_t)disco_param(ctx, MA_P_ROUNDS));
}

static void avg_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    int64_t x;
    (void)ctx, (void)kind;
    ma_receive(state, port, payload, len, &x);
}

static void avg_on_round(struct disco_ctx *ctx, void *state,
                         disco_time_t round)
{
    struct ma_state *s = state;
    if (!s->done)
        ma_step(ctx, s, round, ma_mean(s));
}

/* Exact agreement is certain once some round was complete: everyone
 * heard the same processes, so everyone computed the same mean. */
static bool check_epsilon(const struct disco_view *view, char *detail,
                          size_t len)
{
    uint32_t last = ma_last_round(view);
    for (uint32_t r = 1; r <= last && r < MA_HISTORY; r++)
        if (ma_complete_round(view, r))
            return ma_check_epsilon(view, NULL, detail, len);
    return ma_check_epsilon(view, "no round in which every process heard "
                            "every other", detail, len);
}

static const struct disco_param avg_params[] = {
    {"rounds", 50, 0, 1000000, "rounds run before deciding (averaging has "
     "no round bound from epsilon on a general graph)"},
    {"epsilon", 1, 0, MA_LIMIT, "the agreement sought, in value units "
     "(checked where the theory guarantees it)"},
};

static const struct disco_property avg_properties[] = {
    {"validity", "every correct value stays within the range of the "
     "honest inputs", DISCO_PROPERTY_INVARIANT, ma_check_validity, false},
    {"max_never_rises", "the maximum over honest processes never rises "
     "from one round to the next", DISCO_PROPERTY_INVARIANT, ma_check_max,
     false},
    {"min_never_falls", "the minimum over honest processes never falls "
     "from one round to the next", DISCO_PROPERTY_INVARIANT, ma_check_min,
     false},
    {"epsilon_agreement", "the correct values end within epsilon, checked "
     "when a round was complete (everyone heard everyone: exact "
     "agreement)", DISCO_PROPERTY_FINAL, check_epsilon, true},
};

const struct disco_algorithm disco_alg_averaging = {
    .name = "averaging",
    .family = "consensus",
    .summary = "equal-neighbour averaging: each round, the mean of the own "
               "and the received values",
    .description =
        "Synchronous rounds over any strongly connected digraph, static or "
        "dynamic (--dynamic rooted|nonsplit|remove:K). Every round each "
        "process sends its value on every out-port and sets its value to "
        "the mean of its own and the values that arrived, each with weight "
        "1/(received+1), rounded down. After `rounds` rounds it decides. "
        "Inputs: node attribute `value` (fixed-point integers), else node i "
        "has i*1000. The maximum never rises and the minimum never falls; "
        "a complete round (everyone hears everyone) gives exact agreement. "
        "result: the spread of the first rounds and the worst contraction "
        "spread(r)/spread(r-1).",
    .messages = "exactly rounds*|C| (every process sends on every channel "
                "in rounds 0..R-1) when no process crashes",
    .time = "rounds (R) rounds; complete graphs agree after 1; elsewhere "
            "the spread shrinks geometrically at a rate set by the graph",
    .source = "L. Moreau, Stability of multiagent systems with time-"
              "dependent communication links, IEEE TAC 50(2), 2005; "
              "B. Charron-Bost, M. Fuegger, T. Nowak, Approximate consensus "
              "in highly dynamic networks: the role of averaging "
              "algorithms, ICALP 2015",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .connected = true,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "ring:8",
        .initiators = "all",
        .faults = "crashes and lost messages (dynamic networks); no "
                  "Byzantine process (--strategy flip or random shows "
                  "why)",
    },
    .params = avg_params,
    .param_count = sizeof avg_params / sizeof avg_params[0],
    .inputs = ma_inputs,
    .input_count = sizeof ma_inputs / sizeof ma_inputs[0],
    .message_kinds = ma_kinds,
    .kind_count = 1,
    .properties = avg_properties,
    .property_count = sizeof avg_properties / sizeof avg_properties[0],
    .state_size = sizeof(struct ma_state),
    .init = avg_init,
    .on_message = avg_on_message,
    .on_round = avg_on_round,
    .format_state = ma_format_state,
    .result = ma_result,
    .lie = ma_lie,
};
