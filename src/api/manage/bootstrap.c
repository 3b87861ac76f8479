/*
 * Start-up bootstrap, run once in the parent before workers fork: the
 * default tenant (nil UUID) always exists, and [defaults] may name a local
 * warehouse and a catalog so `make run` is ready for an Iceberg client.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "api/placement/placement.h"
#include "api/storage/sealed_probe.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/log.h"
#include "util/mkdirs.h"

static int
ensure_tenant(struct pgl_arena *a, struct pgl_err *err)
{
	struct pgl_tenant	t;
	int			rc;

	if (STORE(get_tenant, a, PGL_NIL_UUID, &t, err) == PGL_OK)
		return (PGL_OK);
	t.id = PGL_NIL_UUID;
	t.name = pgl_app.cfg->defaults.tenant_name;
	t.properties = "{}";
	rc = STORE(create_tenant, &t, err);
	return (rc == PGL_EEXISTS ? PGL_OK : rc);
}

static int
ensure_warehouse(struct pgl_arena *a, const char *root, struct pgl_err *err)
{
	struct pgl_warehouse	 w;
	char			 id[PGL_UUID_LEN + 1];
	json_t			*cfg;
	int			 rc;

	if (STORE(get_warehouse, a, PGL_NIL_UUID, pgl_app.cfg->defaults.warehouse,
	    &w, err) == PGL_OK)
		return (PGL_OK);
	pgl_uuid_new(id);
	cfg = json_pack("{s:s,s:s}", "type", "local", "root", root);
	w.id = id;
	w.tenant_id = PGL_NIL_UUID;
	w.name = pgl_app.cfg->defaults.warehouse;
	w.storage_config = api_text(a, cfg);
	w.vending_strategy = NULL;
	w.use_sts = 0;
	json_decref(cfg);
	rc = STORE(create_warehouse, &w, err);
	if (rc == PGL_OK)
		pgl_log(PGL_LOG_INFO, "created warehouse '%s' at %s", w.name,
		    root);
	return (rc == PGL_EEXISTS ? PGL_OK : rc);
}

static int
ensure_catalog(struct pgl_arena *a, const char *root, struct pgl_err *err)
{
	struct pgl_catalog	c;
	char			id[PGL_UUID_LEN + 1];
	int			rc;

	if (STORE(get_catalog, a, PGL_NIL_UUID, pgl_app.cfg->defaults.catalog,
	    &c, err) == PGL_OK)
		return (PGL_OK);
	memset(&c, 0, sizeof(c));
	pgl_uuid_new(id);
	c.id = id;
	c.tenant_id = PGL_NIL_UUID;
	c.name = pgl_app.cfg->defaults.catalog;
	c.catalog_type = "Local";
	c.warehouse_name = pgl_app.cfg->defaults.warehouse;
	c.storage_location = pgl_arena_printf(a, "%s/%s", root, c.name);
	c.properties = "{}";
	rc = pgl_catalog_create(a, PGL_NIL_UUID, &c, err);
	if (rc == PGL_OK)
		pgl_log(PGL_LOG_INFO, "created catalog '%s'", c.name);
	return (rc == PGL_EEXISTS ? PGL_OK : rc);
}

int
pgl_bootstrap(struct pgl_err *err)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	struct pgl_arena	*a;
	char			 root[PATH_MAX];
	int			 rc;

	if ((a = pgl_arena_new()) == NULL)
		return (-1);
	api_placement_init();
	rc = ensure_tenant(a, err);
	if (rc == PGL_OK && cfg->defaults.warehouse != NULL &&
	    cfg->defaults.warehouse_root != NULL) {
		/* A fresh clone or install has no data directory yet. */
		if (pgl_mkdirs(cfg->defaults.warehouse_root, 0750) == -1) {
			(void)snprintf(err->msg, sizeof(err->msg), "cannot "
			    "create %s: %s", cfg->defaults.warehouse_root,
			    strerror(errno));
			rc = PGL_EINVAL;
		} else if (realpath(cfg->defaults.warehouse_root, root) ==
		    NULL) {
			(void)snprintf(err->msg, sizeof(err->msg), "%s: %s",
			    cfg->defaults.warehouse_root, strerror(errno));
			rc = PGL_EINVAL;
		} else {
			/* The operator placed it: the nil tenant's storage may
			 * lie there as well as below the local roots. */
			api_placement_bootstrap(root);
			rc = ensure_warehouse(a, root, err);
			if (rc == PGL_OK && cfg->defaults.catalog != NULL)
				rc = ensure_catalog(a, root, err);
		}
	}
	pgl_arena_free(a);
	if (rc == PGL_OK)
		api_placement_scan();
	/* Every class of sealed value opens with the key (issue 67). */
	if (rc == PGL_OK && api_sealed_start(err->msg, sizeof(err->msg)) ==
	    -1)
		rc = PGL_EINVAL;
	return (rc == PGL_OK ? 0 : -1);
}
