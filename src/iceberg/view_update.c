/*
 * §7.3: view updates applied to a builder, then build(): the pending
 * version-log entry, the dialect check and version expiry.  §7.2's
 * createView is the same builder fed the equivalent updates.
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"

#define NO_VERSION	(-1)	/* current-version-id before the first */

struct ice_vb {
	json_t		*md;
	json_t		*base;		/* NULL for a create */
	int		 changes;
	int64_t		 now;
	int64_t		 last_schema;	/* ICE_NONE if null */
	int64_t		 last_version;
	struct ice_ids	 new_versions;
	json_t		*history;	/* the pending version-log entry */
	struct ice_err	*err;
};

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
static int
vb_add_schema(struct ice_vb *b, const json_t *u)
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
	if (cur != NULL && strcmp(loc, cur) == 0)
		return (0);
	if ((s = ice_strip_slash(loc)) == NULL)
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

static int
vb_add_version(struct ice_vb *b, const json_t *u)
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
static int
vb_set_current(struct ice_vb *b, const json_t *u)
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
	{ "add-schema",			vb_add_schema },
	{ "set-location",		vb_set_location },
	{ "set-properties",		vb_set_properties },
	{ "remove-properties",		vb_remove_properties },
	{ "add-view-version",		vb_add_version },
	{ "set-current-view-version",	vb_set_current },
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

static int
apply_all(struct ice_vb *b, const json_t *updates)
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

static int
has_dialect(const json_t *version, const char *dialect)
{
	json_t	*r;
	size_t	 i;

	json_array_foreach(json_object_get(version, "representations"), i, r) {
		if (ice_strieq(json_string_value(json_object_get(r,
		    "dialect")), dialect))
			return (1);
	}
	return (0);
}

/*
 * A replace may not lose a dialect of the previous current version
 * unless replace.drop-dialect.allowed (400; the reference says 500).
 */
static int
check_dialect_drop(struct ice_vb *b)
{
	const json_t	*prev, *cur;
	const char	*d;
	json_t		*r;
	size_t		 i;

	if (b->base == NULL || ice_strieq(ice_prop(b->md,
	    "replace.drop-dialect.allowed"), "true"))
		return (0);
	prev = ice_find(json_object_get(b->base, "versions"), "version-id",
	    ice_get(b->base, "current-version-id"));
	cur = ice_find(json_object_get(b->md, "versions"), "version-id",
	    ice_get(b->md, "current-version-id"));
	json_array_foreach(json_object_get(prev, "representations"), i, r) {
		if ((d = json_string_value(json_object_get(r, "dialect"))) !=
		    NULL && !has_dialect(cur, d))
			return (ice_invalid(b->err, "Cannot replace view due to "
			    "loss of view dialect %.64s "
			    "(replace.drop-dialect.allowed=false)", d));
	}
	return (0);
}

/* Versions kept: the current one, then the highest ids (§7.3). */
static int
retained(struct ice_vb *b, size_t keep, struct ice_ids *ids)
{
	struct ice_ids	 all = { 0 };
	json_t		*v;
	int64_t		 cur = ice_get(b->md, "current-version-id");
	size_t		 i;
	int		 rc = -1;

	json_array_foreach(json_object_get(b->md, "versions"), i, v) {
		if (ice_ids_add(&all, ice_get(v, "version-id"), b->err) == -1)
			goto done;
	}
	ice_ids_sort(&all);
	if (ice_ids_add(ids, cur, b->err) == -1)
		goto done;
	for (i = all.n; i-- > 0 && ids->n < keep;) {
		if (all.v[i] != cur && ice_ids_add(ids, all.v[i], b->err) == -1)
			goto done;
	}
	ice_ids_sort(ids);
	rc = 0;
done:
	ice_ids_free(&all);
	return (rc);
}

/* Drop expired versions, and the version-log up to the last of them. */
static void
expire(struct ice_vb *b, const struct ice_ids *keep)
{
	json_t	*list = json_object_get(b->md, "versions");
	json_t	*log = json_object_get(b->md, "version-log"), *kept, *h;
	size_t	 i;

	for (i = json_array_size(list); i-- > 0;) {
		if (!ice_ids_sorted_has(keep, ice_get(json_array_get(list, i),
		    "version-id")))
			(void)json_array_remove(list, i);
	}
	if ((kept = json_array()) == NULL)
		return;
	json_array_foreach(log, i, h) {
		if (ice_ids_sorted_has(keep, ice_get(h, "version-id")))
			(void)json_array_append(kept, h);
		else
			json_array_clear(kept);
	}
	(void)json_object_set_new(b->md, "version-log", kept);
}

/*
 * Keep max(version.history.num-entries (default 10), the versions this
 * request added plus the current one).
 */
static int
expire_versions(struct ice_vb *b)
{
	struct ice_ids	 keep = { 0 };
	int64_t		 num, cur = ice_get(b->md, "current-version-id");
	size_t		 want;
	int		 rc;

	if (ice_prop_int(b->md, "version.history.num-entries", 10, &num) ==
	    -1 || num <= 0)
		return (ice_invalid(b->err, "version.history.num-entries must "
		    "be a positive integer"));
	want = b->new_versions.n + !ice_ids_has(&b->new_versions, cur);
	if ((int64_t)want < num)
		want = (size_t)num;
	if (json_array_size(json_object_get(b->md, "versions")) <= want)
		return (0);
	if ((rc = retained(b, want, &keep)) == 0)
		expire(b, &keep);
	ice_ids_free(&keep);
	return (rc);
}

static json_t *
build(struct ice_vb *b)
{
	if (json_array_size(json_object_get(b->md, "versions")) == 0) {
		(void)ice_invalid(b->err, "a view needs a version");
		return (NULL);
	}
	if (b->history != NULL && ice_push(json_object_get(b->md,
	    "version-log"), json_incref(b->history), b->err) == -1)
		return (NULL);
	if (check_dialect_drop(b) == -1 || expire_versions(b) == -1 ||
	    ice_view_validate(b->md, b->err) == -1)
		return (NULL);
	return (ice_view_write(b->md, b->err));
}

static void
vb_init(struct ice_vb *b, int64_t now, struct ice_err *e)
{
	memset(b, 0, sizeof(*b));
	b->now = now;
	b->err = e;
	b->last_schema = b->last_version = ICE_NONE;
}

static void
vb_free(struct ice_vb *b)
{
	json_decref(b->md);
	json_decref(b->base);
	json_decref(b->history);
	ice_ids_free(&b->new_versions);
}

json_t *
ice_view_apply(const json_t *base, const json_t *updates,
    const char *base_location, int64_t now_ms, struct ice_err *err)
{
	struct ice_err	 dummy;
	struct ice_vb	 b;
	json_t		*out = NULL;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	if (base == NULL) {
		(void)ice_fail(err, 404, "NoSuchViewException",
		    "view does not exist");
		return (NULL);
	}
	vb_init(&b, now_ms, err);
	if ((b.base = ice_view_read(base, err)) != NULL &&
	    ice_view_validate(b.base, err) == 0 &&
	    (b.md = json_deep_copy(b.base)) != NULL &&
	    apply_all(&b, updates) == 0) {
		if (b.changes == 0)
			out = json_incref((json_t *)base);
		else
			out = build(&b);
	}
	vb_free(&b);
	return (out);
}

int
ice_view_unchanged(const json_t *base, const json_t *next)
{
	return (base != NULL && base == next);
}

/*
 * §7.2: the request's version becomes version 1 on schema 0 (the ids
 * the client sent are replaced); a missing timestamp is now.
 */
static json_t *
first_version(const json_t *req, int64_t now, struct ice_err *e)
{
	json_t	*in, *v;

	if ((in = ice_need(req, "view-version", e)) == NULL)
		return (NULL);
	if (!json_is_object(in)) {
		(void)ice_bad(e, "`view-version` must be an object");
		return (NULL);
	}
	if ((v = json_deep_copy(in)) == NULL ||
	    json_object_set_new(v, "version-id", json_integer(1)) == -1 ||
	    json_object_set_new(v, "schema-id",
	    json_integer(ICE_LAST_ADDED)) == -1 ||
	    (json_object_get(v, "timestamp-ms") == NULL &&
	    json_object_set_new(v, "timestamp-ms", json_integer(now)) == -1)) {
		json_decref(v);
		(void)ice_oom(e);
		return (NULL);
	}
	return (v);
}

static int
create(struct ice_vb *b, const json_t *req)
{
	json_t	*props, *v, *u;
	int	 rc = -1;

	if ((props = ice_strmap_copy(req, "properties", b->err)) == NULL)
		return (-1);
	rc = ice_props_set(json_object_get(b->md, "properties"), props, 0,
	    b->err);
	json_decref(props);
	if (rc == -1 || (v = first_version(req, b->now, b->err)) == NULL)
		return (-1);
	if ((u = json_pack("{s:O*, s:o, s:i}", "schema", json_object_get(req,
	    "schema"), "view-version", v, "view-version-id",
	    ICE_LAST_ADDED)) == NULL)
		return (ice_oom(b->err));
	rc = vb_add_schema(b, u) == -1 || vb_add_version(b, u) == -1 ||
	    vb_set_current(b, u) == -1 ? -1 : 0;
	json_decref(u);
	return (rc);
}

json_t *
ice_view_new(const json_t *req, const char *location, const char *uuid,
    int64_t now_ms, struct ice_err *err)
{
	struct ice_err	 dummy;
	struct ice_vb	 b;
	json_t		*out = NULL;
	char		*loc;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	if (!json_is_object(req) || location == NULL || *location == '\0' ||
	    uuid == NULL) {
		(void)ice_bad(err, "a create view request must be an object; "
		    "a view needs a location and a uuid");
		return (NULL);
	}
	if ((loc = ice_strip_slash(location)) == NULL) {
		(void)ice_oom(err);
		return (NULL);
	}
	vb_init(&b, now_ms, err);
	b.md = json_pack("{s:s, s:i, s:s, s:{}, s:[], s:i, s:[], s:[]}",
	    "view-uuid", uuid, "format-version", ICE_VIEW_FORMAT, "location",
	    loc, "properties", "schemas", "current-version-id", NO_VERSION,
	    "versions", "version-log");
	free(loc);
	if (b.md == NULL)
		(void)ice_oom(err);
	else if (create(&b, req) == 0)
		out = build(&b);
	vb_free(&b);
	return (out);
}
