/*
 * cli.h - the pieces of the `disco` command shared between its files.
 *
 * The front end is the only part of disco that prints or exits.  Every
 * function here returns 0 or a negative DISCO_E* code and fills a
 * `struct disco_error`; main() turns an error into one line on stderr and
 * exit status 2 (docs/cli.md).
 */
#ifndef DISCO_CLI_H
#define DISCO_CLI_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "disco_sim.h"
#include "registry.h"
#include "trace.h"
#include "viz.h"

#ifndef DISCO_VERSION
#define DISCO_VERSION "unknown"
#endif

/* Exit statuses of docs/cli.md. */
enum { CLI_EXIT_PASS = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/* ------------------------------------------------------------------------ */
/* Options (options.c).                                                      */

/* What a command accepts: a long option, whether it takes a value, and its
 * line in --help. */
struct cli_option {
    const char *name; /* without the dashes: "seed" */
    int id;           /* the command's own enum */
    bool has_value;
    const char *arg; /* the value's name in --help ("N"), or NULL */
    const char *help;
};

/* Walks argv the way every command reads it: `--opt VALUE`, `--opt=VALUE`,
 * `-h`, `--` ending the options, anything else positional. */
struct cli_args {
    int argc;
    char **argv;
    int index;         /* next argument to read */
    bool options_done; /* after `--` */
};

enum cli_next {
    CLI_END = 0,        /* no arguments left */
    CLI_OPTION = 1,     /* *opt and (if it takes one) *value are set */
    CLI_POSITIONAL = 2, /* *value is the argument */
};

/* The next argument.  Returns enum cli_next, or a negative error naming an
 * unknown option (with the closest one suggested), a missing value or a
 * value given to a flag. */
int cli_next_arg(struct cli_args *args, const struct cli_option *table,
                 size_t count, const struct cli_option **opt,
                 const char **value, struct disco_error *err);

/* Print `text` word-wrapped to 79 columns, the cursor being at `column`;
 * continuation lines are indented by `indent`.  Ends the line. */
void cli_wrap(FILE *out, const char *text, int column, int indent);

/* Print a command's option table for --help. */
void cli_print_options(FILE *out, const struct cli_option *table, size_t count);

/* Number parsing for option values.  `what` names the culprit in the
 * message, e.g. "--seed" gives "bad --seed '-1': expected a non-negative
 * integer". */
int cli_parse_u64(const char *text, const char *what, uint64_t *out,
                  struct disco_error *err);
int cli_parse_probability(const char *text, const char *what, double *out,
                          struct disco_error *err);
int cli_parse_bool(const char *text, const char *what, bool *out,
                   struct disco_error *err);

/* ------------------------------------------------------------------------ */
/* Progress lines on stderr, of `disco run` and `disco check` (progress.c).  */

/* One line redrawn in place: "\r", the text, then "\x1b[K" (the rest of
 * any longer text drawn before).  The text is cut to one column short of
 * the terminal's width (80 when stderr is no terminal), since a line that
 * wraps can be neither redrawn nor erased in place.  Not locked: the
 * caller draws from one thread at a time. */
struct cli_progress_line {
    bool drawn; /* showing: to be erased before anything else is written */
};
void cli_progress_line_draw(struct cli_progress_line *line, const char *text);
/* "\r\x1b[K" if the line shows; then it no longer does. */
void cli_progress_line_erase(struct cli_progress_line *line);

/* --progress, as `run`, `check` and `sweep` read it.  AUTO is zero: the
 * default of options zeroed by the caller. */
enum cli_progress_mode {
    CLI_PROGRESS_AUTO = 0,
    CLI_PROGRESS_ON,
    CLI_PROGRESS_OFF,
};
/* "auto", "on" or "off"; anything else fails with "bad --progress 'X':
 * expected auto, on or off". */
int cli_parse_progress(const char *text, enum cli_progress_mode *mode,
                       struct disco_error *err);
/* What --progress auto means: stderr is a terminal, and not a dumb one. */
bool cli_progress_auto(void);
/* Whether `mode` draws the line: on, or auto where cli_progress_auto. */
bool cli_progress_wanted(enum cli_progress_mode mode);

/* `disco run`'s line: what the command is doing, redrawn four times a
 * second by a thread of its own, or NULL when `mode` draws none (or when
 * no thread can start: the run goes on without the line).
 * CLI_PROGRESS_ON draws from the first phase; auto shows nothing in the
 * first half second.  Every call below takes NULL and then does what a
 * run without the line does. */
struct cli_progress;
struct cli_progress *cli_progress_start(enum cli_progress_mode mode);
/* The most bytes of a phase the line keeps, its terminating NUL included.
 * A caller building a phase with snprintf gives it a larger buffer, so
 * that cli_progress_phase, not snprintf, cuts a long one (at a
 * character's first byte). */
#define CLI_PROGRESS_PHASE 160
/* Say what the command now does ("running echo"; copied, its first
 * CLI_PROGRESS_PHASE - 1 bytes at most, cut at a UTF-8 character's first
 * byte), drawn before
 * this returns; with `sim` (borrowed until the next call) the line also
 * counts its events and time, read through disco_sim_progress. */
void cli_progress_phase(struct cli_progress *p, const char *phase,
                        const struct disco_sim *sim);
/* Write `line` (a whole line, newline included) to stderr, erasing the
 * progress line first so that the two do not mix. */
void cli_progress_say(struct cli_progress *p, const char *line);
/* Stop the thread, erase the line, free it all. */
void cli_progress_stop(struct cli_progress *p);
/* `n` as "12,345,678" into buf (len bytes), as the progress line and
 * check's messages write counts. */
void cli_with_commas(char *buf, size_t len, uint64_t n);

/* ------------------------------------------------------------------------ */
/* The end of a command (main.c).                                            */

/* What main() does with a command's result: a negative one becomes its
 * error's line on stderr and status 2, and so does standard output that
 * cannot be flushed.  Returns the exit status.  Called by main, and first
 * by an mpirun rank 0 that must finish speaking before any rank exits.
 * Only the first call speaks: a later one (main's, then) ignores its
 * arguments and returns the exit status the first call returned. */
int cli_finish(int status, const struct disco_error *err);

/* ------------------------------------------------------------------------ */
/* Output files (output.c).                                                  */

/* A file written under a temporary name in its final directory and renamed
 * into place by cli_outfile_commit, so that a failed run leaves nothing;
 * or, for a FIFO, a device, a pipe or the file behind stdout or stderr,
 * written straight through (temp NULL: nothing to rename, and
 * what was written stays). */
struct cli_outfile {
    char *path;   /* the final name (a symbolic link's target) */
    char *temp;   /* the temporary name, while open; NULL written through */
    FILE *stream; /* NULL once handed over (see cli_outfile_take) */
};

/* Create `path`'s temporary sibling and open it for writing, or open
 * `path` itself when it is written through; refused when `path` is a
 * directory (the final rename could not replace it). */
int cli_outfile_open(struct cli_outfile *file, const char *path,
                     struct disco_error *err);
/* The same for a file that must be a plain file of its own: sweep's
 * plot, whose script FILE.gp is written beside it.  Refused, with one
 * line, when it would be written through, so that `temp` is always set. */
int cli_outfile_open_named(struct cli_outfile *file, const char *path,
                           struct disco_error *err);
/* Its test alone, for a command that opens the file only after writing
 * others (sweep's --plot), to refuse before any of them. */
int cli_check_named_target(const char *path, struct disco_error *err);
/* Whether an output could be opened at `path` now (its directory exists
 * and takes a new file): for one written after others, to refuse before
 * any of them.  Leaves nothing behind; a path written through (a FIFO,
 * stdout) passes untried. */
int cli_check_writable(const char *path, struct disco_error *err);
/* Hand the stream to a new owner (the trace), who closes it before commit. */
FILE *cli_outfile_take(struct cli_outfile *file);
/* Close the stream if still ours, reporting a write that failed; the file
 * stays under its temporary name until committed. */
int cli_outfile_close(struct cli_outfile *file, struct disco_error *err);
/* Whether the final name can still be taken (no directory appeared there
 * since the file was opened): checked for every output before the first
 * commit, so that a run refused at the end commits none of them. */
int cli_outfile_check(const struct cli_outfile *file, struct disco_error *err);
/* Close the stream if still ours, then rename into place. */
int cli_outfile_commit(struct cli_outfile *file, struct disco_error *err);
/* Close the stream if still ours and remove the temporary file. */
void cli_outfile_abort(struct cli_outfile *file);

/* The temporary directory --frames fills (`dir`, and `count`, the frames
 * written so far), which a SIGINT, SIGTERM or SIGHUP empties and removes
 * until cli_untrack_frames: both must stay valid until then. */
void cli_track_frames(const char *dir, const uint64_t *count);
/* The signals whose handler removes a run's temporary files and
 * directories: SIGINT, SIGTERM and SIGHUP, into `set`. */
static inline void cli_kill_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
}
/* Those signals blocked in the calling thread, its former mask into
 * `saved` (NULL: not kept), until pthread_sigmask(SIG_SETMASK, saved). */
static inline void cli_hold_kill_signals(sigset_t *saved)
{
    sigset_t block;
    cli_kill_signals(&block);
    pthread_sigmask(SIG_BLOCK, &block, saved);
}
/* Called first in every thread the CLI starts (the progress line's, the
 * batch workers'): those signals blocked there for good, so that they
 * reach the main thread, and the main thread's holding them off around a
 * file's creation and registration (cli_mkdirs, cli_outfile_open,
 * cli_make_frames_dir) holds them off for the process: a mask is per
 * thread, and a signal to the process goes to any thread that does not
 * block it. */
static inline void cli_signals_to_main_thread(void)
{
    cli_hold_kill_signals(NULL);
}
/* mkdtemp(`template`), then cli_track_frames(template, count), with those
 * signals held off between the two so that a kill cannot come after the
 * directory is made and before it is tracked: 0, or mkdtemp's errno. */
int cli_make_frames_dir(char *template, const uint64_t *count);
void cli_untrack_frames(void);

/* The directories cli_mkdirs created: each a prefix of `path` (which the
 * struct owns), ending at one of `ends`, outermost first. */
struct cli_made_dirs {
    char *path;
    size_t *ends;
    size_t count;
};

/* Create `dir` and its missing parents, listing in `made` those it
 * created; on failure it removes them again, and `made` lists none.  Until
 * cli_made_dirs_remove, a SIGINT, SIGTERM or SIGHUP removes them too
 * (those still empty), so `made` must not move meanwhile. */
int cli_mkdirs(const char *dir, struct cli_made_dirs *made,
               struct disco_error *err);
/* Remove the directories `made` lists that are empty, deepest first and
 * stopping at the first that is not (a committed output), and free the
 * list.  Never touches a directory that existed before cli_mkdirs. */
void cli_made_dirs_remove(struct cli_made_dirs *made);

/* `dir`/`name`, or `name` alone when dir is NULL or name is absolute;
 * malloc'd (NULL when out of memory). */
char *cli_join(const char *dir, const char *name);
/* `path` followed by `tag` and "-XXXXXX" (".tmp", ".old"): a template for
 * mkstemp or mkdtemp, for a file or directory beside `path`; malloc'd, or
 * NULL when out of memory. */
char *cli_temp_beside(const char *path, const char *tag);

/* Every file (and directory) a command will write, gathered before any
 * is, so that two outputs naming the same file are refused rather than
 * one silently replacing the other.  Paths compare resolved: an existing
 * one by the file it names, a new one by its deepest existing directory's
 * real path and the rest (so `p.csv`, `./p.csv`, `x/../p.csv` and a path
 * through a symbolic link to the directory agree).  A device, or the file
 * behind stdout or stderr, is written straight through by every output
 * that names it, one after another: never a clash. */
struct cli_output_path {
    const char *option; /* "--trace" */
    const char *keeps;  /* what an implied file holds ("the summary"), or
                         * NULL for the option's own file */
    char *path;         /* as the user would spell it (DIR/NAME joined) */
    char *resolved;     /* a new path, resolved; NULL for an existing one,
                         * which dev and ino name */
    bool directory, shared;
    dev_t dev;
    ino_t ino;
};
struct cli_output_paths {
    struct cli_output_path *items;
    size_t count;
};
/* Add cli_join(dir, name), written by `option` (`keeps`: see above; a
 * directory such as --frames or --counterexample names itself), refused
 * with one line when an output added before names the same file, e.g.
 * "--trace and --spacetime both write 'a.svg'" or "--trace writes
 * 'o/summary.json', which --out keeps for the summary".  An empty name is
 * skipped (refused later, by its own message). */
int cli_output_paths_add(struct cli_output_paths *set, const char *option,
                         const char *dir, const char *name, const char *keeps,
                         bool directory, struct disco_error *err);
void cli_output_paths_release(struct cli_output_paths *set);

/* ------------------------------------------------------------------------ */
/* One run (run.c): the pipeline shared by `run` and `demo`.                 */

/* A setting as text, and where it came from: the command line (origin
 * NULL) or a scenario file's graph attribute (origin = the file). */
struct cli_setting {
    const char *text;
    const char *origin;
};

struct cli_setting_list {
    struct cli_setting *items;
    size_t count, capacity;
};

/* Everything `disco run` was told, unparsed: the values are read once the
 * algorithm and the topology are known, with one code path whether they
 * came from the command line or from a scenario file. */
/* --max-events when not given: about ten minutes of simulation. */
#define CLI_DEFAULT_MAX_EVENTS 1000000000ull

/* The picture files `disco run` can write, in the order they are drawn. */
enum cli_picture {
    CLI_PICTURE_DOT,
    CLI_PICTURE_SVG,
    CLI_PICTURE_PNG,
    CLI_PICTURE_SPACETIME,
    CLI_PICTURE_HTML,
    CLI_PICTURE_SHIVIZ,
    CLI_PICTURE_COUNT
};

struct cli_run_options {
    const char *target; /* ALG or SCENARIO.dot */
    struct cli_setting topology, ids, initiators, seed, delay, loss, dup;
    struct cli_setting max_events, max_time, fifo, sync, weights;
    struct cli_setting byzantine, strategy, detector, dynamic;
    struct cli_setting_list crash, recover, cut, params;
    struct cli_setting_list omit_send, omit_receive, partition, delay_change;
    bool json;
    const char *trace; /* --trace FILE, or NULL */
    const char *out;   /* --out DIR, or NULL */
    const char *synchronizer; /* --synchronizer NAME[:PARAM], or NULL */
    /* Pictures (viz/): each a file (or DIR for frames), or NULL. */
    const char *dot, *svg, *png, *frames, *spacetime, *window, *html, *shiviz;
    bool vector_clocks; /* --clocks vector */
    enum cli_progress_mode progress; /* --progress; `disco run`'s only */
    /* The topology `topology` (or the algorithm's default) gives, built
     * already: disco check builds a family that draws nothing from the
     * seed once for all its seeds.  Used as it is, read only, never
     * released by the run; NULL: the run generates its own. */
    const struct disco_topology *prebuilt;
};

void cli_run_options_release(struct cli_run_options *opts);
/* Append to a repeatable option; returns DISCO_ENOMEM on failure. */
int cli_setting_list_add(struct cli_setting_list *list, const char *text,
                         const char *origin, struct disco_error *err);

struct disco_scenario;

struct cli_run {
    const struct disco_algorithm *alg;
    const struct disco_topology *topo; /* own_topo, or a scenario's */
    struct disco_config cfg;
    struct disco_sim *sim;
    const struct disco_metrics *metrics;
    struct disco_property_result *results; /* property_count entries */
    unsigned failed;                       /* properties that failed */
    bool terminated;                       /* the run reached quiescence */
    bool must_terminate;                   /* some property needs termination */
    bool pass;                             /* the verdict, and exit status 0 */
    char warning[512]; /* the model check's warning, or "" */
    char result[DISCO_RESULT_TEXT];

    /* Outputs. */
    struct cli_made_dirs out_dirs; /* --out DIR and parents it created */
    struct cli_outfile trace_file, summary_file;
    bool tracing, writing_summary;
    struct disco_trace trace;
    /* Pictures: a recorder when any is asked for, one file per picture
     * (indexed by enum cli_picture), frames in a temporary directory. */
    struct viz_recorder viz;
    bool recording;
    struct cli_outfile pictures[CLI_PICTURE_COUNT];
    char *frames_dir, *frames_temp;

    struct disco_algorithm synchronized; /* --synchronizer's wrapper */
    /* `disco run`'s progress line (set after prepare), or NULL. */
    struct cli_progress *progress;

    /* Private to run.c. */
    struct disco_topology own_topo;
    bool have_own_topo, have_cfg;
    struct disco_scenario *scenario;      /* SCENARIO.dot, or NULL */
    struct disco_scenario *topology_file; /* --topology FILE.dot, or NULL */
    struct cli_run_options settings;      /* options merged with the file's */
};

/* Read the options, build topology and configuration, check the model,
 * create the simulation and open the output files.  After an error the
 * caller still calls cli_run_release (which removes any output file). */
int cli_run_prepare(struct cli_run *run, const struct cli_run_options *opts,
                    struct disco_error *err);
/* Run, check the properties, write the summary file and commit outputs.
 * Sets run->pass. */
int cli_run_execute(struct cli_run *run, struct disco_error *err);
/* Free everything; removes output files that were not committed. */
void cli_run_release(struct cli_run *run);

/* ------------------------------------------------------------------------ */
/* Summaries (summary.c).                                                    */

/* The JSON summary of docs/cli.md: one object, then a newline. */
void cli_summary_json(FILE *out, const struct cli_run *run);
/* The readable summary. */
void cli_summary_human(FILE *out, const struct cli_run *run);
/* "✓"/"✗"-style marks when the terminal takes UTF-8, else ASCII. */
const char *cli_mark(enum disco_verdict_holds holds);

/* ------------------------------------------------------------------------ */
/* Commands (commands.c, demo.c).                                            */

/* Parse `disco run`'s options (argv[0] is the command name) into `o`
 * (zeroed by the caller), setting *help on --help.  Commands that take run
 * options plus their own (check, sweep) take theirs out of argv first. */
int cli_parse_run_options(int argc, char **argv, struct cli_run_options *o,
                          bool *help, struct disco_error *err);
/* The table behind it, for help texts and suggestions. */
extern const struct cli_option *const cli_run_option_table;
extern const size_t cli_run_option_count;

int cli_cmd_list(int argc, char **argv, struct disco_error *err);
int cli_cmd_info(int argc, char **argv, struct disco_error *err);
int cli_cmd_run(int argc, char **argv, struct disco_error *err);
int cli_cmd_demo(int argc, char **argv, struct disco_error *err);

/* Look an algorithm up, or fail naming it (with a suggestion). */
int cli_find_algorithm(const char *name, const struct disco_algorithm **alg,
                       struct disco_error *err);

/* Commands return an exit status (>= 0) or a negative error. */

/* ------------------------------------------------------------------------ */
/* Many runs (check.c): `disco check`, `disco sweep`, `disco merge`.         */

int cli_cmd_check(int argc, char **argv, struct disco_error *err);
int cli_cmd_sweep(int argc, char **argv, struct disco_error *err);
int cli_cmd_merge(int argc, char **argv, struct disco_error *err);

#endif /* DISCO_CLI_H */
