/*
 * The S3 client (s3.h): its shared state (s3_client.h), the handles kept
 * per (endpoint, region, access key), each endpoint's breaker and
 * in-flight cap (breaker.h), the counts for /metrics, and the settings
 * made once before fork.  Safe on the write pool's threads: all of it is
 * under one lock, taken only here.  A call is s3_call.c's; the
 * operations on objects are s3_objects.c's.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "storage/breaker.h"
#include "storage/endpoint.h"
#include "storage/s3.h"
#include "storage/s3_client.h"
#include "util/str.h"

#define CLIENTS		16		/* handles kept per worker */
#define ENDPOINTS	64		/* breakers kept per worker */

/*
 * One kept-alive handle per (endpoint, region, access key), used by one
 * thread at a time (busy): the worker's own and the write pool's threads
 * share the cache under the lock.  A call that finds its handle busy
 * gets one of its own for that call.
 */
struct s3_client {
	char		 id[512];
	CURL		*h;
	int		 busy;
};

/* The breaker and in-flight count of one endpoint (breaker.h). */
struct s3_endpoint {
	char			 origin[256];
	struct pgl_breaker	 b;
};

static pthread_mutex_t	lock = PTHREAD_MUTEX_INITIALIZER;
static struct s3_client	clients[CLIENTS];
static size_t		nclients;
static struct s3_endpoint	endpoints[ENDPOINTS];
static size_t		nendpoints;
static struct pgl_s3_stats totals;		/* under the lock */
static int		curl_ready;
static int		keep_clients = 1;	/* set once, before fork */
static char *const	*allowed;		/* the operator's origins, too */
static size_t		 nallowed;
static const char	*ca_file;		/* set once, before fork */
/* Set once, before fork ([storage] s3_*). */
static struct pgl_s3_limits limits = { 3000, 15000, 5, 30, 4, 64 };

int
pgl_s3_err(struct pgl_err *err, int code, const struct pgl_s3 *s,
    const char *fmt, const char *detail)
{
	err->code = code;
	(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%.60s': %.60s"
	    "%s%.119s", s->name != NULL ? s->name : "?", fmt, detail != NULL ?
	    ": " : "", detail != NULL ? detail : "");
	return (code);
}

/*
 * A handle for this call: the kept one of its id if idle, a new kept one,
 * or (all taken) one for this call alone (*kept NULL).  Under the lock.
 */
static CURL *
checkout(const struct pgl_s3 *s, struct s3_client **kept)
{
	char		 id[sizeof(clients[0].id)];
	size_t		 i;

	*kept = NULL;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return (NULL);
		curl_ready = 1;
	}
	(void)snprintf(id, sizeof(id), "%s|%s|%s", s->endpoint != NULL ?
	    s->endpoint : "aws", s->region, s->access_key);
	for (i = 0; i < nclients; i++) {
		if (strcmp(clients[i].id, id) == 0 && !clients[i].busy)
			break;
	}
	if (i == nclients) {
		/* Full: the oldest idle handle goes (its connection closes
		 * with it); none idle: a handle for this call only. */
		if (nclients == CLIENTS) {
			for (i = 0; i < nclients && clients[i].busy; i++)
				;
			if (i == nclients)
				return (curl_easy_init());
			curl_easy_cleanup(clients[i].h);
			memmove(&clients[i], &clients[i + 1],
			    (CLIENTS - i - 1) * sizeof(clients[0]));
			nclients--;
		}
		i = nclients;
		memset(&clients[i], 0, sizeof(clients[0]));
		if ((clients[i].h = curl_easy_init()) == NULL)
			return (NULL);
		(void)pgl_strlcpy(clients[i].id, id, sizeof(id));
		nclients++;
		totals.clients = nclients;
	}
	clients[i].busy = 1;
	*kept = &clients[i];
	return (clients[i].h);
}

/* The call is over: its handle is free again (or closed). */
static void
checkin(CURL *h, struct s3_client *kept)
{
	size_t	i;

	for (i = 0; kept != NULL && i < nclients; i++) {
		if (clients[i].h == h) {
			clients[i].busy = 0;
			return;
		}
	}
	curl_easy_cleanup(h);
}

/* A handle for one call (checkout), under the lock. */
CURL *
pgl_s3_client_take(const struct pgl_s3 *s, struct s3_client **kept)
{
	CURL	*h;

	(void)pthread_mutex_lock(&lock);
	h = checkout(s, kept);
	(void)pthread_mutex_unlock(&lock);
	return (h);
}

/* The call is over: its counts, and its handle back (checkin). */
void
pgl_s3_client_give(CURL *h, struct s3_client *kept, int counted, long conns)
{
	(void)pthread_mutex_lock(&lock);
	/* STS has a counter of its own (pangolin_sts_assume_role_total). */
	if (counted) {
		totals.requests++;
		totals.connections += (uint64_t)conns;
	}
	checkin(h, kept);
	(void)pthread_mutex_unlock(&lock);
}

int
pgl_s3_listed(const struct pgl_s3 *s)
{
	return (s->endpoint != NULL && pgl_origin_listed(s->endpoint,
	    allowed, nallowed));
}

int
pgl_s3_keeps_clients(void)
{
	return (keep_clients);
}

/* The endpoint's origin as the breaker's key: scheme, host and port. */
void
pgl_s3_origin(const struct pgl_s3 *s, char *out, size_t len)
{
	const char	*p, *end;

	if (s->endpoint == NULL) {
		(void)snprintf(out, len, "https://s3.%s.amazonaws.com",
		    s->region);
		return;
	}
	/* Up to the path, if the endpoint names one. */
	p = strstr(s->endpoint, "://");
	p = p != NULL ? p + 3 : s->endpoint;
	end = strchr(p, '/');
	(void)snprintf(out, len, "%.*s", end != NULL ? (int)(end -
	    s->endpoint) : (int)strlen(s->endpoint), s->endpoint);
}

/* The endpoint's breaker, made if new; NULL if the table is full of
 * busy ones (the call then goes unguarded).  Under the lock. */
static struct s3_endpoint *
endpoint_of(const struct pgl_s3 *s)
{
	char	origin[sizeof(endpoints[0].origin)];
	size_t	i;

	pgl_s3_origin(s, origin, sizeof(origin));
	for (i = 0; i < nendpoints; i++) {
		if (strcasecmp(endpoints[i].origin, origin) == 0)
			return (&endpoints[i]);
	}
	if (nendpoints == ENDPOINTS) {
		/* Forget a closed, idle one: it holds nothing to keep. */
		for (i = 0; i < nendpoints; i++) {
			if (!endpoints[i].b.open && endpoints[i].b.inflight ==
			    0)
				break;
		}
		if (i == nendpoints)
			return (NULL);
	} else
		i = nendpoints++;
	memset(&endpoints[i], 0, sizeof(endpoints[i]));
	(void)pgl_strlcpy(endpoints[i].origin, origin,
	    sizeof(endpoints[i].origin));
	return (&endpoints[i]);
}

static struct pgl_breaker_cfg
breaker_cfg(void)
{
	struct pgl_breaker_cfg	c;

	c.failures = limits.breaker_failures;
	c.cooldown = limits.breaker_cooldown_secs;
	c.max_inflight = limits.max_inflight;
	return (c);
}

static int64_t
now_secs(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec);
}

/* The refusal of a call the breaker did not admit, naming only the
 * warehouse and when to retry; PGL_OK if it was admitted. */
static int
refusal(const struct pgl_s3 *s, enum pgl_breaker_admit how, int retry,
    struct pgl_err *err)
{
	char	why[96];

	if (how == PGL_BREAKER_OPEN) {
		(void)snprintf(why, sizeof(why), "it failed %d times in a row; "
		    "retry after %d s", limits.breaker_failures, retry);
		return (pgl_s3_err(err, PGL_EUNAVAIL, s, "object store "
		    "unavailable", why));
	}
	if (how == PGL_BREAKER_BUSY) {
		(void)snprintf(why, sizeof(why), "%d calls to it under way; "
		    "retry after %d s", limits.max_inflight, retry);
		return (pgl_s3_err(err, PGL_EUNAVAIL, s, "object store busy",
		    why));
	}
	return (PGL_OK);
}

/*
 * Whether a call to s's endpoint may start (then end_call), or a copy's
 * answer only (check: takes no probe and no slot).  *ep NULL: the
 * endpoint table is full of busy ones, the call goes unguarded.
 */
int
pgl_s3_call_begin(const struct pgl_s3 *s, int check, struct s3_endpoint **ep,
    enum pgl_breaker_admit *how, struct pgl_err *err)
{
	struct pgl_breaker_cfg	cfg = breaker_cfg();
	struct pgl_breaker	copy;
	int			retry = 1;

	(void)pthread_mutex_lock(&lock);
	if ((*ep = endpoint_of(s)) == NULL) {
		(void)pthread_mutex_unlock(&lock);
		return (PGL_OK);
	}
	copy = (*ep)->b;
	*how = pgl_breaker_admit(check ? &copy : &(*ep)->b, &cfg, now_secs(),
	    &retry);
	/* A check asks about the breaker: a full cap is a wait (obj_job.c). */
	if (check && *how == PGL_BREAKER_BUSY)
		*how = PGL_BREAKER_GO;
	if (*how == PGL_BREAKER_OPEN || *how == PGL_BREAKER_BUSY)
		totals.refused++;
	(void)pthread_mutex_unlock(&lock);
	return (refusal(s, *how, retry, err));
}

void
pgl_s3_call_end(struct s3_endpoint *ep, enum pgl_breaker_admit how, int failed)
{
	struct pgl_breaker_cfg	cfg = breaker_cfg();

	if (ep == NULL)
		return;
	(void)pthread_mutex_lock(&lock);
	if (pgl_breaker_done(&ep->b, &cfg, how, failed, now_secs()))
		totals.trips++;
	(void)pthread_mutex_unlock(&lock);
}

int
pgl_s3_check(const struct pgl_s3 *s, struct pgl_err *err)
{
	struct s3_endpoint		*ep;
	enum pgl_breaker_admit	 how;

	return (pgl_s3_call_begin(s, 1, &ep, &how, err));
}

int
pgl_s3_retry_after(const struct pgl_err *err)
{
	const char	*p;
	int		 n;

	if (err->code != PGL_EUNAVAIL ||
	    (p = strstr(err->msg, "retry after ")) == NULL)
		return (0);
	n = atoi(p + 12);
	return (n > 0 ? n : 0);
}

void
pgl_s3_stats(struct pgl_s3_stats *st)
{
	(void)pthread_mutex_lock(&lock);
	*st = totals;
	(void)pthread_mutex_unlock(&lock);
}

void
pgl_s3_set_limits(const struct pgl_s3_limits *l)
{
	limits = *l;
}

const struct pgl_s3_limits *
pgl_s3_limits(void)
{
	return (&limits);
}

void
pgl_s3_keep_clients(int on)
{
	keep_clients = on;
}

void
pgl_s3_allow_endpoints(char *const *origins, size_t n)
{
	allowed = origins;
	nallowed = n;
}

void
pgl_s3_set_ca_file(const char *path)
{
	ca_file = path;
}

const char *
pgl_s3_ca_file(void)
{
	return (ca_file);
}

void
pgl_s3_shutdown(void)
{
	size_t	i;

	(void)pthread_mutex_lock(&lock);
	for (i = 0; i < nclients; i++)
		curl_easy_cleanup(clients[i].h);
	nclients = 0;
	totals.clients = 0;
	(void)pthread_mutex_unlock(&lock);
}
