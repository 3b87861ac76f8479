/*
 * Single values as JSON (the table spec's Appendix C): REST filter
 * literals in, here; partition values and bounds out, value_json_out.c.
 * Dates, times and timestamps are ISO-8601 strings; a filter may also
 * give them as the stored integer (days, micros, nanos) as Java's parser
 * accepts.
 */
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/value.h"
#include "util/arena.h"

#define DAY_SECS	INT64_C(86400)

/* Days from 1970-01-01 of a proleptic Gregorian date (400-year eras). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static int
month_days(int64_t y, int m)
{
	static const int	days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };
	int			leap;

	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return (m == 2 && leap ? 29 : days[m - 1]);
}

/* Exactly n digits at *s. */
static int
digits(const char **s, int n, int64_t *out)
{
	int64_t	v = 0;
	int	i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return (-1);
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return (0);
}

/* [+-]YYYY-MM-DD; a year of more than four digits carries a sign. */
static int
parse_date(const char **s, int64_t *days)
{
	const char	*p = *s;
	int64_t		 y = 0, m, d;
	int		 neg = 0, n = 0;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; isdigit((unsigned char)*p) && n < 9; p++, n++)
		y = y * 10 + (*p - '0');
	if (n < 4 || *p++ != '-' || digits(&p, 2, &m) == -1 ||
	    *p++ != '-' || digits(&p, 2, &d) == -1)
		return (-1);
	if (neg)
		y = -y;
	if (m < 1 || m > 12 || d < 1 || d > month_days(y, (int)m))
		return (-1);
	*days = days_from_civil(y, (int)m, (int)d);
	*s = p;
	return (0);
}

/* HH:MM[:SS[.fraction]] as nanoseconds of the day. */
static int
parse_time(const char **s, int64_t *nanos)
{
	const char	*p = *s;
	int64_t		 h, mi, sec = 0, frac = 0;
	int		 n;

	if (digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    digits(&p, 2, &mi) == -1)
		return (-1);
	if (*p == ':') {
		p++;
		if (digits(&p, 2, &sec) == -1)
			return (-1);
		if (*p == '.') {
			p++;
			for (n = 0; isdigit((unsigned char)*p); p++, n++) {
				if (n >= 9)
					return (-1);
				frac = frac * 10 + (*p - '0');
			}
			if (n == 0)
				return (-1);
			for (; n < 9; n++)
				frac *= 10;
		}
	}
	if (h > 23 || mi > 59 || sec > 59)
		return (-1);
	*nanos = ((h * 60 + mi) * 60 + sec) * INT64_C(1000000000) + frac;
	*s = p;
	return (0);
}

/* Z or +HH:MM[:SS] / -HH:MM[:SS], as seconds east of UTC. */
static int
parse_offset(const char **s, int64_t *secs)
{
	const char	*p = *s;
	int64_t		 h, m, sec = 0;
	int		 neg;

	if (*p == 'Z' || *p == 'z') {
		*secs = 0;
		*s = p + 1;
		return (0);
	}
	if (*p != '+' && *p != '-')
		return (-1);
	neg = *p++ == '-';
	if (digits(&p, 2, &h) == -1 || *p++ != ':' ||
	    digits(&p, 2, &m) == -1)
		return (-1);
	if (*p == ':' && (p++, digits(&p, 2, &sec) == -1))
		return (-1);
	if (h > 18 || m > 59 || sec > 59)
		return (-1);
	*secs = (h * 3600 + m * 60 + sec) * (neg ? -1 : 1);
	*s = p;
	return (0);
}

/*
 * A timestamp string in units per second (10^6 or 10^9).  A zone
 * offset is required for timestamptz and refused for timestamp, as
 * Java's LocalDateTime / OffsetDateTime parsers do.
 */
static int
parse_timestamp(const char *s, int tz, int64_t per_sec, int64_t *out)
{
	int64_t		days, nanos, off = 0;
	__int128	v;

	if (parse_date(&s, &days) == -1 || (*s != 'T' && *s != 't'))
		return (-1);
	s++;
	if (parse_time(&s, &nanos) == -1)
		return (-1);
	if (tz && parse_offset(&s, &off) == -1)
		return (-1);
	if (*s != '\0')
		return (-1);
	v = ((__int128)days * DAY_SECS - off) * per_sec +
	    nanos / (INT64_C(1000000000) / per_sec);
	if (v > INT64_MAX || v < INT64_MIN)
		return (-1);
	*out = (int64_t)v;
	return (0);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* Hex pairs (either case), skipping '-' where uuid puts them. */
static int
parse_hex(struct pgl_arena *a, const char *s, int uuid, struct ice_value *v)
{
	unsigned char	*out;
	size_t		 len = strlen(s), i, n = 0;
	int		 hi, lo;

	if (uuid && (len != 36 || s[8] != '-' || s[13] != '-' ||
	    s[18] != '-' || s[23] != '-'))
		return (-1);
	if ((out = pgl_arena_alloc(a, len / 2 + 1)) == NULL)
		return (-1);
	for (i = 0; i < len; ) {
		if (uuid && (i == 8 || i == 13 || i == 18 || i == 23)) {
			i++;
			continue;
		}
		if (i + 1 >= len || (hi = hexval(s[i])) < 0 ||
		    (lo = hexval(s[i + 1])) < 0)
			return (-1);
		out[n++] = (unsigned char)(hi << 4 | lo);
		i += 2;
	}
	v->u.s.p = out;
	v->u.s.n = n;
	return (0);
}

static __int128
pow10_128(int n)
{
	__int128	v = 1;

	while (n-- > 0)
		v *= 10;
	return (v);
}

/*
 * A decimal string ("-14.20", "1E-8" as Java's BigDecimal.toString
 * writes small ones) as an unscaled value of scale; fewer fraction
 * digits are scaled up, more refused (no rounding).
 */
static int
parse_decimal(const char *s, const struct ice_type *t, __int128 *out)
{
	__int128	 v = 0, lim = pow10_128(t->precision);
	int		 neg = 0, seen = 0, nd = 0, sc = 0, frac = 0;
	long		 e = 0;
	char		*end;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s) || (*s == '.' && !frac); s++) {
		if (*s == '.') {
			frac = 1;
			continue;
		}
		seen++;
		sc += frac;
		if (v == 0 && *s == '0')
			continue;
		if (++nd > 38)
			return (-1);
		v = v * 10 + (*s - '0');
	}
	if (seen == 0)
		return (-1);
	if (*s == 'e' || *s == 'E') {
		e = strtol(s + 1, &end, 10);
		if (end == s + 1 || e > 76 || e < -76)
			return (-1);
		s = end;
	}
	if (*s != '\0')
		return (-1);
	sc -= (int)e;
	if (sc > t->scale)
		return (-1);
	for (; sc < t->scale; sc++) {
		/* v * 10 stays below lim, a power of ten, or it is refused. */
		if (v >= lim / 10)
			return (-1);
		v *= 10;
	}
	if (v >= lim)
		return (-1);
	*out = neg ? -v : v;
	return (0);
}

/*
 * A JSON number for a decimal: an integer scales up; a real is taken
 * when printing it with the type's scale reads back as the same double
 * (14.2 for decimal(4,2) is 14.20; 14.205 is refused, not rounded).
 */
static int
decimal_number(const json_t *j, const struct ice_type *t, __int128 *out)
{
	char	buf[128];
	double	d;

	if (json_is_integer(j)) {
		(void)snprintf(buf, sizeof(buf), "%lld",
		    (long long)json_integer_value(j));
		return (parse_decimal(buf, t, out));
	}
	d = json_real_value(j);
	if (!isfinite(d) || fabs(d) > 1e38 || snprintf(buf, sizeof(buf),
	    "%.*f", t->scale, d) >= (int)sizeof(buf) || strtod(buf, NULL) != d)
		return (-1);
	return (parse_decimal(buf, t, out));
}

static int
special_double(const char *s, double *d)
{
	if (strcmp(s, "NaN") == 0)
		*d = NAN;
	else if (strcmp(s, "Infinity") == 0)
		*d = INFINITY;
	else if (strcmp(s, "-Infinity") == 0)
		*d = -INFINITY;
	else
		return (-1);
	return (0);
}

static int
from_number(const struct ice_type *t, const json_t *j, struct ice_value *v,
    const char **why)
{
	double	d;

	if (json_is_string(j)) {
		if (special_double(json_string_value(j), &d) == -1)
			return (*why = "a float or double literal must be a "
			    "JSON number", -1);
	} else if (!json_is_number(j))
		return (*why = "a float or double literal must be a JSON "
		    "number", -1);
	else
		d = json_number_value(j);
	if (t->id == ICE_T_FLOAT) {
		if (isfinite(d) && fabs(d) > FLT_MAX)
			return (*why = "value out of range for float", -1);
		d = (double)(float)d;
	}
	v->u.d = d;
	return (0);
}

static int
from_integer(const struct ice_type *t, const json_t *j, struct ice_value *v,
    const char **why)
{
	json_int_t	i;

	if (!json_is_integer(j))
		return (*why = t->id == ICE_T_INT ? "an int literal must be a "
		    "JSON integer" : "a long literal must be a JSON integer",
		    -1);
	i = json_integer_value(j);
	if (t->id == ICE_T_INT && (i < INT32_MIN || i > INT32_MAX))
		return (*why = "value out of range for int", -1);
	v->u.i = i;
	return (0);
}

/* date, time, timestamps: the ISO string or the stored integer. */
static int
from_temporal(const struct ice_type *t, const json_t *j, struct ice_value *v,
    const char **why)
{
	const char	*s;
	int64_t		 x;
	int		 ns;

	if (json_is_integer(j)) {
		x = json_integer_value(j);
		if (t->id == ICE_T_DATE && (x < INT32_MIN || x > INT32_MAX))
			return (*why = "value out of range for date", -1);
		if (t->id == ICE_T_TIME && (x < 0 ||
		    x >= DAY_SECS * 1000000))
			return (*why = "value out of range for time", -1);
		v->u.i = x;
		return (0);
	}
	if (!json_is_string(j))
		return (*why = "a date, time or timestamp literal must be an "
		    "ISO-8601 string", -1);
	s = json_string_value(j);
	ns = t->id == ICE_T_TIMESTAMP_NS || t->id == ICE_T_TIMESTAMPTZ_NS;
	if (t->id == ICE_T_DATE) {
		if (parse_date(&s, &x) == -1 || *s != '\0' ||
		    x < INT32_MIN || x > INT32_MAX)
			return (*why = "invalid date, want YYYY-MM-DD", -1);
	} else if (t->id == ICE_T_TIME) {
		if (parse_time(&s, &x) == -1 || *s != '\0')
			return (*why = "invalid time, want HH:MM:SS[.ffffff]",
			    -1);
		x /= 1000;
	} else if (parse_timestamp(s, t->id == ICE_T_TIMESTAMPTZ ||
	    t->id == ICE_T_TIMESTAMPTZ_NS, ns ? 1000000000 : 1000000,
	    &x) == -1)
		return (*why = t->id == ICE_T_TIMESTAMP ||
		    t->id == ICE_T_TIMESTAMP_NS ? "invalid timestamp, want "
		    "YYYY-MM-DDTHH:MM:SS[.ffffff] without a zone" :
		    "invalid timestamptz, want YYYY-MM-DDTHH:MM:SS[.ffffff]"
		    "+00:00", -1);
	v->u.i = x;
	return (0);
}

static int
from_bytes(struct pgl_arena *a, const struct ice_type *t, const json_t *j,
    struct ice_value *v, const char **why)
{
	const char	*s;
	char		*copy;

	if (!json_is_string(j))
		return (*why = "a string, uuid, fixed or binary literal must "
		    "be a JSON string", -1);
	s = json_string_value(j);
	if (t->id == ICE_T_STRING) {
		if ((copy = pgl_arena_strndup(a, s, json_string_length(j))) ==
		    NULL)
			return (*why = "out of memory", -1);
		v->u.s.p = (const unsigned char *)copy;
		v->u.s.n = json_string_length(j);
		return (0);
	}
	if (parse_hex(a, s, t->id == ICE_T_UUID, v) == -1)
		return (*why = t->id == ICE_T_UUID ? "invalid uuid" :
		    "invalid hex string", -1);
	if (t->id == ICE_T_FIXED && v->u.s.n != (size_t)t->length)
		return (*why = "fixed literal of the wrong length", -1);
	return (0);
}

int
ice_value_from_json(struct pgl_arena *a, const struct ice_type *t,
    const json_t *j, struct ice_value *v, const char **why)
{
	const char	*dummy;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	memset(v, 0, sizeof(*v));
	v->tid = t->id;
	if (j == NULL || json_is_null(j)) {
		v->is_null = 1;
		return (0);
	}
	/* A NUL inside the string would hide what follows it. */
	if (json_is_string(j) && t->id != ICE_T_STRING &&
	    strlen(json_string_value(j)) != json_string_length(j))
		return (*why = "a literal may not hold a NUL character", -1);
	switch (t->id) {
	case ICE_T_BOOLEAN:
		if (!json_is_boolean(j))
			return (*why = "a boolean literal must be true or "
			    "false", -1);
		v->u.b = json_is_true(j);
		return (0);
	case ICE_T_INT:
	case ICE_T_LONG:
		return (from_integer(t, j, v, why));
	case ICE_T_FLOAT:
	case ICE_T_DOUBLE:
		return (from_number(t, j, v, why));
	case ICE_T_DECIMAL:
		if ((json_is_string(j) ? parse_decimal(json_string_value(j), t,
		    &v->u.dec) : json_is_number(j) ? decimal_number(j, t,
		    &v->u.dec) : -1) == -1)
			return (*why = "invalid decimal for the type's "
			    "precision and scale", -1);
		return (0);
	case ICE_T_DATE:
	case ICE_T_TIME:
	case ICE_T_TIMESTAMP:
	case ICE_T_TIMESTAMPTZ:
	case ICE_T_TIMESTAMP_NS:
	case ICE_T_TIMESTAMPTZ_NS:
		return (from_temporal(t, j, v, why));
	case ICE_T_STRING:
	case ICE_T_UUID:
	case ICE_T_FIXED:
	case ICE_T_BINARY:
		return (from_bytes(a, t, j, v, why));
	default:
		return (*why = "not a primitive type", -1);
	}
}
