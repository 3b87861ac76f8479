#ifndef PGL_LOCATION_H
#define PGL_LOCATION_H

#include <stddef.h>

/* The longest location pgl_location_check accepts. */
#define PGL_LOCATION_MAX	4096

/*
 * Check a storage location ("/abs/path", "file:///abs/path", "s3://b/p",
 * "gs://", "abfss://"): no "." or ".." segments, no control bytes, no
 * empty path.  Returns NULL if acceptable, else the reason.
 */
const char	*pgl_location_check(const char *);

/* 1 if loc is a local location ("/a", "file:///a" or "file:/a"). */
int		 pgl_location_is_local(const char *);

/*
 * The filesystem path of a local location ("/a" for "/a", "file:///a" and
 * "file:/a"; "host/a", never inside anything, for "file://host/a"); any
 * other location as is.  The path is not percent-decoded.
 */
const char	*pgl_location_path(const char *);

/*
 * loc as the server writes and answers it: "file:///a" for a local
 * location, any other as is.  malloc'd; NULL when out of memory.
 */
char		*pgl_location_to_uri(const char *);

/*
 * One spelling of an Azure location: abfs://, wasbs:// and wasb:// (with
 * the Blob host ...@<account>.blob.<suffix>) as abfss://...@<account>.dfs.
 * <suffix>, the host in lower case, into buf; returns buf, or loc itself
 * when it is no Azure location (or does not fit).
 */
const char	*pgl_location_canon(const char *loc, char *buf, size_t n);

/* 1 if a and b name the same place ("/a" and "file:///a" do, and the
 * spellings of one Azure blob). */
int		 pgl_location_same(const char *a, const char *b);

/*
 * name as one path segment of a location URI: bytes outside RFC 3986's
 * pchar, '%' included, as %XX, so that the location is a valid URI whose
 * raw path (what Iceberg clients write to) is the directory's name.
 * Writes at most n bytes with the NUL; returns the length it needs
 * (3 * strlen(name) at most).
 */
size_t		 pgl_location_escape(const char *name, char *buf, size_t n);

/*
 * The scheme of loc without "://" ("s3", "file"; "" for a bare path) into
 * buf, truncated to n - 1 bytes.
 */
void		 pgl_location_scheme(const char *loc, char *buf, size_t n);

/*
 * 1 if child is parent itself or lies below it (segment-wise); local
 * locations compare by path, whichever way they are spelled.
 */
int		 pgl_location_within(const char *child, const char *parent);

/*
 * The key of a place (issue 67, every table owns its files): one
 * spelling per place, so that two locations overlap exactly when one's
 * key is a prefix of the other's.  Local locations as "file://" and the
 * path, Azure's spellings as abfss:// (pgl_location_canon), s3a:// as
 * s3://, and exactly one '/' at the end ("s3://b/t1/" is no prefix of
 * "s3://b/t10/").  Nothing is percent-decoded: a location's bytes are
 * the object keys and file names the server and clients use.  Written
 * to out with its NUL; its length, or -1 when it does not fit in n.
 */
#define PGL_LOCATION_KEY_MAX	(PGL_LOCATION_MAX + 32)
int		 pgl_location_key(const char *loc, char *out, size_t n);

#endif
