/*
 * The gates of a worker's calls to remotes, one per (tenant, remote
 * origin) it calls (fed.h).  Two tenants whose federated catalogs name
 * the same remote have a gate each: one tenant's calls that fail open
 * its breaker only, and its slow calls fill its slots only, so neither
 * changes what the other tenant's calls are answered (issue 42).
 *
 * The map is bounded per tenant: a tenant has at most
 * max_remotes_per_tenant gates in each worker.  A gate that remembers
 * nothing (no call under way or waiting, its breaker closed without
 * failures) is freed when its last call ends, and a tenant with no gate
 * left is freed with it; so a worker holds gates only for the remotes
 * its tenants are calling, or whose failures it counts.  A tenant whose
 * gates are all in use takes the place of one that holds nothing it must
 * keep (failures counted but no call under way, or a cooldown that is
 * over); when none is, its call to one more remote is refused (503,
 * limit.c).  Only an open breaker's cooldown, and calls under way, are
 * never forgotten.  Other tenants' gates are never touched.
 *
 * Only the worker's thread reads or writes them (limit.c).
 */
#include <stdlib.h>
#include <string.h>

#include "api/federation/fed.h"
#include "app/app.h"

/* Buckets of the tenants' table: a worker calls for few at once. */
#define BUCKETS		64

static struct fed_tenant	*buckets[BUCKETS];

static unsigned int
bucket(const char *id)
{
	uint32_t	h = 2166136261u;

	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return (h % BUCKETS);
}

struct fed_tenant *
fed_tenant_get(const char *id)
{
	struct fed_tenant	*t;
	unsigned int		 b = bucket(id);
	int			 n = pgl_app.cfg->federation.max_remotes_per_tenant;

	for (t = buckets[b]; t != NULL; t = t->chain) {
		if (strcmp(t->id, id) == 0)
			return (t);
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	if ((t->id = strdup(id)) == NULL ||
	    (t->gates = calloc((size_t)n, sizeof(*t->gates))) == NULL) {
		free(t->id);
		free(t);
		return (NULL);
	}
	t->ngates = n;
	t->chain = buckets[b];
	buckets[b] = t;
	return (t);
}

/* 1 if g holds nothing that must be kept: its place may be taken. */
static int
forgettable(const struct fed_gate *g, int64_t now)
{
	return (g->inflight == 0 && g->queued == 0 && !g->b.probing &&
	    (!g->b.open || g->b.open_until <= now));
}

/* Seconds until the first of t's gates may be forgotten (at least 1). */
static int
soonest(const struct fed_tenant *t, int64_t now)
{
	const struct fed_gate	*g;
	int64_t			 best = 0, left;
	int			 i;

	for (i = 0; i < t->ngates; i++) {
		g = &t->gates[i];
		if (g->inflight != 0 || g->queued != 0 || g->b.probing)
			continue;
		left = g->b.open_until - now;
		if (best == 0 || left < best)
			best = left;
	}
	return (best < 1 ? 1 : (int)best);
}

struct fed_gate *
fed_gate_get(struct fed_tenant *t, const char *origin, int64_t now,
    int *retry_after)
{
	struct fed_gate	*g;
	int		 i, place = -1, closed = -1, cooled = -1;

	for (i = 0; i < t->ngates; i++) {
		g = &t->gates[i];
		if (g->origin == NULL) {
			if (place == -1)
				place = i;
			continue;
		}
		if (strcmp(g->origin, origin) == 0)
			return (g);
		if (!forgettable(g, now))
			continue;
		/* Failures counted cost less to forget than a cooldown. */
		if (!g->b.open && closed == -1)
			closed = i;
		else if (g->b.open && cooled == -1)
			cooled = i;
	}
	if (place == -1)
		place = closed != -1 ? closed : cooled;
	if (place == -1) {
		*retry_after = soonest(t, now);
		return (NULL);
	}
	g = &t->gates[place];
	if (g->origin != NULL)
		free(g->origin);
	else
		t->used++;
	memset(g, 0, sizeof(*g));
	g->tail = &g->head;
	if ((g->origin = strdup(origin)) == NULL) {
		t->used--;
		*retry_after = 1;
		return (NULL);
	}
	return (g);
}

static void
tenant_free(struct fed_tenant *t)
{
	struct fed_tenant	**p;

	for (p = &buckets[bucket(t->id)]; *p != NULL; p = &(*p)->chain) {
		if (*p == t) {
			*p = t->chain;
			break;
		}
	}
	free(t->gates);
	free(t->id);
	free(t);
}

void
fed_gate_tidy(struct fed_tenant *t, struct fed_gate *g)
{
	if (g != NULL && g->origin != NULL && g->inflight == 0 &&
	    g->queued == 0 && !g->b.probing && !g->b.open && g->b.fails == 0) {
		free(g->origin);
		memset(g, 0, sizeof(*g));
		t->used--;
	}
	if (t->used == 0 && t->inflight == 0)
		tenant_free(t);
}
