/*
 * output.c - output files that appear whole or not at all.
 *
 * Each file is written under a temporary name in its own directory (so the
 * final rename stays within one file system and is atomic) and renamed at
 * the end of a successful run.  A run that fails, or is refused, leaves no
 * file behind: what a script finds is always complete.  The exception is
 * an output that is no plain file of its own (a FIFO, a device, a pipe,
 * the terminal or file behind the process's stdout): that one is written
 * straight through, as a shell redirection would (open_through).
 */
#define _DEFAULT_SOURCE /* realpath */
#include "cli.h"

#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Temporary files still open, so that Ctrl-C (or a kill) leaves nothing
 * behind either.  The handler may only call async-signal-safe functions:
 * unlink on paths that stay allocated while registered, then die by the
 * same signal. */
#define MAX_PENDING 16 /* a run opens 8 files at most: room to spare */
static char *volatile pending[MAX_PENDING];
/* And the directories cli_mkdirs made (--out DIR and its parents), which
 * the handler removes after the files, deepest first, while empty. */
#define MAX_PENDING_DIRS 4
static struct cli_made_dirs *volatile pending_dirs[MAX_PENDING_DIRS];

/* And the directory --frames fills during the run, with how many frames
 * it holds: frame-000001.svg on (viz/topology.c's names). */
static const char *volatile frames_dir;
static const uint64_t *volatile frames_count;

/* Unlink DIR/frame-NNNNNN.svg for 1..count, then DIR: with nothing but
 * what a handler may call (no printf, no malloc). */
static void remove_frames_dir(const char *dir, uint64_t count)
{
    static char path[4200];
    size_t d = strlen(dir);
    if (d > sizeof path - 40)
        return;
    const size_t prefix = sizeof "/" VIZ_FRAME_PREFIX - 1;
    memcpy(path, dir, d);
    memcpy(path + d, "/" VIZ_FRAME_PREFIX, prefix);
    for (uint64_t i = 1; i <= count; i++) {
        char digits[24];
        int n = 0;
        for (uint64_t x = i; x || n < 6; x /= 10)
            digits[n++] = (char)('0' + x % 10);
        size_t at = d + prefix;
        while (n > 0)
            path[at++] = digits[--n];
        memcpy(path + at, VIZ_FRAME_SUFFIX, sizeof VIZ_FRAME_SUFFIX);
        unlink(path);
    }
    rmdir(dir);
}

static void remove_pending_and_die(int sig)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i])
            unlink(pending[i]);
    /* The frame being written may not be counted yet: one more. */
    if (frames_dir)
        remove_frames_dir(frames_dir, (frames_count ? *frames_count : 0) + 1);
    /* Newest first: a demo's step folder before the demo's DIR. */
    for (int i = MAX_PENDING_DIRS; i-- > 0;) {
        struct cli_made_dirs *made = pending_dirs[i];
        for (size_t k = made ? made->count : 0; k-- > 0;) {
            made->path[made->ends[k]] = '\0';
            if (rmdir(made->path) != 0)
                break;
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

/* SIGINT, SIGTERM and SIGHUP are held off (cli_hold_kill_signals, until
 * release_signals) around each step that makes a file or directory and
 * then registers it: a kill between the two would find it unregistered
 * and leave it behind. */
static void release_signals(const sigset_t *saved)
{
    pthread_sigmask(SIG_SETMASK, saved, NULL);
}


static void install_handler(void)
{
    static bool installed;
    if (!installed) {
        installed = true;
        signal(SIGINT, remove_pending_and_die);
        signal(SIGTERM, remove_pending_and_die);
        signal(SIGHUP, remove_pending_and_die);
    }
}

void cli_track_frames(const char *dir, const uint64_t *count)
{
    install_handler();
    frames_count = count;
    frames_dir = dir;
}

int cli_make_frames_dir(char *template, const uint64_t *count)
{
    sigset_t saved;
    cli_hold_kill_signals(&saved);
    int rc = 0;
    if (mkdtemp(template))
        cli_track_frames(template, count);
    else
        rc = errno;
    release_signals(&saved);
    return rc;
}

void cli_untrack_frames(void)
{
    frames_dir = NULL;
    frames_count = NULL;
}

static void track(char *temp)
{
    install_handler();
    for (int i = 0; i < MAX_PENDING; i++) {
        if (!pending[i]) {
            pending[i] = temp;
            return;
        }
    }
}

static void untrack(const char *temp)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i] == temp)
            pending[i] = NULL;
}

char *cli_join(const char *dir, const char *name)
{
    if (!dir || name[0] == '/')
        return strdup(name);
    size_t a = strlen(dir), b = strlen(name);
    char *path = malloc(a + b + 2);
    if (!path)
        return NULL;
    memcpy(path, dir, a);
    size_t n = a;
    if (n == 0 || path[n - 1] != '/')
        path[n++] = '/';
    memcpy(path + n, name, b + 1);
    return path;
}

char *cli_temp_beside(const char *path, const char *tag)
{
    size_t len = strlen(path), tag_len = strlen(tag);
    char *temp = malloc(len + tag_len + sizeof "-XXXXXX");
    if (!temp)
        return NULL;
    memcpy(temp, path, len);
    memcpy(temp + len, tag, tag_len);
    memcpy(temp + len + tag_len, "-XXXXXX", sizeof "-XXXXXX");
    return temp;
}

/* The error of a file whose final name cannot be given to it: an
 * existing directory there, which rename would refuse at the end. */
static int check_target(const char *path, struct disco_error *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return disco_fail(err, DISCO_EIO, "cannot write '%s': %s", path,
                          strerror(EISDIR));
    return 0;
}

/* A FIFO, a device or a pipe (`--trace >(gzip)` names /dev/fd/N): written
 * straight through, as a shell's redirection would.  Renaming a temporary
 * file over it would put a plain file in its place (as root, over
 * /dev/null) and leave a reader with nothing; what a failed run wrote to
 * it cannot be taken back, and a write that fails (/dev/full) still fails
 * the run. */
static int open_through(struct cli_outfile *file, const char *path,
                        int standard_fd, struct disco_error *err)
{
    file->path = strdup(path);
    if (!file->path)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    /* The file behind stdout (--trace /dev/stdout > log): through the
     * same open file, at its offset, where a second open would start at 0
     * and truncate what the run prints there. */
    if (standard_fd >= 0) {
        int fd = dup(standard_fd);
        file->stream = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && !file->stream)
            close(fd);
    } else {
        file->stream = fopen(path, "w");
    }
    if (!file->stream) {
        int saved = errno;
        cli_outfile_abort(file);
        return disco_fail(err, DISCO_EIO, "cannot write '%s': %s", path,
                          strerror(saved));
    }
    return 0;
}

/* The file a symbolic link names: its real path, or, while that file does
 * not exist yet, the link's own text (beside the link when relative). */
static char *link_target(const char *link)
{
    char *real = realpath(link, NULL);
    if (real)
        return real;
    char text[PATH_MAX];
    ssize_t n = readlink(link, text, sizeof text - 1);
    if (n <= 0)
        return NULL;
    text[n] = '\0';
    const char *slash = strrchr(link, '/');
    size_t dir = text[0] == '/' || !slash ? 0 : (size_t)(slash - link) + 1;
    char *target = malloc(dir + (size_t)n + 1);
    if (target) {
        memcpy(target, link, dir);
        memcpy(target + dir, text, (size_t)n + 1);
    }
    return target;
}

/* Which of stdout and stderr is the file `st` (`--trace /dev/stdout >
 * log`), or -1: replacing it would take the redirection's file away from
 * the shell, and what the run prints with it.  Not stdin: it is open for
 * reading, and `< /dev/null` (cron, nohup) must leave --trace /dev/null
 * a device like any other. */
static int standard_stream(const struct stat *st)
{
    static const int fds[] = {1, 2};
    for (int i = 0; i < 2; i++) {
        struct stat open;
        if (fstat(fds[i], &open) == 0 && open.st_dev == st->st_dev &&
            open.st_ino == st->st_ino)
            return fds[i];
    }
    return -1;
}

/* Whether `path` is written straight through rather than replaced, and
 * in *standard_fd the standard stream it is, or -1. */
static bool written_through(const char *path, int *standard_fd)
{
    struct stat st;
    *standard_fd = -1;
    if (stat(path, &st) != 0)
        return false;
    *standard_fd = standard_stream(&st);
    return !S_ISREG(st.st_mode) || *standard_fd >= 0;
}

int cli_outfile_open(struct cli_outfile *file, const char *path,
                     struct disco_error *err)
{
    memset(file, 0, sizeof *file);
    int rc = check_target(path, err);
    if (rc)
        return rc;
    struct stat st;
    int standard_fd;
    if (written_through(path, &standard_fd))
        return open_through(file, path, standard_fd, err);
    /* A symbolic link to a file: the file is replaced, the link kept (a
     * rename over the link would put the output in its place). */
    char *real = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        real = link_target(path);
    file->path = real ? real : strdup(path);
    file->temp = cli_temp_beside(file->path ? file->path : path, ".tmp");
    if (!file->path || !file->temp) {
        cli_outfile_abort(file);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    sigset_t held;
    cli_hold_kill_signals(&held);
    int fd = mkstemp(file->temp);
    if (fd >= 0)
        track(file->temp);
    release_signals(&held);
    if (fd < 0) {
        int saved = errno;
        free(file->temp);
        file->temp = NULL;
        cli_outfile_abort(file);
        return disco_fail(err, DISCO_EIO, "cannot write '%s': %s", path,
                          strerror(saved));
    }
    /* mkstemp makes the file private (0600); outputs are ordinary files
     * readable as the umask allows. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    file->stream = fdopen(fd, "w");
    if (!file->stream) {
        int saved = errno;
        close(fd);
        cli_outfile_abort(file);
        return disco_fail(err, DISCO_EIO, "cannot write '%s': %s", path,
                          strerror(saved));
    }
    return 0;
}

int cli_check_named_target(const char *path, struct disco_error *err)
{
    int rc = check_target(path, err); /* a directory: "Is a directory" */
    if (rc)
        return rc;
    int standard_fd;
    if (written_through(path, &standard_fd))
        return disco_fail(err, DISCO_EINVAL,
                          "cannot write '%s': not a plain file (sweep's "
                          "plot goes to a file, its script FILE.gp beside "
                          "it)",
                          path);
    return 0;
}

int cli_check_writable(const char *path, struct disco_error *err)
{
    /* A directory, which written_through counts as no plain file. */
    int rc = check_target(path, err);
    if (rc)
        return rc;
    /* Written through (a FIFO, stdout): nothing to probe, and opening a
     * FIFO without a reader would wait for one. */
    int standard_fd;
    if (written_through(path, &standard_fd))
        return 0;
    struct cli_outfile probe;
    rc = cli_outfile_open(&probe, path, err);
    cli_outfile_abort(&probe);
    return rc;
}

int cli_outfile_open_named(struct cli_outfile *file, const char *path,
                           struct disco_error *err)
{
    memset(file, 0, sizeof *file);
    int rc = cli_check_named_target(path, err);
    return rc ? rc : cli_outfile_open(file, path, err);
}

FILE *cli_outfile_take(struct cli_outfile *file)
{
    FILE *stream = file->stream;
    file->stream = NULL;
    return stream;
}

int cli_outfile_check(const struct cli_outfile *file, struct disco_error *err)
{
    return file->path ? check_target(file->path, err) : 0;
}

int cli_outfile_close(struct cli_outfile *file, struct disco_error *err)
{
    if (file->stream) {
        bool bad = fflush(file->stream) != 0 || ferror(file->stream);
        int saved = errno;
        if (fclose(file->stream) != 0 && !bad) {
            bad = true;
            saved = errno;
        }
        file->stream = NULL;
        if (bad) {
            int rc = disco_fail(err, DISCO_EIO, "cannot write '%s': %s",
                                file->path, strerror(saved));
            cli_outfile_abort(file); /* frees the path just quoted */
            return rc;
        }
    }
    return 0;
}

int cli_outfile_commit(struct cli_outfile *file, struct disco_error *err)
{
    int rc = cli_outfile_close(file, err);
    if (rc)
        return rc;
    /* Renamed, then forgotten by the signal handler: a signal between the
     * two unlinks a name no longer there, where the other order could
     * leave the temporary file behind. */
    if (file->temp && rename(file->temp, file->path) != 0) {
        int saved = errno;
        char *path = file->path;
        file->path = NULL;
        cli_outfile_abort(file);
        rc = disco_fail(err, DISCO_EIO, "cannot write '%s': %s", path,
                        strerror(saved));
        free(path);
        return rc;
    }
    untrack(file->temp);
    free(file->temp);
    free(file->path);
    memset(file, 0, sizeof *file);
    return 0;
}

void cli_outfile_abort(struct cli_outfile *file)
{
    if (file->stream)
        fclose(file->stream);
    if (file->temp) {
        untrack(file->temp);
        unlink(file->temp);
    }
    free(file->temp);
    free(file->path);
    memset(file, 0, sizeof *file);
}

/* Remove the directories `made` lists, deepest first, while they are
 * empty; forget them either way. */
void cli_made_dirs_remove(struct cli_made_dirs *made)
{
    for (int i = 0; i < MAX_PENDING_DIRS; i++)
        if (pending_dirs[i] == made)
            pending_dirs[i] = NULL;
    if (made->path) {
        for (size_t i = made->count; i-- > 0;) {
            made->path[made->ends[i]] = '\0';
            if (rmdir(made->path) != 0)
                break;
        }
    }
    free(made->path);
    free(made->ends);
    memset(made, 0, sizeof *made);
}

/* Remember that the prefix of made->path ending at `end` was created. */
static bool made_add(struct cli_made_dirs *made, size_t end)
{
    size_t *ends = realloc(made->ends, (made->count + 1) * sizeof *ends);
    if (!ends)
        return false;
    made->ends = ends;
    made->ends[made->count++] = end;
    return true;
}

/* cli_mkdirs' work, with the signals blocked by its caller. */
static int make_dirs(const char *dir, struct cli_made_dirs *made,
                     struct disco_error *err)
{
    memset(made, 0, sizeof *made);
    char *path = strdup(dir);
    if (!path)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    made->path = path;
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        path[--len] = '\0';
    /* Create each missing parent in turn, then the directory itself,
     * noting each one made, so that a failure here or a refused run later
     * removes them again (and never a directory that was there). */
    int rc = 0;
    for (char *p = path + 1;; p++) {
        bool last = *p == '\0';
        if (*p != '/' && !last)
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0777) == 0) {
            if (!made_add(made, (size_t)(p - path))) {
                rmdir(path);
                rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
            }
        } else if (errno != EEXIST) {
            rc = disco_fail(err, DISCO_EIO,
                            "cannot create directory '%s': %s", dir,
                            strerror(errno));
        }
        *p = saved;
        if (rc || last)
            break;
    }
    struct stat st;
    if (!rc && (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
        rc = disco_fail(err, DISCO_EIO,
                        "cannot use '%s' as --out: not a directory", dir);
    if (rc) {
        cli_made_dirs_remove(made);
        return rc;
    }
    /* Until cli_made_dirs_remove, a kill removes them too (when empty):
     * `made` must stay where it is meanwhile. */
    install_handler();
    for (int i = 0; made->count && i < MAX_PENDING_DIRS; i++) {
        if (!pending_dirs[i]) {
            pending_dirs[i] = made;
            break;
        }
    }
    return 0;
}

int cli_mkdirs(const char *dir, struct cli_made_dirs *made,
               struct disco_error *err)
{
    /* A kill between a mkdir and make_dirs' registration would leave the
     * directory, and one during made_add's realloc would hand the handler
     * a list being moved: the signals wait until both are done. */
    sigset_t saved;
    cli_hold_kill_signals(&saved);
    int rc = make_dirs(dir, made, err);
    release_signals(&saved);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Two outputs naming one file.                                              */

/* A path that does not exist (yet), resolved: a dangling symbolic link by
 * the file it would name (cli_outfile_open writes there), anything else
 * by its deepest existing ancestor's real path followed by the rest, "."
 * and empty components dropped, and ".." taking off the component before
 * it: a directory that does not exist yet is no symbolic link, and --out
 * makes its directory before anything is written, so "o/../o/x" is "o/x".
 * Without a working directory (removed under us) a relative path is
 * compared as given.  NULL when out of memory. */
static char *resolve_missing(const char *path, int depth)
{
    struct stat st;
    if (depth < 8 && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        char *target = link_target(path);
        if (target) {
            char *resolved = resolve_missing(target, depth + 1);
            free(target);
            return resolved;
        }
    }
    char *abs;
    if (path[0] == '/') {
        abs = strdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd && errno != ENOMEM)
            return strdup(path);
        abs = cwd ? cli_join(cwd, path) : NULL;
        free(cwd);
    }
    if (!abs)
        return NULL;
    /* The longest prefix, cut at a slash, that realpath resolves. */
    char *real = NULL;
    size_t cut = strlen(abs);
    for (;;) {
        while (cut > 0 && abs[cut] != '/')
            cut--;
        char saved = abs[cut];
        abs[cut] = '\0';
        real = realpath(cut ? abs : "/", NULL);
        abs[cut] = saved;
        if (real || cut == 0)
            break;
        cut--;
    }
    if (!real)
        real = strdup("/");
    char *out = real ? malloc(strlen(real) + strlen(abs + cut) + 2) : NULL;
    if (out) {
        size_t n = strlen(real);
        memcpy(out, real, n + 1);
        for (char *c = abs + cut; *c;) {
            while (*c == '/')
                c++;
            size_t len = strcspn(c, "/");
            if (len == 2 && c[0] == '.' && c[1] == '.') {
                while (n > 1 && out[n - 1] != '/')
                    n--;
                if (n > 1)
                    n--; /* the slash before it, but not the root */
                out[n] = '\0';
            } else if (len && !(len == 1 && c[0] == '.')) {
                if (n == 0 || out[n - 1] != '/')
                    out[n++] = '/';
                memcpy(out + n, c, len);
                n += len;
                out[n] = '\0';
            }
            c += len;
        }
    }
    free(real);
    free(abs);
    return out;
}

static bool same_output(const struct cli_output_path *a,
                        const struct cli_output_path *b)
{
    if (!a->resolved != !b->resolved) /* one exists, the other not */
        return false;
    if (a->resolved)
        return !strcmp(a->resolved, b->resolved);
    return a->dev == b->dev && a->ino == b->ino && !a->shared;
}

/* The one line for `b` naming the file `a` names. */
static int output_clash(const struct cli_output_path *a,
                        const struct cli_output_path *b,
                        struct disco_error *err)
{
    const struct cli_output_path *own = a->keeps ? b : a;
    const struct cli_output_path *implied = a->keeps ? a : b;
    if (a->keeps && b->keeps)
        return disco_fail(err, DISCO_EINVAL,
                          "%s keeps '%s' for %s, and %s keeps it for %s",
                          a->option, a->path, a->keeps, b->option, b->keeps);
    if (a->keeps || b->keeps)
        return disco_fail(err, DISCO_EINVAL, "%s %s '%s', which %s keeps "
                          "for %s",
                          own->option, own->directory ? "names" : "writes",
                          own->path, implied->option, implied->keeps);
    if (strcmp(a->path, b->path))
        return disco_fail(err, DISCO_EINVAL,
                          "%s '%s' and %s '%s' name the same file", a->option,
                          a->path, b->option, b->path);
    return disco_fail(err, DISCO_EINVAL, "%s and %s both %s '%s'", a->option,
                      b->option,
                      a->directory || b->directory ? "name" : "write",
                      a->path);
}

int cli_output_paths_add(struct cli_output_paths *set, const char *option,
                         const char *dir, const char *name, const char *keeps,
                         bool directory, struct disco_error *err)
{
    if (!*name)
        return 0;
    struct cli_output_path o = {
        .option = option, .keeps = keeps, .directory = directory,
    };
    o.path = cli_join(dir, name);
    struct stat st;
    bool exists = o.path && stat(o.path, &st) == 0;
    if (exists) {
        o.dev = st.st_dev;
        o.ino = st.st_ino;
        o.shared = S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ||
                   standard_stream(&st) >= 0;
    } else if (o.path) {
        o.resolved = resolve_missing(o.path, 0);
    }
    struct cli_output_path *items =
        o.path && (exists || o.resolved)
            ? realloc(set->items, (set->count + 1) * sizeof *items)
            : NULL;
    if (!items) {
        free(o.path);
        free(o.resolved);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    set->items = items;
    items[set->count++] = o;
    for (size_t i = 0; i + 1 < set->count; i++)
        if (same_output(&items[i], &o))
            return output_clash(&items[i], &items[set->count - 1], err);
    return 0;
}

void cli_output_paths_release(struct cli_output_paths *set)
{
    for (size_t i = 0; i < set->count; i++) {
        free(set->items[i].path);
        free(set->items[i].resolved);
    }
    free(set->items);
    memset(set, 0, sizeof *set);
}
