/*
 * What external.c uses of external_user.c beyond identity.h: the caller
 * its claims name, with the row found, and the caller set from a token
 * resolved lately.  Private to the identity room.
 */
#ifndef PGL_API_EXTERNAL_USER_H
#define PGL_API_EXTERNAL_USER_H

#include <jansson.h>

#include "http/request.h"
#include "pangolin/store.h"

struct pgl_idp;

/* api_external_resolve; *kept is the user row when it was found as the
 * token has it (nothing written), else its id is NULL. */
int	api_external_user(struct pgl_req *, struct pgl_idp *,
	    const json_t *claims, const char **why, struct pgl_user *kept);
/* tenant NULL: root, who may act in the tenant X-Pangolin-Tenant names. */
void	api_external_caller(struct pgl_req *, enum pgl_user_role,
	    const char *id, const char *username, const char *tenant);

#endif
