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

int
mg_page(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err,
    const struct mg_shape *sh, const bson_t *filter, const bson_t *sort,
    const struct pgl_page *page, void *items, size_t *n, uint64_t *total)
{
	void	*p = NULL;
	int	 rc;

	rc = mg_list(s, a, err, sh->coll, filter, sort, page, sh->fill,
	    sh->size, &p, n);
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
