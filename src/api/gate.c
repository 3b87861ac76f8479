/*
 * Between the HTTP layer and a handler.  admit: who is calling and may
 * they call this route on this resource, decided before the body is read
 * or the handler does any work.  serve: the store, Idempotency-Key, the
 * handler, and the audit event of a mutation.
 *
 * A management mutation runs inside one store transaction opened here, and
 * its success event is written in it, so the change and its record commit
 * together or not at all; a refused or failed one is rolled back and
 * leaves a failure event.  Iceberg mutations run their own commit loops
 * (a lost compare-and-swap retries on a fresh transaction); they write
 * their event through api_tx, in their own transaction.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/events/event_note.h"
#include "api/gate.h"
#include "api/quota/quota.h"
#include "api/request/fetch.h"
#include "app/app.h"
#include "http/dispatch.h"
#include "metrics/metrics.h"
#include "auth/principal.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

static int
store_ready(struct pgl_req *r)
{
	struct pgl_err	err;

	if (pgl_app.dbh != NULL || pgl_app_store_open(&err) == 0)
		return (1);
	err.code = PGL_EUNAVAIL;	/* whatever kept it shut, retry later */
	pgl_reply_store_error(r, &err);
	return (0);
}

void
api_audit_about(struct pgl_req *r, const char *id, const char *name)
{
	if (id != NULL)
		r->app->audit_id = pgl_arena_strdup(r->arena, id);
	if (name != NULL)
		r->app->audit_name = pgl_arena_strdup(r->arena, name);
}

/* "create_catalog" -> "catalog", unless the rule names the type. */
static const char *
resource_type(const struct pgl_rule *rule)
{
	const char	*us;

	if (rule->resource != NULL)
		return (rule->resource);
	us = strchr(rule->audit, '_');
	return (us != NULL ? us + 1 : rule->audit);
}

/* The resource's name when the handler did not give one: the path's. */
static const char *
default_name(struct pgl_req *r)
{
	static const char *const params[] = { "namespace", "name", "prefix",
	    "id", "user_id", "token_id" };
	const char	*v;
	size_t		 i;

	/* The most specific first: a table, or what a create names. */
	if ((v = pgl_param(r, "table")) != NULL ||
	    (v = pgl_param(r, "view")) != NULL ||
	    (v = pgl_param(r, "function")) != NULL)
		return (v);
	if (r->body != NULL && (v = pgl_json_str(r->body, "name")) != NULL)
		return (v);
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		if ((v = pgl_param(r, params[i])) != NULL)
			return (v);
	}
	return (NULL);
}

/* The message of the reply given, for a failure event. */
static const char *
reply_message(struct pgl_req *r)
{
	json_t		*j, *e;
	const char	*m = NULL, *body;
	size_t		 len;

	if ((body = pgl_reply_body(r, &len)) == NULL ||
	    (j = pgl_json_load_or(body, NULL)) == NULL)
		return ("refused");
	e = json_object_get(j, "error");
	m = json_is_object(e) ? pgl_json_str(e, "message") :
	    json_string_value(e);
	if (m != NULL)
		m = pgl_arena_strdup(r->arena, m);
	json_decref(j);
	return (m != NULL ? m : "refused");
}

static void
write_event(struct pgl_req *r, int ok)
{
	const struct pgl_rule	*rule = r->app->rule;
	const char		*name = r->app->audit_name;

	if (name == NULL)
		name = default_name(r);
	api_audit(r, r->tenant, rule->audit, resource_type(rule),
	    r->app->audit_id, name, ok, ok ? NULL : reply_message(r));
	r->app->audited = 1;
}

struct audited_tx {
	struct pgl_req	*r;
	int		(*fn)(void *, struct pgl_err *);
	void		*arg;
};

/* fn, then the route's success event, in fn's transaction. */
static int
audited_fn(void *arg, struct pgl_err *err)
{
	struct audited_tx	*tx = arg;
	int			 rc;

	api_event_reset(tx->r);		/* a fresh attempt notes afresh */
	rc = tx->fn(tx->arg, err);
	if (rc == PGL_OK && tx->r->app->rule->audit != NULL &&
	    !tx->r->app->audited)
		write_event(tx->r, 1);
	/* Last: on PostgreSQL the tenant's event lock is held from here to
	 * the commit (event_note.h). */
	if (rc == PGL_OK)
		rc = api_event_flush(tx->r, err);
	return (rc);
}

int
api_tx(struct pgl_req *r, int (*fn)(void *, struct pgl_err *), void *arg,
    struct pgl_err *err)
{
	struct audited_tx	tx = { r, fn, arg };
	int			rc;

	/* Inside the gate's transaction, the gate writes the event. */
	if (pgl_app.in_tx)
		return (fn(arg, err));
	if ((rc = pgl_store_tx_in(r->tenant, audited_fn, &tx, err)) !=
	    PGL_OK)
		r->app->audited = 0;	/* rolled back with the change */
	return (rc);
}

int
api_tx_retry(struct pgl_req *r, int (*fn)(void *, struct pgl_err *),
    void *arg, struct pgl_err *err)
{
	int	attempt, rc;

	for (attempt = 1; ; attempt++) {
		rc = api_tx(r, fn, arg, err);
		/* Inside the gate's transaction the gate runs it again. */
		if (rc != PGL_ERETRY || pgl_app.in_tx)
			return (rc);
		if (attempt == API_TX_ATTEMPTS) {
			pgl_metrics_inc(PGL_C_STORE_TX_GAVE_UP);
			return (rc);
		}
		pgl_metrics_inc(PGL_C_STORE_TX_RETRIES);
		api_tx_pause(attempt);
	}
}

struct audited_all {
	struct pgl_req	**rs;
	size_t		 n;
	int		(*fn)(void *, struct pgl_err *);
	void		*arg;
};

/* fn, then each request's success event, in fn's transaction. */
static int
audited_all_fn(void *arg, struct pgl_err *err)
{
	struct audited_all	*tx = arg;
	size_t			 i;
	int			 rc;

	for (i = 0; i < tx->n; i++)
		api_event_reset(tx->rs[i]);
	if ((rc = tx->fn(tx->arg, err)) != PGL_OK)
		return (rc);
	for (i = 0; i < tx->n; i++) {
		if (tx->rs[i]->app->rule->audit != NULL &&
		    !tx->rs[i]->app->audited)
			write_event(tx->rs[i], 1);
	}
	/* Every swap of the group first, then every event (event_note.h). */
	for (i = 0; i < tx->n; i++) {
		if ((rc = api_event_flush(tx->rs[i], err)) != PGL_OK)
			return (rc);
	}
	return (PGL_OK);
}

/* The requests' tenant when they have one (a commit group is one
 * tenant's: commit/async.c), else NULL. */
static const char *
one_tenant(struct pgl_req **rs, size_t n)
{
	size_t	i;

	for (i = 1; i < n; i++) {
		if (strcmp(rs[i]->tenant, rs[0]->tenant) != 0)
			return (NULL);
	}
	return (n > 0 ? rs[0]->tenant : NULL);
}

int
api_tx_all(struct pgl_req **rs, size_t n,
    int (*fn)(void *, struct pgl_err *), void *arg, struct pgl_err *err)
{
	struct audited_all	tx = { rs, n, fn, arg };
	size_t			i;
	int			rc;

	if (pgl_app.in_tx)
		return (fn(arg, err));
	if ((rc = pgl_store_tx_in(one_tenant(rs, n), audited_all_fn, &tx,
	    err)) != PGL_OK) {
		for (i = 0; i < n; i++)
			rs[i]->app->audited = 0;
	}
	return (rc);
}

int
api_tx_all_send(struct pgl_req **rs, size_t n,
    int (*fn)(void *, struct pgl_err *), void *arg, int *fd,
    struct pgl_err *err)
{
	struct audited_all	tx = { rs, n, fn, arg };
	size_t			i;
	int			rc;

	*fd = -1;
	if (pgl_app.in_tx)
		return (fn(arg, err));
	rc = pgl_store_tx_send(one_tenant(rs, n), audited_all_fn, &tx, fd,
	    err);
	if (rc != PGL_OK && rc != PGL_TX_PENDING) {
		for (i = 0; i < n; i++)
			rs[i]->app->audited = 0;
	}
	return (rc);
}

int
api_tx_all_landed(struct pgl_req **rs, size_t n, int *fd,
    struct pgl_err *err)
{
	size_t	i;
	int	rc;

	rc = pgl_store_tx_landed(fd, err);
	if (rc != PGL_OK && rc != PGL_TX_PENDING) {
		for (i = 0; i < n; i++)
			rs[i]->app->audited = 0;
	}
	return (rc);
}

/*
 * Tell the other servers on this store, with the change itself: the
 * announcement is part of the transaction (config_cache.h).  If it cannot
 * be made, the change is not made either.
 */
static void
announce(struct pgl_req *r)
{
	struct pgl_err	err;

	if (!api_store_announces() || STORE(announce_change, &err) == PGL_OK)
		return;
	pgl_reply_withdraw(r);
	pgl_reply_store_error(r, &err);
}

/* 1 when the handler's transaction is to be kept: it succeeded (or its
 * refusal is a record) and waits on no object read. */
static int
keeps(struct pgl_req *r)
{
	return (!api_fetch_waiting(r) && r->status != 0 &&
	    (r->status < 400 || r->app->keep_on_error));
}

/*
 * A management mutation: the handler and its event in one transaction.
 * Run by api_fetch_serve: a handler that waits on an object read (a
 * Manual conflict resolution's metadata file) has its transaction
 * rolled back, holding nothing while it waits, and all of it runs again
 * once the object is in (fetch.h).
 */
static int
run_tx_once(struct pgl_req *r)
{
	struct pgl_err	err, rb;

	/*
	 * Not begin_tenant: a handler here may do slow work inside its
	 * transaction (a password's hash), and the tenant's commits on other
	 * workers would wait for it on their loops.  Such a transaction takes
	 * the tenant's event lock only at its end (event_note.h).
	 */
	if (STORE(begin, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (0);
	}
	pgl_app.in_tx = 1;
	api_event_reset(r);
	r->match.route->fn(r);
	if (keeps(r)) {
		if (!r->app->audited)
			write_event(r, r->status < 400);
		announce(r);
	}
	/* The change's events last, just before the commit (event_note.h);
	 * one that cannot be kept takes its change back with it. */
	if (keeps(r) && r->status < 400 && api_event_flush(r, &err) !=
	    PGL_OK) {
		pgl_reply_withdraw(r);
		pgl_reply_store_error(r, &err);
	}
	if (keeps(r)) {
		pgl_app.in_tx = 0;
		if (STORE(commit, &err) == PGL_OK) {
			/* Catalogs, warehouses, roles, grants, principals and
			 * tenants change here: every worker's copies of them
			 * are stale now. */
			api_config_changed();
			return (1);
		}
		pgl_log(err.code == PGL_ERETRY ? PGL_LOG_INFO : PGL_LOG_ERR,
		    "commit of %s failed: %s", r->match.route->path, err.msg);
		pgl_reply_withdraw(r);
		pgl_reply_store_error(r, &err);
		(void)STORE(rollback, &rb);
	} else {
		pgl_app.in_tx = 0;
		(void)STORE(rollback, &rb);
	}
	/* Nothing the handler wrote stays, its events included. */
	r->app->audited = 0;
	return (0);
}

/*
 * The same, run again from the start while its transaction lost a race
 * with another over the same rows (PGL_ERETRY: rolled back, nothing
 * kept) and the handler wrote nothing outside the store: as a replay
 * after a fetch (fetch.h), its first reply and headers are taken back.
 * A race is not the client's conflict; only after API_TX_ATTEMPTS runs
 * is it answered, 503 with Retry-After.
 */
static void
run_in_tx(struct pgl_req *r)
{
	size_t	mark = pgl_header_mark(r);
	int	attempt;

	for (attempt = 1; ; attempt++) {
		if (run_tx_once(r) || !r->lost_race ||
		    !api_fetch_replayable(r))
			return;
		if (attempt == API_TX_ATTEMPTS) {
			pgl_metrics_inc(PGL_C_STORE_TX_GAVE_UP);
			return;
		}
		pgl_reply_withdraw(r);
		pgl_header_reset(r, mark);
		r->app->keep_on_error = 0;
		pgl_metrics_inc(PGL_C_STORE_TX_RETRIES);
		api_tx_pause(attempt);
	}
}

/* After the handler's reply, or once a pending one has it. */
static void
serve_end(struct pgl_req *r)
{
	if (r->app->rule->audit != NULL && !r->app->audited &&
	    r->status != 0)
		write_event(r, r->status < 400);
	api_idem_end(r);
	api_fetch_end(r);
}

/*
 * 1 if the catalog the route names ({prefix}, or /v1/config's
 * ?warehouse=) is Federated, kept for the handler as the authorization
 * step keeps it (target.c); 0 otherwise, a missing one included (the
 * route's own handler answers that).
 */
static int
federated(struct pgl_req *r)
{
	const char		*name = pgl_param(r, "prefix");
	struct pgl_catalog	 c;
	struct pgl_err		 err;

	if (name == NULL)
		name = pgl_query(r, "warehouse");
	if (name == NULL || *name == '\0')
		return (0);
	if (r->app->have_catalog && strcmp(r->app->catalog.name, name) == 0)
		return (api_is_federated(&r->app->catalog));
	if (api_get_catalog(r, r->tenant, name, &c, &err) != PGL_OK)
		return (0);
	r->app->catalog = c;
	r->app->have_catalog = 1;
	return (api_is_federated(&c));
}

/*
 * The route's handler, or its remote one when the catalog it names is
 * Federated (routes.c): such a catalog's Iceberg calls are sent to its
 * remote catalog, after the rule above was decided here, never served
 * from the local store.
 */
static pgl_handler
handler_of(struct pgl_req *r)
{
	const struct pgl_route	*route = r->match.route;

	if (route->remote != NULL && federated(r))
		return (route->remote);
	return (route->fn);
}

void
api_serve(struct pgl_req *r)
{
	const struct pgl_rule	*rule = r->app->rule;
	pgl_handler		 h;

	if (!(r->match.route->flags & ROUTE_NO_STORE) && !store_ready(r))
		return;
	if (api_idem_begin(r) == 1)
		return;
	h = handler_of(r);
	/* A write that would take its tenant past a quota (a remote
	 * catalog's calls keep nothing here); a refusal is recorded as
	 * any other. */
	if (h == r->match.route->fn && api_quota_route(r, rule->audit) ==
	    -1) {
		serve_end(r);
		return;
	}
	api_fetch_serve(r, rule->audit != NULL && !r->iceberg ? run_in_tx :
	    h);
	/* A pending reply (pgl_req_pend) is not made yet: end it then. */
	if (r->pending)
		r->after = serve_end;
	else
		serve_end(r);
}

static void
refuse(struct pgl_req *r, int status, const char *why, int say_why)
{
	if (status == 401)
		pgl_set_header(r, "www-authenticate", "Basic realm=\"pangolin\"");
	pgl_reply_error(r, status, "%s", status == 403 && !say_why ?
	    "Forbidden" : why);
	/* A known caller refused a change: recorded.  Anonymous refusals
	 * are not (anyone could fill the log); logins record their own. */
	if (status == 403 && r->app->rule->audit != NULL &&
	    pgl_app.dbh != NULL)
		write_event(r, 0);
}

/* Authenticated (rc 0) or not: the rate, then the route's rule. */
static int
admit_caller(struct pgl_req *r, int rc, const char *why)
{
	const struct pgl_rule	*rule = r->app->rule;

	if (rc == 0 && api_rate(r) == -1)
		return (-1);
	if (rc == 0 &&
	    (rule->who == WHO_SEE || rule->who == WHO_PERM) &&
	    !api_is_admin(r) && !store_ready(r))
		return (-1);
	/* Authentication's refusals say why, a 403 too (a provider's
	 * token that names no tenant); authorization's 403 does not. */
	if (rc != 0) {
		refuse(r, rc, why, 1);
		return (-1);
	}
	if ((rc = api_authorize(r)) == 0)
		return (0);
	if (rc != -1)
		refuse(r, rc, why, 0);
	return (-1);
}

/* The provider's keys came (or did not): authenticate again, no wait. */
static void
admit_resume(struct pgl_req *r)
{
	const char	*why = "Forbidden";
	int		 rc;

	/* A client that left has no headers to read any more. */
	if (!r->gone) {
		rc = api_authenticate(r, &why, NULL);
		(void)admit_caller(r, rc, why);
	}
	pgl_http_admitted(r);
}

int
api_admit(struct pgl_req *r)
{
	const struct pgl_rule	*rule = r->match.route->rule;
	const char		*why = "Forbidden";
	int			 rc, retry;

	if ((r->app = pgl_arena_alloc(r->arena, sizeof(*r->app))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	memset(r->app, 0, sizeof(*r->app));
	if ((r->app->rule = rule) == NULL) {
		pgl_reply_error(r, 500, "route %s has no rule",
		    r->match.route->path);
		return (-1);
	}
	/* Before any cached catalog, warehouse or grant is used. */
	if (!(r->match.route->flags & ROUTE_NO_STORE)) {
		api_config_changes();
		api_store_read_after(r->arrived_us);
	}
	if (rule->who == WHO_PUBLIC) {
		/* Public routes still see the caller's tenant if it has one;
		 * root's Basic is throttled here too (api_identify).  Routes
		 * without the store need no caller; on the OAuth routes the
		 * Authorization header is the client's, not root's. */
		if ((r->match.route->flags & (ROUTE_OWN_AUTH |
		    ROUTE_NO_STORE)) ||
		    api_identify(r, &why, &retry) != 0) {
			memset(&r->who, 0, sizeof(r->who));
			(void)pgl_strlcpy(r->tenant, PGL_NIL_UUID,
			    sizeof(r->tenant));
		}
		return (0);
	}
	if ((rc = api_authenticate(r, &why, admit_resume)) == API_AUTH_WAIT)
		return (1);
	return (admit_caller(r, rc, why));
}
