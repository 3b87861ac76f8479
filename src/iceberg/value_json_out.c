/*
 * Single values as JSON (the table spec's Appendix C), out: partition
 * values and bounds as a REST client reads them (value_json.c reads them
 * in).  Dates, times and timestamps are ISO-8601 strings, as Java's
 * formatters write them.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/value.h"

#define DAY_SECS	INT64_C(86400)

/* The proleptic Gregorian date of a day from 1970-01-01 (the inverse of
 * value_json.c's days_from_civil). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Java's ISO_LOCAL_DATE: four digits, a sign past 9999. */
static int
fmt_date(char *buf, size_t len, int64_t days)
{
	int64_t	y;
	int	m, d;

	civil_from_days(days, &y, &m, &d);
	if (y > 9999)
		return (snprintf(buf, len, "+%lld-%02d-%02d", (long long)y, m,
		    d));
	if (y < 0)
		return (snprintf(buf, len, "-%04lld-%02d-%02d", (long long)-y,
		    m, d));
	return (snprintf(buf, len, "%04lld-%02d-%02d", (long long)y, m, d));
}

/* HH:MM:SS, then a fraction of 6 (micros) or 9 (nanos) when not zero. */
static int
fmt_time(char *buf, size_t len, int64_t units, int64_t per_sec)
{
	int64_t	secs = units / per_sec, frac = units % per_sec;
	int	n;

	n = snprintf(buf, len, "%02d:%02d:%02d", (int)(secs / 3600),
	    (int)(secs / 60 % 60), (int)(secs % 60));
	if (frac != 0 && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ".%0*lld",
		    per_sec == 1000000 ? 6 : 9, (long long)frac);
	return (n);
}

static json_t *
timestamp_json(int64_t v, int64_t per_sec, int tz)
{
	char	buf[96];
	int64_t	days, rem;
	int	n;

	days = v / (DAY_SECS * per_sec);
	rem = v % (DAY_SECS * per_sec);
	if (rem < 0) {
		rem += DAY_SECS * per_sec;
		days--;
	}
	n = fmt_date(buf, sizeof(buf), days);
	buf[n++] = 'T';
	n += fmt_time(buf + n, sizeof(buf) - n, rem, per_sec);
	if (tz)
		(void)snprintf(buf + n, sizeof(buf) - n, "+00:00");
	return (json_string(buf));
}

static json_t *
decimal_json(__int128 x, int scale)
{
	char			 buf[64], *p = buf + sizeof(buf) - 1;
	unsigned __int128	 u = x < 0 ? -(unsigned __int128)x :
				    (unsigned __int128)x;
	int			 n = 0;

	*p = '\0';
	do {
		if (n == scale && scale > 0)
			*--p = '.';
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
		n++;
	} while (u != 0 || n <= scale);
	if (x < 0)
		*--p = '-';
	return (json_string(p));
}

static json_t *
bytes_json(const struct ice_value *v, int uuid)
{
	static const char	 hex[] = "0123456789ABCDEF";
	static const char	 lhex[] = "0123456789abcdef";
	const char		*h = uuid ? lhex : hex;
	char			*buf;
	size_t			 i, n = 0;
	json_t			*j;

	if ((buf = malloc(v->u.s.n * 2 + 5)) == NULL)
		return (NULL);
	for (i = 0; i < v->u.s.n; i++) {
		if (uuid && (i == 4 || i == 6 || i == 8 || i == 10))
			buf[n++] = '-';
		buf[n++] = h[v->u.s.p[i] >> 4];
		buf[n++] = h[v->u.s.p[i] & 0xf];
	}
	j = json_stringn(buf, n);
	free(buf);
	return (j);
}

static json_t *
double_json(double d)
{
	if (isnan(d))
		return (json_string("NaN"));
	if (isinf(d))
		return (json_string(d > 0 ? "Infinity" : "-Infinity"));
	return (json_real(d));
}

/* Binary and fixed in upper-case hex: Java's reader (Guava base16). */
json_t *
ice_value_to_json(const struct ice_value *v, const struct ice_type *t)
{
	char	buf[64];

	if (v->is_null)
		return (json_null());
	switch (t->id) {
	case ICE_T_BOOLEAN:
		return (json_boolean(v->u.b));
	case ICE_T_INT:
	case ICE_T_LONG:
		return (json_integer(v->u.i));
	case ICE_T_FLOAT:
	case ICE_T_DOUBLE:
		return (double_json(v->u.d));
	case ICE_T_DECIMAL:
		return (decimal_json(v->u.dec, t->scale));
	case ICE_T_DATE:
		(void)fmt_date(buf, sizeof(buf), v->u.i);
		return (json_string(buf));
	case ICE_T_TIME:
		if (v->u.i < 0 || v->u.i >= DAY_SECS * 1000000)
			return (NULL);
		(void)fmt_time(buf, sizeof(buf), v->u.i, 1000000);
		return (json_string(buf));
	case ICE_T_TIMESTAMP:
	case ICE_T_TIMESTAMPTZ:
		return (timestamp_json(v->u.i, 1000000,
		    t->id == ICE_T_TIMESTAMPTZ));
	case ICE_T_TIMESTAMP_NS:
	case ICE_T_TIMESTAMPTZ_NS:
		return (timestamp_json(v->u.i, 1000000000,
		    t->id == ICE_T_TIMESTAMPTZ_NS));
	case ICE_T_STRING:
		return (json_stringn((const char *)v->u.s.p, v->u.s.n));
	case ICE_T_UUID:
		return (v->u.s.n == 16 ? bytes_json(v, 1) : NULL);
	case ICE_T_FIXED:
	case ICE_T_BINARY:
		return (bytes_json(v, 0));
	default:
		return (NULL);
	}
}
