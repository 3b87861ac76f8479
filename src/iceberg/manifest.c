/*
 * Reading manifest lists and manifests (manifest.h).  Each record is a
 * libavro generic value of the writer's own schema (manifest_decode.c),
 * and each field is found by NAME in it: Spark, PyIceberg and Java name
 * their records differently and make different fields optional, so no
 * reader schema is imposed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>
#include <jansson.h>

#include "iceberg/manifest.h"
#include "iceberg/manifest_avro.h"

struct rd {
	struct ice_avro_reader	 avro;
	avro_value_t		 rec;	/* the current record */
	const char		*what;	/* "manifest list"... */
	struct pgl_err		*err;
	int			 no_partition;	/* no partition_json */
};

static int	fail(struct rd *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
fail(struct rd *r, const char *fmt, ...)
{
	va_list	ap;
	char	detail[200];

	va_start(ap, fmt);
	(void)vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	return (ice_avro_fail(r->err, r->what, detail));
}

static void
rd_close(struct rd *r)
{
	ice_avro_close(&r->avro);
}

static int
rd_open(struct rd *r, const void *buf, size_t len)
{
	if (ice_avro_open(&r->avro, buf, len, r->err, r->what) == -1)
		return (-1);
	r->rec = r->avro.rec;
	return (0);
}

/* 1 and the next record, 0 at the end, -1 on a read error. */
static int
rd_next(struct rd *r)
{
	return (ice_avro_next(&r->avro, r->err, r->what));
}

/*
 * The named field of a record, unwrapped from its ["null", T] union:
 * 1 with *out, or 0 when absent or null.
 */
static int
get(avro_value_t *rec, const char *name, avro_value_t *out)
{
	avro_value_t	f, b;

	if (avro_value_get_by_name(rec, name, &f, NULL) != 0)
		return (0);
	if (avro_value_get_type(&f) == AVRO_UNION) {
		if (avro_value_get_current_branch(&f, &b) != 0)
			return (0);
		f = b;
	}
	if (avro_value_get_type(&f) == AVRO_NULL)
		return (0);
	*out = f;
	return (1);
}

/* An int or long field: 1, 0 absent (def), -1 of another type. */
static int
get_i64(avro_value_t *rec, const char *name, int64_t def, int64_t *out)
{
	avro_value_t	v;
	int32_t		i;

	*out = def;
	if (!get(rec, name, &v))
		return (0);
	switch (avro_value_get_type(&v)) {
	case AVRO_INT32:
		if (avro_value_get_int(&v, &i) != 0)
			return (-1);
		*out = i;
		return (1);
	case AVRO_INT64:
		return (avro_value_get_long(&v, out) == 0 ? 1 : -1);
	default:
		return (-1);
	}
}

static int
opt_i64(struct rd *r, avro_value_t *rec, const char *name, int64_t def,
    int64_t *out)
{
	if (get_i64(rec, name, def, out) == -1)
		return (fail(r, "field %s is not a number", name));
	return (0);
}

static int
req_i64(struct rd *r, avro_value_t *rec, const char *name, int64_t *out)
{
	int	rc;

	if ((rc = get_i64(rec, name, 0, out)) == -1)
		return (fail(r, "field %s is not a number", name));
	if (rc == 0)
		return (fail(r, "required field %s is missing", name));
	return (0);
}

/* A string field; NULL when absent or null, -1 of another type. */
static int
opt_str(struct rd *r, avro_value_t *rec, const char *name, const char **out)
{
	avro_value_t	v;
	size_t		sz;

	*out = NULL;
	if (!get(rec, name, &v))
		return (0);
	if (avro_value_get_type(&v) != AVRO_STRING ||
	    avro_value_get_string(&v, out, &sz) != 0)
		return (fail(r, "field %s is not a string", name));
	return (0);
}

static int
req_str(struct rd *r, avro_value_t *rec, const char *name, const char **out)
{
	if (opt_str(r, rec, name, out) == -1)
		return (-1);
	if (*out == NULL)
		return (fail(r, "required field %s is missing", name));
	return (0);
}

/* One of the names a count has had (v1 "added_data_files_count"). */
static int
count(struct rd *r, avro_value_t *rec, const char *name, const char *v1,
    int64_t *out)
{
	avro_value_t	v;

	if (!get(rec, name, &v) && v1 != NULL)
		name = v1;
	return (opt_i64(r, rec, name, 0, out));
}

/* --- manifest lists --------------------------------------------------- */

struct summaries {
	struct ice_field_summary	*v;
	size_t				 cap;
};

static int
summary(struct rd *r, avro_value_t *el, struct ice_field_summary *s)
{
	avro_value_t	v;
	int		b;

	memset(s, 0, sizeof(*s));
	s->contains_nan = -1;
	if (avro_value_get_type(el) != AVRO_RECORD)
		return (fail(r, "%s", "a partition summary is not a record"));
	if (get(el, "contains_null", &v) &&
	    avro_value_get_boolean(&v, &b) == 0)
		s->contains_null = b;
	if (get(el, "contains_nan", &v) &&
	    avro_value_get_boolean(&v, &b) == 0)
		s->contains_nan = b;
	if (get(el, "lower_bound", &v) &&
	    avro_value_get_bytes(&v, &s->lower, &s->lower_len) != 0)
		return (fail(r, "%s", "lower_bound is not bytes"));
	if (get(el, "upper_bound", &v) &&
	    avro_value_get_bytes(&v, &s->upper, &s->upper_len) != 0)
		return (fail(r, "%s", "upper_bound is not bytes"));
	return (0);
}

static int
partitions(struct rd *r, struct summaries *sum, struct ice_manifest_ref *m)
{
	avro_value_t	 arr, el;
	size_t		 n, i;
	void		*p;

	if (!get(&r->rec, "partitions", &arr))
		return (0);
	if (avro_value_get_type(&arr) != AVRO_ARRAY ||
	    avro_value_get_size(&arr, &n) != 0)
		return (fail(r, "%s", "partitions is not an array"));
	if (n > sum->cap) {
		if ((p = reallocarray(sum->v, n, sizeof(*sum->v))) == NULL)
			return (fail(r, "%s", "out of memory"));
		sum->v = p;
		sum->cap = n;
	}
	for (i = 0; i < n; i++) {
		if (avro_value_get_by_index(&arr, i, &el, NULL) != 0 ||
		    summary(r, &el, &sum->v[i]) == -1)
			return (-1);
	}
	m->partitions = sum->v;
	m->npartitions = n;
	return (0);
}

static int
ref_read(struct rd *r, struct summaries *sum, struct ice_manifest_ref *m)
{
	avro_value_t	*rec = &r->rec;
	int64_t		 v;

	memset(m, 0, sizeof(*m));
	if (req_str(r, rec, "manifest_path", &m->path) == -1 ||
	    req_i64(r, rec, "manifest_length", &m->length) == -1 ||
	    req_i64(r, rec, "partition_spec_id", &v) == -1)
		return (-1);
	m->spec_id = (int32_t)v;
	if (opt_i64(r, rec, "content", 0, &v) == -1)
		return (-1);
	m->content = (int)v;
	if (opt_i64(r, rec, "sequence_number", 0, &m->sequence_number) ==
	    -1 || opt_i64(r, rec, "min_sequence_number", 0,
	    &m->min_sequence_number) == -1 ||
	    opt_i64(r, rec, "added_snapshot_id", -1,
	    &m->added_snapshot_id) == -1 ||
	    opt_i64(r, rec, "first_row_id", -1, &m->first_row_id) == -1)
		return (-1);
	if (count(r, rec, "added_files_count", "added_data_files_count",
	    &m->added_files) == -1 ||
	    count(r, rec, "existing_files_count", "existing_data_files_count",
	    &m->existing_files) == -1 ||
	    count(r, rec, "deleted_files_count", "deleted_data_files_count",
	    &m->deleted_files) == -1 ||
	    count(r, rec, "added_rows_count", NULL, &m->added_rows) == -1 ||
	    count(r, rec, "existing_rows_count", NULL,
	    &m->existing_rows) == -1 ||
	    count(r, rec, "deleted_rows_count", NULL, &m->deleted_rows) == -1)
		return (-1);
	if (m->content != ICE_CONTENT_DATA && m->content != ICE_CONTENT_DELETES)
		return (fail(r, "%s", "content is neither data nor deletes"));
	return (partitions(r, sum, m));
}

int
ice_manifest_list_read(const void *buf, size_t len, ice_manifest_ref_fn fn,
    void *arg, struct pgl_err *err)
{
	struct rd		 r;
	struct summaries	 sum;
	struct ice_manifest_ref	 m;
	int			 rc;

	memset(&r, 0, sizeof(r));
	memset(&sum, 0, sizeof(sum));
	r.what = "manifest list";
	r.err = err;
	if ((rc = rd_open(&r, buf, len)) == 0) {
		while ((rc = rd_next(&r)) == 1) {
			if ((rc = ref_read(&r, &sum, &m)) == -1)
				break;
			if (fn(arg, &m) != 0)
				break;
		}
	}
	free(sum.v);
	rd_close(&r);
	return (rc == -1 ? -1 : 0);
}

/* --- manifests ---------------------------------------------------------- */

static json_t	*to_json(avro_value_t *, int);

static json_t *
hex(const void *p, size_t n)
{
	static const char	 digits[] = "0123456789abcdef";
	const unsigned char	*b = p;
	char			*s;
	json_t			*j;
	size_t			 i;

	if ((s = malloc(n * 2 + 1)) == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		s[i * 2] = digits[b[i] >> 4];
		s[i * 2 + 1] = digits[b[i] & 15];
	}
	s[n * 2] = '\0';
	j = json_string(s);
	free(s);
	return (j);
}

static json_t *
record_json(avro_value_t *v, int depth)
{
	avro_value_t	 f;
	const char	*name;
	json_t		*o, *c;
	size_t		 n, i;

	if (avro_value_get_size(v, &n) != 0 || (o = json_object()) == NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		if (avro_value_get_by_index(v, i, &f, &name) != 0 ||
		    (c = to_json(&f, depth + 1)) == NULL ||
		    json_object_set_new(o, name, c) != 0) {
			json_decref(o);
			return (NULL);
		}
	}
	return (o);
}

/*
 * A partition value as JSON: numbers, strings and booleans as
 * themselves, bytes and fixed as lowercase hex, null as null.
 */
static json_t *
to_json(avro_value_t *v, int depth)
{
	avro_value_t	 b;
	const void	*p;
	const char	*s;
	size_t		 n;
	int32_t		 i;
	int64_t		 l;
	double		 d;
	float		 fl;
	int		 t;

	if (depth > 8)
		return (NULL);
	switch (avro_value_get_type(v)) {
	case AVRO_NULL:
		return (json_null());
	case AVRO_BOOLEAN:
		return (avro_value_get_boolean(v, &t) ? NULL : json_boolean(t));
	case AVRO_INT32:
		return (avro_value_get_int(v, &i) ? NULL : json_integer(i));
	case AVRO_INT64:
		return (avro_value_get_long(v, &l) ? NULL : json_integer(l));
	case AVRO_FLOAT:
		return (avro_value_get_float(v, &fl) ? NULL : json_real(fl));
	case AVRO_DOUBLE:
		return (avro_value_get_double(v, &d) ? NULL : json_real(d));
	case AVRO_STRING:
		if (avro_value_get_string(v, &s, &n) != 0 || n == 0)
			return (NULL);
		return (json_stringn(s, n - 1));
	case AVRO_BYTES:
		return (avro_value_get_bytes(v, &p, &n) ? NULL : hex(p, n));
	case AVRO_FIXED:
		return (avro_value_get_fixed(v, &p, &n) ? NULL : hex(p, n));
	case AVRO_ENUM:
		return (avro_value_get_enum(v, &t) ? NULL : json_integer(t));
	case AVRO_UNION:
		if (avro_value_get_current_branch(v, &b) != 0)
			return (NULL);
		return (to_json(&b, depth + 1));
	case AVRO_RECORD:
		return (record_json(v, depth));
	default:
		return (NULL);
	}
}

static int
partition_json(struct rd *r, avro_value_t *df, char **out)
{
	avro_value_t	 p;
	json_t		*j;

	*out = NULL;
	if (!get(df, "partition", &p)) {
		if ((*out = strdup("{}")) == NULL)
			return (fail(r, "%s", "out of memory"));
		return (0);
	}
	if (avro_value_get_type(&p) != AVRO_RECORD)
		return (fail(r, "%s", "partition is not a record"));
	if ((j = to_json(&p, 0)) == NULL)
		return (fail(r, "%s", "partition has a value of no JSON form"));
	*out = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY);
	json_decref(j);
	if (*out == NULL)
		return (fail(r, "%s", "out of memory"));
	return (0);
}

static int
data_file(struct rd *r, avro_value_t *df, struct ice_manifest_entry *e,
    char **part)
{
	int64_t	v;

	if (avro_value_get_type(df) != AVRO_RECORD)
		return (fail(r, "%s", "data_file is not a record"));
	if (opt_i64(r, df, "content", 0, &v) == -1)
		return (-1);
	if (v < ICE_CONTENT_DATA || v > ICE_CONTENT_EQ_DELETES)
		return (fail(r, "%s", "data_file content is not 0, 1 or 2"));
	e->content = (int)v;
	if (req_str(r, df, "file_path", &e->file_path) == -1 ||
	    req_str(r, df, "file_format", &e->file_format) == -1 ||
	    req_i64(r, df, "record_count", &e->record_count) == -1 ||
	    req_i64(r, df, "file_size_in_bytes", &e->file_size) == -1 ||
	    opt_str(r, df, "referenced_data_file",
	    &e->referenced_data_file) == -1 ||
	    opt_i64(r, df, "content_offset", -1, &e->content_offset) == -1 ||
	    opt_i64(r, df, "content_size_in_bytes", -1,
	    &e->content_size) == -1)
		return (-1);
	if (r->no_partition)
		return (0);
	if (partition_json(r, df, part) == -1)
		return (-1);
	e->partition_json = *part;
	return (0);
}

static int
entry_read(struct rd *r, struct ice_manifest_entry *e, char **part)
{
	avro_value_t	 df;
	int64_t		 v;

	memset(e, 0, sizeof(*e));
	if (req_i64(r, &r->rec, "status", &v) == -1)
		return (-1);
	if (v < 0 || v > 2)
		return (fail(r, "%s", "status is not 0, 1 or 2"));
	e->status = (int)v;
	if (opt_i64(r, &r->rec, "snapshot_id", -1, &e->snapshot_id) == -1 ||
	    opt_i64(r, &r->rec, "sequence_number", -1,
	    &e->sequence_number) == -1 ||
	    opt_i64(r, &r->rec, "file_sequence_number", -1,
	    &e->file_sequence_number) == -1)
		return (-1);
	if (!get(&r->rec, "data_file", &df))
		return (fail(r, "%s", "required field data_file is missing"));
	return (data_file(r, &df, e, part));
}

static int
manifest_read(const void *buf, size_t len, int no_partition,
    ice_manifest_entry_fn fn, void *arg, struct pgl_err *err)
{
	struct rd			r;
	struct ice_manifest_entry	e;
	char				*part;
	int				 rc, stop;

	memset(&r, 0, sizeof(r));
	r.what = "manifest";
	r.err = err;
	r.no_partition = no_partition;
	if ((rc = rd_open(&r, buf, len)) == 0) {
		while ((rc = rd_next(&r)) == 1) {
			part = NULL;
			rc = entry_read(&r, &e, &part);
			stop = rc == 0 && fn(arg, &e) != 0;
			free(part);
			if (rc == -1 || stop)
				break;
		}
	}
	rd_close(&r);
	return (rc == -1 ? -1 : 0);
}

int
ice_manifest_read(const void *buf, size_t len, ice_manifest_entry_fn fn,
    void *arg, struct pgl_err *err)
{
	return (manifest_read(buf, len, 0, fn, arg, err));
}

int
ice_manifest_read_files(const void *buf, size_t len,
    ice_manifest_entry_fn fn, void *arg, struct pgl_err *err)
{
	return (manifest_read(buf, len, 1, fn, arg, err));
}
