/*
 * What a tenant holds against its quota, for its admins and the
 * operator (GET /api/v1/tenants/{id}/usage: root, or that tenant's
 * admin), and for /metrics: the tenants holding the most, by kind,
 * read from the store at most every 10 s per worker (/metrics is
 * public), as the stored plans' lines are (api/scan/scan_quota.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/quota/quota.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/jw.h"

#define METRICS_TENANTS		100
#define METRICS_EVERY_MS	10000

static json_t *
usage_json(const char *tenant, const struct api_quota_limits *l,
    const int64_t count[PGL_QUOTA_KINDS],
    const int64_t bytes[PGL_QUOTA_KINDS])
{
	json_t	*kinds = json_object(), *j;
	int64_t	 held = 0;
	int	 k;

	for (k = 0; k < PGL_QUOTA_KINDS; k++) {
		held += bytes[k];
		json_object_set_new(kinds, api_quota_kind_name(k), json_pack(
		    "{s:I,s:I,s:I,s:I}", "count", (json_int_t)count[k],
		    "bytes", (json_int_t)bytes[k], "limit",
		    (json_int_t)l->count[k], "limit_bytes",
		    (json_int_t)l->bytes[k]));
	}
	j = json_pack("{s:s,s:{s:I,s:I,s:I},s:o}", "tenant", tenant,
	    "total", "bytes", (json_int_t)held, "counted",
	    (json_int_t)api_quota_total(l, bytes), "limit",
	    (json_int_t)l->max_bytes, "kinds", kinds);
	return (j);
}

void
api_quota_usage(struct pgl_req *r)
{
	const char		*id = pgl_param(r, "id");
	struct api_quota_limits	 l;
	struct pgl_tenant	 t;
	struct pgl_err		 err;
	int64_t			 count[PGL_QUOTA_KINDS], bytes[PGL_QUOTA_KINDS];

	if (!pgl_uuid_valid(id)) {
		pgl_reply_error(r, 400, "tenant id must be a UUID");
		return;
	}
	/* Another tenant's id answers exactly like a missing one. */
	if (r->who.role != ROLE_ROOT && strcmp(id, r->who.tenant_id) != 0) {
		pgl_reply_error(r, 404, "Tenant not found");
		return;
	}
	if (STORE(get_tenant, r->arena, id, &t, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Tenant not found");
		return;
	}
	if (!pgl_store_has_usage(pgl_app.db)) {
		pgl_reply_error(r, 501, "this store plugin keeps no usage "
		    "ledger (store ABI 1.27)");
		return;
	}
	if (api_quota_usage_of(r->arena, id, count, bytes, &err) == -1) {
		pgl_reply_store_error(r, &err);
		return;
	}
	api_quota_limits(t.properties, &l);
	pgl_reply_json(r, 200, usage_json(id, &l, count, bytes));
}

/* The per-tenant lines, as last read from the store. */
static struct {
	char	*text;
	int64_t	 read_at_ms;
} held;

static void
line(struct pgl_jw *w, const char *name, const char *tenant,
    const char *kind, int64_t v)
{
	char	buf[256];

	if (kind != NULL)
		(void)snprintf(buf, sizeof(buf), "%s{tenant=\"%s\",kind=\"%s\"} "
		    "%lld\n", name, tenant, kind, (long long)v);
	else
		(void)snprintf(buf, sizeof(buf), "%s{tenant=\"%s\"} %lld\n",
		    name, tenant, (long long)v);
	jw_raw(w, buf);
}

static void
tenant_lines(struct pgl_jw *w)
{
	struct api_quota_limits	 l;
	struct pgl_arena	*a;
	struct pgl_usage	*u;
	struct pgl_err		 err;
	size_t			 n = 0, i;

	if (pgl_app.dbh == NULL || !pgl_store_has_usage(pgl_app.db) ||
	    (a = pgl_arena_new()) == NULL)
		return;
	memset(&err, 0, sizeof(err));
	if (STORE(usage, a, NULL, NULL, METRICS_TENANTS, &u, &n, &err) !=
	    PGL_OK)
		n = 0;
	jw_raw(w, "# HELP pangolin_tenant_store_rows Rows the metadata store "
	    "keeps for a tenant, by kind (the tenants holding the most bytes)."
	    "\n# TYPE pangolin_tenant_store_rows gauge\n");
	for (i = 0; i < n; i++)
		line(w, "pangolin_tenant_store_rows", u[i].tenant, u[i].kind,
		    u[i].count);
	jw_raw(w, "# HELP pangolin_tenant_store_bytes Bytes of those rows, "
	    "as the tenant's quota counts them.\n"
	    "# TYPE pangolin_tenant_store_bytes gauge\n");
	for (i = 0; i < n; i++)
		line(w, "pangolin_tenant_store_bytes", u[i].tenant, u[i].kind,
		    u[i].bytes);
	jw_raw(w, "# HELP pangolin_tenant_quota_bytes The tenant's quota of "
	    "bytes in all ([quota] max_bytes, or its own).\n"
	    "# TYPE pangolin_tenant_quota_bytes gauge\n");
	for (i = 0; i < n; i++) {
		/* Rows come by tenant: one line at each tenant's first. */
		if (i > 0 && strcmp(u[i].tenant, u[i - 1].tenant) == 0)
			continue;
		api_quota_limits_for(a, u[i].tenant, &l);
		line(w, "pangolin_tenant_quota_bytes", u[i].tenant, NULL,
		    l.max_bytes);
	}
	pgl_arena_free(a);
}

char *
api_quota_metrics(void)
{
	struct pgl_jw	w;
	int64_t		now = pgl_now_ms();

	if (held.text == NULL || now - held.read_at_ms >= METRICS_EVERY_MS) {
		jw_init(&w);
		tenant_lines(&w);
		free(held.text);
		held.text = w.oom || w.buf == NULL ? NULL : strdup(w.buf);
		held.read_at_ms = now;
		jw_free(&w);
	}
	return (held.text != NULL ? strdup(held.text) : NULL);
}
