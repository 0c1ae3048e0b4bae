/*
 * test_chandra_toueg.c - the rotating coordinator with <>S (Chandra and
 * Toueg 1996, fig. 6): the exact message count of a fault-free run decided
 * in round 1; agreement, validity, termination and integrity on 1,000
 * seeds of up to f < n/2 crashes at random times with <>S stabilising at
 * random times (also mid-step crashes); the other side of the threshold
 * (a majority crashed: nobody decides); a run without a detector whose
 * coordinator crashes blocks and says why; duplicates counted once (a
 * crafted run where counting copies breaks agreement); the lecture
 * scenario.
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

extern const struct disco_algorithm disco_alg_chandra_toueg;
#define ALG (&disco_alg_chandra_toueg)

enum { ESTIMATE, PROPOSE, ACK, NACK, DECIDE };

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                 */

static void set_detector(struct disco_config *cfg, const char *text)
{
    struct disco_error err;
    if (disco_detector_parse(cfg, text, &err) != 0)
        fail_msg("%s", err.message);
}

static void result_of(const struct sim_run *run, char *buf, size_t len)
{
    disco_sim_result(run->sim, buf, len);
}

/* The test's own generator (splitmix64), independent of the kernel's. */
static uint64_t mix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Every live node decided, all decisions (crashed deciders too) are equal
 * and are some node's input; returns the decision. */
static int64_t check_decisions(const struct sim_run *run, const int64_t *in,
                               uint32_t n)
{
    const struct disco_view *view = disco_sim_view(run->sim);
    int64_t decision = INT64_MIN;
    for (size_t i = 0; i < disco_view_decision_count(view); i++) {
        int64_t d = disco_view_decision(view, i)->value;
        assert_true(decision == INT64_MIN || d == decision);
        decision = d;
    }
    for (uint32_t v = 0; v < n; v++)
        if (!disco_view_crashed(view, v))
            assert_true(disco_view_decision_of(view, v) != SIZE_MAX);
    bool proposed = false;
    for (uint32_t v = 0; v < n; v++)
        proposed = proposed || in[v] == decision;
    assert_true(proposed);
    return decision;
}

/* ------------------------------------------------------------------------ */
/* Fault-free runs.                                                         */

/*
 * No crash, a detector that never suspects node 0 (perfect, <>P from 0,
 * or <>S from 0, which trusts node 0, the first node no crash touches),
 * constant delay D = 10.  Node 0 coordinates round 1:
 *
 *   t = 0   n-1 estimates to node 0;
 *   t = D   node 0 has a majority: n-1 proposals;
 *   t = 2D  every process adopts, sends its ack (n-1 acks) and goes on to
 *           round 2 (fig. 6 does not wait for the decision): n-2 estimates
 *           to node 1, which coordinates round 2 and counts its own;
 *   t = 3D  node 0 has a majority of acks: it decides and sends decide to
 *           the n-1 others; node 1 has a majority of round-2 estimates
 *           (n >= 3) and proposes to the n-1 others, after node 0's decide
 *           (the majority of acks comes first in the delivery order);
 *   t = 4D  each process gets decide before the round-2 proposal, forwards
 *           it to the n-2 processes other than node 0, and decides.
 *
 * estimate 2n-3, propose 2(n-1), ack n-1, nack 0, decide (n-1)^2: in all
 * (n-1)(n+3) + n-2 on every seed.  The poll period must exceed 2D for
 * <>S, which may suspect node 1 (live, not trusted) when polled between
 * 2D and 4D; the others never suspect a live node.
 */
static void test_fault_free_exact_count(void **unused)
{
    static const char *const detectors[] = {"perfect", "eventually-perfect:0",
                                            "eventually-strong:0"};
    for (uint32_t n = 3; n <= 9; n++)
        for (unsigned d = 0; d < 3; d++)
            for (uint64_t seed = 1; seed <= 30; seed++) {
                struct disco_config cfg;
                sim_config(&cfg, ALG, seed, "const:10");
                cfg.fifo = seed % 2;
                set_detector(&cfg, detectors[d]);
                if (d == 2)
                    sim_config_param(&cfg, ALG, "poll", 21);
                struct sim_run run;
                sim_run(&run, ALG, spec_complete(n), 1, &cfg);
                assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
                assert_all_hold(&run);
                const uint64_t *k = run.metrics->by_kind;
                assert_int_equal(k[ESTIMATE], 2 * n - 3);
                assert_int_equal(k[PROPOSE], 2 * (n - 1));
                assert_int_equal(k[ACK], n - 1);
                assert_int_equal(k[NACK], 0);
                assert_int_equal(k[DECIDE], (uint64_t)(n - 1) * (n - 1));
                assert_int_equal(run.metrics->messages,
                                 (uint64_t)(n - 1) * (n + 3) + n - 2);
                /* First decision at 3D, the others at 4D. */
                const struct disco_view *view = disco_sim_view(run.sim);
                assert_int_equal(disco_view_decision_count(view), n);
                assert_int_equal(disco_view_decision(view, 0)->node, 0);
                assert_int_equal(disco_view_decision(view, 0)->time, 30);
                for (uint32_t i = 1; i < n; i++)
                    assert_int_equal(disco_view_decision(view, i)->time, 40);
                /* Inputs i mod 2: node 0's estimate is the oldest (all ts
                 * 0) and the first it counts, its own, so 0 wins. */
                char result[DISCO_RESULT_TEXT], want[128];
                result_of(&run, result, sizeof result);
                snprintf(want, sizeof want,
                         "\"decided\": %u, \"decision\": 0, \"round\": 1, "
                         "\"rounds\": 2", n);
                assert_string_equal(result, want);
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
    /* n = 2: node 1 coordinates round 2 and waits for node 0's estimate,
     * which never comes: 1 estimate, 1 propose, 1 ack, 1 decide. */
    struct disco_config cfg;
    sim_config(&cfg, ALG, 1, "const:10");
    set_detector(&cfg, "perfect");
    struct sim_run run;
    sim_run(&run, ALG, "complete:2", 1, &cfg);
    assert_all_hold(&run);
    assert_int_equal(run.metrics->messages, 4);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* Random delays, <>S from 0, no crash: node 0 is trusted, never
 * suspected, so round 1 always decides, on every seed; the counts are
 * schedule-dependent but bounded: at least the n-1 estimates, proposals
 * of round 1, at least a majority of acks (node 0 counts its own), and
 * k decision broadcasts cost exactly n(n-2) + k decide messages
 * (k originators send n-1, the n-k others forward n-2), 1 <= k <= n. */
static void test_fault_free_random_delays(void **unused)
{
    unsigned late_round_two = 0;
    for (uint32_t n = 3; n <= 7; n++)
        for (uint64_t seed = 1; seed <= 100; seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, ALG);
            cfg.seed = seed;
            cfg.fifo = seed % 2;
            set_detector(&cfg, "eventually-strong:0");
            struct sim_run run;
            sim_run(&run, ALG, spec_complete(n), 1, &cfg);
            assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
            assert_all_hold(&run);
            const uint64_t *k = run.metrics->by_kind;
            assert_true(k[ESTIMATE] >= n - 1);
            assert_true(k[PROPOSE] >= n - 1);
            assert_true(k[ACK] >= n / 2);
            uint64_t base = (uint64_t)n * (n - 2);
            assert_true(k[DECIDE] >= base + 1 && k[DECIDE] <= base + n);
            late_round_two += k[DECIDE] > base + 1;
            const struct disco_view *view = disco_sim_view(run.sim);
            assert_int_equal(disco_view_decision(view, 0)->node, 0);
            char result[DISCO_RESULT_TEXT];
            result_of(&run, result, sizeof result);
            assert_non_null(strstr(result, "\"decision\": 0, "));
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    /* Some seeds see a second coordinator decide (round 2 overtakes the
     * decision of round 1): the count is not schedule-independent. */
    assert_true(late_round_two > 0);
}

/* The defaults (complete:5, <>S from 0, no crash): node 0 is the trusted
 * one, never suspected, so it decides in round 1; all properties hold. */
static void test_defaults_without_detector(void **unused)
{
    for (uint64_t seed = 1; seed <= 50; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, ALG);
        assert_int_equal(cfg.detector, DISCO_DETECTOR_EVENTUALLY_STRONG);
        assert_int_equal(cfg.detector_stable, 0);
        cfg.seed = seed;
        struct sim_run run;
        sim_run(&run, ALG, ALG->model.topology, 1, &cfg);
        assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
        assert_all_hold(&run);
        /* Round 2 starts before the decision arrives, and its coordinator
         * (node 1, not the trusted one) may be falsely suspected: nacks,
         * but the decision is still round 1's. */
        const struct disco_view *view = disco_sim_view(run.sim);
        assert_int_equal(disco_view_decision(view, 0)->node, 0);
        assert_int_equal(disco_view_decision(view, 0)->value, 0);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* ------------------------------------------------------------------------ */
/* Crashes below the threshold.                                             */

/*
 * One run: n processes, random integer inputs, `crashes` distinct nodes
 * crashing at random ticks in [0, 600) (some mid-step, after a random
 * number of their sends), <>S stabilising at a random tick in [0, 2000),
 * a random poll period.  Every property holds and the run ends by itself.
 * Returns the result text's round (the largest decided round).
 */
static uint32_t crash_run(uint64_t seed, uint64_t *gen, uint32_t n,
                          uint32_t crashes, bool *coordinator_crashed)
{
    int64_t in[16];
    for (uint32_t v = 0; v < n; v++)
        in[v] = (int64_t)(mix(gen) % 3) - 1; /* -1, 0 or 1 */
    struct disco_config cfg;
    disco_config_init(&cfg, ALG);
    cfg.seed = seed;
    cfg.fifo = seed % 2;
    sim_config_values(&cfg, in, n);
    sim_config_param(&cfg, ALG, "poll", 1 + (int64_t)(mix(gen) % 40));
    char det[64];
    snprintf(det, sizeof det, "eventually-strong:%llu",
             (unsigned long long)(mix(gen) % 2000));
    set_detector(&cfg, det);
    uint32_t first = (uint32_t)(mix(gen) % n);
    *coordinator_crashed = false;
    for (uint32_t c = 0; c < crashes; c++) {
        uint32_t node = (first + c * 2) % n;
        /* Distinct as long as crashes <= n/2: first, first+2, ... */
        char text[64];
        uint64_t t = mix(gen) % 600;
        if (mix(gen) % 4 == 0)
            snprintf(text, sizeof text, "%u@%llu+%llu", node,
                     (unsigned long long)t,
                     (unsigned long long)(mix(gen) % n));
        else
            snprintf(text, sizeof text, "%u@%llu", node,
                     (unsigned long long)t);
        sim_config_faults(&cfg, DISCO_FAULT_CRASH, text, n);
        *coordinator_crashed = *coordinator_crashed || node == 0;
    }
    struct sim_run run;
    sim_run(&run, ALG, spec_complete(n), 1, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_all_hold(&run);
    check_decisions(&run, in, n);
    char result[DISCO_RESULT_TEXT];
    result_of(&run, result, sizeof result);
    const char *at = strstr(result, "\"round\": ");
    assert_non_null(at);
    uint32_t round = (uint32_t)strtoul(at + 9, NULL, 10);
    sim_run_release(&run);
    disco_config_release(&cfg);
    return round;
}

/* n = 5: 0, 1 or 2 crashes on each of 1,000 seeds. */
static void test_crashes_1000_seeds(void **unused)
{
    uint64_t gen = 2026;
    unsigned with_two = 0, coordinator_down = 0, past_round_n = 0;
    for (uint64_t seed = 1; seed <= 1000; seed++) {
        uint32_t crashes = (uint32_t)(mix(&gen) % 3);
        bool c0;
        uint32_t round = crash_run(seed, &gen, 5, crashes, &c0);
        with_two += crashes == 2;
        coordinator_down += c0;
        past_round_n += round > 5;
    }
    /* The seeds exercise what they should: two crashes (f = 2), the first
     * coordinator crashing, decisions long after round 1 (false
     * suspicions before <>S stabilises). */
    assert_true(with_two > 250);
    assert_true(coordinator_down > 150);
    assert_true(past_round_n > 100);
}

/* n = 3..9, f = (n-1)/2 crashes (the most n > 2f allows), 100 seeds. */
static void test_sweep_max_crashes(void **unused)
{
    uint64_t gen = 77;
    for (uint32_t n = 3; n <= 9; n++)
        for (uint64_t seed = 1; seed <= 100; seed++) {
            bool c0;
            crash_run(seed, &gen, n, (n - 1) / 2, &c0);
        }
}

/* ------------------------------------------------------------------------ */
/* Beyond the threshold: a majority crashed (n <= 2f).                     */

/* n = 5 with 3 crashed at t = 0, or n = 4 with 2 (n = 2f): no coordinator
 * ever gathers a majority of estimates or replies, so nobody decides.  The
 * survivors wait (<>S from 100, trusting the first survivor) for estimates
 * or for the proposal of a coordinator they do not suspect, at most until
 * the horizon, where they stop polling: the run ends without a decision and
 * termination fails; agreement, validity and integrity hold vacuously.
 * With --max-time below the horizon the run is cut at the bound and
 * termination is not checked (the front end reports a failed run).  The
 * same crash times with one crash fewer (a majority correct) decide. */
static void test_majority_crashed_blocks(void **unused)
{
    static const struct {
        uint32_t n;
        const char *blocking, *below;
    } cases[] = {
        {5, "1@0,2@0,4@0", "1@0,4@0"},
        {5, "0@0,2@0,3@0", "0@0,3@0"},
        {4, "0@0,3@0", "0@0"},
        {3, "1@0,2@0", "2@0"},
    };
    unsigned polled = 0, deadlocked = 0;
    for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (uint64_t seed = 1; seed <= 20; seed++) {
            uint32_t n = cases[c].n;
            for (int beyond = 0; beyond <= 1; beyond++) {
                struct disco_config cfg;
                disco_config_init(&cfg, ALG);
                cfg.seed = seed;
                set_detector(&cfg, "eventually-strong:100");
                sim_config_param(&cfg, ALG, "horizon", 20000);
                sim_config_faults(&cfg, DISCO_FAULT_CRASH,
                                  beyond ? cases[c].blocking : cases[c].below,
                                  n);
                struct sim_run run;
                sim_run(&run, ALG, spec_complete(n), 1, &cfg);
                assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
                const struct disco_view *view = disco_sim_view(run.sim);
                if (!beyond) {
                    assert_all_hold(&run);
                    sim_run_release(&run);
                    disco_config_release(&cfg);
                    continue;
                }
                assert_int_equal(disco_view_decision_count(view), 0);
                assert_int_equal(run.metrics->by_kind[DECIDE], 0);
                assert_int_equal(verdict(&run, "termination"),
                                 DISCO_HOLDS_NO);
                assert_non_null(strstr(verdict_of(&run, "termination")
                                           ->detail,
                                       "never decided"));
                assert_int_equal(verdict(&run, "agreement"), DISCO_HOLDS_YES);
                assert_int_equal(verdict(&run, "validity"), DISCO_HOLDS_YES);
                assert_int_equal(verdict(&run, "integrity"), DISCO_HOLDS_YES);
                /* Polls stop at the horizon, the last one within a poll
                 * period of it; the run ends earlier when every survivor
                 * waits, as a coordinator, for estimates (no timer left). */
                uint64_t end = run.metrics->time;
                assert_true(end < 20000 + 10);
                polled += end >= 20000;
                deadlocked += end < 5000;
                sim_run_release(&run);

                /* A bound below the horizon cuts the polling runs: then
                 * termination is not checked (the front end reports the
                 * bound as a failure). */
                cfg.max_time = 5000;
                sim_run(&run, ALG, spec_complete(n), 1, &cfg);
                assert_int_equal(disco_view_decision_count(
                                     disco_sim_view(run.sim)), 0);
                assert_int_equal(run.metrics->stop,
                                 end > 5000 ? DISCO_STOP_MAX_TIME
                                            : DISCO_STOP_QUIESCENT);
                assert_int_equal(verdict(&run, "termination"),
                                 end > 5000 ? DISCO_HOLDS_UNCHECKED
                                            : DISCO_HOLDS_NO);
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
        }
    /* Both ways of blocking occur. */
    assert_true(polled > 10);
    assert_true(deadlocked > 10);
}

/* ------------------------------------------------------------------------ */
/* The failure detector.                                                    */

/* Coordinator 0 crashes at 0.  Without a detector nobody ever suspects
 * it: everyone waits for its proposal until the horizon, and termination
 * fails, saying so.  With <>S (from T = 0, 500 or 3000), <>P or P the
 * survivors move on and decide. */
static void test_detector_needed(void **unused)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, ALG);
        cfg.seed = seed;
        sim_config_param(&cfg, ALG, "horizon", 5000);
        set_detector(&cfg, "none");
        sim_config_faults(&cfg, DISCO_FAULT_CRASH, "0@0", 5);
        struct sim_run run;
        sim_run(&run, ALG, "complete:5", 1, &cfg);
        assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
        assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)),
                         0);
        assert_int_equal(run.metrics->by_kind[NACK], 0);
        assert_int_equal(run.metrics->by_kind[PROPOSE], 0);
        assert_string_equal(verdict_of(&run, "termination")->detail,
                            "live node 1 never decided: round 1, waits for "
                            "the proposal of coordinator 0 and never "
                            "suspected anybody (--detector none)");
        assert_int_equal(verdict(&run, "termination"), DISCO_HOLDS_NO);
        sim_run_release(&run);

        static const char *const detectors[] = {
            "eventually-strong:0", "eventually-strong:500",
            "eventually-strong:3000", "eventually-perfect:700", "perfect"};
        for (unsigned d = 0; d < 5; d++) {
            set_detector(&cfg, detectors[d]);
            sim_run(&run, ALG, "complete:5", 1, &cfg);
            assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
            assert_all_hold(&run);
            assert_true(run.metrics->by_kind[NACK] >= 1);
            sim_run_release(&run);
        }
        disco_config_release(&cfg);
    }
}

/* Duplicated messages are counted once per sender and round, so every
 * property still holds with --dup 0.3 on every seed (a double-counted ack
 * could make a minority look like a majority).  With --loss 0.1 a lost
 * estimate, proposal or reply can block a round for ever (fig. 6 assumes
 * reliable channels), but what is decided stays agreed and valid. */
static void test_duplication_and_loss(void **unused)
{
    uint64_t gen = 5;
    unsigned blocked = 0, duplicated = 0;
    for (uint64_t seed = 1; seed <= 300; seed++)
        for (int lossy = 0; lossy <= 1; lossy++) {
            const uint32_t n = 5;
            int64_t in[5];
            for (uint32_t v = 0; v < n; v++)
                in[v] = (int64_t)(mix(&gen) % 4);
            struct disco_config cfg;
            disco_config_init(&cfg, ALG);
            cfg.seed = seed;
            cfg.fifo = false;
            if (lossy)
                cfg.loss = 0.1;
            else
                cfg.dup = 0.3;
            sim_config_values(&cfg, in, n);
            set_detector(&cfg, "eventually-strong:500");
            sim_config_param(&cfg, ALG, "horizon", 5000);
            /* Two statements: the order of two calls in one argument
             * list is unspecified, and the schedule must not depend on
             * the compiler. */
            uint32_t victim = (uint32_t)(mix(&gen) % n);
            disco_time_t at = mix(&gen) % 400;
            sim_config_fault(&cfg, DISCO_FAULT_CRASH, victim, at, n);
            struct sim_run run;
            sim_run(&run, ALG, "complete:5", 1, &cfg);
            assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
            assert_int_equal(verdict(&run, "agreement"), DISCO_HOLDS_YES);
            assert_int_equal(verdict(&run, "validity"), DISCO_HOLDS_YES);
            assert_int_equal(verdict(&run, "integrity"), DISCO_HOLDS_YES);
            if (!lossy) {
                assert_all_hold(&run);
                check_decisions(&run, in, n);
                duplicated += run.metrics->duplicated > 0;
            } else {
                blocked += verdict(&run, "termination") == DISCO_HOLDS_NO;
            }
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    assert_true(duplicated > 250);
    assert_true(blocked > 0);
}

/*
 * Why duplicates must be counted once: every message is duplicated
 * (--dup 1), p0 and p1 are close (delay 10) and everyone else is far
 * (1000) from both; the detector is perfect.  p0 (input 0) gets p1's
 * estimate twice at t = 10, p1's ack twice at t = 30.  Counting copies,
 * p0 would see 3 = a majority of estimates and then of acks with only p1
 * behind it, and decide 0 at t = 30; p0 and p1 crash at 45, their decide
 * messages still crawling, and p2 (input 1) gathers p2, p3, p4 in round 3
 * and decides 1 at t = 90: agreement broken.  Counting senders, p0 waits
 * for the far estimates, crashes without a proposal, and the survivors
 * decide 1 alone.
 */
static void test_duplicates_counted_once(void **unused)
{
    static const char dot[] =
        "graph dup { algorithm = \"chandra-toueg\"; delay = 1000;\n"
        "  p0 [value = 0, crash_at = 45]; p1 [value = 0, crash_at = 45];\n"
        "  p2 [value = 1]; p3 [value = 1]; p4 [value = 1];\n"
        "  p0 -- p1 [delay = 10]; p2 -- p3 [delay = 10];\n"
        "  p2 -- p4 [delay = 10]; p3 -- p4 [delay = 10];\n"
        "  p0 -- p2; p0 -- p3; p0 -- p4; p1 -- p2; p1 -- p3; p1 -- p4;\n"
        "}\n";
    struct disco_scenario sc;
    struct disco_error err;
    if (disco_scenario_load_text(&sc, dot, "dup.dot", &err) != 0)
        fail_msg("%s", err.message);
    struct disco_config cfg;
    sim_config(&cfg, ALG, 1, "const:1000");
    cfg.dup = 1;
    set_detector(&cfg, "perfect");
    assert_int_equal(disco_scenario_apply(&sc, &cfg, &err), 0);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, ALG, &sc.topo, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_all_hold(&run);
    const struct disco_view *view = disco_sim_view(run.sim);
    /* Every message sent is duplicated; only p2, coordinator of round 3,
     * ever proposes; p2 decides 1 at 90, p3 and p4 at 100. */
    assert_int_equal(run.metrics->duplicated, run.metrics->messages);
    assert_int_equal(disco_view_decision_of(view, 0), SIZE_MAX);
    assert_int_equal(disco_view_decision_of(view, 1), SIZE_MAX);
    assert_int_equal(run.metrics->by_kind[PROPOSE], 4);
    for (uint32_t v = 2; v < 5; v++) {
        size_t at = disco_view_decision_of(view, v);
        assert_true(at != SIZE_MAX);
        assert_int_equal(disco_view_decision(view, at)->value, 1);
        assert_int_equal(disco_view_decision(view, at)->time,
                         v == 2 ? 90 : 100);
    }
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
    disco_scenario_release(&sc);
}

/*
 * The coordinator crashes in the step in which it decides (n = 3, delay
 * 10, the perfect detector; node 0 decides 0 at t = 30 on node 1's ack):
 *
 *   --crash 0@30+0: none of its decide messages leaves.  Node 0 has
 *   decided (uniform agreement still judges it); nodes 0 and 1 hold 0 with
 *   ts 1, a majority, so node 1, coordinator of round 2, proposes 0 and
 *   decides 0 at t = 50, node 2 at 60.
 *   --crash 0@30+1: only decide to node 1 leaves; node 1 forwards it to
 *   node 2 (the reliable broadcast): both decide 0 in round 1, at 40 and
 *   50.
 *
 * Three decide messages either way: 2 + 1 relayed, or 1 + 1 + 1.
 */
static void test_coordinator_crashes_deciding(void **unused)
{
    static const struct {
        const char *crash;
        uint64_t t1, t2;
        const char *result;
    } cases[] = {
        {"0@30+0", 50, 60,
         "\"decided\": 2, \"decision\": 0, \"round\": 2, \"rounds\": 3"},
        {"0@30+1", 40, 50,
         "\"decided\": 2, \"decision\": 0, \"round\": 1, \"rounds\": 3"},
    };
    for (unsigned c = 0; c < 2; c++)
        for (uint64_t seed = 1; seed <= 10; seed++) {
            struct disco_config cfg;
            sim_config(&cfg, ALG, seed, "const:10");
            set_detector(&cfg, "perfect");
            sim_config_faults(&cfg, DISCO_FAULT_CRASH, cases[c].crash, 3);
            struct sim_run run;
            sim_run(&run, ALG, "complete:3", 1, &cfg);
            assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
            assert_all_hold(&run);
            const struct disco_view *view = disco_sim_view(run.sim);
            assert_true(disco_view_crashed(view, 0));
            const struct disco_decision *d0 = disco_view_decision(view, 0);
            assert_int_equal(d0->node, 0);
            assert_int_equal(d0->time, 30);
            assert_int_equal(d0->value, 0);
            const struct disco_decision *d1 =
                disco_view_decision(view, disco_view_decision_of(view, 1));
            const struct disco_decision *d2 =
                disco_view_decision(view, disco_view_decision_of(view, 2));
            assert_int_equal(d1->time, cases[c].t1);
            assert_int_equal(d2->time, cases[c].t2);
            assert_int_equal(d1->value, 0);
            assert_int_equal(d2->value, 0);
            assert_int_equal(run.metrics->by_kind[DECIDE], 3);
            char result[DISCO_RESULT_TEXT];
            result_of(&run, result, sizeof result);
            assert_string_equal(result, cases[c].result);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
}

/* Without a `value` attribute node i proposes i mod `values`: values=1
 * makes every input 0, values=1000 makes them 0..n-1 (all distinct), and
 * the decision is always one of them; equal inputs v decide v. */
static void test_inputs(void **unused)
{
    for (uint64_t seed = 1; seed <= 30; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, ALG);
        cfg.seed = seed;
        set_detector(&cfg, "eventually-strong:300");
        sim_config_faults(&cfg, DISCO_FAULT_CRASH, "0@20", 7);
        sim_config_param(&cfg, ALG, "values", 1);
        struct sim_run run;
        sim_run(&run, ALG, "complete:7", 1, &cfg);
        assert_all_hold(&run);
        int64_t zeros[7] = {0};
        assert_int_equal(check_decisions(&run, zeros, 7), 0);
        sim_run_release(&run);

        sim_config_param(&cfg, ALG, "values", 1000);
        sim_run(&run, ALG, "complete:7", 1, &cfg);
        assert_all_hold(&run);
        int64_t ids[7] = {0, 1, 2, 3, 4, 5, 6};
        check_decisions(&run, ids, 7);
        sim_run_release(&run);

        int64_t same[7] = {42, 42, 42, 42, 42, 42, 42};
        sim_config_values(&cfg, same, 7);
        sim_run(&run, ALG, "complete:7", 1, &cfg);
        assert_all_hold(&run);
        assert_int_equal(check_decisions(&run, same, 7), 42);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* Same seed, same options: the same run, event for event. */
static void test_deterministic(void **unused)
{
    char first[DISCO_RESULT_TEXT] = "";
    uint64_t events = 0, messages = 0, time = 0;
    for (int rep = 0; rep < 2; rep++) {
        struct disco_config cfg;
        disco_config_init(&cfg, ALG);
        cfg.seed = 42;
        set_detector(&cfg, "eventually-strong:800");
        sim_config_faults(&cfg, DISCO_FAULT_CRASH, "0@30,3@200", 5);
        struct sim_run run;
        sim_run(&run, ALG, "complete:5", 1, &cfg);
        assert_all_hold(&run);
        char result[DISCO_RESULT_TEXT];
        result_of(&run, result, sizeof result);
        if (rep == 0) {
            strcpy(first, result);
            events = run.metrics->events;
            messages = run.metrics->messages;
            time = run.metrics->time;
        } else {
            assert_string_equal(result, first);
            assert_int_equal(run.metrics->events, events);
            assert_int_equal(run.metrics->messages, messages);
            assert_int_equal(run.metrics->time, time);
        }
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* ------------------------------------------------------------------------ */
/* The lecture scenario.                                                    */

/* scenarios/consensus-chandra-toueg.dot as a lecturer runs it: the figures
 * of the file's comment.  p0 (coordinator of round 1) crashes at t = 4,
 * <>S lies until t = 400; on seed 1 p4 decides 3 in round 10 at t = 582,
 * 121 messages. */
#define SCENARIO_DETECTOR "eventually-strong:400"
#define SCENARIO_RESULT                                                      \
    "\"decided\": 4, \"decision\": 3, \"round\": 10, \"rounds\": 12"
#define SCENARIO_MESSAGES 121
static void test_lecture_scenario(void **unused)
{
    const char *dir = getenv("DISCO_SCENARIOS");
    char path[4096];
    snprintf(path, sizeof path, "%s/consensus-chandra-toueg.dot",
             dir ? dir : "scenarios");
    struct disco_scenario sc;
    struct disco_error err;
    if (disco_scenario_load(&sc, path, &err) != 0)
        fail_msg("%s", err.message);
    assert_string_equal(disco_scenario_option(&sc, "algorithm"),
                        "chandra-toueg");
    assert_int_equal(sc.topo.nodes, 5);
    /* sim_config would take a missing delay for the default law. */
    const char *delay = disco_scenario_option(&sc, "delay");
    assert_non_null(delay);
    struct disco_config cfg;
    sim_config(&cfg, ALG, 1, delay);
    const char *detector = disco_scenario_option(&sc, "detector");
    assert_non_null(detector);
    assert_string_equal(detector, SCENARIO_DETECTOR);
    set_detector(&cfg, detector);
    assert_int_equal(disco_scenario_apply(&sc, &cfg, &err), 0);
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, ALG, &sc.topo, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_all_hold(&run);
    char result[DISCO_RESULT_TEXT];
    result_of(&run, result, sizeof result);
    assert_string_equal(result, SCENARIO_RESULT);
    assert_int_equal(run.metrics->messages, SCENARIO_MESSAGES);
    const struct disco_view *view = disco_sim_view(run.sim);
    assert_true(disco_view_crashed(view, 0));
    assert_int_equal(disco_view_messages(view, ESTIMATE), 37);
    assert_int_equal(disco_view_messages(view, PROPOSE), 36);
    assert_int_equal(disco_view_messages(view, ACK), 14);
    assert_int_equal(disco_view_messages(view, NACK), 21);
    assert_int_equal(disco_view_messages(view, DECIDE), 13);
    const struct disco_decision *first = disco_view_decision(view, 0);
    assert_int_equal(first->node, 4);
    assert_int_equal(first->time, 582);
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
    disco_scenario_release(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_free_exact_count),
        cmocka_unit_test(test_fault_free_random_delays),
        cmocka_unit_test(test_defaults_without_detector),
        cmocka_unit_test(test_crashes_1000_seeds),
        cmocka_unit_test(test_sweep_max_crashes),
        cmocka_unit_test(test_majority_crashed_blocks),
        cmocka_unit_test(test_detector_needed),
        cmocka_unit_test(test_duplication_and_loss),
        cmocka_unit_test(test_coordinator_crashes_deciding),
        cmocka_unit_test(test_duplicates_counted_once),
        cmocka_unit_test(test_inputs),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_lecture_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
