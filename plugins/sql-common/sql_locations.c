/*
 * Every table owns its files (store ABI 1.26, issue 67): the owner of a
 * place, for the host's check that no two tables or views (live on any
 * branch of any catalog of a tenant, or dropped and still recoverable)
 * share a directory.
 *
 * Each asset row and each dropped entry keeps beside its location the
 * key the host makes of it (plugin.h, location_key: one spelling per
 * place, one '/' at the end), written by every statement that writes the
 * location (sql_asset_writes.c, sql_dropped.c) and copied by every copy
 * of a row (a branch's, a copy-up, a move).  Two locations overlap
 * exactly when one key is a prefix of the other, so the owners of a
 * place are two lookups of the index (tenant_id, location_key): the
 * keys that are prefixes of its key (one per '/' in it, handed over as
 * a JSON array) and the range of keys that start with it, [key, key with
 * its last '/' as '0'), '0' being the byte after '/'.  PostgreSQL keeps
 * the key COLLATE "C", so that range is one of bytes there too.
 *
 * The claim that makes the check race-free is a write: an upsert of the
 * tenant's row of location_claims.  SQLite runs one writer at a time
 * anyway; PostgreSQL's REPEATABLE READ fails the later of two
 * transactions that both claimed (40001, PGL_ERETRY: the host runs it
 * again, and the run again sees the other's table), whether or not they
 * began one at a time (begin_tenant: a management route's transaction
 * does not).
 *
 * origin is the asset a row is a version of: its own id at its create
 * (or the one the host passes on: a merge's, a restore's), kept by every
 * copy.  A row written before 1.26 has none until the migration: then
 * the rows of one (catalog, namespace, name) share the least id of them.
 */
#include <stdio.h>
#include <string.h>

#include "sql_store.h"

#define PAGE		500

/* A live table's, view's or function's row, and a dropped one's entry,
 * as owners. */
#define LIVE_OWNERS \
	"SELECT tenant_id, catalog_name, branch_name, namespace, name, kind," \
	" location, location_key, coalesce(origin, id) AS origin," \
	" CAST(NULL AS text) AS dropped_id, id FROM assets" \
	SQL_BY_LOCATION("assets_location") \
	" WHERE gone = 0 AND kind IN ('ICEBERG_TABLE', 'VIEW', 'FUNCTION')"
#define DROPPED_OWNERS \
	"SELECT tenant_id, catalog_name, branch_name, namespace, name, kind," \
	" location, location_key, coalesce(origin, asset_id, id), id, id" \
	" FROM dropped_assets" SQL_BY_LOCATION("dropped_location") \
	" WHERE kind IN ('ICEBERG_TABLE', 'VIEW', 'FUNCTION')"
/* Two lookups of (tenant_id, location_key) each, not one OR, which a
 * planner may answer by reading the tenant's rows. */
#define HOLDING	" AND tenant_id = ?1 AND location_key IN (" \
	SQL_JSON_ELEMENTS("?2") ")"
#define INSIDE	" AND tenant_id = ?1 AND location_key >= ?3" \
	" AND location_key < ?4"
#define OWNER_COLS \
	"SELECT o.tenant_id, o.catalog_name, o.branch_name, o.namespace," \
	" o.name, o.kind, o.location, o.location_key, o.origin," \
	" o.dropped_id, o.id"

static const char OWNER_FIND[] =
	OWNER_COLS " FROM (" LIVE_OWNERS HOLDING " UNION ALL " LIVE_OWNERS
	INSIDE " UNION ALL " DROPPED_OWNERS HOLDING " UNION ALL "
	DROPPED_OWNERS INSIDE ") o WHERE (?5 IS NULL OR o.origin <> ?5)"
	" AND (?6 IS NULL OR o.dropped_id IS NOT NULL"
	" OR NOT (o.catalog_name = ?6 AND o.namespace = ?7 AND o.name = ?8))"
	" LIMIT 1";

/*
 * A page after (?2, ?3, ?4) ("" each for the first) seeks in each arm's
 * index (tenant_id, location_key) by the row value, then keeps the rows
 * past the last one's id.  The outer ORs of before were no range, so
 * every page read the index from its start: a walk of 1,000,000 tables
 * (the start-up report) read 2,000 pages of 500,000 rows on average and
 * did not end in two minutes; now each page is its own 500 rows.
 */
#define ALL_OF(t) \
	" AND location_key IS NOT NULL AND (" t " IS NULL OR tenant_id = " t ")" \
	" AND (tenant_id, location_key) >= (?2, ?3)" \
	" AND (tenant_id, location_key, id) > (?2, ?3, ?4)"
static const char OWNERS_PAGE[] =
	OWNER_COLS " FROM (" LIVE_OWNERS ALL_OF("?1") " UNION ALL "
	DROPPED_OWNERS ALL_OF("?1") ") o"
	" ORDER BY o.tenant_id, o.location_key, o.id LIMIT ?5";

static const char CLAIM[] =
	"INSERT INTO location_claims (tenant_id, n) VALUES (?1, 1)"
	" ON CONFLICT (tenant_id) DO UPDATE SET n = location_claims.n + 1";

/* The migration's backfill: rows of before, a page at a time. */
static const char ASSETS_PAGE[] =
	"SELECT id, location FROM assets WHERE location IS NOT NULL"
	" AND id > ?1 ORDER BY id LIMIT ?2";
static const char ASSET_KEY_SET[] =
	"UPDATE assets SET location_key = ?2 WHERE id = ?1";
static const char DROPPED_PAGE[] =
	"SELECT id, location, tenant_id FROM dropped_assets"
	" WHERE location IS NOT NULL AND (tenant_id > ?3"
	" OR (tenant_id = ?3 AND id > ?1)) ORDER BY tenant_id, id LIMIT ?2";
static const char DROPPED_KEY_SET[] =
	"UPDATE dropped_assets SET location_key = ?2"
	" WHERE tenant_id = ?3 AND id = ?1";

int
sql_location_key(struct pgl_store *s, const char *location, char *buf,
    const char **key, struct pgl_err *err)
{
	const struct pgl_host	*h = store_host(s);

	(void)err;
	*key = NULL;
	/* A host before 1.2 keys nothing, and a location longer than any
	 * the host gives a table (a generic asset's) has no key: no owner
	 * is found for either. */
	if (location == NULL || h->abi_minor < 2 || h->location_key == NULL ||
	    h->location_key(location, buf, PGL_LOCATION_KEY_LEN) == -1)
		return (PGL_OK);
	*key = buf;
	return (PGL_OK);
}

static void
owner_fill(struct row *r, void *out)
{
	struct pgl_location_owner	*o = out;

	o->tenant_id = row_text(r);
	o->catalog = row_text(r);
	o->branch = row_text(r);
	o->ns = row_text(r);
	o->name = row_text(r);
	o->kind = row_text(r);
	o->location = row_text(r);
	o->key = row_text(r);
	o->origin = row_text(r);
	o->dropped_id = row_text(r);
	o->id = row_text(r);
}

/*
 * The keys a key's place lies in, its own among them: each prefix that
 * ends in '/', as a JSON array in the arena (the host's locations have
 * no control byte; '"' and '\\' are escaped); NULL out of memory.
 */
static char *
prefixes(struct pgl_store *s, struct pgl_arena *a, const char *key)
{
	size_t	i, k, need = 3, w = 0;
	char	*out;

	for (i = 0; key[i] != '\0'; i++) {
		if (key[i] == '/')
			need += 2 * (i + 1) + 3;
	}
	if ((out = store_host(s)->arena_alloc(a, need)) == NULL)
		return (NULL);
	out[w++] = '[';
	for (i = 0; key[i] != '\0'; i++) {
		if (key[i] != '/')
			continue;
		if (w > 1)
			out[w++] = ',';
		out[w++] = '"';
		for (k = 0; k <= i; k++) {
			if (key[k] == '"' || key[k] == '\\')
				out[w++] = '\\';
			out[w++] = key[k];
		}
		out[w++] = '"';
	}
	out[w++] = ']';
	out[w] = '\0';
	return (out);
}

int
sql_find_location_owner(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_location_probe *q,
    struct pgl_location_owner *out, struct pgl_err *err)
{
	char		 buf[PGL_LOCATION_KEY_LEN], upper[PGL_LOCATION_KEY_LEN];
	const char	*key, *pre;
	size_t		 len;
	int		 rc;

	memset(out, 0, sizeof(*out));
	if (tenant == NULL || q == NULL || q->location == NULL)
		return (store_err(err, PGL_EINVAL, "find_location_owner: a "
		    "tenant and a location are required"));
	if ((rc = sql_location_key(s, q->location, buf, &key, err)) != PGL_OK)
		return (rc);
	if (key == NULL)
		return (store_err(err, PGL_ENOTFOUND, "no owner"));
	if ((pre = prefixes(s, a, key)) == NULL)
		return (store_err(err, PGL_ENOMEM, "out of memory"));
	/* [key, key with its last '/' as '0'): the keys key begins. */
	len = strlen(key);
	memcpy(upper, key, len + 1);
	upper[len - 1] = '0';
	if (q->claim && store_in_tx(s) && (rc = store_exec(s, err, CLAIM,
	    NULL, "s", tenant)) != PGL_OK)
		return (rc == PGL_ENOTFOUND ? store_err(err, PGL_EINVAL,
		    "tenant %s not found", tenant) : rc);
	rc = store_get(s, a, err, OWNER_FIND, owner_fill, out, "ssssssss",
	    tenant, pre, key, upper, q->origin, q->catalog, q->ns, q->name);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "no owner");
	return (rc);
}

int
sql_list_location_owners(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *after_tenant, const char *after_key,
    const char *after_id, uint32_t limit, struct pgl_location_owner **items,
    size_t *n, struct pgl_err *err)
{
	void	*p = NULL;
	int	 rc;

	*items = NULL;
	*n = 0;
	if (limit == 0)
		return (store_err(err, PGL_EINVAL, "list_location_owners: a "
		    "limit is required"));
	rc = store_list(s, a, err, OWNERS_PAGE, owner_fill, sizeof(**items),
	    &p, n, "ssssi", tenant, after_tenant != NULL ? after_tenant : "",
	    after_key != NULL ? after_key : "", after_id != NULL ? after_id :
	    "", (int64_t)limit);
	*items = p;
	return (rc);
}

struct located {
	const char	*id;
	const char	*location;
	const char	*tenant_id;	/* dropped entries */
};

static void
located_fill(struct row *r, void *out)
{
	struct located	*l = out;

	l->id = row_text(r);
	l->location = row_text(r);
}

static void
dropped_located_fill(struct row *r, void *out)
{
	struct located	*l = out;

	located_fill(r, out);
	l->tenant_id = row_text(r);
}

/* Every row of one table with a location, keyed, a page at a time. */
static int
backfill(struct pgl_store *s, int dropped, struct pgl_err *err)
{
	const struct pgl_host	*h = store_host(s);
	struct pgl_arena	*a = NULL, *prev;
	struct located		*rows, last = { "", NULL, "" };
	char			 buf[PGL_LOCATION_KEY_LEN];
	const char		*key;
	size_t			 n = 0, i;
	void			*p;
	int			 rc;

	do {
		prev = a;
		if ((a = h->arena_new()) == NULL) {
			rc = store_err(err, PGL_ENOMEM, "out of memory");
			a = prev;
			break;
		}
		rc = dropped ? store_list(s, a, err, DROPPED_PAGE,
		    dropped_located_fill, sizeof(*rows), &p, &n, "sis",
		    last.id, (int64_t)PAGE, last.tenant_id) : store_list(s, a,
		    err, ASSETS_PAGE, located_fill, sizeof(*rows), &p, &n,
		    "si", last.id, (int64_t)PAGE);
		if (prev != NULL)
			h->arena_free(prev);
		rows = p;
		for (i = 0; rc == PGL_OK && i < n; i++) {
			/* One too long to key keeps none: it is older than
			 * the host's limit on a location. */
			if (h->location_key(rows[i].location, buf,
			    sizeof(buf)) == -1)
				continue;
			key = buf;
			rc = dropped ? store_exec(s, err, DROPPED_KEY_SET, NULL,
			    "sss", rows[i].id, key, rows[i].tenant_id) :
			    store_exec(s, err, ASSET_KEY_SET, NULL, "ss",
			    rows[i].id, key);
		}
		if (rc == PGL_OK && n > 0)
			last = rows[n - 1];
	} while (rc == PGL_OK && n == PAGE);
	if (a != NULL)
		h->arena_free(a);
	return (rc);
}

int
sql_location_keys_backfill(struct pgl_store *s, struct pgl_err *err)
{
	const struct pgl_host	*h = store_host(s);
	int			 rc;

	if (h->abi_minor < 2 || h->location_key == NULL ||
	    h->arena_new == NULL) {
		h->log(PGL_LOG_WARN, "this host keys no locations (host ABI "
		    "%d.%d): tables' places are not checked for overlaps",
		    h->abi_major, h->abi_minor);
		return (PGL_OK);
	}
	if ((rc = backfill(s, 0, err)) == PGL_OK)
		rc = backfill(s, 1, err);
	return (rc);
}
