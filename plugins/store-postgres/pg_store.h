/*
 * Private to the PostgreSQL store plugin: the handle, the one query helper
 * every method goes through, and the methods each file adds to the ops
 * table in pg_store.c.  The shape follows the SQLite plugin on purpose, so
 * a method reads the same in both: a SQL text and a few lines.
 */
#ifndef PG_STORE_H
#define PG_STORE_H

#include <libpq-fe.h>

#include "pangolin/store.h"

#define STORE_NAME	"postgres"

/*
 * Prepared statements, one per SQL text, keyed by the address of the text
 * (always a static array in the file that owns the query).  A slot
 * remembers the connection generation it was prepared on: a reconnect
 * bumps the generation, and every statement is prepared again lazily.
 * text is the SQL as sent: the shared texts (plugins/sql-common) number
 * their parameters ?N, which PostgreSQL spells $N.
 */
#define STMT_SLOTS	256
#define MAX_PARAMS	16

struct stmt_slot {
	const char	*sql;
	char		*text;		/* sql with ?N as $N; owned */
	unsigned	 gen;		/* 0: never prepared */
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
	unsigned		 gen;		/* bumped on every connect */
	int			 reset;		/* reconnect before next call */
	int			 in_tx;		/* between begin and commit */
	int			 tx_lost;	/* connection died inside it */
	uint64_t		 round_trips;	/* execute() calls (ABI 1.1) */
	struct stmt_slot	 stmts[STMT_SLOTS];
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

typedef void	(*row_fill_fn)(struct row *, void *);

const char	*row_text(struct row *);
int64_t		row_int(struct row *);

/*
 * Arguments are described by fmt, one letter each, exactly as in the
 * SQLite plugin: 's' const char * (NULL binds SQL NULL), 'i' int64_t,
 * 'd' int, 'p' const struct pgl_page * (two parameters: LIMIT, NULL for
 * none, then OFFSET).  The letters also give the parameter types the
 * statement is prepared with (text, int8, int4), so no SQL text needs a
 * cast to tell the server what a bare $n is.
 *
 * store_exec returns PGL_ENOTFOUND only for a foreign key violation, so a
 * caller can tell "references a missing row" from "changed nothing".
 */
int	store_exec(struct pgl_store *, struct pgl_err *, const char *,
	    uint64_t *, const char *, ...);
/* One row into out; PGL_ENOTFOUND when there is none. */
int	store_get(struct pgl_store *, struct pgl_arena *, struct pgl_err *,
	    const char *, row_fill_fn, void *, const char *, ...);
/* Every row into an arena array of elements of the given size. */
int	store_list(struct pgl_store *, struct pgl_arena *, struct pgl_err *,
	    const char *, row_fill_fn, size_t, void **, size_t *,
	    const char *, ...);
/* A single integer result, e.g. count(*). */
int	store_count(struct pgl_store *, struct pgl_err *, const char *,
	    uint64_t *, const char *, ...);
void	store_finalize(struct pgl_store *);

int	store_err(struct pgl_err *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
int	store_pg_err(struct pgl_store *, struct pgl_err *, const PGresult *);
int64_t	store_now_ms(void);

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
};

int	pg_parse_options(const struct pgl_kv *, size_t, struct pg_options *,
	    struct pgl_err *);
int	pg_conninfo(struct pgl_store *, const struct pg_options *,
	    struct pgl_err *);
void	pg_conninfo_free(struct conninfo *);

/* pg_migrate.c */
int	pg_migrate(struct pgl_store *, struct pgl_err *);

/* pg_tenants.c */
int	postgres_create_tenant(struct pgl_store *, const struct pgl_tenant *,
	    struct pgl_err *);
int	postgres_get_tenant(struct pgl_store *, struct pgl_arena *,
	    const char *, struct pgl_tenant *, struct pgl_err *);
int	postgres_list_tenants(struct pgl_store *, struct pgl_arena *,
	    const struct pgl_page *, struct pgl_tenant **, size_t *,
	    uint64_t *, struct pgl_err *);
int	postgres_update_tenant(struct pgl_store *, const struct pgl_tenant *,
	    struct pgl_err *);
int	postgres_delete_tenant(struct pgl_store *, const char *,
	    struct pgl_err *);

/* pg_catalogs.c: warehouses, catalogs, namespaces */
int	postgres_create_warehouse(struct pgl_store *,
	    const struct pgl_warehouse *, struct pgl_err *);
int	postgres_get_warehouse(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_warehouse *,
	    struct pgl_err *);
int	postgres_list_warehouses(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_page *, struct pgl_warehouse **,
	    size_t *, uint64_t *, struct pgl_err *);
int	postgres_update_warehouse(struct pgl_store *, const char *,
	    const struct pgl_warehouse *, struct pgl_err *);
int	postgres_delete_warehouse(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);
int	postgres_create_catalog(struct pgl_store *,
	    const struct pgl_catalog *, struct pgl_err *);
int	postgres_get_catalog(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_catalog *,
	    struct pgl_err *);
int	postgres_list_catalogs(struct pgl_store *, struct pgl_arena *,
	    const char *, const struct pgl_page *, struct pgl_catalog **,
	    size_t *, uint64_t *, struct pgl_err *);
int	postgres_update_catalog(struct pgl_store *, const char *,
	    const struct pgl_catalog *, struct pgl_err *);
int	postgres_delete_catalog(struct pgl_store *, const char *,
	    const char *, struct pgl_err *);
int	postgres_count_catalog(struct pgl_store *, const char *, const char *,
	    struct pgl_catalog_counts *, struct pgl_err *);
int	postgres_create_namespace(struct pgl_store *, const char *,
	    const struct pgl_namespace *, struct pgl_err *);
int	postgres_get_namespace(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, struct pgl_namespace *,
	    struct pgl_err *);
int	postgres_list_namespaces(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const struct pgl_page *,
	    struct pgl_namespace **, size_t *, uint64_t *, struct pgl_err *);
int	postgres_update_namespace(struct pgl_store *, const char *,
	    const struct pgl_namespace *, struct pgl_err *);
int	postgres_delete_namespace(struct pgl_store *, const char *,
	    const char *, const char *, struct pgl_err *);

/* pg_assets.c */
int	postgres_create_asset(struct pgl_store *, const char *,
	    const struct pgl_asset *, struct pgl_err *);
int	postgres_get_asset(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_asset *, struct pgl_err *);
int	postgres_get_asset_by_id(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_asset *, struct pgl_err *);
int	postgres_list_assets(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, const char *,
	    const char *, const struct pgl_page *, struct pgl_asset **,
	    size_t *, uint64_t *, struct pgl_err *);
int	postgres_update_asset(struct pgl_store *, const char *,
	    const struct pgl_asset *, struct pgl_err *);
int	postgres_delete_asset(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, struct pgl_err *);
int	postgres_rename_asset(struct pgl_store *, const char *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, struct pgl_err *);
int	postgres_list_all_assets_for_branch(struct pgl_store *,
	    struct pgl_arena *, const char *, const char *, const char *,
	    struct pgl_asset **, size_t *, struct pgl_err *);
int	postgres_copy_assets_bulk(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, uint64_t *, struct pgl_err *);
int	postgres_update_metadata_location(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    const char *, const char *, struct pgl_err *);

/* pg_branches.c: branches, tags, commits */
int	postgres_create_branch(struct pgl_store *, const char *,
	    const struct pgl_branch *, struct pgl_err *);
int	postgres_get_branch(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const char *, struct pgl_branch *,
	    struct pgl_err *);
int	postgres_list_branches(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_branch **, size_t *, uint64_t *, struct pgl_err *);
int	postgres_delete_branch(struct pgl_store *, const char *,
	    const char *, const char *, struct pgl_err *);
int	postgres_update_branch_head(struct pgl_store *, const char *,
	    const char *, const char *, const char *, const char *,
	    struct pgl_err *);
int	postgres_create_tag(struct pgl_store *, const char *,
	    const struct pgl_tag *, struct pgl_err *);
int	postgres_get_tag(struct pgl_store *, struct pgl_arena *, const char *,
	    const char *, const char *, struct pgl_tag *, struct pgl_err *);
int	postgres_list_tags(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, const struct pgl_page *,
	    struct pgl_tag **, size_t *, uint64_t *, struct pgl_err *);
int	postgres_delete_tag(struct pgl_store *, const char *, const char *,
	    const char *, struct pgl_err *);
int	postgres_create_commit(struct pgl_store *, const char *,
	    const struct pgl_commit *, struct pgl_err *);
int	postgres_get_commit(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, struct pgl_commit *, struct pgl_err *);
int	postgres_get_commit_ancestry(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, uint32_t, struct pgl_commit **,
	    size_t *, struct pgl_err *);

/* pg_idempotency.c */
int	postgres_put_idempotent(struct pgl_store *, const char *,
	    const struct pgl_idempotent *, struct pgl_err *);
int	postgres_get_idempotent(struct pgl_store *, struct pgl_arena *,
	    const char *, const char *, int64_t, struct pgl_idempotent *,
	    struct pgl_err *);
int	postgres_purge_idempotent(struct pgl_store *, int64_t, uint64_t *,
	    struct pgl_err *);

#endif
