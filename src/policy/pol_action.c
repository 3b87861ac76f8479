/*
 * The nine actions of ReadRestrictions (apache/iceberg PR 13879) and the
 * types each applies to, from the spec's "Applicable to" of each:
 *
 *   mask-alphanum, show-first-4, show-last-4     string
 *   mask-to-fixed-value   the types with a fixed value (every primitive
 *                         but unknown and the geo types; struct, list,
 *                         map)
 *   replace-with-null     any optional field (never a required one)
 *   truncate-to-year/-month  date, timestamp(tz)(_ns)
 *   sha-256-global/-query-local  string, int, long, binary
 *
 * No action targets a map's key, or anything inside one (the spec's rule
 * 4: keys masked into duplicates lose rows).
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

static const char *const	names[PGL_POL_NACTIONS] = {
	[PGL_POL_MASK_ALPHANUM] = "mask-alphanum",
	[PGL_POL_MASK_TO_FIXED_VALUE] = "mask-to-fixed-value",
	[PGL_POL_REPLACE_WITH_NULL] = "replace-with-null",
	[PGL_POL_SHOW_FIRST_4] = "show-first-4",
	[PGL_POL_SHOW_LAST_4] = "show-last-4",
	[PGL_POL_TRUNCATE_TO_YEAR] = "truncate-to-year",
	[PGL_POL_TRUNCATE_TO_MONTH] = "truncate-to-month",
	[PGL_POL_SHA_256_GLOBAL] = "sha-256-global",
	[PGL_POL_SHA_256_QUERY_LOCAL] = "sha-256-query-local",
};

const char *
pgl_pol_action_name(int action)
{
	if (action < 0 || action >= PGL_POL_NACTIONS)
		return (NULL);
	return (names[action]);
}

int
pgl_pol_action_parse(const char *name)
{
	int	i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < PGL_POL_NACTIONS; i++)
		if (strcmp(names[i], name) == 0)
			return (i);
	return (-1);
}

static int
one_of(const char *type, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(type, *list) == 0)
			return (1);
	return (0);
}

/* A primitive's name without its parameters: "decimal(9,2)" is decimal,
 * "fixed[16]" fixed, "geometry(...)" geometry. */
static void
base_name(const char *type, char *out, size_t len)
{
	size_t	n = strcspn(type, "([");

	if (n >= len)
		n = len - 1;
	memcpy(out, type, n);
	out[n] = '\0';
}

/* The type's name: a primitive's, or struct, list, map ("" if none). */
static void
type_name(const json_t *type, char *out, size_t len)
{
	const char	*s;

	if (json_is_string(type))
		base_name(json_string_value(type), out, len);
	else if ((s = json_string_value(json_object_get(type, "type"))) !=
	    NULL)
		(void)snprintf(out, len, "%s", s);
	else
		(void)snprintf(out, len, "%s", "");
}

static const char *const	strings[] = { "string", NULL };
static const char *const	times[] = { "date", "timestamp", "timestamptz",
    "timestamp_ns", "timestamptz_ns", NULL };
static const char *const	hashable[] = { "string", "int", "long",
    "binary", NULL };
static const char *const	fixed[] = { "boolean", "int", "long", "float",
    "double", "decimal", "string", "date", "time", "timestamp",
    "timestamptz", "timestamp_ns", "timestamptz_ns", "uuid", "fixed",
    "binary", "variant", "list", "map", "struct", NULL };

int
pgl_pol_applicable(int action, const struct pgl_pol_column *c, char *why,
    size_t whylen)
{
	const char *const	*ok = NULL;
	char			 t[64];

	type_name(c->type, t, sizeof(t));
	if (c->in_map_key) {
		(void)snprintf(why, whylen, "field %lld is a map's key (or "
		    "inside one): no action may target it",
		    (long long)c->id);
		return (-1);
	}
	switch (action) {
	case PGL_POL_MASK_ALPHANUM:
	case PGL_POL_SHOW_FIRST_4:
	case PGL_POL_SHOW_LAST_4:
		ok = strings;
		break;
	case PGL_POL_MASK_TO_FIXED_VALUE:
		ok = fixed;
		break;
	case PGL_POL_TRUNCATE_TO_YEAR:
	case PGL_POL_TRUNCATE_TO_MONTH:
		ok = times;
		break;
	case PGL_POL_SHA_256_GLOBAL:
	case PGL_POL_SHA_256_QUERY_LOCAL:
		ok = hashable;
		break;
	case PGL_POL_REPLACE_WITH_NULL:
		if (!c->required)
			return (0);
		(void)snprintf(why, whylen, "replace-with-null applies only "
		    "to optional fields; field %lld is required",
		    (long long)c->id);
		return (-1);
	default:
		(void)snprintf(why, whylen, "unknown action");
		return (-1);
	}
	if (one_of(t, ok))
		return (0);
	(void)snprintf(why, whylen, "%s does not apply to field %lld of type "
	    "%s", pgl_pol_action_name(action), (long long)c->id,
	    t[0] != '\0' ? t : "unknown");
	return (-1);
}
