/*
 * §3: a commit's requirements, checked against the base before any
 * update is applied.  Every requirement is parsed before any is
 * evaluated, so a malformed one is a 400 even behind a failing one.
 */
#include <string.h>

#include "iceberg/internal.h"

/* The int requirements: the request's key and the metadata's. */
static const struct equal_req {
	const char	*type;
	const char	*key;
	const char	*md_key;
} equal_reqs[] = {
	{ "assert-last-assigned-field-id", "last-assigned-field-id",
	    "last-column-id" },
	{ "assert-current-schema-id", "current-schema-id",
	    "current-schema-id" },
	{ "assert-last-assigned-partition-id", "last-assigned-partition-id",
	    "last-partition-id" },
	{ "assert-default-spec-id", "default-spec-id", "default-spec-id" },
	{ "assert-default-sort-order-id", "default-sort-order-id",
	    "default-sort-order-id" },
};
#define NEQUAL	(sizeof(equal_reqs) / sizeof(equal_reqs[0]))

static const struct equal_req *
equal_req(const char *type)
{
	size_t	i;

	for (i = 0; i < NEQUAL; i++) {
		if (ice_strieq(type, equal_reqs[i].type))
			return (&equal_reqs[i]);
	}
	return (NULL);
}

static int
check_equal(const json_t *md, const json_t *r, const struct equal_req *q,
    struct ice_err *e)
{
	int64_t	v;

	if (ice_i32(r, q->key, &v, e) == -1)
		return (-1);
	if (md != NULL && v != ice_get(md, q->md_key))
		return (ice_conflict(e, "Requirement failed: %s: expected %lld "
		    "!= %lld", q->md_key, (long long)v,
		    (long long)ice_get(md, q->md_key)));
	return (0);
}

/* Case-insensitive: clients may print the uuid either way. */
static int
check_uuid(const json_t *md, const json_t *r, const char *key,
    struct ice_err *e)
{
	const char	*uuid, *cur;

	if (ice_str(r, "uuid", &uuid, e) == -1)
		return (-1);
	if (md == NULL)
		return (0);
	cur = json_string_value(json_object_get(md, key));
	if (!ice_strieq(uuid, cur))
		return (ice_conflict(e, "Requirement failed: UUID does not "
		    "match: expected %.40s != %.40s", cur ? cur : "null",
		    uuid));
	return (0);
}

/* A null snapshot-id asserts that the ref does not exist. */
static int
check_ref(const json_t *md, const json_t *r, struct ice_err *e)
{
	const char	*name, *kind;
	json_t		*ref;
	int64_t		 id;

	if (ice_str(r, "ref", &name, e) == -1 ||
	    ice_i64_or(r, "snapshot-id", ICE_NONE, &id, e) == -1)
		return (-1);
	if (md == NULL)
		return (0);
	ref = json_object_get(json_object_get(md, "refs"), name);
	if (ref == NULL) {
		if (id != ICE_NONE)
			return (ice_conflict(e, "Requirement failed: branch or "
			    "tag %.64s is missing, expected %lld", name,
			    (long long)id));
		return (0);
	}
	kind = json_string_value(json_object_get(ref, "type"));
	if (id == ICE_NONE)
		return (ice_conflict(e, "Requirement failed: %s %.64s was "
		    "created concurrently", kind, name));
	if (id != ice_get(ref, "snapshot-id"))
		return (ice_conflict(e, "Requirement failed: %s %.64s has "
		    "changed: expected id %lld != %lld", kind, name,
		    (long long)id, (long long)ice_get(ref, "snapshot-id")));
	return (0);
}

static const char *
req_type(const json_t *r, struct ice_err *e)
{
	const char	*type;

	if (!json_is_object(r)) {
		(void)ice_bad(e, "a requirement must be an object");
		return (NULL);
	}
	if (ice_str(r, "type", &type, e) == -1)
		return (NULL);
	return (type);
}

/* One table requirement; md NULL: only parse it. */
static int
check_one(const json_t *md, const json_t *r, struct ice_err *e)
{
	const struct equal_req	*q;
	const char		*type;

	if ((type = req_type(r, e)) == NULL)
		return (-1);
	if ((q = equal_req(type)) != NULL)
		return (check_equal(md, r, q, e));
	if (ice_strieq(type, "assert-table-uuid"))
		return (check_uuid(md, r, "table-uuid", e));
	if (ice_strieq(type, "assert-ref-snapshot-id"))
		return (check_ref(md, r, e));
	if (ice_strieq(type, "assert-create"))
		return (0);
	if (ice_strieq(type, "assert-view-uuid"))
		return (ice_bad(e, "assert-view-uuid is a view requirement"));
	return (ice_bad(e, "unknown requirement `%.64s`", type));
}

static int
check_list(const json_t *reqs, struct ice_err *e)
{
	if (reqs != NULL && !json_is_null(reqs) && !json_is_array(reqs))
		return (ice_bad(e, "`requirements` must be an array"));
	return (0);
}

int
ice_table_is_create(const json_t *reqs)
{
	json_t	*r;
	size_t	 i;

	json_array_foreach(reqs, i, r) {
		if (ice_strieq(json_string_value(json_object_get(r, "type")),
		    "assert-create"))
			return (1);
	}
	return (0);
}

/* §2.6: assert-create must stand alone; the table must not exist. */
static int
check_create(const json_t *metadata, const json_t *reqs, struct ice_err *e)
{
	json_t	*r;
	size_t	 i;

	json_array_foreach(reqs, i, r) {
		if (!ice_strieq(json_string_value(json_object_get(r, "type")),
		    "assert-create"))
			return (ice_bad(e, "Invalid create requirements: "
			    "assert-create must be the only requirement"));
	}
	if (metadata != NULL)
		return (ice_conflict(e, "Requirement failed: table already "
		    "exists"));
	return (0);
}

/*
 * The requirements against a table's base: raw (the file's JSON), read
 * (§1.1) here once, or read, its normalised form at hand.  The form
 * checked comes back in *base when asked for (a new reference; NULL for
 * a create).
 */
static int
check_table(const json_t *raw, const json_t *read, const json_t *reqs,
    json_t **base, struct ice_err *err)
{
	struct ice_err	 dummy;
	json_t		*md, *r;
	size_t		 i;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	if (base != NULL)
		*base = NULL;
	if (check_list(reqs, err) == -1)
		return (-1);
	json_array_foreach(reqs, i, r) {
		if (check_one(NULL, r, err) == -1)
			return (-1);
	}
	if (ice_table_is_create(reqs))
		return (check_create(read != NULL ? read : raw, reqs, err));
	if (read != NULL)
		md = json_incref((json_t *)read);
	else if (raw == NULL)
		return (ice_fail(err, 404, "NoSuchTableException",
		    "table does not exist"));
	else if ((md = ice_md_read(raw, err)) == NULL)
		return (-1);
	json_array_foreach(reqs, i, r) {
		if (check_one(md, r, err) == -1) {
			json_decref(md);
			return (-1);
		}
	}
	if (base != NULL)
		*base = md;
	else
		json_decref(md);
	return (0);
}

int
ice_table_check_base(const json_t *raw, const json_t *reqs, json_t **base,
    struct ice_err *err)
{
	return (check_table(raw, NULL, reqs, base, err));
}

int
ice_table_check_read(const json_t *read, const json_t *reqs,
    struct ice_err *err)
{
	return (check_table(NULL, read, reqs, NULL, err));
}

int
ice_table_check(const json_t *metadata, const json_t *reqs,
    struct ice_err *err)
{
	json_t	*base;
	int	 rc;

	rc = ice_table_check_base(metadata, reqs, &base, err);
	json_decref(base);
	return (rc);
}

/* §3: assert-view-uuid is the only view requirement. */
static int
check_view_one(const json_t *md, const json_t *r, struct ice_err *e)
{
	const char	*type;

	if ((type = req_type(r, e)) == NULL)
		return (-1);
	if (ice_strieq(type, "assert-view-uuid"))
		return (check_uuid(md, r, "view-uuid", e));
	if (equal_req(type) != NULL || ice_strieq(type, "assert-create") ||
	    ice_strieq(type, "assert-table-uuid") ||
	    ice_strieq(type, "assert-ref-snapshot-id"))
		return (ice_bad(e, "%.64s is a table requirement", type));
	return (ice_bad(e, "unknown requirement `%.64s`", type));
}

int
ice_view_check(const json_t *metadata, const json_t *reqs,
    struct ice_err *err)
{
	struct ice_err	 dummy;
	json_t		*r;
	size_t		 i;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	if (check_list(reqs, err) == -1)
		return (-1);
	json_array_foreach(reqs, i, r) {
		if (check_view_one(NULL, r, err) == -1)
			return (-1);
	}
	if (metadata == NULL)
		return (ice_fail(err, 404, "NoSuchViewException",
		    "view does not exist"));
	if (!json_is_string(json_object_get(metadata, "view-uuid")))
		return (ice_bad(err, "view metadata has no view-uuid"));
	json_array_foreach(reqs, i, r) {
		if (check_view_one(metadata, r, err) == -1)
			return (-1);
	}
	return (0);
}
