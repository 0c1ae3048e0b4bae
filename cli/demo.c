/*
 * demo.c - `disco demo`: a short classroom tour that needs no argument.
 *
 * Each step is an ordinary run (the same pipeline as `disco run`, so its
 * files are what `run --out` writes), followed by a few lines that say what
 * to notice and compare the count with the textbook formula.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

struct demo_step {
    const char *folder;
    const char *title;
    const char *algorithm, *topology, *ids;
    const char *explanation;
    const char *kind; /* the kind the formula counts */
    uint64_t expected;
    const char *formula;
};

static const struct demo_step steps[] = {
    {"1-chang-roberts-worst", "Chang-Roberts election, the worst case",
     "chang-roberts", "uring:8", "decreasing",
     "Ids decrease along the ring, so each id travels on until it reaches\n"
     "   the largest: id k makes k hops before it is swallowed.",
     "elect", 36, "n(n+1)/2 with n = 8, the most any placement costs"},
    {"2-chang-roberts-best", "Chang-Roberts election, the best case",
     "chang-roberts", "uring:8", "increasing",
     "Ids increase along the ring, so every id but the largest is\n"
     "   swallowed after one hop; the largest goes all the way round.",
     "elect", 15, "2n-1 with n = 8, the least any placement costs"},
    {"3-echo-petersen", "Echo wave on the Petersen graph", "echo", "petersen",
     NULL,
     "The initiator's wave builds a spanning tree; every edge carries one\n"
     "   token each way, whatever the delays.",
     "token", 30, "2m with m = 15 edges, on every schedule"},
};
#define STEP_COUNT (sizeof steps / sizeof steps[0])

enum { DEMO_OUT, DEMO_HELP };
static const struct cli_option demo_options[] = {
    {"out", DEMO_OUT, true, "DIR",
     "where the traces, summaries and pictures go (default disco-demo)"},
    {"help", DEMO_HELP, false, NULL, "show this help"},
};

/* The options of `disco run` that a step stands for, its outputs in `out`. */
static void step_options(const struct demo_step *step, const char *out,
                         struct cli_run_options *opts_out)
{
    struct cli_run_options opts;
    memset(&opts, 0, sizeof opts);
    opts.target = step->algorithm;
    opts.topology.text = step->topology;
    opts.ids.text = step->ids;
    opts.out = out;
    /* Every picture the tour can draw, next to the trace and summary. */
    opts.spacetime = "spacetime.svg";
    opts.shiviz = "run.shiviz";
    opts.html = "player.html";
    opts.svg = "topology.svg";
    opts.png = "topology.png";
    opts.dot = "topology.dot";
    opts.frames = "frames";
    *opts_out = opts;
}

/* A step's run prepared (its outputs opened) in `run`, its folder in
 * *out (the caller frees both, and releases the run even on failure). */
static int prepare_step(const struct demo_step *step, const char *dir,
                        struct cli_run *run, char **out,
                        struct disco_error *err)
{
    memset(run, 0, sizeof *run);
    *out = cli_join(dir, step->folder);
    if (!*out)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    struct cli_run_options opts;
    step_options(step, *out, &opts);
    return cli_run_prepare(run, &opts, err);
}

/* Whether a step would be refused before it runs (an output's name taken
 * by a directory, a stray file among its frames): asked of every step
 * before the tour prints its first line, so that a refused tour prints
 * nothing.  What the preparation made it removes again. */
static int check_step(const struct demo_step *step, const char *dir,
                      struct disco_error *err)
{
    struct cli_run run;
    char *out;
    int rc = prepare_step(step, dir, &run, &out, err);
    cli_run_release(&run);
    free(out);
    return rc;
}

/* Run one step; returns its exit status (0 or 1) or a negative error. */
static int demo_step(const struct demo_step *step, const char *dir,
                     struct disco_error *err)
{
    struct cli_run run;
    char *out;
    int rc = prepare_step(step, dir, &run, &out, err);
    if (!rc)
        rc = cli_run_execute(&run, err);
    if (rc) {
        cli_run_release(&run);
        free(out);
        return rc;
    }

    const struct disco_algorithm *alg = run.alg;
    const struct disco_metrics *m = run.metrics;
    printf("   $ disco run %s --topology %s%s%s\n", step->algorithm,
           step->topology, step->ids ? " --ids " : "",
           step->ids ? step->ids : "");
    printf("   %s\n", step->explanation);
    printf("   messages %llu (", (unsigned long long)m->messages);
    for (unsigned k = 0; k < alg->kind_count; k++)
        printf("%s%s %llu", k ? ", " : "", alg->message_kinds[k],
               (unsigned long long)m->by_kind[k]);
    printf("), causal depth %llu, %llu ticks\n",
           (unsigned long long)m->causal_depth, (unsigned long long)m->time);

    uint64_t counted = m->messages;
    const char *kind = "messages";
    for (unsigned k = 0; k < alg->kind_count; k++) {
        if (strcmp(alg->message_kinds[k], step->kind) == 0) {
            counted = m->by_kind[k];
            kind = step->kind;
        }
    }
    bool as_expected = counted == step->expected;
    printf("   %s %s %llu = %s%s\n",
           cli_mark(as_expected ? DISCO_HOLDS_YES : DISCO_HOLDS_NO), kind,
           (unsigned long long)counted, step->formula,
           as_expected ? "" : " (expected a different count!)");
    for (unsigned i = 0; i < alg->property_count; i++)
        printf("   %s %s: %s\n", cli_mark(run.results[i].holds),
               run.results[i].name, run.results[i].detail);
    printf("   -> %s/\n\n", out);

    int status = run.pass && as_expected ? CLI_EXIT_PASS : CLI_EXIT_FAIL;
    cli_run_release(&run);
    free(out);
    return status;
}

int cli_cmd_demo(int argc, char **argv, struct disco_error *err)
{
    struct cli_args args = {argc, argv, 1, false};
    const char *dir = "disco-demo";
    const struct cli_option *opt;
    const char *value;
    int kind;
    size_t count = sizeof demo_options / sizeof demo_options[0];
    while ((kind = cli_next_arg(&args, demo_options, count, &opt, &value,
                                err)) != CLI_END) {
        if (kind < 0)
            return kind;
        if (kind == CLI_POSITIONAL)
            return disco_fail(err, DISCO_EINVAL,
                              "unexpected argument '%s' (disco demo needs "
                              "none)",
                              value);
        if (opt->id == DEMO_HELP) {
            printf("usage: disco demo [--out DIR]\n\n"
                   "A short tour: Chang-Roberts at its worst and best, and "
                   "the echo wave.\nEach run's trace.jsonl, summary.json "
                   "and pictures (SVGs, frames/,\nplayer.html) go into a "
                   "folder of DIR.\n\n");
            cli_print_options(stdout, demo_options, count);
            return CLI_EXIT_PASS;
        }
        if (!*value)
            return disco_fail(err, DISCO_EINVAL,
                              "bad --out '': empty directory name");
        dir = value;
    }

    /* DIR first (a file there is refused with its own name), then every
     * step's outputs, before the first line: a refused tour prints
     * nothing and, like a refused run, leaves no directory it made. */
    struct cli_made_dirs made;
    int rc = cli_mkdirs(dir, &made, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < STEP_COUNT && !rc; i++)
        rc = check_step(&steps[i], dir, err);
    if (rc) {
        cli_made_dirs_remove(&made);
        return rc;
    }

    printf("disco demo: %zu runs; traces, summaries and pictures (SVGs, "
           "frames, player.html) go to %s/\n\n",
           STEP_COUNT, dir);
    int status = CLI_EXIT_PASS;
    for (size_t i = 0; i < STEP_COUNT; i++) {
        printf("%zu. %s\n", i + 1, steps[i].title);
        fflush(stdout);
        rc = demo_step(&steps[i], dir, err);
        if (rc < 0) {
            cli_made_dirs_remove(&made); /* DIR, if it is still empty */
            return rc;
        }
        if (rc != CLI_EXIT_PASS)
            status = CLI_EXIT_FAIL;
    }
    cli_made_dirs_remove(&made); /* forgets them: they hold the outputs */
    printf("%s.  Open a trace with pandas:\n"
           "  pd.read_json('%s/%s/trace.jsonl', lines=True).iloc[1:]\n",
           status == CLI_EXIT_PASS ? "Every property held"
                                   : "Something did not hold (see above)",
           dir, steps[0].folder);
    return status;
}
