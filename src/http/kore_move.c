/*
 * Connections that move to the worker their requests belong on.
 *
 * A commit's store work runs on its worker's event loop, and a loop busy
 * with a group's swap serves no read meanwhile.  With commits spread over
 * every worker, each worker also reads again what another just wrote: the
 * base file it did not parse (its tree cache misses), and, on SQLite,
 * every page its connection had (another process's commit empties a
 * connection's page cache).  So commits go to the first commit_workers
 * workers.  A connection that sends a commit to another worker is handed
 * to a commit worker, with the bytes read from it so far (the request's
 * head, perhaps part of its body), and stays there: its descriptor goes
 * over a socket pair made before the fork (SCM_RIGHTS), and the commit
 * worker's Kore takes it up as if it had accepted it
 * (kore_connection_adopt, src/kore/0001-pangolin.patch item 30).  The
 * other way, a connection on a commit worker that has sent no commit is
 * handed to a worker that takes none when it reads while commits are
 * under way there, so readers do not queue behind commit work.
 *
 * A connection moves at most twice (off a commit worker to read, then to
 * one to commit), only between requests with nothing unsent, never with
 * TLS (Pangolin's Kore has none).  A hand-over that cannot be made at once
 * (the peer's queue full, a worker stopping) is not made: the request is
 * served where it came, as before.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <kore.h>
#include <http.h>

#include "http/dispatch.h"
#include "metrics/metrics.h"

int	pgl_http_head_move(struct connection *, const u_int8_t *, size_t,
	    size_t);
void	pgl_conn_release(struct connection *);	/* kore_conns.c */

/* struct connection's placed: what this module has decided for it. */
#define PLACED_NOT	0	/* nothing yet */
#define PLACED_COMMITS	1	/* commits: lives on a commit worker */
#define PLACED_READS	2	/* moved off a commit worker to read */

#define MOVE_MAGIC	0x50474d31u	/* "PGM1" */

/* Room for one descriptor in a message's control data, aligned. */
union fd_control {
	struct cmsghdr	hdr;
	char		buf[CMSG_SPACE(sizeof(int))];
};

struct move_head {
	uint32_t	magic;
	uint32_t	placed;
	uint32_t	len;		/* bytes after this head */
};

/* Made in the parent; [id][0] is read by worker id, [id][1] written. */
static int		 chan[KORE_WORKER_MAX][2];
static unsigned		 nworkers;	/* 0: connections never move */
static unsigned		 ncommit;	/* workers 1..ncommit take commits */
static unsigned		 self;		/* this worker's id */
static unsigned		 next_pick;
static int		(*commits_open)(void);
static int		 commit_methods;	/* PGL_* of the commit routes */
static uint8_t		 msg[sizeof(struct move_head) + 65536];

static struct {
	struct kore_event	evt;	/* first: Kore casts to it */
} inbox;

int
pgl_move_init(unsigned workers, unsigned commit_workers, int (*open)(void))
{
	unsigned	i;

	if (workers < 2 || commit_workers == 0 || commit_workers >= workers ||
	    workers >= KORE_WORKER_MAX)
		return (0);
	for (i = 1; i <= workers; i++) {
		if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0, chan[i]) == -1) {
			while (--i > 0) {
				(void)close(chan[i][0]);
				(void)close(chan[i][1]);
			}
			return (-1);
		}
	}
	nworkers = workers;
	ncommit = commit_workers;
	commits_open = open;
	return (0);
}

/*
 * This commit worker has a commit under way: a reader arriving now would
 * wait behind its work.  Under a storm that is nearly always so; with a
 * commit a second, about one read in a hundred moves, and reads stay
 * spread over every worker.
 */
static int
busy(void)
{
	return (commits_open != NULL && commits_open());
}

static int
takes_commits(unsigned id)
{
	return (id >= 1 && id <= ncommit);
}

int
pgl_move_sheds_reads(void)
{
	return (nworkers != 0 && takes_commits(self));
}

/* Worker id is up and not stopping (kore_worker_data takes an index). */
static int
open_worker(unsigned id)
{
	struct kore_worker	*kw;

	kw = kore_worker_data((u_int8_t)(KORE_WORKER_BASE + id - 1));
	return (kw->running && kw->open && kw->pid != 0);
}

/* Another worker of the kind wanted, taken in turn; 0 if none is open. */
static unsigned
pick(int commits)
{
	unsigned	lo = commits ? 1 : ncommit + 1;
	unsigned	n = commits ? ncommit : nworkers - ncommit;
	unsigned	i, id;

	for (i = 0; i < n; i++) {
		id = lo + (next_pick++ % n);
		if (id != self && open_worker(id))
			return (id);
	}
	return (0);
}

/* The request line's method; -1 if it has none. */
static int
request_method(const u_int8_t *buf, size_t len, char *method, size_t msize)
{
	const u_int8_t	*end, *sp;
	size_t		 n;

	if ((end = memchr(buf, '\r', len)) == NULL ||
	    (sp = memchr(buf, ' ', end - buf)) == NULL ||
	    (n = sp - buf) == 0 || n >= msize)
		return (-1);
	memcpy(method, buf, n);
	method[n] = '\0';
	return (0);
}

/* The request line's path (no query); -1 if it has none. */
static int
request_path(const u_int8_t *buf, size_t len, char *path, size_t psize)
{
	const u_int8_t	*end, *sp, *q;
	size_t		 n;

	if ((end = memchr(buf, '\r', len)) == NULL ||
	    (sp = memchr(buf, ' ', end - buf)) == NULL)
		return (-1);
	sp++;
	if ((q = memchr(sp, ' ', end - sp)) == NULL)
		return (-1);
	end = q;
	if ((q = memchr(sp, '?', end - sp)) != NULL)
		end = q;
	if ((n = end - sp) == 0 || n >= psize)
		return (-1);
	memcpy(path, sp, n);
	path[n] = '\0';
	return (0);
}

/*
 * 1 if the head is a commit's: its method is one a commit route has
 * (else no route is matched, the common case of a read) and its path
 * matches a route flagged ROUTE_COMMIT.
 */
static int
is_commit(const u_int8_t *buf, size_t head_len, const char *method)
{
	static char	path[PGL_PATH_MAX];	/* not on the stack */

	return ((pgl_method_parse(method) & commit_methods) != 0 &&
	    request_path(buf, head_len, path, sizeof(path)) == 0 &&
	    (pgl_http_head_route(method, path) & ROUTE_COMMIT) != 0);
}

/* The connection can leave between two requests, with nothing owed. */
static int
may_leave(const struct connection *c)
{
	return (c->state == CONN_STATE_ESTABLISHED && c->ssl == NULL &&
	    c->proto == CONN_PROTO_HTTP && c->rnb != NULL &&
	    (c->family == AF_INET || c->family == AF_INET6) &&
	    TAILQ_EMPTY(&c->http_requests) && TAILQ_EMPTY(&c->send_queue) &&
	    !(c->flags & (CONN_HTTP_EOF | CONN_LINGER | CONN_HTTP_SENDWAIT |
	    CONN_CLOSE_EMPTY)) && !http_shutting_down);
}

/* Hand c, and the len bytes read from it, to worker id; 0 on success. */
static int
hand_over(struct connection *c, unsigned id, uint8_t placed,
    const u_int8_t *buf, size_t len)
{
	struct move_head	 h = { MOVE_MAGIC, placed, (uint32_t)len };
	struct iovec		 iov[2];
	struct msghdr		 m;
	struct cmsghdr		*cm;
	union fd_control	 ctl;

	memset(&m, 0, sizeof(m));
	memset(&ctl, 0, sizeof(ctl));
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = (void *)buf;
	iov[1].iov_len = len;
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	m.msg_control = ctl.buf;
	m.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &c->fd, sizeof(int));
	if (sendmsg(chan[id][1], &m, MSG_DONTWAIT | MSG_NOSIGNAL) == -1)
		return (-1);
	/*
	 * The descriptor is the other worker's now: out of this loop's
	 * epoll first (closing ours would not take it out while the other
	 * holds the socket open), then let go without a byte more.
	 */
	kore_platform_disable_read(c->fd);
	c->evt.flags &= ~(KORE_EVENT_READ | KORE_EVENT_WRITE);
	c->rnb->s_off = 0;
	/* Out of this worker's count now, not at the end of the turn. */
	if (c->flags & CONN_ADDR_COUNTED)
		pgl_conn_release(c);
	kore_connection_disconnect(c);
	return (0);
}

int
pgl_http_head_move(struct connection *c, const u_int8_t *buf, size_t len,
    size_t head_len)
{
	char		method[16];
	unsigned	id;
	int		commit;

	pgl_conn_head_arrived(c);	/* moved: stamped again where it goes */
	if (nworkers == 0)
		return (0);
	/* A connection that commits stays where it is. */
	if (c->placed == PLACED_COMMITS)
		return (0);
	if (request_method(buf, head_len, method, sizeof(method)) == -1)
		return (0);
	commit = is_commit(buf, head_len, method);
	if (takes_commits(self)) {
		if (commit) {
			c->placed = PLACED_COMMITS;
			return (0);
		}
		if (c->placed == PLACED_READS || !busy())
			return (0);
	} else if (!commit)
		return (0);
	if (len > sizeof(msg) - sizeof(struct move_head) || !may_leave(c) ||
	    (id = pick(commit)) == 0)
		return (0);
	if (hand_over(c, id, commit ? PLACED_COMMITS : PLACED_READS, buf,
	    len) == -1) {
		pgl_metrics_inc(PGL_C_CONN_MOVES_FAILED);
		return (0);
	}
	pgl_metrics_inc(commit ? PGL_C_CONNS_MOVED_TO_COMMITS :
	    PGL_C_CONNS_MOVED_TO_READS);
	return (1);
}

/* What a message brought, if it is whole and well formed; else -1. */
static int
take_one(int *fd, struct move_head *h, const uint8_t **bytes)
{
	struct iovec	 iov = { msg, sizeof(msg) };
	struct msghdr	 m;
	struct cmsghdr	*cm;
	union fd_control	 ctl;
	ssize_t		 n;

	*fd = -1;
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl.buf;
	m.msg_controllen = sizeof(ctl.buf);
	/* Nothing more (or a failure that a level-triggered wake retries). */
	if ((n = recvmsg(chan[self][0], &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC))
	    <= 0)
		return (0);
	for (cm = CMSG_FIRSTHDR(&m); cm != NULL; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
	}
	if (*fd == -1)
		return (-1);
	if ((size_t)n >= sizeof(*h))
		memcpy(h, msg, sizeof(*h));
	if ((size_t)n < sizeof(*h) || (m.msg_flags & (MSG_TRUNC |
	    MSG_CTRUNC)) || h->magic != MOVE_MAGIC ||
	    h->len != (size_t)n - sizeof(*h) || h->placed > PLACED_READS) {
		(void)close(*fd);
		*fd = -1;
		return (-1);
	}
	*bytes = msg + sizeof(*h);
	return (1);
}

static void
inbox_ready(void *arg, int error)
{
	struct move_head	 h;
	const uint8_t		*bytes;
	int			 fd, rc;

	(void)arg;
	(void)error;
	while ((rc = take_one(&fd, &h, &bytes)) != 0) {
		if (rc == 1)
			(void)kore_connection_adopt(fd, bytes, h.len,
			    (u_int8_t)h.placed);
	}
}

void
pgl_move_worker_start(unsigned id)
{
	const struct pgl_route	*routes;
	size_t			 n;
	unsigned		 i;

	if (nworkers == 0 || id < 1 || id > nworkers) {
		nworkers = 0;
		return;
	}
	self = id;
	routes = pgl_http_routes(&n);
	for (i = 0; i < n; i++) {
		if (routes[i].flags & ROUTE_COMMIT)
			commit_methods |= routes[i].method;
	}
	/* Only the parent keeps every end, for a worker it starts again. */
	for (i = 1; i <= nworkers; i++) {
		if (i != id)
			(void)close(chan[i][0]);
	}
	inbox.evt.type = KORE_TYPE_TASK;
	inbox.evt.handle = inbox_ready;
	kore_platform_event_level_read(chan[id][0], &inbox);
}
