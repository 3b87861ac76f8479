/*
 * Per-tenant settings (pangolin-api.md §2.11, SystemSettings): read and
 * replaced whole by the tenant's admins (and root, naming the tenant or
 * in the default one).  The SMTP password is a secret as a warehouse's
 * are (warehouse_secrets.c): sealed at rest with PANGOLIN_ENCRYPTION_KEY,
 * answered as "********", and kept when a client sends the mask back.
 * Until a PUT, GET answers the defaults.
 */
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "api/storage/warehouse_secrets.h"
#include "app/app.h"
#include "util/json.h"

#define TEXT_MAX	1024

static const struct pgl_jfield settings_fields[] = {
	{ "allow_public_signup", PGL_J_BOOL, 0 },
	{ "default_warehouse_bucket", PGL_J_STRING, 0 },
	{ "default_retention_days", PGL_J_INT, 0 },
	{ "smtp_host", PGL_J_STRING, 0 },
	{ "smtp_port", PGL_J_INT, 0 },
	{ "smtp_user", PGL_J_STRING, 0 },
	{ "smtp_password", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

static json_t *
defaults(void)
{
	return (json_pack("{s:b,s:n,s:i,s:n,s:n,s:n,s:n}",
	    "allow_public_signup", 0, "default_warehouse_bucket",
	    "default_retention_days", 30, "smtp_host", "smtp_port",
	    "smtp_user", "smtp_password"));
}

/* The stored document (secrets as stored), or the defaults; NULL after
 * replying. */
static json_t *
stored(struct pgl_req *r)
{
	struct pgl_err	 err;
	const char	*doc;

	if (pgl_app.db->get_settings == NULL) {
		pgl_reply_error(r, 501, "not supported by this store plugin");
		return (NULL);
	}
	if (STORE(get_settings, r->arena, r->tenant, &doc, &err) == PGL_OK)
		return (api_obj(doc));
	if (err.code == PGL_ENOTFOUND)
		return (defaults());
	pgl_reply_store_error(r, &err);
	return (NULL);
}

static int
in_range(struct pgl_req *r, const char *key, json_int_t lo, json_int_t hi)
{
	const json_t	*v = json_object_get(r->body, key);

	if (v == NULL || json_is_null(v) || (json_integer_value(v) >= lo &&
	    json_integer_value(v) <= hi))
		return (0);
	pgl_reply_error(r, 422, "%s must be between %lld and %lld", key,
	    (long long)lo, (long long)hi);
	return (-1);
}

/* The body's values checked: numbers in range, text bounded. */
static int
checked(struct pgl_req *r)
{
	const char	*k;
	json_t		*v;

	if (in_range(r, "default_retention_days", 0, 36500) == -1 ||
	    in_range(r, "smtp_port", 1, 65535) == -1)
		return (-1);
	json_object_foreach(r->body, k, v) {
		if (json_is_string(v) && json_string_length(v) > TEXT_MAX) {
			pgl_reply_error(r, 422, "%s is longer than %d bytes", k,
			    TEXT_MAX);
			return (-1);
		}
	}
	return (0);
}

void
api_settings_get(struct pgl_req *r)
{
	json_t	*doc;

	if ((doc = stored(r)) != NULL)
		pgl_reply_json(r, 200, api_secrets_mask(doc));
}

/* PUT replaces the whole object: a field left out becomes null. */
void
api_settings_put(struct pgl_req *r)
{
	const struct pgl_jfield	*f;
	struct pgl_err		 err;
	json_t			*old, *doc, *v;

	if (pgl_req_body(r, settings_fields) == -1 || checked(r) == -1 ||
	    (old = stored(r)) == NULL)
		return;
	doc = json_object();
	for (f = settings_fields; f->name != NULL; f++) {
		v = json_object_get(r->body, f->name);
		json_object_set(doc, f->name, v != NULL ? v : json_null());
	}
	if (api_secrets_seal(r, "settings", doc, old) == -1) {
		json_decref(old);
		json_decref(doc);
		return;
	}
	json_decref(old);
	if (STORE(put_settings, r->tenant, api_text(r->arena, doc), &err) !=
	    PGL_OK) {
		json_decref(doc);
		pgl_reply_missing(r, &err, "Tenant not found");
		return;
	}
	pgl_reply_json(r, 200, api_secrets_mask(doc));
}
