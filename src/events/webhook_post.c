/*
 * One webhook delivery over libcurl: see webhook_post.h.  The body goes
 * out as CloudEvents structured mode (content-type application/
 * cloudevents+json, the CloudEvents HTTP binding's own type for a whole
 * event in the body), signed with Standard Webhooks headers.  A client
 * is one curl handle: curl keeps the connection to a receiver open
 * between calls, and each connection is checked when it is opened.
 */
#include <sys/socket.h>

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "events/webhook_post.h"
#include "events/webhook_sign.h"
#include "storage/endpoint.h"

#define USER_AGENT	"pangolin-webhooks/" PGL_VERSION
#define CONTENT_TYPE	"application/cloudevents+json"
#define ANSWER_MAX	4096	/* bytes of a receiver's answer read */
#define URL_MAX		2048

struct pgl_webhook_client {
	CURL	*h;
};

/* What the callbacks of one attempt see. */
struct attempt {
	int		 listed;
	const char	*refused;	/* the address class, if so */
	size_t		 read;
	int		 over;
};

static pthread_once_t	once = PTHREAD_ONCE_INIT;
static int		ready;

static void
init(void)
{
	ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

struct pgl_webhook_client *
pgl_webhook_client_new(void)
{
	struct pgl_webhook_client	*c;

	(void)pthread_once(&once, init);
	if (!ready || (c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	if ((c->h = curl_easy_init()) == NULL) {
		free(c);
		return (NULL);
	}
	return (c);
}

void
pgl_webhook_client_free(struct pgl_webhook_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->h);
	free(c);
}

static const char *refuse(char *, size_t, const char *, ...)
    __attribute__((__format__(__printf__, 3, 4)));
static int	fail(struct pgl_webhook_result *, const char *, ...)
    __attribute__((__format__(__printf__, 2, 3)));

static const char *
refuse(char *why, size_t whylen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return (why);
}

/*
 * url's origin ("scheme://authority") into origin, and 0; -1 when url is
 * not http(s)://authority[/path] with a printable path and neither
 * credentials, a query nor a fragment.
 */
static int
split_origin(const char *url, char *origin, size_t size)
{
	const char	*auth, *end, *p;

	if (strncmp(url, "https://", 8) == 0)
		auth = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		auth = url + 7;
	else
		return (-1);
	end = auth + strcspn(auth, "/");
	if (end == auth || (size_t)(end - url) >= size)
		return (-1);
	for (p = url; *p != '\0'; p++) {
		/* No query, fragment or userinfo: nothing a secret could
		 * hide in, and no second reading of the host. */
		if (!isgraph((unsigned char)*p) || *p == '?' || *p == '#' ||
		    (*p == '@' && p < end) || *p == '\\')
			return (-1);
	}
	(void)snprintf(origin, size, "%.*s", (int)(end - url), url);
	return (0);
}

const char *
pgl_webhook_url_refused(const char *url, char *const *allowed,
    size_t nallowed, char *why, size_t whylen)
{
	struct pgl_origin	 o;
	char			 origin[URL_MAX];
	const char		*auth, *cls;
	size_t			 alen;

	if (url == NULL || *url == '\0')
		return (refuse(why, whylen, "missing"));
	if (strlen(url) >= URL_MAX)
		return (refuse(why, whylen, "longer than %d bytes",
		    URL_MAX - 1));
	if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) !=
	    0)
		return (refuse(why, whylen, "not an http(s) URL"));
	auth = strstr(url, "://") + 3;
	alen = strcspn(auth, "/");
	if (strpbrk(url, "?#") != NULL)
		return (refuse(why, whylen, "a query or fragment is not "
		    "allowed"));
	if (memchr(auth, '@', alen) != NULL)
		return (refuse(why, whylen, "credentials in the URL are not "
		    "allowed"));
	if (split_origin(url, origin, sizeof(origin)) == -1)
		return (refuse(why, whylen, "characters not allowed in a "
		    "URL"));
	if (pgl_origin_parse(origin, &o) == -1)
		return (refuse(why, whylen, "not "
		    "http(s)://host[:port][/path]"));
	if (pgl_origin_listed(origin, allowed, nallowed))
		return (NULL);
	if (strcmp(o.scheme, "https") != 0)
		return (refuse(why, whylen, "plain http is allowed only for an "
		    "origin in PANGOLIN_ALLOWED_ENDPOINTS; use https"));
	if ((cls = pgl_host_class(o.host)) != NULL)
		return (refuse(why, whylen, "the host is a %s address, "
		    "refused unless its origin is in "
		    "PANGOLIN_ALLOWED_ENDPOINTS", cls));
	return (NULL);
}

/* Every address curl is about to connect to, checked again. */
static curl_socket_t
open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct attempt	*at = arg;
	const char	*cls;

	(void)purpose;
	if (!at->listed && (cls = pgl_addr_class(&sa->addr)) != NULL) {
		at->refused = cls;
		return (CURL_SOCKET_BAD);
	}
	return (socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol));
}

/* The answer is read up to ANSWER_MAX bytes and thrown away: only its
 * status counts, and a receiver cannot make us hold more. */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct attempt	*at = arg;
	size_t		 len = size * n;

	(void)p;
	if (at->read + len > ANSWER_MAX) {
		at->over = 1;
		return (0);
	}
	at->read += len;
	return (len);
}

static int64_t
mono_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static int
fail(struct pgl_webhook_result *res, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	(void)vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	return (-1);
}

static struct curl_slist *
headers(const struct pgl_webhook_post *p, struct pgl_webhook_result *res)
{
	struct curl_slist	*h = NULL, *n;
	const char		*why = NULL;
	char			*sig = NULL, line[512];
	int64_t			 ts = (int64_t)time(NULL);
	size_t			 i;
	const char		*fixed[] = { "content-type: " CONTENT_TYPE,
				    "expect:", "accept:" };

	if (pgl_webhook_sign(p->secrets, p->nsecrets, p->msg_id, ts, p->body,
	    p->len, &sig, &why) == -1) {
		(void)fail(res, "cannot sign: %s", why);
		return (NULL);
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if ((n = curl_slist_append(h, fixed[i])) == NULL)
			goto oom;
		h = n;
	}
	(void)snprintf(line, sizeof(line), "webhook-id: %s", p->msg_id);
	if ((n = curl_slist_append(h, line)) == NULL)
		goto oom;
	h = n;
	(void)snprintf(line, sizeof(line), "webhook-timestamp: %lld",
	    (long long)ts);
	if ((n = curl_slist_append(h, line)) == NULL)
		goto oom;
	h = n;
	/* Two signatures of 44 base64 bytes and their marks fit. */
	(void)snprintf(line, sizeof(line), "webhook-signature: %s", sig);
	if ((n = curl_slist_append(h, line)) == NULL)
		goto oom;
	free(sig);
	return (n);
oom:
	free(sig);
	curl_slist_free_all(h);
	(void)fail(res, "%s", "out of memory");
	return (NULL);
}

static void
setup(CURL *h, const struct pgl_webhook_post *p, struct attempt *at,
    struct curl_slist *hdrs)
{
	long	ms = p->timeout_ms > 0 ? (long)p->timeout_ms : 10000L;

	(void)curl_easy_setopt(h, CURLOPT_URL, p->url);
	(void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	(void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	(void)curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	(void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	/* No proxy from the environment: it would resolve the name past
	 * the address check. */
	(void)curl_easy_setopt(h, CURLOPT_PROXY, "");
	(void)curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_checked);
	(void)curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, at);
	(void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(h, CURLOPT_WRITEDATA, at);
	(void)curl_easy_setopt(h, CURLOPT_POST, 1L);
	(void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, p->body);
	(void)curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)p->len);
}

/* The outcome of a transfer that ended with rc. */
static int
outcome(CURL *h, CURLcode rc, const struct attempt *at,
    const struct pgl_webhook_post *p, struct pgl_webhook_result *res)
{
	if (at->refused != NULL)
		return (fail(res, "refused: its address is %s and its origin "
		    "is not in [storage] allowed_endpoints", at->refused));
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return (fail(res, "no answer within %lld ms",
		    (long long)p->timeout_ms));
	/* A 2xx answer longer than we read still counts: its status came
	 * first. */
	if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && at->over))
		return (fail(res, "%s", curl_easy_strerror(rc)));
	(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->status);
	if (res->status >= 200 && res->status < 300)
		return (0);
	if (res->status >= 300 && res->status < 400)
		return (fail(res, "answered %ld: redirects are not followed",
		    res->status));
	return (fail(res, "answered %ld", res->status));
}

int
pgl_webhook_post(struct pgl_webhook_client *client,
    const struct pgl_webhook_post *p, struct pgl_webhook_result *res)
{
	struct pgl_webhook_client	*own = NULL;
	struct curl_slist		*hdrs;
	struct attempt			 at;
	char				 origin[URL_MAX], why[256];
	int64_t				 t0 = mono_ms();
	CURLcode			 rc;
	int				 ret;

	memset(res, 0, sizeof(*res));
	memset(&at, 0, sizeof(at));
	/* The URL was checked when it was subscribed; again here, since
	 * the allow-list may have changed since. */
	if (pgl_webhook_url_refused(p->url, p->allowed, p->nallowed, why,
	    sizeof(why)) != NULL)
		return (fail(res, "%s", why));
	(void)split_origin(p->url, origin, sizeof(origin));
	at.listed = pgl_origin_listed(origin, p->allowed, p->nallowed);
	if (client == NULL && (client = own = pgl_webhook_client_new()) ==
	    NULL)
		return (fail(res, "%s", "out of memory"));
	if ((hdrs = headers(p, res)) == NULL) {
		pgl_webhook_client_free(own);
		return (-1);
	}
	/* reset keeps the handle's open connections for the next call. */
	curl_easy_reset(client->h);
	setup(client->h, p, &at, hdrs);
	rc = curl_easy_perform(client->h);
	ret = outcome(client->h, rc, &at, p, res);
	res->ms = mono_ms() - t0;
	curl_slist_free_all(hdrs);
	pgl_webhook_client_free(own);
	return (ret);
}
