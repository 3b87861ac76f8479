/*
 * At start-up, proof that the store's sealed values open (issue 67): one
 * sample of each class of value sealed with PANGOLIN_ENCRYPTION_KEY
 * (util/seal.h) is read from the store and opened with the configured
 * key, so a wrong or missing key is told before the first request, by
 * class, not found one delivery or one credential at a time (webhooks
 * once failed that way, silently, for every subscription).
 *
 * The classes: warehouse secrets (storage_config; their vending_strategy
 * variants), federated catalogs' secrets (federated_config), tenant
 * settings' secrets and webhook subscriptions' signing secrets.  SSO
 * flows and codes are sealed with a key derived from the session secret
 * and live in the browser, not the store: nothing of theirs to prove.
 */
#ifndef PGL_API_SEALED_PROBE_H
#define PGL_API_SEALED_PROBE_H

#include <stddef.h>

/*
 * The tenants walked at most for the samples (their warehouses, catalogs,
 * settings and webhooks); a class none of them holds is reported as not
 * sampled.
 */
#define API_SEALED_PROBE_TENANTS	1000

/*
 * Walk the store (pgl_app's handle, open) for one sealed value of each
 * class and open it.  Returns 0 when every sample opened (or none is
 * stored), -1 with why (each class that failed, its object and the
 * reason), or -2 when the store cannot be read (why says so).  Logs a
 * line naming the classes proved.
 */
int	api_sealed_probe(char *why, size_t len);

/*
 * The start-up decision on the probe (the bootstrap's, api/manage): 0 to
 * start (every sample opened, or none stored; a store that cannot be
 * read, or [auth] start_with_unreadable_secrets set, is a warning), -1
 * when the server must refuse to start: each failing class logged as an
 * error, and a one-line why.
 */
int	api_sealed_start(char *why, size_t len);

#endif
