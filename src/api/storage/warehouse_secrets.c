/*
 * Warehouse secrets (pangolin-api.md §2.2): which storage_config and
 * vending_strategy values are secret, how they are masked in responses,
 * sealed at rest with PANGOLIN_ENCRYPTION_KEY (src/util/seal.c), kept
 * when a client sends the mask back, and opened for the code that needs
 * the real value (credential vending, object-store clients).
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/storage/warehouse_secrets.h"
#include "app/app.h"
#include "util/json.h"
#include "util/seal.h"
#include "util/secret_key.h"

#define MASK	API_SECRET_MASK

/* The rule is util/secret_key.c's, shared with change events. */
int
api_secret_key(const char *k)
{
	return (pgl_secret_key_storage(k));
}

json_t *
api_secrets_mask(json_t *obj)
{
	json_t		*v;
	const char	*k;

	json_object_foreach(obj, k, v) {
		if (api_secret_key(k) && !json_is_null(v))
			json_object_set_new(obj, k, json_string(MASK));
	}
	return (obj);
}

/* One secret value from a request: keep, refuse, or seal it. */
static int
seal_one(struct pgl_req *r, const char *where, json_t *obj, const char *k,
    const char *v, const json_t *stored)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	const char		*old;
	char			*sealed;

	if (strcmp(v, MASK) == 0) {
		/* The mask a GET showed, sent back: keep the stored value. */
		if ((old = pgl_json_str(stored, k)) == NULL) {
			pgl_reply_error(r, 400, "%s.%s: \"%s\" keeps a stored "
			    "secret, and none is stored", where, k, MASK);
			return (-1);
		}
		json_object_set_new(obj, k, json_string(old));
		return (0);
	}
	if (pgl_seal_is_sealed(v)) {
		pgl_reply_error(r, 400, "%s.%s: values starting with \"%s\" "
		    "are reserved for sealed secrets", where, k,
		    PGL_SEAL_PREFIX);
		return (-1);
	}
	if (!cfg->auth.has_encryption_key)
		return (0);
	if (pgl_seal(cfg->auth.encryption_key, k, v, &sealed) == -1) {
		pgl_reply_error(r, 500, "cannot seal %s.%s", where, k);
		return (-1);
	}
	json_object_set_new(obj, k, json_string(sealed));
	free(sealed);
	return (0);
}

int
api_secrets_seal(struct pgl_req *r, const char *where, json_t *obj,
    const json_t *stored)
{
	return (api_secrets_seal_if(r, where, obj, stored, api_secret_key));
}

int
api_secrets_seal_if(struct pgl_req *r, const char *where, json_t *obj,
    const json_t *stored, int (*secret)(const char *))
{
	const char	*k;
	json_t		*v;
	void		*tmp;

	if (!json_is_object(obj))
		return (0);
	json_object_foreach_safe(obj, tmp, k, v) {
		if (!secret(k) || !json_is_string(v))
			continue;
		if (seal_one(r, where, obj, k, json_string_value(v), stored) ==
		    -1)
			return (-1);
	}
	return (0);
}

json_t *
api_secrets_open(struct pgl_req *r, const char *where, const char *text)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	json_t			*obj = api_obj(text), *v;
	const char		*k, *why;
	char			*plain;

	json_object_foreach(obj, k, v) {
		if (!json_is_string(v) ||
		    !pgl_seal_is_sealed(json_string_value(v)))
			continue;
		if (!cfg->auth.has_encryption_key)
			why = "it is sealed and PANGOLIN_ENCRYPTION_KEY is not set";
		else if (pgl_unseal(cfg->auth.encryption_key, k,
		    json_string_value(v), &plain, &why) == 0) {
			json_object_set_new(obj, k, json_string(plain));
			free(plain);
			continue;
		}
		pgl_reply_error(r, 500, "cannot open secret %s.%s: %s", where,
		    k, why);
		json_decref(obj);
		return (NULL);
	}
	return (obj);
}
