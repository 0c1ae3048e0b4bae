/*
 * dynamic.c - dynamic networks: the communication graph of each round of a
 * synchronous run, drawn from the topology's channels.
 *
 * The topology is the universe of channels; each round some are absent,
 * and a message sent over an absent channel in that round is lost (the
 * trace shows it as a drop).  The graphs the consensus literature studies:
 * a random rooted graph (a spanning tree out of a random root, plus
 * optional extra channels), a nonsplit graph (every two nodes hear from a
 * common node), an adversary removing up to k edges, or the rounds listed
 * per edge in a scenario.  Every draw comes from DISCO_STREAM_DYNAMIC of the
 * seed, one round after the other, so runs stay reproducible.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Nonsplit checks keep an N x N bit matrix. */
#define NONSPLIT_MAX_NODES 4096u
/* Redraws before a nonsplit round falls back to every channel. */
#define NONSPLIT_TRIES 1000

struct disco_dynamic_graph {
    struct disco_rng rng;
    uint32_t *stack;     /* rooted: frontier channels */
    unsigned char *seen; /* rooted: nodes reached */
    uint64_t *in_sets;   /* nonsplit: per node, its in-neighbours + itself */
    size_t words;        /* 64-bit words per set */
    char **rounds;       /* listed: per channel, a copy of its rounds */
    size_t round_count;
};

static bool is_nonsplit(struct disco_sim *sim, struct disco_dynamic_graph *g);

int disco__dynamic_create(struct disco_sim *sim, struct disco_error *err)
{
    const struct disco_topology *topo = sim->topo;
    const struct disco_config *cfg = &sim->cfg;
    if (!sim->sync)
        return disco_fail(err, DISCO_EMODEL,
                          "a dynamic network changes per round: add --sync");
    if (cfg->dynamic == DISCO_DYNAMIC_NONSPLIT &&
        sim->nodes > NONSPLIT_MAX_NODES)
        return disco_fail(err, DISCO_ELIMIT,
                          "nonsplit rounds for %u nodes (at most %u)",
                          sim->nodes, NONSPLIT_MAX_NODES);
    struct disco_dynamic_graph *g = calloc(1, sizeof *g);
    if (!g)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    sim->dynamic = g;
    disco_rng_init(&g->rng, cfg->seed, DISCO_STREAM_DYNAMIC);
    size_t channels = topo->channels ? topo->channels : 1;
    sim->dyn_absent = calloc(channels, 1);
    g->stack = malloc(channels * sizeof *g->stack);
    g->seen = calloc(sim->nodes, 1);
    if (!sim->dyn_absent || !g->stack || !g->seen)
        return disco_fail(err, DISCO_ENOMEM,
                          "out of memory for a dynamic network");
    if (cfg->dynamic == DISCO_DYNAMIC_LISTED && cfg->channel_rounds) {
        g->rounds = calloc(cfg->channel_round_count + 1, sizeof *g->rounds);
        if (!g->rounds)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        g->round_count = cfg->channel_round_count;
        for (size_t c = 0; c < g->round_count; c++)
            if (cfg->channel_rounds[c] &&
                !(g->rounds[c] = strdup(cfg->channel_rounds[c])))
                return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    if (cfg->dynamic == DISCO_DYNAMIC_NONSPLIT) {
        g->words = (sim->nodes + 63) / 64;
        g->in_sets = calloc((size_t)sim->nodes * g->words, sizeof(uint64_t));
        if (!g->in_sets)
            return disco_fail(err, DISCO_ENOMEM,
                              "out of memory for a dynamic network");
        /* Removing channels never gives two nodes a common in-neighbour:
         * if the whole topology is not nonsplit, no round can be (and the
         * redraws would fall back to a graph that is not either). */
        if (!is_nonsplit(sim, g))
            return disco_fail(err, DISCO_EMODEL,
                              "--dynamic nonsplit needs a topology where "
                              "every two nodes hear from a common node "
                              "(a complete graph, say); '%s' is not one",
                              topo->spec);
    }
    return 0;
}

void disco__dynamic_free(struct disco_sim *sim)
{
    struct disco_dynamic_graph *g = sim->dynamic;
    free(sim->dyn_absent);
    sim->dyn_absent = NULL;
    if (!g)
        return;
    free(g->stack);
    free(g->seen);
    free(g->in_sets);
    for (size_t c = 0; g->rounds && c < g->round_count; c++)
        free(g->rounds[c]);
    free(g->rounds);
    free(g);
    sim->dynamic = NULL;
}

/* The reverse of an undirected channel. */
static uint32_t reverse_of(const struct disco_topology *topo, uint32_t c)
{
    uint32_t to = topo->out_target[c];
    return topo->out_offset[to] + disco_topology_in_port(topo, c);
}

static bool coin(struct disco_rng *rng, double p)
{
    return p >= 1 || (p > 0 && disco_rng_unit(rng) < p);
}

/* A spanning tree grown out of a random root by picking frontier channels
 * at random (a random search tree, directed away from the root), then
 * every other channel with probability p. */
static void draw_rooted(struct disco_sim *sim, struct disco_dynamic_graph *g)
{
    const struct disco_topology *topo = sim->topo;
    memset(sim->dyn_absent, 1, topo->channels);
    memset(g->seen, 0, sim->nodes);
    uint32_t root = (uint32_t)disco_rng_below(&g->rng, sim->nodes);
    size_t top = 0;
    g->seen[root] = 1;
    for (uint32_t c = topo->out_offset[root]; c < topo->out_offset[root + 1];
         c++)
        g->stack[top++] = c;
    while (top) {
        size_t pick = (size_t)disco_rng_below(&g->rng, top);
        uint32_t c = g->stack[pick];
        g->stack[pick] = g->stack[--top];
        uint32_t v = topo->out_target[c];
        if (g->seen[v])
            continue;
        g->seen[v] = 1;
        sim->dyn_absent[c] = 0;
        for (uint32_t d = topo->out_offset[v]; d < topo->out_offset[v + 1];
             d++)
            if (!g->seen[topo->out_target[d]])
                g->stack[top++] = d;
    }
    double p = sim->cfg.dynamic_p;
    for (uint32_t c = 0; c < topo->channels; c++)
        if (sim->dyn_absent[c] && coin(&g->rng, p))
            sim->dyn_absent[c] = 0;
}

static bool is_nonsplit(struct disco_sim *sim, struct disco_dynamic_graph *g)
{
    const struct disco_topology *topo = sim->topo;
    uint32_t n = sim->nodes;
    memset(g->in_sets, 0, (size_t)n * g->words * sizeof(uint64_t));
    for (uint32_t v = 0; v < n; v++)
        g->in_sets[(size_t)v * g->words + v / 64] |= 1ull << (v % 64);
    for (uint32_t w = 0; w < n; w++)
        for (uint32_t c = topo->out_offset[w]; c < topo->out_offset[w + 1];
             c++) {
            if (sim->dyn_absent[c])
                continue;
            uint32_t v = topo->out_target[c];
            g->in_sets[(size_t)v * g->words + w / 64] |= 1ull << (w % 64);
        }
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t v = u + 1; v < n; v++) {
            const uint64_t *a = g->in_sets + (size_t)u * g->words;
            const uint64_t *b = g->in_sets + (size_t)v * g->words;
            bool common = false;
            for (size_t i = 0; i < g->words && !common; i++)
                common = (a[i] & b[i]) != 0;
            if (!common)
                return false;
        }
    return true;
}

static void draw_nonsplit(struct disco_sim *sim, struct disco_dynamic_graph *g)
{
    const struct disco_topology *topo = sim->topo;
    for (int attempt = 0; attempt < NONSPLIT_TRIES; attempt++) {
        for (uint32_t c = 0; c < topo->channels; c++)
            sim->dyn_absent[c] = !coin(&g->rng, sim->cfg.dynamic_p);
        if (is_nonsplit(sim, g))
            return;
    }
    /* The topology itself, nonsplit (checked at create). */
    memset(sim->dyn_absent, 0, topo->channels);
}

/* Up to k edges removed (an undirected edge loses both channels). */
static void draw_removal(struct disco_sim *sim, struct disco_dynamic_graph *g)
{
    const struct disco_topology *topo = sim->topo;
    memset(sim->dyn_absent, 0, topo->channels);
    if (!topo->channels)
        return;
    for (uint32_t i = 0; i < sim->cfg.dynamic_k; i++) {
        uint32_t c = (uint32_t)disco_rng_below(&g->rng, topo->channels);
        sim->dyn_absent[c] = 1;
        if (!topo->directed)
            sim->dyn_absent[reverse_of(topo, c)] = 1;
    }
}

/* Whether `round` is in a list "1-3,5,8-" (an open range runs forever). */
static bool listed(const char *text, disco_time_t round)
{
    const char *s = text;
    while (*s) {
        char *end;
        unsigned long long lo = strtoull(s, &end, 10), hi = lo;
        if (end == s)
            return false;
        s = end;
        if (*s == '-') {
            s++;
            if (*s >= '0' && *s <= '9') {
                hi = strtoull(s, &end, 10);
                s = end;
            } else {
                hi = UINT64_MAX;
            }
        }
        if (round >= lo && round <= hi)
            return true;
        if (*s == ',')
            s++;
        else if (*s)
            return false;
    }
    return false;
}

static void draw_listed(struct disco_sim *sim, struct disco_dynamic_graph *g,
                        disco_time_t round)
{
    const struct disco_topology *topo = sim->topo;
    for (uint32_t c = 0; c < topo->channels; c++)
        sim->dyn_absent[c] = c < g->round_count && g->rounds[c] &&
                             !listed(g->rounds[c], round);
}

void disco__dynamic_round(struct disco_sim *sim, disco_time_t round)
{
    struct disco_dynamic_graph *g = sim->dynamic;
    switch (sim->cfg.dynamic) {
    case DISCO_DYNAMIC_ROOTED:
        draw_rooted(sim, g);
        break;
    case DISCO_DYNAMIC_NONSPLIT:
        draw_nonsplit(sim, g);
        break;
    case DISCO_DYNAMIC_REMOVE:
        draw_removal(sim, g);
        break;
    case DISCO_DYNAMIC_LISTED:
        draw_listed(sim, g, round);
        break;
    case DISCO_DYNAMIC_NONE:
        break;
    }
}
