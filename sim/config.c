/*
 * config.c - the run configuration: defaults, the option parsers shared by
 * the command line and the scenario loader, and the model check.
 *
 * Every parser builds its result aside and touches the config only once the
 * whole text has been accepted, so a rejected option leaves the config as it
 * was.  Messages quote the text the user typed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "disco_sim.h"

/* Delays, ids and times stay below this so that `now + delay` and the width
 * of a uniform range never wrap around. */
#define LIMIT_TICKS ((uint64_t)INT64_MAX)
/* Largest mean of an exponential law (ticks). */
#define LIMIT_MEAN 1e15

/* ------------------------------------------------------------------------ */
/* Small text helpers.                                                      */

enum number_status { NUMBER_OK, NUMBER_BAD, NUMBER_NEGATIVE, NUMBER_LARGE };

/* A whole number in [s, end): decimal digits only, no sign, no spaces.  A
 * leading '-' followed by digits is reported as NUMBER_NEGATIVE so that the
 * message can say so. */
static enum number_status parse_whole(const char *s, const char *end,
                                      uint64_t limit, uint64_t *out)
{
    if (s < end && *s == '-') {
        const char *p = s + 1;
        if (p == end)
            return NUMBER_BAD;
        for (; p < end; p++)
            if (*p < '0' || *p > '9')
                return NUMBER_BAD;
        return NUMBER_NEGATIVE;
    }
    if (s == end)
        return NUMBER_BAD;
    uint64_t value = 0;
    bool large = false;
    for (const char *p = s; p < end; p++) {
        if (*p < '0' || *p > '9')
            return NUMBER_BAD;
        unsigned digit = (unsigned)(*p - '0');
        if (value > (limit - digit) / 10)
            large = true;
        else
            value = value * 10 + digit;
    }
    if (large)
        return NUMBER_LARGE;
    *out = value;
    return NUMBER_OK;
}

/* A signed integer in [s, end), for parameter values. */
static bool parse_signed(const char *s, const char *end, int64_t *out)
{
    bool negative = s < end && *s == '-';
    uint64_t magnitude;
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    if (parse_whole(s + negative, end, limit, &magnitude) != NUMBER_OK)
        return false;
    if (negative)
        *out = magnitude == (uint64_t)INT64_MAX + 1u ? INT64_MIN
                                                     : -(int64_t)magnitude;
    else
        *out = (int64_t)magnitude;
    return true;
}

static bool span_is(const char *s, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - s) == n && memcmp(s, word, n) == 0;
}

/* "on"/"true"/"yes" and "off"/"false"/"no". */
static bool parse_switch(const char *s, const char *end, int64_t *out)
{
    static const char *const on[] = {"on", "true", "yes"};
    static const char *const off[] = {"off", "false", "no"};
    for (size_t i = 0; i < 3; i++) {
        if (span_is(s, end, on[i])) {
            *out = 1;
            return true;
        }
        if (span_is(s, end, off[i])) {
            *out = 0;
            return true;
        }
    }
    return false;
}

/* Elements of a comma-separated list, counted without allocating. */
static size_t list_count(const char *text)
{
    size_t n = 1;
    for (const char *p = text; *p; p++)
        n += *p == ',';
    return n;
}

static const char *item_end(const char *s)
{
    const char *comma = strchr(s, ',');
    return comma ? comma : s + strlen(s);
}

/* ------------------------------------------------------------------------ */
/* Delay laws.                                                              */

static const char *const delay_laws[] = {"const", "uniform", "exp"};

static int delay_number(const char *text, const char *s, const char *end,
                        const char *name, uint64_t *out,
                        struct disco_error *err)
{
    switch (parse_whole(s, end, LIMIT_TICKS, out)) {
    case NUMBER_OK:
        return 0;
    case NUMBER_NEGATIVE:
        return disco_fail(err, DISCO_EINVAL,
                          "bad delay '%s': %s must not be negative", text,
                          name);
    case NUMBER_LARGE:
        return disco_fail(err, DISCO_EINVAL, "bad delay '%s': %s is too large",
                          text, name);
    default:
        return disco_fail(err, DISCO_EINVAL,
                          "bad delay '%s': %s must be a whole number of ticks",
                          text, name);
    }
}

int disco_delay_parse(struct disco_delay *delay, const char *text,
                      struct disco_error *err)
{
    if (!text)
        text = "";
    const char *colon = strchr(text, ':');
    const char *law_end = colon ? colon : text + strlen(text);
    size_t law_len = (size_t)(law_end - text);
    int law = -1;
    for (int i = 0; i < 3; i++)
        if (span_is(text, law_end, delay_laws[i]))
            law = i;
    if (law < 0) {
        /* A word that is not a law is a typo worth a suggestion; anything
         * else (a bare number, an empty text) gets the grammar. */
        char name[64];
        bool word = law_len > 0 && law_len < sizeof name;
        for (size_t i = 0; word && i < law_len; i++)
            word = (text[i] >= 'a' && text[i] <= 'z') ||
                   (text[i] >= 'A' && text[i] <= 'Z');
        if (!word)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': expected const:D, "
                              "uniform:A:B or exp:MEAN",
                              text);
        memcpy(name, text, law_len);
        name[law_len] = '\0';
        const char *guess = disco_suggest(name, delay_laws, 3);
        if (guess)
            return disco_fail(err, DISCO_EUNKNOWN,
                              "unknown delay law '%s' (did you mean '%s'?)",
                              name, guess);
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown delay law '%s' (known: const, uniform, "
                          "exp)",
                          name);
    }

    struct disco_delay parsed = {.kind = (enum disco_delay_kind)law};
    const char *args = colon ? colon + 1 : NULL;
    const char *end = args ? args + strlen(args) : NULL;
    const char *second = args ? strchr(args, ':') : NULL;
    switch (parsed.kind) {
    case DISCO_DELAY_CONST: {
        if (!args || second || args == end)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': expected const:D", text);
        int rc = delay_number(text, args, end, "D", &parsed.a, err);
        if (rc)
            return rc;
        parsed.b = parsed.a;
        break;
    }
    case DISCO_DELAY_UNIFORM: {
        if (!second || strchr(second + 1, ':') || args == second ||
            second + 1 == end)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': expected uniform:A:B", text);
        int rc = delay_number(text, args, second, "A", &parsed.a, err);
        if (!rc)
            rc = delay_number(text, second + 1, end, "B", &parsed.b, err);
        if (rc)
            return rc;
        if (parsed.a > parsed.b)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': A must not exceed B", text);
        break;
    }
    case DISCO_DELAY_EXP: {
        if (!args || second || args == end)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': expected exp:MEAN", text);
        /* A plain decimal: digits, at most one point; no exponent, hex,
         * inf or nan, which strtod would otherwise accept. */
        bool negative = args[0] == '-';
        bool digits = false, point = false, plain = true;
        for (const char *p = args + negative; p < end && plain; p++) {
            if (*p >= '0' && *p <= '9')
                digits = true;
            else if (*p == '.' && !point)
                point = true;
            else
                plain = false;
        }
        if (!plain || !digits)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': MEAN must be a number of ticks",
                              text);
        if (negative)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': MEAN must be positive", text);
        parsed.mean = strtod(args, NULL);
        if (!(parsed.mean > 0))
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': MEAN must be positive", text);
        if (parsed.mean > LIMIT_MEAN)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': MEAN is too large", text);
        break;
    }
    }
    *delay = parsed;
    return 0;
}

void disco_delay_format(const struct disco_delay *delay, char *buf, size_t len)
{
    if (!buf || len == 0)
        return;
    switch (delay->kind) {
    case DISCO_DELAY_CONST:
        snprintf(buf, len, "const:%llu", (unsigned long long)delay->a);
        break;
    case DISCO_DELAY_UNIFORM:
        snprintf(buf, len, "uniform:%llu:%llu", (unsigned long long)delay->a,
                 (unsigned long long)delay->b);
        break;
    case DISCO_DELAY_EXP:
        snprintf(buf, len, "exp:%g", delay->mean);
        break;
    default:
        snprintf(buf, len, "?");
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Lifecycle.                                                               */

void disco_config_init(struct disco_config *cfg,
                       const struct disco_algorithm *alg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->seed = 1;
    cfg->delay.kind = DISCO_DELAY_UNIFORM;
    cfg->delay.a = 1;
    cfg->delay.b = 100;
    cfg->fifo = true;
    cfg->causal_log_limit = (uint64_t)1 << 25;
    if (!alg)
        return;
    cfg->sync = alg->model.sync_by_default;
    unsigned count = alg->param_count;
    if (count > sizeof cfg->params / sizeof cfg->params[0])
        count = sizeof cfg->params / sizeof cfg->params[0];
    for (unsigned i = 0; i < count; i++)
        cfg->params[i] = alg->params[i].default_value;
}

void disco_config_release(struct disco_config *cfg)
{
    free(cfg->ids);
    free(cfg->initiators);
    free(cfg->faults);
    free(cfg->inputs);
    free(cfg->channel.delay);
    free(cfg->channel.use_delay);
    free(cfg->channel.loss);
    free(cfg->channel.fifo);
    cfg->ids = NULL;
    cfg->initiators = NULL;
    cfg->faults = NULL;
    cfg->fault_count = 0;
    cfg->inputs = NULL;
    cfg->input_count = 0;
    memset(&cfg->channel, 0, sizeof cfg->channel);
}

/* ------------------------------------------------------------------------ */
/* Ids and initiators.                                                      */

/* A keyword that is not one of `words`: suggest, or list them. */
static int unknown_word(struct disco_error *err, const char *what,
                        const char *text, const char *const *words,
                        size_t count, const char *known)
{
    const char *guess = disco_suggest(text, words, count);
    if (guess)
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown %s '%s' (did you mean '%s'?)", what, text,
                          guess);
    return disco_fail(err, DISCO_EUNKNOWN, "unknown %s '%s' (known: %s)", what,
                      text, known);
}

static bool starts_list(const char *text)
{
    return (text[0] >= '0' && text[0] <= '9') || text[0] == '-' ||
           text[0] == ',';
}

int disco_ids_parse(struct disco_config *cfg, const char *text, uint32_t nodes,
                    struct disco_error *err)
{
    static const char *const orders[] = {"increasing", "decreasing", "random"};
    if (!text || !*text)
        return disco_fail(err, DISCO_EINVAL,
                          "empty --ids: expected increasing, decreasing, "
                          "random or a list");
    bool list = starts_list(text);
    int order = -1;
    for (int i = 0; i < 3; i++)
        if (!strcmp(text, orders[i]))
            order = i;
    if (!list && order < 0)
        return unknown_word(err, "ids order", text, orders, 3,
                            "increasing, decreasing, random or a list");
    if (list && list_count(text) != nodes)
        return disco_fail(err, DISCO_EINVAL,
                          "--ids lists %zu id%s for %u nodes", list_count(text),
                          list_count(text) == 1 ? "" : "s", nodes);

    int64_t *ids = malloc((nodes ? nodes : 1) * sizeof *ids);
    if (!ids)
        return disco_fail(err, DISCO_ENOMEM, "no memory for %u ids", nodes);
    if (list) {
        const char *s = text;
        for (uint32_t i = 0; i < nodes; i++) {
            const char *end = item_end(s);
            uint64_t value;
            enum number_status st = parse_whole(s, end, INT64_MAX, &value);
            if (st != NUMBER_OK) {
                free(ids);
                return disco_fail(err, DISCO_EINVAL,
                                  "bad --ids '%s': '%.*s' is %s", text,
                                  (int)(end - s), s,
                                  st == NUMBER_NEGATIVE ? "negative"
                                  : st == NUMBER_LARGE  ? "too large"
                                                        : "not a whole number");
            }
            ids[i] = (int64_t)value;
            s = *end ? end + 1 : end;
        }
    } else if (order == 0) {
        for (uint32_t i = 0; i < nodes; i++)
            ids[i] = (int64_t)i + 1;
    } else if (order == 1) {
        for (uint32_t i = 0; i < nodes; i++)
            ids[i] = (int64_t)nodes - i;
    } else {
        /* Fisher-Yates from the ids stream: the same seed gives the same
         * permutation whatever else the run draws. */
        struct disco_rng rng;
        disco_rng_init(&rng, cfg->seed, DISCO_STREAM_IDS);
        for (uint32_t i = 0; i < nodes; i++)
            ids[i] = (int64_t)i + 1;
        for (uint32_t i = nodes; i > 1; i--) {
            uint32_t j = (uint32_t)disco_rng_below(&rng, i);
            int64_t t = ids[i - 1];
            ids[i - 1] = ids[j];
            ids[j] = t;
        }
    }
    free(cfg->ids);
    cfg->ids = ids;
    return 0;
}

int disco_initiators_parse(struct disco_config *cfg, const char *text,
                           uint32_t nodes, struct disco_error *err)
{
    static const char *const words[] = {"all", "none"};
    if (!text || !*text)
        return disco_fail(err, DISCO_EINVAL,
                          "empty --initiators: expected all, none or a list "
                          "of nodes");
    bool all = !strcmp(text, "all"), none = !strcmp(text, "none");
    if (!all && !none && !starts_list(text))
        return unknown_word(err, "initiators", text, words, 2,
                            "all, none or a list of nodes");
    unsigned char *marks = calloc(nodes ? nodes : 1, 1);
    if (!marks)
        return disco_fail(err, DISCO_ENOMEM, "no memory for %u initiators",
                          nodes);
    if (all) {
        memset(marks, 1, nodes);
    } else if (!none) {
        for (const char *s = text;;) {
            const char *end = item_end(s);
            uint64_t node;
            enum number_status st = parse_whole(s, end, UINT32_MAX, &node);
            if (st == NUMBER_OK && node >= nodes) {
                free(marks);
                if (nodes == 0)
                    return disco_fail(err, DISCO_EINVAL,
                                      "initiator %llu is not a node (the "
                                      "network is empty)",
                                      (unsigned long long)node);
                return disco_fail(err, DISCO_EINVAL,
                                  "initiator %llu is not a node (0..%u)",
                                  (unsigned long long)node, nodes - 1);
            }
            if (st != NUMBER_OK) {
                free(marks);
                return disco_fail(err, DISCO_EINVAL,
                                  "bad --initiators '%s': '%.*s' is not a "
                                  "node index",
                                  text, (int)(end - s), s);
            }
            marks[node] = 1;
            if (!*end)
                break;
            s = end + 1;
        }
    }
    free(cfg->initiators);
    cfg->initiators = marks;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Parameters.                                                              */

int disco_param_parse(struct disco_config *cfg,
                      const struct disco_algorithm *alg, const char *text,
                      struct disco_error *err)
{
    if (!text)
        text = "";
    const char *eq = strchr(text, '=');
    if (!eq || eq == text)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --param '%s': expected KEY=VALUE", text);
    if (!alg)
        return disco_fail(err, DISCO_EINVAL, "--param '%s' needs an algorithm",
                          text);
    unsigned count = alg->param_count;
    if (count > sizeof cfg->params / sizeof cfg->params[0])
        count = sizeof cfg->params / sizeof cfg->params[0];
    int index = -1;
    for (unsigned i = 0; i < count; i++)
        if (span_is(text, eq, alg->params[i].name))
            index = (int)i;

    if (index < 0) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - text), text);
        if (count == 0)
            return disco_fail(err, DISCO_EUNKNOWN,
                              "unknown parameter '%s' for %s (it takes none)",
                              key, alg->name);
        const char *names[32];
        for (unsigned i = 0; i < count; i++)
            names[i] = alg->params[i].name;
        const char *guess = disco_suggest(key, names, count);
        if (guess)
            return disco_fail(err, DISCO_EUNKNOWN,
                              "unknown parameter '%s' for %s (did you mean "
                              "'%s'?)",
                              key, alg->name, guess);
        char known[256] = "";
        size_t used = 0;
        for (unsigned i = 0; i < count && used < sizeof known; i++) {
            int n = snprintf(known + used, sizeof known - used, "%s%s",
                             i ? ", " : "", names[i]);
            if (n < 0)
                break;
            used += (size_t)n;
        }
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown parameter '%s' for %s (known: %s)", key,
                          alg->name, known);
    }

    const struct disco_param *param = &alg->params[index];
    const char *value = eq + 1, *end = value + strlen(value);
    int64_t v;
    if (!parse_signed(value, end, &v) && !parse_switch(value, end, &v))
        return disco_fail(err, DISCO_EINVAL,
                          "bad --param '%s': expected an integer, on or off",
                          text);
    if (v < param->min || v > param->max)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --param '%s': %s must be between %lld and %lld",
                          text, param->name, (long long)param->min,
                          (long long)param->max);
    cfg->params[index] = v;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Faults.                                                                  */

static const char *fault_option(enum disco_fault_kind kind)
{
    switch (kind) {
    case DISCO_FAULT_CRASH:
        return "--crash";
    case DISCO_FAULT_RECOVER:
        return "--recover";
    default:
        return "--cut";
    }
}

static int fault_node(const char *s, const char *end, uint32_t nodes,
                      const char *option, const char *text, uint32_t *out,
                      struct disco_error *err)
{
    uint64_t node;
    if (parse_whole(s, end, UINT32_MAX, &node) != NUMBER_OK)
        return disco_fail(err, DISCO_EINVAL,
                          "bad %s '%s': '%.*s' is not a node index", option,
                          text, (int)(end - s), s);
    if (node >= nodes) {
        if (nodes == 0)
            return disco_fail(err, DISCO_EINVAL,
                              "%s node %llu is not a node (the network is "
                              "empty)",
                              option + 2, (unsigned long long)node);
        return disco_fail(err, DISCO_EINVAL,
                          "%s node %llu is not a node (0..%u)", option + 2,
                          (unsigned long long)node, nodes - 1);
    }
    *out = (uint32_t)node;
    return 0;
}

static int fault_time(const char *s, const char *end, const char *option,
                      const char *text, disco_time_t *out,
                      struct disco_error *err)
{
    uint64_t t;
    enum number_status st = parse_whole(s, end, LIMIT_TICKS, &t);
    if (st == NUMBER_LARGE)
        return disco_fail(err, DISCO_EINVAL,
                          "bad %s '%s': time %.*s is too "
                          "large",
                          option, text, (int)(end - s), s);
    if (st != NUMBER_OK)
        return disco_fail(err, DISCO_EINVAL,
                          "bad %s '%s': '%.*s' is not a time in ticks", option,
                          text, (int)(end - s), s);
    *out = t;
    return 0;
}

static const char *find_in(const char *s, const char *end, char c)
{
    for (; s < end; s++)
        if (*s == c)
            return s;
    return NULL;
}

int disco_faults_parse(struct disco_config *cfg, enum disco_fault_kind kind,
                       const char *text, uint32_t nodes,
                       struct disco_error *err)
{
    if (!text)
        text = "";
    bool cut = kind == DISCO_FAULT_LINK_DOWN || kind == DISCO_FAULT_LINK_UP;
    const char *option = fault_option(kind);
    size_t items = list_count(text);
    size_t adding = cut ? 2 * items : items;
    if (cfg->fault_count > SIZE_MAX / sizeof *cfg->faults - adding)
        return disco_fail(err, DISCO_ENOMEM, "too many faults");
    struct disco_fault *added = malloc(adding * sizeof *added);
    if (!added)
        return disco_fail(err, DISCO_ENOMEM, "no memory for %zu faults",
                          adding);

    size_t n = 0;
    int rc = 0;
    for (const char *s = text; !rc;) {
        const char *end = item_end(s);
        const char *at = find_in(s, end, '@');
        if (!cut) {
            struct disco_fault f = {.kind = kind};
            if (!at) {
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad %s '%s': expected NODE@T", option, text);
                break;
            }
            rc = fault_node(s, at, nodes, option, text, &f.node, err);
            if (!rc)
                rc = fault_time(at + 1, end, option, text, &f.time, err);
            f.peer = f.node;
            added[n++] = f;
        } else {
            const char *dash = at ? find_in(s, at, '-') : NULL;
            const char *colon = at ? find_in(at + 1, end, ':') : NULL;
            if (!at || !dash || !colon) {
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --cut '%s': expected A-B@T1:T2", text);
                break;
            }
            struct disco_fault down = {.kind = DISCO_FAULT_LINK_DOWN};
            struct disco_fault up = {.kind = DISCO_FAULT_LINK_UP};
            rc = fault_node(s, dash, nodes, option, text, &down.node, err);
            if (!rc)
                rc = fault_node(dash + 1, at, nodes, option, text, &down.peer,
                                err);
            if (!rc)
                rc = fault_time(at + 1, colon, option, text, &down.time, err);
            if (!rc)
                rc = fault_time(colon + 1, end, option, text, &up.time, err);
            if (!rc && down.node == down.peer)
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --cut '%s': a link joins two different "
                                "nodes",
                                text);
            if (!rc && down.time >= up.time)
                rc = disco_fail(err, DISCO_EINVAL,
                                "bad --cut '%s': T1 must be before T2", text);
            up.node = down.node;
            up.peer = down.peer;
            added[n++] = down;
            added[n++] = up;
        }
        if (!*end)
            break;
        s = end + 1;
    }
    if (rc) {
        free(added);
        return rc;
    }
    struct disco_fault *all =
        realloc(cfg->faults, (cfg->fault_count + n) * sizeof *all);
    if (!all) {
        free(added);
        return disco_fail(err, DISCO_ENOMEM, "no memory for %zu faults",
                          cfg->fault_count + n);
    }
    memcpy(all + cfg->fault_count, added, n * sizeof *added);
    free(added);
    cfg->faults = all;
    cfg->fault_count += n;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The model check.                                                         */

static bool is_uring(const struct disco_topology *t)
{
    if (!t->directed || t->channels != t->nodes || t->nodes < 2)
        return false;
    for (uint32_t v = 0; v < t->nodes; v++)
        if (disco_topology_degree(t, v) != 1 || t->in_degree[v] != 1)
            return false;
    /* Out- and in-degree 1 everywhere makes a union of cycles; one cycle
     * when walking from node 0 takes all N steps to come back. */
    uint32_t v = 0, steps = 0;
    do {
        v = t->out_target[t->out_offset[v]];
        steps++;
    } while (v != 0 && steps <= t->nodes);
    return steps == t->nodes;
}

static bool all_degrees(const struct disco_topology *t, uint32_t degree)
{
    for (uint32_t v = 0; v < t->nodes; v++)
        if (disco_topology_degree(t, v) != degree)
            return false;
    return true;
}

static bool has_shape(const struct disco_topology *t, enum disco_shape shape)
{
    switch (shape) {
    case DISCO_SHAPE_URING:
        return is_uring(t);
    case DISCO_SHAPE_RING:
        return !t->directed && t->nodes >= 3 && all_degrees(t, 2) &&
               disco_topology_connected(t);
    case DISCO_SHAPE_COMPLETE:
        /* No duplicate edges exist, so degree N-1 means every pair. */
        return !t->directed && t->nodes >= 1 && all_degrees(t, t->nodes - 1);
    case DISCO_SHAPE_TREE:
        return !t->directed && t->nodes >= 1 &&
               (uint64_t)t->channels == 2 * ((uint64_t)t->nodes - 1) &&
               disco_topology_connected(t);
    default:
        return true;
    }
}

static const char *shape_name(enum disco_shape shape)
{
    switch (shape) {
    case DISCO_SHAPE_URING:
        return "a unidirectional ring";
    case DISCO_SHAPE_RING:
        return "a bidirectional ring";
    case DISCO_SHAPE_COMPLETE:
        return "a complete graph";
    case DISCO_SHAPE_TREE:
        return "a tree";
    default:
        return "a graph";
    }
}

struct id_at {
    int64_t id;
    uint32_t node;
};

static int id_at_cmp(const void *a, const void *b)
{
    const struct id_at *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->node < y->node ? -1 : x->node > y->node;
}

/* The duplicate a reader meets first walking the nodes in order: the pair
 * whose second node is smallest.  Returns 1 when found, 0 when all ids are
 * distinct, DISCO_ENOMEM when out of memory. */
static int find_duplicate(const int64_t *ids, uint32_t nodes, int64_t *id,
                          uint32_t *first, uint32_t *second)
{
    if (nodes < 2)
        return 0;
    struct id_at *sorted = malloc(nodes * sizeof *sorted);
    if (!sorted)
        return DISCO_ENOMEM;
    for (uint32_t i = 0; i < nodes; i++)
        sorted[i] = (struct id_at){ids[i], i};
    qsort(sorted, nodes, sizeof *sorted, id_at_cmp);
    int found = 0;
    for (uint32_t i = 1; i < nodes; i++) {
        if (sorted[i].id != sorted[i - 1].id)
            continue;
        if (i >= 2 && sorted[i - 2].id == sorted[i].id)
            continue; /* a third copy: the group's pair is already seen */
        if (!found || sorted[i].node < *second) {
            *id = sorted[i].id;
            *first = sorted[i - 1].node;
            *second = sorted[i].node;
            found = 1;
        }
    }
    free(sorted);
    return found;
}

static void add_warning(char *warning, size_t len, const char *text)
{
    if (!warning || len == 0)
        return;
    size_t used = strlen(warning);
    snprintf(warning + used, len - used, "%s%s", used ? "; " : "", text);
}

static bool tolerates_no_faults(const struct disco_algorithm *alg)
{
    return !alg->model.faults || !strcmp(alg->model.faults, "none");
}

int disco_model_check(const struct disco_algorithm *alg,
                      const struct disco_topology *topo,
                      const struct disco_config *cfg, char *warning,
                      size_t warning_len, struct disco_error *err)
{
    if (warning && warning_len)
        warning[0] = '\0';
    const struct disco_model *m = &alg->model;
    const char *spec = topo->spec;

    unsigned timing = m->timing ? m->timing : DISCO_ASYNC;
    if (cfg->sync && !(timing & DISCO_SYNC))
        return disco_fail(err, DISCO_EMODEL,
                          "%s has no synchronous version; run it without "
                          "--sync",
                          alg->name);
    if (!cfg->sync && !(timing & DISCO_ASYNC))
        return disco_fail(err, DISCO_EMODEL,
                          "%s runs only in synchronous rounds; add --sync",
                          alg->name);

    if (m->shape != DISCO_SHAPE_ANY && !has_shape(topo, m->shape))
        return disco_fail(err, DISCO_EMODEL, "%s needs %s; '%s' is not one",
                          alg->name, shape_name(m->shape), spec);
    if (m->undirected && topo->directed)
        return disco_fail(err, DISCO_EMODEL,
                          "%s needs bidirectional channels; '%s' is directed",
                          alg->name, spec);
    if (m->connected && !disco_topology_connected(topo))
        return disco_fail(err, DISCO_EMODEL,
                          "%s needs a connected network; '%s' is not "
                          "connected",
                          alg->name, spec);

    if (m->unique_ids && cfg->ids) {
        int64_t id = 0;
        uint32_t a = 0, b = 0;
        int found = find_duplicate(cfg->ids, topo->nodes, &id, &a, &b);
        if (found < 0)
            return disco_fail(err, found, "no memory to check %u ids",
                              topo->nodes);
        if (found)
            return disco_fail(err, DISCO_EMODEL,
                              "%s needs unique ids; duplicate id %lld at "
                              "nodes %u and %u",
                              alg->name, (long long)id, a, b);
    }

    /* A cut must name a link that exists (either direction on a digraph). */
    for (size_t i = 0; i < cfg->fault_count; i++) {
        const struct disco_fault *f = &cfg->faults[i];
        if (f->node >= topo->nodes || f->peer >= topo->nodes)
            return disco_fail(err, DISCO_EINVAL,
                              "fault at node %u: not a node (0..%u)",
                              f->node >= topo->nodes ? f->node : f->peer,
                              topo->nodes ? topo->nodes - 1 : 0);
        if (f->kind != DISCO_FAULT_LINK_DOWN && f->kind != DISCO_FAULT_LINK_UP)
            continue;
        if (disco_topology_find(topo, f->node, f->peer) == UINT32_MAX &&
            disco_topology_find(topo, f->peer, f->node) == UINT32_MAX)
            return disco_fail(err, DISCO_EINVAL,
                              "cannot cut %u-%u: there is no such link in "
                              "'%s'",
                              f->node, f->peer, spec);
    }

    /* Soft mismatches: the run goes ahead, the proof does not. */
    char line[256];
    if (m->fifo && !cfg->fifo) {
        snprintf(line, sizeof line,
                 "%s assumes FIFO channels; running with --no-fifo anyway",
                 alg->name);
        add_warning(warning, warning_len, line);
    } else if (m->fifo && cfg->channel.fifo) {
        for (uint32_t c = 0; c < topo->channels; c++) {
            if (cfg->channel.fifo[c] == 0) {
                snprintf(line, sizeof line,
                         "%s assumes FIFO channels; running with non-FIFO "
                         "channels from the scenario anyway",
                         alg->name);
                add_warning(warning, warning_len, line);
                break;
            }
        }
    }
    if (tolerates_no_faults(alg)) {
        bool loss = cfg->loss > 0, dup = cfg->dup > 0;
        for (uint32_t c = 0; !loss && cfg->channel.loss && c < topo->channels;
             c++)
            loss = cfg->channel.loss[c] > 0;
        if (loss || dup) {
            snprintf(line, sizeof line,
                     "%s assumes reliable channels; running with message %s "
                     "anyway",
                     alg->name,
                     loss && dup ? "loss and duplication"
                     : loss      ? "loss"
                                 : "duplication");
            add_warning(warning, warning_len, line);
        }
        if (cfg->fault_count) {
            snprintf(line, sizeof line,
                     "%s tolerates no faults; running with the scheduled "
                     "faults anyway",
                     alg->name);
            add_warning(warning, warning_len, line);
        }
    }
    return 0;
}
