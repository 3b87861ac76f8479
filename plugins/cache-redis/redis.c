/*
 * The Redis cache plugin ("redis"): a second tier shared by replicas
 * ([cache] l2 = "cache-redis").  It is only ever an optimisation, so it
 * never fails or slows a request for long: every command has a short
 * timeout, and a Redis that is down, slow or refusing is dropped, logged
 * once, and tried again after a back-off that doubles up to a cap.
 * Meanwhile every get is a miss and every put a no-op (L1 only).
 *
 * Options ([cache.l2_options]):
 *	url		redis://host[:port][/db]	(default redis://127.0.0.1:6379)
 *	timeout_ms	connect and command timeout	(1..50, default 50)
 *	ttl_secs	TTL when put passes 0		(default 300)
 *	prefix		namespace of our keys		(default "pangolin:")
 *
 * announce and changes_seen (cache ABI 1.1) are Redis PUBLISH and a
 * second connection SUBSCRIBEd to the channel, read without blocking:
 * replicas on a store that cannot announce changes itself (SQLite on a
 * shared file, MongoDB) drop their config copies on each other's word.
 *
 * The handle connects lazily, on its first command: the host opens it in
 * the parent only to validate the options, and no connection may cross
 * fork().  Counters are this process's; entries and bytes are not known
 * (the server is shared) and stay zero.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "pangolin/cache.h"

#define PLUGIN_NAME	"redis"
#define BACKOFF_MIN_MS	200
#define BACKOFF_MAX_MS	5000

struct pgl_cache {
	const struct pgl_host	*host;
	char			 hostname[256];
	int			 port;
	int			 db;
	int			 timeout_ms;
	uint32_t		 ttl_secs;
	char			 prefix[64];

	redisContext		*ctx;
	redisContext		*sub;		/* SUBSCRIBEd, or NULL */
	uint64_t		 sub_retry_at_ms;
	uint64_t		 retry_at_ms;	/* no connect before this */
	uint64_t		 backoff_ms;
	int			 down;		/* logged as down, not yet back */
	struct pgl_cache_stats	 st;
};

static int
fail(struct pgl_err *err, int code, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL) {
		err->code = code;
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return (code);
}

static uint64_t
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/* Decimal digits only, within [min, max]. */
static int
parse_int(const char *s, long min, long max, long *out)
{
	const char	*p;
	char		*end;
	long		 v;

	if (s == NULL || *s == '\0' || strlen(s) > 10)
		return (-1);
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* redis://host[:port][/db]; no credentials, no query. */
static int
parse_url(struct pgl_cache *c, const char *url, struct pgl_err *err)
{
	const char	*h, *colon, *slash, *end;
	char		 num[16];
	long		 v;
	size_t		 hl;

	if (url == NULL || strncmp(url, "redis://", 8) != 0)
		goto bad;
	h = url + 8;
	end = h + strlen(h);
	slash = strchr(h, '/');
	if (slash == NULL)
		slash = end;
	colon = memchr(h, ':', (size_t)(slash - h));
	hl = (size_t)((colon != NULL ? colon : slash) - h);
	if (hl == 0 || hl >= sizeof(c->hostname) || memchr(h, '@', hl) != NULL)
		goto bad;
	memcpy(c->hostname, h, hl);
	c->hostname[hl] = '\0';
	c->port = 6379;
	if (colon != NULL) {
		if ((size_t)(slash - colon - 1) >= sizeof(num))
			goto bad;
		memcpy(num, colon + 1, (size_t)(slash - colon - 1));
		num[slash - colon - 1] = '\0';
		if (parse_int(num, 1, 65535, &v) == -1)
			goto bad;
		c->port = (int)v;
	}
	c->db = 0;
	if (*slash == '/' && slash[1] != '\0') {
		if (parse_int(slash + 1, 0, 15, &v) == -1)
			goto bad;
		c->db = (int)v;
	}
	return (PGL_OK);
bad:
	return (fail(err, PGL_EINVAL, "cache %s: option url: \"%s\" is not "
	    "redis://host[:port][/db] (db 0 to 15)", PLUGIN_NAME,
	    url != NULL ? url : "(null)"));
}

static int
apply_option(struct pgl_cache *c, const struct pgl_kv *kv,
    struct pgl_err *err)
{
	long	v;

	if (kv->key == NULL || kv->value == NULL)
		return (fail(err, PGL_EINVAL, "cache %s: bad option",
		    PLUGIN_NAME));
	if (strcmp(kv->key, "url") == 0)
		return (parse_url(c, kv->value, err));
	if (strcmp(kv->key, "timeout_ms") == 0) {
		if (parse_int(kv->value, 1, 50, &v) == -1)
			return (fail(err, PGL_EINVAL, "cache %s: option "
			    "timeout_ms: \"%s\" is not an integer from 1 to 50",
			    PLUGIN_NAME, kv->value));
		c->timeout_ms = (int)v;
		return (PGL_OK);
	}
	if (strcmp(kv->key, "ttl_secs") == 0) {
		if (parse_int(kv->value, 1, 86400 * 30, &v) == -1)
			return (fail(err, PGL_EINVAL, "cache %s: option "
			    "ttl_secs: \"%s\" is not an integer from 1 to %d",
			    PLUGIN_NAME, kv->value, 86400 * 30));
		c->ttl_secs = (uint32_t)v;
		return (PGL_OK);
	}
	if (strcmp(kv->key, "prefix") == 0) {
		if (strlen(kv->value) >= sizeof(c->prefix) ||
		    strpbrk(kv->value, "*?[]\\ \r\n") != NULL)
			return (fail(err, PGL_EINVAL, "cache %s: option prefix: "
			    "at most %zu characters, no spaces or *?[]\\",
			    PLUGIN_NAME, sizeof(c->prefix) - 1));
		(void)snprintf(c->prefix, sizeof(c->prefix), "%s", kv->value);
		return (PGL_OK);
	}
	return (fail(err, PGL_EINVAL, "cache %s: unknown option \"%s\" "
	    "(known: url, timeout_ms, ttl_secs, prefix)", PLUGIN_NAME,
	    kv->key));
}

static int
redis_open(const struct pgl_host *host, const struct pgl_kv *opts,
    size_t nopts, struct pgl_cache **out, struct pgl_err *err)
{
	struct pgl_cache	*c;
	size_t			 i;
	int			 rc;

	if (out == NULL || (opts == NULL && nopts > 0))
		return (fail(err, PGL_EINVAL, "cache %s: bad open arguments",
		    PLUGIN_NAME));
	*out = NULL;
	if (host != NULL && host->abi_major != PGL_HOST_ABI_MAJOR)
		return (fail(err, PGL_EUNSUPPORTED, "cache %s: host ABI %u.%u, "
		    "plugin built for %u.%u", PLUGIN_NAME, host->abi_major,
		    host->abi_minor, PGL_HOST_ABI_MAJOR, PGL_HOST_ABI_MINOR));
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (fail(err, PGL_ENOMEM, "cache %s: out of memory",
		    PLUGIN_NAME));
	c->host = host;
	(void)snprintf(c->hostname, sizeof(c->hostname), "127.0.0.1");
	c->port = 6379;
	c->timeout_ms = 50;
	c->ttl_secs = 300;
	(void)snprintf(c->prefix, sizeof(c->prefix), "pangolin:");
	for (i = 0; i < nopts; i++) {
		if ((rc = apply_option(c, &opts[i], err)) != PGL_OK) {
			free(c);
			return (rc);
		}
	}
	*out = c;
	return (PGL_OK);
}

static void
redis_close(struct pgl_cache *c)
{
	if (c == NULL)
		return;
	if (c->ctx != NULL)
		redisFree(c->ctx);
	if (c->sub != NULL)
		redisFree(c->sub);
	free(c);
}

/* Drop the connection; say so once, then back off before the next try. */
static void
mark_down(struct pgl_cache *c, const char *why)
{
	if (!c->down && c->host != NULL && c->host->log != NULL)
		c->host->log(PGL_LOG_WARN, "cache %s: %s:%d unavailable (%s); "
		    "L1 only, retrying with back-off", PLUGIN_NAME, c->hostname,
		    c->port, why);
	c->down = 1;
	if (c->ctx != NULL)
		redisFree(c->ctx);
	c->ctx = NULL;
	c->backoff_ms = c->backoff_ms == 0 ? BACKOFF_MIN_MS :
	    c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS :
	    c->backoff_ms * 2;
	c->retry_at_ms = now_ms() + c->backoff_ms;
}

static int
select_db(struct pgl_cache *c)
{
	redisReply	*r;
	int		 ok;

	if (c->db == 0)
		return (0);
	r = redisCommand(c->ctx, "SELECT %d", c->db);
	ok = r != NULL && r->type == REDIS_REPLY_STATUS;
	if (r != NULL)
		freeReplyObject(r);
	return (ok ? 0 : -1);
}

/* A usable connection, or NULL while down and backing off. */
static redisContext *
conn(struct pgl_cache *c)
{
	struct timeval	tv;

	if (c->ctx != NULL)
		return (c->ctx);
	if (c->retry_at_ms != 0 && now_ms() < c->retry_at_ms)
		return (NULL);
	tv.tv_sec = 0;
	tv.tv_usec = c->timeout_ms * 1000;
	c->ctx = redisConnectWithTimeout(c->hostname, c->port, tv);
	if (c->ctx == NULL || c->ctx->err != 0) {
		mark_down(c, c->ctx != NULL ? c->ctx->errstr : "out of memory");
		return (NULL);
	}
	if (redisSetTimeout(c->ctx, tv) != REDIS_OK || select_db(c) == -1) {
		mark_down(c, "cannot set the timeout or select the db");
		return (NULL);
	}
	if (c->down && c->host != NULL && c->host->log != NULL)
		c->host->log(PGL_LOG_INFO, "cache %s: %s:%d is back",
		    PLUGIN_NAME, c->hostname, c->port);
	c->down = 0;
	c->backoff_ms = 0;
	c->retry_at_ms = 0;
	return (c->ctx);
}

/* One command; NULL (and the connection dropped) on any I/O error. */
static redisReply *
command(struct pgl_cache *c, int argc, const char **argv,
    const size_t *lens)
{
	redisReply	*r;

	if (conn(c) == NULL)
		return (NULL);
	r = redisCommandArgv(c->ctx, argc, argv, lens);
	if (r == NULL) {
		mark_down(c, c->ctx->errstr[0] != '\0' ? c->ctx->errstr :
		    "no reply");
		return (NULL);
	}
	if (r->type == REDIS_REPLY_ERROR) {
		/* A server that answers but refuses (e.g. OOM, loading). */
		mark_down(c, r->str != NULL ? r->str : "error reply");
		freeReplyObject(r);
		return (NULL);
	}
	return (r);
}

static char *
full_key(const struct pgl_cache *c, const char *key, size_t *len)
{
	char	*k;
	size_t	 pl = strlen(c->prefix), kl = strlen(key);

	if ((k = malloc(pl + kl + 1)) == NULL)
		return (NULL);
	memcpy(k, c->prefix, pl);
	memcpy(k + pl, key, kl + 1);
	*len = pl + kl;
	return (k);
}

static int
redis_get(struct pgl_cache *c, const char *key, void **val, size_t *len)
{
	const char	*argv[2];
	size_t		 lens[2];
	redisReply	*r;
	char		*k;
	int		 rc = PGL_ENOTFOUND;

	if ((k = full_key(c, key, &lens[1])) == NULL)
		return (PGL_ENOMEM);
	argv[0] = "GET";
	lens[0] = 3;
	argv[1] = k;
	r = command(c, 2, argv, lens);
	free(k);
	if (r != NULL && r->type == REDIS_REPLY_STRING) {
		if ((*val = malloc(r->len > 0 ? r->len : 1)) == NULL) {
			freeReplyObject(r);
			return (PGL_ENOMEM);
		}
		memcpy(*val, r->str, r->len);
		*len = r->len;
		rc = PGL_OK;
	}
	if (r != NULL)
		freeReplyObject(r);
	if (rc == PGL_OK)
		c->st.hits++;
	else
		c->st.misses++;
	return (rc);
}

static int
redis_put(struct pgl_cache *c, const char *key, const void *val,
    size_t len, uint32_t ttl_secs)
{
	const char	*argv[5];
	size_t		 lens[5];
	redisReply	*r;
	char		*k, ttl[16];

	if ((k = full_key(c, key, &lens[1])) == NULL)
		return (PGL_ENOMEM);
	(void)snprintf(ttl, sizeof(ttl), "%u",
	    (unsigned)(ttl_secs != 0 ? ttl_secs : c->ttl_secs));
	argv[0] = "SET";	lens[0] = 3;
	argv[1] = k;
	argv[2] = val;		lens[2] = len;
	argv[3] = "EX";		lens[3] = 2;
	argv[4] = ttl;		lens[4] = strlen(ttl);
	r = command(c, 5, argv, lens);
	free(k);
	if (r == NULL)
		return (PGL_EUNAVAIL);
	freeReplyObject(r);
	return (PGL_OK);
}

static int
redis_del(struct pgl_cache *c, const char *key)
{
	const char	*argv[2];
	size_t		 lens[2];
	redisReply	*r;
	char		*k;
	int		 rc;

	if ((k = full_key(c, key, &lens[1])) == NULL)
		return (PGL_ENOMEM);
	argv[0] = "DEL";
	lens[0] = 3;
	argv[1] = k;
	r = command(c, 2, argv, lens);
	free(k);
	if (r == NULL)
		return (PGL_EUNAVAIL);
	rc = r->type == REDIS_REPLY_INTEGER && r->integer > 0 ? PGL_OK :
	    PGL_ENOTFOUND;
	freeReplyObject(r);
	return (rc);
}

/*
 * Metadata files are immutable and keyed by location, so the host never
 * invalidates a family of them; a shared server is not ours to scan.
 */
static int
redis_del_prefix(struct pgl_cache *c, const char *prefix)
{
	(void)c;
	(void)prefix;
	return (PGL_EUNSUPPORTED);
}

static void
redis_clear(struct pgl_cache *c)
{
	(void)c;
}

static void
redis_stats(struct pgl_cache *c, struct pgl_cache_stats *out)
{
	*out = c->st;
}

static int
redis_announce(struct pgl_cache *c, const char *channel)
{
	const char	*argv[3];
	size_t		 lens[3], len;
	char		*ch;
	redisReply	*r;

	if ((ch = full_key(c, channel, &len)) == NULL)
		return (PGL_ENOMEM);
	argv[0] = "PUBLISH";
	lens[0] = 7;
	argv[1] = ch;
	lens[1] = len;
	argv[2] = "1";
	lens[2] = 1;
	r = command(c, 3, argv, lens);
	free(ch);
	if (r == NULL)
		return (PGL_EUNAVAIL);
	freeReplyObject(r);
	return (PGL_OK);
}

/* A new subscriber connection; NULL while Redis is away. */
static redisContext *
subscribe(struct pgl_cache *c, const char *channel)
{
	struct timeval	 tv = { 0, c->timeout_ms * 1000 };
	redisContext	*s;
	redisReply	*r;
	char		*ch;
	size_t		 len;

	if (c->sub_retry_at_ms != 0 && now_ms() < c->sub_retry_at_ms)
		return (NULL);
	c->sub_retry_at_ms = now_ms() + BACKOFF_MIN_MS;
	if ((ch = full_key(c, channel, &len)) == NULL)
		return (NULL);
	s = redisConnectWithTimeout(c->hostname, c->port, tv);
	r = NULL;
	if (s != NULL && s->err == 0 && redisSetTimeout(s, tv) == REDIS_OK)
		r = redisCommand(s, "SUBSCRIBE %b", ch, len);
	free(ch);
	if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
		if (r != NULL)
			freeReplyObject(r);
		if (s != NULL)
			redisFree(s);
		return (NULL);
	}
	freeReplyObject(r);
	c->sub_retry_at_ms = 0;
	return (s);
}

/* Take every message already on the socket; -1 if the connection broke. */
static int
drain(redisContext *s, int *seen)
{
	struct pollfd	 pfd = { s->fd, POLLIN, 0 };
	void		*reply;

	for (;;) {
		if (redisGetReplyFromReader(s, &reply) != REDIS_OK)
			return (-1);
		if (reply != NULL) {
			*seen = 1;
			freeReplyObject(reply);
			continue;
		}
		if (poll(&pfd, 1, 0) <= 0)
			return (0);
		if (redisBufferRead(s) != REDIS_OK)
			return (-1);
	}
}

static int
redis_changes_seen(struct pgl_cache *c, const char *channel, int *seen)
{
	*seen = 0;
	if (c->sub == NULL) {
		/* New or lost: whatever was said meanwhile is unknown. */
		*seen = 1;
		c->sub = subscribe(c, channel);
		return (PGL_OK);
	}
	if (drain(c->sub, seen) == -1) {
		redisFree(c->sub);
		c->sub = NULL;
		*seen = 1;
	}
	return (PGL_OK);
}

static const struct pgl_cache_ops ops = {
	.abi_major = PGL_CACHE_ABI_MAJOR,
	.abi_minor = PGL_CACHE_ABI_MINOR,
	.name = PLUGIN_NAME,
	.open = redis_open,
	.close = redis_close,
	.get = redis_get,
	.put = redis_put,
	.del = redis_del,
	.del_prefix = redis_del_prefix,
	.clear = redis_clear,
	.stats = redis_stats,
	.announce = redis_announce,
	.changes_seen = redis_changes_seen,
};

PGL_EXPORT const struct pgl_cache_ops *
pangolin_cache_plugin(void)
{
	return (&ops);
}
