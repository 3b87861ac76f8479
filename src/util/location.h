#ifndef PGL_LOCATION_H
#define PGL_LOCATION_H

#include <stddef.h>

/*
 * Check a storage location ("/abs/path", "file:///abs/path", "s3://b/p",
 * "gs://", "abfss://"): no "." or ".." segments, no control bytes, no
 * empty path.  Returns NULL if acceptable, else the reason.
 */
const char	*pgl_location_check(const char *);

/* 1 if loc is a local location (absolute path or file://). */
int		 pgl_location_is_local(const char *);

/* The filesystem path of a local location (skips "file://"). */
const char	*pgl_location_path(const char *);

/*
 * The scheme of loc without "://" ("s3", "file"; "" for a bare path) into
 * buf, truncated to n - 1 bytes.
 */
void		 pgl_location_scheme(const char *loc, char *buf, size_t n);

/* 1 if child is parent itself or lies below it (segment-wise). */
int		 pgl_location_within(const char *child, const char *parent);

#endif
