/*
 * A policy's document (policy.h): its kind, its action, whom it applies
 * to, and what its scope holds.
 *
 * A caller is named when one of its roles, its user id or one of its
 * groups is in applies_to, and none of its roles is in except_roles
 * (an exception wins over every inclusion, the user's own id included).
 */
#include <string.h>

#include "policy/policy.h"

static int
listed(const json_t *arr, const char *s)
{
	const json_t	*v;
	size_t		 i;

	if (s == NULL)
		return (0);
	json_array_foreach(arr, i, v) {
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return (1);
	}
	return (0);
}

static int
any_listed(const json_t *arr, const char *const *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (listed(arr, v[i]))
			return (1);
	return (0);
}

int
pgl_pol_applies_to(const json_t *doc, const struct pgl_pol_principal *who)
{
	const json_t	*to = json_object_get(doc, "applies_to");

	if (!json_is_object(to) || who == NULL)
		return (0);
	if (any_listed(json_object_get(to, "except_roles"), who->roles,
	    who->nroles))
		return (0);
	return (any_listed(json_object_get(to, "roles"), who->roles,
	    who->nroles) || listed(json_object_get(to, "users"),
	    who->user_id) || any_listed(json_object_get(to, "groups"),
	    who->groups, who->ngroups));
}

/* A role of to's roles that neither exception list names. */
static int
role_left(const json_t *to, const json_t *ex1, const json_t *ex2)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(json_object_get(to, "roles"), i, v) {
		if (!json_is_string(v))
			continue;
		if (!listed(ex1, json_string_value(v)) &&
		    !listed(ex2, json_string_value(v)))
			return (1);
	}
	return (0);
}

/*
 * Any caller may hold any roles and groups (but the exceptions), and is
 * one user: two policies meet on one caller when each can name it by a
 * role or a group, or one by those and the other by a user id, or both
 * by the same user id.
 */
int
pgl_pol_principals_overlap(const json_t *a, const json_t *b)
{
	const json_t	*ta = json_object_get(a, "applies_to");
	const json_t	*tb = json_object_get(b, "applies_to");
	const json_t	*ea = json_object_get(ta, "except_roles");
	const json_t	*eb = json_object_get(tb, "except_roles");
	const json_t	*ua = json_object_get(ta, "users");
	const json_t	*ub = json_object_get(tb, "users");
	const json_t	*v;
	size_t		 i;
	int		 rga, rgb;

	rga = role_left(ta, ea, eb) ||
	    json_array_size(json_object_get(ta, "groups")) > 0;
	rgb = role_left(tb, ea, eb) ||
	    json_array_size(json_object_get(tb, "groups")) > 0;
	if ((rga && rgb) || (rga && json_array_size(ub) > 0) ||
	    (rgb && json_array_size(ua) > 0))
		return (1);
	json_array_foreach(ua, i, v) {
		if (json_is_string(v) && listed(ub, json_string_value(v)))
			return (1);
	}
	return (0);
}

int
pgl_pol_is_row_filter(const json_t *doc)
{
	const char	*k = json_string_value(json_object_get(doc, "kind"));

	return (k != NULL && strcmp(k, "row-filter") == 0);
}

int
pgl_pol_doc_action(const json_t *doc)
{
	return (pgl_pol_action_parse(json_string_value(json_object_get(doc,
	    "action"))));
}

/* ns is at or below scope (levels joined by PGL_NS_SEP). */
static int
ns_within(const char *scope, const char *ns)
{
	size_t	n = strlen(scope);

	return (strncmp(ns, scope, n) == 0 && (ns[n] == '\0' ||
	    ns[n] == PGL_NS_SEP));
}

int
pgl_pol_scope_holds(const struct pgl_policy *p, const char *catalog,
    const char *ns, const char *name)
{
	if (p->catalog == NULL || catalog == NULL ||
	    strcmp(p->catalog, catalog) != 0)
		return (0);
	if (p->tag != NULL)
		return (1);
	if (p->ns == NULL || ns == NULL)
		return (0);
	if (p->table_name != NULL)
		return (strcmp(p->ns, ns) == 0 && name != NULL &&
		    strcmp(p->table_name, name) == 0);
	return (ns_within(p->ns, ns));
}

int
pgl_pol_bound_to(const struct pgl_policy *p, const char *catalog,
    const char *uuid)
{
	json_t		*doc;
	const char	*mine;
	int		 yes;

	if (p->table_name == NULL || uuid == NULL || *uuid == '\0' ||
	    p->doc == NULL || p->catalog == NULL || catalog == NULL ||
	    strcmp(p->catalog, catalog) != 0 || strstr(p->doc, uuid) == NULL)
		return (0);
	if ((doc = json_loads(p->doc, 0, NULL)) == NULL)
		return (0);
	mine = json_string_value(json_object_get(doc, "table_uuid"));
	yes = mine != NULL && strcmp(mine, uuid) == 0;
	json_decref(doc);
	return (yes);
}

int
pgl_pol_holds(const struct pgl_policy *p, const char *catalog,
    const char *ns, const char *name, const char *uuid)
{
	return (pgl_pol_scope_holds(p, catalog, ns, name) ||
	    pgl_pol_bound_to(p, catalog, uuid));
}
