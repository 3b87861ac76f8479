/*
 * §7.3: the view updates, applied to the view builder (struct ice_vb).
 * build(), apply and createView are in view_build.c.
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"
#include "util/location.h"

static int
vb_assign_uuid(struct ice_vb *b, const json_t *u)
{
	const char	*uuid;

	if (ice_str(u, "uuid", &uuid, b->err) == -1)
		return (-1);
	if (ice_strieq(uuid, json_string_value(json_object_get(b->md,
	    "view-uuid"))))
		return (0);
	return (ice_invalid(b->err, "cannot reassign uuid"));
}

static int
vb_upgrade_format(struct ice_vb *b, const json_t *u)
{
	int64_t	v;

	if (ice_i32(u, "format-version", &v, b->err) == -1)
		return (-1);
	if (v < ice_get(b->md, "format-version"))
		return (ice_invalid(b->err, "cannot downgrade a view"));
	if (v > ICE_VIEW_FORMAT)
		return (ice_invalid(b->err, "unsupported view format-version "
		    "%lld", (long long)v));
	return (0);
}

/* An identical schema is reused and is not "last added". */
int
ice_vb_add_schema(struct ice_vb *b, const json_t *u)
{
	json_t	*in, *schema, *s, *list = json_object_get(b->md, "schemas");
	int64_t	 id = 0;
	size_t	 i;

	if ((in = ice_need(u, "schema", b->err)) == NULL ||
	    (schema = ice_schema_read(in, b->err)) == NULL)
		return (-1);
	json_array_foreach(list, i, s) {
		if (ice_schema_same(s, schema)) {
			json_decref(schema);
			return (0);
		}
		if (ice_get(s, "schema-id") >= id)
			id = ice_get(s, "schema-id") + 1;
	}
	if (id > INT32_MAX || ice_set_int(schema, "schema-id", id, b->err) ==
	    -1) {
		json_decref(schema);
		return (ice_invalid(b->err, "out of schema ids"));
	}
	b->changes++;
	b->last_schema = id;
	return (ice_push(list, schema, b->err));
}

static int
vb_set_location(struct ice_vb *b, const json_t *u)
{
	const char	*loc, *cur;
	char		*s;
	int		 rc;

	if (ice_str(u, "location", &loc, b->err) == -1)
		return (-1);
	if (loc[0] == '\0')
		return (ice_bad(b->err, "`location` must not be empty"));
	cur = json_string_value(json_object_get(b->md, "location"));
	if (cur != NULL && pgl_location_same(cur, loc))
		return (0);
	if ((s = ice_location_norm(loc)) == NULL)
		return (ice_oom(b->err));
	rc = ice_set(b->md, "location", json_string(s), b->err);
	free(s);
	b->changes++;
	return (rc);
}

static int
vb_set_properties(struct ice_vb *b, const json_t *u)
{
	json_t	*m;

	m = json_object_get(u, "updates");
	if (m == NULL || json_is_null(m))
		m = json_object_get(u, "updated");
	if (!json_is_object(m))
		return (ice_bad(b->err, "`updates` must be an object"));
	if (json_object_size(m) == 0)
		return (0);
	b->changes++;
	return (ice_props_set(json_object_get(b->md, "properties"), m, 0,
	    b->err));
}

static int
vb_remove_properties(struct ice_vb *b, const json_t *u)
{
	json_t	*a;

	a = json_object_get(u, "removals");
	if (a == NULL || json_is_null(a))
		a = json_object_get(u, "removed");
	if (!json_is_array(a))
		return (ice_bad(b->err, "`removals` must be an array"));
	if (json_array_size(a) == 0)
		return (0);
	b->changes++;
	return (ice_props_remove(json_object_get(b->md, "properties"), a,
	    b->err));
}

/* One SQL per dialect, case-insensitively (§7.2). */
static int
check_dialects(const json_t *version, struct ice_err *e)
{
	json_t	*reprs = json_object_get(version, "representations");
	json_t	*r, *q;
	size_t	 i, j;

	json_array_foreach(reprs, i, r) {
		for (j = 0; j < i; j++) {
			q = json_array_get(reprs, j);
			if (ice_strieq(json_string_value(json_object_get(r,
			    "dialect")), json_string_value(json_object_get(q,
			    "dialect"))))
				return (ice_invalid(e, "Cannot add multiple "
				    "queries for dialect %.64s",
				    json_string_value(json_object_get(r,
				    "dialect"))));
		}
	}
	return (0);
}

/* Same summary, representations, catalog, namespace and schema. */
static int
same_version(const json_t *a, const json_t *b)
{
	static const char *const keys[] = { "summary", "representations",
	    "default-catalog", "default-namespace", "schema-id", NULL };
	size_t	i;

	for (i = 0; keys[i] != NULL; i++) {
		if (!json_equal(json_object_get(a, keys[i]),
		    json_object_get(b, keys[i])) &&
		    (json_object_get(a, keys[i]) != NULL ||
		    json_object_get(b, keys[i]) != NULL))
			return (0);
	}
	return (1);
}

/* -1 is this request's last added schema; the schema must exist. */
static int
resolve_schema(struct ice_vb *b, json_t *v)
{
	int64_t	id = ice_get(v, "schema-id");

	if (id == ICE_LAST_ADDED) {
		if (b->last_schema == ICE_NONE)
			return (ice_invalid(b->err, "cannot set last added "
			    "schema: no schema has been added"));
		id = b->last_schema;
		if (ice_set_int(v, "schema-id", id, b->err) == -1)
			return (-1);
	}
	if (ice_find(json_object_get(b->md, "schemas"), "schema-id",
	    id) == NULL)
		return (ice_invalid(b->err, "cannot add version with unknown "
		    "schema %lld", (long long)id));
	return (0);
}

static int
add_version(struct ice_vb *b, json_t *v)
{
	json_t	*list = json_object_get(b->md, "versions"), *x;
	int64_t	 id = ice_get(v, "version-id");
	size_t	 i;

	json_array_foreach(list, i, x) {
		if (same_version(x, v)) {
			id = ice_get(x, "version-id");
			b->last_version = ice_ids_has(&b->new_versions, id) ?
			    id : ICE_NONE;
			return (0);
		}
		if (ice_get(x, "version-id") >= id)
			id = ice_get(x, "version-id") + 1;
	}
	if (id > INT32_MAX)
		return (ice_invalid(b->err, "out of view version ids"));
	if (ice_set_int(v, "version-id", id, b->err) == -1 ||
	    ice_push(list, json_incref(v), b->err) == -1)
		return (-1);
	b->changes++;
	b->last_version = id;
	return (ice_ids_add(&b->new_versions, id, b->err));
}

int
ice_vb_add_version(struct ice_vb *b, const json_t *u)
{
	json_t	*in, *v;
	int	 rc = -1;

	if ((in = ice_need(u, "view-version", b->err)) == NULL ||
	    (v = ice_view_version_read(in, 1, b->err)) == NULL)
		return (-1);
	if (resolve_schema(b, v) == 0 && check_dialects(v, b->err) == 0)
		rc = add_version(b, v);
	json_decref(v);
	return (rc);
}

/*
 * The history entry carries the version's own timestamp if this request
 * added it, else now (re-activating an old version); the last one wins.
 */
int
ice_vb_set_current(struct ice_vb *b, const json_t *u)
{
	json_t	*v;
	int64_t	 id, ts = b->now;

	if (ice_i32(u, "view-version-id", &id, b->err) == -1)
		return (-1);
	if (id == ICE_LAST_ADDED) {
		if (b->last_version == ICE_NONE)
			return (ice_invalid(b->err, "cannot set last version: "
			    "no version has been added"));
		id = b->last_version;
	}
	if (id == ice_get(b->md, "current-version-id"))
		return (0);
	if ((v = ice_find(json_object_get(b->md, "versions"), "version-id",
	    id)) == NULL)
		return (ice_invalid(b->err, "cannot set current version to "
		    "unknown version %lld", (long long)id));
	if (ice_ids_has(&b->new_versions, id))
		ts = ice_get(v, "timestamp-ms");
	json_decref(b->history);
	if ((b->history = json_pack("{s:I, s:I}", "timestamp-ms",
	    (json_int_t)ts, "version-id", (json_int_t)id)) == NULL)
		return (ice_oom(b->err));
	b->changes++;
	return (ice_set_int(b->md, "current-version-id", id, b->err));
}

static const struct view_action {
	const char	*name;
	int		(*fn)(struct ice_vb *, const json_t *);
} view_actions[] = {
	{ "assign-uuid",		vb_assign_uuid },
	{ "upgrade-format-version",	vb_upgrade_format },
	{ "add-schema",			ice_vb_add_schema },
	{ "set-location",		vb_set_location },
	{ "set-properties",		vb_set_properties },
	{ "remove-properties",		vb_remove_properties },
	{ "add-view-version",		ice_vb_add_version },
	{ "set-current-view-version",	ice_vb_set_current },
};

static int
apply_one(struct ice_vb *b, const json_t *u)
{
	const char	*name;
	size_t		 i;

	if (!json_is_object(u))
		return (ice_bad(b->err, "an update must be an object"));
	if (ice_str(u, "action", &name, b->err) == -1)
		return (-1);
	for (i = 0; i < sizeof(view_actions) / sizeof(view_actions[0]); i++) {
		if (!ice_strieq(name, view_actions[i].name))
			continue;
		if (view_actions[i].fn(b, u) == -1) {
			ice_err_prefix(b->err, view_actions[i].name);
			return (-1);
		}
		return (0);
	}
	return (ice_bad(b->err, "unknown view update `%.64s`", name));
}

int
ice_vb_apply_all(struct ice_vb *b, const json_t *updates)
{
	json_t	*u;
	size_t	 i;

	if (updates != NULL && !json_is_null(updates) &&
	    !json_is_array(updates))
		return (ice_bad(b->err, "`updates` must be an array"));
	json_array_foreach(updates, i, u) {
		if (apply_one(b, u) == -1)
			return (-1);
	}
	return (0);
}

