/*
 * Manifest lists and manifests read from files written by Avro writers
 * that are not ours (tests/fixtures/manifests: python3-avro and avsc),
 * corrupt files refused, and our manifest list writer read back.  Run
 * from the repository root (the fixtures' path is relative).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iceberg/manifest.h"

#define FIX	"tests/fixtures/manifests/"
#define T	"file:///w/t/data/"
#define MAXREC	16

struct got {
	int			 n;
	struct ice_manifest_ref	 ref[MAXREC];
	char			*path[MAXREC];
	struct ice_field_summary sum[MAXREC][4];
	struct ice_manifest_entry ent[MAXREC];
	char			*fpath[MAXREC];
	char			*part[MAXREC];
	char			*ref_file[MAXREC];
	int64_t			 big_rows;
	int			 stop_after;
};

static void *
slurp(const char *name, size_t *len)
{
	char	 path[256];
	FILE	*f;
	void	*buf;
	long	 n;

	(void)snprintf(path, sizeof(path), FIX "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return (buf);
}

static void
got_free(struct got *g)
{
	int	i;

	for (i = 0; i < MAXREC; i++) {
		free(g->path[i]);
		free(g->fpath[i]);
		free(g->part[i]);
		free(g->ref_file[i]);
	}
}

static int
on_ref(void *arg, const struct ice_manifest_ref *r)
{
	struct got	*g = arg;

	assert_true(g->n < MAXREC);
	assert_true(r->npartitions <= 4);
	g->ref[g->n] = *r;
	g->path[g->n] = strdup(r->path);
	if (r->npartitions > 0)
		memcpy(g->sum[g->n], r->partitions,
		    r->npartitions * sizeof(*r->partitions));
	g->n++;
	return (0);
}

static int
on_entry(void *arg, const struct ice_manifest_entry *e)
{
	struct got	*g = arg;

	if (g->n >= MAXREC) {		/* the 10,000-entry file */
		g->big_rows += e->record_count;
		g->n++;
		return (0);
	}
	g->ent[g->n] = *e;
	g->fpath[g->n] = strdup(e->file_path);
	g->part[g->n] = strdup(e->partition_json);
	if (e->referenced_data_file != NULL)
		g->ref_file[g->n] = strdup(e->referenced_data_file);
	g->big_rows += e->record_count;
	g->n++;
	return (g->stop_after != 0 && g->n >= g->stop_after);
}

static void
read_list(const char *name, struct got *g)
{
	struct pgl_err	 err = { 0 };
	size_t		 len;
	void		*buf = slurp(name, &len);

	memset(g, 0, sizeof(*g));
	if (ice_manifest_list_read(buf, len, on_ref, g, &err) != 0)
		fail_msg("%s: %s", name, err.msg);
	free(buf);
}

static void
read_manifest(const char *name, struct got *g)
{
	struct pgl_err	 err = { 0 };
	size_t		 len;
	void		*buf = slurp(name, &len);

	if (ice_manifest_read(buf, len, on_entry, g, &err) != 0)
		fail_msg("%s: %s", name, err.msg);
	free(buf);
}

static void
test_v1_list_defaults(void **state)
{
	struct got	g;

	read_list("v1-list.avro", &g);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.path[0], T "../metadata/v1-manifest.avro");
	assert_int_equal(g.ref[0].length, 1234);
	assert_int_equal(g.ref[0].content, ICE_CONTENT_DATA);
	assert_int_equal(g.ref[0].sequence_number, 0);
	assert_int_equal(g.ref[0].min_sequence_number, 0);
	assert_int_equal(g.ref[0].added_snapshot_id, 101);
	assert_int_equal(g.ref[0].added_files, 1);	/* v1 names */
	assert_int_equal(g.ref[0].existing_files, 1);
	assert_int_equal(g.ref[0].deleted_files, 1);
	assert_int_equal(g.ref[0].added_rows, 10);
	assert_int_equal(g.ref[0].existing_rows, 20);
	assert_int_equal(g.ref[0].deleted_rows, 5);
	assert_int_equal(g.ref[0].first_row_id, -1);
	assert_null(g.ref[0].partitions);
	got_free(&g);
}

static void
test_v1_manifest(void **state)
{
	struct got	g;

	memset(&g, 0, sizeof(g));
	read_manifest("v1-manifest.avro", &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.fpath[0], T "a.parquet");
	assert_int_equal(g.ent[0].status, 1);
	assert_int_equal(g.ent[0].snapshot_id, 101);
	assert_int_equal(g.ent[0].sequence_number, -1);
	assert_int_equal(g.ent[0].file_sequence_number, -1);
	assert_int_equal(g.ent[0].content, ICE_CONTENT_DATA);
	assert_int_equal(g.ent[0].record_count, 10);
	assert_int_equal(g.ent[0].file_size, 1000);
	assert_string_equal(g.part[0], "{}");
	assert_int_equal(g.ent[1].status, 0);
	assert_int_equal(g.ent[2].status, 2);
	assert_int_equal(g.ent[2].snapshot_id, 101);
	assert_null(g.ref_file[0]);
	assert_int_equal(g.ent[0].content_offset, -1);
	got_free(&g);
}

static void
test_v2_list_with_summaries(void **state)
{
	struct got	g;

	read_list("v2-list.avro", &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ref[0].spec_id, 1);
	assert_int_equal(g.ref[0].content, ICE_CONTENT_DATA);
	assert_int_equal(g.ref[0].sequence_number, 9);
	assert_int_equal(g.ref[0].min_sequence_number, 7);
	assert_int_equal(g.ref[0].added_rows, 101);
	assert_int_equal(g.ref[0].npartitions, 2);
	assert_true(g.sum[0][0].contains_null);
	assert_int_equal(g.sum[0][0].contains_nan, -1);
	assert_int_equal(g.sum[0][0].lower_len, 2);
	assert_int_equal(g.sum[0][1].contains_nan, 0);
	assert_int_equal(g.sum[0][1].upper_len, 4);
	assert_int_equal(g.ref[1].content, ICE_CONTENT_DELETES);
	assert_string_equal(g.path[1], T "../metadata/v2-pos-deletes.avro");
	assert_int_equal(g.ref[1].npartitions, 0);
	got_free(&g);
}

static void
test_v2_partitioned_deflate(void **state)
{
	struct got	g;

	memset(&g, 0, sizeof(g));
	read_manifest("v2-data.avro", &g);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.part[0], "{\"region\":\"eu\",\"id_bucket\":3}");
	assert_int_equal(g.ent[0].sequence_number, -1);	/* inherited */
	assert_int_equal(g.ent[1].sequence_number, 7);
	assert_int_equal(g.ent[1].file_sequence_number, 7);
	assert_string_equal(g.part[2],
	    "{\"region\":null,\"id_bucket\":null}");
	got_free(&g);
}

static void
test_v2_delete_manifests(void **state)
{
	struct got	g;

	memset(&g, 0, sizeof(g));
	read_manifest("v2-pos-deletes.avro", &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ent[0].content, ICE_CONTENT_DELETES);
	assert_string_equal(g.fpath[0], T "region=eu/b=3/pos1.parquet");
	got_free(&g);
	memset(&g, 0, sizeof(g));
	read_manifest("v2-eq-deletes.avro", &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ent[0].content, ICE_CONTENT_EQ_DELETES);
	assert_int_equal(g.ent[0].sequence_number, 9);
	got_free(&g);
}

static void
test_v3_deletion_vector(void **state)
{
	struct got	g;

	memset(&g, 0, sizeof(g));
	read_manifest("v3-dv.avro", &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ent[0].content, ICE_CONTENT_DELETES);
	assert_string_equal(g.fpath[0], T "dv-301.puffin");
	assert_non_null(g.ref_file[0]);
	assert_string_equal(g.ref_file[0], T "a.parquet");
	assert_int_equal(g.ent[0].content_offset, 4);
	assert_int_equal(g.ent[0].content_size, 42);
	assert_null(g.ref_file[1]);
	assert_int_equal(g.ent[1].content_size, -1);
	got_free(&g);
	read_list("v3-list.avro", &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ref[0].first_row_id, 1000);
	assert_int_equal(g.ref[0].npartitions, 0);
	got_free(&g);
}

static void
test_avsc_files(void **state)
{
	struct got	g;

	read_list("avsc-v2-list.avro", &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ref[0].sequence_number, 5);
	assert_int_equal(g.ref[0].deleted_files, 1);
	got_free(&g);
	memset(&g, 0, sizeof(g));
	read_manifest("avsc-v2-manifest.avro", &g);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.part[0], "{\"day\":1}");
	assert_string_equal(g.part[1], "{\"day\":null}");
	assert_int_equal(g.ent[1].status, 2);
	assert_int_equal(g.ent[1].sequence_number, 4);
	assert_int_equal(g.ent[1].file_sequence_number, 3);
	got_free(&g);
}

/* What the integration harness (lib/iceberg_data.js) writes, both ways. */
static void
test_harness_files(void **state)
{
	static const char	*writers[] = { "icebird", "avsc" };
	struct got		 g;
	char			 name[64];
	size_t			 i;

	for (i = 0; i < 2; i++) {
		(void)snprintf(name, sizeof(name), "harness-%s-list.avro",
		    writers[i]);
		read_list(name, &g);
		assert_int_equal(g.n, 1);
		assert_int_equal(g.ref[0].sequence_number, 4);
		assert_int_equal(g.ref[0].min_sequence_number, 3);
		assert_int_equal(g.ref[0].added_snapshot_id, 900);
		assert_int_equal(g.ref[0].npartitions, 2);
		assert_int_equal(g.sum[0][0].lower_len, 2);
		assert_int_equal(g.sum[0][1].contains_nan, -1);
		got_free(&g);
		(void)snprintf(name, sizeof(name), "harness-%s-manifest.avro",
		    writers[i]);
		memset(&g, 0, sizeof(g));
		read_manifest(name, &g);
		assert_int_equal(g.n, 2);
		assert_string_equal(g.fpath[0], T "h1.parquet");
		assert_string_equal(g.part[0],
		    "{\"region\":\"eu\",\"id_bucket\":1}");
		assert_int_equal(g.ent[0].sequence_number, -1);
		assert_int_equal(g.ent[1].status, 0);
		assert_int_equal(g.ent[1].sequence_number, 3);
		assert_int_equal(g.ent[1].file_sequence_number, 2);
		assert_string_equal(g.part[1],
		    "{\"region\":null,\"id_bucket\":3}");
		got_free(&g);
	}
}

static void
test_ten_thousand_entries(void **state)
{
	struct got	*g = calloc(1, sizeof(*g));

	assert_non_null(g);
	read_manifest("v2-10k.avro", g);
	assert_int_equal(g->n, 10000);
	assert_int_equal(g->big_rows, 9999LL * 10000 / 2);
	got_free(g);
	free(g);
}

static void
test_callback_stops(void **state)
{
	struct got	g;

	memset(&g, 0, sizeof(g));
	g.stop_after = 2;
	read_manifest("v1-manifest.avro", &g);
	assert_int_equal(g.n, 2);
	got_free(&g);
}

static void
bad(const char *name, const char *want)
{
	struct pgl_err	 err = { 0 };
	struct got	*g = calloc(1, sizeof(*g));
	size_t		 len;
	void		*buf = slurp(name, &len);

	assert_non_null(g);
	assert_int_equal(ice_manifest_read(buf, len, on_entry, g, &err), -1);
	assert_int_equal(err.code, PGL_EINVAL);
	if (strstr(err.msg, want) == NULL)
		fail_msg("%s: \"%s\" lacks \"%s\"", name, err.msg, want);
	memset(&err, 0, sizeof(err));
	assert_int_equal(ice_manifest_list_read(buf, len, on_ref, g, &err),
	    -1);
	assert_int_equal(err.code, PGL_EINVAL);
	got_free(g);
	free(g);
	free(buf);
}

static void
test_corrupt_inputs(void **state)
{
	struct pgl_err	err = { 0 };
	struct got	g;

	bad("bad-truncated.avro", "truncated");
	bad("bad-magic.avro", "not an Avro");
	bad("bad-garbage.avro", "not an Avro");
	bad("bad-no-file-path.avro", "file_path");
	memset(&g, 0, sizeof(g));
	assert_int_equal(ice_manifest_read("", 0, on_entry, &g, &err), -1);
	assert_int_equal(ice_manifest_read("Obj\001", 4, on_entry, &g, &err),
	    -1);
	/* A manifest is not a manifest list. */
	{
		size_t	 len;
		void	*buf = slurp("v1-manifest.avro", &len);

		assert_int_equal(ice_manifest_list_read(buf, len, on_ref, &g,
		    &err), -1);
		assert_non_null(strstr(err.msg, "manifest_path"));
		free(buf);
	}
}

/* Truncating a good file anywhere fails cleanly or reads a prefix. */
static void
test_every_truncation(void **state)
{
	struct pgl_err	 err;
	struct got	*g = calloc(1, sizeof(*g));
	size_t		 len, i;
	unsigned char	*buf = slurp("v2-data.avro", &len);

	assert_non_null(g);
	for (i = 0; i < len; i++) {
		memset(&err, 0, sizeof(err));
		g->n = MAXREC;		/* count only */
		/* A cut between blocks is a shorter valid file. */
		if (ice_manifest_read(buf, i, on_entry, g, &err) == 0)
			assert_true(g->n - MAXREC < 3);
		else
			assert_int_equal(err.code, PGL_EINVAL);
	}
	free(g);
	free(buf);
}

/* MANIFEST_DUMP=path keeps the written list for an outside reader. */
static void
dump(const void *buf, size_t len)
{
	const char	*path = getenv("MANIFEST_DUMP");
	FILE		*f;

	if (path == NULL || (f = fopen(path, "wb")) == NULL)
		return;
	(void)fwrite(buf, 1, len, f);
	fclose(f);
}

static void
test_write_round_trip(void **state)
{
	static const unsigned char	 lo[] = { 1, 0, 0, 0 };
	struct ice_field_summary	 s[2] = {
		{ 1, -1, "a", 1, "z", 1 }, { 0, 1, lo, 4, NULL, 0 } };
	struct ice_manifest_ref		 refs[2];
	struct ice_manifest_list_head	 h = { 3, 77, 76, 12, 500 };
	struct pgl_err			 err = { 0 };
	struct got			 g;
	void				*out;
	size_t				 len;

	memset(refs, 0, sizeof(refs));
	refs[0].path = "s3://b/t/metadata/m0.avro";
	refs[0].length = 4321;
	refs[0].spec_id = 2;
	refs[0].sequence_number = -1;	/* added now: head's */
	refs[0].min_sequence_number = -1;
	refs[0].added_snapshot_id = 77;
	refs[0].added_files = 3;
	refs[0].added_rows = 30;
	refs[0].first_row_id = 500;
	refs[0].partitions = s;
	refs[0].npartitions = 2;
	refs[1].path = "s3://b/t/metadata/m1.avro";
	refs[1].content = ICE_CONTENT_DELETES;
	refs[1].sequence_number = 5;
	refs[1].min_sequence_number = 4;
	refs[1].added_snapshot_id = 70;
	refs[1].existing_rows = 9;
	refs[1].first_row_id = -1;
	assert_int_equal(ice_manifest_list_write(&h, refs, 2, &out, &len,
	    &err), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ice_manifest_list_read(out, len, on_ref, &g, &err),
	    0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.path[0], "s3://b/t/metadata/m0.avro");
	assert_int_equal(g.ref[0].sequence_number, 12);
	assert_int_equal(g.ref[0].min_sequence_number, 12);
	assert_int_equal(g.ref[0].spec_id, 2);
	assert_int_equal(g.ref[0].first_row_id, 500);
	assert_int_equal(g.ref[0].npartitions, 2);
	assert_int_equal(g.sum[0][0].contains_nan, -1);
	assert_int_equal(g.sum[0][1].contains_nan, 1);
	assert_int_equal(g.sum[0][1].lower_len, 4);
	assert_null(g.sum[0][1].upper);
	assert_int_equal(g.ref[1].content, ICE_CONTENT_DELETES);
	assert_int_equal(g.ref[1].sequence_number, 5);
	assert_int_equal(g.ref[1].min_sequence_number, 4);
	assert_int_equal(g.ref[1].existing_rows, 9);
	assert_int_equal(g.ref[1].first_row_id, -1);
	/* The metadata keys a reader looks for are in the header. */
	assert_non_null(memmem(out, len, "\"field-id\":500", 14));
	assert_non_null(memmem(out, len, "sequence-number", 15));
	assert_non_null(memmem(out, len, "first-row-id", 12));
	assert_non_null(memmem(out, len, "parent-snapshot-id\00476", 21));
	dump(out, len);
	got_free(&g);
	free(out);
}

static void
test_write_v1_and_empty(void **state)
{
	struct ice_manifest_ref		 ref;
	struct ice_manifest_list_head	 h = { 1, 5, -1, 0, -1 };
	struct pgl_err			 err = { 0 };
	struct got			 g;
	void				*out;
	size_t				 len;

	memset(&ref, 0, sizeof(ref));
	ref.path = "file:///t/m.avro";
	ref.added_snapshot_id = 5;
	ref.added_rows = 2;
	assert_int_equal(ice_manifest_list_write(&h, &ref, 1, &out, &len,
	    &err), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ice_manifest_list_read(out, len, on_ref, &g, &err),
	    0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ref[0].added_rows, 2);
	assert_int_equal(g.ref[0].sequence_number, 0);
	assert_null(memmem(out, len, "sequence-number", 15));
	assert_non_null(memmem(out, len, "parent-snapshot-id\010null", 23));
	got_free(&g);
	free(out);
	h.format_version = 2;
	assert_int_equal(ice_manifest_list_write(&h, NULL, 0, &out, &len,
	    &err), 0);
	memset(&g, 0, sizeof(g));
	assert_int_equal(ice_manifest_list_read(out, len, on_ref, &g, &err),
	    0);
	assert_int_equal(g.n, 0);
	free(out);
	/* v1 has no delete manifests; version 4 does not exist. */
	ref.content = ICE_CONTENT_DELETES;
	h.format_version = 1;
	assert_int_equal(ice_manifest_list_write(&h, &ref, 1, &out, &len,
	    &err), -1);
	h.format_version = 4;
	assert_int_equal(ice_manifest_list_write(&h, NULL, 0, &out, &len,
	    &err), -1);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v1_list_defaults),
		cmocka_unit_test(test_v1_manifest),
		cmocka_unit_test(test_v2_list_with_summaries),
		cmocka_unit_test(test_v2_partitioned_deflate),
		cmocka_unit_test(test_v2_delete_manifests),
		cmocka_unit_test(test_v3_deletion_vector),
		cmocka_unit_test(test_avsc_files),
		cmocka_unit_test(test_harness_files),
		cmocka_unit_test(test_ten_thousand_entries),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_corrupt_inputs),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_write_round_trip),
		cmocka_unit_test(test_write_v1_and_empty),
	};

	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
