/*
 * Service users: machine principals of a tenant that authenticate with an
 * API key.  The key is stored only as its hash, under a key id that is
 * looked up on every API call (unique, indexed); a rotate replaces both.
 * A name is unique in its tenant, and so is its key (sql_name_keys.c):
 * `ETL` beside `etl` would be one name in the audit log.
 */
#include "sql_store.h"

#define SU_FIELDS \
	"id, tenant_id, name, key_id, api_key_hash, active, expires_at, doc"

static const char SU_INSERT[] =
	"INSERT INTO service_users (" SU_FIELDS ", name_key)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, '{}'), ?9)";
static const char SU_GET[] =
	"SELECT " SU_FIELDS " FROM service_users"
	" WHERE tenant_id = ?1 AND id = ?2";
static const char SU_BY_KEY[] =
	"SELECT " SU_FIELDS " FROM service_users WHERE key_id = ?1";
static const char SU_LIST[] =
	"SELECT " SU_FIELDS " FROM service_users WHERE tenant_id = ?1"
	" AND name > ?4 ORDER BY name LIMIT ?2 OFFSET ?3";
static const char SU_COUNT[] =
	"SELECT count(*) FROM service_users WHERE tenant_id = ?1";
/* An unchanged name keeps its key, held or not (sql_users.c). */
static const char SU_UPDATE[] =
	"UPDATE service_users SET name_key = CASE WHEN name = ?3"
	" THEN name_key ELSE ?9 END, name_key_dup = CASE WHEN name = ?3"
	" THEN name_key_dup END, name = ?3, key_id = ?4,"
	" api_key_hash = ?5, active = ?6, expires_at = ?7,"
	" doc = coalesce(?8, '{}') WHERE tenant_id = ?1 AND id = ?2";
static const char SU_DELETE[] =
	"DELETE FROM service_users WHERE tenant_id = ?1 AND id = ?2";

static void
su_fill(struct row *r, void *out)
{
	struct pgl_service_user	*u = out;

	u->id = row_text(r);
	u->tenant_id = row_text(r);
	u->name = row_text(r);
	u->key_id = row_text(r);
	u->api_key_hash = row_text(r);
	u->active = (int)row_int(r);
	u->expires_at_ms = row_int(r);
	u->doc = row_text(r);
}

int
sql_create_service_user(struct pgl_store *s, const struct pgl_service_user *u,
    struct pgl_err *err)
{
	char		 buf[PGL_NAME_KEY_MAX];
	const char	*key;
	int		 rc;

	if ((rc = sql_name_key(s, u->name, buf, &key, err)) != PGL_OK ||
	    (rc = sql_name_key_free(s, u->tenant_id, u->id, u->name, key,
	    err)) != PGL_OK)
		return (rc);
	rc = store_exec(s, err, SU_INSERT, NULL, "sssssdiss", u->id,
	    u->tenant_id, u->name, u->key_id, u->api_key_hash,
	    u->active ? 1 : 0, u->expires_at_ms, u->doc, key);
	if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "service user %s already exists",
		    u->name);
	else if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "tenant %s not found", u->tenant_id);
	return (rc);
}

int
sql_get_service_user(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_service_user *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, SU_GET, su_fill, out, "ss", tenant, id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "service user %s not found", id);
	return (rc);
}

int
sql_get_service_user_by_key_id(struct pgl_store *s, struct pgl_arena *a,
    const char *key_id, struct pgl_service_user *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, SU_BY_KEY, su_fill, out, "s", key_id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "no service user has key %s", key_id);
	return (rc);
}

int
sql_list_service_users(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_page *page,
    struct pgl_service_user **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, SU_LIST, su_fill, sizeof(**items), &p, n,
	    "sps", tenant, page, sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, SU_COUNT, total, "s", tenant);
	return (rc);
}

int
sql_update_service_user(struct pgl_store *s, const struct pgl_service_user *u,
    struct pgl_err *err)
{
	uint64_t	 changed;
	char		 buf[PGL_NAME_KEY_MAX];
	const char	*key;
	int		 rc;

	if ((rc = sql_name_key(s, u->name, buf, &key, err)) != PGL_OK ||
	    (rc = sql_name_key_free(s, u->tenant_id, u->id, u->name, key,
	    err)) != PGL_OK)
		return (rc);
	rc = store_exec(s, err, SU_UPDATE, &changed, "sssssdiss",
	    u->tenant_id, u->id, u->name, u->key_id, u->api_key_hash,
	    u->active ? 1 : 0, u->expires_at_ms, u->doc, key);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "service user %s not found",
		    u->id);
	else if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "service user %s already exists",
		    u->name);
	return (rc);
}

int
sql_delete_service_user(struct pgl_store *s, const char *tenant,
    const char *id, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, SU_DELETE, &changed, "ss", tenant, id);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "service user %s not found",
		    id);
	return (rc);
}
