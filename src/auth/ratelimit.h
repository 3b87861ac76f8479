/*
 * Login throttling (pangolin-api.md §3.6): fixed-window counters by key
 * ("ip:<addr>", "acct:<tenant>:<username>") in one shared-memory table
 * that the parent maps before the workers fork, so every worker of the
 * process counts into the same windows.
 */
#ifndef PGL_RATELIMIT_H
#define PGL_RATELIMIT_H

#include <stdint.h>

/* Map the table (parent, before fork).  Returns 0 or -1 (errno). */
int	pgl_ratelimit_init(void);

/*
 * Count one hit of key at now (seconds) in a window of window_secs.
 * Returns 0 while the count is within limit, else the seconds until the
 * window ends (the Retry-After value).  limit 0 disables.  Without a
 * table (init not called) nothing is counted.
 */
int	pgl_ratelimit_hit(const char *key, int limit, int window_secs,
	    int64_t now);

/*
 * The Retry-After hit would answer once the count has reached limit, but
 * without counting: for checks where only failures count (root Basic).
 */
int	pgl_ratelimit_peek(const char *key, int limit, int window_secs,
	    int64_t now);

/* Forget key's window (a successful login clears its account key). */
void	pgl_ratelimit_clear(const char *key);

#endif
