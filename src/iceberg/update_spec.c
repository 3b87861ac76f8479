/*
 * Partition spec and sort order updates: add-spec (§4.5),
 * set-default-spec (§4.6), remove-partition-specs (§4.20),
 * add-sort-order (§4.7), set-default-sort-order (§4.8).
 */
#include "iceberg/internal.h"

static const json_t *
current_schema(struct ice_tb *b)
{
	const json_t	*s;

	s = ice_find(json_object_get(b->md, "schemas"), "schema-id",
	    ice_get(b->md, "current-schema-id"));
	if (s == NULL)
		(void)ice_invalid(b->err, "the table has no schema yet");
	return (s);
}

/* An id of an existing field with the same source and transform. */
static int64_t
known_field_id(const json_t *md, const json_t *f)
{
	json_t	*spec, *g;
	size_t	 i, j;

	json_array_foreach(json_object_get(md, "partition-specs"), i, spec) {
		json_array_foreach(json_object_get(spec, "fields"), j, g) {
			if (ice_get(g, "source-id") == ice_get(f, "source-id") &&
			    json_equal(json_object_get(g, "transform"),
			    json_object_get(f, "transform")))
				return (ice_get(g, "field-id"));
		}
	}
	return (ICE_NONE);
}

/*
 * A spec sent without field ids.  v1 needs 1000, 1001, ...  Otherwise
 * Java would also number from 1000 and collide with history, so
 * [deviate, as iceberg-rust]: reuse the id of the same (source,
 * transform), else continue after last-partition-id.
 */
static int
number_fields(struct ice_tb *b, json_t *spec)
{
	json_t	*f;
	int64_t	 id, next = ice_get(b->md, "last-partition-id");
	size_t	 i;

	if (ice_get(b->md, "format-version") == 1)
		return (ice_spec_number(spec, ICE_PART_START) == -1 ?
		    ice_oom(b->err) : 0);
	if (next < ICE_PART_START - 1)
		next = ICE_PART_START - 1;
	json_array_foreach(json_object_get(spec, "fields"), i, f) {
		if ((id = known_field_id(b->md, f)) == ICE_NONE)
			id = ++next;
		if (ice_set_int(f, "field-id", id, b->err) == -1)
			return (-1);
	}
	return (0);
}

/* Field ids within one spec are distinct; v1 wants them sequential. */
static int
check_field_ids(struct ice_tb *b, const json_t *spec)
{
	struct ice_ids	 ids = { 0 };
	json_t		*f;
	int64_t		 dup;
	size_t		 i;
	int		 rc = 0;

	json_array_foreach(json_object_get(spec, "fields"), i, f) {
		if (ice_get(b->md, "format-version") == 1 &&
		    ice_get(f, "field-id") != ICE_PART_START + (int64_t)i)
			return (ice_invalid(b->err, "v1 partition field ids "
			    "must be 1000, 1001, ... in order"));
		if (ice_ids_add(&ids, ice_get(f, "field-id"), b->err) == -1)
			return (-1);
	}
	if (ice_ids_dup(&ids, &dup))
		rc = ice_invalid(b->err, "partition field id %lld used twice",
		    (long long)dup);
	ice_ids_free(&ids);
	return (rc);
}

/* §4.5-2: a compatible spec's id, else max + 1 (first 0). */
static int64_t
spec_id(const json_t *md, const json_t *spec, int *exists)
{
	json_t	*s;
	int64_t	 id = 0;
	size_t	 i;

	*exists = 0;
	json_array_foreach(json_object_get(md, "partition-specs"), i, s) {
		if (ice_spec_compatible(s, spec)) {
			*exists = 1;
			return (ice_get(s, "spec-id"));
		}
		if (ice_get(s, "spec-id") >= id)
			id = ice_get(s, "spec-id") + 1;
	}
	return (id);
}

static int
add_spec(struct ice_tb *b, json_t *spec)
{
	int64_t	id, last;
	int	exists;

	id = spec_id(b->md, spec, &exists);
	if (exists) {
		b->last_spec = ice_ids_has(&b->new_specs, id) ? id : ICE_NONE;
		return (0);
	}
	if (check_field_ids(b, spec) == -1)
		return (-1);
	if (id > INT32_MAX)
		return (ice_invalid(b->err, "out of partition spec ids"));
	last = ice_get(b->md, "last-partition-id");
	if (ice_spec_last_id(spec) > last)
		last = ice_spec_last_id(spec);
	if (ice_set_int(spec, "spec-id", id, b->err) == -1 ||
	    ice_push(json_object_get(b->md, "partition-specs"),
	    json_incref(spec), b->err) == -1 ||
	    ice_set_int(b->md, "last-partition-id", last, b->err) == -1)
		return (-1);
	b->changes++;
	b->last_spec = id;
	return (ice_ids_add(&b->new_specs, id, b->err));
}

/* §4.5: bound to the current schema as of this point in the request. */
int
ice_tb_add_spec(struct ice_tb *b, const json_t *u)
{
	const json_t	*schema;
	json_t		*in, *spec;
	int		 has_ids, rc = -1;

	if ((in = ice_need(u, "spec", b->err)) == NULL ||
	    (spec = ice_spec_read(in, 1, &has_ids, b->err)) == NULL)
		return (-1);
	if ((schema = current_schema(b)) != NULL &&
	    (has_ids || number_fields(b, spec) == 0) &&
	    ice_spec_bind(spec, schema, 1, b->err) == 0)
		rc = add_spec(b, spec);
	json_decref(spec);
	return (rc);
}

/*
 * set-default-spec and set-default-sort-order: -1 is the id added last
 * by this request; an unknown id is a 400 here, not a crash at build
 * ([deviate] from the reference's 500).
 */
static int
set_default(struct ice_tb *b, const json_t *u, const char *field,
    int64_t last, const char *list, const char *key, const char *dflt)
{
	int64_t	id;

	if (ice_i32(u, field, &id, b->err) == -1)
		return (-1);
	if (id == ICE_LAST_ADDED) {
		if (last == ICE_NONE)
			return (ice_invalid(b->err, "cannot set last added "
			    "%s: none has been added", list));
		id = last;
	}
	if (id == ice_get(b->md, dflt))
		return (0);
	if (ice_find(json_object_get(b->md, list), key, id) == NULL)
		return (ice_invalid(b->err, "unknown %s %lld", key,
		    (long long)id));
	b->changes++;
	return (ice_set_int(b->md, dflt, id, b->err));
}

int
ice_tb_set_default_spec(struct ice_tb *b, const json_t *u)
{
	return (set_default(b, u, "spec-id", b->last_spec, "partition-specs",
	    "spec-id", "default-spec-id"));
}

/* §4.20: last-partition-id stays. */
int
ice_tb_remove_specs(struct ice_tb *b, const json_t *u)
{
	return (ice_tb_remove_ids(b, u, "spec-ids", "partition-specs",
	    "spec-id", "default-spec-id"));
}

/* §4.7: unsorted is 0; the same fields reuse an id; else max(1, max + 1). */
static int64_t
order_id(const json_t *md, const json_t *order, int *exists)
{
	json_t	*o;
	int64_t	 id = 1;
	size_t	 i;

	*exists = 0;
	json_array_foreach(json_object_get(md, "sort-orders"), i, o) {
		if (ice_order_same(o, order)) {
			*exists = 1;
			return (ice_get(o, "order-id"));
		}
		if (ice_get(o, "order-id") >= id)
			id = ice_get(o, "order-id") + 1;
	}
	return (json_array_size(json_object_get(order, "fields")) == 0 ? 0 :
	    id);
}

static int
add_order(struct ice_tb *b, json_t *order)
{
	int64_t	id;
	int	exists;

	id = order_id(b->md, order, &exists);
	if (exists) {
		b->last_order = ice_ids_has(&b->new_orders, id) ? id : ICE_NONE;
		return (0);
	}
	if (id > INT32_MAX)
		return (ice_invalid(b->err, "out of sort order ids"));
	if (ice_set_int(order, "order-id", id, b->err) == -1 ||
	    ice_push(json_object_get(b->md, "sort-orders"), json_incref(order),
	    b->err) == -1)
		return (-1);
	b->changes++;
	b->last_order = id;
	return (ice_ids_add(&b->new_orders, id, b->err));
}

int
ice_tb_add_order(struct ice_tb *b, const json_t *u)
{
	const json_t	*schema;
	json_t		*in, *order;
	int		 rc = -1;

	if ((in = ice_need(u, "sort-order", b->err)) == NULL ||
	    (order = ice_order_read(in, 1, b->err)) == NULL)
		return (-1);
	if ((schema = current_schema(b)) != NULL &&
	    ice_order_bind(order, schema, b->err) == 0)
		rc = add_order(b, order);
	json_decref(order);
	return (rc);
}

int
ice_tb_set_default_order(struct ice_tb *b, const json_t *u)
{
	return (set_default(b, u, "sort-order-id", b->last_order,
	    "sort-orders", "order-id", "default-sort-order-id"));
}
