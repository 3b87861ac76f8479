/*
 * Parsed metadata files, kept per worker.
 *
 * A commit reads the table's current metadata file as a JSON tree;
 * parsing it (14 KiB with the 100-entry metadata log) and freeing the
 * tree was a quarter of a commit's CPU.  Metadata files never change
 * once written, so the tree of a location stays right for good: the
 * cache holds the trees this worker parsed or wrote last, and a commit
 * takes a reference instead of parsing again.  Trees are shared and
 * never modified (the Iceberg engine takes its base as const).
 *
 * With a tree, the normalised form the engine reads it as (table
 * metadata: what ice_md_read gives, kept by the commit that wrote the
 * file or computed by the first that read it), so a commit on a file
 * this worker wrote reads nothing again.  Views keep none.
 *
 * Few entries, each large: a small table scanned for a hash, with the
 * least recently used entry replaced.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/cache/cache.h"
#include "metrics/cache_stats.h"
#include "storage/write_pool.h"
#include "util/hash.h"

#define TREE_SLOTS	128

struct tree_slot {
	uint64_t	 hash;
	uint64_t	 used;		/* clock of the last get or put */
	char		*location;
	json_t		*tree;
	json_t		*read;		/* tree normalised, or NULL */
	int		 checked;	/* read passed ice_md_validate */
};

static struct tree_slot	slots[TREE_SLOTS];
static uint64_t		clock_ticks;
static int		stats_id = -1;
static struct pgl_cache_stats	stats = { .max_entries = TREE_SLOTS };

void
api_tree_cache_init(void)
{
	stats_id = pgl_cache_stats_register("metadata_trees", "l1");
}

/* Entries and bytes: the files' trees are counted as entries only. */
static void
publish(void)
{
	if (stats_id != -1)
		pgl_cache_stats_publish(stats_id, &stats);
}

static struct tree_slot *
find(const char *location, uint64_t h)
{
	size_t	i;

	for (i = 0; i < TREE_SLOTS; i++) {
		if (slots[i].tree != NULL && slots[i].hash == h &&
		    strcmp(slots[i].location, location) == 0)
			return (&slots[i]);
	}
	return (NULL);
}

json_t *
api_tree_get(const char *location, json_t **read, int *checked)
{
	struct tree_slot	*s;

	if (read != NULL)
		*read = NULL;
	if (checked != NULL)
		*checked = 0;
	if (location == NULL ||
	    (s = find(location, pgl_fnv1a_str(PGL_FNV_BASIS, location))) == NULL) {
		stats.misses++;
		publish();
		return (NULL);
	}
	s->used = ++clock_ticks;
	stats.hits++;
	publish();
	if (read != NULL)
		*read = json_incref(s->read);
	if (checked != NULL)
		*checked = s->read != NULL && s->checked;
	return (json_incref(s->tree));
}

/*
 * An evicted entry's trees are let go off the event loop: the last
 * reference to a metadata tree frees hundreds of nodes, and in a commit
 * storm every commit evicts one (the loops' samples: 4.3 % in this free,
 * api_tree_put under the commit's finish).  They gather here and go in
 * batches, one job at a time, on the CPU lane's threads (below the loops'
 * priority; the commit lane's if there is none), so a storm costs a job
 * per batch, not per commit.  Safe off the loop: nothing else holds the
 * references let go, and jansson counts references atomically
 * (JSON_HAVE_ATOMIC_BUILTINS), so nodes the trees share with trees still
 * in use only lose a count.  With no lane, a full batch or the pool
 * stopping, they are let go here.
 */
#define LET_GO_MAX	64

struct let_go {
	struct pgl_wjob	 job;	/* first: the pool hands it back */
	size_t		 n;
	json_t		*refs[LET_GO_MAX];
};

static json_t		*gathered[LET_GO_MAX];
static size_t		 ngathered;
static struct let_go	*going;		/* the job under way */

static void
let_go_run(struct pgl_wjob *j)
{
	struct let_go	*g = (struct let_go *)j;

	while (g->n > 0)
		json_decref(g->refs[--g->n]);
	j->rc = 0;
}

static void	let_go_send(void);

/* Back on the loop (or dropped unrun as the pool stops). */
static void
let_go_done(struct pgl_wjob *j, int stopped)
{
	struct let_go	*g = (struct let_go *)j;

	while (g->n > 0)
		json_decref(g->refs[--g->n]);
	free(g);
	going = NULL;
	if (!stopped)
		let_go_send();
}

static void
let_go_send(void)
{
	struct let_go	*g;

	if (going != NULL || ngathered == 0 ||
	    (g = calloc(1, sizeof(*g))) == NULL)
		return;
	memcpy(g->refs, gathered, ngathered * sizeof(gathered[0]));
	g->n = ngathered;
	g->job.run = let_go_run;
	g->job.done = let_go_done;
	if (pgl_wpool_submit_cpu(&g->job) == 0 ||
	    pgl_wpool_submit_commit(&g->job) == 0) {
		ngathered = 0;
		going = g;
		return;
	}
	free(g);
	while (ngathered > 0)
		json_decref(gathered[--ngathered]);
}

static void
let_go(json_t *j)
{
	if (j == NULL)
		return;
	if (ngathered == LET_GO_MAX)
		json_decref(j);
	else
		gathered[ngathered++] = j;
}

void
api_tree_release(json_t *j)
{
	if (j == NULL)
		return;
	let_go(j);
	let_go_send();
}

static struct tree_slot *
victim(void)
{
	struct tree_slot	*v = &slots[0];
	size_t			 i;

	for (i = 0; i < TREE_SLOTS; i++) {
		if (slots[i].tree == NULL)
			return (&slots[i]);
		if (slots[i].used < v->used)
			v = &slots[i];
	}
	return (v);
}

void
api_tree_put(const char *location, json_t *tree, json_t *read, int checked)
{
	struct tree_slot	*s;
	uint64_t		 h;
	char			*copy;

	if (location == NULL || tree == NULL)
		return;
	h = pgl_fnv1a_str(PGL_FNV_BASIS, location);
	if ((s = find(location, h)) != NULL) {
		s->used = ++clock_ticks;
		if (s->read == NULL) {
			s->read = json_incref(read);
			s->checked = checked;
		}
		return;
	}
	if ((copy = strdup(location)) == NULL)
		return;
	s = victim();
	if (s->tree != NULL)
		stats.evictions++;
	else
		stats.entries++;
	free(s->location);
	let_go(s->tree);
	let_go(s->read);
	let_go_send();
	s->hash = h;
	s->used = ++clock_ticks;
	s->location = copy;
	s->tree = json_incref(tree);
	s->read = json_incref(read);
	s->checked = read != NULL && checked;
	publish();
}

/*
 * The file at location is no longer the table's current metadata: a
 * commit moved the pointer past it.  Its slot goes now rather than when
 * the clock comes round to it: a storm over 64 tables with two commits
 * of each in flight put 128 files a round into 128 slots, and the clock
 * evicted each table's current file just before its next commit looked
 * for it (half the commits parsed their base again; on PostgreSQL
 * nearly all).  Kept only for files still current, 64 tables fit.
 */
void
api_tree_drop(const char *location)
{
	struct tree_slot	*s;

	if (location == NULL ||
	    (s = find(location, pgl_fnv1a_str(PGL_FNV_BASIS, location))) == NULL)
		return;
	free(s->location);
	let_go(s->tree);
	let_go(s->read);
	let_go_send();
	memset(s, 0, sizeof(*s));
	stats.entries--;
	publish();
}
