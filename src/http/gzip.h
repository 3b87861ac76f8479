/*
 * gzip for replies (RFC 9110 §8.4.1.3, RFC 1952), built so that a large
 * part of a body that is served again and again (a table's metadata in
 * loadTable) is compressed once and kept: a "segment" is that part as a
 * raw deflate stream ended by a sync flush, with its CRC-32 and length.
 * A reply is then the gzip header, the prefix (a stored block when it is
 * at most 1 KiB, else deflated and ended by a sync flush), the segment
 * as kept, the suffix as the final block (stored or deflated likewise),
 * and a trailer whose CRC-32 crc32_combine() computes from the three
 * parts'.
 */
#ifndef PGL_GZIP_H
#define PGL_GZIP_H

#include <stddef.h>
#include <stdint.h>

/* Bodies this size or smaller are sent plain: gzip would not pay. */
#define PGL_GZIP_MIN	1024

/*
 * 1 if an Accept-Encoding value admits gzip: "gzip" (or "x-gzip"), else
 * "*", listed with a q-value above zero (RFC 9110 §12.5.3).  NULL: 0.
 */
int	pgl_gzip_accepted(const char *accept_encoding);

/* A compressed part of a body, as kept in a cache. */
struct pgl_gz_seg {
	uint32_t		 crc;	/* CRC-32 of the plain bytes */
	size_t			 len;	/* length of the plain bytes */
	const unsigned char	*z;	/* raw deflate, ends on a sync flush */
	size_t			 zlen;
};

/*
 * Compress plain into a segment serialised as one blob (a header with
 * the CRC-32 and the plain length, then the deflate bytes), malloc'd,
 * for a cache.  -1 on failure.
 */
int	pgl_gz_seg_make(const void *plain, size_t len, char **blob,
	    size_t *bloblen);
/* Read a blob made above (the segment points into it); -1 if not one. */
int	pgl_gz_seg_parse(const void *blob, size_t bloblen,
	    struct pgl_gz_seg *);

/* An upper bound of the gzip body pgl_gz_assemble writes. */
size_t	pgl_gz_bound(size_t prefixlen, const struct pgl_gz_seg *,
	    size_t suffixlen);
/*
 * Write one gzip member whose plain content is prefix, then the segment's
 * bytes (none if seg is NULL), then suffix, into out (cap bytes, at least
 * pgl_gz_bound()).  Returns its length, or 0 on failure.
 */
size_t	pgl_gz_assemble(const void *prefix, size_t prefixlen,
	    const struct pgl_gz_seg *seg, const void *suffix, size_t suffixlen,
	    unsigned char *out, size_t cap);

/*
 * The same member in three pieces, for a segment that stays where it is
 * kept (a pinned cache entry, sent as is): f->head (the gzip header and
 * the compressed prefix) and f->tail (the compressed suffix and the
 * trailer) are written into out (cap bytes, at least
 * pgl_gz_bound(prefixlen, NULL, suffixlen)); the body is head, seg->z,
 * tail.  -1 on failure.
 */
struct pgl_gz_frame {
	const unsigned char	*head;
	size_t			 headlen;
	const unsigned char	*tail;
	size_t			 taillen;
};

int	pgl_gz_frame(const void *prefix, size_t prefixlen,
	    const struct pgl_gz_seg *seg, const void *suffix, size_t suffixlen,
	    unsigned char *out, size_t cap, struct pgl_gz_frame *f);

#endif
