/*
 * test_faults.c - the adversary beyond crashes and cuts: partitions (both
 * ways and one way), send and receive omission, crashes in the middle of a
 * step, delay-law changes, Byzantine strategies, simulated signatures,
 * failure detectors and dynamic round graphs.  A test-only algorithm, the
 * probe, sends one signed value to every neighbour at a chosen tick and
 * records what arrives; an observer records the network's side.
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

/* ---- the probe: one signed value per neighbour, at tick `at` ----------- */

#define MAX_PROBE 64
enum { P_AT, P_ROUNDS };

struct probe_msg {
    uint8_t value;
    uint8_t pad[3];
    uint32_t signer;
    uint64_t signature;
};

struct probe_state {
    uint8_t heard[MAX_PROBE];  /* per sender: value + 1, 0 = nothing */
    uint32_t received, bad_signatures;
    uint64_t round_senders[8]; /* sync: bit mask of senders per round 1..8 */
};

static void probe_send_all(struct disco_ctx *ctx)
{
    struct probe_msg m = {.value = 0, .signer = disco_self(ctx)};
    m.signature = disco_sign(ctx, &m.value, 1);
    disco_send_all(ctx, 0, &m, sizeof m);
}

static void probe_init(struct disco_ctx *ctx, void *state)
{
    (void)state;
    disco_set_timer(ctx, (disco_time_t)disco_param(ctx, P_AT), 0);
}

static void probe_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    (void)state, (void)tag;
    probe_send_all(ctx);
}

static void probe_on_message(struct disco_ctx *ctx, void *state,
                             uint32_t port, unsigned kind, const void *payload,
                             size_t len)
{
    (void)port, (void)kind, (void)len;
    struct probe_state *s = state;
    struct probe_msg m;
    memcpy(&m, payload, sizeof m);
    s->received++;
    if (m.signer < MAX_PROBE)
        s->heard[m.signer] = (uint8_t)(m.value + 1);
    if (!disco_verify(ctx, m.signer, &m.value, 1, m.signature))
        s->bad_signatures++;
    disco_time_t round = disco_now(ctx);
    if (round >= 1 && round <= 8 && m.signer < 64)
        s->round_senders[round - 1] |= 1ull << m.signer;
}

/* Synchronous: everyone sends in init and in every round below `rounds`. */
static void probe_sync_init(struct disco_ctx *ctx, void *state)
{
    (void)state;
    probe_send_all(ctx);
}

static void probe_on_round(struct disco_ctx *ctx, void *state,
                           disco_time_t round)
{
    (void)state;
    if (round < (disco_time_t)disco_param(ctx, P_ROUNDS))
        probe_send_all(ctx);
}

/* FLIP negates the value, RANDOM draws one; neither can re-sign as the
 * original signer would have to, so receivers can tell. */
static bool probe_lie(struct disco_ctx *ctx, enum disco_lie how, uint32_t port,
                      unsigned kind, void *payload, size_t len)
{
    (void)port, (void)kind, (void)len;
    struct probe_msg *m = payload;
    m->value = how == DISCO_LIE_FLIP ? (uint8_t)(m->value ^ 1)
                                     : (uint8_t)(2 + disco_random_below(ctx, 50));
    return true;
}

/* An algorithm's own strategy: re-signs its lie (it may sign as itself). */
static bool probe_resign(struct disco_ctx *ctx, uint32_t port, unsigned *kind,
                         void *payload, size_t *len)
{
    (void)port, (void)kind, (void)len;
    struct probe_msg *m = payload;
    m->value = 7;
    m->signature = disco_sign(ctx, &m->value, 1);
    return true;
}

static const struct disco_strategy probe_strategies[] = {
    {"resign", "says 7 and signs it", probe_resign},
};

static const char *const probe_kinds[] = {"value"};
static const struct disco_param probe_params[] = {
    {"at", 5, 0, 1000, "tick of the send"},
    {"rounds", 1, 1, 100, "synchronous: rounds that send"},
};

static const struct disco_algorithm probe = {
    .name = "probe",
    .family = "test",
    .summary = "one signed value to every neighbour",
    .model = {.timing = DISCO_ASYNC | DISCO_SYNC, .initiators = "all"},
    .params = probe_params,
    .param_count = 2,
    .message_kinds = probe_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct probe_state),
    .init = probe_init,
    .on_message = probe_on_message,
    .on_timer = probe_on_timer,
    .lie = probe_lie,
    .strategies = probe_strategies,
    .strategy_count = 1,
};

static const struct disco_algorithm probe_sync = {
    .name = "probe-sync",
    .family = "test",
    .summary = "one signed value to every neighbour, every round",
    .model = {.timing = DISCO_SYNC, .sync_by_default = true,
              .initiators = "all"},
    .params = probe_params,
    .param_count = 2,
    .message_kinds = probe_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct probe_state),
    .init = probe_sync_init,
    .on_message = probe_on_message,
    .on_round = probe_on_round,
};

/* The probe without a lie callback: only silent and its own apply. */
static const struct disco_algorithm probe_honest = {
    .name = "probe-honest",
    .family = "test",
    .summary = "cannot lie",
    .model = {.timing = DISCO_ASYNC, .initiators = "all"},
    .params = probe_params,
    .param_count = 2,
    .message_kinds = probe_kinds,
    .kind_count = 1,
    .state_size = sizeof(struct probe_state),
    .init = probe_init,
    .on_message = probe_on_message,
    .on_timer = probe_on_timer,
};

/* ---- running with an observer ----------------------------------------- */

struct tally {
    uint64_t forged, faults, heals, crashes;
};

static void tally_event(void *self, const struct disco_event_view *ev)
{
    struct tally *t = self;
    t->forged += ev->type == DISCO_EV_SEND && ev->forged;
    t->faults += ev->type == DISCO_EV_FAULT;
    t->heals += ev->type == DISCO_EV_HEAL;
    t->crashes += ev->type == DISCO_EV_CRASH;
}

struct outcome {
    struct sim_run run;
    struct tally tally;
};

static const struct probe_state *st(const struct outcome *o, uint32_t v)
{
    return disco_view_state(disco_sim_view(o->run.sim), v);
}

/* Every run here has --delay const:10. */
static void config(struct disco_config *cfg, const struct disco_algorithm *alg,
                   uint64_t seed)
{
    sim_config(cfg, alg, seed, "const:10");
}

/* Run `alg` on `spec` with `cfg`, tallying the events; cfg must also pass
 * the model check the command line makes before a run. */
static void run(struct outcome *o, const struct disco_algorithm *alg,
                const char *spec, struct disco_config *cfg)
{
    memset(&o->tally, 0, sizeof o->tally);
    struct disco_observer tally = {.self = &o->tally, .on_event = tally_event};
    sim_run_observed(&o->run, alg, spec, 1, cfg, &tally);
    char warning[256];
    struct disco_error err = {0};
    if (disco_model_check(alg, &o->run.topo, cfg, warning, sizeof warning,
                          &err))
        fail_msg("model: %s", err.message);
}

static void release(struct outcome *o, struct disco_config *cfg)
{
    sim_run_release(&o->run);
    disco_config_release(cfg);
}

/* ---- partitions --------------------------------------------------------- */

static void test_partition_both_ways(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    config(&cfg, &probe, 1);
    assert_ok(disco_partition_parse(&cfg, "0-2|3-5@0:100", 6, &err), &err);
    struct outcome o;
    run(&o, &probe, "complete:6", &cfg);
    /* 30 messages; the 18 that cross the cut are lost. */
    assert_int_equal(o.run.metrics->messages, 30);
    assert_int_equal(o.run.metrics->dropped, 18);
    for (uint32_t v = 0; v < 6; v++) {
        assert_int_equal(st(&o, v)->received, 2);
        for (uint32_t u = 0; u < 6; u++)
            assert_int_equal(st(&o, v)->heard[u] != 0,
                             u != v && (u < 3) == (v < 3));
    }
    assert_int_equal(o.tally.faults, 1);
    release(&o, &cfg);
}

static void test_partition_one_way(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    config(&cfg, &probe, 1);
    /* From {0,1,2} to the rest only: A still hears B. */
    assert_ok(disco_partition_parse(&cfg, "0-2>@0:100", 6, &err), &err);
    struct outcome o;
    run(&o, &probe, "complete:6", &cfg);
    assert_int_equal(o.run.metrics->dropped, 9);
    for (uint32_t v = 0; v < 3; v++)
        assert_int_equal(st(&o, v)->received, 5);
    for (uint32_t v = 3; v < 6; v++)
        assert_int_equal(st(&o, v)->received, 2);
    release(&o, &cfg);
}

static void test_partition_heals(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    config(&cfg, &probe, 1);
    cfg.params[P_AT] = 20; /* after the heal at 10 */
    assert_ok(disco_partition_parse(&cfg, "0|1,2@0:10", 3, &err), &err);
    /* A cut inside the partition outlives the partition's heal. */
    assert_ok(
        disco_faults_parse(&cfg, DISCO_FAULT_LINK_DOWN, "0-1@5:50", 3, &err),
        &err);
    struct outcome o;
    run(&o, &probe, "complete:3", &cfg);
    assert_int_equal(o.run.metrics->dropped, 2); /* 0->1 and 1->0, still cut */
    assert_int_equal(st(&o, 2)->received, 2);
    assert_int_equal(o.tally.faults, 1);
    assert_int_equal(o.tally.heals, 1);
    release(&o, &cfg);
}

static void test_partition_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *message;
    } bad[] = {
        {"0-2", "expected A|B@T1:T2 or A>B@T1:T2"},
        {"0-2|2-3@5", "node 2 is on both sides"},
        {"0-5@5", "each side needs a node"},
        {"0-9@5", "'0-9' is not within the nodes 0..5"},
        {"0|1>2@5", "use '|' (both ways) or '>' (one way), not both"},
        {"0|1@5:5", "the window must end after it starts"},
        {"x|1@5", "'x' is not a node or a range A-B"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct disco_config cfg;
        struct disco_error err = {0};
        char want[256];
        disco_config_init(&cfg, &probe);
        assert_int_not_equal(disco_partition_parse(&cfg, bad[i].text, 6, &err),
                             0);
        snprintf(want, sizeof want, "bad --partition '%s': %s", bad[i].text,
                 bad[i].message);
        assert_string_equal(err.message, want);
        assert_int_equal(cfg.partition_count, 0);
        assert_int_equal(cfg.fault_count, 0);
        disco_config_release(&cfg);
    }
}

/* ---- omission ------------------------------------------------------------ */

static void test_send_omission(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    config(&cfg, &probe, 1);
    assert_ok(disco_omission_parse(&cfg, DISCO_FAULT_OMIT_SEND, "1@0", 4, &err),
              &err);
    struct outcome o;
    run(&o, &probe, "complete:4", &cfg);
    /* Node 1 sends (its messages count) but none arrives. */
    assert_int_equal(o.run.metrics->messages, 12);
    assert_int_equal(o.run.metrics->dropped, 3);
    for (uint32_t v = 0; v < 4; v++)
        assert_int_equal(st(&o, v)->heard[1], 0);
    assert_int_equal(st(&o, 1)->received, 3); /* it still receives */
    release(&o, &cfg);
}

static void test_receive_omission_window_and_rate(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    config(&cfg, &probe, 3);
    /* The window closes before the messages arrive at 15: no effect. */
    assert_ok(
        disco_omission_parse(&cfg, DISCO_FAULT_OMIT_RECEIVE, "2@0:10", 4, &err),
        &err);
    struct outcome o;
    run(&o, &probe, "complete:4", &cfg);
    assert_int_equal(o.run.metrics->dropped, 0);
    release(&o, &cfg);

    /* Half of 199 arrivals omitted: 99.5 expected, sigma about 7. */
    config(&cfg, &probe, 3);
    assert_ok(disco_omission_parse(&cfg, DISCO_FAULT_OMIT_RECEIVE, "0@0/0.5",
                                   200, &err),
              &err);
    run(&o, &probe, "complete:200", &cfg);
    uint32_t received = st(&o, 0)->received;
    assert_in_range(received, 78, 121);
    assert_int_equal(o.run.metrics->dropped, 199 - received);
    assert_int_equal(st(&o, 1)->received, 199);
    release(&o, &cfg);

    disco_config_init(&cfg, &probe);
    assert_int_equal(disco_omission_parse(&cfg, DISCO_FAULT_OMIT_SEND,
                                          "1@0/1.5", 4, &err),
                     DISCO_EINVAL);
    assert_string_equal(err.message, "bad --omit-send '1@0/1.5': '1.5' is not "
                                     "a probability in [0, 1]");
    disco_config_release(&cfg);
}

/* ---- crash in the middle of a step, delay changes ------------------------ */

static void test_partial_crash(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    config(&cfg, &probe, 1);
    assert_ok(disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "0@3+2", 6, &err),
              &err);
    struct outcome o;
    run(&o, &probe, "complete:6", &cfg);
    /* Node 0's step at tick 5 sends on ports 0 and 1, then it crashes. */
    assert_int_equal(o.run.metrics->messages, 25 + 2);
    assert_true(disco_view_crashed(disco_sim_view(o.run.sim), 0));
    assert_int_equal(st(&o, 1)->heard[0], 1);
    assert_int_equal(st(&o, 2)->heard[0], 1);
    for (uint32_t v = 3; v < 6; v++)
        assert_int_equal(st(&o, v)->heard[0], 0);
    assert_int_equal(st(&o, 0)->received, 0); /* crashed before arrivals */
    assert_int_equal(o.tally.crashes, 1);
    release(&o, &cfg);

    /* At tick 0 it strikes init's sends: a synchronous first round. */
    config(&cfg, &probe_sync, 1);
    assert_ok(disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "0@0+1", 4, &err),
              &err);
    run(&o, &probe_sync, "complete:4", &cfg);
    assert_int_equal(o.run.metrics->messages, 9 + 1);
    assert_int_equal(st(&o, 1)->heard[0], 1);
    assert_int_equal(st(&o, 2)->heard[0], 0);
    release(&o, &cfg);
}

static void test_delay_change(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    config(&cfg, &probe, 1);
    assert_ok(disco_delay_change_parse(&cfg, "const:50@3", &err), &err);
    struct outcome o;
    run(&o, &probe, "complete:3", &cfg);
    assert_int_equal(o.run.metrics->time, 55); /* sent at 5 under the new law */
    assert_int_equal(o.tally.faults, 1);
    release(&o, &cfg);

    /* Back to the run's own law (const:10) before the sends at 5: they
     * arrive at 15, as if nothing had changed. */
    config(&cfg, &probe, 1);
    assert_ok(disco_delay_change_parse(&cfg, "const:50@3", &err), &err);
    assert_ok(disco_delay_change_parse(&cfg, "const:10@4", &err), &err);
    run(&o, &probe, "complete:3", &cfg);
    assert_int_equal(o.run.metrics->time, 15);
    assert_int_equal(o.tally.faults, 2);
    release(&o, &cfg);

    disco_config_init(&cfg, &probe);
    assert_int_equal(disco_delay_change_parse(&cfg, "cnst:5@3", &err),
                     DISCO_EUNKNOWN);
    assert_int_equal(disco_delay_change_parse(&cfg, "const:5", &err),
                     DISCO_EINVAL);
    disco_config_release(&cfg);
}

/* Arrival time of the first message at each node, and from whom. */
struct arrivals {
    disco_time_t at[4];
    uint32_t from[4];
    uint32_t count;
};

static void arrival_event(void *self, const struct disco_event_view *ev)
{
    struct arrivals *a = self;
    if (ev->type != DISCO_EV_RECV || ev->node >= 4)
        return;
    a->count++;
    if (a->at[ev->node] == 0) {
        a->at[ev->node] = ev->time;
        a->from[ev->node] = ev->peer;
    }
}

/* A channel whose own law happens to equal the run's --delay keeps it
 * after a --delay-change: only channels without a law of their own follow
 * the change.  (Both laws once shared one table slot, so the change moved
 * the own-law channel too.) */
static void test_delay_change_spares_own_law(void **state)
{
    (void)state;
    static const char dot[] =
        "digraph own { a; b; c; d;\n"
        "  a -> b [delay = \"const:10\"];\n" /* own law, equal to --delay */
        "  a -> c;\n"                        /* the run's law */
        "  a -> d [delay = \"const:20\"];\n" /* own law, another one */
        "}\n";
    struct disco_scenario sc;
    struct disco_error err = {0};
    assert_ok(disco_scenario_load_text(&sc, dot, "own.dot", &err), &err);
    struct disco_config cfg;
    config(&cfg, &probe, 1); /* --delay const:10; a sends at tick 5 */
    assert_ok(disco_delay_change_parse(&cfg, "const:50@3", &err), &err);
    assert_ok(disco_scenario_apply(&sc, &cfg, &err), &err);
    struct arrivals a = {0};
    struct disco_observer obs = {.self = &a, .on_event = arrival_event};
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on_observed(&run, &probe, &sc.topo, &cfg, &obs);
    assert_int_equal(a.count, 3);
    assert_int_equal(a.from[1], 0);
    assert_int_equal(a.at[1], 5 + 10); /* b: its own const:10 */
    assert_int_equal(a.from[2], 0);
    assert_int_equal(a.at[2], 5 + 50); /* c: follows the change */
    assert_int_equal(a.from[3], 0);
    assert_int_equal(a.at[3], 5 + 20); /* d: its own const:20 */
    assert_int_equal(run.metrics->time, 55);
    sim_run_release(&run);
    disco_config_release(&cfg);
    disco_scenario_release(&sc);
}

/* Create a sim of probe (--delay const:10) on the scenario `dot` with
 * `changes` delay changes const:101@1000, const:102@1000, ...; the status
 * of disco_sim_create, its message in *err. */
static int create_with_laws(const char *dot, unsigned changes,
                            struct disco_error *err)
{
    struct disco_scenario sc;
    assert_ok(disco_scenario_load_text(&sc, dot, "laws.dot", err), err);
    struct disco_config cfg;
    config(&cfg, &probe, 1);
    for (unsigned i = 1; i <= changes; i++) {
        char change[32];
        snprintf(change, sizeof change, "const:%u@1000", 100 + i);
        assert_ok(disco_delay_change_parse(&cfg, change, err), err);
    }
    assert_ok(disco_scenario_apply(&sc, &cfg, err), err);
    struct disco_sim *sim = NULL;
    int rc = disco_sim_create(&sim, &probe, &sc.topo, &cfg, err);
    disco_sim_free(sim);
    disco_config_release(&cfg);
    disco_scenario_release(&sc);
    return rc;
}

/* At most 16 distinct delay laws in a run: --delay and 15 changes pass, a
 * 16th change is refused.  A channel's own law equal to --delay takes a
 * slot of its own (so that a change spares it) but is no 17th law. */
static void test_sixteen_distinct_laws(void **state)
{
    (void)state;
    static const char plain[] = "digraph p { a; b; a -> b; }\n";
    static const char own_copy[] =
        "digraph c { a; b; a -> b [delay = \"const:10\"]; }\n";
    static const char own_other[] =
        "digraph o { a; b; a -> b [delay = \"const:20\"]; }\n";
    struct disco_error err = {0};
    assert_int_equal(create_with_laws(plain, 15, &err), 0);
    assert_int_equal(create_with_laws(own_copy, 15, &err), 0);
    assert_int_equal(create_with_laws(plain, 16, &err), DISCO_ELIMIT);
    assert_string_equal(err.message, "at most 16 distinct delay laws in a run");
    assert_int_equal(create_with_laws(own_copy, 16, &err), DISCO_ELIMIT);
    /* A channel's law of its own that is new counts: 15 changes are one
     * too many. */
    assert_int_equal(create_with_laws(own_other, 14, &err), 0);
    assert_int_equal(create_with_laws(own_other, 15, &err), DISCO_ELIMIT);
}

/* ---- Byzantine processes and signatures ---------------------------------- */

static void byzantine_run(struct outcome *o, struct disco_config *cfg,
                          const char *strategy)
{
    config(cfg, &probe, 1);
    sim_config_byzantine(cfg, "1", 6, strategy);
    run(o, &probe, "complete:6", cfg);
}

static void test_byzantine_generic_strategies(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct outcome o;

    byzantine_run(&o, &cfg, "silent");
    assert_int_equal(o.run.metrics->messages, 25);
    for (uint32_t v = 0; v < 6; v++)
        assert_int_equal(st(&o, v)->heard[1], 0);
    assert_true(disco_view_byzantine(disco_sim_view(o.run.sim), 1));
    assert_true(disco_view_faulty(disco_sim_view(o.run.sim), 1));
    assert_false(disco_view_faulty(disco_sim_view(o.run.sim), 0));
    release(&o, &cfg);

    /* flip: everyone hears 1 (stored +1) from node 1, unsigned. */
    byzantine_run(&o, &cfg, "flip");
    assert_int_equal(o.run.metrics->messages, 30);
    for (uint32_t v = 0; v < 6; v++) {
        if (v == 1)
            continue;
        assert_int_equal(st(&o, v)->heard[1], 2);
        assert_int_equal(st(&o, v)->heard[(v + 1) % 6 == 1 ? 2 : (v + 1) % 6],
                         1);
        assert_int_equal(st(&o, v)->bad_signatures, 1);
    }
    assert_int_equal(o.tally.forged, 5);
    release(&o, &cfg);

    /* equivocate: the truth to nodes 0, 2, 3 (2v <= n), lies to 4, 5. */
    byzantine_run(&o, &cfg, "equivocate");
    assert_int_equal(st(&o, 0)->heard[1], 1);
    assert_int_equal(st(&o, 2)->heard[1], 1);
    assert_int_equal(st(&o, 3)->heard[1], 1);
    assert_int_equal(st(&o, 4)->heard[1], 2);
    assert_int_equal(st(&o, 5)->heard[1], 2);
    assert_int_equal(o.tally.forged, 2);
    release(&o, &cfg);

    /* random: values 2..51 (stored 3..52), from the node's own stream. */
    byzantine_run(&o, &cfg, "random");
    for (uint32_t v = 0; v < 6; v++)
        if (v != 1)
            assert_in_range(st(&o, v)->heard[1], 3, 52);
    release(&o, &cfg);

    /* The algorithm's own strategy re-signs: the lie verifies. */
    byzantine_run(&o, &cfg, "resign");
    for (uint32_t v = 0; v < 6; v++) {
        if (v == 1)
            continue;
        assert_int_equal(st(&o, v)->heard[1], 8);
        assert_int_equal(st(&o, v)->bad_signatures, 0);
    }
    release(&o, &cfg);
}

static void test_byzantine_model_errors(void **state)
{
    (void)state;
    struct disco_topology topo;
    struct disco_error err = {0};
    assert_int_equal(disco_topology_generate(&topo, "complete:4", 1, &err), 0);
    struct disco_config cfg;
    char warning[256];

    disco_config_init(&cfg, &probe);
    sim_config_byzantine(&cfg, "0", 4, "resing");
    assert_int_equal(disco_model_check(&probe, &topo, &cfg, warning,
                                       sizeof warning, &err),
                     DISCO_EUNKNOWN);
    assert_string_equal(err.message, "unknown strategy 'resing' for probe "
                                     "(did you mean 'resign'?)");
    disco_config_release(&cfg);

    disco_config_init(&cfg, &probe_honest);
    sim_config_byzantine(&cfg, "0", 4, "flip");
    assert_int_equal(disco_model_check(&probe_honest, &topo, &cfg, warning,
                                       sizeof warning, &err),
                     DISCO_EMODEL);
    assert_string_equal(err.message,
                        "probe-honest cannot falsify its messages, so "
                        "strategy 'flip' cannot run; use silent");
    disco_config_release(&cfg);

    disco_config_init(&cfg, &probe);
    assert_int_equal(disco_byzantine_parse(&cfg, "4", 4, &err), DISCO_EINVAL);
    assert_string_equal(err.message,
                        "bad --byzantine '4': '4' is not a node (0..3)");
    assert_int_equal(disco_byzantine_parse(&cfg, "0,2,0", 4, &err),
                     DISCO_EINVAL);
    assert_string_equal(err.message,
                        "bad --byzantine '0,2,0': node 0 is listed twice");
    disco_config_release(&cfg);
    disco_topology_release(&topo);
}

/* ---- failure detectors ---------------------------------------------------- */

/* The watcher polls its detector every 10 ticks up to 300 and keeps what
 * it saw: per poll, a bit mask of suspects. */
struct watch_state {
    uint64_t suspects[31];
};

static void watch_init(struct disco_ctx *ctx, void *state)
{
    (void)state;
    disco_set_timer(ctx, 0, 0);
}

static void watch_on_timer(struct disco_ctx *ctx, void *state, uint64_t poll)
{
    struct watch_state *s = state;
    for (uint32_t v = 0; v < disco_nodes(ctx); v++)
        if (disco_suspects(ctx, v))
            s->suspects[poll] |= 1ull << v;
    if (poll < 30)
        disco_set_timer(ctx, 10, poll + 1);
}

static const struct disco_algorithm watcher = {
    .name = "watcher",
    .family = "test",
    .summary = "polls the failure detector",
    .model = {.timing = DISCO_ASYNC, .initiators = "all"},
    .state_size = sizeof(struct watch_state),
    .init = watch_init,
    .on_timer = watch_on_timer,
};

static void watch(struct outcome *o, struct disco_config *cfg,
                  const char *detector, uint64_t seed)
{
    struct disco_error err = {0};
    config(cfg, &watcher, seed);
    assert_ok(disco_detector_parse(cfg, detector, &err), &err);
    assert_ok(disco_faults_parse(cfg, DISCO_FAULT_CRASH, "3@55", 6, &err),
              &err);
    run(o, &watcher, "complete:6", cfg);
}

static uint64_t seen(const struct outcome *o, uint32_t v, unsigned poll)
{
    return ((const struct watch_state *)disco_view_state(
                disco_sim_view(o->run.sim), v))
        ->suspects[poll];
}

static void test_detectors(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct outcome o;

    /* P: exactly the crashed, from the crash on (polls at 0, 10, ...). */
    watch(&o, &cfg, "perfect", 1);
    for (uint32_t v = 0; v < 6; v++) {
        if (v == 3)
            continue;
        for (unsigned poll = 0; poll <= 30; poll++)
            assert_int_equal(seen(&o, v, poll), poll >= 6 ? 1u << 3 : 0);
    }
    release(&o, &cfg);

    /* <>P from 150: arbitrary before (some false suspicion over the
     * seeds), exactly the crashed after. */
    uint64_t false_before = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        watch(&o, &cfg, "eventually-perfect:150", seed);
        for (uint32_t v = 0; v < 6; v++) {
            if (v == 3)
                continue;
            for (unsigned poll = 0; poll < 15; poll++)
                false_before += (seen(&o, v, poll) & ~(1ull << 3)) != 0;
            for (unsigned poll = 15; poll <= 30; poll++)
                assert_int_equal(seen(&o, v, poll), 1u << 3);
        }
        release(&o, &cfg);
    }
    assert_true(false_before > 0);

    /* <>S from 150: the crashed always suspected, node 0 (never crashes)
     * never, and some live node still falsely suspected after 150. */
    uint64_t false_after = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        watch(&o, &cfg, "eventually-strong:150:20", seed);
        for (uint32_t v = 0; v < 6; v++) {
            if (v == 3)
                continue;
            for (unsigned poll = 15; poll <= 30; poll++) {
                uint64_t s = seen(&o, v, poll);
                assert_true(s & (1u << 3));
                assert_false(s & 1u);
                false_after += (s & ~(1ull << 3)) != 0;
            }
        }
        release(&o, &cfg);
    }
    assert_true(false_after > 0);

    /* No detector: nobody is suspected, crashed or not. */
    config(&cfg, &watcher, 1);
    struct disco_error err = {0};
    assert_ok(disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "3@55", 6, &err),
              &err);
    run(&o, &watcher, "complete:6", &cfg);
    for (uint32_t v = 0; v < 6; v++) {
        if (v == 3)
            continue;
        for (unsigned poll = 0; poll <= 30; poll++)
            assert_int_equal(seen(&o, v, poll), 0);
    }
    release(&o, &cfg);
}

/* ---- dynamic round graphs ------------------------------------------------ */

static void dynamic_run(struct outcome *o, struct disco_config *cfg,
                        const char *spec, const char *dynamic, uint64_t seed,
                        int rounds)
{
    struct disco_error err = {0};
    config(cfg, &probe_sync, seed);
    cfg->sync = true;
    cfg->params[P_ROUNDS] = rounds;
    assert_ok(disco_dynamic_parse(cfg, dynamic, &err), &err);
    run(o, &probe_sync, spec, cfg);
}

/* Whether every node is reachable from some root over the round's graph
 * (in-sets: senders heard by each node in the round). */
static bool rooted(const uint64_t *heard_by, uint32_t n)
{
    for (uint32_t root = 0; root < n; root++) {
        uint64_t reached = 1ull << root, before = 0;
        while (reached != before) {
            before = reached;
            for (uint32_t v = 0; v < n; v++)
                if (heard_by[v] & reached)
                    reached |= 1ull << v;
        }
        if (reached == (n == 64 ? UINT64_MAX : (1ull << n) - 1))
            return true;
    }
    return false;
}

static void test_dynamic_rooted_and_nonsplit(void **state)
{
    (void)state;
    const uint32_t n = 8;
    for (uint64_t seed = 1; seed <= 50; seed++) {
        struct disco_config cfg;
        struct outcome o;
        dynamic_run(&o, &cfg, "complete:8", "rooted", seed, 8);
        uint64_t delivered = 0;
        for (unsigned r = 0; r < 8; r++) {
            uint64_t heard_by[8];
            for (uint32_t v = 0; v < n; v++) {
                heard_by[v] = st(&o, v)->round_senders[r];
                delivered += (uint64_t)__builtin_popcountll(heard_by[v]);
            }
            /* p = 0: exactly a spanning tree, n-1 channels. */
            assert_true(rooted(heard_by, n));
        }
        assert_int_equal(delivered, 8 * (n - 1));
        assert_int_equal(o.run.metrics->messages, 8 * 56);
        release(&o, &cfg);

        dynamic_run(&o, &cfg, "complete:8", "nonsplit:0.3", seed, 8);
        for (unsigned r = 0; r < 8; r++)
            for (uint32_t u = 0; u < n; u++)
                for (uint32_t v = u + 1; v < n; v++) {
                    uint64_t a = st(&o, u)->round_senders[r] | 1ull << u;
                    uint64_t b = st(&o, v)->round_senders[r] | 1ull << v;
                    assert_true(a & b);
                }
        release(&o, &cfg);
    }
}

static void test_dynamic_removal_and_determinism(void **state)
{
    (void)state;
    struct disco_config cfg, again;
    struct outcome o, p;
    dynamic_run(&o, &cfg, "complete:6", "remove:2", 9, 8);
    uint64_t total = 0;
    for (unsigned r = 0; r < 8; r++) {
        uint64_t round = 0;
        for (uint32_t v = 0; v < 6; v++)
            round += (uint64_t)__builtin_popcountll(st(&o, v)->round_senders[r]);
        /* Up to two edges, both directions each. */
        assert_in_range(round, 26, 30);
        assert_int_equal(round % 2, 0);
        total += round;
    }
    assert_true(total < 8 * 30);
    dynamic_run(&p, &again, "complete:6", "remove:2", 9, 8);
    for (uint32_t v = 0; v < 6; v++)
        assert_memory_equal(st(&o, v), st(&p, v), sizeof(struct probe_state));
    release(&p, &again);
    release(&o, &cfg);

    struct disco_error err = {0};
    disco_config_init(&cfg, &probe_sync);
    assert_int_equal(disco_dynamic_parse(&cfg, "nonsplat", &err),
                     DISCO_EUNKNOWN);
    assert_string_equal(err.message, "unknown dynamic network 'nonsplat' (did "
                                     "you mean 'nonsplit'?)");
    disco_config_release(&cfg);

    /* On ring:6 nodes 0 and 3 hear from no common node even with every
     * channel there: no round can be nonsplit, and the run is refused
     * instead of silently getting split rounds. */
    struct disco_topology ring;
    struct disco_sim *sim = NULL;
    assert_int_equal(disco_topology_generate(&ring, "ring:6", 1, &err), 0);
    config(&cfg, &probe_sync, 1);
    cfg.sync = true;
    assert_ok(disco_dynamic_parse(&cfg, "nonsplit", &err), &err);
    assert_int_equal(disco_sim_create(&sim, &probe_sync, &ring, &cfg, &err),
                     DISCO_EMODEL);
    assert_string_equal(err.message,
                        "--dynamic nonsplit needs a topology where every two "
                        "nodes hear from a common node (a complete graph, "
                        "say); 'ring:6' is not one");
    disco_config_release(&cfg);
    disco_topology_release(&ring);
}

/* ---- on_link: nodes hear of their links ---------------------------------- */

struct link_state {
    uint32_t downs[4], ups[4];  /* per out-port */
    disco_time_t last_change;
};

static void link_on_link(struct disco_ctx *ctx, void *state, uint32_t port,
                         bool up)
{
    struct link_state *s = state;
    if (up)
        s->ups[port]++;
    else
        s->downs[port]++;
    s->last_change = disco_now(ctx);
}

static const struct disco_algorithm linker = {
    .name = "linker",
    .family = "test",
    .summary = "counts its link changes",
    .model = {.timing = DISCO_ASYNC, .initiators = "all"},
    .state_size = sizeof(struct link_state),
    .on_link = link_on_link,
};

static void test_on_link(void **state)
{
    (void)state;
    struct disco_config cfg;
    struct disco_error err = {0};
    config(&cfg, &linker, 1);
    /* Two overlapping cuts of 0-1: one notice down, one up, at 10 and 30;
     * a partition {0} | {1, 2} from 40 to 50 tells 0 of both ports. */
    assert_ok(disco_faults_parse(&cfg, DISCO_FAULT_LINK_DOWN,
                                 "0-1@10:20,1-0@15:30", 3, &err),
              &err);
    assert_ok(disco_partition_parse(&cfg, "0@40:50", 3, &err), &err);
    struct outcome o;
    run(&o, &linker, "complete:3", &cfg);
    const struct disco_view *view = disco_sim_view(o.run.sim);
    const struct link_state *s0 = disco_view_state(view, 0);
    const struct link_state *s1 = disco_view_state(view, 1);
    const struct link_state *s2 = disco_view_state(view, 2);
    /* Node 0: port 0 leads to 1, port 1 to 2. */
    assert_int_equal(s0->downs[0], 2);
    assert_int_equal(s0->ups[0], 2);
    assert_int_equal(s0->downs[1], 1);
    assert_int_equal(s0->ups[1], 1);
    assert_int_equal(s1->downs[0], 2);
    assert_int_equal(s1->downs[1], 0);
    assert_int_equal(s2->downs[0], 1);
    assert_int_equal(s2->downs[1], 0);
    /* Link changes are work: the run lasts until the heal at 50. */
    assert_int_equal(o.run.metrics->time, 50);
    assert_int_equal(s0->last_change, 50);
    release(&o, &cfg);
}

/* ---- FloodSet's threshold with the kernel's crashes mid-step ------------ */

extern const struct disco_algorithm disco_alg_floodset;

/* The f+1 lower bound's chain (p0 reaches only p1 in round 1, p1 only p2
 * in round 2) from --crash NODE@T+K alone: f = 2 rounds disagree, f+1 = 3
 * agree on p0's 0. */
static void test_floodset_chain_by_partial_crashes(void **state)
{
    (void)state;
    static const char *const values[] = {"0", "1", "1", "1", "1"};
    for (int rounds = 2; rounds <= 3; rounds++) {
        struct disco_config cfg;
        struct disco_error err = {0};
        disco_config_init(&cfg, &disco_alg_floodset);
        cfg.params[0] = 2; /* f */
        cfg.params[1] = rounds;
        cfg.inputs = calloc(5, sizeof *cfg.inputs);
        assert_non_null(cfg.inputs);
        for (uint32_t v = 0; v < 5; v++) {
            cfg.inputs[v].node = v;
            snprintf(cfg.inputs[v].name, sizeof cfg.inputs[v].name, "value");
            cfg.inputs[v].value = atoi(values[v]);
        }
        cfg.input_count = 5;
        assert_ok(
            disco_faults_parse(&cfg, DISCO_FAULT_CRASH, "0@0+1,1@1+2", 5, &err),
            &err);
        struct sim_run r;
        sim_run(&r, &disco_alg_floodset, "complete:5", 1, &cfg);
        assert_string_equal(r.results[0].name, "agreement");
        if (rounds == 2) {
            assert_int_equal(r.results[0].holds, DISCO_HOLDS_NO);
            assert_string_equal(r.results[0].detail,
                                "node 2 decided 0, node 3 1");
            assert_int_equal(r.metrics->messages, 31);
        } else {
            assert_all_hold(&r);
            assert_int_equal(r.metrics->messages, 43);
        }
        sim_run_release(&r);
        disco_config_release(&cfg);
    }
}

/* ---- the quiescence oracle ------------------------------------------------ */

/* Node 0 works until tick 10, falls passive, wakes (wrongly, on a timer) at
 * 20 and sends one basic message, which node 1 handles until 30; the ack
 * back is a control message and does not count. */
static void sleeper_init(struct disco_ctx *ctx, void *state)
{
    (void)state;
    if (disco_self(ctx) == 0) {
        disco_set_passive(ctx, false);
        disco_set_timer(ctx, 10, 0);
        disco_set_timer(ctx, 20, 1);
    }
}

static void sleeper_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    (void)state;
    if (disco_self(ctx) == 1) {
        disco_set_passive(ctx, true);
        disco_send(ctx, 0, 1, NULL, 0); /* the control ack */
    } else if (tag == 0) {
        disco_set_passive(ctx, true);
    } else {
        disco_send(ctx, 0, 0, NULL, 0);
    }
}

static void sleeper_on_message(struct disco_ctx *ctx, void *state,
                               uint32_t port, unsigned kind,
                               const void *payload, size_t len)
{
    (void)state, (void)port, (void)payload, (void)len;
    if (kind == 0) {
        disco_set_passive(ctx, false);
        disco_set_timer(ctx, 0, 0);
    }
}

static const char *const sleeper_kinds[] = {"basic", "ack"};
static const struct disco_algorithm sleeper = {
    .name = "sleeper",
    .family = "test",
    .summary = "falls quiet twice",
    .model = {.timing = DISCO_ASYNC, .initiators = "all"},
    .message_kinds = sleeper_kinds,
    .kind_count = 2,
    .control_kinds = 1u << 1,
    .state_size = 16,
    .init = sleeper_init,
    .on_message = sleeper_on_message,
    .on_timer = sleeper_on_timer,
};

static void test_quiescence_oracle(void **state)
{
    (void)state;
    struct disco_config cfg;
    config(&cfg, &sleeper, 1);
    struct outcome o;
    run(&o, &sleeper, "line:2", &cfg);
    disco_time_t since, first;
    assert_true(
        disco_view_quiescence(disco_sim_view(o.run.sim), &since, &first));
    assert_int_equal(first, 10);
    assert_int_equal(since, 30); /* the message arrived at 30 and was
                                  * handled at once */
    /* The control ack still travelled. */
    assert_int_equal(o.run.metrics->time, 40);
    release(&o, &cfg);
}

/* ---- the command line ------------------------------------------------------ */

/* Bad fault options: exit 2, one line naming the culprit, no file left. */
static void expect_refused(const char *expected, const char *const args[])
{
    char *dir = tmpdir_create();
    char *trace = path_in(dir, "x.jsonl");
    const char *argv[32] = {NULL, "run"};
    int n = 2;
    for (int i = 0; args[i]; i++)
        argv[n++] = args[i];
    argv[n++] = "--trace";
    argv[n++] = trace;
    argv[n] = NULL;
    struct cli_output o;
    cli_run(&o, argv);
    assert_int_equal(o.status, 2);
    assert_string_equal(o.err, expected);
    assert_int_equal(o.out_len, 0);
    assert_int_equal(dir_entry_count(dir), 0);
    cli_output_release(&o);
    free(trace);
    tmpdir_remove(dir);
}

static void test_cli_refuses_bad_faults(void **state)
{
    (void)state;
    static const struct {
        const char *args[6];
        const char *expected;
    } cases[] = {
        {{"echo", "--partition", "0-2|2@5"},
         "disco: bad --partition '0-2|2@5': node 2 is on both sides\n"},
        {{"echo", "--topology", "ring:8", "--omit-send", "9@5"},
         "disco: omit-send node 9 is not a node (0..7)\n"},
        {{"echo", "--dynamic", "rooted"},
         "disco: --dynamic draws a graph per round; it needs synchronous "
         "rounds (--sync)\n"},
        {{"floodset", "--byzantine", "0", "--strategy", "equivocat"},
         "disco: unknown strategy 'equivocat' for floodset (did you mean "
         "'equivocate'?)\n"},
        {{"echo", "--detector", "eventualy-strong:5"},
         "disco: unknown failure detector 'eventualy-strong' (did you mean "
         "'eventually-strong'?)\n"},
        {{"echo", "--delay-change", "const:5"},
         "disco: bad --delay-change 'const:5': expected LAW@T\n"},
        {{"echo", "--crash", "1@5+"},
         "disco: bad --crash '1@5+': '' is not a number of sends\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_refused(cases[i].expected, cases[i].args);
}

/* The summary's model names the detector with every number that shapes
 * it, so that the JSON reproduces the run. */
static void test_cli_detector_in_model(void **state)
{
    (void)state;
    const char *argv[] = {NULL, "run", "chandra-toueg", "--topology",
                          "complete:4", "--detector", "eventually-strong:10:3",
                          "--json", NULL};
    struct cli_output out;
    cli_run(&out, argv);
    assert_int_equal(out.status, 0);
    assert_non_null(strstr(out.out, "\"detector\": \"eventually-strong\", "
                                    "\"detector_stable\": 10, "
                                    "\"detector_period\": 3}"));
    cli_output_release(&out);
}

/* A scenario whose edges list their rounds, run twice: the same trace,
 * with exactly the messages of absent edges dropped. */
static void test_cli_scenario_rounds(void **state)
{
    (void)state;
    char *dir = tmpdir_create();
    char *dot = path_in(dir, "dynamic.dot");
    char *trace1 = path_in(dir, "1.jsonl"), *trace2 = path_in(dir, "2.jsonl");
    file_write(dot, "graph g { algorithm=floodset; sync=true;\n"
                    "  0 -- 1 [rounds=\"1\"]; 1 -- 2 [rounds=\"2-\"];\n"
                    "  0 -- 2 [rounds=\"3\"]; }\n");
    const char *argv1[] = {NULL, "run", dot, "--json", "--trace", trace1,
                           NULL};
    const char *argv2[] = {NULL, "run", dot, "--json", "--trace", trace2,
                           NULL};
    struct cli_output a, b;
    cli_run(&a, argv1);
    cli_run(&b, argv2);
    assert_int_equal(a.status, 0);
    /* Round 1 carries 0-1 only, round 2 carries 1-2 only: 4 of 6 channels
     * absent in each of the two rounds. */
    assert_int_equal(json_u64(a.out, "messages"), 12);
    size_t len1, len2;
    char *t1 = file_read(trace1, &len1), *t2 = file_read(trace2, &len2);
    assert_non_null(t1);
    assert_non_null(t2);
    assert_int_equal(count_substring(t1, "\"type\": \"drop\""), 8);
    assert_int_equal(len1, len2);
    assert_memory_equal(t1, t2, len1);
    free(t1);
    free(t2);
    cli_output_release(&a);
    cli_output_release(&b);
    /* --dynamic none wins over the edges' rounds: a static network, no
     * message lost, and no dynamic member in the model. */
    const char *argv_static[] = {NULL, "run", dot, "--json", "--dynamic",
                                 "none", NULL};
    cli_run(&a, argv_static);
    assert_int_equal(a.status, 0);
    assert_int_equal(json_u64(a.out, "dropped"), 0);
    assert_null(strstr(a.out, "\"dynamic\""));
    cli_output_release(&a);

    file_write(dot, "graph g { 0 -- 1 [rounds=\"2-1x\"]; }\n");
    const char *argv3[] = {NULL, "run", "floodset", "--topology", dot, NULL};
    cli_run(&a, argv3);
    assert_int_equal(a.status, 2);
    assert_non_null(strstr(a.err, "bad rounds '2-1x'"));
    cli_output_release(&a);
    free(dot);
    free(trace1);
    free(trace2);
    tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_partition_both_ways),
        cmocka_unit_test(test_partition_one_way),
        cmocka_unit_test(test_partition_heals),
        cmocka_unit_test(test_partition_parse_errors),
        cmocka_unit_test(test_send_omission),
        cmocka_unit_test(test_receive_omission_window_and_rate),
        cmocka_unit_test(test_partial_crash),
        cmocka_unit_test(test_delay_change),
        cmocka_unit_test(test_delay_change_spares_own_law),
        cmocka_unit_test(test_sixteen_distinct_laws),
        cmocka_unit_test(test_byzantine_generic_strategies),
        cmocka_unit_test(test_byzantine_model_errors),
        cmocka_unit_test(test_detectors),
        cmocka_unit_test(test_dynamic_rooted_and_nonsplit),
        cmocka_unit_test(test_dynamic_removal_and_determinism),
        cmocka_unit_test(test_floodset_chain_by_partial_crashes),
        cmocka_unit_test(test_on_link),
        cmocka_unit_test(test_quiescence_oracle),
        cmocka_unit_test(test_cli_refuses_bad_faults),
        cmocka_unit_test(test_cli_scenario_rounds),
        cmocka_unit_test(test_cli_detector_in_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
