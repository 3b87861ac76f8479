/*
 * Inside the federation room (federation.h says what it offers): a
 * catalog's remote as parsed from its federated_config (conf.c), one
 * HTTP exchange with it (remote.c), what a worker remembers of it
 * between calls (session.c), a call with its sign-in, prefix and one
 * retry (call.c), and the caps and breaker of the pool jobs that make
 * the calls, per tenant and remote origin (limit.c, gates.c).
 *
 * Everything a pool thread reads is the job's own copy (malloc'd), so a
 * call owes nothing to the request, the arena or the config cache while
 * it runs; only session.c is shared between threads, under its lock.
 */
#ifndef PGL_API_FED_H
#define PGL_API_FED_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "http/request.h"
#include "storage/breaker.h"
#include "storage/write_pool.h"

/* How Pangolin signs in to the remote (one of them, or none). */
enum fed_auth {
	FED_AUTH_NONE,
	FED_AUTH_BEARER,	/* token */
	FED_AUTH_BASIC,		/* username, password */
	FED_AUTH_APIKEY,	/* api_key (x-api-key), api_key_header */
	FED_AUTH_OAUTH		/* credential "id:secret", oauth2-server-uri */
};

/* One catalog's remote, secrets opened: the job's, every string malloc'd. */
struct fed_conf {
	char		*catalog;	/* ours, for messages */
	char		*tenant;	/* the catalog's: its gates' owner */
	char		*uri;		/* base: http(s)://host[:port][/path] */
	char		*origin;	/* scheme://host:port: with tenant,
					 * the gate's key */
	int		 listed;	/* origin allow-listed ([storage]) */
	char		*warehouse;	/* ?warehouse= of its /v1/config */
	enum fed_auth	 auth;
	char		*token;
	char		*user, *password;
	char		*api_key, *api_key_header;
	char		*client_id, *client_secret, *scope;
	char		*token_uri;	/* OAuth2 token endpoint */
	int		 token_listed;	/* its origin allow-listed */
	char		*key;		/* session.c: catalog id + config */
};

/* conf.c */
struct pgl_catalog;
/* c's remote; NULL after a reply (500: a secret that does not open). */
struct fed_conf	*fed_conf_load(struct pgl_req *, const struct pgl_catalog *);
void		 fed_conf_free(struct fed_conf *);

/* mask.c: which properties are secrets, under any spelling. */
int	fed_secret_key(const char *key);
/* props' secret values replaced by the mask, in place. */
void	fed_props_mask(json_t *props);
/* obj's secret keys deleted, in place (a relayed /v1/config). */
void	fed_props_drop(json_t *obj);
/*
 * Masks sent back in props replaced by the values of stored (the
 * catalog's stored properties as JSON text, or NULL), opened.  0, or -1
 * after a reply (400: none stored; 500: it does not open).
 */
int	fed_props_unmask(struct pgl_req *, const char *where, json_t *props,
	    const char *stored);

/* Why a remote answered nothing (fed_answer.fail). */
enum fed_fail {
	FED_OK,
	FED_FAIL_TIMEOUT,	/* no answer within the timeouts: 504 */
	FED_FAIL_CONNECT,	/* no connection, reset, bad answer: 502 */
	FED_FAIL_REFUSED,	/* its address is not allowed: 502 */
	FED_FAIL_TOO_BIG,	/* over max_response_bytes: 502 */
	FED_FAIL_AUTH,		/* its token endpoint refused us: 502 */
	FED_FAIL_ANSWER,	/* it answered, not as a catalog: 502 */
	FED_FAIL_STOPPED	/* the worker is stopping: 503 */
};

/* The remote's answer, or why there is none. */
struct fed_answer {
	long		 status;	/* the remote's; 0 with fail set */
	char		*body;		/* malloc'd, NUL-terminated, or NULL */
	size_t		 len;
	char		 ctype[128];
	char		 etag[256];
	enum fed_fail	 fail;
	char		 why[256];
};

/* remote.c: one exchange, blocking (a pool thread or a task runner). */
struct fed_http {
	const char		*method;
	const char		*url;
	const char *const	*headers;	/* "Name: value", NULL-ended */
	const void		*body;		/* NULL: none */
	size_t			 len;
	int			 listed;	/* may connect to any address */
};
/* 0 with a->status, or -1 with a->fail and a->why. */
int	fed_http(const struct fed_http *, struct fed_answer *);
void	fed_answer_free(struct fed_answer *);
/* s percent-encoded for a path (keep_slash) or a query, malloc'd. */
char	*fed_escape(const char *s, int keep_slash);

/* session.c: what this process keeps of each remote, under a lock. */
/* The remote's /v1/config text if fetched within ttl_ms; malloc'd. */
char	*fed_session_config(const char *key, int64_t ttl_ms);
void	 fed_session_put_config(const char *key, const char *json);
/* An OAuth token not about to expire; malloc'd. */
char	*fed_session_token(const char *key);
void	 fed_session_put_token(const char *key, const char *token,
	    int64_t expires_in_secs);
/* token was refused (401): forget it, unless already replaced. */
void	 fed_session_drop_token(const char *key, const char *token);

/* call.c: an Iceberg call on the remote, as a pool job makes it. */
struct fed_req {
	const char	*method;
	const char	*suffix;	/* after /v1/{prefix}/, escaped */
	const char	*query;		/* escaped, or NULL */
	const char	*const *headers; /* the caller's we pass on */
	const void	*body;
	size_t		 len;
};
/*
 * The remote's /v1/config as JSON text (*json malloc'd), kept for
 * config_ttl_secs unless fresh.  0, or -1 with a (its error answer, or
 * why none came).
 */
int	fed_remote_config(const struct fed_conf *, int fresh, char **json,
	    struct fed_answer *a);
/*
 * q on the remote: its prefix (from the config), our credentials, and a
 * new OAuth token and one retry if the one we had is refused (401).
 * 0: a->status is the remote's answer; -1: a->fail says why none.
 */
int	fed_remote_call(const struct fed_conf *, const struct fed_req *,
	    struct fed_answer *a);
/* The prefix a config text names (overrides, else defaults), or NULL. */
char	*fed_config_prefix(const char *json);

/*
 * gates.c: what a worker keeps per (tenant, remote origin) it calls: a
 * gate (calls under way, calls waiting, a breaker), at most
 * max_remotes_per_tenant of them per tenant; and per tenant its calls
 * under way across its gates.  Only the worker's thread touches them.
 */
struct fed_job;
struct fed_gate {
	char			*origin;	/* NULL: a free place */
	int			 inflight;
	int			 queued;
	struct fed_job		*head, **tail;
	struct pgl_breaker	 b;
};
struct fed_tenant {
	char			*id;
	int			 inflight;	/* across its gates */
	int			 used;		/* gates with an origin */
	int			 next;		/* the gate looked at first
						 * for a waiting call */
	int			 ngates;
	struct fed_gate		*gates;
	struct fed_tenant	*chain;
};
/* id's record, made if missing; NULL: out of memory. */
struct fed_tenant	*fed_tenant_get(const char *id);
/*
 * t's gate of origin, made if missing; NULL if t has
 * max_remotes_per_tenant gates holding state it cannot forget now (or
 * memory ran out), *retry_after seconds when one may be free.
 */
struct fed_gate		*fed_gate_get(struct fed_tenant *t, const char *origin,
			    int64_t now, int *retry_after);
/* Nothing of g (or t) is needed any more: freed; after every call. */
void			 fed_gate_tidy(struct fed_tenant *t, struct fed_gate *g);

/* limit.c: pool jobs through their gate (the worker's thread). */
struct fed_job {
	struct pgl_wjob		 w;		/* first: the pool's */
	struct fed_conf		*conf;
	struct fed_answer	 a;
	/* Before submit: what runs on the pool thread, what ends it. */
	void			(*run)(struct fed_job *);
	void			(*done)(struct fed_job *, int stopped);
	void			*arg;
	/* The gate's. */
	struct fed_tenant	*t;
	struct fed_gate		*g;
	enum pgl_breaker_admit	 how;
	struct fed_job		*queued;
};
/*
 * Run j->run on a pool thread once its gate, its conf's (tenant,
 * remote origin), has a free slot (at most max_inflight_per_remote under
 * way per worker, and max_inflight_per_tenant across the tenant's gates;
 * the next max_queued_per_remote waiting without a thread); j->done runs
 * on the worker's thread after.  0; or -1 refused now: a->why says why
 * and *retry_after when to try again (the breaker is open, the queue
 * full, the tenant's gates all in use, no pool).
 */
int	fed_submit(struct fed_job *, int *retry_after);
/* 1 if a's failure counts against its remote's breaker. */
int	fed_failed(const struct fed_answer *);

/* reply.c: the remote's answer as ours. */
/* An answer with no status (a->fail): 502/503/504, Iceberg envelope. */
void	fed_reply_failure(struct pgl_req *, const struct fed_conf *,
	    const struct fed_answer *);
/* The remote's answer relayed: status, body, Content-Type, ETag. */
void	fed_reply_relay(struct pgl_req *, const struct fed_conf *,
	    struct fed_answer *);
/* The remote's /v1/config as our /v1/{prefix}/config. */
void	fed_reply_config(struct pgl_req *, const struct fed_conf *,
	    const char *json);

#endif
