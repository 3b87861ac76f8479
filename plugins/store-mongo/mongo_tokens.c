/*
 * Session tokens, as plugins/sql-common/sql_users.c (whose notes apply):
 * kept by id and metadata only, revocations in their own collection
 * looked up by jti.  Below users and tenants, whose deletes revoke them.
 */
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

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

static const struct mg_shape	token_shape = {
	COLL_TOKENS, sizeof(struct pgl_token), token_fill, "token", MG_NAME_KEY,
	"ns"
};

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
	return (mg_get_by(s, a, err, &token_shape, out, "id", id, NULL));
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
	int	rc;

	filter = BCON_NEW("user_id", BCON_UTF8(user_id),
	    "expires_at", "{", "$gt", BCON_INT64(now_ms), "}",
	    "revoked", "{", "$ne", BCON_BOOL(1), "}");
	mg_str(filter, "tenant_id", tenant);
	/* Both descending, as the SQL stores' (a keyset page's key). */
	sort = BCON_NEW("expires_at", BCON_INT32(-1), "id", BCON_INT32(-1));
	rc = mg_page(s, a, err, &token_shape, filter, sort, page, items, n,
	    total);
	if (rc == PGL_OK)
		rc = drop_revoked(s, *items, n, err);
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

int
mongo_is_token_revoked(struct pgl_store *s, const char *jti, int *revoked,
    struct pgl_err *err)
{
	bson_t	filter = BSON_INITIALIZER;
	int	found = 0, rc;

	/* Fail closed: on any error the caller sees "revoked". */
	*revoked = 1;
	mg_str(&filter, "jti", jti);
	rc = mg_exists(s, err, COLL_REVOKED, &filter, &found);
	if (rc == PGL_OK)
		*revoked = found;
	bson_destroy(&filter);
	return (rc);
}

int
mongo_cleanup_expired_tokens(struct pgl_store *s, int64_t now_ms,
    uint64_t *removed, struct pgl_err *err)
{
	bson_t		*expired;
	uint64_t	a = 0, r = 0;
	int		rc;

	expired = BCON_NEW("expires_at", "{", "$lte", BCON_INT64(now_ms), "}");
	rc = mg_delete(s, err, COLL_TOKENS, expired, 1, &a);
	if (rc == PGL_OK)
		rc = mg_delete(s, err, COLL_REVOKED, expired, 1, &r);
	if (removed != NULL)
		*removed = a + r;
	bson_destroy(expired);
	return (rc);
}
