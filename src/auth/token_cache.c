/*
 * The credential cache (token_cache.h): a chained hash table whose
 * entries are also on a list, most recently used first.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/token_cache.h"
#include "util/hash.h"

#define HASHED_TAIL	32

struct entry {
	char		*token;
	size_t		 len;
	uint64_t	 hash;
	int64_t		 expires;
	void		*value;
	struct entry	*chain;			/* in its bucket */
	struct entry	*newer, *older;		/* on the list */
};

struct pgl_token_cache {
	size_t		  max, count, nbuckets;	/* nbuckets: a power of 2 */
	struct entry	**bucket;
	struct entry	 *newest, *oldest;
	void		(*free_value)(void *);
};

/* A signature or secret ends the text: its last bytes are enough. */
static uint64_t
hash_of(const char *token, size_t len)
{
	size_t	tail = len < HASHED_TAIL ? len : HASHED_TAIL;

	return (pgl_fnv1a(pgl_fnv1a(PGL_FNV_BASIS, &len, sizeof(len)),
	    token + len - tail, tail));
}

struct pgl_token_cache *
pgl_token_cache_new(size_t max, void (*free_value)(void *))
{
	struct pgl_token_cache	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->max = max;
	c->free_value = free_value != NULL ? free_value : free;
	for (c->nbuckets = 8; c->nbuckets < max; c->nbuckets *= 2)
		;
	if ((c->bucket = calloc(c->nbuckets, sizeof(*c->bucket))) == NULL) {
		free(c);
		return (NULL);
	}
	return (c);
}

static void
unlist(struct pgl_token_cache *c, struct entry *e)
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
list_first(struct pgl_token_cache *c, struct entry *e)
{
	e->older = c->newest;
	e->newer = NULL;
	if (c->newest != NULL)
		c->newest->newer = e;
	c->newest = e;
	if (c->oldest == NULL)
		c->oldest = e;
}

static struct entry **
link_of(struct pgl_token_cache *c, const char *token, size_t len,
    uint64_t hash)
{
	struct entry	**l = &c->bucket[hash & (c->nbuckets - 1)];

	for (; *l != NULL; l = &(*l)->chain) {
		if ((*l)->hash == hash && (*l)->len == len &&
		    memcmp((*l)->token, token, len) == 0)
			break;
	}
	return (l);
}

static void
remove_at(struct pgl_token_cache *c, struct entry **l)
{
	struct entry	*e = *l;

	*l = e->chain;
	unlist(c, e);
	c->free_value(e->value);
	free(e->token);
	free(e);
	c->count--;
}

void
pgl_token_cache_free(struct pgl_token_cache *c)
{
	if (c == NULL)
		return;
	while (c->oldest != NULL)
		pgl_token_cache_drop(c, c->oldest->token);
	free(c->bucket);
	free(c);
}

void *
pgl_token_cache_get(struct pgl_token_cache *c, const char *token,
    int64_t now)
{
	size_t		  len;
	struct entry	**l;

	if (c == NULL || c->count == 0)
		return (NULL);
	len = strlen(token);
	l = link_of(c, token, len, hash_of(token, len));
	if (*l == NULL)
		return (NULL);
	if ((*l)->expires <= now) {
		remove_at(c, l);
		return (NULL);
	}
	unlist(c, *l);
	list_first(c, *l);
	return ((*l)->value);
}

int
pgl_token_cache_put(struct pgl_token_cache *c, const char *token,
    int64_t expires, void *value)
{
	size_t		  len = strlen(token);
	uint64_t	  hash = hash_of(token, len);
	struct entry	**l, *e;

	if (c->max == 0 || (e = calloc(1, sizeof(*e))) == NULL) {
		c->free_value(value);
		return (-1);
	}
	if ((e->token = malloc(len + 1)) == NULL) {
		free(e);
		c->free_value(value);
		return (-1);
	}
	memcpy(e->token, token, len + 1);
	if (*(l = link_of(c, token, len, hash)) != NULL)
		remove_at(c, l);
	if (c->count == c->max)
		pgl_token_cache_drop(c, c->oldest->token);
	e->len = len;
	e->hash = hash;
	e->expires = expires;
	e->value = value;
	e->chain = c->bucket[hash & (c->nbuckets - 1)];
	c->bucket[hash & (c->nbuckets - 1)] = e;
	list_first(c, e);
	c->count++;
	return (0);
}

void
pgl_token_cache_drop(struct pgl_token_cache *c, const char *token)
{
	size_t		  len;
	struct entry	**l;

	if (c == NULL)
		return;
	len = strlen(token);
	if (*(l = link_of(c, token, len, hash_of(token, len))) != NULL)
		remove_at(c, l);
}

size_t
pgl_token_cache_count(const struct pgl_token_cache *c)
{
	return (c != NULL ? c->count : 0);
}
