/*
 * Shared by manifest.c, manifest_full.c (reading) and manifest_write.c:
 * the Avro object container framing, which they check or produce by hand,
 * and the walk over a manifest's entries.  Not for
 * callers outside the manifest code.
 */
#ifndef PGL_ICEBERG_MANIFEST_AVRO_H
#define PGL_ICEBERG_MANIFEST_AVRO_H

#include <stddef.h>
#include <stdint.h>

#include <avro.h>

#include "pangolin/plugin.h"

struct ice_manifest_entry;	/* manifest.h */

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

/*
 * Field indexes of one record schema, resolved by name when the schema
 * changes (once per file: it is the writer's) instead of by name per
 * record: a plan reads a million entries.  -1 where the writer's record
 * lacks the field.
 */
#define ICE_AVRO_IDX_MAX	16

struct ice_avro_idx {
	avro_schema_t		 schema;	/* resolved for; NULL: none */
	const char *const	*names;
	size_t			 n;
	int			 at[ICE_AVRO_IDX_MAX];
};

/* manifest_decode.c: idx's indexes for rec's schema (a no-op when they
 * are already). */
void	ice_avro_idx_resolve(struct ice_avro_idx *, avro_value_t *rec);
/* Field i of rec, unwrapped from its union: 1, or 0 absent or null. */
int	ice_avro_get(avro_value_t *rec, int i, avro_value_t *out);

/*
 * The fields of a manifest entry's data_file the readers share, in the
 * order of their names in manifest.c.
 */
enum ice_df_field {
	ICE_DF_CONTENT, ICE_DF_FILE_PATH, ICE_DF_FILE_FORMAT,
	ICE_DF_PARTITION, ICE_DF_RECORD_COUNT, ICE_DF_FILE_SIZE,
	ICE_DF_REFERENCED, ICE_DF_CONTENT_OFFSET, ICE_DF_CONTENT_SIZE,
	ICE_DF_N
};

/*
 * One entry of a manifest as the walk hands it to a reader: the entry
 * read, its data_file record with the indexes of its fields, and the
 * writer's schema text (field-id attributes libavro does not keep).
 */
struct ice_entry_walk {
	struct ice_manifest_entry	*e;
	avro_value_t			 df;
	const struct ice_avro_idx	*at;	/* ICE_DF_* of df */
	const unsigned char		*schema;
	size_t				 schema_len;
	struct pgl_err			*err;
};

/* 0 to go on, 1 to stop, -1 with w->err set. */
typedef int	(*ice_entry_hook)(void *, struct ice_entry_walk *w);

/*
 * Every entry of a manifest (manifest.c), to hook; partition_json is
 * filled unless no_partition.  0, or -1 with err.
 */
int	ice_manifest_walk(const void *buf, size_t len, int no_partition,
	    ice_entry_hook hook, void *arg, struct pgl_err *err);

#endif
