/*
 * options.c - reading argv, and the number syntax of option values.
 *
 * Numbers are checked whole: a sign, trailing garbage, an empty string or a
 * value past the type's range is an error naming the option, never a silent
 * zero (which is what atoi and a bare strtoull would give).
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_option *find_option(const struct cli_option *table,
                                            size_t count, const char *name,
                                            size_t len)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(table[i].name) == len &&
            strncmp(table[i].name, name, len) == 0)
            return &table[i];
    return NULL;
}

static int unknown_option(const struct cli_option *table, size_t count,
                          const char *arg, size_t len, struct disco_error *err)
{
    const char *names[64];
    size_t n = 0;
    for (size_t i = 0; i < count && n < 64; i++)
        names[n++] = table[i].name;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(len < 127 ? len : 127), arg);
    const char *bare = name;
    while (*bare == '-')
        bare++;
    const char *best = disco_suggest(bare, names, n);
    if (best)
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown option '%s' (did you mean '--%s'?)", name,
                          best);
    return disco_fail(err, DISCO_EUNKNOWN, "unknown option '%s'", name);
}

int cli_next_arg(struct cli_args *args, const struct cli_option *table,
                 size_t count, const struct cli_option **opt,
                 const char **value, struct disco_error *err)
{
    *opt = NULL;
    *value = NULL;
    if (args->index >= args->argc)
        return CLI_END;
    const char *arg = args->argv[args->index++];
    if (args->options_done || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return CLI_POSITIONAL;
    }
    if (strcmp(arg, "--") == 0) {
        args->options_done = true;
        return cli_next_arg(args, table, count, opt, value, err);
    }
    if (strcmp(arg, "-h") == 0) {
        *opt = find_option(table, count, "help", 4);
        if (*opt)
            return CLI_OPTION;
        return unknown_option(table, count, arg, strlen(arg), err);
    }
    if (arg[1] != '-')
        return unknown_option(table, count, arg, strlen(arg), err);

    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    const struct cli_option *o = find_option(table, count, name, len);
    if (!o)
        return unknown_option(table, count, arg, (size_t)(len + 2), err);
    if (!o->has_value) {
        if (eq)
            return disco_fail(err, DISCO_EINVAL, "option '--%s' takes no value",
                              o->name);
    } else if (eq) {
        *value = eq + 1;
    } else {
        /* The next argument is the value even when it starts with a
         * dash ("--seed -1" is a bad seed, not a missing one), unless it is
         * clearly another long option. */
        const char *next =
            args->index < args->argc ? args->argv[args->index] : NULL;
        if (!next || (next[0] == '-' && next[1] == '-' && next[2] != '\0'))
            return disco_fail(err, DISCO_EINVAL,
                              "option '--%s' needs a value (--%s %s)", o->name,
                              o->name, o->arg ? o->arg : "VALUE");
        *value = next;
        args->index++;
    }
    *opt = o;
    return CLI_OPTION;
}

void cli_wrap(FILE *out, const char *text, int column, int indent)
{
    const int width = 79;
    const char *p = text;
    bool first = true;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t word = strcspn(p, " ");
        if (word == 0)
            break;
        if (!first && column + 1 + (int)word > width) {
            fprintf(out, "\n%*s", indent, "");
            column = indent;
        } else if (!first) {
            fputc(' ', out);
            column++;
        }
        fwrite(p, 1, word, out);
        column += (int)word;
        p += word;
        first = false;
    }
    fputc('\n', out);
}

void cli_print_options(FILE *out, const struct cli_option *table, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char left[64];
        if (strcmp(table[i].name, "help") == 0)
            snprintf(left, sizeof left, "-h, --help");
        else if (table[i].arg)
            snprintf(left, sizeof left, "--%s %s", table[i].name, table[i].arg);
        else
            snprintf(left, sizeof left, "--%s", table[i].name);
        fprintf(out, "  %-26s ", left);
        cli_wrap(out, table[i].help, 29, 29);
    }
}

int cli_parse_u64(const char *text, const char *what, uint64_t *out,
                  struct disco_error *err)
{
    const char *p = text;
    if (*p == '\0')
        return disco_fail(err, DISCO_EINVAL,
                          "bad %s '': expected a non-negative integer", what);
    uint64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return disco_fail(err, DISCO_EINVAL,
                              "bad %s '%s': expected a non-negative integer",
                              what, text);
        unsigned digit = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return disco_fail(err, DISCO_EINVAL,
                              "bad %s '%s': larger than %llu", what, text,
                              (unsigned long long)UINT64_MAX);
        v = v * 10 + digit;
    }
    *out = v;
    return 0;
}

int cli_parse_probability(const char *text, const char *what, double *out,
                          struct disco_error *err)
{
    /* strtod alone would take " 0.5", "inf", "nan" and hexadecimal. */
    bool plain = disco_is_plain_decimal(text, strlen(text));
    char *end = NULL;
    errno = 0;
    double v = plain ? strtod(text, &end) : 0;
    if (!plain || end == text || *end != '\0' || errno == ERANGE ||
        !isfinite(v) || v < 0 || v > 1)
        return disco_fail(err, DISCO_EINVAL,
                          "bad %s '%s': expected a probability between 0 "
                          "and 1",
                          what, text);
    *out = v;
    return 0;
}

int cli_parse_bool(const char *text, const char *what, bool *out,
                   struct disco_error *err)
{
    static const char *const yes[] = {"true", "on", "yes", "1"};
    static const char *const no[] = {"false", "off", "no", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(text, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(text, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return disco_fail(err, DISCO_EINVAL, "bad %s '%s': expected true or false",
                      what, text);
}
