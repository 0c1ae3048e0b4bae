/* test_rng.c - derived random streams: reproducible, independent, unbiased. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "disco_sim.h"

static void test_same_seed_same_stream(void **unused)
{
    struct disco_rng a, b;
    disco_rng_init(&a, 42, 7);
    disco_rng_init(&b, 42, 7);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(disco_rng_next(&a), disco_rng_next(&b));
}

static void test_streams_differ(void **unused)
{
    /* Neighbouring seeds and neighbouring streams must not share output. */
    struct disco_rng a, b, c;
    disco_rng_init(&a, 42, 7);
    disco_rng_init(&b, 42, 8);
    disco_rng_init(&c, 43, 7);
    int same_ab = 0, same_ac = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = disco_rng_next(&a);
        same_ab += x == disco_rng_next(&b);
        same_ac += x == disco_rng_next(&c);
    }
    assert_int_equal(same_ab, 0);
    assert_int_equal(same_ac, 0);
}

static void test_below_is_bounded_and_uniform(void **unused)
{
    struct disco_rng rng;
    disco_rng_init(&rng, 1, 1);
    enum { BINS = 10, DRAWS = 100000 };
    int count[BINS] = {0};
    for (int i = 0; i < DRAWS; i++) {
        uint64_t x = disco_rng_below(&rng, BINS);
        assert_true(x < BINS);
        count[x]++;
    }
    /* Chi-square with 9 degrees of freedom: 27.88 is the 0.999 quantile. */
    double chi2 = 0;
    for (int i = 0; i < BINS; i++) {
        double d = count[i] - DRAWS / (double)BINS;
        chi2 += d * d / (DRAWS / (double)BINS);
    }
    assert_true(chi2 < 27.88);
}

static void test_unit_interval(void **unused)
{
    struct disco_rng rng;
    disco_rng_init(&rng, 9, 3);
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        double u = disco_rng_unit(&rng);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
    }
    /* Mean 0.5, sd of the mean sqrt(1/12/1e5) = 0.000913; 5 sigma. */
    assert_true(sum / 100000 > 0.5 - 0.0046 && sum / 100000 < 0.5 + 0.0046);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_stream),
        cmocka_unit_test(test_streams_differ),
        cmocka_unit_test(test_below_is_bounded_and_uniform),
        cmocka_unit_test(test_unit_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
