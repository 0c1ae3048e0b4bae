/* error.c - error codes, messages and "did you mean" suggestions. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "disco_sim.h"

const char *disco_strerror(int code)
{
    switch (code) {
    case DISCO_OK:
        return "success";
#define DISCO__ERRNO_CASE(name, text)                                        \
    case DISCO_E##name:                                                      \
        return text;
        DISCO_ERRNO_MAP(DISCO__ERRNO_CASE)
#undef DISCO__ERRNO_CASE
    default:
        return "unknown error";
    }
}

int disco_fail(struct disco_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

/* Letters compare without case here: a suggestion may be a name's other
 * case ("ECHO" for "echo"), though names themselves match exactly. */
static bool same_letter(char a, char b)
{
    return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* Edit distance where swapping two neighbouring letters counts as one edit
 * ("rnu" is one edit from "run"): optimal string alignment, three rows,
 * blind to case. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 64;
    size_t rows[3][64];
    size_t *before = rows[0], *previous = rows[1], *current = rows[2];
    for (size_t j = 0; j <= lb; j++)
        previous[j] = j;
    for (size_t i = 1; i <= la; i++) {
        current[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = same_letter(a[i - 1], b[j - 1]) ? 0 : 1;
            size_t best = previous[j - 1] + cost;
            if (previous[j] + 1 < best)
                best = previous[j] + 1;
            if (current[j - 1] + 1 < best)
                best = current[j - 1] + 1;
            if (i > 1 && j > 1 && same_letter(a[i - 1], b[j - 2]) &&
                same_letter(a[i - 2], b[j - 1]) && before[j - 2] + 1 < best)
                best = before[j - 2] + 1;
            current[j] = best;
        }
        size_t *spare = before;
        before = previous;
        previous = current;
        current = spare;
    }
    return previous[lb];
}

/* Whether `name` begins `candidate` (blind to case) and is shorter. */
static bool begins(const char *name, const char *candidate)
{
    size_t len = strlen(name);
    if (strlen(candidate) <= len)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!same_letter(name[i], candidate[i]))
            return false;
    return true;
}

const char *disco_suggest(const char *name, const char *const *candidates,
                          size_t count)
{
    size_t len = strlen(name);
    /* An exact name has nothing to correct. */
    for (size_t i = 0; i < count; i++)
        if (strcmp(name, candidates[i]) == 0)
            return NULL;
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    for (size_t i = 0; i < count; i++) {
        size_t d = edit_distance(name, candidates[i]);
        if (d < best_distance) {
            best_distance = d;
            best = candidates[i];
        }
    }
    /* The same name in other case ("ECHO"). */
    if (best && best_distance == 0)
        return best;
    /* A shortened name ("topo", "top" for "topology"), of three letters or
     * more, that begins one candidate only: before the typos, or "chang"
     * would be two edits from "huang" rather than short for
     * "chang-roberts".  One that begins several ("ech": echo and
     * echo-extinction) may still be a typo. */
    if (len >= 3) {
        const char *only = NULL;
        bool ambiguous = false;
        for (size_t i = 0; i < count && !ambiguous; i++) {
            if (!begins(name, candidates[i]))
                continue;
            ambiguous = only != NULL;
            only = candidates[i];
        }
        if (only && !ambiguous)
            return only;
    }
    /* A plausible typo: at most a third of the name changed, and at least
     * one character kept. */
    if (best && best_distance <= (len + 2) / 3)
        return best;
    return NULL;
}
