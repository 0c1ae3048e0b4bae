/* test_config.c - the run configuration: option parsers and model check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "disco_sim.h"
#include "support.h"

/* A parser's refusal: exactly `code` and `message` (named by `what` and
 * the text refused when it is not). */
static void assert_refused(const char *what, const char *text, int rc,
                           const struct disco_error *err, int code,
                           const char *message)
{
    if (rc != code || strcmp(err->message, message))
        fail_msg("%s '%s': got %d '%s', want %d '%s'", what, text, rc,
                 err->message, code, message);
}

/* ------------------------------------------------------------------------ */
/* Fake algorithms: only the description fields matter here.                */

static const struct disco_param safra_params[] = {
    {"colours", 2, 1, 8, "number of colours"},
    {"rounds", 10, 0, 100, "rounds to run"},
    {"verbose", 0, 0, 1, "say more"},
};

static const struct disco_algorithm safra = {
    .name = "safra",
    .model = {.shape = DISCO_SHAPE_ANY,
              .timing = DISCO_ASYNC,
              .faults = "none"},
    .params = safra_params,
    .param_count = 3,
};

static const struct disco_algorithm chang_roberts = {
    .name = "chang-roberts",
    .model = {.shape = DISCO_SHAPE_URING,
              .connected = true,
              .fifo = true,
              .unique_ids = true,
              .timing = DISCO_ASYNC | DISCO_SYNC,
              .faults = "none"},
};

static const struct disco_algorithm echo = {
    .name = "echo",
    .model = {.undirected = true,
              .connected = true,
              .timing = DISCO_ASYNC,
              .faults = "none"},
};

static const struct disco_algorithm floodmax = {
    .name = "floodmax",
    .model = {.connected = true,
              .unique_ids = true,
              .timing = DISCO_SYNC,
              .sync_by_default = true,
              .faults = "crashes of up to f nodes"},
    .params = safra_params,
    .param_count = 1,
};

static struct disco_algorithm shaped(const char *name, enum disco_shape shape)
{
    struct disco_algorithm alg = {.name = name};
    alg.model.shape = shape;
    alg.model.timing = DISCO_ASYNC;
    alg.model.faults = "crashes";
    return alg;
}

/* ------------------------------------------------------------------------ */
/* Delay laws.                                                              */

static void test_delay_parse_valid(void **state)
{
    (void)state;
    struct disco_delay d;
    struct disco_error err = {0};

    assert_int_equal(disco_delay_parse(&d, "const:5", &err), 0);
    assert_int_equal(d.kind, DISCO_DELAY_CONST);
    assert_int_equal(d.a, 5);
    assert_int_equal(d.b, 5);

    assert_int_equal(disco_delay_parse(&d, "const:0", &err), 0);
    assert_int_equal(d.kind, DISCO_DELAY_CONST);
    assert_int_equal(d.a, 0);

    assert_int_equal(disco_delay_parse(&d, "uniform:1:100", &err), 0);
    assert_int_equal(d.kind, DISCO_DELAY_UNIFORM);
    assert_int_equal(d.a, 1);
    assert_int_equal(d.b, 100);

    assert_int_equal(disco_delay_parse(&d, "uniform:7:7", &err), 0);
    assert_int_equal(d.a, 7);
    assert_int_equal(d.b, 7);

    assert_int_equal(disco_delay_parse(&d, "exp:20", &err), 0);
    assert_int_equal(d.kind, DISCO_DELAY_EXP);
    assert_true(d.mean == 20.0);

    assert_int_equal(disco_delay_parse(&d, "exp:2.5", &err), 0);
    assert_true(d.mean == 2.5);

    /* MEAN takes the number syntax of --loss: an exponent, a sign. */
    assert_int_equal(disco_delay_parse(&d, "exp:1e2", &err), 0);
    assert_true(d.mean == 100.0);
    assert_int_equal(disco_delay_parse(&d, "exp:2.5E-1", &err), 0);
    assert_true(d.mean == 0.25);
    assert_int_equal(disco_delay_parse(&d, "exp:+3", &err), 0);
    assert_true(d.mean == 3.0);

    assert_int_equal(disco_delay_parse(&d, "const:9223372036854775807", &err),
                     0);
    assert_true(d.a == (uint64_t)INT64_MAX);
}

struct bad_delay {
    const char *text;
    int code;
    const char *message;
};

static void test_delay_parse_errors(void **state)
{
    (void)state;
    static const struct bad_delay cases[] = {
        {"uniform:5:1", DISCO_EINVAL,
         "bad delay 'uniform:5:1': A must not exceed B"},
        {"unifrom:1:2", DISCO_EUNKNOWN,
         "unknown delay law 'unifrom' (did you mean 'uniform'?)"},
        {"unifrom", DISCO_EUNKNOWN,
         "unknown delay law 'unifrom' (did you mean 'uniform'?)"},
        {"gauss:3", DISCO_EUNKNOWN,
         "unknown delay law 'gauss' (known: const, uniform, exp)"},
        {"const:-1", DISCO_EINVAL,
         "bad delay 'const:-1': D must not be negative"},
        {"const:5x", DISCO_EINVAL,
         "bad delay 'const:5x': D must be a whole number of ticks"},
        {"const: 5", DISCO_EINVAL,
         "bad delay 'const: 5': D must be a whole number of ticks"},
        {"const:", DISCO_EINVAL, "bad delay 'const:': expected const:D"},
        {"const", DISCO_EINVAL, "bad delay 'const': expected const:D"},
        {"const:1:2", DISCO_EINVAL, "bad delay 'const:1:2': expected const:D"},
        {"const:99999999999999999999", DISCO_EINVAL,
         "bad delay 'const:99999999999999999999': D is too large"},
        {"const:9223372036854775808", DISCO_EINVAL,
         "bad delay 'const:9223372036854775808': D is too large"},
        {"uniform:1", DISCO_EINVAL,
         "bad delay 'uniform:1': expected uniform:A:B"},
        {"uniform:1:2:3", DISCO_EINVAL,
         "bad delay 'uniform:1:2:3': expected uniform:A:B"},
        {"uniform::2", DISCO_EINVAL,
         "bad delay 'uniform::2': expected uniform:A:B"},
        {"uniform:-1:5", DISCO_EINVAL,
         "bad delay 'uniform:-1:5': A must not be negative"},
        {"uniform:1:b", DISCO_EINVAL,
         "bad delay 'uniform:1:b': B must be a whole number of ticks"},
        {"exp:0", DISCO_EINVAL, "bad delay 'exp:0': MEAN must be positive"},
        {"exp:0.0", DISCO_EINVAL, "bad delay 'exp:0.0': MEAN must be positive"},
        {"exp:-3", DISCO_EINVAL, "bad delay 'exp:-3': MEAN must be positive"},
        {"exp:abc", DISCO_EINVAL,
         "bad delay 'exp:abc': MEAN must be a number of ticks"},
        {"exp:0x10", DISCO_EINVAL,
         "bad delay 'exp:0x10': MEAN must be a number of ticks"},
        {"exp:inf", DISCO_EINVAL,
         "bad delay 'exp:inf': MEAN must be a number of ticks"},
        {"exp: 5", DISCO_EINVAL,
         "bad delay 'exp: 5': MEAN must be a number of ticks"},
        {"exp:1e", DISCO_EINVAL,
         "bad delay 'exp:1e': MEAN must be a number of ticks"},
        {"exp:1.5.2", DISCO_EINVAL,
         "bad delay 'exp:1.5.2': MEAN must be a number of ticks"},
        {"exp:-1e2", DISCO_EINVAL,
         "bad delay 'exp:-1e2': MEAN must be positive"},
        {"exp:1e-999", DISCO_EINVAL,
         "bad delay 'exp:1e-999': MEAN must be positive"},
        {"exp:1e999", DISCO_EINVAL,
         "bad delay 'exp:1e999': MEAN is too large"},
        /* The laws' bounds stay whole ticks. */
        {"const:1e2", DISCO_EINVAL,
         "bad delay 'const:1e2': D must be a whole number of ticks"},
        {"uniform:1:1e2", DISCO_EINVAL,
         "bad delay 'uniform:1:1e2': B must be a whole number of ticks"},
        {"uniform:1.5:2", DISCO_EINVAL,
         "bad delay 'uniform:1.5:2': A must be a whole number of ticks"},
        {"exp:nan", DISCO_EINVAL,
         "bad delay 'exp:nan': MEAN must be a number of ticks"},
        {"exp:", DISCO_EINVAL, "bad delay 'exp:': expected exp:MEAN"},
        {"exp:1e99", DISCO_EINVAL, "bad delay 'exp:1e99': MEAN is too large"},
        {"exp:10000000000000000", DISCO_EINVAL,
         "bad delay 'exp:10000000000000000': MEAN is too large"},
        {"5", DISCO_EINVAL,
         "bad delay '5': expected const:D, uniform:A:B or exp:MEAN"},
        {"", DISCO_EINVAL,
         "bad delay '': expected const:D, uniform:A:B or exp:MEAN"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disco_delay d = {.kind = DISCO_DELAY_CONST, .a = 77, .b = 77};
        struct disco_error err = {0};
        int rc = disco_delay_parse(&d, cases[i].text, &err);
        assert_refused("delay", cases[i].text, rc, &err, cases[i].code,
                       cases[i].message);
        assert_int_equal(err.code, cases[i].code);
        /* A rejected text leaves the law alone. */
        assert_int_equal(d.kind, DISCO_DELAY_CONST);
        assert_int_equal(d.a, 77);
    }
}

static void test_delay_format(void **state)
{
    (void)state;
    static const char *const texts[] = {
        "const:5",     "const:0", "uniform:1:100", "exp:20",
        "exp:2.5",     "exp:0.1", "exp:1234567",   "exp:123456789.5",
        "exp:1e+15",   "exp:1e-06"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct disco_delay d;
        struct disco_error err = {0};
        char buf[64];
        assert_int_equal(disco_delay_parse(&d, texts[i], &err), 0);
        disco_delay_format(&d, buf, sizeof buf);
        assert_string_equal(buf, texts[i]);
    }
    /* Mean 1/3 prints with the digits that read back as the same mean (a
     * scenario's law is formatted, then parsed again); a short buffer is
     * cut, NUL-terminated. */
    struct disco_delay d = {.kind = DISCO_DELAY_EXP, .mean = 1.0 / 3.0};
    char buf[64];
    disco_delay_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "exp:0.3333333333333333");
    struct disco_delay again;
    struct disco_error err = {0};
    assert_int_equal(disco_delay_parse(&again, buf, &err), 0);
    assert_true(again.mean == d.mean);
    d = (struct disco_delay){.kind = DISCO_DELAY_UNIFORM, .a = 1, .b = 100};
    disco_delay_format(&d, buf, 8);
    assert_string_equal(buf, "uniform");
}

/* ------------------------------------------------------------------------ */
/* Lifecycle.                                                               */

static void test_config_init_defaults(void **state)
{
    (void)state;
    struct disco_config cfg;
    memset(&cfg, 0xab, sizeof cfg);
    disco_config_init(&cfg, &safra);
    assert_int_equal(cfg.seed, 1);
    assert_int_equal(cfg.delay.kind, DISCO_DELAY_UNIFORM);
    assert_int_equal(cfg.delay.a, 1);
    assert_int_equal(cfg.delay.b, 100);
    assert_true(cfg.fifo);
    assert_true(cfg.loss == 0.0);
    assert_true(cfg.dup == 0.0);
    assert_false(cfg.sync);
    assert_int_equal(cfg.max_events, 0);
    assert_int_equal(cfg.max_time, 0);
    assert_null(cfg.ids);
    assert_null(cfg.initiators);
    assert_null(cfg.faults);
    assert_int_equal(cfg.fault_count, 0);
    assert_null(cfg.inputs);
    assert_int_equal(cfg.input_count, 0);
    assert_null(cfg.channel.delay);
    assert_null(cfg.channel.use_delay);
    assert_null(cfg.channel.loss);
    assert_null(cfg.channel.fifo);
    assert_int_equal(cfg.params[0], 2);
    assert_int_equal(cfg.params[1], 10);
    assert_int_equal(cfg.params[2], 0);
    assert_int_equal(cfg.params[3], 0);
    assert_int_equal(cfg.causal_log_limit, (uint64_t)1 << 24);
    disco_config_release(&cfg);

    disco_config_init(&cfg, &floodmax);
    assert_true(cfg.sync);
    assert_int_equal(cfg.params[0], 2);
    disco_config_release(&cfg);

    memset(&cfg, 0xab, sizeof cfg);
    disco_config_init(&cfg, NULL);
    assert_false(cfg.sync);
    for (size_t i = 0; i < 32; i++)
        assert_int_equal(cfg.params[i], 0);
    assert_int_equal(cfg.seed, 1);
    disco_config_release(&cfg);
}

static void test_config_release(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, NULL);
    assert_int_equal(disco_ids_parse(&cfg, "increasing", 4, &err), 0);
    assert_int_equal(disco_initiators_parse(&cfg, "all", 4, &err), 0);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@5", 4, &err), 0);
    cfg.inputs = calloc(2, sizeof *cfg.inputs);
    cfg.input_count = 2;
    cfg.channel.delay = calloc(4, sizeof *cfg.channel.delay);
    cfg.channel.use_delay = calloc(4, 1);
    cfg.channel.loss = calloc(4, sizeof *cfg.channel.loss);
    cfg.channel.fifo = calloc(4, 1);
    disco_config_release(&cfg);
    assert_null(cfg.ids);
    assert_null(cfg.initiators);
    assert_null(cfg.faults);
    assert_int_equal(cfg.fault_count, 0);
    assert_null(cfg.inputs);
    assert_int_equal(cfg.input_count, 0);
    assert_null(cfg.channel.delay);
    assert_null(cfg.channel.use_delay);
    assert_null(cfg.channel.loss);
    assert_null(cfg.channel.fifo);
    /* Releasing twice is harmless; the scalars stay. */
    disco_config_release(&cfg);
    assert_int_equal(cfg.seed, 1);
}

/* ------------------------------------------------------------------------ */
/* Ids and initiators.                                                      */

static void test_ids_orders(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, NULL);

    assert_int_equal(disco_ids_parse(&cfg, "increasing", 4, &err), 0);
    int64_t inc[] = {1, 2, 3, 4};
    assert_memory_equal(cfg.ids, inc, sizeof inc);

    assert_int_equal(disco_ids_parse(&cfg, "decreasing", 4, &err), 0);
    int64_t dec[] = {4, 3, 2, 1};
    assert_memory_equal(cfg.ids, dec, sizeof dec);

    assert_int_equal(disco_ids_parse(&cfg, "5,0,7,7", 4, &err), 0);
    int64_t list[] = {5, 0, 7, 7};
    assert_memory_equal(cfg.ids, list, sizeof list);

    assert_int_equal(disco_ids_parse(&cfg, "9223372036854775807", 1, &err), 0);
    assert_true(cfg.ids[0] == INT64_MAX);
    disco_config_release(&cfg);
}

static void test_ids_random(void **state)
{
    (void)state;
    enum { N = 32 };
    struct disco_config a, b, c;
    struct disco_error err = {0};
    disco_config_init(&a, NULL);
    disco_config_init(&b, NULL);
    disco_config_init(&c, NULL);
    a.seed = b.seed = 7;
    c.seed = 8;
    assert_int_equal(disco_ids_parse(&a, "random", N, &err), 0);
    assert_int_equal(disco_ids_parse(&b, "random", N, &err), 0);
    assert_int_equal(disco_ids_parse(&c, "random", N, &err), 0);

    /* A permutation of 1..N. */
    unsigned char seen[N + 1] = {0};
    for (int i = 0; i < N; i++) {
        assert_in_range(a.ids[i], 1, N);
        assert_int_equal(seen[a.ids[i]], 0);
        seen[a.ids[i]] = 1;
    }
    /* Reproducible from the seed, different for another seed, and not
     * simply the increasing order. */
    assert_memory_equal(a.ids, b.ids, N * sizeof *a.ids);
    assert_memory_not_equal(a.ids, c.ids, N * sizeof *a.ids);
    int in_place = 0;
    for (int i = 0; i < N; i++)
        in_place += a.ids[i] == i + 1;
    assert_true(in_place < N / 2);

    /* The contract that keeps runs reproducible across versions: a
     * Fisher-Yates shuffle of 1..N, from the last position down, drawing
     * from the ids stream of the seed and from nothing else. */
    struct disco_rng rng;
    disco_rng_init(&rng, 7, DISCO_STREAM_IDS);
    int64_t expected[N];
    for (int i = 0; i < N; i++)
        expected[i] = i + 1;
    for (uint32_t i = N; i > 1; i--) {
        uint64_t j = disco_rng_below(&rng, i);
        int64_t t = expected[i - 1];
        expected[i - 1] = expected[j];
        expected[j] = t;
    }
    assert_memory_equal(a.ids, expected, sizeof expected);

    disco_config_release(&a);
    disco_config_release(&b);
    disco_config_release(&c);
}

struct bad_text {
    const char *text;
    int code;
    const char *message;
};

static void test_ids_errors(void **state)
{
    (void)state;
    static const struct bad_text cases[] = {
        {"1,2,3", DISCO_EINVAL, "--ids lists 3 ids for 4 nodes"},
        {"1,2,3,4,5", DISCO_EINVAL, "--ids lists 5 ids for 4 nodes"},
        {"7", DISCO_EINVAL, "--ids lists 1 id for 4 nodes"},
        {"1,x,3,4", DISCO_EINVAL,
         "bad --ids '1,x,3,4': 'x' is not a whole number"},
        {"1,,3,4", DISCO_EINVAL,
         "bad --ids '1,,3,4': '' is not a whole number"},
        {"1,-2,3,4", DISCO_EINVAL, "bad --ids '1,-2,3,4': '-2' is negative"},
        {"1,2,3,99999999999999999999", DISCO_EINVAL,
         "bad --ids '1,2,3,99999999999999999999': "
         "'99999999999999999999' is too large"},
        {"increasign", DISCO_EUNKNOWN,
         "unknown ids order 'increasign' (did you mean 'increasing'?)"},
        {"sorted", DISCO_EUNKNOWN,
         "unknown ids order 'sorted' (known: increasing, decreasing, random "
         "or a list)"},
        {"", DISCO_EINVAL,
         "empty --ids: expected increasing, decreasing, random or a list"},
    };
    struct disco_config cfg;
    disco_config_init(&cfg, NULL);
    struct disco_error err = {0};
    assert_int_equal(disco_ids_parse(&cfg, "decreasing", 4, &err), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc = disco_ids_parse(&cfg, cases[i].text, 4, &err);
        assert_refused("ids", cases[i].text, rc, &err, cases[i].code,
                       cases[i].message);
        /* The earlier ids survive a rejected text. */
        assert_int_equal(cfg.ids[0], 4);
        assert_int_equal(cfg.ids[3], 1);
    }
    disco_config_release(&cfg);
}

static void test_initiators(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, NULL);

    assert_int_equal(disco_initiators_parse(&cfg, "all", 4, &err), 0);
    unsigned char all[] = {1, 1, 1, 1};
    assert_memory_equal(cfg.initiators, all, 4);

    assert_int_equal(disco_initiators_parse(&cfg, "none", 4, &err), 0);
    unsigned char none[] = {0, 0, 0, 0};
    assert_memory_equal(cfg.initiators, none, 4);

    assert_int_equal(disco_initiators_parse(&cfg, "0,3", 4, &err), 0);
    unsigned char some[] = {1, 0, 0, 1};
    assert_memory_equal(cfg.initiators, some, 4);

    static const struct bad_text cases[] = {
        {"9", DISCO_EINVAL, "initiator 9 is not a node (0..7)"},
        {"0,3,3", DISCO_EINVAL,
         "bad --initiators '0,3,3': node 3 is listed twice"},
        {"0,8", DISCO_EINVAL, "initiator 8 is not a node (0..7)"},
        {"1,x", DISCO_EINVAL,
         "bad --initiators '1,x': 'x' is not a node index"},
        {"1,", DISCO_EINVAL, "bad --initiators '1,': '' is not a node index"},
        {"-1", DISCO_EINVAL, "bad --initiators '-1': '-1' is not a node index"},
        {"al", DISCO_EUNKNOWN, "unknown initiators 'al' (did you mean 'all'?)"},
        {"every", DISCO_EUNKNOWN,
         "unknown initiators 'every' (known: all, none or a list of nodes)"},
        {"", DISCO_EINVAL,
         "empty --initiators: expected all, none or a list of nodes"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc = disco_initiators_parse(&cfg, cases[i].text, 8, &err);
        assert_refused("initiators", cases[i].text, rc, &err, cases[i].code,
                       cases[i].message);
        assert_memory_equal(cfg.initiators, some, 4);
    }
    disco_config_release(&cfg);
}

/* ------------------------------------------------------------------------ */
/* Parameters.                                                              */

static void test_param_parse(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, &safra);

    assert_int_equal(disco_param_parse(&cfg, &safra, "colours=5", &err), 0);
    assert_int_equal(cfg.params[0], 5);
    assert_int_equal(disco_param_parse(&cfg, &safra, "rounds=0", &err), 0);
    assert_int_equal(cfg.params[1], 0);
    assert_int_equal(disco_param_parse(&cfg, &safra, "rounds=100", &err), 0);
    assert_int_equal(cfg.params[1], 100);
    static const struct {
        const char *text;
        int64_t value;
    } switches[] = {{"verbose=on", 1},   {"verbose=off", 0},
                    {"verbose=true", 1}, {"verbose=false", 0},
                    {"verbose=yes", 1},  {"verbose=no", 0},
                    {"verbose=1", 1}};
    for (size_t i = 0; i < sizeof switches / sizeof switches[0]; i++) {
        assert_int_equal(
            disco_param_parse(&cfg, &safra, switches[i].text, &err), 0);
        assert_int_equal(cfg.params[2], switches[i].value);
    }

    static const struct bad_text cases[] = {
        {"coloors=3", DISCO_EUNKNOWN,
         "unknown parameter 'coloors' for safra (did you mean 'colours'?)"},
        {"zzzzzz=1", DISCO_EUNKNOWN,
         "unknown parameter 'zzzzzz' for safra (known: colours, rounds, "
         "verbose)"},
        {"colours", DISCO_EINVAL, "bad --param 'colours': expected KEY=VALUE"},
        {"=3", DISCO_EINVAL, "bad --param '=3': expected KEY=VALUE"},
        {"colours=x", DISCO_EINVAL,
         "bad --param 'colours=x': expected an integer, on or off"},
        {"colours=", DISCO_EINVAL,
         "bad --param 'colours=': expected an integer, on or off"},
        {"colours=3.5", DISCO_EINVAL,
         "bad --param 'colours=3.5': expected an integer, on or off"},
        {"colours=9", DISCO_EINVAL,
         "bad --param 'colours=9': colours must be between 1 and 8"},
        {"colours=0", DISCO_EINVAL,
         "bad --param 'colours=0': colours must be between 1 and 8"},
        {"colours=off", DISCO_EINVAL,
         "bad --param 'colours=off': colours must be between 1 and 8"},
        {"rounds=-1", DISCO_EINVAL,
         "bad --param 'rounds=-1': rounds must be between 0 and 100"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc = disco_param_parse(&cfg, &safra, cases[i].text, &err);
        assert_refused("param", cases[i].text, rc, &err, cases[i].code,
                       cases[i].message);
    }
    /* Rejected texts changed nothing. */
    assert_int_equal(cfg.params[0], 5);
    assert_int_equal(cfg.params[1], 100);
    assert_int_equal(cfg.params[2], 1);

    assert_int_equal(disco_param_parse(&cfg, &echo, "colours=3", &err),
                     DISCO_EUNKNOWN);
    assert_string_equal(err.message,
                        "unknown parameter 'colours' for echo (it takes "
                        "none)");
    assert_int_equal(disco_param_parse(&cfg, NULL, "colours=3", &err),
                     DISCO_EINVAL);
    assert_string_equal(err.message, "--param 'colours=3' needs an algorithm");
    disco_config_release(&cfg);
}

/* ------------------------------------------------------------------------ */
/* Faults.                                                                  */

static void assert_fault(const struct disco_fault *f,
                         enum disco_fault_kind kind, uint32_t node,
                         uint32_t peer, disco_time_t time)
{
    assert_int_equal(f->kind, kind);
    assert_int_equal(f->node, node);
    assert_int_equal(f->peer, peer);
    assert_int_equal(f->time, time);
}

static void test_faults_parse(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, NULL);

    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "2@10,5@20", 8, &err), 0);
    assert_int_equal(cfg.fault_count, 2);
    assert_fault(&cfg.faults[0], DISCO_FAULT_CRASH, 2, 2, 10);
    assert_fault(&cfg.faults[1], DISCO_FAULT_CRASH, 5, 5, 20);

    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_RECOVER, "2@15", 8, &err), 0);
    assert_int_equal(cfg.fault_count, 3);
    assert_fault(&cfg.faults[2], DISCO_FAULT_RECOVER, 2, 2, 15);

    assert_int_equal(disco_faults_parse(&cfg, DISCO_FAULT_LINK_DOWN,
                                        "0-1@5:9,7-3@0:1", 8, &err),
                     0);
    assert_int_equal(cfg.fault_count, 7);
    assert_fault(&cfg.faults[3], DISCO_FAULT_LINK_DOWN, 0, 1, 5);
    assert_fault(&cfg.faults[4], DISCO_FAULT_LINK_UP, 0, 1, 9);
    assert_fault(&cfg.faults[5], DISCO_FAULT_LINK_DOWN, 7, 3, 0);
    assert_fault(&cfg.faults[6], DISCO_FAULT_LINK_UP, 7, 3, 1);

    static const struct {
        enum disco_fault_kind kind;
        const char *text, *message;
    } cases[] = {
        {DISCO_FAULT_CRASH, "9@1", "crash node 9 is not a node (0..7)"},
        {DISCO_FAULT_RECOVER, "1@4,8@1", "recover node 8 is not a node (0..7)"},
        {DISCO_FAULT_CRASH, "2", "bad --crash '2': expected NODE@T"},
        {DISCO_FAULT_CRASH, "2@x",
         "bad --crash '2@x': 'x' is not a time in ticks"},
        {DISCO_FAULT_CRASH, "2@-4",
         "bad --crash '2@-4': '-4' is not a time in ticks"},
        {DISCO_FAULT_CRASH, "x@4",
         "bad --crash 'x@4': 'x' is not a node index"},
        {DISCO_FAULT_CRASH, "1@2,", "bad --crash '1@2,': expected NODE@T"},
        {DISCO_FAULT_CRASH, "1@99999999999999999999",
         "bad --crash '1@99999999999999999999': time 99999999999999999999 is "
         "too large"},
        {DISCO_FAULT_LINK_DOWN, "0-1@9:5",
         "bad --cut '0-1@9:5': T1 must be before T2"},
        {DISCO_FAULT_LINK_DOWN, "0-1@5:5",
         "bad --cut '0-1@5:5': T1 must be before T2"},
        {DISCO_FAULT_LINK_DOWN, "0-0@1:2",
         "bad --cut '0-0@1:2': a link joins two different nodes"},
        {DISCO_FAULT_LINK_DOWN, "0-1@5",
         "bad --cut '0-1@5': expected A-B@T1:T2"},
        {DISCO_FAULT_LINK_DOWN, "0@5:6",
         "bad --cut '0@5:6': expected A-B@T1:T2"},
        {DISCO_FAULT_LINK_DOWN, "0-8@5:6", "cut node 8 is not a node (0..7)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc =
            disco_faults_parse(&cfg, cases[i].kind, cases[i].text, 8, &err);
        assert_refused("fault", cases[i].text, rc, &err, DISCO_EINVAL,
                       cases[i].message);
        /* Nothing appended by a rejected text, even after good items. */
        assert_int_equal(cfg.fault_count, 7);
    }
    disco_config_release(&cfg);
}

/* Both omission options, each by its own name, in every kind of message;
 * the name comes from the same place as --crash's and --cut's. */
static void test_omission_messages(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, NULL);

    static const struct {
        enum disco_fault_kind kind;
        const char *text, *message;
    } cases[] = {
        {DISCO_FAULT_OMIT_SEND, "1",
         "bad --omit-send '1': expected NODE@T[:T2][/P]"},
        {DISCO_FAULT_OMIT_RECEIVE, "1/0.5@3",
         "bad --omit-receive '1/0.5@3': expected NODE@T[:T2][/P]"},
        {DISCO_FAULT_OMIT_SEND, "9@1", "omit-send node 9 is not a node (0..7)"},
        {DISCO_FAULT_OMIT_RECEIVE, "0@1,8@1",
         "omit-receive node 8 is not a node (0..7)"},
        {DISCO_FAULT_OMIT_SEND, "x@1",
         "bad --omit-send 'x@1': 'x' is not a node index"},
        {DISCO_FAULT_OMIT_RECEIVE, "1@x",
         "bad --omit-receive '1@x': 'x' is not a time in ticks"},
        {DISCO_FAULT_OMIT_SEND, "1@5:5",
         "bad --omit-send '1@5:5': the window must end after it starts"},
        {DISCO_FAULT_OMIT_RECEIVE, "1@0/2",
         "bad --omit-receive '1@0/2': '2' is not a probability in [0, 1]"},
        {DISCO_FAULT_OMIT_SEND, "1@0/0x.8",
         "bad --omit-send '1@0/0x.8': '0x.8' is not a probability in [0, 1]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc =
            disco_omission_parse(&cfg, cases[i].kind, cases[i].text, 8, &err);
        assert_refused("omission", cases[i].text, rc, &err, DISCO_EINVAL,
                       cases[i].message);
        assert_int_equal(cfg.fault_count, 0);
    }
    disco_config_release(&cfg);
}

/* ------------------------------------------------------------------------ */
/* Dynamic networks.                                                        */

/* An unknown word is refused as unknown, with a suggestion when it is a
 * plausible typo, and is never taken for none: the network set before
 * stays. */
static void test_dynamic_unknown(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, NULL);
    assert_int_equal(disco_dynamic_parse(&cfg, "rooted:0.25", &err), 0);

    static const struct {
        const char *text, *message;
    } cases[] = {
        {"xyz", "unknown dynamic network 'xyz' (known: rooted[:P], "
                "nonsplit[:P], remove:K, none)"},
        {"xyz:5", "unknown dynamic network 'xyz' (known: rooted[:P], "
                  "nonsplit[:P], remove:K, none)"},
        /* Words match in their case; the other case is only suggested. */
        {"NONE", "unknown dynamic network 'NONE' (did you mean 'none'?)"},
        {"", "unknown dynamic network '' (known: rooted[:P], nonsplit[:P], "
             "remove:K, none)"},
        {"nne", "unknown dynamic network 'nne' (did you mean 'none'?)"},
        {"nonsplat:0.3",
         "unknown dynamic network 'nonsplat' (did you mean 'nonsplit'?)"},
        {"remov:3", "unknown dynamic network 'remov' (did you mean 'remove'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc = disco_dynamic_parse(&cfg, cases[i].text, &err);
        assert_refused("dynamic", cases[i].text, rc, &err, DISCO_EUNKNOWN,
                       cases[i].message);
        assert_int_equal(cfg.dynamic, DISCO_DYNAMIC_ROOTED);
        assert_true(cfg.dynamic_p == 0.25);
    }
    disco_config_release(&cfg);
}

/* none is known but takes no argument, and says so, whatever follows its
 * colon; the network set before stays. */
static void test_dynamic_none_argument(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, NULL);
    assert_int_equal(disco_dynamic_parse(&cfg, "remove:3", &err), 0);

    static const struct {
        const char *text, *message;
    } cases[] = {
        {"none:5", "bad --dynamic 'none:5': none takes no argument"},
        {"none:", "bad --dynamic 'none:': none takes no argument"},
        {"none:0.5:1", "bad --dynamic 'none:0.5:1': none takes no argument"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&err, 0, sizeof err);
        int rc = disco_dynamic_parse(&cfg, cases[i].text, &err);
        assert_refused("dynamic", cases[i].text, rc, &err, DISCO_EINVAL,
                       cases[i].message);
        assert_int_equal(cfg.dynamic, DISCO_DYNAMIC_REMOVE);
        assert_int_equal(cfg.dynamic_k, 3);
    }

    /* Bare, it is accepted and makes the network static again. */
    assert_int_equal(disco_dynamic_parse(&cfg, "none", &err), 0);
    assert_int_equal(cfg.dynamic, DISCO_DYNAMIC_NONE);
    disco_config_release(&cfg);
}

/* ------------------------------------------------------------------------ */
/* The model check.                                                         */

static void build(struct disco_topology *t, const char *spec, uint32_t nodes,
                  bool directed, const struct disco_edge *edges, size_t count)
{
    struct disco_error err = {0};
    if (disco_topology_build(t, nodes, directed, edges, count, false, &err))
        fail_msg("building '%s': %s", spec, err.message);
    snprintf(t->spec, sizeof t->spec, "%s", spec);
}

static void generate(struct disco_topology *t, const char *spec)
{
    struct disco_error err = {0};
    if (disco_topology_generate(t, spec, 1, &err))
        fail_msg("generating '%s': %s", spec, err.message);
}

static int check(const struct disco_algorithm *alg,
                 const struct disco_topology *t, const struct disco_config *cfg,
                 char *warning, struct disco_error *err)
{
    memset(err, 0, sizeof *err);
    return disco_model_check(alg, t, cfg, warning, 256, err);
}

static void expect_model_error(const struct disco_algorithm *alg,
                               const struct disco_topology *t,
                               const struct disco_config *cfg,
                               const char *message)
{
    char warning[256];
    struct disco_error err;
    int rc = check(alg, t, cfg, warning, &err);
    if (rc != DISCO_EMODEL || strcmp(err.message, message))
        fail_msg("%s on '%s': got %d '%s', want '%s'", alg->name, t->spec, rc,
                 err.message, message);
}

static void expect_fits(const struct disco_algorithm *alg,
                        const struct disco_topology *t,
                        const struct disco_config *cfg)
{
    char warning[256] = "stale";
    struct disco_error err;
    int rc = check(alg, t, cfg, warning, &err);
    if (rc != 0)
        fail_msg("%s on '%s': %s", alg->name, t->spec, err.message);
    assert_string_equal(warning, "");
}

static void test_model_shapes(void **state)
{
    (void)state;
    struct disco_config cfg;
    disco_config_init(&cfg, NULL);
    struct disco_topology uring, ring, two_cycles, grid, line, star, complete4,
        triangle, forest, path_directed;

    static const struct disco_edge uring_e[] = {
        {0, 1, 1}, {1, 2, 1}, {2, 3, 1}, {3, 0, 1}};
    build(&uring, "uring:4", 4, true, uring_e, 4);
    static const struct disco_edge ring_e[] = {
        {0, 1, 1}, {1, 2, 1}, {2, 3, 1}, {3, 0, 1}};
    build(&ring, "ring:4", 4, false, ring_e, 4);
    static const struct disco_edge two_e[] = {
        {0, 1, 1}, {1, 0, 1}, {2, 3, 1}, {3, 2, 1}};
    build(&two_cycles, "two-cycles", 4, true, two_e, 4);
    generate(&grid, "grid:3x3");
    static const struct disco_edge line_e[] = {{0, 1, 1}, {1, 2, 1}, {2, 3, 1}};
    build(&line, "line:4", 4, false, line_e, 3);
    static const struct disco_edge star_e[] = {{0, 1, 1}, {0, 2, 1}, {0, 3, 1}};
    build(&star, "star:4", 4, false, star_e, 3);
    static const struct disco_edge k4_e[] = {{0, 1, 1}, {0, 2, 1}, {0, 3, 1},
                                             {1, 2, 1}, {1, 3, 1}, {2, 3, 1}};
    build(&complete4, "complete:4", 4, false, k4_e, 6);
    static const struct disco_edge tri_e[] = {{0, 1, 1}, {1, 2, 1}, {2, 0, 1}};
    build(&triangle, "ring:3", 3, false, tri_e, 3);
    /* Three edges on four nodes, but a triangle plus a lone node. */
    build(&forest, "forest", 4, false, tri_e, 3);
    build(&path_directed, "path", 4, true, line_e, 3);

    /* URING */
    struct disco_algorithm a = shaped("chang-roberts", DISCO_SHAPE_URING);
    expect_fits(&a, &uring, &cfg);
    expect_model_error(&a, &grid, &cfg,
                       "chang-roberts needs a unidirectional ring; "
                       "'grid:3x3' is not one");
    expect_model_error(&a, &ring, &cfg,
                       "chang-roberts needs a unidirectional ring; 'ring:4' "
                       "is not one");
    expect_model_error(&a, &two_cycles, &cfg,
                       "chang-roberts needs a unidirectional ring; "
                       "'two-cycles' is not one");
    expect_model_error(&a, &path_directed, &cfg,
                       "chang-roberts needs a unidirectional ring; 'path' is "
                       "not one");

    /* RING */
    a = shaped("lcr", DISCO_SHAPE_RING);
    expect_fits(&a, &ring, &cfg);
    expect_fits(&a, &triangle, &cfg);
    expect_model_error(&a, &line, &cfg,
                       "lcr needs a bidirectional ring; 'line:4' is not one");
    expect_model_error(&a, &uring, &cfg,
                       "lcr needs a bidirectional ring; 'uring:4' is not one");
    expect_model_error(&a, &complete4, &cfg,
                       "lcr needs a bidirectional ring; 'complete:4' is not "
                       "one");

    /* COMPLETE */
    a = shaped("bully", DISCO_SHAPE_COMPLETE);
    expect_fits(&a, &complete4, &cfg);
    expect_fits(&a, &triangle, &cfg);
    expect_model_error(&a, &ring, &cfg,
                       "bully needs a complete graph; 'ring:4' is not one");
    expect_model_error(&a, &grid, &cfg,
                       "bully needs a complete graph; 'grid:3x3' is not one");

    /* TREE */
    a = shaped("tree-wave", DISCO_SHAPE_TREE);
    expect_fits(&a, &line, &cfg);
    expect_fits(&a, &star, &cfg);
    expect_model_error(&a, &ring, &cfg,
                       "tree-wave needs a tree; 'ring:4' is not one");
    expect_model_error(&a, &forest, &cfg,
                       "tree-wave needs a tree; 'forest' is not one");
    expect_model_error(&a, &path_directed, &cfg,
                       "tree-wave needs a tree; 'path' is not one");

    /* ANY, with the flags. */
    expect_fits(&echo, &grid, &cfg);
    expect_model_error(&echo, &uring, &cfg,
                       "echo needs bidirectional channels; 'uring:4' is "
                       "directed (ring:4 has channels both ways)");
    expect_model_error(&echo, &forest, &cfg,
                       "echo needs a connected network; 'forest' is not "
                       "connected");
    /* Strongly connected, for a directed graph. */
    struct disco_algorithm connected = shaped("flood", DISCO_SHAPE_ANY);
    connected.model.connected = true;
    expect_fits(&connected, &uring, &cfg);
    expect_model_error(&connected, &path_directed, &cfg,
                       "flood needs a strongly connected network; 'path' is "
                       "directed and not strongly connected");

    struct disco_topology *all[] = {
        &uring, &ring,      &two_cycles, &grid,   &line,
        &star,  &complete4, &triangle,   &forest, &path_directed};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        disco_topology_release(all[i]);
    disco_config_release(&cfg);
}

static void test_model_ids(void **state)
{
    (void)state;
    struct disco_topology t;
    static const struct disco_edge e[] = {{0, 1, 1}, {1, 2, 1}, {2, 3, 1},
                                          {3, 4, 1}, {4, 5, 1}, {5, 6, 1},
                                          {6, 7, 1}, {7, 0, 1}};
    build(&t, "uring:8", 8, true, e, 8);
    struct disco_config cfg;
    struct disco_error err = {0};
    disco_config_init(&cfg, &chang_roberts);

    expect_fits(&chang_roberts, &t, &cfg); /* no ids: increasing */
    assert_int_equal(disco_ids_parse(&cfg, "random", 8, &err), 0);
    expect_fits(&chang_roberts, &t, &cfg);

    assert_int_equal(disco_ids_parse(&cfg, "1,2,5,3,4,6,5,8", 8, &err), 0);
    expect_model_error(&chang_roberts, &t, &cfg,
                       "chang-roberts needs unique ids; duplicate id 5 at "
                       "nodes 2 and 6");
    /* The duplicate met first along the nodes is the one named. */
    assert_int_equal(disco_ids_parse(&cfg, "9,3,9,3,9,0,1,2", 8, &err), 0);
    expect_model_error(&chang_roberts, &t, &cfg,
                       "chang-roberts needs unique ids; duplicate id 9 at "
                       "nodes 0 and 2");
    assert_int_equal(disco_ids_parse(&cfg, "4,3,2,1,0,1,6,7", 8, &err), 0);
    expect_model_error(&chang_roberts, &t, &cfg,
                       "chang-roberts needs unique ids; duplicate id 1 at "
                       "nodes 3 and 5");

    /* Duplicates are fine where ids need not be unique. */
    struct disco_algorithm anon = shaped("anon", DISCO_SHAPE_URING);
    expect_fits(&anon, &t, &cfg);

    disco_config_release(&cfg);
    disco_topology_release(&t);
}

static void test_model_timing(void **state)
{
    (void)state;
    struct disco_topology t;
    generate(&t, "ring:5");
    struct disco_config cfg;
    disco_config_init(&cfg, &echo);
    char warning[256];
    struct disco_error err;

    cfg.sync = true;
    assert_int_equal(check(&echo, &t, &cfg, warning, &err), DISCO_EMODEL);
    assert_string_equal(err.message,
                        "echo has no synchronous version; run it without "
                        "--sync");
    assert_int_equal(err.code, DISCO_EMODEL);

    disco_config_release(&cfg);
    disco_config_init(&cfg, &floodmax);
    assert_true(cfg.sync);
    expect_fits(&floodmax, &t, &cfg);
    cfg.sync = false;
    assert_int_equal(check(&floodmax, &t, &cfg, warning, &err), DISCO_EMODEL);
    assert_string_equal(err.message,
                        "floodmax runs only in synchronous rounds; add --sync");
    disco_config_release(&cfg);
    disco_topology_release(&t);
}

extern const struct disco_algorithm disco_alg_bully;

/* The delay law into cfg, as --delay reads it. */
static void set_delay(struct disco_config *cfg, const char *law)
{
    struct disco_error err = {0};
    assert_ok(disco_delay_parse(&cfg->delay, law, &err), &err);
}

/* An algorithm that assumes bounded delays (bully: every delay below
 * timeout/2) is warned about delays that can reach the bound, whether from
 * the run's law, a scenario's channel or a delay change, and not about
 * delays that stay below it. */
static void test_delay_bound_warning(void **state)
{
    (void)state;
    const struct disco_algorithm *bully = &disco_alg_bully;
    struct disco_topology t;
    generate(&t, "complete:4");
    struct disco_config cfg;
    struct disco_error err;
    char warning[256];
    disco_config_init(&cfg, bully);
    expect_fits(bully, &t, &cfg); /* uniform:1:100 under timeout 250 */
    set_delay(&cfg, "const:124");
    expect_fits(bully, &t, &cfg);
    set_delay(&cfg, "const:125");
    assert_int_equal(check(bully, &t, &cfg, warning, &err), 0);
    assert_string_equal(warning,
                        "bully assumes every delay below timeout/2 "
                        "(timeout=250); running with delays up to 125 ticks "
                        "anyway, and the run may not end (--param timeout, "
                        "--max-events)");
    sim_config_param(&cfg, bully, "timeout", 251); /* 2 * 125 < 251 */
    expect_fits(bully, &t, &cfg);
    sim_config_param(&cfg, bully, "timeout", 250);
    /* The exponential law's longest draw is 37 means plus one, as the kernel
     * draws it: exp:3 stays below 125, exp:10 reaches 371. */
    set_delay(&cfg, "exp:3");
    expect_fits(bully, &t, &cfg);
    set_delay(&cfg, "exp:10");
    assert_int_equal(check(bully, &t, &cfg, warning, &err), 0);
    assert_non_null(strstr(warning, "running with delays up to 371 ticks"));

    /* One scenario channel slower than the bound. */
    set_delay(&cfg, "uniform:1:100");
    cfg.channel.delay = calloc(t.channels, sizeof *cfg.channel.delay);
    cfg.channel.use_delay = calloc(t.channels, 1);
    assert_non_null(cfg.channel.delay);
    assert_non_null(cfg.channel.use_delay);
    cfg.channel.delay[5] = (struct disco_delay){DISCO_DELAY_UNIFORM, 1, 300, 0};
    expect_fits(bully, &t, &cfg); /* not used by channel 5 */
    cfg.channel.use_delay[5] = 1;
    assert_int_equal(check(bully, &t, &cfg, warning, &err), 0);
    assert_non_null(strstr(warning, "running with delays up to 300 ticks"));
    cfg.channel.use_delay[5] = 0;

    /* A law the run switches to later. */
    assert_ok(disco_delay_change_parse(&cfg, "const:400@50", &err), &err);
    assert_int_equal(check(bully, &t, &cfg, warning, &err), 0);
    assert_non_null(strstr(warning, "running with delays up to 400 ticks"));
    disco_config_release(&cfg);

    /* Algorithms that assume no bound are never warned. */
    disco_config_init(&cfg, &chang_roberts);
    set_delay(&cfg, "exp:100000");
    struct disco_topology ring;
    generate(&ring, "uring:4");
    expect_fits(&chang_roberts, &ring, &cfg);
    disco_config_release(&cfg);
    disco_topology_release(&ring);
    disco_topology_release(&t);
}

static void test_model_warnings(void **state)
{
    (void)state;
    struct disco_topology t;
    generate(&t, "uring:4");
    struct disco_config cfg;
    struct disco_error err;
    disco_config_init(&cfg, &chang_roberts);
    char warning[256];

    cfg.fifo = false;
    assert_int_equal(check(&chang_roberts, &t, &cfg, warning, &err), 0);
    assert_string_equal(warning, "chang-roberts assumes FIFO channels; "
                                 "running with --no-fifo anyway");

    /* A failure detector it never asks (chang-roberts names none). */
    cfg.fifo = true;
    cfg.detector = DISCO_DETECTOR_PERFECT;
    assert_int_equal(check(&chang_roberts, &t, &cfg, warning, &err), 0);
    assert_string_equal(warning, "chang-roberts asks no failure detector; "
                                 "--detector changes nothing");
    cfg.detector = DISCO_DETECTOR_NONE;

    /* FIFO turned off on one channel by a scenario. */
    cfg.fifo = true;
    cfg.channel.fifo = malloc(t.channels);
    memset(cfg.channel.fifo, -1, t.channels);
    cfg.channel.fifo[2] = 0;
    assert_int_equal(check(&chang_roberts, &t, &cfg, warning, &err), 0);
    assert_string_equal(warning, "chang-roberts assumes FIFO channels; "
                                 "running with non-FIFO channels from the "
                                 "scenario anyway");
    cfg.channel.fifo[2] = 1;
    expect_fits(&chang_roberts, &t, &cfg);

    /* Faults for an algorithm that tolerates none. */
    cfg.loss = 0.1;
    assert_int_equal(check(&chang_roberts, &t, &cfg, warning, &err), 0);
    assert_string_equal(warning, "chang-roberts assumes reliable channels; "
                                 "running with message loss anyway");
    cfg.dup = 0.2;
    assert_int_equal(check(&chang_roberts, &t, &cfg, warning, &err), 0);
    assert_string_equal(warning, "chang-roberts assumes reliable channels; "
                                 "running with message loss and duplication "
                                 "anyway, and the run may not end "
                                 "(--max-events)");
    cfg.loss = 0;
    assert_int_equal(check(&chang_roberts, &t, &cfg, warning, &err), 0);
    assert_string_equal(warning, "chang-roberts assumes reliable channels; "
                                 "running with message duplication anyway, "
                                 "and the run may not end (--max-events)");
    cfg.dup = 0;
    /* Loss on one scenario channel only. */
    cfg.channel.loss = malloc(t.channels * sizeof *cfg.channel.loss);
    for (uint32_t c = 0; c < t.channels; c++)
        cfg.channel.loss[c] = -1;
    expect_fits(&chang_roberts, &t, &cfg);
    cfg.channel.loss[3] = 1;
    assert_int_equal(check(&chang_roberts, &t, &cfg, warning, &err), 0);
    assert_string_equal(warning, "chang-roberts assumes reliable channels; "
                                 "running with message loss anyway");
    cfg.channel.loss[3] = 0;
    cfg.loss = 0;
    cfg.fifo = false;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@5", 4, &err), 0);
    assert_int_equal(check(&chang_roberts, &t, &cfg, warning, &err), 0);
    assert_string_equal(warning, "chang-roberts assumes FIFO channels; "
                                 "running with --no-fifo anyway; "
                                 "chang-roberts tolerates no faults; running "
                                 "with the scheduled faults anyway");

    /* A short buffer is cut, never overrun; a NULL one is allowed. */
    char small[16];
    assert_int_equal(
        disco_model_check(&chang_roberts, &t, &cfg, small, sizeof small, &err),
        0);
    assert_string_equal(small, "chang-roberts a");
    assert_int_equal(disco_model_check(&chang_roberts, &t, &cfg, NULL, 0, &err),
                     0);

    /* An algorithm that tolerates crashes is not warned about them. */
    struct disco_algorithm tolerant = shaped("tolerant", DISCO_SHAPE_URING);
    expect_fits(&tolerant, &t, &cfg);

    disco_config_release(&cfg);
    disco_topology_release(&t);
}

extern const struct disco_algorithm disco_alg_om, disco_alg_eig,
    disco_alg_floodset, disco_alg_chandy_misra_haas, disco_alg_tarry,
    disco_alg_safra, disco_alg_lcr, disco_alg_full_reversal,
    disco_alg_partial_reversal, disco_alg_binary_link_labels,
    disco_alg_dolev_strong, disco_alg_phase_king, disco_alg_ben_or,
    disco_alg_approximate_agreement;

/* Check `alg` with its defaults (and param=value when param is given) on
 * `spec`: refused with exactly `code` and `message`, or, when message is
 * NULL, fitting with exactly `expected` as its warning ("" for none). */
static void expect_model(const struct disco_algorithm *alg, const char *spec,
                         const char *param, int64_t value, int code,
                         const char *message, const char *expected)
{
    struct disco_topology t;
    generate(&t, spec);
    struct disco_config cfg;
    disco_config_init(&cfg, alg);
    if (param)
        sim_config_param(&cfg, alg, param, value);
    char warning[256];
    struct disco_error err;
    int rc = check(alg, &t, &cfg, warning, &err);
    if (!message) {
        if (rc)
            fail_msg("%s on '%s': %s", alg->name, spec, err.message);
        if (strcmp(warning, expected))
            fail_msg("%s on '%s' %s=%lld: warning '%s', want '%s'",
                     alg->name, spec, param ? param : "(no param)",
                     (long long)value, warning, expected);
    } else if (rc != code || strcmp(err.message, message)) {
        fail_msg("%s on '%s': got %d '%s', want %d '%s'", alg->name, spec, rc,
                 rc ? err.message : "", code, message);
    }
    disco_config_release(&cfg);
    disco_topology_release(&t);
}

/* Refused with exactly `code` and `message`, or, message NULL, fitting
 * without a warning. */
static void expect_on(const struct disco_algorithm *alg, const char *spec,
                      const char *param, int64_t value, int code,
                      const char *message)
{
    expect_model(alg, spec, param, value, code, message, "");
}

/* The limits of an implementation are refused before the run, one past
 * them, and the limit itself fits. */
static void test_model_limits(void **state)
{
    (void)state;
    expect_on(&disco_alg_om, "complete:11", NULL, 0, DISCO_EMODEL,
              "om keeps at most 10 processes; 'complete:11' has 11");
    expect_on(&disco_alg_om, "complete:10", NULL, 0, 0, NULL);
    expect_on(&disco_alg_eig, "complete:11", NULL, 0, DISCO_EMODEL,
              "eig keeps at most 10 processes; 'complete:11' has 11");
    expect_on(&disco_alg_eig, "complete:10", NULL, 0, 0, NULL);
    expect_on(&disco_alg_floodset, "complete:65", NULL, 0, DISCO_EMODEL,
              "floodset keeps at most 64 processes; 'complete:65' has 65");
    expect_on(&disco_alg_floodset, "complete:64", NULL, 0, 0, NULL);
    /* A ring counts processes as well as a complete graph, and cheaper. */
    expect_on(&disco_alg_chandy_misra_haas, "uring:4097", NULL, 0,
              DISCO_EMODEL,
              "chandy-misra-haas keeps at most 4096 processes; 'uring:4097' "
              "has 4097");
    expect_on(&disco_alg_chandy_misra_haas, "uring:4096", NULL, 0, 0, NULL);
    assert_int_equal(disco_alg_bully.model.max_nodes, 4096);
    /* Ports: tarry keeps 64 per process. */
    expect_on(&disco_alg_tarry, "complete:66", NULL, 0, DISCO_EMODEL,
              "tarry keeps at most 64 ports per process; node 0 of "
              "'complete:66' has 65");
    expect_on(&disco_alg_tarry, "complete:65", NULL, 0, 0, NULL);
}

/* Safra's token needs the channels i -> i+1 mod n, on any graph with
 * them; lcr needs a ring numbered along it. */
static void test_model_ring_order(void **state)
{
    (void)state;
    expect_on(&disco_alg_safra, "line:5", NULL, 0, DISCO_EMODEL,
              "safra needs a channel from every node i to node i+1 mod n "
              "(its token's ring); 'line:5' has none from node 4 to node 0");
    expect_on(&disco_alg_safra, "ring:5", NULL, 0, 0, NULL);
    expect_on(&disco_alg_safra, "complete:5", NULL, 0, 0, NULL);
    expect_on(&disco_alg_lcr, "grid:2x2", NULL, 0, DISCO_EMODEL,
              "lcr needs a ring (uring:N, or ring:N with node i linked to "
              "node i+1 mod n); 'grid:2x2' is not one");
    expect_on(&disco_alg_lcr, "ring:5", NULL, 0, 0, NULL);
    expect_on(&disco_alg_lcr, "uring:5", NULL, 0, 0, NULL);
}

/* A parameter that names a node must name one of the topology's; -1 (none)
 * passes where the range allows it. */
static void test_model_node_params(void **state)
{
    (void)state;
    const struct disco_algorithm *const reversal[] = {
        &disco_alg_full_reversal, &disco_alg_partial_reversal,
        &disco_alg_binary_link_labels};
    for (size_t i = 0; i < 3; i++) {
        expect_on(reversal[i], "line:11", "destination", 99, DISCO_EINVAL,
                  "--param destination=99: no node 99 (the topology has 11 "
                  "nodes)");
        expect_on(reversal[i], "line:11", "destination", 11, DISCO_EINVAL,
                  "--param destination=11: no node 11 (the topology has 11 "
                  "nodes)");
        expect_on(reversal[i], "line:11", "destination", 10, 0, NULL);
    }
    expect_on(&disco_alg_dolev_strong, "complete:4", "sender", 10,
              DISCO_EINVAL,
              "--param sender=10: no node 10 (the topology has 4 nodes)");
    expect_on(&disco_alg_dolev_strong, "complete:4", "sender", 3, 0, NULL);
    expect_on(&disco_alg_floodset, "complete:5", "cut_node", 10, DISCO_EINVAL,
              "--param cut_node=10: no node 10 (the topology has 5 nodes)");
    expect_on(&disco_alg_floodset, "complete:5", "cut_node", 4, 0, NULL);
    expect_on(&disco_alg_floodset, "complete:5", "cut_node", -1, 0, NULL);
    expect_on(&disco_alg_floodset, "complete:5", "chain", 5, DISCO_EINVAL,
              "--param chain=5: no node 5 (the topology has 5 nodes)");
    expect_on(&disco_alg_floodset, "complete:5", "chain", 4, 0, NULL);
}

/* Check `alg` on `spec` with param=value: fits, with exactly `expected`
 * as its warning ("" for none). */
static void expect_warning(const struct disco_algorithm *alg,
                           const char *spec, const char *param,
                           int64_t value, const char *expected)
{
    expect_model(alg, spec, param, value, 0, NULL, expected);
}

/* The resilience a proof assumes (n > k * param) warns at the bound and
 * the check passes; one process more fits silently. */
static void test_model_resilience(void **state)
{
    (void)state;
    expect_warning(&disco_alg_phase_king, "complete:4", "f", 1,
                   "phase-king assumes n > 4f (f=1); running on 4 processes "
                   "anyway, and its properties may fail (--param f)");
    expect_warning(&disco_alg_phase_king, "complete:5", "f", 1, "");
    expect_warning(&disco_alg_om, "complete:3", "m", 1,
                   "om assumes n > 3m (m=1); running on 3 processes anyway, "
                   "and its properties may fail (--param m)");
    expect_warning(&disco_alg_om, "complete:4", "m", 1, "");
    expect_warning(&disco_alg_om, "complete:2", "m", 0, "");
    expect_warning(&disco_alg_eig, "complete:3", "f", 1,
                   "eig assumes n > 3f (f=1); running on 3 processes anyway, "
                   "and its properties may fail (--param f)");
    expect_warning(&disco_alg_eig, "complete:4", "f", 1, "");
    expect_warning(&disco_alg_ben_or, "complete:4", "f", 2,
                   "ben-or assumes n > 2f (f=2); running on 4 processes "
                   "anyway, and its properties may fail (--param f)");
    expect_warning(&disco_alg_ben_or, "complete:5", "f", 2, "");
    expect_warning(&disco_alg_ben_or, "complete:4", "f", -1, ""); /* (n-1)/2 */
    expect_warning(&disco_alg_approximate_agreement, "complete:3", "f", 1,
                   "approximate-agreement assumes n > 3f (f=1); running on 3 "
                   "processes anyway, and its properties may fail (--param "
                   "f)");
    expect_warning(&disco_alg_approximate_agreement, "complete:4", "f", 1,
                   "");
    expect_warning(&disco_alg_floodset, "complete:5", "f", 5,
                   "floodset assumes f < n (f=5); running on 5 processes "
                   "anyway, and its properties may fail (--param f)");
    expect_warning(&disco_alg_floodset, "complete:5", "f", 4, "");
    expect_warning(&disco_alg_dolev_strong, "complete:4", "f", 4,
                   "dolev-strong assumes f < n (f=4); running on 4 processes "
                   "anyway, and its properties may fail (--param f)");
    expect_warning(&disco_alg_dolev_strong, "complete:4", "f", 3, "");
}

static void test_model_cut_needs_link(void **state)
{
    (void)state;
    struct disco_topology t;
    generate(&t, "ring:4");
    struct disco_config cfg;
    struct disco_error err = {0};
    struct disco_algorithm alg = shaped("flood", DISCO_SHAPE_ANY);
    disco_config_init(&cfg, &alg);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_LINK_DOWN, "3-0@1:5", 4, &err), 0);
    expect_fits(&alg, &t, &cfg);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_LINK_DOWN, "0-2@1:5", 4, &err), 0);
    char warning[256];
    assert_int_equal(check(&alg, &t, &cfg, warning, &err), DISCO_EINVAL);
    assert_string_equal(err.message,
                        "cannot cut 0-2: there is no such link in 'ring:4'");
    disco_config_release(&cfg);
    disco_topology_release(&t);
}

static void test_model_recovery_needs_a_crash(void **state)
{
    /* A recovery of a node that is not down is refused (one that never
     * crashes, one before the crash, one at its tick, a second recovery
     * after one crash), and so is a crash of a node already down;
     * crashes and recoveries that alternate run. */
    (void)state;
    struct disco_topology t;
    generate(&t, "ring:4");
    struct disco_algorithm alg = shaped("flood", DISCO_SHAPE_ANY);
    static const struct {
        const char *crash, *recover, *message;
    } cases[] = {
        {NULL, "0@5",
         "--recover 0@5: node 0 is not down at tick 5 (schedule a crash "
         "before it with --crash 0@T, T < 5)"},
        {"1@10", "1@5",
         "--recover 1@5: node 1 is not down at tick 5 (schedule a crash "
         "before it with --crash 1@T, T < 5)"},
        {"1@5", "1@5",
         "--recover 1@5: node 1 is not down at tick 5 (schedule a crash "
         "before it with --crash 1@T, T < 5)"},
        {"2@3,1@4", "1@5", NULL},
        {"1@5", "1@10,1@20",
         "--recover 1@20: node 1 is not down at tick 20 (schedule a crash "
         "before it with --crash 1@T, T < 20)"},
        {"1@5,1@15", "1@10,1@20", NULL},
        {"1@5", "1@10,1@10",
         "--recover 1@10: node 1 is not down at tick 10 (schedule a crash "
         "before it with --crash 1@T, T < 10)"},
        {"1@5,1@20", "1@30",
         "--crash 1@20: node 1 is already down then (crashes and recoveries "
         "of a node alternate: --recover 1@T between them)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disco_config cfg;
        struct disco_error err = {0};
        disco_config_init(&cfg, &alg);
        if (cases[i].crash)
            sim_config_faults(&cfg, DISCO_FAULT_CRASH, cases[i].crash, 4);
        sim_config_faults(&cfg, DISCO_FAULT_RECOVER, cases[i].recover, 4);
        if (cases[i].message) {
            char warning[256];
            assert_int_equal(check(&alg, &t, &cfg, warning, &err),
                             DISCO_EINVAL);
            assert_string_equal(err.message, cases[i].message);
        } else {
            expect_fits(&alg, &t, &cfg);
        }
        disco_config_release(&cfg);
    }
    disco_topology_release(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_parse_valid),
        cmocka_unit_test(test_delay_parse_errors),
        cmocka_unit_test(test_delay_format),
        cmocka_unit_test(test_config_init_defaults),
        cmocka_unit_test(test_config_release),
        cmocka_unit_test(test_ids_orders),
        cmocka_unit_test(test_ids_random),
        cmocka_unit_test(test_ids_errors),
        cmocka_unit_test(test_initiators),
        cmocka_unit_test(test_param_parse),
        cmocka_unit_test(test_faults_parse),
        cmocka_unit_test(test_omission_messages),
        cmocka_unit_test(test_dynamic_unknown),
        cmocka_unit_test(test_dynamic_none_argument),
        cmocka_unit_test(test_model_shapes),
        cmocka_unit_test(test_model_ids),
        cmocka_unit_test(test_model_timing),
        cmocka_unit_test(test_model_warnings),
        cmocka_unit_test(test_delay_bound_warning),
        cmocka_unit_test(test_model_limits),
        cmocka_unit_test(test_model_ring_order),
        cmocka_unit_test(test_model_node_params),
        cmocka_unit_test(test_model_resilience),
        cmocka_unit_test(test_model_cut_needs_link),
        cmocka_unit_test(test_model_recovery_needs_a_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
