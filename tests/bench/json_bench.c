/*
 * A metadata file's rendering, jansson's json_dumps beside pgl_json_out
 * (src/util/json_out.c), with the flags of ice_render_metadata (COMPACT |
 * PRESERVE_ORDER | ENCODE_ANY | REAL_PRECISION(17)); and its reading,
 * json_loadb (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) beside
 * pgl_json_in (src/util/json_in.c), as a commit reads its base.
 *
 *   json_bench [N]   ->  "bytes B json_dumps_us X json_out_us Y speedup Zx"
 *                        "bytes B json_loadb_us X json_in_us Y speedup Zx"
 *
 * The tree is what a table's metadata file holds after some life: one
 * schema of 20 fields (one with a double default), a partition spec, a
 * sort order, 10 properties, 5 snapshots with summaries and their log,
 * refs, and a metadata-log of 100 entries (~18 KB of text).  Each writer
 * renders it N times (default 20,000) in batches of N/20, the two
 * alternating batch by batch so that other load on the machine hits both
 * alike; each figure is the median batch's thread CPU time per render
 * (or read).  Exit 1 when the two texts, or the two trees read, differ.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "util/json_in.h"
#include "util/json_out.h"

#define BATCHES		20
#define FLAGS		(JSON_COMPACT | JSON_PRESERVE_ORDER | \
			 JSON_ENCODE_ANY | JSON_REAL_PRECISION(17))
#define LOC		"s3://warehouse/db/events"
#define UUID		"9c12d441-03fe-4693-9a96-a0705ddf69c1"
#define T0		1700000000000LL

static json_t *
field(int id, const char *name, const char *type, int required)
{
	return (json_pack("{s:i, s:s, s:b, s:s}", "id", id, "name", name,
	    "required", required, "type", type));
}

static json_t *
metadata(void)
{
	static const char	*types[] = { "long", "string", "timestamptz",
				    "int", "double", "boolean", "date",
				    "decimal(10,2)", "binary", "uuid" };
	json_t			*md, *fields, *snaps, *slog, *mlog, *f, *props;
	char			 name[64], path[256];
	int			 i;

	fields = json_array();
	for (i = 1; i <= 20; i++) {
		(void)snprintf(name, sizeof(name), "column_%02d_%s", i,
		    i % 3 ? "value" : "attribute");
		f = field(i, name, types[i % 10], i == 1);
		if (i == 5)
			json_object_set_new(f, "write-default", json_real(0.1));
		if (i % 4 == 0)
			json_object_set_new(f, "doc", json_string("A column's "
			    "description, as a catalog shows it: \"quoted\"."));
		json_array_append_new(fields, f);
	}
	props = json_object();
	for (i = 0; i < 10; i++) {
		(void)snprintf(name, sizeof(name), "write.property.%d", i);
		json_object_set_new(props, name, json_string(i % 2 ?
		    "snappy" : "134217728"));
	}
	snaps = json_array();
	slog = json_array();
	for (i = 1; i <= 5; i++) {
		(void)snprintf(path, sizeof(path), LOC "/metadata/snap-%d-1-"
		    UUID ".avro", 1000 + i);
		json_array_append_new(snaps, json_pack("{s:I, s:I, s:I, s:I, "
		    "s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:i}",
		    "snapshot-id", (json_int_t)(4200000000000000000LL + i),
		    "parent-snapshot-id", (json_int_t)(4200000000000000000LL +
		    i - 1), "sequence-number", (json_int_t)i,
		    "timestamp-ms", (json_int_t)(T0 + i * 60000),
		    "manifest-list", path, "summary", "operation", "append",
		    "added-data-files", "12", "added-records", "1048576",
		    "total-records", "52428800", "total-data-files", "600",
		    "total-files-size", "7516192768", "schema-id", 0));
		json_array_append_new(slog, json_pack("{s:I, s:I}",
		    "timestamp-ms", (json_int_t)(T0 + i * 60000), "snapshot-id",
		    (json_int_t)(4200000000000000000LL + i)));
	}
	mlog = json_array();
	for (i = 1; i <= 100; i++) {
		(void)snprintf(path, sizeof(path), LOC "/metadata/%05d-" UUID
		    ".metadata.json", i);
		json_array_append_new(mlog, json_pack("{s:I, s:s}",
		    "timestamp-ms", (json_int_t)(T0 + i * 1000),
		    "metadata-file", path));
	}
	md = json_pack("{s:i, s:s, s:s, s:I, s:I, s:i, s:i, s:[{s:s, s:i, "
	    "s:o}], s:i, s:[{s:i, s:[{s:s, s:s, s:i, s:i}]}], s:i, s:i, "
	    "s:[{s:i, s:[{s:s, s:i, s:s, s:s}]}], s:o, s:I, s:{s:{s:I, s:s}}, "
	    "s:o, s:[], s:o, s:o}",
	    "format-version", 2, "table-uuid", UUID, "location", LOC,
	    "last-sequence-number", (json_int_t)5, "last-updated-ms",
	    (json_int_t)(T0 + 300000), "last-column-id", 20,
	    "current-schema-id", 0,
	    "schemas", "type", "struct", "schema-id", 0, "fields", fields,
	    "default-spec-id", 0,
	    "partition-specs", "spec-id", 0, "fields", "name", "ts_day",
	    "transform", "day", "source-id", 3, "field-id", 1000,
	    "last-partition-id", 1000, "default-sort-order-id", 1,
	    "sort-orders", "order-id", 1, "fields", "transform", "identity",
	    "source-id", 1, "direction", "asc", "null-order", "nulls-first",
	    "properties", props,
	    "current-snapshot-id", (json_int_t)(4200000000000000005LL),
	    "refs", "main", "snapshot-id", (json_int_t)4200000000000000005LL,
	    "type", "branch",
	    "snapshots", snaps, "statistics", "snapshot-log", slog,
	    "metadata-log", mlog);
	return (md);
}

static double
cpu_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (ts.tv_sec * 1e6 + ts.tv_nsec / 1e3);
}

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

static json_t *
load_jansson(const char *text, size_t len)
{
	return (json_loadb(text, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, NULL));
}

static json_t *
load_ours(const char *text, size_t len)
{
	return (pgl_json_in(text, len, NULL, 0));
}

/*
 * Reading text: json_loadb beside pgl_json_in, batch by batch; the
 * medians in jl and ji.  -1 when a tree read differs from the other's.
 */
static int
reads(const char *text, long per, double *jl, double *ji)
{
	double	 l[BATCHES], o[BATCHES], t;
	size_t	 len = strlen(text);
	json_t	*x, *y;
	char	*a, *b;
	long	 i;
	int	 k, same;

	x = load_jansson(text, len);
	y = load_ours(text, len);
	a = x != NULL ? json_dumps(x, FLAGS) : NULL;
	b = y != NULL ? json_dumps(y, FLAGS) : NULL;
	same = a != NULL && b != NULL && strcmp(a, b) == 0;
	free(a);
	free(b);
	json_decref(x);
	json_decref(y);
	if (!same)
		return (-1);
	for (k = 0; k < BATCHES; k++) {
		t = cpu_now();
		for (i = 0; i < per; i++)
			json_decref(load_jansson(text, len));
		l[k] = (cpu_now() - t) / per;
		t = cpu_now();
		for (i = 0; i < per; i++)
			json_decref(load_ours(text, len));
		o[k] = (cpu_now() - t) / per;
	}
	qsort(l, BATCHES, sizeof(l[0]), cmp_double);
	qsort(o, BATCHES, sizeof(o[0]), cmp_double);
	*jl = l[BATCHES / 2];
	*ji = o[BATCHES / 2];
	return (0);
}

int
main(int argc, char **argv)
{
	double		 jd[BATCHES], jo[BATCHES], t, jl, ji;
	json_t		*md;
	char		*a, *b;
	long		 n = argc > 1 ? strtol(argv[1], NULL, 10) : 20000;
	long		 per, i;
	int		 k;

	if (n < BATCHES) {
		fprintf(stderr, "usage: json_bench [N >= %d]\n", BATCHES);
		return (2);
	}
	per = n / BATCHES;
	if ((md = metadata()) == NULL) {
		fprintf(stderr, "json_bench: cannot build the tree\n");
		return (2);
	}
	a = json_dumps(md, FLAGS);
	b = pgl_json_out(md, 17, NULL);
	if (a == NULL || b == NULL || strcmp(a, b) != 0) {
		fprintf(stderr, "json_bench: the texts differ\n");
		return (1);
	}
	for (k = 0; k < BATCHES; k++) {
		t = cpu_now();
		for (i = 0; i < per; i++)
			free(json_dumps(md, FLAGS));
		jd[k] = (cpu_now() - t) / per;
		t = cpu_now();
		for (i = 0; i < per; i++)
			free(pgl_json_out(md, 17, NULL));
		jo[k] = (cpu_now() - t) / per;
	}
	qsort(jd, BATCHES, sizeof(jd[0]), cmp_double);
	qsort(jo, BATCHES, sizeof(jo[0]), cmp_double);
	printf("bytes %zu json_dumps_us %.2f json_out_us %.2f speedup %.1fx\n",
	    strlen(a), jd[BATCHES / 2], jo[BATCHES / 2],
	    jd[BATCHES / 2] / jo[BATCHES / 2]);
	if (reads(a, per, &jl, &ji) == -1) {
		fprintf(stderr, "json_bench: the trees read differ\n");
		return (1);
	}
	printf("bytes %zu json_loadb_us %.2f json_in_us %.2f speedup %.1fx\n",
	    strlen(a), jl, ji, jl / ji);
	free(a);
	free(b);
	json_decref(md);
	return (0);
}
