/*
 * Idempotency-Key on Iceberg mutations (advertised in /v1/config as
 * idempotency-key-lifetime).  A repeated key within the lifetime gets the
 * first response back without running the handler again.  Keys live in
 * the store, so every worker and every replica sees them.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "api/api.h"
#include "api/gate.h"
#include "app/app.h"
#include "util/arena.h"

#define IDEM_LIFETIME_MS	(30 * 60 * 1000)	/* PT30M */
#define IDEM_PURGE_EVERY	256

static int
key_valid(const char *k)
{
	size_t	i, len = strlen(k);

	if (len == 0 || len > 128)
		return (0);
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)k[i]) && strchr("-_.:", k[i]) ==
		    NULL)
			return (0);
	}
	return (1);
}

/*
 * What a key is bound to: the method, the concrete path and a digest of
 * the body, so a different request reusing a key is refused (422), never
 * answered with another request's stored response.
 */
static const char *
request_route(struct pgl_req *r)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	char		 hex[2 * 32 + 1];
	size_t		 len;
	const char	*body = pgl_req_body_raw(r, &len);
	int		 i;

	if (!EVP_Digest(body, len, md, NULL, EVP_sha256(), NULL))
		memset(md, 0, sizeof(md));
	for (i = 0; i < 32; i++)
		(void)snprintf(hex + i * 2, 3, "%02x", md[i]);
	return (pgl_arena_printf(r->arena, "%s %s %s",
	    pgl_method_name(r->method), pgl_req_path(r), hex));
}

int
api_idem_begin(struct pgl_req *r)
{
	struct pgl_idempotent	 prev;
	struct pgl_err		 err;
	const char		*key, *sp;

	if (!r->iceberg || (r->method != PGL_POST && r->method != PGL_DELETE) ||
	    (key = pgl_header(r, "idempotency-key")) == NULL ||
	    pgl_app.db->get_idempotent == NULL)
		return (0);
	if (!key_valid(key)) {
		pgl_reply_error(r, 400, "Idempotency-Key must be 1-128 "
		    "characters of [A-Za-z0-9._:-]");
		return (1);
	}
	if (STORE(get_idempotent, r->arena, r->tenant, key, pgl_now_ms(),
	    &prev, &err) != PGL_OK) {
		if (err.code != PGL_ENOTFOUND) {
			pgl_reply_store_error(r, &err);
			return (1);
		}
		r->app->idem_key = key;
		return (0);
	}
	if (strcmp(prev.route, request_route(r)) != 0) {
		/* Name the other request by method and path, not its digest. */
		sp = strrchr(prev.route, ' ');
		pgl_reply_error(r, 422, "Idempotency-Key was already used for "
		    "another request (%.*s)", sp != NULL ?
		    (int)(sp - prev.route) : (int)strlen(prev.route), prev.route);
		return (1);
	}
	pgl_set_header(r, "idempotent-replayed", "true");
	if (prev.body != NULL && *prev.body != '\0')
		pgl_reply_raw(r, prev.status, "application/json", prev.body,
		    strlen(prev.body));
	else
		pgl_reply_empty(r, prev.status);
	return (1);
}

/* Success and the deterministic client errors are replayed; 5xx not. */
static int
replayable(int status)
{
	return ((status >= 200 && status < 300) || status == 400 ||
	    status == 404 || status == 409 || status == 422);
}

void
api_idem_end(struct pgl_req *r)
{
	static unsigned		 puts;
	struct pgl_idempotent	 rec;
	struct pgl_err		 err;
	uint64_t		 purged;
	size_t			 len;
	int64_t			 now = pgl_now_ms();

	if (r->app->idem_key == NULL || !replayable(r->status))
		return;
	rec.key = r->app->idem_key;
	rec.route = request_route(r);
	rec.status = r->status;
	if ((rec.body = pgl_reply_body(r, &len)) == NULL)
		rec.body = "";
	rec.expires_at_ms = now + IDEM_LIFETIME_MS;
	/* A concurrent duplicate may have stored it first: keep that one. */
	(void)STORE(put_idempotent, r->tenant, &rec, &err);
	if (++puts % IDEM_PURGE_EVERY == 0)
		(void)STORE(purge_idempotent, now, &purged, &err);
}
