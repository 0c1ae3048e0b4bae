/*
 * mutex.h - what the four mutual-exclusion modules share.
 *
 * lamport_mutex.c, ricart_agrawala.c, suzuki_kasami.c and maekawa.c run
 * the same application and check it with the same three properties; they
 * differ only in how a process obtains the permission to enter.
 * ricart_agrawala.c defines the shared part declared below (the
 * application's timers, the properties mutual_exclusion, all_granted and
 * no_deadlock, the result); each module keeps its own handlers, its own
 * message count and its own extra properties.
 *
 * The application.  Each initiator wants the critical section `entries`
 * times.  Its first request comes at a time drawn from its own random
 * stream, uniform in [0, 2 think) (or at exactly i * stagger for process i
 * when `stagger` > 0: process 0 first, then the others in index order, for
 * reproducible lectures); it stays `hold` ticks inside (a timer), and
 * requests again a uniform 1 .. 2 think - 1 ticks after leaving.
 *
 * Every module's state begins with a struct mutex_process, which the
 * shared checks read from the states of all processes.
 */
#ifndef DISCO_MUTEX_H
#define DISCO_MUTEX_H

#include "disco.h"

/* Parameters, in this order in every module (MUTEX_PARAM_TABLE). */
enum { MUTEX_ENTRIES, MUTEX_THINK, MUTEX_HOLD, MUTEX_STAGGER };

/* Timers. */
enum { MUTEX_T_REQUEST, MUTEX_T_EXIT };

enum mutex_phase {
    RELEASED, /* not interested (thinking, or done) */
    WANTED,   /* requested, waits for the permission */
    HELD,     /* in the critical section */
};

/* The application's part of a process: the first member of every
 * module's state. */
struct mutex_process {
    enum mutex_phase phase;
    uint32_t entered; /* entries into the critical section so far */
};

/* The next request: the first at i * stagger or drawn in [0, 2 think), the
 * later ones 1 .. 2 think - 1 ticks after leaving (mean think); none once
 * `entries` are done. */
void mutex_plan_request(struct disco_ctx *ctx, const struct mutex_process *p);

/* Enter the critical section, for `hold` ticks (timer MUTEX_T_EXIT). */
void mutex_enter(struct disco_ctx *ctx, struct mutex_process *p);

/* (ts, id) before (ts', id'): Lamport's total order on requests. */
bool mutex_earlier(uint64_t ts, int64_t id, uint64_t ts2, int64_t id2);

/* The properties every module checks first, in this order. */
bool mutex_check_mutual_exclusion(const struct disco_view *view,
                                  char *detail, size_t len);
bool mutex_check_all_granted(const struct disco_view *view, char *detail,
                             size_t len);
bool mutex_check_no_deadlock(const struct disco_view *view, char *detail,
                             size_t len);

/* Entries into the critical section, by all processes. */
uint64_t mutex_total_entries(const struct disco_view *view);

/* "entries", "messages" and "messages_per_entry". */
void mutex_result(const struct disco_view *view, char *buf, size_t len);

/* The parameters; `first` says who requests first with `stagger`. */
#define MUTEX_PARAM_TABLE(first)                                             \
    {"entries", 1, 0, 1000000,                                               \
     "how many times each initiator enters the critical section"},          \
    {"think", 200, 1, 1000000000,                                            \
     "mean ticks before a request (uniform in [0, 2 think) for the first, " \
     "1 .. 2 think - 1 after leaving)"},                                     \
    {"hold", 10, 0, 1000000000, "ticks spent inside the critical section"}, \
    {"stagger", 0, 0, 1000000000,                                            \
     "when > 0, process i makes its first request at exactly i * stagger " \
     "(" first " first) instead of a random time"}

/* The first three entries of every module's property table. */
#define MUTEX_PROPERTY_TABLE                                                 \
    {"mutual_exclusion",                                                     \
     "at every moment at most one process is in the critical section",      \
     DISCO_PROPERTY_INVARIANT, mutex_check_mutual_exclusion, false},        \
    {"all_granted",                                                          \
     "every request is granted: each initiator entered `entries` times",    \
     DISCO_PROPERTY_FINAL, mutex_check_all_granted, true},                  \
    {"no_deadlock", "the run terminated with no process waiting",           \
     DISCO_PROPERTY_FINAL, mutex_check_no_deadlock, true}

#endif
