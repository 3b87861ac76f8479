/*
 * Iceberg manifest lists and manifests (Avro object container files) of
 * format v1, v2 and v3, read from and written to memory.  Pure: bytes in,
 * records out; no I/O (the caller reads the file through objio.h), no
 * clock.  Reading is streaming: one callback per record, so a manifest of
 * a million entries is never held whole.
 *
 * Fields a version lacks get the spec's defaults when read: v1 has no
 * content (data), no sequence numbers (0), no file_sequence_number.
 * Strings handed to a callback live until the callback returns; copy what
 * is kept.
 *
 * A file that is not Avro, or whose schema lacks a required field
 * (manifest_path, file_path, status...), or that ends early, is -1 with
 * err->code PGL_EINVAL and a message naming the file's first bad part;
 * nothing read from it may then be trusted by the caller.
 */
#ifndef PGL_ICEBERG_MANIFEST_H
#define PGL_ICEBERG_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/plugin.h"	/* struct pgl_err */
#include "iceberg/scan.h"		/* struct ice_value, ice_col_metrics */

enum ice_content {
	ICE_CONTENT_DATA = 0,		/* manifests: data; files: data */
	ICE_CONTENT_DELETES = 1,	/* manifests: deletes; files: pos */
	ICE_CONTENT_EQ_DELETES = 2	/* files only */
};

/* A partition field summary of a manifest list entry (field 507). */
struct ice_field_summary {
	int		 contains_null;
	int		 contains_nan;	/* -1: absent */
	const void	*lower;		/* NULL: absent */
	size_t		 lower_len;
	const void	*upper;
	size_t		 upper_len;
};

/* One manifest_file record of a manifest list. */
struct ice_manifest_ref {
	const char	*path;			/* 500 */
	int64_t		 length;		/* 501 */
	int32_t		 spec_id;		/* 502 */
	int		 content;		/* 517: ICE_CONTENT_* */
	int64_t		 sequence_number;	/* 515 */
	int64_t		 min_sequence_number;	/* 516 */
	int64_t		 added_snapshot_id;	/* 503 */
	int64_t		 added_files, existing_files, deleted_files;
	int64_t		 added_rows, existing_rows, deleted_rows;
	int64_t		 first_row_id;		/* 520, v3; -1: absent */
	const struct ice_field_summary *partitions;	/* 507 */
	size_t		 npartitions;
};

/* One manifest_entry record of a manifest, with its data_file. */
struct ice_manifest_entry {
	int		 status;		/* 0 existing, 1 added, 2 deleted */
	int64_t		 snapshot_id;		/* -1: absent (inherited) */
	int64_t		 sequence_number;	/* -1: absent (inherited) */
	int64_t		 file_sequence_number;	/* -1: absent */
	int		 content;		/* 134: ICE_CONTENT_* */
	const char	*file_path;		/* 100 */
	const char	*file_format;		/* 101 */
	int64_t		 record_count;		/* 103 */
	int64_t		 file_size;		/* 104 */
	const char	*referenced_data_file;	/* 143, v3 DVs; NULL */
	int64_t		 content_offset;	/* 144; -1: absent */
	int64_t		 content_size;		/* 145; -1: absent */
	/* The partition tuple as JSON text ({"name": value, ...}); "{}". */
	const char	*partition_json;
};

/* Return 0 to go on, non-zero to stop the read (not an error). */
typedef int	(*ice_manifest_ref_fn)(void *arg,
		    const struct ice_manifest_ref *);
typedef int	(*ice_manifest_entry_fn)(void *arg,
		    const struct ice_manifest_entry *);

/* Every record of a manifest list; 0, or -1 with err. */
int	ice_manifest_list_read(const void *buf, size_t len,
	    ice_manifest_ref_fn fn, void *arg, struct pgl_err *err);

/* Every entry of a manifest; 0, or -1 with err. */
int	ice_manifest_read(const void *buf, size_t len,
	    ice_manifest_entry_fn fn, void *arg, struct pgl_err *err);
/* The same, with partition_json left NULL: for readers that need only
 * the files (maintenance), the tuple's JSON is most of an entry's cost. */
int	ice_manifest_read_files(const void *buf, size_t len,
	    ice_manifest_entry_fn fn, void *arg, struct pgl_err *err);

/*
 * Everything a scan plan needs of one entry (ice_manifest_read_full):
 * the entry with partition_json NULL, the partition tuple as values of
 * its Avro (physical) types in the partition record's field order, the
 * column metrics merged by field id (cols sorted by id), and the
 * data_file fields a FileScanTask carries.  Absent lists are NULL / 0.
 */
struct ice_manifest_full {
	struct ice_manifest_entry	 e;
	const struct ice_value		*partition;	/* 102 */
	const int32_t			*partition_ids;	/* field-id of each */
	size_t				 npartition;
	const struct ice_col_metrics	*cols;	/* 108,109,110,137,125,128 */
	size_t				 ncols;
	const int32_t			*equality_ids;	/* 135 */
	size_t				 nequality_ids;
	const int64_t			*split_offsets;	/* 132 */
	size_t				 nsplit_offsets;
	int32_t				 sort_order_id;	/* 140; -1: absent */
	const void			*key_metadata;	/* 131; NULL */
	size_t				 key_metadata_len;
	int64_t				 first_row_id;	/* 142; -1: absent */
};

typedef int	(*ice_manifest_full_fn)(void *arg,
		    const struct ice_manifest_full *);

/* Every entry of a manifest, in full (the pointers live until fn
 * returns); 0, or -1 with err. */
int	ice_manifest_read_full(const void *buf, size_t len,
	    ice_manifest_full_fn fn, void *arg, struct pgl_err *err);

/* What a written manifest list records about its snapshot. */
struct ice_manifest_list_head {
	int		 format_version;	/* 1, 2 or 3 */
	int64_t		 snapshot_id;
	int64_t		 parent_snapshot_id;	/* -1: none */
	int64_t		 sequence_number;	/* v2+ */
	int64_t		 first_row_id;		/* v3; -1: absent */
};

/*
 * A manifest list holding refs, in the Avro schema of head's version,
 * with the spec's file metadata keys; *out is malloc'd.  A ref whose
 * sequence_number is -1 is written as added by this snapshot (the
 * head's sequence number), as the spec's inheritance asks.  0, or -1.
 */
int	ice_manifest_list_write(const struct ice_manifest_list_head *,
	    const struct ice_manifest_ref *refs, size_t n, void **out,
	    size_t *outlen, struct pgl_err *err);

#endif
