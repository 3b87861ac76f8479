/*
 * The one commit loop (api/commit/commit.h): tables, views, multi-table
 * transactions and maintenance tasks all commit through
 * ice_commit_run().
 *
 * Kept whole, over 600 lines: the attempt, the locked attempt, the
 * settling of a half-kept swap and the retries share the loop's state
 * (run.h) and its invariants; split, no part could be read alone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/owners.h"
#include "api/commit/policy_guard.h"
#include "api/commit/rows.h"
#include "api/commit/run.h"
#include "api/commit/swap_runs.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/events/event_note.h"
#include "api/cache/cache.h"
#include "api/commit/compute.h"
#include "api/read/read.h"
#include "api/request/fetch.h"
#include "app/app.h"
#include "http/dispatch.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"

/*
 * Each lost race means another writer won, so the bound only limits how
 * long one request may keep losing to a stream of others.
 */
#define COMMIT_ATTEMPTS	16
#define HEAD_ATTEMPTS	64
#define LOCK_AFTER	4

void
ice_change_clear(struct ice_change *c)
{
	/* Often the last references to whole trees: freed off the loop. */
	api_tree_release(c->base);
	api_tree_release(c->read);
	api_tree_release(c->next);
	api_tree_release(c->next_read);
	json_decref(c->planned);
	free(c->next_location);
	free(c->bytes);
	free(c->gz);
	api_mcache_unref(c->raw_ref);
	c->base = c->read = c->next = c->next_read = c->planned = NULL;
	c->read_checked = 0;
	c->next_location = c->bytes = c->gz = NULL;
	c->raw = NULL;
	c->raw_ref = NULL;
	c->len = c->gzlen = c->rawlen = 0;
	c->kept = 0;
	c->compute = COMPUTE_NONE;
	c->parsed = 0;
}

/* The base of the loaded row's file: 0, or -1 replied. */
static int
load_base(struct pgl_req *r, struct ice_change *c)
{
	if ((c->base = api_tree_get(c->asset.metadata_location,
	    &c->read, &c->read_checked)) != NULL)
		return (0);
	/* A pointer to a file that is gone is corruption, not client error. */
	return (ice_metadata_ref(r, &c->t.catalog, c->asset.metadata_location,
	    500, &c->raw, &c->rawlen, &c->raw_ref));
}

/* s in r's arena: 0, or -1 out of memory (s NULL stays NULL). */
static int
keep(struct pgl_req *r, const char **s)
{
	return (*s != NULL && (*s = pgl_arena_strdup(r->arena, *s)) == NULL ?
	    -1 : 0);
}

/*
 * A chained change's first attempt (commit/async.c): its row and base
 * are the change before it, computed and written but not swapped in yet,
 * so the store is not read.  Its swap expects that change's file, so it
 * lands only after that one has; a later attempt starts from the store's
 * row as usual.  The row is copied: the change before may be freed
 * first.
 */
static int
load_on(struct pgl_req *r, struct ice_change *c)
{
	const struct ice_change	*on = c->on;
	struct pgl_asset	*a = &c->asset;

	c->on = NULL;
	*a = on->asset;
	a->metadata_location = on->next_location;
	if (on->moved_to != NULL)
		a->location = on->moved_to;
	if (keep(r, &a->id) == -1 || keep(r, &a->catalog) == -1 ||
	    keep(r, &a->branch) == -1 || keep(r, &a->ns) == -1 ||
	    keep(r, &a->name) == -1 || keep(r, &a->kind) == -1 ||
	    keep(r, &a->location) == -1 || keep(r, &a->metadata_location) ==
	    -1 || keep(r, &a->properties) == -1 || keep(r, &a->origin) == -1) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	/* Never modified once computed (compute.c), so shared. */
	c->base = json_incref(on->next);
	c->read = json_incref(on->next_read);
	c->read_checked = 1;	/* the engine built it */
	return (0);
}

/*
 * The pointer and its base, and what computing the attempt needs from
 * this worker.  The first attempt may take the row the authorization
 * step read; a retry reads it as it is now.  The base is this worker's
 * parsed tree of the file, or else the file's bytes (through the
 * metadata cache, pinned), parsed by ice_change_compute.
 */
static int
load(struct pgl_req *r, struct ice_change *c, int attempt)
{
	int	rc;

	c->now_ms = pgl_now_ms();
	pgl_uuid_new(c->uuid);
	if (c->on != NULL && attempt == 0 && c->on->next != NULL &&
	    c->on->next_location != NULL)
		return (load_on(r, c));
	c->on = NULL;
	c->hinted = 0;
	if (attempt == 0 && commit_row_get(r, c)) {
		pgl_metrics_inc(PGL_C_COMMIT_ROW_HINTS);
		c->hinted = 1;	/* the row as this worker's last commit left it */
		rc = 0;
	}
	else if (attempt == 0)
		rc = ice_find_asset(r, &c->t, c->kind->asset, &c->asset);
	else {
		commit_row_forget(r, c);
		rc = ice_reload_asset(r, &c->t, c->kind->asset, &c->asset);
	}
	return (rc == -1 ? -1 : load_base(r, c));
}

/*
 * After ice_change_compute, on the worker's thread: keep the tree it
 * parsed, and reply what it refused.  0 (c->next NULL when nothing
 * changed), or -1 after replying.
 */
static int
settle(struct pgl_req *r, struct ice_change *c)
{
	/*
	 * A base parsed here is kept only if it stays the table's file (the
	 * change came to nothing, or was refused): one this commit
	 * replaces would take a slot from a file a next commit needs
	 * (finish() keeps this one's), and in a storm over more tables than
	 * half the slots, every miss evicted another table's current file
	 * and the cache stopped hitting at all.
	 */
	if (c->parsed) {
		if (c->next == NULL)
			api_tree_put(c->asset.metadata_location, c->base,
			    c->read, 0);
		c->parsed = 0;
	}
	api_mcache_unref(c->raw_ref);
	c->raw_ref = NULL;
	c->raw = NULL;
	switch (c->compute) {
	case COMPUTE_OK:
		break;
	case COMPUTE_CORRUPT:
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "metadata file is not valid JSON: %.200s",
		    c->asset.metadata_location);
		return (-1);
	case COMPUTE_REFUSED:
		pgl_reply_ice_error(r, c->ierr.status, c->ierr.type, "%s",
		    c->ierr.msg);
		return (-1);
	case COMPUTE_NO_LOCATION:
		c->kind->no_location(r);
		return (-1);
	default:
		ice_reply_file_error(r, &c->err);
		return (-1);
	}
	if (c->next == NULL)
		return (0);
	/* A schema change may not break a data policy (issue 46). */
	if (ice_policy_commit_check(r, c) == -1)
		return (-1);
	/* set-location / write.metadata.path must not escape the catalog,
	 * and a table moved by set-location takes a place of its own
	 * (commit/owners.h). */
	if (ice_location_allowed(r, &c->t.catalog, c->next_location,
	    "the metadata location") == -1)
		return (-1);
	return (ice_commit_place(r, c));
}

/*
 * Check and apply one loaded change against its base, name and render
 * its next file, here.  0 on success (c->next NULL when nothing
 * changed); -1 after replying.
 */
static int
prepare(struct pgl_req *r, struct ice_change *c)
{
	/* A task plans its updates from the parsed base, on this thread. */
	if (c->plan != NULL) {
		if (ice_change_parse(c) == -1)
			return (settle(r, c));
		if ((c->updates = c->planned = c->plan(c->plan_arg, r,
		    c->base)) == NULL)
			return (-1);
	}
	ice_change_compute(c);
	return (settle(r, c));
}

/* Write every new file (rendered by ice_change_compute); on failure
 * delete those written. */
static int
write_all(struct pgl_req *r, struct ice_change *cs, size_t n,
    struct pgl_err *err)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		if (cs[i].next == NULL)
			continue;
		if (ice_write_rendered(r, &cs[i].t.catalog,
		    cs[i].next_location, &cs[i], err) != PGL_OK) {
			for (j = 0; j < i; j++) {
				if (cs[j].next != NULL)
					ice_delete_file(r, &cs[j].t.catalog,
					    cs[j].next_location);
			}
			return (err->code);
		}
	}
	return (PGL_OK);
}

static void
delete_written(struct pgl_req *r, struct ice_change *cs, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (cs[i].next != NULL && !cs[i].kept)
			ice_delete_file(r, &cs[i].t.catalog,
			    cs[i].next_location);
	}
}

/* How many changes have a file to swap in. */
static size_t
changed(const struct ice_change *cs, size_t n)
{
	size_t	i, k = 0;

	for (i = 0; i < n; i++)
		k += cs[i].next != NULL;
	return (k);
}

/* One change's catalog commit (a Put of its new pointer), to record. */
static struct ice_log_entry
log_entry(struct pgl_req *r, const struct ice_change *c)
{
	struct pgl_asset	a = c->asset;
	struct ice_log_entry	e;

	a.metadata_location = c->next_location;
	e.r = r;
	e.catalog = a.catalog;
	e.branch = a.branch;
	e.message = pgl_arena_printf(r->arena, "%s %s", c->kind->verb,
	    ice_dotted(r, a.ns, a.name));
	e.ops = json_pack("[o]", ice_op_put(&a));
	return (e);
}

/* Record one change's catalog commit. */
static int
log_change(struct pgl_req *r, const struct ice_change *c,
    struct pgl_err *err)
{
	struct ice_log_entry	e = log_entry(r, c);

	return (ice_log_commit(r, e.catalog, e.branch, e.message, e.ops,
	    err));
}

/* Swap one change's pointer from its base's file to its new one. */
static int
swap_one(struct pgl_req *r, const struct ice_change *c, struct pgl_err *err)
{
	return (STORE(update_metadata_location, r->tenant, c->asset.catalog,
	    c->asset.branch, c->asset.ns, c->asset.name,
	    c->asset.metadata_location, c->next_location, err));
}

/*
 * The change's event (update-table or update-view): the updates and
 * requirements as the client sent them, the new file and snapshot.
 * Appended by the gate after every swap (event_note.h).
 */
static void
note_change(struct pgl_req *r, const struct ice_change *c)
{
	struct pgl_event_input	 in;
	json_t			*snap;

	memset(&in, 0, sizeof(in));
	in.operation_type = c->asset.kind != NULL &&
	    strcmp(c->asset.kind, "VIEW") == 0 ? "update-view" :
	    "update-table";
	in.catalog = c->asset.catalog;
	in.branch = c->asset.branch;
	in.ns = c->asset.ns;
	in.name = c->asset.name;
	in.uuid = c->asset.id;
	in.metadata_location = c->next_location;
	in.updates = c->updates != NULL ? c->updates : c->planned;
	in.requirements = c->requirements;
	if ((snap = json_object_get(c->next, "current-snapshot-id")) != NULL &&
	    json_is_integer(snap) && json_integer_value(snap) >= 0) {
		in.has_snapshot_id = 1;
		in.snapshot_id = json_integer_value(snap);
	}
	api_event_note(r, &in);
}

/*
 * Inside the transaction: swap every pointer and record its commit.  A
 * pointer that lost its swap means another writer changed the asset: the
 * change must be made again on the new base.  A head that lost its swap
 * means only that a commit to another asset of the branch landed in
 * between: the same files can be swapped in again at once.
 */
static int
swap_in_tx(void *arg, struct pgl_err *err)
{
	struct swap_tx		*tx = arg;
	const struct ice_change	*c;
	size_t			 i;
	int			 rc;

	tx->moved = 0;
	tx->head_lost = 0;
	for (i = 0; i < tx->n; i++) {
		c = &tx->changes[i];
		if (c->next == NULL)
			continue;
		/* A set-location's place first, then the swap, then its
		 * row's location (commit/owners.h). */
		if ((rc = ice_commit_claim(tx->r, c, err)) != PGL_OK ||
		    (rc = swap_one(tx->r, c, err)) != PGL_OK ||
		    (rc = ice_commit_moved(tx->r, c, err)) != PGL_OK)
			return (rc);
		tx->moved++;
		note_change(tx->r, c);
		if ((rc = log_change(tx->r, c, err)) != PGL_OK) {
			tx->head_lost = rc == PGL_ECONFLICT ||
			    rc == PGL_ERETRY;
			return (rc);
		}
	}
	return (PGL_OK);
}

/*
 * The catalog commits of changes kept by a store without transactions,
 * whose first recording lost the branch head's compare-and-swap: record
 * them again on the head as it is now.
 */
static int
relog_in_tx(void *arg, struct pgl_err *err)
{
	struct swap_tx	*tx = arg;
	size_t		 i;
	int		 rc;

	for (i = 0; i < tx->n; i++) {
		if (!tx->changes[i].kept)
			continue;
		if ((rc = log_change(tx->r, &tx->changes[i], err)) != PGL_OK)
			return (rc);
		/* Its first transaction, which kept the pointer, ended
		 * before its event was appended. */
		note_change(tx->r, &tx->changes[i]);
	}
	return (PGL_OK);
}

static void
relog(struct pgl_req *r, struct ice_change *cs, size_t n)
{
	struct swap_tx	tx = { r, cs, n, 0, 0, 0 };
	struct pgl_err	err;
	int		attempt, rc = PGL_ECONFLICT;

	for (attempt = 0; attempt < COMMIT_ATTEMPTS && (rc == PGL_ECONFLICT ||
	    rc == PGL_ERETRY); attempt++)
		rc = api_tx(r, relog_in_tx, &tx, &err);
	if (rc != PGL_OK)
		pgl_log(PGL_LOG_WARN, "commit: the pointer moved but its catalog "
		    "commit was not recorded: %s", err.msg);
}

/* After a successful swap: old metadata files the log no longer lists. */
static void
cleanup_old(struct pgl_req *r, const struct ice_change *c)
{
	json_t		*gone, *f;
	size_t		 i;

	if (c->next == NULL || !c->kind->cleanup ||
	    !ice_table_delete_after_commit(c->next))
		return;
	gone = ice_table_log_dropped(c->base, c->next);
	json_array_foreach(gone, i, f)
		ice_delete_file(r, &c->t.catalog, json_string_value(f));
	json_decref(gone);
}

/* Every pointer moved: cache the new files, drop the old ones. */
static int
finish(struct pgl_req *r, struct ice_change *cs, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (cs[i].next != NULL)
			commit_row_put(r, &cs[i]);
		if (cs[i].bytes != NULL) {
			ice_cache_metadata(cs[i].next_location, cs[i].bytes,
			    cs[i].len);
			api_tree_put(cs[i].next_location, cs[i].next,
			    cs[i].next_read, 1);
			api_tree_drop(cs[i].asset.metadata_location);
		}
		cleanup_old(r, &cs[i]);
	}
	return (0);
}

/* 1 when the asset's pointer names the file written for it. */
static int
swapped(struct pgl_req *r, const struct ice_change *c)
{
	struct pgl_asset	a;
	struct pgl_err		err;

	return (c->next != NULL && STORE(get_asset, r->arena, r->tenant,
	    c->t.catalog.name, c->t.branch, c->t.ns, c->t.name, &a, &err) ==
	    PGL_OK && a.metadata_location != NULL &&
	    strcmp(a.metadata_location, c->next_location) == 0);
}

/*
 * After a failed transaction: how many of the changes were swapped
 * anyway.  A store with transactions rolled every swap back, so this is
 * 0 there.  A store without them (the MongoDB-protocol test server)
 * keeps a swap whose transaction failed later, at the branch head's
 * compare-and-swap when another table's commit moved it in between.  A
 * kept swap has happened: its file must stay, or the pointer would name
 * nothing.  Those files are marked kept (next_location freed) so that
 * delete_written leaves them.
 */
static size_t
keep_swapped(struct pgl_req *r, struct ice_change *cs, size_t n)
{
	size_t	i, kept = 0;

	for (i = 0; i < n; i++) {
		if (!swapped(r, &cs[i]))
			continue;
		cs[i].kept = 1;
		kept++;
	}
	return (kept);
}

/*
 * Load and prepare every change; 1 if any has something to write, -1
 * replied.  Once a base waits on the object store (fetch.h), the others
 * are only loaded, so that their reads are asked for in the same run;
 * what is replied meanwhile is taken back, and -1 returned (the run
 * ends waiting).  With defer, every change is only loaded (1): a commit
 * thread computes them (settle_all then).
 */
static int
prepare_all(struct pgl_req *r, struct ice_change *cs, size_t n, int attempt,
    int defer)
{
	size_t	i;
	int	any = defer, rc;

	for (i = 0; i < n; i++) {
		ice_change_clear(&cs[i]);
		rc = load(r, &cs[i], attempt);
		if (api_fetch_waiting(r)) {
			if (rc == -1)
				pgl_reply_withdraw(r);
			continue;
		}
		if (rc == -1 || (!defer && prepare(r, &cs[i]) == -1))
			return (-1);
		any |= cs[i].next != NULL;
	}
	return (api_fetch_waiting(r) ? -1 : any);
}

/* After the commit thread's computing: as prepare_all's answer. */
static int
settle_all(struct commit_loop *l)
{
	size_t	i;
	int	any = 0, rc = 0;

	/* Every change's parsed tree is kept, even past a refusal. */
	for (i = 0; i < l->n; i++) {
		if (rc == 0 && settle(l->r, &l->cs[i]) == -1)
			rc = -1;
		else if (rc != 0 && l->cs[i].parsed) {
			api_tree_put(l->cs[i].asset.metadata_location,
			    l->cs[i].base, l->cs[i].read, 0);
			l->cs[i].parsed = 0;
		}
		any |= l->cs[i].next != NULL;
	}
	return (rc == -1 ? -1 : any);
}

/*
 * 1 for a chained change (its base the change before it, still in
 * flight: commit/async.c) on a worker that hands its reads to another
 * while it commits (kore_move.c): it computes on the event loop.  The
 * table's next commit waits for this one's file, and the hand-off to a
 * commit thread and back was most of a hot table's time between two
 * commits (docs/benchmarks.md, "A chained commit computed where it
 * starts"); no read waits on that loop meanwhile.  Only a small base:
 * a chain of a big table's commits would hold the loop, and every other
 * tenant's commits on it, for milliseconds each (up to CHAIN_MAX in a
 * row); those stay on the commit thread.
 */
#define CHAINED_HERE_MAX_BYTES	(64 * 1024)

static int
chained_here(const struct commit_loop *l)
{
	return (l->resume != NULL && l->n == 1 && l->attempt == 0 &&
	    l->cs[0].on != NULL && l->cs[0].on->len <= CHAINED_HERE_MAX_BYTES &&
	    pgl_move_sheds_reads());
}

/* A commit's CPU runs on a commit thread when a client waits for it and
 * no task plans its updates on this thread (nor is it chained_here). */
static int
offloaded(const struct commit_loop *l)
{
	size_t	i;

	if (l->resume == NULL || chained_here(l))
		return (0);
	for (i = 0; i < l->n; i++) {
		if (l->cs[i].plan != NULL)
			return (0);
	}
	return (1);
}

#define PREPARE_WAIT	2

/*
 * Prepare an attempt: prepare_all's answer, or PREPARE_WAIT.  A client's
 * loop reads its bases in a section of r's (fetch.h): a base on S3 that
 * this worker has not cached (another worker or replica wrote it) is
 * fetched by the pool while r waits, and the owner's resume() runs the
 * loop again once it is in.  So a commit queued behind another, or
 * retried after a lost swap, never reads on the event loop.  Then its
 * CPU (parse, apply, render) goes to a commit thread (commit/compute.c)
 * and r waits again: the event loop serves reads meanwhile, and
 * resume() brings the loop back here (computed) to settle the outcome.
 */
static int
prepare_attempt(struct commit_loop *l)
{
	size_t	i;
	int	rc, defer;

	if (l->stopped) {
		pgl_reply_error(l->r, 503, "the server is stopping");
		return (-1);
	}
	if (l->computed) {
		l->computed = 0;
		return (settle_all(l));
	}
	if (l->resume == NULL)
		return (prepare_all(l->r, l->cs, l->n, l->attempt, 0));
	if (chained_here(l))
		pgl_metrics_inc(PGL_C_COMMIT_LOOP_ATTEMPTS);
	defer = offloaded(l);
	api_fetch_open(l->r, l->resume, l->owner);
	rc = prepare_all(l->r, l->cs, l->n, l->attempt, defer);
	if (api_fetch_close(l->r))
		return (PREPARE_WAIT);
	if (rc == -1 || !defer)
		return (rc);
	if (commit_compute_submit(l) == 0)
		return (PREPARE_WAIT);
	/* No commit thread: here. */
	for (i = 0; i < l->n; i++)
		ice_change_compute(&l->cs[i]);
	return (settle_all(l));
}

/*
 * Prepare an attempt and have its files written: LOOP_AGAIN once they
 * are (l->written), else done (nothing to write), replied or waiting
 * (for a base, or for the pool to write).
 */
/*
 * After an attempt that came to no file: 1 when it must run again on
 * the store's rows, because a base it computed on was a row hint
 * (commit/rows.h).  Its refusal, its "nothing changed", or its missing
 * base file may be the hint's, not the table's: the answer is taken
 * back, the hints forgotten, and the next attempt reads the rows.  An
 * attempt with a file to swap needs no such care: the swap checks the
 * pointer.
 */
static int
unhint(struct commit_loop *l, int rc)
{
	size_t	i;
	int	any = 0;

	for (i = 0; i < l->n; i++)
		any |= l->cs[i].hinted;
	if (!any)
		return (0);
	if (rc == -1)
		pgl_reply_withdraw(l->r);
	for (i = 0; i < l->n; i++) {
		if (l->cs[i].hinted)
			commit_row_forget(l->r, &l->cs[i]);
		l->cs[i].hinted = 0;
		ice_change_clear(&l->cs[i]);
	}
	l->attempt++;
	return (1);
}

static enum loop_end
prepare_and_write(struct commit_loop *l)
{
	int	rc;

	if ((rc = prepare_attempt(l)) == PREPARE_WAIT)
		return (LOOP_WAIT);
	if (rc <= 0 && unhint(l, rc))
		return (prepare_and_write(l));
	if (rc <= 0)
		return (rc == 0 ? LOOP_DONE : LOOP_REPLIED);
	if (l->submit != NULL && (rc = l->submit(l)) != 1) {
		if (rc == 0)
			return (LOOP_WAIT);
		ice_reply_file_error(l->r, &l->err);
		return (LOOP_REPLIED);
	}
	if (write_all(l->r, l->cs, l->n, &l->err) != PGL_OK) {
		ice_reply_file_error(l->r, &l->err);
		return (LOOP_REPLIED);
	}
	l->written = 1;
	return (LOOP_AGAIN);
}

/*
 * After a failed transaction that had swapped some pointer.  0: nothing
 * kept, carry on.  1: the commit stands (replied with nothing yet, as on
 * success).  -1: replied.
 */
static int
settle_kept(struct pgl_req *r, struct ice_change *cs, size_t n,
    const struct pgl_err *err)
{
	size_t	kept;

	if ((kept = keep_swapped(r, cs, n)) == 0)
		return (0);
	delete_written(r, cs, n);
	/*
	 * All swapped: the commit happened; record its catalog commit
	 * again.  Some: a multi-table commit half applied, and a retry
	 * would apply the swapped half twice.
	 */
	if (kept == changed(cs, n)) {
		relog(r, cs, n);
		return (finish(r, cs, n) == 0 ? 1 : -1);
	}
	ice_reply_unknown(r, err);
	return (-1);
}

/*
 * A locked attempt, for a writer that keeps losing.  Losses are not a
 * coin toss: the winner of the last swap holds its new metadata in its
 * own worker's cache and starts its next commit at once, while the loser
 * must first read that file; on one hot table the same worker lost
 * sixteen times running (4 % of commits answered 409 at 64 connections).
 * So after LOCK_AFTER losses the attempt runs inside the transaction:
 * a swap of each pointer onto itself holds its row (PostgreSQL) or the
 * store's write lock (SQLite) until commit, so the base read next stays
 * the base and the swap cannot lose.  Other writers of the table wait
 * for one file write.  A store without transactions holds nothing, and
 * this is one more attempt there.  A client's commit on an object store
 * never locks (never_lock): its PUT inside the transaction would hold
 * the event loop for as long as the endpoint takes.
 */
enum locked_end { LOCKED_SWAPPED, LOCKED_UNCHANGED, LOCKED_REPLIED,
	LOCKED_WRITE_FAILED, LOCKED_LOST };

struct locked_tx {
	struct swap_tx		*tx;
	int			 attempt;
	enum locked_end		 end;
	int			 written;
};

static int
hold_pointers(struct pgl_req *r, struct ice_change *cs, size_t n,
    struct pgl_err *err)
{
	struct pgl_asset	a;
	size_t			i;
	int			rc;

	for (i = 0; i < n; i++) {
		/* A missing asset: prepare answers for it. */
		if ((rc = STORE(get_asset, r->arena, r->tenant,
		    cs[i].t.catalog.name, cs[i].t.branch, cs[i].t.ns,
		    cs[i].t.name, &a, err)) == PGL_ENOTFOUND ||
		    (rc == PGL_OK && a.metadata_location == NULL))
			continue;
		if (rc != PGL_OK || (rc = STORE(update_metadata_location,
		    r->tenant, a.catalog, a.branch, a.ns, a.name,
		    a.metadata_location, a.metadata_location, err)) != PGL_OK)
			return (rc);
	}
	return (PGL_OK);
}

static int
locked_in_tx(void *arg, struct pgl_err *err)
{
	struct locked_tx	*lx = arg;
	struct swap_tx		*tx = lx->tx;
	size_t			 i;
	int			 rc;

	tx->moved = 0;
	tx->head_lost = 0;
	lx->end = LOCKED_LOST;
	for (i = 0; i < tx->n; i++)
		ice_change_clear(&tx->changes[i]);
	if ((rc = hold_pointers(tx->r, tx->changes, tx->n, err)) != PGL_OK)
		return (rc);
	if ((rc = prepare_all(tx->r, tx->changes, tx->n, lx->attempt,
	    0)) <= 0) {
		lx->end = rc == 0 ? LOCKED_UNCHANGED : LOCKED_REPLIED;
		/* Replied: roll back; unchanged: nothing was written. */
		return (rc == 0 ? PGL_OK : PGL_EINVAL);
	}
	if ((rc = write_all(tx->r, tx->changes, tx->n, err)) != PGL_OK) {
		lx->end = LOCKED_WRITE_FAILED;
		return (rc);
	}
	lx->written = 1;
	if ((rc = swap_in_tx(tx, err)) == PGL_OK)
		lx->end = LOCKED_SWAPPED;
	return (rc);
}

/*
 * One locked attempt; what the loop below does next: 0 to carry on with
 * rc (as a swap's outcome, *written set), 1 done (0 returned), -1
 * replied.
 */
static int
run_locked(struct pgl_req *r, struct swap_tx *tx, int attempt, int *rc,
    int *written, struct pgl_err *err)
{
	struct locked_tx	lx = { tx, attempt, LOCKED_LOST, 0 };

	*rc = api_tx(r, locked_in_tx, &lx, err);
	*written = lx.written;
	switch (lx.end) {
	case LOCKED_REPLIED:
		return (-1);
	case LOCKED_UNCHANGED:
		if (*rc == PGL_OK)
			return (1);
		break;
	case LOCKED_WRITE_FAILED:
		ice_reply_file_error(r, err);
		return (-1);
	default:
		break;
	}
	return (0);
}

/*
 * After a swap transaction that ended with rc: done, replied, or again
 * (another attempt; the same files again when only the head was lost).
 */
static enum loop_end
judge(struct commit_loop *l, int rc)
{
	int	settled;

	if (rc == PGL_OK)
		return (finish(l->r, l->cs, l->n) == 0 ? LOOP_DONE :
		    LOOP_REPLIED);
	/* The pointers may point at the new files: keep them. */
	if (rc == PGL_TX_UNKNOWN) {
		l->unknown = 1;
		ice_reply_unknown(l->r, &l->err);
		return (LOOP_REPLIED);
	}
	if (l->tx.moved > 0 &&
	    (settled = settle_kept(l->r, l->cs, l->n, &l->err)) != 0) {
		l->unknown = settled == -1;	/* half applied */
		return (settled == 1 ? LOOP_DONE : LOOP_REPLIED);
	}
	if (l->written && l->tx.head_lost &&
	    l->head_retries++ < HEAD_ATTEMPTS) {
		pgl_metrics_inc(PGL_C_COMMIT_RETRIES);
		return (LOOP_AGAIN);
	}
	if (l->written)
		delete_written(l->r, l->cs, l->n);
	l->written = 0;
	/* A race between transactions (PGL_ERETRY) at a pointer is a lost
	 * swap too: another commit of the asset won. */
	if (rc != PGL_ECONFLICT && rc != PGL_ERETRY) {
		pgl_reply_store_error(l->r, &l->err);
		return (LOOP_REPLIED);
	}
	if (++l->attempt < COMMIT_ATTEMPTS)
		pgl_metrics_inc(PGL_C_COMMIT_RETRIES);
	return (LOOP_AGAIN);
}

/*
 * Lost races are retried at once, never after a sleep: a worker serves
 * many requests, and a sleep here would stall every one queued behind
 * this commit.  The winner has just finished, so the fresh base is
 * ready.  A race lost only at the branch head retries the transaction
 * alone, with the files already written; those retries are cheap and
 * have their own, larger bound.  After LOCK_AFTER lost pointer swaps,
 * attempts are locked (above).  A store's lost race between transactions
 * (PGL_ERETRY, a serialization failure) is one of these, by where it
 * happened; when every attempt lost, the answer is 409 CommitFailed,
 * which is the truth for a commit: nothing landed, and the client's own
 * retry (reload, commit again) is what it needs.  Not 503: a client
 * reads 5xx from a commit as "state unknown" and does not retry.
 */
enum loop_end
commit_loop_run(struct commit_loop *l)
{
	enum loop_end	end;
	int		rc, settled;

	while (l->attempt < COMMIT_ATTEMPTS) {
		if (!l->written && l->attempt >= LOCK_AFTER &&
		    !l->never_lock) {
			if ((settled = run_locked(l->r, &l->tx, l->attempt,
			    &rc, &l->written, &l->err)) != 0)
				return (settled == 1 ? LOOP_DONE :
				    LOOP_REPLIED);
		} else {
			if (!l->written &&
			    (end = prepare_and_write(l)) != LOOP_AGAIN)
				return (end);
			rc = api_tx(l->r, swap_in_tx, &l->tx, &l->err);
		}
		if ((end = judge(l, rc)) != LOOP_AGAIN)
			return (end);
	}
	pgl_metrics_inc(PGL_C_COMMIT_GAVE_UP);
	pgl_reply_ice_error(l->r, 409, "CommitFailedException", "Commit "
	    "failed: the %s changed concurrently %d times; retry",
	    l->cs[0].kind->noun, COMMIT_ATTEMPTS);
	return (LOOP_REPLIED);
}

void
commit_loop_init(struct commit_loop *l, struct pgl_req *r,
    struct ice_change *cs, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->r = r;
	l->cs = cs;
	l->n = n;
	l->tx.r = r;
	l->tx.changes = cs;
	l->tx.n = n;
}

int
ice_commit_run(struct pgl_req *r, struct ice_change *cs, size_t n)
{
	struct commit_loop	l;

	commit_loop_init(&l, r, cs, n);
	return (commit_loop_run(&l) == LOOP_DONE ? 0 : -1);
}

enum loop_end
commit_loop_written(struct commit_loop *l)
{
	enum loop_end	end;
	int		rc;

	l->written = 1;
	if ((rc = api_tx(l->r, swap_in_tx, &l->tx, &l->err)) == PGL_TX_BUSY)
		return (LOOP_BUSY);
	end = judge(l, rc);
	return (end == LOOP_AGAIN ? commit_loop_run(l) : end);
}

/*
 * Group commit: the swaps of loops whose files are written, in one store
 * transaction.  A worker's commits of different tables whose files the
 * pool finished together then share the transaction's begin and commit,
 * its journal write, the branch head's one update and the checkpoint
 * that follows every so many pages, instead of each paying them.  The
 * files were fsync'd in parallel by the pool.
 *
 * A swap found lost, each write awaited, is left out (group_in_tx).  Any
 * other failure fails the transaction, and the store undoes all of it;
 * each loop then goes on alone, as it would have without the group, with
 * the file it wrote (only one that lost its own race writes again).
 * So only a store whose rollback undoes (pgl_store_is_atomic) groups: one
 * that applies writes at once would keep the swaps before the failure,
 * and a kept swap that another writer then moved past could not be told
 * from one never made.
 */
struct group_tx {
	struct commit_loop	**ls;
	size_t			  n;
	int			  defer;	/* its writes sent ahead */
};

/* The changes a commit moves: more than one is a multi-table commit. */
static size_t
moving(const struct swap_tx *tx)
{
	size_t	j, n = 0;

	for (j = 0; j < tx->n; j++)
		n += tx->changes[j].next != NULL;
	return (n);
}

/*
 * Every pointer first, then the catalog commits (ice_log_commits): a
 * branch's head moves once, at the end, so another worker's transaction
 * on the branch waits for its row (PostgreSQL) only from there to the
 * commit, not across every swap of the group.
 *
 * With each write awaited, a swap that finds its table moved (another
 * replica's commit, or with commit_workers = 0 the other worker's) is
 * left out and the rest of the group lands: that commit alone is made
 * again on the new base (group_end).  Before, the one lost swap failed
 * the transaction and every commit of the group then took a
 * transaction of its own (three replicas over one PostgreSQL: 770-790
 * rollbacks in 5 s of commits over 64 tables, 123 now).  Written ahead
 * (g->defer), a swap's count is known only at the end, so there it still
 * fails the group, which runs again awaited.
 */
static int
group_in_tx(void *arg, struct pgl_err *err)
{
	struct group_tx		*g = arg;
	struct ice_log_entry	 log[COMMIT_GROUP_MAX];
	struct commit_swap_run	 runs[COMMIT_GROUP_MAX];
	size_t			 run_of[COMMIT_GROUP_MAX];
	struct ice_change	*c;
	struct swap_tx		*tx;
	size_t			 i, j, k, n = 0, nruns = 0;
	int			 rc;

	if (g->defer && (rc = STORE(defer_writes, err)) != PGL_OK)
		return (rc);
	for (i = 0; i < g->n; i++) {
		tx = &g->ls[i]->tx;
		tx->moved = 0;
		tx->head_lost = 0;
		tx->lost = 0;
		k = moving(tx);
		for (j = 0; j < tx->n; j++) {
			c = &tx->changes[j];
			if (c->next == NULL)
				continue;
			if (n == COMMIT_GROUP_MAX)
				return (PGL_EINVAL);
			run_of[n++] = commit_swap_add(runs, &nruns, tx->r, c,
			    k > 1);
		}
	}
	if ((rc = commit_swap_runs(runs, nruns, !g->defer, err)) != PGL_OK)
		return (rc);
	/* A commit of one table only, so a lost run's commits moved
	 * nothing at all. */
	for (i = 0, k = 0; i < g->n; i++) {
		tx = &g->ls[i]->tx;
		for (j = 0; j < tx->n; j++) {
			if (tx->changes[j].next != NULL && runs[run_of[k++]].lost)
				tx->lost = 1;
		}
	}
	for (i = 0, k = 0; i < g->n; i++) {
		tx = &g->ls[i]->tx;
		for (j = 0; j < tx->n; j++) {
			c = &tx->changes[j];
			if (c->next == NULL || tx->lost)
				continue;
			tx->moved++;
			note_change(tx->r, c);
			log[k++] = log_entry(tx->r, c);
		}
	}
	return (ice_log_commits(log, k, err));
}

/* A commit whose swap the group left out: made again on the new base,
 * as a lost swap of its own transaction would be. */
static enum loop_end
lost_in_group(struct commit_loop *l)
{
	enum loop_end	end = judge(l, PGL_ECONFLICT);

	return (end == LOOP_AGAIN ? commit_loop_run(l) : end);
}

/* The group's transaction answered rc: each loop's end. */
static void
group_end(struct commit_loop **ls, size_t n, struct pgl_req **rs,
    struct group_tx *g, int rc, struct pgl_err *err, enum loop_end *ends)
{
	size_t	i;

	if (g->defer && rc != PGL_OK && rc != PGL_TX_BUSY &&
	    rc != PGL_TX_UNKNOWN) {
		pgl_metrics_inc(PGL_C_COMMIT_GROUPS_UNDEFERRED);
		g->defer = 0;
		rc = api_tx_all(rs, n, group_in_tx, g, err);
	}
	if (rc == PGL_OK) {
		pgl_metrics_inc(PGL_C_COMMIT_GROUPS);
		pgl_metrics_add(PGL_C_COMMIT_GROUPED, n);
	}
	for (i = 0; i < n; i++) {
		if (rc == PGL_TX_BUSY)
			ends[i] = LOOP_BUSY;
		else if (rc == PGL_OK && ls[i]->tx.lost)
			ends[i] = lost_in_group(ls[i]);
		else if (rc == PGL_OK)
			ends[i] = judge(ls[i], rc);
		else if (rc == PGL_TX_UNKNOWN) {
			ls[i]->err = *err;
			ends[i] = judge(ls[i], rc);
		} else
			ends[i] = commit_loop_written(ls[i]);
	}
}

/* A set-location claims its place in a transaction of its own. */
static int
any_moves(struct commit_loop **ls, size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < ls[i]->n; j++) {
			if (ls[i]->cs[j].next != NULL &&
			    ls[i]->cs[j].moved_to != NULL)
				return (1);
		}
	}
	return (0);
}

int
commit_loop_written_all(struct commit_loop **ls, size_t n,
    enum loop_end *ends, int *fd)
{
	struct group_tx	 g = { ls, n, 0 };
	struct pgl_req	*rs[COMMIT_GROUP_MAX];
	struct pgl_err	 err;
	size_t		 i;
	int		 rc;

	if (fd != NULL)
		*fd = -1;
	if (n == 1 || n > COMMIT_GROUP_MAX || !api_store_atomic() ||
	    any_moves(ls, n)) {
		for (i = 0; i < n; i++)
			ends[i] = commit_loop_written(ls[i]);
		return (0);
	}
	for (i = 0; i < n; i++) {
		ls[i]->written = 1;
		rs[i] = ls[i]->r;
	}
	/*
	 * The group's writes go out without waiting for each answer where
	 * the store can (ABI 1.24: one round trip to PostgreSQL for them
	 * all, not one each), and its COMMIT too where the caller can
	 * watch for the answer (ABI 1.25): the loop takes in and computes
	 * the next group while the server runs this one's writes.  A group
	 * that fails so runs once more with each write waiting: a swap the
	 * short path could not make (a row inherited from the branch's
	 * fork) is then made the long way, and any other failure is found
	 * as it was.
	 */
	g.defer = pgl_store_can_defer_writes(pgl_app.db);
	if (g.defer && fd != NULL) {
		rc = api_tx_all_send(rs, n, group_in_tx, &g, fd, &err);
		if (rc == PGL_TX_PENDING)
			return (1);
	} else
		rc = api_tx_all(rs, n, group_in_tx, &g, &err);
	group_end(ls, n, rs, &g, rc, &err, ends);
	return (0);
}

int
commit_loop_written_landed(struct commit_loop **ls, size_t n,
    enum loop_end *ends, int *fd)
{
	struct group_tx	 g = { ls, n, 1 };
	struct pgl_req	*rs[COMMIT_GROUP_MAX];
	struct pgl_err	 err;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++)
		rs[i] = ls[i]->r;
	memset(&err, 0, sizeof(err));
	if ((rc = api_tx_all_landed(rs, n, fd, &err)) == PGL_TX_PENDING)
		return (0);
	group_end(ls, n, rs, &g, rc, &err, ends);
	return (1);
}
