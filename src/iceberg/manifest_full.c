/*
 * A manifest's entries in full (ice_manifest_read_full): what a scan
 * plan needs beyond the entry, from the same walk as the other readers
 * (manifest.c).  The partition tuple is kept as values of its Avro
 * (physical) types; the six metric maps are merged into one row per
 * column.  Everything handed to the callback points into the decoded
 * record or into scratch arrays that grow to the widest entry and are
 * reused, so memory does not grow with the number of entries.
 */
#include <stdlib.h>
#include <string.h>

#include <avro.h>
#include <jansson.h>

#include "iceberg/manifest.h"
#include "iceberg/manifest_avro.h"

enum {
	X_COLUMN_SIZES, X_VALUE_COUNTS, X_NULL_COUNTS, X_NAN_COUNTS,
	X_LOWER, X_UPPER,			/* the metric maps, in this order */
	X_EQUALITY_IDS, X_SPLIT_OFFSETS, X_SORT_ORDER_ID, X_KEY_METADATA,
	X_FIRST_ROW_ID, X_N
};

#define NMETRICS	(X_UPPER + 1)

static const char *const extra_names[X_N] = {
	"column_sizes", "value_counts", "null_value_counts",
	"nan_value_counts", "lower_bounds", "upper_bounds", "equality_ids",
	"split_offsets", "sort_order_id", "key_metadata", "first_row_id"
};

/* Scratch that grows to the widest entry seen and is reused. */
struct scratch {
	void	*p;
	size_t	 cap;	/* elements */
};

/* A metric map's key/value record: its field indexes. */
struct kv_idx {
	avro_schema_t	 schema;
	int		 key, value;
};

struct full {
	ice_manifest_full_fn	 fn;
	void			*arg;
	struct ice_avro_idx	 x;		/* X_* of data_file */
	struct kv_idx		 kv[NMETRICS];
	avro_schema_t		 pschema;	/* the partition record's */
	size_t			 npart;
	struct scratch		 ptid, pids, pval, cols, eq, splits;
};

static int
grow(struct scratch *s, size_t n, size_t size)
{
	void	*p;

	if (n <= s->cap)
		return (0);
	if ((p = reallocarray(s->p, n, size)) == NULL)
		return (-1);
	s->p = p;
	s->cap = n;
	return (0);
}

static int
bad(struct ice_entry_walk *w, const char *detail)
{
	return (ice_avro_fail(w->err, "manifest", detail));
}

/* The tid of an Avro physical type; ICE_T_NONE for one not primitive. */
static enum ice_tid
physical(avro_type_t t)
{
	switch (t) {
	case AVRO_BOOLEAN:
		return (ICE_T_BOOLEAN);
	case AVRO_INT32:
		return (ICE_T_INT);
	case AVRO_INT64:
		return (ICE_T_LONG);
	case AVRO_FLOAT:
		return (ICE_T_FLOAT);
	case AVRO_DOUBLE:
		return (ICE_T_DOUBLE);
	case AVRO_STRING:
		return (ICE_T_STRING);
	case AVRO_BYTES:
		return (ICE_T_BINARY);
	case AVRO_FIXED:
		return (ICE_T_FIXED);
	default:
		return (ICE_T_NONE);
	}
}

/* A field's type without its null branch: what a null of it is. */
static enum ice_tid
field_tid(avro_schema_t s)
{
	avro_schema_t	b;
	size_t		i, n;

	if (!is_avro_union(s))
		return (physical(avro_typeof(s)));
	n = avro_schema_union_size(s);
	for (i = 0; i < n; i++) {
		b = avro_schema_union_branch(s, (int)i);
		if (b != NULL && !is_avro_null(b))
			return (physical(avro_typeof(b)));
	}
	return (ICE_T_NONE);
}

/* The record type of a schema JSON type, through a ["null", T] union. */
static json_t *
json_record(json_t *t)
{
	json_t	*b;
	size_t	 i;

	if (json_is_array(t)) {
		json_array_foreach(t, i, b)
			if (json_is_object(b))
				return (json_record(b));
		return (NULL);
	}
	if (!json_is_object(t))
		return (NULL);
	return (json_is_array(json_object_get(t, "fields")) ? t : NULL);
}

static json_t *
json_field_type(json_t *rec, const char *name)
{
	json_t	*f;
	size_t	 i;

	json_array_foreach(json_object_get(rec, "fields"), i, f) {
		if (json_is_string(json_object_get(f, "name")) &&
		    strcmp(json_string_value(json_object_get(f, "name")),
		    name) == 0)
			return (json_record(json_object_get(f, "type")));
	}
	return (NULL);
}

/*
 * The field-id attribute of each partition field, from the writer's
 * schema text: libavro does not keep attributes it does not know.
 */
static void
partition_ids(struct full *fu, const struct ice_entry_walk *w)
{
	int32_t		*ids = fu->pids.p;
	json_t		*root, *part, *f, *id;
	size_t		 i;

	for (i = 0; i < fu->npart; i++)
		ids[i] = -1;
	if (fu->npart == 0 || (root = json_loadb((const char *)w->schema,
	    w->schema_len, 0, NULL)) == NULL)
		return;
	part = json_field_type(json_field_type(json_record(root),
	    "data_file"), "partition");
	json_array_foreach(json_object_get(part, "fields"), i, f) {
		if (i >= fu->npart)
			break;
		id = json_object_get(f, "field-id");
		if (json_is_integer(id) && json_integer_value(id) >= INT32_MIN &&
		    json_integer_value(id) <= INT32_MAX)
			ids[i] = (int32_t)json_integer_value(id);
	}
	json_decref(root);
}

/* The partition record's field types and ids, once per its schema. */
static int
partition_schema(struct full *fu, struct ice_entry_walk *w, avro_value_t *p)
{
	avro_schema_t	 s = avro_value_get_schema(p);
	enum ice_tid	*tid;
	size_t		 i, n;

	if (s == fu->pschema)
		return (0);
	n = avro_schema_record_size(s);
	if (grow(&fu->ptid, n, sizeof(enum ice_tid)) == -1 ||
	    grow(&fu->pids, n, sizeof(int32_t)) == -1 ||
	    grow(&fu->pval, n, sizeof(struct ice_value)) == -1)
		return (bad(w, "out of memory"));
	tid = fu->ptid.p;
	for (i = 0; i < n; i++)
		tid[i] = field_tid(avro_schema_record_field_get_by_index(s,
		    (int)i));
	fu->pschema = s;
	fu->npart = n;
	partition_ids(fu, w);
	return (0);
}

/* A decoded Avro value as an ice_value of its physical type. */
static int
value(avro_value_t *v, enum ice_tid null_tid, struct ice_value *out)
{
	avro_value_t	 b;
	const void	*p;
	const char	*s;
	size_t		 n;
	int32_t		 i;
	float		 f;
	int		 rc = 0;

	memset(out, 0, sizeof(*out));
	if (avro_value_get_type(v) == AVRO_UNION) {
		if (avro_value_get_current_branch(v, &b) != 0)
			return (-1);
		v = &b;
	}
	out->tid = physical(avro_value_get_type(v));
	switch (avro_value_get_type(v)) {
	case AVRO_NULL:
		out->tid = null_tid;
		out->is_null = 1;
		break;
	case AVRO_BOOLEAN:
		rc = avro_value_get_boolean(v, &out->u.b);
		break;
	case AVRO_INT32:
		rc = avro_value_get_int(v, &i);
		out->u.i = i;
		break;
	case AVRO_INT64:
		rc = avro_value_get_long(v, &out->u.i);
		break;
	case AVRO_FLOAT:
		rc = avro_value_get_float(v, &f);
		out->u.d = f;
		break;
	case AVRO_DOUBLE:
		rc = avro_value_get_double(v, &out->u.d);
		break;
	case AVRO_STRING:
		/* libavro counts the NUL it keeps after the string. */
		if ((rc = avro_value_get_string(v, &s, &n)) == 0 && n == 0)
			rc = -1;
		out->u.s.p = (const unsigned char *)s;
		out->u.s.n = n - 1;
		break;
	case AVRO_BYTES:
		rc = avro_value_get_bytes(v, &p, &n);
		out->u.s.p = p;
		out->u.s.n = n;
		break;
	case AVRO_FIXED:
		rc = avro_value_get_fixed(v, &p, &n);
		out->u.s.p = p;
		out->u.s.n = n;
		break;
	default:
		break;		/* ICE_T_NONE: no value the planner knows */
	}
	return (rc == 0 ? 0 : -1);
}

static int
partition(struct full *fu, struct ice_entry_walk *w, struct ice_manifest_full *f)
{
	struct ice_value	*pv;
	enum ice_tid		*tid;
	avro_value_t		 p, fv;
	size_t			 i;

	if (!ice_avro_get(&w->df, w->at->at[ICE_DF_PARTITION], &p))
		return (0);
	if (avro_value_get_type(&p) != AVRO_RECORD)
		return (bad(w, "partition is not a record"));
	if (partition_schema(fu, w, &p) == -1)
		return (-1);
	pv = fu->pval.p;
	tid = fu->ptid.p;
	for (i = 0; i < fu->npart; i++) {
		if (avro_value_get_by_index(&p, i, &fv, NULL) != 0 ||
		    value(&fv, tid[i], &pv[i]) == -1)
			return (bad(w, "a partition value does not read"));
	}
	f->partition = pv;
	f->partition_ids = fu->pids.p;
	f->npartition = fu->npart;
	return (0);
}

static void
col_init(struct ice_col_metrics *c, int32_t id)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->column_size = c->value_count = c->null_count = c->nan_count = -1;
}

/* One metric value v of map k into column c. */
static int
col_set(struct ice_col_metrics *c, int k, avro_value_t *v)
{
	const void	*p;
	size_t		 n;
	int32_t		 i;
	int64_t		*count[] = { &c->column_size, &c->value_count,
			    &c->null_count, &c->nan_count };

	if (k < X_LOWER) {
		if (avro_value_get_type(v) == AVRO_INT32 &&
		    avro_value_get_int(v, &i) == 0) {
			*count[k] = i;
			return (0);
		}
		if (avro_value_get_type(v) == AVRO_INT64 &&
		    avro_value_get_long(v, count[k]) == 0)
			return (0);
		return (-1);
	}
	if (avro_value_get_type(v) != AVRO_BYTES ||
	    avro_value_get_bytes(v, &p, &n) != 0)
		return (-1);
	if (k == X_LOWER) {
		c->lower = p;
		c->lower_len = n;
	} else {
		c->upper = p;
		c->upper_len = n;
	}
	return (0);
}

/* The key and value of an element of a map written as an array. */
static int
kv_element(struct kv_idx *kv, avro_value_t *el, int32_t *key,
    avro_value_t *v)
{
	avro_schema_t	s;
	avro_value_t	k;
	int32_t		i;

	if (avro_value_get_type(el) != AVRO_RECORD)
		return (-1);
	if ((s = avro_value_get_schema(el)) != kv->schema) {
		kv->schema = s;
		kv->key = avro_schema_record_field_get_index(s, "key");
		kv->value = avro_schema_record_field_get_index(s, "value");
	}
	if (!ice_avro_get(el, kv->key, &k) || !ice_avro_get(el, kv->value, v) ||
	    avro_value_get_type(&k) != AVRO_INT32 ||
	    avro_value_get_int(&k, &i) != 0)
		return (-1);
	*key = i;
	return (0);
}

/* A string map key as a field id. */
static int
map_key(const char *s, int32_t *key)
{
	char	*end;
	long	 l;

	if (s == NULL || *s == '\0')
		return (-1);
	l = strtol(s, &end, 10);
	if (*end != '\0' || l < INT32_MIN || l > INT32_MAX)
		return (-1);
	*key = (int32_t)l;
	return (0);
}

/*
 * Map k's items appended to cols, one row each (merged later): Iceberg
 * writes int-keyed maps as arrays of key/value records; a real Avro map
 * has string keys.
 */
static int
metric(struct full *fu, struct ice_entry_walk *w, int k, size_t *ncols)
{
	struct ice_col_metrics	*c;
	avro_value_t		 m, el, v;
	const char		*name;
	avro_type_t		 t;
	int32_t			 key;
	size_t			 n, i;

	if (!ice_avro_get(&w->df, fu->x.at[k], &m))
		return (0);
	t = avro_value_get_type(&m);
	if ((t != AVRO_ARRAY && t != AVRO_MAP) ||
	    avro_value_get_size(&m, &n) != 0)
		return (bad(w, "a metric is not a map"));
	if (grow(&fu->cols, *ncols + n, sizeof(*c)) == -1)
		return (bad(w, "out of memory"));
	c = (struct ice_col_metrics *)fu->cols.p + *ncols;
	for (i = 0; i < n; i++, c++) {
		if (avro_value_get_by_index(&m, i, &el, &name) != 0)
			return (bad(w, "a metric does not read"));
		if (t == AVRO_MAP ? map_key(name, &key) == -1 :
		    kv_element(&fu->kv[k], &el, &key, &v) == -1)
			return (bad(w, "a metric's key is not a field id"));
		col_init(c, key);
		if (col_set(c, k, t == AVRO_MAP ? &el : &v) == -1)
			return (bad(w, "a metric's value is of a wrong type"));
	}
	*ncols += n;
	return (0);
}

static int
col_cmp(const void *a, const void *b)
{
	const struct ice_col_metrics	*x = a, *y = b;

	return (x->id < y->id ? -1 : x->id > y->id);
}

/* b's known metrics into a (same id). */
static void
col_merge(struct ice_col_metrics *a, const struct ice_col_metrics *b)
{
	if (b->column_size != -1)
		a->column_size = b->column_size;
	if (b->value_count != -1)
		a->value_count = b->value_count;
	if (b->null_count != -1)
		a->null_count = b->null_count;
	if (b->nan_count != -1)
		a->nan_count = b->nan_count;
	if (b->lower != NULL) {
		a->lower = b->lower;
		a->lower_len = b->lower_len;
	}
	if (b->upper != NULL) {
		a->upper = b->upper;
		a->upper_len = b->upper_len;
	}
}

static int
metrics(struct full *fu, struct ice_entry_walk *w, struct ice_manifest_full *f)
{
	struct ice_col_metrics	*c;
	size_t			 n = 0, i, out;
	int			 k;

	for (k = 0; k < NMETRICS; k++)
		if (metric(fu, w, k, &n) == -1)
			return (-1);
	if (n == 0)
		return (0);
	c = fu->cols.p;
	/* Stable enough: rows of one id carry disjoint metrics. */
	qsort(c, n, sizeof(*c), col_cmp);
	for (out = 0, i = 1; i < n; i++) {
		if (c[i].id == c[out].id)
			col_merge(&c[out], &c[i]);
		else
			c[++out] = c[i];
	}
	f->cols = c;
	f->ncols = out + 1;
	return (0);
}

/* An array of ints or longs into s, as int32 (size 4) or int64 (8). */
static int
numbers(struct ice_entry_walk *w, avro_value_t *df, int i, struct scratch *s,
    size_t size, size_t *n)
{
	avro_value_t	a, el;
	int32_t		v32;
	int64_t		v64;
	size_t		j;

	*n = 0;
	if (!ice_avro_get(df, i, &a))
		return (0);
	if (avro_value_get_type(&a) != AVRO_ARRAY ||
	    avro_value_get_size(&a, n) != 0 || grow(s, *n, size) == -1)
		return (bad(w, "a list of numbers does not read"));
	for (j = 0; j < *n; j++) {
		if (avro_value_get_by_index(&a, j, &el, NULL) != 0)
			return (bad(w, "a list of numbers does not read"));
		if (avro_value_get_type(&el) == AVRO_INT32) {
			if (avro_value_get_int(&el, &v32) != 0)
				return (-1);
			v64 = v32;
		} else if (avro_value_get_type(&el) != AVRO_INT64 ||
		    avro_value_get_long(&el, &v64) != 0)
			return (bad(w, "a list holds a non-number"));
		if (size == sizeof(int32_t))
			((int32_t *)s->p)[j] = (int32_t)v64;
		else
			((int64_t *)s->p)[j] = v64;
	}
	return (0);
}

/* An optional int or long field; def when absent. */
static int
scalar(struct ice_entry_walk *w, avro_value_t *df, int i, int64_t def,
    int64_t *out)
{
	avro_value_t	v;
	int32_t		v32;

	*out = def;
	if (!ice_avro_get(df, i, &v))
		return (0);
	if (avro_value_get_type(&v) == AVRO_INT32 &&
	    avro_value_get_int(&v, &v32) == 0) {
		*out = v32;
		return (0);
	}
	if (avro_value_get_type(&v) == AVRO_INT64 &&
	    avro_value_get_long(&v, out) == 0)
		return (0);
	return (bad(w, "a data_file field is not a number"));
}

static int
lists(struct full *fu, struct ice_entry_walk *w, struct ice_manifest_full *f)
{
	avro_value_t	*df = &w->df, v;
	int64_t		 l;

	if (numbers(w, df, fu->x.at[X_EQUALITY_IDS], &fu->eq, sizeof(int32_t),
	    &f->nequality_ids) == -1 || numbers(w, df,
	    fu->x.at[X_SPLIT_OFFSETS], &fu->splits, sizeof(int64_t),
	    &f->nsplit_offsets) == -1)
		return (-1);
	f->equality_ids = f->nequality_ids ? fu->eq.p : NULL;
	f->split_offsets = f->nsplit_offsets ? fu->splits.p : NULL;
	if (scalar(w, df, fu->x.at[X_SORT_ORDER_ID], -1, &l) == -1)
		return (-1);
	f->sort_order_id = (int32_t)l;
	if (scalar(w, df, fu->x.at[X_FIRST_ROW_ID], -1, &f->first_row_id) == -1)
		return (-1);
	if (ice_avro_get(df, fu->x.at[X_KEY_METADATA], &v) &&
	    (avro_value_get_type(&v) != AVRO_BYTES || avro_value_get_bytes(&v,
	    &f->key_metadata, &f->key_metadata_len) != 0))
		return (bad(w, "key_metadata is not bytes"));
	return (0);
}

static int
on_entry(void *arg, struct ice_entry_walk *w)
{
	struct full			*fu = arg;
	struct ice_manifest_full	 f;

	memset(&f, 0, sizeof(f));
	f.e = *w->e;
	ice_avro_idx_resolve(&fu->x, &w->df);
	if (partition(fu, w, &f) == -1 || metrics(fu, w, &f) == -1 ||
	    lists(fu, w, &f) == -1)
		return (-1);
	return (fu->fn(fu->arg, &f) != 0);
}

int
ice_manifest_read_full(const void *buf, size_t len, ice_manifest_full_fn fn,
    void *arg, struct pgl_err *err)
{
	struct full	fu;
	int		rc;

	memset(&fu, 0, sizeof(fu));
	fu.fn = fn;
	fu.arg = arg;
	fu.x.names = extra_names;
	fu.x.n = X_N;
	rc = ice_manifest_walk(buf, len, 1, on_entry, &fu, err);
	free(fu.ptid.p);
	free(fu.pids.p);
	free(fu.pval.p);
	free(fu.cols.p);
	free(fu.eq.p);
	free(fu.splits.p);
	return (rc);
}
