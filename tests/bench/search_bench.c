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
 * per row after a "#" header (cpu: SQLite's, which runs in this process;
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

#define TENANT		"00000000-0000-0000-0000-000000000000"
#define CATALOG		"bench"
#define NNS		100
#define MAX_RUNS	31
#define BATCH		10000

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

	if (level > PGL_LOG_WARN)
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
	for (i = 0; i < n; i++) {
		seed_asset(b, i);
		if ((i + 1) % BATCH == 0) {
			TRY(b, "commit", b->ops->commit(b->s, &b->err));
			TRY(b, "begin", b->ops->begin(b->s, &b->err));
		}
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
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
	    "[-r runs] [-s]\n");
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
	int			 ch, runs = 9, seed_only = 0;

	memset(&b, 0, sizeof(b));
	while ((ch = getopt(argc, argv, "p:o:n:r:s")) != -1) {
		switch (ch) {
		case 'p': plugin = optarg; break;
		case 'o': opts = strdup(optarg); break;
		case 'n': n = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': runs = atoi(optarg); break;
		case 's': seed_only = 1; break;
		default: usage();
		}
	}
	if (plugin == NULL || opts == NULL || runs < 1 || runs > MAX_RUNS)
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
	open_scan(&b, kv, nkv);
	printf("# backend|query|N|hits|index ms|index cpu ms|scan ms|"
	    "speed-up\n");
	for (i = 0; i < nq; i++)
		row(&b, &q[i], n, runs);
	b.ops->close(b.s);
	return (0);
}
