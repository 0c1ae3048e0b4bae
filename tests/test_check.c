/*
 * test_check.c - `disco check`, `disco sweep` and `disco merge` through the
 * binary: results independent of --jobs and of sharding, a planted bug
 * caught, reproduced and shrunk, the worst case of chang-roberts found,
 * the sweep's CSV columns and rows, and bad input refused.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "support.h"

static void assert_status(const struct cli_output *o, int status)
{
    if (o->status != status)
        print_error("status %d, stdout:\n%s\nstderr:\n%s\n", o->status, o->out,
                    o->err);
    assert_int_equal(o->status, status);
}

/* Split a printed command line (its words need no quoting) into argv for
 * cli_run, dropping the leading "disco"; `extra` is appended. */
static void run_printed(struct cli_output *o, const char *line,
                        const char *extra)
{
    char *copy = strdup(line);
    assert_non_null(copy);
    const char *argv[64] = {NULL};
    int n = 1;
    char *save = NULL;
    char *word = strtok_r(copy, " ", &save);
    assert_string_equal(word, "disco");
    while ((word = strtok_r(NULL, " ", &save)) && n < 62) {
        assert_null(strchr(word, '\''));
        argv[n++] = word;
    }
    if (extra)
        argv[n++] = extra;
    argv[n] = NULL;
    cli_run(o, argv);
    free(copy);
}

/* The text after `prefix` on the line that starts with it (leading blanks
 * skipped), up to the end of the line; malloc'd, or NULL. */
static char *line_after(const char *text, const char *prefix)
{
    for (const char *p = text; p && *p;) {
        const char *start = p + strspn(p, " ");
        const char *end = strchr(p, '\n');
        if (!end)
            end = p + strlen(p);
        if (strncmp(start, prefix, strlen(prefix)) == 0) {
            start += strlen(prefix);
            return strndup(start, (size_t)(end - start));
        }
        p = *end ? end + 1 : end;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Determinism across --jobs and shards.                                     */

#define PLANTED "planted-bug", "--topology", "uring:{4..12..4}", "--seeds", "30"

static const char planted_header[] =
    "run,algorithm,topology,n,channels,seed,messages,messages_elect,"
    "messages_leader,events,time,causal_depth,rounds,delivered,dropped,"
    "duplicated,terminated,verdict,holds_unique_leader,"
    "holds_everyone_learns\n";

static void test_jobs_and_shards_identical(void **unused)
{
    char *dir = tmpdir_create();
    char *j1 = path_in(dir, "j1.csv"), *j2 = path_in(dir, "j2.csv");
    char *s1 = path_in(dir, "s1.csv"), *s2 = path_in(dir, "s2.csv");
    char *m = path_in(dir, "m.csv");
    struct cli_output a, b, c, d, e;
    RUN(&a, "check", PLANTED, "--jobs", "1", "--csv", j1);
    RUN(&b, "check", PLANTED, "--jobs", "2", "--csv", j2);
    RUN(&c, "check", PLANTED, "--jobs", "2", "--shard", "1/2", "--csv", s1);
    RUN(&d, "check", PLANTED, "--jobs", "1", "--shard", "2/2", "--csv", s2);
    assert_status(&a, 1);
    assert_status(&b, 1);
    /* The report, too, is the same whatever the number of threads. */
    assert_string_equal(a.out, b.out);
    /* Shards given in any order. */
    RUN(&e, "merge", s2, s1, "--csv", m);
    assert_status(&e, 0);
    assert_true(strncmp(e.out, "merged 90 runs from 2 files into ", 33) == 0);
    size_t n1, n2, nm, ns1;
    char *t1 = file_read(j1, &n1), *t2 = file_read(j2, &n2);
    char *tm = file_read(m, &nm), *ts1 = file_read(s1, &ns1);
    assert_non_null(t1);
    assert_non_null(t2);
    assert_non_null(tm);
    assert_int_equal(n1, n2);
    assert_memory_equal(t1, t2, n1);
    assert_int_equal(n1, nm);
    assert_memory_equal(t1, tm, n1);
    /* One header and 3 x 30 rows; a shard holds every other one. */
    assert_int_equal(count_substring(t1, "\n"), 91);
    assert_int_equal(count_substring(ts1, "\n"), 46);
    assert_true(strncmp(t1, planted_header, strlen(planted_header)) == 0);
    /* Run 0 is uring:4 with seed 1; run 30 is uring:8 with seed 1. */
    assert_non_null(strstr(t1, "\n0,planted-bug,uring:4,4,4,1,"));
    assert_non_null(strstr(t1, "\n30,planted-bug,uring:8,8,8,1,"));
    assert_non_null(strstr(t1, "\n89,planted-bug,uring:12,12,12,30,"));
    assert_non_null(strstr(ts1, "\n88,planted-bug,uring:12,12,12,29,"));
    assert_null(strstr(ts1, "\n89,"));
    free(t1);
    free(t2);
    free(tm);
    free(ts1);
    cli_output_release(&a);
    cli_output_release(&b);
    cli_output_release(&c);
    cli_output_release(&d);
    cli_output_release(&e);
    free(j1);
    free(j2);
    free(s1);
    free(s2);
    free(m);
    tmpdir_remove(dir);
}

/* Enough runs that the workers take them in chunks (of up to 64, fewer
 * towards the end): every row and the report still as with one thread,
 * and more threads than cores change nothing either. */
static void test_chunked_batch_identical(void **unused)
{
    char *dir = tmpdir_create();
    const char *names[3] = {"j1.csv", "j2.csv", "j3.csv"};
    const char *jobs[3] = {"1", "2", "3"};
    char *csv[3], *text[3];
    size_t len[3];
    struct cli_output o[3];
    for (int i = 0; i < 3; i++) {
        csv[i] = path_in(dir, names[i]);
        RUN(&o[i], "check", "planted-bug", "--topology", "uring:{4,8}",
            "--seeds", "1500", "--no-shrink", "--json", "--jobs", jobs[i],
            "--csv", csv[i]);
        assert_status(&o[i], 1);
        text[i] = file_read(csv[i], &len[i]);
        assert_non_null(text[i]);
    }
    for (int i = 1; i < 3; i++) {
        assert_string_equal(o[0].out, o[i].out);
        assert_int_equal(len[0], len[i]);
        assert_memory_equal(text[0], text[i], len[0]);
    }
    /* A header and 2 x 1500 rows, in run order; the report counts the
     * failing rows of the CSV. */
    assert_int_equal(count_substring(text[0], "\n"), 3001);
    assert_non_null(strstr(text[0], "\n1499,planted-bug,uring:4,4,4,1500,"));
    assert_non_null(strstr(text[0], "\n1500,planted-bug,uring:8,8,8,1,"));
    assert_non_null(strstr(text[0], "\n2999,planted-bug,uring:8,8,8,1500,"));
    int failing = count_substring(text[0], ",fail,");
    assert_true(failing > 0);
    char expected[64];
    snprintf(expected, sizeof expected, "\"runs\": 3000, \"failed_runs\": %d,",
             failing);
    assert_non_null(strstr(o[0].out, expected));
    for (int i = 0; i < 3; i++) {
        free(text[i]);
        free(csv[i]);
        cli_output_release(&o[i]);
    }
    tmpdir_remove(dir);
}

static void test_merge_refuses_gaps_and_overlaps(void **unused)
{
    char *dir = tmpdir_create();
    char *s1 = path_in(dir, "s1.csv"), *s2 = path_in(dir, "s2.csv");
    char *m = path_in(dir, "m.csv");
    struct cli_output a, b, c;
    RUN(&a, "check", "chang-roberts", "--seeds", "5", "--shard", "1/2",
        "--csv", s1);
    RUN(&b, "check", "chang-roberts", "--seeds", "5", "--shard", "2/2",
        "--csv", s2);
    assert_status(&a, 0);
    assert_status(&b, 0);
    cli_output_release(&a);
    RUN(&a, "merge", s2, "--csv", m);
    assert_usage_error(&a, "run 0 is missing (is a shard left out?)");
    RUN(&c, "merge", s1, s2, s1, "--csv", m);
    assert_usage_error(&c, "run 0 is in both");
    assert_int_equal(access(m, F_OK), -1);
    cli_output_release(&a);
    cli_output_release(&b);
    cli_output_release(&c);
    free(s1);
    free(s2);
    free(m);
    tmpdir_remove(dir);
}

/* A directory among the inputs was "empty"; a file that cannot be read
 * says why. */
static void test_merge_refuses_a_directory(void **unused)
{
    char *dir = tmpdir_create();
    char *sub = path_in(dir, "shards"), *m = path_in(dir, "m.csv");
    assert_int_equal(mkdir(sub, 0700), 0);
    char expected[4200];
    struct cli_output o;
    RUN(&o, "merge", sub, "--csv", m);
    snprintf(expected, sizeof expected, "disco: '%s' is a directory\n", sub);
    assert_usage_error(&o, expected);
    cli_output_release(&o);
    char *missing = path_in(dir, "none.csv");
    RUN(&o, "merge", missing, "--csv", m);
    snprintf(expected, sizeof expected,
             "disco: cannot read '%s': No such file or directory\n", missing);
    assert_usage_error(&o, expected);
    cli_output_release(&o);
    assert_int_equal(dir_entry_count(dir), 1);
    free(missing);
    free(sub);
    free(m);
    tmpdir_remove(dir);
}

static void test_scenario_with_jobs(void **unused)
{
    /* Scenario files go through cgraph, which the runs share a lock for. */
    const char *sc = env_path("DISCO_SCENARIOS", "chang-roberts-ring8.dot");
    struct cli_output a, b;
    RUN(&a, "check", sc, "--seeds", "40", "--jobs", "1", "--json");
    RUN(&b, "check", sc, "--seeds", "40", "--jobs", "2", "--json");
    assert_status(&a, 0);
    assert_string_equal(a.out, b.out);
    assert_non_null(strstr(a.out, "\"runs\": 40, \"failed_runs\": 0"));
    assert_non_null(strstr(a.out, "\"verdict\": \"pass\""));
    cli_output_release(&a);
    cli_output_release(&b);
}

/* ------------------------------------------------------------------------ */
/* A planted bug: caught, reproduced, shrunk.                                */

static void test_planted_bug_caught_and_reproduced(void **unused)
{
    char *dir = tmpdir_create();
    char *cx = path_in(dir, "cx");
    struct cli_output o;
    RUN(&o, "check", "planted-bug", "--seeds", "10", "--counterexample", cx);
    assert_status(&o, 1);
    assert_non_null(strstr(o.out, "  unique_leader    4\n"));
    assert_non_null(strstr(o.out, "  everyone_learns  0\n"));
    assert_non_null(strstr(o.out, "unique_leader violated in 4 runs:\n"
                                  "  seed 2 on uring:16: 3 leaders"));
    assert_non_null(strstr(o.out, "  ... and 1 more\n"));
    assert_non_null(strstr(o.out, "verdict: fail (4 of 10 runs failed)\n"));

    /* The printed command reproduces the violation. */
    char *cmd = line_after(o.out, "disco run planted-bug --topology uring:16 "
                                  "--seed 2");
    assert_non_null(cmd);
    assert_string_equal(cmd, "");
    free(cmd);
    struct cli_output r;
    RUN(&r, "run", "planted-bug", "--topology", "uring:16", "--seed", "2",
        "--json");
    assert_status(&r, 1);
    assert_non_null(strstr(r.out, "{\"name\": \"unique_leader\", \"holds\": "
                                  "false, \"detail\": \"3 leaders"));
    cli_output_release(&r);

    /* The shrunk one too, and it is no larger. */
    char *shrunk = line_after(o.out, "shrunk to ");
    assert_non_null(shrunk);
    unsigned nodes = 0;
    assert_int_equal(sscanf(shrunk, "%u", &nodes), 1);
    assert_true(nodes >= 2 && nodes <= 16);
    const char *command = strstr(shrunk, ": disco run ");
    assert_non_null(command);
    run_printed(&r, command + 2, "--json");
    assert_status(&r, 1);
    assert_non_null(strstr(r.out, "{\"name\": \"unique_leader\", \"holds\": "
                                  "false"));
    char expect[64];
    snprintf(expect, sizeof expect, "\"nodes\": %u,", nodes);
    assert_non_null(strstr(r.out, expect));
    cli_output_release(&r);
    free(shrunk);

    /* The counterexample directory holds the shrunk run. */
    char *summary = path_in(cx, "summary.json");
    char *trace = path_in(cx, "trace.jsonl");
    char *text = file_read(summary, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, expect));
    assert_non_null(strstr(text, "\"verdict\": \"fail\""));
    free(text);
    text = file_read(trace, NULL);
    assert_non_null(text);
    assert_true(strncmp(text, "{\"algorithm\": \"planted-bug\"", 27) == 0);
    free(text);
    free(summary);
    free(trace);
    free(cx);
    cli_output_release(&o);
    tmpdir_remove(dir);
}

static void test_planted_bug_json(void **unused)
{
    struct cli_output o;
    RUN(&o, "check", "planted-bug", "--seeds", "10", "--json", "--no-shrink");
    assert_status(&o, 1);
    assert_non_null(strstr(o.out, "\"runs\": 10, \"failed_runs\": 4,"));
    assert_non_null(strstr(o.out, "\"violations\": {\"unique_leader\": 4, "
                                  "\"everyone_learns\": 0, \"terminates\": "
                                  "0}"));
    assert_non_null(strstr(o.out, "\"command\": \"disco run planted-bug "
                                  "--topology uring:16 --seed 2\"}"));
    assert_non_null(strstr(o.out, "\"verdict\": \"fail\"}\n"));
    assert_int_equal(count_substring(o.out, "\"property\": "), 3);
    cli_output_release(&o);
}

static void test_no_shrunk_line_when_nothing_shrank(void **unused)
{
    /* uring:9 under const:1 is as small as planted-bug's violation gets
     * (4 and 8 nodes pass): a "shrunk" command would repeat the run's
     * own, so neither the text nor the JSON gives one. */
    struct cli_output o;
    RUN(&o, "check", "planted-bug", "--topology", "uring:9", "--delay",
        "const:1", "--seeds", "3");
    assert_status(&o, 1);
    assert_non_null(strstr(o.out, "unique_leader violated in 1 run:\n"));
    assert_non_null(strstr(o.out, "    disco run planted-bug --topology "
                                  "uring:9 --seed 2 --delay const:1\n"));
    assert_null(strstr(o.out, "shrunk"));
    cli_output_release(&o);
    RUN(&o, "check", "planted-bug", "--topology", "uring:9", "--delay",
        "const:1", "--seeds", "3", "--json");
    assert_status(&o, 1);
    assert_int_equal(count_substring(o.out, "\"command\": "), 1);
    assert_null(strstr(o.out, "shrunk"));
    cli_output_release(&o);
}

/* Outputs written after the CSV are settled before it: a plot in a
 * directory that does not exist, a counterexample directory at the CSV's
 * path, and a CSV --maximize would not write are refused, and nothing is
 * left (the CSV, or the counterexample, was). */
static void test_outputs_refused_before_the_csv(void **unused)
{
    char *dir = tmpdir_create();
    char *csv = path_in(dir, "out.csv"), *plot = path_in(dir, "sub/x/o.svg");
    struct cli_output o;
    RUN(&o, "sweep", "echo", "--seeds", "3", "--csv", csv, "--plot", plot);
    assert_usage_error(&o, "o.svg': No such file or directory");
    assert_int_equal(dir_entry_count(dir), 0);
    cli_output_release(&o);
    RUN(&o, "check", "planted-bug", "--seeds", "20", "--counterexample", csv,
        "--csv", csv);
    assert_usage_error(&o, "--counterexample and --csv both name");
    assert_int_equal(dir_entry_count(dir), 0);
    cli_output_release(&o);
    RUN(&o, "check", "echo", "--topology", "ring:{4,5}", "--seeds", "3",
        "--maximize", "messages", "--csv", csv);
    assert_usage_error(&o, "--maximize prints its search (--json for a "
                           "program): drop --csv");
    assert_int_equal(dir_entry_count(dir), 0);
    cli_output_release(&o);
    free(csv);
    free(plot);
    tmpdir_remove(dir);
}

/* No two outputs of check or sweep may name one file, however spelled:
 * the CSV against the plot, its script FILE.gp and the counterexample
 * directory with the files it will hold.  Refused before the runs, so
 * that nothing is left; so is a script path that is a directory, which
 * used to be found only after the CSV was written. */
static void test_outputs_naming_one_file(void **unused)
{
    (void)unused;
    char *dir = tmpdir_create();
    REFUSED_IN(dir, "--csv writes 'p.gp', which --plot keeps for the "
                    "gnuplot script",
               "sweep", "echo", "--seeds", "1", "--csv", "p.gp", "--plot",
               "p.svg");
    REFUSED_IN(dir, "--csv and --plot both write 'p.svg'", "sweep", "echo",
               "--seeds", "1", "--csv", "p.svg", "--plot", "p.svg");
    REFUSED_IN(dir, "--counterexample './p.csv' and --csv 'p.csv' name the "
                    "same file",
               "check", "planted-bug", "--seeds", "20", "--csv", "p.csv",
               "--counterexample", "./p.csv");
    assert_int_equal(dir_entry_count(dir), 0);

    char *ce = path_in(dir, "ce"), *gp = path_in(dir, "q.gp");
    char *csv = path_in(dir, "c.csv");
    assert_int_equal(mkdir(ce, 0777), 0);
    assert_int_equal(mkdir(gp, 0777), 0);
    assert_int_equal(mkdir(csv, 0777), 0);
    REFUSED_IN(dir, "--csv writes 'ce/trace.jsonl', which --counterexample "
                    "keeps for the trace",
               "check", "planted-bug", "--seeds", "20", "--csv",
               "ce/trace.jsonl", "--counterexample", "ce");
    assert_int_equal(dir_entry_count(ce), 0);
    REFUSED_IN(dir, "cannot write 'q.gp': Is a directory", "sweep", "echo",
               "--seeds", "1", "--csv", "q.csv", "--plot", "q.svg");
    assert_int_equal(dir_entry_count(gp), 0);
    REFUSED_IN(dir, "cannot write 'c.csv': Is a directory", "check",
               "planted-bug", "--seeds", "20", "--csv", "c.csv",
               "--counterexample", "ce2");
    assert_int_equal(dir_entry_count(csv), 0);
    free(ce);
    free(gp);
    free(csv);
    tmpdir_remove(dir);
}

/* What that refusal lets through: the CSV beside the plot, and the
 * counterexample directory with the CSV elsewhere, or in it (made
 * beforehand) under a name of its own. */
static void test_outputs_naming_different_files(void **unused)
{
    (void)unused;
    char *dir = tmpdir_create();
    struct cli_output o;
    RUN_IN(dir, &o, "sweep", "echo", "--seeds", "1", "--csv", "a.csv",
           "--plot", "a.svg");
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    RUN_IN(dir, &o, "check", "planted-bug", "--seeds", "20",
           "--counterexample", "ce", "--csv", "other.csv");
    assert_int_equal(o.status, 1);
    cli_output_release(&o);
    char *ce2 = path_in(dir, "ce2");
    assert_int_equal(mkdir(ce2, 0777), 0);
    free(ce2);
    RUN_IN(dir, &o, "check", "planted-bug", "--seeds", "20",
           "--counterexample", "ce2", "--csv", "ce2/runs.csv");
    assert_int_equal(o.status, 1);
    cli_output_release(&o);
    const char *const made[] = {"a.csv",           "a.gp",
                                "other.csv",       "ce/trace.jsonl",
                                "ce/summary.json", "ce2/runs.csv",
                                "ce2/trace.jsonl"};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        char *path = path_in(dir, made[i]);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        free(path);
    }
    tmpdir_remove(dir);
}

/* A shard with no run of its own (one seed, shard 2/2) names the default
 * topology, which it gave as "", and has no statistics, where it printed
 * zeros no run had. */
static void test_empty_shard(void **unused)
{
    struct cli_output o;
    RUN(&o, "check", "echo", "--seeds", "1", "--shard", "2/2", "--json");
    assert_status(&o, 0);
    assert_non_null(strstr(o.out, "\"topologies\": [\"petersen\"]"));
    assert_non_null(strstr(o.out, "\"runs\": 0,"));
    assert_non_null(strstr(o.out, "\"messages\": null, \"time\": null"));
    cli_output_release(&o);
    RUN(&o, "check", "echo", "--seeds", "1", "--shard", "2/2");
    assert_status(&o, 0);
    assert_non_null(strstr(o.out, "echo: 0 runs, seed 1, on petersen "
                                  "(shard 2/2)\n"));
    assert_non_null(strstr(o.out, "  messages                           -  "
                                  "        -          -\n"));
    cli_output_release(&o);
}

static void test_passing_check(void **unused)
{
    struct cli_output o;
    RUN(&o, "check", "chang-roberts", "--topology", "uring:{8,16}", "--seeds",
        "20", "--first-seed", "5", "--ids", "decreasing");
    assert_status(&o, 0);
    assert_non_null(strstr(o.out, "chang-roberts: 40 runs, seeds 5..24, on 2 "
                                  "topologies\n"));
    assert_non_null(strstr(o.out, "  unique_leader    0\n"));
    /* n(n+1)/2 + n: 44 on uring:8, 152 on uring:16, whatever the delays. */
    assert_non_null(strstr(o.out, "  messages                 44        "
                                  " 44        152\n"));
    assert_non_null(strstr(o.out, "verdict: pass (0 of 40 runs failed)\n"));
    assert_int_equal(o.err_len, 0);
    cli_output_release(&o);
}

static void test_brace_list_of_families(void **unused)
{
    char *dir = tmpdir_create();
    char *csv = path_in(dir, "e.csv");
    struct cli_output o;
    RUN(&o, "check", "echo", "--topology", "{ring:8,grid:3x3}", "--seeds", "2",
        "--csv", csv);
    assert_status(&o, 0);
    char *text = file_read(csv, NULL);
    assert_non_null(text);
    assert_int_equal(count_substring(text, "\n"), 5);
    /* echo sends 2m messages: 16 on ring:8, 24 on grid:3x3. */
    assert_non_null(strstr(text, "\n0,echo,ring:8,8,16,1,16,"));
    assert_non_null(strstr(text, "\n1,echo,ring:8,8,16,2,16,"));
    assert_non_null(strstr(text, "\n2,echo,grid:3x3,9,24,1,24,"));
    assert_non_null(strstr(text, "\n3,echo,grid:3x3,9,24,2,24,"));
    free(text);
    cli_output_release(&o);

    /* A path with ".." in a list is an item, not a range gone wrong. */
    const char *scenarios = getenv("DISCO_SCENARIOS");
    assert_non_null(scenarios);
    char list[4096];
    snprintf(list, sizeof list, "{%s/../scenarios/lcr-ring8.dot,uring:4}",
             scenarios);
    RUN(&o, "check", "lcr", "--topology", list, "--seeds", "1", "--csv",
        csv);
    assert_status(&o, 0);
    assert_non_null(strstr(o.out, "lcr: 2 runs, seed 1, on 2 topologies"));
    cli_output_release(&o);
    free(csv);
    tmpdir_remove(dir);
}

/* ------------------------------------------------------------------------ */
/* The worst case.                                                           */

static void test_maximize_chang_roberts(void **unused)
{
    struct cli_output o;
    RUN(&o, "check", "chang-roberts", "--topology", "uring:16", "--maximize",
        "messages", "--json");
    assert_status(&o, 0);
    /* n(n+1)/2 = 136 election messages, plus 16 announcements. */
    assert_non_null(strstr(o.out, "\"value\": 152,"));
    assert_non_null(strstr(o.out, "\"messages_by_kind\": {\"elect\": 136, "
                                  "\"leader\": 16}"));
    /* No run violated a property: nothing said of violations. */
    assert_null(strstr(o.out, "failed_runs"));
    assert_null(strstr(o.out, "verdict"));
    /* Its command reproduces it. */
    const char *cmd = strstr(o.out, "\"command\": \"");
    assert_non_null(cmd);
    char *line = strndup(cmd + 12, strcspn(cmd + 12, "\""));
    struct cli_output r;
    run_printed(&r, line, "--json");
    assert_status(&r, 0);
    assert_non_null(strstr(r.out, "\"messages\": 152,"));
    assert_non_null(strstr(r.out, "{\"elect\": 136, \"leader\": 16}"));
    cli_output_release(&r);
    free(line);
    cli_output_release(&o);

    /* For people: the largest value found, which the search cannot prove
     * to be the worst (it is a heuristic), with the runs it took. */
    RUN(&o, "check", "chang-roberts", "--topology", "uring:16", "--maximize",
        "messages");
    assert_status(&o, 0);
    assert_string_equal(
        o.out,
        "largest messages found for chang-roberts on uring:16 in 3000 runs: "
        "152\n"
        "  messages 152 (elect 136, leader 16), time 1577\n"
        "  disco run chang-roberts --topology uring:16 --seed 1 --ids "
        "16,15,14,13,12,11,10,9,8,7,6,5,4,3,2,1\n");
    assert_int_equal(o.err_len, 0);
    cli_output_release(&o);
}

/* Every run of the search is checked, as check's runs are: planted-bug's
 * wrong placements elect several leaders, and the search comes upon some.
 * Exit 1, the violations counted with their commands (each of which,
 * rerun, violates the property), the verdict; in JSON too.  The old search
 * exited 0 and said nothing of them, its largest run being a correct one. */
static void test_maximize_reports_violations(void **unused)
{
    struct cli_output o;
    RUN(&o, "check", "planted-bug", "--topology", "uring:16", "--seeds", "20",
        "--maximize", "messages", "--budget", "300");
    assert_status(&o, 1);
    const char *header = strstr(o.out, "\nunique_leader violated in ");
    assert_non_null(header);
    assert_non_null(strstr(header, " of the 300 runs searched:\n  seed "));
    assert_non_null(strstr(header, " on uring:16: "));
    assert_non_null(strstr(header, " leaders (expected exactly one)\n"
                                   "    disco run planted-bug --topology "
                                   "uring:16 --seed "));
    assert_non_null(strstr(header, "\nverdict: fail ("));
    assert_non_null(strstr(header, " of 300 runs failed)\n"));
    assert_null(strstr(o.out, "everyone_learns violated"));

    /* The first one shown reproduces: its --ids give several leaders. */
    char *rest = line_after(header + 1, "disco run ");
    assert_non_null(rest);
    assert_non_null(strstr(rest, " --ids "));
    char line[1024];
    snprintf(line, sizeof line, "disco run %s", rest);
    struct cli_output r;
    run_printed(&r, line, "--json");
    assert_status(&r, 1);
    assert_non_null(strstr(r.out, "{\"name\": \"unique_leader\", \"holds\": "
                                  "false, \"detail\": \""));
    cli_output_release(&r);
    free(rest);
    cli_output_release(&o);

    RUN(&o, "check", "planted-bug", "--topology", "uring:16", "--seeds", "20",
        "--maximize", "messages", "--budget", "300", "--json");
    assert_status(&o, 1);
    assert_non_null(strstr(o.out, ", \"failed_runs\": "));
    assert_non_null(strstr(o.out, ", \"violations\": {\"unique_leader\": "));
    assert_non_null(strstr(o.out, "\"everyone_learns\": 0, \"terminates\": 0}"));
    assert_non_null(strstr(o.out, ", \"failures\": [{\"property\": "
                                  "\"unique_leader\", \"seed\": "));
    assert_non_null(strstr(o.out, "\"command\": \"disco run planted-bug "
                                  "--topology uring:16 --seed "));
    assert_non_null(strstr(o.out, "], \"verdict\": \"fail\"}\n"));
    assert_int_equal(count_substring(o.out, "\n"), 1);
    cli_output_release(&o);
}

/* Rounds exist in synchronous runs only: --maximize rounds on an
 * asynchronous one is refused (exit 2, one line), where the old search
 * reported a worst case of 0 rounds; a synchronous algorithm's rounds are
 * searched. */
static void test_maximize_rounds_needs_sync(void **unused)
{
    struct cli_output o;
    RUN(&o, "check", "chang-roberts", "--topology", "uring:8", "--maximize",
        "rounds", "--budget", "100");
    assert_usage_error(&o, "disco: --maximize rounds needs a synchronous run "
                           "(--sync): chang-roberts runs asynchronously; "
                           "maximize messages or time instead\n");
    cli_output_release(&o);
    RUN(&o, "check", "sync-bfs", "--topology", "grid:3x3", "--maximize",
        "rounds", "--budget", "50", "--json");
    assert_status(&o, 0);
    /* sync-bfs's rounds on grid:3x3, whatever the ids: 5. */
    assert_non_null(strstr(o.out, "\"maximize\": \"rounds\", \"value\": 5,"));
    cli_output_release(&o);
}

/* --maximize draws check's progress line with --progress on, even into a
 * pipe, once it has searched a quarter of a second: its runs done out of
 * the budget, erased at the end, stdout that of the search without it;
 * with off, and with auto into a pipe, nothing.  The old search drew
 * nothing in any case.  A search under half a second is rerun with four
 * times the budget, up to a cap (then skipped: a machine that fast cannot
 * tell). */
static void test_maximize_progress(void **unused)
{
    struct cli_output on, off, quiet;
    char budget[24];
    unsigned long n = 2000;
    double seconds;
    for (;;) {
        snprintf(budget, sizeof budget, "%lu", n);
        double start = now_s();
        RUN(&on, "check", "chang-roberts", "--topology", "uring:128",
            "--maximize", "messages", "--budget", budget, "--progress", "on");
        seconds = now_s() - start;
        if (seconds >= 0.5 || 4 * n > 128000)
            break;
        cli_output_release(&on);
        n *= 4;
    }
    if (seconds < 0.5) {
        cli_output_release(&on);
        print_message("test_maximize_progress: a budget of %lu took only "
                      "%.2f s, under the 0.5 s asked for the line to show "
                      "surely: not checked\n",
                      n, seconds);
        skip();
    }
    RUN(&off, "check", "chang-roberts", "--topology", "uring:128",
        "--maximize", "messages", "--budget", budget, "--progress", "off");
    RUN(&quiet, "check", "chang-roberts", "--topology", "uring:128",
        "--maximize", "messages", "--budget", budget);
    assert_status(&on, 0);
    assert_status(&off, 0);
    assert_status(&quiet, 0);
    assert_int_equal(off.err_len, 0);
    assert_int_equal(quiet.err_len, 0);
    assert_true(on.err_len > 6);
    assert_int_equal(on.err[0], '\r');
    char runs[40]; /* "/N runs  ", N the budget */
    snprintf(runs, sizeof runs, "/%lu runs  ", n);
    assert_non_null(strstr(on.err, runs));
    assert_non_null(strstr(on.err, " runs/s  ETA "));
    assert_non_null(strstr(on.err, "  0 violations\x1b[K"));
    assert_string_equal(on.err + on.err_len - 4, "\r\x1b[K");
    assert_string_equal(on.out, off.out);
    assert_string_equal(on.out, quiet.out);
    cli_output_release(&on);
    cli_output_release(&off);
    cli_output_release(&quiet);
}

/* ------------------------------------------------------------------------ */
/* sweep.                                                                    */

static const char cr_header[] =
    "run,algorithm,topology,n,channels,seed,messages,messages_elect,"
    "messages_leader,events,time,causal_depth,rounds,delivered,dropped,"
    "duplicated,terminated,verdict,holds_unique_leader,"
    "holds_everyone_learns,holds_n_announcements\n";

static void test_sweep_csv(void **unused)
{
    char *dir = tmpdir_create();
    char *csv = path_in(dir, "s.csv"), *svg = path_in(dir, "s.svg");
    char *gp = path_in(dir, "s.gp");
    struct cli_output o;
    /* gnuplot writes the plot by name: a FIFO (a link to one, here) is
     * refused before the runs, and the CSV and script are not written (it
     * crashed on the missing temporary name).  A FIFO of the test's own,
     * not /dev/null: should the check ever regress, a suite run as root
     * must not replace a device. */
    char *fifo = path_in(dir, "plot.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(symlink("plot.fifo", svg), 0);
    /* A reader, so that a regression fails the test instead of waiting. */
    int reader = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(reader >= 0);
    RUN(&o, "sweep", "chang-roberts", "--topology", "uring:{8,16}",
        "--seeds", "2", "--csv", csv, "--plot", svg);
    assert_usage_error(&o, "not a plain file");
    assert_int_equal(dir_entry_count(dir), 2);
    cli_output_release(&o);
    close(reader);
    assert_int_equal(unlink(svg), 0);
    assert_int_equal(unlink(fifo), 0);
    free(fifo);
    RUN(&o, "sweep", "chang-roberts", "--topology", "uring:{8,16,32}",
        "--seeds", "4", "--csv", csv, "--plot", svg);
    assert_status(&o, 0);
    char *text = file_read(csv, NULL);
    assert_non_null(text);
    assert_int_equal(count_substring(text, "\n"), 13);
    assert_true(strncmp(text, cr_header, strlen(cr_header)) == 0);
    /* Increasing ids: 2n-1 election messages and n announcements. */
    const unsigned sizes[3] = {8, 16, 32};
    for (unsigned t = 0; t < 3; t++)
        for (unsigned s = 1; s <= 4; s++) {
            char row[96];
            unsigned n = sizes[t];
            snprintf(row, sizeof row,
                     "\n%u,chang-roberts,uring:%u,%u,%u,%u,%u,%u,%u,", t * 4 +
                     s - 1, n, n, n, s, 3 * n - 1, 2 * n - 1, n);
            if (!strstr(text, row))
                print_error("no row %s\n", row + 1);
            assert_non_null(strstr(text, row));
        }
    assert_non_null(strstr(o.out, "  uring:8                   8     4 "
                                  "        23.0         23         23"));
    free(text);
    /* The gnuplot script is always written; the SVG when gnuplot exists. */
    text = file_read(gp, NULL);
    assert_non_null(text);
    assert_non_null(strstr(text, "n*(n+1)/2+n"));
    /* Titles such as 'chang-roberts: causal_depth' are plain text: in
     * gnuplot's enhanced mode the _ made a subscript of the d. */
    assert_non_null(strstr(text, "set title 'chang-roberts: causal_depth'"));
    assert_non_null(strstr(text, " noenhanced\n"));
    free(text);
    text = file_read(svg, NULL);
    if (text) {
        assert_non_null(strstr(text, "<svg"));
        size_t len = strlen(text);
        assert_true(len > 7 && strstr(text + len - 8, "</svg>"));
        free(text);
    } else {
        assert_non_null(strstr(o.err, "disco: gnuplot not found"));
    }
    free(csv);
    free(svg);
    free(gp);
    cli_output_release(&o);
    tmpdir_remove(dir);
}

/* ------------------------------------------------------------------------ */
/* Bad input: one line, exit 2, no file.                                     */

static void expect_refused(const char *expected, const char *a,
                           const char *b, const char *c, const char *d)
{
    char *dir = tmpdir_create();
    char *csv = path_in(dir, "x.csv");
    struct cli_output o;
    const char *argv[] = {NULL, "check", "chang-roberts", a, b, c, d,
                          "--csv", csv, NULL};
    /* Drop the NULL holes. */
    const char *packed[16];
    int n = 0;
    for (size_t i = 0; i < sizeof argv / sizeof argv[0] - 1; i++)
        if (i == 0 || argv[i])
            packed[n++] = argv[i];
    packed[n] = NULL;
    cli_run(&o, packed);
    assert_usage_error(&o, expected);
    assert_int_equal(dir_entry_count(dir), 0);
    cli_output_release(&o);
    free(csv);
    tmpdir_remove(dir);
}

static void test_bad_input(void **unused)
{
    expect_refused("disco: bad --seeds '0': expected at least 1\n", "--seeds",
                   "0", NULL, NULL);
    expect_refused("disco: bad --seeds 'abc': expected a non-negative "
                   "integer\n",
                   "--seeds", "abc", NULL, NULL);
    expect_refused("disco: bad --jobs '0': expected 1 to 1024\n", "--seeds",
                   "3", "--jobs", "0");
    expect_refused("disco: bad --shard '3/2': expected I/N with 1 <= I <= "
                   "N\n",
                   "--seeds", "3", "--shard", "3/2");
    expect_refused("disco check needs --seeds N", NULL, NULL, NULL, NULL);
    expect_refused("bad --topology 'uring:{8..}': range '8..' is not A..B "
                   "or A..B..STEP (whole numbers)",
                   "--seeds", "3", "--topology", "uring:{8..}");
    expect_refused("bad --topology 'uring:{8..': unmatched '{'", "--seeds",
                   "3", "--topology", "uring:{8..");
    expect_refused("disco: --topology 'ring:{3..100000}' expands to 99,998 "
                   "topologies (at most 10,000)\n",
                   "--seeds", "1", "--topology", "ring:{3..100000}");
    expect_refused("disco: --topology 'grid:{1..200}x{1..200}' expands to "
                   "40,000 topologies (at most 10,000)\n",
                   "--seeds", "1", "--topology", "grid:{1..200}x{1..200}");
    expect_refused("unknown topology", "--seeds", "3", "--topology",
                   "{uring:8,urign:9}");
    expect_refused("not --seed", "--seeds", "3", "--seed", "4");
    expect_refused("drop --trace", "--seeds", "3", "--trace", "t.jsonl");
    expect_refused("bad --maximize 'speed'", "--maximize", "speed", NULL,
                   NULL);
}

/* --seeds past what the machine can hold the results of: one line naming
 * --seeds before anything is allocated (it was "out of memory", and an
 * abort under ASan), nothing written. */
static void test_seeds_beyond_memory(void **unused)
{
    /* 1,073,741,824 runs take some 180 GB of results: on a machine that
     * has that much the batch would start, so the refusal is not there to
     * test. */
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0 && (double)pages * (double)page > 150e9)
        skip();
    char *dir = tmpdir_create();
    char *csv = path_in(dir, "x.csv");
    struct cli_output o;
    RUN(&o, "check", "echo", "--seeds", "2147483648", "--shard", "1/2",
        "--csv", csv);
    /* The sizes in GB are the record's and the machine's. */
    assert_usage_error(&o, " GB of memory for the results of its "
                           "1,073,741,824 runs (this machine has ");
    assert_true(strncmp(o.err, "disco: --seeds 2147483648 would need about ",
                        43) == 0);
    cli_output_release(&o);
    RUN(&o, "check", "chang-roberts", "--seeds", "4294967296", "--csv", csv);
    assert_usage_error(&o, " GB of memory for the results of its "
                           "4,294,967,296 runs (this machine has ");
    assert_true(strncmp(o.err, "disco: --seeds 4294967296 would need about ",
                        43) == 0);
    cli_output_release(&o);
    RUN(&o, "check", "echo", "--seeds", "4294967297", "--csv", csv);
    assert_usage_error(&o, "disco: --seeds 4294967297 makes too many runs "
                           "(at most 2^32 in all)\n");
    cli_output_release(&o);
    assert_int_equal(dir_entry_count(dir), 0);
    free(csv);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jobs_and_shards_identical),
        cmocka_unit_test(test_chunked_batch_identical),
        cmocka_unit_test(test_merge_refuses_gaps_and_overlaps),
        cmocka_unit_test(test_merge_refuses_a_directory),
        cmocka_unit_test(test_scenario_with_jobs),
        cmocka_unit_test(test_planted_bug_caught_and_reproduced),
        cmocka_unit_test(test_planted_bug_json),
        cmocka_unit_test(test_no_shrunk_line_when_nothing_shrank),
        cmocka_unit_test(test_outputs_refused_before_the_csv),
        cmocka_unit_test(test_outputs_naming_one_file),
        cmocka_unit_test(test_outputs_naming_different_files),
        cmocka_unit_test(test_empty_shard),
        cmocka_unit_test(test_passing_check),
        cmocka_unit_test(test_brace_list_of_families),
        cmocka_unit_test(test_maximize_chang_roberts),
        cmocka_unit_test(test_maximize_reports_violations),
        cmocka_unit_test(test_maximize_rounds_needs_sync),
        cmocka_unit_test(test_maximize_progress),
        cmocka_unit_test(test_sweep_csv),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_seeds_beyond_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
