/*
 * registry.h - the table of every algorithm disco knows.
 *
 * Adding an algorithm: write algorithms/NAME.c defining
 * `const struct disco_algorithm disco_alg_NAME`, and add 'NAME' to the list
 * in algorithms/meson.build; meson generates the table (registry.c.in).
 */
#ifndef DISCO_REGISTRY_H
#define DISCO_REGISTRY_H

#include "disco.h"

extern const struct disco_algorithm *const disco_algorithms[];
extern const size_t disco_algorithm_count;

/* The algorithm named `name`, or NULL. */
const struct disco_algorithm *disco_algorithm_find(const char *name);

#endif
