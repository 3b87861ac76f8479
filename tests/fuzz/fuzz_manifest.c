/*
 * libFuzzer target for the manifest reader (src/iceberg/manifest.c).
 * Every input is read as a manifest list, as a manifest and as a
 * manifest in full (ice_manifest_read_full): each must
 * end in 0 or -1 with a message, never a crash, and every string and
 * bound handed to a callback must be readable.  A manifest list that
 * reads is written back with ice_manifest_list_write and must read again
 * with the same number of manifests.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -Iinclude -Isrc tests/fuzz/fuzz_manifest.c src/iceberg/manifest*.c \
 *     -lavro -ljansson -lz -o /tmp/fuzz_manifest
 * /tmp/fuzz_manifest -max_len=4096 corpus-copy/ tests/fuzz/corpus/manifest/
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/manifest.h"

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)
#define MAXREFS		8

struct refs {
	struct ice_manifest_ref	 r[MAXREFS];
	char			*path[MAXREFS];
	size_t			 n, seen;
	volatile size_t		 sum;
};

static void
touch(struct refs *s, const void *p, size_t n)
{
	const unsigned char	*b = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		s->sum += b[i];
}

static int
on_ref(void *arg, const struct ice_manifest_ref *r)
{
	struct refs	*s = arg;
	size_t		 i;

	CHECK(r->path != NULL);
	touch(s, r->path, strlen(r->path));
	for (i = 0; i < r->npartitions; i++) {
		if (r->partitions[i].lower != NULL)
			touch(s, r->partitions[i].lower,
			    r->partitions[i].lower_len);
		if (r->partitions[i].upper != NULL)
			touch(s, r->partitions[i].upper,
			    r->partitions[i].upper_len);
	}
	s->seen++;
	if (s->n < MAXREFS) {
		s->r[s->n] = *r;
		s->r[s->n].partitions = NULL;	/* gone after the call */
		s->r[s->n].npartitions = 0;
		if (s->r[s->n].content != ICE_CONTENT_DATA)
			s->r[s->n].content = ICE_CONTENT_DELETES;
		s->path[s->n] = strdup(r->path);
		CHECK(s->path[s->n] != NULL);
		s->r[s->n].path = s->path[s->n];
		s->n++;
	}
	return (0);
}

static int
on_entry(void *arg, const struct ice_manifest_entry *e)
{
	struct refs	*s = arg;

	CHECK(e->file_path != NULL && e->file_format != NULL);
	CHECK(e->partition_json != NULL);
	CHECK(e->status >= 0 && e->status <= 2);
	touch(s, e->file_path, strlen(e->file_path));
	touch(s, e->partition_json, strlen(e->partition_json));
	if (e->referenced_data_file != NULL)
		touch(s, e->referenced_data_file,
		    strlen(e->referenced_data_file));
	return (0);
}

/* Every value, metric and list of a full entry must be readable. */
static int
on_full(void *arg, const struct ice_manifest_full *f)
{
	struct refs	*s = arg;
	size_t		 i;

	CHECK(f->e.file_path != NULL && f->e.partition_json == NULL);
	touch(s, f->e.file_path, strlen(f->e.file_path));
	CHECK(f->npartition == 0 || (f->partition != NULL &&
	    f->partition_ids != NULL));
	for (i = 0; i < f->npartition; i++) {
		touch(s, &f->partition_ids[i], sizeof(int32_t));
		if (f->partition[i].is_null)
			continue;
		switch (f->partition[i].tid) {
		case ICE_T_STRING:
		case ICE_T_BINARY:
		case ICE_T_FIXED:
			touch(s, f->partition[i].u.s.p, f->partition[i].u.s.n);
			break;
		default:
			break;
		}
	}
	for (i = 0; i < f->ncols; i++) {
		CHECK(i == 0 || f->cols[i - 1].id < f->cols[i].id);
		if (f->cols[i].lower != NULL)
			touch(s, f->cols[i].lower, f->cols[i].lower_len);
		if (f->cols[i].upper != NULL)
			touch(s, f->cols[i].upper, f->cols[i].upper_len);
	}
	touch(s, f->equality_ids, f->nequality_ids * sizeof(int32_t));
	touch(s, f->split_offsets, f->nsplit_offsets * sizeof(int64_t));
	if (f->key_metadata != NULL)
		touch(s, f->key_metadata, f->key_metadata_len);
	return (0);
}

static int
count(void *arg, const struct ice_manifest_ref *r)
{
	(*(size_t *)arg)++;
	return (0);
}

/* What was read is written as a v2 list and must read back whole. */
static void
round_trip(struct refs *s)
{
	struct ice_manifest_list_head	 h = { 2, 1, -1, 1, -1 };
	struct pgl_err			 err;
	void				*out;
	size_t				 len, n = 0;

	CHECK(ice_manifest_list_write(&h, s->r, s->n, &out, &len, &err) == 0);
	CHECK(ice_manifest_list_read(out, len, count, &n, &err) == 0);
	CHECK(n == s->n);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct refs	s;
	struct pgl_err	err;
	size_t		i;
	int		rc;

	memset(&s, 0, sizeof(s));
	memset(&err, 0, sizeof(err));
	rc = ice_manifest_list_read(data, size, on_ref, &s, &err);
	CHECK(rc == 0 || (rc == -1 && err.code == PGL_EINVAL &&
	    err.msg[0] != '\0'));
	if (rc == 0)
		round_trip(&s);
	for (i = 0; i < s.n; i++)
		free(s.path[i]);
	memset(&err, 0, sizeof(err));
	rc = ice_manifest_read(data, size, on_entry, &s, &err);
	CHECK(rc == 0 || (rc == -1 && err.code == PGL_EINVAL &&
	    err.msg[0] != '\0'));
	memset(&err, 0, sizeof(err));
	rc = ice_manifest_read_full(data, size, on_full, &s, &err);
	CHECK(rc == 0 || (rc == -1 && err.code == PGL_EINVAL &&
	    err.msg[0] != '\0'));
	return (0);
}
