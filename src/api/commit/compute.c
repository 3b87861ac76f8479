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
#include <stdio.h>
#include <string.h>

#include "api/commit/commit.h"
#include "api/commit/compute.h"
#include "api/commit/run.h"
#include "metrics/metrics.h"
#include "storage/write_pool.h"
#include "util/json.h"

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
	if (ice_render_metadata(c->next_location, c->next, &c->bytes, &c->len,
	    &c->gz, &c->gzlen, &c->err) != PGL_OK)
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
