/*
 * The operation types of the events feed, in one table: the twelve the
 * Iceberg events proposal defines (OperationType: create-table, ...,
 * drop-namespace) and Pangolin's own, which carry the "x-pangolin."
 * prefix the proposal asks of implementation-specific types (its own
 * example is "x-mycatalog.archive-snapshot"), so they never collide with
 * a later standard type nor with another catalog's.  docs/events.md
 * documents each with its JSON.
 *
 * Each row says what the Event's operation object holds (the PGL_EVF_
 * flags), the kind of object it acts on (the feed's object-types filter
 * knows namespace, table and view; Pangolin's other kinds only match
 * a query without object-types) and, for an x- type, the fields of its
 * small typed payload, checked as a request body is (every key known,
 * each of its type, the required ones present).
 */
#ifndef PGL_EVENTS_EVENT_TYPES_H
#define PGL_EVENTS_EVENT_TYPES_H

#include "util/json.h"

#define PGL_EVENT_X_PREFIX	"x-pangolin."

/* What the operation object carries (besides operation-type). */
#define PGL_EVF_IDENT		0x0001	/* identifier: TableIdentifier */
#define PGL_EVF_NAMESPACE	0x0002	/* namespace: Namespace */
#define PGL_EVF_TABLE_UUID	0x0004	/* table-uuid (required) */
#define PGL_EVF_VIEW_UUID	0x0008	/* view-uuid (required) */
#define PGL_EVF_UPDATES		0x0010	/* updates (required: [] if none) */
#define PGL_EVF_UPDATES_OPT	0x0020	/* updates when given */
#define PGL_EVF_REQUIREMENTS	0x0040	/* requirements when given */
#define PGL_EVF_RENAME		0x0080	/* source and destination */
#define PGL_EVF_PURGE		0x0100	/* purge (drop-table) */
#define PGL_EVF_PROPERTIES	0x0200	/* properties (create-namespace) */
#define PGL_EVF_NS_CHANGES	0x0400	/* updated, removed, missing */
#define PGL_EVF_PAYLOAD		0x0800	/* an x- type's payload fields */
/* Not in the operation: the outbox row's object name is the table the
 * object acts on (a task's), so the feed judges a reader by that table
 * and the name filter finds it (issue 67). */
#define PGL_EVF_OF_TABLE	0x1000

struct pgl_event_type {
	const char			*name;
	const char			*object_type;
	unsigned int			 flags;
	const struct pgl_jfield		*payload;	/* NULL: none */
};

/* The row of name, or NULL: not an operation type Pangolin emits. */
const struct pgl_event_type	*pgl_event_type_find(const char *name);

/* The rows in order (the standard twelve first), for docs and tests;
 * *n is set to their count. */
const struct pgl_event_type	*pgl_event_types(size_t *n);

/* 1 if kind is an object type of the feed's object-types filter
 * (namespace, table, view). */
int	pgl_event_object_type_valid(const char *kind);

#endif
