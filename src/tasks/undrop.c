/*
 * Undrop's retention (tasks/undrop.h): the catalog's property, else the
 * operator's setting.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "tasks/undrop.h"

#define DAY_MS		(24.0 * 3600 * 1000)
/* A century, as the setting's bound: no overflow past it. */
#define MAX_DAYS	((double)PGL_UNDROP_MAX_DAYS)

/* The property's days, or -1 when absent or not a number >= 0. */
static double
property_days(const char *props)
{
	json_t		*obj, *j;
	const char	*v;
	char		*end;
	double		 d = -1;

	if (props == NULL || (obj = json_loads(props, 0, NULL)) == NULL)
		return (-1);
	j = json_object_get(obj, PGL_UNDROP_PROPERTY);
	if (json_is_string(j)) {
		v = json_string_value(j);
		errno = 0;
		d = strtod(v, &end);
		if (errno != 0 || end == v || *end != '\0' || !isfinite(d) ||
		    d < 0)
			d = -1;
	} else if (json_is_number(j) && json_number_value(j) >= 0)
		d = json_number_value(j);
	json_decref(obj);
	return (d > MAX_DAYS ? MAX_DAYS : d);
}

int64_t
pgl_undrop_retention_ms(const char *props, int days)
{
	double	d;

	if ((d = property_days(props)) < 0)
		d = days;
	if (d <= 0)
		return (0);
	/* A fraction of a day keeps at least a millisecond. */
	return (d * DAY_MS < 1 ? 1 : (int64_t)(d * DAY_MS));
}

int
pgl_undrop_days_valid(const char *v)
{
	long	days = 0;
	size_t	i;

	if (v == NULL || v[0] == '\0')
		return (0);
	/* Digit by digit: no sign, space, fraction or exponent, and no
	 * overflow (the bound is checked before the next digit). */
	for (i = 0; v[i] != '\0'; i++) {
		if (v[i] < '0' || v[i] > '9')
			return (0);
		days = days * 10 + (v[i] - '0');
		if (days > PGL_UNDROP_MAX_DAYS)
			return (0);
	}
	return (1);
}

int
pgl_undrop_expired(int64_t keep_ms, int64_t dropped_at_ms, int64_t now_ms)
{
	return (keep_ms == 0 || now_ms - dropped_at_ms >= keep_ms);
}
