/*
 * Search bench (issue 26): the store's search_assets, through its text
 * index (SQLite FTS5 trigram, PostgreSQL pg_trgm), next to a plain LIKE
 * scan of the same rows, both timed in the same run on the same
 * database.
 *
 *	search_bench -p build/release/plugins/store-sqlite.so -o path=/tmp/s.db
 *	search_bench -p .../store-postgres.so \
 *	    -o 'url=postgresql://postgres@127.0.0.1:55432/pangolin;schema=s1'
 *
 *	-p plugin	the store plugin
 *	-o opts		its options ("k=v;k=v"); the LIKE scan opens the same
 *			database itself (SQLite's path, PostgreSQL's url and
 *			schema)
 *	-n assets	assets to seed (default 100000)
 *	-r runs		runs per row, the median is printed (default 9)
 *	-s		seed only (for the HTTP bench), then print the queries
 *			("label<TAB>text<TAB>tags JSON", one a line)
 *	-l samples	the latency rows instead (issue 69): per shape of
 *			query, samples searches each with its own text drawn
 *			from the seed (a different asset each time), p50 and
 *			p99 (no scan); at most 1000
 *	-t		the scale bench's bulk loader instead (issue 69,
 *			tests/bench/scale.sh): a catalog of -n tables, in
 *			a hundredth as many namespaces, a fifth of them in
 *			one, copies of the first table (made over HTTP);
 *			see "a catalog of tables" below
 *
 * The seed, in the default tenant (the nil UUID, which a no-auth server
 * serves): catalog "bench" with 100 namespaces and N assets on main,
 * named "<word>_<word>_<i>" from 256 made-up words; every third has a
 * description "quarterly <word> figures" and every tenth a tag "tagK"
 * (K < 50).  One transaction per 10,000 assets; not timed.
 *
 * Each row runs one query both ways, alternating (index, scan, index,
 * ...) after one untimed warm-up: the index is search_assets (a page of
 * 50 and the total, as /api/v1/assets/search asks); the scan is the same
 * page and count by LIKE (ILIKE on PostgreSQL) over assets joined with
 * their business metadata, the way a store without a text index answers.
 * Both must find the same total, or the bench fails.
 *
 * stdout: "backend|query|N|hits|index ms|index cpu ms|scan ms|speed-up"
 * per row after a "#" header (with -l: "backend|shape|N|mean hits|p50 ms|
 * p99 ms|cpu p50 ms|cpu p99 ms") (cpu: SQLite's, which runs in this process;
 * "-" for a server).  Exit 2 on a store error or a disagreement.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "pangolin/store.h"
#include "util/arena.h"
#include "util/location.h"
#include "util/name_fold.h"

#define TENANT		"00000000-0000-0000-0000-000000000000"
#define CATALOG		"bench"
#define NNS		100
#define MAX_RUNS	31
#define BATCH		10000
#define MAX_SAMPLES	1000
#define SHORT_SAMPLES	20	/* 1 and 2 characters: p99 is their max */

struct bench {
	const struct pgl_store_ops	*ops;
	struct pgl_store		*s;
	struct pgl_err			 err;
	const char			*backend;
	sqlite3				*lite;
	PGconn				*pg;
};

struct query {
	const char	*label;
	char		 text[64];
	const char	*tags;		/* JSON */
	const char	*vis_ns;	/* restricted: these namespaces */
};

static void
host_log(int level, const char *fmt, ...)
{
	va_list	ap;

	if (level > PGL_LOG_INFO)	/* a migration's progress too */
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct pgl_host host = {
	.abi_major = PGL_HOST_ABI_MAJOR,
	.abi_minor = PGL_HOST_ABI_MINOR,
	.log = host_log,
	.arena_alloc = pgl_arena_alloc,
	.arena_strdup = pgl_arena_strdup,
	.arena_strndup = pgl_arena_strndup,
	.name_key = pgl_name_key,
	.arena_new = pgl_arena_new,
	.arena_free = pgl_arena_free,
	.location_key = pgl_location_key,
};

static void
die(struct bench *b, const char *what)
{
	fprintf(stderr, "search_bench: %s: %s: %s\n", b->backend, what,
	    b->err.msg);
	exit(2);
}

#define TRY(b, what, call) do {					\
	if ((call) != PGL_OK)						\
		die((b), (what));					\
} while (0)

static double
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* 256 made-up words: two syllables of sixteen. */
static void
word(unsigned i, char *out, size_t n)
{
	static const char *const syl[] = { "ka", "lo", "mi", "nu", "pe",
	    "ra", "si", "to", "vu", "ze", "bor", "dan", "fel", "gim", "hux",
	    "jet" };

	(void)snprintf(out, n, "%s%s", syl[i % 16], syl[(i / 16) % 16]);
}

static unsigned
mix(unsigned x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	return (x ^ (x >> 16));
}

static void
asset_name(unsigned i, char *out, size_t n)
{
	char	a[16], b[16];

	word(mix(i) % 256, a, sizeof(a));
	word(mix(i + 7919) % 256, b, sizeof(b));
	(void)snprintf(out, n, "%s_%s_%u", a, b, i);
}

static void
seed_asset(struct bench *b, unsigned i)
{
	struct pgl_business_metadata	m;
	struct pgl_asset		a;
	char				id[48], name[64], ns[16], desc[64];
	char				tags[32], w[16];

	(void)snprintf(id, sizeof(id), "bench-asset-%u", i);
	(void)snprintf(ns, sizeof(ns), "ns%02u", i % NNS);
	asset_name(i, name, sizeof(name));
	memset(&a, 0, sizeof(a));
	a = (struct pgl_asset){ id, CATALOG, "main", ns, name, "PARQUET_TABLE",
	    "s3://bench/x", NULL, "{}", 0, 0, NULL };
	TRY(b, "create_asset", b->ops->create_asset(b->s, TENANT, &a,
	    &b->err));
	if (i % 3 != 0 && i % 10 != 0)
		return;
	word(mix(i + 104729) % 256, w, sizeof(w));
	(void)snprintf(desc, sizeof(desc), "quarterly %s figures", w);
	(void)snprintf(tags, sizeof(tags), "[\"tag%u\"]", i / 10 % 50);
	m = (struct pgl_business_metadata){ id, id, i % 3 == 0 ? desc : NULL,
	    i % 10 == 0 ? tags : "[]", "{}", 0, "bench", 1, "bench", 1 };
	TRY(b, "put_business_metadata", b->ops->put_business_metadata(b->s,
	    TENANT, &m, &b->err));
}

/*
 * PostgreSQL's seed past asset 0: the plugin's create_asset is several
 * round trips an asset (200 a second on this machine: a million would
 * take 80 minutes), so the rows of each 100,000 are sent by COPY into a
 * temporary table and inserted from there in two statements, every
 * column but the key and the name taken from asset 0 and its metadata
 * as the plugin wrote them.  The triggers (the search rows, tags and
 * usage) run as they do for the plugin's writes.
 */
#define COPY_BATCH	100000

static void
pg_exec(struct bench *b, const char *sql)
{
	PGresult	*res = PQexec(b->pg, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		(void)snprintf(b->err.msg, sizeof(b->err.msg), "%s",
		    PQerrorMessage(b->pg));
		PQclear(res);
		die(b, sql);
	}
	PQclear(res);
}

static const char PG_ASSETS_FROM_SEED[] =
	"INSERT INTO assets (tenant_id, catalog_name, branch_name, namespace,"
	" name, id, kind, location, metadata_location, properties,"
	" created_at, updated_at, seq, gone, location_key, origin)"
	" SELECT t.tenant_id, t.catalog_name, t.branch_name, s.ns, s.name,"
	" s.id, t.kind, t.location, t.metadata_location, t.properties,"
	" t.created_at, t.updated_at, t.seq, t.gone, t.location_key, t.origin"
	" FROM bench_seed s, assets t WHERE t.id = 'bench-asset-0'";
static const char PG_METADATA_FROM_SEED[] =
	"INSERT INTO business_metadata (asset_id, tenant_id, id, description,"
	" tags, properties, discoverable, created_by, created_at, updated_by,"
	" updated_at)"
	" SELECT s.id, m.tenant_id, s.id, s.descr, s.tags, m.properties,"
	" m.discoverable, m.created_by, m.created_at, m.updated_by,"
	" m.updated_at FROM bench_seed s, business_metadata m"
	" WHERE m.asset_id = 'bench-asset-0' AND s.tags IS NOT NULL";

static void
seed_pg_copy(struct bench *b, unsigned n)
{
	char		line[256], id[48], name[64], desc[64], tags[32], w[16];
	unsigned	i, from;
	PGresult	*res;

	pg_exec(b, "CREATE TEMPORARY TABLE bench_seed (id text, ns text,"
	    " name text, descr text, tags text)");
	for (from = 1; from < n; from += COPY_BATCH) {
		pg_exec(b, "BEGIN");
		pg_exec(b, "TRUNCATE bench_seed");
		res = PQexec(b->pg, "COPY bench_seed FROM STDIN");
		if (PQresultStatus(res) != PGRES_COPY_IN)
			die(b, "COPY");
		PQclear(res);
		for (i = from; i < n && i < from + COPY_BATCH; i++) {
			(void)snprintf(id, sizeof(id), "bench-asset-%u", i);
			asset_name(i, name, sizeof(name));
			word(mix(i + 104729) % 256, w, sizeof(w));
			(void)snprintf(desc, sizeof(desc),
			    "quarterly %s figures", w);
			(void)snprintf(tags, sizeof(tags), "[\"tag%u\"]",
			    i / 10 % 50);
			(void)snprintf(line, sizeof(line),
			    "%s\tns%02u\t%s\t%s\t%s\n", id, i % NNS, name,
			    i % 3 == 0 ? desc : "\\N", i % 3 != 0 &&
			    i % 10 != 0 ? "\\N" : i % 10 == 0 ? tags : "[]");
			if (PQputCopyData(b->pg, line, (int)strlen(line)) != 1)
				die(b, "COPY data");
		}
		if (PQputCopyEnd(b->pg, NULL) != 1)
			die(b, "COPY end");
		while ((res = PQgetResult(b->pg)) != NULL)
			PQclear(res);
		pg_exec(b, PG_ASSETS_FROM_SEED);
		pg_exec(b, PG_METADATA_FROM_SEED);
		pg_exec(b, "COMMIT");
		fprintf(stderr, "search_bench: %s: %u assets seeded\n",
		    b->backend, i);
	}
}

static void
seed(struct bench *b, unsigned n)
{
	struct pgl_tenant	t = { TENANT, "default", "{}" };
	struct pgl_catalog	c = { "bench-catalog", TENANT, CATALOG,
				    "Local", NULL, "s3://bench", NULL, "{}" };
	struct pgl_branch	br = { CATALOG, "main", NULL, "ingest", "[]",
				    0, NULL };
	struct pgl_namespace	ns = { CATALOG, NULL, "{}" };
	char			name[16];
	unsigned		i;

	/* Seeded before (a kept database): use it as it is. */
	struct pgl_arena	*a = pgl_arena_new();
	struct pgl_catalog	 had;
	int			 rc;

	rc = b->ops->get_catalog(b->s, a, TENANT, CATALOG, &had, &b->err);
	pgl_arena_free(a);
	if (rc == PGL_OK)
		return;
	TRY(b, "begin", b->ops->begin(b->s, &b->err));
	if (b->ops->create_tenant(b->s, &t, &b->err) != PGL_OK &&
	    b->err.code != PGL_EEXISTS)
		die(b, "create_tenant");
	TRY(b, "create_catalog", b->ops->create_catalog(b->s, &c, &b->err));
	TRY(b, "create_branch", b->ops->create_branch(b->s, TENANT, &br,
	    &b->err));
	for (i = 0; i < NNS; i++) {
		(void)snprintf(name, sizeof(name), "ns%02u", i);
		ns.name = name;
		TRY(b, "create_namespace", b->ops->create_namespace(b->s,
		    TENANT, &ns, &b->err));
	}
	if (b->pg != NULL && n > 1) {
		/* Asset 0 through the plugin, the others copied from it. */
		seed_asset(b, 0);
		TRY(b, "commit", b->ops->commit(b->s, &b->err));
		seed_pg_copy(b, n);
		return;
	}
	for (i = 0; i < n; i++) {
		seed_asset(b, i);
		if ((i + 1) % BATCH == 0) {
			TRY(b, "commit", b->ops->commit(b->s, &b->err));
			TRY(b, "begin", b->ops->begin(b->s, &b->err));
		}
		if ((i + 1) % 100000 == 0)
			fprintf(stderr, "search_bench: %s: %u assets seeded\n",
			    b->backend, i + 1);
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
}

/* --- a catalog of tables (issue 69, tests/bench/scale.sh) ---------------- */

/*
 * -t: n tables in catalog "bench" of the default tenant, for the scale
 * bench's loads, lists and writes over HTTP.  The server made the first
 * (n00000.t0000000, through createTable); the others are copies of it:
 * table i lives at <warehouse>/n<k>/t<i> (its own location and location
 * key, as a created table's), in namespace n00000 for the first `big`
 * (a fifth: 200,000 of a million) and round the other namespaces (nns,
 * a hundredth of n) for the rest.  Its metadata file is its own path,
 * <warehouse>/bulk/<i / 1000>/t<i>.metadata.json, a hard link to a copy
 * of the first table's file (one inode a thousand tables: a load reads
 * its own path, as a miss of the metadata cache would, without a
 * million files' worth of disk).  SQLite: create_asset through the
 * plugin, 10,000 a transaction; PostgreSQL: namespaces through the
 * plugin, the tables by COPY as the assets above (triggers run).
 * Kept databases are used as they are (table n-1 exists: done).
 */
#define TABLE0_NS	"n00000"
#define TABLE0		"t0000000"
#define LINKS		1000

struct tables {
	unsigned	 n, nns, big;
	const char	*base;		/* the warehouse, as locations spell it */
	const char	*dir;		/* the same, as a path */
	const char	*md0;		/* the first table's metadata file */
};

static unsigned
table_ns(const struct tables *t, unsigned i)
{
	return (i < t->big ? 0 : 1 + (i - t->big) % (t->nns - 1));
}

static void
table_row(const struct tables *t, unsigned i, char *loc, char *md, size_t n)
{
	(void)snprintf(loc, n, "%s/n%05u/t%07u", t->base, table_ns(t, i), i);
	(void)snprintf(md, n, "%s/bulk/%04u/t%07u.metadata.json", t->base,
	    i / LINKS, i);
}

/* The metadata file of table i: a copy of the first's, or a link. */
static void
table_file(struct bench *b, const struct tables *t, unsigned i)
{
	char	path[1024], first[1024], cmd[2200];

	(void)snprintf(first, sizeof(first), "%s/bulk/%04u/t%07u.metadata.json",
	    t->dir, i / LINKS, i / LINKS * LINKS);
	(void)snprintf(path, sizeof(path), "%s/bulk/%04u/t%07u.metadata.json",
	    t->dir, i / LINKS, i);
	if (i % LINKS == 0) {
		(void)snprintf(cmd, sizeof(cmd), "mkdir -p '%s/bulk/%04u' && "
		    "cp '%s' '%s'", t->dir, i / LINKS, t->md0, path);
		if (system(cmd) != 0)
			die(b, "copying the first table's metadata file");
		return;
	}
	if (link(first, path) == -1 && access(path, R_OK) != 0) {
		(void)snprintf(b->err.msg, sizeof(b->err.msg), "%.200s", path);
		die(b, "link");
	}
}

static void
seed_table(struct bench *b, const struct tables *t, const struct pgl_asset
    *a0, unsigned i)
{
	struct pgl_asset	a = *a0;
	char			id[48], ns[16], name[16], loc[1024], md[1024];

	(void)snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012u", i);
	(void)snprintf(ns, sizeof(ns), "n%05u", table_ns(t, i));
	(void)snprintf(name, sizeof(name), "t%07u", i);
	table_row(t, i, loc, md, sizeof(loc));
	a.id = id;
	a.ns = ns;
	a.name = name;
	a.location = loc;
	a.metadata_location = md;
	a.origin = NULL;
	a.created_at_ms = a.updated_at_ms = 0;
	TRY(b, "create_asset", b->ops->create_asset(b->s, TENANT, &a,
	    &b->err));
}

static const char PG_TABLES_FROM_SEED[] =
	"INSERT INTO assets (tenant_id, catalog_name, branch_name, namespace,"
	" name, id, kind, location, metadata_location, properties,"
	" created_at, updated_at, seq, gone, location_key, origin)"
	" SELECT t.tenant_id, t.catalog_name, t.branch_name, s.ns, s.name,"
	" s.id, t.kind, s.loc, s.md, t.properties, t.created_at,"
	" t.updated_at, t.seq, t.gone, s.lkey, s.id"
	" FROM bench_seed s, assets t WHERE t.namespace = '" TABLE0_NS "'"
	" AND t.name = '" TABLE0 "' AND t.tenant_id = '" TENANT "'";

static void
seed_tables_pg(struct bench *b, const struct tables *t)
{
	char		line[10240], loc[1024], md[1024], key[PGL_LOCATION_KEY_LEN];
	unsigned	i, from;
	PGresult	*res;

	pg_exec(b, "CREATE TEMPORARY TABLE bench_seed (id text, ns text,"
	    " name text, loc text, md text, lkey text)");
	for (from = 1; from < t->n; from += COPY_BATCH) {
		pg_exec(b, "BEGIN");
		pg_exec(b, "TRUNCATE bench_seed");
		res = PQexec(b->pg, "COPY bench_seed FROM STDIN");
		if (PQresultStatus(res) != PGRES_COPY_IN)
			die(b, "COPY");
		PQclear(res);
		for (i = from; i < t->n && i < from + COPY_BATCH; i++) {
			table_file(b, t, i);
			table_row(t, i, loc, md, sizeof(loc));
			if (pgl_location_key(loc, key, sizeof(key)) == -1)
				die(b, "location key");
			(void)snprintf(line, sizeof(line), "00000000-0000-4000-"
			    "8000-%012u\tn%05u\tt%07u\t%s\t%s\t%s\n", i,
			    table_ns(t, i), i, loc, md, key);
			if (PQputCopyData(b->pg, line, (int)strlen(line)) != 1)
				die(b, "COPY data");
		}
		if (PQputCopyEnd(b->pg, NULL) != 1)
			die(b, "COPY end");
		while ((res = PQgetResult(b->pg)) != NULL)
			PQclear(res);
		pg_exec(b, PG_TABLES_FROM_SEED);
		pg_exec(b, "COMMIT");
		fprintf(stderr, "search_bench: %s: %u tables seeded\n",
		    b->backend, i);
	}
	pg_exec(b, "ANALYZE");
}

static void
seed_tables(struct bench *b, struct tables *t)
{
	struct pgl_namespace	 ns = { CATALOG, NULL, "{}" };
	struct pgl_asset	 a0, last;
	struct pgl_arena	*a = pgl_arena_new();
	char			 name[16], nsname[16], *p;
	unsigned		 i;
	double			 t0 = now_ms();

	t->nns = t->n / 100 > 2 ? t->n / 100 : 2;
	t->big = t->n / 5;
	(void)snprintf(name, sizeof(name), "t%07u", t->n - 1);
	(void)snprintf(nsname, sizeof(nsname), "n%05u", table_ns(t, t->n - 1));
	if (b->ops->get_asset(b->s, a, TENANT, CATALOG, "main", nsname, name,
	    &last, &b->err) == PGL_OK) {
		fprintf(stderr, "search_bench: %s: %u tables: seeded before\n",
		    b->backend, t->n);
		pgl_arena_free(a);
		return;
	}
	TRY(b, "get_asset (the first table, made by the server)",
	    b->ops->get_asset(b->s, a, TENANT, CATALOG, "main", TABLE0_NS,
	    TABLE0, &a0, &b->err));
	/* <base>/n00000/t0000000: the warehouse is two levels up. */
	t->base = strdup(a0.location);
	if ((p = strrchr(t->base, '/')) != NULL)
		*p = '\0';
	if ((p = strrchr(t->base, '/')) != NULL)
		*p = '\0';
	t->dir = strncmp(t->base, "file://", 7) == 0 ? t->base + 7 : t->base;
	t->md0 = strncmp(a0.metadata_location, "file://", 7) == 0 ?
	    a0.metadata_location + 7 : a0.metadata_location;
	TRY(b, "begin", b->ops->begin(b->s, &b->err));
	for (i = 1; i < t->nns; i++) {
		(void)snprintf(name, sizeof(name), "n%05u", i);
		ns.name = name;
		if (b->ops->create_namespace(b->s, TENANT, &ns, &b->err) !=
		    PGL_OK && b->err.code != PGL_EEXISTS)
			die(b, "create_namespace");
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
	table_file(b, t, 0);
	if (b->pg != NULL)
		seed_tables_pg(b, t);
	else {
		TRY(b, "begin", b->ops->begin(b->s, &b->err));
		for (i = 1; i < t->n; i++) {
			table_file(b, t, i);
			seed_table(b, t, &a0, i);
			if (i % BATCH == 0) {
				TRY(b, "commit", b->ops->commit(b->s, &b->err));
				TRY(b, "begin", b->ops->begin(b->s, &b->err));
			}
			if (i % 100000 == 0)
				fprintf(stderr, "search_bench: %s: %u tables "
				    "seeded\n", b->backend, i);
		}
		TRY(b, "commit", b->ops->commit(b->s, &b->err));
	}
	fprintf(stderr, "search_bench: %s: %u tables in %u namespaces (%u in "
	    "%s) in %.1f s\n", b->backend, t->n, t->nns, t->big, TABLE0_NS,
	    (now_ms() - t0) / 1e3);
	pgl_arena_free(a);
}

/* --- the two ways ----------------------------------------------------- */

static uint64_t
by_index(struct bench *b, const struct query *q)
{
	struct pgl_asset_query	 aq;
	struct pgl_asset_hit	*hits;
	struct pgl_page		 pg = { 50, 0, NULL };
	struct pgl_arena	*a = pgl_arena_new();
	uint64_t		 total = 0;
	size_t			 n;

	memset(&aq, 0, sizeof(aq));
	aq.text = q->text[0] != '\0' ? q->text : NULL;
	aq.tags = q->tags;
	if (q->vis_ns != NULL) {
		aq.restricted = 1;
		aq.vis_namespaces = q->vis_ns;
	}
	TRY(b, "search_assets", b->ops->search_assets(b->s, a, TENANT, &aq,
	    &pg, &hits, &n, &total, &b->err));
	pgl_arena_free(a);
	return (total);
}

/* The LIKE pattern of the text, or of a tag inside the tags' JSON. */
static void
pattern(const struct query *q, char *out, size_t n)
{
	if (q->tags != NULL)
		(void)snprintf(out, n, "%%%.*s%%", (int)strlen(q->tags) - 2,
		    q->tags + 1);
	else
		(void)snprintf(out, n, "%%%s%%", q->text);
}

#define SCAN_FROM \
	" FROM assets a LEFT JOIN business_metadata b ON b.asset_id = a.id" \
	" WHERE a.tenant_id = '" TENANT "' AND a.branch_name = 'main'"
#define SCAN_NS \
	" AND (a.namespace IN ('ns01', 'ns02', 'ns03')" \
	"  OR coalesce(b.discoverable, 0) = 1)"

static const char *
scan_sql(const struct query *q, int count, int pg)
{
	static char	sql[1024];
	const char	*like = pg ? "ILIKE" : "LIKE";

	(void)snprintf(sql, sizeof(sql), "SELECT %s" SCAN_FROM "%s AND %s",
	    count ? "count(*)" : "a.id, a.name", q->vis_ns != NULL ? SCAN_NS :
	    "", q->tags != NULL ? "b.tags LIKE $1" : "");
	if (q->tags == NULL)
		(void)snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql),
		    "(a.name %s $1 OR b.description %s $1)", like, like);
	if (!count)
		(void)strcat(sql, " ORDER BY a.name, a.catalog_name,"
		    " a.namespace LIMIT 50");
	return (sql);
}

static uint64_t
scan_sqlite(struct bench *b, const struct query *q, int count)
{
	sqlite3_stmt	*st;
	char		 pat[128];
	uint64_t	 v = 0;
	char		*sql = strdup(scan_sql(q, count, 0)), *p;

	/* $1 is SQLite's ?1 too. */
	while ((p = strstr(sql, "$1")) != NULL)
		p[0] = '?';
	pattern(q, pat, sizeof(pat));
	if (sqlite3_prepare_v2(b->lite, sql, -1, &st, NULL) != SQLITE_OK) {
		(void)snprintf(b->err.msg, sizeof(b->err.msg), "%s",
		    sqlite3_errmsg(b->lite));
		die(b, "LIKE scan");
	}
	(void)sqlite3_bind_text(st, 1, pat, -1, SQLITE_TRANSIENT);
	while (sqlite3_step(st) == SQLITE_ROW)
		v = count ? (uint64_t)sqlite3_column_int64(st, 0) : v + 1;
	sqlite3_finalize(st);
	free(sql);
	return (v);
}

static uint64_t
scan_pg(struct bench *b, const struct query *q, int count)
{
	PGresult	*res;
	const char	*params[1];
	char		 pat[128];
	uint64_t	 v;

	pattern(q, pat, sizeof(pat));
	params[0] = pat;
	res = PQexecParams(b->pg, scan_sql(q, count, 1), 1, NULL, params,
	    NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		(void)snprintf(b->err.msg, sizeof(b->err.msg), "%s",
		    PQerrorMessage(b->pg));
		die(b, "ILIKE scan");
	}
	v = count ? strtoull(PQgetvalue(res, 0, 0), NULL, 10) :
	    (uint64_t)PQntuples(res);
	PQclear(res);
	return (v);
}

/* The page and the count, as the search answers them. */
static uint64_t
by_scan(struct bench *b, const struct query *q)
{
	if (b->lite != NULL) {
		(void)scan_sqlite(b, q, 0);
		return (scan_sqlite(b, q, 1));
	}
	(void)scan_pg(b, q, 0);
	return (scan_pg(b, q, 1));
}

/* --- rows ------------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return (v[n / 2]);
}

static double
cpu_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/*
 * The median wall time of each way, and for SQLite (which runs in this
 * process) the median CPU time of the index too: on a machine other jobs
 * load, the wall clock measures the queue for a core as much as the
 * search.
 */
static void
row(struct bench *b, const struct query *q, unsigned n, int runs)
{
	double		ix[MAX_RUNS], sc[MAX_RUNS], cpu[MAX_RUNS], t0, c0;
	double		mi, ms;
	uint64_t	hits, other;
	int		i;

	hits = by_index(b, q);		/* warm-up, untimed */
	if ((other = by_scan(b, q)) != hits) {
		fprintf(stderr, "search_bench: %s: %s: the index found %llu, "
		    "the scan %llu\n", b->backend, q->label,
		    (unsigned long long)hits, (unsigned long long)other);
		exit(2);
	}
	for (i = 0; i < runs; i++) {
		t0 = now_ms();
		c0 = cpu_ms();
		(void)by_index(b, q);
		ix[i] = now_ms() - t0;
		cpu[i] = cpu_ms() - c0;
		t0 = now_ms();
		(void)by_scan(b, q);
		sc[i] = now_ms() - t0;
	}
	mi = median(ix, runs);
	ms = median(sc, runs);
	printf("%s|%s|%u|%llu|%.2f|", b->backend, q->label, n,
	    (unsigned long long)hits, mi);
	if (b->lite != NULL)
		printf("%.2f|", median(cpu, runs));
	else
		printf("-|");
	printf("%.2f|%.0fx\n", ms, mi > 0 ? ms / mi : 0.0);
	fflush(stdout);
}

static void
queries(struct query *q, size_t *nq)
{
	char	a[16], c[16], w[16];
	size_t	n = 0;

	memset(q, 0, 6 * sizeof(*q));
	word(mix(4242) % 256, a, sizeof(a));
	word(mix(4242 + 7919) % 256, c, sizeof(c));
	q[n].label = "rare name";
	(void)snprintf(q[n++].text, sizeof(q->text), "%s_%s", a, c);
	q[n].label = "common word";
	word(7, q[n++].text, sizeof(q->text));
	q[n].label = "description";
	word(mix(4242 + 104729) % 256, w, sizeof(w));
	(void)snprintf(q[n++].text, sizeof(q->text), "quarterly %s figures",
	    w);
	q[n].label = "tag";
	q[n++].tags = "[\"tag7\"]";
	q[n].label = "2 characters (below a trigram: scans)";
	(void)snprintf(q[n++].text, sizeof(q->text), "xq");
	q[n].label = "common word, user with 3 namespace grants";
	word(7, q[n].text, sizeof(q->text));
	q[n++].vis_ns = "[\"" CATALOG "\\u001ens01\",\"" CATALOG
	    "\\u001ens02\",\"" CATALOG "\\u001ens03\"]";
	*nq = n;
}

/* --- latency rows (-l) ------------------------------------------------ */

/*
 * The shapes of a typed search, each asked with the text of a different
 * asset (the k-th sample's asset is mix(k) % n): a whole name (one hit
 * at any size), what a user types before it (its first 3 and 5
 * characters: hits grow with the catalog), a word of the names, a
 * description, a tag, one and two characters (below a trigram), and a
 * word for a user who sees three namespaces.  Hits that grow with the
 * catalog cost a total that grows with them: the rows say how many.
 */
enum shape { SH_NAME, SH_TYPED3, SH_TYPED5, SH_WORD, SH_DESC, SH_TAG,
    SH_ONE, SH_TWO, SH_GRANTS, SH_MAX };

static const char *const shape_label[SH_MAX] = {
	"whole name (1 hit)", "typed: its first 3 characters",
	"typed: its first 5 characters", "a word of the names",
	"description (3 words)", "tag", "1 character", "2 characters",
	"a word, user with 3 namespace grants" };

static void
sample_query(enum shape sh, unsigned k, unsigned n, struct query *q)
{
	unsigned	j = mix(k * 2654435761U + 17) % n;
	char		name[64], w[16];

	memset(q, 0, sizeof(*q));
	q->label = shape_label[sh];
	asset_name(j, name, sizeof(name));
	word(mix(j) % 256, w, sizeof(w));
	switch (sh) {
	case SH_NAME:
		(void)snprintf(q->text, sizeof(q->text), "%s", name);
		break;
	case SH_TYPED3:
	case SH_TYPED5:
		(void)snprintf(q->text, sizeof(q->text), "%.*s",
		    sh == SH_TYPED3 ? 3 : 5, name);
		break;
	case SH_WORD:
	case SH_GRANTS:
		(void)snprintf(q->text, sizeof(q->text), "%s", w);
		if (sh == SH_GRANTS)
			q->vis_ns = "[\"" CATALOG "\\u001ens01\",\"" CATALOG
			    "\\u001ens02\",\"" CATALOG "\\u001ens03\"]";
		break;
	case SH_DESC:
		word(mix(j + 104729) % 256, w, sizeof(w));
		(void)snprintf(q->text, sizeof(q->text),
		    "quarterly %s figures", w);
		break;
	case SH_TAG:
		q->tags = (const char *[]){ "[\"tag0\"]", "[\"tag7\"]",
		    "[\"tag13\"]", "[\"tag21\"]", "[\"tag34\"]",
		    "[\"tag49\"]" }[k % 6];
		break;
	case SH_ONE:
		(void)snprintf(q->text, sizeof(q->text), "%c",
		    "abdefgijkmnoprstuvxz0123456789_"[k % 31]);
		break;
	case SH_TWO:
		(void)snprintf(q->text, sizeof(q->text), "%.2s", name +
		    k % 4);
		break;
	default:
		break;
	}
}

static double	cpu_ms(void);

static double
pct(double *v, int n, double p)
{
	int	i = (int)(p * n + 0.999999) - 1;

	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return (v[i < 0 ? 0 : i >= n ? n - 1 : i]);
}

/*
 * The PostgreSQL backends of the plugin's connections (the client
 * backends this process opened since it started, but the bench's own),
 * whose CPU time /proc/<pid>/schedstat gives in nanoseconds: on a machine
 * other jobs load, the wall clock measures the queue for a core as much
 * as the search, so each row gives the CPU the search cost too (the
 * backends' and this process's, which for SQLite is all of it).
 */
static int	store_backends[8];
static int	nbackends;
static time_t	started;

static void
find_backends(struct bench *b)
{
	PGresult	*res;
	char		 sql[512];
	int		 i;

	(void)snprintf(sql, sizeof(sql), "SELECT pid FROM pg_stat_activity"
	    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
	    " AND backend_type = 'client backend' AND application_name ="
	    " 'pangolin' AND backend_start >= to_timestamp(%lld) LIMIT 8",
	    (long long)started - 1);
	res = PQexec(b->pg, sql);
	for (i = 0; PQresultStatus(res) == PGRES_TUPLES_OK &&
	    i < PQntuples(res); i++)
		store_backends[nbackends++] = atoi(PQgetvalue(res, i, 0));
	PQclear(res);
}

static double
search_cpu_ms(void)
{
	unsigned long long	ns, sum = 0;
	char			path[64];
	FILE			*f;
	int			i;

	for (i = 0; i < nbackends; i++) {
		(void)snprintf(path, sizeof(path), "/proc/%d/schedstat",
		    store_backends[i]);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		fclose(f);
	}
	return (cpu_ms() + sum / 1e6);
}

static void
latency_rows(struct bench *b, unsigned n, int samples)
{
	static double	t[MAX_SAMPLES], c[MAX_SAMPLES];
	struct query	q;
	double		t0, c0, hits;
	int		sh, k, m;

	if (b->pg != NULL)
		find_backends(b);
	printf("# backend|shape|N|mean hits|p50 ms|p99 ms|cpu p50 ms|"
	    "cpu p99 ms\n");
	for (sh = 0; sh < SH_MAX; sh++) {
		sample_query(sh, 0, n, &q);
		(void)by_index(b, &q);		/* warm-up, untimed */
		hits = 0;
		/* Below a trigram a search reads the tenant's rows: at a
		 * million assets, seconds each on PostgreSQL. */
		m = sh == SH_ONE || sh == SH_TWO ? (samples < SHORT_SAMPLES ?
		    samples : SHORT_SAMPLES) : samples;
		for (k = 0; k < m; k++) {
			sample_query(sh, (unsigned)k, n, &q);
			c0 = search_cpu_ms();
			t0 = now_ms();
			hits += (double)by_index(b, &q);
			t[k] = now_ms() - t0;
			c[k] = search_cpu_ms() - c0;
		}
		printf("%s|%s|%u|%.0f|%.2f|", b->backend, shape_label[sh], n,
		    hits / m, pct(t, m, 0.50));
		printf("%.2f|%.2f|%.2f\n", pct(t, m, 0.99), pct(c, m, 0.50),
		    pct(c, m, 0.99));
		fflush(stdout);
	}
}

/* --- options, opening --------------------------------------------------- */

static size_t
parse_opts(char *s, struct pgl_kv *kv, size_t max)
{
	char	*pair, *eq, *save = NULL;
	size_t	 n = 0;

	for (pair = strtok_r(s, ";", &save); pair != NULL && n < max;
	    pair = strtok_r(NULL, ";", &save)) {
		if ((eq = strchr(pair, '=')) == NULL)
			continue;
		*eq = '\0';
		kv[n].key = pair;
		kv[n++].value = eq + 1;
	}
	return (n);
}

static const char *
opt(const struct pgl_kv *kv, size_t n, const char *key)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].key, key) == 0)
			return (kv[i].value);
	}
	return (NULL);
}

/* The scan's own connection to the same database. */
static void
open_scan(struct bench *b, const struct pgl_kv *kv, size_t n)
{
	const char	*path = opt(kv, n, "path"), *url = opt(kv, n, "url");
	const char	*schema = opt(kv, n, "schema");
	char		 sql[256];
	PGresult	*res;

	if (path != NULL) {
		if (sqlite3_open_v2(path, &b->lite, SQLITE_OPEN_READONLY,
		    NULL) != SQLITE_OK)
			die(b, "sqlite3_open_v2");
		return;
	}
	if (url == NULL || (b->pg = PQconnectdb(url)) == NULL ||
	    PQstatus(b->pg) != CONNECTION_OK) {
		(void)snprintf(b->err.msg, sizeof(b->err.msg), "%s", url ==
		    NULL ? "no path= or url= option" : PQerrorMessage(b->pg));
		die(b, "the scan's connection");
	}
	(void)snprintf(sql, sizeof(sql), "SET search_path TO \"%s\"",
	    schema != NULL ? schema : "public");
	res = PQexec(b->pg, sql);
	PQclear(res);
}

static void
usage(void)
{
	fprintf(stderr, "usage: search_bench -p plugin -o opts [-n assets] "
	    "[-r runs] [-s] [-l samples] [-t]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct bench		 b;
	struct pgl_kv		 kv[16];
	struct query		 q[8];
	pgl_store_plugin_fn	 fn;
	const char		*plugin = NULL;
	char			*opts = NULL;
	size_t			 nkv, nq, i;
	unsigned		 n = 100000;
	void			*dl;
	struct tables		 tabs;
	int			 ch, runs = 9, seed_only = 0, samples = 0;
	int			 tables = 0;

	memset(&b, 0, sizeof(b));
	started = time(NULL);
	while ((ch = getopt(argc, argv, "p:o:n:r:sl:t")) != -1) {
		switch (ch) {
		case 'p': plugin = optarg; break;
		case 'o': opts = strdup(optarg); break;
		case 'n': n = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': runs = atoi(optarg); break;
		case 's': seed_only = 1; break;
		case 'l': samples = atoi(optarg); break;
		case 't': tables = 1; break;
		default: usage();
		}
	}
	if (plugin == NULL || opts == NULL || runs < 1 || runs > MAX_RUNS ||
	    samples < 0 || samples > MAX_SAMPLES)
		usage();
	nkv = parse_opts(opts, kv, sizeof(kv) / sizeof(kv[0]));
	if ((dl = dlopen(plugin, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (fn = (pgl_store_plugin_fn)dlsym(dl, PGL_STORE_SYMBOL)) == NULL) {
		fprintf(stderr, "search_bench: %s\n", dlerror());
		return (2);
	}
	b.ops = fn();
	b.backend = b.ops->name;
	TRY(&b, "open", b.ops->open(&host, kv, nkv, &b.s, &b.err));
	open_scan(&b, kv, nkv);
	if (tables) {
		memset(&tabs, 0, sizeof(tabs));
		tabs.n = n;
		seed_tables(&b, &tabs);
		b.ops->close(b.s);
		return (0);
	}
	seed(&b, n);
	queries(q, &nq);
	if (seed_only) {
		/* The queries, for the HTTP bench: label, text, tags. */
		for (i = 0; i < nq; i++)
			if (q[i].vis_ns == NULL)
				printf("%s\t%s\t%s\n", q[i].label, q[i].text,
				    q[i].tags != NULL ? q[i].tags : "");
		return (0);
	}
	if (samples > 0) {
		/* Statistics, as autovacuum would have them after a load. */
		if (b.pg != NULL)
			PQclear(PQexec(b.pg, "ANALYZE"));
		latency_rows(&b, n, samples);
		b.ops->close(b.s);
		return (0);
	}
	printf("# backend|query|N|hits|index ms|index cpu ms|scan ms|"
	    "speed-up\n");
	for (i = 0; i < nq; i++)
		row(&b, &q[i], n, runs);
	b.ops->close(b.s);
	return (0);
}
