/*
 * disco_sim.h - the kernel library as the front end, viz/ and tests see it:
 * errors, topologies, run configuration, the simulation lifecycle,
 * observers.  Algorithms include only disco.h.
 *
 * The library prints nothing and never exits: every fallible function
 * returns 0 or a negative DISCO_E* code and fills a `struct disco_error`
 * whose message names the culprit.
 */
#ifndef DISCO_SIM_H
#define DISCO_SIM_H

#include "disco.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors.                                                                  */

#define DISCO_ERRNO_MAP(X)                                                   \
    X(INVAL, "invalid argument")                                             \
    X(NOMEM, "out of memory")                                                \
    X(UNKNOWN, "unknown name")                                               \
    X(PARSE, "malformed input")                                              \
    X(IO, "input/output error")                                              \
    X(MODEL, "the algorithm cannot run on this network")                     \
    X(LIMIT, "size beyond the supported limits")                             \
    X(NOLOG, "no causal log was kept for this run")

enum disco_errno {
    DISCO_OK = 0,
#define DISCO__ERRNO_ENUM(name, text) DISCO_E##name,
    DISCO__ERRNO_FIRST = -100,
    DISCO_ERRNO_MAP(DISCO__ERRNO_ENUM)
#undef DISCO__ERRNO_ENUM
};

/* The generic text of a code ("unknown name"). */
const char *disco_strerror(int code);

/* A code plus one line naming the culprit, lowercase, no full stop:
 * "unknown topology 'rign:8' (did you mean 'ring:8'?)". */
struct disco_error {
    int code;
    char message[512];
};

/* Fill `err` and return `code` (so callers can `return disco_fail(...)`). */
int disco_fail(struct disco_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The candidate closest to `name` by edit distance, or NULL when none is
 * close enough to suggest. */
const char *disco_suggest(const char *name, const char *const *candidates,
                          size_t count);

/* ------------------------------------------------------------------------ */
/* Random streams (splitmix64 seeding xoshiro256**).                         */

struct disco_rng {
    uint64_t s[4];
};

/* Seed a stream from (seed, stream number): streams for distinct numbers are
 * independent, so adding a consumer never shifts another's numbers. */
void disco_rng_init(struct disco_rng *rng, uint64_t seed, uint64_t stream);
uint64_t disco_rng_next(struct disco_rng *rng);
/* Uniform in [0, bound), bound > 0, without modulo bias. */
uint64_t disco_rng_below(struct disco_rng *rng, uint64_t bound);
/* Uniform in [0, 1). */
double disco_rng_unit(struct disco_rng *rng);

/* Stream numbers: one namespace so that no two consumers share a stream. */
#define DISCO_STREAM_TOPOLOGY 1u
#define DISCO_STREAM_IDS 2u
#define DISCO_STREAM_WEIGHTS 3u
#define DISCO_STREAM_SIGNATURES 4u /* keys of disco_sign, detector coins */
#define DISCO_STREAM_DYNAMIC 5u    /* the graphs of dynamic networks */
#define DISCO_STREAM_NODE(i) ((uint64_t)(i) * 4u + 16u)
#define DISCO_STREAM_CHANNEL(c) ((uint64_t)(c) * 4u + 18u)

/* ------------------------------------------------------------------------ */
/* Topology: compressed sparse rows of directed channels.                    */

/* Channel c = out_offset[u] + p is node u's out-port p, leading to node
 * out_target[c], where it arrives on in-port in_port[c] (read it with
 * disco_topology_in_port: when no node has more than 65,536 incoming
 * channels the in-ports are kept in 16 bits, in in_port_short, and in_port
 * is NULL).  On an undirected
 * graph every channel has a reverse and in-port p of v is out-port p of v
 * (so the reverse of c is out_offset[v] + disco_topology_in_port(t, c)).  On a directed graph
 * a node's in-ports number its incoming channels by sender index.  Out-ports
 * are ordered by neighbour index, which keeps generated graphs identical
 * across runs.  `names` (and each name) are malloc'ed and freed by
 * disco_topology_release. */
struct disco_topology {
    uint32_t nodes;
    uint32_t channels;      /* directed channels, |C| */
    bool directed;          /* false: every channel has its reverse */
    uint32_t *out_offset;   /* nodes + 1 entries */
    uint32_t *out_target;   /* channels entries */
    uint32_t *in_port;      /* channels entries, or NULL: */
    uint16_t *in_port_short; /* the same in 16 bits, or NULL (one of the
                              * two is set: half the memory of a large
                              * graph's in-ports, 160 MB at 10^7 nodes of
                              * degree 8) */
    uint32_t *in_degree;    /* nodes entries */
    int64_t *weight;        /* channels entries, or NULL (all weights 1) */
    char **names;           /* nodes entries from a DOT file, or NULL */
    char spec[128];         /* as given: "ring:8", "file.dot" */
    bool known_connected;   /* connected by construction (every generated
                             * family), so that no search is needed;
                             * false: not known, search */
};

static inline uint32_t disco_topology_degree(const struct disco_topology *t,
                                             uint32_t node)
{
    return t->out_offset[node + 1] - t->out_offset[node];
}

/* How many channels arrive at `node`: its in-ports are 0 .. this - 1 (on
 * an undirected graph, its degree). */
static inline uint32_t disco_topology_in_degree(const struct disco_topology *t,
                                                uint32_t node)
{
    return t->directed ? t->in_degree[node] : disco_topology_degree(t, node);
}

/* The in-port on which channel c arrives. */
static inline uint32_t disco_topology_in_port(const struct disco_topology *t,
                                              uint32_t c)
{
    return t->in_port_short ? t->in_port_short[c] : t->in_port[c];
}

/* Largest network the kernel accepts (state and CSR arrays stay in 32-bit
 * indices; anything larger is refused with DISCO_ELIMIT before allocating). */
#define DISCO_MAX_NODES (1u << 28)
#define DISCO_MAX_CHANNELS (UINT32_MAX - 1u)

/* An edge list, the input to disco_topology_build. */
struct disco_edge {
    uint32_t from, to;
    int64_t weight;
};

/* Build the CSR from an edge list into `topo`, setting every field but
 * `spec` (names NULL).  Undirected: each edge gives both channels.
 * Self-loops and duplicate edges are refused (DISCO_EPARSE naming the
 * pair); no nodes or a node index out of range give DISCO_EINVAL, too many
 * nodes or channels DISCO_ELIMIT before anything is allocated.  `weighted`
 * false leaves weight NULL. */
int disco_topology_build(struct disco_topology *topo, uint32_t nodes,
                         bool directed, const struct disco_edge *edges,
                         size_t edge_count, bool weighted,
                         struct disco_error *err);

/* Generate a topology from a spec of the grammar in docs/cli.md
 * ("ring:8", "grid:4x4", "gnp:20:0.3", ...) into `topo`, which is zeroed
 * first: release a live topology before reusing the struct.  Random families
 * draw from DISCO_STREAM_TOPOLOGY of `seed`.  Unknown families give
 * DISCO_EUNKNOWN with a suggestion; bad numbers DISCO_EINVAL; sizes beyond
 * the limits DISCO_ELIMIT. */
int disco_topology_generate(struct disco_topology *topo, const char *spec,
                            uint64_t seed, struct disco_error *err);

/* Whether `path` names a scenario (a DOT file) rather than an algorithm or a
 * generated topology: it ends in .dot or .gv, Graphviz's other extension,
 * in any case ("ring.DOT").  Every command classifies paths by this. */
bool disco_is_scenario_path(const char *path);
/* Those extensions, lower case: a path without one may be a scenario with
 * it left off ("did you mean"). */
#define DISCO_SCENARIO_EXTENSIONS 2
extern const char *const disco_scenario_extensions[DISCO_SCENARIO_EXTENSIONS];

/* Free the arrays (not the struct itself). */
void disco_topology_release(struct disco_topology *topo);

/* Give every edge a distinct random weight in 1..E (E = undirected edges,
 * or channels when directed), drawn from DISCO_STREAM_WEIGHTS of `seed`;
 * both channels of an undirected edge get the same weight.  Replaces any
 * weights the topology had.  For algorithms that need distinct weights
 * (GHS) or any weights (Bellman-Ford) on generated graphs. */
int disco_topology_random_weights(struct disco_topology *topo, uint64_t seed,
                                  struct disco_error *err);

/* True when every node reaches every other along channels (strongly
 * connected, for directed graphs): at once when `known_connected` says so,
 * else by a search, which is also false if its O(N) scratch memory cannot
 * be allocated. */
bool disco_topology_connected(const struct disco_topology *topo);

/* The channel u -> v, or UINT32_MAX when there is none. */
uint32_t disco_topology_find(const struct disco_topology *topo, uint32_t u,
                             uint32_t v);

/* The family names of the generator grammar, for suggestions and help. */
extern const char *const disco_topology_families[];
extern const size_t disco_topology_family_count;

/* ------------------------------------------------------------------------ */
/* Run configuration.                                                        */

enum disco_delay_kind { DISCO_DELAY_CONST, DISCO_DELAY_UNIFORM, DISCO_DELAY_EXP };

struct disco_delay {
    enum disco_delay_kind kind;
    uint64_t a, b;   /* const: a; uniform: [a, b] */
    double mean;     /* exp: mean (ticks, at least 1 after rounding up) */
};

/* "const:5", "uniform:1:100", "exp:20".  An unknown law gives
 * DISCO_EUNKNOWN (with a suggestion), a bad number DISCO_EINVAL.  Delays are
 * at most INT64_MAX ticks, an exponential mean at most 1e15. */
int disco_delay_parse(struct disco_delay *delay, const char *text,
                      struct disco_error *err);
/* Whether s[0..len) is written as a plain decimal number: digits, a point,
 * an exponent and signs, with a digit somewhere ("0.5", "1e-3", "2.5E2"),
 * which strtod then reads; not hexadecimal, inf, nan nor blanks, which
 * strtod alone would take.  The one syntax of every real number disco
 * reads (probabilities, an exponential mean, gnp's P). */
bool disco_is_plain_decimal(const char *s, size_t len);
/* The canonical text of a law, for summaries and traces. */
void disco_delay_format(const struct disco_delay *delay, char *buf, size_t len);

enum disco_fault_kind {
    DISCO_FAULT_CRASH,
    DISCO_FAULT_RECOVER,
    DISCO_FAULT_LINK_DOWN,
    DISCO_FAULT_LINK_UP,
    DISCO_FAULT_OMIT_SEND,    /* node omits its sends in [time, until) */
    DISCO_FAULT_OMIT_RECEIVE, /* node omits what arrives in [time, until) */
    DISCO_FAULT_PARTITION,    /* partition `partition` holds [time, until) */
    DISCO_FAULT_DELAY,        /* from `time` on, the run's delay law is
                               * `delay` (channels with their own keep it) */
};

/* One scheduled fault, at tick (or, in synchronous runs, round) `time`.
 * Link faults name both ends; on an undirected graph both directions go
 * down. */
struct disco_fault {
    enum disco_fault_kind kind;
    uint32_t node, peer;
    disco_time_t time;
    /* CRASH: crash in the middle of a step: the node's first step at or
     * after `time` sends only its first `after_sends` messages, then the
     * node crashes (when `partial` is set; otherwise it crashes at `time`,
     * before any step). */
    bool partial;
    uint32_t after_sends;
    /* OMIT_*, PARTITION: the end of the window (UINT64_MAX: never). */
    disco_time_t until;
    /* OMIT_*: the probability that each message is omitted (1: all). */
    double probability;
    /* PARTITION: index into cfg->partition_side; DELAY: the new law. */
    uint32_t partition;
    struct disco_delay delay;
};

/* Per-channel overrides, from DOT edge attributes.  A NULL array means
 * "the run's setting for every channel". */
struct disco_channel_overrides {
    struct disco_delay *delay;  /* channels entries; use_delay[c] selects */
    unsigned char *use_delay;
    double *loss;               /* negative: the run's setting */
    signed char *fifo;          /* -1: the run's setting, 0/1: off/on */
};

/* A node input (node attribute of a scenario), read with disco_input. */
struct disco_input_value {
    uint32_t node;
    char name[32];
    int64_t value;
};

struct disco_config {
    uint64_t seed;
    struct disco_delay delay;
    bool fifo;
    double loss, dup;
    bool sync;
    uint64_t max_events;   /* 0: unbounded */
    disco_time_t max_time; /* 0: unbounded */
    int64_t *ids;          /* nodes entries, or NULL: node i has id i+1 */
    unsigned char *initiators; /* nodes entries (0/1), or NULL: the default */
    int64_t params[32];    /* by index in the algorithm's params table */
    struct disco_fault *faults;
    size_t fault_count;
    struct disco_channel_overrides channel;
    struct disco_input_value *inputs;
    size_t input_count;
    /* Keep the causal log for happened-before checks, up to this many
     * sends and receives (0: never; at most 2^32 - 2, to which a larger
     * cap is lowered).  Beyond it causal checks report "not checked". */
    uint64_t causal_log_limit;
    /* Certify trace properties with causal tokens instead of the log
     * where they can (sim.c, "Causal tokens"): no log, its memory and its
     * walk, when every decision a check asks about turns out to be
     * preceded by an event at every node, which is all a wave's property
     * asks.  Another question, or a decision the tokens do not certify,
     * gets "not checked" and disco_sim_causal_rerun says so: running again
     * with this off gives the exact answers.  Past causal_log_limit
     * messages tokens give up as the log does ("not checked", no rerun).
     * Used only when nothing observes the run (no observer, no vector
     * clocks), for algorithms that say tokens can certify their trace
     * properties (disco_algorithm.tokens_certify), and for fewer than
     * 2^24 nodes; otherwise, and by default, the log. */
    bool causal_tokens;
    /* Keep a vector clock per node and per message in flight, shown on
     * every observed event (struct disco_event_view.vc) and kept for each
     * decision.  Costs N*N words plus N per message in flight, so it is
     * off by default and refused above DISCO_MAX_VECTOR_CLOCK_NODES. */
    bool vector_clocks;

    /* Partitions: partition_count arrays of `nodes` bytes each, at
     * partition_side + i*nodes: 1 for the nodes of side A, 2 for side B,
     * 0 for nodes outside both.  While partition i holds, messages from A
     * to B are lost, and from B to A too unless partition_one_way[i]. */
    unsigned char *partition_side;
    unsigned char *partition_one_way;
    size_t partition_count;

    /* Byzantine processes: nodes entries (0/1), or NULL for none; and the
     * strategy they follow, an algorithm's own or a generic one. */
    unsigned char *byzantine;
    char strategy[32];

    /* The failure detector disco_suspects consults. */
    enum disco_detector_kind {
        DISCO_DETECTOR_NONE,
        DISCO_DETECTOR_PERFECT,            /* P: exactly the crashed nodes */
        DISCO_DETECTOR_EVENTUALLY_PERFECT, /* <>P from detector_stable */
        DISCO_DETECTOR_EVENTUALLY_STRONG,  /* <>S from detector_stable */
    } detector;
    disco_time_t detector_stable;
    disco_time_t detector_period; /* arbitrary answers change this often */

    /* Dynamic networks (synchronous runs): the channels present in each
     * round, drawn from the topology's channels.  The graph of round r
     * carries the messages delivered in round r (sent in round r-1, or by
     * init for round 1); a message over a channel absent then is lost. */
    enum disco_dynamic_kind {
        DISCO_DYNAMIC_NONE,
        DISCO_DYNAMIC_ROOTED,   /* a random spanning tree rooted at a random
                                 * node, plus each other channel with
                                 * probability dynamic_p */
        DISCO_DYNAMIC_NONSPLIT, /* each channel with probability dynamic_p,
                                 * redrawn until every two nodes share an
                                 * in-neighbour (themselves included) */
        DISCO_DYNAMIC_REMOVE,   /* up to dynamic_k edges removed at random */
        DISCO_DYNAMIC_LISTED,   /* the scenario's per-edge `rounds` */
    } dynamic;
    double dynamic_p;
    uint32_t dynamic_k;
    /* LISTED: per channel, the rounds it is present in ("1-3,5,8-"), or
     * NULL for always; channel_round_count entries, owned by the config. */
    char **channel_rounds;
    size_t channel_round_count;
};

/* Most nodes for vector clocks: 4096 nodes already need 128 MiB of
 * per-node vectors. */
#define DISCO_MAX_VECTOR_CLOCK_NODES 4096u

/* Defaults of cli.md: seed 1, uniform:1:100, FIFO, no loss, no faults, ids
 * increasing, the algorithm's own params and initiators. */
void disco_config_init(struct disco_config *cfg,
                       const struct disco_algorithm *alg);
/* Free what the config's arrays own (ids, initiators, faults, overrides,
 * inputs); the struct itself is the caller's. */
void disco_config_release(struct disco_config *cfg);

/* Parse "increasing|decreasing|random|LIST" into cfg->ids for `nodes`.
 * "random" draws a permutation of 1..nodes from DISCO_STREAM_IDS of
 * cfg->seed, so set the seed first.  Listed ids are integers >= 0;
 * duplicates pass here and are refused by disco_model_check for algorithms
 * that need unique ids. */
int disco_ids_parse(struct disco_config *cfg, const char *text, uint32_t nodes,
                    struct disco_error *err);
/* Parse "all|none|LIST" into cfg->initiators for `nodes`. */
int disco_initiators_parse(struct disco_config *cfg, const char *text,
                           uint32_t nodes, struct disco_error *err);
/* Parse "KEY=VALUE" against the algorithm's params into cfg->params. */
int disco_param_parse(struct disco_config *cfg,
                      const struct disco_algorithm *alg, const char *text,
                      struct disco_error *err);
/* Parse "NODE@T[,...]" (kind CRASH or RECOVER) or "A-B@T1:T2[,...]" (kind
 * LINK_DOWN or LINK_UP, both meaning --cut: each item appends a LINK_DOWN at
 * T1 and a LINK_UP at T2) and append to cfg->faults. */
int disco_faults_parse(struct disco_config *cfg, enum disco_fault_kind kind,
                       const char *text, uint32_t nodes,
                       struct disco_error *err);

/* "NODE@T[:T2][/P][,...]": omission of the node's sends (OMIT_SEND) or
 * receptions (OMIT_RECEIVE) from T to T2 (forever without T2), each message
 * with probability P (default 1). */
int disco_omission_parse(struct disco_config *cfg, enum disco_fault_kind kind,
                         const char *text, uint32_t nodes,
                         struct disco_error *err);
/* "A|B@T1:T2" (both ways) or "A>B@T1:T2" (messages from A to B only), the
 * sets as node lists "0-3,7"; B may be left out ("A|@..." or "A@...") and
 * is then every node outside A; ":T2" may be left out (forever). */
int disco_partition_parse(struct disco_config *cfg, const char *text,
                          uint32_t nodes, struct disco_error *err);
/* "LAW@T": from T on, the run's delay law is LAW. */
int disco_delay_change_parse(struct disco_config *cfg, const char *text,
                             struct disco_error *err);
/* "LIST" of nodes: the Byzantine ones.  The strategy name is checked
 * against the algorithm by disco_model_check. */
int disco_byzantine_parse(struct disco_config *cfg, const char *text,
                          uint32_t nodes, struct disco_error *err);
/* "perfect", "eventually-perfect:T[:PERIOD]", "eventually-strong:T[:PERIOD]"
 * (also "P", "<>P:T", "<>S:T"). */
int disco_detector_parse(struct disco_config *cfg, const char *text,
                         struct disco_error *err);
/* "rooted[:P]", "nonsplit[:P]", "remove:K". */
int disco_dynamic_parse(struct disco_config *cfg, const char *text,
                        struct disco_error *err);
/* The generic Byzantine strategies (silent, flip, random, equivocate),
 * with their summaries, as --strategy and disco info name them. */
extern const struct disco_strategy disco_generic_strategies[];
extern const size_t disco_generic_strategy_count;

/* The algorithm's declaration of node input `name`, or NULL when it reads
 * none of that name. */
const struct disco_input_decl *disco_input_find(
    const struct disco_algorithm *alg, const char *name);

/* Check that the algorithm's model fits the topology and the config (shape,
 * direction, connectivity, the implementation's limits on processes and
 * ports, the token ring's channels, unique ids, sync support).  Hard
 * mismatches (a ring algorithm on a grid, om on 11 processes) return
 * DISCO_EMODEL, and a cut of a link that does not exist, a node-valued
 * parameter naming no node or a node input (cfg->inputs) the algorithm
 * does not declare or outside its declared range, and a crash or
 * recovery out of turn DISCO_EINVAL.  Soft ones that only break a proof
 * (FIFO off for an algorithm that needs it; loss, duplication or faults
 * for one that tolerates none; delays that can reach its bound; a
 * topology too small for its resilience; a detector it never asks) are
 * written into `warning`, joined by "; " (empty when none), and return
 * 0. */
int disco_model_check(const struct disco_algorithm *alg,
                      const struct disco_topology *topo,
                      const struct disco_config *cfg, char *warning,
                      size_t warning_len, struct disco_error *err);
/* The resilience a model assumes, as `disco info` and the warning write
 * it ("n > 3m", "f < n"), or "" when it assumes none. */
void disco_model_resilience_text(const struct disco_model *model, char *buf,
                                 size_t len);

/* ------------------------------------------------------------------------ */
/* Observers.                                                                */

enum disco_event_type {
    DISCO_EV_SEND,
    DISCO_EV_RECV,
    DISCO_EV_TIMER,
    DISCO_EV_DROP,
    DISCO_EV_DUP,
    DISCO_EV_CRASH,
    DISCO_EV_RECOVER,
    DISCO_EV_STATE,
    DISCO_EV_DECIDE,
    DISCO_EV_LINK_DOWN,
    DISCO_EV_LINK_UP,
    DISCO_EV_MARK,      /* disco_mark: a labelled moment, no clock tick */
    DISCO_EV_FAULT,     /* an omission or partition window opens, or the
                         * delay law changes; `label` says which */
    DISCO_EV_HEAL,      /* an omission or partition window closes */
};

/* The name an event type has in traces: "send", "recv", ... */
const char *disco_event_name(enum disco_event_type type);

/* What an observer sees of one event.  Valid only during the callback. */
struct disco_event_view {
    enum disco_event_type type;
    disco_time_t time;
    uint64_t seq;        /* 0, 1, 2, ... over the run's observed events */
    uint32_t node;       /* where it happened */
    uint32_t peer;       /* send: to; recv/drop/dup: from; link: other end */
    int kind;            /* message kind, or -1 */
    const char *kind_name;
    uint64_t msg;        /* message number shared by send and recv, or 0 */
    uint64_t lamport;    /* the node's Lamport clock after the event */
    /* The node's vector clock after the event (N entries), or NULL when
     * the run keeps none (cfg.vector_clocks off).  Send, recv, timer,
     * decide, crash and recover tick the node's own entry (a recv first
     * takes the entry-wise maximum with the message's vector); drop, dup,
     * state, link and mark events show the clock without ticking it. */
    const uint64_t *vc;
    int64_t value;       /* decide: the value; timer: the tag */
    const char *state;   /* state: the format_state text */
    const void *payload; /* send/recv: the payload bytes */
    size_t len;
    const char *label;   /* mark: the algorithm's static label ("cut") */
    bool forged;         /* send: a Byzantine node's strategy rewrote it */
};

/* An observer attached to a run.  `on_event` is called synchronously, from
 * the kernel's thread, after each event has taken effect, in event order;
 * it must not call back into the simulation.  `on_end` is called once when
 * the run stops.  The observer owns `self`; the kernel never frees it. */
struct disco_observer {
    void *self;
    void (*on_event)(void *self, const struct disco_event_view *ev);
    void (*on_end)(void *self);
    /* Ask for `state` events after each callback that changed the
     * format_state text (costs a state copy per callback, and two
     * format_state calls when the bytes changed). */
    bool wants_state;
};

/* ------------------------------------------------------------------------ */
/* The simulation.                                                           */

struct disco_sim;

enum disco_stop {
    DISCO_STOP_QUIESCENT,  /* nothing left to happen: the run terminated */
    DISCO_STOP_MAX_EVENTS,
    DISCO_STOP_MAX_TIME,
};

struct disco_metrics {
    uint64_t messages;        /* sent, all kinds, per hop */
    uint64_t *by_kind;        /* kind_count entries */
    uint64_t delivered, dropped, duplicated;
    uint64_t events;          /* init calls, deliveries, timer firings,
                               * fault events, and in synchronous runs
                               * every node's on_round step */
    disco_time_t time;        /* tick (or round) of the last event */
    uint64_t causal_depth;    /* longest chain of messages */
    uint64_t rounds;          /* synchronous runs: rounds used, else 0 */
    enum disco_stop stop;
};

enum disco_verdict_holds { DISCO_HOLDS_NO = 0, DISCO_HOLDS_YES = 1,
                           DISCO_HOLDS_UNCHECKED = 2 };

struct disco_property_result {
    const char *name;
    enum disco_verdict_holds holds;
    char detail[256];
};

/* Create a simulation of `alg` on `topo` (borrowed: it must outlive the sim)
 * with `cfg` (copied).  Allocates every node state and calls nothing yet. */
int disco_sim_create(struct disco_sim **out, const struct disco_algorithm *alg,
                     const struct disco_topology *topo,
                     const struct disco_config *cfg, struct disco_error *err);
/* Attach an observer before disco_sim_run; at most 8. */
int disco_sim_observe(struct disco_sim *sim, const struct disco_observer *obs,
                      struct disco_error *err);
/* Run to quiescence or a bound. */
int disco_sim_run(struct disco_sim *sim, struct disco_error *err);
const struct disco_metrics *disco_sim_metrics(const struct disco_sim *sim);
/* How far a run has got, for a progress line: metrics.events and .time as
 * of the run's last report (every 65,536 events popped from the queue in
 * an asynchronous run, every round of a synchronous one, and at its end;
 * 0 before it starts).  The one call that another thread may make while
 * disco_sim_run runs; it changes nothing, and the sim must outlive it.
 * The two figures are read one after the other, so in mid-run they may
 * come from two consecutive reports. */
void disco_sim_progress(const struct disco_sim *sim, uint64_t *events,
                        disco_time_t *time);
/* Check every property of the algorithm; `results` has property_count
 * entries.  Returns the number that failed. */
unsigned disco_sim_check(struct disco_sim *sim,
                         struct disco_property_result *results);
/* After disco_sim_check: whether a causal check went unanswered because
 * the run kept causal tokens (cfg.causal_tokens) and they did not
 * certify what it asked.  (Any call of disco_view_causal_past the tokens
 * could not answer counts, from a check or from anywhere else, such as
 * an algorithm's result callback.)  The same run with causal_tokens off
 * (the same seed and settings give the same execution) answers it
 * exactly. */
bool disco_sim_causal_rerun(const struct disco_sim *sim);
/* The algorithm's result members, or "" when it has none. */
void disco_sim_result(struct disco_sim *sim, char *buf, size_t len);
const struct disco_view *disco_sim_view(const struct disco_sim *sim);

void disco_sim_free(struct disco_sim *sim);

#ifdef __cplusplus
}
#endif

#endif /* DISCO_SIM_H */
