/*
 * Rows kept in memory by a SQL store's connection, bounded by bytes
 * (issue 69 item 4): the one table under SQLite's asset cache
 * (sqlite_asset_cache.c) and PostgreSQL's (pg_asset_cache.c).  Each
 * store keeps its own rule of when a row is stale and hands it in as the
 * two tags a row is kept under: a lookup answers only from a row kept
 * under the tags it passes, so an eviction (of another row's slot, or by
 * the byte budget) can only make a lookup read the database again, never
 * answer something older.
 */
#ifndef SQL_ASSET_ROWS_H
#define SQL_ASSET_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/store.h"

#define SQL_ROW_TEXTS	10	/* the text fields of struct pgl_asset */
#define SQL_ROW_KEY_MAX	2048

struct sql_rows;

/*
 * A table of at most budget bytes (the rows, their keys and the slots),
 * or NULL: budget 0 (none kept) or no memory.
 */
struct sql_rows	*sql_rows_new(size_t budget);
void		 sql_rows_free(struct sql_rows *);
/* Every row goes (a connection lost: any may be stale). */
void		 sql_rows_clear(struct sql_rows *);
/* The bytes held now (rows, keys, slots). */
size_t		 sql_rows_bytes(const struct sql_rows *);

/*
 * The asset kept under key and tags (a, b), unexpired at now_ms, copied
 * into the arena: 0, or -1 when none (then out is untouched).
 */
int	sql_rows_get_asset(struct sql_rows *, const struct pgl_host *,
	    struct pgl_arena *, const char *key, uint64_t a, uint64_t b,
	    uint64_t now_ms, struct pgl_asset *out);
/*
 * Keep an asset's texts (in struct pgl_asset's order, id first; NULL
 * ones stay NULL) under key and tags, until expires_ms (0: no end).  A
 * row that does not fit the budget is not kept.
 */
void	sql_rows_put(struct sql_rows *, const char *key, uint64_t a,
	    uint64_t b, uint64_t expires_ms,
	    const char *const text[SQL_ROW_TEXTS], int64_t created_at_ms,
	    int64_t updated_at_ms);
void	sql_rows_put_asset(struct sql_rows *, const char *key, uint64_t a,
	    uint64_t b, uint64_t expires_ms, const struct pgl_asset *);

/* The key of an asset's five names (tenant, catalog, branch, ns, name),
 * each ended by a unit separator, in buf; NULL when it does not fit. */
char	*sql_asset_key(const char *const name[5], char *buf, size_t size);

#endif
