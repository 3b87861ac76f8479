/*
 * Addressing shared by every /v1 handler: prefix -> catalog, namespace
 * path segments, the @branch suffix, spec-style page tokens, and a
 * target's dotted name ("a.b.table") for messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/placement/placement.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/jw.h"
#include "util/names.h"
#include "util/paging.h"

/*
 * A catalog stored before the operator's local roots said otherwise
 * (placement.h) is refused, named, until an operator moves it.
 */
static int
placed(struct pgl_req *r, const struct pgl_catalog *c)
{
	const char	*why;

	if ((why = api_placement_serving(r, c)) == NULL)
		return (0);
	pgl_reply_ice_error(r, 409, "ConflictException", "%s", why);
	return (-1);
}

int
ice_catalog(struct pgl_req *r, struct pgl_catalog *c)
{
	const char	*prefix = pgl_param(r, "prefix");
	struct pgl_err	 err;

	/* The authorization step's lookup of the same name, this request. */
	if (r->app != NULL && r->app->have_catalog &&
	    strcmp(r->app->catalog.name, prefix) == 0) {
		*c = r->app->catalog;
		return (placed(r, c));
	}
	if (api_get_catalog(r, r->tenant, prefix, c, &err) ==
	    PGL_OK) {
		if (r->app != NULL) {
			r->app->catalog = *c;
			r->app->have_catalog = 1;
		}
		return (placed(r, c));
	}
	if (err.code == PGL_ENOTFOUND)
		pgl_reply_ice_error(r, 404, "NoSuchNamespaceException",
		    "Catalog '%.200s' not found", prefix);
	else
		pgl_reply_store_error(r, &err);
	return (-1);
}

/* Split off a trailing "@branch"; validates the branch name. */
static int
split_branch(struct pgl_req *r, char *s, const char **branch)
{
	char	*at = strrchr(s, '@');

	if (at == NULL)
		return (0);
	*at++ = '\0';
	if (pgl_req_name(r, "branch", at) == -1)
		return (-1);
	*branch = at;
	return (0);
}

static int
check_levels(struct pgl_req *r, const char *ns)
{
	const char	*p = ns, *sep;
	char		 level[PGL_NAME_MAX + 2];
	size_t		 len;

	for (;;) {
		sep = strchr(p, PGL_NS_SEP);
		len = sep != NULL ? (size_t)(sep - p) : strlen(p);
		if (len > PGL_NAME_MAX) {
			pgl_reply_error(r, 400, "namespace level is longer "
			    "than %d bytes", PGL_NAME_MAX);
			return (-1);
		}
		memcpy(level, p, len);
		level[len] = '\0';
		if (pgl_req_name(r, "namespace", level) == -1)
			return (-1);
		if (sep == NULL)
			return (0);
		p = sep + 1;
	}
}

int
ice_parse_ns(struct pgl_req *r, const char *raw, const char **ns,
    const char **branch)
{
	char	*s;

	if ((s = pgl_arena_strdup(r->arena, raw)) == NULL ||
	    split_branch(r, s, branch) == -1)
		return (-1);
	if (*s == '\0') {
		pgl_reply_error(r, 400, "namespace must not be empty");
		return (-1);
	}
	if (check_levels(r, s) == -1)
		return (-1);
	*ns = s;
	return (0);
}

int
ice_ns_from_json(struct pgl_req *r, const json_t *arr, const char **ns)
{
	const char	*level;
	json_t		*v;
	size_t		 i, len = 0;
	char		*out;

	if (!json_is_array(arr) || json_array_size(arr) == 0) {
		pgl_reply_error(r, 400, "namespace must be a non-empty array "
		    "of strings");
		return (-1);
	}
	json_array_foreach(arr, i, v) {
		if ((level = json_string_value(v)) == NULL) {
			pgl_reply_error(r, 400, "namespace levels must be "
			    "strings");
			return (-1);
		}
		if (pgl_req_name(r, "namespace", level) == -1)
			return (-1);
		len += strlen(level) + 1;
	}
	if ((out = pgl_arena_alloc(r->arena, len)) == NULL)
		return (-1);
	out[0] = '\0';
	json_array_foreach(arr, i, v) {
		if (i > 0)
			strcat(out, PGL_NS_SEP_STR);
		strcat(out, json_string_value(v));
	}
	*ns = out;
	return (0);
}

json_t *
ice_ns_json(const char *ns)
{
	json_t		*arr = json_array();
	const char	*p = ns, *sep;

	for (;;) {
		sep = strchr(p, PGL_NS_SEP);
		json_array_append_new(arr, sep != NULL ?
		    json_stringn(p, (size_t)(sep - p)) : json_string(p));
		if (sep == NULL)
			return (arr);
		p = sep + 1;
	}
}

void
ice_ns_jw(struct pgl_jw *w, const char *key, const char *ns)
{
	const char	*p = ns, *sep;

	jw_key(w, key);
	jw_open(w, '[');
	for (;;) {
		sep = strchr(p, PGL_NS_SEP);
		jw_strn(w, NULL, p, sep != NULL ? (size_t)(sep - p) :
		    strlen(p));
		if (sep == NULL)
			break;
		p = sep + 1;
	}
	jw_close(w, ']');
}

char *
ice_dotted(struct pgl_req *r, const char *ns, const char *name)
{
	char	*s, *p;

	if ((s = pgl_arena_printf(r->arena, "%s%s%s", ns, name ? "." : "",
	    name ? name : "")) == NULL)
		return (NULL);
	for (p = s; *p != '\0'; p++) {
		if (*p == PGL_NS_SEP)
			*p = '.';
	}
	return (s);
}

int
ice_ns_exists(struct pgl_req *r, const char *catalog, const char *ns)
{
	struct pgl_namespace	n;
	struct pgl_err		err;

	if (STORE(get_namespace, r->arena, r->tenant, catalog, ns, &n, &err) ==
	    PGL_OK)
		return (1);
	if (err.code == PGL_ENOTFOUND)
		pgl_reply_ice_error(r, 404, "NoSuchNamespaceException",
		    "Namespace does not exist: %s", ns);
	else
		pgl_reply_store_error(r, &err);
	return (0);
}

int
ice_target(struct pgl_req *r, const char *name_param, struct ice_target *t)
{
	const char	*ns_branch = NULL, *name_branch = NULL;
	char		*name;

	memset(t, 0, sizeof(*t));
	if (ice_catalog(r, &t->catalog) == -1 ||
	    ice_parse_ns(r, pgl_param(r, "namespace"), &t->ns, &ns_branch) ==
	    -1)
		return (-1);
	if (name_param != NULL) {
		if ((name = pgl_arena_strdup(r->arena,
		    pgl_param(r, name_param))) == NULL ||
		    split_branch(r, name, &name_branch) == -1 ||
		    pgl_req_name(r, name_param, name) == -1)
			return (-1);
		t->name = name;
	}
	/* The table's suffix wins over the namespace's (§3.4). */
	t->branch = name_branch != NULL ? name_branch : ns_branch != NULL ?
	    ns_branch : ICE_DEFAULT_BRANCH;
	return (0);
}

uint64_t
ice_scope(struct pgl_req *r, const char *list, const struct pgl_catalog *c,
    const char *where, const char *branch)
{
	return (pgl_page_scope("iceberg", list, r->tenant, c->id,
	    where != NULL ? where : PGL_PAGE_NONE, branch != NULL ? branch :
	    PGL_PAGE_NONE, NULL));
}

/* Page tokens are opaque to clients: a keyset token (page_token.h). */
int
ice_page(struct pgl_req *r, uint64_t scope, struct pgl_page *pg,
    int *paged)
{
	const char		*tok = pgl_query(r, "pageToken");
	const char		*size = pgl_query(r, "pageSize");
	struct pgl_page_key	*k;
	uint64_t		 v;

	memset(pg, 0, sizeof(*pg));
	*paged = tok != NULL;
	if (size != NULL && (pgl_parse_u64(size, UINT32_MAX, &v) == -1 ||
	    v == 0)) {
		pgl_reply_error(r, 400, "pageSize must be a positive integer");
		return (-1);
	}
	if (!*paged)
		return (0);
	pg->limit = size != NULL ? (v > PGL_PAGE_MAX ? PGL_PAGE_MAX :
	    (uint32_t)v) : PGL_PAGE_DEFAULT;
	if (*tok == '\0')
		return (0);
	if ((k = pgl_arena_alloc(r->arena, sizeof(*k))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (pgl_page_token_read(r->arena, tok, scope, k) == -1) {
		pgl_reply_error(r, 400, "invalid pageToken: not a token of "
		    "this list");
		return (-1);
	}
	pg->after = k;
	return (0);
}

int
ice_same_asset(const struct pgl_asset *a, const struct ice_target *t)
{
	if (a->catalog == NULL || a->branch == NULL || a->ns == NULL ||
	    a->name == NULL || t->name == NULL)
		return (0);
	return (strcmp(a->catalog, t->catalog.name) == 0 &&
	    strcmp(a->branch, t->branch) == 0 && strcmp(a->ns, t->ns) == 0 &&
	    strcmp(a->name, t->name) == 0);
}

int
api_list_page(struct pgl_req *r, uint64_t scope, struct api_page *p)
{
	const char		*tok = pgl_query(r, "page_token");
	struct pgl_page		*pg = &p->pg;
	struct pgl_page_key	*k;

	memset(p, 0, sizeof(*p));
	p->scope = scope;
	if (pgl_req_page(r, pg) == -1)
		return (-1);
	pg->after = NULL;
	if (tok != NULL && (pgl_query(r, "offset") != NULL ||
	    pgl_query(r, "page") != NULL)) {
		pgl_reply_error(r, 400, "use either page_token or an offset "
		    "(offset, page), not both");
		return (-1);
	}
	if (tok != NULL && !pgl_store_pages_by_key(pgl_app.db)) {
		pgl_reply_error(r, 400, "page_token needs a store plugin of "
		    "ABI 1.28 or later: page by offset");
		return (-1);
	}
	/* One row more than the page: it says another page follows. */
	pg->limit++;
	if (tok == NULL)
		return (0);
	p->keyed = 1;
	if (*tok == '\0')
		return (0);
	if ((k = pgl_arena_alloc(r->arena, sizeof(*k))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (pgl_page_token_read(r->arena, tok, scope, k) == -1) {
		pgl_reply_error(r, 400, "invalid page_token: not a token of "
		    "this list");
		return (-1);
	}
	pg->after = k;
	return (0);
}

void
api_row_key(const void *row, const struct api_row_key *rk,
    struct pgl_page_key *k)
{
	const char	*p = row;

	memset(k, 0, sizeof(*k));
	if (rk->s != API_NO_KEY)
		memcpy(&k->s, p + rk->s, sizeof(k->s));
	if (rk->s2 != API_NO_KEY)
		memcpy(&k->s2, p + rk->s2, sizeof(k->s2));
	if (rk->n != API_NO_KEY)
		memcpy(&k->n, p + rk->n, sizeof(k->n));
}

void
api_reply_page(struct pgl_req *r, json_t *arr, const void *items,
    size_t size, const struct api_row_key *rk, const struct api_page *p,
    uint64_t total)
{
	struct pgl_page_key	 k;
	const char		*tok;
	size_t			 want = p->pg.limit > 0 ? p->pg.limit - 1 : 0;
	size_t			 m = json_array_size(arr), kept;
	char			 buf[32];

	/* The row past the page says another follows; so does one the
	 * byte cap leaves out. */
	while (json_array_size(arr) > want)
		(void)json_array_remove(arr, json_array_size(arr) - 1);
	kept = pgl_list_trim(arr);
	if (kept > 0 && m > kept && pgl_store_pages_by_key(pgl_app.db)) {
		api_row_key((const unsigned char *)items + (kept - 1) * size,
		    rk, &k);
		if ((tok = pgl_page_token(r->arena, p->scope, &k)) != NULL)
			pgl_set_header(r, "x-next-page-token", tok);
	} else if (p->resumed && kept == m &&
	    (tok = pgl_page_token(r->arena, p->scope, &p->resume)) != NULL)
		/* Short (even empty) where the filtered read stopped. */
		pgl_set_header(r, "x-next-page-token", tok);
	if (!p->keyed) {
		(void)snprintf(buf, sizeof(buf), "%llu",
		    (unsigned long long)total);
		pgl_set_header(r, "x-total-count", buf);
	}
	pgl_reply_json(r, 200, arr);
}
