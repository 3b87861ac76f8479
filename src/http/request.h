/*
 * The request context every handler receives, and the reply helpers.
 *
 * A pgl_req lives from dispatch to reply.  Everything allocated for the
 * request (store results, parsed query, strings) hangs off its arena and
 * is released in one place when the dispatcher finishes.
 */
#ifndef PGL_REQUEST_H
#define PGL_REQUEST_H

#include <stdint.h>
#include <jansson.h>

#include "auth/principal.h"
#include "http/router.h"
#include "pangolin/store.h"
#include "util/uuid.h"

struct http_request;
struct pgl_arena;

#define PGL_MAX_QUERY	32
#define PGL_REPLY_SEGS	4

/*
 * A piece of a reply body sent where it lies: release(arg), if set, is
 * called exactly once, when Kore is done with it (sent, or the
 * connection gone) or the reply is withdrawn.  A piece without release
 * lives only as long as the request (its arena, or static): it is
 * copied when sent, so such pieces are the small ones.
 */
struct pgl_reply_seg {
	const void	*data;
	size_t		 len;
	void		(*release)(void *);
	void		*arg;
};

struct pgl_req {
	struct http_request	*http;
	struct pgl_arena	*arena;
	struct pgl_match	 match;
	int			 method;
	int			 iceberg;	/* /v1/...: Iceberg error envelope */
	char			 request_id[130];
	uint64_t		 start_us;
	uint64_t		 arrived_us;	/* its head came in whole */

	struct pgl_principal	 who;
	char			 tenant[PGL_UUID_LEN + 1]; /* effective tenant */

	json_t			*body;		/* parsed JSON body, if any */
	size_t			 nquery;
	const char		*qname[PGL_MAX_QUERY];
	const char		*qvalue[PGL_MAX_QUERY];

	int			 status;	/* 0 until replied */
	/* The reply is a store transaction's lost race (PGL_ERETRY): the
	 * api layer may take it back and run the work again. */
	int			 lost_race;

	/* The reply, kept until the dispatcher sends it. */
	const char		*reply_type;	/* content-type, or NULL */
	const char		*reply_body;	/* NULL without a body */
	size_t			 reply_len;
	/* The body, when malloc'd and ours to free (pgl_reply_malloc). */
	void			*reply_owned;
	/* The reply already gzip'd (pgl_reply_gzip), or NULL. */
	const unsigned char	*reply_gz;
	size_t			 reply_gz_len;
	/* The body in pieces (pgl_reply_segs), gzip'd if reply_seg_gz. */
	struct pgl_reply_seg	 reply_seg[PGL_REPLY_SEGS];
	size_t			 reply_nseg;
	int			 reply_seg_gz;

	/* The application's per-request state (the api layer's). */
	struct pgl_req_app	*app;

	/*
	 * Waiting on work off the worker's thread (pgl_req_pend): the
	 * dispatcher keeps r, and sends the reply once pgl_req_done()
	 * says, after calling after(r) if set (the application's tail).
	 * gone: the client left meanwhile (http is NULL then).
	 */
	int			 pending;
	int			 gone;
	void			(*after)(struct pgl_req *);
};

/* Path parameter by template name ("{name}"); never NULL for a matched one. */
const char	*pgl_param(const struct pgl_req *, const char *name);
/* The request path as received (no query string). */
const char	*pgl_req_path(const struct pgl_req *);
/* Query parameter (decoded), or NULL. */
const char	*pgl_query(const struct pgl_req *, const char *name);
/*
 * Request header, or NULL when absent or empty: an empty field value is
 * valid HTTP (RFC 9110 §5.5) and means what its absence means to every
 * header we read (PyIceberg turns X-Iceberg-Access-Delegation off so).
 */
const char	*pgl_header(const struct pgl_req *, const char *name);
/* The peer's address as text in buf ("" if not IP). */
const char	*pgl_req_peer(const struct pgl_req *, char *buf, size_t len);
/* The request body as received (not NUL-terminated), and its length. */
const char	*pgl_req_body_raw(const struct pgl_req *, size_t *len);
/* Length of the request body as received (0 without one). */
size_t		 pgl_req_body_len(const struct pgl_req *);

void	pgl_set_header(struct pgl_req *, const char *name, const char *value);
/*
 * The headers set so far (a count), and taking back those set after
 * such a mark: a handler run again from the start (api/request/fetch.c) must
 * not send its first run's headers twice.
 */
size_t	pgl_header_mark(const struct pgl_req *);
void	pgl_header_reset(struct pgl_req *, size_t mark);
/* Reply with j (reference stolen) as the JSON body. */
void	pgl_reply_json(struct pgl_req *, int status, json_t *j);
void	pgl_reply_raw(struct pgl_req *, int status, const char *content_type,
	    const void *data, size_t len);
void	pgl_reply_empty(struct pgl_req *, int status);
/* As pgl_reply_raw for a body already in r's arena: kept, not copied. */
void	pgl_reply_arena(struct pgl_req *, int status, const char *content_type,
	    const char *data, size_t len);
/*
 * 1 if the reply may be gzip'd: the client accepts gzip and this is not
 * HEAD.  Only a body over PGL_GZIP_MIN is sent compressed.
 */
int	pgl_req_gzip(const struct pgl_req *);
/*
 * Reply with a body already gzip'd into r's arena (kept, not copied),
 * for a client pgl_req_gzip() admits: sent with Content-Encoding: gzip.
 */
void	pgl_reply_gzip(struct pgl_req *, int status, const char *content_type,
	    const unsigned char *gz, size_t len);
/*
 * As pgl_reply_arena for a malloc'd body, which the reply takes over: a
 * large one is handed to Kore as is, without another copy.
 */
void	pgl_reply_malloc(struct pgl_req *, int status, const char *content_type,
	    char *data, size_t len);
/*
 * Reply with a body made of n pieces (at most PGL_REPLY_SEGS) sent one
 * after another without being copied together; gzip: they make one gzip
 * member, for a client pgl_req_gzip() admits.  The reply owns the
 * pieces' releases from here, even when it is refused.
 */
void	pgl_reply_segs(struct pgl_req *, int status, const char *content_type,
	    int gzip, const struct pgl_reply_seg *, size_t n);
/*
 * The plain body as one buffer (pieces are joined into the arena only
 * now, for the few who need that), or NULL without one or if gzip'd.
 */
const char	*pgl_reply_body(struct pgl_req *, size_t *len);
/* Take back the reply not yet sent, so another may be given. */
void	pgl_reply_withdraw(struct pgl_req *);
/* Send the reply (the dispatcher, once, at the end). */
void	pgl_reply_send(struct pgl_req *);
/*
 * An error in the route's shape: {"error": msg} on management routes, the
 * Iceberg envelope {"error":{"message","type","code"}} on /v1 routes,
 * RFC 6749 §5.2's {"error": code, "error_description": msg} for a 400 or
 * 401 on the OAuth token paths.
 */
void	pgl_reply_error(struct pgl_req *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	pgl_reply_ice_error(struct pgl_req *, int status, const char *type,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Translate a store error into its HTTP status, once, here. */
void	pgl_reply_store_error(struct pgl_req *, const struct pgl_err *);
int	pgl_store_status(int code);
/* As pgl_reply_store_error, but a missing row gets this 404 message. */
void	pgl_reply_missing(struct pgl_req *, const struct pgl_err *,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reply with the text of a JSON writer (freed); 503 if it ran out. */
struct pgl_jw;
void	pgl_reply_jw(struct pgl_req *, int status, struct pgl_jw *);
void	pgl_reply_jw_list(struct pgl_req *, struct pgl_jw *, uint64_t total);
/* A list page already rendered: body and X-Total-Count. */
void	pgl_reply_raw_list(struct pgl_req *, const char *body, size_t len,
	    uint64_t total);

/* A list reply: bare array body plus X-Total-Count. */
void	pgl_reply_list(struct pgl_req *, json_t *array, uint64_t total);
/* The byte cap on a list page ([server] max_page_bytes), as
 * pgl_reply_list applies it: array cut to the items that fit (at least
 * one); returns how many are left. */
size_t	pgl_list_trim(json_t *array);

/* Read the paging query parameters; replies 400 and returns -1 if bad. */
int	pgl_req_page(struct pgl_req *, struct pgl_page *);

/*
 * Validate the JSON body against fields; replies 422 (400 on /v1) and
 * returns -1 if it does not fit.
 */
struct pgl_jfield;
int	pgl_req_body(struct pgl_req *, const struct pgl_jfield *);

/* Validate a name; replies 400 naming the field and returns -1 if bad. */
int	pgl_req_name(struct pgl_req *, const char *field, const char *value);

/*
 * A handler whose reply waits on work handed off the worker's thread
 * (a commit's file writes) calls pgl_req_pend() and returns without a
 * reply; the worker serves other requests meanwhile.  Whatever finishes
 * that work replies on r and calls pgl_req_done(), which hands r back to
 * the dispatcher: it sends the reply, or, if the client has gone, only
 * logs it and frees r.  A connection's next request is read only after
 * this one is answered, so answers keep their order.
 */
void	pgl_req_pend(struct pgl_req *);
void	pgl_req_done(struct pgl_req *);
/*
 * Run fn(r, arg) on the worker's next turn, after the requests that are
 * ready now; r is pending meanwhile (the caller replies and calls
 * pgl_req_done() in the end).  Long work done in slices lets the others
 * in.  -1: out of memory (nothing scheduled, r not pending).
 */
int	pgl_req_later(struct pgl_req *, void (*fn)(struct pgl_req *, void *),
	    void *arg);

uint64_t	pgl_now_us(void);
int64_t		pgl_now_ms(void);

#endif
