/*
 * bench_queue.c - the hold model on the event queue.
 *
 * Prefill N events, run holds until the steady state: at least 4N, and
 * on until the clock has moved twice the longest increment past its start,
 * so that every event of the prefill has been popped and pushed again and
 * the far buckets have grown to their working size (before that they are
 * still growing into fresh pages, and a page fault costs some 2 us on this
 * machine).  The bimodal law needs this: its long increments (up to 10^6
 * ticks) come due only after millions of holds at 10^5 pending and more,
 * and 4N holds alone timed the way there, its first far events arriving
 * and its buckets growing, 33 -> 44 -> 48 ns over three blocks where the
 * steady state holds at 27-34 ns.  Then time three blocks of M =
 * max(10^6, 2N) holds each, one hold being a pop followed by a push of
 * the popped event at its time plus a fresh increment.  The table gives
 * the median block by the wall clock, the best block, and the median by
 * the thread's CPU clock, which other processes on a shared machine
 * disturb less (it still counts page faults, a real cost); then the
 * process's peak RSS so far, so the row that raised it shows its
 * footprint; last, the holds run before the timed blocks.  Figures only:
 * nothing here passes or fails.
 *
 * Increments come from a table of 2^20 precomputed draws read in order, so
 * the timed loop pays one sequential load per hold instead of a logarithm;
 * 2^20 is far longer than any pattern the queue could pick up on.
 *
 * The queue keeps 40-byte event cores, as in a run that nothing observes;
 * `bench_queue whole` measures whole 56-byte events, as with a trace.
 *
 *   bench_queue [whole]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "disco_sim.h"
#include "queue.h"

#define TABLE_BITS 20
#define TABLE_SIZE (1u << TABLE_BITS)

enum law { LAW_EXP, LAW_BIMODAL };

static const char *const law_names[] = {"exp", "bimodal"};

/* -ln(u) for u in (0, 1], without libm: u = m 2^e with m in [1, 2), and
 * ln m = 2 atanh(s) with s = (m - 1) / (m + 1) < 1/3, a series that reaches
 * double precision in a score of terms. */
static double neg_log(double u)
{
    uint64_t bits;
    memcpy(&bits, &u, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m;
    memcpy(&m, &bits, sizeof m);
    double s = (m - 1) / (m + 1), s2 = s * s, term = s, sum = 0;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return -(e * 0.69314718055994530942 + 2 * sum);
}

/* ceil(Exp(mean)) from a uniform u in [0, 1). */
static uint64_t exp_ticks(double u, double mean)
{
    double x = mean * neg_log(1.0 - u);
    uint64_t k = (uint64_t)x;
    return (double)k < x ? k + 1 : k;
}

/* Fills the table; returns its longest increment. */
static uint32_t fill_table(uint32_t *table, enum law law, uint64_t seed)
{
    uint32_t longest = 0;
    struct disco_rng rng;
    disco_rng_init(&rng, seed, (uint64_t)law);
    for (size_t i = 0; i < TABLE_SIZE; i++) {
        if (law == LAW_EXP)
            table[i] = (uint32_t)exp_ticks(disco_rng_unit(&rng), 100.0);
        else if (disco_rng_below(&rng, 10) < 9)
            table[i] = (uint32_t)disco_rng_below(&rng, 11);
        else
            table[i] = (uint32_t)(100000 + disco_rng_below(&rng, 900001));
        longest = table[i] > longest ? table[i] : longest;
    }
    return longest;
}

static double clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The popped events' serials, folded in so the holds cannot be elided. */
static uint64_t checksum;

static int holds(struct disco__queue *q, const uint32_t *table, size_t *pos,
                 size_t count)
{
    size_t p = *pos;
    struct disco__event ev;
    for (size_t k = 0; k < count; k++) {
        if (!disco__queue_pop(q, &ev))
            return -1;
        checksum += ev.target;
        ev.time += table[p];
        p = (p + 1) & (TABLE_SIZE - 1);
        if (disco__queue_push(q, &ev) != 0)
            return -1;
    }
    *pos = p;
    return 0;
}

#define BLOCKS 3
#define WARMUP 4

struct result {
    double wall, best, cpu; /* ns per hold; negative when a push failed */
    size_t warmup;          /* holds before the timed blocks */
};

static double median3(const double *x)
{
    double a = x[0], b = x[1], c = x[2];
    if (a > b) {
        double t = a;
        a = b;
        b = t;
    }
    return c < a ? a : c > b ? b : c;
}

static struct result run(size_t pending, const uint32_t *table,
                         uint32_t longest, bool whole)
{
    struct result r = {-1, -1, -1, 0};
    struct disco__queue q;
    if (whole)
        disco__queue_init(&q);
    else
        disco__queue_init_compact(&q);
    size_t pos = 0;
    struct disco__event ev;
    memset(&ev, 0, sizeof ev);
    for (size_t k = 0; k < pending; k++) {
        ev.time = table[pos];
        ev.target = (uint32_t)k;
        pos = (pos + 1) & (TABLE_SIZE - 1);
        if (disco__queue_push(&q, &ev) != 0)
            goto out;
    }
    r.warmup = WARMUP * pending;
    if (holds(&q, table, &pos, r.warmup) != 0)
        goto out;
    /* On to the steady state (above), a million holds at a time; the
     * prefill's clock started at 0. */
    while (q.last < 2 * (disco_time_t)longest) {
        if (holds(&q, table, &pos, 1000000) != 0)
            goto out;
        r.warmup += 1000000;
    }
    size_t timed = pending * 2 > 1000000 ? pending * 2 : 1000000;
    double wall[BLOCKS], cpu[BLOCKS];
    for (int b = 0; b < BLOCKS; b++) {
        double w0 = clock_ns(CLOCK_MONOTONIC);
        double c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        if (holds(&q, table, &pos, timed) != 0)
            goto out;
        cpu[b] = (clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / (double)timed;
        wall[b] = (clock_ns(CLOCK_MONOTONIC) - w0) / (double)timed;
    }
    if (disco__queue_size(&q) != pending)
        goto out;
    r.wall = median3(wall);
    r.cpu = median3(cpu);
    r.best = wall[0];
    for (int b = 1; b < BLOCKS; b++)
        r.best = wall[b] < r.best ? wall[b] : r.best;
out:
    disco__queue_release(&q);
    return r;
}

int main(int argc, char **argv)
{
    bool whole = argc > 1 && strcmp(argv[1], "whole") == 0;
    static const size_t sizes[] = {1000, 10000, 100000, 1000000, 10000000};
    uint32_t *table = malloc(TABLE_SIZE * sizeof *table);
    if (!table) {
        fprintf(stderr, "bench_queue: out of memory\n");
        return 1;
    }
    printf("hold model: pop + push at the popped time + increment; warm-up "
           "to the steady state (at least %dN holds, and until the clock has "
           "moved twice the longest increment), then %d blocks of "
           "max(10^6, 2N) timed holds\n",
           WARMUP, BLOCKS);
    printf("increments: a table of 2^%d precomputed draws read in order\n",
           TABLE_BITS);
    printf("  exp:     ceil(Exp(mean 100)) ticks\n");
    printf("  bimodal: 90%% uniform [0, 10], 10%% uniform [10^5, 10^6] "
           "ticks\n");
    printf("events: %zu bytes each (%s)\n",
           whole ? sizeof(struct disco__event) : DISCO__EVENT_CORE_SIZE,
           whole ? "whole"
                 : "cores, as in an unobserved run; without payloads, the "
                   "wheel keeps 16 bytes of each and the far heap 24");
    printf("ns/op: median block (CLOCK_MONOTONIC); best: fastest block; "
           "cpu: median block (CLOCK_THREAD_CPUTIME_ID); warm-up: holds "
           "before the timed blocks\n\n");
    printf("%-8s %10s %8s %8s %8s %10s %12s\n", "law", "pending", "ns/op",
           "best", "cpu", "peak MiB", "warm-up");
    for (int law = LAW_EXP; law <= LAW_BIMODAL; law++) {
        uint32_t longest = fill_table(table, (enum law)law, 12345);
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            struct result r = run(sizes[i], table, longest, whole);
            struct rusage ru;
            getrusage(RUSAGE_SELF, &ru);
            if (r.wall < 0)
                printf("%-8s %10zu %8s\n", law_names[law], sizes[i],
                       "failed");
            else
                printf("%-8s %10zu %8.1f %8.1f %8.1f %10ld %12zu\n",
                       law_names[law], sizes[i], r.wall, r.best, r.cpu,
                       ru.ru_maxrss / 1024, r.warmup);
            fflush(stdout);
        }
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("\npeak RSS: %ld KiB (ru_maxrss; checksum %llu)\n", ru.ru_maxrss,
           (unsigned long long)checksum);
    free(table);
    return 0;
}
