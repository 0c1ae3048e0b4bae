/*
 * bench_check.c - what `disco check` costs per run beyond the simulation,
 * and what a second thread buys.
 *
 * First a small run: chang-roberts on uring:16 with random ids (about 70
 * messages, 90 events).
 *   kernel   the same runs straight through the kernel (generate the
 *            topology, create, run, check, free), in this process;
 *   check    `disco check ... --seeds N --jobs 1`, wall clock, minus the
 *            time of a one-seed check (process start, preflight).
 * The overhead per run is check minus kernel, in wall-clock time and in
 * CPU time (user + system of every thread), which stays meaningful on a
 * loaded machine where wall-clock figures do not.
 *
 * Then --jobs 1 against --jobs 2 on four batches, from many tiny runs to
 * fewer larger ones: each timed REPEATS times, --jobs 1 and --jobs 2 in
 * turn (so that a slow spell of the machine hits both), and the speed-up
 * is the ratio of the medians.  The CPU time per run says whether the
 * second thread makes each run dearer (allocator, shared cache lines) or
 * only the machine's other load slows it.  Figures only: nothing here
 * passes or fails.
 *
 *   bench_check [DISCO_BIN [RUNS [REPEATS]]]
 *                    (default: cli/disco, 200000, 5; RUNS scales every batch)
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "disco_sim.h"
#include "registry.h"

extern char **environ;

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double tv(struct timeval t)
{
    return (double)t.tv_sec + (double)t.tv_usec * 1e-6;
}

/* User + system seconds of the children waited for so far. */
static double children_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return tv(ru.ru_utime) + tv(ru.ru_stime);
}

/* Wall-clock seconds of one `disco check` (stdout to /dev/null), or < 0;
 * its CPU seconds (user + system, all threads) into *cpu. */
static double time_check(const char *bin, const char *const *args,
                         unsigned long runs, unsigned jobs, double *cpu)
{
    char seeds[24], threads[16];
    snprintf(seeds, sizeof seeds, "%lu", runs);
    snprintf(threads, sizeof threads, "%u", jobs);
    const char *argv[32];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "check";
    for (; *args && n < 24; args++)
        argv[n++] = *args;
    const char *tail[] = {"--seeds",    seeds, "--jobs", threads,
                          "--progress", "off", "--no-shrink"};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
        argv[n++] = tail[i];
    argv[n] = NULL;

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    double c0 = children_cpu();
    double t0 = seconds();
    int rc = posix_spawn(&pid, bin, &fa, NULL, (char *const *)argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    double t = seconds() - t0;
    *cpu = children_cpu() - c0;
    /* 0: every run passed; 1: a violation, which is still a timing. */
    return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? t : -1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_REPEATS 31

/* One batch, --jobs 1 and 2 in turn, `repeats` times. */
static int jobs_case(const char *bin, const char *label,
                     const char *const *args, unsigned long runs,
                     int repeats)
{
    double w1[MAX_REPEATS], w2[MAX_REPEATS], c1[MAX_REPEATS],
        c2[MAX_REPEATS], ratio[MAX_REPEATS];
    for (int i = 0; i < repeats; i++) {
        w1[i] = time_check(bin, args, runs, 1, &c1[i]);
        w2[i] = time_check(bin, args, runs, 2, &c2[i]);
        if (w1[i] < 0 || w2[i] < 0) {
            fprintf(stderr, "bench_check: '%s check' failed on %s\n", bin,
                    label);
            return 2;
        }
        ratio[i] = w1[i] / w2[i];
    }
    double m1 = median(w1, repeats), m2 = median(w2, repeats);
    double us = 1e6 / (double)runs;
    qsort(ratio, (size_t)repeats, sizeof *ratio, cmp_double);
    printf("%-40s %7lu %8.3f %8.3f %7.2fx  %4.2f-%4.2f %9.2f %9.2f\n", label,
           runs, m1, m2, m1 / m2, ratio[0], ratio[repeats - 1],
           median(c1, repeats) * us, median(c2, repeats) * us);
    return 0;
}

static unsigned long at_least_one(unsigned long runs)
{
    return runs ? runs : 1;
}

int main(int argc, char **argv)
{
    const char *bin = argc > 1 ? argv[1] : "cli/disco";
    unsigned long runs = argc > 2 ? strtoul(argv[2], NULL, 10) : 200000;
    int repeats = argc > 3 ? atoi(argv[3]) : 5;
    const struct disco_algorithm *alg = disco_algorithm_find("chang-roberts");
    if (!alg || runs == 0 || repeats < 1 || repeats > MAX_REPEATS) {
        fprintf(stderr, "bench_check: no chang-roberts, RUNS is 0, or "
                        "REPEATS is not 1 to %d\n",
                MAX_REPEATS);
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

    /* check --jobs 1 on the same runs, medians of `repeats`. */
    static const char *const small[] = {"chang-roberts", "--topology",
                                        "uring:16", "--ids", "random", NULL};
    double start[MAX_REPEATS], start_cpu[MAX_REPEATS], one[MAX_REPEATS],
        one_cpu[MAX_REPEATS];
    for (int i = 0; i < repeats; i++) {
        start[i] = time_check(bin, small, 1, 1, &start_cpu[i]);
        one[i] = time_check(bin, small, runs, 1, &one_cpu[i]);
        if (start[i] < 0 || one[i] < 0) {
            fprintf(stderr, "bench_check: '%s check' failed\n", bin);
            return 2;
        }
    }
    double s0 = median(start, repeats), s0_cpu = median(start_cpu, repeats);
    double per_run = (median(one, repeats) - s0) / (double)runs;
    double cpu_run = (median(one_cpu, repeats) - s0_cpu) / (double)runs;
    printf("chang-roberts on uring:16, --ids random: %.1f events, %.1f "
           "messages per run, %lu runs\n",
           (double)events / (double)runs, (double)messages / (double)runs,
           runs);
    printf("%-28s %10.2f us/run %12.0f runs/s (CPU %.2f us/run)\n",
           "kernel alone", kernel * 1e6, 1 / kernel, kernel_cpu * 1e6);
    printf("%-28s %10.2f us/run %12.0f runs/s (CPU %.2f us/run)\n",
           "disco check --jobs 1", per_run * 1e6, 1 / per_run,
           cpu_run * 1e6);
    printf("overhead of check per run   %10.2f us wall, %.2f us CPU (target "
           "<= 20)\n\n",
           (per_run - kernel) * 1e6, (cpu_run - kernel_cpu) * 1e6);

    /* --jobs 1 against --jobs 2. */
    static const char *const lcr[] = {"lcr", "--topology", "uring:8", NULL};
    static const char *const cr64[] = {"chang-roberts", "--topology",
                                       "uring:64", NULL};
    static const char *const echo[] = {"echo", "--topology", "gnp:200:0.05",
                                       NULL};
    printf("--jobs 1 against --jobs 2 (target >= 1.8x on 2 cores): wall "
           "seconds, medians of %d\n",
           repeats);
    printf("%-40s %7s %8s %8s %8s  %9s %9s %9s\n", "batch", "runs", "jobs 1",
           "jobs 2", "speed-up", "range", "CPU us/1", "CPU us/2");
    /* The larger batches run a fraction of RUNS, at least one run each
     * (a small RUNS would otherwise time zero runs and divide by zero). */
    int rc = 0;
    rc |= jobs_case(bin, "lcr, uring:8", lcr, at_least_one(runs / 2),
                    repeats);
    rc |= jobs_case(bin, "chang-roberts, uring:16, --ids random", small, runs,
                    repeats);
    rc |= jobs_case(bin, "chang-roberts, uring:64", cr64,
                    at_least_one(runs / 10), repeats);
    rc |= jobs_case(bin, "echo, gnp:200:0.05", echo, at_least_one(runs / 100),
                    repeats);
    return rc;
}
