/*
 * An Azure warehouse's container, checked where the warehouse is made or
 * changed (azure_container.h).  The call (Get Container Properties, and
 * Create Container where the operator allows it) is made by the write
 * pool as a fetch (api/request/fetch.h): the handler runs again with its
 * answer, before it has written anything.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/request/fetch.h"
#include "api/storage/azure_container.h"
#include "api/storage/storage.h"
#include "app/app.h"
#include "storage/azure.h"
#include "storage/obj_job.h"
#include "util/arena.h"
#include "util/log.h"

/* The answer's one byte: what the pool found. */
#define FOUND		'1'	/* there */
#define MADE		'2'	/* missing, created */
#define MISSING		'0'	/* missing, not created */
#define UNKNOWN		'?'	/* Azure did not say (refused, unreachable) */

struct ctr_job {
	struct api_fetch_call	 c;
	struct pgl_storage	 st;
	int			 create;
};

static void
ctr_run(struct pgl_wjob *w)
{
	struct ctr_job	*j = (struct ctr_job *)w;
	struct pgl_err	 err;
	char		 got = UNKNOWN;
	int		 exists = 0;

	memset(&err, 0, sizeof(err));
	if (pgl_azure_container_exists(&j->st.az, &exists, &err) == PGL_OK)
		got = exists ? FOUND : MISSING;
	if (got == MISSING && j->create &&
	    pgl_azure_create_container(&j->st.az, &err) == PGL_OK)
		got = MADE;
	if ((j->c.out = malloc(2 + strlen(err.msg) + 1)) == NULL) {
		w->rc = w->err.code = PGL_ENOMEM;
		(void)snprintf(w->err.msg, sizeof(w->err.msg),
		    "out of memory");
		return;
	}
	/* The verdict, then Azure's words when it said no. */
	j->c.out[0] = got;
	(void)snprintf(j->c.out + 1, strlen(err.msg) + 2, "%s", err.msg);
	j->c.outlen = strlen(j->c.out) + 1;
	w->rc = PGL_OK;
}

static void
ctr_free(struct api_fetch_call *c)
{
	struct ctr_job	*j = (struct ctr_job *)c;

	free(c->out);
	free(c->key);
	pgl_storage_release(&j->st);
	free(j);
}

int
api_azure_container_ready(struct pgl_req *r, const struct pgl_warehouse *w)
{
	struct api_azure_conf	 ac;
	struct pgl_storage	 st;
	struct ctr_job		*j;
	struct pgl_err		 err;
	char			*data = NULL;
	size_t			 len = 0;
	int			 create = pgl_app.cfg->storage.azure_create_containers;
	int			 rc;

	memset(&err, 0, sizeof(err));
	if (api_warehouse_azure(r, w, &ac, &err) != PGL_OK) {
		/* Told by the checks before; nothing to ask Azure. */
		pgl_reply_error(r, 400, "%s", err.msg);
		return (-1);
	}
	memset(&st, 0, sizeof(st));
	st.az = ac.az;
	st.s3.endpoint = ac.origin;
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    pgl_storage_copy(&j->st, &st) == -1) {
		free(j);
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	j->create = create;
	j->c.w.run = ctr_run;
	j->c.free = ctr_free;
	/* One check of this place a request: the key names it. */
	if ((j->c.key = strdup(pgl_arena_printf(r->arena, "azure-container\n"
	    "%s\n%s\n%s", ac.origin, ac.az.account, ac.az.container))) ==
	    NULL) {
		ctr_free(&j->c);
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if ((rc = api_fetch_call(r, &j->c, &data, &len, &err)) != PGL_OK) {
		pgl_set_header(r, "retry-after", "1");
		pgl_reply_error(r, 503, "%s", err.msg);
		return (-1);
	}
	rc = 0;
	if (len < 1 || data[0] == MISSING) {
		pgl_reply_error(r, 400, "warehouse '%s': container '%s' does "
		    "not exist in Azure storage account '%s': create it first "
		    "(or let the server create it: [storage] "
		    "azure_create_containers)", w->name, ac.az.container,
		    ac.az.account);
		rc = -1;
	} else if (data[0] == UNKNOWN)
		/* A key Azure refuses, or Azure unreachable: the container
		 * cannot be told now; the warehouse's first I/O names it. */
		pgl_log(PGL_LOG_INFO, "warehouse '%s': container '%s' not "
		    "checked: %s", w->name, ac.az.container, data + 1);
	else if (data[0] == MADE)
		pgl_log(PGL_LOG_INFO, "warehouse '%s': container '%s' of "
		    "account '%s' created (azure_create_containers)", w->name,
		    ac.az.container, ac.az.account);
	free(data);
	return (rc);
}
