/*
 * The in-process cache: a chained hash table for lookup and a doubly
 * linked list for recency, both threaded through one allocation per
 * entry (header, key, value).
 *
 * No locking: an instance belongs to one Kore worker, and a worker is
 * one event loop on one thread (ARCHITECTURE.md section 2).  Making other
 * workers drop their copies is the host's job (kore_msg), not this file's.
 */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pangolin/cache.h"
#include "lru.h"

#define BUCKETS_MIN	64

/*
 * When the cache is full, a sweep for expired entries beats evicting a
 * live one, but it walks every entry; at most once a second keeps a
 * cache under steady pressure from paying O(n) on every put.
 */
#define SWEEP_INTERVAL_MS	1000

struct entry {
	struct entry	*chain;		/* next in the same bucket */
	struct entry	*newer;
	struct entry	*older;
	uint64_t	hash;
	uint64_t	expires;	/* clock ms; dead once now >= expires */
	size_t		keylen;
	size_t		vallen;
	uint32_t	refs;		/* pins held by get_ref */
	int		gone;		/* dropped while pinned */
	char		data[];		/* key, NUL, value */
};

struct pgl_cache {
	struct entry		**buckets;
	size_t			nbuckets;	/* a power of two */
	struct entry		*newest;
	struct entry		*oldest;
	uint64_t		ttl_ms;
	uint64_t		last_sweep;
	/* No entry expires before this (a lower bound): until then a
	 * sweep would find nothing, so none walks the entries. */
	uint64_t		min_expires;
	struct pgl_cache_stats	st;	/* counters, sizes, limits */
};

static uint64_t	monotonic_ms(void);

static uint64_t	(*clock_ms)(void) = monotonic_ms;

static uint64_t
monotonic_ms(void)
{
	struct timespec	ts;

	/* Wall-clock steps (NTP, admins) must not expire or revive entries. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

void
cache_lru_set_clock(uint64_t (*fn)(void))
{
	clock_ms = fn != NULL ? fn : monotonic_ms;
}

/* FNV-1a, 64 bit. */
static uint64_t
hash_key(const char *key, size_t len)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return (h);
}

static const char *
entry_key(const struct entry *e)
{
	return (e->data);
}

static const char *
entry_value(const struct entry *e)
{
	return (e->data + e->keylen + 1);
}

static uint64_t
entry_bytes(const struct entry *e)
{
	return ((uint64_t)e->keylen + e->vallen);
}

static int
expired(const struct entry *e, uint64_t now)
{
	return (now >= e->expires);
}

static struct entry *
lookup(struct pgl_cache *c, const char *key, size_t keylen)
{
	struct entry	*e;
	uint64_t	 h;

	h = hash_key(key, keylen);
	for (e = c->buckets[h & (c->nbuckets - 1)]; e != NULL; e = e->chain) {
		if (e->hash == h && e->keylen == keylen &&
		    memcmp(entry_key(e), key, keylen) == 0)
			return (e);
	}
	return (NULL);
}

static void
list_unlink(struct pgl_cache *c, struct entry *e)
{
	if (e->newer != NULL)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	if (e->older != NULL)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	e->newer = e->older = NULL;
}

static void
list_push_newest(struct pgl_cache *c, struct entry *e)
{
	e->newer = NULL;
	e->older = c->newest;
	if (c->newest != NULL)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
}

static void
table_unlink(struct pgl_cache *c, struct entry *e)
{
	struct entry	**pp;

	pp = &c->buckets[e->hash & (c->nbuckets - 1)];
	while (*pp != e)
		pp = &(*pp)->chain;
	*pp = e->chain;
}

/*
 * Keep the load factor at most 1.  Failing to grow only makes chains
 * longer, so an allocation failure here is not an error.
 */
static void
table_grow(struct pgl_cache *c)
{
	struct entry	**nb, *e;
	size_t		  n, mask;

	if (c->st.entries <= c->nbuckets || c->nbuckets > SIZE_MAX / 2)
		return;
	n = c->nbuckets * 2;
	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return;
	mask = n - 1;
	for (e = c->newest; e != NULL; e = e->older) {
		e->chain = nb[e->hash & mask];
		nb[e->hash & mask] = e;
	}
	free(c->buckets);
	c->buckets = nb;
	c->nbuckets = n;
}

static void
insert(struct pgl_cache *c, struct entry *e)
{
	struct entry	**head;

	head = &c->buckets[e->hash & (c->nbuckets - 1)];
	e->chain = *head;
	*head = e;
	list_push_newest(c, e);
	c->st.entries++;
	c->st.bytes += entry_bytes(e);
	table_grow(c);
}

/*
 * A pinned entry leaves the cache now, so no one else finds it and the
 * budget is free for others, but its bytes are still being sent: the
 * last release frees it.
 */
static void
drop(struct pgl_cache *c, struct entry *e)
{
	table_unlink(c, e);
	list_unlink(c, e);
	c->st.entries--;
	c->st.bytes -= entry_bytes(e);
	if (e->refs > 0)
		e->gone = 1;
	else
		free(e);
}

static void
sweep_expired(struct pgl_cache *c, uint64_t now)
{
	struct entry	*e, *next;

	c->min_expires = UINT64_MAX;
	for (e = c->oldest; e != NULL; e = next) {
		next = e->newer;
		if (expired(e, now)) {
			drop(c, e);
			c->st.expirations++;
		} else if (e->expires < c->min_expires)
			c->min_expires = e->expires;
	}
	c->last_sweep = now;
}

static int
full(const struct pgl_cache *c, uint64_t need)
{
	return (c->st.entries >= c->st.max_entries ||
	    need > c->st.max_bytes - c->st.bytes);
}

/* Drop entries, least recently used first, until need more bytes fit. */
static void
make_room(struct pgl_cache *c, uint64_t need, uint64_t now)
{
	struct entry	*e;

	if (full(c, need) && now - c->last_sweep >= SWEEP_INTERVAL_MS &&
	    now >= c->min_expires)
		sweep_expired(c, now);

	while (full(c, need) && (e = c->oldest) != NULL) {
		if (expired(e, now))
			c->st.expirations++;
		else
			c->st.evictions++;
		drop(c, e);
	}
}

static struct entry *
entry_new(const char *key, size_t keylen, const void *val, size_t len,
    uint64_t expires)
{
	struct entry	*e;

	if (keylen > SIZE_MAX - sizeof(*e) - 1 ||
	    len > SIZE_MAX - sizeof(*e) - 1 - keylen)
		return (NULL);
	if ((e = malloc(sizeof(*e) + keylen + 1 + len)) == NULL)
		return (NULL);

	e->chain = e->newer = e->older = NULL;
	e->refs = 0;
	e->gone = 0;
	e->hash = hash_key(key, keylen);
	e->expires = expires;
	e->keylen = keylen;
	e->vallen = len;
	memcpy(e->data, key, keylen + 1);
	if (len > 0)
		memcpy(e->data + keylen + 1, val, len);
	return (e);
}

struct pgl_cache *
cache_lru_new(const struct cache_lru_limits *lim)
{
	struct pgl_cache	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	if ((c->buckets = calloc(BUCKETS_MIN, sizeof(*c->buckets))) == NULL) {
		free(c);
		return (NULL);
	}
	c->nbuckets = BUCKETS_MIN;
	c->ttl_ms = lim->ttl_secs * 1000;
	c->last_sweep = clock_ms();
	c->min_expires = UINT64_MAX;
	c->st.max_entries = lim->max_entries;
	c->st.max_bytes = lim->max_bytes;
	return (c);
}

void
cache_lru_free(struct pgl_cache *c)
{
	if (c == NULL)
		return;
	cache_lru_clear(c);
	free(c->buckets);
	free(c);
}

/* The unexpired entry under key, or NULL counted as a miss. */
static struct entry *
live(struct pgl_cache *c, const char *key)
{
	struct entry	*e;

	if ((e = lookup(c, key, strlen(key))) != NULL &&
	    expired(e, clock_ms())) {
		drop(c, e);
		c->st.expirations++;
		e = NULL;
	}
	if (e == NULL)
		c->st.misses++;
	return (e);
}

static void
touch(struct pgl_cache *c, struct entry *e)
{
	list_unlink(c, e);
	list_push_newest(c, e);
	c->st.hits++;
}

int
cache_lru_get(struct pgl_cache *c, const char *key, void **val, size_t *len)
{
	struct entry	*e;
	void		*copy;

	if (key == NULL || val == NULL || len == NULL)
		return (PGL_EINVAL);
	if ((e = live(c, key)) == NULL)
		return (PGL_ENOTFOUND);
	/* malloc(0) may return NULL; a hit always hands back a pointer. */
	if ((copy = malloc(e->vallen > 0 ? e->vallen : 1)) == NULL)
		return (PGL_ENOMEM);
	memcpy(copy, entry_value(e), e->vallen);
	touch(c, e);
	*val = copy;
	*len = e->vallen;
	return (PGL_OK);
}

int
cache_lru_get_ref(struct pgl_cache *c, const char *key, const void **val,
    size_t *len, void **ref)
{
	struct entry	*e;

	if (key == NULL || val == NULL || len == NULL || ref == NULL)
		return (PGL_EINVAL);
	if ((e = live(c, key)) == NULL)
		return (PGL_ENOTFOUND);
	touch(c, e);
	e->refs++;
	*val = entry_value(e);
	*len = e->vallen;
	*ref = e;
	return (PGL_OK);
}

/* Touches only the entry: a pin may outlive the cache (close). */
void
cache_lru_release(struct pgl_cache *c, void *ref)
{
	struct entry	*e = ref;

	(void)c;
	if (e == NULL || e->refs == 0)
		return;
	if (--e->refs == 0 && e->gone)
		free(e);
}

int
cache_lru_put(struct pgl_cache *c, const char *key, const void *val,
    size_t len, uint32_t ttl_secs)
{
	struct entry	*e;
	size_t		 keylen;
	uint64_t	 now, ttl_ms;

	if (key == NULL || (val == NULL && len > 0))
		return (PGL_EINVAL);

	/*
	 * The old value goes first, whatever happens next: callers write
	 * through on update, and a put that fails must not leave the
	 * previous (now stale) value behind to be served.
	 */
	keylen = strlen(key);
	if ((e = lookup(c, key, keylen)) != NULL)
		drop(c, e);

	if (len > c->st.max_bytes || keylen > c->st.max_bytes - len)
		return (PGL_EINVAL);

	now = clock_ms();
	ttl_ms = ttl_secs != 0 ? (uint64_t)ttl_secs * 1000 : c->ttl_ms;
	if ((e = entry_new(key, keylen, val, len, now + ttl_ms)) == NULL)
		return (PGL_ENOMEM);

	make_room(c, entry_bytes(e), now);
	insert(c, e);
	if (e->expires < c->min_expires)
		c->min_expires = e->expires;
	return (PGL_OK);
}

int
cache_lru_del(struct pgl_cache *c, const char *key)
{
	struct entry	*e;

	if (key == NULL)
		return (PGL_EINVAL);
	if ((e = lookup(c, key, strlen(key))) == NULL)
		return (PGL_ENOTFOUND);
	drop(c, e);
	return (PGL_OK);
}

/* O(entries): prefix invalidation is rare (config deletes), gets are not. */
int
cache_lru_del_prefix(struct pgl_cache *c, const char *prefix)
{
	struct entry	*e, *next;
	size_t		 plen;

	if (prefix == NULL)
		return (PGL_EINVAL);
	plen = strlen(prefix);
	for (e = c->oldest; e != NULL; e = next) {
		next = e->newer;
		if (e->keylen >= plen &&
		    memcmp(entry_key(e), prefix, plen) == 0)
			drop(c, e);
	}
	return (PGL_OK);
}

void
cache_lru_clear(struct pgl_cache *c)
{
	while (c->oldest != NULL)
		drop(c, c->oldest);
}

/*
 * Expired entries linger until touched; sweep them first so entries and
 * bytes report what the cache can still serve.  The host reads the
 * stats after every put (api/cache_tiers.c), so the O(entries) walk runs
 * only once some entry may have expired: walking 10,000 entries per
 * put took a fifth of a commit's CPU.
 */
void
cache_lru_stats(struct pgl_cache *c, struct pgl_cache_stats *out)
{
	uint64_t	now = clock_ms();

	/*
	 * At most once a SWEEP_INTERVAL_MS, as make_room: the host reads
	 * the stats after every put, and with entries expiring all the time
	 * (the config cache's 10 s, under a million tables' loads) each put
	 * walked every entry, a quarter of a worker's time (issue 69).
	 */
	if (now >= c->min_expires && now - c->last_sweep >= SWEEP_INTERVAL_MS)
		sweep_expired(c, now);
	*out = c->st;
}
