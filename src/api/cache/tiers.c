/*
 * The metadata cache as the handlers use it: the per-worker L1 (the
 * [cache] plugin) and, when [cache] l2 names one, a second tier shared by
 * replicas (cache-redis).  ref = L1, then L2 and fill L1 on an L2 hit;
 * put and del = both.  Each operation then publishes this worker's
 * counters of each tier to the shared statistics (metrics/cache_stats.h).
 *
 * L2 is only an optimisation like L1: its plugin answers a miss when its
 * server is down or slow, so no request waits on it for long or fails.
 */
#include <stdlib.h>

#include "api/cache/cache.h"
#include "app/app.h"
#include "config/config.h"
#include "http/request.h"
#include "metrics/cache_stats.h"
#include "pangolin/cache.h"
#include "plugin/loader.h"
#include "util/log.h"

#define STATS_READ_US	1000000

static struct api_cache_tier l1_tier = { .id = -1 }, l2_tier = { .id = -1 };

static const struct pgl_cache_ops *l2;
static struct pgl_plugin	 l2_plugin;
static struct pgl_cache		*l2h;	/* this worker's handle */

/*
 * Parent, before fork: map the statistics, register the tiers, load the
 * L2 plugin and open it once to validate its options (it connects
 * lazily, so no connection crosses fork).
 */
int
api_cache_tiers_init(const struct pgl_config *cfg, struct pgl_err *err)
{
	struct pgl_cache	*h;
	int			 rc;

	if (pgl_cache_stats_init() == 0)
		l1_tier.id = pgl_cache_stats_register("metadata", "l1");
	if (cfg->cache_l2.plugin == NULL || cfg->cache_l2.plugin[0] == '\0')
		return (PGL_OK);
	if ((l2 = pgl_cache_plugin_load(cfg->cache_l2.plugin, &l2_plugin,
	    err)) == NULL)
		return (err->code != PGL_OK ? err->code : PGL_EINVAL);
	if ((rc = l2->open(pgl_host_api(), cfg->cache_l2.opts,
	    cfg->cache_l2.nopts, &h, err)) != PGL_OK) {
		l2 = NULL;
		return (rc);
	}
	l2->close(h);
	l2_tier.id = pgl_cache_stats_register("metadata", "l2");
	return (PGL_OK);
}

const char *
api_cache_l2_name(void)
{
	return (l2 != NULL ? l2->name : NULL);
}

void
api_cache_tiers_open(const struct pgl_config *cfg)
{
	struct pgl_err	err = { 0 };

	if (l2 != NULL && l2->open(pgl_host_api(), cfg->cache_l2.opts,
	    cfg->cache_l2.nopts, &l2h, &err) != PGL_OK) {
		pgl_log(PGL_LOG_ERR, "cache l2 open failed: %s", err.msg);
		l2h = NULL;
	}
}

void
api_cache_tiers_close(void)
{
	if (l2h != NULL)
		l2->close(l2h);
	l2h = NULL;
}

void
api_cache_tier_count(struct api_cache_tier *t, int rc)
{
	if (rc == PGL_OK)
		t->hits++;
	else if (rc == PGL_ENOTFOUND)
		t->misses++;
}

void
api_cache_tier_publish(struct api_cache_tier *t,
    const struct pgl_cache_ops *ops, struct pgl_cache *h, int changed)
{
	struct pgl_cache_stats	s;
	uint64_t		now = pgl_now_us();

	if (h == NULL)
		return;
	if (changed || now - t->read_at_us >= STATS_READ_US) {
		t->last = (struct pgl_cache_stats){ 0 };
		ops->stats(h, &t->last);
		t->read_at_us = now;
	}
	s = t->last;
	s.hits = t->hits;
	s.misses = t->misses;
	pgl_cache_stats_publish(t->id, &s);
}

static void
publish_both(int changed)
{
	api_cache_tier_publish(&l1_tier, pgl_app.cache, pgl_app.cacheh, changed);
	api_cache_tier_publish(&l2_tier, l2, l2h, changed);
}

/*
 * A value handed out by api_mcache_ref: the L1 plugin's pin on its
 * entry (cache ABI 1.2), or a malloc'd copy where there is none (a
 * plugin without get_ref, an L2 hit that L1 did not keep, a file read).
 */
struct mref {
	void	*pin;
	void	*copy;
};

static int
l1_pins(void)
{
	return (pgl_app.cacheh != NULL && pgl_app.cache->abi_minor >= 2 &&
	    pgl_app.cache->get_ref != NULL && pgl_app.cache->release != NULL);
}

/* L1 as a view: pinned, or a copy from a plugin that cannot pin. */
static int
l1_ref(const char *key, const void **val, size_t *len, struct mref *m)
{
	int	rc;

	if (pgl_app.cacheh == NULL)
		return (PGL_ENOTFOUND);
	if (l1_pins())
		rc = pgl_app.cache->get_ref(pgl_app.cacheh, key, val, len,
		    &m->pin);
	else if ((rc = pgl_app.cache->get(pgl_app.cacheh, key, &m->copy,
	    len)) == PGL_OK)
		*val = m->copy;
	api_cache_tier_count(&l1_tier, rc);
	return (rc);
}

static int
l2_get(const char *key, void **val, size_t *len)
{
	int	rc;

	if (l2h == NULL)
		return (PGL_ENOTFOUND);
	rc = l2->get(l2h, key, val, len);
	api_cache_tier_count(&l2_tier, rc);
	return (rc);
}

/*
 * An L2 hit fills L1, then is served from L1's pin so the copy can go.
 * That lookup is not counted: the request was L1's miss and L2's hit.
 */
static int
l1_fill(const char *key, const void **val, size_t *len, struct mref *m)
{
	const void	*v;
	size_t		 n;

	if (pgl_app.cacheh == NULL)
		return (0);
	(void)pgl_app.cache->put(pgl_app.cacheh, key, m->copy, *len, 0);
	if (l1_pins() && pgl_app.cache->get_ref(pgl_app.cacheh, key, &v, &n,
	    &m->pin) == PGL_OK) {
		free(m->copy);
		m->copy = NULL;
		*val = v;
		*len = n;
	}
	return (1);
}

/* The ref handed out, on the heap; on failure the value is let go. */
static int
mref_keep(const struct mref *m, void **ref)
{
	struct mref	*k;

	if ((k = malloc(sizeof(*k))) == NULL) {
		if (m->pin != NULL)
			pgl_app.cache->release(pgl_app.cacheh, m->pin);
		free(m->copy);
		return (PGL_ENOMEM);
	}
	*k = *m;
	*ref = k;
	return (PGL_OK);
}

int
api_mcache_ref(const char *key, const void **val, size_t *len, void **ref)
{
	struct mref	 m = { NULL, NULL };
	int		 rc, filled = 0;

	if ((rc = l1_ref(key, val, len, &m)) != PGL_OK &&
	    (rc = l2_get(key, &m.copy, len)) == PGL_OK) {
		*val = m.copy;
		filled = l1_fill(key, val, len, &m);
	}
	publish_both(filled);
	return (rc == PGL_OK ? mref_keep(&m, ref) : rc);
}

int
api_mcache_own(void *copy, void **ref)
{
	struct mref	m = { NULL, copy };

	return (mref_keep(&m, ref));
}

/* A pin may end after the worker closed L1: the plugin allows it. */
void
api_mcache_unref(void *ref)
{
	struct mref	*m = ref;

	if (m == NULL)
		return;
	if (m->pin != NULL)
		pgl_app.cache->release(pgl_app.cacheh, m->pin);
	free(m->copy);
	free(m);
}

void
api_mcache_put(const char *key, const void *val, size_t len)
{
	if (pgl_app.cacheh != NULL)
		(void)pgl_app.cache->put(pgl_app.cacheh, key, val, len, 0);
	if (l2h != NULL)
		(void)l2->put(l2h, key, val, len, 0);
	publish_both(1);
}

void
api_mcache_del(const char *key)
{
	if (pgl_app.cacheh != NULL)
		(void)pgl_app.cache->del(pgl_app.cacheh, key);
	if (l2h != NULL)
		(void)l2->del(l2h, key);
	publish_both(1);
}

/*
 * The L2's word between servers (cache ABI 1.1): only a cache plugin
 * that has announce and changes_seen, and only once opened here.
 */
static int
l2_speaks(void)
{
	return (l2 != NULL && l2h != NULL && l2->abi_minor >= 1 &&
	    l2->announce != NULL && l2->changes_seen != NULL);
}

void
api_cache_l2_announce(const char *channel)
{
	if (l2_speaks())
		(void)l2->announce(l2h, channel);
}

int
api_cache_l2_changes_seen(const char *channel)
{
	int	seen = 0;

	if (l2_speaks() && l2->changes_seen(l2h, channel, &seen) != PGL_OK)
		seen = 1;
	return (seen);
}
