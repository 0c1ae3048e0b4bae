#include "viz.h"

/* Placeholder until the pictures land: says so plainly. */
static int not_yet(const char *what, struct disco_error *err)
{
    return disco_fail(err, DISCO_EINVAL, "%s is not available yet in this "
                      "version", what);
}

int viz_write_html(struct viz_recorder *rec, FILE *out,
                   struct disco_error *err)
{
    return not_yet("--html", err);
}
