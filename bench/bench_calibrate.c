/*
 * bench_calibrate.c - how fast this machine is right now, on work that no
 * change to disco can touch: the yardstick beside every other figure of
 * bench/run.sh.
 *
 * A virtual machine's speed drifts: on the one docs/performance.md reports
 * from, the same binary ran echo on 10^6 nodes in 0.57 s in one minute and
 * 1.2 s an hour later.  A figure read without this one cannot tell a slower
 * disco from a slower machine; read with it, it can.
 *
 * Two loops, each timed as the best of five rounds (the least disturbed):
 *   compute  a chain of dependent splitmix64 steps (integer multiply
 *            latency: what the event loop's random draws wait on), ns per
 *            step;
 *   memory   a pointer chase through a random cycle over 64 MiB (a cache
 *            miss per step: what a delivery to a random node of a large
 *            graph waits on), ns per step.
 * Figures only: nothing here passes or fails.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* The monotonic clock, in seconds. */
static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One splitmix64 step of *state (the kernel's per-node generator). */
static uint64_t splitmix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#define COMPUTE_STEPS 20000000u
#define CHASE_ENTRIES ((64u << 20) / sizeof(uint32_t))
#define CHASE_STEPS 1000000u
#define ROUNDS 5

/* One round of the compute loop from *sink: ns per step.  Each result
 * feeds the next step, and the last is left in *sink (and printed), so
 * that the compiler can neither overlap the steps nor drop them. */
static double compute_round(uint64_t *sink)
{
    uint64_t x = *sink;
    double start = seconds();
    for (uint32_t i = 0; i < COMPUTE_STEPS; i++) {
        uint64_t state = x;
        x = splitmix(&state);
    }
    double ns = (seconds() - start) * 1e9 / COMPUTE_STEPS;
    *sink = x;
    return ns;
}

/* One round of the chase from *at through next[]: ns per step; where it
 * stopped is left in *at (and printed), for the same reason. */
static double chase_round(const uint32_t *next, uint32_t *at)
{
    uint32_t p = *at;
    double start = seconds();
    for (uint32_t i = 0; i < CHASE_STEPS; i++)
        p = next[p];
    double ns = (seconds() - start) * 1e9 / CHASE_STEPS;
    *at = p;
    return ns;
}

int main(void)
{
    size_t n = CHASE_ENTRIES;
    uint32_t *next = malloc(n * sizeof *next);
    if (!next) {
        fprintf(stderr, "bench_calibrate: out of memory\n");
        return 2;
    }
    /* One random cycle through every entry: Sattolo's shuffle (a partner
     * strictly below) of the identity leaves a single n-cycle, from a
     * fixed seed, so the walk is the same on every run. */
    uint64_t rng = 1;
    for (size_t i = 0; i < n; i++)
        next[i] = (uint32_t)i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(splitmix(&rng) % i);
        uint32_t t = next[i];
        next[i] = next[j];
        next[j] = t;
    }

    uint64_t sink = 1;
    uint32_t at = 0;
    double compute = 1e9, memory = 1e9;
    for (int r = 0; r < ROUNDS; r++) {
        double c = compute_round(&sink), m = chase_round(next, &at);
        compute = c < compute ? c : compute;
        memory = m < memory ? m : memory;
    }
    free(next);
    printf("calibration (best of %d): compute %.2f ns per dependent step, "
           "memory %.1f ns per random access over 64 MiB  [%" PRIx64 "/%u]\n",
           ROUNDS, compute, memory, sink & 0xff, at & 0xff);
    return 0;
}
