/*
 * gzip for metadata files: Java writes view metadata (and tables with
 * write.metadata.compression-codec=gzip) as .gz.metadata.json, so we read
 * and write both (iceberg-commit.md §5.2).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "storage/codec.h"

int
pgl_is_gzip(const void *p, size_t len)
{
	const unsigned char	*b = p;

	return (len >= 2 && b[0] == 0x1f && b[1] == 0x8b);
}

int
pgl_gzip(const void *in, size_t len, char **out, size_t *outlen)
{
	z_stream	z;
	size_t		cap = len + len / 100 + 64;
	char		*buf;

	if ((buf = malloc(cap)) == NULL)
		return (-1);
	memset(&z, 0, sizeof(z));
	/* 15 + 16: zlib writes a gzip header and trailer. */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		free(buf);
		return (-1);
	}
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (unsigned char *)buf;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		(void)deflateEnd(&z);
		free(buf);
		return (-1);
	}
	*outlen = z.total_out;
	*out = buf;
	(void)deflateEnd(&z);
	return (0);
}

int
pgl_gunzip(const void *in, size_t len, size_t max, char **out,
    size_t *outlen)
{
	z_stream	 z;
	size_t		 cap = len * 4 + 1024;
	char		*buf, *nbuf;
	int		 rc;

	if ((buf = malloc(cap + 1)) == NULL)
		return (-1);
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK) {
		free(buf);
		return (-1);
	}
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	for (;;) {
		z.next_out = (unsigned char *)buf + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if ((rc != Z_OK && rc != Z_BUF_ERROR) || cap >= max ||
		    (rc == Z_BUF_ERROR && z.avail_in == 0)) {
			(void)inflateEnd(&z);
			free(buf);
			return (-1);
		}
		cap = cap * 2 > max ? max : cap * 2;
		if ((nbuf = realloc(buf, cap + 1)) == NULL) {
			(void)inflateEnd(&z);
			free(buf);
			return (-1);
		}
		buf = nbuf;
	}
	buf[z.total_out] = '\0';
	*outlen = z.total_out;
	*out = buf;
	(void)inflateEnd(&z);
	return (0);
}
