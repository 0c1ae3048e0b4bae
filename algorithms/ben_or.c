/*
 * ben_or.c - Ben-Or's randomized binary consensus, asynchronous, with up
 * to f crash failures, n > 2f (Ben-Or 1983; Attiya and Welch, sec. 14.3;
 * Aspnes, "Randomized protocols for asynchronous consensus", sec. 3.1).
 *
 * Each process holds a preference x (its input at first) and runs rounds
 * r = 1, 2, ... of two phases:
 *
 *   report(r, x) to all; wait for n-f reports of round r;
 *   if more than n/2 of them carry the same v: propose(r, v) to all,
 *   else propose(r, ?);
 *   wait for n-f proposals of round r;
 *   if at least f+1 propose v: decide v;
 *   else if at least one proposes v: x := v;
 *   else x := a coin flip (the process's own random stream).
 *
 * A process counts its own report and proposal (no self-sends).  "Wait
 * for n-f" is the moment the (n-f)-th message of the phase is there;
 * messages of later rounds are kept (as counts) until the process gets
 * there, those of earlier rounds are ignored.
 *
 * Stopping: a process that decides v sends decide(v) to all and stops.
 * A process that receives decide(v) before deciding decides v, forwards
 * decide(v) to all (so the decision spreads even when its first sender
 * crashes) and stops.  Decisions agree, so decide(v) carries no risk, and
 * the run ends by itself once every live process has decided.
 *
 * Counts are kept per round up to MAX_ROUNDS; a process that would start
 * round MAX_ROUNDS+1 gives up (stops undecided), which only happens when
 * the hypothesis n > 2f fails or with astronomically bad luck.
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { REPORT, PROPOSE, DECIDE };
enum { P_F };

#define MAX_ROUNDS 512
/* The "?" of propose(r, ?). */
#define NO_VALUE 2

/* A message: the round and a value (0, 1, or NO_VALUE). */
struct ben_or_msg {
    uint32_t round;
    uint32_t value;
};

struct ben_or_state {
    int64_t input;         /* this process's input, 0 or 1 */
    uint32_t x;            /* current preference, 0 or 1 */
    uint32_t round;        /* current round, from 1 */
    bool proposing;        /* in the second phase of `round` */
    bool decided;          /* decided (and stopped) */
    bool gave_up;          /* passed MAX_ROUNDS undecided */
    int64_t decision;      /* the decided value */
    uint32_t decided_round; /* round in which the value was decided (by
                            * this process or by whoever sent decide) */
    uint16_t reports[MAX_ROUNDS][2];   /* reports of round r+1, by value */
    uint16_t proposals[MAX_ROUNDS][3]; /* proposals of round r+1: 0, 1, ? */
};

/* f: the parameter, or (n-1)/2 when it is -1. */
static uint32_t tolerated(uint32_t n, int64_t f)
{
    return f < 0 ? (n - 1) / 2 : (uint32_t)f;
}

/* How many messages a phase waits for: n-f (at least one, our own). */
static uint32_t quorum(const struct disco_ctx *ctx)
{
    uint32_t n = disco_nodes(ctx), f = tolerated(n, disco_param(ctx, P_F));
    return f < n ? n - f : 1;
}

static void send_msg(struct disco_ctx *ctx, unsigned kind, uint32_t round,
                     uint32_t value)
{
    struct ben_or_msg m = {round, value};
    disco_send_all(ctx, kind, &m, sizeof m);
}

static void decide(struct disco_ctx *ctx, struct ben_or_state *s,
                   uint32_t value, uint32_t round)
{
    s->decided = true;
    s->decision = value;
    s->decided_round = round;
    disco_decide(ctx, value);
    send_msg(ctx, DECIDE, round, value);
}

static void start_round(struct disco_ctx *ctx, struct ben_or_state *s,
                        uint32_t round);

/* Second phase: enough proposals of this round? */
static void try_proposals(struct disco_ctx *ctx, struct ben_or_state *s)
{
    const uint16_t *p = s->proposals[s->round - 1];
    if (!s->proposing || (uint32_t)p[0] + p[1] + p[2] < quorum(ctx))
        return;
    uint32_t n = disco_nodes(ctx), f = tolerated(n, disco_param(ctx, P_F));
    for (uint32_t v = 0; v < 2; v++)
        if (p[v] >= f + 1) {
            decide(ctx, s, v, s->round);
            return;
        }
    if (p[0] > 0)
        s->x = 0;
    else if (p[1] > 0)
        s->x = 1;
    else
        s->x = (uint32_t)(disco_random(ctx) & 1);
    start_round(ctx, s, s->round + 1);
}

/* First phase: enough reports of this round? */
static void try_reports(struct disco_ctx *ctx, struct ben_or_state *s)
{
    const uint16_t *r = s->reports[s->round - 1];
    if (s->proposing || (uint32_t)r[0] + r[1] < quorum(ctx))
        return;
    uint32_t n = disco_nodes(ctx), v = NO_VALUE;
    if (2u * r[0] > n)
        v = 0;
    else if (2u * r[1] > n)
        v = 1;
    s->proposing = true;
    s->proposals[s->round - 1][v]++;
    send_msg(ctx, PROPOSE, s->round, v);
    try_proposals(ctx, s);
}

static void start_round(struct disco_ctx *ctx, struct ben_or_state *s,
                        uint32_t round)
{
    if (round > MAX_ROUNDS) {
        s->gave_up = true;
        return;
    }
    s->round = round;
    s->proposing = false;
    s->reports[round - 1][s->x]++;
    send_msg(ctx, REPORT, round, s->x);
    try_reports(ctx, s);
}

static void ben_or_init(struct disco_ctx *ctx, void *state)
{
    struct ben_or_state *s = state;
    /* No `value` attribute: inputs alternate 0, 1, 0, ... by index. */
    if (!disco_input(ctx, "value", &s->input))
        s->input = disco_self(ctx) % 2;
    s->input = s->input != 0; /* 0 or 1 (declared); kept for direct callers */
    s->x = (uint32_t)s->input;
    start_round(ctx, s, 1);
}

static void ben_or_on_message(struct disco_ctx *ctx, void *state,
                              uint32_t port, unsigned kind,
                              const void *payload, size_t len)
{
    struct ben_or_state *s = state;
    struct ben_or_msg m;
    if (s->decided || s->gave_up || len != sizeof m)
        return;
    memcpy(&m, payload, sizeof m);
    if (kind == DECIDE) {
        decide(ctx, s, m.value, m.round);
        return;
    }
    /* Earlier rounds are over for us; later ones wait in the counts. */
    if (m.round < s->round || m.round > MAX_ROUNDS || m.round == 0)
        return;
    if (kind == REPORT && m.value < 2) {
        s->reports[m.round - 1][m.value]++;
        if (m.round == s->round)
            try_reports(ctx, s);
    } else if (kind == PROPOSE && m.value <= NO_VALUE) {
        s->proposals[m.round - 1][m.value]++;
        if (m.round == s->round)
            try_proposals(ctx, s);
    }
}

static void ben_or_format_state(const void *state, char *buf, size_t len)
{
    const struct ben_or_state *s = state;
    if (s->decided)
        snprintf(buf, len, "decided %lld (round %u)", (long long)s->decision,
                 s->decided_round);
    else if (s->gave_up)
        snprintf(buf, len, "gave up after %u rounds", MAX_ROUNDS);
    else
        snprintf(buf, len, "r=%u %s x=%u", s->round,
                 s->proposing ? "propose" : "report", s->x);
}

/* ---- properties: oracles over the kernel's crashes and decisions ---- */

static uint32_t view_f(const struct disco_view *view)
{
    return tolerated(disco_view_nodes(view), disco_view_param(view, P_F));
}

/* Uniform agreement: no two decisions differ, crashed deciders included
 * (stronger than agreement among live deciders, and Ben-Or has it). */
static bool check_agreement(const struct disco_view *view, char *detail,
                            size_t len)
{
    return disco_oracle_uniform_agreement(view, detail, len);
}

static int64_t input_of(const void *state)
{
    return ((const struct ben_or_state *)state)->input;
}

/* Validity: every decision is some process's input; in particular when
 * all inputs are v, every decision is v. */
static bool check_validity(const struct disco_view *view, char *detail,
                           size_t len)
{
    return disco_oracle_decisions_are_inputs(view, input_of, detail, len);
}

/* Termination: every live process decided, exactly once. */
static bool check_termination(const struct disco_view *view, char *detail,
                              size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (disco_view_crashed(view, v))
            continue;
        if (disco_view_decision_of(view, v) == SIZE_MAX) {
            const struct ben_or_state *s = disco_view_state(view, v);
            snprintf(detail, len, "live node %u never decided (round %u%s)",
                     v, s->round, s->gave_up ? ", gave up" : "");
            return false;
        }
    }
    if (!disco_oracle_decides_at_most_once(view, detail, len))
        return false;
    snprintf(detail, len, "every live process decided once");
    return true;
}

/* The theorem's hypothesis: n > 2f and at most f crashes. */
static bool check_resilience(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view), f = view_f(view), crashed = 0;
    for (uint32_t v = 0; v < n; v++)
        crashed += disco_view_crashed(view, v);
    snprintf(detail, len, "n = %u, f = %u, %u crashed", n, f, crashed);
    return n > 2 * f && crashed <= f;
}

static void ben_or_result(const struct disco_view *view, char *buf,
                          size_t len)
{
    uint32_t decided = 0, rounds = 0;
    int64_t value = -1;
    bool split = false;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct ben_or_state *s = disco_view_state(view, v);
        if (disco_view_crashed(view, v) || !s->decided)
            continue;
        split = split || (decided > 0 && s->decision != value);
        value = s->decision;
        decided++;
        rounds = s->decided_round > rounds ? s->decided_round : rounds;
    }
    if (decided == 0)
        snprintf(buf, len, "\"decided\": 0");
    else if (split)
        snprintf(buf, len, "\"decided\": %u, \"decision\": null, "
                 "\"round\": %u", decided, rounds);
    else
        snprintf(buf, len, "\"decided\": %u, \"decision\": %lld, "
                 "\"round\": %u", decided, (long long)value, rounds);
}

static const struct disco_param ben_or_params[] = {
    {"f", -1, -1, 65535,
     "crash failures tolerated: wait for n-f messages per phase, decide on "
     "f+1 proposals (-1: (n-1)/2); needs n > 2f"},
};

static const struct disco_input_decl ben_or_inputs[] = {
    {"value", 0, 1, "the node's input, 0 or 1 (else the node index mod 2)"},
};

static const char *const ben_or_kinds[] = {"report", "propose", "decide"};

static const struct disco_property ben_or_properties[] = {
    {"agreement", "no two processes decide differently (crashed deciders "
     "included)", DISCO_PROPERTY_FINAL, check_agreement, false},
    {"validity", "every decision is some process's input (all inputs v: "
     "the decision is v)", DISCO_PROPERTY_FINAL, check_validity, false},
    {"termination", "every live process decided exactly once",
     DISCO_PROPERTY_FINAL, check_termination, false},
    {"resilience", "n > 2f and at most f crashes (the theorem's "
     "hypothesis: when it fails, termination may too)",
     DISCO_PROPERTY_FINAL, check_resilience, false},
};

const struct disco_algorithm disco_alg_ben_or = {
    .name = "ben-or",
    .family = "consensus",
    .summary = "Ben-Or: randomized asynchronous binary consensus with f "
               "crash failures, n > 2f",
    .description =
        "Asynchronous, complete graph. Inputs are binary (node attribute "
        "`value`; without it, node index mod 2). Rounds of two phases: "
        "report(r, x) to all, wait for n-f reports; if more than n/2 carry "
        "v, propose(r, v), else propose(r, ?); wait for n-f proposals; at "
        "least f+1 propose v: decide v; at least one proposes v: x := v; "
        "else x := a coin flip from the process's own random stream. A "
        "process that decides sends decide(v) to all and stops; a process "
        "receiving decide(v) first decides v, forwards it and stops, so the "
        "run ends by itself. Tolerates f crashes (--crash NODE@T) when "
        "n > 2f; with n <= 2f no value ever gets a majority of n-f reports "
        "and nobody decides. Gives up after 512 rounds.",
    .messages = "per round at most 2n(n-1) (report, propose), plus at most "
                "n(n-1) decide; all inputs equal: one round",
    .time = "round 1 when all inputs are equal; otherwise a random number "
            "of rounds, finite with probability 1 (expected exponential in "
            "n in the worst case with local coins)",
    .source = "Ben-Or, PODC 1983; Attiya and Welch, Distributed Computing, "
              "sec. 14.3; Aspnes, Randomized protocols for asynchronous "
              "consensus (2003), sec. 3.1",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_ASYNC,
        .topology = "complete:5",
        .initiators = "all",
        .faults = "up to f crash failures (--crash), n > 2f",
        .resilience_param = "f",
        .resilience_factor = 2,
    },
    .params = ben_or_params,
    .param_count = sizeof ben_or_params / sizeof ben_or_params[0],
    .inputs = ben_or_inputs,
    .input_count = sizeof ben_or_inputs / sizeof ben_or_inputs[0],
    .message_kinds = ben_or_kinds,
    .kind_count = 3,
    .properties = ben_or_properties,
    .property_count = sizeof ben_or_properties / sizeof ben_or_properties[0],
    .state_size = sizeof(struct ben_or_state),
    .init = ben_or_init,
    .on_message = ben_or_on_message,
    .format_state = ben_or_format_state,
    .result = ben_or_result,
};
