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
 * `out` must not outlive the next call for the same kind.  The given
 * forms below keep their copy of the network in that slot too and the
 * nodes read it in their init: runs on different networks (disco check
 * over several topologies, or a random family whose graph changes with the
 * seed) must not run at the same time (disco check runs them on one
 * thread: disco_synchronizer_given); the tree_setup property
 * checks the nodes' tree or partition against the run's network.  A user
 * pointer in the callbacks (kernel API) would lift this.  Returns 0, or
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

/* The same with the tree or the partition *given*: computed centrally
 * from `topo` when the algorithm is set up, as beta's tree is "given" in
 * the textbook (no setup messages; each node starts knowing its parent,
 * children, cluster and preferred edges).  beta (param = root): a BFS tree
 * from the root (parent = the first neighbour at distance d-1 reached by a
 * BFS that visits nodes and neighbours in index order).  gamma (param = k
 * >= 1): Awerbuch's partition: the least unclustered node seeds a cluster,
 * grown by whole BFS layers of the unclustered graph while the next layer
 * has more than (k-1)*|cluster| nodes.  Every cluster of height h has more
 * than k^h nodes when h >= 1, so h <= log_k N (k >= 2); each cluster has at
 * most (k-1)*|cluster| later neighbouring clusters, so there are at most
 * (k-1)*N preferred edges.  k = 1 gives one cluster (beta on a BFS tree
 * from node 0), k >= N singletons (alpha).  `topo` is copied: it may be
 * released afterwards.  Undirected networks only; beta needs every node
 * reachable from the root. */
int disco_synchronize_given(struct disco_algorithm *out,
                            const struct disco_algorithm *inner,
                            enum disco_synchronizer which, int64_t param,
                            const struct disco_topology *topo,
                            struct disco_error *err);

/* disco_synchronize_text with the topology at hand, so that it accepts
 * also "beta:bfs" / "beta:bfs:ROOT" (a given BFS tree) and
 * "gamma:awerbuch" / "gamma:awerbuch:K" (k = 2 by default).  The command
 * line calls this one. */
int disco_synchronize_topology(struct disco_algorithm *out,
                               const struct disco_algorithm *inner,
                               const char *text,
                               const struct disco_topology *topo,
                               struct disco_error *err);

/* True for the given forms ("beta:bfs…", "gamma:awerbuch…"), which keep a
 * copy of the run's graph in the process-wide slot: runs on different
 * graphs must then not overlap in time (disco check runs them on one
 * thread). */
bool disco_synchronizer_given(const char *text);

/* Where node v stands in the layer of a finished (or running) run through
 * synchronizer `which`: its parent node in beta's tree or gamma's cluster
 * tree (UINT32_MAX at the root or a cluster leader), its depth in that
 * tree, and gamma's cluster (the leader's index).  For tests and tools. */
struct disco_synchronizer_node {
    uint32_t parent, depth, cluster;
};
void disco_synchronizer_node(const struct disco_view *view,
                             enum disco_synchronizer which, uint32_t v,
                             struct disco_synchronizer_node *out);

#endif
