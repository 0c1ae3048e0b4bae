/*
 * recorder.c - an observer that keeps every event of a run, for the
 * pictures drawn after it.
 */
#include <stdlib.h>
#include <string.h>

#include "viz.h"

int viz_recorder_init(struct viz_recorder *rec, struct disco_sim *sim,
                      const struct disco_algorithm *alg,
                      const struct disco_topology *topo,
                      const struct disco_config *cfg, struct disco_error *err)
{
    (void)err;
    memset(rec, 0, sizeof *rec);
    rec->sim = sim;
    rec->alg = alg;
    rec->topo = topo;
    rec->cfg = cfg;
    return 0;
}

/* Intern a state text; returns its offset + 1 (0: none or no memory).
 * Offsets, not pointers, because the pool moves as it grows. */
static size_t intern(struct viz_recorder *rec, const char *text)
{
    size_t len = strlen(text) + 1;
    if (rec->strings_used + len > rec->strings_capacity) {
        size_t capacity = rec->strings_capacity ? rec->strings_capacity * 2
                                                : 65536;
        while (capacity < rec->strings_used + len)
            capacity *= 2;
        char *strings = realloc(rec->strings, capacity);
        if (!strings) {
            rec->failed = true;
            return 0;
        }
        rec->strings = strings;
        rec->strings_capacity = capacity;
    }
    memcpy(rec->strings + rec->strings_used, text, len);
    rec->strings_used += len;
    return rec->strings_used - len + 1;
}

static void record(void *self, const struct disco_event_view *ev)
{
    struct viz_recorder *rec = self;
    if (rec->failed)
        return;
    if (rec->event_count == rec->event_capacity) {
        size_t capacity = rec->event_capacity ? rec->event_capacity * 2 : 4096;
        struct viz_event *events =
            realloc(rec->events, capacity * sizeof *events);
        if (!events) {
            rec->failed = true;
            return;
        }
        rec->events = events;
        rec->event_capacity = capacity;
    }
    struct viz_event *e = &rec->events[rec->event_count++];
    *e = (struct viz_event){
        .type = ev->type, .time = ev->time, .seq = ev->seq, .node = ev->node,
        .peer = ev->peer, .kind = ev->kind, .kind_name = ev->kind_name,
        .msg = ev->msg, .lamport = ev->lamport, .value = ev->value,
        /* Labels are static strings (disco_mark), so no copy. */
        .label = ev->label, .forged = ev->forged,
    };
    /* The state pointer is stored as an offset until the run ends. */
    e->state = ev->state ? (const char *)(uintptr_t)intern(rec, ev->state)
                         : NULL;
    if (rec->frames_dir)
        viz_frame_hook(rec, e);
}

/* Turn interned offsets into pointers, once the pool stops moving. */
static void finish(void *self)
{
    struct viz_recorder *rec = self;
    for (size_t i = 0; i < rec->event_count; i++) {
        uintptr_t offset = (uintptr_t)rec->events[i].state;
        rec->events[i].state = offset ? rec->strings + offset - 1 : NULL;
    }
}

void viz_recorder_observer(struct viz_recorder *rec, struct disco_observer *obs)
{
    *obs = (struct disco_observer){
        .self = rec, .on_event = record, .on_end = finish, .wants_state = true,
    };
}

void viz_recorder_release(struct viz_recorder *rec)
{
    free(rec->events);
    free(rec->strings);
    free(rec->positions);
    memset(rec, 0, sizeof *rec);
}

void viz_final_state(const struct viz_recorder *rec, uint32_t node, char *buf,
                     size_t len)
{
    if (len)
        buf[0] = '\0';
    if (rec->alg->format_state)
        rec->alg->format_state(
            disco_view_state(disco_sim_view(rec->sim), node), buf, len);
}
