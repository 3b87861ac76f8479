/*
 * Service users, as plugins/sql-common/sql_service_users.c: unique
 * (tenant_id, name), its name's key in the tenant (mongo_name_keys.c) and
 * key_id; the key is stored only as its hash.
 */
#include "mongo_store.h"

static void
su_fill(struct doc *d, void *out)
{
	struct pgl_service_user	*u = out;

	u->id = doc_str(d, "id");
	u->tenant_id = doc_str(d, "tenant_id");
	u->name = doc_str(d, "name");
	u->key_id = doc_str(d, "key_id");
	u->api_key_hash = doc_str(d, "api_key_hash");
	u->active = doc_bool(d, "active");
	u->expires_at_ms = doc_int(d, "expires_at");
	u->doc = doc_str(d, "doc");
}

static const struct mg_shape	su_shape = {
	COLL_SERVICE_USERS, sizeof(struct pgl_service_user), su_fill,
	"service user", MG_NAME_KEY, "s"
};

static void
su_fields(bson_t *b, const struct pgl_service_user *u)
{
	BSON_APPEND_UTF8(b, "name", u->name);
	BSON_APPEND_UTF8(b, "key_id", u->key_id);
	BSON_APPEND_UTF8(b, "api_key_hash", u->api_key_hash);
	BSON_APPEND_BOOL(b, "active", u->active != 0);
	BSON_APPEND_INT64(b, "expires_at", u->expires_at_ms);
	mg_str_or(b, "doc", u->doc, "{}");
}

/* Another service user (not u->id) with u's name in its tenant, or u's key id. */
static int
taken(struct pgl_store *s, const struct pgl_service_user *u,
    struct pgl_err *err)
{
	bson_t	*dup;
	int	 found = 0, rc;

	dup = BCON_NEW("id", "{", "$ne", BCON_UTF8(u->id), "}",
	    "$or", "[", "{", "tenant_id", BCON_UTF8(u->tenant_id),
	    "name", BCON_UTF8(u->name), "}",
	    "{", "key_id", BCON_UTF8(u->key_id), "}", "]");
	rc = mg_exists(s, err, COLL_SERVICE_USERS, dup, &found);
	bson_destroy(dup);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "service user %s already "
		    "exists", u->name);
	return (rc);
}

int
mongo_create_service_user(struct pgl_store *s,
    const struct pgl_service_user *u, struct pgl_err *err)
{
	bson_t		 doc = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	char		 buf[MONGO_NAME_KEY_MAX];
	const char	*key = NULL;
	int		 found = 0, rc;

	if (u->id == NULL || u->tenant_id == NULL || u->name == NULL ||
	    u->key_id == NULL || u->api_key_hash == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (service "
		    "user id, tenant, name and key are required)"));
	mg_str(&filter, "id", u->id);
	rc = mg_exists(s, err, COLL_SERVICE_USERS, &filter, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "service user %s already "
		    "exists", u->id);
	if (rc == PGL_OK)
		rc = taken(s, u, err);
	if (rc == PGL_OK)
		rc = mongo_name_key(s, u->tenant_id, u->name, buf, &key,
		    err);
	if (rc == PGL_OK)
		rc = mongo_key_taken(s, COLL_SERVICE_USERS, key, NULL, err);
	if (rc == PGL_OK)
		rc = mongo_tenant_exists(s, u->tenant_id, err);
	if (rc == PGL_OK) {
		BSON_APPEND_UTF8(&doc, "id", u->id);
		BSON_APPEND_UTF8(&doc, "tenant_id", u->tenant_id);
		su_fields(&doc, u);
		if (key != NULL)
			BSON_APPEND_UTF8(&doc, "name_key", key);
		rc = mg_insert(s, err, COLL_SERVICE_USERS, &doc);
	}
	bson_destroy(&filter);
	bson_destroy(&doc);
	return (rc);
}

int
mongo_get_service_user(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *id, struct pgl_service_user *out,
    struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &su_shape, out, "tenant_id", tenant, "id",
	    id, NULL));
}

int
mongo_get_service_user_by_key_id(struct pgl_store *s, struct pgl_arena *a,
    const char *key_id, struct pgl_service_user *out, struct pgl_err *err)
{
	int	rc;

	rc = mg_get_by(s, a, err, &su_shape, out, "key_id", key_id, NULL);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "no service user has key %s", key_id);
	return (rc);
}

int
mongo_list_service_users(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_page *page,
    struct pgl_service_user **items, size_t *n, uint64_t *total,
    struct pgl_err *err)
{
	return (mg_page_of(s, a, err, &su_shape, tenant, "name", page, items, n,
	    total));
}

int
mongo_update_service_user(struct pgl_store *s,
    const struct pgl_service_user *u, struct pgl_err *err)
{
	bson_t		 filter = BSON_INITIALIZER, up = BSON_INITIALIZER;
	bson_t		 set, unset = BSON_INITIALIZER;
	uint64_t	 matched = 0;
	char		 buf[MONGO_NAME_KEY_MAX];
	const char	*key = NULL;
	int		 found = 0, same = 1, rc;

	mg_str(&filter, "tenant_id", u->tenant_id);
	mg_str(&filter, "id", u->id);
	/* An update of nothing is PGL_ENOTFOUND before any clash, as in SQL. */
	rc = mg_exists(s, err, COLL_SERVICE_USERS, &filter, &found);
	if (rc == PGL_OK && !found)
		rc = mongo_err(err, PGL_ENOTFOUND, "service user %s not found",
		    u->id);
	if (rc == PGL_OK)
		rc = taken(s, u, err);
	/* A name that did not change keeps its key, or its want of one. */
	if (rc == PGL_OK)
		rc = mongo_name_unchanged(s, COLL_SERVICE_USERS, &filter,
		    "name", u->name, &same, err);
	if (rc == PGL_OK && !same &&
	    (rc = mongo_name_key(s, u->tenant_id, u->name, buf, &key,
	    err)) == PGL_OK)
		rc = mongo_key_taken(s, COLL_SERVICE_USERS, key, u->id, err);
	if (rc == PGL_OK) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		su_fields(&set, u);
		if (!same)
			mongo_name_key_set(&set, &unset, key);
		bson_append_document_end(&up, &set);
		if (!bson_empty(&unset))
			BSON_APPEND_DOCUMENT(&up, "$unset", &unset);
		rc = mg_update(s, err, COLL_SERVICE_USERS, &filter, &up, 0,
		    &matched);
	}
	bson_destroy(&unset);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "service user %s not found",
		    u->id);
	bson_destroy(&up);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_delete_service_user(struct pgl_store *s, const char *tenant,
    const char *id, struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER;
	uint64_t	deleted = 0;
	int		own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	mg_str(&filter, "tenant_id", tenant);
	mg_str(&filter, "id", id);
	rc = mg_delete(s, err, COLL_SERVICE_USERS, &filter, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "service user %s not found",
		    id);
	if (rc == PGL_OK)
		rc = mongo_drop_grants_of(s, id, err);
	bson_destroy(&filter);
	return (mg_tx_own_end(s, own, rc, err));
}
