#include <ctype.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <uuid/uuid.h>

#include "util/uuid.h"

/*
 * Random bytes are drawn from the kernel 16 UUIDs at a time: libuuid
 * reseeds random() (srandom) on every call, which showed in profiles
 * at one request id per request.  A forked child must never reuse its
 * parent's pool, so fork empties it.
 */
#define POOL_UUIDS	16

static unsigned char	pool[POOL_UUIDS * 16];
static size_t		pool_at = sizeof(pool);
/* Commit threads (api/commit/compute.c) draw ids too. */
static pthread_mutex_t	pool_lock = PTHREAD_MUTEX_INITIALIZER;

static void
pool_forget(void)
{
	explicit_bzero(pool, sizeof(pool));
	pool_at = sizeof(pool);
}

static int
pool_take_locked(unsigned char u[16])
{
	static int	registered;

	if (!registered) {
		if (pthread_atfork(NULL, NULL, pool_forget) != 0)
			return (-1);
		registered = 1;
	}
	if (pool_at == sizeof(pool)) {
		if (getrandom(pool, sizeof(pool), 0) != (ssize_t)sizeof(pool))
			return (-1);
		pool_at = 0;
	}
	memcpy(u, pool + pool_at, 16);
	explicit_bzero(pool + pool_at, 16);
	pool_at += 16;
	return (0);
}

static int
pool_take(unsigned char u[16])
{
	int	rc;

	(void)pthread_mutex_lock(&pool_lock);
	rc = pool_take_locked(u);
	(void)pthread_mutex_unlock(&pool_lock);
	return (rc);
}

void
pgl_uuid_new(char out[PGL_UUID_LEN + 1])
{
	uuid_t	u;

	if (pool_take(u) == -1) {
		uuid_generate_random(u);
	} else {
		/* RFC 9562 §5.4: version 4, variant 10. */
		u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
		u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	}
	uuid_unparse_lower(u, out);
}

/*
 * 48 bits of milliseconds, the version, a 12-bit counter, the variant,
 * 62 random bits.  The counter restarts at a new millisecond; when it
 * runs out, or the clock goes back, the ids go on from the last
 * millisecond used, so they never sort backwards.  Forked workers each
 * count their own: ids of two processes in one millisecond are ordered
 * by their random bits, as events of two processes are.
 */
void
pgl_uuid_new_ordered(char out[PGL_UUID_LEN + 1], int64_t ms)
{
	static int64_t	last_ms = -1;
	static unsigned	counter;
	uuid_t		u;

	if (pool_take(u) == -1)
		uuid_generate_random(u);
	if (ms > last_ms) {
		last_ms = ms;
		counter = 0;
	} else if (++counter > 0xfff) {
		last_ms++;
		counter = 0;
	}
	u[0] = (unsigned char)(last_ms >> 40);
	u[1] = (unsigned char)(last_ms >> 32);
	u[2] = (unsigned char)(last_ms >> 24);
	u[3] = (unsigned char)(last_ms >> 16);
	u[4] = (unsigned char)(last_ms >> 8);
	u[5] = (unsigned char)last_ms;
	u[6] = (unsigned char)(0x70 | (counter >> 8));
	u[7] = (unsigned char)counter;
	u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
	uuid_unparse_lower(u, out);
}

int
pgl_uuid_valid(const char *s)
{
	size_t	i;

	if (strlen(s) != PGL_UUID_LEN)
		return (0);
	for (i = 0; i < PGL_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (0);
		} else if (!isxdigit((unsigned char)s[i])) {
			return (0);
		}
	}
	return (1);
}
