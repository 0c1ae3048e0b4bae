/*
 * summary.c - what a finished run prints: the JSON object of docs/cli.md,
 * or a short block for people.
 *
 * The JSON is deterministic (same seed and options, same bytes): it holds
 * no wall-clock figure, and neither does the human summary: the same
 * options must print the same bytes, whoever reads them.
 */
#include "cli.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *stop_name(enum disco_stop stop)
{
    switch (stop) {
    case DISCO_STOP_QUIESCENT:
        return "quiescent";
    case DISCO_STOP_MAX_EVENTS:
        return "max_events";
    case DISCO_STOP_MAX_TIME:
        return "max_time";
    }
    return "unknown";
}

static const char *holds_json(enum disco_verdict_holds holds)
{
    switch (holds) {
    case DISCO_HOLDS_YES:
        return "true";
    case DISCO_HOLDS_NO:
        return "false";
    default:
        return "null";
    }
}

void cli_summary_json(FILE *out, const struct cli_run *run)
{
    const struct disco_algorithm *alg = run->alg;
    const struct disco_metrics *m = run->metrics;
    fputs("{\n  ", out);
    disco_json_run_members(out, ",\n  ", alg, run->topo, &run->cfg);
    fprintf(out, ",\n  \"messages\": %llu,\n  \"messages_by_kind\": {",
            (unsigned long long)m->messages);
    for (unsigned k = 0; k < alg->kind_count; k++) {
        fputs(k ? ", " : "", out);
        disco_json_string(out, alg->message_kinds[k]);
        fprintf(out, ": %llu", (unsigned long long)m->by_kind[k]);
    }
    fprintf(out,
            "},\n  \"events\": %llu,\n  \"time\": %llu,\n"
            "  \"causal_depth\": %llu,\n",
            (unsigned long long)m->events, (unsigned long long)m->time,
            (unsigned long long)m->causal_depth);
    if (run->cfg.sync)
        fprintf(out, "  \"rounds\": %llu,\n", (unsigned long long)m->rounds);
    else
        fputs("  \"rounds\": null,\n", out);
    fprintf(out, "  \"terminated\": %s,\n  \"properties\": [",
            run->terminated ? "true" : "false");
    for (unsigned i = 0; i < alg->property_count; i++) {
        const struct disco_property_result *r = &run->results[i];
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
        disco_json_string(out, r->name ? r->name : alg->properties[i].name);
        fprintf(out, ", \"holds\": %s, \"detail\": ", holds_json(r->holds));
        disco_json_string(out, r->detail);
        putc('}', out);
    }
    fputs(alg->property_count ? "\n  ],\n" : "],\n", out);
    fprintf(out, "  \"verdict\": \"%s\",\n", run->pass ? "pass" : "fail");
    fprintf(out, "  \"result\": {%s},\n", run->result);
    fprintf(out, "  \"stop\": \"%s\",\n", stop_name(m->stop));
    fprintf(out,
            "  \"delivered\": %llu,\n  \"dropped\": %llu,\n"
            "  \"duplicated\": %llu\n}\n",
            (unsigned long long)m->delivered, (unsigned long long)m->dropped,
            (unsigned long long)m->duplicated);
}

/* ------------------------------------------------------------------------ */
/* For people.                                                               */

static bool utf8_terminal(void)
{
    static const char *const vars[] = {"LC_ALL", "LC_CTYPE", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v)
            continue;
        char lower[64];
        size_t n = 0;
        for (; v[n] && n < sizeof lower - 1; n++)
            lower[n] = (char)tolower((unsigned char)v[n]);
        lower[n] = '\0';
        return strstr(lower, "utf-8") || strstr(lower, "utf8");
    }
    return false;
}

const char *cli_mark(enum disco_verdict_holds holds)
{
    bool utf8 = utf8_terminal();
    switch (holds) {
    case DISCO_HOLDS_YES:
        return utf8 ? "\u2713" : "ok";
    case DISCO_HOLDS_NO:
        return utf8 ? "\u2717" : "FAIL";
    default:
        return utf8 ? "\u2013" : "--";
    }
}

void cli_summary_human(FILE *out, const struct cli_run *run)
{
    const struct disco_algorithm *alg = run->alg;
    const struct disco_topology *t = run->topo;
    const struct disco_config *cfg = &run->cfg;
    const struct disco_metrics *m = run->metrics;

    fprintf(out, "%s on %s (%u nodes, %u channels, %s)\n", alg->name, t->spec,
            t->nodes, t->channels, t->directed ? "directed" : "undirected");
    if (cfg->sync) {
        fprintf(out, "model       synchronous rounds, seed %llu",
                (unsigned long long)cfg->seed);
    } else {
        char delay[64];
        disco_delay_format(&cfg->delay, delay, sizeof delay);
        fprintf(out, "model       asynchronous, %s, delay %s, seed %llu",
                cfg->fifo ? "FIFO" : "non-FIFO", delay,
                (unsigned long long)cfg->seed);
    }
    if (cfg->loss > 0)
        fprintf(out, ", loss %g", cfg->loss);
    if (cfg->dup > 0)
        fprintf(out, ", dup %g", cfg->dup);
    if (cfg->fault_count)
        fprintf(out, ", %zu scheduled fault%s", cfg->fault_count,
                cfg->fault_count == 1 ? "" : "s");
    if (cfg->byzantine) {
        uint32_t count = 0;
        for (uint32_t v = 0; v < t->nodes; v++)
            count += cfg->byzantine[v] != 0;
        fprintf(out, ", %u Byzantine (%s)", count,
                cfg->strategy[0] ? cfg->strategy : "silent");
    }
    if (cfg->detector != DISCO_DETECTOR_NONE)
        fprintf(out, ", detector %s",
                cfg->detector == DISCO_DETECTOR_PERFECT ? "P"
                : cfg->detector == DISCO_DETECTOR_EVENTUALLY_PERFECT
                    ? "<>P"
                    : "<>S");
    if (cfg->dynamic != DISCO_DYNAMIC_NONE)
        fputs(", dynamic graph", out);
    fputc('\n', out);

    fprintf(out, "messages    %llu", (unsigned long long)m->messages);
    if (alg->kind_count > 0) {
        fputs(" (", out);
        for (unsigned k = 0; k < alg->kind_count; k++)
            fprintf(out, "%s%s %llu", k ? ", " : "", alg->message_kinds[k],
                    (unsigned long long)m->by_kind[k]);
        fputc(')', out);
    }
    if (m->dropped || m->duplicated)
        fprintf(out, "; %llu dropped, %llu duplicated",
                (unsigned long long)m->dropped,
                (unsigned long long)m->duplicated);
    fputc('\n', out);
    if (cfg->sync)
        fprintf(out,
                "time        %llu rounds, %llu events, causal depth "
                "%llu\n",
                (unsigned long long)m->rounds, (unsigned long long)m->events,
                (unsigned long long)m->causal_depth);
    else
        fprintf(out,
                "time        %llu ticks, %llu events, causal depth "
                "%llu\n",
                (unsigned long long)m->time, (unsigned long long)m->events,
                (unsigned long long)m->causal_depth);
    if (run->terminated)
        fputs("ended       terminated (nothing left to happen)\n", out);
    else
        fprintf(out, "ended       stopped by --%s before terminating\n",
                m->stop == DISCO_STOP_MAX_EVENTS ? "max-events" : "max-time");

    if (alg->property_count)
        fputs("properties\n", out);
    int name_width = 0;
    for (unsigned i = 0; i < alg->property_count; i++) {
        int len = (int)strlen(alg->properties[i].name);
        name_width = len > name_width ? len : name_width;
    }
    for (unsigned i = 0; i < alg->property_count; i++) {
        const struct disco_property_result *r = &run->results[i];
        /* Marks are one column wide in UTF-8, up to four in ASCII. */
        const char *mark = cli_mark(r->holds);
        int pad = utf8_terminal() ? 0 : 4 - (int)strlen(mark);
        fprintf(out, "  %s%*s %-*s  %s\n", mark, pad, "", name_width,
                r->name ? r->name : alg->properties[i].name,
                r->holds == DISCO_HOLDS_UNCHECKED && !r->detail[0]
                    ? "not checked"
                    : r->detail);
    }
    fprintf(out, "verdict     %s", run->pass ? "pass" : "fail");
    if (!run->pass && run->failed == 0)
        fputs(" (the run had to terminate)", out);
    else if (run->failed)
        fprintf(out, " (%u propert%s violated)", run->failed,
                run->failed == 1 ? "y" : "ies");
    fputc('\n', out);
    if (run->result[0])
        fprintf(out, "result      {%s}\n", run->result);
}
