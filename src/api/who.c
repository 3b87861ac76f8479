/*
 * What the identity handlers (users, sessions, tokens, service users,
 * audit) share about a caller and an account, below all of them: the
 * client's address, a user as the API shows it, revoking an owner's
 * tokens, and times as RFC 3339.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/gate.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

const char *
api_rfc3339(struct pgl_arena *a, int64_t secs)
{
	char		buf[32];
	time_t		t = (time_t)secs;
	struct tm	tm;

	(void)gmtime_r(&t, &tm);
	(void)strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return (pgl_arena_printf(a, "%s", buf));
}

json_t *
api_user_info(const struct pgl_user *u)
{
	json_t	*doc = api_obj(u->doc), *j;

	j = json_pack("{s:s,s:s,s:o,s:o,s:s,s:O,s:O,s:O,s:b}", "id", u->id,
	    "username", u->username, "email", api_str_or_null(u->email),
	    "tenant-id", api_str_or_null(u->tenant_id), "role", u->role,
	    "oauth-provider", json_object_get(doc, "oauth-provider") ?
	    json_object_get(doc, "oauth-provider") : json_null(),
	    "created-at", json_object_get(doc, "created-at") ?
	    json_object_get(doc, "created-at") : json_null(),
	    "last-login", json_object_get(doc, "last-login") ?
	    json_object_get(doc, "last-login") : json_null(),
	    "active", u->active);
	json_decref(doc);
	return (j);
}

int
api_owner_revoke(struct pgl_req *r, const char *owner, const char *why)
{
	struct pgl_err	err;

	if (STORE(revoke_user_tokens, owner, pgl_now_ms(), why, &err) !=
	    PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

const char *
api_client_addr(struct pgl_req *r)
{
	const char	*xff;
	char		 peer[64];
	size_t		 n;

	xff = pgl_app.cfg->auth.trust_forwarded_for ? pgl_header(r,
	    "x-forwarded-for") : NULL;
	if (xff != NULL) {
		n = strcspn(xff, ",");
		while (n > 0 && xff[n - 1] == ' ')
			n--;
		return (pgl_arena_strndup(r->arena, xff, n));
	}
	return (pgl_arena_strdup(r->arena, pgl_req_peer(r, peer,
	    sizeof(peer))));
}
