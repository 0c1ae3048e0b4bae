/*
 * chandra_toueg.c - consensus with the eventually strong failure detector
 * <>S by the rotating coordinator (Chandra and Toueg, "Unreliable failure
 * detectors for reliable distributed systems", J. ACM 43(2), 1996, fig. 6):
 * asynchronous, complete graph, crash-stop, a majority correct (n > 2f).
 *
 * Each process p holds an estimate (its input at first) and the round ts
 * in which it last adopted it (0 at first), and runs rounds r = 1, 2, ...
 * with coordinator c = (r-1) mod n (fig. 6 names processes 1..n and
 * writes c = (r mod n)+1; the shift only makes node 0 coordinate round 1):
 *
 *   1. p sends estimate(r, ts, estimate) to c;
 *   2. c waits for ceil((n+1)/2) estimates of round r, adopts one with the
 *      largest ts and sends propose(r, estimate) to all;
 *   3. p waits until the proposal of round r arrives or its failure
 *      detector suspects c: on the proposal it adopts it (ts := r) and
 *      sends ack(r) to c, on a suspicion it sends nack(r) to c; p then
 *      goes to round r+1, except c:
 *   4. c waits for ceil((n+1)/2) replies; when they are all acks it
 *      R-broadcasts decide(r, estimate); it goes to round r+1 otherwise.
 *
 * A process that R-delivers decide(v) decides v and stops.  The reliable
 * broadcast is diffusion: the coordinator sends decide to all others; a
 * process that receives its first decide forwards it to all but its
 * originator, then decides, so the decision reaches every correct process
 * even when its originator crashes half-way.  One broadcast costs exactly
 * (n-1) + (n-1)(n-2) = (n-1)^2 messages; k of them (k coordinators that
 * decided before hearing of a decision) n(n-2) + k, when nobody crashes.
 *
 * Nobody waits for the decision: a process that has replied goes on to
 * the next round at once, so in a fault-free run round 2 is under way when
 * the decide of round 1 arrives (its proposal then dies on arrival).
 *
 * The coordinator plays its own parts locally (no self-sends): it counts
 * its own estimate and its own ack.  Messages of rounds a process has not
 * reached yet are kept, per round, until it gets there; those of rounds it
 * has left are ignored.  A coordinator counts each sender's estimate and
 * reply once per round: counting a duplicate (--dup) would let a minority
 * pass for a majority and break agreement.  Beyond MAX_ROUNDS rounds a
 * process gives up
 * (before <>S stabilises, false suspicions cost a round every 50 to 100
 * ticks with the default delays and poll period: T up to some 50,000
 * ticks is fine; a larger `poll` slows the rounds down).
 *
 * The failure detector is the kernel's (disco_suspects, set with
 * --detector); it sends nothing, so a process waiting in phase 3 polls it
 * every `poll` ticks.  The algorithm cannot ask for a detector itself: a
 * run without one never suspects anybody, which is fine until a
 * coordinator crashes, and then the processes wait for its proposal for
 * ever (FLP).  So that such a run ends rather than polling until the
 * event bound, a poll at or after tick `horizon` that suspects nobody is
 * the process's last (messages are still handled): the run then ends
 * undecided and `termination` fails, naming the process and the
 * coordinator it was waiting for.
 */
#include <stdio.h>
#include <string.h>

#include "complete.h"
#include "disco.h"

enum { ESTIMATE, PROPOSE, ACK, NACK, DECIDE };
enum { P_VALUES, P_POLL, P_HORIZON };

#define MAX_ROUNDS 1024u

/* Every message: its round, an extra field (estimate: ts; decide: the
 * originator's index) and a value (estimate, propose, decide). */
struct ct_msg {
    uint32_t round;
    uint32_t aux;
    int64_t value;
};

/* What a process has received for one round (kept until it gets there). */
struct ct_round {
    int64_t best;        /* coordinator: an estimate with the largest ts */
    int64_t proposal;    /* the coordinator's proposal, when in */
    uint16_t best_ts;    /* coordinator: that ts */
    uint16_t estimates;  /* coordinator: estimates, its own included */
    uint16_t acks;       /* coordinator: acks, its own included */
    uint16_t nacks;      /* coordinator: nacks */
    bool has_proposal;   /* the proposal of this round arrived */
};

/* Per peer (out-port): the rounds for which its estimate and its reply
 * were counted, so that a duplicated message (--dup) is not counted twice
 * towards a majority. */
struct ct_port {
    uint64_t estimate_seen[MAX_ROUNDS / 64];
    uint64_t reply_seen[MAX_ROUNDS / 64];
};

/* Marks round r (1..MAX_ROUNDS) in a bit set; false when already marked. */
static bool first_time(uint64_t *set, uint32_t round)
{
    uint64_t bit = 1ull << ((round - 1) % 64);
    if (set[(round - 1) / 64] & bit)
        return false;
    set[(round - 1) / 64] |= bit;
    return true;
}

enum ct_phase {
    WAIT_ESTIMATES, /* coordinator, phase 2 */
    WAIT_PROPOSAL,  /* phase 3: the proposal or a suspicion */
    WAIT_REPLIES,   /* coordinator, phase 4 */
    DONE,           /* decided */
    GAVE_UP,        /* passed MAX_ROUNDS undecided */
};

struct ct_state {
    int64_t input;          /* this process's proposal to consensus */
    int64_t estimate;       /* current estimate */
    uint32_t ts;            /* round in which it was last adopted (0: input) */
    uint32_t round;         /* current round, from 1 */
    uint8_t phase;          /* enum ct_phase */
    bool polling;           /* a poll timer for this round is pending */
    bool idle;              /* stopped polling at the horizon */
    int64_t decision;       /* the decided value (phase DONE) */
    uint32_t decided_round; /* round of the decide it delivered */
    uint32_t suspicions;    /* polls that suspected the coordinator */
    struct ct_round rounds[MAX_ROUNDS]; /* round r at index r-1 */
};

static uint32_t majority(uint32_t n)
{
    return n / 2 + 1; /* ceil((n+1)/2) */
}

static uint32_t coordinator(uint32_t n, uint32_t round)
{
    return (round - 1) % n;
}

static void send_to(struct disco_ctx *ctx, uint32_t node, unsigned kind,
                    uint32_t round, uint32_t aux, int64_t value)
{
    struct ct_msg m = {round, aux, value};
    disco_send(ctx, complete_port_to(disco_self(ctx), node), kind, &m,
               sizeof m);
}

static void start_round(struct disco_ctx *ctx, struct ct_state *s,
                        uint32_t round);

/* Phase 4: with a majority of replies, decide if they are all acks. */
static void try_replies(struct disco_ctx *ctx, struct ct_state *s)
{
    const struct ct_round *r = &s->rounds[s->round - 1];
    uint32_t need = majority(disco_nodes(ctx));
    if (s->phase != WAIT_REPLIES || (uint32_t)r->acks + r->nacks < need)
        return;
    if (r->acks < need) {
        start_round(ctx, s, s->round + 1);
        return;
    }
    /* R-broadcast: send to all, then deliver to oneself. */
    struct ct_msg m = {s->round, disco_self(ctx), s->estimate};
    disco_send_all(ctx, DECIDE, &m, sizeof m);
    s->phase = DONE;
    s->decision = s->estimate;
    s->decided_round = s->round;
    disco_decide(ctx, s->decision);
}

/* Phase 2: with a majority of estimates, propose the freshest one; then
 * the coordinator's own phase 3 (it receives its proposal and acks it). */
static void try_estimates(struct disco_ctx *ctx, struct ct_state *s)
{
    struct ct_round *r = &s->rounds[s->round - 1];
    if (s->phase != WAIT_ESTIMATES ||
        r->estimates < majority(disco_nodes(ctx)))
        return;
    s->estimate = r->best;
    struct ct_msg m = {s->round, 0, s->estimate};
    disco_send_all(ctx, PROPOSE, &m, sizeof m);
    s->ts = s->round;
    r->acks++;
    s->phase = WAIT_REPLIES;
    try_replies(ctx, s);
}

/* Phase 3 at a process other than the coordinator: adopt a proposal that
 * is in, or wait for it, polling the detector. */
static void try_proposal(struct disco_ctx *ctx, struct ct_state *s)
{
    const struct ct_round *r = &s->rounds[s->round - 1];
    if (s->phase != WAIT_PROPOSAL)
        return;
    if (r->has_proposal) {
        s->estimate = r->proposal;
        s->ts = s->round;
        send_to(ctx, coordinator(disco_nodes(ctx), s->round), ACK, s->round,
                0, 0);
        start_round(ctx, s, s->round + 1);
        return;
    }
    if (!s->polling) {
        s->polling = true;
        disco_set_timer(ctx, (disco_time_t)disco_param(ctx, P_POLL),
                        s->round);
    }
}

/* The coordinator's record of an estimate (ts, value) for round r. */
static void count_estimate(struct ct_round *r, uint32_t ts, int64_t value)
{
    /* The first with the largest ts wins: fig. 6 says "select one". */
    if (r->estimates == 0 || ts > r->best_ts) {
        r->best_ts = (uint16_t)ts;
        r->best = value;
    }
    r->estimates++;
}

static void start_round(struct disco_ctx *ctx, struct ct_state *s,
                        uint32_t round)
{
    if (round > MAX_ROUNDS) {
        s->phase = GAVE_UP;
        return;
    }
    uint32_t n = disco_nodes(ctx), c = coordinator(n, round);
    s->round = round;
    s->polling = false;
    if (c == disco_self(ctx)) {
        count_estimate(&s->rounds[round - 1], s->ts, s->estimate);
        s->phase = WAIT_ESTIMATES;
        try_estimates(ctx, s);
    } else {
        send_to(ctx, c, ESTIMATE, round, s->ts, s->estimate);
        s->phase = WAIT_PROPOSAL;
        try_proposal(ctx, s);
    }
}

static void ct_init(struct disco_ctx *ctx, void *state)
{
    struct ct_state *s = state;
    /* No `value` attribute: node i proposes i mod `values`. */
    if (!disco_input(ctx, "value", &s->input))
        s->input = (int64_t)(disco_self(ctx) % disco_param(ctx, P_VALUES));
    s->estimate = s->input;
    s->ts = 0;
    start_round(ctx, s, 1);
}

static void ct_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct ct_state *s = state;
    struct ct_msg m;
    if (s->phase == DONE || len != sizeof m)
        return;
    memcpy(&m, payload, sizeof m);
    uint32_t self = disco_self(ctx), n = disco_nodes(ctx);
    if (kind == DECIDE) {
        /* R-deliver: forward to all but the originator, then decide. */
        uint32_t origin =
            m.aux < n && m.aux != self ? m.aux : complete_node_at(self, port);
        disco_send_all_except(ctx, complete_port_to(self, origin), DECIDE, &m,
                              sizeof m);
        s->phase = DONE;
        s->decision = m.value;
        s->decided_round = m.round;
        disco_decide(ctx, m.value);
        return;
    }
    if (s->phase == GAVE_UP || m.round == 0 || m.round > MAX_ROUNDS ||
        m.round < s->round)
        return;
    struct ct_round *r = &s->rounds[m.round - 1];
    struct ct_port *peer = disco_port_state(ctx, port);
    bool mine = coordinator(n, m.round) == self;
    bool now = m.round == s->round;
    switch (kind) {
    case ESTIMATE:
        if (!mine || !first_time(peer->estimate_seen, m.round))
            return;
        count_estimate(r, m.aux, m.value);
        if (now)
            try_estimates(ctx, s);
        break;
    case PROPOSE:
        if (complete_node_at(self, port) != coordinator(n, m.round) ||
            r->has_proposal)
            return;
        r->has_proposal = true;
        r->proposal = m.value;
        if (now)
            try_proposal(ctx, s);
        break;
    case ACK:
    case NACK:
        if (!mine || !first_time(peer->reply_seen, m.round))
            return;
        if (kind == ACK)
            r->acks++;
        else
            r->nacks++;
        if (now)
            try_replies(ctx, s);
        break;
    default:
        break;
    }
}

/* A poll of the detector while waiting for the proposal of round `tag`. */
static void ct_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct ct_state *s = state;
    if (s->phase != WAIT_PROPOSAL || tag != s->round)
        return; /* a stale poll: that round is over */
    s->polling = false;
    uint32_t c = coordinator(disco_nodes(ctx), s->round);
    if (disco_suspects(ctx, c)) {
        s->suspicions++;
        send_to(ctx, c, NACK, s->round, 0, 0);
        start_round(ctx, s, s->round + 1);
        return;
    }
    if (disco_now(ctx) >= (disco_time_t)disco_param(ctx, P_HORIZON)) {
        s->idle = true;
        return;
    }
    try_proposal(ctx, s);
}

static void ct_format_state(const void *state, char *buf, size_t len)
{
    const struct ct_state *s = state;
    switch (s->phase) {
    case DONE:
        snprintf(buf, len, "decided %lld (round %u)", (long long)s->decision,
                 s->decided_round);
        break;
    case GAVE_UP:
        snprintf(buf, len, "gave up after %u rounds", MAX_ROUNDS);
        break;
    case WAIT_ESTIMATES:
        snprintf(buf, len, "r=%u coordinator: estimates est=%lld ts=%u",
                 s->round, (long long)s->estimate, s->ts);
        break;
    case WAIT_REPLIES:
        snprintf(buf, len, "r=%u coordinator: replies est=%lld ts=%u",
                 s->round, (long long)s->estimate, s->ts);
        break;
    default:
        snprintf(buf, len, "r=%u waits for proposal%s est=%lld ts=%u",
                 s->round, s->idle ? " (idle)" : "", (long long)s->estimate,
                 s->ts);
        break;
    }
}

/* ---- properties: oracles over the kernel's crashes and decisions ---- */

/* Uniform agreement: no two decisions differ, crashed deciders included
 * (Chandra-Toueg has it: a value decided is locked by a majority). */
static bool check_agreement(const struct disco_view *view, char *detail,
                            size_t len)
{
    return disco_oracle_uniform_agreement(view, detail, len);
}

static int64_t input_of(const void *state)
{
    return ((const struct ct_state *)state)->input;
}

/* Validity: every decision is some process's input. */
static bool check_validity(const struct disco_view *view, char *detail,
                           size_t len)
{
    return disco_oracle_decisions_are_inputs(view, input_of, detail, len);
}

/* Termination: every live process decided; when one did not, say where it
 * waits (and whether its detector ever suspected anybody). */
static bool check_termination(const struct disco_view *view, char *detail,
                              size_t len)
{
    uint32_t n = disco_view_nodes(view), live = 0;
    for (uint32_t v = 0; v < n; v++) {
        if (disco_view_crashed(view, v))
            continue;
        live++;
        if (disco_view_decision_of(view, v) != SIZE_MAX)
            continue;
        const struct ct_state *s = disco_view_state(view, v);
        uint32_t c = coordinator(n, s->round ? s->round : 1);
        if (s->phase == GAVE_UP)
            snprintf(detail, len, "live node %u never decided: gave up after "
                     "%u rounds", v, MAX_ROUNDS);
        else if (s->phase == WAIT_PROPOSAL)
            snprintf(detail, len, "live node %u never decided: round %u, "
                     "waits for the proposal of coordinator %u%s", v,
                     s->round, c,
                     !disco_view_has_detector(view)
                         ? " and never suspected anybody (--detector none)"
                         : "");
        else
            snprintf(detail, len, "live node %u never decided: coordinator "
                     "of round %u, waits for a majority (%u) of %s", v,
                     s->round, majority(n),
                     s->phase == WAIT_ESTIMATES ? "estimates" : "replies");
        return false;
    }
    snprintf(detail, len, "all %u live processes decided", live);
    return true;
}

/* Uniform integrity: no process decides twice. */
static bool check_integrity(const struct disco_view *view, char *detail,
                            size_t len)
{
    return disco_oracle_decides_at_most_once(view, detail, len);
}

/* "decided": live processes that decided; "decision" (null when they
 * disagree); "round": the latest round whose decide they delivered;
 * "rounds": the furthest round a live process reached. */
static void ct_result(const struct disco_view *view, char *buf, size_t len)
{
    uint32_t decided = 0, round = 0, rounds = 0;
    int64_t value = 0;
    bool split = false;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct ct_state *s = disco_view_state(view, v);
        if (disco_view_crashed(view, v))
            continue;
        rounds = s->round > rounds ? s->round : rounds;
        if (s->phase != DONE)
            continue;
        split = split || (decided > 0 && s->decision != value);
        value = s->decision;
        decided++;
        round = s->decided_round > round ? s->decided_round : round;
    }
    if (decided == 0)
        snprintf(buf, len, "\"decided\": 0, \"rounds\": %u", rounds);
    else if (split)
        snprintf(buf, len, "\"decided\": %u, \"decision\": null, "
                 "\"round\": %u, \"rounds\": %u", decided, round, rounds);
    else
        snprintf(buf, len, "\"decided\": %u, \"decision\": %lld, "
                 "\"round\": %u, \"rounds\": %u", decided, (long long)value,
                 round, rounds);
}

static const struct disco_param ct_params[] = {
    {"values", 2, 1, 1000000000,
     "without a node attribute `value`, node i proposes i mod values "
     "(2: binary)"},
    {"poll", 10, 1, 1000000,
     "ticks between two polls of the failure detector while waiting for "
     "the coordinator's proposal"},
    {"horizon", 1000000, 1, 1000000000000,
     "tick after which processes stop polling the detector, so that a "
     "blocked run ends (keep it beyond the detector's stabilisation time)"},
};

static const struct disco_input_decl ct_inputs[] = {
    {"value", INT64_MIN, INT64_MAX,
     "the node's proposal, any integer (else node i proposes i mod "
     "--param values)"},
};

static const char *const ct_kinds[] = {"estimate", "propose", "ack", "nack",
                                       "decide"};

static const struct disco_property ct_properties[] = {
    {"agreement", "no two processes decide differently (crashed deciders "
     "included)", DISCO_PROPERTY_FINAL, check_agreement, false},
    {"validity", "every decision is some process's input",
     DISCO_PROPERTY_FINAL, check_validity, false},
    {"termination", "every correct (live) process decides; needs <>S "
     "(--detector eventually-strong:T) and a majority of correct processes",
     DISCO_PROPERTY_FINAL, check_termination, true},
    {"integrity", "no process decides twice", DISCO_PROPERTY_FINAL,
     check_integrity, false},
};

const struct disco_algorithm disco_alg_chandra_toueg = {
    .name = "chandra-toueg",
    .family = "consensus",
    .summary = "Chandra-Toueg: rotating-coordinator consensus with the "
               "eventually strong failure detector <>S, n > 2f crashes",
    .description =
        "Asynchronous, complete graph, crash-stop, a majority correct. Inputs "
        "are integers (node attribute `value`; without it node i proposes "
        "i mod `values`). Round r has coordinator (r-1) mod n: every process "
        "sends estimate(r, ts, v) to it; the coordinator waits for a "
        "majority, adopts an estimate with the largest ts and proposes it "
        "to all; a process that gets the proposal adopts it (ts := r) and "
        "acks, one whose failure detector suspects the coordinator (polled "
        "every `poll` ticks) nacks; both go to round r+1. A coordinator "
        "whose first majority of replies are all acks R-broadcasts "
        "decide(v): receivers forward it to all but its originator, decide "
        "and stop. Its detector is <>S stable from tick 0 unless "
        "--detector says otherwise (eventually-strong:T lies until T); "
        "with --detector none a crashed coordinator blocks everyone and, "
        "once processes stop polling at tick `horizon`, `termination` "
        "fails. With n <= 2f crashes no majority answers and it blocks. "
        "Gives up after 1024 rounds.",
    .messages = "no crash, round 1's coordinator unsuspected, constant "
                "delays: exactly (2n-3) estimate + 2(n-1) propose + (n-1) "
                "ack + (n-1)^2 decide = (n-1)(n+3)+n-2 (n >= 3; round 2 "
                "starts before the decision arrives); each round at most "
                "3(n-1); k decision broadcasts n(n-2)+k decide",
    .time = "round 1 when its coordinator is correct and unsuspected (3 "
            "message delays to the first decision, 4 to the last); "
            "otherwise at most n rounds after the detector stabilises",
    .source = "T. D. Chandra and S. Toueg, Unreliable failure detectors for "
              "reliable distributed systems, J. ACM 43(2):225-267, 1996, "
              "fig. 6 (consensus with <>S, f < n/2: the rotating "
              "coordinator); Fokkink, Distributed Algorithms: an Intuitive "
              "Approach, the chapter on failure detectors",
    .message_bound = NULL, /* rounds are unbounded until <>S stabilises */
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_ASYNC,
        .topology = "complete:5",
        .initiators = "all",
        .faults = "crash-stop of f < n/2 processes (--crash), with the "
                  "failure detector <>S (default eventually-strong:0; "
                  "--detector eventually-strong:T to stabilise later); "
                  "duplication is harmless; loss keeps agreement, not "
                  "termination",
        .detector = "eventually-strong:0",
    },
    .params = ct_params,
    .param_count = sizeof ct_params / sizeof ct_params[0],
    .inputs = ct_inputs,
    .input_count = sizeof ct_inputs / sizeof ct_inputs[0],
    .message_kinds = ct_kinds,
    .kind_count = sizeof ct_kinds / sizeof ct_kinds[0],
    .properties = ct_properties,
    .property_count = sizeof ct_properties / sizeof ct_properties[0],
    .state_size = sizeof(struct ct_state),
    .port_state_size = sizeof(struct ct_port),
    .init = ct_init,
    .on_message = ct_on_message,
    .on_timer = ct_on_timer,
    .format_state = ct_format_state,
    .result = ct_result,
};
