/*
 * §7.3 build(): the pending version-log entry, the dialect check and
 * version expiry; ice_view_apply around it, and §7.2's createView as
 * the same builder fed the equivalent updates.
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"

#define NO_VERSION	(-1)	/* current-version-id before the first */

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
static int
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
		return (ice_oom(b->err));
	json_array_foreach(log, i, h) {
		if (!ice_ids_sorted_has(keep, ice_get(h, "version-id")))
			json_array_clear(kept);
		else if (json_array_append(kept, h) == -1) {
			json_decref(kept);
			return (ice_oom(b->err));
		}
	}
	return (ice_set(b->md, "version-log", kept, b->err));
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
		rc = expire(b, &keep);
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
	    ice_vb_apply_all(&b, updates) == 0) {
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
	rc = ice_vb_add_schema(b, u) == -1 || ice_vb_add_version(b, u) == -1 ||
	    ice_vb_set_current(b, u) == -1 ? -1 : 0;
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
	if ((loc = ice_location_norm(location)) == NULL) {
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
