/*
 * shortest_paths.h - what the two Bellman-Ford modules share.
 *
 * Both keep, per process, a distance from the source and the port of the
 * parent it came through, and both are judged against the same ground
 * truth: Dijkstra over the real topology and its weights.  bellman_ford.c
 * defines the machinery below (the saturating sum, the source, the weight
 * assumption, the true distances, the tight-tree check);
 * sync_bellman_ford.c adds its rounds and its decisions.
 */
#ifndef DISCO_SHORTEST_PATHS_H
#define DISCO_SHORTEST_PATHS_H

#include "disco.h"

/* The message kind, the same in both modules. */
enum { DIST };

#define NO_PARENT DISCO_NO_PORT
#define INFINITE INT64_MAX

/* Reads a process's dist from its state (as disco_parent_port_fn reads its
 * parent). */
typedef int64_t shortest_paths_dist_fn(const void *state);

/* d + w, saturating at INFINITE (huge scenario weights must not wrap). */
int64_t shortest_paths_plus(int64_t d, int64_t w);

/* Property "weights_nonnegative": no edge has a negative weight. */
bool shortest_paths_check_weights(const struct disco_view *view,
                                  char *detail, size_t len);

/* The true distance of every node from the source (INFINITE: unreachable),
 * by Dijkstra over the real topology; the caller frees it.  NULL, with a
 * detail, when there is not exactly one source, a weight is negative, or
 * memory runs out.  *source: the source (the single initiator). */
int64_t *shortest_paths_truth(const struct disco_view *view,
                              uint32_t *source, char *detail, size_t len);

/* Property "shortest_path_tree": a spanning tree rooted at the source in
 * which every parent edge is tight, dist(v) = dist(parent) + w. */
bool shortest_paths_check_tree(const struct disco_view *view,
                               disco_parent_port_fn *parent_of,
                               shortest_paths_dist_fn *dist, char *detail,
                               size_t len);

#endif
