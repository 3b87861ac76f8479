#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

static char	process[32] = "main";
static int	json;		/* LOG_FORMAT=json: one object per line */

int
pgl_log_format_from_env(void)
{
	const char	*v = getenv("LOG_FORMAT");

	if (v == NULL || *v == '\0' || strcmp(v, "text") == 0)
		json = 0;
	else if (strcmp(v, "json") == 0)
		json = 1;
	else
		return (-1);
	return (0);
}

int
pgl_log_json(void)
{
	return (json);
}

/*
 * s as a JSON string (quotes included) at buf[*at], within size: ", \
 * and control characters escaped; other bytes as they are.  Truncates
 * rather than overflow, always leaving the closing quote.
 */
void
pgl_log_json_str(char *buf, size_t size, size_t *at, const char *s)
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		c;

	if (*at + 2 > size)
		return;
	buf[(*at)++] = '"';
	for (; (c = (unsigned char)*s) != '\0'; s++) {
		if (*at + 7 > size)
			break;
		if (c == '"' || c == '\\') {
			buf[(*at)++] = '\\';
			buf[(*at)++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			memcpy(buf + *at, "\\u00", 4);
			buf[*at + 4] = hex[c >> 4];
			buf[*at + 5] = hex[c & 0xf];
			*at += 6;
		} else {
			buf[(*at)++] = (char)c;
		}
	}
	buf[(*at)++] = '"';
}

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

/*
 * Access lines are buffered per process and written in batches: one
 * write() per request showed in profiles.  Lines reach stderr when the
 * buffer is full, when a second has passed (pgl_log_access and the
 * worker's timer), before any other log line (so the order holds) and
 * on shutdown (pgl_log_flush from the worker's teardown).
 */
#define ACCESS_BUF	(32 * 1024)

static char	access_buf[ACCESS_BUF];
static size_t	access_len;
static time_t	access_flushed;		/* second of the last flush */

/* Write all of [p, p + len), retrying on EINTR and short writes. */
static void
write_all(const char *p, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		if ((n = write(STDERR_FILENO, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return;		/* stderr gone: nowhere to say so */
		}
		p += n;
		len -= (size_t)n;
	}
}

void
pgl_log_flush(void)
{
	size_t	at = 0, n;

	/*
	 * Workers share stderr: a pipe keeps a write whole only up to
	 * PIPE_BUF bytes, so write whole lines in chunks of at most that.
	 */
	while (at < access_len) {
		n = access_len - at;
		if (n > PIPE_BUF) {
			n = PIPE_BUF;
			while (n > 0 && access_buf[at + n - 1] != '\n')
				n--;
			if (n == 0)
				n = PIPE_BUF;
		}
		write_all(access_buf + at, n);
		at += n;
	}
	access_len = 0;
	access_flushed = time(NULL);
}

/* The JSON access prefix around the time: {"ts":"<time>.<ms>Z", ... */
#define JSON_HEAD	"{\"ts\":\""
#define JSON_MID	"Z\",\"level\":\"info\",\"process\":"

/*
 * "<time>.<ms>Z info  [<process>] " for an access line at tv (JSON:
 * {"ts":…,"level":"info","process":…, up to and with the comma before
 * the message's members); its length.  Built by hand around a
 * once-a-second strftime: the printf family showed in profiles at one
 * line per request.
 */
static size_t
access_prefix(const struct timeval *tv, char *buf, size_t size)
{
	static time_t	cached_sec = -1;
	static char	cached[32];
	static size_t	cached_len;
	struct tm	tm;
	size_t		plen = strlen(process), at;
	long		ms = (long)(tv->tv_usec / 1000);

	if (tv->tv_sec != cached_sec) {
		(void)gmtime_r(&tv->tv_sec, &tm);
		cached_len = strftime(cached, sizeof(cached),
		    "%Y-%m-%dT%H:%M:%S", &tm);
		cached_sec = tv->tv_sec;
	}
	/* JSON adds about 40 bytes around; the name, escaped, never more
	 * than doubles (process[] holds 31 bytes; the caller's 160 fit). */
	if (cached_len + 2 * plen + 64 > size)
		return (0);
	at = 0;
	if (json) {
		memcpy(buf, JSON_HEAD, sizeof(JSON_HEAD) - 1);
		at = sizeof(JSON_HEAD) - 1;
	}
	memcpy(buf + at, cached, cached_len);
	at += cached_len;
	buf[at++] = '.';
	buf[at++] = (char)('0' + ms / 100);
	buf[at++] = (char)('0' + ms / 10 % 10);
	buf[at++] = (char)('0' + ms % 10);
	if (json) {
		memcpy(buf + at, JSON_MID, sizeof(JSON_MID) - 1);
		at += sizeof(JSON_MID) - 1;
		pgl_log_json_str(buf, size, &at, process);
		buf[at++] = ',';
		return (at);
	}
	memcpy(buf + at, "Z info  [", 9);
	at += 9;
	memcpy(buf + at, process, plen);
	at += plen;
	buf[at++] = ']';
	buf[at++] = ' ';
	return (at);
}

void
pgl_log_access(const char *msg, size_t len)
{
	struct timeval	tv;
	char		prefix[160];
	size_t		plen;

	(void)gettimeofday(&tv, NULL);
	plen = access_prefix(&tv, prefix, sizeof(prefix));
	if (plen + len + 2 > ACCESS_BUF - access_len)
		pgl_log_flush();
	if (plen + len + 2 > ACCESS_BUF) {
		len = ACCESS_BUF - plen - 2;	/* never: lines are short */
	}
	memcpy(access_buf + access_len, prefix, plen);
	memcpy(access_buf + access_len + plen, msg, len);
	access_len += plen + len;
	if (json)
		access_buf[access_len++] = '}';
	access_buf[access_len++] = '\n';
	if (tv.tv_sec != access_flushed)
		pgl_log_flush();
}

void
pgl_log_tick(void)
{
	if (access_len > 0 && time(NULL) != access_flushed)
		pgl_log_flush();
}

/* {"ts":…,"level":…,"process":…,"msg":…} and a newline, in one write. */
static void
json_line(const char *ts, long ms, int level, const char *msg)
{
	char	line[8192];	/* msg[1024] escaped at worst 6 bytes a byte */
	size_t	at;
	int	n;

	n = snprintf(line, sizeof(line), "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\","
	    "\"process\":", ts, ms, level_name(level));
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	at = (size_t)n;
	pgl_log_json_str(line, sizeof(line) - 3, &at, process);
	memcpy(line + at, ",\"msg\":", 7);
	at += 7;
	pgl_log_json_str(line, sizeof(line) - 3, &at, msg);
	line[at++] = '}';
	line[at++] = '\n';
	write_all(line, at);
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
	if (access_len > 0)
		pgl_log_flush();
	/* One fprintf per line keeps lines whole across worker processes. */
	if (json) {
		json_line(ts, (long)(tv.tv_usec / 1000), level, msg);
		return;
	}
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
