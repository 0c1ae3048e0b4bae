/*
 * oracles.c - ground-truth checks that many algorithms' properties share:
 * trees built from parent pointers, leaders, decisions.  They read only
 * the read-only view, like any property check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "big_array.h"
#include "internal.h"

/* One node of a tree read from parent pointers: both fields side by side,
 * so that a step up the tree costs one cache miss, not two. */
struct tree_node {
    uint32_t parent; /* the parent node, or DISCO_NO_PORT */
    uint32_t depth;  /* UINT32_MAX until known */
};

/* How many nodes ahead the depth pass fetches a parent's record: parents
 * lie at random, and on large graphs far outside the caches. */
#define TREE_PREFETCH_DISTANCE 16

/* Every node's parent, in one pass that reads the states and the rows in
 * order, through the kernel's arrays rather than a view call per node; and
 * the number of roots, the first of them in *root. */
static uint32_t read_parents(const struct disco_view *view,
                             disco_parent_port_fn *parent_port,
                             struct tree_node *tree, uint32_t *root)
{
    const struct disco_sim *sim = view->sim;
    const uint32_t *offset = sim->topo->out_offset;
    const uint32_t *target = sim->topo->out_target;
    uint32_t n = sim->nodes, roots = 0;
    for (uint32_t v = 0; v < n; v++) {
        uint32_t port = parent_port(disco__state(sim, v));
        uint32_t parent = DISCO_NO_PORT;
        if (port != DISCO_NO_PORT && port < offset[v + 1] - offset[v])
            parent = target[offset[v] + port];
        tree[v].parent = parent;
        tree[v].depth = UINT32_MAX;
        if (parent == DISCO_NO_PORT && roots++ == 0)
            *root = v;
    }
    return roots;
}

/* Depth of every node below the single root, or false with a detail.
 * Iterative with memoisation: each parent path is walked at most twice. */
static bool tree_depths(const struct disco_view *view,
                        disco_parent_port_fn *parent_port, uint32_t want_root,
                        struct tree_node *tree, uint32_t *root_out,
                        char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t root = 0;
    uint32_t roots = read_parents(view, parent_port, tree, &root);
    if (roots != 1) {
        snprintf(detail, len, "%u nodes without a parent (expected one)",
                 roots);
        return false;
    }
    if (want_root != DISCO_NO_PORT && root != want_root) {
        snprintf(detail, len, "the tree is rooted at node %u, not node %u",
                 root, want_root);
        return false;
    }
    tree[root].depth = 0;
    for (uint32_t v = 0; v < n; v++) {
        if (v + TREE_PREFETCH_DISTANCE < n) {
            uint32_t ahead = tree[v + TREE_PREFETCH_DISTANCE].parent;
            if (ahead != DISCO_NO_PORT)
                __builtin_prefetch(&tree[ahead]);
        }
        uint32_t u = v, steps = 0;
        while (tree[u].depth == UINT32_MAX && steps <= n) {
            u = tree[u].parent;
            steps++;
        }
        if (tree[u].depth == UINT32_MAX) {
            snprintf(detail, len, "the parent pointers from node %u cycle", v);
            return false;
        }
        uint32_t d = tree[u].depth + steps;
        for (u = v; tree[u].depth == UINT32_MAX; u = tree[u].parent)
            tree[u].depth = d--;
    }
    *root_out = root;
    return true;
}

bool disco_oracle_spanning_tree(const struct disco_view *view,
                                disco_parent_port_fn *parent_port,
                                uint32_t root, char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    struct tree_node *tree = disco__big_alloc((size_t)n * sizeof *tree, false);
    if (!tree) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    uint32_t found;
    bool ok = tree_depths(view, parent_port, root, tree, &found, detail, len);
    if (ok)
        snprintf(detail, len, "rooted at node %u", found);
    free(tree);
    return ok;
}

bool disco_oracle_dfs_tree(const struct disco_view *view,
                           disco_parent_port_fn *parent_port, char *detail,
                           size_t len)
{
    uint32_t n = disco_view_nodes(view);
    struct tree_node *tree = disco__big_alloc((size_t)n * sizeof *tree, false);
    if (!tree) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    const struct disco_topology *topo = view->sim->topo;
    uint32_t root;
    bool ok = tree_depths(view, parent_port, DISCO_NO_PORT, tree, &root,
                          detail, len);
    /* Edge u-v with depth[u] >= depth[v]: v must be u's ancestor, i.e. the
     * walk up from u by the depth difference ends at v. */
    for (uint32_t u = 0; ok && u < n; u++) {
        for (uint32_t c = topo->out_offset[u];
             ok && c < topo->out_offset[u + 1]; c++) {
            uint32_t v = topo->out_target[c];
            if (tree[u].depth < tree[v].depth)
                continue;
            uint32_t w = u;
            for (uint32_t k = tree[u].depth - tree[v].depth; k > 0; k--)
                w = tree[w].parent;
            if (w != v) {
                snprintf(detail, len, "edge %u-%u is a cross edge", u, v);
                ok = false;
            }
        }
    }
    if (ok)
        snprintf(detail, len, "rooted at node %u, no cross edges", root);
    free(tree);
    return ok;
}

bool disco_oracle_bfs_tree(const struct disco_view *view,
                           disco_parent_port_fn *parent_port,
                           uint32_t *depth_out, char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    struct tree_node *tree = disco__big_alloc((size_t)n * sizeof *tree, false);
    uint32_t *distance = disco__big_alloc((size_t)n * sizeof *distance,
                                          false);
    uint32_t *queue = disco__big_alloc((size_t)n * sizeof *queue, false);
    bool ok = tree && distance && queue;
    uint32_t root = 0;
    if (!ok)
        snprintf(detail, len, "out of memory");
    else
        ok = tree_depths(view, parent_port, DISCO_NO_PORT, tree, &root,
                         detail, len);
    if (ok) {
        /* The true distances, by breadth-first search from the root. */
        const struct disco_topology *topo = view->sim->topo;
        for (uint32_t v = 0; v < n; v++)
            distance[v] = UINT32_MAX;
        size_t head = 0, tail = 0;
        distance[root] = 0;
        queue[tail++] = root;
        while (head < tail) {
            uint32_t u = queue[head++];
            for (uint32_t c = topo->out_offset[u];
                 c < topo->out_offset[u + 1]; c++) {
                uint32_t v = topo->out_target[c];
                if (distance[v] == UINT32_MAX) {
                    distance[v] = distance[u] + 1;
                    queue[tail++] = v;
                }
            }
        }
        for (uint32_t v = 0; ok && v < n; v++) {
            if (tree[v].depth != distance[v]) {
                snprintf(detail, len, "node %u has depth %u but distance %u",
                         v, tree[v].depth, distance[v]);
                ok = false;
            }
        }
        if (ok)
            snprintf(detail, len, "rooted at node %u, depths are distances",
                     root);
        if (depth_out)
            for (uint32_t v = 0; v < n; v++)
                depth_out[v] = tree[v].depth;
    }
    free(tree);
    free(distance);
    free(queue);
    return ok;
}

int64_t disco_view_max_id(const struct disco_view *view,
                          const unsigned char *eligible)
{
    int64_t best = INT64_MIN;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if ((!eligible || eligible[v]) && !disco_view_crashed(view, v) &&
            disco_view_id(view, v) > best)
            best = disco_view_id(view, v);
    return best;
}

bool disco_oracle_unique_max_leader(const struct disco_view *view,
                                    disco_is_leader_fn *is_leader,
                                    const unsigned char *eligible,
                                    char *detail, size_t len)
{
    uint32_t leaders = 0, leader = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (!disco_view_crashed(view, v) &&
            is_leader(disco_view_state(view, v)) && leaders++ == 0)
            leader = v;
    }
    if (leaders != 1) {
        snprintf(detail, len, "%u leaders (expected exactly one)", leaders);
        return false;
    }
    int64_t id = disco_view_id(view, leader), best = disco_view_max_id(view,
                                                                      eligible);
    if (best == INT64_MIN) {
        snprintf(detail, len, "node %u leads, but no live node is eligible",
                 leader);
        return false;
    }
    if (id != best) {
        snprintf(detail, len, "node %u leads with id %lld, but the maximum "
                 "id is %lld", leader, (long long)id, (long long)best);
        return false;
    }
    snprintf(detail, len, "node %u, id %lld", leader, (long long)id);
    return true;
}

bool disco_oracle_decided_in_round(const struct disco_view *view,
                                   uint32_t first, disco_time_t round,
                                   char *detail, size_t len)
{
    for (uint32_t v = first; v < disco_view_nodes(view); v++) {
        if (disco_view_faulty(view, v))
            continue;
        size_t at = disco_view_decision_of(view, v);
        if (at == SIZE_MAX || disco_view_decision(view, at)->time != round) {
            snprintf(detail, len,
                     "correct process %u did not decide in round %llu", v,
                     (unsigned long long)round);
            return false;
        }
    }
    snprintf(detail, len, "every correct process decided in round %llu",
             (unsigned long long)round);
    return true;
}

bool disco_oracle_all_decided(const struct disco_view *view, int64_t value,
                              char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    unsigned char *count = calloc(n, 1);
    if (!count) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (disco_view_crashed(view, d->node))
            continue; /* judged: every live node */
        if (d->value != value) {
            snprintf(detail, len, "node %u decided %lld, not %lld", d->node,
                     (long long)d->value, (long long)value);
            ok = false;
        } else if (count[d->node]++) {
            snprintf(detail, len, "node %u decided twice", d->node);
            ok = false;
        }
    }
    for (uint32_t v = 0; ok && v < n; v++) {
        if (!count[v] && !disco_view_crashed(view, v)) {
            snprintf(detail, len, "node %u never decided", v);
            ok = false;
        }
    }
    if (ok)
        snprintf(detail, len, "every live node decided %lld", (long long)value);
    free(count);
    return ok;
}

size_t disco_view_decision_of(const struct disco_view *view, uint32_t node)
{
    for (size_t i = 0; i < disco_view_decision_count(view); i++)
        if (disco_view_decision(view, i)->node == node)
            return i;
    return SIZE_MAX;
}

bool disco_oracle_preceded_by_all(const struct disco_view *view,
                                  size_t decision, char *detail, size_t len)
{
    size_t count = disco_view_decision_count(view);
    bool every = decision == DISCO_ALL_DECISIONS;
    if (count == 0 || (!every && decision >= count)) {
        snprintf(detail, len, "no decision");
        return false;
    }
    uint32_t n = disco_view_nodes(view);
    unsigned char *in_past = malloc(n);
    if (!in_past) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    bool ok = true;
    for (size_t i = every ? 0 : decision; ok && i < (every ? count : decision + 1);
         i++) {
        if (disco_view_causal_past(view, i, in_past) != 0) {
            free(in_past);
            snprintf(detail, len, "not checked: no causal log");
            return false; /* the kernel reports this as "not checked" */
        }
        uint32_t missing = 0, first = 0;
        for (uint32_t v = 0; v < n; v++)
            if (!in_past[v] && missing++ == 0)
                first = v;
        if (missing) {
            snprintf(detail, len, "%u node%s (first: node %u) %s no event "
                     "before the decision of node %u", missing,
                     missing == 1 ? "" : "s", first,
                     missing == 1 ? "has" : "have",
                     disco_view_decision(view, i)->node);
            ok = false;
        }
    }
    free(in_past);
    if (ok && every && count > 1)
        snprintf(detail, len, "all %zu decisions, all %u nodes", count, n);
    else if (ok)
        snprintf(detail, len, "all %u nodes", n);
    return ok;
}

uint32_t disco_view_single_initiator(const struct disco_view *view)
{
    uint32_t found = DISCO_NO_PORT, count = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (disco_view_initiator(view, v) && count++ == 0)
            found = v;
    return count == 1 ? found : DISCO_NO_PORT;
}

uint32_t disco_view_port_to(const struct disco_view *view, uint32_t v,
                            uint32_t u)
{
    for (uint32_t q = 0; q < disco_view_degree(view, v); q++)
        if (disco_view_neighbour(view, v, q) == u)
            return q;
    return DISCO_NO_PORT;
}

bool disco_oracle_decides_once(const struct disco_view *view, char *detail,
                               size_t len)
{
    size_t decisions = disco_view_decision_count(view);
    if (decisions != 1) {
        snprintf(detail, len, "%zu decisions (expected exactly one)",
                 decisions);
        return false;
    }
    const struct disco_decision *d = disco_view_decision(view, 0);
    if (!disco_view_initiator(view, d->node)) {
        snprintf(detail, len, "node %u decided but is not the initiator",
                 d->node);
        return false;
    }
    snprintf(detail, len, "node %u at t=%llu", d->node,
             (unsigned long long)d->time);
    return true;
}

/* ---- consensus ---------------------------------------------------------- */

static bool judged_correct(const struct disco_view *view, uint32_t node)
{
    return !disco_view_faulty(view, node);
}

bool disco_oracle_agreement(const struct disco_view *view,
                            disco_judged_fn *judged,
                            const struct disco_agreement_words *words,
                            char *detail, size_t len)
{
    if (!judged)
        judged = judged_correct;
    const struct disco_decision *first = NULL;
    for (size_t i = 0; i < disco_view_decision_count(view) && !first; i++)
        if (judged(view, disco_view_decision(view, i)->node))
            first = disco_view_decision(view, i);
    if (!first) {
        snprintf(detail, len, "no %s %s decided", words->judged,
                 words->group);
        return true;
    }
    /* Decisions before `first` are not judged: the first that differs
     * comes after it. */
    const struct disco_decision *d =
        disco_view_decision_other_than(view, judged, first->value);
    if (d) {
        snprintf(detail, len, "%s %u %s %lld, %s %u %lld", words->first,
                 first->node, words->verb, (long long)first->value,
                 words->other, d->node, (long long)d->value);
        return false;
    }
    snprintf(detail, len, "every %s %s %s %lld", words->judged, words->group,
             words->verb, (long long)first->value);
    return true;
}

const struct disco_decision *
disco_view_decision_other_than(const struct disco_view *view,
                               disco_judged_fn *judged, int64_t value)
{
    if (!judged)
        judged = judged_correct;
    for (size_t i = 0; i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        if (judged(view, d->node) && d->value != value)
            return d;
    }
    return NULL;
}

bool disco_view_common_input(const struct disco_view *view,
                             disco_judged_fn *judged,
                             disco_input_of_fn *input_of, int64_t *value)
{
    if (!judged)
        judged = judged_correct;
    bool found = false;
    int64_t common = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        if (!judged(view, v))
            continue;
        int64_t in = input_of(disco_view_state(view, v));
        if (found && in != common)
            return false;
        found = true;
        common = in;
    }
    if (found)
        *value = common;
    return found;
}

static bool judged_all(const struct disco_view *view, uint32_t node)
{
    (void)view, (void)node;
    return true;
}

bool disco_oracle_uniform_agreement(const struct disco_view *view,
                                    char *detail, size_t len)
{
    if (disco_view_decision_count(view) == 0) {
        snprintf(detail, len, "nobody decided");
        return true;
    }
    const struct disco_decision *first = disco_view_decision(view, 0);
    const struct disco_decision *d =
        disco_view_decision_other_than(view, judged_all, first->value);
    if (d) {
        snprintf(detail, len, "node %u decided %lld, node %u %lld",
                 first->node, (long long)first->value, d->node,
                 (long long)d->value);
        return false;
    }
    snprintf(detail, len, "every decision is %lld", (long long)first->value);
    return true;
}

bool disco_oracle_decisions_are_inputs(const struct disco_view *view,
                                       disco_input_of_fn *input_of,
                                       char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (size_t i = 0; i < disco_view_decision_count(view); i++) {
        const struct disco_decision *d = disco_view_decision(view, i);
        bool found = false;
        for (uint32_t v = 0; v < n && !found; v++)
            found = input_of(disco_view_state(view, v)) == d->value;
        if (!found) {
            snprintf(detail, len, "node %u decided %lld, nobody's input",
                     d->node, (long long)d->value);
            return false;
        }
    }
    snprintf(detail, len, "every decision is some process's input");
    return true;
}

bool disco_oracle_decides_at_most_once(const struct disco_view *view,
                                       char *detail, size_t len)
{
    size_t count = disco_view_decision_count(view);
    unsigned char *decided = calloc(disco_view_nodes(view), 1);
    if (!decided) {
        snprintf(detail, len, "out of memory");
        return false;
    }
    /* The first decision whose node decided before: the same one the
     * modules found asking disco_view_decision_of of each decision. */
    for (size_t i = 0; i < count; i++) {
        uint32_t v = disco_view_decision(view, i)->node;
        if (decided[v]++) {
            snprintf(detail, len, "node %u decided twice", v);
            free(decided);
            return false;
        }
    }
    free(decided);
    snprintf(detail, len, "%zu decisions, at most one per process", count);
    return true;
}

bool disco_oracle_message_count(const struct disco_view *view, uint64_t sent,
                                uint64_t want, const char *formula,
                                char *detail, size_t len)
{
    bool faulty = disco_view_faulty_count(view) > 0;
    snprintf(detail, len, "%llu messages, %s%s = %llu%s",
             (unsigned long long)sent, faulty ? "at most " : "", formula,
             (unsigned long long)want,
             faulty ? " (faulty processes may send fewer)" : "");
    return faulty ? sent <= want : sent == want;
}
