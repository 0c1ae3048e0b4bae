/*
 * view.c - the read-only view of a run that property checks and results
 * see, the happened-before oracle, and the property verdicts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "big_array.h"
#include "internal.h"

uint32_t disco_view_nodes(const struct disco_view *view)
{
    return view->sim->nodes;
}
const void *disco_view_state(const struct disco_view *view, uint32_t node)
{
    return disco__state(view->sim, node);
}
const void *disco_view_port_state(const struct disco_view *view, uint32_t node,
                                  uint32_t port)
{
    const struct disco_sim *sim = view->sim;
    return (const unsigned char *)disco__state(sim, node) + sim->stride +
           (size_t)port * sim->port_stride;
}
const void *disco_view_in_port_state(const struct disco_view *view,
                                     uint32_t node, uint32_t in_port)
{
    const struct disco_sim *sim = view->sim;
    assert(sim->in_port_stride && in_port < disco_view_in_degree(view, node));
    return disco__in_port_state(sim, node, in_port);
}
int64_t disco_view_id(const struct disco_view *view, uint32_t node)
{
    return disco__id(view->sim, node);
}
bool disco_view_initiator(const struct disco_view *view, uint32_t node)
{
    return disco__node(view->sim, node)->flags & DISCO__NODE_INITIATOR;
}
bool disco_view_crashed(const struct disco_view *view, uint32_t node)
{
    return disco__node(view->sim, node)->flags & DISCO__NODE_CRASHED;
}
bool disco_view_passive(const struct disco_view *view, uint32_t node)
{
    return disco__node(view->sim, node)->flags & DISCO__NODE_PASSIVE;
}
uint32_t disco_view_degree(const struct disco_view *view, uint32_t node)
{
    return disco_topology_degree(view->sim->topo, node);
}
uint32_t disco_view_neighbour(const struct disco_view *view, uint32_t node,
                              uint32_t port)
{
    const struct disco_topology *t = view->sim->topo;
    return t->out_target[t->out_offset[node] + port];
}
uint32_t disco_view_in_degree(const struct disco_view *view, uint32_t node)
{
    const struct disco_topology *t = view->sim->topo;
    return disco_topology_in_degree(t, node);
}
uint32_t disco_view_in_port(const struct disco_view *view, uint32_t node,
                            uint32_t port)
{
    const struct disco_topology *t = view->sim->topo;
    return disco_topology_in_port(t, t->out_offset[node] + port);
}
int64_t disco_view_weight(const struct disco_view *view, uint32_t node,
                          uint32_t port)
{
    const struct disco_topology *t = view->sim->topo;
    return t->weight ? t->weight[t->out_offset[node] + port] : 1;
}
bool disco_view_link_down(const struct disco_view *view, uint32_t node,
                          uint32_t port)
{
    const struct disco_sim *sim = view->sim;
    return sim->link_down &&
           sim->link_down[sim->topo->out_offset[node] + port] != 0;
}
bool disco_view_weighted(const struct disco_view *view)
{
    return view->sim->topo->weight != NULL;
}
uint64_t disco_view_channels(const struct disco_view *view)
{
    return view->sim->topo->channels;
}
uint64_t disco_view_edges(const struct disco_view *view)
{
    const struct disco_topology *t = view->sim->topo;
    return t->directed ? t->channels : t->channels / 2;
}
bool disco_view_sync(const struct disco_view *view)
{
    return view->sim->sync;
}
bool disco_view_directed(const struct disco_view *view)
{
    return view->sim->topo->directed;
}
uint64_t disco_view_messages(const struct disco_view *view, int kind)
{
    const struct disco_sim *sim = view->sim;
    if (kind < 0)
        return sim->metrics.messages;
    if ((unsigned)kind >= sim->alg->kind_count)
        return 0;
    return sim->metrics.by_kind[kind];
}
int64_t disco_view_param(const struct disco_view *view, unsigned index)
{
    return view->sim->cfg.params[index];
}
size_t disco_view_decision_count(const struct disco_view *view)
{
    return view->sim->decision_count;
}
const struct disco_decision *disco_view_decision(const struct disco_view *view,
                                                 size_t index)
{
    return index < view->sim->decision_count ? &view->sim->decisions[index]
                                             : NULL;
}

/* How many log entries ahead the backward scan fetches the cut entries
 * it will touch: they are hit at random, and on large runs the cut is far
 * bigger than the first-level caches. */
#define CAUSAL_PREFETCH_DISTANCE 16

/* The log's i-th entry, packed or not. */
static inline struct disco__causal_entry
entry_at(const struct disco_sim *sim, struct disco__causal_packing packing,
         size_t i)
{
    return packing.node_shift
               ? disco__causal_unpack(packing, sim->causal_words[i])
               : sim->causal[i];
}

int disco_view_causal_past(const struct disco_view *view, size_t index,
                           unsigned char *in_past)
{
    struct disco_sim *sim = view->sim;
    if (sim->causal_mode == DISCO__CAUSAL_TOKENS &&
        index < sim->decision_count) {
        /* A decider holding every token certifies that every node is in
         * its decision's past (sim.c, "Causal tokens"); short of that,
         * only the log can say which nodes are. */
        if (sim->decision_tokens[index] == sim->nodes) {
            memset(in_past, 1, sim->nodes);
            return 0;
        }
        sim->tokens_short = true;
        sim->check_unchecked = CHECK_UNCHECKED_TOKENS;
        return DISCO_ENOLOG;
    }
    if (!disco__causal_logged(sim) || index >= sim->decision_count) {
        sim->check_unchecked = CHECK_UNCHECKED_LOG;
        return DISCO_ENOLOG;
    }
    /* Walk the receives backwards in global order.  Positions (sim.c, "The
     * causal log") order each node's events; cut[v] is one more than the
     * latest position of an event of v known to precede the decision (0:
     * none yet).  A receive inside the cut pulls its send into the cut of
     * the sender.  One pass suffices: a send at position p raises cut[u]
     * to p + 1, which can only take in receives at positions up to p, the
     * entries before p, which the scan has yet to visit.  (Positions are
     * below 2^32: the log holds at most causal_log_limit < 2^32 entries.) */
    uint32_t n = sim->nodes;
    uint32_t *cut = disco__big_alloc((size_t)n * sizeof *cut, true);
    if (!cut) {
        sim->check_unchecked = CHECK_UNCHECKED_LOG;
        return DISCO_ENOMEM;
    }
    const struct disco_decision *d = &sim->decisions[index];
    cut[d->node] = (uint32_t)d->log_position + 1;
    /* Only whether cut[v] is above zero reaches the caller, and a cut
     * never shrinks: once every node is in, the rest of the log cannot
     * change the answer. */
    uint32_t covered = 1;
    struct disco__causal_packing packing = sim->causal_packing;
    for (size_t i = sim->causal_count; i-- > 0 && covered < n;) {
        if (i >= CAUSAL_PREFETCH_DISTANCE) {
            struct disco__causal_entry ahead =
                entry_at(sim, packing, i - CAUSAL_PREFETCH_DISTANCE);
            __builtin_prefetch(&cut[ahead.node]);
            __builtin_prefetch(&cut[ahead.from], 1);
        }
        struct disco__causal_entry e = entry_at(sim, packing, i);
        /* The receive is at position i + 1. */
        if (i + 1 < cut[e.node] && e.from_position >= cut[e.from]) {
            covered += cut[e.from] == 0;
            cut[e.from] = e.from_position + 1;
        }
    }
    for (uint32_t v = 0; v < n; v++)
        in_past[v] = cut[v] != 0;
    free(cut);
    return 0;
}

bool disco_sim_causal_rerun(const struct disco_sim *sim)
{
    return sim->tokens_short;
}

unsigned disco_sim_check(struct disco_sim *sim,
                         struct disco_property_result *results)
{
    const struct disco_algorithm *alg = sim->alg;
    bool terminated = sim->metrics.stop == DISCO_STOP_QUIESCENT;
    unsigned failed = 0;
    for (unsigned i = 0; i < alg->property_count; i++) {
        const struct disco_property *p = &alg->properties[i];
        struct disco_property_result *r = &results[i];
        r->name = p->name;
        r->detail[0] = '\0';
        if (p->kind == DISCO_PROPERTY_INVARIANT && sim->invariant_failure &&
            sim->invariant_failure[(size_t)i * 256]) {
            r->holds = DISCO_HOLDS_NO;
            snprintf(r->detail, sizeof r->detail, "%s",
                     sim->invariant_failure + (size_t)i * 256);
            failed++;
            continue;
        }
        if (p->needs_termination && !terminated) {
            r->holds = DISCO_HOLDS_UNCHECKED;
            snprintf(r->detail, sizeof r->detail,
                     "not checked: the run stopped at a bound");
            continue;
        }
        sim->check_unchecked = CHECK_ANSWERED;
        bool holds = p->check(&sim->view, r->detail, sizeof r->detail);
        if (sim->check_unchecked == CHECK_UNCHECKED_TOKENS) {
            /* The command line runs again and never shows this. */
            r->holds = DISCO_HOLDS_UNCHECKED;
            snprintf(r->detail, sizeof r->detail,
                     "not checked: the causal tokens do not certify it (run "
                     "again without causal_tokens)");
        } else if (sim->check_unchecked == CHECK_UNCHECKED_LOG) {
            r->holds = DISCO_HOLDS_UNCHECKED;
            snprintf(r->detail, sizeof r->detail,
                     "not checked: the run was too large for the causal log "
                     "(%llu receives)",
                     (unsigned long long)sim->cfg.causal_log_limit);
        } else {
            r->holds = holds ? DISCO_HOLDS_YES : DISCO_HOLDS_NO;
            failed += !holds;
        }
    }
    return failed;
}

void disco_sim_result(struct disco_sim *sim, char *buf, size_t len)
{
    if (len)
        buf[0] = '\0';
    if (sim->alg->result)
        sim->alg->result(&sim->view, buf, len);
}
