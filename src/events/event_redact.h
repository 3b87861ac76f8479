/*
 * An event carries a commit's updates as the client sent them, less the
 * secrets: the feed is read by anyone who may read the table, and a
 * webhook sends it off the server, while a property such as
 * "s3.secret-access-key" or "rest.signing-key" was meant for the catalog
 * only.  The rule for which keys are secret is util/secret_key.h's.
 */
#ifndef PGL_EVENTS_EVENT_REDACT_H
#define PGL_EVENTS_EVENT_REDACT_H

#include <jansson.h>

/*
 * A deep copy of updates (an array of TableUpdate or ViewUpdate) in
 * which every secret value is PGL_SECRET_MASK:
 *	set-properties		the value of each secret key of "updates"
 *	add-encryption-key	"encrypted-key-metadata" (a wrapped key:
 *				only the table's readers of metadata need
 *				it) and the secret keys of its "properties"
 * The keys stay, so a consumer sees that a secret was set.  Any other
 * update is copied as it is.  NULL: updates is not an array, or out of
 * memory.
 */
json_t	*pgl_event_redact_updates(const json_t *updates);

/* A deep copy of a property map (create-namespace's properties) with
 * each secret key's value masked; NULL: not an object, or out of memory. */
json_t	*pgl_event_redact_props(const json_t *props);

#endif
