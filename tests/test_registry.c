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
#include <stdio.h>
#include <stdlib.h>
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
        if (a->model.delay_below_param &&
            !names_param(a, a->model.delay_below_param))
            fail_msg("%s: delay_below_param '%s' is no parameter", a->name,
                     a->model.delay_below_param);
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
        /* Node inputs: declared once each, a range, a help, and no name
         * the kernel reads itself. */
        static const char *const kernel_node[] = {"id", "initiator",
                                                  "crash_at", "recover_at"};
        assert_true(a->input_count == 0 || a->inputs != NULL);
        for (unsigned k = 0; k < a->input_count; k++) {
            const struct disco_input_decl *d = &a->inputs[k];
            if (!d->name || !*d->name || strlen(d->name) >= 32 ||
                d->min > d->max || !d->help || !*d->help)
                fail_msg("%s: input %u lacks a name, a range or a help",
                         a->name, k);
            for (size_t n = 0; n < sizeof kernel_node / sizeof *kernel_node;
                 n++)
                if (!strcmp(d->name, kernel_node[n]))
                    fail_msg("%s: input '%s' is a kernel attribute", a->name,
                             d->name);
            for (unsigned l = k + 1; l < a->input_count; l++)
                if (!strcmp(d->name, a->inputs[l].name))
                    fail_msg("%s: input '%s' twice", a->name, d->name);
        }
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

/* A module that reads an input it does not declare. */
static void undeclared_init(struct disco_ctx *ctx, void *state)
{
    int64_t value;
    disco_input(ctx, "value", &value);
    disco_input(ctx, "valeu", &value);
}

static void undeclared_on_message(struct disco_ctx *ctx, void *state,
                                  uint32_t port, unsigned kind,
                                  const void *payload, size_t len)
{
}

static bool always(const struct disco_view *view, char *detail, size_t len)
{
    return true;
}

static const char *const undeclared_kinds[] = {"none"};
static const struct disco_property undeclared_properties[] = {
    {"nothing", "nothing", DISCO_PROPERTY_FINAL, always, false},
};
static const struct disco_input_decl undeclared_inputs[] = {
    {"value", 0, 1, "declared"},
};
static const struct disco_algorithm undeclared = {
    .name = "undeclared",
    .family = "test",
    .summary = "reads an input it does not declare",
    .model = {.timing = DISCO_ASYNC},
    .inputs = undeclared_inputs,
    .input_count = 1,
    .message_kinds = undeclared_kinds,
    .kind_count = 1,
    .properties = undeclared_properties,
    .property_count = 1,
    .state_size = 16,
    .init = undeclared_init,
    .on_message = undeclared_on_message,
};

/* Every input a module reads is declared: disco_input stops a run that
 * reads an undeclared name (an error, in release builds too), so every
 * algorithm is run on its defaults with every node given every declared
 * input (1, or the nearest value in range), which takes the paths that
 * read them (paxos's late start, om's commander), and the run must end
 * without an error.  The defaults alone run in
 * test_every_default_run_passes. */
static void test_every_input_read_is_declared(void **unused)
{
    for (size_t i = 0; i < disco_algorithm_count; i++) {
        const struct disco_algorithm *a = disco_algorithms[i];
        struct disco_config cfg;
        disco_config_init(&cfg, a);
        cfg.max_events = 1000000;
        if (a->input_count) {
            struct sim_run run;
            memset(&run, 0, sizeof run);
            struct disco_error err;
            if (disco_topology_generate(&run.topo, a->model.topology, 1,
                                        &err))
                fail_msg("%s: default topology: %s", a->name, err.message);
            uint32_t n = run.topo.nodes;
            cfg.inputs = calloc((size_t)n * a->input_count,
                                sizeof *cfg.inputs);
            assert_non_null(cfg.inputs);
            for (uint32_t v = 0; v < n; v++) {
                for (unsigned k = 0; k < a->input_count; k++) {
                    const struct disco_input_decl *d = &a->inputs[k];
                    struct disco_input_value *in =
                        &cfg.inputs[cfg.input_count++];
                    in->node = v;
                    snprintf(in->name, sizeof in->name, "%s", d->name);
                    in->value = d->min > 1 ? d->min : d->max < 1 ? d->max : 1;
                }
            }
            if (a->model.distinct_weights)
                assert_int_equal(
                    disco_topology_random_weights(&run.topo, 1, &err), 0);
            char warning[512];
            if (disco_model_check(a, &run.topo, &cfg, warning,
                                  sizeof warning, &err))
                fail_msg("%s: inputs refused: %s", a->name, err.message);
            sim_run_on(&run, a, &run.topo, &cfg); /* fails on an error */
            sim_run_release(&run);
        }
        disco_config_release(&cfg);
    }

    /* And the check itself: an undeclared read is an error. */
    struct sim_run run;
    memset(&run, 0, sizeof run);
    struct disco_error err = {0};
    assert_int_equal(disco_topology_generate(&run.topo, "ring:3", 1, &err),
                     0);
    struct disco_config cfg;
    disco_config_init(&cfg, &undeclared);
    assert_int_equal(
        disco_sim_create(&run.sim, &undeclared, &run.topo, &cfg, &err), 0);
    assert_int_equal(disco_sim_run(run.sim, &err), DISCO_EINVAL);
    assert_string_equal(err.message,
                        "undeclared: node 0 read input 'valeu', which the "
                        "algorithm does not declare (inputs)");
    sim_run_release(&run);
    disco_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_description_is_complete),
        cmocka_unit_test(test_every_default_run_passes),
        cmocka_unit_test(test_every_input_read_is_declared),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
