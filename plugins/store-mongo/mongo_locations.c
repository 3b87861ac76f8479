/*
 * Every table owns its files (store ABI 1.26, issue 67), as
 * plugins/sql-common/sql_locations.c keeps it (whose notes apply): an
 * asset document and a dropped entry carry `location_key` (the host's
 * key of `location`, null for none) and `origin` (the asset it is a
 * version of), and the owners of a place are found under the index
 * (tenant_id, location_key) of each collection: the keys that are
 * prefixes of the place's key ($in) and the range of keys it begins
 * ($gte, $lt).  Strings compare by their bytes (the simple collation),
 * so that range is one of bytes.
 *
 * The claim is an increment of the tenant's counter "locations/<tenant>"
 * (counters, mongo_lineage.c's collection): two transactions that both
 * claim write one document, and the later fails with a write conflict
 * (PGL_ERETRY), so two creates cannot both find a place free.  A
 * deployment without transactions (the CongoDB test server) runs every
 * write at once and the claim holds nothing: there two creates racing
 * for one place can both take it (docs/security.md says so).
 *
 * Schema 12 gives the documents of before their keys and origins, one
 * document (or one asset's documents) at a time, as the other upgrades
 * do: the rows of one (catalog, namespace, name) share the least id of
 * them; a dropped entry is its own row's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

#define CLAIM_PREFIX	"locations/"

void
mongo_location_key_set(struct pgl_store *s, bson_t *doc, const char *loc)
{
	const struct pgl_host	*h = s->host;
	char			 key[PGL_LOCATION_KEY_LEN];

	if (loc == NULL || h->abi_minor < 2 || h->location_key == NULL ||
	    h->location_key(loc, key, sizeof(key)) == -1)
		BSON_APPEND_NULL(doc, "location_key");
	else
		BSON_APPEND_UTF8(doc, "location_key", key);
}

void
mongo_origin_keep(bson_t *out, const bson_t *row)
{
	bson_iter_t	it;

	if (bson_iter_init_find(&it, row, "origin") &&
	    BSON_ITER_HOLDS_UTF8(&it))
		return;
	if (bson_iter_init_find(&it, row, "id") && BSON_ITER_HOLDS_UTF8(&it))
		BSON_APPEND_UTF8(out, "origin", bson_iter_utf8(&it, NULL));
}

static void
owner_fill(struct doc *d, void *out)
{
	struct pgl_location_owner	*o = out;

	o->tenant_id = doc_str(d, "tenant_id");
	o->catalog = doc_str(d, "catalog_name");
	o->branch = doc_str(d, "branch_name");
	o->ns = doc_str(d, "namespace");
	o->name = doc_str(d, "name");
	o->kind = doc_str(d, "kind");
	o->location = doc_str(d, "location");
	o->key = doc_str(d, "location_key");
	o->id = doc_str(d, "id");
}

static void
live_fill(struct doc *d, void *out)
{
	struct pgl_location_owner	*o = out;

	owner_fill(d, out);
	if ((o->origin = doc_str(d, "origin")) == NULL)
		o->origin = o->id;
}

static void
dropped_fill(struct doc *d, void *out)
{
	struct pgl_location_owner	*o = out;

	owner_fill(d, out);
	o->dropped_id = o->id;
	if ((o->origin = doc_str(d, "origin")) == NULL)
		o->origin = doc_str(d, "asset_id");
}

/* Tables, views and functions, live (a tombstone is none). */
static void
owners_of(bson_t *f, int coll)
{
	bson_t	kinds, gone;

	BSON_APPEND_DOCUMENT_BEGIN(f, "kind", &kinds);
	BCON_APPEND(&kinds, "$in", "[", BCON_UTF8("ICEBERG_TABLE"),
	    BCON_UTF8("VIEW"), BCON_UTF8("FUNCTION"), "]");
	bson_append_document_end(f, &kinds);
	if (coll == COLL_ASSETS) {
		BSON_APPEND_DOCUMENT_BEGIN(f, "gone", &gone);
		BSON_APPEND_BOOL(&gone, "$ne", true);
		bson_append_document_end(f, &gone);
	}
}

/* The prefixes of key that end in '/', its own among them. */
static void
append_prefixes(bson_t *arr, const char *key)
{
	char		 idx[16];
	const char	*k;
	size_t		 i;
	uint32_t	 n = 0;

	for (i = 0; key[i] != '\0'; i++) {
		if (key[i] != '/')
			continue;
		(void)bson_uint32_to_string(n++, &k, idx, sizeof(idx));
		bson_append_utf8(arr, k, -1, key, (int)(i + 1));
	}
}

static void
find_filter(bson_t *f, int coll, const char *tenant, const char *key,
    const char *upper, const struct pgl_location_probe *q)
{
	bson_t	and, one, or, two, three, sub, in, ne;

	BSON_APPEND_UTF8(f, "tenant_id", tenant);
	owners_of(f, coll);
	if (q->origin != NULL) {
		BSON_APPEND_DOCUMENT_BEGIN(f, "origin", &ne);
		BSON_APPEND_UTF8(&ne, "$ne", q->origin);
		bson_append_document_end(f, &ne);
	}
	BSON_APPEND_ARRAY_BEGIN(f, "$and", &and);
	BSON_APPEND_DOCUMENT_BEGIN(&and, "0", &one);
	BSON_APPEND_ARRAY_BEGIN(&one, "$or", &or);
	BSON_APPEND_DOCUMENT_BEGIN(&or, "0", &two);
	BSON_APPEND_DOCUMENT_BEGIN(&two, "location_key", &sub);
	BSON_APPEND_ARRAY_BEGIN(&sub, "$in", &in);
	append_prefixes(&in, key);
	bson_append_array_end(&sub, &in);
	bson_append_document_end(&two, &sub);
	bson_append_document_end(&or, &two);
	BSON_APPEND_DOCUMENT_BEGIN(&or, "1", &three);
	BCON_APPEND(&three, "location_key", "{", "$gte", BCON_UTF8(key),
	    "$lt", BCON_UTF8(upper), "}");
	bson_append_document_end(&or, &three);
	bson_append_array_end(&one, &or);
	bson_append_document_end(&and, &one);
	if (coll == COLL_ASSETS && q->catalog != NULL && q->ns != NULL &&
	    q->name != NULL) {
		BSON_APPEND_DOCUMENT_BEGIN(&and, "1", &one);
		BCON_APPEND(&one, "$or", "[",
		    "{", "catalog_name", "{", "$ne", BCON_UTF8(q->catalog),
		    "}", "}",
		    "{", "namespace", "{", "$ne", BCON_UTF8(q->ns), "}", "}",
		    "{", "name", "{", "$ne", BCON_UTF8(q->name), "}", "}",
		    "]");
		bson_append_document_end(&and, &one);
	}
	bson_append_array_end(f, &and);
}

/* The tenant's locations claimed: its counter bumped, made if new. */
static int
claim(struct pgl_store *s, const char *tenant, struct pgl_err *err)
{
	char		 key[512];
	bson_t		*filter, *up, *doc;
	uint64_t	 matched = 0;
	int		 tries, rc = PGL_OK;

	(void)snprintf(key, sizeof(key), CLAIM_PREFIX "%s", tenant);
	filter = BCON_NEW("key", BCON_UTF8(key));
	up = BCON_NEW("$inc", "{", "value", BCON_INT64(1), "}");
	doc = BCON_NEW("key", BCON_UTF8(key), "value", BCON_INT64(1));
	for (tries = 0; tries < 2; tries++) {
		rc = mg_update(s, err, COLL_COUNTERS, filter, up, 0, &matched);
		if (rc != PGL_OK || matched == 1)
			break;
		/* Two first claims may both insert: the unique index fails
		 * one, which then bumps the one the other made. */
		if ((rc = mg_insert(s, err, COLL_COUNTERS, doc)) !=
		    PGL_EEXISTS)
			break;
	}
	bson_destroy(doc);
	bson_destroy(up);
	bson_destroy(filter);
	return (rc);
}

int
mongo_find_location_owner(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_location_probe *q,
    struct pgl_location_owner *out, struct pgl_err *err)
{
	const struct pgl_host	*h = s->host;
	char			 key[PGL_LOCATION_KEY_LEN];
	char			 upper[PGL_LOCATION_KEY_LEN];
	bson_t			 f;
	size_t			 len;
	int			 i, rc = PGL_ENOTFOUND;
	static const int	 colls[2] = { COLL_ASSETS, COLL_DROPPED };

	memset(out, 0, sizeof(*out));
	if (tenant == NULL || q == NULL || q->location == NULL)
		return (mongo_err(err, PGL_EINVAL, "find_location_owner: a "
		    "tenant and a location are required"));
	if (h->abi_minor < 2 || h->location_key == NULL ||
	    h->location_key(q->location, key, sizeof(key)) == -1)
		return (mongo_err(err, PGL_ENOTFOUND, "no owner"));
	len = strlen(key);
	memcpy(upper, key, len + 1);
	upper[len - 1] = '0';
	if (q->claim && s->in_tx && (rc = claim(s, tenant, err)) != PGL_OK)
		return (rc);
	/* Live rows first, then dropped entries. */
	for (i = 0; i < 2; i++) {
		bson_init(&f);
		find_filter(&f, colls[i], tenant, key, upper, q);
		rc = mg_get(s, a, err, colls[i], &f, i == 0 ? live_fill :
		    dropped_fill, out);
		bson_destroy(&f);
		if (rc != PGL_ENOTFOUND)
			break;
	}
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "no owner");
	return (rc);
}

/* After (tenant, key, id), of tenant alone when not NULL. */
static void
page_filter(bson_t *f, int coll, const char *tenant, const char *at,
    const char *ak, const char *aid)
{
	bson_t	ne;

	owners_of(f, coll);
	BSON_APPEND_DOCUMENT_BEGIN(f, "location_key", &ne);
	BSON_APPEND_NULL(&ne, "$ne");
	bson_append_document_end(f, &ne);
	if (tenant != NULL)
		BSON_APPEND_UTF8(f, "tenant_id", tenant);
	if (at == NULL)
		return;
	BCON_APPEND(f, "$or", "[",
	    "{", "tenant_id", "{", "$gt", BCON_UTF8(at), "}", "}",
	    "{", "tenant_id", BCON_UTF8(at), "location_key", "{", "$gt",
	    BCON_UTF8(ak), "}", "}",
	    "{", "tenant_id", BCON_UTF8(at), "location_key", BCON_UTF8(ak),
	    "id", "{", "$gt", BCON_UTF8(aid), "}", "}",
	    "]");
}

static int
owner_cmp(const struct pgl_location_owner *a,
    const struct pgl_location_owner *b)
{
	int	c;

	if ((c = strcmp(a->tenant_id, b->tenant_id)) != 0 ||
	    (c = strcmp(a->key, b->key)) != 0)
		return (c);
	return (strcmp(a->id, b->id));
}

int
mongo_list_location_owners(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *after_tenant, const char *after_key,
    const char *after_id, uint32_t limit, struct pgl_location_owner **items,
    size_t *n, struct pgl_err *err)
{
	struct pgl_page			 page = { limit, 0, NULL };
	struct pgl_location_owner	*l[2] = { NULL, NULL }, *out;
	bson_t				 f, *sort;
	size_t				 ln[2] = { 0, 0 }, i = 0, j = 0, k = 0;
	void				*p;
	int				 c, rc = PGL_OK;
	static const int		 colls[2] = { COLL_ASSETS,
					    COLL_DROPPED };

	*items = NULL;
	*n = 0;
	if (limit == 0)
		return (mongo_err(err, PGL_EINVAL, "list_location_owners: a "
		    "limit is required"));
	sort = BCON_NEW("tenant_id", BCON_INT32(1), "location_key",
	    BCON_INT32(1), "id", BCON_INT32(1));
	for (c = 0; c < 2 && rc == PGL_OK; c++) {
		bson_init(&f);
		page_filter(&f, colls[c], tenant, after_tenant,
		    after_key != NULL ? after_key : "",
		    after_id != NULL ? after_id : "");
		rc = mg_list(s, a, err, colls[c], &f, sort, &page,
		    c == 0 ? live_fill : dropped_fill, sizeof(**items), &p,
		    &ln[c]);
		l[c] = p;
		bson_destroy(&f);
	}
	bson_destroy(sort);
	if (rc != PGL_OK)
		return (rc);
	/* The two pages merged, the first limit of them. */
	if ((out = s->host->arena_alloc(a, (ln[0] + ln[1] + 1) *
	    sizeof(*out))) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	while (k < limit && (i < ln[0] || j < ln[1])) {
		if (j == ln[1] || (i < ln[0] && owner_cmp(&l[0][i],
		    &l[1][j]) <= 0))
			out[k++] = l[0][i++];
		else
			out[k++] = l[1][j++];
	}
	*items = out;
	*n = k;
	return (PGL_OK);
}

/* The upgrade to schema 12: one document of before at a time. */
struct before {
	bson_oid_t	oid;
	int		has_oid;
	char		id[128];
	char		tenant[128];
	char		catalog[256];
	char		ns[1024];
	char		name[512];
	char		other[128];	/* a dropped entry's asset_id */
	char		*location;	/* malloc'd */
};

static void
copy_field(const bson_t *b, const char *key, char *out, size_t n)
{
	bson_iter_t	it;

	out[0] = '\0';
	if (bson_iter_init_find(&it, b, key) && BSON_ITER_HOLDS_UTF8(&it))
		(void)snprintf(out, n, "%s", bson_iter_utf8(&it, NULL));
}

static void
before_fill(struct doc *d, void *out)
{
	struct before	*b = out;
	bson_iter_t	 it;

	if (bson_iter_init_find(&it, d->b, "_id") &&
	    BSON_ITER_HOLDS_OID(&it)) {
		bson_oid_copy(bson_iter_oid(&it), &b->oid);
		b->has_oid = 1;
	}
	copy_field(d->b, "id", b->id, sizeof(b->id));
	copy_field(d->b, "tenant_id", b->tenant, sizeof(b->tenant));
	copy_field(d->b, "catalog_name", b->catalog, sizeof(b->catalog));
	copy_field(d->b, "namespace", b->ns, sizeof(b->ns));
	copy_field(d->b, "name", b->name, sizeof(b->name));
	copy_field(d->b, "asset_id", b->other, sizeof(b->other));
	if (bson_iter_init_find(&it, d->b, "location") &&
	    BSON_ITER_HOLDS_UTF8(&it))
		b->location = strdup(bson_iter_utf8(&it, NULL));
}

/* Each document of coll with a location and no key gets its key. */
static int
backfill_keys(struct pgl_store *s, int coll, struct pgl_err *err)
{
	struct before	 b;
	bson_t		*filter, key, up, set;
	int		 rc;

	filter = BCON_NEW("location", "{", "$ne", BCON_NULL, "}",
	    "location_key", "{", "$exists", BCON_BOOL(false), "}");
	for (;;) {
		memset(&b, 0, sizeof(b));
		if ((rc = mg_get(s, NULL, err, coll, filter, before_fill,
		    &b)) == PGL_OK && !b.has_oid)
			rc = mongo_err(err, PGL_EINTERNAL, "a document without "
			    "an ObjectId _id");
		if (rc != PGL_OK) {
			free(b.location);
			break;
		}
		bson_init(&key);
		bson_init(&up);
		BSON_APPEND_OID(&key, "_id", &b.oid);
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		mongo_location_key_set(s, &set, b.location);
		bson_append_document_end(&up, &set);
		rc = mg_update(s, err, coll, &key, &up, 0, NULL);
		bson_destroy(&up);
		bson_destroy(&key);
		free(b.location);
		if (rc != PGL_OK)
			break;
	}
	bson_destroy(filter);
	return (rc == PGL_ENOTFOUND ? PGL_OK : rc);
}

/* The least id of the live documents matching filter, into least. */
static int
least_id(struct pgl_store *s, const bson_t *filter, char least[128],
    struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	const bson_t	*b;
	bson_error_t	 e;
	bson_t		*extra;
	int		 rc;

	extra = BCON_NEW("sort", "{", "id", BCON_INT32(1), "}",
	    "limit", BCON_INT64(1));
	rc = mg_find(s, err, COLL_ASSETS, filter, extra, &cur);
	bson_destroy(extra);
	if (rc != PGL_OK)
		return (rc);
	if (mongoc_cursor_next(cur, &b))
		copy_field(b, "id", least, 128);
	else if (mongoc_cursor_error(cur, &e))
		rc = mongo_error(err, &e, NULL);
	mongoc_cursor_destroy(cur);
	return (rc);
}

/* Set origin on the document _id (so that each turn moves on), and on
 * every other one of group still without one. */
static int
set_origin(struct pgl_store *s, int coll, const bson_oid_t *oid,
    bson_t *group, const char *origin, struct pgl_err *err)
{
	bson_t	*key, *up;
	int	 rc;

	key = BCON_NEW("_id", BCON_OID(oid));
	up = BCON_NEW("$set", "{", "origin", BCON_UTF8(origin), "}");
	rc = mg_update(s, err, coll, key, up, 0, NULL);
	if (rc == PGL_OK && group != NULL) {
		BCON_APPEND(group, "origin", "{", "$exists", BCON_BOOL(false),
		    "}");
		rc = mg_update(s, err, coll, group, up, 1, NULL);
	}
	bson_destroy(up);
	bson_destroy(key);
	return (rc);
}

/* Each asset's documents without an origin take its least live id; a
 * dropped entry its own row's. */
static int
backfill_origins(struct pgl_store *s, int coll, struct pgl_err *err)
{
	struct before	 b;
	bson_t		*missing, *live, *group;
	char		 least[128];
	int		 rc;

	missing = BCON_NEW("origin", "{", "$exists", BCON_BOOL(false), "}");
	for (;;) {
		memset(&b, 0, sizeof(b));
		if ((rc = mg_get(s, NULL, err, coll, missing, before_fill,
		    &b)) == PGL_OK && !b.has_oid)
			rc = mongo_err(err, PGL_EINTERNAL, "a document without "
			    "an ObjectId _id");
		free(b.location);
		if (rc != PGL_OK)
			break;
		if (coll == COLL_DROPPED) {
			rc = set_origin(s, coll, &b.oid, NULL, b.other[0] !=
			    '\0' ? b.other : b.id, err);
		} else {
			(void)snprintf(least, sizeof(least), "%s", b.id);
			live = BCON_NEW("tenant_id", BCON_UTF8(b.tenant),
			    "catalog_name", BCON_UTF8(b.catalog), "namespace",
			    BCON_UTF8(b.ns), "name", BCON_UTF8(b.name), "gone",
			    "{", "$ne", BCON_BOOL(true), "}");
			group = BCON_NEW("tenant_id", BCON_UTF8(b.tenant),
			    "catalog_name", BCON_UTF8(b.catalog), "namespace",
			    BCON_UTF8(b.ns), "name", BCON_UTF8(b.name));
			if ((rc = least_id(s, live, least, err)) == PGL_OK)
				rc = set_origin(s, coll, &b.oid, group, least,
				    err);
			bson_destroy(group);
			bson_destroy(live);
		}
		if (rc != PGL_OK)
			break;
	}
	bson_destroy(missing);
	return (rc == PGL_ENOTFOUND ? PGL_OK : rc);
}

int
mongo_locations_backfill(struct pgl_store *s, struct pgl_err *err)
{
	int	rc;

	if ((rc = backfill_keys(s, COLL_ASSETS, err)) == PGL_OK &&
	    (rc = backfill_keys(s, COLL_DROPPED, err)) == PGL_OK &&
	    (rc = backfill_origins(s, COLL_ASSETS, err)) == PGL_OK)
		rc = backfill_origins(s, COLL_DROPPED, err);
	return (rc);
}
