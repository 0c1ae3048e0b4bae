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
#include "internal.h"

/* Delays, ids and times stay below this so that `now + delay` and the width
 * of a uniform range never wrap around. */
#define LIMIT_TICKS ((uint64_t)INT64_MAX)
/* Largest mean of an exponential law (ticks). */
#define LIMIT_MEAN 1e15

/* ------------------------------------------------------------------------ */
/* Small text helpers.                                                      */

bool disco_is_plain_decimal(const char *s, size_t len)
{
    bool digits = false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits = true;
        else if (s[i] != '.' && s[i] != 'e' && s[i] != 'E' && s[i] != '+' &&
                 s[i] != '-')
            return false;
    }
    return digits;
}

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

/* The index of the word [s, end) in `words`, or -1.  Every name table of
 * this file is looked up here, so that a keyword matches the same way
 * (whole word, case-sensitive) in every option. */
static int find_word(const char *s, const char *end, const char *const *words,
                     size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (span_is(s, end, words[i]))
            return (int)i;
    return -1;
}

/* A keyword that is not one of `words`: suggest, or list them.  `owner`,
 * when not NULL, names whose keyword it is ("... for ALG"). */
static int unknown_word(struct disco_error *err, const char *what,
                        const char *text, const char *owner,
                        const char *const *words, size_t count,
                        const char *known)
{
    const char *of = owner ? " for " : "", *whose = owner ? owner : "";
    const char *guess = disco_suggest(text, words, count);
    if (guess)
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown %s '%s'%s%s (did you mean '%s'?)", what,
                          text, of, whose, guess);
    return disco_fail(err, DISCO_EUNKNOWN, "unknown %s '%s'%s%s (known: %s)",
                      what, text, of, whose, known);
}

/* "on"/"true"/"yes" and "off"/"false"/"no". */
static bool parse_switch(const char *s, const char *end, int64_t *out)
{
    /* The three "on" words, then the three "off" ones. */
    static const char *const words[] = {"on",  "true",  "yes",
                                        "off", "false", "no"};
    int i = find_word(s, end, words, 6);
    if (i < 0)
        return false;
    *out = i < 3;
    return true;
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

/* A node index in [s, end) of `option` '`text`'; `who` opens the message
 * when it is out of range ("initiator 9 is not a node (0..7)"). */
static int node_index(const char *s, const char *end, uint32_t nodes,
                      const char *option, const char *text, const char *who,
                      uint32_t *out, struct disco_error *err)
{
    uint64_t node;
    if (parse_whole(s, end, UINT32_MAX, &node) != NUMBER_OK)
        return disco_fail(err, DISCO_EINVAL,
                          "bad %s '%s': '%.*s' is not a node index", option,
                          text, (int)(end - s), s);
    if (node >= nodes) {
        if (nodes == 0)
            return disco_fail(err, DISCO_EINVAL,
                              "%s %llu is not a node (the network is empty)",
                              who, (unsigned long long)node);
        return disco_fail(err, DISCO_EINVAL, "%s %llu is not a node (0..%u)",
                          who, (unsigned long long)node, nodes - 1);
    }
    *out = (uint32_t)node;
    return 0;
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
    int law = find_word(text, law_end, delay_laws, 3);
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
        return unknown_word(err, "delay law", name, NULL, delay_laws, 3,
                            "const, uniform, exp");
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
        /* The number syntax of --loss and --dup, the whole text. */
        bool plain = disco_is_plain_decimal(args, (size_t)(end - args));
        char *stop = NULL;
        errno = 0;
        double mean = plain ? strtod(args, &stop) : 0;
        if (!plain || stop != end)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': MEAN must be a number of ticks",
                              text);
        if (errno == ERANGE && (mean > 1 || mean < -1))
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': MEAN is too large", text);
        if (!(mean > 0))
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': MEAN must be positive", text);
        parsed.mean = mean;
        if (parsed.mean > LIMIT_MEAN)
            return disco_fail(err, DISCO_EINVAL,
                              "bad delay '%s': MEAN is too large", text);
        break;
    }
    }
    *delay = parsed;
    return 0;
}

/* The longest delay a law can draw (exp: -ln of the smallest 1 - u, 2^-53,
 * is 36.8 means), or UINT64_MAX when it is not below 2^63. */
disco_time_t disco__delay_max(const struct disco_delay *law)
{
    switch (law->kind) {
    case DISCO_DELAY_CONST:
        return law->a;
    case DISCO_DELAY_UNIFORM:
        return law->b;
    case DISCO_DELAY_EXP:
        return law->mean * 37.0 < 0x1.0p62 ? (disco_time_t)(law->mean * 37.0) + 1
                                           : UINT64_MAX;
    }
    return UINT64_MAX;
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
    case DISCO_DELAY_EXP: {
        /* The shortest text that reads back as the same mean: %g's six
         * digits turned a scenario's exp:1234567 into exp:1.23457e+06. */
        int digits = 6;
        for (; digits < 17; digits++) {
            char text[40];
            snprintf(text, sizeof text, "%.*g", digits, delay->mean);
            if (strtod(text, NULL) == delay->mean)
                break;
        }
        snprintf(buf, len, "exp:%.*g", digits, delay->mean);
        break;
    }
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
    /* 2^24 receives and sends: at most 128 MB of log (192 MB beyond 2^20
     * nodes, where entries do not pack), and 64 MB of send positions when
     * a trace runs too; enough for every teaching-size run and for echo on
     * 10^6 nodes (8 * 10^6 messages); a run of 10^7 nodes goes over it
     * early, before its queue has grown, and checks without it. */
    cfg->causal_log_limit = (uint64_t)1 << 24;
    if (!alg)
        return;
    cfg->sync = alg->model.sync_by_default;
    /* The algorithm's own detector; --detector (none too) overrides it.  A
     * bad default is the module's bug, caught by test_registry's runs. */
    if (alg->model.detector) {
        struct disco_error ignored;
        disco_detector_parse(cfg, alg->model.detector, &ignored);
    }
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
    if (cfg->channel_rounds)
        for (size_t c = 0; c < cfg->channel_round_count; c++)
            free(cfg->channel_rounds[c]);
    free(cfg->channel_rounds);
    free(cfg->partition_side);
    free(cfg->partition_one_way);
    free(cfg->byzantine);
    cfg->channel_rounds = NULL;
    cfg->channel_round_count = 0;
    cfg->partition_side = NULL;
    cfg->partition_one_way = NULL;
    cfg->partition_count = 0;
    cfg->byzantine = NULL;
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
    int order = find_word(text, text + strlen(text), orders, 3);
    if (!list && order < 0)
        return unknown_word(err, "ids order", text, NULL, orders, 3,
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
    int word = find_word(text, text + strlen(text), words, 2);
    bool all = word == 0, none = word == 1;
    if (!all && !none && !starts_list(text))
        return unknown_word(err, "initiators", text, NULL, words, 2,
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
            uint32_t node;
            int rc = node_index(s, end, nodes, "--initiators", text,
                                "initiator", &node, err);
            if (rc) {
                free(marks);
                return rc;
            }
            if (marks[node]) { /* a slip, most likely: say so */
                free(marks);
                return disco_fail(err, DISCO_EINVAL,
                                  "bad --initiators '%s': node %u is listed "
                                  "twice",
                                  text, node);
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

const struct disco_input_decl *disco_input_find(
    const struct disco_algorithm *alg, const char *name)
{
    for (unsigned i = 0; alg && i < alg->input_count; i++)
        if (!strcmp(alg->inputs[i].name, name))
            return &alg->inputs[i];
    return NULL;
}

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
    const char *names[sizeof cfg->params / sizeof cfg->params[0]];
    for (unsigned i = 0; i < count; i++)
        names[i] = alg->params[i].name;
    int index = find_word(text, eq, names, count);

    if (index < 0) {
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - text), text);
        if (count == 0)
            return disco_fail(err, DISCO_EUNKNOWN,
                              "unknown parameter '%s' for %s (it takes none)",
                              key, alg->name);
        char known[256] = "";
        size_t used = 0;
        for (unsigned i = 0; i < count && used < sizeof known; i++) {
            int n = snprintf(known + used, sizeof known - used, "%s%s",
                             i ? ", " : "", names[i]);
            if (n < 0)
                break;
            used += (size_t)n;
        }
        return unknown_word(err, "parameter", key, alg->name, names, count,
                            known);
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
/* Append faults built aside (the config is touched only on success). */
static int append_faults(struct disco_config *cfg,
                         const struct disco_fault *added, size_t n,
                         struct disco_error *err)
{
    if (cfg->fault_count > SIZE_MAX / sizeof *cfg->faults - n - 1)
        return disco_fail(err, DISCO_ENOMEM, "too many faults");
    struct disco_fault *all =
        realloc(cfg->faults, (cfg->fault_count + n + 1) * sizeof *all);
    if (!all)
        return disco_fail(err, DISCO_ENOMEM, "no memory for %zu faults",
                          cfg->fault_count + n);
    memcpy(all + cfg->fault_count, added, n * sizeof *added);
    cfg->faults = all;
    cfg->fault_count += n;
    return 0;
}

/* Faults.                                                                  */

/* The option that schedules faults of `kind`, as messages name it: the one
 * place the fault parsers take their option's name from.  No default, so
 * that a new kind without its option fails to compile (-Wswitch). */
static const char *fault_option(enum disco_fault_kind kind)
{
    switch (kind) {
    case DISCO_FAULT_CRASH:
        return "--crash";
    case DISCO_FAULT_RECOVER:
        return "--recover";
    case DISCO_FAULT_LINK_DOWN:
    case DISCO_FAULT_LINK_UP:
        return "--cut";
    case DISCO_FAULT_OMIT_SEND:
        return "--omit-send";
    case DISCO_FAULT_OMIT_RECEIVE:
        return "--omit-receive";
    case DISCO_FAULT_PARTITION:
        return "--partition";
    case DISCO_FAULT_DELAY:
        return "--delay-change";
    }
    return "--cut"; /* not reached: every kind is named above */
}

/* A fault's node: out of range, it is the "crash node 9" of --crash. */
static int fault_node(const char *s, const char *end, uint32_t nodes,
                      const char *option, const char *text, uint32_t *out,
                      struct disco_error *err)
{
    char who[64];
    snprintf(who, sizeof who, "%s node", option + 2);
    return node_index(s, end, nodes, option, text, who, out, err);
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

/* "T" or "T1:T2" (T2 missing: forever) in [s, end). */
static int parse_window(const char *s, const char *end, const char *option,
                        const char *text, disco_time_t *from,
                        disco_time_t *until, struct disco_error *err)
{
    const char *colon = find_in(s, end, ':');
    int rc = fault_time(s, colon ? colon : end, option, text, from, err);
    *until = UINT64_MAX;
    if (!rc && colon)
        rc = fault_time(colon + 1, end, option, text, until, err);
    if (!rc && *until <= *from)
        rc = disco_fail(err, DISCO_EINVAL,
                        "bad %s '%s': the window must end after it starts",
                        option, text);
    return rc;
}

/* A probability in [0, 1] in [s, end) of `option` '`text`'. */
static int parse_probability(const char *s, const char *end, const char *option,
                             const char *text, double *out,
                             struct disco_error *err)
{
    char buf[64];
    size_t len = (size_t)(end - s);
    bool ok = len < sizeof buf && disco_is_plain_decimal(s, len);
    double p = 0;
    if (ok) {
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *stop;
        errno = 0;
        p = strtod(buf, &stop);
        ok = !*stop && !errno && p >= 0 && p <= 1;
    }
    if (!ok)
        return disco_fail(err, DISCO_EINVAL,
                          "bad %s '%s': '%.*s' is not a probability in "
                          "[0, 1]",
                          option, text, (int)(end - s), s);
    *out = p;
    return 0;
}

/* A fault list being parsed: what its items say, and where messages point. */
struct fault_list {
    enum disco_fault_kind kind;
    const char *option; /* as typed: "--crash" */
    const char *text;   /* the whole list, which messages quote */
    uint32_t nodes;
};

/* One item in [s, end) into out[] (as many faults as its grammar makes). */
typedef int fault_item_parser(const struct fault_list *l, const char *s,
                              const char *end, struct disco_fault *out,
                              struct disco_error *err);

/* "NODE@T", and for a crash "NODE@T+K": one fault. */
static int node_at_item(const struct fault_list *l, const char *s,
                        const char *end, struct disco_fault *out,
                        struct disco_error *err)
{
    const char *at = find_in(s, end, '@');
    struct disco_fault f = {.kind = l->kind};
    if (!at)
        return disco_fail(err, DISCO_EINVAL, "bad %s '%s': expected NODE@T",
                          l->option, l->text);
    int rc = fault_node(s, at, l->nodes, l->option, l->text, &f.node, err);
    /* NODE@T+K: crash in the middle of a step, after K sends. */
    const char *plus =
        l->kind == DISCO_FAULT_CRASH ? find_in(at + 1, end, '+') : NULL;
    if (!rc)
        rc = fault_time(at + 1, plus ? plus : end, l->option, l->text, &f.time,
                        err);
    if (!rc && plus) {
        uint64_t sends = 0;
        if (parse_whole(plus + 1, end, UINT32_MAX - 1, &sends) != NUMBER_OK)
            rc = disco_fail(err, DISCO_EINVAL,
                            "bad --crash '%s': '%.*s' is not a number of "
                            "sends",
                            l->text, (int)(end - plus - 1), plus + 1);
        f.partial = true;
        f.after_sends = (uint32_t)sends;
    }
    f.peer = f.node;
    out[0] = f;
    return rc;
}

/* "A-B@T1:T2": two faults, the link going down and coming up again. */
static int cut_item(const struct fault_list *l, const char *s, const char *end,
                    struct disco_fault *out, struct disco_error *err)
{
    const char *at = find_in(s, end, '@');
    const char *dash = at ? find_in(s, at, '-') : NULL;
    const char *colon = at ? find_in(at + 1, end, ':') : NULL;
    if (!at || !dash || !colon)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --cut '%s': expected A-B@T1:T2", l->text);
    struct disco_fault down = {.kind = DISCO_FAULT_LINK_DOWN};
    struct disco_fault up = {.kind = DISCO_FAULT_LINK_UP};
    int rc = fault_node(s, dash, l->nodes, l->option, l->text, &down.node, err);
    if (!rc)
        rc = fault_node(dash + 1, at, l->nodes, l->option, l->text, &down.peer,
                        err);
    if (!rc)
        rc = fault_time(at + 1, colon, l->option, l->text, &down.time, err);
    if (!rc)
        rc = fault_time(colon + 1, end, l->option, l->text, &up.time, err);
    if (!rc && down.node == down.peer)
        rc = disco_fail(err, DISCO_EINVAL,
                        "bad --cut '%s': a link joins two different nodes",
                        l->text);
    if (!rc && down.time >= up.time)
        rc = disco_fail(err, DISCO_EINVAL,
                        "bad --cut '%s': T1 must be before T2", l->text);
    up.node = down.node;
    up.peer = down.peer;
    out[0] = down;
    out[1] = up;
    return rc;
}

/* "NODE@T[:T2][/P]": one omission fault. */
static int omission_item(const struct fault_list *l, const char *s,
                         const char *end, struct disco_fault *out,
                         struct disco_error *err)
{
    const char *at = find_in(s, end, '@');
    const char *slash = find_in(s, end, '/');
    struct disco_fault f = {.kind = l->kind, .probability = 1};
    if (!at || (slash && slash < at))
        return disco_fail(err, DISCO_EINVAL,
                          "bad %s '%s': expected NODE@T[:T2][/P]", l->option,
                          l->text);
    int rc = fault_node(s, at, l->nodes, l->option, l->text, &f.node, err);
    if (!rc)
        rc = parse_window(at + 1, slash ? slash : end, l->option, l->text,
                          &f.time, &f.until, err);
    if (!rc && slash)
        rc = parse_probability(slash + 1, end, l->option, l->text,
                               &f.probability, err);
    f.peer = f.node;
    out[0] = f;
    return rc;
}

/* Every item of the list parsed aside by `parse` (`per_item` faults each),
 * then all appended at once, so that a bad item, the first of which is
 * reported, leaves the schedule as it was. */
static int parse_fault_list(struct disco_config *cfg,
                            const struct fault_list *l,
                            fault_item_parser *parse, size_t per_item,
                            struct disco_error *err)
{
    size_t adding = per_item * list_count(l->text);
    if (cfg->fault_count > SIZE_MAX / sizeof *cfg->faults - adding)
        return disco_fail(err, DISCO_ENOMEM, "too many faults");
    struct disco_fault *added = malloc(adding * sizeof *added);
    if (!added)
        return disco_fail(err, DISCO_ENOMEM, "no memory for %zu faults",
                          adding);

    size_t n = 0;
    int rc = 0;
    for (const char *s = l->text; !rc;) {
        const char *end = item_end(s);
        rc = parse(l, s, end, added + n, err);
        n += per_item;
        if (!*end)
            break;
        s = end + 1;
    }
    if (!rc)
        rc = append_faults(cfg, added, n, err);
    free(added);
    return rc;
}

int disco_faults_parse(struct disco_config *cfg, enum disco_fault_kind kind,
                       const char *text, uint32_t nodes,
                       struct disco_error *err)
{
    struct fault_list l = {kind, fault_option(kind), text ? text : "", nodes};
    if (kind == DISCO_FAULT_LINK_DOWN || kind == DISCO_FAULT_LINK_UP)
        return parse_fault_list(cfg, &l, cut_item, 2, err);
    return parse_fault_list(cfg, &l, node_at_item, 1, err);
}

int disco_omission_parse(struct disco_config *cfg, enum disco_fault_kind kind,
                         const char *text, uint32_t nodes,
                         struct disco_error *err)
{
    struct fault_list l = {kind, fault_option(kind), text ? text : "", nodes};
    return parse_fault_list(cfg, &l, omission_item, 1, err);
}

/* A node set "0-3,7" in [s, end) into side[] (value `mark`). */
static int parse_node_set(const char *s, const char *end, uint32_t nodes,
                          const char *text, unsigned char *side,
                          unsigned char mark, struct disco_error *err)
{
    while (s < end) {
        const char *item = find_in(s, end, ',');
        if (!item)
            item = end;
        const char *dash = find_in(s, item, '-');
        uint64_t lo, hi;
        if (parse_whole(s, dash ? dash : item, UINT32_MAX, &lo) != NUMBER_OK ||
            (dash && parse_whole(dash + 1, item, UINT32_MAX, &hi) != NUMBER_OK))
            return disco_fail(err, DISCO_EINVAL,
                              "bad --partition '%s': '%.*s' is not a node or "
                              "a range A-B",
                              text, (int)(item - s), s);
        if (!dash)
            hi = lo;
        if (lo > hi || hi >= nodes)
            return disco_fail(err, DISCO_EINVAL,
                              "bad --partition '%s': '%.*s' is not within "
                              "the nodes 0..%u",
                              text, (int)(item - s), s, nodes ? nodes - 1 : 0);
        for (uint64_t v = lo; v <= hi; v++) {
            if (side[v] && side[v] != mark)
                return disco_fail(err, DISCO_EINVAL,
                                  "bad --partition '%s': node %llu is on "
                                  "both sides",
                                  text, (unsigned long long)v);
            side[v] = mark;
        }
        s = item < end ? item + 1 : end;
    }
    return 0;
}

int disco_partition_parse(struct disco_config *cfg, const char *text,
                          uint32_t nodes, struct disco_error *err)
{
    if (!text)
        text = "";
    const char *end = text + strlen(text);
    const char *at = find_in(text, end, '@');
    if (!at || nodes == 0)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --partition '%s': expected A|B@T1:T2 or "
                          "A>B@T1:T2",
                          text);
    const char *bar = find_in(text, at, '|');
    const char *arrow = find_in(text, at, '>');
    const char *split = bar ? bar : arrow;
    if (bar && arrow)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --partition '%s': use '|' (both ways) or '>' "
                          "(one way), not both",
                          text);
    if (cfg->partition_count >= 1024)
        return disco_fail(err, DISCO_ELIMIT, "at most 1024 partitions");
    unsigned char *side = calloc(nodes, 1);
    if (!side)
        return disco_fail(err, DISCO_ENOMEM, "no memory for a partition");
    int rc = parse_node_set(text, split ? split : at, nodes, text, side, 1,
                            err);
    bool rest = !split || split + 1 == at;
    if (!rc && !rest)
        rc = parse_node_set(split + 1, at, nodes, text, side, 2, err);
    if (!rc && rest)
        for (uint32_t v = 0; v < nodes; v++)
            if (!side[v])
                side[v] = 2;
    bool a = false, b = false;
    for (uint32_t v = 0; !rc && v < nodes; v++) {
        a |= side[v] == 1;
        b |= side[v] == 2;
    }
    if (!rc && (!a || !b))
        rc = disco_fail(err, DISCO_EINVAL,
                        "bad --partition '%s': each side needs a node", text);
    struct disco_fault f = {.kind = DISCO_FAULT_PARTITION,
                            .partition = (uint32_t)cfg->partition_count};
    if (!rc)
        rc = parse_window(at + 1, end, fault_option(f.kind), text, &f.time,
                          &f.until, err);
    size_t count = cfg->partition_count + 1;
    unsigned char *sides = NULL, *one_way = NULL;
    if (!rc) {
        sides = realloc(cfg->partition_side, count * nodes);
        if (sides)
            cfg->partition_side = sides;
        one_way = sides ? realloc(cfg->partition_one_way, count) : NULL;
        if (one_way)
            cfg->partition_one_way = one_way;
        if (!sides || !one_way)
            rc = disco_fail(err, DISCO_ENOMEM, "no memory for a partition");
    }
    if (!rc)
        rc = append_faults(cfg, &f, 1, err);
    if (!rc) {
        memcpy(sides + (count - 1) * nodes, side, nodes);
        one_way[count - 1] = arrow != NULL;
        cfg->partition_count = count;
    }
    free(side);
    return rc;
}

int disco_delay_change_parse(struct disco_config *cfg, const char *text,
                             struct disco_error *err)
{
    if (!text)
        text = "";
    const char *at = strrchr(text, '@');
    if (!at)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --delay-change '%s': expected LAW@T", text);
    char law[128];
    if ((size_t)(at - text) >= sizeof law)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --delay-change '%s': law too long", text);
    memcpy(law, text, (size_t)(at - text));
    law[at - text] = '\0';
    struct disco_fault f = {.kind = DISCO_FAULT_DELAY};
    int rc = disco_delay_parse(&f.delay, law, err);
    if (!rc)
        rc = fault_time(at + 1, at + strlen(at), fault_option(f.kind), text,
                        &f.time, err);
    if (!rc)
        rc = append_faults(cfg, &f, 1, err);
    return rc;
}

int disco_byzantine_parse(struct disco_config *cfg, const char *text,
                          uint32_t nodes, struct disco_error *err)
{
    if (!text || !*text || !starts_list(text))
        return disco_fail(err, DISCO_EINVAL,
                          "bad --byzantine '%s': expected a list of nodes, "
                          "e.g. 0,3",
                          text ? text : "");
    unsigned char *marks = calloc(nodes ? nodes : 1, 1);
    if (!marks)
        return disco_fail(err, DISCO_ENOMEM, "no memory for %u nodes", nodes);
    for (const char *s = text;;) {
        const char *end = item_end(s);
        uint64_t node;
        if (parse_whole(s, end, UINT32_MAX, &node) != NUMBER_OK ||
            node >= nodes) {
            free(marks);
            return disco_fail(err, DISCO_EINVAL,
                              "bad --byzantine '%s': '%.*s' is not a node "
                              "(0..%u)",
                              text, (int)(end - s), s, nodes ? nodes - 1 : 0);
        }
        if (marks[node]) { /* as --initiators: a slip, most likely */
            free(marks);
            return disco_fail(err, DISCO_EINVAL,
                              "bad --byzantine '%s': node %llu is listed "
                              "twice",
                              text, (unsigned long long)node);
        }
        marks[node] = 1;
        if (!*end)
            break;
        s = end + 1;
    }
    free(cfg->byzantine);
    cfg->byzantine = marks;
    if (!cfg->strategy[0])
        snprintf(cfg->strategy, sizeof cfg->strategy, "silent");
    return 0;
}

int disco_detector_parse(struct disco_config *cfg, const char *text,
                         struct disco_error *err)
{
    static const char *const words[] = {"perfect", "eventually-perfect",
                                        "eventually-strong", "none"};
    /* The textbook symbols of the first three, never suggested. */
    static const char *const symbols[] = {"P", "<>P", "<>S"};
    static const enum disco_detector_kind kinds[] = {
        DISCO_DETECTOR_PERFECT, DISCO_DETECTOR_EVENTUALLY_PERFECT,
        DISCO_DETECTOR_EVENTUALLY_STRONG, DISCO_DETECTOR_NONE};
    if (!text)
        text = "";
    const char *end = text + strlen(text);
    const char *colon = find_in(text, end, ':');
    const char *name_end = colon ? colon : end;
    int word = find_word(text, name_end, words, 4);
    if (word < 0)
        word = find_word(text, name_end, symbols, 3);
    if (word < 0) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(name_end - text), text);
        return unknown_word(err, "failure detector", name, NULL, words, 4,
                            "perfect, eventually-perfect:T, "
                            "eventually-strong:T, none");
    }
    enum disco_detector_kind kind = kinds[word];
    disco_time_t stable = 0, period = 0;
    int rc = 0;
    if (colon) {
        const char *second = find_in(colon + 1, end, ':');
        rc = fault_time(colon + 1, second ? second : end, "--detector", text,
                        &stable, err);
        if (!rc && second)
            rc = fault_time(second + 1, end, "--detector", text, &period,
                            err);
        if (!rc && second && period == 0)
            rc = disco_fail(err, DISCO_EINVAL,
                            "bad --detector '%s': the period must be at "
                            "least 1",
                            text);
    }
    if (rc)
        return rc;
    if (colon && (kind == DISCO_DETECTOR_PERFECT || kind == DISCO_DETECTOR_NONE))
        return disco_fail(err, DISCO_EINVAL,
                          "bad --detector '%s': only the eventual detectors "
                          "take a stabilisation time",
                          text);
    cfg->detector = kind;
    cfg->detector_stable = stable;
    cfg->detector_period = period;
    return 0;
}

int disco_dynamic_parse(struct disco_config *cfg, const char *text,
                        struct disco_error *err)
{
    static const char *const words[] = {"rooted", "nonsplit", "remove",
                                        "none"};
    static const enum disco_dynamic_kind kinds[] = {
        DISCO_DYNAMIC_ROOTED, DISCO_DYNAMIC_NONSPLIT, DISCO_DYNAMIC_REMOVE,
        DISCO_DYNAMIC_NONE};
    if (!text)
        text = "";
    const char *end = text + strlen(text);
    const char *colon = find_in(text, end, ':');
    const char *name_end = colon ? colon : end;
    int word = find_word(text, name_end, words, 4);
    /* Refused before it is given a kind, so that no branch below can take
     * an unknown word for a known one. */
    if (word < 0) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(name_end - text), text);
        return unknown_word(err, "dynamic network", name, NULL, words, 4,
                            "rooted[:P], nonsplit[:P], remove:K, none");
    }
    enum disco_dynamic_kind kind = kinds[word];
    if (kind == DISCO_DYNAMIC_NONE) {
        if (colon)
            return disco_fail(err, DISCO_EINVAL,
                              "bad --dynamic '%s': none takes no argument",
                              text);
        cfg->dynamic = DISCO_DYNAMIC_NONE;
        return 0;
    }
    if (kind == DISCO_DYNAMIC_REMOVE) {
        uint64_t k;
        if (!colon || parse_whole(colon + 1, end, UINT32_MAX, &k) != NUMBER_OK)
            return disco_fail(err, DISCO_EINVAL,
                              "bad --dynamic '%s': expected remove:K, K edges "
                              "removed per round",
                              text);
        cfg->dynamic = DISCO_DYNAMIC_REMOVE;
        cfg->dynamic_k = (uint32_t)k;
        return 0;
    }
    double p = kind == DISCO_DYNAMIC_NONSPLIT ? 0.5 : 0;
    if (colon) {
        int rc = parse_probability(colon + 1, end, "--dynamic", text, &p, err);
        if (rc)
            return rc;
    }
    cfg->dynamic = kind;
    cfg->dynamic_p = p;
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

/* The first node i with no channel to node i+1 mod N, or UINT32_MAX. */
static uint32_t first_missing_ring_link(const struct disco_topology *t)
{
    for (uint32_t v = 0; t->nodes > 1 && v < t->nodes; v++)
        if (disco_topology_find(t, v, (v + 1) % t->nodes) == UINT32_MAX)
            return v;
    return UINT32_MAX;
}

static bool all_degrees(const struct disco_topology *t, uint32_t degree)
{
    for (uint32_t v = 0; v < t->nodes; v++)
        if (disco_topology_degree(t, v) != degree)
            return false;
    return true;
}

/* A channel from every node i to node i+1 mod N; on one node none is
 * needed. */
static bool ring_in_order(const struct disco_topology *t)
{
    return first_missing_ring_link(t) == UINT32_MAX;
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
    case DISCO_SHAPE_ANY_RING:
        return has_shape(t, DISCO_SHAPE_URING) ||
               has_shape(t, DISCO_SHAPE_RING);
    case DISCO_SHAPE_NUMBERED_RING:
        return is_uring(t) ||
               (has_shape(t, DISCO_SHAPE_RING) && ring_in_order(t));
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
    case DISCO_SHAPE_ANY_RING:
        return "a ring (uring:N or ring:N)";
    case DISCO_SHAPE_NUMBERED_RING:
        return "a ring (uring:N, or ring:N with node i linked to node i+1 "
               "mod n)";
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

/* The value the run gives the algorithm's parameter `name`; false, and
 * *value untouched, when there is no such parameter (test_registry checks
 * that every name a model gives is one) or the config holds too few. */
static bool param_value(const struct disco_algorithm *alg,
                        const struct disco_config *cfg, const char *name,
                        int64_t *value)
{
    unsigned count = alg->param_count;
    if (count > sizeof cfg->params / sizeof cfg->params[0])
        count = sizeof cfg->params / sizeof cfg->params[0];
    for (unsigned i = 0; i < count; i++) {
        if (!strcmp(alg->params[i].name, name)) {
            *value = cfg->params[i];
            return true;
        }
    }
    return false;
}

/* The longest delay a run can draw: its law, the laws a scenario gives its
 * channels, and those --delay-change switches to. */
static uint64_t run_delay_max(const struct disco_topology *topo,
                              const struct disco_config *cfg)
{
    uint64_t longest = disco__delay_max(&cfg->delay);
    for (uint32_t c = 0; cfg->channel.delay && c < topo->channels; c++) {
        uint64_t d = cfg->channel.use_delay[c]
                         ? disco__delay_max(&cfg->channel.delay[c])
                         : 0;
        longest = d > longest ? d : longest;
    }
    for (size_t i = 0; i < cfg->fault_count; i++) {
        if (cfg->faults[i].kind != DISCO_FAULT_DELAY)
            continue;
        uint64_t d = disco__delay_max(&cfg->faults[i].delay);
        longest = d > longest ? d : longest;
    }
    return longest;
}

/* The soft mismatch of an asynchronous run whose delays can reach the
 * bound the algorithm assumes (disco_model.delay_below_param): a bully
 * whose timeout is shorter than a round trip sees coordinators come and
 * go, and its run may never end. */
static void warn_delay_bound(const struct disco_algorithm *alg,
                             const struct disco_topology *topo,
                             const struct disco_config *cfg, char *warning,
                             size_t warning_len)
{
    const struct disco_model *m = &alg->model;
    if (!m->delay_below_param || cfg->sync)
        return;
    /* (test_registry checks that the name is one of the parameters.) */
    int64_t limit = 0;
    param_value(alg, cfg, m->delay_below_param, &limit);
    uint64_t divisor = m->delay_below_divisor ? m->delay_below_divisor : 1;
    uint64_t longest = run_delay_max(topo, cfg);
    /* Every delay d must have d * divisor < limit. */
    if (limit > 0 && longest < ((uint64_t)limit + divisor - 1) / divisor)
        return;
    char bound[64], reach[64], line[256];
    if (divisor > 1)
        snprintf(bound, sizeof bound, "%s/%llu", m->delay_below_param,
                 (unsigned long long)divisor);
    else
        snprintf(bound, sizeof bound, "%s", m->delay_below_param);
    /* (The exponential law draws at most 36.8 means: disco__delay_max.) */
    if (longest == UINT64_MAX)
        snprintf(reach, sizeof reach, "delays beyond 2^63 ticks");
    else
        snprintf(reach, sizeof reach, "delays up to %llu ticks",
                 (unsigned long long)longest);
    snprintf(line, sizeof line,
             "%s assumes every delay below %s (%s=%lld); running with %s "
             "anyway, and the run may not end (--param %s, --max-events)",
             alg->name, bound, m->delay_below_param, (long long)limit, reach,
             m->delay_below_param);
    add_warning(warning, warning_len, line);
}

/* Whether the node of crash or recovery cfg->faults[i] is down just
 * before it: more of its crashes than recoveries earlier, where one of the
 * same kind at the same tick counts too (a duplicate) and one of the other
 * kind there does not (it comes after). */
static bool down_before(const struct disco_config *cfg, size_t i)
{
    const struct disco_fault *x = &cfg->faults[i];
    long balance = 0;
    for (size_t j = 0; j < cfg->fault_count; j++) {
        const struct disco_fault *f = &cfg->faults[j];
        if (j == i || f->node != x->node || f->time > x->time ||
            (f->kind != DISCO_FAULT_CRASH && f->kind != DISCO_FAULT_RECOVER) ||
            (f->time == x->time && f->kind != x->kind))
            continue;
        balance += f->kind == DISCO_FAULT_CRASH ? 1 : -1;
    }
    return balance > 0;
}

void disco_model_resilience_text(const struct disco_model *model, char *buf,
                                 size_t len)
{
    unsigned k = model->resilience_factor ? model->resilience_factor : 1;
    if (!model->resilience_param)
        snprintf(buf, len, "%s", "");
    else if (k > 1)
        snprintf(buf, len, "n > %u%s", k, model->resilience_param);
    else
        snprintf(buf, len, "%s < n", model->resilience_param);
}

/* The soft mismatch of a topology too small for the faults the algorithm
 * is asked to tolerate (disco_model.resilience_param): om with m = 1 on 3
 * processes runs, and a traitor may break IC1, as the theorem says. */
static void warn_resilience(const struct disco_algorithm *alg,
                            const struct disco_topology *topo,
                            const struct disco_config *cfg, char *warning,
                            size_t warning_len)
{
    const struct disco_model *m = &alg->model;
    int64_t f = -1;
    if (!m->resilience_param ||
        !param_value(alg, cfg, m->resilience_param, &f) || f < 0)
        return;
    uint64_t k = m->resilience_factor ? m->resilience_factor : 1;
    if ((uint64_t)topo->nodes > k * (uint64_t)f)
        return;
    char bound[64], line[256];
    disco_model_resilience_text(m, bound, sizeof bound);
    snprintf(line, sizeof line,
             "%s assumes %s (%s=%lld); running on %u process%s anyway, and "
             "its properties may fail (--param %s)",
             alg->name, bound, m->resilience_param, (long long)f, topo->nodes,
             topo->nodes == 1 ? "" : "es", m->resilience_param);
    add_warning(warning, warning_len, line);
}

/* " (a->b has no b->a)": the first channel, by sender then port, whose
 * reverse is missing, named as the DOT file names its nodes (else by
 * index); "" when every channel has its reverse.  For the generated
 * unidirectional ring, whose every channel is one way, the ring that is
 * not: " (ring:N has channels both ways)". */
static void one_way_channel(const struct disco_topology *topo, char *buf,
                            size_t len)
{
    buf[0] = '\0';
    if (!topo->names && !strncmp(topo->spec, "uring:", 6)) {
        snprintf(buf, len, " (ring:%s has channels both ways)",
                 topo->spec + 6);
        return;
    }
    for (uint32_t u = 0; u < topo->nodes; u++) {
        for (uint32_t c = topo->out_offset[u]; c < topo->out_offset[u + 1];
             c++) {
            uint32_t v = topo->out_target[c];
            if (disco_topology_find(topo, v, u) != UINT32_MAX)
                continue;
            char a[24], b[24];
            snprintf(a, sizeof a, "%u", u);
            snprintf(b, sizeof b, "%u", v);
            const char *from = topo->names ? topo->names[u] : a;
            const char *to = topo->names ? topo->names[v] : b;
            snprintf(buf, len, " (%s->%s has no %s->%s)", from, to, to, from);
            return;
        }
    }
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
    if (m->undirected && topo->directed) {
        char hint[300];
        one_way_channel(topo, hint, sizeof hint);
        return disco_fail(err, DISCO_EMODEL,
                          "%s needs bidirectional channels; '%s' is "
                          "directed%s",
                          alg->name, spec, hint);
    }
    /* On a digraph "connected" means strongly: a path that is connected
     * only when read both ways would pass for one under the plain word. */
    if (m->connected && !disco_topology_connected(topo))
        return disco_fail(err, DISCO_EMODEL,
                          topo->directed
                              ? "%s needs a strongly connected network; "
                                "'%s' is directed and not strongly connected"
                              : "%s needs a connected network; '%s' is not "
                                "connected",
                          alg->name, spec);

    /* The implementation's limits, and the parameters that name a node. */
    if (m->max_nodes && topo->nodes > m->max_nodes)
        return disco_fail(err, DISCO_EMODEL,
                          "%s keeps at most %u processes; '%s' has %u",
                          alg->name, m->max_nodes, spec, topo->nodes);
    for (uint32_t v = 0; m->max_degree && v < topo->nodes; v++) {
        uint32_t out = disco_topology_degree(topo, v);
        uint32_t in = disco_topology_in_degree(topo, v);
        uint32_t degree = out > in ? out : in;
        if (degree > m->max_degree)
            return disco_fail(err, DISCO_EMODEL,
                              "%s keeps at most %u ports per process; node "
                              "%u of '%s' has %u",
                              alg->name, m->max_degree, v, spec, degree);
    }
    if (m->ring_order) {
        uint32_t v = first_missing_ring_link(topo);
        if (v != UINT32_MAX)
            return disco_fail(err, DISCO_EMODEL,
                              "%s needs a channel from every node i to node "
                              "i+1 mod n (its token's ring); '%s' has none "
                              "from node %u to node %u",
                              alg->name, spec, v, (v + 1) % topo->nodes);
    }
    for (size_t i = 0; i < sizeof m->node_params / sizeof m->node_params[0];
         i++) {
        int64_t node = -1;
        if (!m->node_params[i] ||
            !param_value(alg, cfg, m->node_params[i], &node))
            continue;
        if (node >= (int64_t)topo->nodes)
            return disco_fail(err, DISCO_EINVAL,
                              "--param %s=%lld: no node %lld (the topology "
                              "has %u node%s)",
                              m->node_params[i], (long long)node,
                              (long long)node, topo->nodes,
                              topo->nodes == 1 ? "" : "s");
    }

    /* Inputs given through the config (a scenario's are checked with the
     * file's names by disco_scenario_check_inputs, before they get here). */
    for (size_t i = 0; i < cfg->input_count; i++) {
        const struct disco_input_value *in = &cfg->inputs[i];
        const struct disco_input_decl *d = disco_input_find(alg, in->name);
        if (!d)
            return disco_fail(err, DISCO_EINVAL,
                              "node %u: %s reads no input '%s'", in->node,
                              alg->name, in->name);
        if (in->value < d->min || in->value > d->max)
            return disco_fail(err, DISCO_EINVAL,
                              "node %u: bad %s '%lld': %s must be between "
                              "%lld and %lld",
                              in->node, in->name, (long long)in->value,
                              in->name, (long long)d->min,
                              (long long)d->max);
    }

    if (m->unique_ids && cfg->ids) {
        int64_t id = 0;
        uint32_t a = 0, b = 0;
        int found = find_duplicate(cfg->ids, topo->nodes, &id, &a, &b);
        if (found < 0)
            return disco_fail(err, found, "no memory to check %u ids",
                              topo->nodes);
        if (found && topo->names) /* a DOT file's: its names, not indices */
            return disco_fail(err, DISCO_EMODEL,
                              "%s needs unique ids; duplicate id %lld at "
                              "nodes %s and %s",
                              alg->name, (long long)id, topo->names[a],
                              topo->names[b]);
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

    if (cfg->dynamic != DISCO_DYNAMIC_NONE && !cfg->sync)
        return disco_fail(err, DISCO_EMODEL,
                          "--dynamic draws a graph per round; it needs "
                          "synchronous rounds (--sync)");
    if (cfg->dynamic == DISCO_DYNAMIC_LISTED && !cfg->channel_rounds)
        return disco_fail(err, DISCO_EINVAL,
                          "no edge of '%s' lists its rounds", spec);
    if (cfg->strategy[0] && !cfg->byzantine)
        return disco_fail(err, DISCO_EINVAL,
                          "--strategy %s names no Byzantine node; add "
                          "--byzantine LIST",
                          cfg->strategy);
    if (cfg->byzantine) {
        int rc = disco__strategy_resolve(
            alg, cfg->strategy[0] ? cfg->strategy : "silent", NULL, err);
        if (rc)
            return rc;
    }

    /* A recovery needs its node down, and a crash its node up: else it
     * would do nothing, and the schedule says something else than the
     * user meant (--recover 1@5 with --crash 1@10, a node that never
     * crashes, --crash 1@100,1@200). */
    for (size_t i = 0; i < cfg->fault_count; i++) {
        const struct disco_fault *f = &cfg->faults[i];
        if (f->kind == DISCO_FAULT_CRASH && down_before(cfg, i))
            return disco_fail(err, DISCO_EINVAL,
                              "--crash %u@%llu: node %u is already down "
                              "then (crashes and recoveries of a node "
                              "alternate: --recover %u@T between them)",
                              f->node, (unsigned long long)f->time, f->node,
                              f->node);
        if (f->kind == DISCO_FAULT_RECOVER && !down_before(cfg, i))
            return disco_fail(err, DISCO_EINVAL,
                              "--recover %u@%llu: node %u is not down at "
                              "tick %llu (schedule a crash before it with "
                              "--crash %u@T, T < %llu)",
                              f->node, (unsigned long long)f->time, f->node,
                              (unsigned long long)f->time, f->node,
                              (unsigned long long)f->time);
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
    warn_delay_bound(alg, topo, cfg, warning, warning_len);
    warn_resilience(alg, topo, cfg, warning, warning_len);
    /* A detector the algorithm never asks: the modules that poll one
     * (disco_suspects) name the detector they assume. */
    if (cfg->detector != DISCO_DETECTOR_NONE && !m->detector) {
        snprintf(line, sizeof line,
                 "%s asks no failure detector; --detector changes nothing",
                 alg->name);
        add_warning(warning, warning_len, line);
    }
    if (tolerates_no_faults(alg)) {
        bool loss = cfg->loss > 0, dup = cfg->dup > 0;
        for (uint32_t c = 0; !loss && cfg->channel.loss && c < topo->channels;
             c++)
            loss = cfg->channel.loss[c] > 0;
        if (loss || dup) {
            /* Copies of copies can multiply round a ring or a relay for
             * ever (peterson's relays, hirschberg-sinclair's out tokens),
             * until the default bound of 10^9 events and gigabytes. */
            snprintf(line, sizeof line,
                     "%s assumes reliable channels; running with message %s "
                     "anyway%s",
                     alg->name,
                     loss && dup ? "loss and duplication"
                     : loss      ? "loss"
                                 : "duplication",
                     dup ? ", and the run may not end (--max-events)" : "");
            add_warning(warning, warning_len, line);
        }
        if (cfg->fault_count || cfg->byzantine) {
            snprintf(line, sizeof line,
                     "%s tolerates no faults; running with the scheduled "
                     "faults anyway",
                     alg->name);
            add_warning(warning, warning_len, line);
        }
    }
    return 0;
}
