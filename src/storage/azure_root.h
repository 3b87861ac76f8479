/*
 * Where an Azure warehouse's files are, from its storage_config alone (no
 * secrets): abfss://<container>@<account>.dfs.<suffix>[/<prefix>], the
 * suffix a sovereign cloud's endpoint names (https://<account>.blob.
 * <suffix>) or Azure's public core.windows.net.  Shared by the storage
 * room (the catalog's storage), the catalog routes (its default
 * location) and the placement rule (tenants' prefixes never overlap).
 */
#ifndef PGL_AZURE_ROOT_H
#define PGL_AZURE_ROOT_H

#include <jansson.h>

#include "util/arena.h"

/* The root of cfg (type "azure"), in a's memory; NULL when cfg names no
 * account or container. */
const char	*pgl_azure_root(struct pgl_arena *, const json_t *cfg);

#endif
