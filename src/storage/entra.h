/*
 * Entra ID (Azure AD) service principals for Azure warehouses without an
 * account key: a client-credentials token for Azure Storage, and a
 * user-delegation SAS.  Owned by the az-entra branch; this is the stub
 * the Blob client (azure.c, azure_sas.c) builds against until it lands.
 */
#ifndef PGL_ENTRA_H
#define PGL_ENTRA_H

#include <stddef.h>

#include "pangolin/plugin.h"

struct pgl_azure;
struct pgl_azure_sas_req;

/* A token for https://storage.azure.com/.default into out (sent as
 * "Authorization: Bearer <token>"). */
int	pgl_entra_token(const struct pgl_azure *, char *out, size_t len,
	    struct pgl_err *);
/* A user-delegation SAS query string (no '?') into out. */
int	pgl_entra_user_delegation_sas(const struct pgl_azure *,
	    const struct pgl_azure_sas_req *, char *out, size_t len,
	    struct pgl_err *);

#endif
