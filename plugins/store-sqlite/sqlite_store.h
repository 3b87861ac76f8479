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
/* The writes a commit makes, marked as leaving every other asset row as
 * it was (sqlite_asset_marks.c). */
#define SQL_UPDATE_METADATA_LOCATION	sqlite_update_metadata_location
#define SQL_UPDATE_BRANCH_HEAD	sqlite_update_branch_head
#define SQL_CREATE_COMMIT	sqlite_create_commit
#define SQL_APPEND_EVENT	sqlite_append_event
#define SQL_LOG_AUDIT_EVENT	sqlite_log_audit_event

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

/* Asset rows kept per connection: direct-mapped, a power of two. */
#define ASSET_CACHE_SLOTS	1024
/* Per-table change counts in the shared map: a power of two. */
#define ASSET_TABLE_SLOTS	1024
/* Tables a transaction may mark before it counts as changing them all. */
#define ASSET_MARKS_MAX		8

/*
 * What the open write transaction did to asset rows (sqlite_asset_marks.c):
 * only swapped the pointers of the tables in slot[] (by their change
 * counts' slots), or anything (wide).  A write outside the marked methods
 * makes it wide; so do rows changed that the marked methods do not
 * account for (quiet_changes against sqlite3_total_changes64).
 */
struct asset_marks {
	int		 quiet;		/* inside a marked method */
	int		 wide;
	int64_t		 total_at_start;
	int64_t		 quiet_changes;
	size_t		 n;
	uint32_t	 slot[ASSET_MARKS_MAX];
};

struct asset_cache;
struct cred_cache;

struct pgl_store {
	const struct pgl_host	*host;
	sqlite3			*db;
	uint64_t		round_trips;	/* statements run (ABI 1.1) */
	struct stmt_slot	stmts[STMT_SLOTS];
	int			busy_timeout_ms;
	uint64_t		busy_since_us;	/* this wait for the lock */
	struct asset_cache	*assets;	/* NULL: not WAL, no file */
	struct cred_cache	*creds;		/* made on first use */
	struct asset_marks	 marks;
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

/* sqlite_asset_cache.c */
void	sqlite_asset_cache_open(struct pgl_store *);
void	sqlite_asset_cache_close(struct pgl_store *);
int	sqlite_get_asset(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, const char *, const char *, const char *,
	    struct pgl_asset *, struct pgl_err *);
/* The database's change count (shared), or NULL without one. */
volatile uint64_t	*sqlite_change_count(struct pgl_store *);
/* The shared count of wide changes and of the table's slot (both NULL
 * without a map); the slot of a table by its names. */
volatile uint64_t	*sqlite_assets_count(struct pgl_store *);
volatile uint64_t	*sqlite_table_count(struct pgl_store *, uint32_t);
uint32_t	sqlite_table_slot(const char *, const char *, const char *,
		    const char *);

/* sqlite_asset_marks.c */
void	sqlite_marks_statement(struct pgl_store *, sqlite3_stmt *);
void	sqlite_marks_settle(struct pgl_store *);
int	sqlite_update_metadata_location(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, const char *, struct pgl_err *);
int	sqlite_update_branch_head(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    struct pgl_err *);
int	sqlite_create_commit(struct pgl_store *, const char *,
	    const struct pgl_commit *, struct pgl_err *);
int	sqlite_append_event(struct pgl_store *, const struct pgl_event *,
	    uint64_t *, struct pgl_err *);
int	sqlite_log_audit_event(struct pgl_store *,
	    const struct pgl_audit_event *, struct pgl_err *);

/* sqlite_cred_cache.c */
void	sqlite_cred_cache_close(struct pgl_store *);
int	sqlite_is_token_revoked(struct pgl_store *, const char *, int *,
	    struct pgl_err *);
int	sqlite_get_user(struct pgl_store *, struct pgl_arena *, const char *,
	    struct pgl_user *, struct pgl_err *);
int	sqlite_get_service_user_by_key_id(struct pgl_store *,
	    struct pgl_arena *, const char *, struct pgl_service_user *,
	    struct pgl_err *);

/* sqlite_migrate.c */
int	sqlite_migrate(struct pgl_store *, struct pgl_err *);

/* sqlite_schema_gov.c: migration 10 (store ABI 1.10) */
extern const char	sqlite_governance_sql[];
/* sqlite_schema_events.c: migration 15 (ABI 1.15) */
extern const char	sqlite_events_sql[];
/* sqlite_schema_webhooks.c: migration 16 (ABI 1.16) */
extern const char	sqlite_webhooks_sql[];
/* Data policies and column tags (ABI 1.17): sqlite_schema_policies.c. */
extern const char	sqlite_policies_sql[];
/* sqlite_schema_dropped.c: migration 18 (ABI 1.18) */
extern const char	sqlite_dropped_sql[];

#endif
