/*
 * trace.h - the JSON Lines event trace, and the JSON helpers that the trace
 * and the front end's summary share.
 *
 * A trace is an observer: attach it with disco_sim_observe() and every
 * event of the run becomes one line.  The first line describes the run
 * (algorithm, topology, seed, model: the same members as the summary);
 * docs/cli.md gives the schema of every event type.  The same seed and
 * options give the same bytes: the trace holds nothing from the wall clock
 * or the environment.
 *
 * The trace writes to a stdio stream it is given and owns from then on;
 * where that stream goes (a temporary file renamed at the end, a pipe) is
 * the caller's business.
 */
#ifndef DISCO_TRACE_H
#define DISCO_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "disco_sim.h"

/* ------------------------------------------------------------------------ */
/* JSON helpers.                                                             */

/* Escape `s` as the inside of a JSON string (no quotes) into `buf`, which
 * has room for `cap` bytes; always NUL-terminates when cap > 0.  Control
 * characters become \n, \t, \u0001...; bytes that are not valid UTF-8
 * become \ufffd, so the output is always valid JSON.  An escape sequence
 * that does not fit is left out whole.  Returns the length written. */
size_t disco_json_escape(char *buf, size_t cap, const char *s);

/* Write `s` as a quoted JSON string; NULL writes null. */
void disco_json_string(FILE *out, const char *s);

/* Write a number in its shortest form that reads back exactly ("0", "0.1",
 * "1e-06"); NaN and infinities, which JSON lacks, are written as null. */
void disco_json_double(FILE *out, double value);

/* Write the members that describe a run, without braces:
 *   "algorithm": "...", "topology": {"spec": ..., "nodes": N,
 *   "channels": C, "directed": B}, "seed": S, "model": {"sync": B,
 *   "fifo": B, "delay": "...", "loss": P, "dup": P}
 * with `sep` between the four top-level members (", " on one line, or
 * ",\n  " for an indented object). */
void disco_json_run_members(FILE *out, const char *sep,
                            const struct disco_algorithm *alg,
                            const struct disco_topology *topo,
                            const struct disco_config *cfg);

/* ------------------------------------------------------------------------ */
/* The trace observer.                                                       */

struct disco_trace {
    FILE *out;
    char *buffer; /* the stream's stdio buffer, owned */
    bool failed;  /* a write failed; reported by disco_trace_close */
    /* With vector clocks (cfg.vector_clocks at open): the entries of each
     * event's `vc`, and a line buffer large enough for them, owned. */
    uint32_t vc_nodes;
    char *line;
};

/* Take ownership of `out` (opened for writing), give it a large buffer and
 * write the first line describing the run.  With cfg->vector_clocks every
 * event line ends with "vc": [...] (topo->nodes entries) after "lamport".  On failure `out` is closed all
 * the same and the trace is left empty. */
int disco_trace_open(struct disco_trace *trace, FILE *out,
                     const struct disco_algorithm *alg,
                     const struct disco_topology *topo,
                     const struct disco_config *cfg, struct disco_error *err);

/* Fill `obs` so that it writes into `trace` (which must outlive the run).
 * `with_state` asks the kernel for `state` events (it then formats every
 * node's state after each callback that may have changed it). */
void disco_trace_observer(struct disco_trace *trace, struct disco_observer *obs,
                          bool with_state);

/* Write one event line (what the observer does; public for tests and for
 * tools that replay events). */
void disco_trace_event(struct disco_trace *trace,
                       const struct disco_event_view *ev);

/* Flush and close the stream, free the buffer.  Returns 0, or DISCO_EIO
 * when any write failed (the file is then incomplete), with the reason
 * alone in err ("File too large"): the stream has no name here, and the
 * caller names its file.  Safe on a trace that was never opened or is
 * already closed. */
int disco_trace_close(struct disco_trace *trace, struct disco_error *err);

#endif /* DISCO_TRACE_H */
