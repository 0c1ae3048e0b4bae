/*
 * multiagent.h - what the multi-agent consensus family shares: averaging,
 * midpoint and approximate-agreement.
 *
 * All three run in synchronous rounds over any digraph (approximate
 * agreement: the complete graph), and over dynamic networks (--dynamic),
 * where the round's graph is the kernel's business: a process simply
 * sends its value on every out-port in every round and combines whatever
 * arrives.  Round r of a process: combine its own value of round r-1 with
 * the values received (sent in round r-1) into its value of round r, then
 * send that.  After `rounds` rounds (R) it decides its value and stops.
 *
 * Values are fixed-point integers in a unit of the user's choice (1 =
 * 0.001, say): node attribute `value`, else node i starts with i*1000.
 * Every combination rounds down (floor), which keeps each new value inside
 * the range of the values it combines, so the family's invariants hold
 * exactly and runs are bit-reproducible.  Values are clamped to
 * [-2^60, 2^60]; a Byzantine "extreme" is one of these ends.
 *
 * The state keeps what a stateless check needs: the value before the last
 * step (max never rises, min never falls, checked after every event), and
 * for the first MA_HISTORY rounds every value and the in-ports heard, from
 * which the checks rebuild each round's spread and communication graph.
 */
#ifndef DISCO_MULTIAGENT_H
#define DISCO_MULTIAGENT_H

#include <stdio.h>
#include <string.h>

#include "disco.h"

#define MA_HISTORY 64u
#define MA_LIMIT ((int64_t)1 << 60)
#define MA_STEP 1000            /* default inputs: node i has i*1000 */
/* Round graphs are rebuilt for at most this many nodes (sets in a word). */
#define MA_GRAPH_NODES 63u
/* heard[r] bit: a port beyond 62 or a duplicate made the round irregular. */
#define MA_IRREGULAR (1ull << 63)

/* The node input `value`, clamped to the values' range before. */
static const struct disco_input_decl ma_inputs[] = {
    {"value", -MA_LIMIT, MA_LIMIT,
     "the node's input (else 1000 times its node index)"},
};

enum { MA_VALUE };              /* the one message kind: a value */
static const char *const ma_kinds[] = {"value"};

/* Parameters, by index: the same four slots in every module (averaging
 * has the first two). */
enum { MA_P_ROUNDS, MA_P_EPSILON, MA_P_RANGE, MA_P_F };

struct ma_state {
    int64_t input;     /* the input value */
    int64_t value;     /* the value after the last completed round */
    int64_t prev;      /* the value one round before (= input at first) */
    uint32_t round;    /* the last completed round (0 after init) */
    uint32_t rounds;   /* R: the round in which it decides */
    bool done;         /* decided its value in round R */
    /* This round's receptions: */
    uint32_t received; /* values received (duplicates counted) */
    int64_t lo, hi;    /* their minimum and maximum */
    int64_t sum_high;  /* sum of floor(x / 2^32): no overflow with */
    uint64_t sum_low;  /* sum of x mod 2^32       2^28 nodes */
    uint64_t heard_now; /* in-ports heard (bit p), MA_IRREGULAR */
    /* The first MA_HISTORY rounds: hist[r] is the value after round r;
     * heard[r] the in-ports whose round-(r-1) value arrived for round r. */
    int64_t hist[MA_HISTORY];
    uint64_t heard[MA_HISTORY];
};

static inline int64_t ma_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b < 0) ? q - 1 : q;
}

static inline int64_t ma_clamp(int64_t x)
{
    return x < -MA_LIMIT ? -MA_LIMIT : x > MA_LIMIT ? MA_LIMIT : x;
}

/* Rounds of halving (rounded up, as the floors allow) that take a spread
 * from `spread` to at most `epsilon`: ceil(log2(spread/epsilon)). */
static inline uint32_t ma_halvings(int64_t spread, int64_t epsilon)
{
    uint32_t k = 0;
    while (spread > epsilon) {
        spread = spread / 2 + spread % 2;
        k++;
    }
    return k;
}

static inline void ma_clear_round(struct ma_state *s)
{
    s->received = 0;
    s->lo = s->hi = s->value;
    s->sum_high = 0;
    s->sum_low = 0;
    s->heard_now = 0;
}

static inline void ma_add(struct ma_state *s, int64_t x)
{
    int64_t high = ma_floor_div(x, (int64_t)1 << 32);
    s->sum_high += high;
    s->sum_low += (uint64_t)(x - high * ((int64_t)1 << 32));
}

/* The input, the history's round 0, and round 0's sends. */
static inline void ma_init(struct disco_ctx *ctx, struct ma_state *s,
                           uint32_t rounds)
{
    int64_t in;
    if (!disco_input(ctx, "value", &in))
        in = (int64_t)disco_self(ctx) * MA_STEP;
    s->input = ma_clamp(in);
    s->value = s->prev = s->input;
    s->hist[0] = s->value;
    s->rounds = rounds;
    ma_clear_round(s);
    if (rounds == 0) {
        s->done = true;
        disco_decide(ctx, s->value);
        return;
    }
    /* Active until round R: a round in which nothing arrives (a dynamic
     * graph may drop every message) must not end the run. */
    disco_set_passive(ctx, false);
    disco_send_all(ctx, MA_VALUE, &s->value, sizeof s->value);
}

/* A value arrived: clamp it (a Byzantine sender may say anything) and
 * fold it into the round's minimum, maximum and sum.  Returns false for a
 * malformed message, which is ignored. */
static inline bool ma_receive(struct ma_state *s, uint32_t port,
                              const void *payload, size_t len, int64_t *out)
{
    int64_t x;
    if (len != sizeof x || s->done)
        return false;
    memcpy(&x, payload, sizeof x);
    x = ma_clamp(x);
    uint64_t bit = port < 63 ? 1ull << port : MA_IRREGULAR;
    s->heard_now |= (s->heard_now & bit) ? MA_IRREGULAR : bit;
    s->received++;
    if (x < s->lo)
        s->lo = x;
    if (x > s->hi)
        s->hi = x;
    ma_add(s, x);
    *out = x;
    return true;
}

/* floor of the mean of the own value and the received ones: equal
 * weights 1/(received+1). */
static inline int64_t ma_mean(const struct ma_state *s)
{
    struct ma_state t = *s;
    ma_add(&t, s->value);
    int64_t k = (int64_t)t.received + 1;
    int64_t qa = ma_floor_div(t.sum_high, k);
    uint64_t ra = (uint64_t)(t.sum_high - qa * k);
    uint64_t rest = ((ra << 32) + t.sum_low) / (uint64_t)k;
    return qa * ((int64_t)1 << 32) + (int64_t)rest;
}

/* Round `round`'s step is computed: record it, then send it on, or decide
 * when this was round R. */
static inline void ma_step(struct disco_ctx *ctx, struct ma_state *s,
                           disco_time_t round, int64_t next)
{
    s->prev = s->value;
    s->value = next;
    s->round = (uint32_t)round;
    if (round < MA_HISTORY) {
        s->hist[round] = next;
        s->heard[round] = s->heard_now;
    }
    ma_clear_round(s);
    if (round >= s->rounds) {
        s->done = true;
        disco_set_passive(ctx, true);
        disco_decide(ctx, next);
        return;
    }
    disco_send_all(ctx, MA_VALUE, &s->value, sizeof s->value);
}

/* R: the `rounds` parameter, or (0) the halvings from the a-priori range
 * to epsilon. */
static inline uint32_t ma_planned_rounds(const struct disco_ctx *ctx)
{
    int64_t r = disco_param(ctx, MA_P_ROUNDS);
    if (r > 0)
        return (uint32_t)r;
    return ma_halvings(disco_param(ctx, MA_P_RANGE),
                       disco_param(ctx, MA_P_EPSILON));
}

static inline void ma_format_state(const void *state, char *buf, size_t len)
{
    const struct ma_state *s = state;
    snprintf(buf, len, "%s %lld, round %u", s->done ? "decided" : "value",
             (long long)s->value, s->round);
}

/* The Byzantine lies of the generic strategies: flip sends an extreme
 * (the far end on the other side of zero), random a value drawn from
 * [-w, w], w = 2|v| + 1000, which often lands among the correct values. */
static inline bool ma_lie(struct disco_ctx *ctx, enum disco_lie how,
                          uint32_t port, unsigned kind, void *payload,
                          size_t len)
{
    int64_t v;
    (void)port;
    if (kind != MA_VALUE || len != sizeof v)
        return true;
    memcpy(&v, payload, sizeof v);
    v = ma_clamp(v);
    if (how == DISCO_LIE_FLIP) {
        v = v > 0 ? -MA_LIMIT : MA_LIMIT;
    } else {
        int64_t w = 2 * (v < 0 ? -v : v) + MA_STEP;
        if (w > MA_LIMIT)
            w = MA_LIMIT;
        v = (int64_t)disco_random_below(ctx, 2 * (uint64_t)w + 1) - w;
    }
    memcpy(payload, &v, sizeof v);
    return true;
}

/* ------------------------------------------------------------------------ */
/* What the checks read.  Honest: not Byzantine (a crashed process was
 * correct until it crashed, and its values count for the rounds it
 * completed); correct: neither Byzantine nor crashed.                      */

static inline const struct ma_state *ma_at(const struct disco_view *view,
                                           uint32_t v)
{
    return disco_view_state(view, v);
}

/* The range of the honest inputs (false when every node is Byzantine). */
static inline bool ma_input_range(const struct disco_view *view, int64_t *lo,
                                  int64_t *hi)
{
    bool any = false;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (disco_view_byzantine(view, v))
            continue;
        int64_t x = ma_at(view, v)->input;
        if (!any || x < *lo)
            *lo = x;
        if (!any || x > *hi)
            *hi = x;
        any = true;
    }
    return any;
}

/* The last round any honest process completed. */
static inline uint32_t ma_last_round(const struct disco_view *view)
{
    uint32_t last = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (!disco_view_byzantine(view, v) && ma_at(view, v)->round > last)
            last = ma_at(view, v)->round;
    return last;
}

/* The spread of round r (< MA_HISTORY) over the honest processes that
 * completed it; -1 when none did. */
static inline int64_t ma_spread(const struct disco_view *view, uint32_t r,
                                int64_t *lo_out, int64_t *hi_out)
{
    int64_t lo = 0, hi = 0;
    bool any = false;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct ma_state *s = ma_at(view, v);
        if (disco_view_byzantine(view, v) || s->round < r)
            continue;
        int64_t x = s->hist[r];
        if (!any || x < lo)
            lo = x;
        if (!any || x > hi)
            hi = x;
        any = true;
    }
    if (lo_out)
        *lo_out = lo;
    if (hi_out)
        *hi_out = hi;
    return any ? hi - lo : -1;
}

/* The spread of the correct processes' current values. */
static inline int64_t ma_final_spread(const struct disco_view *view,
                                      int64_t *lo_out, int64_t *hi_out)
{
    int64_t lo = 0, hi = 0;
    bool any = false;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (disco_view_faulty(view, v))
            continue;
        int64_t x = ma_at(view, v)->value;
        if (!any || x < lo)
            lo = x;
        if (!any || x > hi)
            hi = x;
        any = true;
    }
    if (lo_out)
        *lo_out = lo;
    if (hi_out)
        *hi_out = hi;
    return any ? hi - lo : 0;
}

/* The sender behind in-port p of node v: on undirected graphs in-port p
 * is out-port p; on digraphs in-ports number the senders in index order. */
static inline uint32_t ma_sender(const struct disco_view *view, uint32_t v,
                                 uint32_t p)
{
    if (!disco_view_directed(view))
        return disco_view_neighbour(view, v, p);
    uint32_t k = 0;
    for (uint32_t u = 0; u < disco_view_nodes(view); u++) {
        if (u == v || disco_view_port_to(view, u, v) == DISCO_NO_PORT)
            continue;
        if (k++ == p)
            return u;
    }
    return DISCO_NO_PORT;
}

/* Node v's in-set of round r (1 <= r < MA_HISTORY, n <= MA_GRAPH_NODES):
 * itself and the senders it heard, as a bit set; *byzantine is set when
 * one of them is Byzantine, *irregular for duplicates. */
static inline uint64_t ma_in_set(const struct disco_view *view, uint32_t v,
                                 uint32_t r, bool *byzantine, bool *irregular)
{
    uint64_t heard = ma_at(view, v)->heard[r], set = 1ull << v;
    if (heard & MA_IRREGULAR)
        *irregular = true;
    for (uint32_t p = 0; p < 63; p++) {
        if (!(heard >> p & 1))
            continue;
        uint32_t u = ma_sender(view, v, p);
        if (u >= MA_GRAPH_NODES)
            continue;
        set |= 1ull << u;
        if (disco_view_byzantine(view, u))
            *byzantine = true;
    }
    return set;
}

/* Whether round r's graph was nonsplit among the honest processes that
 * completed it (every two hear a common one, themselves included) with no
 * Byzantine value heard: the hypothesis under which midpoint halves the
 * spread.  False when it cannot tell (too many nodes, r beyond history). */
static inline bool ma_nonsplit_round(const struct disco_view *view,
                                     uint32_t r)
{
    uint32_t n = disco_view_nodes(view);
    if (n > MA_GRAPH_NODES || r == 0 || r >= MA_HISTORY)
        return false;
    uint64_t sets[MA_GRAPH_NODES];
    uint32_t count = 0;
    bool byzantine = false, irregular = false; /* the latter unused here */
    for (uint32_t v = 0; v < n; v++) {
        if (disco_view_byzantine(view, v) || ma_at(view, v)->round < r)
            continue;
        sets[count++] = ma_in_set(view, v, r, &byzantine, &irregular);
    }
    if (byzantine)
        return false;
    for (uint32_t a = 0; a < count; a++)
        for (uint32_t b = a + 1; b < count; b++)
            if (!(sets[a] & sets[b]))
                return false;
    return true;
}

/* Whether in round r every honest process that completed it heard exactly
 * the same processes (itself included), each once, none Byzantine: then
 * all of them average the same values and agree exactly. */
static inline bool ma_complete_round(const struct disco_view *view,
                                     uint32_t r)
{
    uint32_t n = disco_view_nodes(view);
    if (n > MA_GRAPH_NODES || r == 0 || r >= MA_HISTORY)
        return false;
    bool byzantine = false, irregular = false, first = true;
    uint64_t common = 0;
    for (uint32_t v = 0; v < n; v++) {
        if (disco_view_byzantine(view, v) || ma_at(view, v)->round < r)
            continue;
        uint64_t set = ma_in_set(view, v, r, &byzantine, &irregular);
        if (!first && set != common)
            return false;
        common = set;
        first = false;
    }
    return !first && !byzantine && !irregular;
}

/* ---- properties every module has ---- */

/* Every correct value lies within the honest inputs' range. */
static inline bool ma_check_validity(const struct disco_view *view,
                                     char *detail, size_t len)
{
    int64_t lo, hi;
    if (!ma_input_range(view, &lo, &hi)) {
        snprintf(detail, len, "no honest process");
        return true;
    }
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (disco_view_faulty(view, v))
            continue;
        int64_t x = ma_at(view, v)->value;
        if (x < lo || x > hi) {
            snprintf(detail, len, "node %u holds %lld, outside the inputs' "
                     "[%lld, %lld]", v, (long long)x, (long long)lo,
                     (long long)hi);
            return false;
        }
    }
    snprintf(detail, len, "every correct value within [%lld, %lld]",
             (long long)lo, (long long)hi);
    return true;
}

/* The extreme (sign +1: max, -1: min) of round L over the honest processes
 * that completed it, against that of round L-1, L the last round any
 * completed.  Checked after every event, this compares every two
 * consecutive rounds as they happen, in O(n) a check. */
static inline bool ma_check_extreme(const struct disco_view *view, int sign,
                                    char *detail, size_t len)
{
    const char *what = sign > 0 ? "max" : "min";
    uint32_t last = ma_last_round(view);
    if (last == 0) {
        snprintf(detail, len, "round 0 only");
        return true;
    }
    bool any_new = false, any_old = false;
    int64_t now = 0, before = 0;
    uint32_t culprit = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct ma_state *s = ma_at(view, v);
        if (disco_view_byzantine(view, v) || s->round + 1 < last)
            continue;
        int64_t old = s->round == last ? s->prev : s->value;
        if (!any_old || sign * old > sign * before)
            before = old;
        any_old = true;
        if (s->round == last &&
            (!any_new || sign * s->value > sign * now)) {
            now = s->value;
            culprit = v;
            any_new = true;
        }
    }
    if (any_new && sign * now > sign * before) {
        snprintf(detail, len, "round %u: node %u holds %lld, the %s of "
                 "round %u was %lld", last, culprit, (long long)now, what,
                 last - 1, (long long)before);
        return false;
    }
    snprintf(detail, len, "%s %lld in round %u, %lld before", what,
             (long long)now, last, (long long)before);
    return true;
}

static inline bool ma_check_max(const struct disco_view *view, char *detail,
                                size_t len)
{
    return ma_check_extreme(view, +1, detail, len);
}

static inline bool ma_check_min(const struct disco_view *view, char *detail,
                                size_t len)
{
    return ma_check_extreme(view, -1, detail, len);
}

/* spread(r) <= ceil(spread(r-1)/2) in every recorded round r for which
 * `applies` says the theorem holds (NULL: every round). */
static inline bool ma_check_halving(const struct disco_view *view,
                                    bool (*applies)(const struct disco_view *,
                                                    uint32_t),
                                    char *detail, size_t len)
{
    uint32_t last = ma_last_round(view), checked = 0;
    for (uint32_t r = 1; r <= last && r < MA_HISTORY; r++) {
        if (applies && !applies(view, r))
            continue;
        int64_t before = ma_spread(view, r - 1, NULL, NULL);
        int64_t now = ma_spread(view, r, NULL, NULL);
        if (before < 0 || now < 0)
            continue;
        checked++;
        if (now > before / 2 + before % 2) {
            snprintf(detail, len, "round %u: spread %lld, more than half "
                     "of %lld", r, (long long)now, (long long)before);
            return false;
        }
    }
    snprintf(detail, len, "the spread at least halved in each of %u "
             "round%s%s", checked, checked == 1 ? "" : "s",
             applies ? " with a nonsplit graph" : "");
    return true;
}

/* Epsilon-agreement: after the run, the correct values lie within
 * epsilon.  `not_guaranteed` (a sentence for the detail, or NULL when the
 * theory promises agreement) says why a miss is not a violation. */
static inline bool ma_check_epsilon(const struct disco_view *view,
                                    const char *not_guaranteed, char *detail,
                                    size_t len)
{
    int64_t eps = disco_view_param(view, MA_P_EPSILON);
    int64_t spread = ma_final_spread(view, NULL, NULL);
    if (not_guaranteed) {
        snprintf(detail, len, "not guaranteed (%s): spread %lld, epsilon "
                 "%lld", not_guaranteed, (long long)spread, (long long)eps);
        return true;
    }
    snprintf(detail, len, "spread %lld %s epsilon %lld", (long long)spread,
             spread <= eps ? "<=" : ">", (long long)eps);
    return spread <= eps;
}

/* The result: R, the spread of the first rounds, the worst contraction
 * over the recorded rounds, and the final correct range. */
static inline void ma_result(const struct disco_view *view, char *buf,
                             size_t len)
{
    uint32_t last = ma_last_round(view);
    size_t at = 0;
    int64_t lo, hi;
    int64_t final_spread = ma_final_spread(view, &lo, &hi);
    at += (size_t)snprintf(buf + at, len - at, "\"rounds\": %u, \"spread\": [",
                           last);
    for (uint32_t r = 0; r <= last && r < 16 && at < len; r++)
        at += (size_t)snprintf(buf + at, len - at, "%s%lld", r ? ", " : "",
                               (long long)ma_spread(view, r, NULL, NULL));
    double worst = -1;
    for (uint32_t r = 1; r <= last && r < MA_HISTORY; r++) {
        int64_t before = ma_spread(view, r - 1, NULL, NULL);
        int64_t now = ma_spread(view, r, NULL, NULL);
        if (before > 0 && now >= 0 && (double)now / (double)before > worst)
            worst = (double)now / (double)before;
    }
    if (at < len)
        at += (size_t)snprintf(buf + at, len - at,
                               "], \"final_spread\": %lld, \"min\": %lld, "
                               "\"max\": %lld, \"contraction\": ",
                               (long long)final_spread, (long long)lo,
                               (long long)hi);
    if (at < len) {
        if (worst < 0)
            snprintf(buf + at, len - at, "null");
        else
            snprintf(buf + at, len - at, "%.4f", worst);
    }
}

#endif
