/*
 * topology.c - the topology with its state, as DOT (cgraph) and rendered
 * with gvc (SVG, PNG), once at the end of a run or as numbered frames.
 *
 * One function writes the picture as DOT text; everything else reads that
 * text back with cgraph and lays it out with gvc.  So the DOT file, the SVG,
 * the PNG and every frame show exactly the same thing.  Every node's
 * position is written in the file (pos="x,y!", drawn with nop, that is
 * `neato -n`): computed here for the families whose shape is known (rings,
 * grids, tori, lines, stars, complete graphs, Petersen), so that a ring is
 * a ring; otherwise laid out by Graphviz on the bare structure with nodes
 * of one size (dot for trees, neato or sfdp for the rest), so that
 * positions do not depend on the state texts and frames of one run keep
 * every node in place.
 *
 * Same run, same bytes: the text is written in node and port order, and
 * Graphviz's layouts are deterministic (neato starts from a fixed seed).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "viz.h"

/* Frames: at most this many per run (the first ones); a long run's later
 * steps are better seen in the space-time diagram or the player. */
#define VIZ_MAX_FRAMES 1000
/* Rendering lays out the graph, which gets slow (and unreadable) beyond
 * this; the DOT text has no limit. */
#define VIZ_MAX_RENDER_NODES 5000
/* Routing edges around nodes (splines=true) costs far more than the
 * layout: minutes for a few hundred nodes.  Only small tori get it. */
#define VIZ_ROUTE_NODES 64
/* Larger graphs without a known shape use sfdp instead of neato. */
#define VIZ_SFDP_NODES 300

/* Colours (named once so the docs can list them). */
#define COLOUR_LEADER "#f6c343"  /* gold */
#define COLOUR_DECIDED "#b7e1b0" /* pale green */
#define COLOUR_ACTIVE "#cfe3ff"  /* pale blue: declared itself active */
#define COLOUR_PLAIN "#ffffff"
#define COLOUR_INITIATOR "#1f5fbf" /* blue outline */
#define COLOUR_CRASHED "#d0d0d0"
#define COLOUR_CRASHED_TEXT "#808080"
#define COLOUR_EDGE "#404040"
#define COLOUR_CUT "#c03030"

/* ------------------------------------------------------------------------ */
/* Layout by topology family.                                                */

enum layout_kind {
    LAYOUT_FREE,   /* neato or sfdp decides */
    LAYOUT_TREE,   /* dot, top to bottom */
    LAYOUT_PINNED, /* positions computed here */
};

struct layout {
    enum layout_kind kind;
    const char *engine;
    /* LAYOUT_PINNED: what to compute */
    enum {
        SHAPE_CIRCLE,
        SHAPE_GRID,
        SHAPE_LINE,
        SHAPE_STAR,
        SHAPE_PETERSEN
    } shape;
    uint32_t rows, cols;
    bool route; /* route edges around nodes (a torus's wrap-around edges
                 * would otherwise run hidden along a row or column) */
};

/* The family of a generator spec ("grid" of "grid:3x3"), and up to two
 * numbers after it.  Returns how many numbers were read. */
static unsigned spec_parts(const char *spec, char *family, size_t len,
                           unsigned long v[2])
{
    const char *colon = strchr(spec, ':');
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    if (n >= len)
        n = len - 1;
    memcpy(family, spec, n);
    family[n] = '\0';
    unsigned count = 0;
    const char *p = colon ? colon + 1 : "";
    while (*p && count < 2) {
        char *end;
        unsigned long x = strtoul(p, &end, 10);
        if (end == p)
            break;
        v[count++] = x;
        p = end;
        if (*p == ':' || *p == 'x')
            p++;
    }
    return count;
}

static struct layout choose_layout(const struct disco_topology *topo)
{
    char family[32];
    unsigned long v[2] = {0, 0};
    unsigned count = spec_parts(topo->spec, family, sizeof family, v);
    uint32_t n = topo->nodes;
    struct layout l = {.kind = LAYOUT_FREE,
                       .engine = n > VIZ_SFDP_NODES ? "sfdp" : "neato"};
    /* A DOT file's spec is its name: nothing known about its shape. */
    if (disco_is_scenario_path(topo->spec))
        return l;
    if (strcmp(family, "ring") == 0 || strcmp(family, "uring") == 0 ||
        strcmp(family, "complete") == 0) {
        l.kind = LAYOUT_PINNED, l.shape = SHAPE_CIRCLE;
    } else if ((strcmp(family, "grid") == 0 || strcmp(family, "torus") == 0) &&
               count == 2 && (uint64_t)v[0] * v[1] == n) {
        l.kind = LAYOUT_PINNED, l.shape = SHAPE_GRID;
        l.rows = (uint32_t)v[0], l.cols = (uint32_t)v[1];
        l.route = strcmp(family, "torus") == 0 && n <= VIZ_ROUTE_NODES;
    } else if (strcmp(family, "line") == 0) {
        l.kind = LAYOUT_PINNED, l.shape = SHAPE_LINE;
    } else if (strcmp(family, "star") == 0) {
        l.kind = LAYOUT_PINNED, l.shape = SHAPE_STAR;
    } else if (strcmp(family, "petersen") == 0 && n == 10) {
        l.kind = LAYOUT_PINNED, l.shape = SHAPE_PETERSEN;
    } else if (strcmp(family, "btree") == 0 || strcmp(family, "tree") == 0) {
        l.kind = LAYOUT_TREE, l.engine = "dot";
    }
    return l;
}

/* Node i's position in inches (y up, as Graphviz has it); written in
 * points. */
static void position(const struct layout *l, uint32_t n, uint32_t i, double *x,
                     double *y)
{
    const double pi = 3.14159265358979323846;
    switch (l->shape) {
    case SHAPE_CIRCLE: {
        /* Node 0 on top, then clockwise: the ring's direction. */
        double r = n * 2.0 / (2 * pi);
        if (r < 1.5)
            r = 1.5;
        double a = pi / 2 - 2 * pi * i / n;
        *x = r * cos(a), *y = r * sin(a);
        return;
    }
    case SHAPE_GRID:
        /* Row 0 at the top, as the generator's spec reads. */
        *x = 1.8 * (i % l->cols), *y = -1.1 * (i / l->cols);
        return;
    case SHAPE_LINE:
        *x = 1.8 * i, *y = 0;
        return;
    case SHAPE_STAR: {
        if (i == 0) {
            *x = 0, *y = 0;
            return;
        }
        double r = (n - 1) * 2.0 / (2 * pi);
        if (r < 1.5)
            r = 1.5;
        double a = pi / 2 - 2 * pi * (i - 1) / (n - 1);
        *x = r * cos(a), *y = r * sin(a);
        return;
    }
    case SHAPE_PETERSEN: {
        /* Outer pentagon 0-4, inner pentagram 5-9 on the same spokes. */
        double r = i < 5 ? 2.6 : 1.3;
        double a = pi / 2 - 2 * pi * (i % 5) / 5;
        *x = r * cos(a), *y = r * sin(a);
        return;
    }
    }
}

/* Rounded to what is printed, and never -0 (which prints as "-0.0"). */
static double tidy(double x)
{
    return round(x * 10) / 10 + 0.0;
}

/* ------------------------------------------------------------------------ */
/* The picture as DOT.                                                       */

/* A DOT string's contents: quotes and backslashes escaped, control
 * characters dropped (a state text is the algorithm's, not ours). */
static void put_escaped(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\')
            fputc('\\', out);
        if (c >= 0x20)
            fputc(c, out);
    }
}

/* A state text over lines of at most WRAP characters, broken at spaces
 * (a longer word keeps a line to itself): the node stays narrow, so fixed
 * spacing fits every label and frames need not move nodes as texts grow. */
#define WRAP 16
static void put_wrapped(FILE *out, const char *text)
{
    size_t line = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t word = strcspn(p, " ");
        if (!word)
            break;
        if (line && line + 1 + word > WRAP) {
            fputs("\\n", out);
            line = 0;
        } else if (line) {
            fputc(' ', out);
            line++;
        }
        char buf[DISCO_STATE_TEXT];
        size_t n = word < sizeof buf ? word : sizeof buf - 1;
        memcpy(buf, p, n);
        buf[n] = '\0';
        put_escaped(out, buf);
        line += word;
        p += word;
    }
}

/* Links down at this point of the run: the last link event seen for the
 * pair was link_down.  Read from the recorded events, so that a cut that
 * was healed (or whose repair came after the run stopped) is drawn as it
 * really was.  The link events are gathered once per picture (they are
 * few), then each edge looks among them. */
struct link_events {
    const struct viz_event **items;
    size_t count;
};

static int gather_links(const struct viz_recorder *rec,
                        struct link_events *links, struct disco_error *err)
{
    links->items = NULL;
    links->count = 0;
    bool any = false;
    for (size_t i = 0; i < rec->cfg->fault_count; i++)
        any |= rec->cfg->faults[i].kind == DISCO_FAULT_LINK_DOWN;
    if (!any)
        return 0;
    size_t count = 0;
    for (size_t i = 0; i < rec->event_count; i++)
        count += rec->events[i].type == DISCO_EV_LINK_DOWN ||
                 rec->events[i].type == DISCO_EV_LINK_UP;
    if (!count)
        return 0;
    links->items = malloc(count * sizeof *links->items);
    if (!links->items)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    for (size_t i = 0; i < rec->event_count; i++)
        if (rec->events[i].type == DISCO_EV_LINK_DOWN ||
            rec->events[i].type == DISCO_EV_LINK_UP)
            links->items[links->count++] = &rec->events[i];
    return 0;
}

static bool link_down(const struct link_events *links, bool directed,
                      uint32_t u, uint32_t v)
{
    for (size_t i = links->count; i-- > 0;) {
        const struct viz_event *e = links->items[i];
        if ((e->node == u && e->peer == v) ||
            (!directed && e->node == v && e->peer == u))
            return e->type == DISCO_EV_LINK_DOWN;
    }
    return false;
}

static int structure_positions(const struct viz_recorder *rec,
                               const struct layout *l, double *xy,
                               struct disco_error *err);

/* Write the picture of the run as it is now (at the end, or between two
 * events for a frame).  `time` goes in the caption. */
static int write_picture(struct viz_recorder *rec, FILE *out,
                         disco_time_t time, struct disco_error *err)
{
    const struct disco_algorithm *alg = rec->alg;
    const struct disco_topology *topo = rec->topo;
    const struct disco_view *view = disco_sim_view(rec->sim);
    uint32_t n = disco_view_nodes(view);
    bool directed = disco_view_directed(view);
    bool weighted = disco_view_weighted(view);
    struct layout l = choose_layout(topo);

    /* Where the nodes go, in points: computed for the known shapes, else
     * laid out by Graphviz on the bare structure (nodes of one fixed size),
     * so that positions do not depend on the labels: frames then keep
     * every node in place as the states change, and the file draws the
     * same with `neato -n`.  Beyond the rendering limit the DOT names the
     * engine instead (laying out would take too long). */
    bool placed = l.kind == LAYOUT_PINNED || n <= VIZ_MAX_RENDER_NODES;
    /* Computed once per recorder: every frame of a run is drawn on the
     * same places, and Graphviz's layout of a few hundred nodes takes
     * tens of milliseconds, which hundreds of frames each paid. */
    if (placed && !rec->positions) {
        double *xy = malloc(2 * (size_t)(n ? n : 1) * sizeof *xy);
        if (!xy)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        int rc = 0;
        if (l.kind == LAYOUT_PINNED)
            for (uint32_t v = 0; v < n; v++) {
                position(&l, n, v, &xy[2 * v], &xy[2 * v + 1]);
                xy[2 * v] *= 72, xy[2 * v + 1] *= 72;
            }
        else
            rc = structure_positions(rec, &l, xy, err);
        if (rc) {
            free(xy);
            return rc;
        }
        rec->positions = xy;
    }
    const double *xy = placed ? rec->positions : NULL;

    struct link_events links;
    int rc = gather_links(rec, &links, err);
    if (rc)
        return rc;
    /* parent[v]: v's parent node, or UINT32_MAX. */
    uint32_t *parent = malloc((n ? n : 1) * sizeof *parent);
    if (!parent) {
        free(links.items);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    for (uint32_t v = 0; v < n; v++) {
        parent[v] = UINT32_MAX;
        if (!alg->parent_port)
            continue;
        uint32_t port = alg->parent_port(disco_view_state(view, v));
        if (port != DISCO_NO_PORT && port < disco_view_degree(view, v))
            parent[v] = disco_view_neighbour(view, v, port);
    }

    fputs("digraph \"", out);
    put_escaped(out, alg->name);
    fputs("\" {\n", out);
    fprintf(out, "    graph [layout=%s, label=\"", placed ? "nop" : l.engine);
    put_escaped(out, alg->name);
    fputs(" on ", out);
    /* A scenario file by its name, not where it was found. */
    const char *slash = strrchr(topo->spec, '/');
    put_escaped(out, slash ? slash + 1 : topo->spec);
    fprintf(out,
            ", %s%llu\", labelloc=b, fontname=\"Helvetica\", "
            "fontsize=12, bgcolor=white, pad=0.3, size=\"60,60\", "
            "outputorder=edgesfirst",
            disco_view_sync(view) ? "round " : "t=", (unsigned long long)time);
    if (l.route)
        fputs(", splines=true", out);
    if (!placed)
        fputs(", overlap=false", out);
    fputs("];\n", out);
    fputs("    node [shape=box, style=\"rounded,filled\", "
          "fillcolor=\"" COLOUR_PLAIN "\", color=\"" COLOUR_EDGE "\", "
          "fontname=\"Helvetica\", fontsize=10, margin=\"0.05,0.03\"];\n",
          out);
    fputs("    edge [color=\"" COLOUR_EDGE "\", fontname=\"Helvetica\", "
          "fontsize=9, arrowsize=0.7];\n",
          out);

    for (uint32_t v = 0; v < n; v++) {
        char state[DISCO_STATE_TEXT] = "";
        if (alg->format_state)
            alg->format_state(disco_view_state(view, v), state, sizeof state);
        bool crashed = disco_view_crashed(view, v);
        bool leader = !crashed && alg->is_leader &&
                      alg->is_leader(disco_view_state(view, v));
        bool decided = disco_view_decision_of(view, v) != SIZE_MAX;
        bool initiator = disco_view_initiator(view, v);
        bool active = !disco_view_passive(view, v);

        fprintf(out, "    %u [label=\"%lld", v,
                (long long)disco_view_id(view, v));
        if (state[0]) {
            fputs("\\n", out);
            put_wrapped(out, state);
        }
        fputc('"', out);
        if (crashed)
            fputs(
                ", style=\"rounded,filled,dashed\", fillcolor=\"" COLOUR_CRASHED
                "\", color=\"" COLOUR_CRASHED_TEXT
                "\", fontcolor=\"" COLOUR_CRASHED_TEXT "\", class=crashed",
                out);
        else if (leader)
            fputs(", fillcolor=\"" COLOUR_LEADER "\", penwidth=2, "
                  "class=leader",
                  out);
        else if (decided)
            fputs(", fillcolor=\"" COLOUR_DECIDED "\", class=decided", out);
        else if (active)
            fputs(", fillcolor=\"" COLOUR_ACTIVE "\", class=active", out);
        if (initiator)
            fputs(crashed ? ", peripheries=2"
                          : ", peripheries=2, color=\"" COLOUR_INITIATOR "\"",
                  out);
        if (topo->names && topo->names[v]) {
            /* A scenario's own node name, shown on hover in the SVG. */
            fputs(", tooltip=\"", out);
            put_escaped(out, topo->names[v]);
            fputc('"', out);
        }
        if (placed)
            /* nop is "neato -n": every node where pos says, in points
             * (the -n mode ignores inputscale). */
            fprintf(out, ", pos=\"%.1f,%.1f!\"", tidy(xy[2 * v]),
                    tidy(xy[2 * v + 1]));
        fputs("];\n", out);
    }

    for (uint32_t u = 0; u < n; u++) {
        uint32_t degree = disco_view_degree(view, u);
        for (uint32_t p = 0; p < degree; p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            /* Undirected: each edge once, from its smaller end. */
            if (!directed && v < u)
                continue;
            bool tree_up = parent[u] == v;   /* u's parent is v */
            bool tree_down = parent[v] == u; /* v's parent is u */
            int orient = !directed && alg->orientation
                             ? alg->orientation(view, u, p)
                             : 0;
            fprintf(out, "    %u -> %u", u, v);
            const char *sep = " [";
            if (!directed) {
                /* Orientation (link reversal) wins; otherwise a tree edge
                 * points at the parent; otherwise no arrow. */
                const char *dir = orient > 0   ? "forward"
                                  : orient < 0 ? "back"
                                  : tree_up    ? "forward"
                                  : tree_down  ? "back"
                                               : "none";
                fprintf(out, "%sdir=%s", sep, dir);
                sep = ", ";
            }
            bool tree = tree_up || tree_down;
            bool cut = link_down(&links, directed, u, v);
            if (tree || cut) {
                /* Classes reach the SVG (class="edge tree cut"). */
                fprintf(out, "%sstyle=\"%s%s%s\"%s, class=\"%s%s%s\"", sep,
                        tree ? "bold" : "", tree && cut ? "," : "",
                        cut ? "dashed" : "", tree ? ", penwidth=3" : "",
                        tree ? "tree" : "", tree && cut ? " " : "",
                        cut ? "cut" : "");
                if (cut)
                    fputs(", color=\"" COLOUR_CUT "\"", out);
                sep = ", ";
            }
            if (weighted) {
                fprintf(out, "%slabel=\"%lld\"", sep,
                        (long long)disco_view_weight(view, u, p));
                sep = ", ";
            }
            fputs(*sep == ',' ? "];\n" : ";\n", out);
        }
    }
    fputs("}\n", out);
    free(parent);
    free(links.items);
    if (ferror(out))
        return disco_fail(err, DISCO_EIO, "cannot write the picture");
    return 0;
}

/* The picture as a string (caller frees). */
static int picture_text(struct viz_recorder *rec, disco_time_t time,
                        char **text, struct disco_error *err)
{
    size_t len = 0;
    *text = NULL;
    FILE *out = open_memstream(text, &len);
    if (!out)
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    int rc = write_picture(rec, out, time, err);
    if (fclose(out) != 0 && !rc)
        rc = disco_fail(err, DISCO_ENOMEM, "out of memory");
    if (rc) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Rendering with gvc.                                                       */

/* Graphviz reports through agerr, which prints on stderr unless given a
 * function: library code must not print, so its messages are kept here
 * (the first error, for our own message) while a picture is rendered. */
static char gv_message[200];

static int gv_keep(char *message)
{
    if (!gv_message[0] && message) {
        size_t len = strcspn(message, "\n");
        if (len >= sizeof gv_message)
            len = sizeof gv_message - 1;
        memcpy(gv_message, message, len);
        gv_message[len] = '\0';
    }
    return 0;
}

/* One gvc context for the whole process, never freed: Graphviz 2.42's
 * pango plugin remembers the last font name it measured, a string owned by
 * the context, so measuring text after a second gvContext() reads freed
 * memory.  A single context avoids that (and reloading the plugins for
 * every frame).  Runs are single-threaded, as the kernel is. */
static GVC_t *shared_context(void)
{
    static GVC_t *gvc;
    if (!gvc)
        gvc = gvContext();
    return gvc;
}

/* The picture laid out and rendered into memory (*data, *len; free with
 * gvFreeRenderData).  Into memory, not a file: Graphviz's own writer
 * calls exit(1) when a write fails, so the bytes are written by the
 * caller, whose every write is checked. */
static int render_text(const char *text, const char *format, uint32_t nodes,
                       char **data, unsigned int *len,
                       struct disco_error *err)
{
    *data = NULL;
    *len = 0;
    if (nodes > VIZ_MAX_RENDER_NODES)
        return disco_fail(err, DISCO_ELIMIT,
                          "%u nodes are too many to draw (at most %u; use "
                          "--dot and lay it out yourself)",
                          nodes, VIZ_MAX_RENDER_NODES);
    /* The engine is the one the text names, so the file and the picture
     * agree. */
    gv_message[0] = '\0';
    agusererrf previous = agseterrf(gv_keep);
    GVC_t *gvc = shared_context();
    if (!gvc) {
        agseterrf(previous);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    int rc = 0;
    Agraph_t *g = agmemread(text);
    if (!g) {
        rc = disco_fail(err, DISCO_EINVAL,
                        "graphviz could not read the "
                        "picture: %s",
                        gv_message);
        goto done;
    }
    const char *engine = agget(g, "layout");
    if (!engine || !*engine)
        engine = "neato";
    if (gvLayout(gvc, g, engine) != 0) {
        rc = disco_fail(err, DISCO_EINVAL, "graphviz has no '%s' layout",
                        engine);
        agclose(g);
        goto done;
    }
    if (gvRenderData(gvc, g, format, data, len) != 0 || !*data) {
        rc = disco_fail(err, DISCO_EINVAL, "graphviz could not render the "
                        "picture as %s%s%s", format,
                        gv_message[0] ? ": " : "", gv_message);
        if (*data)
            gvFreeRenderData(*data);
        *data = NULL;
        *len = 0;
    }
    gvFreeLayout(gvc, g);
    agclose(g);
done:
    agseterrf(previous);
    return rc;
}

/* The bare structure laid out by Graphviz: every node a box of one size
 * (about what a wrapped label needs), no labels.  Trees go top to bottom
 * from node 0, their edges directed away from it (breadth first), so dot
 * ranks them by depth.  Writes x, y of node v (points) at xy[2v]. */
static int structure_positions(const struct viz_recorder *rec,
                               const struct layout *l, double *xy,
                               struct disco_error *err)
{
    const struct disco_view *view = disco_sim_view(rec->sim);
    uint32_t n = disco_view_nodes(view);
    bool directed = disco_view_directed(view);
    uint32_t *depth = NULL;
    if (l->kind == LAYOUT_TREE) {
        depth = malloc(2 * (size_t)(n ? n : 1) * sizeof *depth);
        if (!depth)
            return disco_fail(err, DISCO_ENOMEM, "out of memory");
        uint32_t *queue = depth + n;
        for (uint32_t v = 0; v < n; v++)
            depth[v] = UINT32_MAX;
        size_t head = 0, tail = 0;
        for (uint32_t root = 0; root < n; root++) {
            if (depth[root] != UINT32_MAX)
                continue;
            depth[root] = 0;
            queue[tail++] = root;
            while (head < tail) {
                uint32_t u = queue[head++];
                uint32_t degree = disco_view_degree(view, u);
                for (uint32_t p = 0; p < degree; p++) {
                    uint32_t v = disco_view_neighbour(view, u, p);
                    if (depth[v] == UINT32_MAX) {
                        depth[v] = depth[u] + 1;
                        queue[tail++] = v;
                    }
                }
            }
        }
    }

    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out) {
        free(depth);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }
    fprintf(out, "digraph s {\n    graph [%s];\n",
            l->kind == LAYOUT_TREE ? "rankdir=TB, nodesep=0.3"
                                   : "overlap=false, start=1");
    fputs("    node [shape=box, fixedsize=true, width=1.4, height=0.62, "
          "label=\"\"];\n",
          out);
    for (uint32_t v = 0; v < n; v++)
        fprintf(out, "    %u;\n", v);
    for (uint32_t u = 0; u < n; u++) {
        uint32_t degree = disco_view_degree(view, u);
        for (uint32_t p = 0; p < degree; p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            if (!directed && v < u)
                continue;
            bool down = depth && depth[v] < depth[u];
            fprintf(out, "    %u -> %u;\n", down ? v : u, down ? u : v);
        }
    }
    fputs("}\n", out);
    free(depth);
    if (fclose(out) != 0) {
        free(text);
        return disco_fail(err, DISCO_ENOMEM, "out of memory");
    }

    gv_message[0] = '\0';
    agusererrf previous = agseterrf(gv_keep);
    GVC_t *gvc = shared_context();
    Agraph_t *g = gvc ? agmemread(text) : NULL;
    free(text);
    int rc = 0;
    if (!g) {
        rc = disco_fail(err, DISCO_ENOMEM,
                        "graphviz could not read the "
                        "structure: %s",
                        gv_message);
    } else if (gvLayout(gvc, g, l->engine) != 0) {
        rc = disco_fail(err, DISCO_EINVAL, "graphviz has no '%s' layout",
                        l->engine);
    } else {
        for (uint32_t v = 0; v < n; v++) {
            char name[16];
            snprintf(name, sizeof name, "%u", v);
            Agnode_t *node = agnode(g, name, 0);
            xy[2 * v] = node ? ND_coord(node).x : 0;
            xy[2 * v + 1] = node ? ND_coord(node).y : 0;
        }
        gvFreeLayout(gvc, g);
    }
    if (g)
        agclose(g);
    agseterrf(previous);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The writers.                                                              */

static disco_time_t end_time(const struct viz_recorder *rec)
{
    return disco_sim_metrics(rec->sim)->time;
}

int viz_write_dot(struct viz_recorder *rec, FILE *out, struct disco_error *err)
{
    return write_picture(rec, out, end_time(rec), err);
}

int viz_render(struct viz_recorder *rec, const char *format, FILE *out,
               struct disco_error *err)
{
    if (strcmp(format, "svg") != 0 && strcmp(format, "png") != 0)
        return disco_fail(err, DISCO_EINVAL, "unknown picture format '%s'",
                          format);
    char *text;
    int rc = picture_text(rec, end_time(rec), &text, err);
    if (rc)
        return rc;
    char *data;
    unsigned int len;
    rc = render_text(text, format, rec->topo->nodes, &data, &len, err);
    free(text);
    if (rc)
        return rc;
    if (fwrite(data, 1, len, out) != len || ferror(out))
        rc = disco_fail(err, DISCO_EIO, "cannot write the picture: %s",
                        strerror(errno));
    gvFreeRenderData(data);
    return rc;
}

/* The events after which the picture may look different: a state text
 * changed, a node decided, crashed or recovered, a link went down or up.
 * Messages in flight are not drawn here (the player shows them). */
static bool changes_picture(enum disco_event_type type)
{
    switch (type) {
    case DISCO_EV_STATE:
    case DISCO_EV_DECIDE:
    case DISCO_EV_CRASH:
    case DISCO_EV_RECOVER:
    case DISCO_EV_LINK_DOWN:
    case DISCO_EV_LINK_UP:
        return true;
    default:
        return false;
    }
}


bool viz_is_frame_name(const char *name)
{
    size_t len = strlen(name), fixed = strlen(VIZ_FRAME_PREFIX VIZ_FRAME_SUFFIX);
    return len >= fixed + 6 &&
           strncmp(name, VIZ_FRAME_PREFIX, strlen(VIZ_FRAME_PREFIX)) == 0 &&
           strcmp(name + len - strlen(VIZ_FRAME_SUFFIX), VIZ_FRAME_SUFFIX) == 0 &&
           strspn(name + strlen(VIZ_FRAME_PREFIX), "0123456789") == len - fixed;
}

/* One frame rendered and written to `path`, every write checked; on a
 * failed write, its errno in *saved (the CLI names the directory). */
static int write_frame(const char *text, const char *path, uint32_t nodes,
                       int *saved, struct disco_error *err)
{
    char *data;
    unsigned int len;
    int rc = render_text(text, "svg", nodes, &data, &len, err);
    if (rc)
        return rc;
    errno = 0;
    FILE *f = fopen(path, "w");
    bool bad = !f || fwrite(data, 1, len, f) != len;
    *saved = bad ? (errno ? errno : EIO) : 0;
    if (f && fclose(f) != 0 && !bad) {
        bad = true;
        *saved = errno;
    }
    gvFreeRenderData(data);
    if (bad) {
        if (f)
            unlink(path);
        rc = disco_fail(err, DISCO_EIO, "cannot write '%s': %s", path,
                        strerror(*saved));
    }
    return rc;
}

void viz_frame_hook(struct viz_recorder *rec, const struct viz_event *ev)
{
    if (rec->frames_error || !changes_picture(ev->type) ||
        rec->frame_count >= VIZ_MAX_FRAMES)
        return;
    struct disco_error err = {0};
    char *text = NULL;
    int saved = 0;
    int rc = picture_text(rec, ev->time, &text, &err);
    if (!rc) {
        char path[4096];
        int len = snprintf(path, sizeof path, "%s/" VIZ_FRAME_PREFIX "%06llu"
                                              VIZ_FRAME_SUFFIX,
                           rec->frames_dir,
                           (unsigned long long)rec->frame_count + 1);
        if (len < 0 || (size_t)len >= sizeof path)
            rc = disco_fail(&err, DISCO_EINVAL,
                            "frames directory name '%s' is too long",
                            rec->frames_dir);
        else
            rc = write_frame(text, path, rec->topo->nodes, &saved, &err);
    }
    free(text);
    if (rc) {
        rec->frames_errno = saved;
        rec->frames_error = rc;
        /* The kernel's messages are longer than the recorder's slot. */
        size_t len = strlen(err.message);
        if (len >= sizeof rec->frames_message)
            len = sizeof rec->frames_message - 1;
        memcpy(rec->frames_message, err.message, len);
        rec->frames_message[len] = '\0';
        return;
    }
    rec->frame_count++;
}
