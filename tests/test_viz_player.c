/*
 * test_viz_player.c - the animated HTML player (--html): one file that
 * loads nothing from the network, the same bytes for the same run, the
 * run's layout and events inside it, and, in headless Chromium when it is
 * installed (Debian's `chromium`), a page that loads without errors, shows
 * every node, and after "step" 10 times shows the trace's 10th event.  The
 * Chromium run leaves a screenshot next to the test binary.
 */
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

#include "support.h"

#define CHROMIUM "/usr/bin/chromium"

static char *join(const char *dir, const char *name)
{
    char *path = malloc(strlen(dir) + strlen(name) + 2);
    assert_non_null(path);
    sprintf(path, "%s/%s", dir, name);
    return path;
}

/* Run chang-roberts on uring:5 with --html DIR/NAME (and --trace when
 * `trace` is not NULL); returns the page. */
static char *write_player(const char *dir, const char *name,
                          const char *trace, const char *topology,
                          const char *algorithm, size_t *len)
{
    char *html = join(dir, name);
    char *trace_path = trace ? join(dir, trace) : NULL;
    const char *argv[] = {NULL, "run", algorithm, "--topology", topology,
                          "--html", html, trace ? "--trace" : NULL,
                          trace_path, NULL};
    struct cli_output out;
    cli_run(&out, argv);
    if (out.status != 0)
        fail_msg("disco exited %d: %s", out.status, out.err);
    assert_int_equal(out.err_len, 0);
    cli_output_release(&out);
    char *page = file_read(html, len);
    assert_non_null(page);
    free(html);
    free(trace_path);
    return page;
}

/* ------------------------------------------------------------------------ */

static void test_self_contained(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    size_t len;
    char *page = write_player(dir, "p.html", NULL, "uring:5", "chang-roberts",
                              &len);
    assert_true(len > 1000);
    assert_int_equal(strlen(page), len);
    assert_memory_equal(page, "<!DOCTYPE html>\n", 16);
    assert_string_equal(page + len - 8, "</html>\n");
    /* Nothing the browser would fetch: no address, no external script,
     * style sheet, image or font. */
    static const char *const forbidden[] = {
        "http://", "https://", "src=\"//", "src=", "<link", "@import",
        "url(", "<img", "<iframe", "fetch(", "XMLHttpRequest", "import(",
    };
    for (size_t i = 0; i < sizeof forbidden / sizeof forbidden[0]; i++)
        if (strstr(page, forbidden[i]))
            fail_msg("the player refers to '%s'", forbidden[i]);
    /* Exactly the two inline scripts: the run and the player. */
    assert_int_equal(count_substring(page, "<script"), 2);
    assert_non_null(strstr(page, "<script type=\"application/json\" "
                                 "id=\"run\">"));
    free(page);
    tmpdir_remove(dir);
}

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    size_t a_len, b_len;
    char *a = write_player(dir, "a.html", NULL, "uring:5", "chang-roberts",
                           &a_len);
    char *b = write_player(dir, "b.html", NULL, "uring:5", "chang-roberts",
                           &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    free(a);
    free(b);
    /* A force layout too (a random tree drawn by BFS layers, a random
     * graph by force): same bytes again. */
    a = write_player(dir, "c.html", NULL, "gnp:12:0.3", "echo", &a_len);
    b = write_player(dir, "d.html", NULL, "gnp:12:0.3", "echo", &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    free(a);
    free(b);
    tmpdir_remove(dir);
}

/* The text of the JSON array member `name` in the page, up to its ']'. */
static char *member(const char *page, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\": [", name);
    const char *p = strstr(page, key);
    assert_non_null(p);
    p += strlen(key);
    const char *end = strchr(p, ']');
    assert_non_null(end);
    char *text = malloc((size_t)(end - p) + 1);
    assert_non_null(text);
    memcpy(text, p, (size_t)(end - p));
    text[end - p] = '\0';
    return text;
}

static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

static void test_layout_and_events(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    size_t len;
    char *page = write_player(dir, "p.html", "t.jsonl", "uring:5",
                              "chang-roberts", &len);
    /* A ring is a circle, node 0 at the top, clockwise. */
    char *x = member(page, "x"), *y = member(page, "y");
    assert_string_equal(x, "0.0000,0.9511,0.5878,-0.5878,-0.9511");
    assert_string_equal(y, "-1.0000,-0.3090,0.8090,0.8090,-0.3090");
    /* Edges [from, to, weight, bend]: the five channels i -> i+1. */
    assert_non_null(strstr(page, "\"edges\": [[0,1,1,0],[1,2,1,0],[2,3,1,0],"
                                 "[3,4,1,0],[4,0,1,0]]"));
    char *leader = member(page, "leader");
    assert_string_equal(leader, "0,0,0,0,1"); /* id 5 at node 4 */
    free(x), free(y), free(leader);
    /* One event per trace line after the header. */
    char *trace = join(dir, "t.jsonl");
    char *lines = file_read(trace, NULL);
    assert_non_null(lines);
    char *seq = member(page, "seq");
    assert_int_equal(count_char(seq, ',') + 1, count_char(lines, '\n') - 1);
    free(seq), free(lines), free(trace), free(page);

    /* A grid is a grid, row-major. */
    page = write_player(dir, "g.html", NULL, "grid:2x3", "echo", &len);
    x = member(page, "x"), y = member(page, "y");
    assert_string_equal(x, "0.0000,1.0000,2.0000,0.0000,1.0000,2.0000");
    assert_string_equal(y, "0.0000,0.0000,0.0000,1.0000,1.0000,1.0000");
    free(x), free(y), free(page);
    tmpdir_remove(dir);
}

static void test_bad_path(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *html = join(dir, "missing/p.html");
    const char *argv[] = {NULL, "run", "chang-roberts", "--topology",
                          "uring:5", "--html", html, NULL};
    struct cli_output out;
    cli_run(&out, argv);
    assert_int_equal(out.status, 2);
    assert_int_equal(out.out_len, 0);
    assert_int_equal(count_char(out.err, '\n'), 1);
    assert_non_null(strstr(out.err, html));
    cli_output_release(&out);
    /* A refused run leaves no player. */
    char *ok = join(dir, "p.html");
    const char *refused[] = {NULL, "run", "chang-roberts", "--topology",
                             "grid:3x3", "--html", ok, NULL};
    cli_run(&out, refused);
    assert_int_equal(out.status, 2);
    assert_int_equal(count_char(out.err, '\n'), 1);
    cli_output_release(&out);
    assert_int_equal(dir_entry_count(dir), 0);
    free(ok);
    free(html);
    tmpdir_remove(dir);
}

/* ------------------------------------------------------------------------ */
/* Headless Chromium.                                                        */

/* Run chromium with `args` on file://PAGE#HASH; its stdout, owned. */
static char *chromium(const char *profile, const char *args, const char *page,
                      const char *hash)
{
    char command[4096];
    snprintf(command, sizeof command,
             "timeout 120 " CHROMIUM " --headless --no-sandbox --disable-gpu "
             "--disable-quic --no-first-run --disable-background-networking "
             "--disable-component-update --disable-sync "
             "--user-data-dir='%s' --virtual-time-budget=5000 %s "
             "'file://%s#%s' 2>/dev/null",
             profile, args, page, hash);
    FILE *p = popen(command, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t got;
    while ((got = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (len + 1 == cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
    }
    out[len] = '\0';
    int status = pclose(p);
    if (status != 0)
        fail_msg("chromium failed (status %d): %s", status, command);
    return out;
}

/* The text of <pre id="selftest"> with the HTML entities undone. */
static char *selftest_text(const char *dom)
{
    const char *open = "<pre id=\"selftest\">";
    const char *p = strstr(dom, open);
    if (!p)
        fail_msg("no selftest element in the dumped page");
    p += strlen(open);
    const char *end = strstr(p, "</pre>");
    assert_non_null(end);
    char *text = malloc((size_t)(end - p) + 1);
    assert_non_null(text);
    size_t n = 0;
    while (p < end) {
        if (!strncmp(p, "&amp;", 5))
            text[n++] = '&', p += 5;
        else if (!strncmp(p, "&lt;", 4))
            text[n++] = '<', p += 4;
        else if (!strncmp(p, "&gt;", 4))
            text[n++] = '>', p += 4;
        else if (!strncmp(p, "&quot;", 6))
            text[n++] = '"', p += 6;
        else
            text[n++] = *p++;
    }
    text[n] = '\0';
    return text;
}

static long json_int(const char *json, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *p = strstr(json, key);
    if (!p)
        fail_msg("no '%s' in %s", name, json);
    return strtol(p + strlen(key), NULL, 10);
}

/* A JSON string member, unescaped (\" and \\ only: what a trace line
 * holds), owned. */
static char *json_str(const char *json, const char *name)
{
    char key[64];
    snprintf(key, sizeof key, "\"%s\":\"", name);
    const char *p = strstr(json, key);
    if (!p)
        fail_msg("no '%s' in %s", name, json);
    p += strlen(key);
    char *out = malloc(strlen(p) + 1);
    assert_non_null(out);
    size_t n = 0;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1])
            p++;
        out[n++] = *p;
    }
    out[n] = '\0';
    return out;
}

/* Line `index` (0-based) of a text, without its newline, owned. */
static char *line_of(const char *text, int index)
{
    for (int i = 0; i < index && text; i++) {
        text = strchr(text, '\n');
        if (text)
            text++;
    }
    assert_non_null(text);
    const char *end = strchr(text, '\n');
    assert_non_null(end);
    char *line = malloc((size_t)(end - text) + 1);
    assert_non_null(line);
    memcpy(line, text, (size_t)(end - text));
    line[end - text] = '\0';
    return line;
}

/* Where artifacts go: beside this test's binary in the build tree. */
static char *artifact_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    assert_true(n > 0);
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    assert_non_null(slash);
    *slash = '\0';
    char *dir = join(exe, "test_viz_player-artifacts");
    mkdir(dir, 0755);
    return dir;
}

static void test_in_chromium(void **state)
{
    (void)state;
    if (access(CHROMIUM, X_OK) != 0) {
        print_message("skipped: %s is not installed (Debian package "
                      "'chromium')\n", CHROMIUM);
        skip();
    }
    char *dir = tmpdir_create();
    size_t len;
    char *page = write_player(dir, "p.html", "t.jsonl", "uring:5",
                              "chang-roberts", &len);
    free(page);
    char *html = join(dir, "p.html");
    char *profile = join(dir, "profile");

    char *dom = chromium(profile, "--dump-dom", html, "selftest=10");
    char *report = selftest_text(dom);
    print_message("selftest: %s\n", report);
    assert_int_equal(json_int(report, "nodes"), 5);
    assert_int_equal(json_int(report, "event"), 10);
    assert_non_null(strstr(report, "\"errors\":[]"));
    /* The 10th event is the trace's 11th line (the first is the header). */
    char *trace_path = join(dir, "t.jsonl");
    char *trace = file_read(trace_path, NULL);
    assert_non_null(trace);
    char *tenth = line_of(trace, 10);
    char *shown = json_str(report, "shown");
    assert_string_equal(shown, tenth);
    /* The event's text names the node by index, as the trace does, with
     * its id (it gave the id alone: "node 7" for the trace's node 1). */
    char *text = json_str(report, "text");
    char who[64];
    snprintf(who, sizeof who, "node %ld (id ", json_int(tenth, "node"));
    if (!strstr(text, who))
        fail_msg("'%s' does not name '%s'", text, who);
    free(text);
    free(shown), free(tenth), free(trace), free(trace_path);
    free(report), free(dom);

    /* Without the self-test: no errors either (the report stays empty). */
    dom = chromium(profile, "--dump-dom", html, "");
    assert_non_null(strstr(dom, "<pre id=\"selftest\"></pre>"));
    free(dom);

    /* The screenshot, 1280x800, kept as a test artifact. */
    char *artifacts = artifact_dir();
    char *png = join(artifacts, "player.png");
    unlink(png);
    char args[4200];
    snprintf(args, sizeof args, "--screenshot='%s' --window-size=1280,800",
             png);
    free(chromium(profile, args, html, "selftest=14&node=2"));
    size_t png_len;
    char *image = file_read(png, &png_len);
    if (!image)
        fail_msg("no screenshot at %s", png);
    assert_true(png_len > 8 + 25);
    assert_memory_equal(image, "\x89PNG\r\n\x1a\n", 8);
    /* IHDR: width and height, big-endian, right after the chunk header. */
    const unsigned char *ihdr = (const unsigned char *)image + 16;
    assert_int_equal((ihdr[0] << 24) | (ihdr[1] << 16) | (ihdr[2] << 8) |
                         ihdr[3],
                     1280);
    assert_int_equal((ihdr[4] << 24) | (ihdr[5] << 16) | (ihdr[6] << 8) |
                         ihdr[7],
                     800);
    print_message("screenshot: %s\n", png);
    free(image), free(png), free(artifacts);
    free(profile), free(html);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_contained),
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_layout_and_events),
        cmocka_unit_test(test_bad_path),
        cmocka_unit_test(test_in_chromium),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
