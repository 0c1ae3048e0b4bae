/*
 * shiviz.c - the run as a ShiViz log (https://bestchai.bitbucket.io/shiviz/).
 *
 * The format: a first line with the regular expression ShiViz parses the
 * log with, a second (empty) line for its multiple-executions delimiter,
 * then two lines per event, the host and its vector clock as JSON, and a
 * description:
 *
 *     node1 {"node0":1, "node1":1}
 *     recv flood from node0 (msg 1, t=16)
 *
 * Only the events a process does appear (vclock.h says which); each
 * advances its host's own entry by one, as ShiViz checks.  Entries that
 * are zero are left out of the clock (ShiViz reads a missing host as 0),
 * the others come in node order.
 */
#include <inttypes.h>

#include "vclock.h"
#include "viz.h"

static void describe(FILE *out, const struct viz_event *ev)
{
    const char *kind = ev->kind_name ? ev->kind_name : "message";
    switch (ev->type) {
    case DISCO_EV_SEND:
        fprintf(out, "send %s to node%" PRIu32 " (msg %" PRIu64 ", t=%" PRIu64
                ")\n", kind, ev->peer, ev->msg, ev->time);
        break;
    case DISCO_EV_RECV:
        fprintf(out, "recv %s from node%" PRIu32 " (msg %" PRIu64
                ", t=%" PRIu64 ")\n", kind, ev->peer, ev->msg, ev->time);
        break;
    case DISCO_EV_TIMER:
        fprintf(out, "timer %" PRId64 " (t=%" PRIu64 ")\n", ev->value,
                ev->time);
        break;
    case DISCO_EV_DECIDE:
        fprintf(out, "decide %" PRId64 " (t=%" PRIu64 ")\n", ev->value,
                ev->time);
        break;
    case DISCO_EV_CRASH:
        fprintf(out, "crash (t=%" PRIu64 ")\n", ev->time);
        break;
    case DISCO_EV_RECOVER:
        fprintf(out, "recover (t=%" PRIu64 ")\n", ev->time);
        break;
    default:
        break;
    }
}

int viz_write_shiviz(struct viz_recorder *rec, FILE *out,
                     struct disco_error *err)
{
    struct vclock vc;
    int rc = vclock_init(&vc, rec, err);
    if (rc)
        return rc;
    /* The regex is ShiViz's own example: host, space, JSON clock; the
     * event text on the next line. */
    fputs("(?<host>\\S*) (?<clock>{.*})\\n(?<event>.*)\n\n", out);
    for (size_t i = 0; i < rec->event_count; i++) {
        const struct viz_event *ev = &rec->events[i];
        const uint32_t *clock = vclock_step(&vc, ev);
        if (!clock)
            continue;
        fprintf(out, "node%" PRIu32 " {", ev->node);
        bool first = true;
        for (uint32_t k = 0; k < vc.n; k++) {
            if (!clock[k])
                continue;
            fprintf(out, "%s\"node%" PRIu32 "\":%" PRIu32, first ? "" : ", ",
                    k, clock[k]);
            first = false;
        }
        fputs("}\n", out);
        describe(out, ev);
    }
    vclock_release(&vc);
    if (ferror(out))
        return disco_fail(err, DISCO_EIO, "cannot write the shiviz log");
    return 0;
}
