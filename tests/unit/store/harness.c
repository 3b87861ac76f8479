/*
 * The store suite's harness (harness.h): the plugin under test, loaded
 * from PGL_STORE_PLUGIN, opened on a fresh database for every test (a
 * file for SQLite, PGL_STORE_OPTS's schema or database {n} for a
 * server), and the processes a race forks.
 *
 * SQLite's fresh file is a copy of one the plugin made and migrated at
 * the first test (<path>.template): every migration on every test's
 * file was two thirds of the suite's CPU on SQLite, and what a test
 * finds is the same schema.  The tests of a new file's creation remove
 * it first (remove_db), as they always did.
 */
#include <sys/wait.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/location.h"
#include "util/name_fold.h"

const struct pgl_store_ops	*ops;
const char			*db_path;	/* NULL: memory */
const char			*ext_opts;	/* PGL_STORE_OPTS */
unsigned			 test_seq;	/* {n} in ext_opts */
struct pgl_kv			 ext_kv[16];
static char			 db_wal[4096], db_shm[4096];
static char			 db_template[4096];
static int			 have_template;
static char			 ext_buf[4096];

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

const struct pgl_host host = STORE_TEST_HOST(host_log);

/*
 * The plugin PGL_STORE_PLUGIN names, and where its databases go: a
 * server's (PGL_STORE_OPTS, its {n} from a number of this process's),
 * SQLite's file (PGL_STORE_PATH), or the memory store's own.
 */
int
harness_load(void)
{
	const char		*plugin = getenv("PGL_STORE_PLUGIN");
	pgl_store_plugin_fn	 fn;
	void			*dl;

	if (plugin == NULL) {
		fprintf(stderr, "set PGL_STORE_PLUGIN to a store plugin .so\n");
		return (-1);
	}
	if ((dl = dlopen(plugin, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (fn = (pgl_store_plugin_fn)dlsym(dl, PGL_STORE_SYMBOL)) == NULL) {
		fprintf(stderr, "%s: %s\n", plugin, dlerror());
		return (-1);
	}
	ops = fn();
	if ((ext_opts = getenv("PGL_STORE_OPTS")) != NULL) {
		srand((unsigned)getpid());
		test_seq = (unsigned)rand() % 100000 * 1000;
	} else if (strcmp(ops->name, "memory") != 0) {
		if ((db_path = getenv("PGL_STORE_PATH")) == NULL)
			db_path = "/tmp/pgl_test_store.db";
		snprintf(db_wal, sizeof(db_wal), "%s-wal", db_path);
		snprintf(db_shm, sizeof(db_shm), "%s-shm", db_path);
		snprintf(db_template, sizeof(db_template), "%s.template",
		    db_path);
		atexit(remove_template);
	}
	return (0);
}

void
remove_template(void)
{
	char	p[4200];

	if (!have_template)
		return;
	unlink(db_template);
	snprintf(p, sizeof(p), "%s-wal", db_template);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db_template);
	unlink(p);
}

/* from to to, whole; -1 on any error. */
static int
copy_file(const char *from, const char *to)
{
	char	buf[65536];
	ssize_t	n;
	int	in, out, rc = 0;

	if ((in = open(from, O_RDONLY)) == -1)
		return (-1);
	if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		close(in);
		return (-1);
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, (size_t)n) != n) {
			rc = -1;
			break;
		}
	}
	if (n < 0)
		rc = -1;
	close(in);
	if (close(out) == -1)
		rc = -1;
	return (rc);
}

/*
 * SQLite: db_path a copy of the template, made (the plugin's own open:
 * its migrations) at the first call; 0, or -1 with err.
 */
static int
fresh_file(struct pgl_err *err)
{
	struct pgl_kv		 kv[] = { { "path", db_template } };
	struct pgl_store	*s;

	if (!have_template) {
		have_template = 1;
		remove_template();
		if (ops->open(&host, kv, 1, &s, err) != PGL_OK)
			return (-1);
		ops->close(s);	/* the last handle: the WAL goes in */
	}
	if (copy_file(db_template, db_path) == -1) {
		snprintf(err->msg, sizeof(err->msg), "copy of the template "
		    "to %.200s failed", db_path);
		return (-1);
	}
	return (0);
}

void
remove_db(void)
{
	if (db_path == NULL)
		return;
	unlink(db_path);
	unlink(db_wal);
	unlink(db_shm);
}

/* ext_opts as key/values, with {n} replaced by test_seq. */
size_t
ext_options(void)
{
	return (store_opts_parse(ext_opts, test_seq, ext_buf, sizeof(ext_buf),
	    ext_kv, sizeof(ext_kv) / sizeof(ext_kv[0])));
}

int
open_store(struct pgl_store **s, struct pgl_err *err)
{
	struct pgl_kv	kv[] = { { "path", db_path } };

	if (ext_opts != NULL)
		return (ops->open(&host, ext_kv, ext_options(), s, err));
	return (ops->open(&host, kv, db_path != NULL ? 1 : 0, s, err));
}

/* Tests of SQLite's own options skip on server-backed stores. */
int
sqlite_only(void)
{
	if (ext_opts == NULL)
		return (1);
	skip();
	return (0);
}

int
setup(void **state)
{
	struct fx	*f;

	remove_db();
	test_seq++;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (-1);
	if ((db_path != NULL && fresh_file(&f->err) == -1) ||
	    open_store(&f->s, &f->err) != PGL_OK) {
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

	if (f->s != NULL)
		ops->close(f->s);
	pgl_arena_free(f->a);
	free(f);
	remove_db();
	return (0);
}

/* Storage several handles (and processes) share: a file or a server. */
int
needs_file(void)
{
	if (db_path != NULL || ext_opts != NULL)
		return (1);
	skip();		/* reported as SKIPPED, not as a pass */
	return (0);
}

/* The MongoDB-protocol test server, which has no atomic transactions. */
int
congodb(void)
{
	const char	*server = getenv("PGL_MONGO_TEST_SERVER");

	return (server != NULL && strcmp(server, "congodb") == 0);
}

/* A second handle on the test's store whose lock waits end after ms. */
struct pgl_store *
open_waiting(struct fx *f, const char *ms)
{
	struct pgl_kv		 kv[17];
	struct pgl_store	*s2;
	size_t			 n = ext_options();

	memcpy(kv, ext_kv, n * sizeof(kv[0]));
	kv[n].key = "lock_timeout_ms";
	kv[n++].value = ms;
	assert_int_equal(ops->open(&host, kv, n, &s2, &f->err), PGL_OK);
	return (s2);
}

struct pgl_store *
open_impatient(struct fx *f)
{
	return (open_waiting(f, "200"));
}

int
fork_children(void (*child)(int, int), pid_t *pids)
{
	int	gate[2], i;

	if (pipe(gate) == -1)
		return (-1);
	for (i = 0; i < NCHILDREN; i++) {
		if ((pids[i] = fork()) == 0) {
			close(gate[1]);
			child(gate[0], i);
		}
	}
	close(gate[0]);
	usleep(100 * 1000);	/* let every child reach the gate */
	close(gate[1]);
	return (0);
}

void
wait_children(pid_t *pids, int *codes)
{
	int	i, st;

	for (i = 0; i < NCHILDREN; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		codes[i] = WEXITSTATUS(st);
	}
}
