#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "util/log.h"

static char	process[32] = "main";

void
pgl_log_set_process(const char *name)
{
	(void)snprintf(process, sizeof(process), "%s", name);
}

static const char *
level_name(int level)
{
	switch (level) {
	case PGL_LOG_ERR:	return ("error");
	case PGL_LOG_WARN:	return ("warn");
	case PGL_LOG_DEBUG:	return ("debug");
	default:		return ("info");
	}
}

void
pgl_vlog(int level, const char *fmt, va_list ap)
{
	struct timeval	tv;
	struct tm	tm;
	char		ts[32], msg[1024];

	(void)gettimeofday(&tv, NULL);
	(void)gmtime_r(&tv.tv_sec, &tm);
	(void)strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	/* One fprintf per line keeps lines whole across worker processes. */
	(void)fprintf(stderr, "%s.%03ldZ %-5s [%s] %s\n", ts,
	    (long)(tv.tv_usec / 1000), level_name(level), process, msg);
}

void
pgl_log(int level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	pgl_vlog(level, fmt, ap);
	va_end(ap);
}
