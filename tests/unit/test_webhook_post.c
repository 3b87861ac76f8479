/*
 * Webhook delivery (src/events/webhook_post.c) against a loopback
 * listener of the test's own: one thread accepting connections and
 * answering each request as the test set it up to.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "events/webhook_post.h"
#include "events/webhook_sign.h"

enum mode { ANSWER_200, ANSWER_302, ANSWER_BIG, HANG };

static struct {
	int		 fd;
	unsigned	 port;
	pthread_t	 tid;
	enum mode	 mode;
	int		 accepts;	/* connections taken */
	int		 requests;	/* requests read */
	int		 quit;
	char		 head[4096];	/* the last request's head */
	char		 body[4096];	/* ... and body */
	pthread_mutex_t	 mu;
} srv = { .mu = PTHREAD_MUTEX_INITIALIZER };

static const char	*secrets[] = {
	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
};

/* Read one request (head, then content-length bytes); -1 at EOF. */
static int
read_request(int c, char *head, size_t hsize, char *body, size_t bsize)
{
	char	buf[8192], *end, *cl;
	size_t	have = 0, want;
	ssize_t	n;

	for (;;) {
		if ((n = read(c, buf + have, sizeof(buf) - 1 - have)) <= 0)
			return (-1);
		have += (size_t)n;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) != NULL)
			break;
	}
	*end = '\0';
	(void)snprintf(head, hsize, "%.*s", (int)(hsize - 1), buf);
	cl = strcasestr(buf, "content-length:");
	want = cl != NULL ? strtoul(cl + 15, NULL, 10) : 0;
	end += 4;
	while ((size_t)(buf + have - end) < want) {
		if ((n = read(c, buf + have, sizeof(buf) - 1 - have)) <= 0)
			return (-1);
		have += (size_t)n;
	}
	(void)snprintf(body, bsize, "%.*s", (int)want, end);
	return (0);
}

static void
answer(int c, enum mode m)
{
	static char	big[9000];
	char		line[512];

	switch (m) {
	case ANSWER_200:
		(void)!write(c, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n"
		    "\r\nok", 40);
		break;
	case ANSWER_302:
		(void)snprintf(line, sizeof(line), "HTTP/1.1 302 Found\r\n"
		    "location: http://127.0.0.1:%u/elsewhere\r\n"
		    "content-length: 0\r\n\r\n", srv.port);
		(void)!write(c, line, strlen(line));
		break;
	case ANSWER_BIG:
		memset(big, 'x', sizeof(big));
		(void)snprintf(line, sizeof(line), "HTTP/1.1 200 OK\r\n"
		    "content-length: %zu\r\n\r\n", sizeof(big));
		(void)!write(c, line, strlen(line));
		(void)!write(c, big, sizeof(big));
		break;
	case HANG:
		break;
	}
}

/* Serve one connection until it closes or the test ends. */
static void
serve(int c)
{
	struct pollfd	pfd = { c, POLLIN, 0 };
	char		head[4096], body[4096];
	enum mode	m;

	for (;;) {
		while (poll(&pfd, 1, 50) == 0)
			if (__atomic_load_n(&srv.quit, __ATOMIC_RELAXED))
				return;
		if (read_request(c, head, sizeof(head), body, sizeof(body)) ==
		    -1)
			return;
		(void)pthread_mutex_lock(&srv.mu);
		srv.requests++;
		memcpy(srv.head, head, sizeof(head));
		memcpy(srv.body, body, sizeof(body));
		m = srv.mode;
		(void)pthread_mutex_unlock(&srv.mu);
		if (m == HANG) {
			/* Hold it unanswered until the test is over. */
			while (!__atomic_load_n(&srv.quit, __ATOMIC_RELAXED))
				(void)poll(NULL, 0, 20);
			return;
		}
		answer(c, m);
	}
}

static void *
server(void *arg)
{
	struct pollfd	pfd = { srv.fd, POLLIN, 0 };
	int		c;

	(void)arg;
	while (!__atomic_load_n(&srv.quit, __ATOMIC_RELAXED)) {
		if (poll(&pfd, 1, 50) <= 0 || (c = accept(srv.fd, NULL,
		    NULL)) == -1)
			continue;
		(void)pthread_mutex_lock(&srv.mu);
		srv.accepts++;
		(void)pthread_mutex_unlock(&srv.mu);
		serve(c);
		(void)close(c);
	}
	return (NULL);
}

static int
setup(void **state)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof(sa);

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	srv.fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(srv.fd >= 0);
	assert_int_equal(bind(srv.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(srv.fd, 8), 0);
	assert_int_equal(getsockname(srv.fd, (struct sockaddr *)&sa, &len), 0);
	srv.port = ntohs(sa.sin_port);
	srv.accepts = srv.requests = 0;
	srv.mode = ANSWER_200;
	srv.quit = 0;
	assert_int_equal(pthread_create(&srv.tid, NULL, server, NULL), 0);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	__atomic_store_n(&srv.quit, 1, __ATOMIC_RELAXED);
	(void)pthread_join(srv.tid, NULL);
	(void)close(srv.fd);
	return (0);
}

/* A post of a fixed event to url, the test's origin allowed. */
static int
post(struct pgl_webhook_client *c, const char *url, int64_t timeout_ms,
    struct pgl_webhook_result *res)
{
	char			 origin[64];
	char			*allowed[1] = { origin };
	struct pgl_webhook_post	 p = {
		.url = url, .allowed = allowed, .nallowed = 1,
		.timeout_ms = timeout_ms,
		.msg_id = "0190f0c6-0000-7000-8000-000000000001",
		.secrets = secrets, .nsecrets = 1,
		.body = "{\"specversion\":\"1.0\"}", .len = 21,
	};

	(void)snprintf(origin, sizeof(origin), "http://127.0.0.1:%u",
	    srv.port);
	return (pgl_webhook_post(c, &p, res));
}

static void
header(const char *name, char *out, size_t size)
{
	const char	*p = strcasestr(srv.head, name);

	assert_non_null(p);
	p += strlen(name);
	while (*p == ':' || *p == ' ')
		p++;
	(void)snprintf(out, size, "%.*s", (int)strcspn(p, "\r\n"), p);
}

static void
test_listed_origin_is_posted_signed_and_the_connection_kept(void **state)
{
	struct pgl_webhook_client	*c = pgl_webhook_client_new();
	struct pgl_webhook_result	 res;
	char				 url[128], id[128], ts[64];
	char				 sig[256];
	char				 ctype[128];
	const char			*why = NULL;

	(void)state;
	assert_non_null(c);
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", srv.port);
	assert_int_equal(post(c, url, 5000, &res), 0);
	assert_int_equal(res.status, 200);
	assert_string_equal(res.error, "");
	assert_non_null(strstr(srv.head, "POST /hook HTTP/1.1"));
	header("content-type", ctype, sizeof(ctype));
	assert_string_equal(ctype, "application/cloudevents+json");
	header("webhook-id", id, sizeof(id));
	assert_string_equal(id, "0190f0c6-0000-7000-8000-000000000001");
	header("webhook-timestamp", ts, sizeof(ts));
	header("webhook-signature", sig, sizeof(sig));
	assert_string_equal(srv.body, "{\"specversion\":\"1.0\"}");
	assert_int_equal(pgl_webhook_verify(secrets[0], id, ts, sig, srv.body,
	    strlen(srv.body), (int64_t)time(NULL), 300, &why), 0);
	/* A second post reuses the connection. */
	assert_int_equal(post(c, url, 5000, &res), 0);
	assert_int_equal(srv.requests, 2);
	assert_int_equal(srv.accepts, 1);
	/* An answer past 4 KiB: its 2xx status still counts. */
	srv.mode = ANSWER_BIG;
	assert_int_equal(post(c, url, 5000, &res), 0);
	assert_int_equal(res.status, 200);
	pgl_webhook_client_free(c);
}

static void
test_unlisted_addresses_are_refused_when_subscribed(void **state)
{
	char		 why[256], url[128];
	char		*allowed[1] = { "http://127.0.0.1:9" };
	const char	*bad[] = {
		"https://127.0.0.1/hook", "https://localhost/x",
		"https://[::1]:8443/", "https://169.254.169.254/latest",
		"https://10.1.2.3/", "http://example.com/hook",
		"https://u:p@example.com/", "https://example.com/?a=1",
		"https://example.com/#f", "ftp://example.com/",
		"https://example.com/a b", "https:///x", "hook",
	};
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (pgl_webhook_url_refused(bad[i], allowed, 1, why,
		    sizeof(why)) == NULL)
			fail_msg("%s was accepted", bad[i]);
		assert_true(why[0] != '\0');
	}
	assert_non_null(pgl_webhook_url_refused("https://127.0.0.1/", NULL,
	    0, why, sizeof(why)));
	assert_non_null(strstr(why, "loopback"));
	assert_non_null(pgl_webhook_url_refused("https://u:p@example.com/",
	    NULL, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "credentials"));
	assert_non_null(pgl_webhook_url_refused("http://example.com/", NULL,
	    0, why, sizeof(why)));
	assert_non_null(strstr(why, "http"));
	assert_null(pgl_webhook_url_refused("https://hooks.example.com/a/b",
	    NULL, 0, why, sizeof(why)));
	assert_null(pgl_webhook_url_refused("http://127.0.0.1:9/in", allowed,
	    1, why, sizeof(why)));
	/* Unlisted, the post is refused before any connection. */
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/", srv.port);
	{
		struct pgl_webhook_result	res;
		struct pgl_webhook_post		p = { .url = url,
		    .timeout_ms = 1000, .msg_id = "m", .secrets = secrets,
		    .nsecrets = 1, .body = "{}", .len = 2 };

		assert_int_equal(pgl_webhook_post(NULL, &p, &res), -1);
		assert_int_equal(srv.accepts, 0);
	}
}

/*
 * A name that passes the check as written but resolves to loopback is
 * refused at connect.  This machine's own host name resolves to
 * 127.0.0.1 in /etc/hosts; where it does not, the test is skipped
 * (nothing here would exercise the check) and says so.
 */
static void
test_a_name_resolving_to_loopback_is_refused_at_connect(void **state)
{
	struct pgl_webhook_result	 res;
	struct pgl_webhook_post		 p;
	struct addrinfo			 hints, *ai = NULL;
	char				 host[256], url[400], why[256];

	(void)state;
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	if (getaddrinfo(host, NULL, &hints, &ai) != 0 || ntohl(((struct
	    sockaddr_in *)ai->ai_addr)->sin_addr.s_addr) >> 24 != 127) {
		if (ai != NULL)
			freeaddrinfo(ai);
		print_message("%s does not resolve to loopback\n", host);
		skip();
	}
	freeaddrinfo(ai);
	(void)snprintf(url, sizeof(url), "https://%s:%u/hook", host,
	    srv.port);
	assert_null(pgl_webhook_url_refused(url, NULL, 0, why, sizeof(why)));
	memset(&p, 0, sizeof(p));
	p.url = url;
	p.timeout_ms = 2000;
	p.msg_id = "m";
	p.secrets = secrets;
	p.nsecrets = 1;
	p.body = "{}";
	p.len = 2;
	assert_int_equal(pgl_webhook_post(NULL, &p, &res), -1);
	assert_int_equal(res.status, 0);
	assert_non_null(strstr(res.error, "loopback"));
	assert_int_equal(srv.accepts, 0);
}

static void
test_a_redirect_is_not_followed_and_fails(void **state)
{
	struct pgl_webhook_result	res;
	char				url[128];

	(void)state;
	srv.mode = ANSWER_302;
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", srv.port);
	assert_int_equal(post(NULL, url, 5000, &res), -1);
	assert_int_equal(res.status, 302);
	assert_non_null(strstr(res.error, "redirect"));
	assert_int_equal(srv.requests, 1);
}

static void
test_no_answer_within_the_timeout_fails(void **state)
{
	struct pgl_webhook_result	res;
	char				url[128];

	(void)state;
	srv.mode = HANG;
	(void)snprintf(url, sizeof(url), "http://127.0.0.1:%u/hook", srv.port);
	assert_int_equal(post(NULL, url, 300, &res), -1);
	assert_int_equal(res.status, 0);
	assert_non_null(strstr(res.error, "no answer within 300 ms"));
	assert_true(res.ms >= 250 && res.ms < 5000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_listed_origin_is_posted_signed_and_the_connection_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unlisted_addresses_are_refused_when_subscribed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_name_resolving_to_loopback_is_refused_at_connect,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_redirect_is_not_followed_and_fails,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_no_answer_within_the_timeout_fails,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
