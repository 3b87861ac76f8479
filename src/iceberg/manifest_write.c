/*
 * Writing a manifest list (manifest.h): an Avro object container with
 * the spec's manifest_file schema of the head's format version, field
 * ids included, and the file metadata keys readers look for.  libavro's
 * writer cannot add metadata keys, so the container is encoded here; one
 * table of fields drives both the schema text and the encoding so they
 * never disagree.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "iceberg/manifest.h"
#include "iceberg/manifest_avro.h"

enum fid {
	F_PATH = 500, F_LENGTH = 501, F_SPEC = 502, F_SNAP = 503,
	F_ADDED = 504, F_EXISTING = 505, F_DELETED = 506, F_PARTS = 507,
	F_ADDED_ROWS = 512, F_EXISTING_ROWS = 513, F_DELETED_ROWS = 514,
	F_SEQ = 515, F_MIN_SEQ = 516, F_CONTENT = 517, F_KEY = 519,
	F_ROW_ID = 520
};

struct field {
	enum fid	 id;
	const char	*name;
	const char	*type;
	int		 since;		/* first format version */
	int		 opt_v1;	/* optional in v1, required after */
	int		 opt;		/* optional in every version */
};

/* In the order of the spec's table. */
static const struct field fields[] = {
	{ F_PATH, "manifest_path", "\"string\"", 1, 0, 0 },
	{ F_LENGTH, "manifest_length", "\"long\"", 1, 0, 0 },
	{ F_SPEC, "partition_spec_id", "\"int\"", 1, 0, 0 },
	{ F_CONTENT, "content", "\"int\"", 2, 0, 0 },
	{ F_SEQ, "sequence_number", "\"long\"", 2, 0, 0 },
	{ F_MIN_SEQ, "min_sequence_number", "\"long\"", 2, 0, 0 },
	{ F_SNAP, "added_snapshot_id", "\"long\"", 1, 0, 0 },
	{ F_ADDED, "added_files_count", "\"int\"", 1, 1, 0 },
	{ F_EXISTING, "existing_files_count", "\"int\"", 1, 1, 0 },
	{ F_DELETED, "deleted_files_count", "\"int\"", 1, 1, 0 },
	{ F_ADDED_ROWS, "added_rows_count", "\"long\"", 1, 1, 0 },
	{ F_EXISTING_ROWS, "existing_rows_count", "\"long\"", 1, 1, 0 },
	{ F_DELETED_ROWS, "deleted_rows_count", "\"long\"", 1, 1, 0 },
	{ F_PARTS, "partitions", "{\"type\":\"array\",\"items\":{\"type\":"
	    "\"record\",\"name\":\"r508\",\"fields\":[{\"name\":"
	    "\"contains_null\",\"type\":\"boolean\",\"field-id\":509},"
	    "{\"name\":\"contains_nan\",\"type\":[\"null\",\"boolean\"],"
	    "\"default\":null,\"field-id\":518},{\"name\":\"lower_bound\","
	    "\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":510},"
	    "{\"name\":\"upper_bound\",\"type\":[\"null\",\"bytes\"],"
	    "\"default\":null,\"field-id\":511}]},\"element-id\":508}",
	    1, 0, 1 },
	{ F_KEY, "key_metadata", "\"bytes\"", 1, 0, 1 },
	{ F_ROW_ID, "first_row_id", "\"long\"", 3, 0, 1 }
};
#define NFIELDS	(sizeof(fields) / sizeof(fields[0]))

static int
optional(const struct field *f, int version)
{
	return (f->opt || (f->opt_v1 && version == 1));
}

static void
put(struct ice_avro_buf *b, const char *s)
{
	ice_avro_raw(b, s, strlen(s));
}

/* The manifest_file schema of one format version, as JSON text. */
static char *
schema_text(int version)
{
	struct ice_avro_buf	 b = { 0 };
	const struct field	*f;
	char			 tail[64];
	size_t			 i;
	int			 first = 1;

	put(&b, "{\"type\":\"record\",\"name\":\"manifest_file\","
	    "\"fields\":[");
	for (i = 0; i < NFIELDS; i++) {
		f = &fields[i];
		if (f->since > version)
			continue;
		if (!first)
			ice_avro_raw(&b, ",", 1);
		first = 0;
		put(&b, "{\"name\":\"");
		put(&b, f->name);
		put(&b, "\",\"type\":");
		if (optional(f, version))
			put(&b, "[\"null\",");
		put(&b, f->type);
		(void)snprintf(tail, sizeof(tail), "%s\"field-id\":%d}",
		    optional(f, version) ? "],\"default\":null," : ",",
		    (int)f->id);
		put(&b, tail);
	}
	ice_avro_raw(&b, "]}", 3);	/* with the NUL */
	if (b.oom) {
		free(b.p);
		return (NULL);
	}
	return ((char *)b.p);
}

static void
opt_bytes(struct ice_avro_buf *b, const void *p, size_t n)
{
	if (p == NULL) {
		ice_avro_long(b, 0);
		return;
	}
	ice_avro_long(b, 1);
	ice_avro_bytes(b, p, n);
}

static void
summaries(struct ice_avro_buf *b, const struct ice_manifest_ref *r)
{
	const struct ice_field_summary	*s;
	size_t				 i;

	if (r->partitions == NULL) {
		ice_avro_long(b, 0);		/* null */
		return;
	}
	ice_avro_long(b, 1);
	if (r->npartitions > 0)
		ice_avro_long(b, (int64_t)r->npartitions);
	for (i = 0; i < r->npartitions; i++) {
		s = &r->partitions[i];
		ice_avro_raw(b, s->contains_null ? "\001" : "\000", 1);
		if (s->contains_nan < 0)
			ice_avro_long(b, 0);
		else {
			ice_avro_long(b, 1);
			ice_avro_raw(b, s->contains_nan ? "\001" : "\000", 1);
		}
		opt_bytes(b, s->lower, s->lower_len);
		opt_bytes(b, s->upper, s->upper_len);
	}
	ice_avro_long(b, 0);			/* end of the array */
}

static int64_t
value(const struct ice_manifest_list_head *h, const struct ice_manifest_ref *r,
    enum fid id)
{
	switch (id) {
	case F_LENGTH:		return (r->length);
	case F_SPEC:		return (r->spec_id);
	case F_SNAP:		return (r->added_snapshot_id);
	case F_ADDED:		return (r->added_files);
	case F_EXISTING:	return (r->existing_files);
	case F_DELETED:		return (r->deleted_files);
	case F_ADDED_ROWS:	return (r->added_rows);
	case F_EXISTING_ROWS:	return (r->existing_rows);
	case F_DELETED_ROWS:	return (r->deleted_rows);
	case F_CONTENT:		return (r->content);
	case F_SEQ:
		return (r->sequence_number < 0 ? h->sequence_number :
		    r->sequence_number);
	case F_MIN_SEQ:
		return (r->min_sequence_number < 0 ? h->sequence_number :
		    r->min_sequence_number);
	default:		return (0);
	}
}

static void
record(struct ice_avro_buf *b, const struct ice_manifest_list_head *h,
    const struct ice_manifest_ref *r)
{
	const struct field	*f;
	size_t			 i;

	for (i = 0; i < NFIELDS; i++) {
		f = &fields[i];
		if (f->since > h->format_version)
			continue;
		switch (f->id) {
		case F_PATH:
			ice_avro_str(b, r->path);
			break;
		case F_PARTS:
			summaries(b, r);
			break;
		case F_KEY:
			ice_avro_long(b, 0);
			break;
		case F_ROW_ID:
			if (r->first_row_id < 0)
				ice_avro_long(b, 0);
			else {
				ice_avro_long(b, 1);
				ice_avro_long(b, r->first_row_id);
			}
			break;
		default:
			if (optional(f, h->format_version))
				ice_avro_long(b, 1);
			ice_avro_long(b, value(h, r, f->id));
		}
	}
}

static void
meta(struct ice_avro_buf *b, const char *key, const char *val)
{
	ice_avro_str(b, key);
	ice_avro_str(b, val);
}

static void
meta_i64(struct ice_avro_buf *b, const char *key, int64_t v)
{
	char	num[32];

	(void)snprintf(num, sizeof(num), "%" PRId64, v);
	meta(b, key, num);
}

static void
header(struct ice_avro_buf *b, const struct ice_manifest_list_head *h,
    const char *schema, const unsigned char *sync)
{
	int64_t	n = 5;

	if (h->format_version >= 2)
		n++;
	if (h->format_version >= 3 && h->first_row_id >= 0)
		n++;
	ice_avro_raw(b, "Obj\001", 4);
	ice_avro_long(b, n);
	meta(b, "avro.schema", schema);
	meta(b, "avro.codec", "null");
	meta_i64(b, "snapshot-id", h->snapshot_id);
	if (h->parent_snapshot_id >= 0)
		meta_i64(b, "parent-snapshot-id", h->parent_snapshot_id);
	else
		meta(b, "parent-snapshot-id", "null");
	meta_i64(b, "format-version", h->format_version);
	if (h->format_version >= 2)
		meta_i64(b, "sequence-number", h->sequence_number);
	if (h->format_version >= 3 && h->first_row_id >= 0)
		meta_i64(b, "first-row-id", h->first_row_id);
	ice_avro_long(b, 0);
	ice_avro_raw(b, sync, ICE_AVRO_SYNC);
}

/* A sync marker that differs between snapshots, with no clock or RNG. */
static void
make_sync(const struct ice_manifest_list_head *h, unsigned char *sync)
{
	uint64_t	x = (uint64_t)h->snapshot_id ^ 0x9e3779b97f4a7c15ULL;
	int		i;

	for (i = 0; i < ICE_AVRO_SYNC; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sync[i] = (unsigned char)x;
	}
}

static int
check(const struct ice_manifest_list_head *h,
    const struct ice_manifest_ref *refs, size_t n, struct pgl_err *err)
{
	size_t	i;

	if (h == NULL || h->format_version < 1 || h->format_version > 3)
		return (ice_avro_fail(err, "manifest list",
		    "format version is not 1, 2 or 3"));
	for (i = 0; i < n; i++) {
		if (refs[i].path == NULL)
			return (ice_avro_fail(err, "manifest list",
			    "a manifest has no path"));
		if (h->format_version == 1 &&
		    refs[i].content != ICE_CONTENT_DATA)
			return (ice_avro_fail(err, "manifest list",
			    "format v1 has no delete manifests"));
	}
	return (0);
}

int
ice_manifest_list_write(const struct ice_manifest_list_head *h,
    const struct ice_manifest_ref *refs, size_t n, void **out, size_t *outlen,
    struct pgl_err *err)
{
	struct ice_avro_buf	 file = { 0 }, block = { 0 };
	unsigned char		 sync[ICE_AVRO_SYNC];
	char			*schema;
	size_t			 i;

	*out = NULL;
	*outlen = 0;
	if (check(h, refs, n, err) == -1)
		return (-1);
	if ((schema = schema_text(h->format_version)) == NULL)
		return (ice_avro_fail(err, "manifest list", "out of memory"));
	make_sync(h, sync);
	header(&file, h, schema, sync);
	free(schema);
	for (i = 0; i < n; i++)
		record(&block, h, &refs[i]);
	if (n > 0) {
		ice_avro_long(&file, (int64_t)n);
		ice_avro_bytes(&file, block.p, block.len);
		ice_avro_raw(&file, sync, ICE_AVRO_SYNC);
	}
	free(block.p);
	if (file.oom || block.oom) {
		free(file.p);
		return (ice_avro_fail(err, "manifest list", "out of memory"));
	}
	*out = file.p;
	*outlen = file.len;
	return (0);
}
