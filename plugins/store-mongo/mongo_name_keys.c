/*
 * The keys of principal names (store.h, ABI 1.14), as
 * plugins/sql-common/sql_name_keys.c keeps them (whose notes apply): a
 * `name_key` field beside a user's username (unique store-wide) and a
 * service user's name (unique per tenant: its key is stored after the
 * tenant id and PGL_NS_SEP, so one single-field index holds both).  The
 * unique indexes are sparse (mongo_schema.c): a document of before whose
 * key an earlier one holds keeps it in name_key_dup instead, outside
 * them.  As for every natural key here, the check before each write
 * answers PGL_EEXISTS (against both fields: no new name reads as any
 * document's), and the index holds the rule when two writers race.
 *
 * Schema 5 gives the documents of before their keys, in name order
 * (bytes, then id), one document at a time: workers that open together
 * write the same keys, since each keys a document before the ones after
 * it, in the same order.
 */
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

#define LOG_MAX		100

int
mongo_name_key(struct pgl_store *s, const char *tenant, const char *name,
    char *buf, const char **key, struct pgl_err *err)
{
	const struct pgl_host	*h = s->host;
	size_t			 n = 0;

	*key = NULL;
	/* A host before 1.1 folds nothing: names are unique as they are. */
	if (h->abi_minor < 1 || h->name_key == NULL || name == NULL)
		return (PGL_OK);
	if (tenant != NULL) {
		if ((n = strlen(tenant) + 1) >= MONGO_NAME_KEY_MAX -
		    PGL_NAME_KEY_MAX)
			return (mongo_err(err, PGL_EINVAL, "tenant id too "
			    "long"));
		memcpy(buf, tenant, n - 1);
		buf[n - 1] = PGL_NS_SEP;
	}
	if (h->name_key(name, buf + n, PGL_NAME_KEY_MAX) == -1)
		return (mongo_err(err, PGL_EINVAL, "the name %.64s is not "
		    "UTF-8, or too long once folded", name));
	*key = buf;
	return (PGL_OK);
}

/* Another document (not except_id) holds key, or (dups) reads as it. */
static int
key_held(struct pgl_store *s, int coll, const char *key,
    const char *except_id, int dups, int *found, struct pgl_err *err)
{
	bson_t	*q;
	int	 rc;

	q = dups ? BCON_NEW("$or", "[", "{", "name_key", BCON_UTF8(key), "}",
	    "{", "name_key_dup", BCON_UTF8(key), "}", "]") :
	    BCON_NEW("name_key", BCON_UTF8(key));
	BCON_APPEND(q, "id", "{", "$ne", BCON_UTF8(except_id != NULL ?
	    except_id : ""), "}");
	*found = 0;
	rc = mg_exists(s, err, coll, q, found);
	bson_destroy(q);
	return (rc);
}

int
mongo_key_taken(struct pgl_store *s, int coll, const char *key,
    const char *except_id, struct pgl_err *err)
{
	int	found, rc;

	if (key == NULL)
		return (PGL_OK);
	rc = key_held(s, coll, key, except_id, 1, &found, err);
	if (rc == PGL_OK && found)
		rc = mongo_err(err, PGL_EEXISTS, "a name reading as another's "
		    "exists");
	return (rc);
}

/* A string field of a document, copied (NULL when absent). */
static char *
field_dup(const bson_t *b, const char *key)
{
	bson_iter_t	it;

	if (!bson_iter_init_find(&it, b, key) || !BSON_ITER_HOLDS_UTF8(&it))
		return (NULL);
	return (strdup(bson_iter_utf8(&it, NULL)));
}

struct named {
	char	*id;
	char	*name;
	char	*tenant_id;
};

static void
named_free(struct named *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].id);
		free(v[i].name);
		free(v[i].tenant_id);
	}
	free(v);
}

struct name_probe {
	const char	*field;
	const char	*want;
	int		 same;
};

static void
probe_fill(struct doc *d, void *out)
{
	struct name_probe	*p = out;
	bson_iter_t		 it;

	p->same = bson_iter_init_find(&it, d->b, p->field) &&
	    BSON_ITER_HOLDS_UTF8(&it) &&
	    strcmp(bson_iter_utf8(&it, NULL), p->want) == 0;
}

int
mongo_name_unchanged(struct pgl_store *s, int coll, const bson_t *filter,
    const char *field, const char *name, int *same, struct pgl_err *err)
{
	struct name_probe	p = { field, name, 0 };
	int			rc;

	*same = 0;
	rc = mg_get(s, NULL, err, coll, filter, probe_fill, &p);
	if (rc == PGL_ENOTFOUND)
		return (PGL_OK);	/* the update answers it */
	*same = p.same;
	return (rc);
}

void
mongo_name_key_set(bson_t *set, bson_t *unset, const char *key)
{
	if (key != NULL)
		BSON_APPEND_UTF8(set, "name_key", key);
	else
		BSON_APPEND_UTF8(unset, "name_key", "");
	BSON_APPEND_UTF8(unset, "name_key_dup", "");
}

/* Every document of coll in name order, copied; n set. */
static int
read_all(struct pgl_store *s, int coll, const char *field,
    struct named **out, size_t *n, struct pgl_err *err)
{
	mongoc_cursor_t	*cur;
	const bson_t	*b;
	bson_error_t	 e;
	bson_t		 filter = BSON_INITIALIZER, *extra;
	struct named	*v = NULL, *grown;
	size_t		 cap = 0;
	int		 rc;

	*out = NULL;
	*n = 0;
	extra = coll == COLL_USERS ? BCON_NEW("sort", "{", field,
	    BCON_INT32(1), "id", BCON_INT32(1), "}") : BCON_NEW("sort", "{",
	    "tenant_id", BCON_INT32(1), field, BCON_INT32(1), "id",
	    BCON_INT32(1), "}");
	rc = mg_find(s, err, coll, &filter, extra, &cur);
	bson_destroy(extra);
	bson_destroy(&filter);
	if (rc != PGL_OK)
		return (rc);
	while (rc == PGL_OK && mongoc_cursor_next(cur, &b)) {
		if (*n == cap) {
			cap = cap != 0 ? cap * 2 : 64;
			if ((grown = realloc(v, cap * sizeof(*v))) == NULL) {
				rc = mongo_err(err, PGL_ENOMEM, "out of memory");
				break;
			}
			v = grown;
		}
		v[*n].id = field_dup(b, "id");
		v[*n].name = field_dup(b, field);
		v[*n].tenant_id = field_dup(b, "tenant_id");
		(*n)++;
	}
	if (rc == PGL_OK && mongoc_cursor_error(cur, &e))
		rc = mongo_err(err, PGL_EUNAVAIL, STORE_NAME ": %s",
		    e.message);
	mongoc_cursor_destroy(cur);
	if (rc != PGL_OK) {
		named_free(v, *n);
		*n = 0;
		return (rc);
	}
	*out = v;
	return (PGL_OK);
}

/* One document's key, held unless an earlier one holds it. */
static int
key_one(struct pgl_store *s, int coll, const struct named *d,
    unsigned *dups, struct pgl_err *err)
{
	const struct pgl_host	*h = s->host;
	struct pgl_err		 ignored;
	char			 buf[MONGO_NAME_KEY_MAX];
	const char		*key;
	bson_t			*filter, *up;
	int			 found = 0, rc;

	if (d->id == NULL || d->name == NULL || mongo_name_key(s,
	    coll == COLL_USERS ? NULL : d->tenant_id, d->name, buf, &key,
	    &ignored) != PGL_OK || key == NULL)
		return (PGL_OK);
	if ((rc = key_held(s, coll, key, d->id, 0, &found, err)) != PGL_OK)
		return (rc);
	filter = BCON_NEW("id", BCON_UTF8(d->id));
	if (coll != COLL_USERS)
		BSON_APPEND_UTF8(filter, "tenant_id", d->tenant_id);
	up = BCON_NEW("$set", "{", found ? "name_key_dup" : "name_key",
	    BCON_UTF8(key), "}");
	rc = mg_update(s, err, coll, filter, up, 0, NULL);
	bson_destroy(up);
	bson_destroy(filter);
	if (rc == PGL_OK && found && ++*dups <= LOG_MAX)
		h->log(PGL_LOG_WARN, "%s %s (id %s) reads as the name of "
		    "another one (case, Unicode form, spacing or an invisible "
		    "character apart): both keep working, and no new name "
		    "reading as them is given; delete one to tell them "
		    "apart", coll == COLL_USERS ? "user" : "service user",
		    d->name, d->id);
	return (rc);
}

int
mongo_name_keys_backfill(struct pgl_store *s, struct pgl_err *err)
{
	const struct pgl_host	*h = s->host;
	struct named		*v;
	size_t			 n, i;
	unsigned		 dups = 0;
	int			 pass, rc = PGL_OK;

	if (h->abi_minor < 1 || h->name_key == NULL) {
		h->log(PGL_LOG_WARN, "this host folds no names (host ABI "
		    "%d.%d): users keep no name keys", h->abi_major,
		    h->abi_minor);
		return (PGL_OK);
	}
	for (pass = 0; pass < 2 && rc == PGL_OK; pass++) {
		rc = read_all(s, pass == 0 ? COLL_USERS : COLL_SERVICE_USERS,
		    pass == 0 ? "username" : "name", &v, &n, err);
		for (i = 0; rc == PGL_OK && i < n; i++)
			rc = key_one(s, pass == 0 ? COLL_USERS :
			    COLL_SERVICE_USERS, &v[i], &dups, err);
		if (v != NULL)
			named_free(v, n);
	}
	if (rc == PGL_OK && dups > LOG_MAX)
		h->log(PGL_LOG_WARN, "%u names in all read as another's (the "
		    "first %d are logged above)", dups, LOG_MAX);
	return (rc);
}
