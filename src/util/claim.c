/*
 * Claims (claim.h): a slot is { owner, wanted, since_ms } in a shared
 * anonymous mapping, changed only with atomic operations, since the
 * workers are processes and share no lock.  Worker ids are 1-based: 0
 * is "nobody".
 */
#include <sys/mman.h>
#include <sys/random.h>

#include <stdlib.h>
#include <string.h>

#include "util/claim.h"
#include "util/hash.h"

struct claim_slot {
	uint32_t	owner;
	uint32_t	wanted;
	int64_t		since_ms;	/* the owner's last take */
};

struct pgl_claims {
	uint64_t		seed;
	size_t			nslots;
	int64_t			stale_ms;
	struct claim_slot	slot[];
};

struct pgl_claims *
pgl_claims_new(size_t nslots, int64_t stale_ms)
{
	struct pgl_claims	*c;
	size_t			 size;
	void			*p;

	if (nslots == 0 || nslots > (SIZE_MAX - sizeof(*c)) /
	    sizeof(c->slot[0]))
		return (NULL);
	size = sizeof(*c) + nslots * sizeof(c->slot[0]);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (NULL);
	c = p;			/* zero-filled: every slot free */
	if (getrandom(&c->seed, sizeof(c->seed), 0) != sizeof(c->seed)) {
		(void)munmap(p, size);
		return (NULL);
	}
	c->nslots = nslots;
	c->stale_ms = stale_ms;
	return (c);
}

size_t
pgl_claims_slot(const struct pgl_claims *c, const char *const *parts,
    size_t nparts)
{
	uint64_t	h = pgl_fnv1a(PGL_FNV_BASIS, &c->seed, sizeof(c->seed));
	size_t		i;

	for (i = 0; i < nparts; i++) {
		if (parts[i] != NULL)
			h = pgl_fnv1a_str(h, parts[i]);
		h = pgl_fnv1a(h, "\xff", 1);	/* no name holds it */
	}
	return ((size_t)(h % c->nslots));
}

static void
held(struct claim_slot *s, uint32_t me, int64_t now_ms)
{
	uint32_t	w = me;

	__atomic_store_n(&s->since_ms, now_ms, __ATOMIC_RELEASE);
	/* Its own mark is answered. */
	(void)__atomic_compare_exchange_n(&s->wanted, &w, 0, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

int
pgl_claim_take(struct pgl_claims *c, size_t i, uint32_t me, int64_t now_ms)
{
	struct claim_slot	*s = &c->slot[i % c->nslots];
	uint32_t		 o = __atomic_load_n(&s->owner,
				    __ATOMIC_ACQUIRE);

	if (o != me) {
		/* A holder silent past stale_ms is taken over: a takeover
		 * of a live one costs only a lost race (claim.h). */
		if (o != 0 && now_ms - __atomic_load_n(&s->since_ms,
		    __ATOMIC_ACQUIRE) < c->stale_ms) {
			__atomic_store_n(&s->wanted, me, __ATOMIC_RELEASE);
			return (0);
		}
		if (!__atomic_compare_exchange_n(&s->owner, &o, me, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&s->wanted, me, __ATOMIC_RELEASE);
			return (0);
		}
		if (o != 0) {
			held(s, me, now_ms);
			return (2);
		}
	}
	held(s, me, now_ms);
	return (1);
}

void
pgl_claim_drop(struct pgl_claims *c, size_t i, uint32_t me, int64_t now_ms)
{
	struct claim_slot	*s = &c->slot[i % c->nslots];
	uint32_t		 o = me, w;

	w = __atomic_load_n(&s->wanted, __ATOMIC_ACQUIRE);
	if (w == me)
		w = 0;
	/* Straight to the waiter: a free slot would go to whichever
	 * worker looked first, as likely the one that just let it go.
	 * Only a holder changes the slot. */
	if (!__atomic_compare_exchange_n(&s->owner, &o, w, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED) || w == 0)
		return;
	/* The waiter's claim starts now, not at this holder's last take. */
	__atomic_store_n(&s->since_ms, now_ms, __ATOMIC_RELEASE);
	(void)__atomic_compare_exchange_n(&s->wanted, &w, 0, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

int
pgl_claim_wanted(const struct pgl_claims *c, size_t i, uint32_t me)
{
	uint32_t	w = __atomic_load_n(&c->slot[i % c->nslots].wanted,
			    __ATOMIC_ACQUIRE);

	return (w != 0 && w != me);
}

void
pgl_claims_forget(struct pgl_claims *c, uint32_t me)
{
	size_t		i;
	uint32_t	v;

	for (i = 0; i < c->nslots; i++) {
		v = me;
		(void)__atomic_compare_exchange_n(&c->slot[i].owner, &v, 0, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
		v = me;
		(void)__atomic_compare_exchange_n(&c->slot[i].wanted, &v, 0,
		    0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	}
}
