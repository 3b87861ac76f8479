/*
 * A subscription's filter: parsed once at subscribe, matched for each
 * event the dispatcher reads (webhook_filter.h).
 */
#include <stdio.h>
#include <string.h>

#include "events/event_types.h"
#include "events/webhook_filter.h"

#define NAME_MAX_LEN	1024

/* A non-empty string without control bytes, at most NAME_MAX_LEN. */
static int
name_ok(const json_t *v)
{
	const char	*s = json_string_value(v);
	size_t		 i, n;

	if (s == NULL || (n = strlen(s)) == 0 || n > NAME_MAX_LEN)
		return (0);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (0);
	return (1);
}

/* The list k of body: an array of at most PGL_WEBHOOK_FILTER_MAX, or
 * absent / null (*out NULL).  -1 with why. */
static int
list_of(const json_t *body, const char *k, json_t **out, char *why,
    size_t whylen)
{
	json_t	*v = json_object_get(body, k);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_array(v) || json_array_size(v) >
	    PGL_WEBHOOK_FILTER_MAX) {
		(void)snprintf(why, whylen, "%s must be an array of at most "
		    "%d entries", k, PGL_WEBHOOK_FILTER_MAX);
		return (-1);
	}
	*out = v;
	return (0);
}

/* "a.b" -> ["a","b"]; ["a.b","c"] kept; else NULL. */
static json_t *
levels_of(const json_t *v)
{
	json_t		*out, *l;
	const char	*s, *dot;
	size_t		 i;

	if (json_is_array(v)) {
		if (json_array_size(v) == 0)
			return (NULL);
		json_array_foreach(v, i, l)
			if (!name_ok(l))
				return (NULL);
		return (json_deep_copy(v));
	}
	if (!name_ok(v) || (out = json_array()) == NULL)
		return (NULL);
	for (s = json_string_value(v); ; s = dot + 1) {
		dot = strchr(s, '.');
		if ((dot != NULL ? dot == s : *s == '\0') ||
		    json_array_append_new(out, dot != NULL ?
		    json_stringn(s, (size_t)(dot - s)) : json_string(s)) ==
		    -1) {
			json_decref(out);
			return (NULL);
		}
		if (dot == NULL)
			return (out);
	}
}

json_t *
pgl_webhook_filter_parse(const json_t *body, char *why, size_t whylen)
{
	json_t	*ops, *cats, *nss, *out, *list, *v, *lv;
	size_t	 i;

	if (list_of(body, "operation_types", &ops, why, whylen) == -1 ||
	    list_of(body, "catalogs", &cats, why, whylen) == -1 ||
	    list_of(body, "namespaces", &nss, why, whylen) == -1)
		return (NULL);
	if ((out = json_object()) == NULL)
		goto nomem;
	if (ops != NULL) {
		json_array_foreach(ops, i, v) {
			if (!json_is_string(v) || pgl_event_type_find(
			    json_string_value(v)) == NULL) {
				(void)snprintf(why, whylen, "operation_types"
				    "[%zu] is not an operation type of the "
				    "feed (docs/events.md)", i);
				json_decref(out);
				return (NULL);
			}
		}
		if (json_array_size(ops) > 0 && json_object_set(out,
		    "operation_types", ops) == -1)
			goto nomem;
	}
	if (cats != NULL) {
		json_array_foreach(cats, i, v) {
			if (!name_ok(v)) {
				(void)snprintf(why, whylen, "catalogs[%zu] "
				    "must be a catalog's name", i);
				json_decref(out);
				return (NULL);
			}
		}
		if (json_array_size(cats) > 0 && json_object_set(out,
		    "catalogs", cats) == -1)
			goto nomem;
	}
	if (nss != NULL && json_array_size(nss) > 0) {
		if ((list = json_array()) == NULL ||
		    json_object_set_new(out, "namespaces", list) == -1)
			goto nomem;
		json_array_foreach(nss, i, v) {
			if ((lv = levels_of(v)) == NULL) {
				(void)snprintf(why, whylen, "namespaces[%zu] "
				    "must be a namespace: \"a.b\" or "
				    "[\"a\", \"b\"]", i);
				json_decref(out);
				return (NULL);
			}
			if (json_array_append_new(list, lv) == -1)
				goto nomem;
		}
	}
	return (out);
nomem:
	json_decref(out);
	(void)snprintf(why, whylen, "out of memory");
	return (NULL);
}

/* 1 if s is one of list's strings. */
static int
listed(const json_t *list, const char *s)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(list, i, v)
		if (s != NULL && json_is_string(v) &&
		    strcmp(json_string_value(v), s) == 0)
			return (1);
	return (0);
}

/* 1 if name (levels joined by PGL_NS_SEP) is ns or inside it. */
static int
inside(const json_t *ns, const char *name)
{
	const json_t	*lv;
	const char	*p = name, *s;
	size_t		 i, n;

	json_array_foreach(ns, i, lv) {
		s = json_string_value(lv);
		n = strlen(s);
		if (i > 0) {
			if (*p != PGL_NS_SEP)
				return (0);
			p++;
		}
		if (strncmp(p, s, n) != 0)
			return (0);
		p += n;
	}
	return (*p == '\0' || *p == PGL_NS_SEP);
}

int
pgl_webhook_filter_match(const json_t *filter, const struct pgl_event *e)
{
	const json_t	*l, *ns;
	size_t		 i;

	if (filter == NULL)
		return (1);
	if ((l = json_object_get(filter, "operation_types")) != NULL &&
	    !listed(l, e->operation_type))
		return (0);
	if ((l = json_object_get(filter, "catalogs")) != NULL &&
	    (e->catalog == NULL || e->catalog[0] == '\0' ||
	    !listed(l, e->catalog)))
		return (0);
	if ((l = json_object_get(filter, "namespaces")) != NULL) {
		if (e->object_name == NULL || e->catalog == NULL ||
		    e->catalog[0] == '\0')
			return (0);
		json_array_foreach(l, i, ns)
			if (inside(ns, e->object_name))
				return (1);
		return (0);
	}
	return (1);
}
