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
#include "util/arena.h"
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

/*
 * The storage_config keys that say where the warehouse's secrets are
 * sent or what they sign for: its type, the endpoints (the object
 * store's, STS's, Entra's), the bucket or account and container, the
 * prefix, the role the keys assume.
 */
static const char *const place_keys[] = {
	"type", "endpoint", "s3.endpoint", "bucket", "s3.bucket", "prefix",
	"s3.prefix", "account_name", "container", "authority_host",
	"sts_endpoint", "s3.sts-endpoint", "role_arn", "s3.role-arn"
};

const char *
api_secrets_moved(struct pgl_req *r, const json_t *stored, const json_t *upd)
{
	const char	*k, *moved = NULL, *was, *now;
	const json_t	*v, *sent;
	size_t		 i;

	for (i = 0; i < sizeof(place_keys) / sizeof(place_keys[0]) &&
	    moved == NULL; i++) {
		if ((sent = json_object_get(upd, place_keys[i])) == NULL)
			continue;
		was = pgl_json_str(stored, place_keys[i]);
		now = json_is_string(sent) ? json_string_value(sent) : NULL;
		if ((was == NULL) != (now == NULL) || (was != NULL &&
		    strcmp(was, now) != 0))
			moved = place_keys[i];
	}
	if (moved == NULL)
		return (NULL);
	/* A stored secret kept (not sent, or sent as the mask) would go
	 * with the warehouse to its new place. */
	json_object_foreach((json_t *)stored, k, v) {
		if (!api_secret_key(k) || !json_is_string(v) ||
		    *json_string_value(v) == '\0')
			continue;
		sent = json_object_get(upd, k);
		if (sent == NULL || (json_is_string(sent) &&
		    strcmp(json_string_value(sent), MASK) == 0))
			return (pgl_arena_printf(r->arena, "storage_config.%s "
			    "changes where the warehouse's stored secrets go: "
			    "send them again (%s) to move it; a stored secret "
			    "stays with the place it was given for", moved, k));
	}
	return (NULL);
}
