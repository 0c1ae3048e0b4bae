/*
 * test_viz_spacetime.c - the space-time diagram (--spacetime, --window)
 * and the ShiViz export (--shiviz).
 *
 * The SVG is parsed with libxml2 and its marked elements counted with
 * XPath against the run's own numbers (the JSON summary, the trace): one
 * lane per process, one arrow per delivery, one cross per loss.  The
 * ShiViz log is compared with golden files whose vector clocks were worked
 * out by hand, and with the worked case of the course's reference
 * (shared/reference/algorithms.md, "Logical time").
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
#include "viz.h"

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                  */

static void run_ok(struct cli_output *out, const char *const argv[])
{
    cli_run(out, argv);
    if (out->status != 0)
        fail_msg("disco exited %d: %s", out->status, out->err);
}

/* A run that completes, whatever its verdict (faults may break an
 * algorithm's properties: exit 1 still writes every file). */
static void run_done(struct cli_output *out, const char *const argv[])
{
    cli_run(out, argv);
    if (out->status != 0 && out->status != 1)
        fail_msg("disco exited %d: %s", out->status, out->err);
}

/* One message of a trace: when it was sent, and when (if) received. */
struct trace_msg {
    uint64_t sent, received;
    int deliveries;
};

/* A member of one trace line, as a number (-1 when absent). */
static int64_t member(const char *line, const char *name)
{
    char key[32];
    snprintf(key, sizeof key, "\"%s\": ", name);
    const char *p = strstr(line, key);
    return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

/* Read a trace's sends and receives (messages indexed by msg - 1); returns
 * the message count.  Counts events of each type with t in [t1, t2]. */
static size_t read_trace(const char *path, struct trace_msg **msgs,
                         uint64_t t1, uint64_t t2, int *dots_in_window,
                         int *decides)
{
    size_t len;
    char *text = file_read(path, &len);
    assert_non_null(text);
    size_t cap = 16, count = 0;
    *msgs = calloc(cap, sizeof **msgs);
    *dots_in_window = 0;
    *decides = 0;
    for (char *line = strchr(text, '\n'); line && line[1]; ) {
        line++;
        char *end = strchr(line, '\n');
        assert_non_null(end);
        *end = '\0';
        int64_t t = member(line, "t");
        bool in = t >= 0 && (uint64_t)t >= t1 && (uint64_t)t <= t2;
        bool send = strstr(line, "\"type\": \"send\"") != NULL;
        bool recv = strstr(line, "\"type\": \"recv\"") != NULL;
        if (strstr(line, "\"type\": \"decide\"") && in)
            ++*decides;
        if ((send || recv || strstr(line, "\"type\": \"timer\"")) && in)
            ++*dots_in_window;
        if (send || recv) {
            size_t m = (size_t)member(line, "msg");
            assert_true(m >= 1);
            while (m > cap) {
                *msgs = realloc(*msgs, 2 * cap * sizeof **msgs);
                memset(*msgs + cap, 0, cap * sizeof **msgs);
                cap *= 2;
            }
            if (m > count)
                count = m;
            if (send) {
                (*msgs)[m - 1].sent = (uint64_t)t;
            } else {
                (*msgs)[m - 1].received = (uint64_t)t;
                (*msgs)[m - 1].deliveries++;
            }
        }
        line = end;
    }
    free(text);
    return count;
}

/* ------------------------------------------------------------------------ */
/* The space-time diagram.                                                   */

/* Chang-Roberts on uring:5, increasing ids: 2n-1 = 9 elect + 5 leader
 * messages, all delivered; five lanes; five decisions. */
static void test_lanes_and_arrows(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    struct cli_output out;
    run_ok(&out, (const char *const[]){NULL, "run", "chang-roberts",
                                       "--topology", "uring:5", "--json",
                                       "--spacetime", svg, NULL});
    assert_int_equal(json_u64(out.out, "delivered"), 14);
    xmlDocPtr doc = parse_svg(svg);
    assert_int_equal(xpath_count(doc, CLASS("lane")), 5);
    assert_int_equal(xpath_count(doc, "//*[local-name()='g' and "
                                      "@class='lane']"), 5);
    assert_int_equal(xpath_count(doc, CLASS("msg")), 14);
    assert_int_equal(xpath_count(doc, "//*[local-name()='line' and "
                                      "@class='msg']"), 14);
    /* Coloured by kind: 9 elect (kind 0), 5 leader (kind 1), distinct
     * colours; no drops, no duplicates, no crashes. */
    assert_int_equal(xpath_count(doc, CLASS("msg") "[@data-kind='0']"), 9);
    assert_int_equal(xpath_count(doc, CLASS("msg") "[@data-kind='1']"), 5);
    char c0[32], c1[32];
    xpath_string(doc, "string((" CLASS("msg") "[@data-kind='0'])[1]/@stroke)",
                 c0, sizeof c0);
    xpath_string(doc, "string((" CLASS("msg") "[@data-kind='1'])[1]/@stroke)",
                 c1, sizeof c1);
    assert_string_not_equal(c0, c1);
    assert_int_equal(xpath_count(doc, CLASS("drop")), 0);
    assert_int_equal(xpath_count(doc, "//*[@data-dup]"), 0);
    assert_int_equal(xpath_count(doc, CLASS("crash")), 0);
    assert_int_equal(xpath_count(doc, CLASS("decide")), 5);
    /* One dot per send and receive: 14 + 14. */
    assert_int_equal(xpath_count(doc, CLASS("ev")), 28);
    /* Lanes name the node index and its id. */
    char label[128];
    xpath_string(doc, "string(//*[@id='lane3']/*[local-name()='text'])",
                 label, sizeof label);
    assert_string_equal(label, "node 3 \xc2\xb7 id 4");
    /* A legend entry per kind. */
    assert_int_equal(
        xpath_count(doc, "//*[@class='legend']/*[local-name()='text' and "
                         "(text()='elect' or text()='leader')]"), 2);
    /* Every event's tooltip has its Lamport clock; the first send of node
     * 0 is its first event: Lamport 1, vector (1,0,0,0,0). */
    assert_int_equal(xpath_count(doc, CLASS("ev") "/*[local-name()='title' "
                                      "and contains(., 'Lamport ')]"), 28);
    xpath_string(doc, "string((" CLASS("ev") ")[1]/*[local-name()='title'])",
                 label, sizeof label);
    assert_string_equal(label, "node 0 \xc2\xb7 send elect to node 1 (msg 1) "
                               "\xc2\xb7 t 0 \xc2\xb7 Lamport 1, "
                               "vector (1,0,0,0,0)");
    xmlFreeDoc(doc);
    cli_output_release(&out);
    free(svg);
    tmpdir_remove(dir);
}

/* With loss, the dropped messages end in crosses and the arrows are the
 * deliveries only. */
static void test_drops_are_crosses(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    struct cli_output out;
    run_done(&out, (const char *const[]){NULL, "run", "flood", "--topology",
                                       "grid:4x4", "--loss", "0.3", "--seed",
                                       "5", "--json", "--spacetime", svg,
                                       NULL});
    uint64_t dropped = json_u64(out.out, "dropped");
    uint64_t delivered = json_u64(out.out, "delivered");
    assert_true(dropped > 0);
    xmlDocPtr doc = parse_svg(svg);
    assert_int_equal(xpath_count(doc, CLASS("lane")), 16);
    assert_int_equal(xpath_count(doc, CLASS("msg")), (int)delivered);
    assert_int_equal(xpath_count(doc, CLASS("drop")), (int)dropped);
    /* Each cross is one path of two strokes inside its drop group. */
    assert_int_equal(xpath_count(doc, CLASS("drop") "/*[local-name()='path']"),
                     (int)dropped);
    xmlFreeDoc(doc);
    cli_output_release(&out);
    free(svg);
    tmpdir_remove(dir);
}

/* Duplicates: the second delivery of a message is marked. */
static void test_duplicates_marked(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    struct cli_output out;
    run_done(&out, (const char *const[]){NULL, "run", "flood", "--topology",
                                       "grid:4x4", "--dup", "0.3", "--seed",
                                       "2", "--json", "--spacetime", svg,
                                       NULL});
    uint64_t duplicated = json_u64(out.out, "duplicated");
    assert_true(duplicated > 0);
    xmlDocPtr doc = parse_svg(svg);
    assert_int_equal(xpath_count(doc, CLASS("msg")),
                     (int)json_u64(out.out, "delivered"));
    assert_int_equal(xpath_count(doc, CLASS("msg") "[@data-dup='1']"),
                     (int)duplicated);
    assert_int_equal(xpath_count(doc, CLASS("dupmark")), (int)duplicated);
    xmlFreeDoc(doc);
    cli_output_release(&out);
    free(svg);
    tmpdir_remove(dir);
}

/* A Byzantine commander's forged orders are drawn in red: om on
 * complete:4 with attack-half from a commander whose order is retreat
 * rewrites 2 of its 3 orders (to lieutenants 1 and 2); the trace marks
 * the same sends. */
static void test_forged_in_red(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    char *trace = path_in(dir, "t.jsonl");
    struct cli_output out;
    cli_run(&out, (const char *const[]){NULL, "run", "om", "--topology",
                                        "complete:4", "--param", "value=0",
                                        "--byzantine", "0", "--strategy",
                                        "attack-half", "--spacetime", svg,
                                        "--trace", trace, NULL});
    assert_int_equal(out.status, 0);
    xmlDocPtr doc = parse_svg(svg);
    assert_int_equal(xpath_count(doc, CLASS("msg") "[@data-forged='1']"), 2);
    assert_int_equal(
        xpath_count(doc, CLASS("msg") "[@data-forged='1'][@stroke='#d62728']"),
        2);
    xmlFreeDoc(doc);
    size_t len;
    char *text = file_read(trace, &len);
    assert_non_null(text);
    assert_int_equal(count_substring(text, "\"forged\": true"), 2);
    free(text);
    cli_output_release(&out);
    free(svg);
    free(trace);
    tmpdir_remove(dir);
}

/* A crash is a red X, the lane dashed until the recovery. */
static void test_crash_and_recovery(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    struct cli_output out;
    run_done(&out, (const char *const[]){NULL, "run", "bully", "--topology",
                                         "complete:5", "--crash", "4@50",
                                         "--recover", "4@400", "--spacetime",
                                         svg, NULL});
    xmlDocPtr doc = parse_svg(svg);
    assert_int_equal(xpath_count(doc, CLASS("crash")), 1);
    assert_int_equal(xpath_count(doc, CLASS("recover")), 1);
    assert_int_equal(xpath_count(doc, "//*[@id='lane4']/*[local-name()='line'"
                                      " and @stroke-dasharray]"), 1);
    assert_int_equal(xpath_count(doc, CLASS("lane") "/*[local-name()='line'"
                                      " and @stroke-dasharray]"), 1);
    char title[256];
    xpath_string(doc, "string(" CLASS("crash") "/*[local-name()='title'])",
                 title, sizeof title);
    assert_non_null(strstr(title, "node 4 \xc2\xb7 crash \xc2\xb7 t 50 "));
    xmlFreeDoc(doc);
    cli_output_release(&out);

    /* Windows before the crash, across it, and inside the down time: the
     * lane is solid, solid then dashed, dashed all along. */
    static const struct {
        const char *window;
        int solid, dashed;
    } windows[] = {{"0:40", 1, 0}, {"40:60", 1, 1}, {"100:300", 0, 1}};
    for (size_t i = 0; i < 3; i++) {
        run_done(&out, (const char *const[]){NULL, "run", "bully",
                                             "--topology", "complete:5",
                                             "--crash", "4@50", "--recover",
                                             "4@400", "--spacetime", svg,
                                             "--window", windows[i].window,
                                             NULL});
        doc = parse_svg(svg);
        assert_int_equal(xpath_count(doc, "//*[@id='lane4']/*[local-name()="
                                          "'line' and @stroke-dasharray]"),
                         windows[i].dashed);
        assert_int_equal(xpath_count(doc, "//*[@id='lane4']/*[local-name()="
                                          "'line' and not(@stroke-dasharray)]"),
                         windows[i].solid);
        assert_int_equal(xpath_count(doc, CLASS("crash")),
                         i == 1 ? 1 : 0);
        xmlFreeDoc(doc);
        cli_output_release(&out);
    }
    free(svg);
    tmpdir_remove(dir);
}

/* --window T1:T2 keeps the deliveries whose flight overlaps the window
 * (cut at its edges) and the events inside it, as the trace says. */
static void test_window(void **state)
{
    (void)state;
    const uint64_t t1 = 50, t2 = 200;
    char *dir = tmpdir_create();
    char *svg = path_in(dir, "st.svg");
    char *trace = path_in(dir, "run.jsonl");
    struct cli_output out;
    run_ok(&out, (const char *const[]){NULL, "run", "chang-roberts",
                                       "--topology", "uring:5", "--trace",
                                       trace, "--spacetime", svg, "--window",
                                       "50:200", NULL});
    struct trace_msg *msgs;
    int dots, decides;
    size_t count = read_trace(trace, &msgs, t1, t2, &dots, &decides);
    assert_int_equal(count, 14);
    int expected = 0, clipped = 0;
    for (size_t m = 0; m < count; m++) {
        if (!msgs[m].deliveries || msgs[m].sent > t2 ||
            msgs[m].received < t1)
            continue;
        expected++;
        clipped += msgs[m].sent < t1 || msgs[m].received > t2;
    }
    assert_true(expected > 0 && expected < 14);
    assert_true(clipped > 0);
    xmlDocPtr doc = parse_svg(svg);
    assert_int_equal(xpath_count(doc, CLASS("lane")), 5);
    assert_int_equal(xpath_count(doc, CLASS("msg")), expected);
    assert_int_equal(xpath_count(doc, CLASS("msg") "[@data-clipped]"),
                     clipped);
    /* A delivery cut at its end has no arrowhead. */
    assert_int_equal(xpath_count(doc, CLASS("msg") "[@data-clipped='end' or "
                                      "@data-clipped='both'][@marker-end]"),
                     0);
    assert_int_equal(xpath_count(doc, CLASS("ev")), dots);
    assert_int_equal(xpath_count(doc, CLASS("decide")), decides);
    free(msgs);
    xmlFreeDoc(doc);
    cli_output_release(&out);
    free(trace);
    free(svg);
    tmpdir_remove(dir);
}

/* Same seed, same bytes; another seed, another picture. */
static void test_deterministic(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *a = path_in(dir, "a.svg"), *b = path_in(dir, "b.svg");
    char *c = path_in(dir, "c.svg");
    const char *files[] = {a, b, c};
    const char *seeds[] = {"3", "3", "4"};
    for (int i = 0; i < 3; i++) {
        struct cli_output out;
        run_done(&out, (const char *const[]){NULL, "run", "bully", "--topology",
                                           "complete:6", "--crash", "5@30",
                                           "--loss", "0.05", "--seed",
                                           seeds[i], "--spacetime", files[i],
                                           NULL});
        cli_output_release(&out);
    }
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

/* A bad --window: exit 2, one line naming it, no file left. */
static void test_bad_window(void **state)
{
    (void)state;
    static const struct {
        const char *window, *message;
    } cases[] = {
        {"5", "disco: bad --window '5': expected T1:T2, two whole numbers of "
              "ticks\n"},
        {"a:b", "disco: bad --window 'a:b': expected T1:T2, two whole "
                "numbers of ticks\n"},
        {"-1:5", "disco: bad --window '-1:5': expected T1:T2, two whole "
                 "numbers of ticks\n"},
        {"10:", "disco: bad --window '10:': expected T1:T2, two whole "
                "numbers of ticks\n"},
        {"9:3", "disco: bad --window '9:3': T1 is after T2\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *dir = tmpdir_create();
        char *svg = path_in(dir, "st.svg");
        struct cli_output out;
        cli_run(&out, (const char *const[]){NULL, "run", "chang-roberts",
                                            "--topology", "uring:5",
                                            "--spacetime", svg, "--window",
                                            cases[i].window, NULL});
        assert_int_equal(out.status, 2);
        assert_string_equal(out.err, cases[i].message);
        assert_int_equal(out.out_len, 0);
        assert_int_equal(dir_entry_count(dir), 0);
        cli_output_release(&out);
        free(svg);
        tmpdir_remove(dir);
    }
}

/* ------------------------------------------------------------------------ */
/* ShiViz.                                                                   */

static void check_golden(const char *const argv[], const char *golden_name)
{
    char *dir = tmpdir_create();
    char *log = path_in(dir, "run.shiviz");
    const char *args[32];
    size_t n = 1;
    args[0] = NULL;
    for (; argv[n]; n++)
        args[n] = argv[n];
    args[n++] = "--shiviz";
    args[n++] = log;
    args[n] = NULL;
    struct cli_output out;
    run_ok(&out, args);
    size_t got_len, want_len;
    char *got = file_read(log, &got_len);
    char *want = file_read(env_path("DISCO_GOLDEN", golden_name), &want_len);
    assert_non_null(got);
    assert_non_null(want);
    assert_string_equal(got, want);
    free(got);
    free(want);
    cli_output_release(&out);
    free(log);
    tmpdir_remove(dir);
}

/* flood on line:3 from node 0: a chain, each clock extends the last. */
static void test_shiviz_golden(void **state)
{
    (void)state;
    check_golden((const char *const[]){NULL, "run", "flood", "--topology",
                                       "line:3", "--seed", "1", NULL},
                 "flood-line3.shiviz");
}

/* Every node initiating: concurrent sends, clocks that merge. */
static void test_shiviz_golden_concurrent(void **state)
{
    (void)state;
    check_golden((const char *const[]){NULL, "run", "flood", "--topology",
                                       "line:3", "--seed", "1",
                                       "--initiators", "all", NULL},
                 "flood-line3-all.shiviz");
}

/* The worked case of algorithms.md, "Logical time": p1: a = send m1 to p2,
 * b = internal; p2: c = receive m1, d = send m2 to p3; p3: x = internal,
 * e = receive m2.  Vectors a (1,0,0), b (2,0,0), c (1,1,0), d (1,2,0),
 * x (0,0,1), e (1,2,2).  The processes are nodes 0..2, internal events
 * timers. */
static const char *const worked_kinds[] = {"m"};

static void worked_recorder(struct viz_recorder *rec,
                            struct disco_topology *topo,
                            struct disco_algorithm *alg,
                            struct viz_event *events)
{
    memset(topo, 0, sizeof *topo);
    topo->nodes = 3;
    snprintf(topo->spec, sizeof topo->spec, "worked");
    memset(alg, 0, sizeof *alg);
    alg->name = "worked-case";
    alg->message_kinds = worked_kinds;
    alg->kind_count = 1;
    const struct viz_event list[] = {
        {.type = DISCO_EV_SEND, .time = 1, .node = 0, .peer = 1, .kind = 0,
         .kind_name = "m", .msg = 1, .lamport = 1},               /* a */
        {.type = DISCO_EV_TIMER, .time = 2, .node = 0, .peer = 0, .kind = -1,
         .lamport = 2},                                            /* b */
        {.type = DISCO_EV_TIMER, .time = 2, .node = 2, .peer = 2, .kind = -1,
         .lamport = 1},                                            /* x */
        {.type = DISCO_EV_RECV, .time = 3, .node = 1, .peer = 0, .kind = 0,
         .kind_name = "m", .msg = 1, .lamport = 2},               /* c */
        {.type = DISCO_EV_SEND, .time = 3, .node = 1, .peer = 2, .kind = 0,
         .kind_name = "m", .msg = 2, .lamport = 3},               /* d */
        {.type = DISCO_EV_RECV, .time = 5, .node = 2, .peer = 1, .kind = 0,
         .kind_name = "m", .msg = 2, .lamport = 4},               /* e */
    };
    memcpy(events, list, sizeof list);
    memset(rec, 0, sizeof *rec);
    rec->alg = alg;
    rec->topo = topo;
    rec->events = events;
    rec->event_count = 6;
}

static void test_shiviz_worked_case(void **state)
{
    (void)state;
    struct viz_recorder rec;
    struct disco_topology topo;
    struct disco_algorithm alg;
    struct viz_event events[6];
    worked_recorder(&rec, &topo, &alg, events);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    struct disco_error err = {0};
    assert_int_equal(viz_write_shiviz(&rec, out, &err), 0);
    fclose(out);
    assert_string_equal(text,
                        "(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)\n"
                        "\n"
                        "node0 {\"node0\":1}\n"
                        "send m to node1 (msg 1, t=1)\n"
                        "node0 {\"node0\":2}\n"
                        "timer 0 (t=2)\n"
                        "node2 {\"node2\":1}\n"
                        "timer 0 (t=2)\n"
                        "node1 {\"node0\":1, \"node1\":1}\n"
                        "recv m from node0 (msg 1, t=3)\n"
                        "node1 {\"node0\":1, \"node1\":2}\n"
                        "send m to node2 (msg 2, t=3)\n"
                        "node2 {\"node0\":1, \"node1\":2, \"node2\":2}\n"
                        "recv m from node1 (msg 2, t=5)\n");
    free(text);
}

/* The same case in the space-time tooltips: b and c both have Lamport 2,
 * and their vectors (2,0,0) and (1,1,0) show them concurrent. */
static void test_spacetime_worked_case(void **state)
{
    (void)state;
    struct viz_recorder rec;
    struct disco_topology topo;
    struct disco_algorithm alg;
    struct viz_event events[6];
    worked_recorder(&rec, &topo, &alg, events);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    struct disco_error err = {0};
    assert_int_equal(viz_write_spacetime(&rec, out, NULL, &err), 0);
    fclose(out);
    xmlDocPtr doc = parse_xml(text, len);
    static const char *const tips[] = {
        "Lamport 1, vector (1,0,0)", "Lamport 2, vector (2,0,0)",
        "Lamport 1, vector (0,0,1)", "Lamport 2, vector (1,1,0)",
        "Lamport 3, vector (1,2,0)", "Lamport 4, vector (1,2,2)",
    };
    assert_int_equal(xpath_count(doc, CLASS("ev")), 6);
    for (int i = 0; i < 6; i++) {
        char expr[128], title[256];
        snprintf(expr, sizeof expr,
                 "string((" CLASS("ev") ")[%d]/*[local-name()='title'])",
                 i + 1);
        xpath_string(doc, expr, title, sizeof title);
        size_t a = strlen(title), b = strlen(tips[i]);
        assert_true(a >= b);
        assert_string_equal(title + a - b, tips[i]);
    }
    assert_int_equal(xpath_count(doc, CLASS("msg")), 2);
    assert_int_equal(xpath_count(doc, CLASS("lane")), 3);
    xmlFreeDoc(doc);
    free(text);
}

/* A larger run with crashes, loss and timers, checked as ShiViz checks
 * it: each host's own entry grows by exactly one per line, and a receive's
 * clock is at least its send's, entry by entry. */
#define MAX_HOSTS 8
#define MAX_MSGS 4096

static void parse_clock(const char *line, uint32_t clock[MAX_HOSTS])
{
    memset(clock, 0, MAX_HOSTS * sizeof *clock);
    for (const char *p = strchr(line, '{'); (p = strstr(p, "\"node"));) {
        unsigned host, value;
        assert_int_equal(sscanf(p, "\"node%u\":%u", &host, &value), 2);
        assert_true(host < MAX_HOSTS);
        clock[host] = value;
        p++;
    }
}

static void test_shiviz_clocks_consistent(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *log = path_in(dir, "run.shiviz");
    struct cli_output out;
    run_done(&out, (const char *const[]){NULL, "run", "bully", "--topology",
                                         "complete:6", "--crash", "5@30",
                                         "--recover", "5@700", "--loss",
                                         "0.05", "--seed", "3", "--shiviz",
                                         log, NULL});
    size_t len;
    char *text = file_read(log, &len);
    assert_non_null(text);
    static uint32_t sent[MAX_MSGS][MAX_HOSTS];
    static bool have_sent[MAX_MSGS];
    memset(have_sent, 0, sizeof have_sent);
    uint32_t last[MAX_HOSTS] = {0};
    int receives = 0, crashes = 0, lines = 0;
    char *saveptr;
    char *line = strtok_r(text, "\n", &saveptr); /* the regex */
    assert_string_equal(line, "(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)");
    assert_memory_equal(saveptr, "\n", 1); /* then an empty line */
    while ((line = strtok_r(NULL, "\n", &saveptr))) {
        char *desc = strtok_r(NULL, "\n", &saveptr);
        assert_non_null(desc);
        unsigned host;
        assert_int_equal(sscanf(line, "node%u {", &host), 1);
        assert_true(host < MAX_HOSTS);
        uint32_t clock[MAX_HOSTS];
        parse_clock(line, clock);
        assert_int_equal(clock[host], last[host] + 1);
        last[host] = clock[host];
        unsigned msg;
        const char *m = strstr(desc, "(msg ");
        if (m && sscanf(m, "(msg %u", &msg) == 1) {
            assert_true(msg >= 1 && msg <= MAX_MSGS);
            if (strncmp(desc, "send ", 5) == 0) {
                memcpy(sent[msg - 1], clock, sizeof clock);
                have_sent[msg - 1] = true;
            } else {
                assert_memory_equal(desc, "recv ", 5);
                assert_true(have_sent[msg - 1]);
                for (int k = 0; k < MAX_HOSTS; k++)
                    assert_true(clock[k] >= sent[msg - 1][k]);
                receives++;
            }
        }
        crashes += strncmp(desc, "crash", 5) == 0;
        lines++;
    }
    assert_true(receives > 10);
    assert_int_equal(crashes, 1);
    assert_true(lines > receives);
    free(text);
    cli_output_release(&out);
    free(log);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lanes_and_arrows),
        cmocka_unit_test(test_drops_are_crosses),
        cmocka_unit_test(test_duplicates_marked),
        cmocka_unit_test(test_crash_and_recovery),
        cmocka_unit_test(test_forged_in_red),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_bad_window),
        cmocka_unit_test(test_shiviz_golden),
        cmocka_unit_test(test_shiviz_golden_concurrent),
        cmocka_unit_test(test_shiviz_worked_case),
        cmocka_unit_test(test_spacetime_worked_case),
        cmocka_unit_test(test_shiviz_clocks_consistent),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return failed;
}
