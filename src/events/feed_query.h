/*
 * The feed's QueryEventsRequest (POST /v1/{prefix}/events, the Iceberg
 * events proposal): parsed and checked into a query, and the rule that
 * says whether one event matches it.  The store applies the same filters
 * (struct pgl_event_filter, ABI 1.15); pgl_feed_query_match is for what
 * the host filters itself and for tests, so the two say the same thing.
 *
 * Bounds (the spec gives page-size a minimum of 1 and no default):
 *	page-size		1 or more; absent: PGL_FEED_PAGE_DEFAULT;
 *				above PGL_FEED_PAGE_MAX it is clamped (the
 *				spec lets a server return fewer)
 *	each filter list	at most PGL_FEED_FILTER_MAX entries
 *	continuation-token	at most PGL_FEED_TOKEN_TEXT_MAX bytes
 * Every refusal is a 400 (BadRequestException), as for every Iceberg
 * body here (an unknown field included: http/kore_reply.c answers an
 * Iceberg body's failed check 400, a management body's 422), with a
 * reason naming the field and the value.
 */
#ifndef PGL_EVENTS_FEED_QUERY_H
#define PGL_EVENTS_FEED_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define PGL_FEED_PAGE_DEFAULT		100
#define PGL_FEED_PAGE_MAX		1000
#define PGL_FEED_FILTER_MAX		100
#define PGL_FEED_TOKEN_TEXT_MAX		2048

/*
 * A checked query.  The lists are NULL when the body has none (no
 * filter), else JSON arrays of strings in the form the store's
 * pgl_event_filter takes (dump each with pgl_json_dump):
 *	operation_types	known operation types (event_types.h)
 *	object_types	"namespace", "table", "view"
 *	object_uuids	UUIDs, lower case
 *	object_names	catalog-objects-by-name: each entry's levels joined
 *			by PGL_NS_SEP (a level cannot hold it: names.h)
 */
struct pgl_feed_query {
	char		*token;		/* NULL: from the start */
	uint32_t	 page_size;
	int64_t		 since_ms;	/* 0: none; 0 as well with a token,
					 * which decides where to resume */
	json_t		*operation_types;
	json_t		*object_types;
	json_t		*object_uuids;
	json_t		*object_names;
};

/* What pgl_feed_query_match needs of one event (the outbox row's
 * columns). */
struct pgl_feed_event_fields {
	const char	*operation_type;
	const char	*object_type;	/* NULL: none */
	const char	*object_name;	/* levels joined by PGL_NS_SEP */
	const char	*dest_name;	/* a rename's destination, or NULL */
	const char	*object_uuid;	/* NULL: none */
	int64_t		 ts_ms;
};

/*
 * Parse body (a QueryEventsRequest object) into q.  0, or -1 with the
 * reason in why (answer 400); q needs pgl_feed_query_free either way.
 */
int	pgl_feed_query_parse(const json_t *body, struct pgl_feed_query *q,
	    char *why, size_t whylen);
void	pgl_feed_query_free(struct pgl_feed_query *q);

/*
 * 1 if e passes every filter q has (each list: any entry; a name entry
 * when it equals the object's path or is a leading part of it by whole
 * levels; since: ts_ms at or after it), else 0.  A rename matches a name
 * by its source or its destination.
 */
int	pgl_feed_query_match(const struct pgl_feed_query *q,
	    const struct pgl_feed_event_fields *e);

#endif
