/*
 * topology.c - the network as compressed sparse rows, built from an edge
 * list or generated from a spec ("ring:8", "grid:4x4", "regular:1000:3").
 *
 * Networks go up to DISCO_MAX_NODES nodes and DISCO_MAX_CHANNELS channels,
 * so nothing here holds an edge list of structs for a generated graph: the
 * generators emit their edges twice, once to count degrees and once to fill
 * the rows in place, and random regular graphs are drawn straight into their
 * rows.  Peak memory stays close to the final arrays.
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "big_array.h"
#include "disco_sim.h"

const char *const disco_topology_families[] = {
    "uring", "ring", "line", "star", "complete", "grid", "torus",
    "hypercube", "btree", "tree", "gnp", "regular", "petersen",
};
const size_t disco_topology_family_count =
    sizeof disco_topology_families / sizeof disco_topology_families[0];

/* Large graphs are built by scattered writes into arrays far bigger than
 * the caches; asking for the line a few iterations ahead hides much of the
 * latency. */
#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch(p, 1)
#define PREFETCH_READ(p) __builtin_prefetch(p, 0)
#else
#define PREFETCH(p) ((void)0)
#define PREFETCH_READ(p) ((void)0)
#endif
#define PREFETCH_DISTANCE 16

/* ------------------------------------------------------------------------ */
/* Arrays.                                                                  */

static uint32_t *alloc_u32(size_t count, bool zero)
{
    return disco__big_alloc(count * sizeof(uint32_t), zero);
}

/* Free the arrays and reset the sizes, but keep `spec`: build() leaves the
 * spec to its caller, who may have written it before the call. */
static void free_arrays(struct disco_topology *t)
{
    free(t->out_offset);
    free(t->out_target);
    free(t->in_port);
    free(t->in_port_short);
    free(t->in_degree);
    free(t->weight);
    if (t->names) {
        for (uint32_t i = 0; i < t->nodes; i++)
            free(t->names[i]);
        free(t->names);
    }
    t->out_offset = t->out_target = t->in_port = t->in_degree = NULL;
    t->in_port_short = NULL;
    t->weight = NULL;
    t->names = NULL;
    t->nodes = t->channels = 0;
}

void disco_topology_release(struct disco_topology *topo)
{
    if (!topo)
        return;
    free_arrays(topo);
    memset(topo, 0, sizeof *topo);
}

/* out_target and in_degree, once out_offset is known (link_ports
 * allocates the in-ports, once it knows how wide they must be). */
static int alloc_channel_arrays(struct disco_topology *t)
{
    t->out_target = alloc_u32(t->channels, false);
    t->in_degree = alloc_u32(t->nodes, true);
    if (!t->out_target || !t->in_degree)
        return DISCO_ENOMEM;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Rows.                                                                    */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Rows are mostly short, or come out of the generators already sorted, so
 * insertion sort carries the common case; long unsorted rows (a DOT file's
 * hub) go to qsort. */
static void sort_u32(uint32_t *a, size_t n)
{
    if (n > 16) {
        size_t i = 1;
        while (i < n && a[i - 1] <= a[i])
            i++;
        if (i < n)
            qsort(a, n, sizeof *a, cmp_u32);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

static void sort_u64(uint64_t *a, size_t n)
{
    if (n > 16) {
        qsort(a, n, sizeof *a, cmp_u64);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t x = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > x; j--)
            a[j] = a[j - 1];
        a[j] = x;
    }
}

/* Number the in-ports with one pass over the senders in increasing order.
 * The k-th sender to reach v is v's k-th incoming channel in sender order,
 * which is the directed definition; on an undirected graph v's row lists
 * the same senders in the same order, so the k-th sender is v's out-port
 * k, the port leading back.  No search, and in_degree falls out. */
static int link_ports(struct disco_topology *t)
{
    uint32_t *count = t->in_degree;
    const uint32_t *target = t->out_target;
    /* 16-bit in-ports when every in-degree is at most 2^16: on an
     * undirected graph the in-degrees are the out-degrees; a directed one
     * counts them first.  Without self-loops or repeated edges no node has
     * more than nodes - 1 senders, so small graphs need not look. */
    uint32_t widest = 0;
    if (t->nodes <= (uint32_t)UINT16_MAX + 2u) {
        widest = t->nodes ? t->nodes - 1 : 0;
    } else if (t->directed) {
        memset(count, 0, (size_t)t->nodes * sizeof *count);
        for (uint32_t c = 0; c < t->channels; c++)
            count[target[c]]++;
        for (uint32_t v = 0; v < t->nodes; v++)
            if (count[v] > widest)
                widest = count[v];
    } else {
        for (uint32_t u = 0; u < t->nodes; u++)
            if (disco_topology_degree(t, u) > widest)
                widest = disco_topology_degree(t, u);
    }
    assert(!t->in_port && !t->in_port_short);
    if (widest <= (uint32_t)UINT16_MAX + 1u)
        t->in_port_short = disco__big_alloc(
            ((size_t)t->channels ? t->channels : 1) * sizeof(uint16_t),
            false);
    else
        t->in_port = alloc_u32(t->channels, false);
    if (!t->in_port && !t->in_port_short)
        return DISCO_ENOMEM;
    memset(count, 0, (size_t)t->nodes * sizeof *count);
    /* Rows lie in sender order, so one pass over the channels visits the
     * senders in order.  The counters are hit at random: fetch ahead. */
    for (uint32_t c = 0; c < t->channels; c++) {
        if (c + PREFETCH_DISTANCE < t->channels)
            PREFETCH(&count[target[c + PREFETCH_DISTANCE]]);
        uint32_t port = count[target[c]]++;
        if (t->in_port_short)
            t->in_port_short[c] = (uint16_t)port;
        else
            t->in_port[c] = port;
    }
    return 0;
}

/* Sort the rows (unless already sorted), refuse self-loops and repeated
 * edges. */
static int check_rows(struct disco_topology *t, bool sort,
                      struct disco_error *err)
{
    for (uint32_t u = 0; u < t->nodes; u++) {
        uint32_t start = t->out_offset[u], end = t->out_offset[u + 1];
        if (sort)
            sort_u32(t->out_target + start, end - start);
        for (uint32_t c = start; c < end; c++) {
            uint32_t v = t->out_target[c];
            if (v == u)
                return disco_fail(err, DISCO_EPARSE, "self-loop %" PRIu32
                                  "-%" PRIu32, u, v);
            if (c > start && t->out_target[c - 1] == v)
                return disco_fail(err, DISCO_EPARSE,
                                  "duplicate edge %" PRIu32 "%s%" PRIu32, u,
                                  t->directed ? "->" : "-", v);
        }
    }
    return 0;
}

/* check_rows, then number the in-ports: 0, a parse error (worded in
 * err), or DISCO_ENOMEM (not worded: the caller knows what it built). */
static int finish(struct disco_topology *t, bool sort, struct disco_error *err)
{
    int rc = check_rows(t, sort, err);
    if (rc < 0)
        return rc;
    /* Out of memory: DISCO_ENOMEM, for the caller to word. */
    return link_ports(t);
}

/* ------------------------------------------------------------------------ */
/* Building from an edge list.                                              */

int disco_topology_build(struct disco_topology *topo, uint32_t nodes,
                         bool directed, const struct disco_edge *edges,
                         size_t edge_count, bool weighted,
                         struct disco_error *err)
{
    /* The struct may hold garbage: set every field but the spec. */
    topo->out_offset = topo->out_target = topo->in_port = NULL;
    topo->in_port_short = NULL;
    topo->in_degree = NULL;
    topo->weight = NULL;
    topo->names = NULL;
    topo->nodes = topo->channels = 0;
    topo->directed = directed;
    topo->known_connected = false; /* an edge list is searched */

    if (nodes == 0)
        return disco_fail(err, DISCO_EINVAL,
                          "a topology needs at least one node");
    if (nodes > DISCO_MAX_NODES)
        return disco_fail(err, DISCO_ELIMIT,
                          "topology too large: %" PRIu32
                          " nodes (at most %u)", nodes, DISCO_MAX_NODES);
    size_t per_edge = directed ? 1 : 2;
    if (edge_count > DISCO_MAX_CHANNELS / per_edge)
        return disco_fail(err, DISCO_ELIMIT,
                          "topology too large: %zu edges make more than "
                          "%u channels", edge_count, DISCO_MAX_CHANNELS);
    for (size_t i = 0; i < edge_count; i++) {
        uint32_t a = edges[i].from, b = edges[i].to;
        if (a >= nodes || b >= nodes)
            return disco_fail(err, DISCO_EINVAL,
                              "edge %" PRIu32 "-%" PRIu32 " names node %"
                              PRIu32 " of a topology of %" PRIu32 " nodes",
                              a, b, a >= nodes ? a : b, nodes);
        if (a == b)
            return disco_fail(err, DISCO_EPARSE,
                              "self-loop %" PRIu32 "-%" PRIu32, a, b);
    }

    topo->nodes = nodes;
    topo->channels = (uint32_t)(edge_count * per_edge);
    uint64_t *keys = NULL;
    int rc = DISCO_ENOMEM;
    topo->out_offset = alloc_u32((size_t)nodes + 1, true);
    if (!topo->out_offset || alloc_channel_arrays(topo) < 0)
        goto fail;
    if (weighted) {
        /* Weights must follow their channel through the row sort: sort
         * (target, edge index) keys, then split them. */
        topo->weight = malloc((topo->channels ? topo->channels : 1) *
                              sizeof *topo->weight);
        keys = malloc((topo->channels ? topo->channels : 1) * sizeof *keys);
        if (!topo->weight || !keys)
            goto fail;
    }

    uint32_t *offset = topo->out_offset;
    for (size_t i = 0; i < edge_count; i++) {
        offset[edges[i].from + 1]++;
        if (!directed)
            offset[edges[i].to + 1]++;
    }
    for (uint32_t u = 0; u < nodes; u++)
        offset[u + 1] += offset[u];

    /* in_degree serves as the fill cursor until link_ports resets it. */
    uint32_t *cursor = topo->in_degree;
    memcpy(cursor, offset, (size_t)nodes * sizeof *cursor);
    for (size_t i = 0; i < edge_count; i++) {
        uint32_t a = edges[i].from, b = edges[i].to;
        if (weighted) {
            keys[cursor[a]++] = (uint64_t)b << 32 | i;
            if (!directed)
                keys[cursor[b]++] = (uint64_t)a << 32 | i;
        } else {
            topo->out_target[cursor[a]++] = b;
            if (!directed)
                topo->out_target[cursor[b]++] = a;
        }
    }
    if (weighted) {
        for (uint32_t u = 0; u < nodes; u++)
            sort_u64(keys + offset[u], offset[u + 1] - offset[u]);
        for (uint32_t c = 0; c < topo->channels; c++) {
            topo->out_target[c] = (uint32_t)(keys[c] >> 32);
            topo->weight[c] = edges[keys[c] & UINT32_MAX].weight;
        }
        free(keys);
        keys = NULL;
    }
    rc = finish(topo, !weighted, err);
    if (rc == DISCO_ENOMEM)
        goto fail;
    if (rc < 0)
        goto fail_quiet;
    return 0;

fail:
    disco_fail(err, rc, "out of memory building a topology of %" PRIu32
               " nodes and %" PRIu32 " channels", topo->nodes,
               topo->channels);
fail_quiet:
    free(keys);
    free_arrays(topo);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Queries.                                                                 */

uint32_t disco_topology_find(const struct disco_topology *topo, uint32_t u,
                             uint32_t v)
{
    if (u >= topo->nodes)
        return UINT32_MAX;
    uint32_t lo = topo->out_offset[u], hi = topo->out_offset[u + 1];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t x = topo->out_target[mid];
        if (x == v)
            return mid;
        if (x < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return UINT32_MAX;
}

/* A sweep of the level bitmap costs nodes/64 words: worth it once the
 * level has about that many nodes to pay for it. */
static inline bool sweep_level(uint32_t size, uint32_t nodes)
{
    return (uint64_t)size * 64 >= nodes;
}

/* Mark v visited and queue it, unless it already is.  Without a branch:
 * on a random graph whether a neighbour is new is a coin toss for much of
 * the search, which a branch mispredicts half the time.  The slot written
 * is the next free one, so the queue needs one slot beyond the nodes. */
static inline void visit(uint32_t v, uint64_t *seen, uint32_t *queue,
                         uint32_t *tail)
{
    uint64_t word = seen[v >> 6], bit = (uint64_t)1 << (v & 63);
    queue[*tail] = v;
    *tail += (word & bit) == 0;
    seen[v >> 6] = word | bit;
}

/* How many nodes node 0 reaches along the rows: breadth first, level by
 * level, with an explicit queue (recursion would overflow the stack on a
 * long line).  The visited set is a bitmap so that it stays in cache on
 * large graphs.
 *
 * A queue visits its nodes in no order the rows are stored in, and on a
 * large random graph every row read is then a cache and TLB miss.  So a
 * level holding a large share of the nodes is taken in node order instead,
 * read off a bitmap of the level: its rows then come in address order, as
 * a near-sequential sweep.  Small levels (all of them on a long line or
 * ring) go in queue order, with their rows fetched ahead, and never touch
 * the level bitmap, so that they cost in proportion to their size.  Only
 * the count comes out, so the order of the visits is free.  `queue` has
 * nodes + 1 entries (see visit), each bitmap (nodes + 63) / 64 words. */
static uint32_t reach(uint32_t nodes, const uint32_t *offset,
                      const uint32_t *target, uint32_t *queue, uint64_t *seen,
                      uint64_t *level_bits)
{
    size_t words = ((size_t)nodes + 63) / 64;
    memset(seen, 0, words * sizeof *seen);
    memset(level_bits, 0, words * sizeof *level_bits);
    uint32_t level_start = 0, tail = 0;
    queue[tail++] = 0;
    seen[0] |= 1;
    if (sweep_level(1, nodes))
        level_bits[0] |= 1;
    while (level_start < tail) {
        uint32_t level_end = tail;
        if (sweep_level(level_end - level_start, nodes)) {
            /* The level's bits were set when it was found; each word is
             * cleared as it is taken, leaving the bitmap clear. */
            for (size_t w = 0; w < words; w++) {
                uint64_t bits = level_bits[w];
                if (!bits)
                    continue;
                level_bits[w] = 0;
                for (; bits; bits &= bits - 1) {
                    uint32_t u = (uint32_t)(w * 64) +
                                 (uint32_t)__builtin_ctzll(bits);
                    for (uint32_t c = offset[u]; c < offset[u + 1]; c++)
                        visit(target[c], seen, queue, &tail);
                }
            }
        } else {
            for (uint32_t i = level_start; i < level_end; i++) {
                if (i + 2 * PREFETCH_DISTANCE < level_end)
                    PREFETCH_READ(&offset[queue[i + 2 * PREFETCH_DISTANCE]]);
                if (i + PREFETCH_DISTANCE < level_end)
                    PREFETCH_READ(
                        &target[offset[queue[i + PREFETCH_DISTANCE]]]);
                uint32_t u = queue[i];
                for (uint32_t c = offset[u]; c < offset[u + 1]; c++)
                    visit(target[c], seen, queue, &tail);
            }
        }
        if (sweep_level(tail - level_end, nodes))
            for (uint32_t i = level_end; i < tail; i++)
                level_bits[queue[i] >> 6] |= (uint64_t)1 << (queue[i] & 63);
        level_start = level_end;
    }
    return tail;
}

/* Connectivity with allocation failure told apart from "not connected", for
 * the generators that must redraw on the latter.  Directed graphs need
 * every node to reach node 0 as well: the reverse rows come straight from
 * in_port, which already numbers each node's incoming channels. */
static int check_connected(const struct disco_topology *t, bool *connected)
{
    *connected = true;
    if (t->nodes <= 1)
        return 0;
    size_t words = ((size_t)t->nodes + 63) / 64;
    uint32_t *queue = alloc_u32((size_t)t->nodes + 1, false);
    /* The visited set, then the level bitmap reach() sweeps. */
    uint64_t *seen = malloc(2 * words * sizeof *seen);
    uint32_t *rev_offset = NULL, *rev_source = NULL;
    int rc = DISCO_ENOMEM;
    if (!queue || !seen)
        goto out;
    if (reach(t->nodes, t->out_offset, t->out_target, queue, seen,
              seen + words) < t->nodes) {
        *connected = false;
        rc = 0;
        goto out;
    }
    if (t->directed) {
        rev_offset = alloc_u32((size_t)t->nodes + 1, false);
        rev_source = alloc_u32(t->channels, false);
        if (!rev_offset || !rev_source)
            goto out;
        rev_offset[0] = 0;
        for (uint32_t v = 0; v < t->nodes; v++)
            rev_offset[v + 1] = rev_offset[v] + t->in_degree[v];
        for (uint32_t u = 0; u < t->nodes; u++)
            for (uint32_t c = t->out_offset[u]; c < t->out_offset[u + 1];
                 c++)
                rev_source[rev_offset[t->out_target[c]] +
                           disco_topology_in_port(t, c)] = u;
        *connected = reach(t->nodes, rev_offset, rev_source, queue, seen,
                           seen + words) == t->nodes;
    }
    rc = 0;
out:
    free(queue);
    free(seen);
    free(rev_offset);
    free(rev_source);
    return rc;
}

bool disco_topology_connected(const struct disco_topology *topo)
{
    if (topo->known_connected)
        return true;
    /* The header promises a bool, so running out of memory for the queue
     * can only answer "not known to be connected". */
    bool connected;
    return check_connected(topo, &connected) == 0 && connected;
}

/* ------------------------------------------------------------------------ */
/* Spec parsing.                                                            */

enum family {
    F_URING, F_RING, F_LINE, F_STAR, F_COMPLETE, F_GRID, F_TORUS,
    F_HYPERCUBE, F_BTREE, F_TREE, F_GNP, F_REGULAR, F_PETERSEN,
};

/* The grammar of each family, in disco_topology_families order. */
static const char *const family_usage[] = {
    "uring:N", "ring:N", "line:N", "star:N", "complete:N", "grid:RxC",
    "torus:RxC", "hypercube:D", "btree:N", "tree:N", "gnp:N:P",
    "regular:N:D", "petersen",
};

struct args {
    uint64_t a, b; /* N, or R and C, or N and D */
    double p;
};

/* A positive decimal integer spanning exactly [s, s + len): no sign, no
 * space, nothing after.  0 when it is one, -1 when it is not, -2 when it
 * does not fit 64 bits. */
static int parse_count(const char *s, size_t len, uint64_t *out)
{
    if (len == 0)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned digit = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - digit) / 10)
            return -2;
        x = x * 10 + digit;
    }
    if (x == 0)
        return -1;
    *out = x;
    return 0;
}

static int parse_field(const char *spec, const char *name, const char *s,
                       size_t len, uint64_t *out, struct disco_error *err)
{
    int rc = parse_count(s, len, out);
    if (rc == -1)
        return disco_fail(err, DISCO_EINVAL,
                          "bad topology '%s': %s must be a positive integer",
                          spec, name);
    if (rc == -2)
        return disco_fail(err, DISCO_EINVAL,
                          "bad topology '%s': %s is out of range", spec,
                          name);
    return 0;
}

/* P of gnp: a plain decimal (exponent allowed) in (0, 1].  strtod alone
 * would also take "inf", "nan", hex and leading blanks. */
static int parse_probability(const char *spec, const char *s, size_t len,
                             double *out, struct disco_error *err)
{
    char buf[64];
    bool ok = len < sizeof buf && disco_is_plain_decimal(s, len);
    if (ok) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *end;
        double p = strtod(buf, &end);
        ok = *end == '\0' && p > 0 && p <= 1;
        *out = p;
    }
    if (!ok)
        return disco_fail(err, DISCO_EINVAL,
                          "bad topology '%s': P must be a probability in "
                          "(0, 1]", spec);
    return 0;
}

/* Split the parameters after "family:" and read them into `args`. */
static int parse_args(const char *spec, enum family f, const char *params,
                      struct args *args, struct disco_error *err)
{
    const char *usage = family_usage[f];
    if (f == F_PETERSEN) {
        if (params)
            return disco_fail(err, DISCO_EINVAL,
                              "bad topology '%s': petersen takes no "
                              "parameters", spec);
        return 0;
    }
    int want = f == F_GNP || f == F_REGULAR ? 2 : 1;
    const char *field[2];
    size_t len[2];
    int have = 0;
    if (params) {
        const char *s = params;
        for (;;) {
            const char *colon = strchr(s, ':');
            size_t n = colon ? (size_t)(colon - s) : strlen(s);
            if (have < 2) {
                field[have] = s;
                len[have] = n;
            }
            have++;
            if (!colon)
                break;
            s = colon + 1;
        }
    }
    if (have != want)
        return disco_fail(err, DISCO_EINVAL, "bad topology '%s': expected %s",
                          spec, usage);

    int rc;
    switch (f) {
    case F_GRID:
    case F_TORUS: {
        const char *x = memchr(field[0], 'x', len[0]);
        if (!x)
            return disco_fail(err, DISCO_EINVAL,
                              "bad topology '%s': expected %s", spec, usage);
        size_t rows = (size_t)(x - field[0]);
        if ((rc = parse_field(spec, "R", field[0], rows, &args->a, err)) ||
            (rc = parse_field(spec, "C", x + 1, len[0] - rows - 1, &args->b,
                              err)))
            return rc;
        return 0;
    }
    case F_GNP:
        if ((rc = parse_field(spec, "N", field[0], len[0], &args->a, err)) ||
            (rc = parse_probability(spec, field[1], len[1], &args->p, err)))
            return rc;
        return 0;
    case F_REGULAR:
        if ((rc = parse_field(spec, "N", field[0], len[0], &args->a, err)) ||
            (rc = parse_field(spec, "D", field[1], len[1], &args->b, err)))
            return rc;
        return 0;
    case F_HYPERCUBE:
        return parse_field(spec, "D", field[0], len[0], &args->a, err);
    default:
        return parse_field(spec, "N", field[0], len[0], &args->a, err);
    }
}

static int too_many_nodes(const char *spec, uint64_t nodes,
                          struct disco_error *err)
{
    return disco_fail(err, DISCO_ELIMIT,
                      "topology too large: %" PRIu64 " nodes in '%s' (at "
                      "most %u)", nodes, spec, DISCO_MAX_NODES);
}

static int too_many_channels(const char *spec, uint64_t channels,
                             struct disco_error *err)
{
    return disco_fail(err, DISCO_ELIMIT,
                      "topology too large: %" PRIu64 " channels in '%s' (at "
                      "most %u)", channels, spec, DISCO_MAX_CHANNELS);
}

/* Check the family's own rules, then the size limits, before anything is
 * allocated; fill in the node count and, where it is fixed, the channel
 * count. */
static int check_sizes(const char *spec, enum family f, struct args *a,
                       uint64_t *nodes, struct disco_error *err)
{
    uint64_t n = a->a, channels = 0;
    switch (f) {
    case F_URING:
        if (n < 2)
            return disco_fail(err, DISCO_EINVAL,
                              "bad topology '%s': a unidirectional ring "
                              "needs at least 2 nodes (one would be a "
                              "self-loop)", spec);
        channels = n;
        break;
    case F_RING:
        if (n < 3)
            return disco_fail(err, DISCO_EINVAL,
                              "bad topology '%s': a ring needs at least 3 "
                              "nodes (fewer would duplicate edges)", spec);
        channels = 2 * n;
        break;
    case F_LINE:
    case F_STAR:
    case F_BTREE:
    case F_TREE:
        channels = 2 * (n - 1);
        break;
    case F_COMPLETE:
        channels = n <= DISCO_MAX_NODES ? n * (n - 1) : 0;
        break;
    case F_GRID:
    case F_TORUS:
        if (f == F_TORUS && (a->a < 3 || a->b < 3))
            return disco_fail(err, DISCO_EINVAL,
                              "bad topology '%s': a torus needs R and C of "
                              "at least 3 (fewer would duplicate edges)",
                              spec);
        if (a->a > DISCO_MAX_NODES || a->b > DISCO_MAX_NODES)
            return disco_fail(err, DISCO_ELIMIT,
                              "topology too large: more than %u nodes in "
                              "'%s'", DISCO_MAX_NODES, spec);
        n = a->a * a->b;
        channels = f == F_TORUS ? 4 * n
                                : 2 * (a->a * (a->b - 1) + a->b * (a->a - 1));
        break;
    case F_HYPERCUBE:
        /* 27 is the largest dimension whose D * 2^D channels fit. */
        if (a->a > 27)
            return disco_fail(err, DISCO_ELIMIT,
                              "topology too large: '%s' has 2^%" PRIu64
                              " nodes of degree %" PRIu64 " (at most "
                              "hypercube:27)", spec, a->a, a->a);
        n = (uint64_t)1 << a->a;
        channels = a->a * n;
        break;
    case F_GNP:
        if (n <= DISCO_MAX_NODES) {
            /* Only the expectation is known before drawing; the exact count
             * is checked again after the counting pass. */
            double expected = a->p * (double)n * (double)(n - 1);
            if (expected > DISCO_MAX_CHANNELS)
                return disco_fail(err, DISCO_ELIMIT,
                                  "topology too large: about %.3g channels "
                                  "expected in '%s' (at most %u)", expected,
                                  spec, DISCO_MAX_CHANNELS);
        }
        break;
    case F_REGULAR: {
        uint64_t d = a->b;
        if (d >= n)
            return disco_fail(err, DISCO_EINVAL,
                              "bad topology '%s': D must be less than N",
                              spec);
        if ((n & 1) && (d & 1))
            return disco_fail(err, DISCO_EINVAL,
                              "bad topology '%s': N*D must be even (a "
                              "D-regular graph has N*D/2 edges)", spec);
        if (d == 1 && n != 2)
            return disco_fail(err, DISCO_EINVAL,
                              "bad topology '%s': a 1-regular graph is "
                              "connected only on 2 nodes", spec);
        channels = n <= DISCO_MAX_NODES ? n * d : 0;
        break;
    }
    case F_PETERSEN:
        n = 10;
        channels = 30;
        break;
    }
    if (n > DISCO_MAX_NODES)
        return too_many_nodes(spec, n, err);
    if (channels > DISCO_MAX_CHANNELS)
        return too_many_channels(spec, channels, err);
    *nodes = n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Generators that emit edges.                                              */

/* An emitter is run twice from the same random state: the counting pass
 * adds degrees into offset[u + 1], the filling pass writes each row through
 * a cursor.  Running twice costs time but no edge list. */
struct gen {
    bool fill;
    bool directed;
    uint32_t *offset;
    uint32_t *cursor;
    uint32_t *target;
    uint64_t channels;
    struct disco_rng rng;
};

static inline void emit(struct gen *g, uint32_t u, uint32_t v)
{
    if (!g->fill) {
        g->offset[u + 1]++;
        g->channels++;
        if (!g->directed) {
            g->offset[v + 1]++;
            g->channels++;
        }
    } else {
        g->target[g->cursor[u]++] = v;
        if (!g->directed)
            g->target[g->cursor[v]++] = u;
    }
}

typedef int emit_fn(struct gen *g, uint32_t nodes, const struct args *a);

static int emit_cycle(struct gen *g, uint32_t n, const struct args *a)
{
    for (uint32_t i = 0; i < n; i++)
        emit(g, i, i + 1 == n ? 0 : i + 1);
    return 0;
}

static int emit_line(struct gen *g, uint32_t n, const struct args *a)
{
    for (uint32_t i = 0; i + 1 < n; i++)
        emit(g, i, i + 1);
    return 0;
}

static int emit_star(struct gen *g, uint32_t n, const struct args *a)
{
    for (uint32_t i = 1; i < n; i++)
        emit(g, 0, i);
    return 0;
}

static int emit_complete(struct gen *g, uint32_t n, const struct args *a)
{
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t v = u + 1; v < n; v++)
            emit(g, u, v);
    return 0;
}

static int emit_grid(struct gen *g, uint32_t n, const struct args *a)
{
    uint32_t rows = (uint32_t)a->a, cols = (uint32_t)a->b;
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t c = 0; c < cols; c++) {
            uint32_t u = r * cols + c;
            if (c + 1 < cols)
                emit(g, u, u + 1);
            if (r + 1 < rows)
                emit(g, u, u + cols);
        }
    return 0;
}

static int emit_torus(struct gen *g, uint32_t n, const struct args *a)
{
    uint32_t rows = (uint32_t)a->a, cols = (uint32_t)a->b;
    for (uint32_t r = 0; r < rows; r++)
        for (uint32_t c = 0; c < cols; c++) {
            uint32_t u = r * cols + c;
            emit(g, u, r * cols + (c + 1 == cols ? 0 : c + 1));
            emit(g, u, (r + 1 == rows ? 0 : r + 1) * cols + c);
        }
    return 0;
}

static int emit_hypercube(struct gen *g, uint32_t n, const struct args *a)
{
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t bit = 1; bit < n; bit <<= 1)
            if (!(u & bit))
                emit(g, u, u | bit);
    return 0;
}

static int emit_btree(struct gen *g, uint32_t n, const struct args *a)
{
    for (uint32_t i = 1; i < n; i++)
        emit(g, (i - 1) / 2, i);
    return 0;
}

static int emit_petersen(struct gen *g, uint32_t n, const struct args *a)
{
    for (uint32_t i = 0; i < 5; i++) {
        emit(g, i, (i + 1) % 5);         /* outer pentagon */
        emit(g, i, i + 5);               /* spokes */
        emit(g, i + 5, (i + 2) % 5 + 5); /* inner pentagram */
    }
    return 0;
}

/* A uniformly random labelled tree: a uniform Prüfer sequence decoded in
 * linear time (the pointer-and-leaf method), as there are exactly N^(N-2)
 * sequences and as many labelled trees. */
static int emit_tree(struct gen *g, uint32_t n, const struct args *a)
{
    if (n == 2)
        emit(g, 0, 1);
    if (n <= 2)
        return 0;
    uint32_t *code = alloc_u32(n - 2, false);
    uint32_t *degree = alloc_u32(n, false);
    if (!code || !degree) {
        free(code);
        free(degree);
        return DISCO_ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++)
        degree[i] = 1;
    for (uint32_t i = 0; i < n - 2; i++) {
        code[i] = (uint32_t)disco_rng_below(&g->rng, n);
        degree[code[i]]++;
    }
    uint32_t ptr = 0;
    while (degree[ptr] != 1)
        ptr++;
    uint32_t leaf = ptr;
    for (uint32_t i = 0; i < n - 2; i++) {
        uint32_t v = code[i];
        emit(g, leaf, v);
        if (--degree[v] == 1 && v < ptr) {
            leaf = v;
        } else {
            ptr++;
            while (degree[ptr] != 1)
                ptr++;
            leaf = ptr;
        }
    }
    emit(g, leaf, n - 1);
    free(code);
    free(degree);
    return 0;
}

/* G(N, P) by geometric skipping over the pairs u < v in row-major order, so
 * that a draw costs O(N + edges) rather than O(N^2). */
static int emit_gnp(struct gen *g, uint32_t n, const struct args *a)
{
    if (n < 2)
        return 0;
    if (a->p >= 1.0)
        return emit_complete(g, n, a);
    double log_q = log1p(-a->p);
    double pairs = (double)n * (double)(n - 1) / 2;
    uint64_t u = 0, v = 0; /* v = u: just before the pair (u, u + 1) */
    for (;;) {
        double r = 1.0 - disco_rng_unit(&g->rng); /* in (0, 1] */
        double skip = floor(log(r) / log_q);
        if (skip >= pairs)
            return 0;
        v += (uint64_t)skip + 1;
        while (v >= n) {
            u++;
            if (u + 1 >= n)
                return 0;
            v = v - n + u + 1;
        }
        emit(g, (uint32_t)u, (uint32_t)v);
    }
}

static int oom(const char *spec, uint64_t nodes, uint64_t channels,
               struct disco_error *err)
{
    return disco_fail(err, DISCO_ENOMEM,
                      "out of memory for topology '%s' (%" PRIu64
                      " nodes, %" PRIu64 " channels)", spec, nodes, channels);
}

/* Count, allocate, fill, finish.  `rng` is left where the filling pass
 * stopped, so a redraw continues the stream instead of repeating it. */
static int run_emitter(struct disco_topology *t, const char *spec,
                       uint32_t nodes, bool directed, emit_fn *fn,
                       const struct args *a, struct disco_rng *rng,
                       struct disco_error *err)
{
    t->nodes = nodes;
    t->directed = directed;
    t->out_offset = alloc_u32((size_t)nodes + 1, true);
    if (!t->out_offset)
        goto nomem;
    struct gen g = {.directed = directed, .offset = t->out_offset,
                    .rng = *rng};
    if (fn(&g, nodes, a) < 0)
        goto nomem;
    if (g.channels > DISCO_MAX_CHANNELS) {
        free_arrays(t);
        return too_many_channels(spec, g.channels, err);
    }
    for (uint32_t u = 0; u < nodes; u++)
        t->out_offset[u + 1] += t->out_offset[u];
    t->channels = (uint32_t)g.channels;
    if (alloc_channel_arrays(t) < 0)
        goto nomem;
    memcpy(t->in_degree, t->out_offset, (size_t)nodes * sizeof(uint32_t));
    g.fill = true;
    g.cursor = t->in_degree;
    g.target = t->out_target;
    g.rng = *rng;
    if (fn(&g, nodes, a) < 0)
        goto nomem;
    *rng = g.rng;
    int rc = finish(t, true, err);
    if (rc == DISCO_ENOMEM)
        goto nomem;
    if (rc < 0)
        free_arrays(t);
    return rc;

nomem:
    oom(spec, nodes, t->channels, err);
    free_arrays(t);
    return DISCO_ENOMEM;
}

/* Connectivity of G(N, P) is all but certain above P = ln(N)/N and all but
 * impossible well below.  Give up at once when the expected number of
 * isolated nodes, N(1-P)^(N-1), makes a connected draw hopeless (above 10:
 * a chance under e^-10 per draw), else after a bounded number of draws. */
#define GNP_DRAWS 200
#define GNP_HOPELESS 10.0

/* A P that leaves about 0.1 isolated nodes expected, rounded up to two
 * significant digits, to suggest. */
static double gnp_suggestion(uint32_t n)
{
    double p = -expm1(log(0.1 / n) / (n - 1)); /* 1 - (0.1/N)^(1/(N-1)) */
    double scale = pow(10, floor(log10(p)) - 1);
    p = ceil(p / scale) * scale;
    return p < 1 ? p : 1;
}

static int generate_gnp(struct disco_topology *t, const char *spec,
                        uint32_t n, const struct args *a,
                        struct disco_rng *rng, struct disco_error *err)
{
    if (n > 1) {
        double isolated = n * pow(1 - a->p, n - 1);
        if (isolated > GNP_HOPELESS)
            return disco_fail(err, DISCO_EINVAL,
                              "bad topology '%s': almost never connected "
                              "(%.0f isolated nodes expected); try a larger "
                              "P, such as gnp:%" PRIu32 ":%g", spec, isolated,
                              n, gnp_suggestion(n));
    }
    for (int draw = 0; draw < GNP_DRAWS; draw++) {
        int rc = run_emitter(t, spec, n, false, emit_gnp, a, rng, err);
        if (rc < 0)
            return rc;
        bool connected;
        if (check_connected(t, &connected) < 0) {
            oom(spec, n, t->channels, err);
            free_arrays(t);
            return DISCO_ENOMEM;
        }
        if (connected)
            return 0;
        free_arrays(t);
    }
    return disco_fail(err, DISCO_EINVAL,
                      "bad topology '%s': no connected graph in %d draws; "
                      "try a larger P, such as gnp:%" PRIu32 ":%g", spec,
                      GNP_DRAWS, n, gnp_suggestion(n));
}

/* ------------------------------------------------------------------------ */
/* Random regular graphs.                                                   */

/* The permutation model: the union of k/2 random Hamiltonian cycles and,
 * for odd k, a random perfect matching gives every node degree k exactly,
 * in O(N k) time, written straight into fixed-width rows (node u owns
 * rows[u k .. u k + k - 1]).  The union may repeat an edge (a constant
 * number of times on average for fixed k), and remove_repeats fixes those
 * with degree-preserving switches.
 *
 * The switches never remove an edge of the first cycle, which is kept as a
 * successor array: the graph then contains a Hamiltonian cycle and is
 * connected by construction, with no search (a search would cost more than
 * the drawing on 10^7 nodes). */

/* A uniformly random permutation (Fisher-Yates), or with `cyclic` a
 * uniformly random cyclic one (Sattolo's variant: j < i), whose successor
 * array perm[u] walks a uniformly random Hamiltonian cycle.  The swap
 * partners are drawn a few steps ahead, in the same order, so that their
 * cache lines can be fetched early: the numbers are those of the plain
 * loop. */
static void permute(uint32_t *perm, uint32_t n, bool cyclic,
                    struct disco_rng *rng)
{
    enum { AHEAD = 32 };
    uint32_t pending[AHEAD];
    for (uint32_t i = 0; i < n; i++)
        perm[i] = i;
    for (uint32_t t = 0; t < AHEAD && t + 1 < n; t++) {
        uint32_t i = n - 1 - t;
        pending[t] = (uint32_t)disco_rng_below(rng, cyclic ? i : i + 1);
        PREFETCH(&perm[pending[t]]);
    }
    for (uint32_t i = n - 1, t = 0; i > 0; i--, t = (t + 1) % AHEAD) {
        uint32_t j = pending[t];
        if (i > AHEAD) {
            uint32_t later = i - AHEAD;
            pending[t] = (uint32_t)disco_rng_below(rng, cyclic ? later
                                                               : later + 1);
            PREFETCH(&perm[pending[t]]);
        }
        uint32_t x = perm[i];
        perm[i] = perm[j];
        perm[j] = x;
    }
}

/* Write cycle (a successor array) into slots `slot` (successor) and
 * `slot + 1` (predecessor) of every row.  The predecessors are first
 * gathered in `pred` (n entries, hit at random but 1/k the size of the
 * rows), so that the rows are written in order. */
static void scatter_cycle(uint32_t *rows, uint32_t n, uint32_t k,
                          uint32_t slot, const uint32_t *cycle, uint32_t *pred)
{
    for (uint32_t a = 0; a < n; a++) {
        if (a + PREFETCH_DISTANCE < n)
            PREFETCH(&pred[cycle[a + PREFETCH_DISTANCE]]);
        pred[cycle[a]] = a;
    }
    for (uint32_t a = 0; a < n; a++) {
        rows[(size_t)a * k + slot] = cycle[a];
        rows[(size_t)a * k + slot + 1] = pred[a];
    }
}

/* Ten million rows of eight want a faster sort than insertion (whose
 * branches a random row mispredicts): Batcher's odd-even merge network for
 * the row length, computed once, applied with branch-free exchanges. */
#define NETWORK_MAX_ROW 16

struct network {
    unsigned count;
    unsigned char lo[64], hi[64]; /* 63 exchanges sort 16 entries */
};

static void network_init(struct network *net, uint32_t n)
{
    net->count = 0;
    for (uint32_t p = 1; p < n; p += p)
        for (uint32_t k = p; k >= 1; k /= 2)
            for (uint32_t j = k % p; j + k < n; j += 2 * k)
                for (uint32_t i = 0; i < k && i + j + k < n; i++)
                    if ((i + j) / (2 * p) == (i + j + k) / (2 * p)) {
                        net->lo[net->count] = (unsigned char)(i + j);
                        net->hi[net->count++] = (unsigned char)(i + j + k);
                    }
}

static void network_sort(const struct network *net, uint32_t *a)
{
    for (unsigned c = 0; c < net->count; c++) {
        uint32_t x = a[net->lo[c]], y = a[net->hi[c]];
        a[net->lo[c]] = x < y ? x : y;
        a[net->hi[c]] = x < y ? y : x;
    }
}

/* The same network for rows of eight (the degree of the benchmarks' random
 * graphs and of many exercises'), with its 19 exchanges written out so
 * that the row stays in registers: about a quarter of the instructions of
 * network_sort, which loads each pair's places from its table.  Listed as
 * network_init(8) makes them. */
static void network_sort8(uint32_t *row)
{
    uint32_t a[8];
    memcpy(a, row, sizeof a);
#define EXCHANGE(i, j)                                                       \
    do {                                                                     \
        uint32_t x_ = a[i], y_ = a[j];                                       \
        a[i] = x_ < y_ ? x_ : y_;                                            \
        a[j] = x_ < y_ ? y_ : x_;                                            \
    } while (0)
    EXCHANGE(0, 1); EXCHANGE(2, 3); EXCHANGE(4, 5); EXCHANGE(6, 7);
    EXCHANGE(0, 2); EXCHANGE(1, 3); EXCHANGE(4, 6); EXCHANGE(5, 7);
    EXCHANGE(1, 2); EXCHANGE(5, 6);
    EXCHANGE(0, 4); EXCHANGE(1, 5); EXCHANGE(2, 6); EXCHANGE(3, 7);
    EXCHANGE(2, 4); EXCHANGE(3, 5);
    EXCHANGE(1, 2); EXCHANGE(3, 4); EXCHANGE(5, 6);
#undef EXCHANGE
    memcpy(row, a, sizeof a);
}

/* Position of some x in a sorted row, or k when absent. */
static uint32_t row_search(const uint32_t *row, uint32_t k, uint32_t x)
{
    uint32_t lo = 0, hi = k;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (row[mid] == x)
            return mid;
        if (row[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return k;
}

/* The first position in a sorted row holding x or more. */
static uint32_t row_lower_bound(const uint32_t *row, uint32_t k, uint32_t x)
{
    uint32_t lo = 0, hi = k;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (row[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Replace one `old` by an absent `new` in a sorted row and keep it sorted,
 * moving the entries between with memmove: rows of dense graphs run to
 * thousands of entries. */
static void row_replace(uint32_t *row, uint32_t k, uint32_t old, uint32_t new)
{
    uint32_t i = row_search(row, k, old);
    uint32_t j = row_lower_bound(row, k, new);
    if (new > old) {
        memmove(row + i, row + i + 1, (size_t)(j - 1 - i) * sizeof *row);
        row[j - 1] = new;
    } else {
        memmove(row + j + 1, row + j, (size_t)(i - j) * sizeof *row);
        row[j] = new;
    }
}

/* Remove every repeated edge by switches: for a repeated u-v and a random
 * edge x-y with four distinct ends, not on the first cycle, with u-x and v-y
 * absent, replace one copy of u-v and x-y by u-x and v-y.  Degrees stay k
 * and no switch creates a repeat, so one scan of the sorted rows suffices.
 * False when the switches run out of budget (a redraw follows). */
static bool remove_repeats(uint32_t *rows, uint32_t n, uint32_t k,
                           const uint32_t *first, struct disco_rng *rng)
{
    uint64_t slots = (uint64_t)n * k;
    uint64_t budget = 1u << 20;
    for (uint32_t u = 0; u < n; u++) {
        uint32_t *ru = rows + (size_t)u * k;
        uint32_t p = 1;
        while (p < k) {
            uint32_t v = ru[p];
            if (v != ru[p - 1]) {
                p++;
                continue;
            }
            uint32_t *rv = rows + (size_t)v * k;
            for (;;) {
                if (budget-- == 0)
                    return false;
                uint64_t c = disco_rng_below(rng, slots);
                uint32_t x = (uint32_t)(c / k), y = rows[c];
                if (x == u || x == v || y == u || y == v)
                    continue;
                if (first[x] == y || first[y] == x)
                    continue;
                if (row_search(ru, k, x) < k || row_search(rv, k, y) < k)
                    continue;
                row_replace(ru, k, v, x);
                row_replace(rv, k, u, y);
                row_replace(rows + (size_t)x * k, k, y, u);
                row_replace(rows + (size_t)y * k, k, x, v);
                /* A fixed budget per repeat would fail on dense graphs,
                 * where most attempts are refused; a success earns its
                 * attempts back. */
                budget += 64;
                break;
            }
            /* Row u changed, but its entries below v are still distinct
             * (x was absent): resume at v. */
            p = row_lower_bound(ru, k, v) + 1;
        }
    }
    return true;
}

/* Draw a simple k-regular graph into sorted rows.  For k >= 2 it contains
 * the Hamiltonian cycle left in `first`; `scratch` holds the other cycles
 * and the matching, `pred` each cycle's predecessors.  All have n
 * entries. */
static bool draw_regular(uint32_t *rows, uint32_t n, uint32_t k,
                         uint32_t *first, uint32_t *scratch, uint32_t *pred,
                         struct disco_rng *rng)
{
    for (uint32_t j = 0; j < k / 2; j++) {
        uint32_t *cycle = j == 0 ? first : scratch;
        permute(cycle, n, true, rng);
        scatter_cycle(rows, n, k, 2 * j, cycle, pred);
    }
    if (k & 1) {
        permute(scratch, n, false, rng);
        for (uint32_t i = 0; i < n; i += 2) {
            uint32_t a = scratch[i], b = scratch[i + 1];
            rows[(size_t)a * k + k - 1] = b;
            rows[(size_t)b * k + k - 1] = a;
        }
    }
    if (k == 8) {
        for (uint32_t u = 0; u < n; u++)
            network_sort8(rows + (size_t)u * k);
    } else if (k <= NETWORK_MAX_ROW) {
        struct network net;
        network_init(&net, k);
        for (uint32_t u = 0; u < n; u++)
            network_sort(&net, rows + (size_t)u * k);
    } else {
        for (uint32_t u = 0; u < n; u++)
            sort_u32(rows + (size_t)u * k, k);
    }
    /* A single matching (k = 1) never repeats an edge. */
    return k < 2 || remove_repeats(rows, n, k, first, rng);
}

/* Row u of the complement of a sorted k-regular graph. */
static void complement(const uint32_t *rows, uint32_t k, uint32_t n,
                       uint32_t *out, uint32_t d)
{
    for (uint32_t u = 0; u < n; u++) {
        const uint32_t *row = rows + (size_t)u * k;
        uint32_t *dst = out + (size_t)u * d;
        uint32_t j = 0;
        for (uint32_t v = 0; v < n; v++) {
            if (v == u)
                continue;
            if (j < k && row[j] == v) {
                j++;
                continue;
            }
            *dst++ = v;
        }
    }
}

#define REGULAR_DRAWS 100

/* A dense D (above (N-1)/2) is drawn as the complement of a sparse
 * (N-1-D)-regular graph: the permutation model repeats too many edges when
 * D nears N, and a complement of degree at least N/2 is always connected
 * (two non-adjacent nodes share a neighbour).  A sparse D >= 2 keeps its
 * first cycle, and D = 1 is allowed only on 2 nodes, so every outcome is
 * connected without a search. */
static int generate_regular(struct disco_topology *t, const char *spec,
                            uint32_t n, uint32_t d, struct disco_rng *rng,
                            struct disco_error *err)
{
    uint32_t k = d > (n - 1) / 2 ? n - 1 - d : d;
    bool dense = k != d;
    t->nodes = n;
    t->channels = n * d;
    t->directed = false;
    uint32_t *first = NULL, *scratch = NULL, *pred = NULL, *rows = NULL;
    t->out_offset = alloc_u32((size_t)n + 1, false);
    if (!t->out_offset || alloc_channel_arrays(t) < 0)
        goto nomem;
    for (uint32_t u = 0; u <= n; u++)
        t->out_offset[u] = u * d;
    if (k > 0) {
        rows = dense ? alloc_u32((size_t)n * k, false) : t->out_target;
        first = alloc_u32(n, false);
        scratch = alloc_u32(n, false);
        pred = alloc_u32(n, false);
        if (!rows || !first || !scratch || !pred)
            goto nomem;
    }

    int draw = 0;
    while (k > 0 && !draw_regular(rows, n, k, first, scratch, pred, rng))
        if (++draw == REGULAR_DRAWS)
            break;
    if (dense && draw < REGULAR_DRAWS)
        complement(rows, k, n, t->out_target, d);
    free(first);
    free(scratch);
    free(pred);
    if (dense)
        free(rows);
    first = scratch = pred = rows = NULL; /* freed: not again at nomem */
    if (draw == REGULAR_DRAWS) {
        free_arrays(t);
        return disco_fail(err, DISCO_EINVAL,
                          "bad topology '%s': no simple graph in %d draws",
                          spec, REGULAR_DRAWS);
    }
    /* The rows are sorted and simple by construction (a cycle or a
     * matching has no self-loop, and remove_repeats leaves no repeat), so
     * finish()'s scan for bad edges, a pass over every channel, is left to
     * debug builds. */
    assert(check_rows(t, false, NULL) == 0);
    if (link_ports(t) != 0)
        goto nomem;
#ifndef NDEBUG
    bool connected;
    assert(check_connected(t, &connected) < 0 || connected);
#endif
    return 0;

nomem:
    free(first);
    free(scratch);
    free(pred);
    if (dense)
        free(rows);
    oom(spec, n, (uint64_t)n * d, err);
    free_arrays(t);
    return DISCO_ENOMEM;
}

/* ------------------------------------------------------------------------ */
/* The front door.                                                          */

static bool ends_in(const char *path, size_t len, const char *ext)
{
    size_t n = strlen(ext);
    if (len < n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = path[len - n + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return false;
    }
    return true;
}

const char *const disco_scenario_extensions[DISCO_SCENARIO_EXTENSIONS] = {
    ".dot", ".gv"};

bool disco_is_scenario_path(const char *path)
{
    size_t len = strlen(path);
    for (size_t i = 0; i < DISCO_SCENARIO_EXTENSIONS; i++)
        if (ends_in(path, len, disco_scenario_extensions[i]))
            return true;
    return false;
}

static int unknown_family(const char *spec, const char *name,
                          const char *params, struct disco_error *err)
{
    /* "ring8", "grid3x3": a family with its colon forgotten (all but
     * petersen, the last, take parameters). */
    for (size_t f = 0; f < F_PETERSEN; f++) {
        const char *family = disco_topology_families[f];
        size_t len = strlen(family);
        if (strncmp(name, family, len) == 0 && name[len] >= '0' &&
            name[len] <= '9')
            return disco_fail(err, DISCO_EUNKNOWN,
                              "unknown topology '%s' (did you mean "
                              "'%s:%s%s%s'?)", spec, family, name + len,
                              params ? ":" : "", params ? params : "");
    }
    const char *best = disco_suggest(name, disco_topology_families,
                                     disco_topology_family_count);
    if (best)
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown topology '%s' (did you mean '%s%s%s'?)",
                          spec, best, params ? ":" : "",
                          params ? params : "");
    char list[256] = "";
    for (size_t i = 0; i < disco_topology_family_count; i++) {
        strcat(list, disco_topology_families[i]);
        strcat(list, ", ");
    }
    return disco_fail(err, DISCO_EUNKNOWN,
                      "unknown topology '%s' (known: %sor a .dot file)", spec,
                      list);
}

int disco_topology_generate(struct disco_topology *topo, const char *spec,
                            uint64_t seed, struct disco_error *err)
{
    memset(topo, 0, sizeof *topo);
    if (!spec)
        return disco_fail(err, DISCO_EINVAL, "no topology given");
    size_t len = strlen(spec);
    if (disco_is_scenario_path(spec))
        return disco_fail(err, DISCO_EINVAL,
                          "topology '%s' is a DOT file; load it as a "
                          "scenario", spec);
    if (len >= sizeof topo->spec)
        return disco_fail(err, DISCO_EINVAL,
                          "topology '%.40s...' is too long (at most %zu "
                          "characters)", spec, sizeof topo->spec - 1);

    char name[sizeof topo->spec];
    const char *colon = strchr(spec, ':');
    size_t name_len = colon ? (size_t)(colon - spec) : len;
    memcpy(name, spec, name_len);
    name[name_len] = '\0';
    const char *params = colon ? colon + 1 : NULL;
    size_t f = 0;
    while (f < disco_topology_family_count &&
           strcmp(name, disco_topology_families[f]) != 0)
        f++;
    if (f == disco_topology_family_count)
        return unknown_family(spec, name, params, err);

    struct args args = {0};
    uint64_t nodes = 0;
    int rc = parse_args(spec, (enum family)f, params, &args, err);
    if (rc < 0)
        return rc;
    if ((rc = check_sizes(spec, (enum family)f, &args, &nodes, err)) < 0)
        return rc;

    struct disco_rng rng;
    disco_rng_init(&rng, seed, DISCO_STREAM_TOPOLOGY);
    uint32_t n = (uint32_t)nodes;
    static emit_fn *const emitters[] = {
        [F_URING] = emit_cycle, [F_RING] = emit_cycle,
        [F_LINE] = emit_line, [F_STAR] = emit_star,
        [F_COMPLETE] = emit_complete, [F_GRID] = emit_grid,
        [F_TORUS] = emit_torus, [F_HYPERCUBE] = emit_hypercube,
        [F_BTREE] = emit_btree, [F_TREE] = emit_tree,
        [F_PETERSEN] = emit_petersen,
    };
    switch ((enum family)f) {
    case F_GNP:
        rc = generate_gnp(topo, spec, n, &args, &rng, err);
        break;
    case F_REGULAR:
        rc = generate_regular(topo, spec, n, (uint32_t)args.b, &rng, err);
        break;
    default:
        rc = run_emitter(topo, spec, n, f == F_URING, emitters[f], &args,
                         &rng, err);
        break;
    }
    if (rc < 0)
        return rc;
    memcpy(topo->spec, spec, len + 1);
    /* Every family is connected by construction: the regular graphs keep
     * a Hamiltonian cycle (or are complements of degree N/2 or more), gnp
     * redraws until connected, and the rest are connected shapes.  Tests
     * check it with the search; runs need not repeat it (0.6 s at 10^7
     * nodes). */
    topo->known_connected = true;
    return 0;
}

int disco_topology_random_weights(struct disco_topology *topo, uint64_t seed,
                                  struct disco_error *err)
{
    uint32_t channels = topo->channels;
    uint64_t edges = topo->directed ? channels : channels / 2;
    int64_t *weight = malloc((size_t)(channels ? channels : 1) * sizeof *weight);
    uint32_t *order = malloc((size_t)(edges ? edges : 1) * sizeof *order);
    if (!weight || !order) {
        free(weight);
        free(order);
        return disco_fail(err, DISCO_ENOMEM,
                          "out of memory for %u channel weights", channels);
    }
    /* A random permutation of 1..E (Fisher-Yates), dealt to the edges in
     * channel order: distinct weights, reproducible from the seed. */
    struct disco_rng rng;
    disco_rng_init(&rng, seed, DISCO_STREAM_WEIGHTS);
    for (uint64_t i = 0; i < edges; i++)
        order[i] = (uint32_t)(i + 1);
    for (uint64_t i = edges; i > 1; i--) {
        uint64_t j = disco_rng_below(&rng, i);
        uint32_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    uint64_t next = 0;
    for (uint32_t u = 0; u < topo->nodes; u++) {
        for (uint32_t c = topo->out_offset[u]; c < topo->out_offset[u + 1];
             c++) {
            uint32_t v = topo->out_target[c];
            if (topo->directed || u < v) {
                weight[c] = order[next++];
                if (!topo->directed)
                    weight[topo->out_offset[v] +
                           disco_topology_in_port(topo, c)] = weight[c];
            }
        }
    }
    free(order);
    free(topo->weight);
    topo->weight = weight;
    return 0;
}
