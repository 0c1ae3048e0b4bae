/*
 * suzuki_kasami.c - Suzuki and Kasami's broadcast token algorithm for
 * mutual exclusion.
 *
 * One token circulates; its holder may enter the critical section.  Every
 * process i keeps RN[j], the highest request number it has heard from each
 * process j; the token carries LN[j], the number of j's last request that
 * was served, and a queue Q of processes waiting for it.
 *
 *   - To enter without the token, i increments RN[i] and broadcasts
 *     request(RN[i]) to the n-1 others; with the token (and nobody waiting)
 *     it simply enters: no message.
 *   - On request(sn) from j: RN[j] = max(RN[j], sn); an idle holder sends
 *     the token to j at once if the request is outstanding
 *     (RN[j] = LN[j] + 1).
 *   - On leaving: LN[i] = RN[i]; every j not in Q with RN[j] = LN[j] + 1 is
 *     appended to Q; if Q is not empty the token goes to its head.
 *
 * So an entry costs n messages (n-1 requests and one token), or none when
 * the token is already there.  Stale requests (RN[j] <= LN[j]) are
 * recognized and never move the token; FIFO is not needed.  Process 0
 * holds the token at the start.
 *
 * Naming.  The model numbers the processes 0..n-1 and lets each address
 * any other by number.  The kernel orders a node's out-ports by neighbour
 * index (disco_sim.h), so on a complete graph out-port p of process i
 * leads to process p (p < i) or p + 1 (p >= i): complete.h's
 * complete_node_at and complete_port_to.  RN and LN are kept per
 * out-port (port_state_size) plus this process's own entry; the token
 * carries LN and Q indexed by process number, at most SK_MAX_NODES
 * processes so that it fits in one message.
 *
 * The application (requests, entries, parameters) and the properties the
 * four mutual-exclusion modules share are in mutex.h; with `stagger`,
 * process 0, the first holder, requests first.
 */
#include <stdio.h>
#include <string.h>

#include "complete.h"
#include "mutex.h"

enum { REQUEST, TOKEN };

/* The token is LN[n], the queue length and Q: 4 + 8n bytes. */
#define SK_MAX_NODES ((DISCO_MAX_PAYLOAD - 4) / 8)

struct sk_state {
    struct mutex_process app; /* phase (WANTED: waits for the token; HELD:
                                 inside, so holds the token) */
    bool token;          /* holds the token */
    uint32_t rn;         /* RN[i]: this process's own request number */
    uint32_t ln;         /* LN[i], while it holds the token */
    uint32_t queued;     /* |Q| while it holds the token */
    uint32_t free;       /* entries with the token already here */
};

/* Per out-port, for the process j behind it.
 * _Alignas(16) keeps this part a multiple of 16 bytes long: the kernel
 * does not round a node's block (state, then degree such parts) up to the
 * 16-byte alignment the next block needs. */
struct sk_port {
    _Alignas(16) uint32_t rn; /* RN[j] */
    uint32_t ln;         /* LN[j], meaningful while holding the token */
    uint32_t place;      /* 1 + j's place in Q, 0 when j is not in Q */
};

/* ---- the token ---- */

/* Pass the token to the process behind `port`, with LN and Q (less that
 * process, its head).  Wire format, by process number: |Q|, LN[0..n-1],
 * then Q head first. */
static void send_token(struct disco_ctx *ctx, struct sk_state *s,
                       uint32_t port)
{
    static uint32_t wire[1 + 2 * SK_MAX_NODES]; /* 4 KB: not on the stack */
    uint32_t n = disco_nodes(ctx), self = disco_self(ctx);
    uint32_t *ln = wire + 1, *queue = wire + 1 + n;
    uint32_t length = 0;
    if (n > SK_MAX_NODES)
        return; /* too large to carry: the token stays, no_deadlock fails */
    ln[self] = s->ln;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        struct sk_port *q = disco_port_state(ctx, p);
        ln[complete_node_at(self, p)] = q->ln;
        if (q->place > 0 && p != port) {
            queue[q->place - 1] = complete_node_at(self, p);
            length++;
        }
    }
    /* Places are 1..queued with the receiver's (the head) missing: close
     * the gap it leaves. */
    uint32_t gap = ((struct sk_port *)disco_port_state(ctx, port))->place;
    if (gap > 0)
        memmove(queue + gap - 1, queue + gap,
                (s->queued - gap) * sizeof *queue);
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++)
        ((struct sk_port *)disco_port_state(ctx, p))->place = 0;
    wire[0] = length;
    s->token = false;
    s->queued = 0;
    disco_send(ctx, port, TOKEN, wire, (1 + n + length) * sizeof *wire);
}

/* ---- the algorithm ---- */

static void request(struct disco_ctx *ctx, struct sk_state *s)
{
    if (s->token) {
        s->free++;
        mutex_enter(ctx, &s->app);
        return;
    }
    s->app.phase = WANTED;
    s->rn++;
    disco_send_all(ctx, REQUEST, &s->rn, sizeof s->rn);
}

/* Leave: LN[i] = RN[i], queue the outstanding requests, pass the token to
 * the head of Q. */
static void release(struct disco_ctx *ctx, struct sk_state *s)
{
    s->app.phase = RELEASED;
    s->ln = s->rn;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        /* In process order, which is port order on a complete graph. */
        struct sk_port *q = disco_port_state(ctx, p);
        if (q->place == 0 && q->rn == q->ln + 1)
            q->place = ++s->queued;
    }
    uint32_t head = DISCO_NO_PORT;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        const struct sk_port *q = disco_port_state(ctx, p);
        if (q->place > 0 && (head == DISCO_NO_PORT ||
                             q->place < ((const struct sk_port *)
                                         disco_port_state(ctx, head))->place))
            head = p;
    }
    if (head != DISCO_NO_PORT)
        send_token(ctx, s, head);
    mutex_plan_request(ctx, &s->app);
}

static void sk_init(struct disco_ctx *ctx, void *state)
{
    struct sk_state *s = state;
    s->token = disco_self(ctx) == 0;
    if (disco_is_initiator(ctx))
        mutex_plan_request(ctx, &s->app);
}

static void receive_token(struct disco_ctx *ctx, struct sk_state *s,
                          const uint32_t *wire)
{
    uint32_t n = disco_nodes(ctx), self = disco_self(ctx), length = wire[0];
    s->token = true;
    s->ln = wire[1 + self];
    s->queued = 0;
    for (uint32_t p = 0; p < disco_out_degree(ctx); p++) {
        struct sk_port *q = disco_port_state(ctx, p);
        q->ln = wire[1 + complete_node_at(self, p)];
        q->place = 0;
    }
    for (uint32_t k = 0; k < length; k++) {
        /* Never self: the sender took the receiver, its head, off Q. */
        uint32_t j = wire[1 + n + k];
        struct sk_port *q = disco_port_state(ctx, complete_port_to(self, j));
        q->place = ++s->queued;
    }
    /* The token only travels to a process that waits. */
    mutex_enter(ctx, &s->app);
}

static void sk_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                          unsigned kind, const void *payload, size_t len)
{
    struct sk_state *s = state;
    if (kind == TOKEN) {
        receive_token(ctx, s, payload);
        return;
    }
    uint32_t sn;
    memcpy(&sn, payload, sizeof sn);
    struct sk_port *q = disco_port_state(ctx, port);
    if (sn > q->rn)
        q->rn = sn;
    if (s->token && s->app.phase == RELEASED && q->rn == q->ln + 1)
        send_token(ctx, s, port);
}

static void sk_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    if (tag == MUTEX_T_REQUEST)
        request(ctx, state);
    else
        release(ctx, state);
}

static void sk_format_state(const void *state, char *buf, size_t len)
{
    const struct sk_state *s = state;
    const char *token = s->token ? ", token" : "";
    switch (s->app.phase) {
    case RELEASED:
        snprintf(buf, len, "released (%u entries)%s", s->app.entered,
                 token);
        break;
    case WANTED:
        snprintf(buf, len, "wanted rn=%u", s->rn);
        break;
    case HELD:
        snprintf(buf, len, "held");
        break;
    }
}

/* ---- properties ---- */

/* Entries that found the token at home. */
static uint64_t free_entries(const struct disco_view *view)
{
    uint64_t total = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        total += ((const struct sk_state *)disco_view_state(view, v))->free;
    return total;
}

/* n per entry (n-1 requests and the token), none when the token was
 * already there. */
static bool check_messages(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint64_t n = disco_view_nodes(view);
    uint64_t paid = mutex_total_entries(view) - free_entries(view);
    uint64_t requests = disco_view_messages(view, REQUEST);
    uint64_t tokens = disco_view_messages(view, TOKEN);
    snprintf(detail, len, "%llu requests + %llu tokens, n x %llu entries "
             "without the token = %llu", (unsigned long long)requests,
             (unsigned long long)tokens, (unsigned long long)paid,
             (unsigned long long)(n * paid));
    return requests == (n - 1) * paid && tokens == paid;
}

/* At the end exactly one process holds the token. */
static bool check_one_token(const struct disco_view *view, char *detail,
                            size_t len)
{
    uint32_t holders = 0, holder = 0;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (((const struct sk_state *)disco_view_state(view, v))->token) {
            holders++;
            holder = v;
        }
    if (holders != 1) {
        snprintf(detail, len, "%u processes hold the token", holders);
        return false;
    }
    snprintf(detail, len, "node %u holds the token", holder);
    return true;
}

static void sk_result(const struct disco_view *view, char *buf, size_t len)
{
    uint64_t entries = mutex_total_entries(view);
    uint64_t messages = disco_view_messages(view, -1);
    snprintf(buf, len, "\"entries\": %llu, \"free_entries\": %llu, "
             "\"messages\": %llu, \"messages_per_entry\": %.2f",
             (unsigned long long)entries,
             (unsigned long long)free_entries(view),
             (unsigned long long)messages,
             entries ? (double)messages / (double)entries : 0.0);
}

static const char *const sk_kinds[] = {"request", "token"};

static const struct disco_param sk_params[] = {
    MUTEX_PARAM_TABLE("p0, the first holder,"),
};

static const struct disco_property sk_properties[] = {
    MUTEX_PROPERTY_TABLE,
    {"messages_per_entry",
     "exactly n-1 requests and one token per entry made without the token, "
     "none for an entry with the token at home",
     DISCO_PROPERTY_FINAL, check_messages, true},
    {"one_token", "at the end exactly one process holds the token",
     DISCO_PROPERTY_FINAL, check_one_token, true},
};

const struct disco_algorithm disco_alg_suzuki_kasami = {
    .name = "suzuki-kasami",
    .family = "mutex",
    .summary = "mutual exclusion with one token: requests are broadcast, "
               "the token carries who was served and a queue",
    .description =
        "A process without the token broadcasts request(RN[i]) and waits "
        "for the token; every process records the highest request number "
        "RN[j] of each j. The token carries LN[j], the last request of j "
        "that was served, and a queue Q. An idle holder sends the token to "
        "a requester at once; a process leaving the critical section sets "
        "LN[i] = RN[i], appends every j with RN[j] = LN[j] + 1 to Q and "
        "sends the token to the head of Q. Process 0 holds the token "
        "first. The application: each initiator enters `entries` times, "
        "requesting after a random think time (mean `think`, or at "
        "i * stagger the first time) and staying `hold` ticks inside. At "
        "most 511 processes (the token must fit in one message).",
    .messages = "exactly n per entry (n-1 requests, 1 token), 0 when the "
                "token is already at the process",
    .time = "synchronization delay d (one token transfer); a request waits "
            "at most n-1 other entries",
    .source = "I. Suzuki and T. Kasami, A distributed mutual exclusion "
              "algorithm, ACM TOCS 3(4), 1985; Kshemkalyani and Singhal, "
              "Distributed Computing, sec. 9.9",
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "complete:6",
        .initiators = "all",
        .faults = "none",
        .max_nodes = SK_MAX_NODES,
    },
    .params = sk_params,
    .param_count = sizeof sk_params / sizeof sk_params[0],
    .message_kinds = sk_kinds,
    .kind_count = sizeof sk_kinds / sizeof sk_kinds[0],
    .properties = sk_properties,
    .property_count = sizeof sk_properties / sizeof sk_properties[0],
    .state_size = sizeof(struct sk_state),
    .port_state_size = sizeof(struct sk_port),
    .init = sk_init,
    .on_message = sk_on_message,
    .on_timer = sk_on_timer,
    .format_state = sk_format_state,
    .result = sk_result,
};
