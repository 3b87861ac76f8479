/*
 * The keys of principal names (store.h, ABI 1.14): a user's username and
 * a service user's name are kept with the key the host folds them to
 * (plugin.h, name_key), under a unique index (users: store-wide, as
 * usernames are; service users: per tenant), so `Bob` and `bob` are one
 * name even when two servers create them at the same instant.
 *
 * Rows written before the keys existed get theirs in the migration that
 * adds the columns, in name order (bytes, then id).  A row whose key an
 * earlier row already holds keeps it in name_key_dup instead, outside
 * the unique index, and is logged, so the operator sees which accounts
 * read alike.  The migration never fails on them: refusing to open would
 * stop every account over one pair, and renaming one would change
 * someone's login.  Such a row keeps working, and a new name reading as
 * it is refused as long as any row reads so (sql_name_key_free), the
 * holder deleted or not.  The update's NOT EXISTS, not a unique
 * violation, says "held": a violation would abort PostgreSQL's migration
 * transaction.
 */
#include "sql_store.h"

#define PAGE		500
#define LOG_MAX		100	/* rows logged one by one, then counted */

/* A row of before that reads as name, unless it is id with that name. */
static const char USERS_DUP[] =
	"SELECT count(*) FROM users WHERE name_key_dup = ?2 AND id <> ?1"
	" AND NOT EXISTS (SELECT 1 FROM users o WHERE o.id = ?1"
	" AND o.username = ?3)";
static const char SU_DUP[] =
	"SELECT count(*) FROM service_users WHERE tenant_id = ?4"
	" AND name_key_dup = ?2 AND id <> ?1"
	" AND NOT EXISTS (SELECT 1 FROM service_users o"
	" WHERE o.tenant_id = ?4 AND o.id = ?1 AND o.name = ?3)";

static const char USERS_PAGE[] =
	"SELECT id, username FROM users"
	" WHERE username > ?1 OR (username = ?1 AND id > ?2)"
	" ORDER BY username, id LIMIT ?3";
static const char USERS_KEY[] =
	"UPDATE users SET name_key = ?2 WHERE id = ?1"
	" AND NOT EXISTS (SELECT 1 FROM users u WHERE u.name_key = ?2)";
static const char USERS_KEY_DUP[] =
	"UPDATE users SET name_key_dup = ?2 WHERE id = ?1 AND name_key IS NULL";
static const char SU_PAGE[] =
	"SELECT id, name, tenant_id FROM service_users"
	" WHERE tenant_id > ?3 OR (tenant_id = ?3 AND (name > ?1"
	" OR (name = ?1 AND id > ?2)))"
	" ORDER BY tenant_id, name, id LIMIT ?4";
static const char SU_KEY[] =
	"UPDATE service_users SET name_key = ?3 WHERE tenant_id = ?1"
	" AND id = ?2 AND NOT EXISTS (SELECT 1 FROM service_users s"
	" WHERE s.tenant_id = ?1 AND s.name_key = ?3)";
static const char SU_KEY_DUP[] =
	"UPDATE service_users SET name_key_dup = ?3 WHERE tenant_id = ?1"
	" AND id = ?2 AND name_key IS NULL";

struct named {
	const char	*id;
	const char	*name;
	const char	*tenant_id;	/* service users */
};

static void
named_fill(struct row *r, void *out)
{
	struct named	*n = out;

	n->id = row_text(r);
	n->name = row_text(r);
}

static void
su_fill(struct row *r, void *out)
{
	struct named	*n = out;

	named_fill(r, out);
	n->tenant_id = row_text(r);
}

int
sql_name_key(struct pgl_store *s, const char *name, char *buf,
    const char **key, struct pgl_err *err)
{
	const struct pgl_host	*h = store_host(s);

	*key = NULL;
	/* A host before 1.1 folds nothing: names are unique as they are. */
	if (h->abi_minor < 1 || h->name_key == NULL || name == NULL)
		return (PGL_OK);
	if (h->name_key(name, buf, PGL_NAME_KEY_MAX) == -1)
		return (store_err(err, PGL_EINVAL, "the name %.64s is not "
		    "UTF-8, or too long once folded", name));
	*key = buf;
	return (PGL_OK);
}

int
sql_name_key_free(struct pgl_store *s, const char *tenant, const char *id,
    const char *name, const char *key, struct pgl_err *err)
{
	uint64_t	n = 0;
	int		rc;

	if (key == NULL)
		return (PGL_OK);
	rc = tenant != NULL ? store_count(s, err, SU_DUP, &n, "ssss", id, key,
	    name, tenant) : store_count(s, err, USERS_DUP, &n, "sss", id, key,
	    name);
	if (rc == PGL_OK && n > 0)
		rc = store_err(err, PGL_EEXISTS, "%s %s reads as the name of "
		    "another", tenant != NULL ? "service user" : "user", name);
	return (rc);
}

/* One row's key, held unless an earlier row holds it; *dups counts
 * those that do not. */
static int
key_one(struct pgl_store *s, const char *what, const struct named *n,
    unsigned *dups, struct pgl_err *err)
{
	const struct pgl_host	*h = store_host(s);
	char			 key[PGL_NAME_KEY_MAX];
	uint64_t		 changed = 0;
	int			 rc;

	/* A name that does not fold (not UTF-8) keeps no key: it can still
	 * sign in, and no new name is refused for it. */
	if (h->name_key(n->name, key, sizeof(key)) == -1)
		return (PGL_OK);
	rc = n->tenant_id != NULL ? store_exec(s, err, SU_KEY, &changed,
	    "sss", n->tenant_id, n->id, key) : store_exec(s, err, USERS_KEY,
	    &changed, "ss", n->id, key);
	if (rc != PGL_OK || changed == 1)
		return (rc);
	rc = n->tenant_id != NULL ? store_exec(s, err, SU_KEY_DUP, NULL,
	    "sss", n->tenant_id, n->id, key) : store_exec(s, err,
	    USERS_KEY_DUP, NULL, "ss", n->id, key);
	if (rc == PGL_OK && ++*dups <= LOG_MAX)
		h->log(PGL_LOG_WARN, "%s %s (id %s) reads as the name of "
		    "another one (case, Unicode form, spacing or an invisible "
		    "character apart): both keep working, and no new name "
		    "reading as them is given; delete one to tell them "
		    "apart", what, n->name, n->id);
	return (rc);
}

/*
 * Every row of one table, in name order, a page at a time; the page
 * before stays until the next is read, as its last row is where the
 * next one starts.
 */
static int
backfill(struct pgl_store *s, int su, unsigned *dups, struct pgl_err *err)
{
	const struct pgl_host	*h = store_host(s);
	struct pgl_arena	*a = NULL, *prev;
	struct named		*rows, last = { "", "", "" };
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
		rc = su ? store_list(s, a, err, SU_PAGE, su_fill,
		    sizeof(*rows), &p, &n, "sssi", last.name, last.id,
		    last.tenant_id, (int64_t)PAGE) : store_list(s, a, err,
		    USERS_PAGE, named_fill, sizeof(*rows), &p, &n, "ssi",
		    last.name, last.id, (int64_t)PAGE);
		if (prev != NULL)
			h->arena_free(prev);
		rows = p;
		for (i = 0; rc == PGL_OK && i < n; i++)
			rc = key_one(s, su ? "service user" : "user", &rows[i],
			    dups, err);
		if (rc == PGL_OK && n > 0)
			last = rows[n - 1];
	} while (rc == PGL_OK && n == PAGE);
	if (a != NULL)
		h->arena_free(a);
	return (rc);
}

int
sql_name_keys_backfill(struct pgl_store *s, struct pgl_err *err)
{
	const struct pgl_host	*h = store_host(s);
	unsigned		 dups = 0;
	int			 rc;

	if (h->abi_minor < 1 || h->name_key == NULL || h->arena_new == NULL) {
		h->log(PGL_LOG_WARN, "this host folds no names (host ABI "
		    "%d.%d): users keep no name keys", h->abi_major,
		    h->abi_minor);
		return (PGL_OK);
	}
	if ((rc = backfill(s, 0, &dups, err)) == PGL_OK)
		rc = backfill(s, 1, &dups, err);
	if (rc == PGL_OK && dups > LOG_MAX)
		h->log(PGL_LOG_WARN, "%u names in all read as another's (the "
		    "first %d are logged above)", dups, LOG_MAX);
	return (rc);
}
