/*
 * Request rates (issue 23): an optional ceiling on the requests one
 * principal, and one tenant, may make in a fixed window, counted in the
 * shared-memory table every worker of the process maps (auth/ratelimit.c,
 * its request table, apart from the login throttle's).  Checked once a
 * caller is authenticated, before authorization or any store work, so a
 * caller past its rate costs the server one lookup.  Public routes
 * (health, login, OAuth tokens, the page's assets) are not counted: the
 * login throttle guards the credential routes, and health must answer.
 */
#include <time.h>

#include "api/gate.h"
#include "app/app.h"
#include "auth/ratelimit.h"
#include "metrics/limits.h"
#include "util/arena.h"

/* Who the principal is for counting: root has no user id. */
static const char *
principal_key(struct pgl_req *r)
{
	if (r->who.role == ROLE_ROOT)
		return ("p:root");
	return (pgl_arena_printf(r->arena, "p:%s", r->who.user_id));
}

json_t *
api_too_many(struct pgl_req *r, const char *msg, int retry_secs)
{
	json_t	*j;

	if (r->iceberg)
		j = json_pack("{s:{s:s,s:s,s:i}}", "error", "message", msg,
		    "type", "TooManyRequestsException", "code", 429);
	else
		j = json_pack("{s:s}", "error", msg);
	pgl_set_header(r, "retry-after", pgl_arena_printf(r->arena, "%d",
	    retry_secs));
	return (j);
}

static void
refuse(struct pgl_req *r, int retry, const char *what, int limit, int win)
{
	const char	*msg;
	json_t		*j;

	msg = pgl_arena_printf(r->arena, "too many requests: this %s may make "
	    "%d in %d s (%s); retry in %d s", what, limit, win,
	    *what == 'p' ? "PANGOLIN_RATE_PER_PRINCIPAL" :
	    "PANGOLIN_RATE_PER_TENANT", retry);
	j = api_too_many(r, msg, retry);
	json_object_set_new(j, "limit", json_integer(limit));
	json_object_set_new(j, "window_secs", json_integer(win));
	pgl_limit_hit(*what == 'p' ? PGL_LIMIT_RATE_PRINCIPAL :
	    PGL_LIMIT_RATE_TENANT, (uint64_t)limit);
	pgl_reply_json(r, 429, j);
}

int
api_rate(struct pgl_req *r)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	int			 win = cfg->server.rate_window_secs, retry;
	int64_t			 now = (int64_t)time(NULL);

	if (cfg->server.rate_per_principal > 0 &&
	    (retry = pgl_ratelimit_hit_in(PGL_RL_REQUESTS, principal_key(r),
	    cfg->server.rate_per_principal, win, now)) > 0) {
		refuse(r, retry, "principal", cfg->server.rate_per_principal,
		    win);
		return (-1);
	}
	if (cfg->server.rate_per_tenant > 0 && r->tenant[0] != '\0' &&
	    (retry = pgl_ratelimit_hit_in(PGL_RL_REQUESTS,
	    pgl_arena_printf(r->arena, "t:%s", r->tenant),
	    cfg->server.rate_per_tenant, win, now)) > 0) {
		refuse(r, retry, "tenant", cfg->server.rate_per_tenant, win);
		return (-1);
	}
	return (0);
}
