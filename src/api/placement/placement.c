/*
 * Local storage placement (placement.h).  The rule, for a local path P
 * holding storage of tenant T:
 *
 *   - P is normalised: absolute, no "." or ".." segment, no empty one
 *     ("//"); one trailing "/" is ignored;
 *   - P lies strictly inside <R>/<T>/ for a configured local root R; or,
 *     placed by root (the superuser), strictly inside some R but not in
 *     <R>/<another tenant id>; or, for the nil tenant, inside the
 *     bootstrap warehouse's root ([defaults] warehouse_root);
 *   - no directory on the way below R is a symbolic link (checked with
 *     the descriptor walk of storage/fileio.c, which also creates it);
 *   - P neither lies inside nor contains any other tenant's warehouse
 *     root or catalog storage location.
 *
 * A directory directly below a local root that is named like a UUID is
 * a tenant's: nobody else's storage goes there.  The roots themselves
 * are the operator's word and are taken as given (resolved once here).
 *
 * Kept whole, over 600 lines: the rule above, its checks and its one
 * descriptor walk are one security boundary, read and reviewed together.
 *
 * Below the shared layer: the target lookup (target.c) and the gate's
 * authorization (asset_ref.c) refuse a catalog served from outside the
 * rule, so nothing here uses src/api.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/placement/placement.h"
#include "app/app.h"
#include "storage/azure_root.h"
#include "storage/fileio.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"
#include "util/log.h"
#include "util/str.h"
#include "util/uuid.h"

/*
 * A refusal holds for the location it was found at: a row moved since
 * (by root or its tenant admin, through the placement check of that
 * write) is judged by its new location, on every worker, without a
 * restart and without the workers sharing anything but the store.
 */
struct bad {
	char	*id;
	char	*loc;		/* the refused location; "" for none */
};

static struct {
	int		 inited;
	int		 scanned;
	char		*roots[PGL_MAX_LIST];	/* no trailing '/' */
	size_t		 nroots;
	char		 boot[PATH_MAX];	/* bootstrap root, or "" */
	/* Found by the start-up scan: catalogs and warehouses that break
	 * the rule (made before fork, read by workers). */
	struct bad	*bad;
	size_t		 nbad, capbad;
} pl;

/* P normalised into buf (one trailing '/' dropped); 0 if not normal. */
static int
normal(const char *p, char buf[PATH_MAX])
{
	const char	*seg, *end;
	size_t		 n = strlen(p);

	if (p[0] != '/' || n >= PATH_MAX || pgl_location_check(p) != NULL)
		return (0);
	memcpy(buf, p, n + 1);
	if (n > 1 && buf[n - 1] == '/')
		buf[n - 1] = '\0';
	if (buf[1] == '\0')
		return (0);
	for (seg = buf + 1;; seg = end + 1) {
		if ((end = strchr(seg, '/')) == NULL)
			end = seg + strlen(seg);
		n = (size_t)(end - seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return (0);
		if (*end == '\0')
			return (1);
	}
}

/* Path text made absolute against the working directory, "." and ".."
 * folded (configuration text, not a client's). */
static int
absolute(const char *in, char out[PATH_MAX])
{
	char		 buf[PATH_MAX], *seg, *save, *slash;
	size_t		 len = 0;

	if (in[0] == '/')
		(void)snprintf(buf, sizeof(buf), "%s", in);
	else if (getcwd(buf, sizeof(buf) - 1) == NULL)
		return (-1);
	else if ((len = strlen(buf)) + 1 + strlen(in) >= sizeof(buf))
		return (-1);
	else
		(void)snprintf(buf + len, sizeof(buf) - len, "/%s", in);
	len = 0;
	out[0] = '\0';
	for (seg = strtok_r(buf, "/", &save); seg != NULL;
	    seg = strtok_r(NULL, "/", &save)) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			if ((slash = strrchr(out, '/')) != NULL)
				*slash = '\0';
			len = strlen(out);
			continue;
		}
		if (len + 1 + strlen(seg) >= PATH_MAX)
			return (-1);
		out[len++] = '/';
		(void)pgl_strlcpy(out + len, seg, PATH_MAX - len);
		len += strlen(seg);
	}
	if (len == 0)
		(void)pgl_strlcpy(out, "/", PATH_MAX);
	return (0);
}

/* The data directory (README "Storage placement"): the SQLite file's
 * directory, else the parent of [defaults] warehouse_root, else ./data. */
static void
data_dir(char out[PATH_MAX])
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	const char		*p = NULL, *slash;
	char			 buf[PATH_MAX];

	if (pgl_app.db != NULL && strcmp(pgl_app.db->name, "sqlite") == 0)
		p = pgl_config_opt(&cfg->store, "path");
	if (p == NULL || strchr(p, '/') == NULL || strncmp(p, "file:", 5) == 0)
		p = cfg->defaults.warehouse_root;
	if (p == NULL || strchr(p, '/') == NULL)
		p = "./data/x";
	(void)snprintf(buf, sizeof(buf), "%s", p);
	if ((slash = strrchr(buf, '/')) != NULL && slash != buf)
		buf[slash - buf] = '\0';
	else
		(void)pgl_strlcpy(buf, "/", sizeof(buf));
	if (absolute(buf, out) == -1)
		(void)pgl_strlcpy(out, "/var/lib/pangolin", PATH_MAX);
}

static void
add_root(const char *text)
{
	char	abs[PATH_MAX], real[PATH_MAX];

	if (pl.nroots >= PGL_MAX_LIST || absolute(text, abs) == -1)
		return;
	/* An existing root is resolved once, so a link the operator put in
	 * its path is followed here and never below it. */
	if (realpath(abs, real) != NULL)
		(void)pgl_strlcpy(abs, real, sizeof(abs));
	if ((pl.roots[pl.nroots] = strdup(abs)) != NULL)
		pl.nroots++;
}

void
api_placement_init(void)
{
	const struct pgl_strlist	*l = &pgl_app.cfg->storage.local_roots;
	char				 dir[PATH_MAX], def[PATH_MAX + 16];
	size_t				 i;

	if (pl.inited)
		return;
	pl.inited = 1;
	for (i = 0; i < l->n; i++)
		add_root(l->v[i]);
	if (pl.nroots == 0) {
		data_dir(dir);
		(void)snprintf(def, sizeof(def), "%s/warehouses",
		    strcmp(dir, "/") == 0 ? "" : dir);
		add_root(def);
	}
	for (i = 0; i < pl.nroots; i++)
		pgl_log(PGL_LOG_INFO, "local storage root: %s (tenants' "
		    "warehouses in %s/<tenant id>/)%s", pl.roots[i],
		    pl.roots[i], l->n == 0 ? " (default: <data dir>/warehouses)" :
		    "");
}

void
api_placement_bootstrap(const char *root)
{
	char	buf[PATH_MAX];

	if (normal(root, buf))
		(void)pgl_strlcpy(pl.boot, buf, sizeof(pl.boot));
}

/* The configured root that path lies strictly inside, with the rest. */
static const char *
root_of(const char *path, const char **rel)
{
	size_t	i, n;

	for (i = 0; i < pl.nroots; i++) {
		n = strcmp(pl.roots[i], "/") == 0 ? 0 : strlen(pl.roots[i]);
		if (strncmp(path, pl.roots[i], n) == 0 && path[n] == '/' &&
		    path[n + 1] != '\0') {
			*rel = path + n + 1;
			return (pl.roots[i]);
		}
	}
	return (NULL);
}

/*
 * 1 if path (normal) may hold storage of tenant.  any: placed by root,
 * who may use any part of a root that is no other tenant's directory.
 * *base: the directory the link walk starts from (NULL: none).
 */
static int
rule(const char *path, const char *tenant, int any, const char **base)
{
	const char	*root, *rel, *end;
	char		 seg[PGL_UUID_LEN + 1];
	size_t		 n;

	*base = NULL;
	if (strcmp(tenant, PGL_NIL_UUID) == 0 && pl.boot[0] != '\0' &&
	    pgl_location_within(path, pl.boot)) {
		*base = pl.boot;
		return (1);
	}
	if ((root = root_of(path, &rel)) == NULL)
		return (0);
	*base = root;
	if ((end = strchr(rel, '/')) == NULL)
		end = rel + strlen(rel);
	n = (size_t)(end - rel);
	seg[0] = '\0';
	if (n == PGL_UUID_LEN) {
		memcpy(seg, rel, n);
		seg[n] = '\0';
	}
	/* A tenant's own storage lies strictly inside <root>/<tenant>/. */
	if (strcmp(seg, tenant) == 0 && (*end != '\0' || any))
		return (1);
	return (any && !pgl_uuid_valid(seg));
}

/* NULL if the rule holds, else why, naming where storage may go. */
static const char *
rule_for(struct pgl_arena *a, const char *path, const char *tenant, int any,
    const char **base)
{
	if (rule(path, tenant, any, base))
		return (NULL);
	if (any)
		return ("local storage must lie inside a configured local root "
		    "and outside other tenants' directories");
	return (pgl_arena_printf(a, "local storage must lie inside %s/%s/ "
	    "(the operator's local roots)", pl.nroots > 0 ? pl.roots[0] : "",
	    tenant));
}

/* The local root of a warehouse's storage_config text, or NULL. */
static const char *
wh_root(struct pgl_arena *a, const char *text)
{
	json_t		*cfg = pgl_json_load_or(text, json_object());
	const char	*root = pgl_json_str(cfg, "root"), *out = NULL;

	if (root == NULL)
		root = pgl_json_str(cfg, "path");
	if (root != NULL && pgl_location_is_local(root))
		out = pgl_arena_strdup(a, pgl_location_path(root));
	json_decref(cfg);
	return (out);
}

static int
overlaps(const char *path, const char *other)
{
	char	buf[PATH_MAX];

	if (other == NULL || !pgl_location_is_local(other))
		return (0);
	if (!normal(pgl_location_path(other), buf))
		(void)pgl_strlcpy(buf, pgl_location_path(other), sizeof(buf));
	return (pgl_location_within(path, buf) ||
	    pgl_location_within(buf, path));
}

/*
 * Does path overlap storage of a tenant other than tenant?  1 yes, 0 no,
 * -1 the store cannot say (then refuse: the rule is not known to hold).
 */
static int
overlaps_others(struct pgl_arena *a, const char *tenant, const char *path)
{
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_tenant	*ts;
	struct pgl_warehouse	*ws;
	struct pgl_catalog	*cs;
	struct pgl_err		 err;
	size_t			 nt, nw, nc, i, j;

	if (STORE(list_tenants, a, &all, &ts, &nt, NULL, &err) != PGL_OK)
		return (-1);
	for (i = 0; i < nt; i++) {
		if (strcmp(ts[i].id, tenant) == 0)
			continue;
		if (STORE(list_warehouses, a, ts[i].id, &all, &ws, &nw, NULL,
		    &err) != PGL_OK || STORE(list_catalogs, a, ts[i].id, &all,
		    &cs, &nc, NULL, &err) != PGL_OK)
			return (-1);
		for (j = 0; j < nw; j++) {
			if (overlaps(path, wh_root(a, ws[j].storage_config)))
				return (1);
		}
		for (j = 0; j < nc; j++) {
			if (overlaps(path, cs[j].storage_location))
				return (1);
		}
	}
	return (0);
}

/*
 * Azure: one place spelled one way without the account's DNS suffix,
 * "<container>@<account>/<path>" in a's memory (a suffix names a cloud,
 * and one account name in two clouds is kept apart too: on the safe
 * side); NULL for a location that is not Azure's.
 */
static const char *
az_key(struct pgl_arena *a, const char *loc)
{
	char		 buf[PGL_LOCATION_MAX + 16];
	const char	*c, *host, *path;

	if (loc == NULL)
		return (NULL);
	c = pgl_location_canon(loc, buf, sizeof(buf));
	if (strncmp(c, "abfss://", 8) != 0)
		return (NULL);
	c += 8;
	path = c + strcspn(c, "/");
	host = memchr(c, '.', (size_t)(path - c));
	return (pgl_arena_printf(a, "%.*s%s", (int)((host != NULL ? host :
	    path) - c), c, path));
}

/* The Azure root of a warehouse's storage_config text, as az_key. */
static const char *
wh_az_key(struct pgl_arena *a, const char *text)
{
	json_t		*cfg = pgl_json_load_or(text, json_object());
	const char	*type = pgl_json_str(cfg, "type"), *out = NULL;

	if (type != NULL && strcmp(type, "azure") == 0)
		out = az_key(a, pgl_azure_root(a, cfg));
	json_decref(cfg);
	return (out);
}

static int
az_overlaps(const char *key, const char *other)
{
	return (other != NULL && (pgl_location_within(key, other) ||
	    pgl_location_within(other, key)));
}

const char *
api_placement_azure(struct pgl_req *r, const char *loc)
{
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_tenant	*ts;
	struct pgl_warehouse	*ws;
	struct pgl_catalog	*cs;
	struct pgl_err		 err;
	const char		*key = az_key(r->arena, loc);
	size_t			 nt, nw, nc, i, j;

	if (key == NULL)
		return (NULL);
	if (STORE(list_tenants, r->arena, &all, &ts, &nt, NULL, &err) !=
	    PGL_OK)
		goto unknown;
	for (i = 0; i < nt; i++) {
		if (strcmp(ts[i].id, r->tenant) == 0)
			continue;
		if (STORE(list_warehouses, r->arena, ts[i].id, &all, &ws, &nw,
		    NULL, &err) != PGL_OK || STORE(list_catalogs, r->arena,
		    ts[i].id, &all, &cs, &nc, NULL, &err) != PGL_OK)
			goto unknown;
		for (j = 0; j < nw; j++) {
			if (az_overlaps(key, wh_az_key(r->arena,
			    ws[j].storage_config)))
				goto taken;
		}
		for (j = 0; j < nc; j++) {
			if (az_overlaps(key, az_key(r->arena,
			    cs[j].storage_location)))
				goto taken;
		}
	}
	return (NULL);
taken:
	return ("Azure storage must not be, lie inside, or contain another "
	    "tenant's (in one account and container, no tenant's prefix may "
	    "equal, contain or lie inside another's)");
unknown:
	return ("the metadata store cannot be read to check the location, "
	    "retry later");
}

/* The rule for a new placement by r's principal; create: mkdir -p. */
static const char *
place(struct pgl_req *r, const char *loc, int create)
{
	struct pgl_file_info	 info;
	struct pgl_err		 err;
	const char		*why, *base;
	char			 path[PATH_MAX];
	int			 any = r->who.role == ROLE_ROOT, rc;

	api_placement_init();
	if (!normal(pgl_location_path(loc), path))
		return ("a local location must be a normalised absolute path "
		    "(no '.', '..' or repeated '/')");
	if ((why = rule_for(r->arena, path, r->tenant, any, &base)) != NULL)
		return (why);
	if ((rc = overlaps_others(r->arena, r->tenant, path)) != 0)
		return (rc == 1 ? "local storage must not lie inside, or "
		    "contain, another tenant's storage" : "the metadata store "
		    "cannot be read to check the location, retry later");
	memset(&err, 0, sizeof(err));
	rc = create ? pgl_file_mkdirs(base, path, &err) :
	    pgl_file_stat(base, path, &info, &err);
	if (rc != PGL_OK && !(rc == PGL_ENOTFOUND && !create))
		return (pgl_arena_printf(r->arena, "%s cannot be used: %s",
		    path, err.msg));
	return (NULL);
}

const char *
api_placement_default(struct pgl_req *r, const char *name)
{
	api_placement_init();
	return (pgl_arena_printf(r->arena, "%s/%s/%s", pl.nroots > 0 &&
	    strcmp(pl.roots[0], "/") != 0 ? pl.roots[0] : "", r->tenant,
	    name));
}

const char *
api_placement_warehouse(struct pgl_req *r, const char *root)
{
	return (place(r, root, 1));
}

const char *
api_placement_catalog(struct pgl_req *r, const char *loc)
{
	if (az_key(r->arena, loc) != NULL)
		return (api_placement_azure(r, loc));
	if (!pgl_location_is_local(loc))
		return (NULL);
	return (place(r, loc, 0));
}

/* Was id refused at start-up, and does it still lie where it did? */
static int
is_bad(const char *id, const char *loc)
{
	size_t	i;

	for (i = 0; id != NULL && i < pl.nbad; i++) {
		if (strcmp(pl.bad[i].id, id) == 0)
			return (strcmp(pl.bad[i].loc, loc != NULL ? loc : "") ==
			    0);
	}
	return (0);
}

/* The text rule alone, as root would be held to it; 1 if it holds. */
static int
stored_ok(const char *loc, const char *tenant)
{
	const char	*base;
	char		 path[PATH_MAX];

	if (loc == NULL || !pgl_location_is_local(loc))
		return (1);
	return (normal(pgl_location_path(loc), path) &&
	    rule(path, tenant, 1, &base));
}

const char *
api_placement_stored_warehouse(struct pgl_req *r,
    const struct pgl_warehouse *w)
{
	const char	*root;

	api_placement_init();
	root = wh_root(r->arena, w->storage_config);
	if (!is_bad(w->id, root) && stored_ok(root,
	    w->tenant_id != NULL ? w->tenant_id : r->tenant))
		return (NULL);
	return (pgl_arena_printf(r->arena, "warehouse '%s' lies outside the "
	    "configured local roots (or overlaps another tenant's storage); "
	    "an operator must move it", w->name));
}

const char *
api_placement_serving(struct pgl_req *r, const struct pgl_catalog *c)
{
	api_placement_init();
	if (!is_bad(c->id, c->storage_location) &&
	    stored_ok(c->storage_location,
	    c->tenant_id != NULL ? c->tenant_id : r->tenant))
		return (NULL);
	return (pgl_arena_printf(r->arena, "catalog '%s' lies outside the "
	    "configured local roots (or overlaps another tenant's storage); "
	    "an operator must move it", c->name));
}

static void
mark_bad(const char *id, const char *loc)
{
	struct bad	*v;

	if (is_bad(id, loc))
		return;
	if (pl.nbad == pl.capbad) {
		if ((v = realloc(pl.bad, (pl.capbad + 16) *
		    sizeof(*v))) == NULL)
			return;
		pl.bad = v;
		pl.capbad += 16;
	}
	if ((pl.bad[pl.nbad].id = strdup(id)) == NULL)
		return;
	if ((pl.bad[pl.nbad].loc = strdup(loc != NULL ? loc : "")) == NULL) {
		free(pl.bad[pl.nbad].id);
		return;
	}
	pl.nbad++;
}

/*
 * Every stored local location, read once for the start-up scan (a sweep
 * of the store, named apart from the scan room's scan_* functions: one
 * name, one function).
 */
struct spot {
	const char	*tenant;
	const char	*path;		/* normalised, or NULL */
};

struct sweep {
	struct pgl_arena	*a;
	struct spot		*v;
	size_t			 n, cap;
};

static void
spot_add(struct sweep *sc, const char *tenant, const char *loc)
{
	struct spot	*v;
	char		 path[PATH_MAX];

	if (loc == NULL || !pgl_location_is_local(loc) ||
	    !normal(pgl_location_path(loc), path))
		return;
	if (sc->n == sc->cap) {
		if ((v = realloc(sc->v, (sc->cap + 64) * sizeof(*v))) == NULL)
			return;
		sc->v = v;
		sc->cap += 64;
	}
	sc->v[sc->n].tenant = tenant;
	sc->v[sc->n].path = pgl_arena_strdup(sc->a, path);
	sc->n++;
}

/* A stored location of tenant: the text rule, then the other tenants'. */
static int
sweep_ok(const struct sweep *sc, const char *loc, const char *tenant)
{
	char	path[PATH_MAX];
	size_t	i;

	if (loc == NULL || !pgl_location_is_local(loc))
		return (1);
	if (!stored_ok(loc, tenant) || !normal(pgl_location_path(loc), path))
		return (0);
	for (i = 0; i < sc->n; i++) {
		if (strcmp(sc->v[i].tenant, tenant) != 0 &&
		    overlaps(path, sc->v[i].path))
			return (0);
	}
	return (1);
}

struct rows {
	struct pgl_warehouse	*ws;
	struct pgl_catalog	*cs;
	size_t			 nw, nc;
};

static void
sweep_tenant(const struct sweep *sc, const struct pgl_tenant *t,
    const struct rows *rw)
{
	const char	*root, *wroot;
	size_t		 i, j;
	int		 ok;

	for (i = 0; i < rw->nw; i++) {
		root = wh_root(sc->a, rw->ws[i].storage_config);
		if (sweep_ok(sc, root, t->id))
			continue;
		mark_bad(rw->ws[i].id, root);
		pgl_log(PGL_LOG_ERR, "warehouse '%s' of tenant '%s' lies at %s, "
		    "outside the configured local roots or overlapping another "
		    "tenant's storage: its catalogs are refused until an "
		    "operator moves it", rw->ws[i].name, t->name, root);
	}
	for (i = 0; i < rw->nc; i++) {
		ok = sweep_ok(sc, rw->cs[i].storage_location, t->id);
		for (j = 0; ok && rw->cs[i].warehouse_name != NULL &&
		    j < rw->nw; j++) {
			if (strcmp(rw->ws[j].name, rw->cs[i].warehouse_name) != 0)
				continue;
			wroot = wh_root(sc->a, rw->ws[j].storage_config);
			ok = !is_bad(rw->ws[j].id, wroot) && (wroot == NULL ||
			    rw->cs[i].storage_location == NULL ||
			    !pgl_location_is_local(rw->cs[i].storage_location) ||
			    pgl_location_within(pgl_location_path(
			    rw->cs[i].storage_location), wroot));
		}
		if (ok)
			continue;
		mark_bad(rw->cs[i].id, rw->cs[i].storage_location);
		pgl_log(PGL_LOG_ERR, "catalog '%s' of tenant '%s' (storage %s) "
		    "breaks the storage placement rule: refused until an "
		    "operator moves it", rw->cs[i].name, t->name,
		    rw->cs[i].storage_location != NULL ?
		    rw->cs[i].storage_location : "none");
	}
}

/* Every tenant's warehouses and catalogs into rw[] and sc; -1 on error. */
static int
sweep_read(struct sweep *sc, const struct pgl_tenant *ts, size_t nt,
    struct rows *rw)
{
	struct pgl_page	all = { 0, 0, NULL };
	struct pgl_err	err;
	size_t		i, j;

	for (i = 0; i < nt; i++) {
		if (STORE(list_warehouses, sc->a, ts[i].id, &all, &rw[i].ws,
		    &rw[i].nw, NULL, &err) != PGL_OK ||
		    STORE(list_catalogs, sc->a, ts[i].id, &all, &rw[i].cs,
		    &rw[i].nc, NULL, &err) != PGL_OK) {
			pgl_log(PGL_LOG_ERR, "storage placement: tenant '%s': "
			    "%s", ts[i].name, err.msg);
			return (-1);
		}
		for (j = 0; j < rw[i].nw; j++)
			spot_add(sc, ts[i].id, wh_root(sc->a,
			    rw[i].ws[j].storage_config));
		for (j = 0; j < rw[i].nc; j++)
			spot_add(sc, ts[i].id, rw[i].cs[j].storage_location);
	}
	return (0);
}

void
api_placement_scan(void)
{
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_tenant	*ts;
	struct rows		*rw;
	struct sweep		 sc;
	struct pgl_err		 err;
	size_t			 nt, i;

	if (pl.scanned)
		return;
	pl.scanned = 1;
	api_placement_init();
	memset(&sc, 0, sizeof(sc));
	if ((sc.a = pgl_arena_new()) == NULL)
		return;
	if (STORE(list_tenants, sc.a, &all, &ts, &nt, NULL, &err) != PGL_OK)
		pgl_log(PGL_LOG_ERR, "storage placement: tenants: %s",
		    err.msg);
	else if ((rw = calloc(nt + 1, sizeof(*rw))) != NULL) {
		if (sweep_read(&sc, ts, nt, rw) == 0) {
			for (i = 0; i < nt; i++)
				sweep_tenant(&sc, &ts[i], &rw[i]);
		}
		free(rw);
	}
	free(sc.v);
	pgl_arena_free(sc.a);
}

int
api_placement_readable(const struct pgl_catalog *c, const char *loc)
{
	const char	*base = c->storage_location;

	if (!pgl_location_is_local(loc))
		return (1);
	return (base != NULL && pgl_location_is_local(base) &&
	    pgl_location_within(pgl_location_path(loc),
	    pgl_location_path(base)));
}
