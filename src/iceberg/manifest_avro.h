/*
 * Shared by manifest.c (reading) and manifest_write.c: the Avro object
 * container framing, which both check or produce by hand.  Not for
 * callers outside the manifest code.
 */
#ifndef PGL_ICEBERG_MANIFEST_AVRO_H
#define PGL_ICEBERG_MANIFEST_AVRO_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/plugin.h"

#define ICE_AVRO_SYNC	16	/* bytes of a container's sync marker */

/* err <- PGL_EINVAL, "<what>: <detail>"; returns -1. */
int	ice_avro_fail(struct pgl_err *, const char *what, const char *detail);

/*
 * 0 when buf is an Avro container whose header and every block lie
 * inside it with the right sync marker, so a block length read from it
 * can be trusted; else -1 with err.
 */
int	ice_avro_frame_check(const void *buf, size_t len, struct pgl_err *,
	    const char *what);

/* A growing output buffer; on allocation failure oom is set, once. */
struct ice_avro_buf {
	unsigned char	*p;
	size_t		 len, cap;
	int		 oom;
};

void	ice_avro_raw(struct ice_avro_buf *, const void *, size_t);
void	ice_avro_long(struct ice_avro_buf *, int64_t);	/* zigzag varint */
void	ice_avro_str(struct ice_avro_buf *, const char *);
void	ice_avro_bytes(struct ice_avro_buf *, const void *, size_t);

#endif
