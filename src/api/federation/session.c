/*
 * What one process keeps of each remote between calls (fed.h): its
 * /v1/config text, for config_ttl_secs, and its OAuth2 token, until
 * shortly before it expires.  Keyed by the catalog's id and its stored
 * config, so a changed config starts afresh.  The pool's threads read
 * and write it, under one lock; nothing here is needed for correctness
 * (a miss fetches again), and a worker that restarts starts empty.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/federation/fed.h"

/* Remotes remembered per process; the least recently used goes. */
#define ENTRIES		128

/*
 * A token is taken anew this long before it expires (at most a tenth of
 * its life), so a call made with it does not meet its expiry on the way.
 */
#define EARLY_MS	30000

struct entry {
	char		*key;
	char		*config;
	int64_t		 config_at;	/* monotonic ms */
	char		*token;
	int64_t		 token_until;	/* monotonic ms; 0: no expiry told */
	int64_t		 used;
};

static pthread_mutex_t	lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry	entries[ENTRIES];

static int64_t
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
wipe(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
	free(s);
}

/* key's entry, made (the least recently used one reused) if create. */
static struct entry *
find(const char *key, int create)
{
	struct entry	*e, *lru = &entries[0];
	size_t		 i;
	char		*copy;

	for (i = 0; i < ENTRIES; i++) {
		e = &entries[i];
		if (e->key != NULL && strcmp(e->key, key) == 0) {
			e->used = now_ms();
			return (e);
		}
		if (e->used < lru->used)
			lru = e;
	}
	if (!create || (copy = strdup(key)) == NULL)
		return (NULL);
	free(lru->key);
	free(lru->config);
	wipe(lru->token);
	memset(lru, 0, sizeof(*lru));
	lru->key = copy;
	lru->used = now_ms();
	return (lru);
}

char *
fed_session_config(const char *key, int64_t ttl_ms)
{
	struct entry	*e;
	char		*out = NULL;

	(void)pthread_mutex_lock(&lock);
	if ((e = find(key, 0)) != NULL && e->config != NULL &&
	    now_ms() - e->config_at < ttl_ms)
		out = strdup(e->config);
	(void)pthread_mutex_unlock(&lock);
	return (out);
}

void
fed_session_put_config(const char *key, const char *json)
{
	struct entry	*e;
	char		*copy = strdup(json);

	(void)pthread_mutex_lock(&lock);
	if (copy != NULL && (e = find(key, 1)) != NULL) {
		free(e->config);
		e->config = copy;
		e->config_at = now_ms();
		copy = NULL;
	}
	(void)pthread_mutex_unlock(&lock);
	free(copy);
}

char *
fed_session_token(const char *key)
{
	struct entry	*e;
	char		*out = NULL;

	(void)pthread_mutex_lock(&lock);
	if ((e = find(key, 0)) != NULL && e->token != NULL &&
	    (e->token_until == 0 || now_ms() < e->token_until))
		out = strdup(e->token);
	(void)pthread_mutex_unlock(&lock);
	return (out);
}

void
fed_session_put_token(const char *key, const char *token,
    int64_t expires_in_secs)
{
	struct entry	*e;
	char		*copy = strdup(token);
	int64_t		 life = expires_in_secs * 1000, early = EARLY_MS;

	if (early > life / 10)
		early = life / 10;
	(void)pthread_mutex_lock(&lock);
	if (copy != NULL && (e = find(key, 1)) != NULL) {
		wipe(e->token);
		e->token = copy;
		e->token_until = expires_in_secs > 0 ? now_ms() + life - early :
		    0;
		copy = NULL;
	}
	(void)pthread_mutex_unlock(&lock);
	wipe(copy);
}

void
fed_session_drop_token(const char *key, const char *token)
{
	struct entry	*e;

	(void)pthread_mutex_lock(&lock);
	if ((e = find(key, 0)) != NULL && e->token != NULL &&
	    strcmp(e->token, token) == 0) {
		wipe(e->token);
		e->token = NULL;
	}
	(void)pthread_mutex_unlock(&lock);
}
