/*
 * run.c - one execution, from options to committed output files.
 *
 * The order matters for the exit-status contract: everything that can be
 * refused as bad input (names, numbers, the topology, its size, the model
 * check, the simulation's allocation) is settled before any output file is
 * opened, so that a refused run writes nothing at all.
 */
#include "cli.h"
#include "scenario.h"
#include "synchronizer.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


/* ------------------------------------------------------------------------ */
/* Settings.                                                                 */

void cli_run_options_release(struct cli_run_options *opts)
{
    free(opts->crash.items);
    free(opts->recover.items);
    free(opts->cut.items);
    free(opts->params.items);
    free(opts->omit_send.items);
    free(opts->omit_receive.items);
    free(opts->partition.items);
    free(opts->delay_change.items);
    memset(opts, 0, sizeof *opts);
}

int cli_setting_list_add(struct cli_setting_list *list, const char *text,
                         const char *origin, struct disco_error *err)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? list->capacity * 2 : 4;
        struct cli_setting *items =
            realloc(list->items, capacity * sizeof *items);
        if (!items)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = (struct cli_setting){text, origin};
    return 0;
}

static int list_copy(struct cli_setting_list *to,
                     const struct cli_setting_list *from,
                     struct disco_error *err)
{
    for (size_t i = 0; i < from->count; i++) {
        int rc = cli_setting_list_add(to, from->items[i].text,
                                      from->items[i].origin, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* A scenario's graph attributes that mirror long options (cli.md: "Graph
 * attributes mirror the long options"); DOT spells them with underscores. */
struct file_setting {
    const char *name;
    size_t offset; /* of a struct cli_setting in cli_run_options */
};

#define SETTING(name, member)                                                  \
    {                                                                          \
        name, offsetof(struct cli_run_options, member)                         \
    }
static const struct file_setting file_settings[] = {
    SETTING("seed", seed),
    SETTING("delay", delay),
    SETTING("fifo", fifo),
    SETTING("loss", loss),
    SETTING("dup", dup),
    SETTING("ids", ids),
    SETTING("initiators", initiators),
    SETTING("sync", sync),
    SETTING("max_events", max_events),
    SETTING("max_time", max_time),
    SETTING("byzantine", byzantine),
    SETTING("strategy", strategy),
    SETTING("detector", detector),
    SETTING("dynamic", dynamic),
};
#undef SETTING

/* The repeatable fault options and the graph attributes that mirror them.
 * A file's attribute counts only when the command line gave none of that
 * option; `parse` reads one item into the config. */
enum fault_list_kind { LIST_FAULT, LIST_OMISSION, LIST_PARTITION, LIST_DELAY };
static const struct {
    const char *name;
    size_t offset; /* of a struct cli_setting_list in cli_run_options */
    enum fault_list_kind how;
    enum disco_fault_kind kind;
} fault_lists[] = {
    {"crash", offsetof(struct cli_run_options, crash), LIST_FAULT,
     DISCO_FAULT_CRASH},
    {"recover", offsetof(struct cli_run_options, recover), LIST_FAULT,
     DISCO_FAULT_RECOVER},
    {"cut", offsetof(struct cli_run_options, cut), LIST_FAULT,
     DISCO_FAULT_LINK_DOWN},
    {"omit_send", offsetof(struct cli_run_options, omit_send), LIST_OMISSION,
     DISCO_FAULT_OMIT_SEND},
    {"omit_receive", offsetof(struct cli_run_options, omit_receive),
     LIST_OMISSION, DISCO_FAULT_OMIT_RECEIVE},
    {"partition", offsetof(struct cli_run_options, partition), LIST_PARTITION,
     DISCO_FAULT_PARTITION},
    {"delay_change", offsetof(struct cli_run_options, delay_change),
     LIST_DELAY, DISCO_FAULT_DELAY},
};

/* The key of a `KEY=VALUE` parameter setting. */
static bool same_key(const char *setting, const char *key, size_t key_len)
{
    return strncmp(setting, key, key_len) == 0 && setting[key_len] == '=';
}

/* settings = the command line's options, then each graph attribute of the
 * scenario that the command line did not set.  The strings stay owned by
 * argv and the scenario. */
static int merge_settings(struct cli_run *run,
                          const struct cli_run_options *opts,
                          const struct disco_scenario *sc, const char *origin,
                          struct disco_error *err)
{
    struct cli_run_options *s = &run->settings;
    *s = *opts;
    memset(&s->params, 0, sizeof s->params);
    int rc = list_copy(&s->params, &opts->params, err);
    for (size_t k = 0; k < sizeof fault_lists / sizeof fault_lists[0]; k++) {
        struct cli_setting_list *dst =
            (struct cli_setting_list *)((char *)s + fault_lists[k].offset);
        memset(dst, 0, sizeof *dst);
        if (!rc)
            rc = list_copy(dst,
                           (const struct cli_setting_list
                                *)((const char *)opts + fault_lists[k].offset),
                           err);
    }
    if (rc || !sc)
        return rc;

    for (size_t i = 0; i < sc->option_count; i++) {
        const char *name = sc->options[i].name;
        const char *value = sc->options[i].value;
        for (size_t k = 0; k < sizeof file_settings / sizeof file_settings[0];
             k++) {
            if (strcmp(name, file_settings[k].name) != 0)
                continue;
            struct cli_setting *dst =
                (struct cli_setting *)((char *)s + file_settings[k].offset);
            if (!dst->text)
                *dst = (struct cli_setting){value, origin};
        }
        for (size_t k = 0; k < sizeof fault_lists / sizeof fault_lists[0];
             k++) {
            if (strcmp(name, fault_lists[k].name) != 0)
                continue;
            struct cli_setting_list *dst =
                (struct cli_setting_list *)((char *)s + fault_lists[k].offset);
            const struct cli_setting_list *given =
                (const struct cli_setting_list *)((const char *)opts +
                                                  fault_lists[k].offset);
            if (given->count == 0 &&
                (rc = cli_setting_list_add(dst, value, origin, err)))
                return rc;
        }
        if (strncmp(name, "param_", 6) == 0 && name[6]) {
            const char *key = name + 6;
            size_t key_len = strlen(key);
            bool overridden = false;
            for (size_t k = 0; k < opts->params.count; k++)
                overridden |=
                    same_key(opts->params.items[k].text, key, key_len);
            if (overridden)
                continue;
            /* "KEY=VALUE", owned by the run (freed with the settings). */
            char *text = malloc(key_len + strlen(value) + 2);
            if (!text)
                return disco_fail(err, DISCO_ENOMEM, "out of memory");
            sprintf(text, "%s=%s", key, value);
            rc = cli_setting_list_add(&s->params, text, origin, err);
            if (rc) {
                free(text);
                return rc;
            }
        }
    }
    return 0;
}

static void release_settings(struct cli_run *run)
{
    struct cli_run_options *s = &run->settings;
    /* Parameters that came from a file were built here. */
    for (size_t i = 0; i < s->params.count; i++)
        if (s->params.items[i].origin)
            free((char *)s->params.items[i].text);
    cli_run_options_release(s);
}

/* Name a setting in a message: "--seed" from the command line, "seed" from
 * a file (whose name then prefixes the whole message). */
static const char *setting_name(const struct cli_setting *s, const char *name,
                                char *buf, size_t len)
{
    snprintf(buf, len, "%s%s", s->origin ? "" : "--", name);
    return buf;
}

/* Put "PREFIX: " before the error message (truncating its end). */
static void prefix_error(struct disco_error *err, const char *prefix)
{
    size_t cap = sizeof err->message;
    size_t head = strlen(prefix) + 2;
    size_t len = strlen(err->message);
    if (head >= cap)
        return;
    if (head + len >= cap)
        len = cap - 1 - head;
    memmove(err->message + head, err->message, len);
    memcpy(err->message, prefix, head - 2);
    memcpy(err->message + head - 2, ": ", 2);
    err->message[head + len] = '\0';
}

/* A file's setting failed: say which file, as the scenario loader does
 * ("'x.dot': graph: bad seed 'soon' ..."). */
static int from_file(int rc, const struct cli_setting *s,
                     struct disco_error *err)
{
    if (rc && s->origin && err) {
        char where[512];
        snprintf(where, sizeof where, "'%s': graph", s->origin);
        prefix_error(err, where);
    }
    return rc;
}

static int setting_u64(const struct cli_setting *s, const char *name,
                       uint64_t *out, struct disco_error *err)
{
    char what[32];
    return from_file(cli_parse_u64(s->text,
                                   setting_name(s, name, what, sizeof what),
                                   out, err),
                     s, err);
}

static int setting_probability(const struct cli_setting *s, const char *name,
                               double *out, struct disco_error *err)
{
    char what[32];
    return from_file(
        cli_parse_probability(s->text, setting_name(s, name, what, sizeof what),
                              out, err),
        s, err);
}

static int setting_bool(const struct cli_setting *s, const char *name,
                        bool *out, struct disco_error *err)
{
    char what[32];
    return from_file(cli_parse_bool(s->text,
                                    setting_name(s, name, what, sizeof what),
                                    out, err),
                     s, err);
}

/* ------------------------------------------------------------------------ */
/* Sizes.                                                                    */

/* Read the numbers after a family name, separated by ':' or 'x'.  Only for
 * the size estimate: the generator checks the syntax itself. */
static unsigned spec_numbers(const char *args, double *v, unsigned max)
{
    unsigned n = 0;
    const char *p = args;
    while (*p && n < max) {
        char *end;
        double x = strtod(p, &end);
        if (end == p || !(x >= 0))
            return 0;
        v[n++] = x;
        p = end;
        if (*p == ':' || *p == 'x')
            p++;
        else if (*p)
            return 0;
    }
    return n;
}

/* Nodes and directed channels a generator spec would give, as doubles so
 * that absurd sizes do not overflow.  False when the spec is not one the
 * estimate knows (the generator then speaks for itself). */
static bool spec_size(const char *spec, double *nodes, double *channels)
{
    const char *colon = strchr(spec, ':');
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
    double v[2] = {0, 0};
    unsigned n = colon ? spec_numbers(colon + 1, v, 2) : 0;
#define IS(name) (len == strlen(name) && strncmp(spec, name, len) == 0)
    if (IS("petersen")) {
        *nodes = 10, *channels = 30;
    } else if (n == 1 && IS("uring")) {
        *nodes = v[0], *channels = v[0];
    } else if (n == 1 && IS("ring")) {
        *nodes = v[0], *channels = 2 * v[0];
    } else if (n == 1 &&
               (IS("line") || IS("star") || IS("btree") || IS("tree"))) {
        *nodes = v[0], *channels = 2 * (v[0] > 0 ? v[0] - 1 : 0);
    } else if (n == 1 && IS("complete")) {
        *nodes = v[0], *channels = v[0] * (v[0] > 0 ? v[0] - 1 : 0);
    } else if (n == 1 && IS("hypercube")) {
        *nodes = v[0] < 64 ? (double)(1ull << (unsigned)v[0]) : 1e30;
        *channels = *nodes * v[0];
    } else if (n == 2 && IS("grid")) {
        *nodes = v[0] * v[1];
        *channels = 2 * (v[0] * (v[1] > 0 ? v[1] - 1 : 0) +
                         v[1] * (v[0] > 0 ? v[0] - 1 : 0));
    } else if (n == 2 && IS("torus")) {
        *nodes = v[0] * v[1], *channels = 4 * v[0] * v[1];
    } else if (n == 2 && IS("gnp")) {
        *nodes = v[0], *channels = v[1] * v[0] * (v[0] > 0 ? v[0] - 1 : 0);
    } else if (n == 2 && IS("regular")) {
        *nodes = v[0], *channels = v[0] * v[1];
    } else {
        return false;
    }
#undef IS
    return true;
}

/* Bytes a run needs per channel and per node beyond the algorithm's state:
 * the CSR arrays and the edge list they are built from, the kernel's
 * per-channel network state, and one pending event per channel (a flood
 * has that many in flight); per node, the kernel's arrays. */
#define BYTES_PER_CHANNEL 40.0
#define BYTES_PER_NODE 64.0

/* Read once per process: sysconf(_SC_PHYS_PAGES) is a sysinfo system
 * call, about 1 us, and twice that when threads of disco check make it
 * together (the kernel walks its block devices under a lock). */
static double physical_memory(void)
{
    static _Atomic double cached = -1;
    double have = cached;
    if (have >= 0)
        return have;
    long pages = sysconf(_SC_PHYS_PAGES);
    long size = sysconf(_SC_PAGESIZE);
    have = pages <= 0 || size <= 0 ? 0 : (double)pages * (double)size;
    cached = have;
    return have;
}

/* Refuse a run that cannot fit in this machine's memory, before anything
 * is allocated: one line instead of an hour of swapping or a kill. */
static int check_memory(const char *spec, double nodes, double channels,
                        const struct disco_algorithm *alg,
                        struct disco_error *err)
{
    double stride = (double)((alg->state_size + 15) & ~(size_t)15);
    /* Per-port state: a part per channel at its sender (port_state_size)
     * and one at its receiver (in_port_state_size), each node's two runs
     * rounded up to 16 bytes, up to 15 bytes of padding each.
     * Chandy-Lamport's 128 bytes per channel (32 at the sender, 96 at the
     * receiver) are more than the network's own. */
    double ports = (double)(alg->port_state_size + alg->in_port_state_size);
    double padding = 15.0 * ((alg->port_state_size > 0) +
                             (alg->in_port_state_size > 0));
    double need = channels * (BYTES_PER_CHANNEL + ports) +
                  nodes * (BYTES_PER_NODE + (stride > 0 ? stride : 16) +
                           padding);
    double have = physical_memory();
    if (have > 0 && need > have) {
        double gb = 1024.0 * 1024.0 * 1024.0;
        return disco_fail(err, DISCO_ELIMIT,
                          "topology '%s' would need about %.0f GB of memory "
                          "(this machine has %.0f GB)",
                          spec, need / gb < 1 ? 1 : need / gb, have / gb);
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The pipeline.                                                             */

static int load_scenario(struct disco_scenario **out, const char *path,
                         struct disco_error *err)
{
    struct disco_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    int rc = disco_scenario_load(sc, path, err);
    if (rc) {
        free(sc);
        return rc;
    }
    *out = sc;
    return 0;
}

/* The algorithm, from the command line or a scenario file. */
static int resolve_target(struct cli_run *run, const char *target,
                          struct disco_error *err)
{
    if (!disco_is_scenario_path(target)) {
        int rc = cli_find_algorithm(target, &run->alg, err);
        if (rc != DISCO_EUNKNOWN)
            return rc;
        /* "scenarios/lcr-ring8": a scenario file with its extension left
         * off, when the file is there. */
        for (size_t i = 0; i < DISCO_SCENARIO_EXTENSIONS; i++) {
            char path[4096];
            int n = snprintf(path, sizeof path, "%s%s", target,
                             disco_scenario_extensions[i]);
            struct stat st;
            if (n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0 &&
                S_ISREG(st.st_mode) && access(path, R_OK) == 0)
                return disco_fail(err, DISCO_EUNKNOWN,
                                  "unknown algorithm '%s' (did you mean "
                                  "'%s'?)", target, path);
        }
        return rc;
    }
    int rc = load_scenario(&run->scenario, target, err);
    if (rc)
        return rc;
    const char *name = disco_scenario_option(run->scenario, "algorithm");
    if (!name)
        return disco_fail(err, DISCO_EINVAL,
                          "scenario '%s' names no algorithm (add "
                          "algorithm=NAME to its graph attributes)",
                          target);
    rc = cli_find_algorithm(name, &run->alg, err);
    if (rc) {
        struct cli_setting s = {name, target};
        return from_file(rc, &s, err);
    }
    return 0;
}

static int build_topology(struct cli_run *run, uint64_t seed,
                          struct disco_error *err)
{
    const struct cli_setting *given = &run->settings.topology;
    if (given->text && disco_is_scenario_path(given->text)) {
        int rc = load_scenario(&run->topology_file, given->text, err);
        if (rc)
            return rc;
        run->topo = &run->topology_file->topo;
        return 0;
    }
    if (!given->text && run->scenario) {
        run->topo = &run->scenario->topo;
        return 0;
    }
    if (run->settings.prebuilt) {
        /* Built and measured against this machine's memory already. */
        run->topo = run->settings.prebuilt;
        return 0;
    }
    const char *spec = given->text ? given->text : run->alg->model.topology;
    if (!spec)
        return disco_fail(err, DISCO_EINVAL,
                          "%s has no default topology; give --topology",
                          run->alg->name);
    double nodes, channels;
    if (spec_size(spec, &nodes, &channels) && nodes <= DISCO_MAX_NODES &&
        channels <= DISCO_MAX_CHANNELS) {
        int rc = check_memory(spec, nodes, channels, run->alg, err);
        if (rc)
            return rc;
    }
    int rc = disco_topology_generate(&run->own_topo, spec, seed, err);
    if (rc)
        return rc;
    run->have_own_topo = true;
    run->topo = &run->own_topo;
    return 0;
}

/* A DOT digraph in which every arc has its reverse is, to an algorithm
 * that needs bidirectional channels, the graph of its pairs: one link each
 * (disco_scenario_bidirectional).  So is it under --synchronizer, whose
 * wrapper always needs them (its acks go back) but is made later, from
 * this topology.  Done before the weights: random ones are drawn per
 * link. */
static int read_bidirectional(struct cli_run *run,
                              const struct cli_run_options *opts,
                              struct disco_error *err)
{
    struct disco_scenario *graph = NULL;
    if (run->topology_file && run->topo == &run->topology_file->topo)
        graph = run->topology_file;
    else if (run->scenario && run->topo == &run->scenario->topo)
        graph = run->scenario;
    if (!graph || !(run->alg->model.undirected || opts->synchronizer))
        return 0;
    return disco_scenario_bidirectional(graph, err);
}

/* --weights random: distinct random weights from the seed (for GHS and
 * shortest paths on generated graphs); unit: the topology's own. */
static int apply_weights(struct cli_run *run, uint64_t seed,
                         struct disco_error *err)
{
    const char *text = run->settings.weights.text;
    /* An algorithm that needs distinct weights gets them on a topology
     * that has none, unless the user asked for the topology's own. */
    if (!text && run->alg->model.distinct_weights && !run->topo->weight)
        text = "random";
    if (!text || !strcmp(text, "unit"))
        return 0;
    if (strcmp(text, "random") != 0) {
        static const char *const laws[] = {"random", "unit"};
        const char *close = disco_suggest(text, laws, 2);
        if (close)
            return disco_fail(err, DISCO_EUNKNOWN,
                              "unknown --weights '%s' (did you mean '%s'?)",
                              text, close);
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown --weights '%s' (random or unit)", text);
    }
    /* Weights are the seed's, so random ones never meet a topology shared
     * among seeds (settings.prebuilt): check and sweep prebuild only when
     * shareable() in check.c finds --weights unit, or none given and none
     * needed.  (Asserted, for the test suite's debug build.) */
    assert(run->topo != run->settings.prebuilt);
    struct disco_topology *own = run->topo == &run->own_topo ? &run->own_topo
                                 : run->topology_file
                                     ? &run->topology_file->topo
                                     : &run->scenario->topo;
    return disco_topology_random_weights(own, seed, err);
}

/* From this many nodes on, trace properties are certified by causal tokens
 * where they can be, and the run repeated with the causal log where not
 * (cli_run_execute): a wave's property then costs neither the log's memory
 * nor its walk.  Below it the log is cheap, and a batch of small runs of an
 * algorithm whose property the tokens cannot certify (several deciders)
 * would run each twice. */
#define CLI_CAUSAL_TOKENS_FROM 65536u

/* DISCO_CAUSAL=log or =tokens fixes the choice (docs/cli.md,
 * "Environment"); any other value is the default's. */
static bool causal_tokens_wanted(uint32_t nodes)
{
    const char *setting = getenv("DISCO_CAUSAL");
    if (setting && strcmp(setting, "log") == 0)
        return false;
    if (setting && strcmp(setting, "tokens") == 0)
        return true;
    return nodes >= CLI_CAUSAL_TOKENS_FROM;
}

/* The run's settings into the config, in an order where each parser finds
 * what it depends on (random ids draw from the seed). */
static int configure(struct cli_run *run, uint64_t seed,
                     struct disco_error *err)
{
    const struct cli_run_options *s = &run->settings;
    struct disco_config *cfg = &run->cfg;
    uint32_t nodes = run->topo->nodes;
    int rc = 0;

    disco_config_init(cfg, run->alg);
    run->have_cfg = true;
    cfg->seed = seed;
    cfg->causal_tokens = causal_tokens_wanted(nodes);

    if (s->delay.text &&
        (rc = from_file(disco_delay_parse(&cfg->delay, s->delay.text, err),
                        &s->delay, err)))
        return rc;
    if (s->fifo.text && (rc = setting_bool(&s->fifo, "fifo", &cfg->fifo, err)))
        return rc;
    if (s->sync.text && (rc = setting_bool(&s->sync, "sync", &cfg->sync, err)))
        return rc;
    if (s->loss.text &&
        (rc = setting_probability(&s->loss, "loss", &cfg->loss, err)))
        return rc;
    if (s->dup.text &&
        (rc = setting_probability(&s->dup, "dup", &cfg->dup, err)))
        return rc;
    /* A generous bound by default, so that an algorithm that never falls
     * quiet (a student's first attempt, a livelock) ends with a report
     * instead of running forever; --max-events 0 lifts it. */
    cfg->max_events = CLI_DEFAULT_MAX_EVENTS;
    if (s->max_events.text &&
        (rc = setting_u64(&s->max_events, "max-events", &cfg->max_events, err)))
        return rc;
    if (s->max_time.text &&
        (rc = setting_u64(&s->max_time, "max-time", &cfg->max_time, err)))
        return rc;
    if (s->ids.text &&
        (rc = from_file(disco_ids_parse(cfg, s->ids.text, nodes, err), &s->ids,
                        err)))
        return rc;
    if (s->initiators.text &&
        (rc = from_file(
             disco_initiators_parse(cfg, s->initiators.text, nodes, err),
             &s->initiators, err)))
        return rc;
    for (size_t i = 0; i < s->params.count; i++)
        if ((rc = from_file(
                 disco_param_parse(cfg, run->alg, s->params.items[i].text, err),
                 &s->params.items[i], err)))
            return rc;
    for (size_t k = 0; k < sizeof fault_lists / sizeof fault_lists[0]; k++) {
        const struct cli_setting_list *list =
            (const struct cli_setting_list *)((const char *)s +
                                              fault_lists[k].offset);
        for (size_t i = 0; i < list->count; i++) {
            const char *text = list->items[i].text;
            enum disco_fault_kind kind = fault_lists[k].kind;
            switch (fault_lists[k].how) {
            case LIST_FAULT:
                rc = disco_faults_parse(cfg, kind, text, nodes, err);
                break;
            case LIST_OMISSION:
                rc = disco_omission_parse(cfg, kind, text, nodes, err);
                break;
            case LIST_PARTITION:
                rc = disco_partition_parse(cfg, text, nodes, err);
                break;
            case LIST_DELAY:
                rc = disco_delay_change_parse(cfg, text, err);
                break;
            }
            if ((rc = from_file(rc, &list->items[i], err)))
                return rc;
        }
    }
    if (s->byzantine.text &&
        (rc = from_file(disco_byzantine_parse(cfg, s->byzantine.text, nodes,
                                              err),
                        &s->byzantine, err)))
        return rc;
    if (s->strategy.text) {
        if (strlen(s->strategy.text) >= sizeof cfg->strategy)
            return from_file(disco_fail(err, DISCO_EINVAL,
                                        "bad --strategy '%s': name too long",
                                        s->strategy.text),
                             &s->strategy, err);
        snprintf(cfg->strategy, sizeof cfg->strategy, "%s", s->strategy.text);
    }
    if (s->detector.text &&
        (rc = from_file(disco_detector_parse(cfg, s->detector.text, err),
                        &s->detector, err)))
        return rc;
    if (s->dynamic.text &&
        (rc = from_file(disco_dynamic_parse(cfg, s->dynamic.text, err),
                        &s->dynamic, err)))
        return rc;

    /* Node and edge attributes of the graph that is the topology; ids and
     * initiators set above win over the nodes' own. */
    struct disco_scenario *graph =
        run->topology_file                        ? run->topology_file
        : run->topo == &run->own_topo ||
                run->topo == run->settings.prebuilt ? NULL
                                                    : run->scenario;
    /* A scenario borrowed for its graph keeps only the inputs this
     * algorithm reads, and the typos. */
    if (graph && graph == run->topology_file)
        disco_scenario_drop_foreign_inputs(graph, run->alg, disco_algorithms,
                                           disco_algorithm_count);
    if (graph &&
        (rc = disco_scenario_check_inputs(
             graph, run->alg,
             graph == run->topology_file ? s->topology.text : s->target,
             err)))
        return rc;
    if (graph && (rc = disco_scenario_apply(graph, cfg, err)))
        return rc;
    /* An explicit --dynamic none (or dynamic="none") keeps the edges'
     * `rounds` from making the network dynamic: the option wins, as for
     * every other kind. */
    if (s->dynamic.text && !strcmp(s->dynamic.text, "none"))
        cfg->dynamic = DISCO_DYNAMIC_NONE;
    return 0;
}

static const char *picture_path(const struct cli_run_options *s,
                                enum cli_picture picture)
{
    switch (picture) {
    case CLI_PICTURE_DOT: return s->dot;
    case CLI_PICTURE_SVG: return s->svg;
    case CLI_PICTURE_PNG: return s->png;
    case CLI_PICTURE_SPACETIME: return s->spacetime;
    case CLI_PICTURE_HTML: return s->html;
    case CLI_PICTURE_SHIVIZ: return s->shiviz;
    case CLI_PICTURE_COUNT: break;
    }
    return NULL;
}

static int check_frames_target(const char *dir, struct disco_error *err);

/* Pictures: a recorder observes the run; each picture file is opened now
 * (so a bad path fails before the run) and drawn after it.  Frames go into
 * a temporary directory beside DIR, renamed at the end. */
static int open_pictures(struct cli_run *run, struct disco_error *err)
{
    const struct cli_run_options *s = &run->settings;
    bool any = s->frames != NULL;
    for (int p = 0; p < CLI_PICTURE_COUNT; p++)
        any |= picture_path(s, (enum cli_picture)p) != NULL;
    if (s->window && !s->spacetime)
        return disco_fail(err, DISCO_EINVAL,
                          "--window goes with --spacetime");
    int rc;
    if (s->window && (rc = viz_window_check(s->window, err)))
        return rc;
    if (!any)
        return 0;
    rc = viz_recorder_init(&run->viz, run->sim, run->alg, run->topo,
                               &run->cfg, err);
    if (rc)
        return rc;
    run->recording = true;
    for (int p = 0; p < CLI_PICTURE_COUNT; p++) {
        const char *name = picture_path(s, (enum cli_picture)p);
        if (!name)
            continue;
        if (!*name)
            return disco_fail(err, DISCO_EINVAL, "empty file name for a "
                              "picture");
        char *path = cli_join(s->out, name);
        if (!path)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        /* SVG and PNG too: Graphviz renders them into memory and disco
         * writes the bytes, so a FIFO or /dev/stdout takes them as it
         * takes the trace. */
        rc = cli_outfile_open(&run->pictures[p], path, err);
        free(path);
        if (rc)
            return rc;
    }
    if (s->frames) {
        run->frames_dir = cli_join(s->out, s->frames);
        run->frames_temp =
            run->frames_dir ? cli_temp_beside(run->frames_dir, ".tmp") : NULL;
        if (!run->frames_temp)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        /* A directory the frames may not replace is refused now, before
         * the run, rather than after the other outputs were written. */
        if ((rc = check_frames_target(run->frames_dir, err)))
            return rc;
        int saved = cli_make_frames_dir(run->frames_temp,
                                        &run->viz.frame_count);
        if (saved) {
            free(run->frames_temp);
            run->frames_temp = NULL;
            return disco_fail(err, DISCO_EIO, "cannot write '%s': %s",
                              run->frames_dir, strerror(saved));
        }
        run->viz.frames_dir = run->frames_temp;
    }
    struct disco_observer obs;
    viz_recorder_observer(&run->viz, &obs);
    return disco_sim_observe(run->sim, &obs, err);
}

/* Draw every picture asked for into its temporary file. */
static int draw_pictures(struct cli_run *run, struct disco_error *err)
{
    if (!run->recording)
        return 0;
    if (run->viz.failed)
        return disco_fail(err, DISCO_ENOMEM, "out of memory recording the "
                          "run for its pictures");
    if (run->viz.frames_errno)
        return disco_fail(err, DISCO_EIO, "cannot write '%s': %s",
                          run->frames_dir, strerror(run->viz.frames_errno));
    if (run->viz.frames_error)
        return disco_fail(err, run->viz.frames_error, "%s",
                          run->viz.frames_message);
    for (int p = 0; p < CLI_PICTURE_COUNT; p++) {
        struct cli_outfile *file = &run->pictures[p];
        if (!file->path)
            continue;
        int rc = 0;
        errno = 0;
        switch ((enum cli_picture)p) {
        case CLI_PICTURE_DOT:
            rc = viz_write_dot(&run->viz, file->stream, err);
            break;
        case CLI_PICTURE_SVG:
        case CLI_PICTURE_PNG:
            rc = viz_render(&run->viz, p == CLI_PICTURE_SVG ? "svg" : "png",
                            file->stream, err);
            break;
        case CLI_PICTURE_SPACETIME:
            rc = viz_write_spacetime(&run->viz, file->stream,
                                     run->settings.window, err);
            break;
        case CLI_PICTURE_HTML:
            rc = viz_write_html(&run->viz, file->stream, err);
            break;
        case CLI_PICTURE_SHIVIZ:
            rc = viz_write_shiviz(&run->viz, file->stream, err);
            break;
        case CLI_PICTURE_COUNT:
            break;
        }
        /* Flushed now, whole: outputs written through one file (two of
         * them at /dev/stdout) follow each other instead of interleaving
         * at their buffers' 4 kB boundaries. */
        if (!rc && file->stream && fflush(file->stream) != 0)
            rc = DISCO_EIO;
        /* A failed write: named by the file, as the other outputs are
         * (the writers know only their stream). */
        int saved = errno;
        if (rc && file->stream && ferror(file->stream))
            rc = disco_fail(err, DISCO_EIO, "cannot write '%s': %s",
                            file->path, strerror(saved ? saved : EIO));
        if (rc)
            return rc;
    }
    return 0;
}

static void remove_frames(const char *dir);

/* Whether directory `dir` holds frames and nothing else: what a former run
 * with the same --frames left, which a new run replaces (as its files
 * replace the former run's), where any other directory is the user's. */
static bool holds_only_frames(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return false;
    bool only = true;
    struct dirent *e;
    while (only && (e = readdir(d)))
        only = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
               viz_is_frame_name(e->d_name);
    closedir(d);
    return only;
}

/* Whether the frames may take the name `dir`: it is free, or a directory
 * that holds frames only (or nothing).  Asked when --frames is opened and
 * again before the first output is committed, so that a refused directory
 * leaves no other output behind. */
static int check_frames_target(const char *dir, struct disco_error *err)
{
    struct stat st;
    if (lstat(dir, &st) != 0) {
        if (errno == ENOENT)
            return 0;
        return disco_fail(err, DISCO_EIO, "cannot write '%s': %s", dir,
                          strerror(errno));
    }
    /* rename() puts a directory only in place of a directory (not of a
     * file, nor of a link to one). */
    if (!S_ISDIR(st.st_mode))
        return disco_fail(err, DISCO_EIO, "cannot write '%s': %s", dir,
                          strerror(ENOTDIR));
    if (!holds_only_frames(dir))
        return disco_fail(err, DISCO_EIO,
                          "cannot write '%s': it holds files other than "
                          "frames (remove them, or choose another --frames)",
                          dir);
    return 0;
}

/* The new frames in place of a former run's: the old directory is set
 * aside first and put back if the new one cannot take its name, so that
 * either set of frames is whole. */
static int replace_frames(struct cli_run *run, struct disco_error *err)
{
    char *old = cli_temp_beside(run->frames_dir, ".old");
    if (!old)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    /* An empty directory of our own, which rename may replace. */
    if (!mkdtemp(old) || rename(run->frames_dir, old) != 0) {
        int saved = errno;
        rmdir(old);
        free(old);
        return disco_fail(err, DISCO_EIO, "cannot replace '%s': %s",
                          run->frames_dir, strerror(saved));
    }
    if (rename(run->frames_temp, run->frames_dir) != 0) {
        int saved = errno;
        (void)rename(old, run->frames_dir);
        free(old);
        return disco_fail(err, DISCO_EIO, "cannot write '%s': %s",
                          run->frames_dir, strerror(saved));
    }
    remove_frames(old);
    free(old);
    return 0;
}

/* Every output written in full under its temporary name, and every final
 * name still free to take: what can refuse the run at its end is asked
 * here, before the first rename, so that a refused run commits nothing. */
static int check_outputs(struct cli_run *run, struct disco_error *err)
{
    int rc;
    for (int p = 0; p < CLI_PICTURE_COUNT; p++)
        if ((rc = cli_outfile_close(&run->pictures[p], err)) ||
            (rc = cli_outfile_check(&run->pictures[p], err)))
            return rc;
    if (run->writing_summary &&
        ((rc = cli_outfile_close(&run->summary_file, err)) ||
         (rc = cli_outfile_check(&run->summary_file, err))))
        return rc;
    if (run->tracing && (rc = cli_outfile_check(&run->trace_file, err)))
        return rc;
    if (run->frames_temp &&
        (rc = check_frames_target(run->frames_dir, err)))
        return rc;
    return 0;
}

/* The frames first: their directory is the one output whose rename may
 * still be refused (a file appeared in it since check_outputs), and a
 * former run's frames are put back if so. */
static int commit_pictures(struct cli_run *run, struct disco_error *err)
{
    if (run->frames_temp) {
        if (rename(run->frames_temp, run->frames_dir) != 0) {
            int saved = errno;
            if (saved != ENOTEMPTY && saved != EEXIST)
                return disco_fail(err, DISCO_EIO, "cannot write '%s': %s",
                                  run->frames_dir, strerror(saved));
            if (!holds_only_frames(run->frames_dir))
                return disco_fail(err, DISCO_EIO,
                                  "cannot write '%s': it holds files other "
                                  "than frames (remove them, or choose "
                                  "another --frames)",
                                  run->frames_dir);
            int rc = replace_frames(run, err);
            if (rc)
                return rc;
        }
        cli_untrack_frames(); /* renamed: the frames are the output now */
        free(run->frames_temp);
        run->frames_temp = NULL;
    }
    for (int p = 0; p < CLI_PICTURE_COUNT; p++) {
        if (!run->pictures[p].path)
            continue;
        int rc = cli_outfile_commit(&run->pictures[p], err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Remove a temporary frames directory and the frames in it. */
static void remove_frames(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char *path = cli_join(dir, e->d_name);
            if (path)
                unlink(path);
            free(path);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* Two outputs naming one file are refused before any is opened: --out's
 * own names and the --frames directory included. */
static int check_output_paths(const struct cli_run_options *s,
                              struct disco_error *err)
{
    static const char *const picture_option[CLI_PICTURE_COUNT] = {
        "--dot", "--svg", "--png", "--spacetime", "--html", "--shiviz",
    };
    struct cli_output_paths set = {0};
    int rc = 0;
    if (s->out)
        rc = cli_output_paths_add(&set, "--out", NULL, s->out, NULL, true,
                                  err);
    if (!rc && s->trace)
        rc = cli_output_paths_add(&set, "--trace", s->out, s->trace, NULL,
                                  false, err);
    else if (!rc && s->out)
        rc = cli_output_paths_add(&set, "--out", s->out, "trace.jsonl",
                                  "the trace", false, err);
    for (int p = 0; !rc && p < CLI_PICTURE_COUNT; p++) {
        const char *name = picture_path(s, (enum cli_picture)p);
        if (name)
            rc = cli_output_paths_add(&set, picture_option[p], s->out, name,
                                      NULL, false, err);
    }
    if (!rc && s->frames)
        rc = cli_output_paths_add(&set, "--frames", s->out, s->frames, NULL,
                                  true, err);
    if (!rc && s->out)
        rc = cli_output_paths_add(&set, "--out", s->out, "summary.json",
                                  "the summary", false, err);
    cli_output_paths_release(&set);
    return rc;
}

/* Output paths: --out DIR holds everything; a relative --trace goes in it;
 * DIR alone gives trace.jsonl and summary.json. */
static int open_outputs(struct cli_run *run, struct disco_error *err)
{
    const struct cli_run_options *s = &run->settings;
    int rc = check_output_paths(s, err);
    if (rc)
        return rc;
    if (s->out && (rc = cli_mkdirs(s->out, &run->out_dirs, err)))
        return rc;
    const char *trace_name = s->trace ? s->trace
                             : s->out ? "trace.jsonl"
                                      : NULL;
    if (trace_name) {
        char *path = cli_join(s->out, trace_name);
        if (!path)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        rc = cli_outfile_open(&run->trace_file, path, err);
        free(path);
        if (rc)
            return rc;
        run->tracing = true;
        rc = disco_trace_open(&run->trace, cli_outfile_take(&run->trace_file),
                              run->alg, run->topo, &run->cfg, err);
        if (rc)
            return rc;
        struct disco_observer obs;
        disco_trace_observer(&run->trace, &obs, run->alg->format_state != NULL);
        if ((rc = disco_sim_observe(run->sim, &obs, err)))
            return rc;
    }
    if ((rc = open_pictures(run, err)))
        return rc;
    if (s->out) {
        char *path = cli_join(s->out, "summary.json");
        if (!path)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        rc = cli_outfile_open(&run->summary_file, path, err);
        free(path);
        if (rc)
            return rc;
        run->writing_summary = true;
    }
    return 0;
}

int cli_run_prepare(struct cli_run *run, const struct cli_run_options *opts,
                    struct disco_error *err)
{
    memset(run, 0, sizeof *run);
    int rc = resolve_target(run, opts->target, err);
    if (!rc)
        rc = merge_settings(run, opts, run->scenario, opts->target, err);
    if (rc)
        return rc;

    uint64_t seed = 1;
    if (run->settings.seed.text &&
        (rc = setting_u64(&run->settings.seed, "seed", &seed, err)))
        return rc;
    if ((rc = build_topology(run, seed, err)))
        return rc;
    if ((rc = read_bidirectional(run, opts, err)))
        return rc;
    if ((rc = apply_weights(run, seed, err)))
        return rc;
    if (run->topo != &run->own_topo) {
        /* A DOT graph has its size only once read. */
        if ((rc = check_memory(run->topo->spec, run->topo->nodes,
                               run->topo->channels, run->alg, err)))
            return rc;
    }
    if (opts->synchronizer) {
        /* The layer in place of the algorithm, before the configuration
         * and the model check read it (one wrapped algorithm per process:
         * see synchronizer.h). */
        if ((rc = disco_synchronize_topology(&run->synchronized, run->alg,
                                             opts->synchronizer, run->topo,
                                             err)))
            return rc;
        run->alg = &run->synchronized;
    }
    if ((rc = configure(run, seed, err)))
        return rc;
    run->cfg.vector_clocks = run->settings.vector_clocks;
    if ((rc = disco_model_check(run->alg, run->topo, &run->cfg, run->warning,
                                sizeof run->warning, err)))
        return rc;
    if ((rc = disco_sim_create(&run->sim, run->alg, run->topo, &run->cfg, err)))
        return rc;
    return open_outputs(run, err);
}

/* Run run->sim and check its properties into run->results. */
static int run_and_check(struct cli_run *run, struct disco_error *err)
{
    int rc = disco_sim_run(run->sim, err);
    if (rc)
        return rc;
    run->metrics = disco_sim_metrics(run->sim);
    cli_progress_phase(run->progress, "checking the properties", NULL);
    run->failed = disco_sim_check(run->sim, run->results);
    return 0;
}

/* The run as it was created with the log in place of causal tokens,
 * checked again: the same seed and settings, the same execution.  The
 * first sim goes before the second is made, so that the two never take
 * memory at once. */
static int rerun_with_log(struct cli_run *run, struct disco_error *err)
{
    disco_sim_free(run->sim);
    run->sim = NULL;
    run->metrics = NULL; /* they were the first sim's */
    run->cfg.causal_tokens = false;
    int rc = disco_sim_create(&run->sim, run->alg, run->topo, &run->cfg, err);
    if (rc)
        return rc;
    cli_progress_phase(run->progress, "running again with the causal log",
                       run->sim);
    return run_and_check(run, err);
}

int cli_run_execute(struct cli_run *run, struct disco_error *err)
{
    const struct disco_algorithm *alg = run->alg;
    run->results = calloc(alg->property_count ? alg->property_count : 1,
                          sizeof *run->results);
    if (!run->results)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    int rc = run_and_check(run, err);
    if (rc)
        return rc;
    /* Causal tokens could not answer a check (cfg.causal_tokens): only
     * the log can, so the run goes again with it. */
    if (disco_sim_causal_rerun(run->sim) && (rc = rerun_with_log(run, err)))
        return rc;
    disco_sim_result(run->sim, run->result, sizeof run->result);

    run->terminated = run->metrics->stop == DISCO_STOP_QUIESCENT;
    for (unsigned i = 0; i < alg->property_count; i++)
        run->must_terminate |= alg->properties[i].needs_termination;
    run->pass = run->failed == 0 && (run->terminated || !run->must_terminate);

    cli_progress_phase(run->progress, "writing the outputs", NULL);
    if (run->tracing && (rc = disco_trace_close(&run->trace, err))) {
        /* The library gives the reason alone; named as every other
         * output is. */
        char reason[sizeof err->message];
        snprintf(reason, sizeof reason, "%s", err->message);
        return disco_fail(err, rc, "cannot write '%s': %s",
                          run->trace_file.path, reason);
    }
    if ((rc = draw_pictures(run, err)))
        return rc;
    if (run->writing_summary)
        cli_summary_json(run->summary_file.stream, run);
    if ((rc = check_outputs(run, err)) || (rc = commit_pictures(run, err)))
        return rc;
    if (run->writing_summary &&
        (rc = cli_outfile_commit(&run->summary_file, err)))
        return rc;
    if (run->tracing && (rc = cli_outfile_commit(&run->trace_file, err)))
        return rc;
    return 0;
}

void cli_run_release(struct cli_run *run)
{
    if (run->tracing) {
        disco_trace_close(&run->trace, NULL);
        cli_outfile_abort(&run->trace_file);
    }
    cli_outfile_abort(&run->summary_file);
    for (int p = 0; p < CLI_PICTURE_COUNT; p++)
        cli_outfile_abort(&run->pictures[p]);
    if (run->frames_temp) {
        cli_untrack_frames();
        remove_frames(run->frames_temp);
    }
    free(run->frames_temp);
    free(run->frames_dir);
    if (run->recording)
        viz_recorder_release(&run->viz);
    /* Only those --out made, and only if nothing was committed in them. */
    cli_made_dirs_remove(&run->out_dirs);
    disco_sim_free(run->sim);
    free(run->results);
    if (run->have_cfg)
        disco_config_release(&run->cfg);
    if (run->have_own_topo)
        disco_topology_release(&run->own_topo);
    if (run->scenario) {
        disco_scenario_release(run->scenario);
        free(run->scenario);
    }
    if (run->topology_file) {
        disco_scenario_release(run->topology_file);
        free(run->topology_file);
    }
    release_settings(run);
    memset(run, 0, sizeof *run);
}
