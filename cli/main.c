/*
 * main.c - `disco`: dispatch to a command, turn errors into exit status 2.
 */
#include "cli.h"

#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv, struct disco_error *err);
    const char *summary;
};

static const struct command commands[] = {
    {"list", cli_cmd_list, "every algorithm: name, family, summary"},
    {"info", cli_cmd_info, "an algorithm's model, parameters, properties"},
    {"run", cli_cmd_run, "one execution, with a summary and a trace"},
    {"demo", cli_cmd_demo, "the built-in classroom demonstration"},
    {"check", cli_cmd_check, "many executions, every violation reproduced"},
    {"sweep", cli_cmd_sweep, "metrics over sizes and seeds, CSV and plot"},
    {"merge", cli_cmd_merge, "join the CSVs of --shard runs"},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
    fprintf(out, "usage: disco COMMAND [OPTIONS]\n\n"
                 "A simulator of distributed algorithms.\n\n"
                 "commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "  disco COMMAND --help   the command's options\n"
                 "  disco --version        the version\n\n"
                 "environment:\n"
                 "  LC_ALL, LC_CTYPE, LANG UTF-8 or ASCII in the summaries\n"
                 "  DISCO_CAUSAL=log|tokens\n"
                 "                         check trace properties on the causal\n"
                 "                         log or on tokens (default: tokens from\n"
                 "                         65,536 nodes, for the algorithms that\n"
                 "                         allow them; same output)\n"
                 "  DISCO_NODE_CELLS=0     each node's small state apart from\n"
                 "                         its record, not in one cache line\n"
                 "                         (same output)\n"
                 "  DISCO_PREFAULT=0       no helper thread faulting in memory\n"
                 "                         ahead of a large run (same output)\n\n"
                 "Start with 'disco demo', or 'disco run chang-roberts'.\n");
}

static int dispatch(int argc, char **argv, struct disco_error *err)
{
    if (argc < 2)
        return disco_fail(err, DISCO_EINVAL,
                          "no command given (start with 'disco demo', or "
                          "see 'disco --help')");
    const char *name = argv[1];
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("disco %s\n", DISCO_VERSION);
        return CLI_EXIT_PASS;
    }
    if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
        usage(stdout);
        return CLI_EXIT_PASS;
    }
    if (!strcmp(name, "help")) {
        if (argc < 3) {
            usage(stdout);
            return CLI_EXIT_PASS;
        }
        /* `disco help run` is `disco run --help`. */
        static char help_flag[] = "--help";
        char *again[] = {argv[0], argv[2], help_flag, NULL};
        return dispatch(3, again, err);
    }
    if (name[0] == '-') {
        static const char *const globals[] = {"help", "version"};
        const char *bare = name + strspn(name, "-");
        const char *best = disco_suggest(bare, globals, 2);
        if (best)
            return disco_fail(err, DISCO_EUNKNOWN,
                              "unknown option '%s' (did you mean '--%s'?)",
                              name, best);
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown option '%s' (a command comes first: "
                          "disco run ALG %s ...)",
                          name, name);
    }
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        if (strcmp(name, commands[i].name) != 0)
            continue;
        if (!commands[i].run)
            return disco_fail(err, DISCO_EINVAL,
                              "'%s' is not available yet in this version",
                              name);
        return commands[i].run(argc - 1, argv + 1, err);
    }
    const char *names[COMMAND_COUNT];
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        names[i] = commands[i].name;
    const char *best = disco_suggest(name, names, COMMAND_COUNT);
    if (best)
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown command '%s' (did you mean '%s'?)", name,
                          best);
    if (disco_algorithm_find(name))
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown command '%s' (did you mean 'disco run "
                          "%s'?)",
                          name, name);
    return disco_fail(err, DISCO_EUNKNOWN,
                      "unknown command '%s' (see 'disco --help')", name);
}

#if defined(__SANITIZE_ADDRESS__)
/* Under AddressSanitizer: Graphviz and the font libraries it loads keep
 * caches for the life of the process, which LeakSanitizer would report on
 * every run that draws.  They are theirs, not ours. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libgvplugin_pango.so\n"
           "leak:libgvplugin_neato_layout.so\n"
           "leak:libgvplugin_dot_layout.so\n"
           "leak:libgvplugin_core.so\n"
           "leak:libfontconfig.so\n"
           "leak:libpango\n"
           "leak:libcairo.so\n"
           "leak:libgvc.so\n";
}

/* ...and says nothing about having suppressed them: stderr carries only
 * disco's own lines, under the sanitizers too. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif

/* Whether cli_finish has spoken, and the exit status it returned: an
 * mpirun rank 0 calls it before any rank may exit, and main's call after
 * it must neither say the same again nor exit with another status, which
 * would depend on every such caller passing the first status back. */
static bool finished;
static int finished_status;

/* An error is one line of stderr, whatever its message quotes: a newline
 * the user's argument carried ("--seed $'5\n'") is written \n, any other
 * control character \xHH, so that the message never spills onto a second
 * line nor moves the cursor. */
static void print_error(const struct disco_error *err)
{
    char line[sizeof "disco: " + 4 * sizeof err->message + 1];
    size_t used = 0;
    used += (size_t)snprintf(line, sizeof line, "disco: ");
    for (const char *p = err->message; *p && used + 5 < sizeof line; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\n')
            used += (size_t)snprintf(line + used, sizeof line - used, "\\n");
        else if (c < 0x20 || c == 0x7f)
            used += (size_t)snprintf(line + used, sizeof line - used,
                                     "\\x%02x", c);
        else
            line[used++] = (char)c;
    }
    line[used++] = '\n';
    fwrite(line, 1, used, stderr);
}

int cli_finish(int status, const struct disco_error *err)
{
    if (finished)
        return finished_status;
    finished = true;
    if (status < 0) {
        fflush(stdout);
        print_error(err);
        status = CLI_EXIT_USAGE;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "disco: cannot write to standard output\n");
        status = CLI_EXIT_USAGE;
    }
    finished_status = status;
    return status;
}

int main(int argc, char **argv)
{
    struct disco_error err = {0, ""};
    return cli_finish(dispatch(argc, argv, &err), &err);
}
