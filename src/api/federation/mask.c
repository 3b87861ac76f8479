/*
 * Which properties of a federated catalog are secrets (fed.h): sealed at
 * rest, masked in every answer (the management API, the console's data,
 * the catalog routes), kept when the mask is sent back, and left out of
 * the remote's /v1/config when we relay it.
 *
 * A federated catalog's properties are free-form: besides the sign-in
 * Pangolin reads (token, password, api_key, credential), a tenant keeps
 * whatever its clients use, under any spelling: "header.Authorization",
 * "passwd", "auth", "rest.signing-key", "clientSecret".  So a key is
 * judged on its normalised form (letters and digits only, lower case:
 * "rest.signing-key" and "restSigningKey" are both "restsigningkey"),
 * which is a secret if it contains one of the marks, or if it is a secret
 * by the warehouses' rule (util/secret_key.c holds both).  Masking one
 * key too many costs a "********" on the page; one too few hands a
 * credential to every reader of the catalog (issue 42).
 */
#include <string.h>

#include "api/api.h"
#include "api/federation/fed.h"
#include "api/federation/federation.h"
#include "api/storage/warehouse_secrets.h"
#include "util/json.h"
#include "util/secret_key.h"

/* The rule itself is util/secret_key.c's, shared with change events. */
int
fed_secret_key(const char *k)
{
	return (pgl_secret_key(k));
}

void
fed_props_mask(json_t *props)
{
	const char	*k;
	json_t		*v;

	json_object_foreach(props, k, v) {
		if (fed_secret_key(k) && !json_is_null(v))
			json_object_set_new(props, k,
			    json_string(API_SECRET_MASK));
	}
}

void
fed_props_drop(json_t *obj)
{
	const char	*k;
	json_t		*v;
	void		*tmp;

	json_object_foreach_safe(obj, tmp, k, v) {
		if (fed_secret_key(k))
			(void)json_object_del(obj, k);
	}
}

int
fed_props_unmask(struct pgl_req *r, const char *where, json_t *props,
    const char *stored)
{
	json_t		*old = NULL, *v;
	const char	*k, *was;
	int		 rc = 0;

	json_object_foreach(props, k, v) {
		if (!fed_secret_key(k) || !json_is_string(v) ||
		    strcmp(json_string_value(v), API_SECRET_MASK) != 0)
			continue;
		/* Opened once, at the first mask: sealed values are checked
		 * (a uri, a header name) as they will be used. */
		if (old == NULL && stored != NULL &&
		    (old = api_secrets_open(r, where, stored)) == NULL)
			return (-1);
		if ((was = pgl_json_str(old, k)) == NULL) {
			pgl_reply_error(r, 400, "%s.%.64s: \"%s\" keeps a stored "
			    "secret, and none is stored", where, k,
			    API_SECRET_MASK);
			rc = -1;
			break;
		}
		json_object_set_new(props, k, json_string(was));
	}
	json_decref(old);
	return (rc);
}

const char *
api_fed_config_masked(struct pgl_req *r, const char *text)
{
	json_t		*cfg, *props;
	const char	*out;

	if (text == NULL)
		return (NULL);
	cfg = api_obj(text);
	if (json_is_object(props = json_object_get(cfg, "properties")))
		fed_props_mask(props);
	out = api_text(r->arena, cfg);
	json_decref(cfg);
	return (out != NULL ? out : "null");
}
