/*
 * Decoding the records of an Avro container (checked first by
 * manifest_frame.c) into libavro generic values of the writer's schema.
 * libavro parses the schema and holds the values; the bytes are decoded
 * here because libavro's reader allocates whatever length a corrupt
 * datum claims and leaks on a short block.  Every length is checked
 * against the bytes left before anything is allocated.  And a decoded
 * record's fields, by index, for the readers of lists and manifests.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "iceberg/manifest_avro.h"

#define MAX_DEPTH	32
#define MAX_INFLATED	(64 * 1024 * 1024)	/* per block */

static int	decode(struct ice_avro_cur *, avro_value_t *, int);

/* A length-prefixed run of bytes inside the cursor. */
static int
get_bytes(struct ice_avro_cur *c, const unsigned char **p, size_t *n)
{
	int64_t	len;

	if (ice_avro_get_long(c, &len) == -1 || len < 0 ||
	    (uint64_t)len > c->len - c->off)
		return (-1);
	*p = c->p + c->off;
	*n = (size_t)len;
	c->off += *n;
	return (0);
}

/* libavro wants NUL-terminated strings and map keys. */
static char *
cstr(const unsigned char *p, size_t n)
{
	char	*s;

	if ((s = malloc(n + 1)) == NULL)
		return (NULL);
	memcpy(s, p, n);
	s[n] = '\0';
	return (s);
}

static int
decode_string(struct ice_avro_cur *c, avro_value_t *v)
{
	const unsigned char	*p;
	size_t			 n;
	char			*s;
	int			 rc;

	if (get_bytes(c, &p, &n) == -1 || (s = cstr(p, n)) == NULL)
		return (-1);
	rc = avro_value_set_string_len(v, s, n + 1);
	free(s);
	return (rc == 0 ? 0 : -1);
}

static int
decode_fixed(struct ice_avro_cur *c, avro_value_t *v, size_t n)
{
	if (n > c->len - c->off)
		return (-1);
	c->off += n;
	return (avro_value_set_fixed(v, (void *)(uintptr_t)(c->p + c->off - n),
	    n) == 0 ? 0 : -1);
}

/*
 * Arrays and maps come in blocks of counts; each item takes a byte at
 * least in any schema Iceberg writes, so a count beyond the bytes left
 * is corrupt.
 */
static int
decode_items(struct ice_avro_cur *c, avro_value_t *v, int is_map, int depth)
{
	const unsigned char	*k;
	avro_value_t		 child;
	int64_t			 n, size;
	size_t			 klen;
	char			*key;
	int			 rc;

	for (;;) {
		if (ice_avro_get_long(c, &n) == -1)
			return (-1);
		if (n == 0)
			return (0);
		if (n < 0) {
			if (n == INT64_MIN || ice_avro_get_long(c, &size) == -1)
				return (-1);
			n = -n;
		}
		if ((uint64_t)n > c->len - c->off)
			return (-1);
		while (n-- > 0) {
			if (!is_map)
				rc = avro_value_append(v, &child, NULL);
			else {
				if (get_bytes(c, &k, &klen) == -1 ||
				    (key = cstr(k, klen)) == NULL)
					return (-1);
				rc = avro_value_add(v, key, &child, NULL, NULL);
				free(key);
			}
			if (rc != 0 || decode(c, &child, depth + 1) == -1)
				return (-1);
		}
	}
}

static int
decode_union(struct ice_avro_cur *c, avro_value_t *v, int depth)
{
	avro_value_t	branch;
	int64_t		i;

	if (ice_avro_get_long(c, &i) == -1 || i < 0 || (uint64_t)i >=
	    avro_schema_union_size(avro_value_get_schema(v)))
		return (-1);
	if (avro_value_set_branch(v, (int)i, &branch) != 0)
		return (-1);
	return (decode(c, &branch, depth + 1));
}

static int
decode_record(struct ice_avro_cur *c, avro_value_t *v, int depth)
{
	avro_value_t	field;
	size_t		n, i;

	if (avro_value_get_size(v, &n) != 0)
		return (-1);
	for (i = 0; i < n; i++) {
		if (avro_value_get_by_index(v, i, &field, NULL) != 0 ||
		    decode(c, &field, depth + 1) == -1)
			return (-1);
	}
	return (0);
}

static int
decode_scalar(struct ice_avro_cur *c, avro_value_t *v, avro_type_t t)
{
	const unsigned char	*p;
	size_t			 n;
	int64_t			 l;
	float			 f;
	double			 d;

	switch (t) {
	case AVRO_NULL:
		return (avro_value_set_null(v) == 0 ? 0 : -1);
	case AVRO_BOOLEAN:
		if (c->off >= c->len)
			return (-1);
		return (avro_value_set_boolean(v, c->p[c->off++] != 0));
	case AVRO_INT32:
		if (ice_avro_get_long(c, &l) == -1 || l < INT32_MIN ||
		    l > INT32_MAX)
			return (-1);
		return (avro_value_set_int(v, (int32_t)l) == 0 ? 0 : -1);
	case AVRO_INT64:
		if (ice_avro_get_long(c, &l) == -1)
			return (-1);
		return (avro_value_set_long(v, l) == 0 ? 0 : -1);
	case AVRO_FLOAT:		/* little-endian, as on our hosts */
		if (c->len - c->off < 4)
			return (-1);
		memcpy(&f, c->p + c->off, 4);
		c->off += 4;
		return (avro_value_set_float(v, f) == 0 ? 0 : -1);
	case AVRO_DOUBLE:
		if (c->len - c->off < 8)
			return (-1);
		memcpy(&d, c->p + c->off, 8);
		c->off += 8;
		return (avro_value_set_double(v, d) == 0 ? 0 : -1);
	case AVRO_BYTES:
		if (get_bytes(c, &p, &n) == -1)
			return (-1);
		return (avro_value_set_bytes(v, (void *)(uintptr_t)p, n) == 0 ?
		    0 : -1);
	default:
		return (-1);
	}
}

static int
decode(struct ice_avro_cur *c, avro_value_t *v, int depth)
{
	avro_schema_t	s;
	avro_type_t	t;
	int64_t		l;

	if (depth > MAX_DEPTH)
		return (-1);
	switch ((t = avro_value_get_type(v))) {
	case AVRO_STRING:
		return (decode_string(c, v));
	case AVRO_FIXED:
		s = avro_value_get_schema(v);
		return (decode_fixed(c, v, (size_t)avro_schema_fixed_size(s)));
	case AVRO_ENUM:
		s = avro_value_get_schema(v);
		if (ice_avro_get_long(c, &l) == -1 || l < 0 ||
		    l >= avro_schema_enum_number_of_symbols(s))
			return (-1);
		return (avro_value_set_enum(v, (int)l) == 0 ? 0 : -1);
	case AVRO_ARRAY:
		return (decode_items(c, v, 0, depth));
	case AVRO_MAP:
		return (decode_items(c, v, 1, depth));
	case AVRO_UNION:
		return (decode_union(c, v, depth));
	case AVRO_RECORD:
		return (decode_record(c, v, depth));
	default:
		return (decode_scalar(c, v, t));
	}
}

/* A deflate block (raw, as Avro writes it) into r->inflated. */
static int
inflate_block(struct ice_avro_reader *r, const unsigned char *p, size_t n,
    size_t *out)
{
	z_stream	 z;
	unsigned char	*np;
	size_t		 cap;
	int		 rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return (-1);
	z.next_in = (unsigned char *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	*out = 0;
	for (;;) {
		if (*out == r->inflated_cap) {
			cap = r->inflated_cap ? r->inflated_cap * 2 : 65536;
			if (cap > MAX_INFLATED ||
			    (np = realloc(r->inflated, cap)) == NULL) {
				rc = Z_MEM_ERROR;
				break;
			}
			r->inflated = np;
			r->inflated_cap = cap;
		}
		z.next_out = r->inflated + *out;
		z.avail_out = (uInt)(r->inflated_cap - *out);
		rc = inflate(&z, Z_NO_FLUSH);
		*out = r->inflated_cap - z.avail_out;
		if (rc == Z_BUF_ERROR && z.avail_in == 0 && z.avail_out > 0)
			rc = Z_STREAM_END;	/* no final block */
		if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR) ||
		    (rc == Z_BUF_ERROR && z.avail_out > 0))
			break;
	}
	(void)inflateEnd(&z);
	return (rc == Z_STREAM_END ? 0 : -1);
}

/* The next block into r->blk; 0, or -1 when corrupt. */
static int
next_block(struct ice_avro_reader *r)
{
	struct ice_avro_cur	*f = &r->file;
	int64_t			 n, size;
	size_t			 len;

	/* The framing was checked: these reads stay inside the buffer. */
	if (ice_avro_get_long(f, &n) == -1 || ice_avro_get_long(f, &size) == -1)
		return (-1);
	memset(&r->blk, 0, sizeof(r->blk));
	if (r->deflate) {
		if (inflate_block(r, f->p + f->off, (size_t)size, &len) == -1)
			return (-1);
		r->blk.p = r->inflated;
		r->blk.len = len;
	} else {
		r->blk.p = f->p + f->off;
		r->blk.len = (size_t)size;
	}
	f->off += (size_t)size + ICE_AVRO_SYNC;
	r->left = n;
	return (0);
}

int
ice_avro_open(struct ice_avro_reader *r, const void *buf, size_t len,
    struct pgl_err *err, const char *what)
{
	memset(r, 0, sizeof(*r));
	if (ice_avro_frame_check(buf, len, err, what, &r->file) == -1)
		return (-1);
	r->deflate = r->file.codec != NULL && r->file.codec_len == 7;
	if (ice_avro_schema(r->file.schema, r->file.schema_len, &r->schema,
	    &r->iface) == -1) {
		r->schema = NULL;
		r->iface = NULL;
		return (ice_avro_fail(err, what, "the schema does not parse"));
	}
	if (!is_avro_record(r->schema))
		return (ice_avro_fail(err, what, "the schema is not a record"));
	if (r->iface == NULL || avro_generic_value_new(r->iface, &r->rec) != 0)
		return (ice_avro_fail(err, what, "the schema has no values"));
	r->have_rec = 1;
	return (0);
}

int
ice_avro_next(struct ice_avro_reader *r, struct pgl_err *err,
    const char *what)
{
	while (r->left == 0) {
		if (r->file.off >= r->file.len)
			return (0);
		if (next_block(r) == -1)
			return (ice_avro_fail(err, what,
			    "a data block does not inflate"));
	}
	avro_value_reset(&r->rec);
	if (decode(&r->blk, &r->rec, 0) == -1)
		return (ice_avro_fail(err, what,
		    "a record does not match the schema (corrupt data)"));
	r->left--;
	return (1);
}

void
ice_avro_close(struct ice_avro_reader *r)
{
	if (r->have_rec)
		avro_value_decref(&r->rec);
	if (r->iface != NULL)
		avro_value_iface_decref(r->iface);
	if (r->schema != NULL)
		avro_schema_decref(r->schema);
	free(r->inflated);
	memset(r, 0, sizeof(*r));
}

int
ice_avro_get(avro_value_t *rec, int i, avro_value_t *out)
{
	avro_value_t	f, b;

	if (i < 0 || avro_value_get_by_index(rec, (size_t)i, &f, NULL) != 0)
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

void
ice_avro_idx_resolve(struct ice_avro_idx *x, avro_value_t *rec)
{
	avro_schema_t	s = avro_value_get_schema(rec);
	size_t		i;

	if (s == x->schema)
		return;
	x->schema = s;
	for (i = 0; i < x->n; i++)
		x->at[i] = avro_schema_record_field_get_index(s, x->names[i]);
}
