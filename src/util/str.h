#ifndef PGL_STR_H
#define PGL_STR_H

#include <stddef.h>

/* strlcpy (glibc 2.36 has none): truncates, always terminates. */
size_t	pgl_strlcpy(char *dst, const char *src, size_t size);

/* The value of a base64 digit (RFC 4648 §4 alphabet), or -1. */
int	pgl_base64_value(char);

#endif
