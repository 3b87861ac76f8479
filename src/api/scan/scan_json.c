/*
 * A manifest entry as the REST spec's ContentFile: DataFile,
 * PositionDeleteFile or EqualityDeleteFile, written as text into a
 * streaming writer (util/jw.h): a plan of ten thousand files spent most
 * of its time building and freeing jansson trees.  The partition is a
 * list of the tuple's values in the spec's field order (JSON single
 * values), rendered once per tuple by the caller; column statistics are
 * sent for the fields the request named in stats-fields only, as
 * CountMap / ValueMap objects.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/scan/scan.h"
#include "iceberg/manifest.h"
#include "util/jw.h"

static const char *
content_name(int content)
{
	if (content == ICE_CONTENT_DELETES)
		return ("position-deletes");
	if (content == ICE_CONTENT_EQ_DELETES)
		return ("equality-deletes");
	return ("data");
}

static void
put_int(struct pgl_jw *w, const char *key, int64_t v)
{
	char	buf[24];

	(void)snprintf(buf, sizeof(buf), "%lld", (long long)v);
	jw_json(w, key, buf, "0");
}

/* One value as Appendix C JSON (NULL key: an array element). */
static void
put_value(struct pgl_jw *w, const char *key, const struct ice_value *v,
    const struct ice_type *t)
{
	json_t	*j = ice_value_to_json(v, t);
	char	*s;

	s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	jw_json(w, key, s, "null");
	free(s);
	json_decref(j);
}

/* The spec's FileFormat is lower case; writers store "PARQUET". */
static void
put_format(struct pgl_jw *w, const char *f)
{
	char	buf[16];
	size_t	i;

	for (i = 0; f != NULL && f[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = (char)tolower((unsigned char)f[i]);
	buf[i] = '\0';
	jw_str(w, "file-format", buf);
}

static void
put_hex(struct pgl_jw *w, const char *key, const void *p, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*b = p;
	char			*s;
	size_t			 i;

	if ((s = malloc(n * 2 + 1)) == NULL)
		return;
	for (i = 0; i < n; i++) {
		s[i * 2] = hex[b[i] >> 4];
		s[i * 2 + 1] = hex[b[i] & 15];
	}
	s[n * 2] = '\0';
	jw_str(w, key, s);
	free(s);
}

void
scan_partition_jw(struct pgl_jw *w, const struct ice_pspec *spec,
    const struct ice_value *t)
{
	size_t	i;

	jw_open(w, '[');
	for (i = 0; i < spec->nfields; i++)
		put_value(w, NULL, &t[i], &spec->fields[i].result_type);
	jw_close(w, ']');
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

static int64_t
count_at(const struct ice_col_metrics *c, size_t off)
{
	return (*(const int64_t *)(const void *)((const char *)c + off));
}

/* One count map ("column-sizes"...) of the requested fields. */
static void
count_map(struct pgl_jw *w, const char *key, const struct scan_req *q,
    const struct ice_manifest_full *f, size_t off)
{
	size_t	i, n = 0;
	int	pass;

	for (i = 0; i < f->ncols; i++)
		n += count_at(&f->cols[i], off) >= 0 &&
		    stats_index(q, f->cols[i].id) >= 0;
	if (n == 0)
		return;
	jw_key(w, key);
	jw_open(w, '{');
	for (pass = 0; pass < 2; pass++) {
		jw_key(w, pass == 0 ? "keys" : "values");
		jw_open(w, '[');
		for (i = 0; i < f->ncols; i++) {
			if (count_at(&f->cols[i], off) < 0 ||
			    stats_index(q, f->cols[i].id) < 0)
				continue;
			put_int(w, NULL, pass == 0 ? f->cols[i].id :
			    count_at(&f->cols[i], off));
		}
		jw_close(w, ']');
	}
	jw_close(w, '}');
}

/* A requested bound of column c as a value of its type; 0, or -1. */
static int
bound_of(const struct scan_req *q, const struct ice_col_metrics *c,
    int upper, struct ice_type *t, struct ice_value *v)
{
	int	k;

	if ((k = stats_index(q, c->id)) < 0 ||
	    (upper ? c->upper : c->lower) == NULL ||
	    ice_type_parse(q->stats_types[k], t) == -1 ||
	    ice_value_decode(t, upper ? c->upper : c->lower,
	    upper ? c->upper_len : c->lower_len, v) == -1)
		return (-1);
	return (0);
}

/* Lower or upper bounds of the requested primitive fields. */
static void
value_map(struct pgl_jw *w, const char *key, const struct scan_req *q,
    const struct ice_manifest_full *f, int upper)
{
	struct ice_type		 t;
	struct ice_value	 v;
	size_t			 i, n = 0;
	int			 pass;

	for (i = 0; i < f->ncols; i++)
		n += bound_of(q, &f->cols[i], upper, &t, &v) == 0;
	if (n == 0)
		return;
	jw_key(w, key);
	jw_open(w, '{');
	for (pass = 0; pass < 2; pass++) {
		jw_key(w, pass == 0 ? "keys" : "values");
		jw_open(w, '[');
		for (i = 0; i < f->ncols; i++) {
			if (bound_of(q, &f->cols[i], upper, &t, &v) == -1)
				continue;
			if (pass == 0)
				put_int(w, NULL, f->cols[i].id);
			else
				put_value(w, NULL, &v, &t);
		}
		jw_close(w, ']');
	}
	jw_close(w, '}');
}

static void
put_stats(struct pgl_jw *w, const struct scan_req *q,
    const struct ice_manifest_full *f)
{
	count_map(w, "column-sizes", q, f,
	    offsetof(struct ice_col_metrics, column_size));
	count_map(w, "value-counts", q, f,
	    offsetof(struct ice_col_metrics, value_count));
	count_map(w, "null-value-counts", q, f,
	    offsetof(struct ice_col_metrics, null_count));
	count_map(w, "nan-value-counts", q, f,
	    offsetof(struct ice_col_metrics, nan_count));
	value_map(w, "lower-bounds", q, f, 0);
	value_map(w, "upper-bounds", q, f, 1);
}

static void
put_optional(struct pgl_jw *w, const struct ice_manifest_full *f)
{
	size_t	i;

	if (f->key_metadata != NULL)
		put_hex(w, "key-metadata", f->key_metadata,
		    f->key_metadata_len);
	if (f->nsplit_offsets > 0) {
		jw_key(w, "split-offsets");
		jw_open(w, '[');
		for (i = 0; i < f->nsplit_offsets; i++)
			put_int(w, NULL, f->split_offsets[i]);
		jw_close(w, ']');
	}
	if (f->sort_order_id >= 0)
		put_int(w, "sort-order-id", f->sort_order_id);
}

static void
put_delete_fields(struct pgl_jw *w, const struct ice_manifest_full *f)
{
	size_t	i;

	if (f->e.content == ICE_CONTENT_EQ_DELETES) {
		jw_key(w, "equality-ids");
		jw_open(w, '[');
		for (i = 0; i < f->nequality_ids; i++)
			put_int(w, NULL, f->equality_ids[i]);
		jw_close(w, ']');
		return;
	}
	if (f->e.content_offset >= 0)
		put_int(w, "content-offset", f->e.content_offset);
	if (f->e.content_size >= 0)
		put_int(w, "content-size-in-bytes", f->e.content_size);
}

void
scan_file_jw(struct pgl_jw *w, const struct scan_plan *p,
    const struct ice_pspec *spec, const struct ice_manifest_full *f,
    const char *partition)
{
	jw_open(w, '{');
	jw_str(w, "content", content_name(f->e.content));
	jw_str(w, "file-path", f->e.file_path != NULL ? f->e.file_path : "");
	put_format(w, f->e.file_format);
	put_int(w, "spec-id", spec->spec_id);
	jw_json(w, "partition", partition, "[]");
	put_int(w, "file-size-in-bytes", f->e.file_size);
	put_int(w, "record-count", f->e.record_count);
	put_optional(w, f);
	if (f->e.content == ICE_CONTENT_DATA) {
		if (f->first_row_id >= 0)
			put_int(w, "first-row-id", f->first_row_id);
		if (p->q.nstats > 0)
			put_stats(w, &p->q, f);
	} else
		put_delete_fields(w, f);
	jw_close(w, '}');
}
