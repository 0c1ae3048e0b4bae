/*
 * scenario.h - Graphviz DOT scenario files.
 *
 * A scenario is a DOT file that Graphviz draws as it is and disco runs: the
 * graph is the topology, graph attributes mirror the long options, node and
 * edge attributes give ids, initiators, faults, inputs and per-channel
 * settings (docs/cli.md, "Scenario files").
 *
 *     digraph ring {
 *         algorithm = "chang-roberts"; seed = 7; delay = "uniform:1:20";
 *         a [id = 3, initiator = true];  b [id = 1, crash_at = 50];
 *         a -> b [delay = 5];
 *         b -> a [fifo = false, down_at = 10, up_at = 40];
 *     }
 *
 * Loading is strict: a value the loader cannot read is an error naming the
 * file, the node or edge and the attribute, never silently ignored.
 * Attributes Graphviz itself uses (label, color, shape, pos, ...) are left
 * alone; any other node attribute is an input and must be an integer (and
 * one the algorithm declares, within its range: see
 * disco_scenario_check_inputs).
 *
 * The loader drives cgraph's parser, whose state is global: load scenarios
 * from one thread at a time.  cgraph's diagnostics are captured into the
 * error message; nothing is printed.
 */
#ifndef DISCO_SCENARIO_H
#define DISCO_SCENARIO_H

#include "disco_sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A graph attribute that mirrors a long option.  `name` is one of
 * algorithm, seed, delay, fifo, loss, dup, ids, initiators, sync,
 * max_events, max_time ("max-events" and "max-time" are read as these),
 * crash, recover, cut, or param_KEY (for --param KEY=VALUE).  Values are
 * checked at load time (ids, initiators and faults against the number of
 * nodes) and given back in the form the option parsers take: delay in
 * canonical form ("const:5" for a bare 5), fifo and sync as "true" or
 * "false", the others as written, without surrounding blanks.  A name
 * close to one of these that is not a Graphviz attribute ("algoritm") is
 * refused with a suggestion; other graph attributes are ignored. */
struct disco_scenario_option {
    char name[32];
    char *value; /* owned */
};

struct disco_scenario {
    /* The graph: nodes in order of first appearance in the file, names kept
     * in topo.names, topo.spec the path (truncated to fit), edge `weight`
     * in topo.weight (NULL when no edge has one; edges without one weigh
     * 1).  `digraph` gives directed channels, `graph` bidirectional ones
     * (and disco_scenario_bidirectional a digraph of arc pairs). */
    struct disco_topology topo;

    /* Graph attributes that mirror options, sorted by the name as written
     * in the file.  Attributes set only on subgraphs and clusters are not
     * the graph's. */
    struct disco_scenario_option *options;
    size_t option_count;

    /* Node `id` (integers >= 0): NULL unless every node has one. */
    int64_t *ids;
    /* Node `initiator` (true/false): nodes entries, NULL unless some node
     * has the attribute; nodes without it are not initiators. */
    unsigned char *initiators;
    /* Node crash_at / recover_at and edge down_at / up_at, each a tick or
     * a comma-separated list of ticks.  Link faults name the edge's tail in
     * `node` and its head in `peer`. */
    struct disco_fault *faults;
    size_t fault_count;
    /* Edge `rounds` ("1-3,5,8-"): per channel, the rounds it exists in (a
     * dynamic network), or NULL for always; NULL when no edge has one. */
    char **channel_rounds;
    size_t channel_round_count;
    /* Every other node attribute that Graphviz does not use: an integer
     * input that algorithms read with disco_input (value, balance, ...). */
    struct disco_input_value *inputs;
    size_t input_count;
    /* Edge delay (a law, or a bare integer for const), loss (in [0, 1]) and
     * fifo (true/false), topo.channels entries each, NULL when no edge sets
     * the attribute.  An undirected edge's settings apply both ways. */
    struct disco_channel_overrides channel;

    /* A digraph in which every arc u->v has its reverse v->u: topo.channels
     * entries (at least one), 1 on the arc of each pair that comes first
     * in the file and 0 on the other; NULL for any other graph.  It lets
     * disco_scenario_bidirectional read the pairs as links. */
    unsigned char *pair_first;
    /* When the two arcs of a pair differ in an attribute of the link
     * (weight, down_at, up_at, rounds), the refusal for the first such
     * pair ("'x.dot': arcs a->b and b->a differ in weight (3 and 5); ..."),
     * malloc'ed; NULL when all agree or pair_first is NULL. */
    char *pair_conflict;
};

/* Read and check the scenario at `path` into `sc` (whose previous contents
 * are ignored: release them first).  Errors: DISCO_EIO when the file cannot
 * be read; DISCO_EPARSE for malformed DOT ("malformed DOT in 'x.dot':
 * syntax error in line 3 near '->'"; cgraph's warnings count too), a file
 * without a graph or nodes, more than one graph or text after it, a
 * self-loop or duplicate edge ("'x.dot': duplicate edge a -- b"), a bad
 * attribute ("'x.dot': node b: bad crash_at 'soon'"), ids or initiators
 * given both as graph and as node attributes; DISCO_ELIMIT beyond the size
 * limits; DISCO_ENOMEM.  On error `sc` holds nothing to release (releasing
 * it anyway is harmless). */
int disco_scenario_load(struct disco_scenario *sc, const char *path,
                        struct disco_error *err);

/* The same from DOT text in memory; `name` stands for the file in messages
 * and in topo.spec. */
int disco_scenario_load_text(struct disco_scenario *sc, const char *text,
                             const char *name, struct disco_error *err);

/* The value of graph attribute `name` ("seed", "param_colours"), or NULL
 * when the file does not set it. */
const char *disco_scenario_option(const struct disco_scenario *sc,
                                  const char *name);

/* Move the node- and edge-level settings into `cfg`, for a run on
 * sc->topo: ids and initiators only where cfg has none yet (options parsed
 * before this call win), faults and inputs appended after cfg's own,
 * channel overrides filled in where cfg sets none.  What moves is owned by
 * cfg from then on (freed by disco_config_release) and cleared in sc; the
 * topology and options stay in sc.  On DISCO_ENOMEM nothing has moved. */
int disco_scenario_apply(struct disco_scenario *sc, struct disco_config *cfg,
                         struct disco_error *err);

/* Check the scenario's node inputs against `alg`, the algorithm that will
 * read them: a node attribute that is neither one of the kernel's (id,
 * initiator, crash_at, recover_at) nor an input `alg` declares is refused
 * with a suggestion among both ("'x.dot': node a: unknown attribute
 * 'crashat' (did you mean 'crash_at'?)", DISCO_EPARSE), and a value outside
 * its declared range too ("'x.dot': node p0: bad balance '-5': balance
 * must be between 0 and 1000000000", DISCO_EINVAL).  `name` stands for the
 * file (NULL: topo.spec); nodes are named as in the file.  Call it before
 * disco_scenario_apply moves the inputs out. */
int disco_scenario_check_inputs(const struct disco_scenario *sc,
                                const struct disco_algorithm *alg,
                                const char *name, struct disco_error *err);
/* For a scenario borrowed as another algorithm's topology (--topology
 * FILE.dot): drop the node inputs `alg` does not read but one of the
 * `count` algorithms in `known` does (echo on consensus-eig-four.dot
 * leaves eig's `value` behind).  A name no algorithm reads stays, for
 * disco_scenario_check_inputs to refuse as the typo it likely is. */
void disco_scenario_drop_foreign_inputs(
    struct disco_scenario *sc, const struct disco_algorithm *alg,
    const struct disco_algorithm *const *known, size_t count);

/* Read a digraph in which every arc has its reverse (sc->pair_first) as
 * the undirected graph with one edge per pair, for an algorithm that needs
 * bidirectional channels: the same nodes, channels and ports (both
 * topologies order a node's out-ports by neighbour index), topo.directed
 * false, the names and spec kept.  Delay, loss and fifo stay per channel,
 * as the arcs give them (the kernel keeps them per direction, also on an
 * undirected graph); weight, rounds and the down_at / up_at cuts belong to
 * the link and must agree between the two arcs: else DISCO_EPARSE with
 * sc->pair_conflict, and sc unchanged.  A pair's cuts are kept once, named
 * by its first arc (the kernel cuts both directions of an undirected link).
 * Any other graph is left as it is (0): disco_model_check refuses a
 * digraph to an algorithm that needs bidirectional channels.  Call it
 * before disco_scenario_apply.  On DISCO_ENOMEM sc is unchanged. */
int disco_scenario_bidirectional(struct disco_scenario *sc,
                                 struct disco_error *err);

/* Free everything the scenario owns, topology included, and zero it.  To
 * keep the topology beyond the scenario, copy sc->topo and zero the
 * original before releasing. */
void disco_scenario_release(struct disco_scenario *sc);

#ifdef __cplusplus
}
#endif

#endif /* DISCO_SCENARIO_H */
