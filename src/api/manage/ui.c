/*
 * The admin page: files of assets/ compiled into the binary, served
 * under /ui/.  Public like the page itself; the data it shows comes from
 * the API with the caller's own credentials.
 */
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "util/assets.h"

/*
 * Nothing inline and nothing from elsewhere: the page's script and style
 * are files of its own, and it talks to this server only.
 */
#define UI_CSP	"default-src 'self'; script-src 'self'; style-src 'self'; " \
		"img-src 'self'; connect-src 'self'; object-src 'none'; " \
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

static const char *
content_type(const char *name)
{
	const char	*dot = strrchr(name, '.');

	if (dot == NULL)
		return ("application/octet-stream");
	if (strcmp(dot, ".html") == 0)
		return ("text/html; charset=utf-8");
	if (strcmp(dot, ".css") == 0)
		return ("text/css; charset=utf-8");
	if (strcmp(dot, ".js") == 0)
		return ("text/javascript; charset=utf-8");
	if (strcmp(dot, ".svg") == 0)
		return ("image/svg+xml");
	return ("application/octet-stream");
}

static void
serve(struct pgl_req *r, const char *name)
{
	const struct pgl_asset_file	*f;

	for (f = pgl_assets; f->name != NULL; f++) {
		if (strcmp(f->name, name) != 0)
			continue;
		pgl_set_header(r, "x-content-type-options", "nosniff");
		pgl_set_header(r, "content-security-policy", UI_CSP);
		pgl_set_header(r, "cache-control", "no-cache");
		pgl_reply_raw(r, 200, content_type(name), f->data, *f->len);
		return;
	}
	pgl_reply_error(r, 404, "no such file: %.100s", name);
}

/* The server's root is the admin page, for a person typing the host. */
void
api_ui_root(struct pgl_req *r)
{
	pgl_set_header(r, "location", "/ui/");
	pgl_reply_empty(r, 302);
}

void
api_ui_index(struct pgl_req *r)
{
	serve(r, "index.html");
}

void
api_ui_file(struct pgl_req *r)
{
	serve(r, pgl_param(r, "file"));
}
