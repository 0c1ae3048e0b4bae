/*
 * test_consensus_sync.c - synchronous consensus: floodset (crashes),
 * phase-king and om (the kernel's Byzantine processes, with the generic
 * strategies and the modules' own).
 * Exact message and round counts of the reference, and every theorem's
 * threshold on both sides: floodset with f+1 rounds never disagrees and
 * with f rounds the lower-bound adversary makes it disagree; om with
 * n = 3m+1 satisfies IC1/IC2 against every shipped strategy and with
 * n = 3m a traitor breaks them; phase-king holds for n > 4f.
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

extern const struct disco_algorithm disco_alg_floodset;
extern const struct disco_algorithm disco_alg_phase_king;
extern const struct disco_algorithm disco_alg_om;

/* ------------------------------------------------------------------------ */
/* floodset                                                                 */

/* The reference's worked case: n = 5, f = 2, no crash: 3 rounds, 60
 * messages; and (f+1)n(n-1) for every n <= 8, f < n, on 100 seeds. */
static void test_floodset_counts(void **unused)
{
    for (uint32_t n = 2; n <= 8; n++) {
        for (uint32_t f = 0; f < n; f++) {
            for (uint64_t seed = 1; seed <= 100; seed++) {
                struct disco_config cfg;
                disco_config_init(&cfg, &disco_alg_floodset);
                assert_true(cfg.sync);
                cfg.seed = seed;
                cfg.fifo = seed % 2;
                sim_config_param(&cfg, &disco_alg_floodset, "f", f);
                struct sim_run run;
                sim_run(&run, &disco_alg_floodset, spec_complete(n), 1, &cfg);
                assert_int_equal(run.metrics->messages,
                                 (uint64_t)(f + 1) * n * (n - 1));
                assert_int_equal(run.metrics->rounds, f + 1);
                assert_all_hold(&run);
                /* Default inputs: index mod 2, so min = 0 once n > 1. */
                for (uint32_t v = 0; v < n; v++)
                    assert_int_equal(decision_of(&run, v), 0);
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
        }
    }
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_floodset);
    sim_config_param(&cfg, &disco_alg_floodset, "f", 2);
    struct sim_run run;
    sim_run(&run, &disco_alg_floodset, "complete:5", 1, &cfg);
    assert_int_equal(run.metrics->rounds, 3);
    assert_int_equal(run.metrics->messages, 60);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* Unanimous inputs: everyone decides that input (validity). */
static void test_floodset_unanimous(void **unused)
{
    int64_t in[6];
    for (int64_t x = -2; x <= 2; x++) {
        for (uint32_t v = 0; v < 6; v++)
            in[v] = x * 7;
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_floodset);
        sim_config_values(&cfg, in, 6);
        sim_config_param(&cfg, &disco_alg_floodset, "f", 2);
        sim_config_fault(&cfg, DISCO_FAULT_CRASH, 3, 1, 6);
        struct sim_run run;
        sim_run(&run, &disco_alg_floodset, "complete:6", 1, &cfg);
        assert_all_hold(&run);
        for (uint32_t v = 0; v < 6; v++)
            if (v != 3)
                assert_int_equal(decision_of(&run, v), x * 7);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* With f+1 rounds agreement never fails: 2,000 random schedules of at
 * most f crashes at random rounds, one of them (half the time) in the
 * middle of a send reaching a random prefix of its ports, random inputs. */
static void test_floodset_f_plus_1_rounds_agree(void **unused)
{
    for (uint64_t seed = 1; seed <= 2000; seed++) {
        uint64_t x = seed * 0x9E3779B97F4A7C15ull;
        uint32_t n = 2 + (uint32_t)(x % 7); /* 2..8 */
        uint32_t f = (uint32_t)((x >> 8) % n);
        int64_t in[8];
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_floodset);
        cfg.seed = seed;
        sim_config_param(&cfg, &disco_alg_floodset, "f", f);
        for (uint32_t v = 0; v < n; v++)
            in[v] = (int64_t)((x >> (16 + 3 * v)) % 5);
        sim_config_values(&cfg, in, n);
        /* Choose the faulty nodes: a random subset of size <= f. */
        uint32_t faulty = f ? (uint32_t)((x >> 40) % (f + 1)) : 0;
        uint32_t first = (uint32_t)((x >> 44) % n);
        bool cut = faulty > 0 && (x >> 50) % 2;
        for (uint32_t i = 0; i < faulty; i++) {
            uint32_t v = (first + i) % n;
            uint64_t round = 1 + (x >> (52 + i % 4)) % (f + 1);
            if (cut && i == 0) {
                sim_config_param(&cfg, &disco_alg_floodset, "cut_node", v);
                sim_config_param(&cfg, &disco_alg_floodset, "cut_round", round);
                sim_config_param(&cfg, &disco_alg_floodset, "cut_ports",
                                 (int64_t)((x >> 56) % n));
            } else {
                sim_config_fault(&cfg, DISCO_FAULT_CRASH, v, round, n);
            }
        }
        struct sim_run run;
        sim_run(&run, &disco_alg_floodset, spec_complete(n), 1, &cfg);
        assert_int_equal(verdict(&run, "agreement"), DISCO_HOLDS_YES);
        assert_all_hold(&run);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* One round too few: the lower bound's chain (node i-1 crashes in round
 * i reaching only node i) hides node 0's input 0 from all but node f, so
 * nodes f and f+1 disagree after f rounds; with f+1 rounds, node f tells
 * everyone and they agree. */
static void test_floodset_f_rounds_disagree(void **unused)
{
    for (uint32_t f = 1; f <= 5; f++) {
        for (uint32_t n = f + 2; n <= f + 4; n++) {
            for (int64_t rounds = f; rounds <= (int64_t)f + 1; rounds++) {
                int64_t in[10];
                for (uint32_t v = 0; v < n; v++)
                    in[v] = v == 0 ? 0 : 1;
                struct disco_config cfg;
                disco_config_init(&cfg, &disco_alg_floodset);
                sim_config_values(&cfg, in, n);
                sim_config_param(&cfg, &disco_alg_floodset, "f", f);
                sim_config_param(&cfg, &disco_alg_floodset, "rounds", rounds);
                sim_config_param(&cfg, &disco_alg_floodset, "chain", f);
                struct sim_run run;
                sim_run(&run, &disco_alg_floodset, spec_complete(n), 1, &cfg);
                assert_int_equal(run.metrics->rounds, rounds);
                assert_int_equal(verdict(&run, "validity"), DISCO_HOLDS_YES);
                assert_int_equal(verdict(&run, "decides_at_f_plus_1"),
                                 DISCO_HOLDS_YES);
                assert_int_equal(decision_of(&run, f), 0);
                if (rounds == (int64_t)f) {
                    assert_int_equal(run.failed, 1);
                    assert_int_equal(verdict(&run, "agreement"),
                                     DISCO_HOLDS_NO);
                    for (uint32_t v = f + 1; v < n; v++)
                        assert_int_equal(decision_of(&run, v), 1);
                    char want[128];
                    snprintf(want, sizeof want,
                             "node %u decided 0, node %u 1", f, f + 1);
                    assert_string_equal(
                        verdict_of(&run, "agreement")->detail, want);
                } else {
                    assert_all_hold(&run);
                    for (uint32_t v = f + 1; v < n; v++)
                        assert_int_equal(decision_of(&run, v), 0);
                }
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
        }
    }
}

/* A single mid-send crash with one round: n = 3, f = 1, node 0 (input 0)
 * reaches node 1 only; node 2 keeps 1.  The kernel's clean crashes alone
 * cannot do it: a node crashed at round 1 sent round 1 to everybody. */
static void test_floodset_cut_and_clean_crash(void **unused)
{
    const int64_t in[3] = {0, 1, 1};
    for (int with_cut = 0; with_cut <= 1; with_cut++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &disco_alg_floodset);
        sim_config_values(&cfg, in, 3);
        sim_config_param(&cfg, &disco_alg_floodset, "rounds", 1);
        if (with_cut) {
            sim_config_param(&cfg, &disco_alg_floodset, "cut_node", 0);
            sim_config_param(&cfg, &disco_alg_floodset, "cut_ports", 1);
        } else {
            sim_config_fault(&cfg, DISCO_FAULT_CRASH, 0, 1, 3);
        }
        struct sim_run run;
        sim_run(&run, &disco_alg_floodset, "complete:3", 1, &cfg);
        assert_int_equal(decision_of(&run, 1), 0);
        assert_int_equal(decision_of(&run, 2), with_cut ? 1 : 0);
        assert_int_equal(run.metrics->messages, with_cut ? 5 : 6);
        assert_int_equal(verdict(&run, "agreement"),
                         with_cut ? DISCO_HOLDS_NO : DISCO_HOLDS_YES);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* ------------------------------------------------------------------------ */
/* phase-king                                                               */

/* Every strategy phase-king ships: the generic ones, then its own. */
static const char *const pk_strategies[] = {"silent", "flip", "random",
                                            "equivocate", "split"};
enum { PK_STRATEGIES = sizeof pk_strategies / sizeof pk_strategies[0] };

static void pk_run(struct sim_run *run, struct disco_config *cfg, uint32_t n,
                   uint32_t f, uint64_t traitors, const char *strategy,
                   const int64_t *in, uint64_t seed)
{
    disco_config_init(cfg, &disco_alg_phase_king);
    assert_true(cfg->sync);
    cfg->seed = seed;
    sim_config_param(cfg, &disco_alg_phase_king, "f", f);
    sim_config_byzantine_mask(cfg, traitors, n, strategy);
    if (in)
        sim_config_values(cfg, in, n);
    sim_run(run, &disco_alg_phase_king, spec_complete(n), 1, cfg);
}

/* (f+1)(n^2-1): n(n-1) prefs and n-1 king messages per phase, 2(f+1)
 * rounds, with or without (non-silent) traitors. */
static void test_phase_king_counts(void **unused)
{
    for (uint32_t f = 0; f <= 3; f++) {
        for (uint32_t n = 4 * f + 1; n <= 4 * f + 3; n++) {
            for (int strategy = 1; strategy < PK_STRATEGIES; strategy++) {
                for (uint64_t seed = 1; seed <= 20; seed++) {
                    struct disco_config cfg;
                    struct sim_run run;
                    uint64_t traitors = f ? (1ull << f) - 1 : 0;
                    pk_run(&run, &cfg, n, f, traitors,
                           pk_strategies[strategy], NULL, seed);
                    uint64_t phases = f + 1;
                    assert_int_equal(run.metrics->messages,
                                     phases * ((uint64_t)n * n - 1));
                    assert_int_equal(run.metrics->by_kind[0],
                                     phases * n * (n - 1));
                    assert_int_equal(run.metrics->by_kind[1],
                                     phases * (n - 1));
                    assert_int_equal(run.metrics->rounds, 2 * phases);
                    assert_all_hold(&run);
                    sim_run_release(&run);
                    disco_config_release(&cfg);
                }
            }
        }
    }
}

/* Every traitor set of size <= f (kings included), every strategy, three
 * input patterns and (random strategy) 10 seeds: agreement, validity and
 * termination among the loyal, for n = 4f+1 (f = 1, 2). */
static void test_phase_king_exhaustive(void **unused)
{
    for (uint32_t f = 1; f <= 2; f++) {
        uint32_t n = 4 * f + 1;
        for (uint64_t mask = 0; mask < (1ull << n); mask++) {
            if (__builtin_popcountll(mask) > (int)f)
                continue;
            for (int strategy = 0; strategy < PK_STRATEGIES; strategy++) {
                const char *name = pk_strategies[strategy];
                for (int pattern = 0; pattern < 3; pattern++) {
                    int64_t in[16];
                    for (uint32_t v = 0; v < n; v++)
                        in[v] = pattern == 2 ? (int64_t)(v % 2) : pattern;
                    uint64_t seeds = strcmp(name, "random") ? 1 : 10;
                    for (uint64_t seed = 1; seed <= seeds; seed++) {
                        struct disco_config cfg;
                        struct sim_run run;
                        pk_run(&run, &cfg, n, f, mask, name, in, seed);
                        assert_all_hold(&run);
                        if (pattern < 2)
                            for (uint32_t v = 0; v < n; v++)
                                if (!(mask >> v & 1))
                                    assert_int_equal(decision_of(&run, v),
                                                     pattern);
                        sim_run_release(&run);
                        disco_config_release(&cfg);
                    }
                }
            }
        }
    }
}

/* n > 4f over many sizes and seeds: random traitor sets of size f,
 * random strategy, random inputs. */
static void test_phase_king_random(void **unused)
{
    for (uint64_t seed = 1; seed <= 1500; seed++) {
        uint64_t x = seed * 0xD1B54A32D192ED03ull;
        uint32_t f = 1 + (uint32_t)(x % 3);
        uint32_t n = 4 * f + 1 + (uint32_t)((x >> 4) % 4);
        uint64_t mask = 0;
        for (uint32_t k = 0; __builtin_popcountll(mask) < (int)f; k++)
            mask |= 1ull << ((x >> (8 + 4 * (k % 12))) + k) % n;
        int64_t in[20];
        for (uint32_t v = 0; v < n; v++)
            in[v] = (int64_t)((x >> (v % 60)) & 1);
        struct disco_config cfg;
        struct sim_run run;
        pk_run(&run, &cfg, n, f, mask,
               pk_strategies[(x >> 59) % PK_STRATEGIES], in, seed);
        assert_all_hold(&run);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* The other side of n > 4f: at n = 4f the kings of the first f phases
 * are traitors.  Every loyal process starts with v and sees v n-f = n/2+f
 * times, not more than n/2+f, so it follows the king.  Silent kings: the
 * loyal fall back on 0, and v = 1 is lost; flipping kings (f = 1, 2) make
 * either v lost.  With one more loyal process (n = 4f+1) validity holds. */
static void test_phase_king_threshold(void **unused)
{
    for (uint32_t f = 1; f <= 3; f++) {
        for (uint32_t n = 4 * f; n <= 4 * f + 1; n++) {
            for (int strategy = 0; strategy <= 1; strategy++) {
                for (int64_t v = 0; v <= 1; v++) {
                    int64_t in[16];
                    for (uint32_t i = 0; i < n; i++)
                        in[i] = v;
                    struct disco_config cfg;
                    struct sim_run run;
                    pk_run(&run, &cfg, n, f, (1ull << f) - 1,
                           pk_strategies[strategy], in, 1);
                    bool breaks = n == 4 * f &&
                                  ((strategy == 0 && v == 1) ||
                                   (strategy == 1 && f <= 2));
                    assert_int_equal(verdict(&run, "validity"),
                                     breaks ? DISCO_HOLDS_NO
                                            : DISCO_HOLDS_YES);
                    assert_int_equal(verdict(&run, "resilience"),
                                     n == 4 * f ? DISCO_HOLDS_NO
                                                : DISCO_HOLDS_YES);
                    for (uint32_t i = f; i < n; i++)
                        assert_int_equal(decision_of(&run, i),
                                         breaks ? 1 - v : v);
                    sim_run_release(&run);
                    disco_config_release(&cfg);
                }
            }
        }
    }
}

/* ------------------------------------------------------------------------ */
/* om                                                                       */

static uint64_t lamport_m(uint64_t n, uint64_t m)
{
    if (n < 2)
        return 0;
    return m == 0 ? n - 1 : (n - 1) + (n - 1) * lamport_m(n - 1, m - 1);
}

/* Every strategy om ships: the generic ones, then its own. */
static const char *const om_strategies[] = {"silent", "flip", "random",
                                            "equivocate", "attack-half"};
enum { OM_STRATEGIES = sizeof om_strategies / sizeof om_strategies[0] };

static void om_run(struct sim_run *run, struct disco_config *cfg, uint32_t n,
                   uint32_t m, uint64_t traitors, const char *strategy,
                   int order, uint64_t seed)
{
    disco_config_init(cfg, &disco_alg_om);
    assert_true(cfg->sync);
    cfg->seed = seed;
    sim_config_param(cfg, &disco_alg_om, "m", m);
    sim_config_byzantine_mask(cfg, traitors, n, strategy);
    sim_config_param(cfg, &disco_alg_om, "value", order);
    sim_run(run, &disco_alg_om, spec_complete(n), 1, cfg);
}

/* M(n,m) exactly: n=4, m=1: 9; n=7, m=2: 156; and every n <= 10, m <= 3,
 * with m+1 rounds and the order obeyed. */
static void test_om_counts(void **unused)
{
    assert_int_equal(lamport_m(4, 1), 9);
    assert_int_equal(lamport_m(7, 2), 156);
    struct disco_config cfg;
    struct sim_run run;
    om_run(&run, &cfg, 4, 1, 0, NULL, 1, 1);
    assert_int_equal(run.metrics->messages, 9);
    assert_int_equal(run.metrics->by_kind[0], 3);
    assert_int_equal(run.metrics->rounds, 2);
    assert_all_hold(&run);
    sim_run_release(&run);
    disco_config_release(&cfg);
    om_run(&run, &cfg, 7, 2, 0, NULL, 1, 1);
    assert_int_equal(run.metrics->messages, 156);
    assert_int_equal(run.metrics->rounds, 3);
    assert_all_hold(&run);
    sim_run_release(&run);
    disco_config_release(&cfg);

    for (uint32_t n = 2; n <= 10; n++) {
        for (uint32_t m = 0; m <= 3 && 3 * m < n; m++) {
            for (int order = 0; order <= 1; order++) {
                om_run(&run, &cfg, n, m, 0, NULL, order, 1);
                assert_int_equal(run.metrics->messages, lamport_m(n, m));
                assert_int_equal(run.metrics->rounds, m + 1);
                assert_all_hold(&run);
                for (uint32_t v = 1; v < n; v++)
                    assert_int_equal(decision_of(&run, v), order);
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
        }
    }
}

/* n = 3m+1 (m = 1, 2, 3): every traitor set of size <= m, the commander
 * included, every shipped strategy, both orders, (random) 5 seeds: IC1
 * and IC2 hold. */
static void test_om_threshold_holds(void **unused)
{
    for (uint32_t m = 1; m <= 3; m++) {
        uint32_t n = 3 * m + 1;
        for (uint64_t mask = 0; mask < (1ull << n); mask++) {
            if (__builtin_popcountll(mask) > (int)m)
                continue;
            for (int strategy = 0; strategy < OM_STRATEGIES; strategy++) {
                const char *name = om_strategies[strategy];
                uint64_t seeds = strcmp(name, "random") ? 1 : m == 3 ? 2 : 5;
                for (int order = 0; order <= 1; order++) {
                    for (uint64_t seed = 1; seed <= seeds; seed++) {
                        struct disco_config cfg;
                        struct sim_run run;
                        om_run(&run, &cfg, n, m, mask, name, order, seed);
                        assert_all_hold(&run);
                        sim_run_release(&run);
                        disco_config_release(&cfg);
                    }
                }
            }
        }
    }
}

/* n = 3m: the worked case n = 3, m = 1: the loyal commander orders
 * attack, lieutenant 2 flips what it relays; lieutenant 1 hears attack
 * and retreat, a tie, and retreats: IC2 fails. */
static void test_om_three_generals(void **unused)
{
    struct disco_config cfg;
    struct sim_run run;
    om_run(&run, &cfg, 3, 1, 1u << 2, "flip", 1, 1);
    assert_int_equal(verdict(&run, "IC2"), DISCO_HOLDS_NO);
    assert_string_equal(verdict_of(&run, "IC2")->detail,
                        "the loyal commander ordered 1, lieutenant 1 obeys 0");
    assert_int_equal(verdict(&run, "resilience"), DISCO_HOLDS_NO);
    assert_int_equal(decision_of(&run, 1), 0);
    assert_int_equal(run.metrics->messages, 4);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* n = 3m for m = 1, 2, 3: some traitor set of size <= m with a shipped
 * strategy breaks IC1 or IC2, while the same search at n = 3m+1 found
 * nothing (test_om_threshold_holds). */
static void test_om_threshold_breaks(void **unused)
{
    for (uint32_t m = 1; m <= 3; m++) {
        uint32_t n = 3 * m;
        unsigned broken = 0;
        for (uint64_t mask = 1; mask < (1ull << n); mask++) {
            if (__builtin_popcountll(mask) > (int)m)
                continue;
            for (int strategy = 0; strategy < OM_STRATEGIES; strategy++) {
                if (!strcmp(om_strategies[strategy], "random"))
                    continue; /* the deterministic ones suffice */
                for (int order = 0; order <= 1; order++) {
                    struct disco_config cfg;
                    struct sim_run run;
                    om_run(&run, &cfg, n, m, mask, om_strategies[strategy],
                           order, 1);
                    assert_int_equal(verdict(&run, "resilience"),
                                     DISCO_HOLDS_NO);
                    if (verdict(&run, "IC1") == DISCO_HOLDS_NO ||
                        verdict(&run, "IC2") == DISCO_HOLDS_NO)
                        broken++;
                    sim_run_release(&run);
                    disco_config_release(&cfg);
                }
            }
        }
        assert_true(broken > 0);
    }
}

/* Same seed, same options: the same decisions and counts (the random
 * strategy draws from the traitors' own streams); another seed, other
 * coins. */
static void test_om_reproducible(void **unused)
{
    int64_t first[7] = {0};
    uint64_t messages = 0;
    for (int again = 0; again < 2; again++) {
        struct disco_config cfg;
        struct sim_run run;
        om_run(&run, &cfg, 7, 2, (1u << 0) | (1u << 3), "random", 1, 42);
        assert_all_hold(&run);
        for (uint32_t v = 1; v < 7; v++) {
            if (v == 3)
                continue;
            if (again)
                assert_int_equal(decision_of(&run, v), first[v]);
            first[v] = decision_of(&run, v);
        }
        if (again)
            assert_int_equal(run.metrics->messages, messages);
        messages = run.metrics->messages;
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    /* And the coins do depend on the seed: a random commander on
     * complete:4 sends 3 fresh bits, the loyal relay them, and every
     * lieutenant obeys their majority, attack on some seeds and retreat
     * on others. */
    bool seen[2] = {false, false};
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg;
        struct sim_run run;
        om_run(&run, &cfg, 4, 1, 1u << 0, "random", 1, seed);
        assert_all_hold(&run);
        seen[decision_of(&run, 1) != 0] = true;
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    assert_true(seen[0] && seen[1]);
}

/* A silent traitor's messages never leave, so the count falls below
 * M(n,m) by exactly what it would have sent: on complete:4 (m = 1) a
 * lieutenant's 2 relays, the commander's 3 orders; on complete:7 (m = 2) a
 * lieutenant's 5 + 5*4 relays, the commander's 6 orders.  The loyal still
 * agree, on the order when the commander is loyal (a silent commander's
 * lieutenants default to retreat), and the messages oracle holds (at most
 * M(n,m)). */
static void test_om_silent_counts(void **unused)
{
    static const struct {
        uint32_t n, m, traitor;
        uint64_t messages;
        int64_t obeyed;
    } cases[] = {
        {4, 1, 3, 9 - 2, 1},   {4, 1, 0, 9 - 3, 0},
        {7, 2, 4, 156 - 25, 1}, {7, 2, 0, 156 - 6, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disco_config cfg;
        struct sim_run run;
        om_run(&run, &cfg, cases[i].n, cases[i].m, 1ull << cases[i].traitor,
               "silent", 1, 1);
        assert_int_equal(run.metrics->messages, cases[i].messages);
        assert_all_hold(&run);
        for (uint32_t v = 1; v < cases[i].n; v++)
            if (v != cases[i].traitor)
                assert_int_equal(decision_of(&run, v), cases[i].obeyed);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* om's own attack-half against the generic equivocate, from a traitorous
 * commander on complete:4 that should order retreat: attack-half ignores
 * the truth and tells lieutenants 1 and 2 attack, 3 retreat, so all obey
 * attack; equivocate tells 1 and 2 the truth (retreat) and 3 the lie, so
 * all obey retreat.  IC1 holds either way (n = 3m+1); 9 messages. */
static void test_om_attack_half(void **unused)
{
    static const struct {
        const char *strategy;
        int64_t obeyed;
    } cases[] = {{"attack-half", 1}, {"equivocate", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disco_config cfg;
        struct sim_run run;
        om_run(&run, &cfg, 4, 1, 1u << 0, cases[i].strategy, 0, 1);
        assert_int_equal(run.metrics->messages, 9);
        assert_all_hold(&run);
        assert_string_equal(verdict_of(&run, "IC2")->detail,
                            "not applicable: the commander is a traitor");
        for (uint32_t v = 1; v < 4; v++)
            assert_int_equal(decision_of(&run, v), cases[i].obeyed);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* ------------------------------------------------------------------------ */
/* Through the disco command: the scenarios as a lecturer runs them (exact
 * figures, byte-identical twice) and a bad parameter.                      */

struct scenario_case {
    const char *file;
    const char *extra;  /* one more option pair, or NULL */
    const char *value;
    int status;         /* 0 pass, 1 a property violated */
    const char *expect[4];
    const char *err;    /* all of stderr (NULL: nothing) */
};

static void test_cli_scenarios(void **unused)
{
    static const struct scenario_case cases[] = {
        {"consensus-floodset-chain.dot", NULL, NULL, 1,
         {"\"messages\": 30,", "\"rounds\": 2,",
          "{\"name\": \"agreement\", \"holds\": false, \"detail\": "
          "\"node 2 decided 0, node 3 1\"}", NULL}, NULL},
        {"consensus-floodset-chain.dot", "--param", "rounds=0", 0,
         {"\"messages\": 42,", "\"rounds\": 3,", "\"decision\": 0", NULL}, NULL},
        /* n = 3m: the warning says so, and the run shows why. */
        {"consensus-om-three-generals.dot", NULL, NULL, 1,
         {"\"messages\": 4,", "{\"name\": \"IC2\", \"holds\": false",
          "\"obeyed\": \"retreat\"", NULL},
         "disco: warning: om assumes n > 3m (m=1); running on 3 processes "
         "anyway, and its properties may fail (--param m)\n"},
        {"consensus-phase-king-traitor-kings.dot", NULL, NULL, 0,
         {"\"messages\": 240,", "\"rounds\": 6,", "\"decision\": 1",
          NULL}, NULL},
        {"consensus-phase-king-traitor-kings.dot", "--strategy", "random", 0,
         {"\"messages\": 240,", "\"rounds\": 6,",
          "\"detail\": \"n = 9, f = 2, 2 faulty\"", NULL}, NULL},
        /* Silent kings: 240 less their 8 prefs a phase and 8 king
         * messages each. */
        {"consensus-phase-king-traitor-kings.dot", "--strategy", "silent", 0,
         {"\"messages_by_kind\": {\"pref\": 168, \"king\": 8},",
          "\"detail\": \"176 messages, at most (f+1)(n^2-1) = 240 (faulty "
          "processes may send fewer)\"", "\"decision\": 0", NULL}, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct scenario_case *c = &cases[i];
        char path[4096];
        snprintf(path, sizeof path, "%s",
                 env_path("DISCO_SCENARIOS", c->file));
        const char *argv[] = {NULL, "run", path, "--json", "--seed", "7",
                              c->extra, c->value, NULL};
        struct cli_output first, second;
        cli_run(&first, argv);
        cli_run(&second, argv);
        assert_int_equal(first.status, c->status);
        assert_string_equal(first.err, c->err ? c->err : "");
        assert_int_equal(first.out_len, second.out_len);
        assert_memory_equal(first.out, second.out, first.out_len);
        for (int k = 0; k < 4 && c->expect[k]; k++)
            if (!strstr(first.out, c->expect[k]))
                fail_msg("%s: no %s in %s", c->file, c->expect[k],
                         first.out);
        cli_output_release(&first);
        cli_output_release(&second);
    }
}

static void test_cli_bad_parameter(void **unused)
{
    static const char *const cases[][3] = {
        {"om", "m=4", "disco: bad --param 'm=4': m must be between 0 and 3\n"},
        /* The adversary moved to --byzantine and --strategy. */
        {"om", "strategy=2",
         "disco: unknown parameter 'strategy' for om (known: m, value)\n"},
        {"phase-king", "traitors=3",
         "disco: unknown parameter 'traitors' for phase-king (known: f)\n"},
        {"floodset", "f=-1",
         "disco: bad --param 'f=-1': f must be between 0 and 63\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[] = {NULL, "run", cases[i][0], "--param",
                              cases[i][1], NULL};
        struct cli_output o;
        cli_run(&o, argv);
        assert_int_equal(o.status, 2);
        assert_int_equal(o.out_len, 0);
        /* One line, naming the culprit. */
        assert_string_equal(o.err, cases[i][2]);
        cli_output_release(&o);
    }
}

/* --byzantine and --strategy on the command line: a run that passes with
 * exact figures, and bad input (exit 2, one line naming the culprit). */
static void test_cli_byzantine(void **unused)
{
    static const struct {
        const char *argv[12];
        int status;
        const char *out; /* in stdout, or NULL */
        const char *err; /* all of stderr */
    } cases[] = {
        {{"om", "--topology", "complete:4", "--byzantine", "2", "--strategy",
          "flip", "--json"},
         0, "\"detail\": \"n = 4, m = 1, 1 traitor\"", ""},
        {{"om", "--topology", "complete:4", "--byzantine", "0", "--strategy",
          "attack-half", "--param", "value=0", "--json"},
         0, "\"obeyed\": \"attack\"", ""},
        {{"om", "--topology", "complete:3", "--byzantine", "2", "--strategy",
          "flip", "--json"},
         1, "\"the loyal commander ordered 1, lieutenant 1 obeys 0\"",
         "disco: warning: om assumes n > 3m (m=1); running on 3 processes "
         "anyway, and its properties may fail (--param m)\n"},
        {{"phase-king", "--byzantine", "0", "--strategy", "split", "--json"},
         0, "\"messages\": 48,", ""},
        {{"om", "--byzantine", "1", "--strategy", "attack-hlf"},
         2, NULL,
         "disco: unknown strategy 'attack-hlf' for om (did you mean "
         "'attack-half'?)\n"},
        {{"phase-king", "--byzantine", "0", "--strategy", "attack-half"},
         2, NULL,
         "disco: unknown strategy 'attack-half' for phase-king (see disco "
         "info phase-king)\n"},
        {{"om", "--strategy", "flip"},
         2, NULL,
         "disco: --strategy flip names no Byzantine node; add --byzantine "
         "LIST\n"},
        {{"phase-king", "--byzantine", "9"},
         2, NULL, "disco: bad --byzantine '9': '9' is not a node (0..4)\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[16] = {NULL, "run"};
        for (int k = 0; cases[i].argv[k]; k++)
            argv[2 + k] = cases[i].argv[k];
        struct cli_output o;
        cli_run(&o, argv);
        if (o.status != cases[i].status)
            fail_msg("case %zu: exit %d, stderr %s", i, o.status, o.err);
        assert_string_equal(o.err, cases[i].err);
        if (cases[i].out && !strstr(o.out, cases[i].out))
            fail_msg("case %zu: no %s in %s", i, cases[i].out, o.out);
        if (!cases[i].out)
            assert_int_equal(o.out_len, 0);
        cli_output_release(&o);
    }
}

/* disco info lists the strategies --strategy accepts: om and phase king
 * have a lie callback, so every generic one, then their own. */
static void test_cli_info_strategies(void **unused)
{
    struct cli_output o;
    const char *text[] = {NULL, "info", "om", NULL};
    cli_run(&o, text);
    assert_int_equal(o.status, 0);
    const char *section = strstr(o.out, "\nstrategies (--byzantine LIST "
                                        "--strategy NAME)\n");
    assert_non_null(section);
    const char *want[] = {"\n  silent        send nothing",
                          "\n  flip          send the opposite",
                          "\n  random        ", "\n  equivocate    ",
                          "\n  attack-half   om's own: attack to the "
                          "lieutenants v with 2v <= n"};
    const char *at = section;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *next = strstr(at, want[i]);
        if (!next)
            fail_msg("no %s in order in %s", want[i], section);
        at = next + 1;
    }
    assert_null(strstr(o.out, "traitors  "));
    cli_output_release(&o);

    const char *json[] = {NULL, "info", "phase-king", "--json", NULL};
    cli_run(&o, json);
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"strategies\": [\n    {\"name\": "
                                  "\"silent\", \"own\": false, "));
    assert_non_null(strstr(o.out, "{\"name\": \"equivocate\", \"own\": "
                                  "false, "));
    assert_non_null(strstr(o.out, "{\"name\": \"split\", \"own\": true, "
                                  "\"summary\": \"0 to the nodes v < n/2"));
    assert_null(strstr(o.out, "\"name\": \"traitors\""));
    cli_output_release(&o);

    /* floodset cannot falsify a message: silent only. */
    const char *plain[] = {NULL, "info", "floodset", "--json", NULL};
    cli_run(&o, plain);
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\"strategies\": [\n    {\"name\": "
                                  "\"silent\", \"own\": false, \"summary\": "
                                  "\"send nothing (a crash the others cannot "
                                  "tell from slowness)\"}\n  ],\n"));
    cli_output_release(&o);
}

/* With every loyal process crashed at 0, nobody loyal decides: agreement
 * holds vacuously and says so (it used to name the value -1).  The run
 * still exits 1, the status cli.md gives a violated property: the crashes
 * exceed the faults tolerated (5 faulty for f = 1, 3 traitors for m = 1),
 * so resilience fails, and a vacuous agreement must not hide that. */
static void test_cli_no_loyal_decision(void **unused)
{
    static const struct {
        const char *alg, *topology, *crash, *expected;
    } cases[] = {
        {"phase-king", "complete:5", "0@0,1@0,2@0,3@0,4@0",
         "{\"name\": \"agreement\", \"holds\": true, \"detail\": \"no "
         "loyal process decided\"}"},
        {"om", "complete:4", "1@0,2@0,3@0",
         "{\"name\": \"IC1\", \"holds\": true, \"detail\": \"no loyal "
         "lieutenant decided\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *argv[] = {NULL, "run", cases[i].alg, "--topology",
                              cases[i].topology, "--crash", cases[i].crash,
                              "--json", NULL};
        struct cli_output o;
        cli_run(&o, argv);
        assert_int_equal(o.status, 1);
        assert_non_null(strstr(o.out, cases[i].expected));
        cli_output_release(&o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floodset_counts),
        cmocka_unit_test(test_floodset_unanimous),
        cmocka_unit_test(test_floodset_f_plus_1_rounds_agree),
        cmocka_unit_test(test_floodset_f_rounds_disagree),
        cmocka_unit_test(test_floodset_cut_and_clean_crash),
        cmocka_unit_test(test_phase_king_counts),
        cmocka_unit_test(test_phase_king_exhaustive),
        cmocka_unit_test(test_phase_king_random),
        cmocka_unit_test(test_phase_king_threshold),
        cmocka_unit_test(test_om_counts),
        cmocka_unit_test(test_om_threshold_holds),
        cmocka_unit_test(test_om_three_generals),
        cmocka_unit_test(test_om_threshold_breaks),
        cmocka_unit_test(test_om_reproducible),
        cmocka_unit_test(test_om_silent_counts),
        cmocka_unit_test(test_om_attack_half),
        cmocka_unit_test(test_cli_scenarios),
        cmocka_unit_test(test_cli_bad_parameter),
        cmocka_unit_test(test_cli_byzantine),
        cmocka_unit_test(test_cli_info_strategies),
        cmocka_unit_test(test_cli_no_loyal_decision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
