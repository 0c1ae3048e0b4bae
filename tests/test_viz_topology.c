/*
 * test_viz_topology.c - the topology pictures (viz/topology.c): the DOT a
 * run writes parses back with cgraph to the graph, the state and the roles
 * it drew; SVGs are well-formed XML with one element per node and edge;
 * PNGs are PNGs; same seed, same bytes; frames come one per picture-changing
 * event; bad paths leave nothing behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <graphviz/cgraph.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "support.h"
#include "viz.h"

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                  */

static Agraph_t *read_dot(const char *path)
{
    char *text = file_read(path, NULL);
    assert_non_null(text);
    Agraph_t *g = agmemread(text);
    free(text);
    assert_non_null(g);
    return g;
}

static Agnode_t *node_named(Agraph_t *g, unsigned i)
{
    char name[16];
    snprintf(name, sizeof name, "%u", i);
    Agnode_t *n = agnode(g, name, 0);
    if (!n)
        fail_msg("node %u is missing", i);
    return n;
}

/* The edge u -> v as written (tail u, head v), or NULL. */
static Agedge_t *edge_between(Agraph_t *g, unsigned u, unsigned v)
{
    return agedge(g, node_named(g, u), node_named(g, v), NULL, 0);
}

static const char *attr(void *obj, const char *name)
{
    char *value = agget(obj, (char *)name);
    return value ? value : "";
}

static int edge_count(Agraph_t *g)
{
    return agnedges(g);
}

/* How many lines of a JSON Lines trace have one of the event types that
 * change the picture (the frames rule). */
static int picture_events(const char *trace)
{
    static const char *const types[] = {
        "\"type\": \"state\"",     "\"type\": \"decide\"",
        "\"type\": \"crash\"",     "\"type\": \"recover\"",
        "\"type\": \"link_down\"", "\"type\": \"link_up\"",
    };
    int count = 0;
    for (const char *line = trace; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
            const char *hit = strstr(line, types[t]);
            if (hit && hit < line + len)
                count++;
        }
        line += len + (end ? 1 : 0);
    }
    return count;
}

/* Count the SVG's <g> elements whose class is `cls` or starts "cls ". */
static int count_class(xmlNode *node, const char *cls)
{
    int count = 0;
    size_t len = strlen(cls);
    for (xmlNode *n = node; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        xmlChar *value = xmlGetProp(n, (const xmlChar *)"class");
        if (value && xmlStrcmp(n->name, (const xmlChar *)"g") == 0 &&
            strncmp((const char *)value, cls, len) == 0 &&
            (value[len] == '\0' || value[len] == ' '))
            count++;
        xmlFree(value);
        count += count_class(n->children, cls);
    }
    return count;
}

/* Parse an SVG file (failing the test unless well-formed) and count its
 * node and edge groups, and the edges of class "tree". */
static void svg_counts(const char *path, int *nodes, int *edges, int *tree)
{
    size_t len;
    char *text = file_read(path, &len);
    if (!text)
        fail_msg("%s was not written", path);
    xmlDoc *doc = xmlReadMemory(text, (int)len, path, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOERROR |
                                    XML_PARSE_NOWARNING);
    free(text);
    if (!doc)
        fail_msg("%s is not well-formed XML", path);
    xmlNode *root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "svg");
    if (nodes)
        *nodes = count_class(root, "node");
    if (edges)
        *edges = count_class(root, "edge");
    if (tree)
        *tree = count_class(root, "edge tree");
    xmlFreeDoc(doc);
}

static void run_ok(const char *const argv[])
{
    struct cli_output out;
    cli_run(&out, argv);
    if (out.status != 0)
        fail_msg("disco exited %d: %s", out.status, out.err);
    cli_output_release(&out);
}

/* ------------------------------------------------------------------------ */
/* The DOT of real runs, read back with cgraph.                              */

/* Echo on a 3x3 grid: every node and edge once, labels start with the id,
 * the initiator is outlined and decided, the tree edges are bold and point
 * at the parent (every node but the initiator has exactly one), and the
 * nodes sit on the grid. */
static void test_dot_echo_grid(void **state)
{
    char *dir = tmpdir_create();
    char *dot = path_in(dir, "g.dot");
    run_ok((const char *[]){NULL, "run", "echo", "--topology", "grid:3x3",
                            "--dot", dot, NULL});
    Agraph_t *g = read_dot(dot);
    assert_true(agisdirected(g));
    assert_string_equal(attr(g, "layout"), "nop");
    assert_int_equal(agnnodes(g), 9);
    assert_int_equal(edge_count(g), 12);

    for (unsigned i = 0; i < 9; i++) {
        Agnode_t *n = node_named(g, i);
        char prefix[16];
        snprintf(prefix, sizeof prefix, "%u\\n", i + 1);
        assert_true(strncmp(attr(n, "label"), prefix, strlen(prefix)) == 0);
        char pos[32];
        /* 1.8 by 1.1 inches apart, in points, row 0 on top. */
        snprintf(pos, sizeof pos, "%.1f,%.1f!", 129.6 * (i % 3),
                 -79.2 * (i / 3) + 0.0);
        assert_string_equal(attr(n, "pos"), pos);
        assert_string_equal(attr(n, "peripheries"), i == 0 ? "2" : "");
    }
    assert_string_equal(attr(node_named(g, 0), "label"), "1\\ndecided");
    assert_string_equal(attr(node_named(g, 0), "class"), "decided");
    assert_string_equal(attr(node_named(g, 0), "fillcolor"), "#b7e1b0");

    /* Grid edges, each once, from the smaller end. */
    for (unsigned u = 0; u < 9; u++) {
        if (u % 3 < 2)
            assert_non_null(edge_between(g, u, u + 1));
        if (u < 6)
            assert_non_null(edge_between(g, u, u + 3));
    }
    /* Tree edges: 8, and each non-root node has exactly one parent. */
    int parents[9] = {0};
    int bold = 0;
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n)) {
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e)) {
            const char *dir_attr = attr(e, "dir");
            if (strcmp(attr(e, "style"), "bold") != 0) {
                assert_string_equal(dir_attr, "none");
                continue;
            }
            bold++;
            assert_string_equal(attr(e, "class"), "tree");
            unsigned tail = (unsigned)atoi(agnameof(agtail(e)));
            unsigned head = (unsigned)atoi(agnameof(aghead(e)));
            if (strcmp(dir_attr, "forward") == 0)
                parents[tail]++;
            else if (strcmp(dir_attr, "back") == 0)
                parents[head]++;
            else
                fail_msg("tree edge %u-%u has no direction", tail, head);
        }
    }
    assert_int_equal(bold, 8);
    for (unsigned i = 0; i < 9; i++)
        assert_int_equal(parents[i], i == 0 ? 0 : 1);
    agclose(g);
    free(dot);
    tmpdir_remove(dir);
}

/* Chang-Roberts on a directed ring of 5: the channels as arrows i -> i+1,
 * exactly one leader (the largest id, node 4) filled gold, every node on
 * a circle with node 0 on top. */
static void test_dot_chang_roberts_ring(void **state)
{
    char *dir = tmpdir_create();
    char *dot = path_in(dir, "r.dot");
    run_ok((const char *[]){NULL, "run", "chang-roberts", "--topology",
                            "uring:5", "--dot", dot, NULL});
    Agraph_t *g = read_dot(dot);
    assert_int_equal(agnnodes(g), 5);
    assert_int_equal(edge_count(g), 5);
    for (unsigned i = 0; i < 5; i++) {
        Agedge_t *e = edge_between(g, i, (i + 1) % 5);
        assert_non_null(e);
        assert_string_equal(attr(e, "dir"), ""); /* the digraph's arrow */
    }
    int leaders = 0;
    for (unsigned i = 0; i < 5; i++) {
        Agnode_t *n = node_named(g, i);
        bool leader = strcmp(attr(n, "class"), "leader") == 0;
        leaders += leader;
        assert_int_equal(leader, i == 4);
        assert_string_equal(attr(n, "fillcolor"),
                            i == 4 ? "#f6c343" : "#b7e1b0");
        char label[32];
        snprintf(label, sizeof label,
                 i == 4 ? "5\\nleader" : "%u\\nfollower of 5", i + 1);
        assert_string_equal(attr(n, "label"), label);
        double x, y;
        assert_int_equal(sscanf(attr(n, "pos"), "%lf,%lf!", &x, &y), 2);
        /* Radius: 2 inches of circumference per node, at least 1.5. */
        double r = 72 * 5 * 2.0 / (2 * 3.14159265358979323846);
        assert_true(fabs(sqrt(x * x + y * y) - r) < 0.1);
    }
    assert_int_equal(leaders, 1);
    assert_string_equal(attr(node_named(g, 0), "pos"), "0.0,114.6!");
    agclose(g);
    free(dot);
    tmpdir_remove(dir);
}

/* Layouts Graphviz computes are pinned in the file too: every node of a
 * random graph has a position (so frames keep nodes in place and the file
 * draws the same with neato -n); a tree hangs from node 0, one row per
 * depth. */
static void test_dot_layouts(void **state)
{
    char *dir = tmpdir_create();
    char *dot = path_in(dir, "g.dot");
    run_ok((const char *[]){NULL, "run", "echo", "--topology", "gnp:12:0.4",
                            "--dot", dot, NULL});
    Agraph_t *g = read_dot(dot);
    assert_string_equal(attr(g, "layout"), "nop");
    for (unsigned i = 0; i < 12; i++) {
        double x, y;
        char bang;
        assert_int_equal(
            sscanf(attr(node_named(g, i), "pos"), "%lf,%lf%c", &x, &y, &bang),
            3);
        assert_int_equal(bang, '!');
    }
    agclose(g);

    run_ok((const char *[]){NULL, "run", "echo", "--topology", "btree:7",
                            "--dot", dot, NULL});
    g = read_dot(dot);
    assert_string_equal(attr(g, "layout"), "nop");
    double y[7];
    for (unsigned i = 0; i < 7; i++) {
        double x;
        assert_int_equal(
            sscanf(attr(node_named(g, i), "pos"), "%lf,%lf!", &x, &y[i]), 2);
    }
    assert_true(y[0] > y[1]);
    assert_true(y[1] == y[2]);
    assert_true(y[2] > y[3]);
    for (unsigned i = 4; i < 7; i++)
        assert_true(y[i] == y[3]);
    agclose(g);
    free(dot);
    tmpdir_remove(dir);
}

/* ------------------------------------------------------------------------ */
/* Roles the CLI runs above do not show: an algorithm made for the test,    */
/* run on the kernel with a recorder, and its DOT read back.                */

struct fake_state {
    uint32_t parent;
    bool leader;
};

static uint32_t fake_parent(const void *state)
{
    return ((const struct fake_state *)state)->parent;
}

static bool fake_leader(const void *state)
{
    return ((const struct fake_state *)state)->leader;
}

/* Edge u-(u+1) points towards u (seen from u: -1), edge 0-5 away from 0. */
static int fake_orientation(const struct disco_view *view, uint32_t node,
                            uint32_t port)
{
    uint32_t v = disco_view_neighbour(view, node, port);
    int from_smaller = (v == node + 1 || node == v + 1) ? -1 : +1;
    return node < v ? from_smaller : -from_smaller;
}

static void fake_format(const void *state, char *buf, size_t len)
{
    const struct fake_state *s = state;
    if (s->parent == DISCO_NO_PORT)
        snprintf(buf, len, "%s \"r\" \\", /* quotes, a backslash */
                 s->leader ? "lead" : "root");
    else
        snprintf(buf, len, "parent port %u", (unsigned)s->parent);
}

static void fake_init(struct disco_ctx *ctx, void *state)
{
    struct fake_state *s = state;
    uint32_t self = disco_self(ctx);
    s->leader = self == 0;
    s->parent = self == 0 ? DISCO_NO_PORT : 0; /* port 0: the smaller end */
    if (self == 0)
        disco_set_timer(ctx, 10, 1); /* keeps the run alive past t=5 */
    if (self == 5)
        disco_decide(ctx, 7);
}

static void fake_message(struct disco_ctx *ctx, void *state, uint32_t port,
                         unsigned kind, const void *payload, size_t len)
{
}

static void fake_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct fake_state *s = state;
    s->leader = false; /* a state change at t=10: one more frame */
}

static const char *const fake_kinds[] = {"none"};

static const struct disco_algorithm fake = {
    .name = "fake",
    .family = "test",
    .summary = "roles for pictures",
    .model = {.shape = DISCO_SHAPE_ANY,
              .undirected = true,
              .timing = DISCO_ASYNC,
              .topology = "ring:6",
              .initiators = "all",
              .faults = "any"},
    .message_kinds = fake_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct fake_state),
    .init = fake_init,
    .on_message = fake_message,
    .on_timer = fake_timer,
    .format_state = fake_format,
    .parent_port = fake_parent,
    .is_leader = fake_leader,
    .orientation = fake_orientation,
};

struct fake_run {
    struct disco_topology topo;
    struct disco_config cfg;
    struct disco_sim *sim;
    struct viz_recorder rec;
};

/* Ring of 6 with random weights; initiators 0 and 2; node 3 crashes at
 * t=0; link 1-2 is cut for good (its repair would come after the end),
 * link 4-5 only until t=5. */
static void fake_start(struct fake_run *run, const char *frames_dir)
{
    struct disco_error err = {0};
    memset(run, 0, sizeof *run);
    assert_int_equal(disco_topology_generate(&run->topo, "ring:6", 1, &err), 0);
    assert_int_equal(disco_topology_random_weights(&run->topo, 1, &err), 0);
    disco_config_init(&run->cfg, &fake);
    sim_config_initiators(&run->cfg, "0,2", 6);
    sim_config_fault(&run->cfg, DISCO_FAULT_CRASH, 3, 0, 6);
    sim_config_faults(&run->cfg, DISCO_FAULT_LINK_DOWN,
                      "1-2@1:100000,4-5@1:5", 6);
    assert_int_equal(
        disco_sim_create(&run->sim, &fake, &run->topo, &run->cfg, &err), 0);
    assert_int_equal(viz_recorder_init(&run->rec, run->sim, &fake, &run->topo,
                                       &run->cfg, &err),
                     0);
    run->rec.frames_dir = frames_dir;
    struct disco_observer obs;
    viz_recorder_observer(&run->rec, &obs);
    assert_int_equal(disco_sim_observe(run->sim, &obs, &err), 0);
    if (disco_sim_run(run->sim, &err))
        fail_msg("run: %s", err.message);
}

static void fake_stop(struct fake_run *run)
{
    viz_recorder_release(&run->rec);
    disco_sim_free(run->sim);
    disco_config_release(&run->cfg);
    disco_topology_release(&run->topo);
}

static void test_dot_roles(void **state)
{
    struct fake_run run;
    fake_start(&run, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    struct disco_error err = {0};
    assert_int_equal(viz_write_dot(&run.rec, out, &err), 0);
    fclose(out);
    Agraph_t *g = agmemread(text);
    assert_non_null(g);
    if (getenv("DEBUG_VIZ")) {
        fputs(text, stderr);
        for (size_t i = 0; i < run.rec.event_count; i++)
            fprintf(stderr, "ev %d t=%llu node %u peer %u\n",
                    run.rec.events[i].type,
                    (unsigned long long)run.rec.events[i].time,
                    run.rec.events[i].node, run.rec.events[i].peer);
    }
    const struct disco_view *view = disco_sim_view(run.sim);

    assert_int_equal(agnnodes(g), 6);
    assert_int_equal(edge_count(g), 6);
    /* The timer fired at t=10, after which node 0 no longer leads. */
    assert_string_equal(attr(g, "label"), "fake on ring:6, t=10");
    /* Roles. */
    assert_string_equal(attr(node_named(g, 0), "class"), "");
    assert_string_equal(attr(node_named(g, 0), "peripheries"), "2");
    assert_string_equal(attr(node_named(g, 2), "peripheries"), "2");
    assert_string_equal(attr(node_named(g, 1), "peripheries"), "");
    assert_string_equal(attr(node_named(g, 3), "class"), "crashed");
    assert_string_equal(attr(node_named(g, 3), "fillcolor"), "#d0d0d0");
    assert_string_equal(attr(node_named(g, 3), "style"),
                        "rounded,filled,dashed");
    assert_string_equal(attr(node_named(g, 5), "class"), "decided");
    assert_string_equal(attr(node_named(g, 1), "label"), "2\\nparent port 0");
    /* Quotes and backslashes in a state text survive the round trip. */
    assert_string_equal(attr(node_named(g, 0), "label"), "1\\nroot \"r\" \\\\");

    /* Edges: orientation, the tree, cuts, weights. */
    static const unsigned pairs[6][2] = {{0, 1}, {1, 2}, {2, 3},
                                         {3, 4}, {4, 5}, {0, 5}};
    for (int i = 0; i < 6; i++) {
        unsigned u = pairs[i][0], v = pairs[i][1];
        Agedge_t *e = edge_between(g, u, v);
        assert_non_null(e);
        assert_null(edge_between(g, v, u)); /* drawn once */
        assert_string_equal(attr(e, "dir"), v == u + 1 ? "back" : "forward");
        /* Parents: port 0 leads to the smaller neighbour, so every node
         * hangs from the one before it but node 5, from 0: every edge but
         * 4-5 is a tree edge. */
        bool tree = !(u == 4 && v == 5);
        bool cut = u == 1 && v == 2;
        const char *style = tree && cut ? "bold,dashed"
                            : tree      ? "bold"
                            : cut       ? "dashed"
                                        : "";
        assert_string_equal(attr(e, "style"), style);
        assert_string_equal(attr(e, "class"), tree && cut ? "tree cut"
                                              : tree      ? "tree"
                                              : cut       ? "cut"
                                                          : "");
        assert_string_equal(attr(e, "color"), cut ? "#c03030" : "#404040");
        uint32_t port = 0;
        while (disco_view_neighbour(view, u, port) != v)
            port++;
        char weight[32];
        snprintf(weight, sizeof weight, "%lld",
                 (long long)disco_view_weight(view, u, port));
        assert_string_equal(attr(e, "label"), weight);
    }
    agclose(g);
    free(text);
    fake_stop(&run);
}

/* Leaders in gold and trees in bold for the modules that had neither
 * callback: one leader each (GHS's core node with the larger id, bully's
 * coordinator, peterson's last active process, the winner of
 * echo-extinction), and N-1 tree edges for GHS (its minimum spanning
 * tree, branches towards the core) and echo-extinction (the winning
 * wave's fathers). */
static void test_leaders_and_trees_drawn(void **state)
{
    (void)state;
    static const struct {
        const char *target, *topology;
        int tree_edges;
    } cases[] = {
        {"ghs-eight.dot", NULL, 7},
        {"bully", NULL, 0},
        {"peterson", NULL, 0},
        {"echo-extinction", "petersen", 9},
    };
    char *dir = tmpdir_create();
    char *dot = path_in(dir, "roles.dot");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *target = strstr(cases[i].target, ".dot")
                                 ? env_path("DISCO_SCENARIOS",
                                            cases[i].target)
                                 : cases[i].target;
        struct cli_output o;
        const char *argv_plain[] = {NULL, "run", target, "--dot", dot, NULL};
        const char *argv_topo[] = {NULL, "run", target, "--topology",
                                   cases[i].topology, "--dot", dot, NULL};
        cli_run(&o, cases[i].topology ? argv_topo : argv_plain);
        assert_int_equal(o.status, 0);
        cli_output_release(&o);
        char *text = file_read(dot, NULL);
        assert_non_null(text);
        if (count_substring(text, "class=leader") != 1)
            fail_msg("%s: %d leaders drawn", cases[i].target,
                     count_substring(text, "class=leader"));
        assert_int_equal(count_substring(text, "class=\"tree\""),
                         cases[i].tree_edges);
        free(text);
    }
    free(dot);
    tmpdir_remove(dir);
}

/* One frame per state, decide, crash and link event: the recorder's own
 * count of those events, numbered from 1 without gaps, each an SVG. */
static void test_frames_fake(void **state)
{
    char *dir = tmpdir_create();
    struct fake_run run;
    fake_start(&run, dir);
    assert_int_equal(run.rec.frames_error, 0);
    uint64_t expected = 0;
    for (size_t i = 0; i < run.rec.event_count; i++) {
        enum disco_event_type t = run.rec.events[i].type;
        expected += t == DISCO_EV_STATE || t == DISCO_EV_DECIDE ||
                    t == DISCO_EV_CRASH || t == DISCO_EV_RECOVER ||
                    t == DISCO_EV_LINK_DOWN || t == DISCO_EV_LINK_UP;
    }
    /* One state event in init (only node 0's text differs from the zeroed
     * state's), node 5's decision, the crash, two cuts, one repair, the
     * timer's state change. */
    assert_int_equal(expected, 1 + 1 + 1 + 2 + 1 + 1);
    assert_int_equal(run.rec.frame_count, expected);
    assert_int_equal(dir_entry_count(dir), (int)expected);
    for (uint64_t i = 1; i <= expected; i++) {
        char name[32];
        snprintf(name, sizeof name, "frame-%06llu.svg", (unsigned long long)i);
        char *path = path_in(dir, name);
        int nodes, edges;
        svg_counts(path, &nodes, &edges, NULL);
        assert_int_equal(nodes, 6);
        assert_int_equal(edges, 6);
        free(path);
    }
    fake_stop(&run);
    tmpdir_remove(dir);
}

/* Ping-pong on two nodes: every delivery changes the receiver's text, so
 * the run has more picture-changing events than the frames cap. */
struct pingpong_state {
    uint32_t count;
};

static void pingpong_format(const void *state, char *buf, size_t len)
{
    snprintf(buf, len, "n=%u",
             (unsigned)((const struct pingpong_state *)state)->count);
}

static void pingpong_init(struct disco_ctx *ctx, void *state)
{
    if (disco_self(ctx) == 0)
        disco_send(ctx, 0, 0, NULL, 0);
}

static void pingpong_message(struct disco_ctx *ctx, void *state, uint32_t port,
                             unsigned kind, const void *payload, size_t len)
{
    struct pingpong_state *s = state;
    if (++s->count < 600)
        disco_send(ctx, port, 0, NULL, 0);
}

static const struct disco_algorithm pingpong = {
    .name = "pingpong",
    .family = "test",
    .summary = "many frames",
    .model = {.shape = DISCO_SHAPE_ANY,
              .undirected = true,
              .timing = DISCO_ASYNC,
              .topology = "line:2",
              .initiators = "all",
              .faults = "none"},
    .message_kinds = fake_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct pingpong_state),
    .init = pingpong_init,
    .on_message = pingpong_message,
    .format_state = pingpong_format,
};

/* At most 1000 frames: the first 1000 picture-changing events.  Here
 * there are 1199, one per delivery (node 1 gets 600, node 0 599): after the
 * 1000th, both nodes read n=500. */
static void test_frames_cap(void **state)
{
    char *dir = tmpdir_create();
    struct disco_error err = {0};
    struct disco_topology topo;
    struct disco_config cfg;
    struct disco_sim *sim;
    struct viz_recorder rec;
    assert_int_equal(disco_topology_generate(&topo, "line:2", 1, &err), 0);
    disco_config_init(&cfg, &pingpong);
    assert_int_equal(disco_sim_create(&sim, &pingpong, &topo, &cfg, &err), 0);
    assert_int_equal(viz_recorder_init(&rec, sim, &pingpong, &topo, &cfg, &err),
                     0);
    rec.frames_dir = dir;
    struct disco_observer obs;
    viz_recorder_observer(&rec, &obs);
    assert_int_equal(disco_sim_observe(sim, &obs, &err), 0);
    assert_int_equal(disco_sim_run(sim, &err), 0);
    uint64_t states = 0;
    for (size_t i = 0; i < rec.event_count; i++)
        states += rec.events[i].type == DISCO_EV_STATE;
    assert_int_equal(states, 1199);
    assert_int_equal(rec.frames_error, 0);
    assert_int_equal(rec.frame_count, 1000);
    assert_int_equal(dir_entry_count(dir), 1000);
    char *last = path_in(dir, "frame-001000.svg");
    char *text = file_read(last, NULL);
    assert_non_null(text);
    const char *first = strstr(text, "n=500");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "n=500"));
    assert_null(strstr(text, "n=501"));
    free(text);
    free(last);
    viz_recorder_release(&rec);
    disco_sim_free(sim);
    disco_config_release(&cfg);
    disco_topology_release(&topo);
    tmpdir_remove(dir);
}

/* ------------------------------------------------------------------------ */
/* SVG and PNG through the command line.                                     */

static const unsigned char png_signature[8] = {0x89, 'P',  'N',  'G',
                                               '\r', '\n', 0x1a, '\n'};

static void test_svg_png(void **state)
{
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "x.svg"), *png = path_in(dir, "x.png");
    run_ok((const char *[]){NULL, "run", "echo", "--topology", "grid:3x3",
                            "--svg", svg, "--png", png, NULL});
    int nodes, edges, tree;
    svg_counts(svg, &nodes, &edges, &tree);
    assert_int_equal(nodes, 9);
    assert_int_equal(edges, 12);
    assert_int_equal(tree, 8);
    size_t len;
    char *bytes = file_read(png, &len);
    assert_non_null(bytes);
    assert_true(len > sizeof png_signature);
    assert_memory_equal(bytes, png_signature, sizeof png_signature);
    free(bytes);
    assert_int_equal(dir_entry_count(dir), 2); /* no temporary left */
    free(svg);
    free(png);
    tmpdir_remove(dir);
}

/* Same seed, same bytes: SVG, PNG, DOT and every frame, on a layout gvc
 * computes itself (neato on a random graph) as well as a pinned one. */
static void test_same_seed_same_bytes(void **state)
{
    static const char *const specs[] = {"gnp:12:0.4", "uring:6"};
    static const char *const algs[] = {"echo", "chang-roberts"};
    for (int k = 0; k < 2; k++) {
        char *dirs[2];
        for (int i = 0; i < 2; i++) {
            dirs[i] = tmpdir_create();
            char *svg = path_in(dirs[i], "x.svg"),
                 *png = path_in(dirs[i], "x.png"),
                 *dot = path_in(dirs[i], "x.dot"),
                 *frames = path_in(dirs[i], "frames");
            run_ok((const char *[]){NULL, "run", algs[k], "--topology",
                                    specs[k], "--seed", "5", "--svg", svg,
                                    "--png", png, "--dot", dot, "--frames",
                                    frames, NULL});
            free(svg), free(png), free(dot), free(frames);
        }
        static const char *const files[] = {"x.svg", "x.png", "x.dot",
                                            "frames/frame-000001.svg",
                                            "frames/frame-000002.svg"};
        for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
            char *a = path_in(dirs[0], files[f]),
                 *b = path_in(dirs[1], files[f]);
            size_t la, lb;
            char *ta = file_read(a, &la), *tb = file_read(b, &lb);
            if (!ta || !tb)
                fail_msg("%s missing", files[f]);
            assert_int_equal(la, lb);
            assert_memory_equal(ta, tb, la);
            free(ta), free(tb), free(a), free(b);
        }
        char *fa = path_in(dirs[0], "frames"), *fb = path_in(dirs[1], "frames");
        assert_int_equal(dir_entry_count(fa), dir_entry_count(fb));
        free(fa), free(fb);
        tmpdir_remove(dirs[0]);
        tmpdir_remove(dirs[1]);
    }
}

/* --frames through the command line: as many frames as the trace has
 * picture-changing events (chang-roberts on uring:5: 10 states and 5
 * decisions). */
static void test_frames_cli(void **state)
{
    char *dir = tmpdir_create();
    char *frames = path_in(dir, "frames"), *trace = path_in(dir, "t.jsonl");
    run_ok((const char *[]){NULL, "run", "chang-roberts", "--topology",
                            "uring:5", "--frames", frames, "--trace", trace,
                            NULL});
    char *text = file_read(trace, NULL);
    assert_non_null(text);
    assert_int_equal(picture_events(text), 15);
    free(text);
    assert_int_equal(dir_entry_count(frames), 15);
    char *last = path_in(frames, "frame-000015.svg");
    int nodes, edges;
    svg_counts(last, &nodes, &edges, NULL);
    assert_int_equal(nodes, 5);
    assert_int_equal(edges, 5);
    free(last);
    assert_int_equal(dir_entry_count(dir), 2); /* frames and the trace */
    /* The same --frames again, as a rerun of a lesson's command: the new
     * frames (uring:3: 6 states and 3 decisions) replace the former run's,
     * and nothing is left beside them. */
    run_ok((const char *[]){NULL, "run", "chang-roberts", "--topology",
                            "uring:3", "--frames", frames, NULL});
    assert_int_equal(dir_entry_count(frames), 9);
    char *stale = path_in(frames, "frame-000010.svg");
    assert_null(file_read(stale, NULL));
    free(stale);
    assert_int_equal(dir_entry_count(dir), 2);
    free(frames), free(trace);
    tmpdir_remove(dir);
}

/* A bad path: exit 2, one line naming it, nothing left anywhere. */
static void test_bad_paths(void **state)
{
    static const char *const options[] = {"--dot", "--svg", "--png",
                                          "--frames"};
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        char *dir = tmpdir_create();
        char *bad = path_in(dir, "missing/x");
        struct cli_output out;
        cli_run(&out, (const char *[]){NULL, "run", "echo", "--topology",
                                       "ring:4", options[i], bad, NULL});
        assert_usage_error(&out, "missing/x");
        assert_int_equal(dir_entry_count(dir), 0);
        cli_output_release(&out);
        free(bad);
        tmpdir_remove(dir);
    }
    /* Frames into a directory that holds something else, even a name close
     * to a frame's, beside a real frame: refused before the run, the
     * directory untouched and no temporary left beside it (a replacement
     * would have deleted the user's file). */
    static const char *const others[] = {
        "keep", "frame-1.svg", "frame-000001.png", "frame-000001.svg~",
        "frame-00000x.svg", "Frame-000001.svg"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char *dir = tmpdir_create();
        char *full = path_in(dir, "full");
        char cmd[4096];
        snprintf(cmd, sizeof cmd,
                 "mkdir '%s' && touch '%s/%s' '%s/frame-000001.svg'", full,
                 full, others[i], full);
        assert_int_equal(system(cmd), 0);
        struct cli_output out;
        cli_run(&out, (const char *[]){NULL, "run", "echo", "--topology",
                                       "ring:4", "--frames", full, NULL});
        assert_usage_error(&out, "holds files other than frames");
        assert_non_null(strstr(out.err, full));
        assert_int_equal(dir_entry_count(dir), 1);
        assert_int_equal(dir_entry_count(full), 2);
        char *kept = path_in(full, others[i]);
        assert_int_equal(access(kept, F_OK), 0);
        free(kept);
        cli_output_release(&out);
        free(full);
        tmpdir_remove(dir);
    }
}

/* A --frames that is refused takes every other output with it: the
 * pictures, the trace, the summary and the --out folder are not left
 * behind by a run that exits 2 (before, the pictures were committed first
 * and stayed).  A regular file as --frames is refused the same way. */
static void test_refused_frames_leave_nothing(void **state)
{
    static const char *const sets[][6] = {
        {"--svg", "g.svg", "--dot", "g.dot", "--spacetime", "s.svg"},
        {"--html", "p.html", "--shiviz", "s.shiviz", "--png", "g.png"},
    };
    static const char *const targets[] = {"other", "afile"};
    for (size_t t = 0; t < 2; t++) {
        for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
            char *dir = tmpdir_create();
            char *other = path_in(dir, "other");
            char *notes = path_in(other, "notes.txt");
            char *afile = path_in(dir, "afile");
            char cmd[4096];
            snprintf(cmd, sizeof cmd, "mkdir '%s' && echo hi > '%s' && "
                     "echo hi > '%s'", other, notes, afile);
            assert_int_equal(system(cmd), 0);
            char *frames = path_in(dir, targets[t]);
            char *paths[3], *trace = path_in(dir, "t.jsonl");
            char *out = path_in(dir, "out");
            for (int i = 0; i < 3; i++)
                paths[i] = path_in(dir, sets[k][2 * i + 1]);
            struct cli_output o;
            cli_run(&o, (const char *[]){
                            NULL, "run", "echo", "--topology", "grid:3x3",
                            "--trace", trace, sets[k][0], paths[0],
                            sets[k][2], paths[1], sets[k][4], paths[2],
                            "--frames", frames, NULL});
            assert_usage_error(&o, frames);
            assert_non_null(strstr(o.err, t == 0 ? "holds files other than "
                                                   "frames"
                                                 : "Not a directory"));
            /* other/ and afile only, other/ as it was. */
            assert_int_equal(dir_entry_count(dir), 2);
            assert_int_equal(dir_entry_count(other), 1);
            cli_output_release(&o);
            /* Under --out, whose folder goes too. */
            cli_run(&o, (const char *[]){
                            NULL, "run", "echo", "--topology", "grid:3x3",
                            "--out", out, sets[k][0], sets[k][1],
                            sets[k][2], sets[k][3], sets[k][4], sets[k][5],
                            "--frames", frames, NULL});
            assert_usage_error(&o, frames);
            assert_int_equal(dir_entry_count(dir), 2);
            assert_int_equal(dir_entry_count(other), 1);
            cli_output_release(&o);
            for (int i = 0; i < 3; i++)
                free(paths[i]);
            free(trace), free(out), free(frames), free(afile), free(notes);
            free(other);
            tmpdir_remove(dir);
        }
    }
    /* A directory where a picture file should go is refused before the
     * run too, not after the pictures before it were renamed into place. */
    char *dir = tmpdir_create();
    char *sub = path_in(dir, "sub"), *dot = path_in(dir, "g.dot");
    char *trace = path_in(dir, "t.jsonl");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "mkdir '%s'", sub);
    assert_int_equal(system(cmd), 0);
    struct cli_output o;
    cli_run(&o, (const char *[]){NULL, "run", "echo", "--topology", "ring:4",
                                 "--trace", trace, "--dot", dot, "--svg", sub,
                                 NULL});
    assert_usage_error(&o, "Is a directory");
    assert_int_equal(dir_entry_count(dir), 1);
    assert_int_equal(dir_entry_count(sub), 0);
    cli_output_release(&o);
    free(sub), free(dot), free(trace);
    tmpdir_remove(dir);
}

/* The names --frames may replace are exactly those the frames get. */
static void test_frame_names(void **state)
{
    assert_true(viz_is_frame_name("frame-000001.svg"));
    assert_true(viz_is_frame_name("frame-1234567.svg"));
    static const char *const others[] = {
        "frame-1.svg", "frame-00001.svg", "frame-000001.png",
        "frame-000001.svg~", "frame-00000x.svg", "Frame-000001.svg",
        "frame-.svg", "x-frame-000001.svg", ".frame-000001.svg", ""};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++)
        if (viz_is_frame_name(others[i]))
            fail_msg("'%s' taken for a frame", others[i]);
}

/* Graphviz 2.42 and the font libraries under it leak small caches (font
 * maps, neato's mode strings) that nothing can free: sanitizer builds
 * would fail every run that draws.  These suppress only stacks inside
 * those libraries; a leak of ours has no such frame and still fails. */
#define GRAPHVIZ_LEAKS                                                         \
    "leak:libgvplugin_pango.so\n"                                              \
    "leak:libgvplugin_neato_layout.so\n"                                       \
    "leak:libgvplugin_dot_layout.so\n"                                         \
    "leak:libgvplugin_core.so\n"                                               \
    "leak:libfontconfig.so\n"                                                  \
    "leak:libpango\n"                                                          \
    "leak:libcairo.so\n"                                                       \
    "leak:libgvc.so\n"

/* This process (LeakSanitizer asks for it when present). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return GRAPHVIZ_LEAKS;
}

/* The disco processes the tests start: a suppressions file. */
static char suppressions[64];

static void suppress_graphviz_leaks(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(suppressions, sizeof suppressions, "%s/lsan-XXXXXX",
             tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    int fd = mkstemp(suppressions);
    if (fd < 0) {
        suppressions[0] = '\0';
        return;
    }
    FILE *f = fdopen(fd, "w");
    if (!f || fputs(GRAPHVIZ_LEAKS, f) < 0) {
        if (f)
            fclose(f);
        else
            close(fd);
        unlink(suppressions);
        suppressions[0] = '\0';
        return;
    }
    fclose(f);
    char options[512];
    const char *given = getenv("LSAN_OPTIONS");
    snprintf(options, sizeof options,
             "%s%ssuppressions=%s:print_suppressions=0", given ? given : "",
             given && *given ? ":" : "", suppressions);
    setenv("LSAN_OPTIONS", options, 1);
}

/* Nodes that declared themselves active are drawn so: a diffusing
 * computation has active nodes in its frames, none in the final picture
 * (the run ends with every node passive). */
static void test_active_nodes(void **unused)
{
    char *dir = tmpdir_create();
    char frames[4096], svg[4096];
    snprintf(frames, sizeof frames, "%s/frames", dir);
    snprintf(svg, sizeof svg, "%s/final.svg", dir);
    const char *const argv[] = {NULL, "run", "dijkstra-scholten", "--frames",
                                frames, "--svg", svg, NULL};
    struct cli_output out;
    cli_run(&out, argv);
    assert_int_equal(out.status, 0);
    cli_output_release(&out);
    int frame_count = dir_entry_count(frames), with_active = 0;
    assert_true(frame_count > 10);
    for (int k = 1; k <= frame_count; k++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/frame-%06d.svg", frames, k);
        char *bytes = file_read(path, NULL);
        assert_non_null(bytes);
        with_active += strstr(bytes, "class=\"node active") != NULL;
        free(bytes);
    }
    assert_true(with_active > 0 && with_active < frame_count);
    char *final = file_read(svg, NULL);
    assert_non_null(final);
    assert_null(strstr(final, "class=\"node active"));
    free(final);
    tmpdir_remove(dir);
}

int main(void)
{
    suppress_graphviz_leaks();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dot_echo_grid),
        cmocka_unit_test(test_dot_chang_roberts_ring),
        cmocka_unit_test(test_dot_layouts),
        cmocka_unit_test(test_dot_roles),
        cmocka_unit_test(test_leaders_and_trees_drawn),
        cmocka_unit_test(test_frames_fake),
        cmocka_unit_test(test_frames_cap),
        cmocka_unit_test(test_svg_png),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_frames_cli),
        cmocka_unit_test(test_bad_paths),
        cmocka_unit_test(test_refused_frames_leave_nothing),
        cmocka_unit_test(test_frame_names),
        cmocka_unit_test(test_active_nodes),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (suppressions[0])
        unlink(suppressions);
    return failed;
}
