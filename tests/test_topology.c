/*
 * test_topology.c - CSR building, every generator, spec errors, limits and
 * out-of-memory paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "disco_sim.h"
#include "internal.h" /* disco__in_port_addr */

/* ------------------------------------------------------------------------ */
/* A counting allocator.                                                    */

/* To prove that oversized specs are refused before anything is allocated,
 * and that every allocation failure returns DISCO_ENOMEM with nothing
 * leaked, the test replaces malloc for the whole process (glibc allows it)
 * and counts or fails allocations inside a window.  Sanitizers bring their
 * own allocator, so under them the tests that need the hook are skipped. */
#if defined(__SANITIZE_ADDRESS__)
#define NO_MALLOC_HOOK 1
#endif
#ifdef __has_feature
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define NO_MALLOC_HOOK 1
#endif
#endif
#if defined(__GLIBC__) && !defined(NO_MALLOC_HOOK)
#define MALLOC_HOOK 1
#endif

/* Connected by the search itself: generated topologies say they are
 * (known_connected), which is what this checks. */
static bool searched_connected(const struct disco_topology *t)
{
    struct disco_topology copy = *t;
    copy.known_connected = false;
    return disco_topology_connected(&copy);
}

static struct {
    bool on;      /* counting inside a window */
    long calls;   /* allocations asked for in the window */
    long live;    /* allocated minus freed in the window */
    long fail_at; /* the call to fail (0 = the first), or -1 */
} hook = {.fail_at = -1};

#ifdef MALLOC_HOOK
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);

static bool hook_refuses(void)
{
    return hook.on && hook.calls++ == hook.fail_at;
}

void *malloc(size_t size)
{
    if (hook_refuses())
        return NULL;
    void *p = __libc_malloc(size);
    if (p && hook.on)
        hook.live++;
    return p;
}

void *calloc(size_t count, size_t size)
{
    if (hook_refuses())
        return NULL;
    void *p = __libc_calloc(count, size);
    if (p && hook.on)
        hook.live++;
    return p;
}

void *realloc(void *ptr, size_t size)
{
    if (hook_refuses())
        return NULL;
    void *p = __libc_realloc(ptr, size);
    if (p && !ptr && hook.on)
        hook.live++;
    return p;
}

void free(void *ptr)
{
    if (ptr && hook.on)
        hook.live--;
    __libc_free(ptr);
}
#endif

static void hook_start(long fail_at)
{
    hook.calls = 0;
    hook.live = 0;
    hook.fail_at = fail_at;
    hook.on = true;
}

static void hook_stop(void)
{
    hook.on = false;
    hook.fail_at = -1;
}

static void skip_without_hook(void)
{
#ifndef MALLOC_HOOK
    skip();
#endif
}

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                 */

static void generate_ok(struct disco_topology *t, const char *spec,
                        uint64_t seed)
{
    struct disco_error err = {0};
    int rc = disco_topology_generate(t, spec, seed, &err);
    if (rc != 0)
        fail_msg("%s: %s", spec, err.message);
    assert_string_equal(t->spec, spec);
}

/* Every structural promise of the header, checked exhaustively. */
static void check_invariants(const struct disco_topology *t)
{
    assert_non_null(t->out_offset);
    assert_non_null(t->out_target);
    assert_true(!t->in_port != !t->in_port_short); /* exactly one */
    assert_non_null(t->in_degree);
    assert_int_equal(t->out_offset[0], 0);
    assert_int_equal(t->out_offset[t->nodes], t->channels);
    if (!t->directed)
        assert_int_equal(t->channels % 2, 0);

    uint32_t *seen = calloc(t->nodes, sizeof *seen);
    assert_non_null(seen);
    for (uint32_t u = 0; u < t->nodes; u++) {
        uint32_t start = t->out_offset[u], end = t->out_offset[u + 1];
        assert_true(start <= end);
        for (uint32_t c = start; c < end; c++) {
            uint32_t v = t->out_target[c];
            assert_true(v < t->nodes);
            assert_true(v != u);
            if (c > start) /* ports by neighbour index, no repeats */
                assert_true(t->out_target[c - 1] < v);
            assert_int_equal(disco_topology_find(t, u, v), c);
            /* The prefetch address holds this channel's in-port. */
            const void *at = disco__in_port_addr(t, c);
            assert_int_equal(t->in_port_short ? *(const uint16_t *)at
                                              : *(const uint32_t *)at,
                             disco_topology_in_port(t, c));
            if (t->directed) {
                /* Senders come in increasing order here, so the expected
                 * in-port is the number of earlier senders to v. */
                assert_int_equal(disco_topology_in_port(t, c), seen[v]);
            } else {
                uint32_t back =
                    t->out_offset[v] + disco_topology_in_port(t, c);
                assert_true(back < t->out_offset[v + 1]);
                assert_int_equal(t->out_target[back], u);
                assert_int_equal(disco_topology_in_port(t, back), c - start);
            }
            seen[v]++;
        }
    }
    for (uint32_t v = 0; v < t->nodes; v++) {
        assert_int_equal(t->in_degree[v], seen[v]);
        if (!t->directed)
            assert_int_equal(t->in_degree[v], disco_topology_degree(t, v));
    }
    free(seen);
}

static bool same_graph(const struct disco_topology *a,
                       const struct disco_topology *b)
{
    return a->nodes == b->nodes && a->channels == b->channels &&
           memcmp(a->out_offset, b->out_offset,
                  ((size_t)a->nodes + 1) * sizeof(uint32_t)) == 0 &&
           memcmp(a->out_target, b->out_target,
                  (size_t)a->channels * sizeof(uint32_t)) == 0;
}

static void assert_neighbours(const struct disco_topology *t, uint32_t u,
                              const uint32_t *expect, uint32_t count)
{
    assert_int_equal(disco_topology_degree(t, u), count);
    for (uint32_t p = 0; p < count; p++)
        assert_int_equal(t->out_target[t->out_offset[u] + p], expect[p]);
}

#define NEIGHBOURS(t, u, ...)                                                \
    do {                                                                     \
        const uint32_t expect_[] = {__VA_ARGS__};                            \
        assert_neighbours(t, u, expect_,                                     \
                          sizeof expect_ / sizeof expect_[0]);               \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Sizes of every family.                                                   */

struct size_case {
    const char *spec;
    uint32_t nodes, channels;
    bool directed;
};

static const struct size_case size_cases[] = {
    {"uring:5", 5, 5, true},
    {"uring:2", 2, 2, true},
    {"ring:8", 8, 16, false},
    {"ring:3", 3, 6, false},
    {"line:4", 4, 6, false},
    {"line:1", 1, 0, false},
    {"star:5", 5, 8, false},
    {"star:2", 2, 2, false},
    {"complete:6", 6, 30, false},
    {"complete:1", 1, 0, false},
    {"grid:3x4", 12, 34, false},
    {"grid:1x5", 5, 8, false},
    {"grid:1x1", 1, 0, false},
    {"torus:3x4", 12, 48, false},
    {"torus:3x3", 9, 36, false},
    {"hypercube:4", 16, 64, false},
    {"hypercube:1", 2, 2, false},
    {"btree:7", 7, 12, false},
    {"btree:1", 1, 0, false},
    {"tree:50", 50, 98, false},
    {"tree:2", 2, 2, false},
    {"tree:1", 1, 0, false},
    {"gnp:20:1", 20, 380, false},
    {"gnp:1:0.5", 1, 0, false},
    {"regular:100:3", 100, 300, false},
    {"regular:2:1", 2, 2, false},
    {"regular:3:2", 3, 6, false},
    {"regular:10:9", 10, 90, false},
    {"petersen", 10, 30, false},
};

static void test_sizes(void **state)
{
    for (size_t i = 0; i < sizeof size_cases / sizeof size_cases[0]; i++) {
        const struct size_case *k = &size_cases[i];
        struct disco_topology t;
        generate_ok(&t, k->spec, 1);
        if (t.nodes != k->nodes || t.channels != k->channels)
            fail_msg("%s: %u nodes, %u channels", k->spec, t.nodes,
                     t.channels);
        assert_int_equal(t.directed, k->directed);
        assert_null(t.weight);
        assert_null(t.names);
        check_invariants(&t);
        assert_true(t.known_connected);
        assert_true(searched_connected(&t));
        disco_topology_release(&t);
    }
}

/* One sample per family: every name the grammar lists must generate. */
static void test_every_family_listed_generates(void **state)
{
    static const char *const samples[] = {
        "uring:4", "ring:4", "line:4", "star:4", "complete:4", "grid:2x2",
        "torus:3x3", "hypercube:2", "btree:4", "tree:4", "gnp:4:1",
        "regular:4:3", "petersen",
    };
    assert_int_equal(disco_topology_family_count, 13);
    assert_int_equal(sizeof samples / sizeof samples[0],
                     disco_topology_family_count);
    for (size_t f = 0; f < disco_topology_family_count; f++) {
        const char *name = disco_topology_families[f];
        size_t len = strlen(name);
        assert_memory_equal(samples[f], name, len);
        assert_true(samples[f][len] == ':' || samples[f][len] == '\0');
        struct disco_topology t;
        generate_ok(&t, samples[f], 7);
        check_invariants(&t);
        disco_topology_release(&t);
    }
}

/* ------------------------------------------------------------------------ */
/* Shapes.                                                                  */

static void test_ring_and_uring(void **state)
{
    struct disco_topology t;
    generate_ok(&t, "ring:8", 1);
    NEIGHBOURS(&t, 0, 1, 7);
    NEIGHBOURS(&t, 3, 2, 4);
    NEIGHBOURS(&t, 7, 0, 6);
    /* 0 -> 7 arrives on 7's port 0, which leads back to 0. */
    assert_int_equal(
        disco_topology_in_port(&t, disco_topology_find(&t, 0, 7)), 0);
    assert_int_equal(
        disco_topology_in_port(&t, disco_topology_find(&t, 7, 0)), 1);
    disco_topology_release(&t);

    generate_ok(&t, "uring:5", 1);
    assert_true(t.directed);
    for (uint32_t i = 0; i < 5; i++) {
        NEIGHBOURS(&t, i, (i + 1) % 5);
        assert_int_equal(disco_topology_in_port(&t, i), 0);
        assert_int_equal(t.in_degree[i], 1);
        assert_int_equal(disco_topology_find(&t, (i + 1) % 5, i),
                         UINT32_MAX);
    }
    disco_topology_release(&t);
}

static void test_line_star_complete(void **state)
{
    struct disco_topology t;
    generate_ok(&t, "line:4", 1);
    NEIGHBOURS(&t, 0, 1);
    NEIGHBOURS(&t, 1, 0, 2);
    NEIGHBOURS(&t, 2, 1, 3);
    NEIGHBOURS(&t, 3, 2);
    disco_topology_release(&t);

    generate_ok(&t, "star:5", 1);
    NEIGHBOURS(&t, 0, 1, 2, 3, 4);
    for (uint32_t i = 1; i < 5; i++) {
        NEIGHBOURS(&t, i, 0);
        assert_int_equal(disco_topology_in_port(&t, t.out_offset[i]), i - 1);
    }
    disco_topology_release(&t);

    generate_ok(&t, "complete:6", 1);
    for (uint32_t u = 0; u < 6; u++)
        for (uint32_t v = 0; v < 6; v++)
            assert_int_equal(disco_topology_find(&t, u, v) == UINT32_MAX,
                             u == v);
    disco_topology_release(&t);
}

static void test_grid_and_torus(void **state)
{
    struct disco_topology t;
    generate_ok(&t, "grid:3x4", 1); /* rows of 4: 0..3, 4..7, 8..11 */
    NEIGHBOURS(&t, 0, 1, 4);
    NEIGHBOURS(&t, 3, 2, 7);
    NEIGHBOURS(&t, 5, 1, 4, 6, 9);
    NEIGHBOURS(&t, 11, 7, 10);
    disco_topology_release(&t);

    generate_ok(&t, "torus:3x4", 1);
    NEIGHBOURS(&t, 0, 1, 3, 4, 8);
    NEIGHBOURS(&t, 11, 3, 7, 8, 10);
    for (uint32_t u = 0; u < 12; u++)
        assert_int_equal(disco_topology_degree(&t, u), 4);
    disco_topology_release(&t);
}

static void test_hypercube_and_btree(void **state)
{
    struct disco_topology t;
    generate_ok(&t, "hypercube:4", 1);
    for (uint32_t u = 0; u < 16; u++) {
        assert_int_equal(disco_topology_degree(&t, u), 4);
        for (uint32_t c = t.out_offset[u]; c < t.out_offset[u + 1]; c++) {
            uint32_t diff = u ^ t.out_target[c];
            assert_true(diff != 0 && (diff & (diff - 1)) == 0);
        }
    }
    NEIGHBOURS(&t, 5, 1, 4, 7, 13);
    disco_topology_release(&t);

    generate_ok(&t, "btree:7", 1);
    NEIGHBOURS(&t, 0, 1, 2);
    NEIGHBOURS(&t, 1, 0, 3, 4);
    NEIGHBOURS(&t, 2, 0, 5, 6);
    for (uint32_t leaf = 3; leaf < 7; leaf++)
        NEIGHBOURS(&t, leaf, (leaf - 1) / 2);
    disco_topology_release(&t);
}

/* The Petersen graph is the strongly regular graph (10, 3, 0, 1): adjacent
 * nodes share no neighbour, non-adjacent ones exactly one. */
static void test_petersen(void **state)
{
    struct disco_topology t;
    generate_ok(&t, "petersen", 1);
    for (uint32_t u = 0; u < 10; u++) {
        assert_int_equal(disco_topology_degree(&t, u), 3);
        for (uint32_t v = u + 1; v < 10; v++) {
            uint32_t common = 0;
            for (uint32_t w = 0; w < 10; w++)
                common += disco_topology_find(&t, u, w) != UINT32_MAX &&
                          disco_topology_find(&t, v, w) != UINT32_MAX;
            bool adjacent = disco_topology_find(&t, u, v) != UINT32_MAX;
            assert_int_equal(common, adjacent ? 0 : 1);
        }
    }
    disco_topology_release(&t);
}

/* ------------------------------------------------------------------------ */
/* Random families.                                                         */

static void test_seeds(void **state)
{
    static const char *const random_specs[] = {
        "tree:50", "gnp:40:0.2", "regular:100:3", "regular:1000:8",
        "regular:20:15",
    };
    for (size_t i = 0; i < sizeof random_specs / sizeof random_specs[0];
         i++) {
        struct disco_topology a, b, c;
        generate_ok(&a, random_specs[i], 42);
        generate_ok(&b, random_specs[i], 42);
        generate_ok(&c, random_specs[i], 43);
        if (!same_graph(&a, &b))
            fail_msg("%s: seed 42 drew two graphs", random_specs[i]);
        if (same_graph(&a, &c))
            fail_msg("%s: seeds 42 and 43 drew one graph", random_specs[i]);
        disco_topology_release(&a);
        disco_topology_release(&b);
        disco_topology_release(&c);
    }
    /* The deterministic families ignore the seed. */
    struct disco_topology a, b;
    generate_ok(&a, "torus:5x7", 1);
    generate_ok(&b, "torus:5x7", 99);
    assert_true(same_graph(&a, &b));
    disco_topology_release(&a);
    disco_topology_release(&b);
}

static void test_tree(void **state)
{
    for (uint64_t seed = 1; seed <= 50; seed++) {
        struct disco_topology t;
        generate_ok(&t, "tree:50", seed);
        assert_int_equal(t.nodes, 50);
        assert_int_equal(t.channels, 2 * 49);
        check_invariants(&t);
        assert_true(t.known_connected);
        assert_true(searched_connected(&t));
        disco_topology_release(&t);
    }
}

/* There are 4^2 = 16 labelled trees on 4 nodes, each drawn with chance
 * 1/16: over 1600 seeds each should come up about 100 times (sd 9.7). */
static void test_tree_uniform(void **state)
{
    uint32_t seen[64] = {0};
    for (uint64_t seed = 1; seed <= 1600; seed++) {
        struct disco_topology t;
        generate_ok(&t, "tree:4", seed);
        unsigned mask = 0, bit = 0;
        for (uint32_t u = 0; u < 4; u++)
            for (uint32_t v = u + 1; v < 4; v++, bit++)
                if (disco_topology_find(&t, u, v) != UINT32_MAX)
                    mask |= 1u << bit;
        seen[mask]++;
        disco_topology_release(&t);
    }
    uint32_t distinct = 0;
    for (unsigned mask = 0; mask < 64; mask++) {
        if (!seen[mask])
            continue;
        distinct++;
        if (seen[mask] < 50 || seen[mask] > 150)
            fail_msg("tree %#x drawn %u times in 1600", mask, seen[mask]);
    }
    assert_int_equal(distinct, 16);
}

static void test_gnp(void **state)
{
    for (uint64_t seed = 1; seed <= 10; seed++) {
        struct disco_topology t;
        generate_ok(&t, "gnp:200:0.1", seed);
        assert_int_equal(t.nodes, 200);
        /* 19900 pairs at 0.1: 1990 edges expected, sd 42. */
        assert_in_range(t.channels / 2, 1790, 2190);
        check_invariants(&t);
        assert_true(t.known_connected);
        assert_true(searched_connected(&t));
        disco_topology_release(&t);
    }
    /* Near the threshold ln(N)/N = 0.046 most draws are disconnected and
     * must be redrawn: the result is still connected. */
    for (uint64_t seed = 1; seed <= 10; seed++) {
        struct disco_topology t;
        generate_ok(&t, "gnp:100:0.04", seed);
        check_invariants(&t);
        assert_true(t.known_connected);
        assert_true(searched_connected(&t));
        disco_topology_release(&t);
    }
}

static void check_regular(const char *spec, uint32_t n, uint32_t d,
                          uint64_t seed)
{
    struct disco_topology t;
    generate_ok(&t, spec, seed);
    assert_int_equal(t.nodes, n);
    assert_int_equal(t.channels, n * d);
    for (uint32_t u = 0; u < n; u++)
        if (disco_topology_degree(&t, u) != d)
            fail_msg("%s seed %lu: node %u has degree %u", spec,
                     (unsigned long)seed, u, disco_topology_degree(&t, u));
    check_invariants(&t); /* simple: no self-loop, no repeat */
    if (!t.known_connected || !searched_connected(&t))
        fail_msg("%s seed %lu: not connected", spec, (unsigned long)seed);
    disco_topology_release(&t);
}

static void test_regular(void **state)
{
    /* Small and dense cases, where repeats and switches are frequent, and
     * the complement path (D above (N-1)/2). */
    static const struct {
        const char *spec;
        uint32_t n, d;
    } cases[] = {
        {"regular:2:1", 2, 1},     {"regular:3:2", 3, 2},
        {"regular:4:2", 4, 2},     {"regular:4:3", 4, 3},
        {"regular:5:2", 5, 2},     {"regular:5:4", 5, 4},
        {"regular:6:3", 6, 3},     {"regular:7:4", 7, 4},
        {"regular:8:3", 8, 3},     {"regular:9:4", 9, 4},
        {"regular:10:4", 10, 4},   {"regular:12:5", 12, 5},
        {"regular:20:9", 20, 9},   {"regular:21:10", 21, 10},
        {"regular:20:15", 20, 15}, {"regular:11:10", 11, 10},
        {"regular:100:3", 100, 3}, {"regular:100:49", 100, 49},
        {"regular:60:20", 60, 20}, {"regular:1000:8", 1000, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (uint64_t seed = 1; seed <= 20; seed++)
            check_regular(cases[i].spec, cases[i].n, cases[i].d, seed);
    check_regular("regular:100000:8", 100000, 8, 5);
    check_regular("regular:100000:7", 100000, 7, 5);
}

/* ------------------------------------------------------------------------ */
/* Bad specs.                                                               */

struct bad_case {
    const char *spec;
    int code;
    const char *message;
};

static const struct bad_case bad_cases[] = {
    {"rign:8", DISCO_EUNKNOWN,
     "unknown topology 'rign:8' (did you mean 'ring:8'?)"},
    {"petersn", DISCO_EUNKNOWN,
     "unknown topology 'petersn' (did you mean 'petersen'?)"},
    {"hypercub:3", DISCO_EUNKNOWN,
     "unknown topology 'hypercub:3' (did you mean 'hypercube:3'?)"},
    {"regullar:10:3", DISCO_EUNKNOWN,
     "unknown topology 'regullar:10:3' (did you mean 'regular:10:3'?)"},
    {"ring8", DISCO_EUNKNOWN,
     "unknown topology 'ring8' (did you mean 'ring:8'?)"},
    {"grid3x3", DISCO_EUNKNOWN,
     "unknown topology 'grid3x3' (did you mean 'grid:3x3'?)"},
    {"regular10:3", DISCO_EUNKNOWN,
     "unknown topology 'regular10:3' (did you mean 'regular:10:3'?)"},
    {"", DISCO_EUNKNOWN,
     "unknown topology '' (known: uring, ring, line, star, complete, "
     "grid, torus, hypercube, btree, tree, gnp, regular, petersen, or a "
     ".dot file)"},
    {"foo:3", DISCO_EUNKNOWN,
     "unknown topology 'foo:3' (known: uring, ring, line, star, complete, "
     "grid, torus, hypercube, btree, tree, gnp, regular, petersen, or a "
     ".dot file)"},
    {"net.dot", DISCO_EINVAL,
     "topology 'net.dot' is a DOT file; load it as a scenario"},
    {"scenarios/Ring.DOT", DISCO_EINVAL,
     "topology 'scenarios/Ring.DOT' is a DOT file; load it as a scenario"},
    {"ring:-3", DISCO_EINVAL,
     "bad topology 'ring:-3': N must be a positive integer"},
    {"ring:abc", DISCO_EINVAL,
     "bad topology 'ring:abc': N must be a positive integer"},
    {"ring:0", DISCO_EINVAL,
     "bad topology 'ring:0': N must be a positive integer"},
    {"ring:8x", DISCO_EINVAL,
     "bad topology 'ring:8x': N must be a positive integer"},
    {"ring: 8", DISCO_EINVAL,
     "bad topology 'ring: 8': N must be a positive integer"},
    {"ring:+8", DISCO_EINVAL,
     "bad topology 'ring:+8': N must be a positive integer"},
    {"ring:", DISCO_EINVAL,
     "bad topology 'ring:': N must be a positive integer"},
    {"ring", DISCO_EINVAL, "bad topology 'ring': expected ring:N"},
    {"ring:8:2", DISCO_EINVAL, "bad topology 'ring:8:2': expected ring:N"},
    {"ring:99999999999999999999", DISCO_EINVAL,
     "bad topology 'ring:99999999999999999999': N is out of range"},
    {"ring:2", DISCO_EINVAL,
     "bad topology 'ring:2': a ring needs at least 3 nodes (fewer would "
     "duplicate edges)"},
    {"uring:1", DISCO_EINVAL,
     "bad topology 'uring:1': a unidirectional ring needs at least 2 nodes "
     "(one would be a self-loop)"},
    {"torus:2x5", DISCO_EINVAL,
     "bad topology 'torus:2x5': a torus needs R and C of at least 3 (fewer "
     "would duplicate edges)"},
    {"grid:3", DISCO_EINVAL, "bad topology 'grid:3': expected grid:RxC"},
    {"grid:3x", DISCO_EINVAL,
     "bad topology 'grid:3x': C must be a positive integer"},
    {"grid:x3", DISCO_EINVAL,
     "bad topology 'grid:x3': R must be a positive integer"},
    {"grid:3x4x5", DISCO_EINVAL,
     "bad topology 'grid:3x4x5': C must be a positive integer"},
    {"hypercube:0", DISCO_EINVAL,
     "bad topology 'hypercube:0': D must be a positive integer"},
    {"gnp:10", DISCO_EINVAL, "bad topology 'gnp:10': expected gnp:N:P"},
    {"gnp:10:0", DISCO_EINVAL,
     "bad topology 'gnp:10:0': P must be a probability in (0, 1]"},
    {"gnp:10:1.5", DISCO_EINVAL,
     "bad topology 'gnp:10:1.5': P must be a probability in (0, 1]"},
    {"gnp:10:-0.5", DISCO_EINVAL,
     "bad topology 'gnp:10:-0.5': P must be a probability in (0, 1]"},
    {"gnp:10:nan", DISCO_EINVAL,
     "bad topology 'gnp:10:nan': P must be a probability in (0, 1]"},
    {"gnp:10:0.5x", DISCO_EINVAL,
     "bad topology 'gnp:10:0.5x': P must be a probability in (0, 1]"},
    {"regular:10", DISCO_EINVAL,
     "bad topology 'regular:10': expected regular:N:D"},
    {"regular:5:3", DISCO_EINVAL,
     "bad topology 'regular:5:3': N*D must be even (a D-regular graph has "
     "N*D/2 edges)"},
    {"regular:4:4", DISCO_EINVAL,
     "bad topology 'regular:4:4': D must be less than N"},
    {"regular:6:0", DISCO_EINVAL,
     "bad topology 'regular:6:0': D must be a positive integer"},
    {"regular:6:1", DISCO_EINVAL,
     "bad topology 'regular:6:1': a 1-regular graph is connected only on 2 "
     "nodes"},
    {"petersen:10", DISCO_EINVAL,
     "bad topology 'petersen:10': petersen takes no parameters"},
    /* Hopeless: 1000 (0.9999)^999 = 905 isolated nodes expected. */
    {"gnp:1000:0.0001", DISCO_EINVAL,
     "bad topology 'gnp:1000:0.0001': almost never connected (905 isolated "
     "nodes expected); try a larger P, such as gnp:1000:0.0092"},
    /* Not hopeless by the estimate, but 3 nodes at P = 0.01 connect with
     * chance 3e-4 per draw: the draws run out. */
    {"gnp:3:0.01", DISCO_EINVAL,
     "bad topology 'gnp:3:0.01': no connected graph in 200 draws; try a "
     "larger P, such as gnp:3:0.82"},
};

static void test_bad_specs(void **state)
{
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const struct bad_case *k = &bad_cases[i];
        struct disco_topology t;
        struct disco_error err = {0};
        int rc = disco_topology_generate(&t, k->spec, 1, &err);
        if (rc != k->code || strcmp(err.message, k->message) != 0)
            fail_msg("'%s': got %d \"%s\"", k->spec, rc, err.message);
        assert_int_equal(err.code, k->code);
        /* A failed generate leaves nothing to release. */
        assert_null(t.out_offset);
        assert_null(t.out_target);
        assert_int_equal(t.nodes, 0);
        disco_topology_release(&t);
    }
}

static void test_long_spec(void **state)
{
    char spec[200];
    memset(spec, '9', sizeof spec - 1);
    spec[sizeof spec - 1] = '\0';
    memcpy(spec, "ring:", 5);
    struct disco_topology t;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_generate(&t, spec, 1, &err),
                     DISCO_EINVAL);
    assert_string_equal(err.message,
                        "topology 'ring:99999999999999999999999999999999999"
                        "...' is too long (at most 127 characters)");
    assert_int_equal(disco_topology_generate(&t, NULL, 1, &err),
                     DISCO_EINVAL);
}

/* Oversized specs are refused with DISCO_ELIMIT before any allocation. */
static void test_too_large(void **state)
{
    static const struct bad_case cases[] = {
        {"ring:10000000000", DISCO_ELIMIT,
         "topology too large: 10000000000 nodes in 'ring:10000000000' (at "
         "most 268435456)"},
        {"ring:268435457", DISCO_ELIMIT,
         "topology too large: 268435457 nodes in 'ring:268435457' (at most "
         "268435456)"},
        {"complete:70000", DISCO_ELIMIT,
         "topology too large: 4899930000 channels in 'complete:70000' (at "
         "most 4294967294)"},
        {"grid:100000x100000", DISCO_ELIMIT,
         "topology too large: 10000000000 nodes in 'grid:100000x100000' "
         "(at most 268435456)"},
        {"torus:3x300000000", DISCO_ELIMIT,
         "topology too large: more than 268435456 nodes in "
         "'torus:3x300000000'"},
        {"hypercube:28", DISCO_ELIMIT,
         "topology too large: 'hypercube:28' has 2^28 nodes of degree 28 "
         "(at most hypercube:27)"},
        {"regular:268435456:16", DISCO_ELIMIT,
         "topology too large: 4294967296 channels in 'regular:268435456:16' "
         "(at most 4294967294)"},
        {"gnp:100000:0.9", DISCO_ELIMIT,
         "topology too large: about 9e+09 channels expected in "
         "'gnp:100000:0.9' (at most 4294967294)"},
        {"tree:300000000", DISCO_ELIMIT,
         "topology too large: 300000000 nodes in 'tree:300000000' (at most "
         "268435456)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disco_topology t;
        struct disco_error err = {0};
        hook_start(-1);
        int rc = disco_topology_generate(&t, cases[i].spec, 1, &err);
        hook_stop();
        if (rc != cases[i].code || strcmp(err.message, cases[i].message))
            fail_msg("'%s': got %d \"%s\"", cases[i].spec, rc, err.message);
#ifdef MALLOC_HOOK
        assert_int_equal(hook.calls, 0);
#endif
        assert_null(t.out_offset);
    }
}

/* Fail each allocation in turn: every failure must come back as
 * DISCO_ENOMEM with everything freed, until the call needs no more. */
static void test_out_of_memory_generate(void **state)
{
    skip_without_hook();
    static const char *const specs[] = {
        "ring:100", "uring:10", "tree:50", "gnp:60:0.2", "regular:100:3",
        "regular:10:7", "regular:2:1", "complete:5",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        long fail_at = 0;
        for (;; fail_at++) {
            struct disco_topology t;
            struct disco_error err = {0};
            hook_start(fail_at);
            int rc = disco_topology_generate(&t, specs[i], 3, &err);
            long live = hook.live;
            hook_stop();
            if (rc == 0) {
                check_invariants(&t);
                disco_topology_release(&t);
                break;
            }
            if (rc != DISCO_ENOMEM)
                fail_msg("%s, allocation %ld failing: %d %s", specs[i],
                         fail_at, rc, err.message);
            assert_int_equal(live, 0);
            assert_null(t.out_offset);
            assert_null(t.out_target);
            assert_memory_equal(err.message, "out of memory for topology",
                                26);
        }
        assert_true(fail_at >= 4); /* offsets, targets, ports, degrees */
    }
}

static void test_out_of_memory_build(void **state)
{
    skip_without_hook();
    static const struct disco_edge edges[] = {
        {0, 1, 5}, {1, 2, 6}, {2, 3, 7}, {3, 0, 8},
    };
    for (int weighted = 0; weighted <= 1; weighted++) {
        long fail_at = 0;
        for (;; fail_at++) {
            struct disco_topology t;
            struct disco_error err = {0};
            hook_start(fail_at);
            int rc = disco_topology_build(&t, 4, false, edges, 4, weighted,
                                          &err);
            long live = hook.live;
            hook_stop();
            if (rc == 0) {
                disco_topology_release(&t);
                break;
            }
            assert_int_equal(rc, DISCO_ENOMEM);
            assert_int_equal(live, 0);
            assert_null(t.out_offset);
            assert_null(t.weight);
            assert_string_equal(err.message, "out of memory building a "
                                             "topology of 4 nodes and 8 "
                                             "channels");
        }
        assert_int_equal(fail_at, weighted ? 6 : 4);
    }
}

/* ------------------------------------------------------------------------ */
/* Building from edges.                                                     */

static void test_build_undirected(void **state)
{
    /* Given out of order and in both orientations. */
    static const struct disco_edge edges[] = {
        {3, 0, 30}, {2, 1, 21}, {0, 1, 10}, {1, 3, 13}, {4, 2, 42},
    };
    struct disco_topology t;
    strcpy(t.spec, "five.dot");
    struct disco_error err = {0};
    assert_int_equal(disco_topology_build(&t, 5, false, edges, 5, true, &err),
                     0);
    assert_string_equal(t.spec, "five.dot"); /* the caller's */
    assert_int_equal(t.nodes, 5);
    assert_int_equal(t.channels, 10);
    assert_false(t.directed);
    assert_null(t.names);
    check_invariants(&t);
    NEIGHBOURS(&t, 0, 1, 3);
    NEIGHBOURS(&t, 1, 0, 2, 3);
    NEIGHBOURS(&t, 2, 1, 4);
    NEIGHBOURS(&t, 3, 0, 1);
    NEIGHBOURS(&t, 4, 2);
    /* Weights follow their channels through the sort, both ways. */
    assert_non_null(t.weight);
    for (size_t i = 0; i < 5; i++) {
        uint32_t a = edges[i].from, b = edges[i].to;
        assert_int_equal(t.weight[disco_topology_find(&t, a, b)],
                         edges[i].weight);
        assert_int_equal(t.weight[disco_topology_find(&t, b, a)],
                         edges[i].weight);
    }
    assert_true(disco_topology_connected(&t));
    disco_topology_release(&t);
    disco_topology_release(&t); /* released twice: harmless */
    assert_null(t.out_offset);

    assert_int_equal(disco_topology_build(&t, 5, false, edges, 5, false,
                                          &err), 0);
    assert_null(t.weight);
    check_invariants(&t);
    disco_topology_release(&t);
}

/* In-ports take 16 bits while no node has more than 2^16 incoming
 * channels, and 32 beyond: a star's centre on 65,537 leaves is the first
 * to need them, undirected or directed (where only the in-degrees count).
 * Either way the ports are the same. */
static void test_in_port_width(void **state)
{
    (void)state;
    struct disco_topology t;
    generate_ok(&t, "star:65537", 1); /* centre degree 65,536 */
    assert_non_null(t.in_port_short);
    assert_null(t.in_port);
    check_invariants(&t);
    disco_topology_release(&t);

    generate_ok(&t, "star:65538", 1); /* centre degree 65,537 */
    assert_null(t.in_port_short);
    assert_non_null(t.in_port);
    check_invariants(&t);
    /* The last leaf arrives on the centre's last port. */
    assert_int_equal(
        disco_topology_in_port(&t, disco_topology_find(&t, 65537, 0)), 65536);
    disco_topology_release(&t);

    /* Directed: every other node sends to node 0, which sends to none. */
    for (uint32_t leaves = 65536; leaves <= 65537; leaves++) {
        struct disco_edge *edges = calloc(leaves, sizeof *edges);
        assert_non_null(edges);
        for (uint32_t i = 0; i < leaves; i++)
            edges[i] = (struct disco_edge){leaves - i, 0, 1};
        struct disco_error err = {0};
        assert_int_equal(disco_topology_build(&t, leaves + 1, true, edges,
                                              leaves, false, &err),
                         0);
        assert_true((t.in_port_short != NULL) == (leaves == 65536));
        assert_true((t.in_port != NULL) == (leaves == 65537));
        check_invariants(&t);
        assert_int_equal(
            disco_topology_in_port(&t, disco_topology_find(&t, leaves, 0)),
            leaves - 1);
        disco_topology_release(&t);
        free(edges);
    }
}

static void test_build_directed(void **state)
{
    /* Node 0 hears from 3, 1 and 2: its in-ports number them by sender. */
    static const struct disco_edge edges[] = {
        {3, 0, 1}, {1, 0, 1}, {2, 0, 1}, {0, 1, 1}, {0, 3, 1},
    };
    struct disco_topology t;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_build(&t, 4, true, edges, 5, false, &err),
                     0);
    assert_true(t.directed);
    assert_int_equal(t.channels, 5);
    check_invariants(&t);
    assert_int_equal(t.in_degree[0], 3);
    assert_int_equal(
        disco_topology_in_port(&t, disco_topology_find(&t, 1, 0)), 0);
    assert_int_equal(
        disco_topology_in_port(&t, disco_topology_find(&t, 2, 0)), 1);
    assert_int_equal(
        disco_topology_in_port(&t, disco_topology_find(&t, 3, 0)), 2);
    assert_int_equal(t.in_degree[2], 0);
    assert_int_equal(disco_topology_find(&t, 0, 2), UINT32_MAX);
    /* 2 has no incoming channel: not strongly connected. */
    assert_false(disco_topology_connected(&t));
    disco_topology_release(&t);

    /* 3 -> 5 and 5 -> 3 are two channels, not a repeat. */
    static const struct disco_edge both[] = {{3, 5, 1}, {5, 3, 1}};
    assert_int_equal(disco_topology_build(&t, 6, true, both, 2, false, &err),
                     0);
    assert_int_equal(t.channels, 2);
    check_invariants(&t);
    disco_topology_release(&t);
}

static void test_build_refuses(void **state)
{
    struct disco_topology t;
    struct disco_error err = {0};

    static const struct disco_edge loop[] = {{0, 1, 1}, {2, 2, 1}};
    assert_int_equal(disco_topology_build(&t, 3, false, loop, 2, false, &err),
                     DISCO_EPARSE);
    assert_string_equal(err.message, "self-loop 2-2");
    assert_null(t.out_offset);

    static const struct disco_edge twice[] = {
        {5, 3, 1}, {1, 2, 1}, {3, 5, 2},
    };
    assert_int_equal(disco_topology_build(&t, 6, false, twice, 3, false,
                                          &err), DISCO_EPARSE);
    assert_string_equal(err.message, "duplicate edge 3-5");
    assert_null(t.out_offset);
    assert_null(t.in_port);
    assert_null(t.in_port_short);
    assert_int_equal(disco_topology_build(&t, 6, false, twice, 3, true, &err),
                     DISCO_EPARSE);
    assert_string_equal(err.message, "duplicate edge 3-5");
    assert_null(t.weight);

    static const struct disco_edge arc_twice[] = {{3, 5, 1}, {3, 5, 1}};
    assert_int_equal(disco_topology_build(&t, 6, true, arc_twice, 2, false,
                                          &err), DISCO_EPARSE);
    assert_string_equal(err.message, "duplicate edge 3->5");

    static const struct disco_edge outside[] = {{1, 7, 1}};
    assert_int_equal(disco_topology_build(&t, 4, false, outside, 1, false,
                                          &err), DISCO_EINVAL);
    assert_string_equal(err.message,
                        "edge 1-7 names node 7 of a topology of 4 nodes");

    assert_int_equal(disco_topology_build(&t, 0, false, NULL, 0, false, &err),
                     DISCO_EINVAL);
    assert_string_equal(err.message, "a topology needs at least one node");

    hook_start(-1);
    int rc = disco_topology_build(&t, DISCO_MAX_NODES + 1u, false, NULL, 0,
                                  false, &err);
    hook_stop();
    assert_int_equal(rc, DISCO_ELIMIT);
    assert_string_equal(err.message,
                        "topology too large: 268435457 nodes (at most "
                        "268435456)");
#ifdef MALLOC_HOOK
    assert_int_equal(hook.calls, 0);
#endif
    /* Too many edges is known from the count alone: the edge array is
     * never read. */
    rc = disco_topology_build(&t, 10, false, outside,
                              (size_t)DISCO_MAX_CHANNELS / 2 + 1, false,
                              &err);
    assert_int_equal(rc, DISCO_ELIMIT);
    assert_string_equal(err.message,
                        "topology too large: 2147483648 edges make more than "
                        "4294967294 channels");
}

static void test_build_isolated_node(void **state)
{
    static const struct disco_edge edges[] = {{0, 1, 1}};
    struct disco_topology t;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_build(&t, 3, false, edges, 1, false, &err),
                     0);
    check_invariants(&t);
    assert_int_equal(disco_topology_degree(&t, 2), 0);
    assert_false(disco_topology_connected(&t));
    disco_topology_release(&t);

    assert_int_equal(disco_topology_build(&t, 1, false, NULL, 0, false, &err),
                     0);
    assert_int_equal(t.channels, 0);
    assert_true(disco_topology_connected(&t));
    disco_topology_release(&t);
}

/* ------------------------------------------------------------------------ */
/* Queries.                                                                 */

static void test_connected_directed(void **state)
{
    /* A directed line reaches everything from 0 but not back. */
    static const struct disco_edge line[] = {{0, 1, 1}, {1, 2, 1}};
    struct disco_topology t;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_build(&t, 3, true, line, 2, false, &err),
                     0);
    assert_false(disco_topology_connected(&t));
    disco_topology_release(&t);

    /* Everything reaches 0, 0 reaches nothing. */
    static const struct disco_edge sink[] = {{1, 0, 1}, {2, 0, 1}};
    assert_int_equal(disco_topology_build(&t, 3, true, sink, 2, false, &err),
                     0);
    assert_false(disco_topology_connected(&t));
    disco_topology_release(&t);

    /* Two directed cycles sharing node 0. */
    static const struct disco_edge eight[] = {
        {0, 1, 1}, {1, 2, 1}, {2, 0, 1}, {0, 3, 1}, {3, 4, 1}, {4, 0, 1},
    };
    assert_int_equal(disco_topology_build(&t, 5, true, eight, 6, false, &err),
                     0);
    check_invariants(&t);
    assert_true(disco_topology_connected(&t));
    disco_topology_release(&t);

    generate_ok(&t, "uring:1000", 1);
    assert_true(searched_connected(&t));
    disco_topology_release(&t);
}

/* The search is iterative: a million-node line would overflow a recursive
 * one. */
static void test_connected_long_line(void **state)
{
    struct disco_topology t;
    generate_ok(&t, "line:1000000", 1);
    assert_true(searched_connected(&t));
    assert_int_equal(t.channels, 2 * 999999);
    disco_topology_release(&t);
}

static void test_find(void **state)
{
    struct disco_topology t;
    generate_ok(&t, "star:5", 1);
    assert_int_equal(disco_topology_find(&t, 0, 3), 2);
    assert_int_equal(disco_topology_find(&t, 3, 0), t.out_offset[3]);
    assert_int_equal(disco_topology_find(&t, 3, 4), UINT32_MAX);
    assert_int_equal(disco_topology_find(&t, 0, 0), UINT32_MAX);
    assert_int_equal(disco_topology_find(&t, 0, 99), UINT32_MAX);
    assert_int_equal(disco_topology_find(&t, 99, 0), UINT32_MAX);
    disco_topology_release(&t);
    disco_topology_release(NULL);
}

static void test_random_weights(void **unused)
{
    /* Distinct weights 1..m, equal on both channels of an edge, the same
     * for the same seed and different for another. */
    struct disco_error err;
    struct disco_topology a, b;
    assert_int_equal(disco_topology_generate(&a, "petersen", 1, &err), 0);
    assert_int_equal(disco_topology_generate(&b, "petersen", 1, &err), 0);
    assert_int_equal(disco_topology_random_weights(&a, 5, &err), 0);
    assert_int_equal(disco_topology_random_weights(&b, 5, &err), 0);
    int seen[16] = {0};
    for (uint32_t u = 0; u < a.nodes; u++) {
        for (uint32_t c = a.out_offset[u]; c < a.out_offset[u + 1]; c++) {
            uint32_t v = a.out_target[c];
            uint32_t back = a.out_offset[v] + disco_topology_in_port(&a, c);
            assert_int_equal(a.weight[c], a.weight[back]);
            assert_int_equal(a.weight[c], b.weight[c]);
            assert_true(a.weight[c] >= 1 && a.weight[c] <= 15);
            if (u < v)
                seen[a.weight[c]]++;
        }
    }
    for (int w = 1; w <= 15; w++)
        assert_int_equal(seen[w], 1);
    assert_int_equal(disco_topology_random_weights(&b, 6, &err), 0);
    assert_memory_not_equal(a.weight, b.weight, a.channels * sizeof *a.weight);
    disco_topology_release(&a);
    disco_topology_release(&b);
}

/* What every command takes for a scenario file: .dot or .gv in any case. */
static void test_scenario_path(void **state)
{
    (void)state;
    static const char *const yes[] = {"ring.dot", "x/RING.DOT", "a.Dot",
                                      "b.gv", "c.GV", ".dot"};
    static const char *const no[] = {"ring:8", "dot", "x.do", "x.dotx",
                                     "x.dot.txt", "xgv", "", "a.g"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_true(disco_is_scenario_path(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_false(disco_is_scenario_path(no[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_every_family_listed_generates),
        cmocka_unit_test(test_ring_and_uring),
        cmocka_unit_test(test_line_star_complete),
        cmocka_unit_test(test_in_port_width),
        cmocka_unit_test(test_grid_and_torus),
        cmocka_unit_test(test_hypercube_and_btree),
        cmocka_unit_test(test_petersen),
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_tree),
        cmocka_unit_test(test_tree_uniform),
        cmocka_unit_test(test_gnp),
        cmocka_unit_test(test_regular),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_long_spec),
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_out_of_memory_generate),
        cmocka_unit_test(test_out_of_memory_build),
        cmocka_unit_test(test_build_undirected),
        cmocka_unit_test(test_build_directed),
        cmocka_unit_test(test_build_refuses),
        cmocka_unit_test(test_build_isolated_node),
        cmocka_unit_test(test_connected_directed),
        cmocka_unit_test(test_connected_long_line),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_random_weights),
        cmocka_unit_test(test_scenario_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
