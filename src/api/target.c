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

void
ice_next_token_jw(struct pgl_jw *w, const struct pgl_page *pg, size_t got,
    uint64_t total, int paged)
{
	json_t	*tok = ice_next_token(pg, got, total, paged);

	if (json_is_string(tok))
		jw_str(w, "next-page-token", json_string_value(tok));
	else
		jw_json(w, "next-page-token", "null", "null");
	json_decref(tok);
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

/* Page tokens are opaque to clients: "o" + decimal offset. */
int
ice_page(struct pgl_req *r, struct pgl_page *pg, int *paged)
{
	const char	*tok = pgl_query(r, "pageToken");
	const char	*size = pgl_query(r, "pageSize");
	uint64_t	 v;

	pg->limit = 0;
	pg->offset = 0;
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
	if (*tok != '\0' && (tok[0] != 'o' ||
	    pgl_parse_u64(tok + 1, UINT64_MAX / 2, &pg->offset) == -1)) {
		pgl_reply_error(r, 400, "invalid pageToken");
		return (-1);
	}
	return (0);
}

json_t *
ice_next_token(const struct pgl_page *pg, size_t got, uint64_t total,
    int paged)
{
	char	buf[32];

	if (!paged || pg->offset + got >= total || got == 0)
		return (json_null());
	(void)snprintf(buf, sizeof(buf), "o%llu",
	    (unsigned long long)(pg->offset + got));
	return (json_string(buf));
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
