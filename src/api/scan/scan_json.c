/*
 * A manifest entry as the REST spec's ContentFile: DataFile,
 * PositionDeleteFile or EqualityDeleteFile.  The partition is a list of
 * the tuple's values in the spec's field order (JSON single values);
 * column statistics are sent for the fields the request named in
 * stats-fields only, as CountMap / ValueMap objects.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "api/scan/scan.h"
#include "iceberg/manifest.h"
#include "util/arena.h"

static const char *
content_name(int content)
{
	if (content == ICE_CONTENT_DELETES)
		return ("position-deletes");
	if (content == ICE_CONTENT_EQ_DELETES)
		return ("equality-deletes");
	return ("data");
}

/* The spec's FileFormat is lower case; writers store "PARQUET". */
static json_t *
format_json(const char *f)
{
	char	buf[16];
	size_t	i;

	for (i = 0; f != NULL && f[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = (char)tolower((unsigned char)f[i]);
	buf[i] = '\0';
	return (json_string(buf));
}

static json_t *
hex_json(const void *p, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*b = p;
	json_t			*j;
	char			*s;
	size_t			 i;

	if ((s = malloc(n * 2 + 1)) == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		s[i * 2] = hex[b[i] >> 4];
		s[i * 2 + 1] = hex[b[i] & 15];
	}
	s[n * 2] = '\0';
	j = json_string(s);
	free(s);
	return (j);
}

/* The index of id among the requested stats fields, or -1. */
static int
stats_index(const struct scan_req *q, int32_t id)
{
	size_t	i;

	for (i = 0; i < q->nstats; i++) {
		if (q->stats[i] == id)
			return ((int)i);
	}
	return (-1);
}

/* One count map ("column-sizes"...) of the requested fields. */
static void
count_map(json_t *j, const char *key, const struct scan_req *q,
    const struct ice_manifest_full *f, size_t off)
{
	json_t	*keys = json_array(), *vals = json_array();
	size_t	 i;
	int64_t	 v;

	for (i = 0; i < f->ncols; i++) {
		v = *(const int64_t *)((const char *)&f->cols[i] + off);
		if (v < 0 || stats_index(q, f->cols[i].id) < 0)
			continue;
		json_array_append_new(keys, json_integer(f->cols[i].id));
		json_array_append_new(vals, json_integer(v));
	}
	if (json_array_size(keys) > 0)
		json_object_set_new(j, key, json_pack("{s:o,s:o}", "keys",
		    keys, "values", vals));
	else {
		json_decref(keys);
		json_decref(vals);
	}
}

/* Lower or upper bounds of the requested primitive fields. */
static void
value_map(json_t *j, const char *key, const struct scan_req *q,
    const struct ice_manifest_full *f, int upper)
{
	json_t			*keys = json_array(), *vals = json_array();
	const struct ice_col_metrics *c;
	struct ice_type		 t;
	struct ice_value	 v;
	size_t			 i;
	int			 k;

	for (i = 0; i < f->ncols; i++) {
		c = &f->cols[i];
		if ((k = stats_index(q, c->id)) < 0 ||
		    (upper ? c->upper : c->lower) == NULL ||
		    ice_type_parse(q->stats_types[k], &t) == -1 ||
		    ice_value_decode(&t, upper ? c->upper : c->lower,
		    upper ? c->upper_len : c->lower_len, &v) == -1)
			continue;
		json_array_append_new(keys, json_integer(c->id));
		json_array_append_new(vals, ice_value_to_json(&v, &t));
	}
	if (json_array_size(keys) > 0)
		json_object_set_new(j, key, json_pack("{s:o,s:o}", "keys",
		    keys, "values", vals));
	else {
		json_decref(keys);
		json_decref(vals);
	}
}

static void
add_stats(json_t *j, const struct scan_req *q,
    const struct ice_manifest_full *f)
{
	count_map(j, "column-sizes", q, f,
	    offsetof(struct ice_col_metrics, column_size));
	count_map(j, "value-counts", q, f,
	    offsetof(struct ice_col_metrics, value_count));
	count_map(j, "null-value-counts", q, f,
	    offsetof(struct ice_col_metrics, null_count));
	count_map(j, "nan-value-counts", q, f,
	    offsetof(struct ice_col_metrics, nan_count));
	value_map(j, "lower-bounds", q, f, 0);
	value_map(j, "upper-bounds", q, f, 1);
}

static json_t *
partition_json(const struct ice_pspec *spec, const struct ice_value *t)
{
	json_t	*a = json_array();
	size_t	 i;

	for (i = 0; i < spec->nfields; i++)
		json_array_append_new(a, ice_value_to_json(&t[i],
		    &spec->fields[i].result_type));
	return (a);
}

static void
add_optional(json_t *j, const struct ice_manifest_full *f)
{
	json_t	*a;
	size_t	 i;

	if (f->key_metadata != NULL)
		json_object_set_new(j, "key-metadata", hex_json(f->key_metadata,
		    f->key_metadata_len));
	if (f->nsplit_offsets > 0) {
		a = json_array();
		for (i = 0; i < f->nsplit_offsets; i++)
			json_array_append_new(a,
			    json_integer(f->split_offsets[i]));
		json_object_set_new(j, "split-offsets", a);
	}
	if (f->sort_order_id >= 0)
		json_object_set_new(j, "sort-order-id",
		    json_integer(f->sort_order_id));
}

static void
add_delete_fields(json_t *j, const struct ice_manifest_full *f)
{
	json_t	*a;
	size_t	 i;

	if (f->e.content == ICE_CONTENT_EQ_DELETES) {
		a = json_array();
		for (i = 0; i < f->nequality_ids; i++)
			json_array_append_new(a,
			    json_integer(f->equality_ids[i]));
		json_object_set_new(j, "equality-ids", a);
		return;
	}
	if (f->e.content_offset >= 0)
		json_object_set_new(j, "content-offset",
		    json_integer(f->e.content_offset));
	if (f->e.content_size >= 0)
		json_object_set_new(j, "content-size-in-bytes",
		    json_integer(f->e.content_size));
}

json_t *
scan_file_json(const struct scan_plan *p, const struct ice_pspec *spec,
    const struct ice_manifest_full *f, const struct ice_value *tuple)
{
	json_t	*j;

	j = json_pack("{s:s,s:s,s:o,s:i,s:o,s:I,s:I}",
	    "content", content_name(f->e.content),
	    "file-path", f->e.file_path != NULL ? f->e.file_path : "",
	    "file-format", format_json(f->e.file_format),
	    "spec-id", (int)spec->spec_id,
	    "partition", partition_json(spec, tuple),
	    "file-size-in-bytes", (json_int_t)f->e.file_size,
	    "record-count", (json_int_t)f->e.record_count);
	if (j == NULL)
		return (NULL);
	add_optional(j, f);
	if (f->e.content == ICE_CONTENT_DATA) {
		if (f->first_row_id >= 0)
			json_object_set_new(j, "first-row-id",
			    json_integer(f->first_row_id));
		if (p->q.nstats > 0)
			add_stats(j, &p->q, f);
	} else
		add_delete_fields(j, f);
	return (j);
}
