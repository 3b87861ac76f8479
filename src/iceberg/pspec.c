/*
 * A PartitionSpec bound to a schema for scan planning: each field's
 * transform, width, source type and result type.  A field the planner
 * cannot reason about (its source dropped from the schema, not a
 * primitive, a transform that does not apply to it, or a transform from
 * a newer writer) is kept but marked so that it never prunes: planning
 * must stay inclusive whatever the table's history.
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"
#include "iceberg/scan.h"
#include "util/arena.h"

static enum ice_xf
xf_of(enum ice_xform x)
{
	switch (x) {
	case ICE_X_IDENTITY:
		return (ICE_XF_IDENTITY);
	case ICE_X_BUCKET:
		return (ICE_XF_BUCKET);
	case ICE_X_TRUNCATE:
		return (ICE_XF_TRUNCATE);
	case ICE_X_YEAR:
		return (ICE_XF_YEAR);
	case ICE_X_MONTH:
		return (ICE_XF_MONTH);
	case ICE_X_DAY:
		return (ICE_XF_DAY);
	case ICE_X_HOUR:
		return (ICE_XF_HOUR);
	case ICE_X_VOID:
		return (ICE_XF_VOID);
	default:
		return (ICE_XF_UNKNOWN);
	}
}

/* What a writer stores in the tuple for this transform (spec table). */
static void
result_type(struct ice_pfield *f)
{
	memset(&f->result_type, 0, sizeof(f->result_type));
	switch (f->xf) {
	case ICE_XF_IDENTITY:
	case ICE_XF_TRUNCATE:
	case ICE_XF_VOID:
		f->result_type = f->source_type;
		break;
	case ICE_XF_BUCKET:
	case ICE_XF_YEAR:
	case ICE_XF_MONTH:
	case ICE_XF_HOUR:
		f->result_type.id = ICE_T_INT;
		break;
	case ICE_XF_DAY:
		f->result_type.id = ICE_T_DATE;
		break;
	default:
		f->result_type.id = ICE_T_NONE;
		break;
	}
}

/* "bucket[16]" -> 16; the canonical form ice_transform made. */
static int32_t
width_of(const json_t *canon)
{
	const char	*s, *open;
	long		 n;

	if ((s = json_string_value(canon)) == NULL ||
	    (open = strchr(s, '[')) == NULL)
		return (0);
	n = strtol(open + 1, NULL, 10);
	return (n > 0 && n <= INT32_MAX ? (int32_t)n : 0);
}

/* v3 writes "source-ids"; a single source is all a transform here takes. */
static int
source_of(const json_t *jf, int64_t *id, struct ice_err *e)
{
	json_t	*ids;

	if ((ids = json_object_get(jf, "source-ids")) != NULL &&
	    json_object_get(jf, "source-id") == NULL) {
		if (!json_is_array(ids) || json_array_size(ids) != 1 ||
		    !json_is_integer(json_array_get(ids, 0)))
			return (ice_bad(e, "partition field source-ids must "
			    "hold one id"));
		*id = json_integer_value(json_array_get(ids, 0));
		return (0);
	}
	return (ice_i32(jf, "source-id", id, e));
}

static int
bind_source(struct ice_pfield *f, const json_t *schema, enum ice_xform x)
{
	struct ice_field	sf;

	f->source_known = 0;
	memset(&f->source_type, 0, sizeof(f->source_type));
	if (schema == NULL || !ice_schema_find(schema, f->source_id, &sf))
		return (0);
	if (ice_type_parse(sf.type, &f->source_type) == -1) {
		memset(&f->source_type, 0, sizeof(f->source_type));
		return (0);
	}
	if (!ice_transform_applies(x, sf.type))
		return (0);
	f->source_known = 1;
	return (0);
}

static int
bind_field(struct pgl_arena *a, const json_t *jf, size_t i,
    const json_t *schema, struct ice_pfield *f, struct ice_err *e)
{
	const char	*xs, *name;
	json_t		*canon = NULL;
	enum ice_xform	 x;
	int64_t		 id, fid;

	if (!json_is_object(jf))
		return (ice_bad(e, "partition field must be an object"));
	if (source_of(jf, &id, e) == -1 ||
	    ice_i32_or(jf, "field-id", ICE_PART_START + (int64_t)i, &fid,
	    e) == -1 || ice_str(jf, "transform", &xs, e) == -1 ||
	    ice_str_or(jf, "name", &name, e) == -1)
		return (-1);
	if ((x = ice_transform(xs, &canon)) == ICE_X_BAD)
		return (ice_bad(e, "invalid partition transform: %s", xs));
	f->field_id = (int32_t)fid;
	f->source_id = (int32_t)id;
	f->xf = xf_of(x);
	f->width = width_of(canon);
	json_decref(canon);
	if ((f->name = pgl_arena_strdup(a, name ? name : "")) == NULL)
		return (ice_oom(e));
	if (bind_source(f, schema, x) == -1)
		return (-1);
	if (!f->source_known && f->xf != ICE_XF_VOID)
		f->xf = ICE_XF_UNKNOWN;
	result_type(f);
	return (0);
}

int
ice_pspec_bind(struct pgl_arena *a, const json_t *spec, const json_t *schema,
    struct ice_pspec *out, struct ice_err *e)
{
	const json_t	*fields = spec;
	int64_t		 sid = 0;
	size_t		 i, n;

	memset(out, 0, sizeof(*out));
	if (json_is_object(spec)) {
		if (ice_i32_or(spec, "spec-id", 0, &sid, e) == -1)
			return (-1);
		fields = json_object_get(spec, "fields");
	}
	if (!json_is_array(fields))
		return (ice_bad(e, "partition spec must have fields"));
	n = json_array_size(fields);
	out->spec_id = (int32_t)sid;
	if (n > 0 && (out->fields = pgl_arena_alloc(a,
	    n * sizeof(*out->fields))) == NULL)
		return (ice_oom(e));
	for (i = 0; i < n; i++) {
		memset(&out->fields[i], 0, sizeof(out->fields[i]));
		if (bind_field(a, json_array_get(fields, i), i, schema,
		    &out->fields[i], e) == -1)
			return (-1);
	}
	out->nfields = n;
	return (0);
}
