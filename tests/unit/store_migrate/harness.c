/*
 * The migration test's harness (harness.h): plugins, fixtures, servers,
 * the seeding and the dump the fixtures are compared with.
 */
#include "harness.h"

static void	host_log(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
host_log(int level, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "log(%d): ", level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct pgl_host host = STORE_TEST_HOST(host_log);

const struct pgl_store_ops *
load(const char *path, void **dl)
{
	pgl_store_plugin_fn	fn;

	if ((*dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (fn = (pgl_store_plugin_fn)dlsym(*dl, PGL_STORE_SYMBOL)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, dlerror());
		return (NULL);
	}
	return (fn());
}

int
open_opts(struct fx *f, const char *opts)
{
	char		buf[1024];
	struct pgl_kv	kv[8];
	size_t		n;

	n = store_opts_parse(opts, 0, buf, sizeof(buf), kv, 8);
	return (f->ops->open(&host, kv, n, &f->s, &f->err));
}

/* Runs a shell command; its output goes to stderr. */
int
sh(const char *fmt, ...)
{
	char	cmd[2048];
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return (rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1);
}

/* The old way, with the ABI 1.11 methods only. */

void
seed_asset(struct fx *f, const char *id, const char *branch, const char *ns,
    const char *name, const char *kind, const char *meta, const char *props)
{
	char			loc[256];
	struct pgl_asset	as = { id, "cat", branch, ns, name, kind, loc,
				    meta, props, 0, 0, NULL };

	snprintf(loc, sizeof(loc), "s3://wh/%s/%s", ns, name);
	OK(f, f->ops->create_asset(f->s, TENANT, &as, &f->err));
}

void
seed_old(struct fx *f)
{
	const struct pgl_store_ops	*o = f->ops;
	struct pgl_tenant		 t = { TENANT, "migrated", "{}" };
	struct pgl_warehouse		 w = { "wh-1", TENANT, "wh",
					    "{\"type\":\"s3\"}", NULL, 0 };
	struct pgl_catalog		 c = { "cat-1", TENANT, "cat", "Local",
					    "wh", "s3://wh/cat", NULL, "{}" };
	struct pgl_branch		 main_b = { "cat", "main", NULL,
					    "ingest", "[]", 0, NULL };
	struct pgl_branch		 dev = { "cat", "dev", "c2",
					    "experimental", "[]", 0, NULL };
	struct pgl_branch		 part = { "cat", "part", NULL, "ingest",
					    "[\"db.t1\"]", 0, NULL };
	struct pgl_commit		 c1 = { "c1", "cat", NULL, 1000, "alice",
					    "first", "[]", NULL };
	struct pgl_commit		 c2 = { "c2", "cat", "c1", 2000,
					    "alice", "second", "[]", NULL };
	struct pgl_tag			 tag = { "cat", "v1", "c1", 0 };
	struct pgl_business_metadata	 bm = { "bm-1", "as-t1", "orders",
					    "[\"pii\"]", "{}", 1, "alice",
					    1000, "alice", 1000 };
	const char			*nss[] = { "db", "db" SEP "sub",
					    "db2" };
	uint64_t			 copied;
	size_t				 i;

	OK(f, o->create_tenant(f->s, &t, &f->err));
	OK(f, o->create_warehouse(f->s, &w, &f->err));
	OK(f, o->create_catalog(f->s, &c, &f->err));
	OK(f, o->create_branch(f->s, TENANT, &main_b, &f->err));
	for (i = 0; i < 3; i++) {
		struct pgl_namespace	ns = { "cat", nss[i], "{}" };

		OK(f, o->create_namespace(f->s, TENANT, &ns, &f->err));
	}
	seed_asset(f, "as-t1", "main", "db", "t1", "ICEBERG_TABLE", "t1-v1",
	    "{}");
	seed_asset(f, "as-t2", "main", "db", "t2", "ICEBERG_TABLE", "t2-v1",
	    "{}");
	seed_asset(f, "as-v1", "main", "db", "v1", "VIEW", "v1-v1", "{}");
	seed_asset(f, "as-t3", "main", "db" SEP "sub", "t3", "ICEBERG_TABLE",
	    "t3-v1", "{}");
	seed_asset(f, "as-t4", "main", "db2", "t4", "ICEBERG_TABLE", "t4-v1",
	    "{\"owner\":\"x\"}");
	OK(f, o->create_commit(f->s, TENANT, &c1, &f->err));
	OK(f, o->create_commit(f->s, TENANT, &c2, &f->err));
	OK(f, o->update_branch_head(f->s, TENANT, "cat", "main", NULL, "c2",
	    &f->err));
	OK(f, o->create_tag(f->s, TENANT, &tag, &f->err));
	OK(f, o->put_business_metadata(f->s, TENANT, &bm, &f->err));

	/* dev: a branch as the host made one before issue 29 (a copy of
	 * every row), then changed. */
	OK(f, o->create_branch(f->s, TENANT, &dev, &f->err));
	OK(f, o->copy_assets_bulk(f->s, TENANT, "cat", "main", "dev", NULL,
	    NULL, &copied, &f->err));
	assert_int_equal(copied, 5);
	OK(f, o->update_metadata_location(f->s, TENANT, "cat", "dev", "db",
	    "t1", "t1-v1", "t1-dev", &f->err));
	OK(f, o->delete_asset(f->s, TENANT, "cat", "dev", "db", "t2",
	    &f->err));
	seed_asset(f, "as-dev-only", "dev", "db", "dev_only", "ICEBERG_TABLE",
	    "dev-only-v1", "{}");

	/* part: a partial branch (one table). */
	OK(f, o->create_branch(f->s, TENANT, &part, &f->err));
	OK(f, o->copy_assets_bulk(f->s, TENANT, "cat", "main", "part", NULL,
	    "[\"db.t1\"]", &copied, &f->err));
	assert_int_equal(copied, 1);
}

/* What a store holds, one line each, in a fixed order. */

static void
dump_asset(FILE *out, const struct pgl_asset *as)
{
	char	ns[256];
	size_t	i;

	snprintf(ns, sizeof(ns), "%s", as->ns);
	for (i = 0; ns[i] != '\0'; i++)
		if (ns[i] == PGL_NS_SEP)
			ns[i] = '.';
	fprintf(out, "  asset %s %s.%s %s %s %s %s %lld %lld\n", as->id, ns,
	    as->name, as->kind, as->location,
	    as->metadata_location != NULL ? as->metadata_location : "-",
	    as->properties, (long long)as->created_at_ms,
	    (long long)as->updated_at_ms);
}

static void
dump_branch(struct fx *f, FILE *out, const char *branch)
{
	struct pgl_asset	*items;
	size_t			 n, i;

	OK(f, f->ops->list_all_assets_for_branch(f->s, f->a, TENANT, "cat",
	    branch, &items, &n, &f->err));
	for (i = 0; i < n; i++)
		dump_asset(out, &items[i]);
}

void
dump(struct fx *f, FILE *out)
{
	const struct pgl_store_ops	*o = f->ops;
	struct pgl_branch		*bs;
	struct pgl_namespace		*nss;
	struct pgl_tag			*tags;
	struct pgl_commit		*cs;
	struct pgl_business_metadata	 bm;
	struct pgl_page			 one = { 1, 0, NULL };
	size_t				 n, i;
	uint64_t			 total;

	OK(f, o->list_namespaces(f->s, f->a, TENANT, "cat", NULL, NULL, &nss,
	    &n, NULL, &f->err));
	for (i = 0; i < n; i++) {
		char	*p, name[256];

		snprintf(name, sizeof(name), "%s", nss[i].name);
		for (p = name; *p != '\0'; p++)
			if (*p == PGL_NS_SEP)
				*p = '.';
		fprintf(out, "namespace %s %s\n", name, nss[i].properties);
	}
	/*
	 * One branch a page: an ABI 1.11 plugin's array of struct
	 * pgl_branch has the old, shorter stride (no parent), so only the
	 * first element of an old plugin's list reads right.
	 */
	OK(f, o->list_branches(f->s, f->a, TENANT, "cat", &one, &bs, &n,
	    &total, &f->err));
	for (i = 0; i < total; i++) {
		one.offset = i;
		OK(f, o->list_branches(f->s, f->a, TENANT, "cat", &one, &bs,
		    &n, NULL, &f->err));
		assert_int_equal(n, 1);
		fprintf(out, "branch %s %s %s %s %lld\n", bs[0].name,
		    bs[0].head_commit_id != NULL ? bs[0].head_commit_id : "-",
		    bs[0].branch_type, bs[0].assets,
		    (long long)bs[0].created_at_ms);
		dump_branch(f, out, bs[0].name);
	}
	OK(f, o->list_tags(f->s, f->a, TENANT, "cat", NULL, &tags, &n, NULL,
	    &f->err));
	for (i = 0; i < n; i++)
		fprintf(out, "tag %s %s\n", tags[i].name, tags[i].commit_id);
	OK(f, o->get_commit_ancestry(f->s, f->a, TENANT, "c2", 10, &cs, &n,
	    &f->err));
	for (i = 0; i < n; i++)
		fprintf(out, "commit %s %s %lld\n", cs[i].id,
		    cs[i].parent_id != NULL ? cs[i].parent_id : "-",
		    (long long)cs[i].timestamp_ms);
	OK(f, o->get_business_metadata(f->s, f->a, TENANT, "as-t1", &bm,
	    &f->err));
	fprintf(out, "metadata %s %s %s\n", bm.id, bm.description, bm.tags);
}

char *
dump_string(struct fx *f)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*out;

	if ((out = open_memstream(&buf, &len)) == NULL)
		fail_msg("open_memstream: %s", strerror(errno));
	dump(f, out);
	fclose(out);
	return (buf);
}

char *
read_file(const char *path)
{
	FILE	*in;
	char	*buf;
	long	 len;

	if ((in = fopen(path, "r")) == NULL)
		fail_msg("%s: %s (make.sh beside it makes it)", path,
		    strerror(errno));
	fseek(in, 0, SEEK_END);
	len = ftell(in);
	rewind(in);
	if ((buf = calloc(1, (size_t)len + 1)) == NULL ||
	    fread(buf, 1, (size_t)len, in) != (size_t)len)
		fail_msg("%s: short read", path);
	fclose(in);
	return (buf);
}

/* Opening the fixtures. */

static const char *
plugin_path(const char *name, char *buf, size_t len)
{
	const char	*dir = getenv("PGL_PLUGIN_DIR");

	snprintf(buf, len, "%s/store-%s.so", dir != NULL ? dir :
	    "build/test/plugins", name);
	return (buf);
}

static struct fx *
fx_new(const char *name, const char *fixtures)
{
	struct fx	*f;
	char		 path[512];

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (NULL);
	f->name = name;
	f->fixtures = fixtures;
	f->a = pgl_arena_new();
	snprintf(f->dir, sizeof(f->dir), "/tmp/pgl-migrate-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	chmod(f->dir, 0777);	/* the PostgreSQL server's user writes it */
	plugin_path(name, path, sizeof(path));
	if (access(path, R_OK) != 0 || (f->ops = load(path, &f->dl)) == NULL) {
		print_message("  %s: not built, skipped\n", path);
		return (f);
	}
	return (f);
}

static int
sqlite_from(void **state, const char *fixtures)
{
	struct fx	*f = fx_new("sqlite", fixtures);

	if (f->ops == NULL)
		return (-1);	/* SQLite is always built */
	if (sh("cp %s/sqlite.db %s/store.db", fixtures, f->dir) != 0)
		return (-1);
	snprintf(f->opts, sizeof(f->opts), "path=%s/store.db", f->dir);
	*state = f;
	return (0);
}

static unsigned
port_base(unsigned from)
{
	return (from + (unsigned)getpid() % 400 * 10);
}

static int
postgres_from(void **state, const char *fixtures)
{
	struct fx	*f = fx_new("postgres", fixtures);
	unsigned	 port;

	*state = f;
	if (f->ops == NULL)
		return (0);
	for (port = port_base(47017); port < port_base(47017) + 10; port++)
		if (sh("sh tests/servers/postgres.sh start %s/pg %u "
		    ">%s/url 2>>%s/start.err", f->dir, port, f->dir,
		    f->dir) == 0)
			break;
	snprintf(f->stop, sizeof(f->stop),
	    "sh tests/servers/postgres.sh stop %s/pg >/dev/null 2>&1", f->dir);
	if (port == port_base(47017) + 10) {
		sh("cat %s/start.err >&2", f->dir);
		f->stop[0] = '\0';
		f->name = NULL;		/* skip: no server */
		return (0);
	}
	if (sh("psql -q -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p %u -U postgres "
	    "-d pangolin -f %s/postgres.sql >%s/load.log 2>&1 || "
	    "{ cat %s/load.log >&2; exit 1; }", port, fixtures, f->dir,
	    f->dir) != 0)
		return (-1);
	snprintf(f->opts, sizeof(f->opts),
	    "url=postgresql://postgres@127.0.0.1:%u/pangolin;schema=mig",
	    port);
	return (0);
}

static int
mongo_from(void **state, const char *fixtures)
{
	struct fx	*f = fx_new("mongo", fixtures);
	unsigned	 port;

	*state = f;
	if (f->ops == NULL)
		return (0);
	for (port = port_base(37017); port < port_base(37017) + 10; port++)
		if (sh("sh tests/servers/mongo.sh start %s/mg %u "
		    ">/dev/null 2>>%s/start.err", f->dir, port, f->dir) == 0)
			break;
	snprintf(f->stop, sizeof(f->stop),
	    "sh tests/servers/mongo.sh stop %s/mg >/dev/null 2>&1", f->dir);
	if (port == port_base(37017) + 10) {
		sh("cat %s/start.err >&2", f->dir);
		f->stop[0] = '\0';
		f->name = NULL;
		return (0);
	}
	if (sh("node " FIXTURES "/mongo_fixture.mjs load %u pgl_mig "
	    "%s/mongo.json >&2", port, fixtures) != 0)
		return (-1);
	snprintf(f->opts, sizeof(f->opts),
	    "url=mongodb://127.0.0.1:%u/;database=pgl_mig", port);
	return (0);
}

int
setup_sqlite(void **state)
{
	return (sqlite_from(state, FIXTURES));
}

int
setup_postgres(void **state)
{
	return (postgres_from(state, FIXTURES));
}

int
setup_mongo(void **state)
{
	return (mongo_from(state, FIXTURES));
}

int
setup_sqlite_names(void **state)
{
	return (sqlite_from(state, NAMES_FIXTURES));
}

int
setup_postgres_names(void **state)
{
	return (postgres_from(state, NAMES_FIXTURES));
}

int
setup_mongo_names(void **state)
{
	return (mongo_from(state, NAMES_FIXTURES));
}

int
teardown(void **state)
{
	struct fx	*f = *state;

	if (f == NULL)
		return (0);
	if (f->s != NULL)
		f->ops->close(f->s);
	if (f->stop[0] != '\0')
		sh("%s", f->stop);
	sh("rm -rf %s", f->dir);
	pgl_arena_free(f->a);
	free(f);
	return (0);
}

/* The store: opened, or the test skipped. */
int
opened(struct fx *f)
{
	if (f->ops == NULL || f->name == NULL) {
		skip();
		return (0);
	}
	OK(f, open_opts(f, f->opts));
	return (1);
}

void
expect_parent(struct fx *f, const char *branch, const char *parent)
{
	struct pgl_branch	b = { 0 };

	OK(f, f->ops->get_branch(f->s, f->a, TENANT, "cat", branch, &b,
	    &f->err));
	if (parent == NULL)
		assert_null(b.parent);
	else
		assert_string_equal(b.parent, parent);
}

const char *
meta(struct fx *f, const char *branch, const char *ns, const char *name)
{
	struct pgl_asset	as;
	int			rc;

	rc = f->ops->get_asset(f->s, f->a, TENANT, "cat", branch, ns, name,
	    &as, &f->err);
	if (rc == PGL_ENOTFOUND)
		return ("-");
	OK(f, rc);
	return (as.metadata_location);
}

char *
branch_string(struct fx *f, const char *branch)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*out;

	if ((out = open_memstream(&buf, &len)) == NULL)
		fail_msg("open_memstream: %s", strerror(errno));
	dump_branch(f, out, branch);
	fclose(out);
	return (buf);
}
