/*
 * §2.3: createTable.  The server owns every id (§9-4): fields are
 * renumbered from 1, the schema is 0, the spec 0 with partition fields
 * from 1000, the sort order 1 (0 when unsorted), and the request's
 * spec and order follow their columns through the renumbering.
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"

/* What a create builds, released together. */
struct create {
	int64_t			 version;
	json_t			*props;
	json_t			*schema;	/* as requested */
	json_t			*fresh;		/* renumbered */
	json_t			*spec;
	json_t			*order;
	struct ice_idmap	 map;
	struct ice_err		*e;
};

/* §2.3-1: format-version comes from the properties, default 2. */
static int
read_version(struct create *c, const json_t *props)
{
	const char	*s;
	int64_t		 v = 2;

	s = json_string_value(json_object_get(props, "format-version"));
	if (s != NULL && ice_parse_int(s, &v) == -1)
		return (ice_bad(c->e, "property format-version must be an "
		    "integer"));
	if (v < 1 || v > ICE_MAX_FORMAT)
		return (ice_invalid(c->e, "unsupported format-version %lld",
		    (long long)v));
	c->version = v;
	return (0);
}

/* §2.2: commit.retry.* are non-negative integers. */
static int
check_retry(const char *k, const char *v, struct ice_err *e)
{
	int64_t	n;

	if (strncmp(k, "commit.retry.", strlen("commit.retry.")) != 0)
		return (0);
	if (ice_parse_int(v, &n) == -1 || n < 0)
		return (ice_invalid(e, "property %.64s must be a non-negative "
		    "integer", k));
	return (0);
}

/*
 * §2.3-2: zstd by default, reserved keys dropped, request wins; the
 * §2.2 property checks that need no schema.
 */
static int
read_props(struct create *c, const json_t *req)
{
	const char	*k;
	json_t		*in, *v;

	if ((in = ice_strmap_copy(req, "properties", c->e)) == NULL)
		return (-1);
	if (read_version(c, in) == -1)
		goto fail;
	if ((c->props = json_pack("{s:s}", "write.parquet.compression-codec",
	    "zstd")) == NULL) {
		(void)ice_oom(c->e);
		goto fail;
	}
	json_object_foreach(in, k, v) {
		if (ice_reserved_prop(k))
			continue;
		if (check_retry(k, json_string_value(v), c->e) == -1)
			goto fail;
		if (c->version < 3 && (strcmp(k, "encryption.key-id") == 0 ||
		    strcmp(k, "encryption.data-key-length") == 0)) {
			(void)ice_invalid(c->e, "%s needs format v3", k);
			goto fail;
		}
		if (ice_set(c->props, k, json_incref(v), c->e) == -1)
			goto fail;
	}
	json_decref(in);
	return (0);
fail:
	json_decref(in);
	return (-1);
}

/* §2.2: write.metadata.metrics.column.<name> must name a column. */
static int
check_metrics(struct create *c)
{
	static const char	 prefix[] = "write.metadata.metrics.column.";
	const char		*k;
	json_t			*v;

	json_object_foreach(c->props, k, v) {
		if (strncmp(k, prefix, sizeof(prefix) - 1) == 0 &&
		    ice_schema_find_name(c->fresh, k + sizeof(prefix) - 1) ==
		    -1)
			return (ice_invalid(c->e, "metrics property %.64s names "
			    "no column", k));
	}
	return (0);
}

/* §2.3-3 */
static int
read_schema(struct create *c, const json_t *req)
{
	json_t	*in;

	if ((in = ice_need(req, "schema", c->e)) == NULL ||
	    (c->schema = ice_schema_read(in, c->e)) == NULL ||
	    ice_schema_check_version(c->schema, c->version, c->e) == -1 ||
	    (c->fresh = ice_schema_fresh(c->schema, &c->map, c->e)) == NULL)
		return (-1);
	return (0);
}

/* Request source ids to fresh ones; a source the request lacks is 400. */
static int
remap_sources(struct create *c, json_t *fields)
{
	json_t	*f;
	int64_t	 to;
	size_t	 i;

	json_array_foreach(fields, i, f) {
		to = ice_idmap_get(&c->map, ice_get(f, "source-id"));
		if (to == -1)
			return (ice_invalid(c->e, "unknown source column %lld",
			    (long long)ice_get(f, "source-id")));
		if (ice_set_int(f, "source-id", to, c->e) == -1)
			return (-1);
	}
	return (0);
}

/* §2.3-4: spec 0, field ids 1000, 1001, ... in order. */
static int
read_spec(struct create *c, const json_t *req)
{
	json_t	*in, *f;
	size_t	 i;
	int	 has_ids;

	in = json_object_get(req, "partition-spec");
	c->spec = in == NULL || json_is_null(in) ?
	    json_pack("{s:i, s:[]}", "spec-id", 0, "fields") :
	    ice_spec_read(in, 1, &has_ids, c->e);
	if (c->spec == NULL)
		return (c->e->status ? -1 : ice_oom(c->e));
	if (remap_sources(c, json_object_get(c->spec, "fields")) == -1)
		return (-1);
	json_array_foreach(json_object_get(c->spec, "fields"), i, f) {
		if (ice_set_int(f, "field-id", ICE_PART_START + (int64_t)i,
		    c->e) == -1)
			return (-1);
	}
	if (ice_set_int(c->spec, "spec-id", 0, c->e) == -1)
		return (-1);
	return (ice_spec_bind(c->spec, c->fresh, 1, c->e));
}

/* §2.3-5: unsorted is order 0, anything else order 1. */
static int
read_order(struct create *c, const json_t *req)
{
	json_t	*in;

	in = json_object_get(req, "write-order");
	c->order = in == NULL || json_is_null(in) ?
	    json_pack("{s:i, s:[]}", "order-id", 0, "fields") :
	    ice_order_read(in, 1, c->e);
	if (c->order == NULL)
		return (c->e->status ? -1 : ice_oom(c->e));
	if (remap_sources(c, json_object_get(c->order, "fields")) == -1)
		return (-1);
	if (ice_set_int(c->order, "order-id", json_array_size(
	    json_object_get(c->order, "fields")) > 0, c->e) == -1)
		return (-1);
	return (ice_order_bind(c->order, c->fresh, c->e));
}

/* §2.3-6, -7: the rest of a brand-new table. */
static json_t *
assemble(struct create *c, const char *location, const char *uuid,
    int64_t now)
{
	json_t	*md;

	md = json_pack("{s:I, s:s, s:s, s:i, s:I, s:I, s:i, s:[O], s:i, s:[O],"
	    " s:I, s:I, s:[O], s:O, s:i, s:i, s:[], s:{}, s:[], s:[], s:[],"
	    " s:[], s:[]}",
	    "format-version", (json_int_t)c->version, "table-uuid", uuid,
	    "location", location, "last-sequence-number", 0,
	    "last-updated-ms", (json_int_t)now,
	    "last-column-id", (json_int_t)ice_schema_max_id(c->fresh),
	    "current-schema-id", 0, "schemas", c->fresh,
	    "default-spec-id", 0, "partition-specs", c->spec,
	    "last-partition-id", (json_int_t)ice_spec_last_id(c->spec),
	    "default-sort-order-id", (json_int_t)ice_get(c->order, "order-id"),
	    "sort-orders", c->order, "properties", c->props,
	    "current-snapshot-id", ICE_NO_SNAPSHOT, "next-row-id", 0,
	    "encryption-keys", "refs", "snapshots", "statistics",
	    "partition-statistics", "snapshot-log", "metadata-log");
	if (md == NULL)
		(void)ice_oom(c->e);
	return (md);
}

static json_t *
create(struct create *c, const json_t *req, const char *location,
    const char *uuid, int64_t now)
{
	json_t	*md, *out = NULL;
	char	*loc;

	if (!json_is_object(req)) {
		(void)ice_bad(c->e, "a create request must be an object");
		return (NULL);
	}
	if (location == NULL || *location == '\0' || uuid == NULL) {
		(void)ice_bad(c->e, "a table needs a location and a uuid");
		return (NULL);
	}
	if (read_props(c, req) == -1 || read_schema(c, req) == -1 ||
	    read_spec(c, req) == -1 || read_order(c, req) == -1 ||
	    check_metrics(c) == -1)
		return (NULL);
	if ((loc = ice_location_norm(location)) == NULL) {
		(void)ice_oom(c->e);
		return (NULL);
	}
	md = assemble(c, loc, uuid, now);
	free(loc);
	if (md != NULL && ice_md_validate(md, 1, c->e) == 0)
		out = ice_md_write(md, c->e);
	json_decref(md);
	return (out);
}

json_t *
ice_table_new(const json_t *req, const char *location, const char *uuid,
    int64_t now_ms, struct ice_err *err)
{
	struct ice_err	 dummy;
	struct create	 c;
	json_t		*out;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	memset(&c, 0, sizeof(c));
	c.e = err;
	out = create(&c, req, location, uuid, now_ms);
	json_decref(c.props);
	json_decref(c.schema);
	json_decref(c.fresh);
	json_decref(c.spec);
	json_decref(c.order);
	ice_idmap_free(&c.map);
	return (out);
}
