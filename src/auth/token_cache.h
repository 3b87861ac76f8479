/*
 * A worker's bounded map from a credential's text (a bearer token, an
 * API key) to what checking it found, so a client that sends the same
 * credential on every request does not have it taken apart, hashed and
 * verified every time.  The least recently used entry goes first when
 * the cache is full; an entry past its expiry is never returned.
 *
 * What an entry means, and what must still be asked on every request
 * (the store's word on revocation), is the caller's business: the cache
 * only bounds, expires and frees.  Only credentials that were verified
 * may be put, so the table's hash (the text's last 32 bytes: a signature
 * or a random secret) spreads them well; a lookup of anything else costs
 * one bucket's compares.  One thread (a worker) per cache.
 */
#ifndef PGL_AUTH_TOKEN_CACHE_H
#define PGL_AUTH_TOKEN_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct pgl_token_cache;

/* max entries (0: keep nothing); free_value frees what put handed in
 * (NULL: plain free).  NULL when out of memory. */
struct pgl_token_cache	*pgl_token_cache_new(size_t max,
			    void (*free_value)(void *));
void			 pgl_token_cache_free(struct pgl_token_cache *);

/* The value kept for token, now the most recently used; NULL if none or
 * if its expiry (seconds since the epoch) is not after now (then it is
 * dropped). */
void	*pgl_token_cache_get(struct pgl_token_cache *, const char *token,
	    int64_t now);

/* Keep value for token until expires, replacing what token had; the
 * cache owns value from here on (freed at once when nothing can be
 * kept).  0, or -1 when not kept.  The other calls take a NULL cache
 * (a cache that could not be made) as an empty one; this one does not. */
int	 pgl_token_cache_put(struct pgl_token_cache *, const char *token,
	    int64_t expires, void *value);

void	 pgl_token_cache_drop(struct pgl_token_cache *, const char *token);
size_t	 pgl_token_cache_count(const struct pgl_token_cache *);

#endif
