/*
 * The change events feed (feed.h).  One page is one read of the store:
 * the filters of the query are the store's (struct pgl_event_filter), so
 * a sparse filter never pages through rows that do not match; what the
 * caller may not read is dropped here, after the read, so a page can be
 * shorter than asked while the token still moves past every row read
 * (the next page never reads them again).  The token (events/feed_token.c)
 * names its stream and is authenticated, so a caller cannot page another
 * catalog's or tenant's stream by editing one.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/target.h"
#include "api/events/event_note.h"
#include "api/feed/feed.h"
#include "api/read/policies.h"
#include "app/app.h"
#include "auth/rbac.h"
#include "config/config.h"
#include "events/event_build.h"
#include "events/feed_query.h"
#include "events/feed_token.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/names.h"
#include "util/str.h"

#define TENANT_PAGE_MAX	1000
/* Store pages read at most per request when the caller may read few of
 * the rows (a page may then come back short, the token past them). */
#define FEED_SCANS	5

/* One page of a stream, as read and filtered. */
struct feed_page {
	const char		*catalog;	/* NULL: the tenant's */
	const char		*catalog_id;	/* for the caller's grants */
	struct pgl_feed_token	 tok;		/* where the reader stands */
	struct pgl_event_filter	 f;
	uint64_t		 horizon;	/* of the stream read */
};

/*
 * The token key: PANGOLIN_ENCRYPTION_KEY when set, else the session
 * signing secret (each is the same in every worker and, configured,
 * across restarts: a token outlives the process that made it).
 */
static int
token_key(const unsigned char **key, size_t *len)
{
	const struct pgl_config	*cfg = pgl_app.cfg;

	if (cfg->auth.has_encryption_key) {
		*key = cfg->auth.encryption_key;
		*len = sizeof(cfg->auth.encryption_key);
		return (0);
	}
	if (cfg->auth.jwt_secret == NULL ||
	    strlen(cfg->auth.jwt_secret) < PGL_FEED_TOKEN_KEY_MIN)
		return (-1);
	*key = (const unsigned char *)cfg->auth.jwt_secret;
	*len = strlen(cfg->auth.jwt_secret);
	return (0);
}

static void
bad(struct pgl_req *r, int status, const char *why)
{
	if (r->iceberg)
		pgl_reply_ice_error(r, status, status == 410 ? "GoneException" :
		    "BadRequestException", "%s", why);
	else
		pgl_reply_error(r, status, "%s", why);
}

/*
 * Resume from text (NULL or "": the start): 0, or -1 after a 400 (not
 * a token of this stream) or a 410 (events after it were removed).
 */
static int
resume(struct pgl_req *r, struct feed_page *p, const char *text)
{
	const unsigned char	*key;
	const char		*why;
	struct pgl_err		 err;
	size_t			 keylen;

	if (token_key(&key, &keylen) == -1) {
		pgl_reply_error(r, 503, "no secret to sign feed tokens with");
		return (-1);
	}
	memset(&p->tok, 0, sizeof(p->tok));
	if (STORE(event_horizon, r->tenant, p->catalog, &p->horizon, &err) !=
	    PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (text == NULL || *text == '\0')
		return (0);
	if (pgl_feed_token_decode(key, keylen, text, &p->tok, &why) == -1 ||
	    pgl_feed_token_check(&p->tok, r->tenant, p->catalog, &why) == -1) {
		bad(r, 400, pgl_arena_printf(r->arena,
		    "continuation-token: %s", why));
		return (-1);
	}
	if (pgl_feed_token_gone(&p->tok, p->horizon)) {
		bad(r, 410, "continuation-token: the events after it are past "
		    "retention; start again without a token or from a time");
		return (-1);
	}
	/* The token decides where to resume: after its seq, and while it
	 * was given nothing yet, from the first request's time. */
	p->f.after_seq = p->tok.seq;
	p->f.since_ms = p->tok.seq == 0 ? p->tok.since_ms : 0;
	return (0);
}

/*
 * May the reader read an object of catalog_id's stream: a table, view or
 * function
 * (name: its levels, the last one its own) by `read` on it, a task by
 * `read` on its table (name), or on the catalog when it has none (as
 * the task routes), a namespace by seeing it in lists, a merge by `read`
 * on the catalog (as the merge routes), anything else of the catalog's
 * (branches, tags) by seeing the catalog.  Admins read everything.
 */
static int
reads_object(struct pgl_req *r, const char *catalog_id, const char *type,
    const char *name, const char *uuid)
{
	struct pgl_target	 t;
	char			*ns, *sep;
	int			 asset;

	if (api_is_admin(r))
		return (1);
	memset(&t, 0, sizeof(t));
	t.catalog_id = catalog_id;
	t.ns = "";
	t.asset_id = "";
	asset = type != NULL && (strcmp(type, "table") == 0 ||
	    strcmp(type, "view") == 0 || strcmp(type, "function") == 0 ||
	    strcmp(type, "task") == 0);
	if (name != NULL && (asset || (type != NULL &&
	    strcmp(type, "namespace") == 0))) {
		if ((ns = pgl_arena_strdup(r->arena, name)) == NULL)
			return (0);
		if (asset) {
			/* The levels before the last are the namespace. */
			if ((sep = strrchr(ns, PGL_NS_SEP)) != NULL)
				*sep = '\0';
			else
				*ns = '\0';
		}
		t.ns = ns;
	}
	if (asset) {
		t.asset_id = uuid != NULL ? uuid : "";
		return (api_allowed(r, PGL_ACT_READ, &t));
	}
	if (type != NULL && strcmp(type, "merge") == 0)
		return (api_allowed(r, PGL_ACT_READ, &t));
	return (api_sees(r, &t));
}

/* A rename's destination in its Event body, levels joined; else NULL. */
static const char *
destination(struct pgl_req *r, const json_t *body)
{
	const json_t	*d, *v;
	const char	*s, *out = NULL;
	size_t		 i;

	d = json_object_get(json_object_get(body, "operation"), "destination");
	if (!json_is_object(d) || pgl_json_str(d, "name") == NULL)
		return (NULL);
	json_array_foreach(json_object_get(d, "namespace"), i, v) {
		if ((s = json_string_value(v)) == NULL)
			return (NULL);
		out = out == NULL ? s : pgl_arena_printf(r->arena, "%s%c%s",
		    out, PGL_NS_SEP, s);
	}
	return (out == NULL ? pgl_json_str(d, "name") :
	    pgl_arena_printf(r->arena, "%s%c%s", out, PGL_NS_SEP,
	    pgl_json_str(d, "name")));
}

/*
 * The reader may read an object and, for a rename, its destination too
 * (dest non-NULL): the destination is shown only to a reader of it and
 * the source only to a reader of the source, so a reader of one end is
 * not told of the rename.
 */
static int
reads_both(struct pgl_req *r, const struct feed_page *p, const char *type,
    const char *name, const char *uuid, const char *dest)
{
	return (reads_object(r, p->catalog_id, type, name, uuid) &&
	    (dest == NULL || reads_object(r, p->catalog_id, type, dest,
	    uuid)));
}

/* One entry of PGL_EVENT_REACH the reader may read in this stream. */
static int
reach_readable(struct pgl_req *r, const struct feed_page *p, const json_t *x)
{
	const char	*cat = json_string_value(json_array_get(x, 0));

	if (cat == NULL || p->catalog == NULL || strcmp(cat, p->catalog) != 0)
		return (0);
	return (reads_both(r, p, json_string_value(json_array_get(x, 1)),
	    json_string_value(json_array_get(x, 2)),
	    json_string_value(json_array_get(x, 3)),
	    json_string_value(json_array_get(x, 4))));
}

/*
 * The event as the reader gets it, or NULL when it may not read it: what
 * the request reached left out, and request-event-count the number of
 * the request's events this reader may read in this stream (event_build.h,
 * PGL_EVENT_REACH).  The row's columns decide first, without parsing.
 */
static json_t *
for_reader(struct pgl_req *r, const struct feed_page *p,
    const struct pgl_event *e)
{
	const json_t	*all, *x;
	json_t		*body;
	json_int_t	 n = 0;
	size_t		 i;
	int		 admin = api_is_admin(r);

	if (!admin && !reads_object(r, p->catalog_id, e->object_type,
	    e->object_name, e->object_uuid))
		return (NULL);
	if ((body = pgl_json_load_or(e->body, NULL)) == NULL)
		return (NULL);
	if (!admin && !reads_both(r, p, e->object_type, e->object_name,
	    e->object_uuid, destination(r, body))) {
		json_decref(body);
		return (NULL);
	}
	all = json_object_get(body, PGL_EVENT_REACH);
	if (json_is_array(all) && !admin) {
		json_array_foreach(all, i, x)
			n += reach_readable(r, p, x);
		json_object_set_new(body, "request-event-count",
		    json_integer(n > 0 ? n : 1));
	}
	json_object_del(body, PGL_EVENT_REACH);
	return (body);
}

/*
 * Fill events with up to limit readable events, reading at most
 * FEED_SCANS store pages: rows the caller may not read are passed over,
 * and the token moves past them, so a caller who may read little pays a
 * bounded read per request and never reads the same rows twice.
 */
static int
fill(struct pgl_req *r, struct feed_page *p, json_t *events,
    struct pgl_err *err)
{
	struct pgl_event	*evs;
	struct ice_event_memo	 memo;
	json_t			*j;
	size_t			 n, i, scans, want = p->f.limit;
	int			 rc;

	memset(&memo, 0, sizeof(memo));
	for (scans = 0; scans < FEED_SCANS; scans++) {
		p->f.limit = (uint32_t)(want - json_array_size(events));
		if ((rc = STORE(list_events, r->arena, r->tenant, &p->f, &evs,
		    &n, err)) != PGL_OK)
			return (rc);
		for (i = 0; i < n; i++) {
			p->tok.seq = evs[i].seq;
			p->tok.ts_ms = evs[i].ts_ms;
			if ((j = for_reader(r, p, &evs[i])) == NULL)
				continue;
			/* No statistic to a reader a policy binds. */
			ice_event_withhold(r, evs[i].catalog,
			    evs[i].object_type, j, &memo);
			json_array_append_new(events, j);
		}
		if (n < p->f.limit || json_array_size(events) >= want)
			break;
		p->f.after_seq = p->tok.seq;
		p->f.since_ms = 0;
	}
	return (PGL_OK);
}

/*
 * Read the page and reply {"continuation-token", "events"}: the token
 * after the last row read, or the same position when none was.
 */
static void
serve(struct pgl_req *r, struct feed_page *p)
{
	struct pgl_err		 err;
	const unsigned char	*key;
	const char		*why;
	json_t			*events;
	char			*text;
	size_t			 keylen;

	if ((events = json_array()) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	p->tok.since_ms = p->f.since_ms;
	if (fill(r, p, events, &err) != PGL_OK) {
		json_decref(events);
		pgl_reply_store_error(r, &err);
		return;
	}
	/* The first request's time stays in the token only until the
	 * reader is given an event (feed_token.h). */
	if (p->tok.seq != 0)
		p->tok.since_ms = 0;
	/* A reader given nothing yet, with no time to start from, has
	 * read everything the horizon left: it stands there, so a purge
	 * of what it never could have had does not answer it 410 later. */
	else if (p->tok.since_ms == 0)
		p->tok.seq = p->horizon;
	(void)pgl_strlcpy(p->tok.tenant_id, r->tenant, sizeof(p->tok.tenant_id));
	p->tok.tenant_wide = p->catalog == NULL;
	(void)pgl_strlcpy(p->tok.catalog, p->catalog != NULL ? p->catalog : "",
	    sizeof(p->tok.catalog));
	if (token_key(&key, &keylen) == -1) {
		/* resume() refused this before the store was read. */
		json_decref(events);
		pgl_reply_error(r, 503, "no secret to sign feed tokens with");
		return;
	}
	if ((text = pgl_feed_token_encode(key, keylen, &p->tok, &why)) ==
	    NULL) {
		json_decref(events);
		pgl_reply_error(r, 500, "continuation-token: %s", why);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:s,s:o}", "continuation-token",
	    text, "events", events));
	free(text);
}

static int
events_on(struct pgl_req *r)
{
	if (api_events_on())
		return (1);
	bad(r, 501, "this store keeps no change events (store ABI 1.15)");
	return (0);
}

/* POST /v1/{prefix}/events: a QueryEventsRequest on one catalog. */
void
api_events_query(struct pgl_req *r)
{
	struct pgl_feed_query	 q;
	struct pgl_catalog	 c;
	struct feed_page	 p;
	char			 why[256];
	char			*ot = NULL, *oty = NULL, *ou = NULL, *on = NULL;

	if (ice_catalog(r, &c) == -1 || !events_on(r))
		return;
	memset(&q, 0, sizeof(q));
	if (pgl_feed_query_parse(r->body, &q, why, sizeof(why)) == -1) {
		pgl_feed_query_free(&q);
		pgl_reply_ice_error(r, 400, "BadRequestException", "%s", why);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.catalog = c.name;
	p.catalog_id = c.id;
	p.f.catalog = c.name;
	p.f.since_ms = q.since_ms;
	p.f.limit = q.page_size;
	if (resume(r, &p, q.token) == 0) {
		p.f.operation_types = ot = q.operation_types != NULL ?
		    pgl_json_dump(q.operation_types) : NULL;
		p.f.object_types = oty = q.object_types != NULL ?
		    pgl_json_dump(q.object_types) : NULL;
		p.f.object_uuids = ou = q.object_uuids != NULL ?
		    pgl_json_dump(q.object_uuids) : NULL;
		p.f.object_names = on = q.object_names != NULL ?
		    pgl_json_dump(q.object_names) : NULL;
		serve(r, &p);
	}
	free(ot);
	free(oty);
	free(ou);
	free(on);
	pgl_feed_query_free(&q);
}

/* GET /api/v1/events?after=<token>&limit=N: the tenant's whole stream. */
void
api_events_tenant(struct pgl_req *r)
{
	struct feed_page	 p;
	const char		*lim = pgl_query(r, "limit");
	char			*end;
	long			 n = PGL_FEED_PAGE_DEFAULT;

	if (!events_on(r))
		return;
	if (r->tenant[0] == '\0') {
		pgl_reply_error(r, 400, "name the tenant (X-Pangolin-Tenant)");
		return;
	}
	if (lim != NULL) {
		n = strtol(lim, &end, 10);
		if (*lim == '\0' || *end != '\0' || n < 1 ||
		    n > TENANT_PAGE_MAX) {
			pgl_reply_error(r, 400, "limit: an integer from 1 to %d",
			    TENANT_PAGE_MAX);
			return;
		}
	}
	memset(&p, 0, sizeof(p));
	p.f.limit = (uint32_t)n;
	if (resume(r, &p, pgl_query(r, "after")) == 0)
		serve(r, &p);
}

int
api_feed_tenant_seq(struct pgl_req *r, const char *token, uint64_t *seq)
{
	struct feed_page	p;

	memset(&p, 0, sizeof(p));
	if (token == NULL || *token == '\0') {
		pgl_reply_error(r, 400, "after: a continuation token of "
		    "GET /api/v1/events");
		return (-1);
	}
	if (resume(r, &p, token) == -1)
		return (-1);
	*seq = p.tok.seq;
	return (0);
}
