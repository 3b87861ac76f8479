#ifndef PGL_STR_H
#define PGL_STR_H

#include <stddef.h>

/* strlcpy (glibc 2.36 has none): truncates, always terminates. */
size_t	pgl_strlcpy(char *dst, const char *src, size_t size);

#endif
