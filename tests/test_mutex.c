/*
 * test_mutex.c - mutual exclusion: lamport-mutex, ricart-agrawala,
 * suzuki-kasami and maekawa on complete graphs.  The invariant
 * mutual_exclusion (checked after every event), every request granted, no
 * deadlock, the exact message counts per entry and the worked case of the
 * reference (n = 6, each enters once, the token first at p0 which enters
 * first: ricart-agrawala 60, lamport-mutex 90, suzuki-kasami 30); and the
 * broken model: lamport-mutex without FIFO is caught violating mutual
 * exclusion, while the same seed with FIFO is not.
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

extern const struct disco_algorithm disco_alg_lamport_mutex;
extern const struct disco_algorithm disco_alg_ricart_agrawala;
extern const struct disco_algorithm disco_alg_suzuki_kasami;
extern const struct disco_algorithm disco_alg_maekawa;

/* Shared by all four: properties and parameters in this order. */
enum { P_MUTEX, P_GRANTED, P_DEADLOCK, P_MESSAGES };
enum { ENTRIES, THINK, HOLD, STAGGER };

/* Message kinds. */
enum { LM_REQUEST, LM_REPLY, LM_RELEASE };
enum { RA_REQUEST, RA_REPLY };
enum { SK_REQUEST, SK_TOKEN };
enum { MK_REQUEST, MK_GRANT, MK_RELEASE, MK_INQUIRE, MK_RELINQUISH,
       MK_FAILED };

static void config(struct disco_config *cfg, const struct disco_algorithm *alg,
                   uint64_t seed, bool fifo, int64_t entries, int64_t think)
{
    disco_config_init(cfg, alg);
    cfg->seed = seed;
    cfg->fifo = fifo;
    cfg->max_events = 10000000; /* a safety net: every run here ends sooner */
    cfg->params[ENTRIES] = entries;
    cfg->params[THINK] = think;
}

static void run_on(struct sim_run *run, const struct disco_algorithm *alg,
                   uint32_t n, struct disco_config *cfg)
{
    char spec[32];
    snprintf(spec, sizeof spec, "complete:%u", n);
    sim_run(run, alg, spec, 1, cfg);
    assert_int_equal(run->metrics->stop, DISCO_STOP_QUIESCENT);
}

/* ---- the worked case ---- */

/* n = 6, each process enters once, p0 (the token's first holder) requests
 * at t = 0 and p_i at 1000 i: every request is served before the next. */
static uint64_t worked_case(const struct disco_algorithm *alg, uint64_t seed)
{
    struct disco_config cfg;
    config(&cfg, alg, seed, true, 1, 200);
    cfg.params[STAGGER] = 1000;
    struct sim_run run;
    run_on(&run, alg, 6, &cfg);
    assert_all_hold(&run);
    uint64_t messages = run.metrics->messages;
    sim_run_release(&run);
    disco_config_release(&cfg);
    return messages;
}

static void test_worked_case(void **unused)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        assert_int_equal(worked_case(&disco_alg_ricart_agrawala, seed), 60);
        assert_int_equal(worked_case(&disco_alg_lamport_mutex, seed), 90);
        assert_int_equal(worked_case(&disco_alg_suzuki_kasami, seed), 30);
    }
}

/* ---- many seeds, several sizes, contention ---- */

/* Runs `alg` on complete:n for seeds 1..seeds with 3 entries each and a
 * short think time (much contention), FIFO on odd seeds when allowed; all
 * properties hold, and `counts` checks the kinds. */
typedef void counts_fn(const struct sim_run *run, uint32_t n,
                       uint64_t entries);

static void many_seeds(const struct disco_algorithm *alg, uint32_t n,
                       uint64_t seeds, counts_fn *counts)
{
    for (uint64_t seed = 1; seed <= seeds; seed++) {
        struct disco_config cfg;
        bool fifo = alg->model.fifo || seed % 2;
        config(&cfg, alg, seed, fifo, 3, seed % 3 == 0 ? 1000 : 50);
        struct sim_run run;
        run_on(&run, alg, n, &cfg);
        assert_all_hold(&run);
        counts(&run, n, 3 * (uint64_t)n);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

static void lm_counts(const struct sim_run *run, uint32_t n, uint64_t entries)
{
    for (unsigned k = LM_REQUEST; k <= LM_RELEASE; k++)
        assert_int_equal(run->metrics->by_kind[k], (n - 1) * entries);
    assert_int_equal(run->metrics->messages, 3 * (n - 1) * entries);
}

static void ra_counts(const struct sim_run *run, uint32_t n, uint64_t entries)
{
    assert_int_equal(run->metrics->by_kind[RA_REQUEST], (n - 1) * entries);
    assert_int_equal(run->metrics->by_kind[RA_REPLY], (n - 1) * entries);
}

/* n per entry that had to fetch the token: so the total is a multiple of
 * n, at most n per entry, and requests = (n-1) tokens. */
static void sk_counts(const struct sim_run *run, uint32_t n, uint64_t entries)
{
    uint64_t tokens = run->metrics->by_kind[SK_TOKEN];
    assert_true(tokens <= entries);
    assert_int_equal(run->metrics->by_kind[SK_REQUEST], (n - 1) * tokens);
    assert_int_equal(run->metrics->messages, n * tokens);
}

static void test_lamport_mutex_seeds(void **unused)
{
    uint32_t sizes[] = {2, 3, 6, 9};
    for (unsigned i = 0; i < 4; i++)
        many_seeds(&disco_alg_lamport_mutex, sizes[i], 100, lm_counts);
}

static void test_ricart_agrawala_seeds(void **unused)
{
    uint32_t sizes[] = {2, 3, 6, 9};
    for (unsigned i = 0; i < 4; i++)
        many_seeds(&disco_alg_ricart_agrawala, sizes[i], 100, ra_counts);
}

static void test_suzuki_kasami_seeds(void **unused)
{
    uint32_t sizes[] = {2, 3, 6, 9};
    for (unsigned i = 0; i < 4; i++)
        many_seeds(&disco_alg_suzuki_kasami, sizes[i], 100, sk_counts);
}

/* Maekawa: requests and releases |R_i| - 1 per entry, grant = release +
 * relinquish (the property); here also that relinquish answers inquire. */
static void mk_counts(const struct sim_run *run, uint32_t n, uint64_t entries)
{
    const uint64_t *k = run->metrics->by_kind;
    assert_int_equal(k[MK_REQUEST], k[MK_RELEASE]);
    assert_int_equal(k[MK_GRANT], k[MK_RELEASE] + k[MK_RELINQUISH]);
    assert_true(k[MK_RELINQUISH] <= k[MK_INQUIRE]);
}

static void test_maekawa_seeds(void **unused)
{
    uint32_t sizes[] = {2, 4, 7, 9, 16};
    for (unsigned i = 0; i < 5; i++)
        many_seeds(&disco_alg_maekawa, sizes[i], 100, mk_counts);
}

/* Contention does exercise the deadlock avoidance: over 100 seeds on
 * complete:9 with 3 entries and think 50, inquires, failed and
 * relinquishes all happen. */
static void test_maekawa_contention(void **unused)
{
    uint64_t inquire = 0, relinquish = 0, failed = 0;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        struct disco_config cfg;
        config(&cfg, &disco_alg_maekawa, seed, false, 3, 50);
        struct sim_run run;
        run_on(&run, &disco_alg_maekawa, 9, &cfg);
        assert_all_hold(&run);
        inquire += run.metrics->by_kind[MK_INQUIRE];
        relinquish += run.metrics->by_kind[MK_RELINQUISH];
        failed += run.metrics->by_kind[MK_FAILED];
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    assert_true(inquire > 0);
    assert_true(relinquish > 0);
    assert_true(failed > 0);
}

/* Without contention (one request at a time) an entry costs exactly
 * 3(|R_i| - 1): on complete:9 (3 x 3 grid, |R_i| = 5) 12 per entry, 108
 * for nine; on complete:16, 3 x 6 x 16 = 288; and the quorums intersect. */
static void test_maekawa_no_contention(void **unused)
{
    struct { uint32_t n; uint64_t messages; } cases[] = {{9, 108}, {16, 288},
                                                          {4, 24}};
    for (unsigned c = 0; c < 3; c++)
        for (uint64_t seed = 1; seed <= 20; seed++) {
            struct disco_config cfg;
            config(&cfg, &disco_alg_maekawa, seed, false, 1, 200);
            cfg.params[STAGGER] = 1000;
            struct sim_run run;
            run_on(&run, &disco_alg_maekawa, cases[c].n, &cfg);
            assert_all_hold(&run);
            assert_int_equal(run.metrics->messages, cases[c].messages);
            assert_int_equal(run.metrics->by_kind[MK_INQUIRE], 0);
            assert_int_equal(run.metrics->by_kind[MK_FAILED], 0);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
}

/* A non-square n: 7 processes on a 3 x 3 grid with a short last row
 * (p6 alone): quorums of 5 (p0..p2), 4, 4, 5, 4, 4, and 3 for p6; they
 * still intersect, so 3 x (4+3+3+4+3+3+2) = 66 without contention. */
static void test_maekawa_short_row(void **unused)
{
    struct disco_config cfg;
    config(&cfg, &disco_alg_maekawa, 3, false, 1, 200);
    cfg.params[STAGGER] = 1000;
    struct sim_run run;
    run_on(&run, &disco_alg_maekawa, 7, &cfg);
    assert_all_hold(&run);
    assert_int_equal(run.metrics->messages, 66);
    assert_string_equal(run.results[4].detail,
                        "every two quorums intersect (|R_0| = 5)");
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* A single process enters without a message. */
static void test_single_process(void **unused)
{
    const struct disco_algorithm *algs[] = {
        &disco_alg_lamport_mutex, &disco_alg_ricart_agrawala,
        &disco_alg_suzuki_kasami, &disco_alg_maekawa};
    for (unsigned i = 0; i < 4; i++) {
        struct disco_config cfg;
        config(&cfg, algs[i], 1, true, 4, 100);
        struct sim_run run;
        run_on(&run, algs[i], 1, &cfg);
        assert_all_hold(&run);
        assert_int_equal(run.metrics->messages, 0);
        assert_string_equal(run.results[P_GRANTED].detail,
                            "4 entries, every request granted");
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* Only the initiators want the critical section; the others only answer. */
static void test_some_initiators(void **unused)
{
    struct disco_config cfg;
    config(&cfg, &disco_alg_ricart_agrawala, 5, true, 2, 100);
    sim_config_initiators(&cfg, "1,4", 6);
    struct sim_run run;
    run_on(&run, &disco_alg_ricart_agrawala, 6, &cfg);
    assert_all_hold(&run);
    assert_string_equal(run.results[P_GRANTED].detail,
                        "4 entries, every request granted");
    assert_int_equal(run.metrics->messages, 4 * 2 * 5);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

/* ---- the broken model ---- */

/* lamport-mutex without FIFO: a reply overtakes a request (or a request
 * a release), and two processes enter at once on some seed among the
 * first 1,000; with FIFO the same seed is safe. */
static bool lamport_safe(uint64_t seed, bool fifo)
{
    struct disco_config cfg;
    config(&cfg, &disco_alg_lamport_mutex, seed, fifo, 3, 50);
    struct sim_run run;
    run_on(&run, &disco_alg_lamport_mutex, 6, &cfg);
    bool safe = run.results[P_MUTEX].holds == DISCO_HOLDS_YES;
    if (!safe)
        assert_non_null(strstr(run.results[P_MUTEX].detail,
                               "both in the critical section"));
    sim_run_release(&run);
    disco_config_release(&cfg);
    return safe;
}

static void test_lamport_without_fifo_caught(void **unused)
{
    uint64_t seed = 1;
    while (seed <= 1000 && lamport_safe(seed, false))
        seed++;
    assert_true(seed <= 1000);
    assert_true(lamport_safe(seed, true));
}

/* ---- the lecture scenarios ---- */

/* Loads scenarios/NAME, sets seed, FIFO and the file's params for `alg`
 * (whatever the file's own algorithm), and runs it. */
static void run_scenario(struct sim_run *run, struct disco_scenario *sc,
                         struct disco_config *cfg, const char *name,
                         const struct disco_algorithm *alg, uint64_t seed,
                         bool fifo)
{
    const char *dir = getenv("DISCO_SCENARIOS");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "scenarios", name);
    struct disco_error err;
    if (disco_scenario_load(sc, path, &err) != 0)
        fail_msg("%s", err.message);
    assert_int_equal(sc->topo.nodes, 6);
    assert_int_equal(sc->topo.channels, 30);
    const char *delay = disco_scenario_option(sc, "delay");
    assert_non_null(delay); /* sim_config would take NULL for the default */
    sim_config(cfg, alg, seed, delay);
    cfg->fifo = fifo;
    sim_config_scenario_params(cfg, alg, sc);
    assert_int_equal(disco_scenario_apply(sc, cfg, &err), 0);
    memset(run, 0, sizeof *run);
    sim_run_on(run, alg, &sc->topo, cfg);
    assert_int_equal(run->metrics->stop, DISCO_STOP_QUIESCENT);
}

static void scenario_done(struct sim_run *run, struct disco_scenario *sc,
                          struct disco_config *cfg)
{
    disco_sim_free(run->sim);
    disco_config_release(cfg);
    disco_scenario_release(sc);
}

/* mutex-worked-case.dot: 30 for suzuki-kasami (the file's algorithm), the
 * token ends at p5; 60 and 90 for the others on the same file; any seed. */
static void test_scenario_worked_case(void **unused)
{
    struct {
        const struct disco_algorithm *alg;
        uint64_t messages;
    } cases[] = {
        {&disco_alg_suzuki_kasami, 30},
        {&disco_alg_ricart_agrawala, 60},
        {&disco_alg_lamport_mutex, 90},
    };
    for (unsigned c = 0; c < 3; c++)
        for (uint64_t seed = 1; seed <= 100; seed++) {
            struct disco_scenario sc;
            struct disco_config cfg;
            struct sim_run run;
            run_scenario(&run, &sc, &cfg, "mutex-worked-case.dot",
                         cases[c].alg, seed, seed % 2);
            assert_all_hold(&run);
            assert_int_equal(run.metrics->messages, cases[c].messages);
            if (c == 0)
                assert_string_equal(run.results[4].detail,
                                    "node 5 holds the token");
            scenario_done(&run, &sc, &cfg);
        }
}

/* mutex-lamport-no-fifo.dot: FIFO keeps every seed safe at exactly 270
 * messages; seed 5 without FIFO has nodes 1 and 2 inside at t = 563, where
 * ricart-agrawala stays safe. */
static void test_scenario_lamport_no_fifo(void **unused)
{
    struct disco_scenario sc;
    struct disco_config cfg;
    struct sim_run run;
    for (uint64_t seed = 1; seed <= 100; seed++) {
        run_scenario(&run, &sc, &cfg, "mutex-lamport-no-fifo.dot",
                     &disco_alg_lamport_mutex, seed, true);
        assert_all_hold(&run);
        assert_int_equal(run.metrics->messages, 270);
        scenario_done(&run, &sc, &cfg);
    }
    run_scenario(&run, &sc, &cfg, "mutex-lamport-no-fifo.dot",
                 &disco_alg_lamport_mutex, 5, false);
    assert_int_equal(run.results[P_MUTEX].holds, DISCO_HOLDS_NO);
    assert_string_equal(run.results[P_MUTEX].detail,
                        "violated at t=563 after event 170: nodes 1 and 2 "
                        "both in the critical section");
    scenario_done(&run, &sc, &cfg);
    run_scenario(&run, &sc, &cfg, "mutex-lamport-no-fifo.dot",
                 &disco_alg_ricart_agrawala, 5, false);
    assert_all_hold(&run);
    scenario_done(&run, &sc, &cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_case),
        cmocka_unit_test(test_lamport_mutex_seeds),
        cmocka_unit_test(test_ricart_agrawala_seeds),
        cmocka_unit_test(test_suzuki_kasami_seeds),
        cmocka_unit_test(test_maekawa_seeds),
        cmocka_unit_test(test_maekawa_contention),
        cmocka_unit_test(test_maekawa_no_contention),
        cmocka_unit_test(test_maekawa_short_row),
        cmocka_unit_test(test_single_process),
        cmocka_unit_test(test_some_initiators),
        cmocka_unit_test(test_lamport_without_fifo_caught),
        cmocka_unit_test(test_scenario_worked_case),
        cmocka_unit_test(test_scenario_lamport_no_fifo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
