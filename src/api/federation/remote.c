/*
 * One HTTP exchange with a federated catalog's remote (fed.h), over
 * libcurl, blocking: a write-pool thread or a task runner makes it,
 * never a worker's event loop.  Bounded like every outbound call here:
 * the connect and total timeouts and the answer's size of [federation],
 * no redirects, http and https only, no proxy from the environment (it
 * would resolve the name past the check), and every address libcurl is
 * about to connect to classified again (docs/security.md, egress): an
 * origin the operator did not allow-list never reaches loopback, the
 * private networks or a metadata service, whatever its name resolves to.
 *
 * Each thread keeps one curl handle, so calls to a remote reuse their
 * connection (a TLS handshake per proxied call would cost more than the
 * call); connections are checked when they are opened.
 */
#include <sys/socket.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "api/federation/fed.h"
#include "api/federation/federation.h"
#include "app/app.h"
#include "storage/endpoint.h"

#define USER_AGENT	"pangolin-federation/" PGL_VERSION

static pthread_once_t	once = PTHREAD_ONCE_INIT;
static pthread_key_t	handle_key;
static int		ready;
static int		stopping;	/* __atomic: read by every thread */

static void
handle_free(void *h)
{
	curl_easy_cleanup(h);
}

static void
init(void)
{
	ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK &&
	    pthread_key_create(&handle_key, handle_free) == 0;
}

/* This thread's handle, reset for a new call; NULL out of memory. */
static CURL *
handle(void)
{
	CURL	*h;

	(void)pthread_once(&once, init);
	if (!ready)
		return (NULL);
	if ((h = pthread_getspecific(handle_key)) != NULL) {
		curl_easy_reset(h);
		return (h);
	}
	if ((h = curl_easy_init()) != NULL &&
	    pthread_setspecific(handle_key, h) != 0) {
		curl_easy_cleanup(h);
		h = NULL;
	}
	return (h);
}

void
api_fed_stop(void)
{
	__atomic_store_n(&stopping, 1, __ATOMIC_RELAXED);
}

struct sink {
	struct fed_answer	*a;
	size_t			 max;
	int			 over;
	int			 listed;
	const char		*refused;	/* the address class, if so */
};

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct sink	*s = arg;
	size_t		 len = size * n;
	char		*grown;

	if (s->a->len + len > s->max) {
		s->over = 1;
		return (0);
	}
	if ((grown = realloc(s->a->body, s->a->len + len + 1)) == NULL)
		return (0);
	s->a->body = grown;
	memcpy(grown + s->a->len, p, len);
	s->a->len += len;
	grown[s->a->len] = '\0';
	return (len);
}

/* value of "Name: value\r\n" into out if the line is that header. */
static void
header_value(const char *p, size_t len, const char *name, char *out,
    size_t outlen)
{
	size_t	n = strlen(name);

	if (len <= n + 1 || strncasecmp(p, name, n) != 0 || p[n] != ':')
		return;
	p += n + 1;
	len -= n + 1;
	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n' ||
	    p[len - 1] == ' '))
		len--;
	if (len < outlen)
		(void)snprintf(out, outlen, "%.*s", (int)len, p);
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct fed_answer	*a = arg;
	size_t			 len = size * n;

	/* A new status line (after a 100 Continue): its own headers. */
	if (len > 5 && strncmp(p, "HTTP/", 5) == 0) {
		a->ctype[0] = '\0';
		a->etag[0] = '\0';
	}
	header_value(p, len, "content-type", a->ctype, sizeof(a->ctype));
	header_value(p, len, "etag", a->etag, sizeof(a->etag));
	return (len);
}

static curl_socket_t
open_checked(void *arg, curlsocktype purpose, struct curl_sockaddr *sa)
{
	struct sink	*s = arg;
	const char	*why;

	(void)purpose;
	if (!s->listed && (why = pgl_addr_class(&sa->addr)) != NULL) {
		s->refused = why;
		return (CURL_SOCKET_BAD);
	}
	return (socket(sa->family, sa->socktype | SOCK_CLOEXEC, sa->protocol));
}

/* Nonzero stops the transfer: the worker is going away. */
static int
on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	(void)arg;
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return (__atomic_load_n(&stopping, __ATOMIC_RELAXED));
}

static void
setup(CURL *h, const struct fed_http *q, struct sink *s,
    struct curl_slist *hdrs)
{
	const struct pgl_config	*cfg = pgl_app.cfg;

	(void)curl_easy_setopt(h, CURLOPT_URL, q->url);
	(void)curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(h, CURLOPT_USERAGENT, USER_AGENT);
	(void)curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)cfg->federation.connect_timeout_ms);
	(void)curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
	    (long)cfg->federation.timeout_ms);
	(void)curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	(void)curl_easy_setopt(h, CURLOPT_PROXY, "");
	/* The path is sent as we built it: no dot-segment squashing. */
	(void)curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	/* Compressed answers are taken and decoded: the cap is on what
	 * they decode to. */
	(void)curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	(void)curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_checked);
	(void)curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, s);
	(void)curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
	(void)curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	(void)curl_easy_setopt(h, CURLOPT_HEADERDATA, s->a);
	(void)curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	(void)curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (strcmp(q->method, "HEAD") == 0)
		(void)curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	else if (strcmp(q->method, "GET") != 0)
		(void)curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
	if (q->body != NULL) {
		(void)curl_easy_setopt(h, CURLOPT_POSTFIELDS, q->body);
		(void)curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)q->len);
	}
}

/* Why no answer came, from curl's code and what the sink saw. */
static int
failure(struct fed_answer *a, const struct sink *s, CURLcode rc)
{
	free(a->body);
	a->body = NULL;
	a->len = 0;
	a->status = 0;
	if (s->refused != NULL) {
		a->fail = FED_FAIL_REFUSED;
		(void)snprintf(a->why, sizeof(a->why), "its address is %s and "
		    "its origin is not in [storage] allowed_endpoints",
		    s->refused);
	} else if (s->over) {
		a->fail = FED_FAIL_TOO_BIG;
		(void)snprintf(a->why, sizeof(a->why), "its answer is larger "
		    "than [federation] max_response_bytes (%zu)", s->max);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		a->fail = FED_FAIL_TIMEOUT;
		(void)snprintf(a->why, sizeof(a->why), "no answer within %d ms "
		    "([federation] timeout_ms)", pgl_app.cfg->federation.
		    timeout_ms);
	} else if (rc == CURLE_ABORTED_BY_CALLBACK) {
		a->fail = FED_FAIL_STOPPED;
		(void)snprintf(a->why, sizeof(a->why), "the server is stopping");
	} else {
		/* curl's fixed words for the code, not its error buffer:
		 * that can quote the remote (a certificate's subject), and
		 * the remote's words never reach our callers. */
		a->fail = FED_FAIL_CONNECT;
		(void)snprintf(a->why, sizeof(a->why), "%s",
		    curl_easy_strerror(rc));
	}
	return (-1);
}

/* The header lines, wiped first: one of them signs us in. */
static void
free_lines(struct curl_slist *hdrs)
{
	struct curl_slist	*n;

	for (n = hdrs; n != NULL; n = n->next)
		explicit_bzero(n->data, strlen(n->data));
	curl_slist_free_all(hdrs);
}

int
fed_http(const struct fed_http *q, struct fed_answer *a)
{
	struct sink		 s;
	struct curl_slist	*hdrs = NULL, *grown;
	CURL			*h;
	CURLcode		 rc;
	size_t			 i;

	memset(a, 0, sizeof(*a));
	memset(&s, 0, sizeof(s));
	s.a = a;
	s.max = (size_t)pgl_app.cfg->federation.max_response_bytes;
	s.listed = q->listed;
	/* Expect: 100-continue would cost a round trip on large bodies. */
	hdrs = curl_slist_append(NULL, "Expect:");
	for (i = 0; hdrs != NULL && q->headers != NULL &&
	    q->headers[i] != NULL; i++) {
		if ((grown = curl_slist_append(hdrs, q->headers[i])) == NULL) {
			free_lines(hdrs);
			hdrs = NULL;
		} else
			hdrs = grown;
	}
	if (hdrs == NULL || (h = handle()) == NULL) {
		free_lines(hdrs);
		a->fail = FED_FAIL_CONNECT;
		(void)snprintf(a->why, sizeof(a->why), "out of memory");
		return (-1);
	}
	setup(h, q, &s, hdrs);
	rc = curl_easy_perform(h);
	free_lines(hdrs);
	if (rc != CURLE_OK)
		return (failure(a, &s, rc));
	(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
	return (0);
}

void
fed_answer_free(struct fed_answer *a)
{
	free(a->body);
	a->body = NULL;
	a->len = 0;
}

char *
fed_escape(const char *s, int keep_slash)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out, *o;
	unsigned char		 c;

	if ((out = malloc(strlen(s) * 3 + 1)) == NULL)
		return (NULL);
	for (o = out; (c = (unsigned char)*s) != '\0'; s++) {
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~' || (keep_slash && c == '/')) {
			*o++ = (char)c;
			continue;
		}
		*o++ = '%';
		*o++ = hex[c >> 4];
		*o++ = hex[c & 15];
	}
	*o = '\0';
	return (out);
}
