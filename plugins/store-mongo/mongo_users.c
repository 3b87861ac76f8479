/*
 * Users and session tokens, as plugins/sql-common/sql_users.c (whose
 * notes apply): usernames unique store-wide, tokens kept by id and
 * metadata only, revocations in their own collection looked up by jti.
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
	bson_t	doc = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	int	found = 1, rc;

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
	if (rc == PGL_OK && u->tenant_id != NULL)
		rc = mongo_tenant_exists(s, u->tenant_id, err);
	if (rc == PGL_OK) {
		BSON_APPEND_UTF8(&doc, "id", u->id);
		mg_str(&doc, "tenant_id", u->tenant_id);
		user_fields(&doc, u);
		rc = mg_insert(s, err, COLL_USERS, &doc);
	}
	bson_destroy(&filter);
	bson_destroy(&doc);
	return (rc);
}

static int
get_by(struct pgl_store *s, struct pgl_arena *a, const char *field,
    const char *value, struct pgl_user *out, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	mg_str(&filter, field, value);
	rc = mg_get(s, a, err, COLL_USERS, &filter, user_fill, out);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "user %s not found", value);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_get_user(struct pgl_store *s, struct pgl_arena *a, const char *id,
    struct pgl_user *out, struct pgl_err *err)
{
	return (get_by(s, a, "id", id, out, err));
}

int
mongo_get_user_by_username(struct pgl_store *s, struct pgl_arena *a,
    const char *username, struct pgl_user *out, struct pgl_err *err)
{
	return (get_by(s, a, "username", username, out, err));
}

int
mongo_list_users(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_page *page, struct pgl_user **items,
    size_t *n, uint64_t *total, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER, *sort;
	void	*p;
	int	rc;

	sort = BCON_NEW("username", BCON_INT32(1));
	mg_str(&filter, "tenant_id", tenant);
	rc = mg_list(s, a, err, COLL_USERS, &filter, sort, page, user_fill,
	    sizeof(**items), &p, n);
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = mg_count(s, err, COLL_USERS, &filter, total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

int
mongo_update_user(struct pgl_store *s, const struct pgl_user *u,
    struct pgl_err *err)
{
	bson_t		filter = BSON_INITIALIZER, up = BSON_INITIALIZER, set;
	uint64_t	matched = 0;
	int		rc;

	mg_str(&filter, "id", u->id);
	rc = name_taken(s, u->username, u->id, err);
	if (rc == PGL_OK) {
		BSON_APPEND_DOCUMENT_BEGIN(&up, "$set", &set);
		user_fields(&set, u);
		bson_append_document_end(&up, &set);
		rc = mg_update(s, err, COLL_USERS, &filter, &up, 0, &matched);
	}
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

static void
token_fill(struct doc *d, void *out)
{
	struct pgl_token	*t = out;

	t->id = doc_str(d, "id");
	t->tenant_id = doc_str(d, "tenant_id");
	t->user_id = doc_str(d, "user_id");
	t->expires_at_ms = doc_int(d, "expires_at");
	t->doc = doc_str(d, "doc");
}

int
mongo_store_token(struct pgl_store *s, const struct pgl_token *t,
    struct pgl_err *err)
{
	bson_t	doc = BSON_INITIALIZER, filter = BSON_INITIALIZER;
	int	found = 0, rc;

	if (t->id == NULL || t->user_id == NULL)
		return (mongo_err(err, PGL_EINVAL, "invalid value (token id "
		    "and user id are required)"));
	mg_str(&filter, "id", t->id);
	rc = mg_exists(s, err, COLL_TOKENS, &filter, &found);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "token %s already exists",
		    t->id);
	if (rc == PGL_OK) {
		BSON_APPEND_UTF8(&doc, "id", t->id);
		mg_str(&doc, "tenant_id", t->tenant_id);
		BSON_APPEND_UTF8(&doc, "user_id", t->user_id);
		BSON_APPEND_INT64(&doc, "expires_at", t->expires_at_ms);
		mg_str_or(&doc, "doc", t->doc, "{}");
		rc = mg_insert(s, err, COLL_TOKENS, &doc);
	}
	bson_destroy(&filter);
	bson_destroy(&doc);
	return (rc);
}

int
mongo_get_token(struct pgl_store *s, struct pgl_arena *a, const char *id,
    struct pgl_token *out, struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	rc;

	mg_str(&filter, "id", id);
	rc = mg_get(s, a, err, COLL_TOKENS, &filter, token_fill, out);
	if (rc == PGL_ENOTFOUND)
		(void)mongo_err(err, rc, "token %s not found", id);
	bson_destroy(&filter);
	return (rc);
}

/* Revoked jtis among a page of tokens, then the page without them. */
static int
drop_revoked(struct pgl_store *s, struct pgl_token *items, size_t *n,
    struct pgl_err *err)
{
	size_t	i, kept = 0;
	int	revoked, rc = PGL_OK;

	for (i = 0; rc == PGL_OK && i < *n; i++) {
		rc = mongo_is_token_revoked(s, items[i].id, &revoked, err);
		if (rc == PGL_OK && !revoked)
			items[kept++] = items[i];
	}
	*n = kept;
	return (rc);
}

/*
 * Revoking a token also deletes its active row (mongo_revoke_token), or
 * marks it revoked (mongo_revoke_user_tokens), so the live tokens are the
 * unmarked rows not yet expired; drop_revoked only guards against a
 * revocation that raced the row's insert.
 */
int
mongo_list_active_tokens(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *user_id, int64_t now_ms,
    const struct pgl_page *page, struct pgl_token **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	bson_t	*filter, *sort;
	void	*p;
	int	rc;

	filter = BCON_NEW("user_id", BCON_UTF8(user_id),
	    "expires_at", "{", "$gt", BCON_INT64(now_ms), "}",
	    "revoked", "{", "$ne", BCON_BOOL(1), "}");
	mg_str(filter, "tenant_id", tenant);
	sort = BCON_NEW("expires_at", BCON_INT32(-1), "id", BCON_INT32(1));
	rc = mg_list(s, a, err, COLL_TOKENS, filter, sort, page, token_fill,
	    sizeof(**items), &p, n);
	*items = p;
	if (rc == PGL_OK)
		rc = drop_revoked(s, *items, n, err);
	if (rc == PGL_OK && total != NULL)
		rc = mg_count(s, err, COLL_TOKENS, filter, total);
	bson_destroy(sort);
	bson_destroy(filter);
	return (rc);
}

/* The revocation row of jti; revoked twice, the later expiry wins. */
static int
revoke_jti(struct pgl_store *s, const char *jti, int64_t expires_at_ms,
    const char *reason, struct pgl_err *err)
{
	bson_t	*filter, *up, doc = BSON_INITIALIZER;
	int	 found = 0, rc;

	filter = BCON_NEW("jti", BCON_UTF8(jti));
	/* A unique index on jti turns a racing second insert into that
	 * update. */
	up = BCON_NEW("$max", "{", "expires_at", BCON_INT64(expires_at_ms),
	    "}");
	rc = mg_exists(s, err, COLL_REVOKED, filter, &found);
	if (rc == PGL_OK && !found) {
		BSON_APPEND_UTF8(&doc, "jti", jti);
		BSON_APPEND_INT64(&doc, "expires_at", expires_at_ms);
		mg_str(&doc, "reason", reason);
		rc = mg_insert(s, err, COLL_REVOKED, &doc);
	}
	if ((rc == PGL_OK && found) || rc == PGL_EEXISTS)
		rc = mg_update(s, err, COLL_REVOKED, filter, up, 0, NULL);
	bson_destroy(&doc);
	bson_destroy(up);
	bson_destroy(filter);
	return (rc);
}

int
mongo_revoke_token(struct pgl_store *s, const char *jti,
    int64_t expires_at_ms, const char *reason, struct pgl_err *err)
{
	bson_t	active = BSON_INITIALIZER;
	int	rc;

	rc = revoke_jti(s, jti, expires_at_ms, reason, err);
	mg_str(&active, "id", jti);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_TOKENS, &active, 0, NULL);
	bson_destroy(&active);
	return (rc);
}

struct owned {
	char	**jti;
	int64_t	 *exp;
	size_t	  n, cap;
};

/* The ids and expiries of the cursor's token rows (it is destroyed). */
static int
read_owned(mongoc_cursor_t *cur, struct owned *o, struct pgl_err *err)
{
	const bson_t	*b, *reply;
	bson_error_t	 e;
	bson_iter_t	 it;
	void		*p, *q;
	int		 rc = PGL_OK;

	while (rc == PGL_OK && mongoc_cursor_next(cur, &b)) {
		if (!bson_iter_init_find(&it, b, "id") ||
		    !BSON_ITER_HOLDS_UTF8(&it))
			continue;
		if (o->n == o->cap) {
			o->cap = o->cap ? o->cap * 2 : 16;
			p = realloc(o->jti, o->cap * sizeof(*o->jti));
			q = realloc(o->exp, o->cap * sizeof(*o->exp));
			if (p != NULL)
				o->jti = p;
			if (q != NULL)
				o->exp = q;
			if (p == NULL || q == NULL) {
				rc = mongo_err(err, PGL_ENOMEM, "out of memory");
				break;
			}
		}
		if ((o->jti[o->n] = strdup(bson_iter_utf8(&it, NULL))) ==
		    NULL) {
			rc = mongo_err(err, PGL_ENOMEM, "out of memory");
			break;
		}
		o->exp[o->n++] = bson_iter_init_find(&it, b, "expires_at") ?
		    bson_iter_as_int64(&it) : 0;
	}
	if (rc == PGL_OK && mongoc_cursor_error_document(cur, &e, &reply))
		rc = mongo_error(err, &e, reply);
	mongoc_cursor_destroy(cur);
	return (rc);
}

/* Each token row matching filter gets a revocation row, and is marked so
 * it no longer lists; the rows stay for a revoke by id until they
 * expire.  The caller's transaction holds it all. */
int
mongo_revoke_tokens_where(struct pgl_store *s, const bson_t *filter,
    const char *reason, struct pgl_err *err)
{
	struct owned	 o = { NULL, NULL, 0, 0 };
	mongoc_cursor_t	*cur;
	bson_t		*mark;
	size_t		 i;
	int		 rc;

	mark = BCON_NEW("$set", "{", "revoked", BCON_BOOL(1), "}");
	rc = mg_find(s, err, COLL_TOKENS, filter, NULL, &cur);
	if (rc == PGL_OK)
		rc = read_owned(cur, &o, err);
	for (i = 0; rc == PGL_OK && i < o.n; i++)
		rc = revoke_jti(s, o.jti[i], o.exp[i], reason, err);
	if (rc == PGL_OK)
		rc = mg_update(s, err, COLL_TOKENS, filter, mark, 1, NULL);
	for (i = 0; i < o.n; i++)
		free(o.jti[i]);
	free(o.jti);
	free(o.exp);
	bson_destroy(mark);
	return (rc);
}

int
mongo_revoke_user_tokens(struct pgl_store *s, const char *user_id,
    int64_t now_ms, const char *reason, struct pgl_err *err)
{
	bson_t	*filter;
	int	 own, rc;

	if ((rc = mg_tx_own_begin(s, &own, err)) != PGL_OK)
		return (rc);
	filter = BCON_NEW("user_id", BCON_UTF8(user_id),
	    "expires_at", "{", "$gt", BCON_INT64(now_ms), "}");
	rc = mongo_revoke_tokens_where(s, filter, reason, err);
	bson_destroy(filter);
	return (mg_tx_own_end(s, own, rc, err));
}
