/*
 * Shared by manifest.c (reading) and manifest_write.c: the Avro object
 * container framing, which both check or produce by hand.  Not for
 * callers outside the manifest code.
 */
#ifndef PGL_ICEBERG_MANIFEST_AVRO_H
#define PGL_ICEBERG_MANIFEST_AVRO_H

#include <stddef.h>
#include <stdint.h>

#include <avro.h>

#include "pangolin/plugin.h"

#define ICE_AVRO_SYNC	16	/* bytes of a container's sync marker */

/* A cursor over bytes; the header's schema and codec once checked. */
struct ice_avro_cur {
	const unsigned char	*p;
	size_t			 len, off;
	const unsigned char	*schema, *codec;
	size_t			 schema_len, codec_len;
};

/* A zigzag varint long: 0, or -1 when it runs off the end. */
int	ice_avro_get_long(struct ice_avro_cur *, int64_t *);

/* err <- PGL_EINVAL, "<what>: <detail>"; returns -1. */
int	ice_avro_fail(struct pgl_err *, const char *what,
	    const char *detail);

/*
 * 0 when buf is an Avro container whose header (a schema that parses, a
 * null or deflate codec) and every block lie inside it with the right
 * sync marker, so a block length read from it can be trusted; else -1
 * with err.  hdr, if not NULL, is left at the first block, with the
 * schema and codec found.
 */
int	ice_avro_frame_check(const void *buf, size_t len, struct pgl_err *,
	    const char *what, struct ice_avro_cur *hdr);

/*
 * The writer's schema of len bytes of JSON text, parsed, with its generic
 * class: a new reference to each (the caller decrefs both), or -1 when
 * it does not parse.  The last few parsed are kept per process, so the
 * thousands of manifests of one table, whose schema text is the same,
 * parse it once (the parse was most of a small manifest's read).
 */
int	ice_avro_schema(const unsigned char *text, size_t len,
	    avro_schema_t *, avro_value_iface_t **);

/*
 * The records of a checked container, each decoded into a libavro
 * generic value of the writer's schema (manifest_decode.c).  Decoding is
 * ours, bounded by the buffer: libavro's own reader trusts lengths.
 */
struct ice_avro_reader {
	struct ice_avro_cur	 file;		/* at the next block */
	struct ice_avro_cur	 blk;		/* the current block */
	int64_t			 left;	/* records left in blk */
	int			 deflate;
	unsigned char		*inflated;
	size_t			 inflated_cap;
	avro_schema_t		 schema;
	avro_value_iface_t	*iface;
	avro_value_t		 rec;
	int			 have_rec;
};

int	ice_avro_open(struct ice_avro_reader *, const void *, size_t,
	    struct pgl_err *, const char *what);
int	ice_avro_next(struct ice_avro_reader *, struct pgl_err *,
	    const char *what);	/* 1 a record, 0 end, -1 */
void	ice_avro_close(struct ice_avro_reader *);

/* A growing output buffer; on allocation failure oom is set, once. */
struct ice_avro_buf {
	unsigned char	*p;
	size_t		 len, cap;
	int		 oom;
};

void	ice_avro_raw(struct ice_avro_buf *, const void *, size_t);
void	ice_avro_long(struct ice_avro_buf *, int64_t);	/* zigzag */
void	ice_avro_str(struct ice_avro_buf *, const char *);
void	ice_avro_bytes(struct ice_avro_buf *, const void *, size_t);

#endif
