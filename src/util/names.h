#ifndef PGL_NAMES_H
#define PGL_NAMES_H

#include <stddef.h>

#define PGL_NAME_MAX	255

/*
 * Validate a resource name (tenant, warehouse, catalog, namespace level,
 * branch, tag, table).  Returns NULL if acceptable, else the reason.
 * Rejected: empty, longer than PGL_NAME_MAX bytes, invalid UTF-8, control
 * bytes (they separate namespace levels in the store), '/' and '\\'
 * (path segments and file locations), '@' (the branch suffix), '%' (URL
 * escapes), and the names "." and "..".
 */
const char	*pgl_name_check(const char *);

/* 1 if the len bytes at s are valid UTF-8 without NUL. */
int		 pgl_utf8_valid(const char *s, size_t len);

#endif
