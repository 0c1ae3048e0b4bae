/* support.c - helpers shared by the cmocka tests. */
#define _GNU_SOURCE
#include "support.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "scenario.h" /* sim_config_scenario_params */

/* cli_run's deadline for one run of the binary, unless $DISCO_TEST_DEADLINE
 * sets another.  The slowest runs of the suite (check --maximize and
 * check --seeds batches in test_check and test_cli) took 4.2 s in a
 * release build and 3.7 s under ASan+UBSan, with both cores busy: a
 * margin of more than ten times, and a hung run still ends well inside
 * meson's timeout of the whole test (600 s). */
#define CLI_DEADLINE_S 60.0

static void append(char **buf, size_t *len, size_t *cap, const char *data,
                   size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *buf = realloc(*buf, *cap);
        if (!*buf)
            abort();
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
}

/* How long one run may take: $DISCO_TEST_DEADLINE seconds, else
 * CLI_DEADLINE_S. */
static double cli_deadline_s(void)
{
    const char *text = getenv("DISCO_TEST_DEADLINE");
    if (!text || !*text)
        return CLI_DEADLINE_S;
    char *end;
    double s = strtod(text, &end);
    if (*end || !(s > 0))
        fail_msg("DISCO_TEST_DEADLINE='%s': not a positive number of seconds",
                 text);
    return s;
}

/* The command line of a run, for a message: "disco run echo ...". */
static char *command_line(const char *bin, const char *const argv[])
{
    char *line = NULL;
    size_t len = 0, cap = 0;
    append(&line, &len, &cap, bin, strlen(bin));
    for (size_t i = 1; argv[i]; i++) {
        append(&line, &len, &cap, " ", 1);
        append(&line, &len, &cap, argv[i], strlen(argv[i]));
    }
    return line;
}

/* Milliseconds left until `deadline` (now_s's clock) for poll(), at least
 * 0 and rounded up so that a wait does not end just short of it. */
static int ms_until(double deadline)
{
    double left = deadline - now_s();
    if (left <= 0)
        return 0;
    return left > 3600 ? 3600 * 1000 : (int)(left * 1000) + 1;
}

/* A run past its deadline: killed, reaped, and the calling test failed
 * with the command line and what it had printed. */
static void cli_run_expired(struct cli_output *result, const char *bin,
                            const char *const argv[], pid_t pid,
                            struct pollfd fds[2], double seconds)
{
    kill(-pid, SIGKILL); /* its group: see cli_run */
    kill(pid, SIGKILL);
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    char *line = command_line(bin, argv);
    char text[4096];
    snprintf(text, sizeof text, "%s", line);
    free(line);
    print_error("stdout so far (%zu bytes):\n%.2000s\nstderr so far (%zu "
                "bytes):\n%.2000s\n",
                result->out_len, result->out, result->err_len, result->err);
    cli_output_release(result);
    fail_msg("'%s' still running after %g s (DISCO_TEST_DEADLINE): killed",
             text, seconds);
}

void cli_run(struct cli_output *result, const char *const argv[])
{
    const char *bin = getenv("DISCO_BIN");
    if (!bin)
        bin = "./cli/disco";
    double seconds = cli_deadline_s();
    double deadline = now_s() + seconds;
    int out_pipe[2], err_pipe[2];
    if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0)
        abort();
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        /* A group of its own, so that a deadline's SIGKILL reaches what it
         * started too (sweep's gnuplot). */
        setpgid(0, 0);
        int null_in = open("/dev/null", O_RDONLY);
        dup2(null_in, 0);
        dup2(out_pipe[1], 1);
        dup2(err_pipe[1], 2);
        close(out_pipe[0]);
        close(err_pipe[0]);
        size_t n = 0;
        while (argv[n + 1])
            n++;
        char **args = calloc(n + 2, sizeof *args);
        args[0] = (char *)bin;
        for (size_t i = 1; i <= n; i++)
            args[i] = (char *)argv[i];
        execv(bin, args);
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);
    memset(result, 0, sizeof *result);
    size_t out_cap = 0, err_cap = 0;
    append(&result->out, &result->out_len, &out_cap, "", 0);
    append(&result->err, &result->err_len, &err_cap, "", 0);
    /* Both pipes at once: a child that fills one while the other is read
     * would wait for ever. */
    struct pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    char chunk[65536];
    while (open_fds > 0) {
        int ready = poll(fds, 2, ms_until(deadline));
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            abort();
        }
        if (ready == 0) {
            if (now_s() >= deadline)
                cli_run_expired(result, bin, argv, pid, fds, seconds);
            continue;
        }
        for (int i = 0; i < 2; i++) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
                continue;
            ssize_t got = read(fds[i].fd, chunk, sizeof chunk);
            if (got <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            } else if (i == 0) {
                append(&result->out, &result->out_len, &out_cap, chunk,
                       (size_t)got);
            } else {
                append(&result->err, &result->err_len, &err_cap, chunk,
                       (size_t)got);
            }
        }
    }
    /* Both streams closed; a child that closed them and went on running
     * is held to the same deadline. */
    int wstatus;
    for (int nap_ms = 1;; nap_ms = nap_ms < 64 ? 2 * nap_ms : nap_ms) {
        pid_t done = waitpid(pid, &wstatus, WNOHANG);
        if (done == pid)
            break;
        if (done < 0 && errno != EINTR)
            abort();
        if (now_s() >= deadline)
            cli_run_expired(result, bin, argv, pid, fds, seconds);
        poll(NULL, 0, nap_ms);
    }
    result->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
                                        : 128 + WTERMSIG(wstatus);
}

void cli_output_release(struct cli_output *result)
{
    free(result->out);
    free(result->err);
    memset(result, 0, sizeof *result);
}

char *tmpdir_create(void)
{
    const char *base = getenv("TMPDIR");
    char *dir;
    if (asprintf(&dir, "%s/disco-test-XXXXXX", base ? base : "/tmp") < 0)
        abort();
    if (!mkdtemp(dir))
        abort();
    return dir;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *child;
            if (asprintf(&child, "%s/%s", path, e->d_name) < 0)
                abort();
            remove_tree(child);
            free(child);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

void tmpdir_remove(char *dir)
{
    remove_tree(dir);
    free(dir);
}

int dir_entry_count(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

char *file_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    char chunk[65536];
    size_t got;
    append(&buf, &n, &cap, "", 0);
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        append(&buf, &n, &cap, chunk, got);
    fclose(f);
    if (len)
        *len = n;
    return buf;
}

double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

const char *env_path(const char *name, const char *relative)
{
    static char buf[4096];
    const char *base = getenv(name);
    snprintf(buf, sizeof buf, "%s/%s", base ? base : ".", relative);
    return buf;
}

/* ---- running the kernel directly ---- */

void sim_run_on_observed(struct sim_run *run, const struct disco_algorithm *alg,
                         const struct disco_topology *topo,
                         struct disco_config *cfg,
                         const struct disco_observer *observer)
{
    struct disco_config defaults;
    if (!cfg) {
        disco_config_init(&defaults, alg);
        cfg = &defaults;
    }
    memset(run->results, 0, sizeof run->results);
    run->ran_on = topo;
    struct disco_error err = {0};
    int rc = disco_sim_create(&run->sim, alg, topo, cfg, &err);
    if (rc)
        fail_msg("create %s on %s: %s", alg->name, topo->spec, err.message);
    if (observer && disco_sim_observe(run->sim, observer, &err))
        fail_msg("observe %s on %s: %s", alg->name, topo->spec, err.message);
    rc = disco_sim_run(run->sim, &err);
    if (rc)
        fail_msg("run %s on %s: %s", alg->name, topo->spec, err.message);
    run->metrics = disco_sim_metrics(run->sim);
    /* disco_sim_check writes one result per property into the array. */
    assert_true(alg->property_count <=
                sizeof run->results / sizeof run->results[0]);
    run->failed = disco_sim_check(run->sim, run->results);
    run->unchecked = 0;
    for (unsigned i = 0; i < alg->property_count; i++)
        run->unchecked += run->results[i].holds == DISCO_HOLDS_UNCHECKED;
    if (cfg == &defaults)
        disco_config_release(&defaults);
}

void sim_run_on(struct sim_run *run, const struct disco_algorithm *alg,
                const struct disco_topology *topo, struct disco_config *cfg)
{
    sim_run_on_observed(run, alg, topo, cfg, NULL);
}

void sim_run_observed(struct sim_run *run, const struct disco_algorithm *alg,
                      const char *spec, uint64_t topo_seed,
                      struct disco_config *cfg,
                      const struct disco_observer *observer)
{
    memset(run, 0, sizeof *run);
    struct disco_error err = {0};
    if (disco_topology_generate(&run->topo, spec, topo_seed, &err))
        fail_msg("topology %s: %s", spec, err.message);
    sim_run_on_observed(run, alg, &run->topo, cfg, observer);
}

void sim_run(struct sim_run *run, const struct disco_algorithm *alg,
             const char *spec, uint64_t topo_seed, struct disco_config *cfg)
{
    sim_run_observed(run, alg, spec, topo_seed, cfg, NULL);
}

void sim_run_release(struct sim_run *run)
{
    disco_sim_free(run->sim);
    disco_topology_release(&run->topo);
    memset(run, 0, sizeof *run);
}

void sim_run_ids(struct sim_run *run, const struct disco_algorithm *alg,
                 const char *spec, const char *ids, uint64_t seed, bool fifo)
{
    struct disco_config cfg;
    disco_config_init(&cfg, alg);
    cfg.seed = seed;
    cfg.fifo = fifo;
    struct disco_error err = {0};
    memset(run, 0, sizeof *run);
    if (disco_topology_generate(&run->topo, spec, 1, &err))
        fail_msg("topology %s: %s", spec, err.message);
    assert_ok(disco_ids_parse(&cfg, ids, run->topo.nodes, &err), &err);
    sim_run_on(run, alg, &run->topo, &cfg);
    disco_config_release(&cfg);
}

void sim_config(struct disco_config *cfg, const struct disco_algorithm *alg,
                uint64_t seed, const char *delay)
{
    disco_config_init(cfg, alg);
    cfg->seed = seed;
    struct disco_error err = {0};
    if (delay)
        assert_ok(disco_delay_parse(&cfg->delay, delay, &err), &err);
}

void sim_config_param(struct disco_config *cfg,
                      const struct disco_algorithm *alg, const char *name,
                      int64_t value)
{
    char text[64];
    int len = snprintf(text, sizeof text, "%s=%lld", name, (long long)value);
    /* A value cut short would set another number, and pass. */
    assert_true(len > 0 && (size_t)len < sizeof text);
    struct disco_error err = {0};
    assert_ok(disco_param_parse(cfg, alg, text, &err), &err);
}

void sim_config_initiators(struct disco_config *cfg, const char *list,
                           uint32_t nodes)
{
    struct disco_error err = {0};
    assert_ok(disco_initiators_parse(cfg, list, nodes, &err), &err);
}

void sim_config_initiator(struct disco_config *cfg, uint32_t node,
                          uint32_t nodes)
{
    char list[16];
    snprintf(list, sizeof list, "%u", (unsigned)node);
    sim_config_initiators(cfg, list, nodes);
}

void sim_config_scenario_params(struct disco_config *cfg,
                                const struct disco_algorithm *alg,
                                const struct disco_scenario *sc)
{
    for (size_t i = 0; i < sc->option_count; i++) {
        if (strncmp(sc->options[i].name, "param_", 6) != 0)
            continue;
        char text[128];
        int len = snprintf(text, sizeof text, "%s=%s",
                           sc->options[i].name + 6, sc->options[i].value);
        assert_true(len > 0 && (size_t)len < sizeof text);
        struct disco_error err = {0};
        assert_ok(disco_param_parse(cfg, alg, text, &err), &err);
    }
}

void sim_config_faults(struct disco_config *cfg, enum disco_fault_kind kind,
                       const char *text, uint32_t nodes)
{
    struct disco_error err = {0};
    assert_ok(disco_faults_parse(cfg, kind, text, nodes, &err), &err);
}

void sim_config_fault(struct disco_config *cfg, enum disco_fault_kind kind,
                      uint32_t node, disco_time_t t, uint32_t nodes)
{
    char text[64];
    snprintf(text, sizeof text, "%u@%llu", node, (unsigned long long)t);
    sim_config_faults(cfg, kind, text, nodes);
}

void sim_config_cut(struct disco_config *cfg, uint32_t a, uint32_t b,
                    disco_time_t down, disco_time_t up, uint32_t nodes)
{
    char text[64];
    snprintf(text, sizeof text, "%u-%u@%llu:%llu", a, b,
             (unsigned long long)down, (unsigned long long)up);
    sim_config_faults(cfg, DISCO_FAULT_LINK_DOWN, text, nodes);
}

void sim_config_cut_for_good(struct disco_config *cfg, uint32_t a, uint32_t b,
                             disco_time_t t, uint32_t nodes)
{
    sim_config_cut(cfg, a, b, t, t + 1, nodes);
    assert_int_equal(cfg->faults[cfg->fault_count - 1].kind,
                     DISCO_FAULT_LINK_UP);
    cfg->fault_count--;
}

void sim_config_byzantine(struct disco_config *cfg, const char *nodes,
                          uint32_t node_count, const char *strategy)
{
    struct disco_error err = {0};
    assert_ok(disco_byzantine_parse(cfg, nodes, node_count, &err), &err);
    /* A strategy cut short would run another one, or none. */
    assert_true(strlen(strategy) < sizeof cfg->strategy);
    snprintf(cfg->strategy, sizeof cfg->strategy, "%s", strategy);
}

void sim_config_byzantine_mask(struct disco_config *cfg, uint64_t mask,
                               uint32_t node_count, const char *strategy)
{
    if (!mask)
        return;
    assert_true(node_count <= 64);
    /* Through the list --byzantine reads, so that a bit beyond the last
     * node is refused rather than dropped. */
    char nodes[64 * 4] = "";
    size_t used = 0;
    for (uint32_t v = 0; v < 64; v++)
        if (mask >> v & 1)
            used += (size_t)snprintf(nodes + used, sizeof nodes - used,
                                     used ? ",%u" : "%u", v);
    sim_config_byzantine(cfg, nodes, node_count, strategy);
}

void sim_config_values(struct disco_config *cfg, const int64_t *values,
                       uint32_t n)
{
    free(cfg->inputs);
    cfg->inputs = calloc(n, sizeof *cfg->inputs);
    assert_non_null(cfg->inputs);
    for (uint32_t v = 0; v < n; v++) {
        cfg->inputs[v].node = v;
        strcpy(cfg->inputs[v].name, "value");
        cfg->inputs[v].value = values[v];
    }
    cfg->input_count = n;
}

const char *spec_complete(uint32_t n)
{
    static char spec[32];
    snprintf(spec, sizeof spec, "complete:%u", n);
    return spec;
}

int64_t decision_of(const struct sim_run *run, uint32_t node)
{
    const struct disco_view *view = disco_sim_view(run->sim);
    size_t at = disco_view_decision_of(view, node);
    assert_true(at != SIZE_MAX);
    return disco_view_decision(view, at)->value;
}

void assert_ok(int rc, const struct disco_error *err)
{
    if (rc)
        fail_msg("%s", err->message);
}

/* How many results the check filled: sim_run zeroes them before
 * disco_sim_check names one per property, so the list ends at the first
 * unnamed one. */
static size_t named_results(const struct sim_run *run)
{
    size_t n = 0;
    while (n < sizeof run->results / sizeof run->results[0] &&
           run->results[n].name)
        n++;
    return n;
}

void assert_all_hold(const struct sim_run *run)
{
    for (size_t i = 0; i < named_results(run); i++)
        if (run->results[i].holds != DISCO_HOLDS_YES)
            fail_msg("property %s %s on %s: %s", run->results[i].name,
                     run->results[i].holds == DISCO_HOLDS_NO ? "failed"
                                                             : "unchecked",
                     run->ran_on ? run->ran_on->spec : run->topo.spec,
                     run->results[i].detail);
}

const struct disco_property_result *verdict_of(const struct sim_run *run,
                                               const char *name)
{
    for (size_t i = 0; i < named_results(run); i++)
        if (strcmp(run->results[i].name, name) == 0)
            return &run->results[i];
    fail_msg("no property %s", name);
    return NULL;
}

enum disco_verdict_holds verdict(const struct sim_run *run, const char *name)
{
    return verdict_of(run, name)->holds;
}

void file_write(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    size_t len = strlen(text);
    if (fwrite(text, 1, len, f) != len) {
        int e = errno;
        fclose(f);
        fail_msg("cannot write %s: %s", path, strerror(e));
    }
    if (fclose(f) != 0)
        fail_msg("cannot write %s: %s", path, strerror(errno));
}

char *path_in(const char *dir, const char *name)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(path);
    sprintf(path, "%s/%s", dir, name);
    return path;
}

/* ---- reading the pictures (libxml2) ---- */

xmlDocPtr parse_xml(const char *text, size_t len)
{
    xmlDocPtr doc = xmlReadMemory(text, (int)len, "picture.svg", NULL,
                                  XML_PARSE_NONET | XML_PARSE_HUGE);
    assert_non_null(doc);
    return doc;
}

xmlDocPtr parse_svg(const char *path)
{
    size_t len;
    char *text = file_read(path, &len);
    assert_non_null(text);
    xmlDocPtr doc = parse_xml(text, len);
    free(text);
    xmlNodePtr root = xmlDocGetRootElement(doc);
    assert_non_null(root);
    assert_string_equal((const char *)root->name, "svg");
    return doc;
}

int xpath_count(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    assert_non_null(ctx);
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    assert_non_null(r);
    int n = r->nodesetval ? r->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return n;
}

void xpath_string(xmlDocPtr doc, const char *expr, char *buf, size_t len)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    assert_non_null(ctx);
    xmlXPathObjectPtr r = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    assert_non_null(r);
    xmlChar *s = xmlXPathCastToString(r);
    snprintf(buf, len, "%s", (const char *)s);
    xmlFree(s);
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
}

int count_substring(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p;
         p = strstr(p + strlen(needle), needle))
        n++;
    return n;
}

void assert_usage_error(const struct cli_output *o, const char *expected)
{
    if (o->status != 2 || !strstr(o->err, expected))
        print_error("status %d, stderr: %s(expected: %s)\n", o->status, o->err,
                    expected);
    assert_int_equal(o->status, 2);
    assert_int_equal(o->out_len, 0);
    assert_true(strncmp(o->err, "disco: ", 7) == 0);
    assert_int_equal(count_substring(o->err, "\n"), 1);
    assert_true(o->err[o->err_len - 1] == '\n');
    assert_non_null(strstr(o->err, expected));
}

void cli_run_in(const char *dir, struct cli_output *result,
                const char *const argv[])
{
    char *cwd = getcwd(NULL, 0);
    assert_non_null(cwd);
    assert_int_equal(chdir(dir), 0);
    cli_run(result, argv);
    int restored = chdir(cwd);
    free(cwd);
    assert_int_equal(restored, 0);
}

void assert_refused_in(const char *dir, const char *message,
                       const char *const argv[])
{
    int before = dir_entry_count(dir);
    struct cli_output o;
    cli_run_in(dir, &o, argv);
    assert_usage_error(&o, message);
    char line[1024];
    snprintf(line, sizeof line, "disco: %s\n", message);
    assert_string_equal(o.err, line);
    assert_int_equal(dir_entry_count(dir), before);
    cli_output_release(&o);
}

uint64_t json_u64(const char *json, const char *member)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\": ", member);
    const char *p = strstr(json, key);
    assert_non_null(p);
    return strtoull(p + strlen(key), NULL, 10);
}
