/*
 * test_cli.c - the `disco` command as users and scripts see it: exact
 * counts in the JSON summary, the trace's shape, and for every kind of bad
 * input exit status 2, one line on stderr naming the culprit, nothing on
 * stdout and no file left behind.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "registry.h"
#include "support.h"

/* ------------------------------------------------------------------------ */
/* A small JSON checker: enough to prove that what disco writes parses, and
 * to list an object's top-level member names in order.                     */

static const char *json_value(const char *p, int depth, char (*keys)[32],
                              int *key_count, int max_keys);

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    return p;
}

static int hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
           (c >= 'A' && c <= 'F');
}

/* A string; copies up to 31 bytes of it into `out` when not NULL. */
static const char *json_string(const char *p, char *out)
{
    if (*p != '"')
        return NULL;
    p++;
    size_t n = 0;
    while (*p != '"') {
        if (*p == '\0' || (unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!hex_digit(p[i]))
                        return NULL;
                p += 4;
            } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
        if (out && n < 31)
            out[n++] = *p;
        p++;
    }
    if (out)
        out[n] = '\0';
    return p + 1;
}

static const char *json_number(const char *p)
{
    const char *start = p;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return NULL;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p > start ? p : NULL;
}

static const char *json_value(const char *p, int depth, char (*keys)[32],
                              int *key_count, int max_keys)
{
    p = json_ws(p);
    if (depth > 64)
        return NULL;
    if (*p == '{') {
        p = json_ws(p + 1);
        if (*p == '}')
            return p + 1;
        for (;;) {
            char key[32];
            p = json_string(p, key);
            if (!p)
                return NULL;
            if (depth == 0 && keys && *key_count < max_keys)
                memcpy(keys[(*key_count)++], key, sizeof key);
            p = json_ws(p);
            if (*p != ':')
                return NULL;
            p = json_value(p + 1, depth + 1, keys, key_count, max_keys);
            if (!p)
                return NULL;
            p = json_ws(p);
            if (*p == '}')
                return p + 1;
            if (*p != ',')
                return NULL;
            p = json_ws(p + 1);
        }
    }
    if (*p == '[') {
        p = json_ws(p + 1);
        if (*p == ']')
            return p + 1;
        for (;;) {
            p = json_value(p, depth + 1, keys, key_count, max_keys);
            if (!p)
                return NULL;
            p = json_ws(p);
            if (*p == ']')
                return p + 1;
            if (*p != ',')
                return NULL;
            p++;
        }
    }
    if (*p == '"')
        return json_string(p, NULL);
    if (!strncmp(p, "true", 4))
        return p + 4;
    if (!strncmp(p, "false", 5))
        return p + 5;
    if (!strncmp(p, "null", 4))
        return p + 4;
    return json_number(p);
}

/* True when `text` is exactly one JSON object (surrounding blanks aside);
 * its top-level member names go to keys[] when given. */
static bool json_object(const char *text, char (*keys)[32], int *key_count,
                        int max_keys)
{
    int dummy = 0;
    if (!key_count)
        key_count = &dummy;
    *key_count = 0;
    const char *p = json_ws(text);
    if (*p != '{')
        return false;
    p = json_value(p, 0, keys, key_count, max_keys);
    return p && *json_ws(p) == '\0';
}

/* ------------------------------------------------------------------------ */
/* Running disco.                                                            */

static const char *data(const char *name)
{
    return env_path("DISCO_DATA", name);
}

/* Run `disco run ARGS... --out DIR/out --trace DIR/x.jsonl` in a fresh
 * directory and check the usage error and that DIR stayed empty: neither
 * the output folder nor a trace (nor a temporary file) was left. */
static void expect_refused(const char *expected, const char *const args[])
{
    char *dir = tmpdir_create();
    char *out = path_in(dir, "out");
    char *trace = path_in(dir, "x.jsonl");
    const char *argv[32] = {NULL, "run"};
    int n = 2;
    for (int i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n++] = "--out";
    argv[n++] = out;
    argv[n++] = "--trace";
    argv[n++] = trace;
    argv[n] = NULL;
    struct cli_output o;
    cli_run(&o, argv);
    assert_usage_error(&o, expected);
    assert_int_equal(dir_entry_count(dir), 0);
    cli_output_release(&o);
    free(out);
    free(trace);
    tmpdir_remove(dir);
}

#define REFUSED(expected, ...)                                                 \
    do {                                                                       \
        const char *const refused_args_[] = {__VA_ARGS__, NULL};               \
        expect_refused((expected), refused_args_);                             \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Bad input.                                                                */

static void test_unknown_algorithm(void **unused)
{
    REFUSED("disco: unknown algorithm 'chang-robert' (did you mean "
            "'chang-roberts'?)\n",
            "chang-robert");
}

static void test_unknown_topology(void **unused)
{
    REFUSED("unknown topology 'rign:8' (did you mean 'ring:8'?)", "echo",
            "--topology", "rign:8");
}

static void test_unknown_flag(void **unused)
{
    REFUSED("disco: unknown option '--sede' (did you mean '--seed'?)\n", "echo",
            "--sede", "3");
    REFUSED("unknown option '--tarce' (did you mean '--trace'?)", "echo",
            "--tarce=x");
}

static void test_unknown_parameter(void **unused)
{
    REFUSED("unknown parameter 'foo' for echo", "echo", "--param", "foo=1");
    REFUSED("unknown parameter 'foo' for chang-roberts", "chang-roberts",
            "--param=foo=1");
}

/* A name in capitals or cut short gets a suggestion, on its one line;
 * names still match exactly, so each of these is refused. */
static void test_suggest_other_case_and_prefix(void **unused)
{
    REFUSED("disco: unknown option '--topo' (did you mean '--topology'?)\n",
            "echo", "--topo", "ring:4");
    REFUSED("disco: unknown option '--top' (did you mean '--topology'?)\n",
            "echo", "--top=ring:4");
    REFUSED("disco: unknown algorithm 'ECHO' (did you mean 'echo'?)\n",
            "ECHO");
    REFUSED("disco: unknown topology 'RING:8' (did you mean 'ring:8'?)\n",
            "echo", "--topology", "RING:8");
    REFUSED("disco: unknown parameter 'TIMEOUT' for bully (did you mean "
            "'timeout'?)\n",
            "bully", "--param", "TIMEOUT=5");
    struct cli_output o;
    RUN(&o, "list", "--JSON");
    assert_usage_error(&o,
                       "disco: unknown option '--JSON' (did you mean "
                       "'--json'?)\n");
    cli_output_release(&o);
}

/* "scenarios/lcr-ring8" is refused as an algorithm, with the scenario file
 * that is there as the suggestion; a name with no such file gets none. */
static void test_scenario_without_extension(void **unused)
{
    char target[1024], expected[4096];
    snprintf(target, sizeof target, "%s",
             env_path("DISCO_SCENARIOS", "lcr-ring8"));
    snprintf(expected, sizeof expected,
             "disco: unknown algorithm '%s' (did you mean '%s.dot'?)\n",
             target, target);
    REFUSED(expected, target);
    snprintf(target, sizeof target, "%s",
             env_path("DISCO_SCENARIOS", "no-such-scenario"));
    snprintf(expected, sizeof expected,
             "disco: unknown algorithm '%s' (see 'disco list')\n", target);
    REFUSED(expected, target);
}

/* A copy of `text` with its one occurrence of `from` replaced by `to`,
 * written to DIR/NAME; the path, to free. */
static char *write_variant(const char *dir, const char *name,
                           const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    if (!at || strstr(at + 1, from))
        fail_msg("'%s' is not in the text once", from);
    char *path = path_in(dir, name);
    size_t size = strlen(text) - strlen(from) + strlen(to) + 1;
    char *edited = malloc(size);
    assert_non_null(edited);
    snprintf(edited, size, "%.*s%s%s", (int)(at - text), text, to,
             at + strlen(from));
    file_write(path, edited);
    free(edited);
    return path;
}

/* A scenario's node inputs are checked against the algorithm's
 * declarations before the run: a value out of its range, and an attribute
 * that is neither the kernel's nor an input the algorithm reads, are
 * refused with one line naming the file and the node (exit 2); the same
 * files with values in range run. */
static void test_scenario_inputs(void **unused)
{
    char *bank = file_read(env_path("DISCO_SCENARIOS", "snapshot-bank.dot"),
                           NULL);
    char *om = file_read(
        env_path("DISCO_SCENARIOS", "consensus-om-three-generals.dot"), NULL);
    char *king = file_read(
        env_path("DISCO_SCENARIOS", "consensus-phase-king-traitor-kings.dot"),
        NULL);
    char *ring = file_read(data("cli_ring.dot"), NULL);
    assert_non_null(bank);
    assert_non_null(om);
    assert_non_null(king);
    assert_non_null(ring);
    static const char labels[] =
        "graph g {\n    algorithm = \"binary-link-labels\";\n"
        "    a; b [link_label = 1]; c [link_label = 0];\n"
        "    a -- b -- c -- a;\n}\n";
    static const struct {
        const char *name;
        int which; /* 0 bank, 1 om, 2 king, 3 labels, 4 ring */
        const char *from, *to;
        const char *error; /* after "disco: 'PATH': " */
    } cases[] = {
        {"bank.dot", 0, "p1 [balance = 200]", "p1 [balance = -5]",
         "node p1: bad balance '-5': balance must be between 0 and "
         "1000000000"},
        {"om.dot", 1, "c [value = 1,", "c [value = 7,",
         "node c: bad value '7': value must be between 0 and 1"},
        {"king7.dot", 2, "k1 [value = 1,", "k1 [value = 7,",
         "node k1: bad value '7': value must be between 0 and 1"},
        {"king-3.dot", 2, "p3 [value = 0]", "p3 [value = -3]",
         "node p3: bad value '-3': value must be between 0 and 1"},
        {"label5.dot", 3, "b [link_label = 1]", "b [link_label = 5]",
         "node b: bad link_label '5': link_label must be between 0 and 1"},
        {"label-1.dot", 3, "c [link_label = 0]", "c [link_label = -1]",
         "node c: bad link_label '-1': link_label must be between 0 and 1"},
        {"crashat.dot", 4, "a [id = 5]", "a [id = 5, crashat = 3]",
         "node a: unknown attribute 'crashat' (did you mean 'crash_at'?)"},
        {"balanse.dot", 0, "p1 [balance = 200]", "p1 [balanse = 200]",
         "node p1: unknown attribute 'balanse' (did you mean 'balance'?)"},
        {"note.dot", 4, "a [id = 5]", "a [id = 5, weight = 3]",
         "node a: unknown attribute 'weight' (chang-roberts reads no node "
         "input)"},
        {"note2.dot", 0, "p1 [balance = 200]", "p1 [balance = 200, age = 3]",
         "node p1: unknown attribute 'age' (chandy-lamport reads the node "
         "inputs: balance)"},
    };
    const char *texts[] = {bank, om, king, labels, ring};
    char *dir = tmpdir_create();
    char expected[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = write_variant(dir, cases[i].name, texts[cases[i].which],
                                   cases[i].from, cases[i].to);
        snprintf(expected, sizeof expected, "disco: '%s': %s\n", path,
                 cases[i].error);
        struct cli_output o;
        RUN(&o, "run", path);
        assert_usage_error(&o, expected);
        assert_string_equal(o.err, expected);
        cli_output_release(&o);
        free(path);
    }
    /* The same node attributes from --topology FILE.dot. */
    char *path = write_variant(dir, "typo.dot", ring, "a [id = 5]",
                               "a [id = 5, crashat = 3]");
    snprintf(expected, sizeof expected,
             "disco: '%s': node a: unknown attribute 'crashat' (did you "
             "mean 'crash_at'?)\n",
             path);
    struct cli_output o;
    RUN(&o, "run", "lcr", "--topology", path);
    assert_usage_error(&o, expected);
    assert_string_equal(o.err, expected);
    cli_output_release(&o);
    free(path);
    /* Another algorithm's inputs on a borrowed graph are left behind (eig
     * reads `value`, echo none); this algorithm's own are still judged. */
    const char *eig = env_path("DISCO_SCENARIOS", "consensus-eig-four.dot");
    RUN(&o, "run", "echo", "--topology", eig, "--json");
    assert_int_equal(o.status, 0);
    assert_int_equal(o.err_len, 0);
    assert_non_null(strstr(o.out, "\"messages\": 12,")); /* 2m, complete:4 */
    cli_output_release(&o);
    const char *paxos = env_path("DISCO_SCENARIOS", "consensus-paxos.dot");
    RUN(&o, "run", "om", "--topology", paxos);
    assert_usage_error(&o, "bad value '100': value must be between 0 and 1");
    cli_output_release(&o);

    /* In range, at the ends of the ranges: they run, with the exit status
     * each file always gave. */
    static const struct {
        const char *name;
        int which;
        const char *from, *to;
        int status; /* om's three generals (n = 3m) and a crashed
                       chang-roberts fail a property, as always */
    } fine[] = {
        {"bank0.dot", 0, "p1 [balance = 200]", "p1 [balance = 0]", 0},
        {"bankmax.dot", 0, "p1 [balance = 200]", "p1 [balance = 1000000000]",
         0},
        {"om0.dot", 1, "c [value = 1,", "c [value = 0,", 1},
        {"king.dot", 2, "k1 [value = 1,", "k1 [value = 0,", 0},
        {"label.dot", 3, "b [link_label = 1]", "b [link_label = 0]", 0},
        {"crash.dot", 4, "a [id = 5]", "a [id = 5, crash_at = 3]", 1},
    };
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        path = write_variant(dir, fine[i].name, texts[fine[i].which],
                             fine[i].from, fine[i].to);
        RUN(&o, "run", path, "--json");
        if (o.status == 2)
            fail_msg("%s refused: %s", fine[i].name, o.err);
        assert_int_equal(o.status, fine[i].status);
        assert_true(json_object(o.out, NULL, NULL, 0));
        assert_null(strstr(o.err, "disco: '"));
        cli_output_release(&o);
        free(path);
    }
    free(bank);
    free(om);
    free(king);
    free(ring);
    tmpdir_remove(dir);
}

/* A scenario is a file ending .dot or .gv in any case, as a run's target
 * and as --topology alike (--topology OK.DOT was taken for a DOT file by
 * the topology generator while 'disco run OK.DOT' was an unknown
 * algorithm). */
static void test_scenario_extensions(void **unused)
{
    size_t len;
    char *text = file_read(data("cli_ring.dot"), &len);
    assert_non_null(text);
    char *dir = tmpdir_create();
    static const char *const names[] = {"ring.DOT", "ring.gv", "ring.Gv"};
    for (size_t i = 0; i < 3; i++) {
        char *path = path_in(dir, names[i]);
        assert_int_equal(strlen(text), len); /* all of it written */
        file_write(path, text);
        struct cli_output o;
        RUN(&o, "run", path, "--json");
        assert_int_equal(o.status, 0);
        assert_int_equal(o.err_len, 0);
        assert_non_null(strstr(o.out, "\"algorithm\": \"chang-roberts\""));
        /* The file's ids 5,4,3,2,1 read: n(n+1)/2 = 15 elections. */
        assert_non_null(strstr(o.out, "\"elect\": 15,"));
        cli_output_release(&o);
        RUN(&o, "run", "chang-roberts", "--topology", path, "--json");
        assert_int_equal(o.status, 0);
        assert_int_equal(o.err_len, 0);
        assert_non_null(strstr(o.out, "\"elect\": 15,"));
        cli_output_release(&o);
        free(path);
    }
    tmpdir_remove(dir);
    free(text);
}

/* Control characters the user's argument carried are escaped, so that the
 * error stays one line: \n as \\n, the others as \\xHH. */
static void test_control_characters_escaped(void **unused)
{
    REFUSED("disco: bad topology 'ring:5\\n': N must be a positive "
            "integer\n",
            "echo", "--topology", "ring:5\n");
    REFUSED("disco: bad --seed '5\\n': expected a non-negative integer\n",
            "echo", "--seed", "5\n");
    REFUSED("disco: bad --seed '5\\x09\\x01\\x1b\\x7f': expected a "
            "non-negative integer\n",
            "echo", "--seed", "5\t\x01\x1b\x7f");
}

/* --delay exp:MEAN reads numbers as --loss does ("1e2"); const and uniform
 * bounds stay whole ticks, and say so. */
static void test_delay_exp_number_syntax(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", "echo", "--delay", "exp:1e2", "--json");
    assert_int_equal(o.status, 0);
    assert_int_equal(o.err_len, 0);
    assert_non_null(strstr(o.out, "\"delay\": \"exp:100\""));
    cli_output_release(&o);
    REFUSED("disco: bad delay 'const:1e2': D must be a whole number of "
            "ticks\n",
            "echo", "--delay", "const:1e2");

    /* A scenario's law is formatted and read again: its mean must come
     * back whole (%g made exp:1234567 'exp:1.23457e+06', refused). */
    char *dir = tmpdir_create();
    char *path = path_in(dir, "exp.dot");
    file_write(path, "digraph r { algorithm = \"chang-roberts\"; "
                     "delay = \"exp:1234567\"; a -> b -> c -> a; }\n");
    RUN(&o, "run", path, "--json");
    assert_int_equal(o.status, 0);
    assert_int_equal(o.err_len, 0);
    assert_non_null(strstr(o.out, "\"delay\": \"exp:1234567\""));
    cli_output_release(&o);
    remove(path);
    free(path);
    tmpdir_remove(dir);
}

static void test_malformed_dot(void **unused)
{
    REFUSED("malformed DOT in", data("cli_malformed.dot"));
    REFUSED("malformed DOT in", "echo", "--topology",
            data("cli_malformed.dot"));
}

static void test_shared_malformed_dot(void **unused)
{
    /* The scenario loader's own fixture, when it is there. */
    char *text = file_read(data("malformed.dot"), NULL);
    if (!text)
        skip();
    free(text);
    REFUSED("malformed DOT in", data("malformed.dot"));
}

static void test_bad_attribute_in_scenario(void **unused)
{
    REFUSED("bad seed 'soon'", data("cli_bad_attr.dot"));
}

static void test_unreadable_dot(void **unused)
{
    char *dir = tmpdir_create();
    char *missing = path_in(dir, "missing.dot");
    REFUSED("cannot read", missing);
    REFUSED("cannot read", "echo", "--topology", missing);
    free(missing);
    tmpdir_remove(dir);
}

static void test_duplicate_ids(void **unused)
{
    REFUSED("disco: chang-roberts needs unique ids; duplicate id 2 at nodes "
            "1 and 2\n",
            "chang-roberts", "--topology", "uring:4", "--ids", "1,2,2,3");
    /* In a DOT file, by the nodes' names (b and e), not their indices. */
    char *dir = tmpdir_create();
    char *path = path_in(dir, "dup.dot");
    file_write(path, "digraph g { algorithm = \"chang-roberts\"; a [id = 1]; "
                     "b [id = 2]; c [id = 3]; d [id = 4]; e [id = 2]; "
                     "a -> b; b -> c; c -> d; d -> e; e -> a }\n");
    REFUSED("disco: chang-roberts needs unique ids; duplicate id 2 at nodes "
            "b and e\n",
            path);
    free(path);
    tmpdir_remove(dir);
}

static void test_wrong_topology_for_algorithm(void **unused)
{
    REFUSED("chang-roberts needs a unidirectional ring; 'grid:3x3' is not "
            "one",
            "chang-roberts", "--topology", "grid:3x3");
    REFUSED("echo needs a connected network", "echo", "--topology",
            data("cli_disconnected.dot"));
}

/* A digraph must be strongly connected where the model asks for a
 * connected network: one line naming both, exit status 2.  The snapshots
 * run on digraphs, so this is what stops them on a one-way path. */
static void test_not_strongly_connected(void **unused)
{
    const char *const algorithms[] = {"chandy-lamport", "lai-yang"};
    for (size_t i = 0; i < 2; i++) {
        char expected[512];
        const char *path = data("cli_one_way_path.dot");
        snprintf(expected, sizeof expected,
                 "disco: %s needs a strongly connected network; '%s' is "
                 "directed and not strongly connected\n",
                 algorithms[i], path);
        REFUSED(expected, algorithms[i], "--topology", path);
    }
}

static void test_sizes_beyond_limits(void **unused)
{
    REFUSED("too large", "echo", "--topology", "complete:100000");
    REFUSED("too large", "echo", "--topology", "ring:99999999999");
}

static void test_sizes_beyond_memory(void **unused)
{
    /* Within the kernel's index limits, but about 170 GB: refused only
     * where that is more than the machine has (the estimate is checked
     * against physical memory), so a larger machine skips this case. */
    double bytes = (double)sysconf(_SC_PHYS_PAGES) *
                   (double)sysconf(_SC_PAGESIZE);
    if (bytes > 150e9)
        skip();
    REFUSED("topology 'complete:65000' would need about", "echo", "--topology",
            "complete:65000");
}

/* The estimate counts per-port state: a complete graph whose network
 * alone the estimate puts at a third of the machine's memory (40 bytes a
 * channel), with Chandy-Lamport's 128 bytes more per channel (its out- and
 * in-port parts), is refused before anything is built.  (Were the
 * estimate to forget them again, this test would build that third and
 * fail the run's allocation, slowly.) */
static void test_port_state_beyond_memory(void **unused)
{
    double bytes = (double)sysconf(_SC_PHYS_PAGES) *
                   (double)sysconf(_SC_PAGESIZE);
    double channels = bytes / 3 / 40; /* the estimate's 40 bytes each */
    if (bytes > 150e9 || channels < 1e6)
        skip(); /* beyond the kernel's limits, or too small to matter */
    uint32_t n = 1000;
    while ((double)n * n < channels)
        n += 100;
    char spec[32];
    snprintf(spec, sizeof spec, "complete:%u", n);
    char want[64];
    snprintf(want, sizeof want, "topology '%s' would need about", spec);
    REFUSED(want, "chandy-lamport", "--topology", spec);
}

static void test_negative_seed(void **unused)
{
    REFUSED("disco: bad --seed '-1': expected a non-negative integer\n", "echo",
            "--seed", "-1");
}

static void test_non_numeric_seed(void **unused)
{
    REFUSED("disco: bad --seed 'abc': expected a non-negative integer\n",
            "echo", "--seed", "abc");
    REFUSED("bad --seed '12x'", "echo", "--seed=12x");
    REFUSED("bad --seed '99999999999999999999'", "echo", "--seed",
            "99999999999999999999");
}

static void test_bad_delay(void **unused)
{
    REFUSED("bad delay 'uniform:5:x'", "echo", "--delay", "uniform:5:x");
}

static void test_bad_probability(void **unused)
{
    REFUSED("disco: bad --loss '1.5': expected a probability between 0 and "
            "1\n",
            "echo", "--loss", "1.5");
    REFUSED("bad --dup '-0.1'", "echo", "--dup", "-0.1");
    REFUSED("bad --loss 'nan'", "echo", "--loss", "nan");
}

static void test_negative_bound(void **unused)
{
    REFUSED("disco: bad --max-events '-3': expected a non-negative "
            "integer\n",
            "echo", "--max-events", "-3");
    REFUSED("bad --max-time 'soon'", "echo", "--max-time", "soon");
}

static void test_negative_size(void **unused)
{
    REFUSED("ring:-3", "echo", "--topology", "ring:-3");
}

static void test_option_syntax(void **unused)
{
    REFUSED("option '--json' takes no value", "echo", "--json=yes");
    REFUSED("unexpected argument 'extra'", "echo", "extra");
}

static void test_missing_value(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", "echo", "--seed");
    assert_usage_error(&o, "disco: option '--seed' needs a value");
    cli_output_release(&o);
}

static void test_check_needs_seeds(void **unused)
{
    /* check and sweep without --seeds are usage errors that say so. */
    struct cli_output o;
    RUN(&o, "check", "echo");
    assert_usage_error(&o, "disco check needs --seeds N");
    cli_output_release(&o);
}

static void test_unknown_command(void **unused)
{
    struct cli_output o;
    RUN(&o, "lsit");
    assert_usage_error(&o, "unknown command 'lsit'");
    cli_output_release(&o);
    RUN(&o, "info", "ech");
    assert_usage_error(&o, "unknown algorithm 'ech' (did you mean 'echo'?)");
    cli_output_release(&o);
}

/* ------------------------------------------------------------------------ */
/* Runs with exact figures.                                                  */

static void test_chang_roberts_worst_case(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", "chang-roberts", "--topology", "uring:16", "--ids",
        "decreasing", "--json");
    assert_int_equal(o.status, 0);
    assert_int_equal(o.err_len, 0);
    assert_true(json_object(o.out, NULL, NULL, 0));
    assert_non_null(strstr(o.out, "\"messages\": 152,"));
    assert_non_null(strstr(o.out, "\"messages_by_kind\": {\"elect\": 136, "
                                  "\"leader\": 16}"));
    assert_non_null(strstr(o.out, "\"verdict\": \"pass\""));
    assert_non_null(strstr(o.out, "\"terminated\": true"));
    assert_non_null(strstr(o.out, "\"rounds\": null"));
    assert_non_null(strstr(o.out, "\"topology\": {\"spec\": \"uring:16\", "
                                  "\"nodes\": 16, \"channels\": 16, "
                                  "\"directed\": true}"));
    cli_output_release(&o);
}

static void test_chang_roberts_best_case(void **unused)
{
    struct cli_output o;
    /* --opt=VALUE spelling, on purpose. */
    RUN(&o, "run", "chang-roberts", "--topology=uring:16", "--ids=increasing",
        "--json");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"elect\": 31,"));
    assert_non_null(strstr(o.out, "\"messages\": 47,"));
    cli_output_release(&o);
}

static void test_echo_petersen(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", "echo", "--topology", "petersen", "--json");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"messages\": 30,"));
    assert_non_null(strstr(o.out, "\"messages_by_kind\": {\"token\": 30}"));
    assert_non_null(strstr(o.out, "\"verdict\": \"pass\""));
    cli_output_release(&o);
}

/* `argv` (NULL-terminated, argv[0] ignored) with DISCO_CAUSAL set to
 * `causal` for that run alone. */
static void run_with_causal(struct cli_output *o, const char *causal,
                            const char *const argv[])
{
    setenv("DISCO_CAUSAL", causal, 1);
    cli_run(o, argv);
    unsetenv("DISCO_CAUSAL");
}

static bool ran_again(const struct cli_output *o)
{
    return strstr(o->err, "running again with the causal log") != NULL;
}

/* Causal tokens (DISCO_CAUSAL=tokens) and the causal log (=log) give the
 * same bytes.  Echo and dfs declare that tokens certify their waves
 * (tokens_certify) and they do; a wave broken by a second initiator is
 * not certified and runs again with the log, as the progress line says;
 * tree, phase and GHS do not declare it and keep the log.  `disco check`
 * agrees too, its rerun included (its progress line counts runs and does
 * not say so; were the tokens' "not checked" kept, the summaries would
 * differ).  By default the log serves below 65,536 nodes and tokens from
 * there; a log of more than a megabyte is kept in a reservation. */
static void test_causal_tokens_and_log_agree(void **unused)
{
    static const struct {
        const char *args[12];
        int status;
        bool again; /* `run`: tokens cannot certify, the run goes twice
                     * (`check` does not say so: its equal output, were the
                     * tokens' "not checked" kept, is the evidence) */
    } cases[] = {
        {{"run", "echo", "--topology", "gnp:40:0.2", "--seed", "3"}, 0, false},
        {{"run", "dfs", "--topology", "petersen"}, 0, false},
        /* 160,000 messages: the log moves from the heap into its
         * reservation (LOG_RESERVE_FROM in sim.c) part way. */
        {{"run", "echo", "--topology", "regular:20000:8"}, 0, false},
        {{"run", "echo", "--topology", "grid:5x5", "--initiators", "0,3"},
         1,
         true},
        {{"run", "tree", "--topology", "btree:31"}, 0, false},
        {{"run", "phase", "--topology", "grid:4x4"}, 0, false},
        {{"run", "ghs", "--topology", "grid:5x5", "--weights", "random",
          "--seed", "2"},
         0,
         false},
        {{"check", "echo", "--topology", "{grid:4x4,gnp:30:0.2}", "--dup",
          "0.05", "--seeds", "20"},
         1,
         false},
        {{"check", "tarry", "--topology", "gnp:20:0.3", "--seeds", "20"},
         0,
         false},
        {{"check", "echo", "--topology", "grid:5x5", "--initiators", "0,3",
          "--seeds", "5"},
         1,
         false},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        bool run = !strcmp(cases[k].args[0], "run");
        struct cli_output mode[2];
        for (int tokens = 0; tokens <= 1; tokens++) {
            const char *argv[16] = {NULL};
            int n = 1;
            for (int a = 0; cases[k].args[a]; a++)
                argv[n++] = cases[k].args[a];
            argv[n++] = "--json";
            if (run) {
                argv[n++] = "--progress";
                argv[n++] = "on";
            }
            run_with_causal(&mode[tokens], tokens ? "tokens" : "log", argv);
            assert_int_equal(mode[tokens].status, cases[k].status);
            if (run)
                assert_int_equal(ran_again(&mode[tokens]),
                                 tokens && cases[k].again);
        }
        assert_string_equal(mode[0].out, mode[1].out);
        cli_output_release(&mode[0]);
        cli_output_release(&mode[1]);
    }
    /* The default, on both sides of 65,536 nodes: the two-initiator echo
     * goes again only from there; tree, which does not declare
     * tokens_certify, never. */
    static const char *const rings[] = {"ring:65535", "ring:65536"};
    static const char *const trees[] = {"tree:65535", "tree:65536"};
    for (int big = 0; big <= 1; big++) {
        struct cli_output o;
        RUN(&o, "run", "echo", "--topology", rings[big], "--initiators",
            "0,3", "--json", "--progress", "on");
        assert_int_equal(o.status, 1);
        assert_int_equal(ran_again(&o), big);
        cli_output_release(&o);
        RUN(&o, "run", "tree", "--topology", trees[big], "--json",
            "--progress", "on");
        assert_int_equal(o.status, 0);
        assert_false(ran_again(&o));
        cli_output_release(&o);
    }
}

static void test_json_fields_in_order(void **unused)
{
    static const char *const fields[] = {
        "algorithm",        "topology",   "seed",    "model",        "messages",
        "messages_by_kind", "events",     "time",    "causal_depth", "rounds",
        "terminated",       "properties", "verdict", "result",
    };
    const int count = (int)(sizeof fields / sizeof fields[0]);
    struct cli_output o;
    RUN(&o, "run", "echo", "--json");
    assert_int_equal(o.status, 0);
    char keys[64][32];
    int n = 0;
    assert_true(json_object(o.out, keys, &n, 64));
    assert_true(n >= count);
    for (int i = 0; i < count; i++)
        assert_string_equal(keys[i], fields[i]);
    assert_non_null(strstr(o.out, "\"model\": {\"sync\": false, \"fifo\": "
                                  "true, \"delay\": \"uniform:1:100\", "
                                  "\"loss\": 0, \"dup\": 0}"));
    cli_output_release(&o);
}

static void test_bound_before_termination(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", "chang-roberts", "--max-events", "5", "--json");
    assert_int_equal(o.status, 1);
    assert_true(json_object(o.out, NULL, NULL, 0));
    assert_non_null(strstr(o.out, "\"terminated\": false"));
    assert_non_null(strstr(o.out, "\"verdict\": \"fail\""));
    assert_non_null(strstr(o.out, "\"stop\": \"max_events\""));
    cli_output_release(&o);
}

static void test_violation_exits_1(void **unused)
{
    /* Losing messages breaks echo's wave: a property fails, exit 1, and
     * the warning is one stderr line. */
    struct cli_output o;
    RUN(&o, "run", "echo", "--loss", "0.5", "--json");
    assert_int_equal(o.status, 1);
    assert_non_null(strstr(o.out, "\"holds\": false"));
    assert_non_null(strstr(o.out, "\"verdict\": \"fail\""));
    assert_true(strncmp(o.err, "disco: warning: ", 16) == 0);
    cli_output_release(&o);
}

/* Delays past what bully assumes (below timeout/2) draw one warning line
 * naming the bound and the way out, and the run goes ahead; its defaults
 * draw none. */
static void test_delay_bound_warns(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", "bully", "--delay", "uniform:1:200", "--max-events",
        "20000", "--json");
    assert_int_equal(o.status, 0);
    assert_true(json_object(o.out, NULL, NULL, 0));
    assert_string_equal(o.err,
                        "disco: warning: bully assumes every delay below "
                        "timeout/2 (timeout=250); running with delays up to "
                        "200 ticks anyway, and the run may not end (--param "
                        "timeout, --max-events)\n");
    cli_output_release(&o);
    RUN(&o, "run", "bully", "--json");
    assert_int_equal(o.status, 0);
    assert_string_equal(o.err, "");
    cli_output_release(&o);
}

/* The limits of a module, and parameters that name no node, are bad input:
 * exit 2 and one line naming the limit, before any run (the audit's cases,
 * which exited 1 after the run, or 0 ignoring the parameter). */
static void test_limits_refused(void **unused)
{
    REFUSED("disco: om keeps at most 10 processes; 'complete:11' has 11\n",
            "om", "--topology", "complete:11");
    REFUSED("disco: eig keeps at most 10 processes; 'complete:11' has 11\n",
            "eig", "--topology", "complete:11");
    REFUSED("disco: floodset keeps at most 64 processes; 'complete:65' has "
            "65\n",
            "floodset", "--topology", "complete:65");
    REFUSED("disco: chandy-misra-haas keeps at most 4096 processes; "
            "'uring:5000' has 5000\n",
            "chandy-misra-haas", "--topology", "uring:5000");
    REFUSED("disco: bully keeps at most 4096 processes; 'complete:4097' has "
            "4097\n",
            "bully", "--topology", "complete:4097");
    REFUSED("disco: --param destination=99: no node 99 (the topology has 11 "
            "nodes)\n",
            "full-reversal", "--param", "destination=99");
    REFUSED("disco: --param destination=99: no node 99 (the topology has 11 "
            "nodes)\n",
            "partial-reversal", "--param", "destination=99");
    REFUSED("disco: --param destination=99: no node 99 (the topology has 11 "
            "nodes)\n",
            "binary-link-labels", "--param", "destination=99");
    REFUSED("disco: --param sender=10: no node 10 (the topology has 4 "
            "nodes)\n",
            "dolev-strong", "--param", "sender=10");
    REFUSED("disco: --param cut_node=10: no node 10 (the topology has 5 "
            "nodes)\n",
            "floodset", "--param", "cut_node=10");
    REFUSED("disco: lcr needs a ring (uring:N, or ring:N with node i linked "
            "to node i+1 mod n); 'grid:2x2' is not one\n",
            "lcr", "--topology", "grid:2x2");
    REFUSED("disco: safra needs a channel from every node i to node i+1 mod "
            "n (its token's ring); 'line:5' has none from node 4 to node "
            "0\n",
            "safra", "--topology", "line:5");

    /* The limit itself runs, and passes. */
    struct cli_output o;
    RUN(&o, "run", "om", "--topology", "complete:10", "--json");
    assert_int_equal(o.status, 0);
    assert_string_equal(o.err, "");
    cli_output_release(&o);
    RUN(&o, "run", "full-reversal", "--param", "destination=10", "--json");
    assert_int_equal(o.status, 0);
    assert_string_equal(o.err, "");
    cli_output_release(&o);

    /* disco info says so. */
    RUN(&o, "info", "om");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "  limits        at most 10 processes"));
    assert_non_null(strstr(o.out, "  resilience    n > 3m assumed"));
    cli_output_release(&o);
    RUN(&o, "info", "full-reversal");
    assert_non_null(strstr(o.out, "range 0..2147483647, a node below n"));
    cli_output_release(&o);
}

/* A topology too small for the faults a proof assumes draws one warning
 * line naming the bound and the parameter, and the run goes ahead (the
 * resilience property then fails, exit 1); the defaults draw none. */
static void test_resilience_warns(void **unused)
{
    static const struct {
        const char *argv[6];
        const char *err;
    } cases[] = {
        {{"phase-king", "--topology", "complete:4", "--param", "f=1"},
         "phase-king assumes n > 4f (f=1); running on 4 processes anyway, "
         "and its properties may fail (--param f)"},
        {{"om", "--topology", "complete:3"},
         "om assumes n > 3m (m=1); running on 3 processes anyway, and its "
         "properties may fail (--param m)"},
        {{"eig", "--topology", "complete:3"},
         "eig assumes n > 3f (f=1); running on 3 processes anyway, and its "
         "properties may fail (--param f)"},
        {{"ben-or", "--topology", "complete:4", "--param", "f=2"},
         "ben-or assumes n > 2f (f=2); running on 4 processes anyway, and "
         "its properties may fail (--param f)"},
        {{"approximate-agreement", "--topology", "complete:3", "--param",
          "f=1"},
         "approximate-agreement assumes n > 3f (f=1); running on 3 processes "
         "anyway, and its properties may fail (--param f)"},
        {{"floodset", "--param", "f=5"},
         "floodset assumes f < n (f=5); running on 5 processes anyway, and "
         "its properties may fail (--param f)"},
        {{"dolev-strong", "--param", "f=4"},
         "dolev-strong assumes f < n (f=4); running on 4 processes anyway, "
         "and its properties may fail (--param f)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[12] = {NULL, "run"};
        int n = 2;
        for (int k = 0; k < 6 && cases[i].argv[k]; k++)
            argv[n++] = cases[i].argv[k];
        argv[n++] = "--json";
        struct cli_output o;
        cli_run(&o, argv);
        char want[512];
        snprintf(want, sizeof want, "disco: warning: %s\n", cases[i].err);
        if (o.status != 1 || strcmp(o.err, want))
            fail_msg("%s: exit %d, stderr '%s', want exit 1 and '%s'",
                     cases[i].argv[0], o.status, o.err, want);
        assert_true(json_object(o.out, NULL, NULL, 0));
        cli_output_release(&o);
    }
    const char *const quiet[] = {"phase-king", "om", "eig", "ben-or",
                                 "approximate-agreement", "floodset",
                                 "dolev-strong"};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        struct cli_output o;
        RUN(&o, "run", quiet[i], "--json");
        if (o.status != 0 || o.err_len)
            fail_msg("%s: exit %d, stderr '%s'", quiet[i], o.status, o.err);
        cli_output_release(&o);
    }
}

static void test_human_summary(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", "chang-roberts", "--topology", "uring:16", "--ids",
        "decreasing");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "chang-roberts on uring:16"));
    assert_non_null(strstr(o.out, "152 (elect 136, leader 16)"));
    assert_non_null(strstr(o.out, "unique_leader"));
    assert_non_null(strstr(o.out, "verdict     pass"));
    cli_output_release(&o);
}

static void test_scenario_file(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", data("cli_ring.dot"), "--json");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"algorithm\": \"chang-roberts\""));
    assert_non_null(strstr(o.out, "\"seed\": 7,"));
    assert_non_null(strstr(o.out, "\"delay\": \"const:3\""));
    /* Ids 5,4,3,2,1 along the ring: n(n+1)/2 = 15 elections. */
    assert_non_null(strstr(o.out, "\"elect\": 15,"));
    cli_output_release(&o);

    /* The command line overrides the file. */
    RUN(&o, "run", data("cli_ring.dot"), "--seed", "9", "--ids", "increasing",
        "--json");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"seed\": 9,"));
    assert_non_null(strstr(o.out, "\"elect\": 9,"));
    cli_output_release(&o);

    /* A graph attribute the CLI reads names the file as the loader's do
     * ("'x.dot': graph: ..."), where it said "x.dot: ...". */
    char *dir = tmpdir_create();
    char *path = path_in(dir, "psychic.dot");
    file_write(path, "graph g { algorithm = bully; detector = \"psychic\"; "
                     "a; b; a -- b }\n");
    char expected[4200];
    snprintf(expected, sizeof expected,
             "disco: '%s': graph: unknown failure detector 'psychic' (known: "
             "perfect, eventually-perfect:T, eventually-strong:T, none)\n",
             path);
    RUN(&o, "run", path);
    assert_usage_error(&o, expected);
    assert_string_equal(o.err, expected);
    cli_output_release(&o);
    free(path);
    tmpdir_remove(dir);
}

static void test_topology_from_dot(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", "chang-roberts", "--topology", data("cli_ring.dot"),
        "--json");
    assert_int_equal(o.status, 0);
    /* The node ids come with the graph; its settings do not. */
    assert_non_null(strstr(o.out, "\"elect\": 15,"));
    assert_non_null(strstr(o.out, "\"seed\": 1,"));
    cli_output_release(&o);
}

/* DIR/NAME holding `text`; the path, to free. */
static char *write_file(const char *dir, const char *name, const char *text)
{
    char *path = path_in(dir, name);
    file_write(path, text);
    return path;
}

/* `text` with every occurrence of `path` replaced by "FILE", in place. */
static void unname(char *text, const char *path)
{
    size_t n = strlen(path);
    char *at;
    while ((at = strstr(text, path)) != NULL) {
        memcpy(at, "FILE", 4);
        memmove(at + 4, at + n, strlen(at + n) + 1);
    }
}

/* What `disco run ARGS... --json` and the same with --trace printed and
 * wrote, with `path` (the graph's file) unnamed; both runs exit 0. */
static void run_unnamed(const char *path, const char *dir, char **json,
                        char **trace, const char *const args[])
{
    char *trace_path = path_in(dir, "t.jsonl");
    const char *argv[16] = {NULL, "run"};
    int n = 2;
    for (int i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n] = "--json";
    argv[n + 1] = NULL;
    struct cli_output o;
    cli_run(&o, argv);
    if (o.status != 0)
        fail_msg("status %d: %s", o.status, o.err);
    *json = strdup(o.out);
    assert_non_null(*json);
    unname(*json, path);
    cli_output_release(&o);
    argv[n] = "--trace";
    argv[n + 1] = trace_path;
    argv[n + 2] = NULL;
    cli_run(&o, argv);
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    size_t len;
    *trace = file_read(trace_path, &len);
    assert_non_null(*trace);
    unname(*trace, path);
    remove(trace_path);
    free(trace_path);
}

/* A digraph in which every arc has its reverse runs echo, which needs
 * bidirectional channels, as the graph of its pairs: exactly 2m = 8
 * tokens over the 4 pairs, "directed": false with a channel per arc, and
 * the JSON and the trace of the undirected file with the pairs' first arcs
 * as its edges, but for the file's name; as a scenario and as
 * --topology.  The delay and weight of a pair, given on both arcs, are the
 * edge's. */
static void test_symmetric_digraph(void **unused)
{
    char *dir = tmpdir_create();
    char *arcs =
        write_file(dir, "arcs.dot",
                   "digraph g {\n"
                   "    algorithm = echo; seed = 4;\n"
                   "    a -> b [delay = 7, weight = 2]; b -> c; c -> b;\n"
                   "    b -> a [delay = 7, weight = 2];\n"
                   "    c -> a; d -> c; a -> c; c -> d;\n"
                   "}\n");
    char *edges = write_file(dir, "edges.dot",
                             "graph g {\n"
                             "    algorithm = echo; seed = 4;\n"
                             "    a -- b [delay = 7, weight = 2]; b -- c;\n"
                             "    c -- a; d -- c;\n"
                             "}\n");
    char *json[2], *trace[2];
    const char *const from_arcs[] = {arcs, NULL};
    const char *const from_edges[] = {edges, NULL};
    run_unnamed(arcs, dir, &json[0], &trace[0], from_arcs);
    run_unnamed(edges, dir, &json[1], &trace[1], from_edges);
    assert_non_null(strstr(json[0], "\"topology\": {\"spec\": \"FILE\", "
                                    "\"nodes\": 4, \"channels\": 8, "
                                    "\"directed\": false}"));
    assert_int_equal(json_u64(json[0], "messages"), 8);
    assert_string_equal(json[0], json[1]);
    assert_string_equal(trace[0], trace[1]);
    for (int i = 0; i < 2; i++) {
        free(json[i]);
        free(trace[i]);
    }

    const char *const topology_arcs[] = {"echo", "--topology", arcs, NULL};
    const char *const topology_edges[] = {"echo", "--topology", edges, NULL};
    run_unnamed(arcs, dir, &json[0], &trace[0], topology_arcs);
    run_unnamed(edges, dir, &json[1], &trace[1], topology_edges);
    assert_non_null(strstr(json[0], "\"directed\": false"));
    assert_int_equal(json_u64(json[0], "messages"), 8);
    assert_string_equal(json[0], json[1]);
    assert_string_equal(trace[0], trace[1]);
    for (int i = 0; i < 2; i++) {
        free(json[i]);
        free(trace[i]);
    }

    /* The pictures draw it as the undirected graph. */
    char *svg = path_in(dir, "g.svg"), *dot = path_in(dir, "g.dot");
    struct cli_output o;
    RUN(&o, "run", arcs, "--svg", svg, "--dot", dot);
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    size_t len;
    char *text = file_read(dot, &len);
    assert_non_null(text);
    assert_int_equal(count_substring(text, " -> "), 4); /* one per link */
    free(text);
    xmlDocPtr doc = parse_svg(svg);
    assert_non_null(doc);
    xmlFreeDoc(doc);
    free(svg);
    free(dot);
    free(arcs);
    free(edges);
    tmpdir_remove(dir);
}

/* The two arcs of a pair that differ in an attribute of the link cannot be
 * one bidirectional link: one line naming both and the values, exit 2, as
 * a scenario and as --topology.  An algorithm that takes directed channels
 * runs the same file as the digraph it is, as before (chang-roberts, on a
 * ring of two). */
static void test_symmetric_digraph_differing(void **unused)
{
    char *dir = tmpdir_create();
    char *path = write_file(dir, "w.dot",
                            "digraph g { algorithm = echo; a -> b [weight = "
                            "3]; b -> a [weight = 5]; }\n");
    char expected[4200];
    snprintf(expected, sizeof expected,
             "disco: '%s': arcs a->b and b->a differ in weight (3 and 5); a "
             "link read as bidirectional needs one value\n",
             path);
    REFUSED(expected, path);
    REFUSED(expected, "flood", "--topology", path);

    struct cli_output o;
    RUN(&o, "run", "chang-roberts", "--topology", path, "--json");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"topology\": {\"spec\": "));
    assert_non_null(
        strstr(o.out, "\"nodes\": 2, \"channels\": 2, \"directed\": true}"));
    cli_output_release(&o);
    free(path);
    tmpdir_remove(dir);
}

/* A digraph with an arc without its reverse is refused to an algorithm
 * that needs bidirectional channels, with that arc named (the first one,
 * by node then port), as a scenario and as --topology; the generated
 * uring with the ring that has channels both ways. */
static void test_one_way_arc_named(void **unused)
{
    char *dir = tmpdir_create();
    char *path = write_file(dir, "x.dot",
                            "digraph g { algorithm = echo; a -> b; b -> a; "
                            "b -> c; c -> a; }\n");
    char expected[4200];
    snprintf(expected, sizeof expected,
             "disco: echo needs bidirectional channels; '%s' is directed "
             "(b->c has no c->b)\n",
             path);
    REFUSED(expected, path);
    REFUSED(expected, "echo", "--topology", path);
    REFUSED("disco: echo needs bidirectional channels; 'uring:5' is directed "
            "(ring:5 has channels both ways)\n",
            "echo", "--topology", "uring:5");
    free(path);
    tmpdir_remove(dir);
}

/* A digraph run by an algorithm for directed rings stays as it was
 * (chang-roberts on the ring of cli_ring.dot: directed, a channel per arc,
 * n(n+1)/2 + n = 20 messages), and the same ring is refused to echo with
 * its first arc named. */
static void test_directed_ring_unchanged(void **unused)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", data("cli_ring.dot"));
    struct cli_output o;
    RUN(&o, "run", path, "--json");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"nodes\": 5, \"channels\": 5, "
                                  "\"directed\": true}"));
    assert_int_equal(json_u64(o.out, "messages"), 20);
    cli_output_release(&o);
    char expected[4200];
    snprintf(expected, sizeof expected,
             "disco: echo needs bidirectional channels; '%s' is directed "
             "(a->b has no b->a)\n",
             path);
    REFUSED(expected, "echo", "--topology", path);
}

static void test_list(void **unused)
{
    struct cli_output o;
    RUN(&o, "list");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "echo"));
    assert_non_null(strstr(o.out, "chang-roberts"));
    cli_output_release(&o);

    RUN(&o, "list", "--json");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "{\"name\": \"echo\""));
    assert_non_null(strstr(o.out, "{\"name\": \"chang-roberts\""));
    cli_output_release(&o);
}

static void test_info(void **unused)
{
    const struct disco_algorithm *echo = disco_algorithm_find("echo");
    assert_non_null(echo);
    struct cli_output o;
    RUN(&o, "info", "echo");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "2m"));
    assert_non_null(strstr(o.out, "Segall"));
    assert_non_null(strstr(o.out, "token"));
    assert_non_null(strstr(o.out, "spanning_tree"));
    /* What the topology must be: bidirectional and connected for echo;
     * strongly connected, either kind, for the snapshots. */
    assert_non_null(strstr(o.out, "topology      any, bidirectional, "
                                  "connected (default --topology "));
    cli_output_release(&o);
    RUN(&o, "info", "chandy-lamport");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "topology      any, strongly connected "
                                  "(default --topology complete:3)"));
    cli_output_release(&o);

    RUN(&o, "info", "echo", "--json");
    assert_int_equal(o.status, 0);
    assert_true(json_object(o.out, NULL, NULL, 0));
    assert_non_null(strstr(o.out, echo->source));
    assert_non_null(strstr(o.out, echo->messages));
    assert_non_null(strstr(o.out, "\n  \"inputs\": [],\n  \"message_kinds\""));
    cli_output_release(&o);

    /* Node inputs, with their ranges, after the parameters. */
    RUN(&o, "info", "echo");
    assert_non_null(
        strstr(o.out, "\nnode inputs (scenario node attributes)\n  none\n"
                      "\nmessage kinds\n"));
    cli_output_release(&o);
    RUN(&o, "info", "binary-link-labels");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\nnode inputs (scenario node attributes)\n"
                                  "  elevation    range "
                                  "-1000000000000000000..1000000000000000000  "));
    assert_non_null(strstr(o.out, "\n  link_label   range 0..1  "));
    cli_output_release(&o);
    RUN(&o, "info", "chandy-lamport", "--json");
    assert_int_equal(o.status, 0);
    assert_true(json_object(o.out, NULL, NULL, 0));
    assert_non_null(strstr(o.out, "],\n  \"inputs\": [\n    {\"name\": "
                                  "\"balance\", \"min\": 0, \"max\": "
                                  "1000000000, \"help\": \""));
    cli_output_release(&o);
}

static void test_help_and_version(void **unused)
{
    static const char *const commands[] = {"list", "info", "run", "demo"};
    for (int i = 0; i < 4; i++) {
        struct cli_output o;
        RUN(&o, commands[i], "--help");
        assert_int_equal(o.status, 0);
        assert_non_null(strstr(o.out, "usage: disco"));
        cli_output_release(&o);
        RUN(&o, commands[i], "-h");
        assert_int_equal(o.status, 0);
        cli_output_release(&o);
    }
    struct cli_output o;
    RUN(&o, "run", "--help");
    assert_non_null(strstr(o.out, "--max-events"));
    assert_non_null(strstr(o.out, "--no-fifo"));
    cli_output_release(&o);
    RUN(&o, "--version");
    assert_int_equal(o.status, 0);
    assert_true(strncmp(o.out, "disco ", 6) == 0);
    cli_output_release(&o);
}

/* ------------------------------------------------------------------------ */
/* Output files.                                                             */

static void test_trace(void **unused)
{
    char *dir = tmpdir_create();
    char *trace = path_in(dir, "t.jsonl");
    struct cli_output o;
    RUN(&o, "run", "chang-roberts", "--topology", "uring:16", "--ids",
        "decreasing", "--trace", trace);
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    assert_int_equal(dir_entry_count(dir), 1); /* no temporary left */

    size_t len;
    char *text = file_read(trace, &len);
    assert_non_null(text);
    assert_true(len > 0 && text[len - 1] == '\n');
    int lines = 0, sends = 0, recvs = 0, decides = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save), lines++) {
        char keys[32][32];
        int n = 0;
        if (!json_object(line, keys, &n, 32))
            fail_msg("line %d is not a JSON object: %s", lines + 1, line);
        if (lines == 0) {
            assert_string_equal(keys[0], "algorithm");
            assert_string_equal(keys[1], "topology");
            assert_string_equal(keys[2], "seed");
            assert_string_equal(keys[3], "model");
            assert_int_equal(n, 4);
            continue;
        }
        assert_string_equal(keys[0], "t");
        assert_string_equal(keys[1], "seq");
        assert_string_equal(keys[2], "node");
        assert_string_equal(keys[3], "type");
        assert_string_equal(keys[n - 1], "lamport");
        /* seq numbers the events from 0 without gaps. */
        char seq[32];
        snprintf(seq, sizeof seq, "\"seq\": %d,", lines - 1);
        assert_non_null(strstr(line, seq));
        sends += strstr(line, "\"type\": \"send\"") != NULL;
        recvs += strstr(line, "\"type\": \"recv\"") != NULL;
        decides += strstr(line, "\"type\": \"decide\"") != NULL;
    }
    assert_int_equal(sends, 152);
    assert_int_equal(recvs, 152);
    assert_int_equal(decides, 16);
    free(text);
    free(trace);
    tmpdir_remove(dir);
}

/* --progress on: each phase of the run drawn in order on one line of
 * stderr ("\r" and the text, then "\x1b[K"), erased before the summary,
 * which is byte for byte that of the run without the line; with --progress
 * off or by default (stderr is no terminal here) stderr stays empty. */
static void test_progress_line(void **unused)
{
    struct cli_output on, off, plain;
    RUN(&on, "run", "echo", "--topology", "grid:6x6", "--json", "--progress",
        "on");
    RUN(&off, "run", "echo", "--topology", "grid:6x6", "--json",
        "--progress", "off");
    RUN(&plain, "run", "echo", "--topology", "grid:6x6", "--json");
    assert_int_equal(on.status, 0);
    assert_int_equal(off.status, 0);
    assert_int_equal(plain.status, 0);
    assert_int_equal(on.out_len, off.out_len);
    assert_memory_equal(on.out, off.out, off.out_len);
    assert_int_equal(plain.out_len, off.out_len);
    assert_memory_equal(plain.out, off.out, off.out_len);
    assert_int_equal(off.err_len, 0);
    assert_int_equal(plain.err_len, 0);
    /* The phases, in order, each drawn as it starts: the run's before its
     * first event. */
    const char *preparing = strstr(on.err, "\rdisco: preparing echo  (");
    const char *running =
        strstr(on.err, "\rdisco: running echo: 0 events, time 0  (");
    const char *checking = strstr(on.err, "\rdisco: checking the properties  (");
    const char *writing = strstr(on.err, "\rdisco: writing the outputs  (");
    assert_non_null(preparing);
    assert_non_null(running);
    assert_non_null(checking);
    assert_non_null(writing);
    assert_true(preparing < running && running < checking &&
                checking < writing);
    assert_null(strchr(on.err, '\n'));
    const char *erase = "\r\x1b[K";
    assert_true(on.err_len >= strlen(erase));
    assert_string_equal(on.err + on.err_len - strlen(erase), erase);
    cli_output_release(&on);
    cli_output_release(&off);
    cli_output_release(&plain);
}

static void test_bad_progress(void **unused)
{
    struct cli_output o;
    RUN(&o, "run", "echo", "--progress", "maybe");
    assert_usage_error(&o, "disco: bad --progress 'maybe': expected auto, on "
                           "or off\n");
    cli_output_release(&o);
    /* disco check has its own --progress, which the run options leave to
     * it: its help lists one. */
    RUN(&o, "check", "echo", "--seeds", "2", "--progress", "off");
    assert_int_equal(o.status, 0);
    assert_int_equal(o.err_len, 0);
    cli_output_release(&o);
    RUN(&o, "check", "--help");
    assert_int_equal(o.status, 0);
    assert_int_equal(count_substring(o.out, "--progress"), 1);
    cli_output_release(&o);
    /* ... and honours: `on` draws the line even into a pipe, once the
     * batch has run a quarter of a second, and erases it at the end;
     * stdout is that of the batch without it.  A faster machine runs 1500
     * seeds in less than that: a batch under half a second is rerun with
     * four times the seeds, up to a cap (last, so that a skip hides no
     * other check). */
    struct cli_output on, off;
    char seeds[24];
    unsigned long n = 1500;
    double seconds;
    for (;;) {
        snprintf(seeds, sizeof seeds, "%lu", n);
        double start = now_s();
        RUN(&on, "check", "echo", "--topology", "gnp:200:0.05", "--seeds",
            seeds, "--jobs", "1", "--progress", "on");
        seconds = now_s() - start;
        if (seconds >= 0.5 || 4 * n > 96000)
            break;
        cli_output_release(&on);
        n *= 4;
    }
    if (seconds < 0.5) {
        cli_output_release(&on);
        print_message("test_bad_progress: %lu seeds took only %.2f s, under "
                      "the 0.5 s asked for check's line to show surely: "
                      "not checked\n",
                      n, seconds);
        skip();
    }
    RUN(&off, "check", "echo", "--topology", "gnp:200:0.05", "--seeds", seeds,
        "--jobs", "1", "--progress", "off");
    assert_int_equal(on.status, 0);
    assert_int_equal(off.status, 0);
    assert_int_equal(off.err_len, 0);
    assert_true(on.err_len > 6);
    assert_int_equal(on.err[0], '\r');
    char runs[40]; /* "/N runs", N the seeds asked for */
    snprintf(runs, sizeof runs, "/%lu runs", n);
    assert_non_null(strstr(on.err, runs));
    assert_string_equal(on.err + on.err_len - 4, "\r\x1b[K");
    assert_string_equal(on.out, off.out);
    cli_output_release(&on);
    cli_output_release(&off);
}

static void test_trace_is_deterministic(void **unused)
{
    char *dir = tmpdir_create();
    char *a = path_in(dir, "a.jsonl");
    char *b = path_in(dir, "b.jsonl");
    struct cli_output o;
    RUN(&o, "run", "echo", "--topology", "gnp:40:0.2", "--seed", "11",
        "--no-fifo", "--delay", "exp:7", "--trace", a);
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    RUN(&o, "run", "echo", "--topology", "gnp:40:0.2", "--seed", "11",
        "--no-fifo", "--delay", "exp:7", "--trace", b);
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    size_t la, lb;
    char *ta = file_read(a, &la), *tb = file_read(b, &lb);
    assert_non_null(ta);
    assert_non_null(tb);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    free(ta);
    free(tb);
    free(a);
    free(b);
    tmpdir_remove(dir);
}

static void test_out_dir(void **unused)
{
    char *dir = tmpdir_create();
    char *out = path_in(dir, "results/run1");
    struct cli_output o;
    RUN(&o, "run", "echo", "--out", out, "--json");
    assert_int_equal(o.status, 0);
    assert_int_equal(dir_entry_count(out), 2);
    char *summary_path = path_in(out, "summary.json");
    char *summary = file_read(summary_path, NULL);
    assert_non_null(summary);
    assert_string_equal(summary, o.out); /* the file is what --json prints */
    char *trace_path = path_in(out, "trace.jsonl");
    char *trace = file_read(trace_path, NULL);
    assert_non_null(trace);
    assert_true(strncmp(trace, "{\"algorithm\": \"echo\"", 20) == 0);
    cli_output_release(&o);

    /* A relative --trace goes inside --out. */
    RUN(&o, "run", "echo", "--out", out, "--trace", "mine.jsonl");
    assert_int_equal(o.status, 0);
    assert_int_equal(dir_entry_count(out), 3);
    cli_output_release(&o);
    free(summary);
    free(summary_path);
    free(trace);
    free(trace_path);
    free(out);
    tmpdir_remove(dir);
}

/* An output that is not a plain file is written through, not replaced:
 * a FIFO keeps being a FIFO and its reader gets the trace (a rename over
 * it used to leave a plain file and an empty reader; as root, over
 * /dev/null, a plain file there), and a symbolic link keeps being a link
 * while the file it names gets the output. */
static void test_outputs_through_fifos_and_links(void **unused)
{
    char *dir = tmpdir_create();
    char *fifo = path_in(dir, "pipe");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    /* Opened for reading first, so that the run's open does not wait; the
     * trace of echo on ring:4 fits the pipe's buffer, read after. */
    int reader = open(fifo, O_RDONLY | O_NONBLOCK);
    assert_true(reader >= 0);
    struct cli_output o;
    RUN(&o, "run", "echo", "--topology", "ring:4", "--trace", fifo);
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    char got[64] = {0};
    assert_true(read(reader, got, sizeof got - 1) > 20);
    assert_true(strncmp(got, "{\"algorithm\": \"echo\"", 20) == 0);
    /* The reader stays open for the --svg run below: should its refusal
     * regress, the open for writing must not wait for a reader. */
    struct stat st;
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));

    char *real = path_in(dir, "real.jsonl");
    char *link = path_in(dir, "link.jsonl");
    assert_int_equal(symlink("real.jsonl", link), 0);
    /* Twice: the link names a file not there yet, then one that is. */
    for (int twice = 0; twice < 2; twice++) {
        RUN(&o, "run", "echo", "--trace", link);
        assert_int_equal(o.status, 0);
        cli_output_release(&o);
        assert_int_equal(lstat(link, &st), 0);
        assert_true(S_ISLNK(st.st_mode));
    }
    char *trace = file_read(real, NULL);
    assert_non_null(trace);
    assert_true(strncmp(trace, "{\"algorithm\": \"echo\"", 20) == 0);
    assert_int_equal(dir_entry_count(dir), 3); /* no temporary left */

    /* Pictures too, now that disco writes Graphviz's bytes itself: into a
     * FIFO they went to stdout, and then were refused. */
    RUN(&o, "run", "echo", "--topology", "ring:4", "--trace", real, "--svg",
        fifo);
    assert_int_equal(o.status, 0);
    assert_null(strstr(o.out, "<svg"));
    cli_output_release(&o);
    char svg[16384];
    ssize_t got_svg = read(reader, svg, sizeof svg - 1);
    assert_true(got_svg > 100);
    svg[got_svg] = '\0';
    assert_non_null(strstr(svg, "<svg"));
    close(reader);

    /* The file behind stdout is written through the same open file: the
     * trace and the summary both end up in it, where the trace replaced
     * it (and the summary went to the unlinked file) or overwrote the
     * summary's start. */
    char *log = path_in(dir, "log.txt");
    const char *bin = getenv("DISCO_BIN");
    assert_non_null(bin);
    char cmd[8192];
    /* /proc/self/fd/1 rather than /dev/stdout: should the check regress,
     * a rename there fails instead of replacing a link in /dev. */
    snprintf(cmd, sizeof cmd, "'%s' run echo --trace /proc/self/fd/1 > '%s'",
             bin, log);
    assert_int_equal(system(cmd), 0);
    /* Stdin is not an output: a path it reads (< /dev/null under cron or
     * nohup, here a file) is written as any other, where its descriptor,
     * open for reading, failed the run. */
    snprintf(cmd, sizeof cmd, "'%s' run echo --trace '%s' < '%s' >/dev/null",
             bin, real, real);
    assert_int_equal(system(cmd), 0);
    char *again = file_read(real, NULL);
    assert_non_null(again);
    assert_string_equal(again, trace); /* the same run's trace, whole */
    free(again);

    char *both = file_read(log, NULL);
    assert_non_null(both);
    assert_true(strncmp(both, "{\"algorithm\": \"echo\"", 20) == 0);
    assert_non_null(strstr(both, "\nverdict     pass\n"));
    assert_int_equal(count_substring(both, "\"seq\": "), 92);
    free(both);
    free(log);
    free(trace);
    free(real);
    free(link);
    free(fifo);
    tmpdir_remove(dir);
}

/* Two outputs naming one file are refused before the run, where one used
 * to replace the other: the same spelling, --out's own trace.jsonl and
 * summary.json, the --frames directory, spellings that differ but resolve
 * alike (x/../, a symbolic link to the directory), and a FIFO.  The
 * scratch directory holds nothing new after each. */
static void test_outputs_naming_one_file(void **unused)
{
    (void)unused;
    char *dir = tmpdir_create();
    REFUSED_IN(dir, "--trace and --spacetime both write 'a.svg'", "run",
               "echo", "--trace", "a.svg", "--spacetime", "a.svg");
    REFUSED_IN(dir, "--trace writes 'o/summary.json', which --out keeps for "
                    "the summary",
               "run", "echo", "--out", "o", "--trace", "summary.json");
    REFUSED_IN(dir, "--dot writes 'o2/trace.jsonl', which --out keeps for "
                    "the trace",
               "run", "echo", "--out", "o2", "--dot", "trace.jsonl");
    REFUSED_IN(dir, "--svg and --png both write 'g.svg'", "run", "echo",
               "--svg", "g.svg", "--png", "g.svg");
    REFUSED_IN(dir, "--frames names 'o/summary.json', which --out keeps for "
                    "the summary",
               "run", "echo", "--out", "o", "--frames", "summary.json");
    /* ".." past a directory --out has yet to make: it will exist. */
    REFUSED_IN(dir, "--trace writes 'o/../o/summary.json', which --out "
                    "keeps for the summary",
               "run", "echo", "--out", "o", "--trace", "../o/summary.json");
    assert_int_equal(dir_entry_count(dir), 0);

    char *x = path_in(dir, "x"), *y = path_in(dir, "y");
    char *f = path_in(dir, "f");
    assert_int_equal(mkdir(x, 0777), 0);
    assert_int_equal(symlink("x", y), 0);
    assert_int_equal(mkfifo(f, 0666), 0);
    REFUSED_IN(dir, "--dot 'a.dot' and --html 'x/../a.dot' name the same "
                    "file",
               "run", "echo", "--dot", "a.dot", "--html", "x/../a.dot");
    REFUSED_IN(dir, "--dot './x/h.html' and --html 'y/h.html' name the same "
                    "file",
               "run", "echo", "--dot", "./x/h.html", "--html", "y/h.html");
    REFUSED_IN(dir, "--trace and --dot both write 'f'", "run", "echo",
               "--trace", "f", "--dot", "f");
    assert_int_equal(dir_entry_count(x), 0);
    free(x);
    free(y);
    free(f);
    tmpdir_remove(dir);
}

/* What that refusal lets through: different files in one directory,
 * --out's trace.jsonl once --trace moves the trace elsewhere, and two
 * outputs to /dev/stdout (written through it one after the other). */
static void test_outputs_naming_different_files(void **unused)
{
    (void)unused;
    char *dir = tmpdir_create();
    struct cli_output o;
    RUN_IN(dir, &o, "run", "echo", "--trace", "t.jsonl", "--dot", "t.dot",
           "--spacetime", "t.svg");
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    RUN_IN(dir, &o, "run", "echo", "--out", "o", "--trace", "t.jsonl", "--dot",
           "trace.jsonl");
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    RUN_IN(dir, &o, "run", "echo", "--dot", "/dev/stdout", "--spacetime",
           "/dev/stdout");
    assert_int_equal(o.status, 0);
    /* Each whole, one after the other: the DOT used to land 4 kB into
     * the space-time diagram, where its buffer was flushed. */
    const char *dot = strstr(o.out, "digraph"), *svg = strstr(o.out, "<svg");
    assert_non_null(dot);
    assert_non_null(svg);
    assert_true(dot < svg);
    assert_null(strstr(svg, "digraph"));
    assert_int_equal(count_substring(o.out, "</svg>"), 1);
    cli_output_release(&o);
    const char *const made[] = {"t.jsonl", "t.dot", "t.svg", "o/t.jsonl",
                                "o/trace.jsonl", "o/summary.json"};
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        char *path = path_in(dir, made[i]);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        free(path);
    }
    assert_int_equal(dir_entry_count(dir), 4);
    tmpdir_remove(dir);
}

/* A run killed while it runs removes the directories --out made (still
 * empty: nothing is committed before the end) and the frames it has
 * drawn, as it removes its temporary files: an empty od/ was left, and a
 * fr.tmp-XXXXXX/ full of frames. */
static void test_killed_run_removes_out_dirs(void **unused)
{
    char *dir = tmpdir_create();
    char *out = path_in(dir, "od/x");
    const char *bin = getenv("DISCO_BIN");
    assert_non_null(bin);
    char cmd[8192];
    /* bully re-elects for ever with timeout=1: killed once od/x exists
     * (exit 99, failing the test, if it never appears).
     * Its trace grows by some 200 MB/s, so the run is bounded (under a
     * second), its files by ulimit (32 MB), and should SIGTERM ever not
     * end it, it is killed outright. */
    const char *kill_it =
        "kill -TERM $pid; n=0; while kill -0 $pid 2>/dev/null && "
        "[ $n -lt 200 ]; do sleep 0.05; n=$((n+1)); done; "
        "kill -KILL $pid 2>/dev/null; wait $pid; exit $?";
    snprintf(cmd, sizeof cmd,
             "ulimit -f 65536; '%s' run bully --param timeout=1 --max-events "
             "500000 --out '%s' >/dev/null 2>&1 & pid=$!; n=0; "
             "while [ ! -d '%s' ] && [ $n -lt 400 ]; do sleep 0.05; "
             "n=$((n+1)); done; [ -d '%s' ] || exit 99; %s",
             bin, out, out, out, kill_it);
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 128 + SIGTERM);
    assert_int_equal(dir_entry_count(dir), 0);

    /* And the frames directory being filled, with its frames (it was left,
     * frames and all): killed once its first frame is there. */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' run echo --topology gnp:200:0.03 --seed 3 "
             "--frames fr --svg n.svg >/dev/null 2>&1 & pid=$!; n=0; "
             "while ! ls '%s'/fr.tmp-*/frame-000001.svg >/dev/null 2>&1 && "
             "[ $n -lt 400 ]; do sleep 0.05; n=$((n+1)); done; "
             "ls '%s'/fr.tmp-*/frame-000001.svg >/dev/null 2>&1 || exit 99; "
             "%s",
             dir, bin, dir, dir, kill_it);
    status = system(cmd);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 128 + SIGTERM);
    assert_int_equal(dir_entry_count(dir), 0);
    free(out);
    tmpdir_remove(dir);
}

/* A refused run under --out removes the directories it created, parents
 * included, and only those: a parent that was there before stays. */
static void test_refused_out_removes_its_parents(void **unused)
{
    char *dir = tmpdir_create();
    char *out = path_in(dir, "q1/q2/q3");
    char *afile = path_in(dir, "afile");
    char *bad = path_in(dir, "afile/x.dot");
    file_write(afile, "");
    struct cli_output o;
    /* Refused at its --dot, after --out made q1, q1/q2 and q1/q2/q3. */
    RUN(&o, "run", "echo", "--topology", "grid:3x3", "--out", out, "--dot",
        bad);
    assert_usage_error(&o, "afile/x.dot': Not a directory");
    assert_int_equal(dir_entry_count(dir), 1); /* afile alone */
    cli_output_release(&o);
    /* The same with q1 there already: it stays, empty. */
    char *q1 = path_in(dir, "q1");
    assert_int_equal(mkdir(q1, 0777), 0);
    RUN(&o, "run", "echo", "--topology", "grid:3x3", "--out", out, "--dot",
        bad);
    assert_usage_error(&o, "afile/x.dot': Not a directory");
    assert_int_equal(dir_entry_count(dir), 2);
    assert_int_equal(dir_entry_count(q1), 0);
    cli_output_release(&o);
    /* Refused while making --out itself, a name too long below two new
     * directories. */
    char name[300 + sizeof "q1/n2/n3/"] = "q1/n2/n3/";
    memset(name + strlen(name), 'x', 300);
    name[sizeof name - 1] = '\0';
    char *long_out = path_in(dir, name);
    RUN(&o, "run", "echo", "--out", long_out);
    assert_usage_error(&o, "cannot create directory");
    assert_int_equal(dir_entry_count(dir), 2);
    assert_int_equal(dir_entry_count(q1), 0);
    cli_output_release(&o);
    free(long_out), free(q1), free(bad), free(afile), free(out);
    tmpdir_remove(dir);
}

static void test_demo(void **unused)
{
    char *dir = tmpdir_create();
    char *out = path_in(dir, "demo");
    struct cli_output o;
    /* Twice, as `./bootstrap.sh demo` run again does: the second run
     * replaces the first one's outputs, frames included. */
    RUN(&o, "demo", "--out", out);
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    RUN(&o, "demo", "--out", out);
    assert_int_equal(o.status, 0);
    assert_int_equal(o.err_len, 0);
    assert_non_null(strstr(o.out, out));
    /* The header names everything the folders get, pictures too. */
    assert_non_null(strstr(o.out, "traces, summaries and pictures"));
    assert_non_null(strstr(o.out, "elect 36"));
    assert_non_null(strstr(o.out, "elect 15"));
    assert_non_null(strstr(o.out, "token 30"));
    assert_int_equal(dir_entry_count(out), 3);
    static const char *const folders[] = {
        "1-chang-roberts-worst", "2-chang-roberts-best", "3-echo-petersen"};
    for (int i = 0; i < 3; i++) {
        char *sub = path_in(out, folders[i]);
        /* summary.json, trace.jsonl, six pictures and frames/ */
        assert_int_equal(dir_entry_count(sub), 9);
        static const char *const pictures[] = {
            "spacetime.svg", "run.shiviz",   "player.html",
            "topology.svg",  "topology.png", "topology.dot"};
        for (int k = 0; k < 6; k++) {
            char *picture = path_in(sub, pictures[k]);
            size_t len = 0;
            char *bytes = file_read(picture, &len);
            assert_non_null(bytes);
            assert_true(len > 100);
            free(bytes);
            free(picture);
        }
        char *summary_path = path_in(sub, "summary.json");
        char *summary = file_read(summary_path, NULL);
        assert_non_null(summary);
        assert_true(json_object(summary, NULL, NULL, 0));
        assert_non_null(strstr(summary, "\"verdict\": \"pass\""));
        free(summary);
        free(summary_path);
        free(sub);
    }
    cli_output_release(&o);
    free(out);
    tmpdir_remove(dir);
}

/* A demo that would be refused prints nothing: an --out that is a file
 * (or lies below one) is refused before the header, and so is a stray
 * file in the last step's frames, which a former demo's folder keeps. */
static void test_demo_refused(void **unused)
{
    char *dir = tmpdir_create();
    char *afile = path_in(dir, "afile");
    char *below = path_in(dir, "afile/x");
    file_write(afile, "");
    struct cli_output o;
    RUN(&o, "demo", "--out", afile);
    assert_usage_error(&o, "as --out: not a directory");
    assert_non_null(strstr(o.err, afile));
    assert_int_equal(dir_entry_count(dir), 1);
    cli_output_release(&o);
    RUN(&o, "demo", "--out", below);
    assert_usage_error(&o, "Not a directory");
    assert_int_equal(dir_entry_count(dir), 1);
    cli_output_release(&o);

    char *out = path_in(dir, "demo");
    RUN(&o, "demo", "--out", out);
    assert_int_equal(o.status, 0);
    cli_output_release(&o);
    char *step3 = path_in(out, "3-echo-petersen");
    char *frames = path_in(step3, "frames");
    char *stray = path_in(frames, "notes.txt");
    int frame_count = dir_entry_count(frames);
    file_write(stray, "");
    RUN(&o, "demo", "--out", out);
    assert_usage_error(&o, "holds files other than frames");
    assert_int_equal(dir_entry_count(out), 3);
    assert_int_equal(dir_entry_count(step3), 9); /* no temporary beside */
    assert_int_equal(dir_entry_count(frames), frame_count + 1);
    assert_int_equal(access(stray, F_OK), 0);
    cli_output_release(&o);
    free(stray), free(frames), free(step3), free(out), free(below);
    free(afile);
    tmpdir_remove(dir);
}

static void test_unknown_weights(void **unused)
{
    const char *const argv[] = {NULL, "run", "echo", "--weights", "randm",
                                NULL};
    struct cli_output out;
    cli_run(&out, argv);
    assert_int_equal(out.status, 2);
    assert_string_equal(out.err,
                        "disco: unknown --weights 'randm' (did you mean "
                        "'random'?)\n");
    assert_string_equal(out.out, "");
    cli_output_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_weights),
        cmocka_unit_test(test_unknown_algorithm),
        cmocka_unit_test(test_unknown_topology),
        cmocka_unit_test(test_unknown_flag),
        cmocka_unit_test(test_unknown_parameter),
        cmocka_unit_test(test_suggest_other_case_and_prefix),
        cmocka_unit_test(test_scenario_without_extension),
        cmocka_unit_test(test_scenario_inputs),
        cmocka_unit_test(test_scenario_extensions),
        cmocka_unit_test(test_control_characters_escaped),
        cmocka_unit_test(test_delay_exp_number_syntax),
        cmocka_unit_test(test_malformed_dot),
        cmocka_unit_test(test_shared_malformed_dot),
        cmocka_unit_test(test_bad_attribute_in_scenario),
        cmocka_unit_test(test_unreadable_dot),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_wrong_topology_for_algorithm),
        cmocka_unit_test(test_not_strongly_connected),
        cmocka_unit_test(test_sizes_beyond_limits),
        cmocka_unit_test(test_sizes_beyond_memory),
        cmocka_unit_test(test_port_state_beyond_memory),
        cmocka_unit_test(test_negative_seed),
        cmocka_unit_test(test_non_numeric_seed),
        cmocka_unit_test(test_bad_delay),
        cmocka_unit_test(test_bad_probability),
        cmocka_unit_test(test_negative_bound),
        cmocka_unit_test(test_negative_size),
        cmocka_unit_test(test_option_syntax),
        cmocka_unit_test(test_missing_value),
        cmocka_unit_test(test_check_needs_seeds),
        cmocka_unit_test(test_unknown_command),
        cmocka_unit_test(test_chang_roberts_worst_case),
        cmocka_unit_test(test_chang_roberts_best_case),
        cmocka_unit_test(test_echo_petersen),
        cmocka_unit_test(test_causal_tokens_and_log_agree),
        cmocka_unit_test(test_json_fields_in_order),
        cmocka_unit_test(test_bound_before_termination),
        cmocka_unit_test(test_violation_exits_1),
        cmocka_unit_test(test_delay_bound_warns),
        cmocka_unit_test(test_limits_refused),
        cmocka_unit_test(test_resilience_warns),
        cmocka_unit_test(test_human_summary),
        cmocka_unit_test(test_scenario_file),
        cmocka_unit_test(test_topology_from_dot),
        cmocka_unit_test(test_symmetric_digraph),
        cmocka_unit_test(test_symmetric_digraph_differing),
        cmocka_unit_test(test_one_way_arc_named),
        cmocka_unit_test(test_directed_ring_unchanged),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_trace_is_deterministic),
        cmocka_unit_test(test_progress_line),
        cmocka_unit_test(test_bad_progress),
        cmocka_unit_test(test_out_dir),
        cmocka_unit_test(test_killed_run_removes_out_dirs),
        cmocka_unit_test(test_outputs_through_fifos_and_links),
        cmocka_unit_test(test_outputs_naming_one_file),
        cmocka_unit_test(test_outputs_naming_different_files),
        cmocka_unit_test(test_refused_out_removes_its_parents),
        cmocka_unit_test(test_demo),
        cmocka_unit_test(test_demo_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
