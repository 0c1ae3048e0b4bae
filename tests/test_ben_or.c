/*
 * test_ben_or.c - Ben-Or's randomized consensus: agreement and validity
 * on every seed, termination on all of 1,000 seeds with n = 5, f = 2 and
 * up to f crashes at random times, one round when all inputs are equal,
 * and the other side of the threshold: with n <= 2f nobody ever decides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support.h"

extern const struct disco_algorithm disco_alg_ben_or;

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                 */

/* The test's own generator for inputs and crash schedules (splitmix64),
 * so that they do not depend on the kernel's streams. */
static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ------------------------------------------------------------------------ */

/* All inputs v: every process decides v, in round 1, on every seed, for
 * n = 3..8 with the default f = (n-1)/2, FIFO and not. */
static void test_all_equal_round_one(void **unused)
{
    for (uint32_t n = 3; n <= 8; n++)
        for (int64_t value = 0; value <= 1; value++)
            for (uint64_t seed = 1; seed <= 100; seed++) {
                int64_t in[8];
                for (uint32_t v = 0; v < n; v++)
                    in[v] = value;
                struct disco_config cfg;
                disco_config_init(&cfg, &disco_alg_ben_or);
                assert_false(cfg.sync);
                cfg.seed = seed;
                cfg.fifo = seed % 2;
                sim_config_values(&cfg, in, n);
                struct sim_run run;
                sim_run(&run, &disco_alg_ben_or, spec_complete(n), 1, &cfg);
                assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
                assert_all_hold(&run);
                char result[DISCO_RESULT_TEXT], want[128];
                disco_sim_result(run.sim, result, sizeof result);
                snprintf(want, sizeof want,
                         "\"decided\": %u, \"decision\": %lld, "
                         "\"round\": 1", n, (long long)value);
                assert_string_equal(result, want);
                /* Round 1 only: no report of round 2 was ever sent, so at
                 * most n(n-1) reports. */
                assert_true(run.metrics->by_kind[0] <= (uint64_t)n * (n - 1));
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
}

/* n = 5, f = 2: random inputs, up to two crashes at random times; on all
 * 1,000 seeds the run ends by itself, every live process decides, all
 * decisions agree and are valid. */
static void test_crashes_1000_seeds(void **unused)
{
    uint64_t gen = 8;
    unsigned split_inputs = 0, with_crash = 0, past_round_one = 0;
    for (uint64_t seed = 1; seed <= 1000; seed++) {
        const uint32_t n = 5;
        int64_t in[5];
        bool all_same = true;
        for (uint32_t v = 0; v < n; v++) {
            in[v] = (int64_t)(mix(&gen) & 1);
            all_same = all_same && in[v] == in[0];
        }
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ben_or);
        cfg.seed = seed;
        cfg.fifo = seed % 2;
        sim_config_param(&cfg, &disco_alg_ben_or, "f", 2);
        sim_config_values(&cfg, in, n);
        /* Crash 0, 1 or 2 distinct nodes at ticks 0..599 (a round takes
         * about 100-200 ticks with the default uniform:1:100 delays). */
        uint32_t crashes = (uint32_t)(mix(&gen) % 3);
        uint32_t first = (uint32_t)(mix(&gen) % n);
        for (uint32_t c = 0; c < crashes; c++) {
            sim_config_fault(&cfg, DISCO_FAULT_CRASH, (first + c * 2) % n,
                             mix(&gen) % 600, n);
        }
        struct sim_run run;
        sim_run(&run, &disco_alg_ben_or, "complete:5", 1, &cfg);
        assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
        assert_all_hold(&run);
        const struct disco_view *view = disco_sim_view(run.sim);
        int64_t decision = -1;
        for (uint32_t v = 0; v < n; v++) {
            size_t at = disco_view_decision_of(view, v);
            if (disco_view_crashed(view, v) && at == SIZE_MAX)
                continue;
            assert_true(at != SIZE_MAX);
            int64_t d = disco_view_decision(view, at)->value;
            assert_true(decision < 0 || d == decision);
            decision = d;
        }
        if (all_same)
            assert_int_equal(decision, in[0]);
        char result[DISCO_RESULT_TEXT];
        disco_sim_result(run.sim, result, sizeof result);
        split_inputs += !all_same;
        with_crash += crashes > 0;
        past_round_one += strstr(result, "\"round\": 1") == NULL;
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    /* The seeds exercise what they should: mixed inputs, crashes, and
     * runs that need coins (decided after round 1). */
    assert_true(split_inputs > 500);
    assert_true(with_crash > 500);
    assert_true(past_round_one > 50);
}

/* n = 3..9, the default f = (n-1)/2, random inputs, f crashes at random
 * times, FIFO and not, 200 seeds each: every property holds. */
static void test_sweep(void **unused)
{
    uint64_t gen = 99;
    for (uint32_t n = 3; n <= 9; n++)
        for (uint64_t seed = 1; seed <= 200; seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_ben_or);
            cfg.seed = seed;
            cfg.fifo = seed % 2;
            int64_t in[9];
            for (uint32_t v = 0; v < n; v++)
                in[v] = (int64_t)(mix(&gen) & 1);
            sim_config_values(&cfg, in, n);
            uint32_t first = (uint32_t)(mix(&gen) % n);
            for (uint32_t c = 0; c < (n - 1) / 2; c++) {
                sim_config_fault(&cfg, DISCO_FAULT_CRASH, (first + c) % n,
                                 mix(&gen) % 800, n);
            }
            struct sim_run run;
            sim_run(&run, &disco_alg_ben_or, spec_complete(n), 1, &cfg);
            assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
            assert_all_hold(&run);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
}

/* Same seed, same options: the same run, event for event. */
static void test_deterministic(void **unused)
{
    char first[DISCO_RESULT_TEXT] = "";
    uint64_t events = 0, messages = 0;
    for (int rep = 0; rep < 2; rep++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ben_or);
        cfg.seed = 42;
        sim_config_faults(&cfg, DISCO_FAULT_CRASH, "1@50,3@120", 5);
        struct sim_run run;
        sim_run(&run, &disco_alg_ben_or, "complete:5", 1, &cfg);
        char result[DISCO_RESULT_TEXT];
        disco_sim_result(run.sim, result, sizeof result);
        if (rep == 0) {
            strcpy(first, result);
            events = run.metrics->events;
            messages = run.metrics->messages;
        } else {
            assert_string_equal(result, first);
            assert_int_equal(run.metrics->events, events);
            assert_int_equal(run.metrics->messages, messages);
        }
        assert_all_hold(&run);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* Beyond the threshold: n = 4, f = 2 (n <= 2f).  A phase waits for only
 * n-f = 2 messages, never more than n/2, so nobody proposes a value,
 * nobody decides, and coins are flipped for ever: the run is cut by
 * max_events and termination fails (agreement and validity hold
 * vacuously).  The same with n = 5, f = 3 and two crashes. */
static void test_beyond_threshold(void **unused)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ben_or);
        cfg.seed = seed;
        cfg.max_events = 5000;
        sim_config_param(&cfg, &disco_alg_ben_or, "f", 2);
        struct sim_run run;
        sim_run(&run, &disco_alg_ben_or, "complete:4", 1, &cfg);
        assert_int_equal(run.metrics->stop, DISCO_STOP_MAX_EVENTS);
        assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)),
                         0);
        assert_int_equal(run.metrics->by_kind[2], 0);
        assert_int_equal(verdict(&run, "termination"), DISCO_HOLDS_NO);
        assert_int_equal(verdict(&run, "resilience"), DISCO_HOLDS_NO);
        assert_int_equal(verdict(&run, "agreement"), DISCO_HOLDS_YES);
        assert_int_equal(verdict(&run, "validity"), DISCO_HOLDS_YES);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    /* n = 5 with f = 3: even all-equal inputs never decide. */
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_ben_or);
    cfg.max_events = 5000;
    sim_config_param(&cfg, &disco_alg_ben_or, "f", 3);
    int64_t in[5] = {1, 1, 1, 1, 1};
    sim_config_values(&cfg, in, 5);
    struct sim_run run;
    sim_run(&run, &disco_alg_ben_or, "complete:5", 1, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_MAX_EVENTS);
    assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)), 0);
    assert_int_equal(verdict(&run, "termination"), DISCO_HOLDS_NO);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* The default f is (n-1)/2: n = 7 tolerates three crashes. */
static void test_default_f(void **unused)
{
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_ben_or);
        cfg.seed = seed;
        sim_config_faults(&cfg, DISCO_FAULT_CRASH, "0@0,2@30,4@90", 7);
        struct sim_run run;
        sim_run(&run, &disco_alg_ben_or, "complete:7", 1, &cfg);
        assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
        assert_all_hold(&run);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_equal_round_one),
        cmocka_unit_test(test_crashes_1000_seeds),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_beyond_threshold),
        cmocka_unit_test(test_default_f),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
