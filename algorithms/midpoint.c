/*
 * midpoint.c - the midpoint algorithm: every round each process sends its
 * value to all out-neighbours and moves to the midpoint of the smallest
 * and the largest of its own and the received values.
 *
 * Over a nonsplit round (every two processes hear from a common one,
 * themselves included: complete graphs, stars, --dynamic nonsplit) the
 * spread at least halves: if p and q both hear w, p's new value lies in
 * [(m + x_w)/2, (x_w + M)/2], and so does q's.  That is the contraction
 * rate 1/2 of Charron-Bost, Fuegger and Nowak, optimal for nonsplit
 * networks, and it gives the round count: with inputs known to lie within
 * `range`, R = ceil(log2(range/epsilon)) rounds reach epsilon-agreement.
 * Elsewhere (a line) the spread never grows, since the maximum never
 * rises and the minimum never falls, but no rate is promised.  Midpoints
 * are rounded down to the integer unit; see multiagent.h.
 */
#include "multiagent.h"

static void mid_init(struct disco_ctx *ctx, void *state)
{
    ma_init(ctx, state, ma_planned_rounds(ctx));
}

static void mid_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    int64_t x;
    (void)ctx, (void)kind;
    ma_receive(state, port, payload, len, &x);
}

static void mid_on_round(struct disco_ctx *ctx, void *state,
                         disco_time_t round)
{
    struct ma_state *s = state;
    if (!s->done)
        ma_step(ctx, s, round, ma_floor_div(s->lo + s->hi, 2));
}

static bool check_contraction(const struct disco_view *view, char *detail,
                              size_t len)
{
    return ma_check_halving(view, ma_nonsplit_round, detail, len);
}

/* Guaranteed when the nonsplit rounds alone halve the initial spread down
 * to epsilon (the other rounds cannot widen it). */
static bool check_epsilon(const struct disco_view *view, char *detail,
                          size_t len)
{
    uint32_t last = ma_last_round(view), nonsplit = 0;
    for (uint32_t r = 1; r <= last && r < MA_HISTORY; r++)
        nonsplit += ma_nonsplit_round(view, r);
    int64_t eps = disco_view_param(view, MA_P_EPSILON);
    uint32_t need = ma_halvings(ma_spread(view, 0, NULL, NULL), eps);
    if (nonsplit < need) {
        char why[96];
        snprintf(why, sizeof why, "%u nonsplit rounds, %u needed", nonsplit,
                 need);
        return ma_check_epsilon(view, why, detail, len);
    }
    return ma_check_epsilon(view, NULL, detail, len);
}

static const struct disco_param mid_params[] = {
    {"rounds", 0, 0, 1000000, "rounds run before deciding; 0: "
     "ceil(log2(range/epsilon)), enough on nonsplit graphs"},
    {"epsilon", 1, 1, MA_LIMIT, "the agreement sought, in value units"},
    {"range", 1000000, 1, 2 * MA_LIMIT, "what every process knows: the "
     "inputs lie within an interval this wide"},
};

static const struct disco_property mid_properties[] = {
    {"validity", "every correct value stays within the range of the "
     "honest inputs", DISCO_PROPERTY_INVARIANT, ma_check_validity, false},
    {"max_never_rises", "the maximum over honest processes never rises "
     "from one round to the next", DISCO_PROPERTY_INVARIANT, ma_check_max,
     false},
    {"min_never_falls", "the minimum over honest processes never falls "
     "from one round to the next", DISCO_PROPERTY_INVARIANT, ma_check_min,
     false},
    {"contraction", "in every nonsplit round the spread at least halves "
     "(rounded up); rounds are recognised from the senders heard, in the "
     "first 64 rounds and on graphs of at most 63 nodes",
     DISCO_PROPERTY_FINAL, check_contraction, false},
    {"epsilon_agreement", "the correct values end within epsilon, checked "
     "when enough rounds were nonsplit", DISCO_PROPERTY_FINAL,
     check_epsilon, true},
};

const struct disco_algorithm disco_alg_midpoint = {
    .name = "midpoint",
    .family = "consensus",
    .summary = "midpoint: each round, the midpoint of the smallest and the "
               "largest value heard; halves the spread on nonsplit graphs",
    .description =
        "Synchronous rounds over any strongly connected digraph, static or "
        "dynamic (--dynamic rooted|nonsplit|remove:K). Every round each "
        "process sends its value on every out-port and moves to the "
        "midpoint of the minimum and the maximum of its own and the "
        "received values (rounded down). It decides after `rounds` rounds, "
        "by default ceil(log2(range/epsilon)): on nonsplit rounds (every "
        "two processes hear a common one) the spread halves, so that many "
        "rounds reach epsilon-agreement. Inputs: node attribute `value`, "
        "else node i has i*1000. result: the spread of the first rounds "
        "and the worst contraction.",
    .messages = "exactly R*|C| when no process crashes, R = rounds or "
                "ceil(log2(range/epsilon)) (20 by default)",
    .time = "R rounds; spread(r) <= ceil(spread(r-1)/2) in every nonsplit "
            "round",
    .source = "B. Charron-Bost, M. Fuegger, T. Nowak, Approximate consensus "
              "in highly dynamic networks: the role of averaging "
              "algorithms, ICALP 2015 (the midpoint algorithm, contraction "
              "1/2 on nonsplit graphs)",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .connected = true,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "star:7",
        .initiators = "all",
        .faults = "crashes and lost messages (dynamic networks); no "
                  "Byzantine process (--strategy flip or random shows "
                  "why)",
    },
    .params = mid_params,
    .param_count = sizeof mid_params / sizeof mid_params[0],
    .inputs = ma_inputs,
    .input_count = sizeof ma_inputs / sizeof ma_inputs[0],
    .message_kinds = ma_kinds,
    .kind_count = 1,
    .properties = mid_properties,
    .property_count = sizeof mid_properties / sizeof mid_properties[0],
    .state_size = sizeof(struct ma_state),
    .init = mid_init,
    .on_message = mid_on_message,
    .on_round = mid_on_round,
    .format_state = ma_format_state,
    .result = ma_result,
    .lie = ma_lie,
};
