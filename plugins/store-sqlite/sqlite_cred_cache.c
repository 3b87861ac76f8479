/*
 * The rows every authenticated request reads, answered from memory while
 * the database has not changed: a session's revocation
 * (is_token_revoked), an API key's service user
 * (get_service_user_by_key_id) and an identity provider's user (get_user).
 *
 * These reads are how a revocation reaches every worker and every server
 * on its next request (docs/security.md), so a kept answer may only be
 * what the database would say now.  Each is tagged with the database's
 * change count (sqlite_asset_cache.c), read before the query, and used
 * only while the count stands: any commit of any Pangolin process on the
 * file bumps the count from its WAL hook before that commit's request is
 * answered, so the revocation is seen by the very next lookup of every
 * connection, as without the cache.  Inside a transaction the database is
 * read.  A read costs a statement and its WAL read lock (two fcntl()
 * calls): on a cached loadTable with a session that was a tenth of the
 * worker's instructions (docs/benchmarks.md).
 *
 * Not WAL, or no file: no change count, so nothing is kept.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sqlite_store.h"

#define SLOTS		256	/* per connection, direct-mapped */
#define TEXTS		7	/* the most of any row kept */
#define NUMS		2
#define ENTRY_TTL_MS	2000	/* writes behind Pangolin's back */

enum kind { REVOKED = 'r', USER = 'u', KEY = 'k' };

struct cred_entry {
	char		*key;		/* kind, then the id */
	uint64_t	 version;
	uint64_t	 expires_ms;
	char		*text[TEXTS];
	int64_t		 num[NUMS];
};

struct cred_cache {
	struct cred_entry	slot[SLOTS];
};

static uint64_t
mono_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

static void
entry_clear(struct cred_entry *e)
{
	size_t	i;

	free(e->key);
	for (i = 0; i < TEXTS; i++)
		free(e->text[i]);
	memset(e, 0, sizeof(*e));
}

void
sqlite_cred_cache_close(struct pgl_store *s)
{
	size_t	i;

	if (s->creds == NULL)
		return;
	for (i = 0; i < SLOTS; i++)
		entry_clear(&s->creds->slot[i]);
	free(s->creds);
	s->creds = NULL;
}

/*
 * The entry for kind and id, its key in buf, and the change count now;
 * NULL when nothing may be kept (no count, a transaction, a long id).
 */
static struct cred_entry *
slot_for(struct pgl_store *s, enum kind kind, const char *id, char *buf,
    size_t size, uint64_t *version)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		len = strlen(id);
	const char	*p;

	if (sqlite_change_count(s) == NULL || !sqlite3_get_autocommit(s->db) ||
	    len + 2 > size)
		return (NULL);
	if (s->creds == NULL && (s->creds = calloc(1, sizeof(*s->creds))) ==
	    NULL)
		return (NULL);
	buf[0] = (char)kind;
	memcpy(buf + 1, id, len + 1);
	for (p = buf; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	*version = __atomic_load_n(sqlite_change_count(s), __ATOMIC_SEQ_CST);
	return (&s->creds->slot[h % SLOTS]);
}

static int
current(const struct cred_entry *e, const char *key, uint64_t version)
{
	return (e->key != NULL && e->version == version &&
	    strcmp(e->key, key) == 0 && mono_ms() < e->expires_ms);
}

/* Copy n texts and nums into the entry; on no memory it stays empty. */
static void
keep(struct cred_entry *e, const char *key, uint64_t version,
    const char *const *text, size_t n, const int64_t *num, size_t nn)
{
	size_t	i;

	entry_clear(e);
	if ((e->key = strdup(key)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (text[i] != NULL && (e->text[i] = strdup(text[i])) == NULL) {
			entry_clear(e);
			return;
		}
	}
	for (i = 0; i < nn; i++)
		e->num[i] = num[i];
	e->version = version;
	e->expires_ms = mono_ms() + ENTRY_TTL_MS;
}

/* The entry's texts into the arena; -1 when out of memory. */
static int
give(struct pgl_store *s, struct pgl_arena *a, const struct cred_entry *e,
    const char **text, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		text[i] = NULL;
		if (e->text[i] != NULL &&
		    (text[i] = s->host->arena_strdup(a, e->text[i])) == NULL)
			return (-1);
	}
	return (0);
}

int
sqlite_is_token_revoked(struct pgl_store *s, const char *jti, int *revoked,
    struct pgl_err *err)
{
	struct cred_entry	*e;
	char			 key[256];
	uint64_t		 version;
	int64_t			 was;
	int			 rc;

	if ((e = slot_for(s, REVOKED, jti, key, sizeof(key), &version)) ==
	    NULL)
		return (sql_is_token_revoked(s, jti, revoked, err));
	if (current(e, key, version)) {
		*revoked = (int)e->num[0];
		return (PGL_OK);
	}
	rc = sql_is_token_revoked(s, jti, revoked, err);
	was = *revoked;
	if (rc == PGL_OK)
		keep(e, key, version, NULL, 0, &was, 1);
	return (rc);
}

int
sqlite_get_user(struct pgl_store *s, struct pgl_arena *a, const char *id,
    struct pgl_user *out, struct pgl_err *err)
{
	struct cred_entry	*e;
	char			 key[256];
	const char		*t[7];
	uint64_t		 version;
	int64_t			 active;
	int			 rc;

	if ((e = slot_for(s, USER, id, key, sizeof(key), &version)) == NULL)
		return (sql_get_user(s, a, id, out, err));
	if (current(e, key, version) && give(s, a, e, t, 7) == 0) {
		out->id = t[0];
		out->tenant_id = t[1];
		out->username = t[2];
		out->email = t[3];
		out->role = t[4];
		out->password_hash = t[5];
		out->doc = t[6];
		out->active = (int)e->num[0];
		return (PGL_OK);
	}
	if ((rc = sql_get_user(s, a, id, out, err)) != PGL_OK)
		return (rc);
	t[0] = out->id;
	t[1] = out->tenant_id;
	t[2] = out->username;
	t[3] = out->email;
	t[4] = out->role;
	t[5] = out->password_hash;
	t[6] = out->doc;
	active = out->active;
	keep(e, key, version, t, 7, &active, 1);
	return (PGL_OK);
}

int
sqlite_get_service_user_by_key_id(struct pgl_store *s, struct pgl_arena *a,
    const char *key_id, struct pgl_service_user *out, struct pgl_err *err)
{
	struct cred_entry	*e;
	char			 key[256];
	const char		*t[6];
	uint64_t		 version;
	int64_t			 num[2];
	int			 rc;

	if ((e = slot_for(s, KEY, key_id, key, sizeof(key), &version)) ==
	    NULL)
		return (sql_get_service_user_by_key_id(s, a, key_id, out,
		    err));
	if (current(e, key, version) && give(s, a, e, t, 6) == 0) {
		out->id = t[0];
		out->tenant_id = t[1];
		out->name = t[2];
		out->key_id = t[3];
		out->api_key_hash = t[4];
		out->doc = t[5];
		out->active = (int)e->num[0];
		out->expires_at_ms = e->num[1];
		return (PGL_OK);
	}
	rc = sql_get_service_user_by_key_id(s, a, key_id, out, err);
	if (rc != PGL_OK)
		return (rc);
	t[0] = out->id;
	t[1] = out->tenant_id;
	t[2] = out->name;
	t[3] = out->key_id;
	t[4] = out->api_key_hash;
	t[5] = out->doc;
	num[0] = out->active;
	num[1] = out->expires_at_ms;
	keep(e, key, version, t, 6, num, 2);
	return (PGL_OK);
}
