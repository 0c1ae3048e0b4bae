/*
 * big_array.c - arrays of megabytes on transparent huge pages (see
 * big_array.h).
 */
/* madvise(MADV_HUGEPAGE) is a BSD/Linux extension that strict POSIX mode
 * hides. */
#define _DEFAULT_SOURCE

#include "big_array.h"
#include "prefault.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)

/* bytes rounded up to whole huge pages, or 0 when that overflows. */
static size_t round_huge(size_t bytes)
{
    size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    return rounded < bytes ? 0 : rounded;
}

void *disco__big_alloc(size_t bytes, bool zero)
{
    /* malloc(0) may return NULL, which would read as a failure. */
    if (bytes == 0)
        bytes = 1;
#ifdef MADV_HUGEPAGE
    size_t rounded = round_huge(bytes);
    if (bytes >= DISCO__BIG_ARRAY && rounded) {
        void *p = aligned_alloc(HUGE_PAGE, rounded);
        if (p) {
            madvise(p, rounded, MADV_HUGEPAGE);
            /* The caller writes it from the start, soon (the memset below,
             * or filling it): the helper faults it in from the end. */
            disco__prefault(p, bytes, DISCO__PREFAULT_FROM_END);
            if (zero)
                memset(p, 0, bytes);
            return p;
        }
    }
#endif
    return zero ? calloc(bytes, 1) : malloc(bytes);
}

#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
/* disco__big_zeroed maps arrays of DISCO__BIG_ARRAY bytes or more. */
#define ZEROED_MAPS(bytes) ((bytes) >= DISCO__BIG_ARRAY)
#else
#define ZEROED_MAPS(bytes) false
#endif

void *disco__big_zeroed(size_t bytes)
{
    if (!ZEROED_MAPS(bytes)) {
        /* Cache-line aligned, as a mapping is: the sim's 32-byte records
         * and 64-byte cells must not straddle two lines at any size. */
        size_t lines = bytes ? (bytes + 63) & ~(size_t)63 : 64;
        if (lines < bytes)
            return NULL;
        void *p = aligned_alloc(64, lines);
        if (p)
            memset(p, 0, bytes);
        return p;
    }
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    /* mmap aligns to pages only: map a huge page more and trim both ends
     * to the 2 MB boundaries, or the array's first and last 2 MB would
     * stay on small pages. */
    size_t rounded = round_huge(bytes);
    if (!rounded || rounded > SIZE_MAX - HUGE_PAGE)
        return NULL;
    size_t span = rounded + HUGE_PAGE;
    unsigned char *raw = mmap(NULL, span, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uintptr_t start = round_huge((uintptr_t)raw);
    size_t head = start - (uintptr_t)raw, tail = span - head - rounded;
    if (head)
        munmap(raw, head);
    if (tail)
        munmap((void *)(start + rounded), tail);
    madvise((void *)start, rounded, MADV_HUGEPAGE);
    disco__prefault((void *)start, bytes, DISCO__PREFAULT_FROM_END);
    return (void *)start;
#else
    return NULL; /* not reached */
#endif
}

void disco__big_release_zeroed(void *array, size_t bytes)
{
    if (!array)
        return;
    if (!ZEROED_MAPS(bytes)) {
        free(array);
        return;
    }
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
    munmap(array, round_huge(bytes));
#endif
}

void *disco__big_reserve(size_t bytes)
{
#if defined(MAP_ANONYMOUS) && defined(MAP_NORESERVE)
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
#else
    (void)bytes;
    return NULL;
#endif
}

void disco__big_unreserve(void *array, size_t bytes)
{
#if defined(MAP_ANONYMOUS) && defined(MAP_NORESERVE)
    if (array)
        munmap(array, bytes);
#else
    (void)array;
    (void)bytes;
#endif
}
