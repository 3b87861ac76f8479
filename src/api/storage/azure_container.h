/*
 * An Azure warehouse's container must exist (issue 67): a warehouse
 * whose container is missing was accepted, and its first createTable
 * failed 503 ContainerNotFound.  Where the warehouse is made, or its
 * storage_config changed, the container is asked of Azure: missing, the
 * request is a 400 naming it, or the container is created where the
 * operator allows it ([storage] azure_create_containers).  When Azure
 * cannot say (it refuses the key, or does not answer) the warehouse is
 * kept as before: its first I/O names the trouble.
 */
#ifndef PGL_API_AZURE_CONTAINER_H
#define PGL_API_AZURE_CONTAINER_H

#include "http/request.h"
#include "pangolin/store.h"

/* w (its storage_config as it will be stored): 0 ready, -1 replied (a
 * 400, or a wait for the pool's answer, or 503). */
int	api_azure_container_ready(struct pgl_req *,
	    const struct pgl_warehouse *w);

#endif
