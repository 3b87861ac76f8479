#ifndef PGL_LOG_H
#define PGL_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "pangolin/plugin.h"

/*
 * One line to stderr: "<time> <level> [<process>] message", or with
 * LOG_FORMAT=json one object {"ts","level","process","msg"} per line.
 */
void	pgl_log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	pgl_vlog(int level, const char *fmt, va_list);
/*
 * One access line (msg without newline; with LOG_FORMAT=json the
 * object's members that follow "process": "msg":"access","method":…),
 * buffered: written within about a second, when the buffer fills, before
 * any other line, and by pgl_log_flush.  The worker calls pgl_log_tick from a timer and
 * pgl_log_flush when it exits.
 */
void	pgl_log_access(const char *msg, size_t len);
void	pgl_log_tick(void);
void	pgl_log_flush(void);
/* LOG_FORMAT: unset, "text" or "json"; -1 for any other value. */
int	pgl_log_format_from_env(void);
int	pgl_log_json(void);
/* Append s as a quoted, escaped JSON string to buf at *at (size: cap). */
void	pgl_log_json_str(char *buf, size_t size, size_t *at, const char *s);
/* Name shown in log lines: "parent", "worker 1", ... */
void	pgl_log_set_process(const char *);

#endif
