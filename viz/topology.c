#include "viz.h"

/* Placeholder until the pictures land: says so plainly. */
static int not_yet(const char *what, struct disco_error *err)
{
    return disco_fail(err, DISCO_EINVAL, "%s is not available yet in this "
                      "version", what);
}

int viz_write_dot(struct viz_recorder *rec, FILE *out, struct disco_error *err)
{
    return not_yet("--dot", err);
}

int viz_render(struct viz_recorder *rec, const char *format, const char *path,
               struct disco_error *err)
{
    return not_yet(format[0] == 's' ? "--svg" : "--png", err);
}

void viz_frame_hook(struct viz_recorder *rec, const struct viz_event *ev)
{
    if (!rec->frames_error) {
        rec->frames_error = DISCO_EINVAL;
        snprintf(rec->frames_message, sizeof rec->frames_message,
                 "--frames is not available yet in this version");
    }
}
