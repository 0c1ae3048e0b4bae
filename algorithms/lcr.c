/*
 * lcr.c - the LeLann-Chang-Roberts algorithm (LCR) in the synchronous
 * model, as Lynch gives it in section 3.3.
 *
 * Each process sends its UID clockwise round the ring.  In every round a
 * process compares the UID it receives with its own: it passes on a larger
 * one, discards a smaller one, and a process that receives its own UID is
 * the leader.  The leader then sends a `report` once round the ring, so
 * that every process learns its UID (Lynch's halting variant).
 *
 * Rounds, as disco runs them: init is round 0 and sends the messages of
 * Lynch's first round; in round r the messages sent in round r-1 arrive
 * (on_message: Lynch's trans_i, which fills the `send` buffer), then
 * on_round(r) sends what trans_i chose (Lynch's msgs_i of the next round),
 * to arrive in round r+1.  The maximum UID thus comes home in round n.
 *
 * The ring: a unidirectional one (uring:N: one out-port), or a
 * bidirectional one (ring:N), where LCR still sends clockwise only, to
 * process i+1 mod n, so that the synchronizers (which need channels both
 * ways for their acknowledgements) can run it.  The API does not name the
 * neighbour behind a port, but ports are ordered by neighbour index: on
 * the ring 0-1-...-(n-1)-0 process i+1 mod n is behind port 1, except at
 * process 0 (neighbours 1 and n-1) and at process n-1 (neighbours 0 and
 * n-2), where it is behind port 0.  The kernel refuses graphs that are
 * no ring; on a ring whose nodes are not numbered along it (a scenario), a
 * process stays silent and the property `ring` names the culprit.
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { UID, REPORT };

/* Lynch's "null": no UID to send.  Ids are integers >= 0. */
#define NO_UID INT64_MIN

struct lcr_state {
    int64_t send;      /* Lynch's send: the UID to pass on at the end of
                          this round, or NO_UID */
    int64_t report;    /* the leader's UID to pass on in a report at the
                          end of this round, or NO_UID */
    int64_t leader;    /* the leader's UID, once known */
    bool awake;        /* has put its own UID on the ring (initiators in
                          round 0, the others when a smaller UID wakes
                          them) */
    bool is_leader;    /* Lynch's status = leader: its own UID came back */
    bool knows_leader; /* is the leader, or the report has reached it */
};

/* The out-port to process self+1 mod n on a ring (see the top), or
 * DISCO_NO_PORT when the process has neither one out-port (uring) nor two
 * out- and two in-ports (ring). */
static uint32_t next_port(uint32_t self, uint32_t n, uint32_t out_degree,
                          uint32_t in_degree)
{
    if (out_degree == 1)
        return 0;
    if (out_degree != 2 || in_degree != 2)
        return DISCO_NO_PORT;
    return self == 0 || self == n - 1 ? 0 : 1;
}

static uint32_t ctx_next_port(const struct disco_ctx *ctx)
{
    return next_port(disco_self(ctx), disco_nodes(ctx), disco_out_degree(ctx),
                     disco_in_degree(ctx));
}

/* msgs_i: send the buffered UID and report to the clockwise neighbour,
 * and empty the buffers. */
static void lcr_msgs(struct disco_ctx *ctx, struct lcr_state *s)
{
    uint32_t next = ctx_next_port(ctx);
    if (next == DISCO_NO_PORT)
        return; /* not on a ring: the property `ring` says so */
    if (s->send != NO_UID)
        disco_send(ctx, next, UID, &s->send, sizeof s->send);
    if (s->report != NO_UID)
        disco_send(ctx, next, REPORT, &s->report, sizeof s->report);
    s->send = NO_UID;
    s->report = NO_UID;
}

static void lcr_init(struct disco_ctx *ctx, void *state)
{
    struct lcr_state *s = state;
    s->send = NO_UID;
    s->report = NO_UID;
    if (disco_is_initiator(ctx)) {
        s->awake = true;
        s->send = disco_id(ctx);
        lcr_msgs(ctx, s); /* round 1's messages, sent at time 0 */
    }
}

static void learn(struct disco_ctx *ctx, struct lcr_state *s, int64_t leader)
{
    s->knows_leader = true;
    s->leader = leader;
    disco_decide(ctx, leader);
    s->report = leader; /* pass the report on (the leader: start it) */
}

/* trans_i, for the one message of this round. */
static void lcr_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                           unsigned kind, const void *payload, size_t len)
{
    struct lcr_state *s = state;
    int64_t v, u = disco_id(ctx);
    memcpy(&v, payload, sizeof v);

    if (kind == REPORT) {
        if (v != u) /* back at the leader: the report has gone round */
            learn(ctx, s, v);
        return;
    }
    if (v > u) {
        s->send = v;
    } else if (v == u) {
        s->is_leader = true;
        learn(ctx, s, u);
    } else if (!s->awake) {
        /* A process that did not start wakes on a smaller UID: it
         * discards it and sends its own instead. */
        s->awake = true;
        s->send = u;
    }
    /* v < u at an awake process: discarded. */
}

static void lcr_on_round(struct disco_ctx *ctx, void *state,
                         disco_time_t round)
{
    lcr_msgs(ctx, state);
}

static void lcr_format_state(const void *state, char *buf, size_t len)
{
    const struct lcr_state *s = state;
    if (s->is_leader)
        snprintf(buf, len, "leader");
    else if (s->knows_leader)
        snprintf(buf, len, "follower of %lld", (long long)s->leader);
    else
        snprintf(buf, len, s->awake ? "unknown" : "asleep");
}

/* ---- properties, over the view's ground truth ---- */

static bool is_leader(const void *state)
{
    return ((const struct lcr_state *)state)->is_leader;
}

static bool all_initiators(const struct disco_view *view)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (!disco_view_initiator(view, v))
            return false;
    return true;
}

/* The process node v sends to, or DISCO_NO_PORT.  The in-degree is the
 * out-degree on an undirected graph; on a directed one an out-degree of 2
 * is no ring anyway. */
static uint32_t next_of(const struct disco_view *view, uint32_t v)
{
    uint32_t degree = disco_view_degree(view, v);
    uint32_t port = next_port(v, disco_view_nodes(view), degree,
                              disco_view_directed(view) ? 0 : degree);
    return port == DISCO_NO_PORT ? DISCO_NO_PORT
                                 : disco_view_neighbour(view, v, port);
}

/* Whether following each process's clockwise port from process 0 visits
 * every process once and comes back; if not, says where it goes wrong. */
#define LCR_NEEDS_A_RING                                                     \
    "lcr needs a ring (uring:N, or ring:N with node i linked to i+1 mod n)"
static bool ring_ok(const struct disco_view *view, char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view), v = 0;
    for (uint32_t hops = 1; hops <= n; hops++) {
        uint32_t w = next_of(view, v);
        if (w == DISCO_NO_PORT) {
            snprintf(detail, len, LCR_NEEDS_A_RING "; node %u has %u links",
                     v, disco_view_degree(view, v));
            return false;
        }
        if (w == 0 && hops < n) {
            snprintf(detail, len,
                     LCR_NEEDS_A_RING "; clockwise from node 0 the ring "
                                      "closes after %u of %u nodes",
                     hops, n);
            return false;
        }
        v = w;
    }
    if (v != 0) {
        snprintf(detail, len, LCR_NEEDS_A_RING "; clockwise from node 0 the "
                                               "ring does not close");
        return false;
    }
    snprintf(detail, len, "%s ring of %u, clockwise through every process",
             disco_view_directed(view) ? "a unidirectional" : "a "
             "bidirectional", n);
    return true;
}

/* Hops from node v, clockwise, to the first node with a larger id, or n
 * for the maximum (its UID comes home).  Only on a ring (ring_ok). */
static uint64_t hops_to_larger(const struct disco_view *view, uint32_t v)
{
    uint32_t n = disco_view_nodes(view), w = v;
    int64_t id = disco_view_id(view, v);
    uint64_t hops = 0;
    do {
        w = next_of(view, w);
        hops++;
    } while (w != v && disco_view_id(view, w) < id);
    return hops < n ? hops : n;
}

static bool check_unique_leader(const struct disco_view *view, char *detail,
                                size_t len)
{
    return disco_oracle_unique_max_leader(view, is_leader, NULL, detail, len);
}

static bool check_everyone_learns(const struct disco_view *view, char *detail,
                                  size_t len)
{
    return disco_oracle_all_decided(view, disco_view_max_id(view, NULL),
                                    detail, len);
}

static bool check_reports(const struct disco_view *view, char *detail,
                          size_t len)
{
    uint64_t sent = disco_view_messages(view, REPORT);
    snprintf(detail, len, "%llu reports for %u nodes",
             (unsigned long long)sent, disco_view_nodes(view));
    return sent == disco_view_nodes(view);
}

/* Lynch, Theorem 3.1: with every process starting in round 1, the process
 * with the maximum UID outputs leader at the end of round n. */
static bool check_leader_at_round_n(const struct disco_view *view,
                                    char *detail, size_t len)
{
    if (!all_initiators(view)) {
        snprintf(detail, len, "not applicable: not every process started");
        return true;
    }
    int64_t max = disco_view_max_id(view, NULL);
    uint32_t n = disco_view_nodes(view);
    for (size_t i = 0; i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (disco_view_id(view, d->node) != max)
            continue;
        snprintf(detail, len, "the leader decided in round %llu, n = %u",
                 (unsigned long long)d->time, n);
        return d->time == n;
    }
    snprintf(detail, len, "the maximum never decided");
    return false;
}

/* Every UID travels until it meets a larger one, the maximum n hops: the
 * sum is n(n+1)/2 for ids decreasing along the ring, 2n-1 increasing. */
static bool check_uid_messages(const struct disco_view *view, char *detail,
                               size_t len)
{
    if (!all_initiators(view)) {
        snprintf(detail, len, "not applicable: not every process started");
        return true;
    }
    if (!ring_ok(view, detail, len))
        return false;
    uint64_t expected = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        expected += hops_to_larger(view, v);
    uint64_t sent = disco_view_messages(view, UID);
    snprintf(detail, len, "%llu UID messages, placement predicts %llu",
             (unsigned long long)sent, (unsigned long long)expected);
    return sent == expected;
}

static void lcr_result(const struct disco_view *view, char *buf, size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct lcr_state *s = disco_view_state(view, v);
        if (s->is_leader) {
            snprintf(buf, len, "\"leader\": %lld, \"leader_node\": %u",
                     (long long)disco_view_id(view, v), v);
            return;
        }
    }
    snprintf(buf, len, "\"leader\": null");
}

static const char *const lcr_kinds[] = {"uid", "report"};

static const struct disco_property lcr_properties[] = {
    {"unique_leader", "exactly one leader, and it holds the maximum UID",
     DISCO_PROPERTY_FINAL, check_unique_leader, true},
    {"everyone_learns", "every process learns the leader's UID",
     DISCO_PROPERTY_FINAL, check_everyone_learns, true},
    {"n_reports", "the report crosses each of the n channels once",
     DISCO_PROPERTY_FINAL, check_reports, true},
    {"leader_at_round_n",
     "when every process starts, the leader is elected in round n exactly",
     DISCO_PROPERTY_FINAL, check_leader_at_round_n, true},
    {"uid_messages",
     "when every process starts, each UID travels to the first larger one "
     "(the maximum: n hops)",
     DISCO_PROPERTY_FINAL, check_uid_messages, true},
    {"ring",
     "the network is a ring, uring:N or ring:N (node i linked to i+1 mod n), "
     "and following each process's clockwise port visits every process",
     DISCO_PROPERTY_FINAL, ring_ok, false},
};

const struct disco_algorithm disco_alg_lcr = {
    .name = "lcr",
    .family = "election",
    .summary = "LeLann-Chang-Roberts: leader election on a synchronous "
               "ring, sending one way, in n rounds",
    .description =
        "In lock-step rounds every process sends its UID clockwise. A "
        "process passes on a UID larger than its own and discards a smaller "
        "one; the process that receives its own UID, in round n, is the "
        "leader. It then sends a report once round the ring, so that every "
        "process learns the leader's UID (decision). A process that did not "
        "start wakes when it first receives a smaller UID and sends its own. "
        "On a bidirectional ring (ring:N) it sends clockwise only, to "
        "process i+1 mod n, so it also runs through --synchronizer alpha, "
        "beta and gamma.",
    .messages = "uid: n(n+1)/2 when ids decrease along the ring (worst), 2n-1 "
                "when they increase (best), n*H_n on average over all "
                "placements; plus exactly n report messages",
    .time = "the leader knows in round n exactly (every process starting); "
            "the report reaches everyone by round 2n-1 and the run ends in "
            "round 2n",
    .message_bound = "n*(n+1)/2+n",
    .source = "Lynch, Distributed Algorithms, sec. 3.3 (LCR); G. LeLann, "
              "Distributed systems - towards a formal approach, IFIP 1977; "
              "E. Chang and R. Roberts, CACM 22(5), 1979",
    .model = {
        .shape = DISCO_SHAPE_NUMBERED_RING,
        .undirected = false,
        .connected = true,
        .fifo = false,
        .unique_ids = true,
        .timing = DISCO_SYNC,
        .sync_by_default = true,
        .topology = "uring:16",
        .initiators = "all",
        .faults = "none",
    },
    .message_kinds = lcr_kinds,
    .kind_count = 2,
    .properties = lcr_properties,
    .property_count = sizeof lcr_properties / sizeof lcr_properties[0],
    .state_size = sizeof(struct lcr_state),
    .init = lcr_init,
    .on_message = lcr_on_message,
    .on_round = lcr_on_round,
    .format_state = lcr_format_state,
    .result = lcr_result,
    .is_leader = is_leader,
};
