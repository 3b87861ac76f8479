/*
 * Reading manifest lists and manifests (manifest.h).  Each record is a
 * libavro generic value of the writer's own schema (manifest_decode.c),
 * and each field is found by NAME in it: Spark, PyIceberg and Java name
 * their records differently and make different fields optional, so no
 * reader schema is imposed.  A manifest's names are resolved to indexes
 * once per file (ice_avro_idx); its entries are walked once, for
 * ice_manifest_read, ice_manifest_read_files and manifest_full.c.
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

/* The named field of a record (manifest lists: a few records a file). */
static int
get(avro_value_t *rec, const char *name, avro_value_t *out)
{
	return (ice_avro_get(rec, avro_schema_record_field_get_index(
	    avro_value_get_schema(rec), name), out));
}

/* An int or long value: 0, or -1 of another type. */
static int
as_i64(avro_value_t *v, int64_t *out)
{
	int32_t	i;

	switch (avro_value_get_type(v)) {
	case AVRO_INT32:
		if (avro_value_get_int(v, &i) != 0)
			return (-1);
		*out = i;
		return (0);
	case AVRO_INT64:
		return (avro_value_get_long(v, out) == 0 ? 0 : -1);
	default:
		return (-1);
	}
}

/* Field i (name, for messages) as an int or long: 1, 0 absent (def), -1. */
static int
field_i64(struct rd *r, avro_value_t *rec, int i, const char *name,
    int64_t def, int64_t *out)
{
	avro_value_t	v;

	*out = def;
	if (!ice_avro_get(rec, i, &v))
		return (0);
	if (as_i64(&v, out) == -1)
		return (fail(r, "field %s is not a number", name));
	return (1);
}

/* Field i as a string: 1, 0 absent or null (NULL), -1. */
static int
field_str(struct rd *r, avro_value_t *rec, int i, const char *name,
    const char **out)
{
	avro_value_t	v;
	size_t		sz;

	*out = NULL;
	if (!ice_avro_get(rec, i, &v))
		return (0);
	if (avro_value_get_type(&v) != AVRO_STRING ||
	    avro_value_get_string(&v, out, &sz) != 0)
		return (fail(r, "field %s is not a string", name));
	return (1);
}

/* A field present or -1: what a required field's reader returns. */
static int
required(struct rd *r, int rc, const char *name)
{
	if (rc == 0)
		return (fail(r, "required field %s is missing", name));
	return (rc == -1 ? -1 : 0);
}

static int
idx(avro_value_t *rec, const char *name)
{
	return (avro_schema_record_field_get_index(avro_value_get_schema(rec),
	    name));
}

static int
opt_i64(struct rd *r, avro_value_t *rec, const char *name, int64_t def,
    int64_t *out)
{
	return (field_i64(r, rec, idx(rec, name), name, def, out) == -1 ?
	    -1 : 0);
}

static int
req_i64(struct rd *r, avro_value_t *rec, const char *name, int64_t *out)
{
	return (required(r, field_i64(r, rec, idx(rec, name), name, 0, out),
	    name));
}

static int
req_str(struct rd *r, avro_value_t *rec, const char *name, const char **out)
{
	return (required(r, field_str(r, rec, idx(rec, name), name, out),
	    name));
}

/* Field f of a record resolved in x, as opt_i64 (req: as req_i64). */
static int
at_i64(struct rd *r, avro_value_t *rec, const struct ice_avro_idx *x,
    int f, int req, int64_t def, int64_t *out)
{
	int	rc;

	rc = field_i64(r, rec, x->at[f], x->names[f], def, out);
	return (req ? required(r, rc, x->names[f]) : (rc == -1 ? -1 : 0));
}

static int
at_str(struct rd *r, avro_value_t *rec, const struct ice_avro_idx *x,
    int f, int req, const char **out)
{
	int	rc;

	rc = field_str(r, rec, x->at[f], x->names[f], out);
	return (req ? required(r, rc, x->names[f]) : (rc == -1 ? -1 : 0));
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
partition_json(struct rd *r, avro_value_t *df, const struct ice_avro_idx *x,
    char **out)
{
	avro_value_t	 p;
	json_t		*j;

	*out = NULL;
	if (!ice_avro_get(df, x->at[ICE_DF_PARTITION], &p)) {
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

/* The names of ICE_DF_* and of entry fields, resolved once a file. */
static const char *const df_names[ICE_DF_N] = {
	"content", "file_path", "file_format", "partition", "record_count",
	"file_size_in_bytes", "referenced_data_file", "content_offset",
	"content_size_in_bytes"
};

enum { EN_STATUS, EN_SNAPSHOT_ID, EN_SEQ, EN_FILE_SEQ, EN_DATA_FILE, EN_N };

static const char *const entry_names[EN_N] = {
	"status", "snapshot_id", "sequence_number", "file_sequence_number",
	"data_file"
};

static int
data_file(struct rd *r, struct ice_entry_walk *w, struct ice_avro_idx *x,
    char **part)
{
	struct ice_manifest_entry	*e = w->e;
	avro_value_t			*df = &w->df;
	int64_t				 v;

	if (avro_value_get_type(df) != AVRO_RECORD)
		return (fail(r, "%s", "data_file is not a record"));
	ice_avro_idx_resolve(x, df);
	w->at = x;
	if (at_i64(r, df, x, ICE_DF_CONTENT, 0, 0, &v) == -1)
		return (-1);
	if (v < ICE_CONTENT_DATA || v > ICE_CONTENT_EQ_DELETES)
		return (fail(r, "%s", "data_file content is not 0, 1 or 2"));
	e->content = (int)v;
	if (at_str(r, df, x, ICE_DF_FILE_PATH, 1, &e->file_path) == -1 ||
	    at_str(r, df, x, ICE_DF_FILE_FORMAT, 1, &e->file_format) == -1 ||
	    at_i64(r, df, x, ICE_DF_RECORD_COUNT, 1, 0,
	    &e->record_count) == -1 ||
	    at_i64(r, df, x, ICE_DF_FILE_SIZE, 1, 0, &e->file_size) == -1 ||
	    at_str(r, df, x, ICE_DF_REFERENCED, 0,
	    &e->referenced_data_file) == -1 ||
	    at_i64(r, df, x, ICE_DF_CONTENT_OFFSET, 0, -1,
	    &e->content_offset) == -1 ||
	    at_i64(r, df, x, ICE_DF_CONTENT_SIZE, 0, -1,
	    &e->content_size) == -1)
		return (-1);
	if (r->no_partition)
		return (0);
	if (partition_json(r, df, x, part) == -1)
		return (-1);
	e->partition_json = *part;
	return (0);
}

/* The indexes of a manifest's entry and data_file records. */
struct entry_idx {
	struct ice_avro_idx	 entry, df;
};

static int
entry_read(struct rd *r, struct entry_idx *x, struct ice_entry_walk *w,
    char **part)
{
	struct ice_manifest_entry	*e = w->e;
	avro_value_t			*rec = &r->rec;
	int64_t				 v;

	memset(e, 0, sizeof(*e));
	ice_avro_idx_resolve(&x->entry, rec);
	if (at_i64(r, rec, &x->entry, EN_STATUS, 1, 0, &v) == -1)
		return (-1);
	if (v < 0 || v > 2)
		return (fail(r, "%s", "status is not 0, 1 or 2"));
	e->status = (int)v;
	if (at_i64(r, rec, &x->entry, EN_SNAPSHOT_ID, 0, -1,
	    &e->snapshot_id) == -1 ||
	    at_i64(r, rec, &x->entry, EN_SEQ, 0, -1,
	    &e->sequence_number) == -1 ||
	    at_i64(r, rec, &x->entry, EN_FILE_SEQ, 0, -1,
	    &e->file_sequence_number) == -1)
		return (-1);
	if (!ice_avro_get(rec, x->entry.at[EN_DATA_FILE], &w->df))
		return (fail(r, "%s", "required field data_file is missing"));
	return (data_file(r, w, &x->df, part));
}

int
ice_manifest_walk(const void *buf, size_t len, int no_partition,
    ice_entry_hook hook, void *arg, struct pgl_err *err)
{
	struct rd		r;
	struct entry_idx	x;
	struct ice_entry_walk	w;
	struct ice_manifest_entry e;
	char			*part;
	int			 rc;

	memset(&r, 0, sizeof(r));
	memset(&x, 0, sizeof(x));
	memset(&w, 0, sizeof(w));
	x.entry.names = entry_names;
	x.entry.n = EN_N;
	x.df.names = df_names;
	x.df.n = ICE_DF_N;
	r.what = "manifest";
	r.err = err;
	r.no_partition = no_partition;
	w.e = &e;
	w.err = err;
	if ((rc = rd_open(&r, buf, len)) == 0) {
		w.schema = r.avro.file.schema;
		w.schema_len = r.avro.file.schema_len;
		while ((rc = rd_next(&r)) == 1) {
			part = NULL;
			if ((rc = entry_read(&r, &x, &w, &part)) == 0)
				rc = hook(arg, &w);
			free(part);
			if (rc != 0)
				break;
		}
	}
	rd_close(&r);
	return (rc == -1 ? -1 : 0);
}

struct user_fn {
	ice_manifest_entry_fn	 fn;
	void			*arg;
};

static int
call_user(void *arg, struct ice_entry_walk *w)
{
	struct user_fn	*u = arg;

	return (u->fn(u->arg, w->e) != 0);
}

int
ice_manifest_read(const void *buf, size_t len, ice_manifest_entry_fn fn,
    void *arg, struct pgl_err *err)
{
	struct user_fn	u = { fn, arg };

	return (ice_manifest_walk(buf, len, 0, call_user, &u, err));
}

int
ice_manifest_read_files(const void *buf, size_t len,
    ice_manifest_entry_fn fn, void *arg, struct pgl_err *err)
{
	struct user_fn	u = { fn, arg };

	return (ice_manifest_walk(buf, len, 1, call_user, &u, err));
}
