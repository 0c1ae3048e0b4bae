/*
 * dolev_strong.c - authenticated Byzantine broadcast (Dolev and Strong
 * 1983): with unforgeable signatures, agreement for any number f < n of
 * Byzantine processes in f+1 synchronous rounds.
 *
 * We follow the paper (D. Dolev and H. R. Strong, Authenticated Algorithms
 * for Byzantine Agreement, SIAM J. Comput. 12(4), 1983), in the usual
 * "extracted set" form: the sender s signs its value v and sends
 * <v : s> to everybody in round 1.  A process accepts a value in round r
 * when it arrives with a chain of r signatures by r distinct processes,
 * the first of them s's, each one valid over the value and the chain
 * before it.  An accepted value not yet in the process's extracted set V
 * joins V and, if r < f+1, is relayed in round r+1 with the process's own
 * signature appended.  After round f+1 a process decides the value of V
 * when |V| = 1, and the default 0 when V is empty or holds two values.
 *
 * Why f+1 rounds suffice: if a correct process extracts v in round r <=
 * f, it relays v, and every correct process has v by round r+1.  If it
 * extracts v only in round f+1, the chain has f+1 distinct signers, so
 * one of them is correct and extracted v earlier, hence relayed it to
 * everybody.  So all correct processes end with the same V.  A process
 * keeps (and relays) at most two values: two already decide the default,
 * and each of them reaches every correct process, which then holds two
 * as well.  With f rounds only, f Byzantine
 * processes can pass a value along a chain of their own signatures and
 * show it to one correct process in the last round (strategy
 * "late-reveal").
 *
 * Signatures are the kernel's (disco_sign signs as this node only).
 * Signature k of a chain covers the value, the signers 0..k and the tags
 * 0..k-1, so nobody can re-use a signature on another value or another
 * chain.  A Byzantine process that changes a relayed value can re-sign its
 * own link, not the sender's: the chain fails verification and is
 * rejected (state field `rejected`).
 *
 * Messages: an honest sender sends n-1 chains in round 1, and each other
 * process relays each value it extracts (at most two) to the processes
 * not yet on the chain.  Without faults every process but the sender
 * extracts v in round 1 and relays it to n-2 others in round 2: (n-1) +
 * (n-1)(n-2) = (n-1)^2 messages when at least 2 rounds run, n-1 with one
 * round.  In any run (strategies only rewrite or suppress what the code
 * sends) at most (n-1) + 2(n-1)(n-2).
 *
 * Ports on a complete graph are in neighbour-index order: port p leads to
 * node p, or p+1 when p >= self.
 *
 * Under --synchronizer the run follows the native one: the synchronizers
 * keep pulsing while an inner node is active (disco_set_passive), so the
 * silent rounds up to f+1 still happen and every process decides.
 */
#include <stdio.h>
#include <string.h>

#include "complete.h"
#include "disco.h"

enum { CHAIN };
enum { P_F, P_ROUNDS, P_SENDER, P_VALUE };

/* Signers are kept in one byte each; a chain has at most MAX_N links. */
#define MAX_N 64u

/* The default decision, for an empty V or two values. */
#define DEFAULT_VALUE 0

/* A value with its signature chain. */
struct chain {
    int64_t value;
    uint32_t count;               /* signatures */
    unsigned char signer[MAX_N];  /* node indices, the sender first */
    uint64_t tag[MAX_N];          /* tag[k]: signer[k]'s signature */
};

struct ds_state {
    int64_t input;                /* the sender's value (sender only) */
    uint32_t known;               /* |V|, at most 2 */
    int64_t extracted[2];         /* V, in order of extraction */
    uint32_t fresh;               /* chains extracted this round, to relay */
    struct chain relay[2];
    bool decided;
    int64_t decision;
    uint32_t rejected;            /* chains that failed verification */
    uint32_t accepted;            /* valid chains that brought a new value */
};

/* On the wire: value (8 bytes), count (1), signers (count), tags
 * (8 * count). */
#define WIRE_HEADER 9u

static size_t wire_len(uint32_t count)
{
    return WIRE_HEADER + 9u * (size_t)count;
}

static size_t encode(const struct chain *c, unsigned char *out)
{
    memcpy(out, &c->value, 8);
    out[8] = (unsigned char)c->count;
    memcpy(out + WIRE_HEADER, c->signer, c->count);
    memcpy(out + WIRE_HEADER + c->count, c->tag, 8u * c->count);
    return wire_len(c->count);
}

static bool decode(const void *payload, size_t len, struct chain *c)
{
    const unsigned char *in = payload;
    if (len < WIRE_HEADER)
        return false;
    uint32_t count = in[8];
    if (count == 0 || count > MAX_N || len != wire_len(count))
        return false;
    memset(c, 0, sizeof *c);
    memcpy(&c->value, in, 8);
    c->count = count;
    memcpy(c->signer, in + WIRE_HEADER, count);
    memcpy(c->tag, in + WIRE_HEADER + count, 8u * count);
    return true;
}

/* The bytes signature k signs: the value, k+1, signers 0..k, tags
 * 0..k-1. */
static size_t signed_bytes(const struct chain *c, uint32_t k,
                           unsigned char *out)
{
    memcpy(out, &c->value, 8);
    out[8] = (unsigned char)(k + 1);
    memcpy(out + WIRE_HEADER, c->signer, k + 1);
    memcpy(out + WIRE_HEADER + k + 1, c->tag, 8u * k);
    return WIRE_HEADER + (k + 1) + 8u * (size_t)k;
}

/* Append this node's signature to the chain. */
static void sign_link(const struct disco_ctx *ctx, struct chain *c)
{
    unsigned char bytes[WIRE_HEADER + 9u * MAX_N];
    uint32_t k = c->count++;
    c->signer[k] = (unsigned char)disco_self(ctx);
    c->tag[k] = disco_sign(ctx, bytes, signed_bytes(c, k, bytes));
}

/* Redo this node's own (last) signature after the value changed; the
 * links of others stay as they were, and no longer verify. */
static void resign_own(const struct disco_ctx *ctx, struct chain *c)
{
    unsigned char bytes[WIRE_HEADER + 9u * MAX_N];
    uint32_t k = c->count - 1;
    if (c->signer[k] == disco_self(ctx))
        c->tag[k] = disco_sign(ctx, bytes, signed_bytes(c, k, bytes));
}

/* Round r's acceptance rule: r signatures by distinct processes, the
 * sender's first, every one valid. */
static bool valid(const struct disco_ctx *ctx, const struct chain *c,
                  uint64_t round)
{
    uint32_t n = disco_nodes(ctx);
    if (c->count != round || c->signer[0] != disco_param(ctx, P_SENDER))
        return false;
    unsigned char seen[MAX_N] = {0};
    unsigned char bytes[WIRE_HEADER + 9u * MAX_N];
    for (uint32_t k = 0; k < c->count; k++) {
        uint32_t v = c->signer[k];
        if (v >= n || seen[v])
            return false;
        seen[v] = 1;
        if (!disco_verify(ctx, v, bytes, signed_bytes(c, k, bytes),
                          c->tag[k]))
            return false;
    }
    return true;
}

static bool on_chain(const struct chain *c, uint32_t v)
{
    for (uint32_t k = 0; k < c->count; k++)
        if (c->signer[k] == v)
            return true;
    return false;
}

static uint64_t rounds_of(int64_t f, int64_t rounds)
{
    return rounds > 0 ? (uint64_t)rounds : (uint64_t)f + 1;
}

static bool fits(const struct disco_ctx *ctx)
{
    return disco_nodes(ctx) <= MAX_N &&
           disco_param(ctx, P_SENDER) < (int64_t)disco_nodes(ctx);
}

/* Send the chain, signed by this node, to everybody not on it. */
static void relay(struct disco_ctx *ctx, struct chain c)
{
    unsigned char wire[WIRE_HEADER + 9u * MAX_N];
    uint32_t self = disco_self(ctx);
    sign_link(ctx, &c);
    size_t len = encode(&c, wire);
    for (uint32_t v = 0; v < disco_nodes(ctx); v++)
        if (v != self && !on_chain(&c, v))
            disco_send(ctx, complete_port_to(self, v), CHAIN, wire, len);
}

static void ds_init(struct disco_ctx *ctx, void *state)
{
    struct ds_state *s = state;
    if (!fits(ctx))
        return;
    /* Active until the decision in round f+1: a silent sender leaves
     * rounds without a message in flight. */
    disco_set_passive(ctx, false);
    if (disco_self(ctx) != disco_param(ctx, P_SENDER))
        return;
    if (!disco_input(ctx, "value", &s->input))
        s->input = disco_param(ctx, P_VALUE);
    s->extracted[0] = s->input;
    s->known = 1;
    struct chain c = {.value = s->input};
    relay(ctx, c);
}

static void ds_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct ds_state *s = state;
    (void)port, (void)kind;
    /* The sender extracted its own value; any valid chain starts with its
     * signature, so it has nothing to learn. */
    if (s->decided || disco_self(ctx) == disco_param(ctx, P_SENDER))
        return;
    struct chain c;
    if (!decode(payload, len, &c) || !valid(ctx, &c, disco_now(ctx))) {
        s->rejected++;
        return;
    }
    /* A chain this node signed carries a value it already extracted (and
     * a fresh chain never holds our own link, so relaying keeps it within
     * n signatures). */
    if (on_chain(&c, disco_self(ctx)))
        return;
    for (uint32_t i = 0; i < s->known; i++)
        if (s->extracted[i] == c.value)
            return;
    /* Two values already decide the default: a third changes nothing. */
    if (s->known == 2)
        return;
    s->accepted++;
    s->extracted[s->known++] = c.value;
    s->relay[s->fresh++] = c;
}

static void ds_on_round(struct disco_ctx *ctx, void *state,
                        disco_time_t round)
{
    struct ds_state *s = state;
    if (s->decided || !fits(ctx))
        return;
    uint64_t last = rounds_of(disco_param(ctx, P_F),
                              disco_param(ctx, P_ROUNDS));
    if (round < last) {
        for (uint32_t i = 0; i < s->fresh; i++)
            relay(ctx, s->relay[i]);
        s->fresh = 0;
        return;
    }
    s->fresh = 0;
    s->decided = true;
    s->decision = s->known == 1 ? s->extracted[0] : DEFAULT_VALUE;
    disco_set_passive(ctx, true);
    disco_decide(ctx, s->decision);
}

static void ds_format_state(const void *state, char *buf, size_t len)
{
    const struct ds_state *s = state;
    char set[64];
    if (s->known == 0)
        snprintf(set, sizeof set, "V={}");
    else if (s->known == 1)
        snprintf(set, sizeof set, "V={%lld}", (long long)s->extracted[0]);
    else
        snprintf(set, sizeof set, "V={%lld,%lld}",
                 (long long)s->extracted[0], (long long)s->extracted[1]);
    int used = s->decided
        ? snprintf(buf, len, "decided %lld, %s", (long long)s->decision, set)
        : snprintf(buf, len, "%s", set);
    if (s->rejected && used > 0 && (size_t)used < len)
        snprintf(buf + used, len - (size_t)used, ", %u rejected",
                 s->rejected);
}

/* ---- Byzantine behaviour ---- */

static int64_t flipped(int64_t v)
{
    return v != 0 ? 0 : 1;
}

/* The generic strategies' lie: change the value and re-sign our own
 * link.  For the sender (a chain of one) that is a valid message for
 * another value; for a relay, the sender's signature no longer matches
 * and every correct receiver rejects it. */
static bool ds_lie(struct disco_ctx *ctx, enum disco_lie how, uint32_t port,
                   unsigned kind, void *payload, size_t len)
{
    (void)port, (void)kind;
    struct chain c;
    if (!decode(payload, len, &c))
        return true;
    c.value = how == DISCO_LIE_FLIP ? flipped(c.value)
                                    : (int64_t)disco_random_below(ctx, 2);
    resign_own(ctx, &c);
    encode(&c, payload);
    return true;
}

/* Two faces: a Byzantine sender signs 0 for the even-numbered nodes and 1
 * for the odd ones; its accomplices stay silent, so only correct relays
 * carry the other face. */
static bool two_faced_on_send(struct disco_ctx *ctx, uint32_t port,
                              unsigned *kind, void *payload, size_t *len)
{
    (void)kind;
    uint32_t self = disco_self(ctx);
    struct chain c;
    if (self != disco_param(ctx, P_SENDER) || !decode(payload, *len, &c))
        return false;
    c.value = complete_node_at(self, port) % 2;
    resign_own(ctx, &c);
    encode(&c, payload);
    return true;
}

/* Late reveal.  With R rounds, the coalition K is the sender and the R-1
 * nodes after it (indices mod n; at most n-1 nodes).  The coalition is
 * fixed in advance, not read from --byzantine, so the scenario must name
 * these nodes: the attack is a construction for a given set, as in the
 * lower-bound proof.  The sender tells every other process its value v, and signs the
 * other value w for the next member of K only; each member passes w (on
 * a chain of K's signatures only, in K's order) to the next one, and the
 * last, in round R, to one process h, the node after K.  h then holds v
 * and w and decides the default 0, the others decide v: agreement fails
 * when v != 0 and K is all Byzantine, that is with R = f rounds against
 * f Byzantine processes, or f+1 rounds against f+1.  With f Byzantine
 * processes and f+1 rounds, K's last member is correct: it relays w to
 * everybody in round f+1, and every correct process holds both. */
static uint32_t coalition_size(const struct disco_ctx *ctx)
{
    uint64_t rounds = rounds_of(disco_param(ctx, P_F),
                                disco_param(ctx, P_ROUNDS));
    uint32_t n = disco_nodes(ctx);
    return rounds >= n ? n - 1 : (uint32_t)rounds;
}

static bool late_reveal_on_send(struct disco_ctx *ctx, uint32_t port,
                                unsigned *kind, void *payload, size_t *len)
{
    (void)kind;
    uint32_t n = disco_nodes(ctx), self = disco_self(ctx);
    uint32_t sender = (uint32_t)disco_param(ctx, P_SENDER);
    uint32_t k = coalition_size(ctx), to = complete_node_at(self, port);
    uint32_t at = (self + n - sender) % n; /* self's place in K */
    struct chain c;
    if (at >= k || !decode(payload, *len, &c))
        return true;
    /* The next member of K, or h after the last one. */
    uint32_t next = (sender + at + 1) % n;
    if (at == 0) {
        if (to != next)
            return true; /* v, to everyone else */
        c.value = flipped(c.value);
        resign_own(ctx, &c);
        encode(&c, payload);
        return true;
    }
    /* w travels on chains of K's signatures in K's order; whatever else a
     * member relays (v, heard from correct processes) goes out as is. */
    bool secret = c.count == at + 1;
    for (uint32_t i = 0; secret && i < c.count; i++)
        secret = c.signer[i] == (sender + i) % n;
    return !secret || to == next;
}

/* ---- properties: oracles over the correct processes ---- */

static bool correct(const struct disco_view *view, uint32_t v)
{
    return !disco_view_faulty(view, v);
}

static uint64_t view_rounds(const struct disco_view *view)
{
    return rounds_of(disco_view_param(view, P_F),
                     disco_view_param(view, P_ROUNDS));
}

static const struct disco_agreement_words ds_words = {
    .judged = "correct", .group = "process", .verb = "decided",
    .first = "correct node", .other = "node",
};

static bool check_agreement(const struct disco_view *view, char *detail,
                            size_t len)
{
    return disco_oracle_agreement(view, NULL, &ds_words, detail, len);
}

static bool check_validity(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint32_t sender = (uint32_t)disco_view_param(view, P_SENDER);
    if (sender >= disco_view_nodes(view) || !correct(view, sender)) {
        snprintf(detail, len, "not applicable: the sender is faulty");
        return true;
    }
    int64_t v = ((const struct ds_state *)disco_view_state(view, sender))
                    ->input;
    const struct disco_decision *d =
        disco_view_decision_other_than(view, correct, v);
    if (d) {
        snprintf(detail, len, "the correct sender sent %lld, node %u "
                 "decided %lld", (long long)v, d->node, (long long)d->value);
        return false;
    }
    snprintf(detail, len, "every correct process decided the sender's %lld",
             (long long)v);
    return true;
}

/* Every correct process decides exactly once, in round f+1 (or
 * `rounds`). */
static bool check_termination(const struct disco_view *view, char *detail,
                              size_t len)
{
    uint64_t want = view_rounds(view);
    if (!disco_oracle_decided_in_round(view, 0, want, detail, len) ||
        !disco_oracle_decides_at_most_once(view, detail, len))
        return false;
    snprintf(detail, len, "every correct process decided once, in round "
             "%llu", (unsigned long long)want);
    return true;
}

/* The theorem's hypothesis: at most f faulty processes, f < n, f+1
 * rounds; and the module's limits. */
static bool check_resilience(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t faulty = disco_view_faulty_count(view);
    int64_t f = disco_view_param(view, P_F);
    uint64_t rounds = view_rounds(view);
    bool sender_ok = disco_view_param(view, P_SENDER) < (int64_t)n;
    snprintf(detail, len, "n = %u, f = %lld, %u faulty, %llu round%s%s%s",
             n, (long long)f, faulty, (unsigned long long)rounds,
             rounds == 1 ? "" : "s",
             n > MAX_N ? " (dolev-strong keeps at most 64 processes)" : "",
             sender_ok ? "" : " (no such sender)");
    return n <= MAX_N && sender_ok && f < (int64_t)n &&
           (int64_t)faulty <= f && rounds >= (uint64_t)f + 1;
}

/* (n-1)^2 without faults (n-1 in a single round), at most
 * (n-1) + 2(n-1)(n-2) in any run. */
static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t n = disco_view_nodes(view);
    uint64_t sent = disco_view_messages(view, CHAIN);
    uint64_t bound = n < 2 ? 0 : (n - 1) + 2 * (n - 1) * (n - 2);
    if (disco_view_faulty_count(view) > 0 || n > MAX_N) {
        snprintf(detail, len, "%llu messages, at most (n-1)+2(n-1)(n-2) = "
                 "%llu with faults", (unsigned long long)sent,
                 (unsigned long long)bound);
        return sent <= bound;
    }
    uint64_t want = n < 2 ? 0 : view_rounds(view) == 1 ? n - 1
                                                       : (n - 1) * (n - 1);
    snprintf(detail, len, "%llu messages, exactly %s = %llu without faults",
             (unsigned long long)sent,
             view_rounds(view) == 1 ? "n-1" : "(n-1)^2",
             (unsigned long long)want);
    return sent == want;
}

static void ds_result(const struct disco_view *view, char *buf, size_t len)
{
    uint32_t decided = 0, rejected = 0;
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (!correct(view, v))
            continue;
        const struct ds_state *s = disco_view_state(view, v);
        rejected += s->rejected;
        if (!s->decided)
            continue;
        decided++;
        lo = s->decision < lo ? s->decision : lo;
        hi = s->decision > hi ? s->decision : hi;
    }
    if (decided == 0)
        snprintf(buf, len, "\"decided\": 0, \"rejected\": %u", rejected);
    else if (lo == hi)
        snprintf(buf, len, "\"decided\": %u, \"decision\": %lld, "
                 "\"rejected\": %u", decided, (long long)lo, rejected);
    else
        snprintf(buf, len, "\"decided\": %u, \"decision\": null, "
                 "\"min\": %lld, \"max\": %lld, \"rejected\": %u", decided,
                 (long long)lo, (long long)hi, rejected);
}

static const struct disco_param ds_params[] = {
    {"f", 1, 0, MAX_N - 1, "Byzantine processes tolerated: f+1 rounds"},
    {"rounds", 0, 0, 1000,
     "rounds to run instead of f+1 (0: f+1); f rounds admit disagreement"},
    {"sender", 0, 0, MAX_N - 1, "the node that broadcasts"},
    {"value", 1, -1000000000, 1000000000,
     "the sender's value when it has no `value` attribute"},
};

static const struct disco_input_decl ds_inputs[] = {
    {"value", -1000000000, 1000000000,
     "the sender's value, read at the sender only (else --param value)"},
};

static const char *const ds_kinds[] = {"chain"};

static const struct disco_property ds_properties[] = {
    {"agreement", "no two correct processes decide differently",
     DISCO_PROPERTY_FINAL, check_agreement, true},
    {"validity", "if the sender is correct, every correct process decides "
     "its value", DISCO_PROPERTY_FINAL, check_validity, true},
    {"termination", "every correct process decides exactly once, in round "
     "f+1", DISCO_PROPERTY_FINAL, check_termination, true},
    {"resilience", "f < n, at most f faulty processes, at least f+1 rounds "
     "(the theorem's hypothesis: when it fails, agreement may too)",
     DISCO_PROPERTY_FINAL, check_resilience, false},
    {"messages", "exactly (n-1)^2 without faults (n-1 in one round), at "
     "most (n-1)+2(n-1)(n-2) with them", DISCO_PROPERTY_FINAL,
     check_messages, true},
};

static const struct disco_strategy ds_strategies[] = {
    {"two-faced", "the sender signs 0 for even nodes, 1 for odd ones; "
     "accomplices stay silent", two_faced_on_send},
    {"late-reveal", "the sender and the rounds-1 nodes after it pass a "
     "second value along their own chain and show it to one more node in "
     "the last round", late_reveal_on_send},
};

const struct disco_algorithm disco_alg_dolev_strong = {
    .name = "dolev-strong",
    .family = "consensus",
    .summary = "authenticated Byzantine broadcast: signature chains, any "
               "f < n, f+1 rounds",
    .description =
        "Synchronous rounds on a complete graph of at most 64 processes, "
        "with signatures (simulated by the kernel: a process signs only as "
        "itself). The sender (parameter sender) signs its value (node "
        "attribute `value` or parameter value) and sends it to all. In "
        "round r a process accepts a value carried by a chain of r "
        "signatures of distinct processes, the sender's first; a new value "
        "joins its extracted set V and is relayed, with its own signature "
        "appended, to every process not on the chain. After round f+1 a "
        "process decides the value of V if |V| = 1, else 0. Byzantine "
        "processes come from --byzantine/--strategy: flip on a relay "
        "forges a chain that fails verification; two-faced signs 0 and 1 "
        "for different nodes; late-reveal breaks agreement with "
        "--param rounds=f.",
    .messages = "exactly (n-1)^2 without faults: n-1 in round 1, then each "
                "of the n-1 others relays to n-2 (n-1 with rounds=1); at "
                "most (n-1)+2(n-1)(n-2) with Byzantine processes",
    .time = "f+1 rounds; every correct process decides in round f+1",
    .source = "D. Dolev and H. R. Strong, Authenticated Algorithms for "
              "Byzantine Agreement, SIAM J. Comput. 12(4), 1983 (the "
              "extracted-set broadcast; lower bound of f+1 rounds)",
    .message_bound = "(n-1)+2*(n-1)*(n-2)",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "complete:4",
        .initiators = "0",
        .faults = "up to f Byzantine processes (--byzantine), any f < n, "
                  "with unforgeable signatures",
        .max_nodes = MAX_N,
        .node_params = {"sender"},
        .resilience_param = "f",
    },
    .params = ds_params,
    .param_count = sizeof ds_params / sizeof ds_params[0],
    .inputs = ds_inputs,
    .input_count = sizeof ds_inputs / sizeof ds_inputs[0],
    .message_kinds = ds_kinds,
    .kind_count = 1,
    .properties = ds_properties,
    .property_count = sizeof ds_properties / sizeof ds_properties[0],
    .state_size = sizeof(struct ds_state),
    .init = ds_init,
    .on_message = ds_on_message,
    .on_round = ds_on_round,
    .format_state = ds_format_state,
    .result = ds_result,
    .lie = ds_lie,
    .strategies = ds_strategies,
    .strategy_count = sizeof ds_strategies / sizeof ds_strategies[0],
};
