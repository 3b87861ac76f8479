#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/cloudevent.h"
#include "events/escape.h"
#include "util/json.h"
#include "util/names.h"

/* A subject of a table three namespace levels down, every byte escaped. */
#define SUBJECT_MAX	(8 * PGL_EVENT_ESCAPED_LEN(PGL_NAME_MAX))

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

/* A '.' between levels: literal, each level's own dots being escaped. */
static int
dot_cat(char *buf, size_t size)
{
	size_t	n = strlen(buf);

	if (n == 0)
		return (0);
	if (n + 2 > size)
		return (-1);
	buf[n] = '.';
	buf[n + 1] = '\0';
	return (0);
}

/* Append each string of levels, escaped and joined by '.'. */
static int
levels_cat(char *buf, size_t size, const json_t *levels)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(levels, i, v) {
		if (!json_is_string(v) || dot_cat(buf, size) == -1 ||
		    pgl_event_escape_cat(buf, size, json_string_value(v)) == -1)
			return (-1);
	}
	return (0);
}

/*
 * The object the operation acts on: identifier (a TableIdentifier, or a
 * CatalogObjectIdentifier array in Pangolin's x- operations), source (a
 * rename), namespace.  0 with buf empty when there is none.
 */
static int
subject(const json_t *op, char *buf, size_t size)
{
	const json_t	*id, *ns, *name;

	buf[0] = '\0';
	if ((id = json_object_get(op, "identifier")) == NULL)
		id = json_object_get(op, "source");
	if (json_is_array(id))
		return (levels_cat(buf, size, id));
	if (json_is_object(id)) {
		ns = json_object_get(id, "namespace");
		name = json_object_get(id, "name");
		if (!json_is_array(ns) || !json_is_string(name) ||
		    levels_cat(buf, size, ns) == -1 || dot_cat(buf, size) == -1)
			return (-1);
		return (pgl_event_escape_cat(buf, size,
		    json_string_value(name)));
	}
	if (id != NULL)
		return (-1);
	if ((ns = json_object_get(op, "namespace")) != NULL)
		return (json_is_array(ns) ? levels_cat(buf, size, ns) : -1);
	return (0);
}

static int
source(const char *tenant_id, const char *catalog, char *buf, size_t size)
{
	(void)snprintf(buf, size, "/pangolin/tenants/");
	if (pgl_event_escape_cat(buf, size, tenant_id) == -1)
		return (-1);
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
	char		 subj[SUBJECT_MAX], at[40], *type;
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
	    catalog[0] == '\0' || source(tenant_id, catalog, src,
	    sizeof(src)) == -1)
		return (fail(why, whylen, "a tenant id and a catalog name of "
		    "at most 255 bytes are required"), NULL);
	if (subject(op, subj, sizeof(subj)) == -1)
		return (fail(why, whylen, "operation: its identifier, source "
		    "or namespace is malformed or too long"), NULL);
	if (asprintf(&type, "%s%s", PGL_CLOUDEVENT_TYPE_PREFIX, optype) == -1)
		return (fail(why, whylen, "out of memory"), NULL);
	ce = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "specversion", "1.0",
	    "id", id, "type", type, "source", src, "time", at,
	    "datacontenttype", "application/json");
	free(type);
	if (ce == NULL || (subj[0] != '\0' && json_object_set_new(ce,
	    "subject", json_string(subj)) == -1) ||
	    json_object_set(ce, "data", event) == -1) {
		json_decref(ce);
		return (fail(why, whylen, "out of memory or not UTF-8"), NULL);
	}
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
