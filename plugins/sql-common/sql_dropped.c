/*
 * Recoverable drops (store ABI 1.18, undrop): one row per dropped table
 * or view in `dropped_assets`, keyed (tenant_id, id), holding the asset
 * row as it was at the drop.  The drop inserts it in its own transaction
 * (beside the asset's delete and the catalog commit); a restore deletes
 * it in its (beside the asset's insert), and so does the expiry, beside
 * the purge task it queues: delete_dropped answers PGL_ENOTFOUND for a
 * row already gone, so of two racing only one goes on.
 *
 * Lists read newest first by one of three indexes: a catalog's
 * (dropped_catalog), a tenant's (dropped_tenant: its count for the
 * limit), or every tenant's (dropped_all: the expiry sweep).  The row
 * goes with its catalog by the foreign key (ON DELETE CASCADE).
 *
 * column_tags (ABI 1.20, migration 19 of SQLite, 18 of PostgreSQL) is
 * the host's JSON text of the asset's column tags, whose own rows the
 * asset's delete cascades away: NULL for none and for a row of before.
 *
 * location_key and origin (ABI 1.26, sql_locations.c): the key of the
 * entry's location, and the asset it was a version of (the dropped
 * row's origin; its asset_id when the host gives none).
 */
#include "sql_store.h"

#define DROPPED_COLS \
	"SELECT id, tenant_id, catalog_name, branch_name, namespace, name," \
	" kind, asset_id, location, metadata_location, properties," \
	" created_at, dropped_at, dropped_by, column_tags," \
	" coalesce(origin, asset_id) FROM dropped_assets"
#define NEWEST	" ORDER BY dropped_at DESC, id DESC"

static const char DROPPED_INSERT[] =
	"INSERT INTO dropped_assets (tenant_id, id, catalog_name,"
	" branch_name, namespace, name, kind, asset_id, location,"
	" metadata_location, properties, created_at, dropped_at, dropped_by,"
	" column_tags, location_key, origin)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
	" coalesce(?11, '{}'), ?12, ?13, ?14, ?15, ?16, coalesce(?17, ?8))";
static const char DROPPED_GET[] =
	DROPPED_COLS " WHERE tenant_id = ?1 AND id = ?2";
/* A page after a key (ABI 1.28) is a range of the list's index. */
#define AFTER(t, i)	" AND (dropped_at, id) < (" t ", " i ")"
static const char DROPPED_OF_CATALOG[] =
	DROPPED_COLS " WHERE tenant_id = ?1 AND catalog_name = ?2"
	AFTER("?5", "?6") NEWEST " LIMIT ?3 OFFSET ?4";
static const char DROPPED_OF_CATALOG_COUNT[] =
	"SELECT count(*) FROM dropped_assets"
	" WHERE tenant_id = ?1 AND catalog_name = ?2";
static const char DROPPED_OF_TENANT[] =
	DROPPED_COLS " WHERE tenant_id = ?1" AFTER("?4", "?5") NEWEST
	" LIMIT ?2 OFFSET ?3";
static const char DROPPED_OF_TENANT_COUNT[] =
	"SELECT count(*) FROM dropped_assets WHERE tenant_id = ?1";
static const char DROPPED_ALL[] =
	DROPPED_COLS " WHERE (dropped_at, id) < (?3, ?4)" NEWEST
	", tenant_id DESC LIMIT ?1 OFFSET ?2";
static const char DROPPED_ALL_COUNT[] =
	"SELECT count(*) FROM dropped_assets";
static const char DROPPED_DELETE[] =
	"DELETE FROM dropped_assets WHERE tenant_id = ?1 AND id = ?2";

static void
dropped_fill(struct row *r, void *out)
{
	struct pgl_dropped	*d = out;

	d->id = row_text(r);
	d->tenant_id = row_text(r);
	d->catalog = row_text(r);
	d->branch = row_text(r);
	d->ns = row_text(r);
	d->name = row_text(r);
	d->kind = row_text(r);
	d->asset_id = row_text(r);
	d->location = row_text(r);
	d->metadata_location = row_text(r);
	d->properties = row_text(r);
	d->created_at_ms = row_int(r);
	d->dropped_at_ms = row_int(r);
	d->dropped_by = row_text(r);
	d->column_tags = row_text(r);
	d->origin = row_text(r);
}

static int
key_valid(const char *tenant, const char *id, struct pgl_err *err)
{
	if (tenant == NULL || *tenant == '\0' || id == NULL || *id == '\0')
		return (store_err(err, PGL_EINVAL, "a dropped entry needs a "
		    "tenant and an id"));
	return (PGL_OK);
}

static int
not_found(struct pgl_err *err, const char *tenant, const char *id)
{
	return (store_err(err, PGL_ENOTFOUND, "dropped entry %s of tenant %s "
	    "not found", id, tenant));
}

int
sql_put_dropped(struct pgl_store *s, const struct pgl_dropped *d,
    struct pgl_err *err)
{
	char		 buf[PGL_LOCATION_KEY_LEN];
	const char	*key;
	int		 rc;

	if (d == NULL)
		return (store_err(err, PGL_EINVAL, "no dropped entry"));
	if ((rc = key_valid(d->tenant_id, d->id, err)) != PGL_OK)
		return (rc);
	if (d->catalog == NULL || d->branch == NULL || d->ns == NULL ||
	    d->name == NULL || d->kind == NULL)
		return (store_err(err, PGL_EINVAL, "a dropped entry names its "
		    "catalog, branch, namespace, name and kind"));
	if ((rc = sql_location_key(s, d->location, buf, &key, err)) != PGL_OK)
		return (rc);
	rc = store_exec(s, err, DROPPED_INSERT, NULL, "sssssssssss" "iiss"
	    "ss", d->tenant_id, d->id, d->catalog, d->branch, d->ns, d->name,
	    d->kind, d->asset_id, d->location, d->metadata_location,
	    d->properties, d->created_at_ms, d->dropped_at_ms, d->dropped_by,
	    d->column_tags, key, d->origin);
	if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "dropped entry %s of tenant %s already "
		    "exists", d->id, d->tenant_id);
	else if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "catalog %s of tenant %s not found",
		    d->catalog, d->tenant_id);
	return (rc);
}

int
sql_get_dropped(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *id, struct pgl_dropped *out, struct pgl_err *err)
{
	int	rc;

	if ((rc = key_valid(tenant, id, err)) != PGL_OK)
		return (rc);
	rc = store_get(s, a, err, DROPPED_GET, dropped_fill, out, "ss",
	    tenant, id);
	if (rc == PGL_ENOTFOUND)
		(void)not_found(err, tenant, id);
	return (rc);
}

int
sql_list_dropped(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *catalog, const struct pgl_page *page,
    struct pgl_dropped **out, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	void	*p = NULL;
	int	 rc;

	*out = NULL;
	*n = 0;
	if (tenant == NULL && catalog != NULL)
		return (store_err(err, PGL_EINVAL, "a catalog's dropped entries "
		    "need its tenant"));
	if (tenant != NULL && catalog != NULL) {
		rc = store_list(s, a, err, DROPPED_OF_CATALOG, dropped_fill,
		    sizeof(**out), &p, n, "sspis", tenant, catalog, page,
		    sql_after_n(page, INT64_MAX), sql_after_s(page));
		if (rc == PGL_OK && total != NULL)
			rc = store_count(s, err, DROPPED_OF_CATALOG_COUNT, total,
			    "ss", tenant, catalog);
	} else if (tenant != NULL) {
		rc = store_list(s, a, err, DROPPED_OF_TENANT, dropped_fill,
		    sizeof(**out), &p, n, "spis", tenant, page,
		    sql_after_n(page, INT64_MAX), sql_after_s(page));
		if (rc == PGL_OK && total != NULL)
			rc = store_count(s, err, DROPPED_OF_TENANT_COUNT, total,
			    "s", tenant);
	} else {
		rc = store_list(s, a, err, DROPPED_ALL, dropped_fill,
		    sizeof(**out), &p, n, "pis", page,
		    sql_after_n(page, INT64_MAX), sql_after_s(page));
		if (rc == PGL_OK && total != NULL)
			rc = store_count(s, err, DROPPED_ALL_COUNT, total, "");
	}
	*out = p;
	return (rc);
}

int
sql_delete_dropped(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	if ((rc = key_valid(tenant, id, err)) != PGL_OK)
		return (rc);
	rc = store_exec(s, err, DROPPED_DELETE, &changed, "ss", tenant, id);
	if (rc == PGL_OK && changed == 0)
		rc = not_found(err, tenant, id);
	return (rc);
}
