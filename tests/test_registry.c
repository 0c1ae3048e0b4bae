/*
 * test_registry.c - every registered algorithm, as a student first meets
 * it: `disco info` has everything it should, and its defaults (topology,
 * initiators, parameters) run to a pass on many seeds, FIFO and not where
 * its model allows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "registry.h"
#include "support.h"

/* Family "test" holds deliberately broken modules for disco check. */
static bool listed(const struct disco_algorithm *a)
{
    return strcmp(a->family, "test") != 0;
}

static bool names_param(const struct disco_algorithm *a, const char *name)
{
    for (unsigned p = 0; p < a->param_count; p++)
        if (!strcmp(a->params[p].name, name))
            return true;
    return false;
}

static void test_every_description_is_complete(void **unused)
{
    for (size_t i = 0; i < disco_algorithm_count; i++) {
        const struct disco_algorithm *a = disco_algorithms[i];
        if (!listed(a))
            continue;
        if (!a->summary || !a->description || !a->messages || !a->time ||
            !a->source || !a->model.topology || !*a->source)
            fail_msg("%s: info lacks a summary, description, complexity, "
                     "source or default topology", a->name);
        assert_true(a->kind_count >= 1 && a->kind_count <= 256);
        assert_true(a->property_count >= 1);
        assert_non_null(a->init);
        assert_non_null(a->on_message);
        /* Names are unique within a module, and registry names overall. */
        for (unsigned k = 0; k < a->kind_count; k++)
            for (unsigned l = k + 1; l < a->kind_count; l++)
                if (!strcmp(a->message_kinds[k], a->message_kinds[l]))
                    fail_msg("%s: message kind '%s' twice", a->name,
                             a->message_kinds[k]);
        for (unsigned p = 0; p < a->property_count; p++)
            for (unsigned q = p + 1; q < a->property_count; q++)
                if (!strcmp(a->properties[p].name, a->properties[q].name))
                    fail_msg("%s: property '%s' twice", a->name,
                             a->properties[p].name);
        /* A delay bound names one of the algorithm's parameters. */
        if (a->model.delay_below_param) {
            unsigned p = 0;
            while (p < a->param_count &&
                   strcmp(a->params[p].name, a->model.delay_below_param))
                p++;
            if (p == a->param_count)
                fail_msg("%s: delay_below_param '%s' is no parameter",
                         a->name, a->model.delay_below_param);
        }
        /* So do the parameters that name a node, and the resilience's. */
        const struct disco_model *m = &a->model;
        for (size_t k = 0;
             k < sizeof m->node_params / sizeof m->node_params[0]; k++)
            if (m->node_params[k] && !names_param(a, m->node_params[k]))
                fail_msg("%s: node_params '%s' is no parameter", a->name,
                         m->node_params[k]);
        if (m->resilience_param && !names_param(a, m->resilience_param))
            fail_msg("%s: resilience_param '%s' is no parameter", a->name,
                     m->resilience_param);
        if (!m->resilience_param && m->resilience_factor)
            fail_msg("%s: a resilience_factor with no parameter", a->name);
        for (size_t j = i + 1; j < disco_algorithm_count; j++)
            assert_string_not_equal(a->name, disco_algorithms[j]->name);
        assert_ptr_equal(disco_algorithm_find(a->name), a);
    }
}

static void test_every_default_run_passes(void **unused)
{
    /* 20 seeds per algorithm; non-FIFO too when the model does not need
     * FIFO; weights as the CLI gives them. */
    for (size_t i = 0; i < disco_algorithm_count; i++) {
        const struct disco_algorithm *a = disco_algorithms[i];
        if (!listed(a))
            continue;
        for (int fifo = a->model.fifo ? 1 : 0; fifo <= 1; fifo++) {
            for (uint64_t seed = 1; seed <= 20; seed++) {
                struct disco_config cfg;
                disco_config_init(&cfg, a);
                cfg.seed = seed;
                cfg.fifo = fifo;
                cfg.max_events = 50000000;
                struct sim_run run;
                memset(&run, 0, sizeof run);
                struct disco_error err;
                if (disco_topology_generate(&run.topo, a->model.topology, seed,
                                            &err))
                    fail_msg("%s: default topology: %s", a->name,
                             err.message);
                if (a->model.distinct_weights)
                    assert_int_equal(
                        disco_topology_random_weights(&run.topo, seed, &err),
                        0);
                /* The defaults fit the model: no refusal (a limit, a
                 * node parameter) and no warning (a resilience). */
                if (fifo && seed == 1) {
                    char warning[512];
                    if (disco_model_check(a, &run.topo, &cfg, warning,
                                          sizeof warning, &err))
                        fail_msg("%s: defaults refused: %s", a->name,
                                 err.message);
                    if (warning[0])
                        fail_msg("%s: defaults warn: %s", a->name, warning);
                }
                sim_run_on(&run, a, &run.topo, &cfg);
                if (run.metrics->stop != DISCO_STOP_QUIESCENT)
                    fail_msg("%s seed %llu: did not terminate", a->name,
                             (unsigned long long)seed);
                for (unsigned p = 0; p < a->property_count; p++)
                    if (run.results[p].holds == DISCO_HOLDS_NO)
                        fail_msg("%s seed %llu %s: %s failed: %s", a->name,
                                 (unsigned long long)seed,
                                 fifo ? "fifo" : "no-fifo",
                                 run.results[p].name, run.results[p].detail);
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_description_is_complete),
        cmocka_unit_test(test_every_default_run_passes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
