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

/*
 * A store transaction's COMMIT answered later (store ABI 1.25,
 * commit_send and commit_poll): this process's one in flight.
 *
 * The transaction is over once its COMMIT is sent (pgl_app.in_tx is 0),
 * but the handle's connection is busy until the answer is in.  Every
 * store call through STORE() first waits for that answer
 * (pgl_flight_wait), keeps it for pgl_flight_poll, and tells the owner
 * (pgl_app.flight_landed), whose watch of the descriptor will not fire
 * now that the answer has been read.
 */
struct pgl_flight {
	struct pgl_store	*h;	/* in flight on; NULL: none */
	int			 landed;	/* waited for: rc, err kept */
	int			 rc;
	struct pgl_err		 err;
};

struct pgl_app {
	const struct pgl_config		*cfg;

	const struct pgl_store_ops	*db;
	struct pgl_store		*dbh;	/* NULL while unavailable */
	int				 in_tx;	/* a transaction is open on dbh */
	/* The next begin gives way to another writer (api.h, PGL_TX_BUSY). */
	int				 begin_try;
	struct pgl_plugin		 db_plugin;
	/*
	 * A transaction's COMMIT in flight on dbh (above), and who
	 * is told once a store call waited for its answer (set by the
	 * commit's owner above, so that this layer calls nothing above it).
	 */
	struct pgl_flight		 flight;
	void				(*flight_landed)(void);

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

/* Call a store method on this process's handle, once a COMMIT in flight
 * on it is answered. */
#define STORE(fn, ...)							\
	((pgl_app.flight.h != NULL ? pgl_flight_wait() : (void)0),	\
	pgl_app.db->fn(pgl_app.dbh, __VA_ARGS__))

/*
 * The open transaction's COMMIT (the caller clears pgl_app.in_tx; one at
 * a time: the last one's outcome taken by pgl_flight_poll first):
 * PGL_OK with *fd not -1, in flight (watch fd, then pgl_flight_poll);
 * *fd -1, commit's answer.  Where the store cannot send it, commit.
 */
int	pgl_flight_send(int *fd, struct pgl_err *);
/* What has come: PGL_OK with *fd not -1, not yet; else the outcome. */
int	pgl_flight_poll(int *fd, struct pgl_err *);
/* Wait for the answer (STORE does, before any call). */
void	pgl_flight_wait(void);

/* (Re)open this process's store handle; 0 if it is usable. */
int	pgl_app_store_open(struct pgl_err *);

#endif
