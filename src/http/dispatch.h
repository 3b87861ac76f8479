/*
 * The one Kore handler and what the application hands it.  This layer
 * knows requests: framing, the request id, CORS, routing, query strings
 * and JSON bodies.  Who the caller is, whether they may call a route, the
 * store and the handler all belong to the application, which main.c
 * installs here once, in the parent, before workers fork.
 */
#ifndef PGL_DISPATCH_H
#define PGL_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "http/router.h"

struct pgl_req;

struct pgl_http_app {
	const struct pgl_route	*routes;
	size_t			 nroutes;
	const char		*cors_origins;	/* "*" or "a, b" */
	size_t			 max_body_bytes;
	/* Per route family, within max_body_bytes (413 naming it). */
	size_t			 max_management_body_bytes; /* /api/... */
	size_t			 max_metrics_body_bytes; /* /v1/.../metrics */

	/*
	 * Before the body is read: identify the caller and decide whether
	 * they may call the matched route.  0, or -1 after a reply (401,
	 * 403, 429, 503, ...), or 1: the decision waits on work off the
	 * worker's thread (an identity provider's keys), and whatever
	 * finishes it calls pgl_http_admitted().
	 */
	int	(*admit)(struct pgl_req *);
	/* Run the matched route; must reply. */
	void	(*serve)(struct pgl_req *);
};

void	pgl_http_init(const struct pgl_http_app *);
/*
 * A request whose admission waited (admit returned 1) is decided: if
 * nothing was replied it is admitted and served, else the refusal is
 * sent.  On the worker's thread.
 */
void	pgl_http_admitted(struct pgl_req *);
/*
 * The route table installed (n: its length), for a handler that lists
 * routes (/v1/config's endpoints): it reads them here, from below,
 * rather than from the table that names it.
 */
const struct pgl_route	*pgl_http_routes(size_t *n);
/* In each worker: start its timers; on exit, flush what it buffered. */
void	pgl_http_worker_start(void);
void	pgl_http_worker_stop(void);
/*
 * In a worker: watch fd (level-triggered, readable) in its event loop
 * and call ready() on its thread at the end of the turn in which it is,
 * and again at the end of every turn while ready() answers 1 (it left
 * work); one such descriptor (the write pool's eventfd,
 * storage/write_pool.h).
 */
void	pgl_http_watch(int fd, int (*ready)(void));
/*
 * In a worker: call the watched ready() again in about a millisecond,
 * once, whether or not its descriptor is readable (what it waits for
 * tells no descriptor: another worker's store lock).
 */
void	pgl_http_watch_soon(void);
/*
 * fd's next readiness (one shot, fd stays registered until closed or
 * watched again) runs the watched ready() at the end of that turn; and
 * pgl_http_watch_wake: at the end of this one.
 */
void	pgl_http_watch_once(int fd);
void	pgl_http_watch_wake(void);
/*
 * In a worker: call fn about once a millisecond from its event loop (a
 * timer) until fn is NULL again; one such caller (commits waiting for
 * another worker's claim on their table, api/commit/async.c).
 */
void	pgl_http_poll(void (*fn)(void));
/* In a worker: call fn about once a second, requests or none (one such
 * caller: the store's notifications taken in, api_config_changes). */
void	pgl_http_every_second(void (*fn)(void));

/* The per-address connection cap (kore_conns.c); 0: none.  Before fork. */
void	pgl_conns_set_cap(uint32_t);
/* When a connection's request head came in whole (kore_conns.c; µs,
 * pgl_now_us's clock; 0: not known). */
struct connection;
void	pgl_conn_head_arrived(const struct connection *);
uint64_t pgl_conn_arrived_us(const struct connection *);

/*
 * The route flags (ROUTE_*) of a request head's method and path (no
 * query string), 0 when no route matches: what kore_move.c asks of a head
 * before Kore reads it as a request.
 */
int	pgl_http_head_route(const char *method, const char *path);
/*
 * Connections move to the worker their requests belong on (kore_move.c):
 * commits to workers 1..commit_workers, reads off them while they have
 * a commit under way (commits_open() answers 1).  In the parent before
 * fork (-1: no socket pairs; nothing moves with fewer than two workers,
 * or commit_workers 0 or >= workers), then in each worker with its id.
 */
int	pgl_move_init(unsigned workers, unsigned commit_workers,
	    int (*commits_open)(void));
void	pgl_move_worker_start(unsigned id);
/* 1 on a worker that takes commits and hands its reads to another while
 * one is under way. */
int	pgl_move_sheds_reads(void);

#endif
