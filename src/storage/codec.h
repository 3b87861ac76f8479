#ifndef PGL_CODEC_H
#define PGL_CODEC_H

#include <stddef.h>

/* 1 if the bytes start with the gzip magic number. */
int	pgl_is_gzip(const void *, size_t);
/* gzip-compress / decompress into a malloc'd buffer; -1 on failure or
 * when the output would exceed max. */
int	pgl_gzip(const void *, size_t, char **out, size_t *outlen);
int	pgl_gunzip(const void *, size_t, size_t max, char **out,
	    size_t *outlen);

#endif
