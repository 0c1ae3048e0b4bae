/*
 * complete.h - ports on a complete graph.
 *
 * disco orders every node's out-ports by neighbour index, so on a complete
 * graph port p of node `self` leads to node p, or p+1 from p = self on:
 * the consensus modules (om, phase-king, eig, dolev-strong, chandra-toueg,
 * approximate agreement) and the mutual exclusion modules maekawa and
 * suzuki-kasami address processes by index through these two.
 */
#ifndef DISCO_COMPLETE_H
#define DISCO_COMPLETE_H

#include <stdint.h>

/* The out-port of node `self` that leads to node v (v != self); also the
 * in-port on which self hears from v. */
static inline uint32_t complete_port_to(uint32_t self, uint32_t v)
{
    return v < self ? v : v - 1;
}

/* The node behind port `port` of node `self`. */
static inline uint32_t complete_node_at(uint32_t self, uint32_t port)
{
    return port < self ? port : port + 1;
}

#endif /* DISCO_COMPLETE_H */
