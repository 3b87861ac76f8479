/*
 * Kore's own hello world: the baseline every Pangolin bench figure is
 * divided by.  Built by tests/bench/hello/build.sh from the same patched
 * Kore objects as ./pangolin (build/release/kore/obj/*.o), as a single
 * binary with its kore.conf embedded, so the only difference between the
 * two servers is what happens inside the handler.
 *
 * GET /static?n=N serves N bytes of JSON-looking text from memory (N up
 * to STATIC_MAX): the physical limit for a reply of that size, which the
 * bench divides each Pangolin row by (its "vs same-size static" column).
 *
 * Usage: hello PIDFILE   (runs in the foreground, logs to stdout)
 */
#include <stdlib.h>
#include <string.h>

#include <kore.h>
#include <http.h>

#define STATIC_MAX	(4 * 1024 * 1024)

int	page(struct http_request *);
int	static_body(struct http_request *);
void	kore_parent_configure(int, char **);

extern int	skip_runas, skip_chroot;

void
kore_parent_configure(int argc, char **argv)
{
	kore_foreground = 1;
	skip_runas = 1;
	skip_chroot = 1;
	if (argc > 1)
		kore_pidfile = argv[1];
}

int
page(struct http_request *req)
{
	http_response(req, 200, "hello", 5);
	return (KORE_RESULT_OK);
}

/* The body served by /static: made once, on first use, in each worker. */
static const char *
static_bytes(void)
{
	static char	*buf;
	size_t		 i;

	if (buf == NULL && (buf = malloc(STATIC_MAX)) != NULL) {
		for (i = 0; i < STATIC_MAX; i++)
			buf[i] = "{\"snapshot-id\":1234567890,\"x\":\"y\"},"
			    [i % 38];
	}
	return (buf);
}

int
static_body(struct http_request *req)
{
	const char	*q = req->query_string, *body = static_bytes();
	long		 n;

	if (q == NULL || strncmp(q, "n=", 2) != 0 || body == NULL ||
	    (n = strtol(q + 2, NULL, 10)) < 0 || n > STATIC_MAX) {
		http_response(req, 400, NULL, 0);
		return (KORE_RESULT_OK);
	}
	http_response_header(req, "content-type", "application/json");
	http_response(req, 200, body, (size_t)n);
	return (KORE_RESULT_OK);
}
