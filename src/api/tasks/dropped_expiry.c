/*
 * Undrop's expiry (tasks/dropped_expiry.h): drops past their retention
 * or their tenant's limit made final, each in one transaction that
 * deletes the entry and queues the table's purge, so that a crash leaves
 * either a recoverable drop or a queued purge, never files nobody will
 * delete (on a store whose rollback undoes).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/quota/quota.h"
#include "api/target.h"
#include "api/tasks/dropped_expiry.h"
#include "api/tasks/task.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "tasks/undrop.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* Entries read per store call by the sweep. */
#define SWEEP_PAGE	500

int64_t
api_dropped_retention_ms(const struct pgl_catalog *c)
{
	if (!pgl_store_has_dropped(pgl_app.db))
		return (0);
	return (pgl_undrop_retention_ms(c != NULL ? c->properties : NULL,
	    pgl_app.cfg->undrop.retention_days));
}

struct final_tx {
	struct pgl_req			*r;
	const struct pgl_dropped	*d;
	const char			*why;
	const char			*task_id;
};

/* "a.b.name" for the audit record. */
static const char *
dotted(struct pgl_req *r, const struct pgl_dropped *d)
{
	char	*s, *p;

	if ((s = pgl_arena_printf(r->arena, "%s.%s", d->ns, d->name)) == NULL)
		return (d->name);
	for (p = s; *p != '\0'; p++)
		if (*p == PGL_NS_SEP)
			*p = '.';
	return (s);
}

static int
final_in_tx(void *arg, struct pgl_err *err)
{
	struct final_tx		*tx = arg;
	const struct pgl_dropped *d = tx->d;
	struct ice_target	 t;
	json_t			*params;
	int			 rc;

	tx->task_id = NULL;
	if ((rc = STORE(delete_dropped, tx->r->tenant, d->id, err)) != PGL_OK)
		return (rc);
	/* A view's drop deletes no file, as a final one never did. */
	if (strcmp(d->kind, "ICEBERG_TABLE") == 0 &&
	    d->metadata_location != NULL) {
		memset(&t, 0, sizeof(t));
		t.catalog.name = d->catalog;
		t.branch = d->branch;
		t.ns = d->ns;
		t.name = d->name;
		params = json_pack("{s:s,s:s,s:s,s:s}", "metadata_location",
		    d->metadata_location, "location", d->location != NULL ?
		    d->location : "", "dropped_id", d->id, "reason", tx->why);
		if (params == NULL)
			return (PGL_ENOMEM);
		rc = api_task_record(tx->r, "purge", &t, params, &tx->task_id,
		    err);
		json_decref(params);
		if (rc != PGL_OK)
			return (rc);
	}
	api_audit(tx->r, tx->r->tenant, "expire_dropped", "dropped", d->id,
	    dotted(tx->r, d), 1, NULL);
	return (PGL_OK);
}

int
api_dropped_final(struct pgl_req *r, const struct pgl_dropped *d,
    const char *why, struct pgl_err *err)
{
	struct final_tx	tx = { r, d, why, NULL };
	int		rc;

	rc = api_tx_retry(r, final_in_tx, &tx, err);
	if (rc == PGL_ENOTFOUND)	/* restored or made final meanwhile */
		return (PGL_OK);
	if (rc != PGL_OK)
		return (rc);
	pgl_log(PGL_LOG_INFO, "undrop: %s of tenant %s is final (%s)%s%s",
	    d->id, r->tenant, why, tx.task_id != NULL ? ", purge task " : "",
	    tx.task_id != NULL ? tx.task_id : "");
	api_task_kick();
	return (PGL_OK);
}

/* d made final when its catalog's retention has passed. */
static void
expire_one(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_dropped *d, int64_t now)
{
	struct pgl_err	err;

	if (!pgl_undrop_expired(api_dropped_retention_ms(c), d->dropped_at_ms,
	    now))
		return;
	memset(&err, 0, sizeof(err));
	if (api_dropped_final(r, d, "retention", &err) != PGL_OK)
		pgl_log(PGL_LOG_WARN, "undrop: cannot expire %s of tenant %s: "
		    "%s", d->id, r->tenant, err.msg);
}

void
api_dropped_expire(struct pgl_req *r, const struct pgl_catalog *c)
{
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_dropped	*ds;
	struct pgl_err		 err;
	size_t			 n, i;
	int64_t			 now = pgl_now_ms();

	if (!pgl_store_has_dropped(pgl_app.db))
		return;
	if (STORE(list_dropped, r->arena, r->tenant, c->name, &all, &ds, &n,
	    NULL, &err) != PGL_OK) {
		pgl_log(PGL_LOG_WARN, "undrop: cannot list the drops of %s: "
		    "%s", c->name, err.msg);
		return;
	}
	for (i = 0; i < n; i++)
		expire_one(r, c, &ds[i], now);
}

/* The bytes of d as the usage ledger counts them, near enough. */
static int64_t
entry_bytes(const struct pgl_dropped *d)
{
	const char *const f[] = { d->id, d->catalog, d->branch, d->ns,
	    d->name, d->kind, d->asset_id, d->location, d->metadata_location,
	    d->properties, d->dropped_by, d->column_tags };
	int64_t	b = 0;
	size_t	i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		b += f[i] != NULL ? (int64_t)strlen(f[i]) : 0;
	return (b * PGL_USAGE_TEXT_NUM / PGL_USAGE_TEXT_DEN +
	    PGL_USAGE_ROW_BYTES);
}

/* The bytes of the tenant's drops (its ledger), -1 when unknown. */
static int64_t
held_bytes(struct pgl_req *r)
{
	int64_t		count[PGL_QUOTA_KINDS], bytes[PGL_QUOTA_KINDS];
	struct pgl_err	err;

	if (!pgl_store_has_usage(pgl_app.db) || api_quota_usage_of(r->arena,
	    r->tenant, count, bytes, &err) == -1)
		return (-1);
	return (bytes[PGL_Q_DROPPED]);
}

/*
 * Past the tenant's quota of drops (its count, [undrop] max_per_tenant
 * or its pangolin.quota.dropped; its bytes, [quota] dropped_bytes or
 * its own), its oldest become final: a drop is never refused.
 */
void
api_dropped_trim(struct pgl_req *r)
{
	struct api_quota_limits	 l;
	struct pgl_page		 pg = { 1, 0, NULL };
	struct pgl_dropped	*ds;
	struct pgl_err		 err;
	size_t			 n, i;
	uint64_t		 total;
	int64_t			 limit, max_bytes, held = -1;

	if (!pgl_store_has_dropped(pgl_app.db))
		return;
	api_quota_limits_for(r->arena, r->tenant, &l);
	limit = l.count[PGL_Q_DROPPED];
	if ((max_bytes = l.bytes[PGL_Q_DROPPED]) != 0)
		held = held_bytes(r);
	if (limit == 0 && held <= max_bytes)
		return;
	if (STORE(list_dropped, r->arena, r->tenant, NULL, &pg, &ds, &n,
	    &total, &err) != PGL_OK)
		goto failed;
	if ((limit == 0 || total <= (uint64_t)limit) && held <= max_bytes)
		return;
	/* Newest first: those after the first limit are the oldest; past
	 * the bytes, the oldest of the rest too, until they fit. */
	pg.limit = 0;
	pg.offset = 0;
	if (STORE(list_dropped, r->arena, r->tenant, NULL, &pg, &ds, &n, NULL,
	    &err) != PGL_OK)
		goto failed;
	for (i = n; i > 0; i--) {
		if ((limit == 0 || i <= (size_t)limit) && held <= max_bytes)
			break;
		if (api_dropped_final(r, &ds[i - 1], "limit", &err) != PGL_OK)
			goto failed;
		held -= entry_bytes(&ds[i - 1]);
	}
	return;
failed:
	pgl_log(PGL_LOG_WARN, "undrop: the limit of tenant %s: %s", r->tenant,
	    err.msg);
}

/* The sweep is not a route: no authorization, no audit of its own. */
static const struct pgl_rule	sweep_rule = { WHO_ANY, 0, SC_NONE, NULL,
				    NULL };

static void
sweep_request(struct pgl_req *r, struct pgl_req_app *app,
    struct pgl_arena *a, const char *tenant)
{
	memset(r, 0, sizeof(*r));
	memset(app, 0, sizeof(*app));
	r->arena = a;
	r->app = app;
	app->rule = &sweep_rule;
	(void)pgl_strlcpy(r->tenant, tenant, sizeof(r->tenant));
	(void)pgl_strlcpy(r->who.tenant_id, tenant, sizeof(r->who.tenant_id));
	(void)pgl_strlcpy(r->who.username, "system:undrop-expiry",
	    sizeof(r->who.username));
	(void)pgl_strlcpy(r->request_id, "undrop-expiry",
	    sizeof(r->request_id));
}

/* One entry of the sweep: 1 when it was made final. */
static int
sweep_one(struct pgl_arena *a, const struct pgl_dropped *d, int64_t now)
{
	struct pgl_req		 r;
	struct pgl_req_app	 app;
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	int			 done = 0;

	sweep_request(&r, &app, a, d->tenant_id);
	memset(&err, 0, sizeof(err));
	if (api_get_catalog(&r, d->tenant_id, d->catalog, &c, &err) !=
	    PGL_OK)
		pgl_log(PGL_LOG_WARN, "undrop: catalog %s of tenant %s: %s",
		    d->catalog, d->tenant_id, err.msg);
	else if (pgl_undrop_expired(api_dropped_retention_ms(&c),
	    d->dropped_at_ms, now)) {
		if (api_dropped_final(&r, d, "retention", &err) == PGL_OK)
			done = 1;
		else
			pgl_log(PGL_LOG_WARN, "undrop: cannot expire %s of "
			    "tenant %s: %s", d->id, d->tenant_id, err.msg);
	}
	pgl_reply_withdraw(&r);
	return (done);
}

/*
 * Runner 0's sweep, every PGL_API_SWEEP_EVERY_MS: the drops past their
 * retention made final every PGL_UNDROP_SWEEP_EVERY_MS, and the tenants'
 * logs kept within their quotas (issue 67) at every call.
 */
void
api_dropped_sweep(struct pgl_store *s, volatile const int *stop)
{
	static int64_t		 next;
	struct pgl_store	*saved = pgl_app.dbh;
	struct pgl_arena	*a;
	struct pgl_page		 pg = { SWEEP_PAGE, 0, NULL };
	struct pgl_dropped	*ds;
	struct pgl_err		 err;
	size_t			 n, i, gone;
	int64_t			 now = pgl_now_ms();

	pgl_app.dbh = s;
	if (!pgl_store_has_dropped(pgl_app.db) || now < next) {
		if (!*stop)
			api_quota_sweep(s, stop);
		pgl_app.dbh = saved;
		return;
	}
	next = now + PGL_UNDROP_SWEEP_EVERY_MS;
	do {
		if ((a = pgl_arena_new()) == NULL)
			break;
		memset(&err, 0, sizeof(err));
		if (pgl_app.db->list_dropped(s, a, NULL, NULL, &pg, &ds, &n,
		    NULL, &err) != PGL_OK) {
			pgl_log(PGL_LOG_WARN, "undrop: sweep: %s", err.msg);
			pgl_arena_free(a);
			break;
		}
		for (i = gone = 0; i < n && !*stop; i++)
			gone += (size_t)sweep_one(a, &ds[i], now);
		/* What went shifted the rest of the list by as many. */
		pg.offset += n - gone;
		pgl_arena_free(a);
	} while (n == SWEEP_PAGE && !*stop);
	/* The logs kept within their tenants' quotas (issue 67). */
	if (!*stop)
		api_quota_sweep(s, stop);
	pgl_app.dbh = saved;
}
