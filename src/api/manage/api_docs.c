/*
 * The browsable API: the OpenAPI 3.1 document of the management API
 * (docs/openapi/management.yaml, turned into JSON at build time) under
 * /api/v1/openapi.json, and a page that renders it under /api/docs: its
 * own index.html and docs.js, and Swagger UI's script and style from
 * the swagger-ui-dist npm package, all compiled in (util/assets.h).
 * Public, like the admin page: a document of routes, no data.
 */
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "util/assets.h"

/*
 * The admin page's policy (ui.c) but for img-src: Swagger UI's
 * stylesheet draws its icons as data: SVG images.  An image cannot run
 * script, so data: images are the one loosening (docs/security.md).
 */
#define DOCS_CSP	"default-src 'self'; script-src 'self'; " \
			"style-src 'self'; img-src 'self' data:; " \
			"connect-src 'self'; object-src 'none'; " \
			"base-uri 'none'; form-action 'self'; " \
			"frame-ancestors 'none'"

static const char *
content_type(const char *name)
{
	const char	*dot = strrchr(name, '.');

	if (dot != NULL && strcmp(dot, ".html") == 0)
		return ("text/html; charset=utf-8");
	if (dot != NULL && strcmp(dot, ".css") == 0)
		return ("text/css; charset=utf-8");
	if (dot != NULL && strcmp(dot, ".js") == 0)
		return ("text/javascript; charset=utf-8");
	return ("application/octet-stream");
}

static const struct pgl_asset_file *
find(const char *name, const char *suffix)
{
	const struct pgl_asset_file	*f;
	size_t				 n = strlen(name);

	for (f = pgl_doc_assets; f->name != NULL; f++) {
		if (strncmp(f->name, name, n) == 0 &&
		    strcmp(f->name + n, suffix) == 0)
			return (f);
	}
	return (NULL);
}

/* A file, or its gzip'd twin (the viewer's large ones) to a client that
 * takes gzip; the twins are never served under their own names. */
static void
serve(struct pgl_req *r, const char *name)
{
	const struct pgl_asset_file	*f, *gz;
	size_t				 n = strlen(name);

	if ((n > 3 && strcmp(name + n - 3, ".gz") == 0) ||
	    (f = find(name, "")) == NULL) {
		pgl_reply_error(r, 404, "no such file: %.100s", name);
		return;
	}
	pgl_set_header(r, "x-content-type-options", "nosniff");
	pgl_set_header(r, "content-security-policy", DOCS_CSP);
	pgl_set_header(r, "cache-control", "no-cache");
	if ((gz = find(name, ".gz")) == NULL) {
		pgl_reply_raw(r, 200, content_type(name), f->data, *f->len);
		return;
	}
	if (pgl_req_gzip(r)) {
		pgl_reply_gzip(r, 200, content_type(name), gz->data, *gz->len);
		return;
	}
	pgl_set_header(r, "vary", "Accept-Encoding");
	pgl_reply_raw(r, 200, content_type(name), f->data, *f->len);
}

void
api_openapi_json(struct pgl_req *r)
{
	pgl_set_header(r, "x-content-type-options", "nosniff");
	pgl_set_header(r, "cache-control", "no-cache");
	pgl_reply_raw(r, 200, "application/json", asset_openapi_json,
	    asset_len_openapi_json);
}

void
api_docs_index(struct pgl_req *r)
{
	serve(r, "index.html");
}

void
api_docs_file(struct pgl_req *r)
{
	serve(r, pgl_param(r, "file"));
}

/* The reference served its viewer here (pangolin-api.md §1.1). */
void
api_docs_moved(struct pgl_req *r)
{
	pgl_set_header(r, "location", "/api/docs");
	pgl_reply_empty(r, 302);
}
