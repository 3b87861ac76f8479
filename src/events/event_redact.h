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
 * updates (an array of TableUpdate or ViewUpdate) with every secret
 * value PGL_SECRET_MASK, a reference to be released with json_decref:
 * the array itself when it holds no secret (neither may then be changed),
 * else a deep copy in which it is masked:
 *	set-properties		the value of each secret key of "updates"
 *	add-encryption-key	the secret keys of its key's "properties"
 * An add-encryption-key's "encrypted-key-metadata" stays: it is a key
 * wrapped by the KMS, which the table metadata (whose location the event
 * gives to the same readers) holds in the open, and the proposal's
 * schema requires it as base64 (a mask would not be).
 * The keys stay, so a consumer sees that a secret was set.  Any other
 * update is copied as it is.  NULL: updates is not an array, or out of
 * memory.
 */
json_t	*pgl_event_redact_updates(const json_t *updates);

/* A deep copy of a property map (create-namespace's properties) with
 * each secret key's value masked; NULL: not an object, or out of memory. */
json_t	*pgl_event_redact_props(const json_t *props);

#endif
