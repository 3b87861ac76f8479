#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "auth/idp_share.h"

#define MAX_SLOTS	64
#define POLL_MS		5

/*
 * claim: the monotonic ms at which the last fetch was claimed, shifted
 * left one, with the low bit set while that fetch runs; 0: never.  gen
 * and the copy are written under lock; gen is also read without it, to
 * decide cheaply whether a worker is behind.
 */
struct slot {
	_Atomic uint64_t	claim;
	_Atomic uint64_t	gen;
	_Atomic int		failing;
	pthread_mutex_t		lock;		/* process-shared */
	int64_t			fetched_ms;
	char			why[192];
	char			jwks_uri[PGL_IDP_SHARE_URL_MAX];
	char			authz[PGL_IDP_SHARE_URL_MAX];
	char			token[PGL_IDP_SHARE_URL_MAX];
	size_t			len;
	char			jwks[PGL_IDP_SHARE_JWKS_MAX];
};

static struct slot	*slots;
static size_t		 nslots;

int
pgl_idp_share_init(size_t n)
{
	pthread_mutexattr_t	 attr;
	void			*p;
	size_t			 i;

	if (slots != NULL && n == nslots)
		return (0);
	if (slots != NULL || n == 0 || n > MAX_SLOTS) {
		errno = EINVAL;
		return (-1);
	}
	/* Pages no key set reaches are never touched, so never backed. */
	p = mmap(NULL, n * sizeof(struct slot), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	if (pthread_mutexattr_init(&attr) != 0 ||
	    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0) {
		(void)munmap(p, n * sizeof(struct slot));
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if (pthread_mutex_init(&((struct slot *)p)[i].lock,
		    &attr) != 0) {
			(void)pthread_mutexattr_destroy(&attr);
			(void)munmap(p, n * sizeof(struct slot));
			return (-1);
		}
	}
	(void)pthread_mutexattr_destroy(&attr);
	slots = p;
	nslots = n;
	return (0);
}

int64_t
pgl_idp_share_now(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static struct slot *
slot_at(size_t i)
{
	return (slots != NULL && i < nslots ? &slots[i] : NULL);
}

uint64_t
pgl_idp_share_gen(size_t i)
{
	struct slot	*s = slot_at(i);

	return (s != NULL ? atomic_load(&s->gen) : 0);
}

enum pgl_idp_step
pgl_idp_share_step(size_t i, uint64_t gen, int64_t now, int64_t interval_ms)
{
	struct slot	*s = slot_at(i);
	uint64_t	 c;
	int64_t		 at;

	if (s == NULL)
		return (PGL_IDP_NOTHING);
	/*
	 * claim before gen: a publisher bumps gen before it clears the
	 * running bit, so a claim seen running with the old gen is waited
	 * for, and one seen ended comes with the new gen.
	 */
	c = atomic_load(&s->claim);
	for (;;) {
		if (atomic_load(&s->gen) != gen)
			return (PGL_IDP_TAKE);
		at = (int64_t)(c >> 1);
		if ((c & 1) && now - at < PGL_IDP_SHARE_STALE_MS)
			return (PGL_IDP_WAIT);
		if (c != 0 && now - at < interval_ms)
			return (PGL_IDP_NOTHING);
		/* On failure c is what another worker put there: again. */
		if (atomic_compare_exchange_strong(&s->claim, &c,
		    ((uint64_t)now << 1) | 1))
			return (PGL_IDP_FETCH);
	}
}

static void
end_claim(struct slot *s)
{
	(void)atomic_fetch_and(&s->claim, ~(uint64_t)1);
}

static int
fits(const char *url)
{
	return (url == NULL || strlen(url) < PGL_IDP_SHARE_URL_MAX);
}

static void
put(char *dst, const char *src)
{
	(void)snprintf(dst, PGL_IDP_SHARE_URL_MAX, "%s", src != NULL ? src :
	    "");
}

int
pgl_idp_share_publish(size_t i, const char *jwks, size_t len,
    const char *jwks_uri, const char *authz, const char *token, int64_t now,
    uint64_t *gen)
{
	struct slot	*s = slot_at(i);

	if (s == NULL || len > sizeof(s->jwks) || !fits(jwks_uri) ||
	    !fits(authz) || !fits(token))
		return (-1);
	(void)pthread_mutex_lock(&s->lock);
	memcpy(s->jwks, jwks, len);
	s->len = len;
	put(s->jwks_uri, jwks_uri);
	put(s->authz, authz);
	put(s->token, token);
	s->fetched_ms = now;
	s->why[0] = '\0';
	*gen = atomic_fetch_add(&s->gen, 1) + 1;
	(void)pthread_mutex_unlock(&s->lock);
	atomic_store(&s->failing, 0);
	end_claim(s);
	return (0);
}

int
pgl_idp_share_failed(size_t i, const char *why)
{
	struct slot	*s = slot_at(i);
	int		 was = 0;

	if (s == NULL)
		return (1);
	(void)pthread_mutex_lock(&s->lock);
	(void)snprintf(s->why, sizeof(s->why), "%s", why);
	(void)pthread_mutex_unlock(&s->lock);
	(void)atomic_compare_exchange_strong(&s->failing, &was, 1);
	end_claim(s);
	return (was == 0);
}

void
pgl_idp_share_release(size_t i)
{
	struct slot	*s = slot_at(i);

	if (s != NULL)
		end_claim(s);
}

void
pgl_idp_share_wait(size_t i, uint64_t gen)
{
	const struct timespec	 nap = { 0, POLL_MS * 1000000L };
	struct slot		*s = slot_at(i);
	int64_t			 start = pgl_idp_share_now();
	uint64_t		 c;

	while (s != NULL && atomic_load(&s->gen) == gen &&
	    ((c = atomic_load(&s->claim)) & 1) &&
	    pgl_idp_share_now() - (int64_t)(c >> 1) < PGL_IDP_SHARE_STALE_MS &&
	    pgl_idp_share_now() - start < PGL_IDP_SHARE_STALE_MS)
		(void)nanosleep(&nap, NULL);
}

static char *
dup_n(const char *s, size_t n)
{
	char	*p = malloc(n + 1);

	if (p != NULL) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return (p);
}

int
pgl_idp_share_take(size_t i, uint64_t gen, struct pgl_idp_keys *out,
    char *why, size_t whylen)
{
	struct slot	*s = slot_at(i);
	int		 rc = 1;

	memset(out, 0, sizeof(*out));
	if (whylen > 0)
		why[0] = '\0';
	if (s == NULL)
		return (0);
	(void)pthread_mutex_lock(&s->lock);
	if (atomic_load(&s->gen) == gen) {
		(void)snprintf(why, whylen, "%s", s->why);
		rc = 0;
	} else {
		out->gen = atomic_load(&s->gen);
		out->fetched_ms = s->fetched_ms;
		out->len = s->len;
		out->jwks = dup_n(s->jwks, s->len);
		out->jwks_uri = strdup(s->jwks_uri);
		out->authz = strdup(s->authz);
		out->token = strdup(s->token);
	}
	(void)pthread_mutex_unlock(&s->lock);
	if (rc == 1 && (out->jwks == NULL || out->jwks_uri == NULL ||
	    out->authz == NULL || out->token == NULL)) {
		pgl_idp_keys_free(out);
		return (-1);
	}
	return (rc);
}

void
pgl_idp_keys_free(struct pgl_idp_keys *k)
{
	free(k->jwks);
	free(k->jwks_uri);
	free(k->authz);
	free(k->token);
	memset(k, 0, sizeof(*k));
}
