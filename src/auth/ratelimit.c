#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "auth/ratelimit.h"
#include "util/hash.h"

/*
 * Two tables: logins (8,192 slots of 24 bytes, 192 KiB) and request
 * rates (65,536 slots, 1.5 MiB), apart so that a flood of requests from
 * many principals can never push a login window out.  A key probes at
 * most PROBE slots from its hash; when all are busy with live windows
 * the oldest one is taken over, so a flood of fresh keys costs memory
 * nothing and can at worst reset someone else's window, never lock a
 * user out.
 */
#define LOGIN_SLOTS	8192
#define REQUEST_SLOTS	65536
#define PROBE		8

struct slot {
	uint64_t	key;		/* FNV-1a of the key text, 0 = free */
	int64_t		start;		/* window start, seconds */
	uint32_t	count;
};

struct table {
	pthread_mutex_t	lock;		/* process-shared */
	size_t		nslots;
	struct slot	slot[];
};

static struct table	*tables[PGL_RL_NTABLES];

static struct table *
table_map(size_t nslots)
{
	pthread_mutexattr_t	attr;
	struct table		*t;
	void			*p;

	p = mmap(NULL, sizeof(*t) + nslots * sizeof(struct slot),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (NULL);
	t = p;
	t->nslots = nslots;
	if (pthread_mutexattr_init(&attr) != 0 ||
	    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutex_init(&t->lock, &attr) != 0)
		return (NULL);
	(void)pthread_mutexattr_destroy(&attr);
	return (t);
}

int
pgl_ratelimit_init(void)
{
	if ((tables[PGL_RL_LOGIN] = table_map(LOGIN_SLOTS)) == NULL ||
	    (tables[PGL_RL_REQUESTS] = table_map(REQUEST_SLOTS)) == NULL)
		return (-1);
	return (0);
}

static uint64_t
fnv1a(const char *s)
{
	uint64_t	h = pgl_fnv1a_str(PGL_FNV_BASIS, s);

	return (h == 0 ? 1 : h);
}

/* The key's slot, or the best one to take over; table locked. */
static struct slot *
find(struct table *table, uint64_t key, int64_t now, int window_secs)
{
	struct slot	*s, *free = NULL, *oldest = NULL;
	size_t		 i, at = key % table->nslots;

	for (i = 0; i < PROBE; i++) {
		s = &table->slot[(at + i) % table->nslots];
		if (s->key == key)
			return (s);
		if (free == NULL && (s->key == 0 ||
		    s->start + window_secs <= now))
			free = s;
		if (oldest == NULL || s->start < oldest->start)
			oldest = s;
	}
	s = free != NULL ? free : oldest;
	s->key = key;
	s->start = now;
	s->count = 0;
	return (s);
}

int
pgl_ratelimit_hit(const char *key, int limit, int window_secs, int64_t now)
{
	return (pgl_ratelimit_hit_in(PGL_RL_LOGIN, key, limit, window_secs,
	    now));
}

int
pgl_ratelimit_hit_in(enum pgl_rl_table which, const char *key, int limit,
    int window_secs, int64_t now)
{
	struct table	*table = tables[which];
	struct slot	*s;
	int		 retry = 0;

	if (table == NULL || limit <= 0 || window_secs <= 0)
		return (0);
	(void)pthread_mutex_lock(&table->lock);
	s = find(table, fnv1a(key), now, window_secs);
	if (s->start + window_secs <= now) {
		s->start = now;
		s->count = 0;
	}
	if (s->count < (uint32_t)limit)
		s->count++;
	else
		retry = (int)(s->start + window_secs - now);
	(void)pthread_mutex_unlock(&table->lock);
	return (retry > 0 ? retry : 0);
}

int
pgl_ratelimit_peek(const char *key, int limit, int window_secs, int64_t now)
{
	struct table	*table = tables[PGL_RL_LOGIN];
	struct slot	*s;
	uint64_t	 k;
	size_t		 i;
	int		 retry = 0;

	if (table == NULL || limit <= 0 || window_secs <= 0)
		return (0);
	k = fnv1a(key);
	(void)pthread_mutex_lock(&table->lock);
	for (i = 0; i < PROBE; i++) {
		s = &table->slot[(k % table->nslots + i) % table->nslots];
		if (s->key == k) {
			if (s->start + window_secs > now &&
			    s->count >= (uint32_t)limit)
				retry = (int)(s->start + window_secs - now);
			break;
		}
	}
	(void)pthread_mutex_unlock(&table->lock);
	return (retry > 0 ? retry : 0);
}

void
pgl_ratelimit_clear(const char *key)
{
	struct table	*table = tables[PGL_RL_LOGIN];
	struct slot	*s;
	uint64_t	 k;
	size_t		 i;

	if (table == NULL)
		return;
	k = fnv1a(key);
	(void)pthread_mutex_lock(&table->lock);
	for (i = 0; i < PROBE; i++) {
		s = &table->slot[(k % table->nslots + i) % table->nslots];
		if (s->key == k) {
			memset(s, 0, sizeof(*s));
			break;
		}
	}
	(void)pthread_mutex_unlock(&table->lock);
}

void
pgl_ratelimit_forgive(const char *key, int window_secs, int64_t now)
{
	struct table	*table = tables[PGL_RL_LOGIN];
	struct slot	*s;
	uint64_t	 k;
	size_t		 i;

	if (table == NULL)
		return;
	k = fnv1a(key);
	(void)pthread_mutex_lock(&table->lock);
	for (i = 0; i < PROBE; i++) {
		s = &table->slot[(k % table->nslots + i) % table->nslots];
		if (s->key == k) {
			if (s->start + window_secs > now && s->count > 0)
				s->count--;
			break;
		}
	}
	(void)pthread_mutex_unlock(&table->lock);
}
