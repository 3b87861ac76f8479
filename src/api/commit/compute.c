/*
 * The CPU of a commit (commit/commit.h, ice_change_compute): parse the
 * base when this worker had no tree of it, check the requirements,
 * apply the updates, name and render the next metadata file.  About a
 * millisecond of an 18 KB file's JSON work, which on the event loop
 * made every read queued behind a commit storm wait for it (issue 45).
 * So a client's attempt runs it on a commit thread
 * (pgl_wpool_submit_commit): the change is the thread's alone until its
 * done() runs on the worker's thread.
 *
 * What the thread may touch: the change, its base tree (a cached tree is
 * shared but never modified; jansson counts references atomically), the
 * request's body (read only, alive while the request waits) and the
 * pinned bytes of the base file.  Nothing of the worker's: no cache, no
 * store, no reply, no arena allocation; the time and the next file's
 * uuid were drawn before (commit/loop.c, load).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/commit/commit.h"
#include "api/commit/compute.h"
#include "api/commit/run.h"
#include "metrics/metrics.h"
#include "storage/write_pool.h"
#include "util/json.h"
#include "util/json_memo.h"

/*
 * Each thread that renders commits' files (a worker's, a commit lane's)
 * keeps the texts of the lists of the tables it rendered last
 * (util/json_memo.h): a table's next file shares all but one or two of
 * its metadata-log's 100 entries with the last, and rendering them again
 * was most of an 18 KB file's render, a tenth of a commit's CPU (issue
 * 45).  A thread's own, so nothing is locked; the key's destructor frees
 * it when a commit lane's thread ends.  COMMIT_MEMO_LISTS lists (a table
 * has six or so), COMMIT_MEMO_BYTES of text at most: a kept list also
 * holds its entries' nodes, several times its text, though most are the
 * tree cache's anyway (64 tables of 100-entry logs: 1 MB of text).  How
 * lists replace each other is tests/unit/test_json_memo.c's.
 */
#define COMMIT_MEMO_LISTS	4096
#define COMMIT_MEMO_BYTES	(4 * 1024 * 1024)

static pthread_key_t	memo_key;
static pthread_once_t	memo_once = PTHREAD_ONCE_INIT;
static int		memo_keyed;

static void
memo_drop(void *m)
{
	pgl_json_memo_free(m);
}

static void
memo_key_make(void)
{
	memo_keyed = pthread_key_create(&memo_key, memo_drop) == 0;
}

/* This thread's memo, made on first use; NULL renders without one. */
static struct pgl_json_memo *
thread_memo(void)
{
	struct pgl_json_memo	*m;

	if (pthread_once(&memo_once, memo_key_make) != 0 || !memo_keyed)
		return (NULL);
	if ((m = pthread_getspecific(memo_key)) != NULL)
		return (m);
	if ((m = pgl_json_memo_new(COMMIT_MEMO_LISTS, COMMIT_MEMO_BYTES,
	    17)) == NULL)
		return (NULL);
	if (pthread_setspecific(memo_key, m) != 0) {
		pgl_json_memo_free(m);
		return (NULL);
	}
	return (m);
}

/*
 * Render c->next, the entries it shares with the last file of its table
 * (by its uuid) copied from this thread's memo.
 */
static int
render(struct ice_change *c)
{
	struct pgl_json_memo	*m = NULL;
	const char		*key;
	uint64_t		 copied0 = 0, copied, kept;
	int			 rc;

	key = json_string_value(json_object_get(c->next, "table-uuid"));
	if (c->kind->entries_kept && key != NULL &&
	    (m = thread_memo()) != NULL)
		pgl_json_memo_counts(m, &copied0, &kept);
	rc = ice_render_metadata(c->next_location, c->next, m, key,
	    &c->bytes, &c->len, &c->gz, &c->gzlen, &c->err);
	if (m != NULL) {
		pgl_json_memo_counts(m, &copied, &kept);
		pgl_metrics_add(PGL_C_COMMIT_ENTRIES_COPIED, copied - copied0);
	}
	return (rc);
}

int
ice_change_parse(struct ice_change *c)
{
	char	why[200];

	if (c->base != NULL)
		return (0);
	c->base = c->raw != NULL ? pgl_json_parse(c->raw, c->rawlen, why,
	    sizeof(why)) : NULL;
	if (c->base == NULL || !json_is_object(c->base)) {
		json_decref(c->base);
		c->base = NULL;
		c->compute = COMPUTE_CORRUPT;
		return (-1);
	}
	c->parsed = 1;
	return (0);
}

void
ice_change_compute(struct ice_change *c)
{
	if (ice_change_parse(c) == -1)
		return;
	if ((c->next = c->kind->apply(c, c->now_ms, &c->ierr)) == NULL) {
		c->compute = COMPUTE_REFUSED;
		return;
	}
	c->compute = COMPUTE_OK;
	if (c->kind->unchanged(c->base, c->next)) {
		json_decref(c->next);
		c->next = NULL;
		return;
	}
	if ((c->next_location = c->kind->location(c->next,
	    c->asset.metadata_location, c->uuid)) == NULL) {
		c->compute = COMPUTE_NO_LOCATION;
		return;
	}
	if (render(c) != PGL_OK)
		c->compute = COMPUTE_FAILED;
}

static void
compute_all(struct pgl_wjob *job)
{
	struct commit_loop	*l = job->arg;
	size_t			 i;

	for (i = 0; i < l->n; i++)
		ice_change_compute(&l->cs[i]);
	job->rc = PGL_OK;
}

static void
computed(struct pgl_wjob *job, int stopped)
{
	struct commit_loop	*l = job->arg;

	if (stopped)
		l->stopped = 1;
	else {
		l->computed = 1;
		pgl_metrics_inc(PGL_C_COMMIT_THREAD_ATTEMPTS);
	}
	l->resume(l->owner);
}

int
commit_compute_submit(struct commit_loop *l)
{
	memset(&l->cjob, 0, sizeof(l->cjob));
	l->cjob.run = compute_all;
	l->cjob.done = computed;
	l->cjob.arg = l;
	return (pgl_wpool_submit_commit(&l->cjob));
}
