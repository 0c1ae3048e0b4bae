/*
 * scenario.c - the DOT scenario loader.
 *
 * cgraph does the parsing; this file feeds it, quiets it and reads the
 * result.  Three things about cgraph (2.42 and later) shape the code:
 *
 *  - Its diagnostics go to stderr unless an error function is installed
 *    (agseterrf).  The function receives each message in pieces ("Error",
 *    ": ", text), so capture() reassembles the first one.
 *  - Its lexer is global and keeps its state between reads.  It reads its
 *    input a line at a time and stops at the first graph's closing brace:
 *    the rest of that line stays buffered for the *next* read (whatever
 *    it is), later lines are silently dropped, and an unterminated comment
 *    or string leaves the lexer inside it for good.  So the text is
 *    checked first, by a scanner that follows the lexer's comments and
 *    strings (and refuses '@', which the lexer takes as end of input), and
 *    cgraph gets the text only up to the end of the first graph; anything
 *    but blanks and comments after it is an error.
 *  - Line numbers carry over between reads unless reset with agsetfile.
 *
 * Everything the loader builds goes straight into the scenario; on error
 * disco_scenario_release frees whatever was built so far.
 */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cgraph.h>

#include "scenario.h"

/* Largest scenario file read (bytes). */
#define MAX_FILE_SIZE ((size_t)1 << 30)

/* ------------------------------------------------------------------------ */
/* Names.                                                                   */

static const char *const option_names[] = {
    "algorithm",  "seed", "delay",      "fifo",     "loss",  "dup",     "ids",
    "initiators", "sync", "max_events", "max_time", "crash", "recover", "cut",
    "omit_send", "omit_receive", "partition", "delay_change", "byzantine",
    "strategy", "detector", "dynamic",
};
#define OPTION_COUNT (sizeof option_names / sizeof option_names[0])

static const char *const node_names[] = {"id", "initiator", "crash_at",
                                         "recover_at"};
static const char *const edge_names[] = {"delay",   "loss",  "fifo",
                                         "weight",  "down_at", "up_at",
                                         "rounds"};

/* Attributes Graphviz itself reads, on graphs, nodes or edges
 * (graphviz.org/doc/info/attrs.html): never taken for misspelt disco
 * attributes. */
// clang-format off
static const char *const graphviz_names[] = {
    "_background", "area", "arrowhead", "arrowsize", "arrowtail", "bb",
    "beautify", "bgcolor", "center", "charset", "class", "cluster",
    "clusterrank", "color", "colorscheme", "comment", "compound",
    "concentrate", "constraint", "damping", "decorate", "defaultdist",
    "dim", "dimen", "dir", "diredgeconstraints", "distortion", "dpi",
    "edgehref", "edgetarget", "edgetooltip", "edgeURL", "epsilon", "esep",
    "fillcolor", "fixedsize", "fontcolor", "fontname", "fontnames",
    "fontpath", "fontsize", "forcelabels", "gradientangle", "group",
    "head_lp", "headclip", "headhref", "headlabel", "headport",
    "headtarget", "headtooltip", "headURL", "height", "href", "id", "image",
    "imagepath", "imagepos", "imagescale", "inputscale", "K", "label",
    "label_scheme", "labelangle", "labeldistance", "labelfloat",
    "labelfontcolor", "labelfontname", "labelfontsize", "labelhref",
    "labeljust", "labelloc", "labeltarget", "labeltooltip", "labelURL",
    "landscape", "layer", "layerlistsep", "layers", "layerselect",
    "layersep", "layout", "len", "levels", "levelsgap", "lhead", "lheight",
    "linelength", "lp", "ltail", "lwidth", "margin", "maxiter", "mclimit",
    "mindist", "minlen", "mode", "model", "newrank", "nodesep", "nojustify",
    "normalize", "notranslate", "nslimit", "nslimit1", "oneblock",
    "ordering", "orientation", "outputorder", "overlap", "overlap_scaling",
    "overlap_shrink", "pack", "packmode", "pad", "page", "pagedir",
    "pencolor", "penwidth", "peripheries", "pin", "pos", "quadtree",
    "quantum", "rank", "rankdir", "ranksep", "ratio", "rects", "regular",
    "remincross", "repulsiveforce", "resolution", "root", "rotate",
    "rotation", "samehead", "sametail", "samplepoints", "scale",
    "searchsize", "sep", "shape", "shapefile", "showboxes", "sides", "size",
    "skew", "smoothing", "sortv", "splines", "start", "style", "stylesheet",
    "tail_lp", "tailclip", "tailhref", "taillabel", "tailport",
    "tailtarget", "tailtooltip", "tailURL", "target", "TBbalance",
    "tooltip", "truecolor", "URL", "vertices", "viewport", "voro_margin",
    "weight", "width", "xdotversion", "xlabel", "xlp", "z",
};
// clang-format on

/* Graphviz's node attributes: never inputs.  (Edge attributes such as
 * `weight` are fair input names on nodes.) */
// clang-format off
static const char *const graphviz_node_names[] = {
    "area", "class", "color", "colorscheme", "comment", "distortion",
    "fillcolor", "fixedsize", "fontcolor", "fontname", "fontsize",
    "gradientangle", "group", "height", "href", "id", "image", "imagepos",
    "imagescale", "label", "labelloc", "layer", "margin", "nojustify",
    "ordering", "orientation", "penwidth", "peripheries", "pin", "pos",
    "rects", "regular", "root", "samplepoints", "shape", "shapefile",
    "showboxes", "sides", "skew", "sortv", "style", "target", "tooltip",
    "URL", "vertices", "width", "xlabel", "xlp", "z",
};
// clang-format on

static bool in_list(const char *name, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!strcmp(name, list[i]))
            return true;
    return false;
}

static bool is_graphviz_name(const char *name)
{
    return in_list(name, graphviz_names,
                   sizeof graphviz_names / sizeof graphviz_names[0]);
}

/* ------------------------------------------------------------------------ */
/* Values.                                                                  */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The span of `value` without surrounding blanks; its length, 0 when it is
 * empty (cgraph gives "" for an attribute declared elsewhere but not set
 * on this object). */
static size_t trim_span(const char *value, const char **start)
{
    if (!value)
        return 0;
    while (is_blank(*value))
        value++;
    size_t n = strlen(value);
    while (n > 0 && is_blank(value[n - 1]))
        n--;
    *start = value;
    return n;
}

/* The trimmed value in `buf` (len >= 8); false when empty.  A value too long
 * for `buf` is cut and marked with "...", which no parser accepts, so it is
 * reported rather than misread. */
static bool trimmed(const char *value, char *buf, size_t len)
{
    const char *start;
    size_t n = trim_span(value, &start);
    if (n == 0)
        return false;
    /* memmove: `value` may lie inside `buf`. */
    if (n >= len) {
        memmove(buf, start, len - 4);
        memcpy(buf + len - 4, "...", 4);
        return true;
    }
    memmove(buf, start, n);
    buf[n] = '\0';
    return true;
}

/* The trimmed value, malloc'ed; NULL when empty or out of memory (then
 * *nomem is set). */
static char *trimmed_dup(const char *value, bool *nomem)
{
    const char *start;
    size_t n = trim_span(value, &start);
    *nomem = false;
    if (n == 0)
        return NULL;
    char *copy = malloc(n + 1);
    if (!copy) {
        *nomem = true;
        return NULL;
    }
    memcpy(copy, start, n);
    copy[n] = '\0';
    return copy;
}

static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    const char *digits = s[0] == '-' ? s + 1 : s;
    if (*digits < '0' || *digits > '9')
        return false;
    for (const char *p = digits; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE || v < min || v > max)
        return false;
    *out = v;
    return true;
}

static bool parse_unsigned(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno == ERANGE)
        return false;
    *out = v;
    return true;
}

static bool parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "on", "yes", "1"};
    static const char *const no[] = {"false", "off", "no", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcasecmp(s, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

static bool parse_probability(const char *s, double *out)
{
    if (!((*s >= '0' && *s <= '9') || *s == '.'))
        return false;
    char *end;
    double p = strtod(s, &end);
    if (*end || !isfinite(p) || p < 0 || p > 1)
        return false;
    *out = p;
    return true;
}

/* ------------------------------------------------------------------------ */
/* The loader's state and its messages.                                     */

struct loader {
    struct disco_scenario *sc;
    struct disco_error *err;
    const char *name; /* the file, as messages name it */
    Agraph_t *g;
    uint32_t nodes;
    Agnode_t **node; /* index -> node, in order of appearance */
    uint64_t *seq;   /* index -> AGSEQ, increasing */
    size_t edge_count;
    Agedge_t **edge;
    struct disco_edge *edges;
    size_t fault_cap, input_cap;
};

/* "'x.dot': node b: <what>" and its like. */
static int fail_at(struct loader *l, int code, const char *where,
                   const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail_at(struct loader *l, int code, const char *where,
                   const char *fmt, ...)
{
    char what[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (where)
        return disco_fail(l->err, code, "'%s': %s: %s", l->name, where, what);
    return disco_fail(l->err, code, "'%s': %s", l->name, what);
}

static void node_where(const struct loader *l, Agnode_t *n, char *buf,
                       size_t len)
{
    (void)l;
    snprintf(buf, len, "node %s", agnameof(n));
}

static void edge_where(const struct loader *l, Agedge_t *e, char *buf,
                       size_t len)
{
    snprintf(buf, len, "edge %s %s %s", agnameof(agtail(e)),
             agisdirected(l->g) ? "->" : "--", agnameof(aghead(e)));
}

static uint32_t node_index(const struct loader *l, Agnode_t *n)
{
    uint64_t key = AGSEQ(n);
    size_t lo = 0, hi = l->nodes;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->seq[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* ------------------------------------------------------------------------ */
/* Reading and parsing.                                                     */

static int read_file(const char *path, char **text, struct disco_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return disco_fail(err, DISCO_EIO, "cannot read '%s': %s", path,
                          strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (cap - len < 4096) {
            size_t grown = cap ? cap * 2 : 65536;
            if (grown > MAX_FILE_SIZE + 4096) {
                rc =
                    disco_fail(err, DISCO_ELIMIT, "'%s' is larger than %zu MiB",
                               path, MAX_FILE_SIZE >> 20);
                break;
            }
            char *more = realloc(buf, grown);
            if (!more) {
                rc = disco_fail(err, DISCO_ENOMEM, "no memory to read '%s'",
                                path);
                break;
            }
            buf = more;
            cap = grown;
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                rc = disco_fail(err, DISCO_EIO, "cannot read '%s': %s", path,
                                strerror(errno));
            break;
        }
    }
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    if (memchr(buf, '\0', len)) {
        free(buf);
        return disco_fail(err, DISCO_EPARSE,
                          "malformed DOT in '%s': it contains a NUL byte",
                          path);
    }
    buf[len] = '\0';
    *text = buf;
    return 0;
}

static bool starts_word(const char *p, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(p, word, n) != 0)
        return false;
    char c = p[n];
    return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
             (c >= '0' && c <= '9') || c == '_' || (c & 0x80));
}

/* Follow cgraph's lexer through comments and strings, so that text it would
 * never leave is refused before it reaches cgraph (see the top), and find
 * where the first graph ends: *length is the text up to its closing brace.
 * Only blanks and comments may follow. */
static int prescan(const char *text, const char *name, size_t *length,
                   struct disco_error *err)
{
    enum { PLAIN, COMMENT, QUOTED, HTML } state = PLAIN;
    unsigned line = 1, start = 1, nest = 0, depth = 0;
    const char *end = NULL; /* just after the first graph's closing brace */
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == '\n')
            line++;
        switch (state) {
        case PLAIN:
            if (c == '/' && p[1] == '*') {
                state = COMMENT;
                start = line;
                p++;
            } else if ((c == '/' && p[1] == '/') || c == '#') {
                while (p[1] && p[1] != '\n')
                    p++;
            } else if (c == '@') {
                return disco_fail(err, DISCO_EPARSE,
                                  "malformed DOT in '%s': stray '@' in line "
                                  "%u (quote the value that holds it)",
                                  name, line);
            } else if (end && !is_blank(c)) {
                if (starts_word(p, "graph") || starts_word(p, "digraph") ||
                    starts_word(p, "strict"))
                    return disco_fail(err, DISCO_EPARSE,
                                      "'%s' holds more than one graph "
                                      "(another begins in line %u); a "
                                      "scenario is one graph",
                                      name, line);
                return disco_fail(err, DISCO_EPARSE,
                                  "malformed DOT in '%s': text after the end "
                                  "of the graph in line %u",
                                  name, line);
            } else if (c == '"') {
                state = QUOTED;
                start = line;
            } else if (c == '<') {
                state = HTML;
                start = line;
                nest = 1;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && depth > 0 && --depth == 0) {
                end = p + 1;
            }
            break;
        case COMMENT:
            if (c == '*' && p[1] == '/') {
                state = PLAIN;
                p++;
            }
            break;
        case QUOTED:
            /* As cgraph's lexer: a backslash pairs with the next character
             * (\" and \\ stay inside the string). */
            if (c == '\\' && p[1]) {
                if (p[1] == '\n')
                    line++;
                p++;
            } else if (c == '"')
                state = PLAIN;
            break;
        case HTML:
            if (c == '<')
                nest++;
            else if (c == '>' && --nest == 0)
                state = PLAIN;
            break;
        }
    }
    static const char *const what[] = {"", "comment", "string", "HTML string"};
    if (state != PLAIN)
        return disco_fail(err, DISCO_EPARSE,
                          "malformed DOT in '%s': unterminated %s from line "
                          "%u",
                          name, what[state], start);
    *length = end ? (size_t)(end - text) : strlen(text);
    return 0;
}

/* cgraph's first diagnostic of a read, reassembled into one line. */
static struct {
    char text[400];
    bool started;    /* a message has begun */
    bool complete;   /* a second message began: keep the first */
    bool skip_colon; /* the ": " after "Error" / "Warning" */
} capture;

static int capture_message(char *piece)
{
    if (!strcmp(piece, "Error") || !strcmp(piece, "Warning")) {
        if (capture.started)
            capture.complete = true;
        capture.started = true;
        capture.skip_colon = true;
        return 0;
    }
    if (capture.skip_colon && !strcmp(piece, ": ")) {
        capture.skip_colon = false;
        return 0;
    }
    capture.skip_colon = false;
    capture.started = true;
    if (capture.complete)
        return 0;
    size_t used = strlen(capture.text);
    for (const char *p = piece; *p && used + 1 < sizeof capture.text; p++) {
        char c = (*p == '\n' || *p == '\r' || *p == '\t') ? ' ' : *p;
        if (c == ' ' && (used == 0 || capture.text[used - 1] == ' '))
            continue;
        capture.text[used++] = c;
    }
    capture.text[used] = '\0';
    return 0;
}

static void capture_reset(void)
{
    memset(&capture, 0, sizeof capture);
}

/* Read whatever text cgraph still holds from an earlier read; true when it
 * held another graph. */
static bool drain(void)
{
    bool more = false;
    Agraph_t *extra;
    while ((extra = agmemread("")) != NULL) {
        agclose(extra);
        more = true;
    }
    return more;
}

static int parse(const char *text, const char *name, Agraph_t **out,
                 struct disco_error *err)
{
    /* cgraph gets the text up to the end of the graph and no further:
     * whatever it did not read would stay in its lexer for the next read. */
    size_t length = 0;
    int rc = prescan(text, name, &length, err);
    if (rc)
        return rc;
    char *graph = malloc(length + 1);
    if (!graph)
        return disco_fail(err, DISCO_ENOMEM, "no memory to parse '%s'", name);
    memcpy(graph, text, length);
    graph[length] = '\0';

    agusererrf previous_handler = agseterrf(capture_message);
    agerrlevel_t previous_level = agseterr(AGWARN);
    capture_reset();
    drain(); /* someone else's leftovers: not ours to report */
    capture_reset();
    agreseterrors();
    agsetfile(NULL); /* no stale file name; line numbers from 1 */

    Agraph_t *g = agmemread(graph);
    bool more = drain();
    free(graph);
    bool failed = agerrors() > 0;
    agreseterrors();
    agseterr(previous_level);
    agseterrf(previous_handler);

    /* Graphviz reads on after a warning; a scenario does not: a warning at
     * parse time ("badly delimited number") means the file says something
     * other than what it seems to. */
    size_t n = strlen(capture.text);
    while (n > 0 && capture.text[n - 1] == ' ')
        capture.text[--n] = '\0';
    if (capture.started || failed) {
        if (g)
            agclose(g);
        return disco_fail(err, DISCO_EPARSE, "malformed DOT in '%s': %s", name,
                          n ? capture.text : "syntax error");
    }
    if (!g)
        return disco_fail(err, DISCO_EPARSE, "'%s' holds no graph", name);
    if (more) {
        agclose(g);
        return disco_fail(err, DISCO_EPARSE,
                          "'%s' holds more than one graph; a scenario is one",
                          name);
    }
    *out = g;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The graph.                                                               */

struct edge_key {
    uint32_t a, b;
    size_t index;
};

static int edge_key_cmp(const void *x, const void *y)
{
    const struct edge_key *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return p->index < q->index ? -1 : p->index > q->index;
}

static int collect_nodes(struct loader *l)
{
    int count = agnnodes(l->g);
    if (count <= 0)
        return fail_at(l, DISCO_EPARSE, NULL, "the graph has no nodes");
    if ((uint64_t)count > DISCO_MAX_NODES)
        return fail_at(l, DISCO_ELIMIT, NULL, "%d nodes, more than %u", count,
                       DISCO_MAX_NODES);
    l->nodes = (uint32_t)count;
    l->node = malloc(l->nodes * sizeof *l->node);
    l->seq = malloc(l->nodes * sizeof *l->seq);
    if (!l->node || !l->seq)
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for %u nodes",
                       l->nodes);
    uint32_t i = 0;
    for (Agnode_t *n = agfstnode(l->g); n && i < l->nodes;
         n = agnxtnode(l->g, n)) {
        l->node[i] = n;
        l->seq[i] = AGSEQ(n);
        i++;
    }
    return 0;
}

static int collect_edges(struct loader *l, bool *weighted)
{
    int count = agnedges(l->g);
    bool directed = agisdirected(l->g);
    uint64_t channels = directed ? (uint64_t)count : 2 * (uint64_t)count;
    if (count < 0 || channels > DISCO_MAX_CHANNELS)
        return fail_at(l, DISCO_ELIMIT, NULL, "%d edges, too many", count);
    size_t n = (size_t)count;
    l->edge = malloc((n ? n : 1) * sizeof *l->edge);
    l->edges = malloc((n ? n : 1) * sizeof *l->edges);
    if (!l->edge || !l->edges)
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for %zu edges", n);

    char where[256], value[64];
    size_t k = 0;
    *weighted = false;
    Agsym_t *weight = agattr(l->g, AGEDGE, (char *)"weight", NULL);
    for (uint32_t i = 0; i < l->nodes; i++) {
        for (Agedge_t *e = agfstout(l->g, l->node[i]); e && k < n;
             e = agnxtout(l->g, e)) {
            uint32_t to = node_index(l, aghead(e));
            if (to == i)
                return fail_at(l, DISCO_EPARSE, NULL, "self-loop at node %s",
                               agnameof(l->node[i]));
            struct disco_edge edge = {.from = i, .to = to, .weight = 1};
            if (weight && trimmed(agxget(e, weight), value, sizeof value)) {
                if (!parse_int(value, INT64_MIN, INT64_MAX, &edge.weight)) {
                    edge_where(l, e, where, sizeof where);
                    return fail_at(l, DISCO_EPARSE, where,
                                   "bad weight '%s' (an integer)", value);
                }
                *weighted = true;
            }
            l->edge[k] = e;
            l->edges[k++] = edge;
        }
    }
    l->edge_count = k;

    /* Name a duplicate by its DOT names before the topology builder would
     * name it by indices. */
    struct edge_key *keys = malloc((k ? k : 1) * sizeof *keys);
    if (!keys)
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for %zu edges", k);
    for (size_t j = 0; j < k; j++) {
        uint32_t a = l->edges[j].from, b = l->edges[j].to;
        if (!directed && a > b) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        keys[j] = (struct edge_key){a, b, j};
    }
    qsort(keys, k, sizeof *keys, edge_key_cmp);
    for (size_t j = 1; j < k; j++) {
        if (keys[j].a == keys[j - 1].a && keys[j].b == keys[j - 1].b) {
            edge_where(l, l->edge[keys[j - 1].index], where, sizeof where);
            free(keys);
            return fail_at(l, DISCO_EPARSE, NULL, "duplicate %s", where);
        }
    }
    free(keys);
    return 0;
}

static int build_topology(struct loader *l, const char *spec)
{
    bool weighted = false;
    int rc = collect_edges(l, &weighted);
    if (rc)
        return rc;
    struct disco_topology *t = &l->sc->topo;
    rc = disco_topology_build(t, l->nodes, agisdirected(l->g) != 0, l->edges,
                              l->edge_count, weighted, l->err);
    if (rc) {
        memset(t, 0, sizeof *t);
        if (!l->err)
            return rc;
        char inner[sizeof l->err->message];
        snprintf(inner, sizeof inner, "%s", l->err->message);
        return fail_at(l, rc, NULL, "%s", inner);
    }
    snprintf(t->spec, sizeof t->spec, "%s", spec);
    t->names = calloc(l->nodes, sizeof *t->names);
    if (!t->names)
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for node names");
    for (uint32_t i = 0; i < l->nodes; i++) {
        t->names[i] = strdup(agnameof(l->node[i]));
        if (!t->names[i])
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for node names");
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Graph attributes: the options.                                           */

static int add_option(struct loader *l, const char *name, const char *value)
{
    struct disco_scenario *sc = l->sc;
    if (disco_scenario_option(sc, name))
        return fail_at(l, DISCO_EPARSE, "graph", "%s is given twice", name);
    struct disco_scenario_option *more =
        realloc(sc->options, (sc->option_count + 1) * sizeof *more);
    if (!more)
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for options");
    sc->options = more;
    struct disco_scenario_option *o = &sc->options[sc->option_count];
    snprintf(o->name, sizeof o->name, "%s", name);
    o->value = strdup(value);
    if (!o->value)
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for options");
    sc->option_count++;
    return 0;
}

/* An option parser's message without its "bad --cut '...': " opening,
 * which would repeat what the loader's own message says. */
static const char *without_option(const char *message)
{
    if (strncmp(message, "bad --", 6) != 0)
        return message;
    const char *rest = strstr(message, "': ");
    return rest ? rest + 3 : message;
}

/* Check one option's value; where the stored form differs from the text,
 * write it to `canonical` and set *use_canonical. */
static int check_option(struct loader *l, const char *name, const char *value,
                        char *canonical, size_t len, bool *use_canonical)
{
    struct disco_error inner = {0};
    if (!strcmp(name, "seed") || !strcmp(name, "max_events") ||
        !strcmp(name, "max_time")) {
        uint64_t v;
        if (!parse_unsigned(value, &v))
            return fail_at(l, DISCO_EPARSE, "graph",
                           "bad %s '%s' (a whole number)", name, value);
    } else if (!strcmp(name, "fifo") || !strcmp(name, "sync")) {
        bool on;
        if (!parse_bool(value, &on))
            return fail_at(l, DISCO_EPARSE, "graph",
                           "bad %s '%s' (true or false)", name, value);
        snprintf(canonical, len, "%s", on ? "true" : "false");
        *use_canonical = true;
    } else if (!strcmp(name, "loss") || !strcmp(name, "dup")) {
        double p;
        if (!parse_probability(value, &p))
            return fail_at(l, DISCO_EPARSE, "graph",
                           "bad %s '%s' (a probability from 0 to 1)", name,
                           value);
    } else if (!strcmp(name, "delay")) {
        struct disco_delay d;
        int64_t ticks;
        if (parse_int(value, 0, INT64_MAX, &ticks))
            d = (struct disco_delay){.kind = DISCO_DELAY_CONST,
                                     .a = (uint64_t)ticks,
                                     .b = (uint64_t)ticks};
        else if (disco_delay_parse(&d, value, &inner))
            return fail_at(l, DISCO_EPARSE, "graph", "%s", inner.message);
        disco_delay_format(&d, canonical, len);
        *use_canonical = true;
    } else if (!strcmp(name, "ids") || !strcmp(name, "initiators")) {
        struct disco_config scratch;
        disco_config_init(&scratch, NULL);
        int rc =
            !strcmp(name, "ids")
                ? disco_ids_parse(&scratch, value, l->nodes, &inner)
                : disco_initiators_parse(&scratch, value, l->nodes, &inner);
        disco_config_release(&scratch);
        if (rc == DISCO_ENOMEM)
            return fail_at(l, rc, "graph", "%s", inner.message);
        if (rc)
            return fail_at(l, DISCO_EPARSE, "graph", "bad %s '%s': %s", name,
                           value, without_option(inner.message));
    } else if (!strcmp(name, "crash") || !strcmp(name, "recover") ||
               !strcmp(name, "cut")) {
        struct disco_config scratch;
        disco_config_init(&scratch, NULL);
        enum disco_fault_kind kind = DISCO_FAULT_LINK_DOWN;
        if (!strcmp(name, "crash"))
            kind = DISCO_FAULT_CRASH;
        else if (!strcmp(name, "recover"))
            kind = DISCO_FAULT_RECOVER;
        int rc = disco_faults_parse(&scratch, kind, value, l->nodes, &inner);
        disco_config_release(&scratch);
        if (rc == DISCO_ENOMEM)
            return fail_at(l, rc, "graph", "%s", inner.message);
        if (rc)
            return fail_at(l, DISCO_EPARSE, "graph", "bad %s '%s': %s", name,
                           value, without_option(inner.message));
    } else if (!strncmp(name, "param_", 6)) {
        int64_t v;
        bool on;
        if (name[6] == '\0')
            return fail_at(l, DISCO_EPARSE, "graph",
                           "param_ needs a parameter name (param_KEY)");
        if (!parse_int(value, INT64_MIN, INT64_MAX, &v) &&
            !parse_bool(value, &on))
            return fail_at(l, DISCO_EPARSE, "graph",
                           "bad %s '%s' (an integer, on or off)", name, value);
    }
    return 0;
}

static int read_options(struct loader *l)
{
    char canonical[64], spelt[32];
    for (Agsym_t *sym = agnxtattr(l->g, AGRAPH, NULL); sym;
         sym = agnxtattr(l->g, AGRAPH, sym)) {
        /* "max-events" (quoted in DOT) is max_events. */
        const char *name = sym->name;
        if (!strcmp(name, "max-events") || !strcmp(name, "max-time")) {
            snprintf(spelt, sizeof spelt, "max_%s", name + 4);
            name = spelt;
        }
        bool nomem;
        char *value = trimmed_dup(agxget(l->g, sym), &nomem);
        if (nomem)
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for options");
        if (!value)
            continue; /* declared, but set only on subgraphs */
        bool known = in_list(name, option_names, OPTION_COUNT) ||
                     !strncmp(name, "param_", 6);
        if (!known) {
            const char *guess =
                is_graphviz_name(name)
                    ? NULL
                    : disco_suggest(name, option_names, OPTION_COUNT);
            free(value);
            if (guess)
                return fail_at(l, DISCO_EPARSE, "graph",
                               "unknown attribute '%s' (did you mean '%s'?)",
                               name, guess);
            continue; /* a Graphviz attribute, or the user's own note */
        }
        int rc = 0;
        if (strlen(name) >= sizeof l->sc->options[0].name)
            rc = fail_at(l, DISCO_EPARSE, "graph",
                         "attribute name '%s' is too long (%zu characters "
                         "at most)",
                         name, sizeof l->sc->options[0].name - 1);
        bool canonical_form = false;
        if (!rc)
            rc = check_option(l, name, value, canonical, sizeof canonical,
                              &canonical_form);
        if (!rc)
            rc = add_option(l, name, canonical_form ? canonical : value);
        free(value);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Node and edge attributes.                                                */

static int add_fault(struct loader *l, enum disco_fault_kind kind,
                     uint32_t node, uint32_t peer, disco_time_t time)
{
    struct disco_scenario *sc = l->sc;
    if (sc->fault_count == l->fault_cap) {
        size_t cap = l->fault_cap ? 2 * l->fault_cap : 16;
        struct disco_fault *more = realloc(sc->faults, cap * sizeof *more);
        if (!more)
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for faults");
        sc->faults = more;
        l->fault_cap = cap;
    }
    sc->faults[sc->fault_count++] = (struct disco_fault){
        .kind = kind, .node = node, .peer = peer, .time = time};
    return 0;
}

/* A tick or a comma-separated list of ticks, each one a fault. */
static int add_fault_list(struct loader *l, const char *where,
                          const char *attribute, const char *value,
                          enum disco_fault_kind kind, uint32_t node,
                          uint32_t peer, size_t *added, disco_time_t *first)
{
    const char *s = value;
    *added = 0;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        char item[32];
        int64_t t;
        bool ok = false;
        if (n < sizeof item) {
            memcpy(item, s, n);
            item[n] = '\0';
            ok = trimmed(item, item, sizeof item) &&
                 parse_int(item, 0, INT64_MAX, &t);
        }
        if (!ok)
            return fail_at(l, DISCO_EPARSE, where,
                           "bad %s '%s' (a tick, or ticks separated by "
                           "commas)",
                           attribute, value);
        int rc = add_fault(l, kind, node, peer, (disco_time_t)t);
        if (rc)
            return rc;
        if ((*added)++ == 0)
            *first = (disco_time_t)t;
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

static int add_input(struct loader *l, uint32_t node, const char *name,
                     int64_t value)
{
    struct disco_scenario *sc = l->sc;
    if (sc->input_count == l->input_cap) {
        size_t cap = l->input_cap ? 2 * l->input_cap : 16;
        struct disco_input_value *more =
            realloc(sc->inputs, cap * sizeof *more);
        if (!more)
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for inputs");
        sc->inputs = more;
        l->input_cap = cap;
    }
    struct disco_input_value *in = &sc->inputs[sc->input_count++];
    memset(in, 0, sizeof *in);
    in->node = node;
    snprintf(in->name, sizeof in->name, "%s", name);
    in->value = value;
    return 0;
}

static int read_ids(struct loader *l, Agsym_t *sym)
{
    char value[64], where[256];
    uint32_t given = 0, missing = UINT32_MAX;
    for (uint32_t i = 0; i < l->nodes; i++) {
        if (trimmed(agxget(l->node[i], sym), value, sizeof value))
            given++;
        else if (missing == UINT32_MAX)
            missing = i;
    }
    if (given == 0)
        return 0;
    if (missing != UINT32_MAX)
        return fail_at(l, DISCO_EPARSE, NULL,
                       "node %s has no id (%u of %u nodes have one; give "
                       "every node an id, or none)",
                       agnameof(l->node[missing]), given, l->nodes);
    l->sc->ids = malloc(l->nodes * sizeof *l->sc->ids);
    if (!l->sc->ids)
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for ids");
    for (uint32_t i = 0; i < l->nodes; i++) {
        trimmed(agxget(l->node[i], sym), value, sizeof value);
        if (!parse_int(value, 0, INT64_MAX, &l->sc->ids[i])) {
            node_where(l, l->node[i], where, sizeof where);
            return fail_at(l, DISCO_EPARSE, where,
                           "bad id '%s' (a whole number)", value);
        }
    }
    return 0;
}

static int read_initiators(struct loader *l, Agsym_t *sym)
{
    char value[64], where[256];
    for (uint32_t i = 0; i < l->nodes; i++) {
        if (!trimmed(agxget(l->node[i], sym), value, sizeof value))
            continue;
        bool on;
        if (!parse_bool(value, &on)) {
            node_where(l, l->node[i], where, sizeof where);
            return fail_at(l, DISCO_EPARSE, where,
                           "bad initiator '%s' (true or false)", value);
        }
        if (!l->sc->initiators) {
            l->sc->initiators = calloc(l->nodes, 1);
            if (!l->sc->initiators)
                return fail_at(l, DISCO_ENOMEM, NULL,
                               "no memory for initiators");
        }
        l->sc->initiators[i] = on;
    }
    return 0;
}

static int read_node_faults(struct loader *l, Agsym_t *sym,
                            enum disco_fault_kind kind)
{
    char where[256];
    for (uint32_t i = 0; i < l->nodes; i++) {
        bool nomem;
        char *value = trimmed_dup(agxget(l->node[i], sym), &nomem);
        if (nomem)
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for faults");
        if (!value)
            continue;
        size_t added;
        disco_time_t first;
        node_where(l, l->node[i], where, sizeof where);
        int rc = add_fault_list(l, where, sym->name, value, kind, i, i, &added,
                                &first);
        free(value);
        if (rc)
            return rc;
    }
    return 0;
}

static int read_inputs(struct loader *l, Agsym_t *sym)
{
    static const char *const known[] = {"initiator", "crash_at", "recover_at"};
    char value[64], where[256];
    for (uint32_t i = 0; i < l->nodes; i++) {
        if (!trimmed(agxget(l->node[i], sym), value, sizeof value))
            continue;
        int64_t v;
        node_where(l, l->node[i], where, sizeof where);
        if (!parse_int(value, INT64_MIN, INT64_MAX, &v)) {
            const char *guess = disco_suggest(sym->name, known, 3);
            if (guess)
                return fail_at(l, DISCO_EPARSE, where,
                               "unknown attribute '%s' (did you mean '%s'?)",
                               sym->name, guess);
            return fail_at(l, DISCO_EPARSE, where,
                           "bad %s '%s' (inputs are integers)", sym->name,
                           value);
        }
        if (strlen(sym->name) >= sizeof l->sc->inputs[0].name)
            return fail_at(l, DISCO_EPARSE, where,
                           "input name '%s' is too long (%zu characters at "
                           "most)",
                           sym->name, sizeof l->sc->inputs[0].name - 1);
        int rc = add_input(l, i, sym->name, v);
        if (rc)
            return rc;
    }
    return 0;
}

static int read_nodes(struct loader *l)
{
    int rc = 0;
    /* Crashes in node order, then recoveries, so that the same file always
     * gives the same list. */
    Agsym_t *crash = agattr(l->g, AGNODE, (char *)"crash_at", NULL);
    Agsym_t *recover = agattr(l->g, AGNODE, (char *)"recover_at", NULL);
    if (crash)
        rc = read_node_faults(l, crash, DISCO_FAULT_CRASH);
    if (!rc && recover)
        rc = read_node_faults(l, recover, DISCO_FAULT_RECOVER);
    for (Agsym_t *sym = agnxtattr(l->g, AGNODE, NULL); sym && !rc;
         sym = agnxtattr(l->g, AGNODE, sym)) {
        if (!strcmp(sym->name, "id"))
            rc = read_ids(l, sym);
        else if (!strcmp(sym->name, "initiator"))
            rc = read_initiators(l, sym);
        else if (!in_list(sym->name, node_names, 4) &&
                 !in_list(sym->name, graphviz_node_names,
                          sizeof graphviz_node_names /
                              sizeof graphviz_node_names[0]))
            rc = read_inputs(l, sym);
    }
    if (rc)
        return rc;
    if (l->sc->ids && disco_scenario_option(l->sc, "ids"))
        return fail_at(l, DISCO_EPARSE, NULL,
                       "ids are given both as a graph attribute and on "
                       "nodes; keep one");
    if (l->sc->initiators && disco_scenario_option(l->sc, "initiators"))
        return fail_at(l, DISCO_EPARSE, NULL,
                       "initiators are given both as a graph attribute and "
                       "on nodes; keep one");
    /* Inputs were read attribute by attribute; a node's together reads
     * better and finds faster.  The sort is stable by (node, position). */
    for (size_t i = 1; i < l->sc->input_count; i++) {
        struct disco_input_value v = l->sc->inputs[i];
        size_t j = i;
        while (j > 0 && l->sc->inputs[j - 1].node > v.node) {
            l->sc->inputs[j] = l->sc->inputs[j - 1];
            j--;
        }
        l->sc->inputs[j] = v;
    }
    return 0;
}

/* Allocate an override array on first use, filled with "the run's". */
static int ensure_overrides(struct loader *l, const char *which)
{
    struct disco_channel_overrides *o = &l->sc->channel;
    uint32_t n = l->sc->topo.channels;
    size_t count = n ? n : 1;
    if (!strcmp(which, "delay") && !o->delay) {
        o->delay = calloc(count, sizeof *o->delay);
        o->use_delay = calloc(count, 1);
        if (!o->delay || !o->use_delay)
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for delays");
    } else if (!strcmp(which, "loss") && !o->loss) {
        o->loss = malloc(count * sizeof *o->loss);
        if (!o->loss)
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for losses");
        for (uint32_t c = 0; c < n; c++)
            o->loss[c] = -1.0;
    } else if (!strcmp(which, "fifo") && !o->fifo) {
        o->fifo = malloc(count);
        if (!o->fifo)
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for fifo flags");
        memset(o->fifo, -1, count);
    }
    return 0;
}

/* A round list "1-3,5,8-": numbers and ranges, an open range last. */
static bool valid_rounds(const char *text)
{
    const char *s = text;
    if (!*s)
        return false;
    while (*s) {
        if (*s < '0' || *s > '9')
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
        if (*s == '-') {
            s++;
            if (*s >= '0' && *s <= '9')
                while (*s >= '0' && *s <= '9')
                    s++;
            else if (*s)
                return false;
        }
        if (*s == ',')
            s++;
        else if (*s)
            return false;
    }
    return s[-1] != ',';
}

static int read_edge_rounds(struct loader *l, Agedge_t *e, const uint32_t c[2],
                            Agsym_t *rounds, const char *where)
{
    bool nomem;
    char *list = trimmed_dup(agxget(e, rounds), &nomem);
    if (nomem)
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for rounds");
    if (!list)
        return 0;
    if (!valid_rounds(list)) {
        int rc = fail_at(l, DISCO_EPARSE, where,
                         "bad rounds '%s' (rounds and ranges, e.g. 1-3,5,8-)",
                         list);
        free(list);
        return rc;
    }
    struct disco_scenario *sc = l->sc;
    if (!sc->channel_rounds) {
        sc->channel_rounds = calloc(sc->topo.channels + 1, sizeof(char *));
        if (!sc->channel_rounds) {
            free(list);
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for rounds");
        }
        sc->channel_round_count = sc->topo.channels;
    }
    /* The topology was built from these very edges, duplicates refused:
     * u->v is always a channel (c[0] owns the list) that no other edge gave
     * rounds to; only v->u is missing, on a directed graph. */
    assert(c[0] != UINT32_MAX && !sc->channel_rounds[c[0]]);
    sc->channel_rounds[c[0]] = list;
    if (c[1] != UINT32_MAX && !(sc->channel_rounds[c[1]] = strdup(list)))
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for rounds");
    return 0;
}

static int read_edge(struct loader *l, size_t k, Agsym_t *delay, Agsym_t *loss,
                     Agsym_t *fifo, Agsym_t *down, Agsym_t *up, Agsym_t *rounds)
{
    Agedge_t *e = l->edge[k];
    uint32_t u = l->edges[k].from, v = l->edges[k].to;
    const struct disco_topology *t = &l->sc->topo;
    uint32_t c[2] = {disco_topology_find(t, u, v),
                     t->directed ? UINT32_MAX : disco_topology_find(t, v, u)};
    char value[1024], where[256];
    edge_where(l, e, where, sizeof where);
    int rc;

    if (delay && trimmed(agxget(e, delay), value, sizeof value)) {
        struct disco_delay d;
        int64_t ticks;
        struct disco_error inner = {0};
        if (parse_int(value, 0, INT64_MAX, &ticks))
            d = (struct disco_delay){.kind = DISCO_DELAY_CONST,
                                     .a = (uint64_t)ticks,
                                     .b = (uint64_t)ticks};
        else if (disco_delay_parse(&d, value, &inner))
            return fail_at(l, DISCO_EPARSE, where, "%s", inner.message);
        if ((rc = ensure_overrides(l, "delay")))
            return rc;
        for (int i = 0; i < 2; i++) {
            if (c[i] != UINT32_MAX) {
                l->sc->channel.delay[c[i]] = d;
                l->sc->channel.use_delay[c[i]] = 1;
            }
        }
    }
    if (loss && trimmed(agxget(e, loss), value, sizeof value)) {
        double p;
        if (!parse_probability(value, &p))
            return fail_at(l, DISCO_EPARSE, where,
                           "bad loss '%s' (a probability from 0 to 1)", value);
        if ((rc = ensure_overrides(l, "loss")))
            return rc;
        for (int i = 0; i < 2; i++)
            if (c[i] != UINT32_MAX)
                l->sc->channel.loss[c[i]] = p;
    }
    if (fifo && trimmed(agxget(e, fifo), value, sizeof value)) {
        bool on;
        if (!parse_bool(value, &on))
            return fail_at(l, DISCO_EPARSE, where,
                           "bad fifo '%s' (true or false)", value);
        if ((rc = ensure_overrides(l, "fifo")))
            return rc;
        for (int i = 0; i < 2; i++)
            if (c[i] != UINT32_MAX)
                l->sc->channel.fifo[c[i]] = on ? 1 : 0;
    }
    if (rounds && (rc = read_edge_rounds(l, e, c, rounds, where)))
        return rc;
    size_t downs = 0, ups = 0;
    disco_time_t down_time = 0, up_time = 0;
    for (int i = 0; i < 2; i++) {
        Agsym_t *sym = i == 0 ? down : up;
        bool nomem;
        char *list = sym ? trimmed_dup(agxget(e, sym), &nomem) : NULL;
        if (sym && nomem)
            return fail_at(l, DISCO_ENOMEM, NULL, "no memory for faults");
        if (!list)
            continue;
        rc = i == 0 ? add_fault_list(l, where, "down_at", list,
                                     DISCO_FAULT_LINK_DOWN, u, v, &downs,
                                     &down_time)
                    : add_fault_list(l, where, "up_at", list,
                                     DISCO_FAULT_LINK_UP, u, v, &ups, &up_time);
        free(list);
        if (rc)
            return rc;
    }
    if (downs == 1 && ups == 1 && up_time <= down_time)
        return fail_at(
            l, DISCO_EPARSE, where, "up_at %llu is not after down_at %llu",
            (unsigned long long)up_time, (unsigned long long)down_time);
    return 0;
}

static int read_edges(struct loader *l)
{
    char where[256];
    for (Agsym_t *sym = agnxtattr(l->g, AGEDGE, NULL); sym;
         sym = agnxtattr(l->g, AGEDGE, sym)) {
        if (in_list(sym->name, edge_names, 7) || is_graphviz_name(sym->name))
            continue;
        const char *guess = disco_suggest(sym->name, edge_names, 7);
        if (!guess)
            continue; /* the user's own note: Graphviz ignores it too */
        for (size_t k = 0; k < l->edge_count; k++) {
            char value[8];
            if (trimmed(agxget(l->edge[k], sym), value, sizeof value)) {
                edge_where(l, l->edge[k], where, sizeof where);
                return fail_at(l, DISCO_EPARSE, where,
                               "unknown attribute '%s' (did you mean '%s'?)",
                               sym->name, guess);
            }
        }
    }
    Agsym_t *delay = agattr(l->g, AGEDGE, (char *)"delay", NULL);
    Agsym_t *loss = agattr(l->g, AGEDGE, (char *)"loss", NULL);
    Agsym_t *fifo = agattr(l->g, AGEDGE, (char *)"fifo", NULL);
    Agsym_t *down = agattr(l->g, AGEDGE, (char *)"down_at", NULL);
    Agsym_t *up = agattr(l->g, AGEDGE, (char *)"up_at", NULL);
    Agsym_t *rounds = agattr(l->g, AGEDGE, (char *)"rounds", NULL);
    for (size_t k = 0; k < l->edge_count; k++) {
        int rc = read_edge(l, k, delay, loss, fifo, down, up, rounds);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Pairs of arcs: a digraph read as bidirectional links.                    */

static int tick_cmp(const void *x, const void *y)
{
    disco_time_t a = *(const disco_time_t *)x, b = *(const disco_time_t *)y;
    return a < b ? -1 : a > b;
}

/* The ticks of arc e's down_at or up_at list (checked by add_fault_list
 * when the edge was read), sorted: a pair's arcs agree when they list the
 * same ticks, in whatever order.  *count 0 without the attribute. */
static int sorted_ticks(struct loader *l, Agedge_t *e, Agsym_t *sym,
                        disco_time_t **ticks, size_t *count)
{
    *ticks = NULL;
    *count = 0;
    const char *start;
    size_t n = sym ? trim_span(agxget(e, sym), &start) : 0;
    if (n == 0)
        return 0;
    size_t items = 1;
    for (size_t i = 0; i < n; i++)
        items += start[i] == ',';
    disco_time_t *t = malloc(items * sizeof *t);
    if (!t)
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for faults");
    const char *s = start;
    for (size_t i = 0; i < items; i++) {
        char *end;
        t[i] = (disco_time_t)strtoull(s, &end, 10);
        s = strchr(end, ',');
        s = s ? s + 1 : end;
    }
    qsort(t, items, sizeof *t, tick_cmp);
    *ticks = t;
    *count = items;
    return 0;
}

/* Whether arcs e and f list the same down_at (or up_at) ticks. */
static int same_ticks(struct loader *l, Agedge_t *e, Agedge_t *f, Agsym_t *sym,
                      bool *same)
{
    disco_time_t *a, *b;
    size_t na, nb;
    int rc = sorted_ticks(l, e, sym, &a, &na);
    if (!rc && (rc = sorted_ticks(l, f, sym, &b, &nb)))
        free(a);
    if (rc)
        return rc;
    *same = na == nb && (na == 0 || !memcmp(a, b, na * sizeof *a));
    free(a);
    free(b);
    return 0;
}

/* The refusal for arcs e (the pair's first) and f that differ in `name`,
 * into sc->pair_conflict, with the values as the file writes them. */
static int note_conflict(struct loader *l, Agedge_t *e, Agedge_t *f,
                         const char *name)
{
    Agsym_t *sym = agattr(l->g, AGEDGE, (char *)name, NULL);
    char one[64] = "none", other[64] = "none", text[sizeof l->err->message];
    char shown[2][68];
    for (int i = 0; i < 2; i++) {
        char *value = i == 0 ? one : other;
        if (sym)
            trimmed(agxget(i == 0 ? e : f, sym), value, sizeof one);
        /* A list of ticks ("5, 9") quoted, to stand apart from the "and". */
        snprintf(shown[i], sizeof shown[i],
                 strpbrk(value, ", \t") ? "'%s'" : "%s", value);
    }
    snprintf(text, sizeof text,
             "'%s': arcs %s->%s and %s->%s differ in %s (%s and %s); a link "
             "read as bidirectional needs one value",
             l->name, agnameof(agtail(e)), agnameof(aghead(e)),
             agnameof(agtail(f)), agnameof(aghead(f)), name, shown[0],
             shown[1]);
    if (!(l->sc->pair_conflict = strdup(text)))
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for edges");
    return 0;
}

/* The first difference in a link attribute between arcs k (first of its
 * pair, channel c) and j (channel r), noted; none: 0 and nothing noted. */
static int compare_arcs(struct loader *l, size_t k, size_t j, uint32_t c,
                        uint32_t r)
{
    const struct disco_scenario *sc = l->sc;
    Agedge_t *e = l->edge[k], *f = l->edge[j];
    if (sc->topo.weight && sc->topo.weight[c] != sc->topo.weight[r])
        return note_conflict(l, e, f, "weight");
    static const char *const cuts[] = {"down_at", "up_at"};
    for (int i = 0; i < 2; i++) {
        bool same = true;
        int rc = same_ticks(l, e, f,
                            agattr(l->g, AGEDGE, (char *)cuts[i], NULL), &same);
        if (rc || !same)
            return rc ? rc : note_conflict(l, e, f, cuts[i]);
    }
    const char *a = sc->channel_rounds ? sc->channel_rounds[c] : NULL;
    const char *b = sc->channel_rounds ? sc->channel_rounds[r] : NULL;
    if ((a || b) && !(a && b && !strcmp(a, b)))
        return note_conflict(l, e, f, "rounds");
    return 0;
}

/* On a digraph in which every arc has its reverse, mark the arc of each
 * pair that comes first in the file (sc->pair_first) and note the first
 * pair whose arcs differ in an attribute of the link (sc->pair_conflict),
 * for disco_scenario_bidirectional.  Any other graph: nothing. */
static int pair_arcs(struct loader *l)
{
    struct disco_scenario *sc = l->sc;
    const struct disco_topology *t = &sc->topo;
    if (!t->directed)
        return 0;
    size_t n = l->edge_count; /* = t->channels: duplicates were refused */
    uint32_t *reverse = malloc((n ? n : 1) * sizeof *reverse);
    size_t *arc = malloc((n ? n : 1) * sizeof *arc); /* channel -> arc */
    if (!reverse || !arc) {
        free(reverse);
        free(arc);
        return fail_at(l, DISCO_ENOMEM, NULL, "no memory for edges");
    }
    bool paired = true;
    for (size_t k = 0; k < n && paired; k++) {
        uint32_t u = l->edges[k].from, v = l->edges[k].to;
        arc[disco_topology_find(t, u, v)] = k;
        reverse[k] = disco_topology_find(t, v, u);
        paired = reverse[k] != UINT32_MAX;
    }
    int rc = 0;
    if (paired && !(sc->pair_first = calloc(n ? n : 1, 1)))
        rc = fail_at(l, DISCO_ENOMEM, NULL, "no memory for edges");
    for (size_t k = 0; paired && !rc && k < n; k++) {
        size_t j = arc[reverse[k]];
        if (AGSEQ(l->edge[k]) > AGSEQ(l->edge[j]))
            continue;
        uint32_t c = reverse[j]; /* arc k's channel: the reverse of j's */
        sc->pair_first[c] = 1;
        if (!sc->pair_conflict)
            rc = compare_arcs(l, k, j, c, reverse[k]);
    }
    free(reverse);
    free(arc);
    return rc;
}

int disco_scenario_bidirectional(struct disco_scenario *sc,
                                 struct disco_error *err)
{
    struct disco_topology *old = &sc->topo;
    if (!old->directed || !sc->pair_first)
        return 0;
    if (sc->pair_conflict)
        return disco_fail(err, DISCO_EPARSE, "%s", sc->pair_conflict);
    size_t pairs = old->channels / 2;
    struct disco_edge *edges = malloc((pairs ? pairs : 1) * sizeof *edges);
    if (!edges)
        return disco_fail(err, DISCO_ENOMEM, "no memory for '%s'", old->spec);
    size_t k = 0;
    for (uint32_t u = 0; u < old->nodes; u++)
        for (uint32_t c = old->out_offset[u]; c < old->out_offset[u + 1]; c++)
            if (sc->pair_first[c])
                edges[k++] = (struct disco_edge){
                    .from = u,
                    .to = old->out_target[c],
                    .weight = old->weight ? old->weight[c] : 1};
    assert(k == pairs);
    struct disco_topology t;
    int rc = disco_topology_build(&t, old->nodes, false, edges, k,
                                  old->weight != NULL, err);
    free(edges);
    if (rc)
        return rc;
    /* Each node's out-ports go by neighbour index in both graphs, and a
     * node's out-neighbours are the same: so are the channel numbers, and
     * every per-channel array (delay, loss, fifo, rounds) stays valid. */
    assert(t.channels == old->channels &&
           (!t.channels || !memcmp(t.out_target, old->out_target,
                                   old->channels * sizeof *t.out_target)));

    /* A pair's cuts once, as its first arc names them. */
    size_t kept = 0;
    for (size_t i = 0; i < sc->fault_count; i++) {
        const struct disco_fault *f = &sc->faults[i];
        if ((f->kind == DISCO_FAULT_LINK_DOWN ||
             f->kind == DISCO_FAULT_LINK_UP) &&
            !sc->pair_first[disco_topology_find(old, f->node, f->peer)])
            continue;
        sc->faults[kept++] = *f;
    }
    sc->fault_count = kept;

    t.names = old->names;
    old->names = NULL;
    memcpy(t.spec, old->spec, sizeof t.spec);
    t.known_connected = old->known_connected;
    disco_topology_release(old);
    *old = t;
    free(sc->pair_first);
    sc->pair_first = NULL;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The public face.                                                         */

int disco_scenario_load_text(struct disco_scenario *sc, const char *text,
                             const char *name, struct disco_error *err)
{
    memset(sc, 0, sizeof *sc);
    if (!name)
        name = "<scenario>";
    struct loader l = {.sc = sc, .err = err, .name = name};
    int rc = parse(text ? text : "", name, &l.g, err);
    if (!rc)
        rc = collect_nodes(&l);
    if (!rc)
        rc = build_topology(&l, name);
    if (!rc)
        rc = read_options(&l);
    if (!rc)
        rc = read_nodes(&l);
    if (!rc)
        rc = read_edges(&l);
    if (!rc)
        rc = pair_arcs(&l);
    if (l.g)
        agclose(l.g);
    free(l.node);
    free(l.seq);
    free(l.edge);
    free(l.edges);
    if (rc)
        disco_scenario_release(sc);
    return rc;
}

int disco_scenario_load(struct disco_scenario *sc, const char *path,
                        struct disco_error *err)
{
    memset(sc, 0, sizeof *sc);
    char *text = NULL;
    int rc = read_file(path, &text, err);
    if (rc)
        return rc;
    rc = disco_scenario_load_text(sc, text, path, err);
    free(text);
    return rc;
}

const char *disco_scenario_option(const struct disco_scenario *sc,
                                  const char *name)
{
    for (size_t i = 0; i < sc->option_count; i++)
        if (!strcmp(sc->options[i].name, name))
            return sc->options[i].value;
    return NULL;
}

/* Append `count` elements of `size` bytes to an array of `*have`. */
static void *grow(void *array, size_t have, size_t count, size_t size)
{
    if (count == 0)
        return array;
    if (have > SIZE_MAX / size - count)
        return NULL;
    return realloc(array, (have + count) * size);
}

int disco_scenario_apply(struct disco_scenario *sc, struct disco_config *cfg,
                         struct disco_error *err)
{
    /* Allocate first, move after: an out-of-memory leaves both as they
     * were. */
    struct disco_fault *faults = cfg->faults;
    struct disco_input_value *inputs = cfg->inputs;
    if (sc->fault_count) {
        faults = grow(cfg->faults, cfg->fault_count, sc->fault_count,
                      sizeof *faults);
        if (!faults)
            return disco_fail(err, DISCO_ENOMEM, "no memory for faults");
        cfg->faults = faults;
    }
    if (sc->input_count) {
        inputs = grow(cfg->inputs, cfg->input_count, sc->input_count,
                      sizeof *inputs);
        if (!inputs)
            return disco_fail(err, DISCO_ENOMEM, "no memory for inputs");
        cfg->inputs = inputs;
    }
    /* The realloc'ed arrays hold cfg's old contents: cfg is unchanged so
     * far but for the capacity. */

    if (sc->fault_count) {
        memcpy(cfg->faults + cfg->fault_count, sc->faults,
               sc->fault_count * sizeof *sc->faults);
        cfg->fault_count += sc->fault_count;
    }
    free(sc->faults);
    sc->faults = NULL;
    sc->fault_count = 0;
    if (sc->input_count) {
        memcpy(cfg->inputs + cfg->input_count, sc->inputs,
               sc->input_count * sizeof *sc->inputs);
        cfg->input_count += sc->input_count;
    }
    free(sc->inputs);
    sc->inputs = NULL;
    sc->input_count = 0;

    if (!cfg->ids && sc->ids) {
        cfg->ids = sc->ids;
        sc->ids = NULL;
    }
    /* Edges that list their rounds make the network dynamic, unless the
     * run draws its graphs some other way (--dynamic). */
    if (sc->channel_rounds && !cfg->channel_rounds) {
        cfg->channel_rounds = sc->channel_rounds;
        cfg->channel_round_count = sc->channel_round_count;
        sc->channel_rounds = NULL;
        sc->channel_round_count = 0;
        if (cfg->dynamic == DISCO_DYNAMIC_NONE)
            cfg->dynamic = DISCO_DYNAMIC_LISTED;
    }
    if (!cfg->initiators && sc->initiators) {
        cfg->initiators = sc->initiators;
        sc->initiators = NULL;
    }

    /* Channel overrides: take the scenario's array where cfg has none, fill
     * cfg's unset entries where it has one. */
    struct disco_channel_overrides *to = &cfg->channel, *from = &sc->channel;
    uint32_t n = sc->topo.channels;
    if (from->delay) {
        if (!to->delay) {
            free(to->use_delay);
            to->delay = from->delay;
            to->use_delay = from->use_delay;
            from->delay = NULL;
            from->use_delay = NULL;
        } else {
            for (uint32_t c = 0; c < n; c++) {
                if (to->use_delay && !to->use_delay[c] && from->use_delay[c]) {
                    to->delay[c] = from->delay[c];
                    to->use_delay[c] = 1;
                }
            }
        }
    }
    if (from->loss) {
        if (!to->loss) {
            to->loss = from->loss;
            from->loss = NULL;
        } else {
            for (uint32_t c = 0; c < n; c++)
                if (to->loss[c] < 0)
                    to->loss[c] = from->loss[c];
        }
    }
    if (from->fifo) {
        if (!to->fifo) {
            to->fifo = from->fifo;
            from->fifo = NULL;
        } else {
            for (uint32_t c = 0; c < n; c++)
                if (to->fifo[c] < 0)
                    to->fifo[c] = from->fifo[c];
        }
    }
    return 0;
}

int disco_scenario_check_inputs(const struct disco_scenario *sc,
                                const struct disco_algorithm *alg,
                                const char *name, struct disco_error *err)
{
    if (!name)
        name = sc->topo.spec;
    for (size_t i = 0; i < sc->input_count; i++) {
        const struct disco_input_value *in = &sc->inputs[i];
        char where[256];
        if (sc->topo.names && in->node < sc->topo.nodes)
            snprintf(where, sizeof where, "node %s", sc->topo.names[in->node]);
        else
            snprintf(where, sizeof where, "node %u", in->node);
        const struct disco_input_decl *d = disco_input_find(alg, in->name);
        if (!d) {
            /* The node attributes the kernel reads, then the module's. */
            const char *known[16 + 4];
            size_t count = 0;
            for (size_t k = 0; k < 4; k++)
                known[count++] = node_names[k];
            for (unsigned k = 0; k < alg->input_count && count < 20; k++)
                known[count++] = alg->inputs[k].name;
            const char *guess = disco_suggest(in->name, known, count);
            if (guess)
                return disco_fail(err, DISCO_EPARSE,
                                  "'%s': %s: unknown attribute '%s' (did "
                                  "you mean '%s'?)",
                                  name, where, in->name, guess);
            char inputs[256] = "";
            size_t used = 0;
            for (unsigned k = 0; k < alg->input_count && used < sizeof inputs;
                 k++) {
                int n = snprintf(inputs + used, sizeof inputs - used, "%s%s",
                                 k ? ", " : "", alg->inputs[k].name);
                if (n < 0)
                    break;
                used += (size_t)n;
            }
            return disco_fail(err, DISCO_EPARSE,
                              "'%s': %s: unknown attribute '%s' (%s %s%s)",
                              name, where, in->name, alg->name,
                              alg->input_count ? "reads the node inputs: "
                                               : "reads no node input",
                              inputs);
        }
        if (in->value < d->min || in->value > d->max)
            return disco_fail(err, DISCO_EINVAL,
                              "'%s': %s: bad %s '%lld': %s must be between "
                              "%lld and %lld",
                              name, where, in->name, (long long)in->value,
                              in->name, (long long)d->min, (long long)d->max);
    }
    return 0;
}

void disco_scenario_drop_foreign_inputs(
    struct disco_scenario *sc, const struct disco_algorithm *alg,
    const struct disco_algorithm *const *known, size_t count)
{
    size_t kept = 0;
    for (size_t i = 0; i < sc->input_count; i++) {
        const char *name = sc->inputs[i].name;
        bool foreign = false;
        for (size_t k = 0; !disco_input_find(alg, name) && k < count &&
                           !foreign;
             k++)
            foreign = disco_input_find(known[k], name) != NULL;
        if (!foreign)
            sc->inputs[kept++] = sc->inputs[i];
    }
    sc->input_count = kept;
}

void disco_scenario_release(struct disco_scenario *sc)
{
    disco_topology_release(&sc->topo);
    for (size_t i = 0; i < sc->option_count; i++)
        free(sc->options[i].value);
    free(sc->options);
    free(sc->ids);
    free(sc->initiators);
    free(sc->faults);
    free(sc->inputs);
    free(sc->channel.delay);
    free(sc->channel.use_delay);
    free(sc->channel.loss);
    free(sc->channel.fifo);
    for (size_t c = 0; sc->channel_rounds && c < sc->channel_round_count; c++)
        free(sc->channel_rounds[c]);
    free(sc->channel_rounds);
    free(sc->pair_first);
    free(sc->pair_conflict);
    memset(sc, 0, sizeof *sc);
}
