/*
 * Partition transforms applied to one value (spec "Partition
 * Transforms"; bucket hashing per Appendix B).  A transform's result
 * is what a writer stored in the partition tuple, so the evaluators can
 * compare a filter's transformed literal with it.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "iceberg/scan.h"

#define US_PER_HOUR	INT64_C(3600000000)
#define US_PER_DAY	INT64_C(86400000000)

static uint32_t
rotl(uint32_t x, int r)
{
	return ((x << r) | (x >> (32 - r)));
}

static uint32_t
mix(uint32_t k)
{
	k *= 0xcc9e2d51;
	k = rotl(k, 15);
	return (k * 0x1b873593);
}

/* Murmur3 x86 32-bit, seed 0 (Appendix B). */
static uint32_t
murmur3(const unsigned char *p, size_t n)
{
	uint32_t	h = 0, k, f;
	size_t		i;

	for (i = 0; i + 4 <= n; i += 4) {
		k = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
		    (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
		h ^= mix(k);
		h = rotl(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	k = 0;
	switch (n & 3) {
	case 3:
		k ^= (uint32_t)p[i + 2] << 16;
		/* FALLTHROUGH */
	case 2:
		k ^= (uint32_t)p[i + 1] << 8;
		/* FALLTHROUGH */
	case 1:
		k ^= p[i];
		h ^= mix(k);
	}
	f = h ^ (uint32_t)n;
	f ^= f >> 16;
	f *= 0x85ebca6b;
	f ^= f >> 13;
	f *= 0xc2b2ae35;
	f ^= f >> 16;
	return (f);
}

static int64_t
floordiv(int64_t a, int64_t b)
{
	int64_t	q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return (q);
}

/* Integers of every width hash as an 8-byte little-endian long. */
static uint32_t
hash_long(int64_t v)
{
	unsigned char	b[8];
	uint64_t	u = (uint64_t)v;
	int		i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(u >> (8 * i));
	return (murmur3(b, sizeof(b)));
}

/* A decimal hashes its unscaled value's minimal big-endian two's
 * complement bytes (Java's BigInteger.toByteArray). */
static uint32_t
hash_decimal(__int128 v)
{
	unsigned char		b[16];
	unsigned __int128	u = (unsigned __int128)v;
	size_t			i, skip = 0;

	for (i = 0; i < 16; i++)
		b[15 - i] = (unsigned char)(u >> (8 * i));
	while (skip < 15 &&
	    ((b[skip] == 0x00 && (b[skip + 1] & 0x80) == 0) ||
	    (b[skip] == 0xff && (b[skip + 1] & 0x80) != 0)))
		skip++;
	return (murmur3(b + skip, 16 - skip));
}

/* The 32-bit hash the spec's bucket transform takes modulo N. */
static int
bucket_hash(const struct ice_value *v, uint32_t *h)
{
	switch (v->tid) {
	case ICE_T_INT:
	case ICE_T_LONG:
	case ICE_T_DATE:
	case ICE_T_TIME:
	case ICE_T_TIMESTAMP:
	case ICE_T_TIMESTAMPTZ:
		*h = hash_long(v->u.i);
		return (0);
	case ICE_T_TIMESTAMP_NS:
	case ICE_T_TIMESTAMPTZ_NS:
		/* Hashed as microseconds, so that a column promoted to
		 * nanoseconds keeps its buckets. */
		*h = hash_long(floordiv(v->u.i, 1000));
		return (0);
	case ICE_T_DECIMAL:
		*h = hash_decimal(v->u.dec);
		return (0);
	case ICE_T_STRING:
	case ICE_T_UUID:
	case ICE_T_FIXED:
	case ICE_T_BINARY:
		*h = murmur3(v->u.s.p, v->u.s.n);
		return (0);
	default:
		return (-1);
	}
}

/* The first w code points of a UTF-8 string, in bytes. */
static size_t
utf8_prefix(const unsigned char *p, size_t n, int64_t w)
{
	size_t	i = 0;

	while (i < n && w > 0) {
		i++;
		while (i < n && (p[i] & 0xc0) == 0x80)
			i++;
		w--;
	}
	return (i);
}

static int
truncate(const struct ice_value *v, int64_t w, struct ice_value *out)
{
	__int128	r;

	*out = *v;
	switch (v->tid) {
	case ICE_T_INT:
	case ICE_T_LONG:
		r = (__int128)v->u.i - (((__int128)v->u.i % w) + w) % w;
		if (r < INT64_MIN)
			return (-1);
		out->u.i = (int64_t)r;
		return (0);
	case ICE_T_DECIMAL:
		out->u.dec = v->u.dec - (((v->u.dec % w) + w) % w);
		return (0);
	case ICE_T_STRING:
		out->u.s.n = utf8_prefix(v->u.s.p, v->u.s.n, w);
		return (0);
	case ICE_T_BINARY:
		if ((int64_t)v->u.s.n > w)
			out->u.s.n = (size_t)w;
		return (0);
	default:
		return (-1);
	}
}

/* Years from 1970 of days from 1970 (proleptic Gregorian). */
static void
civil(int64_t days, int64_t *year, int64_t *month)
{
	int64_t	z = days + 719468, era, doe, yoe, doy, mp;

	era = floordiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*month = mp < 10 ? mp + 3 : mp - 9;
	*year = yoe + era * 400 + (*month <= 2);
}

/* Microseconds from the epoch of a date or timestamp value. */
static int
micros(const struct ice_value *v, int64_t *us, int *is_date)
{
	*is_date = 0;
	switch (v->tid) {
	case ICE_T_DATE:
		*is_date = 1;
		*us = v->u.i;
		return (0);
	case ICE_T_TIMESTAMP:
	case ICE_T_TIMESTAMPTZ:
		*us = v->u.i;
		return (0);
	case ICE_T_TIMESTAMP_NS:
	case ICE_T_TIMESTAMPTZ_NS:
		*us = floordiv(v->u.i, 1000);
		return (0);
	default:
		return (-1);
	}
}

static int
datetime(enum ice_xf xf, const struct ice_value *v, struct ice_value *out)
{
	int64_t	us, days, y, m;
	int	is_date;

	if (micros(v, &us, &is_date) == -1)
		return (-1);
	days = is_date ? us : floordiv(us, US_PER_DAY);
	out->tid = ICE_T_INT;
	switch (xf) {
	case ICE_XF_YEAR:
		civil(days, &y, &m);
		out->u.i = y - 1970;
		return (0);
	case ICE_XF_MONTH:
		civil(days, &y, &m);
		out->u.i = (y - 1970) * 12 + m - 1;
		return (0);
	case ICE_XF_DAY:
		out->tid = ICE_T_DATE;
		out->u.i = days;
		return (0);
	case ICE_XF_HOUR:
		if (is_date)
			return (-1);
		out->u.i = floordiv(us, US_PER_HOUR);
		return (0);
	default:
		return (-1);
	}
}

int
ice_transform_apply(const struct ice_pfield *f, const struct ice_value *v,
    struct ice_value *out)
{
	uint32_t	h;

	memset(out, 0, sizeof(*out));
	out->tid = f->result_type.id;
	if (v->tid != f->source_type.id && f->xf != ICE_XF_VOID)
		return (-1);
	if (v->is_null || f->xf == ICE_XF_VOID) {
		out->is_null = 1;
		return (0);
	}
	switch (f->xf) {
	case ICE_XF_IDENTITY:
		*out = *v;
		return (0);
	case ICE_XF_BUCKET:
		if (f->width <= 0 || bucket_hash(v, &h) == -1)
			return (-1);
		out->tid = ICE_T_INT;
		out->u.i = (int64_t)((h & INT32_MAX) % (uint32_t)f->width);
		return (0);
	case ICE_XF_TRUNCATE:
		if (f->width <= 0)
			return (-1);
		return (truncate(v, f->width, out));
	case ICE_XF_YEAR:
	case ICE_XF_MONTH:
	case ICE_XF_DAY:
	case ICE_XF_HOUR:
		return (datetime(f->xf, v, out));
	default:
		return (-1);
	}
}
