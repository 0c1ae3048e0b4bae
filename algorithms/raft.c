/*
 * raft.c - Raft leader election and log replication (Ongaro and
 * Ousterhout, "In search of an understandable consensus algorithm",
 * USENIX ATC 2014, sec. 5 and Figure 2), asynchronous, on a complete
 * graph of processes that crash and recover.
 *
 * Every process is a follower, a candidate or the leader of a term.
 *
 *   Election.  A follower that hears nothing from a leader for its
 *   election timeout, drawn from [timeout, 2 timeout) on its own random
 *   stream at every reset, starts a new term: it votes for itself and
 *   sends request_vote(term, last log index, last log term) to all.  A
 *   process grants at most one vote per term, and only to a candidate
 *   whose log is at least as up to date as its own (a higher last term,
 *   or the same last term and a log at least as long).  Votes from a
 *   majority make the candidate leader.  A message with a higher term
 *   turns anyone into a follower of that term.
 *   Replication.  The leader appends commands to its log and sends
 *   append_entries(term, prev index, prev term, entries, leader commit);
 *   a follower accepts them if its log holds prev index with prev term
 *   (the consistency check), deleting any conflicting suffix, and
 *   answers with the index it now matches.  The leader commits the
 *   highest index that a majority matches and whose entry is of its own
 *   term (sec. 5.4.2), and followers commit up to the leader commit.
 *   Committed entries are applied in index order: every application is a
 *   decision (disco_decide) of the entry's command.
 *
 * The client workload is fixed: the leader appends one command at a
 * time, the next once the previous one is committed, until `commands`
 * entries are committed.  The command of the entry at index i created in
 * term t is 1000 t + i, so every command says where it was born and the
 * oracles can check it.  A new leader whose log ends with entries of
 * older terms appends one entry of its own at once even when the log is
 * already `commands` long: only an entry of its own term can commit them
 * (sec. 5.4.2, the reason practical Raft appends a no-op).  The log is a
 * fixed array of 64 entries; a leader that would need a 65th steps down.
 *
 * State that survives a crash (Figure 2's persistent state): the current
 * term, the vote of that term and the log.  On recovery everything else
 * (role, commit index, applied index, the leader's bookkeeping) restarts
 * from zero, and the process waits for a leader as a follower.
 *
 * So that every run ends (the simulator's sake, not Raft's):
 *   - the leader sends a heartbeat (an append_entries with what the
 *     follower lacks) only to a follower it has sent nothing for
 *     `heartbeat` ticks; without faults and with delays below
 *     heartbeat/2 it never needs one;
 *   - a follower that knows `commands` entries are committed stops its
 *     election timer, and restarts it only when a request_vote shows that
 *     another process is out of touch;
 *   - once `commands` entries are committed, the leader stops when every
 *     follower has acknowledged the final commit index, or after
 *     `retries` unanswered heartbeat rounds (a crashed follower);
 *   - a leader that has not heard from a majority for `timeout` ticks
 *     steps down (the check-quorum of Ongaro's thesis, sec. 6.2);
 *   - each process stands for election at most `elections` times in the
 *     run (the count survives crashes).
 *
 * Without faults, with FIFO channels, delays below heartbeat/2 and one
 * uncontested election: (n-1) request_vote and (n-1) replies, then per
 * command (n-1) append_entries and (n-1) replies, then one more round
 * that carries the final commit index: 2(n-1)(commands+2) in all.
 *
 * Ground truth for the oracles, kept beside the algorithm and never read
 * by it: the terms in which each process became leader; a fingerprint of
 * the log a leader holds (it may only grow); and, per process, the
 * command it first applied at each index and the term it was in then.
 * The properties are Figure 3's five (election safety, leader
 * append-only, log matching, leader completeness, state machine safety)
 * and `durable` (an applied entry is on a majority), all checked after
 * every event, and `liveness` at the end of a run in which no process is
 * down.  `bug` plants a mistake for the oracles to catch: a second vote
 * in a term (1), a commit by half the processes (2), a consistency check
 * that ignores the term (3).  A Byzantine process (the generic strategies
 * flip, random, equivocate, through `lie`) breaks Raft, which tolerates
 * crashes only: see raft_lie.
 */
#include <stdio.h>
#include <string.h>

#include "disco.h"

enum { REQUEST_VOTE, REQUEST_VOTE_REPLY, APPEND_ENTRIES, APPEND_REPLY };
enum { P_COMMANDS, P_TIMEOUT, P_HEARTBEAT, P_ELECTIONS, P_RETRIES, P_BUG };

/* Log capacity (entries); a command is 1000 term + index, so an index
 * stays below 1000. */
#define RAFT_LOG_MAX 64u
/* Terms a process may have led: at most one per candidacy. */
#define RAFT_MAX_ELECTIONS 64u

/* Timers: (generation << 1) | kind.  A timer of an older generation is
 * stale: the kernel cannot cancel timers, so resetting one bumps it. */
enum { T_ELECTION, T_HEARTBEAT };

enum raft_role { FOLLOWER, CANDIDATE, LEADER };

struct raft_entry {
    uint64_t term;
    int64_t command; /* 1000 term + index */
};

/* The leader's view of one follower, and a candidate's vote from it. */
struct raft_peer {
    uint32_t next;           /* next index to send (optimistic) */
    uint32_t match;          /* highest index known replicated there */
    uint32_t acked_commit;   /* commit index it reported */
    bool voted;              /* granted this candidate its vote */
    disco_time_t last_sent;  /* last append_entries sent to it */
    disco_time_t last_heard; /* last reply of the current term */
};

struct raft_state {
    /* persistent (survives a crash) */
    uint64_t term;      /* currentTerm */
    uint32_t voted_for; /* votedFor: out-port + 1, SELF, or 0 for none */
    uint32_t log_len;
    struct raft_entry log[RAFT_LOG_MAX]; /* log[i - 1] is index i */
    uint32_t candidacies; /* elections stood in this run (a budget) */
    /* volatile (reset by a recovery) */
    enum raft_role role;
    uint32_t votes;       /* votes for this candidate, its own included */
    uint32_t leader_port; /* out-port + 1 of this term's leader, 0 unknown */
    uint32_t commit;      /* commitIndex */
    uint32_t applied;     /* lastApplied */
    uint64_t election_gen, heartbeat_gen;
    disco_time_t led_since;
    uint32_t final_rounds; /* heartbeat rounds since the workload was done */
    bool finished;         /* leader: done, no more heartbeats */
    /* ground truth for the oracles (never read by the algorithm) */
    uint32_t led_count;
    uint64_t led[RAFT_MAX_ELECTIONS]; /* terms in which it became leader */
    uint32_t lead_len;    /* log length it must keep as that leader */
    uint64_t lead_hash;   /* fingerprint of log[0 .. lead_len) */
    uint32_t sm_len;      /* indices applied at least once */
    uint32_t sm_conflict; /* an index re-applied with another command */
    int64_t sm_command[RAFT_LOG_MAX]; /* first command applied at i + 1 */
    uint64_t sm_term[RAFT_LOG_MAX];   /* currentTerm when it was applied */
};

#define SELF UINT32_MAX

struct vote_request {
    uint64_t term;
    uint64_t last_term;
    uint32_t last_index;
    uint32_t pad;
};

struct vote_reply {
    uint64_t term;
    uint32_t granted;
    uint32_t pad;
};

struct append_header {
    uint64_t term;
    uint64_t prev_term;
    uint32_t prev_index;
    uint32_t commit; /* leaderCommit */
    uint32_t count;  /* entries that follow */
    uint32_t pad;
};

struct append_reply {
    uint64_t term;
    uint32_t success;
    uint32_t match;  /* success: the index now matched; else its log length */
    uint32_t commit; /* its commit index after the message */
    uint32_t prev;   /* failure: the prev index it could not match */
};

/* ---- helpers ---- */

static int64_t command_of(uint64_t term, uint32_t index)
{
    return (int64_t)(term * 1000u + index);
}

static uint64_t entry_hash(uint64_t h, const struct raft_entry *e)
{
    h ^= e->term * 0x9E3779B97F4A7C15ull + (uint64_t)e->command;
    return h * 0x100000001B3ull + 0x51ED27;
}

static uint64_t log_hash(const struct raft_state *s, uint32_t len)
{
    uint64_t h = 0xCBF29CE484222325ull;
    for (uint32_t i = 0; i < len && i < RAFT_LOG_MAX; i++)
        h = entry_hash(h, &s->log[i]);
    return h;
}

static uint64_t last_term(const struct raft_state *s)
{
    return s->log_len ? s->log[s->log_len - 1].term : 0;
}

static uint64_t term_at(const struct raft_state *s, uint32_t index)
{
    return index ? s->log[index - 1].term : 0;
}

static uint32_t commands(const struct disco_ctx *ctx)
{
    return (uint32_t)disco_param(ctx, P_COMMANDS);
}

static bool majority(const struct disco_ctx *ctx, uint32_t count)
{
    return count > disco_nodes(ctx) / 2;
}

static struct raft_peer *peer(struct disco_ctx *ctx, uint32_t port)
{
    return disco_port_state(ctx, port);
}

static void set_timer(struct disco_ctx *ctx, disco_time_t delay, int kind,
                      uint64_t gen)
{
    disco_set_timer(ctx, delay, gen << 1 | (uint64_t)kind);
}

/* (Re)start the election timeout, drawn afresh. */
static void arm_election(struct disco_ctx *ctx, struct raft_state *s)
{
    uint64_t t = (uint64_t)disco_param(ctx, P_TIMEOUT);
    s->election_gen++;
    set_timer(ctx, t + disco_random_below(ctx, t), T_ELECTION, s->election_gen);
}

static void stop_election(struct raft_state *s)
{
    s->election_gen++;
}

/* A follower that knows the workload is committed stops its timer. */
static void follower_timer(struct disco_ctx *ctx, struct raft_state *s)
{
    if (s->commit >= commands(ctx))
        stop_election(s);
    else
        arm_election(ctx, s);
}

static void become_follower(struct disco_ctx *ctx, struct raft_state *s)
{
    bool was = s->role != FOLLOWER;
    s->role = FOLLOWER;
    s->heartbeat_gen++;
    if (was)
        arm_election(ctx, s);
}

/* A message of a higher term: adopt it, forget the vote, follow. */
static void see_term(struct disco_ctx *ctx, struct raft_state *s, uint64_t term)
{
    if (term <= s->term)
        return;
    s->term = term;
    s->voted_for = 0;
    s->leader_port = 0;
    become_follower(ctx, s);
}

static void apply(struct disco_ctx *ctx, struct raft_state *s)
{
    while (s->applied < s->commit) {
        uint32_t i = s->applied++;
        int64_t c = s->log[i].command;
        if (i < s->sm_len) {
            if (s->sm_command[i] != c && !s->sm_conflict)
                s->sm_conflict = i + 1;
        } else {
            s->sm_command[i] = c;
            s->sm_term[i] = s->term;
            s->sm_len = i + 1;
        }
        disco_decide(ctx, c);
    }
}

/* ---- leader ---- */

static void send_append(struct disco_ctx *ctx, struct raft_state *s,
                        uint32_t port)
{
    struct raft_peer *p = peer(ctx, port);
    unsigned char buf[sizeof(struct append_header) +
                      RAFT_LOG_MAX * sizeof(struct raft_entry)];
    if (p->next < 1)
        p->next = 1;
    if (p->next > s->log_len + 1)
        p->next = s->log_len + 1;
    struct append_header h = {
        .term = s->term,
        .prev_index = p->next - 1,
        .prev_term = term_at(s, p->next - 1),
        .commit = s->commit,
        .count = s->log_len + 1 - p->next,
    };
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, &s->log[p->next - 1],
           h.count * sizeof(struct raft_entry));
    disco_send(ctx, port, APPEND_ENTRIES, buf,
               sizeof h + h.count * sizeof(struct raft_entry));
    /* Optimistic: the next message carries only what follows (with FIFO
     * channels the follower gets them in order); a failure reply or a
     * heartbeat backs up. */
    p->next = s->log_len + 1;
    p->last_sent = disco_now(ctx);
}

static void broadcast_append(struct disco_ctx *ctx, struct raft_state *s)
{
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
        send_append(ctx, s, port);
}

/* Append the next command when the log holds no uncommitted entry of this
 * term and the workload is not committed yet.  False when the log is
 * full. */
static bool maybe_append(struct disco_ctx *ctx, struct raft_state *s,
                         bool *appended)
{
    *appended = false;
    if (s->commit >= commands(ctx))
        return true;
    if (last_term(s) == s->term && s->log_len > s->commit)
        return true;
    if (s->log_len >= RAFT_LOG_MAX)
        return false;
    struct raft_entry *e = &s->log[s->log_len++];
    e->term = s->term;
    e->command = command_of(s->term, s->log_len);
    s->lead_hash = entry_hash(s->lead_hash, e);
    s->lead_len = s->log_len;
    *appended = true;
    return true;
}

static void step_down(struct disco_ctx *ctx, struct raft_state *s)
{
    s->leader_port = 0;
    become_follower(ctx, s);
}

/* Commit what a majority matches (an entry of this term), apply it, and
 * go on with the workload. */
static void leader_progress(struct disco_ctx *ctx, struct raft_state *s)
{
    uint32_t old = s->commit;
    bool minority = disco_param(ctx, P_BUG) == 2;
    for (uint32_t i = s->log_len; i > s->commit; i--) {
        if (s->log[i - 1].term != s->term)
            break;
        uint32_t count = 1;
        for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
            count += peer(ctx, port)->match >= i;
        /* The planted bug: half the processes are taken for a majority,
         * one short (2 of 5, or the leader alone among 3). */
        if (majority(ctx, count) ||
            (minority && count >= disco_nodes(ctx) / 2)) {
            s->commit = i;
            break;
        }
    }
    if (s->commit == old)
        return;
    apply(ctx, s);
    bool appended;
    if (!maybe_append(ctx, s, &appended)) {
        step_down(ctx, s); /* the log is full: give up */
        return;
    }
    if (appended || s->commit >= commands(ctx))
        broadcast_append(ctx, s);
    /* Nobody will answer to drive the next commit: alone (n = 1), or
     * committing without waiting (the planted bug). */
    if (appended && (minority || disco_out_degree(ctx) == 0))
        leader_progress(ctx, s);
}

static void become_leader(struct disco_ctx *ctx, struct raft_state *s)
{
    s->role = LEADER;
    s->leader_port = SELF;
    s->led_since = disco_now(ctx);
    s->final_rounds = 0;
    s->finished = false;
    stop_election(s);
    if (s->led_count < RAFT_MAX_ELECTIONS)
        s->led[s->led_count] = s->term;
    s->led_count++;
    s->lead_len = s->log_len;
    s->lead_hash = log_hash(s, s->log_len);
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++) {
        struct raft_peer *p = peer(ctx, port);
        p->next = s->log_len + 1;
        p->match = 0;
        p->acked_commit = 0;
        p->last_heard = disco_now(ctx);
    }
    bool appended;
    if (!maybe_append(ctx, s, &appended)) {
        step_down(ctx, s);
        return;
    }
    /* The first append_entries (with the new entry, if any) tells everyone
     * who leads. */
    broadcast_append(ctx, s);
    s->heartbeat_gen++;
    set_timer(ctx, (uint64_t)disco_param(ctx, P_HEARTBEAT), T_HEARTBEAT,
              s->heartbeat_gen);
    if (disco_param(ctx, P_BUG) == 2 || disco_out_degree(ctx) == 0)
        leader_progress(ctx, s);
}

static void on_heartbeat(struct disco_ctx *ctx, struct raft_state *s)
{
    disco_time_t now = disco_now(ctx);
    uint64_t hb = (uint64_t)disco_param(ctx, P_HEARTBEAT);
    uint64_t timeout = (uint64_t)disco_param(ctx, P_TIMEOUT);
    uint32_t degree = disco_out_degree(ctx);
    if (s->commit >= commands(ctx)) {
        /* The workload is committed: only followers that have not
         * acknowledged the final commit need to hear more. */
        bool pending = false;
        for (uint32_t port = 0; port < degree; port++) {
            struct raft_peer *p = peer(ctx, port);
            if (p->acked_commit < s->commit || p->match < s->log_len)
                pending = true;
        }
        if (!pending || s->final_rounds >= disco_param(ctx, P_RETRIES)) {
            s->finished = true;
            return; /* no new heartbeat timer: the leader falls silent */
        }
        bool sent = false;
        for (uint32_t port = 0; port < degree; port++) {
            struct raft_peer *p = peer(ctx, port);
            if ((p->acked_commit < s->commit || p->match < s->log_len) &&
                now - p->last_sent >= hb) {
                p->next = p->match + 1;
                send_append(ctx, s, port);
                sent = true;
            }
        }
        s->final_rounds += sent;
    } else {
        /* Check quorum: a leader cut off from a majority steps down. */
        uint32_t heard = 1;
        for (uint32_t port = 0; port < degree; port++)
            heard += now - peer(ctx, port)->last_heard < timeout;
        if (!majority(ctx, heard) && now - s->led_since >= timeout) {
            step_down(ctx, s);
            return;
        }
        for (uint32_t port = 0; port < degree; port++) {
            struct raft_peer *p = peer(ctx, port);
            if (now - p->last_sent >= hb) {
                p->next = p->match + 1; /* resend what is unacknowledged */
                send_append(ctx, s, port);
            }
        }
    }
    set_timer(ctx, hb, T_HEARTBEAT, s->heartbeat_gen);
}

static void on_append_reply(struct disco_ctx *ctx, struct raft_state *s,
                            uint32_t port, const struct append_reply *r)
{
    see_term(ctx, s, r->term);
    if (s->role != LEADER || r->term != s->term)
        return;
    struct raft_peer *p = peer(ctx, port);
    p->last_heard = disco_now(ctx);
    if (r->commit > p->acked_commit)
        p->acked_commit = r->commit;
    if (r->success) {
        if (r->match > p->match)
            p->match = r->match;
        if (p->next < p->match + 1)
            p->next = p->match + 1;
        leader_progress(ctx, s);
        return;
    }
    /* The consistency check failed at r->prev: back up below it (and to
     * the follower's log length), and resend.  Counted from the rejected
     * message, not from `next`, which optimistic sends have moved on. */
    uint32_t next = r->prev > 1 ? r->prev : 1;
    if (r->match + 1 < next)
        next = r->match + 1;
    if (next < p->match + 1)
        next = p->match + 1;
    /* Nothing below to try (a stale failure, or a lie about index 0,
     * which always matches): leave it to the next heartbeat rather than
     * answer a liar forever. */
    if (next > r->prev)
        return;
    p->next = next;
    send_append(ctx, s, port);
}

/* ---- candidate ---- */

static void start_election(struct disco_ctx *ctx, struct raft_state *s)
{
    if (s->candidacies >= (uint64_t)disco_param(ctx, P_ELECTIONS)) {
        s->role = FOLLOWER; /* budget used up: wait silently */
        return;
    }
    s->candidacies++;
    s->term++;
    s->role = CANDIDATE;
    s->voted_for = SELF;
    s->votes = 1;
    s->leader_port = 0;
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
        peer(ctx, port)->voted = false;
    arm_election(ctx, s);
    struct vote_request m = {s->term, last_term(s), s->log_len, 0};
    disco_send_all(ctx, REQUEST_VOTE, &m, sizeof m);
    if (majority(ctx, s->votes))
        become_leader(ctx, s);
}

static void on_request_vote(struct disco_ctx *ctx, struct raft_state *s,
                            uint32_t port, const struct vote_request *m)
{
    see_term(ctx, s, m->term);
    bool up_to_date =
        m->last_term > last_term(s) ||
        (m->last_term == last_term(s) && m->last_index >= s->log_len);
    /* The planted bug: forget whom it voted for in this term. */
    bool free_vote = s->voted_for == 0 || s->voted_for == port + 1 ||
                     (disco_param(ctx, P_BUG) == 1 && s->role == FOLLOWER);
    bool grant = m->term == s->term && free_vote && up_to_date;
    if (grant)
        s->voted_for = port + 1;
    struct vote_reply r = {s->term, grant, 0};
    disco_send(ctx, port, REQUEST_VOTE_REPLY, &r, sizeof r);
    /* Granting resets the timeout (Figure 2); a process that had stopped
     * its timer learns that somebody is out of touch, and watches again. */
    if (s->role == FOLLOWER && (grant || s->commit >= commands(ctx)))
        arm_election(ctx, s);
}

static void on_vote(struct disco_ctx *ctx, struct raft_state *s, uint32_t port,
                    const struct vote_reply *r)
{
    see_term(ctx, s, r->term);
    if (s->role != CANDIDATE || r->term != s->term || !r->granted)
        return;
    struct raft_peer *p = peer(ctx, port);
    if (p->voted)
        return; /* a duplicate */
    p->voted = true;
    s->votes++;
    if (majority(ctx, s->votes))
        become_leader(ctx, s);
}

/* ---- follower ---- */

static void on_append(struct disco_ctx *ctx, struct raft_state *s,
                      uint32_t port, const void *payload)
{
    struct append_header h;
    memcpy(&h, payload, sizeof h);
    see_term(ctx, s, h.term);
    struct append_reply r = {s->term, 0, s->log_len, s->commit, h.prev_index};
    if (h.term < s->term) {
        disco_send(ctx, port, APPEND_REPLY, &r, sizeof r);
        return;
    }
    /* The leader of this term: a candidate gives up. */
    if (s->role != FOLLOWER)
        become_follower(ctx, s);
    s->leader_port = port + 1;
    /* The planted bug 3: the consistency check forgets the term. */
    if (h.prev_index > s->log_len || (term_at(s, h.prev_index) != h.prev_term &&
                                      disco_param(ctx, P_BUG) != 3)) {
        follower_timer(ctx, s);
        disco_send(ctx, port, APPEND_REPLY, &r, sizeof r);
        return;
    }
    const unsigned char *entries = (const unsigned char *)payload + sizeof h;
    uint32_t index = h.prev_index;
    for (uint32_t k = 0; k < h.count && index < RAFT_LOG_MAX; k++) {
        struct raft_entry e;
        memcpy(&e, entries + k * sizeof e, sizeof e);
        index++;
        if (index <= s->log_len && s->log[index - 1].term != e.term)
            s->log_len = index - 1; /* a conflict: drop the suffix */
        if (index > s->log_len) {
            s->log[index - 1] = e;
            s->log_len = index;
        }
    }
    if (h.commit > s->commit) {
        uint32_t c = h.commit < index ? h.commit : index;
        if (c > s->commit)
            s->commit = c;
    }
    apply(ctx, s);
    follower_timer(ctx, s);
    r.success = 1;
    r.match = index;
    r.commit = s->commit;
    disco_send(ctx, port, APPEND_REPLY, &r, sizeof r);
}

/* ---- callbacks ---- */

static void raft_init(struct disco_ctx *ctx, void *state)
{
    struct raft_state *s = state;
    s->role = FOLLOWER;
    arm_election(ctx, s);
}

static void raft_on_message(struct disco_ctx *ctx, void *state, uint32_t port,
                            unsigned kind, const void *payload, size_t len)
{
    struct raft_state *s = state;
    switch (kind) {
    case REQUEST_VOTE: {
        struct vote_request m;
        if (len < sizeof m)
            return;
        memcpy(&m, payload, sizeof m);
        on_request_vote(ctx, s, port, &m);
        break;
    }
    case REQUEST_VOTE_REPLY: {
        struct vote_reply r;
        if (len < sizeof r)
            return;
        memcpy(&r, payload, sizeof r);
        on_vote(ctx, s, port, &r);
        break;
    }
    case APPEND_ENTRIES: {
        struct append_header h;
        if (len < sizeof h)
            return;
        memcpy(&h, payload, sizeof h);
        if (h.count > RAFT_LOG_MAX ||
            len < sizeof h + h.count * sizeof(struct raft_entry))
            return;
        on_append(ctx, s, port, payload);
        break;
    }
    case APPEND_REPLY: {
        struct append_reply r;
        if (len < sizeof r)
            return;
        memcpy(&r, payload, sizeof r);
        on_append_reply(ctx, s, port, &r);
        break;
    }
    }
}

static void raft_on_timer(struct disco_ctx *ctx, void *state, uint64_t tag)
{
    struct raft_state *s = state;
    uint64_t gen = tag >> 1;
    if ((tag & 1) == T_ELECTION) {
        if (gen == s->election_gen && s->role != LEADER)
            start_election(ctx, s);
    } else if (gen == s->heartbeat_gen && s->role == LEADER) {
        on_heartbeat(ctx, s);
    }
}

/* Figure 2: currentTerm, votedFor and log are on stable storage; the rest
 * starts afresh. */
static void raft_on_recover(struct disco_ctx *ctx, void *state)
{
    struct raft_state *s = state;
    s->role = FOLLOWER;
    s->votes = 0;
    s->leader_port = 0;
    s->commit = 0;
    s->applied = 0;
    s->final_rounds = 0;
    s->finished = false;
    s->heartbeat_gen++;
    for (uint32_t port = 0; port < disco_out_degree(ctx); port++)
        memset(peer(ctx, port), 0, sizeof(struct raft_peer));
    arm_election(ctx, s);
}

/* A Byzantine process (--byzantine, strategies flip and random): Raft
 * tolerates crashes, not lies.  The flipped messages: a request_vote that
 * claims the most up-to-date log possible, a vote reply that says the
 * opposite, an append_entries that claims everything it carries is
 * committed, an append reply that says the opposite (and, as a success,
 * claims its whole log matches). */
static bool raft_lie(struct disco_ctx *ctx, enum disco_lie how, uint32_t port,
                     unsigned kind, void *payload, size_t len)
{
    bool flip = how == DISCO_LIE_FLIP;
    switch (kind) {
    case REQUEST_VOTE: {
        struct vote_request m;
        if (len < sizeof m)
            return false;
        memcpy(&m, payload, sizeof m);
        m.last_term = flip ? m.term : disco_random_below(ctx, m.term + 1);
        m.last_index =
            flip ? RAFT_LOG_MAX
                 : (uint32_t)disco_random_below(ctx, RAFT_LOG_MAX + 1);
        memcpy(payload, &m, sizeof m);
        return true;
    }
    case REQUEST_VOTE_REPLY: {
        struct vote_reply r;
        if (len < sizeof r)
            return false;
        memcpy(&r, payload, sizeof r);
        r.granted = flip ? !r.granted : (uint32_t)(disco_random(ctx) & 1);
        memcpy(payload, &r, sizeof r);
        return true;
    }
    case APPEND_ENTRIES: {
        struct append_header h;
        if (len < sizeof h)
            return false;
        memcpy(&h, payload, sizeof h);
        uint32_t end = h.prev_index + h.count;
        h.commit = flip ? end : (uint32_t)disco_random_below(ctx, end + 1);
        memcpy(payload, &h, sizeof h);
        return true;
    }
    case APPEND_REPLY: {
        struct append_reply r;
        if (len < sizeof r)
            return false;
        memcpy(&r, payload, sizeof r);
        r.success = flip ? !r.success : (uint32_t)(disco_random(ctx) & 1);
        memcpy(payload, &r, sizeof r);
        return true;
    }
    }
    return false;
}

static const char *const role_names[] = {"follower", "candidate", "leader"};

static void raft_format_state(const void *state, char *buf, size_t len)
{
    const struct raft_state *s = state;
    snprintf(buf, len, "%s term=%llu log=%u commit=%u%s", role_names[s->role],
             (unsigned long long)s->term, s->log_len, s->commit,
             s->role == LEADER && s->finished ? " (silent)" : "");
}

static bool raft_is_leader(const void *state)
{
    const struct raft_state *s = state;
    return s->role == LEADER;
}

/* ---- oracles ---- */

static const struct raft_state *st(const struct disco_view *view, uint32_t v)
{
    return disco_view_state(view, v);
}

static bool check_election_safety(const struct disco_view *view, char *detail,
                                  size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (uint32_t u = 0; u < n; u++) {
        const struct raft_state *a = st(view, u);
        for (uint32_t i = 0; i < a->led_count && i < RAFT_MAX_ELECTIONS; i++)
            for (uint32_t v = u + 1; v < n; v++) {
                const struct raft_state *b = st(view, v);
                for (uint32_t j = 0; j < b->led_count && j < RAFT_MAX_ELECTIONS;
                     j++)
                    if (a->led[i] == b->led[j]) {
                        snprintf(detail, len,
                                 "node %u and node %u both led "
                                 "term %llu",
                                 u, v, (unsigned long long)a->led[i]);
                        return false;
                    }
            }
    }
    snprintf(detail, len, "at most one leader per term");
    return true;
}

static bool check_append_only(const struct disco_view *view, char *detail,
                              size_t len)
{
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct raft_state *s = st(view, v);
        if (s->role != LEADER)
            continue;
        if (s->log_len < s->lead_len ||
            log_hash(s, s->lead_len) != s->lead_hash) {
            snprintf(detail, len,
                     "leader node %u of term %llu changed or "
                     "dropped an entry of its log",
                     v, (unsigned long long)s->term);
            return false;
        }
    }
    snprintf(detail, len, "leaders only append to their logs");
    return true;
}

/* Every entry is well formed (its command says where it was born, terms
 * never fall along a log), and two logs with an entry of the same index
 * and term are identical up to it. */
static bool check_log_matching(const struct disco_view *view, char *detail,
                               size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (uint32_t v = 0; v < n; v++) {
        const struct raft_state *s = st(view, v);
        for (uint32_t i = 0; i < s->log_len; i++) {
            const struct raft_entry *e = &s->log[i];
            if (e->command != command_of(e->term, i + 1) || e->term > s->term ||
                (i && e->term < s->log[i - 1].term)) {
                snprintf(detail, len,
                         "node %u: entry %u (term %llu, "
                         "command %lld) is not well formed",
                         v, i + 1, (unsigned long long)e->term,
                         (long long)e->command);
                return false;
            }
        }
    }
    for (uint32_t u = 0; u < n; u++) {
        const struct raft_state *a = st(view, u);
        for (uint32_t v = u + 1; v < n; v++) {
            const struct raft_state *b = st(view, v);
            uint32_t i = a->log_len < b->log_len ? a->log_len : b->log_len;
            while (i > 0 && a->log[i - 1].term != b->log[i - 1].term)
                i--;
            for (uint32_t j = 0; j < i; j++)
                if (a->log[j].term != b->log[j].term ||
                    a->log[j].command != b->log[j].command) {
                    snprintf(detail, len,
                             "nodes %u and %u agree on entry "
                             "%u but differ at %u",
                             u, v, i, j + 1);
                    return false;
                }
        }
    }
    snprintf(detail, len, "logs that share an entry share the prefix");
    return true;
}

/* An applied entry was committed by the time the process applying it was
 * in term T: every leader of a later term holds it. */
static bool check_leader_completeness(const struct disco_view *view,
                                      char *detail, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (uint32_t x = 0; x < n; x++) {
        const struct raft_state *a = st(view, x);
        for (uint32_t i = 0; i < a->sm_len; i++)
            for (uint32_t v = 0; v < n; v++) {
                const struct raft_state *s = st(view, v);
                if (s->role != LEADER || s->term <= a->sm_term[i] ||
                    (s->log_len > i && s->log[i].command == a->sm_command[i]))
                    continue;
                snprintf(detail, len,
                         "entry %u (command %lld, applied by "
                         "node %u in term %llu) is missing from node %u, "
                         "leader of term %llu",
                         i + 1, (long long)a->sm_command[i], x,
                         (unsigned long long)a->sm_term[i], v,
                         (unsigned long long)s->term);
                return false;
            }
    }
    snprintf(detail, len,
             "committed entries are in every later leader's "
             "log");
    return true;
}

/* Committed means stored on a majority, and nothing may remove it from
 * there (crashed processes keep their logs). */
static bool check_durable(const struct disco_view *view, char *detail,
                          size_t len)
{
    uint32_t n = disco_view_nodes(view);
    for (uint32_t x = 0; x < n; x++) {
        const struct raft_state *a = st(view, x);
        for (uint32_t i = 0; i < a->sm_len; i++) {
            uint32_t holders = 0;
            for (uint32_t v = 0; v < n; v++) {
                const struct raft_state *s = st(view, v);
                holders +=
                    s->log_len > i && s->log[i].command == a->sm_command[i];
            }
            if (holders <= n / 2) {
                snprintf(detail, len,
                         "entry %u (command %lld), applied by "
                         "node %u, is in only %u logs of %u",
                         i + 1, (long long)a->sm_command[i], x, holders, n);
                return false;
            }
        }
    }
    snprintf(detail, len, "every applied entry is on a majority");
    return true;
}

static bool check_state_machine_safety(const struct disco_view *view,
                                       char *detail, size_t len)
{
    int64_t at[RAFT_LOG_MAX + 1] = {0};
    size_t count = disco_view_decision_count(view);
    for (size_t k = 0; k < count; k++) {
        const struct disco_decision *d = disco_view_decision(view, k);
        int64_t index = d->value % 1000;
        if (index < 1 || index > (int64_t)RAFT_LOG_MAX) {
            snprintf(detail, len, "node %u applied %lld, no command", d->node,
                     (long long)d->value);
            return false;
        }
        if (at[index] && at[index] != d->value) {
            snprintf(detail, len,
                     "node %u applied %lld at index %lld where "
                     "%lld was applied",
                     d->node, (long long)d->value, (long long)index,
                     (long long)at[index]);
            return false;
        }
        at[index] = d->value;
    }
    for (uint32_t v = 0; v < disco_view_nodes(view); v++)
        if (st(view, v)->sm_conflict) {
            snprintf(detail, len,
                     "node %u re-applied another command at "
                     "index %u",
                     v, st(view, v)->sm_conflict);
            return false;
        }
    snprintf(detail, len, "%zu applications, one command per index", count);
    return true;
}

/* Liveness, where it can be asked for: with every process up at the end,
 * the workload is committed and applied everywhere. */
static bool check_liveness(const struct disco_view *view, char *detail,
                           size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint32_t k = (uint32_t)disco_view_param(view, P_COMMANDS);
    for (uint32_t v = 0; v < n; v++)
        if (disco_view_crashed(view, v)) {
            snprintf(detail, len, "not judged: node %u is down at the end", v);
            return true;
        }
    for (uint32_t v = 0; v < n; v++) {
        const struct raft_state *s = st(view, v);
        if (s->applied < k) {
            snprintf(detail, len, "node %u applied %u of the %u commands", v,
                     s->applied, k);
            return false;
        }
    }
    snprintf(detail, len, "all %u processes applied the %u commands", n, k);
    return true;
}

static uint32_t leader_node(const struct disco_view *view)
{
    uint32_t best = DISCO_NO_PORT;
    for (uint32_t v = 0; v < disco_view_nodes(view); v++) {
        const struct raft_state *s = st(view, v);
        if (s->role == LEADER && !disco_view_crashed(view, v) &&
            (best == DISCO_NO_PORT || s->term > st(view, best)->term))
            best = v;
    }
    return best;
}

static void raft_result(const struct disco_view *view, char *buf, size_t len)
{
    uint32_t n = disco_view_nodes(view);
    uint64_t term = 0;
    uint32_t committed = 0, from = 0;
    for (uint32_t v = 0; v < n; v++) {
        const struct raft_state *s = st(view, v);
        if (s->term > term)
            term = s->term;
        if (s->commit > committed) {
            committed = s->commit;
            from = v;
        }
    }
    uint32_t leader = leader_node(view);
    int used;
    if (leader == DISCO_NO_PORT)
        used = snprintf(buf, len, "\"leader\": null, ");
    else
        used = snprintf(buf, len, "\"leader\": %lld, ",
                        (long long)disco_view_id(view, leader));
    if (used < 0 || (size_t)used >= len)
        return;
    used += snprintf(buf + used, len - (size_t)used,
                     "\"term\": %llu, \"committed\": %u, \"log\": [",
                     (unsigned long long)term, committed);
    const struct raft_state *s = st(view, from);
    for (uint32_t i = 0; i < committed && (size_t)used < len; i++)
        used += snprintf(buf + used, len - (size_t)used, "%s%lld",
                         i ? ", " : "", (long long)s->log[i].command);
    if ((size_t)used < len)
        snprintf(buf + used, len - (size_t)used, "]");
}

static const char *const raft_kinds[] = {"request_vote", "request_vote_reply",
                                         "append_entries",
                                         "append_entries_reply"};

static const struct disco_param raft_params[] = {
    {"commands", 5, 1, 32,
     "the client workload: the leader appends commands until this many "
     "entries are committed"},
    {"timeout", 1500, 2, 1000000000,
     "election timeout: drawn from [timeout, 2 timeout) at every reset"},
    {"heartbeat", 500, 1, 1000000000,
     "a leader sends a heartbeat to a follower it has sent nothing for "
     "this long"},
    {"elections", 32, 1, RAFT_MAX_ELECTIONS,
     "elections each process stands for at most (so that every run ends)"},
    {"retries", 5, 0, 1000,
     "heartbeat rounds a leader spends on followers that have not "
     "acknowledged the final commit (a crashed one never will)"},
    {"bug", 0, 0, 3,
     "plant a bug to watch the oracles fail: 1 = a follower votes again "
     "in a term, 2 = a leader takes half the processes (2 of 5) for a "
     "majority, 3 = a follower's consistency check ignores the term"},
};

static const struct disco_property raft_properties[] = {
    {"election_safety", "at most one leader is elected in a term",
     DISCO_PROPERTY_INVARIANT, check_election_safety, false},
    {"leader_append_only",
     "a leader never overwrites or deletes entries in its log",
     DISCO_PROPERTY_INVARIANT, check_append_only, false},
    {"log_matching",
     "two logs with an entry of the same index and term are identical up "
     "to that index (and every entry is well formed)",
     DISCO_PROPERTY_INVARIANT, check_log_matching, false},
    {"leader_completeness",
     "an entry committed in a term is in the logs of the leaders of all "
     "later terms",
     DISCO_PROPERTY_INVARIANT, check_leader_completeness, false},
    {"state_machine_safety",
     "no two processes apply different commands at the same index",
     DISCO_PROPERTY_INVARIANT, check_state_machine_safety, false},
    {"durable",
     "every applied (so committed) entry is in the logs of a majority",
     DISCO_PROPERTY_INVARIANT, check_durable, false},
    {"liveness",
     "when no process is down at the end, every process has applied the "
     "`commands` commands (needs a majority up and connected long enough "
     "before the budgets run out)",
     DISCO_PROPERTY_FINAL, check_liveness, true},
};

const struct disco_algorithm disco_alg_raft = {
    .name = "raft",
    .family = "consensus",
    .summary = "Raft: leader election and log replication under crashes, "
               "recoveries and partitions",
    .description =
        "Complete graph. Followers that hear no leader for a random "
        "election timeout in [timeout, 2 timeout) start a term and ask for "
        "votes (request_vote); one vote per term, only for a log at least "
        "as up to date; a majority makes a leader. The leader appends the "
        "client's commands (command = 1000 term + index, `commands` of "
        "them, one at a time) and replicates them with append_entries, "
        "whose consistency check repairs follower logs; an entry of the "
        "leader's term stored on a majority is committed, and committed "
        "entries are applied in order (each application is a decision). "
        "currentTerm, votedFor and the log survive crashes; the rest "
        "restarts. So that runs end, followers stop their timers once the "
        "workload is committed, the leader stops when all acknowledged the "
        "final commit (or after `retries` rounds), a leader cut off from a "
        "majority steps down, and each process stands at most `elections` "
        "times. The five properties of the paper's Figure 3 are checked "
        "after every event; `bug` plants a double vote, a minority "
        "commit or a careless consistency check; a Byzantine process "
        "(flip, random) breaks safety.",
    .messages = "no fault, FIFO, one uncontested election, delays below "
                "heartbeat/2: 2(n-1) for the election + 2(n-1) per command "
                "+ 2(n-1) for the final commit = 2(n-1)(commands+2); each "
                "further election 2(n-1)",
    .time = "an election within 2 timeout + 2d; then one round trip "
            "(2d) per command, d the largest delay",
    .source = "D. Ongaro and J. Ousterhout, In search of an understandable "
              "consensus algorithm, USENIX ATC 2014 (sec. 5, Figures 2 and "
              "3); D. Ongaro, Consensus: bridging theory and practice, PhD "
              "thesis, Stanford 2014 (sec. 6.2, check quorum)",
    .message_bound = NULL, /* elections are unbounded but for the budget */
    // clang-format off
    .model = {
        .shape = DISCO_SHAPE_COMPLETE,
        .undirected = true,
        .connected = true,
        .timing = DISCO_ASYNC,
        .topology = "complete:5",
        .initiators = "all",
        .faults = "crashes and recoveries, partitions, loss and "
                  "duplication: always safe; live while a majority is up "
                  "and connected long enough; not Byzantine processes "
                  "(--strategy flip breaks it)",
    },
    // clang-format on
    .params = raft_params,
    .param_count = sizeof raft_params / sizeof raft_params[0],
    .message_kinds = raft_kinds,
    .kind_count = sizeof raft_kinds / sizeof raft_kinds[0],
    .properties = raft_properties,
    .property_count = sizeof raft_properties / sizeof raft_properties[0],
    .state_size = sizeof(struct raft_state),
    .port_state_size = sizeof(struct raft_peer),
    .init = raft_init,
    .on_message = raft_on_message,
    .on_timer = raft_on_timer,
    .on_recover = raft_on_recover,
    .format_state = raft_format_state,
    .result = raft_result,
    .is_leader = raft_is_leader,
    .lie = raft_lie,
};
