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
#include "util/hash.h"

#define TREE_SLOTS	128

struct tree_slot {
	uint64_t	 hash;
	uint64_t	 used;		/* clock of the last get or put */
	char		*location;
	json_t		*tree;
	json_t		*read;		/* tree normalised, or NULL */
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
api_tree_get(const char *location, json_t **read)
{
	struct tree_slot	*s;

	if (read != NULL)
		*read = NULL;
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
	return (json_incref(s->tree));
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
api_tree_put(const char *location, json_t *tree, json_t *read)
{
	struct tree_slot	*s;
	uint64_t		 h;
	char			*copy;

	if (location == NULL || tree == NULL)
		return;
	h = pgl_fnv1a_str(PGL_FNV_BASIS, location);
	if ((s = find(location, h)) != NULL) {
		s->used = ++clock_ticks;
		if (s->read == NULL)
			s->read = json_incref(read);
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
	json_decref(s->tree);
	json_decref(s->read);
	s->hash = h;
	s->used = ++clock_ticks;
	s->location = copy;
	s->tree = json_incref(tree);
	s->read = json_incref(read);
	publish();
}
