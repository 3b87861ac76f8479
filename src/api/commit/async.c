/*
 * A client's commit of one table or view (commit/commit.h,
 * ice_commit_serve): its file goes to the write pool
 * (storage/write_pool.h; on S3 as an object PUT, storage/obj_job.h) and
 * the request waits (pgl_req_pend) while the worker serves others.  The
 * pool's done() sets the commit aside; once the reap is over, the
 * commits it finished swap together, in one store transaction (group
 * commit, commit_loop_written_all), and each loop carries on from there;
 * a base the loop asked the object store for brings it back to the
 * attempt's start (resumed); every other step is the one loop's.
 *
 * Kept whole, over 600 lines: a table's slot (its queue, its claim
 * among the workers, its chain of commits computed on each other) and
 * the group swap move the same commits through one set of invariants
 * (what is running, which commit a chained one waits for, what may be
 * answered when); split, each half would call back into the other.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/commit/commit.h"
#include "api/commit/log_sync.h"
#include "api/commit/run.h"
#include "api/gate.h"
#include "api/read/read.h"
#include "api/request/fetch.h"
#include "api/storage/storage.h"
#include "api/target.h"
#include "app/app.h"
#include "http/dispatch.h"
#include "metrics/metrics.h"
#include "storage/obj_job.h"
#include "storage/objio.h"
#include "storage/write_pool.h"
#include "util/claim.h"
#include "util/hash.h"

/*
 * A worker's commits of one table go through the table's slot: started
 * one by one, each on the last one's result while
 * that one's file is out (the chain, below), the others queued.  Run
 * side by side on the same base, all but one would lose the swap and
 * write again.
 *
 * Across workers the same holds: a slot is also claimed among the
 * workers (util/claim.h), so only one of them commits to a table at a
 * time.  Two workers on one hot table lost every other race (a file
 * written and thrown away per commit, twice the CPU); with the claim the
 * other worker's commits of that table wait in its slot's queue.  The
 * holder hands the claim over when the other wants it, after at most
 * CLAIM_TURN commits, so neither worker's clients starve.  A hand-over
 * costs the holder's chain: it starts nothing more until every commit it
 * started has landed (3-5 ms on local disk), and the taker starts from
 * the store's row; at 8 commits a turn, one hot table spent about half
 * its time handing over (measured: 831-867 commits/s at 8, 989-1,071 at
 * 32, on 64 connections to one table over two workers, SQLite; the
 * other worker's clients then wait about 30 ms at most).  The swap's
 * compare-and-set stays what makes commits correct: a claim taken over
 * (a stuck holder, CLAIM_STALE_MS) costs a lost race, nothing else.
 */
struct commit_async {
	struct commit_loop	 l;	/* l.owner: this */
	struct ice_change	 c;
	int			 config;
	int			 pended;	/* pgl_req_pend called */
	struct pgl_wjob		 job;		/* local disk */
	struct pgl_objjob	*obj;		/* or S3 */
	struct commit_slot	*slot;
	struct commit_async	*next;		/* in the slot's queue */
	struct commit_async	*ready_next;	/* written, to swap */
	int			 in_ready;
	/* The attempt's file is with the pool: a chain may start on it. */
	int			 submitted;
	/*
	 * The chain (below): pred, the commit whose unlanded result this
	 * one's first attempt was computed on (chain_loc, that file), and
	 * succ, the one computed on this one's.
	 */
	struct commit_async	*pred, *succ;
	char			*chain_loc;
	int			 parked;	/* written before pred was */
	int			 held;		/* ended before pred landed */
	enum loop_end		 held_end;
	int			 lost;		/* pred ended, not landed */
};

/*
 * The buckets of the worker's slots, found by the table's whole name:
 * a table never waits behind another whose name hashes alike (tenant
 * A's commits stalled on its object store held tenant B's commits to a
 * table in the same slot when a slot was a hash's).  COMMIT_CLAIMS: the
 * claims the workers share, where names that hash alike go on unclaimed.
 */
#ifndef COMMIT_SLOTS
#define COMMIT_SLOTS	1024
#endif
#ifndef COMMIT_CLAIMS
#define COMMIT_CLAIMS	1024
#endif
#define CLAIM_TURN	32
#define CLAIM_STALE_MS	2000

/*
 * A chain: while a table's commit has its file with the pool, the next
 * queued commit of the table starts at once, computed on that commit's
 * result instead of waiting for it to land (one hot table otherwise
 * had one commit in flight at a time, and its rate was one file write,
 * one swap and two thread hand-offs per commit).  Its swap expects the
 * file before it, so it lands after that one or not at all, and a
 * written file waits in `parked' until its predecessor's is ready to
 * swap (the two then swap in order, usually in one transaction).  A
 * chained commit that ends before its predecessor landed (refused on a
 * state that may never exist, or unchanged on it) is held, and
 * answered only once that one landed; if it did not, the answer is
 * taken back and the commit runs again from the store's row.
 *
 * At most CHAIN_MAX under way: a commit is in the chain from its start
 * until it lands (about 4 ms on local disk, most of it the file's
 * write), and with chained commits computed where they start, a hot
 * table's chain was full more than half the time at 8 (16: 6-38 % more
 * commits a second, alternated, docs/benchmarks.md).  With a group's
 * COMMIT in flight while the next commits compute (store ABI 1.25), 16
 * was the limit again on PostgreSQL (32: 15-25 % more).  A group's
 * commits may be chained on while its COMMIT flies, and at 32 a flying
 * group of 29 left room for 3: the others queued until it landed, and
 * then computed back to back on the loop, 10-15 ms before the next
 * group could go (64: 15-30 % more on PostgreSQL's hot table).
 */
#define CHAIN_MAX	64

/*
 * A table's (or view's) slot: made at its first commit here, freed once
 * it is idle (no commit queued, under way or waiting for its claim), at
 * the next commit's arrival (reap_idle): every caller of slot_next may
 * still hold it then.
 */
struct commit_slot {
	char			*key;		/* the table's whole name */
	uint64_t		 claim_key;	/* its claim (util/claim.h) */
	struct commit_slot	*hash_next;	/* in its bucket */
	struct commit_slot	*idle_next;	/* in the idle list */
	int			 idle;
	int			 busy;
	int			 blocked;	/* in the list below */
	int			 waiting;	/* for another worker's claim */
	unsigned		 turn;		/* commits since the claim */
	unsigned		 running;	/* started, not ended */
	struct commit_async	*tip;		/* the last started, running */
	struct commit_async	*head, **tail;
	struct commit_slot	*blocked_next;
};

static struct commit_slot	*buckets[COMMIT_SLOTS];
static struct commit_slot	*idle_slots;
static struct commit_slot	*blocked;	/* slots waiting to claim */
static struct pgl_claims	*claims;	/* NULL: one worker */
static uint32_t			 claim_me;

/*
 * Commits whose files the pool finished in this reap: their swaps wait
 * for the reap's last done() and then share one store transaction
 * (ice_commit_swap_ready, commit_loop_written_all).
 */
static struct commit_async	*ready;
static struct commit_async	**ready_tail = &ready;
static unsigned			 open_commits;	/* served, not yet freed */

void
commit_open_add(int delta)
{
	open_commits += delta;
}

int
ice_commits_open(void)
{
	return (open_commits > 0);
}

int
ice_commit_claims_init(void)
{
	return ((claims = pgl_claims_new(COMMIT_CLAIMS, CLAIM_STALE_MS)) ==
	    NULL ? -1 : 0);
}

void
ice_commit_claims_worker(unsigned id)
{
	claim_me = id + 1;
	if (claims != NULL)
		pgl_claims_forget(claims, claim_me);
}

/*
 * The table's whole name: tenant, catalog, branch, namespace, name and
 * kind, each ended by a byte no UTF-8 name holds (0xfe for a part that
 * is NULL); NULL when out of memory.
 */
static char *
slot_key(const struct pgl_req *r, const struct ice_change *c)
{
	const char	*parts[] = { r->tenant, c->t.catalog.name, c->t.branch,
	    c->t.ns, c->t.name, c->kind->noun };
	size_t		 n = sizeof(parts) / sizeof(parts[0]), i, len = 1;
	char		*key, *p;

	for (i = 0; i < n; i++)
		len += (parts[i] != NULL ? strlen(parts[i]) : 1) + 1;
	if ((key = p = malloc(len)) == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		if (parts[i] == NULL)
			*p++ = '\xfe';
		else
			p = stpcpy(p, parts[i]);
		*p++ = '\xff';
	}
	*p = '\0';
	return (key);
}

/* The claim's key of a slot's name: seeded, so no caller can choose a
 * name whose claim shares another's slot (util/claim.h). */
static uint64_t
claim_key_of(const char *key)
{
	const char	*parts[] = { key };

	if (claims != NULL)
		return (pgl_claims_key(claims, parts, 1));
	return (pgl_fnv1a_str(PGL_FNV_BASIS, key));
}

/* The slot of c's table, made if it has none: NULL out of memory. */
static struct commit_slot *
slot_of(const struct pgl_req *r, const struct ice_change *c)
{
	struct commit_slot	*slot;
	char			*key;
	uint64_t		 h;

	if ((key = slot_key(r, c)) == NULL)
		return (NULL);
	h = claim_key_of(key);
	for (slot = buckets[h % COMMIT_SLOTS]; slot != NULL;
	    slot = slot->hash_next) {
		if (slot->claim_key == h && strcmp(slot->key, key) == 0) {
			free(key);
			return (slot);
		}
	}
	if ((slot = calloc(1, sizeof(*slot))) == NULL) {
		free(key);
		return (NULL);
	}
	slot->key = key;
	slot->claim_key = h;
	slot->hash_next = buckets[h % COMMIT_SLOTS];
	buckets[h % COMMIT_SLOTS] = slot;
	return (slot);
}

/* The slot has nothing queued nor under way: freed at the next reap. */
static void
slot_idle(struct commit_slot *slot)
{
	if (slot->idle)
		return;
	slot->idle = 1;
	slot->idle_next = idle_slots;
	idle_slots = slot;
}

/* The idle slots that stayed so are freed (one may be busy again). */
static void
reap_idle(void)
{
	struct commit_slot	*slot, **pp;

	while ((slot = idle_slots) != NULL) {
		idle_slots = slot->idle_next;
		slot->idle = 0;
		if (slot->busy || slot->running > 0 || slot->head != NULL ||
		    slot->blocked)
			continue;
		for (pp = &buckets[slot->claim_key % COMMIT_SLOTS];
		    *pp != slot; pp = &(*pp)->hash_next)
			;
		*pp = slot->hash_next;
		free(slot->key);
		free(slot);
	}
}

/* The claims' clock: monotonic, shared by the worker processes. */
static int64_t
mono_ms(void)
{
	return ((int64_t)(pgl_now_us() / 1000));
}

/* 1 when this worker may run the slot's next commit now. */
static int
claim(struct commit_slot *slot)
{
	uint64_t	k = slot->claim_key;

	if (claims == NULL)
		return (1);
	if (slot->turn >= CLAIM_TURN &&
	    pgl_claim_wanted(claims, k, claim_me)) {
		/* Handed over once this worker's chain has drained. */
		if (slot->running == 0) {
			pgl_claim_drop(claims, k, claim_me, mono_ms());
			slot->turn = 0;
		}
		return (0);
	}
	switch (pgl_claim_take(claims, k, claim_me, mono_ms())) {
	case PGL_CLAIM_WAIT:
		return (0);
	case PGL_CLAIM_TAKEN_OVER:
		pgl_metrics_inc(PGL_C_COMMIT_CLAIM_TAKEOVERS);
		break;
	}
	slot->waiting = 0;
	slot->turn++;
	return (1);
}

static void
unclaim(struct commit_slot *slot)
{
	if (claims != NULL)
		pgl_claim_drop(claims, slot->claim_key, claim_me, mono_ms());
	slot->turn = 0;
}

static void	poll_blocked(void);

/* The slot's queue waits for the claim: polled every millisecond. */
static void
block(struct commit_slot *slot)
{
	if (!slot->waiting) {
		slot->waiting = 1;
		pgl_metrics_inc(PGL_C_COMMIT_CLAIM_WAITS);
	}
	if (slot->blocked)
		return;
	slot->blocked = 1;
	slot->blocked_next = blocked;
	blocked = slot;
	pgl_http_poll(poll_blocked);
}

/* The commit's reply is made: send it (if waited for) and free a. */
static void
async_free(struct commit_async *a, enum loop_end end)
{
	struct pgl_req	*r = a->l.r;
	int		 pended = a->pended;

	if (end == LOOP_DONE)
		ice_change_reply(r, &a->c, a->config);
	ice_change_clear(&a->c);
	pgl_objjob_free(a->obj);
	free(a->job.root);
	free(a->job.location);
	free(a->chain_loc);
	free(a);
	commit_open_add(-1);
	if (pended)
		pgl_req_done(r);
}

static void	ready_push(struct commit_async *);
static void	ended(struct commit_async *, enum loop_end);

static int
same_str(const char *x, const char *y)
{
	return (x == NULL || y == NULL ? x == y : strcmp(x, y) == 0);
}

/*
 * a starts now: on the result of the slot's last started commit while
 * that one is under way.
 */
static void
chain(struct commit_slot *slot, struct commit_async *a)
{
	struct commit_async	*on = slot->running > 0 ? slot->tip : NULL;

	slot->running++;
	slot->tip = a;
	if (on == NULL ||
	    (a->chain_loc = strdup(on->c.next_location)) == NULL)
		return;
	a->pred = on;
	on->succ = a;
	a->c.on = &on->c;
	pgl_metrics_inc(PGL_C_COMMIT_CHAINED);
}

/*
 * The slot's commit ended, waits, or has its file with the pool (or its
 * claim came): start the next queued while one may, that is with none
 * under way, or chained on the last started while its file is out;
 * with none queued nor under way, the slot and its claim are free.
 */
static void
slot_next(struct commit_slot *slot)
{
	struct commit_async	*a;
	enum loop_end		 end;

	while ((a = slot->head) != NULL) {
		/* Never chained on an object store: there a commit's PUT
		 * or a retry's GET may take a stalled endpoint's whole
		 * timeout, and a chain would put several in flight. */
		if (slot->running > 0 && (slot->tip == NULL ||
		    !slot->tip->submitted || slot->tip->l.never_lock ||
		    slot->running >= CHAIN_MAX))
			return;
		if (!claim(slot)) {
			if (slot->running == 0)
				block(slot);
			return;
		}
		if ((slot->head = a->next) == NULL)
			slot->tail = NULL;
		chain(slot, a);
		if ((end = commit_loop_run(&a->l)) != LOOP_WAIT)
			ended(a, end);
	}
	if (slot->running == 0) {
		unclaim(slot);
		slot->busy = 0;
		slot_idle(slot);
	}
}

/* The slots waiting for a claim try again; the poll stops with none. */
static void
poll_blocked(void)
{
	struct commit_slot	*slot, *list = blocked;

	blocked = NULL;
	while ((slot = list) != NULL) {
		list = slot->blocked_next;
		slot->blocked = 0;
		slot_next(slot);	/* may block it again */
	}
	if (blocked == NULL)
		pgl_http_poll(NULL);
}

static void	release(struct commit_async *, enum loop_end);

/* A held commit runs again, from the store's row. */
static void
rerun(struct commit_async *b)
{
	enum loop_end	end;

	pgl_reply_withdraw(b->l.r);
	ice_change_clear(&b->c);
	b->submitted = 0;
	if (pgl_wpool_stopping()) {
		pgl_reply_error(b->l.r, 503, "the server is stopping");
		release(b, LOOP_REPLIED);
		return;
	}
	b->l.written = b->l.computed = 0;
	b->l.attempt++;
	pgl_metrics_inc(PGL_C_COMMIT_CHAIN_RERUNS);
	if ((end = commit_loop_run(&b->l)) != LOOP_WAIT)
		ended(b, end);
}

/*
 * a's chain ends here: landed, its file is the store's pointer now
 * (1), or it never will be (0).  Its successor goes on alone.
 */
static void
unchain(struct commit_async *a, int landed)
{
	struct commit_async	*b = a->succ;

	if (b == NULL)
		return;
	a->succ = NULL;
	b->pred = NULL;
	landed = landed && a->c.next_location != NULL &&
	    strcmp(a->c.next_location, b->chain_loc) == 0;
	if (b->parked) {	/* its swap tells (it expects a's file) */
		b->parked = 0;
		ready_push(b);
	}
	if (b->held) {
		b->held = 0;
		if (landed)
			release(b, b->held_end);
		else
			rerun(b);
	} else if (!landed)
		b->lost = 1;	/* still running: its end will not stand */
}

/* a ended and is answered: out of its slot. */
static void
release(struct commit_async *a, enum loop_end end)
{
	struct commit_slot	*slot = a->slot;

	if (a->pred != NULL) {
		a->pred->succ = NULL;
		a->pred = NULL;
	}
	if (slot != NULL) {
		slot->running--;
		if (slot->tip == a)
			slot->tip = NULL;
	}
	a->submitted = 0;
	unchain(a, end == LOOP_DONE);
	async_free(a, end);
}

/*
 * 1 when a's end rests on its chained base: its first attempt's (a
 * retry starts from the store's row), and not its own file landing
 * (which expected the predecessor's: so that one landed first).  Nor
 * an unknown outcome: its file may have landed, and running it again
 * could apply it twice; CommitStateUnknown is the truth then.
 */
static int
on_chain(const struct commit_async *a, enum loop_end end)
{
	return (a->chain_loc != NULL && a->l.attempt == 0 &&
	    !a->l.unknown && !(end == LOOP_DONE && a->c.next != NULL));
}

/*
 * A commit's loop ended.  One whose end rests on a predecessor that has
 * not landed waits for it; on one that never will, it runs again.
 */
static void
ended(struct commit_async *a, enum loop_end end)
{
	a->submitted = 0;	/* no chain starts on a commit that ended */
	if (on_chain(a, end) && a->pred != NULL) {
		a->held = 1;
		a->held_end = end;
		return;
	}
	if (on_chain(a, end) && a->lost) {
		a->lost = 0;
		rerun(a);
		return;
	}
	release(a, end);
}

static void
async_end(struct commit_async *a, enum loop_end end)
{
	struct commit_slot	*slot = a->slot;

	ended(a, end);
	slot_next(slot);
}

/* a's file is written: to swap, after its predecessor's. */
static void
ready_push(struct commit_async *a)
{
	struct commit_async	*b = a->succ;

	if (a->pred != NULL && !a->pred->in_ready) {
		a->parked = 1;
		return;
	}
	a->ready_next = NULL;
	a->in_ready = 1;
	*ready_tail = a;
	ready_tail = &a->ready_next;
	if (b != NULL && b->parked) {
		b->parked = 0;
		ready_push(b);
	}
}

static void
written(struct pgl_wjob *job, int stopped)
{
	struct commit_async	*a = job->arg;
	struct commit_loop	*l = &a->l;
	struct pgl_err		 err = job->err;
	int			 rc = job->rc;

	/* An S3 job is its own allocation: done with it (job too). */
	pgl_objjob_free(a->obj);
	a->obj = NULL;
	pgl_metrics_inc(PGL_C_COMMIT_POOL_WRITES);
	api_count_s3();
	if (rc != PGL_OK) {
		ice_reply_file_error(l->r, &err);
		async_end(a, LOOP_REPLIED);
		return;
	}
	if (stopped) {
		ice_delete_file(l->r, &a->c.t.catalog, a->c.next_location);
		pgl_reply_error(l->r, 503, "the server is stopping");
		async_end(a, LOOP_REPLIED);
		return;
	}
	ready_push(a);
}

static int
same_tenant(const struct commit_async *a, const struct commit_async *b)
{
	return (same_str(a->l.r->tenant, b->l.r->tenant));
}

/*
 * Commits swapped in one turn of the event loop.  A group's transaction
 * holds the loop (the store is synchronous on it): on PostgreSQL each
 * swap is a round trip or two, and reads queued meanwhile wait for all
 * of them.  So a turn swaps one group of at most this many; the rest
 * wait for the next turn, after the requests that came in meanwhile.
 */
#ifndef COMMIT_TURN_MAX
#define COMMIT_TURN_MAX	COMMIT_GROUP_MAX
#endif

static int
in_group(struct commit_async *const *as, size_t n,
    const struct commit_async *a)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (as[i] == a)
			return (1);
	}
	return (0);
}

/*
 * 1 when a ready commit stays for a later turn: its predecessor's file
 * is still to swap, or it gathers.  A chain's files come one after
 * another, and swapped as they came each paid a store transaction and a
 * log sync of its own; so the first ready commit of a chain waits while
 * its successor's file is being written (the write's end is a reap,
 * which calls here again), and the two swap together.  Its successor,
 * riding with it, does not hold them again.  A file on an object store
 * never waits for another: a PUT may take seconds.
 */
static int
waits(const struct commit_async *a, struct commit_async *const *as,
    size_t n)
{
	const struct commit_async	*b = a->succ;

	if (a->pred != NULL && a->pred->in_ready)
		return (1);
	if (a->pred != NULL && in_group(as, n, a->pred))
		return (0);
	return (!a->l.never_lock && b != NULL && b->submitted &&
	    !b->in_ready);
}

/* 1 when a commit in ready may swap now (none waits for a reap). */
static int
takeable(void)
{
	const struct commit_async	*a;

	for (a = ready; a != NULL; a = a->ready_next) {
		if (!waits(a, NULL, 0))
			return (1);
	}
	return (0);
}

/*
 * Take from *list up to COMMIT_TURN_MAX commits of one tenant, in order,
 * into as, but those that wait (above).  One tenant's group at a time: a
 * race lost fails its group's transaction, and another tenant's commits
 * must not pay for that with a second one.  Nor wait for one tenant's
 * chain that gathers: the tenant is the first ready commit's that does
 * not wait.
 */
static size_t
take_group(struct commit_async **list, struct commit_async **as)
{
	struct commit_async	*first = NULL, **pp = list, *a;
	size_t			 n = 0;

	/* The group's tenant: the first commit's that does not wait. */
	while ((a = *pp) != NULL && n < COMMIT_TURN_MAX) {
		if ((first != NULL && !same_tenant(a, first)) ||
		    waits(a, as, n)) {
			pp = &a->ready_next;
			continue;
		}
		if (first == NULL)
			first = a;
		*pp = a->ready_next;
		a->in_ready = 0;
		as[n++] = a;
	}
	return (n);
}

/* A landed commit, its log synced (log_sync.h): answered. */
static void
answer_synced(void *arg, int error)
{
	struct commit_async	*a = arg;
	struct pgl_err		 err;

	if (error == 0) {
		async_free(a, LOOP_DONE);
		return;
	}
	err.code = PGL_EINTERNAL;
	(void)snprintf(err.msg, sizeof(err.msg), "the store's log could not "
	    "be synced: %s", strerror(error));
	ice_reply_unknown(a->l.r, &err);
	async_free(a, LOOP_REPLIED);
}

/* A landed commit waiting for the log's sync leaves its slot. */
static void
landed_out(struct commit_async *a)
{
	struct commit_slot	*slot = a->slot;

	slot->running--;
	if (slot->tip == a)
		slot->tip = NULL;
	a->slot = NULL;
	if (a->pred != NULL) {	/* it landed first: unchained already */
		a->pred->succ = NULL;
		a->pred = NULL;
	}
	a->submitted = 0;
	unchain(a, 1);
}

/*
 * The landed commits as wait for the log's sync; their tables' next
 * commits may start meanwhile: they commit after these in the same log,
 * so none is durable before these.
 */
static void
answer_after_sync(struct commit_async **as, size_t n, int fd)
{
	struct commit_slot	*slots_of[COMMIT_TURN_MAX];
	void			*items[COMMIT_TURN_MAX];
	size_t			 i;

	/* Out of their slots first: without a pool they are answered (and
	 * freed) inside ice_log_sync_after. */
	for (i = 0; i < n; i++) {
		items[i] = as[i];
		slots_of[i] = as[i]->slot;
		landed_out(as[i]);
	}
	ice_log_sync_after(fd, items, n, answer_synced);
	for (i = 0; i < n; i++)
		slot_next(slots_of[i]);
}

/*
 * A group that found another worker's transaction holding the store
 * (PGL_TX_BUSY: SQLite's write lock, PostgreSQL's tenant lock) goes back
 * to the head of ready, as it was, and the swap is tried again in about
 * a millisecond: the event loop serves its reads meanwhile.  Before, the
 * loop waited for as long as the other worker's transaction took (in
 * SQLite's busy handler, 9 % of each loop's time in a commit storm; in
 * PostgreSQL's pg_advisory_lock), and every read on it waited too.  Past
 * SWAP_GIVE_WAY_MS of this, the next swap waits for the lock as before,
 * so that a stream of the other worker's transactions cannot hold these
 * commits for ever.
 */
#define SWAP_GIVE_WAY_MS	5000

static uint64_t	 busy_since_ms;		/* 0: the last swap began */

static void
give_way(struct commit_async **as, const int *submitted, size_t n)
{
	size_t	i;

	for (i = n; i-- > 0; ) {
		as[i]->submitted = submitted[i];
		as[i]->in_ready = 1;
		as[i]->ready_next = ready;
		if (ready == NULL)
			ready_tail = &as[i]->ready_next;
		ready = as[i];
	}
	pgl_metrics_inc(PGL_C_COMMIT_SWAPS_DEFERRED);
	pgl_http_watch_soon();
}

/*
 * A group whose store COMMIT is in flight (commit_loop_written_all with
 * fd, store ABI 1.25): the loop takes in and computes the next commits
 * while the server runs this group's writes; the next group's swap
 * waits for this one's answer (the store's connection is one
 * conversation, and a chain's next commit swaps after its predecessor).
 */
static struct {
	struct commit_async	*as[COMMIT_TURN_MAX];
	struct commit_loop	*ls[COMMIT_TURN_MAX];
	int			 submitted[COMMIT_TURN_MAX];
	size_t			 n;		/* 0: none in flight */
	uint64_t		 now;
} flight;

/* The group's swaps are answered: each commit goes on. */
static void
swapped(struct commit_async **as, const enum loop_end *ends,
    int *submitted, size_t n, int fd, uint64_t now)
{
	struct commit_async	*landed[COMMIT_TURN_MAX];
	struct commit_async	*busy[COMMIT_TURN_MAX];
	size_t			 i, k = 0, nb = 0;

	for (i = 0; i < n; i++) {
		if (ends[i] == LOOP_BUSY) {
			busy[nb] = as[i];
			submitted[nb++] = submitted[i];
		} else if (ends[i] == LOOP_DONE && fd != -1)
			landed[k++] = as[i];
		else if (ends[i] != LOOP_WAIT)
			async_end(as[i], ends[i]);
	}
	if (k > 0)
		answer_after_sync(landed, k, fd);
	if (nb == 0) {
		busy_since_ms = 0;
		return;
	}
	if (busy_since_ms == 0)
		busy_since_ms = now;
	give_way(busy, submitted, nb);
}

/* Take in the flying group's answer: 0 while it is still to come. */
static int
flight_landed(void)
{
	enum loop_end	ends[COMMIT_TURN_MAX];
	size_t		n = flight.n, i;
	int		fd;

	/* Decided if it landed: no chain starts on one that runs again
	 * (which submits its file again itself). */
	for (i = 0; i < n; i++)
		flight.as[i]->submitted = 0;
	if (!commit_loop_written_landed(flight.ls, n, ends, &fd)) {
		for (i = 0; i < n; i++)
			flight.as[i]->submitted = flight.submitted[i];
		pgl_http_watch_once(fd);
		return (0);
	}
	flight.n = 0;
	swapped(flight.as, ends, flight.submitted, n, -1, flight.now);
	return (1);
}

int
ice_commit_swap_ready(void)
{
	struct commit_async	*as[COMMIT_TURN_MAX];
	struct commit_loop	*ls[COMMIT_TURN_MAX];
	enum loop_end		 ends[COMMIT_TURN_MAX];
	int			 submitted[COMMIT_TURN_MAX];
	size_t			 i, n;
	int			 deferred, fd, sfd;
	uint64_t		 now;

	if (flight.n > 0 && !flight_landed())
		return (0);
	if (ready == NULL)
		return (0);
	/* Below, only a chain's parked commits are added to ready. */
	n = take_group(&ready, as);
	for (ready_tail = &ready; *ready_tail != NULL;
	    ready_tail = &(*ready_tail)->ready_next)
		;
	if (n == 0)	/* each waits for a reap */
		return (0);
	for (i = 0; i < n; i++) {
		ls[i] = &as[i]->l;
		submitted[i] = as[i]->submitted;
		as[i]->submitted = 0;	/* its outcome is decided now */
	}
	now = pgl_now_ms();
	pgl_app.begin_try = busy_since_ms == 0 ||
	    now - busy_since_ms < SWAP_GIVE_WAY_MS;
	/* A log whose sync is the pool's (SQLite): its COMMIT is local. */
	deferred = ice_log_sync_defer(&fd);
	if (commit_loop_written_all(ls, n, ends, deferred ? NULL : &sfd)) {
		pgl_app.begin_try = 0;
		/* Answered inside another store call: on at this turn's end. */
		pgl_app.flight_landed = pgl_http_watch_wake;
		memcpy(flight.as, as, n * sizeof(as[0]));
		memcpy(flight.ls, ls, n * sizeof(ls[0]));
		memcpy(flight.submitted, submitted, n * sizeof(submitted[0]));
		flight.n = n;
		flight.now = now;
		/* Its outcome comes with the answer: till then a chain may
		 * go on from it, as from any commit whose swap is to come. */
		for (i = 0; i < n; i++)
			as[i]->submitted = submitted[i];
		pgl_http_watch_once(sfd);
		return (0);
	}
	pgl_app.begin_try = 0;
	if (deferred)
		ice_log_sync_resume();
	swapped(as, ends, submitted, n, fd, now);
	return (busy_since_ms == 0 ? takeable() : 0);
}

/* The loop goes on; once its file is out, a chain may start on it. */
static void
run(struct commit_async *a)
{
	enum loop_end	end;

	if ((end = commit_loop_run(&a->l)) != LOOP_WAIT)
		async_end(a, end);
	else if (a->submitted && a->slot->head != NULL)
		slot_next(a->slot);
}

/* The bases an attempt asked for are in: the loop goes on. */
static void
resumed(void *arg)
{
	struct commit_async	*a = arg;

	run(a);
}

/* The rendered bytes stay the change's (ice_change_clear). */
static void
drop_job(struct commit_async *a)
{
	pgl_objjob_free(a->obj);
	a->obj = NULL;
	free(a->job.root);
	free(a->job.location);
	a->job.root = a->job.location = NULL;
}

static void
pended(struct commit_async *a)
{
	if (!a->pended) {
		a->pended = 1;
		pgl_req_pend(a->l.r);
	}
}

static int
oom(struct pgl_err *err)
{
	err->code = PGL_ENOMEM;
	(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
	return (-1);
}

/*
 * The rendered file as an object PUT on a pool thread: 0, or -1 (err).
 * An endpoint that refuses (breaker open, in-flight cap) refuses there
 * at once, and with no pool to take it the commit fails: never inline
 * here, where the call would hold the event loop.
 */
static int
submit_s3(struct commit_async *a, const struct pgl_storage *st,
    struct pgl_err *err)
{
	struct ice_change	*c = &a->c;

	if ((a->obj = pgl_objjob_new(st, PGL_OBJ_PUT, c->next_location)) ==
	    NULL) {
		drop_job(a);
		return (oom(err));
	}
	a->obj->data = c->gz != NULL ? (const void *)c->gz : c->bytes;
	a->obj->len = c->gz != NULL ? c->gzlen : c->len;
	a->obj->w.done = written;
	a->obj->w.arg = a;
	if (pgl_objjob_submit(a->obj) == -1) {
		*err = a->obj->w.err;
		drop_job(a);
		return (-1);
	}
	pended(a);
	a->submitted = 1;
	return (0);
}

/*
 * Queue the prepared change's file (rendered by ice_change_compute): 0,
 * -1 failed (l->err), or 1: no pool took a local file, which the loop
 * writes here.
 */
static int
submit(struct commit_loop *l)
{
	struct commit_async		*a = l->owner;
	struct ice_change		*c = &a->c;
	const struct pgl_storage	*st;

	drop_job(a);
	if (api_storage(l->r, &c->t.catalog, &st, &l->err) != PGL_OK)
		return (-1);
	if (st->remote)
		return (submit_s3(a, st, &l->err));
	if ((a->job.root = strdup(st->root)) == NULL ||
	    (a->job.location = strdup(c->next_location)) == NULL) {
		drop_job(a);
		return (oom(&l->err));
	}
	a->job.data = c->gz != NULL ? (const void *)c->gz : c->bytes;
	a->job.len = c->gz != NULL ? c->gzlen : c->len;
	a->job.done = written;
	a->job.arg = a;
	if (pgl_wpool_submit(&a->job) == -1) {
		drop_job(a);
		return (1);
	}
	pended(a);
	a->submitted = 1;
	return (0);
}

static int
on_s3(struct pgl_req *r, const struct pgl_catalog *c)
{
	const struct pgl_storage	*st;
	struct pgl_err			 err;

	return (api_storage(r, c, &st, &err) == PGL_OK && st->remote);
}

/* The turn's requests are served: the commit's attempt starts. */
static void
start(struct pgl_req *r, void *arg)
{
	(void)r;
	run(arg);
}

void
ice_commit_serve(struct pgl_req *r, const struct ice_change *c, int config)
{
	struct commit_async	*a;
	enum loop_end		 end;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	commit_open_add(1);
	a->c = *c;
	a->config = config;
	commit_loop_init(&a->l, r, &a->c, 1);
	a->l.owner = a;
	/* A task's commit has no client waiting: it writes inline. */
	if (!api_on_loop(r) || c->plan != NULL) {
		end = commit_loop_run(&a->l);
		async_free(a, end);
		return;
	}
	a->l.submit = submit;
	a->l.resume = resumed;
	a->l.never_lock = on_s3(r, &a->c.t.catalog);
	reap_idle();
	if ((a->slot = slot_of(r, &a->c)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		async_free(a, LOOP_REPLIED);
		return;
	}
	if (a->slot->busy || !claim(a->slot)) {
		a->pended = 1;
		pgl_req_pend(r);
		a->next = NULL;
		if (a->slot->head == NULL)
			a->slot->head = a;
		else
			*a->slot->tail = a;
		a->slot->tail = &a->next;
		if (!a->slot->busy) {	/* another worker's claim */
			a->slot->busy = 1;
			block(a->slot);
		} else if (a->slot->tip != NULL && a->slot->tip->submitted &&
		    !a->slot->tip->l.never_lock)
			slot_next(a->slot);	/* chained at once */
		return;
	}
	a->slot->busy = 1;
	chain(a->slot, a);
	/*
	 * Reads first: the attempt's store reads and its hand-off to a
	 * commit thread wait for the end of this turn, after the requests
	 * that came in with this one (pgl_req_later).
	 */
	if (pgl_req_later(r, start, a) == 0) {
		a->pended = 1;
		return;
	}
	if ((end = commit_loop_run(&a->l)) == LOOP_WAIT)
		pended(a);
	else
		async_end(a, end);
}
