/*
 * Credentials minted by STS (sts.h), kept by this worker per what they
 * were minted for (tenant, warehouse, role, session policy's table and
 * access level: the caller's key), so a hot table does not call STS per
 * load.  An entry is served until its refresh time, which the caller sets
 * well before expiry: a client is never handed credentials about to
 * lapse.  The least recently used entry makes room.  Pure code: the clock
 * is the caller's; one worker's thread uses it (no lock).
 */
#ifndef PGL_STS_CACHE_H
#define PGL_STS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/cache.h"
#include "storage/sts.h"

/* At most max entries ([storage] sts_cache_entries); 0 keeps none. */
void	pgl_sts_cache_init(size_t max);
/* 0 and *out on a hit before its refresh time; -1 otherwise. */
int	pgl_sts_cache_get(const char *key, int64_t now_ms,
	    struct pgl_sts_creds *out);
/* Keep c under key until refresh_ms; a failure to keep is no error. */
void	pgl_sts_cache_put(const char *key, const struct pgl_sts_creds *c,
	    int64_t refresh_ms, int64_t now_ms);
/*
 * When credentials for duration_secs minted now stop being handed out:
 * half their life, at most 300 s, before they expire.
 */
int64_t	pgl_sts_cache_refresh_at(const struct pgl_sts_creds *,
	    int duration_secs);
void	pgl_sts_cache_stats(struct pgl_cache_stats *);
/* Forget every entry (worker exit; tests). */
void	pgl_sts_cache_clear(void);

#endif
