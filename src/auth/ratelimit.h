/*
 * Fixed-window counters by key in shared-memory tables that the parent
 * maps before the workers fork, so every worker of the process counts
 * into the same windows: login throttling (pangolin-api.md §3.6; keys
 * "ip:<addr>", "acct:<tenant>:<username>") and, in a table of its own,
 * request rates per principal and per tenant (api/rate.c).
 */
#ifndef PGL_RATELIMIT_H
#define PGL_RATELIMIT_H

#include <stdint.h>

enum pgl_rl_table {
	PGL_RL_LOGIN,
	PGL_RL_REQUESTS,
	PGL_RL_NTABLES
};

/* Map the tables (parent, before fork).  Returns 0 or -1 (errno). */
int	pgl_ratelimit_init(void);

/*
 * Count one hit of key at now (seconds) in a window of window_secs.
 * Returns 0 while the count is within limit, else the seconds until the
 * window ends (the Retry-After value).  limit 0 disables.  Without a
 * table (init not called) nothing is counted.
 */
int	pgl_ratelimit_hit(const char *key, int limit, int window_secs,
	    int64_t now);
/* The same in another table; pgl_ratelimit_hit counts in PGL_RL_LOGIN. */
int	pgl_ratelimit_hit_in(enum pgl_rl_table, const char *key, int limit,
	    int window_secs, int64_t now);

/*
 * Logins only: the Retry-After hit would answer once the count has reached limit, but
 * without counting: for checks where only failures count (root Basic).
 */
int	pgl_ratelimit_peek(const char *key, int limit, int window_secs,
	    int64_t now);

/* Logins only: forget key's window (a successful login clears its account key). */
void	pgl_ratelimit_clear(const char *key);
/*
 * Logins only: take back one hit of key's current window (a login that
 * succeeded was counted up front, so that attempts made at once cannot
 * pass the limit together, and gives its hit back).
 */
void	pgl_ratelimit_forgive(const char *key, int window_secs, int64_t now);

#endif
