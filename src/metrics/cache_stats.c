#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "metrics/cache_stats.h"

/* One worker's snapshot; pid 0 is a free row. */
struct row {
	int			pid;
	struct pgl_cache_stats	s[PGL_CACHE_STATS_MAX];
};

struct segment {
	struct row	rows[PGL_CACHE_STATS_ROWS];
};

struct cache_name {
	const char	*name;
	const char	*tier;
};

static struct segment		*seg;
/* Set in the parent before fork, so every worker sees the same list. */
static struct cache_name	 names[PGL_CACHE_STATS_MAX];
static size_t			 nnames;

/* This process's row. */
static int			 my_row = -1;

/* A forked child (a Kore worker, a task runner) claims a row of its own. */
static void
forget_row(void)
{
	my_row = -1;
}

int
pgl_cache_stats_init(void)
{
	(void)pthread_atfork(NULL, NULL, forget_row);
	seg = mmap(NULL, sizeof(*seg), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (seg == MAP_FAILED) {
		seg = NULL;
		return (-1);
	}
	return (0);
}

int
pgl_cache_stats_register(const char *name, const char *tier)
{
	if (seg == NULL || nnames == PGL_CACHE_STATS_MAX)
		return (-1);
	names[nnames].name = name;
	names[nnames].tier = tier;
	return ((int)nnames++);
}

size_t
pgl_cache_stats_count(void)
{
	return (nnames);
}

const char *
pgl_cache_stats_name(int id)
{
	return (id >= 0 && (size_t)id < nnames ? names[id].name : NULL);
}

const char *
pgl_cache_stats_tier(int id)
{
	return (id >= 0 && (size_t)id < nnames ? names[id].tier : NULL);
}

/*
 * A worker's row: the one it claimed, else a free one (compare-and-swap
 * on pid so two workers never share).  A worker Kore restarts claims a
 * new row; the dead one's counters stay in the sums (they are
 * cumulative) and so do its last entries/bytes, a known overcount until
 * the segment's rows run out.  -1 when every row is taken.
 */
static int
claim_row(void)
{
	pid_t	pid;
	int	i, free_pid;

	/* getpid() is a system call: it was 4 % of a cached loadTable. */
	if (my_row != -1)
		return (my_row);
	pid = getpid();
	for (i = 0; i < PGL_CACHE_STATS_ROWS; i++) {
		free_pid = 0;
		if (__atomic_compare_exchange_n(&seg->rows[i].pid, &free_pid,
		    (int)pid, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
			my_row = i;
			return (i);
		}
	}
	return (-1);
}

/* One counter copied into the shared row, or summed out of one; not
 * app.h's STORE, which is a store plugin's call. */
#define ATOMIC_COPY(dst, src, f) \
	__atomic_store_n(&(dst)->f, (src)->f, __ATOMIC_RELAXED)
#define ADD(dst, src, f) \
	((dst)->f += __atomic_load_n(&(src)->f, __ATOMIC_RELAXED))

void
pgl_cache_stats_publish(int id, const struct pgl_cache_stats *s)
{
	struct pgl_cache_stats	*d;
	int			 r;

	if (seg == NULL || id < 0 || (size_t)id >= nnames ||
	    (r = claim_row()) == -1)
		return;
	d = &seg->rows[r].s[id];
	ATOMIC_COPY(d, s, hits);
	ATOMIC_COPY(d, s, misses);
	ATOMIC_COPY(d, s, evictions);
	ATOMIC_COPY(d, s, expirations);
	ATOMIC_COPY(d, s, entries);
	ATOMIC_COPY(d, s, bytes);
	ATOMIC_COPY(d, s, max_entries);
	ATOMIC_COPY(d, s, max_bytes);
}

void
pgl_cache_stats_total(int id, struct pgl_cache_stats *out)
{
	const struct pgl_cache_stats	*s;
	int				 r;

	memset(out, 0, sizeof(*out));
	if (seg == NULL || id < 0 || (size_t)id >= nnames)
		return;
	for (r = 0; r < PGL_CACHE_STATS_ROWS; r++) {
		if (__atomic_load_n(&seg->rows[r].pid, __ATOMIC_RELAXED) == 0)
			continue;
		s = &seg->rows[r].s[id];
		ADD(out, s, hits);
		ADD(out, s, misses);
		ADD(out, s, evictions);
		ADD(out, s, expirations);
		ADD(out, s, entries);
		ADD(out, s, bytes);
		ADD(out, s, max_entries);
		ADD(out, s, max_bytes);
	}
}

double
pgl_cache_stats_hit_ratio(const struct pgl_cache_stats *s)
{
	uint64_t	n = s->hits + s->misses;

	return (n == 0 ? 0.0 : (double)s->hits / (double)n);
}

static void
render_family(FILE *fp, const char *metric, const char *type,
    const char *help, size_t field)
{
	struct pgl_cache_stats	t;
	size_t			i;
	uint64_t		v;

	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", metric, help, metric,
	    type);
	for (i = 0; i < nnames; i++) {
		pgl_cache_stats_total((int)i, &t);
		memcpy(&v, (const char *)&t + field, sizeof(v));
		fprintf(fp, "%s{cache=\"%s\",tier=\"%s\"} %llu\n", metric,
		    names[i].name, names[i].tier, (unsigned long long)v);
	}
}

#define FAMILY(fp, m, type, help, f) \
	render_family(fp, m, type, help, offsetof(struct pgl_cache_stats, f))

void
pgl_cache_stats_render(FILE *fp)
{
	if (seg == NULL || nnames == 0)
		return;
	FAMILY(fp, "pangolin_cache_hits_total", "counter",
	    "Cache lookups that found the key, all workers.", hits);
	FAMILY(fp, "pangolin_cache_misses_total", "counter",
	    "Cache lookups that did not (or found it expired).", misses);
	FAMILY(fp, "pangolin_cache_evictions_total", "counter",
	    "Live entries dropped for room.", evictions);
	FAMILY(fp, "pangolin_cache_expirations_total", "counter",
	    "Entries dropped past their TTL.", expirations);
	FAMILY(fp, "pangolin_cache_entries", "gauge",
	    "Entries held, summed over workers.", entries);
	FAMILY(fp, "pangolin_cache_bytes", "gauge",
	    "Key and value bytes held, summed over workers.", bytes);
}
