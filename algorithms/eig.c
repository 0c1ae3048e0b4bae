/*
 * eig.c - Byzantine agreement by exponential information gathering,
 * EIGByz (Lynch, Distributed Algorithms, sec. 6.3.2; Attiya and Welch,
 * Distributed Computing, sec. 5.2.4, "the exponential tree algorithm").
 *
 * Every process has an input bit.  The EIG tree T_{n,f} is the same at
 * every process: its nodes are the labels (strings of distinct process
 * indices) of length 0 .. f+1, the root being the empty label.  Process i
 * keeps val(x) for every label x.  As Lynch's EIGByz has it (paraphrased;
 * her pseudocode is EIGStop's information gathering with a majority
 * decision rule): initially val(root) is the process's own input.  In
 * round r, 1 <= r <= f+1, process i broadcasts the pairs (x, val(x)) for
 * every level r-1 label x that does not contain i; when it receives from
 * j a value v for such a label x (x without j), it sets val(xj) := v, and
 * val(xj) := v0 (a fixed default) when j sent nothing valid.  After round
 * f+1 it computes newval bottom-up: newval(x) = val(x) at a leaf (level
 * f+1), and at an inner label the strict majority of newval(xj) over its
 * children xj (every j not in x, i itself included), v0 when there is
 * none; it decides newval(root).  Attiya and Welch's resolve(pi) is the
 * same recursion.  With n > 3f all correct processes decide the same
 * value (agreement), and their common input when they all have one
 * (validity).
 *
 * Messages: one message carries a whole level.  In round r process i
 * sends each other process one message with the values of its level r-1
 * labels without i, in the order of their slots in the tree (a level byte,
 * then one byte per value); the receiver enumerates the same labels in the
 * same order.  Its own relay to itself is no message: i sets val(xi) :=
 * val(x) when it sends.  So a run of R rounds costs exactly R·n(n-1)
 * messages, the message of round r carrying P(n-1, r-1) = (n-1)!/(n-r)!
 * values.  A missing or malformed message leaves v0 in the slots.
 *
 * The tree is a fixed array indexed by the label's digits in base MAX_N:
 * n <= 10 and f <= 3 (labels of length <= 4); larger configurations do
 * nothing, and the resilience property says why.
 *
 * Byzantine processes are the kernel's (--byzantine LIST --strategy NAME):
 * they run this code and send the truth, and their messages pass through
 * the strategy.  `eig_lie` tells the generic ones how to falsify a
 * message: flip negates every value it carries, random replaces each by a
 * bit from the traitor's own stream.  eig needs no strategy of its own:
 * the generic ones already produce the classic counterexamples (flip
 * breaks validity at n = 3f = 3; equivocate breaks agreement with f
 * rounds instead of f+1, the `rounds` parameter, at n = 3f+1).  Oracles
 * judge the correct processes only (disco_view_faulty: neither Byzantine
 * nor crashed).
 *
 * Ports on a complete graph are in neighbour-index order: port p leads to
 * node p, or p+1 when p >= self.
 */
#include <stdio.h>
#include <string.h>

#include "complete.h"
#include "disco.h"

enum { VALUES };
enum { P_F, P_ROUNDS, P_INPUTS, P_DEFAULT };

#define MAX_N 10u
#define MAX_F 3u
#define MAX_LEVEL (MAX_F + 1u)
/* Labels of length k start at LEVEL[k]: 1 + 10 + 100 + 1000 + 10000. */
static const uint32_t LEVEL[MAX_LEVEL + 2] = {0, 1, 11, 111, 1111, 11111};
/* The most values one message carries: P(9, 3) = 504. */
#define MAX_VALUES 504u

struct eig_state {
    int64_t input;              /* this process's input bit */
    int64_t decision;           /* newval(root), once decided */
    bool decided;
    unsigned char val[11111];   /* the EIG tree: val[label], v0 until a
                                   value arrives */
};

/* One level of values: the sender's labels of length `level` (without the
 * sender) in slot order; the receiver stores them under label·sender. */
struct eig_msg {
    unsigned char level;
    unsigned char vals[MAX_VALUES];
};

static bool on_path(const unsigned char *path, uint32_t len, uint32_t v)
{
    for (uint32_t i = 0; i < len; i++)
        if (path[i] == v)
            return true;
    return false;
}

static uint32_t path_index(const unsigned char *path, uint32_t len)
{
    uint32_t index = 0;
    for (uint32_t i = 0; i < len; i++)
        index = index * MAX_N + path[i];
    return LEVEL[len] + index;
}

/* Decode slot `at` of level k into `path`; false unless it is a label of
 * T_{n,f}: every digit a process, no process twice. */
static bool label_of(uint32_t at, uint32_t k, uint32_t n, unsigned char *path)
{
    uint32_t rest = at - LEVEL[k];
    for (uint32_t i = k; i-- > 0; rest /= MAX_N) {
        path[i] = (unsigned char)(rest % MAX_N);
        if (path[i] >= n)
            return false;
    }
    for (uint32_t i = 1; i < k; i++)
        if (on_path(path, i, path[i]))
            return false;
    return true;
}

/* The rounds run: the parameter, or f+1 when it is 0. */
static uint32_t rounds_of(int64_t f, int64_t rounds)
{
    return (uint32_t)(rounds > 0 ? rounds : f + 1);
}

static bool fits(const struct disco_ctx *ctx)
{
    return disco_nodes(ctx) <= MAX_N &&
           rounds_of(disco_param(ctx, P_F), disco_param(ctx, P_ROUNDS)) <=
               MAX_LEVEL;
}

/* Round r+1's message: val(x) for the level-r labels x without me, in slot
 * order, and my own val(x·me) set on the way (the message to myself). */
static void send_level(struct disco_ctx *ctx, struct eig_state *s, uint32_t k)
{
    uint32_t n = disco_nodes(ctx), self = disco_self(ctx), count = 0;
    struct eig_msg msg;
    unsigned char path[MAX_LEVEL];
    msg.level = (unsigned char)k;
    for (uint32_t at = LEVEL[k]; at < LEVEL[k + 1]; at++) {
        if (!label_of(at, k, n, path) || on_path(path, k, self))
            continue;
        msg.vals[count++] = s->val[at];
        s->val[LEVEL[k + 1] + (at - LEVEL[k]) * MAX_N + self] = s->val[at];
    }
    for (uint32_t v = 0; v < n; v++)
        if (v != self)
            disco_send(ctx, complete_port_to(self, v), VALUES, &msg, 1 + count);
}

static void eig_init(struct disco_ctx *ctx, void *state)
{
    struct eig_state *s = state;
    if (!fits(ctx))
        return;
    memset(s->val, (int)disco_param(ctx, P_DEFAULT), sizeof s->val);
    if (!disco_input(ctx, "value", &s->input)) {
        int64_t pattern = disco_param(ctx, P_INPUTS);
        s->input = pattern == 2 ? disco_self(ctx) % 2 : pattern;
    }
    s->input = s->input != 0; /* 0 or 1 (declared); kept for direct callers */
    s->val[0] = (unsigned char)s->input;
    /* Active until the decision: a silent traitor may leave a round with
     * no message in flight. */
    disco_set_passive(ctx, false);
    send_level(ctx, s, 0);
}

static void eig_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    (void)kind;
    struct eig_state *s = state;
    uint32_t n = disco_nodes(ctx), self = disco_self(ctx);
    uint32_t from = complete_node_at(self, port);
    uint32_t rounds =
        rounds_of(disco_param(ctx, P_F), disco_param(ctx, P_ROUNDS));
    struct eig_msg msg;
    if (!fits(ctx) || len < 1 || len > sizeof msg)
        return;
    memcpy(&msg, payload, len);
    uint32_t k = msg.level;
    if (k + 1 > rounds)
        return;
    /* Count first: a message of the wrong length is no valid message and
     * leaves v0 in every slot. */
    unsigned char path[MAX_LEVEL];
    size_t count = 0;
    for (uint32_t at = LEVEL[k]; at < LEVEL[k + 1]; at++)
        count += label_of(at, k, n, path) && !on_path(path, k, from);
    if (len != 1 + count)
        return;
    count = 0;
    for (uint32_t at = LEVEL[k]; at < LEVEL[k + 1]; at++) {
        if (!label_of(at, k, n, path) || on_path(path, k, from))
            continue;
        s->val[LEVEL[k + 1] + (at - LEVEL[k]) * MAX_N + from] =
            msg.vals[count++] != 0;
    }
}

/* newval(x): a leaf's val; else the strict majority of the children's
 * newvals, v0 when there is none. */
static int resolve(const struct eig_state *s, unsigned char *path,
                   uint32_t len, uint32_t leaf, uint32_t n, int v0)
{
    if (len >= leaf || len >= MAX_LEVEL) /* leaf <= MAX_LEVEL anyway */
        return s->val[path_index(path, len)];
    uint32_t votes = 0, ones = 0;
    for (uint32_t v = 0; v < n; v++) {
        if (on_path(path, len, v))
            continue;
        path[len] = (unsigned char)v;
        ones += (uint32_t)resolve(s, path, len + 1, leaf, n, v0);
        votes++;
    }
    if (2 * ones > votes)
        return 1;
    if (2 * (votes - ones) > votes)
        return 0;
    return v0;
}

static void eig_on_round(struct disco_ctx *ctx, void *state,
                         disco_time_t round)
{
    struct eig_state *s = state;
    uint32_t rounds =
        rounds_of(disco_param(ctx, P_F), disco_param(ctx, P_ROUNDS));
    if (s->decided || !fits(ctx))
        return;
    if (round < rounds) {
        send_level(ctx, s, (uint32_t)round);
        return;
    }
    unsigned char path[MAX_LEVEL + 1];
    s->decided = true;
    disco_set_passive(ctx, true);
    s->decision = resolve(s, path, 0, rounds, disco_nodes(ctx),
                          (int)disco_param(ctx, P_DEFAULT));
    /* A traitor decides too (it runs this code); the oracles ignore it. */
    disco_decide(ctx, s->decision);
}

/* ---- the adversary: how a traitor falsifies a level of values ---- */

static bool eig_lie(struct disco_ctx *ctx, enum disco_lie how, uint32_t port,
                    unsigned kind, void *payload, size_t len)
{
    (void)port, (void)kind;
    unsigned char *bytes = payload;
    if (len < 1)
        return false;
    for (size_t i = 1; i < len; i++)
        bytes[i] = how == DISCO_LIE_FLIP
                       ? bytes[i] == 0
                       : (unsigned char)(disco_random(ctx) & 1);
    return true;
}

static void eig_format_state(const void *state, char *buf, size_t len)
{
    const struct eig_state *s = state;
    if (s->decided)
        snprintf(buf, len, "decided %lld", (long long)s->decision);
    else
        snprintf(buf, len, "input %lld", (long long)s->input);
}

/* ---- properties: oracles over the correct processes ---- */

static uint32_t view_rounds(const struct disco_view *view)
{
    return rounds_of(disco_view_param(view, P_F),
                     disco_view_param(view, P_ROUNDS));
}

static const struct disco_agreement_words eig_words = {
    .judged = "correct", .group = "process", .verb = "decided",
    .first = "correct process", .other = "process",
};

static bool check_agreement(const struct disco_view *view, char *detail,
                            size_t len)
{
    return disco_oracle_agreement(view, NULL, &eig_words, detail, len);
}

static int64_t input_of(const void *state)
{
    return ((const struct eig_state *)state)->input;
}

static bool check_validity(const struct disco_view *view, char *detail,
                           size_t len)
{
    int64_t common;
    if (!disco_view_common_input(view, NULL, input_of, &common)) {
        snprintf(detail, len, "not applicable: the correct inputs differ");
        return true;
    }
    const struct disco_decision *d =
        disco_view_decision_other_than(view, NULL, common);
    if (d) {
        snprintf(detail, len, "every correct input is %lld, process %u "
                 "decided %lld", (long long)common, d->node,
                 (long long)d->value);
        return false;
    }
    snprintf(detail, len, "every correct input is %lld and so is every "
             "decision", (long long)common);
    return true;
}

/* Every correct process decides once, in the last round (f+1). */
static bool check_termination(const struct disco_view *view, char *detail,
                              size_t len)
{
    return disco_oracle_decided_in_round(view, 0, view_rounds(view), detail,
                                         len);
}

/* The theorem's hypothesis and the module's limits. */
static bool check_resilience(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t faulty = disco_view_faulty_count(view);
    int64_t f = disco_view_param(view, P_F);
    uint32_t rounds = view_rounds(view);
    const char *why = n > MAX_N ? " (eig keeps at most 10 processes)"
                      : rounds > MAX_LEVEL ? " (eig keeps at most 4 rounds)"
                      : (int64_t)n <= 3 * f ? " (n <= 3f)"
                      : (int64_t)faulty > f ? " (more than f faulty)"
                      : rounds < f + 1 ? " (fewer than f+1 rounds)"
                                       : "";
    snprintf(detail, len, "n = %u, f = %lld, %u round%s, %u faulty%s", n,
             (long long)f, rounds, rounds == 1 ? "" : "s", faulty, why);
    return n <= MAX_N && rounds <= MAX_LEVEL && (int64_t)n > 3 * f &&
           (int64_t)faulty <= f && rounds >= f + 1;
}

static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t n = disco_view_nodes(view);
    uint64_t want = (uint64_t)view_rounds(view) * n * (n - 1);
    /* A silent traitor or a crash suppresses messages; no strategy eig
     * admits adds any. */
    return disco_oracle_message_count(view, disco_view_messages(view, -1),
                                      want, "R·n(n-1)", detail, len);
}

static void eig_result(const struct disco_view *view, char *buf, size_t len)
{
    int64_t value = -1;
    for (size_t i = 0; i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (!disco_view_faulty(view, d->node))
            value = value == -1 || value == d->value ? d->value : -2;
    }
    char decision[24] = "null";
    if (value >= 0)
        snprintf(decision, sizeof decision, "%lld", (long long)value);
    /* Every process's decision, null for the faulty ones and the
     * undecided (at most 10 processes ever decide). */
    char list[128] = "";
    size_t used = 0;
    uint32_t n = disco_view_nodes(view);
    for (uint32_t v = 0; v < n && v < MAX_N; v++) {
        size_t at = disco_view_decision_of(view, v);
        long long d = -1;
        if (at != SIZE_MAX && !disco_view_faulty(view, v))
            d = (long long)disco_view_decision(view, at)->value;
        int w = d < 0 ? snprintf(list + used, sizeof list - used, "%snull",
                                 v ? ", " : "")
                      : snprintf(list + used, sizeof list - used, "%s%lld",
                                 v ? ", " : "", d);
        used += (size_t)w;
    }
    snprintf(buf, len, "\"decision\": %s, \"decisions\": [%s], "
             "\"rounds\": %u", decision, n <= MAX_N ? list : "",
             view_rounds(view));
}

static const struct disco_param eig_params[] = {
    {"f", 1, 0, MAX_F, "Byzantine processes tolerated: f+1 rounds, n > 3f"},
    {"rounds", 0, 0, MAX_LEVEL,
     "rounds to run (0: f+1); fewer than f+1 shows why f+1 are needed"},
    {"inputs", 2, 0, 2,
     "inputs of processes without a `value` attribute: 0 or 1 for all, 2 "
     "the node index mod 2"},
    {"default", 0, 0, 1,
     "v0: the value of a missing message and of a tie"},
};

static const struct disco_input_decl eig_inputs[] = {
    {"value", 0, 1, "the node's input, 0 or 1 (else as --param inputs says)"},
};

static const char *const eig_kinds[] = {"values"};

static const struct disco_property eig_properties[] = {
    {"agreement", "all correct processes decide the same value",
     DISCO_PROPERTY_FINAL, check_agreement, true},
    {"validity", "if every correct process has input v, every correct "
     "process decides v", DISCO_PROPERTY_FINAL, check_validity, true},
    {"termination", "every correct process decides in round f+1 (or the "
     "`rounds` parameter)", DISCO_PROPERTY_FINAL, check_termination, true},
    {"resilience", "n > 3f, at most f faulty processes, f+1 rounds, n <= "
     "10, f <= 3 (the theorem's hypothesis and the tree's size: when it "
     "fails, agreement and validity may too)",
     DISCO_PROPERTY_FINAL, check_resilience, false},
    {"messages", "exactly R·n(n-1) messages (R rounds) when no process is "
     "faulty, at most that otherwise", DISCO_PROPERTY_FINAL, check_messages,
     true},
};

const struct disco_algorithm disco_alg_eig = {
    .name = "eig",
    .family = "consensus",
    .summary = "EIGByz: Byzantine agreement by exponential information "
               "gathering, f+1 rounds, n > 3f",
    .description =
        "Synchronous rounds on a complete graph of at most 10 processes. "
        "Each process has an input bit (node attribute `value`, else the "
        "parameter inputs) and keeps an EIG tree of the labels of up to "
        "f+1 distinct processes. In round r it sends every other process "
        "one message with the values of its level r-1 labels that do not "
        "contain itself; the receiver stores each under the label extended "
        "by the sender. After f+1 rounds each process resolves its tree "
        "bottom-up by strict majority (v0, parameter default, on a tie or "
        "a missing value) and decides the root's resolution. Byzantine "
        "processes are the kernel's (--byzantine LIST) with any generic "
        "strategy: silent, flip (every value negated), random (every value "
        "a coin), equivocate (the truth to nodes 0..n/2, flipped values "
        "to the others).",
    .messages = "exactly R·n(n-1) for R rounds (R = f+1: n=4, f=1: 24; "
                "n=7, f=2: 126), one message per process pair and round, "
                "the message of round r carrying (n-1)!/(n-r)! values; "
                "fewer when a traitor is silent or a process crashes; the "
                "bound drawn by sweep is the default f = 1",
    .time = "f+1 rounds; every correct process decides in round f+1",
    .source = "N. Lynch, Distributed Algorithms, Morgan Kaufmann 1996, "
              "sec. 6.3.2 (EIGByz); H. Attiya and J. Welch, Distributed "
              "Computing, 2nd ed., Wiley 2004, sec. 5.2.4 (the exponential "
              "tree algorithm); after Pease, Shostak and Lamport 1980",
    .message_bound = "2*n*(n-1)",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "complete:4",
        .initiators = "all",
        .faults = "f Byzantine processes (--byzantine LIST --strategy "
                  "NAME), n > 3f",
        .max_nodes = MAX_N,
        .resilience_param = "f",
        .resilience_factor = 3,
    },
    .params = eig_params,
    .param_count = sizeof eig_params / sizeof eig_params[0],
    .inputs = eig_inputs,
    .input_count = sizeof eig_inputs / sizeof eig_inputs[0],
    .message_kinds = eig_kinds,
    .kind_count = 1,
    .properties = eig_properties,
    .property_count = sizeof eig_properties / sizeof eig_properties[0],
    .state_size = sizeof(struct eig_state),
    .init = eig_init,
    .on_message = eig_on_message,
    .on_round = eig_on_round,
    .format_state = eig_format_state,
    .result = eig_result,
    .lie = eig_lie,
};
