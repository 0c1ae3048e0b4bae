/*
 * test_network.c - the network layer: FIFO, loss, duplication, crashes and
 * cut links, each observed through the kernel's observer interface.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "support.h"

/* ---- a test-only algorithm: numbered messages, in bursts or on timers -- */

enum { BURST, TIMED };   /* parameter "mode" */
enum { P_MODE, P_COUNT };

struct chatter_state {
    uint32_t next_expected[4]; /* per in-port: the next sequence number */
    uint32_t out_of_order;     /* receptions that overtook an earlier one */
    uint32_t received;
    uint32_t sent;
};

static void chatter_send(struct disco_ctx *ctx, struct chatter_state *s)
{
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
        disco_send(ctx, port, 0, &s->sent, sizeof s->sent);
    s->sent++;
}

static void chatter_init(struct disco_ctx *ctx, void *state)
{
    struct chatter_state *s = state;
    if (!disco_is_initiator(ctx))
        return;
    int64_t count = disco_param(ctx, P_COUNT);
    if (disco_param(ctx, P_MODE) == BURST) {
        for (int64_t i = 0; i < count; i++)
            chatter_send(ctx, s);
    } else {
        disco_set_timer(ctx, 1, 0);
    }
}

static void chatter_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct chatter_state *s = state;
    chatter_send(ctx, s);
    if (s->sent < (uint64_t)disco_param(ctx, P_COUNT))
        disco_set_timer(ctx, 1, 0);
}

static void chatter_on_message(struct disco_ctx *ctx, void *state,
                               uint32_t port, unsigned kind,
                               const void *payload, size_t len)
{
    struct chatter_state *s = state;
    uint32_t seq;
    memcpy(&seq, payload, sizeof seq);
    s->received++;
    if (seq < s->next_expected[port])
        s->out_of_order++;
    else
        s->next_expected[port] = seq + 1;
}

static const char *const chatter_kinds[] = {"seq"};
static const struct disco_param chatter_params[] = {
    {"mode", BURST, 0, 1, "0: all at once, 1: one per tick"},
    {"count", 100, 1, 1000000, "messages per out-port"},
};

static const struct disco_algorithm chatter = {
    .name = "chatter",
    .family = "test",
    .summary = "numbered messages for testing the network",
    .model = {.timing = DISCO_ASYNC, .initiators = "0"},
    .params = chatter_params,
    .param_count = 2,
    .message_kinds = chatter_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct chatter_state),
    .init = chatter_init,
    .on_message = chatter_on_message,
    .on_timer = chatter_on_timer,
};

static const struct chatter_state *node_state(const struct sim_run *run,
                                              uint32_t node)
{
    return disco_view_state(disco_sim_view(run->sim), node);
}

static void config(struct disco_config *cfg, int mode, int64_t count,
                   uint64_t seed)
{
    disco_config_init(cfg, &chatter);
    cfg->params[P_MODE] = mode;
    cfg->params[P_COUNT] = count;
    cfg->seed = seed;
}

/* ---- FIFO ---- */

static void test_fifo_holds_when_on(void **unused)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg;
        config(&cfg, BURST, 500, seed);
        struct sim_run run;
        sim_run(&run, &chatter, "line:2", 1, &cfg);
        assert_int_equal(node_state(&run, 1)->received, 500);
        assert_int_equal(node_state(&run, 1)->out_of_order, 0);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

static void test_fifo_broken_when_off(void **unused)
{
    /* With uniform delays and no FIFO, 500 messages sent at once must
     * overtake each other on every seed. */
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg;
        config(&cfg, BURST, 500, seed);
        cfg.fifo = false;
        struct sim_run run;
        sim_run(&run, &chatter, "line:2", 1, &cfg);
        assert_int_equal(node_state(&run, 1)->received, 500);
        assert_true(node_state(&run, 1)->out_of_order > 0);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* On a graph of 2^20 channels the kernel keeps FIFO clocks in 16 bits,
 * rebased every 2^15 ticks: one message per tick for 40,000 ticks, with
 * delays up to 30,000 ticks, crosses a rebase with clocks near the top of
 * the range, and must still arrive in order (and out of order without
 * FIFO, so that the check can fail). */
static void test_fifo_holds_in_16_bits(void **unused)
{
    for (int fifo = 1; fifo >= 0; fifo--) {
        struct disco_config cfg;
        config(&cfg, TIMED, 40000, 3);
        cfg.fifo = fifo;
        cfg.delay = (struct disco_delay){.kind = DISCO_DELAY_UNIFORM,
                                         .a = 1, .b = 30000};
        struct sim_run run;
        sim_run(&run, &chatter, "torus:512x512", 1, &cfg);
        assert_int_equal(run.topo.channels, 1u << 20);
        const struct disco_view *view = disco_sim_view(run.sim);
        uint32_t out_of_order = 0;
        for (uint32_t port = 0; port < 4; port++) {
            uint32_t v = disco_view_neighbour(view, 0, port);
            assert_int_equal(node_state(&run, v)->received, 40000);
            out_of_order += node_state(&run, v)->out_of_order;
        }
        if (fifo)
            assert_int_equal(out_of_order, 0);
        else
            assert_true(out_of_order > 1000);
        assert_true(run.metrics->time > 40000);
        if (fifo) {
            /* The same run with 32-bit clocks, forced by a law that could
             * draw 2^15 (a change due long after the run ends), must be
             * the same execution: same end, same states. */
            struct disco_error err;
            struct disco_config wide;
            config(&wide, TIMED, 40000, 3);
            wide.delay = cfg.delay;
            assert_int_equal(disco_delay_change_parse(
                                 &wide, "uniform:1:40000@1000000000", &err),
                             0);
            struct sim_run other;
            sim_run(&other, &chatter, "torus:512x512", 1, &wide);
            assert_int_equal(other.metrics->time, run.metrics->time);
            assert_int_equal(other.metrics->events, run.metrics->events);
            for (uint32_t v = 0; v < run.topo.nodes; v++)
                assert_memory_equal(node_state(&other, v), node_state(&run, v),
                                    sizeof(struct chatter_state));
            sim_run_release(&other);
            disco_config_release(&wide);
        }
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* ---- loss and duplication rates ---- */

static void test_loss_rate_within_three_sigma(void **unused)
{
    /* 10^5 messages, p = 0.1: mean 10^4, sigma = sqrt(n p (1-p)) = 94.9. */
    struct disco_config cfg;
    config(&cfg, BURST, 100000, 3);
    cfg.loss = 0.1;
    struct sim_run run;
    sim_run(&run, &chatter, "line:2", 1, &cfg);
    double dropped = (double)run.metrics->dropped;
    assert_int_equal(run.metrics->messages, 100000);
    assert_true(dropped > 10000 - 3 * 94.9 && dropped < 10000 + 3 * 94.9);
    assert_int_equal(node_state(&run, 1)->received,
                     100000 - run.metrics->dropped);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_dup_rate_within_three_sigma(void **unused)
{
    /* p = 0.05: mean 5000, sigma = sqrt(1e5 * 0.05 * 0.95) = 68.9. */
    struct disco_config cfg;
    config(&cfg, BURST, 100000, 4);
    cfg.dup = 0.05;
    struct sim_run run;
    sim_run(&run, &chatter, "line:2", 1, &cfg);
    double duplicated = (double)run.metrics->duplicated;
    assert_true(duplicated > 5000 - 3 * 68.9 && duplicated < 5000 + 3 * 68.9);
    assert_int_equal(node_state(&run, 1)->received,
                     100000 + run.metrics->duplicated);
    /* Duplicates are the network's doing: they are not messages sent. */
    assert_int_equal(run.metrics->messages, 100000);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_zero_probabilities_draw_nothing(void **unused)
{
    /* --loss 0 and --dup 0 must not consume randomness: the delivery times
     * equal those of a run that never mentions them. */
    struct disco_config a, b;
    config(&a, TIMED, 50, 9);
    config(&b, TIMED, 50, 9);
    b.loss = 0;
    b.dup = 0;
    struct sim_run ra, rb;
    sim_run(&ra, &chatter, "ring:5", 1, &a);
    sim_run(&rb, &chatter, "ring:5", 1, &b);
    assert_int_equal(ra.metrics->time, rb.metrics->time);
    assert_int_equal(ra.metrics->events, rb.metrics->events);
    sim_run_release(&ra);
    sim_run_release(&rb);
    disco_config_release(&a);
    disco_config_release(&b);
}

/* ---- crashes and cuts, seen by an observer ---- */

struct recorder {
    struct disco_event_view events[4096];
    size_t count;
    disco_time_t sent_at[4096]; /* by message number */
};

static void record(void *self, const struct disco_event_view *ev)
{
    struct recorder *r = self;
    if (ev->type == DISCO_EV_SEND && ev->msg < 4096)
        r->sent_at[ev->msg] = ev->time;
    if (r->count < 4096)
        r->events[r->count++] = *ev;
}

static void run_recorded(struct sim_run *run, struct disco_config *cfg,
                         const char *spec, struct recorder *rec)
{
    memset(run, 0, sizeof *run);
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&run->topo, spec, 1, &err), 0);
    assert_int_equal(disco_sim_create(&run->sim, &chatter, &run->topo, cfg,
                                      &err), 0);
    struct disco_observer obs = {.self = rec, .on_event = record};
    assert_int_equal(disco_sim_observe(run->sim, &obs, &err), 0);
    assert_int_equal(disco_sim_run(run->sim, &err), 0);
    run->metrics = disco_sim_metrics(run->sim);
}

static void test_crashed_node_receives_nothing(void **unused)
{
    struct disco_config cfg;
    config(&cfg, TIMED, 200, 5);
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@50", 2, &err), 0);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_RECOVER, "1@120", 2, &err), 0);
    struct recorder *rec = calloc(1, sizeof *rec);
    struct sim_run run;
    run_recorded(&run, &cfg, "line:2", rec);
    size_t before = 0, after = 0, drops = 0;
    for (size_t i = 0; i < rec->count; i++) {
        const struct disco_event_view *ev = &rec->events[i];
        if (ev->type == DISCO_EV_RECV && ev->node == 1) {
            assert_false(ev->time >= 50 && ev->time < 120);
            if (ev->time < 50)
                before++;
            else
                after++;
        }
        drops += ev->type == DISCO_EV_DROP;
    }
    /* It received before the crash, after the recovery, and the messages
     * that arrived in between were dropped: all 200 accounted for. */
    assert_true(before > 0 && after > 0);
    assert_true(drops > 0);
    assert_int_equal(before + after + drops, 200);
    assert_int_equal(run.metrics->dropped, drops);
    sim_run_release(&run);
    disco_config_release(&cfg);
    free(rec);
}

static void test_cut_link_carries_nothing_while_down(void **unused)
{
    struct disco_config cfg;
    config(&cfg, TIMED, 200, 6);
    cfg.delay = (struct disco_delay){.kind = DISCO_DELAY_UNIFORM, .a = 1,
                                     .b = 20};
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_LINK_DOWN, "0-1@30:90", 2, &err),
        0);
    struct recorder *rec = calloc(1, sizeof *rec);
    struct sim_run run;
    run_recorded(&run, &cfg, "line:2", rec);
    size_t received = 0, drops = 0, downs = 0, ups = 0;
    for (size_t i = 0; i < rec->count; i++) {
        const struct disco_event_view *ev = &rec->events[i];
        if (ev->type == DISCO_EV_RECV) {
            received++;
            assert_false(ev->time >= 30 && ev->time < 90);
            disco_time_t sent = rec->sent_at[ev->msg];
            assert_false(sent >= 30 && sent < 90);
        }
        drops += ev->type == DISCO_EV_DROP;
        downs += ev->type == DISCO_EV_LINK_DOWN;
        ups += ev->type == DISCO_EV_LINK_UP;
    }
    assert_int_equal(downs, 1);
    assert_int_equal(ups, 1);
    assert_true(drops >= 60); /* one message a tick while down */
    assert_int_equal(received + drops, 200);
    sim_run_release(&run);
    disco_config_release(&cfg);
    free(rec);
}

static void bad_port_init(struct disco_ctx *ctx, void *state)
{
    disco_send(ctx, 5, 0, NULL, 0);
}

static void test_bad_port_is_an_error_not_a_crash(void **unused)
{
    /* An algorithm sending on a port it does not have stops the run with
     * an error that names the algorithm, the node and the port. */
    struct disco_algorithm bad = chatter;
    bad.name = "bad-port";
    bad.init = bad_port_init;
    struct disco_config cfg;
    config(&cfg, BURST, 1, 1);
    struct disco_topology topo;
    struct disco_error err;
    assert_int_equal(disco_topology_generate(&topo, "line:2", 1, &err), 0);
    struct disco_sim *sim;
    assert_int_equal(disco_sim_create(&sim, &bad, &topo, &cfg, &err), 0);
    assert_int_equal(disco_sim_run(sim, &err), DISCO_EINVAL);
    assert_string_equal(err.message,
                        "bad-port: node 0 sent on port 5 but has 1 out-ports");
    disco_sim_free(sim);
    disco_topology_release(&topo);
    disco_config_release(&cfg);
}

/* ---- timers and the end of a run ---- */

static void alarm_init(struct disco_ctx *ctx, void *state)
{
    if (disco_self(ctx) == 0)
        disco_set_timer(ctx, 3, 7);
}

static void alarm_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    disco_decide(ctx, (int64_t)tag);
}

static const struct disco_algorithm alarm = {
    .name = "alarm",
    .family = "test",
    .summary = "one timer",
    .model = {.timing = DISCO_ASYNC | DISCO_SYNC},
    .message_kinds = chatter_kinds,
    .kind_count = 1,
    .state_size = 8,
    .init = alarm_init,
    .on_message = chatter_on_message,
    .on_timer = alarm_on_timer,
};

static void test_timer_fires_in_rounds_and_ticks(void **unused)
{
    /* A pending timer keeps either kind of run going until it fires. */
    for (int sync = 0; sync <= 1; sync++) {
        struct disco_config cfg;
        disco_config_init(&cfg, &alarm);
        cfg.sync = sync;
        struct sim_run run;
        sim_run(&run, &alarm, "line:2", 1, &cfg);
        const struct disco_view *view = disco_sim_view(run.sim);
        assert_int_equal(disco_view_decision_count(view), 1);
        assert_int_equal(disco_view_decision(view, 0)->time, 3);
        assert_int_equal(disco_view_decision(view, 0)->value, 7);
        assert_int_equal(run.metrics->time, 3);
        assert_int_equal(run.metrics->rounds, sync ? 3 : 0);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

static void test_late_fault_does_not_prolong_the_run(void **unused)
{
    /* The computation is over at t=3; a crash scheduled at 10^6 could
     * change nothing, so the run ends at 3, quiescent. */
    struct disco_config cfg;
    disco_config_init(&cfg, &alarm);
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@1000000", 2, &err), 0);
    struct sim_run run;
    sim_run(&run, &alarm, "line:2", 1, &cfg);
    assert_int_equal(run.metrics->time, 3);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void restless_init(struct disco_ctx *ctx, void *state)
{
    disco_set_passive(ctx, false); /* active forever, silent forever */
}

static void restless_on_round(struct disco_ctx *ctx, void *state,
                              disco_time_t round)
{
}

static void test_silent_active_rounds_are_bounded(void **unused)
{
    /* Each node's step is an event, so --max-events ends such a run. */
    struct disco_algorithm restless = alarm;
    restless.name = "restless";
    restless.model.timing = DISCO_SYNC;
    restless.init = restless_init;
    restless.on_round = restless_on_round;
    struct disco_config cfg;
    disco_config_init(&cfg, &restless);
    cfg.sync = true;
    cfg.max_events = 100;
    struct sim_run run;
    sim_run(&run, &restless, "ring:5", 1, &cfg);
    assert_int_equal(run.metrics->stop, DISCO_STOP_MAX_EVENTS);
    /* 5 inits, then 19 rounds of 5 steps: the bound hits in round 20. */
    assert_int_equal(run.metrics->events, 100);
    assert_int_equal(run.metrics->rounds, 20);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void phoenix_on_recover(struct disco_ctx *ctx, void *state)
{
    disco_decide(ctx, 42);
}

static void test_on_recover_runs_once_per_recovery(void **unused)
{
    /* Node 1 crashes at 2 and recovers at 3, when node 0's alarm also
     * fires (faults scheduled at the start come first at equal times):
     * on_recover runs then, and not for "recovering" node 0, which never
     * crashed. */
    struct disco_algorithm phoenix = alarm;
    phoenix.name = "phoenix";
    phoenix.on_recover = phoenix_on_recover;
    struct disco_config cfg;
    disco_config_init(&cfg, &phoenix);
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@2", 2, &err), 0);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_RECOVER, "1@3,0@1", 2, &err), 0);
    struct sim_run run;
    sim_run(&run, &phoenix, "line:2", 1, &cfg);
    const struct disco_view *view = disco_sim_view(run.sim);
    assert_int_equal(disco_view_decision_count(view), 2);
    assert_int_equal(disco_view_decision(view, 0)->node, 1);
    assert_int_equal(disco_view_decision(view, 0)->value, 42);
    assert_int_equal(disco_view_decision(view, 0)->time, 3);
    assert_int_equal(disco_view_decision(view, 1)->node, 0);
    assert_int_equal(disco_view_decision(view, 1)->value, 7);
    assert_false(disco_view_crashed(view, 1));
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_late_recovery_wakes_on_recover(void **unused)
{
    /* The computation is quiet at t=3, but node 1 recovers at t=500: with
     * an on_recover callback that is work, so the run goes on to it; the
     * plain alarm (no callback) still ends at 3 (see the late-fault test). */
    struct disco_algorithm phoenix = alarm;
    phoenix.name = "phoenix";
    phoenix.on_recover = phoenix_on_recover;
    struct disco_config cfg;
    disco_config_init(&cfg, &phoenix);
    struct disco_error err;
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "1@2", 2, &err), 0);
    assert_int_equal(
        disco_faults_parse(&cfg, DISCO_FAULT_RECOVER, "1@500", 2, &err), 0);
    struct sim_run run;
    sim_run(&run, &phoenix, "line:2", 1, &cfg);
    const struct disco_view *view = disco_sim_view(run.sim);
    assert_int_equal(run.metrics->time, 500);
    assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
    assert_int_equal(disco_view_decision_count(view), 2);
    assert_int_equal(disco_view_decision(view, 1)->value, 42);
    assert_int_equal(disco_view_decision(view, 1)->time, 500);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_holds_when_on),
        cmocka_unit_test(test_fifo_broken_when_off),
        cmocka_unit_test(test_fifo_holds_in_16_bits),
        cmocka_unit_test(test_loss_rate_within_three_sigma),
        cmocka_unit_test(test_dup_rate_within_three_sigma),
        cmocka_unit_test(test_zero_probabilities_draw_nothing),
        cmocka_unit_test(test_crashed_node_receives_nothing),
        cmocka_unit_test(test_cut_link_carries_nothing_while_down),
        cmocka_unit_test(test_bad_port_is_an_error_not_a_crash),
        cmocka_unit_test(test_timer_fires_in_rounds_and_ticks),
        cmocka_unit_test(test_late_fault_does_not_prolong_the_run),
        cmocka_unit_test(test_silent_active_rounds_are_bounded),
        cmocka_unit_test(test_on_recover_runs_once_per_recovery),
        cmocka_unit_test(test_late_recovery_wakes_on_recover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
