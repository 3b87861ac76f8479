/*
 * The framing of an Avro object container file, checked before libavro
 * sees it, and the encoding primitives the writer uses.  libavro trusts
 * block lengths and allocates what they say; a corrupt or hostile
 * manifest must be refused here instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <avro.h>

#include "iceberg/manifest_avro.h"


int
ice_avro_fail(struct pgl_err *err, const char *what, const char *detail)
{
	if (err != NULL) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "%s: %s", what,
		    detail);
	}
	return (-1);
}

/* A zigzag varint long: 0, or -1 when it runs off the end or is > 64 bits. */
int
ice_avro_get_long(struct ice_avro_cur *c, int64_t *out)
{
	uint64_t	v = 0;
	unsigned	shift = 0;
	unsigned char	b;

	do {
		if (c->off >= c->len || shift > 63)
			return (-1);
		b = c->p[c->off++];
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	*out = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
	return (0);
}

/* Skip a length-prefixed string or bytes, keeping where it was. */
static int
skip_bytes(struct ice_avro_cur *c, const unsigned char **at, size_t *len)
{
	int64_t	n;

	if (ice_avro_get_long(c, &n) == -1 || n < 0 ||
	    (uint64_t)n > c->len - c->off)
		return (-1);
	*at = c->p + c->off;
	*len = (size_t)n;
	c->off += (size_t)n;
	return (0);
}

/* One metadata pair; the schema and codec are remembered. */
static int
pair(struct ice_avro_cur *c)
{
	const unsigned char	*k, *v;
	size_t			 klen, vlen;

	if (skip_bytes(c, &k, &klen) == -1 || skip_bytes(c, &v, &vlen) == -1)
		return (-1);
	if (klen == 11 && memcmp(k, "avro.schema", 11) == 0) {
		c->schema = v;
		c->schema_len = vlen;
	} else if (klen == 10 && memcmp(k, "avro.codec", 10) == 0) {
		c->codec = v;
		c->codec_len = vlen;
	}
	return (0);
}

static int
header(struct ice_avro_cur *c)
{
	int64_t	n, size;

	if (c->len < 4 || memcmp(c->p, "Obj\001", 4) != 0)
		return (-1);
	c->off = 4;
	for (;;) {
		if (ice_avro_get_long(c, &n) == -1)
			return (-1);
		if (n == 0)
			break;
		if (n < 0) {
			if (n == INT64_MIN || ice_avro_get_long(c, &size) == -1)
				return (-1);
			n = -n;
		}
		if ((uint64_t)n > c->len - c->off)
			return (-1);
		while (n-- > 0)
			if (pair(c) == -1)
				return (-1);
	}
	if (c->len - c->off < ICE_AVRO_SYNC)
		return (-1);
	c->off += ICE_AVRO_SYNC;
	return (0);
}

/*
 * libavro's file reader leaks what it allocated when the header's schema
 * or codec is bad, so both are checked first: a schema that parses, and
 * the codecs Iceberg writers use.
 */
static const char *
header_values(const struct ice_avro_cur *c)
{
	avro_schema_t		 s;
	avro_value_iface_t	*iface;

	if (c->codec != NULL && !(c->codec_len == 4 &&
	    memcmp(c->codec, "null", 4) == 0) && !(c->codec_len == 7 &&
	    memcmp(c->codec, "deflate", 7) == 0))
		return ("unsupported codec (not null or deflate)");
	if (c->schema == NULL)
		return ("no avro.schema in the header");
	if (ice_avro_schema(c->schema, c->schema_len, &s, &iface) == -1)
		return ("the header's schema does not parse");
	if (iface != NULL)
		avro_value_iface_decref(iface);
	avro_schema_decref(s);
	return (NULL);
}

int
ice_avro_frame_check(const void *buf, size_t len, struct pgl_err *err,
    const char *what, struct ice_avro_cur *hdr)
{
	struct ice_avro_cur	 c = { buf, len, 0, NULL, NULL, 0, 0 };
	const unsigned char	*sync;
	const char		*bad;
	int64_t			 n, size;

	if (buf == NULL || header(&c) == -1)
		return (ice_avro_fail(err, what,
		    "not an Avro object container (bad magic or header)"));
	if ((bad = header_values(&c)) != NULL)
		return (ice_avro_fail(err, what, bad));
	sync = c.p + c.off - ICE_AVRO_SYNC;
	while (c.off < c.len) {
		if (ice_avro_get_long(&c, &n) == -1 || n < 0 ||
		    ice_avro_get_long(&c, &size) == -1 || size < 0 ||
		    (uint64_t)size > c.len - c.off ||
		    c.len - c.off - (size_t)size < ICE_AVRO_SYNC)
			return (ice_avro_fail(err, what,
			    "a data block runs past the end (truncated?)"));
		c.off += (size_t)size;
		if (memcmp(c.p + c.off, sync, ICE_AVRO_SYNC) != 0)
			return (ice_avro_fail(err, what,
			    "a data block ends without the sync marker"));
		c.off += ICE_AVRO_SYNC;
	}
	if (hdr != NULL) {
		*hdr = c;
		hdr->off = (size_t)(sync - c.p) + ICE_AVRO_SYNC;
	}
	return (0);
}

void
ice_avro_raw(struct ice_avro_buf *b, const void *p, size_t n)
{
	unsigned char	*np;
	size_t		 cap;

	if (b->oom)
		return;
	if (b->cap - b->len < n) {
		cap = b->cap ? b->cap : 256;
		while (cap - b->len < n)
			cap *= 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
ice_avro_long(struct ice_avro_buf *b, int64_t v)
{
	unsigned char	out[10];
	uint64_t	z = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
	size_t		n = 0;

	while (z > 0x7f) {
		out[n++] = (unsigned char)(z | 0x80);
		z >>= 7;
	}
	out[n++] = (unsigned char)z;
	ice_avro_raw(b, out, n);
}

void
ice_avro_bytes(struct ice_avro_buf *b, const void *p, size_t n)
{
	ice_avro_long(b, (int64_t)n);
	ice_avro_raw(b, p, n);
}

void
ice_avro_str(struct ice_avro_buf *b, const char *s)
{
	ice_avro_bytes(b, s, strlen(s));
}

/*
 * The last schemas parsed (ice_avro_schema): text, schema, class.  Four,
 * replaced in turn: a walk alternates manifest lists and manifests, and
 * a table's data and delete manifests have schemas of their own.
 */
#define SCHEMA_CACHE	4

static struct cached_schema {
	unsigned char		*text;
	size_t			 len;
	avro_schema_t		 schema;
	avro_value_iface_t	*iface;		/* NULL: none */
} cache[SCHEMA_CACHE];
static unsigned	cache_next;

int
ice_avro_schema(const unsigned char *text, size_t len, avro_schema_t *out,
    avro_value_iface_t **iface)
{
	struct cached_schema	*e;
	avro_schema_t		 s;
	avro_value_iface_t	*c;
	unsigned char		*copy;
	unsigned		 i;

	for (i = 0; i < SCHEMA_CACHE; i++) {
		e = &cache[i];
		if (e->text != NULL && e->len == len &&
		    memcmp(e->text, text, len) == 0) {
			*out = avro_schema_incref(e->schema);
			*iface = e->iface == NULL ? NULL :
			    avro_value_iface_incref(e->iface);
			return (0);
		}
	}
	if (avro_schema_from_json_length((const char *)text, len, &s) != 0)
		return (-1);
	c = avro_generic_class_from_schema(s);
	if ((copy = malloc(len + 1)) != NULL) {
		e = &cache[cache_next++ % SCHEMA_CACHE];
		memcpy(copy, text, len);
		if (e->iface != NULL)
			avro_value_iface_decref(e->iface);
		if (e->schema != NULL)
			avro_schema_decref(e->schema);
		free(e->text);
		e->text = copy;
		e->len = len;
		e->schema = avro_schema_incref(s);
		e->iface = c == NULL ? NULL : avro_value_iface_incref(c);
	}
	*out = s;
	*iface = c;
	return (0);
}
