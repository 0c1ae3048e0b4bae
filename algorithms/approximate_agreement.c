/*
 * approximate_agreement.c - approximate agreement with f Byzantine
 * processes, synchronous version (Dolev, Lynch, Pinter, Stark and Weihl,
 * Reaching approximate agreement in the presence of faults, JACM 33(3),
 * 1986), on the complete graph with n > 3f.
 *
 * Every round each process sends its value to all, then, of its own value
 * and the values received, discards the f smallest and the f largest and
 * moves to the midpoint of what is left.  Why it works: all correct
 * processes receive the same n-f correct values c_1 <= ... <= c_{n-f}
 * (Byzantine senders may say different things to different processes, or
 * nothing).  After trimming, each process's smallest value is at most
 * c_{f+1} and its largest at least c_{n-2f}, and both lie within
 * [c_1, c_{n-f}]; with n > 3f, c_{f+1} <= c_{n-2f}, so every process's
 * trimmed interval contains c_{f+1}, and midpoints of intervals sharing a
 * point and lying within [m, M] are at most (M-m)/2 apart.  So the values
 * stay within the correct range, and the spread halves each round: with
 * inputs known to lie within `range`, R = ceil(log2(range/epsilon)).
 *
 * With n = 3f the shared point is lost: a Byzantine process that tells
 * the low half of the correct processes a very low value and the high
 * half a very high one (strategy `split`, or the generic `equivocate` for
 * suitable inputs) leaves each half with only its own values after
 * trimming, and the halves never move closer.
 */
#include "complete.h"
#include "multiagent.h"

#define AA_MAX_F 31

struct aa_state {
    struct ma_state ma;        /* first: the shared checks read it */
    /* The f+1 smallest and the f+1 largest values of this round (the own
     * value included at the step), sorted from the outside in. */
    int64_t low[AA_MAX_F + 1];
    int64_t high[AA_MAX_F + 1];
    uint32_t kept;             /* entries in low and in high */
};

/* Keep x among the `cap` most extreme values (sign +1: largest). */
static void keep(int64_t *a, uint32_t kept, uint32_t cap, int64_t x,
                 int sign)
{
    uint32_t i = kept < cap ? kept : cap - 1;
    if (kept >= cap && sign * x <= sign * a[cap - 1])
        return;
    while (i > 0 && sign * a[i - 1] < sign * x) {
        a[i] = a[i - 1];
        i--;
    }
    a[i] = x;
}

static void aa_keep(struct aa_state *s, uint32_t f, int64_t x)
{
    keep(s->low, s->kept, f + 1, x, -1);
    keep(s->high, s->kept, f + 1, x, +1);
    if (s->kept < f + 1)
        s->kept++;
}

static void aa_init(struct disco_ctx *ctx, void *state)
{
    ma_init(ctx, state, ma_planned_rounds(ctx));
}

static void aa_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct aa_state *s = state;
    int64_t x;
    (void)kind;
    if (ma_receive(&s->ma, port, payload, len, &x))
        aa_keep(s, (uint32_t)disco_param(ctx, MA_P_F), x);
}

static void aa_on_round(struct disco_ctx *ctx, void *state,
                        disco_time_t round)
{
    struct aa_state *s = state;
    if (s->ma.done)
        return;
    uint32_t f = (uint32_t)disco_param(ctx, MA_P_F);
    aa_keep(s, f, s->ma.value);
    /* Trim f a side; with fewer than 2f+1 values (too many silent), as
     * many as leave one. */
    uint32_t count = s->ma.received + 1;
    uint32_t t = f < (count - 1) / 2 ? f : (count - 1) / 2;
    int64_t next = ma_floor_div(s->low[t] + s->high[t], 2);
    s->kept = 0;
    ma_step(ctx, &s->ma, round, next);
}

/* Own strategy: the split that breaks n = 3f.  On the complete graph port
 * p leads to node p, or p+1 from p = self on. */
static bool split_on_send(struct disco_ctx *ctx, uint32_t port,
                          unsigned *kind, void *payload, size_t *len)
{
    int64_t v;
    if (*kind != MA_VALUE || *len != sizeof v)
        return true;
    uint32_t to = complete_node_at(disco_self(ctx), port);
    v = 2 * (uint64_t)to < disco_nodes(ctx) ? -MA_LIMIT : MA_LIMIT;
    memcpy(payload, &v, sizeof v);
    return true;
}

static const struct disco_strategy aa_strategies[] = {
    {"split", "a very low value to the lower half of the nodes (by index), "
     "a very high one to the upper half", split_on_send},
};

static bool check_resilience(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t faulty = disco_view_faulty_count(view);
    int64_t f = disco_view_param(view, MA_P_F);
    snprintf(detail, len, "n = %u, f = %lld, %u faulty", n, (long long)f,
             faulty);
    return (int64_t)n > 3 * f && faulty <= f;
}

static bool check_contraction(const struct disco_view *view, char *detail,
                              size_t len)
{
    return ma_check_halving(view, NULL, detail, len);
}

/* The theorem: after ceil(log2(S/epsilon)) rounds, S the spread of the
 * correct inputs, the correct values lie within epsilon. */
static bool check_epsilon(const struct disco_view *view, char *detail,
                          size_t len)
{
    int64_t eps = disco_view_param(view, MA_P_EPSILON);
    uint32_t need = ma_halvings(ma_spread(view, 0, NULL, NULL), eps);
    uint32_t ran = ma_last_round(view);
    if (ran < need) {
        char why[96];
        snprintf(why, sizeof why, "%u rounds, %u needed for the inputs' "
                 "spread", ran, need);
        return ma_check_epsilon(view, why, detail, len);
    }
    return ma_check_epsilon(view, NULL, detail, len);
}

static const struct disco_param aa_params[] = {
    {"rounds", 0, 0, 1000000, "rounds run before deciding; 0: "
     "ceil(log2(range/epsilon))"},
    {"epsilon", 1, 1, MA_LIMIT, "the agreement sought, in value units"},
    {"range", 1000000, 1, 2 * MA_LIMIT, "what every process knows: the "
     "correct inputs lie within an interval this wide"},
    {"f", 1, 0, AA_MAX_F, "Byzantine processes tolerated (n > 3f): the "
     "values trimmed at each end"},
};

static const struct disco_property aa_properties[] = {
    {"validity", "every correct value stays within the range of the "
     "correct inputs", DISCO_PROPERTY_INVARIANT, ma_check_validity, false},
    {"max_never_rises", "the maximum over correct processes never rises "
     "from one round to the next", DISCO_PROPERTY_INVARIANT, ma_check_max,
     false},
    {"min_never_falls", "the minimum over correct processes never falls "
     "from one round to the next", DISCO_PROPERTY_INVARIANT, ma_check_min,
     false},
    {"contraction", "the correct spread at least halves (rounded up) in "
     "every round", DISCO_PROPERTY_FINAL, check_contraction, false},
    {"epsilon_agreement", "after ceil(log2(S/epsilon)) rounds (S: the "
     "correct inputs' spread) the correct values lie within epsilon",
     DISCO_PROPERTY_FINAL, check_epsilon, true},
    {"resilience", "n > 3f and at most f faulty processes (the theorem's "
     "hypothesis: when it fails, the others may too)",
     DISCO_PROPERTY_FINAL, check_resilience, false},
};

const struct disco_algorithm disco_alg_approximate_agreement = {
    .name = "approximate-agreement",
    .family = "consensus",
    .summary = "approximate agreement (Dolev et al.): trim the f smallest "
               "and f largest values, take the midpoint; n > 3f Byzantine",
    .description =
        "Synchronous rounds on a complete graph with f Byzantine processes "
        "(--byzantine LIST --strategy silent|flip|random|equivocate|split), "
        "n > 3f. Every round each process sends its value to all, discards "
        "the f smallest and the f largest of its own and the received "
        "values, and moves to the midpoint of the rest (rounded down). The "
        "correct values stay within the correct inputs' range and their "
        "spread halves every round; after R = ceil(log2(range/epsilon)) "
        "rounds (`range`: the known width of the inputs' interval) they "
        "lie within epsilon. Lies: flip sends -2^60 for a positive value "
        "and 2^60 otherwise, random a value in [-(2|v|+1000), 2|v|+1000], "
        "split -2^60 to nodes below n/2 and 2^60 to the others. Inputs: "
        "node attribute `value`, else node i has i*1000.",
    .messages = "exactly R*n(n-1) when nobody is silent or crashed, R = "
                "rounds or ceil(log2(range/epsilon)) (20 by default)",
    .time = "R rounds; spread(r) <= ceil(spread(r-1)/2) for n > 3f",
    .source = "D. Dolev, N. Lynch, S. Pinter, E. Stark, W. Weihl, Reaching "
              "approximate agreement in the presence of faults, JACM 33(3), "
              "1986 (the synchronous algorithm, midpoint selection)",
    .message_bound = "20*n*(n-1)",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "complete:4",
        .initiators = "all",
        .faults = "f Byzantine processes (crashes count among them), n > 3f; "
                  "no lost message",
        .resilience_param = "f",
        .resilience_factor = 3,
    },
    .params = aa_params,
    .param_count = sizeof aa_params / sizeof aa_params[0],
    .inputs = ma_inputs,
    .input_count = sizeof ma_inputs / sizeof ma_inputs[0],
    .message_kinds = ma_kinds,
    .kind_count = 1,
    .properties = aa_properties,
    .property_count = sizeof aa_properties / sizeof aa_properties[0],
    .state_size = sizeof(struct aa_state),
    .init = aa_init,
    .on_message = aa_on_message,
    .on_round = aa_on_round,
    .format_state = ma_format_state,
    .result = ma_result,
    .lie = ma_lie,
    .strategies = aa_strategies,
    .strategy_count = 1,
};
