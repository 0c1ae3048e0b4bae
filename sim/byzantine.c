/*
 * byzantine.c - the adversary's side of the kernel: the generic Byzantine
 * strategies, simulated signatures, and the unreliable failure detectors.
 *
 * None of these send a message or change the schedule; they only decide
 * what a Byzantine node's messages say, which tags verify, and what a
 * detector answers, each from the seed so that runs stay reproducible.
 */
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* Generic strategies.                                                      */

static bool silent_on_send(struct disco_ctx *ctx, uint32_t port,
                           unsigned *kind, void *payload, size_t *len)
{
    (void)ctx, (void)port, (void)kind, (void)payload, (void)len;
    return false;
}

static bool lie_on_send(struct disco_ctx *ctx, enum disco_lie how,
                        uint32_t port, unsigned kind, void *payload,
                        size_t len)
{
    return ctx->sim->alg->lie(ctx, how, port, kind, payload, len);
}

static bool flip_on_send(struct disco_ctx *ctx, uint32_t port, unsigned *kind,
                         void *payload, size_t *len)
{
    return lie_on_send(ctx, DISCO_LIE_FLIP, port, *kind, payload, *len);
}

static bool random_on_send(struct disco_ctx *ctx, uint32_t port,
                           unsigned *kind, void *payload, size_t *len)
{
    return lie_on_send(ctx, DISCO_LIE_RANDOM, port, *kind, payload, *len);
}

/* Two faces: the truth to the nodes v with 2v <= n (by index), the
 * canonical lie to the others, so that two correct nodes can hear
 * different stories from the same sender. */
static bool equivocate_on_send(struct disco_ctx *ctx, uint32_t port,
                               unsigned *kind, void *payload, size_t *len)
{
    const struct disco_sim *sim = ctx->sim;
    uint32_t channel = disco__node(sim, ctx->node)->first_channel + port;
    uint32_t to = sim->topo->out_target[channel];
    if (2 * (uint64_t)to <= sim->nodes)
        return true;
    return lie_on_send(ctx, DISCO_LIE_FLIP, port, *kind, payload, *len);
}

const struct disco_strategy disco_generic_strategies[] = {
    {"silent", "send nothing (a crash the others cannot tell from slowness)",
     silent_on_send},
    {"flip", "send the opposite of the truth to everyone", flip_on_send},
    {"random", "send an arbitrary value, drawn per message", random_on_send},
    {"equivocate", "the truth to nodes 0..n/2, the opposite to the others",
     equivocate_on_send},
};
const size_t disco_generic_strategy_count =
    sizeof disco_generic_strategies / sizeof disco_generic_strategies[0];

const struct disco_strategy *
disco__strategy_find(const struct disco_algorithm *alg, const char *name)
{
    for (unsigned i = 0; i < alg->strategy_count; i++)
        if (!strcmp(alg->strategies[i].name, name))
            return &alg->strategies[i];
    for (size_t i = 0; i < disco_generic_strategy_count; i++)
        if (!strcmp(disco_generic_strategies[i].name, name))
            return &disco_generic_strategies[i];
    return NULL;
}

bool disco__strategy_needs_lie(const struct disco_strategy *strategy)
{
    return strategy > disco_generic_strategies &&
           strategy < disco_generic_strategies + disco_generic_strategy_count;
}

int disco__strategy_resolve(const struct disco_algorithm *alg,
                            const char *name,
                            const struct disco_strategy **out,
                            struct disco_error *err)
{
    const struct disco_strategy *strategy = disco__strategy_find(alg, name);
    if (!strategy) {
        /* The algorithm's own (at most 28 listed) and the generic four. */
        const char *names[32];
        size_t count = 0;
        for (unsigned i = 0; i < alg->strategy_count && count < 28; i++)
            names[count++] = alg->strategies[i].name;
        for (size_t i = 0; i < disco_generic_strategy_count && count < 32;
             i++)
            names[count++] = disco_generic_strategies[i].name;
        const char *guess = disco_suggest(name, names, count);
        if (guess)
            return disco_fail(err, DISCO_EUNKNOWN,
                              "unknown strategy '%s' for %s (did you mean "
                              "'%s'?)",
                              name, alg->name, guess);
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown strategy '%s' for %s (see disco info %s)",
                          name, alg->name, alg->name);
    }
    if (disco__strategy_needs_lie(strategy) && !alg->lie)
        return disco_fail(err, DISCO_EMODEL,
                          "%s cannot falsify its messages, so strategy '%s' "
                          "cannot run; use silent%s",
                          alg->name, name,
                          alg->strategy_count ? " or its own" : "");
    if (out)
        *out = strategy;
    return 0;
}

bool disco_byzantine_peer(const struct disco_ctx *ctx, uint32_t node)
{
    const struct disco_sim *sim = ctx->sim;
    return node < sim->nodes &&
           (disco__node(sim, ctx->node)->flags & DISCO__NODE_BYZANTINE) &&
           (disco__node(sim, node)->flags & DISCO__NODE_BYZANTINE);
}

bool disco_view_byzantine(const struct disco_view *view, uint32_t node)
{
    return node < view->sim->nodes &&
           (disco__node(view->sim, node)->flags & DISCO__NODE_BYZANTINE);
}

bool disco_view_faulty(const struct disco_view *view, uint32_t node)
{
    return node < view->sim->nodes &&
           (disco__node(view->sim, node)->flags &
            (DISCO__NODE_BYZANTINE | DISCO__NODE_CRASHED));
}

/* Counted through disco_view_faulty, so that the count and the oracles'
 * judging (NULL judges !disco_view_faulty) share one definition of a
 * faulty node. */
uint32_t disco_view_faulty_count(const struct disco_view *view)
{
    uint32_t faulty = 0;
    for (uint32_t v = 0; v < view->sim->nodes; v++)
        faulty += disco_view_faulty(view, v);
    return faulty;
}

/* ------------------------------------------------------------------------ */
/* Signatures.                                                              */

static uint64_t mix(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 31);
}

/* A keyed hash of the bytes: a stand-in for a signature scheme, which the
 * simulated adversary cannot break because it never learns the keys (the
 * algorithm API offers no way to sign as another node). */
static uint64_t tag(const struct disco_sim *sim, uint32_t signer,
                    const void *data, size_t len)
{
    uint64_t h = mix(sim->sign_key ^ mix((uint64_t)signer + 1));
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i += 8) {
        uint64_t word = 0;
        size_t chunk = len - i < 8 ? len - i : 8;
        memcpy(&word, p + i, chunk);
        h = mix(h ^ word);
    }
    return mix(h ^ (uint64_t)len);
}

uint64_t disco_sign(const struct disco_ctx *ctx, const void *data, size_t len)
{
    return tag(ctx->sim, ctx->node, data, len);
}

bool disco_verify(const struct disco_ctx *ctx, uint32_t signer,
                  const void *data, size_t len, uint64_t signature)
{
    return signer < ctx->sim->nodes &&
           tag(ctx->sim, signer, data, len) == signature;
}

/* ------------------------------------------------------------------------ */
/* Failure detectors.                                                       */

bool disco_view_has_detector(const struct disco_view *view)
{
    return view->sim->cfg.detector != DISCO_DETECTOR_NONE;
}

bool disco_suspects(const struct disco_ctx *ctx, uint32_t node)
{
    const struct disco_sim *sim = ctx->sim;
    const struct disco_config *cfg = &sim->cfg;
    if (cfg->detector == DISCO_DETECTOR_NONE || node >= sim->nodes ||
        node == ctx->node)
        return false;
    bool crashed = disco__node(sim, node)->flags & DISCO__NODE_CRASHED;
    if (cfg->detector == DISCO_DETECTOR_PERFECT)
        return crashed;
    if (sim->now >= cfg->detector_stable) {
        if (crashed)
            return true;
        if (cfg->detector == DISCO_DETECTOR_EVENTUALLY_PERFECT ||
            node == sim->trusted)
            return false;
    }
    /* Arbitrary answers: a coin per (observer, suspect, period), one in
     * three suspecting, the same all period long so that a poll loop sees
     * a steady opinion rather than noise. */
    disco_time_t period = cfg->detector_period ? cfg->detector_period
                          : sim->sync          ? 1
                                               : 50;
    uint64_t h = mix(sim->sign_key ^ 0x6465746563746f72ull);
    h = mix(h ^ ctx->node);
    h = mix(h ^ ((uint64_t)node << 32));
    h = mix(h ^ (sim->now / period));
    return h % 3 == 0;
}
