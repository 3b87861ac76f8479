/*
 * Data policies and column tags (store ABI 1.17, issue 46).
 *
 * A policy is one row of `policies`, keyed (tenant_id, id), its name
 * unique per tenant, its catalog a foreign key (tenant_id, catalog) of
 * catalogs that cascades: deleting the catalog or the tenant takes its
 * policies with it, and a renamed catalog keeps them.  The scope columns
 * are what a lookup filters on; the rest is the host's JSON document.
 *
 * Column tags are rows of `column_tags` (asset_id, field_id, tag), a
 * foreign key of the asset that cascades as business metadata does; the
 * index on (tenant_id, tag) finds every column holding a tag, which a
 * tag-scoped policy follows.
 */
#include "sql_store.h"

#define POLICY_COLS \
	"SELECT id, tenant_id, name, catalog, ns, table_name, tag, doc," \
	" created_ms, updated_ms FROM policies"

static const char POLICY_INSERT[] =
	"INSERT INTO policies (tenant_id, id, name, catalog, ns, table_name,"
	" tag, doc, created_ms, updated_ms)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char POLICY_UPDATE[] =
	"UPDATE policies SET name = ?3, catalog = ?4, ns = ?5,"
	" table_name = ?6, tag = ?7, doc = ?8, updated_ms = ?9"
	" WHERE tenant_id = ?1 AND id = ?2";
static const char POLICY_GET[] =
	POLICY_COLS " WHERE tenant_id = ?1 AND id = ?2";
static const char POLICY_LIST[] =
	POLICY_COLS " WHERE tenant_id = ?1 AND name > ?4"
	" ORDER BY name LIMIT ?2 OFFSET ?3";
static const char POLICY_COUNT[] =
	"SELECT count(*) FROM policies WHERE tenant_id = ?1";
static const char POLICY_LIST_CATALOG[] =
	POLICY_COLS " WHERE tenant_id = ?1 AND catalog = ?2 AND name > ?5"
	" ORDER BY name LIMIT ?3 OFFSET ?4";
static const char POLICY_COUNT_CATALOG[] =
	"SELECT count(*) FROM policies WHERE tenant_id = ?1 AND catalog = ?2";
static const char POLICY_DELETE[] =
	"DELETE FROM policies WHERE tenant_id = ?1 AND id = ?2";

static const char CTAG_CLEAR[] =
	"DELETE FROM column_tags WHERE asset_id = ?2 AND tenant_id = ?1";
/* The asset must be the tenant's: no row selected, nothing inserted. */
static const char CTAG_INSERT[] =
	"INSERT INTO column_tags (asset_id, tenant_id, field_id, tag)"
	" SELECT a.id, a.tenant_id, ?3, ?4 FROM assets a"
	" WHERE a.tenant_id = ?1 AND a.id = ?2"
	" ON CONFLICT DO NOTHING";
static const char CTAG_ASSET[] =
	"SELECT count(*) FROM assets WHERE tenant_id = ?1 AND id = ?2";
static const char CTAG_OF_ASSET[] =
	"SELECT asset_id, field_id, tag FROM column_tags"
	" WHERE asset_id = ?2 AND tenant_id = ?1 ORDER BY field_id, tag";
/* A page of hits' (?2, a JSON array of ids), through the key. */
static const char CTAG_OF_ASSETS[] =
	"SELECT asset_id, field_id, tag FROM column_tags"
	" WHERE asset_id IN (" SQL_JSON_VALUES("?2") ") AND tenant_id = ?1"
	" ORDER BY asset_id, field_id, tag";
static const char CTAG_OF_TAG[] =
	"SELECT asset_id, field_id, tag FROM column_tags"
	" WHERE tenant_id = ?1 AND tag = ?2 ORDER BY asset_id, field_id";

static void
policy_fill(struct row *r, void *out)
{
	struct pgl_policy	*p = out;

	p->id = row_text(r);
	p->tenant_id = row_text(r);
	p->name = row_text(r);
	p->catalog = row_text(r);
	p->ns = row_text(r);
	p->table_name = row_text(r);
	p->tag = row_text(r);
	p->doc = row_text(r);
	p->created_ms = row_int(r);
	p->updated_ms = row_int(r);
}

static void
ctag_fill(struct row *r, void *out)
{
	struct pgl_column_tag	*t = out;

	t->asset_id = row_text(r);
	t->field_id = row_int(r);
	t->tag = row_text(r);
}

static int
policy_not_found(struct pgl_err *err, const char *tenant, const char *id)
{
	return (store_err(err, PGL_ENOTFOUND, "policy %s of tenant %s not "
	    "found", id, tenant));
}

int
sql_put_policy(struct pgl_store *s, const struct pgl_policy *p, int create,
    struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	if (p == NULL || p->tenant_id == NULL || p->id == NULL ||
	    p->name == NULL || p->catalog == NULL)
		return (store_err(err, PGL_EINVAL, "a policy needs a tenant, "
		    "an id, a name and a catalog"));
	if (create) {
		rc = store_exec(s, err, POLICY_INSERT, NULL, "ssssssssii",
		    p->tenant_id, p->id, p->name, p->catalog, p->ns,
		    p->table_name, p->tag, p->doc != NULL ? p->doc : "{}",
		    p->created_ms, p->updated_ms);
		if (rc == PGL_EEXISTS)
			(void)store_err(err, rc, "a policy named %s or with id "
			    "%s exists already", p->name, p->id);
		else if (rc == PGL_ENOTFOUND)
			(void)store_err(err, rc, "catalog %s not found",
			    p->catalog);
		return (rc);
	}
	rc = store_exec(s, err, POLICY_UPDATE, &changed, "ssssssssi",
	    p->tenant_id, p->id, p->name, p->catalog, p->ns, p->table_name,
	    p->tag, p->doc != NULL ? p->doc : "{}", p->updated_ms);
	if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "a policy named %s exists already",
		    p->name);
	else if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "catalog %s not found", p->catalog);
	else if (rc == PGL_OK && changed == 0)
		rc = policy_not_found(err, p->tenant_id, p->id);
	return (rc);
}

int
sql_get_policy(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *id, struct pgl_policy *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, POLICY_GET, policy_fill, out, "ss", tenant,
	    id);
	if (rc == PGL_ENOTFOUND)
		(void)policy_not_found(err, tenant, id);
	return (rc);
}

int
sql_list_policies(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const struct pgl_page *pg,
    struct pgl_policy **out, size_t *n, uint64_t *total, struct pgl_err *err)
{
	void	*p = NULL;
	int	 rc;

	*out = NULL;
	*n = 0;
	if (catalog == NULL)
		rc = store_list(s, a, err, POLICY_LIST, policy_fill,
		    sizeof(**out), &p, n, "sps", tenant, pg, sql_after_s(pg));
	else
		rc = store_list(s, a, err, POLICY_LIST_CATALOG, policy_fill,
		    sizeof(**out), &p, n, "ssps", tenant, catalog, pg,
		    sql_after_s(pg));
	if (rc != PGL_OK)
		return (rc);
	*out = p;
	if (total == NULL)
		return (PGL_OK);
	if (catalog == NULL)
		return (store_count(s, err, POLICY_COUNT, total, "s", tenant));
	return (store_count(s, err, POLICY_COUNT_CATALOG, total, "ss", tenant,
	    catalog));
}

int
sql_delete_policy(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	uint64_t	changed = 0;
	int		rc;

	rc = store_exec(s, err, POLICY_DELETE, &changed, "ss", tenant, id);
	if (rc == PGL_OK && changed == 0)
		rc = policy_not_found(err, tenant, id);
	return (rc);
}

/* The clear and the inserts are one transaction (the caller's, if open). */
int
sql_set_column_tags(struct pgl_store *s, const char *tenant,
    const char *asset_id, const struct pgl_column_tag *tags, size_t n,
    struct pgl_err *err)
{
	uint64_t	found = 0;
	size_t		i;
	int		owned, rc;

	if (tenant == NULL || asset_id == NULL)
		return (store_err(err, PGL_EINVAL, "column tags need a tenant "
		    "and an asset id"));
	for (i = 0; i < n; i++)
		if (tags[i].tag == NULL || tags[i].field_id < 0)
			return (store_err(err, PGL_EINVAL, "a column tag needs "
			    "a tag and a field id"));
	if ((rc = store_tx_own(s, &owned, err)) != PGL_OK)
		return (rc);
	rc = store_count(s, err, CTAG_ASSET, &found, "ss", tenant, asset_id);
	if (rc == PGL_OK && found == 0)
		rc = store_err(err, PGL_ENOTFOUND, "asset %s not found",
		    asset_id);
	if (rc == PGL_OK)
		rc = store_exec(s, err, CTAG_CLEAR, NULL, "ss", tenant,
		    asset_id);
	for (i = 0; rc == PGL_OK && i < n; i++)
		rc = store_exec(s, err, CTAG_INSERT, NULL, "ssis", tenant,
		    asset_id, tags[i].field_id, tags[i].tag);
	return (store_tx_done(s, owned, rc, err));
}

int
sql_list_column_tags(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *asset_id, const char *tag,
    struct pgl_column_tag **out, size_t *n, struct pgl_err *err)
{
	void	*p = NULL;
	int	 rc;

	*out = NULL;
	*n = 0;
	if (asset_id != NULL)
		rc = store_list(s, a, err, CTAG_OF_ASSET, ctag_fill,
		    sizeof(**out), &p, n, "ss", tenant, asset_id);
	else if (tag != NULL)
		rc = store_list(s, a, err, CTAG_OF_TAG, ctag_fill,
		    sizeof(**out), &p, n, "ss", tenant, tag);
	else
		return (store_err(err, PGL_EINVAL, "column tags of an asset "
		    "or of a tag"));
	if (rc == PGL_OK)
		*out = p;
	return (rc);
}

int
sql_list_column_tags_of(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *ids, struct pgl_column_tag **out,
    size_t *n, struct pgl_err *err)
{
	void	*p = NULL;
	int	 rc;

	*out = NULL;
	*n = 0;
	if (tenant == NULL || ids == NULL)
		return (store_err(err, PGL_EINVAL, "column tags of a tenant's "
		    "assets"));
	rc = store_list(s, a, err, CTAG_OF_ASSETS, ctag_fill, sizeof(**out),
	    &p, n, "ss", tenant, ids);
	if (rc == PGL_OK)
		*out = p;
	return (rc);
}
