/*
 * Who sees which lines of /metrics (docs/security.md, "/metrics").  The
 * route is public, so that health checks and ordinary scrapes need no
 * secret: the process-wide lines are everyone's.  The lines that name a
 * tenant or what it owns (its usage and quota, its stored scan plans,
 * its push sinks) are rendered only for a caller who may see every
 * tenant: root, by the authentication the rest of the API uses, or the
 * operator's scrape credential, [metrics] token.
 *
 * The route stays PUBLIC: a credential that does not hold is answered
 * as no credential (the public lines), as on every public route, never
 * 401 or 403.  Root's Basic is still counted and throttled by the login
 * limiter and its failures audited (authn.c).  An API key is a tenant's
 * service user, never root: X-API-Key is not read here.
 */
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/manage/manage.h"
#include "app/app.h"
#include "auth/password.h"
#include "auth/principal.h"
#include "metrics/metrics.h"
#include "util/str.h"

/* The operator's scrape credential, compared in constant time. */
static int
scrape_token(const char *authz)
{
	const char	*want = pgl_app.cfg->metrics.token;

	return (want != NULL && strncasecmp(authz, "Bearer ", 7) == 0 &&
	    pgl_secret_equal(authz + 7, want));
}

enum pgl_metrics_scope
api_metrics_scope(struct pgl_req *r)
{
	const char	*authz = pgl_header(r, "authorization");
	const char	*why = NULL;
	int		 retry = 0;

	/* The usual scrape: nothing to check, nothing to read. */
	if (authz == NULL)
		return (PGL_METRICS_PUBLIC);
	if (scrape_token(authz))
		return (PGL_METRICS_TENANTS);
	/*
	 * Root by Basic or by its session; in no-auth mode too, where a
	 * caller without credentials is the default tenant's admin (root's
	 * routes refuse it, so do these lines).  The route needs no store:
	 * a session whose revocation cannot be read is not root here.
	 */
	if (api_identify(r, &why, &retry) != 0) {
		/* Anonymous, as the gate leaves a public route's caller. */
		memset(&r->who, 0, sizeof(r->who));
		(void)pgl_strlcpy(r->tenant, PGL_NIL_UUID, sizeof(r->tenant));
		return (PGL_METRICS_PUBLIC);
	}
	return (r->who.role == ROLE_ROOT ? PGL_METRICS_TENANTS :
	    PGL_METRICS_PUBLIC);
}
