/*
 * Private to the PostgreSQL store plugin: the handle and the row behind
 * the query helper of sql_store.h, which the entity methods shared with
 * the SQLite store (plugins/sql-common) go through, and what only
 * PostgreSQL needs: connections, options, migrations.
 */
#ifndef PG_STORE_H
#define PG_STORE_H

#include <stdarg.h>

#include <libpq-fe.h>

/* get_asset goes through this connection's cache (pg_asset_cache.c). */
#define SQL_GET_ASSET	postgres_get_asset

#include "sql_store.h"

#define STORE_NAME	"postgres"
/* Configuration changes between servers (pg_notify.c). */
#define PG_CHANNEL	"pangolin_config"
/* Changed assets, for the asset cache (pg_asset_cache.c). */
#define PG_ASSET_CHANNEL	"pangolin_assets"
/* The asset cache's counts: one per asset, chosen by its names. */
#define PG_ASSET_COUNTS	4096
/* Bytes of rows it keeps per connection unless asset_cache_bytes says. */
#define PG_ASSET_BYTES	(8 << 20)

/*
 * Prepared statements, one per SQL text, keyed by the address of the text
 * (always a static array in the file that owns the query).  A slot
 * remembers the connection generation it was prepared on: a reconnect
 * bumps the generation, and every statement is prepared again lazily.
 * text is the SQL as sent: the shared texts (plugins/sql-common) number
 * their parameters ?N, which PostgreSQL spells $N.
 */
#define STMT_SLOTS	256
/* The most any shared text binds: a webhook's insert (sql_webhooks.c), 18. */
#define MAX_PARAMS	24

struct stmt_slot {
	const char	*sql;
	char		*text;		/* sql with ?N as $N; owned */
	unsigned	 gen;		/* 0: never prepared */
};

/* A slot's prepared statement is named after its index (pg_stmt.c). */
#define PG_STMT_NAME	16

/*
 * Writes sent ahead in a transaction that defers them (store ABI 1.24,
 * pg_defer.c): each command in the open pipeline, with what its answer
 * must be.  A full list is settled before the next is sent.
 */
#define DEFER_MAX	128

struct pg_deferred {
	struct stmt_slot	*slot;
	int			 prepare;	/* a PQsendPrepare, not a write */
	int64_t			 expect;	/* rows it must change; -1 any */
};

/*
 * A COMMIT sent and answered later (store ABI 1.25, pg_flight.c): the
 * stage it is at, and the answers read off the socket as they came, which
 * pg_defer.c then reads (pg_result) as it would from the connection.  A
 * stage's answers are each command's result and the NULL after it, then
 * its pipeline's sync.
 */
#define FLIGHT_ANSWERS	(2 * DEFER_MAX + 8)

enum pg_flight_stage {
	FLIGHT_NONE,
	FLIGHT_SETTLE,		/* the writes' answers, before the COMMIT */
	FLIGHT_COMMIT,		/* the COMMIT's, and the unlock's */
	FLIGHT_LANDED		/* answered; rc and err kept for commit_poll */
};

struct pg_flight {
	enum pg_flight_stage	 stage;
	/* Set while in flight: wait for the answers and keep the outcome
	 * (pg_store.c), what any other call on the handle does first. */
	void			(*land)(struct pgl_store *);
	const char		*also;		/* after the COMMIT, or NULL */
	size_t			 n;		/* writes in the COMMIT's pipeline */
	PGresult		*got[FLIGHT_ANSWERS];
	size_t			 ngot;
	size_t			 next;		/* the next one pg_result reads */
	int			 rc;
	struct pgl_err		 err;
};

/* libpq keyword/value pairs for PQconnectdbParams, kept for reconnects. */
#define MAX_CONNINFO	16

struct conninfo {
	const char	*keys[MAX_CONNINFO + 1];
	char		*values[MAX_CONNINFO + 1];	/* owned copies */
	size_t		 n;
	int		 expand;	/* values[0] is the url to expand */
};

struct pgl_store {
	const struct pgl_host	*host;
	PGconn			*conn;		/* NULL: not connected yet */
	struct conninfo		 ci;
	char			*schema;
	/* The session's time bounds, ms as text (0: none), set at every
	 * (re)connect: see pg_options.c. */
	char			 statement_ms[16];
	char			 lock_ms[16];
	char			 idle_tx_ms[16];
	unsigned		 gen;		/* bumped on every connect */
	int			 reset;		/* reconnect before next call */
	int			 in_tx;		/* between begin and commit */
	int			 tx_lost;	/* connection died inside it */
	unsigned		 tenant_gen;	/* tenant lock held: gen it was
						 * taken in; 0 none */
	/* Whose event lock this session holds (pg_store.c): since before
	 * BEGIN (begin_tenant, until its unlock) or in this transaction
	 * (SQL_EVENT_LOCK, until its end); "" none or too long to keep. */
	char			 lock_tenant[64];
	int			 lock_in_tx;	/* the transaction's, not before */
	unsigned		 lock_gen;	/* the session it was taken in */
	uint64_t		 round_trips;	/* execute() calls (ABI 1.1) */
	int			 changed;	/* a change announced (ABI 1.4) */
	struct stmt_slot	 stmts[STMT_SLOTS];
	/* This transaction defers writes (ABI 1.24): those sent and not
	 * yet answered, and the first one's failure, which the rest of the
	 * transaction answers. */
	int			 defer;
	size_t			 ndeferred;
	struct pg_deferred	 deferred[DEFER_MAX];
	struct pgl_err		 defer_err;	/* code PGL_OK: none failed */
	struct sql_fork_memo	 fork_memo;	/* this transaction's */
	struct pg_flight	 flight;
	struct pg_assets	*assets;	/* NULL: no asset cache */
};

/* A result row read left to right; strings are copied into the arena. */
struct row {
	struct pgl_store	*s;
	struct pgl_arena	*a;
	PGresult		*res;
	int			 row;
	int			 col;
	int			 oom;
};

/*
 * pg_query.c implements the query helper of sql_store.h.  The format
 * letters also give the parameter types each statement is prepared with
 * (text, int8, int4), so no SQL text needs a cast to tell the server what
 * a bare $n is; a page without a limit binds LIMIT NULL (LIMIT ALL).
 */
void	store_finalize(struct pgl_store *);

/* One statement's bound parameters: ints in binary (network order),
 * text as text. */
struct pg_params {
	int		 n;
	Oid		 types[MAX_PARAMS];
	const char	*values[MAX_PARAMS];
	int		 lengths[MAX_PARAMS];
	int		 formats[MAX_PARAMS];
	uint64_t	 i8[MAX_PARAMS];
	uint32_t	 i4[MAX_PARAMS];
};

int	pg_bind(struct pg_params *, const char *fmt, va_list,
	    struct pgl_err *);
/* The name slot index's statement is prepared under. */
void	pg_stmt_name(char name[PG_STMT_NAME], size_t index);
/* sql's slot, its text made ready; NULL with err set. */
struct stmt_slot *pg_slot(struct pgl_store *, const char *sql,
	    size_t *index, struct pgl_err *);

/*
 * pg_defer.c: writes sent ahead (store ABI 1.24).  pg_defer_send sends
 * one into the transaction's pipeline and answers at once;
 * pg_defer_settle reads the answers of all sent so far (one round trip)
 * and answers the first failure, which it keeps: every later call of the
 * transaction answers it too.  pg_defer_end forgets the transaction's
 * deferring (its commit, its rollback, a lost connection).
 */
int	postgres_defer_writes(struct pgl_store *, struct pgl_err *);
int	pg_defer_send(struct pgl_store *, const char *sql, int64_t expect,
	    const char *fmt, va_list, struct pgl_err *);
int	pg_defer_settle(struct pgl_store *, struct pgl_err *);
/* The next answer on the connection, or one read ahead (pg_flight.c). */
PGresult *pg_result(struct pgl_store *);
/* The same in two halves: the pipeline's sync out, then its answers in. */
int	pg_defer_settle_send(struct pgl_store *, struct pgl_err *);
int	pg_defer_settle_read(struct pgl_store *, struct pgl_err *);
/* 1: a write sent ahead must be answered before the COMMIT goes out. */
int	pg_defer_must_settle(const struct pgl_store *);
/*
 * The COMMIT after the writes sent ahead, and also (a statement, or
 * NULL) behind it, in one round trip; the transaction is over whatever
 * it answers (a write that failed: rolled back, its error).  *also_done:
 * also ran.
 */
int	pg_defer_commit(struct pgl_store *, const char *also,
	    int *also_done, struct pgl_err *);
/* The same in two halves: the COMMIT out behind *n writes not yet
 * answered (PGL_OK: sent; else over, as pg_defer_commit answers), then
 * their answers and its own in. */
int	pg_defer_commit_send(struct pgl_store *, const char *also, size_t *n,
	    struct pgl_err *);
int	pg_defer_commit_read(struct pgl_store *, size_t n, const char *also,
	    int *also_done, struct pgl_err *);

/*
 * pg_flight.c: a COMMIT answered later (ABI 1.25).  pg_flight_send
 * sends what is to be answered (also: behind the COMMIT);
 * pg_flight_poll takes in what came (wait: until all has), *done once
 * the transaction is over, with its outcome and *also_done (the unlock
 * ran).
 */
int	pg_flight_send(struct pgl_store *, const char *also,
	    struct pgl_err *);
int	pg_flight_poll(struct pgl_store *, int wait, int *done,
	    int *also_done, struct pgl_err *);
void	pg_defer_end(struct pgl_store *);
int	store_pg_err(struct pgl_store *, struct pgl_err *, const PGresult *);
int	pg_sqlstate_is(const char *state, const char *want);

/* pg_conn.c: connecting, reconnecting, the session's settings. */
int	pg_connect(struct pgl_store *, struct pgl_err *);
int	pg_ready(struct pgl_store *, struct pgl_err *);
void	pg_lost(struct pgl_store *);
int	pg_simple(struct pgl_store *, const char *, const char *,
	    struct pgl_err *);

/* pg_options.c: [store.options] -> the libpq parameters and the rest. */
struct pg_options {
	const char	*url;
	const char	*host;
	const char	*port;
	const char	*dbname;
	const char	*user;
	const char	*password;
	const char	*sslmode;
	const char	*connect_timeout;
	const char	*schema;
	int		 max_connections;
	int		 min_connections;
	int		 statement_timeout_ms;
	int		 lock_timeout_ms;
	int		 idle_in_transaction_timeout_ms;
	int		 asset_cache_bytes;	/* 0: none */
};

int	pg_parse_options(const struct pgl_kv *, size_t, struct pg_options *,
	    struct pgl_err *);
int	pg_conninfo(struct pgl_store *, const struct pg_options *,
	    struct pgl_err *);
void	pg_conninfo_free(struct conninfo *);

/* pg_notify.c: configuration changes between servers (ABI 1.4). */
int	postgres_announce_change(struct pgl_store *, struct pgl_err *);
int	postgres_changes_seen(struct pgl_store *, int *, struct pgl_err *);

/*
 * pg_notes.c: the notifications that have come, taken in (what libpq
 * holds and what the socket has; never waits): configuration changes
 * set s->changed, asset notes bump the asset cache's counts.
 */
int	pg_take_notes(struct pgl_store *, struct pgl_err *);
/* The same without reading the socket: only what libpq holds. */
void	pg_notes_held(struct pgl_store *);
/* The asset cache's count of an asset's names. */
size_t	pg_asset_count_of(const char *tenant, const char *catalog,
	    const char *ns, const char *name);

/*
 * pg_asset_cache.c: asset lookups from memory, coherent across servers
 * (issue 69).  pg_assets_committed: this connection committed (its
 * next lookup syncs again).
 */
struct sql_rows;
struct pg_assets {
	struct sql_rows		*rows;		/* sql_asset_rows.c */
	uint64_t		 all;		/* bumped by a note of all */
	uint64_t		 counts[PG_ASSET_COUNTS];	/* by a row's */
	unsigned		 gen;		/* the connection's; 0 none */
	uint64_t		 applied;	/* highest note taken in */
	uint64_t		 synced_us;	/* the last sync's start */
	uint64_t		 synced_n;	/* the value it read */
	uint64_t		 arrived_us;	/* this request's arrival */
	int			 covered;	/* a sync since it arrived */
	int			 requests;	/* read_after is called */
};

int	pg_assets_open(struct pgl_store *, int bytes, struct pgl_err *);
void	pg_assets_close(struct pgl_store *);
void	pg_assets_read_after(struct pgl_store *, uint64_t arrived_us);
void	pg_assets_committed(struct pgl_store *);
int	postgres_get_asset(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_asset *, struct pgl_err *);

/* pg_migrate.c: applies at open the migrations of pg_migrations.c. */
int	pg_migrate(struct pgl_store *, struct pgl_err *);

/* pg_migrations.c: the schema's migrations, in version order. */
struct pg_migration {
	int		 version;
	const char	*name;
	const char	*sql;
};
/* A step in C after a migration's SQL, in its transaction. */
struct pg_migration_step {
	int	version;
	int	(*run)(struct pgl_store *, struct pgl_err *);
};
extern const struct pg_migration	pg_migrations[];
extern const size_t			pg_nmigrations;
extern const struct pg_migration_step	pg_migration_steps[];
extern const size_t			pg_nmigration_steps;

/* pg_schema_gov.c: migration 9 (store ABI 1.10), search's text index */
extern const char	pg_governance_sql[];
/* Data policies and column tags (ABI 1.17): pg_schema_policies.c. */
extern const char	pg_policies_sql[];
/* pg_schema_usage.c: migration 20, the usage ledger (ABI 1.27). */
extern const char	pg_usage_sql[];
extern const char	pg_keyset_sql[];
/* pg_schema_usage.c: migration 22, inserts and deletes counted a statement. */
extern const char	pg_usage_by_statement_sql[];
/* pg_schema_notes.c: migration 23, the asset notes (issue 69). */
extern const char	pg_asset_notes_sql[];
int	pg_ensure_text_index(struct pgl_store *, struct pgl_err *);
/* pg_schema_search.c: migration 24, the text index without fast update. */
extern const char	pg_search_index_sql[];
int	pg_search_index_step(struct pgl_store *, struct pgl_err *);

#endif
