/*
 * Which keys name a secret: one rule for every place a value is masked,
 * sealed or left out (warehouse storage_config, federated catalogs'
 * properties, change events' set-properties updates).  Pure: no request,
 * no store, so any room may ask.
 */
#ifndef PGL_SECRET_KEY_H
#define PGL_SECRET_KEY_H

/* What a secret value is shown as wherever it is masked. */
#define PGL_SECRET_MASK	"********"

/*
 * A secret storage_config / vending_strategy key (pangolin-api.md §2.2):
 * the key contains, in any case, one of the names of the storage
 * credentials ("secret", "access-key", "password", "sas", ...).
 */
int	pgl_secret_key_storage(const char *key);

/*
 * A secret key of a free-form property map (a federated catalog's
 * properties, a table's or view's set-properties), under any spelling:
 * a storage secret, or a key whose letters and digits, lower-cased,
 * contain a mark ("token", "secret", "password", "auth", "key",
 * "signing", ...), so "rest.signing-key", "restSigningKey" and
 * "header.Authorization" are all secrets.  Masking one key too many
 * costs a "********"; one too few hands a credential to every reader.
 */
int	pgl_secret_key(const char *key);

#endif
