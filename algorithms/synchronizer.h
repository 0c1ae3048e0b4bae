/*
 * synchronizer.h - run a synchronous algorithm (one with on_round) on the
 * asynchronous network through a synchronizer layer (Awerbuch's alpha,
 * beta and gamma).  The layer is an ordinary algorithm written against
 * disco.h: it calls the inner algorithm's callbacks itself, once per
 * pulse, and catches its sends with disco_set_send_hook.
 */
#ifndef DISCO_SYNCHRONIZER_H
#define DISCO_SYNCHRONIZER_H

#include "disco_sim.h"

enum disco_synchronizer {
    DISCO_SYNCHRONIZER_ALPHA,
    DISCO_SYNCHRONIZER_BETA,
    DISCO_SYNCHRONIZER_GAMMA,
};

/* Fill `out` with the algorithm "INNER+alpha" (or +beta, +gamma):
 * asynchronous, message kinds = the inner's followed by the layer's (ack,
 * safe; beta adds pulse, tree, echo; gamma adds cand, chosen, csafe, inter,
 * ready), state = the inner's state at offset 0 followed by the layer's,
 * properties = the inner's followed by the layer's per-pulse counts.
 * `param` is beta's root (a node index) or gamma's cluster depth k >= 1;
 * alpha ignores it.
 *
 * Limitation: callbacks receive no user pointer, so the inner algorithm
 * (and beta's root) is kept in a static slot per synchronizer kind: one
 * wrapped algorithm per kind at a time, not re-entrant across threads.
 * `out` must not outlive the next call for the same kind.  Returns 0, or
 * DISCO_EINVAL / DISCO_EMODEL naming the culprit. */
int disco_synchronize(struct disco_algorithm *out,
                      const struct disco_algorithm *inner,
                      enum disco_synchronizer which, int64_t param,
                      struct disco_error *err);

/* The same from the text of --synchronizer: "alpha", "beta" (root 0),
 * "beta:ROOT", "gamma" (k = 2) or "gamma:K", on a network of `nodes`
 * nodes (beta's root must be one of them).  This is the one function the
 * command line calls. */
int disco_synchronize_text(struct disco_algorithm *out,
                           const struct disco_algorithm *inner,
                           const char *text, uint32_t nodes,
                           struct disco_error *err);

#endif
