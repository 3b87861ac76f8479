/*
 * Slow readers: the patched Kore closes a connection whose output made
 * no progress for PANGOLIN_SEND_TIMEOUT_SECS (src/kore/0001-pangolin.patch,
 * item 22) and calls this first, so the close is counted in /metrics and
 * the limit is named in the log once per worker.
 */
#include <stdint.h>

#include <kore.h>
#include <http.h>

#include "metrics/metrics.h"
#include "util/log.h"

void	pgl_conn_send_timeout(struct connection *);

void
pgl_conn_send_timeout(struct connection *c)
{
	static int	logged;

	(void)c;
	pgl_metrics_inc(PGL_C_SEND_TIMEOUTS);
	if (logged)
		return;
	logged = 1;
	pgl_log(PGL_LOG_WARN, "closed a connection that read none of its "
	    "answer for %u s (send_timeout_secs); counted in /metrics as "
	    "pangolin_send_timeouts_total, logged once per worker",
	    (unsigned int)http_send_timeout);
}
