/*
 * test_viz_writes.c - pictures and plots whose writes fail, as on a full
 * disk: a file-size limit (RLIMIT_FSIZE) with SIGXFSZ ignored makes every
 * write past the limit fail with EFBIG.  The run then exits 2 with one
 * line on stderr naming the file and the reason, and leaves nothing
 * behind: no output, no temporary file, no frames directory.
 *
 * The limit is set in this process around cli_run (which only reads
 * pipes meanwhile) and inherited by the disco it starts, as is SIGXFSZ
 * ignored; both are put back before anything else is written.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "support.h"

/* cli_run under a file-size limit of `bytes`. */
static void run_limited(struct cli_output *o, rlim_t bytes,
                        const char *const argv[])
{
    struct rlimit saved, limit;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    limit = saved;
    if (limit.rlim_max == RLIM_INFINITY || bytes < limit.rlim_max)
        limit.rlim_cur = bytes;
    void (*previous)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &limit), 0);
    cli_run(o, argv);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, previous);
}

#define RUN_LIMITED(out, bytes, ...)                                           \
    do {                                                                       \
        const char *const limited_argv_[] = {NULL, __VA_ARGS__, NULL};         \
        run_limited((out), (bytes), limited_argv_);                            \
    } while (0)

/* Exit 2, nothing on stdout, exactly one line on stderr: "disco: cannot
 * write 'PATH': File too large". */
static void assert_cannot_write(const struct cli_output *o, const char *path)
{
    char expected[4200];
    snprintf(expected, sizeof expected, "disco: cannot write '%s': %s\n",
             path, strerror(EFBIG));
    assert_usage_error(o, expected);
    assert_string_equal(o->err, expected);
}

/* Echo on grid:8x8 with each option's output (OPTION, file name) in a
 * fresh directory, under a limit of 8 kB: refused, nothing left. */
static void each_cannot_write(const char *const options[][2], size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *dir = tmpdir_create();
        char *path = path_in(dir, options[i][1]);
        struct cli_output o;
        RUN_LIMITED(&o, 8192, "run", "echo", "--topology", "grid:8x8",
                    options[i][0], path);
        assert_cannot_write(&o, path);
        assert_int_equal(dir_entry_count(dir), 0);
        cli_output_release(&o);
        free(path);
        tmpdir_remove(dir);
    }
}

/* A picture that Graphviz renders (--svg, --png, --frames): its writer
 * called exit(1) on a failed write, with no message and the temporary
 * files left behind.  Rendered in memory now, written by disco. */
static void test_rendered_pictures(void **unused)
{
    (void)unused;
    static const char *const options[][2] = {
        {"--svg", "g.svg"},
        {"--png", "g.png"},
        {"--frames", "fr"},
    };
    each_cannot_write(options, sizeof options / sizeof options[0]);
}

/* The demo writes all of them, in step folders under --out: a failure
 * leaves neither the folders nor a temporary file. */
static void test_demo(void **unused)
{
    (void)unused;
    char *dir = tmpdir_create();
    char *out = path_in(dir, "dm");
    struct cli_output o;
    RUN_LIMITED(&o, 20480, "demo", "--out", out);
    if (o.status != 2)
        print_error("status %d, stderr: %s\n", o.status, o.err);
    assert_int_equal(o.status, 2);
    char prefix[4200];
    snprintf(prefix, sizeof prefix, "disco: cannot write '%s/", out);
    assert_true(strncmp(o.err, prefix, strlen(prefix)) == 0);
    assert_int_equal(count_substring(o.err, "\n"), 1);
    assert_non_null(strstr(o.err, strerror(EFBIG)));
    assert_int_equal(dir_entry_count(dir), 0);
    cli_output_release(&o);
    free(out);
    tmpdir_remove(dir);
}

/* The pictures disco writes itself named no file when a write failed
 * ("cannot write the space-time diagram"), and the trace named it in
 * another form ("t.jsonl: cannot write the trace: ..."). */
static void test_written_pictures_name_the_file(void **unused)
{
    (void)unused;
    static const char *const options[][2] = {
        {"--trace", "t.jsonl"},
        {"--dot", "g.dot"},
        {"--spacetime", "s.svg"},
        {"--shiviz", "s.log"},
        {"--html", "h.html"},
    };
    each_cannot_write(options, sizeof options / sizeof options[0]);
}

/* sweep --plot: gnuplot does not check its writes, so a full disk gave a
 * truncated plot and exit 0.  Now its SVG goes through disco, and a
 * refused run commits neither the plot nor the CSV and script written
 * before it. */
static void test_sweep_plot(void **unused)
{
    (void)unused;
    if (system("command -v gnuplot >/dev/null 2>&1") != 0)
        skip();
    char *dir = tmpdir_create();
    char *csv = path_in(dir, "c.csv");
    char *svg = path_in(dir, "p.svg");
    struct cli_output o;
    /* The CSV (3.5 kB) and the script (1 kB) fit; the plot (85 kB) not. */
    RUN_LIMITED(&o, 4096, "sweep", "echo", "--seeds", "50", "--csv", csv,
                "--plot", svg);
    assert_cannot_write(&o, svg);
    assert_int_equal(dir_entry_count(dir), 0);
    cli_output_release(&o);
    /* Without the limit, all three. */
    RUN(&o, "sweep", "echo", "--seeds", "50", "--csv", csv, "--plot", svg);
    assert_int_equal(o.status, 0);
    assert_int_equal(dir_entry_count(dir), 3);
    char *text = file_read(svg, NULL);
    assert_non_null(text);
    size_t len = strlen(text);
    assert_true(len > 7 && strstr(text + len - 8, "</svg>"));
    free(text);
    cli_output_release(&o);
    free(csv);
    free(svg);
    tmpdir_remove(dir);
}

/* A gnuplot that cannot draw (an old one, without datablocks) is not a
 * refused run: the CSV and the script stay, a warning says why with the
 * script's own name, and the exit status is the runs' (here 1: lcr under
 * loss); the counterexample, written after the plot, is there too.  The
 * gnuplot on PATH is a stand-in that fails as an old one does. */
static void test_sweep_plot_gnuplot_fails(void **unused)
{
    (void)unused;
    char *dir = tmpdir_create();
    char *fake = path_in(dir, "gnuplot");
    file_write(fake, "#!/bin/sh\n"
                     "printf '\\n  $data << EOD\\n  ^\\n\"%s\" line 3: "
                     "invalid command\\n\\n' \"$3\" >&2\n"
                     "exit 1\n");
    assert_int_equal(chmod(fake, 0755), 0);
    const char *path = getenv("PATH");
    char *saved = strdup(path ? path : "");
    char fake_path[8192];
    snprintf(fake_path, sizeof fake_path, "%s:%s", dir, saved);
    setenv("PATH", fake_path, 1);
    char *csv = path_in(dir, "c.csv"), *svg = path_in(dir, "p.svg");
    char *gp = path_in(dir, "p.gp"), *ce = path_in(dir, "ce");
    struct cli_output o;
    RUN(&o, "sweep", "lcr", "--topology", "ring:{3..5}", "--seeds", "3",
        "--loss", "0.5", "--csv", csv, "--plot", svg, "--counterexample", ce);
    setenv("PATH", saved, 1);
    char expected[8192];
    snprintf(expected, sizeof expected,
             "disco: warning: gnuplot failed on %s: \"%s\" line 3: invalid "
             "command; %s not drawn\n",
             gp, gp, svg);
    assert_int_equal(o.status, 1);
    assert_non_null(strstr(o.err, expected));
    assert_int_equal(count_substring(o.err, "\n"), 2); /* and lcr's */
    assert_int_equal(dir_entry_count(dir), 4); /* gnuplot, c.csv, p.gp, ce */
    assert_int_equal(access(svg, F_OK), -1);
    assert_int_equal(access(gp, F_OK), 0);
    cli_output_release(&o);
    free(saved);
    free(fake);
    free(csv);
    free(svg);
    free(gp);
    free(ce);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rendered_pictures),
        cmocka_unit_test(test_demo),
        cmocka_unit_test(test_written_pictures_name_the_file),
        cmocka_unit_test(test_sweep_plot),
        cmocka_unit_test(test_sweep_plot_gnuplot_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
