/*
 * The PostgreSQL store test's harness (harness.h).
 */
#include "harness.h"

const struct pgl_store_ops	*ops;
const char			*ext_opts;	/* PGL_STORE_OPTS */
unsigned				 test_seq;	/* {n} in ext_opts */
static char				 ext_buf[4096];
static struct pgl_kv			 ext_kv[16];
static size_t				 ext_n;

static void	host_log(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
host_log(int level, const char *fmt, ...)
{
	va_list	ap;

	if (level >= PGL_LOG_DEBUG)
		return;
	fprintf(stderr, "log(%d): ", level);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const struct pgl_host host = STORE_TEST_HOST(host_log);



/* ext_opts as key/values, with {n} replaced by test_seq. */
void
ext_options(void)
{
	ext_n = store_opts_parse(ext_opts, test_seq, ext_buf, sizeof(ext_buf),
	    ext_kv, sizeof(ext_kv) / sizeof(ext_kv[0]));
}

const char *
ext_value(const char *key)
{
	size_t	i;

	for (i = 0; i < ext_n; i++) {
		if (strcmp(ext_kv[i].key, key) == 0)
			return (ext_kv[i].value);
	}
	return (NULL);
}

/* The url with application_name set, so psql can find our backends. */
static void
url_with_app(char *buf, size_t len, const char *app)
{
	const char	*url = ext_value("url");

	if (strncmp(url, "postgres", 8) == 0)
		snprintf(buf, len, "%s%capplication_name=%s", url,
		    strchr(url, '?') != NULL ? '&' : '?', app);
	else
		snprintf(buf, len, "%s application_name=%s", url, app);
}

/*
 * Opens a handle on this test's schema with extra options (later ones
 * win).  app, when given, names the connection in pg_stat_activity.
 */
int
open_with(struct pgl_store **s, struct pgl_err *err, const char *app,
    const struct pgl_kv *extra, size_t nextra)
{
	struct pgl_kv	kv[MAX_KV];
	static char	url[4200];
	size_t		i, n = 0;

	ext_options();
	for (i = 0; i < ext_n; i++)
		kv[n++] = ext_kv[i];
	if (app != NULL) {
		url_with_app(url, sizeof(url), app);
		kv[n].key = "url";
		kv[n++].value = url;
	}
	for (i = 0; i < nextra && n < MAX_KV; i++)
		kv[n++] = extra[i];
	return (ops->open(&host, kv, n, s, err));
}

/*
 * One integer from the server, through psql: what the plugin's handle
 * does not show.  Neither the url nor the SQL may hold a single quote
 * (the SQL quotes with $q$ instead).
 */
long
psql_long(const char *fmt, ...)
{
	char	sql[1024], cmd[6000], out[128] = "";
	FILE	*p;
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	assert_null(strchr(sql, '\''));
	assert_null(strchr(ext_value("url"), '\''));
	snprintf(cmd, sizeof(cmd), "psql '%s' -tAXq -c '%s' 2>&1",
	    ext_value("url"), sql);
	assert_non_null(p = popen(cmd, "r"));
	if (fgets(out, sizeof(out), p) == NULL)
		out[0] = '\0';
	pclose(p);
	if (out[0] < '0' || out[0] > '9')
		fail_msg("psql: %s: %s", sql, out);
	return (strtol(out, NULL, 10));
}

long
backends(const char *app)
{
	return (psql_long("SELECT count(*) FROM pg_stat_activity"
	    " WHERE application_name = $q$%s$q$", app));
}

/* pg_terminate_backend with a timeout waits until the backend is gone. */
long
kill_backends(const char *app)
{
	return (psql_long("SELECT count(pg_terminate_backend(pid, 5000))"
	    " FROM pg_stat_activity WHERE application_name = $q$%s$q$", app));
}

int
needs_server(void)
{
	if (ext_opts != NULL)
		return (1);
	skip();
	return (0);
}

int
setup(void **state)
{
	struct fx	*f;

	if (ext_opts == NULL)
		return (0);
	test_seq++;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (-1);
	snprintf(f->app, sizeof(f->app), "pgltest_%d_%u", (int)getpid(),
	    test_seq);
	if (open_with(&f->s, &f->err, f->app, NULL, 0) != PGL_OK) {
		fprintf(stderr, "open: %s\n", f->err.msg);
		free(f);
		return (-1);
	}
	f->a = pgl_arena_new();
	*state = f;
	return (0);
}

int
teardown(void **state)
{
	struct fx	*f = *state;

	if (f == NULL)
		return (0);
	if (f->s != NULL)
		ops->close(f->s);
	pgl_arena_free(f->a);
	free(f);
	return (0);
}

void
seed_tenant(struct fx *f, struct pgl_store *s, const char *id)
{
	struct pgl_tenant	t = { id, id, NULL };

	OK(f, ops->create_tenant(s, &t, &f->err));
}

/* tenant t-a, catalog cat, branch main at commit c0, db.t1. */
void
seed_tree(struct fx *f)
{
	struct pgl_catalog	c = { "c1", "t-a", "cat", "Local", NULL, NULL,
				    NULL, "{}" };
	struct pgl_namespace	ns = { "cat", "db", "{}" };
	struct pgl_branch	b = { "cat", "main", NULL, "ingest", "[]", 0, NULL };
	struct pgl_commit	c0 = { "c0", "cat", NULL, 1, "a", "m", "[]",
				    NULL };
	struct pgl_asset	as = { "a1", "cat", "main", "db", "t1",
				    "ICEBERG_TABLE", "l", "m0", "{}", 0, 0, NULL };

	seed_tenant(f, f->s, "t-a");
	OK(f, ops->create_catalog(f->s, &c, &f->err));
	OK(f, ops->create_namespace(f->s, "t-a", &ns, &f->err));
	OK(f, ops->create_commit(f->s, "t-a", &c0, &f->err));
	OK(f, ops->create_branch(f->s, "t-a", &b, &f->err));
	OK(f, ops->update_branch_head(f->s, "t-a", "cat", "main", NULL, "c0",
	    &f->err));
	OK(f, ops->create_asset(f->s, "t-a", &as, &f->err));
}
