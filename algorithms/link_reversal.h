/*
 * link_reversal.h - what the three link-reversal modules share.
 *
 * full_reversal.c defines the machinery (the height exchange, the announced
 * link failure, the oracles, the result and the orientation hook) and
 * checks the sizes below; partial_reversal.c and binary_link_labels.c are
 * full reversal with a list of neighbours left out of each step.
 */
#ifndef DISCO_LINK_REVERSAL_H
#define DISCO_LINK_REVERSAL_H

#include "disco.h"

#define LINK_REVERSAL_PARAMS 6
#define LINK_REVERSAL_PROPERTIES 5
#define LINK_REVERSAL_STATE_SIZE 24 /* checked in full_reversal.c */
#define LINK_REVERSAL_PORT_SIZE 12

extern const struct disco_param link_reversal_params[LINK_REVERSAL_PARAMS];
extern const char *const link_reversal_kinds[2];
extern const struct disco_property
    link_reversal_properties[LINK_REVERSAL_PROPERTIES];

/* `partial`: keep the list of neighbours that reversed towards this node;
 * `listed`: preset that list from the node input `link_label`. */
void link_reversal_init(struct disco_ctx *ctx, void *state, bool partial,
                        bool listed);
void link_reversal_on_message(struct disco_ctx *ctx, void *state,
                              uint32_t port, unsigned kind,
                              const void *payload, size_t len);
void link_reversal_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag);
void link_reversal_format_state(const void *state, char *buf, size_t len);
void link_reversal_result(const struct disco_view *view, char *buf,
                          size_t len);
int link_reversal_orientation(const struct disco_view *view, uint32_t node,
                              uint32_t port);

#endif
