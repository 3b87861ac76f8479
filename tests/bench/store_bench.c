/*
 * Store-level bench (issue 4, item 5): each single-query method of the
 * store ABI next to the naive loop it replaces (one query per asset or
 * commit), both timed in the same run, with the store round trips each
 * cost (ops->round_trips, ABI 1.1).
 *
 *	store_bench -p build/release/plugins/store-sqlite.so -o path=/tmp/b.db
 *	store_bench -p build/release/plugins/store-postgres.so \
 *	    -o 'url=postgresql://postgres@127.0.0.1:55432/pangolin;schema=b1'
 *
 *	-p plugin	the store plugin (or PGL_STORE_PLUGIN)
 *	-o opts		its options, "k=v;k=v" (or PGL_STORE_OPTS)
 *	-b name		backend label in the rows (default: ops->name)
 *	-n sizes	comma-separated sizes N (default 100,1000,10000)
 *	-r runs		runs per row, the median is printed (default 3)
 *	-P size		page size of the naive lists (default PGL_PAGE_MAX,
 *			the largest page the API hands out)
 *	-m max		run the naive loops only for N <= max (default: all);
 *			for a server whose every command costs O(rows)
 *
 * Per N, a tenant of its own holds catalog "cat" with NNS namespaces and
 * two branches, main and feature, of N assets each; a separate tenant
 * holds one chain of max(N) commits.  Seeding is one transaction per
 * tenant and is not timed.  The rows:
 *
 *   branch copy	begin, create_branch, copy_assets_bulk(main), commit
 *			vs begin, create_branch, list_assets(main) page by
 *			page and create_asset per asset, commit; the new
 *			branch is deleted after every run (not timed), so
 *			every run copies into a fresh branch.
 *   commit ancestry	get_commit_ancestry(head, N) from the commit N deep
 *			vs get_commit per step, following parent_id.
 *   conflict listing	list_all_assets_for_branch on main and on feature
 *			vs list_namespaces, list_assets(main) per namespace
 *			page by page and get_asset(feature) per asset.
 *
 * Runs alternate single, naive, single, ... so drift hits both alike; one
 * untimed warm-up of every row at the first N comes first (statements get
 * prepared).  Times are medians; round trips the most any run took,
 * counted between the first and the last store call of the operation:
 * BEGIN and COMMIT, which PostgreSQL does not count, are left out of both
 * columns alike.
 *
 * stdout: one line per row, "backend|operation|N|single ms|single round
 * trips|naive ms|naive round trips|speed-up", after a "#" header line;
 * "n/a" for round trips a plugin does not count, "-" for a naive loop -m
 * left out.
 * Exit 1 when a single-query version took more round trips at the largest
 * N than at the smallest; 2 on a store error, a wrong result or bad usage.
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
#include "util/paging.h"

#define NNS		10		/* namespaces per catalog */
#define MAX_SIZES	8
#define MAX_RUNS	15
#define MAX_OPTS	16
#define CATALOG		"cat"
#define SRC		"main"
#define OTHER		"feature"

struct bench {
	const struct pgl_store_ops	*ops;
	struct pgl_store		*s;
	struct pgl_err			 err;
	const char			*backend;
	uint32_t			 page;
	uint64_t			 naive_max;	/* 0: naive at every N */
	int				 counted;	/* round_trips() exists */
	unsigned			 seq;		/* fresh branch names */
	char				 tenant[64];	/* of the current N */
	char				 chain[64];	/* of the commit chain */
	char				 prefix[32];	/* of every id */
};

struct sample {
	double		ms;
	uint64_t	rt;
};

typedef int	(*run_fn)(struct bench *, uint64_t, struct sample *);

static int	copy_single(struct bench *, uint64_t, struct sample *);
static int	copy_naive(struct bench *, uint64_t, struct sample *);
static int	ancestry_single(struct bench *, uint64_t, struct sample *);
static int	ancestry_naive(struct bench *, uint64_t, struct sample *);
static int	conflict_single(struct bench *, uint64_t, struct sample *);
static int	conflict_naive(struct bench *, uint64_t, struct sample *);
static int	base_single(struct bench *, uint64_t, struct sample *);
static int	base_naive(struct bench *, uint64_t, struct sample *);

static const struct {
	const char	*name;
	run_fn		 single;
	run_fn		 naive;
} rows[] = {
	{ "branch copy",	copy_single,		copy_naive },
	{ "commit ancestry",	ancestry_single,	ancestry_naive },
	{ "conflict listing",	conflict_single,	conflict_naive },
	{ "merge base",		base_single,		base_naive },
};
#define NROWS	(sizeof(rows) / sizeof(rows[0]))

static void	host_log(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	usage(void) __attribute__((noreturn));

static void
host_log(int level, const char *fmt, ...)
{
	va_list	ap;

	if (level > PGL_LOG_WARN)
		return;
	fprintf(stderr, "store_bench: plugin: ");
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
	fprintf(stderr, "store_bench: %s: %s: %s (status %d)\n", b->backend,
	    what, b->err.msg, rc);
	return (rc == PGL_OK ? PGL_EINTERNAL : rc);
}

static int
wrong(struct bench *b, const char *what, uint64_t got, uint64_t want)
{
	fprintf(stderr, "store_bench: %s: %s: got %llu, want %llu\n",
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

static uint64_t
trips(struct bench *b)
{
	return (b->counted ? b->ops->round_trips(b->s) : 0);
}

/* --- seeding (not timed) ------------------------------------------------ */

static int
seed_catalog(struct bench *b, const char *tenant)
{
	struct pgl_tenant	t = { tenant, tenant, "{}" };
	struct pgl_catalog	c = { NULL, tenant, CATALOG, "Local", NULL,
				    "s3://bench", NULL, "{}" };
	char			id[128];

	(void)snprintf(id, sizeof(id), "%s-cat", tenant);
	c.id = id;
	TRY(b, "create_tenant", b->ops->create_tenant(b->s, &t, &b->err));
	TRY(b, "create_catalog", b->ops->create_catalog(b->s, &c, &b->err));
	return (PGL_OK);
}

static int
seed_branch(struct bench *b, const char *tenant, const char *name)
{
	struct pgl_branch	br = { CATALOG, name, NULL, "experimental",
				    "[]", 0, NULL };

	TRY(b, "create_branch", b->ops->create_branch(b->s, tenant, &br,
	    &b->err));
	return (PGL_OK);
}

static int
seed_asset(struct bench *b, uint64_t i)
{
	struct pgl_asset	as = { NULL, CATALOG, SRC, NULL, NULL,
				    "ICEBERG_TABLE", NULL, NULL, "{}", 0, 0, NULL };
	char			id[128], ns[16], name[32], loc[96], meta[160];

	(void)snprintf(id, sizeof(id), "%s-%s-%llu", b->prefix, b->tenant,
	    (unsigned long long)i);
	(void)snprintf(ns, sizeof(ns), "ns%llu",
	    (unsigned long long)(i % NNS));
	(void)snprintf(name, sizeof(name), "t%06llu", (unsigned long long)i);
	(void)snprintf(loc, sizeof(loc), "s3://bench/%s/%s", ns, name);
	(void)snprintf(meta, sizeof(meta),
	    "%s/metadata/00000-0000.metadata.json", loc);
	as.id = id;
	as.ns = ns;
	as.name = name;
	as.location = loc;
	as.metadata_location = meta;
	TRY(b, "create_asset", b->ops->create_asset(b->s, b->tenant, &as,
	    &b->err));
	return (PGL_OK);
}

/* Tenant b->tenant: NNS namespaces, main with n assets, feature a copy. */
static int
seed_assets(struct bench *b, uint64_t n)
{
	struct pgl_namespace	ns = { CATALOG, NULL, "{}" };
	char			name[16];
	uint64_t		i, copied;
	int			rc;

	TRY(b, "begin", b->ops->begin(b->s, &b->err));
	if ((rc = seed_catalog(b, b->tenant)) != PGL_OK)
		goto fail;
	for (i = 0; i < NNS; i++) {
		(void)snprintf(name, sizeof(name), "ns%llu",
		    (unsigned long long)i);
		ns.name = name;
		if ((rc = b->ops->create_namespace(b->s, b->tenant, &ns,
		    &b->err)) != PGL_OK) {
			rc = failed(b, "create_namespace", rc);
			goto fail;
		}
	}
	if ((rc = seed_branch(b, b->tenant, SRC)) != PGL_OK ||
	    (rc = seed_branch(b, b->tenant, OTHER)) != PGL_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((rc = seed_asset(b, i)) != PGL_OK)
			goto fail;
	}
	if ((rc = b->ops->copy_assets_bulk(b->s, b->tenant, CATALOG, SRC,
	    OTHER, NULL, NULL, &copied, &b->err)) != PGL_OK) {
		rc = failed(b, "copy_assets_bulk (seed)", rc);
		goto fail;
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
	return (copied == n ? PGL_OK : wrong(b, "seeded copy", copied, n));
fail:
	(void)b->ops->rollback(b->s, &b->err);
	return (rc);
}

static void
commit_id(struct bench *b, uint64_t i, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s-c%06llu", b->prefix,
	    (unsigned long long)i);
}

static void
side_id(struct bench *b, char *buf, size_t len)
{
	(void)snprintf(buf, len, "%s-side", b->prefix);
}

/* One chain c0 <- c1 <- ... <- c(n-1) in tenant b->chain, and a side
 * commit on c0. */
static int
seed_chain(struct bench *b, uint64_t n)
{
	struct pgl_commit	c = { NULL, CATALOG, NULL, 0, "bench",
				    "bench commit", "[]", NULL };
	char			id[64], parent[64];
	uint64_t		i;
	int			rc;

	TRY(b, "begin", b->ops->begin(b->s, &b->err));
	if ((rc = seed_catalog(b, b->chain)) != PGL_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		commit_id(b, i, id, sizeof(id));
		c.id = id;
		c.parent_id = i == 0 ? NULL : parent;
		c.timestamp_ms = 1700000000000LL + (int64_t)i;
		if ((rc = b->ops->create_commit(b->s, b->chain, &c,
		    &b->err)) != PGL_OK) {
			rc = failed(b, "create_commit", rc);
			goto fail;
		}
		memcpy(parent, id, sizeof(parent));
	}
	/* A side commit on c0: the merge base of it and the head is c0. */
	side_id(b, id, sizeof(id));
	commit_id(b, 0, parent, sizeof(parent));
	c.id = id;
	c.parent_id = parent;
	c.timestamp_ms = 1700000000000LL + (int64_t)n;
	if ((rc = b->ops->create_commit(b->s, b->chain, &c, &b->err)) !=
	    PGL_OK) {
		rc = failed(b, "create_commit", rc);
		goto fail;
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
	return (PGL_OK);
fail:
	(void)b->ops->rollback(b->s, &b->err);
	return (rc);
}

/* --- branch copy ----------------------------------------------------------- */

static void
fresh_branch(struct bench *b, char *buf, size_t len)
{
	(void)snprintf(buf, len, "copy-%u", ++b->seq);
}

/* Not timed: every run starts from the same rows. */
static int
drop_branch(struct bench *b, const char *name)
{
	TRY(b, "delete_branch", b->ops->delete_branch(b->s, b->tenant,
	    CATALOG, name, &b->err));
	return (PGL_OK);
}

static int
copy_single(struct bench *b, uint64_t n, struct sample *out)
{
	char		dst[32];
	uint64_t	copied = 0, rt;
	double		t0;
	int		rc;

	fresh_branch(b, dst, sizeof(dst));
	t0 = now_ms();
	TRY(b, "begin", b->ops->begin(b->s, &b->err));
	rt = trips(b);
	if ((rc = seed_branch(b, b->tenant, dst)) == PGL_OK &&
	    (rc = b->ops->copy_assets_bulk(b->s, b->tenant, CATALOG, SRC,
	    dst, NULL, NULL, &copied, &b->err)) != PGL_OK)
		rc = failed(b, "copy_assets_bulk", rc);
	out->rt = trips(b) - rt;
	if (rc != PGL_OK) {
		(void)b->ops->rollback(b->s, &b->err);
		return (rc);
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
	out->ms = now_ms() - t0;
	if (copied != n)
		return (wrong(b, "copy_assets_bulk copied", copied, n));
	return (drop_branch(b, dst));
}

/* One page of main into dst, one create_asset per asset, fresh ids. */
static int
copy_page(struct bench *b, const char *dst, const struct pgl_asset *items,
    size_t n, uint64_t *copied)
{
	struct pgl_asset	as;
	char			id[192];
	size_t			i;

	for (i = 0; i < n; i++) {
		as = items[i];
		(void)snprintf(id, sizeof(id), "%s-%s-%s-%llu", b->prefix,
		    b->tenant, dst, (unsigned long long)*copied);
		as.id = id;
		as.branch = dst;
		TRY(b, "create_asset", b->ops->create_asset(b->s, b->tenant,
		    &as, &b->err));
		(*copied)++;
	}
	return (PGL_OK);
}

static int
copy_loop(struct bench *b, const char *dst, uint64_t *copied)
{
	struct pgl_arena	*a;
	struct pgl_asset	*items;
	struct pgl_page		 pg = { b->page, 0, NULL };
	size_t			 n;
	int			 rc;

	if ((a = pgl_arena_new()) == NULL)
		return (PGL_ENOMEM);
	do {
		if ((rc = b->ops->list_assets(b->s, a, b->tenant, CATALOG, SRC,
		    NULL, NULL, &pg, &items, &n, NULL, &b->err)) != PGL_OK) {
			rc = failed(b, "list_assets", rc);
			break;
		}
		if ((rc = copy_page(b, dst, items, n, copied)) != PGL_OK)
			break;
		pg.offset += n;
	} while (n == pg.limit);
	pgl_arena_free(a);
	return (rc);
}

static int
copy_naive(struct bench *b, uint64_t n, struct sample *out)
{
	char		dst[32];
	uint64_t	copied = 0, rt;
	double		t0;
	int		rc;

	fresh_branch(b, dst, sizeof(dst));
	t0 = now_ms();
	TRY(b, "begin", b->ops->begin(b->s, &b->err));
	rt = trips(b);
	if ((rc = seed_branch(b, b->tenant, dst)) == PGL_OK)
		rc = copy_loop(b, dst, &copied);
	out->rt = trips(b) - rt;
	if (rc != PGL_OK) {
		(void)b->ops->rollback(b->s, &b->err);
		return (rc);
	}
	TRY(b, "commit", b->ops->commit(b->s, &b->err));
	out->ms = now_ms() - t0;
	if (copied != n)
		return (wrong(b, "naive copy copied", copied, n));
	return (drop_branch(b, dst));
}

/* --- commit ancestry -------------------------------------------------------- */

static int
ancestry_single(struct bench *b, uint64_t n, struct sample *out)
{
	struct pgl_arena	*a;
	struct pgl_commit	*items;
	char			 head[64], root[64];
	size_t			 got = 0;
	uint64_t		 rt;
	double			 t0;
	int			 rc;

	if ((a = pgl_arena_new()) == NULL)
		return (PGL_ENOMEM);
	commit_id(b, n - 1, head, sizeof(head));
	commit_id(b, 0, root, sizeof(root));
	t0 = now_ms();
	rt = trips(b);
	rc = b->ops->get_commit_ancestry(b->s, a, b->chain, head, (uint32_t)n,
	    &items, &got, &b->err);
	out->rt = trips(b) - rt;
	out->ms = now_ms() - t0;
	if (rc != PGL_OK)
		rc = failed(b, "get_commit_ancestry", rc);
	else if (got != n)
		rc = wrong(b, "get_commit_ancestry commits", got, n);
	else if (strcmp(items[got - 1].id, root) != 0)
		rc = wrong(b, "get_commit_ancestry ends at the root", 0, 1);
	pgl_arena_free(a);
	return (rc);
}

static int
walk(struct bench *b, struct pgl_arena *a, const char *head, uint64_t n,
    uint64_t *steps)
{
	struct pgl_commit	c;
	const char		*id = head;

	while (id != NULL && *steps < n) {
		TRY(b, "get_commit", b->ops->get_commit(b->s, a, b->chain, id,
		    &c, &b->err));
		(*steps)++;
		id = c.parent_id;
	}
	return (PGL_OK);
}

static int
ancestry_naive(struct bench *b, uint64_t n, struct sample *out)
{
	struct pgl_arena	*a;
	char			 head[64];
	uint64_t		 rt, steps = 0;
	double			 t0;
	int			 rc;

	if ((a = pgl_arena_new()) == NULL)
		return (PGL_ENOMEM);
	commit_id(b, n - 1, head, sizeof(head));
	t0 = now_ms();
	rt = trips(b);
	rc = walk(b, a, head, n, &steps);
	out->rt = trips(b) - rt;
	out->ms = now_ms() - t0;
	pgl_arena_free(a);
	if (rc == PGL_OK && steps != n)
		rc = wrong(b, "naive walk commits", steps, n);
	return (rc);
}

/* --- merge base ------------------------------------------------------------ */

/* The head c(n-1) and the side commit on c0: get_merge_base in one query. */
static int
base_single(struct bench *b, uint64_t n, struct sample *out)
{
	struct pgl_arena	*a;
	const char		*base = NULL;
	char			 head[64], side[64], root[64];
	uint64_t		 rt;
	double			 t0;
	int			 rc;

	if (b->ops->get_merge_base == NULL)
		return (failed(b, "get_merge_base (not implemented)",
		    PGL_EINVAL));
	if ((a = pgl_arena_new()) == NULL)
		return (PGL_ENOMEM);
	commit_id(b, n - 1, head, sizeof(head));
	commit_id(b, 0, root, sizeof(root));
	side_id(b, side, sizeof(side));
	t0 = now_ms();
	rt = trips(b);
	rc = b->ops->get_merge_base(b->s, a, b->chain, head, side, &base,
	    &b->err);
	out->rt = trips(b) - rt;
	out->ms = now_ms() - t0;
	if (rc != PGL_OK)
		rc = failed(b, "get_merge_base", rc);
	else if (base == NULL || strcmp(base, root) != 0)
		rc = wrong(b, "get_merge_base is the root", 0, 1);
	pgl_arena_free(a);
	return (rc);
}

/* The naive way: the head's whole history by get_commit, then the side's
 * parents until one is in it. */
static int
base_naive(struct bench *b, uint64_t n, struct sample *out)
{
	struct pgl_arena	*a;
	struct pgl_commit	 c;
	char			 head[64], side[64], root[64], **seen;
	const char		*id;
	uint64_t		 rt, k = 0, i;
	double			 t0;
	int			 found = 0;

	if ((a = pgl_arena_new()) == NULL)
		return (PGL_ENOMEM);
	if ((seen = pgl_arena_alloc(a, (size_t)n * sizeof(*seen))) == NULL) {
		pgl_arena_free(a);
		return (PGL_ENOMEM);
	}
	commit_id(b, n - 1, head, sizeof(head));
	commit_id(b, 0, root, sizeof(root));
	side_id(b, side, sizeof(side));
	t0 = now_ms();
	rt = trips(b);
	for (id = head; id != NULL && k < n; id = c.parent_id) {
		TRY(b, "get_commit", b->ops->get_commit(b->s, a, b->chain, id,
		    &c, &b->err));
		seen[k++] = (char *)c.id;
	}
	for (id = side; id != NULL && !found; id = c.parent_id) {
		for (i = 0; i < k && !found; i++)
			found = strcmp(seen[i], id) == 0;
		if (found)
			break;
		TRY(b, "get_commit", b->ops->get_commit(b->s, a, b->chain, id,
		    &c, &b->err));
	}
	out->rt = trips(b) - rt;
	out->ms = now_ms() - t0;
	i = found && strcmp(id, root) == 0;
	pgl_arena_free(a);
	return (i ? PGL_OK : wrong(b, "naive merge base is the root", 0, 1));
}

/* --- conflict listing -------------------------------------------------------- */

static int
conflict_single(struct bench *b, uint64_t n, struct sample *out)
{
	struct pgl_arena	*a;
	struct pgl_asset	*ours, *theirs;
	size_t			 n1 = 0, n2 = 0;
	uint64_t		 rt;
	double			 t0;
	int			 rc;

	if ((a = pgl_arena_new()) == NULL)
		return (PGL_ENOMEM);
	t0 = now_ms();
	rt = trips(b);
	rc = b->ops->list_all_assets_for_branch(b->s, a, b->tenant, CATALOG,
	    SRC, &ours, &n1, &b->err);
	if (rc == PGL_OK)
		rc = b->ops->list_all_assets_for_branch(b->s, a, b->tenant,
		    CATALOG, OTHER, &theirs, &n2, &b->err);
	out->rt = trips(b) - rt;
	out->ms = now_ms() - t0;
	pgl_arena_free(a);
	if (rc != PGL_OK)
		return (failed(b, "list_all_assets_for_branch", rc));
	if (n1 + n2 != 2 * n)
		return (wrong(b, "list_all_assets_for_branch assets", n1 + n2,
		    2 * n));
	return (PGL_OK);
}

/* The other branch's version of each asset: found or not, one query. */
static int
lookup_page(struct bench *b, struct pgl_arena *a,
    const struct pgl_asset *items, size_t n, uint64_t *seen)
{
	struct pgl_asset	theirs;
	size_t			i;
	int			rc;

	for (i = 0; i < n; i++) {
		rc = b->ops->get_asset(b->s, a, b->tenant, CATALOG, OTHER,
		    items[i].ns, items[i].name, &theirs, &b->err);
		if (rc != PGL_OK && rc != PGL_ENOTFOUND)
			return (failed(b, "get_asset", rc));
		seen[rc == PGL_OK]++;
	}
	return (PGL_OK);
}

static int
list_namespace(struct bench *b, struct pgl_arena *a, const char *ns,
    uint64_t *seen)
{
	struct pgl_asset	*items;
	struct pgl_page		 pg = { b->page, 0, NULL };
	size_t			 n;
	int			 rc;

	do {
		TRY(b, "list_assets", b->ops->list_assets(b->s, a, b->tenant,
		    CATALOG, SRC, ns, NULL, &pg, &items, &n, NULL, &b->err));
		if ((rc = lookup_page(b, a, items, n, seen)) != PGL_OK)
			return (rc);
		pg.offset += n;
	} while (n == pg.limit);
	return (PGL_OK);
}

static int
conflict_loop(struct bench *b, struct pgl_arena *a, uint64_t *seen)
{
	struct pgl_namespace	*nss;
	struct pgl_page		 pg = { b->page, 0, NULL };
	size_t			 n, i;
	int			 rc;

	do {
		TRY(b, "list_namespaces", b->ops->list_namespaces(b->s, a,
		    b->tenant, CATALOG, NULL, &pg, &nss, &n, NULL, &b->err));
		for (i = 0; i < n; i++) {
			if ((rc = list_namespace(b, a, nss[i].name, seen)) !=
			    PGL_OK)
				return (rc);
		}
		pg.offset += n;
	} while (n == pg.limit);
	return (PGL_OK);
}

static int
conflict_naive(struct bench *b, uint64_t n, struct sample *out)
{
	struct pgl_arena	*a;
	uint64_t		 rt, seen[2] = { 0, 0 };
	double			 t0;
	int			 rc;

	if ((a = pgl_arena_new()) == NULL)
		return (PGL_ENOMEM);
	t0 = now_ms();
	rt = trips(b);
	rc = conflict_loop(b, a, seen);
	out->rt = trips(b) - rt;
	out->ms = now_ms() - t0;
	pgl_arena_free(a);
	if (rc == PGL_OK && seen[1] != n)
		rc = wrong(b, "naive listing matched assets", seen[1], n);
	return (rc);
}

/* --- the table ------------------------------------------------------------------ */

static int
by_ms(const void *x, const void *y)
{
	double	a = ((const struct sample *)x)->ms;
	double	b = ((const struct sample *)y)->ms;

	return (a < b ? -1 : a > b);
}

/* The median time; the most round trips any run took. */
static struct sample
median(struct sample *v, int n)
{
	struct sample	m;
	int		i;

	qsort(v, (size_t)n, sizeof(*v), by_ms);
	m.ms = n % 2 ? v[n / 2].ms : (v[n / 2 - 1].ms + v[n / 2].ms) / 2;
	m.rt = 0;
	for (i = 0; i < n; i++)
		m.rt = v[i].rt > m.rt ? v[i].rt : m.rt;
	return (m);
}

static void
print_row(struct bench *b, const char *op, uint64_t n, struct sample s,
    struct sample v)
{
	char	srt[24] = "n/a", vrt[24] = "n/a", vms[24] = "-", x[24] = "-";

	if (b->counted) {
		(void)snprintf(srt, sizeof(srt), "%llu",
		    (unsigned long long)s.rt);
		(void)snprintf(vrt, sizeof(vrt), "%llu",
		    (unsigned long long)v.rt);
	}
	if (v.ms < 0)		/* naive loop not run at this N (-m) */
		(void)snprintf(vrt, sizeof(vrt), "-");
	else {
		(void)snprintf(vms, sizeof(vms), "%.2f", v.ms);
		(void)snprintf(x, sizeof(x), "%.1f",
		    s.ms > 0 ? v.ms / s.ms : 0.0);
	}
	printf("%s|%s|%llu|%.2f|%s|%s|%s|%s\n", b->backend, op,
	    (unsigned long long)n, s.ms, srt, vms, vrt, x);
	fflush(stdout);
}

/*
 * runs alternating single and naive; single[] and naive[] get them.  Past
 * b->naive_max the naive loop is not run and its time is -1.
 */
static int
measure(struct bench *b, size_t row, uint64_t n, int runs,
    struct sample *single, struct sample *naive)
{
	int	r, skip = b->naive_max != 0 && n > b->naive_max;

	for (r = 0; r < runs; r++) {
		naive[r].ms = -1;
		naive[r].rt = 0;
		if (rows[row].single(b, n, &single[r]) != PGL_OK ||
		    (!skip && rows[row].naive(b, n, &naive[r]) != PGL_OK))
			return (-1);
	}
	return (0);
}

/* --- set-up ----------------------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr, "usage: store_bench -p plugin.so [-o 'k=v;k=v'] "
	    "[-b backend] [-n 100,1000,10000] [-r runs] [-P page] "
	    "[-m naive-max]\n");
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
		sizes[n] = number(p, 1, 1000000);
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

static const struct pgl_store_ops *
load(const char *path)
{
	const struct pgl_store_ops	*ops;
	pgl_store_plugin_fn		 fn;
	void				*dl;

	if ((dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (fn = (pgl_store_plugin_fn)dlsym(dl, PGL_STORE_SYMBOL)) == NULL) {
		fprintf(stderr, "store_bench: %s: %s\n", path, dlerror());
		exit(2);
	}
	ops = fn();
	if (ops->abi_major != PGL_STORE_ABI_MAJOR) {
		fprintf(stderr, "store_bench: %s: store ABI %u.%u, want %d.x\n",
		    path, ops->abi_major, ops->abi_minor, PGL_STORE_ABI_MAJOR);
		exit(2);
	}
	return (ops);
}

/* A table older than ABI 1.1 ends before round_trips: never read it. */
static int
has_round_trips(const struct pgl_store_ops *ops)
{
	return (ops->abi_minor >= 1 && ops->round_trips != NULL);
}

/* Returns 1 when a single-query row grew in round trips with N. */
static int
check_constant(struct bench *b, uint64_t *sizes, size_t nsizes,
    struct sample (*single)[MAX_SIZES])
{
	size_t	r, last = nsizes - 1;
	int	grew = 0;

	if (!b->counted || nsizes < 2)
		return (0);
	for (r = 0; r < NROWS; r++) {
		if (single[r][last].rt <= single[r][0].rt)
			continue;
		fprintf(stderr, "store_bench: %s: %s: %llu round trips at "
		    "N=%llu but %llu at N=%llu: not a single query\n",
		    b->backend, rows[r].name,
		    (unsigned long long)single[r][last].rt,
		    (unsigned long long)sizes[last],
		    (unsigned long long)single[r][0].rt,
		    (unsigned long long)sizes[0]);
		grew = 1;
	}
	return (grew);
}

/* Seeds N, then the rows of N into column col of single and naive. */
static int
bench_size(struct bench *b, uint64_t n, int runs, int warm,
    struct sample (*single)[MAX_SIZES], struct sample (*naive)[MAX_SIZES],
    size_t col)
{
	struct sample	s[MAX_RUNS], v[MAX_RUNS], w;
	double		t0;
	size_t		r;

	(void)snprintf(b->tenant, sizeof(b->tenant), "%s-n%llu", b->prefix,
	    (unsigned long long)n);
	t0 = now_ms();
	if (seed_assets(b, n) != PGL_OK)
		return (-1);
	fprintf(stderr, "store_bench: %s: seeded 2 x %llu assets in %.0f ms\n",
	    b->backend, (unsigned long long)n, now_ms() - t0);
	for (r = 0; warm && r < NROWS; r++) {
		if (measure(b, r, n, 1, &w, &w) == -1)
			return (-1);
	}
	for (r = 0; r < NROWS; r++) {
		if (measure(b, r, n, runs, s, v) == -1)
			return (-1);
		single[r][col] = median(s, runs);
		naive[r][col] = median(v, runs);
		print_row(b, rows[r].name, n, single[r][col], naive[r][col]);
	}
	return (0);
}

int
main(int argc, char *argv[])
{
	struct bench	 b;
	struct pgl_kv	 kv[MAX_OPTS];
	struct sample	 single[NROWS][MAX_SIZES], naive[NROWS][MAX_SIZES];
	uint64_t	 sizes[MAX_SIZES];
	const char	*plugin, *label = NULL;
	char		*opts;
	size_t		 nsizes, nkv = 0, i;
	double		 t0;
	int		 ch, runs = 3;

	memset(&b, 0, sizeof(b));
	b.page = PGL_PAGE_MAX;
	plugin = getenv("PGL_STORE_PLUGIN");
	opts = getenv("PGL_STORE_OPTS");
	nsizes = parse_sizes("100,1000,10000", sizes);
	while ((ch = getopt(argc, argv, "b:m:n:o:p:P:r:")) != -1) {
		switch (ch) {
		case 'b':
			label = optarg;
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
		case 'm':
			b.naive_max = number(optarg, 0, UINT64_MAX);
			break;
		case 'P':
			b.page = (uint32_t)number(optarg, 1, 1000000);
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
	if (opts != NULL && (opts = strdup(opts)) != NULL)
		nkv = parse_opts(opts, kv);

	b.ops = load(plugin);
	b.backend = label != NULL ? label : b.ops->name;
	b.counted = has_round_trips(b.ops);
	if (!b.counted)
		fprintf(stderr, "store_bench: %s: the plugin does not count "
		    "round trips (ABI %u.%u); those columns say n/a\n",
		    b.backend, b.ops->abi_major, b.ops->abi_minor);
	if (b.ops->open(&host, kv, nkv, &b.s, &b.err) != PGL_OK) {
		fprintf(stderr, "store_bench: %s: open: %s\n", b.backend,
		    b.err.msg);
		return (2);
	}
	/* Ids are unique per store; the pid keeps a rerun on the same
	 * database from colliding with the last one. */
	(void)snprintf(b.prefix, sizeof(b.prefix), "b%ld", (long)getpid());
	(void)snprintf(b.chain, sizeof(b.chain), "%s-chain", b.prefix);

	t0 = now_ms();
	if (seed_chain(&b, sizes[nsizes - 1]) != PGL_OK)
		goto fail;
	fprintf(stderr, "store_bench: %s: seeded a chain of %llu commits in "
	    "%.0f ms\n", b.backend, (unsigned long long)sizes[nsizes - 1],
	    now_ms() - t0);

	printf("# backend|operation|N|single-query ms|single-query round "
	    "trips|naive ms|naive round trips|speed-up\n");
	for (i = 0; i < nsizes; i++) {
		if (bench_size(&b, sizes[i], runs, i == 0, single, naive,
		    i) == -1)
			goto fail;
	}
	b.ops->close(b.s);
	free(opts);
	return (check_constant(&b, sizes, nsizes, single));
fail:
	b.ops->close(b.s);
	free(opts);
	return (2);
}
