#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/cloudevent.h"
#include "events/escape.h"
#include "util/json.h"
#include "util/names.h"

static int
fail(char *why, size_t whylen, const char *reason)
{
	(void)snprintf(why, whylen, "%s", reason);
	return (-1);
}

/* RFC 3339 in UTC with milliseconds, from epoch milliseconds. */
static int
rfc3339(json_int_t ms, char *buf, size_t size)
{
	struct tm	tm;
	time_t		secs = (time_t)(ms / 1000);
	size_t		n;

	if (gmtime_r(&secs, &tm) == NULL || tm.tm_year + 1900 > 9999)
		return (-1);
	if ((n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm)) == 0)
		return (-1);
	if (snprintf(buf + n, size - n, ".%03dZ", (int)(ms % 1000)) >=
	    (int)(size - n))
		return (-1);
	return (0);
}

/* The room the levels and name take escaped and joined; -1 when one of
 * them is not a string. */
static int
levels_len(const json_t *levels, const json_t *name, size_t *len)
{
	const json_t	*v;
	size_t		 i;

	*len = 1;
	json_array_foreach(levels, i, v) {
		if (!json_is_string(v))
			return (-1);
		*len += PGL_EVENT_ESCAPED_LEN(json_string_length(v));
	}
	if (name != NULL)
		*len += PGL_EVENT_ESCAPED_LEN(json_string_length(name));
	return (0);
}

/* levels then name (NULL: none), escaped and joined by '.': malloc'd. */
static char *
levels_text(const json_t *levels, const json_t *name)
{
	const json_t	*v;
	size_t		 i, len;
	char		*buf;

	if (levels_len(levels, name, &len) == -1 ||
	    (buf = calloc(1, len)) == NULL)
		return (NULL);
	json_array_foreach(levels, i, v) {
		if (i > 0)
			strcat(buf, ".");
		(void)pgl_event_escape_cat(buf, len, json_string_value(v));
	}
	if (name != NULL) {
		if (buf[0] != '\0')
			strcat(buf, ".");
		(void)pgl_event_escape_cat(buf, len, json_string_value(name));
	}
	return (buf);
}

/*
 * The object the operation acts on: identifier (a TableIdentifier, or a
 * CatalogObjectIdentifier array in Pangolin's x- operations), source (a
 * rename), namespace.  0 with *out malloc'd, or NULL when the operation
 * names none; -1 when what it names is malformed.  No depth is too deep:
 * namespaces have no level limit.
 */
static int
subject(const json_t *op, char **out)
{
	const json_t	*id, *ns, *name = NULL;

	*out = NULL;
	if ((id = json_object_get(op, "identifier")) == NULL)
		id = json_object_get(op, "source");
	if (json_is_object(id)) {
		ns = json_object_get(id, "namespace");
		name = json_object_get(id, "name");
		if (!json_is_string(name))
			return (-1);
	} else if (id != NULL)
		ns = id;
	else if ((ns = json_object_get(op, "namespace")) == NULL)
		return (0);
	if (!json_is_array(ns) || (*out = levels_text(ns, name)) == NULL)
		return (-1);
	/* The root namespace ([]): CloudEvents has no empty subject. */
	if ((*out)[0] == '\0') {
		free(*out);
		*out = NULL;
	}
	return (0);
}

static int
source(const char *tenant_id, const char *catalog, char *buf, size_t size)
{
	(void)snprintf(buf, size, "/pangolin/tenants/");
	if (pgl_event_escape_cat(buf, size, tenant_id) == -1)
		return (-1);
	/* A tenant-level change (a user, a grant) is the tenant's. */
	if (catalog[0] == '\0')
		return (0);
	if (strlen(buf) + sizeof("/catalogs/") > size)
		return (-1);
	strcat(buf, "/catalogs/");
	return (pgl_event_escape_cat(buf, size, catalog));
}

json_t *
pgl_cloudevent_build(json_t *event, const char *tenant_id,
    const char *catalog, char *why, size_t whylen)
{
	char		 src[2 * PGL_EVENT_ESCAPED_LEN(PGL_NAME_MAX) + 64];
	char		 at[40], *type, *subj;
	const char	*id, *optype;
	json_t		*op, *ts, *ce;

	id = pgl_json_str(event, "event-id");
	op = json_object_get(event, "operation");
	optype = pgl_json_str(op, "operation-type");
	ts = json_object_get(event, "timestamp-ms");
	if (id == NULL || id[0] == '\0')
		return (fail(why, whylen, "event-id: a non-empty string is "
		    "required"), NULL);
	if (!json_is_integer(ts) || json_integer_value(ts) < 0 ||
	    rfc3339(json_integer_value(ts), at, sizeof(at)) == -1)
		return (fail(why, whylen, "timestamp-ms: epoch milliseconds "
		    "are required"), NULL);
	if (optype == NULL || optype[0] == '\0')
		return (fail(why, whylen, "operation.operation-type: a "
		    "non-empty string is required"), NULL);
	if (tenant_id == NULL || tenant_id[0] == '\0' || catalog == NULL ||
	    source(tenant_id, catalog, src,
	    sizeof(src)) == -1)
		return (fail(why, whylen, "a tenant id and a catalog name "
		    "(\"\" for the tenant) of at most 255 bytes are "
		    "required"), NULL);
	if (subject(op, &subj) == -1)
		return (fail(why, whylen, "operation: its identifier, source "
		    "or namespace is malformed"), NULL);
	if (asprintf(&type, "%s%s", PGL_CLOUDEVENT_TYPE_PREFIX, optype) ==
	    -1) {
		free(subj);
		return (fail(why, whylen, "out of memory"), NULL);
	}
	ce = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "specversion", "1.0",
	    "id", id, "type", type, "source", src, "time", at,
	    "datacontenttype", "application/json");
	free(type);
	if (ce == NULL || (subj != NULL && json_object_set_new(ce, "subject",
	    json_string(subj)) == -1) || json_object_set(ce, "data", event) ==
	    -1) {
		free(subj);
		json_decref(ce);
		return (fail(why, whylen, "out of memory"), NULL);
	}
	free(subj);
	return (ce);
}

char *
pgl_cloudevent_text(json_t *event, const char *tenant_id,
    const char *catalog, char *why, size_t whylen)
{
	json_t	*ce;
	char	*text;

	if ((ce = pgl_cloudevent_build(event, tenant_id, catalog, why,
	    whylen)) == NULL)
		return (NULL);
	if ((text = pgl_json_dump(ce)) == NULL)
		(void)fail(why, whylen, "out of memory");
	json_decref(ce);
	return (text);
}
