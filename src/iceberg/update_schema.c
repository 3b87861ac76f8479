/*
 * Schema updates: add-schema (§4.3), set-current-schema (§4.4),
 * remove-schemas (§4.21).  The server owns schema ids (§9-3).
 */
#include "iceberg/internal.h"

/*
 * §4.3-3: an identical schema's id, else one past the highest, counting
 * from the current id (0 for an empty table), as Java does.
 */
static int64_t
schema_id(const json_t *md, const json_t *schema, int *exists)
{
	json_t	*s;
	int64_t	 id = ice_get(md, "current-schema-id");
	size_t	 i;

	*exists = 0;
	json_array_foreach(json_object_get(md, "schemas"), i, s) {
		if (ice_schema_same(s, schema)) {
			*exists = 1;
			return (ice_get(s, "schema-id"));
		}
		if (ice_get(s, "schema-id") >= id)
			id = ice_get(s, "schema-id") + 1;
	}
	return (id);
}

/* "-1" may only mean an id this request added (§4.0). */
static int64_t
added_here(const struct ice_ids *added, int64_t id)
{
	return (ice_ids_has(added, id) ? id : ICE_NONE);
}

static int
add_schema(struct ice_tb *b, json_t *schema)
{
	int64_t	last = ice_get(b->md, "last-column-id");
	int64_t	newlast = ice_schema_max_id(schema), id;
	int	exists;

	if (newlast < last)
		newlast = last;
	id = schema_id(b->md, schema, &exists);
	if (exists && newlast == last) {
		b->last_schema = added_here(&b->new_schemas, id);
		return (0);
	}
	if (id > INT32_MAX)
		return (ice_invalid(b->err, "out of schema ids"));
	if (ice_set_int(b->md, "last-column-id", newlast, b->err) == -1)
		return (-1);
	if (!exists && (ice_set_int(schema, "schema-id", id, b->err) == -1 ||
	    ice_push(json_object_get(b->md, "schemas"), json_incref(schema),
	    b->err) == -1))
		return (-1);
	b->changes++;
	b->last_schema = id;
	return (ice_ids_add(&b->new_schemas, id, b->err));
}

/* §4.3: "last-column-id" in the update is deprecated and ignored. */
int
ice_tb_add_schema(struct ice_tb *b, const json_t *u)
{
	json_t	*in, *schema;
	int	 rc = -1;

	if ((in = ice_need(u, "schema", b->err)) == NULL ||
	    (schema = ice_schema_read(in, b->err)) == NULL)
		return (-1);
	if (ice_schema_check_version(schema, ice_get(b->md,
	    "format-version"), b->err) == 0)
		rc = add_schema(b, schema);
	json_decref(schema);
	return (rc);
}

/* §4.4: the default spec and sort order are re-bound at build. */
int
ice_tb_set_current_schema(struct ice_tb *b, const json_t *u)
{
	int64_t	id;

	if (ice_i32(u, "schema-id", &id, b->err) == -1)
		return (-1);
	if (id == ICE_LAST_ADDED) {
		if (b->last_schema == ICE_NONE)
			return (ice_invalid(b->err, "cannot set last added "
			    "schema: no schema has been added"));
		id = b->last_schema;
	}
	if (id == ice_get(b->md, "current-schema-id"))
		return (0);
	if (ice_find(json_object_get(b->md, "schemas"), "schema-id",
	    id) == NULL)
		return (ice_invalid(b->err, "unknown schema %lld",
		    (long long)id));
	b->changes++;
	return (ice_set_int(b->md, "current-schema-id", id, b->err));
}

/*
 * Shared by remove-schemas and remove-partition-specs: drop the listed
 * ids from md[list], refusing the one in use.  A change even when no
 * id matched (§9-9).
 */
int
ice_tb_remove_ids(struct ice_tb *b, const json_t *u, const char *field,
    const char *list, const char *key, const char *in_use)
{
	struct ice_ids	 ids = { 0 };
	json_t		*arr, *v, *all;
	size_t		 i;
	int		 rc = -1;

	if ((arr = ice_need(u, field, b->err)) == NULL)
		return (-1);
	if (!json_is_array(arr))
		return (ice_bad(b->err, "`%s` must be an array", field));
	json_array_foreach(arr, i, v) {
		if (!ice_is_i32(v)) {
			(void)ice_bad(b->err, "`%s` must be integers", field);
			goto done;
		}
		if (json_integer_value(v) == ice_get(b->md, in_use)) {
			(void)ice_invalid(b->err, "cannot remove the %s %lld "
			    "in use", key, (long long)json_integer_value(v));
			goto done;
		}
		if (ice_ids_add(&ids, json_integer_value(v), b->err) == -1)
			goto done;
	}
	ice_ids_sort(&ids);
	all = json_object_get(b->md, list);
	for (i = json_array_size(all); i-- > 0;) {
		if (ice_ids_sorted_has(&ids, ice_get(json_array_get(all, i),
		    key)))
			(void)json_array_remove(all, i);
	}
	b->changes += ids.n > 0;
	rc = 0;
done:
	ice_ids_free(&ids);
	return (rc);
}

/* §4.21: last-column-id stays; snapshots are not checked. */
int
ice_tb_remove_schemas(struct ice_tb *b, const json_t *u)
{
	return (ice_tb_remove_ids(b, u, "schema-ids", "schemas", "schema-id",
	    "current-schema-id"));
}
