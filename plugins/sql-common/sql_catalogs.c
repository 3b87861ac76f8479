/*
 * Warehouses, catalogs and namespaces: the configuration a tenant builds
 * before any table exists.  Every statement is keyed by tenant_id first.
 */
#include "sql_store.h"

/* Warehouses. */

#define WAREHOUSE_COLS \
	"SELECT id, tenant_id, name, storage_config, vending_strategy," \
	" use_sts FROM warehouses"

static const char WAREHOUSE_INSERT[] =
	"INSERT INTO warehouses (tenant_id, name, id, storage_config,"
	" vending_strategy, use_sts)"
	" VALUES (?1, ?2, ?3, coalesce(?4, '{}'), ?5, ?6)";
static const char WAREHOUSE_GET[] =
	WAREHOUSE_COLS " WHERE tenant_id = ?1 AND name = ?2";
static const char WAREHOUSE_LIST[] =
	WAREHOUSE_COLS " WHERE tenant_id = ?1 AND name > ?4"
	" ORDER BY name LIMIT ?2 OFFSET ?3";
static const char WAREHOUSE_COUNT[] =
	"SELECT count(*) FROM warehouses WHERE tenant_id = ?1";
/* A rename reaches catalogs.warehouse_name through ON UPDATE CASCADE. */
static const char WAREHOUSE_UPDATE[] =
	"UPDATE warehouses SET name = coalesce(?3, name),"
	" storage_config = coalesce(?4, '{}'), vending_strategy = ?5,"
	" use_sts = ?6 WHERE tenant_id = ?1 AND name = ?2";
static const char WAREHOUSE_DELETE[] =
	"DELETE FROM warehouses WHERE tenant_id = ?1 AND name = ?2";

static void
warehouse_fill(struct row *r, void *out)
{
	struct pgl_warehouse	*w = out;

	w->id = row_text(r);
	w->tenant_id = row_text(r);
	w->name = row_text(r);
	w->storage_config = row_text(r);
	w->vending_strategy = row_text(r);
	w->use_sts = row_int(r) != 0;
}

int
sql_create_warehouse(struct pgl_store *s, const struct pgl_warehouse *w,
    struct pgl_err *err)
{
	int	rc;

	rc = store_exec(s, err, WAREHOUSE_INSERT, NULL, "sssssd",
	    w->tenant_id, w->name, w->id, w->storage_config,
	    w->vending_strategy, w->use_sts != 0);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "tenant %s not found", w->tenant_id);
	return (rc);
}

int
sql_get_warehouse(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *name, struct pgl_warehouse *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, WAREHOUSE_GET, warehouse_fill, out, "ss",
	    tenant, name);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "warehouse %s not found", name);
	return (rc);
}

int
sql_list_warehouses(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_page *page,
    struct pgl_warehouse **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, WAREHOUSE_LIST, warehouse_fill,
	    sizeof(**items), &p, n, "sps", tenant, page, sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, WAREHOUSE_COUNT, total, "s", tenant);
	return (rc);
}

int
sql_update_warehouse(struct pgl_store *s, const char *old_name,
    const struct pgl_warehouse *w, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, WAREHOUSE_UPDATE, &changed, "sssssd",
	    w->tenant_id, old_name, w->name, w->storage_config,
	    w->vending_strategy, w->use_sts != 0);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "warehouse %s not found",
		    old_name);
	return (rc);
}

int
sql_delete_warehouse(struct pgl_store *s, const char *tenant,
    const char *name, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, WAREHOUSE_DELETE, &changed, "ss", tenant,
	    name);
	/* The only FK that can fail here is a catalog naming it. */
	if (rc == PGL_ENOTFOUND)
		return (store_err(err, PGL_EINUSE,
		    "warehouse %s is used by a catalog", name));
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "warehouse %s not found",
		    name);
	return (rc);
}

/* Catalogs. */

#define CATALOG_COLS \
	"SELECT id, tenant_id, name, catalog_type, warehouse_name," \
	" storage_location, federated_config, properties FROM catalogs"

static const char CATALOG_INSERT[] =
	"INSERT INTO catalogs (tenant_id, name, id, catalog_type,"
	" warehouse_name, storage_location, federated_config, properties)"
	" VALUES (?1, ?2, ?3, coalesce(?4, 'Local'), ?5, ?6, ?7,"
	" coalesce(?8, '{}'))";
static const char CATALOG_GET[] =
	CATALOG_COLS " WHERE tenant_id = ?1 AND name = ?2";
static const char CATALOG_LIST[] =
	CATALOG_COLS " WHERE tenant_id = ?1 AND name > ?4"
	" ORDER BY name LIMIT ?2 OFFSET ?3";
static const char CATALOG_COUNT[] =
	"SELECT count(*) FROM catalogs WHERE tenant_id = ?1";
static const char CATALOG_UPDATE[] =
	"UPDATE catalogs SET catalog_type = coalesce(?3, catalog_type),"
	" warehouse_name = ?4, storage_location = ?5, federated_config = ?6,"
	" properties = coalesce(?7, '{}') WHERE tenant_id = ?1 AND name = ?2";
static const char CATALOG_DELETE[] =
	"DELETE FROM catalogs WHERE tenant_id = ?1 AND name = ?2";
/* No row when the catalog does not exist, hence FROM catalogs. */
static const char CATALOG_COUNTS[] =
	"SELECT"
	" (SELECT count(*) FROM namespaces"
	"   WHERE tenant_id = ?1 AND catalog_name = ?2),"
	" (SELECT count(*) FROM assets WHERE tenant_id = ?1"
	"   AND catalog_name = ?2 AND branch_name = 'main'"
	"   AND kind = 'ICEBERG_TABLE'),"
	" (SELECT count(*) FROM assets WHERE tenant_id = ?1"
	"   AND catalog_name = ?2 AND branch_name = 'main' AND kind = 'VIEW'),"
	" (SELECT count(*) FROM assets"
	"   WHERE tenant_id = ?1 AND catalog_name = ?2 AND gone = 0),"
	" (SELECT count(*) FROM branches"
	"   WHERE tenant_id = ?1 AND catalog_name = ?2),"
	" (SELECT count(*) FROM tags"
	"   WHERE tenant_id = ?1 AND catalog_name = ?2)"
	" FROM catalogs WHERE tenant_id = ?1 AND name = ?2";

static void
catalog_fill(struct row *r, void *out)
{
	struct pgl_catalog	*c = out;

	c->id = row_text(r);
	c->tenant_id = row_text(r);
	c->name = row_text(r);
	c->catalog_type = row_text(r);
	c->warehouse_name = row_text(r);
	c->storage_location = row_text(r);
	c->federated_config = row_text(r);
	c->properties = row_text(r);
}

static void
counts_fill(struct row *r, void *out)
{
	struct pgl_catalog_counts	*c = out;

	c->namespaces = (uint64_t)row_int(r);
	c->tables = (uint64_t)row_int(r);
	c->views = (uint64_t)row_int(r);
	c->assets = (uint64_t)row_int(r);
	c->branches = (uint64_t)row_int(r);
	c->tags = (uint64_t)row_int(r);
}

int
sql_create_catalog(struct pgl_store *s, const struct pgl_catalog *c,
    struct pgl_err *err)
{
	int	rc;

	rc = store_exec(s, err, CATALOG_INSERT, NULL, "ssssssss",
	    c->tenant_id, c->name, c->id, c->catalog_type, c->warehouse_name,
	    c->storage_location, c->federated_config, c->properties);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "tenant %s or warehouse %s not found",
		    c->tenant_id, c->warehouse_name ? c->warehouse_name : "-");
	return (rc);
}

int
sql_get_catalog(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *name, struct pgl_catalog *out,
    struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, CATALOG_GET, catalog_fill, out, "ss",
	    tenant, name);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "catalog %s not found", name);
	return (rc);
}

int
sql_list_catalogs(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_page *page,
    struct pgl_catalog **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, CATALOG_LIST, catalog_fill,
	    sizeof(**items), &p, n, "sps", tenant, page, sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, CATALOG_COUNT, total, "s", tenant);
	return (rc);
}

int
sql_update_catalog(struct pgl_store *s, const char *tenant,
    const struct pgl_catalog *c, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, CATALOG_UPDATE, &changed, "sssssss", tenant,
	    c->name, c->catalog_type, c->warehouse_name, c->storage_location,
	    c->federated_config, c->properties);
	if (rc == PGL_ENOTFOUND)
		return (store_err(err, rc, "warehouse %s not found",
		    c->warehouse_name));
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "catalog %s not found",
		    c->name);
	return (rc);
}

int
sql_delete_catalog(struct pgl_store *s, const char *tenant,
    const char *name, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, CATALOG_DELETE, &changed, "ss", tenant, name);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "catalog %s not found",
		    name);
	return (rc);
}

int
sql_count_catalog(struct pgl_store *s, const char *tenant,
    const char *catalog, struct pgl_catalog_counts *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, NULL, err, CATALOG_COUNTS, counts_fill, out, "ss",
	    tenant, catalog);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "catalog %s not found", catalog);
	return (rc);
}

/* Namespaces. */

#define NS_COLS \
	"SELECT catalog_name, name, properties FROM namespaces" \
	" WHERE tenant_id = ?1 AND catalog_name = ?2"
/*
 * parent NULL lists the whole catalog, "" the top level, anything else
 * the direct children of parent: the names whose levels before the last
 * are parent (SQL_NS_PARENT, "" at the top), the index namespaces_parent
 * (SQLite migration 23, PostgreSQL 21) on that expression then the name,
 * so a level is one range of it in name order, however many namespaces
 * lie below its members (where a range of the names under parent read
 * them all).  The whole catalog leaves ?3 unused, so one binding order
 * serves both.  A page starts after the key ?6 (store ABI 1.28, keyset
 * pages; "" is before every name).
 */
#define NS_ALL		SQL_UNUSED("?3")
#define NS_LEVEL	" AND " SQL_NS_PARENT("name") " = ?3"
#define NS_PAGE		" AND name > ?6 ORDER BY name LIMIT ?4 OFFSET ?5"
#define NS_COUNT \
	"SELECT count(*) FROM namespaces" \
	" WHERE tenant_id = ?1 AND catalog_name = ?2"

static const char NS_INSERT[] =
	"INSERT INTO namespaces (tenant_id, catalog_name, name, properties)"
	" VALUES (?1, ?2, ?3, coalesce(?4, '{}'))";
static const char NS_GET[] = NS_COLS " AND name = ?3";
static const char NS_LIST_ALL[] = NS_COLS NS_ALL NS_PAGE;
static const char NS_LIST_LEVEL[] =
	"SELECT catalog_name, name, properties FROM namespaces" SQL_BY_NS_PARENT
	" WHERE tenant_id = ?1 AND catalog_name = ?2" NS_LEVEL NS_PAGE;
static const char NS_COUNT_ALL[] = NS_COUNT NS_ALL;
static const char NS_COUNT_LEVEL[] =
	"SELECT count(*) FROM namespaces" SQL_BY_NS_PARENT
	" WHERE tenant_id = ?1 AND catalog_name = ?2" NS_LEVEL;
static const char NS_UPDATE[] =
	"UPDATE namespaces SET properties = coalesce(?4, '{}')"
	" WHERE tenant_id = ?1 AND catalog_name = ?2 AND name = ?3";
/* Assets in it, on every branch, go with it (FK cascade). */
static const char NS_DELETE[] =
	"DELETE FROM namespaces"
	" WHERE tenant_id = ?1 AND catalog_name = ?2 AND name = ?3";

static void
ns_fill(struct row *r, void *out)
{
	struct pgl_namespace	*ns = out;

	ns->catalog = row_text(r);
	ns->name = row_text(r);
	ns->properties = row_text(r);
}

int
sql_create_namespace(struct pgl_store *s, const char *tenant,
    const struct pgl_namespace *ns, struct pgl_err *err)
{
	int	rc;

	rc = store_exec(s, err, NS_INSERT, NULL, "ssss", tenant, ns->catalog,
	    ns->name, ns->properties);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "catalog %s not found", ns->catalog);
	return (rc);
}

int
sql_get_namespace(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *name,
    struct pgl_namespace *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, NS_GET, ns_fill, out, "sss", tenant,
	    catalog, name);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "namespace not found");
	return (rc);
}

int
sql_list_namespaces(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *parent,
    const struct pgl_page *page, struct pgl_namespace **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	const char	*list = NS_LIST_LEVEL, *count = NS_COUNT_LEVEL;
	void		*p;
	int		rc;

	if (parent == NULL) {
		list = NS_LIST_ALL;
		count = NS_COUNT_ALL;
	}
	rc = store_list(s, a, err, list, ns_fill, sizeof(**items), &p, n,
	    "sssps", tenant, catalog, parent, page, sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, count, total, "sss", tenant, catalog,
		    parent);
	return (rc);
}

int
sql_update_namespace(struct pgl_store *s, const char *tenant,
    const struct pgl_namespace *ns, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, NS_UPDATE, &changed, "ssss", tenant,
	    ns->catalog, ns->name, ns->properties);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "namespace not found");
	return (rc);
}

int
sql_delete_namespace(struct pgl_store *s, const char *tenant,
    const char *catalog, const char *name, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, NS_DELETE, &changed, "sss", tenant, catalog,
	    name);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "namespace not found");
	return (rc);
}
