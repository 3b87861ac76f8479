/*
 * The raw store cost of a task's lifecycle (issue 12), the baseline of
 * tests/bench/maintenance.sh's claim latency and tasks-per-second rows:
 * create_task, claim_task and update_task (to succeeded), called straight
 * on a store plugin over one connection, no HTTP, no runner.
 *
 *	claim_bench -p build/release/plugins/store-sqlite.so -o path=/tmp/c.db
 *	claim_bench -p build/release/plugins/store-postgres.so \
 *	    -o 'url=postgresql://...;schema=c1' -n 200
 *
 * Each of n rounds creates one task, claims it (the oldest queued: the
 * one just made, the store holding no other) and finishes it.  Prints
 * "create_us claim_us finish_us lifecycles_per_s": the median of each
 * call, and n over the wall time of all rounds.  Exit 2 on a store error
 * or a claim that took another task.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pangolin/store.h"
#include "util/arena.h"

#define MAX_OPTS	16
#define MAX_N		100000

static void	host_log(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static void
host_log(int level, const char *fmt, ...)
{
	va_list	ap;

	if (level > PGL_LOG_WARN)
		return;
	fprintf(stderr, "claim_bench: plugin: ");
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

static double
now_us(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e6 + ts.tv_nsec / 1e3);
}

static int64_t
wall_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp);
	return (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

static size_t
parse_opts(char *s, struct pgl_kv *kv)
{
	size_t	n = 0;
	char	*p, *eq;

	while (s != NULL && *s != '\0' && n < MAX_OPTS) {
		if ((p = strchr(s, ';')) != NULL)
			*p++ = '\0';
		if ((eq = strchr(s, '=')) != NULL) {
			*eq = '\0';
			kv[n].key = s;
			kv[n].value = eq + 1;
			n++;
		}
		s = p;
	}
	return (n);
}

static void
fail(const char *what, const struct pgl_err *err)
{
	fprintf(stderr, "claim_bench: %s: %s\n", what, err->msg);
	exit(2);
}

int
main(int argc, char **argv)
{
	const struct pgl_store_ops	*ops;
	pgl_store_plugin_fn		 fn;
	struct pgl_store		*s;
	struct pgl_kv			 kv[MAX_OPTS];
	struct pgl_err			 err;
	const char			*plugin = NULL;
	char				*opts = NULL, id[64];
	double				*c, *k, *f, t0, t1, start;
	void				*dl;
	size_t				 nkv;
	int				 ch, i, n = 200;

	while ((ch = getopt(argc, argv, "p:o:n:")) != -1) {
		switch (ch) {
		case 'p': plugin = optarg; break;
		case 'o': opts = strdup(optarg); break;
		case 'n': n = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: claim_bench -p plugin.so "
			    "[-o k=v;k=v] [-n rounds]\n");
			return (2);
		}
	}
	if (plugin == NULL || n < 1 || n > MAX_N) {
		fprintf(stderr, "claim_bench: -p plugin required, 1 <= n <= "
		    "%d\n", MAX_N);
		return (2);
	}
	nkv = parse_opts(opts, kv);
	if ((dl = dlopen(plugin, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (fn = (pgl_store_plugin_fn)dlsym(dl, PGL_STORE_SYMBOL)) == NULL) {
		fprintf(stderr, "claim_bench: %s: %s\n", plugin, dlerror());
		return (2);
	}
	ops = fn();
	if (ops->abi_major != PGL_STORE_ABI_MAJOR || ops->claim_task == NULL) {
		fprintf(stderr, "claim_bench: %s: no task support\n", plugin);
		return (2);
	}
	memset(&err, 0, sizeof(err));
	if (ops->open(&host, kv, nkv, &s, &err) != PGL_OK)
		fail("open", &err);
	c = calloc((size_t)n, sizeof(*c));
	k = calloc((size_t)n, sizeof(*k));
	f = calloc((size_t)n, sizeof(*f));
	if (c == NULL || k == NULL || f == NULL)
		return (2);
	start = now_us();
	for (i = 0; i < n; i++) {
		struct pgl_task		 t, got;
		struct pgl_arena	*a = pgl_arena_new();
		int64_t			 ms = wall_ms();

		if (a == NULL)
			return (2);
		(void)snprintf(id, sizeof(id), "claim-bench-%d-%d-%d",
		    (int)getpid(), (int)(ms % 1000000), i);
		memset(&t, 0, sizeof(t));
		t.id = id;
		t.tenant_id = "claim-bench";
		t.kind = "maintenance";
		t.status = "queued";
		t.catalog = "bench";
		t.branch = "main";
		t.ns = "claims";
		t.table = "t0";
		t.params = "{}";
		t.max_attempts = 3;
		t.created_by = "bench";
		t.created_at_ms = t.updated_at_ms = ms;
		t0 = now_us();
		if (ops->create_task(s, &t, &err) != PGL_OK)
			fail("create_task", &err);
		t1 = now_us();
		c[i] = t1 - t0;
		memset(&got, 0, sizeof(got));
		t0 = now_us();
		if (ops->claim_task(s, a, "claim-bench", wall_ms(), 30000,
		    &got, &err) != PGL_OK)
			fail("claim_task", &err);
		t1 = now_us();
		k[i] = t1 - t0;
		if (got.id == NULL || strcmp(got.id, id) != 0) {
			fprintf(stderr, "claim_bench: claimed %s, not %s\n",
			    got.id ? got.id : "(null)", id);
			return (2);
		}
		got.status = "succeeded";
		got.result = "{}";
		got.finished_at_ms = got.updated_at_ms = wall_ms();
		t0 = now_us();
		if (ops->update_task(s, &got, &err) != PGL_OK)
			fail("update_task", &err);
		t1 = now_us();
		f[i] = t1 - t0;
		pgl_arena_free(a);
	}
	t1 = now_us();
	printf("%.0f %.0f %.0f %.0f\n", median(c, n), median(k, n),
	    median(f, n), n / ((t1 - start) / 1e6));
	ops->close(s);
	free(c);
	free(k);
	free(f);
	free(opts);
	return (0);
}
