/*
 * progress.c - the progress lines of `disco run` and `disco check` on
 * stderr: one drawing of a line in place for both (cut to the terminal's
 * width), and `run`'s line itself.
 *
 * A run on millions of nodes takes seconds in silence.  With --progress
 * (by default when stderr is a terminal) a thread of its own redraws one
 * line, "\r" and then the text, with what the command is doing and, while
 * the simulation runs, its events and time (disco_sim_progress, the one
 * call the kernel allows from another thread).  The line is redrawn four
 * times a second, cut to the terminal's width (a wrapped line could not be
 * redrawn or erased in place); the command erases it before its summary,
 * so stdout and the rest of stderr are those of a run without it.
 *
 * --progress on draws each phase as it starts, however short, so that a
 * script sees them all; the default (auto, on a terminal) waits half a
 * second first, so that a quick run or a refused one shows no line.
 *
 * `disco check` words its own line (runs done, rate, time left) and draws
 * it from its event loop's timer, through the same cli_progress_line: the
 * two commands cut and erase their lines alike.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <uv.h>

struct cli_progress {
    uv_thread_t thread;
    uv_mutex_t lock;
    uv_cond_t wake;
    uint64_t started_ns, quiet_ns; /* nothing shows before quiet_ns */
    /* Under lock: what the line says, and whether it shows. */
    char phase[CLI_PROGRESS_PHASE];
    const struct disco_sim *sim; /* read while set; NULL after the run */
    bool stop;
    struct cli_progress_line line;
};

#define REDRAW_NS 250000000u /* four times a second */
#define AUTO_QUIET_NS 500000000u

int cli_parse_progress(const char *text, enum cli_progress_mode *mode,
                       struct disco_error *err)
{
    if (!strcmp(text, "auto"))
        *mode = CLI_PROGRESS_AUTO;
    else if (!strcmp(text, "on"))
        *mode = CLI_PROGRESS_ON;
    else if (!strcmp(text, "off"))
        *mode = CLI_PROGRESS_OFF;
    else
        return disco_fail(err, DISCO_EINVAL,
                          "bad --progress '%s': expected auto, on or off",
                          text);
    return 0;
}

bool cli_progress_auto(void)
{
    const char *term = getenv("TERM");
    return isatty(STDERR_FILENO) && !(term && !strcmp(term, "dumb"));
}

bool cli_progress_wanted(enum cli_progress_mode mode)
{
    return mode == CLI_PROGRESS_ON ||
           (mode == CLI_PROGRESS_AUTO && cli_progress_auto());
}

/* Columns of the terminal on stderr, or 80 when it says nothing. */
static size_t terminal_width(void)
{
    struct winsize size;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}

/* Where to cut `text` to at most `len` bytes without leaving part of a
 * UTF-8 character: `len` backed off to a character's first byte (the byte
 * after the kept ones is not a continuation byte).  text[len] must be
 * readable, so len is at most strlen(text).  Bytes that only continue,
 * with no first byte before them, are all dropped: a cut in them could
 * not be told from a split character. */
static size_t utf8_floor(const char *text, size_t len)
{
    while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
        len--;
    return len;
}

void cli_progress_line_draw(struct cli_progress_line *line, const char *text)
{
    /* One column short of the width: a line that fills the last column
     * wraps on some terminals.  Bytes are counted as columns, which UTF-8
     * never exceeds; the cut backs off to a character's first byte rather
     * than leave half of one. */
    size_t width = terminal_width(), len = strlen(text);
    if (len >= width)
        len = utf8_floor(text, width - 1);
    fprintf(stderr, "\r%.*s\x1b[K", (int)len, text);
    fflush(stderr);
    line->drawn = true;
}

void cli_progress_line_erase(struct cli_progress_line *line)
{
    if (line->drawn) {
        fputs("\r\x1b[K", stderr);
        fflush(stderr);
        line->drawn = false;
    }
}

/* "12,345,678": counts of millions are read at a glance. */
void cli_with_commas(char *buf, size_t len, uint64_t n)
{
    char digits[32];
    int count = snprintf(digits, sizeof digits, "%llu", (unsigned long long)n);
    size_t at = 0;
    for (int i = 0; i < count && at + 2 < len; i++) {
        if (i > 0 && (count - i) % 3 == 0)
            buf[at++] = ',';
        buf[at++] = digits[i];
    }
    buf[at] = '\0';
}

/* Draw the line, unless still quiet; the lock is held. */
static void draw(struct cli_progress *p)
{
    uint64_t now = uv_hrtime();
    if (now < p->quiet_ns)
        return;
    double elapsed = (double)(now - p->started_ns) / 1e9;
    char tail[128]; /* what follows the phase */
    if (p->sim) {
        uint64_t events;
        disco_time_t time;
        disco_sim_progress(p->sim, &events, &time);
        char e[32], t[32];
        cli_with_commas(e, sizeof e, events);
        cli_with_commas(t, sizeof t, time);
        snprintf(tail, sizeof tail, ": %s events, time %s  (%.1f s)", e, t,
                 elapsed);
    } else {
        snprintf(tail, sizeof tail, "  (%.1f s)", elapsed);
    }
    /* Room for all of it: the terminal's width cuts the line, in
     * cli_progress_line_draw. */
    char text[sizeof "disco: " + sizeof p->phase + sizeof tail];
    snprintf(text, sizeof text, "disco: %s%s", p->phase, tail);
    cli_progress_line_draw(&p->line, text);
}

static void redraw_until_stopped(void *arg)
{
    cli_signals_to_main_thread();
    struct cli_progress *p = arg;
    uv_mutex_lock(&p->lock);
    while (!p->stop) {
        /* Woken early only by stop: a new phase draws itself. */
        (void)uv_cond_timedwait(&p->wake, &p->lock, REDRAW_NS);
        if (!p->stop && p->phase[0])
            draw(p);
    }
    uv_mutex_unlock(&p->lock);
}

struct cli_progress *cli_progress_start(enum cli_progress_mode mode)
{
    if (!cli_progress_wanted(mode))
        return NULL;
    struct cli_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL; /* a run without its progress line, not a failure */
    p->started_ns = uv_hrtime();
    p->quiet_ns =
        mode == CLI_PROGRESS_ON ? 0 : p->started_ns + AUTO_QUIET_NS;
    if (uv_mutex_init(&p->lock) != 0) {
        free(p);
        return NULL;
    }
    if (uv_cond_init(&p->wake) != 0) {
        uv_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    if (uv_thread_create(&p->thread, redraw_until_stopped, p) != 0) {
        uv_cond_destroy(&p->wake);
        uv_mutex_destroy(&p->lock);
        free(p);
        return NULL;
    }
    return p;
}

void cli_progress_phase(struct cli_progress *p, const char *phase,
                        const struct disco_sim *sim)
{
    if (!p)
        return;
    /* A phase longer than its copy (a long file name) is cut at a
     * character's first byte, as the line is at the terminal's width. */
    size_t len = strlen(phase);
    if (len >= sizeof p->phase)
        len = utf8_floor(phase, sizeof p->phase - 1);
    uv_mutex_lock(&p->lock);
    memcpy(p->phase, phase, len);
    p->phase[len] = '\0';
    p->sim = sim;
    /* Drawn at once (past the quiet start): every phase shows, however
     * short, in order. */
    draw(p);
    uv_mutex_unlock(&p->lock);
}

void cli_progress_say(struct cli_progress *p, const char *line)
{
    if (!p) {
        fputs(line, stderr);
        return;
    }
    uv_mutex_lock(&p->lock);
    cli_progress_line_erase(&p->line);
    fputs(line, stderr);
    fflush(stderr);
    uv_mutex_unlock(&p->lock);
}

void cli_progress_stop(struct cli_progress *p)
{
    if (!p)
        return;
    uv_mutex_lock(&p->lock);
    p->stop = true;
    uv_cond_signal(&p->wake);
    uv_mutex_unlock(&p->lock);
    uv_thread_join(&p->thread);
    cli_progress_line_erase(&p->line);
    uv_cond_destroy(&p->wake);
    uv_mutex_destroy(&p->lock);
    free(p);
}
