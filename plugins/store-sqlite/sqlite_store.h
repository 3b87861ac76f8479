/*
 * Private to the SQLite store plugin (and the memory store, which is the
 * same code built with -DPGL_STORE_MEMORY): the handle and the row behind
 * the query helper of sql_store.h, which the shared entity methods
 * (plugins/sql-common) go through, and what only SQLite needs.
 */
#ifndef SQLITE_STORE_H
#define SQLITE_STORE_H

#include <sqlite3.h>

/* get_asset goes through this connection's cache (sqlite_asset_cache.c),
 * and so do the reads of every authenticated request (sqlite_cred_cache.c). */
#define SQL_GET_ASSET	sqlite_get_asset
#define SQL_IS_TOKEN_REVOKED	sqlite_is_token_revoked
#define SQL_GET_USER	sqlite_get_user
#define SQL_GET_SERVICE_USER_BY_KEY_ID	sqlite_get_service_user_by_key_id

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

struct asset_cache;
struct cred_cache;

/* [store.options], parsed and checked (sqlite_options.c). */
struct sqlite_options {
	const char	*path;
	int		busy_timeout_ms;
	const char	*journal_mode;
	const char	*synchronous;
	int64_t		 asset_cache_bytes;	/* 0: no rows kept */
	int64_t		 page_cache_mb;		/* PRAGMA cache_size */
	int64_t		 mmap_mb;		/* PRAGMA mmap_size */
};
int	sqlite_parse_options(const struct pgl_kv *, size_t,
	    struct sqlite_options *, struct pgl_err *);

struct pgl_store {
	const struct pgl_host	*host;
	sqlite3			*db;
	uint64_t		round_trips;	/* statements run (ABI 1.1) */
	struct stmt_slot	stmts[STMT_SLOTS];
	int			busy_timeout_ms;
	uint64_t		busy_since_us;	/* this wait for the lock */
	int			no_wait;	/* try_begin: never wait */
	struct asset_cache	*assets;	/* NULL: not WAL, no file */
	struct cred_cache	*creds;		/* made on first use */
	const char		*synchronous;	/* as configured */
	int			 wal;		/* journal_mode WAL, a file */
	int			 wal_fd;	/* -1: not opened (log_sync.c) */
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

/* PRAGMA synchronous=mode, mode one of the option's values. */
int	sqlite_set_synchronous(struct pgl_store *, const char *mode,
	    struct pgl_err *);
/* sqlite_log_sync.c: store ABI 1.21, and closing its descriptor. */
int	sqlite_defer_log_sync(struct pgl_store *, int, int *,
	    struct pgl_err *);
void	sqlite_log_sync_close(struct pgl_store *);

/* sqlite_asset_cache.c */
void	sqlite_asset_cache_open(struct pgl_store *, size_t budget);
void	sqlite_asset_cache_close(struct pgl_store *);
int	sqlite_get_asset(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, const char *, const char *, const char *,
	    struct pgl_asset *, struct pgl_err *);
/* A statement failed: inside a transaction, its commit keeps no row. */
void	sqlite_asset_cache_failed(struct pgl_store *);
/* The database's change count (shared), or NULL without one. */
volatile uint64_t	*sqlite_change_count(struct pgl_store *);

/*
 * sqlite_asset_notes.c: which assets each commit of a connection
 * changed, as counts shared by every process on the file, and the rows
 * the commit left that may be kept under them (for the asset cache).
 */
struct asset_notes;
struct asset_row {
	/* id, catalog, branch, namespace, name, kind, location,
	 * metadata_location, properties, origin */
	const char	*text[10];
	int64_t		 created_at_ms;
	int64_t		 updated_at_ms;
};
/* "<db><suffix>", bytes long, mapped shared by every process on the
 * file (made if missing, never shrunk); NULL when it cannot be. */
volatile uint64_t	*sqlite_map_beside(const char *, const char *, size_t);
struct asset_notes	*sqlite_asset_notes_open(sqlite3 *, const char *);
void	sqlite_asset_notes_close(sqlite3 *, struct asset_notes *);
/* The counts an entry of these names is read under: all, and its own. */
void	sqlite_asset_notes_counts(const struct asset_notes *, const char *,
	    const char *, const char *, const char *, uint64_t *,
	    uint64_t *);
/* A statement of the open transaction failed (its rows were undone). */
void	sqlite_asset_notes_failed(struct asset_notes *);
/* After a commit (the WAL hook): bump what it changed, and hand kept()
 * each row it left that is the newest under its counts. */
void	sqlite_asset_notes_committed(struct asset_notes *, struct pgl_store *,
	    void (*kept)(struct pgl_store *, const char *const name[5],
	    const struct asset_row *, uint64_t all, uint64_t own));

/* sqlite_cred_cache.c */
void	sqlite_cred_cache_close(struct pgl_store *);
int	sqlite_is_token_revoked(struct pgl_store *, const char *, int *,
	    struct pgl_err *);
int	sqlite_get_user(struct pgl_store *, struct pgl_arena *, const char *,
	    struct pgl_user *, struct pgl_err *);
int	sqlite_get_service_user_by_key_id(struct pgl_store *,
	    struct pgl_arena *, const char *, struct pgl_service_user *,
	    struct pgl_err *);

/* sqlite_vacuum.c: the database made INCREMENTAL (at open, before the
 * migrations), so that store_reclaim gives free pages back. */
int	sqlite_auto_vacuum(struct pgl_store *, const char *path,
	    struct pgl_err *);

/* sqlite_migrate.c: the list; sqlite_migrate_run.c: the run (at open). */
int	sqlite_migrate(struct pgl_store *, struct pgl_err *);
int	sqlite_migrate_locked(struct pgl_store *, size_t *applied,
	    struct pgl_err *);

/* sqlite_schema_gov.c: migration 10 (store ABI 1.10) */
extern const char	sqlite_governance_sql[];
/* sqlite_schema_events.c: migration 15 (ABI 1.15) */
extern const char	sqlite_events_sql[];
/* sqlite_schema_webhooks.c: migration 16 (ABI 1.16) */
extern const char	sqlite_webhooks_sql[];
/* Data policies and column tags (ABI 1.17): sqlite_schema_policies.c. */
extern const char	sqlite_policies_sql[];
/* sqlite_schema_logs.c: migration 20, the commit logs as rowid tables. */
extern const char	sqlite_logs_rowid_sql[];
/* sqlite_schema_dropped.c: migration 18 (ABI 1.18) */
extern const char	sqlite_dropped_sql[];
extern const char	sqlite_locations_sql[];
/* Migration 22: the usage ledger (sqlite_schema_usage.c). */
extern const char	sqlite_usage_sql[];
extern const char	sqlite_keyset_sql[];
/* Migration 24: search at a million assets (sqlite_schema_search.c). */
int	sqlite_search_index_step(struct pgl_store *, struct pgl_err *);

#endif
