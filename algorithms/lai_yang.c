/*
 * lai_yang.c - Lai and Yang's global snapshot for non-FIFO channels, over
 * the money-transfer application of chandy_lamport.c (snapshot.h).
 *
 * Every transfer carries a colour bit: white when its sender had not yet
 * recorded, red after.  A process records its balance when the initiator's
 * `start` comes or, at the latest, when a red transfer arrives (before
 * crediting it): so no red transfer is ever received before the receiver
 * recorded, and the cut is consistent whatever order the channels keep.
 * The state of an in-channel is the white transfers that arrive after the
 * receiver recorded.
 *
 * Completion: the control-message-with-count variant (Mattern; Fokkink's
 * presentation of Lai-Yang).  On recording, a process sends on every
 * out-channel one control message carrying how many white transfers it sent
 * on that channel.  A control message also makes its receiver record (so
 * processes that get no red transfer record too), and an in-channel's
 * recording ends once as many white transfers have arrived on it as its
 * control message announced.  Exactly one control message per directed
 * channel.
 */
#include <string.h>

#include "snapshot.h"

/* Record, then tell every out-neighbour how many white transfers it is
 * owed. */
static void record_and_send_counts(struct disco_ctx *ctx,
                                   struct snap_state *s)
{
    snapshot_record(ctx, s);
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++) {
        const struct snap_out_channel *p = disco_port_state(ctx, port);
        disco_send(ctx, port, SNAP_MARKER, &p->white_sent,
                   sizeof p->white_sent);
    }
}

/* The in-channel is done once its control message came and every white
 * transfer it announced has arrived. */
static void maybe_close(struct disco_ctx *ctx, struct snap_state *s,
                        uint32_t port)
{
    const struct snap_in_channel *p = disco_in_port_state(ctx, port);
    if (p->markers > 0 && p->white_in == p->white_expected)
        snapshot_close(ctx, s, port);
}

static void ly_init(struct disco_ctx *ctx, void *state)
{
    snapshot_init(ctx, state);
}

static void ly_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct snap_state *s = state;
    struct snap_in_channel *p = disco_in_port_state(ctx, port);
    if (kind == SNAP_MARKER) {
        p->markers++;
        memcpy(&p->white_expected, payload, sizeof p->white_expected);
        if (!s->recorded)
            record_and_send_counts(ctx, s);
    } else {
        struct snap_transfer t;
        memcpy(&t, payload, sizeof t);
        if (t.red && !s->recorded)
            record_and_send_counts(ctx, s); /* before crediting it */
        if (!t.red)
            p->white_in++;
        snapshot_receive(ctx, s, port, &t, !t.red && s->recorded);
    }
    if (s->recorded)
        maybe_close(ctx, s, port);
}

static void ly_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct snap_state *s = state;
    if (tag == SNAP_T_TRANSFER)
        snapshot_transfer(ctx, s, s->recorded);
    else if (!s->recorded)
        record_and_send_counts(ctx, s);
}

static void ly_result(const struct disco_view *view, char *buf, size_t len)
{
    snapshot_result(view, buf, len, "control");
}

static const char *const ly_kinds[] = {"transfer", "control"};

static const struct disco_property ly_properties[SNAP_PROPERTIES] = {
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
    {"one_control_per_channel", "exactly one control message on every "
     "directed channel: |C| in all", DISCO_PROPERTY_FINAL,
     snapshot_check_one_marker, true},
};

const struct disco_algorithm disco_alg_lai_yang = {
    .name = "lai-yang",
    .family = "snapshot",
    .summary = "global snapshot on non-FIFO channels with a colour bit on "
               "every message, over a money-transfer application",
    .description =
        "The accounts of chandy-lamport make random transfers. Each "
        "transfer carries its sender's colour: white before the sender "
        "recorded, red after. The initiator records at `start`; any other "
        "process records on the first red transfer (before crediting it) "
        "or the first control message. On recording a process sends on "
        "every outgoing channel a control message with the number of white "
        "transfers it sent there; a channel's state is the white transfers "
        "received after recording, and its recording ends when the "
        "announced number of white transfers has arrived. No FIFO needed; "
        "any strongly connected network, directed or not.",
    .messages = "exactly |C| control messages (one per directed channel), "
                "besides the transfers, which each carry one colour bit",
    .time = "O(D) after the start, plus the delay of the last white "
            "transfer in transit",
    .source = "T. H. Lai and T. H. Yang, On distributed snapshots, IPL "
              "25(3), 1987; F. Mattern, Efficient algorithms for "
              "distributed snapshots and global virtual time approximation, "
              "JPDC 18(4), 1993; Fokkink, Distributed Algorithms, 2nd ed., "
              "sec. 3.2",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .connected = true, /* strongly, on a digraph */
        .fifo = false,
        .timing = DISCO_ASYNC,
        .topology = "complete:3",
        .initiators = "0",
        .faults = "none",
    },
    .params = snapshot_params,
    .param_count = SNAP_PARAMS,
    .inputs = snapshot_inputs,
    .input_count = 1,
    .message_kinds = ly_kinds,
    .kind_count = sizeof ly_kinds / sizeof ly_kinds[0],
    .properties = ly_properties,
    .property_count = SNAP_PROPERTIES,
    .state_size = sizeof(struct snap_state),
    .port_state_size = sizeof(struct snap_out_channel),
    .in_port_state_size = sizeof(struct snap_in_channel),
    .init = ly_init,
    .on_message = ly_on_message,
    .on_timer = ly_on_timer,
    .format_state = snapshot_format_state,
    .result = ly_result,
};
