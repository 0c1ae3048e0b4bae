/*
 * tarry.c - Tarry's traversal: one token walks every channel once each way.
 *
 * The initiator sends the token to a neighbour.  A process that gets the
 * token for the first time takes the sender as its parent.  Every process
 * then passes the token on by two rules:
 *
 *   R1  never send the token twice through the same channel;
 *   R2  send it to the parent only when no other channel is left.
 *
 * When the token is back at the initiator and every channel of the
 * initiator has been used, the traversal is over and the initiator
 * decides.  The token crosses each of the m edges once in each direction:
 * exactly 2m messages on every schedule, one after the other.  The parent
 * pointers form a spanning tree, but not necessarily a depth-first one
 * (compare with `dfs`, which adds a third rule).
 */
#include <stdio.h>
#include <string.h>

#include "traversal.h"

enum { TOKEN };                 /* message kinds, indices into tarry_kinds */
enum { PARAM_RANDOM };          /* parameters, indices into tarry_params */

struct tarry_state {
    struct traversal t;         /* parent, reached, holds_token, decided;
                                   sent (R1: 0 or 1) and received per port */
};

/* By R1 and R2, or decide when no channel is left at the initiator. */
void traversal_pass_token(struct disco_ctx *ctx, struct traversal *t)
{
    uint32_t port = traversal_next_port(ctx, t->parent, t->sent);
    if (port == DISCO_NO_PORT)
        traversal_decide(ctx, t);
    else
        traversal_send_token(ctx, t, port);
}

static void tarry_init(struct disco_ctx *ctx, void *state)
{
    struct tarry_state *s = state;
    if (traversal_start(ctx, &s->t)) {
        s->t.reached = true;
        s->t.holds_token = true;
        traversal_pass_token(ctx, &s->t);
    }
}

static void tarry_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind,
                             const void *payload, size_t len)
{
    struct tarry_state *s = state;
    if (s->t.too_many_ports)
        return;
    traversal_count_received(&s->t, port);
    s->t.holds_token = true;
    if (!s->t.reached) {
        s->t.reached = true;
        s->t.parent = port;
    }
    traversal_pass_token(ctx, &s->t);
}

/* ---- the machinery of the traversal family (see traversal.h) ------------ */

_Static_assert(offsetof(struct tarry_state, t) == 0,
               "the shared oracles read the state as a struct traversal");

bool traversal_start(struct disco_ctx *ctx, struct traversal *t)
{
    t->parent = DISCO_NO_PORT;
    t->too_many_ports = disco_out_degree(ctx) > TRAVERSAL_MAX_PORTS;
    return disco_is_initiator(ctx) && !t->too_many_ports;
}

uint32_t traversal_next_port(struct disco_ctx *ctx, uint32_t parent,
                             const uint8_t *used)
{
    uint32_t free_ports = 0;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++)
        free_ports += p != parent && !used[p];
    if (free_ports == 0)
        return parent;
    uint64_t pick = disco_param(ctx, PARAM_RANDOM)
                        ? disco_random_below(ctx, free_ports)
                        : 0;
    for (uint32_t p = 0;; p++)
        if (p != parent && !used[p] && pick-- == 0)
            return p;
}

void traversal_send_token(struct disco_ctx *ctx, struct traversal *t,
                          uint32_t port)
{
    t->holds_token = false;
    if (t->sent[port] < UINT8_MAX)
        t->sent[port]++;
    disco_send(ctx, port, TOKEN, NULL, 0);
}

void traversal_count_received(struct traversal *t, uint32_t port)
{
    if (t->received[port] < UINT8_MAX)
        t->received[port]++;
}

void traversal_decide(struct disco_ctx *ctx, struct traversal *t)
{
    t->decided = true;
    disco_decide(ctx, disco_id(ctx));
}

void traversal_format_state(const void *state, char *buf, size_t len)
{
    const struct traversal *t = state;
    if (t->decided)
        snprintf(buf, len, "decided");
    else if (!t->reached)
        snprintf(buf, len, "idle");
    else if (t->parent == DISCO_NO_PORT)
        snprintf(buf, len, t->holds_token ? "initiator, token here"
                                          : "initiator");
    else
        snprintf(buf, len, "parent port %u%s", t->parent,
                 t->holds_token ? ", token here" : "");
}

/* ---- properties: oracles over the view ---------------------------------- */

uint32_t traversal_parent_port(const void *state)
{
    return ((const struct traversal *)state)->parent;
}

/* The per-port counts exist only up to TRAVERSAL_MAX_PORTS ports. */
static bool ports_tracked(const struct disco_view *view, char *detail,
                          size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (disco_view_degree(view, v) > TRAVERSAL_MAX_PORTS) {
            snprintf(detail, len, "node %u has %u ports; this implementation "
                     "handles at most %u", v, disco_view_degree(view, v),
                     TRAVERSAL_MAX_PORTS);
            return false;
        }
    }
    return true;
}

bool traversal_check_decides_once(const struct disco_view *view,
                                  char *detail, size_t len)
{
    return disco_oracle_decides_once(view, detail, len);
}

bool traversal_check_preceded_by_all(const struct disco_view *view,
                                     char *detail, size_t len)
{
    return disco_oracle_preceded_by_all(view, DISCO_ALL_DECISIONS, detail,
                                        len);
}

bool traversal_check_channels(const struct disco_view *view,
                              const struct traversal_channel_rule *rule,
                              uint64_t *off_tree, char *detail, size_t len)
{
    if (!ports_tracked(view, detail, len))
        return false;
    uint64_t loaded = 0;
    for (uint32_t u = 0; u < disco_view_nodes(view); u++) {
        const struct traversal *su = disco_view_state(view, u);
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            uint32_t q = disco_view_port_to(view, v, u);
            const struct traversal *sv = disco_view_state(view, v);
            bool tree = su->parent == p || sv->parent == q;
            unsigned sent = su->sent[p];
            unsigned got = q == DISCO_NO_PORT ? 0 : sv->received[q];
            if (!rule->fits(tree, sent, got)) {
                snprintf(detail, len, "%s %u->%u: sent %u, received %u "
                         "(expected %s)",
                         tree ? rule->tree_label : rule->other_label, u, v,
                         sent, got,
                         tree ? rule->tree_expected : rule->other_expected);
                return false;
            }
            loaded += !tree && sent;
        }
    }
    if (off_tree)
        *off_tree = loaded;
    return true;
}

/* Every channel u->v of the real topology: u sent exactly one token on it
 * and v received exactly one from it. */
static bool once_each_way(bool tree, unsigned sent, unsigned got)
{
    (void)tree;
    return sent == 1 && got == 1;
}

bool traversal_check_each_channel_once(const struct disco_view *view,
                                    char *detail, size_t len)
{
    static const struct traversal_channel_rule rule = {
        once_each_way, "channel", "channel", "1 and 1", "1 and 1"};
    if (!traversal_check_channels(view, &rule, NULL, detail, len))
        return false;
    snprintf(detail, len, "each of the %llu channels carried one token",
             (unsigned long long)disco_view_channels(view));
    return true;
}

bool traversal_check_ends_at_initiator(const struct disco_view *view,
                                       char *detail, size_t len)
{
    uint32_t holders = 0, holder = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct traversal *t = disco_view_state(view, v);
        if (t->holds_token && holders++ == 0)
            holder = v;
    }
    if (holders != 1) {
        snprintf(detail, len, "%u nodes hold the token (expected one)",
                 holders);
        return false;
    }
    if (!disco_view_initiator(view, holder)) {
        snprintf(detail, len, "the token rests at node %u, not at the "
                 "initiator", holder);
        return false;
    }
    snprintf(detail, len, "the token rests at node %u, the initiator",
             holder);
    return true;
}

bool traversal_check_spanning_tree(const struct disco_view *view,
                                   char *detail, size_t len)
{
    return disco_oracle_spanning_tree(view, traversal_parent_port,
                                      disco_view_single_initiator(view),
                                      detail, len);
}

bool traversal_check_dfs_tree(const struct disco_view *view, char *detail,
                              size_t len)
{
    return disco_oracle_dfs_tree(view, traversal_parent_port, detail, len);
}

bool traversal_check_messages_2m(const struct disco_view *view, char *detail,
                                 size_t len)
{
    uint64_t sent = disco_view_messages(view, TOKEN);
    uint64_t expected = 2 * disco_view_edges(view);
    snprintf(detail, len, "%llu tokens, 2m = %llu", (unsigned long long)sent,
             (unsigned long long)expected);
    return sent == expected;
}

const struct disco_decision *traversal_result(const struct disco_view *view,
                                              char *buf, size_t len)
{
    if (disco_view_decision_count(view) == 0) {
        snprintf(buf, len, "\"decided\": false");
        return NULL;
    }
    const struct disco_decision *d = disco_view_decision(view, 0);
    snprintf(buf, len, "\"decided\": true, \"initiator\": %u, "
             "\"decided_at\": %llu", d->node, (unsigned long long)d->time);
    return d;
}

void traversal_plain_result(const struct disco_view *view, char *buf,
                            size_t len)
{
    traversal_result(view, buf, len);
}

/* What the run computed: the decision, and whether this particular Tarry
 * tree happens to be a depth-first tree (often it is not). */
static void tarry_result(const struct disco_view *view, char *buf, size_t len)
{
    if (!traversal_result(view, buf, len))
        return;
    char why[256];
    bool dfs = disco_oracle_dfs_tree(view, traversal_parent_port, why,
                                     sizeof why);
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, ", \"dfs_tree\": %s, \"tree\": \"%s\"",
             dfs ? "true" : "false", why);
}

static const char *const tarry_kinds[] = {"token"};

static const struct disco_param tarry_params[] = {
    {"random", 1, 0, 1,
     "1: where R1 and R2 leave a choice, take a free channel at random (from "
     "the node's own stream, so --seed changes the walk); 0: the lowest "
     "port"},
};

static const struct disco_property tarry_properties[] = {
    {"decides_once", "the initiator, and only it, decides exactly once",
     DISCO_PROPERTY_FINAL, traversal_check_decides_once, true},
    {"decision_preceded_by_all",
     "the decision is causally preceded by an event at every node",
     DISCO_PROPERTY_TRACE, traversal_check_preceded_by_all, true},
    {"each_channel_once_each_way",
     "the token crossed every channel of the network exactly once",
     DISCO_PROPERTY_FINAL, traversal_check_each_channel_once, true},
    {"ends_at_initiator", "the token finishes at the initiator",
     DISCO_PROPERTY_FINAL, traversal_check_ends_at_initiator, true},
    {"spanning_tree",
     "the parent pointers form a spanning tree rooted at the initiator",
     DISCO_PROPERTY_FINAL, traversal_check_spanning_tree, true},
    {"messages_2m", "exactly 2m tokens", DISCO_PROPERTY_FINAL,
     traversal_check_messages_2m, true},
};

const struct disco_algorithm disco_alg_tarry = {
    .name = "tarry",
    .family = "traversal",
    .summary = "Tarry's traversal: a token crosses every channel once each "
               "way, 2m messages",
    .description =
        "The initiator sends a token to a neighbour. A process takes the "
        "sender of its first token as its parent, and passes the token on "
        "by two rules: never twice through the same channel (R1), and to "
        "the parent only when no other channel is left (R2). The initiator "
        "decides when the token is back and all its channels are used. "
        "The parent pointers form a spanning tree, not always a "
        "depth-first one: the result says which.",
    .messages = "exactly 2m (schedule-independent)",
    .time = "2m: the token's walk is one causal chain of 2m messages",
    .source = "G. Tarry, Le probleme des labyrinthes, Nouvelles Annales de "
              "Mathematiques 14, 1895; Tel, Introduction to Distributed "
              "Algorithms, 2nd ed., sec. 6.3; Fokkink, Distributed "
              "Algorithms, sec. 4.1",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "grid:4x4",
        .initiators = "0",
        .faults = "none",
        .max_degree = TRAVERSAL_MAX_PORTS,
    },
    .params = tarry_params,
    .param_count = sizeof tarry_params / sizeof tarry_params[0],
    .message_kinds = tarry_kinds,
    .kind_count = 1,
    .properties = tarry_properties,
    .property_count = sizeof tarry_properties / sizeof tarry_properties[0],
    .tokens_certify = true,
    .state_size = sizeof(struct tarry_state),
    .init = tarry_init,
    .on_message = tarry_on_message,
    .format_state = traversal_format_state,
    .result = tarry_result,
    .parent_port = traversal_parent_port,
};
