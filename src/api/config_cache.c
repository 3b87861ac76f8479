/*
 * The config cache (config_cache.h): catalogs and warehouses kept in a
 * second handle of the cache plugin, each copy packed with the epoch it
 * was read at.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/cache/cache.h"
#include "api/config_cache.h"
#include "plugin/loader.h"
#include "app/app.h"
#include "auth/grant_cache.h"
#include "metrics/cache_stats.h"
#include "util/arena.h"

#define KEY_MAX		512
#define LIST_PAGE_MAX	(64 * 1024)
#define CATALOG_FIELDS	8
#define WAREHOUSE_FIELDS 6

static struct pgl_cache	*confh;		/* this worker's; NULL without */
static struct api_cache_tier conf_tier = { .id = -1 };

void
api_config_cache_init(void)
{
	conf_tier.id = pgl_cache_stats_register("config", "l1");
}

int
api_config_cache_open(struct pgl_err *err)
{
	char		entries[16], bytes[16], ttl[16];
	struct pgl_kv	opts[3] = { { "max_entries", entries },
		{ "max_bytes", bytes }, { "ttl_secs", ttl } };
	int		budget = PGL_CONFIG_CACHE_BYTES;

	if (pgl_app.cfg != NULL && pgl_app.cfg->cache_config_bytes > 0)
		budget = pgl_app.cfg->cache_config_bytes;

	/* Bytes bound it ([cache] config_bytes); the count is only a
	 * backstop no copy (its key, epoch and fields) is small enough to
	 * reach first. */
	(void)snprintf(bytes, sizeof(bytes), "%d", budget);
	(void)snprintf(entries, sizeof(entries), "%d",
	    budget / PGL_CONFIG_CACHE_ENTRY_MIN);
	(void)snprintf(ttl, sizeof(ttl), "%d", PGL_CONFIG_CACHE_TTL_SECS);
	if (pgl_app.cache->open(pgl_host_api(), opts, 3, &confh, err) !=
	    PGL_OK) {
		confh = NULL;
		return (-1);
	}
	return (0);
}

void
api_config_cache_close(void)
{
	if (confh != NULL)
		pgl_app.cache->close(confh);
	confh = NULL;
}

/* ABI 1.4's methods, where the plugin is new enough to have them. */
int
api_store_announces(void)
{
	return (pgl_store_can_announce(pgl_app.db));
}

/* The store's rollback undoes its writes: commits may swap in groups. */
int
api_store_atomic(void)
{
	return (pgl_store_is_atomic(pgl_app.db, pgl_app.dbh));
}

#define CONFIG_CHANNEL	"config"

void
api_config_changes(void)
{
	struct pgl_err	err;
	int		seen = 0, said;

	/* Replicas sharing a Redis L2 say so through it. */
	said = api_cache_l2_changes_seen(CONFIG_CHANNEL);
	/* Not STORE(): it reads only what has come, and a COMMIT in flight
	 * on the handle need not be waited for (store.h, commit_send). */
	if (pgl_app.dbh != NULL && api_store_announces() &&
	    pgl_app.db->changes_seen(pgl_app.dbh, &seen, &err) != PGL_OK)
		seen = 1;	/* it cannot tell: one may have been missed */
	if (seen || said)
		pgl_grant_epoch_bump();
}

/*
 * Before a request's first store call: what it reads must show every
 * commit acknowledged before it came, on any server (store ABI 1.29; the
 * PostgreSQL asset cache, issue 69).  arrived_us 0: this instant.
 */
void
api_store_read_after(uint64_t arrived_us)
{
	if (pgl_app.dbh != NULL && PGL_STORE_HAS(pgl_app.db, 29, read_after))
		pgl_app.db->read_after(pgl_app.dbh, arrived_us);
}

void
api_config_changed(void)
{
	pgl_grant_epoch_bump();
	api_cache_l2_announce(CONFIG_CHANNEL);
}

/*
 * A copy: the epoch, then per field a presence byte and its text with
 * its NUL.  NULL when it cannot be allocated (then nothing is kept).
 */
static char *
pack(uint64_t epoch, const char *const *f, size_t n, size_t *len)
{
	size_t	i, sz = sizeof(epoch), l;
	char	*buf, *p;

	for (i = 0; i < n; i++)
		sz += 1 + (f[i] != NULL ? strlen(f[i]) + 1 : 0);
	if ((buf = malloc(sz)) == NULL)
		return (NULL);
	memcpy(buf, &epoch, sizeof(epoch));
	p = buf + sizeof(epoch);
	for (i = 0; i < n; i++) {
		*p++ = f[i] != NULL;
		if (f[i] != NULL) {
			l = strlen(f[i]) + 1;
			memcpy(p, f[i], l);
			p += l;
		}
	}
	*len = sz;
	return (buf);
}

/* The fields of a copy taken at epoch, in the arena; -1 if stale/bad. */
static int
unpack(struct pgl_arena *a, const char *buf, size_t len, uint64_t epoch,
    const char **f, size_t n)
{
	const char	*p = buf + sizeof(epoch), *end = buf + len, *nul;
	uint64_t	 at;
	size_t		 i;

	if (len < sizeof(at))
		return (-1);
	memcpy(&at, buf, sizeof(at));
	if (at != epoch)
		return (-1);
	for (i = 0; i < n; i++) {
		if (p >= end)
			return (-1);
		if (*p++ == 0) {
			f[i] = NULL;
			continue;
		}
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL ||
		    (f[i] = pgl_arena_strdup(a, p)) == NULL)
			return (-1);
		p = nul + 1;
	}
	return (p == end ? 0 : -1);
}

/* "kind<US>tenant<US>name"; -1 if it does not fit. */
static int
key_of(char *key, const char *kind, const char *tenant, const char *name)
{
	int	n = snprintf(key, KEY_MAX, "%s\x1f%s\x1f%s", kind, tenant, name);

	return (n < 0 || n >= KEY_MAX ? -1 : 0);
}

/* The fields under key at the current epoch, or -1 (a miss). */
static int
lookup(struct pgl_req *r, const char *key, const char **f, size_t n)
{
	const void	*view;
	void		*buf, *ref;
	size_t		 len;
	int		 rc;

	if (confh == NULL || pgl_app.in_tx)
		return (-1);
	/* Unpacked into the arena straight from the entry when the plugin
	 * can lend it (cache ABI 1.2); else from a copy. */
	if (pgl_app.cache->abi_minor >= 2 && pgl_app.cache->get_ref != NULL) {
		if ((rc = pgl_app.cache->get_ref(confh, key, &view, &len,
		    &ref)) == PGL_OK) {
			rc = unpack(r->arena, view, len, pgl_grant_epoch(), f,
			    n);
			pgl_app.cache->release(confh, ref);
		}
	} else if ((rc = pgl_app.cache->get(confh, key, &buf, &len)) ==
	    PGL_OK) {
		rc = unpack(r->arena, buf, len, pgl_grant_epoch(), f, n);
		free(buf);
	}
	api_cache_tier_count(&conf_tier, rc == 0 ? PGL_OK : PGL_ENOTFOUND);
	api_cache_tier_publish(&conf_tier, pgl_app.cache, confh, 0);
	return (rc == 0 ? 0 : -1);
}

/* Keep fields read from the store at epoch (read before the store). */
static void
keep(const char *key, uint64_t epoch, const char *const *f, size_t n)
{
	char	*buf;
	size_t	 len;

	if (confh == NULL || pgl_app.in_tx ||
	    (buf = pack(epoch, f, n, &len)) == NULL)
		return;
	(void)pgl_app.cache->put(confh, key, buf, len, 0);
	free(buf);
	api_cache_tier_publish(&conf_tier, pgl_app.cache, confh, 1);
}

int
api_get_catalog(struct pgl_req *r, const char *tenant, const char *name,
    struct pgl_catalog *c, struct pgl_err *err)
{
	char		 key[KEY_MAX];
	const char	*f[CATALOG_FIELDS];
	uint64_t	 epoch = pgl_grant_epoch();
	int		 rc, cacheable = key_of(key, "c", tenant, name) == 0;

	if (cacheable && lookup(r, key, f, CATALOG_FIELDS) == 0) {
		c->id = f[0];
		c->tenant_id = f[1];
		c->name = f[2];
		c->catalog_type = f[3];
		c->warehouse_name = f[4];
		c->storage_location = f[5];
		c->federated_config = f[6];
		c->properties = f[7];
		return (PGL_OK);
	}
	rc = STORE(get_catalog, r->arena, tenant, name, c, err);
	if (rc == PGL_OK && cacheable) {
		const char *const v[CATALOG_FIELDS] = { c->id, c->tenant_id,
		    c->name, c->catalog_type, c->warehouse_name,
		    c->storage_location, c->federated_config, c->properties };

		keep(key, epoch, v, CATALOG_FIELDS);
	}
	return (rc);
}

int
api_get_warehouse(struct pgl_req *r, const char *tenant, const char *name,
    struct pgl_warehouse *w, struct pgl_err *err)
{
	char		 key[KEY_MAX];
	const char	*f[WAREHOUSE_FIELDS];
	uint64_t	 epoch = pgl_grant_epoch();
	int		 rc, cacheable = key_of(key, "w", tenant, name) == 0;

	if (cacheable && lookup(r, key, f, WAREHOUSE_FIELDS) == 0 &&
	    f[5] != NULL) {
		w->id = f[0];
		w->tenant_id = f[1];
		w->name = f[2];
		w->storage_config = f[3];
		w->vending_strategy = f[4];
		w->use_sts = strcmp(f[5], "1") == 0;
		return (PGL_OK);
	}
	rc = STORE(get_warehouse, r->arena, tenant, name, w, err);
	if (rc == PGL_OK && cacheable) {
		const char *const v[WAREHOUSE_FIELDS] = { w->id, w->tenant_id,
		    w->name, w->storage_config, w->vending_strategy,
		    w->use_sts ? "1" : "0" };

		keep(key, epoch, v, WAREHOUSE_FIELDS);
	}
	return (rc);
}

/* A list page: the epoch, the total, then the body's bytes. */
int
api_list_cached(struct pgl_req *r, const char *tenant, const char *what,
    const char **body, size_t *len, uint64_t *total)
{
	char		 key[KEY_MAX], *copy;
	void		*buf;
	size_t		 n;
	uint64_t	 at;
	int		 hit = 0;

	if (confh == NULL || pgl_app.in_tx ||
	    key_of(key, "l", tenant, what) == -1)
		return (-1);
	if (pgl_app.cache->get(confh, key, &buf, &n) == PGL_OK) {
		if (n >= 2 * sizeof(at))
			memcpy(&at, buf, sizeof(at));
		if (n >= 2 * sizeof(at) && at == pgl_grant_epoch() &&
		    (copy = pgl_arena_alloc(r->arena, n - 2 * sizeof(at) + 1))
		    != NULL) {
			memcpy(total, (char *)buf + sizeof(at), sizeof(*total));
			*len = n - 2 * sizeof(at);
			memcpy(copy, (char *)buf + 2 * sizeof(at), *len);
			copy[*len] = '\0';
			*body = copy;
			hit = 1;
		}
		free(buf);
	}
	api_cache_tier_count(&conf_tier, hit ? PGL_OK : PGL_ENOTFOUND);
	api_cache_tier_publish(&conf_tier, pgl_app.cache, confh, 0);
	return (hit ? 0 : -1);
}

void
api_list_keep(const char *tenant, const char *what, uint64_t epoch,
    const char *body, size_t len, uint64_t total)
{
	char	 key[KEY_MAX], *buf;

	/*
	 * Pages share the config cache's budget with catalogs and
	 * warehouses: one of 1,000 catalogs is ~170 KB, and a few hundred
	 * offsets would push every copy out.  Keep the small pages only.
	 */
	if (len > LIST_PAGE_MAX || confh == NULL || pgl_app.in_tx ||
	    key_of(key, "l", tenant, what) == -1 ||
	    (buf = malloc(2 * sizeof(epoch) + len)) == NULL)
		return;
	memcpy(buf, &epoch, sizeof(epoch));
	memcpy(buf + sizeof(epoch), &total, sizeof(total));
	memcpy(buf + 2 * sizeof(epoch), body, len);
	(void)pgl_app.cache->put(confh, key, buf, 2 * sizeof(epoch) + len, 0);
	free(buf);
	api_cache_tier_publish(&conf_tier, pgl_app.cache, confh, 1);
}
