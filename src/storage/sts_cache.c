/*
 * The STS credential cache (sts_cache.h): a small array searched by hash.
 * A few hundred tables per worker at most are hot at once; a scan of their
 * 64-bit hashes costs less than one allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "storage/sts_cache.h"
#include "util/hash.h"

#define REFRESH_MARGIN_MS	(300 * 1000)

struct entry {
	uint64_t		 hash;
	char			*key;
	struct pgl_sts_creds	 creds;
	int64_t			 refresh_ms;
	int64_t			 used_ms;
};

static struct entry	**entries;
static size_t		 nentries, max_entries;
static struct pgl_cache_stats stats;

void
pgl_sts_cache_init(size_t max)
{
	pgl_sts_cache_clear();
	free(entries);
	entries = NULL;
	max_entries = 0;
	memset(&stats, 0, sizeof(stats));
	if (max > 0 && (entries = calloc(max, sizeof(*entries))) != NULL)
		max_entries = max;
	stats.max_entries = max_entries;
}

static void
drop(size_t i)
{
	/* Secrets leave no copy in freed memory. */
	explicit_bzero(&entries[i]->creds, sizeof(entries[i]->creds));
	free(entries[i]->key);
	free(entries[i]);
	entries[i] = entries[--nentries];
	entries[nentries] = NULL;
	stats.entries = nentries;
}

static struct entry *
find(const char *key, uint64_t h, size_t *at)
{
	size_t	i;

	for (i = 0; i < nentries; i++) {
		if (entries[i]->hash == h && strcmp(entries[i]->key, key) == 0) {
			*at = i;
			return (entries[i]);
		}
	}
	return (NULL);
}

int
pgl_sts_cache_get(const char *key, int64_t now_ms, struct pgl_sts_creds *out)
{
	struct entry	*e;
	size_t		 at;

	if ((e = find(key, pgl_fnv1a_str(PGL_FNV_BASIS, key), &at)) == NULL) {
		stats.misses++;
		return (-1);
	}
	if (now_ms >= e->refresh_ms) {
		drop(at);
		stats.expirations++;
		stats.misses++;
		return (-1);
	}
	e->used_ms = now_ms;
	*out = e->creds;
	stats.hits++;
	return (0);
}

/* Room for one more: a lapsed entry, else the least recently used. */
static void
make_room(int64_t now_ms)
{
	size_t	i, lru = 0;

	for (i = 0; i < nentries; i++) {
		if (now_ms >= entries[i]->refresh_ms) {
			drop(i);
			stats.expirations++;
			return;
		}
		if (entries[i]->used_ms < entries[lru]->used_ms)
			lru = i;
	}
	drop(lru);
	stats.evictions++;
}

void
pgl_sts_cache_put(const char *key, const struct pgl_sts_creds *c,
    int64_t refresh_ms, int64_t now_ms)
{
	uint64_t	 h = pgl_fnv1a_str(PGL_FNV_BASIS, key);
	struct entry	*e;
	size_t		 at;

	if (max_entries == 0 || refresh_ms <= now_ms)
		return;
	if ((e = find(key, h, &at)) == NULL) {
		if (nentries == max_entries)
			make_room(now_ms);
		if ((e = calloc(1, sizeof(*e))) == NULL ||
		    (e->key = strdup(key)) == NULL) {
			free(e);
			return;
		}
		e->hash = h;
		entries[nentries++] = e;
		stats.entries = nentries;
	}
	e->creds = *c;
	e->refresh_ms = refresh_ms;
	e->used_ms = now_ms;
}

int64_t
pgl_sts_cache_refresh_at(const struct pgl_sts_creds *c, int duration_secs)
{
	int64_t	margin = (int64_t)duration_secs * 1000 / 2;

	if (margin > REFRESH_MARGIN_MS)
		margin = REFRESH_MARGIN_MS;
	return (c->expires_ms - margin);
}

void
pgl_sts_cache_stats(struct pgl_cache_stats *out)
{
	*out = stats;
}

void
pgl_sts_cache_clear(void)
{
	while (nentries > 0)
		drop(nentries - 1);
}
