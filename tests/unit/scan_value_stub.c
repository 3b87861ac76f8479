/*
 * TEMPORARY, test-only: the few value.c/expr.c functions the scan
 * evaluators call, until the real ones land.  Deleted before merge.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "iceberg/scan.h"

static const struct ice_expr	t_true = { .op = ICE_OP_TRUE };
static const struct ice_expr	t_false = { .op = ICE_OP_FALSE };

const struct ice_expr *
ice_expr_true(void)
{
	return (&t_true);
}

const struct ice_expr *
ice_expr_false(void)
{
	return (&t_false);
}

int
ice_type_parse(const json_t *j, struct ice_type *t)
{
	static const struct { const char *n; enum ice_tid id; } m[] = {
		{ "boolean", ICE_T_BOOLEAN }, { "int", ICE_T_INT },
		{ "long", ICE_T_LONG }, { "float", ICE_T_FLOAT },
		{ "double", ICE_T_DOUBLE }, { "date", ICE_T_DATE },
		{ "time", ICE_T_TIME }, { "timestamp", ICE_T_TIMESTAMP },
		{ "timestamptz", ICE_T_TIMESTAMPTZ },
		{ "timestamp_ns", ICE_T_TIMESTAMP_NS },
		{ "timestamptz_ns", ICE_T_TIMESTAMPTZ_NS },
		{ "string", ICE_T_STRING }, { "uuid", ICE_T_UUID },
		{ "binary", ICE_T_BINARY },
	};
	const char	*s = json_string_value(j);
	size_t		 i;

	memset(t, 0, sizeof(*t));
	if (s == NULL)
		return (-1);
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		if (strcmp(s, m[i].n) == 0) {
			t->id = m[i].id;
			return (0);
		}
	}
	return (-1);
}

int
ice_value_decode(const struct ice_type *t, const void *buf, size_t len,
    struct ice_value *out)
{
	const unsigned char	*b = buf;
	uint64_t		 u = 0;
	uint32_t		 f32;
	size_t			 i;

	memset(out, 0, sizeof(*out));
	out->tid = t->id;
	switch (t->id) {
	case ICE_T_INT:
	case ICE_T_DATE:
		if (len != 4)
			return (-1);
		for (i = 0; i < 4; i++)
			u |= (uint64_t)b[i] << (8 * i);
		out->u.i = (int32_t)(uint32_t)u;
		return (0);
	case ICE_T_LONG:
	case ICE_T_TIME:
	case ICE_T_TIMESTAMP:
	case ICE_T_TIMESTAMPTZ:
	case ICE_T_TIMESTAMP_NS:
	case ICE_T_TIMESTAMPTZ_NS:
	case ICE_T_DOUBLE:
		if (len != 8)
			return (-1);
		for (i = 0; i < 8; i++)
			u |= (uint64_t)b[i] << (8 * i);
		if (t->id == ICE_T_DOUBLE)
			memcpy(&out->u.d, &u, 8);
		else
			out->u.i = (int64_t)u;
		return (0);
	case ICE_T_FLOAT:
		if (len != 4)
			return (-1);
		for (i = 0; i < 4; i++)
			u |= (uint64_t)b[i] << (8 * i);
		f32 = (uint32_t)u;
		{
			float	f;

			memcpy(&f, &f32, 4);
			out->u.d = f;
		}
		return (0);
	case ICE_T_STRING:
	case ICE_T_BINARY:
	case ICE_T_UUID:
	case ICE_T_FIXED:
		out->u.s.p = b;
		out->u.s.n = len;
		return (0);
	default:
		return (-1);
	}
}

int
ice_value_is_nan(const struct ice_value *v)
{
	return ((v->tid == ICE_T_FLOAT || v->tid == ICE_T_DOUBLE) &&
	    isnan(v->u.d));
}

int
ice_value_cmp(const struct ice_value *a, const struct ice_value *b)
{
	size_t	n;
	int	c;

	switch (a->tid) {
	case ICE_T_FLOAT:
	case ICE_T_DOUBLE:
		if (isnan(a->u.d) || isnan(b->u.d))
			return (isnan(a->u.d) - isnan(b->u.d));
		return ((a->u.d > b->u.d) - (a->u.d < b->u.d));
	case ICE_T_DECIMAL:
		return ((a->u.dec > b->u.dec) - (a->u.dec < b->u.dec));
	case ICE_T_STRING:
	case ICE_T_BINARY:
	case ICE_T_UUID:
	case ICE_T_FIXED:
		n = a->u.s.n < b->u.s.n ? a->u.s.n : b->u.s.n;
		if (n > 0 && (c = memcmp(a->u.s.p, b->u.s.p, n)) != 0)
			return (c);
		return ((a->u.s.n > b->u.s.n) - (a->u.s.n < b->u.s.n));
	default:
		return ((a->u.i > b->u.i) - (a->u.i < b->u.i));
	}
}
