/*
 * check.c - `disco check`, `disco sweep` and `disco merge`: many runs of
 * one algorithm, over seeds and topologies, on libuv's thread pool.
 *
 * Determinism first: every run is a pure function of (options, topology,
 * seed), its result lands in an array slot indexed by its run number, and
 * everything printed or written is read from that array in run order once
 * all runs are done.  So --jobs only changes how fast the answer comes,
 * and --shard I/N only which rows a file holds (disco merge puts them back
 * in order, byte for byte).
 *
 * Run numbers: topology t (in the order the --topology braces expand) and
 * seed index k give run t * seeds + k; a shard I/N owns the runs whose
 * number is I-1 modulo N.
 */
#include "cli.h"
#include "synchronizer.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef DISCO_MPI
#include <limits.h>
#include <mpi.h>
#endif

/* ------------------------------------------------------------------------ */
/* Growing arrays of strings.                                                */

struct strvec {
    char **items;
    size_t count, capacity;
};

static int strvec_push(struct strvec *v, const char *text, size_t len,
                       struct disco_error *err)
{
    if (v->count == v->capacity) {
        size_t cap = v->capacity ? v->capacity * 2 : 8;
        char **items = realloc(v->items, cap * sizeof *items);
        if (!items)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        v->items = items;
        v->capacity = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    memcpy(copy, text, len);
    copy[len] = '\0';
    v->items[v->count++] = copy;
    return 0;
}

static void strvec_release(struct strvec *v)
{
    for (size_t i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
    memset(v, 0, sizeof *v);
}

/* ------------------------------------------------------------------------ */
/* Brace expansion of --topology: 'ring:{8..64}', 'ring:{8..64..8}',
 * 'uring:{8,16,32}', '{ring:8,grid:3x3}', several groups multiply out.     */

#define MAX_TOPOLOGIES 10000

/* The progress line's quiet start and redraws, for a batch (run_batch's
 * timer) and for --maximize's search alike. */
#define PROGRESS_REDRAW_MS 250u

static bool parse_range(const char *item, size_t len, uint64_t *a,
                        uint64_t *b, uint64_t *step)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return false;
    memcpy(buf, item, len);
    buf[len] = '\0';
    char *p = buf, *end;
    if (*p < '0' || *p > '9')
        return false;
    *a = strtoull(p, &end, 10);
    if (strncmp(end, "..", 2) != 0)
        return false;
    p = end + 2;
    if (*p < '0' || *p > '9')
        return false;
    *b = strtoull(p, &end, 10);
    *step = 1;
    if (*end == '\0')
        return true;
    if (strncmp(end, "..", 2) != 0)
        return false;
    p = end + 2;
    if (*p < '0' || *p > '9')
        return false;
    *step = strtoull(p, &end, 10);
    return *end == '\0';
}

/* Whether item[0..len) is meant as a range, good or not: digits and dots
 * only, with a ".." ("8..", "8..16..", "8...16").  A path such as
 * "../s.dot" is a list item. */
static bool looks_like_range(const char *item, size_t len)
{
    bool dots = false;
    for (size_t i = 0; i < len; i++) {
        if (item[i] != '.' && (item[i] < '0' || item[i] > '9'))
            return false;
        dots |= i + 1 < len && item[i] == '.' && item[i + 1] == '.';
    }
    return dots;
}

/* How many topologies spec expands to, before expanding it (UINT64_MAX
 * when past that): the product of its groups' item counts.  A malformed
 * group counts 1, for expand_braces to name what is wrong with it. */
static uint64_t brace_count(const char *spec)
{
    uint64_t total = 1;
    const char *open;
    while ((open = strchr(spec, '{'))) {
        const char *close = strchr(open, '}');
        if (!close)
            break;
        uint64_t items = 0;
        for (const char *item = open + 1;;) {
            const char *comma = memchr(item, ',', (size_t)(close - item));
            const char *end = comma ? comma : close;
            uint64_t a, b, step, n = 1;
            if (parse_range(item, (size_t)(end - item), &a, &b, &step) &&
                step && a <= b)
                /* strtoull stops at UINT64_MAX: a bound past it. */
                n = b == UINT64_MAX ? UINT64_MAX : (b - a) / step + 1;
            items = items > UINT64_MAX - n ? UINT64_MAX : items + n;
            if (!comma)
                break;
            item = comma + 1;
        }
        total = items && total > UINT64_MAX / items ? UINT64_MAX
                                                   : total * items;
        spec = close + 1;
    }
    return total;
}

static int expand_braces(const char *spec, struct strvec *out,
                         struct disco_error *err);

/* The --topology option: its expansion, or one line saying it has too
 * many topologies before any is made. */
static int expand_topologies(const char *spec, struct strvec *out,
                             struct disco_error *err)
{
    uint64_t count = brace_count(spec);
    if (count > MAX_TOPOLOGIES) {
        char n[32], max[32];
        cli_with_commas(n, sizeof n, count);
        cli_with_commas(max, sizeof max, MAX_TOPOLOGIES);
        return disco_fail(err, DISCO_ELIMIT,
                          count == UINT64_MAX
                              ? "--topology '%s' expands to more "
                                "topologies than can be counted (at most "
                                "%s)"
                              : "--topology '%s' expands to %s topologies "
                                "(at most %s)",
                          spec, count == UINT64_MAX ? max : n, max);
    }
    return expand_braces(spec, out, err);
}

static int expand_braces(const char *spec, struct strvec *out,
                         struct disco_error *err)
{
    const char *open = strchr(spec, '{');
    const char *close = strchr(spec, '}');
    if (!open) {
        if (close)
            return disco_fail(err, DISCO_EINVAL,
                              "bad --topology '%s': '}' without '{'", spec);
        if (out->count >= MAX_TOPOLOGIES)
            return disco_fail(err, DISCO_ELIMIT,
                              "bad --topology: more than %d topologies",
                              MAX_TOPOLOGIES);
        return strvec_push(out, spec, strlen(spec), err);
    }
    close = strchr(open, '}');
    const char *inner = strchr(open + 1, '{');
    if (!close || (inner && inner < close))
        return disco_fail(err, DISCO_EINVAL,
                          "bad --topology '%s': unmatched '{'", spec);
    size_t prefix = (size_t)(open - spec);
    const char *suffix = close + 1;
    const char *item = open + 1;
    for (;;) {
        const char *comma = memchr(item, ',', (size_t)(close - item));
        const char *end = comma ? comma : close;
        size_t len = (size_t)(end - item);
        if (len == 0)
            return disco_fail(err, DISCO_EINVAL,
                              "bad --topology '%s': empty item in braces",
                              spec);
        uint64_t a, b, step;
        size_t cap = prefix + len + strlen(suffix) + 32;
        char *text = malloc(cap);
        if (!text)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        int rc = 0;
        if (parse_range(item, len, &a, &b, &step)) {
            if (step == 0 || a > b)
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --topology '%s': range '%.*s' must go "
                                "up by a positive step",
                                spec, (int)len, item);
            /* (More than MAX_TOPOLOGIES was refused before: brace_count.) */
            for (uint64_t x = a; !rc && x <= b; x += step) {
                snprintf(text, cap, "%.*s%llu%s", (int)prefix, spec,
                         (unsigned long long)x, suffix);
                rc = expand_braces(text, out, err);
                if (b - x < step)
                    break;
            }
        } else if (looks_like_range(item, len)) {
            /* A range that does not parse ({8..}): a list item would pass
             * it on, braces gone, to a puzzling message. */
            rc = disco_fail(err, DISCO_EINVAL,
                            "bad --topology '%s': range '%.*s' is not A..B "
                            "or A..B..STEP (whole numbers)",
                            spec, (int)len, item);
        } else {
            snprintf(text, cap, "%.*s%.*s%s", (int)prefix, spec, (int)len,
                     item, suffix);
            rc = expand_braces(text, out, err);
        }
        free(text);
        if (rc)
            return rc;
        if (!comma)
            break;
        item = comma + 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The plan: what every run shares, and one run's variations.                */

enum fault_list { FAULT_CRASH, FAULT_RECOVER, FAULT_CUT, FAULT_LISTS };
static const char *const fault_option[FAULT_LISTS] = {"crash", "recover",
                                                      "cut"};
#define MAX_FAULT_ITEMS 64

/* What differs between runs of one check: the topology, the seed, and what
 * shrinking and --maximize change.  Plain data, copied freely. */
struct variant {
    char topology[256]; /* "" : the algorithm's or the scenario's */
    size_t topology_index; /* into plan.specs, or SIZE_MAX */
    uint64_t seed;
    char delay[64];     /* "" : as given */
    uint64_t max_time;  /* 0: as given */
    char ids[8192];     /* "" : as given */
    /* Each fault option's comma-separated items; count < 0: as given. */
    const char *faults[FAULT_LISTS][MAX_FAULT_ITEMS];
    int fault_count[FAULT_LISTS];
};

struct plan {
    struct cli_run_options opts; /* as parsed (its strings are argv's) */
    const char *target;
    struct strvec topologies;    /* empty: the default topology only */
    struct strvec specs;         /* each topology's spec as runs see it */
    size_t topology_count;       /* at least 1 */
    uint64_t first_seed, seeds;
    uint64_t shard, shards;      /* shard I of N, 1-based; 1/1 unsharded */
    unsigned jobs;
    bool json, progress, shrink;
    const char *csv, *plot, *counterexample, *maximize;
    uint64_t budget;
    bool needs_lock;             /* cgraph is involved: serialise it */
    uv_mutex_t lock;
    /* For reproduction commands: the run options other than those a
     * variant sets, normalised to `--name VALUE`. */
    struct strvec tokens;
    struct strvec fault_items;   /* owns the split --crash/... items */
    const struct disco_algorithm *alg;
    struct disco_algorithm synchronized; /* alg, when --synchronizer */
    struct variant base;         /* the options as given */
    /* topology_count entries, or NULL: each topology built once for all
     * seeds when its family draws nothing from the seed (nodes 0 when
     * every run builds its own). */
    struct disco_topology *prebuilt;
};

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Characters that need no quoting in a POSIX shell. */
static bool shell_safe(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || strchr("_./:=@,+-%", *s)))
            return false;
    return true;
}

static void put_quoted(FILE *out, const char *s)
{
    if (shell_safe(s)) {
        fputs(s, out);
        return;
    }
    putc('\'', out);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", out);
        else
            putc(*s, out);
    }
    putc('\'', out);
}

/* The `disco run` command that repeats variant `v` exactly. */
static void put_command(FILE *out, const struct plan *p,
                        const struct variant *v, const char *spec)
{
    fputs("disco run ", out);
    put_quoted(out, p->target);
    if (spec && *spec) {
        fputs(" --topology ", out);
        put_quoted(out, spec);
    }
    fprintf(out, " --seed %llu", (unsigned long long)v->seed);
    if (v->ids[0]) {
        fputs(" --ids ", out);
        put_quoted(out, v->ids);
    }
    if (v->delay[0]) {
        fputs(" --delay ", out);
        put_quoted(out, v->delay);
    }
    if (v->max_time)
        fprintf(out, " --max-time %llu", (unsigned long long)v->max_time);
    for (int k = 0; k < FAULT_LISTS; k++) {
        if (v->fault_count[k] <= 0)
            continue;
        fprintf(out, " --%s ", fault_option[k]);
        for (int i = 0; i < v->fault_count[k]; i++) {
            if (i)
                putc(',', out);
            fputs(v->faults[k][i], out);
        }
    }
    for (size_t i = 0; i < p->tokens.count; i++) {
        putc(' ', out);
        put_quoted(out, p->tokens.items[i]);
    }
}

/* The `disco run` command of a variant, malloc'd (NULL when out of
 * memory). */
static char *memstream_command(const struct plan *p, const struct variant *v,
                               const char *spec)
{
    char *cmd = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&cmd, &len);
    if (!mem)
        return NULL;
    put_command(mem, p, v, spec);
    fclose(mem);
    return cmd;
}

/* Whether two variants print as the same `disco run` command. */
static bool same_command(const struct plan *p, const struct variant *a,
                         const struct variant *b)
{
    char *text_a = memstream_command(p, a, a->topology);
    char *text_b = memstream_command(p, b, b->topology);
    bool same = text_a && text_b && !strcmp(text_a, text_b);
    free(text_a);
    free(text_b);
    return same;
}

/* One run's outcome: everything the summary, the CSV and the commands
 * need, so that the run itself can be released at once. */
struct record {
    /* The small fields first, together: no padding between them. */
    int rc;                 /* 0, or the run's error (message below) */
    uint32_t nodes, channels;
    bool sync, terminated, must_terminate, pass;
    char *error;
    /* The topology as the run saw it: the plan's string for the runs of
     * a batch (records stay small when there are millions), a copy of
     * its own for shrunk and searched variants. */
    const char *spec;
    char *own_spec;
    uint64_t messages, events, time, causal_depth, rounds;
    uint64_t delivered, dropped, duplicated;
    /* kind_count and property_count entries: in the batch's arrays for
     * the runs of a batch (no malloc per run), else in `arrays`, one
     * allocation of the record's own. */
    uint64_t *by_kind;
    unsigned char *holds;
    void *arrays;
    char (*detail)[256];      /* property_count entries, failures only */
};

static void record_release(struct record *r)
{
    free(r->error);
    free(r->own_spec);
    free(r->arrays);
    free(r->detail);
    memset(r, 0, sizeof *r);
}

/* Point r->by_kind and r->holds at the given slots, or at a zeroed
 * allocation of the record's own when they are NULL. */
static int record_arrays(struct record *r, const struct disco_algorithm *alg,
                         uint64_t *by_kind, unsigned char *holds)
{
    if (!by_kind) {
        size_t kinds = (alg->kind_count + 1) * sizeof *by_kind;
        r->arrays = calloc(1, kinds + alg->property_count + 1);
        if (!r->arrays)
            return DISCO_ENOMEM;
        by_kind = r->arrays;
        holds = (unsigned char *)r->arrays + kinds;
    }
    r->by_kind = by_kind;
    r->holds = holds;
    return 0;
}

/* Is property `prop` violated in `r`?  prop == property_count stands for
 * "the run had to terminate and did not". */
static bool violates(const struct disco_algorithm *alg, const struct record *r,
                     unsigned prop)
{
    if (r->rc)
        return false;
    if (prop == alg->property_count)
        return r->must_terminate && !r->terminated;
    return r->holds[prop] == DISCO_HOLDS_NO;
}

/* The run options of a variant.  `o` points into the struct (the fault
 * lists), so it stays where it was made. */
struct variant_options {
    struct cli_run_options o;
    struct cli_setting items[FAULT_LISTS][MAX_FAULT_ITEMS];
    char seed[24], max_time[24];
};

/* Decimal, without printf: the batch sets a seed per run. */
static void u64_text(char *buf, uint64_t x)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
}

static void options_set_seed(struct variant_options *vo, uint64_t seed)
{
    u64_text(vo->seed, seed);
    vo->o.seed = (struct cli_setting){vo->seed, NULL};
}

static void options_of(struct variant_options *vo, const struct plan *p,
                       const struct variant *v)
{
    struct cli_run_options *o = &vo->o;
    *o = p->opts;
    options_set_seed(vo, v->seed);
    if (v->topology[0])
        o->topology = (struct cli_setting){v->topology, NULL};
    if (v->delay[0])
        o->delay = (struct cli_setting){v->delay, NULL};
    if (v->ids[0])
        o->ids = (struct cli_setting){v->ids, NULL};
    if (v->max_time) {
        u64_text(vo->max_time, v->max_time);
        o->max_time = (struct cli_setting){vo->max_time, NULL};
    }
    struct cli_setting_list *lists[FAULT_LISTS] = {&o->crash, &o->recover,
                                                   &o->cut};
    for (int k = 0; k < FAULT_LISTS; k++) {
        if (v->fault_count[k] < 0)
            continue;
        for (int i = 0; i < v->fault_count[k]; i++)
            vo->items[k][i] = (struct cli_setting){v->faults[k][i], NULL};
        *lists[k] = (struct cli_setting_list){vo->items[k],
                                              (size_t)v->fault_count[k],
                                              (size_t)v->fault_count[k]};
    }
    o->json = false;
    o->out = NULL;
}

/* Execute one run into `r`, its counts into the given slots (NULL: the
 * record's own).  Thread-safe: cgraph (scenario files) is serialised
 * through the plan's lock, the rest shares nothing. */
static int execute(struct plan *p, const struct cli_run_options *o,
                   size_t topology_index, struct record *r,
                   uint64_t *by_kind, unsigned char *holds)
{
    struct disco_error err = {0, ""};
    memset(r, 0, sizeof *r);
    struct cli_run run;
    if (p->needs_lock)
        uv_mutex_lock(&p->lock);
    int rc = cli_run_prepare(&run, o, &err);
    if (p->needs_lock)
        uv_mutex_unlock(&p->lock);
    if (!rc)
        rc = cli_run_execute(&run, &err);
    if (!rc) {
        const struct disco_algorithm *alg = run.alg;
        const struct disco_metrics *m = run.metrics;
        size_t t = topology_index;
        if (t < p->specs.count && !strcmp(p->specs.items[t], run.topo->spec))
            r->spec = p->specs.items[t];
        else
            r->spec = r->own_spec = strdup(run.topo->spec);
        if (!r->spec)
            rc = disco_fail(&err, DISCO_ENOMEM, "out of memory");
        r->nodes = run.topo->nodes;
        r->channels = run.topo->channels;
        r->sync = run.cfg.sync;
        r->terminated = run.terminated;
        r->must_terminate = run.must_terminate;
        r->pass = run.pass;
        r->messages = m->messages;
        r->events = m->events;
        r->time = m->time;
        r->causal_depth = m->causal_depth;
        r->rounds = m->rounds;
        r->delivered = m->delivered;
        r->dropped = m->dropped;
        r->duplicated = m->duplicated;
        if (record_arrays(r, alg, by_kind, holds)) {
            rc = disco_fail(&err, DISCO_ENOMEM, "out of memory");
        } else {
            for (unsigned k = 0; k < alg->kind_count; k++)
                r->by_kind[k] = m->by_kind[k];
            for (unsigned i = 0; i < alg->property_count; i++)
                r->holds[i] = (unsigned char)run.results[i].holds;
            if (run.failed) {
                r->detail = calloc(alg->property_count, sizeof *r->detail);
                if (!r->detail)
                    rc = disco_fail(&err, DISCO_ENOMEM, "out of memory");
                for (unsigned i = 0; r->detail && i < alg->property_count;
                     i++)
                    if (run.results[i].holds == DISCO_HOLDS_NO)
                        memcpy(r->detail[i], run.results[i].detail,
                               sizeof r->detail[i]);
            }
        }
    }
    if (p->needs_lock)
        uv_mutex_lock(&p->lock);
    cli_run_release(&run);
    if (p->needs_lock)
        uv_mutex_unlock(&p->lock);
    if (rc) {
        r->rc = rc;
        r->error = strdup(err.message);
    }
    return rc;
}

/* Execute one variant into `r`, writing its trace (and diagram) into
 * `extra_out` when that is not NULL. */
static int run_variant(struct plan *p, const struct variant *v,
                       struct record *r, const char *extra_out,
                       bool spacetime)
{
    struct variant_options vo;
    options_of(&vo, p, v);
    vo.o.out = extra_out;
    if (extra_out) {
        vo.o.trace = "trace.jsonl";
        vo.o.spacetime = spacetime ? "spacetime.svg" : NULL;
    }
    return execute(p, &vo.o, v->topology_index, r, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* Running every run of a check on the thread pool.                          */

/* Workers write only their own records and counters, each on cache lines
 * of its own: a line two cores write in turn costs both of them. */
#define CACHE_LINE 64

struct batch;

/* One worker thread's counters, read by the progress line. */
struct worker {
    _Alignas(CACHE_LINE) struct batch *batch;
    atomic_size_t done, violations;
};

struct batch {
    struct plan *plan;
    size_t *runs;          /* this shard's run numbers, ascending */
    size_t count;
    struct record *records; /* count entries, in the order of runs[] */
    /* The records' by_kind and holds, count strides each: one allocation
     * for the batch rather than two per run. */
    uint64_t *by_kind;
    unsigned char *holds;
    size_t kind_stride, holds_stride;
    struct worker *workers;
    unsigned worker_count;
    _Alignas(CACHE_LINE) atomic_size_t next; /* the next run to hand out */
    _Alignas(CACHE_LINE) unsigned workers_left;
    uv_timer_t timer;
    uint64_t started_ns;
    struct cli_progress_line progress; /* drawn on the loop's thread only */
};

static void variant_of_run(const struct plan *p, size_t run,
                           struct variant *v)
{
    *v = p->base;
    size_t t = run / p->seeds;
    v->topology_index = t;
    v->seed = p->first_seed + run % p->seeds;
    if (p->topologies.count)
        snprintf(v->topology, sizeof v->topology, "%s",
                 p->topologies.items[t]);
}

/* The largest share of runs one worker takes at a time. */
#define MAX_CHUNK 64

/* Hand out the runs [*from, *to): guided self-scheduling, a quarter of
 * each worker's share of what is left, so that the shared counter is
 * touched once per chunk while much is left and the chunks shrink to
 * single runs at the end, where the workers must finish together.  Runs
 * go out in ascending order whatever the chunks, which the first-error
 * rule of check_or_sweep_on relies on. */
static bool take_runs(struct batch *b, size_t *from, size_t *to)
{
    size_t k = atomic_load_explicit(&b->next, memory_order_relaxed);
    size_t left = k < b->count ? b->count - k : 0;
    size_t chunk = left / (4 * (size_t)b->worker_count);
    chunk = chunk < 1 ? 1 : chunk > MAX_CHUNK ? MAX_CHUNK : chunk;
    k = atomic_fetch_add_explicit(&b->next, chunk, memory_order_relaxed);
    if (k >= b->count)
        return false;
    *from = k;
    *to = b->count - k < chunk ? b->count : k + chunk;
    return true;
}

static void work(uv_work_t *req)
{
    /* libuv's pool threads outlive the batch, into the writing of the
     * outputs: once per thread (cli.h). */
    static _Thread_local bool signals_blocked;
    if (!signals_blocked) {
        cli_signals_to_main_thread();
        signals_blocked = true;
    }
    struct worker *w = req->data;
    struct batch *b = w->batch;
    struct plan *p = b->plan;
    /* The options of the batch's runs, made once: each run sets its seed
     * and topology only. */
    struct variant_options vo;
    options_of(&vo, p, &p->base);
    size_t done = 0, violations = 0, k, end;
    bool stop = false;
    while (!stop && take_runs(b, &k, &end)) {
        for (; k < end; k++) {
            size_t run = b->runs[k], t = run / p->seeds;
            options_set_seed(&vo, p->first_seed + run % p->seeds);
            if (p->topologies.count)
                vo.o.topology =
                    (struct cli_setting){p->topologies.items[t], NULL};
            vo.o.prebuilt = p->prebuilt && p->prebuilt[t].nodes
                                ? &p->prebuilt[t]
                                : NULL;
            struct record *r = &b->records[k];
            execute(p, &vo.o, t, r, b->by_kind + k * b->kind_stride,
                    b->holds + k * b->holds_stride);
            violations += !r->rc && !r->pass;
            atomic_store_explicit(&w->violations, violations,
                                  memory_order_relaxed);
            atomic_store_explicit(&w->done, ++done, memory_order_relaxed);
            if (r->rc) {
                /* Bad input: stop handing out work, report it afterwards.
                 * Every run before this one is out already and finishes. */
                atomic_store(&b->next, b->count);
                stop = true;
                break;
            }
        }
    }
}

static void format_duration(char *buf, size_t len, double s)
{
    if (!(s >= 0) || s > 1e7)
        snprintf(buf, len, "?");
    else if (s < 60)
        snprintf(buf, len, "%.0fs", s);
    else if (s < 3600)
        snprintf(buf, len, "%dm%02ds", (int)s / 60, (int)s % 60);
    else
        snprintf(buf, len, "%dh%02dm", (int)s / 3600, (int)s % 3600 / 60);
}

/* The progress line's words, the batch's and --maximize's alike: runs
 * done of the total, the rate, the time left, and the runs that violated a
 * property so far. */
static void progress_text(char *text, size_t len, uint64_t done,
                          uint64_t total, uint64_t started_ns,
                          uint64_t violations)
{
    double elapsed = (double)(uv_hrtime() - started_ns) / 1e9;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    char eta[32];
    format_duration(eta, sizeof eta,
                    rate > 0 ? (double)(total - done) / rate : -1);
    snprintf(text, len,
             "%llu/%llu runs  %.0f runs/s  ETA %s  %llu violation%s",
             (unsigned long long)done, (unsigned long long)total, rate, eta,
             (unsigned long long)violations, violations == 1 ? "" : "s");
}

static void draw_progress(struct batch *b)
{
    size_t done = 0, violations = 0;
    for (unsigned j = 0; j < b->worker_count; j++) {
        done += atomic_load_explicit(&b->workers[j].done,
                                     memory_order_relaxed);
        violations += atomic_load_explicit(&b->workers[j].violations,
                                           memory_order_relaxed);
    }
    char text[160];
    progress_text(text, sizeof text, done, b->count, b->started_ns,
                  violations);
    cli_progress_line_draw(&b->progress, text);
}

static void on_timer(uv_timer_t *timer)
{
    draw_progress(timer->data);
}

static void after_work(uv_work_t *req, int status)
{
    struct batch *b = ((struct worker *)req->data)->batch;
    if (--b->workers_left == 0 && b->plan->progress) {
        uv_timer_stop(&b->timer);
        uv_close((uv_handle_t *)&b->timer, NULL);
    }
}

static int run_batch(struct batch *b, struct disco_error *err)
{
    unsigned workers = b->plan->jobs;
    /* A synchronizer's given tree or partition lives in a process-wide
     * slot with a copy of the graph, which each run's set-up replaces when
     * the graph changes: one run at a time.  (The other forms set their
     * slot up once and only read it after.) */
    if (b->plan->opts.synchronizer &&
        disco_synchronizer_given(b->plan->opts.synchronizer))
        workers = 1;
    if (workers > b->count)
        workers = b->count ? (unsigned)b->count : 1;
#ifdef __GLIBC__
    /* Every run frees its simulation, and glibc gives the top of a
     * thread's heap back to the system (madvise) as soon as 128 kB lie
     * free there, only for the next run to fault the pages in again: with
     * two threads, each give-back also stops the other core to flush its
     * TLB.  Keeping up to 64 MB per thread makes the batch's runs reuse
     * the same memory (and fixes the mmap threshold, which this turns
     * off adapting, at its largest). */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    /* The pool's size is read once, at its first use in the process. */
    char size[16];
    snprintf(size, sizeof size, "%u", workers);
    setenv("UV_THREADPOOL_SIZE", size, 1);

    const struct disco_algorithm *alg = b->plan->alg;
    size_t runs = b->count ? b->count : 1;
    b->kind_stride = alg->kind_count + 1;
    b->holds_stride = alg->property_count + 1;
    b->by_kind = calloc(runs * b->kind_stride, sizeof *b->by_kind);
    b->holds = calloc(runs, b->holds_stride);
    b->workers = aligned_alloc(CACHE_LINE, workers * sizeof *b->workers);
    uv_work_t *reqs = calloc(workers, sizeof *reqs);
    uv_loop_t loop;
    if (!b->by_kind || !b->holds || !b->workers || !reqs) {
        free(reqs);
        return disco_fail(err, DISCO_ENOMEM,
                          "--seeds %llu: out of memory for the results of "
                          "its %zu runs",
                          (unsigned long long)b->plan->seeds, b->count);
    }
    if (uv_loop_init(&loop) != 0) {
        free(reqs);
        return disco_fail(err, DISCO_ENOMEM, "cannot start the thread pool");
    }
    b->worker_count = workers;
    b->workers_left = workers;
    b->started_ns = uv_hrtime();
    atomic_init(&b->next, 0);
    if (b->plan->progress) {
        uv_timer_init(&loop, &b->timer);
        b->timer.data = b;
        uv_timer_start(&b->timer, on_timer, PROGRESS_REDRAW_MS,
                       PROGRESS_REDRAW_MS);
    }
    for (unsigned j = 0; j < workers; j++) {
        b->workers[j].batch = b;
        atomic_init(&b->workers[j].done, 0);
        atomic_init(&b->workers[j].violations, 0);
        reqs[j].data = &b->workers[j];
        uv_queue_work(&loop, &reqs[j], work, after_work);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    free(reqs);
    cli_progress_line_erase(&b->progress);
    return 0;
}

/* Refuse a batch whose results cannot all be kept in this machine's
 * memory, before anything is allocated or run: every run's record, its
 * by_kind and holds, its run number, and report()'s scratch value. */
static int check_batch_memory(const struct plan *p, size_t runs,
                              struct disco_error *err)
{
    const struct disco_algorithm *alg = p->alg;
    size_t per_run = sizeof(struct record) + sizeof(size_t) +
                     (alg->kind_count + 1) * sizeof(uint64_t) +
                     alg->property_count + 1 + sizeof(uint64_t);
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double have = pages > 0 && page > 0 ? (double)pages * (double)page : 0;
    double need = (double)runs * (double)per_run;
    if ((have > 0 && need > have) || runs > SIZE_MAX / per_run) {
        char n[32];
        cli_with_commas(n, sizeof n, runs);
        double gb = 1024.0 * 1024.0 * 1024.0;
        return disco_fail(err, DISCO_ELIMIT,
                          "--seeds %llu would need about %.0f GB of memory "
                          "for the results of its %s runs (this machine "
                          "has %.0f GB)",
                          (unsigned long long)p->seeds,
                          need / gb < 1 ? 1 : need / gb, n, have / gb);
    }
    return 0;
}

/* Free the records and what they point into. */
static void batch_release(struct batch *b)
{
    for (size_t k = 0; k < b->count; k++)
        record_release(&b->records[k]);
    free(b->records);
    free(b->runs);
    free(b->by_kind);
    free(b->holds);
    free(b->workers);
    b->records = NULL;
    b->runs = NULL;
    b->by_kind = NULL;
    b->holds = NULL;
    b->workers = NULL;
    b->count = 0;
}

/* ------------------------------------------------------------------------ */
/* The CSV: one row per run, the same bytes whatever --jobs and --shard.     */

static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

static void csv_header(FILE *out, const struct disco_algorithm *alg)
{
    fputs("run,algorithm,topology,n,channels,seed,messages", out);
    for (unsigned k = 0; k < alg->kind_count; k++) {
        fputs(",messages_", out);
        csv_field(out, alg->message_kinds[k]);
    }
    fputs(",events,time,causal_depth,rounds,delivered,dropped,duplicated,"
          "terminated,verdict",
          out);
    for (unsigned i = 0; i < alg->property_count; i++) {
        fputs(",holds_", out);
        csv_field(out, alg->properties[i].name);
    }
    putc('\n', out);
}

static void csv_row(FILE *out, const struct plan *p, size_t run,
                    const struct record *r)
{
    const struct disco_algorithm *alg = p->alg;
    fprintf(out, "%zu,", run);
    csv_field(out, alg->name);
    putc(',', out);
    csv_field(out, r->spec);
    fprintf(out, ",%u,%u,%llu,%llu", r->nodes, r->channels,
            (unsigned long long)(p->first_seed + run % p->seeds),
            (unsigned long long)r->messages);
    for (unsigned k = 0; k < alg->kind_count; k++)
        fprintf(out, ",%llu", (unsigned long long)r->by_kind[k]);
    fprintf(out, ",%llu,%llu,%llu,", (unsigned long long)r->events,
            (unsigned long long)r->time, (unsigned long long)r->causal_depth);
    if (r->sync)
        fprintf(out, "%llu", (unsigned long long)r->rounds);
    else
        fputs("NA", out);
    fprintf(out, ",%llu,%llu,%llu,%d,%s", (unsigned long long)r->delivered,
            (unsigned long long)r->dropped, (unsigned long long)r->duplicated,
            r->terminated ? 1 : 0, r->pass ? "pass" : "fail");
    for (unsigned i = 0; i < alg->property_count; i++)
        fputs(r->holds[i] == DISCO_HOLDS_YES  ? ",1"
              : r->holds[i] == DISCO_HOLDS_NO ? ",0"
                                              : ",NA",
              out);
    putc('\n', out);
}

/* Written and closed into `file`; the caller renames it (commit). */
static int write_csv(const struct plan *p, const struct batch *b,
                     struct cli_outfile *file, struct disco_error *err)
{
    int rc = cli_outfile_open(file, p->csv, err);
    if (rc)
        return rc;
    csv_header(file->stream, p->alg);
    for (size_t k = 0; k < b->count; k++)
        csv_row(file->stream, p, b->runs[k], &b->records[k]);
    return cli_outfile_close(file, err);
}

/* ------------------------------------------------------------------------ */
/* Statistics.                                                               */

/* The k-th smallest of a[0..n) (0-based), reordering a: Hoare's FIND, in
 * linear time on average where sorting took n log n, and at its best when
 * many values are equal (the common case: runs of one topology often
 * send the same number of messages). */
static uint64_t kth_smallest(uint64_t *a, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;
    while (lo < hi) {
        uint64_t pivot = a[want];
        ptrdiff_t i = lo, j = hi;
        do {
            while (a[i] < pivot)
                i++;
            while (pivot < a[j])
                j--;
            if (i <= j) {
                uint64_t x = a[i];
                a[i] = a[j];
                a[j] = x;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < want)
            lo = i;
        if (want < i)
            hi = j;
    }
    return a[want];
}

struct stats {
    uint64_t min, median, max;
    double mean;
};

/* Over the records whose index is in [from, to), of one field. */
static struct stats stats_of(const struct batch *b, size_t from, size_t to,
                             size_t offset, uint64_t *scratch)
{
    struct stats s = {0, 0, 0, 0};
    size_t n = 0;
    double sum = 0;
    for (size_t k = from; k < to; k++) {
        const struct record *r = &b->records[k];
        if (r->rc)
            continue;
        uint64_t x = *(const uint64_t *)((const char *)r + offset);
        if (n == 0 || x < s.min)
            s.min = x;
        if (n == 0 || x > s.max)
            s.max = x;
        scratch[n++] = x;
        sum += (double)x;
    }
    if (n == 0)
        return s;
    /* The lower median: a real run's value. */
    s.median = kth_smallest(scratch, n, (n - 1) / 2);
    s.mean = sum / (double)n;
    return s;
}

/* ------------------------------------------------------------------------ */
/* Shrinking: smaller variants that keep the violation.                      */

#define SHRINK_BUDGET 300

/* Families whose numbers are sizes, and how many of them lead the spec. */
static int size_fields(const char *spec)
{
    static const struct {
        const char *family;
        int sizes;
    } families[] = {
        {"uring", 1}, {"ring", 1},  {"line", 1},      {"star", 1},
        {"complete", 1}, {"btree", 1}, {"tree", 1},   {"hypercube", 1},
        {"gnp", 1},   {"regular", 1}, {"grid", 2},    {"torus", 2},
    };
    const char *colon = strchr(spec, ':');
    if (!colon)
        return 0;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (strlen(families[i].family) == (size_t)(colon - spec) &&
            !strncmp(spec, families[i].family, (size_t)(colon - spec)))
            return families[i].sizes;
    return 0;
}

/* Replace size field `field` (0 or 1) of spec by `value`; false when the
 * spec has no such field. */
static bool spec_with_size(const char *spec, int field, uint64_t value,
                           char *out, size_t len, uint64_t *old)
{
    const char *p = strchr(spec, ':');
    if (!p)
        return false;
    p++;
    for (int f = 0; f < field; f++) {
        p += strspn(p, "0123456789");
        if (*p != 'x' && *p != ':')
            return false;
        p++;
    }
    size_t digits = strspn(p, "0123456789");
    if (digits == 0)
        return false;
    *old = strtoull(p, NULL, 10);
    snprintf(out, len, "%.*s%llu%s", (int)(p - spec), spec,
             (unsigned long long)value, p + digits);
    return true;
}

struct shrinker {
    struct plan *plan;
    unsigned prop;
    int tries;
};

/* Does `v` still violate the property?  Errors (a list of ids that no
 * longer fits, a ring too small) count as no. */
static bool still_fails(struct shrinker *s, const struct variant *v,
                        struct record *r)
{
    if (s->tries >= SHRINK_BUDGET)
        return false;
    s->tries++;
    run_variant(s->plan, v, r, NULL, false);
    bool fails = violates(s->plan->alg, r, s->prop);
    return fails;
}

/* Greedy: keep any candidate that still fails, until none does. */
static void shrink(struct plan *p, unsigned prop, struct variant *v,
                   struct record *best)
{
    struct shrinker s = {p, prop, 0};
    struct record r;
    bool progress = true;
    while (progress && s.tries < SHRINK_BUDGET) {
        progress = false;
        /* Fewer nodes: halve a size, else take one off. */
        for (int f = 0; f < size_fields(v->topology); f++) {
            for (;;) {
                uint64_t old;
                char spec[256];
                if (!spec_with_size(v->topology, f, 0, spec, sizeof spec,
                                    &old) ||
                    old <= 1)
                    break;
                bool took = false;
                uint64_t tries[2] = {old / 2, old - 1};
                for (int t = 0; t < 2 && !took; t++) {
                    if (tries[t] < 1 || (t == 1 && tries[1] == tries[0]))
                        continue;
                    struct variant c = *v;
                    spec_with_size(v->topology, f, tries[t], c.topology,
                                   sizeof c.topology, &old);
                    if (still_fails(&s, &c, &r)) {
                        *v = c;
                        record_release(best);
                        *best = r;
                        took = progress = true;
                    } else {
                        record_release(&r);
                    }
                }
                if (!took)
                    break;
            }
        }
        /* Fewer faults. */
        for (int k = 0; k < FAULT_LISTS; k++) {
            for (int i = 0; i < v->fault_count[k];) {
                struct variant c = *v;
                memmove(&c.faults[k][i], &c.faults[k][i + 1],
                        (size_t)(c.fault_count[k] - i - 1) *
                            sizeof c.faults[k][0]);
                c.fault_count[k]--;
                if (still_fails(&s, &c, &r)) {
                    *v = c;
                    record_release(best);
                    *best = r;
                    progress = true;
                } else {
                    record_release(&r);
                    i++;
                }
            }
        }
        /* The shortest delays. */
        if (strcmp(v->delay, "const:1") != 0 && !best->sync) {
            struct variant c = *v;
            snprintf(c.delay, sizeof c.delay, "const:1");
            if (still_fails(&s, &c, &r)) {
                *v = c;
                record_release(best);
                *best = r;
                progress = true;
            } else {
                record_release(&r);
            }
        }
        /* An earlier bound: only for violations that show before the end. */
        while (best->time > 1 && prop < p->alg->property_count) {
            struct variant c = *v;
            c.max_time = best->time / 2;
            if (c.max_time == 0 || (v->max_time && c.max_time >= v->max_time))
                break;
            if (still_fails(&s, &c, &r)) {
                *v = c;
                record_release(best);
                *best = r;
                progress = true;
            } else {
                record_release(&r);
                break;
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Reports.                                                                  */

#define SHOWN_PER_PROPERTY 3

/* The --topology a command names: the run's own spec, except for a
 * scenario's graph, which the scenario file brings itself. */
static const char *shown_spec(const struct plan *p, const struct variant *v,
                              const struct record *r)
{
    if (v->topology[0])
        return v->topology;
    return disco_is_scenario_path(p->target) ? NULL : r->spec;
}

static const char *prop_name(const struct disco_algorithm *alg, unsigned i)
{
    return i < alg->property_count ? alg->properties[i].name : "terminates";
}

/* A metric's statistics, or null over no runs (a shard with none): no
 * run had the 0s stats_of would give. */
static void put_json_u64s(FILE *out, const char *name, struct stats s,
                          size_t runs)
{
    if (!runs) {
        fprintf(out, "\"%s\": null", name);
        return;
    }
    fprintf(out, "\"%s\": {\"min\": %llu, \"median\": %llu, \"max\": %llu}",
            name, (unsigned long long)s.min, (unsigned long long)s.median,
            (unsigned long long)s.max);
}

/* The first violation of each property, shrunk; returns how many. */
struct shrunk {
    size_t k;            /* index into the batch */
    struct variant v;
    struct record r;
    bool done;
};

static void report(struct plan *p, struct batch *b, struct shrunk *shrunk,
                   size_t *violation_count)
{
    const struct disco_algorithm *alg = p->alg;
    unsigned props = alg->property_count + 1;
    uint64_t *scratch = malloc((b->count ? b->count : 1) * sizeof *scratch);
    if (!scratch)
        return;
    struct stats msg = stats_of(b, 0, b->count,
                                offsetof(struct record, messages), scratch);
    struct stats tim =
        stats_of(b, 0, b->count, offsetof(struct record, time), scratch);
    free(scratch);
    size_t failing = 0;
    for (size_t k = 0; k < b->count; k++)
        failing += !b->records[k].pass;
    *violation_count = failing;

    if (p->json) {
        fputs("{\"algorithm\": ", stdout);
        disco_json_string(stdout, alg->name);
        fputs(", \"topologies\": [", stdout);
        for (size_t t = 0; t < p->topology_count; t++) {
            fputs(t ? ", " : "", stdout);
            /* The default topology by the name preflight found for it,
             * which a shard without runs has too. */
            disco_json_string(stdout, p->topologies.count
                                          ? p->topologies.items[t]
                                          : (p->specs.count ? p->specs.items[0]
                                                            : ""));
        }
        fprintf(stdout,
                "], \"first_seed\": %llu, \"seeds\": %llu, "
                "\"shard\": \"%llu/%llu\", \"runs\": %zu, \"failed_runs\": "
                "%zu,\n \"violations\": {",
                (unsigned long long)p->first_seed,
                (unsigned long long)p->seeds, (unsigned long long)p->shard,
                (unsigned long long)p->shards, b->count, failing);
        for (unsigned i = 0; i < props; i++) {
            size_t n = 0;
            for (size_t k = 0; k < b->count; k++)
                n += violates(alg, &b->records[k], i);
            fputs(i ? ", " : "", stdout);
            disco_json_string(stdout, prop_name(alg, i));
            fprintf(stdout, ": %zu", n);
        }
        fputs("},\n ", stdout);
        put_json_u64s(stdout, "messages", msg, b->count);
        fputs(", ", stdout);
        put_json_u64s(stdout, "time", tim, b->count);
        fputs(",\n \"failures\": [", stdout);
        bool first = true;
        for (unsigned i = 0; i < props; i++) {
            size_t shown = 0;
            for (size_t k = 0; k < b->count && shown < SHOWN_PER_PROPERTY;
                 k++) {
                const struct record *r = &b->records[k];
                if (!violates(alg, r, i))
                    continue;
                shown++;
                struct variant v;
                variant_of_run(p, b->runs[k], &v);
                fputs(first ? "\n  {\"property\": " : ",\n  {\"property\": ",
                      stdout);
                first = false;
                disco_json_string(stdout, prop_name(alg, i));
                fprintf(stdout, ", \"run\": %zu, \"seed\": %llu, "
                                "\"topology\": ",
                        b->runs[k], (unsigned long long)v.seed);
                disco_json_string(stdout, r->spec);
                fputs(", \"detail\": ", stdout);
                disco_json_string(stdout, i < alg->property_count && r->detail
                                              ? r->detail[i]
                                              : "stopped by a bound");
                char *cmd = memstream_command(p, &v, shown_spec(p, &v, r));
                if (cmd) {
                    fputs(", \"command\": ", stdout);
                    disco_json_string(stdout, cmd);
                }
                free(cmd);
                if (shrunk[i].done && shrunk[i].k == k) {
                    cmd = memstream_command(p, &shrunk[i].v,
                                            shrunk[i].v.topology);
                    if (cmd) {
                        fputs(", \"shrunk\": ", stdout);
                        disco_json_string(stdout, cmd);
                        fprintf(stdout, ", \"shrunk_nodes\": %u",
                                shrunk[i].r.nodes);
                    }
                    free(cmd);
                }
                putc('}', stdout);
            }
        }
        fprintf(stdout, "%s],\n \"verdict\": \"%s\"}\n", first ? "" : "\n ",
                failing ? "fail" : "pass");
        return;
    }

    /* For people. */
    printf("%s: %zu run%s", alg->name, b->count, b->count == 1 ? "" : "s");
    if (p->seeds == 1)
        printf(", seed %llu", (unsigned long long)p->first_seed);
    else
        printf(", seeds %llu..%llu", (unsigned long long)p->first_seed,
               (unsigned long long)(p->first_seed + p->seeds - 1));
    if (p->topology_count == 1)
        printf(", on %s", p->topologies.count ? p->topologies.items[0]
                          : p->specs.count       ? p->specs.items[0]
                                                 : "");
    else
        printf(", on %zu topologies", p->topology_count);
    if (p->shards > 1)
        printf(" (shard %llu/%llu)", (unsigned long long)p->shard,
               (unsigned long long)p->shards);
    printf("\n\n");
    int width = 10;
    for (unsigned i = 0; i < props; i++) {
        int len = (int)strlen(prop_name(alg, i));
        width = len > width ? len : width;
    }
    printf("  %-*s  violations\n", width, "property");
    for (unsigned i = 0; i < props; i++) {
        if (i == alg->property_count) {
            bool must = false;
            for (unsigned j = 0; j < alg->property_count; j++)
                must |= alg->properties[j].needs_termination;
            if (!must)
                continue;
        }
        size_t n = 0;
        for (size_t k = 0; k < b->count; k++)
            n += violates(alg, &b->records[k], i);
        printf("  %-*s  %zu\n", width, prop_name(alg, i), n);
    }
    printf("\n  %-*s  %10s %10s %10s\n", width, "metric", "min", "median",
           "max");
    if (!b->count) {
        printf("  %-*s  %10s %10s %10s\n", width, "messages", "-", "-", "-");
        printf("  %-*s  %10s %10s %10s\n", width, "time", "-", "-", "-");
    } else {
        printf("  %-*s  %10llu %10llu %10llu\n", width, "messages",
               (unsigned long long)msg.min, (unsigned long long)msg.median,
               (unsigned long long)msg.max);
        printf("  %-*s  %10llu %10llu %10llu\n", width, "time",
               (unsigned long long)tim.min, (unsigned long long)tim.median,
               (unsigned long long)tim.max);
    }

    for (unsigned i = 0; i < props; i++) {
        size_t n = 0, shown = 0;
        for (size_t k = 0; k < b->count; k++)
            n += violates(alg, &b->records[k], i);
        if (!n)
            continue;
        printf("\n%s violated in %zu run%s:\n", prop_name(alg, i), n,
               n == 1 ? "" : "s");
        for (size_t k = 0; k < b->count && shown < SHOWN_PER_PROPERTY; k++) {
            const struct record *r = &b->records[k];
            if (!violates(alg, r, i))
                continue;
            shown++;
            struct variant v;
            variant_of_run(p, b->runs[k], &v);
            printf("  seed %llu on %s: %s\n    ", (unsigned long long)v.seed,
                   r->spec,
                   i < alg->property_count && r->detail
                       ? r->detail[i]
                       : "stopped by a bound before terminating");
            put_command(stdout, p, &v, shown_spec(p, &v, r));
            putchar('\n');
            if (shrunk[i].done && shrunk[i].k == k) {
                printf("    shrunk to %u node%s: ", shrunk[i].r.nodes,
                       shrunk[i].r.nodes == 1 ? "" : "s");
                put_command(stdout, p, &shrunk[i].v, shrunk[i].v.topology);
                putchar('\n');
            }
        }
        if (n > shown)
            printf("  ... and %zu more\n", n - shown);
    }
    printf("\nverdict: %s (%zu of %zu run%s failed)\n",
           failing ? "fail" : "pass", failing, b->count,
           b->count == 1 ? "" : "s");
}

/* ------------------------------------------------------------------------ */
/* --maximize: the largest metric found over id placements and seeds.       */

enum metric { METRIC_MESSAGES, METRIC_TIME, METRIC_ROUNDS };

static uint64_t metric_of(enum metric m, const struct record *r)
{
    return m == METRIC_MESSAGES ? r->messages
           : m == METRIC_TIME   ? r->time
                                : r->rounds;
}

static void ids_text(char *buf, size_t len, const int64_t *ids, uint32_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < n && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%lld",
                                 i ? "," : "", (long long)ids[i]);
}

/* A violation the search came upon, kept to be shown with its command. */
struct found {
    unsigned prop;
    uint64_t seed;
    char *spec, *detail, *command;
};

/* One topology's search: its runs, and every run checked against the
 * properties as a batch's are, the violations counted and the first
 * SHOWN_PER_PROPERTY of each property kept.  The progress line counts the
 * runs of every topology against all their budgets. */
struct search {
    struct plan *p;
    uint64_t spent;        /* this topology's runs */
    uint64_t failed;       /* this topology's runs that violated a property */
    size_t *violations;    /* per property, and terminates last */
    struct found *found;   /* SHOWN_PER_PROPERTY slots per property */
    size_t *shown;         /* per property: slots filled */
    /* The progress line, drawn between runs (the search has one thread). */
    uint64_t done, total, failed_total;
    uint64_t started_ns, next_draw_ns;
    struct cli_progress_line line;
};


static void search_forget(struct search *s)
{
    unsigned props = s->p->alg->property_count + 1;
    for (unsigned i = 0; i < props; i++) {
        for (size_t j = 0; j < s->shown[i]; j++) {
            struct found *f = &s->found[i * SHOWN_PER_PROPERTY + j];
            free(f->spec);
            free(f->detail);
            free(f->command);
        }
        s->shown[i] = 0;
        s->violations[i] = 0;
    }
    s->spent = s->failed = 0;
}

/* Run `c` into `r` (released by the caller), as one of the search's runs:
 * counted, checked against the properties, and the progress line redrawn
 * when due.  Returns run_variant's status. */
static int search_run(struct search *s, const struct variant *c,
                      struct record *r)
{
    struct plan *p = s->p;
    const struct disco_algorithm *alg = p->alg;
    s->spent++;
    s->done++;
    int rc = run_variant(p, c, r, NULL, false);
    if (!rc && !r->pass) {
        s->failed++;
        s->failed_total++;
    }
    for (unsigned i = 0; !rc && i <= alg->property_count; i++) {
        if (!violates(alg, r, i))
            continue;
        s->violations[i]++;
        if (s->shown[i] >= SHOWN_PER_PROPERTY)
            continue;
        struct found *f = &s->found[i * SHOWN_PER_PROPERTY + s->shown[i]++];
        f->prop = i;
        f->seed = c->seed;
        f->spec = strdup(r->spec);
        f->detail = strdup(i < alg->property_count && r->detail
                               ? r->detail[i]
                               : "stopped by a bound before terminating");
        f->command = memstream_command(p, c, shown_spec(p, c, r));
    }
    if (p->progress) {
        uint64_t now = uv_hrtime();
        if (now >= s->next_draw_ns) {
            char text[160];
            progress_text(text, sizeof text, s->done, s->total,
                          s->started_ns, s->failed_total);
            cli_progress_line_draw(&s->line, text);
            s->next_draw_ns = now + (PROGRESS_REDRAW_MS * 1000000u);
        }
    }
    return rc;
}

/* The violations of one topology's search, after its result: nothing when
 * every run held, so that such a search prints what it always did. */
static void search_report(const struct search *s)
{
    const struct disco_algorithm *alg = s->p->alg;
    unsigned props = alg->property_count + 1;
    if (!s->failed)
        return;
    if (s->p->json) {
        fprintf(stdout, ", \"failed_runs\": %llu, \"violations\": {",
                (unsigned long long)s->failed);
        for (unsigned i = 0; i < props; i++) {
            fputs(i ? ", " : "", stdout);
            disco_json_string(stdout, prop_name(alg, i));
            fprintf(stdout, ": %zu", s->violations[i]);
        }
        fputs("}, \"failures\": [", stdout);
        bool first = true;
        for (unsigned i = 0; i < props; i++)
            for (size_t j = 0; j < s->shown[i]; j++) {
                const struct found *f = &s->found[i * SHOWN_PER_PROPERTY + j];
                fputs(first ? "{\"property\": " : ", {\"property\": ",
                      stdout);
                first = false;
                disco_json_string(stdout, prop_name(alg, i));
                fprintf(stdout, ", \"seed\": %llu, \"topology\": ",
                        (unsigned long long)f->seed);
                disco_json_string(stdout, f->spec ? f->spec : "");
                fputs(", \"detail\": ", stdout);
                disco_json_string(stdout, f->detail ? f->detail : "");
                fputs(", \"command\": ", stdout);
                disco_json_string(stdout, f->command ? f->command : "");
                putc('}', stdout);
            }
        fputs("], \"verdict\": \"fail\"", stdout);
        return;
    }
    for (unsigned i = 0; i < props; i++) {
        size_t n = s->violations[i];
        if (!n)
            continue;
        printf("\n%s violated in %zu of the %llu runs searched:\n",
               prop_name(alg, i), n, (unsigned long long)s->spent);
        for (size_t j = 0; j < s->shown[i]; j++) {
            const struct found *f = &s->found[i * SHOWN_PER_PROPERTY + j];
            printf("  seed %llu on %s: %s\n    %s\n",
                   (unsigned long long)f->seed, f->spec ? f->spec : "",
                   f->detail ? f->detail : "", f->command ? f->command : "");
        }
        if (n > s->shown[i])
            printf("  ... and %zu more\n", n - s->shown[i]);
    }
    printf("\nverdict: fail (%llu of %llu run%s failed)\n",
           (unsigned long long)s->failed, (unsigned long long)s->spent,
           s->spent == 1 ? "" : "s");
}

static int maximize_topologies(struct plan *p, struct search *s,
                               struct disco_error *err)
{
    enum metric metric = !strcmp(p->maximize, "messages") ? METRIC_MESSAGES
                         : !strcmp(p->maximize, "time")   ? METRIC_TIME
                                                          : METRIC_ROUNDS;
    const struct disco_algorithm *alg = p->alg;
    int status = CLI_EXIT_PASS;
    for (size_t t = 0; t < p->topology_count; t++) {
        struct variant v;
        variant_of_run(p, t * p->seeds, &v);
        struct record r;
        if (run_variant(p, &v, &r, NULL, false)) {
            int rc = disco_fail(err, r.rc, "%s", r.error);
            record_release(&r);
            return rc;
        }
        uint32_t n = r.nodes;
        bool sync = r.sync;
        record_release(&r);
        /* Rounds are counted in synchronous runs only: an asynchronous
         * one's are all 0, and the search would report a worst case of 0. */
        if (metric == METRIC_ROUNDS && !sync)
            return disco_fail(err, DISCO_EINVAL,
                              "--maximize rounds needs a synchronous run "
                              "(--sync): %s runs asynchronously; maximize "
                              "messages or time instead",
                              alg->name);
        if ((size_t)n * 21 >= sizeof v.ids)
            return disco_fail(err, DISCO_ELIMIT,
                              "--maximize searches id placements of at most "
                              "%zu nodes",
                              sizeof v.ids / 21);
        int64_t *cur = malloc(n * sizeof *cur), *best = malloc(n * sizeof *best);
        if (!cur || !best) {
            free(cur);
            free(best);
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        }
        struct disco_rng rng;
        disco_rng_init(&rng, p->first_seed, 0x6d6178696d697a65ull);
        uint64_t best_value = 0;
        search_forget(s);
        struct variant best_v = v;
        struct record best_r;
        memset(&best_r, 0, sizeof best_r);
        bool have = false;
        uint64_t seeds_used = 0;
        /* Random restarts, each climbed by swapping two ids while a swap
         * makes the metric worse (larger); the seed changes per restart so
         * that delays are searched as well. */
        while (s->spent < p->budget) {
            uint64_t seed = p->first_seed + seeds_used++ % p->seeds;
            for (uint32_t i = 0; i < n; i++)
                cur[i] = i + 1;
            for (uint32_t i = n; i > 1; i--) {
                uint32_t j = (uint32_t)disco_rng_below(&rng, i);
                int64_t x = cur[i - 1];
                cur[i - 1] = cur[j];
                cur[j] = x;
            }
            uint64_t local = 0;
            {
                struct variant c = v;
                c.seed = seed;
                ids_text(c.ids, sizeof c.ids, cur, n);
                struct record r0;
                if (search_run(s, &c, &r0) == 0) {
                    local = metric_of(metric, &r0);
                    if (!have || local > best_value) {
                        have = true;
                        best_value = local;
                        best_v = c;
                        memcpy(best, cur, n * sizeof *cur);
                        record_release(&best_r);
                        best_r = r0;
                    } else {
                        record_release(&r0);
                    }
                } else {
                    record_release(&r0);
                    continue;
                }
            }
            bool climbing = true;
            while (climbing && s->spent < p->budget) {
                climbing = false;
                for (uint32_t i = 0; i < n && s->spent < p->budget; i++) {
                    for (uint32_t j = i + 1; j < n && s->spent < p->budget;
                         j++) {
                        int64_t x = cur[i];
                        cur[i] = cur[j];
                        cur[j] = x;
                        struct variant c = v;
                        c.seed = seed;
                        ids_text(c.ids, sizeof c.ids, cur, n);
                        struct record r1;
                        uint64_t value = 0;
                        bool ok = search_run(s, &c, &r1) == 0;
                        if (ok)
                            value = metric_of(metric, &r1);
                        if (ok && value > local) {
                            local = value;
                            climbing = true;
                            if (value > best_value) {
                                best_value = value;
                                best_v = c;
                                memcpy(best, cur, n * sizeof *cur);
                                record_release(&best_r);
                                best_r = r1;
                            } else {
                                record_release(&r1);
                            }
                        } else {
                            record_release(&r1);
                            cur[j] = cur[i];
                            cur[i] = x;
                        }
                    }
                }
            }
        }
        /* The search's own runs are done: its line gives way to the
         * result (and is drawn again by the next topology's runs). */
        cli_progress_line_erase(&s->line);
        if (!have) {
            free(cur);
            free(best);
            return disco_fail(err, DISCO_EINVAL,
                              "--maximize found no run that completes");
        }
        if (p->json) {
            fputs("{\"algorithm\": ", stdout);
            disco_json_string(stdout, alg->name);
            fputs(", \"topology\": ", stdout);
            disco_json_string(stdout, best_r.spec);
            fprintf(stdout, ", \"maximize\": \"%s\", \"value\": %llu, "
                            "\"runs\": %llu, \"messages\": %llu, "
                            "\"messages_by_kind\": {",
                    p->maximize, (unsigned long long)best_value,
                    (unsigned long long)s->spent,
                    (unsigned long long)best_r.messages);
            for (unsigned k = 0; k < alg->kind_count; k++) {
                fputs(k ? ", " : "", stdout);
                disco_json_string(stdout, alg->message_kinds[k]);
                fprintf(stdout, ": %llu", (unsigned long long)best_r.by_kind[k]);
            }
            fprintf(stdout, "}, \"time\": %llu, \"seed\": %llu, \"command\": ",
                    (unsigned long long)best_r.time,
                    (unsigned long long)best_v.seed);
            char *cmd = memstream_command(p, &best_v, best_r.spec);
            if (cmd)
                disco_json_string(stdout, cmd);
            free(cmd);
            search_report(s);
            fputs("}\n", stdout);
        } else {
            /* The largest found, not the worst case: the search samples
             * the placements, it does not go through them all. */
            printf("largest %s found for %s on %s in %llu runs: %llu\n",
                   p->maximize, alg->name, best_r.spec,
                   (unsigned long long)s->spent,
                   (unsigned long long)best_value);
            printf("  messages %llu (", (unsigned long long)best_r.messages);
            for (unsigned k = 0; k < alg->kind_count; k++)
                printf("%s%s %llu", k ? ", " : "", alg->message_kinds[k],
                       (unsigned long long)best_r.by_kind[k]);
            printf("), time %llu", (unsigned long long)best_r.time);
            if (best_r.sync)
                printf(", rounds %llu", (unsigned long long)best_r.rounds);
            printf("\n  ");
            put_command(stdout, p, &best_v, best_r.spec);
            putchar('\n');
            search_report(s);
        }
        /* Any run of the search that violated a property fails the check,
         * as any run of a batch does, not only the largest one found. */
        if (s->failed)
            status = CLI_EXIT_FAIL;
        record_release(&best_r);
        free(cur);
        free(best);
    }
    return status;
}

static int maximize(struct plan *p, struct disco_error *err)
{
    unsigned props = p->alg->property_count + 1;
    struct search s;
    memset(&s, 0, sizeof s);
    s.p = p;
    s.violations = calloc(props, sizeof *s.violations);
    s.shown = calloc(props, sizeof *s.shown);
    s.found = calloc((size_t)props * SHOWN_PER_PROPERTY, sizeof *s.found);
    if (!s.violations || !s.shown || !s.found) {
        free(s.violations);
        free(s.shown);
        free(s.found);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    s.total = p->budget > UINT64_MAX / p->topology_count
                  ? UINT64_MAX
                  : p->budget * p->topology_count;
    s.started_ns = uv_hrtime();
    s.next_draw_ns = s.started_ns + (PROGRESS_REDRAW_MS * 1000000u);
    int rc = maximize_topologies(p, &s, err);
    /* An error's line on stderr must not land on the progress line. */
    cli_progress_line_erase(&s.line);
    search_forget(&s);
    free(s.violations);
    free(s.shown);
    free(s.found);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Options.                                                                  */

enum {
    CHECK_SEEDS = 1000,
    CHECK_FIRST_SEED,
    CHECK_JOBS,
    CHECK_SHARD,
    CHECK_CSV,
    CHECK_PLOT,
    CHECK_JSON,
    CHECK_COUNTEREXAMPLE,
    CHECK_NO_SHRINK,
    CHECK_MAXIMIZE,
    CHECK_BUDGET,
    CHECK_PROGRESS,
    CHECK_HELP,
};

/* sweep --plot FILE.svg writes its script FILE.gp beside it. */
static char *plot_script(const char *plot)
{
    size_t len = strlen(plot);
    char *gp = malloc(len + 1);
    if (gp) {
        memcpy(gp, plot, len - 4);
        memcpy(gp + len - 4, ".gp", 4);
    }
    return gp;
}

/* The script is written after the CSV too: a bad path refused now. */
static int check_plot_script(const char *plot, struct disco_error *err)
{
    char *gp = plot_script(plot);
    int rc = gp ? cli_check_writable(gp, err)
                : disco_fail(err, DISCO_ENOMEM, "out of memory");
    free(gp);
    return rc;
}

/* No two outputs may name one file: the counterexample directory and what
 * it will hold (a run with --out, see run_variant), the CSV, the plot and
 * its script. */
static int check_output_paths(const struct plan *p, struct disco_error *err)
{
    struct cli_output_paths set = {0};
    const char *ce = p->counterexample;
    int rc = 0;
    if (ce && !(rc = cli_output_paths_add(&set, "--counterexample", NULL, ce,
                                          NULL, true, err)) &&
        !(rc = cli_output_paths_add(&set, "--counterexample", ce,
                                    "trace.jsonl", "the trace", false, err)) &&
        !(rc = cli_output_paths_add(&set, "--counterexample", ce,
                                    "spacetime.svg", "the space-time diagram",
                                    false, err)))
        rc = cli_output_paths_add(&set, "--counterexample", ce,
                                  "summary.json", "the summary", false, err);
    if (!rc && p->csv)
        rc = cli_output_paths_add(&set, "--csv", NULL, p->csv, NULL, false,
                                  err);
    if (!rc && p->plot &&
        !(rc = cli_output_paths_add(&set, "--plot", NULL, p->plot, NULL,
                                    false, err))) {
        char *gp = plot_script(p->plot);
        rc = gp ? cli_output_paths_add(&set, "--plot", NULL, gp,
                                       "the gnuplot script", false, err)
                : disco_fail(err, DISCO_ENOMEM, "out of memory");
        free(gp);
    }
    cli_output_paths_release(&set);
    return rc;
}

static const struct cli_option check_options[] = {
    {"seeds", CHECK_SEEDS, true, "N",
     "how many seeds to run (required, but for --maximize)"},
    {"first-seed", CHECK_FIRST_SEED, true, "S",
     "the first seed (default 1): seeds S..S+N-1"},
    {"jobs", CHECK_JOBS, true, "J",
     "worker threads (default: the number of processors)"},
    {"shard", CHECK_SHARD, true, "I/N",
     "run only the runs whose number is I-1 modulo N (see disco merge)"},
    {"csv", CHECK_CSV, true, "FILE",
     "one row per run (not with --maximize)"},
    {"plot", CHECK_PLOT, true, "FILE.svg",
     "sweep: each metric against n (gnuplot script FILE.gp beside it)"},
    {"json", CHECK_JSON, false, NULL, "print the summary as one JSON object"},
    {"counterexample", CHECK_COUNTEREXAMPLE, true, "DIR",
     "write the smallest failing run's trace and diagram into DIR"},
    {"no-shrink", CHECK_NO_SHRINK, false, NULL,
     "report violations without searching for smaller ones"},
    {"maximize", CHECK_MAXIMIZE, true, "METRIC",
     "messages, time or rounds (--sync): search id placements and seeds "
     "for the largest (a lower bound on the worst case); every run is "
     "checked"},
    {"budget", CHECK_BUDGET, true, "RUNS",
     "runs --maximize may spend per topology (default 3000)"},
    {"progress", CHECK_PROGRESS, true, "auto|on|off",
     "the progress line on stderr (default auto: on a terminal, TERM not dumb)"},
    {"help", CHECK_HELP, false, NULL, "show this help"},
};
#define CHECK_OPTION_COUNT (sizeof check_options / sizeof check_options[0])

/* Run options that write per-run files make no sense for many runs. */
static bool per_run_output(const char *name)
{
    static const char *const outputs[] = {"trace", "out", "dot",  "svg",
                                          "png",   "frames", "spacetime",
                                          "window", "html", "shiviz"};
    for (size_t i = 0; i < sizeof outputs / sizeof outputs[0]; i++)
        if (!strcmp(name, outputs[i]))
            return true;
    return false;
}


static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)(n > 256 ? 256 : n) : 1;
}

static int split_faults(struct plan *p, int k, const char *text,
                        struct disco_error *err)
{
    const char *item = text;
    for (;;) {
        size_t len = strcspn(item, ",");
        if (p->base.fault_count[k] >= MAX_FAULT_ITEMS)
            return disco_fail(err, DISCO_ELIMIT,
                              "disco check takes at most %d --%s items",
                              MAX_FAULT_ITEMS, fault_option[k]);
        int rc = strvec_push(&p->fault_items, item, len, err);
        if (rc)
            return rc;
        if (p->base.fault_count[k] < 0)
            p->base.fault_count[k] = 0;
        p->base.faults[k][p->base.fault_count[k]++] =
            p->fault_items.items[p->fault_items.count - 1];
        if (!item[len])
            break;
        item += len + 1;
    }
    return 0;
}

static void plan_release(struct plan *p)
{
    for (size_t t = 0; p->prebuilt && t < p->topology_count; t++)
        if (p->prebuilt[t].nodes)
            disco_topology_release(&p->prebuilt[t]);
    free(p->prebuilt);
    strvec_release(&p->topologies);
    strvec_release(&p->specs);
    strvec_release(&p->tokens);
    strvec_release(&p->fault_items);
    cli_run_options_release(&p->opts);
    if (p->needs_lock)
        uv_mutex_destroy(&p->lock);
}

/* Read argv: check's own options, then the run options through
 * cli_parse_run_options on what is left. */
static int parse_plan(int argc, char **argv, struct plan *p, bool sweep,
                      bool *help, struct disco_error *err)
{
    const char *cmd = sweep ? "sweep" : "check";
    size_t run_count = cli_run_option_count;
    struct cli_option *table =
        malloc((CHECK_OPTION_COUNT + run_count) * sizeof *table);
    char **run_argv = calloc((size_t)argc + 1, sizeof *run_argv);
    struct strvec owned = {0};
    if (!table || !run_argv) {
        free(table);
        free(run_argv);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < CHECK_OPTION_COUNT; i++)
        table[n++] = check_options[i];
    for (size_t i = 0; i < run_count; i++)
        if (strcmp(cli_run_option_table[i].name, "json") &&
            strcmp(cli_run_option_table[i].name, "help") &&
            strcmp(cli_run_option_table[i].name, "progress"))
            table[n++] = cli_run_option_table[i];

    memset(p, 0, sizeof *p);
    for (int k = 0; k < FAULT_LISTS; k++)
        p->base.fault_count[k] = -1;
    p->base.topology_index = SIZE_MAX;
    p->first_seed = 1;
    p->shard = p->shards = 1;
    p->jobs = default_jobs();
    p->shrink = !sweep;
    p->budget = 3000;
    enum cli_progress_mode progress = CLI_PROGRESS_AUTO;
    const char *seeds = NULL, *topology = NULL;
    int run_argc = 1;
    run_argv[0] = argv[0];

    struct cli_args args = {argc, argv, 1, false};
    const struct cli_option *opt;
    const char *value;
    int kind, rc = 0;
    while (!rc && (kind = cli_next_arg(&args, table, n, &opt, &value, err)) !=
                      CLI_END) {
        if (kind < 0) {
            rc = kind;
            break;
        }
        if (kind == CLI_POSITIONAL) {
            if (p->target) {
                rc = disco_fail(err, DISCO_EINVAL,
                                "unexpected argument '%s' (disco %s takes one "
                                "algorithm or scenario)",
                                value, cmd);
                break;
            }
            p->target = value;
            run_argv[run_argc++] = (char *)value;
            continue;
        }
        uint64_t x;
        switch (opt->id) {
        case CHECK_SEEDS:
            seeds = value;
            if ((rc = cli_parse_u64(value, "--seeds", &x, err)))
                break;
            if (x == 0)
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --seeds '0': expected at least 1");
            p->seeds = x;
            break;
        case CHECK_FIRST_SEED:
            rc = cli_parse_u64(value, "--first-seed", &p->first_seed, err);
            break;
        case CHECK_JOBS:
            if ((rc = cli_parse_u64(value, "--jobs", &x, err)))
                break;
            if (x == 0 || x > 1024)
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --jobs '%s': expected 1 to 1024", value);
            p->jobs = (unsigned)x;
            break;
        case CHECK_SHARD: {
            unsigned long long i = 0, of = 0;
            int used = 0;
            if (sscanf(value, "%llu/%llu%n", &i, &of, &used) != 2 ||
                value[used] || !strchr("0123456789", value[0]) || i < 1 ||
                of < 1 || i > of)
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --shard '%s': expected I/N with 1 <= I "
                                "<= N",
                                value);
            p->shard = i;
            p->shards = of;
            break;
        }
        case CHECK_CSV:
            p->csv = value;
            if (!*value)
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --csv '': empty file name");
            break;
        case CHECK_PLOT:
            p->plot = value;
            if (!sweep)
                rc = disco_fail(err, DISCO_EINVAL,
                                "--plot belongs to disco sweep");
            else if (!ends_with(value, ".svg"))
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --plot '%s': expected a FILE.svg", value);
            break;
        case CHECK_JSON:
            p->json = true;
            break;
        case CHECK_COUNTEREXAMPLE:
            p->counterexample = value;
            if (!*value)
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --counterexample '': empty directory "
                                "name");
            break;
        case CHECK_NO_SHRINK:
            p->shrink = false;
            break;
        case CHECK_MAXIMIZE:
            p->maximize = value;
            if (strcmp(value, "messages") && strcmp(value, "time") &&
                strcmp(value, "rounds"))
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --maximize '%s': expected messages, time "
                                "or rounds",
                                value);
            else if (sweep)
                rc = disco_fail(err, DISCO_EINVAL,
                                "--maximize belongs to disco check");
            break;
        case CHECK_BUDGET:
            if ((rc = cli_parse_u64(value, "--budget", &p->budget, err)))
                break;
            if (p->budget == 0)
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --budget '0': expected at least 1");
            break;
        case CHECK_PROGRESS:
            rc = cli_parse_progress(value, &progress, err);
            break;
        case CHECK_HELP:
            *help = true;
            goto done;
        default:
            /* A run option. */
            if (per_run_output(opt->name)) {
                rc = disco_fail(err, DISCO_EINVAL,
                                "disco %s writes no per-run files: drop "
                                "--%s (rerun a printed command with it%s)",
                                cmd, opt->name,
                                sweep ? "" : ", or use --counterexample DIR");
                break;
            }
            if (!strcmp(opt->name, "seed")) {
                rc = disco_fail(err, DISCO_EINVAL,
                                "disco %s takes --seeds N and --first-seed S, "
                                "not --seed",
                                cmd);
                break;
            }
            if (!strcmp(opt->name, "topology")) {
                topology = value;
                break;
            }
            {
                size_t len = strlen(opt->name) + 3;
                char *flag = malloc(len);
                if (!flag) {
                    rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
                    break;
                }
                snprintf(flag, len, "--%s", opt->name);
                rc = strvec_push(&owned, flag, len - 1, err);
                free(flag);
                if (rc)
                    break;
                run_argv[run_argc++] = owned.items[owned.count - 1];
                if (opt->has_value)
                    run_argv[run_argc++] = (char *)value;
                /* The variant spells these itself. */
                bool varied = !strcmp(opt->name, "delay") ||
                              !strcmp(opt->name, "max-time") ||
                              !strcmp(opt->name, "ids");
                int fault = -1;
                for (int k = 0; k < FAULT_LISTS; k++)
                    if (!strcmp(opt->name, fault_option[k]))
                        fault = k;
                if (fault >= 0) {
                    rc = split_faults(p, fault, value, err);
                } else if (!varied) {
                    rc = strvec_push(&p->tokens, owned.items[owned.count - 1],
                                     len - 1, err);
                    if (!rc && opt->has_value)
                        rc = strvec_push(&p->tokens, value, strlen(value),
                                         err);
                }
            }
            break;
        }
    }
    p->progress = cli_progress_wanted(progress);
    if (rc)
        goto done;
    if (!p->target) {
        rc = disco_fail(err, DISCO_EINVAL,
                        "disco %s needs an algorithm or a scenario file (see "
                        "'disco list')",
                        cmd);
        goto done;
    }
    if (!seeds && p->maximize) {
        p->seeds = 1;
    } else if (!seeds) {
        rc = disco_fail(err, DISCO_EINVAL,
                        "disco %s needs --seeds N (how many runs, e.g. "
                        "--seeds 100)",
                        cmd);
        goto done;
    }
    if (sweep && !p->csv) {
        rc = disco_fail(err, DISCO_EINVAL, "disco sweep needs --csv FILE");
        goto done;
    }
    if (p->maximize && p->csv) {
        rc = disco_fail(err, DISCO_EINVAL,
                        "--maximize prints its search (--json for a "
                        "program): drop --csv");
        goto done;
    }
    /* The plot and its script are written after the CSV: refuse a bad
     * path for them before the CSV is. */
    if (p->plot && ((rc = cli_check_named_target(p->plot, err)) ||
                    (rc = cli_check_writable(p->plot, err)) ||
                    (rc = check_plot_script(p->plot, err))))
        goto done;
    /* The CSV too, written last: a bad path refused before the runs, not
     * after the counterexample directory was made. */
    if (p->csv && (rc = cli_check_writable(p->csv, err)))
        goto done;
    if ((rc = check_output_paths(p, err)))
        goto done;
    if (p->first_seed > UINT64_MAX - p->seeds) {
        rc = disco_fail(err, DISCO_EINVAL,
                        "bad --first-seed: the seeds go past %llu",
                        (unsigned long long)UINT64_MAX);
        goto done;
    }
    if (topology && (rc = expand_topologies(topology, &p->topologies, err)))
        goto done;
    p->topology_count = p->topologies.count ? p->topologies.count : 1;
    if (p->topology_count > SIZE_MAX / 2 / p->seeds ||
        p->seeds * p->topology_count > ((size_t)1 << 32)) {
        rc = disco_fail(err, DISCO_ELIMIT,
                        "--seeds %llu makes too many runs (at most 2^32 in "
                        "all)",
                        (unsigned long long)p->seeds);
        goto done;
    }
    run_argv[run_argc] = NULL;
    bool run_help = false;
    rc = cli_parse_run_options(run_argc, run_argv, &p->opts, &run_help, err);
    if (rc)
        goto done;
    /* The settings keep pointers into run_argv's strings: argv's own, or
     * `owned` flags, which only matter while parsing. */
    p->opts.json = false;
    const char *v;
    if ((v = p->opts.delay.text))
        snprintf(p->base.delay, sizeof p->base.delay, "%s", v);
    if ((v = p->opts.ids.text))
        snprintf(p->base.ids, sizeof p->base.ids, "%s", v);
    if ((v = p->opts.max_time.text) &&
        (rc = cli_parse_u64(v, "--max-time", &p->base.max_time, err)))
        goto done;
    p->needs_lock = disco_is_scenario_path(p->target);
    for (size_t t = 0; t < p->topologies.count; t++)
        p->needs_lock |= disco_is_scenario_path(p->topologies.items[t]);
    if (p->needs_lock && uv_mutex_init(&p->lock) != 0) {
        p->needs_lock = false;
        rc = disco_fail(err, DISCO_ENOMEM, "cannot create a lock");
    }
done:
    strvec_release(&owned);
    free(table);
    free(run_argv);
    return rc;
}

/* Does the family of `spec` draw from the seed? */
static bool seeded_family(const char *spec)
{
    static const char *const seeded[] = {"gnp", "regular", "tree"};
    size_t len = strcspn(spec, ":");
    for (size_t i = 0; i < sizeof seeded / sizeof seeded[0]; i++)
        if (len == strlen(seeded[i]) && !strncmp(spec, seeded[i], len))
            return true;
    return false;
}

/* May the runs share one topology?  Not when each gets random weights
 * from its seed, nor when a synchronizer wraps the algorithm. */
static bool shareable(const struct plan *p, const struct disco_algorithm *alg)
{
    const char *w = p->opts.weights.text;
    return !p->opts.synchronizer &&
           (w ? !strcmp(w, "unit") : !alg->model.distinct_weights);
}

/* Settle bad input before the batch: the first seed of every topology
 * runs here, so that a wrong option or topology fails at once with one
 * line, and the model check's warning is printed once. */
static int preflight(struct plan *p, struct disco_error *err)
{
    for (size_t t = 0; t < p->topology_count; t++) {
        struct cli_run_options o = p->opts;
        char seed_text[24];
        snprintf(seed_text, sizeof seed_text, "%llu",
                 (unsigned long long)p->first_seed);
        o.seed = (struct cli_setting){seed_text, NULL};
        if (p->topologies.count)
            o.topology = (struct cli_setting){p->topologies.items[t], NULL};
        struct cli_run run;
        int rc = cli_run_prepare(&run, &o, err);
        if (!rc) {
            /* A synchronizer's wrapper lives in the run: the plan keeps a
             * copy (its names and properties are the layer's, in a slot
             * that outlives the run; see synchronizer.h). */
            if (!p->alg && run.alg == &run.synchronized) {
                p->synchronized = run.synchronized;
                p->alg = &p->synchronized;
            } else if (!p->alg) {
                p->alg = run.alg;
            }
            rc = strvec_push(&p->specs, run.topo->spec,
                             strlen(run.topo->spec), err);
            if (t == 0 && run.warning[0]) {
                fflush(stdout);
                fprintf(stderr, "disco: warning: %s\n", run.warning);
            }
        }
        if (!rc && run.topo == &run.own_topo && shareable(p, run.alg)) {
            if (!p->prebuilt &&
                !(p->prebuilt = calloc(p->topology_count, sizeof *p->prebuilt)))
                rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
            if (!rc && !seeded_family(run.topo->spec))
                rc = disco_topology_generate(&p->prebuilt[t], run.topo->spec,
                                             p->first_seed, err);
        }
        cli_run_release(&run);
        if (rc)
            return rc;
    }
    return 0;
}

static void check_help(bool sweep)
{
    if (sweep)
        printf("usage: disco sweep ALG|SCENARIO.dot [RUN OPTIONS] --topology "
               "'uring:{8,16,32}'\n"
               "                   --seeds N --csv FILE [--plot FILE.svg]\n\n"
               "Metrics over a grid of sizes, topologies and seeds: one CSV "
               "row per run,\nand with --plot each metric's mean and range "
               "against n (gnuplot).\n\n");
    else
        printf("usage: disco check ALG|SCENARIO.dot [RUN OPTIONS] --seeds N "
               "[--jobs J]\n\n"
               "Many executions: seeds S..S+N-1 on every topology of "
               "--topology\n(braces expand: 'ring:{8..64}', "
               "'ring:{8..64..8}', '{ring:8,grid:3x3}').\nReports every "
               "violated property with the command that reproduces it,\n"
               "shrunk to a smaller one.  Exit 0 when every run passes, 1 "
               "on a\nviolation, 2 on bad input.\n\n");
    /* Each command's own options only. */
    struct cli_option shown[CHECK_OPTION_COUNT];
    size_t n = 0;
    for (size_t i = 0; i < CHECK_OPTION_COUNT; i++) {
        int id = check_options[i].id;
        bool check_only = id == CHECK_COUNTEREXAMPLE || id == CHECK_NO_SHRINK ||
                          id == CHECK_MAXIMIZE || id == CHECK_BUDGET;
        if (sweep ? !check_only : id != CHECK_PLOT)
            shown[n++] = check_options[i];
    }
    cli_print_options(stdout, shown, n);
    printf("\nand every option of disco run but --seed and the per-run "
           "outputs\n(see disco run --help).\n");
}

/* ------------------------------------------------------------------------ */
/* sweep: per-topology means, and the plot.                                  */


struct group {
    uint32_t nodes;
    struct stats s;
};

static int cmp_group(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    return x->nodes < y->nodes ? -1 : x->nodes > y->nodes;
}

/* Single quotes for a gnuplot string. */
static void put_gp_string(FILE *out, const char *s)
{
    putc('\'', out);
    for (; *s; s++) {
        if (*s == '\'')
            putc('\'', out);
        putc(*s, out);
    }
    putc('\'', out);
}

/* pipe(), both ends close-on-exec (pipe2 is not POSIX). */
static bool cloexec_pipe(int fds[2])
{
    if (pipe(fds) != 0)
        return false;
    for (int i = 0; i < 2; i++) {
        if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0) {
            close(fds[0]);
            close(fds[1]);
            fds[0] = fds[1] = -1;
            return false;
        }
    }
    return true;
}

/* The line of gnuplot's stderr worth one line of ours: the one that says
 * where ("... line 3: invalid command"), else the first that is not
 * blank, with the script's temporary name `temp` put back as `shown`
 * (the file the user can open).  Into `line`. */
static void gnuplot_complaint(const char *text, const char *temp,
                              const char *shown, char *line, size_t size)
{
    const char *pick = NULL, *first = NULL;
    for (const char *at = text; *at;) {
        size_t len = strcspn(at, "\n");
        bool blank = strspn(at, " \t^") >= len;
        if (!blank && !first)
            first = at;
        if (!blank && !pick) {
            const char *l = strstr(at, "line ");
            if (l && l < at + len)
                pick = at;
        }
        at += len + (at[len] == '\n');
    }
    if (!pick)
        pick = first;
    line[0] = '\0';
    if (!pick)
        return;
    size_t len = strcspn(pick, "\n"), n = 0, t = strlen(temp);
    for (size_t i = 0; i < len && n + 1 < size;) {
        if (t && i + t <= len && !strncmp(pick + i, temp, t)) {
            n += (size_t)snprintf(line + n, size - n, "%s", shown);
            if (n >= size)
                n = size - 1;
            i += t;
        } else {
            line[n++] = pick[i++];
        }
    }
    line[n] = '\0';
}

/* gnuplot run on the script `gp` (a temporary name, `gp_shown` in
 * messages; the script names no file of its own but `out`, given here),
 * its SVG read from a pipe and written by us into `svg`, every write
 * checked: gnuplot's own writes go unchecked, and a full disk left a
 * truncated plot with exit 0. */
static int run_gnuplot(const char *gp, const char *gp_shown,
                       struct cli_outfile *svg, struct disco_error *err)
{
    /* Close-on-exec, so that gnuplot inherits none of our descriptors
     * but the two it is given (dup2 clears the flag on those). */
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    if (!cloexec_pipe(out_pipe) || !cloexec_pipe(err_pipe)) {
        int saved = errno;
        for (int i = 0; i < 2; i++)
            if (out_pipe[i] >= 0)
                close(out_pipe[i]);
        return disco_fail(err, DISCO_EIO, "cannot write '%s': %s", svg->path,
                          strerror(saved));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
    posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
    /* A relative name starting with '-' would read as an option. */
    char *script = malloc(strlen(gp) + 3);
    if (!script) {
        for (int i = 0; i < 2; i++) {
            close(out_pipe[i]);
            close(err_pipe[i]);
        }
        posix_spawn_file_actions_destroy(&actions);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    sprintf(script, "%s%s", gp[0] == '-' ? "./" : "", gp);
    char *argv[] = {"gnuplot", "-e", "out='/dev/stdout'", script, NULL};
    extern char **environ;
    pid_t pid;
    int spawned = posix_spawnp(&pid, "gnuplot", &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    /* Both pipes at once: gnuplot blocked on one while we wait on the
     * other would wait for ever.  The start of its stderr is kept, for
     * the one line of ours that gnuplot_complaint picks from it. */
    char first[2048] = "", chunk[8192];
    size_t first_len = 0, svg_bytes = 0;
    struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0},
                            {err_pipe[0], POLLIN, 0}};
    int open_fds = spawned == 0 ? 2 : 0;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 ||
                !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t got = read(fds[i].fd, chunk, sizeof chunk);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                /* After a failed write, read on so gnuplot can finish. */
                if (!ferror(svg->stream))
                    fwrite(chunk, 1, (size_t)got, svg->stream);
                svg_bytes += (size_t)got;
            } else {
                size_t room = sizeof first - 1 - first_len;
                size_t n = (size_t)got < room ? (size_t)got : room;
                memcpy(first + first_len, chunk, n);
                first_len += n;
            }
        }
    }
    close(out_pipe[0]);
    close(err_pipe[0]);
    int status = -1;
    while (spawned == 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    first[first_len] = '\0';
    free(script);
    /* Our own write failed: the run is refused (exit 2), nothing kept. */
    if (ferror(svg->stream))
        return cli_outfile_close(svg, err);
    /* gnuplot failed to draw (an old gnuplot, a broken install): the CSV
     * and the script still stand, as they do without gnuplot, and the
     * batch's exit status stays the runs' own. */
    if (spawned != 0 || status != 0 || !svg_bytes) {
        char why[512];
        if (spawned != 0)
            snprintf(why, sizeof why, "%s", strerror(spawned));
        else
            gnuplot_complaint(first, gp, gp_shown, why, sizeof why);
        fflush(stdout);
        fprintf(stderr, "disco: warning: gnuplot failed on %s%s%s; %s not "
                        "drawn\n",
                gp_shown, why[0] ? ": " : "", why, svg->path);
        cli_outfile_abort(svg);
        return 0;
    }
    /* Flushed and closed here: a failed write names the file. */
    return cli_outfile_close(svg, err);
}

/* The gnuplot script FILE.gp (always, into `gp_file`), then FILE.svg (into
 * `svg`) rendered by gnuplot: both left for the caller to commit with the
 * CSV, so that a run refused here commits nothing.  The script carries its
 * data (mean, min and max per topology, by n) so that it runs on its
 * own. */
static int write_plot(const struct plan *p, const struct batch *b,
                      struct cli_outfile *gp_file, struct cli_outfile *svg,
                      struct disco_error *err)
{
    char *gp = plot_script(p->plot);
    uint64_t *scratch = malloc((b->count ? b->count : 1) * sizeof *scratch);
    struct group *groups = calloc(p->topology_count, sizeof *groups);
    if (!gp || !scratch || !groups) {
        free(gp);
        free(scratch);
        free(groups);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    struct cli_outfile *file = gp_file;
    int rc = cli_outfile_open(file, gp, err);
    if (rc) {
        free(gp);
        free(scratch);
        free(groups);
        return rc;
    }
    FILE *out = file->stream;
    const char *bound = p->alg->message_bound;
    fprintf(out,
            "# %s: each metric's mean (bars: min to max over the seeds) "
            "against n,\n# written by disco sweep; restyle and render with\n"
            "#   gnuplot %s\n# (gnuplot -e \"out='other.svg'\" %s writes "
            "elsewhere)\n",
            p->alg->name, gp, gp);
    static const struct {
        const char *name;
        size_t offset;
    } metrics[] = {
        {"messages", offsetof(struct record, messages)},
        {"events", offsetof(struct record, events)},
        {"time", offsetof(struct record, time)},
        {"causal_depth", offsetof(struct record, causal_depth)},
    };
    const size_t metric_count = sizeof metrics / sizeof metrics[0];
    for (size_t m = 0; m < metric_count; m++) {
        size_t groups_used = 0, from = 0;
        while (from < b->count) {
            size_t t = b->runs[from] / p->seeds, to = from;
            while (to < b->count && b->runs[to] / p->seeds == t)
                to++;
            groups[groups_used].nodes = b->records[from].nodes;
            groups[groups_used++].s =
                stats_of(b, from, to, metrics[m].offset, scratch);
            from = to;
        }
        qsort(groups, groups_used, sizeof *groups, cmp_group);
        fprintf(out, "$%s << EOD\n# n mean min max\n", metrics[m].name);
        for (size_t g = 0; g < groups_used; g++)
            fprintf(out, "%u %.3f %llu %llu\n", groups[g].nodes,
                    groups[g].s.mean, (unsigned long long)groups[g].s.min,
                    (unsigned long long)groups[g].s.max);
        fputs("EOD\n", out);
    }
    fputs("if (!exists('out')) out = ", out);
    put_gp_string(out, p->plot);
    /* noenhanced: names such as causal_depth are text, not subscripts. */
    fputs("\nset terminal svg size 900,1200 dynamic font 'sans,11' "
          "noenhanced\n"
          "set output out\nset key top left\nset xlabel 'n'\nset grid\n"
          "set multiplot layout 4,1\n",
          out);
    if (bound)
        fprintf(out, "bound(n) = %s\n", bound);
    for (size_t m = 0; m < metric_count; m++) {
        fprintf(out, "set title '%s: %s'\n", p->alg->name, metrics[m].name);
        fprintf(out,
                "plot $%s using 1:2:3:4 with yerrorlines pt 7 "
                "title 'mean, min..max'",
                metrics[m].name);
        if (m == 0 && bound) {
            fputs(", \\\n     bound(x) with lines dashtype 2 title ", out);
            put_gp_string(out, bound);
        }
        fputc('\n', out);
    }
    fputs("unset multiplot\n", out);
    free(scratch);
    free(groups);
    /* Closed, not yet renamed: gnuplot reads it by its temporary name. */
    rc = cli_outfile_close(file, err);
    if (rc) {
        free(gp);
        return rc;
    }
    /* gnuplot renders; without it the script stays for later. */
    if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
        fflush(stdout);
        fprintf(stderr, "disco: gnuplot not found: wrote %s, not %s "
                        "(apt-get install gnuplot-nox, then gnuplot %s)\n",
                gp, p->plot, gp);
        free(gp);
        return 0;
    }
    free(gp);
    if ((rc = cli_outfile_open_named(svg, p->plot, err)))
        return rc;
    return run_gnuplot(file->temp ? file->temp : file->path, file->path, svg,
                       err);
}

static void sweep_table(const struct plan *p, const struct batch *b)
{
    uint64_t *scratch = malloc((b->count ? b->count : 1) * sizeof *scratch);
    if (!scratch)
        return;
    const char *bound = p->alg->message_bound;
    printf("%s: %zu run%s\n\n", p->alg->name, b->count,
           b->count == 1 ? "" : "s");
    printf("  %-20s %6s %5s %12s %10s %10s %10s\n", "topology", "n", "runs",
           "messages", "min", "max", "mean time");
    size_t from = 0;
    while (from < b->count) {
        size_t t = b->runs[from] / p->seeds, to = from;
        while (to < b->count && b->runs[to] / p->seeds == t)
            to++;
        struct stats m = stats_of(b, from, to,
                                  offsetof(struct record, messages), scratch);
        struct stats tm =
            stats_of(b, from, to, offsetof(struct record, time), scratch);
        printf("  %-20s %6u %5zu %12.1f %10llu %10llu %10.1f\n",
               b->records[from].spec, b->records[from].nodes, to - from,
               m.mean, (unsigned long long)m.min, (unsigned long long)m.max,
               tm.mean);
        from = to;
    }
    free(scratch);
    if (bound)
        printf("\nmessage bound: %s\n", bound);
}

/* ------------------------------------------------------------------------ */
/* Under mpirun (-Dmpi=enabled): rank r of K runs every K-th run of the
 * shard, and rank 0 gathers the records back into run order, so that what
 * it prints and writes is the bytes of one process.  The ranks are assumed
 * alike (one binary, one architecture): records travel as raw bytes.       */

#ifdef DISCO_MPI

/* Launched by an MPI starter?  Without one, check stays a plain process:
 * no singleton MPI_Init, whose start-up costs and messages would change
 * what a single run does. */
static bool under_mpirun(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") ||
           getenv("PMI_SIZE");
}

/* One run's record on the wire: fixed fields, then kind_count uint64_t
 * and property_count bytes of holds.  The texts (violation details, an
 * error, a spec other than the plan's) follow separately, in run order. */
struct wire {
    int32_t rc;
    uint32_t nodes, channels;
    uint32_t error_len, spec_len; /* spec_len 0: the plan's spec */
    uint8_t ran, sync, terminated, must_terminate, pass, has_detail;
    uint64_t messages, events, time, causal_depth, rounds;
    uint64_t delivered, dropped, duplicated;
};

static size_t wire_size(const struct disco_algorithm *alg)
{
    size_t n = sizeof(struct wire) + alg->kind_count * sizeof(uint64_t) +
               alg->property_count;
    return (n + 7) / 8 * 8;
}

static void pack(const struct plan *p, size_t run, const struct record *r,
                 unsigned char *fixed, FILE *texts)
{
    const struct disco_algorithm *alg = p->alg;
    size_t t = run / p->seeds;
    struct wire w;
    memset(&w, 0, sizeof w);
    w.rc = r->rc;
    w.ran = r->rc || r->holds;
    w.nodes = r->nodes;
    w.channels = r->channels;
    w.sync = r->sync;
    w.terminated = r->terminated;
    w.must_terminate = r->must_terminate;
    w.pass = r->pass;
    w.has_detail = r->detail != NULL;
    w.messages = r->messages;
    w.events = r->events;
    w.time = r->time;
    w.causal_depth = r->causal_depth;
    w.rounds = r->rounds;
    w.delivered = r->delivered;
    w.dropped = r->dropped;
    w.duplicated = r->duplicated;
    w.error_len = r->error ? (uint32_t)strlen(r->error) : 0;
    bool own = r->spec && !(t < p->specs.count && r->spec == p->specs.items[t]);
    w.spec_len = own ? (uint32_t)strlen(r->spec) + 1 : 0;
    memcpy(fixed, &w, sizeof w);
    unsigned char *q = fixed + sizeof w;
    uint64_t zero = 0;
    for (unsigned k = 0; k < alg->kind_count; k++, q += sizeof(uint64_t))
        memcpy(q, r->by_kind ? &r->by_kind[k] : &zero, sizeof(uint64_t));
    for (unsigned i = 0; i < alg->property_count; i++)
        *q++ = r->holds ? r->holds[i] : 0;
    if (r->detail)
        fwrite(r->detail, sizeof *r->detail, alg->property_count, texts);
    if (w.error_len)
        fwrite(r->error, 1, w.error_len, texts);
    if (own)
        fwrite(r->spec, 1, w.spec_len - 1, texts);
}

/* The inverse of pack(); advances *texts past this run's texts. */
static int unpack(const struct plan *p, size_t run, const unsigned char *fixed,
                  const char **texts, struct record *r)
{
    const struct disco_algorithm *alg = p->alg;
    size_t t = run / p->seeds;
    struct wire w;
    memcpy(&w, fixed, sizeof w);
    memset(r, 0, sizeof *r);
    if (!w.ran)
        return 0; /* never started: the caller's "did not run" check */
    r->rc = w.rc;
    r->nodes = w.nodes;
    r->channels = w.channels;
    r->sync = w.sync;
    r->terminated = w.terminated;
    r->must_terminate = w.must_terminate;
    r->pass = w.pass;
    r->messages = w.messages;
    r->events = w.events;
    r->time = w.time;
    r->causal_depth = w.causal_depth;
    r->rounds = w.rounds;
    r->delivered = w.delivered;
    r->dropped = w.dropped;
    r->duplicated = w.duplicated;
    if (!w.rc) {
        if (record_arrays(r, alg, NULL, NULL))
            return DISCO_ENOMEM;
        const unsigned char *q = fixed + sizeof w;
        for (unsigned k = 0; k < alg->kind_count; k++, q += sizeof(uint64_t))
            memcpy(&r->by_kind[k], q, sizeof(uint64_t));
        memcpy(r->holds, q, alg->property_count);
    }
    if (w.has_detail) {
        r->detail = calloc(alg->property_count ? alg->property_count : 1,
                           sizeof *r->detail);
        if (!r->detail)
            return DISCO_ENOMEM;
        memcpy(r->detail, *texts, alg->property_count * sizeof *r->detail);
        *texts += alg->property_count * sizeof *r->detail;
    }
    if (w.error_len) {
        r->error = strndup(*texts, w.error_len);
        *texts += w.error_len;
        if (!r->error)
            return DISCO_ENOMEM;
    }
    if (w.spec_len) {
        r->spec = r->own_spec = strndup(*texts, w.spec_len - 1);
        *texts += w.spec_len - 1;
        if (!r->spec)
            return DISCO_ENOMEM;
    } else if (!w.rc && t < p->specs.count) {
        r->spec = p->specs.items[t];
    }
    return 0;
}

/* Every rank: send this rank's records (of its runs b->runs) to rank 0,
 * and free them.  Rank 0 gets back in `b` all `count` runs of `all`, in
 * run order; `all` is taken over either way. */
static int mpi_gather(struct batch *b, size_t *all, size_t count, int rank,
                      int size, struct disco_error *err)
{
    const struct plan *p = b->plan;
    size_t rs = wire_size(p->alg);
    unsigned char *fixed = calloc(b->count ? b->count : 1, rs);
    char *texts = NULL;
    size_t texts_len = 0;
    FILE *mem = open_memstream(&texts, &texts_len);
    int ok = fixed && mem;
    for (size_t k = 0; ok && k < b->count; k++)
        pack(p, b->runs[k], &b->records[k], fixed + k * rs, mem);
    if (mem && fclose(mem) != 0)
        ok = 0;
    for (size_t k = 0; k < b->count; k++)
        record_release(&b->records[k]);
    b->count = 0;
    /* Every rank learns every rank's sizes, so that all agree on giving
     * up rather than some waiting forever in a collective. */
    size_t my_runs =
        count / (size_t)size + (count % (size_t)size > (size_t)rank);
    unsigned long long mine[2] = {ok ? texts_len : ULLONG_MAX,
                                  (unsigned long long)(my_runs * rs)};
    unsigned long long *sizes = calloc((size_t)size * 2, sizeof *sizes);
    int *counts = calloc((size_t)size * 4, sizeof *counts);
    unsigned char *all_fixed = NULL;
    char *all_texts = NULL;
    int have = sizes && counts, all_have = 0, rc = 0;
    MPI_Allreduce(&have, &all_have, 1, MPI_INT, MPI_LAND, MPI_COMM_WORLD);
    if (!all_have) {
        rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
        goto done;
    }
    MPI_Allgather(mine, 2, MPI_UNSIGNED_LONG_LONG, sizes, 2,
                  MPI_UNSIGNED_LONG_LONG, MPI_COMM_WORLD);
    int *fixed_counts = counts, *fixed_displs = counts + size;
    int *text_counts = counts + 2 * size, *text_displs = counts + 3 * size;
    unsigned long long fixed_total = 0, text_total = 0;
    for (int q = 0; q < size; q++) {
        if (sizes[2 * q] == ULLONG_MAX) {
            rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
            goto done;
        }
        if (sizes[2 * q] > INT_MAX || sizes[2 * q + 1] > INT_MAX ||
            text_total > INT_MAX - sizes[2 * q] ||
            fixed_total > INT_MAX - sizes[2 * q + 1]) {
            rc = disco_fail(err, DISCO_ELIMIT,
                            "too many runs for one mpi gather: split them "
                            "with --shard");
            goto done;
        }
        fixed_counts[q] = (int)sizes[2 * q + 1];
        fixed_displs[q] = (int)fixed_total;
        text_counts[q] = (int)sizes[2 * q];
        text_displs[q] = (int)text_total;
        fixed_total += sizes[2 * q + 1];
        text_total += sizes[2 * q];
    }
    int got = 1;
    if (rank == 0) {
        all_fixed = malloc(fixed_total ? fixed_total : 1);
        all_texts = malloc(text_total ? text_total : 1);
        got = all_fixed && all_texts;
    }
    MPI_Bcast(&got, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (!got) {
        rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
        goto done;
    }
    MPI_Gatherv(fixed, (int)sizes[2 * rank + 1], MPI_BYTE, all_fixed,
                fixed_counts, fixed_displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    MPI_Gatherv(texts, (int)sizes[2 * rank], MPI_BYTE, all_texts, text_counts,
                text_displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    if (rank == 0) {
        /* Run all[j] was rank j % size's (j / size)-th; each rank's texts
         * come in the order of its runs. */
        struct record *records = calloc(count ? count : 1, sizeof *records);
        const char **cursor = calloc((size_t)size, sizeof *cursor);
        if (!records || !cursor) {
            free(records);
            rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
        } else {
            for (int q = 0; q < size; q++)
                cursor[q] = all_texts + text_displs[q];
            free(b->records);
            free(b->runs);
            b->records = records;
            b->runs = all;
            b->count = count;
            all = NULL;
            for (size_t j = 0; !rc && j < count; j++) {
                int q = (int)(j % (size_t)size);
                const unsigned char *f =
                    all_fixed + fixed_displs[q] + (j / (size_t)size) * rs;
                if (unpack(p, b->runs[j], f, &cursor[q], &records[j]))
                    rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
            }
        }
        free(cursor);
    }
done:
    free(all_fixed);
    free(all_texts);
    free(all);
    free(sizes);
    free(counts);
    free(fixed);
    free(texts);
    return rc;
}

#endif /* DISCO_MPI */

/* ------------------------------------------------------------------------ */
/* The commands.                                                             */

/* rank and size: this process's place among mpirun's ranks (0 and 1
 * without MPI).  Ranks other than 0 run their share and print nothing. */
static int check_or_sweep_on(int argc, char **argv, bool sweep, int rank,
                             int size, struct disco_error *err)
{
    struct plan plan;
    bool help = false;
    int rc = parse_plan(argc, argv, &plan, sweep, &help, err);
    if (rc || help) {
        plan_release(&plan);
        if (help)
            check_help(sweep);
        return rc ? rc : CLI_EXIT_PASS;
    }
    if ((rc = preflight(&plan, err))) {
        plan_release(&plan);
        return rc;
    }
    if (plan.maximize) {
        /* The search is one sequence of runs: rank 0 does it alone. */
        rc = rank == 0 ? maximize(&plan, err) : CLI_EXIT_PASS;
        plan_release(&plan);
        return rc;
    }

    struct batch b;
    memset(&b, 0, sizeof b);
    b.plan = &plan;
    size_t total = (size_t)plan.seeds * plan.topology_count;
    size_t mine = total / plan.shards + (total % plan.shards >= plan.shard);
    if ((rc = check_batch_memory(&plan, mine, err))) {
        plan_release(&plan);
        return rc;
    }
    b.runs = calloc(mine ? mine : 1, sizeof *b.runs);
    b.records = calloc(mine ? mine : 1, sizeof *b.records);
    if (!b.runs || !b.records) {
        free(b.runs);
        free(b.records);
        plan_release(&plan);
        return disco_fail(err, DISCO_ENOMEM,
                          "--seeds %llu: out of memory for the results of "
                          "its %zu runs",
                          (unsigned long long)plan.seeds, mine);
    }
    for (size_t r = plan.shard - 1; r < total; r += plan.shards)
        b.runs[b.count++] = r;
#ifdef DISCO_MPI
    /* Every size-th run of the shard is this rank's; rank 0 gets them all
     * back, in run order, as if it had run them itself. */
    size_t *all = NULL, all_count = b.count;
    if (size > 1) {
        all = b.runs;
        b.runs = malloc((b.count / (size_t)size + 1) * sizeof *b.runs);
        if (!b.runs) {
            b.runs = all;
            all = NULL;
            rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
        } else {
            b.count = 0;
            for (size_t j = (size_t)rank; j < all_count; j += (size_t)size)
                b.runs[b.count++] = all[j];
        }
    }
    if (!rc)
        rc = run_batch(&b, err);
    if (size > 1) {
        /* All ranks go on to the gather, or none does. */
        int failed = rc != 0, any = 0;
        MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
        if (any && !rc)
            rc = disco_fail(err, DISCO_ENOMEM, "an mpi rank failed");
        if (!rc)
            rc = mpi_gather(&b, all, all_count, rank, size, err);
        else
            free(all);
        if (rank > 0) {
            batch_release(&b);
            plan_release(&plan);
            return rc ? rc : CLI_EXIT_PASS;
        }
    }
#else
    rc = run_batch(&b, err);
#endif

    /* The first error in run order, whatever thread met it. */
    for (size_t k = 0; !rc && k < b.count; k++)
        if (b.records[k].rc)
            rc = disco_fail(err, b.records[k].rc, "%s",
                            b.records[k].error ? b.records[k].error
                                               : "a run failed");
    for (size_t k = 0; !rc && k < b.count; k++)
        if (!b.records[k].holds && !b.records[k].rc)
            rc = disco_fail(err, DISCO_EINVAL, "run %zu did not run", k);

    /* The CSV, the script and the plot are all written before any is
     * renamed, and before the counterexample's directory is written: a
     * run refused at any of them commits nothing. */
    struct cli_outfile csv_file = {0}, gp_file = {0}, svg_file = {0};
    if (!rc && plan.csv)
        rc = write_csv(&plan, &b, &csv_file, err);
    if (!rc && sweep && plan.plot)
        rc = write_plot(&plan, &b, &gp_file, &svg_file, err);

    unsigned props = plan.alg->property_count + 1;
    struct shrunk *shrunk = calloc(props, sizeof *shrunk);
    if (!rc && !shrunk)
        rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
    bool wrote_counterexample = false;
    for (unsigned i = 0; !rc && i < props && (plan.shrink ||
                                             plan.counterexample); i++) {
        for (size_t k = 0; k < b.count; k++) {
            if (!violates(plan.alg, &b.records[k], i))
                continue;
            struct shrunk *s = &shrunk[i];
            s->k = k;
            variant_of_run(&plan, b.runs[k], &s->v);
            /* Name the default topology, so that shrinking can make it
             * smaller; a scenario's own graph stays as it is. */
            if (!s->v.topology[0] && !disco_is_scenario_path(plan.target))
                snprintf(s->v.topology, sizeof s->v.topology, "%s",
                         b.records[k].spec);
            /* Shrink a copy of the record; the batch keeps its own. */
            run_variant(&plan, &s->v, &s->r, NULL, false);
            bool smaller = false;
            if (plan.shrink && s->r.rc == 0) {
                struct variant *before = malloc(sizeof *before);
                if (before)
                    *before = s->v;
                shrink(&plan, i, &s->v, &s->r);
                /* Nothing to report when no change kept the violation (a
                 * scenario, or a run already at const:1 on 2 nodes): the
                 * "shrunk" command would repeat the one above it. */
                smaller = !before || !same_command(&plan, before, &s->v);
                free(before);
            }
            s->done = s->r.rc == 0 && smaller;
            if (plan.counterexample && !wrote_counterexample) {
                struct record cr;
                wrote_counterexample = true;
                /* Pictures need viz; try with the diagram, then without. */
                if (run_variant(&plan, &s->v, &cr, plan.counterexample,
                                true) != 0) {
                    record_release(&cr);
                    if (run_variant(&plan, &s->v, &cr, plan.counterexample,
                                    false) != 0)
                        rc = disco_fail(err, cr.rc, "%s", cr.error);
                }
                record_release(&cr);
            }
            break;
        }
    }

    size_t failing = 0;
    if (!rc && csv_file.path)
        rc = cli_outfile_commit(&csv_file, err);
    if (!rc && gp_file.path)
        rc = cli_outfile_commit(&gp_file, err);
    if (!rc && svg_file.path)
        rc = cli_outfile_commit(&svg_file, err);
    cli_outfile_abort(&csv_file);
    cli_outfile_abort(&gp_file);
    cli_outfile_abort(&svg_file);
    if (!rc) {
        if (sweep && !plan.json) {
            sweep_table(&plan, &b);
            for (size_t k = 0; k < b.count; k++)
                failing += !b.records[k].pass;
            if (failing)
                printf("\n%zu run%s failed: see 'disco check' with the same "
                       "options\n",
                       failing, failing == 1 ? "" : "s");
        } else {
            report(&plan, &b, shrunk, &failing);
        }
        rc = failing ? CLI_EXIT_FAIL : CLI_EXIT_PASS;
    }
    for (unsigned i = 0; shrunk && i < props; i++)
        record_release(&shrunk[i].r);
    free(shrunk);
    batch_release(&b);
    plan_release(&plan);
    return rc;
}

static int check_or_sweep(int argc, char **argv, bool sweep,
                          struct disco_error *err)
{
#ifdef DISCO_MPI
    if (!under_mpirun())
        return check_or_sweep_on(argc, argv, sweep, 0, 1, err);
    int rank = 0, size = 1;
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    /* Rank 0 speaks for all: the others' output, bad input included,
     * would only repeat it. */
    if (rank > 0 && (!freopen("/dev/null", "w", stdout) ||
                     !freopen("/dev/null", "w", stderr)))
        MPI_Abort(MPI_COMM_WORLD, CLI_EXIT_USAGE);
    int rc = check_or_sweep_on(argc, argv, sweep, rank, size, err);
    /* mpirun takes its status from the first rank to exit nonzero and
     * kills the rest, output unwritten.  So rank 0 says all it has to say
     * before any rank may leave, and the other ranks exit 0: the status is
     * rank 0's alone.  main's own cli_finish then only passes rc on. */
    if (rank == 0) {
        rc = cli_finish(rc, err);
        fflush(stderr);
    } else {
        rc = CLI_EXIT_PASS;
    }
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Finalize();
    return rc;
#else
    return check_or_sweep_on(argc, argv, sweep, 0, 1, err);
#endif
}

int cli_cmd_check(int argc, char **argv, struct disco_error *err)
{
    return check_or_sweep(argc, argv, false, err);
}

int cli_cmd_sweep(int argc, char **argv, struct disco_error *err)
{
    return check_or_sweep(argc, argv, true, err);
}

/* ------------------------------------------------------------------------ */
/* merge: shard CSVs back into the one file an unsharded run writes.         */

struct row {
    uint64_t run;
    char *text; /* the whole line with its newline */
    size_t file;
};

static int cmp_row(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    return x->run < y->run ? -1 : x->run > y->run;
}

enum { MERGE_CSV, MERGE_HELP };
static const struct cli_option merge_options[] = {
    {"csv", MERGE_CSV, true, "FILE", "the merged CSV (required)"},
    {"help", MERGE_HELP, false, NULL, "show this help"},
};

int cli_cmd_merge(int argc, char **argv, struct disco_error *err)
{
    struct cli_args args = {argc, argv, 1, false};
    const struct cli_option *opt;
    const char *value, *csv = NULL;
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    size_t file_count = 0;
    if (!files)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    int kind, rc = 0;
    size_t count = sizeof merge_options / sizeof merge_options[0];
    while ((kind = cli_next_arg(&args, merge_options, count, &opt, &value,
                                err)) != CLI_END) {
        if (kind < 0) {
            free(files);
            return kind;
        }
        if (kind == CLI_POSITIONAL) {
            files[file_count++] = value;
        } else if (opt->id == MERGE_HELP) {
            printf("usage: disco merge FILES... --csv FILE\n\n"
                   "Join the CSVs of 'disco check --shard I/N' (or sweep) "
                   "runs into the\nbytes one unsharded run writes.\n\n");
            cli_print_options(stdout, merge_options, count);
            free(files);
            return CLI_EXIT_PASS;
        } else {
            csv = value;
        }
    }
    if (!csv || !*csv) {
        free(files);
        return disco_fail(err, DISCO_EINVAL, "disco merge needs --csv FILE");
    }
    if (!file_count) {
        free(files);
        return disco_fail(err, DISCO_EINVAL,
                          "disco merge needs the shard files to join");
    }
    char *header = NULL;
    struct row *rows = NULL;
    size_t row_count = 0, row_cap = 0;
    for (size_t f = 0; !rc && f < file_count; f++) {
        FILE *in = fopen(files[f], "r");
        if (!in) {
            rc = disco_fail(err, DISCO_EIO, "cannot read '%s': %s", files[f],
                            strerror(errno));
            break;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t got;
        size_t lineno = 0;
        errno = 0;
        while (!rc && (got = getline(&line, &cap, in)) > 0) {
            lineno++;
            if (line[got - 1] != '\n') {
                rc = disco_fail(err, DISCO_EPARSE,
                                "'%s' line %zu: truncated (no newline)",
                                files[f], lineno);
                break;
            }
            if (lineno == 1) {
                if (strncmp(line, "run,", 4) != 0)
                    rc = disco_fail(err, DISCO_EPARSE,
                                    "'%s' is not a disco check or sweep CSV",
                                    files[f]);
                else if (!header)
                    header = strdup(line);
                else if (strcmp(header, line) != 0)
                    rc = disco_fail(err, DISCO_EPARSE,
                                    "'%s' has other columns than '%s'",
                                    files[f], files[0]);
                continue;
            }
            char *end;
            errno = 0;
            unsigned long long run = strtoull(line, &end, 10);
            if (end == line || *end != ',' || errno) {
                rc = disco_fail(err, DISCO_EPARSE,
                                "'%s' line %zu: no run number", files[f],
                                lineno);
                break;
            }
            if (row_count == row_cap) {
                row_cap = row_cap ? row_cap * 2 : 256;
                struct row *grown = realloc(rows, row_cap * sizeof *rows);
                if (!grown) {
                    rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
                    break;
                }
                rows = grown;
            }
            rows[row_count].text = strdup(line);
            rows[row_count].run = run;
            rows[row_count].file = f;
            if (!rows[row_count].text)
                rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
            else
                row_count++;
        }
        /* fopen opens a directory; reading it fails (EISDIR). */
        if (!rc && ferror(in))
            rc = errno == EISDIR
                     ? disco_fail(err, DISCO_EIO, "'%s' is a directory",
                                  files[f])
                     : disco_fail(err, DISCO_EIO, "cannot read '%s': %s",
                                  files[f], strerror(errno ? errno : EIO));
        free(line);
        fclose(in);
        if (!rc && lineno == 0)
            rc = disco_fail(err, DISCO_EPARSE, "'%s' is empty", files[f]);
    }
    if (!rc) {
        qsort(rows, row_count, sizeof *rows, cmp_row);
        for (size_t i = 0; !rc && i < row_count; i++) {
            if (i && rows[i].run == rows[i - 1].run)
                rc = disco_fail(err, DISCO_EPARSE,
                                "run %llu is in both '%s' and '%s'",
                                (unsigned long long)rows[i].run,
                                files[rows[i - 1].file], files[rows[i].file]);
            else if (rows[i].run != i)
                rc = disco_fail(err, DISCO_EPARSE,
                                "run %zu is missing (is a shard left out?)",
                                i);
        }
    }
    if (!rc) {
        struct cli_outfile file;
        rc = cli_outfile_open(&file, csv, err);
        if (!rc) {
            fputs(header, file.stream);
            for (size_t i = 0; i < row_count; i++)
                fputs(rows[i].text, file.stream);
            rc = cli_outfile_commit(&file, err);
        }
    }
    if (!rc)
        printf("merged %zu run%s from %zu file%s into %s\n", row_count,
               row_count == 1 ? "" : "s", file_count,
               file_count == 1 ? "" : "s", csv);
    for (size_t i = 0; i < row_count; i++)
        free(rows[i].text);
    free(rows);
    free(header);
    free(files);
    return rc ? rc : CLI_EXIT_PASS;
}
