/*
 * The string set (strset.h).  Slots hold pointers into the arena; the
 * hash is FNV-1a, good enough for paths that differ in their tails.
 */
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/strset.h"

struct slot {
	const char	*s;
	uint64_t	 hash;
	int64_t		 v;
};

struct pgl_strset {
	struct pgl_arena	*arena;
	struct slot		*slots;
	size_t			 cap;		/* a power of two */
	size_t			 count;
};

#define INITIAL_CAP	64

static uint64_t
hash_of(const char *s)
{
	uint64_t	h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return (h);
}

struct pgl_strset *
pgl_strset_new(void)
{
	struct pgl_strset	*set;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return (NULL);
	set->cap = INITIAL_CAP;
	if ((set->arena = pgl_arena_new()) == NULL ||
	    (set->slots = calloc(set->cap, sizeof(*set->slots))) == NULL) {
		pgl_strset_free(set);
		return (NULL);
	}
	return (set);
}

void
pgl_strset_free(struct pgl_strset *set)
{
	if (set == NULL)
		return;
	if (set->arena != NULL)
		pgl_arena_free(set->arena);
	free(set->slots);
	free(set);
}

/* The slot holding s, or the empty one where it would go. */
static struct slot *
find(const struct pgl_strset *set, const char *s, uint64_t h)
{
	size_t	i = (size_t)h & (set->cap - 1);

	while (set->slots[i].s != NULL && (set->slots[i].hash != h ||
	    strcmp(set->slots[i].s, s) != 0))
		i = (i + 1) & (set->cap - 1);
	return (&set->slots[i]);
}

static int
grow(struct pgl_strset *set)
{
	struct slot	*old = set->slots, *to;
	size_t		 i, n = set->cap;

	if ((set->slots = calloc(n * 2, sizeof(*set->slots))) == NULL) {
		set->slots = old;
		return (-1);
	}
	set->cap = n * 2;
	for (i = 0; i < n; i++) {
		if (old[i].s == NULL)
			continue;
		to = find(set, old[i].s, old[i].hash);
		*to = old[i];
	}
	free(old);
	return (0);
}

int
pgl_strset_add(struct pgl_strset *set, const char *s, int64_t v)
{
	uint64_t	 h = hash_of(s);
	struct slot	*sl;

	if ((set->count + 1) * 2 > set->cap && grow(set) == -1)
		return (-1);
	sl = find(set, s, h);
	if (sl->s != NULL)
		return (0);
	if ((sl->s = pgl_arena_strdup(set->arena, s)) == NULL)
		return (-1);
	sl->hash = h;
	sl->v = v;
	set->count++;
	return (1);
}

int
pgl_strset_has(const struct pgl_strset *set, const char *s)
{
	return (find(set, s, hash_of(s))->s != NULL);
}

size_t
pgl_strset_count(const struct pgl_strset *set)
{
	return (set->count);
}

int
pgl_strset_each(const struct pgl_strset *set, pgl_strset_fn fn, void *arg)
{
	size_t	i;
	int	rc;

	for (i = 0; i < set->cap; i++) {
		if (set->slots[i].s != NULL &&
		    (rc = fn(arg, set->slots[i].s, set->slots[i].v)) != 0)
			return (rc);
	}
	return (0);
}
