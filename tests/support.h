/*
 * support.h - helpers shared by the cmocka tests.
 */
#ifndef DISCO_TEST_SUPPORT_H
#define DISCO_TEST_SUPPORT_H

#include <stddef.h>

/* What a run of the disco binary printed, and how it exited. */
struct cli_output {
    int status;      /* exit status, or 128+signal when killed */
    char *out;       /* stdout, NUL-terminated, owned */
    size_t out_len;
    char *err;       /* stderr, NUL-terminated, owned */
    size_t err_len;
};

/* Run $DISCO_BIN with argv (argv[0] is ignored and may be NULL; the list
 * ends with NULL) in the current directory, capturing both streams.  A run
 * still going after $DISCO_TEST_DEADLINE seconds (default 60) is killed
 * (SIGKILL) and fails the calling test with its command line and what it
 * had printed. */
void cli_run(struct cli_output *result, const char *const argv[]);
/* cli_run with the arguments listed: RUN(&o, "run", "echo", "--json"). */
#define RUN(out, ...)                                                          \
    do {                                                                       \
        const char *const run_argv_[] = {NULL, __VA_ARGS__, NULL};             \
        cli_run((out), run_argv_);                                             \
    } while (0)
void cli_output_release(struct cli_output *result);
/* cli_run with `dir` as the working directory, restored before it returns
 * (and before any assertion on the run can jump out of the test). */
void cli_run_in(const char *dir, struct cli_output *result,
                const char *const argv[]);
#define RUN_IN(dir, out, ...)                                                  \
    do {                                                                       \
        const char *const run_argv_[] = {NULL, __VA_ARGS__, NULL};             \
        cli_run_in((dir), (out), run_argv_);                                   \
    } while (0)

/* A fresh empty directory under $TMPDIR (or /tmp); the caller owns the
 * string.  tmpdir_remove deletes it with everything in it. */
char *tmpdir_create(void);
void tmpdir_remove(char *dir);

/* Number of entries in a directory other than . and .. */
int dir_entry_count(const char *dir);

/* A file's contents, NUL-terminated (NULL if unreadable); caller frees. */
char *file_read(const char *path, size_t *len);
/* Create or replace the file `path` with `text`; fails the calling test
 * (naming the path and the error) when it cannot be written in full. */
void file_write(const char *path, const char *text);

/* dir/name, malloc'ed (the caller frees). */
char *path_in(const char *dir, const char *name);

/* Monotonic wall-clock seconds, for a test that needs a run long enough
 * to show (or times one). */
double now_s(void);

/* $NAME joined with a relative path, e.g. env_path("DISCO_DATA", "x.dot").
 * Returns a static buffer overwritten by the next call. */
const char *env_path(const char *name, const char *relative);


/* ---- running the kernel directly ---- */
#include "disco_sim.h"

struct sim_run {
    struct disco_topology topo;
    struct disco_sim *sim;
    const struct disco_metrics *metrics;
    struct disco_property_result results[16];
    unsigned failed;       /* properties that failed */
    unsigned unchecked;    /* properties not checked */
    const struct disco_topology *ran_on; /* topo, or the caller's */
};

/* Generate `spec` (random families from topo_seed), run `alg` with `cfg`
 * (NULL: the defaults with seed 1) and check its properties.  Fails the
 * calling cmocka test on any error.  cfg stays the caller's, and must
 * outlive the run (the sim reads some of its arrays in place). */
void sim_run(struct sim_run *run, const struct disco_algorithm *alg,
             const char *spec, uint64_t topo_seed, struct disco_config *cfg);
/* The same on a topology the caller built (borrowed, not released). */
void sim_run_on(struct sim_run *run, const struct disco_algorithm *alg,
                const struct disco_topology *topo, struct disco_config *cfg);
/* sim_run and sim_run_on with `observer` (NULL: none; copied) attached
 * before the run, for what the metrics do not count: which events, when,
 * from whom. */
void sim_run_observed(struct sim_run *run, const struct disco_algorithm *alg,
                      const char *spec, uint64_t topo_seed,
                      struct disco_config *cfg,
                      const struct disco_observer *observer);
void sim_run_on_observed(struct sim_run *run, const struct disco_algorithm *alg,
                         const struct disco_topology *topo,
                         struct disco_config *cfg,
                         const struct disco_observer *observer);
void sim_run_release(struct sim_run *run);
/* sim_run of `alg` (its defaults, `seed`, FIFO channels or not) on `spec`
 * (from topology seed 1) with the ids `ids` as --ids reads them ("random",
 * "decreasing", "5,4,3"...); ids the option refuses fail the calling
 * test. */
void sim_run_ids(struct sim_run *run, const struct disco_algorithm *alg,
                 const char *spec, const char *ids, uint64_t seed, bool fifo);

/* The config of a test run: `alg`'s defaults, `seed`, and the delay law
 * `delay` as --delay reads it (NULL: the default law).  The caller
 * releases it with disco_config_release. */
void sim_config(struct disco_config *cfg, const struct disco_algorithm *alg,
                uint64_t seed, const char *delay);
/* Parameter `name` of `alg` set to `value` as --param sets it: a name
 * `alg` does not take, or a value out of its range, fails the calling
 * test rather than leaving the default in place unnoticed. */
void sim_config_param(struct disco_config *cfg,
                      const struct disco_algorithm *alg, const char *name,
                      int64_t value);
/* The initiators `list` of `nodes` nodes as --initiators reads it ("all",
 * "none" or nodes, e.g. "0,5"), replacing any cfg had (cfg owns the array,
 * freed by disco_config_release); a list the option refuses, such as a
 * node out of range, fails the calling test. */
void sim_config_initiators(struct disco_config *cfg, const char *list,
                           uint32_t nodes);
/* The same for one initiator, `node`. */
void sim_config_initiator(struct disco_config *cfg, uint32_t node,
                          uint32_t nodes);
/* A scenario's param_NAME graph attributes, as `disco run FILE.dot` sets
 * them (disco_scenario_apply leaves them to the caller). */
struct disco_scenario;
void sim_config_scenario_params(struct disco_config *cfg,
                                const struct disco_algorithm *alg,
                                const struct disco_scenario *sc);
/* The faults of `text` appended as --crash, --recover or --cut reads them
 * (`kind` CRASH, RECOVER or LINK_DOWN) for `nodes` nodes, e.g.
 * "0@30,3@200"; text the option refuses fails the calling test. */
void sim_config_faults(struct disco_config *cfg, enum disco_fault_kind kind,
                       const char *text, uint32_t nodes);
/* One of those: `node` crashes or recovers (`kind`) at tick, or round, t. */
void sim_config_fault(struct disco_config *cfg, enum disco_fault_kind kind,
                      uint32_t node, disco_time_t t, uint32_t nodes);
/* Link a-b goes down at tick `down` and comes back at `up`, as --cut
 * a-b@down:up does. */
void sim_config_cut(struct disco_config *cfg, uint32_t a, uint32_t b,
                    disco_time_t down, disco_time_t up, uint32_t nodes);
/* Link a-b goes down at tick t and stays down: a --cut whose LINK_UP is
 * dropped (the command line always gives the end; a scenario's down_at
 * without up_at is this). */
void sim_config_cut_for_good(struct disco_config *cfg, uint32_t a, uint32_t b,
                             disco_time_t t, uint32_t nodes);
/* --byzantine `nodes` (of `node_count`) with --strategy `strategy`. */
void sim_config_byzantine(struct disco_config *cfg, const char *nodes,
                          uint32_t node_count, const char *strategy);
/* The same for the nodes whose bit is set in `mask` (bit v: node v, of
 * node_count <= 64).  A bit at or beyond node_count fails the calling
 * test (the list goes through --byzantine's parser, which refuses such a
 * node), rather than being dropped.  An empty mask leaves cfg without
 * Byzantine nodes and without a strategy, which would be bad input
 * without a traitor. */
void sim_config_byzantine_mask(struct disco_config *cfg, uint64_t mask,
                               uint32_t node_count, const char *strategy);
/* Node input `value` = values[v] for each of the n nodes (replacing any
 * inputs cfg had): the consensus algorithms' proposals. */
void sim_config_values(struct disco_config *cfg, const int64_t *values,
                       uint32_t n);
/* "complete:N", in a buffer the next call overwrites. */
const char *spec_complete(uint32_t n);
/* The value `node` decided first (from the kernel's record of decisions,
 * not an oracle's); fails the calling test when it decided nothing. */
int64_t decision_of(const struct sim_run *run, uint32_t node);
/* Fails the calling test with err's message unless rc is 0: for the
 * parsing and set-up calls a test relies on. */
void assert_ok(int rc, const struct disco_error *err);
/* Assert every property held (naming the first that did not). */
void assert_all_hold(const struct sim_run *run);
/* The result of the run's property `name`, and its verdict alone; fail the
 * calling test when the algorithm has no such property (a misspelt name
 * must not pass for a property that never fails).  `run` must have been
 * made by sim_run or one of its variants (sim_run_on, sim_run_observed,
 * sim_run_on_observed), which zero the results before the check fills
 * them: the search (like assert_all_hold's) stops at the first result
 * without a name, and only that zeroing puts one after the algorithm's
 * properties. */
const struct disco_property_result *verdict_of(const struct sim_run *run,
                                               const char *name);
enum disco_verdict_holds verdict(const struct sim_run *run, const char *name);

/* ---- reading the pictures (libxml2) ---- */
#include <libxml/parser.h>
#include <libxml/xpath.h>

/* Parse XML text (fails the test if it is not well-formed). */
xmlDocPtr parse_xml(const char *text, size_t len);
/* Read and parse an SVG file; its root must be <svg>. */
xmlDocPtr parse_svg(const char *path);
/* How many nodes an XPath expression selects, and its string value. */
int xpath_count(xmlDocPtr doc, const char *expr);
void xpath_string(xmlDocPtr doc, const char *expr, char *buf, size_t len);
/* Elements whose class is exactly `name` (a string literal). */
#define CLASS(name) "//*[@class='" name "']"
/* A number member ("name": 123) of a JSON text. */
uint64_t json_u64(const char *json, const char *member);
/* How many times `needle` occurs in `text`, without overlaps. */
int count_substring(const char *text, const char *needle);
/* Bad input refused: exit status 2, nothing on stdout, and on stderr
 * exactly one line, ending in a newline, that starts "disco: " and
 * contains `expected` ("" for any).  Prints the status and stderr when it
 * fails. */
void assert_usage_error(const struct cli_output *o, const char *expected);
/* With `dir` as the current directory (for paths spelled relative to it),
 * `disco ARGV` (as cli_run's) is refused: assert_usage_error, stderr
 * exactly "disco: MESSAGE\n", and `dir` holds no entry it did not hold
 * before.  The current directory is restored. */
void assert_refused_in(const char *dir, const char *message,
                       const char *const argv[]);
#define REFUSED_IN(dir, message, ...)                                          \
    do {                                                                       \
        const char *const refused_argv_[] = {NULL, __VA_ARGS__, NULL};         \
        assert_refused_in((dir), (message), refused_argv_);                    \
    } while (0)

#endif
