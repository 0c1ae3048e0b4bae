/*
 * commands.c - `disco list`, `disco info` and `disco run`.
 */
#include "cli.h"

#include <string.h>

int cli_find_algorithm(const char *name, const struct disco_algorithm **alg,
                       struct disco_error *err)
{
    *alg = disco_algorithm_find(name);
    if (*alg)
        return 0;
    const char *names[256];
    size_t n = 0;
    for (size_t i = 0; i < disco_algorithm_count && n < 256; i++)
        names[n++] = disco_algorithms[i]->name;
    const char *best = disco_suggest(name, names, n);
    if (best)
        return disco_fail(err, DISCO_EUNKNOWN,
                          "unknown algorithm '%s' (did you mean '%s'?)", name,
                          best);
    return disco_fail(err, DISCO_EUNKNOWN,
                      "unknown algorithm '%s' (see 'disco list')", name);
}

/* ------------------------------------------------------------------------ */
/* list                                                                      */

enum { LIST_JSON, LIST_HELP };
static const struct cli_option list_options[] = {
    {"json", LIST_JSON, false, NULL, "print a JSON array"},
    {"help", LIST_HELP, false, NULL, "show this help"},
};

/* Algorithms of family "test" (planted bugs for the test suite) run like
 * any other but stay out of the list users read. */
static bool listed(const struct disco_algorithm *a)
{
    return strcmp(a->family, "test") != 0;
}

int cli_cmd_list(int argc, char **argv, struct disco_error *err)
{
    struct cli_args args = {argc, argv, 1, false};
    bool json = false;
    const struct cli_option *opt;
    const char *value;
    int kind;
    size_t count = sizeof list_options / sizeof list_options[0];
    while ((kind = cli_next_arg(&args, list_options, count, &opt, &value,
                                err)) != CLI_END) {
        if (kind < 0)
            return kind;
        if (kind == CLI_POSITIONAL)
            return disco_fail(err, DISCO_EINVAL,
                              "unexpected argument '%s' (disco list takes "
                              "none)",
                              value);
        if (opt->id == LIST_HELP) {
            printf("usage: disco list [--json]\n\n"
                   "Every algorithm disco teaches: name, family, summary.\n"
                   "planted-bug, a deliberately broken election for disco's "
                   "own tests,\nruns but is not listed.\n\n");
            cli_print_options(stdout, list_options, count);
            return CLI_EXIT_PASS;
        }
        json = true;
    }

    if (json) {
        fputs("[", stdout);
        bool first = true;
        for (size_t i = 0; i < disco_algorithm_count; i++) {
            const struct disco_algorithm *a = disco_algorithms[i];
            if (!listed(a))
                continue;
            fputs(first ? "\n  {\"name\": " : ",\n  {\"name\": ", stdout);
            first = false;
            disco_json_string(stdout, a->name);
            fputs(", \"family\": ", stdout);
            disco_json_string(stdout, a->family);
            fputs(", \"summary\": ", stdout);
            disco_json_string(stdout, a->summary);
            putchar('}');
        }
        fputs(disco_algorithm_count ? "\n]\n" : "]\n", stdout);
        return CLI_EXIT_PASS;
    }
    int name_width = 4, family_width = 6;
    for (size_t i = 0; i < disco_algorithm_count; i++) {
        if (!listed(disco_algorithms[i]))
            continue;
        int a = (int)strlen(disco_algorithms[i]->name);
        int b = (int)strlen(disco_algorithms[i]->family);
        name_width = a > name_width ? a : name_width;
        family_width = b > family_width ? b : family_width;
    }
    for (size_t i = 0; i < disco_algorithm_count; i++)
        if (listed(disco_algorithms[i]))
            printf("%-*s  %-*s  %s\n", name_width, disco_algorithms[i]->name,
               family_width, disco_algorithms[i]->family,
               disco_algorithms[i]->summary);
    return CLI_EXIT_PASS;
}

/* ------------------------------------------------------------------------ */
/* info                                                                      */

static const char *shape_text(enum disco_shape shape)
{
    switch (shape) {
    case DISCO_SHAPE_URING:
        return "unidirectional ring";
    case DISCO_SHAPE_RING:
        return "bidirectional ring";
    case DISCO_SHAPE_COMPLETE:
        return "complete graph";
    case DISCO_SHAPE_TREE:
        return "tree";
    case DISCO_SHAPE_ANY_RING:
        return "ring, unidirectional or bidirectional";
    case DISCO_SHAPE_NUMBERED_RING:
        return "ring, unidirectional, or bidirectional with node i linked "
               "to node i+1 mod n";
    default:
        return "any";
    }
}

static const char *shape_key(enum disco_shape shape)
{
    switch (shape) {
    case DISCO_SHAPE_URING:
        return "uring";
    case DISCO_SHAPE_RING:
        return "ring";
    case DISCO_SHAPE_COMPLETE:
        return "complete";
    case DISCO_SHAPE_TREE:
        return "tree";
    case DISCO_SHAPE_ANY_RING:
        return "any-ring";
    case DISCO_SHAPE_NUMBERED_RING:
        return "numbered-ring";
    default:
        return "any";
    }
}

/* Whether the model says that parameter `name` names a node. */
static bool names_a_node(const struct disco_model *m, const char *name)
{
    for (size_t i = 0; i < sizeof m->node_params / sizeof m->node_params[0];
         i++)
        if (m->node_params[i] && !strcmp(m->node_params[i], name))
            return true;
    return false;
}

static const char *property_kind(enum disco_property_kind kind)
{
    switch (kind) {
    case DISCO_PROPERTY_FINAL:
        return "final";
    case DISCO_PROPERTY_INVARIANT:
        return "invariant";
    case DISCO_PROPERTY_TRACE:
        return "trace";
    }
    return "final";
}

static unsigned timing_of(const struct disco_algorithm *a)
{
    return a->model.timing ? a->model.timing : DISCO_ASYNC;
}

/* The strategies --strategy accepts for `a`: silent always, the other
 * generic ones when the algorithm can falsify a message (`lie`), then its
 * own.  Writes at most `max` and returns how many; own[i] tells which. */
static unsigned info_strategies(const struct disco_algorithm *a,
                                const char **name, const char **summary,
                                bool *own, unsigned max)
{
    unsigned count = 0;
    for (size_t i = 0; i < disco_generic_strategy_count && count < max;
         i++) {
        if (i > 0 && !a->lie)
            break; /* only silent needs no lie */
        name[count] = disco_generic_strategies[i].name;
        summary[count] = disco_generic_strategies[i].summary;
        own[count++] = false;
    }
    for (unsigned i = 0; i < a->strategy_count && count < max; i++) {
        name[count] = a->strategies[i].name;
        summary[count] = a->strategies[i].summary ? a->strategies[i].summary
                                                  : "";
        own[count++] = true;
    }
    return count;
}

static void json_member(const char *sep, const char *key, const char *value)
{
    printf("%s\"%s\": ", sep, key);
    disco_json_string(stdout, value);
}

static void info_json(const struct disco_algorithm *a)
{
    const struct disco_model *m = &a->model;
    unsigned timing = timing_of(a);
    putchar('{');
    json_member("\n  ", "name", a->name);
    json_member(",\n  ", "family", a->family);
    json_member(",\n  ", "summary", a->summary);
    json_member(",\n  ", "description", a->description);
    printf(",\n  \"model\": {\"shape\": \"%s\", \"undirected\": %s, "
           "\"connected\": %s, \"fifo\": %s, \"unique_ids\": %s, "
           "\"distinct_weights\": %s, "
           "\"async\": %s, \"sync\": %s, \"sync_by_default\": %s",
           shape_key(m->shape), m->undirected ? "true" : "false",
           m->connected ? "true" : "false", m->fifo ? "true" : "false",
           m->unique_ids ? "true" : "false",
           m->distinct_weights ? "true" : "false",
           timing & DISCO_ASYNC ? "true" : "false",
           timing & DISCO_SYNC ? "true" : "false",
           m->sync_by_default ? "true" : "false");
    json_member(", ", "topology", m->topology);
    json_member(", ", "initiators", m->initiators ? m->initiators : "all");
    json_member(", ", "faults", m->faults ? m->faults : "none");
    if (m->detector)
        json_member(", ", "detector", m->detector);
    printf(", \"max_nodes\": %u, \"max_degree\": %u, \"ring_order\": %s",
           m->max_nodes, m->max_degree, m->ring_order ? "true" : "false");
    char resilience[64];
    disco_model_resilience_text(m, resilience, sizeof resilience);
    if (resilience[0])
        json_member(", ", "resilience", resilience);
    fputs("},\n  \"parameters\": [", stdout);
    for (unsigned i = 0; i < a->param_count; i++) {
        const struct disco_param *p = &a->params[i];
        json_member(i ? ",\n    {" : "\n    {", "name", p->name);
        printf(", \"default\": %lld, \"min\": %lld, \"max\": %lld",
               (long long)p->default_value, (long long)p->min,
               (long long)p->max);
        if (names_a_node(m, p->name))
            fputs(", \"node\": true", stdout);
        json_member(", ", "help", p->help);
        putchar('}');
    }
    fputs(a->param_count ? "\n  ],\n  \"inputs\": [" : "],\n  \"inputs\": [",
          stdout);
    for (unsigned i = 0; i < a->input_count; i++) {
        const struct disco_input_decl *d = &a->inputs[i];
        json_member(i ? ",\n    {" : "\n    {", "name", d->name);
        printf(", \"min\": %lld, \"max\": %lld", (long long)d->min,
               (long long)d->max);
        json_member(", ", "help", d->help ? d->help : "");
        putchar('}');
    }
    fputs(a->input_count ? "\n  ],\n  \"message_kinds\": ["
                         : "],\n  \"message_kinds\": [",
          stdout);
    for (unsigned k = 0; k < a->kind_count; k++) {
        fputs(k ? ", " : "", stdout);
        disco_json_string(stdout, a->message_kinds[k]);
    }
    fputs("],\n  \"properties\": [", stdout);
    for (unsigned i = 0; i < a->property_count; i++) {
        const struct disco_property *p = &a->properties[i];
        json_member(i ? ",\n    {" : "\n    {", "name", p->name);
        printf(", \"kind\": \"%s\"", property_kind(p->kind));
        json_member(", ", "description", p->description);
        printf(", \"needs_termination\": %s}",
               p->needs_termination ? "true" : "false");
    }
    fputs(a->property_count ? "\n  ],\n" : "],\n", stdout);
    const char *name[64], *summary[64];
    bool own[64];
    unsigned strategies = info_strategies(a, name, summary, own, 64);
    fputs("  \"strategies\": [", stdout);
    for (unsigned i = 0; i < strategies; i++) {
        json_member(i ? ",\n    {" : "\n    {", "name", name[i]);
        printf(", \"own\": %s", own[i] ? "true" : "false");
        json_member(", ", "summary", summary[i]);
        putchar('}');
    }
    fputs(strategies ? "\n  ],\n" : "],\n", stdout);
    fputs("  \"complexity\": {", stdout);
    json_member("", "messages", a->messages);
    json_member(", ", "time", a->time);
    if (a->message_bound)
        json_member(", ", "message_bound", a->message_bound);
    fputs("},\n", stdout);
    json_member("  ", "source", a->source);
    fputs("\n}\n", stdout);
}

/* A paragraph, indented by two. */
static void print_wrapped(const char *text)
{
    fputs("  ", stdout);
    cli_wrap(stdout, text, 2, 2);
}

/* "  label         text...", continuation lines under the text. */
static void print_labelled(const char *label, const char *text)
{
    printf("  %-13s ", label);
    cli_wrap(stdout, text, 16, 16);
}

static void info_human(const struct disco_algorithm *a)
{
    const struct disco_model *m = &a->model;
    unsigned timing = timing_of(a);
    printf("%s (%s)\n", a->name, a->family);
    print_wrapped(a->summary);
    if (a->description) {
        putchar('\n');
        print_wrapped(a->description);
    }
    printf("\nmodel\n");
    printf("  topology      %s%s%s (default --topology %s)\n",
           shape_text(m->shape), m->undirected ? ", bidirectional" : "",
           !m->connected   ? ""
           : m->undirected ? ", connected"
                           : ", strongly connected",
           m->topology ? m->topology : "none");
    printf("  channels      %s\n",
           m->fifo ? "FIFO required" : "FIFO not required");
    printf("  ids           %s\n",
           m->unique_ids ? "unique ids required" : "ids not needed");
    if (m->distinct_weights)
        printf("  weights       distinct edge weights required (generated "
               "topologies get --weights random)\n");
    printf("  timing        %s%s\n",
           timing == (DISCO_ASYNC | DISCO_SYNC)
               ? "asynchronous or synchronous rounds"
           : timing & DISCO_SYNC ? "synchronous rounds"
                                 : "asynchronous",
           timing == (DISCO_ASYNC | DISCO_SYNC)
               ? (m->sync_by_default ? " (default: rounds)"
                                     : " (default: asynchronous)")
               : "");
    if (m->ring_order)
        printf("  ring          a channel from every node i to node i+1 mod "
               "n required\n");
    if (m->max_nodes || m->max_degree) {
        char limit[128] = "";
        if (m->max_nodes)
            snprintf(limit, sizeof limit, "at most %u processes",
                     m->max_nodes);
        if (m->max_degree)
            snprintf(limit + strlen(limit), sizeof limit - strlen(limit),
                     "%sat most %u ports per process",
                     m->max_nodes ? ", " : "", m->max_degree);
        printf("  limits        %s (larger topologies are refused)\n",
               limit);
    }
    printf("  initiators    %s\n", m->initiators ? m->initiators : "all");
    printf("  faults        %s\n", m->faults ? m->faults : "none");
    char resilience[64];
    disco_model_resilience_text(m, resilience, sizeof resilience);
    if (resilience[0])
        printf("  resilience    %s assumed (a smaller topology runs with a "
               "warning)\n",
               resilience);
    if (m->detector)
        printf("  detector      %s (--detector overrides it)\n", m->detector);

    printf("\nparameters\n");
    if (a->param_count == 0)
        printf("  none\n");
    for (unsigned i = 0; i < a->param_count; i++) {
        const struct disco_param *p = &a->params[i];
        printf("  %-12s default %lld, range %lld..%lld%s  %s\n", p->name,
               (long long)p->default_value, (long long)p->min,
               (long long)p->max,
               names_a_node(m, p->name) ? ", a node below n" : "",
               p->help ? p->help : "");
    }
    printf("\nnode inputs (scenario node attributes)\n");
    if (a->input_count == 0)
        printf("  none\n");
    for (unsigned i = 0; i < a->input_count; i++) {
        const struct disco_input_decl *d = &a->inputs[i];
        printf("  %-12s range %lld..%lld  %s\n", d->name, (long long)d->min,
               (long long)d->max, d->help ? d->help : "");
    }
    printf("\nmessage kinds\n  ");
    for (unsigned k = 0; k < a->kind_count; k++)
        printf("%s%s", k ? ", " : "", a->message_kinds[k]);
    printf("%s\n", a->kind_count ? "" : "none");

    printf("\nproperties\n");
    for (unsigned i = 0; i < a->property_count; i++) {
        const struct disco_property *p = &a->properties[i];
        char text[512];
        snprintf(text, sizeof text, "%s (%s)", p->description,
                 property_kind(p->kind));
        printf("  %s\n", p->name);
        fputs("    ", stdout);
        cli_wrap(stdout, text, 4, 4);
    }
    const char *name[64], *summary[64];
    bool own[64];
    unsigned strategies = info_strategies(a, name, summary, own, 64);
    printf("\nstrategies (--byzantine LIST --strategy NAME)\n");
    for (unsigned i = 0; i < strategies; i++) {
        char text[512];
        snprintf(text, sizeof text, "%s%s%s", own[i] ? a->name : "",
                 own[i] ? "'s own: " : "", summary[i]);
        print_labelled(name[i], text);
    }
    printf("\ncomplexity\n");
    print_labelled("messages", a->messages ? a->messages : "unknown");
    if (a->message_bound)
        print_labelled("bound", a->message_bound);
    print_labelled("time", a->time ? a->time : "unknown");
    printf("\nsource\n");
    print_wrapped(a->source ? a->source : "none given");
}

enum { INFO_JSON, INFO_HELP };
static const struct cli_option info_options[] = {
    {"json", INFO_JSON, false, NULL, "print one JSON object"},
    {"help", INFO_HELP, false, NULL, "show this help"},
};

int cli_cmd_info(int argc, char **argv, struct disco_error *err)
{
    struct cli_args args = {argc, argv, 1, false};
    bool json = false;
    const char *name = NULL;
    const struct cli_option *opt;
    const char *value;
    int kind;
    size_t count = sizeof info_options / sizeof info_options[0];
    while ((kind = cli_next_arg(&args, info_options, count, &opt, &value,
                                err)) != CLI_END) {
        if (kind < 0)
            return kind;
        if (kind == CLI_POSITIONAL) {
            if (name)
                return disco_fail(err, DISCO_EINVAL,
                                  "unexpected argument '%s' (disco info "
                                  "takes one algorithm)",
                                  value);
            name = value;
        } else if (opt->id == INFO_HELP) {
            printf("usage: disco info ALG [--json]\n\n"
                   "The algorithm's model (with its limits, resilience and "
                   "detector),\nparameters, node inputs, message kinds, "
                   "properties, strategies,\ncomplexity and source.\n\n");
            cli_print_options(stdout, info_options, count);
            return CLI_EXIT_PASS;
        } else {
            json = true;
        }
    }
    if (!name)
        return disco_fail(err, DISCO_EINVAL,
                          "disco info needs an algorithm (see 'disco list')");
    const struct disco_algorithm *alg;
    int rc = cli_find_algorithm(name, &alg, err);
    if (rc)
        return rc;
    if (json)
        info_json(alg);
    else
        info_human(alg);
    return CLI_EXIT_PASS;
}

/* ------------------------------------------------------------------------ */
/* run                                                                       */

enum {
    RUN_TOPOLOGY,
    RUN_IDS,
    RUN_INITIATORS,
    RUN_SEED,
    RUN_DELAY,
    RUN_FIFO,
    RUN_NO_FIFO,
    RUN_LOSS,
    RUN_DUP,
    RUN_CRASH,
    RUN_RECOVER,
    RUN_CUT,
    RUN_SYNC,
    RUN_ASYNC,
    RUN_PARAM,
    RUN_MAX_EVENTS,
    RUN_MAX_TIME,
    RUN_WEIGHTS,
    RUN_SYNCHRONIZER,
    RUN_JSON,
    RUN_TRACE,
    RUN_OUT,
    RUN_DOT,
    RUN_SVG,
    RUN_PNG,
    RUN_FRAMES,
    RUN_SPACETIME,
    RUN_WINDOW,
    RUN_HTML,
    RUN_SHIVIZ,
    RUN_CLOCKS,
    RUN_PROGRESS,
    RUN_OMIT_SEND,
    RUN_OMIT_RECEIVE,
    RUN_PARTITION,
    RUN_DELAY_CHANGE,
    RUN_BYZANTINE,
    RUN_STRATEGY,
    RUN_DETECTOR,
    RUN_DYNAMIC,
    RUN_HELP,
};

static const struct cli_option run_options[] = {
    {"topology", RUN_TOPOLOGY, true, "SPEC|FILE.dot",
     "the network: a generator (ring:8, grid:4x4, ...) or a DOT file "
     "(.dot or .gv, any case)"},
    {"ids", RUN_IDS, true, "ORDER|LIST",
     "increasing, decreasing, random or 1,5,2,6 (default increasing)"},
    {"initiators", RUN_INITIATORS, true, "all|none|LIST",
     "which nodes start, each once (default: the algorithm's)"},
    {"seed", RUN_SEED, true, "N", "seed of every random choice (default 1)"},
    {"delay", RUN_DELAY, true, "LAW",
     "const:D, uniform:A:B or exp:MEAN ticks (default uniform:1:100)"},
    {"fifo", RUN_FIFO, false, NULL, "channels deliver in send order (default)"},
    {"no-fifo", RUN_NO_FIFO, false, NULL, "channels may reorder messages"},
    {"loss", RUN_LOSS, true, "P", "probability a message is lost (default 0)"},
    {"dup", RUN_DUP, true, "P",
     "probability a message is duplicated (default 0)"},
    {"crash", RUN_CRASH, true, "NODE@T,...",
     "crash-stop schedule (a node's crashes and recoveries alternate)"},
    {"recover", RUN_RECOVER, true, "NODE@T,...",
     "recovery schedule (of a node down at T)"},
    {"cut", RUN_CUT, true, "A-B@T1:T2,...", "link A-B down from T1 to T2"},
    {"omit-send", RUN_OMIT_SEND, true, "NODE@T1[:T2][/P],...",
     "the node omits its sends from T1 to T2 (each with probability P)"},
    {"omit-receive", RUN_OMIT_RECEIVE, true, "NODE@T1[:T2][/P],...",
     "the node omits what it receives from T1 to T2"},
    {"partition", RUN_PARTITION, true, "A|B@T1[:T2]",
     "no message crosses between node sets A and B (A>B: from A to B only) "
     "from T1 to T2; B defaults to the rest (repeatable)"},
    {"delay-change", RUN_DELAY_CHANGE, true, "LAW@T",
     "the delay law becomes LAW at tick T; edges with their own delay keep "
     "it (repeatable)"},
    {"byzantine", RUN_BYZANTINE, true, "LIST",
     "Byzantine nodes, each once: they run the algorithm, their messages "
     "pass through --strategy"},
    {"strategy", RUN_STRATEGY, true, "NAME",
     "silent (default), flip, random, equivocate, or one of the "
     "algorithm's own (see disco info)"},
    {"detector", RUN_DETECTOR, true, "KIND[:T[:PERIOD]]",
     "failure detector: perfect, eventually-perfect:T[:PERIOD] or "
     "eventually-strong:T[:PERIOD] (stable from tick T; before, answers "
     "redrawn every PERIOD ticks); only algorithms that name a detector "
     "ask one"},
    {"dynamic", RUN_DYNAMIC, true, "none|rooted[:P]|nonsplit[:P]|remove:K",
     "the graph of each synchronous round, drawn from the topology's "
     "channels (none: static, even over a scenario's edge rounds)"},
    {"sync", RUN_SYNC, false, NULL, "synchronous rounds"},
    {"async", RUN_ASYNC, false, NULL, "asynchronous events"},
    {"param", RUN_PARAM, true, "KEY=VALUE",
     "an algorithm parameter (repeatable; see disco info)"},
    {"max-events", RUN_MAX_EVENTS, true, "N",
     "stop after N events; every init call runs, one event each (0: no bound)"},
    {"max-time", RUN_MAX_TIME, true, "T", "stop at tick T (0: no bound)"},
    {"weights", RUN_WEIGHTS, true, "random|unit",
     "edge weights: distinct random ones from the seed, or the topology's"},
    {"synchronizer", RUN_SYNCHRONIZER, true, "NAME",
     "run a synchronous algorithm asynchronously through alpha, beta[:ROOT], "
     "beta:bfs[:ROOT], gamma[:K] or gamma:awerbuch[:K]"},
    {"json", RUN_JSON, false, NULL, "print the summary as one JSON object"},
    {"trace", RUN_TRACE, true, "FILE", "write the event trace (JSON Lines)"},
    {"out", RUN_OUT, true, "DIR",
     "write every output into DIR (trace.jsonl, summary.json)"},
    {"dot", RUN_DOT, true, "FILE", "the topology with the final state (DOT)"},
    {"svg", RUN_SVG, true, "FILE", "the same, drawn as SVG"},
    {"png", RUN_PNG, true, "FILE", "the same, drawn as PNG"},
    {"frames", RUN_FRAMES, true, "DIR",
     "one picture per step, numbered (replaces a former run's frames)"},
    {"spacetime", RUN_SPACETIME, true, "FILE.svg",
     "the space-time diagram"},
    {"window", RUN_WINDOW, true, "T1:T2",
     "draw only ticks T1 to T2 in --spacetime"},
    {"html", RUN_HTML, true, "FILE.html",
     "a self-contained animated player of the run"},
    {"shiviz", RUN_SHIVIZ, true, "FILE", "a ShiViz log with vector clocks"},
    {"clocks", RUN_CLOCKS, true, "lamport|vector",
     "clocks on every trace event: Lamport only (default), or also vector"},
    {"progress", RUN_PROGRESS, true, "auto|on|off",
     "a progress line on stderr (default auto: on a terminal, TERM not dumb)"},
    {"help", RUN_HELP, false, NULL, "show this help"},
};

const struct cli_option *const cli_run_option_table = run_options;
const size_t cli_run_option_count = sizeof run_options / sizeof run_options[0];

static void run_help(void)
{
    printf("usage: disco run ALG [OPTIONS]\n"
           "       disco run SCENARIO.dot [OPTIONS]\n\n"
           "One execution.  Prints a summary (or with --json one JSON "
           "object);\nexit status 0 when every property holds, 1 when one "
           "is violated or\na bound stopped the run, 2 on bad input.\n\n");
    cli_print_options(stdout, run_options,
                      sizeof run_options / sizeof run_options[0]);
}

int cli_parse_run_options(int argc, char **argv, struct cli_run_options *o,
                          bool *help, struct disco_error *err)
{
    struct cli_args args = {argc, argv, 1, false};
    const struct cli_option *opt;
    const char *value;
    int kind;
    size_t count = sizeof run_options / sizeof run_options[0];
    while ((kind = cli_next_arg(&args, run_options, count, &opt, &value,
                                err)) != CLI_END) {
        if (kind < 0)
            return kind;
        if (kind == CLI_POSITIONAL) {
            if (o->target)
                return disco_fail(err, DISCO_EINVAL,
                                  "unexpected argument '%s' (disco run takes "
                                  "one algorithm or scenario)",
                                  value);
            o->target = value;
            continue;
        }
        struct cli_setting given = {value, NULL};
        int rc = 0;
        switch (opt->id) {
        case RUN_TOPOLOGY:
            o->topology = given;
            break;
        case RUN_IDS:
            o->ids = given;
            break;
        case RUN_INITIATORS:
            o->initiators = given;
            break;
        case RUN_SEED:
            o->seed = given;
            break;
        case RUN_DELAY:
            o->delay = given;
            break;
        case RUN_FIFO:
            o->fifo = (struct cli_setting){"on", NULL};
            break;
        case RUN_NO_FIFO:
            o->fifo = (struct cli_setting){"off", NULL};
            break;
        case RUN_LOSS:
            o->loss = given;
            break;
        case RUN_DUP:
            o->dup = given;
            break;
        case RUN_CRASH:
            rc = cli_setting_list_add(&o->crash, value, NULL, err);
            break;
        case RUN_RECOVER:
            rc = cli_setting_list_add(&o->recover, value, NULL, err);
            break;
        case RUN_CUT:
            rc = cli_setting_list_add(&o->cut, value, NULL, err);
            break;
        case RUN_OMIT_SEND:
            rc = cli_setting_list_add(&o->omit_send, value, NULL, err);
            break;
        case RUN_OMIT_RECEIVE:
            rc = cli_setting_list_add(&o->omit_receive, value, NULL, err);
            break;
        case RUN_PARTITION:
            rc = cli_setting_list_add(&o->partition, value, NULL, err);
            break;
        case RUN_DELAY_CHANGE:
            rc = cli_setting_list_add(&o->delay_change, value, NULL, err);
            break;
        case RUN_BYZANTINE:
            o->byzantine = given;
            break;
        case RUN_STRATEGY:
            o->strategy = given;
            break;
        case RUN_DETECTOR:
            o->detector = given;
            break;
        case RUN_DYNAMIC:
            o->dynamic = given;
            break;
        case RUN_SYNC:
            o->sync = (struct cli_setting){"on", NULL};
            break;
        case RUN_ASYNC:
            o->sync = (struct cli_setting){"off", NULL};
            break;
        case RUN_PARAM:
            rc = cli_setting_list_add(&o->params, value, NULL, err);
            break;
        case RUN_MAX_EVENTS:
            o->max_events = given;
            break;
        case RUN_MAX_TIME:
            o->max_time = given;
            break;
        case RUN_WEIGHTS:
            o->weights = given;
            break;
        case RUN_SYNCHRONIZER:
            o->synchronizer = value;
            break;
        case RUN_JSON:
            o->json = true;
            break;
        case RUN_TRACE:
            o->trace = value;
            break;
        case RUN_OUT:
            o->out = value;
            break;
        case RUN_DOT:
            o->dot = value;
            break;
        case RUN_SVG:
            o->svg = value;
            break;
        case RUN_PNG:
            o->png = value;
            break;
        case RUN_FRAMES:
            o->frames = value;
            break;
        case RUN_SPACETIME:
            o->spacetime = value;
            break;
        case RUN_WINDOW:
            o->window = value;
            break;
        case RUN_HTML:
            o->html = value;
            break;
        case RUN_SHIVIZ:
            o->shiviz = value;
            break;
        case RUN_CLOCKS: {
            static const char *const clocks[] = {"lamport", "vector"};
            if (!strcmp(value, "lamport") || !strcmp(value, "vector")) {
                o->vector_clocks = !strcmp(value, "vector");
                break;
            }
            const char *close = disco_suggest(value, clocks, 2);
            if (close)
                return disco_fail(err, DISCO_EUNKNOWN,
                                  "unknown --clocks '%s' (did you mean '%s'?)",
                                  value, close);
            return disco_fail(err, DISCO_EUNKNOWN,
                              "unknown --clocks '%s' (lamport or vector)",
                              value);
        }
        case RUN_PROGRESS:
            rc = cli_parse_progress(value, &o->progress, err);
            break;
        case RUN_HELP:
            *help = true;
            return 0;
        }
        if (rc)
            return rc;
    }
    if (!o->target)
        return disco_fail(err, DISCO_EINVAL,
                          "disco run needs an algorithm or a scenario file "
                          "(see 'disco list')");
    if (o->trace && !*o->trace)
        return disco_fail(err, DISCO_EINVAL, "bad --trace '': empty file name");
    if (o->out && !*o->out)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --out '': empty directory "
                          "name");
    return 0;
}

int cli_cmd_run(int argc, char **argv, struct disco_error *err)
{
    struct cli_run_options opts;
    memset(&opts, 0, sizeof opts);
    bool help = false;
    int rc = cli_parse_run_options(argc, argv, &opts, &help, err);
    if (rc || help) {
        cli_run_options_release(&opts);
        if (help)
            run_help();
        return rc ? rc : CLI_EXIT_PASS;
    }

    struct cli_progress *progress = cli_progress_start(opts.progress);
    /* Longer than the progress line keeps, so that cli_progress_phase,
     * not snprintf, cuts a long name, and at a character's first byte. */
    char phase[CLI_PROGRESS_PHASE + 96];
    snprintf(phase, sizeof phase, "preparing %s", opts.target);
    cli_progress_phase(progress, phase, NULL);
    struct cli_run run;
    rc = cli_run_prepare(&run, &opts, err);
    if (!rc) {
        run.progress = progress;
        if (run.warning[0]) {
            fflush(stdout);
            char line[600];
            snprintf(line, sizeof line, "disco: warning: %s\n", run.warning);
            cli_progress_say(progress, line);
        }
        snprintf(phase, sizeof phase, "running %s", run.alg->name);
        cli_progress_phase(progress, phase, run.sim);
        rc = cli_run_execute(&run, err);
    }
    /* Erased before the summary, and before main prints an error. */
    cli_progress_stop(progress);
    if (!rc) {
        if (opts.json)
            cli_summary_json(stdout, &run);
        else
            cli_summary_human(stdout, &run);
        rc = run.pass ? CLI_EXIT_PASS : CLI_EXIT_FAIL;
    }
    cli_run_release(&run);
    cli_run_options_release(&opts);
    return rc;
}
