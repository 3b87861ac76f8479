/*
 * The process-wide state (app.h): the config, this process's store handle
 * and cache handle.  Each Kore worker opens its own handles; a handle
 * that cannot be opened is retried on the next request that needs it.
 */
#include <string.h>

#include "app/app.h"
#include "metrics/metrics.h"

struct pgl_app	pgl_app;

int
pgl_app_store_open(struct pgl_err *err)
{
	const struct pgl_config	*cfg = pgl_app.cfg;

	memset(err, 0, sizeof(*err));
	if (pgl_app.dbh != NULL)
		return (0);
	if (pgl_app.db->open(pgl_host_api(), cfg->store.opts, cfg->store.nopts,
	    &pgl_app.dbh, err) != PGL_OK) {
		pgl_app.dbh = NULL;
		pgl_metrics_inc(PGL_C_STORE_UNAVAILABLE);
		return (-1);
	}
	/* The memory store starts empty in every process that opens it:
	 * the parent's bootstrap (default tenant, [defaults]) is not there. */
	if (strcmp(pgl_app.db->name, "memory") == 0 &&
	    pgl_app.fill_empty != NULL && pgl_app.fill_empty(err) == -1)
		return (-1);
	return (0);
}
