/*
 * test_progress.c - disco_sim_progress, what a progress line reads while a
 * run goes on: 0 before the run, never ahead of the run, reported every
 * 65,536 loop turns of an asynchronous run and every round of a
 * synchronous one, and exactly the run's metrics at its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "registry.h"
#include "support.h"

/* What an observer saw of the progress reports, event by event. */
struct watch {
    const struct disco_sim *sim;
    uint64_t observed;       /* events seen, of every observed type */
    uint64_t reports;        /* distinct reported event counts seen */
    uint64_t last_reported;
    bool ahead;              /* a report past what the run had done */
};

static void on_event(void *self, const struct disco_event_view *ev)
{
    struct watch *w = self;
    uint64_t events;
    disco_time_t time;
    disco_sim_progress(w->sim, &events, &time);
    w->observed++;
    const struct disco_metrics *m = disco_sim_metrics(w->sim);
    if (events > m->events || time > ev->time)
        w->ahead = true;
    if (events != w->last_reported) {
        w->reports++;
        w->last_reported = events;
    }
}

/* Run `alg` on `spec` with an observer that watches the reports. */
static void watch_run(struct watch *w, const char *alg_name, const char *spec,
                      bool sync, struct disco_topology *topo,
                      struct disco_sim **sim)
{
    const struct disco_algorithm *alg = disco_algorithm_find(alg_name);
    assert_non_null(alg);
    struct disco_error err;
    assert_int_equal(disco_topology_generate(topo, spec, 1, &err), 0);
    struct disco_config cfg;
    disco_config_init(&cfg, alg);
    cfg.sync = sync;
    assert_int_equal(disco_sim_create(sim, alg, topo, &cfg, &err), 0);
    disco_config_release(&cfg);
    memset(w, 0, sizeof *w);
    w->sim = *sim;
    uint64_t events;
    disco_time_t time;
    disco_sim_progress(*sim, &events, &time);
    assert_int_equal(events, 0);
    assert_int_equal(time, 0);
    struct disco_observer obs = {.self = w, .on_event = on_event};
    assert_int_equal(disco_sim_observe(*sim, &obs, &err), 0);
    assert_int_equal(disco_sim_run(*sim, &err), 0);
    /* At the end: the run's own figures. */
    const struct disco_metrics *m = disco_sim_metrics(*sim);
    disco_sim_progress(*sim, &events, &time);
    assert_int_equal(events, m->events);
    assert_int_equal(time, m->time);
    assert_false(w->ahead);
}

/* Echo over 20,000 nodes of degree 8: 160,000 deliveries, one per loop
 * turn, so reports at turns 65,536 and 131,072, seen by the events
 * observed after them. */
static void test_async_reports(void **unused)
{
    struct watch w;
    struct disco_topology topo;
    struct disco_sim *sim;
    watch_run(&w, "echo", "regular:20000:8", false, &topo, &sim);
    assert_int_equal(disco_sim_metrics(sim)->delivered, 160000);
    assert_int_equal(w.reports, 2);
    /* The last report comes at the start of loop turn 131,072, before its
     * delivery: 20,000 init calls and 131,071 deliveries. */
    assert_int_equal(w.last_reported, 20000 + 131071);
    disco_sim_free(sim);
    disco_topology_release(&topo);
}

/* Synchronous flooding on a line of 50 from node 0: 49 rounds, one report
 * per round, each seen by the round's events and each new (round 1's
 * already counts the 50 init calls). */
static void test_sync_reports(void **unused)
{
    struct watch w;
    struct disco_topology topo;
    struct disco_sim *sim;
    watch_run(&w, "flood", "line:50", true, &topo, &sim);
    uint64_t rounds = disco_sim_metrics(sim)->rounds;
    assert_int_equal(rounds, 49);
    assert_int_equal(w.reports, rounds);
    disco_sim_free(sim);
    disco_topology_release(&topo);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_async_reports),
        cmocka_unit_test(test_sync_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
