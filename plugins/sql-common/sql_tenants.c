/*
 * Tenants.  Deleting one cascades to everything it owns (warehouses,
 * catalogs and all inside them, idempotency keys) in one statement.
 */
#include "sql_store.h"

static const char TENANT_INSERT[] =
	"INSERT INTO tenants (id, name, properties)"
	" VALUES (?1, ?2, coalesce(?3, '{}'))";
static const char TENANT_GET[] =
	"SELECT id, name, properties FROM tenants WHERE id = ?1";
static const char TENANT_LIST[] =
	"SELECT id, name, properties FROM tenants"
	" WHERE name > ?3 ORDER BY name LIMIT ?1 OFFSET ?2";
static const char TENANT_COUNT[] =
	"SELECT count(*) FROM tenants";
static const char TENANT_UPDATE[] =
	"UPDATE tenants SET name = coalesce(?2, name),"
	" properties = coalesce(?3, '{}') WHERE id = ?1";
static const char TENANT_DELETE[] =
	"DELETE FROM tenants WHERE id = ?1";
/* The tenant's tokens go with it (a trigger drops the rows): revoked
 * first, so none of them authenticates afterwards. */
static const char TENANT_REVOKE_TOKENS[] =
	"INSERT INTO revoked_tokens (jti, expires_at, reason)"
	" SELECT id, expires_at, 'tenant deleted' FROM active_tokens"
	" WHERE tenant_id = ?1"
	" ON CONFLICT (jti) DO NOTHING";

static void
tenant_fill(struct row *r, void *out)
{
	struct pgl_tenant	*t = out;

	t->id = row_text(r);
	t->name = row_text(r);
	t->properties = row_text(r);
}

int
sql_create_tenant(struct pgl_store *s, const struct pgl_tenant *t,
    struct pgl_err *err)
{
	return (store_exec(s, err, TENANT_INSERT, NULL, "sss", t->id,
	    t->name, t->properties));
}

int
sql_get_tenant(struct pgl_store *s, struct pgl_arena *a, const char *id,
    struct pgl_tenant *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, TENANT_GET, tenant_fill, out, "s", id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "tenant %s not found", id);
	return (rc);
}

int
sql_list_tenants(struct pgl_store *s, struct pgl_arena *a,
    const struct pgl_page *page, struct pgl_tenant **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, TENANT_LIST, tenant_fill, sizeof(**items),
	    &p, n, "ps", page, sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, TENANT_COUNT, total, "");
	return (rc);
}

int
sql_update_tenant(struct pgl_store *s, const struct pgl_tenant *t,
    struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, TENANT_UPDATE, &changed, "sss", t->id,
	    t->name, t->properties);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "tenant %s not found",
		    t->id);
	return (rc);
}

int
sql_delete_tenant(struct pgl_store *s, const char *id, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, TENANT_REVOKE_TOKENS, NULL, "s", id);
	if (rc == PGL_OK)
		rc = store_exec(s, err, TENANT_DELETE, &changed, "s", id);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "tenant %s not found", id);
	return (rc);
}
