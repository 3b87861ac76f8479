/*
 * The config cache: each worker's copies of catalogs and warehouses, so
 * the hot routes (loadTable, /v1/config, every Iceberg route's
 * authorization step) do not read them from the store on every request.
 *
 * Coherence.  Every copy carries the shared config epoch (the one the
 * grants cache uses, auth/grant_cache.h) it was read at, and a copy from
 * an older epoch is a miss.  Every committed management change bumps the
 * epoch, so it drops every worker's copies at once.  Other replicas hear
 * of it from the store (PostgreSQL: NOTIFY in the same transaction,
 * LISTEN on every worker's connection; see announce_change in store.h):
 * each request first asks the store whether another server announced a
 * change, and bumps the epoch if so.  A store that cannot announce
 * (SQLite, MongoDB, memory: one server each in practice) leaves only the
 * TTL, PGL_CONFIG_CACHE_TTL_SECS, as the bound for another replica.
 *
 * Inside a transaction the store is always read: a write never starts
 * from a copy.
 */
#ifndef PGL_API_CONFIG_CACHE_H
#define PGL_API_CONFIG_CACHE_H

#include "http/request.h"
#include "pangolin/cache.h"
#include "pangolin/store.h"

#define PGL_CONFIG_CACHE_TTL_SECS	10
/* The fewest bytes a copy takes: the entry count's backstop is
 * [cache] config_bytes / this (4 MiB: 65,536; 4,096 entries before). */
#define PGL_CONFIG_CACHE_ENTRY_MIN	64
#define PGL_CONFIG_CACHE_BYTES		(4 << 20)	/* its default */

/* Parent, before fork, after api_cache_tiers_init: register its stats. */
void	api_config_cache_init(void);

/* This worker's cache handle (worker start); 0 or -1. */
int	api_config_cache_open(struct pgl_err *);
void	api_config_cache_close(void);

/* Whether the store tells servers of each other's changes (ABI 1.4). */
int	api_store_announces(void);
/* 1 when a failed store transaction keeps none of its writes. */
int	api_store_atomic(void);

/* Once per request: take in other replicas' announced changes. */
void	api_config_changes(void);
/* Once per request, with its arrival (pgl_now_us's clock; 0: now): its
 * reads see every commit acknowledged before then (store ABI 1.29). */
void	api_store_read_after(uint64_t arrived_us);

/* After a management change committed on this server. */
void	api_config_changed(void);

/* STORE(get_catalog) / STORE(get_warehouse) through the cache. */
int	api_get_catalog(struct pgl_req *, const char *tenant,
	    const char *name, struct pgl_catalog *, struct pgl_err *);
int	api_get_warehouse(struct pgl_req *, const char *tenant,
	    const char *name, struct pgl_warehouse *, struct pgl_err *);

/*
 * A rendered page of a list that only management changes alter (an
 * admin's catalog list): its body and X-Total-Count, kept under
 * "l<US>tenant<US>what" with the epoch read before the store was.
 * api_list_cached: 0 and the body (arena) on a hit, -1 on a miss.
 */
int	api_list_cached(struct pgl_req *, const char *tenant, const char *what,
	    const char **body, size_t *len, uint64_t *total);
void	api_list_keep(const char *tenant, const char *what, uint64_t epoch,
	    const char *body, size_t len, uint64_t total);

#endif
