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
#include "iceberg/manifest_avro.h"	/* the test writer's encoding */

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

/* --- full entries (ice_manifest_read_full) ------------------------------ */

/*
 * A v2/v3 manifest with every field the full reader takes, written here
 * with the schema text as it is (its field-id attributes) and records
 * encoded by hand: partition fields of every physical type, the metric
 * maps as Iceberg writes them (arrays of key/value records) and one as
 * a real Avro map with string keys.
 */
#define KV(n, v)	"{\"type\":\"array\",\"items\":{\"type\":\"record\"," \
	"\"name\":\"" n "\",\"fields\":[{\"name\":\"key\",\"type\":\"int\"}," \
	"{\"name\":\"value\",\"type\":\"" v "\"}]}}"
#define OPT(n, t, id)	"{\"name\":\"" n "\",\"type\":[\"null\"," t "]," \
	"\"field-id\":" #id "}"

static const char full_schema[] =
    "{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
    "{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
    OPT("snapshot_id", "\"long\"", 1) ","
    OPT("sequence_number", "\"long\"", 3) ","
    OPT("file_sequence_number", "\"long\"", 4) ","
    "{\"name\":\"data_file\",\"field-id\":2,\"type\":{\"type\":\"record\","
    "\"name\":\"r2\",\"fields\":["
    "{\"name\":\"content\",\"type\":\"int\",\"field-id\":134},"
    "{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"
    "{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"
    "{\"name\":\"partition\",\"field-id\":102,\"type\":{\"type\":\"record\","
    "\"name\":\"r102\",\"fields\":["
    OPT("p_int", "{\"type\":\"int\",\"logicalType\":\"date\"}", 1000) ","
    "{\"name\":\"p_long\",\"type\":\"long\",\"field-id\":1001},"
    OPT("p_float", "\"float\"", 1002) ","
    "{\"name\":\"p_double\",\"type\":\"double\",\"field-id\":1003},"
    "{\"name\":\"p_bool\",\"type\":\"boolean\",\"field-id\":1004},"
    OPT("p_str", "\"string\"", 1005) ","
    OPT("p_bytes", "\"bytes\"", 1006) ","
    "{\"name\":\"p_fixed\",\"type\":{\"type\":\"fixed\",\"name\":\"f4\","
    "\"size\":4},\"field-id\":1007},"
    "{\"name\":\"p_noid\",\"type\":\"int\"}]}},"
    "{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"
    "{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104},"
    OPT("column_sizes", KV("k117_v118", "long"), 108) ","
    OPT("value_counts", KV("k119_v120", "long"), 109) ","
    OPT("null_value_counts", KV("k121_v122", "long"), 110) ","
    OPT("nan_value_counts", KV("k138_v139", "long"), 137) ","
    OPT("lower_bounds", KV("k126_v127", "bytes"), 125) ","
    OPT("upper_bounds", "{\"type\":\"map\",\"values\":\"bytes\"}", 128) ","
    OPT("key_metadata", "\"bytes\"", 131) ","
    OPT("split_offsets", "{\"type\":\"array\",\"items\":\"long\"}", 132) ","
    OPT("equality_ids", "{\"type\":\"array\",\"items\":\"int\"}", 135) ","
    OPT("sort_order_id", "\"int\"", 140) ","
    OPT("first_row_id", "\"long\"", 142) "]}}]}";

static const unsigned char sync16[16] = "0123456789abcdef";

/* An int-keyed metric map as an array of pairs; n 0 writes null. */
static void
w_kv(struct ice_avro_buf *b, const int *keys, const int64_t *vals,
    const char *const *bytes, size_t n)
{
	size_t	i;

	ice_avro_long(b, n == 0 ? 0 : 1);	/* union branch */
	if (n == 0)
		return;
	ice_avro_long(b, (int64_t)n);
	for (i = 0; i < n; i++) {
		ice_avro_long(b, keys[i]);
		if (bytes != NULL)	/* a bound: its length in vals */
			ice_avro_bytes(b, bytes[i], (size_t)vals[i]);
		else
			ice_avro_long(b, vals[i]);
	}
	ice_avro_long(b, 0);
}

/* Entry 0: every field set; entry 1: nulls and no metrics. */
static void
w_entry(struct ice_avro_buf *b, int which)
{
	static const int	 cs_k[] = { 1, 2 }, vc_k[] = { 2, 1, 3 };
	static const int	 nc_k[] = { 1 }, nan_k[] = { 3 }, lo_k[] = { 1, 2 };
	static const int64_t	 cs_v[] = { 100, 200 }, vc_v[] = { 10, 10, 5 };
	static const int64_t	 nc_v[] = { 0 }, nan_v[] = { 1 };
	static const int64_t	 lo_n[] = { 4, 1 };
	static const char *const lo_b[] = { "\001\000\000\000", "a" };
	float			 fl = 1.5f;
	double			 d = -2.25;
	int			 full = which == 0;

	ice_avro_long(b, 1);			/* status */
	ice_avro_long(b, 1);
	ice_avro_long(b, 55);			/* snapshot_id */
	ice_avro_long(b, 0);			/* sequence_number: null */
	ice_avro_long(b, 1);
	ice_avro_long(b, 6);			/* file_sequence_number */
	ice_avro_long(b, full ? 2 : 0);		/* content */
	ice_avro_str(b, full ? "s3://b/f0.parquet" : "s3://b/f1.parquet");
	ice_avro_str(b, "PARQUET");
	/* partition */
	ice_avro_long(b, full);
	if (full)
		ice_avro_long(b, 19000);	/* p_int */
	ice_avro_long(b, full ? -5000000000LL : 7);	/* p_long */
	ice_avro_long(b, full);
	if (full)
		ice_avro_raw(b, &fl, 4);	/* p_float */
	ice_avro_raw(b, &d, 8);			/* p_double */
	ice_avro_raw(b, full ? "\001" : "\000", 1);	/* p_bool */
	ice_avro_long(b, full);
	if (full)
		ice_avro_str(b, "eu-west");	/* p_str */
	ice_avro_long(b, 1);
	ice_avro_bytes(b, "\000\377", full ? 2 : 0);	/* p_bytes */
	ice_avro_raw(b, "\001\002\003\004", 4);		/* p_fixed */
	ice_avro_long(b, 42);				/* p_noid */
	ice_avro_long(b, full ? 10 : 3);	/* record_count */
	ice_avro_long(b, 4096);			/* file_size_in_bytes */
	w_kv(b, cs_k, cs_v, NULL, full ? 2 : 0);
	w_kv(b, vc_k, vc_v, NULL, full ? 3 : 0);
	w_kv(b, nc_k, nc_v, NULL, full ? 1 : 0);
	w_kv(b, nan_k, nan_v, NULL, full ? 1 : 0);
	w_kv(b, lo_k, lo_n, lo_b, full ? 2 : 0);
	ice_avro_long(b, full);			/* upper_bounds: a map */
	if (full) {
		ice_avro_long(b, 2);
		ice_avro_str(b, "2");
		ice_avro_str(b, "z");
		ice_avro_str(b, "1");
		ice_avro_bytes(b, "\011\000\000\000", 4);
		ice_avro_long(b, 0);
	}
	ice_avro_long(b, full);
	if (full)
		ice_avro_bytes(b, "K\000M", 3);	/* key_metadata */
	ice_avro_long(b, full);
	if (full) {
		ice_avro_long(b, 2);		/* split_offsets */
		ice_avro_long(b, 4);
		ice_avro_long(b, 1LL << 40);
		ice_avro_long(b, 0);
	}
	ice_avro_long(b, full);
	if (full) {
		ice_avro_long(b, 2);		/* equality_ids */
		ice_avro_long(b, 1);
		ice_avro_long(b, 3);
		ice_avro_long(b, 0);
	}
	ice_avro_long(b, full);
	if (full)
		ice_avro_long(b, 1);		/* sort_order_id */
	ice_avro_long(b, full);
	if (full)
		ice_avro_long(b, 1000);		/* first_row_id */
}

/* A container of schema and n records of w_entry (0, 1, 0, 1...). */
static void *
full_manifest(const char *schema, size_t n, size_t *len)
{
	struct ice_avro_buf	 b = { 0 }, blk = { 0 };
	size_t			 i;

	ice_avro_raw(&b, "Obj\001", 4);
	ice_avro_long(&b, 1);
	ice_avro_str(&b, "avro.schema");
	ice_avro_str(&b, schema);
	ice_avro_long(&b, 0);
	ice_avro_raw(&b, sync16, 16);
	for (i = 0; i < n; i++)
		w_entry(&blk, (int)(i % 2));
	ice_avro_long(&b, (int64_t)n);
	ice_avro_bytes(&b, blk.p, blk.len);
	ice_avro_raw(&b, sync16, 16);
	assert_false(b.oom || blk.oom);
	free(blk.p);
	*len = b.len;
	return (b.p);
}

struct fullgot {
	int	n;
	int	stop_after;
	int64_t	rows;
	void	(*check)(int, const struct ice_manifest_full *);
};

static int
on_full(void *arg, const struct ice_manifest_full *f)
{
	struct fullgot	*g = arg;

	assert_null(f->e.partition_json);
	assert_non_null(f->e.file_path);
	if (g->check != NULL)
		g->check(g->n, f);
	g->rows += f->e.record_count;
	g->n++;
	return (g->stop_after != 0 && g->n >= g->stop_after);
}

static void
check_partition(int n, const struct ice_manifest_full *f)
{
	static const int32_t	 ids[] = { 1000, 1001, 1002, 1003, 1004,
				    1005, 1006, 1007, -1 };
	const struct ice_value	*p = f->partition;

	assert_int_equal(f->npartition, 9);
	assert_memory_equal(f->partition_ids, ids, sizeof(ids));
	assert_int_equal(p[0].tid, ICE_T_INT);
	assert_int_equal(p[1].tid, ICE_T_LONG);
	assert_int_equal(p[2].tid, ICE_T_FLOAT);
	assert_int_equal(p[3].tid, ICE_T_DOUBLE);
	assert_int_equal(p[4].tid, ICE_T_BOOLEAN);
	assert_int_equal(p[5].tid, ICE_T_STRING);
	assert_int_equal(p[6].tid, ICE_T_BINARY);
	assert_int_equal(p[7].tid, ICE_T_FIXED);
	assert_int_equal(p[8].tid, ICE_T_INT);
	assert_true(p[3].u.d == -2.25);
	assert_memory_equal(p[7].u.s.p, "\001\002\003\004", 4);
	assert_int_equal(p[7].u.s.n, 4);
	assert_int_equal(p[8].u.i, 42);
	if (n % 2 == 0) {
		assert_false(p[0].is_null);
		assert_int_equal(p[0].u.i, 19000);
		assert_int_equal(p[1].u.i, -5000000000LL);
		assert_true(p[2].u.d == 1.5);
		assert_int_equal(p[4].u.b, 1);
		assert_int_equal(p[5].u.s.n, 7);
		assert_memory_equal(p[5].u.s.p, "eu-west", 7);
		assert_int_equal(p[6].u.s.n, 2);
		assert_memory_equal(p[6].u.s.p, "\000\377", 2);
	} else {
		/* A null keeps its field's type. */
		assert_true(p[0].is_null);
		assert_true(p[2].is_null);
		assert_true(p[5].is_null);
		assert_int_equal(p[5].tid, ICE_T_STRING);
		assert_int_equal(p[1].u.i, 7);
		assert_int_equal(p[4].u.b, 0);
		assert_false(p[6].is_null);	/* empty bytes */
		assert_int_equal(p[6].u.s.n, 0);
	}
}

static void
check_full(int n, const struct ice_manifest_full *f)
{
	const struct ice_col_metrics	*c = f->cols;

	check_partition(n, f);
	assert_int_equal(f->e.snapshot_id, 55);
	assert_int_equal(f->e.sequence_number, -1);
	assert_int_equal(f->e.file_sequence_number, 6);
	if (n % 2 == 1) {
		assert_int_equal(f->e.content, ICE_CONTENT_DATA);
		assert_string_equal(f->e.file_path, "s3://b/f1.parquet");
		assert_null(f->cols);
		assert_int_equal(f->ncols, 0);
		assert_null(f->equality_ids);
		assert_null(f->split_offsets);
		assert_null(f->key_metadata);
		assert_int_equal(f->sort_order_id, -1);
		assert_int_equal(f->first_row_id, -1);
		return;
	}
	assert_int_equal(f->e.content, ICE_CONTENT_EQ_DELETES);
	assert_string_equal(f->e.file_path, "s3://b/f0.parquet");
	/* Six maps merged into one row per column, sorted by id. */
	assert_int_equal(f->ncols, 3);
	assert_int_equal(c[0].id, 1);
	assert_int_equal(c[0].column_size, 100);
	assert_int_equal(c[0].value_count, 10);
	assert_int_equal(c[0].null_count, 0);
	assert_int_equal(c[0].nan_count, -1);
	assert_int_equal(c[0].lower_len, 4);
	assert_memory_equal(c[0].lower, "\001\000\000\000", 4);
	assert_int_equal(c[0].upper_len, 4);
	assert_memory_equal(c[0].upper, "\011\000\000\000", 4);
	assert_int_equal(c[1].id, 2);
	assert_int_equal(c[1].column_size, 200);
	assert_int_equal(c[1].null_count, -1);
	assert_memory_equal(c[1].lower, "a", 1);
	assert_memory_equal(c[1].upper, "z", 1);
	assert_int_equal(c[2].id, 3);
	assert_int_equal(c[2].column_size, -1);
	assert_int_equal(c[2].value_count, 5);
	assert_int_equal(c[2].nan_count, 1);
	assert_null(c[2].lower);
	assert_null(c[2].upper);
	assert_int_equal(f->nequality_ids, 2);
	assert_int_equal(f->equality_ids[0], 1);
	assert_int_equal(f->equality_ids[1], 3);
	assert_int_equal(f->nsplit_offsets, 2);
	assert_int_equal(f->split_offsets[1], 1LL << 40);
	assert_int_equal(f->key_metadata_len, 3);
	assert_memory_equal(f->key_metadata, "K\000M", 3);
	assert_int_equal(f->sort_order_id, 1);
	assert_int_equal(f->first_row_id, 1000);
}

static void
test_full_metrics_and_partition_types(void **state)
{
	struct pgl_err	 err = { 0 };
	struct fullgot	 g = { 0 };
	size_t		 len;
	void		*buf = full_manifest(full_schema, 6, &len);

	g.check = check_full;
	if (ice_manifest_read_full(buf, len, on_full, &g, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(g.n, 6);
	assert_int_equal(g.rows, 39);
	dump(buf, len);		/* MANIFEST_DUMP: the fuzz corpus's seed */
	free(buf);
}

/* The readers that share the walk: same entries, the tuple as JSON. */
static void
test_full_file_read_by_all(void **state)
{
	struct pgl_err	 err = { 0 };
	struct got	*g = calloc(1, sizeof(*g));
	size_t		 len;
	void		*buf = full_manifest(full_schema, 2, &len);

	assert_non_null(g);
	assert_int_equal(ice_manifest_read(buf, len, on_entry, g, &err), 0);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->ent[0].content, ICE_CONTENT_EQ_DELETES);
	assert_non_null(strstr(g->part[0], "\"p_str\":\"eu-west\""));
	assert_non_null(strstr(g->part[1], "\"p_str\":null"));
	got_free(g);
	free(g);
	free(buf);
}

static void
check_v2_data(int n, const struct ice_manifest_full *f)
{
	static const int32_t	ids[] = { 1000, 1001 };

	assert_int_equal(f->npartition, 2);
	assert_memory_equal(f->partition_ids, ids, sizeof(ids));
	assert_int_equal(f->partition[0].tid, ICE_T_STRING);
	assert_int_equal(f->partition[1].tid, ICE_T_INT);
	assert_null(f->cols);
	assert_int_equal(f->sort_order_id, -1);
	assert_int_equal(f->first_row_id, -1);
	if (n == 0) {
		assert_int_equal(f->partition[0].u.s.n, 2);
		assert_memory_equal(f->partition[0].u.s.p, "eu", 2);
		assert_int_equal(f->partition[1].u.i, 3);
		assert_int_equal(f->e.sequence_number, -1);
	}
	if (n == 1)
		assert_int_equal(f->e.sequence_number, 7);
	if (n == 2) {
		assert_true(f->partition[0].is_null);
		assert_true(f->partition[1].is_null);
		assert_int_equal(f->partition[1].tid, ICE_T_INT);
	}
}

static void
check_unpartitioned(int n, const struct ice_manifest_full *f)
{
	assert_int_equal(f->npartition, 0);
	assert_null(f->partition);
	assert_null(f->cols);
	assert_null(f->equality_ids);
	assert_int_equal(f->first_row_id, -1);
}

static void
check_eq(int n, const struct ice_manifest_full *f)
{
	assert_int_equal(f->e.content, ICE_CONTENT_EQ_DELETES);
	assert_int_equal(f->nequality_ids, 1);
	assert_int_equal(f->equality_ids[0], 1);
}

static void
check_dv(int n, const struct ice_manifest_full *f)
{
	check_unpartitioned(n, f);
	if (n == 0) {
		assert_string_equal(f->e.referenced_data_file,
		    T "a.parquet");
		assert_int_equal(f->e.content_size, 42);
	}
}

static void
read_full_fixture(const char *name, void (*check)(int,
    const struct ice_manifest_full *), int want)
{
	struct pgl_err	 err = { 0 };
	struct fullgot	 g = { 0 };
	size_t		 len;
	void		*buf = slurp(name, &len);

	g.check = check;
	if (ice_manifest_read_full(buf, len, on_full, &g, &err) != 0)
		fail_msg("%s: %s", name, err.msg);
	assert_int_equal(g.n, want);
	free(buf);
}

static void
test_full_v1_v2_v3_fixtures(void **state)
{
	read_full_fixture("v1-manifest.avro", check_unpartitioned, 3);
	read_full_fixture("v2-data.avro", check_v2_data, 3);
	read_full_fixture("v2-eq-deletes.avro", check_eq, 1);
	read_full_fixture("v3-dv.avro", check_dv, 2);
	read_full_fixture("avsc-v2-manifest.avro", NULL, 2);
	read_full_fixture("harness-icebird-manifest.avro", NULL, 2);
	read_full_fixture("harness-avsc-manifest.avro", NULL, 2);
	read_full_fixture("v2-10k.avro", NULL, 10000);
}

static void
test_full_callback_stops(void **state)
{
	struct pgl_err	 err = { 0 };
	struct fullgot	 g = { 0 };
	size_t		 len;
	void		*buf = full_manifest(full_schema, 5, &len);

	g.stop_after = 2;
	assert_int_equal(ice_manifest_read_full(buf, len, on_full, &g, &err),
	    0);
	assert_int_equal(g.n, 2);
	free(buf);
}

static void
full_bad(const void *buf, size_t len, const char *want)
{
	struct pgl_err	 err = { 0 };
	struct fullgot	 g = { 0 };

	assert_int_equal(ice_manifest_read_full(buf, len, on_full, &g, &err),
	    -1);
	assert_int_equal(err.code, PGL_EINVAL);
	if (strstr(err.msg, want) == NULL)
		fail_msg("\"%s\" lacks \"%s\"", err.msg, want);
}

/* s with the 5 characters ("int") ending at the end of after replaced. */
static char *
edited(const char *s, const char *after, const char *with)
{
	const char	*at = strstr(s, after);
	char		*out;
	size_t		 pre;

	assert_non_null(at);
	pre = (size_t)(at - s) + strlen(after) - 5;
	out = malloc(strlen(s) + strlen(with) + 1);
	assert_non_null(out);
	memcpy(out, s, pre);
	strcpy(out + pre, with);
	strcat(out, s + pre + 5);
	return (out);
}

static void
test_full_corrupt_inputs(void **state)
{
	static const char	*files[][2] = {
		{ "bad-truncated.avro", "truncated" },
		{ "bad-magic.avro", "not an Avro" },
		{ "bad-garbage.avro", "not an Avro" },
		{ "bad-no-file-path.avro", "file_path" } };
	struct pgl_err		 err;
	struct fullgot		 g;
	unsigned char		*buf;
	char			*schema, *at;
	size_t			 len, i;

	for (i = 0; i < 4; i++) {
		buf = slurp(files[i][0], &len);
		full_bad(buf, len, files[i][1]);
		free(buf);
	}
	full_bad("", 0, "not an Avro");
	/* A metric map whose values are not counts. */
	schema = strdup(full_schema);
	assert_non_null(schema);
	at = strstr(schema, "k117_v118");
	at = strstr(at, "\"long\"");
	memcpy(at, "\"int\" ", 6);	/* a count as int still reads */
	buf = full_manifest(schema, 2, &len);
	memset(&g, 0, sizeof(g));
	memset(&err, 0, sizeof(err));
	assert_int_equal(ice_manifest_read_full(buf, len, on_full, &g, &err),
	    0);
	free(buf);
	/* A bound keyed by a long, not a field id (the same encoding). */
	free(schema);
	schema = edited(full_schema, "k126_v127\",\"fields\":[{\"name\":"
	    "\"key\",\"type\":\"int\"", "\"long\"");
	buf = full_manifest(schema, 2, &len);
	full_bad(buf, len, "not a field id");
	free(buf);
	free(schema);
	/* Every truncation of a good file: -1 with a message, or a prefix. */
	buf = full_manifest(full_schema, 3, &len);
	for (i = 0; i < len; i++) {
		memset(&g, 0, sizeof(g));
		memset(&err, 0, sizeof(err));
		if (ice_manifest_read_full(buf, i, on_full, &g, &err) == 0)
			assert_int_equal(g.n, 0);
		else
			assert_int_equal(err.code, PGL_EINVAL);
	}
	free(buf);
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
		cmocka_unit_test(test_full_metrics_and_partition_types),
		cmocka_unit_test(test_full_file_read_by_all),
		cmocka_unit_test(test_full_v1_v2_v3_fixtures),
		cmocka_unit_test(test_full_callback_stops),
		cmocka_unit_test(test_full_corrupt_inputs),
	};

	if (getenv("TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
