/*
 * viz.h - everything that draws: topology and state pictures (cgraph/gvc),
 * frames, space-time diagrams, the HTML player, exports for other viewers.
 *
 * viz depends on the kernel's read-only views and observers, never the
 * reverse.  A recorder is an observer that keeps what the pictures need;
 * after the run, each writer draws from it.  Writers print nothing and
 * return 0 or a negative DISCO_E* code with a message, like the kernel.
 * Every writer gives the same bytes for the same run.
 */
#ifndef DISCO_VIZ_H
#define DISCO_VIZ_H

#include <stdio.h>

#include "disco_sim.h"

/* A frame's file name under --frames: VIZ_FRAME_PREFIX, its number in six
 * digits or more from 1, VIZ_FRAME_SUFFIX ("frame-000001.svg"). */
#define VIZ_FRAME_PREFIX "frame-"
#define VIZ_FRAME_SUFFIX ".svg"

/* One recorded event: the observer's view, copied (strings interned in the
 * recorder, valid until viz_recorder_free). */
struct viz_event {
    enum disco_event_type type;
    disco_time_t time;
    uint64_t seq;
    uint32_t node, peer;
    int kind;              /* message kind, or -1 */
    const char *kind_name; /* the algorithm's static name, or NULL */
    uint64_t msg;
    uint64_t lamport;
    int64_t value;
    const char *state;     /* `state` events: the new text */
    const char *label;     /* `mark` events: the algorithm's static label */
    bool forged;           /* `send`: a Byzantine strategy rewrote it */
};

struct viz_recorder {
    struct disco_sim *sim;                 /* borrowed */
    const struct disco_algorithm *alg;     /* borrowed */
    const struct disco_topology *topo;     /* borrowed */
    const struct disco_config *cfg;        /* borrowed */
    struct viz_event *events;
    size_t event_count, event_capacity;
    char *strings;                         /* interned state texts */
    size_t strings_used, strings_capacity;
    bool failed;                           /* out of memory while recording */
    /* Frames (--frames DIR): set before the run to draw one picture per
     * delivery into `frames_dir` (frame-000001.svg, ...). */
    const char *frames_dir;
    uint64_t frame_count;
    int frames_error;
    char frames_message[256];
    int frames_errno; /* a frame that could not be written: its errno */
    /* Where the pictures put the nodes (x, y of node v in points at
     * 2v): computed at the first picture, kept for the others, since
     * positions do not depend on the state. */
    double *positions;
};

/* Set up a recorder for `sim` (the others are what it runs); attach it
 * with disco_sim_observe(sim, &obs) after viz_recorder_observer.  The
 * recorder borrows all four; they must outlive it. */
int viz_recorder_init(struct viz_recorder *rec, struct disco_sim *sim,
                      const struct disco_algorithm *alg,
                      const struct disco_topology *topo,
                      const struct disco_config *cfg, struct disco_error *err);
/* Fill `obs`: every event is recorded (state texts included). */
void viz_recorder_observer(struct viz_recorder *rec, struct disco_observer *obs);
void viz_recorder_release(struct viz_recorder *rec);
/* The text of a node's state at the end (format_state), into buf. */
void viz_final_state(const struct viz_recorder *rec, uint32_t node, char *buf,
                     size_t len);

/* ---- writers, called after the run ---- */

/* The topology with the final state as Graphviz DOT (viz/topology.c): node
 * labels with id and state text, colours by role, parent edges bold,
 * orientation where the algorithm has one, cut links dashed, weights. */
int viz_write_dot(struct viz_recorder *rec, FILE *out, struct disco_error *err);
/* The same picture rendered with gvc: format "svg" or "png", to `out`
 * (rendered in memory, then written: a failed write is an error, never
 * Graphviz's exit). */
int viz_render(struct viz_recorder *rec, const char *format, FILE *out,
               struct disco_error *err);
/* Frames: the per-event observer hook is internal to viz/topology.c; the
 * CLI only sets rec->frames_dir before the run and reads frames_error
 * (and frames_errno, to name the directory). */
void viz_frame_hook(struct viz_recorder *rec, const struct viz_event *ev);
/* Whether `name` is a frame's as viz_frame_hook names them: frame-, six
 * digits or more, .svg (--frames replaces a directory of these only). */
bool viz_is_frame_name(const char *name);

/* The space-time diagram as SVG (viz/spacetime.c); `window` is "T1:T2" or
 * NULL for the whole run. */
int viz_write_spacetime(struct viz_recorder *rec, FILE *out,
                        const char *window, struct disco_error *err);
/* Check a --window text ("T1:T2") before the run, so a typo costs no
 * simulation. */
int viz_window_check(const char *window, struct disco_error *err);
/* A ShiViz log with vector clocks (viz/shiviz.c). */
int viz_write_shiviz(struct viz_recorder *rec, FILE *out,
                     struct disco_error *err);
/* The self-contained animated HTML player (viz/player.c). */
int viz_write_html(struct viz_recorder *rec, FILE *out,
                   struct disco_error *err);

#endif /* DISCO_VIZ_H */
