/*
 * test_viz_cut.c - snapshot cuts: the kernel's `mark` events (disco_mark)
 * and the cut layer of the space-time diagram.
 *
 * The bank of scenarios/snapshot-bank.dot (3 accounts, p0 starts the
 * snapshot at t = 100) is run through the command line and the SVG parsed
 * with libxml2.  The counts drawn are compared with what the snapshot
 * modules' own ground truth says: the JSON result's recorded_in_transit
 * (with FIFO, Chandy-Lamport records exactly the transfers in transit) and
 * the consistent_cut property, whose detail counts the orphans.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "support.h"

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                  */

/* A run that completes, whatever its verdict (Chandy-Lamport without FIFO
 * may break its properties: exit 1 still writes every file). */
static void run_done(struct cli_output *out, const char *const argv[])
{
    cli_run(out, argv);
    if (out->status != 0 && out->status != 1)
        fail_msg("disco exited %d: %s", out->status, out->err);
}

static const char *bank(void)
{
    return env_path("DISCO_SCENARIOS", "snapshot-bank.dot");
}

/* The bank with `alg`, FIFO or not, on `seed`: the SVG and (when `trace`
 * is not NULL) a trace with vector clocks; the JSON summary in `out`. */
static void run_bank(struct cli_output *out, const char *alg, bool fifo,
                     const char *seed, const char *svg, const char *trace)
{
    char scenario[4096];
    snprintf(scenario, sizeof scenario, "%s", bank());
    const char *argv[20];
    int k = 0;
    argv[k++] = NULL;
    argv[k++] = "run";
    argv[k++] = alg;
    argv[k++] = "--topology";
    argv[k++] = scenario;
    argv[k++] = "--seed";
    argv[k++] = seed;
    if (!fifo)
        argv[k++] = "--no-fifo";
    argv[k++] = "--json";
    argv[k++] = "--spacetime";
    argv[k++] = svg;
    if (trace) {
        argv[k++] = "--trace";
        argv[k++] = trace;
        argv[k++] = "--clocks";
        argv[k++] = "vector";
    }
    argv[k] = NULL;
    run_done(out, argv);
}

/* The number of "x,y" vertices of the first cut polyline. */
static int cut_vertices(xmlDocPtr doc, double *ys, int max)
{
    char points[1024];
    xpath_string(doc, "string((" CLASS("cut") ")[1]/@points)", points,
                 sizeof points);
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(points, " ", &save); tok;
         tok = strtok_r(NULL, " ", &save)) {
        char *comma = strchr(tok, ',');
        assert_non_null(comma);
        if (n < max)
            ys[n] = strtod(comma + 1, NULL);
        n++;
    }
    return n;
}

/* The y of lane i's line. */
static double lane_y(xmlDocPtr doc, int i)
{
    char expr[128], buf[64];
    snprintf(expr, sizeof expr,
             "string((//*[@id='lane%d']/*[local-name()='line'])[1]/@y1)", i);
    xpath_string(doc, expr, buf, sizeof buf);
    return strtod(buf, NULL);
}

/* The orphans the consistent_cut oracle counted: "(N such)" in its detail,
 * 0 when it held. */
static int oracle_orphans(const char *json)
{
    const char *p = strstr(json, "\"consistent_cut\"");
    assert_non_null(p);
    const char *end = strchr(p, '}');
    assert_non_null(end);
    if (strstr(p, "\"holds\": true") && strstr(p, "\"holds\": true") < end)
        return 0;
    const char *such = strstr(p, " such)");
    assert_true(such && such < end);
    const char *open = such;
    while (open > p && open[-1] != '(')
        open--;
    return atoi(open);
}

/* ------------------------------------------------------------------------ */
/* The picture.                                                              */

/* Chandy-Lamport with FIFO: one cut with a vertex on each of the three
 * lanes, no orphan, and exactly the transfers the snapshot recorded
 * highlighted as in transit. */
static void test_chandy_lamport_fifo(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    struct cli_output out;
    run_bank(&out, "chandy-lamport", true, "1", svg, NULL);
    assert_int_equal(out.status, 0);
    uint64_t in_transit = json_u64(out.out, "recorded_in_transit");
    assert_int_equal(in_transit, 9);
    xmlDocPtr doc = parse_svg(svg);
    assert_int_equal(xpath_count(doc, CLASS("cut")), 1);
    assert_int_equal(xpath_count(doc, "//*[local-name()='polyline' and "
                                      "@class='cut']"), 1);
    double ys[8];
    assert_int_equal(cut_vertices(doc, ys, 8), 3);
    for (int i = 0; i < 3; i++)
        assert_true(ys[i] == lane_y(doc, i));
    assert_int_equal(xpath_count(doc, CLASS("orphan")), 0);
    assert_int_equal(xpath_count(doc, CLASS("in-transit")), (int)in_transit);
    /* All are transfers (markers never cross the cut), amber. */
    assert_int_equal(xpath_count(doc, CLASS("in-transit")
                                      "[@stroke='#f0a000']"), (int)in_transit);
    assert_int_equal(xpath_count(doc, CLASS("in-transit") "/*[local-name()="
                                      "'title' and starts-with(., "
                                      "'transfer')]"), (int)in_transit);
    /* The cut's tooltip names where each node recorded: p0 at t 100. */
    char title[256];
    xpath_string(doc, "string(" CLASS("cut") "/*[local-name()='title'])",
                 title, sizeof title);
    assert_non_null(strstr(title, "snapshot 1: node 0 (p0) at t 100, "));
    /* Three legend entries for cuts. */
    assert_int_equal(xpath_count(doc, "//*[@class='legend']/*[local-name()="
                                      "'text' and (text()='snapshot cut' or "
                                      "text()='in transit across a cut' or "
                                      "starts-with(text(), 'orphan'))]"), 3);
    xmlFreeDoc(doc);
    cli_output_release(&out);
    free(svg);
    tmpdir_remove(dir);
}

/* Chandy-Lamport without FIFO, seed 6: a transfer overtakes a marker; the
 * orphans drawn are the ones the oracle counted (at least one). */
static void test_chandy_lamport_orphans(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    struct cli_output out;
    run_bank(&out, "chandy-lamport", false, "6", svg, NULL);
    assert_int_equal(out.status, 1);
    int orphans = oracle_orphans(out.out);
    assert_int_equal(orphans, 2);
    xmlDocPtr doc = parse_svg(svg);
    assert_int_equal(xpath_count(doc, CLASS("cut")), 1);
    double ys[8];
    assert_int_equal(cut_vertices(doc, ys, 8), 3);
    assert_int_equal(xpath_count(doc, CLASS("orphan")), orphans);
    /* Orphans are red. */
    assert_int_equal(xpath_count(doc, CLASS("orphan") "[@stroke='#d62728']"),
                     orphans);
    assert_int_equal(xpath_count(doc, CLASS("orphan") "/*[local-name()="
                                      "'title' and contains(., 'an orphan "
                                      "of snapshot 1')]"), orphans);
    xmlFreeDoc(doc);
    cli_output_release(&out);
    free(svg);
    tmpdir_remove(dir);
}

/* Lai-Yang without FIFO: no orphan on any of these seeds, and every
 * transfer in transit across the cut is one the snapshot recorded. */
static void test_lai_yang_no_fifo(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    const char *seeds[] = {"1", "6", "7"};
    for (size_t i = 0; i < 3; i++) {
        struct cli_output out;
        run_bank(&out, "lai-yang", false, seeds[i], svg, NULL);
        assert_int_equal(out.status, 0);
        assert_int_equal(oracle_orphans(out.out), 0);
        xmlDocPtr doc = parse_svg(svg);
        assert_int_equal(xpath_count(doc, CLASS("cut")), 1);
        double ys[8];
        assert_int_equal(cut_vertices(doc, ys, 8), 3);
        assert_int_equal(xpath_count(doc, CLASS("orphan")), 0);
        assert_int_equal(xpath_count(doc, CLASS("in-transit")),
                         (int)json_u64(out.out, "recorded_in_transit"));
        xmlFreeDoc(doc);
        cli_output_release(&out);
    }
    free(svg);
    tmpdir_remove(dir);
}

/* A --window keeps the cut's vertices inside it: p0 recorded at t 100,
 * p1 at 121, p2 at 142 (seed 1, FIFO); the tooltip still names all three. */
static void test_window(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    static const struct {
        const char *window;
        int vertices;
    } cases[] = {{"0:50", 0}, {"0:130", 2}, {"100:300", 3}};
    for (size_t i = 0; i < 3; i++) {
        struct cli_output out;
        run_done(&out, (const char *const[]){NULL, "run", "chandy-lamport",
                                             "--topology", bank(), "--window",
                                             cases[i].window, "--spacetime",
                                             svg, NULL});
        assert_int_equal(out.status, 0);
        xmlDocPtr doc = parse_svg(svg);
        assert_int_equal(xpath_count(doc, CLASS("cut")),
                         cases[i].vertices > 0);
        if (cases[i].vertices) {
            double ys[8];
            assert_int_equal(cut_vertices(doc, ys, 8), cases[i].vertices);
            char title[256];
            xpath_string(doc, "string(" CLASS("cut")
                              "/*[local-name()='title'])", title,
                         sizeof title);
            assert_string_equal(title, "snapshot 1: node 0 (p0) at t 100, "
                                       "node 1 (p1) at t 121, node 2 (p2) "
                                       "at t 142");
        }
        assert_int_equal(xpath_count(doc, CLASS("orphan")), 0);
        xmlFreeDoc(doc);
        cli_output_release(&out);
    }
    free(svg);
    tmpdir_remove(dir);
}

/* A run without marks draws no cut and keeps the legend it had. */
static void test_no_cut_without_marks(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg"), *trace = path_in(dir, "t.jsonl");
    struct cli_output out;
    run_done(&out, (const char *const[]){NULL, "run", "chang-roberts",
                                         "--topology", "uring:5",
                                         "--spacetime", svg, "--trace", trace,
                                         NULL});
    assert_int_equal(out.status, 0);
    xmlDocPtr doc = parse_svg(svg);
    assert_int_equal(xpath_count(doc, CLASS("cuts")), 0);
    assert_int_equal(xpath_count(doc, CLASS("cut")), 0);
    assert_int_equal(xpath_count(doc, CLASS("in-transit")), 0);
    assert_int_equal(xpath_count(doc, CLASS("orphan")), 0);
    /* 2 kinds + 6 marks. */
    assert_int_equal(xpath_count(doc, "//*[@class='legend']/*[local-name()="
                                      "'text']"), 8);
    size_t len;
    char *text = file_read(trace, &len);
    assert_non_null(text);
    assert_null(strstr(text, "\"mark\""));
    free(text);
    xmlFreeDoc(doc);
    cli_output_release(&out);
    free(svg);
    free(trace);
    tmpdir_remove(dir);
}

/* Same seed, same picture bytes; another seed, another picture. */
static void test_deterministic(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *a = path_in(dir, "a.svg"), *b = path_in(dir, "b.svg");
    char *c = path_in(dir, "c.svg");
    struct cli_output out;
    run_bank(&out, "chandy-lamport", false, "6", a, NULL);
    cli_output_release(&out);
    run_bank(&out, "chandy-lamport", false, "6", b, NULL);
    cli_output_release(&out);
    run_bank(&out, "chandy-lamport", false, "7", c, NULL);
    cli_output_release(&out);
    size_t la, lb, lc;
    char *ta = file_read(a, &la), *tb = file_read(b, &lb);
    char *tc = file_read(c, &lc);
    assert_non_null(ta);
    assert_non_null(tb);
    assert_non_null(tc);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    assert_true(la != lc || memcmp(ta, tc, la) != 0);
    free(ta);
    free(tb);
    free(tc);
    free(a);
    free(b);
    free(c);
    tmpdir_remove(dir);
}

/* ------------------------------------------------------------------------ */
/* The trace's mark events.                                                  */

/* The text of a member's value up to the next ", \"" or "}" (for lamport
 * and vc comparisons as text). */
static void member_text(const char *line, const char *name, char *buf,
                        size_t len)
{
    char key[32];
    snprintf(key, sizeof key, "\"%s\": ", name);
    const char *p = strstr(line, key);
    assert_non_null(p);
    p += strlen(key);
    const char *end = *p == '[' ? strchr(p, ']') + 1 : strpbrk(p, ",}");
    assert_non_null(end);
    size_t n = (size_t)(end - p);
    assert_true(n < len);
    memcpy(buf, p, n);
    buf[n] = '\0';
}

/* One `mark` line per node, labelled "cut", at the node's recording; a
 * mark ticks neither clock: its lamport and vc are the node's previous
 * line's, and the node's next clock-advancing line is one more. */
static void test_trace_marks(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg"), *trace = path_in(dir, "t.jsonl");
    struct cli_output out;
    run_bank(&out, "chandy-lamport", true, "1", svg, trace);
    assert_int_equal(out.status, 0);
    size_t len;
    char *text = file_read(trace, &len);
    assert_non_null(text);
    /* p0 initiates at t = 100: its mark is the first, at t 100. */
    const char *first = strstr(text, "\"type\": \"mark\"");
    assert_non_null(first);
    while (first > text && first[-1] != '\n')
        first--;
    assert_memory_equal(first, "{\"t\": 100, \"seq\": ", 17);
    assert_non_null(strstr(first, ", \"node\": 0, \"type\": \"mark\""));
    /* Each node's last line so far (lamport, vc as text). */
    char last_lamport[3][32] = {{0}}, last_vc[3][128] = {{0}};
    int marks[3] = {0};
    int after_mark[3] = {0}; /* 1: the next ticking line is still to see */
    char mark_lamport[3][32];
    char *line = strchr(text, '\n') + 1;
    while (*line) {
        char *end = strchr(line, '\n');
        assert_non_null(end);
        *end = '\0';
        char node_text[16], lamport[32], vc[128];
        member_text(line, "node", node_text, sizeof node_text);
        int node = atoi(node_text);
        assert_true(node >= 0 && node < 3);
        member_text(line, "lamport", lamport, sizeof lamport);
        member_text(line, "vc", vc, sizeof vc);
        if (strstr(line, "\"type\": \"mark\"")) {
            assert_non_null(strstr(line, ", \"type\": \"mark\", "
                                         "\"label\": \"cut\", \"lamport\": "));
            marks[node]++;
            assert_string_equal(lamport, last_lamport[node]);
            assert_string_equal(vc, last_vc[node]);
            snprintf(mark_lamport[node], sizeof mark_lamport[node], "%s",
                     lamport);
            after_mark[node] = 1;
        } else if (after_mark[node] && (strstr(line, "\"type\": \"send\"") ||
                                        strstr(line, "\"type\": \"recv\"") ||
                                        strstr(line, "\"type\": \"timer\""))) {
            assert_int_equal(strtoull(lamport, NULL, 10),
                             strtoull(mark_lamport[node], NULL, 10) + 1);
            after_mark[node] = 0;
        }
        snprintf(last_lamport[node], sizeof last_lamport[node], "%s",
                 lamport);
        snprintf(last_vc[node], sizeof last_vc[node], "%s", vc);
        line = end + 1;
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(marks[i], 1);
    free(text);
    cli_output_release(&out);
    free(svg);
    free(trace);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chandy_lamport_fifo),
        cmocka_unit_test(test_chandy_lamport_orphans),
        cmocka_unit_test(test_lai_yang_no_fifo),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_no_cut_without_marks),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_trace_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
