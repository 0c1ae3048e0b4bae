/*
 * test_check_mpi.c - `mpirun -np 2 disco check` (the -Dmpi=enabled build):
 * two ranks print and write exactly the bytes of one process, violations,
 * shrinking, --json, a user's --shard and sweep included; rank 1 says
 * nothing, not even about bad input.
 *
 * Runs $MPIRUN (meson finds it) with $DISCO_BIN as the program to start.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "support.h"

static char *disco_bin, *mpirun_bin;

/* RUN (support.h) under `mpirun -np 2`: cli_run starts $DISCO_BIN, so point it
 * at mpirun for the call.  Root in containers needs --allow-run-as-root,
 * one-core machines --oversubscribe. */
#define MPIRUN(out, ...)                                                       \
    do {                                                                       \
        const char *const run_argv_[] = {                                      \
            NULL, "--allow-run-as-root", "--oversubscribe", "-np", "2",       \
            disco_bin, __VA_ARGS__, NULL};                                     \
        setenv("DISCO_BIN", mpirun_bin, 1);                                    \
        cli_run((out), run_argv_);                                             \
        setenv("DISCO_BIN", disco_bin, 1);                                     \
    } while (0)

static void assert_status(const struct cli_output *o, int status)
{
    if (o->status != status)
        print_error("status %d, stdout:\n%s\nstderr:\n%s\n", o->status, o->out,
                    o->err);
    assert_int_equal(o->status, status);
}

/* Byte for byte, NULs and all. */
static void assert_same_bytes(const char *a, size_t a_len, const char *b,
                              size_t b_len)
{
    if (a_len != b_len || memcmp(a, b, a_len) != 0)
        print_error("one process:\n%s\ntwo ranks:\n%s\n", a, b);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
}

static void assert_same_files(const char *a, const char *b)
{
    size_t a_len = 0, b_len = 0;
    char *x = file_read(a, &a_len), *y = file_read(b, &b_len);
    assert_non_null(x);
    assert_non_null(y);
    assert_same_bytes(x, a_len, y, b_len);
    free(x);
    free(y);
}

#define PLANTED "planted-bug", "--topology", "uring:{4..12..4}", "--seeds", "30"

static const char planted_header[] =
    "run,algorithm,topology,n,channels,seed,messages,messages_elect,"
    "messages_leader,events,time,causal_depth,rounds,delivered,dropped,"
    "duplicated,terminated,verdict,holds_unique_leader,"
    "holds_everyone_learns\n";

/* Violations (details, reproducing commands, shrinking) and the CSV. */
static void test_two_ranks_equal_one_process(void **unused)
{
    char *dir = tmpdir_create();
    char *one = path_in(dir, "one.csv"), *two = path_in(dir, "two.csv");
    struct cli_output a, b;
    RUN(&a, "check", PLANTED, "--jobs", "1", "--csv", one);
    MPIRUN(&b, "check", PLANTED, "--jobs", "1", "--csv", two);
    assert_status(&a, 1);
    assert_status(&b, 1);
    assert_true(strncmp(a.out, "planted-bug: 90 runs, seeds 1..30, on 3 "
                               "topologies\n",
                        strlen("planted-bug: 90 runs, seeds 1..30, on 3 "
                               "topologies\n")) == 0);
    assert_non_null(strstr(a.out, "unique_leader violated in "));
    assert_non_null(strstr(a.out, "    shrunk to "));
    assert_same_bytes(a.out, a.out_len, b.out, b.out_len);
    size_t len = 0;
    char *csv = file_read(two, &len);
    assert_non_null(csv);
    assert_true(strncmp(csv, planted_header, strlen(planted_header)) == 0);
    assert_int_equal(count_substring(csv, "\n"), 91);
    assert_non_null(strstr(csv, "\n89,planted-bug,uring:12,12,"));
    free(csv);
    assert_same_files(one, two);
    cli_output_release(&a);
    cli_output_release(&b);
    free(one);
    free(two);
    tmpdir_remove(dir);
}

static void test_json_and_threads(void **unused)
{
    struct cli_output a, b;
    RUN(&a, "check", "planted-bug", "--seeds", "10", "--json", "--no-shrink",
        "--jobs", "1");
    MPIRUN(&b, "check", "planted-bug", "--seeds", "10", "--json",
           "--no-shrink", "--jobs", "2");
    assert_status(&a, 1);
    assert_status(&b, 1);
    assert_non_null(strstr(a.out, "\"runs\": 10, \"failed_runs\": 4,"));
    assert_same_bytes(a.out, a.out_len, b.out, b.out_len);
    cli_output_release(&a);
    cli_output_release(&b);
}

/* The ranks split the user's shard 2/3, not all the runs. */
static void test_user_shard_split_again(void **unused)
{
    char *dir = tmpdir_create();
    char *one = path_in(dir, "one.csv"), *two = path_in(dir, "two.csv");
    struct cli_output a, b;
    RUN(&a, "check", "chang-roberts", "--seeds", "20", "--shard", "2/3",
        "--csv", one);
    MPIRUN(&b, "check", "chang-roberts", "--seeds", "20", "--shard", "2/3",
           "--csv", two);
    assert_status(&a, 0);
    assert_status(&b, 0);
    assert_non_null(strstr(a.out, "chang-roberts: 7 runs, seeds 1..20"));
    assert_non_null(strstr(a.out, " (shard 2/3)\n"));
    assert_same_bytes(a.out, a.out_len, b.out, b.out_len);
    char *csv = file_read(two, NULL);
    assert_non_null(csv);
    assert_int_equal(count_substring(csv, "\n"), 8);
    for (int run = 1; run < 20; run += 3) {
        char row[16];
        snprintf(row, sizeof row, "\n%d,", run);
        assert_int_equal(count_substring(csv, row), 1);
    }
    free(csv);
    assert_same_files(one, two);
    cli_output_release(&a);
    cli_output_release(&b);
    free(one);
    free(two);
    tmpdir_remove(dir);
}

static void test_sweep(void **unused)
{
    char *dir = tmpdir_create();
    char *one = path_in(dir, "one.csv"), *two = path_in(dir, "two.csv");
    struct cli_output a, b;
    RUN(&a, "sweep", "chang-roberts", "--topology", "uring:{4,8,16}",
        "--seeds", "5", "--csv", one);
    MPIRUN(&b, "sweep", "chang-roberts", "--topology", "uring:{4,8,16}",
           "--seeds", "5", "--csv", two);
    assert_status(&a, 0);
    assert_status(&b, 0);
    assert_true(strncmp(a.out, "chang-roberts: 15 runs\n", 23) == 0);
    assert_same_bytes(a.out, a.out_len, b.out, b.out_len);
    assert_same_files(one, two);
    cli_output_release(&a);
    cli_output_release(&b);
    free(one);
    free(two);
    tmpdir_remove(dir);
}

/* Bad input: one line, from rank 0 only; nothing on stdout, exit 2.  (That
 * rank 0 speaks before any rank may exit, where a race once lost its line,
 * is test_only_rank_0_exits_nonzero's.) */
static void test_bad_input_said_once(void **unused)
{
    struct cli_output o;
    MPIRUN(&o, "check", "chang-roberts", "--seeds", "0");
    assert_status(&o, 2);
    assert_int_equal(o.out_len, 0);
    assert_int_equal(
        count_substring(o.err, "disco: bad --seeds '0': expected at least 1\n"),
        1);
    assert_int_equal(count_substring(o.err, "disco: "), 1);
    cli_output_release(&o);
}

/* Each rank's own exit status, through a shell that writes it to
 * DIR/part.R and renames it DIR/rank.R, so that rank 0 never reads a
 * half-written file: rank 0 exits with the command's status, every other rank 0
 * (mpirun kills the remaining ranks when one exits nonzero, so a second
 * nonzero rank could cut rank 0 off before it has spoken).  Rank 0's
 * shell waits (up to 10 s) for rank 1's file before it exits: its nonzero
 * exit would otherwise let mpirun kill rank 1's shell before it wrote. */
static void rank_statuses(const char *const args[], int *rank0, int *rank1,
                          struct cli_output *o)
{
    char *dir = tmpdir_create();
    char script[4600];
    snprintf(script, sizeof script,
             "\"$0\" \"$@\"; s=$?; d='%s'; r=$OMPI_COMM_WORLD_RANK; "
             "echo $s > \"$d/part.$r\" && "
             "mv \"$d/part.$r\" \"$d/rank.$r\"; "
             "if [ $r = 0 ]; then i=0; while [ ! -e \"$d/rank.1\" ] && "
             "[ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; fi; exit $s",
             dir);
    const char *argv[32] = {NULL,   "--allow-run-as-root", "--oversubscribe",
                            "-np",  "2",                   "/bin/sh",
                            "-c",   script,                disco_bin};
    size_t n = 9;
    for (size_t i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    setenv("DISCO_BIN", mpirun_bin, 1);
    cli_run(o, argv);
    setenv("DISCO_BIN", disco_bin, 1);
    int *statuses[2] = {rank0, rank1};
    for (int r = 0; r < 2; r++) {
        char name[16];
        snprintf(name, sizeof name, "rank.%d", r);
        char *path = path_in(dir, name);
        char *text = file_read(path, NULL);
        assert_non_null(text);
        *statuses[r] = atoi(text);
        free(text);
        free(path);
    }
    tmpdir_remove(dir);
}

static void test_only_rank_0_exits_nonzero(void **unused)
{
    int rank0, rank1;
    struct cli_output o;
    const char *const bad[] = {"check", "chang-roberts", "--seeds", "0", NULL};
    rank_statuses(bad, &rank0, &rank1, &o);
    assert_int_equal(rank0, 2);
    assert_int_equal(rank1, 0);
    assert_status(&o, 2);
    assert_int_equal(count_substring(o.err, "disco: "), 1);
    cli_output_release(&o);
    const char *const violated[] = {"check", "planted-bug", "--seeds", "10",
                                    "--no-shrink", NULL};
    rank_statuses(violated, &rank0, &rank1, &o);
    assert_int_equal(rank0, 1);
    assert_int_equal(rank1, 0);
    assert_status(&o, 1);
    assert_non_null(strstr(o.out, "planted-bug: 10 runs"));
    cli_output_release(&o);
}

int main(void)
{
    const char *bin = getenv("DISCO_BIN"), *mpirun = getenv("MPIRUN");
    if (!bin || !mpirun) {
        fprintf(stderr, "test_check_mpi: needs DISCO_BIN and MPIRUN\n");
        return 1;
    }
    disco_bin = strdup(bin);
    mpirun_bin = strdup(mpirun);
#if defined(__SANITIZE_ADDRESS__)
    /* Open MPI keeps allocations until exit, some from plugins it has
     * unloaded by then: suppress them by library, with full stacks so
     * that each leak shows the library it came through.  disco's own
     * leaks still fail the test. */
    char *supp_dir = tmpdir_create();
    char *supp = path_in(supp_dir, "ompi.supp");
    /* Outside a test, a file that cannot be written exits non-zero. */
    file_write(supp, "leak:libmpi.so\nleak:libopen-pal.so\nleak:libopen-rte.so\n"
                     "leak:libpmix.so\nleak:libhwloc.so\nleak:libevent\n");
    char lsan[4200], asan[4200];
    snprintf(lsan, sizeof lsan, "suppressions=%s:print_suppressions=0", supp);
    const char *given = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof asan, "%s%sfast_unwind_on_malloc=0",
             given ? given : "", given && *given ? ":" : "");
    setenv("LSAN_OPTIONS", lsan, 1);
    setenv("ASAN_OPTIONS", asan, 1);
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_ranks_equal_one_process),
        cmocka_unit_test(test_json_and_threads),
        cmocka_unit_test(test_user_shard_split_again),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_bad_input_said_once),
        cmocka_unit_test(test_only_rank_0_exits_nonzero),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    free(disco_bin);
    free(mpirun_bin);
#if defined(__SANITIZE_ADDRESS__)
    free(supp);
    tmpdir_remove(supp_dir);
#endif
    return failed;
}
