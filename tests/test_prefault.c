/*
 * test_prefault.c - the prefault helper (sim/prefault.h): a request makes
 * exactly its pages resident and changes no byte, small requests and
 * freed ranges are harmless, and a run prints the same with the helper on
 * and off.
 */
/* mincore and MAP_ANONYMOUS are extensions that strict POSIX mode hides. */
#define _DEFAULT_SOURCE

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "big_array.h"
#include "prefault.h"
#include "registry.h"
#include "support.h"

extern const struct disco_algorithm disco_alg_echo;

#define MB ((size_t)1 << 20)

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }

/* A fresh mapping, none of it resident; not offered for huge pages, so
 * that residency is counted page by page. */
static unsigned char *fresh_mapping(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(p != MAP_FAILED);
#ifdef MADV_NOHUGEPAGE
    madvise(p, bytes, MADV_NOHUGEPAGE);
#endif
    return p;
}

/* Which pages of the mapping are resident: one byte per page, 1 or 0. */
static unsigned char *residency(unsigned char *mapping, size_t bytes)
{
    size_t pages = bytes / page_size();
    unsigned char *vec = malloc(pages);
    assert_non_null(vec);
    assert_int_equal(mincore(mapping, bytes, vec), 0);
    for (size_t i = 0; i < pages; i++)
        vec[i] &= 1;
    return vec;
}

/* Skip when the helper cannot run here (DISCO_PREFAULT=0, or a kernel
 * without MADV_POPULATE_WRITE, which the helper finds on its first
 * request). */
static void skip_without_helper(void)
{
    unsigned char *probe = fresh_mapping(2 * MB);
    disco__prefault(probe, 2 * MB, DISCO__PREFAULT_FROM_START);
    disco__prefault_wait_idle();
    munmap(probe, 2 * MB);
    if (!disco__prefault_enabled())
        skip();
}

/* A range that starts and ends inside pages: the pages it touches, and
 * only those, become resident, from either end. */
static void check_range(enum disco__prefault_order order)
{
    skip_without_helper();
    size_t bytes = 12 * MB, page = page_size();
    unsigned char *mapping = fresh_mapping(bytes);
    size_t offset = 3 * page + 100, length = 5 * MB + 123;
    disco__prefault(mapping + offset, length, order);
    disco__prefault_wait_idle();
    unsigned char *vec = residency(mapping, bytes);
    size_t first = offset / page, last = (offset + length - 1) / page;
    for (size_t i = 0; i < bytes / page; i++) {
        if (vec[i] != (i >= first && i <= last)) /* one message, not 3000 */
            fail_msg("page %zu of %zu: resident %d", i, bytes / page,
                     vec[i]);
    }
    free(vec);
    munmap(mapping, bytes);
}

static void test_prefault_from_end_covers_exactly_the_range(void **state)
{
    (void)state;
    check_range(DISCO__PREFAULT_FROM_END);
}

static void test_prefault_from_start_covers_exactly_the_range(void **state)
{
    (void)state;
    check_range(DISCO__PREFAULT_FROM_START);
}

/* Populating changes no byte: pages written before keep what they hold,
 * fresh ones read zero. */
static void test_prefault_keeps_contents(void **state)
{
    (void)state;
    skip_without_helper();
    size_t bytes = 8 * MB, page = page_size();
    unsigned char *mapping = fresh_mapping(bytes);
    for (size_t i = 0; i < bytes; i += 3 * page + 17)
        mapping[i] = (unsigned char)(i % 251 + 1);
    disco__prefault(mapping, bytes, DISCO__PREFAULT_FROM_END);
    disco__prefault_wait_idle();
    for (size_t i = 0; i < bytes; i++) {
        unsigned char want =
            i % (3 * page + 17) == 0 ? (unsigned char)(i % 251 + 1) : 0;
        if (mapping[i] != want)
            fail_msg("byte %zu is %u, was %u", i, mapping[i], want);
    }
    munmap(mapping, bytes);
}

/* Request the whole of a fresh mapping of `bytes` and wait: then every
 * page must be resident (`want` 1), or none (0). */
static void request_fresh(size_t bytes, unsigned char want)
{
    unsigned char *mapping = fresh_mapping(bytes);
    disco__prefault(mapping, bytes, DISCO__PREFAULT_FROM_START);
    disco__prefault_wait_idle();
    unsigned char *vec = residency(mapping, bytes);
    for (size_t i = 0; i < bytes / page_size(); i++)
        assert_int_equal(vec[i], want);
    free(vec);
    munmap(mapping, bytes);
}

/* Below 2 MB a request is not worth a wake-up: nothing happens. */
static void test_prefault_ignores_small_ranges(void **state)
{
    (void)state;
    skip_without_helper();
    request_fresh(2 * MB - page_size(), 0);
}

/* A range freed before the helper reached it fails quietly, and the
 * helper serves the next request. */
static void test_prefault_survives_a_freed_range(void **state)
{
    (void)state;
    skip_without_helper();
    unsigned char *gone = fresh_mapping(4 * MB);
    munmap(gone, 4 * MB);
    disco__prefault(gone, 4 * MB, DISCO__PREFAULT_FROM_START);
    disco__prefault_wait_idle();
    assert_true(disco__prefault_enabled());
    request_fresh(4 * MB, 1);
}

/* Requests made by echo on `spec` with the causal log capped at `limit`
 * (0: no log). */
static size_t requests_of_echo(const char *spec, uint64_t limit)
{
    struct disco_config cfg;
    disco_config_init(&cfg, &disco_alg_echo);
    cfg.causal_log_limit = limit;
    size_t before = disco__prefault_requests();
    struct sim_run run;
    sim_run(&run, &disco_alg_echo, spec, 1, &cfg);
    if (limit)
        assert_all_hold(&run);
    else /* without a log the causal property is not checked */
        assert_int_equal(run.failed, 0);
    sim_run_release(&run);
    disco_config_release(&cfg);
    return disco__prefault_requests() - before;
}

/* A small run asks the helper for nothing: its arrays are small, and the
 * causal log it reserves (128 MB of address space) is asked for only once
 * it holds 4 MiB.  (Asking for the log's first 12 MB at its first entry
 * made every small echo run fault them in: `disco check` of echo took five
 * times as long.)  A large log is asked for 4 MiB at a time from 4 MiB on,
 * up to 8 MiB ahead of its end. */
static void test_prefault_log_asks_from_4_mib(void **state)
{
    (void)state;
    uint64_t cap = 1u << 24; /* the default cap */
    assert_int_equal(requests_of_echo("gnp:2000:0.01", cap), 0);
    /* 240,000 receives: under 2 MiB of log, and no array of 4 MB. */
    assert_int_equal(requests_of_echo("regular:30000:8", cap), 0);
    /* On a ring the queue stays tiny: what the log adds is the log's.
     * 10^6 receives, 8 bytes each, 7.6 MiB: at 4 MiB it asks for
     * [4, 8), [8, 12) and [12, 16) MiB in turn (each time still less than
     * 8 MiB ahead), and would ask again only past 8 MiB. */
    size_t without_log = requests_of_echo("ring:500000", 0);
    assert_int_equal(requests_of_echo("ring:500000", cap) - without_log, 3);
}

/* disco__big_zeroed: below DISCO__BIG_ARRAY, zeroed memory from the
 * allocator; from it on, a mapping of its own, 2 MB-aligned and zero to
 * its last byte, handed to the helper once, and given back whole (to the
 * end of the huge page it was mapped in) by disco__big_release_zeroed. */
static void test_big_zeroed_is_fresh_aligned_and_given_back(void **state)
{
    (void)state;
    /* Below the mappings' size, from the allocator, but cache-line aligned
     * and zero all the same (the sim's records rely on both). */
    static const size_t smalls[] = {1, 100, DISCO__BIG_ARRAY - 1};
    for (size_t i = 0; i < sizeof smalls / sizeof smalls[0]; i++) {
        size_t small = smalls[i];
        unsigned char *q = disco__big_zeroed(small);
        assert_non_null(q);
        assert_int_equal((uintptr_t)q % 64, 0);
        assert_int_equal(q[0] | q[small / 2] | q[small - 1], 0);
        disco__big_release_zeroed(q, small); /* freed: ASan checks it */
    }
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    size_t bytes = 5 * MB + 123, rounded = 6 * MB;
    size_t requests = disco__prefault_requests();
    unsigned char *p = disco__big_zeroed(bytes);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % (2 * MB), 0);
    assert_int_equal(disco__prefault_requests(), requests + 1);
    for (size_t i = 0; i < bytes; i++)
        if (p[i] != 0)
            fail_msg("byte %zu of a fresh mapping is %u", i, p[i]);
    p[0] = p[bytes - 1] = 0xFF; /* writable to its last byte */
    unsigned char vec[1];
    disco__big_release_zeroed(p, bytes);
    /* Unmapped from its first page to the last of its last huge page, not
     * only to the page its last byte is on: mincore refuses both. */
    assert_int_equal(mincore(p, page_size(), vec), -1);
    assert_int_equal(mincore(p + rounded - page_size(), page_size(), vec), -1);
#endif
}

/* A child of fork() has no helper: it drops requests rather than waiting
 * for a thread it does not have. */
static void test_prefault_child_of_fork_has_no_helper(void **state)
{
    (void)state;
    skip_without_helper();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        unsigned char *mapping = fresh_mapping(4 * MB);
        disco__prefault(mapping, 4 * MB, DISCO__PREFAULT_FROM_START);
        disco__prefault_wait_idle(); /* must not hang */
        _exit(disco__prefault_enabled() ? 1 : 0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(disco__prefault_enabled()); /* the parent keeps its own */
}

/* The helper changes timing only: a run large enough to use it (arrays of
 * megabytes, a reserved causal log, the queue's largest chunks) prints the
 * same bytes with it off. */
static void test_prefault_same_output_on_and_off(void **state)
{
    (void)state;
    skip_without_helper(); /* else both runs would be without it */
    const char *setting = getenv("DISCO_PREFAULT");
    char *saved = setting ? strdup(setting) : NULL;
    const char *argv[] = {env_path("DISCO_BIN", "cli/disco"), "run", "echo",
                          "--topology", "regular:300000:8", "--seed", "7",
                          "--json", NULL};
    struct cli_output on, off;
    assert_int_equal(unsetenv("DISCO_PREFAULT"), 0);
    cli_run(&on, argv);
    assert_int_equal(setenv("DISCO_PREFAULT", "0", 1), 0);
    cli_run(&off, argv);
    if (saved)
        assert_int_equal(setenv("DISCO_PREFAULT", saved, 1), 0);
    else
        assert_int_equal(unsetenv("DISCO_PREFAULT"), 0);
    free(saved);
    assert_int_equal(on.status, 0);
    assert_int_equal(off.status, 0);
    assert_int_equal(json_u64(on.out, "messages"), 2 * 1200000);
    assert_string_equal(on.out, off.out);
    assert_string_equal(on.err, off.err);
    cli_output_release(&on);
    cli_output_release(&off);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefault_from_end_covers_exactly_the_range),
        cmocka_unit_test(test_prefault_from_start_covers_exactly_the_range),
        cmocka_unit_test(test_prefault_keeps_contents),
        cmocka_unit_test(test_prefault_ignores_small_ranges),
        cmocka_unit_test(test_prefault_survives_a_freed_range),
        cmocka_unit_test(test_prefault_log_asks_from_4_mib),
        cmocka_unit_test(test_big_zeroed_is_fresh_aligned_and_given_back),
        cmocka_unit_test(test_prefault_child_of_fork_has_no_helper),
        cmocka_unit_test(test_prefault_same_output_on_and_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
