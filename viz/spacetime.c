/*
 * spacetime.c - the space-time diagram of a run, as SVG written by hand.
 *
 * One horizontal lane per process, time running left to right, an arrow
 * per delivery from (sender, send time) to (receiver, receive time),
 * coloured by message kind.  Drops end in a cross, second deliveries of a
 * duplicated message are dashed with a ring at the head, crashes are a red
 * X with the lane dashed until the recovery (a green ring), decisions a
 * diamond with the value.  Every event has a <title> tooltip with its
 * Lamport clock and vector clock (vclock.h).
 *
 * Scale: time is compressed twice.  Idle stretches longer than a few
 * typical gaps are collapsed to that length (and marked on the axis), then
 * the whole span is scaled to at most MAX_PLOT_WIDTH pixels; lanes get
 * closer as processes get more numerous.  Strokes thin out with the
 * number of messages.
 *
 * Elements a program may count carry a class: "lane" (one <g> per process),
 * "msg" (one <line> per delivery, whole or clipped by --window), "drop"
 * (one <g> per lost message), "crash", "recover", "decide", "ev" (an event
 * dot with its tooltip), and for snapshots "cut" (one <polyline> per
 * snapshot, a vertex per node that recorded inside the window),
 * "in-transit" and "orphan"
 * (one <line> per delivery crossing a cut, over its arrow).
 *
 * Drawing goes in layers over one `struct diagram` (layout, time scale,
 * message pairing): lanes, messages, drops, snapshot cuts, event marks,
 * legend.
 *
 * Snapshot cuts.  A snapshot module calls disco_mark(ctx, "cut") when a
 * process records its state; the k-th "cut" mark of every node makes
 * snapshot k.  The cut of a node lies between its events: a send counts as
 * before it when observed before the mark; a receive when observed before
 * the event whose handling recorded.  That event (the delivery or timer
 * that started the callback in which the node marked) counts as after the
 * cut: both modules record before they handle what triggered the recording
 * (a Chandy-Lamport marker, a Lai-Yang red transfer or control message).
 * A node that never recorded has its cut after all its events.  A delivery
 * sent before its sender's cut and received after its receiver's is in
 * transit (what the snapshot must record in the channel); one sent after
 * and received before is an orphan (the snapshot is inconsistent).
 *
 * Every number is printed with a fixed format ("%.1f" for coordinates), so
 * the same run gives the same bytes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vclock.h"
#include "viz.h"

#define MAX_PLOT_WIDTH 2000.0
#define MIN_PLOT_WIDTH 400.0
#define PX_PER_TICK 6.0     /* before compression, for short runs */
#define MARGIN_LEFT 130.0   /* lane labels */
#define MARGIN_RIGHT 40.0
#define MARGIN_TOP 56.0     /* title and time axis */
#define COLLAPSE_FACTOR 4   /* gaps beyond 4 x the median gap collapse */

/* A fixed palette by kind index (Tableau-like, red left out: red means a
 * crash).  Kinds beyond it wrap around. */
static const char *const palette[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#7f7f7f", "#393b79",
};
#define PALETTE_SIZE (sizeof palette / sizeof palette[0])
#define CRASH_COLOUR "#d62728"
#define RECOVER_COLOUR "#2ca02c"
#define DROP_COLOUR "#333333"
#define CUT_COLOUR "#444444"
#define IN_TRANSIT_COLOUR "#f0a000"
#define ORPHAN_COLOUR CRASH_COLOUR
#define CUT_LABEL "cut"

static const char *kind_colour(int kind)
{
    return palette[(kind < 0 ? 0 : (unsigned)kind) % PALETTE_SIZE];
}

/* ------------------------------------------------------------------------ */
/* --window T1:T2                                                            */

struct window {
    bool on;
    disco_time_t t1, t2;
};

/* A whole number of ticks: digits only, no sign, no overflow. */
static bool parse_ticks(const char *s, size_t len, disco_time_t *out)
{
    if (len == 0 || len > 19)
        return false;
    disco_time_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (disco_time_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

static int parse_window(const char *text, struct window *w,
                        struct disco_error *err)
{
    memset(w, 0, sizeof *w);
    if (!text)
        return 0;
    const char *colon = strchr(text, ':');
    if (!colon || !parse_ticks(text, (size_t)(colon - text), &w->t1) ||
        !parse_ticks(colon + 1, strlen(colon + 1), &w->t2))
        return disco_fail(err, DISCO_EINVAL,
                          "bad --window '%s': expected T1:T2, two whole "
                          "numbers of ticks", text);
    if (w->t1 > w->t2)
        return disco_fail(err, DISCO_EINVAL,
                          "bad --window '%s': T1 is after T2", text);
    w->on = true;
    return 0;
}

/* Check a --window text before the run, so that a typo is refused before
 * a long simulation rather than after it.  For viz.h; declared here until
 * it is there. */
int viz_window_check(const char *window, struct disco_error *err);
int viz_window_check(const char *window, struct disco_error *err)
{
    struct window w;
    return parse_window(window, &w, err);
}

/* ------------------------------------------------------------------------ */
/* The diagram's geometry.                                                   */

struct diagram {
    const struct viz_recorder *rec;
    FILE *out;
    uint32_t n;
    struct window win;
    disco_time_t t_min, t_max;   /* the span drawn */

    /* Time scale: distinct times and their x, piecewise linear between. */
    disco_time_t *times;
    double *xs;
    size_t time_count;
    disco_time_t collapse;       /* gaps longer than this were shortened */
    double plot_left, plot_width;

    double lane_top, lane_gap;
    double width, height;
    double stroke;               /* message strokes */
    double dot;                  /* event dot radius */
    double mark;                 /* half size of crosses, diamonds */

    /* Message pairing: the index of each message's send event. */
    size_t *send_of;             /* messages entries, SIZE_MAX: none */
    uint64_t messages;

    /* Snapshot cuts: cut k of node i is event index cut_mark[k * n + i] (the
     * mark, SIZE_MAX: node i never recorded a k-th time), and receives
     * before index recv_cut[k * n + i] are before it. */
    size_t cut_count;
    size_t *cut_mark, *recv_cut;
};

static double lane_y(const struct diagram *d, uint32_t node)
{
    return d->lane_top + d->lane_gap * node;
}

static double time_x(const struct diagram *d, disco_time_t t)
{
    if (d->time_count == 0)
        return d->plot_left;
    if (t <= d->times[0])
        return d->xs[0];
    size_t last = d->time_count - 1;
    if (t >= d->times[last])
        return d->xs[last];
    size_t lo = 0, hi = last; /* times[lo] <= t < times[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->times[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    double f = (double)(t - d->times[lo]) /
               (double)(d->times[hi] - d->times[lo]);
    return d->xs[lo] + f * (d->xs[hi] - d->xs[lo]);
}

static bool in_window(const struct diagram *d, disco_time_t t)
{
    return !d->win.on || (t >= d->win.t1 && t <= d->win.t2);
}

static int compare_time(const void *a, const void *b)
{
    disco_time_t x = *(const disco_time_t *)a, y = *(const disco_time_t *)b;
    return x < y ? -1 : x > y;
}

/* The distinct times drawn (events come in time order), the window's ends
 * among them, then the compressed scale. */
static int build_time_scale(struct diagram *d, struct disco_error *err)
{
    const struct viz_recorder *rec = d->rec;
    size_t cap = rec->event_count + 2;
    d->times = malloc(cap * sizeof *d->times);
    d->xs = malloc(cap * sizeof *d->xs);
    if (!d->times || !d->xs)
        return disco_fail(err, DISCO_ENOMEM, "out of memory drawing the "
                          "space-time diagram");
    size_t k = 0;
    if (d->win.on)
        d->times[k++] = d->win.t1;
    for (size_t i = 0; i < rec->event_count; i++) {
        disco_time_t t = rec->events[i].time;
        if (!in_window(d, t))
            continue;
        if (k == 0 || d->times[k - 1] < t)
            d->times[k++] = t;
    }
    if (d->win.on && d->times[k - 1] < d->win.t2)
        d->times[k++] = d->win.t2;
    d->time_count = k;
    d->t_min = k ? d->times[0] : 0;
    d->t_max = k ? d->times[k - 1] : 0;

    /* Collapse: a gap longer than COLLAPSE_FACTOR x the median gap counts
     * as that long; the axis marks where. */
    disco_time_t median = 1;
    if (k > 1) {
        disco_time_t *gaps = malloc((k - 1) * sizeof *gaps);
        if (!gaps)
            return disco_fail(err, DISCO_ENOMEM, "out of memory drawing the "
                              "space-time diagram");
        for (size_t i = 0; i + 1 < k; i++)
            gaps[i] = d->times[i + 1] - d->times[i];
        qsort(gaps, k - 1, sizeof *gaps, compare_time);
        median = gaps[(k - 1) / 2];
        free(gaps);
    }
    d->collapse = median * COLLAPSE_FACTOR;
    if (d->collapse < 1)
        d->collapse = 1;
    double total = 0;
    for (size_t i = 0; i + 1 < k; i++) {
        disco_time_t gap = d->times[i + 1] - d->times[i];
        total += (double)(gap > d->collapse ? d->collapse : gap);
    }
    d->plot_width = total * PX_PER_TICK;
    if (d->plot_width > MAX_PLOT_WIDTH)
        d->plot_width = MAX_PLOT_WIDTH;
    if (d->plot_width < MIN_PLOT_WIDTH)
        d->plot_width = MIN_PLOT_WIDTH;
    double scale = total > 0 ? d->plot_width / total : 0;
    double x = d->plot_left;
    for (size_t i = 0; i < k; i++) {
        if (i > 0) {
            disco_time_t gap = d->times[i] - d->times[i - 1];
            x += scale * (double)(gap > d->collapse ? d->collapse : gap);
        }
        d->xs[i] = x;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Output helpers.                                                           */

static void put_escaped(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            /* Control characters are not allowed in XML 1.0. */
            if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
                fputc(*s, out);
        }
    }
}

static const char *kind_name(const struct diagram *d, const struct viz_event *ev)
{
    if (ev->kind_name)
        return ev->kind_name;
    const struct disco_algorithm *alg = d->rec->alg;
    if (ev->kind >= 0 && (unsigned)ev->kind < alg->kind_count)
        return alg->message_kinds[ev->kind];
    return "message";
}

static int64_t node_id(const struct diagram *d, uint32_t node)
{
    const struct disco_config *cfg = d->rec->cfg;
    return cfg && cfg->ids ? cfg->ids[node] : (int64_t)node + 1;
}

/* "node 3" or, for a node named in a DOT file, "node 3 (b)". */
static void put_node(const struct diagram *d, uint32_t node)
{
    fprintf(d->out, "node %" PRIu32, node);
    const struct disco_topology *topo = d->rec->topo;
    if (topo->names && topo->names[node]) {
        fputs(" (", d->out);
        put_escaped(d->out, topo->names[node]);
        fputc(')', d->out);
    }
}

/* The tooltip's clocks: "Lamport 4, vector (1,2,0)". */
static void put_clocks(const struct diagram *d, const struct viz_event *ev,
                       const uint32_t *vector)
{
    fprintf(d->out, "Lamport %" PRIu64, ev->lamport);
    if (!vector)
        return;
    /* Digits by hand: at 50 processes and 10^4 messages this is a million
     * numbers, where fprintf dominates the whole picture. */
    fputs(", vector (", d->out);
    char buf[16];
    for (uint32_t k = 0; k < d->n; k++) {
        char *p = buf + sizeof buf;
        *--p = '\0';
        uint32_t v = vector[k];
        do
            *--p = (char)('0' + v % 10);
        while ((v /= 10));
        if (k)
            *--p = ',';
        fputs(p, d->out);
    }
    fputc(')', d->out);
}

/* ------------------------------------------------------------------------ */
/* Layers.                                                                   */

static void draw_header(const struct diagram *d)
{
    const struct viz_recorder *rec = d->rec;
    FILE *out = d->out;
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.1f\" "
            "height=\"%.1f\" viewBox=\"0 0 %.1f %.1f\" "
            "font-family=\"sans-serif\" font-size=\"11\">\n",
            d->width, d->height, d->width, d->height);
    fputs("<title>", out);
    put_escaped(out, rec->alg->name);
    fputs(" on ", out);
    put_escaped(out, rec->topo->spec);
    fputs("</title>\n", out);
    /* One arrowhead per kind, in user units so that thin strokes keep
     * visible heads. */
    double head = d->stroke < 1 ? 5 : 7;
    fputs("<defs>\n", out);
    for (unsigned k = 0; k < rec->alg->kind_count; k++)
        fprintf(out,
                "<marker id=\"head%u\" viewBox=\"0 0 10 10\" refX=\"10\" "
                "refY=\"5\" markerWidth=\"%.1f\" markerHeight=\"%.1f\" "
                "markerUnits=\"userSpaceOnUse\" orient=\"auto\">"
                "<path d=\"M0,0L10,5L0,10z\" fill=\"%s\"/></marker>\n",
                k, head, head, kind_colour((int)k));
    fputs("</defs>\n", out);
    fprintf(out, "<rect width=\"%.1f\" height=\"%.1f\" fill=\"white\"/>\n",
            d->width, d->height);
    fprintf(out, "<text x=\"%.1f\" y=\"18.0\" font-size=\"13\" "
            "font-weight=\"bold\">", 10.0);
    put_escaped(out, rec->alg->name);
    fputs(" on ", out);
    put_escaped(out, rec->topo->spec);
    fprintf(out, ", seed %" PRIu64 ", t %" PRIu64 "..%" PRIu64 "%s</text>\n",
            rec->cfg ? rec->cfg->seed : 0, d->t_min, d->t_max,
            d->win.on ? " (window)" : "");
}

/* The time axis: labels at event times at least 60 px apart, a zigzag
 * where an idle stretch was collapsed. */
static void draw_axis(const struct diagram *d)
{
    FILE *out = d->out;
    double y = MARGIN_TOP - 12;
    fprintf(out, "<g class=\"axis\" font-size=\"9\" fill=\"#555555\">\n");
    fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#999999\" stroke-width=\"0.5\"/>\n", d->plot_left, y,
            d->plot_left + d->plot_width, y);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">t</text>\n",
            d->plot_left - 8, y + 3);
    double last = -1e9, last_zigzag = -1e9;
    for (size_t i = 0; i < d->time_count; i++) {
        double x = d->xs[i];
        /* Collapsed stretches closer than 16 px share one zigzag. */
        if (i + 1 < d->time_count &&
            d->times[i + 1] - d->times[i] > d->collapse &&
            (x + d->xs[i + 1]) / 2 - last_zigzag >= 16) {
            double mid = (x + d->xs[i + 1]) / 2;
            last_zigzag = mid;
            fprintf(out, "<path d=\"M%.1f,%.1fl3,-4l3,8l3,-4\" fill=\"none\" "
                    "stroke=\"#999999\"><title>ticks %" PRIu64 " to %" PRIu64
                    ": nothing happens, drawn shorter</title></path>\n",
                    mid - 4.5, y, d->times[i], d->times[i + 1]);
        }
        if (x - last < 60)
            continue;
        last = x;
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#999999\" stroke-width=\"0.5\"/>"
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%" PRIu64
                "</text>\n", x, y - 3, x, y + 3, x, y - 5, d->times[i]);
    }
    fputs("</g>\n", out);
}

/* One <g class="lane"> per process: its label, and its line, solid while
 * up and dashed while crashed (from a crash to the next recovery). */
static void draw_lanes(const struct diagram *d, const size_t *faults,
                       size_t fault_count)
{
    FILE *out = d->out;
    double font = d->lane_gap - 1 < 11 ? d->lane_gap - 1 : 11;
    /* Lanes closer than 6 px get every k-th label only. */
    uint32_t every = 1;
    if (font < 6) {
        font = 6;
        every = (uint32_t)(7 / d->lane_gap) + 1;
    }
    double right = d->plot_left + d->plot_width;
    for (uint32_t i = 0; i < d->n; i++) {
        double y = lane_y(d, i);
        fprintf(out, "<g class=\"lane\" id=\"lane%" PRIu32 "\">", i);
        if (i % every == 0) {
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" "
                    "text-anchor=\"end\">", d->plot_left - 8, y + font / 3,
                    font);
            put_node(d, i);
            fprintf(out, " \xc2\xb7 id %" PRId64 "</text>", node_id(d, i));
        }
        /* Walk this node's crashes and recoveries (all of them, also those
         * before the window, which decide how the lane starts). */
        bool crashed = false;
        double from = d->plot_left;
        for (size_t f = 0; f < fault_count; f++) {
            const struct viz_event *ev = &d->rec->events[faults[f]];
            if (ev->node != i)
                continue;
            if (ev->time > d->t_max)
                break; /* after the window: the lane ends as it was */
            bool now = ev->type == DISCO_EV_CRASH;
            if (now == crashed)
                continue;
            double x = ev->time < d->t_min ? d->plot_left : time_x(d, ev->time);
            if (x > from)
                fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                        "y2=\"%.1f\" stroke=\"#bbbbbb\"%s/>", from, y, x, y,
                        crashed ? " stroke-dasharray=\"4,3\"" : "");
            from = x;
            crashed = now;
        }
        if (right > from)
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\" stroke=\"#bbbbbb\"%s/>", from, y, right, y,
                    crashed ? " stroke-dasharray=\"4,3\"" : "");
        fputs("</g>\n", out);
    }
}

/* A point on a message's path at time t, between (ts, ys) and (tr, yr):
 * lanes interpolated in real time, x from the compressed scale. */
static void clip_point(const struct diagram *d, disco_time_t ts, double ys,
                       disco_time_t tr, double yr, disco_time_t t, double *x,
                       double *y)
{
    *x = time_x(d, t);
    *y = tr > ts ? ys + (yr - ys) * (double)(t - ts) / (double)(tr - ts) : yr;
}

/* One arrow per delivery; second deliveries of a message are dashed with
 * a ring at the head.  Deliveries crossing the window's edge are cut there
 * (no head when the end is cut). */
static void draw_messages(const struct diagram *d, unsigned char *delivered)
{
    const struct viz_recorder *rec = d->rec;
    FILE *out = d->out;
    fputs("<g class=\"messages\" fill=\"none\">\n", out);
    for (size_t i = 0; i < rec->event_count; i++) {
        const struct viz_event *ev = &rec->events[i];
        if (ev->type != DISCO_EV_RECV || ev->msg < 1 || ev->msg > d->messages ||
            d->send_of[ev->msg - 1] == SIZE_MAX)
            continue;
        bool dup = delivered[ev->msg - 1];
        delivered[ev->msg - 1] = 1;
        const struct viz_event *s = &rec->events[d->send_of[ev->msg - 1]];
        disco_time_t ts = s->time, tr = ev->time;
        if (d->win.on && (ts > d->win.t2 || tr < d->win.t1))
            continue;
        double ys = lane_y(d, s->node), yr = lane_y(d, ev->node);
        double x1, y1, x2, y2;
        bool cut_start = d->win.on && ts < d->win.t1;
        bool cut_end = d->win.on && tr > d->win.t2;
        clip_point(d, ts, ys, tr, yr, cut_start ? d->win.t1 : ts, &x1, &y1);
        clip_point(d, ts, ys, tr, yr, cut_end ? d->win.t2 : tr, &x2, &y2);
        /* A Byzantine sender's rewritten message stands out in red, so
         * that a class sees where the lie entered. */
        bool forged = s->forged;
        fprintf(out, "<line class=\"msg\" data-kind=\"%d\" x1=\"%.1f\" "
                "y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"%.1f\"", ev->kind, x1, y1, x2, y2,
                forged ? "#d62728" : kind_colour(ev->kind),
                forged ? 2 * d->stroke : d->stroke);
        if (forged)
            fputs(" data-forged=\"1\"", out);
        if (!cut_end)
            fprintf(out, " marker-end=\"url(#head%d)\"", ev->kind);
        if (dup)
            fputs(" stroke-dasharray=\"4,2\" data-dup=\"1\"", out);
        if (cut_start || cut_end)
            fprintf(out, " data-clipped=\"%s\"",
                    cut_start && cut_end ? "both" : cut_start ? "start"
                                                              : "end");
        fputs("><title>", out);
        put_escaped(out, kind_name(d, ev));
        fprintf(out, " (msg %" PRIu64 ") ", ev->msg);
        put_node(d, s->node);
        fputs(" \xe2\x86\x92 ", out);
        put_node(d, ev->node);
        fprintf(out, ", t %" PRIu64 " \xe2\x86\x92 %" PRIu64 "%s%s</title></line>\n",
                ts, tr, dup ? ", a duplicate" : "",
                forged ? ", forged by a Byzantine sender" : "");
        if (dup && !cut_end)
            fprintf(out, "<circle class=\"dupmark\" cx=\"%.1f\" cy=\"%.1f\" "
                    "r=\"%.1f\" stroke=\"%s\" stroke-width=\"%.1f\"/>\n", x2,
                    y2, d->mark, kind_colour(ev->kind), d->stroke);
    }
    fputs("</g>\n", out);
}

/* A lost message: a line from its send towards the receiver, ending in a
 * cross where it was lost (at the receiver's lane when it was lost on
 * arrival, a short way out when the channel lost it at once). */
static void draw_drops(const struct diagram *d)
{
    const struct viz_recorder *rec = d->rec;
    FILE *out = d->out;
    for (size_t i = 0; i < rec->event_count; i++) {
        const struct viz_event *ev = &rec->events[i];
        if (ev->type != DISCO_EV_DROP || ev->msg < 1 ||
            ev->msg > d->messages || d->send_of[ev->msg - 1] == SIZE_MAX)
            continue;
        const struct viz_event *s = &rec->events[d->send_of[ev->msg - 1]];
        disco_time_t ts = s->time, td = ev->time;
        if (d->win.on && (ts > d->win.t2 || td < d->win.t1))
            continue;
        double ys = lane_y(d, s->node), yr = lane_y(d, ev->node);
        double x1, y1, x2, y2;
        bool cut_start = d->win.on && ts < d->win.t1;
        bool cut_end = d->win.on && td > d->win.t2;
        clip_point(d, ts, ys, td, yr, cut_start ? d->win.t1 : ts, &x1, &y1);
        if (td > ts) {
            clip_point(d, ts, ys, td, yr, cut_end ? d->win.t2 : td, &x2, &y2);
        } else {
            x2 = x1 + 4 * d->mark;
            y2 = ys + (yr - ys) * 0.4;
        }
        fprintf(out, "<g class=\"drop\"><title>");
        put_escaped(out, kind_name(d, ev));
        fprintf(out, " (msg %" PRIu64 ") ", ev->msg);
        put_node(d, s->node);
        fputs(" \xe2\x86\x92 ", out);
        put_node(d, ev->node);
        fprintf(out, " lost at t %" PRIu64 "</title>", td);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"%s\" stroke-width=\"%.1f\" "
                "stroke-dasharray=\"2,2\"/>", x1, y1, x2, y2,
                kind_colour(ev->kind), d->stroke);
        if (!cut_end) {
            double m = d->mark;
            fprintf(out, "<path d=\"M%.1f,%.1fL%.1f,%.1fM%.1f,%.1fL%.1f,%.1f\""
                    " stroke=\"%s\" stroke-width=\"%.1f\"/>", x2 - m, y2 - m,
                    x2 + m, y2 + m, x2 - m, y2 + m, x2 + m, y2 - m,
                    DROP_COLOUR, d->stroke + 0.4);
        }
        fputs("</g>\n", out);
    }
}

/* ---- snapshot cuts ---- */

static bool is_cut_mark(const struct viz_event *ev)
{
    return ev->type == DISCO_EV_MARK && ev->label &&
           strcmp(ev->label, CUT_LABEL) == 0;
}

/* The index from which a receive at the node of mark `j` counts as after
 * its cut: the delivery or timer whose callback made the mark, when there
 * is one (walking back over what that callback did: its sends, their
 * losses and duplications, its decisions and marks), else the mark. */
static size_t recv_cut_of(const struct viz_recorder *rec, size_t j)
{
    const struct viz_event *m = &rec->events[j];
    for (size_t k = j; k-- > 0;) {
        const struct viz_event *e = &rec->events[k];
        if (e->time != m->time)
            break;
        if (e->node == m->node &&
            (e->type == DISCO_EV_SEND || e->type == DISCO_EV_DECIDE ||
             e->type == DISCO_EV_MARK))
            continue;
        if ((e->type == DISCO_EV_DROP || e->type == DISCO_EV_DUP) &&
            e->peer == m->node)
            continue;
        if (e->node == m->node &&
            (e->type == DISCO_EV_RECV || e->type == DISCO_EV_TIMER))
            return k;
        break;
    }
    return j;
}

/* Find the cuts: snapshot k is every node's k-th "cut" mark. */
static int find_cuts(struct diagram *d, struct disco_error *err)
{
    const struct viz_recorder *rec = d->rec;
    if (d->n == 0)
        return 0;
    size_t *seen = calloc(d->n, sizeof *seen);
    if (!seen)
        return disco_fail(err, DISCO_ENOMEM, "out of memory drawing the "
                          "space-time diagram");
    for (size_t i = 0; i < rec->event_count; i++) {
        const struct viz_event *ev = &rec->events[i];
        if (is_cut_mark(ev) && ev->node < d->n &&
            ++seen[ev->node] > d->cut_count)
            d->cut_count = seen[ev->node];
    }
    if (d->cut_count == 0) {
        free(seen);
        return 0;
    }
    size_t cells = d->cut_count * d->n;
    d->cut_mark = malloc(cells * sizeof *d->cut_mark);
    d->recv_cut = malloc(cells * sizeof *d->recv_cut);
    if (!d->cut_mark || !d->recv_cut) {
        free(seen);
        return disco_fail(err, DISCO_ENOMEM, "out of memory drawing the "
                          "space-time diagram");
    }
    for (size_t c = 0; c < cells; c++)
        d->cut_mark[c] = d->recv_cut[c] = SIZE_MAX;
    memset(seen, 0, d->n * sizeof *seen);
    for (size_t i = 0; i < rec->event_count; i++) {
        const struct viz_event *ev = &rec->events[i];
        if (!is_cut_mark(ev) || ev->node >= d->n)
            continue;
        size_t c = seen[ev->node]++ * d->n + ev->node;
        d->cut_mark[c] = i;
        d->recv_cut[c] = recv_cut_of(rec, i);
    }
    free(seen);
    return 0;
}

/* Where a delivery (send index `s`, receive index `r`) stands to cut k:
 * 1 in transit, -1 an orphan, 0 neither. */
static int crossing(const struct diagram *d, size_t k, size_t s, size_t r)
{
    const struct viz_event *sv = &d->rec->events[s], *rv = &d->rec->events[r];
    if (sv->node >= d->n || rv->node >= d->n)
        return 0;
    size_t ms = d->cut_mark[k * d->n + sv->node];
    size_t mr = d->recv_cut[k * d->n + rv->node];
    bool sent_before = ms == SIZE_MAX || s < ms;
    bool received_before = mr == SIZE_MAX || r < mr;
    if (sent_before && !received_before)
        return 1;
    if (!sent_before && received_before)
        return -1;
    return 0;
}

/* Cut k as a dashed polyline through the lanes of the nodes that
 * recorded, its tooltip naming when each did. */
static void draw_cut_line(const struct diagram *d, size_t k)
{
    const struct viz_recorder *rec = d->rec;
    FILE *out = d->out;
    /* A --window shows the vertices inside it only (a vertex pinned
     * to the window's edge would claim a recording time it does not
     * have); the tooltip still names every node's. */
    uint32_t inside = 0;
    for (uint32_t i = 0; i < d->n; i++) {
        size_t m = d->cut_mark[k * d->n + i];
        inside += m != SIZE_MAX && in_window(d, rec->events[m].time);
    }
    if (inside == 0)
        return;
    fprintf(out, "<polyline class=\"cut\" data-cut=\"%zu\" points=\"",
            k + 1);
    bool first = true;
    for (uint32_t i = 0; i < d->n; i++) {
        size_t m = d->cut_mark[k * d->n + i];
        if (m == SIZE_MAX || !in_window(d, rec->events[m].time))
            continue;
        fprintf(out, "%s%.1f,%.1f", first ? "" : " ",
                time_x(d, rec->events[m].time), lane_y(d, i));
        first = false;
    }
    fprintf(out, "\" stroke=\"" CUT_COLOUR "\" stroke-width=\"1.5\" "
            "stroke-dasharray=\"6,3\"><title>snapshot %zu:", k + 1);
    first = true;
    for (uint32_t i = 0; i < d->n; i++) {
        size_t m = d->cut_mark[k * d->n + i];
        if (m == SIZE_MAX)
            continue;
        fputs(first ? " " : ", ", out);
        put_node(d, i);
        fprintf(out, " at t %" PRIu64, rec->events[m].time);
        first = false;
    }
    fputs("</title></polyline>\n", out);
}

/* Each cut's line, then the deliveries crossing it re-stroked wide and
 * pale over their arrows: amber in transit, red orphans. */
static void draw_cuts(const struct diagram *d)
{
    const struct viz_recorder *rec = d->rec;
    FILE *out = d->out;
    if (d->cut_count == 0)
        return;
    fputs("<g class=\"cuts\" fill=\"none\">\n", out);
    for (size_t k = 0; k < d->cut_count; k++) {
        draw_cut_line(d, k);
        for (size_t r = 0; r < rec->event_count; r++) {
            const struct viz_event *ev = &rec->events[r];
            if (ev->type != DISCO_EV_RECV || ev->msg < 1 ||
                ev->msg > d->messages || d->send_of[ev->msg - 1] == SIZE_MAX)
                continue;
            size_t s = d->send_of[ev->msg - 1];
            int how = crossing(d, k, s, r);
            if (how == 0)
                continue;
            const struct viz_event *sv = &rec->events[s];
            disco_time_t ts = sv->time, tr = ev->time;
            if (d->win.on && (ts > d->win.t2 || tr < d->win.t1))
                continue;
            double ys = lane_y(d, sv->node), yr = lane_y(d, ev->node);
            double x1, y1, x2, y2;
            clip_point(d, ts, ys, tr, yr,
                       d->win.on && ts < d->win.t1 ? d->win.t1 : ts, &x1, &y1);
            clip_point(d, ts, ys, tr, yr,
                       d->win.on && tr > d->win.t2 ? d->win.t2 : tr, &x2, &y2);
            fprintf(out, "<line class=\"%s\" data-cut=\"%zu\" "
                    "data-msg=\"%" PRIu64 "\" x1=\"%.1f\" y1=\"%.1f\" "
                    "x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"%.1f\" stroke-opacity=\"0.5\" "
                    "stroke-linecap=\"round\"><title>",
                    how > 0 ? "in-transit" : "orphan", k + 1, ev->msg, x1, y1,
                    x2, y2, how > 0 ? IN_TRANSIT_COLOUR : ORPHAN_COLOUR,
                    d->stroke + 3);
            put_escaped(out, kind_name(d, ev));
            fprintf(out, " (msg %" PRIu64 ") ", ev->msg);
            put_node(d, sv->node);
            fputs(" \xe2\x86\x92 ", out);
            put_node(d, ev->node);
            fprintf(out, ", t %" PRIu64 " \xe2\x86\x92 %" PRIu64 ": %s "
                    "snapshot %zu</title></line>\n", ts, tr,
                    how > 0 ? "in transit across" : "an orphan of", k + 1);
        }
    }
    fputs("</g>\n", out);
}

/* The tooltip of one event: "node 1 · recv elect from node 0 (msg 3) ·
 * t 37 · Lamport 2, vector (1,1,0)". */
static void put_event_title(const struct diagram *d, const struct viz_event *ev,
                            const uint32_t *vector)
{
    FILE *out = d->out;
    fputs("<title>", out);
    put_node(d, ev->node);
    fputs(" \xc2\xb7 ", out);
    switch (ev->type) {
    case DISCO_EV_SEND:
    case DISCO_EV_RECV:
        fputs(ev->type == DISCO_EV_SEND ? "send " : "recv ", out);
        put_escaped(out, kind_name(d, ev));
        fputs(ev->type == DISCO_EV_SEND ? " to " : " from ", out);
        put_node(d, ev->peer);
        fprintf(out, " (msg %" PRIu64 ")", ev->msg);
        break;
    case DISCO_EV_TIMER:
        fprintf(out, "timer %" PRId64, ev->value);
        break;
    case DISCO_EV_DECIDE:
        fprintf(out, "decide %" PRId64, ev->value);
        break;
    default:
        fputs(disco_event_name(ev->type), out);
        break;
    }
    fprintf(out, " \xc2\xb7 t %" PRIu64 " \xc2\xb7 ", ev->time);
    put_clocks(d, ev, vector);
    fputs("</title>", out);
}

/* Event marks, each with its tooltip: dots for sends, receives and timers,
 * a diamond with the value for decisions, a red X for crashes, a green
 * ring for recoveries.  The vector clocks are stepped through every event,
 * drawn or not, so that a window shows the run's clocks. */
static void draw_events(const struct diagram *d, struct vclock *vc)
{
    const struct viz_recorder *rec = d->rec;
    FILE *out = d->out;
    double m = d->mark;
    fputs("<g class=\"events\">\n", out);
    for (size_t i = 0; i < rec->event_count; i++) {
        const struct viz_event *ev = &rec->events[i];
        const uint32_t *vector = vc->n ? vclock_step(vc, ev) : NULL;
        if (!in_window(d, ev->time) || ev->node >= d->n)
            continue;
        double x = time_x(d, ev->time), y = lane_y(d, ev->node);
        switch (ev->type) {
        case DISCO_EV_SEND:
        case DISCO_EV_RECV:
        case DISCO_EV_TIMER:
            fprintf(out, "<circle class=\"ev\" cx=\"%.1f\" cy=\"%.1f\" "
                    "r=\"%.1f\" fill=\"%s\">", x, y, d->dot,
                    ev->type == DISCO_EV_TIMER ? "white"
                                               : kind_colour(ev->kind));
            put_event_title(d, ev, vector);
            fputs("</circle>\n", out);
            if (ev->type == DISCO_EV_TIMER)
                fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" "
                        "fill=\"none\" stroke=\"#555555\" "
                        "stroke-width=\"0.5\"/>\n", x, y, d->dot);
            break;
        case DISCO_EV_DECIDE:
            fprintf(out, "<g class=\"decide\"><path d=\"M%.1f,%.1fl%.1f,%.1f"
                    "l%.1f,%.1fl%.1f,%.1fz\" fill=\"#ffd700\" "
                    "stroke=\"#333333\" stroke-width=\"0.6\"/>", x, y - m, m, m,
                    -m, m, -m, -m);
            put_event_title(d, ev, vector);
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\" "
                    "text-anchor=\"middle\">%" PRId64 "</text></g>\n", x,
                    y - m - 2, m < 4 ? 7.0 : 9.0, ev->value);
            break;
        case DISCO_EV_CRASH:
            fprintf(out, "<g class=\"crash\"><path d=\"M%.1f,%.1fL%.1f,%.1f"
                    "M%.1f,%.1fL%.1f,%.1f\" stroke=\"" CRASH_COLOUR
                    "\" stroke-width=\"2.0\"/>", x - 1.5 * m, y - 1.5 * m,
                    x + 1.5 * m, y + 1.5 * m, x - 1.5 * m, y + 1.5 * m,
                    x + 1.5 * m, y - 1.5 * m);
            put_event_title(d, ev, vector);
            fputs("</g>\n", out);
            break;
        case DISCO_EV_RECOVER:
            fprintf(out, "<g class=\"recover\"><circle cx=\"%.1f\" "
                    "cy=\"%.1f\" r=\"%.1f\" fill=\"white\" stroke=\""
                    RECOVER_COLOUR "\" stroke-width=\"2.0\"/>", x, y, 1.2 * m);
            put_event_title(d, ev, vector);
            fputs("</g>\n", out);
            break;
        default:
            break;
        }
    }
    fputs("</g>\n", out);
}

/* The legend: one entry per message kind, then the marks. */
/* Marks always in the legend, then three for snapshot cuts when the run
 * has any (so that other runs' pictures stay as they were). */
#define LEGEND_MARKS 6u
#define LEGEND_CUT_MARKS 3u

static unsigned legend_marks(const struct diagram *d)
{
    return LEGEND_MARKS + (d->cut_count ? LEGEND_CUT_MARKS : 0);
}

static double legend_height(const struct diagram *d)
{
    unsigned entries = d->rec->alg->kind_count + legend_marks(d);
    unsigned per_row = (unsigned)((d->width - 20) / 150);
    if (per_row < 1)
        per_row = 1;
    return 20.0 * ((entries + per_row - 1) / per_row) + 16;
}

static void draw_legend(const struct diagram *d, double top)
{
    const struct disco_algorithm *alg = d->rec->alg;
    FILE *out = d->out;
    unsigned per_row = (unsigned)((d->width - 20) / 150);
    if (per_row < 1)
        per_row = 1;
    fputs("<g class=\"legend\" font-size=\"10\">\n", out);
    unsigned entry = 0;
    for (unsigned k = 0; k < alg->kind_count + legend_marks(d);
         k++, entry++) {
        double x = 10 + 150.0 * (entry % per_row);
        double y = top + 20.0 * (entry / per_row);
        const char *label;
        if (k < alg->kind_count) {
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
                    "marker-end=\"url(#head%u)\"/>", x, y, x + 24, y,
                    kind_colour((int)k), k);
            fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", x + 30, y + 3);
            put_escaped(out, alg->message_kinds[k]);
            fputs("</text>\n", out);
            continue;
        }
        switch (k - alg->kind_count) {
        case 0:
            label = "lost";
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\" stroke=\"#777777\" stroke-dasharray=\"2,2\"/>"
                    "<path d=\"M%.1f,%.1fl6,6m-6,0l6,-6\" stroke=\""
                    DROP_COLOUR "\"/>", x, y, x + 21, y, x + 21, y - 3);
            break;
        case 1:
            label = "duplicate delivery";
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\" stroke=\"#777777\" "
                    "stroke-dasharray=\"4,2\"/><circle cx=\"%.1f\" "
                    "cy=\"%.1f\" r=\"3.0\" fill=\"none\" "
                    "stroke=\"#777777\"/>", x, y, x + 24, y, x + 24, y);
            break;
        case 2:
            label = "crash";
            fprintf(out, "<path d=\"M%.1f,%.1fl8,8m-8,0l8,-8\" stroke=\""
                    CRASH_COLOUR "\" stroke-width=\"2.0\"/>", x + 8, y - 4);
            break;
        case 3:
            label = "crashed (lane dashed)";
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\" stroke=\"#bbbbbb\" "
                    "stroke-dasharray=\"4,3\"/>", x, y, x + 24, y);
            break;
        case 4:
            label = "recovery";
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4.0\" "
                    "fill=\"white\" stroke=\"" RECOVER_COLOUR "\" "
                    "stroke-width=\"2.0\"/>", x + 12, y);
            break;
        case 5:
            label = "decision (value)";
            fprintf(out, "<path d=\"M%.1f,%.1fl5,5l-5,5l-5,-5z\" "
                    "fill=\"#ffd700\" stroke=\"#333333\" "
                    "stroke-width=\"0.6\"/>", x + 12, y - 5);
            break;
        case 6:
            label = "snapshot cut";
            fprintf(out, "<polyline points=\"%.1f,%.1f %.1f,%.1f\" "
                    "fill=\"none\" stroke=\"" CUT_COLOUR "\" "
                    "stroke-width=\"1.5\" stroke-dasharray=\"6,3\"/>",
                    x + 12, y - 7, x + 12, y + 7);
            break;
        case 7:
            label = "in transit across a cut";
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\" stroke=\"" IN_TRANSIT_COLOUR "\" "
                    "stroke-width=\"4.0\" stroke-opacity=\"0.5\" "
                    "stroke-linecap=\"round\"/>", x, y, x + 24, y);
            break;
        default:
            label = "orphan (sent after, received before)";
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\" stroke=\"" ORPHAN_COLOUR "\" "
                    "stroke-width=\"4.0\" stroke-opacity=\"0.5\" "
                    "stroke-linecap=\"round\"/>", x, y, x + 24, y);
            break;
        }
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", x + 30, y + 3,
                label);
    }
    fputs("</g>\n", out);
}

/* ------------------------------------------------------------------------ */

static void diagram_release(struct diagram *d)
{
    free(d->times);
    free(d->xs);
    free(d->send_of);
    free(d->cut_mark);
    free(d->recv_cut);
}

int viz_write_spacetime(struct viz_recorder *rec, FILE *out,
                        const char *window, struct disco_error *err)
{
    struct diagram d = {.rec = rec, .out = out, .n = rec->topo->nodes};
    int rc = parse_window(window, &d.win, err);
    if (rc)
        return rc;

    /* Pair every message with its send; count what sets the strokes. */
    uint64_t delivered_count = 0;
    size_t fault_count = 0;
    for (size_t i = 0; i < rec->event_count; i++) {
        const struct viz_event *ev = &rec->events[i];
        if (ev->type == DISCO_EV_SEND && ev->msg > d.messages)
            d.messages = ev->msg;
        delivered_count += ev->type == DISCO_EV_RECV;
        fault_count += ev->type == DISCO_EV_CRASH ||
                       ev->type == DISCO_EV_RECOVER;
    }
    d.send_of = malloc((d.messages ? d.messages : 1) * sizeof *d.send_of);
    size_t *faults = malloc((fault_count ? fault_count : 1) * sizeof *faults);
    unsigned char *delivered = calloc(d.messages ? d.messages : 1, 1);
    if (!d.send_of || !faults || !delivered) {
        rc = disco_fail(err, DISCO_ENOMEM, "out of memory drawing the "
                        "space-time diagram");
        goto done;
    }
    for (uint64_t m = 0; m < d.messages; m++)
        d.send_of[m] = SIZE_MAX;
    fault_count = 0;
    for (size_t i = 0; i < rec->event_count; i++) {
        const struct viz_event *ev = &rec->events[i];
        if (ev->type == DISCO_EV_SEND && ev->msg >= 1)
            d.send_of[ev->msg - 1] = i;
        else if (ev->type == DISCO_EV_CRASH || ev->type == DISCO_EV_RECOVER)
            faults[fault_count++] = i;
    }

    /* Layout: lanes closer as processes are more numerous, strokes and
     * marks thinner as messages are. */
    d.plot_left = MARGIN_LEFT;
    d.lane_gap = d.n > 1 ? 640.0 / d.n : 40;
    if (d.lane_gap > 40)
        d.lane_gap = 40;
    if (d.lane_gap < 3)
        d.lane_gap = 3;
    d.lane_top = MARGIN_TOP + 14;
    d.stroke = delivered_count > 2000 ? 0.4 : delivered_count > 200 ? 0.7
                                                                    : 1.2;
    d.mark = d.lane_gap < 12 ? 2.5 : 4;
    d.dot = d.lane_gap < 12 ? 1.0 : 2.0;
    if ((rc = build_time_scale(&d, err)) || (rc = find_cuts(&d, err)))
        goto done;
    d.width = d.plot_left + d.plot_width + MARGIN_RIGHT;
    double lanes_bottom = lane_y(&d, d.n ? d.n - 1 : 0) + 24;
    d.height = lanes_bottom + legend_height(&d);

    /* The vector clocks are a luxury for tooltips: a run too large for
     * them keeps its Lamport clocks only. */
    struct vclock vc;
    struct disco_error scratch;
    rc = vclock_init(&vc, rec, &scratch);
    if (rc == DISCO_ELIMIT) {
        memset(&vc, 0, sizeof vc);
    } else if (rc) {
        if (err)
            *err = scratch;
        goto done;
    }
    rc = 0;

    draw_header(&d);
    draw_axis(&d);
    draw_lanes(&d, faults, fault_count);
    draw_messages(&d, delivered);
    draw_drops(&d);
    draw_cuts(&d);
    draw_events(&d, &vc);
    draw_legend(&d, lanes_bottom + 8);
    fputs("</svg>\n", out);
    vclock_release(&vc);
    if (ferror(out))
        rc = disco_fail(err, DISCO_EIO, "cannot write the space-time "
                        "diagram");
done:
    free(faults);
    free(delivered);
    diagram_release(&d);
    return rc;
}
