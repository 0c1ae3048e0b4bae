/*
 * disco.h - the one header an algorithm is written against.
 *
 * An algorithm is a `const struct disco_algorithm` of callbacks plus its
 * description (model, parameters, message kinds, properties).  The kernel
 * owns every node's state (one plain-data block of `state_size` bytes per
 * node, zeroed before `init`), owns message memory, and calls the callbacks
 * one at a time, never concurrently, in simulated-time order.
 *
 * Within a callback the algorithm acts only through the `disco_ctx` handle:
 * it sends messages, sets timers, decides, declares itself passive or active,
 * and draws random numbers from its own stream.  It never sees another
 * node's state, the clock of another node, or the kernel's internals.
 *
 * See docs/writing-an-algorithm.md for a worked example.
 */
#ifndef DISCO_H
#define DISCO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Simulated time in integer ticks (asynchronous runs) or rounds (synchronous). */
typedef uint64_t disco_time_t;

/* Largest payload a message may carry, in bytes. */
#define DISCO_MAX_PAYLOAD 4096u

/* Longest text a format_state or result callback may write (with the NUL). */
#define DISCO_STATE_TEXT 128u
#define DISCO_RESULT_TEXT 1024u

/* ------------------------------------------------------------------------ */
/* The model an algorithm assumes.                                          */

/* The shape the communication graph must have. */
enum disco_shape {
    DISCO_SHAPE_ANY = 0,   /* any graph (subject to the flags below) */
    DISCO_SHAPE_URING,     /* one directed cycle through every node */
    DISCO_SHAPE_RING,      /* an undirected cycle through every node */
    DISCO_SHAPE_COMPLETE,  /* every node linked to every other */
    DISCO_SHAPE_TREE,      /* undirected, connected, N-1 edges */
    DISCO_SHAPE_ANY_RING,  /* a ring either way: URING or RING */
    DISCO_SHAPE_NUMBERED_RING, /* URING, or a RING numbered along it: node
                                * i linked to node i+1 mod N */
};

/* Which execution models the algorithm supports (a bit mask). */
enum disco_timing {
    DISCO_ASYNC = 1u << 0, /* events at integer ticks, channel delays */
    DISCO_SYNC = 1u << 1,  /* lock-step rounds, see on_round */
};

struct disco_model {
    enum disco_shape shape;
    bool undirected;          /* needs bidirectional channels */
    bool connected;           /* needs a (strongly) connected graph */
    bool fifo;                /* correctness relies on FIFO channels */
    bool unique_ids;          /* needs distinct process ids */
    bool distinct_weights;    /* needs distinct edge weights: generated
                               * topologies then get --weights random */
    unsigned timing;          /* mask of enum disco_timing */
    bool sync_by_default;     /* run in rounds unless told otherwise */
    const char *topology;     /* default --topology, e.g. "uring:16" */
    const char *initiators;   /* default --initiators: "all" or a list */
    const char *faults;       /* faults tolerated, in words ("none") */
    const char *detector;     /* the failure detector it assumes, as
                               * --detector spells it ("eventually-strong:0"),
                               * or NULL: none unless the user gives one */
    /* A bound on message delays it assumes: every delay below the value of
     * its parameter `delay_below_param` divided by `delay_below_divisor`
     * (bully: below timeout / 2).  disco_model_check warns when the run's
     * delays can reach it.  NULL: no bound assumed. */
    const char *delay_below_param;
    unsigned delay_below_divisor; /* 0 reads as 1 */
    /* Limits of the implementation, refused before the run (exit 2): at
     * most `max_nodes` processes, at most `max_degree` in- and out-ports
     * at any node.  0: no limit. */
    uint32_t max_nodes;
    uint32_t max_degree;
    /* Needs a channel from every node i to node i+1 mod N (the ring
     * 0 -> 1 -> ... -> N-1 -> 0 that a token goes round), on a graph that
     * may have more. */
    bool ring_order;
    /* The parameters whose value names a node (a destination, a sender):
     * disco_model_check refuses a value >= N before the run; a negative
     * value, where the range allows one, means none.  Unused slots NULL. */
    const char *node_params[4];
    /* The resilience its proof assumes: N > resilience_factor times the
     * value of parameter `resilience_param` (om: N > 3m); disco_model_check
     * warns, and the run goes ahead, when the topology is too small.  A
     * negative value (a default chosen from N) is not judged.  NULL: none
     * assumed. */
    const char *resilience_param;
    unsigned resilience_factor; /* 0 reads as 1 */
};

/* A parameter: `--param name=VALUE`.  Values are integers; "on", "true" and
 * "yes" read as 1, "off", "false" and "no" as 0.  The range is checked when
 * the option is parsed, before the run starts. */
struct disco_param {
    const char *name;
    int64_t default_value;
    int64_t min, max;
    const char *help;
};

/* A node input: an integer a scenario gives a node as a node attribute
 * (`p0 [value = 1]`), read with disco_input.  Every input a module reads
 * is declared, so that a value outside [min, max] and an attribute no
 * module reads (a misspelt `crashat`) are refused before the run, as a
 * bad --param is.  `help` says what it means and what a node without it
 * does. */
struct disco_input_decl {
    const char *name;
    int64_t min, max;
    const char *help;
};

/* ------------------------------------------------------------------------ */
/* The read-only view of a run, handed to property checks and `result`.     */

struct disco_view;

/* A decision recorded with disco_decide(). */
struct disco_decision {
    uint32_t node;
    int64_t value;
    disco_time_t time;
    uint64_t lamport;
    uint64_t log_position; /* the causal log's length when it decided,
                            * kept with the causal log (else 0) */
};

uint32_t disco_view_nodes(const struct disco_view *view);
/* The node's state block (const: checks must not change it). */
const void *disco_view_state(const struct disco_view *view, uint32_t node);
/* The node's per-port part for out-port `port` (see port_state_size). */
const void *disco_view_port_state(const struct disco_view *view, uint32_t node,
                                  uint32_t port);
/* The node's part for in-port `in_port` < disco_view_in_degree (see
 * in_port_state_size, which must not be 0); the kernel's memory, valid
 * while the sim lives. */
const void *disco_view_in_port_state(const struct disco_view *view,
                                     uint32_t node, uint32_t in_port);
int64_t disco_view_id(const struct disco_view *view, uint32_t node);
bool disco_view_initiator(const struct disco_view *view, uint32_t node);
bool disco_view_crashed(const struct disco_view *view, uint32_t node);
/* The node's declared status (disco_set_passive); nodes start passive. */
bool disco_view_passive(const struct disco_view *view, uint32_t node);
/* Out-degree and the node at the far end of an out-port. */
uint32_t disco_view_degree(const struct disco_view *view, uint32_t node);
uint32_t disco_view_neighbour(const struct disco_view *view, uint32_t node,
                              uint32_t port);
/* In-degree: the node's in-ports are 0 .. disco_view_in_degree - 1 (the
 * out-degree on an undirected graph). */
uint32_t disco_view_in_degree(const struct disco_view *view, uint32_t node);
/* The in-port on which node's out-port `port` arrives at the far end
 * (disco_view_neighbour): the `port` that neighbour's on_message gets for
 * it, and the index of its disco_view_in_port_state.  On an undirected
 * graph this is the neighbour's out-port back (disco_view_port_to); on a
 * directed graph the topology's own numbering. */
uint32_t disco_view_in_port(const struct disco_view *view, uint32_t node,
                            uint32_t port);
/* Weight of the edge behind node's out-port (1 when the graph has none). */
int64_t disco_view_weight(const struct disco_view *view, uint32_t node,
                          uint32_t port);
/* True while the channel behind node's out-port is down (a --cut or a
 * partition holds it); at the end of the run, whether it ended down. */
bool disco_view_link_down(const struct disco_view *view, uint32_t node,
                          uint32_t port);
/* True when the topology carries edge weights. */
bool disco_view_weighted(const struct disco_view *view);
/* Undirected edges (directed channels / 2), or channels when directed. */
uint64_t disco_view_edges(const struct disco_view *view);
uint64_t disco_view_channels(const struct disco_view *view);
bool disco_view_directed(const struct disco_view *view);
/* True for a run in synchronous rounds (then times are rounds). */
bool disco_view_sync(const struct disco_view *view);
/* Messages sent so far, of one kind or (kind < 0) of all kinds. */
uint64_t disco_view_messages(const struct disco_view *view, int kind);
/* The algorithm's parameter by its index in the `params` table. */
int64_t disco_view_param(const struct disco_view *view, unsigned index);
size_t disco_view_decision_count(const struct disco_view *view);
const struct disco_decision *disco_view_decision(const struct disco_view *view,
                                                 size_t index);
/* Happened-before oracle: sets in_past[v] = 1 for every node v that has an
 * event causally preceding (or equal to) decision `index`, else 0.  Returns
 * 0, or a negative error when the run kept no causal log (too large; the
 * check then reports "not checked").  A run that kept causal tokens
 * instead (disco_config.causal_tokens) answers only when the decider held
 * every token, which puts every node in the past; otherwise (even when
 * every node is in the past, but some token went elsewhere) it returns
 * the error and asks for a rerun with the log (disco_sim_causal_rerun). */
int disco_view_causal_past(const struct disco_view *view, size_t index,
                           unsigned char *in_past);

/* Oracles that many algorithms' properties share.  Each returns whether
 * the property holds and writes one line of detail, as a property's check
 * does, so a check can simply return what the oracle says.
 *
 * `parent_port` reads a node's parent from its state: the out-port towards
 * the parent, or DISCO_NO_PORT for a root (or a node never reached). */
#define DISCO_NO_PORT UINT32_MAX
typedef uint32_t disco_parent_port_fn(const void *state);
typedef bool disco_is_leader_fn(const void *state);

/* The parent pointers form one tree spanning every node: exactly one root
 * (which must be `root`, unless root is DISCO_NO_PORT), no cycle. */
bool disco_oracle_spanning_tree(const struct disco_view *view,
                                disco_parent_port_fn *parent_port,
                                uint32_t root, char *detail, size_t len);
/* ... and it is a depth-first tree: every edge of the graph joins a node
 * and one of its ancestors (no cross edges). */
bool disco_oracle_dfs_tree(const struct disco_view *view,
                           disco_parent_port_fn *parent_port, char *detail,
                           size_t len);
/* ... and it is a breadth-first tree: every node's depth equals its
 * distance from the root in the graph.  When the pointers form a tree (even
 * one whose depths are wrong) and `depth` is not NULL, writes each node's
 * depth there. */
bool disco_oracle_bfs_tree(const struct disco_view *view,
                           disco_parent_port_fn *parent_port,
                           uint32_t *depth, char *detail, size_t len);
/* Exactly one node is a leader, and it has the largest id among the nodes
 * with eligible[v] != 0 (every node when eligible is NULL).  Crashed nodes
 * are neither counted as leaders nor eligible. */
bool disco_oracle_unique_max_leader(const struct disco_view *view,
                                    disco_is_leader_fn *is_leader,
                                    const unsigned char *eligible,
                                    char *detail, size_t len);
/* Every live node decided `value` exactly once (disco_decide); crashed
 * nodes and their decisions are not judged. */
bool disco_oracle_all_decided(const struct disco_view *view, int64_t value,
                              char *detail, size_t len);
/* Every correct node (neither Byzantine nor crashed) with index `first`
 * or above took its first decision in round `round`: the termination of a
 * synchronous consensus algorithm. */
bool disco_oracle_decided_in_round(const struct disco_view *view,
                                   uint32_t first, disco_time_t round,
                                   char *detail, size_t len);
/* The wave property: decision `decision` (DISCO_ALL_DECISIONS: every
 * decision, and there must be one) is causally preceded by an event at
 * every node.  Needs the causal log, which the kernel keeps for algorithms
 * with a DISCO_PROPERTY_TRACE property; without it the property is
 * reported as not checked. */
#define DISCO_ALL_DECISIONS SIZE_MAX
bool disco_oracle_preceded_by_all(const struct disco_view *view,
                                  size_t decision, char *detail, size_t len);
/* Exactly one decision, taken by an initiator (the wave's "the initiator
 * decides once"). */
bool disco_oracle_decides_once(const struct disco_view *view, char *detail,
                               size_t len);

/* Oracles of consensus.  They read decisions (disco_decide) and, through
 * the callbacks, the states; the view, the callbacks and every string
 * stay the caller's, and nothing is kept after the call.
 *
 * `input_of` reads a process's input from its state. */
typedef int64_t disco_input_of_fn(const void *state);
/* `judged` says whether a property judges node v (the others' decisions
 * are ignored); NULL judges the correct processes, those neither
 * Byzantine nor crashed (!disco_view_faulty). */
typedef bool disco_judged_fn(const struct disco_view *view, uint32_t node);

/* The words of a module's agreement detail.  With judged "correct",
 * group "process", verb "decided", first "correct node" and other
 * "node", the lines read:
 *   holds:   "every correct process decided 1"
 *   nobody:  "no correct process decided"
 *   fails:   "correct node 1 decided 0, node 3 1"
 * Each word is set on its own: modules word them differently (floodset's
 * first is "node"; om's verb is "obeys"). */
struct disco_agreement_words {
    const char *judged; /* who is judged: "correct", "loyal", "live" */
    const char *group;  /* what they are called together: "process" */
    const char *verb;   /* what a decision is: "decided", "obeys" */
    const char *first;  /* the first of two who disagree: "correct node" */
    const char *other;  /* the second: "node" */
};
/* Agreement: every decision of a judged node has the value of the first
 * one (nobody deciding holds too).  A violation names the first judged
 * decision and the first that differs from it. */
bool disco_oracle_agreement(const struct disco_view *view,
                            disco_judged_fn *judged,
                            const struct disco_agreement_words *words,
                            char *detail, size_t len);
/* The first decision of a judged node whose value is not `value`, or
 * NULL (valid while the sim lives): the scan of a validity check, whose
 * detail each module words itself. */
const struct disco_decision *
disco_view_decision_other_than(const struct disco_view *view,
                               disco_judged_fn *judged, int64_t value);
/* Whether the judged nodes all have the same input (and there is at
 * least one): then it is written to *value, else *value is left alone. */
bool disco_view_common_input(const struct disco_view *view,
                             disco_judged_fn *judged,
                             disco_input_of_fn *input_of, int64_t *value);
/* Uniform agreement: no two decisions differ, those of crashed deciders
 * included (stronger than agreement among the live). */
bool disco_oracle_uniform_agreement(const struct disco_view *view,
                                    char *detail, size_t len);
/* Validity in its weak form: every decision (crashed deciders included)
 * is the input of some process (crashed ones included). */
bool disco_oracle_decisions_are_inputs(const struct disco_view *view,
                                       disco_input_of_fn *input_of,
                                       char *detail, size_t len);
/* Integrity: no node decides twice (crashed ones included). */
bool disco_oracle_decides_at_most_once(const struct disco_view *view,
                                       char *detail, size_t len);
/* Exactly `want` messages were sent when no process is faulty, at most
 * `want` otherwise (a faulty process may send fewer, never more).
 * `formula` names how want was computed, e.g. "R·n(n-1)": the detail
 * reads "24 messages, R·n(n-1) = 24" or, with faults, "18 messages, at
 * most R·n(n-1) = 24 (faulty processes may send fewer)". */
bool disco_oracle_message_count(const struct disco_view *view, uint64_t sent,
                                uint64_t want, const char *formula,
                                char *detail, size_t len);
/* The initiator when there is exactly one, else DISCO_NO_PORT. */
uint32_t disco_view_single_initiator(const struct disco_view *view);
/* The out-port of node v that leads to neighbour u, or DISCO_NO_PORT. */
uint32_t disco_view_port_to(const struct disco_view *view, uint32_t v,
                            uint32_t u);
/* The index of the first decision taken by `node`, or SIZE_MAX. */
size_t disco_view_decision_of(const struct disco_view *view, uint32_t node);
/* The largest id among live nodes with eligible[v] (all when NULL). */
int64_t disco_view_max_id(const struct disco_view *view,
                          const unsigned char *eligible);

/* Faults the run injected.  A Byzantine node (--byzantine) runs the
 * algorithm's code but its messages pass through the chosen strategy; a
 * faulty node is one that is Byzantine or crashed at the end of the run.
 * Agreement and validity are judged over the others. */
bool disco_view_byzantine(const struct disco_view *view, uint32_t node);
bool disco_view_faulty(const struct disco_view *view, uint32_t node);
/* How many nodes are faulty: those for which disco_view_faulty holds,
 * Byzantine or crashed at the end of the run (one that crashed and
 * recovered is not), each once even when it is both.  Omissions and link
 * faults make no node faulty.  What a resilience check compares with its
 * bound (f, or om's m); > 0: some process is faulty, so that a message
 * count may only be bounded (disco_oracle_message_count). */
uint32_t disco_view_faulty_count(const struct disco_view *view);

/* Ground truth for termination detection: whether the run ended quiescent
 * (every live node passive, see disco_set_passive, and no message of the
 * basic computation in transit: kinds in the algorithm's control_kinds do
 * not count), with *since the tick (round) the final quiescent period
 * began and *first the first tick quiescence ever held (UINT64_MAX for
 * none; either pointer may be NULL).  A correct basic computation never
 * wakes again, so the two agree; when they differ, something reactivated
 * a quiescent system. */
bool disco_view_quiescence(const struct disco_view *view, disco_time_t *since,
                           disco_time_t *first);

/* Vector clocks over a finished run (cfg.vector_clocks on).  The vector
 * clock of decision `index` (N entries, valid while the sim lives), or
 * NULL when clocks were off or the index is out of range. */
const uint64_t *disco_view_decision_vc(const struct disco_view *view,
                                       size_t index);
/* True when the event stamped `a` happened before the one stamped `b`:
 * a <= b entry-wise and a != b (both N entries). */
bool disco_vc_before(const uint64_t *a, const uint64_t *b, uint32_t n);
/* The happened-before oracle for two decisions: 1 when decision `a`
 * happened before decision `b` (program order and send/receive pairs,
 * transitively), 0 when it did not (b before a, or concurrent),
 * a negative error (no log) when the run kept no vector clocks, another negative error for an
 * index out of range. */
int disco_view_happened_before(const struct disco_view *view, size_t a,
                               size_t b);

/* A property the kernel checks on the finished run (or, for invariants,
 * after every event when asked).  `check` returns true when it holds and may
 * write one short line into `detail` (e.g. "node 3 and node 7 both lead").
 * It is called once, from the kernel's thread, after the run; it owns
 * nothing it is given. */
enum disco_property_kind {
    DISCO_PROPERTY_FINAL,     /* predicate on the final global state */
    DISCO_PROPERTY_INVARIANT, /* predicate that must hold after every event */
    DISCO_PROPERTY_TRACE,     /* predicate on the recorded execution */
};

struct disco_property {
    const char *name;
    const char *description;
    enum disco_property_kind kind;
    bool (*check)(const struct disco_view *view, char *detail, size_t len);
    /* True when the property only makes sense if the run terminated. */
    bool needs_termination;
};

/* ------------------------------------------------------------------------ */
/* What a callback can do: the per-call handle.                              */

struct disco_ctx;

/* This node: index 0..N-1, process id, network size. */
uint32_t disco_self(const struct disco_ctx *ctx);
int64_t disco_id(const struct disco_ctx *ctx);
uint32_t disco_nodes(const struct disco_ctx *ctx);
/* Ports: out-ports 0..out_degree-1 address outgoing channels; a message
 * arrives on an in-port 0..in_degree-1.  On undirected graphs in-port p and
 * out-port p lead to the same neighbour. */
uint32_t disco_out_degree(const struct disco_ctx *ctx);
uint32_t disco_in_degree(const struct disco_ctx *ctx);
/* Weight of the edge behind out-port `port` (1 when the graph has none). */
int64_t disco_weight(const struct disco_ctx *ctx, uint32_t port);
bool disco_is_initiator(const struct disco_ctx *ctx);
/* Current tick (asynchronous) or round (synchronous). */
disco_time_t disco_now(const struct disco_ctx *ctx);
/* The algorithm's parameter by its index in the `params` table. */
int64_t disco_param(const struct disco_ctx *ctx, unsigned index);
/* A node input from the scenario (node attribute `name`, an integer within
 * the range the module declares in `inputs`).  Returns false, leaving
 * *value alone, when the node has none.  Reading a name the module does
 * not declare stops the run with an error (DISCO_EINVAL), as a send on a
 * port that does not exist does. */
bool disco_input(const struct disco_ctx *ctx, const char *name, int64_t *value);
/* A uniform 64-bit number from this node's own random stream. */
uint64_t disco_random(struct disco_ctx *ctx);
/* A uniform number in [0, bound) from this node's stream; bound > 0. */
uint64_t disco_random_below(struct disco_ctx *ctx, uint64_t bound);

/* Simulated signatures (for authenticated algorithms such as
 * Dolev-Strong): a 64-bit tag of `len` bytes under this node's secret key,
 * which only the kernel knows.  Any node can check a tag with
 * disco_verify; no node, Byzantine or not, can sign as another one (a
 * guessed tag verifies with probability 2^-64).  Keys derive from the seed,
 * so runs stay reproducible. */
uint64_t disco_sign(const struct disco_ctx *ctx, const void *data, size_t len);
bool disco_verify(const struct disco_ctx *ctx, uint32_t signer,
                  const void *data, size_t len, uint64_t signature);

/* The failure detector (--detector perfect | eventually-perfect:T |
 * eventually-strong:T): whether this node's detector suspects `node` now.
 * Always false when the run has no detector.  Before the stabilisation time
 * T the answers are arbitrary (redrawn every period); from T on the
 * detector suspects every crashed node (strong completeness) and, being
 * eventually perfect, no live one, or, being eventually strong, never the
 * one correct node it trusts (eventual weak accuracy) while it may keep
 * suspecting other live ones.  The detector sends no message: poll it,
 * e.g. from a timer. */
bool disco_suspects(const struct disco_ctx *ctx, uint32_t node);
/* Whether the run has a failure detector at all (for properties that
 * explain a blocked run). */
bool disco_view_has_detector(const struct disco_view *view);

/* This node's part of the state for out-port `port` (port_state_size
 * bytes), inside its block; valid during the callback. */
void *disco_port_state(struct disco_ctx *ctx, uint32_t port);
/* This node's part of the state for in-port `in_port` < disco_in_degree
 * (in_port_state_size bytes, which must not be 0), inside its block and
 * owned by the kernel; valid during the callback, from init on. */
void *disco_in_port_state(struct disco_ctx *ctx, uint32_t in_port);

/* Layers: an algorithm that runs another one inside it (a synchronizer)
 * calls the inner algorithm's callbacks itself.  While it does, it can
 * catch the inner algorithm's sends: disco_send and friends then call
 * `hook` instead of sending (the hook is cleared during its own call, so
 * the hook's own disco_send goes to the network).  Set it just before the
 * inner call and clear it (NULL) right after. */
typedef void disco_send_hook_fn(struct disco_ctx *ctx, void *hook_state,
                                uint32_t port, unsigned kind,
                                const void *payload, size_t len);
void disco_set_send_hook(struct disco_ctx *ctx, disco_send_hook_fn *hook,
                         void *hook_state);

/* Layers: a synchronizer runs its inner algorithm in pulses.  While the
 * layer clock is on, disco_now returns `now` (the pulse) and decisions are
 * recorded with that time, as they would be in round `now` of a
 * synchronous run; sends, timers and the trace keep the real tick.  Turn
 * it on just before the inner call and off (false) right after. */
#define DISCO_LAYER_CLOCK 1
void disco_set_layer_clock(struct disco_ctx *ctx, bool on, disco_time_t now);

/* Send `len` bytes (copied; len <= DISCO_MAX_PAYLOAD) of message `kind`
 * (an index into `message_kinds`) on out-port `port`.  The kernel copies the
 * payload, so a local buffer is fine.  Sends from a crashed node vanish. */
void disco_send(struct disco_ctx *ctx, uint32_t port, unsigned kind,
                const void *payload, size_t len);
/* Send to every out-port; or every out-port but `except` (usually the
 * parent's port). */
void disco_send_all(struct disco_ctx *ctx, unsigned kind, const void *payload,
                    size_t len);
void disco_send_all_except(struct disco_ctx *ctx, uint32_t except,
                           unsigned kind, const void *payload, size_t len);
/* Ask for on_timer(tag) after `delay` ticks (rounds, in a synchronous run,
 * where it fires before that round's on_round).  A pending timer keeps the
 * run going. */
void disco_set_timer(struct disco_ctx *ctx, disco_time_t delay, uint64_t tag);
/* Record a decision (a leader id, a value).  Appears in the trace as a
 * `decide` event and in the view for property checks. */
void disco_decide(struct disco_ctx *ctx, int64_t value);
/* Record a `mark` event at this node now, labelled `label`: a moment the
 * pictures should show, e.g. "cut" when a snapshot records its local state
 * (the space-time diagram draws each snapshot's marks as a cut line).
 * `label` must be a static string (observers keep the pointer).  A mark is
 * no event of the algorithm: it advances neither the Lamport nor the
 * vector clock, is not counted in the metrics, and is seen only by
 * observers (a run that never marks has the trace it always had). */
void disco_mark(struct disco_ctx *ctx, const char *label);
/* Declare this node passive (true) or active (false).  Nodes start passive.
 * A synchronous run continues while a node is active or a message is in
 * transit; quiescence oracles read this flag. */
void disco_set_passive(struct disco_ctx *ctx, bool passive);
/* What this node last declared (layers read their inner algorithm's). */
bool disco_is_passive(const struct disco_ctx *ctx);

/* ------------------------------------------------------------------------ */
/* The algorithm module.                                                    */

/* Byzantine processes.  A Byzantine node runs the algorithm's own code, and
 * every message it sends first passes through the run's strategy, which may
 * rewrite it or suppress it.  The generic strategies (silent, flip, random,
 * equivocate) know nothing of payloads, so they ask the algorithm's `lie`
 * callback to falsify one: */
enum disco_lie {
    DISCO_LIE_FLIP,   /* the canonical wrong value: a bit negated,
                       * "attack" for "retreat" */
    DISCO_LIE_RANDOM, /* an arbitrary value, drawn with disco_random */
};

/* For strategies (and lie callbacks): whether `node` belongs to the same
 * coalition, that is, both it and the calling node are Byzantine.  Always
 * false when called at a correct node, so honest code learns nothing. */
bool disco_byzantine_peer(const struct disco_ctx *ctx, uint32_t node);

/* A strategy of the algorithm's own (a traitorous general that tells half
 * the lieutenants "attack"), chosen with --strategy NAME like the generic
 * ones.  `on_send` is called, in the Byzantine node's context, for each
 * message it sends on out-port `port`, before the kernel copies it: it may
 * rewrite the payload in place (the buffer holds DISCO_MAX_PAYLOAD bytes;
 * *len and *kind may change) and returns false to suppress the message.
 * It may draw with disco_random and sign with disco_sign (as this node
 * only); it must not send. */
struct disco_strategy {
    const char *name;
    const char *summary;
    bool (*on_send)(struct disco_ctx *ctx, uint32_t port, unsigned *kind,
                    void *payload, size_t *len);
};

struct disco_algorithm {
    const char *name;        /* as `disco list` shows it: "chang-roberts" */
    const char *family;      /* "wave", "election", ... */
    const char *summary;     /* one line */
    const char *description; /* a paragraph: what it does, how */
    const char *messages;    /* message complexity, as a formula */
    const char *time;        /* time complexity, as a formula */
    const char *source;      /* book and chapter, or paper */
    /* An upper bound on all messages (every kind) as a gnuplot expression
     * in n, the number of processes, e.g. "n*(n+1)/2+n"; disco sweep draws
     * it beside the measured counts.  NULL when none is declared. */
    const char *message_bound;
    struct disco_model model;

    const struct disco_param *params;   /* `param_count` entries */
    unsigned param_count;
    /* The node inputs it reads with disco_input, `input_count` entries
     * (NULL and 0: none). */
    const struct disco_input_decl *inputs;
    unsigned input_count;
    const char *const *message_kinds;   /* names, index = kind */
    unsigned kind_count;                /* at most 256 */
    /* Bit k set: kind k is a control message (an ack, a token, a marker)
     * of an algorithm that observes a basic computation; it does not count
     * as basic work for disco_view_quiescence.  Kinds from 64 on are
     * always basic.  0 for ordinary algorithms. */
    uint64_t control_kinds;
    const struct disco_property *properties;
    unsigned property_count;
    /* True when every trace property asks only whether decisions are
     * causally preceded by an event at every node
     * (disco_oracle_preceded_by_all) and, in a correct run, the decider
     * holds every causal token when it decides, as a wave's single decider
     * does (docs/architecture.md, "Causal tokens").  Large runs then check
     * them on tokens instead of the causal log, and run again with the log
     * where the tokens do not certify.  Leave it false when unsure: the
     * answers are the same, only the cost differs (an algorithm whose
     * decider seldom holds them all would run twice). */
    bool tokens_certify;

    /* Bytes of per-node state.  The kernel allocates N blocks of this size
     * contiguously, zeroed, aligned to 16 bytes.  State must be plain data:
     * no pointers (the kernel copies, hashes and compares it). */
    size_t state_size;

    /* Bytes of state per out-port (0: none).  Each node's block then has
     * out_degree such parts after its state (and the in-port parts after
     * them, if any), reached with disco_port_state; the kernel
     * sizes every block by the node's own degree, so per-port arrays need no
     * fixed maximum degree.  Plain data, zeroed, like the rest. */
    size_t port_state_size;

    /* Bytes of state per in-port (0: none): what a node keeps about each
     * incoming channel, reached with disco_in_port_state by the in-port
     * on_message receives.  The parts follow the out-port parts in the
     * node's block, in_degree of them, the first on a 16-byte boundary
     * (each one aligned when the size is a multiple of 16); the kernel owns
     * them, zeroes them with the rest and keeps them for the whole run.
     * On an undirected graph in-port p and out-port p face the same
     * neighbour and port_state_size alone may do; on a directed graph
     * in_degree and out_degree may differ, and the state of an incoming
     * channel needs a part of its own.  An algorithm that leaves it 0 pays
     * nothing for it. */
    size_t in_port_state_size;

    /* Called once per node at time 0 (round 0), in node-index order, after
     * all states are zeroed.  May send and set timers.  Initiators usually
     * start here. */
    void (*init)(struct disco_ctx *ctx, void *state);

    /* A message of `kind` arrived on in-port `port`.  `payload` is the
     * kernel's copy, valid only during the call: copy what you keep. */
    void (*on_message)(struct disco_ctx *ctx, void *state, uint32_t port,
                       unsigned kind, const void *payload, size_t len);

    /* A timer set with disco_set_timer fired.  May be NULL. */
    void (*on_timer)(struct disco_ctx *ctx, void *state, uint64_t tag);

    /* Synchronous runs: called at every live node once per round r >= 1,
     * after all messages sent in round r-1 were delivered by on_message.
     * Messages sent here arrive in round r+1.  May be NULL. */
    void (*on_round)(struct disco_ctx *ctx, void *state, disco_time_t round);

    /* A crashed node recovers (--recover): called with the state it had
     * when it crashed; its timers were cancelled by the crash and messages
     * sent to it meanwhile are lost.  May send and set timers (e.g. hold an
     * election, as bully does).  May be NULL: the node just resumes. */
    void (*on_recover)(struct disco_ctx *ctx, void *state);

    /* The link behind out-port `port` went down (up false: a --cut or a
     * partition began) or came back (up true).  Called at the sending end
     * of the channel, so at both ends of an undirected link, after the
     * whole fault took effect; not at crashed nodes.  Messages sent on a
     * down link are lost.  May send and set timers (link reversal repairs
     * its DAG here).  May be NULL: nodes do not notice. */
    void (*on_link)(struct disco_ctx *ctx, void *state, uint32_t port,
                    bool up);

    /* A short text for traces and pictures ("leader", "parent=3").  Writes
     * at most len bytes including the NUL.  May be NULL. */
    void (*format_state)(const void *state, char *buf, size_t len);

    /* What the run computed, as the members of a JSON object without the
     * braces, e.g. `"leader": 16`.  May be NULL (then "result" is {}). */
    void (*result)(const struct disco_view *view, char *buf, size_t len);

    /* For pictures (all optional, all read-only, called after the run or
     * between events): the node's parent out-port, drawn as a bold tree
     * edge; whether the node is a leader, drawn filled; and the direction
     * of the edge behind out-port `port` for algorithms that orient edges
     * (link reversal): +1 pointing away from `node`, -1 towards it, 0
     * undirected. */
    disco_parent_port_fn *parent_port;
    disco_is_leader_fn *is_leader;
    int (*orientation)(const struct disco_view *view, uint32_t node,
                       uint32_t port);

    /* Byzantine processes (all optional).  `lie` falsifies one message of a
     * Byzantine node for the generic strategies flip, random and
     * equivocate: rewrite `payload` (`len` bytes of message `kind`, about
     * to leave on out-port `port`) in place as `how` says; return false to
     * send nothing instead.  Called in the Byzantine node's context, like
     * a strategy's on_send.  NULL: only silent and the algorithm's own
     * strategies are available.  `strategies`: the algorithm's own
     * adversaries, `strategy_count` entries. */
    bool (*lie)(struct disco_ctx *ctx, enum disco_lie how, uint32_t port,
                unsigned kind, void *payload, size_t len);
    const struct disco_strategy *strategies;
    unsigned strategy_count;
};

#ifdef __cplusplus
}
#endif

#endif /* DISCO_H */
