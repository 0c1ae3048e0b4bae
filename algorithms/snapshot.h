/*
 * snapshot.h - what the two snapshot modules share.
 *
 * Both run the same basic computation, money transfers between accounts,
 * and keep the same ground truth beside it; they differ only in how a
 * process learns that it must record and when an in-channel's recording
 * ends.  chandy_lamport.c defines the shared machinery below (the bank,
 * the local recording, the ground truth, the oracles, the result);
 * lai_yang.c adds its colours and control messages.
 *
 * The ground truth.  Every transfer carries its channel's sequence number
 * and whether its sender had recorded when it sent it.  The receiver files
 * it by that bit and by whether it had recorded itself: the checks then
 * know, per channel, exactly which transfers crossed the cut, without
 * trusting what the algorithm recorded.
 *
 * Channels.  Both run on any strongly connected digraph (an undirected
 * graph is one with every channel both ways).  What a process knows of an
 * out-channel (what it sent, and the sender's half of the truth) lives in
 * that out-port's part (struct snap_out_channel, disco_port_state); what it
 * knows of an in-channel (the receiver's half of the truth, and the
 * recording) lives in that in-port's part (struct snap_in_channel,
 * disco_in_port_state), since on a digraph in-port p and out-port p need
 * not face the same neighbour, nor in- and out-degree be equal.  The
 * oracles pair sender u's out-port p with its receiver's in-port
 * disco_view_in_port(view, u, p).
 */
#ifndef DISCO_SNAPSHOT_H
#define DISCO_SNAPSHOT_H

#include "disco.h"

/* Parameters, in this order in both modules. */
enum { SNAP_BALANCE, SNAP_TRANSFERS, SNAP_GAP, SNAP_START, SNAP_PARAMS };

/* Properties, in this order in both modules; the last one is the
 * module's own count of control messages (markers). */
enum { SNAP_RECORDS_ONCE, SNAP_CONSISTENT, SNAP_CHANNELS, SNAP_TOTAL,
       SNAP_CONTROL, SNAP_PROPERTIES };

/* Message kinds, in this order in both modules: kind 1 is the marker
 * (chandy-lamport) or the control message (lai-yang). */
enum { SNAP_TRANSFER, SNAP_MARKER };

/* A transfer. */
struct snap_transfer {
    int64_t amount;
    uint64_t seq;          /* ground truth: 1, 2, ... per channel */
    uint8_t sent_after;    /* ground truth: the sender had recorded */
    uint8_t red;           /* lai-yang's colour bit (0: white) */
};

struct snap_state {
    /* the bank */
    _Alignas(16) int64_t initial; /* balance at the start */
    int64_t balance;              /* balance now */
    uint32_t transfers_made;      /* transfers this account has made */
    /* the snapshot */
    uint32_t records;             /* times recorded (1 when right) */
    bool recorded;                /* this process has recorded */
    bool complete;                /* every in-channel's recording ended */
    int64_t recorded_balance;     /* the balance it recorded */
    disco_time_t record_tick;     /* when it recorded (for pictures) */
    disco_time_t complete_tick;   /* when its local snapshot ended */
    uint32_t open;                /* in-channels still being recorded */
};

/* Per out-port p: out-channel p, as its sender knows it. */
struct snap_out_channel {
    _Alignas(16) uint64_t sent;   /* transfers sent (seq numbers 1..sent) */
    uint64_t sent_before;         /* truth: of which before recording */
    int64_t sent_before_sum;
    uint64_t white_sent;          /* lai-yang: the count it announces */
};

/* Per in-port q: in-channel q, as its receiver knows it. */
struct snap_in_channel {
    /* the truth */
    _Alignas(16) uint64_t recv_cross; /* sent before the sender's
                                       * recording, received after this
                                       * node's */
    int64_t recv_cross_sum;
    uint64_t recv_before;         /* sent before, received before */
    int64_t recv_before_sum;
    uint64_t orphans;             /* sent after, received before */
    uint64_t first_orphan;        /* seq of the first orphan */
    /* the algorithm's record */
    uint32_t markers;             /* markers (control messages) received */
    bool closed;                  /* its recording ended */
    uint64_t rec_count;           /* the recorded channel state */
    int64_t rec_sum;
    uint64_t rec_wrong;           /* truth: recorded transfers that were
                                   * sent after the sender recorded */
    uint64_t white_in;            /* lai-yang: white transfers received */
    uint64_t white_expected;      /* lai-yang: as the control message said */
};

extern const struct disco_param snapshot_params[SNAP_PARAMS];
/* The node input `balance`. */
extern const struct disco_input_decl snapshot_inputs[1];

/* The bank: read the balance, plan the transfers and, at the initiator,
 * the start of the snapshot (timer tag SNAP_T_START). */
enum { SNAP_T_TRANSFER, SNAP_T_START };
void snapshot_init(struct disco_ctx *ctx, struct snap_state *s);
/* A transfer timer: send a random amount to a random neighbour (never
 * going negative) with colour `red`, and plan the next. */
void snapshot_transfer(struct disco_ctx *ctx, struct snap_state *s, bool red);
/* Record the own state (the balance) once; the caller then sends its
 * markers on every out-channel.  Every in-channel (in_degree of them)
 * starts open. */
void snapshot_record(struct disco_ctx *ctx, struct snap_state *s);
/* A transfer arrived on in-port `port`: credit it, file it in that
 * in-channel's part for the ground truth and, when `into_record`, add it
 * to the channel's recorded state. */
void snapshot_receive(struct disco_ctx *ctx, struct snap_state *s,
                      uint32_t port, const struct snap_transfer *t,
                      bool into_record);
/* In-channel `port` (an in-port)'s recording ended; after the last one
 * the process decides its share of the total (balance + recorded channel
 * states). */
void snapshot_close(struct disco_ctx *ctx, struct snap_state *s,
                    uint32_t port);

/* The shared oracles, over the ground truth and the real topology. */
bool snapshot_check_records_once(const struct disco_view *view, char *detail,
                                 size_t len);
bool snapshot_check_consistent(const struct disco_view *view, char *detail,
                               size_t len);
bool snapshot_check_channels(const struct disco_view *view, char *detail,
                             size_t len);
bool snapshot_check_total(const struct disco_view *view, char *detail,
                          size_t len);
/* Exactly one marker (control message) on every directed channel, in
 * all |C|. */
bool snapshot_check_one_marker(const struct disco_view *view, char *detail,
                               size_t len);

void snapshot_format_state(const void *state, char *buf, size_t len);
/* The result members; `marker_name` names kind 1's count. */
void snapshot_result(const struct disco_view *view, char *buf, size_t len,
                     const char *marker_name);

#endif
