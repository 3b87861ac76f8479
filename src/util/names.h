#ifndef PGL_NAMES_H
#define PGL_NAMES_H

#include <stddef.h>

#define PGL_NAME_MAX	255

/*
 * Validate a resource name (tenant, warehouse, catalog, namespace level,
 * branch, tag, table).  Returns NULL if acceptable, else the reason.
 * Any character a client can percent-encode in a REST path is accepted
 * ('%', '#', '?', '+', spaces, quotes, non-ASCII), except: empty, longer
 * than PGL_NAME_MAX bytes, invalid UTF-8, control bytes (0x1F separates
 * namespace levels), '/' and '\\' (path separators of locations and of
 * some object stores' keys), '@' (the branch suffix of table@branch),
 * and the names "." and ".." (they would be path segments).
 */
const char	*pgl_name_check(const char *);

/* 1 if the len bytes at s are valid UTF-8 without NUL. */
int		 pgl_utf8_valid(const char *s, size_t len);

#endif
