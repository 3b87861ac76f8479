/*
 * Plugin loader: resolve a plugin name to a file, dlopen it, find its one
 * exported symbol, check its ABI, and refuse with a one-line reason.
 */
#ifndef PGL_LOADER_H
#define PGL_LOADER_H

#include <limits.h>

#include "pangolin/cache.h"
#include "pangolin/store.h"

struct pgl_plugin {
	void		*dl;
	char		 path[PATH_MAX];
};

/*
 * A name containing '/' is a path.  Otherwise <name>.so is looked for in
 * <directory of the executable>/plugins, then $PREFIX/lib/pangolin/plugins.
 */
int	pgl_plugin_resolve(const char *name, char *out, size_t outlen,
	    struct pgl_err *);

const struct pgl_store_ops	*pgl_store_plugin_load(const char *name,
				    struct pgl_plugin *, struct pgl_err *);
const struct pgl_cache_ops	*pgl_cache_plugin_load(const char *name,
				    struct pgl_plugin *, struct pgl_err *);
void				 pgl_plugin_unload(struct pgl_plugin *);

/*
 * 1 if the store keeps scan plan parts and counts them: ABI 1.14 or
 * later (an older plugin's table ends before the methods, so they must
 * not even be read) and all six methods set.  0 means plan only what
 * fits in one answer (pangolin/store.h).
 */
int				 pgl_store_has_plan_parts(
				    const struct pgl_store_ops *);
/*
 * 1 if the store keeps change events (ABI 1.15, all six event methods):
 * the host then appends one in each change's transaction and serves the
 * feed; 0 (an older plugin, whose ops table ends before them): neither.
 */
int				 pgl_store_has_events(
				    const struct pgl_store_ops *);
/*
 * 1 if the store keeps push sinks (ABI 1.16, all six webhook methods):
 * the host then serves the webhook routes and delivers; 0 (an older
 * plugin): the routes answer 501 and nothing is delivered.
 */
int				 pgl_store_has_webhooks(
				    const struct pgl_store_ops *);
/*
 * 1 if the store keeps recoverable drops (ABI 1.18, all four dropped
 * methods): the host then keeps a dropped table or view for the
 * catalog's undrop retention; 0 (an older plugin): every drop is final.
 */
int				 pgl_store_has_dropped(
				    const struct pgl_store_ops *);
/* 1 if the store forks branches copy-on-write (ABI 1.12, fork_branch);
 * 0: the host makes a branch by copying its source's rows. */
int				 pgl_store_has_fork(const struct pgl_store_ops *);
/* The store's rollback undoes (ABI 1.13 atomic); 0 for an older one. */
int				 pgl_store_is_atomic(const struct pgl_store_ops *,
				    struct pgl_store *);

/* The host API handed to plugins at open (logging, arenas). */
const struct pgl_host		*pgl_host_api(void);

/* 1 if the store keeps data policies and column tags (ABI 1.17, all six
 * methods); 0 (an older plugin): the policy routes answer 501. */
int				 pgl_store_has_policies(
				    const struct pgl_store_ops *);
/* 1 if the store's search matches and lists column tags (ABI 1.19,
 * list_column_tags_of); 0 (an older plugin): hits show none. */
int				 pgl_store_has_column_search(
				    const struct pgl_store_ops *);
/* 1 if a drop keeps the asset's column tags (ABI 1.20, pgl_dropped's
 * column_tags, on a store of both drops and policies); 0 (an older
 * plugin): a restored table's columns come back untagged. */
int				 pgl_store_has_dropped_tags(
				    const struct pgl_store_ops *);
/* 1 if the store can leave its log's sync to the host (ABI 1.21,
 * defer_log_sync); 0: its commits are durable when they return. */
int				 pgl_store_can_defer_sync(
				    const struct pgl_store_ops *);
/* 1 if the store begins a tenant's transactions one at a time (ABI
 * 1.22, begin_tenant); 0: begin. */
int				 pgl_store_can_begin_tenant(
				    const struct pgl_store_ops *);
/* 1 if the store can begin without waiting for another writer (ABI
 * 1.23, try_begin); 0: a begin may wait. */
int				 pgl_store_can_try_begin(
				    const struct pgl_store_ops *);
/* 1 if the store can send a transaction's writes without waiting for
 * each one's answer (ABI 1.24, defer_writes); 0: each waits. */
int				 pgl_store_can_defer_writes(
				    const struct pgl_store_ops *);
/* 1 if the store can send a COMMIT and answer it later (ABI 1.25,
 * commit_send and commit_poll); 0: commit waits for it. */
int				 pgl_store_can_send_commit(
				    const struct pgl_store_ops *);
/* 1 if the store keeps locations' keys and origins and finds the owner
 * of a place (ABI 1.26, find_location_owner and list_location_owners);
 * 0 (an older plugin): locations are not checked for overlaps. */
int				 pgl_store_has_owners(
				    const struct pgl_store_ops *);
/* A usage ledger, and so quotas (ABI 1.27). */
int				 pgl_store_has_usage(
				    const struct pgl_store_ops *);

#endif
