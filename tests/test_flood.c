/* test_flood.c - plain flooding: 2m-(N-1) messages, everyone reached. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "support.h"

extern const struct disco_algorithm disco_alg_flood;

static void flood_on(const char *spec, uint64_t expected_messages)
{
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_flood);
        cfg.seed = seed;
        cfg.fifo = seed % 2;
        struct sim_run run;
        sim_run(&run, &disco_alg_flood, spec, 1, &cfg);
        assert_int_equal(run.metrics->messages, expected_messages);
        assert_all_hold(&run);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* grid:4x4: m = 24, N = 16, so 48 - 15 = 33. */
static void test_grid(void **unused) { flood_on("grid:4x4", 33); }
/* petersen: m = 15, N = 10: 30 - 9 = 21. */
static void test_petersen(void **unused) { flood_on("petersen", 21); }
/* complete:6: m = 15, N = 6: 30 - 5 = 25. */
static void test_complete(void **unused) { flood_on("complete:6", 25); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_petersen),
        cmocka_unit_test(test_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
