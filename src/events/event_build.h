/*
 * The feed's Event object (the Iceberg events proposal, schema Event),
 * built from what the host knows at the change: one function, no store,
 * so the outbox row, the feed's answer and every sink's data are the
 * same bytes.
 *
 *	{ "event-id", "request-id", "request-event-count", "timestamp-ms",
 *	  "actor": { "id", "type", "name" },		(when known)
 *	  "operation": { "operation-type", ... as the type's schema },
 *	  "x-pangolin": { "catalog", "branch", "metadata-location",
 *	      "snapshot-id", "updates-omitted" } }	(when any is known)
 *
 * The operation object holds exactly the fields of its schema (the
 * standard twelve) or of its row in event_types.c (Pangolin's x- types):
 * what Pangolin adds to a standard event is in "x-pangolin", beside the
 * operation, where no later field of the proposal can collide with it.
 */
#ifndef PGL_EVENTS_EVENT_BUILD_H
#define PGL_EVENTS_EVENT_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* Every pointer may be NULL unless said otherwise; JSON is borrowed. */
struct pgl_event_input {
	const char	*event_id;	/* NULL: a UUIDv7 of timestamp_ms */
	const char	*request_id;	/* NULL: the event id */
	int		 request_event_count;	/* 0: 1 */
	int64_t		 timestamp_ms;	/* required, >= 0 */

	const char	*catalog;	/* NULL or "": tenant-level */
	const char	*branch;	/* the branch the change is on */
	const char	*actor_id;	/* user or service user id */
	const char	*actor_type;	/* "user", "service-user", "system" */
	const char	*actor_name;	/* username, for people to read */

	const char	*operation_type;	/* required: event_types.h */
	/*
	 * The object: its namespace, levels joined by PGL_NS_SEP (""
	 * the root), and for a table or view its name.  A rename's
	 * destination in dest_ns and dest_name.
	 */
	const char	*ns;
	const char	*name;
	const char	*dest_ns;
	const char	*dest_name;
	const char	*uuid;		/* table-uuid or view-uuid */

	const char	*metadata_location;	/* the new metadata file */
	int		 has_snapshot_id;
	int64_t		 snapshot_id;	/* the new current snapshot */
	int		 purge;		/* drop-table's purge flag */

	const json_t	*updates;	/* as sent; secrets are masked */
	const json_t	*requirements;	/* as sent */
	const json_t	*properties;	/* create-namespace's; masked */
	const json_t	*ns_updated;	/* update-namespace-properties */
	const json_t	*ns_removed;
	const json_t	*ns_missing;
	const json_t	*payload;	/* an x- type's fields (object) */

	/* When updates serialise to more than this many bytes, they are
	 * left out ([] where required) and x-pangolin.updates-omitted is
	 * true: the metadata location says where the change is.  0: no
	 * cap. */
	size_t		 max_updates_bytes;
};

/*
 * The Event of in, a new object; NULL with the reason in why (an unknown
 * operation type, a missing or malformed field the type requires, a
 * payload field unknown or of the wrong type).  The reasons are the
 * host's bugs, not a client's: log them; never fail the change for them.
 */
json_t	*pgl_event_build(const struct pgl_event_input *in, char *why,
	    size_t whylen);

/*
 * The outbox row's object_name for in (the column the feed's name filter
 * reads): the object's levels joined by PGL_NS_SEP, malloc'd.  A table's
 * or view's namespace and name (a rename's source), a namespace's own
 * levels, a task's table (PGL_EVF_OF_TABLE); NULL when the type names no
 * object (most x- types) or out of memory (*none tells the two apart: 1
 * when it names none).
 */
char	*pgl_event_object_name(const struct pgl_event_input *in, int *none);

/*
 * What a request's events reach (issue 67).  A request that makes more
 * than one event (a multi-table commit) stores in each event's body,
 * under this key, one entry per event of the request, in order:
 *	[catalog, object-type, object-name, uuid, destination]
 * (strings or null; names are levels joined by PGL_NS_SEP; destination
 * a rename's).  It is the outbox's, never a reader's: the feed counts
 * with it the events of the request each reader may read (its
 * request-event-count) and every reader of the outbox (the feed, the
 * webhook and NATS sinks) removes it before the event leaves.  Left out
 * past PGL_EVENT_REACH_MAX events (a transaction holds at most 100
 * tables).
 */
#define PGL_EVENT_REACH		"x-pangolin-reach"
#define PGL_EVENT_REACH_MAX	128

/* The identifier levels of ns (joined by PGL_NS_SEP) and name (NULL:
 * none) as a JSON array: a CatalogObjectIdentifier.  NULL: no memory. */
json_t	*pgl_event_levels(const char *ns, const char *name);

#endif
