/*
 * A policy's request body (POST and PUT /api/v1/policies) into the row
 * the store keeps and the document src/policy reads (policy.h), checked
 * as it is defined:
 *
 *  - a scope: a namespace (with everything below it), one of its
 *    tables, or a column tag of the catalog; the catalog, the namespace
 *    and the table must exist;
 *  - exactly one of row_filter or action; a column action names its
 *    column ("a.b", nested by dots) unless it follows a tag, and a tag's
 *    policy is a column action;
 *  - on a table, the column and the filter's names are resolved against
 *    its current schema and kept by field id (a rename keeps them); the
 *    action must apply to the column's type and not to a map's key;
 *  - on a namespace, names are kept as given and resolved per table when
 *    read (policy.h): the filter must be an expression, the column a
 *    name;
 *  - applies_to names at least one role, user or group.
 * Shape errors answer 400, what the catalog makes of them 422.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/policies/policy_int.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

#define NAME_MAX_CHARS	128
#define PRINCIPALS_MAX	256

static const struct pgl_jfield fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "catalog", PGL_J_STRING, 1 },
	{ "namespace", PGL_J_ARRAY, 0 },
	{ "table", PGL_J_STRING, 0 },
	{ "tag", PGL_J_STRING, 0 },
	{ "row_filter", PGL_J_ANY, 0 },
	{ "column", PGL_J_STRING, 0 },
	{ "action", PGL_J_STRING, 0 },
	{ "applies_to", PGL_J_OBJECT, 1 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield to_fields[] = {
	{ "roles", PGL_J_STRLIST, 0 },
	{ "users", PGL_J_STRLIST, 0 },
	{ "groups", PGL_J_STRLIST, 0 },
	{ "except_roles", PGL_J_STRLIST, 0 },
	{ NULL, 0, 0 }
};

static int
shape(struct pgl_req *r)
{
	char	why[256];

	if (r->body == NULL) {
		pgl_reply_error(r, 400, "a JSON request body is required");
		return (-1);
	}
	if (pgl_json_check(r->body, fields, why, sizeof(why)) == -1 ||
	    pgl_json_check(json_object_get(r->body, "applies_to"), to_fields,
	    why, sizeof(why)) == -1) {
		pgl_reply_error(r, 400, "%s", why);
		return (-1);
	}
	return (0);
}

static int
name_ok(struct pgl_req *r, const char *name)
{
	size_t	chars = 0;

	for (; *name != '\0'; name++) {
		if ((unsigned char)*name < 0x20 || *name == 0x7f)
			break;
		if (((unsigned char)*name & 0xc0) != 0x80)
			chars++;
	}
	if (*name == '\0' && chars >= 1 && chars <= NAME_MAX_CHARS)
		return (0);
	pgl_reply_error(r, 400, "name: 1 to %d characters, no control "
	    "characters", NAME_MAX_CHARS);
	return (-1);
}

/* applies_to as kept: the four lists, each present; one principal. */
static json_t *
principals(struct pgl_req *r)
{
	static const char *const	keys[] = { "roles", "users", "groups",
	    "except_roles" };
	const json_t	*to = json_object_get(r->body, "applies_to"), *v;
	json_t		*out;
	size_t		 i, named = 0, all = 0;

	if ((out = json_object()) == NULL)
		return (NULL);
	for (i = 0; i < 4; i++) {
		v = json_object_get(to, keys[i]);
		if (!json_is_array(v))
			v = NULL;
		all += json_array_size(v);
		if (i < 3)
			named += json_array_size(v);
		json_object_set_new(out, keys[i], v != NULL ?
		    json_deep_copy(v) : json_array());
	}
	if (named > 0 && all <= PRINCIPALS_MAX)
		return (out);
	json_decref(out);
	if (named == 0)
		pgl_reply_error(r, 422, "applies_to must name at least one of "
		    "roles, users or groups");
	else
		pgl_reply_error(r, 422, "applies_to names more than %d "
		    "principals", PRINCIPALS_MAX);
	return (NULL);
}

/* The scope's members: 0, or -1 after replying. */
static int
scope(struct pgl_req *r, struct pgl_policy *p)
{
	const json_t	*ns = json_object_get(r->body, "namespace");

	p->catalog = pgl_json_str(r->body, "catalog");
	p->table_name = pgl_json_str(r->body, "table");
	p->tag = pgl_json_str(r->body, "tag");
	p->ns = NULL;
	if (p->tag != NULL && (ns != NULL || p->table_name != NULL)) {
		pgl_reply_error(r, 422, "a policy is attached to a tag, or to "
		    "a namespace or table, not both");
		return (-1);
	}
	if (p->tag != NULL) {
		if (*p->tag == '\0' || strlen(p->tag) > NAME_MAX_CHARS) {
			pgl_reply_error(r, 400, "tag: 1 to %d characters",
			    NAME_MAX_CHARS);
			return (-1);
		}
		return (0);
	}
	if (ns == NULL) {
		pgl_reply_error(r, 422, "a policy needs a scope: a namespace "
		    "(with a table, or everything below it) or a tag");
		return (-1);
	}
	if (ice_ns_from_json(r, ns, &p->ns) == -1)
		return (-1);
	if (p->table_name != NULL && pgl_req_name(r, "table",
	    p->table_name) == -1)
		return (-1);
	return (0);
}

static int
scope_exists(struct pgl_req *r, const struct pgl_policy *p)
{
	struct pgl_catalog	c;
	struct pgl_namespace	n;
	struct pgl_err		err;

	if (STORE(get_catalog, r->arena, r->tenant, p->catalog, &c,
	    &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "catalog %.200s not found",
		    p->catalog);
		return (-1);
	}
	if (p->ns == NULL || p->table_name != NULL)
		return (0);
	if (STORE(get_namespace, r->arena, r->tenant, p->catalog, p->ns, &n,
	    &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "namespace not found in catalog "
		    "%.200s", p->catalog);
		return (-1);
	}
	return (0);
}

/* What the policy does: 0, or -1 after replying. */
static int
what(struct pgl_req *r, const struct pgl_policy *p, json_t *doc)
{
	const json_t	*rf = json_object_get(r->body, "row_filter");
	const char	*column = pgl_json_str(r->body, "column");
	const char	*action = pgl_json_str(r->body, "action");

	if ((rf != NULL && !json_is_null(rf)) == (action != NULL)) {
		pgl_reply_error(r, 422, "a policy is a row_filter or a column "
		    "action, exactly one");
		return (-1);
	}
	if (action == NULL) {
		if (p->tag != NULL || column != NULL) {
			pgl_reply_error(r, 422, p->tag != NULL ? "a tag's "
			    "policy is a column action: a row filter needs a "
			    "table or a namespace" : "column goes with action, "
			    "not with row_filter");
			return (-1);
		}
		if (!json_is_object(rf) && !json_is_boolean(rf)) {
			pgl_reply_error(r, 400, "row_filter must be an "
			    "expression (a JSON object or a boolean)");
			return (-1);
		}
		json_object_set_new(doc, "kind", json_string("row-filter"));
		json_object_set(doc, "row_filter", (json_t *)rf);
		return (0);
	}
	if (pgl_pol_action_parse(action) == -1) {
		pgl_reply_error(r, 422, "action %.64s is not one of mask-"
		    "alphanum, mask-to-fixed-value, replace-with-null, "
		    "show-first-4, show-last-4, truncate-to-year, truncate-to-"
		    "month, sha-256-global, sha-256-query-local", action);
		return (-1);
	}
	if ((p->tag != NULL) == (column != NULL) || (column != NULL &&
	    *column == '\0')) {
		pgl_reply_error(r, 422, p->tag != NULL ? "a tag's policy acts "
		    "on the columns tagged so: no column" : "a column action "
		    "needs its column (nested by dots: \"a.b\")");
		return (-1);
	}
	json_object_set_new(doc, "kind", json_string("column-action"));
	json_object_set_new(doc, "action", json_string(action));
	if (column != NULL)
		json_object_set_new(doc, "column", json_string(column));
	return (0);
}

/* A table's policy: its names resolved to field ids, its action checked. */
static int
on_table(struct pgl_req *r, const struct pgl_policy *p, json_t *doc)
{
	struct pol_tbl		 t;
	struct pgl_pol_column	 col;
	const char		*column;
	json_t			*f;
	char			 why[256];
	int			 rc = -1;

	if (pol_table_load(r, p->catalog, p->ns, p->table_name, NULL, 422,
	    &t) == -1)
		return (-1);
	if (pgl_pol_is_row_filter(doc)) {
		if ((f = pgl_pol_filter_bind(json_object_get(doc,
		    "row_filter"), t.t.schema, why, sizeof(why))) == NULL)
			pgl_reply_error(r, 422, "row_filter: %s", why);
		else {
			json_object_set_new(doc, "row_filter", f);
			rc = 0;
		}
	} else if (pgl_pol_column_by_name(t.t.schema, (column =
	    json_string_value(json_object_get(doc, "column"))), &col) == -1)
		pgl_reply_error(r, 422, "table %.200s has no column %.200s",
		    p->table_name, column);
	else if (pgl_pol_applicable(pgl_pol_doc_action(doc), &col, why,
	    sizeof(why)) == -1)
		pgl_reply_error(r, 422, "%s (column %.200s)", why, column);
	else {
		json_object_set_new(doc, "field_id", json_integer(col.id));
		rc = 0;
	}
	/* The table it was defined on (the resolver tells a table made
	 * again under the name). */
	json_object_set_new(doc, "table_uuid", json_string(t.asset.id));
	pol_table_free(&t);
	return (rc);
}

int
pol_from_body(struct pgl_req *r, struct pgl_policy *p, json_t **doc)
{
	json_t	*d, *to;

	*doc = NULL;
	if (shape(r) == -1)
		return (-1);
	p->name = pgl_json_str(r->body, "name");
	if (name_ok(r, p->name) == -1 || scope(r, p) == -1 ||
	    scope_exists(r, p) == -1)
		return (-1);
	if ((d = json_object()) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (what(r, p, d) == -1 || (to = principals(r)) == NULL) {
		json_decref(d);
		return (-1);
	}
	json_object_set_new(d, "applies_to", to);
	if (p->table_name != NULL && on_table(r, p, d) == -1) {
		json_decref(d);
		return (-1);
	}
	p->doc = api_text(r->arena, d);
	*doc = d;
	return (0);
}
