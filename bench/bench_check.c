/*
 * bench_check.c - what `disco check` costs per run beyond the simulation.
 *
 * A small run: chang-roberts on uring:16 with random ids (about 70
 * messages, 90 events).  Three figures:
 *   kernel   the same runs straight through the kernel (generate the
 *            topology, create, run, check, free), in this process;
 *   check    `disco check ... --seeds N --jobs 1`, wall clock, minus the
 *            time of a one-seed check (process start, preflight);
 *   jobs 2   the same with --jobs 2, and the speed-up over --jobs 1.
 * The overhead per run is check minus kernel, in wall-clock time and in
 * CPU time (user + system of every thread), which stays meaningful on a
 * loaded machine where wall-clock figures do not.  Figures only: nothing
 * here passes or fails.
 *
 *   bench_check [DISCO_BIN [RUNS]]     (default: cli/disco, 200000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "disco_sim.h"
#include "registry.h"

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Wall-clock seconds of one `disco check` with `runs` seeds, or < 0; its
 * CPU seconds (user + system, all threads) into *cpu. */
static double time_check(const char *bin, unsigned long runs, unsigned jobs,
                         double *cpu)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "'%s' check chang-roberts --topology uring:16 --ids random "
             "--seeds %lu --jobs %u --progress off --no-shrink >/dev/null",
             bin, runs, jobs);
    double c0 = children_cpu();
    double t0 = seconds();
    int status = system(cmd);
    double t = seconds() - t0;
    *cpu = children_cpu() - c0;
    return status == 0 ? t : -1;
}

int main(int argc, char **argv)
{
    const char *bin = argc > 1 ? argv[1] : "cli/disco";
    unsigned long runs = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
    const struct disco_algorithm *alg = disco_algorithm_find("chang-roberts");
    if (!alg || runs == 0) {
        fprintf(stderr, "bench_check: no chang-roberts, or RUNS is 0\n");
        return 2;
    }

    /* The kernel alone. */
    struct disco_error err;
    struct disco_property_result results[16];
    uint64_t events = 0, messages = 0;
    double t0 = seconds();
    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    for (unsigned long s = 1; s <= runs; s++) {
        struct disco_topology topo;
        struct disco_config cfg;
        struct disco_sim *sim;
        if (disco_topology_generate(&topo, "uring:16", s, &err)) {
            fprintf(stderr, "bench_check: %s\n", err.message);
            return 2;
        }
        disco_config_init(&cfg, alg);
        cfg.seed = s;
        if (disco_ids_parse(&cfg, "random", topo.nodes, &err) ||
            disco_sim_create(&sim, alg, &topo, &cfg, &err) ||
            disco_sim_run(sim, &err)) {
            fprintf(stderr, "bench_check: %s\n", err.message);
            return 2;
        }
        disco_sim_check(sim, results);
        events += disco_sim_metrics(sim)->events;
        messages += disco_sim_metrics(sim)->messages;
        disco_sim_free(sim);
        disco_config_release(&cfg);
        disco_topology_release(&topo);
    }
    double kernel = (seconds() - t0) / (double)runs;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double kernel_cpu = ((double)(c1.tv_sec - c0.tv_sec) +
                         (double)(c1.tv_nsec - c0.tv_nsec) * 1e-9) /
                        (double)runs;

    double start_cpu, one_cpu, two_cpu;
    double start = time_check(bin, 1, 1, &start_cpu);
    double one = time_check(bin, runs, 1, &one_cpu);
    double two = time_check(bin, runs, 2, &two_cpu);
    if (start < 0 || one < 0 || two < 0) {
        fprintf(stderr, "bench_check: '%s check' failed\n", bin);
        return 2;
    }
    double per_run = (one - start) / (double)runs;
    double cpu_run = (one_cpu - start_cpu) / (double)runs;
    printf("chang-roberts on uring:16, --ids random: %.1f events, %.1f "
           "messages per run, %lu runs\n",
           (double)events / (double)runs, (double)messages / (double)runs,
           runs);
    printf("%-28s %10.2f us/run %12.0f runs/s (CPU %.2f us/run)\n",
           "kernel alone", kernel * 1e6, 1 / kernel, kernel_cpu * 1e6);
    printf("%-28s %10.2f us/run %12.0f runs/s\n", "disco check --jobs 1",
           per_run * 1e6, (double)runs / (one - start));
    printf("%-28s %10.2f us/run %12.0f runs/s\n", "disco check --jobs 2",
           (two - start) / (double)runs * 1e6, (double)runs / (two - start));
    printf("%-28s %10.2f us/run (CPU, jobs 1), %.2f (CPU, jobs 2)\n",
           "disco check CPU time", cpu_run * 1e6,
           (two_cpu - start_cpu) / (double)runs * 1e6);
    printf("overhead of check per run   %10.2f us wall, %.2f us CPU (target "
           "<= 20)\n",
           (per_run - kernel) * 1e6, (cpu_run - kernel_cpu) * 1e6);
    printf("--jobs 2 speed-up           %10.2fx (target >= 1.8 on 2 cores)\n",
           (one - start) / (two - start));
    return 0;
}
