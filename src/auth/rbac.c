#include <stdlib.h>
#include <string.h>

#include "auth/rbac.h"
#include "util/arena.h"
#include "pangolin/store.h"
#include "util/json.h"
#include "util/str.h"

static const struct {
	const char	*name;
	unsigned	 bit;
} actions[] = {
	{ "read",			PGL_ACT_READ },
	{ "write",			PGL_ACT_WRITE },
	{ "delete",			PGL_ACT_DELETE },
	{ "create",			PGL_ACT_CREATE },
	{ "update",			PGL_ACT_UPDATE },
	{ "list",			PGL_ACT_LIST },
	{ "all",			PGL_ACT_ALL },
	{ "ingest-branching",		PGL_ACT_INGEST_BRANCHING },
	{ "experimental-branching",	PGL_ACT_EXPERIMENTAL_BRANCHING },
	{ "manage-discovery",		PGL_ACT_MANAGE_DISCOVERY },
};

#define NACTIONS	(sizeof(actions) / sizeof(actions[0]))
#define SEES		PGL_ACT_SEES

unsigned
pgl_action_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < NACTIONS; i++) {
		if (strcmp(actions[i].name, s) == 0)
			return (actions[i].bit);
	}
	return (0);
}

const char *
pgl_action_name(unsigned bit)
{
	size_t	i;

	for (i = 0; i < NACTIONS; i++) {
		if (actions[i].bit == bit)
			return (actions[i].name);
	}
	return ("unknown");
}

unsigned
pgl_actions_implied(unsigned g)
{
	if (g & PGL_ACT_ALL)
		return (~0u);
	if (g & PGL_ACT_WRITE)
		g |= PGL_ACT_READ | PGL_ACT_UPDATE | PGL_ACT_DELETE |
		    PGL_ACT_CREATE | PGL_ACT_LIST;
	if (g & PGL_ACT_READ)
		g |= PGL_ACT_LIST;
	return (g);
}

/* A uuid field of the scope object into out; -1 if absent or malformed. */
static int
scope_uuid(const json_t *scope, const char *key, char *out)
{
	const char	*v = pgl_json_str(scope, key);

	if (v == NULL || !pgl_uuid_valid(v))
		return (-1);
	(void)pgl_strlcpy(out, v, PGL_UUID_LEN + 1);
	return (0);
}

/* "a.b" -> "a\x1fb"; every level non-empty. */
static int
scope_ns(const json_t *scope, struct pgl_arena *a, const char **ns)
{
	const char	*v = pgl_json_str(scope, "namespace");
	char		*out;
	size_t		 i, len;

	if (v == NULL || (len = strlen(v)) == 0 || len >= PGL_RBAC_NS_MAX ||
	    v[0] == '.' || v[len - 1] == '.' || strstr(v, "..") != NULL ||
	    (out = pgl_arena_alloc(a, len + 1)) == NULL)
		return (-1);
	for (i = 0; i <= len; i++)
		out[i] = v[i] == '.' ? PGL_NS_SEP : v[i];
	*ns = out;
	return (0);
}

static int
parse_scope(const json_t *scope, struct pgl_arena *a, struct pgl_grant *g,
    const char **why)
{
	const char	*type = pgl_json_str(scope, "type");
	const char	*tag;

	*why = "scope must be an object with a known \"type\" (tenant, "
	    "catalog, namespace, asset, tag)";
	if (!json_is_object(scope) || type == NULL)
		return (-1);
	if (strcmp(type, "tenant") == 0) {
		g->kind = PGL_SCOPE_TENANT;
		return (0);
	}
	if (strcmp(type, "tag") == 0) {
		g->kind = PGL_SCOPE_TAG;
		tag = pgl_json_str(scope, "tag_name");
		*why = "a tag scope needs a non-empty tag_name";
		if (tag == NULL || *tag == '\0' ||
		    strlen(tag) >= PGL_RBAC_TAG_MAX ||
		    (g->tag = pgl_arena_strdup(a, tag)) == NULL)
			return (-1);
		return (0);
	}
	*why = "scope needs catalog_id as a uuid";
	if (scope_uuid(scope, "catalog_id", g->catalog_id) == -1)
		return (-1);
	if (strcmp(type, "catalog") == 0) {
		g->kind = PGL_SCOPE_CATALOG;
		return (0);
	}
	*why = "scope needs a dotted namespace (\"a.b\")";
	if (scope_ns(scope, a, &g->ns) == -1)
		return (-1);
	if (strcmp(type, "namespace") == 0) {
		g->kind = PGL_SCOPE_NAMESPACE;
		return (0);
	}
	*why = "an asset scope needs asset_id as a uuid";
	if (strcmp(type, "asset") == 0) {
		g->kind = PGL_SCOPE_ASSET;
		return (scope_uuid(scope, "asset_id", g->asset_id));
	}
	*why = "scope type must be tenant, catalog, namespace, asset or tag";
	return (-1);
}

int
pgl_grant_parse(const json_t *scope, const json_t *acts, struct pgl_arena *a,
    struct pgl_grant *g, const char **why)
{
	const char	*name;
	unsigned	 bit;
	json_t		*v;
	size_t		 i;

	memset(g, 0, sizeof(*g));
	g->ns = "";
	g->tag = "";
	if (parse_scope(scope, a, g, why) == -1)
		return (-1);
	*why = "actions must be a non-empty array of action names";
	if (!json_is_array(acts) || json_array_size(acts) == 0)
		return (-1);
	json_array_foreach(acts, i, v) {
		if ((name = json_string_value(v)) == NULL ||
		    (bit = pgl_action_parse(name)) == 0) {
			*why = "unknown action (read, write, delete, create, "
			    "update, list, all, ingest-branching, "
			    "experimental-branching, manage-discovery)";
			return (-1);
		}
		g->actions |= bit;
	}
	return (0);
}

/* 1 if namespace inner is outer or one of its children. */
static int
ns_within(const char *inner, const char *outer)
{
	size_t	len = strlen(outer);

	if (len == 0)
		return (1);
	return (strncmp(inner, outer, len) == 0 &&
	    (inner[len] == '\0' || inner[len] == PGL_NS_SEP));
}

static int
has_tag(const struct pgl_target *t, const char *tag)
{
	size_t	i;

	for (i = 0; i < t->ntags; i++) {
		if (strcmp(t->tags[i], tag) == 0)
			return (1);
	}
	return (0);
}

int
pgl_grant_covers(const struct pgl_grant *g, const struct pgl_target *t)
{
	const char	*ns = t->ns != NULL ? t->ns : "";
	const char	*asset = t->asset_id != NULL ? t->asset_id : "";

	switch (g->kind) {
	case PGL_SCOPE_TENANT:
		return (1);
	case PGL_SCOPE_TAG:
		return (*asset != '\0' && has_tag(t, g->tag));
	default:
		break;
	}
	if (t->catalog_id == NULL || strcmp(g->catalog_id, t->catalog_id) != 0)
		return (0);
	switch (g->kind) {
	case PGL_SCOPE_CATALOG:
		return (1);
	case PGL_SCOPE_NAMESPACE:
		return (*ns != '\0' && ns_within(ns, g->ns));
	case PGL_SCOPE_ASSET:
		return (*asset != '\0' && strcmp(g->asset_id, asset) == 0);
	default:
		return (0);
	}
}

int
pgl_rbac_allows(const struct pgl_grant *g, size_t n, unsigned action,
    const struct pgl_target *t)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if ((pgl_actions_implied(g[i].actions) & action) == action &&
		    pgl_grant_covers(&g[i], t))
			return (1);
	}
	return (0);
}

/* 1 if g names something inside t (t is a catalog or a namespace). */
static int
grant_inside(const struct pgl_grant *g, const struct pgl_target *t)
{
	const char	*ns = t->ns != NULL ? t->ns : "";

	if (g->kind == PGL_SCOPE_TAG)
		return (t->asset_id == NULL || *t->asset_id == '\0');
	if (g->kind == PGL_SCOPE_TENANT || g->kind == PGL_SCOPE_CATALOG ||
	    t->catalog_id == NULL || strcmp(g->catalog_id, t->catalog_id) != 0 ||
	    (t->asset_id != NULL && *t->asset_id != '\0'))
		return (0);
	return (ns_within(g->ns, ns));
}

int
pgl_rbac_sees(const struct pgl_grant *g, size_t n, const struct pgl_target *t)
{
	size_t	i;

	if (t->discoverable && t->asset_id != NULL && *t->asset_id != '\0')
		return (1);
	for (i = 0; i < n; i++) {
		if ((pgl_actions_implied(g[i].actions) & SEES) == 0)
			continue;
		if (pgl_grant_covers(&g[i], t) || grant_inside(&g[i], t))
			return (1);
	}
	return (0);
}

int
pgl_rbac_has_tag_grants(const struct pgl_grant *g, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (g[i].kind == PGL_SCOPE_TAG)
			return (1);
	}
	return (0);
}

struct pgl_grant *
pgl_grants_copy(const struct pgl_grant *g, size_t n, size_t *size)
{
	struct pgl_grant	*out;
	char			*pool;
	size_t			 i, len = n * sizeof(*g), l;

	for (i = 0; i < n; i++)
		len += strlen(g[i].ns) + strlen(g[i].tag) + 2;
	if ((out = malloc(len > 0 ? len : 1)) == NULL)
		return (NULL);
	pool = (char *)(out + n);
	for (i = 0; i < n; i++) {
		out[i] = g[i];
		l = strlen(g[i].ns) + 1;
		out[i].ns = memcpy(pool, g[i].ns, l);
		pool += l;
		l = strlen(g[i].tag) + 1;
		out[i].tag = memcpy(pool, g[i].tag, l);
		pool += l;
	}
	*size = len;
	return (out);
}
