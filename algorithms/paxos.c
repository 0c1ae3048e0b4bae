/*
 * paxos.c - single-decree Paxos (Lamport, "Paxos made simple", 2001):
 * asynchronous consensus among processes that crash and recover and
 * channels that lose and duplicate messages.
 *
 * Every process is an acceptor and a learner; the initiators are also
 * proposers, each proposing its own value (node attribute `value`, else
 * 100 + its index), at time 0 or at its node attribute `start`.
 * Ballot numbers are unique per proposer: ballot = round * n + index,
 * round >= 1 (0 means "none").
 *
 *   Phase 1. A proposer picks a new ballot b and sends prepare(b) to every
 *   acceptor.  An acceptor that has promised nothing >= b promises b and
 *   answers promise(b, accepted_b, accepted_v), its last accepted pair.
 *   Phase 2. Having promises from a majority, the proposer sends
 *   accept(b, v) with v the value of the highest accepted_b among them, or
 *   its own value when none accepted anything.  An acceptor that has not
 *   promised a ballot above b accepts (b, v) and tells every learner with
 *   accepted(b, v).  A learner learns v once a majority of acceptors
 *   accepted the same ballot b.
 *
 * A proposer that has not learnt a value after `timeout` plus a random
 * backoff in [0, timeout) (from its own stream) retries with a round
 * above every ballot it has seen, at most `attempts` times in all, so that
 * every run ends.  The proposer's own acceptor and learner are served
 * locally (no self-sends): one proposer on n processes with no fault costs
 * n-1 prepare, n-1 promise, n-1 accept and n(n-1) accepted messages.
 *
 * Acceptor state is what must survive a crash (stable storage): the kernel
 * keeps a crashed node's state, so a recovered node still remembers its
 * promise and its accepted pair.  A recovered proposer that has not learnt
 * a value starts a new attempt (if it has attempts left).
 *
 * Ground truth for the oracles: each acceptor also records the history of
 * the pairs it accepted (ballots only increase, and each is recorded once).
 * A value is chosen when a majority of acceptors accepted the same ballot;
 * the histories never forget, so "at some time" is checked at the end.
 * Liveness is not a property: no deterministic protocol guarantees it in an
 * asynchronous system with a crash (FLP), and duelling proposers may
 * exhaust their attempts; `result` says whether a value was chosen.
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { PREPARE, PROMISE, ACCEPT, ACCEPTED };
enum { P_TIMEOUT, P_ATTEMPTS };

/* Masks of acceptors have one bit per out-port and bit n-1 for the
 * process itself: at most 64 processes. */
#define PAXOS_MAX_NODES 64u
/* Accepted pairs an acceptor remembers for the oracles, and ballots a
 * learner tracks at once. */
#define PAXOS_HISTORY 40u
#define PAXOS_SLOTS 16u

enum paxos_phase {
    IDLE,      /* not a proposer, or not started */
    PREPARING, /* sent prepare(ballot), collects promises */
    ACCEPTING, /* sent accept(ballot, proposal), waits to learn */
    GAVE_UP,   /* used up its attempts without learning */
};

struct paxos_pair {
    uint64_t ballot;
    int64_t value;
};

/* Phase-2 votes for one ballot, as a learner counts them. */
struct paxos_slot {
    uint64_t ballot;
    int64_t value;
    uint64_t voters; /* acceptors known to have accepted this ballot */
};

struct paxos_state {
    /* proposer */
    enum paxos_phase phase;
    int64_t input;        /* this proposer's own value */
    uint64_t ballot;      /* ballot of the current attempt */
    int64_t proposal;     /* value sent in accept(ballot, .) */
    uint64_t promised_by; /* acceptors that promised `ballot` */
    uint64_t best_b;      /* highest accepted ballot among the promises */
    int64_t best_v;       /* ... and its value */
    uint32_t attempts;    /* attempts started */
    uint32_t generation;  /* bumped per attempt: older timers are stale */
    /* acceptor (survives crashes: the kernel keeps it) */
    uint64_t promised;    /* highest ballot promised or accepted, 0: none */
    uint64_t max_seen;    /* highest ballot seen in any message */
    struct paxos_pair accepted; /* last accepted pair, ballot 0: none */
    uint32_t history_len; /* pairs in history (may exceed PAXOS_HISTORY) */
    struct paxos_pair history[PAXOS_HISTORY]; /* every accepted pair, for
                                                 the oracles only */
    /* learner */
    bool learned;
    int64_t learned_v;
    struct paxos_slot slots[PAXOS_SLOTS];
};

struct promise_msg {
    uint64_t ballot;
    struct paxos_pair accepted;
};

/* ---- helpers ---- */

static uint32_t self_bit(const struct disco_ctx *ctx)
{
    return disco_out_degree(ctx); /* one past the ports */
}

/* Acceptor `bit` joins `mask` (beyond 64 processes nobody counts: the
 * property `size` says so). */
static void add_voter(uint64_t *mask, uint32_t bit)
{
    if (bit < 64)
        *mask |= 1ull << bit;
}

static bool majority(const struct disco_ctx *ctx, uint64_t mask)
{
    uint32_t count = 0;
    for (; mask; mask &= mask - 1)
        count++;
    return count > disco_nodes(ctx) / 2;
}

static void see(struct paxos_state *s, uint64_t ballot)
{
    if (ballot > s->max_seen)
        s->max_seen = ballot;
}

static void on_accepted(struct disco_ctx *ctx, struct paxos_state *s,
                        uint32_t bit, const struct paxos_pair *p);
static void on_promise(struct disco_ctx *ctx, struct paxos_state *s,
                       uint32_t bit, const struct promise_msg *m);

/* ---- acceptor ---- */

static void on_prepare(struct disco_ctx *ctx, struct paxos_state *s,
                       uint32_t port, uint64_t ballot)
{
    see(s, ballot);
    /* Promise unless promised higher.  An equal ballot is promised again:
     * harmless (it was already promised, or accepted when the accept
     * overtook the prepare on a non-FIFO channel), and it keeps the count
     * of promises independent of the schedule. */
    if (ballot < s->promised)
        return;
    s->promised = ballot;
    struct promise_msg m = {ballot, s->accepted};
    if (port == DISCO_NO_PORT)
        on_promise(ctx, s, self_bit(ctx), &m);
    else
        disco_send(ctx, port, PROMISE, &m, sizeof m);
}

static void on_accept(struct disco_ctx *ctx, struct paxos_state *s,
                      const struct paxos_pair *p)
{
    see(s, p->ballot);
    if (p->ballot < s->promised || p->ballot == s->accepted.ballot)
        return; /* promised higher, or a duplicate */
    s->promised = p->ballot;
    s->accepted = *p;
    if (s->history_len < PAXOS_HISTORY)
        s->history[s->history_len] = *p;
    s->history_len++;
    disco_send_all(ctx, ACCEPTED, p, sizeof *p);
    on_accepted(ctx, s, self_bit(ctx), p);
}

/* ---- learner ---- */

static struct paxos_slot *slot_for(struct paxos_state *s, uint64_t ballot)
{
    struct paxos_slot *lowest = &s->slots[0];
    for (unsigned i = 0; i < PAXOS_SLOTS; i++) {
        if (s->slots[i].ballot == ballot)
            return &s->slots[i];
        if (s->slots[i].ballot < lowest->ballot)
            lowest = &s->slots[i];
    }
    /* Reuse the lowest ballot's slot: higher ballots are the live ones. */
    memset(lowest, 0, sizeof *lowest);
    lowest->ballot = ballot;
    return lowest;
}

static void on_accepted(struct disco_ctx *ctx, struct paxos_state *s,
                        uint32_t bit, const struct paxos_pair *p)
{
    see(s, p->ballot);
    struct paxos_slot *slot = slot_for(s, p->ballot);
    slot->value = p->value;
    add_voter(&slot->voters, bit);
    if (!s->learned && majority(ctx, slot->voters)) {
        s->learned = true;
        s->learned_v = p->value;
        disco_decide(ctx, p->value);
    }
}

/* ---- proposer ---- */

static void set_retry_timer(struct disco_ctx *ctx, struct paxos_state *s)
{
    uint64_t t = (uint64_t)disco_param(ctx, P_TIMEOUT);
    disco_set_timer(ctx, t + disco_random_below(ctx, t), s->generation);
}

static void start_attempt(struct disco_ctx *ctx, struct paxos_state *s)
{
    uint64_t n = disco_nodes(ctx);
    uint64_t round = s->max_seen / n + 1;
    s->attempts++;
    s->generation++;
    s->phase = PREPARING;
    s->ballot = round * n + disco_self(ctx);
    s->promised_by = 0;
    s->best_b = 0;
    s->best_v = 0;
    see(s, s->ballot);
    set_retry_timer(ctx, s);
    disco_send_all(ctx, PREPARE, &s->ballot, sizeof s->ballot);
    on_prepare(ctx, s, DISCO_NO_PORT, s->ballot);
}

static void on_promise(struct disco_ctx *ctx, struct paxos_state *s,
                       uint32_t bit, const struct promise_msg *m)
{
    see(s, m->ballot);
    if (s->phase != PREPARING || m->ballot != s->ballot)
        return; /* late, or for an older attempt */
    add_voter(&s->promised_by, bit);
    if (m->accepted.ballot > s->best_b) {
        s->best_b = m->accepted.ballot;
        s->best_v = m->accepted.value;
    }
    if (!majority(ctx, s->promised_by))
        return;
    s->phase = ACCEPTING;
    s->proposal = s->best_b ? s->best_v : s->input;
    struct paxos_pair p = {s->ballot, s->proposal};
    disco_send_all(ctx, ACCEPT, &p, sizeof p);
    on_accept(ctx, s, &p);
}

/* ---- callbacks ---- */

/* Start an attempt (the first, or after a timeout or a recovery), unless
 * a value is learnt or the attempts are used up. */
static void retry(struct disco_ctx *ctx, struct paxos_state *s)
{
    if (s->learned)
        return;
    if (s->attempts < (uint64_t)disco_param(ctx, P_ATTEMPTS))
        start_attempt(ctx, s);
    else
        s->phase = GAVE_UP;
}


static void paxos_init(struct disco_ctx *ctx, void *state)
{
    struct paxos_state *s = state;
    if (!disco_input(ctx, "value", &s->input))
        s->input = 100 + (int64_t)disco_self(ctx);
    if (!disco_is_initiator(ctx))
        return;
    /* Node attribute `start`: a proposer that joins late (scenarios use it
     * to show a second proposer adopting an already chosen value). */
    int64_t start = 0;
    if (disco_input(ctx, "start", &start) && start > 0)
        disco_set_timer(ctx, (disco_time_t)start, s->generation);
    else
        retry(ctx, s);
}

static void paxos_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind,
                             const void *payload, size_t len)
{
    struct paxos_state *s = state;
    uint64_t ballot;
    struct promise_msg m;
    struct paxos_pair p;
    switch (kind) {
    case PREPARE:
        memcpy(&ballot, payload, sizeof ballot);
        on_prepare(ctx, s, port, ballot);
        break;
    case PROMISE:
        memcpy(&m, payload, sizeof m);
        on_promise(ctx, s, port, &m);
        break;
    case ACCEPT:
        memcpy(&p, payload, sizeof p);
        on_accept(ctx, s, &p);
        break;
    case ACCEPTED:
        memcpy(&p, payload, sizeof p);
        on_accepted(ctx, s, port, &p);
        break;
    }
}

static void paxos_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct paxos_state *s = state;
    if (tag == s->generation)
        retry(ctx, s);
}

/* The crash cancelled the proposer's timer (its retry, or its late
 * start): try now, with a new ballot. */
static void paxos_on_recover(struct disco_ctx *ctx, void *state)
{
    struct paxos_state *s = state;
    if (disco_is_initiator(ctx) && s->phase != GAVE_UP)
        retry(ctx, s);
}

static void paxos_format_state(const void *state, char *buf, size_t len)
{
    const struct paxos_state *s = state;
    int used = snprintf(buf, len, "promised=%llu",
                        (unsigned long long)s->promised);
    if (used < 0 || (size_t)used >= len)
        return;
    if (s->accepted.ballot)
        used += snprintf(buf + used, len - (size_t)used, " accepted=(%llu,%lld)",
                         (unsigned long long)s->accepted.ballot,
                         (long long)s->accepted.value);
    if (used > 0 && (size_t)used < len && s->learned)
        snprintf(buf + used, len - (size_t)used, " learned %lld",
                 (long long)s->learned_v);
}

/* ---- oracles: over the acceptors' histories, not their opinions ---- */

static const struct paxos_state *st(const struct disco_view *view, uint32_t v)
{
    return disco_view_state(view, v);
}

/* Acceptors whose history holds `ballot` (each ballot is recorded once). */
static uint32_t acceptors_of(const struct disco_view *view, uint64_t ballot,
                             int64_t *value)
{
    uint32_t count = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct paxos_state *s = st(view, v);
        for (uint32_t i = 0; i < s->history_len && i < PAXOS_HISTORY; i++)
            if (s->history[i].ballot == ballot) {
                *value = s->history[i].value;
                count++;
            }
    }
    return count;
}

/* The chosen pair with the lowest ballot (*ballot = 0: none chosen), and
 * false when two different values are chosen or a history overflowed. */
static bool find_chosen(const struct disco_view *view, uint64_t *ballot,
                        int64_t *value, char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    *ballot = 0;
    for (uint32_t v = 0; v < n; v++) {
        const struct paxos_state *s = st(view, v);
        if (s->history_len > PAXOS_HISTORY) {
            snprintf(detail, len, "node %u accepted %u pairs, more than the "
                     "%u its history keeps", v, s->history_len,
                     PAXOS_HISTORY);
            return false;
        }
        for (uint32_t i = 0; i < s->history_len; i++) {
            int64_t x = 0;
            uint64_t b = s->history[i].ballot;
            if (acceptors_of(view, b, &x) <= n / 2)
                continue;
            if (*ballot && x != *value) {
                snprintf(detail, len, "%lld chosen in ballot %llu and %lld in "
                         "ballot %llu", (long long)*value,
                         (unsigned long long)*ballot, (long long)x,
                         (unsigned long long)b);
                return false;
            }
            if (!*ballot || b < *ballot) {
                *ballot = b;
                *value = x;
            }
        }
    }
    return true;
}

static bool check_agreement(const struct disco_view *view, char *detail,
                            size_t len)
{
    uint64_t b;
    int64_t v;
    if (!find_chosen(view, &b, &v, detail, len))
        return false;
    if (b)
        snprintf(detail, len, "only %lld is chosen (first in ballot %llu)",
                 (long long)v, (unsigned long long)b);
    else
        snprintf(detail, len, "no value is chosen");
    return true;
}

static bool check_learned(const struct disco_view *view, char *detail,
                          size_t len)
{
    uint64_t b;
    int64_t v;
    if (!find_chosen(view, &b, &v, detail, len))
        return false;
    size_t count = disco_view_decision_count(view);
    for (size_t i = 0; i < count; i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (!b || d->value != v) {
            snprintf(detail, len, "node %u learnt %lld, but %s", d->node,
                     (long long)d->value, b ? "another value is chosen"
                                            : "no value is chosen");
            return false;
        }
        if (disco_view_decision_of(view, d->node) != i) {
            snprintf(detail, len, "node %u learnt twice", d->node);
            return false;
        }
    }
    snprintf(detail, len, "%zu learners, each learnt the chosen value once",
             count);
    return true;
}

static bool proposed(const struct disco_view *view, int64_t value)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (disco_view_initiator(view, v) && st(view, v)->input == value)
            return true;
    return false;
}

static bool check_validity(const struct disco_view *view, char *detail,
                           size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct paxos_state *s = st(view, v);
        for (uint32_t i = 0; i < s->history_len && i < PAXOS_HISTORY; i++)
            if (!proposed(view, s->history[i].value)) {
                snprintf(detail, len, "node %u accepted %lld, which no "
                         "proposer proposed", v,
                         (long long)s->history[i].value);
                return false;
            }
    }
    snprintf(detail, len, "every accepted (so every chosen) value was "
             "proposed");
    return true;
}

static bool check_size(const struct disco_view *view, char *detail,
                       size_t len)
{
    uint32_t n = disco_view_nodes(view);
    snprintf(detail, len, "n = %u (at most %u)", n, PAXOS_MAX_NODES);
    return n <= PAXOS_MAX_NODES;
}

static void paxos_result(const struct disco_view *view, char *buf, size_t len)
{
    uint64_t b = 0;
    int64_t v = 0;
    char ignored[DISCO_STATE_TEXT];
    bool one = find_chosen(view, &b, &v, ignored, sizeof ignored);
    uint32_t learned = 0, attempts = 0;
    for (uint32_t u = 0; u < disco_view_nodes(view); u++) {
        learned += st(view, u)->learned;
        attempts += st(view, u)->attempts;
    }
    if (!one)
        snprintf(buf, len, "\"chosen\": \"several\", \"learned\": %u, "
                 "\"attempts\": %u", learned, attempts);
    else if (b)
        snprintf(buf, len, "\"chosen\": %lld, \"ballot\": %llu, "
                 "\"learned\": %u, \"attempts\": %u", (long long)v,
                 (unsigned long long)b, learned, attempts);
    else
        snprintf(buf, len, "\"chosen\": null, \"learned\": %u, "
                 "\"attempts\": %u", learned, attempts);
}

static const char *const paxos_kinds[] = {"prepare", "promise", "accept",
                                          "accepted"};

static const struct disco_input_decl paxos_inputs[] = {
    {"value", INT64_MIN, INT64_MAX,
     "the value a proposer proposes, any integer (else 100 plus its node "
     "index)"},
    {"start", 0, 1000000000,
     "tick at which a proposer (an initiator) starts (else 0: at once)"},
};

static const struct disco_param paxos_params[] = {
    {"timeout", 1000, 1, 1000000000,
     "a proposer that has not learnt a value retries after timeout plus a "
     "random backoff in [0, timeout)"},
    {"attempts", 5, 0, 16,
     "ballots each proposer tries at most (so that every run ends)"},
};

static const struct disco_property paxos_properties[] = {
    {"agreement",
     "at most one value is chosen (accepted by a majority of acceptors in "
     "the same ballot, at any time)",
     DISCO_PROPERTY_FINAL, check_agreement, false},
    {"learned_is_chosen",
     "every value a learner learnt is the chosen value, learnt once",
     DISCO_PROPERTY_FINAL, check_learned, false},
    {"validity", "every accepted value was proposed by a proposer",
     DISCO_PROPERTY_FINAL, check_validity, false},
    {"size", "at most 64 processes", DISCO_PROPERTY_FINAL, check_size, false},
};

const struct disco_algorithm disco_alg_paxos = {
    .name = "paxos",
    .family = "consensus",
    .summary = "single-decree Paxos: asynchronous consensus that stays safe "
               "under crashes, recoveries, loss and duplication",
    .description =
        "Complete graph of at most 64 processes; every process is an "
        "acceptor and a learner, the initiators are proposers, each "
        "proposing its `value` (else 100 + index) at time 0 or at its "
        "node attribute `start`. Phase 1: prepare(b) to "
        "all; an acceptor promises a ballot above all it promised and "
        "answers promise(b, accepted_b, accepted_v). Phase 2: with a "
        "majority of promises the proposer sends accept(b, v), v the value "
        "of the highest accepted ballot reported or its own; an acceptor "
        "not promised higher accepts and sends accepted(b, v) to all; a "
        "process learns v when a majority accepted ballot b. Ballots are "
        "round*n + index. A proposer that has not learnt retries after "
        "`timeout` plus a random backoff, at most `attempts` times. Safe "
        "under crashes and recoveries (acceptor state persists), loss and "
        "duplication; not live (FLP).",
    .messages = "one proposer, no fault: exactly (n-1) prepare + (n-1) "
                "promise + (n-1) accept + n(n-1) accepted = (n+3)(n-1); "
                "otherwise at most attempts per proposer times that",
    .time = "one proposer, no fault: learnt within 4d (d the largest "
            "delay); no bound in general (FLP)",
    .source = "L. Lamport, Paxos made simple, ACM SIGACT News 32(4), 2001; "
              "Lynch, Distributed Algorithms, sec. 17.3; Attiya and Welch, "
              "Distributed Computing",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_ASYNC,
        .topology = "complete:5",
        .initiators = "0,1",
        .faults = "crashes and recoveries of fewer than n/2 processes at a "
                  "time for progress; loss and duplication; safety always",
        .max_nodes = PAXOS_MAX_NODES,
    },
    .params = paxos_params,
    .param_count = sizeof paxos_params / sizeof paxos_params[0],
    .inputs = paxos_inputs,
    .input_count = sizeof paxos_inputs / sizeof paxos_inputs[0],
    .message_kinds = paxos_kinds,
    .kind_count = sizeof paxos_kinds / sizeof paxos_kinds[0],
    .properties = paxos_properties,
    .property_count = sizeof paxos_properties / sizeof paxos_properties[0],
    .state_size = sizeof(struct paxos_state),
    .init = paxos_init,
    .on_message = paxos_on_message,
    .on_timer = paxos_on_timer,
    .on_recover = paxos_on_recover,
    .format_state = paxos_format_state,
    .result = paxos_result,
};
