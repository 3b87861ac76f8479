/*
 * Object reads, writes and deletes as write-pool jobs (obj_job.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/obj_job.h"
#include "storage/s3.h"

static void
run(struct pgl_wjob *w)
{
	struct pgl_objjob	*j = (struct pgl_objjob *)w;

	if (j->op == PGL_OBJ_GET)
		w->rc = pgl_obj_read(&j->st, j->location, j->max, &j->out,
		    &j->outlen, &w->err);
	else if (j->op == PGL_OBJ_PUT)
		w->rc = pgl_obj_write(&j->st, j->location, j->data, j->len,
		    &w->err);
	else
		w->rc = pgl_obj_delete(&j->st, j->location, &w->err);
}

/* *dst = a copy of src (NULL stays NULL); -1 out of memory. */
static int
dup(const char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return (0);
	}
	return ((*dst = strdup(src)) == NULL ? -1 : 0);
}

/* The Azure settings' strings, copied (az cleared first by the caller). */
static int
azure_copy(struct pgl_azure *d, const struct pgl_azure *s)
{
	return (dup(&d->account, s->account) == -1 ||
	    dup(&d->container, s->container) == -1 ||
	    dup(&d->endpoint, s->endpoint) == -1 ||
	    dup(&d->account_key, s->account_key) == -1 ||
	    dup(&d->tenant_id, s->tenant_id) == -1 ||
	    dup(&d->client_id, s->client_id) == -1 ||
	    dup(&d->client_secret, s->client_secret) == -1 ||
	    dup(&d->authority, s->authority) == -1 ||
	    dup(&d->name, s->name) == -1 ? -1 : 0);
}

/* A secret is not left in freed memory. */
static void
free_secret(const char *v)
{
	if (v != NULL)
		explicit_bzero((char *)v, strlen(v));
	free((char *)v);
}

int
pgl_storage_copy(struct pgl_storage *dst, const struct pgl_storage *src)
{
	struct pgl_s3	*s;

	*dst = *src;
	s = &dst->s3;
	/* Cleared first: a failed copy frees only what was copied. */
	dst->root = NULL;
	memset(&dst->sts, 0, sizeof(dst->sts));
	memset(&dst->az, 0, sizeof(dst->az));
	dst->az.max_results = src->az.max_results;
	dst->warehouse_id = NULL;
	s->endpoint = s->region = s->bucket = s->access_key = NULL;
	s->secret_key = s->session_token = s->name = NULL;
	if (azure_copy(&dst->az, &src->az) == -1 ||
	    dup(&dst->root, src->root) == -1 ||
	    dup(&s->endpoint, src->s3.endpoint) == -1 ||
	    dup(&s->region, src->s3.region) == -1 ||
	    dup(&s->bucket, src->s3.bucket) == -1 ||
	    dup(&s->access_key, src->s3.access_key) == -1 ||
	    dup(&s->secret_key, src->s3.secret_key) == -1 ||
	    dup(&s->session_token, src->s3.session_token) == -1 ||
	    dup(&s->name, src->s3.name) == -1) {
		pgl_storage_release(dst);
		return (-1);
	}
	return (0);
}

void
pgl_storage_release(struct pgl_storage *st)
{
	struct pgl_s3		*s = &st->s3;
	struct pgl_azure	*az = &st->az;

	free((char *)az->account);
	free((char *)az->container);
	free((char *)az->endpoint);
	free_secret(az->account_key);
	free((char *)az->tenant_id);
	free((char *)az->client_id);
	free_secret(az->client_secret);
	free((char *)az->authority);
	free((char *)az->name);

	free((char *)st->root);
	free((char *)s->endpoint);
	free((char *)s->region);
	free((char *)s->bucket);
	free((char *)s->access_key);
	free_secret(s->secret_key);
	free((char *)s->session_token);
	free((char *)s->name);
	memset(st, 0, sizeof(*st));
}

struct pgl_objjob *
pgl_objjob_new(const struct pgl_storage *st, enum pgl_obj_op op,
    const char *location)
{
	struct pgl_objjob	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return (NULL);
	j->op = op;
	if (pgl_storage_copy(&j->st, st) == -1) {
		free(j);
		return (NULL);
	}
	if ((j->location = strdup(location)) == NULL) {
		pgl_objjob_free(j);
		return (NULL);
	}
	j->w.run = run;
	return (j);
}

void
pgl_objjob_free(struct pgl_objjob *j)
{
	if (j == NULL)
		return;
	pgl_storage_release(&j->st);
	free(j->location);
	free(j->out);
	free(j);
}

/*
 * Gates, one per S3 endpoint under way in this worker.  Only the
 * worker's thread touches them: submit and done() both run there.
 */
#define GATES	64

struct gate {
	char			 origin[256];
	int			 inflight;
	int			 queued;
	struct pgl_objjob	*head, **tail;
};

static struct gate	gates[GATES];

/* The gate of j's endpoint, or -1 (the table is full of busy ones). */
static int
gate_of(const struct pgl_objjob *j)
{
	char	origin[sizeof(gates[0].origin)];
	int	i, idle = -1;

	pgl_s3_origin(&j->st.s3, origin, sizeof(origin));
	for (i = 0; i < GATES; i++) {
		if (gates[i].origin[0] != '\0' &&
		    strcmp(gates[i].origin, origin) == 0)
			return (i);
		if (idle == -1 && gates[i].inflight == 0 &&
		    gates[i].queued == 0)
			idle = i;
	}
	if (idle != -1) {
		(void)snprintf(gates[idle].origin, sizeof(gates[idle].origin),
		    "%s", origin);
		gates[idle].head = NULL;
		gates[idle].tail = &gates[idle].head;
	}
	return (idle);
}

/* A job that cannot start: its done() with the pool's refusal. */
static void
fail(struct pgl_objjob *j, int stopped)
{
	j->w.rc = PGL_EUNAVAIL;
	(void)snprintf(j->w.err.msg, sizeof(j->w.err.msg),
	    "the server is stopping");
	j->w.err.code = PGL_EUNAVAIL;
	j->user_done(&j->w, stopped);
}

static void	gate_done(struct pgl_wjob *, int);

/*
 * Start j in the pool; slot: it holds one of its gate's.  One without
 * (past the queue) is refused by the endpoint at once, and its end
 * frees nothing for the next in line.
 */
static int
start(struct pgl_objjob *j, int slot)
{
	j->w.done = gate_done;
	j->slot = slot;
	if (pgl_wpool_submit(&j->w) == -1)
		return (-1);
	gates[j->gate].inflight += slot;
	return (0);
}

/*
 * A slot is free: start the next in line (all of them fail if the pool
 * is stopping).  Before the ended job's done() runs, so that what that
 * done() submits queues behind them rather than jumping in.
 */
static void
gate_next(struct gate *g, int stopped)
{
	struct pgl_objjob	*next;

	while ((next = g->head) != NULL && (stopped ||
	    g->inflight < pgl_s3_limits()->max_inflight)) {
		if ((g->head = next->queued) == NULL)
			g->tail = &g->head;
		g->queued--;
		if (!stopped && start(next, 1) == 0)
			continue;
		fail(next, 1);
	}
}

static void
gate_done(struct pgl_wjob *w, int stopped)
{
	struct pgl_objjob	*j = (struct pgl_objjob *)w;
	struct gate		*g = &gates[j->gate];

	if (j->slot) {
		g->inflight--;
		gate_next(g, stopped);
	}
	j->user_done(w, stopped);
}

int
pgl_objjob_refuse(const struct pgl_storage *st, const char *why,
    struct pgl_err *err)
{
	err->code = PGL_EUNAVAIL;
	(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%.60s': object "
	    "store not reached: %.80s; retry after 1 s", st->remote &&
	    st->s3.name != NULL ? st->s3.name : "?", why);
	return (PGL_EUNAVAIL);
}

/* No pool took j: why, in its error. */
static int
refused(struct pgl_objjob *j)
{
	(void)pgl_objjob_refuse(&j->st, "the server is stopping", &j->w.err);
	j->w.rc = j->w.err.code;
	return (-1);
}

int
pgl_objjob_submit(struct pgl_objjob *j)
{
	const struct pgl_s3_limits	*lim = pgl_s3_limits();
	struct gate			*g;

	j->user_done = j->w.done;
	j->gate = -1;
	if (!j->st.remote || lim->max_inflight == 0 ||
	    (j->gate = gate_of(j)) == -1) {
		j->w.done = j->user_done;
		return (pgl_wpool_submit(&j->w) == 0 ? 0 : refused(j));
	}
	g = &gates[j->gate];
	if (g->inflight < lim->max_inflight)
		return (start(j, 1) == 0 ? 0 : refused(j));
	if (g->queued >= lim->max_queued)
		return (start(j, 0) == 0 ? 0 : refused(j));
	j->queued = NULL;
	*g->tail = j;
	g->tail = &j->queued;
	g->queued++;
	return (0);
}
