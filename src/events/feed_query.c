/*
 * QueryEventsRequest (feed_query.h): checked field by field, so that a
 * filter the server would not apply is refused rather than ignored (a
 * consumer that asked for three operation types and got all of them
 * would act on events it never wanted).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pangolin/store.h"	/* PGL_NS_SEP: how namespaces cross */

#include "events/event_types.h"
#include "events/feed_query.h"
#include "util/json.h"
#include "util/names.h"
#include "util/uuid.h"

static const struct pgl_jfield query_fields[] = {
	{ "continuation-token", PGL_J_STRING, 0 },
	{ "page-size", PGL_J_INT, 0 },
	{ "since-timestamp-ms", PGL_J_INT, 0 },
	{ "operation-types", PGL_J_STRLIST, 0 },
	{ "catalog-objects-by-name", PGL_J_ARRAY, 0 },
	{ "catalog-objects-by-uuid", PGL_J_STRLIST, 0 },
	{ "object-types", PGL_J_STRLIST, 0 },
	{ "custom-filters", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

static int
fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return (-1);
}

/* The list under key, or NULL when absent or null; -1 when too long. */
static int
list(const json_t *body, const char *key, const json_t **out, char *why,
    size_t whylen)
{
	const json_t	*v = json_object_get(body, key);

	*out = json_is_array(v) ? v : NULL;
	if (*out != NULL && json_array_size(v) > PGL_FEED_FILTER_MAX)
		return (fail(why, whylen, "%s: at most %d entries", key,
		    PGL_FEED_FILTER_MAX));
	return (0);
}

static int
operation_types(const json_t *body, struct pgl_feed_query *q, char *why,
    size_t whylen)
{
	const json_t	*a, *v;
	size_t		 i;

	if (list(body, "operation-types", &a, why, whylen) == -1)
		return (-1);
	if (a == NULL)
		return (0);
	json_array_foreach(a, i, v) {
		if (pgl_event_type_find(json_string_value(v)) == NULL)
			return (fail(why, whylen, "operation-types: unknown "
			    "operation type \"%.64s\"", json_string_value(v)));
	}
	return ((q->operation_types = json_deep_copy(a)) == NULL ?
	    fail(why, whylen, "out of memory") : 0);
}

static int
object_types(const json_t *body, struct pgl_feed_query *q, char *why,
    size_t whylen)
{
	const json_t	*a, *v;
	size_t		 i;

	if (list(body, "object-types", &a, why, whylen) == -1)
		return (-1);
	if (a == NULL)
		return (0);
	json_array_foreach(a, i, v) {
		if (!pgl_event_object_type_valid(json_string_value(v)))
			return (fail(why, whylen, "object-types: \"%.64s\" is "
			    "not one of namespace, table, view",
			    json_string_value(v)));
	}
	return ((q->object_types = json_deep_copy(a)) == NULL ?
	    fail(why, whylen, "out of memory") : 0);
}

static int
object_uuids(const json_t *body, struct pgl_feed_query *q, char *why,
    size_t whylen)
{
	const json_t	*a, *v;
	char		 low[PGL_UUID_LEN + 1];
	size_t		 i, j;

	if (list(body, "catalog-objects-by-uuid", &a, why, whylen) == -1)
		return (-1);
	if (a == NULL)
		return (0);
	if ((q->object_uuids = json_array()) == NULL)
		return (fail(why, whylen, "out of memory"));
	json_array_foreach(a, i, v) {
		if (!pgl_uuid_valid(json_string_value(v)))
			return (fail(why, whylen, "catalog-objects-by-uuid: "
			    "\"%.64s\" is not a UUID", json_string_value(v)));
		for (j = 0; j <= PGL_UUID_LEN; j++)
			low[j] = (char)tolower((unsigned char)
			    json_string_value(v)[j]);
		if (json_array_append_new(q->object_uuids, json_string(low))
		    == -1)
			return (fail(why, whylen, "out of memory"));
	}
	return (0);
}

/* One CatalogObjectIdentifier: its levels joined by PGL_NS_SEP. */
static json_t *
joined(const json_t *levels, size_t at, char *why, size_t whylen)
{
	const json_t	*v;
	const char	*bad;
	char		*buf, *p;
	size_t		 i, len = 1;
	json_t		*s;

	if (!json_is_array(levels) || json_array_size(levels) == 0) {
		(void)fail(why, whylen, "catalog-objects-by-name[%zu]: an "
		    "array of one or more name levels is required", at);
		return (NULL);
	}
	json_array_foreach(levels, i, v) {
		if (!json_is_string(v) ||
		    (bad = pgl_name_check(json_string_value(v))) != NULL) {
			(void)fail(why, whylen, "catalog-objects-by-name[%zu]"
			    "[%zu]: %s", at, i, json_is_string(v) ? bad :
			    "must be a string");
			return (NULL);
		}
		len += json_string_length(v) + 1;
	}
	if ((p = buf = malloc(len)) == NULL)
		return (NULL);
	json_array_foreach(levels, i, v) {
		if (i > 0)
			*p++ = PGL_NS_SEP;
		memcpy(p, json_string_value(v), json_string_length(v));
		p += json_string_length(v);
	}
	*p = '\0';
	s = json_string(buf);
	free(buf);
	return (s);
}

static int
object_names(const json_t *body, struct pgl_feed_query *q, char *why,
    size_t whylen)
{
	const json_t	*a, *v;
	json_t		*s;
	size_t		 i;

	if (list(body, "catalog-objects-by-name", &a, why, whylen) == -1)
		return (-1);
	if (a == NULL)
		return (0);
	if ((q->object_names = json_array()) == NULL)
		return (fail(why, whylen, "out of memory"));
	json_array_foreach(a, i, v) {
		why[0] = '\0';
		if ((s = joined(v, i, why, whylen)) == NULL)
			return (why[0] != '\0' ? -1 :
			    fail(why, whylen, "out of memory"));
		if (json_array_append_new(q->object_names, s) == -1)
			return (fail(why, whylen, "out of memory"));
	}
	return (0);
}

/* token, page-size, since-timestamp-ms, custom-filters. */
static int
scalars(const json_t *body, struct pgl_feed_query *q, char *why,
    size_t whylen)
{
	const char	*tok = pgl_json_str(body, "continuation-token");
	const json_t	*v;
	void		*it;

	/* "" is a first request, as an empty pageToken is for lists. */
	if (tok != NULL && strlen(tok) > PGL_FEED_TOKEN_TEXT_MAX)
		return (fail(why, whylen, "continuation-token: longer than "
		    "any token this server gives"));
	if (tok != NULL && tok[0] != '\0' &&
	    (q->token = strdup(tok)) == NULL)
		return (fail(why, whylen, "out of memory"));
	q->page_size = PGL_FEED_PAGE_DEFAULT;
	if (json_is_integer(v = json_object_get(body, "page-size"))) {
		if (json_integer_value(v) < 1)
			return (fail(why, whylen, "page-size: must be at "
			    "least 1"));
		q->page_size = json_integer_value(v) > PGL_FEED_PAGE_MAX ?
		    PGL_FEED_PAGE_MAX : (uint32_t)json_integer_value(v);
	}
	if (json_is_integer(v = json_object_get(body,
	    "since-timestamp-ms"))) {
		if (json_integer_value(v) < 0)
			return (fail(why, whylen, "since-timestamp-ms: must "
			    "be epoch milliseconds, not negative"));
		/* The spec: with a token, the token decides. */
		q->since_ms = q->token != NULL ? 0 : json_integer_value(v);
	}
	/* No custom filter is implemented: one asked for is refused, not
	 * ignored (it would widen the answer unseen). */
	if ((it = json_object_iter((json_t *)json_object_get(body,
	    "custom-filters"))) != NULL)
		return (fail(why, whylen, "custom-filters: \"%.64s\" is not "
		    "a filter this server knows", json_object_iter_key(it)));
	return (0);
}

int
pgl_feed_query_parse(const json_t *body, struct pgl_feed_query *q,
    char *why, size_t whylen)
{
	memset(q, 0, sizeof(*q));
	if (body == NULL)
		return (fail(why, whylen, "a QueryEventsRequest body is "
		    "required"));
	if (pgl_json_check(body, query_fields, why, whylen) == -1)
		return (-1);
	if (scalars(body, q, why, whylen) == -1 ||
	    operation_types(body, q, why, whylen) == -1 ||
	    object_types(body, q, why, whylen) == -1 ||
	    object_uuids(body, q, why, whylen) == -1 ||
	    object_names(body, q, why, whylen) == -1)
		return (-1);
	return (0);
}

void
pgl_feed_query_free(struct pgl_feed_query *q)
{
	free(q->token);
	json_decref(q->operation_types);
	json_decref(q->object_types);
	json_decref(q->object_uuids);
	json_decref(q->object_names);
	memset(q, 0, sizeof(*q));
}

/* 1 if s is one of list's strings (cmp: strcmp or strcasecmp). */
static int
in_list(const json_t *list, const char *s,
    int (*cmp)(const char *, const char *))
{
	const json_t	*v;
	size_t		 i;

	if (s == NULL)
		return (0);
	json_array_foreach(list, i, v) {
		if (cmp(json_string_value(v), s) == 0)
			return (1);
	}
	return (0);
}

/* 1 if some entry equals path or is a leading part of it, by levels. */
static int
name_match(const json_t *names, const char *path)
{
	const json_t	*v;
	size_t		 i, n;

	if (path == NULL)
		return (0);
	json_array_foreach(names, i, v) {
		n = json_string_length(v);
		if (strncmp(path, json_string_value(v), n) == 0 &&
		    (path[n] == '\0' || path[n] == PGL_NS_SEP))
			return (1);
	}
	return (0);
}

int
pgl_feed_query_match(const struct pgl_feed_query *q,
    const struct pgl_feed_event_fields *e)
{
	if (q->since_ms > 0 && e->ts_ms < q->since_ms)
		return (0);
	if (q->operation_types != NULL &&
	    !in_list(q->operation_types, e->operation_type, strcmp))
		return (0);
	if (q->object_types != NULL &&
	    !in_list(q->object_types, e->object_type, strcmp))
		return (0);
	if (q->object_uuids != NULL &&
	    !in_list(q->object_uuids, e->object_uuid, strcasecmp))
		return (0);
	if (q->object_names != NULL && !name_match(q->object_names,
	    e->object_name) && !name_match(q->object_names, e->dest_name))
		return (0);
	return (1);
}
