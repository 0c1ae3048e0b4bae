/*
 * player.c - the animated HTML player (--html FILE.html): one
 * self-contained page that loads nothing from the network.
 *
 * The page is three parts: a fixed head with inline CSS and the markup
 * (below), the run as JSON in a <script type="application/json"> element,
 * and the player's JavaScript (viz/player.js), which meson embeds at build
 * time as the C string PLAYER_JS in player_js.h (fs.read in
 * viz/meson.build: no generator program, no xxd, and editing player.js
 * rebuilds the library).
 *
 * What C computes: node positions (a ring looks like a ring, a grid like a
 * grid, a tree like a tree), the edges, a deduplicated table of state
 * texts, and the events as columns of numbers, compact enough for 10^5
 * events.  What JavaScript computes: per-event states, stepped forwards
 * and backwards incrementally, and the drawing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "player_js.h"
#include "viz.h"

/* PI is POSIX XSI, not C11. */
#define PI 3.14159265358979323846

/* ------------------------------------------------------------------------ */
/* Writing JSON.                                                             */

/* A JSON string; '<' and '>' are escaped too, so no text of the run can
 * close the <script> element that holds the JSON. */
static void put_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
         p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\t': fputs("\\t", out); break;
        case '\r': fputs("\\r", out); break;
        case '<': fputs("\\u003c", out); break;
        case '>': fputs("\\u003e", out); break;
        case '&': fputs("\\u0026", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* ------------------------------------------------------------------------ */
/* Layout: positions in a box about [-1, 1]^2; the page scales them.        */

struct layout {
    double *x, *y;
};

/* The family of a generator spec and its first two numbers. */
static int spec_family(const char *spec, char *family, size_t len,
                       unsigned long *a, unsigned long *b)
{
    const char *colon = strchr(spec, ':');
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    if (n >= len)
        n = len - 1;
    memcpy(family, spec, n);
    family[n] = '\0';
    *a = *b = 0;
    if (!colon)
        return 0;
    char *end;
    *a = strtoul(colon + 1, &end, 10);
    if (*end == 'x' || *end == ':')
        *b = strtoul(end + 1, NULL, 10);
    return *b ? 2 : 1;
}

static void circle(struct layout *l, uint32_t from, uint32_t to, double r,
                   double turn)
{
    uint32_t n = to - from;
    for (uint32_t i = 0; i < n; i++) {
        /* Node `from` at the top, then clockwise, as on a clock face. */
        double a = 2 * PI * (double)i / n + turn;
        l->x[from + i] = r * sin(a);
        l->y[from + i] = -r * cos(a);
    }
}

/* Breadth-first from `root`: parent (root's is itself), depth, the visit
 * order; returns how many nodes were reached. */
static uint32_t bfs(const struct disco_topology *t, uint32_t root,
                    uint32_t *parent, uint32_t *depth, uint32_t *order)
{
    uint32_t seen = 0;
    for (uint32_t v = 0; v < t->nodes; v++)
        parent[v] = UINT32_MAX;
    parent[root] = root;
    depth[root] = 0;
    order[seen++] = root;
    for (uint32_t i = 0; i < seen; i++) {
        uint32_t u = order[i];
        for (uint32_t c = t->out_offset[u]; c < t->out_offset[u + 1]; c++) {
            uint32_t v = t->out_target[c];
            if (parent[v] == UINT32_MAX) {
                parent[v] = u;
                depth[v] = depth[u] + 1;
                order[seen++] = v;
            }
        }
    }
    return seen;
}

/* A tree drawn in layers, one unit apart, from its centre (the middle of a
 * longest path, so that it is as flat as it can be) or, for btree, from
 * node 0; leaves get consecutive columns and a parent sits above the
 * middle of its children.  False when the graph is not a tree (or memory
 * runs out). */
static bool tree_layout(struct layout *l, const struct disco_topology *t,
                        bool from_zero)
{
    uint32_t n = t->nodes;
    if (t->directed || t->channels != 2 * (n - 1))
        return false;
    uint32_t *parent = malloc(n * sizeof *parent);
    uint32_t *order = malloc(n * sizeof *order);
    uint32_t *depth = malloc(n * sizeof *depth);
    double *column = malloc(n * sizeof *column);
    bool ok = parent && order && depth && column;
    uint32_t root = 0;
    if (ok && !from_zero) {
        ok = bfs(t, 0, parent, depth, order) == n;
        if (ok) {
            uint32_t a = order[n - 1];
            bfs(t, a, parent, depth, order);
            uint32_t b = order[n - 1];
            root = b;
            for (uint32_t k = depth[b] / 2; k > 0; k--)
                root = parent[root];
        }
    }
    if (ok)
        ok = bfs(t, root, parent, depth, order) == n;
    uint32_t *cursor = ok ? malloc(n * sizeof *cursor) : NULL;
    if (ok && cursor) {
        /* Columns: a depth-first post-order walk (children in neighbour
         * order), iterative; `order` is reused as its stack. */
        uint32_t *stack = order;
        double leaves = 0;
        size_t top = 0;
        stack[top++] = root;
        for (uint32_t v = 0; v < n; v++)
            cursor[v] = t->out_offset[v];
        while (top) {
            uint32_t u = stack[top - 1];
            bool pushed = false;
            while (cursor[u] < t->out_offset[u + 1]) {
                uint32_t v = t->out_target[cursor[u]++];
                if (v != root && parent[v] == u) {
                    stack[top++] = v;
                    pushed = true;
                    break;
                }
            }
            if (pushed)
                continue;
            top--;
            double lo = INFINITY, hi = -INFINITY;
            for (uint32_t c = t->out_offset[u]; c < t->out_offset[u + 1]; c++) {
                uint32_t v = t->out_target[c];
                if (v != root && parent[v] == u) {
                    lo = fmin(lo, column[v]);
                    hi = fmax(hi, column[v]);
                }
            }
            /* A parent above the middle of its children, leaves in a row. */
            column[u] = lo <= hi ? (lo + hi) / 2 : leaves++;
        }
        for (uint32_t v = 0; v < n; v++) {
            l->x[v] = column[v];
            l->y[v] = depth[v];
        }
    } else {
        ok = false;
    }
    free(cursor);
    free(parent);
    free(order);
    free(depth);
    free(column);
    return ok;
}

/* Fruchterman-Reingold from a circle, a fixed number of rounds: the same
 * graph always gives the same picture.  Quadratic per round, so only for
 * graphs a picture can show anyway. */
static bool force_layout(struct layout *l, const struct disco_topology *t)
{
    uint32_t n = t->nodes;
    if (n > 1500)
        return false;
    double *dx = calloc(n, sizeof *dx), *dy = calloc(n, sizeof *dy);
    if (!dx || !dy) {
        free(dx);
        free(dy);
        return false;
    }
    circle(l, 0, n, 1, 0);
    double k = 2.0 / sqrt((double)n), temp = 0.2;
    int rounds = n <= 300 ? 300 : 60;
    for (int r = 0; r < rounds; r++) {
        memset(dx, 0, n * sizeof *dx);
        memset(dy, 0, n * sizeof *dy);
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t v = u + 1; v < n; v++) {
                double ex = l->x[u] - l->x[v], ey = l->y[u] - l->y[v];
                double d2 = ex * ex + ey * ey + 1e-9;
                double f = k * k / d2;
                dx[u] += ex * f, dy[u] += ey * f;
                dx[v] -= ex * f, dy[v] -= ey * f;
            }
        for (uint32_t u = 0; u < n; u++)
            for (uint32_t c = t->out_offset[u]; c < t->out_offset[u + 1];
                 c++) {
                uint32_t v = t->out_target[c];
                double ex = l->x[u] - l->x[v], ey = l->y[u] - l->y[v];
                double d = sqrt(ex * ex + ey * ey) + 1e-9;
                double f = d / k;
                dx[u] -= ex * f, dy[u] -= ey * f;
                dx[v] += ex * f, dy[v] += ey * f;
            }
        for (uint32_t u = 0; u < n; u++) {
            double d = sqrt(dx[u] * dx[u] + dy[u] * dy[u]) + 1e-9;
            double step = fmin(d, temp);
            l->x[u] += dx[u] / d * step;
            l->y[u] += dy[u] / d * step;
        }
        temp *= 0.985;
    }
    free(dx);
    free(dy);
    /* Turn the longest extent horizontal: the page is wider than tall. */
    double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
    for (uint32_t u = 0; u < n; u++)
        mx += l->x[u] / n, my += l->y[u] / n;
    for (uint32_t u = 0; u < n; u++) {
        double ex = l->x[u] - mx, ey = l->y[u] - my;
        sxx += ex * ex, syy += ey * ey, sxy += ex * ey;
    }
    double angle = 0.5 * atan2(2 * sxy, sxx - syy);
    double c = cos(angle), s = sin(angle);
    for (uint32_t u = 0; u < n; u++) {
        double ex = l->x[u] - mx, ey = l->y[u] - my;
        l->x[u] = c * ex + s * ey;
        l->y[u] = -s * ex + c * ey;
    }
    return true;
}

static bool layout_nodes(struct layout *l, const struct disco_topology *t)
{
    char family[32];
    unsigned long a, b;
    int numbers = spec_family(t->spec, family, sizeof family, &a, &b);
    uint32_t n = t->nodes;
    if ((!strcmp(family, "grid") || !strcmp(family, "torus")) &&
        numbers == 2 && (uint64_t)a * b == n) {
        for (uint32_t i = 0; i < n; i++) {
            /* Row-major, as the generator numbers them. */
            l->x[i] = (double)(i % b);
            l->y[i] = (double)(i / b);
        }
        return true;
    }
    if (!strcmp(family, "line") && n <= 16) {
        for (uint32_t i = 0; i < n; i++)
            l->x[i] = (double)i, l->y[i] = 0;
        return true;
    }
    if (!strcmp(family, "star") && n >= 2) {
        l->x[0] = l->y[0] = 0;
        circle(l, 1, n, 1, 0);
        return true;
    }
    if (!strcmp(family, "petersen") && n == 10) {
        circle(l, 0, 5, 1, 0);
        circle(l, 5, 10, 0.5, 0);
        return true;
    }
    if (!strcmp(family, "hypercube") && numbers == 1 && a <= 10 &&
        n == 1u << a) {
        /* Each dimension is a direction in the plane: the textbook cube. */
        for (uint32_t v = 0; v < n; v++) {
            double x = 0, y = 0;
            for (unsigned long d = 0; d < a; d++)
                if (v >> d & 1) {
                    double angle = PI * (double)d / (double)a + 0.3;
                    x += cos(angle) / (1 + 0.35 * (double)d);
                    y -= sin(angle) / (1 + 0.35 * (double)d);
                }
            l->x[v] = x, l->y[v] = y;
        }
        return true;
    }
    if (!strcmp(family, "ring") || !strcmp(family, "uring") ||
        !strcmp(family, "complete") || n <= 2) {
        circle(l, 0, n, 1, 0);
        return true;
    }
    if (tree_layout(l, t, !strcmp(family, "btree")))
        return true;
    if (force_layout(l, t))
        return true;
    circle(l, 0, n, 1, 0);
    return true;
}

/* ------------------------------------------------------------------------ */
/* State texts: one table, each text once.                                   */

struct texts {
    const char **text;  /* by index */
    size_t count, capacity;
    uint32_t *slot;     /* hash table of index + 1 */
    size_t slots;
};

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static bool texts_grow(struct texts *t)
{
    size_t slots = t->slots ? t->slots * 2 : 1024;
    uint32_t *slot = calloc(slots, sizeof *slot);
    if (!slot)
        return false;
    for (size_t i = 0; i < t->count; i++) {
        size_t h = hash_text(t->text[i]) & (slots - 1);
        while (slot[h])
            h = (h + 1) & (slots - 1);
        slot[h] = (uint32_t)i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->slots = slots;
    return true;
}

/* The index of `s` in the table, added if new; -1 when memory runs out.
 * The strings are borrowed (the recorder's, or the caller's until the
 * table is written). */
static long texts_add(struct texts *t, const char *s)
{
    if ((t->count + 1) * 2 > t->slots && !texts_grow(t))
        return -1;
    size_t h = hash_text(s) & (t->slots - 1);
    while (t->slot[h]) {
        if (!strcmp(t->text[t->slot[h] - 1], s))
            return (long)t->slot[h] - 1;
        h = (h + 1) & (t->slots - 1);
    }
    if (t->count == t->capacity) {
        size_t capacity = t->capacity ? t->capacity * 2 : 64;
        const char **text = realloc(t->text, capacity * sizeof *text);
        if (!text)
            return -1;
        t->text = text;
        t->capacity = capacity;
    }
    t->text[t->count] = s;
    t->slot[h] = (uint32_t)t->count + 1;
    return (long)t->count++;
}

/* ------------------------------------------------------------------------ */
/* The page.                                                                 */

static const char page_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"generator\" content=\"disco\">\n";

/* Large type and the Okabe-Ito colours (safe for colour-blind viewers),
 * dark on light: what survives a projector. */
static const char page_style[] =
    "<style>\n"
    ":root{--ink:#1b1f24;--muted:#57606a;--line:#8c959f;--bg:#ffffff;"
    "--panel:#f3f5f8;--accent:#0072b2;--leader:#e69f00;--crash:#b0b4b8}\n"
    "*{box-sizing:border-box}\n"
    "html,body{margin:0;height:100%;background:var(--bg);color:var(--ink);"
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "Helvetica,Arial,sans-serif;font-size:18px}\n"
    "body{display:grid;grid-template-rows:auto auto 1fr auto;height:100vh;"
    "overflow:hidden}\n"
    "header{display:flex;align-items:center;gap:18px;padding:10px 20px 4px}\n"
    "header h1{font-size:28px;margin:0;font-weight:700;white-space:nowrap}\n"
    ".li{white-space:nowrap}\n"
    "header .sub{font-size:18px;color:var(--muted)}\n"
    "#now{padding:4px 20px 8px;font-size:24px;min-height:42px;"
    "white-space:nowrap;overflow:hidden;text-overflow:ellipsis}\n"
    "#now b{color:var(--accent)}\n"
    "main{display:grid;grid-template-columns:minmax(0,1.15fr) minmax(0,1fr);"
    "grid-template-rows:minmax(0,1fr);gap:12px;padding:0 16px;min-height:0}\n"
    ".card{background:var(--panel);border-radius:10px;position:relative;"
    "min-height:0;overflow:hidden}\n"
    ".card h2{position:absolute;left:14px;top:8px;margin:0;font-size:16px;"
    "font-weight:600;color:var(--muted);text-transform:uppercase;"
    "letter-spacing:.06em;pointer-events:none}\n"
    "#topo{width:100%;height:100%;display:block}\n"
    "#right{display:grid;grid-template-rows:minmax(0,1fr) auto;gap:12px;"
    "min-height:0}\n"
    "#st{width:100%;height:100%;display:block;cursor:crosshair}\n"
    "#panel{padding:12px 16px;font-size:18px;max-height:42vh;overflow:auto}\n"
    "#panel.empty{color:var(--muted)}\n"
    "#panel .title{font-size:24px;font-weight:700;margin-bottom:4px}\n"
    "#panel table{border-collapse:collapse}\n"
    "#panel td{padding:1px 12px 1px 0;vertical-align:top}\n"
    "#panel .hist{font-family:ui-monospace,'DejaVu Sans Mono',monospace;"
    "font-size:16px}\n"
    "#panel .cur{font-weight:700;color:var(--accent)}\n"
    "footer{display:flex;align-items:center;gap:10px;padding:10px 16px 12px;"
    "flex-wrap:nowrap}\n"
    "button,select{font:inherit;font-size:20px;padding:6px 14px;"
    "border-radius:8px;border:2px solid var(--line);background:#fff;"
    "color:var(--ink);cursor:pointer;min-width:52px}\n"
    "button:hover,select:hover{border-color:var(--accent)}\n"
    "#play{min-width:110px;background:var(--accent);color:#fff;"
    "border-color:var(--accent);font-weight:700}\n"
    "#scrub{flex:1;min-width:120px;height:28px;accent-color:var(--accent)}\n"
    "#clock{font-variant-numeric:tabular-nums;font-size:20px;"
    "white-space:nowrap;min-width:270px;text-align:right}\n"
    "svg text{font-family:inherit}\n"
    ".node circle{stroke:var(--ink);stroke-width:3;fill:#fff;cursor:pointer}\n"
    ".node.leader circle{fill:var(--leader)}\n"
    ".node.decided circle{stroke-width:6}\n"
    ".node.crashed circle{fill:var(--crash);stroke:#6e7781;"
    "stroke-dasharray:6 4}\n"
    ".node.crashed text{fill:#6e7781}\n"
    ".node.sel circle{stroke:var(--accent);stroke-width:7}\n"
    ".node .id{font-weight:700;text-anchor:middle;dominant-baseline:central;"
    "pointer-events:none}\n"
    ".node .state{text-anchor:middle;fill:var(--ink);paint-order:stroke;"
    "stroke:var(--panel);stroke-width:5px;stroke-linejoin:round;"
    "pointer-events:none}\n"
    ".hit{fill:none;stroke:#7b3fa0;stroke-width:6;stroke-dasharray:10 5}\n"
    ".edge{fill:none;stroke:var(--line);stroke-width:2.5}\n"
    ".edge.tree{stroke:var(--ink);stroke-width:6}\n"
    ".edge.down{stroke:#d55e00;stroke-dasharray:8 6}\n"
    ".msg{stroke:#fff;stroke-width:2}\n"
    "#legend{margin-left:auto;font-size:16px;text-align:right;"
    "line-height:1.35}\n"
    "#legend i{display:inline-block;width:14px;height:14px;"
    "border-radius:50%;margin:0 6px 0 14px;vertical-align:-1px}\n"
    "#selftest{display:none}\n"
    "</style>\n";

static const char page_body[] =
    "</head>\n"
    "<body>\n"
    "<header><h1 id=\"title\">disco</h1><span class=\"sub\" id=\"sub\">"
    "</span><div id=\"legend\"></div></header>\n"
    "<div id=\"now\">loading…</div>\n"
    "<main>\n"
    "<div class=\"card\"><h2>network</h2>"
    "<svg id=\"topo\" role=\"img\" aria-label=\"the network\"></svg></div>\n"
    "<div id=\"right\">\n"
    "<div class=\"card\"><h2>space-time</h2><canvas id=\"st\"></canvas></div>\n"
    "<div class=\"card empty\" id=\"panel\">click a node to see its state</div>\n"
    "</div>\n"
    "</main>\n"
    "<footer>\n"
    "<button id=\"start\" title=\"to the start (Home)\">|◀◀</button>\n"
    "<button id=\"back\" title=\"step back (←)\">◀|</button>\n"
    "<button id=\"play\" title=\"play / pause (space)\">▶ play</button>\n"
    "<button id=\"step\" title=\"step (→)\">|▶</button>\n"
    "<input id=\"scrub\" type=\"range\" min=\"0\" max=\"0\" value=\"0\" "
    "title=\"scrub through the run\">\n"
    "<select id=\"speed\" title=\"speed (+ / −)\"></select>\n"
    "<span id=\"clock\"></span>\n"
    "</footer>\n"
    "<pre id=\"selftest\"></pre>\n";

static const char page_js[] = PLAYER_JS;

/* The run as JSON: see player.js for the reader. */
static int write_run(struct viz_recorder *rec, FILE *out,
                     struct disco_error *err)
{
    const struct disco_topology *t = rec->topo;
    const struct disco_algorithm *alg = rec->alg;
    const struct disco_view *view = disco_sim_view(rec->sim);
    uint32_t n = t->nodes;
    int rc = 0;

    struct layout l = {0};
    struct texts texts = {0};
    char *scratch = NULL;
    long *init = NULL, *final = NULL;
    void *zero = NULL;
    l.x = calloc(n, sizeof *l.x);
    l.y = calloc(n, sizeof *l.y);
    init = calloc(n, sizeof *init);
    final = calloc(n, sizeof *final);
    /* Each node's text before its first event, from a zeroed state as the
     * kernel starts it; and each node's text at the end. */
    scratch = calloc((size_t)n + 1, DISCO_STATE_TEXT);
    zero = calloc(1, alg->state_size + 16);
    if (!l.x || !l.y || !init || !final || !scratch || !zero) {
        rc = disco_fail(err, DISCO_ENOMEM, "out of memory writing the "
                        "player");
        goto done;
    }
    if (!layout_nodes(&l, t)) {
        rc = disco_fail(err, DISCO_ENOMEM, "out of memory writing the "
                        "player");
        goto done;
    }
    char *zero_text = scratch + (size_t)n * DISCO_STATE_TEXT;
    if (alg->format_state)
        alg->format_state(zero, zero_text, DISCO_STATE_TEXT);
    for (uint32_t v = 0; v < n && !rc; v++) {
        viz_final_state(rec, v, scratch + (size_t)v * DISCO_STATE_TEXT,
                        DISCO_STATE_TEXT);
        if ((init[v] = texts_add(&texts, zero_text)) < 0 ||
            (final[v] = texts_add(&texts,
                                  scratch + (size_t)v * DISCO_STATE_TEXT)) < 0)
            rc = -1;
    }
    for (size_t i = 0; i < rec->event_count && !rc; i++)
        if (rec->events[i].state && texts_add(&texts, rec->events[i].state) < 0)
            rc = -1;
    if (rc) {
        rc = disco_fail(err, DISCO_ENOMEM, "out of memory writing the "
                        "player");
        goto done;
    }

    const struct disco_metrics *m = disco_sim_metrics(rec->sim);
    char delay[64];
    disco_delay_format(&rec->cfg->delay, delay, sizeof delay);
    fputs("{\"algorithm\": ", out);
    put_string(out, alg->name);
    fputs(", \"spec\": ", out);
    put_string(out, t->spec);
    fprintf(out, ", \"seed\": %llu, \"nodes\": %lu, \"directed\": %s, "
            "\"sync\": %s, \"fifo\": %s, \"delay\": ",
            (unsigned long long)rec->cfg->seed, (unsigned long)n,
            t->directed ? "true" : "false", rec->cfg->sync ? "true" : "false",
            rec->cfg->fifo ? "true" : "false");
    put_string(out, delay);
    fprintf(out, ", \"time\": %llu, \"stop\": \"%s\",\n",
            (unsigned long long)m->time,
            m->stop == DISCO_STOP_QUIESCENT   ? "quiescent"
            : m->stop == DISCO_STOP_MAX_EVENTS ? "max_events"
                                               : "max_time");

    fputs("\"kinds\": [", out);
    for (unsigned k = 0; k < alg->kind_count; k++) {
        if (k)
            fputs(", ", out);
        put_string(out, alg->message_kinds[k]);
    }
    fputs("],\n\"ids\": [", out);
    for (uint32_t v = 0; v < n; v++)
        fprintf(out, "%s%lld", v ? "," : "", (long long)disco_view_id(view, v));
    fputs("],\n\"x\": [", out);
    for (uint32_t v = 0; v < n; v++)
        fprintf(out, "%s%.4f", v ? "," : "", l.x[v]);
    fputs("],\n\"y\": [", out);
    for (uint32_t v = 0; v < n; v++)
        fprintf(out, "%s%.4f", v ? "," : "", l.y[v]);

    /* Edges: every channel once (undirected: the lower end first).  A
     * torus bows its wrap-around edges so that they do not cross the grid. */
    char family[32];
    unsigned long ra, cb;
    spec_family(t->spec, family, sizeof family, &ra, &cb);
    bool torus = !strcmp(family, "torus") && (uint64_t)ra * cb == n;
    fputs("],\n\"edges\": [", out);
    bool first = true;
    for (uint32_t u = 0; u < n; u++)
        for (uint32_t c = t->out_offset[u]; c < t->out_offset[u + 1]; c++) {
            uint32_t v = t->out_target[c];
            if (!t->directed && v < u)
                continue;
            double bend = 0;
            if (torus) {
                double span = fabs(l.x[u] - l.x[v]) + fabs(l.y[u] - l.y[v]);
                if (span > 1.5)
                    bend = 0.6;
            }
            /* Two opposite channels of a digraph bow apart. */
            if (t->directed && disco_topology_find(t, v, u) != UINT32_MAX)
                bend = 0.08;
            fprintf(out, "%s[%lu,%lu,%lld,%g]", first ? "" : ",",
                    (unsigned long)u, (unsigned long)v,
                    (long long)(t->weight ? t->weight[c] : 1), bend);
            first = false;
        }
    fprintf(out, "],\n\"weighted\": %s,\n", t->weight ? "true" : "false");

    /* The final parent and leader from the algorithm's picture hooks; the
     * page shows them once a node has reached its final state text. */
    fputs("\"parent\": [", out);
    for (uint32_t v = 0; v < n; v++) {
        long parent = -1;
        if (alg->parent_port) {
            uint32_t port = alg->parent_port(disco_view_state(view, v));
            if (port != DISCO_NO_PORT && port < disco_topology_degree(t, v))
                parent = (long)t->out_target[t->out_offset[v] + port];
        }
        fprintf(out, "%s%ld", v ? "," : "", parent);
    }
    fputs("],\n\"leader\": [", out);
    for (uint32_t v = 0; v < n; v++)
        fprintf(out, "%s%d", v ? "," : "",
                alg->is_leader && alg->is_leader(disco_view_state(view, v)));
    fputs("],\n\"init\": [", out);
    for (uint32_t v = 0; v < n; v++)
        fprintf(out, "%s%ld", v ? "," : "", init[v]);
    fputs("],\n\"final\": [", out);
    for (uint32_t v = 0; v < n; v++)
        fprintf(out, "%s%ld", v ? "," : "", final[v]);
    fputs("],\n\"texts\": [", out);
    for (size_t i = 0; i < texts.count; i++) {
        if (i)
            fputs(", ", out);
        put_string(out, texts.text[i]);
    }

    /* Events as columns: a few bytes each, parsed fast. */
    const struct viz_event *ev = rec->events;
    size_t count = rec->event_count;
    fputs("],\n\"t\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%llu", i ? "," : "", (unsigned long long)ev[i].time);
    fputs("],\n\"seq\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%llu", i ? "," : "", (unsigned long long)ev[i].seq);
    fputs("],\n\"type\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%d", i ? "," : "", (int)ev[i].type);
    fputs("],\n\"node\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%lu", i ? "," : "", (unsigned long)ev[i].node);
    fputs("],\n\"peer\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%lu", i ? "," : "", (unsigned long)ev[i].peer);
    fputs("],\n\"kind\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%d", i ? "," : "", ev[i].kind);
    fputs("],\n\"msg\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%llu", i ? "," : "", (unsigned long long)ev[i].msg);
    fputs("],\n\"lamport\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%llu", i ? "," : "",
                (unsigned long long)ev[i].lamport);
    fputs("],\n\"value\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%lld", i ? "," : "", (long long)ev[i].value);
    fputs("],\n\"state\": [", out);
    for (size_t i = 0; i < count; i++)
        fprintf(out, "%s%ld", i ? "," : "",
                ev[i].state ? texts_add(&texts, ev[i].state) : -1L);
    fputs("]}\n", out);

done:
    free(l.x);
    free(l.y);
    free(texts.text);
    free(texts.slot);
    free(scratch);
    free(init);
    free(final);
    free(zero);
    return rc;
}

int viz_write_html(struct viz_recorder *rec, FILE *out,
                   struct disco_error *err)
{
    fputs(page_head, out);
    fputs("<title>", out);
    /* Names and specs are plain ASCII words; escape anyway. */
    for (const char *p = rec->alg->name; *p; p++)
        fputs(*p == '<' ? "&lt;" : *p == '&' ? "&amp;" : (char[2]){*p, 0},
              out);
    fputs(" · disco player</title>\n", out);
    fputs(page_style, out);
    fputs(page_body, out);
    fputs("<script type=\"application/json\" id=\"run\">\n", out);
    int rc = write_run(rec, out, err);
    if (rc)
        return rc;
    fputs("</script>\n<script>\n", out);
    fputs(page_js, out);
    fputs("</script>\n</body>\n</html>\n", out);
    if (ferror(out))
        return disco_fail(err, DISCO_EIO, "cannot write the player: %s",
                          "write error");
    return 0;
}
