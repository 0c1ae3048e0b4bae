/*
 * test_eig.c - EIGByz, Byzantine agreement by exponential information
 * gathering (Lynch 6.3.2), on the kernel's Byzantine processes.
 *
 * Exact counts without faults: R·n(n-1) messages (one per ordered pair
 * and round), R = f+1 rounds, and the decision the majority of the inputs
 * dictates (v0 on a tie).  The theorem on both sides of its threshold:
 * with n = 3f+1 agreement, validity and termination hold against every
 * generic strategy for every faulty set of at most f processes (at n >= 9,
 * one set of each class that gives the same runs) and both input
 * patterns; with n = 3f some faulty set and strategy breaks
 * agreement or validity; with f rounds instead of f+1 (n = 3f+1) some
 * breaks agreement.  Same seed, same run.
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

extern const struct disco_algorithm disco_alg_eig;
#define ALG (&disco_alg_eig)

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                 */

/* The options of one run: n, f, rounds (0: f+1), the inputs pattern (0
 * or 1 for all, 2 index mod 2), v0, the traitors and their strategy. */
struct eig_case {
    uint32_t n, f, rounds;
    int inputs, v0;
    uint64_t traitors;
    const char *strategy;
    uint64_t seed;
};

static void eig_run(struct sim_run *run, struct disco_config *cfg,
                    const struct eig_case *c)
{
    disco_config_init(cfg, ALG);
    assert_true(cfg->sync);
    cfg->seed = c->seed ? c->seed : 1;
    sim_config_param(cfg, ALG, "f", c->f);
    sim_config_param(cfg, ALG, "rounds", c->rounds);
    sim_config_param(cfg, ALG, "inputs", c->inputs);
    sim_config_param(cfg, ALG, "default", c->v0);
    sim_config_byzantine_mask(cfg, c->traitors, c->n, c->strategy);
    sim_run(run, ALG, spec_complete(c->n), 1, cfg);
}

static void done(struct sim_run *run, struct disco_config *cfg)
{
    sim_run_release(run);
    disco_config_release(cfg);
}

static const char *const generic[] = {"silent", "flip", "random",
                                      "equivocate"};
enum { GENERIC = sizeof generic / sizeof generic[0] };

/* ------------------------------------------------------------------------ */
/* Fault-free runs.                                                         */

/* R·n(n-1) messages in R rounds, for every n <= 10 and f with 3f < n, the
 * three input patterns and both defaults; rounds = 1 .. 4 too.  Without
 * faults every label's value is its first process's input, so everyone
 * decides the inputs' strict majority, v0 on a tie: with index mod 2, 0
 * for odd n (one more 0) and v0 for even n. */
static void test_eig_counts(void **unused)
{
    (void)unused;
    struct disco_config cfg;
    struct sim_run run;
    /* Every n <= 10 and f <= 3 with 3f < n, worked by hand rather than
     * computed, so that a slip shared by the code and the test cannot
     * cancel out: R = f+1 rounds and R·n(n-1) messages, one per ordered
     * pair and round (docs/cli.md, Lynch 6.3.2).  The reference's eig / om
     * row gives om's M(n,m) (n=4, m=1: 9), not this: eig carries a whole
     * tree level in one message.  The worked figures, the least n for each
     * f > 0 (n=4, f=1: 24; n=7, f=2: 126; n=10, f=3: 360), are checked
     * further with all inputs 1: every message of kind 0, and validity's
     * own words. */
    static const struct {
        uint32_t n, f, rounds;
        uint64_t messages;
        bool worked;
    } all[] = {
        {2, 0, 1, 2, false},    /* 1·2·1 */
        {3, 0, 1, 6, false},    /* 1·3·2 */
        {4, 0, 1, 12, false},   /* 1·4·3 */
        {4, 1, 2, 24, true},    /* 2·4·3 */
        {5, 0, 1, 20, false},   /* 1·5·4 */
        {5, 1, 2, 40, false},   /* 2·5·4 */
        {6, 0, 1, 30, false},   /* 1·6·5 */
        {6, 1, 2, 60, false},   /* 2·6·5 */
        {7, 0, 1, 42, false},   /* 1·7·6 */
        {7, 1, 2, 84, false},   /* 2·7·6 */
        {7, 2, 3, 126, true},   /* 3·7·6 */
        {8, 0, 1, 56, false},   /* 1·8·7 */
        {8, 1, 2, 112, false},  /* 2·8·7 */
        {8, 2, 3, 168, false},  /* 3·8·7 */
        {9, 0, 1, 72, false},   /* 1·9·8 */
        {9, 1, 2, 144, false},  /* 2·9·8 */
        {9, 2, 3, 216, false},  /* 3·9·8 */
        {10, 0, 1, 90, false},  /* 1·10·9 */
        {10, 1, 2, 180, false}, /* 2·10·9 */
        {10, 2, 3, 270, false}, /* 3·10·9 */
        {10, 3, 4, 360, true},  /* 4·10·9 */
    };
    size_t worked = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        uint32_t n = all[i].n;
        for (int inputs = 0; inputs <= 2; inputs++) {
            for (int v0 = 0; v0 <= 1; v0++) {
                struct eig_case c = {.n = n, .f = all[i].f,
                                     .inputs = inputs, .v0 = v0};
                eig_run(&run, &cfg, &c);
                assert_int_equal(run.metrics->messages, all[i].messages);
                assert_int_equal(run.metrics->rounds, all[i].rounds);
                assert_all_hold(&run);
                int64_t want = inputs < 2 ? inputs : n % 2 ? 0 : v0;
                for (uint32_t v = 0; v < n; v++)
                    assert_int_equal(decision_of(&run, v), want);
                if (all[i].worked && inputs == 1 && v0 == 0) {
                    assert_int_equal(run.metrics->by_kind[0],
                                     all[i].messages);
                    assert_string_equal(verdict_of(&run, "validity")->detail,
                                        "every correct input is 1 and so "
                                        "is every decision");
                    worked++;
                }
                done(&run, &cfg);
            }
        }
    }
    assert_int_equal(worked, 3);
    /* The rounds parameter at n = 7, f = 2: R·7·6 for R = 1 .. 4 (R > f+1
     * is allowed and holds; R < f+1 breaks the hypothesis, and resilience
     * says so). */
    static const struct {
        uint32_t rounds;
        uint64_t messages;
    } by_rounds[] = {
        {1, 42},  /* 1·7·6 */
        {2, 84},  /* 2·7·6 */
        {3, 126}, /* 3·7·6 */
        {4, 168}, /* 4·7·6 */
    };
    for (size_t i = 0; i < sizeof by_rounds / sizeof by_rounds[0]; i++) {
        uint32_t r = by_rounds[i].rounds;
        struct eig_case c = {.n = 7, .f = 2, .rounds = r, .inputs = 2};
        eig_run(&run, &cfg, &c);
        assert_int_equal(run.metrics->messages, by_rounds[i].messages);
        assert_int_equal(run.metrics->rounds, r);
        assert_int_equal(verdict(&run, "resilience"),
                         r >= 3 ? DISCO_HOLDS_YES : DISCO_HOLDS_NO);
        assert_int_equal(verdict(&run, "agreement"), DISCO_HOLDS_YES);
        assert_int_equal(verdict(&run, "messages"), DISCO_HOLDS_YES);
        done(&run, &cfg);
    }
}

/* A node attribute `value` is the input, over the pattern. */
static void test_eig_inputs(void **unused)
{
    (void)unused;
    struct disco_config cfg;
    struct sim_run run;
    struct eig_case c = {.n = 5, .f = 1, .inputs = 0};
    disco_config_init(&cfg, ALG);
    sim_config_param(&cfg, ALG, "f", 1);
    sim_config_param(&cfg, ALG, "inputs", 0);
    /* Three 1s among five: the majority is 1. */
    cfg.inputs = calloc(3, sizeof *cfg.inputs);
    assert_non_null(cfg.inputs);
    for (uint32_t i = 0; i < 3; i++) {
        cfg.inputs[i].node = 2 * i;
        strcpy(cfg.inputs[i].name, "value");
        cfg.inputs[i].value = 1;
    }
    cfg.input_count = 3;
    sim_run(&run, ALG, "complete:5", 1, &cfg);
    assert_all_hold(&run);
    for (uint32_t v = 0; v < c.n; v++)
        assert_int_equal(decision_of(&run, v), 1);
    done(&run, &cfg);
}

/* A silent traitor's messages never leave: R(n-1) fewer, and everyone
 * else still agrees (on 1 with all inputs 1: validity). */
static void test_eig_silent_counts(void **unused)
{
    (void)unused;
    static const struct {
        uint32_t n, f;
        uint64_t traitors, messages;
    } cases[] = {
        {4, 1, 1u << 3, 18},              /* 24 - 2·3 */
        {7, 2, 1u << 0, 108},             /* 126 - 3·6 */
        {7, 2, (1u << 2) | (1u << 5), 90}, /* 126 - 2·3·6 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct disco_config cfg;
        struct sim_run run;
        struct eig_case c = {.n = cases[i].n, .f = cases[i].f, .inputs = 1,
                             .traitors = cases[i].traitors,
                             .strategy = "silent"};
        eig_run(&run, &cfg, &c);
        assert_int_equal(run.metrics->messages, cases[i].messages);
        assert_all_hold(&run);
        for (uint32_t v = 0; v < c.n; v++)
            if (!(c.traitors >> v & 1))
                assert_int_equal(decision_of(&run, v), 1);
        done(&run, &cfg);
    }
}

/* ------------------------------------------------------------------------ */
/* The threshold.                                                           */

/* The searches below try faulty sets; many are the same case.  Only two
 * things in a run tell processes apart by index: the input under inputs =
 * 2 (index mod 2) and the side of equivocate's split (node v hears the
 * truth when 2v <= n).  A relabelling that keeps both for every process
 * maps a run onto a run with the same verdicts and decisions, so two
 * faulty sets with as many traitors in each of these four classes are one
 * case.  (Checked once over every set of the three searches with every
 * deterministic strategy, both inputs and f = 1, 2, 3: the 3400 sets that
 * are not the first of their class had their first's verdicts and as many
 * correct processes deciding 1; random's coins differ, and it is the same
 * fault with other coins.)  Up to n = 7 the searches still try every set,
 * which costs little, and the two that break something check there that
 * each set has the verdicts of its class's first (same_as_first); at n =
 * 9 and 10, where a run costs some 13 ms under
 * AddressSanitizer and the exhaustive searches took nearly all of the
 * test's time, they try the first set of each class, its lowest nodes: 32
 * sets of 1 to 3 traitors instead of 175 at n = 10, 31 instead of 129 at
 * n = 9. */
static unsigned node_class(uint32_t v, uint32_t n)
{
    return (v % 2) | (2 * (uint64_t)v <= n ? 0u : 2u);
}

static uint64_t first_of_class(uint64_t mask, uint32_t n)
{
    unsigned traitors[4] = {0, 0, 0, 0};
    for (uint32_t v = 0; v < n; v++)
        traitors[node_class(v, n)] += mask >> v & 1;
    /* The first of the class: the lowest nodes of each class. */
    uint64_t first = 0;
    for (uint32_t v = 0; v < n; v++)
        if (traitors[node_class(v, n)]) {
            traitors[node_class(v, n)]--;
            first |= 1ull << v;
        }
    return first;
}

static bool tried(uint64_t mask, uint32_t n)
{
    return n < 9 || mask == first_of_class(mask, n);
}

/* Where every set is tried (n < 9), a run's verdicts, one bit a property,
 * must be those of the first set of its class, which the search met
 * before (it counts up, and the first is the least).  `first` keeps what
 * each first gave, + 1, by strategy and inputs pattern; zero it before
 * each search. */
typedef unsigned char first_verdicts[1 << 8][GENERIC][2];

static void same_as_first(first_verdicts first, const struct sim_run *run,
                          uint64_t mask, uint32_t n, int s, int inputs)
{
    if (n >= 9)
        return; /* only the first of each class is tried */
    unsigned bits = 0;
    for (unsigned i = 0; i < ALG->property_count; i++)
        bits |= (unsigned)(run->results[i].holds == DISCO_HOLDS_YES) << i;
    uint64_t class_first = first_of_class(mask, n);
    unsigned char *seen = &first[class_first][s][inputs - 1];
    if (class_first == mask)
        *seen = (unsigned char)(bits + 1);
    else
        assert_int_equal(bits + 1, *seen);
}

/* n = 3f+1 (f = 1, 2, 3): every faulty set of at most f processes (at f =
 * 3, one of each class: tried), every generic strategy, inputs all 1 and
 * index mod 2, (random) several seeds: agreement, validity, termination
 * and the other properties hold. */
static void test_eig_threshold_holds(void **unused)
{
    (void)unused;
    for (uint32_t f = 1; f <= 3; f++) {
        uint32_t n = 3 * f + 1;
        unsigned runs = 0;
        for (uint64_t mask = 0; mask < (1ull << n); mask++) {
            if (__builtin_popcountll(mask) > (int)f || !tried(mask, n))
                continue;
            for (int s = 0; s < GENERIC; s++) {
                if (!mask && s > 0)
                    break; /* no traitor: one strategy is enough */
                uint64_t seeds = strcmp(generic[s], "random") ? 1
                                 : f == 3                     ? 1
                                                              : 5;
                for (int inputs = 1; inputs <= 2; inputs++) {
                    for (uint64_t seed = 1; seed <= seeds; seed++) {
                        struct disco_config cfg;
                        struct sim_run run;
                        struct eig_case c = {.n = n, .f = f,
                                             .inputs = inputs,
                                             .traitors = mask,
                                             .strategy = generic[s],
                                             .seed = seed};
                        eig_run(&run, &cfg, &c);
                        assert_all_hold(&run);
                        if (inputs == 1)
                            for (uint32_t v = 0; v < n; v++)
                                if (!(mask >> v & 1))
                                    assert_int_equal(decision_of(&run, v),
                                                     1);
                        runs++;
                        done(&run, &cfg);
                    }
                }
            }
        }
        /* Every set of size <= f was tried, with every strategy, plus the
         * run without traitors (one strategy), each with both inputs: at
         * n = 4, C(4,1) = 4 sets; at n = 7, C(7,1) + C(7,2) = 28; at n =
         * 10 one set per class, the classes (v mod 2, 2v <= 10) holding 3,
         * 3, 2 and 2 nodes: 4 of one traitor, 10 of two (C(4+1,2), every
         * class has two nodes) and 18 of three (C(4+2,3) = 20 multisets,
         * less the two taking three nodes from a class of two). */
        static const unsigned sets_of[4] = {0, 4, 28, 4 + 10 + 18};
        unsigned per_set = 0, sets = sets_of[f];
        for (int s = 0; s < GENERIC; s++)
            per_set += strcmp(generic[s], "random") ? 1 : f == 3 ? 1 : 5;
        unsigned without = strcmp(generic[0], "random") ? 1 : f == 3 ? 1 : 5;
        assert_int_equal(runs, 2 * (sets * per_set + without));
    }
}

/* The worked case n = 3f = 3: all inputs 1, p2 flips everything it says;
 * p0 and p1 hear 1 from each other and 0 from p2 about everyone, ties at
 * newval(0) and newval(1) fall to v0 = 0, and both decide 0: validity
 * fails.  12 messages = 2·3·2. */
static void test_eig_three_processes(void **unused)
{
    (void)unused;
    struct disco_config cfg;
    struct sim_run run;
    struct eig_case c = {.n = 3, .f = 1, .inputs = 1, .traitors = 1u << 2,
                         .strategy = "flip"};
    eig_run(&run, &cfg, &c);
    assert_int_equal(verdict(&run, "validity"), DISCO_HOLDS_NO);
    assert_string_equal(verdict_of(&run, "validity")->detail,
                        "every correct input is 1, process 0 decided 0");
    assert_int_equal(verdict(&run, "resilience"), DISCO_HOLDS_NO);
    assert_string_equal(verdict_of(&run, "resilience")->detail,
                        "n = 3, f = 1, 2 rounds, 1 faulty (n <= 3f)");
    assert_int_equal(decision_of(&run, 0), 0);
    assert_int_equal(decision_of(&run, 1), 0);
    assert_int_equal(run.metrics->messages, 12);
    done(&run, &cfg);
}

/* n = 3f (f = 1, 2, 3): some faulty set of size <= f (at f = 3, of those
 * tried) with a deterministic generic strategy breaks agreement or
 * validity; resilience fails on every such run.  (The same search at n =
 * 3f+1 finds nothing: test_eig_threshold_holds.) */
static void test_eig_threshold_breaks(void **unused)
{
    (void)unused;
    static first_verdicts first;
    for (uint32_t f = 1; f <= 3; f++) {
        uint32_t n = 3 * f;
        unsigned broken = 0;
        memset(first, 0, sizeof first);
        for (uint64_t mask = 1; mask < (1ull << n); mask++) {
            if (__builtin_popcountll(mask) > (int)f || !tried(mask, n))
                continue;
            for (int s = 0; s < GENERIC; s++) {
                if (!strcmp(generic[s], "random"))
                    continue;
                for (int inputs = 1; inputs <= 2; inputs++) {
                    struct disco_config cfg;
                    struct sim_run run;
                    struct eig_case c = {.n = n, .f = f, .inputs = inputs,
                                         .traitors = mask,
                                         .strategy = generic[s]};
                    eig_run(&run, &cfg, &c);
                    assert_int_equal(verdict(&run, "resilience"),
                                     DISCO_HOLDS_NO);
                    if (verdict(&run, "agreement") == DISCO_HOLDS_NO ||
                        verdict(&run, "validity") == DISCO_HOLDS_NO)
                        broken++;
                    same_as_first(first, &run, mask, n, s, inputs);
                    done(&run, &cfg);
                }
            }
        }
        assert_true(broken > 0);
    }
}

/* f rounds instead of f+1 at n = 3f+1 (f = 1, 2, 3): some faulty set of
 * size <= f (at f = 3, of those tried) and generic strategy breaks
 * agreement, with inputs index mod 2; with f+1 rounds the same runs hold
 * (test_eig_threshold_holds). */
static void test_eig_rounds_break(void **unused)
{
    (void)unused;
    /* The worked case: n = 4, 1 round, p0 equivocates (its input 0 to
     * p1 and p2, 1 to p3): p1 sees 0,1,0,1, a tie, and decides v0 = 0;
     * p3 sees 1,1,0,1 and decides 1. */
    struct disco_config cfg;
    struct sim_run run;
    struct eig_case c = {.n = 4, .f = 1, .rounds = 1, .inputs = 2,
                         .traitors = 1u << 0, .strategy = "equivocate"};
    eig_run(&run, &cfg, &c);
    assert_int_equal(verdict(&run, "agreement"), DISCO_HOLDS_NO);
    assert_string_equal(verdict_of(&run, "agreement")->detail,
                        "correct process 1 decided 0, process 3 1");
    assert_string_equal(verdict_of(&run, "resilience")->detail,
                        "n = 4, f = 1, 1 round, 1 faulty (fewer than f+1 "
                        "rounds)");
    assert_int_equal(run.metrics->messages, 12);
    done(&run, &cfg);
    c.rounds = 0;
    eig_run(&run, &cfg, &c);
    assert_all_hold(&run);
    done(&run, &cfg);

    /* n = 7, 2 rounds: p0 and p2 equivocate (the truth to p0 .. p3, the
     * opposite to p4 .. p6), which splits p1, p3 (0) from p4 .. p6 (1);
     * the only pair of the 21 that does with a deterministic strategy. */
    struct eig_case two = {.n = 7, .f = 2, .rounds = 2, .inputs = 2,
                           .traitors = (1u << 0) | (1u << 2),
                           .strategy = "equivocate"};
    eig_run(&run, &cfg, &two);
    assert_string_equal(verdict_of(&run, "agreement")->detail,
                        "correct process 1 decided 0, process 4 1");
    for (uint32_t v = 1; v < 7; v++)
        if (v != 2)
            assert_int_equal(decision_of(&run, v), v >= 4);
    done(&run, &cfg);
    two.rounds = 0;
    eig_run(&run, &cfg, &two);
    assert_all_hold(&run);
    done(&run, &cfg);

    static first_verdicts first;
    for (uint32_t f = 1; f <= 3; f++) {
        uint32_t n = 3 * f + 1;
        unsigned broken = 0;
        memset(first, 0, sizeof first);
        for (uint64_t mask = 1; mask < (1ull << n); mask++) {
            if (__builtin_popcountll(mask) > (int)f || !tried(mask, n))
                continue;
            for (int s = 0; s < GENERIC; s++) {
                if (!strcmp(generic[s], "random"))
                    continue;
                struct eig_case r = {.n = n, .f = f, .rounds = f,
                                     .inputs = 2, .traitors = mask,
                                     .strategy = generic[s]};
                eig_run(&run, &cfg, &r);
                assert_int_equal(verdict(&run, "resilience"),
                                 DISCO_HOLDS_NO);
                assert_int_equal(run.metrics->rounds, f);
                if (verdict(&run, "agreement") == DISCO_HOLDS_NO)
                    broken++;
                same_as_first(first, &run, mask, n, s, 2);
                done(&run, &cfg);
            }
        }
        assert_true(broken > 0);
    }
}

/* ------------------------------------------------------------------------ */
/* Limits, determinism, the scenario.                                        */

/* More than 10 processes do not fit the tree: nobody sends or decides,
 * and resilience names the limit. */
static void test_eig_limits(void **unused)
{
    (void)unused;
    struct disco_config cfg;
    struct sim_run run;
    struct eig_case c = {.n = 11, .f = 1, .inputs = 1};
    eig_run(&run, &cfg, &c);
    assert_int_equal(run.metrics->messages, 0);
    assert_int_equal(verdict(&run, "resilience"), DISCO_HOLDS_NO);
    assert_string_equal(verdict_of(&run, "resilience")->detail,
                        "n = 11, f = 1, 2 rounds, 0 faulty (eig keeps at "
                        "most 10 processes)");
    assert_int_equal(verdict(&run, "termination"), DISCO_HOLDS_NO);
    assert_int_equal(disco_view_decision_count(disco_sim_view(run.sim)), 0);
    done(&run, &cfg);
}

/* Same seed, same options: the same decisions, counts and events (the
 * random strategy draws from the traitors' own streams); other seeds,
 * other coins.  On complete:4 with inputs 0,1,0,1, v0 = 1 and p3
 * random, everyone decides 0 when the coins make newval(3) = 0 and 1 (a
 * tie) when they make it 1. */
static void test_eig_reproducible(void **unused)
{
    (void)unused;
    int64_t first[7] = {0};
    uint64_t messages = 0, events = 0;
    for (int again = 0; again < 2; again++) {
        struct disco_config cfg;
        struct sim_run run;
        struct eig_case c = {.n = 7, .f = 2, .inputs = 2,
                             .traitors = (1u << 0) | (1u << 3),
                             .strategy = "random", .seed = 42};
        eig_run(&run, &cfg, &c);
        assert_all_hold(&run);
        for (uint32_t v = 0; v < 7; v++) {
            if (again)
                assert_int_equal(decision_of(&run, v), first[v]);
            first[v] = decision_of(&run, v);
        }
        if (again) {
            assert_int_equal(run.metrics->messages, messages);
            assert_int_equal(run.metrics->events, events);
        }
        messages = run.metrics->messages;
        events = run.metrics->events;
        done(&run, &cfg);
    }
    bool seen[2] = {false, false};
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg;
        struct sim_run run;
        struct eig_case c = {.n = 4, .f = 1, .inputs = 2, .v0 = 1,
                             .traitors = 1u << 3, .strategy = "random",
                             .seed = seed};
        eig_run(&run, &cfg, &c);
        assert_all_hold(&run);
        seen[decision_of(&run, 0) != 0] = true;
        done(&run, &cfg);
    }
    assert_true(seen[0] && seen[1]);
}

/* The lecture scenario through the disco command, byte-identical twice:
 * p0 equivocates and is outvoted (24 messages, everyone decides 0); one
 * round too few and p1, p3 disagree (12 messages). */
static void test_eig_scenario(void **unused)
{
    (void)unused;
    static const struct {
        const char *extra, *value;
        int status;
        const char *expect[4];
    } cases[] = {
        {NULL, NULL, 0,
         {"\"messages\": 24,", "\"rounds\": 2,",
          "\"result\": {\"decision\": 0, \"decisions\": [null, 0, 0, 0], "
          "\"rounds\": 2}", NULL}},
        {"--param", "rounds=1", 1,
         {"\"messages\": 12,",
          "{\"name\": \"agreement\", \"holds\": false, \"detail\": "
          "\"correct process 1 decided 0, process 3 1\"}",
          "\"decisions\": [null, 0, 0, 1]", NULL}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s",
                 env_path("DISCO_SCENARIOS", "consensus-eig-four.dot"));
        const char *argv[] = {NULL, "run", path, "--json", "--seed", "7",
                              cases[i].extra, cases[i].value, NULL};
        struct cli_output one, two;
        cli_run(&one, argv);
        cli_run(&two, argv);
        assert_int_equal(one.status, cases[i].status);
        assert_int_equal(one.err_len, 0);
        assert_int_equal(one.out_len, two.out_len);
        assert_memory_equal(one.out, two.out, one.out_len);
        for (int k = 0; k < 4 && cases[i].expect[k]; k++)
            if (!strstr(one.out, cases[i].expect[k]))
                fail_msg("no %s in %s", cases[i].expect[k], one.out);
        cli_output_release(&one);
        cli_output_release(&two);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eig_counts),
        cmocka_unit_test(test_eig_inputs),
        cmocka_unit_test(test_eig_silent_counts),
        cmocka_unit_test(test_eig_threshold_holds),
        cmocka_unit_test(test_eig_three_processes),
        cmocka_unit_test(test_eig_threshold_breaks),
        cmocka_unit_test(test_eig_rounds_break),
        cmocka_unit_test(test_eig_limits),
        cmocka_unit_test(test_eig_reproducible),
        cmocka_unit_test(test_eig_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
