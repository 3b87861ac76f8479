/*
 * Primitive type strings and partition/sort transforms (§1.2).  Both
 * are canonicalized the way Java prints them ("decimal(9, 2)",
 * "bucket[16]"), so identical schemas and compatible specs compare
 * equal as JSON (§1.4).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "iceberg/internal.h"

static const char *const simple_types[] = {
	"boolean", "int", "long", "float", "double", "date", "time",
	"timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns",
	"string", "uuid", "binary", "variant", "unknown", NULL
};

/* Java's \s. */
static const char *
ws(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
	    *s == '\f' || *s == '\v')
		s++;
	return (s);
}

/* Decimal digits that fit an int; NULL if none or too large. */
static const char *
number(const char *s, int64_t *out)
{
	int64_t	v = 0;

	if (!isdigit((unsigned char)*s))
		return (NULL);
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (*s - '0');
		if (v > INT32_MAX)
			return (NULL);
	}
	*out = v;
	return (s);
}

static int
prefix(const char *s, const char *p)
{
	return (strncasecmp(s, p, strlen(p)) == 0);
}

/* "fixed[ L ]" */
static json_t *
fixed(const char *s)
{
	int64_t	len;

	if ((s = number(ws(s + strlen("fixed[")), &len)) == NULL)
		return (NULL);
	s = ws(s);
	if (*s != ']' || s[1] != '\0')
		return (NULL);
	return (json_sprintf("fixed[%lld]", (long long)len));
}

/* "decimal( P , S )", P <= 38 */
static json_t *
decimal(const char *s)
{
	int64_t	p, sc;

	if ((s = number(ws(s + strlen("decimal(")), &p)) == NULL)
		return (NULL);
	s = ws(s);
	if (*s++ != ',' || (s = number(ws(s), &sc)) == NULL)
		return (NULL);
	s = ws(s);
	if (*s != ')' || s[1] != '\0' || p > 38)
		return (NULL);
	return (json_sprintf("decimal(%lld, %lld)", (long long)p,
	    (long long)sc));
}

/* Copy s[0..n) trimmed of Java whitespace. */
static void
trimmed(const char *s, size_t n, char *out, size_t outlen)
{
	const char	*end = s + n;

	s = ws(s);
	n = s < end ? (size_t)(end - s) : 0;
	while (n > 0 && strchr(" \t\n\r\f\v", s[n - 1]) != NULL)
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/*
 * "geometry", "geometry(crs)", "geography", "geography(crs)",
 * "geography(crs, algorithm)" (v3).  The crs keeps its case.
 */
static json_t *
geo(const char *s, const char *name)
{
	const char	*open, *comma, *close;
	char		 crs[128], alg[64];

	open = ws(s + strlen(name));
	if (*open == '\0')
		return (json_string(name));
	if (*open != '(' || (close = strchr(open, ')')) == NULL ||
	    close[1] != '\0' || (size_t)(close - open) >= sizeof(crs))
		return (NULL);
	comma = memchr(open, ',', close - open);
	if (comma != NULL && strcmp(name, "geometry") == 0)
		return (NULL);
	trimmed(open + 1, (comma ? comma : close) - open - 1, crs,
	    sizeof(crs));
	if (comma == NULL)
		return (crs[0] == '\0' ? json_string(name) :
		    json_sprintf("%s(%s)", name, crs));
	trimmed(comma + 1, close - comma - 1, alg, sizeof(alg));
	return (json_sprintf("%s(%s, %s)", name, crs, alg));
}

/* The canonical form of a primitive type string, or NULL. */
json_t *
ice_type_primitive(const char *s)
{
	char	lower[32];
	size_t	i, n;

	if (s == NULL)
		return (NULL);
	if ((n = strlen(s)) < sizeof(lower)) {
		for (i = 0; i <= n; i++)
			lower[i] = (char)tolower((unsigned char)s[i]);
		for (i = 0; simple_types[i] != NULL; i++) {
			if (strcmp(lower, simple_types[i]) == 0)
				return (json_string(simple_types[i]));
		}
	}
	if (prefix(s, "fixed["))
		return (fixed(s));
	if (prefix(s, "decimal("))
		return (decimal(s));
	if (prefix(s, "geometry"))
		return (geo(s, "geometry"));
	if (prefix(s, "geography"))
		return (geo(s, "geography"));
	return (NULL);
}

/* §1.2: types a v1/v2 table may not use. */
int
ice_type_v3_only(const char *t)
{
	return (strcmp(t, "timestamp_ns") == 0 ||
	    strcmp(t, "timestamptz_ns") == 0 || strcmp(t, "variant") == 0 ||
	    strcmp(t, "unknown") == 0 || prefix(t, "geometry") ||
	    prefix(t, "geography"));
}

/* Variant is not a primitive in Java: no partitioning or sorting by it. */
int
ice_type_is_primitive(const json_t *type)
{
	return (json_is_string(type) &&
	    strcmp(json_string_value(type), "variant") != 0);
}

/* "bucket[N]" / "truncate[W]": Java's (\w+)\[(\d+)\], N > 0. */
static enum ice_xform
width(const char *s, json_t **canon)
{
	const char	*open, *p;
	int64_t		 n;

	if ((open = strchr(s, '[')) == NULL)
		return (ICE_X_UNKNOWN);
	for (p = s; p < open; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_')
			return (ICE_X_UNKNOWN);
	}
	for (p = open + 1; isdigit((unsigned char)*p); p++)
		;
	if (p == open + 1 || *p != ']' || p[1] != '\0')
		return (ICE_X_UNKNOWN);
	if ((size_t)(open - s) == strlen("bucket") && prefix(s, "bucket")) {
		if (number(open + 1, &n) == NULL || n <= 0)
			return (ICE_X_BAD);
		*canon = json_sprintf("bucket[%lld]", (long long)n);
		return (ICE_X_BUCKET);
	}
	if ((size_t)(open - s) == strlen("truncate") && prefix(s, "truncate")) {
		if (number(open + 1, &n) == NULL || n <= 0)
			return (ICE_X_BAD);
		*canon = json_sprintf("truncate[%lld]", (long long)n);
		return (ICE_X_TRUNCATE);
	}
	return (ICE_X_UNKNOWN);
}

/*
 * Parse a transform; *canon gets its canonical string (new reference)
 * unless ICE_X_BAD is returned.  Unknown names are kept as written, as
 * Java keeps them (UnknownTransform); callers decide whether to accept.
 */
enum ice_xform
ice_transform(const char *s, json_t **canon)
{
	static const struct {
		const char	*name;
		enum ice_xform	 kind;
	} plain[] = {
		{ "identity", ICE_X_IDENTITY }, { "year", ICE_X_YEAR },
		{ "month", ICE_X_MONTH }, { "day", ICE_X_DAY },
		{ "hour", ICE_X_HOUR }, { "void", ICE_X_VOID },
	};
	enum ice_xform	kind;
	size_t		i;

	*canon = NULL;
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		if (ice_strieq(s, plain[i].name)) {
			*canon = json_string(plain[i].name);
			return (*canon == NULL ? ICE_X_BAD : plain[i].kind);
		}
	}
	if ((kind = width(s, canon)) == ICE_X_UNKNOWN)
		*canon = json_string(s);
	if (kind != ICE_X_BAD && *canon == NULL)
		return (ICE_X_BAD);
	return (kind);
}

static int
is_one_of(const char *t, const char *const *list)
{
	for (; *list != NULL; list++) {
		if (strcmp(t, *list) == 0)
			return (1);
	}
	return (0);
}

/* Which source types a transform accepts (spec "Partition Transforms"). */
int
ice_transform_applies(enum ice_xform x, const json_t *type)
{
	static const char *const dates[] = { "date", "timestamp",
	    "timestamptz", "timestamp_ns", "timestamptz_ns", NULL };
	static const char *const times[] = { "timestamp", "timestamptz",
	    "timestamp_ns", "timestamptz_ns", NULL };
	static const char *const trunc[] = { "int", "long", "string",
	    "binary", NULL };
	static const char *const bucket[] = { "int", "long", "date", "time",
	    "timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns",
	    "string", "uuid", "binary", NULL };
	const char	*t;

	if ((t = json_string_value(type)) == NULL)
		return (x == ICE_X_VOID || x == ICE_X_UNKNOWN);
	switch (x) {
	case ICE_X_IDENTITY:
		return (strcmp(t, "variant") != 0 && !prefix(t, "geometry") &&
		    !prefix(t, "geography"));
	case ICE_X_BUCKET:
		return (is_one_of(t, bucket) || prefix(t, "decimal(") ||
		    prefix(t, "fixed["));
	case ICE_X_TRUNCATE:
		return (is_one_of(t, trunc) || prefix(t, "decimal("));
	case ICE_X_YEAR:
	case ICE_X_MONTH:
	case ICE_X_DAY:
		return (is_one_of(t, dates));
	case ICE_X_HOUR:
		return (is_one_of(t, times));
	case ICE_X_VOID:
	case ICE_X_UNKNOWN:
		return (1);
	case ICE_X_BAD:
		break;
	}
	return (0);
}
