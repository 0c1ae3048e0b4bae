/*
 * test_paxos.c - single-decree Paxos: the exact message count of one
 * proposer without faults, and safety (one value chosen, learners learn
 * it, only proposed values) under random crashes, recoveries, losses and
 * duplicates with two proposers, checked by the module's oracles over the
 * acceptors' histories.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scenario.h"
#include "support.h"

extern const struct disco_algorithm disco_alg_paxos;

enum { PREPARE, PROMISE, ACCEPT, ACCEPTED };

/* One proposer, no fault: (n-1) prepare, (n-1) promise, (n-1) accept and
 * n(n-1) accepted, (n+3)(n-1) in all, and everyone learns its value; on
 * 100 seeds per n = 3..9, FIFO and not. */
static void test_one_proposer_counts(void **unused)
{
    for (uint32_t n = 3; n <= 9; n++) {
        for (uint64_t seed = 1; seed <= 100; seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &disco_alg_paxos);
            cfg.seed = seed;
            cfg.fifo = seed % 2;
            uint32_t proposer = (uint32_t)(seed % n);
            sim_config_initiator(&cfg, proposer, n);
            struct sim_run run;
            sim_run(&run, &disco_alg_paxos, spec_complete(n), 1, &cfg);
            assert_all_hold(&run);
            const struct disco_view *view = disco_sim_view(run.sim);
            uint64_t m = n - 1;
            assert_int_equal(disco_view_messages(view, PREPARE), m);
            assert_int_equal(disco_view_messages(view, PROMISE), m);
            assert_int_equal(disco_view_messages(view, ACCEPT), m);
            assert_int_equal(disco_view_messages(view, ACCEPTED), n * m);
            assert_int_equal(run.metrics->messages, (uint64_t)(n + 3) * m);
            assert_int_equal(disco_view_decision_count(view), n);
            for (uint32_t v = 0; v < n; v++)
                assert_int_equal(decision_of(&run, v), 100 + proposer);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

/* Inputs from the node attribute `value`: the proposer's is chosen. */
static void test_inputs(void **unused)
{
    int64_t in[5] = {-7, 3, 42, 0, 9};
    for (uint32_t p = 0; p < 5; p++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_paxos);
        sim_config_values(&cfg, in, 5);
        sim_config_initiator(&cfg, p, 5);
        struct sim_run run;
        sim_run(&run, &disco_alg_paxos, "complete:5", 1, &cfg);
        assert_all_hold(&run);
        for (uint32_t v = 0; v < 5; v++)
            assert_int_equal(decision_of(&run, v), in[p]);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* The default run: complete:5, proposers 0 and 1, seed 1, no fault: one
 * of the two values is chosen and learnt by all five. */
static void test_default_run(void **unused)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_paxos);
    struct sim_run run;
    sim_run(&run, &disco_alg_paxos, "complete:5", 1, &cfg);
    assert_all_hold(&run);
    int64_t v0 = decision_of(&run, 0);
    assert_true(v0 == 100 || v0 == 101);
    for (uint32_t v = 1; v < 5; v++)
        assert_int_equal(decision_of(&run, v), v0);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* A proposer crashes right after its prepares (t = 1) and recovers at
 * t = 150, when the promises (sent at t = 100) are still on their way:
 * they answer the old ballot and are ignored; it retries with ballot
 * 2n at once.  With every delay 100: (n-1) prepares and promises of the
 * lost attempt plus (n+3)(n-1), and everyone learns its value. */
static void test_proposer_recovers(void **unused)
{
    for (uint32_t n = 3; n <= 7; n++) {
        for (uint64_t seed = 1; seed <= 20; seed++) {
            struct disco_config cfg;
            sim_config(&cfg, &disco_alg_paxos, seed, "const:100");
            sim_config_initiators(&cfg, "0", n);
            sim_config_fault(&cfg, DISCO_FAULT_CRASH, 0, 1, n);
            sim_config_fault(&cfg, DISCO_FAULT_RECOVER, 0, 150, n);
            struct sim_run run;
            sim_run(&run, &disco_alg_paxos, spec_complete(n), 1, &cfg);
            assert_all_hold(&run);
            const struct disco_view *view = disco_sim_view(run.sim);
            uint64_t m = n - 1;
            assert_int_equal(disco_view_messages(view, PREPARE), 2 * m);
            assert_int_equal(disco_view_messages(view, PROMISE), 2 * m);
            assert_int_equal(run.metrics->messages, (uint64_t)(n + 5) * m);
            char result[DISCO_RESULT_TEXT], want[128];
            disco_alg_paxos.result(view, result, sizeof result);
            snprintf(want, sizeof want, "\"chosen\": 100, \"ballot\": %u, "
                     "\"learned\": %u, \"attempts\": 2", 2 * n, n);
            assert_string_equal(result, want);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

/* scenarios/consensus-paxos.dot as a lecturer runs it: 100 is chosen in
 * ballot 5 while its proposer a is down; b (wanting 101) adopts 100 in
 * ballot 11; a, back, learns 100 with ballot 15; the figures of the file's
 * comment.  Every delay is 10, so the seed changes only the backoffs. */
static void test_lecture_scenario(void **unused)
{
    const char *dir = getenv("DISCO_SCENARIOS");
    char path[4096];
    snprintf(path, sizeof path, "%s/consensus-paxos.dot",
             dir ? dir : "scenarios");
    struct disco_scenario sc;
    struct disco_error err;
    if (disco_scenario_load(&sc, path, &err) != 0)
        fail_msg("%s", err.message);
    assert_string_equal(disco_scenario_option(&sc, "algorithm"), "paxos");
    assert_int_equal(sc.topo.nodes, 5);
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_paxos);
    assert_int_equal(disco_delay_parse(&cfg.delay,
                                       disco_scenario_option(&sc, "delay"),
                                       &err), 0);
    assert_int_equal(disco_scenario_apply(&sc, &cfg, &err), 0);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, &disco_alg_paxos, &sc.topo, &cfg);
    assert_all_hold(&run);
    const struct disco_view *view = disco_sim_view(run.sim);
    for (uint32_t v = 0; v < 5; v++)
        assert_int_equal(decision_of(&run, v), 100);
    assert_int_equal(disco_view_decision(view, disco_view_decision_of(view, 1))
                         ->time, 490);
    assert_int_equal(disco_view_decision(view, disco_view_decision_of(view, 0))
                         ->time, 2126);
    assert_int_equal(disco_view_messages(view, PREPARE), 16);
    assert_int_equal(disco_view_messages(view, PROMISE), 11);
    assert_int_equal(disco_view_messages(view, ACCEPT), 12);
    assert_int_equal(disco_view_messages(view, ACCEPTED), 56);
    char result[DISCO_RESULT_TEXT];
    disco_alg_paxos.result(view, result, sizeof result);
    assert_string_equal(result, "\"chosen\": 100, \"ballot\": 5, "
                        "\"learned\": 5, \"attempts\": 4");
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
    disco_scenario_release(&sc);
}

#ifndef PAXOS_SEEDS
#define PAXOS_SEEDS 10000
#endif

/* Safety on PAXOS_SEEDS seeds: n = 3 or 5, proposers 0 and 1 (distinct
 * values), loss and duplication up to 30 %, and up to 3 crash/recover
 * pairs at random times.  Counts how often the run was contentious (two
 * different values accepted somewhere) so that the test is known to have
 * exercised the interesting case. */
static void test_safety_random_faults(void **unused)
{
    unsigned contentious = 0, chosen = 0;
    for (uint64_t seed = 1; seed <= PAXOS_SEEDS; seed++) {
        uint64_t x = seed * 0x9E3779B97F4A7C15ull;
        x ^= x >> 29;
        uint32_t n = (x & 1) ? 5 : 3;
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_paxos);
        cfg.seed = seed;
        cfg.fifo = (x >> 1) & 1;
        cfg.loss = (double)((x >> 2) % 4) / 10.0;
        cfg.dup = (double)((x >> 4) % 4) / 10.0;
        /* Short timeouts so that the proposers duel. */
        sim_config_param(&cfg, &disco_alg_paxos, "timeout",
                         (x >> 6) & 1 ? 150 : 400);
        uint32_t crashes = (uint32_t)((x >> 7) % 4);
        uint64_t y = x >> 9;
        for (uint32_t i = 0; i < crashes; i++) {
            uint32_t node = (uint32_t)(y % n);
            uint64_t at = 1 + (y >> 3) % 600;
            uint64_t back = at + 1 + (y >> 13) % 800;
            y = y * 6364136223846793005ull + 1442695040888963407ull;
            sim_config_fault(&cfg, DISCO_FAULT_CRASH, node, at + 1000 * i, n);
            if (y & 1 || i + 1 < crashes)
                sim_config_fault(&cfg, DISCO_FAULT_RECOVER, node,
                                 back + 1000 * i, n);
        }
        struct sim_run run;
        sim_run(&run, &disco_alg_paxos, spec_complete(n), 1, &cfg);
        assert_all_hold(&run);
        /* Were 100 and 101 both accepted somewhere?  The state is the
         * module's, so read the acceptors' last pairs from format_state. */
        const struct disco_view *view = disco_sim_view(run.sim);
        char result[DISCO_RESULT_TEXT];
        disco_alg_paxos.result(view, result, sizeof result);
        chosen += strstr(result, "\"chosen\": null") == NULL;
        bool seen[2] = {false, false};
        for (uint32_t v = 0; v < n; v++) {
            char text[DISCO_STATE_TEXT];
            disco_alg_paxos.format_state(disco_view_state(view, v), text,
                                         sizeof text);
            seen[0] |= strstr(text, ",100)") != NULL;
            seen[1] |= strstr(text, ",101)") != NULL;
        }
        contentious += seen[0] && seen[1];
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    printf("paxos: %u seeds, %u with a value chosen, %u ending with both "
           "values accepted somewhere\n", PAXOS_SEEDS, chosen, contentious);
    assert_true(chosen > PAXOS_SEEDS / 2);
    assert_true(contentious > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_proposer_counts),
        cmocka_unit_test(test_inputs),
        cmocka_unit_test(test_default_run),
        cmocka_unit_test(test_proposer_recovers),
        cmocka_unit_test(test_lecture_scenario),
        cmocka_unit_test(test_safety_random_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
