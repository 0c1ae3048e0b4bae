/*
 * test_progress_tty.c - the progress lines where they are meant to be
 * seen, on a terminal, which the other tests cannot give them (their
 * stderr is a pipe): what --progress auto decides, the quiet start, and
 * the cut to the terminal's width.  First cli/progress.c in process, with
 * stderr moved onto a pseudo-terminal; then the disco binary run on one.
 *
 * The terminals are opened without output processing, so that the bytes
 * read are exactly those written.  No assertion runs while stderr is
 * moved (a failure's message would go to the pseudo-terminal and be lost):
 * each test moves it, acts, moves it back, and then asserts.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"

/* The quiet starts of docs/cli.md: `run`'s auto line shows after half a
 * second, `check`'s line (even with on) after a quarter of one. */
#define RUN_QUIET_S 0.5
#define CHECK_QUIET_S 0.25

/* A test that needs a command quicker than a quiet start tries this many
 * times before it gives up (skips) on a machine too loaded to tell. */
#define QUICK_TRIES 5

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Whether `fd` has something to read within `timeout_s` seconds. */
static bool readable_within(int fd, double timeout_s)
{
    double deadline = now_s() + timeout_s;
    for (;;) {
        double left = deadline - now_s();
        if (left <= 0)
            return false;
        struct pollfd want = {.fd = fd, .events = POLLIN};
        int ready = poll(&want, 1, (int)(left * 1000) + 1);
        if (ready > 0)
            return (want.revents & POLLIN) != 0;
        if (ready < 0 && errno != EINTR)
            return false;
    }
}

/* ------------------------------------------------------------------------ */
/* Terminals and what was written to them.                                   */

struct bytes {
    char *data; /* NUL-terminated, owned */
    size_t len;
};

/* A pseudo-terminal `cols` columns wide, without output processing (no
 * "\n" turned into "\r\n"). */
static void open_terminal(int *master, int *slave, unsigned short cols)
{
    struct winsize size = {.ws_row = 24, .ws_col = cols};
    assert_int_equal(openpty(master, slave, NULL, NULL, &size), 0);
    struct termios mode;
    assert_int_equal(tcgetattr(*slave, &mode), 0);
    mode.c_oflag &= ~(tcflag_t)OPOST;
    assert_int_equal(tcsetattr(*slave, TCSANOW, &mode), 0);
}

/* Everything readable from `fd` until its writers are gone: end of file
 * for a pipe, EIO for a terminal's master once no slave is open (Linux
 * hands over what was written first).  Closes fd. */
static struct bytes read_until_closed(int fd)
{
    struct bytes b = {NULL, 0};
    size_t capacity = 0;
    for (;;) {
        if (b.len + 4096 + 1 > capacity) {
            capacity = 2 * capacity + 4096;
            b.data = realloc(b.data, capacity);
            assert_non_null(b.data);
        }
        ssize_t got = read(fd, b.data + b.len, 4096);
        if (got > 0)
            b.len += (size_t)got;
        else if (got < 0 && errno == EINTR)
            continue;
        else
            break;
    }
    b.data[b.len] = '\0';
    close(fd);
    return b;
}

/* stderr moved onto a terminal or a pipe, and the way back; TERM is set
 * for the move and put back as it was by stderr_restore. */
struct moved_stderr {
    int saved; /* the real stderr */
    int reader; /* the terminal's master, or the pipe's reading end */
    char *term; /* TERM before the move, or NULL when unset */
};

/* stderr onto `writer` (closed here: stderr is its only copy after), to
 * be read back from `reader`, with TERM=`term` (NULL: unset).  An
 * assertion here fails, if at all, before stderr has moved. */
static void stderr_move(struct moved_stderr *m, int reader, int writer,
                        const char *term)
{
    m->reader = reader;
    const char *saved_term = getenv("TERM");
    m->term = saved_term ? strdup(saved_term) : NULL;
    assert_true(!saved_term || m->term);
    if (term)
        assert_int_equal(setenv("TERM", term, 1), 0);
    else
        assert_int_equal(unsetenv("TERM"), 0);
    fflush(stderr);
    m->saved = dup(STDERR_FILENO);
    assert_true(m->saved >= 0);
    assert_int_equal(dup2(writer, STDERR_FILENO), STDERR_FILENO);
    close(writer);
}

/* stderr onto a new terminal `cols` columns wide, TERM=`term` (NULL:
 * unset). */
static void stderr_to_terminal(struct moved_stderr *m, unsigned short cols,
                               const char *term)
{
    int master, slave;
    open_terminal(&master, &slave, cols);
    stderr_move(m, master, slave, term);
}

/* stderr into a new pipe, TERM=`term` (NULL: unset). */
static void stderr_to_pipe(struct moved_stderr *m, const char *term)
{
    int ends[2];
    assert_int_equal(pipe(ends), 0);
    stderr_move(m, ends[0], ends[1], term);
}

/* stderr and TERM back as they were; what was written to stderr
 * meanwhile. */
static struct bytes stderr_restore(struct moved_stderr *m)
{
    fflush(stderr);
    dup2(m->saved, STDERR_FILENO);
    close(m->saved);
    if (m->term)
        setenv("TERM", m->term, 1);
    else
        unsetenv("TERM");
    free(m->term);
    m->term = NULL;
    return read_until_closed(m->reader);
}

/* The lines drawn, however many: a slow machine redraws more often. */
struct lines {
    size_t n;
    const char **text; /* each TEXT's start, in the bytes read; owned array */
    size_t *len;       /* each TEXT's length; owned */
};

/* `b` must be "\r" TEXT "\x1b[K" over and over (an erase is an empty
 * TEXT).  The lines point into b, which must outlive them. */
static struct lines drawn_lines(const struct bytes *b)
{
    static const char erase_rest[] = "\x1b[K";
    struct lines l = {0, NULL, NULL};
    size_t capacity = 0;
    const char *at = b->data, *end = b->data + b->len;
    while (at < end) {
        assert_int_equal(*at, '\r');
        const char *stop = strstr(at + 1, erase_rest);
        assert_non_null(stop);
        if (l.n == capacity) {
            capacity = 2 * capacity + 16;
            l.text = realloc(l.text, capacity * sizeof *l.text);
            l.len = realloc(l.len, capacity * sizeof *l.len);
            assert_non_null(l.text);
            assert_non_null(l.len);
        }
        l.text[l.n] = at + 1;
        l.len[l.n] = (size_t)(stop - (at + 1));
        /* The text itself is one line: no return, no newline, no escape. */
        for (const char *c = at + 1; c < stop; c++)
            assert_true(*c != '\r' && *c != '\n' && *c != '\x1b');
        l.n++;
        at = stop + strlen(erase_rest);
    }
    return l;
}

static void lines_release(struct lines *l)
{
    free(l->text);
    free(l->len);
}

/* At least one line, each starting with `prefix` and going on past it,
 * then the erase (an empty line): what a progress display that showed
 * leaves. */
static void assert_lines_then_erase(const struct lines *l, const char *prefix)
{
    assert_true(l->n >= 2);
    size_t prefix_len = strlen(prefix);
    for (size_t i = 0; i + 1 < l->n; i++) {
        assert_true(l->len[i] > prefix_len);
        assert_memory_equal(l->text[i], prefix, prefix_len);
    }
    assert_int_equal(l->len[l->n - 1], 0);
}

/* The seconds a line of `run` ends with: "...  (1.5 s)". */
static double seconds_of(const char *text, size_t len)
{
    char copy[256];
    assert_true(len < sizeof copy);
    memcpy(copy, text, len);
    copy[len] = '\0';
    const char *open = strrchr(copy, '(');
    assert_non_null(open);
    double seconds;
    char unit[4];
    assert_int_equal(sscanf(open, "(%lf %3[^)])", &seconds, unit), 2);
    assert_string_equal(unit, "s");
    return seconds;
}

/* ------------------------------------------------------------------------ */
/* progress.c in process.                                                    */

/* How the line of test_run_line_quiet_start's phase, "working", begins,
 * up to its seconds: "disco: working  (1.5 s)". */
static const char working_line_start[] = "disco: working  (";

/* auto draws on a terminal unless TERM is dumb (unset is not dumb), and
 * never into a pipe; on and off are what they say wherever stderr goes. */
static void test_auto_decides(void **unused)
{
    struct moved_stderr m;
    bool xterm, unset, dumb, pipe_xterm, on_pipe, off_terminal;
    bool wanted_auto_terminal, wanted_auto_pipe;

    stderr_to_terminal(&m, 80, "xterm");
    xterm = cli_progress_auto();
    wanted_auto_terminal = cli_progress_wanted(CLI_PROGRESS_AUTO);
    off_terminal = cli_progress_wanted(CLI_PROGRESS_OFF);
    struct bytes b1 = stderr_restore(&m);

    stderr_to_terminal(&m, 80, NULL);
    unset = cli_progress_auto();
    struct bytes b2 = stderr_restore(&m);

    stderr_to_terminal(&m, 80, "dumb");
    dumb = cli_progress_auto();
    struct bytes b3 = stderr_restore(&m);

    stderr_to_pipe(&m, "xterm");
    pipe_xterm = cli_progress_auto();
    wanted_auto_pipe = cli_progress_wanted(CLI_PROGRESS_AUTO);
    on_pipe = cli_progress_wanted(CLI_PROGRESS_ON);
    struct bytes b4 = stderr_restore(&m);

    assert_true(xterm);
    assert_true(unset);
    assert_false(dumb);
    assert_false(pipe_xterm);
    assert_true(wanted_auto_terminal);
    assert_false(wanted_auto_pipe);
    assert_true(on_pipe);
    assert_false(off_terminal);
    /* Deciding draws nothing. */
    assert_int_equal(b1.len + b2.len + b3.len + b4.len, 0);
    free(b1.data);
    free(b2.data);
    free(b3.data);
    free(b4.data);
}

/* A line is cut to one column short of the width, at a character's first
 * byte; a line that fits is drawn whole; erasing writes "\r\x1b[K" once. */
static void test_line_cut_to_width(void **unused)
{
    struct moved_stderr m;
    struct cli_progress_line line = {false};
    bool drawn_after_draw, drawn_after_erase, drawn_one_column;

    stderr_to_terminal(&m, 20, "xterm");
    cli_progress_line_draw(&line, "disco: preparing echo  (0.0 s)");
    cli_progress_line_draw(&line, "0123456789012345678");  /* 19: fits */
    cli_progress_line_draw(&line, "01234567890123456789"); /* 20: cut */
    /* "é" is two bytes, at 18 and 19: the cut at 19 would split it. */
    cli_progress_line_draw(&line, "012345678901234567\xc3\xa9 and more");
    /* "€" is three, at 17 to 19: cut before its first byte. */
    cli_progress_line_draw(&line, "01234567890123456\xe2\x82\xac and more");
    /* U+1F600 is four, at 16 to 19. */
    cli_progress_line_draw(&line,
                           "0123456789012345\xf0\x9f\x98\x80 and more");
    /* "€" at 16 to 18 ends before the cut: kept whole, 19 bytes. */
    cli_progress_line_draw(&line, "0123456789012345\xe2\x82\xac and more");
    /* Only continuation bytes: no character starts before the cut, so
     * nothing of them is drawn. */
    char continuing[31];
    memset(continuing, '\x80', 30);
    continuing[30] = '\0';
    cli_progress_line_draw(&line, continuing);
    drawn_after_draw = line.drawn;
    cli_progress_line_erase(&line);
    drawn_after_erase = line.drawn;
    cli_progress_line_erase(&line); /* nothing left to erase */
    struct bytes b = stderr_restore(&m);

    /* One column: no byte fits beside it, the line is drawn empty. */
    stderr_to_terminal(&m, 1, "xterm");
    cli_progress_line_draw(&line, "disco: working  (0.0 s)");
    drawn_one_column = line.drawn;
    struct bytes one = stderr_restore(&m);

    /* No terminal to ask: 80 columns, so 79 bytes. */
    char long_text[101];
    memset(long_text, 'x', 100);
    long_text[100] = '\0';
    stderr_to_pipe(&m, "xterm");
    cli_progress_line_draw(&line, long_text);
    struct bytes p = stderr_restore(&m);

    assert_true(drawn_after_draw);
    assert_false(drawn_after_erase);
    const char expected[] = "\rdisco: preparing ec\x1b[K"
                            "\r0123456789012345678\x1b[K"
                            "\r0123456789012345678\x1b[K"
                            "\r012345678901234567\x1b[K"
                            "\r01234567890123456\x1b[K"
                            "\r0123456789012345\x1b[K"
                            "\r0123456789012345\xe2\x82\xac\x1b[K"
                            "\r\x1b[K"  /* the continuation bytes */
                            "\r\x1b[K"; /* the erase */
    assert_int_equal(b.len, sizeof expected - 1);
    assert_memory_equal(b.data, expected, b.len);
    free(b.data);

    assert_true(drawn_one_column);
    assert_int_equal(one.len, strlen("\r\x1b[K"));
    assert_memory_equal(one.data, "\r\x1b[K", one.len);
    free(one.data);

    struct lines l = drawn_lines(&p);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.len[0], 79);
    lines_release(&l);
    free(p.data);
}

/* `run`'s line with auto: nothing before half a second, however long the
 * phase; a phase that ends sooner leaves no trace. */
static void test_run_line_quiet_start(void **unused)
{
    struct moved_stderr m;

    /* Quicker than the quiet start: no line, no erase. */
    bool quick = false;
    struct bytes q = {NULL, 0};
    for (int i = 0; i < QUICK_TRIES && !quick; i++) {
        free(q.data);
        stderr_to_terminal(&m, 80, "xterm");
        double start = now_s();
        struct cli_progress *p = cli_progress_start(CLI_PROGRESS_AUTO);
        cli_progress_phase(p, "working", NULL);
        cli_progress_stop(p);
        quick = now_s() - start < RUN_QUIET_S;
        q = stderr_restore(&m);
    }

    /* Longer: the line shows, first at half a second or later, and every
     * tick after; erased at the stop.  Stopped once its first byte can be
     * read, rather than after a fixed sleep that a loaded machine could
     * outlast without a draw; 10 s is far past the quiet start. */
    stderr_to_terminal(&m, 80, "xterm");
    struct cli_progress *p = cli_progress_start(CLI_PROGRESS_AUTO);
    cli_progress_phase(p, "working", NULL);
    bool started = p != NULL;
    bool shown = readable_within(m.reader, 10);
    cli_progress_stop(p);
    struct bytes slow = stderr_restore(&m);

    /* With on: drawn as the phase starts. */
    stderr_to_terminal(&m, 80, "xterm");
    p = cli_progress_start(CLI_PROGRESS_ON);
    cli_progress_phase(p, "working", NULL);
    cli_progress_stop(p);
    struct bytes at_once = stderr_restore(&m);

    assert_true(started);
    assert_true(shown);
    struct lines l = drawn_lines(&slow);
    assert_lines_then_erase(&l, working_line_start);
    for (size_t i = 0; i + 1 < l.n; i++)
        assert_true(seconds_of(l.text[i], l.len[i]) >= RUN_QUIET_S);
    lines_release(&l);
    free(slow.data);

    /* The phase's own line, then the erase; between them the thread may
     * have redrawn it (a loaded machine can take a tick between the phase
     * and the stop), and those lines say the same. */
    l = drawn_lines(&at_once);
    assert_lines_then_erase(&l, working_line_start);
    assert_true(seconds_of(l.text[0], l.len[0]) < RUN_QUIET_S);
    lines_release(&l);
    free(at_once.data);

    /* Last, so that it hides no other check.  cmocka's skip still exits
     * 0 (meson says OK), hence the message in the log. */
    if (!quick) {
        free(q.data);
        print_message("test_run_line_quiet_start: a phase never took less "
                      "than the %.2f s quiet start in %d tries; whether a "
                      "quick one leaves no trace is not checked\n",
                      RUN_QUIET_S, QUICK_TRIES);
        skip();
    }
    assert_int_equal(q.len, 0);
    free(q.data);
}

/* A phase longer than the copy progress.c keeps (159 bytes) is cut at a
 * character's first byte too, not only at the terminal's width: "é" at
 * bytes 158 and 159 is dropped whole. */
static void test_long_phase_cut(void **unused)
{
    char phase[200];
    memset(phase, 'x', 158);
    strcpy(phase + 158, "\xc3\xa9 and more");
    struct moved_stderr m;
    stderr_to_terminal(&m, 400, "xterm");
    struct cli_progress *p = cli_progress_start(CLI_PROGRESS_ON);
    cli_progress_phase(p, phase, NULL);
    bool started = p != NULL;
    cli_progress_stop(p);
    struct bytes b = stderr_restore(&m);

    assert_true(started);
    struct lines l = drawn_lines(&b);
    /* "disco: ", the 158 x's, then at once the seconds, in the phase's
     * line and in any redraw of it before the stop erased it. */
    char expected[200] = "disco: ";
    memset(expected + 7, 'x', 158);
    strcpy(expected + 7 + 158, "  (");
    assert_lines_then_erase(&l, expected);
    lines_release(&l);
    free(b.data);
}

/* ------------------------------------------------------------------------ */
/* The disco binary on a terminal.                                           */

/* Run $DISCO_BIN with argv (argv[0] ignored; NULL-terminated), stderr on a
 * new terminal `cols` columns wide and TERM=`term`, stdin and stdout
 * /dev/null.  Returns its exit status, with stderr's bytes in *err and
 * the wall time, start to exit, in *seconds. */
static int disco_on_terminal(const char *const argv[], const char *term,
                             unsigned short cols, struct bytes *err,
                             double *seconds)
{
    const char *bin = getenv("DISCO_BIN");
    assert_non_null(bin);
    int master, slave;
    open_terminal(&master, &slave, cols);
    double start = now_s();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
            dup2(null, STDOUT_FILENO) < 0 || dup2(slave, STDERR_FILENO) < 0 ||
            setenv("TERM", term, 1) != 0)
            _exit(127);
        close(null);
        close(slave);
        close(master);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(slave);
    *err = read_until_closed(master);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    *seconds = now_s() - start;
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* `run --progress on` on 20 columns: each phase drawn cut to 19 bytes (a
 * redraw of a phase repeats its line, cut alike), then erased. */
static void test_run_cut_on_terminal(void **unused)
{
    const char *const argv[] = {"disco", "run", "echo", "--progress", "on",
                                NULL};
    struct bytes err;
    double seconds;
    assert_int_equal(disco_on_terminal(argv, "xterm", 20, &err, &seconds), 0);
    struct lines l = drawn_lines(&err);
    /* The distinct lines in order, each redraw folded into the first. */
    char seen[512] = "";
    for (size_t i = 0; i < l.n; i++) {
        if (i > 0 && l.len[i] == l.len[i - 1] &&
            !memcmp(l.text[i], l.text[i - 1], l.len[i]))
            continue;
        size_t at = strlen(seen);
        assert_true(at + l.len[i] + 2 < sizeof seen);
        memcpy(seen + at, l.text[i], l.len[i]);
        strcpy(seen + at + l.len[i], "|");
    }
    assert_string_equal(seen, "disco: preparing ec|disco: running echo|"
                              "disco: checking the|disco: writing the |"
                              "|");
    lines_release(&l);
    free(err.data);
}

/* `run` names what it prepares: a name that takes the phase past the
 * 159 bytes kept is cut at a character's first byte as well (the phase
 * was once cut by its caller first, mid-character, at 159 bytes, on a
 * terminal wide enough to show it).  "preparing " and 148 x's are 158
 * bytes, and "é" would be bytes 158 and 159.  The file need not exist:
 * the phase is drawn before it is read. */
static void test_run_long_name_cut(void **unused)
{
    char name[200];
    memset(name, 'x', 148);
    strcpy(name + 148, "\xc3\xa9.dot");
    const char *const argv[] = {"disco", "run", name, "--progress", "on",
                                NULL};
    struct bytes err;
    double seconds;
    assert_int_equal(disco_on_terminal(argv, "xterm", 300, &err, &seconds),
                     2);
    /* The first line drawn (the error that follows is no line). */
    char expected[200] = "\rdisco: preparing ";
    memset(expected + 18, 'x', 148);
    strcpy(expected + 18 + 148, "  (");
    assert_true(err.len > strlen(expected));
    assert_memory_equal(err.data, expected, strlen(expected));
    free(err.data);
}

/* `check` with auto on a terminal 30 columns wide: its line shows, cut to
 * 29 bytes (uncut it is never shorter than "0/N runs  0 runs/s  ETA ?  0
 * violations", 42 and more), and is erased; with TERM=dumb there is none.
 * The batch must outlast the quarter-second quiet start for a line to
 * show: one that took under LONG_ENOUGH_S is rerun with four times the
 * seeds, up to CHECK_SEEDS_CAP, since a faster machine runs 1500 in less. */
#define LONG_ENOUGH_S (2 * CHECK_QUIET_S)
#define CHECK_SEEDS_FIRST 1500ul
#define CHECK_SEEDS_CAP 96000ul
static void test_check_cut_and_auto(void **unused)
{
    char seeds[24];
    const char *const argv[] = {"disco", "check", "echo", "--topology",
                                "gnp:200:0.05", "--seeds", seeds, "--jobs",
                                "1", NULL};
    unsigned long n = CHECK_SEEDS_FIRST;
    struct bytes err;
    double seconds;
    for (;;) {
        snprintf(seeds, sizeof seeds, "%lu", n);
        assert_int_equal(
            disco_on_terminal(argv, "xterm", 30, &err, &seconds), 0);
        if (seconds >= LONG_ENOUGH_S || 4 * n > CHECK_SEEDS_CAP)
            break;
        free(err.data);
        n *= 4;
    }
    if (seconds < LONG_ENOUGH_S) {
        free(err.data);
        print_message("test_check_cut_and_auto: %lu seeds took only %.2f s, "
                      "under the %.2f s (twice check's quiet start) asked "
                      "for a line to show surely: not checked\n",
                      n, seconds, LONG_ENOUGH_S);
        skip();
    }

    char prefix[32]; /* what follows the runs done: "/N runs  " */
    snprintf(prefix, sizeof prefix, "/%lu runs  ", n);
    struct lines l = drawn_lines(&err);
    /* No fixed prefix: the lines start with the runs done. */
    assert_lines_then_erase(&l, "");
    for (size_t i = 0; i + 1 < l.n; i++) {
        assert_int_equal(l.len[i], 29);
        /* The runs done (at most N, as many digits at most), then the
         * rest as check words it. */
        size_t digits = strspn(l.text[i], "0123456789");
        assert_true(digits >= 1 && digits <= strlen(seeds));
        assert_true(strtoul(l.text[i], NULL, 10) <= n);
        assert_memory_equal(l.text[i] + digits, prefix, strlen(prefix));
    }
    lines_release(&l);
    free(err.data);

    /* The same batch under TERM=dumb draws nothing.  (Only a batch that
     * outlasts the quiet start shows that auto held back; a quicker one is
     * silent either way, which is still right.) */
    assert_int_equal(disco_on_terminal(argv, "dumb", 30, &err, &seconds), 0);
    assert_int_equal(err.len, 0);
    if (seconds < LONG_ENOUGH_S)
        print_message("test_check_cut_and_auto: TERM=dumb took only %.2f s: "
                      "its silence proves little\n",
                      seconds);
    free(err.data);
}

/* Quicker than their quiet starts, `run` (auto) and `check --progress on`
 * draw nothing on a terminal: not even an erase. */
static void test_quick_commands_draw_nothing(void **unused)
{
    const char *const run[] = {"disco", "run", "echo", NULL};
    const char *const check[] = {"disco", "check", "echo", "--seeds", "2",
                                 "--progress", "on", NULL};
    struct {
        const char *name;
        const char *const *argv;
        double quiet_s;
    } commands[] = {{"run", run, RUN_QUIET_S},
                    {"check --progress on", check, CHECK_QUIET_S}};
    enum { COMMAND_COUNT = sizeof commands / sizeof commands[0] };
    /* Every command is tried, whatever the ones before gave: a machine too
     * loaded for one may still decide another. */
    bool decided[COMMAND_COUNT] = {false};
    for (size_t c = 0; c < COMMAND_COUNT; c++) {
        for (int i = 0; i < QUICK_TRIES && !decided[c]; i++) {
            struct bytes err;
            double seconds;
            assert_int_equal(disco_on_terminal(commands[c].argv, "xterm", 80,
                                               &err, &seconds),
                             0);
            size_t drawn = err.len;
            free(err.data);
            decided[c] = seconds < commands[c].quiet_s;
            if (decided[c])
                assert_int_equal(drawn, 0);
        }
    }
    /* A command never quicker than its quiet start cannot tell; cmocka's
     * skip exits 0 (meson says OK), hence the messages in the log. */
    bool any_decided = false;
    for (size_t c = 0; c < COMMAND_COUNT; c++) {
        any_decided |= decided[c];
        if (!decided[c])
            print_message("test_quick_commands_draw_nothing: `disco %s` "
                          "never took less than its %.2f s quiet start in "
                          "%d tries: not checked\n",
                          commands[c].name, commands[c].quiet_s, QUICK_TRIES);
    }
    if (!any_decided)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_decides),
        cmocka_unit_test(test_line_cut_to_width),
        cmocka_unit_test(test_run_line_quiet_start),
        cmocka_unit_test(test_long_phase_cut),
        cmocka_unit_test(test_run_cut_on_terminal),
        cmocka_unit_test(test_run_long_name_cut),
        cmocka_unit_test(test_check_cut_and_auto),
        cmocka_unit_test(test_quick_commands_draw_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
