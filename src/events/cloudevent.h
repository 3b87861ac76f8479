/*
 * A change event as CloudEvents 1.0, structured mode (JSON format): the
 * one body every push sink sends (webhook POST, NATS message), so a
 * consumer reads the same thing whichever way it subscribed.
 *
 *	specversion	"1.0"
 *	id		the event's event-id (unique for ever: a consumer
 *			de-duplicates a redelivery on it)
 *	type		"io.pangolin." + operation-type ("io.pangolin.create-
 *			table", "io.pangolin.x-pangolin.create-branch")
 *	source		"/pangolin/tenants/<tenant id>/catalogs/<catalog>", a
 *			URI-reference naming the catalog; each name escaped as
 *			events/escape.h says
 *	time		timestamp-ms in RFC 3339, UTC, milliseconds
 *			("2021-02-25T15:02:10.123Z")
 *	datacontenttype	"application/json"
 *	subject		the object's identifier: its levels (namespace levels,
 *			then the table's or view's name) escaped and joined by
 *			'.'; for a rename, the name it had (the source); absent
 *			when the operation names no object
 *	data		the feed's Event object, unchanged (POST /v1/{prefix}/
 *			events answers the same object)
 */
#ifndef PGL_EVENTS_CLOUDEVENT_H
#define PGL_EVENTS_CLOUDEVENT_H

#include <stddef.h>
#include <jansson.h>

#define PGL_CLOUDEVENT_TYPE_PREFIX	"io.pangolin."

/*
 * The envelope of event (an Event per the events proposal: event-id,
 * timestamp-ms, operation with operation-type required).  Returns a new
 * object whose data holds a reference to event, or NULL with the reason
 * in why (a missing or mistyped field, a name too long).
 */
json_t	*pgl_cloudevent_build(json_t *event, const char *tenant_id,
	    const char *catalog, char *why, size_t whylen);

/* The same envelope as compact JSON text, malloc'd: the bytes a sink
 * sends (and a webhook signs).  NULL with why as above. */
char	*pgl_cloudevent_text(json_t *event, const char *tenant_id,
	    const char *catalog, char *why, size_t whylen);

#endif
