/*
 * Users and session tokens.
 *
 * Usernames are unique across the catalog, not per tenant: login finds a
 * user by name before it knows a tenant (pangolin-api.md §2.6; the tenant
 * in the login body is then checked against the user's), so one name must
 * mean one account.  So are their keys (sql_name_keys.c): `Bob` beside
 * `bob` would be one name to a reader.  Root users have no tenant.
 *
 * Tokens: the store keeps a token's id (its jti) and metadata, never the
 * token itself.  A revocation is a row of its own, looked up by jti on
 * every authenticated request, so a revoke is seen by every worker of
 * every replica as soon as it has committed.  Both kinds of row carry the
 * token's expiry and are purged after it.
 */
#include "sql_store.h"

#define USER_FIELDS \
	"id, tenant_id, username, email, role, password_hash, active, doc"

static const char USER_INSERT[] =
	"INSERT INTO users (" USER_FIELDS ", name_key)"
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, coalesce(?8, '{}'), ?9)";
static const char USER_GET[] =
	"SELECT " USER_FIELDS " FROM users WHERE id = ?1";
static const char USER_BY_NAME[] =
	"SELECT " USER_FIELDS " FROM users WHERE username = ?1";
static const char USER_LIST[] =
	"SELECT " USER_FIELDS " FROM users WHERE tenant_id = ?1"
	" AND username > ?4 ORDER BY username LIMIT ?2 OFFSET ?3";
static const char USER_COUNT[] =
	"SELECT count(*) FROM users WHERE tenant_id = ?1";
/* A name that did not change keeps its key, held or not (a row of
 * before whose key another holds, sql_name_keys.c). */
static const char USER_UPDATE[] =
	"UPDATE users SET name_key = CASE WHEN username = ?2 THEN name_key"
	" ELSE ?8 END, name_key_dup = CASE WHEN username = ?2"
	" THEN name_key_dup END, username = ?2, email = ?3, role = ?4,"
	" password_hash = ?5, active = ?6, doc = coalesce(?7, '{}')"
	" WHERE id = ?1";
static const char USER_DELETE[] =
	"DELETE FROM users WHERE id = ?1";
/* Every live token of a user, revoked; the rows stay until they expire
 * so a revoke by id still finds them and their tenant. */
static const char USER_REVOKE_TOKENS[] =
	"INSERT INTO revoked_tokens (jti, expires_at, reason)"
	" SELECT id, expires_at, ?3 FROM active_tokens"
	" WHERE user_id = ?1 AND expires_at > ?2"
	" ON CONFLICT (jti) DO NOTHING";

static const char TOKEN_INSERT[] =
	"INSERT INTO active_tokens (id, tenant_id, user_id, expires_at, doc)"
	" VALUES (?1, ?2, ?3, ?4, coalesce(?5, '{}'))";
/* A user's live tokens: not expired, not revoked. */
#define TOKEN_LIVE \
	" FROM active_tokens t WHERE t.user_id = ?2" \
	" AND t.tenant_id " SQL_IS_NOT_DISTINCT " ?1 AND t.expires_at > ?3" \
	" AND NOT EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = t.id)"
/* The latest expiry first, then by id, both descending, so that a page
 * after a key (?6, ?7; ABI 1.28) is a range of active_tokens_user. */
static const char TOKEN_LIST[] =
	"SELECT t.id, t.tenant_id, t.user_id, t.expires_at, t.doc"
	TOKEN_LIVE " AND (t.expires_at, t.id) < (?6, ?7)"
	" ORDER BY t.expires_at DESC, t.id DESC LIMIT ?4 OFFSET ?5";
static const char TOKEN_COUNT[] =
	"SELECT count(*)" TOKEN_LIVE;
static const char TOKEN_GET[] =
	"SELECT id, tenant_id, user_id, expires_at, doc FROM active_tokens"
	" WHERE id = ?1";
static const char TOKEN_REVOKE[] =
	"INSERT INTO revoked_tokens (jti, expires_at, reason)"
	" VALUES (?1, ?2, ?3)"
	" ON CONFLICT (jti) DO UPDATE SET"
	" expires_at = CASE WHEN excluded.expires_at > revoked_tokens.expires_at"
	" THEN excluded.expires_at ELSE revoked_tokens.expires_at END";
static const char TOKEN_IS_REVOKED[] =
	"SELECT count(*) FROM revoked_tokens WHERE jti = ?1";
static const char TOKEN_PURGE_ACTIVE[] =
	"DELETE FROM active_tokens WHERE expires_at <= ?1";
static const char TOKEN_PURGE_REVOKED[] =
	"DELETE FROM revoked_tokens WHERE expires_at <= ?1";

static void
user_fill(struct row *r, void *out)
{
	struct pgl_user	*u = out;

	u->id = row_text(r);
	u->tenant_id = row_text(r);
	u->username = row_text(r);
	u->email = row_text(r);
	u->role = row_text(r);
	u->password_hash = row_text(r);
	u->active = (int)row_int(r);
	u->doc = row_text(r);
}

int
sql_create_user(struct pgl_store *s, const struct pgl_user *u,
    struct pgl_err *err)
{
	char		 buf[PGL_NAME_KEY_MAX];
	const char	*key;
	int		 rc;

	if ((rc = sql_name_key(s, u->username, buf, &key, err)) != PGL_OK ||
	    (rc = sql_name_key_free(s, NULL, u->id, u->username, key, err)) !=
	    PGL_OK)
		return (rc);
	rc = store_exec(s, err, USER_INSERT, NULL, "ssssssdss", u->id,
	    u->tenant_id, u->username, u->email, u->role, u->password_hash,
	    u->active ? 1 : 0, u->doc, key);
	if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "user %s already exists", u->username);
	else if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "tenant %s not found",
		    u->tenant_id ? u->tenant_id : "-");
	return (rc);
}

int
sql_get_user(struct pgl_store *s, struct pgl_arena *a, const char *id,
    struct pgl_user *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, USER_GET, user_fill, out, "s", id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "user %s not found", id);
	return (rc);
}

int
sql_get_user_by_username(struct pgl_store *s, struct pgl_arena *a,
    const char *username, struct pgl_user *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, USER_BY_NAME, user_fill, out, "s",
	    username);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "user %s not found", username);
	return (rc);
}

int
sql_list_users(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const struct pgl_page *page, struct pgl_user **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, USER_LIST, user_fill, sizeof(**items), &p,
	    n, "sps", tenant, page, sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, USER_COUNT, total, "s", tenant);
	return (rc);
}

int
sql_update_user(struct pgl_store *s, const struct pgl_user *u,
    struct pgl_err *err)
{
	uint64_t	 changed;
	char		 buf[PGL_NAME_KEY_MAX];
	const char	*key;
	int		 rc;

	if ((rc = sql_name_key(s, u->username, buf, &key, err)) != PGL_OK ||
	    (rc = sql_name_key_free(s, NULL, u->id, u->username, key, err)) !=
	    PGL_OK)
		return (rc);
	rc = store_exec(s, err, USER_UPDATE, &changed, "sssssdss", u->id,
	    u->username, u->email, u->role, u->password_hash,
	    u->active ? 1 : 0, u->doc, key);
	if (rc == PGL_OK && changed == 0)
		rc = store_err(err, PGL_ENOTFOUND, "user %s not found", u->id);
	else if (rc == PGL_EEXISTS)
		(void)store_err(err, rc, "user %s already exists",
		    u->username);
	return (rc);
}

/* The user, and its live tokens revoked; the caller's transaction, if
 * any, holds both (a token row outliving its user lists nothing, answers
 * revoked and expires). */
int
sql_delete_user(struct pgl_store *s, const char *id, struct pgl_err *err)
{
	uint64_t	changed;
	int		rc;

	rc = store_exec(s, err, USER_DELETE, &changed, "s", id);
	if (rc == PGL_OK && changed == 0)
		return (store_err(err, PGL_ENOTFOUND, "user %s not found", id));
	if (rc == PGL_OK)
		rc = sql_revoke_user_tokens(s, id, 0, "user deleted",
		    err);
	return (rc);
}

int
sql_revoke_user_tokens(struct pgl_store *s, const char *user_id,
    int64_t now_ms, const char *reason, struct pgl_err *err)
{
	return (store_exec(s, err, USER_REVOKE_TOKENS, NULL, "sis", user_id,
	    now_ms, reason));
}

int
sql_store_token(struct pgl_store *s, const struct pgl_token *t,
    struct pgl_err *err)
{
	return (store_exec(s, err, TOKEN_INSERT, NULL, "sssis", t->id,
	    t->tenant_id, t->user_id, t->expires_at_ms, t->doc));
}

static void
token_fill(struct row *r, void *out)
{
	struct pgl_token	*t = out;

	t->id = row_text(r);
	t->tenant_id = row_text(r);
	t->user_id = row_text(r);
	t->expires_at_ms = row_int(r);
	t->doc = row_text(r);
}

int
sql_list_active_tokens(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *user_id, int64_t now_ms,
    const struct pgl_page *page, struct pgl_token **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	void	*p;
	int	rc;

	rc = store_list(s, a, err, TOKEN_LIST, token_fill, sizeof(**items),
	    &p, n, "ssipis", tenant, user_id, now_ms, page,
	    sql_after_n(page, INT64_MAX), sql_after_s(page));
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, TOKEN_COUNT, total, "ssi", tenant,
		    user_id, now_ms);
	return (rc);
}

int
sql_get_token(struct pgl_store *s, struct pgl_arena *a, const char *id,
    struct pgl_token *out, struct pgl_err *err)
{
	int	rc;

	rc = store_get(s, a, err, TOKEN_GET, token_fill, out, "s", id);
	if (rc == PGL_ENOTFOUND)
		(void)store_err(err, rc, "token %s not found", id);
	return (rc);
}

int
sql_revoke_token(struct pgl_store *s, const char *jti, int64_t expires_at_ms,
    const char *reason, struct pgl_err *err)
{
	return (store_exec(s, err, TOKEN_REVOKE, NULL, "sis", jti,
	    expires_at_ms, reason));
}

int
sql_is_token_revoked(struct pgl_store *s, const char *jti, int *revoked,
    struct pgl_err *err)
{
	uint64_t	n = 0;
	int		rc;

	/* Fail closed: on any error the caller sees "revoked". */
	*revoked = 1;
	rc = store_count(s, err, TOKEN_IS_REVOKED, &n, "s", jti);
	if (rc == PGL_OK)
		*revoked = n > 0;
	return (rc);
}

int
sql_cleanup_expired_tokens(struct pgl_store *s, int64_t now_ms,
    uint64_t *removed, struct pgl_err *err)
{
	uint64_t	a = 0, r = 0;
	int		rc;

	rc = store_exec(s, err, TOKEN_PURGE_ACTIVE, &a, "i", now_ms);
	if (rc == PGL_OK)
		rc = store_exec(s, err, TOKEN_PURGE_REVOKED, &r, "i", now_ms);
	if (removed != NULL)
		*removed = a + r;
	return (rc);
}
