/*
 * A growable set of int64 ids.  Builders keep a few ids per request and
 * search them linearly; whole-table checks (duplicate snapshot ids,
 * refs to missing snapshots) sort once and bisect, so thousands of
 * snapshots stay cheap.
 */
#include <stdlib.h>

#include "iceberg/internal.h"

int
ice_ids_add(struct ice_ids *s, int64_t id, struct ice_err *e)
{
	int64_t	*v;
	size_t	 cap;

	if (s->n == s->cap) {
		cap = s->cap == 0 ? 16 : s->cap * 2;
		if ((v = reallocarray(s->v, cap, sizeof(*v))) == NULL)
			return (ice_oom(e));
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = id;
	return (0);
}

int
ice_ids_has(const struct ice_ids *s, int64_t id)
{
	size_t	i;

	for (i = 0; i < s->n; i++) {
		if (s->v[i] == id)
			return (1);
	}
	return (0);
}

static int
cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return ((x > y) - (x < y));
}

void
ice_ids_sort(struct ice_ids *s)
{
	if (s->n > 1)
		qsort(s->v, s->n, sizeof(*s->v), cmp);
}

/* After ice_ids_sort(). */
int
ice_ids_sorted_has(const struct ice_ids *s, int64_t id)
{
	if (s->n == 0)
		return (0);
	return (bsearch(&id, s->v, s->n, sizeof(*s->v), cmp) != NULL);
}

/* Sorts; 1 (and the id) if some id occurs twice. */
int
ice_ids_dup(struct ice_ids *s, int64_t *which)
{
	size_t	i;

	ice_ids_sort(s);
	for (i = 1; i < s->n; i++) {
		if (s->v[i] == s->v[i - 1]) {
			*which = s->v[i];
			return (1);
		}
	}
	return (0);
}

void
ice_ids_free(struct ice_ids *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
