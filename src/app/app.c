/*
 * The process-wide state (app.h): the config, this process's store handle
 * and cache handle.  Each Kore worker opens its own handles; a handle
 * that cannot be opened is retried on the next request that needs it.
 */
#include <stdio.h>
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

/* A transaction's COMMIT answered later (app.h, struct pgl_flight). */
int
pgl_flight_send(int *fd, struct pgl_err *err)
{
	struct pgl_flight	*f = &pgl_app.flight;
	int			 rc;

	*fd = -1;
	if (!pgl_store_can_send_commit(pgl_app.db))
		return (pgl_app.db->commit(pgl_app.dbh, err));
	rc = pgl_app.db->commit_send(pgl_app.dbh, fd, err);
	if (rc == PGL_OK && *fd != -1) {
		f->h = pgl_app.dbh;
		f->landed = 0;
	}
	return (rc);
}

int
pgl_flight_poll(int *fd, struct pgl_err *err)
{
	struct pgl_flight	*f = &pgl_app.flight;
	int			 rc;

	*fd = -1;
	if (f->landed) {
		f->landed = 0;
		*err = f->err;
		return (f->rc);
	}
	/* Nothing in flight: no outcome to tell, and "it landed" would be
	 * a guess; the caller answers as for a COMMIT lost. */
	if (f->h == NULL) {
		err->code = PGL_EINTERNAL;
		(void)snprintf(err->msg, sizeof(err->msg), "no COMMIT in "
		    "flight to take the outcome of");
		return (err->code);
	}
	rc = pgl_app.db->commit_poll(f->h, 0, fd, err);
	if (rc != PGL_OK || *fd == -1)
		f->h = NULL;
	return (rc);
}

void
pgl_flight_wait(void)
{
	struct pgl_flight	*f = &pgl_app.flight;
	struct pgl_store	*h = f->h;
	int			 fd;

	if (h == NULL)
		return;
	f->h = NULL;		/* the poll below is no store call of STORE's */
	memset(&f->err, 0, sizeof(f->err));
	f->rc = pgl_app.db->commit_poll(h, 1, &fd, &f->err);
	f->landed = 1;
	pgl_metrics_inc(PGL_C_COMMIT_FLIGHT_WAITS);
	if (pgl_app.flight_landed != NULL)
		pgl_app.flight_landed();
}
