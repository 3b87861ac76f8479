/*
 * Iceberg primitive types and single values: type strings, the
 * spec's single-value binary form (Appendix D), the Avro physical to
 * logical mapping of partition tuples, and value order.  The JSON form
 * (Appendix C) is value_json.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "iceberg/internal.h"
#include "iceberg/value.h"
#include "util/arena.h"

static const struct {
	const char	*name;
	enum ice_tid	 id;
} simple[] = {
	{ "boolean",		ICE_T_BOOLEAN },
	{ "int",		ICE_T_INT },
	{ "long",		ICE_T_LONG },
	{ "float",		ICE_T_FLOAT },
	{ "double",		ICE_T_DOUBLE },
	{ "date",		ICE_T_DATE },
	{ "time",		ICE_T_TIME },
	{ "timestamp",		ICE_T_TIMESTAMP },
	{ "timestamptz",	ICE_T_TIMESTAMPTZ },
	{ "timestamp_ns",	ICE_T_TIMESTAMP_NS },
	{ "timestamptz_ns",	ICE_T_TIMESTAMPTZ_NS },
	{ "string",		ICE_T_STRING },
	{ "uuid",		ICE_T_UUID },
	{ "binary",		ICE_T_BINARY },
};

#define NSIMPLE	(sizeof(simple) / sizeof(simple[0]))

/*
 * ice_type_primitive (types.c) already canonicalizes the way Java
 * parses type strings (case, blanks, "decimal(P, S)"), so only its
 * canonical spellings need matching here.
 */
int
ice_type_parse(const json_t *j, struct ice_type *t)
{
	json_t		*canon;
	const char	*s;
	size_t		 i;
	int		 a, b, rc = -1;
	char		 end;

	memset(t, 0, sizeof(*t));
	if (!json_is_string(j) ||
	    (canon = ice_type_primitive(json_string_value(j))) == NULL)
		return (-1);
	s = json_string_value(canon);
	for (i = 0; i < NSIMPLE; i++) {
		if (strcmp(s, simple[i].name) == 0) {
			t->id = simple[i].id;
			rc = 0;
		}
	}
	if (sscanf(s, "decimal(%d, %d%c", &a, &b, &end) == 3 && end == ')' &&
	    a >= 1 && b >= 0 && b <= a) {
		t->id = ICE_T_DECIMAL;
		t->precision = a;
		t->scale = b;
		rc = 0;
	} else if (sscanf(s, "fixed[%d%c", &a, &end) == 2 && end == ']' &&
	    a >= 0) {
		t->id = ICE_T_FIXED;
		t->length = a;
		rc = 0;
	}
	json_decref(canon);
	return (rc);
}

/* Java's Type.toString(), which is also what a schema holds. */
const char *
ice_type_name(const struct ice_type *t, char *buf, size_t len)
{
	size_t	i;

	if (len == 0)
		return (buf);
	buf[0] = '\0';
	if (t->id == ICE_T_DECIMAL)
		(void)snprintf(buf, len, "decimal(%d, %d)", t->precision,
		    t->scale);
	else if (t->id == ICE_T_FIXED)
		(void)snprintf(buf, len, "fixed[%d]", t->length);
	else {
		for (i = 0; i < NSIMPLE; i++)
			if (simple[i].id == t->id)
				(void)snprintf(buf, len, "%s", simple[i].name);
		if (buf[0] == '\0')
			(void)snprintf(buf, len, "unknown");
	}
	return (buf);
}

static int64_t
le(const unsigned char *p, size_t n)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = n; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return ((int64_t)v);
}

static void
put_le(unsigned char *p, uint64_t v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

/* Big-endian two's complement of 1 to 16 bytes. */
static int
be_signed(const unsigned char *p, size_t n, __int128 *out)
{
	unsigned __int128	v;
	size_t			i;

	if (n == 0 || n > 16)
		return (-1);
	v = (p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	*out = (__int128)v;
	return (0);
}

static double
f32(const unsigned char *p)
{
	uint32_t	bits = (uint32_t)le(p, 4);
	float		f;

	memcpy(&f, &bits, sizeof(f));
	return ((double)f);
}

static double
f64(const unsigned char *p)
{
	uint64_t	bits = (uint64_t)le(p, 8);
	double		d;

	memcpy(&d, &bits, sizeof(d));
	return (d);
}

/* Bytes kept as they are (string, uuid, fixed, binary). */
static int
decode_bytes(const struct ice_type *t, const unsigned char *p, size_t n,
    struct ice_value *v)
{
	if (t->id == ICE_T_UUID && n != 16)
		return (-1);
	/* A fixed bound may be a truncated prefix, never longer. */
	if (t->id == ICE_T_FIXED && n > (size_t)t->length)
		return (-1);
	v->u.s.p = p;
	v->u.s.n = n;
	return (0);
}

/*
 * Appendix D.  Java widens as the type promotions int -> long and
 * float -> double allow: a long column's bound written while the column
 * was an int has 4 bytes, a double's written as a float 4.
 */
int
ice_value_decode(const struct ice_type *t, const void *buf, size_t n,
    struct ice_value *v)
{
	const unsigned char	*p = buf;

	memset(v, 0, sizeof(*v));
	v->tid = t->id;
	if (p == NULL && n > 0)
		return (-1);
	switch (t->id) {
	case ICE_T_BOOLEAN:
		if (n != 1)
			return (-1);
		v->u.b = p[0] != 0;
		return (0);
	case ICE_T_INT:
	case ICE_T_DATE:
		if (n != 4)
			return (-1);
		v->u.i = (int32_t)(uint32_t)le(p, 4);
		return (0);
	case ICE_T_LONG:
		if (n == 4) {
			v->u.i = (int32_t)(uint32_t)le(p, 4);
			return (0);
		}
		/* FALLTHROUGH */
	case ICE_T_TIME:
	case ICE_T_TIMESTAMP:
	case ICE_T_TIMESTAMPTZ:
	case ICE_T_TIMESTAMP_NS:
	case ICE_T_TIMESTAMPTZ_NS:
		if (n != 8)
			return (-1);
		v->u.i = le(p, 8);
		return (0);
	case ICE_T_FLOAT:
		if (n != 4)
			return (-1);
		v->u.d = f32(p);
		return (0);
	case ICE_T_DOUBLE:
		if (n != 4 && n != 8)
			return (-1);
		v->u.d = n == 4 ? f32(p) : f64(p);
		return (0);
	case ICE_T_DECIMAL:
		return (be_signed(p, n, &v->u.dec));
	case ICE_T_STRING:
	case ICE_T_UUID:
	case ICE_T_FIXED:
	case ICE_T_BINARY:
		return (decode_bytes(t, p, n, v));
	default:
		return (-1);
	}
}

/* The shortest big-endian two's complement (Java's BigInteger). */
static size_t
be_min(__int128 x, unsigned char out[16])
{
	unsigned char	all[16];
	size_t		i, skip;
	unsigned __int128 u = (unsigned __int128)x;

	for (i = 16; i > 0; i--, u >>= 8)
		all[i - 1] = (unsigned char)u;
	/* Drop a leading byte while the next one still carries the sign. */
	for (skip = 0; skip < 15; skip++) {
		if (all[skip] == 0x00 && (all[skip + 1] & 0x80) == 0)
			continue;
		if (all[skip] == 0xff && (all[skip + 1] & 0x80) != 0)
			continue;
		break;
	}
	memcpy(out, all + skip, 16 - skip);
	return (16 - skip);
}

int
ice_value_encode(struct pgl_arena *a, const struct ice_value *v,
    const struct ice_type *t, const void **buf, size_t *len)
{
	unsigned char	 tmp[16], *out;
	float		 f;
	uint32_t	 b32;
	uint64_t	 b64;
	size_t		 n;

	if (v->is_null || v->tid != t->id)
		return (-1);
	switch (t->id) {
	case ICE_T_BOOLEAN:
		tmp[0] = v->u.b ? 1 : 0;
		n = 1;
		break;
	case ICE_T_INT:
	case ICE_T_DATE:
		put_le(tmp, (uint64_t)v->u.i, 4);
		n = 4;
		break;
	case ICE_T_LONG:
	case ICE_T_TIME:
	case ICE_T_TIMESTAMP:
	case ICE_T_TIMESTAMPTZ:
	case ICE_T_TIMESTAMP_NS:
	case ICE_T_TIMESTAMPTZ_NS:
		put_le(tmp, (uint64_t)v->u.i, 8);
		n = 8;
		break;
	case ICE_T_FLOAT:
		f = (float)v->u.d;
		memcpy(&b32, &f, sizeof(b32));
		put_le(tmp, b32, 4);
		n = 4;
		break;
	case ICE_T_DOUBLE:
		memcpy(&b64, &v->u.d, sizeof(b64));
		put_le(tmp, b64, 8);
		n = 8;
		break;
	case ICE_T_DECIMAL:
		n = be_min(v->u.dec, tmp);
		break;
	case ICE_T_STRING:
	case ICE_T_UUID:
	case ICE_T_FIXED:
	case ICE_T_BINARY:
		if ((out = pgl_arena_alloc(a, v->u.s.n)) == NULL)
			return (-1);
		if (v->u.s.n > 0)
			memcpy(out, v->u.s.p, v->u.s.n);
		*buf = out;
		*len = v->u.s.n;
		return (0);
	default:
		return (-1);
	}
	if ((out = pgl_arena_alloc(a, n)) == NULL)
		return (-1);
	memcpy(out, tmp, n);
	*buf = out;
	*len = n;
	return (0);
}

static int
is_bytes(enum ice_tid id)
{
	return (id == ICE_T_STRING || id == ICE_T_UUID || id == ICE_T_FIXED ||
	    id == ICE_T_BINARY);
}

static int
is_long_kind(enum ice_tid id)
{
	return (id == ICE_T_LONG || id == ICE_T_TIME ||
	    id == ICE_T_TIMESTAMP || id == ICE_T_TIMESTAMPTZ ||
	    id == ICE_T_TIMESTAMP_NS || id == ICE_T_TIMESTAMPTZ_NS);
}

/*
 * Avro writes a partition tuple in physical types: date as int, time and
 * timestamps as long, decimal as bytes or fixed, uuid as fixed[16].
 * A field promoted from int to long (or float to double) still holds
 * the old physical type in old manifests.
 */
int
ice_value_retype(const struct ice_value *in, const struct ice_type *t,
    struct ice_value *out)
{
	enum ice_tid	from = in->tid;

	memset(out, 0, sizeof(*out));
	out->tid = t->id;
	if (in->is_null) {
		out->is_null = 1;
		return (0);
	}
	switch (t->id) {
	case ICE_T_BOOLEAN:
		if (from != ICE_T_BOOLEAN)
			return (-1);
		out->u.b = in->u.b;
		return (0);
	case ICE_T_INT:
	case ICE_T_DATE:
		if (from != ICE_T_INT && from != ICE_T_DATE)
			return (-1);
		out->u.i = in->u.i;
		return (0);
	case ICE_T_FLOAT:
	case ICE_T_DOUBLE:
		if (from != ICE_T_FLOAT && (from != ICE_T_DOUBLE ||
		    t->id == ICE_T_FLOAT))
			return (-1);
		out->u.d = in->u.d;
		return (0);
	case ICE_T_DECIMAL:
		if (from == ICE_T_DECIMAL) {
			out->u.dec = in->u.dec;
			return (0);
		}
		if (from != ICE_T_BINARY && from != ICE_T_FIXED)
			return (-1);
		return (be_signed(in->u.s.p, in->u.s.n, &out->u.dec));
	case ICE_T_UUID:
	case ICE_T_FIXED:
	case ICE_T_BINARY:
	case ICE_T_STRING:
		if (!is_bytes(from) || (t->id == ICE_T_STRING) !=
		    (from == ICE_T_STRING))
			return (-1);
		if (t->id == ICE_T_UUID && in->u.s.n != 16)
			return (-1);
		if (t->id == ICE_T_FIXED && in->u.s.n != (size_t)t->length)
			return (-1);
		out->u.s = in->u.s;
		return (0);
	default:
		if (!is_long_kind(t->id) || (from != ICE_T_INT &&
		    !is_long_kind(from)) || (from == ICE_T_INT &&
		    t->id != ICE_T_LONG))
			return (-1);
		out->u.i = in->u.i;
		return (0);
	}
}

static int
sign(int c)
{
	return ((c > 0) - (c < 0));
}

/* Java's Float/Double.compare: -0.0 below 0.0, NaN above everything. */
static int
cmp_double(double a, double b)
{
	if (isnan(a) || isnan(b))
		return (isnan(a) - isnan(b));
	if (a < b)
		return (-1);
	if (a > b)
		return (1);
	return ((signbit(b) != 0) - (signbit(a) != 0));
}

/* Unsigned bytes, a prefix first: UTF-8 byte order is code point order. */
static int
cmp_bytes(const struct ice_value *a, const struct ice_value *b)
{
	size_t	n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
	int	c = n > 0 ? memcmp(a->u.s.p, b->u.s.p, n) : 0;

	if (c != 0)
		return (sign(c));
	return ((a->u.s.n > b->u.s.n) - (a->u.s.n < b->u.s.n));
}

int
ice_value_cmp(const struct ice_value *a, const struct ice_value *b)
{
	switch (a->tid) {
	case ICE_T_BOOLEAN:
		return ((a->u.b != 0) - (b->u.b != 0));
	case ICE_T_FLOAT:
	case ICE_T_DOUBLE:
		return (cmp_double(a->u.d, b->u.d));
	case ICE_T_DECIMAL:
		return ((a->u.dec > b->u.dec) - (a->u.dec < b->u.dec));
	case ICE_T_STRING:
	case ICE_T_UUID:
	case ICE_T_FIXED:
	case ICE_T_BINARY:
		return (cmp_bytes(a, b));
	default:
		return ((a->u.i > b->u.i) - (a->u.i < b->u.i));
	}
}

int
ice_value_is_nan(const struct ice_value *v)
{
	return (!v->is_null && (v->tid == ICE_T_FLOAT ||
	    v->tid == ICE_T_DOUBLE) && isnan(v->u.d));
}
