#ifndef PGL_LOG_H
#define PGL_LOG_H

#include <stdarg.h>

#include "pangolin/plugin.h"

/* One line to stderr: "<time> <level> [<process>] message". */
void	pgl_log(int level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	pgl_vlog(int level, const char *fmt, va_list);
/* Name shown in log lines: "parent", "worker 1", ... */
void	pgl_log_set_process(const char *);

#endif
