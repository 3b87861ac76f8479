/*
 * Copy-on-write branch bench (issue 29): a branch made by fork_branch
 * (store ABI 1.12) next to the row copy it replaces, and what reading
 * through a fork's lineage costs, each timed in the same run.
 *
 *	branch_bench -p build/release/plugins/store-sqlite.so -o path=/tmp/b.db
 *	branch_bench -p build/release/plugins/store-postgres.so \
 *	    -o 'url=postgresql://postgres@127.0.0.1:55432/pangolin;schema=b1'
 *	branch_bench -p plugin.so -F	(exit 0 if it has fork_branch, else 3)
 *
 *	-p plugin	the store plugin (or PGL_STORE_PLUGIN)
 *	-o opts		its options, "k=v;k=v" (or PGL_STORE_OPTS)
 *	-b name		backend label in the rows (default: ops->name)
 *	-n sizes	comma-separated sizes N, ascending (default
 *			1000,10000,100000)
 *	-g size		N of the get and listing rows (default 10000)
 *	-c calls	get_asset calls per branch (default 3000; at most -g)
 *	-r runs		runs per row, the median is printed (default 5)
 *	-F		only check that the plugin forks, open nothing
 *
 * Per N, a tenant of its own holds catalog "cat" with NNS namespaces and
 * branch main of N assets, seeded in one transaction through the ops
 * (create_asset is several statements on a copy-on-write store); the
 * seeding time goes to stderr.  The rows:
 *
 *   create	begin, fork_branch(main -> new), commit, vs today's begin,
 *		create_branch, copy_assets_bulk(main -> new), commit; runs
 *		alternate fork, copy; the branch is deleted after every run
 *		(not timed).  count_catalog's assets before and after each
 *		say what it stored (a fork: 0, a copy: N).  Beside them, the
 *		store's raw round trip (ping; 50 before every run, median of
 *		all): a fork is a handful of statements whatever N.
 *   get	at N = -g: main -> a -> b -> c, each a fork, with CHANGED
 *		tables changed on a (in place: copied up) and CHANGED more
 *		on b plus CHANGED new ones, so c's reads resolve through a
 *		real lineage three levels deep.  get_asset of -c distinct
 *		tables spread over the catalog, on main and on c alternately
 *		(which goes first alternates too), each call timed; the
 *		medians in microseconds.  Distinct tables, read once each:
 *		SQLite's per-connection asset cache never answers, every
 *		call is the query (a warm loadTable is a cache hit on main
 *		and on c alike).
 *   list	list_all_assets_for_branch on main and on c (what merge
 *		planning and conflict detection read), alternately; ms.
 *
 * A copy or a listing that takes longer than SLOW_MS is not repeated
 * (its row quotes the runs made, the last column says how many), and
 * after such a copy the larger N copy no more ("-"): a store whose copy
 * or listing went quadratic still finishes its table in minutes, and
 * shows it.
 *
 * stdout: "#" header lines, then
 *	create|backend|N|fork ms|fork rows|copy ms|copy rows|ping us|seed s|
 *	    copy runs
 *	get|backend|N|main us|c us|calls
 *	list|backend|N|main ms|c ms|assets on main|assets on c|runs
 * Exit 1 when the fork at the largest N took more than FLAT_MAX times the
 * fork at the smallest (a fork that went O(N)); 2 on a store error, a
 * wrong result or bad usage; 3 when the plugin has no fork_branch.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pangolin/store.h"
#include "util/arena.h"

#define NNS		10		/* namespaces per catalog */
#define MAX_SIZES	8
#define MAX_RUNS	15
#define MAX_OPTS	16
#define MAX_CALLS	100000
#define PINGS		50		/* round trips sampled per run */
#define CHANGED		50		/* tables changed on a, on b */
#define FLAT_MAX	3.0		/* fork(largest N) / fork(smallest) */
#define SLOW_MS		10000.0		/* a run this long is not repeated */
#define CATALOG		"cat"
#define MAIN		"main"

struct bench {
	const struct pgl_store_ops	*ops;
	struct pgl_store		*s;
	struct pgl_err			 err;
	const char			*backend;
	unsigned			 seq;		/* fresh branch names */
	char				 tenant[64];	/* of the current N */
	char				 prefix[32];	/* of every id */
	double				*pings;		/* of the current N */
	size_t				 npings;
	int				 copy_slow;	/* copies stopped */
};

static void	host_log(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	usage(void) __attribute__((noreturn));

static void
host_log(int level, const char *fmt, ...)
{
	va_list	ap;

	if (level > PGL_LOG_WARN)
		return;
	fprintf(stderr, "branch_bench: plugin: ");
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

/* Every store call goes through TRY: a failure ends the bench (exit 2)
 * with the plugin's message, never a row measured on half the work. */
#define TRY(b, what, call) do {						\
	int rc_ = (call);						\
	if (rc_ != PGL_OK)						\
		return (failed((b), (what), rc_));			\
} while (0)

static int
failed(struct bench *b, const char *what, int rc)
{
	fprintf(stderr, "branch_bench: %s: %s: %s (status %d)\n", b->backend,
	    what, b->err.msg, rc);
	return (rc == PGL_OK ? PGL_EINTERNAL : rc);
}

static int
wrong(struct bench *b, const char *what, uint64_t got, uint64_t want)
{
	fprintf(stderr, "branch_bench: %s: %s: got %llu, want %llu\n",
	    b->backend, what, (unsigned long long)got,
	    (unsigned long long)want);
	return (PGL_EINTERNAL);
}

static double
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

static int
by_double(const void *x, const void *y)
{
	double	a = *(const double *)x, b = *(const double *)y;

	return (a < b ? -1 : a > b);
}

static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), by_double);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

/* --- seeding (not timed) ------------------------------------------------ */

static void
table_name(uint64_t i, char *ns, size_t nslen, char *name, size_t namelen)
{
	(void)snprintf(ns, nslen, "ns%llu", (unsigned long long)(i % NNS));
	(void)snprintf(name, namelen, "t%06llu", (unsigned long long)i);
}

static int
seed_asset(struct bench *b, const char *branch, uint64_t i)
{
	struct pgl_asset	as = { NULL, CATALOG, NULL, NULL, NULL,
				    "ICEBERG_TABLE", NULL, NULL, "{}", 0, 0, NULL };
	char			id[128], ns[16], name[32], loc[96], meta[160];

	(void)snprintf(id, sizeof(id), "%s-%s-%s-%llu", b->prefix, b->tenant,
	    branch, (unsigned long long)i);
	table_name(i, ns, sizeof(ns), name, sizeof(name));
	(void)snprintf(loc, sizeof(loc), "s3://bench/%s/%s", ns, name);
	(void)snprintf(meta, sizeof(meta),
	    "%s/metadata/00000-0000.metadata.json", loc);
	as.id = id;
	as.branch = branch;
	as.ns = ns;
	as.name = name;
	as.location = loc;
	as.metadata_location = meta;
	TRY(b, "create_asset", b->ops->create_asset(b->s, b->tenant, &as,
	    &b->err));
	return (PGL_OK);
}

static int
seed_in(struct bench *b, uint64_t n)
{
	struct pgl_tenant	t = { b->tenant, b->tenant, "{}" };
	struct pgl_catalog	c = { NULL, b->tenant, CATALOG, "Local", NULL,
				    "s3://bench", NULL, "{}" };
	struct pgl_namespace	ns = { CATALOG, NULL, "{}" };
	struct pgl_branch	br = { CATALOG, MAIN, NULL, "experimental",
				    "[]", 0, NULL };
	char			id[128], name[16];
	uint64_t		i;
	int			rc;

	(void)snprintf(id, sizeof(id), "%s-cat", b->tenant);
	c.id = id;
	TRY(b, "create_tenant", b->ops->create_tenant(b->s, &t, &b->err));
	TRY(b, "create_catalog", b->ops->create_catalog(b->s, &c, &b->err));
	for (i = 0; i < NNS; i++) {
		(void)snprintf(name, sizeof(name), "ns%llu",
		    (unsigned long long)i);
		ns.name = name;
		TRY(b, "create_namespace", b->ops->create_namespace(b->s,
		    b->tenant, &ns, &b->err));
	}
	TRY(b, "create_branch", b->ops->create_branch(b->s, b->tenant, &br,
	    &b->err));
	for (i = 0; i < n; i++) {
		if ((rc = seed_asset(b, MAIN, i)) != PGL_OK)
			return (rc);
	}
	return (PGL_OK);
}

/* Tenant b->tenant: NNS namespaces, main with n assets; one transaction. */
static int
seed(struct bench *b, uint64_t n)
{
	double	t0 = now_ms();
	int	rc;

	TRY(b, "begin", b->ops->begin(b->s, &b->err));
	if ((rc = seed_in(b, n)) != PGL_OK) {
		(void)b->ops->rollback(b->s, &b->err);
		return (rc);
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
	fprintf(stderr, "branch_bench: %s: seeded main of %llu assets in "
	    "%.1f s\n", b->backend, (unsigned long long)n,
	    (now_ms() - t0) / 1e3);
	return (PGL_OK);
}

static int
stored(struct bench *b, uint64_t *assets)
{
	struct pgl_catalog_counts	cc;

	TRY(b, "count_catalog", b->ops->count_catalog(b->s, b->tenant,
	    CATALOG, &cc, &b->err));
	*assets = cc.assets;
	return (PGL_OK);
}

/* --- branch create ------------------------------------------------------ */

struct made {
	double		ms;
	uint64_t	rows;	/* asset rows it stored */
};

/* PINGS round trips into b->pings: the floor every store call pays. */
static int
ping_some(struct bench *b)
{
	double	t0;
	int	i;

	for (i = 0; i < PINGS; i++) {
		t0 = now_ms();
		TRY(b, "ping", b->ops->ping(b->s, &b->err));
		b->pings[b->npings++] = now_ms() - t0;
	}
	return (PGL_OK);
}

static int
make_in(struct bench *b, int fork, const char *name, uint64_t n)
{
	struct pgl_branch	br = { CATALOG, name, NULL, "experimental",
				    "[]", 0, NULL };
	uint64_t		copied = 0;

	if (fork) {
		TRY(b, "fork_branch", b->ops->fork_branch(b->s, b->tenant,
		    &br, MAIN, &b->err));
		return (PGL_OK);
	}
	TRY(b, "create_branch", b->ops->create_branch(b->s, b->tenant, &br,
	    &b->err));
	TRY(b, "copy_assets_bulk", b->ops->copy_assets_bulk(b->s, b->tenant,
	    CATALOG, MAIN, name, NULL, NULL, &copied, &b->err));
	return (copied == n ? PGL_OK : wrong(b, "copied", copied, n));
}

/* One branch made from main, timed from begin to commit, then deleted. */
static int
make(struct bench *b, int fork, uint64_t n, struct made *out)
{
	char		name[32];
	uint64_t	before, after, back;
	double		t0;
	int		rc;

	(void)snprintf(name, sizeof(name), "%s-%u", fork ? "fork" : "copy",
	    ++b->seq);
	if ((rc = ping_some(b)) != PGL_OK || (rc = stored(b, &before)) !=
	    PGL_OK)
		return (rc);
	/*
	 * One small write first, untimed: the WAL checkpoint and restart the
	 * last run's big copy and delete left due (SQLite) land here, not in
	 * the timed commit (measured: a 0.08 ms fork read 1 ms at 100,000
	 * right after a copy of 100,000 rows and its delete).
	 */
	TRY(b, "update_branch_head", b->ops->update_branch_head(b->s,
	    b->tenant, CATALOG, "main", NULL, NULL, &b->err));
	t0 = now_ms();
	TRY(b, "begin", b->ops->begin(b->s, &b->err));
	if ((rc = make_in(b, fork, name, n)) != PGL_OK) {
		(void)b->ops->rollback(b->s, &b->err);
		return (rc);
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
	out->ms = now_ms() - t0;
	if ((rc = stored(b, &after)) != PGL_OK)
		return (rc);
	out->rows = after - before;
	if (out->rows != (fork ? 0 : n))
		return (wrong(b, fork ? "rows a fork stored" :
		    "rows a copy stored", out->rows, fork ? 0 : n));
	TRY(b, "delete_branch", b->ops->delete_branch(b->s, b->tenant,
	    CATALOG, name, &b->err));
	if ((rc = stored(b, &back)) != PGL_OK)
		return (rc);
	return (back == before ? PGL_OK :
	    wrong(b, "rows after delete_branch", back, before));
}

/* The create row of n; *fork_ms its median fork, for the flatness check. */
static int
bench_create(struct bench *b, uint64_t n, int runs, int warm, double seed_ms,
    double *fork_ms)
{
	struct made	m;
	double		fork[MAX_RUNS], copy[MAX_RUNS], ping;
	uint64_t	frows = 0, crows = 0;
	int		r, ncopy = 0;
	char		cms[32] = "-", crs[32] = "-";

	/* Untimed warm-up (statements get prepared) at the first N. */
	if (warm && (make(b, 1, n, &m) != PGL_OK || make(b, 0, n, &m) !=
	    PGL_OK))
		return (-1);
	b->npings = 0;
	for (r = 0; r < runs; r++) {
		if (make(b, 1, n, &m) != PGL_OK)
			return (-1);
		fork[r] = m.ms;
		frows = m.rows;
		if (b->copy_slow)
			continue;
		if (make(b, 0, n, &m) != PGL_OK)
			return (-1);
		copy[ncopy++] = m.ms;
		crows = m.rows;
		b->copy_slow = m.ms > SLOW_MS;
	}
	ping = median(b->pings, b->npings);
	*fork_ms = median(fork, (size_t)runs);
	if (ncopy > 0) {
		(void)snprintf(cms, sizeof(cms), "%.3f",
		    median(copy, (size_t)ncopy));
		(void)snprintf(crs, sizeof(crs), "%llu",
		    (unsigned long long)crows);
	}
	printf("create|%s|%llu|%.3f|%llu|%s|%s|%.2f|%.1f|%d\n", b->backend,
	    (unsigned long long)n, *fork_ms, (unsigned long long)frows, cms,
	    crs, ping * 1e3, seed_ms / 1e3, ncopy);
	fflush(stdout);
	return (0);
}

/* --- the lineage main -> a -> b -> c ------------------------------------- */

static int
fork_from(struct bench *b, const char *name, const char *from)
{
	struct pgl_branch	br = { CATALOG, name, NULL, "experimental",
				    "[]", 0, NULL };

	TRY(b, "fork_branch", b->ops->fork_branch(b->s, b->tenant, &br, from,
	    &b->err));
	return (PGL_OK);
}

/* Table i's pointer moved on branch: an own row (copied up) there. */
static int
change(struct bench *b, const char *branch, uint64_t i)
{
	char	ns[16], name[32], old[160], new[160];

	table_name(i, ns, sizeof(ns), name, sizeof(name));
	(void)snprintf(old, sizeof(old),
	    "s3://bench/%s/%s/metadata/00000-0000.metadata.json", ns, name);
	(void)snprintf(new, sizeof(new),
	    "s3://bench/%s/%s/metadata/00001-%s.metadata.json", ns, name,
	    branch);
	TRY(b, "update_metadata_location", b->ops->update_metadata_location(
	    b->s, b->tenant, CATALOG, branch, ns, name, old, new, &b->err));
	return (PGL_OK);
}

/*
 * a: CHANGED tables changed; b: CHANGED others changed and CHANGED new
 * ones (i >= n); c forked from b.  Spread over the catalog, so the tables
 * read below see main's rows, a's and b's.
 */
static int
lineage_in(struct bench *b, uint64_t n)
{
	uint64_t	i, step = n / (2 * CHANGED);
	int		rc;

	if ((rc = fork_from(b, "a", MAIN)) != PGL_OK)
		return (rc);
	for (i = 0; i < CHANGED; i++) {
		if ((rc = change(b, "a", 2 * i * step)) != PGL_OK)
			return (rc);
	}
	if ((rc = fork_from(b, "b", "a")) != PGL_OK)
		return (rc);
	for (i = 0; i < CHANGED; i++) {
		if ((rc = change(b, "b", (2 * i + 1) * step)) != PGL_OK ||
		    (rc = seed_asset(b, "b", n + i)) != PGL_OK)
			return (rc);
	}
	return (fork_from(b, "c", "b"));
}

static int
lineage(struct bench *b, uint64_t n)
{
	int	rc;

	TRY(b, "begin", b->ops->begin(b->s, &b->err));
	if ((rc = lineage_in(b, n)) != PGL_OK) {
		(void)b->ops->rollback(b->s, &b->err);
		return (rc);
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
	return (PGL_OK);
}

/* --- get asset ------------------------------------------------------------ */

static int
get_one(struct bench *b, struct pgl_arena *a, const char *branch,
    uint64_t i, double *us)
{
	struct pgl_asset	as;
	char			ns[16], name[32];
	double			t0;

	table_name(i, ns, sizeof(ns), name, sizeof(name));
	t0 = now_ms();
	TRY(b, "get_asset", b->ops->get_asset(b->s, a, b->tenant, CATALOG,
	    branch, ns, name, &as, &b->err));
	*us = (now_ms() - t0) * 1e3;
	if (strcmp(as.branch, branch) != 0 || strcmp(as.name, name) != 0)
		return (wrong(b, "get_asset answered for its branch", 0, 1));
	return (PGL_OK);
}

static int
bench_get(struct bench *b, uint64_t n, uint64_t calls)
{
	struct pgl_arena	*a;
	double			*on_main, *on_c;
	uint64_t		 k, i;
	int			 rc = PGL_OK, first;

	if (calls > n)
		calls = n;
	on_main = calloc(calls, sizeof(*on_main));
	on_c = calloc(calls, sizeof(*on_c));
	if (on_main == NULL || on_c == NULL || (a = pgl_arena_new()) == NULL) {
		free(on_main);
		free(on_c);
		return (-1);
	}
	for (k = 0; k < calls && rc == PGL_OK; k++) {
		/* Distinct tables, evenly spread; one arena a call. */
		i = k * n / calls;
		first = (int)(k % 2);
		if ((rc = get_one(b, a, first ? "c" : MAIN, i,
		    first ? &on_c[k] : &on_main[k])) == PGL_OK)
			rc = get_one(b, a, first ? MAIN : "c", i,
			    first ? &on_main[k] : &on_c[k]);
		pgl_arena_free(a);
		if ((a = pgl_arena_new()) == NULL)
			rc = PGL_ENOMEM;
	}
	if (a != NULL)
		pgl_arena_free(a);
	if (rc == PGL_OK) {
		printf("get|%s|%llu|%.1f|%.1f|%llu\n", b->backend,
		    (unsigned long long)n, median(on_main, calls),
		    median(on_c, calls), (unsigned long long)calls);
		fflush(stdout);
	}
	free(on_main);
	free(on_c);
	return (rc == PGL_OK ? 0 : -1);
}

/* --- merge listing ------------------------------------------------------------ */

static int
list_one(struct bench *b, const char *branch, uint64_t want, double *ms)
{
	struct pgl_arena	*a;
	struct pgl_asset	*items;
	size_t			 got = 0;
	double			 t0;
	int			 rc;

	if ((a = pgl_arena_new()) == NULL)
		return (PGL_ENOMEM);
	t0 = now_ms();
	rc = b->ops->list_all_assets_for_branch(b->s, a, b->tenant, CATALOG,
	    branch, &items, &got, &b->err);
	*ms = now_ms() - t0;
	pgl_arena_free(a);
	if (rc != PGL_OK)
		return (failed(b, "list_all_assets_for_branch", rc));
	return (got == want ? PGL_OK :
	    wrong(b, "list_all_assets_for_branch assets", got, want));
}

static int
bench_list(struct bench *b, uint64_t n, int runs)
{
	double	on_main[MAX_RUNS], on_c[MAX_RUNS], w;
	int	r;

	/* One untimed pass each (the statements get prepared), unless it
	 * was slow enough that preparing is noise. */
	if (list_one(b, MAIN, n, &w) != PGL_OK)
		return (-1);
	if (w < SLOW_MS && list_one(b, "c", n + CHANGED, &w) != PGL_OK)
		return (-1);
	for (r = 0; r < runs; r++) {
		if (list_one(b, MAIN, n, &on_main[r]) != PGL_OK ||
		    list_one(b, "c", n + CHANGED, &on_c[r]) != PGL_OK)
			return (-1);
		if (on_main[r] > SLOW_MS || on_c[r] > SLOW_MS) {
			r++;
			break;
		}
	}
	printf("list|%s|%llu|%.2f|%.2f|%llu|%llu|%d\n", b->backend,
	    (unsigned long long)n, median(on_main, (size_t)r),
	    median(on_c, (size_t)r), (unsigned long long)n,
	    (unsigned long long)(n + CHANGED), r);
	fflush(stdout);
	return (0);
}

/* --- set-up ----------------------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr, "usage: branch_bench -p plugin.so [-o 'k=v;k=v'] "
	    "[-b backend] [-n 1000,10000,100000] [-g 10000] [-c calls] "
	    "[-r runs] [-F]\n");
	exit(2);
}

static uint64_t
number(const char *s, uint64_t lo, uint64_t hi)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || (*end != '\0' && *end != ',') ||
	    v < lo || v > hi)
		usage();
	return (v);
}

static size_t
parse_sizes(const char *arg, uint64_t *sizes)
{
	const char	*p = arg;
	size_t		 n = 0;

	while (*p != '\0') {
		if (n == MAX_SIZES)
			usage();
		sizes[n] = number(p, 2 * CHANGED, 10000000);
		if (n > 0 && sizes[n] <= sizes[n - 1])
			usage();	/* ascending: first smallest, last largest */
		n++;
		p += strcspn(p, ",");
		p += *p == ',';
	}
	if (n == 0)
		usage();
	return (n);
}

/* "k=v;k=v" into kv; the string is modified in place. */
static size_t
parse_opts(char *s, struct pgl_kv *kv)
{
	char	*pair, *eq, *save = NULL;
	size_t	 n = 0;

	for (pair = strtok_r(s, ";", &save); pair != NULL;
	    pair = strtok_r(NULL, ";", &save)) {
		if ((eq = strchr(pair, '=')) == NULL || n == MAX_OPTS)
			usage();
		*eq = '\0';
		kv[n].key = pair;
		kv[n++].value = eq + 1;
	}
	return (n);
}

/* The ops of path; exit 3 when they cannot fork (an ABI 1.12 field: a
 * table from an older plugin ends before it, so never read it there). */
static const struct pgl_store_ops *
load(const char *path)
{
	const struct pgl_store_ops	*ops;
	pgl_store_plugin_fn		 fn;
	void				*dl;

	if ((dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (fn = (pgl_store_plugin_fn)dlsym(dl, PGL_STORE_SYMBOL)) == NULL) {
		fprintf(stderr, "branch_bench: %s: %s\n", path, dlerror());
		exit(2);
	}
	ops = fn();
	if (ops->abi_major != PGL_STORE_ABI_MAJOR) {
		fprintf(stderr, "branch_bench: %s: store ABI %u.%u, want %d.x\n",
		    path, ops->abi_major, ops->abi_minor, PGL_STORE_ABI_MAJOR);
		exit(2);
	}
	if (ops->abi_minor < 12 || ops->fork_branch == NULL) {
		fprintf(stderr, "branch_bench: %s: no fork_branch (store ABI "
		    "%u.%u)\n", path, ops->abi_major, ops->abi_minor);
		exit(3);
	}
	return (ops);
}

/* Seeds tenant n (not timed), then its rows. */
static int
bench_size(struct bench *b, uint64_t n, uint64_t gsize, uint64_t calls,
    int runs, int warm, double *fork_ms)
{
	double	t0;

	(void)snprintf(b->tenant, sizeof(b->tenant), "%s-n%llu", b->prefix,
	    (unsigned long long)n);
	t0 = now_ms();
	if (seed(b, n) != PGL_OK)
		return (-1);
	if (fork_ms != NULL && bench_create(b, n, runs, warm, now_ms() - t0,
	    fork_ms) == -1)
		return (-1);
	if (n != gsize)
		return (0);
	if (lineage(b, n) != PGL_OK || bench_get(b, n, calls) == -1 ||
	    bench_list(b, n, runs) == -1)
		return (-1);
	return (0);
}

int
main(int argc, char *argv[])
{
	struct bench	 b;
	struct pgl_kv	 kv[MAX_OPTS];
	uint64_t	 sizes[MAX_SIZES], gsize = 10000, calls = 3000;
	double		 fork_ms[MAX_SIZES];
	const char	*plugin, *label = NULL;
	char		*opts;
	size_t		 nsizes, nkv = 0, i;
	int		 ch, runs = 5, check = 0, gdone = 0, status = 0;

	memset(&b, 0, sizeof(b));
	plugin = getenv("PGL_STORE_PLUGIN");
	opts = getenv("PGL_STORE_OPTS");
	nsizes = parse_sizes("1000,10000,100000", sizes);
	while ((ch = getopt(argc, argv, "b:c:Fg:n:o:p:r:")) != -1) {
		switch (ch) {
		case 'b':
			label = optarg;
			break;
		case 'c':
			calls = number(optarg, 1, MAX_CALLS);
			break;
		case 'F':
			check = 1;
			break;
		case 'g':
			gsize = number(optarg, 2 * CHANGED, 10000000);
			break;
		case 'n':
			nsizes = parse_sizes(optarg, sizes);
			break;
		case 'o':
			opts = optarg;
			break;
		case 'p':
			plugin = optarg;
			break;
		case 'r':
			runs = (int)number(optarg, 1, MAX_RUNS);
			break;
		default:
			usage();
		}
	}
	if (plugin == NULL || optind != argc)
		usage();
	b.ops = load(plugin);
	if (check)
		return (0);
	if (opts != NULL && (opts = strdup(opts)) != NULL)
		nkv = parse_opts(opts, kv);
	if ((b.pings = calloc((size_t)MAX_RUNS * 2 * PINGS,
	    sizeof(*b.pings))) == NULL)
		return (2);

	b.backend = label != NULL ? label : b.ops->name;
	if (b.ops->open(&host, kv, nkv, &b.s, &b.err) != PGL_OK) {
		fprintf(stderr, "branch_bench: %s: open: %s\n", b.backend,
		    b.err.msg);
		return (2);
	}
	/* Ids are unique per store; the pid keeps a rerun on the same
	 * database from colliding with the last one. */
	(void)snprintf(b.prefix, sizeof(b.prefix), "b%ld", (long)getpid());

	printf("# create|backend|N|fork ms|fork rows|copy ms|copy rows|"
	    "ping us|seed s|copy runs\n");
	printf("# get|backend|N|main us|c us|calls\n");
	printf("# list|backend|N|main ms|c ms|assets on main|assets on c|"
	    "runs\n");
	for (i = 0; i < nsizes; i++) {
		if (bench_size(&b, sizes[i], gsize, calls, runs, i == 0,
		    &fork_ms[i]) == -1)
			goto fail;
		gdone |= sizes[i] == gsize;
	}
	/* -g not among the sizes: a tenant of its own for those rows. */
	if (!gdone && bench_size(&b, gsize, gsize, calls, runs, 0,
	    NULL) == -1)
		goto fail;
	if (nsizes > 1 && fork_ms[nsizes - 1] > FLAT_MAX * fork_ms[0]) {
		fprintf(stderr, "branch_bench: %s: a fork took %.3f ms at "
		    "N=%llu but %.3f ms at N=%llu: more than %.0fx, not "
		    "O(1)\n", b.backend, fork_ms[nsizes - 1],
		    (unsigned long long)sizes[nsizes - 1], fork_ms[0],
		    (unsigned long long)sizes[0], FLAT_MAX);
		status = 1;
	}
	b.ops->close(b.s);
	free(b.pings);
	free(opts);
	return (status);
fail:
	b.ops->close(b.s);
	free(b.pings);
	free(opts);
	return (2);
}
