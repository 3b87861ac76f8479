/*
 * Names of principals (users, service users, a provider's users on first
 * sight), issue 42: a name is shown to people (lists, grants, the audit
 * log), so a new one may not read as one that exists.  The store refuses
 * a name whose key (util/name_fold.h: case, Unicode compatibility forms,
 * invisible characters and spacing folded away) another user has, store-
 * wide for users (their names are logins) and per tenant for service
 * users; here a new name is refused what no key can catch: white space at
 * its ends, invisible characters, and reading as root's.
 *
 * `root`, and the operator's root_user when it is another name, belong
 * to the operator's account, which the store does not hold: no user,
 * service user or provider's user may take a name reading as them.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/identity/identity.h"
#include "app/app.h"
#include "pangolin/plugin.h"
#include "util/arena.h"
#include "util/name_fold.h"

/* 1 when name reads as `root` or as the operator's root user. */
static int
reads_as_root(const char *name)
{
	const char	*root = pgl_app.cfg->auth.root_user;
	char		 key[PGL_NAME_KEY_MAX], other[PGL_NAME_KEY_MAX];

	if (pgl_name_key(name, key, sizeof(key)) == -1)
		return (0);
	if (strcmp(key, "root") == 0)
		return (1);
	return (root != NULL && pgl_name_key(root, other, sizeof(other)) !=
	    -1 && strcmp(key, other) == 0);
}

const char *
api_principal_name_refused(struct pgl_req *r, const char *field,
    const char *name)
{
	char	why[128];
	char	key[PGL_NAME_KEY_MAX];

	if (pgl_name_lookalike(name, why, sizeof(why)) != NULL)
		return (pgl_arena_printf(r->arena, "%s %s", field, why));
	if (reads_as_root(name))
		return (pgl_arena_printf(r->arena, "%s '%s' is reserved: it "
		    "reads as the operator's root account", field, name));
	if (pgl_name_key(name, key, sizeof(key)) == -1)
		return (pgl_arena_printf(r->arena, "%s is too long once its "
		    "case and Unicode forms are folded", field));
	return (NULL);
}

int
api_principal_name_ok(struct pgl_req *r, const char *field, const char *name)
{
	const char	*why;

	if (pgl_req_name(r, field, name) == -1)
		return (-1);
	if ((why = api_principal_name_refused(r, field, name)) == NULL)
		return (0);
	pgl_reply_error(r, 400, "%s", why);
	return (-1);
}
