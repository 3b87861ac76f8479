/*
 * Business metadata (pangolin-api.md §2.10): a description, tags,
 * properties and the discoverable flag of one asset (a table, a view or
 * a generic asset; one branch's row, by its id), upserted, read and
 * deleted by /api/v1/assets/{asset_id}/metadata and the
 * /api/v1/business-metadata/{asset_id} aliases; and the asset itself by
 * id.  Changing metadata needs update on the asset; making it
 * discoverable also manage-discovery on its catalog (admins always).
 * Tags decide tag-scoped grants and search filters, so each is checked
 * here: 1-255 bytes of UTF-8, no control character, no ',' (the tags=
 * list separator), not starting with '#' (the search query's tag mark).
 */
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/discovery/discovery.h"
#include "api/gate.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/names.h"
#include "util/uuid.h"

static const struct pgl_jfield metadata_fields[] = {
	{ "description", PGL_J_STRING, 0 },
	{ "tags", PGL_J_STRLIST, 1 },
	{ "properties", PGL_J_OBJECT, 1 },
	{ "discoverable", PGL_J_BOOL, 1 },
	{ NULL, 0, 0 }
};

const char *
disc_tag_check(const char *tag)
{
	size_t	i, len = strlen(tag);

	if (len == 0 || len > PGL_NAME_MAX)
		return ("a tag is 1-255 bytes");
	if (!pgl_utf8_valid(tag, len))
		return ("a tag must be UTF-8");
	if (tag[0] == '#')
		return ("a tag must not start with '#'");
	for (i = 0; i < len; i++) {
		if ((unsigned char)tag[i] < 0x20 || tag[i] == 0x7f)
			return ("a tag must not hold control characters");
		if (tag[i] == ',')
			return ("a tag must not hold ','");
	}
	return (NULL);
}

/* The body's tags, checked and without repeats (first order kept). */
static json_t *
body_tags(struct pgl_req *r)
{
	const json_t	*in = json_object_get(r->body, "tags");
	json_t		*out = json_array(), *v;
	const char	*why;
	size_t		 i, j;

	if (json_array_size(in) > DISC_TAGS_MAX) {
		pgl_reply_error(r, 422, "at most %d tags", DISC_TAGS_MAX);
		json_decref(out);
		return (NULL);
	}
	json_array_foreach(in, i, v) {
		if ((why = disc_tag_check(json_string_value(v))) != NULL) {
			pgl_reply_error(r, 422, "tags[%zu]: %s", i, why);
			json_decref(out);
			return (NULL);
		}
		for (j = 0; j < json_array_size(out); j++) {
			if (json_equal(json_array_get(out, j), v))
				break;
		}
		if (j == json_array_size(out))
			json_array_append(out, v);
	}
	return (out);
}

static int
body_checks(struct pgl_req *r, const char *description)
{
	char	why[256];

	if (description != NULL && strlen(description) > DISC_DESCRIPTION_MAX) {
		pgl_reply_error(r, 422, "description is longer than %d bytes",
		    DISC_DESCRIPTION_MAX);
		return (-1);
	}
	if (pgl_json_value_fits(json_object_get(r->body, "properties"),
	    "properties", why, sizeof(why)) == -1) {
		pgl_reply_error(r, 422, "%s", why);
		return (-1);
	}
	return (0);
}

/* BusinessMetadata (kebab-case, §2.10). */
static json_t *
metadata_json(struct pgl_req *r, const struct pgl_business_metadata *m)
{
	return (json_pack("{s:s,s:s,s:o,s:o,s:o,s:b,s:o,s:s,s:o,s:s}", "id",
	    m->id, "asset-id", m->asset_id, "description",
	    api_str_or_null(m->description), "tags",
	    pgl_json_load_or(m->tags, json_array()), "properties",
	    pgl_json_load_or(m->properties, json_object()), "discoverable",
	    m->discoverable, "created-by", api_str_or_null(m->created_by),
	    "created-at", api_rfc3339(r->arena, m->created_at_ms / 1000),
	    "updated-by", api_str_or_null(m->updated_by), "updated-at",
	    api_rfc3339(r->arena, m->updated_at_ms / 1000)));
}

/* discoverable: true shows the asset to the whole tenant. */
static int
may_publish(struct pgl_req *r, const struct pgl_catalog *c)
{
	struct pgl_target	t;

	memset(&t, 0, sizeof(t));
	t.catalog_id = c->id;
	t.ns = "";
	t.asset_id = "";
	if (api_allowed(r, PGL_ACT_MANAGE_DISCOVERY, &t))
		return (0);
	pgl_reply_error(r, 403, "discoverable: true needs manage-discovery "
	    "on the catalog");
	return (-1);
}

void
api_metadata_put(struct pgl_req *r)
{
	struct pgl_business_metadata	 m;
	struct pgl_asset		 a;
	struct pgl_catalog		 c;
	struct pgl_err			 err;
	char				 id[PGL_UUID_LEN + 1];
	json_t				*tags;

	if (api_asset_by_id(r, pgl_param(r, "asset_id"), &a, &c) == -1 ||
	    pgl_req_body(r, metadata_fields) == -1 ||
	    body_checks(r, pgl_json_str(r->body, "description")) == -1)
		return;
	memset(&m, 0, sizeof(m));
	m.discoverable = json_is_true(json_object_get(r->body,
	    "discoverable"));
	if (m.discoverable && may_publish(r, &c) == -1)
		return;
	if ((tags = body_tags(r)) == NULL)
		return;
	pgl_uuid_new(id);
	m.id = id;
	m.asset_id = a.id;
	m.description = pgl_json_str(r->body, "description");
	m.tags = api_text(r->arena, tags);
	json_decref(tags);
	m.properties = api_text(r->arena, json_object_get(r->body,
	    "properties"));
	m.created_by = m.updated_by = r->who.user_id;
	m.created_at_ms = m.updated_at_ms = pgl_now_ms();
	api_audit_about(r, a.id, a.name);
	if (STORE(put_business_metadata, r->tenant, &m, &err) != PGL_OK ||
	    STORE(get_business_metadata, r->arena, r->tenant, a.id, &m,
	    &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Asset not found");
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:o}", "metadata",
	    metadata_json(r, &m)));
}

void
api_metadata_get(struct pgl_req *r)
{
	const struct pgl_business_metadata	*m;
	struct pgl_asset			 a;
	struct pgl_catalog			 c;
	int					 rc;

	if (api_asset_by_id(r, pgl_param(r, "asset_id"), &a, &c) == -1 ||
	    (rc = api_asset_metadata(r, a.id, &m)) == -1)
		return;
	if (rc == 0) {
		pgl_reply_error(r, 404, "Business metadata not found");
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:o}", "metadata",
	    metadata_json(r, m)));
}

void
api_metadata_delete(struct pgl_req *r)
{
	struct pgl_asset	a;
	struct pgl_catalog	c;
	struct pgl_err		err;

	if (api_asset_by_id(r, pgl_param(r, "asset_id"), &a, &c) == -1)
		return;
	api_audit_about(r, a.id, a.name);
	/* None to delete is what the caller wanted: 204 either way. */
	if (STORE(delete_business_metadata, r->tenant, a.id, &err) != PGL_OK &&
	    err.code != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_empty(r, 204);
}

/* GET /api/v1/assets/{asset_id}: {asset, metadata, catalog, namespace}. */
void
api_asset_by_id_get(struct pgl_req *r)
{
	const struct pgl_business_metadata	*m;
	struct pgl_asset			 a;
	struct pgl_catalog			 c;
	int					 rc;

	if (api_asset_by_id(r, pgl_param(r, "asset_id"), &a, &c) == -1 ||
	    (rc = api_asset_metadata(r, a.id, &m)) == -1)
		return;
	pgl_reply_json(r, 200, json_pack("{s:o,s:o,s:s,s:o,s:s}", "asset",
	    disc_asset_seen_json(r, &a, &c), "metadata", rc == 1 ?
	    metadata_json(r, m) : json_null(), "catalog", c.name, "namespace",
	    ice_ns_json(a.ns), "branch", a.branch));
}
