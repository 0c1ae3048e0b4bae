/* test_error.c - error texts and "did you mean" suggestions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "disco_sim.h"

static const char *const commands[] = {"list", "info", "run", "check",
                                       "sweep", "demo", "merge"};

static void test_suggest_typos(void **unused)
{
    assert_string_equal(disco_suggest("rnu", commands, 7), "run");   /* swap */
    assert_string_equal(disco_suggest("lsit", commands, 7), "list"); /* swap */
    assert_string_equal(disco_suggest("chek", commands, 7), "check"); /* drop */
    assert_string_equal(disco_suggest("demos", commands, 7), "demo"); /* add */
}

static void test_no_suggestion_when_far_or_exact(void **unused)
{
    assert_null(disco_suggest("frobnicate", commands, 7));
    assert_null(disco_suggest("x", commands, 7));
    assert_null(disco_suggest("run", commands, 7)); /* nothing to correct */
}

/* Suggestions compare without case, so a name typed in capitals finds its
 * lower-case self, and a name cut short finds the one candidate it begins;
 * names themselves still match exactly (the callers' business). */
static void test_suggest_other_case_and_prefix(void **unused)
{
    static const char *const options[] = {"topology", "trace", "json", "seed",
                                          "delay", "dup"};
    assert_string_equal(disco_suggest("RUN", commands, 7), "run");
    assert_string_equal(disco_suggest("Check", commands, 7), "check");
    assert_string_equal(disco_suggest("JSON", options, 6), "json");
    assert_string_equal(disco_suggest("topo", options, 6), "topology");
    assert_string_equal(disco_suggest("top", options, 6), "topology");
    assert_string_equal(disco_suggest("TOPO", options, 6), "topology");
    /* Too short to begin one name, or beginning two: no guess. */
    assert_null(disco_suggest("to", options, 6));
    static const char *const two[] = {"delay", "delay-change"};
    assert_string_equal(disco_suggest("dela", two, 2), "delay");
    static const char *const ambiguous[] = {"maximum", "maximize"};
    assert_null(disco_suggest("max", ambiguous, 2));
    /* A prefix of one name beats a typo of another. */
    static const char *const algorithms[] = {"huang", "chang-roberts"};
    assert_string_equal(disco_suggest("chang", algorithms, 2),
                        "chang-roberts");
}

static void test_strerror_covers_every_code(void **unused)
{
    assert_string_equal(disco_strerror(DISCO_OK), "success");
    assert_string_equal(disco_strerror(DISCO_EUNKNOWN), "unknown name");
    assert_string_equal(disco_strerror(DISCO_ELIMIT),
                        "size beyond the supported limits");
#define CHECK_CODE(name, text) assert_string_equal(disco_strerror(DISCO_E##name), text);
    DISCO_ERRNO_MAP(CHECK_CODE)
#undef CHECK_CODE
    assert_string_equal(disco_strerror(12345), "unknown error");
}

static void test_fail_fills_the_error(void **unused)
{
    struct disco_error err = {0};
    assert_int_equal(disco_fail(&err, DISCO_EPARSE, "bad %s at %d", "x", 3),
                     DISCO_EPARSE);
    assert_int_equal(err.code, DISCO_EPARSE);
    assert_string_equal(err.message, "bad x at 3");
    assert_int_equal(disco_fail(NULL, DISCO_EIO, "ignored"), DISCO_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suggest_typos),
        cmocka_unit_test(test_no_suggestion_when_far_or_exact),
        cmocka_unit_test(test_suggest_other_case_and_prefix),
        cmocka_unit_test(test_strerror_covers_every_code),
        cmocka_unit_test(test_fail_fills_the_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
