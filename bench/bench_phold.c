/*
 * bench_phold.c - graph-PHOLD through the kernel.
 *
 * A random 8-regular graph of 10^6 nodes; every node starts with K messages
 * and forwards each message it receives to a random neighbour; channel
 * delays are 1 + U[0,1023] ticks.  The run stops after a fixed number of
 * deliveries.  Prints deliveries per second, peak RSS and how much of the
 * memory was on huge pages.  Figures only: nothing here passes or fails.
 *
 *   bench_phold [NODES [DELIVERIES [REPEATS]]]
 *
 * Each K runs REPEATS times (default 3): the best run shows the machine
 * when nothing else ran, the median what to expect on a shared one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "disco_sim.h"

static void phold_init(struct disco_ctx *ctx, void *state)
{
    int64_t k = disco_param(ctx, 0);
    for (int64_t i = 0; i < k; i++)
        disco_send(ctx, (uint32_t)disco_random_below(ctx, disco_out_degree(ctx)),
                   0, NULL, 0);
}

static void phold_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                             unsigned kind, const void *payload, size_t len)
{
    disco_send(ctx, (uint32_t)disco_random_below(ctx, disco_out_degree(ctx)),
               0, NULL, 0);
}

static const char *const phold_kinds[] = {"job"};
static const struct disco_param phold_params[] = {
    {"k", 1, 1, 1024, "messages per node at the start"},
};
static const struct disco_algorithm phold = {
    .name = "phold",
    .family = "benchmark",
    .summary = "graph-PHOLD",
    .model = {.timing = DISCO_ASYNC, .initiators = "all"},
    .params = phold_params,
    .param_count = 1,
    .message_kinds = phold_kinds,
    .kind_count = 1,
    .state_size = 0,
    .init = phold_init,
    .on_message = phold_on_message,
};

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* This VM's wall clock varies with what else runs; the process's CPU time
 * is the steadier figure when the machine is shared. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define MAX_REPEATS 15

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *values, unsigned count)
{
    qsort(values, count, sizeof *values, compare_doubles);
    return count % 2 ? values[count / 2]
                     : (values[count / 2 - 1] + values[count / 2]) / 2;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* Megabytes of this process's anonymous memory on transparent huge pages
 * now, or -1 where the system does not say (not Linux).  Without them
 * these runs are a third slower (random accesses then miss the TLB), and a
 * host whose memory is too fragmented to hand them out gives the same
 * binary a slower figure: this column tells the two apart. */
static double huge_mb(void)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f)
        return -1;
    char line[256];
    double kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "AnonHugePages: %lf kB", &kb) == 1)
            break;
    fclose(f);
    return kb < 0 ? -1 : kb / 1024.0;
}

int main(int argc, char **argv)
{
    unsigned long nodes = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    unsigned long long deliveries =
        argc > 2 ? strtoull(argv[2], NULL, 10) : 20000000ull;
    unsigned repeats = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) : 3;
    if (repeats < 1 || repeats > MAX_REPEATS) {
        fprintf(stderr, "bench_phold: REPEATS must be 1 to %d\n", MAX_REPEATS);
        return 2;
    }
    char spec[64];
    snprintf(spec, sizeof spec, "regular:%lu:8", nodes);

    struct disco_error err;
    struct disco_topology topo;
    double t0 = seconds();
    if (disco_topology_generate(&topo, spec, 1, &err)) {
        fprintf(stderr, "bench_phold: %s\n", err.message);
        return 2;
    }
    printf("graph-PHOLD on %s (%u channels), delay uniform:1:1024, no FIFO\n",
           spec, topo.channels);
    printf("topology generated in %.2f s\n", seconds() - t0);
    printf("%4s %14s %10s %16s %16s %16s %12s %12s\n", "K", "deliveries",
           "best s", "best per s", "median per s", "per CPU second",
           "peak RSS MB", "huge MB");
    const int64_t ks[] = {1, 16};
    for (size_t i = 0; i < 2; i++) {
        double rate[MAX_REPEATS], cpu_rate[MAX_REPEATS], best = 0;
        unsigned long long delivered = 0;
        double huge = -1; /* the fewest megabytes on huge pages of a run */
        for (unsigned r = 0; r < repeats; r++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &phold);
            cfg.params[0] = ks[i];
            cfg.fifo = false;
            cfg.delay = (struct disco_delay){.kind = DISCO_DELAY_UNIFORM,
                                             .a = 1, .b = 1024};
            cfg.max_events = deliveries + nodes; /* init calls are events */
            struct disco_sim *sim;
            if (disco_sim_create(&sim, &phold, &topo, &cfg, &err)) {
                fprintf(stderr, "bench_phold: %s\n", err.message);
                return 2;
            }
            double start = seconds(), cpu_start = cpu_seconds();
            if (disco_sim_run(sim, &err)) {
                fprintf(stderr, "bench_phold: %s\n", err.message);
                return 2;
            }
            double elapsed = seconds() - start;
            double cpu = cpu_seconds() - cpu_start;
            delivered = disco_sim_metrics(sim)->delivered;
            double run_huge = huge_mb();
            if (r == 0 || run_huge < huge)
                huge = run_huge;
            rate[r] = (double)delivered / elapsed;
            cpu_rate[r] = (double)delivered / cpu;
            if (r == 0 || elapsed < best)
                best = elapsed;
            disco_sim_free(sim);
            disco_config_release(&cfg);
        }
        printf("%4lld %14llu %10.2f %16.0f %16.0f %16.0f %12.0f %12.0f\n",
               (long long)ks[i], delivered, best, (double)delivered / best,
               median(rate, repeats), median(cpu_rate, repeats),
               peak_rss_mb(), huge);
    }
    disco_topology_release(&topo);
    return 0;
}
