/*
 * Private to the SQLite store plugin (and the memory store, which is the
 * same code built with -DPGL_STORE_MEMORY): the handle and the row behind
 * the query helper of sql_store.h, which the shared entity methods
 * (plugins/sql-common) go through, and what only SQLite needs.
 */
#ifndef SQLITE_STORE_H
#define SQLITE_STORE_H

#include <sqlite3.h>

#include "sql_store.h"

#if defined(PGL_STORE_MEMORY)
#define STORE_NAME	"memory"
#else
#define STORE_NAME	"sqlite"
#endif

/*
 * Prepared statements are cached per connection, keyed by the address of
 * their SQL text (always a static array in the file that owns the query).
 * Open addressing needs a power of two well above the ~90 distinct texts.
 */
#define STMT_SLOTS	256

struct stmt_slot {
	const char	*sql;
	sqlite3_stmt	*stmt;
};

struct pgl_store {
	const struct pgl_host	*host;
	sqlite3			*db;
	uint64_t		round_trips;	/* statements run (ABI 1.1) */
	struct stmt_slot	stmts[STMT_SLOTS];
};

/* A result row read left to right; strings are copied into the arena. */
struct row {
	struct pgl_store	*s;
	struct pgl_arena	*a;
	sqlite3_stmt		*stmt;
	int			col;
	int			oom;
};

/* sqlite_query.c implements the query helper of sql_store.h. */
void	store_finalize(struct pgl_store *);
int	store_sqlite_err(struct pgl_store *, struct pgl_err *, int);

/* sqlite_migrate.c */
int	sqlite_migrate(struct pgl_store *, struct pgl_err *);

/* sqlite_assets.c */
int	sqlite_create_asset(struct pgl_store *, const char *,
	    const struct pgl_asset *, struct pgl_err *);
int	sqlite_get_asset(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_asset *, struct pgl_err *);
int	sqlite_get_asset_by_id(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_asset *, struct pgl_err *);
int	sqlite_list_assets(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, const struct pgl_page *, struct pgl_asset **,
	    size_t *, uint64_t *, struct pgl_err *);
int	sqlite_update_asset(struct pgl_store *, const char *,
	    const struct pgl_asset *, struct pgl_err *);
int	sqlite_delete_asset(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, struct pgl_err *);
int	sqlite_rename_asset(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_err *);
int	sqlite_list_all_assets_for_branch(struct pgl_store *,
	    struct pgl_arena *, const char *, const char *, const char *,
	    struct pgl_asset **, size_t *, struct pgl_err *);
int	sqlite_copy_assets_bulk(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, uint64_t *, struct pgl_err *);
int	sqlite_update_metadata_location(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, const char *, struct pgl_err *);

#endif
