/*
 * The per-address connection cap (PANGOLIN_MAX_CONNS_PER_ADDR), called by
 * the patched Kore at accept and at close (src/kore/0001-pangolin.patch,
 * item 21).  Each worker counts its own connections: a worker that dies
 * takes its counts with it, where a shared table would keep them and lock
 * the address out.  So one address holds at most cap connections per
 * worker.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kore.h>
#include <http.h>

#include "http/dispatch.h"
#include "http/request.h"
#include "metrics/limits.h"

int	pgl_conn_admit(struct connection *);
int	pgl_conn_count(struct connection *);
void	pgl_conn_release(struct connection *);

#define NBUCKETS	4096	/* a power of two */

struct addr_count {
	struct addr_count	*next;
	uint8_t			 key[16];	/* IPv4 in the first 4 bytes */
	uint32_t		 n;
};

static uint32_t			 cap;	/* 0: no cap; set before fork */
static struct addr_count	*buckets[NBUCKETS];

void
pgl_conns_set_cap(uint32_t per_addr)
{
	cap = per_addr;
}

/* The address as 16 bytes; 0 for a family that is not counted (unix). */
static int
addr_key(const struct connection *c, uint8_t key[16])
{
	memset(key, 0, 16);
	switch (c->family) {
	case AF_INET:
		memcpy(key, &c->addr.ipv4.sin_addr, 4);
		return (1);
	case AF_INET6:
		memcpy(key, &c->addr.ipv6.sin6_addr, 16);
		return (1);
	default:
		return (0);
	}
}

/* FNV-1a: the table is per worker and its keys are the peers' own. */
static struct addr_count **
bucket(const uint8_t key[16])
{
	uint32_t	h = 2166136261u;
	size_t		i;

	for (i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return (&buckets[h & (NBUCKETS - 1)]);
}

static struct addr_count *
find(const uint8_t key[16])
{
	struct addr_count	*e;

	for (e = *bucket(key); e != NULL; e = e->next)
		if (memcmp(e->key, key, 16) == 0)
			return (e);
	return (NULL);
}

/* 1: count c and serve it; 0: past the cap (Kore answers 503). */
static int
count(struct connection *c, int may_refuse)
{
	struct addr_count	**b, *e;
	uint8_t			  key[16];

	if (cap == 0 || !addr_key(c, key))
		return (1);
	if ((e = find(key)) == NULL) {
		/* Out of memory: serve rather than refuse an innocent peer. */
		if ((e = calloc(1, sizeof(*e))) == NULL)
			return (1);
		memcpy(e->key, key, 16);
		b = bucket(key);
		e->next = *b;
		*b = e;
	}
	if (e->n >= cap && may_refuse) {
		pgl_limit_hit(PGL_LIMIT_CONNS_PER_ADDR, cap);
		return (0);
	}
	e->n++;
	c->flags |= CONN_ADDR_COUNTED;
	return (1);
}

int
pgl_conn_admit(struct connection *c)
{
	return (count(c, 1));
}

/*
 * A connection another worker admitted and handed over (kore_move.c):
 * counted here, where it now lives, but never refused; the worker it
 * came from has let go of its count.  So an address holds at most cap
 * connections per worker where they are accepted, and cap times the
 * workers in all, as before, wherever they have moved.
 */
int
pgl_conn_count(struct connection *c)
{
	return (count(c, 0));
}

void
pgl_conn_release(struct connection *c)
{
	struct addr_count	**p, *e;
	uint8_t			  key[16];

	c->flags &= ~CONN_ADDR_COUNTED;
	if (!addr_key(c, key))
		return;
	for (p = bucket(key); (e = *p) != NULL; p = &e->next) {
		if (memcmp(e->key, key, 16) != 0)
			continue;
		if (--e->n == 0) {
			*p = e->next;
			free(e);
		}
		return;
	}
}

/*
 * When each connection's request head had come in whole (CLOCK_MONOTONIC
 * µs), by descriptor: Kore reads a connection's next request only once
 * this one is answered (the patch's item 7), so one a connection is
 * enough.  A store that keeps copies is told it (store ABI 1.29,
 * read_after): a read must see every commit acknowledged before the
 * request came, and one check made after it serves every request that
 * had come by then (issue 69).  Grown on demand; a descriptor past what
 * it can hold reads as 0 (the dispatch time is used instead).
 */
#define ARRIVED_MAX	(1u << 20)

static uint64_t	*arrived;
static size_t	 narrived;

void
pgl_conn_head_arrived(const struct connection *c)
{
	uint64_t	*p;
	size_t		 n;

	if (c->fd < 0 || (size_t)c->fd >= ARRIVED_MAX)
		return;
	if ((size_t)c->fd >= narrived) {
		for (n = narrived ? narrived : 1024; n <= (size_t)c->fd; n *= 2)
			;
		if ((p = realloc(arrived, n * sizeof(*p))) == NULL)
			return;
		memset(p + narrived, 0, (n - narrived) * sizeof(*p));
		arrived = p;
		narrived = n;
	}
	arrived[c->fd] = pgl_now_us();
}

uint64_t
pgl_conn_arrived_us(const struct connection *c)
{
	if (c == NULL || c->fd < 0 || (size_t)c->fd >= narrived)
		return (0);
	return (arrived[c->fd]);
}
