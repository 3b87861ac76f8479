/*
 * listFunctions (GET .../namespaces/{namespace}/functions): the
 * namespace's functions on its branch, by name, as the spec's
 * ListFunctionsResponse, whose identifiers are CatalogObjectIdentifiers
 * (the namespace's levels, then the name, in one array).  Read and
 * written in slices, paged by key (pageToken, pageSize), a tenant user
 * given the functions it may list, as the table and view lists are
 * (rest/list_assets.h).
 */
#include <string.h>

#include "api/api.h"
#include "api/functions/functions.h"
#include "api/rest/list_assets.h"
#include "util/jw.h"

/* ["level", ..., "name"] */
static void
fn_write(struct pgl_jw *w, const void *row)
{
	const struct pgl_asset	*a = row;
	const char		*p, *sep;

	jw_open(w, '[');
	for (p = a->ns; *p != '\0'; p = *sep != '\0' ? sep + 1 : sep) {
		if ((sep = strchr(p, PGL_NS_SEP)) == NULL)
			sep = p + strlen(p);
		jw_strn(w, NULL, p, (size_t)(sep - p));
	}
	jw_str(w, NULL, a->name);
	jw_close(w, ']');
}

static const struct list_walk_ops fn_list = {
	sizeof(struct pgl_asset), "identifiers", list_assets_fetch, fn_write,
	list_assets_key, list_assets_cmp
};

void
ice_function_list(struct pgl_req *r)
{
	list_assets_run(r, &fn_list, FN_KIND, "functions");
}
