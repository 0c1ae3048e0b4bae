/*
 * prefault.c - the helper thread that faults in large arrays (see
 * prefault.h).
 */
/* madvise and MADV_POPULATE_WRITE are Linux extensions that strict POSIX
 * mode hides. */
#define _DEFAULT_SOURCE

#include "prefault.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* One step of the helper: a transparent huge page, so that a step is one
 * fault where the range has them. */
#define STEP ((uintptr_t)2 << 20)
/* Pending requests.  A large run makes a few dozen over its life (one per
 * big array, queue chunk and log window), and the helper keeps up with
 * them; a full ring drops the newest. */
#define RING 64u

struct request {
    uintptr_t start, end;
    enum disco__prefault_order order;
};

static struct {
    pthread_once_t once;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* a request arrived */
    pthread_cond_t idle; /* the ring emptied and no request is running */
    bool on;             /* the helper runs and takes requests */
    bool busy;           /* a request is being populated */
    struct request ring[RING];
    unsigned head, count;
    size_t requests;       /* disco__prefault_requests */
} helper = {
    .once = PTHREAD_ONCE_INIT,
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
    .idle = PTHREAD_COND_INITIALIZER,
};

#ifdef MADV_POPULATE_WRITE
/* Populate one request, a step at a time.  Stops at the first failure:
 * EINVAL means the kernel lacks MADV_POPULATE_WRITE (nothing later will
 * work either), anything else a range freed in the meantime. */
static bool populate(const struct request *r)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t start = r->start / page * page; /* madvise wants alignment */
    uintptr_t end = r->end;
    while (start < end) {
        uintptr_t from, to;
        if (r->order == DISCO__PREFAULT_FROM_START) {
            from = start;
            to = end - start > STEP ? start + STEP : end;
            start = to;
        } else {
            to = end;
            from = end - start > STEP ? (end - STEP) / page * page : start;
            if (from < start)
                from = start;
            end = from;
        }
        if (madvise((void *)from, to - from, MADV_POPULATE_WRITE) != 0)
            return errno != EINVAL;
    }
    return true;
}

static void *serve(void *unused)
{
    (void)unused;
    /* Signals are for the program's own threads: a handler run here, in
     * the middle of an madvise, would find the program's state as the
     * main thread left it, with no say in when. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    pthread_mutex_lock(&helper.lock);
    for (;;) {
        while (helper.count == 0)
            pthread_cond_wait(&helper.wake, &helper.lock);
        struct request r = helper.ring[helper.head];
        helper.head = (helper.head + 1) % RING;
        helper.count--;
        helper.busy = true;
        pthread_mutex_unlock(&helper.lock);
        bool supported = populate(&r);
        pthread_mutex_lock(&helper.lock);
        helper.busy = false;
        if (!supported) {
            helper.on = false;
            helper.count = 0;
        }
        if (helper.count == 0)
            pthread_cond_broadcast(&helper.idle);
        if (!supported)
            break;
    }
    pthread_mutex_unlock(&helper.lock);
    return NULL;
}
#endif

/* fork() copies the lock and the ring but not the thread: the lock is
 * held across the fork, so that the child's copy is consistent, and the
 * child, which has no helper, drops what was pending and takes no more. */
static void before_fork(void) { pthread_mutex_lock(&helper.lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&helper.lock); }
static void after_fork_child(void)
{
    helper.on = false;
    helper.busy = false;
    helper.count = 0;
    pthread_mutex_unlock(&helper.lock);
}

static void start_helper(void)
{
#ifdef MADV_POPULATE_WRITE
    const char *setting = getenv("DISCO_PREFAULT");
    if (setting && strcmp(setting, "0") == 0)
        return;
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return;
    /* The helper needs almost no stack: madvise and a few locals. */
    pthread_attr_setstacksize(&attr, 64u << 10);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    if (pthread_atfork(before_fork, after_fork_parent, after_fork_child) !=
        0) {
        pthread_attr_destroy(&attr);
        return;
    }
    pthread_mutex_lock(&helper.lock);
    helper.on = pthread_create(&thread, &attr, serve, NULL) == 0;
    pthread_mutex_unlock(&helper.lock);
    pthread_attr_destroy(&attr);
#endif
}

void disco__prefault(void *start, size_t bytes,
                     enum disco__prefault_order order)
{
    if (bytes < STEP)
        return;
    pthread_once(&helper.once, start_helper);
    pthread_mutex_lock(&helper.lock);
    helper.requests++;
    if (helper.on && helper.count < RING) {
        helper.ring[(helper.head + helper.count) % RING] = (struct request){
            .start = (uintptr_t)start,
            .end = (uintptr_t)start + bytes,
            .order = order,
        };
        helper.count++;
        pthread_cond_signal(&helper.wake);
    }
    pthread_mutex_unlock(&helper.lock);
}

bool disco__prefault_enabled(void)
{
    pthread_once(&helper.once, start_helper);
    pthread_mutex_lock(&helper.lock);
    bool on = helper.on;
    pthread_mutex_unlock(&helper.lock);
    return on;
}

size_t disco__prefault_requests(void)
{
    pthread_mutex_lock(&helper.lock);
    size_t requests = helper.requests;
    pthread_mutex_unlock(&helper.lock);
    return requests;
}

void disco__prefault_wait_idle(void)
{
    pthread_mutex_lock(&helper.lock);
    while (helper.on && (helper.count || helper.busy))
        pthread_cond_wait(&helper.idle, &helper.lock);
    pthread_mutex_unlock(&helper.lock);
}
