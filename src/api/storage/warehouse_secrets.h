/*
 * Warehouse secrets (warehouse_secrets.c): which storage_config and
 * vending_strategy values are secret, masked in replies, sealed at rest,
 * opened for the code that needs them.  The storage room's; the
 * management and federation rooms store them.
 */
#ifndef PGL_API_WAREHOUSE_SECRETS_H
#define PGL_API_WAREHOUSE_SECRETS_H

#include <jansson.h>

#include "http/request.h"

/* What a secret value is answered as; sent back, it keeps the value. */
#define API_SECRET_MASK	"********"

/* A secret storage_config / vending_strategy key. */
int	api_secret_key(const char *key);
/* Replace secret values of obj with the mask, in place; returns obj. */
json_t	*api_secrets_mask(json_t *obj);
/*
 * Prepare obj's secret values for the store: the mask keeps the value of
 * stored (an object or NULL); others are sealed when an encryption key is
 * configured.  where names the field in errors.  -1 after a reply.
 */
int	api_secrets_seal(struct pgl_req *, const char *where, json_t *obj,
	    const json_t *stored);
/* The same, secret(key) naming the secret keys (federation's own rule). */
int	api_secrets_seal_if(struct pgl_req *, const char *where, json_t *obj,
	    const json_t *stored, int (*secret)(const char *));
/*
 * An update (upd) that changes where a warehouse's storage is (its
 * endpoint, bucket or container, prefix, Entra authority, STS endpoint
 * or role) while it keeps a stored secret (not sent again, or sent as
 * the mask): the 422 message, or NULL.  Whoever gave a secret chose
 * where it is used; a tenant admin who did not give it (root placed the
 * warehouse with the operator's keys) cannot point it elsewhere: an
 * Entra client_secret sent to another authority_host, the operator's
 * keys signing in another bucket or prefix (issue 67).
 */
const char	*api_secrets_moved(struct pgl_req *, const json_t *stored,
		    const json_t *upd);
/* Stored JSON text -> object with sealed values opened; NULL after a
 * 500 reply when a value cannot be opened. */
json_t	*api_secrets_open(struct pgl_req *, const char *where,
	    const char *text);

#endif
