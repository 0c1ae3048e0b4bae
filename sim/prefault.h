/*
 * prefault.h - fault in large arrays on a helper thread, before the main
 * thread writes them.
 *
 * The first write to a fresh page costs a page fault, in which the kernel
 * zeroes the page; on the virtual machines disco is benchmarked on that
 * runs at about 1 GB/s (the host backs each page on first touch), so a run
 * over 10^6 nodes spent a fifth of its time there.  A second thread can take
 * those faults while the main thread computes: disco__prefault hands it a
 * range, which it populates (madvise MADV_POPULATE_WRITE) in 2 MB steps.
 *
 * A request is only a hint.  It never changes memory contents (populating
 * a page that is already there does nothing, and a fresh page is zero
 * either way), so it may race with the main thread's writes, and a request
 * still pending when its array is freed is harmless: the range is then
 * unmapped (the madvise fails and the rest is skipped) or belongs to a
 * later allocation (which gains resident pages it may not use).  Requests
 * that find the queue full are dropped.  Without MADV_POPULATE_WRITE
 * (Linux before 5.14, other systems) or threads, nothing happens.
 *
 * One helper thread serves the whole process, started by the first
 * request and parked on a condition variable when idle; it lives until
 * the process exits.  A child of fork() has no helper: its requests are
 * dropped.  Requests may come from any thread.  The environment
 * variable DISCO_PREFAULT=0 turns the helper off (for measuring what it
 * saves; output is the same either way).
 */
#ifndef DISCO_PREFAULT_H
#define DISCO_PREFAULT_H

#include <stdbool.h>
#include <stddef.h>

/* Which end of the range the helper starts from.  An array the caller is
 * about to write from its start (a memset, a generator's first pass) is
 * best taken from the end, so that the two threads meet in the middle; an
 * array written later, from its start, in order. */
enum disco__prefault_order {
    DISCO__PREFAULT_FROM_END,
    DISCO__PREFAULT_FROM_START,
};

/* Ask the helper to fault in [start, start + bytes).  Cheap: a lock, a copy
 * into a ring, a signal.  Ranges below 2 MB are not worth a request and are
 * ignored. */
void disco__prefault(void *start, size_t bytes,
                     enum disco__prefault_order order);

/* Whether the helper is on (not turned off by DISCO_PREFAULT=0, and able to
 * start).  For tests. */
bool disco__prefault_enabled(void);

/* How many requests of 2 MB or more were made so far in this process
 * (served, dropped or made with the helper off).  For tests: a small run
 * must make none. */
size_t disco__prefault_requests(void);

/* Wait until the helper has served every request it took so far (at once
 * when it is off).  For tests: after it, the ranges of those requests are
 * resident; a request dropped because the queue was full never is. */
void disco__prefault_wait_idle(void);

#endif /* DISCO_PREFAULT_H */
