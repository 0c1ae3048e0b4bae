/*
 * test_dolev_strong.c - authenticated Byzantine broadcast (Dolev-Strong).
 *
 * Exact message counts without faults ((n-1)^2: n-1 chains in round 1,
 * then each of the n-1 others relays to the n-2 nodes not on its chain);
 * agreement, validity and termination in f+1 rounds against every
 * Byzantine set of size f < n and every shipped strategy, n = 4..7; the
 * threshold on both sides: late-reveal breaks agreement with f rounds (or
 * f+1 Byzantine processes) and not with f+1; forged relays fail
 * verification; two faces of the sender; the lecture scenario.
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

extern const struct disco_algorithm disco_alg_dolev_strong;
#define ALG (&disco_alg_dolev_strong)

/* The module's state, as the oracles read it (kept in step with
 * algorithms/dolev_strong.c: plain data, the layout is the contract). */
struct chain {
    int64_t value;
    uint32_t count;
    unsigned char signer[64];
    uint64_t tag[64];
};
struct ds_state {
    int64_t input;
    uint32_t known;
    int64_t extracted[2];
    uint32_t fresh;
    struct chain relay[2];
    bool decided;
    int64_t decision;
    uint32_t rejected;
    uint32_t accepted;
};

static const char *const strategies[] = {
    "silent", "flip", "random", "equivocate", "two-faced", "late-reveal",
};
#define STRATEGIES (sizeof strategies / sizeof strategies[0])

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                 */

static const struct ds_state *state_of(const struct sim_run *run,
                                       uint32_t node)
{
    return disco_view_state(disco_sim_view(run->sim), node);
}

/* One run of n nodes: f, rounds (0: f+1), Byzantine mask and strategy
 * (mask 0: none), seed. */
static void run_ds(struct sim_run *run, struct disco_config *cfg, uint32_t n,
                   int64_t f, int64_t rounds, uint32_t mask,
                   const char *strategy, uint64_t seed)
{
    disco_config_init(cfg, ALG);
    assert_true(cfg->sync);
    cfg->seed = seed;
    sim_config_param(cfg, ALG, "f", f);
    sim_config_param(cfg, ALG, "rounds", rounds);
    sim_config_byzantine_mask(cfg, mask, n, strategy);
    sim_run(run, ALG, spec_complete(n), 1, cfg);
}

static void done(struct sim_run *run, struct disco_config *cfg)
{
    sim_run_release(run);
    disco_config_release(cfg);
}

/* ------------------------------------------------------------------------ */
/* Without faults.                                                          */

/* (n-1)^2 messages when at least two rounds run (n-1 with one), f+1
 * rounds, every process decides the sender's value, whatever the value,
 * the sender and the seed; and the worked numbers 9, 16, 36. */
static void test_fault_free_counts(void **unused)
{
    static const int64_t values[] = {1, 0, -7, 42};
    for (uint32_t n = 2; n <= 9; n++)
        for (uint32_t f = 0; f < n; f++)
            for (uint64_t seed = 1; seed <= 4; seed++) {
                struct disco_config cfg;
                disco_config_init(&cfg, ALG);
                cfg.seed = seed;
                sim_config_param(&cfg, ALG, "f", f);
                sim_config_param(&cfg, ALG, "sender", (int64_t)(seed % n));
                sim_config_param(&cfg, ALG, "value", values[seed % 4]);
                struct sim_run run;
                sim_run(&run, ALG, spec_complete(n), 1, &cfg);
                uint64_t want = f == 0 ? n - 1 : (uint64_t)(n - 1) * (n - 1);
                assert_int_equal(run.metrics->messages, want);
                assert_int_equal(run.metrics->rounds, f + 1);
                assert_all_hold(&run);
                for (uint32_t v = 0; v < n; v++) {
                    assert_int_equal(decision_of(&run, v), values[seed % 4]);
                    assert_int_equal(state_of(&run, v)->rejected, 0);
                    /* Every process but the sender accepts exactly once. */
                    assert_int_equal(state_of(&run, v)->accepted,
                                     v != seed % n);
                }
                done(&run, &cfg);
            }
    /* Worked numbers: K4 f=1: 3 + 6 = 9; K5 f=2: 4 + 12 = 16; K7 f=3:
     * 6 + 30 = 36; the defaults (complete:4, f = 1): 9, all decide 1. */
    static const struct { uint32_t n, f; uint64_t messages; } worked[] = {
        {4, 1, 9}, {5, 2, 16}, {7, 3, 36}, {7, 0, 6},
    };
    for (size_t i = 0; i < sizeof worked / sizeof worked[0]; i++) {
        struct disco_config cfg;
        struct sim_run run;
        run_ds(&run, &cfg, worked[i].n, worked[i].f, 0, 0, NULL, 1);
        assert_int_equal(run.metrics->messages, worked[i].messages);
        done(&run, &cfg);
    }
    struct sim_run run;
    sim_run(&run, ALG, "complete:4", 1, NULL);
    assert_int_equal(run.metrics->messages, 9);
    assert_int_equal(run.metrics->rounds, 2);
    assert_all_hold(&run);
    for (uint32_t v = 0; v < 4; v++)
        assert_int_equal(decision_of(&run, v), 1);
    sim_run_release(&run);
}

/* A crash is a fault too: the sender crashes in the middle of round 1
 * after reaching k nodes (--crash 0@0+k).  Each of the k relays to the
 * n-2 others: k(n-1) messages, and every correct process decides 1 when
 * k >= 1, the default 0 when k = 0 (agreement either way; validity does
 * not apply to a faulty sender). */
static void test_sender_crash(void **unused)
{
    for (uint32_t n = 3; n <= 7; n++)
        for (uint32_t k = 0; k < n; k++) {
            struct disco_config cfg;
            disco_config_init(&cfg, ALG);
            char text[32];
            snprintf(text, sizeof text, "0@0+%u", k);
            sim_config_faults(&cfg, DISCO_FAULT_CRASH, text, n);
            struct sim_run run;
            sim_run(&run, ALG, spec_complete(n), 1, &cfg);
            assert_all_hold(&run);
            assert_int_equal(run.metrics->messages, k * (n - 1));
            for (uint32_t v = 1; v < n; v++)
                assert_int_equal(decision_of(&run, v), k ? 1 : 0);
            done(&run, &cfg);
        }
}

/* ------------------------------------------------------------------------ */
/* Byzantine processes.                                                     */

/* f+1 rounds against every Byzantine set of size f < n (the sender in it
 * or not), every strategy, n = 4..7, two seeds: agreement, validity,
 * termination in round f+1, and the message bound always hold. */
static void test_every_set_every_strategy(void **unused)
{
    unsigned runs = 0;
    for (uint32_t n = 4; n <= 7; n++)
        for (uint32_t mask = 1; mask < (1u << n) - 1; mask++) {
            uint32_t f = (uint32_t)__builtin_popcount(mask);
            for (size_t s = 0; s < STRATEGIES; s++)
                for (uint64_t seed = 1; seed <= 2; seed++) {
                    struct disco_config cfg;
                    struct sim_run run;
                    run_ds(&run, &cfg, n, f, 0, mask, strategies[s], seed);
                    if (run.failed) {
                        for (unsigned i = 0; i < ALG->property_count; i++)
                            if (run.results[i].holds == DISCO_HOLDS_NO)
                                fail_msg("n=%u byzantine=%#x %s seed %llu: "
                                         "%s: %s", n, mask, strategies[s],
                                         (unsigned long long)seed,
                                         run.results[i].name,
                                         run.results[i].detail);
                    }
                    assert_int_equal(run.unchecked, 0);
                    assert_int_equal(run.metrics->rounds, f + 1);
                    /* A correct sender: its value, 1, everywhere. */
                    if (!(mask & 1))
                        for (uint32_t v = 0; v < n; v++)
                            if (!(mask >> v & 1))
                                assert_int_equal(decision_of(&run, v), 1);
                    runs++;
                    done(&run, &cfg);
                }
        }
    /* 14 + 30 + 62 + 126 sets, 6 strategies, 2 seeds. */
    assert_int_equal(runs, 232 * STRATEGIES * 2);
}

/* What each strategy makes of a Byzantine sender alone (n = 5, f = 1,
 * 2 rounds, value 1).  silent: nothing is sent, every V stays empty.
 * flip: the sender re-signs 0 (valid: nothing rejected), 4 + 4 x 3 = 16
 * messages, V = {0}.  equivocate (1 to nodes 1, 2, 0 to nodes 3, 4),
 * two-faced (0 to even, 1 to odd nodes) and late-reveal (0 to node 1,
 * which here is correct, 1 to the others): correct relays show both
 * values to everybody, 16 messages, V = {0, 1}.  Every correct process
 * decides 0. */
static void test_byzantine_sender(void **unused)
{
    static const struct { const char *strategy; uint64_t messages;
                          uint32_t known; } cases[] = {
        {"silent", 0, 0},
        {"flip", 16, 1},
        {"equivocate", 16, 2},
        {"two-faced", 16, 2},
        {"late-reveal", 16, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disco_config cfg;
        struct sim_run run;
        run_ds(&run, &cfg, 5, 1, 0, 1, cases[i].strategy, 1);
        assert_all_hold(&run);
        assert_int_equal(run.metrics->messages, cases[i].messages);
        for (uint32_t v = 1; v < 5; v++) {
            assert_int_equal(decision_of(&run, v), 0);
            assert_int_equal(state_of(&run, v)->known, cases[i].known);
            assert_int_equal(state_of(&run, v)->rejected, 0);
        }
        done(&run, &cfg);
    }
}

/* A forged relay: a Byzantine non-sender that flips the value can re-sign
 * only its own link; the sender's signature no longer verifies and each
 * correct receiver rejects it.  Node b relays to the n-2 nodes other than
 * the sender and itself: exactly n-2 rejections, every correct process
 * still decides the sender's 1, the count stays (n-1)^2. */
static void test_forged_relay_rejected(void **unused)
{
    for (uint32_t n = 3; n <= 8; n++)
        for (uint32_t b = 1; b < n; b++) {
            struct disco_config cfg;
            struct sim_run run;
            run_ds(&run, &cfg, n, 1, 0, 1u << b, "flip", 1);
            assert_all_hold(&run);
            assert_int_equal(run.metrics->messages, (n - 1) * (n - 1));
            uint32_t rejected = 0;
            for (uint32_t v = 1; v < n; v++) {
                if (v == b)
                    continue;
                assert_int_equal(decision_of(&run, v), 1);
                assert_int_equal(state_of(&run, v)->rejected, 1);
                assert_int_equal(state_of(&run, v)->known, 1);
                rejected += state_of(&run, v)->rejected;
            }
            assert_int_equal(rejected, n - 2);
            done(&run, &cfg);
        }
}

/* Tampering strategies of the test's own, on the wire format (value: 8
 * bytes, count: 1, signers: count bytes, tags: 8 * count).  Each turns a
 * relay [sender, b] of the Byzantine node b into a chain that breaks one
 * clause of the acceptance rule. */
static bool tamper_tag(struct disco_ctx *ctx, uint32_t port, unsigned *kind,
                       void *payload, size_t *len)
{
    unsigned char *p = payload;
    p[9 + p[8]] ^= 1; /* the sender's tag, value unchanged */
    return true;
}

static bool drop_sender(struct disco_ctx *ctx, uint32_t port, unsigned *kind,
                        void *payload, size_t *len)
{
    /* [b] alone: one signature in round 2, and not the sender's first. */
    unsigned char *p = payload;
    unsigned char out[9 + 9];
    memcpy(out, p, 8);
    out[8] = 1;
    out[9] = p[10];
    memcpy(out + 10, p + 9 + 2 + 8, 8);
    memcpy(p, out, sizeof out);
    *len = sizeof out;
    return true;
}

static bool repeat_signer(struct disco_ctx *ctx, uint32_t port,
                          unsigned *kind, void *payload, size_t *len)
{
    /* [sender, sender] with the sender's own tag twice. */
    unsigned char *p = payload;
    p[10] = p[9];
    memcpy(p + 9 + 2 + 8, p + 9 + 2, 8);
    return true;
}

static bool truncate_chain(struct disco_ctx *ctx, uint32_t port,
                           unsigned *kind, void *payload, size_t *len)
{
    *len -= 1; /* malformed: not 9 + 9 * count bytes */
    return true;
}

static const struct disco_strategy tampering[] = {
    {"tamper-tag", "", tamper_tag},
    {"drop-sender", "", drop_sender},
    {"repeat-signer", "", repeat_signer},
    {"truncate", "", truncate_chain},
};

static void test_tampered_chains_rejected(void **unused)
{
    struct disco_algorithm alg = disco_alg_dolev_strong;
    alg.strategies = tampering;
    alg.strategy_count = sizeof tampering / sizeof tampering[0];
    for (unsigned t = 0; t < alg.strategy_count; t++)
        for (uint32_t n = 3; n <= 6; n++) {
            struct disco_config cfg;
            disco_config_init(&cfg, &alg);
            sim_config_byzantine_mask(&cfg, 1u << (n - 1), n,
                                      tampering[t].name);
            struct sim_run run;
            sim_run(&run, &alg, spec_complete(n), 1, &cfg);
            assert_int_equal(verdict(&run, "agreement"), DISCO_HOLDS_YES);
            assert_int_equal(verdict(&run, "validity"), DISCO_HOLDS_YES);
            for (uint32_t v = 1; v + 1 < n; v++) {
                assert_int_equal(decision_of(&run, v), 1);
                assert_int_equal(state_of(&run, v)->rejected, 1);
            }
            done(&run, &cfg);
        }
}

/* The threshold, rounds side: late-reveal by the sender and the f-1 nodes
 * after it (any sender, wrapping round) makes the next node h decide the
 * default 0 while the other correct processes decide 1 when only f rounds
 * run; with f+1 rounds h relays the second value and everybody decides 0.
 * Needs two correct processes: f <= n-2. */
static void test_late_reveal_rounds_threshold(void **unused)
{
    for (uint32_t n = 3; n <= 8; n++)
        for (uint32_t f = 1; f + 2 <= n; f++)
            for (uint32_t s = 0; s < n; s++) {
                uint32_t mask = 0;
                for (uint32_t i = 0; i < f; i++)
                    mask |= 1u << ((s + i) % n);
                uint32_t h = (s + f) % n;
                for (int64_t rounds = f; rounds <= f + 1; rounds++) {
                    struct disco_config cfg;
                    disco_config_init(&cfg, ALG);
                    sim_config_param(&cfg, ALG, "f", f);
                    sim_config_param(&cfg, ALG, "rounds", rounds);
                    sim_config_param(&cfg, ALG, "sender", s);
                    sim_config_byzantine_mask(&cfg, mask, n, "late-reveal");
                    struct sim_run run;
                    sim_run(&run, ALG, spec_complete(n), 1, &cfg);
                    assert_int_equal(run.metrics->rounds, rounds);
                    assert_int_equal(verdict(&run, "termination"),
                                     DISCO_HOLDS_YES);
                    bool short_run = rounds == (int64_t)f;
                    assert_int_equal(verdict(&run, "agreement"),
                                     short_run ? DISCO_HOLDS_NO
                                               : DISCO_HOLDS_YES);
                    assert_int_equal(verdict(&run, "resilience"),
                                     short_run ? DISCO_HOLDS_NO
                                               : DISCO_HOLDS_YES);
                    for (uint32_t v = 0; v < n; v++) {
                        if (mask >> v & 1)
                            continue;
                        assert_int_equal(decision_of(&run, v),
                                         short_run && v != h ? 1 : 0);
                        /* h holds v and w, except with f = 1 and one
                         * round: the sender showed h nothing but w. */
                        uint32_t known = !short_run ? 2
                                         : v != h   ? 1
                                         : f == 1   ? 1
                                                    : 2;
                        assert_int_equal(state_of(&run, v)->known, known);
                        assert_int_equal(state_of(&run, v)->rejected, 0);
                    }
                    done(&run, &cfg);
                }
            }
}

/* The threshold, faults side: f+1 rounds against f+1 Byzantine processes
 * (one more than f) break agreement the same way; against f they do not
 * (previous tests). */
static void test_late_reveal_faults_threshold(void **unused)
{
    for (uint32_t n = 4; n <= 7; n++)
        for (uint32_t f = 0; f + 3 <= n; f++) {
            uint32_t mask = (1u << (f + 1)) - 1; /* nodes 0..f */
            struct disco_config cfg;
            struct sim_run run;
            run_ds(&run, &cfg, n, f, 0, mask, "late-reveal", 1);
            assert_int_equal(verdict(&run, "agreement"), DISCO_HOLDS_NO);
            assert_int_equal(verdict(&run, "resilience"), DISCO_HOLDS_NO);
            assert_int_equal(decision_of(&run, f + 1), 0);
            assert_int_equal(decision_of(&run, f + 2), 1);
            done(&run, &cfg);
            run_ds(&run, &cfg, n, f + 1, 0, mask, "late-reveal", 1);
            assert_all_hold(&run);
            done(&run, &cfg);
        }
}

/* Two faces (n = 4, f = 1): the sender signs 0 for p2 and 1 for p1, p3.
 * With 2 rounds the correct relays show both values to everybody: all
 * decide 0, 3 + 3 x 2 = 9 messages.  With one round p1 and p3 decide 1
 * and p2 decides 0. */
static void test_two_faced(void **unused)
{
    struct disco_config cfg;
    struct sim_run run;
    run_ds(&run, &cfg, 4, 1, 0, 1, "two-faced", 1);
    assert_all_hold(&run);
    assert_int_equal(run.metrics->messages, 9);
    for (uint32_t v = 1; v < 4; v++) {
        assert_int_equal(decision_of(&run, v), 0);
        assert_int_equal(state_of(&run, v)->known, 2);
    }
    done(&run, &cfg);
    run_ds(&run, &cfg, 4, 1, 1, 1, "two-faced", 1);
    assert_int_equal(verdict(&run, "agreement"), DISCO_HOLDS_NO);
    assert_int_equal(run.metrics->messages, 3);
    assert_int_equal(decision_of(&run, 1), 1);
    assert_int_equal(decision_of(&run, 2), 0);
    assert_int_equal(decision_of(&run, 3), 1);
    done(&run, &cfg);
}

/* Same seed, same options: the same decisions, counts and states, with
 * the strategy that draws (random) on several Byzantine nodes. */
static void test_deterministic(void **unused)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg[2];
        struct sim_run run[2];
        for (int i = 0; i < 2; i++)
            run_ds(&run[i], &cfg[i], 7, 3, 0, 0x0b, "random", seed);
        assert_int_equal(run[0].metrics->messages, run[1].metrics->messages);
        for (uint32_t v = 0; v < 7; v++)
            assert_memory_equal(state_of(&run[0], v), state_of(&run[1], v),
                                sizeof(struct ds_state));
        for (int i = 0; i < 2; i++)
            done(&run[i], &cfg[i]);
    }
}

/* The lecture scenario through the command line, twice each (the same
 * bytes): the two-faced sender is stopped in 2 rounds, not in 1; a forged
 * relay is rejected; late-reveal needs the missing round. */
struct scenario_case {
    const char *extra[4]; /* more options, NULL-terminated */
    int status;           /* 0 pass, 1 a property violated */
    const char *expect[3];
};

static void test_cli_scenario(void **unused)
{
    static const struct scenario_case cases[] = {
        {{NULL}, 0,
         {"\"messages\": 9,", "\"rounds\": 2,",
          "\"result\": {\"decided\": 3, \"decision\": 0, \"rejected\": 0}"}},
        {{"--param", "rounds=1", NULL}, 1,
         {"\"messages\": 3,",
          "{\"name\": \"agreement\", \"holds\": false, \"detail\": "
          "\"correct node 1 decided 1, node 2 0\"}",
          "\"min\": 0, \"max\": 1,"}},
        {{"--byzantine", "2", "--strategy", "flip"}, 0,
         {"\"messages\": 9,",
          "\"result\": {\"decided\": 3, \"decision\": 1, \"rejected\": 2}",
          "\"detail\": \"every correct process decided the sender's 1\""}},
        {{"--strategy", "late-reveal", "--param", "rounds=1"}, 1,
         {"\"messages\": 3,",
          "\"detail\": \"correct node 1 decided 0, node 2 1\"", NULL}},
        {{"--strategy", "late-reveal", NULL}, 0,
         {"\"messages\": 9,", "\"decision\": 0,", NULL}},
    };
    char path[4096];
    snprintf(path, sizeof path, "%s",
             env_path("DISCO_SCENARIOS",
                      "consensus-dolev-strong-two-faced.dot"));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct scenario_case *c = &cases[i];
        const char *argv[] = {NULL, "run", path, "--json", c->extra[0],
                              c->extra[1], c->extra[2], c->extra[3], NULL};
        struct cli_output first, second;
        cli_run(&first, argv);
        cli_run(&second, argv);
        assert_int_equal(first.status, c->status);
        assert_int_equal(first.err_len, 0);
        assert_int_equal(first.out_len, second.out_len);
        assert_memory_equal(first.out, second.out, first.out_len);
        for (int k = 0; k < 3 && c->expect[k]; k++)
            if (!strstr(first.out, c->expect[k]))
                fail_msg("case %zu: no %s in %s", i, c->expect[k], first.out);
        cli_output_release(&first);
        cli_output_release(&second);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fault_free_counts),
        cmocka_unit_test(test_sender_crash),
        cmocka_unit_test(test_every_set_every_strategy),
        cmocka_unit_test(test_byzantine_sender),
        cmocka_unit_test(test_forged_relay_rejected),
        cmocka_unit_test(test_tampered_chains_rejected),
        cmocka_unit_test(test_late_reveal_rounds_threshold),
        cmocka_unit_test(test_late_reveal_faults_threshold),
        cmocka_unit_test(test_two_faced),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_cli_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
