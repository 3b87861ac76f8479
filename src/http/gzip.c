/*
 * gzip replies assembled from parts (see gzip.h).  Deflate streams whose
 * parts end on a sync flush end on a byte boundary with no final block,
 * so raw deflate parts compressed apart concatenate into one valid
 * stream; only the last part is finished.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "http/gzip.h"

#define SEG_MAGIC	"PGZ1"
#define SEG_HEAD	16	/* magic, CRC-32, plain length (LE) */
#define PART_SLACK	16	/* a sync flush's empty stored block and more */

/* RFC 1952 §2.3: no name, no mtime, deflate, OS unknown. */
static const unsigned char	gz_head[10] = {
	0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff
};

static int
q_positive(const char *p, const char *end)
{
	double	q;
	char	buf[16], *e;
	size_t	n;

	/* p points after the coding name: ";q=0.5" or "" (q=1). */
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != ';')
		return (1);
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
		return (1);	/* another parameter: not a q-value */
	p += 2;
	n = (size_t)(end - p) < sizeof(buf) - 1 ? (size_t)(end - p) :
	    sizeof(buf) - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	q = strtod(buf, &e);
	return (e != buf && q > 0);
}

int
pgl_gzip_accepted(const char *ae)
{
	const char	*p, *end, *name;
	size_t		 n;
	int		 gzip = -1, star = -1;

	if (ae == NULL)
		return (0);
	for (p = ae; *p != '\0'; p = *end == ',' ? end + 1 : end) {
		end = p + strcspn(p, ",");
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		name = p;
		n = strcspn(name, ";, \t");
		if ((n == 4 && strncasecmp(name, "gzip", 4) == 0) ||
		    (n == 6 && strncasecmp(name, "x-gzip", 6) == 0))
			gzip = q_positive(name + n, end);
		else if (n == 1 && name[0] == '*')
			star = q_positive(name + n, end);
	}
	/* An explicit gzip entry wins over "*" (q=0 there is a refusal). */
	return (gzip != -1 ? gzip : star == 1);
}

static void
put_le32(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = (v >> 24) & 0xff;
}

static uint32_t
get_le32(const unsigned char *p)
{
	return ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24);
}

static size_t
part_bound(size_t len)
{
	return (compressBound((uLong)len) + PART_SLACK);
}

/*
 * Deflate in (raw, with flush: Z_SYNC_FLUSH or Z_FINISH) into out;
 * the number of bytes written, or (size_t)-1.
 */
static size_t
deflate_part(z_stream *z, const void *in, size_t len, int flush,
    unsigned char *out, size_t cap)
{
	int	rc;

	if (len > UINT_MAX || cap > UINT_MAX || deflateReset(z) != Z_OK)
		return ((size_t)-1);
	z->next_in = (unsigned char *)(uintptr_t)in;
	z->avail_in = (uInt)len;
	z->next_out = out;
	z->avail_out = (uInt)cap;
	rc = deflate(z, flush);
	/* Enough room was given: one call consumes all and flushes all. */
	if (z->avail_in != 0 || (flush == Z_FINISH && rc != Z_STREAM_END) ||
	    (flush != Z_FINISH && (rc != Z_OK || z->avail_out == 0)))
		return ((size_t)-1);
	return (cap - z->avail_out);
}

/*
 * A small part as one stored block (RFC 1951 §3.2.4): the frame around a
 * kept segment is a few hundred bytes, and deflating it cost more than
 * the rest of a cached gzip loadTable (a deflateReset() clears a 64 KiB
 * hash table each time).  At a byte boundary a stored block is one
 * header byte (BFINAL, BTYPE 00, padding), LEN and NLEN, then the bytes;
 * it leaves the stream on a byte boundary, as a sync flush does.
 */
#define STORED_MAX	1024

static size_t
stored_part(const void *in, size_t len, int final, unsigned char *out,
    size_t cap)
{
	if (len > STORED_MAX || cap < len + 5)
		return ((size_t)-1);
	out[0] = final ? 1 : 0;
	out[1] = len & 0xff;
	out[2] = (len >> 8) & 0xff;
	out[3] = ~len & 0xff;
	out[4] = (~len >> 8) & 0xff;
	if (len > 0)
		memcpy(out + 5, in, len);
	return (len + 5);
}

/* A part of a reply: stored when small, else deflated on z. */
static size_t
reply_part(z_stream *z, const void *in, size_t len, int final,
    unsigned char *out, size_t cap)
{
	if (len <= STORED_MAX)
		return (stored_part(in, len, final, out, cap));
	return (deflate_part(z, in, len, final ? Z_FINISH : Z_SYNC_FLUSH,
	    out, cap));
}

/*
 * The per-request stream: deflateInit allocates some 270 KB, so each
 * process keeps one and resets it.  Level 1: replies are compressed on
 * the request's time, and JSON compresses well even so.
 */
static z_stream *
fast_stream(void)
{
	static z_stream	z;
	static int	ready;

	if (!ready) {
		memset(&z, 0, sizeof(z));
		if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, -15, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			return (NULL);
		ready = 1;
	}
	return (&z);
}

int
pgl_gz_seg_make(const void *plain, size_t len, char **blob, size_t *bloblen)
{
	z_stream	 z;
	unsigned char	*b;
	size_t		 cap = part_bound(len), n;

	if ((b = malloc(SEG_HEAD + cap)) == NULL)
		return (-1);
	memset(&z, 0, sizeof(z));
	/* Made once per cache fill and served many times: level 6. */
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		free(b);
		return (-1);
	}
	n = deflate_part(&z, plain, len, Z_SYNC_FLUSH, b + SEG_HEAD, cap);
	(void)deflateEnd(&z);
	if (n == (size_t)-1 || (uint64_t)len > UINT32_MAX) {
		free(b);
		return (-1);
	}
	memcpy(b, SEG_MAGIC, 4);
	put_le32(b + 4, (uint32_t)crc32(crc32(0, NULL, 0), plain, (uInt)len));
	put_le32(b + 8, (uint32_t)len);
	put_le32(b + 12, 0);
	*blob = (char *)b;
	*bloblen = SEG_HEAD + n;
	return (0);
}

int
pgl_gz_seg_parse(const void *blob, size_t bloblen, struct pgl_gz_seg *seg)
{
	const unsigned char	*b = blob;

	if (bloblen < SEG_HEAD + 2 || memcmp(b, SEG_MAGIC, 4) != 0)
		return (-1);
	seg->crc = get_le32(b + 4);
	seg->len = get_le32(b + 8);
	seg->z = b + SEG_HEAD;
	seg->zlen = bloblen - SEG_HEAD;
	return (0);
}

size_t
pgl_gz_bound(size_t prefixlen, const struct pgl_gz_seg *seg,
    size_t suffixlen)
{
	return (sizeof(gz_head) + part_bound(prefixlen) +
	    (seg != NULL ? seg->zlen : 0) + part_bound(suffixlen) + 8);
}

/*
 * The gzip header and the prefix's part, then gap bytes left for the
 * segment, then the suffix's part (the final block) and the trailer.
 * The trailer's CRC-32 combines the three parts' (RFC 1952 §2.3.1).
 */
static int
frame_write(const void *prefix, size_t prefixlen,
    const struct pgl_gz_seg *seg, const void *suffix, size_t suffixlen,
    size_t gap, unsigned char *out, size_t cap, struct pgl_gz_frame *f)
{
	z_stream	*z = fast_stream();
	uLong		 crc;
	size_t		 at, n, total;

	if (z == NULL || cap < pgl_gz_bound(prefixlen, NULL, suffixlen) + gap)
		return (-1);
	memcpy(out, gz_head, sizeof(gz_head));
	at = sizeof(gz_head);
	if ((n = reply_part(z, prefix, prefixlen, 0, out + at,
	    cap - at - gap)) == (size_t)-1)
		return (-1);
	f->head = out;
	f->headlen = at + n;
	crc = crc32(crc32(0, NULL, 0), prefix, (uInt)prefixlen);
	total = prefixlen;
	if (seg != NULL) {
		crc = crc32_combine(crc, seg->crc, (z_off_t)seg->len);
		total += seg->len;
	}
	at = f->headlen + gap;
	if ((n = reply_part(z, suffix, suffixlen, 1, out + at,
	    cap - at - 8)) == (size_t)-1)
		return (-1);
	crc = crc32_combine(crc, crc32(crc32(0, NULL, 0), suffix,
	    (uInt)suffixlen), (z_off_t)suffixlen);
	total += suffixlen;
	/* RFC 1952: CRC-32, then the plain length modulo 2^32. */
	put_le32(out + at + n, (uint32_t)crc);
	put_le32(out + at + n + 4, (uint32_t)total);
	f->tail = out + at;
	f->taillen = n + 8;
	return (0);
}

int
pgl_gz_frame(const void *prefix, size_t prefixlen,
    const struct pgl_gz_seg *seg, const void *suffix, size_t suffixlen,
    unsigned char *out, size_t cap, struct pgl_gz_frame *f)
{
	return (frame_write(prefix, prefixlen, seg, suffix, suffixlen, 0,
	    out, cap, f));
}

size_t
pgl_gz_assemble(const void *prefix, size_t prefixlen,
    const struct pgl_gz_seg *seg, const void *suffix, size_t suffixlen,
    unsigned char *out, size_t cap)
{
	struct pgl_gz_frame	f;
	size_t			gap = seg != NULL ? seg->zlen : 0;

	if (frame_write(prefix, prefixlen, seg, suffix, suffixlen, gap, out,
	    cap, &f) == -1)
		return (0);
	if (gap > 0)
		memcpy(out + f.headlen, seg->z, gap);
	return (f.headlen + gap + f.taillen);
}
