/*
 * link_reversal.h - what the three link-reversal modules share.
 *
 * full_reversal.c defines the machinery (the height exchange, link failures
 * and recoveries, the oracles, the result and the orientation hook) and
 * checks the sizes below; partial_reversal.c and binary_link_labels.c are
 * full reversal with a list of neighbours left out of each step.
 */
#ifndef DISCO_LINK_REVERSAL_H
#define DISCO_LINK_REVERSAL_H

#include "disco.h"

#define LINK_REVERSAL_PARAMS 3
#define LINK_REVERSAL_PROPERTIES 6
#define LINK_REVERSAL_STATE_SIZE 40 /* checked in full_reversal.c */
#define LINK_REVERSAL_PORT_SIZE 40

extern const struct disco_param link_reversal_params[LINK_REVERSAL_PARAMS];
/* The node inputs: `elevation` (all three modules), then `link_label`
 * (binary-link-labels only: it declares both, the others the first). */
extern const struct disco_input_decl link_reversal_inputs[2];
extern const char *const link_reversal_kinds[2];
extern const struct disco_property
    link_reversal_properties[LINK_REVERSAL_PROPERTIES];

/* Which links a sink reverses.  FULL: all (GB's pairs: the node rises
 * above its highest neighbour).  PARTIAL: those to its lowest neighbours
 * (GB's triples), which without link changes are exactly the neighbours
 * that did not reverse towards it since its last step, the list of the
 * textbook's partial reversal.  LABELS: binary link labels, by that list
 * (all when every link is listed), preset by `listed`. */
enum link_reversal_rule {
    LINK_REVERSAL_FULL,
    LINK_REVERSAL_PARTIAL,
    LINK_REVERSAL_LABELS,
};

/* `listed`: whether every link starts on the node's list (binary link
 * labels: the node input `link_label`). */
void link_reversal_init(struct disco_ctx *ctx, void *state,
                        enum link_reversal_rule rule, bool listed);
void link_reversal_on_message(struct disco_ctx *ctx, void *state,
                              uint32_t port, unsigned kind,
                              const void *payload, size_t len);
void link_reversal_on_link(struct disco_ctx *ctx, void *state, uint32_t port,
                           bool up);
void link_reversal_format_state(const void *state, char *buf, size_t len);
void link_reversal_result(const struct disco_view *view, char *buf,
                          size_t len);
int link_reversal_orientation(const struct disco_view *view, uint32_t node,
                              uint32_t port);

#endif
