#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "auth/grant_cache.h"
#include "util/uuid.h"
#include "util/hash.h"

#define SLOTS		256			/* direct-mapped */
#define BYTES_MAX	(16 * 1024 * 1024)	/* per worker */

struct slot {
	char			 key[2 * (PGL_UUID_LEN + 1)];
	uint64_t		 epoch;
	int64_t			 loaded_ms;
	struct pgl_grant	*grants;	/* one block with its strings */
	size_t			 n, size;
};

static uint64_t		*epoch;		/* shared by every worker */
static struct slot	 slots[SLOTS];	/* this worker's */
static size_t		 bytes;

int
pgl_grant_cache_init(void)
{
	void	*p;

	p = mmap(NULL, sizeof(*epoch), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	epoch = p;
	return (0);
}

uint64_t
pgl_grant_epoch(void)
{
	return (epoch != NULL ? __atomic_load_n(epoch, __ATOMIC_ACQUIRE) : 0);
}

void
pgl_grant_epoch_bump(void)
{
	if (epoch != NULL)
		(void)__atomic_add_fetch(epoch, 1, __ATOMIC_ACQ_REL);
}

/* FNV-1a of "tenant/principal" into a slot; key gets the text. */
static struct slot *
slot_of(const char *tenant, const char *principal, char *key, size_t len)
{
	if ((size_t)snprintf(key, len, "%s/%s", tenant, principal) >= len)
		return (NULL);
	return (&slots[pgl_fnv1a_str(PGL_FNV_BASIS, key) % SLOTS]);
}

static void
drop(struct slot *s)
{
	bytes -= s->size;
	free(s->grants);
	memset(s, 0, sizeof(*s));
}

const struct pgl_grant *
pgl_grant_cache_get(const char *tenant, const char *principal, uint64_t at,
    int64_t now_ms, size_t *n)
{
	char		 key[sizeof(slots[0].key)];
	struct slot	*s;

	/* Without the shared epoch nothing could invalidate a copy. */
	if (epoch == NULL ||
	    (s = slot_of(tenant, principal, key, sizeof(key))) == NULL ||
	    s->grants == NULL || strcmp(s->key, key) != 0)
		return (NULL);
	if (s->epoch != at || now_ms - s->loaded_ms >= PGL_GRANT_CACHE_TTL_MS) {
		drop(s);
		return (NULL);
	}
	*n = s->n;
	return (s->grants);
}

void
pgl_grant_cache_put(const char *tenant, const char *principal, uint64_t at,
    int64_t now_ms, const struct pgl_grant *g, size_t n)
{
	char		 key[sizeof(slots[0].key)];
	struct slot	*s;
	struct pgl_grant *copy;
	size_t		 size;

	if (epoch == NULL ||
	    (s = slot_of(tenant, principal, key, sizeof(key))) == NULL)
		return;
	if (s->grants != NULL)
		drop(s);
	if ((copy = pgl_grants_copy(g, n, &size)) == NULL)
		return;
	if (bytes + size > BYTES_MAX) {		/* rather no copy than a big one */
		free(copy);
		return;
	}
	memcpy(s->key, key, sizeof(key));
	s->epoch = at;
	s->loaded_ms = now_ms;
	s->grants = copy;
	s->n = n;
	s->size = size;
	bytes += size;
}
