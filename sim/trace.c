/*
 * trace.c - the JSON Lines trace observer and the shared JSON helpers.
 *
 * A trace of a large run has tens of millions of lines, so the event path
 * avoids stdio formatting: each line is assembled in a local buffer with
 * hand-rolled integer conversion and handed to fwrite once, and the stream
 * gets a large buffer of its own.  Only the first line (written once) uses
 * fprintf.
 */
#include "trace.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *disco_event_name(enum disco_event_type type)
{
    switch (type) {
    case DISCO_EV_SEND:
        return "send";
    case DISCO_EV_RECV:
        return "recv";
    case DISCO_EV_TIMER:
        return "timer";
    case DISCO_EV_DROP:
        return "drop";
    case DISCO_EV_DUP:
        return "dup";
    case DISCO_EV_CRASH:
        return "crash";
    case DISCO_EV_RECOVER:
        return "recover";
    case DISCO_EV_STATE:
        return "state";
    case DISCO_EV_DECIDE:
        return "decide";
    case DISCO_EV_LINK_DOWN:
        return "link_down";
    case DISCO_EV_LINK_UP:
        return "link_up";
    case DISCO_EV_MARK:
        return "mark";
    case DISCO_EV_FAULT:
        return "fault";
    case DISCO_EV_HEAL:
        return "heal";
    }
    return "unknown";
}

/* ------------------------------------------------------------------------ */
/* JSON helpers.                                                             */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes there
 * are not one (overlong forms, surrogates and code points past U+10FFFF
 * count as invalid, as RFC 3629 says). */
static size_t utf8_sequence(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned min;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, min = 0x80;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, min = 0x800;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, min = 0x10000;
    else
        return 0;
    unsigned cp = c & (0x3fu >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

size_t disco_json_escape(char *buf, size_t cap, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    size_t len = 0;
    if (cap == 0)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        char seq[8];
        size_t n = 0;
        size_t take = 1;
        unsigned c = *p;
        if (c == '"' || c == '\\') {
            seq[n++] = '\\';
            seq[n++] = (char)c;
        } else if (c < 0x20) {
            seq[n++] = '\\';
            switch (c) {
            case '\n':
                seq[n++] = 'n';
                break;
            case '\t':
                seq[n++] = 't';
                break;
            case '\r':
                seq[n++] = 'r';
                break;
            case '\b':
                seq[n++] = 'b';
                break;
            case '\f':
                seq[n++] = 'f';
                break;
            default:
                memcpy(seq + n, "u00", 3);
                n += 3;
                seq[n++] = hex[c >> 4];
                seq[n++] = hex[c & 15];
            }
        } else if (c < 0x80) {
            seq[n++] = (char)c;
        } else if ((take = utf8_sequence(p)) > 0) {
            memcpy(seq, p, take);
            n = take;
        } else {
            memcpy(seq, "\\ufffd", 6);
            n = 6;
            take = 1;
        }
        if (len + n >= cap)
            break;
        memcpy(buf + len, seq, n);
        len += n;
        p += take;
    }
    buf[len] = '\0';
    return len;
}

void disco_json_string(FILE *out, const char *s)
{
    if (!s) {
        fputs("null", out);
        return;
    }
    /* Escaping at most multiplies the length by six. */
    char small[1024];
    size_t need = strlen(s) * 6 + 1;
    char *buf = need <= sizeof small ? small : malloc(need);
    if (!buf) {
        fputs("null", out);
        return;
    }
    disco_json_escape(buf, need, s);
    putc('"', out);
    fputs(buf, out);
    putc('"', out);
    if (buf != small)
        free(buf);
}

void disco_json_double(FILE *out, double value)
{
    if (!isfinite(value)) {
        fputs("null", out);
        return;
    }
    char buf[40];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(buf, sizeof buf, "%.*g", precision, value);
        if (strtod(buf, NULL) == value)
            break;
    }
    fputs(buf, out);
}

void disco_json_run_members(FILE *out, const char *sep,
                            const struct disco_algorithm *alg,
                            const struct disco_topology *topo,
                            const struct disco_config *cfg)
{
    char delay[64];
    disco_delay_format(&cfg->delay, delay, sizeof delay);

    fputs("\"algorithm\": ", out);
    disco_json_string(out, alg->name);
    fputs(sep, out);
    fputs("\"topology\": {\"spec\": ", out);
    disco_json_string(out, topo->spec);
    fprintf(out, ", \"nodes\": %lu, \"channels\": %lu, \"directed\": %s}",
            (unsigned long)topo->nodes, (unsigned long)topo->channels,
            topo->directed ? "true" : "false");
    fputs(sep, out);
    fprintf(out, "\"seed\": %llu", (unsigned long long)cfg->seed);
    fputs(sep, out);
    fprintf(out, "\"model\": {\"sync\": %s, \"fifo\": %s, \"delay\": ",
            cfg->sync ? "true" : "false", cfg->fifo ? "true" : "false");
    disco_json_string(out, delay);
    fputs(", \"loss\": ", out);
    disco_json_double(out, cfg->loss);
    fputs(", \"dup\": ", out);
    disco_json_double(out, cfg->dup);
    /* The adversary beyond loss and duplication, only when present, so
     * that runs without it keep the members cli.md lists. */
    if (cfg->byzantine) {
        fputs(", \"byzantine\": [", out);
        bool first = true;
        for (uint32_t v = 0; v < topo->nodes; v++)
            if (cfg->byzantine[v]) {
                fprintf(out, "%s%lu", first ? "" : ", ", (unsigned long)v);
                first = false;
            }
        fputs("], \"strategy\": ", out);
        disco_json_string(out, cfg->strategy[0] ? cfg->strategy : "silent");
    }
    if (cfg->detector != DISCO_DETECTOR_NONE) {
        static const char *const names[] = {"none", "perfect",
                                            "eventually-perfect",
                                            "eventually-strong"};
        fputs(", \"detector\": ", out);
        disco_json_string(out, names[cfg->detector]);
        if (cfg->detector != DISCO_DETECTOR_PERFECT)
            fprintf(out, ", \"detector_stable\": %llu",
                    (unsigned long long)cfg->detector_stable);
        if (cfg->detector_period) /* given: the JSON reproduces the run */
            fprintf(out, ", \"detector_period\": %llu",
                    (unsigned long long)cfg->detector_period);
    }
    if (cfg->dynamic != DISCO_DYNAMIC_NONE) {
        static const char *const names[] = {"none", "rooted", "nonsplit",
                                            "remove", "listed"};
        fputs(", \"dynamic\": ", out);
        disco_json_string(out, names[cfg->dynamic]);
    }
    putc('}', out);
}

/* ------------------------------------------------------------------------ */
/* The trace.                                                                */

/* Large enough that a trace of millions of events costs few write calls. */
#define TRACE_BUFFER (1u << 20)

/* One line: the fixed members take under 200 bytes; the kind name and the
 * state text are escaped into what is left (state text is at most
 * DISCO_STATE_TEXT bytes, six times that escaped). */
#define TRACE_LINE (256u + 2u * 6u * DISCO_STATE_TEXT)

int disco_trace_open(struct disco_trace *trace, FILE *out,
                     const struct disco_algorithm *alg,
                     const struct disco_topology *topo,
                     const struct disco_config *cfg, struct disco_error *err)
{
    memset(trace, 0, sizeof *trace);
    trace->buffer = malloc(TRACE_BUFFER);
    if (!trace->buffer || setvbuf(out, trace->buffer, _IOFBF, TRACE_BUFFER)) {
        free(trace->buffer);
        trace->buffer = NULL;
        fclose(out);
        return disco_fail(err, DISCO_ENOMEM,
                          "out of memory for the trace buffer");
    }
    if (cfg->vector_clocks) {
        /* Each entry takes at most 20 digits and ", ". */
        trace->vc_nodes = topo->nodes;
        trace->line = malloc(TRACE_LINE + 16 + (size_t)topo->nodes * 22);
        if (!trace->line) {
            free(trace->buffer);
            trace->buffer = NULL;
            trace->vc_nodes = 0;
            fclose(out);
            return disco_fail(err, DISCO_ENOMEM,
                              "out of memory for the trace's vector clocks");
        }
    }
    trace->out = out;
    putc('{', out);
    disco_json_run_members(out, ", ", alg, topo, cfg);
    fputs("}\n", out);
    if (ferror(out))
        trace->failed = true;
    return 0;
}

static char *put_text(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

#define PUT(p, literal) put_text((p), (literal), sizeof(literal) - 1)

static char *put_u64(char *p, uint64_t v)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = digits[--n];
    return p;
}

static char *put_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

/* A quoted, escaped string with at most `room` bytes of escaped text. */
static char *put_string(char *p, const char *s, size_t room)
{
    *p++ = '"';
    p += disco_json_escape(p, room, s ? s : "");
    *p++ = '"';
    return p;
}

static char *put_kind(char *p, const struct disco_event_view *ev)
{
    p = PUT(p, ", \"kind\": ");
    if (ev->kind_name)
        return put_string(p, ev->kind_name, 6u * DISCO_STATE_TEXT);
    if (ev->kind >= 0)
        return put_u64(p, (uint64_t)ev->kind);
    return PUT(p, "null");
}

void disco_trace_event(struct disco_trace *trace,
                       const struct disco_event_view *ev)
{
    char stack_line[TRACE_LINE];
    char *line = trace->line ? trace->line : stack_line;
    char *p = line;
    p = PUT(p, "{\"t\": ");
    p = put_u64(p, ev->time);
    p = PUT(p, ", \"seq\": ");
    p = put_u64(p, ev->seq);
    p = PUT(p, ", \"node\": ");
    p = put_u64(p, ev->node);
    p = PUT(p, ", \"type\": \"");
    const char *name = disco_event_name(ev->type);
    p = put_text(p, name, strlen(name));
    *p++ = '"';

    switch (ev->type) {
    case DISCO_EV_SEND:
        p = PUT(p, ", \"to\": ");
        p = put_u64(p, ev->peer);
        p = put_kind(p, ev);
        p = PUT(p, ", \"msg\": ");
        p = put_u64(p, ev->msg);
        if (ev->forged)
            p = PUT(p, ", \"forged\": true");
        break;
    case DISCO_EV_RECV:
    case DISCO_EV_DROP:
    case DISCO_EV_DUP:
        p = PUT(p, ", \"from\": ");
        p = put_u64(p, ev->peer);
        p = put_kind(p, ev);
        p = PUT(p, ", \"msg\": ");
        p = put_u64(p, ev->msg);
        break;
    case DISCO_EV_TIMER:
        p = PUT(p, ", \"tag\": ");
        p = put_i64(p, ev->value);
        break;
    case DISCO_EV_STATE:
        p = PUT(p, ", \"state\": ");
        p = put_string(p, ev->state, 6u * DISCO_STATE_TEXT);
        break;
    case DISCO_EV_DECIDE:
        p = PUT(p, ", \"value\": ");
        p = put_i64(p, ev->value);
        break;
    case DISCO_EV_LINK_DOWN:
    case DISCO_EV_LINK_UP:
        p = PUT(p, ", \"peer\": ");
        p = put_u64(p, ev->peer);
        break;
    case DISCO_EV_MARK:
    case DISCO_EV_FAULT:
    case DISCO_EV_HEAL:
        p = PUT(p, ", \"label\": ");
        p = put_string(p, ev->label, 6u * DISCO_STATE_TEXT);
        break;
    case DISCO_EV_CRASH:
    case DISCO_EV_RECOVER:
        break;
    }
    p = PUT(p, ", \"lamport\": ");
    p = put_u64(p, ev->lamport);
    if (ev->vc && trace->vc_nodes && trace->line) {
        p = PUT(p, ", \"vc\": [");
        for (uint32_t k = 0; k < trace->vc_nodes; k++) {
            if (k)
                p = PUT(p, ", ");
            p = put_u64(p, ev->vc[k]);
        }
        *p++ = ']';
    }
    p = PUT(p, "}\n");

    size_t len = (size_t)(p - line);
    if (fwrite(line, 1, len, trace->out) != len)
        trace->failed = true;
}

static void trace_on_event(void *self, const struct disco_event_view *ev)
{
    struct disco_trace *trace = self;
    if (trace->out)
        disco_trace_event(trace, ev);
}

static void trace_on_end(void *self)
{
    struct disco_trace *trace = self;
    if (trace->out && fflush(trace->out) != 0)
        trace->failed = true;
}

void disco_trace_observer(struct disco_trace *trace, struct disco_observer *obs,
                          bool with_state)
{
    memset(obs, 0, sizeof *obs);
    obs->self = trace;
    obs->on_event = trace_on_event;
    obs->on_end = trace_on_end;
    obs->wants_state = with_state;
}

int disco_trace_close(struct disco_trace *trace, struct disco_error *err)
{
    int saved = 0;
    if (trace->out) {
        if (fflush(trace->out) != 0 || ferror(trace->out)) {
            trace->failed = true;
            saved = errno;
        }
        if (fclose(trace->out) != 0 && !trace->failed) {
            trace->failed = true;
            saved = errno;
        }
        trace->out = NULL;
    }
    free(trace->buffer);
    trace->buffer = NULL;
    free(trace->line);
    trace->line = NULL;
    trace->vc_nodes = 0;
    if (trace->failed) {
        trace->failed = false;
        return disco_fail(err, DISCO_EIO, "%s",
                          saved ? strerror(saved) : "write error");
    }
    return 0;
}
