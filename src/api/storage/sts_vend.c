/*
 * Vended credentials from STS (sts_vend.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/request/fetch.h"
#include "api/storage/azure_vend.h"
#include "api/storage/storage.h"
#include "api/storage/sts_vend.h"
#include "app/app.h"
#include "metrics/cache_stats.h"
#include "metrics/metrics.h"
#include "storage/objio.h"
#include "storage/sts_cache.h"
#include "util/arena.h"
#include "util/log.h"

/* What this request asked for (key) and, once held, the credentials.
 * A handler run again after the mint asks the fetch, not the cache: the
 * cache counts one miss per mint. */
struct api_vend {
	const char		*key;
	int			 held;
	struct pgl_sts_creds	 creds;
};

/* An AssumeRole made by the write pool; its strings are its own.  Or a
 * follower: a request waiting for another's AssumeRole of the same key. */
struct mint {
	struct api_fetch_call	 c;
	struct pgl_s3		 s3;
	struct pgl_sts		 sts;
	char			*policy;
	char			*session;
	int			 ran;
	/* The credentials minted, for the followers: out, still alive
	 * when the call's end frees the job (fetch.c keeps them). */
	const struct pgl_sts_creds *answer;
	struct flight		*flight;	/* its leader's, or NULL */
	struct mint		*next;		/* the flight's followers */
};

/*
 * One AssumeRole under way per key in this worker: a burst of first
 * loads of a table waits for the one call (single flight), instead of
 * making one each and running into the endpoint's in-flight cap.
 */
#define FLIGHTS		64
struct flight {
	struct mint	*leader;	/* NULL: the slot is free */
	struct mint	*followers;
	size_t		 n;
};

static struct flight	flights[FLIGHTS];
static int		stats_id = -1;

void
api_sts_vend_init(void)
{
	stats_id = pgl_cache_stats_register("sts_credentials", "l1");
}

static void
publish(void)
{
	struct pgl_cache_stats	s;

	if (stats_id == -1)
		return;
	pgl_sts_cache_stats(&s);
	pgl_cache_stats_publish(stats_id, &s);
}

void
api_sts_vend_open(void)
{
	pgl_sts_cache_init((size_t)pgl_app.cfg->storage.sts_cache_entries);
	publish();
}

const struct pgl_sts_creds *
api_sts_held(struct pgl_req *r)
{
	return (r->app != NULL && r->app->vend != NULL &&
	    r->app->vend->held ? &r->app->vend->creds : NULL);
}

static int
asked(struct pgl_req *r)
{
	const char	*h = pgl_header(r, "x-iceberg-access-delegation");

	return (h != NULL && strstr(h, "vended-credentials") != NULL);
}

/* What the credentials are for, as the cache and the fetch know them. */
static const char *
vend_key(struct pgl_req *r, const struct pgl_storage *st, const char *bucket,
    const char *prefix, int write)
{
	const struct pgl_sts	*s = &st->sts;

	return (pgl_arena_printf(r->arena, "sts\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n"
	    "%s\n%d\n%s\n%s/%s", r->tenant, st->warehouse_id != NULL ?
	    st->warehouse_id : "", s->role_arn, s->external_id != NULL ?
	    s->external_id : "", s->endpoint != NULL ? s->endpoint : "",
	    s->region != NULL ? s->region : "", st->s3.endpoint != NULL ?
	    st->s3.endpoint : "", st->s3.access_key, s->duration_secs,
	    write ? "rw" : "r", bucket, prefix));
}

/* "pangolin-<user>": who asked, in the characters STS takes, 2 to 64. */
static char *
session_name(struct pgl_req *r)
{
	char		 name[65] = "pangolin";
	const char	*u = r->who.username;
	size_t		 n = strlen(name);

	if (*u != '\0')
		name[n++] = '-';
	for (; *u != '\0' && n < sizeof(name) - 1; u++) {
		if (isalnum((unsigned char)*u) || strchr("+=,.@_-", *u))
			name[n++] = *u;
	}
	name[n] = '\0';
	return (strdup(name));
}

static char *
dup_or_null(const char *s, int *failed)
{
	char	*d;

	if (s == NULL)
		return (NULL);
	if ((d = strdup(s)) == NULL)
		*failed = 1;
	return (d);
}

static void
mint_run(struct pgl_wjob *w)
{
	struct mint		*m = (struct mint *)w;
	struct pgl_sts_creds	*c;

	m->ran = 1;
	if ((c = malloc(sizeof(*c))) == NULL) {
		w->rc = w->err.code = PGL_ENOMEM;
		(void)snprintf(w->err.msg, sizeof(w->err.msg),
		    "out of memory");
		return;
	}
	w->rc = pgl_sts_assume_role(&m->s3, &m->sts, m->session, m->policy, c,
	    &w->err);
	if (w->rc != PGL_OK) {
		free(c);
		return;
	}
	m->c.out = (char *)c;
	m->c.outlen = sizeof(*c);
	m->answer = c;
}

static struct flight *
flight_of(const char *key)
{
	size_t	i;

	for (i = 0; i < FLIGHTS; i++) {
		if (flights[i].leader != NULL &&
		    strcmp(flights[i].leader->c.key, key) == 0)
			return (&flights[i]);
	}
	return (NULL);
}

/* m leads a new flight of its key; no free slot: it flies alone. */
static void
flight_start(struct mint *m)
{
	size_t	i;

	for (i = 0; i < FLIGHTS; i++) {
		if (flights[i].leader == NULL) {
			flights[i] = (struct flight){ m, NULL, 0 };
			m->flight = &flights[i];
			return;
		}
	}
}

/* A follower leaves its flight (answered, or let go before). */
static void
flight_leave(struct mint *m)
{
	struct mint	**p;

	for (p = &m->flight->followers; *p != NULL; p = &(*p)->next) {
		if (*p == m) {
			*p = m->next;
			m->flight->n--;
			break;
		}
	}
	m->flight = NULL;
}

/*
 * The leader's call is over (made, failed, or never made): each follower
 * gets its answer, a copy of the credentials or the same error, and its
 * request goes on.  The list is taken first and the slot freed: a
 * follower's request, run again here, may start a flight of its own.
 */
static void
flight_end(struct mint *leader)
{
	struct flight	*fl = leader->flight;
	struct mint	*m, *list = fl->followers;
	int		 rc = leader->c.w.rc;

	*fl = (struct flight){ NULL, NULL, 0 };
	leader->flight = NULL;
	if (!leader->ran && rc == PGL_OK)
		rc = PGL_EUNAVAIL;
	while ((m = list) != NULL) {
		list = m->next;
		m->flight = NULL;
		m->c.w.rc = rc;
		m->c.w.err = leader->c.w.err;
		if (rc != leader->c.w.rc) {
			m->c.w.err.code = rc;
			(void)snprintf(m->c.w.err.msg, sizeof(m->c.w.err.msg),
			    "STS AssumeRole was not made; retry after 1 s");
		}
		if (rc == PGL_OK && (m->c.out = malloc(sizeof(
		    *leader->answer))) != NULL) {
			memcpy(m->c.out, leader->answer,
			    sizeof(*leader->answer));
			m->c.outlen = sizeof(*leader->answer);
		}
		api_fetch_answer(&m->c);
	}
}

/* On the worker's thread: counted here, where the metrics are. */
static void
mint_free(struct api_fetch_call *c)
{
	struct mint	*m = (struct mint *)c;

	if (m->flight != NULL && m->flight->leader == m)
		flight_end(m);
	else if (m->flight != NULL)
		flight_leave(m);
	if (m->ran) {
		pgl_metrics_inc(PGL_C_STS_CALLS);
		if (c->w.rc != PGL_OK)
			pgl_metrics_inc(PGL_C_STS_FAILED);
	}
	if (c->out != NULL)
		explicit_bzero(c->out, c->outlen);
	free(c->out);
	free(c->key);
	free((char *)m->s3.endpoint);
	free((char *)m->s3.region);
	free((char *)m->s3.bucket);
	free((char *)m->s3.access_key);
	if (m->s3.secret_key != NULL)
		explicit_bzero((char *)m->s3.secret_key,
		    strlen(m->s3.secret_key));
	free((char *)m->s3.secret_key);
	free((char *)m->s3.name);
	free((char *)m->sts.role_arn);
	free((char *)m->sts.external_id);
	free((char *)m->sts.endpoint);
	free((char *)m->sts.region);
	free(m->policy);
	free(m->session);
	free(m);
}

/* The job, its strings copied (the request's arena may go first). */
static struct mint *
mint_new(struct pgl_req *r, const struct pgl_storage *st, const char *key,
    const char *policy)
{
	struct mint	*m;
	int		 failed = 0;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return (NULL);
	m->c.w.run = mint_run;
	m->c.free = mint_free;
	m->c.key = dup_or_null(key, &failed);
	m->s3.endpoint = dup_or_null(st->s3.endpoint, &failed);
	m->s3.region = dup_or_null(st->s3.region, &failed);
	m->s3.bucket = dup_or_null(st->s3.bucket, &failed);
	m->s3.access_key = dup_or_null(st->s3.access_key, &failed);
	m->s3.secret_key = dup_or_null(st->s3.secret_key, &failed);
	m->s3.name = dup_or_null(st->s3.name, &failed);
	m->s3.path_style = st->s3.path_style;
	m->sts.role_arn = dup_or_null(st->sts.role_arn, &failed);
	m->sts.external_id = dup_or_null(st->sts.external_id, &failed);
	m->sts.endpoint = dup_or_null(st->sts.endpoint, &failed);
	m->sts.region = dup_or_null(st->sts.region, &failed);
	m->sts.duration_secs = st->sts.duration_secs;
	m->policy = dup_or_null(policy, &failed);
	m->session = session_name(r);
	if (failed || m->session == NULL) {
		mint_free(&m->c);
		return (NULL);
	}
	return (m);
}

/* A failure to mint, as the Iceberg error its cause calls for. */
static int
refuse(struct pgl_req *r, const struct pgl_err *err)
{
	char	retry[16];
	int	secs;

	switch (err->code) {
	case PGL_EUNAVAIL:
		secs = pgl_s3_retry_after(err);
		(void)snprintf(retry, sizeof(retry), "%d", secs > 0 ? secs : 1);
		pgl_set_header(r, "retry-after", retry);
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "%s", err->msg);
		break;
	case PGL_EINVAL:
		pgl_reply_ice_error(r, 400, "BadRequestException", "%s",
		    err->msg);
		break;
	case PGL_ENOMEM:
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "out of memory");
		break;
	default:
		/* STS answered and said no: the catalog's configuration,
		 * not the caller, is at fault. */
		pgl_reply_ice_error(r, 502, "ServiceFailureException", "%s",
		    err->msg);
	}
	return (-1);
}

static void
hold(struct pgl_req *r, const struct pgl_sts_creds *c)
{
	r->app->vend->creds = *c;
	r->app->vend->held = 1;
	r->app->vended = &r->app->vend->creds;
}

/*
 * m follows the flight of its key under way, or leads a new one.  -1 when
 * the flight has s3_max_queued_per_endpoint followers already.
 */
static int
join(struct mint *m)
{
	struct flight	*fl = flight_of(m->c.key);

	if (fl == NULL) {
		flight_start(m);
		return (0);
	}
	if (fl->n >= (size_t)pgl_s3_limits()->max_queued)
		return (-1);
	m->c.w.run = NULL;
	m->flight = fl;
	m->next = fl->followers;
	fl->followers = m;
	fl->n++;
	return (0);
}

/* Minted for this request by the pool (or being minted: a wait). */
static int
mint(struct pgl_req *r, const struct pgl_storage *st, const char *key,
    const char *policy)
{
	struct pgl_sts_creds	 c;
	struct pgl_err		 err;
	struct mint		*m;
	char			*data = NULL;
	size_t			 len = 0;
	int			 rc;

	if ((m = mint_new(r, st, key, policy)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (api_on_loop(r) && join(m) == -1) {
		mint_free(&m->c);
		err.code = PGL_EUNAVAIL;
		(void)snprintf(err.msg, sizeof(err.msg), "warehouse '%s': too "
		    "many requests wait for STS; retry after 1 s",
		    st->s3.name);
		return (refuse(r, &err));
	}
	if ((rc = api_fetch_call(r, &m->c, &data, &len, &err)) != PGL_OK)
		return (refuse(r, &err));
	if (len != sizeof(c)) {
		free(data);
		pgl_reply_error(r, 500, "credentials lost");
		return (-1);
	}
	memcpy(&c, data, sizeof(c));
	explicit_bzero(data, len);
	free(data);
	pgl_sts_cache_put(key, &c, pgl_sts_cache_refresh_at(&c,
	    st->sts.duration_secs), pgl_now_ms());
	publish();
	hold(r, &c);
	explicit_bzero(&c, sizeof(c));
	return (0);
}

/* The table's key prefix in its bucket: location without s3://bucket/
 * and its trailing '/'; NULL after a reply. */
static const char *
table_prefix(struct pgl_req *r, const struct pgl_storage *st,
    const char *location, char *bucket, size_t len)
{
	const char	*key;
	char		*prefix;
	size_t		 n;

	if (location == NULL || pgl_s3_split(location, bucket, len, &key) ==
	    -1 || strcmp(bucket, st->s3.bucket) != 0 ||
	    (prefix = pgl_arena_strdup(r->arena, key)) == NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "warehouse "
		    "'%s': the table's location is not in its bucket",
		    st->s3.name);
		return (NULL);
	}
	for (n = strlen(prefix); n > 0 && prefix[n - 1] == '/'; n--)
		prefix[n - 1] = '\0';
	if (n == 0) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "warehouse "
		    "'%s': a table at the bucket's root cannot be given "
		    "credentials for itself alone", st->s3.name);
		return (NULL);
	}
	return (prefix);
}

/* The session policy for prefix; NULL after a reply. */
static const char *
session_policy(struct pgl_req *r, const struct pgl_storage *st,
    const char *bucket, const char *prefix, int write)
{
	size_t	 max = (size_t)pgl_app.cfg->storage.sts_policy_max_bytes;
	size_t	 need;
	char	 partition[40], *out;

	if (pgl_sts_role_partition(st->sts.role_arn, partition,
	    sizeof(partition)) == -1) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "warehouse "
		    "'%s': its role_arn is not an IAM role's ARN", st->s3.name);
		return (NULL);
	}
	if ((out = pgl_arena_alloc(r->arena, max + 1)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (NULL);
	}
	if (pgl_sts_policy(partition, bucket, prefix, write, out, max + 1,
	    &need) == -1) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "warehouse "
		    "'%s': the session policy for this table would take %zu "
		    "bytes, over the %zu of [storage] sts_policy_max_bytes; a "
		    "shorter table location fits", st->s3.name, need, max);
		return (NULL);
	}
	return (out);
}

int
api_sts_prepare(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, int always)
{
	const struct pgl_storage	*st;
	struct pgl_sts_creds		 creds;
	struct pgl_err			 err;
	const char			*prefix, *key, *policy;
	char				 bucket[64];
	int				 write, rc;

	if ((!always && !asked(r)) || api_storage(r, c, &st, &err) != PGL_OK)
		return (0);
	if (st->is_azure) {
		/* The SAS is kept in the same cache: counted with it. */
		rc = api_azure_prepare(r, st, c, location);
		publish();
		return (rc);
	}
	if (!st->is_s3 || st->sts.role_arn == NULL)
		return (0);
	if ((prefix = table_prefix(r, st, location, bucket,
	    sizeof(bucket))) == NULL)
		return (-1);
	write = api_may_write(r, c);
	if ((key = vend_key(r, st, bucket, prefix, write)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (r->app->vend != NULL && strcmp(r->app->vend->key, key) == 0) {
		if (r->app->vend->held)
			return (0);
	} else {
		if ((r->app->vend = pgl_arena_alloc(r->arena,
		    sizeof(*r->app->vend))) == NULL) {
			pgl_reply_error(r, 503, "out of memory");
			return (-1);
		}
		memset(r->app->vend, 0, sizeof(*r->app->vend));
		r->app->vend->key = key;
		rc = pgl_sts_cache_get(key, pgl_now_ms(), &creds);
		publish();
		if (rc == 0) {
			hold(r, &creds);
			explicit_bzero(&creds, sizeof(creds));
			return (0);
		}
	}
	if ((policy = session_policy(r, st, bucket, prefix, write)) == NULL)
		return (-1);
	return (mint(r, st, key, policy));
}
