/*
 * The feed's Event object (event_build.h).  Each operation type's row
 * (event_types.c) says which fields its operation holds; this file fills
 * them from the host's input and refuses an input that would make an
 * Event the proposal's schema does not allow.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pangolin/store.h"	/* PGL_NS_SEP: how namespaces cross */

#include "events/event_build.h"
#include "events/event_redact.h"
#include "events/event_types.h"
#include "util/json.h"
#include "util/uuid.h"

static int
fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return (-1);
}

json_t *
pgl_event_levels(const char *ns, const char *name)
{
	json_t		*a;
	const char	*p, *sep;

	if ((a = json_array()) == NULL)
		return (NULL);
	for (p = ns; p != NULL && *p != '\0'; p = sep + 1) {
		sep = strchr(p, PGL_NS_SEP);
		if (json_array_append_new(a, json_stringn(p, sep != NULL ?
		    (size_t)(sep - p) : strlen(p))) == -1)
			goto fail;
		if (sep == NULL)
			break;
	}
	if (name != NULL && json_array_append_new(a, json_string(name)) == -1)
		goto fail;
	return (a);
fail:
	json_decref(a);
	return (NULL);
}

/* A TableIdentifier: { "namespace": [levels], "name": name }. */
static json_t *
table_ident(const char *ns, const char *name)
{
	return (json_pack("{s:o, s:s}", "namespace", pgl_event_levels(ns,
	    NULL), "name", name));
}

/* Set op[key] = v (a new reference); -1 when v is NULL (no memory). */
static int
put(json_t *op, const char *key, json_t *v, char *why, size_t whylen)
{
	if (v == NULL || json_object_set_new(op, key, v) == -1)
		return (fail(why, whylen, "out of memory"));
	return (0);
}

static int
strlist(const json_t *v)
{
	const json_t	*s;
	size_t		 i;

	if (!json_is_array(v))
		return (0);
	json_array_foreach(v, i, s) {
		if (!json_is_string(s))
			return (0);
	}
	return (1);
}

/* The object the operation names: identifier, namespace, rename, uuid. */
static int
add_object(json_t *op, const struct pgl_event_type *t,
    const struct pgl_event_input *in, char *why, size_t whylen)
{
	const char	*uuid_key = NULL;

	if ((t->flags & PGL_EVF_IDENT) && (in->ns == NULL || in->name ==
	    NULL))
		return (fail(why, whylen, "%s: a namespace and a name are "
		    "required", t->name));
	if ((t->flags & PGL_EVF_IDENT) && put(op, "identifier",
	    table_ident(in->ns, in->name), why, whylen) == -1)
		return (-1);
	if ((t->flags & PGL_EVF_NAMESPACE) && in->ns == NULL)
		return (fail(why, whylen, "%s: a namespace is required",
		    t->name));
	if ((t->flags & PGL_EVF_NAMESPACE) && put(op, "namespace",
	    pgl_event_levels(in->ns, NULL), why, whylen) == -1)
		return (-1);
	if (t->flags & PGL_EVF_RENAME) {
		if (in->ns == NULL || in->name == NULL || in->dest_ns ==
		    NULL || in->dest_name == NULL)
			return (fail(why, whylen, "%s: a source and a "
			    "destination are required", t->name));
		if (put(op, "source", table_ident(in->ns, in->name), why,
		    whylen) == -1 || put(op, "destination",
		    table_ident(in->dest_ns, in->dest_name), why, whylen) == -1)
			return (-1);
	}
	if (t->flags & PGL_EVF_TABLE_UUID)
		uuid_key = "table-uuid";
	else if (t->flags & PGL_EVF_VIEW_UUID)
		uuid_key = "view-uuid";
	if (uuid_key != NULL && (in->uuid == NULL ||
	    !pgl_uuid_valid(in->uuid)))
		return (fail(why, whylen, "%s: %s must be a UUID", t->name,
		    uuid_key));
	if (uuid_key != NULL && put(op, uuid_key, json_string(in->uuid), why,
	    whylen) == -1)
		return (-1);
	if ((t->flags & PGL_EVF_PURGE) && put(op, "purge",
	    json_boolean(in->purge), why, whylen) == -1)
		return (-1);
	return (0);
}

/* A namespace's properties or property changes. */
static int
add_ns_fields(json_t *op, const struct pgl_event_type *t,
    const struct pgl_event_input *in, char *why, size_t whylen)
{
	const json_t	*v;

	if ((t->flags & PGL_EVF_PROPERTIES) && in->properties != NULL) {
		if (!json_is_object(in->properties))
			return (fail(why, whylen, "%s: properties must be an "
			    "object", t->name));
		if (put(op, "properties", pgl_event_redact_props(
		    in->properties), why, whylen) == -1)
			return (-1);
	}
	if (!(t->flags & PGL_EVF_NS_CHANGES))
		return (0);
	/* updated and removed are required by the schema; missing not. */
	if ((v = in->ns_updated) != NULL ? !strlist(v) : 0)
		return (fail(why, whylen, "%s: updated must be an array of "
		    "strings", t->name));
	if (put(op, "updated", v != NULL ? json_deep_copy(v) : json_array(),
	    why, whylen) == -1)
		return (-1);
	if ((v = in->ns_removed) != NULL ? !strlist(v) : 0)
		return (fail(why, whylen, "%s: removed must be an array of "
		    "strings", t->name));
	if (put(op, "removed", v != NULL ? json_deep_copy(v) : json_array(),
	    why, whylen) == -1)
		return (-1);
	if ((v = in->ns_missing) == NULL)
		return (0);
	if (!strlist(v))
		return (fail(why, whylen, "%s: missing must be an array of "
		    "strings", t->name));
	return (put(op, "missing", json_deep_copy(v), why, whylen));
}

/* updates (secrets masked, within the cap) and requirements. */
static int
add_updates(json_t *op, json_t *x, const struct pgl_event_type *t,
    const struct pgl_event_input *in, char *why, size_t whylen)
{
	json_t	*u = NULL;

	if ((t->flags & (PGL_EVF_UPDATES | PGL_EVF_UPDATES_OPT)) &&
	    in->updates != NULL) {
		if (!json_is_array(in->updates))
			return (fail(why, whylen, "%s: updates must be an "
			    "array", t->name));
		if ((u = pgl_event_redact_updates(in->updates)) == NULL)
			return (fail(why, whylen, "out of memory"));
		if (in->max_updates_bytes > 0 && json_dumpb(u, NULL, 0,
		    JSON_COMPACT) > in->max_updates_bytes) {
			json_decref(u);
			u = NULL;
			if (put(x, "updates-omitted", json_true(), why,
			    whylen) == -1)
				return (-1);
		}
	}
	if (u == NULL && (t->flags & PGL_EVF_UPDATES))
		u = json_array();
	if (u != NULL && put(op, "updates", u, why, whylen) == -1)
		return (-1);
	if (!(t->flags & PGL_EVF_REQUIREMENTS) || in->requirements == NULL)
		return (0);
	if (!json_is_array(in->requirements))
		return (fail(why, whylen, "%s: requirements must be an array",
		    t->name));
	return (put(op, "requirements", json_deep_copy(in->requirements),
	    why, whylen));
}

/* An x- type's payload, checked against its row's fields. */
static int
add_payload(json_t *op, const struct pgl_event_type *t,
    const struct pgl_event_input *in, char *why, size_t whylen)
{
	char		 inner[256];
	const char	*k;
	json_t		*empty = NULL, *v;
	const json_t	*p = in->payload;

	if (!(t->flags & PGL_EVF_PAYLOAD)) {
		if (p != NULL && (!json_is_object(p) || json_object_size(p)))
			return (fail(why, whylen, "%s takes no payload",
			    t->name));
		return (0);
	}
	if (p == NULL && (p = empty = json_object()) == NULL)
		return (fail(why, whylen, "out of memory"));
	if (pgl_json_check(p, t->payload, inner, sizeof(inner)) == -1) {
		json_decref(empty);
		return (fail(why, whylen, "%s payload: %s", t->name, inner));
	}
	json_object_foreach((json_t *)p, k, v) {
		if (!json_is_null(v) && put(op, k, json_deep_copy(v), why,
		    whylen) == -1) {
			json_decref(empty);
			return (-1);
		}
	}
	json_decref(empty);
	return (0);
}

static json_t *
operation(const struct pgl_event_type *t, const struct pgl_event_input *in,
    json_t *x, char *why, size_t whylen)
{
	json_t	*op;

	if ((op = json_pack("{s:s}", "operation-type", t->name)) == NULL) {
		(void)fail(why, whylen, "out of memory");
		return (NULL);
	}
	if (add_object(op, t, in, why, whylen) == -1 ||
	    add_ns_fields(op, t, in, why, whylen) == -1 ||
	    add_updates(op, x, t, in, why, whylen) == -1 ||
	    add_payload(op, t, in, why, whylen) == -1) {
		json_decref(op);
		return (NULL);
	}
	return (op);
}

/* The spec's actor: an object of strings, "id" the portable key. */
static json_t *
actor(const struct pgl_event_input *in)
{
	return (json_pack("{s:s*, s:s*, s:s*}", "id", in->actor_id, "type",
	    in->actor_type, "name", in->actor_name));
}

/* What Pangolin adds to every event, beside the operation. */
static int
add_extras(json_t *x, const struct pgl_event_input *in, char *why,
    size_t whylen)
{
	if (in->catalog != NULL && in->catalog[0] != '\0' && put(x,
	    "catalog", json_string(in->catalog), why, whylen) == -1)
		return (-1);
	if (in->branch != NULL && put(x, "branch", json_string(in->branch),
	    why, whylen) == -1)
		return (-1);
	if (in->metadata_location != NULL && put(x, "metadata-location",
	    json_string(in->metadata_location), why, whylen) == -1)
		return (-1);
	if (in->has_snapshot_id && put(x, "snapshot-id",
	    json_integer(in->snapshot_id), why, whylen) == -1)
		return (-1);
	return (0);
}

static int
check_head(const struct pgl_event_input *in, char *why, size_t whylen)
{
	if (in->event_id != NULL && !pgl_uuid_valid(in->event_id))
		return (fail(why, whylen, "event-id must be a UUID"));
	if (in->request_id != NULL && in->request_id[0] == '\0')
		return (fail(why, whylen, "request-id must not be empty"));
	if (in->request_event_count < 0)
		return (fail(why, whylen, "request-event-count must be 1 or "
		    "more"));
	if (in->timestamp_ms < 0)
		return (fail(why, whylen, "timestamp-ms must be epoch "
		    "milliseconds"));
	return (0);
}

json_t *
pgl_event_build(const struct pgl_event_input *in, char *why, size_t whylen)
{
	const struct pgl_event_type	*t;
	char				 id[PGL_UUID_LEN + 1];
	json_t				*ev, *op, *x;

	if (check_head(in, why, whylen) == -1)
		return (NULL);
	if ((t = pgl_event_type_find(in->operation_type)) == NULL) {
		(void)fail(why, whylen, "unknown operation type \"%.64s\"",
		    in->operation_type != NULL ? in->operation_type : "");
		return (NULL);
	}
	if (in->event_id != NULL)
		(void)snprintf(id, sizeof(id), "%s", in->event_id);
	else
		pgl_uuid_new_ordered(id, in->timestamp_ms);
	if ((x = json_object()) == NULL ||
	    (op = operation(t, in, x, why, whylen)) == NULL) {
		if (x == NULL)
			(void)fail(why, whylen, "out of memory");
		json_decref(x);
		return (NULL);
	}
	if (add_extras(x, in, why, whylen) == -1) {
		json_decref(op);
		json_decref(x);
		return (NULL);
	}
	ev = json_pack("{s:s, s:s, s:i, s:I, s:o*, s:o, s:o*}", "event-id", id,
	    "request-id", in->request_id != NULL ? in->request_id : id,
	    "request-event-count", in->request_event_count > 0 ?
	    in->request_event_count : 1, "timestamp-ms",
	    (json_int_t)in->timestamp_ms, "actor", in->actor_id != NULL ||
	    in->actor_type != NULL ? actor(in) : NULL, "operation", op,
	    "x-pangolin", json_object_size(x) > 0 ? x : NULL);
	if (json_object_size(x) == 0)
		json_decref(x);
	if (ev == NULL)
		(void)fail(why, whylen, "out of memory");
	return (ev);
}

char *
pgl_event_object_name(const struct pgl_event_input *in, int *none)
{
	const struct pgl_event_type	*t;
	char				*out;

	*none = 1;
	if ((t = pgl_event_type_find(in->operation_type)) == NULL ||
	    in->ns == NULL)
		return (NULL);
	/* A task's table, always with its name: the feed reads the last
	 * level as the table's. */
	if ((t->flags & PGL_EVF_OF_TABLE) && in->name == NULL)
		return (NULL);
	if (t->flags & PGL_EVF_NAMESPACE) {
		*none = 0;
		return (strdup(in->ns));
	}
	if (!(t->flags & (PGL_EVF_IDENT | PGL_EVF_RENAME | PGL_EVF_OF_TABLE)) ||
	    in->name == NULL)
		return (NULL);
	*none = 0;
	if (asprintf(&out, "%s%s%s", in->ns, in->ns[0] != '\0' ?
	    PGL_NS_SEP_STR : "", in->name) == -1)
		return (NULL);
	return (out);
}
