/*
 * test_queue.c - the radix heap event queue.
 *
 * Every event pushed carries its insertion serial number in `msg` and
 * values derived from it in the other fields, so a pop can be checked
 * against the exact event a reference says must come next: a binary heap
 * ordered by (time, serial), which is what "earliest first, equal times in
 * insertion order" means.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "disco_sim.h"
#include "big_array.h"
#include "queue.h"

/* ------------------------------------------------------------------------ */
/* Events and the reference.                                                */

static struct disco__event make_event(disco_time_t time, uint64_t serial)
{
    struct disco__event ev;
    memset(&ev, 0, sizeof ev);
    ev.time = time;
    ev.msg = serial;
    ev.lamport = serial * 0x9e3779b97f4a7c15ull;
    ev.target = (uint32_t)(serial ^ 0xa5a5a5a5u);
    ev.to = (uint32_t)(serial * 3 + 1);
    ev.depth = (uint32_t)(serial >> 3);
    ev.type = (uint8_t)(serial % 7);
    ev.kind = (uint8_t)(serial * 31);
    ev.len = (uint16_t)(serial % 17);
    for (unsigned k = 0; k < DISCO__INLINE_PAYLOAD; k++)
        ev.payload.bytes[k] = (unsigned char)(serial * 13 + k);
    return ev;
}

/* The popped event must be exactly the one pushed as (time, serial). */
static void check_event(const struct disco__event *ev, disco_time_t time,
                        uint64_t serial)
{
    struct disco__event want = make_event(time, serial);
    assert_int_equal(ev->time, time);
    assert_int_equal(ev->msg, serial);
    assert_memory_equal(ev, &want, sizeof want);
}

struct ref_item {
    disco_time_t time;
    uint64_t serial;
};

static bool ref_less(struct ref_item a, struct ref_item b)
{
    return a.time < b.time || (a.time == b.time && a.serial < b.serial);
}

struct ref_heap {
    struct ref_item *items;
    size_t count, capacity;
};

static void ref_init(struct ref_heap *h, size_t capacity)
{
    h->items = malloc(capacity * sizeof *h->items);
    assert_non_null(h->items);
    h->count = 0;
    h->capacity = capacity;
}

static void ref_push(struct ref_heap *h, disco_time_t time, uint64_t serial)
{
    if (h->count == h->capacity) {
        h->capacity *= 2;
        h->items = realloc(h->items, h->capacity * sizeof *h->items);
        assert_non_null(h->items);
    }
    size_t i = h->count++;
    struct ref_item x = {time, serial};
    while (i > 0 && ref_less(x, h->items[(i - 1) / 2])) {
        h->items[i] = h->items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->items[i] = x;
}

static struct ref_item ref_pop(struct ref_heap *h)
{
    assert_true(h->count > 0);
    struct ref_item top = h->items[0], x = h->items[--h->count];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->count)
            break;
        if (c + 1 < h->count && ref_less(h->items[c + 1], h->items[c]))
            c++;
        if (!ref_less(h->items[c], x))
            break;
        h->items[i] = h->items[c];
        i = c;
    }
    if (h->count > 0)
        h->items[i] = x;
    return top;
}

/* A queue under test with its reference, the serial counter, the last
 * popped (time, serial) and a record of which serials have come out. */
struct harness {
    struct disco__queue q;
    struct ref_heap ref;
    uint64_t next_serial;
    disco_time_t last_time;
    uint64_t last_serial;
    uint64_t popped;
    unsigned char *seen; /* one flag per serial, up to seen_cap */
    size_t seen_cap;
};

static void harness_init(struct harness *h, size_t max_serials)
{
    disco__queue_init(&h->q);
    ref_init(&h->ref, 1024);
    h->next_serial = 0;
    h->last_time = 0;
    h->last_serial = 0;
    h->popped = 0;
    h->seen = calloc(max_serials, 1);
    assert_non_null(h->seen);
    h->seen_cap = max_serials;
}

/* The same around a compact queue (events pushed narrow by hand: the
 * harness's own events all carry payloads). */
static void harness_init_compact(struct harness *h, size_t max_serials)
{
    harness_init(h, max_serials);
    disco__queue_release(&h->q);
    disco__queue_init_compact(&h->q);
}

static void harness_release(struct harness *h)
{
    disco__queue_release(&h->q);
    free(h->ref.items);
    free(h->seen);
}

static void h_push(struct harness *h, disco_time_t time)
{
    uint64_t serial = h->next_serial++;
    assert_true(serial < h->seen_cap);
    struct disco__event ev = make_event(time, serial);
    size_t before = disco__queue_size(&h->q);
    assert_int_equal(disco__queue_push(&h->q, &ev), 0);
    assert_int_equal(disco__queue_size(&h->q), before + 1);
    ref_push(&h->ref, time, serial);
}

static void h_pop(struct harness *h)
{
    size_t before = disco__queue_size(&h->q);
    assert_int_equal(before, h->ref.count);
    struct disco__event ev;
    if (before == 0) {
        assert_false(disco__queue_pop(&h->q, &ev));
        return;
    }
    disco_time_t peeked = disco__queue_peek_time(&h->q);
    assert_int_equal(disco__queue_size(&h->q), before);
    assert_true(disco__queue_pop(&h->q, &ev));
    assert_int_equal(disco__queue_size(&h->q), before - 1);
    struct ref_item want = ref_pop(&h->ref);
    assert_int_equal(peeked, want.time);
    check_event(&ev, want.time, want.serial);
    /* Redundant with the reference, but states the order directly. */
    if (h->popped > 0) {
        assert_true(ev.time >= h->last_time);
        if (ev.time == h->last_time)
            assert_true(ev.msg > h->last_serial);
    }
    assert_int_equal(h->seen[ev.msg], 0);
    h->seen[ev.msg] = 1;
    h->last_time = ev.time;
    h->last_serial = ev.msg;
    h->popped++;
}

/* Drain the queue, then check every serial ever pushed came out once. */
static void h_drain(struct harness *h)
{
    while (disco__queue_size(&h->q) > 0)
        h_pop(h);
    h_pop(h); /* empty now: must report false */
    assert_int_equal(h->popped, h->next_serial);
    for (uint64_t s = 0; s < h->next_serial; s++)
        assert_int_equal(h->seen[s], 1);
}

/* ------------------------------------------------------------------------ */
/* Increment laws.                                                          */

enum law {
    LAW_EXP,         /* ceil(Exp(100)) */
    LAW_BIMODAL,     /* 90% [0, 10], 10% [10^5, 10^6] */
    LAW_SMALL,       /* [0, 3]: crowds of equal times */
    LAW_TINY_HUGE,   /* alternately [0, 2] and [2^32, 2^44] */
    LAW_POW2,        /* 2^k - 1, 2^k, 2^k + 1, k < 40 (k < 62 rarely) */
    LAW_COUNT
};

/* -ln(u) for u in (0, 1], without libm: u = m 2^e with m in [1, 2), and
 * ln m = 2 atanh(s) with s = (m - 1) / (m + 1) < 1/3, a series that reaches
 * double precision in a score of terms. */
static double neg_log(double u)
{
    uint64_t bits;
    memcpy(&bits, &u, sizeof bits);
    int e = (int)((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    double m;
    memcpy(&m, &bits, sizeof m);
    double s = (m - 1) / (m + 1), s2 = s * s, term = s, sum = 0;
    for (int k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= s2;
    }
    return -(e * 0.69314718055994530942 + 2 * sum);
}

/* ceil(Exp(mean)) from a uniform u in [0, 1). */
static uint64_t exp_ticks(double u, double mean)
{
    double x = mean * neg_log(1.0 - u);
    uint64_t k = (uint64_t)x;
    return (double)k < x ? k + 1 : k;
}

static uint64_t increment(struct disco_rng *rng, enum law law, uint64_t n)
{
    switch (law) {
    case LAW_EXP:
        return exp_ticks(disco_rng_unit(rng), 100.0);
    case LAW_BIMODAL:
        if (disco_rng_below(rng, 10) < 9)
            return disco_rng_below(rng, 11);
        return 100000 + disco_rng_below(rng, 900001);
    case LAW_SMALL:
        return disco_rng_below(rng, 4);
    case LAW_TINY_HUGE:
        if (n % 2 == 0)
            return disco_rng_below(rng, 3);
        return (1ull << 32) + disco_rng_below(rng, (1ull << 44) - (1ull << 32));
    case LAW_POW2: {
        /* Jumps near 2^62 are rare so that times reach the top of the
         * range (where pushes are clamped) only late in a run. */
        bool far = disco_rng_below(rng, 20000) == 0;
        uint64_t p = 1ull << disco_rng_below(rng, far ? 62 : 40);
        return p - 1 + disco_rng_below(rng, 3);
    }
    default:
        fail();
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Tests.                                                                   */

static void test_empty(void **state)
{
    (void)state;
    struct disco__queue q;
    disco__queue_init(&q);
    struct disco__event ev = make_event(42, 7), copy = ev;
    assert_int_equal(disco__queue_size(&q), 0);
    assert_false(disco__queue_pop(&q, &ev));
    assert_memory_equal(&ev, &copy, sizeof ev);

    assert_int_equal(disco__queue_push(&q, &ev), 0);
    assert_int_equal(disco__queue_size(&q), 1);
    assert_int_equal(disco__queue_peek_time(&q), 42);
    struct disco__event out;
    assert_true(disco__queue_pop(&q, &out));
    check_event(&out, 42, 7);
    assert_int_equal(disco__queue_size(&q), 0);
    assert_false(disco__queue_pop(&q, &out));
    assert_false(disco__queue_pop(&q, &out));
    disco__queue_release(&q);

    /* Released, the queue is empty and usable again. */
    assert_int_equal(disco__queue_size(&q), 0);
    assert_false(disco__queue_pop(&q, &out));
    disco__queue_release(&q);
}

static void test_small_exact(void **state)
{
    (void)state;
    struct disco__queue q;
    disco__queue_init(&q);
    static const disco_time_t times[] = {5, 3, 5, 0, 3, 9, 0, 5};
    for (uint64_t s = 0; s < 8; s++) {
        struct disco__event ev = make_event(times[s], s);
        assert_int_equal(disco__queue_push(&q, &ev), 0);
    }
    static const uint64_t order[] = {3, 6, 1, 4, 0, 2, 7, 5};
    for (size_t k = 0; k < 8; k++) {
        assert_int_equal(disco__queue_size(&q), 8 - k);
        assert_int_equal(disco__queue_peek_time(&q), times[order[k]]);
        struct disco__event ev;
        assert_true(disco__queue_pop(&q, &ev));
        check_event(&ev, times[order[k]], order[k]);
    }
    struct disco__event ev;
    assert_false(disco__queue_pop(&q, &ev));
    disco__queue_release(&q);
}

/* A peek must not move the queue's floor: pushing between the last pop and
 * the peeked time is allowed and must come out first. */
static void test_peek_then_push_earlier(void **state)
{
    (void)state;
    struct disco__queue q;
    disco__queue_init(&q);
    struct disco__event ev = make_event(10, 0);
    assert_int_equal(disco__queue_push(&q, &ev), 0);
    ev = make_event(1000, 1);
    assert_int_equal(disco__queue_push(&q, &ev), 0);
    /* 300 events in one far bucket: larger than any scan threshold. */
    for (uint64_t s = 2; s < 302; s++) {
        ev = make_event(5000 + s % 7, s);
        assert_int_equal(disco__queue_push(&q, &ev), 0);
    }
    assert_true(disco__queue_pop(&q, &ev));
    check_event(&ev, 10, 0);
    for (int k = 0; k < 3; k++)
        assert_int_equal(disco__queue_peek_time(&q), 1000);
    ev = make_event(10, 302);
    assert_int_equal(disco__queue_push(&q, &ev), 0);
    ev = make_event(11, 303);
    assert_int_equal(disco__queue_push(&q, &ev), 0);
    assert_int_equal(disco__queue_peek_time(&q), 10);
    assert_true(disco__queue_pop(&q, &ev));
    check_event(&ev, 10, 302);
    assert_true(disco__queue_pop(&q, &ev));
    check_event(&ev, 11, 303);
    assert_true(disco__queue_pop(&q, &ev));
    check_event(&ev, 1000, 1);
    /* Same again beyond 1000, where the far bucket is large. */
    assert_int_equal(disco__queue_peek_time(&q), 5000);
    ev = make_event(1001, 304);
    assert_int_equal(disco__queue_push(&q, &ev), 0);
    assert_int_equal(disco__queue_peek_time(&q), 1001);
    assert_true(disco__queue_pop(&q, &ev));
    check_event(&ev, 1001, 304);
    for (uint64_t r = 0; r < 7; r++) {
        for (uint64_t s = 2; s < 302; s++) {
            if ((5000 + s % 7) != 5000 + r)
                continue;
            assert_int_equal(disco__queue_peek_time(&q), 5000 + r);
            assert_true(disco__queue_pop(&q, &ev));
            check_event(&ev, 5000 + r, s);
        }
    }
    assert_int_equal(disco__queue_size(&q), 0);
    disco__queue_release(&q);
}

/* Random pushes interleaved with pops, every pop checked against the
 * reference, under each increment law.  Pending counts wander between
 * zero and a few thousand so that small (scanned) and large (spread
 * without a scan) buckets both occur. */
static void run_interleaved(enum law law, uint64_t seed, size_t ops)
{
    struct harness h;
    harness_init(&h, ops + 1);
    struct disco_rng rng;
    disco_rng_init(&rng, seed, (uint64_t)law);
    size_t pushes = 0;
    for (size_t k = 0; k < ops; k++) {
        /* Phases of growth and of shrinkage, 2^14 operations each. */
        unsigned push_pct = ((k >> 14) & 1) ? 35 : 65;
        if (disco_rng_below(&rng, 100) < push_pct) {
            disco_time_t base = h.popped ? h.last_time : 0;
            uint64_t inc = increment(&rng, law, pushes++);
            if (inc > UINT64_MAX - base)
                inc = UINT64_MAX - base;
            h_push(&h, base + inc);
        } else {
            h_pop(&h);
        }
    }
    h_drain(&h);
    harness_release(&h);
}

static void test_interleaved_exp(void **state)
{
    (void)state;
    run_interleaved(LAW_EXP, 1, 200000);
}

static void test_interleaved_bimodal(void **state)
{
    (void)state;
    run_interleaved(LAW_BIMODAL, 2, 200000);
}

static void test_interleaved_small(void **state)
{
    (void)state;
    run_interleaved(LAW_SMALL, 3, 200000);
}

static void test_interleaved_tiny_huge(void **state)
{
    (void)state;
    run_interleaved(LAW_TINY_HUGE, 4, 200000);
}

static void test_interleaved_pow2(void **state)
{
    (void)state;
    run_interleaved(LAW_POW2, 5, 200000);
}

/* The hold model at a steady pending count, as the kernel drives it: pop
 * one, push it back later by an increment.  Large pending counts give the
 * crowds of equal keys and the large buckets. */
static void run_hold(enum law law, size_t pending, size_t holds)
{
    struct harness h;
    harness_init(&h, pending + holds + 1);
    struct disco_rng rng;
    disco_rng_init(&rng, 99, (uint64_t)law + 16);
    for (size_t k = 0; k < pending; k++)
        h_push(&h, increment(&rng, law, k));
    for (size_t k = 0; k < holds; k++) {
        h_pop(&h);
        uint64_t inc = increment(&rng, law, pending + k);
        if (inc > UINT64_MAX - h.last_time)
            inc = UINT64_MAX - h.last_time;
        h_push(&h, h.last_time + inc);
    }
    h_drain(&h);
    harness_release(&h);
}

static void test_hold_exp(void **state)
{
    (void)state;
    run_hold(LAW_EXP, 20000, 100000);
}

static void test_hold_bimodal(void **state)
{
    (void)state;
    run_hold(LAW_BIMODAL, 20000, 100000);
}

static int cmp_ref(const void *a, const void *b)
{
    const struct ref_item *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/* Batches pushed at once and drained, compared with a stable sort of the
 * batch (sorting by (time, serial) is a stable sort by time).  Times are
 * drawn from a narrow range so that most of them repeat. */
static void test_batches_vs_sort(void **state)
{
    (void)state;
    struct disco__queue q;
    disco__queue_init(&q);
    struct disco_rng rng;
    disco_rng_init(&rng, 7, 0);
    enum { BATCH = 20000, ROUNDS = 10 };
    struct ref_item *batch = malloc(BATCH * sizeof *batch);
    assert_non_null(batch);
    uint64_t serial = 0;
    disco_time_t floor = 0;
    for (int r = 0; r < ROUNDS; r++) {
        uint64_t range = r % 2 ? 1000 : (1ull << (20 + 4 * r));
        for (size_t k = 0; k < BATCH; k++) {
            batch[k].time = floor + disco_rng_below(&rng, range);
            batch[k].serial = serial++;
            struct disco__event ev = make_event(batch[k].time,
                                                batch[k].serial);
            assert_int_equal(disco__queue_push(&q, &ev), 0);
        }
        qsort(batch, BATCH, sizeof *batch, cmp_ref);
        for (size_t k = 0; k < BATCH; k++) {
            struct disco__event ev;
            assert_true(disco__queue_pop(&q, &ev));
            check_event(&ev, batch[k].time, batch[k].serial);
        }
        assert_int_equal(disco__queue_size(&q), 0);
        floor = batch[BATCH - 1].time;
    }
    free(batch);
    disco__queue_release(&q);
}

/* Many events at one time, then more at that same time pushed while the
 * first ones are being popped: all in insertion order. */
static void test_equal_times(void **state)
{
    (void)state;
    struct disco__queue q;
    disco__queue_init(&q);
    enum { N = 100000 };
    const disco_time_t t = 123456789;
    for (uint64_t s = 0; s < N; s++) {
        struct disco__event ev = make_event(t, s);
        assert_int_equal(disco__queue_push(&q, &ev), 0);
    }
    uint64_t next_push = N, next_pop = 0;
    struct disco__event ev;
    for (uint64_t k = 0; k < 3 * N; k++) {
        assert_int_equal(disco__queue_size(&q), next_push - next_pop);
        assert_true(disco__queue_pop(&q, &ev));
        check_event(&ev, t, next_pop++);
        /* Push at the time just popped, sometimes twice. */
        if (next_push < 3 * N) {
            ev = make_event(t, next_push++);
            assert_int_equal(disco__queue_push(&q, &ev), 0);
            if (k % 3 == 0 && next_push < 3 * N) {
                ev = make_event(t, next_push++);
                assert_int_equal(disco__queue_push(&q, &ev), 0);
            }
        }
        if (next_pop == next_push)
            break;
    }
    while (disco__queue_pop(&q, &ev))
        check_event(&ev, t, next_pop++);
    assert_int_equal(next_pop, 3 * N);
    assert_int_equal(next_push, 3 * N);
    disco__queue_release(&q);
}

/* A compact queue keeps everything but the message number and Lamport
 * clock, in the same order; switched to whole events midway, the events
 * already in it stay compact and keep their place, the new ones whole. */
static void run_compact_then(bool lamport)
{
    struct disco__queue q;
    disco__queue_init_compact(&q);
    enum { N = 20000 };
    /* Times with many ties, in no order: key = serial mod 97 * 10. */
    for (uint64_t s = 0; s < N; s++) {
        struct disco__event ev = make_event((s * 31) % 97 * 10, s);
        assert_int_equal(disco__queue_push(&q, &ev), 0);
    }
    struct disco__event ev;
    uint64_t popped = 0;
    disco_time_t last = 0;
    /* Pop a third, then switch, then push whole events after them. */
    uint64_t previous = 0;
    for (; popped < N / 3; popped++) {
        assert_true(disco__queue_pop(&q, &ev));
        assert_true(ev.time >= last);
        uint64_t serial = ev.target ^ 0xa5a5a5a5u;
        if (ev.time == last && popped)
            assert_true(serial > previous); /* ties in push order */
        last = ev.time;
        previous = serial;
        assert_int_equal(ev.msg, 0);
        assert_int_equal(ev.lamport, 0);
    }
    assert_int_equal(lamport ? disco__queue_keep_whole(&q)
                             : disco__queue_keep_fields(&q, DISCO__WHEEL_MSG),
                     0);
    for (uint64_t s = N; s < N + 1000; s++) {
        struct disco__event e = make_event(last + (s % 5), s);
        assert_int_equal(disco__queue_push(&q, &e), 0);
    }
    uint64_t whole = 0, compact_left = 0;
    uint64_t seen_order[5] = {0};
    while (disco__queue_pop(&q, &ev)) {
        assert_true(ev.time >= last);
        last = ev.time;
        if (ev.msg >= N) {
            /* Whole again: every byte as pushed (but the Lamport clock
             * when only message numbers are kept); ties in push order. */
            struct disco__event want = make_event(ev.time, ev.msg);
            if (!lamport)
                want.lamport = 0;
            assert_memory_equal(&ev, &want, sizeof want);
            assert_true(ev.msg >= seen_order[ev.msg % 5]);
            seen_order[ev.msg % 5] = ev.msg;
            whole++;
        } else {
            /* Compact: the serial is still in the target; all else but
             * msg and lamport as pushed. */
            uint64_t serial = ev.target ^ 0xa5a5a5a5u;
            struct disco__event want = make_event(ev.time, serial);
            want.msg = 0;
            want.lamport = 0;
            assert_memory_equal(&ev, &want, sizeof want);
            assert_int_equal((serial * 31) % 97 * 10, ev.time);
            compact_left++;
        }
    }
    assert_int_equal(whole, 1000);
    assert_int_equal(compact_left + popped, N);
    disco__queue_release(&q);
}

static void test_compact_then_whole(void **state)
{
    (void)state;
    run_compact_then(true);
}

static void test_compact_then_msg(void **state)
{
    (void)state;
    run_compact_then(false);
}

/* A compact queue keeps events without payload in narrow records until
 * the first event with one, then rewrites what is pending: the events
 * pushed narrow pop with a zero payload and everything else as pushed, in
 * (time, insertion) order, whether the switch comes from a push into the
 * wheel or from far events moving into it. */
static void run_narrow_then_wide(bool wide_from_far)
{
    struct disco__queue q;
    disco__queue_init_compact(&q);
    struct ref_heap ref;
    ref_init(&ref, 1024);
    struct disco_rng rng;
    disco_rng_init(&rng, 13, wide_from_far);
    enum { N = 60000 };
    const uint64_t first_wide = 3 * N / 4;
    uint64_t serial = 0, popped = 0;
    disco_time_t last = 0;
    /* Serials below first_wide carry no payload, the rest carry one. */
    for (int phase = 0; phase < 2; phase++) {
        for (; serial < (phase ? N : first_wide); serial++) {
            disco_time_t t = last + disco_rng_below(&rng, 3000);
            if (wide_from_far && serial == first_wide)
                t = last + 3 * DISCO__WHEEL_SLOTS; /* the far heap */
            struct disco__event ev = make_event(t, serial);
            if (serial < first_wide)
                memset(&ev.payload, 0, sizeof ev.payload);
            assert_int_equal(disco__queue_push(&q, &ev), 0);
            ref_push(&ref, t, serial);
            if (disco_rng_below(&rng, 2) == 0) {
                struct ref_item want = ref_pop(&ref);
                assert_true(disco__queue_pop(&q, &ev));
                struct disco__event expect = make_event(want.time, want.serial);
                expect.msg = expect.lamport = 0;
                if (want.serial < first_wide)
                    memset(&expect.payload, 0, sizeof expect.payload);
                assert_memory_equal(&ev, &expect, sizeof expect);
                last = ev.time;
                popped++;
            }
        }
        if (phase == 0)
            assert_int_equal(q.record_size, DISCO__WHEEL_NARROW);
    }
    struct disco__event ev;
    while (disco__queue_pop(&q, &ev)) {
        struct ref_item want = ref_pop(&ref);
        struct disco__event expect = make_event(want.time, want.serial);
        expect.msg = expect.lamport = 0;
        if (want.serial < first_wide)
            memset(&expect.payload, 0, sizeof expect.payload);
        assert_memory_equal(&ev, &expect, sizeof expect);
        popped++;
    }
    assert_int_equal(popped, N);
    assert_int_equal(ref.count, 0);
    assert_int_equal(q.record_size, sizeof(struct disco__wheel_record));
    free(ref.items);
    disco__queue_release(&q);
}

/* The switch to wide records from far events entering the wheel while
 * narrow records are pending there. */
static void test_wide_from_far(void **state)
{
    (void)state;
    struct harness h;
    harness_init_compact(&h, 100000);
    const disco_time_t w = DISCO__WHEEL_SLOTS;
    struct disco__event ev;
    uint64_t serial = 0;
    struct {
        disco_time_t from, to;
        bool payload;
    } batches[] = {
        {1, w - 1, false},        /* the wheel */
        {w + 10, w + 100, false}, /* far, narrow */
        {w + 50, w + 50, true},   /* far, with a payload */
        {w + 40, w + 60, false},  /* far, narrow, after it at w + 50 */
    };
    for (size_t b = 0; b < sizeof batches / sizeof batches[0]; b++) {
        for (disco_time_t t = batches[b].from; t <= batches[b].to; t++) {
            ev = make_event(t, serial);
            if (!batches[b].payload)
                memset(&ev.payload, 0, sizeof ev.payload);
            assert_int_equal(disco__queue_push(&h.q, &ev), 0);
            ref_push(&h.ref, t, serial++);
        }
    }
    assert_int_equal(h.q.record_size, DISCO__WHEEL_NARROW);
    size_t narrow_pops = 0;
    while (h.ref.count > 0) {
        struct ref_item want = ref_pop(&h.ref);
        assert_true(disco__queue_pop(&h.q, &ev));
        struct disco__event expect = make_event(want.time, want.serial);
        expect.msg = expect.lamport = 0;
        if (!(want.time == w + 50 && want.serial == (w - 1) + 91))
            memset(&expect.payload, 0, sizeof expect.payload);
        assert_memory_equal(&ev, &expect, sizeof expect);
        if (h.q.record_size == DISCO__WHEEL_NARROW)
            narrow_pops++;
    }
    /* It widened once w + 50 came within reach, with narrow records
     * pending. */
    assert_true(narrow_pops > 10 && narrow_pops < w);
    assert_int_equal(h.q.record_size, sizeof(struct disco__wheel_record));
    assert_false(disco__queue_pop(&h.q, &ev));
    harness_release(&h);
}

/* Serial s of test_far_items_narrow_until_payload: 0..99 at far + 99 - s
 * (reversed), 100..199 at far + 50; only serial 100 has a payload. */
static struct disco__event far_event(disco_time_t far, uint64_t s)
{
    struct disco__event ev = make_event(s < 100 ? far + 99 - s : far + 50, s);
    ev.msg = ev.lamport = 0;
    if (s != 100)
        memset(&ev.payload, 0, sizeof ev.payload);
    return ev;
}

/* A compact queue's far heap keeps 24 bytes of each event (the fields up
 * to the payload) until a far event with a payload arrives, then 40 (the
 * core), with every event popping as pushed; a released queue starts
 * narrow again. */
static void test_far_items_narrow_until_payload(void **state)
{
    (void)state;
    const size_t narrow = offsetof(struct disco__event, payload);
    const disco_time_t far = 3 * DISCO__WHEEL_SLOTS;
    /* (time, insertion) order: 99..50, then at far + 50 serial 49 before
     * 100..199, then 48..0. */
    uint64_t order[200], k = 0;
    for (uint64_t s = 99; s >= 50; s--)
        order[k++] = s;
    order[k++] = 49;
    for (uint64_t s = 100; s < 200; s++)
        order[k++] = s;
    for (uint64_t s = 49; s-- > 0;)
        order[k++] = s;
    assert_int_equal(k, 200);
    struct disco__queue q;
    disco__queue_init_compact(&q);
    for (int round = 0; round < 2; round++) {
        for (uint64_t s = 0; s < 200; s++) {
            struct disco__event ev = far_event(far, s);
            assert_int_equal(disco__queue_push(&q, &ev), 0);
            assert_int_equal(q.far.item_size,
                             s < 100 ? narrow : DISCO__EVENT_CORE_SIZE);
        }
        struct disco__event ev;
        for (k = 0; k < 200; k++) {
            assert_true(disco__queue_pop(&q, &ev));
            struct disco__event want = far_event(far, order[k]);
            assert_memory_equal(&ev, &want, sizeof want);
        }
        assert_false(disco__queue_pop(&q, &ev));
        disco__queue_release(&q);
        assert_int_equal(q.far.item_size, narrow);
    }
}

static void test_narrow_then_wide(void **state)
{
    (void)state;
    run_narrow_then_wide(false);
    run_narrow_then_wide(true);
}

/* Forgetting message numbers rewrites the wheel's records in place, with
 * slots of many blocks read partway: same order, same fields, message
 * numbers and Lamport clocks 0 (a far event popped straight from the far
 * heap may keep its number), no new block, and blocks handed back. */
static void test_forget_msg_in_place(void **state)
{
    (void)state;
    struct harness h;
    harness_init_compact(&h, 40000);
    assert_int_equal(disco__queue_keep_fields(&h.q, DISCO__WHEEL_MSG), 0);
    struct disco_rng rng;
    disco_rng_init(&rng, 17, 0);
    for (int k = 0; k < 30000; k++) {
        /* Three crowded times, a spread, and some far events. */
        disco_time_t t = k % 10 < 7   ? (disco_time_t)(10 + k % 3)
                         : k % 10 < 9 ? disco_rng_below(&rng, 3000)
                                      : 5000 + disco_rng_below(&rng, 50000);
        struct disco__event ev = make_event(t, h.next_serial);
        memset(&ev.payload, 0, sizeof ev.payload);
        assert_int_equal(disco__queue_push(&h.q, &ev), 0);
        ref_push(&h.ref, t, h.next_serial++);
    }
    struct disco__event ev;
    for (int k = 0; k < 777; k++) {
        struct ref_item want = ref_pop(&h.ref);
        assert_true(disco__queue_pop(&h.q, &ev));
        assert_int_equal(ev.msg, want.serial);
    }
    size_t blocks = h.q.block_count, free_before = h.q.free_count;
    assert_int_equal(disco__queue_forget_msg(&h.q), 0);
    assert_int_equal(h.q.record_size, DISCO__WHEEL_NARROW);
    assert_int_equal(h.q.block_count, blocks);
    assert_true(h.q.free_count > free_before);
    while (h.ref.count > 0) {
        struct ref_item want = ref_pop(&h.ref);
        assert_true(disco__queue_pop(&h.q, &ev));
        struct disco__event expect = make_event(want.time, want.serial);
        memset(&expect.payload, 0, sizeof expect.payload);
        expect.lamport = 0;
        /* Wheel records lost their numbers; a far event (pushed at 5000
         * or later) popped straight from the far heap may keep its own. */
        if (want.time < 5000 || ev.msg == 0)
            expect.msg = 0;
        assert_memory_equal(&ev, &expect, sizeof expect);
    }
    assert_false(disco__queue_pop(&h.q, &ev));
    harness_release(&h);
}

/* Pushes at the time just popped, mixed with later ones, through a queue
 * whose bucket 0 empties and refills: the same-time pushes come after the
 * same-time events already pending, and before everything later. */
static void test_push_at_last(void **state)
{
    (void)state;
    struct harness h;
    harness_init(&h, 400000);
    struct disco_rng rng;
    disco_rng_init(&rng, 11, 0);
    for (int k = 0; k < 1000; k++)
        h_push(&h, disco_rng_below(&rng, 50));
    for (int k = 0; k < 150000; k++) {
        h_pop(&h);
        unsigned r = (unsigned)disco_rng_below(&rng, 10);
        if (r < 4)
            h_push(&h, h.last_time);
        if (r < 2)
            h_push(&h, h.last_time);
        if (r >= 3 && r < 8)
            h_push(&h, h.last_time + 1 + disco_rng_below(&rng, 60));
    }
    h_drain(&h);
    harness_release(&h);
}

/* Keys at the extremes of the range: 0, 1, 2^63 - 1, 2^63, 2^63 + 1,
 * UINT64_MAX, with repeats and jumps across bit 63. */
static void test_huge_jumps(void **state)
{
    (void)state;
    struct harness h;
    harness_init(&h, 1000);
    static const disco_time_t keys[] = {
        UINT64_MAX, 0, 1ull << 63, 1, (1ull << 63) - 1, UINT64_MAX,
        (1ull << 63) + 1, 1ull << 63, 0, UINT64_MAX - 1, 1ull << 62, 1,
    };
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        h_push(&h, keys[k]);
    for (int k = 0; k < 5; k++)
        h_pop(&h); /* 0, 0, 1, 1, 2^62 */
    assert_int_equal(h.last_time, 1ull << 62);
    h_push(&h, 1ull << 62);
    h_push(&h, (1ull << 63) - 1);
    h_push(&h, UINT64_MAX);
    for (int k = 0; k < 5; k++)
        h_pop(&h);
    assert_int_equal(h.last_time, 1ull << 63);
    h_push(&h, UINT64_MAX);
    h_push(&h, 1ull << 63);
    h_drain(&h);
    assert_int_equal(h.last_time, UINT64_MAX);
    assert_int_equal(h.popped, 17);
    /* At the very top of the range the queue still works. */
    h_push(&h, UINT64_MAX);
    h_push(&h, UINT64_MAX);
    h_drain(&h);
    assert_int_equal(h.popped, 19);
    harness_release(&h);
}

/* A chain of zero-delay events keeps bucket 0 from ever emptying; its
 * consumed prefix must be reclaimed instead of growing the array. */
static void test_zero_delay_chain(void **state)
{
    (void)state;
    struct disco__queue q;
    disco__queue_init(&q);
    struct disco__event ev;
    for (uint64_t s = 0; s < 3; s++) {
        ev = make_event(77, s);
        assert_int_equal(disco__queue_push(&q, &ev), 0);
    }
    uint64_t next_pop = 0, next_push = 3;
    for (int k = 0; k < 200000; k++) {
        assert_true(disco__queue_pop(&q, &ev));
        check_event(&ev, 77, next_pop++);
        ev = make_event(77, next_push++);
        assert_int_equal(disco__queue_push(&q, &ev), 0);
        assert_int_equal(disco__queue_size(&q), 3);
    }
    /* The slot's blocks are handed back as they are read: one chunk. */
    assert_true(q.block_count <= 8);
    disco__queue_release(&q);
}

/* ------------------------------------------------------------------------ */
/* Records inline in their slot.                                            */

/* The event pushed as `serial` as a queue of `format` pops it. */
static struct disco__event expected(disco_time_t time, uint64_t serial,
                                    unsigned format)
{
    struct disco__event ev = make_event(time, serial);
    if (!(format & DISCO__WHEEL_PAYLOAD))
        memset(&ev.payload, 0, sizeof ev.payload);
    if (!(format & DISCO__WHEEL_MSG))
        ev.msg = 0;
    if (!(format & DISCO__WHEEL_LAMPORT))
        ev.lamport = 0;
    return ev;
}

/* Push `serial` at `time`, without a payload unless the format has one. */
static void push_in_format(struct disco__queue *q, disco_time_t time,
                           uint64_t serial, unsigned format)
{
    struct disco__event ev = expected(time, serial, format);
    ev.msg = serial;
    ev.lamport = serial * 0x9e3779b97f4a7c15ull;
    assert_int_equal(disco__queue_push(q, &ev), 0);
}

static void pop_expect(struct disco__queue *q, disco_time_t time,
                       uint64_t serial, unsigned format)
{
    struct disco__event ev, want = expected(time, serial, format);
    assert_true(disco__queue_pop(q, &ev));
    assert_memory_equal(&ev, &want, sizeof want);
}

/* A queue whose records have the given format. */
static void init_in_format(struct disco__queue *q, unsigned format)
{
    disco__queue_init_compact(q);
    if (format & (DISCO__WHEEL_MSG | DISCO__WHEEL_LAMPORT))
        assert_int_equal(disco__queue_keep_fields(
                             q, format & (DISCO__WHEEL_MSG |
                                          DISCO__WHEEL_LAMPORT)),
                         0);
    if (format & DISCO__WHEEL_PAYLOAD) {
        /* The first event with a payload widens the format. */
        struct disco__event ev = make_event(0, 0);
        assert_int_equal(disco__queue_push(q, &ev), 0);
        assert_true(disco__queue_pop(q, &ev));
    }
    assert_int_equal(q->record_format, format);
}

/* Fill the empty slot of `time` with what fits inline, then five more
 * records, which move it to a block, and pop them all, each checked whole
 * against what it was pushed as.  Serials continue from *serial.  The
 * queue has its slots (something was pushed before). */
static void fill_past_inline_and_empty(struct disco__queue *q,
                                       disco_time_t time, uint64_t *serial,
                                       unsigned format)
{
    const uint32_t slot = (uint32_t)(time % DISCO__WHEEL_SLOTS);
    assert_non_null(q->slots);
    assert_false(disco__wheel_occupied(q, slot));
    size_t free_before = q->free_count;
    uint64_t first = *serial;
    for (unsigned k = 0; k < q->records_inline; k++)
        push_in_format(q, time, (*serial)++, format);
    const struct disco__wheel_slot *s = &q->slots[slot];
    if (q->records_inline) {
        assert_null(s->head);
        assert_int_equal(q->free_count, free_before);
    }
    /* Overflow into a block. */
    for (int k = 0; k < 5; k++)
        push_in_format(q, time, (*serial)++, format);
    assert_true(disco__wheel_occupied(q, slot)); /* not the far heap */
    assert_non_null(s->head);
    while (first < *serial)
        pop_expect(q, time, first++, format);
    assert_false(disco__wheel_occupied(q, slot));
}

/* A slot keeps its first record inline, without a block, and moves it to
 * a block when one more arrives; the slot, emptied, starts inline again,
 * and its records pop as pushed, whether it is filled again at the same
 * time (the time just popped) or a lap of the wheel later: what its block
 * left behind (head, tail, read and write) must not leak into its next
 * use.  In every record format, the wider ones having none inline. */
static void test_inline_to_block_and_back(void **state)
{
    (void)state;
    for (unsigned format = 0; format < 8; format++) {
        struct disco__queue q;
        init_in_format(&q, format);
        /* One 16- or 24-byte record fits in a slot; none of 32 or more
         * (every format with a payload). */
        assert_int_equal(q.records_inline,
                         format & DISCO__WHEEL_PAYLOAD ||
                                 format == (DISCO__WHEEL_MSG |
                                            DISCO__WHEEL_LAMPORT)
                             ? 0
                             : 1);
        uint64_t serial = 1;
        for (int round = 0; round < 3; round++) {
            disco_time_t t = q.last + 10 + (disco_time_t)round;
            /* Three slots emptied of one record each: a slot emptied
             * from a block counts against opening the next ones inline
             * (inline_score), one emptied inline counts for it, and each
             * fill of slot t below must start inline. */
            for (disco_time_t w = t - 3; w < t; w++) {
                push_in_format(&q, w, serial, format);
                pop_expect(&q, w, serial++, format);
            }
            /* Pending after t, so that popping it moves the wheel past
             * t and t + DISCO__WHEEL_SLOTS comes within it, in slot t. */
            uint64_t after = serial++;
            push_in_format(&q, t + 1, after, format);
            fill_past_inline_and_empty(&q, t, &serial, format);
            /* Again at t, now the time just popped. */
            assert_int_equal(q.last, t);
            fill_past_inline_and_empty(&q, t, &serial, format);
            pop_expect(&q, t + 1, after, format);
            /* Again a lap later, once a pop half a lap on has moved the
             * wheel's window past t (the window may lag the pops by up
             * to a quarter lap; see struct disco__queue's advance_at). */
            push_in_format(&q, t + DISCO__WHEEL_SLOTS / 2, serial, format);
            pop_expect(&q, t + DISCO__WHEEL_SLOTS / 2, serial++, format);
            fill_past_inline_and_empty(&q, t + DISCO__WHEEL_SLOTS, &serial,
                                       format);
            assert_int_equal(disco__queue_size(&q), 0);
            /* The blocks went back. */
            assert_int_equal(q.free_count, q.block_count);
        }
        disco__queue_release(&q);
    }
}

/* The wheel's window may lag the pops, by less than a quarter lap (struct
 * disco__queue's advance_at), so that a sparse run need not move it on
 * every pop: in a run whose every pop moves the time, events due within
 * three quarters of a lap of the last pop still go straight to the
 * wheel, and the window never passes the last pop. */
static void test_window_lags_a_quarter_lap_at_most(void **state)
{
    (void)state;
    struct disco__queue q;
    disco__queue_init_compact(&q);
    struct disco__event ev;
    memset(&ev, 0, sizeof ev);
    disco_time_t lag_seen = 0;
    for (uint32_t k = 1; k <= 2000; k++) {
        disco_time_t due = q.last + 37;
        ev.time = due;
        ev.target = k;
        assert_int_equal(disco__queue_push(&q, &ev), 0);
        assert_true(disco__queue_pop(&q, &ev));
        assert_int_equal(ev.time, due);
        assert_int_equal(ev.target, k);
        assert_true(q.base <= q.last);
        assert_true(q.last - q.base < DISCO__WHEEL_SLOTS / 4u);
        lag_seen = q.last - q.base > lag_seen ? q.last - q.base : lag_seen;
    }
    /* It did lag: the base moved in steps, not on every pop. */
    assert_true(lag_seen >= DISCO__WHEEL_SLOTS / 4u - 37u);
    ev.time = q.last + DISCO__WHEEL_SLOTS * 3u / 4u - 1u;
    assert_int_equal(disco__queue_push(&q, &ev), 0);
    assert_int_equal(q.far.size, 0);
    assert_true(disco__wheel_occupied(
        &q, (uint32_t)(ev.time % DISCO__WHEEL_SLOTS)));
    disco__queue_release(&q);
}

/* disco__queue_push_message stores what disco__queue_push stores for the
 * same message without payload, in every record format and down every
 * path: inline, in a block, spilling a full block, and far beyond the
 * wheel; pops interleave with pushes. */
static void test_push_message_as_push(void **state)
{
    (void)state;
    for (unsigned format = 0; format < 8; format++) {
        struct disco__queue by_event, by_fields;
        init_in_format(&by_event, format);
        init_in_format(&by_fields, format);
        uint64_t x = 12345;
        size_t popped = 0;
        for (uint32_t k = 0; k < 20000; k++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            disco_time_t ahead;
            switch (x >> 61) {
            case 0: ahead = 0; break;                   /* at `last` */
            case 1: ahead = 100000 + (x >> 40) % 9999; break; /* far */
            case 2: ahead = DISCO__WHEEL_SLOTS - 1; break; /* wheel's end */
            default: ahead = (x >> 40) % 4; break;       /* crowded slots */
            }
            struct disco__event ev = {
                .time = by_event.last + ahead, .target = k, .to = k * 7u,
                .depth = k / 3u, .type = DISCO__EV_DELIVER,
                .kind = (uint8_t)(x >> 20), .msg = k + 1u,
                .lamport = x,
            };
            assert_int_equal(disco__queue_push(&by_event, &ev), 0);
            assert_int_equal(disco__queue_push_message(
                                 &by_fields, ev.time, ev.target, ev.to,
                                 ev.depth, ev.kind, ev.msg, ev.lamport),
                             0);
            /* Pop now and then, so that the wheel turns. */
            if ((x >> 30) % 3 == 0) {
                struct disco__event a, b;
                assert_true(disco__queue_pop(&by_event, &a));
                assert_true(disco__queue_pop(&by_fields, &b));
                assert_memory_equal(&a, &b, sizeof a);
                popped++;
            }
        }
        assert_true(popped > 5000);
        assert_int_equal(disco__queue_size(&by_event),
                         disco__queue_size(&by_fields));
        struct disco__event a, b;
        while (disco__queue_pop(&by_event, &a)) {
            assert_true(disco__queue_pop(&by_fields, &b));
            assert_memory_equal(&a, &b, sizeof a);
            /* What the format keeps (far events may keep more). */
            if (format & DISCO__WHEEL_MSG)
                assert_int_equal(a.msg, a.target + 1u);
            assert_int_equal(a.to, a.target * 7u);
            assert_int_equal(a.type, DISCO__EV_DELIVER);
            assert_true(disco__payload_is_zero(&a.payload));
        }
        assert_int_equal(disco__queue_size(&by_fields), 0);
        disco__queue_release(&by_event);
        disco__queue_release(&by_fields);
    }
}

/* A queue past three chunks of the largest size keeps a spare one beyond
 * what it uses (allocated ahead for the prefault helper), pops everything
 * in (time, insertion) order, and frees the spare with the rest (ASan
 * would see a leak). */
static void test_largest_chunks_and_spare(void **state)
{
    (void)state;
    struct disco__queue q;
    disco__queue_init_compact(&q);
    /* 16-byte records, about 2^18 to a 4 MB chunk: a million of them
     * fill several, due over 1000 ticks in the wheel. */
    const uint32_t count = 1000000, ticks = 1000;
    for (uint32_t i = 0; i < count; i++) {
        struct disco__event ev = {
            .time = 1 + i % ticks, .target = i, .type = DISCO__EV_DELIVER,
        };
        assert_int_equal(disco__queue_push(&q, &ev), 0);
    }
    assert_non_null(q.spare_chunk);
    assert_true(q.block_count * DISCO__WHEEL_BLOCK > 3 * DISCO__BIG_ARRAY);
    struct disco__event ev;
    for (uint32_t k = 0; k < count; k++) {
        assert_true(disco__queue_pop(&q, &ev));
        /* Time t holds i = t-1, t-1+ticks, t-1+2 ticks, ... in order. */
        uint32_t t = 1 + k / (count / ticks), rank = k % (count / ticks);
        if (ev.time != t || ev.target != t - 1 + rank * ticks)
            fail_msg("pop %u: time %llu target %u", k,
                     (unsigned long long)ev.time, ev.target);
    }
    assert_false(disco__queue_pop(&q, &ev));
    disco__queue_release(&q);
    assert_null(q.spare_chunk);
}

/* The formats the peek tests run in: without message numbers (16-byte
 * records) and with them (24 bytes, which disco__queue_record_msg reads).
 * Both keep one record inline (DISCO__WHEEL_INLINE is 28 bytes), so that
 * the span can lie in the slot itself; every wider format keeps none. */
static const unsigned peek_formats[] = {0, DISCO__WHEEL_MSG};
#define PEEK_FORMAT_COUNT (sizeof peek_formats / sizeof peek_formats[0])

/* The record of the event `ahead` places after the next one to pop, when
 * the wheel slot being popped already holds it, else NULL: the kernel's
 * disco__queue_peek_span and disco__queue_span_at in one call, as
 * prefetch_ahead uses them (the pointer is valid until the next push or
 * pop). */
static const struct disco__wheel_record *
peek_ahead(const struct disco__queue *q, size_t ahead)
{
    const unsigned char *records;
    size_t span = disco__queue_peek_span(q, &records);
    return span ? disco__queue_span_at(q, records, span, ahead) : NULL;
}

/* peek_ahead reads an inline record (pushed at the time just popped, into
 * the slot being popped), which is the whole span, and records moved to a
 * block. */
static void test_peek_ahead_inline(void **state)
{
    (void)state;
    for (size_t f = 0; f < PEEK_FORMAT_COUNT; f++) {
        unsigned format = peek_formats[f];
        struct disco__queue q;
        init_in_format(&q, format);
        assert_int_equal(q.records_inline, 1);
        const disco_time_t t = 7;
        push_in_format(&q, t, 1, format);
        pop_expect(&q, t, 1, format);
        push_in_format(&q, t, 2, format);
        assert_null(q.slots[t].head);
        /* The span is that one record, in the slot itself. */
        const unsigned char *records;
        assert_int_equal(disco__queue_peek_span(&q, &records), 1);
        assert_ptr_equal(records, q.slots[t].first);
        const struct disco__wheel_record *r = peek_ahead(&q, 0);
        assert_non_null(r);
        assert_int_equal(r->target, make_event(t, 2).target);
        assert_int_equal(disco__queue_record_msg(&q, r), format ? 2 : 0);
        assert_null(peek_ahead(&q, 1));
        /* More records move it to a block. */
        push_in_format(&q, t, 3, format);
        push_in_format(&q, t, 4, format);
        assert_non_null(q.slots[t].head);
        for (uint64_t k = 0; k < 3; k++) {
            r = peek_ahead(&q, k);
            assert_non_null(r);
            assert_int_equal(r->target, make_event(t, 2 + k).target);
            assert_int_equal(disco__queue_record_msg(&q, r),
                             format ? 2 + k : 0);
        }
        assert_null(peek_ahead(&q, 3));
        for (uint64_t k = 2; k <= 4; k++)
            pop_expect(&q, t, k, format);
        assert_null(peek_ahead(&q, 0));
        disco__queue_release(&q);
    }
}

/* Across the blocks of a slot, against the records themselves: at every
 * pop but the first of three full blocks and seven records in a fourth
 * (so that the slot ends inside a block), the span is the rest of the
 * first block (or of the slot), and peek_ahead(q, a), whether in the span
 * or walked to (peek_beyond), is the record pushed a places after the next
 * one, NULL past the slot's end. */
static void test_peek_ahead_across_blocks(void **state)
{
    (void)state;
    for (size_t f = 0; f < PEEK_FORMAT_COUNT; f++) {
        unsigned format = peek_formats[f];
        struct disco__queue q;
        init_in_format(&q, format);
        const disco_time_t t = 9;
        uint64_t total = 3 * q.records_per_block + 7;
        for (uint64_t k = 1; k <= total; k++)
            push_in_format(&q, t, k, format);
        /* The span is the slot of the last pop's: pop once to get there
         * (before, the front is slot 0 and nothing is known ahead).
         * `records` starts pointing elsewhere, so that the NULL an empty
         * span must set is seen. */
        const unsigned char *records = (const unsigned char *)&q;
        assert_int_equal(disco__queue_peek_span(&q, &records), 0);
        assert_null(records);
        pop_expect(&q, t, 1, format);
        bool walked = false;
        for (uint64_t k = 2; k <= total; k++) {
            const struct disco__wheel_slot *s = &q.slots[t];
            /* Only the span's length is checked here: its records are
             * peek_ahead's for a below it, checked there. */
            size_t span = disco__queue_peek_span(&q, &records);
            uint64_t left = total - k + 1;
            size_t block_left = q.records_per_block - s->read;
            assert_int_equal(span, left < block_left ? left : block_left);
            for (size_t a = 0; a <= 200; a++) {
                const struct disco__wheel_record *r =
                    peek_ahead(&q, a);
                if (a >= left) {
                    assert_null(r);
                    continue;
                }
                assert_non_null(r);
                assert_int_equal(r->target, make_event(t, k + a).target);
                assert_int_equal(disco__queue_record_msg(&q, r),
                                 format ? k + a : 0);
                walked |= a >= span;
            }
            pop_expect(&q, t, k, format);
        }
        assert_true(walked);
        records = (const unsigned char *)&q;
        assert_int_equal(disco__queue_peek_span(&q, &records), 0);
        assert_null(records);
        disco__queue_release(&q);
    }
}

/* Slots open inline while slots emptied lately held no more than fits
 * there, and in a block once crowded slots prevail; either way the events
 * pop in order. */
static void test_inline_or_block(void **state)
{
    (void)state;
    struct disco__queue q;
    init_in_format(&q, 0);
    uint64_t serial = 1, next_pop = 1;
    disco_time_t t = 1;
    /* Crowded slots: five events each. */
    for (int k = 0; k < 40; k++, t++) {
        for (int j = 0; j < 5; j++)
            push_in_format(&q, t, serial++, 0);
        while (next_pop < serial)
            pop_expect(&q, t, next_pop++, 0);
    }
    push_in_format(&q, t, serial++, 0);
    assert_non_null(q.slots[t].head);
    pop_expect(&q, t++, next_pop++, 0);
    /* Sparse ones: one event each, and soon inline again. */
    for (int k = 0; k < 40; k++, t++) {
        push_in_format(&q, t, serial++, 0);
        pop_expect(&q, t, next_pop++, 0);
    }
    push_in_format(&q, t, serial++, 0);
    assert_null(q.slots[t].head);
    pop_expect(&q, t, next_pop++, 0);
    assert_int_equal(disco__queue_size(&q), 0);
    disco__queue_release(&q);
}

/* More serials than test_reformat_inline pushes: it notes the fields
 * each one pops with. */
enum { REFORMAT_SERIALS = 200 };

/* Push *serial at `time` in `format`, into the queue and the reference,
 * noting that it keeps the fields of that format; the next serial after. */
static void push_kept(struct disco__queue *q, struct ref_heap *ref,
                      unsigned kept[REFORMAT_SERIALS], disco_time_t time,
                      uint64_t *serial, unsigned format)
{
    assert_true(*serial < REFORMAT_SERIALS);
    push_in_format(q, time, *serial, format);
    ref_push(ref, time, *serial);
    kept[(*serial)++] = format;
}

/* Records pending inline, and in blocks, are rewritten when the format
 * widens, for a payload or for message numbers, and when it narrows
 * again; every record pops with every field it still has, as pushed. */
static void test_reformat_inline(void **state)
{
    (void)state;
    struct disco__queue q;
    init_in_format(&q, 0);
    struct ref_heap ref;
    ref_init(&ref, 64);
    /* The fields (a record format) each serial pops with: those of the
     * format it was pushed in, less those a later format dropped (a
     * field added later was never stored for it). */
    unsigned kept[REFORMAT_SERIALS];
    uint64_t serial = 1;
    /* One record (inline), two or three (a block) a slot. */
    for (disco_time_t t = 1; t <= 60; t++) {
        unsigned n = 1 + t % 3;
        for (unsigned k = 0; k < n; k++)
            push_kept(&q, &ref, kept, t, &serial, 0);
    }
    struct ref_item want;
    for (int k = 0; k < 10; k++) {
        want = ref_pop(&ref);
        pop_expect(&q, want.time, want.serial, kept[want.serial]);
    }
    assert_null(q.slots[30].head);
    assert_non_null(q.slots[31].head);
    /* Message numbers (one record inline: the queue is rebuilt), none
     * (rewritten in place, inline records staying inline), then a
     * payload (none inline: rewritten into blocks). */
    static const unsigned formats[] = {
        DISCO__WHEEL_MSG,
        0,
        DISCO__WHEEL_PAYLOAD,
    };
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        unsigned next = formats[f];
        /* What is pending keeps only what `next` keeps too. */
        for (uint64_t s = 1; s < serial; s++)
            kept[s] &= next;
        if (next == 0) {
            assert_null(q.slots[70].head); /* one record, inline */
            assert_int_equal(disco__queue_forget_msg(&q), 0);
        } else if (next & DISCO__WHEEL_PAYLOAD) {
            push_kept(&q, &ref, kept, q.last, &serial, next);
        } else {
            assert_int_equal(disco__queue_keep_fields(&q, next), 0);
        }
        assert_int_equal(q.record_format, next);
        if (q.records_inline) /* still pending, inline */
            assert_null(q.slots[30 + 3 * f].head);
        want = ref_pop(&ref);
        pop_expect(&q, want.time, want.serial, kept[want.serial]);
        /* Inline pushes in the new format, after the pending ones, and
         * one more to an inline slot, which must then move to a block. */
        push_kept(&q, &ref, kept, 70 + f, &serial, next);
        push_kept(&q, &ref, kept, 30 + 3 * f, &serial, next);
        assert_non_null(q.slots[30 + 3 * f].head);
        if (q.records_inline)
            assert_null(q.slots[70 + f].head);
    }
    /* Everything else, rewritten once, twice or three times, or pushed
     * since. */
    while (ref.count > 0) {
        want = ref_pop(&ref);
        pop_expect(&q, want.time, want.serial, kept[want.serial]);
    }
    assert_int_equal(disco__queue_size(&q), 0);
    free(ref.items);
    disco__queue_release(&q);
}

/* Far events near the end of the wheel's window move into it only once
 * it has come half its length closer, and until then an event pushed at
 * their time goes to the far heap after them, not ahead of them into the
 * wheel. */
static void test_far_events_wait(void **state)
{
    (void)state;
    struct harness h;
    harness_init(&h, 100);
    const disco_time_t w = DISCO__WHEEL_SLOTS;
    h_push(&h, w + 100);        /* far */
    h_push(&h, w / 4);          /* near: the pop reaches within w of it */
    h_pop(&h);
    assert_int_equal(h.q.far.size, 1);
    h_push(&h, w + 100);        /* after the far one */
    h_push(&h, w / 4 + 1);
    h_push(&h, w / 4 + w / 2);  /* within half the window of the far */
    h_pop(&h);
    assert_int_equal(h.q.far.size, 2); /* still waiting */
    h_pop(&h);
    assert_int_equal(h.q.far.size, 0); /* moved */
    h_push(&h, w + 100);
    h_drain(&h);
    harness_release(&h);
}

/* ------------------------------------------------------------------------ */
/* Out of wheel blocks, by the queue's block_limit.                         */

/* More serials than the tests below push. */
enum { BLOCK_TEST_SERIALS = 4096 };

/* Push `serial` at `time` as push_in_format does (a payload only if
 * `format` has one), and into the reference, noting the format it pops
 * with, when the queue takes it; a refused push must be DISCO_ENOMEM and
 * leave the queue's size as it was.  Returns what the push returned. */
static int push_or_refused(struct disco__queue *q, struct ref_heap *ref,
                           unsigned kept[BLOCK_TEST_SERIALS],
                           disco_time_t time, uint64_t serial,
                           unsigned format)
{
    assert_true(serial < BLOCK_TEST_SERIALS);
    struct disco__event ev = expected(time, serial, format);
    ev.msg = serial;
    ev.lamport = serial * 0x9e3779b97f4a7c15ull;
    size_t before = disco__queue_size(q);
    int rc = disco__queue_push(q, &ev);
    if (rc == 0) {
        assert_int_equal(disco__queue_size(q), before + 1);
        ref_push(ref, time, serial);
        kept[serial] = format;
    } else {
        assert_int_equal(rc, DISCO_ENOMEM);
        assert_int_equal(disco__queue_size(q), before);
    }
    return rc;
}

/* Pop the event the reference says comes next, as it was pushed. */
static void pop_as_ref(struct disco__queue *q, struct ref_heap *ref,
                       const unsigned kept[BLOCK_TEST_SERIALS])
{
    assert_int_equal(disco__queue_size(q), ref->count);
    struct ref_item want = ref_pop(ref);
    pop_expect(q, want.time, want.serial, kept[want.serial]);
}

/* Everything the queue took pops once, in (time, insertion) order, and
 * nothing else: the queue is empty when the reference is. */
static void drain_as_ref(struct disco__queue *q, struct ref_heap *ref,
                         const unsigned kept[BLOCK_TEST_SERIALS])
{
    while (ref->count > 0)
        pop_as_ref(q, ref, kept);
    struct disco__event ev;
    assert_int_equal(disco__queue_size(q), 0);
    assert_false(disco__queue_pop(q, &ev));
}

/* A move of far events into the wheel reserves exactly the blocks its
 * worst case takes (see advance in queue.c): 16 keys sharing a far bucket
 * of 16, each with one record more than a block holds, take two blocks
 * each.  With one block fewer to be had the move is refused whole and the
 * events stay far (a move on a smaller reservation would find no block
 * for its last records, and lose them); with exactly as many it goes
 * ahead and uses them all.  In the narrow format each key's first record
 * opens its slot inline and the second spills it to a block; in the wide
 * one every slot opens in a block. */
static void run_advance_reserves_exactly(unsigned format)
{
    struct disco__queue q;
    init_in_format(&q, format);
    struct ref_heap ref;
    ref_init(&ref, 1024);
    unsigned kept[BLOCK_TEST_SERIALS];
    uint64_t serial = 1;
    /* Far from the wheel at 0, and a multiple of 256: once it is popped,
     * far + 16 ... far + 31 differ from it in their second hex digit
     * only, which makes them one far bucket. */
    const disco_time_t far = 2 * DISCO__WHEEL_SLOTS;
    const size_t keys = 16, per_key = q.records_per_block + 1u;
    const size_t n = keys * per_key, worst = 2 * keys;
    assert_true(keys * per_key < BLOCK_TEST_SERIALS);
    assert_int_equal(push_or_refused(&q, &ref, kept, far, serial++, format),
                     0);
    for (size_t k = 0; k < per_key; k++) {
        for (size_t key = 0; key < keys; key++)
            assert_int_equal(push_or_refused(&q, &ref, kept, far + 16 + key,
                                             serial++, format),
                             0);
    }
    assert_int_equal(q.far.size, n + 1);

    /* One block fewer than the worst case to be had: popping `far`
     * finds the rest in one bucket, and cannot move it. */
    assert_true(q.free_count < worst);
    q.block_limit = q.block_count + (worst - 1 - q.free_count);
    pop_as_ref(&q, &ref, kept);
    size_t buckets = 0;
    for (unsigned i = 0; i < DISCO__QUEUE_BUCKETS; i++) {
        const struct disco__queue_bucket *b = &q.far.buckets[i];
        if (b->count > b->head) {
            assert_int_equal(b->count - b->head, n);
            buckets++;
        }
    }
    assert_int_equal(buckets, 1);
    assert_int_equal(q.far.size, n);
    assert_int_equal(q.occupied_words, 0);
    assert_true(q.block_count <= q.block_limit);

    /* The wheel stopped short of them and takes an event before them,
     * whose pop moves them in, now with exactly the worst case to be
     * had. */
    assert_int_equal(
        push_or_refused(&q, &ref, kept, far + 1, serial++, format), 0);
    assert_int_equal(q.far.size, n);
    q.block_limit = q.block_count + (worst - q.free_count);
    pop_as_ref(&q, &ref, kept);
    assert_int_equal(q.far.size, 0);
    assert_int_equal(q.block_count, q.block_limit);
    assert_int_equal(q.block_count - q.free_count, worst);
    for (size_t key = 0; key < keys; key++) {
        const struct disco__wheel_slot *s =
            &q.slots[(far + 16 + key) % DISCO__WHEEL_SLOTS];
        assert_non_null(s->head);
        assert_true(s->head != s->tail && s->head->next == s->tail);
    }

    q.block_limit = SIZE_MAX;
    drain_as_ref(&q, &ref, kept);
    free(ref.items);
    disco__queue_release(&q);
}

static void test_advance_reserves_exactly(void **state)
{
    (void)state;
    run_advance_reserves_exactly(0);
    run_advance_reserves_exactly(DISCO__WHEEL_MSG | DISCO__WHEEL_LAMPORT |
                                 DISCO__WHEEL_PAYLOAD);
}

/* A push that needs a wheel block when none can be had fails with
 * DISCO_ENOMEM and changes nothing, wherever the block was needed: to
 * open a slot (the wide format, which has no inline record), to spill a
 * slot's inline record (the narrow one), to link one after a full block,
 * or to rewrite the pending records for a payload.  Pops go on without
 * blocks and give theirs back to later pushes; pushes to the far heap
 * need none.  Once blocks can be had again, everything the queue took
 * pops once, in order, and nothing it refused. */
static void run_out_of_blocks(unsigned format)
{
    struct disco__queue q;
    init_in_format(&q, format);
    struct ref_heap ref;
    ref_init(&ref, 256);
    unsigned kept[BLOCK_TEST_SERIALS];
    uint64_t serial = 1;
    const disco_time_t t = 5, u = 6, far = 3 * DISCO__WHEEL_SLOTS;
    const bool narrow = q.records_inline > 0;
    assert_int_equal(narrow, format == 0);
    assert_int_equal(q.free_count, 0);
    const struct disco__wheel_slot *st = NULL;

    /* No block at all. */
    q.block_limit = q.block_count;
    if (narrow) {
        assert_int_equal(push_or_refused(&q, &ref, kept, t, serial++, format),
                         0);
        st = &q.slots[t];
        assert_null(st->head);
        /* The spill of that inline record. */
        assert_int_equal(push_or_refused(&q, &ref, kept, t, serial++, format),
                         DISCO_ENOMEM);
        assert_null(st->head);
        assert_int_equal(st->write, 1);
        /* The rewrite for a payload, which needs a block for it. */
        assert_int_equal(push_or_refused(&q, &ref, kept, u, serial++,
                                         format | DISCO__WHEEL_PAYLOAD),
                         DISCO_ENOMEM);
        assert_int_equal(q.record_format, format);
        assert_false(disco__wheel_occupied(&q, u));
    } else {
        /* The block a slot opens in. */
        assert_int_equal(push_or_refused(&q, &ref, kept, t, serial++, format),
                         DISCO_ENOMEM);
        assert_false(disco__wheel_occupied(&q, t));
    }
    /* The same by push_message. */
    size_t before = disco__queue_size(&q);
    assert_int_equal(disco__queue_push_message(&q, t, 1, 2, 3, 4, 5, 6),
                     DISCO_ENOMEM);
    assert_int_equal(disco__queue_size(&q), before);
    /* The far heap needs none. */
    assert_int_equal(push_or_refused(&q, &ref, kept, far, serial++, format),
                     0);
    assert_int_equal(q.block_count, q.block_limit);

    /* One block more: slot t takes it (spilling, or opening), and u has
     * none to open or spill with. */
    q.block_limit = q.block_count + 1;
    assert_int_equal(push_or_refused(&q, &ref, kept, t, serial++, format), 0);
    st = &q.slots[t];
    assert_non_null(st->head);
    assert_int_equal(q.free_count, 0);
    if (narrow) {
        assert_int_equal(push_or_refused(&q, &ref, kept, u, serial++, format),
                         0);
        assert_null(q.slots[u].head);
    }
    assert_int_equal(push_or_refused(&q, &ref, kept, u, serial++, format),
                     DISCO_ENOMEM);
    /* Slot t's block filled, and none to link after it. */
    while (st->write < st->limit)
        assert_int_equal(
            push_or_refused(&q, &ref, kept, t, serial++, format), 0);
    const struct disco__wheel_block *tail = st->tail;
    assert_int_equal(push_or_refused(&q, &ref, kept, t, serial++, format),
                     DISCO_ENOMEM);
    assert_ptr_equal(st->tail, tail);
    assert_int_equal(st->write, st->limit);
    assert_int_equal(q.block_count, q.block_limit);

    /* Pops need no block; slot t, emptied, gives its block back, which
     * the next push that needs one takes without allocating. */
    for (int k = 0; k < 3; k++)
        pop_as_ref(&q, &ref, kept);
    while (disco__wheel_occupied(&q, t))
        pop_as_ref(&q, &ref, kept);
    assert_int_equal(q.free_count, 1);
    assert_int_equal(push_or_refused(&q, &ref, kept, u, serial++, format), 0);
    assert_non_null(q.slots[u].head);
    assert_int_equal(q.free_count, 0);
    assert_int_equal(q.block_count, q.block_limit);

    /* Blocks again: at the times refused before, and a payload. */
    q.block_limit = SIZE_MAX;
    for (int k = 0; k < 300; k++)
        assert_int_equal(push_or_refused(&q, &ref, kept, u + (unsigned)k % 3,
                                         serial++, format),
                         0);
    assert_int_equal(push_or_refused(&q, &ref, kept, u, serial++,
                                     format | DISCO__WHEEL_PAYLOAD),
                     0);
    assert_true(q.record_format & DISCO__WHEEL_PAYLOAD);
    drain_as_ref(&q, &ref, kept);
    free(ref.items);
    disco__queue_release(&q);
}

static void test_out_of_blocks(void **state)
{
    (void)state;
    run_out_of_blocks(0);
    run_out_of_blocks(DISCO__WHEEL_MSG | DISCO__WHEEL_LAMPORT);
}

/* ------------------------------------------------------------------------ */
/* Out of memory, by lowering the address-space limit.                      */

#if defined(__SANITIZE_ADDRESS__)
#define QUEUE_TEST_NO_RLIMIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define QUEUE_TEST_NO_RLIMIT 1
#endif
#endif

#ifndef QUEUE_TEST_NO_RLIMIT
static size_t address_space_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    if (!f)
        return 0;
    if (fscanf(f, "%lu", &pages) != 1)
        pages = 0;
    fclose(f);
    return (size_t)pages * 4096u;
}
#endif

/* Pushes that need memory fail with DISCO_ENOMEM and leave the queue as it
 * was; pops that cannot spread still pop in order; once memory is back
 * everything continues. */
static void test_out_of_memory(void **state)
{
    (void)state;
#ifdef QUEUE_TEST_NO_RLIMIT
    skip();
#else
    struct rlimit saved;
    assert_int_equal(getrlimit(RLIMIT_AS, &saved), 0);
    size_t vm = address_space_bytes();
    if (vm == 0 || (saved.rlim_max != RLIM_INFINITY &&
                    saved.rlim_max < vm + (64u << 20)))
        skip();

    struct harness h;
    harness_init(&h, 2000000);
    /* The reference must not need memory once the limit is down. */
    free(h.ref.items);
    ref_init(&h.ref, 2000000);
    struct disco_rng rng;
    disco_rng_init(&rng, 5, 0);
    for (int k = 0; k < 1000; k++)
        h_push(&h, disco_rng_below(&rng, 1000));
    for (int k = 0; k < 10; k++)
        h_pop(&h);

    /* Room for a few megabytes more, then push into one far bucket until it
     * fails: first a few events at 2^40 exactly (a failed spread must take
     * back the copies it made of them), then random keys over 2^16 values
     * above 2^40, with many repeats. */
    struct rlimit low = saved;
    low.rlim_cur = address_space_bytes() + (16u << 20);
    assert_int_equal(setrlimit(RLIMIT_AS, &low), 0);
    int rc = 0;
    while (h.next_serial < 2000000) {
        disco_time_t t = (1ull << 40);
        if (h.next_serial >= 1010)
            t += disco_rng_below(&rng, 1u << 16);
        struct disco__event ev = make_event(t, h.next_serial);
        size_t before = disco__queue_size(&h.q);
        rc = disco__queue_push(&h.q, &ev);
        if (rc != 0) {
            assert_int_equal(disco__queue_size(&h.q), before);
            break;
        }
        ref_push(&h.ref, t, h.next_serial++);
    }
    assert_int_equal(rc, DISCO_ENOMEM);
    assert_true(h.next_serial > 100000);

    /* No room at all: the pops that reach the far bucket cannot spread it
     * and must pick each minimum in place, in order. */
    low.rlim_cur = address_space_bytes();
    assert_int_equal(setrlimit(RLIMIT_AS, &low), 0);
    struct disco__event ev = make_event(1ull << 40, h.next_serial);
    assert_int_equal(disco__queue_push(&h.q, &ev), DISCO_ENOMEM);
    for (int k = 0; k < 990; k++)
        h_pop(&h);
    bool degraded = false;
    for (int k = 0; k < 300; k++) {
        h_pop(&h);
        degraded = degraded || h.q.far.last < h.last_time;
    }
    assert_true(degraded);
    /* Pushes into the far bucket at times already popped or later keep
     * their place behind the pending equal times. */
    for (int k = 0; k < 20; k++) {
        disco_time_t t = h.last_time + disco_rng_below(&rng, 3);
        ev = make_event(t, h.next_serial);
        if (disco__queue_push(&h.q, &ev) == 0)
            ref_push(&h.ref, t, h.next_serial++);
        h_pop(&h);
    }

    assert_int_equal(setrlimit(RLIMIT_AS, &saved), 0);
    for (int k = 0; k < 100000; k++) {
        h_pop(&h);
        if (k % 2)
            h_push(&h, h.last_time + disco_rng_below(&rng, 100));
    }
    h_drain(&h);
    harness_release(&h);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_compact_then_whole),
        cmocka_unit_test(test_compact_then_msg),
        cmocka_unit_test(test_push_message_as_push),
        cmocka_unit_test(test_largest_chunks_and_spare),
        cmocka_unit_test(test_small_exact),
        cmocka_unit_test(test_peek_then_push_earlier),
        cmocka_unit_test(test_interleaved_exp),
        cmocka_unit_test(test_interleaved_bimodal),
        cmocka_unit_test(test_interleaved_small),
        cmocka_unit_test(test_interleaved_tiny_huge),
        cmocka_unit_test(test_interleaved_pow2),
        cmocka_unit_test(test_hold_exp),
        cmocka_unit_test(test_hold_bimodal),
        cmocka_unit_test(test_batches_vs_sort),
        cmocka_unit_test(test_equal_times),
        cmocka_unit_test(test_push_at_last),
        cmocka_unit_test(test_narrow_then_wide),
        cmocka_unit_test(test_wide_from_far),
        cmocka_unit_test(test_far_items_narrow_until_payload),
        cmocka_unit_test(test_forget_msg_in_place),
        cmocka_unit_test(test_huge_jumps),
        cmocka_unit_test(test_zero_delay_chain),
        cmocka_unit_test(test_inline_to_block_and_back),
        cmocka_unit_test(test_window_lags_a_quarter_lap_at_most),
        cmocka_unit_test(test_peek_ahead_inline),
        cmocka_unit_test(test_peek_ahead_across_blocks),
        cmocka_unit_test(test_inline_or_block),
        cmocka_unit_test(test_reformat_inline),
        cmocka_unit_test(test_far_events_wait),
        cmocka_unit_test(test_out_of_memory),
        cmocka_unit_test(test_advance_reserves_exactly),
        cmocka_unit_test(test_out_of_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
