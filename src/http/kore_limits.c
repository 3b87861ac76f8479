/*
 * The limits Kore enforces itself (src/kore/0001-pangolin.patch, item
 * 25): the patched Kore calls this as each is hit, so the hit is counted
 * in /metrics and the limit named in the log once per worker, as every
 * other limit is (metrics/limits.h).  The values named are Kore's own,
 * which main.c set from the config before fork.
 */
#include <stdint.h>

#include <kore.h>
#include <http.h>

#include "metrics/limits.h"

void	pgl_conn_limit(struct connection *, int);

void
pgl_conn_limit(struct connection *c, int limit)
{
	(void)c;
	switch (limit) {
	case HTTP_LIMIT_HEADER_TIMEOUT:
		pgl_limit_hit(PGL_LIMIT_HEADER_TIMEOUT, http_header_timeout);
		break;
	case HTTP_LIMIT_BODY_TIMEOUT:
		pgl_limit_hit(PGL_LIMIT_BODY_TIMEOUT, http_body_timeout);
		break;
	case HTTP_LIMIT_KEEPALIVE:
		pgl_limit_hit(PGL_LIMIT_KEEPALIVE, http_keepalive_time);
		break;
	case HTTP_LIMIT_CONNECTIONS:
		pgl_limit_hit(PGL_LIMIT_CONNECTIONS, worker_max_connections);
		break;
	case HTTP_LIMIT_SEND_TIMEOUT:
		pgl_limit_hit(PGL_LIMIT_SEND_TIMEOUT, http_send_timeout);
		break;
	case HTTP_LIMIT_SEND_QUEUE:
		pgl_limit_hit(PGL_LIMIT_SEND_QUEUE, http_max_queued);
		break;
	case HTTP_LIMIT_BODY_SIZE:
		/* main.c: one byte over, for the dispatcher's own 413. */
		pgl_limit_hit(PGL_LIMIT_BODY, http_body_max - 1);
		break;
	case HTTP_LIMIT_HEAD_SIZE:
		pgl_limit_hit(PGL_LIMIT_HEAD_SIZE, http_header_max);
		break;
	}
}
