/*
 * Which of a tenant's events a webhook subscription receives.  A
 * subscriber names any of
 *
 *	operation_types	the feed's operation-type strings ("update-table",
 *			"x-pangolin.merge", ...): one of them
 *	catalogs	catalog names: events in one of them (a tenant-level
 *			event, which has no catalog, then never matches)
 *	namespaces	namespaces, each a string of '.'-joined levels
 *			("sales.eu") or an array of levels (["a.b", "c"]
 *			for a level holding a dot): events on that
 *			namespace or on anything inside it
 *
 * Each list left out (or empty) matches every event; given together they
 * all must match.  The stored form (struct pgl_webhook.filter) is the
 * normalised object: namespaces always arrays of levels.
 */
#ifndef PGL_EVENTS_WEBHOOK_FILTER_H
#define PGL_EVENTS_WEBHOOK_FILTER_H

#include <stddef.h>

#include <jansson.h>

#include "pangolin/store.h"

#define PGL_WEBHOOK_FILTER_MAX	100	/* entries in each list */

/*
 * The normalised filter of a request body's operation_types, catalogs
 * and namespaces (other members are not its business), as a new object;
 * NULL with why naming the field at fault.
 */
json_t	*pgl_webhook_filter_parse(const json_t *body, char *why,
	    size_t whylen);

/* 1 if e passes filter (the normalised object; NULL passes all). */
int	 pgl_webhook_filter_match(const json_t *filter,
	    const struct pgl_event *e);

#endif
