/*
 * The stub of entra.h until the az-entra branch lands: a warehouse
 * without an account key is refused, saying why.
 */
#include <stdio.h>

#include "storage/azure.h"
#include "storage/entra.h"

static int
not_built(const struct pgl_azure *a, struct pgl_err *err)
{
	err->code = PGL_EINVAL;
	(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%.60s': Entra "
	    "service principals: not built yet", a->name != NULL ? a->name :
	    "?");
	return (PGL_EINVAL);
}

int
pgl_entra_token(const struct pgl_azure *a, char *out, size_t len,
    struct pgl_err *err)
{
	if (len > 0)
		out[0] = '\0';
	return (not_built(a, err));
}

int
pgl_entra_user_delegation_sas(const struct pgl_azure *a,
    const struct pgl_azure_sas_req *r, char *out, size_t len,
    struct pgl_err *err)
{
	(void)r;
	if (len > 0)
		out[0] = '\0';
	return (not_built(a, err));
}
