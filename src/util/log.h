#ifndef PGL_LOG_H
#define PGL_LOG_H

#include <stdarg.h>

#include "pangolin/plugin.h"

/* One line to stderr: "<time> <level> [<process>] message". */
void	pgl_log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	pgl_vlog(int level, const char *fmt, va_list);
/*
 * One access line (msg without newline), buffered: written within about
 * a second, when the buffer fills, before any other line, and by
 * pgl_log_flush.  The worker calls pgl_log_tick from a timer and
 * pgl_log_flush when it exits.
 */
void	pgl_log_access(const char *msg, size_t len);
void	pgl_log_tick(void);
void	pgl_log_flush(void);
/* Name shown in log lines: "parent", "worker 1", ... */
void	pgl_log_set_process(const char *);

#endif
