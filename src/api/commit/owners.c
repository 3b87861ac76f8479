/*
 * A table's place (commit/owners.h): where a location may lie (the
 * catalog's storage, by default its namespace's location), the default
 * one, and that it is the table's own (every table owns its files: the
 * owner of a place, asked of the store).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/commit/commit.h"
#include "api/commit/owners.h"
#include "api/read/read.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"
#include "util/names.h"
#include "util/uuid.h"

#define KIND_VIEW	"VIEW"

enum how { CLAIM, QUIET, LOOK, PROBE };

int
ice_same_place(const char *a, const char *b)
{
	char	ka[PGL_LOCATION_KEY_MAX], kb[PGL_LOCATION_KEY_MAX];

	if (a == NULL || b == NULL)
		return (a == b);
	if (pgl_location_key(a, ka, sizeof(ka)) == -1 ||
	    pgl_location_key(b, kb, sizeof(kb)) == -1)
		return (strcmp(a, b) == 0);
	return (strcmp(ka, kb) == 0);
}

/* 1 when the caller may read the owner o (and so be told its name). */
static int
may_see(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_location_owner *o)
{
	struct pgl_catalog	oc;
	struct pgl_target	t;
	struct pgl_err		err;
	const char		*catalog_id = c->id;

	if (api_is_admin(r))
		return (1);
	if (strcmp(o->catalog, c->name) != 0) {
		if (api_get_catalog(r, r->tenant, o->catalog, &oc, &err) !=
		    PGL_OK)
			return (0);
		catalog_id = oc.id;
	}
	memset(&t, 0, sizeof(t));
	t.catalog_id = catalog_id;
	t.ns = o->ns;
	t.asset_id = o->dropped_id == NULL && o->id != NULL ? o->id : "";
	return (api_allowed(r, PGL_ACT_READ, &t));
}

/* The refusal, naming the owner only to a caller who may read it. */
static void
refuse(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_asset *a, const struct pgl_location_owner *o,
    int status)
{
	const char	*what = ice_asset_noun(a->kind);
	const char	*theirs = ice_asset_noun(o->kind);
	char		 msg[1024];

	if (!may_see(r, c, o))
		(void)snprintf(msg, sizeof(msg), "the %s's location %.160s "
		    "overlaps the location of another table or view: every "
		    "table owns its location and every file in it",
		    what, a->location);
	else if (o->dropped_id != NULL)
		(void)snprintf(msg, sizeof(msg), "the %s's location %.160s "
		    "overlaps %.160s, the location of %s %.120s of catalog "
		    "%.100s, dropped and still recoverable (drop %.64s): "
		    "restore it, or purge it, first", what, a->location,
		    o->location, theirs, ice_dotted(r, o->ns, o->name),
		    o->catalog, o->dropped_id);
	else
		(void)snprintf(msg, sizeof(msg), "the %s's location %.160s "
		    "overlaps %.160s, the location of %s %.120s (catalog "
		    "%.100s, branch %.100s): every table owns its location "
		    "and every file in it", what, a->location, o->location,
		    theirs, ice_dotted(r, o->ns, o->name), o->catalog,
		    o->branch);
	/* The Iceberg envelope on /v1 (a 409 there reads as "exists"). */
	pgl_reply_ice_error(r, status, status == 409 ?
	    "AlreadyExistsException" : "BadRequestException", "%s", msg);
}

static int
place(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_asset *a, enum how how, int status, struct pgl_err *err)
{
	struct pgl_location_probe	q;
	struct pgl_location_owner	o;
	int				rc;

	/* Tables, views and functions own their places; a generic asset's location
	 * (a Delta table's, a model's) is its own business. */
	if (!pgl_store_has_owners(pgl_app.db) || a->location == NULL ||
	    *a->location == '\0' || a->kind == NULL ||
	    (strcmp(a->kind, "ICEBERG_TABLE") != 0 &&
	    strcmp(a->kind, KIND_VIEW) != 0 &&
	    strcmp(a->kind, "FUNCTION") != 0))
		return (PGL_OK);
	memset(&q, 0, sizeof(q));
	q.location = a->location;
	q.origin = a->origin;
	q.catalog = a->catalog;
	q.ns = a->ns;
	q.name = a->name;
	q.claim = how == CLAIM || how == QUIET;
	rc = STORE(find_location_owner, r->arena, r->tenant, &q, &o, err);
	if (rc == PGL_ENOTFOUND)
		return (PGL_OK);
	if (rc != PGL_OK)
		return (rc);
	if (how == PROBE) {
		err->code = PGL_EINUSE;
		return (PGL_EINUSE);
	}
	if (how == QUIET) {
		err->code = PGL_ECONFLICT;
		(void)snprintf(err->msg, sizeof(err->msg), "the location is "
		    "another table's");
		return (PGL_ECONFLICT);
	}
	refuse(r, c, a, &o, status);
	err->code = PGL_EINUSE;
	(void)snprintf(err->msg, sizeof(err->msg), "the location is another "
	    "table's");
	return (PGL_EINUSE);
}

int
ice_place_claim(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_asset *a, struct pgl_err *err)
{
	return (place(r, c, a, CLAIM, 409, err));
}

int
ice_place_claim_quiet(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_asset *a, struct pgl_err *err)
{
	return (place(r, c, a, QUIET, 0, err));
}

int
ice_place_check(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_asset *a, int status)
{
	struct pgl_err	err;
	int		rc;

	memset(&err, 0, sizeof(err));
	if ((rc = place(r, c, a, LOOK, status, &err)) == PGL_OK)
		return (0);
	if (rc != PGL_EINUSE)
		pgl_reply_store_error(r, &err);
	return (-1);
}

/*
 * A local path the server will read or write must lie inside the
 * catalog's local storage: otherwise a client could point a table (or a
 * register call) at any file on the machine.  Replies 400 if not.
 */
int
ice_location_allowed(struct pgl_req *r, const struct pgl_catalog *c,
    const char *loc, const char *field)
{
	const char	*base = c->storage_location;

	/* Another scheme than the catalog's is refused by the storage,
	 * naming the scheme. */
	if (base != NULL && pgl_location_is_local(loc) !=
	    pgl_location_is_local(base))
		return (0);
	if (base == NULL && !pgl_location_is_local(loc))
		return (0);
	if (base == NULL || !pgl_location_within(pgl_location_path(loc),
	    pgl_location_path(base))) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "%s must lie inside the catalog's storage location (%s)",
		    field, base != NULL ? base : "none");
		return (-1);
	}
	return (0);
}

/*
 * The table location: the request's (inside the catalog's storage when
 * that is local disk, and by default inside its namespace's location,
 * commit/owners.h) or <namespace location>/<name>, the namespace's
 * location being its property `location`, else <catalog>/<ns levels>.
 * Local ones as file:// URIs, however they were spelled, each level
 * escaped (pgl_location_escape) so that every client takes the URI's
 * path as the directory the server made.
 */
const char *
ice_location(struct pgl_req *r, const struct ice_target *t, const char *req)
{
	const char	*why, *out, *ns;

	if (req != NULL) {
		if ((why = pgl_location_check(req)) != NULL) {
			pgl_reply_ice_error(r, 400, "BadRequestException",
			    "invalid location: %s", why);
			return (NULL);
		}
		if (ice_location_allowed(r, &t->catalog, req, "location") ==
		    -1)
			return (NULL);
		if ((out = ice_uri(r, req)) == NULL) {
			pgl_reply_error(r, 503, "out of memory");
			return (NULL);
		}
		return (ice_location_in_namespace(r, t, out, "location") ==
		    -1 ? NULL : out);
	}
	if ((ns = ice_ns_location(r, t)) == NULL)
		return (NULL);
	if ((out = ice_location_child(r, ns, t->name)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (NULL);
	}
	/* A namespace's own location may name anything: held to the
	 * catalog's storage as a requested one is. */
	if ((why = pgl_location_check(out)) != NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "invalid location %.200s (the namespace's): %s", out, why);
		return (NULL);
	}
	return (ice_location_allowed(r, &t->catalog, out, "location") == -1 ?
	    NULL : out);
}

const char *
ice_place_default(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a)
{
	struct pgl_asset	 other = *a;
	struct pgl_err		 err;
	const char		*ns;
	char			 uuid[PGL_UUID_LEN + 1];
	int			 rc;

	memset(&err, 0, sizeof(err));
	if ((rc = place(r, &t->catalog, a, PROBE, 0, &err)) == PGL_OK)
		return (a->location);
	if (rc != PGL_EINUSE) {
		pgl_reply_store_error(r, &err);
		return (NULL);
	}
	/* <name>-<8 hex>: a name of its own, where the name's directory
	 * is another table's (one renamed away from it, say). */
	pgl_uuid_new(uuid);
	if ((ns = ice_ns_location(r, t)) == NULL)
		return (NULL);
	if ((other.location = ice_location_child(r, ns, pgl_arena_printf(
	    r->arena, "%s-%.8s", t->name, uuid))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (NULL);
	}
	return (ice_place_check(r, &t->catalog, &other, 409) == -1 ? NULL :
	    other.location);
}

/* "/" and one level as a segment of a local location (escaped). */
static char *
local_segment(struct pgl_req *r, const char *loc, const char *name,
    size_t len)
{
	char	raw[PGL_NAME_MAX + 1], seg[3 * PGL_NAME_MAX + 1];

	if (len > PGL_NAME_MAX)
		return (NULL);
	memcpy(raw, name, len);
	raw[len] = '\0';
	(void)pgl_location_escape(raw, seg, sizeof(seg));
	return (pgl_arena_printf(r->arena, "%s/%s", loc, seg));
}

/*
 * <storage>/<levels>: on local disk a file:// URI whose segments are the
 * names escaped (pgl_location_escape), so that every client takes its
 * path as the directory the server made; elsewhere the levels as they
 * are.  As the server has always made a table's default location.
 */
static const char *
ns_default(struct pgl_req *r, const struct ice_target *t)
{
	const char	*base = t->catalog.storage_location, *p = t->ns, *sep;
	char		*loc;
	size_t		 n;

	if (!pgl_location_is_local(base)) {
		loc = pgl_arena_printf(r->arena, "%s/%s", base, t->ns);
		for (n = strlen(base); loc != NULL && loc[n] != '\0'; n++) {
			if (loc[n] == PGL_NS_SEP)
				loc[n] = '/';
		}
		return (loc);
	}
	if ((loc = pgl_arena_strdup(r->arena, ice_uri(r, base))) == NULL)
		return (NULL);
	n = strlen(loc);
	while (n > sizeof("file:///") - 1 && loc[n - 1] == '/')
		loc[--n] = '\0';
	for (;;) {
		sep = strchr(p, PGL_NS_SEP);
		if ((loc = local_segment(r, loc, p, sep != NULL ?
		    (size_t)(sep - p) : strlen(p))) == NULL || sep == NULL)
			return (loc);
		p = sep + 1;
	}
}

const char *
ice_location_child(struct pgl_req *r, const char *parent, const char *name)
{
	char	*p;
	size_t	 n;

	if ((p = pgl_arena_strdup(r->arena, parent)) == NULL)
		return (NULL);
	n = strlen(p);
	while (n > sizeof("file:///") - 1 && p[n - 1] == '/')
		p[--n] = '\0';
	if (pgl_location_is_local(p))
		return (local_segment(r, p, name, strlen(name)));
	return (pgl_arena_printf(r->arena, "%s/%s", p, name));
}

const char *
ice_ns_location(struct pgl_req *r, const struct ice_target *t)
{
	struct pgl_namespace	 n;
	struct pgl_err		 err;
	const char		*prop, *out;
	json_t			*props;

	if (STORE(get_namespace, r->arena, r->tenant, t->catalog.name, t->ns,
	    &n, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Namespace does not exist: %.120s",
		    t->ns);
		return (NULL);
	}
	props = n.properties != NULL ? json_loads(n.properties, 0, NULL) :
	    NULL;
	prop = json_string_value(json_object_get(props, "location"));
	if (prop != NULL && *prop != '\0' && pgl_location_check(prop) == NULL)
		out = ice_uri(r, prop);
	else if (t->catalog.storage_location == NULL) {
		json_decref(props);
		pgl_reply_ice_error(r, 400, "BadRequestException", "catalog "
		    "'%s' has no storage location: give a location or a "
		    "warehouse", t->catalog.name);
		return (NULL);
	} else
		out = ns_default(r, t);
	if (out != NULL)
		out = pgl_arena_strdup(r->arena, out);
	json_decref(props);
	if (out == NULL)
		pgl_reply_error(r, 503, "out of memory");
	return (out);
}

int
ice_location_in_namespace(struct pgl_req *r, const struct ice_target *t,
    const char *loc, const char *field)
{
	const char	*ns;
	char		 a[16], b[16];

	if (!pgl_app.cfg->storage.locations_in_namespace)
		return (0);
	if ((ns = ice_ns_location(r, t)) == NULL)
		return (-1);
	if (pgl_location_within(loc, ns))
		return (0);
	/* Another scheme than the storage's is the storage's to refuse,
	 * naming the scheme. */
	pgl_location_scheme(loc, a, sizeof(a));
	pgl_location_scheme(ns, b, sizeof(b));
	if (pgl_location_is_local(loc) != pgl_location_is_local(ns) ||
	    (!pgl_location_is_local(loc) && strcmp(a, b) != 0))
		return (0);
	pgl_reply_ice_error(r, 400, "BadRequestException", "%s %.160s must "
	    "lie inside its namespace's location %.160s (the namespace's "
	    "property location, else its directory in the catalog's "
	    "storage)", field, loc, ns);
	return (-1);
}

int
ice_commit_place(struct pgl_req *r, struct ice_change *c)
{
	struct pgl_asset	 a = c->asset;
	const char		*loc, *why;

	c->moved_to = NULL;
	loc = json_string_value(json_object_get(c->next, "location"));
	if (loc == NULL || ice_same_place(loc, c->asset.location))
		return (0);
	if ((why = pgl_location_check(loc)) != NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "invalid location: %s", why);
		return (-1);
	}
	if (ice_location_allowed(r, &c->t.catalog, loc, "location") == -1 ||
	    ice_location_in_namespace(r, &c->t, loc, "location") == -1)
		return (-1);
	a.location = loc;
	if (ice_place_check(r, &c->t.catalog, &a, 400) == -1)
		return (-1);
	if ((c->moved_to = pgl_arena_strdup(r->arena, loc)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	return (0);
}

int
ice_commit_claim(struct pgl_req *r, const struct ice_change *c,
    struct pgl_err *err)
{
	struct pgl_asset	a = c->asset;

	if (c->next == NULL || c->moved_to == NULL)
		return (PGL_OK);
	a.location = c->moved_to;
	return (ice_place_claim_quiet(r, &c->t.catalog, &a, err));
}

int
ice_commit_moved(struct pgl_req *r, const struct ice_change *c,
    struct pgl_err *err)
{
	struct pgl_asset	a = c->asset;

	if (c->next == NULL || c->moved_to == NULL)
		return (PGL_OK);
	a.location = c->moved_to;
	a.metadata_location = c->next_location;
	return (STORE(update_asset, r->tenant, &a, err));
}
