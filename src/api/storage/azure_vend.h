/*
 * Vended credentials for an Azure warehouse: a SAS token scoped to the
 * table's directory (a directory SAS, sr=d: abfss:// is ADLS Gen2, whose
 * hierarchical namespace scopes it), or to the whole container only where
 * the operator lists it ([storage] azure_container_sas: plain Blob
 * accounts, the emulator) and it holds no other warehouse (widen.h),
 * read-only unless the caller may write the table, expiring after
 * sas_lifetime_secs.
 *
 * Like STS credentials (sts_vend.h), api_sts_prepare() gets them for a
 * request before anything it cannot do twice, kept per (tenant, table,
 * access) by this worker until half their life (storage/sts_cache.h).
 * A SAS signed with the account key is made on the spot (an HMAC); one
 * signed with a user delegation key (Microsoft Entra) needs calls to
 * Entra and Azure, made by the write pool as a fetch (fetch.h).  The
 * answer's config is storage.c's, from the SAS held (req_app.h).
 */
#ifndef PGL_API_AZURE_VEND_H
#define PGL_API_AZURE_VEND_H

#include <jansson.h>

#include "http/request.h"
#include "pangolin/store.h"
#include "storage/objio.h"

/* api_sts_prepare() for an Azure catalog: 0 ready, -1 replied. */
int		 api_azure_prepare(struct pgl_req *, const struct pgl_storage *,
		    const struct pgl_catalog *, const char *location);
/* The same for a location of st's warehouse (its directory, or its
 * container where the operator lists it), read-write when write: the
 * warehouse credentials route's (api/manage). */
int		 api_azure_vend(struct pgl_req *, const struct pgl_storage *,
		    const char *location, int write);
/* The SAS held for this request, or NULL. */
const struct api_sas *api_azure_held(struct pgl_req *);

#endif
