/* registry.c - the one table that lists every algorithm. */
#include <string.h>

#include "registry.h"

extern const struct disco_algorithm disco_alg_echo;
extern const struct disco_algorithm disco_alg_chang_roberts;
extern const struct disco_algorithm disco_alg_flood;

const struct disco_algorithm *const disco_algorithms[] = {
    &disco_alg_echo,
    &disco_alg_chang_roberts,
    &disco_alg_flood,
};

const size_t disco_algorithm_count =
    sizeof disco_algorithms / sizeof disco_algorithms[0];

const struct disco_algorithm *disco_algorithm_find(const char *name)
{
    for (size_t i = 0; i < disco_algorithm_count; i++)
        if (strcmp(disco_algorithms[i]->name, name) == 0)
            return disco_algorithms[i];
    return NULL;
}
