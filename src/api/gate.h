/*
 * The step between the HTTP layer and a handler: who is calling
 * (authn.c), whether they may call this route on this resource (authz.c),
 * the store, Idempotency-Key, the handler, and the audit event of a
 * mutation in the handler's transaction (gate.c).  Each route's rule in
 * routes.c says what to check and what to record.
 */
#ifndef PGL_GATE_H
#define PGL_GATE_H

#include "api/request/req_app.h"
#include "auth/rbac.h"
#include "http/request.h"
#include "pangolin/store.h"

enum api_who {
	WHO_PUBLIC,		/* no credentials checked */
	WHO_ANY,		/* any principal; the handler may narrow */
	WHO_SEE,		/* a tenant user must see something in scope */
	WHO_PERM,		/* a tenant user needs action on scope */
	WHO_ADMIN,		/* root or a tenant admin */
	WHO_TENANT_ADMIN,	/* a tenant admin (of its own tenant) */
	WHO_ROOT
};

/* Where a route's resource is named. */
enum api_scope {
	SC_NONE,
	SC_TENANT,		/* the request's tenant */
	SC_PREFIX,		/* Iceberg {prefix} */
	SC_NS,			/* {prefix} + {namespace} */
	SC_TABLE,		/* {prefix} + {namespace} + {table} */
	SC_VIEW,		/* {prefix} + {namespace} + {view} */
	SC_CATALOG,		/* management {name} of /catalogs/{name} */
	SC_CATALOG_QUERY,	/* ?catalog= (branches, tags, commits) */
	SC_MNS,			/* management {name} + {namespace} (dotted) */
	SC_MASSET,		/* ... + {asset}, on ?branch= (asset_ref.h) */
	SC_ASSET_ID,		/* /api/v1/assets/{asset_id} */
	SC_FUNCTION		/* {prefix} + {namespace} + {function} */
};

struct pgl_rule {
	enum api_who	 who;
	unsigned	 action;	/* enum pgl_action, for WHO_PERM */
	enum api_scope	 scope;
	/*
	 * The audit action of a mutation ("create_catalog"); the resource
	 * type is what follows the verb ("catalog").  NULL: not a mutation.
	 */
	const char	*audit;
	const char	*resource;	/* the resource type, if not that */
};

/* gate.c: the application's hooks for the HTTP layer. */
int	api_admit(struct pgl_req *);
void	api_serve(struct pgl_req *);
/*
 * Run fn in a store transaction; when the route is an audited mutation,
 * its success event is written in the same transaction.  Inside the
 * gate's own transaction fn simply runs.
 */
int	api_tx(struct pgl_req *, int (*fn)(void *, struct pgl_err *),
	    void *arg, struct pgl_err *);
/*
 * api_tx, run again while the store answers PGL_ERETRY (a lost race
 * between transactions, api.h): API_TX_ATTEMPTS runs at most, a short
 * random pause before each.  fn must leave nothing behind when its
 * transaction rolls back.  Inside the gate's transaction it runs once:
 * the gate runs the whole handler again.
 */
int	api_tx_retry(struct pgl_req *, int (*fn)(void *, struct pgl_err *),
	    void *arg, struct pgl_err *);
/* The same for n requests whose changes fn makes together. */
int	api_tx_all(struct pgl_req **, size_t n,
	    int (*fn)(void *, struct pgl_err *), void *arg, struct pgl_err *);
/*
 * api_tx_all whose COMMIT may be answered later (pgl_store_tx_send):
 * PGL_TX_PENDING with *fd to watch, then api_tx_all_landed until it
 * answers something else, api_tx_all's answer.
 */
int	api_tx_all_send(struct pgl_req **, size_t n,
	    int (*fn)(void *, struct pgl_err *), void *arg, int *fd,
	    struct pgl_err *);
int	api_tx_all_landed(struct pgl_req **, size_t n, int *fd,
	    struct pgl_err *);
/* Name the resource of this request's audit event. */
void	api_audit_about(struct pgl_req *, const char *id, const char *name);

/*
 * authn.c: fill r->who and r->tenant; 0 or an HTTP status with *why, or
 * API_AUTH_WAIT: an identity provider's keys are being fetched, and
 * resume(r) runs on this thread once they are in (or not).
 */
#define API_AUTH_WAIT	1
int	api_authenticate(struct pgl_req *, const char **why,
	    void (*resume)(struct pgl_req *));
/* r->who's session (a jti) is not revoked: 0, else 401 or 503 (*why). */
int	api_session_alive(struct pgl_req *, const char **why);
/* The same from the Authorization header alone (public routes); a 429
 * sets *retry_after (seconds). */
int	api_identify(struct pgl_req *, const char **why, int *retry_after);

/*
 * Callers with an identity provider's token are the identity room's
 * (identity/external.c), above this layer: it audits, makes users and
 * reads the config cache.  main.c hands authn.c its entry points at
 * start-up; until then no token is a provider's.
 */
struct pgl_idp;
struct api_external_ops {
	/* The provider that issued token (by its unverified "iss"), or
	 * NULL. */
	struct pgl_idp	*(*provider)(const char *token);
	/* Verify token as idp's, then the caller from its claims into
	 * r->who and r->tenant: 0, 401, 403 or 503 with *why, or
	 * API_AUTH_WAIT (as api_authenticate). */
	int		 (*identify)(struct pgl_req *, struct pgl_idp *,
			    const char *token, const char **why,
			    void (*resume)(struct pgl_req *));
};
void	api_authn_external(const struct api_external_ops *);

/* authz.c */
/* 0, or an HTTP status (403) for r's route and resource. */
int	api_authorize(struct pgl_req *);
/*
 * The request rates of the caller's principal and tenant (rate.c): 0
 * within them, else -1 after replying 429 with Retry-After.
 */
int	api_rate(struct pgl_req *);
/*
 * A 429 body in the route's shape (the Iceberg envelope on /v1), with
 * Retry-After set: the caller adds its figures and replies.
 */
json_t	*api_too_many(struct pgl_req *, const char *msg, int retry_secs);
/* 1 if the caller may do action on t (admins always). */
int	api_allowed(struct pgl_req *, unsigned action,
	    const struct pgl_target *t);
/* 0 if the caller may do action on t, else -1 after a 403. */
int	api_require(struct pgl_req *, unsigned action,
	    const struct pgl_target *t);
/* 1 if the caller may see t in a list (admins always). */
int	api_sees(struct pgl_req *, const struct pgl_target *t);
/*
 * A list for a caller who is not an admin: the store's whole list is
 * read (pg says no paging), filtered by visible and paged here; returns
 * the items kept (compacted to the front) and the visible total.
 */
size_t	api_filter_page(struct pgl_req *, void *items, size_t n, size_t size,
	    int (*visible)(struct pgl_req *, const void *, void *), void *ctx,
	    const struct pgl_page *pg, uint64_t *total);
/*
 * The same for a keyed page (api_list_page's p->pg: p->pg.limit rows, one
 * past the page, from p->pg.after): the store read in slices of [server]
 * list_slice_rows rows (fetch, into r's arena), each after the last row
 * of the one before (its key where rk says: target.h), until pg->limit
 * visible rows or the end, so a page costs the rows up to its last, not
 * the whole list; and at most [server] list_max_slices slices, after
 * which the page ends short with p->resumed set and p->resume the last
 * row read's key (api_reply_page's next token).  *items (r's arena) and
 * *n; -1 replied.
 */
struct api_row_key;
struct api_page;
int	api_filter_keyed(struct pgl_req *, struct api_page *,
	    size_t size, int (*fetch)(struct pgl_req *, void *,
	    const struct pgl_page *, void **, size_t *, struct pgl_err *),
	    void *arg, int (*visible)(struct pgl_req *, const void *, void *),
	    void *ctx, const struct api_row_key *, void **items, size_t *n);
/* 1 if r's caller is root or a tenant admin. */
int	api_is_admin(const struct pgl_req *);
/*
 * What a caller who is not an admin may find in a search (pangolin-api.md
 * §3.5): q->restricted and the vis_* lists from its grants (catalog ids
 * become names); an admin's, or a tenant-wide grant's, search is not
 * restricted.  0, or -1 after replying.
 */
struct pgl_asset_query;
int	api_search_scope(struct pgl_req *, struct pgl_asset_query *q);

/* idempotency.c: 1 if a stored reply was given and the handler must not
 * run; api_idem_end remembers the reply worth replaying. */
int	api_idem_begin(struct pgl_req *);
void	api_idem_end(struct pgl_req *);

#endif
