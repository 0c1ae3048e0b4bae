/* test_scenario.c - the DOT scenario loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "disco_sim.h"
#include "registry.h"
#include "scenario.h"
#include "support.h"

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                 */

static char *data_path(const char *name)
{
    char *path = strdup(env_path("DISCO_DATA", name));
    assert_non_null(path);
    return path;
}

static void load_ok(struct disco_scenario *sc, const char *path)
{
    struct disco_error err = {0};
    int rc = disco_scenario_load(sc, path, &err);
    if (rc)
        fail_msg("loading '%s': %d %s", path, rc, err.message);
}

static void load_text_ok(struct disco_scenario *sc, const char *text)
{
    struct disco_error err = {0};
    int rc = disco_scenario_load_text(sc, text, "t.dot", &err);
    if (rc)
        fail_msg("loading '%s': %d %s", text, rc, err.message);
}

/* After a failed load the scenario holds nothing. */
static void assert_empty(const struct disco_scenario *sc)
{
    assert_int_equal(sc->topo.nodes, 0);
    assert_null(sc->topo.out_offset);
    assert_null(sc->topo.names);
    assert_null(sc->options);
    assert_int_equal(sc->option_count, 0);
    assert_null(sc->ids);
    assert_null(sc->initiators);
    assert_null(sc->faults);
    assert_null(sc->inputs);
    assert_null(sc->channel.delay);
    assert_null(sc->channel.loss);
    assert_null(sc->channel.fifo);
}

static uint32_t channel(const struct disco_scenario *sc, uint32_t u, uint32_t v)
{
    uint32_t c = disco_topology_find(&sc->topo, u, v);
    if (c == UINT32_MAX)
        fail_msg("no channel %u -> %u", u, v);
    return c;
}

static void assert_fault(const struct disco_fault *f,
                         enum disco_fault_kind kind, uint32_t node,
                         uint32_t peer, disco_time_t time)
{
    assert_int_equal(f->kind, kind);
    assert_int_equal(f->node, node);
    assert_int_equal(f->peer, peer);
    assert_int_equal(f->time, time);
}

static void assert_input(const struct disco_input_value *in, uint32_t node,
                         const char *name, int64_t value)
{
    assert_int_equal(in->node, node);
    assert_string_equal(in->name, name);
    assert_int_equal(in->value, value);
}

/* Capture what is written to file descriptor 2 between begin and end. */
struct stderr_capture {
    int saved;
    FILE *file;
};

static void stderr_begin(struct stderr_capture *cap)
{
    fflush(stderr);
    cap->file = tmpfile();
    assert_non_null(cap->file);
    cap->saved = dup(2);
    assert_true(cap->saved >= 0);
    assert_true(dup2(fileno(cap->file), 2) >= 0);
}

static long stderr_end(struct stderr_capture *cap, char *text, size_t len)
{
    fflush(stderr);
    assert_true(dup2(cap->saved, 2) >= 0);
    close(cap->saved);
    fseek(cap->file, 0, SEEK_END);
    long size = ftell(cap->file);
    rewind(cap->file);
    size_t got = fread(text, 1, len - 1, cap->file);
    text[got] = '\0';
    fclose(cap->file);
    return size;
}

/* ------------------------------------------------------------------------ */
/* A scenario with every kind of attribute.                                 */

static void test_ring4_topology(void **state)
{
    (void)state;
    char *path = data_path("ring4.dot");
    struct disco_scenario sc;
    load_ok(&sc, path);
    const struct disco_topology *t = &sc.topo;

    assert_int_equal(t->nodes, 4);
    assert_int_equal(t->channels, 4);
    assert_true(t->directed);
    assert_string_equal(t->spec, path);
    /* Node order is the order of first appearance: d, a, b, c. */
    assert_non_null(t->names);
    assert_string_equal(t->names[0], "d");
    assert_string_equal(t->names[1], "a");
    assert_string_equal(t->names[2], "b");
    assert_string_equal(t->names[3], "c");
    for (uint32_t v = 0; v < 4; v++) {
        assert_int_equal(disco_topology_degree(t, v), 1);
        assert_int_equal(t->in_degree[v], 1);
    }
    /* d->a weighs 3, c->d 4, the others the default 1. */
    assert_non_null(t->weight);
    assert_int_equal(t->weight[channel(&sc, 0, 1)], 3);
    assert_int_equal(t->weight[channel(&sc, 1, 2)], 1);
    assert_int_equal(t->weight[channel(&sc, 2, 3)], 1);
    assert_int_equal(t->weight[channel(&sc, 3, 0)], 4);
    assert_true(disco_topology_connected(t));

    disco_scenario_release(&sc);
    assert_empty(&sc);
    free(path);
}

static void test_ring4_options(void **state)
{
    (void)state;
    char *path = data_path("ring4.dot");
    struct disco_scenario sc;
    load_ok(&sc, path);

    /* Sorted by name; Graphviz's own (label, rankdir) are not options. */
    static const char *const expected[][2] = {
        {"algorithm", "chang-roberts"},
        {"delay", "uniform:2:9"},
        {"dup", "0.125"},
        {"fifo", "false"},
        {"loss", "0.25"},
        {"max_events", "5000"},
        {"max_time", "900"},
        {"param_colours", "3"},
        {"seed", "42"},
        {"sync", "false"},
    };
    assert_int_equal(sc.option_count, 10);
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(sc.options[i].name, expected[i][0]);
        assert_string_equal(sc.options[i].value, expected[i][1]);
        assert_string_equal(disco_scenario_option(&sc, expected[i][0]),
                            expected[i][1]);
    }
    assert_null(disco_scenario_option(&sc, "label"));
    assert_null(disco_scenario_option(&sc, "rankdir"));
    assert_null(disco_scenario_option(&sc, "ids"));

    disco_scenario_release(&sc);
    free(path);
}

static void test_ring4_nodes(void **state)
{
    (void)state;
    char *path = data_path("ring4.dot");
    struct disco_scenario sc;
    load_ok(&sc, path);

    assert_non_null(sc.ids);
    int64_t ids[] = {9, 4, 2, 6};
    assert_memory_equal(sc.ids, ids, sizeof ids);

    assert_non_null(sc.initiators);
    unsigned char initiators[] = {1, 0, 0, 0};
    assert_memory_equal(sc.initiators, initiators, 4);

    /* a crashes at 30 and recovers at 60 and 90; b->c is down 10..20. */
    assert_int_equal(sc.fault_count, 5);
    assert_fault(&sc.faults[0], DISCO_FAULT_CRASH, 1, 1, 30);
    assert_fault(&sc.faults[1], DISCO_FAULT_RECOVER, 1, 1, 60);
    assert_fault(&sc.faults[2], DISCO_FAULT_RECOVER, 1, 1, 90);
    assert_fault(&sc.faults[3], DISCO_FAULT_LINK_DOWN, 2, 3, 10);
    assert_fault(&sc.faults[4], DISCO_FAULT_LINK_UP, 2, 3, 20);

    /* Inputs node by node; width (Graphviz's) and label are not inputs. */
    assert_int_equal(sc.input_count, 3);
    assert_input(&sc.inputs[0], 0, "value", 7);
    assert_input(&sc.inputs[1], 2, "balance", -5);
    assert_input(&sc.inputs[2], 2, "value", 1);

    disco_scenario_release(&sc);
    free(path);
}

static void test_ring4_channels(void **state)
{
    (void)state;
    char *path = data_path("ring4.dot");
    struct disco_scenario sc;
    load_ok(&sc, path);
    const struct disco_channel_overrides *o = &sc.channel;
    uint32_t da = channel(&sc, 0, 1), ab = channel(&sc, 1, 2),
             bc = channel(&sc, 2, 3), cd = channel(&sc, 3, 0);

    assert_non_null(o->delay);
    assert_non_null(o->use_delay);
    assert_int_equal(o->use_delay[da], 1);
    assert_int_equal(o->delay[da].kind, DISCO_DELAY_CONST);
    assert_int_equal(o->delay[da].a, 5);
    assert_int_equal(o->delay[da].b, 5);
    assert_int_equal(o->use_delay[ab], 1);
    assert_int_equal(o->delay[ab].kind, DISCO_DELAY_EXP);
    assert_true(o->delay[ab].mean == 2.5);
    assert_int_equal(o->use_delay[bc], 0);
    assert_int_equal(o->use_delay[cd], 0);

    assert_non_null(o->loss);
    assert_true(o->loss[ab] == 0.5);
    assert_true(o->loss[da] < 0);
    assert_true(o->loss[bc] < 0);
    assert_true(o->loss[cd] < 0);

    assert_non_null(o->fifo);
    assert_int_equal(o->fifo[ab], 1);
    assert_int_equal(o->fifo[da], -1);
    assert_int_equal(o->fifo[bc], -1);
    assert_int_equal(o->fifo[cd], -1);

    disco_scenario_release(&sc);
    free(path);
}

/* ------------------------------------------------------------------------ */
/* Undirected graphs, clusters, defaults.                                   */

static void test_triangle_undirected(void **state)
{
    (void)state;
    char *path = data_path("triangle.dot");
    struct disco_scenario sc;
    load_ok(&sc, path);
    const struct disco_topology *t = &sc.topo;

    assert_int_equal(t->nodes, 3);
    assert_int_equal(t->channels, 6);
    assert_false(t->directed);
    assert_string_equal(t->names[0], "x");
    assert_string_equal(t->names[1], "y");
    assert_string_equal(t->names[2], "z");

    /* `seed` is set on the cluster only: not the graph's. */
    assert_int_equal(sc.option_count, 0);
    assert_null(disco_scenario_option(&sc, "seed"));
    assert_null(sc.ids);
    assert_null(sc.initiators);

    /* Edge settings apply both ways. */
    uint32_t xy = channel(&sc, 0, 1), yx = channel(&sc, 1, 0);
    uint32_t yz = channel(&sc, 1, 2), zy = channel(&sc, 2, 1);
    uint32_t zx = channel(&sc, 2, 0), xz = channel(&sc, 0, 2);
    assert_int_equal(sc.channel.use_delay[xy], 1);
    assert_int_equal(sc.channel.use_delay[yx], 1);
    assert_int_equal(sc.channel.delay[xy].a, 7);
    assert_int_equal(sc.channel.delay[yx].a, 7);
    assert_int_equal(sc.channel.use_delay[yz], 0);
    assert_int_equal(sc.channel.use_delay[zx], 0);
    assert_int_equal(sc.channel.fifo[xy], 0);
    assert_int_equal(sc.channel.fifo[yx], 0);
    assert_int_equal(sc.channel.fifo[yz], -1);
    assert_true(sc.channel.loss[yz] == 0.1);
    assert_true(sc.channel.loss[zy] == 0.1);
    assert_true(sc.channel.loss[xy] < 0);
    assert_int_equal(t->weight[zx], 2);
    assert_int_equal(t->weight[xz], 2);
    assert_int_equal(t->weight[xy], 1);
    assert_int_equal(t->weight[yz], 1);

    /* z -- x: tail z, head x; two outages. */
    assert_int_equal(sc.fault_count, 4);
    assert_fault(&sc.faults[0], DISCO_FAULT_LINK_DOWN, 2, 0, 5);
    assert_fault(&sc.faults[1], DISCO_FAULT_LINK_DOWN, 2, 0, 50);
    assert_fault(&sc.faults[2], DISCO_FAULT_LINK_UP, 2, 0, 25);
    assert_fault(&sc.faults[3], DISCO_FAULT_LINK_UP, 2, 0, 75);

    /* The cluster's node default reaches its nodes only. */
    assert_int_equal(sc.input_count, 3);
    assert_input(&sc.inputs[0], 0, "value", 3);
    assert_input(&sc.inputs[1], 1, "value", 3);
    assert_input(&sc.inputs[2], 2, "value", 8);

    disco_scenario_release(&sc);
    free(path);
}

static void test_node_order_and_defaults(void **state)
{
    (void)state;
    struct disco_scenario sc;
    load_text_ok(&sc, "digraph { c; b -> a; a -> c; c -> b }");
    assert_string_equal(sc.topo.names[0], "c");
    assert_string_equal(sc.topo.names[1], "b");
    assert_string_equal(sc.topo.names[2], "a");
    assert_string_equal(sc.topo.spec, "t.dot");
    assert_int_not_equal(disco_topology_find(&sc.topo, 1, 2), UINT32_MAX);
    assert_int_equal(disco_topology_find(&sc.topo, 2, 1), UINT32_MAX);
    /* No weights anywhere: no weight array. */
    assert_null(sc.topo.weight);
    assert_null(sc.channel.delay);
    assert_null(sc.channel.use_delay);
    assert_null(sc.channel.loss);
    assert_null(sc.channel.fifo);
    disco_scenario_release(&sc);

    /* A node default set before some nodes reaches only later ones; an
     * initiator set false everywhere still gives the (all-zero) array. */
    load_text_ok(&sc, "graph { a; node [value = 4]; b; c [value = 5]; "
                      "a -- b -- c; a [initiator = no] }");
    assert_int_equal(sc.input_count, 2);
    assert_input(&sc.inputs[0], 1, "value", 4);
    assert_input(&sc.inputs[1], 2, "value", 5);
    assert_non_null(sc.initiators);
    unsigned char none[] = {0, 0, 0};
    assert_memory_equal(sc.initiators, none, 3);
    disco_scenario_release(&sc);

    /* strict merges repeated edges; blanks around values are dropped. */
    load_text_ok(&sc, "strict graph { a -- b; b -- a; a [id = \" 12 \"]; "
                      "b [id = 0] }");
    assert_int_equal(sc.topo.channels, 2);
    int64_t ids[] = {12, 0};
    assert_memory_equal(sc.ids, ids, sizeof ids);
    disco_scenario_release(&sc);
}

static void test_options_canonical(void **state)
{
    (void)state;
    struct disco_scenario sc;
    load_text_ok(&sc,
                 "digraph {\n"
                 "  delay = 5; fifo = yes; sync = 0; \"max-events\" = 7;\n"
                 "  \"max-time\" = 8; seed = \" 12 \"; dup = 0;\n"
                 "  ids = \"3,1,2\"; initiators = \"0,2\";\n"
                 "  crash = \"1@5\"; recover = \"1@9\"; cut = \"0-1@2:4\";\n"
                 "  param_verbose = on; param_k = -3;\n"
                 "  label = \"demo\"; size = \"4,4\"; course = \"DS101\";\n"
                 "  a -> b -> c -> a;\n"
                 "}\n");
    static const char *const expected[][2] = {
        {"crash", "1@5"},      {"cut", "0-1@2:4"},      {"delay", "const:5"},
        {"dup", "0"},          {"fifo", "true"},        {"ids", "3,1,2"},
        {"initiators", "0,2"}, {"max_events", "7"},     {"max_time", "8"},
        {"param_k", "-3"},     {"param_verbose", "on"}, {"recover", "1@9"},
        {"seed", "12"},        {"sync", "false"},
    };
    size_t n = sizeof expected / sizeof expected[0];
    assert_int_equal(sc.option_count, n);
    for (size_t i = 0; i < n; i++) {
        const char *value = disco_scenario_option(&sc, expected[i][0]);
        if (!value || strcmp(value, expected[i][1]))
            fail_msg("option %s: got '%s', want '%s'", expected[i][0],
                     value ? value : "(none)", expected[i][1]);
    }
    assert_null(disco_scenario_option(&sc, "course"));
    assert_null(disco_scenario_option(&sc, "size"));
    /* The graph attribute ids is an option, not node ids. */
    assert_null(sc.ids);
    assert_null(sc.initiators);
    disco_scenario_release(&sc);
}

static void test_spec_truncated(void **state)
{
    (void)state;
    char name[300];
    memset(name, 'x', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    struct disco_scenario sc;
    struct disco_error err = {0};
    assert_int_equal(disco_scenario_load_text(&sc, "graph { a }", name, &err),
                     0);
    assert_int_equal(strlen(sc.topo.spec), sizeof sc.topo.spec - 1);
    assert_memory_equal(sc.topo.spec, name, sizeof sc.topo.spec - 1);
    assert_int_equal(sc.topo.nodes, 1);
    assert_int_equal(sc.topo.channels, 0);
    disco_scenario_release(&sc);
}

/* ------------------------------------------------------------------------ */
/* Errors.                                                                  */

static void test_file_errors(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        const char *message; /* %s: the path */
    } cases[] = {
        {"malformed.dot",
         "malformed DOT in '%s': syntax error in line 3 near ';'"},
        {"selfloop.dot", "'%s': self-loop at node b"},
        {"partial_ids.dot",
         "'%s': node b has no id (2 of 3 nodes have one; give every node an "
         "id, or none)"},
        {"bad_attr.dot",
         "'%s': node b: bad crash_at 'soon' (a tick, or ticks separated by "
         "commas)"},
        {"duplicate.dot", "'%s': duplicate edge a -- b"},
        {"two_graphs.dot",
         "'%s' holds more than one graph (another begins in line 2); a "
         "scenario is one graph"},
        {"unterminated.dot",
         "malformed DOT in '%s': unterminated comment from line 3"},
        {"empty.dot", "'%s' holds no graph"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = data_path(cases[i].file);
        char want[1024];
        snprintf(want, sizeof want, cases[i].message, path);
        struct disco_scenario sc;
        memset(&sc, 0x5a, sizeof sc);
        struct disco_error err = {0};
        int rc = disco_scenario_load(&sc, path, &err);
        if (rc != DISCO_EPARSE || strcmp(err.message, want))
            fail_msg("%s: got %d '%s', want '%s'", cases[i].file, rc,
                     err.message, want);
        assert_int_equal(err.code, DISCO_EPARSE);
        assert_empty(&sc);
        disco_scenario_release(&sc); /* harmless */
        free(path);
    }
}

static void test_unreadable(void **state)
{
    (void)state;
    struct disco_scenario sc;
    struct disco_error err = {0};
    char *path = data_path("no-such-file.dot");
    char want[1024];
    assert_int_equal(disco_scenario_load(&sc, path, &err), DISCO_EIO);
    snprintf(want, sizeof want, "cannot read '%s': No such file or directory",
             path);
    assert_string_equal(err.message, want);
    assert_empty(&sc);
    free(path);

    /* A directory opens but does not read. */
    char *dir = tmpdir_create();
    assert_int_equal(disco_scenario_load(&sc, dir, &err), DISCO_EIO);
    snprintf(want, sizeof want, "cannot read '%s': Is a directory", dir);
    assert_string_equal(err.message, want);
    tmpdir_remove(dir);
}

struct text_case {
    const char *text;
    const char *message;
};

static void expect_text_error(const struct text_case *c, int code)
{
    struct disco_scenario sc;
    struct disco_error err = {0};
    int rc = disco_scenario_load_text(&sc, c->text, "t.dot", &err);
    if (rc != code || strcmp(err.message, c->message))
        fail_msg("'%s': got %d '%s', want %d '%s'", c->text, rc, err.message,
                 code, c->message);
    assert_empty(&sc);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const struct text_case cases[] = {
        {"digraph {}", "'t.dot': the graph has no nodes"},
        {"", "'t.dot' holds no graph"},
        {"// nothing but a comment\n", "'t.dot' holds no graph"},
        {"digraph { a -> b } garbage",
         "malformed DOT in 't.dot': text after the end of the graph in line "
         "1"},
        {"graph { a }\n\n graph { b }",
         "'t.dot' holds more than one graph (another begins in line 3); a "
         "scenario is one graph"},
        {"digraph { a [label=\"x] }",
         "malformed DOT in 't.dot': unterminated string from line 1"},
        {"digraph {\n a [label=<b>x</b] }",
         "malformed DOT in 't.dot': unterminated HTML string from line 2"},
        {"digraph {\n\n a@b }",
         "malformed DOT in 't.dot': stray '@' in line 3 (quote the value that "
         "holds it)"},
        {"digraph {\n a -> \n}",
         "malformed DOT in 't.dot': syntax error in line 3 near '}'"},
        {"graph { a -- b; a -- a }", "'t.dot': self-loop at node a"},
        {"digraph { a -> b; b -> a; a -> b }",
         "'t.dot': duplicate edge a -> b"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_text_error(&cases[i], DISCO_EPARSE);

    /* A cgraph warning is an error here, with cgraph's words. */
    struct disco_scenario sc;
    struct disco_error err = {0};
    assert_int_equal(disco_scenario_load_text(
                         &sc, "digraph { a -> b [weight=1x] }", "t.dot", &err),
                     DISCO_EPARSE);
    assert_non_null(strstr(err.message, "malformed DOT in 't.dot': "));
    assert_non_null(strstr(err.message, "'1x'"));
    assert_null(strchr(err.message, '\n'));

    /* Strings that look unterminated but are not. */
    load_text_ok(&sc, "digraph { a [label=\"x\\\\\"]; b [label=\"q\\\"\"]; "
                      "a -> b [label=<<b>bold</b>>] } // done");
    assert_int_equal(sc.topo.nodes, 2);
    disco_scenario_release(&sc);
}

static void test_attribute_errors(void **state)
{
    (void)state;
    static const struct text_case cases[] = {
        /* edges */
        {"digraph { a -> b [weight=1.5] }",
         "'t.dot': edge a -> b: bad weight '1.5' (an integer)"},
        {"digraph { a -> b [delay=soon] }",
         "'t.dot': edge a -> b: unknown delay law 'soon' (known: const, "
         "uniform, exp)"},
        {"graph { a -- b [delay=\"uniform:5:1\"] }",
         "'t.dot': edge a -- b: bad delay 'uniform:5:1': A must not exceed "
         "B"},
        {"digraph { a -> b [delay=-3] }",
         "'t.dot': edge a -> b: bad delay '-3': expected const:D, "
         "uniform:A:B or exp:MEAN"},
        {"digraph { a -> b [loss=1.5] }",
         "'t.dot': edge a -> b: bad loss '1.5' (a probability from 0 to 1)"},
        {"digraph { a -> b [loss=-0.1] }",
         "'t.dot': edge a -> b: bad loss '-0.1' (a probability from 0 to 1)"},
        {"digraph { a -> b [fifo=maybe] }",
         "'t.dot': edge a -> b: bad fifo 'maybe' (true or false)"},
        {"digraph { a -> b [down_at=10, up_at=5] }",
         "'t.dot': edge a -> b: up_at 5 is not after down_at 10"},
        {"digraph { a -> b [down_at=x] }",
         "'t.dot': edge a -> b: bad down_at 'x' (a tick, or ticks separated "
         "by commas)"},
        {"digraph { a -> b [up_at=\"1,,2\"] }",
         "'t.dot': edge a -> b: bad up_at '1,,2' (a tick, or ticks separated "
         "by commas)"},
        {"digraph { a -> b [dealy=5] }",
         "'t.dot': edge a -> b: unknown attribute 'dealy' (did you mean "
         "'delay'?)"},
        /* nodes */
        {"digraph { a [id=-1]; b [id=2]; a -> b }",
         "'t.dot': node a: bad id '-1' (a whole number)"},
        {"digraph { a [id=x]; b [id=2]; a -> b }",
         "'t.dot': node a: bad id 'x' (a whole number)"},
        {"digraph { a [initiator=maybe]; a -> b }",
         "'t.dot': node a: bad initiator 'maybe' (true or false)"},
        {"digraph { a [value=abc]; a -> b }",
         "'t.dot': node a: bad value 'abc' (inputs are integers)"},
        {"digraph { a [value=1.5]; a -> b }",
         "'t.dot': node a: bad value '1.5' (inputs are integers)"},
        {"digraph { a [initator=true]; a -> b }",
         "'t.dot': node a: unknown attribute 'initator' (did you mean "
         "'initiator'?)"},
        {"digraph { a -> b; b [recover_at=\"5;6\"] }",
         "'t.dot': node b: bad recover_at '5;6' (a tick, or ticks separated "
         "by commas)"},
        {"digraph { a [an_input_name_much_too_long_for_it=1]; a -> b }",
         "'t.dot': node a: input name 'an_input_name_much_too_long_for_it' "
         "is too long (31 characters at most)"},
        /* the graph */
        {"digraph { algoritm = x; a -> b }",
         "'t.dot': graph: unknown attribute 'algoritm' (did you mean "
         "'algorithm'?)"},
        {"digraph { seed = abc; a -> b }",
         "'t.dot': graph: bad seed 'abc' (a whole number)"},
        {"digraph { seed = -1; a -> b }",
         "'t.dot': graph: bad seed '-1' (a whole number)"},
        {"digraph { max_time = \"1e3\"; a -> b }",
         "'t.dot': graph: bad max_time '1e3' (a whole number)"},
        {"digraph { fifo = maybe; a -> b }",
         "'t.dot': graph: bad fifo 'maybe' (true or false)"},
        {"digraph { loss = 2; a -> b }",
         "'t.dot': graph: bad loss '2' (a probability from 0 to 1)"},
        {"digraph { delay = \"unifrom:1:2\"; a -> b }",
         "'t.dot': graph: unknown delay law 'unifrom' (did you mean "
         "'uniform'?)"},
        {"digraph { ids = \"1,2\"; a -> b -> c }",
         "'t.dot': graph: bad ids '1,2': --ids lists 2 ids for 3 nodes"},
        {"digraph { initiators = 5; a -> b -> c }",
         "'t.dot': graph: bad initiators '5': initiator 5 is not a node "
         "(0..2)"},
        {"digraph { crash = \"9@1\"; a -> b -> c }",
         "'t.dot': graph: bad crash '9@1': crash node 9 is not a node (0..2)"},
        {"digraph { cut = \"0-1@5:2\"; a -> b -> c }",
         "'t.dot': graph: bad cut '0-1@5:2': T1 must be before T2"},
        {"digraph { ids = \"1,x,3\"; a -> b -> c }",
         "'t.dot': graph: bad ids '1,x,3': 'x' is not a whole number"},
        {"digraph { param_ = 3; a -> b }",
         "'t.dot': graph: param_ needs a parameter name (param_KEY)"},
        {"digraph { param_k = x; a -> b }",
         "'t.dot': graph: bad param_k 'x' (an integer, on or off)"},
        {"digraph { max_events = 5; \"max-events\" = 6; a -> b }",
         "'t.dot': graph: max_events is given twice"},
        /* both */
        {"digraph { ids = increasing; a [id=1]; b [id=2]; a -> b }",
         "'t.dot': ids are given both as a graph attribute and on nodes; "
         "keep one"},
        {"digraph { initiators = all; a [initiator=true]; a -> b }",
         "'t.dot': initiators are given both as a graph attribute and on "
         "nodes; keep one"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_text_error(&cases[i], DISCO_EPARSE);
}

/* cgraph's lexer is global: a bad file must not spoil the next load. */
static void test_lexer_not_poisoned(void **state)
{
    (void)state;
    static const char *const spoilers[] = {
        "digraph { a -> ; }",
        "digraph { a -> b } digraph { c -> d }",
        "digraph { a -> b }\ndigraph { c -> d }\n",
        "digraph { a [label=\"open ] }",
        "digraph { a -> b } /* a comment\n that spans lines */\n",
        "digraph { a -> b } // trailing\n",
        "digraph { a -> b } # trailing\n",
        "/* never closed",
        "digraph { a -> b [label=<<i>x</i>] }",
    };
    for (size_t i = 0; i < sizeof spoilers / sizeof spoilers[0]; i++) {
        struct disco_scenario sc;
        struct disco_error err = {0};
        if (disco_scenario_load_text(&sc, spoilers[i], "spoiler.dot", &err) ==
            0)
            disco_scenario_release(&sc);

        load_text_ok(&sc, "graph g {\n  x -- y -- z;\n  z [value = 3];\n}");
        assert_int_equal(sc.topo.nodes, 3);
        assert_int_equal(sc.topo.channels, 4);
        assert_string_equal(sc.topo.names[0], "x");
        assert_int_equal(sc.input_count, 1);
        disco_scenario_release(&sc);

        /* Line numbers start again at 1. */
        struct text_case bad = {
            "digraph {\n a -> \n}",
            "malformed DOT in 't.dot': syntax error in line 3 near '}'"};
        expect_text_error(&bad, DISCO_EPARSE);
    }
}

static void test_nothing_on_stderr(void **state)
{
    (void)state;
    static const char *const files[] = {
        "malformed.dot", "selfloop.dot",   "partial_ids.dot",
        "bad_attr.dot",  "two_graphs.dot", "unterminated.dot",
        "empty.dot",     "ring4.dot",      "no-such-file.dot",
    };
    static const char *const texts[] = {
        "digraph { a -> b [weight=1x] }", /* a cgraph warning */
        "digraph { a -> ; }",             /* a cgraph error */
        "graph { a -- b } } }",
        "digraph { a -> b -> }",
    };
    struct stderr_capture cap;
    stderr_begin(&cap);
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = data_path(files[i]);
        struct disco_scenario sc;
        struct disco_error err = {0};
        disco_scenario_load(&sc, path, &err);
        disco_scenario_release(&sc);
        free(path);
    }
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct disco_scenario sc;
        struct disco_error err = {0};
        assert_int_equal(disco_scenario_load_text(&sc, texts[i], "t.dot", &err),
                         DISCO_EPARSE);
    }
    char text[512];
    long size = stderr_end(&cap, text, sizeof text);
    if (size != 0)
        fail_msg("stderr got %ld bytes: %s", size, text);
}

/* ------------------------------------------------------------------------ */
/* Moving the settings into a config.                                       */

static void test_apply(void **state)
{
    (void)state;
    char *path = data_path("ring4.dot");
    struct disco_scenario sc;
    load_ok(&sc, path);
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, NULL);
    /* The command line gave ids and a crash. */
    assert_int_equal(disco_ids_parse(&cfg, "increasing", 4, &err), 0);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "3@7", 4, &err), 0);

    assert_int_equal(disco_scenario_apply(&sc, &cfg, &err), 0);

    /* The command line's ids win; the scenario keeps its own. */
    int64_t inc[] = {1, 2, 3, 4};
    assert_memory_equal(cfg.ids, inc, sizeof inc);
    assert_non_null(sc.ids);
    /* Initiators move. */
    unsigned char initiators[] = {1, 0, 0, 0};
    assert_non_null(cfg.initiators);
    assert_memory_equal(cfg.initiators, initiators, 4);
    assert_null(sc.initiators);
    /* Faults appended after the command line's. */
    assert_int_equal(cfg.fault_count, 6);
    assert_fault(&cfg.faults[0], DISCO_FAULT_CRASH, 3, 3, 7);
    assert_fault(&cfg.faults[1], DISCO_FAULT_CRASH, 1, 1, 30);
    assert_fault(&cfg.faults[5], DISCO_FAULT_LINK_UP, 2, 3, 20);
    assert_null(sc.faults);
    assert_int_equal(sc.fault_count, 0);
    /* Inputs and overrides move. */
    assert_int_equal(cfg.input_count, 3);
    assert_input(&cfg.inputs[1], 2, "balance", -5);
    assert_null(sc.inputs);
    uint32_t ab = channel(&sc, 1, 2);
    assert_non_null(cfg.channel.delay);
    assert_int_equal(cfg.channel.use_delay[ab], 1);
    assert_true(cfg.channel.loss[ab] == 0.5);
    assert_int_equal(cfg.channel.fifo[ab], 1);
    assert_null(sc.channel.delay);
    assert_null(sc.channel.use_delay);
    assert_null(sc.channel.loss);
    assert_null(sc.channel.fifo);
    /* The topology and options stay. */
    assert_int_equal(sc.topo.nodes, 4);
    assert_string_equal(disco_scenario_option(&sc, "seed"), "42");

    /* Applying again adds nothing more. */
    assert_int_equal(disco_scenario_apply(&sc, &cfg, &err), 0);
    assert_int_equal(cfg.fault_count, 6);
    assert_int_equal(cfg.input_count, 3);

    disco_config_release(&cfg);
    disco_scenario_release(&sc);

    /* Without command-line ids the scenario's move; overrides already in
     * the config are kept where set and filled in where not. */
    load_ok(&sc, path);
    disco_config_init(&cfg, NULL);
    cfg.channel.fifo = malloc(4);
    memset(cfg.channel.fifo, -1, 4);
    uint32_t da = channel(&sc, 0, 1);
    cfg.channel.fifo[da] = 0;
    cfg.channel.fifo[ab] = 0;
    assert_int_equal(disco_scenario_apply(&sc, &cfg, &err), 0);
    int64_t ids[] = {9, 4, 2, 6};
    assert_memory_equal(cfg.ids, ids, sizeof ids);
    assert_null(sc.ids);
    assert_int_equal(cfg.channel.fifo[da], 0);
    assert_int_equal(cfg.channel.fifo[ab], 0);
    assert_non_null(sc.channel.fifo); /* not taken: cfg had its own */
    disco_config_release(&cfg);
    disco_scenario_release(&sc);
    free(path);
}

/* ------------------------------------------------------------------------ */
/* A digraph of arc pairs read as bidirectional links.                      */

/* Two scenarios with the same topology, channel settings and faults. */
static void assert_same_scenario(const struct disco_scenario *x,
                                 const struct disco_scenario *y)
{
    const struct disco_topology *s = &x->topo, *t = &y->topo;
    assert_int_equal(s->nodes, t->nodes);
    assert_int_equal(s->channels, t->channels);
    assert_int_equal(s->directed, t->directed);
    assert_memory_equal(s->out_offset, t->out_offset,
                        (s->nodes + 1) * sizeof *s->out_offset);
    assert_memory_equal(s->out_target, t->out_target,
                        s->channels * sizeof *s->out_target);
    for (uint32_t c = 0; c < s->channels; c++)
        assert_int_equal(disco_topology_in_port(s, c),
                         disco_topology_in_port(t, c));
    for (uint32_t v = 0; v < s->nodes; v++) {
        assert_int_equal(disco_topology_in_degree(s, v),
                         disco_topology_in_degree(t, v));
        assert_string_equal(s->names[v], t->names[v]);
    }
    assert_int_equal(s->weight != NULL, t->weight != NULL);
    if (s->weight)
        assert_memory_equal(s->weight, t->weight,
                            s->channels * sizeof *s->weight);
    const struct disco_channel_overrides *a = &x->channel, *b = &y->channel;
    for (uint32_t c = 0; c < s->channels; c++) {
        assert_int_equal(a->use_delay[c], b->use_delay[c]);
        if (a->use_delay[c])
            assert_memory_equal(&a->delay[c], &b->delay[c], sizeof *a->delay);
        assert_true(a->loss[c] == b->loss[c]);
        assert_int_equal(a->fifo[c], b->fifo[c]);
        assert_string_equal(x->channel_rounds[c] ? x->channel_rounds[c] : "",
                            y->channel_rounds[c] ? y->channel_rounds[c] : "");
    }
    assert_int_equal(x->fault_count, y->fault_count);
    for (size_t i = 0; i < x->fault_count; i++)
        assert_fault(&x->faults[i], y->faults[i].kind, y->faults[i].node,
                     y->faults[i].peer, y->faults[i].time);
}

/* Every arc with its reverse: read as bidirectional, the digraph is the
 * graph with one edge per pair, oriented and ordered as the first arc of
 * each pair (c -> a comes before a -> c), byte for byte what the
 * undirected file gives; a pair's link attributes (weight, cuts, rounds)
 * agree, in any order of ticks, and its cuts are kept once; delay, loss
 * and fifo stay per direction. */
static void test_symmetric_digraph_bidirectional(void **state)
{
    (void)state;
    static const char digraph[] =
        "digraph g {\n"
        "  a -> b [weight = 4, down_at = \"30, 10\", up_at = 20, "
        "rounds = \"1-3\"];\n"
        "  b -> c [delay = 3, loss = 0.5]; c -> b [delay = 3, loss = 0.5];\n"
        "  b -> a [weight = 4, down_at = \"10,30\", up_at = 20, "
        "rounds = \"1-3\"];\n"
        "  c -> a [fifo = false, down_at = 7]; d -> c;\n"
        "  a -> c [fifo = false, down_at = 7]; c -> d;\n"
        "  d [crash_at = 9];\n"
        "}\n";
    static const char graph[] =
        "graph g {\n"
        "  a -- b [weight = 4, down_at = \"30, 10\", up_at = 20, "
        "rounds = \"1-3\"];\n"
        "  b -- c [delay = 3, loss = 0.5];\n"
        "  c -- a [fifo = false, down_at = 7]; d -- c;\n"
        "  d [crash_at = 9];\n"
        "}\n";
    struct disco_scenario sc, undirected;
    struct disco_error err = {0};
    load_text_ok(&sc, digraph);
    load_text_ok(&undirected, graph);
    assert_true(sc.topo.directed);
    assert_int_equal(sc.topo.channels, 8);
    assert_non_null(sc.pair_first);
    assert_null(sc.pair_conflict);
    assert_int_equal(sc.fault_count, 1 + 2 * 4); /* each arc's cuts */

    assert_int_equal(disco_scenario_bidirectional(&sc, &err), 0);
    assert_false(sc.topo.directed);
    assert_int_equal(sc.topo.channels, 8);
    assert_string_equal(sc.topo.spec, "t.dot");
    assert_null(sc.pair_first);
    assert_same_scenario(&sc, &undirected);
    /* The cuts of c -> a, the first arc of its pair: tail c. */
    assert_fault(&sc.faults[sc.fault_count - 1], DISCO_FAULT_LINK_DOWN, 2, 0,
                 7);
    /* Read again: nothing more to do. */
    assert_int_equal(disco_scenario_bidirectional(&sc, &err), 0);
    assert_same_scenario(&sc, &undirected);
    disco_scenario_release(&sc);

    /* Delay, loss and fifo are the channel's, one per direction. */
    load_text_ok(&sc, "digraph { a -> b [delay = 3, fifo = false]; "
                      "b -> a [delay = 50, loss = 0.25]; }");
    assert_int_equal(disco_scenario_bidirectional(&sc, &err), 0);
    assert_false(sc.topo.directed);
    uint32_t ab = channel(&sc, 0, 1), ba = channel(&sc, 1, 0);
    assert_int_equal(sc.channel.delay[ab].a, 3);
    assert_int_equal(sc.channel.delay[ba].a, 50);
    assert_int_equal(sc.channel.fifo[ab], 0);
    assert_int_equal(sc.channel.fifo[ba], -1);
    assert_true(sc.channel.loss[ab] < 0);
    assert_true(sc.channel.loss[ba] == 0.25);
    disco_scenario_release(&sc);

    /* An arc without its reverse: the digraph stays as it is, for the
     * model check to refuse; so does an undirected graph. */
    static const char *const others[] = {
        "digraph { a -> b; b -> a; b -> c; }",
        "digraph { a -> b -> c -> a; }",
        "graph { a -- b; }",
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        load_text_ok(&sc, others[i]);
        bool directed = sc.topo.directed;
        assert_null(sc.pair_first);
        assert_int_equal(disco_scenario_bidirectional(&sc, &err), 0);
        assert_int_equal(sc.topo.directed, directed);
        disco_scenario_release(&sc);
    }
    disco_scenario_release(&undirected);
}

/* A pair whose arcs differ in an attribute of the link is refused when
 * read as bidirectional, naming both arcs, the attribute and both values
 * as written, and the scenario stays the digraph it was (which an
 * algorithm that takes directed channels runs as it is). */
static void test_symmetric_digraph_conflicts(void **state)
{
    (void)state;
    static const struct text_case cases[] = {
        {"digraph { a -> b [weight = 3]; b -> a [weight = 5]; }",
         "'t.dot': arcs a->b and b->a differ in weight (3 and 5); a link "
         "read as bidirectional needs one value"},
        {"digraph { x -> y; y -> x [weight = 2]; }",
         "'t.dot': arcs x->y and y->x differ in weight (none and 2); a link "
         "read as bidirectional needs one value"},
        {"digraph { a -> b [down_at = \"5, 9\"]; b -> a [down_at = 5]; }",
         "'t.dot': arcs a->b and b->a differ in down_at ('5, 9' and 5); "
         "a link read as bidirectional needs one value"},
        {"digraph { a -> b [down_at = 5, up_at = 8]; b -> a [down_at = 5]; "
         "}",
         "'t.dot': arcs a->b and b->a differ in up_at (8 and none); a link "
         "read as bidirectional needs one value"},
        {"digraph { b -> c; c -> a [rounds = \"1-3\"]; c -> b; "
         "a -> c [rounds = \"2-\"]; }",
         "'t.dot': arcs c->a and a->c differ in rounds (1-3 and 2-); a link "
         "read as bidirectional needs one value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disco_scenario sc;
        struct disco_error err = {0};
        load_text_ok(&sc, cases[i].text);
        uint32_t channels = sc.topo.channels;
        size_t faults = sc.fault_count;
        int rc = disco_scenario_bidirectional(&sc, &err);
        if (rc != DISCO_EPARSE || strcmp(err.message, cases[i].message))
            fail_msg("'%s': got %d '%s', want '%s'", cases[i].text, rc,
                     err.message, cases[i].message);
        assert_true(sc.topo.directed);
        assert_int_equal(sc.topo.channels, channels);
        assert_int_equal(sc.fault_count, faults);
        disco_scenario_release(&sc);
    }
}

/* Node inputs against the algorithm that reads them: the kernel's node
 * attributes and the declared inputs pass, in range; anything else is
 * refused with the file, the node's DOT name and a suggestion among both
 * lists; a value outside the declared range with the range.  The
 * same inputs, given through the config, are refused by the model check. */
static void test_inputs_checked(void **state)
{
    (void)state;
    const struct disco_algorithm *cl = disco_algorithm_find("chandy-lamport");
    const struct disco_algorithm *om = disco_algorithm_find("om");
    const struct disco_algorithm *paxos = disco_algorithm_find("paxos");
    const struct disco_algorithm *echo = disco_algorithm_find("echo");
    assert_non_null(cl);
    assert_non_null(om);
    assert_non_null(paxos);
    assert_non_null(echo);
    static const struct {
        const char *text;
        int which; /* 0 chandy-lamport, 1 om, 2 paxos, 3 echo */
        int code;  /* 0: accepted */
        const char *error;
    } cases[] = {
        {"graph { x [balance=0, crash_at=5]; y [balance=1000000000]; "
         "x -- y }", 0, 0, NULL},
        {"graph { x [balance=-5]; x -- y }", 0, DISCO_EINVAL,
         "'t.dot': node x: bad balance '-5': balance must be between 0 and "
         "1000000000"},
        {"graph { x; y [balance=1000000001]; x -- y }", 0, DISCO_EINVAL,
         "'t.dot': node y: bad balance '1000000001': balance must be "
         "between 0 and 1000000000"},
        {"graph { x [crashat=3]; x -- y }", 0, DISCO_EPARSE,
         "'t.dot': node x: unknown attribute 'crashat' (did you mean "
         "'crash_at'?)"},
        {"graph { x [recoverat=3]; x -- y }", 0, DISCO_EPARSE,
         "'t.dot': node x: unknown attribute 'recoverat' (did you mean "
         "'recover_at'?)"},
        {"graph { x [Balance=3]; x -- y }", 0, DISCO_EPARSE,
         "'t.dot': node x: unknown attribute 'Balance' (did you mean "
         "'balance'?)"},
        {"graph { x; \"node 2\" [value=7]; x -- \"node 2\" }", 1,
         DISCO_EINVAL,
         "'t.dot': node node 2: bad value '7': value must be between 0 and "
         "1"},
        {"graph { x [value=1]; x -- y }", 1, 0, NULL},
        {"graph { x [value=-9223372036854775808, start=0]; "
         "y [value=9223372036854775807, start=1000000000]; x -- y }", 2, 0,
         NULL},
        {"graph { x [start=-1]; x -- y }", 2, DISCO_EINVAL,
         "'t.dot': node x: bad start '-1': start must be between 0 and "
         "1000000000"},
        {"graph { x [strat=1]; x -- y }", 2, DISCO_EPARSE,
         "'t.dot': node x: unknown attribute 'strat' (did you mean "
         "'start'?)"},
        {"graph { x [value=1]; x -- y }", 3, DISCO_EPARSE,
         "'t.dot': node x: unknown attribute 'value' (echo reads no node "
         "input)"},
        {"graph { x [label=\"x\", color=red, id=3]; y [id=4]; x -- y }", 3,
         0, NULL},
    };
    const struct disco_algorithm *algs[] = {cl, om, paxos, echo};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disco_scenario sc;
        load_text_ok(&sc, cases[i].text);
        struct disco_error err = {0};
        int rc = disco_scenario_check_inputs(&sc, algs[cases[i].which],
                                             NULL, &err);
        if (rc != cases[i].code)
            fail_msg("%s: %d %s", cases[i].text, rc, err.message);
        if (cases[i].error) {
            assert_string_equal(err.message, cases[i].error);
            /* The file's name as the caller gives it. */
            rc = disco_scenario_check_inputs(&sc, algs[cases[i].which],
                                             "dir/f.dot", &err);
            assert_int_equal(rc, cases[i].code);
            assert_true(strncmp(err.message, "'dir/f.dot': node ", 18) == 0);
        }
        disco_scenario_release(&sc);
    }

    /* Through the config: the model check refuses what the scenario check
     * would, with the node's index. */
    struct disco_topology topo;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_generate(&topo, "complete:4", 1, &err),
                     0);
    static const struct {
        const char *name;
        int64_t value;
        const char *error; /* NULL: accepted */
    } given[] = {
        {"value", 1, NULL},
        {"value", 7, "node 0: bad value '7': value must be between 0 and 1"},
        {"valu", 1, "node 0: om reads no input 'valu'"},
    };
    for (size_t i = 0; i < sizeof given / sizeof given[0]; i++) {
        struct disco_config cfg;
        disco_config_init(&cfg, om);
        cfg.sync = true;
        cfg.inputs = calloc(1, sizeof *cfg.inputs);
        assert_non_null(cfg.inputs);
        cfg.input_count = 1;
        snprintf(cfg.inputs[0].name, sizeof cfg.inputs[0].name, "%s",
                 given[i].name);
        cfg.inputs[0].value = given[i].value;
        char warning[256];
        int rc = disco_model_check(om, &topo, &cfg, warning, sizeof warning,
                                   &err);
        if (given[i].error) {
            assert_int_equal(rc, DISCO_EINVAL);
            assert_string_equal(err.message, given[i].error);
        } else {
            assert_int_equal(rc, 0);
        }
        disco_config_release(&cfg);
    }
    disco_topology_release(&topo);
}

/* The lecture scenarios in scenarios/ load and say what they run. */
static void test_lecture_scenarios(void **state)
{
    (void)state;
    static const struct {
        const char *file, *algorithm;
        uint32_t nodes, channels;
        bool directed;
    } files[] = {
        {"chang-roberts-ring8.dot", "chang-roberts", 8, 8, true},
        {"echo-petersen.dot", "echo", 10, 30, false},
    };
    if (!getenv("DISCO_SCENARIOS"))
        skip();
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char *path = strdup(env_path("DISCO_SCENARIOS", files[i].file));
        struct disco_scenario sc;
        load_ok(&sc, path);
        assert_string_equal(disco_scenario_option(&sc, "algorithm"),
                            files[i].algorithm);
        assert_int_equal(sc.topo.nodes, files[i].nodes);
        assert_int_equal(sc.topo.channels, files[i].channels);
        assert_int_equal(sc.topo.directed, files[i].directed);
        assert_true(disco_topology_connected(&sc.topo));
        disco_scenario_release(&sc);
        free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring4_topology),
        cmocka_unit_test(test_ring4_options),
        cmocka_unit_test(test_ring4_nodes),
        cmocka_unit_test(test_ring4_channels),
        cmocka_unit_test(test_triangle_undirected),
        cmocka_unit_test(test_node_order_and_defaults),
        cmocka_unit_test(test_options_canonical),
        cmocka_unit_test(test_spec_truncated),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_attribute_errors),
        cmocka_unit_test(test_lexer_not_poisoned),
        cmocka_unit_test(test_nothing_on_stderr),
        cmocka_unit_test(test_apply),
        cmocka_unit_test(test_symmetric_digraph_bidirectional),
        cmocka_unit_test(test_symmetric_digraph_conflicts),
        cmocka_unit_test(test_inputs_checked),
        cmocka_unit_test(test_lecture_scenarios),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
