/*
 * Roles, their assignment to principals, and direct grants.  A principal
 * is a user or a service user of the tenant; the HTTP layer checks which
 * (the store does not), so assignments and grants carry no foreign key to
 * either and are removed with them by trigger.  Everything is keyed by
 * tenant first: another tenant's role, assignment or grant is not found.
 */
#include "sql_store.h"

#define ROLE_FIELDS	"id, tenant_id, name, doc"

/* A NULL doc is stored as {} (as service users', and as Mongo's). */
static const char ROLE_INSERT[] =
	"INSERT INTO roles (" ROLE_FIELDS ")"
	" VALUES (?1, ?2, ?3, coalesce(?4, '{}'))";
static const char ROLE_GET[] =
	"SELECT " ROLE_FIELDS " FROM roles WHERE tenant_id = ?1 AND id = ?2";
static const char ROLE_LIST[] =
	"SELECT " ROLE_FIELDS " FROM roles WHERE tenant_id = ?1"
	" AND name > ?4 ORDER BY name LIMIT ?2 OFFSET ?3";
static const char ROLE_COUNT[] =
	"SELECT count(*) FROM roles WHERE tenant_id = ?1";
static const char ROLE_UPDATE[] =
	"UPDATE roles SET name = ?3, doc = coalesce(?4, '{}')"
	" WHERE tenant_id = ?1 AND id = ?2";
/* Its assignments go by ON DELETE CASCADE. */
static const char ROLE_DELETE[] =
	"DELETE FROM roles WHERE tenant_id = ?1 AND id = ?2";
static const char ROLE_EXISTS[] =
	"SELECT count(*) FROM roles WHERE tenant_id = ?1 AND id = ?2";
/* Re-assigning keeps the first assignment and its doc (who assigned it
 * first, and when, is what an audit of the grant wants). */
static const char ASSIGN[] =
	"INSERT INTO user_roles (tenant_id, principal_id, role_id, doc)"
	" VALUES (?1, ?2, ?3, coalesce(?4, '{}')) ON CONFLICT DO NOTHING";
static const char UNASSIGN[] =
	"DELETE FROM user_roles"
	" WHERE tenant_id = ?1 AND principal_id = ?2 AND role_id = ?3";
/* Read on every authorization of a tenant user: one indexed join. */
static const char ROLES_OF[] =
	"SELECT r.id, r.tenant_id, r.name, r.doc"
	" FROM user_roles ur JOIN roles r ON r.id = ur.role_id"
	" WHERE ur.tenant_id = ?1 AND ur.principal_id = ?2 ORDER BY r.name";

#define PERM_FIELDS	"id, tenant_id, user_id, doc"

static const char PERM_INSERT[] =
	"INSERT INTO permissions (" PERM_FIELDS ")"
	" VALUES (?1, ?2, ?3, coalesce(?4, '{}'))";
static const char PERM_DELETE[] =
	"DELETE FROM permissions WHERE tenant_id = ?1 AND id = ?2";
/* seq is unique: a page after a key (ABI 1.28) is after its seq. */
static const char PERM_OF[] =
	"SELECT " PERM_FIELDS ", seq FROM permissions"
	" WHERE tenant_id = ?1 AND user_id = ?2"
	" AND seq > ?5 ORDER BY seq LIMIT ?3 OFFSET ?4";
static const char PERM_OF_COUNT[] =
	"SELECT count(*) FROM permissions"
	" WHERE tenant_id = ?1 AND user_id = ?2";
static const char PERM_ALL[] =
	"SELECT " PERM_FIELDS ", seq FROM permissions"
	" WHERE tenant_id = ?1 AND seq > ?4 ORDER BY seq LIMIT ?2 OFFSET ?3";
static const char PERM_ALL_COUNT[] =
	"SELECT count(*) FROM permissions WHERE tenant_id = ?1";

static void
role_fill(struct row *r, void *out)
{
	struct pgl_role	*role = out;

	role->id = row_text(r);
	role->tenant_id = row_text(r);
	role->name = row_text(r);
	role->doc = row_text(r);
}

static void
perm_fill(struct row *r, void *out)
{
	struct pgl_permission	*p = out;

	p->id = row_text(r);
	p->tenant_id = row_text(r);
	p->user_id = row_text(r);
	p->doc = row_text(r);
	p->seq = row_int(r);
}

int
sql_create_role(struct pgl_store *s, const struct pgl_role *role,
    struct pgl_err *err)
{
	int	rc;

	rc = store_exec(s, err, ROLE_INSERT, NULL, "ssss", role->id,
	    role->tenant_id, role->name, role->doc);
	if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "role %s already exists", role->name);
	else if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "tenant %s not found",
		    role->tenant_id);
	return (rc);
}

int
sql_get_role(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *id, struct pgl_role *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, ROLE_GET, role_fill, out, "ss", tenant, id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "role %s not found", id);
	return (rc);
}

int
sql_list_roles(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const struct pgl_page *page, struct pgl_role **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, ROLE_LIST, role_fill, sizeof(**items), &p,
	    n, "sps", tenant, page, sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, ROLE_COUNT, total, "s", tenant);
	return (rc);
}

int
sql_update_role(struct pgl_store *s, const struct pgl_role *role,
    struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, ROLE_UPDATE, &changed, "ssss", role->tenant_id,
	    role->id, role->name, role->doc);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "role %s not found",
		    role->id);
	else if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "role %s already exists", role->name);
	return (rc);
}

int
sql_delete_role(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, ROLE_DELETE, &changed, "ss", tenant, id);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "role %s not found", id);
	return (rc);
}

int
sql_assign_role(struct pgl_store *s, const char *tenant, const char *user_id,
    const char *role_id, const char *doc, struct pgl_err *err)
{
	uint64_t	n;
	int		rc;

	/* The role must be this tenant's (the FK alone would accept
	 * another tenant's role id). */
	if ((rc = store_count(s, err, ROLE_EXISTS, &n, "ss", tenant,
	    role_id)) != PGL_OK)
		return (rc);
	if (n == 0)
		return (store_err(err, PGL_ENOTFOUND, "role %s not found",
		    role_id));
	rc = store_exec(s, err, ASSIGN, NULL, "ssss", tenant, user_id, role_id,
	    doc);
	if (rc == PGL_ENOTFOUND)	/* deleted in between */
		(void)store_err(err, rc, "role %s not found", role_id);
	return (rc);
}

int
sql_revoke_role(struct pgl_store *s, const char *tenant, const char *user_id,
    const char *role_id, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, UNASSIGN, &changed, "sss", tenant, user_id,
	    role_id);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "role %s is not assigned "
		    "to %s", role_id, user_id);
	return (rc);
}

int
sql_list_user_roles(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *user_id, struct pgl_role **items,
    size_t *n, struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, ROLES_OF, role_fill, sizeof(**items), &p,
	    n, "ss", tenant, user_id);
	*items = p;
	return (rc);
}

int
sql_create_permission(struct pgl_store *s, const struct pgl_permission *p,
    struct pgl_err *err)
{
	int	rc;

	rc = store_exec(s, err, PERM_INSERT, NULL, "ssss", p->id, p->tenant_id,
	    p->user_id, p->doc);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "tenant %s not found", p->tenant_id);
	else if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "permission %s already exists", p->id);
	return (rc);
}

int
sql_delete_permission(struct pgl_store *s, const char *tenant, const char *id,
    struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, PERM_DELETE, &changed, "ss", tenant, id);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "permission %s not found",
		    id);
	return (rc);
}

int
sql_list_permissions(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *user_id, const struct pgl_page *page,
    struct pgl_permission **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	void	*p;
	int	rc;

	if (user_id != NULL)
		rc = store_list(s, a, err, PERM_OF, perm_fill, sizeof(**items),
		    &p, n, "sspi", tenant, user_id, page,
		    sql_after_n(page, INT64_MIN));
	else
		rc = store_list(s, a, err, PERM_ALL, perm_fill,
		    sizeof(**items), &p, n, "spi", tenant, page,
		    sql_after_n(page, INT64_MIN));
	*items = p;
	if (rc != PGL_OK || total == NULL)
		return (rc);
	if (user_id != NULL)
		return (store_count(s, err, PERM_OF_COUNT, total, "ss", tenant,
		    user_id));
	return (store_count(s, err, PERM_ALL_COUNT, total, "s", tenant));
}
