/*
 * Users, as plugins/sql-common/sql_users.c (whose notes apply):
 * usernames unique store-wide, and their keys (mongo_name_keys.c).
 * Their session tokens: mongo_tokens.c.
 */
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

static void
user_fill(struct doc *d, void *out)
{
	struct pgl_user	*u = out;

	u->id = doc_str(d, "id");
	u->tenant_id = doc_str(d, "tenant_id");
	u->username = doc_str(d, "username");
	u->email = doc_str(d, "email");
	u->role = doc_str(d, "role");
	u->password_hash = doc_str(d, "password_hash");
	u->active = doc_bool(d, "active");
	u->doc = doc_str(d, "doc");
}

static const struct mg_shape	user_shape = {
	COLL_USERS, sizeof(struct pgl_user), user_fill, "user", MG_NAME_KEY,
	"s"
};

static void
user_fields(bson_t *b, const struct pgl_user *u)
{
	BSON_APPEND_UTF8(b, "username", u->username);
	mg_str(b, "email", u->email);
	BSON_APPEND_UTF8(b, "role", u->role);
	mg_str(b, "password_hash", u->password_hash);
	BSON_APPEND_BOOL(b, "active", u->active != 0);
	mg_str_or(b, "doc", u->doc, "{}");
}

/* A username another user (not except_id) has is taken. */
static int
name_taken(struct pgl_store *s, const char *username, const char *except_id,
    struct pgl_err *err)
{
	bson_t	*dup;
	int	 found = 0, rc;

	dup = BCON_NEW("username", BCON_UTF8(username), "id", "{", "$ne",
	    BCON_UTF8(except_id != NULL ? except_id : ""), "}");
	rc = mg_exists(s, err, COLL_USERS, dup, &found);
	bson_destroy(dup);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "user %s already exists",
		    username);
	return (rc);
}

int
mongo_create_user(struct pgl_store *s, const struct pgl_user *u,
    struct pgl_err *err)
{
	bson_t		 doc = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	char		 buf[MONGO_NAME_KEY_MAX];
	const char	*key = NULL;
	int		 found = 1, rc;

	if (u->id == NULL || u->username == NULL || u->role == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (user id, "
		    "username and role are required)"));
	mg_str(&filter, "id", u->id);
	rc = mg_exists(s, err, COLL_USERS, &filter, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "user %s already exists",
		    u->id);
	if (rc == PGL_OK)
		rc = name_taken(s, u->username, NULL, err);
	if (rc == PGL_OK)
		rc = mongo_name_key(s, NULL, u->username, buf, &key, err);
	if (rc == PGL_OK)
		rc = mongo_key_taken(s, COLL_USERS, key, NULL, err);
	if (rc == PGL_OK && u->tenant_id != NULL)
		rc = mongo_tenant_exists(s, u->tenant_id, err);
	if (rc == PGL_OK) {
		BSON_APPEND_UTF8(&doc, "id", u->id);
		mg_str(&doc, "tenant_id", u->tenant_id);
		user_fields(&doc, u);
		if (key != NULL)
			BSON_APPEND_UTF8(&doc, "name_key", key);
		rc = mg_insert(s, err, COLL_USERS, &doc);
	}
	bson_destroy(&filter);
	bson_destroy(&doc);
	return (rc);
}

int
mongo_get_user(struct pgl_store *s, struct pgl_arena *a, const char *id,
    struct pgl_user *out, struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &user_shape, out, "id", id, NULL));
}

int
mongo_get_user_by_username(struct pgl_store *s, struct pgl_arena *a,
    const char *username, struct pgl_user *out, struct pgl_err *err)
{
	return (mg_get_by(s, a, err, &user_shape, out, "username", username,
	    NULL));
}

int
mongo_list_users(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_page *page, struct pgl_user **items,
    size_t *n, uint64_t *total, struct pgl_err *err)
{
	return (mg_page_of(s, a, err, &user_shape, tenant, "username", page,
	    items, n, total));
}

int
mongo_update_user(struct pgl_store *s, const struct pgl_user *u,
    struct pgl_err *err)
{
	bson_t		 filter = BSON_INITIALIZER, up = BSON_INITIALIZER;
	bson_t		 set, unset = BSON_INITIALIZER;
	uint64_t	 matched = 0;
	char		 buf[MONGO_NAME_KEY_MAX];
	const char	*key = NULL;
	int		 same = 1, rc;

	mg_str(&filter, "id", u->id);
	rc = name_taken(s, u->username, u->id, err);
	/* A name that did not change keeps its key, or its want of one. */
	if (rc == PGL_OK)
		rc = mongo_name_unchanged(s, COLL_USERS, &filter, "username",
		    u->username, &same, err);
	if (rc == PGL_OK && !same &&
	    (rc = mongo_name_key(s, NULL, u->username, buf, &key, err)) ==
	    PGL_OK)
		rc = mongo_key_taken(s, COLL_USERS, key, u->id, err);
	if (rc == PGL_OK) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		user_fields(&set, u);
		if (!same)
			mongo_name_key_set(&set, &unset, key);
		bson_append_document_end(&up, &set);
		if (!bson_empty(&unset))
			BSON_APPEND_DOCUMENT(&up, "$unset", &unset);
		rc = mg_update(s, err, COLL_USERS, &filter, &up, 0, &matched);
	}
	bson_destroy(&unset);
	if (rc == PGL_OK && matched == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "user %s not found", u->id);
	bson_destroy(&up);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_delete_user(struct pgl_store *s, const char *id, struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER;
	uint64_t	deleted = 0;
	int		own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	mg_str(&filter, "id", id);
	rc = mg_delete(s, err, COLL_USERS, &filter, 0, &deleted);
	if (rc == PGL_OK && deleted == 0)
		rc = mongo_err(err, PGL_ENOTFOUND, "user %s not found", id);
	if (rc == PGL_OK)
		rc = mongo_revoke_user_tokens(s, id, 0, "user deleted", err);
	if (rc == PGL_OK)
		rc = mongo_drop_grants_of(s, id, err);
	bson_destroy(&filter);
	return (mg_tx_own_end(s, own, rc, err));
}
