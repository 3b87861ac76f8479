/*
 * The one commit loop (api/commit_loop.h): tables, views, multi-table
 * transactions and maintenance tasks all commit through
 * ice_commit_run().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/commit_loop.h"
#include "api/gate.h"
#include "api/iceberg.h"
#include "app.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/json.h"

/*
 * Each lost race means another writer won, so the bound only limits how
 * long one request may keep losing to a stream of others.
 */
#define COMMIT_ATTEMPTS	16

void
ice_change_clear(struct ice_change *c)
{
	json_decref(c->base);
	json_decref(c->read);
	json_decref(c->next);
	json_decref(c->planned);
	free(c->next_location);
	free(c->bytes);
	c->base = c->read = c->next = c->planned = NULL;
	c->next_location = c->bytes = NULL;
	c->len = 0;
}

/*
 * The pointer and its base.  The first attempt may take the row the
 * authorization step read; a retry reads it as it is now.
 */
static int
load(struct pgl_req *r, struct ice_change *c, int attempt)
{
	int	rc;

	if (attempt == 0)
		rc = ice_find_asset(r, &c->t, c->kind->asset, &c->asset);
	else
		rc = ice_reload_asset(r, &c->t, c->kind->asset, &c->asset);
	if (rc == -1)
		return (-1);
	/* A pointer to a file that is gone is corruption, not client error. */
	return (ice_read_metadata(r, &c->t.catalog,
	    c->asset.metadata_location, 500, &c->base));
}

/*
 * Load, check and apply one change against the current pointer, and name
 * its next file.  0 on success (c->next NULL when nothing changed); -1
 * after replying.
 */
static int
prepare(struct pgl_req *r, struct ice_change *c, int attempt)
{
	struct ice_err	 ierr;
	char		 uuid[PGL_UUID_LEN + 1];

	if (load(r, c, attempt) == -1)
		return (-1);
	if (c->plan != NULL && (c->updates = c->planned = c->plan(c->plan_arg,
	    r, c->base)) == NULL)
		return (-1);
	if ((c->next = c->kind->apply(c, pgl_now_ms(), &ierr)) == NULL) {
		pgl_reply_ice_error(r, ierr.status, ierr.type, "%s", ierr.msg);
		return (-1);
	}
	if (c->kind->unchanged(c->base, c->next)) {
		json_decref(c->next);
		c->next = NULL;
		return (0);
	}
	pgl_uuid_new(uuid);
	c->next_location = c->kind->location(c->next,
	    c->asset.metadata_location, uuid);
	if (c->next_location == NULL) {
		c->kind->no_location(r);
		return (-1);
	}
	/* set-location / write.metadata.path must not escape the catalog. */
	return (ice_location_allowed(r, &c->t.catalog, c->next_location,
	    "the metadata location"));
}

/* Write every new file; on failure delete those written. */
static int
write_all(struct pgl_req *r, struct ice_change *cs, size_t n,
    struct pgl_err *err)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		if (cs[i].next == NULL)
			continue;
		if (ice_write_metadata_bytes(r, &cs[i].t.catalog,
		    cs[i].next_location, cs[i].next, &cs[i].bytes, &cs[i].len,
		    err) != PGL_OK) {
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
		if (cs[i].next != NULL)
			ice_delete_file(r, &cs[i].t.catalog,
			    cs[i].next_location);
	}
}

/* Inside the transaction: swap one pointer and record its commit. */
static int
swap(struct pgl_req *r, const struct ice_change *c, struct pgl_err *err)
{
	struct pgl_asset	a = c->asset;
	int			rc;

	if ((rc = STORE(update_metadata_location, r->tenant, a.catalog,
	    a.branch, a.ns, a.name, a.metadata_location, c->next_location,
	    err)) != PGL_OK)
		return (rc);
	a.metadata_location = c->next_location;
	return (ice_log_commit(r, a.catalog, a.branch,
	    pgl_arena_printf(r->arena, "%s %s", c->kind->verb,
	    ice_dotted(r, a.ns, a.name)), json_pack("[o]", ice_op_put(&a)),
	    err));
}

struct swap_tx {
	struct pgl_req		*r;
	struct ice_change	*changes;
	size_t			 n;
};

static int
swap_in_tx(void *arg, struct pgl_err *err)
{
	struct swap_tx	*tx = arg;
	size_t		 i;
	int		 rc;

	for (i = 0; i < tx->n; i++) {
		if (tx->changes[i].next == NULL)
			continue;
		if ((rc = swap(tx->r, &tx->changes[i], err)) != PGL_OK)
			return (rc);
	}
	return (PGL_OK);
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

/* Prepare every change; 1 if any has something to write, -1 replied. */
static int
prepare_all(struct pgl_req *r, struct ice_change *cs, size_t n, int attempt)
{
	size_t	i;
	int	any = 0;

	for (i = 0; i < n; i++) {
		ice_change_clear(&cs[i]);
		if (prepare(r, &cs[i], attempt) == -1)
			return (-1);
		any |= cs[i].next != NULL;
	}
	return (any);
}

int
ice_commit_run(struct pgl_req *r, struct ice_change *cs, size_t n)
{
	struct swap_tx	tx = { r, cs, n };
	struct pgl_err	err;
	size_t		i;
	int		attempt, rc;

	for (attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
		if ((rc = prepare_all(r, cs, n, attempt)) <= 0)
			return (rc);
		if (write_all(r, cs, n, &err) != PGL_OK) {
			ice_reply_file_error(r, &err);
			return (-1);
		}
		if ((rc = api_tx(r, swap_in_tx, &tx, &err)) == PGL_OK) {
			for (i = 0; i < n; i++) {
				if (cs[i].bytes != NULL)
					ice_cache_metadata(cs[i].next_location,
					    cs[i].bytes, cs[i].len);
				cleanup_old(r, &cs[i]);
			}
			return (0);
		}
		/* The pointers may point at the new files: keep them. */
		if (rc == PGL_TX_UNKNOWN) {
			ice_reply_unknown(r, &err);
			return (-1);
		}
		delete_written(r, cs, n);
		if (rc != PGL_ECONFLICT) {
			pgl_reply_store_error(r, &err);
			return (-1);
		}
		/*
		 * Lost the race to another writer of the same asset.  The
		 * winner has just finished, so the fresh base is ready: retry
		 * at once.  No sleep: a worker serves many requests, and a
		 * sleep here would stall every one queued behind this commit.
		 */
		if (attempt + 1 < COMMIT_ATTEMPTS)
			pgl_metrics_inc(PGL_C_COMMIT_RETRIES);
	}
	pgl_metrics_inc(PGL_C_COMMIT_GAVE_UP);
	pgl_reply_ice_error(r, 409, "CommitFailedException", "Commit failed: "
	    "the %s changed concurrently %d times; retry", cs[0].kind->noun,
	    COMMIT_ATTEMPTS);
	return (-1);
}

/*
 * {"metadata-location":"<location>","metadata":<bytes><tail>, malloc'd
 * and handed to Kore as it is (no more copies).
 */
static void
reply_bytes(struct pgl_req *r, const char *location, const char *bytes,
    size_t len, const char *tail)
{
	json_t	*loc;
	char	*quoted, *body;
	size_t	 qlen, tlen = strlen(tail), n;
	static const char	head1[] = "{\"metadata-location\":";
	static const char	head2[] = ",\"metadata\":";

	loc = json_string(location);
	quoted = loc != NULL ? pgl_json_dump(loc) : NULL;
	json_decref(loc);
	if (quoted == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	qlen = strlen(quoted);
	n = sizeof(head1) - 1 + qlen + sizeof(head2) - 1 + len + tlen;
	if ((body = malloc(n + 1)) == NULL) {
		free(quoted);
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	memcpy(body, head1, sizeof(head1) - 1);
	memcpy(body + sizeof(head1) - 1, quoted, qlen);
	memcpy(body + sizeof(head1) - 1 + qlen, head2, sizeof(head2) - 1);
	memcpy(body + n - tlen - len, bytes, len);
	memcpy(body + n - tlen, tail, tlen + 1);
	free(quoted);
	pgl_reply_malloc(r, 200, "application/json", body, n);
}

void
ice_change_reply(struct pgl_req *r, const struct ice_change *c, int config)
{
	json_t	*j;

	if (c->next != NULL && c->bytes != NULL) {
		reply_bytes(r, c->next_location, c->bytes, c->len,
		    config ? ",\"config\":{}}" : "}");
		return;
	}
	j = json_pack("{s:s,s:O}", "metadata-location",
	    c->asset.metadata_location, "metadata", c->base);
	if (j != NULL && config)
		json_object_set_new(j, "config", json_object());
	pgl_reply_json(r, 200, j);
}
