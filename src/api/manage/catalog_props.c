/*
 * A catalog's properties as the management API sets them (catalogs.c):
 * the values the catalog itself reads are checked when they are set, not
 * ignored when they are read, and an update merges into what is kept,
 * null removing a property (JSON merge patch, RFC 7396).
 *
 * pangolin.undrop-retention-days (tasks/undrop.h) takes what [undrop]
 * retention_days takes: whole days from 0 to 36500.  A value that does
 * not parse used to be ignored (the setting applied), so a typo was
 * never noticed; it is refused now, naming the property and its range.
 */
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "tasks/undrop.h"

int
api_catalog_props_check(struct pgl_req *r, const json_t *props)
{
	const json_t	*v = json_object_get(props, PGL_UNDROP_PROPERTY);

	if (v == NULL || json_is_null(v) ||
	    pgl_undrop_days_valid(json_string_value(v)))
		return (0);
	pgl_reply_error(r, 400, "catalog property %s must be a whole number "
	    "of days from 0 to %d (0: every drop is final), as [undrop] "
	    "retention_days; got '%.64s'", PGL_UNDROP_PROPERTY,
	    PGL_UNDROP_MAX_DAYS, json_is_string(v) ? json_string_value(v) :
	    "(not a string)");
	return (-1);
}

int
api_catalog_props_merge(struct pgl_req *r, struct pgl_catalog *c,
    const json_t *upd)
{
	const char	*k;
	json_t		*props, *v;

	json_object_foreach((json_t *)upd, k, v) {
		if (json_is_string(v) || json_is_null(v))
			continue;
		pgl_reply_error(r, 400, "field `properties` must be an object "
		    "of strings (null removes one): `%.64s` is not", k);
		return (-1);
	}
	if (api_catalog_props_check(r, upd) == -1)
		return (-1);
	if ((props = api_obj(c->properties)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	json_object_foreach((json_t *)upd, k, v) {
		if (json_is_null(v))
			(void)json_object_del(props, k);
		else if (json_object_set(props, k, v) == -1) {
			json_decref(props);
			pgl_reply_error(r, 503, "out of memory");
			return (-1);
		}
	}
	if (api_map_fits(r, props, "properties") == -1) {
		json_decref(props);
		return (-1);
	}
	c->properties = api_text(r->arena, props);
	json_decref(props);
	if (c->properties == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	return (0);
}
