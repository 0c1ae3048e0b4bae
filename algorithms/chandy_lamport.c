/*
 * chandy_lamport.c - Chandy and Lamport's global snapshot, on top of a
 * money-transfer application; and the machinery the snapshot modules
 * share (snapshot.h).
 *
 * The basic computation: every process holds an account (node input
 * `balance` from the scenario, else the parameter) and makes `transfers`
 * transfers of a random amount, never more than it holds, to a random
 * neighbour, a mean of `gap` ticks apart.  Money only moves, so the total
 * is constant, and a consistent snapshot must find exactly that total.
 *
 * The snapshot (FIFO channels, any strongly connected digraph).  The
 * initiator records its balance at `start` and sends a marker on every
 * out-channel.  A process that receives
 * its first marker records its balance, and sends markers on every
 * out-channel, before doing anything else; the channel the marker came on
 * is recorded empty.  From its recording until the marker of an in-channel
 * arrives, every transfer received on that channel is recorded as the
 * channel's state.  FIFO makes the marker separate, on each channel, the
 * transfers sent before the sender recorded from those sent after.
 */
#include <stdio.h>
#include <string.h>

#include "snapshot.h"

_Static_assert(sizeof(struct snap_state) % 16 == 0 &&
               sizeof(struct snap_out_channel) % 16 == 0 &&
               sizeof(struct snap_in_channel) % 16 == 0,
               "the kernel packs node blocks: keep all three multiples of 16");

static uint64_t param(const struct disco_ctx *ctx, unsigned index)
{
    return (uint64_t)disco_param(ctx, index);
}

/* ---- the bank ---- */

/* 1 .. 2 gap - 1 ticks: a mean of `gap`. */
static void plan_transfer(struct disco_ctx *ctx, const struct snap_state *s)
{
    if (s->transfers_made >= param(ctx, SNAP_TRANSFERS) ||
        disco_out_degree(ctx) == 0)
        return;
    uint64_t gap = param(ctx, SNAP_GAP);
    disco_set_timer(ctx, 1 + disco_random_below(ctx, 2 * gap - 1),
                    SNAP_T_TRANSFER);
}

void snapshot_init(struct disco_ctx *ctx, struct snap_state *s)
{
    int64_t balance = disco_param(ctx, SNAP_BALANCE);
    disco_input(ctx, "balance", &balance);
    s->initial = s->balance = balance;
    plan_transfer(ctx, s);
    if (disco_is_initiator(ctx))
        disco_set_timer(ctx, param(ctx, SNAP_START), SNAP_T_START);
}

void snapshot_transfer(struct disco_ctx *ctx, struct snap_state *s, bool red)
{
    s->transfers_made++;
    if (s->balance > 0) { /* an empty account skips its turn */
        uint32_t port = (uint32_t)disco_random_below(ctx,
                                                     disco_out_degree(ctx));
        struct snap_transfer t = {
            .amount = 1 + (int64_t)disco_random_below(ctx,
                                                      (uint64_t)s->balance),
            .sent_after = s->recorded,
            .red = red,
        };
        struct snap_out_channel *p = disco_port_state(ctx, port);
        t.seq = ++p->sent;
        if (!s->recorded) {
            p->sent_before++;
            p->sent_before_sum += t.amount;
            p->white_sent++;
        }
        s->balance -= t.amount;
        disco_send(ctx, port, SNAP_TRANSFER, &t, sizeof t);
    }
    plan_transfer(ctx, s);
}

/* ---- the snapshot, shared ---- */

void snapshot_record(struct disco_ctx *ctx, struct snap_state *s)
{
    s->records++;
    if (s->recorded)
        return;
    s->recorded = true;
    s->recorded_balance = s->balance;
    s->record_tick = disco_now(ctx);
    /* For the space-time diagram's cut line (both modules record here). */
    disco_mark(ctx, "cut");
    s->open = disco_in_degree(ctx);
    if (s->open == 0) {
        s->complete = true;
        s->complete_tick = disco_now(ctx);
        disco_decide(ctx, s->recorded_balance);
    }
}

void snapshot_receive(struct disco_ctx *ctx, struct snap_state *s,
                      uint32_t port, const struct snap_transfer *t,
                      bool into_record)
{
    struct snap_in_channel *p = disco_in_port_state(ctx, port);
    s->balance += t->amount;
    if (t->sent_after && !s->recorded) {
        if (p->orphans++ == 0)
            p->first_orphan = t->seq;
    } else if (!t->sent_after && !s->recorded) {
        p->recv_before++;
        p->recv_before_sum += t->amount;
    } else if (!t->sent_after) {
        p->recv_cross++;
        p->recv_cross_sum += t->amount;
    }
    if (into_record) {
        p->rec_count++;
        p->rec_sum += t->amount;
        p->rec_wrong += t->sent_after;
    }
}

void snapshot_close(struct disco_ctx *ctx, struct snap_state *s,
                    uint32_t port)
{
    struct snap_in_channel *p = disco_in_port_state(ctx, port);
    if (p->closed)
        return;
    p->closed = true;
    if (--s->open > 0)
        return;
    s->complete = true;
    s->complete_tick = disco_now(ctx);
    int64_t share = s->recorded_balance;
    for (uint32_t q = 0; q < disco_in_degree(ctx); q++)
        share += ((const struct snap_in_channel *)disco_in_port_state(ctx, q))
                     ->rec_sum;
    disco_decide(ctx, share);
}

/* ---- chandy-lamport ---- */

static void record_and_send_markers(struct disco_ctx *ctx,
                                    struct snap_state *s)
{
    snapshot_record(ctx, s);
    disco_send_all(ctx, SNAP_MARKER, NULL, 0);
}

static void cl_init(struct disco_ctx *ctx, void *state)
{
    snapshot_init(ctx, state);
}

static void cl_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct snap_state *s = state;
    struct snap_in_channel *p = disco_in_port_state(ctx, port);
    if (kind == SNAP_MARKER) {
        p->markers++;
        if (!s->recorded)
            record_and_send_markers(ctx, s); /* this channel: empty */
        snapshot_close(ctx, s, port);
    } else {
        struct snap_transfer t;
        memcpy(&t, payload, sizeof t);
        /* Recorded between the own recording and this channel's marker. */
        snapshot_receive(ctx, s, port, &t, s->recorded && !p->closed);
    }
}

static void cl_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct snap_state *s = state;
    if (tag == SNAP_T_TRANSFER)
        snapshot_transfer(ctx, s, false);
    else if (!s->recorded)
        record_and_send_markers(ctx, s);
}

/* ---- the oracles, shared ---- */

static const struct snap_state *state_of(const struct disco_view *view,
                                         uint32_t v)
{
    return disco_view_state(view, v);
}

static const struct snap_out_channel *
out_channel(const struct disco_view *view, uint32_t u, uint32_t port)
{
    return disco_view_port_state(view, u, port);
}

static const struct snap_in_channel *
in_channel(const struct disco_view *view, uint32_t v, uint32_t in_port)
{
    return disco_view_in_port_state(view, v, in_port);
}

bool snapshot_check_records_once(const struct disco_view *view, char *detail,
                                 size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct snap_state *s = state_of(view, v);
        if (s->records != 1) {
            snprintf(detail, len, "node %u recorded %u times", v, s->records);
            return false;
        }
        if (!s->complete) {
            snprintf(detail, len, "node %u never finished recording its "
                     "in-channels", v);
            return false;
        }
    }
    snprintf(detail, len, "every node recorded once");
    return true;
}

/* Sender u's out-port p is channel u->v; v receives it on in-port
 * disco_view_in_port(u, p) (on an undirected graph, v's port towards u). */
static const struct snap_in_channel *in_side(const struct disco_view *view,
                                             uint32_t u, uint32_t port,
                                             uint32_t *v_out)
{
    uint32_t v = disco_view_neighbour(view, u, port);
    *v_out = v;
    return in_channel(view, v, disco_view_in_port(view, u, port));
}

/* No orphan: no transfer sent after its sender recorded was received
 * before its receiver recorded. */
bool snapshot_check_consistent(const struct disco_view *view, char *detail,
                               size_t len)
{
    for (uint32_t u = 0; u < disco_view_nodes(view); u++)
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v;
            const struct snap_in_channel *in = in_side(view, u, p, &v);
            if (in->orphans > 0) {
                snprintf(detail, len, "inconsistent cut: transfer #%llu on "
                         "%u->%u was sent after %u recorded and received "
                         "before %u recorded (%llu such)",
                         (unsigned long long)in->first_orphan, u, v, u, v,
                         (unsigned long long)in->orphans);
                return false;
            }
        }
    snprintf(detail, len, "no transfer crosses the cut backwards");
    return true;
}

/* The recorded state of channel u->v is exactly the transfers u sent
 * before recording that v did not receive before recording.  The truth
 * counts them from the sender's side (so transfers still in transit
 * count); the record is right when it holds none sent after the cut and
 * as many, for as much, as cross it. */
bool snapshot_check_channels(const struct disco_view *view, char *detail,
                             size_t len)
{
    uint64_t crossing = 0;
    for (uint32_t u = 0; u < disco_view_nodes(view); u++)
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v;
            const struct snap_out_channel *out = out_channel(view, u, p);
            const struct snap_in_channel *in = in_side(view, u, p, &v);
            uint64_t count = out->sent_before - in->recv_before;
            int64_t sum = out->sent_before_sum - in->recv_before_sum;
            if (in->rec_wrong > 0 || in->rec_count != count ||
                in->rec_sum != sum) {
                snprintf(detail, len, "channel %u->%u recorded %llu "
                         "transfers (amount %lld; %llu of them sent after "
                         "the cut), but %llu crossed the cut (amount %lld)",
                         u, v,
                         (unsigned long long)in->rec_count,
                         (long long)in->rec_sum,
                         (unsigned long long)in->rec_wrong,
                         (unsigned long long)count, (long long)sum);
                return false;
            }
            crossing += count;
        }
    snprintf(detail, len, "every channel state exact (%llu transfers in "
             "transit at the cut)", (unsigned long long)crossing);
    return true;
}

static void totals(const struct disco_view *view, int64_t *initial,
                   int64_t *recorded)
{
    *initial = *recorded = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct snap_state *s = state_of(view, v);
        *initial += s->initial;
        *recorded += s->recorded_balance;
        for (uint32_t q = 0; q < disco_view_in_degree(view, v); q++)
            *recorded += in_channel(view, v, q)->rec_sum;
    }
}

bool snapshot_check_total(const struct disco_view *view, char *detail,
                          size_t len)
{
    int64_t initial, recorded;
    totals(view, &initial, &recorded);
    snprintf(detail, len, "recorded total %lld, initial total %lld",
             (long long)recorded, (long long)initial);
    return recorded == initial;
}

/* The sender of v's in-port q: the u whose out-port leads there.  Only
 * for a failure's detail, so a search over all channels will do. */
static uint32_t sender_of(const struct disco_view *view, uint32_t v,
                          uint32_t q)
{
    for (uint32_t u = 0; u < disco_view_nodes(view); u++)
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++)
            if (disco_view_neighbour(view, u, p) == v &&
                disco_view_in_port(view, u, p) == q)
                return u;
    return UINT32_MAX; /* not reached: every in-port has a sender */
}

bool snapshot_check_one_marker(const struct disco_view *view, char *detail,
                               size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        for (uint32_t q = 0; q < disco_view_in_degree(view, v); q++) {
            uint32_t markers = in_channel(view, v, q)->markers;
            if (markers != 1) {
                snprintf(detail, len, "%u markers on %u->%u", markers,
                         sender_of(view, v, q), v);
                return false;
            }
        }
    uint64_t sent = disco_view_messages(view, SNAP_MARKER);
    uint64_t channels = disco_view_channels(view);
    snprintf(detail, len, "one on each channel: %llu sent, |C| = %llu",
             (unsigned long long)sent, (unsigned long long)channels);
    return sent == channels;
}

void snapshot_format_state(const void *state, char *buf, size_t len)
{
    /* "recorded" first appears in the state after the event at which the
     * process recorded: a picture can place the cut just before it. */
    const struct snap_state *s = state;
    if (!s->recorded)
        snprintf(buf, len, "balance %lld", (long long)s->balance);
    else
        snprintf(buf, len, "balance %lld, recorded %lld at t=%llu%s",
                 (long long)s->balance, (long long)s->recorded_balance,
                 (unsigned long long)s->record_tick,
                 s->complete ? "" : " (recording channels)");
}

void snapshot_result(const struct disco_view *view, char *buf, size_t len,
                     const char *marker_name)
{
    int64_t initial, recorded;
    totals(view, &initial, &recorded);
    uint64_t in_transit = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        for (uint32_t q = 0; q < disco_view_in_degree(view, v); q++)
            in_transit += in_channel(view, v, q)->rec_count;
    snprintf(buf, len, "\"initial_total\": %lld, \"recorded_total\": %lld, "
             "\"recorded_in_transit\": %llu, \"transfers\": %llu, "
             "\"%s\": %llu", (long long)initial, (long long)recorded,
             (unsigned long long)in_transit,
             (unsigned long long)disco_view_messages(view, SNAP_TRANSFER),
             marker_name,
             (unsigned long long)disco_view_messages(view, SNAP_MARKER));
}

const struct disco_input_decl snapshot_inputs[1] = {
    {"balance", 0, 1000000000,
     "the account's opening balance (else --param balance)"},
};

const struct disco_param snapshot_params[SNAP_PARAMS] = {
    {"balance", 100, 0, 1000000000,
     "each account's opening balance, unless the scenario gives the node a "
     "`balance`"},
    {"transfers", 10, 0, 1000000, "transfers each account makes"},
    {"gap", 20, 1, 1000000000,
     "mean ticks between an account's transfers (uniform 1 .. 2 gap - 1)"},
    {"start", 100, 0, 1000000000, "tick at which the initiator records"},
};

static void cl_result(const struct disco_view *view, char *buf, size_t len)
{
    snapshot_result(view, buf, len, "markers");
}

static const char *const cl_kinds[] = {"transfer", "marker"};

static const struct disco_property cl_properties[SNAP_PROPERTIES] = {
    {"records_once", "every process records its state exactly once and "
     "finishes recording its in-channels", DISCO_PROPERTY_FINAL,
     snapshot_check_records_once, true},
    {"consistent_cut", "no transfer sent after its sender recorded was "
     "received before its receiver recorded", DISCO_PROPERTY_FINAL,
     snapshot_check_consistent, true},
    {"channel_states", "each recorded channel state is exactly the "
     "transfers that crossed the cut on that channel", DISCO_PROPERTY_FINAL,
     snapshot_check_channels, true},
    {"total_preserved", "recorded balances plus recorded channel states "
     "equal the initial total", DISCO_PROPERTY_FINAL, snapshot_check_total,
     true},
    {"one_marker_per_channel", "exactly one marker on every directed "
     "channel: |C| in all", DISCO_PROPERTY_FINAL, snapshot_check_one_marker,
     true},
};

const struct disco_algorithm disco_alg_chandy_lamport = {
    .name = "chandy-lamport",
    .family = "snapshot",
    .summary = "global snapshot with markers on FIFO channels, over a "
               "money-transfer application",
    .description =
        "Accounts (balance from the scenario's node attribute `balance`, "
        "else the parameter) make `transfers` random transfers to random "
        "out-neighbours, `gap` ticks apart on average. At `start` the "
        "initiator records its balance and sends a marker on every outgoing "
        "channel; a process records on its first marker and sends markers "
        "on all its outgoing channels. A channel's state is the transfers "
        "received on it after the receiver recorded and before the "
        "channel's marker. Any strongly connected network, directed or not. "
        "With FIFO channels the recorded balances and channel states add up "
        "to the initial total; without, they need not.",
    .messages = "exactly |C| markers (one per directed channel), besides "
                "the transfers",
    .time = "O(D) after the start: markers travel along shortest paths",
    .source = "K. M. Chandy and L. Lamport, Distributed snapshots: "
              "determining global states of distributed systems, ACM TOCS "
              "3(1), 1985; Fokkink, Distributed Algorithms, 2nd ed., "
              "sec. 3.1",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .connected = true, /* strongly, on a digraph */
        .fifo = true,
        .timing = DISCO_ASYNC,
        .topology = "complete:3",
        .initiators = "0",
        .faults = "none",
    },
    .params = snapshot_params,
    .param_count = SNAP_PARAMS,
    .inputs = snapshot_inputs,
    .input_count = 1,
    .message_kinds = cl_kinds,
    .kind_count = sizeof cl_kinds / sizeof cl_kinds[0],
    .properties = cl_properties,
    .property_count = SNAP_PROPERTIES,
    .state_size = sizeof(struct snap_state),
    .port_state_size = sizeof(struct snap_out_channel),
    .in_port_state_size = sizeof(struct snap_in_channel),
    .init = cl_init,
    .on_message = cl_on_message,
    .on_timer = cl_on_timer,
    .format_state = snapshot_format_state,
    .result = cl_result,
};
