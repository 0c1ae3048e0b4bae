/*
 * traversal.h - what the four token traversals share.
 *
 * tarry.c defines the machinery (the token's bookkeeping, the choice of the
 * next channel by R1 and R2, the oracles and the result); dfs.c,
 * awerbuch_dfs.c and cidon_dfs.c are Tarry's walk with rules added.  Each
 * state starts with a `struct traversal`, so the shared oracles read any of
 * them.  Message kind 0 is the token and parameter 0 is `random` in all four.
 */
#ifndef DISCO_TRAVERSAL_H
#define DISCO_TRAVERSAL_H

#include "disco.h"

/* The per-port arrays bound the degree these implementations handle. */
#define TRAVERSAL_MAX_PORTS 64

struct traversal {
    uint32_t parent;            /* port of the first token, or DISCO_NO_PORT
                                   (the initiator, or not reached yet) */
    bool reached;               /* has held the token */
    bool holds_token;           /* the token is here now */
    bool decided;               /* the initiator saw the traversal end */
    bool too_many_ports;        /* degree too high: this node cannot run */
    uint8_t sent[TRAVERSAL_MAX_PORTS];     /* tokens sent through each port */
    uint8_t received[TRAVERSAL_MAX_PORTS]; /* tokens received through each
                                              (kept for the oracles) */
};

/* Start a node: no parent yet; true if it is the initiator and can run. */
bool traversal_start(struct disco_ctx *ctx, struct traversal *t);
/* The port R1 and R2 allow next: one not marked in `used`, other than the
 * parent's (the lowest, or one drawn at random by the `random` parameter);
 * else the parent's; else DISCO_NO_PORT: the walk is over. */
uint32_t traversal_next_port(struct disco_ctx *ctx, uint32_t parent,
                             const uint8_t *used);
void traversal_send_token(struct disco_ctx *ctx, struct traversal *t,
                          uint32_t port);
/* By R1 and R2 with `sent` as the used channels, or decide when no channel
 * is left at the initiator (Tarry's walk, and dfs's outside R3). */
void traversal_pass_token(struct disco_ctx *ctx, struct traversal *t);
void traversal_count_received(struct traversal *t, uint32_t port);
void traversal_decide(struct disco_ctx *ctx, struct traversal *t);
/* "decided", "idle", "initiator[, token here]", "parent port P[, ...]". */
void traversal_format_state(const void *state, char *buf, size_t len);

uint32_t traversal_parent_port(const void *state);
bool traversal_check_decides_once(const struct disco_view *view,
                                  char *detail, size_t len);
bool traversal_check_preceded_by_all(const struct disco_view *view,
                                     char *detail, size_t len);
bool traversal_check_ends_at_initiator(const struct disco_view *view,
                                       char *detail, size_t len);
bool traversal_check_spanning_tree(const struct disco_view *view,
                                   char *detail, size_t len);
bool traversal_check_dfs_tree(const struct disco_view *view, char *detail,
                              size_t len);

/* Tarry's and dfs's: every channel carried one token each way; and exactly
 * 2m tokens. */
bool traversal_check_each_channel_once(const struct disco_view *view,
                                       char *detail, size_t len);
bool traversal_check_messages_2m(const struct disco_view *view, char *detail,
                                 size_t len);

/* What one channel u->v may carry: `fits` judges the tokens u sent on it
 * and v received from it, given whether u-v is a tree edge; the labels
 * ("channel", "tree edge", ...) and expectations go into the detail. */
struct traversal_channel_rule {
    bool (*fits)(bool tree, unsigned sent, unsigned got);
    const char *tree_label, *other_label;
    const char *tree_expected, *other_expected;
};
/* Every channel of the real topology against `rule`; `off_tree` (may be
 * NULL) gets the number of non-tree channels that carried a token. */
bool traversal_check_channels(const struct disco_view *view,
                              const struct traversal_channel_rule *rule,
                              uint64_t *off_tree, char *detail, size_t len);

/* "\"decided\": false", or the initiator and the time it decided, which it
 * returns for the caller to add to. */
const struct disco_decision *traversal_result(const struct disco_view *view,
                                              char *buf, size_t len);
void traversal_plain_result(const struct disco_view *view, char *buf,
                            size_t len);

#endif
