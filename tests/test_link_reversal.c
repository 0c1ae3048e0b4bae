/*
 * test_link_reversal.c - Gafni-Bertsekas full and partial reversal: the
 * reference's chain, per-node work that no schedule changes on 200 random
 * graphs, link failures (the kernel's cuts and partitions, heard through
 * on_link) repaired and links coming back rejoining by heights, heights
 * from scenario inputs, and the orientation the picture hook draws.
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
#include "scenario.h"
#include "support.h"

extern const struct disco_algorithm disco_alg_full_reversal;
extern const struct disco_algorithm disco_alg_partial_reversal;
extern const struct disco_algorithm disco_alg_binary_link_labels;

#define FR (&disco_alg_full_reversal)
#define PR (&disco_alg_partial_reversal)
#define BLL (&disco_alg_binary_link_labels)
enum { HEIGHT, REVERSE };
enum { P_DESTINATION, P_ORIENTATION, P_ORIENTATION_SEED };
enum { ACYCLIC, VIEWS_AGREE, ONLY_SINK, ROUTES, ROUTED_STAY, HEIGHTS };
#define MAX_N 64

/* The per-node reversal counts from the run's result ("reversals": [...]),
 * which is how a user sees them.  Returns the total. */
static unsigned long work_of(struct sim_run *run, unsigned long *work)
{
    char buf[DISCO_RESULT_TEXT];
    disco_sim_result(run->sim, buf, sizeof buf);
    const char *list = strstr(buf, "\"reversals\": [");
    assert_non_null(list);
    list += strlen("\"reversals\": [");
    unsigned long total = 0;
    for (uint32_t u = 0; u < run->ran_on->nodes; u++) {
        char *end;
        work[u] = strtoul(list, &end, 10);
        assert_true(end != list);
        total += work[u];
        list = end + (*end == ',' ? 2 : 0);
    }
    assert_int_equal(*list, ']');
    const char *t = strstr(buf, "\"total_reversals\": ");
    assert_non_null(t);
    assert_int_equal(strtoul(t + strlen("\"total_reversals\": "), NULL, 10),
                     total);
    return total;
}

/* Full and partial reversal step by heights, and their invariant
 * `heights` must have examined the run.  check_heights holds without
 * looking, "not applicable", when the nodes step by binary link labels;
 * partial reversal stepping by labels does the same work (every label 0),
 * so it would pass every other check here.  Binary link labels itself is
 * not judged by heights. */
static void assert_heights_checked(const struct sim_run *run,
                                   const struct disco_algorithm *alg)
{
    if (alg == BLL)
        return;
    const struct disco_property_result *heights = verdict_of(run, "heights");
    assert_int_equal(heights->holds, DISCO_HOLDS_YES);
    assert_string_equal(heights->detail,
                        "every link points down the heights");
}

/* A run that ends quiet (after its last link change, if any), every
 * property holding (heights examined), its height exchange 2m messages
 * plus one each way for each of the `rejoins` links that came back up.
 * The channel count is the topology's the run ran on, as work_of reads
 * its node count, so that runs on a caller's topology (sim_run_on) are
 * held to it too.  assert_all_hold also fails on a property left
 * unchecked. */
static void check_quiet_run(const struct sim_run *run,
                            const struct disco_algorithm *alg, unsigned rejoins)
{
    assert_int_equal(run->metrics->stop, DISCO_STOP_QUIESCENT);
    assert_all_hold(run);
    assert_heights_checked(run, alg);
    assert_int_equal(run->metrics->by_kind[HEIGHT],
                     run->ran_on->channels + 2 * rejoins);
}

/* The total work on `topo` with no failure, under the random orientation
 * of orientation_seed = g and seed 1: what a failure's cost is measured
 * against.  destination < 0: the algorithm's default.  The run is judged
 * like every other one (quiet, every property holding, heights examined):
 * a baseline that went wrong would make the comparison meaningless. */
static unsigned long work_without_failure(const struct disco_algorithm *alg,
                                          const struct disco_topology *topo,
                                          uint64_t g, int64_t destination)
{
    struct disco_config cfg;
    disco_config_init(&cfg, alg);
    cfg.params[P_ORIENTATION] = 1;
    cfg.params[P_ORIENTATION_SEED] = (int64_t)g;
    if (destination >= 0)
        cfg.params[P_DESTINATION] = destination;
    struct sim_run run;
    memset(&run, 0, sizeof run);
    sim_run_on(&run, alg, topo, &cfg);
    check_quiet_run(&run, alg, 0);
    unsigned long work[MAX_N];
    unsigned long total = work_of(&run, work);
    disco_sim_free(run.sim);
    disco_config_release(&cfg);
    return total;
}

/* The reference's worked case on D-v1-...-v10 with every link pointing away
 * from D: full reversal makes v_i reverse exactly i times (55, and each
 * reversal of v1..v9 announces 2 links, v10's 1: 100 reverse messages),
 * partial reversal each node once (10, one link each).  Every seed, FIFO
 * and not: seeds 1..100 without FIFO, where a reverse can overtake the
 * height sent before it on the same link (on about one seed in eight
 * here, and in the orders that could mislead a node of the full chain on
 * fewer still), and 1..20 with FIFO, where a seed only moves the delays
 * (100 of those made the test nearly twice as long for the same
 * counts). */
static void chain(const struct disco_algorithm *alg, bool full)
{
    for (int fifo = 0; fifo <= 1; fifo++) {
        for (uint64_t seed = 1; seed <= (fifo ? 20 : 100); seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, alg);
            cfg.seed = seed;
            cfg.fifo = fifo;
            struct sim_run run;
            sim_run(&run, alg, "line:11", 1, &cfg);
            check_quiet_run(&run, alg, 0);
            unsigned long work[MAX_N];
            assert_int_equal(work_of(&run, work), full ? 55 : 10);
            for (uint32_t i = 0; i <= 10; i++)
                assert_int_equal(work[i], full ? i : i > 0);
            assert_int_equal(run.metrics->by_kind[REVERSE], full ? 100 : 10);
            /* The longest message chain: the heights, then 2n (n+1). */
            assert_int_equal(run.metrics->causal_depth, full ? 20 : 11);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

static void test_chain_full(void **unused) { chain(FR, true); }
static void test_chain_partial(void **unused) { chain(PR, false); }

static void test_chain_destination_in_the_middle(void **unused)
{
    /* D = 5 on line:11: chain-away points outwards on both sides, so node
     * 5±k reverses k times under full reversal (2·15 = 30), once under
     * partial reversal (10). */
    for (int full = 0; full <= 1; full++) {
        const struct disco_algorithm *alg = full ? FR : PR;
        struct disco_config cfg;
        disco_config_init(&cfg, alg);
        cfg.params[P_DESTINATION] = 5;
        struct sim_run run;
        sim_run(&run, alg, "line:11", 1, &cfg);
        check_quiet_run(&run, alg, 0);
        unsigned long work[MAX_N];
        assert_int_equal(work_of(&run, work), full ? 30 : 10);
        for (uint32_t i = 0; i <= 10; i++) {
            unsigned long k = i < 5 ? 5 - i : i - 5;
            assert_int_equal(work[i], full ? k : k > 0);
        }
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* The orientation hook at the end of the chain: every link points towards
 * D, so from node i the port to i-1 points away (+1), the port to i+1
 * towards (-1). */
static void test_orientation_hook_draws_the_dag(void **unused)
{
    for (int full = 0; full <= 1; full++) {
        const struct disco_algorithm *alg = full ? FR : PR;
        struct sim_run run;
        sim_run(&run, alg, "line:11", 1, NULL);
        /* The hook reads the orientation the heights left: they must
         * have been examined, not passed as not applicable. */
        assert_heights_checked(&run, alg);
        const struct disco_view *view = disco_sim_view(run.sim);
        for (uint32_t i = 0; i <= 10; i++) {
            for (uint32_t p = 0; p < disco_view_degree(view, i); p++) {
                uint32_t j = disco_view_neighbour(view, i, p);
                assert_int_equal(alg->orientation(view, i, p),
                                 j < i ? 1 : -1);
            }
        }
        sim_run_release(&run);
    }
}

/* The second schedule graph g runs under, after seed 1 (FIFO): a non-FIFO
 * one (an even seed), where a reverse can overtake the height sent before
 * it on the same link, which no FIFO run shows; another FIFO seed would
 * only change the delays.  Across the graphs it takes the even seeds
 * 2..20 in turn. */
static uint64_t other_schedule(uint64_t g)
{
    return 2 + 2 * (g % 10);
}

/* 200 random connected graphs (gnp:12:0.3, graph seeds 1..200), each with
 * the random acyclic orientation of orientation_seed = graph seed, under
 * two schedules, FIFO (seed 1) and not (other_schedule): every property
 * holds (acyclic and views agreeing after every event, D the only sink,
 * every node routed, initially routed nodes never reversing) and every
 * node's work is the same under both.  (All 20 seeds on every graph cost
 * ten times as much, and repeat the same comparison on the same DAG with
 * other delays.) */
static void random_graphs(const struct disco_algorithm *alg)
{
    unsigned long total_work = 0;
    for (uint64_t g = 1; g <= 200; g++) {
        unsigned long first[MAX_N];
        const uint64_t seeds[] = {1, other_schedule(g)};
        for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
            uint64_t seed = seeds[k];
            struct disco_config cfg;
            disco_config_init(&cfg, alg);
            cfg.seed = seed;
            cfg.fifo = seed % 2;
            cfg.params[P_ORIENTATION] = 1;
            cfg.params[P_ORIENTATION_SEED] = (int64_t)g;
            cfg.params[P_DESTINATION] = (int64_t)(g % 12);
            struct sim_run run;
            sim_run(&run, alg, "gnp:12:0.3", g, &cfg);
            assert_true(disco_topology_connected(&run.topo));
            check_quiet_run(&run, alg, 0);
            unsigned long work[MAX_N];
            unsigned long total = work_of(&run, work);
            /* After the heights, every message is sent by a reversal. */
            assert_true(run.metrics->causal_depth <= 1 + total);
            if (seed == 1) {
                memcpy(first, work, sizeof work);
                total_work += total;
            } else {
                for (uint32_t u = 0; u < run.topo.nodes; u++)
                    if (work[u] != first[u])
                        fail_msg("%s graph %llu: node %u reversed %lu times "
                                 "with seed %llu, %lu with seed 1", alg->name,
                                 (unsigned long long)g, u, work[u],
                                 (unsigned long long)seed, first[u]);
            }
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
    /* Random orientations must make nodes work, or the test tests little. */
    assert_true(total_work > 200);
}

static void test_random_graphs_full(void **unused) { random_graphs(FR); }
static void test_random_graphs_partial(void **unused) { random_graphs(PR); }

/* Full reversal's work is a function of the initial orientation: node v
 * reverses as often as the fewest links pointing back towards v on any
 * path from v to D (each such link must be turned over once more by the
 * nodes behind it).  An independent check of the counts on the random
 * graphs: the shortest path with 0/1 costs, by Bellman-Ford. */
static void test_full_reversal_work_formula(void **unused)
{
    for (uint64_t g = 1; g <= 200; g++) {
        struct disco_config cfg;
        disco_config_init(&cfg, FR);
        cfg.params[P_ORIENTATION] = 1;
        cfg.params[P_ORIENTATION_SEED] = (int64_t)g;
        struct sim_run run;
        sim_run(&run, FR, "gnp:12:0.3", g, &cfg);
        check_quiet_run(&run, FR, 0);
        unsigned long work[MAX_N];
        work_of(&run, work);
        /* Each reversal of u turns all u's links over, so link u-v was
         * turned work[u] + work[v] times: the initial direction is the
         * final one (the hook) flipped that often. */
        const struct disco_view *view = disco_sim_view(run.sim);
        uint32_t n = run.topo.nodes;
        unsigned long dist[MAX_N];
        for (uint32_t u = 0; u < n; u++)
            dist[u] = u == 0 ? 0 : 1000;
        for (uint32_t round = 0; round < n; round++) {
            for (uint32_t u = 0; u < n; u++) {
                for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
                    uint32_t v = disco_view_neighbour(view, u, p);
                    bool out = FR->orientation(view, u, p) > 0;
                    if ((work[u] + work[v]) % 2)
                        out = !out;
                    unsigned long cost = dist[v] + (out ? 0 : 1);
                    if (cost < dist[u])
                        dist[u] = cost;
                }
            }
        }
        for (uint32_t u = 0; u < n; u++)
            if (dist[u] != work[u])
                fail_msg("graph %llu: node %u reversed %lu times, formula %lu",
                         (unsigned long long)g, u, work[u], dist[u]);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* Ring of 6, D = 0, chain-away: 0->1->...->5 and 0->5.  Both algorithms
 * settle with one reversal per node, but in different DAGs: full reversal
 * ends with 1->0 and 2->3->4->5->0, partial reversal with 5->0 and
 * 4->3->2->1->0.  Then, at t = 100000, one link of D goes down (a --cut;
 * both ends hear of it through on_link).  Losing 0-5 under full reversal
 * leaves 2..5 a chain pointing away from 1: 1, 2, 3, 4 more reversals;
 * losing 0-1 under partial reversal costs one more at each of 1..4.  The
 * other link is not on any route, and its loss costs nothing.  At t =
 * 900000 the link comes back: every node but D has reversed, so it is
 * higher than D, and the link rejoins pointing into D at no cost; cut for
 * good, it stays out of the picture. */
struct failure_case {
    const struct disco_algorithm *alg;
    uint32_t peer; /* the link 0-peer fails */
    unsigned long work[6];
};

static void test_failure_after_settling(void **unused)
{
    static const struct failure_case cases[] = {
        {FR, 5, {0, 1, 2, 3, 4, 5}},
        {FR, 1, {0, 1, 1, 1, 1, 1}},
        {PR, 1, {0, 2, 2, 2, 2, 1}},
        {PR, 5, {0, 1, 1, 1, 1, 1}},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const struct failure_case *c = &cases[k];
        for (uint64_t seed = 1; seed <= 50; seed++) {
            bool back = seed % 3 != 0;
            struct disco_config cfg;
            disco_config_init(&cfg, c->alg);
            cfg.seed = seed;
            cfg.fifo = seed % 2;
            if (back)
                sim_config_cut(&cfg, 0, c->peer, 100000, 900000, 6);
            else
                sim_config_cut_for_good(&cfg, 0, c->peer, 100000, 6);
            struct sim_run run;
            sim_run(&run, c->alg, "ring:6", 1, &cfg);
            assert_int_equal(run.metrics->stop, DISCO_STOP_QUIESCENT);
            /* The link changes are work: the run lasts until the last one
             * (and the height exchange after it, delays up to 100). */
            if (back)
                assert_in_range(run.metrics->time, 900001, 900100);
            else
                assert_in_range(run.metrics->time, 100000, 899999);
            assert_all_hold(&run);
            assert_heights_checked(&run, c->alg);
            unsigned long work[MAX_N];
            work_of(&run, work);
            for (uint32_t u = 0; u < 6; u++)
                assert_int_equal(work[u], c->work[u]);
            /* Back: every link points into D; for good: the failed link is
             * out of the picture. */
            const struct disco_view *view = disco_sim_view(run.sim);
            for (uint32_t p = 0; p < disco_view_degree(view, 0); p++) {
                bool gone =
                    !back && disco_view_neighbour(view, 0, p) == c->peer;
                assert_int_equal(c->alg->orientation(view, 0, p),
                                 gone ? 0 : -1);
            }
            /* One more height message each way when the link rejoins. */
            assert_int_equal(run.metrics->by_kind[HEIGHT], back ? 14 : 12);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
    }
}

/* Whether the graph stays connected without link a-b. */
static bool connected_without(const struct disco_topology *topo, uint32_t a,
                              uint32_t b)
{
    struct disco_edge edges[MAX_N * MAX_N];
    size_t count = 0;
    for (uint32_t u = 0; u < topo->nodes; u++)
        for (uint32_t c = topo->out_offset[u]; c < topo->out_offset[u + 1];
             c++) {
            uint32_t v = topo->out_target[c];
            if (u < v && !(u == a && v == b))
                edges[count++] = (struct disco_edge){u, v, 1};
        }
    struct disco_topology cut;
    struct disco_error err;
    assert_int_equal(disco_topology_build(&cut, topo->nodes, false, edges,
                                          count, false, &err), 0);
    bool connected = disco_topology_connected(&cut);
    disco_topology_release(&cut);
    return connected;
}

/* The link a-b (a < b) at 0-based place `place` among the links whose
 * loss leaves `topo` connected, in the order of the adjacency lists: a
 * link that can fail without cutting anyone off from D.  Fails the
 * calling test when there are not that many. */
static void non_bridge_link(const struct disco_topology *topo, uint32_t place,
                            uint32_t *a, uint32_t *b)
{
    uint32_t seen = 0;
    for (uint32_t u = 0; u < topo->nodes; u++)
        for (uint32_t c = topo->out_offset[u]; c < topo->out_offset[u + 1];
             c++) {
            uint32_t v = topo->out_target[c];
            if (u < v && connected_without(topo, u, v) && seen++ == place) {
                *a = u;
                *b = v;
                return;
            }
        }
    fail_msg("%s: no link at place %u among its %u that are not bridges",
             topo->spec, place, seen);
}

/* Mid-run failures on random graphs: at t = 150, while reversals are still
 * going on, a link whose loss leaves the graph connected goes down, for
 * good or until t = 10^9 (when it rejoins by heights).  The DAG is
 * repaired: acyclic throughout, D the only sink, every node routed (over
 * the links that are up: the oracles leave down links out), and nodes
 * whose initial path to D avoids the link never reverse.  Each graph runs
 * four consecutive seeds, 4k+1..4k+4 with k = g % 5, which are the four
 * kinds of run (link back or not, FIFO or not) once each; across the
 * graphs the seeds run through 1..20.  (All 20 on every graph cost five
 * times as much, and only repeat those four kinds with other delays.) */
static void test_failure_mid_run(void **unused)
{
    /* Graphs 1..GRAPHS, SEEDS_PER_GRAPH consecutive seeds on each. */
    enum { GRAPHS = 40, SEEDS_PER_GRAPH = 4 };
    for (int f = 0; f <= 1; f++) {
        const struct disco_algorithm *alg = f ? FR : PR;
        unsigned changed = 0;
        for (uint64_t g = 1; g <= GRAPHS; g++) {
            struct disco_topology topo;
            struct disco_error err;
            assert_int_equal(disco_topology_generate(&topo, "gnp:12:0.3", g,
                                                     &err), 0);
            uint32_t a = 0, b = 0;
            non_bridge_link(&topo, (uint32_t)(g % 7), &a, &b);
            /* The work without the failure, to see that it matters. */
            unsigned long plain = work_without_failure(alg, &topo, g, -1);
            uint64_t first_seed = SEEDS_PER_GRAPH * (g % 5) + 1;
            for (uint64_t seed = first_seed;
                 seed < first_seed + SEEDS_PER_GRAPH; seed++) {
                struct disco_config cfg;
                disco_config_init(&cfg, alg);
                cfg.seed = seed;
                cfg.fifo = seed % 2;
                cfg.params[P_ORIENTATION] = 1;
                cfg.params[P_ORIENTATION_SEED] = (int64_t)g;
                bool back = seed % 4 < 2;
                if (back)
                    sim_config_cut(&cfg, a, b, 150, 1000000000, topo.nodes);
                else
                    sim_config_cut_for_good(&cfg, a, b, 150, topo.nodes);
                struct sim_run run;
                memset(&run, 0, sizeof run);
                sim_run_on(&run, alg, &topo, &cfg);
                /* Which run broke a property, before the checks every
                 * quiet run gets (a link that comes back rejoins once). */
                for (unsigned i = 0; i < alg->property_count; i++)
                    if (run.results[i].holds != DISCO_HOLDS_YES)
                        fail_msg("%s graph %llu seed %llu cut %u-%u%s: "
                                 "%s: %s", alg->name, (unsigned long long)g,
                                 (unsigned long long)seed, a, b,
                                 back ? " (back)" : "", run.results[i].name,
                                 run.results[i].detail);
                check_quiet_run(&run, alg, back);
                /* The down link is out of the final picture. */
                const struct disco_view *view = disco_sim_view(run.sim);
                uint32_t pa = disco_view_port_to(view, a, b);
                assert_int_equal(disco_view_link_down(view, a, pa), !back);
                assert_int_equal(alg->orientation(view, a, pa) == 0, !back);
                unsigned long work[MAX_N];
                changed += work_of(&run, work) != plain;
                disco_sim_free(run.sim);
                disco_config_release(&cfg);
            }
            disco_topology_release(&topo);
        }
        /* The failure must cost extra work in many runs: more than one in
         * eight of them, a run per graph and seed (100 of 800 when every
         * graph ran 20 seeds). */
        assert_true(changed * 8 > GRAPHS * SEEDS_PER_GRAPH);
    }
}

/* A cut after the DAG has settled, on 60 random graphs (random
 * orientations): the DAG settles at the same per-node work on every
 * schedule, so the cut (at t = 100000, of a link that is not a bridge, for
 * good or until t = 200000) meets the same DAG and the same heights, and
 * the repair, and the rejoining, cost the same on every seed: per-node work
 * identical under seed 1 (FIFO) and other_schedule(g) (not FIFO), every
 * property holding on the graph that is left.  Seed 1 runs every case, so
 * that the count of cases where the cut costs work stays exact. */
static void test_cut_after_settling_same_work(void **unused)
{
    for (int f = 0; f <= 1; f++) {
        const struct disco_algorithm *alg = f ? FR : PR;
        unsigned changed = 0;
        for (uint64_t g = 1; g <= 60; g++) {
            struct disco_topology topo;
            struct disco_error err;
            assert_int_equal(disco_topology_generate(&topo, "gnp:12:0.3", g,
                                                     &err), 0);
            uint32_t a = 0, b = 0;
            non_bridge_link(&topo, (uint32_t)(g % 5), &a, &b);
            /* The total work without the cut (one run does for both
             * kinds of cut: nothing else differs). */
            unsigned long plain =
                work_without_failure(alg, &topo, g, (int64_t)(g % 12));
            for (int back = 0; back <= 1; back++) {
                unsigned long first[MAX_N];
                const uint64_t seeds[] = {1, other_schedule(g)};
                for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
                    uint64_t seed = seeds[k];
                    struct disco_config cfg;
                    disco_config_init(&cfg, alg);
                    cfg.seed = seed;
                    cfg.fifo = seed % 2;
                    cfg.params[P_ORIENTATION] = 1;
                    cfg.params[P_ORIENTATION_SEED] = (int64_t)g;
                    cfg.params[P_DESTINATION] = (int64_t)(g % 12);
                    if (back)
                        sim_config_cut(&cfg, a, b, 100000, 200000, topo.nodes);
                    else
                        sim_config_cut_for_good(&cfg, a, b, 100000, topo.nodes);
                    struct sim_run run;
                    memset(&run, 0, sizeof run);
                    sim_run_on(&run, alg, &topo, &cfg);
                    check_quiet_run(&run, alg, (unsigned)back);
                    unsigned long work[MAX_N];
                    unsigned long total = work_of(&run, work);
                    if (seed == 1) {
                        memcpy(first, work, sizeof work);
                        /* against the run without the cut */
                        changed += plain != total;
                    } else {
                        for (uint32_t u = 0; u < topo.nodes; u++)
                            if (work[u] != first[u])
                                fail_msg("%s graph %llu cut %u-%u%s: node "
                                         "%u reversed %lu times with seed "
                                         "%llu, %lu with seed 1", alg->name,
                                         (unsigned long long)g, a, b,
                                         back ? " (back)" : "", u, work[u],
                                         (unsigned long long)seed, first[u]);
                    }
                    disco_sim_free(run.sim);
                    disco_config_release(&cfg);
                }
            }
            disco_topology_release(&topo);
        }
        /* The cut costs work in 30 of the 120 cases for partial
         * reversal and 22 for full (a cut off every route costs nothing);
         * exact, since the work is the same on every seed. */
        assert_int_equal(changed, f ? 22 : 30);
    }
}

/* Heights from the scenario's node inputs: the square 0-1-2-3 plus the
 * diagonal 0-2, D = 0, heights 0, -10, -20, -30, so every link points away
 * from D: 0->1, 0->2, 0->3, 1->2, 2->3.  Node 3 is the only sink; it
 * reverses, then 2, then 1: one reversal each, under both algorithms (the
 * first reversal of a node reverses all its links, and 2's list {3} leaves
 * it links to 0 and 1 to turn). */
static void test_heights_from_inputs(void **unused)
{
    static const struct disco_edge edges[] = {
        {0, 1, 1}, {1, 2, 1}, {2, 3, 1}, {3, 0, 1}, {0, 2, 1},
    };
    static const unsigned long full[4] = {0, 1, 1, 1};
    for (int f = 0; f <= 1; f++) {
        const struct disco_algorithm *alg = f ? FR : PR;
        struct disco_topology topo;
        struct disco_error err;
        assert_int_equal(disco_topology_build(&topo, 4, false, edges, 5,
                                              false, &err), 0);
        struct disco_config cfg;
        disco_config_init(&cfg, alg);
        /* Random orientation asked for, but the inputs win. */
        cfg.params[P_ORIENTATION] = 1;
        cfg.inputs = calloc(4, sizeof *cfg.inputs);
        assert_non_null(cfg.inputs);
        cfg.input_count = 4;
        for (uint32_t u = 0; u < 4; u++) {
            cfg.inputs[u].node = u;
            snprintf(cfg.inputs[u].name, sizeof cfg.inputs[u].name,
                     "elevation");
            cfg.inputs[u].value = -(int64_t)u * 10;
        }
        struct sim_run run;
        memset(&run, 0, sizeof run);
        sim_run_on(&run, alg, &topo, &cfg);
        check_quiet_run(&run, alg, 0);
        unsigned long work[MAX_N];
        work_of(&run, work);
        for (uint32_t u = 0; u < 4; u++)
            assert_int_equal(work[u], full[u]);
        /* The run borrowed topo (sim_run_on): the sim goes first. */
        disco_sim_free(run.sim);
        disco_config_release(&cfg);
        disco_topology_release(&topo);
    }
}

static void test_bad_destination_is_named(void **unused)
{
    /* destination 20 on 11 nodes: nobody acts, and the final properties
     * say why rather than passing. */
    struct disco_config cfg;
    disco_config_init(&cfg, FR);
    cfg.params[P_DESTINATION] = 20;
    struct sim_run run;
    sim_run(&run, FR, "line:11", 1, &cfg);
    assert_int_equal(run.failed, 3);
    assert_string_equal(run.results[2].detail,
                        "destination 20 is not a node (nodes are 0..10)");
    assert_int_equal(run.metrics->by_kind[REVERSE], 0);
    sim_run_release(&run);
    disco_config_release(&cfg);
}

static void test_lost_reverse_is_caught(void **unused)
{
    /* Messages lost without a word (--loss: no link went down, nobody is
     * told): the oracles (over the sender's view) must see the stranded
     * sink, or the link whose height never arrived, instead of trusting
     * the nodes. */
    unsigned caught = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_config cfg;
        disco_config_init(&cfg, FR);
        cfg.seed = seed;
        cfg.loss = 0.05;
        struct sim_run run;
        sim_run(&run, FR, "line:11", 1, &cfg);
        caught += run.failed > 0;
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    assert_true(caught >= 15);
}

static void test_short_cut_is_told(void **unused)
{
    /* The same reverse lost to a cut 9-10 from t = 100 to 400: now both
     * ends hear of it, 10 (alone) waits, and when the link comes back it
     * rejoins by heights; every property holds on every seed.  A cut
     * shorter than a delay: a message sent before it and arriving after it
     * belongs to the link's previous life and is ignored. */
    static const char *const cuts[] = {"9-10@100:400", "4-5@60:61",
                                       "1-2@1:2,5-6@30:31", "0-1@40:4000"};
    static const unsigned rejoins[] = {1, 1, 2, 1};
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        for (int f = 0; f <= 1; f++) {
            const struct disco_algorithm *alg = f ? FR : PR;
            for (uint64_t seed = 1; seed <= 20; seed++) {
                struct disco_config cfg;
                disco_config_init(&cfg, alg);
                cfg.seed = seed;
                cfg.fifo = seed % 2;
                struct disco_error err;
                assert_int_equal(disco_faults_parse(&cfg,
                                                    DISCO_FAULT_LINK_DOWN,
                                                    cuts[k], 11, &err), 0);
                struct sim_run run;
                sim_run(&run, alg, "line:11", 1, &cfg);
                check_quiet_run(&run, alg, rejoins[k]);
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
        }
    }
}

/* A failure that cuts nodes off from D: they reverse for ever (as in
 * Gafni and Bertsekas; TORA adds partition detection).  The run stops at
 * the event bound, the orientation is still acyclic after every event, and
 * the final properties are not checked rather than judged. */
static void test_partition_never_ends(void **unused)
{
    for (int f = 0; f <= 1; f++) {
        const struct disco_algorithm *alg = f ? FR : PR;
        struct disco_config cfg;
        disco_config_init(&cfg, alg);
        cfg.max_events = 20000;
        sim_config_cut_for_good(&cfg, 2, 3, 5000, 6);
        struct sim_run run;
        sim_run(&run, alg, "line:6", 1, &cfg);
        assert_int_equal(run.metrics->stop, DISCO_STOP_MAX_EVENTS);
        assert_int_equal(run.failed, 0);
        assert_int_equal(run.unchecked, 3);
        assert_int_equal(run.results[ACYCLIC].holds, DISCO_HOLDS_YES);
        assert_int_equal(run.results[VIEWS_AGREE].holds, DISCO_HOLDS_YES);
        assert_heights_checked(&run, alg);
        /* Nodes 3..5 kept reversing; 0..2 stopped after the repair. */
        unsigned long work[MAX_N];
        work_of(&run, work);
        assert_true(work[3] + work[4] + work[5] > 1000);
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
}

/* The same cut-off part, but the partition heals (a --cut, and the same
 * as a --partition, which gives the same run): while cut off, nodes 3..5
 * reverse, their heights climbing, 40 times or more; when the link comes
 * back it rejoins pointing from the climbers down to the rest, and every
 * node is routed to D at the end, 1 and 2 having reversed only before the
 * cut.  Also the right half of grid:4x4, cut off mid-run, with a random
 * orientation.  Every property holds on every seed (nodes whose initial
 * path to D avoids the cut links never reverse). */
static void test_partition_heals(void **unused)
{
    for (int f = 0; f <= 1; f++) {
        const struct disco_algorithm *alg = f ? FR : PR;
        for (uint64_t seed = 1; seed <= 20; seed++) {
            unsigned long by_cut[MAX_N];
            for (int how = 0; how < 3; how++) {
                struct disco_config cfg;
                disco_config_init(&cfg, alg);
                cfg.seed = seed;
                cfg.fifo = seed % 2;
                struct disco_error err;
                const char *topo = how == 2 ? "grid:4x4" : "line:6";
                if (how == 0)
                    sim_config_cut(&cfg, 2, 3, 5000, 8000, 6);
                else if (how == 1)
                    assert_int_equal(disco_partition_parse(&cfg,
                                                           "3-5@5000:8000",
                                                           6, &err), 0);
                else /* the grid's right half, mid-run */
                    assert_int_equal(disco_partition_parse(&cfg,
                                                           "2,3,6,7,10,11,"
                                                           "14,15@150:3000",
                                                           16, &err), 0);
                if (how == 2)
                    cfg.params[P_ORIENTATION] = 1;
                struct sim_run run;
                sim_run(&run, alg, topo, 1, &cfg);
                /* One link rejoins on the line, the four crossing links of
                 * the grid's halves on the grid. */
                check_quiet_run(&run, alg, how == 2 ? 4 : 1);
                unsigned long work[MAX_N];
                work_of(&run, work);
                if (how < 2) {
                    /* 0..2 settled long before: 1 and 2 reversed as
                     * before; 3..5 climbed while cut off. */
                    assert_int_equal(work[0], 0);
                    assert_int_equal(work[1], 1);
                    assert_int_equal(work[2], f ? 2 : 1);
                    assert_true(work[3] + work[4] + work[5] > 40);
                    /* The cut and the partition are the same fault. */
                    if (how == 0)
                        memcpy(by_cut, work, sizeof by_cut);
                    else
                        assert_memory_equal(by_cut, work, sizeof by_cut);
                }
                sim_run_release(&run);
                disco_config_release(&cfg);
            }
        }
    }
}

/* A lecture scenario as `disco run FILE` (or, with `alg` other than the
 * file's, `disco run ALG --topology FILE` plus the file's parameters;
 * without the file's link faults unless `faults`) on seeds 1..20, FIFO
 * and not: every property holds, each node's work is `expected`, whatever
 * the schedule, and every link is in the final DAG (the files' cuts
 * heal). */
static void scenario(const char *file, const struct disco_algorithm *alg,
                     bool faults, const unsigned long *expected)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        struct disco_scenario sc;
        struct disco_error err;
        if (disco_scenario_load(&sc, env_path("DISCO_SCENARIOS", file), &err))
            fail_msg("%s", err.message);
        struct disco_config cfg;
        disco_config_init(&cfg, alg);
        cfg.seed = seed;
        cfg.fifo = seed % 2;
        sim_config_scenario_params(&cfg, alg, &sc);
        assert_int_equal(disco_scenario_apply(&sc, &cfg, &err), 0);
        if (!faults)
            cfg.fault_count = 0;
        struct sim_run run;
        memset(&run, 0, sizeof run);
        sim_run_on(&run, alg, &sc.topo, &cfg);
        /* Each of the file's links that comes back (up_at) rejoins. */
        unsigned rejoins = 0;
        for (size_t i = 0; i < cfg.fault_count; i++)
            rejoins += cfg.faults[i].kind == DISCO_FAULT_LINK_UP;
        check_quiet_run(&run, alg, rejoins);
        unsigned long work[MAX_N];
        work_of(&run, work);
        for (uint32_t u = 0; u < sc.topo.nodes; u++)
            if (work[u] != expected[u])
                fail_msg("%s, %s, seed %llu: node %s reversed %lu times, "
                         "expected %lu", file, alg->name,
                         (unsigned long long)seed, sc.topo.names[u], work[u],
                         expected[u]);
        const struct disco_view *view = disco_sim_view(run.sim);
        for (uint32_t u = 0; u < sc.topo.nodes; u++)
            for (uint32_t p = 0; p < disco_view_degree(view, u); p++)
                assert_int_not_equal(alg->orientation(view, u, p), 0);
        disco_sim_free(run.sim);
        disco_config_release(&cfg);
        disco_scenario_release(&sc);
    }
}

static void test_scenario_chain(void **unused)
{
    static const unsigned long full[11] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const unsigned long partial[11] = {0, 1, 1, 1, 1, 1,
                                              1, 1, 1, 1, 1};
    scenario("link-reversal-chain.dot", FR, true, full);
    scenario("link-reversal-chain.dot", PR, true, partial);
}

static void test_scenario_repair(void **unused)
{
    /* D a b c d e f g: settled, then after the link D-a goes down at
     * t = 5000 (PR: a once more; FR: a, b, c once more), and back at
     * t = 9000, when a, higher than D, rejoins pointing to D at no cost.
     * The same per-node work on all 20 seeds. */
    static const unsigned long partial[8] = {0, 1, 1, 3, 1, 1, 2, 2};
    static const unsigned long partial_cut[8] = {0, 2, 1, 3, 1, 1, 2, 2};
    static const unsigned long full[8] = {0, 1, 1, 2, 1, 2, 2, 3};
    static const unsigned long full_cut[8] = {0, 2, 2, 3, 1, 2, 2, 3};
    scenario("link-reversal-repair.dot", PR, false, partial);
    scenario("link-reversal-repair.dot", PR, true, partial_cut);
    scenario("link-reversal-repair.dot", FR, false, full);
    scenario("link-reversal-repair.dot", FR, true, full_cut);
}

/* What a picture drawn between events sees: after every event each live
 * link has one direction, seen oppositely from its two ends. */
struct hook_check {
    struct disco_sim *sim;
    const struct disco_algorithm *alg;
    uint64_t checked;
};

static void check_hook(void *self, const struct disco_event_view *ev)
{
    struct hook_check *h = self;
    const struct disco_view *view = disco_sim_view(h->sim);
    for (uint32_t u = 0; u < disco_view_nodes(view); u++) {
        for (uint32_t p = 0; p < disco_view_degree(view, u); p++) {
            uint32_t v = disco_view_neighbour(view, u, p);
            uint32_t q = disco_view_port_to(view, v, u);
            int d = h->alg->orientation(view, u, p);
            assert_true(d == 1 || d == -1);
            assert_int_equal(h->alg->orientation(view, v, q), -d);
        }
    }
    h->checked++;
}

static void test_orientation_between_events(void **unused)
{
    for (int full = 0; full <= 1; full++) {
        const struct disco_algorithm *alg = full ? FR : PR;
        struct disco_topology topo;
        struct disco_error err;
        assert_int_equal(disco_topology_generate(&topo, "grid:4x4", 1, &err),
                         0);
        struct disco_config cfg;
        disco_config_init(&cfg, alg);
        cfg.params[P_ORIENTATION] = 1;
        struct hook_check h = {NULL, alg, 0};
        assert_int_equal(disco_sim_create(&h.sim, alg, &topo, &cfg, &err), 0);
        struct disco_observer obs = {&h, check_hook, NULL, false};
        assert_int_equal(disco_sim_observe(h.sim, &obs, &err), 0);
        assert_int_equal(disco_sim_run(h.sim, &err), 0);
        assert_true(h.checked > 100);
        disco_sim_free(h.sim);
        disco_config_release(&cfg);
        disco_topology_release(&topo);
    }
}

static void test_same_seed_same_run(void **unused)
{
    /* Same seed, same options: the same result text and metrics. */
    char first[DISCO_RESULT_TEXT], again[DISCO_RESULT_TEXT];
    uint64_t events[2];
    for (int k = 0; k < 2; k++) {
        struct disco_config cfg;
        disco_config_init(&cfg, PR);
        cfg.seed = 42;
        cfg.fifo = false;
        cfg.params[P_ORIENTATION] = 1;
        struct sim_run run;
        sim_run(&run, PR, "gnp:30:0.2", 3, &cfg);
        /* Two identical runs of the wrong step would pass as well. */
        assert_heights_checked(&run, PR);
        disco_sim_result(run.sim, k ? again : first, DISCO_RESULT_TEXT);
        events[k] = run.metrics->events;
        sim_run_release(&run);
        disco_config_release(&cfg);
    }
    assert_string_equal(first, again);
    assert_int_equal(events[0], events[1]);
}

/* Through the command line: the same seed and options give the same
 * trace and summary, byte for byte. */
static void test_cli_output_is_reproducible(void **unused)
{
    char *dir = tmpdir_create();
    char *text[2][2];
    for (int k = 0; k < 2; k++) {
        char out[512];
        snprintf(out, sizeof out, "%s/run%d", dir, k);
        const char *argv[] = {NULL, "run", "partial-reversal", "--topology",
                              "gnp:20:0.25", "--param", "orientation=1",
                              "--seed", "9", "--no-fifo", "--out", out,
                              NULL};
        struct cli_output o;
        cli_run(&o, argv);
        assert_int_equal(o.status, 0);
        cli_output_release(&o);
        char path[600];
        snprintf(path, sizeof path, "%s/trace.jsonl", out);
        text[k][0] = file_read(path, NULL);
        snprintf(path, sizeof path, "%s/summary.json", out);
        text[k][1] = file_read(path, NULL);
        assert_non_null(text[k][0]);
        assert_non_null(text[k][1]);
    }
    assert_non_null(strstr(text[0][0], "\"reverse\""));
    assert_string_equal(text[0][0], text[1][0]);
    assert_string_equal(text[0][1], text[1][1]);
    for (int k = 0; k < 2; k++) {
        free(text[k][0]);
        free(text[k][1]);
    }
    tmpdir_remove(dir);
}

/* Node input `link_label` for every node: bit u of `mask`. */
static void set_labels(struct disco_config *cfg, uint32_t nodes,
                       uint64_t mask)
{
    cfg->inputs = calloc(nodes, sizeof *cfg->inputs);
    assert_non_null(cfg->inputs);
    cfg->input_count = nodes;
    for (uint32_t u = 0; u < nodes; u++) {
        cfg->inputs[u].node = u;
        snprintf(cfg->inputs[u].name, sizeof cfg->inputs[u].name,
                 "link_label");
        cfg->inputs[u].value = (int64_t)((mask >> u) & 1);
    }
}

/* The work of `alg` on graph g (gnp:12:0.3, random orientation g) with
 * the given labels (ignored by FR and PR) and seed; the run must end with
 * every property holding. */
static unsigned long work_on(const struct disco_algorithm *alg, uint64_t g,
                             uint64_t mask, uint64_t seed,
                             unsigned long *work)
{
    struct disco_config cfg;
    disco_config_init(&cfg, alg);
    cfg.seed = seed;
    cfg.fifo = seed % 2;
    cfg.max_events = 1000000; /* an illegal labeling would never end */
    cfg.params[P_ORIENTATION] = 1;
    cfg.params[P_ORIENTATION_SEED] = (int64_t)g;
    cfg.params[P_DESTINATION] = (int64_t)(g % 12);
    if (alg == BLL)
        set_labels(&cfg, 12, mask);
    struct sim_run run;
    sim_run(&run, alg, "gnp:12:0.3", g, &cfg);
    check_quiet_run(&run, alg, 0);
    unsigned long total = work_of(&run, work);
    sim_run_release(&run);
    disco_config_release(&cfg);
    return total;
}

/* Binary link labels: all 1 is full reversal and all 0 partial reversal,
 * node for node, on the 200 random graphs, each labels run (seed 2, not
 * FIFO) against a run of the reversal it stands for on another schedule
 * (seed 1, FIFO).  The test makes its own runs of full and partial
 * reversal, though random_graphs makes the same ones, so that it does not
 * depend on what another test ran before it (they cost it half its
 * time). */
static void test_labels_cover_full_and_partial(void **unused)
{
    for (uint64_t g = 1; g <= 200; g++) {
        unsigned long reference[MAX_N], labels[MAX_N];
        work_on(FR, g, 0, 1, reference);
        work_on(BLL, g, 0xfff, 2, labels);
        assert_memory_equal(reference, labels, 12 * sizeof labels[0]);
        work_on(PR, g, 0, 1, reference);
        work_on(BLL, g, 0, 2, labels);
        assert_memory_equal(reference, labels, 12 * sizeof labels[0]);
    }
}

/* Mixed per-node labels: the properties hold, the run ends, and the work
 * is the same on every schedule: seed 1 (FIFO) and other_schedule(g) (not
 * FIFO), as for the random graphs above. */
static void test_mixed_labels(void **unused)
{
    for (uint64_t g = 1; g <= 100; g++) {
        uint64_t mask = (g * 0x9e3779b97f4a7c15u) >> 40;
        unsigned long first[MAX_N], work[MAX_N];
        work_on(BLL, g, mask, 1, first);
        work_on(BLL, g, mask, other_schedule(g), work);
        assert_memory_equal(first, work, 12 * sizeof work[0]);
    }
}

/* Every labeling of the chain D-v1-...-v6: the work is the same on every
 * schedule, each v_i reverses at least once, all 0 costs PR's 6 and all 1
 * FR's 21.  Mixed labelings are not between the two: v1 alone labelled 1
 * costs 15, v1 and v2 (1, 2, 5, 5, 5, 3) as much as full reversal. */
static void test_chain_labels(void **unused)
{
    for (uint64_t mask = 0; mask < 64; mask++) {
        unsigned long first[MAX_N] = {0}, total = 0;
        for (uint64_t seed = 1; seed <= 10; seed++) {
            struct disco_config cfg;
            disco_config_init(&cfg, BLL);
            cfg.seed = seed;
            set_labels(&cfg, 7, mask);
            struct sim_run run;
            sim_run(&run, BLL, "line:7", 1, &cfg);
            check_quiet_run(&run, BLL, 0);
            unsigned long work[MAX_N];
            unsigned long t = work_of(&run, work);
            if (seed == 1) {
                memcpy(first, work, sizeof work);
                total = t;
            }
            assert_memory_equal(first, work, 7 * sizeof work[0]);
            sim_run_release(&run);
            disco_config_release(&cfg);
        }
        for (uint32_t u = 1; u < 7; u++)
            assert_true(first[u] >= 1);
        if (mask == 2)
            assert_int_equal(total, 15);
        if ((mask & 0x7e) == 0)
            assert_int_equal(total, 6);
        if ((mask & 0x7e) == 0x7e)
            assert_int_equal(total, 21);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_full),
        cmocka_unit_test(test_chain_partial),
        cmocka_unit_test(test_chain_destination_in_the_middle),
        cmocka_unit_test(test_orientation_hook_draws_the_dag),
        cmocka_unit_test(test_random_graphs_full),
        cmocka_unit_test(test_random_graphs_partial),
        cmocka_unit_test(test_full_reversal_work_formula),
        cmocka_unit_test(test_failure_after_settling),
        cmocka_unit_test(test_failure_mid_run),
        cmocka_unit_test(test_cut_after_settling_same_work),
        cmocka_unit_test(test_heights_from_inputs),
        cmocka_unit_test(test_bad_destination_is_named),
        cmocka_unit_test(test_lost_reverse_is_caught),
        cmocka_unit_test(test_short_cut_is_told),
        cmocka_unit_test(test_partition_never_ends),
        cmocka_unit_test(test_partition_heals),
        cmocka_unit_test(test_scenario_chain),
        cmocka_unit_test(test_scenario_repair),
        cmocka_unit_test(test_orientation_between_events),
        cmocka_unit_test(test_same_seed_same_run),
        cmocka_unit_test(test_cli_output_is_reproducible),
        cmocka_unit_test(test_labels_cover_full_and_partial),
        cmocka_unit_test(test_mixed_labels),
        cmocka_unit_test(test_chain_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
