/*
 * Kore's own log lines (kore_log(), fatal()) reach Pangolin's log through
 * this weak hook of the patched Kore (src/kore/0001-pangolin.patch, item
 * 17): one format for every line on stderr, and with LOG_FORMAT=json
 * nothing on stderr that is not a JSON object.
 */
#include <syslog.h>

#include "util/log.h"

void	pgl_kore_log(int, const char *);

void
pgl_kore_log(int prio, const char *msg)
{
	int	level;

	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		level = PGL_LOG_ERR;
		break;
	case LOG_WARNING:
		level = PGL_LOG_WARN;
		break;
	case LOG_DEBUG:
		level = PGL_LOG_DEBUG;
		break;
	default:
		level = PGL_LOG_INFO;
		break;
	}
	pgl_log(level, "%s", msg);
}
