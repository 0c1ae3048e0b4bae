/*
 * om.c - the oral messages algorithm OM(m) for the Byzantine generals
 * (Lamport, Shostak and Pease 1982), run as an exponential information
 * gathering (EIG) tree (Lynch, Distributed Algorithms, sec. 6.3.2).
 *
 * Node 0 is the commander, nodes 1 .. n-1 the lieutenants.  In round 1 the
 * commander sends its order (1 attack, 0 retreat) to every lieutenant.  In
 * round r+1 (r = 1 .. m) every lieutenant j relays each value it received
 * in round r along a path s = (0, i1, ..., i_{r-1}) to every lieutenant
 * not on s·j, as the value of path s·j.  This is OM(m)'s recursion
 * unrolled: lieutenant i's relays of (0) are the orders of its OM(m-1),
 * and so on.  After round m+1 each lieutenant resolves its tree bottom-up:
 * a leaf (m lieutenants on the path) is the value received; an inner node
 * s is the majority of its own value and its children's resolutions
 * (children s·i for every lieutenant i not on s, itself excluded), retreat
 * on a tie.  It obeys the root's resolution.  A value that never arrived
 * counts as retreat (Lamport's default).  With n > 3m, IC1 (all loyal
 * lieutenants obey the same order) and IC2 (if the commander is loyal,
 * they obey its order) hold.
 *
 * One message carries one path and its value, so the count is Lamport's
 * M(n,0) = n-1, M(n,m) = (n-1) + (n-1)M(n-1,m-1).  The tree is a fixed
 * array indexed by the path's digits in base MAX_N: n <= 10 and m <= 3.
 *
 * Byzantine processes are the kernel's (--byzantine LIST --strategy NAME,
 * the commander included): every node runs the code below and sends the
 * truth, and a traitor's messages pass through the strategy.  `om_lie`
 * tells the generic ones how to falsify a value (flip: the other order;
 * random: a coin from the traitor's own stream), and "attack-half" is
 * om's own: attack to the lower half of the lieutenants, retreat to the
 * upper half, whatever the truth (Lamport's traitorous commander).
 * Oracles judge loyal lieutenants only: neither Byzantine nor crashed.
 *
 * Ports on a complete graph are in neighbour-index order: port p leads to
 * node p, or p+1 when p >= self.
 */
#include <stdio.h>
#include <string.h>

#include "complete.h"
#include "disco.h"

enum { ORDER, RELAY };
enum { P_M, P_VALUE };

#define MAX_N 10u
#define MAX_M 3u
/* Paths with k lieutenants start at LEVEL[k]: 1 + 10 + 100 + 1000 slots. */
static const uint32_t LEVEL[MAX_M + 2] = {0, 1, 11, 111, 1111};

struct om_state {
    int64_t order;              /* the commander's order (commander only) */
    int64_t decision;           /* the order obeyed, once decided */
    bool decided;               /* a lieutenant decided in round m+1 */
    unsigned char val[1111];    /* the EIG tree: val[path], 0 retreat, 1
                                   attack; 0 too when nothing arrived */
};

/* A relayed value: the path of lieutenants after the commander, the
 * sender last. */
struct om_msg {
    unsigned char value;
    unsigned char len;
    unsigned char path[MAX_M];
};

static uint32_t path_index(const unsigned char *path, uint32_t len)
{
    uint32_t index = 0;
    for (uint32_t i = 0; i < len; i++)
        index = index * MAX_N + path[i];
    return LEVEL[len] + index;
}

static bool on_path(const unsigned char *path, uint32_t len, uint32_t v)
{
    for (uint32_t i = 0; i < len; i++)
        if (path[i] == v)
            return true;
    return false;
}

static bool fits(const struct disco_ctx *ctx)
{
    return disco_nodes(ctx) <= MAX_N && disco_param(ctx, P_M) <= MAX_M;
}

static void om_init(struct disco_ctx *ctx, void *state)
{
    struct om_state *s = state;
    if (!fits(ctx))
        return;
    /* Lieutenants stay active until they decide: a silent traitor may
     * leave a round with no message in flight. */
    if (disco_self(ctx) != 0) {
        disco_set_passive(ctx, false);
        return;
    }
    if (!disco_input(ctx, "value", &s->order))
        s->order = disco_param(ctx, P_VALUE);
    s->order = s->order != 0; /* 0 or 1 (declared); kept for direct callers */
    struct om_msg msg = {.value = (unsigned char)s->order};
    for (uint32_t v = 1; v < disco_nodes(ctx); v++)
        disco_send(ctx, complete_port_to(0, v), ORDER, &msg, sizeof msg);
}

static void om_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct om_state *s = state;
    struct om_msg msg;
    if (len != sizeof msg)
        return;
    memcpy(&msg, payload, sizeof msg);
    if (msg.len > MAX_M)
        return;
    s->val[path_index(msg.path, msg.len)] = msg.value != 0;
}

/* Round r's relays: every path of r-1 lieutenants without me, to every
 * lieutenant not on it, as the path extended by me. */
static void relay(struct disco_ctx *ctx, struct om_state *s, uint32_t r)
{
    uint32_t n = disco_nodes(ctx), self = disco_self(ctx), k = r - 1;
    unsigned char path[MAX_M];
    for (uint32_t at = LEVEL[k]; at < LEVEL[k + 1]; at++) {
        /* Decode the slot's digits and skip the impossible paths. */
        uint32_t rest = at - LEVEL[k];
        bool ok = true;
        for (uint32_t i = k; i-- > 0; rest /= MAX_N) {
            path[i] = (unsigned char)(rest % MAX_N);
            ok = ok && path[i] >= 1 && path[i] < n && path[i] != self;
        }
        for (uint32_t i = 0; ok && i < k; i++)
            ok = !on_path(path, i, path[i]);
        if (!ok)
            continue;
        struct om_msg msg = {0};
        memcpy(msg.path, path, k);
        msg.path[k] = (unsigned char)self;
        msg.len = (unsigned char)(k + 1);
        msg.value = s->val[at];
        for (uint32_t v = 1; v < n; v++)
            if (v != self && !on_path(path, k, v))
                disco_send(ctx, complete_port_to(self, v), RELAY, &msg,
                           sizeof msg);
    }
}

/* The majority of path s's own value and its children's resolutions,
 * retreat on a tie; a leaf (m lieutenants) is its value. */
static int resolve(const struct om_state *s, unsigned char *path,
                   uint32_t len, uint32_t m, uint32_t n, uint32_t self)
{
    int own = s->val[path_index(path, len)];
    if (len >= m || len >= MAX_M) /* a leaf; m <= MAX_M anyway */
        return own;
    uint32_t votes = 1, attack = (uint32_t)own;
    for (uint32_t v = 1; v < n; v++) {
        if (v == self || on_path(path, len, v))
            continue;
        path[len] = (unsigned char)v;
        attack += (uint32_t)resolve(s, path, len + 1, m, n, self);
        votes++;
    }
    return 2 * attack > votes;
}

static void om_on_round(struct disco_ctx *ctx, void *state,
                        disco_time_t round)
{
    struct om_state *s = state;
    uint32_t m = (uint32_t)disco_param(ctx, P_M);
    if (disco_self(ctx) == 0 || s->decided || !fits(ctx))
        return;
    if (round <= m) {
        relay(ctx, s, (uint32_t)round);
        return;
    }
    unsigned char path[MAX_M + 1];
    s->decided = true;
    disco_set_passive(ctx, true);
    s->decision = resolve(s, path, 0, m, disco_nodes(ctx), disco_self(ctx));
    /* A traitor decides too (it runs this code); the oracles ignore it. */
    disco_decide(ctx, s->decision);
}

/* ---- the adversary: how a traitor falsifies an order or a relay ---- */

static bool om_lie(struct disco_ctx *ctx, enum disco_lie how, uint32_t port,
                   unsigned kind, void *payload, size_t len)
{
    (void)port, (void)kind;
    struct om_msg msg;
    if (len != sizeof msg)
        return false;
    memcpy(&msg, payload, sizeof msg);
    msg.value = how == DISCO_LIE_FLIP ? msg.value == 0
                                      : (unsigned char)(disco_random(ctx) & 1);
    memcpy(payload, &msg, sizeof msg);
    return true;
}

/* Lamport's traitorous commander, at every level of the recursion: attack
 * to the lower half of the lieutenants (2v <= n), retreat to the others,
 * whatever the truth, so that two loyal lieutenants hear different
 * orders even from a traitor that received consistent ones. */
static bool attack_half(struct disco_ctx *ctx, uint32_t port, unsigned *kind,
                        void *payload, size_t *len)
{
    (void)kind;
    struct om_msg msg;
    if (*len != sizeof msg)
        return false;
    memcpy(&msg, payload, sizeof msg);
    uint32_t to = complete_node_at(disco_self(ctx), port);
    msg.value = 2 * to <= disco_nodes(ctx);
    memcpy(payload, &msg, sizeof msg);
    return true;
}

static const struct disco_strategy om_strategies[] = {
    {"attack-half", "attack to the lieutenants v with 2v <= n, retreat to "
     "the others, whatever the truth (the paper's traitorous commander)",
     attack_half},
};

static void om_format_state(const void *state, char *buf, size_t len)
{
    const struct om_state *s = state;
    if (s->decided)
        snprintf(buf, len, "obeys %s", s->decision ? "attack" : "retreat");
    else
        snprintf(buf, len, "heard %s", s->val[0] ? "attack" : "retreat");
}

/* ---- properties: oracles over the loyal lieutenants ---- */

static bool loyal(const struct disco_view *view, uint32_t v)
{
    return !disco_view_faulty(view, v);
}

/* IC1 and IC2 judge the loyal lieutenants, never the commander (node 0):
 * it gives the order and obeys none. */
static bool loyal_lieutenant(const struct disco_view *view, uint32_t v)
{
    return v != 0 && loyal(view, v);
}

static const struct disco_agreement_words om_words = {
    .judged = "loyal", .group = "lieutenant", .verb = "obeys",
    .first = "loyal lieutenant", .other = "lieutenant",
};

static bool check_ic1(const struct disco_view *view, char *detail, size_t len)
{
    return disco_oracle_agreement(view, loyal_lieutenant, &om_words, detail,
                                  len);
}

static bool check_ic2(const struct disco_view *view, char *detail, size_t len)
{
    if (!loyal(view, 0)) {
        snprintf(detail, len, "not applicable: the commander is a traitor");
        return true;
    }
    int64_t order = ((const struct om_state *)disco_view_state(view, 0))->order;
    const struct disco_decision *d =
        disco_view_decision_other_than(view, loyal_lieutenant, order);
    if (d) {
        snprintf(detail, len, "the loyal commander ordered %lld, "
                 "lieutenant %u obeys %lld", (long long)order, d->node,
                 (long long)d->value);
        return false;
    }
    snprintf(detail, len, "every loyal lieutenant obeys the order %lld",
             (long long)order);
    return true;
}

/* Every loyal lieutenant decides once, in round m+1. */
static bool check_termination(const struct disco_view *view, char *detail,
                              size_t len)
{
    return disco_oracle_decided_in_round(
        view, 1, (disco_time_t)disco_view_param(view, P_M) + 1, detail, len);
}

/* The theorem's hypothesis and the module's limits. */
static bool check_resilience(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t faulty = disco_view_faulty_count(view);
    int64_t m = disco_view_param(view, P_M);
    snprintf(detail, len, "n = %u, m = %lld, %u traitor%s%s", n,
             (long long)m, faulty, faulty == 1 ? "" : "s",
             n > MAX_N ? " (om keeps at most 10 processes)" : "");
    return n <= MAX_N && (int64_t)n > 3 * m && (int64_t)faulty <= m;
}

/* M(n,0) = n-1, M(n,m) = (n-1) + (n-1)M(n-1,m-1). */
static uint64_t lamport_count(uint64_t n, uint64_t m)
{
    if (n < 2)
        return 0;
    return m == 0 ? n - 1 : (n - 1) + (n - 1) * lamport_count(n - 1, m - 1);
}

static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t n = disco_view_nodes(view);
    uint64_t want = lamport_count(n, (uint64_t)disco_view_param(view, P_M));
    /* A traitor's strategy may suppress messages (silent) but every
     * strategy om ships sends at most one per message of the code. */
    return disco_oracle_message_count(view, disco_view_messages(view, -1),
                                      want, "M(n,m)", detail, len);
}

static void om_result(const struct disco_view *view, char *buf, size_t len)
{
    int64_t value = -1;
    for (size_t i = 0; i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (loyal(view, d->node))
            value = value == -1 || value == d->value ? d->value : -2;
    }
    const char *name = value == 1 ? "\"attack\"" :
                       value == 0 ? "\"retreat\"" : "null";
    snprintf(buf, len, "\"order\": %lld, \"obeyed\": %s",
             (long long)((const struct om_state *)disco_view_state(view, 0))
                 ->order, name);
}

static const struct disco_param om_params[] = {
    {"m", 1, 0, MAX_M, "traitors tolerated: OM(m), m+1 rounds, n > 3m"},
    {"value", 1, 0, 1,
     "the commander's order when node 0 has no `value` attribute: 1 "
     "attack, 0 retreat"},
};

static const struct disco_input_decl om_inputs[] = {
    {"value", 0, 1,
     "the commander's order, read at node 0 only: 1 attack, 0 retreat "
     "(else --param value)"},
};

static const char *const om_kinds[] = {"order", "relay"};

static const struct disco_property om_properties[] = {
    {"IC1", "all loyal lieutenants obey the same order",
     DISCO_PROPERTY_FINAL, check_ic1, true},
    {"IC2", "if the commander is loyal, every loyal lieutenant obeys its "
     "order", DISCO_PROPERTY_FINAL, check_ic2, true},
    {"termination", "every loyal lieutenant decides in round m+1",
     DISCO_PROPERTY_FINAL, check_termination, true},
    {"resilience", "n > 3m, at most m traitors, n <= 10 (the theorem's "
     "hypothesis: when it fails, IC1 and IC2 may too)",
     DISCO_PROPERTY_FINAL, check_resilience, false},
    {"messages", "exactly M(n,m) messages when no process is faulty, at "
     "most M(n,m) otherwise",
     DISCO_PROPERTY_FINAL, check_messages, true},
};

const struct disco_algorithm disco_alg_om = {
    .name = "om",
    .family = "consensus",
    .summary = "oral messages OM(m): Byzantine generals with m traitors, "
               "n > 3m, as an EIG tree in m+1 rounds",
    .description =
        "Synchronous rounds on a complete graph of at most 10 processes. "
        "Node 0, the commander, sends its order (node attribute `value` or "
        "parameter value: 1 attack, 0 retreat) to every lieutenant. For m "
        "more rounds every lieutenant relays each value it received along "
        "a path of the EIG tree to every lieutenant not on the path. Each "
        "lieutenant then resolves its tree by majorities (retreat on a tie "
        "or a missing value) and obeys the result. Traitors are the kernel's "
        "Byzantine processes (--byzantine LIST, the commander is node 0) "
        "with any generic strategy (silent, flip, random, equivocate) or "
        "om's own attack-half (attack to the lower half of the "
        "lieutenants, retreat to the others, whatever the truth).",
    .messages = "exactly M(n,m): M(n,0) = n-1, M(n,m) = (n-1) + "
                "(n-1)M(n-1,m-1) (n=4, m=1: 9; n=7, m=2: 156), when no "
                "traitor is silent and no process crashes",
    .time = "m+1 rounds; every loyal lieutenant decides in round m+1",
    .source = "L. Lamport, R. Shostak and M. Pease, The Byzantine Generals "
              "Problem, ACM TOPLAS 4(3), 1982 (OM(m)); Lynch, Distributed "
              "Algorithms, sec. 6.3.2 (EIG)",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "complete:4",
        .initiators = "0",
        .faults = "m Byzantine processes (--byzantine LIST --strategy "
                  "NAME), n > 3m",
        .max_nodes = MAX_N,
        .resilience_param = "m",
        .resilience_factor = 3,
    },
    .params = om_params,
    .param_count = sizeof om_params / sizeof om_params[0],
    .inputs = om_inputs,
    .input_count = sizeof om_inputs / sizeof om_inputs[0],
    .message_kinds = om_kinds,
    .kind_count = 2,
    .properties = om_properties,
    .property_count = sizeof om_properties / sizeof om_properties[0],
    .state_size = sizeof(struct om_state),
    .init = om_init,
    .on_message = om_on_message,
    .on_round = om_on_round,
    .format_state = om_format_state,
    .result = om_result,
    .lie = om_lie,
    .strategies = om_strategies,
    .strategy_count = sizeof om_strategies / sizeof om_strategies[0],
};
