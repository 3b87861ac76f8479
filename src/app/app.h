/*
 * The process-wide state: one immutable config and one store handle per
 * process (each Kore worker opens its own), plus the cache.  Nothing else
 * is global.
 */
#ifndef PGL_APP_H
#define PGL_APP_H

#include "config/config.h"
#include "plugin/loader.h"
#include "tasks/runner.h"

struct pgl_app {
	const struct pgl_config		*cfg;

	const struct pgl_store_ops	*db;
	struct pgl_store		*dbh;	/* NULL while unavailable */
	int				 in_tx;	/* a transaction is open on dbh */
	/* The next begin gives way to another writer (api.h, PGL_TX_BUSY). */
	int				 begin_try;
	struct pgl_plugin		 db_plugin;

	const struct pgl_cache_ops	*cache;
	struct pgl_cache		*cacheh;
	struct pgl_plugin		 cache_plugin;

	/*
	 * Run once a memory store's handle opens, which starts empty in
	 * every process: the bootstrap (default tenant, [defaults]).  Set
	 * by main.c, so that this layer calls nothing above it.
	 */
	int				(*fill_empty)(struct pgl_err *);
	/*
	 * A task's code, for the memory store, whose tasks its worker
	 * runs itself (task_queue.c): maintenance/task_run.c, set by
	 * main.c.
	 */
	pgl_task_fn			 task_run;
};

extern struct pgl_app	pgl_app;

/* Call a store method on this process's handle. */
#define STORE(fn, ...)	(pgl_app.db->fn(pgl_app.dbh, __VA_ARGS__))

/* (Re)open this process's store handle; 0 if it is usable. */
int	pgl_app_store_open(struct pgl_err *);

#endif
