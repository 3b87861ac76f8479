/*
 * The reads every collection's methods share: one document by its key,
 * and a page of a filter's documents with their total.  Each entity says
 * once what its documents read into (struct mg_shape, beside its fill
 * function); its get and list methods are then a key or a filter and
 * one call, the same in every file.  And the key, the check and the
 * answer of the entities kept per tenant by id (drops, policies,
 * webhooks).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mongo_store.h"

int
mg_get_by(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err,
    const struct mg_shape *sh, void *out, ...)
{
	bson_t		 key = BSON_INITIALIZER;
	const char	*field, *value = NULL, *first = NULL;
	va_list		 ap;
	int		 rc;

	va_start(ap, out);
	while ((field = va_arg(ap, const char *)) != NULL) {
		value = va_arg(ap, const char *);
		if (first == NULL)
			first = value;
		mg_str(&key, field, value);
	}
	va_end(ap);
	rc = mg_get(s, a, err, sh->coll, &key, sh->fill, out);
	bson_destroy(&key);
	if (rc != PGL_ENOTFOUND)
		return (rc);
	if (value == NULL)
		value = "(null)";
	switch (sh->naming) {
	case MG_NAME_NONE:
		return (mongo_err(err, rc, "%s not found", sh->what));
	case MG_NAME_TENANT:
		return (mg_not_found_of(err, sh->what, first, value));
	default:
		return (mongo_err(err, rc, "%s %s not found", sh->what, value));
	}
}

/* The key's value for its field i (c: 's' or 'n'). */
static void
key_value(bson_t *b, const char *op, char c, const struct pgl_page_key *k,
    int *nstr)
{
	const char	*v;

	if (c == 'n') {
		BSON_APPEND_INT64(b, op, k->n);
		return;
	}
	v = (*nstr)++ == 0 ? k->s : k->s2;
	BSON_APPEND_UTF8(b, op, v != NULL ? v : "");
}

/* {field: {op: value}} as the next member of array arr. */
static void
cond(bson_t *arr, int i, const char *field, const char *op, char c,
    const struct pgl_page_key *k, int *nstr)
{
	bson_t	one, ops;
	char	idx[16];

	(void)snprintf(idx, sizeof(idx), "%d", i);
	bson_append_document_begin(arr, idx, -1, &one);
	bson_append_document_begin(&one, field, -1, &ops);
	key_value(&ops, op, c, k, nstr);
	bson_append_document_end(&one, &ops);
	bson_append_document_end(arr, &one);
}

void
mg_after(bson_t *out, const bson_t *filter, const bson_t *sort,
    const char *key, const struct pgl_page_key *k)
{
	bson_iter_t	 it;
	bson_t		 and, or, alt;
	const char	*f[2];
	int		 desc[2], nf = 0, nstr, i;

	if (bson_iter_init(&it, sort)) {
		while (nf < 2 && key[nf] != '\0' && bson_iter_next(&it)) {
			f[nf] = bson_iter_key(&it);
			desc[nf++] = bson_iter_as_int64(&it) < 0;
		}
	}
	bson_append_array_begin(out, "$and", -1, &and);
	bson_append_document(&and, "0", -1, filter);
	if (nf == 0) {
		bson_append_array_end(out, &and);
		return;
	}
	nstr = 0;
	if (nf == 1) {
		cond(&and, 1, f[0], desc[0] ? "$lt" : "$gt", key[0], k, &nstr);
		bson_append_array_end(out, &and);
		return;
	}
	cond(&and, 1, f[0], desc[0] ? "$lte" : "$gte", key[0], k, &nstr);
	bson_append_document_begin(&and, "2", -1, &alt);
	bson_append_array_begin(&alt, "$or", -1, &or);
	for (i = 0; i < 2; i++) {
		nstr = i == 0 ? 0 : key[0] == 's';
		cond(&or, i, f[i], desc[i] ? "$lt" : "$gt", key[i], k, &nstr);
	}
	bson_append_array_end(&alt, &or);
	bson_append_document_end(&and, &alt);
	bson_append_array_end(out, &and);
}

int
mg_page(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err,
    const struct mg_shape *sh, const bson_t *filter, const bson_t *sort,
    const struct pgl_page *page, void *items, size_t *n, uint64_t *total)
{
	bson_t	 keyed = BSON_INITIALIZER;
	void	*p = NULL;
	int	 rc;

	/* The total counts every match, the page those after the key. */
	if (page != NULL && page->after != NULL && sh->key != NULL &&
	    sort != NULL)
		mg_after(&keyed, filter, sort, sh->key, page->after);
	else
		bson_concat(&keyed, filter);
	rc = mg_list(s, a, err, sh->coll, &keyed, sort, page, sh->fill,
	    sh->size, &p, n);
	bson_destroy(&keyed);
	/* items is the caller's T **: the arena array goes there. */
	memcpy(items, &p, sizeof(p));
	if (rc == PGL_OK && total != NULL)
		rc = mg_count(s, err, sh->coll, filter, total);
	return (rc);
}

int
mg_page_of(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err,
    const struct mg_shape *sh, const char *tenant, const char *by,
    const struct pgl_page *page, void *items, size_t *n, uint64_t *total)
{
	bson_t	filter = BSON_INITIALIZER, *sort = BCON_NEW(by, BCON_INT32(1));
	int	rc;

	mg_str(&filter, "tenant_id", tenant);
	rc = mg_page(s, a, err, sh, &filter, sort, page, items, n, total);
	bson_destroy(sort);
	bson_destroy(&filter);
	return (rc);
}

void
mg_key_of(bson_t *b, const char *tenant, const char *id)
{
	mg_str(b, "tenant_id", tenant);
	mg_str(b, "id", id);
}

int
mg_key_valid(struct pgl_err *err, const char *what, const char *tenant,
    const char *id)
{
	if (tenant == NULL || *tenant == '\0' || id == NULL || *id == '\0')
		return (mongo_err(err, PGL_EINVAL, "a %s needs a tenant and an "
		    "id", what));
	return (PGL_OK);
}

int
mg_not_found_of(struct pgl_err *err, const char *what, const char *tenant,
    const char *id)
{
	return (mongo_err(err, PGL_ENOTFOUND, "%s %s of tenant %s not found",
	    what, id, tenant));
}
