/*
 * diffusing.h - what the three termination-detection modules share: the
 * random diffusing basic computation they observe, and the ground truth
 * their properties are checked against.
 *
 * dijkstra_scholten.c defines the functions; safra.c and huang.c use them.
 * Each module's state struct begins with a `struct diffusing_basic` and its
 * per-port struct with a `struct diffusing_port`, so the oracles below read
 * any of the three.
 *
 * The basic computation.  An active process works: every 1 .. 2 gap - 1
 * ticks (a timer, mean `gap`) it sends one basic message to a neighbour
 * drawn from its own random stream, as long as it has sent fewer than
 * `size` in all, and then goes on working with probability 1/2 or becomes
 * passive.  A passive process becomes active only by receiving a basic
 * message.  The budget makes every run finite.
 *
 * The ground truth, which no detector reads: each state keeps the node's
 * true active flag and, per port, the basic messages sent on the out-port
 * and received on the in-port.  True quiescence is "every node passive and
 * on every channel sent == received", computable from the states at any
 * moment, so an invariant can judge an announcement when it is made.
 */
#ifndef DISCO_DIFFUSING_H
#define DISCO_DIFFUSING_H

#include "disco.h"

/* Parameters every module puts first in its table, in this order. */
enum { DIFFUSING_SIZE, DIFFUSING_GAP, DIFFUSING_PARAMS };
/* The basic message is kind 0 in every module. */
enum { DIFFUSING_BASIC = 0 };
/* Timer tag of the basic computation's work step. */
#define DIFFUSING_WORK 0u
/* Ticks of the last control sends each node remembers, to count the
 * control messages sent after quiescence (a node sends far fewer after it:
 * at most one ack or return, a few token hops). */
#define DIFFUSING_CONTROL_LOG 16u

struct diffusing_basic {
    _Alignas(16) bool active;  /* the true state of the basic process */
    bool announced;            /* this node announced termination */
    uint32_t sent;             /* basic messages sent (the budget used) */
    uint32_t received;         /* basic messages received */
    disco_time_t last_basic;   /* tick of the last basic receive or
                                * passivation: quiescence is the latest */
    disco_time_t announced_at; /* tick of the announcement */
    uint64_t basic_events;     /* basic receives and passivations */
    uint64_t control_sent;     /* control messages sent by this node */
    struct {
        disco_time_t tick;     /* when sent */
        uint64_t basic_events; /* the node's basic_events then */
    } control_log[DIFFUSING_CONTROL_LOG]; /* the last DIFFUSING_CONTROL_LOG
                                * control sends, cyclically */
};

/* Per port: basic messages sent on the out-port, received on the in-port
 * (the same neighbour: the modules need undirected graphs). */
struct diffusing_port {
    uint64_t sent, received;
};

/* What the basic computation asks of the detector: send one basic message
 * on `port` (the module adds its payload, e.g. a weight, and calls
 * diffusing_count_send), and the node just became passive. */
struct diffusing_ops {
    void (*send_basic)(struct disco_ctx *ctx, void *state, uint32_t port);
    void (*passive)(struct disco_ctx *ctx, void *state);
};

extern const struct disco_param diffusing_params[DIFFUSING_PARAMS];

/* Become active and plan the first work step (an initiator at init). */
void diffusing_start(struct disco_ctx *ctx, struct diffusing_basic *b);
/* The work timer fired. */
void diffusing_work(struct disco_ctx *ctx, void *state,
                    const struct diffusing_ops *ops);
/* A basic message arrived on `port`: count it, and activate the node if it
 * was passive.  Returns whether it was passive. */
bool diffusing_receive(struct disco_ctx *ctx, struct diffusing_basic *b,
                       uint32_t port);
/* Count a basic message the module sends on `port`. */
void diffusing_count_send(struct disco_ctx *ctx, struct diffusing_basic *b,
                          uint32_t port);
/* Send a control message and log its tick. */
void diffusing_send_control(struct disco_ctx *ctx, struct diffusing_basic *b,
                            uint32_t port, unsigned kind, const void *payload,
                            size_t len);
/* Announce termination (a decision of value 1). */
void diffusing_announce(struct disco_ctx *ctx, struct diffusing_basic *b);

/* ---- ground truth, for properties and results ---- */

/* Every node passive and no basic message in transit, now. */
bool diffusing_quiescent(const struct disco_view *view, char *detail,
                         size_t len);
/* The tick at which quiescence began (the latest basic event). */
disco_time_t diffusing_quiescence_tick(const struct disco_view *view);

/* Properties shared by all three (invariant, final). */
bool diffusing_check_no_false_detection(const struct disco_view *view,
                                        char *detail, size_t len);
bool diffusing_check_detected(const struct disco_view *view, char *detail,
                              size_t len);

/* "announced", the quiescence and announcement ticks, the delay in ticks
 * (negative for a false detection)
 * and in control messages sent after quiescence (after its tick, or at it
 * but after the sender's own last basic event), and the basic and control
 * totals.  Returns the characters written. */
int diffusing_result(const struct disco_view *view, char *buf, size_t len);

#endif
