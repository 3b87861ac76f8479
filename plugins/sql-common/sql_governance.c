/*
 * Business metadata, access requests and settings (store ABI 1.10).
 *
 * Business metadata and access requests name their asset by id, with a
 * foreign key that cascades: deleting the asset row (alone, or with its
 * branch, namespace, catalog or tenant) takes them with it.  An asset's
 * tags are also rows of asset_tags, kept by trigger from the metadata's
 * JSON array, so a tag filter and a tag grant are index reads; the text
 * index of search (sql_search.c) is kept by trigger the same way.  Every
 * statement is keyed by tenant first: another tenant's row is not found.
 */
#include "sql_store.h"

#define BM_COLS \
	"id, asset_id, description, tags, properties, discoverable," \
	" created_by, created_at, updated_by, updated_at"

/*
 * One statement: the asset must be the tenant's (no row selected: no
 * change, PGL_ENOTFOUND), and an update keeps the first put's id and
 * creation.  (SQLite needs the SELECT's WHERE before ON CONFLICT.)
 */
static const char BM_UPSERT[] =
	"INSERT INTO business_metadata (tenant_id, " BM_COLS ")"
	" SELECT a.tenant_id, ?3, a.id, ?4, ?5, ?6, ?7, ?8, ?9, ?8, ?9"
	" FROM assets a WHERE a.tenant_id = ?1 AND a.id = ?2"
	" ON CONFLICT (asset_id) DO UPDATE SET"
	"  description = excluded.description, tags = excluded.tags,"
	"  properties = excluded.properties,"
	"  discoverable = excluded.discoverable,"
	"  updated_by = excluded.updated_by, updated_at = excluded.updated_at";
static const char BM_GET[] =
	"SELECT " BM_COLS " FROM business_metadata"
	" WHERE asset_id = ?2 AND tenant_id = ?1";
static const char BM_DELETE[] =
	"DELETE FROM business_metadata WHERE asset_id = ?2 AND tenant_id = ?1";

#define AR_COLS \
	"id, tenant_id, user_id, asset_id, reason, status, requested_at," \
	" reviewed_by, reviewed_at, review_comment"

/*
 * A request's time is after every earlier request of its tenant, by a
 * millisecond at least: two asked one after the other within the same
 * millisecond still list newest first (the lists order by it).
 */
static const char AR_INSERT[] =
	"INSERT INTO access_requests (" AR_COLS ")"
	" SELECT ?1, a.tenant_id, ?3, a.id, ?5, ?6, " SQL_GREATEST "(?7,"
	" COALESCE((SELECT max(r.requested_at) FROM access_requests r"
	" WHERE r.tenant_id = ?2), 0) + 1), NULL, 0, NULL"
	" FROM assets a WHERE a.tenant_id = ?2 AND a.id = ?4";
static const char AR_GET[] =
	"SELECT " AR_COLS " FROM access_requests"
	" WHERE id = ?2 AND tenant_id = ?1";
/* A page after a key (?5, ?6; ABI 1.28) is a range of the index. */
#define AR_PAGE \
	" AND (requested_at, id) < (?5, ?6)" \
	" ORDER BY requested_at DESC, id DESC LIMIT ?3 OFFSET ?4"
static const char AR_LIST_USER[] =
	"SELECT " AR_COLS " FROM access_requests"
	" WHERE tenant_id = ?1 AND user_id = ?2" AR_PAGE;
static const char AR_COUNT_USER[] =
	"SELECT count(*) FROM access_requests"
	" WHERE tenant_id = ?1 AND user_id = ?2";
static const char AR_LIST_ALL[] =
	"SELECT " AR_COLS " FROM access_requests"
	" WHERE tenant_id = ?1" SQL_UNUSED("?2") AR_PAGE;
static const char AR_COUNT_ALL[] =
	"SELECT count(*) FROM access_requests"
	" WHERE tenant_id = ?1" SQL_UNUSED("?2");
/* A review lands once: only on a request still pending. */
static const char AR_REVIEW[] =
	"UPDATE access_requests SET status = ?3, reviewed_by = ?4,"
	" reviewed_at = ?5, review_comment = ?6"
	" WHERE id = ?2 AND tenant_id = ?1 AND status = 'pending'";
static const char AR_EXISTS[] =
	"SELECT count(*) FROM access_requests WHERE id = ?2 AND tenant_id = ?1";

static const char SETTINGS_GET[] =
	"SELECT doc FROM settings WHERE tenant_id = ?1";
static const char SETTINGS_PUT[] =
	"INSERT INTO settings (tenant_id, doc) VALUES (?1, ?2)"
	" ON CONFLICT (tenant_id) DO UPDATE SET doc = excluded.doc";

static void
bm_fill(struct row *r, void *out)
{
	struct pgl_business_metadata	*m = out;

	m->id = row_text(r);
	m->asset_id = row_text(r);
	m->description = row_text(r);
	m->tags = row_text(r);
	m->properties = row_text(r);
	m->discoverable = row_int(r) != 0;
	m->created_by = row_text(r);
	m->created_at_ms = row_int(r);
	m->updated_by = row_text(r);
	m->updated_at_ms = row_int(r);
}

int
sql_put_business_metadata(struct pgl_store *s, const char *tenant,
    const struct pgl_business_metadata *m, struct pgl_err *err)
{
	uint64_t	changed = 0;
	int64_t		now = store_now_ms();
	int		rc;

	if (m->asset_id == NULL || m->id == NULL)
		return (store_err(err, PGL_EINVAL, "business metadata needs "
		    "an id and an asset id"));
	rc = store_exec(s, err, BM_UPSERT, &changed, "ssssssdsi", tenant,
	    m->asset_id, m->id, m->description, m->tags != NULL ? m->tags :
	    "[]", m->properties != NULL ? m->properties : "{}",
	    (int)(m->discoverable != 0), m->updated_by != NULL ?
	    m->updated_by : m->created_by, m->updated_at_ms ?
	    m->updated_at_ms : now);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "asset %s not found",
		    m->asset_id);
	return (rc);
}

int
sql_get_business_metadata(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *asset_id,
    struct pgl_business_metadata *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, BM_GET, bm_fill, out, "ss", tenant,
	    asset_id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "no business metadata for asset %s",
		    asset_id);
	return (rc);
}

/* Whether the tenant has labels of any asset (ABI 1.30). */
static const char LABELS_ANY[] =
	"SELECT CASE WHEN EXISTS (SELECT 1 FROM business_metadata"
	" WHERE tenant_id = ?1) OR EXISTS (SELECT 1 FROM column_tags"
	" WHERE tenant_id = ?1) THEN 1 ELSE 0 END";

int
sql_labels_any(struct pgl_store *s, const char *tenant, int *any,
    struct pgl_err *err)
{
	uint64_t	n = 0;
	int		rc;

	*any = 1;
	if ((rc = store_count(s, err, LABELS_ANY, &n, "s", tenant)) == PGL_OK)
		*any = n != 0;
	return (rc);
}

int
sql_delete_business_metadata(struct pgl_store *s, const char *tenant,
    const char *asset_id, struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	rc = store_exec(s, err, BM_DELETE, &changed, "ss", tenant, asset_id);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND,
		    "no business metadata for asset %s", asset_id);
	return (rc);
}

static void
ar_fill(struct row *r, void *out)
{
	struct pgl_access_request	*q = out;

	q->id = row_text(r);
	q->tenant_id = row_text(r);
	q->user_id = row_text(r);
	q->asset_id = row_text(r);
	q->reason = row_text(r);
	q->status = row_text(r);
	q->requested_at_ms = row_int(r);
	q->reviewed_by = row_text(r);
	q->reviewed_at_ms = row_int(r);
	q->review_comment = row_text(r);
}

int
sql_create_access_request(struct pgl_store *s,
    const struct pgl_access_request *q, struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	if (q->id == NULL || q->user_id == NULL || q->asset_id == NULL)
		return (store_err(err, PGL_EINVAL, "an access request needs "
		    "an id, a user and an asset"));
	rc = store_exec(s, err, AR_INSERT, &changed, "ssssssi", q->id,
	    q->tenant_id, q->user_id, q->asset_id, q->reason,
	    q->status != NULL ? q->status : "pending",
	    q->requested_at_ms ? q->requested_at_ms : store_now_ms());
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "asset %s not found",
		    q->asset_id);
	return (rc);
}

int
sql_get_access_request(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_access_request *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, AR_GET, ar_fill, out, "ss", tenant, id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "access request %s not found", id);
	return (rc);
}

int
sql_list_access_requests(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *user_id, const struct pgl_page *page,
    struct pgl_access_request **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	void	*p;
	int	 rc;

	rc = store_list(s, a, err, user_id != NULL ? AR_LIST_USER :
	    AR_LIST_ALL, ar_fill, sizeof(**items), &p, n, "sspis", tenant,
	    user_id, page, sql_after_n(page, INT64_MAX), sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, user_id != NULL ? AR_COUNT_USER :
		    AR_COUNT_ALL, total, "ss", tenant, user_id);
	return (rc);
}

int
sql_review_access_request(struct pgl_store *s,
    const struct pgl_access_request *q, struct pgl_err *err)
{
	uint64_t	changed = 0, exists = 0;
	int		rc;

	rc = store_exec(s, err, AR_REVIEW, &changed, "ssssis", q->tenant_id,
	    q->id, q->status, q->reviewed_by, q->reviewed_at_ms ?
	    q->reviewed_at_ms : store_now_ms(), q->review_comment);
	if (rc != PGL_OK || changed == 1)
		return (rc);
	if ((rc = store_count(s, err, AR_EXISTS, &exists, "ss", q->tenant_id,
	    q->id)) != PGL_OK)
		return (rc);
	if (exists)
		return (store_err(err, PGL_ECONFLICT, "access request %s was "
		    "already reviewed", q->id));
	return (store_err(err, PGL_ENOTFOUND, "access request %s not found",
	    q->id));
}

static void
doc_fill(struct row *r, void *out)
{
	*(const char **)out = row_text(r);
}

int
sql_get_settings(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char **doc, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, SETTINGS_GET, doc_fill, doc, "s", tenant);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "no settings for tenant %s", tenant);
	return (rc);
}

int
sql_put_settings(struct pgl_store *s, const char *tenant, const char *doc,
    struct pgl_err *err)
{
	int	rc;

	rc = store_exec(s, err, SETTINGS_PUT, NULL, "ss", tenant,
	    doc != NULL ? doc : "{}");
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "tenant %s not found", tenant);
	return (rc);
}
