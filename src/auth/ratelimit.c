#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "auth/ratelimit.h"
#include "util/hash.h"

/*
 * 8,192 slots of 24 bytes (192 KiB).  A key probes at most PROBE slots
 * from its hash; when all are busy with live windows the oldest one is
 * taken over, so a flood of fresh addresses costs memory nothing and
 * can at worst reset someone else's window, never lock a user out.
 */
#define SLOTS	8192
#define PROBE	8

struct slot {
	uint64_t	key;		/* FNV-1a of the key text, 0 = free */
	int64_t		start;		/* window start, seconds */
	uint32_t	count;
};

struct table {
	pthread_mutex_t	lock;		/* process-shared */
	struct slot	slot[SLOTS];
};

static struct table	*table;

int
pgl_ratelimit_init(void)
{
	pthread_mutexattr_t	attr;
	void			*p;

	p = mmap(NULL, sizeof(*table), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	table = p;
	if (pthread_mutexattr_init(&attr) != 0 ||
	    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0 ||
	    pthread_mutex_init(&table->lock, &attr) != 0)
		return (-1);
	(void)pthread_mutexattr_destroy(&attr);
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
find(uint64_t key, int64_t now, int window_secs)
{
	struct slot	*s, *free = NULL, *oldest = NULL;
	size_t		 i, at = key % SLOTS;

	for (i = 0; i < PROBE; i++) {
		s = &table->slot[(at + i) % SLOTS];
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
	struct slot	*s;
	int		 retry = 0;

	if (table == NULL || limit <= 0 || window_secs <= 0)
		return (0);
	(void)pthread_mutex_lock(&table->lock);
	s = find(fnv1a(key), now, window_secs);
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
	struct slot	*s;
	uint64_t	 k;
	size_t		 i;
	int		 retry = 0;

	if (table == NULL || limit <= 0 || window_secs <= 0)
		return (0);
	k = fnv1a(key);
	(void)pthread_mutex_lock(&table->lock);
	for (i = 0; i < PROBE; i++) {
		s = &table->slot[(k % SLOTS + i) % SLOTS];
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
	struct slot	*s;
	uint64_t	 k;
	size_t		 i;

	if (table == NULL)
		return;
	k = fnv1a(key);
	(void)pthread_mutex_lock(&table->lock);
	for (i = 0; i < PROBE; i++) {
		s = &table->slot[(k % SLOTS + i) % SLOTS];
		if (s->key == k) {
			memset(s, 0, sizeof(*s));
			break;
		}
	}
	(void)pthread_mutex_unlock(&table->lock);
}
