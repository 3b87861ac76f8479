/*
 * Claims (claim.h): a slot is { held, wanted, since_ms } in a shared
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

/*
 * held and wanted pack a worker and the key's tag (its upper 32 bits;
 * the slot is its remainder) in one word, so that one compare-and-swap
 * says "this worker, for this key": 0 is nobody.
 */
struct claim_slot {
	uint64_t	held;
	uint64_t	wanted;
	int64_t		since_ms;	/* the holder's last take */
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

uint64_t
pgl_claims_key(const struct pgl_claims *c, const char *const *parts,
    size_t nparts)
{
	uint64_t	h = pgl_fnv1a(PGL_FNV_BASIS, &c->seed, sizeof(c->seed));
	size_t		i;

	for (i = 0; i < nparts; i++) {
		if (parts[i] != NULL)
			h = pgl_fnv1a_str(h, parts[i]);
		h = pgl_fnv1a(h, "\xff", 1);	/* no name holds it */
	}
	return (h);
}

static struct claim_slot *
slot_of(struct pgl_claims *c, uint64_t key)
{
	return (&c->slot[key % c->nslots]);
}

/* Worker me's word for the key. */
static uint64_t
mark(uint32_t me, uint64_t key)
{
	return ((uint64_t)me << 32 | key >> 32);
}

static uint32_t
worker_of(uint64_t word)
{
	return ((uint32_t)(word >> 32));
}

static int
same_key(uint64_t word, uint64_t key)
{
	return ((uint32_t)word == (uint32_t)(key >> 32));
}

static void
held(struct claim_slot *s, uint64_t mine, int64_t now_ms)
{
	uint64_t	w = mine;

	__atomic_store_n(&s->since_ms, now_ms, __ATOMIC_RELEASE);
	/* Its own mark is answered. */
	(void)__atomic_compare_exchange_n(&s->wanted, &w, 0, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

int
pgl_claim_take(struct pgl_claims *c, uint64_t key, uint32_t me,
    int64_t now_ms)
{
	struct claim_slot	*s = slot_of(c, key);
	uint64_t		 mine = mark(me, key);
	uint64_t		 h = __atomic_load_n(&s->held, __ATOMIC_ACQUIRE);

	if (h != mine) {
		/* Another key's holder (this worker's too) is no reason
		 * to wait: the claim is an agreement, not a lock. */
		if (h != 0 && !same_key(h, key))
			return (PGL_CLAIM_NONE);
		/* A holder silent past stale_ms is taken over: a takeover
		 * of a live one costs only a lost race (claim.h). */
		if (h != 0 && now_ms - __atomic_load_n(&s->since_ms,
		    __ATOMIC_ACQUIRE) < c->stale_ms) {
			__atomic_store_n(&s->wanted, mine, __ATOMIC_RELEASE);
			return (PGL_CLAIM_WAIT);
		}
		if (!__atomic_compare_exchange_n(&s->held, &h, mine, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			if (!same_key(h, key))
				return (PGL_CLAIM_NONE);
			__atomic_store_n(&s->wanted, mine, __ATOMIC_RELEASE);
			return (PGL_CLAIM_WAIT);
		}
		if (h != 0) {
			held(s, mine, now_ms);
			return (PGL_CLAIM_TAKEN_OVER);
		}
	}
	held(s, mine, now_ms);
	return (PGL_CLAIM_HELD);
}

void
pgl_claim_drop(struct pgl_claims *c, uint64_t key, uint32_t me,
    int64_t now_ms)
{
	struct claim_slot	*s = slot_of(c, key);
	uint64_t		 h = mark(me, key), w;

	w = __atomic_load_n(&s->wanted, __ATOMIC_ACQUIRE);
	/* Its own mark, or one left for another key: nobody to hand to. */
	if (worker_of(w) == me || !same_key(w, key))
		w = 0;
	/* Straight to the waiter: a free slot would go to whichever
	 * worker looked first, as likely the one that just let it go.
	 * Only a holder changes the slot. */
	if (!__atomic_compare_exchange_n(&s->held, &h, w, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED) || w == 0)
		return;
	/* The waiter's claim starts now, not at this holder's last take. */
	__atomic_store_n(&s->since_ms, now_ms, __ATOMIC_RELEASE);
	(void)__atomic_compare_exchange_n(&s->wanted, &w, 0, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}

int
pgl_claim_wanted(const struct pgl_claims *c, uint64_t key, uint32_t me)
{
	uint64_t	w = __atomic_load_n(&c->slot[key % c->nslots].wanted,
			    __ATOMIC_ACQUIRE);

	return (w != 0 && worker_of(w) != me && same_key(w, key));
}

void
pgl_claims_forget(struct pgl_claims *c, uint32_t me)
{
	size_t		i;
	uint64_t	v;

	for (i = 0; i < c->nslots; i++) {
		v = __atomic_load_n(&c->slot[i].held, __ATOMIC_ACQUIRE);
		if (worker_of(v) == me)
			(void)__atomic_compare_exchange_n(&c->slot[i].held,
			    &v, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
		v = __atomic_load_n(&c->slot[i].wanted, __ATOMIC_ACQUIRE);
		if (worker_of(v) == me)
			(void)__atomic_compare_exchange_n(&c->slot[i].wanted,
			    &v, 0, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
	}
}
