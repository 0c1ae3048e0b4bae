/*
 * phase_king.c - the phase king algorithm: synchronous binary consensus
 * with f Byzantine processes, n > 4f (Berman and Garay; Attiya and Welch,
 * sec. 5.2.5).
 *
 * Each process p has a preference pref, its input at first.  Phase k
 * (k = 1 .. f+1) has two rounds:
 *   round 1: p sends pref to all; from the n values (its own included) it
 *            computes maj, the majority value (0 on a tie), and mult, the
 *            number of times maj occurs;
 *   round 2: the king of phase k, process k-1, sends its maj to all;
 *            p keeps pref = maj if mult > n/2 + f, else takes the king's
 *            value (0 when the king sent nothing).
 * After phase f+1, p decides pref.  One of the f+1 kings is loyal: after
 * its phase every loyal process prefers the same value, and from then on
 * every loyal process sees it more than n/2 + f times.
 *
 * Byzantine processes are the kernel's (--byzantine LIST --strategy NAME):
 * every node runs the code below and sends the truth, and a traitor's
 * messages pass through the strategy.  `pk_lie` tells the generic ones
 * how to falsify a value (flip: the other bit; random: a coin from the
 * traitor's own stream), and "split" is phase king's own: 0 to the lower
 * half of the nodes, 1 to the upper half, whatever the truth, as voter
 * and as king.  Oracles judge loyal processes only: neither Byzantine nor
 * crashed.
 *
 * Rounds, as disco runs them: init (round 0) sends phase 1's round-1
 * prefs; on_round(2k-1) tallies them and the king sends; on_round(2k)
 * takes the king's value and sends phase k+1's prefs, or decides when
 * k = f+1.  Ports on a complete graph are in neighbour-index order: port p
 * leads to node p, or p+1 when p >= self.
 */
#include <stdio.h>
#include <string.h>

#include "complete.h"
#include "disco.h"

enum { PREF, KING };
enum { P_F };

struct pk_state {
    int64_t input;     /* the input, 0 or 1 */
    int64_t pref;      /* current preference */
    uint32_t votes[2]; /* prefs received this phase, by value (own too) */
    int64_t maj;       /* the majority of this phase's prefs, 0 on a tie */
    uint32_t mult;     /* how many times maj occurred */
    int64_t king;      /* the king's value this phase, or -1: none yet */
    uint32_t phase;    /* the current phase, 1 .. f+1 */
    bool decided;      /* decided pref after phase f+1 */
};


/* Round 1 of a phase: count my own pref, send it to all. */
static void start_phase(struct disco_ctx *ctx, struct pk_state *s)
{
    s->phase++;
    s->votes[0] = s->votes[1] = 0;
    s->votes[s->pref]++;
    s->king = -1;
    disco_send_all(ctx, PREF, &s->pref, sizeof s->pref);
}

static void pk_init(struct disco_ctx *ctx, void *state)
{
    struct pk_state *s = state;
    /* No `value` attribute: inputs alternate 0, 1, 0, ... by index. */
    if (!disco_input(ctx, "value", &s->input))
        s->input = disco_self(ctx) % 2;
    s->input = s->input != 0; /* 0 or 1 (declared); kept for direct callers */
    s->pref = s->input;
    /* Active until the decision: a silent traitor may leave a round with
     * no message in flight, and the rounds must go on regardless. */
    disco_set_passive(ctx, false);
    start_phase(ctx, s);
}

static void pk_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct pk_state *s = state;
    int64_t v;
    if (len != sizeof v)
        return;
    memcpy(&v, payload, sizeof v);
    v = v != 0;
    if (kind == PREF)
        s->votes[v]++;
    else if (complete_node_at(disco_self(ctx), port) == s->phase - 1)
        s->king = v; /* only the phase's king is listened to */
}

static void pk_on_round(struct disco_ctx *ctx, void *state,
                        disco_time_t round)
{
    struct pk_state *s = state;
    if (s->decided)
        return;
    uint32_t n = disco_nodes(ctx);
    uint64_t f = (uint64_t)disco_param(ctx, P_F);
    if (round % 2 == 1) {
        s->maj = s->votes[1] > s->votes[0];
        s->mult = s->votes[s->maj];
        if (disco_self(ctx) == s->phase - 1)
            disco_send_all(ctx, KING, &s->maj, sizeof s->maj);
        return;
    }
    if (disco_self(ctx) == s->phase - 1)
        s->king = s->maj; /* the king keeps its own value */
    if (2 * (uint64_t)s->mult > n + 2 * f)
        s->pref = s->maj;
    else
        s->pref = s->king < 0 ? 0 : s->king;
    if (s->phase < f + 1) {
        start_phase(ctx, s);
        return;
    }
    s->decided = true;
    disco_set_passive(ctx, true);
    /* A traitor decides too (it runs this code); the oracles ignore it. */
    disco_decide(ctx, s->pref);
}

/* ---- the adversary: how a traitor falsifies a pref or a king's value ---- */

static bool pk_lie(struct disco_ctx *ctx, enum disco_lie how, uint32_t port,
                   unsigned kind, void *payload, size_t len)
{
    (void)port, (void)kind;
    int64_t v;
    if (len != sizeof v)
        return false;
    memcpy(&v, payload, sizeof v);
    v = how == DISCO_LIE_FLIP ? v == 0 : (int64_t)(disco_random(ctx) & 1);
    memcpy(payload, &v, sizeof v);
    return true;
}

/* 0 to the nodes below n/2, 1 to the others, whatever the truth: a king
 * that splits the loyal processes in two however they voted. */
static bool split(struct disco_ctx *ctx, uint32_t port, unsigned *kind,
                  void *payload, size_t *len)
{
    (void)kind;
    int64_t v = complete_node_at(disco_self(ctx), port) >= disco_nodes(ctx) / 2;
    if (*len != sizeof v)
        return false;
    memcpy(payload, &v, sizeof v);
    return true;
}

static const struct disco_strategy pk_strategies[] = {
    {"split", "0 to the nodes v < n/2, 1 to the others, whatever the truth "
     "(as voter and as king)", split},
};

static void pk_format_state(const void *state, char *buf, size_t len)
{
    const struct pk_state *s = state;
    snprintf(buf, len, "%s %lld, phase %u", s->decided ? "decided" : "pref",
             (long long)s->pref, s->phase);
}

/* ---- properties: oracles over the loyal processes' ground truth ---- */

static bool loyal(const struct disco_view *view, uint32_t v)
{
    return !disco_view_faulty(view, v);
}

static const struct disco_agreement_words pk_words = {
    .judged = "loyal", .group = "process", .verb = "decided",
    .first = "loyal node", .other = "node",
};

static bool check_agreement(const struct disco_view *view, char *detail,
                            size_t len)
{
    return disco_oracle_agreement(view, NULL, &pk_words, detail, len);
}

static int64_t input_of(const void *state)
{
    return ((const struct pk_state *)state)->input;
}

/* If every loyal process starts with v, every loyal process decides v. */
static bool check_validity(const struct disco_view *view, char *detail,
                           size_t len)
{
    int64_t common;
    if (!disco_view_common_input(view, loyal, input_of, &common)) {
        snprintf(detail, len, "not applicable: loyal inputs differ");
        return true;
    }
    const struct disco_decision *d =
        disco_view_decision_other_than(view, loyal, common);
    if (d) {
        snprintf(detail, len, "every loyal input is %lld, node %u "
                 "decided %lld", (long long)common, d->node,
                 (long long)d->value);
        return false;
    }
    snprintf(detail, len, "every loyal input and decision is %lld",
             (long long)common);
    return true;
}

/* Every loyal process decides once, in round 2(f+1). */
static bool check_termination(const struct disco_view *view, char *detail,
                              size_t len)
{
    return disco_oracle_decided_in_round(
        view, 0, 2 * ((disco_time_t)disco_view_param(view, P_F) + 1), detail,
        len);
}

static bool check_resilience(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t faulty = disco_view_faulty_count(view);
    int64_t f = disco_view_param(view, P_F);
    snprintf(detail, len, "n = %u, f = %lld, %u faulty", n, (long long)f,
             faulty);
    return (int64_t)n > 4 * f && faulty <= f;
}

/* (f+1)(n^2-1): per phase n(n-1) prefs and n-1 king messages.  A
 * traitor's strategy may suppress messages (silent), a crash stops them,
 * but no strategy phase king ships adds any: at most that many then. */
static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t n = disco_view_nodes(view);
    uint64_t phases = (uint64_t)disco_view_param(view, P_F) + 1;
    return disco_oracle_message_count(view, disco_view_messages(view, -1),
                                      phases * (n * n - 1), "(f+1)(n^2-1)",
                                      detail, len);
}

static void pk_result(const struct disco_view *view, char *buf, size_t len)
{
    int64_t value = -1;
    for (size_t i = 0; i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (loyal(view, d->node))
            value = value == -1 || value == d->value ? d->value : -2;
    }
    if (value >= 0)
        snprintf(buf, len, "\"decision\": %lld", (long long)value);
    else
        snprintf(buf, len, "\"decision\": null");
}

static const struct disco_param pk_params[] = {
    {"f", 1, 0, 62, "Byzantine processes tolerated (n > 4f): f+1 phases"},
};

static const struct disco_input_decl pk_inputs[] = {
    {"value", 0, 1, "the node's input, 0 or 1 (else the node index mod 2)"},
};

static const char *const pk_kinds[] = {"pref", "king"};

static const struct disco_property pk_properties[] = {
    {"agreement", "no two loyal processes decide differently",
     DISCO_PROPERTY_FINAL, check_agreement, true},
    {"validity",
     "if every loyal process starts with v, every loyal process decides v",
     DISCO_PROPERTY_FINAL, check_validity, true},
    {"termination", "every loyal process decides in round 2(f+1)",
     DISCO_PROPERTY_FINAL, check_termination, true},
    {"resilience", "n > 4f and at most f faulty processes (the theorem's "
     "hypothesis: when it fails, the others may too)",
     DISCO_PROPERTY_FINAL, check_resilience, false},
    {"messages", "exactly (f+1)(n^2-1) messages when no process is "
     "faulty, at most that many otherwise",
     DISCO_PROPERTY_FINAL, check_messages, true},
};

const struct disco_algorithm disco_alg_phase_king = {
    .name = "phase-king",
    .family = "consensus",
    .summary = "phase king: synchronous binary consensus with f Byzantine "
               "processes, n > 4f, in f+1 phases of 2 rounds",
    .description =
        "Synchronous rounds on a complete graph, binary inputs (node "
        "attribute `value`, 0 or 1; without it, node index "
        "mod 2). In each of f+1 "
        "phases every process sends its preference to all and takes the "
        "majority maj (count mult); then the phase's king (process k-1 in "
        "phase k) sends its maj to all, and a process keeps maj if mult > "
        "n/2 + f, else adopts the king's value. After phase f+1 it decides. "
        "Traitors are the kernel's Byzantine processes (--byzantine LIST) "
        "with any generic strategy (silent, flip, random, equivocate) or "
        "phase king's own split (0 to the lower half of the nodes, 1 to "
        "the upper half, whatever the truth).",
    .messages = "exactly (f+1)(n^2-1) (n(n-1) prefs and n-1 king messages "
                "per phase) when no process is silent or crashed",
    .time = "2(f+1) rounds; every loyal process decides in round 2(f+1)",
    .source = "P. Berman and J. Garay, Cloture votes: n/4-resilient "
              "distributed consensus in t+1 rounds, Math. Systems Theory "
              "26, 1993; Attiya and Welch, Distributed Computing, sec. 5.2.5",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "complete:5",
        .initiators = "all",
        .faults = "f Byzantine processes (--byzantine LIST --strategy "
                  "NAME), n > 4f",
        .resilience_param = "f",
        .resilience_factor = 4,
    },
    .params = pk_params,
    .param_count = sizeof pk_params / sizeof pk_params[0],
    .inputs = pk_inputs,
    .input_count = sizeof pk_inputs / sizeof pk_inputs[0],
    .message_kinds = pk_kinds,
    .kind_count = 2,
    .properties = pk_properties,
    .property_count = sizeof pk_properties / sizeof pk_properties[0],
    .state_size = sizeof(struct pk_state),
    .init = pk_init,
    .on_message = pk_on_message,
    .on_round = pk_on_round,
    .format_state = pk_format_state,
    .result = pk_result,
    .lie = pk_lie,
    .strategies = pk_strategies,
    .strategy_count = sizeof pk_strategies / sizeof pk_strategies[0],
};
