/*
 * Metadata files and the catalog commit log, shared by table and view
 * handlers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/cache/cache.h"
#include "api/gate.h"
#include "api/request/fetch.h"
#include "api/storage/storage.h"
#include "api/target.h"
#include "api/commit/commit.h"
#include "metrics/metrics.h"
#include "storage/objio.h"
#include "app/app.h"
#include "http/gzip.h"
#include "pangolin/cache.h"
#include "storage/codec.h"
#include "storage/obj_job.h"
#include "storage/fileio.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/json_out.h"

void
ice_reply_unknown(struct pgl_req *r, const struct pgl_err *err)
{
	/* iceberg-commit.md: 500, no retry, no cleanup; clients reload. */
	pgl_reply_ice_error(r, 500, "CommitStateUnknownException", "the "
	    "commit may or may not have landed (%s); reload the table",
	    err->msg);
}

static int	write_text(struct pgl_req *, const struct pgl_catalog *,
		    const char *, const char *, size_t, const char *, size_t,
		    struct pgl_err *);

int
ice_write_metadata(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, const json_t *md, struct pgl_err *err)
{
	char	*text, *gz;
	size_t	 len, gzlen;
	int	 rc;

	if ((rc = ice_render_metadata(location, md, NULL, NULL, &text, &len,
	    &gz, &gzlen, err)) != PGL_OK)
		return (rc);
	rc = write_text(r, c, location, text, len, gz, gzlen, err);
	free(text);
	free(gz);
	return (rc);
}

/*
 * A metadata file's text: json_dumps(md, JSON_COMPACT |
 * JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17))'s
 * bytes, written by util/json_out.c.  Reals (a double column's default)
 * get 17 significant digits, so that reading the file gives back the
 * very tree that was written: the commit loop keeps that tree
 * (api/cache/tree_cache.c).
 */
int
ice_render_metadata(const char *location, const json_t *md,
    struct pgl_json_memo *memo, const char *key, char **text, size_t *len,
    char **gz, size_t *gzlen, struct pgl_err *err)
{
	*gz = NULL;
	*gzlen = 0;
	/* pgl_json_out tells the length: no strlen() of 18 KB per commit. */
	if ((*text = pgl_json_out_memo(md, 17, len, memo, key)) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (err->code);
	}
	if (strstr(location, ".gz.metadata.json") != NULL &&
	    pgl_gzip(*text, *len, gz, gzlen) == -1) {
		free(*text);
		*text = NULL;
		err->code = PGL_EINTERNAL;
		(void)snprintf(err->msg, sizeof(err->msg), "gzip failed");
		return (err->code);
	}
	return (PGL_OK);
}

/* Write a rendered file here (its gzip if any), as below. */
static int
write_text(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, const char *text, size_t n, const char *gz,
    size_t gzlen, struct pgl_err *err)
{
	const struct pgl_storage	*st;
	int				 rc;

	/* A write is a side effect no replay may repeat (fetch.h). */
	api_fetch_disarm(r);
	if ((rc = api_storage(r, c, &st, err)) != PGL_OK)
		return (rc);
	/* A client's object PUT goes to the pool (write.c, async.c,
	 * batch.c): here it would hold the event loop. */
	if (st->remote && api_on_loop(r))
		return (pgl_objjob_refuse(st, "it cannot be written at this "
		    "step", err));
	if (gz != NULL)
		rc = pgl_obj_write(st, location, gz, gzlen, err);
	else
		rc = pgl_obj_write(st, location, text, n, err);
	api_count_s3();
	return (rc);
}

int
ice_write_rendered(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, const struct ice_change *ch, struct pgl_err *err)
{
	return (write_text(r, c, location, ch->bytes, ch->len, ch->gz,
	    ch->gzlen, err));
}

json_t *
ice_op_put(const struct pgl_asset *a)
{
	json_t	*props = api_obj(a->properties);

	if (a->metadata_location != NULL)
		json_object_set_new(props, "metadata_location",
		    json_string(a->metadata_location));
	return (json_pack("{s:{s:{s:s,s:s,s:o,s:s,s:s,s:o}}}", "Put", "asset",
	    "id", a->id, "name", a->name, "namespace", ice_ns_json(a->ns),
	    "kind", a->kind, "location", a->location, "properties", props));
}

json_t *
ice_op_delete(const char *ns, const char *name)
{
	return (json_pack("{s:{s:s,s:o}}", "Delete", "name", name,
	    "namespace", ice_ns_json(ns)));
}

/* Strings equal, NULL equal only to NULL (a branch may have no head). */
static int
same_id(const char *a, const char *b)
{
	return (a == NULL || b == NULL ? a == b : strcmp(a, b) == 0);
}

static void
fill_commit(struct pgl_commit *c, struct pgl_req *r, const char *catalog,
    const char *parent, const char *message, const char *text)
{
	memset(c, 0, sizeof(*c));
	c->catalog = catalog;
	c->parent_id = parent;
	c->timestamp_ms = pgl_now_ms();
	c->author = r->who.username[0] != '\0' ? r->who.username :
	    "anonymous";
	c->message = message;
	c->operations = text;
}

/*
 * The head's compare-and-swap fails when another change to the branch
 * committed first.  With atomic transactions the caller's transaction
 * is rolled back and made again (ice_tx_on_branch).  A store without
 * them (the MongoDB-protocol test server) has kept the asset change
 * already, so its commit is recorded again here, on the head as it is
 * now.  The re-read tells the cases apart: inside a failed PostgreSQL
 * transaction it fails, and in a snapshot the head has not moved; both
 * return the conflict.
 */
#define HEAD_RELOG_ATTEMPTS	32

int
ice_log_commit(struct pgl_req *r, const char *catalog, const char *branch,
    const char *message, json_t *ops, struct pgl_err *err)
{
	struct pgl_commit	c;
	struct pgl_branch	b;
	struct pgl_err		again;
	const char		*text, *tried = NULL;
	char			 id[PGL_UUID_LEN + 1];
	int			 attempt, rc;

	text = api_text(r->arena, ops);
	json_decref(ops);
	for (attempt = 0; attempt < HEAD_RELOG_ATTEMPTS; attempt++) {
		if ((rc = STORE(get_branch, r->arena, r->tenant, catalog,
		    branch, &b, attempt == 0 ? err : &again)) != PGL_OK)
			return (attempt == 0 ? rc : PGL_ECONFLICT);
		if (attempt > 0 && same_id(b.head_commit_id, tried))
			return (PGL_ECONFLICT);
		fill_commit(&c, r, catalog, b.head_commit_id, message, text);
		pgl_uuid_new_ordered(id, c.timestamp_ms);
		c.id = id;
		if ((rc = STORE(create_commit, r->tenant, &c, err)) != PGL_OK)
			return (rc);
		/* The CAS guards stores whose transactions do not serialize
		 * writers. */
		rc = STORE(update_branch_head, r->tenant, catalog, branch,
		    b.head_commit_id, id, err);
		if (rc != PGL_ECONFLICT)
			return (rc);
		tried = b.head_commit_id;
	}
	return (rc);
}

static int
oom(struct pgl_err *err)
{
	err->code = PGL_ENOMEM;
	(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
	return (err->code);
}

static int
same_branch(const struct ice_log_entry *a, const struct ice_log_entry *b)
{
	return (strcmp(a->r->tenant, b->r->tenant) == 0 &&
	    strcmp(a->catalog, b->catalog) == 0 &&
	    strcmp(a->branch, b->branch) == 0);
}

/* The entries of es[first]'s branch, chained from its head; then the head. */
static int
log_branch(struct ice_log_entry *es, size_t n, size_t first, char *done,
    struct pgl_err *err)
{
	struct ice_log_entry	*e = &es[first];
	struct pgl_branch	 b;
	struct pgl_commit	 c;
	const char		*parent;
	char			*id;
	size_t			 i;
	int			 rc;

	if ((rc = STORE(get_branch, e->r->arena, e->r->tenant, e->catalog,
	    e->branch, &b, err)) != PGL_OK)
		return (rc);
	parent = b.head_commit_id;
	for (i = first; i < n; i++) {
		if (done[i] || !same_branch(e, &es[i]))
			continue;
		done[i] = 1;
		if ((id = pgl_arena_alloc(e->r->arena, PGL_UUID_LEN + 1)) ==
		    NULL)
			return (oom(err));
		fill_commit(&c, es[i].r, es[i].catalog, parent, es[i].message,
		    api_text(es[i].r->arena, es[i].ops));
		pgl_uuid_new_ordered(id, c.timestamp_ms);
		c.id = id;
		if ((rc = STORE(create_commit, e->r->tenant, &c, err)) != PGL_OK)
			return (rc);
		parent = id;
	}
	return (STORE(update_branch_head, e->r->tenant, e->catalog,
	    e->branch, b.head_commit_id, parent, err));
}

int
ice_log_commits(struct ice_log_entry *es, size_t n, struct pgl_err *err)
{
	char	done[64];
	size_t	i;
	int	rc = PGL_OK;

	if (n > sizeof(done)) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "a group of %zu "
		    "commits is over %zu", n, sizeof(done));
		rc = err->code;
	}
	memset(done, 0, sizeof(done));
	for (i = 0; i < n && rc == PGL_OK; i++) {
		if (!done[i])
			rc = log_branch(es, n, i, done, err);
	}
	for (i = 0; i < n; i++)
		json_decref(es[i].ops);
	return (rc);
}

/*
 * Two writers of different assets of one branch race for its head.  On
 * PostgreSQL (snapshot isolation) the later one fails with a
 * serialization error, PGL_ERETRY: not the client's conflict, and the
 * store rolled the change back, so it is made again on the head as it
 * now is, after a short random pause (api_tx_pause: losers that all came
 * back at once would meet again).  A plugin built before store ABI 1.14
 * says PGL_ECONFLICT for the same race; that, and a head lost to a
 * compare-and-swap, is run again at once, as before: the winner has
 * just committed.  Both count against one bound.  Inside the gate's
 * transaction a failed statement has aborted the outer transaction too;
 * that one fails as a whole (and the gate runs it again).
 */
int
ice_tx_on_branch(struct pgl_req *r, int (*fn)(void *, struct pgl_err *),
    void *arg, struct pgl_err *err)
{
	int	attempt, rc;

	for (attempt = 1; ; attempt++) {
		rc = api_tx(r, fn, arg, err);
		if ((rc != PGL_ECONFLICT && rc != PGL_ERETRY) || pgl_app.in_tx)
			return (rc);
		if (attempt == API_TX_ATTEMPTS) {
			if (rc == PGL_ERETRY)
				pgl_metrics_inc(PGL_C_STORE_TX_GAVE_UP);
			return (rc);
		}
		if (rc == PGL_ERETRY) {
			pgl_metrics_inc(PGL_C_STORE_TX_RETRIES);
			api_tx_pause(attempt);
		} else
			pgl_metrics_inc(PGL_C_COMMIT_RETRIES);
	}
}
