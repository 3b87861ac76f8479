/*
 * The one path every query takes: bind the arguments, prepare the
 * statement once per connection, execute it, hand each row to a fill
 * function.  Keeping prepare/bind/execute and the error mapping here lets
 * every method be a SQL text and a few lines, as in the SQLite plugin.
 *
 * Inside a transaction each statement runs under a savepoint.  SQLite
 * undoes a failed statement and leaves the transaction usable (the host
 * relies on it: a duplicate inside a transaction is an answer, not the end
 * of the transaction); PostgreSQL aborts the whole transaction instead.
 * The SAVEPOINT, the statement and the RELEASE go out as one pipeline, so
 * the guard costs no extra round trip; only a failure pays one more, for
 * ROLLBACK TO SAVEPOINT.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_store.h"
#include "sql_dialect.h"

static const char SP_SET[] = "SAVEPOINT pgl_stmt";
static const char SP_RELEASE[] = "RELEASE SAVEPOINT pgl_stmt";
static const char SP_UNDO[] =
	"ROLLBACK TO SAVEPOINT pgl_stmt; RELEASE SAVEPOINT pgl_stmt";

/* Where rows go: one struct (cap 1, fixed) or an arena array. */
struct reader {
	struct row	row;
	row_fill_fn	fill;
	size_t		size;
	void		*items;
	size_t		n;
	size_t		cap;
	int		grow;
};

/*
 * Messages end up on one log line and in one JSON string; libpq's own
 * span lines ("...failed: Connection refused\n\tIs the server running").
 */
static void
one_line(char *msg)
{
	char	*r, *w;
	int	 space = 0;

	for (r = w = msg; *r != '\0'; r++) {
		if (*r == '\n' || *r == '\t' || *r == '\r' || *r == ' ') {
			space = w != msg;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = 0;
		*w++ = *r;
	}
	*w = '\0';
}

int
store_err(struct pgl_err *err, int code, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL) {
		err->code = code;
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		one_line(err->msg);
	}
	return (code);
}

int64_t
store_now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

const struct pgl_host *
store_host(struct pgl_store *s)
{
	return (s->host);
}

/* A text planned anew at each call (SQL_CUSTOM_PLAN), run unnamed. */
static int
custom_plan(const struct stmt_slot *slot)
{
	return (strncmp(slot->text, SQL_CUSTOM_PLAN,
	    sizeof(SQL_CUSTOM_PLAN) - 1) == 0);
}

/* Outside a transaction: prepare once, then one round trip per call. */
static PGresult *
exec_plain(struct pgl_store *s, struct stmt_slot *slot, const char *name,
    const struct pg_params *p)
{
	PGresult	*res;

	if (custom_plan(slot))
		return (PQexecParams(s->conn, slot->text, p->n, p->types,
		    p->values, p->lengths, p->formats, 0));
	if (slot->gen != s->gen) {
		res = PQprepare(s->conn, name, slot->text, p->n, p->types);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
			return (res);
		PQclear(res);
		slot->gen = s->gen;
	}
	return (PQexecPrepared(s->conn, name, p->n, p->values, p->lengths,
	    p->formats, 0));
}

/*
 * Reads the results of a pipeline of ncmds commands and its sync.  Keeps
 * the statement's result (command number stmt), or the first error of
 * any command, which is what the caller must report.
 */
static PGresult *
collect(struct pgl_store *s, struct stmt_slot *slot, int prep, int ncmds)
{
	PGresult	*r, *keep = NULL, *fail = NULL;
	int		 i, st, stmt = prep ? 2 : 1;

	for (i = 0; i < ncmds; i++) {
		while ((r = PQgetResult(s->conn)) != NULL) {
			st = PQresultStatus(r);
			if (st == PGRES_FATAL_ERROR && fail == NULL) {
				fail = r;
				continue;
			}
			if (i == stmt && keep == NULL &&
			    st != PGRES_PIPELINE_ABORTED) {
				keep = r;
				continue;
			}
			if (prep && i == 1 && st == PGRES_COMMAND_OK)
				slot->gen = s->gen;
			PQclear(r);
		}
		if (PQstatus(s->conn) == CONNECTION_BAD)
			break;
	}
	if (PQstatus(s->conn) != CONNECTION_BAD &&
	    (r = PQgetResult(s->conn)) != NULL)
		PQclear(r);		/* PGRES_PIPELINE_SYNC */
	if (fail != NULL) {
		PQclear(keep);
		return (fail);
	}
	return (keep);
}

/* Inside a transaction: SAVEPOINT, [prepare], execute, RELEASE. */
static PGresult *
exec_guarded(struct pgl_store *s, struct stmt_slot *slot, const char *name,
    const struct pg_params *p)
{
	PGconn		*c = s->conn;
	PGresult	*res;
	int		 custom = custom_plan(slot), ok;
	int		 prep = !custom && slot->gen != s->gen;

	if (PQenterPipelineMode(c) != 1)
		return (NULL);
	ok = PQsendQueryParams(c, SP_SET, 0, NULL, NULL, NULL, NULL, 0);
	if (ok && prep)
		ok = PQsendPrepare(c, name, slot->text, p->n, p->types);
	if (ok && custom)
		ok = PQsendQueryParams(c, slot->text, p->n, p->types,
		    p->values, p->lengths, p->formats, 0);
	else if (ok)
		ok = PQsendQueryPrepared(c, name, p->n, p->values, p->lengths,
		    p->formats, 0);
	if (ok)
		ok = PQsendQueryParams(c, SP_RELEASE, 0, NULL, NULL, NULL,
		    NULL, 0);
	if (ok)
		ok = PQpipelineSync(c);
	/* A half-sent pipeline cannot be drained: start over instead. */
	if (!ok) {
		s->reset = 1;
		(void)PQexitPipelineMode(c);
		return (NULL);
	}
	res = collect(s, slot, prep, prep ? 4 : 3);
	if (PQexitPipelineMode(c) != 1)
		s->reset = 1;
	if (res != NULL && PQresultStatus(res) == PGRES_FATAL_ERROR &&
	    PQstatus(c) == CONNECTION_OK)
		PQclear(PQexec(c, SP_UNDO));
	return (res);
}

static int
reader_rows(struct reader *rd, PGresult *res, struct pgl_err *err)
{
	const struct pgl_host	*h = rd->row.s->host;
	size_t			 n = (size_t)PQntuples(res), i;
	void			*elem;

	if (n == 0)
		return (PGL_OK);
	if (rd->grow) {
		if ((rd->items = h->arena_alloc(rd->row.a, n * rd->size)) ==
		    NULL)
			return (store_err(err, PGL_ENOMEM, "arena exhausted"));
		rd->cap = n;
	} else if (n > rd->cap)	/* a get on a unique key: cannot happen */
		n = rd->cap;
	rd->row.res = res;
	for (i = 0; i < n; i++) {
		elem = (char *)rd->items + i * rd->size;
		memset(elem, 0, rd->size);
		rd->row.row = (int)i;
		rd->row.col = 0;
		rd->fill(&rd->row, elem);
		if (rd->row.oom)
			return (store_err(err, PGL_ENOMEM, "arena exhausted"));
		rd->n++;
	}
	return (PGL_OK);
}

static int
result_ok(const PGresult *res)
{
	return (res != NULL && (PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK));
}

/* "prepared statement does not exist": something (a pooler, DISCARD
 * ALL) dropped it behind our back; prepare it again, once. */
static int
statement_vanished(const PGresult *res)
{
	return (res != NULL && pg_sqlstate_is(PQresultErrorField(res,
	    PG_DIAG_SQLSTATE), "26000"));
}

static PGresult *
execute(struct pgl_store *s, struct stmt_slot *slot, size_t index,
    const struct pg_params *p)
{
	PGresult	*res;
	char		 name[PG_STMT_NAME];
	int		 attempt;

	pg_stmt_name(name, index);
	for (attempt = 0;; attempt++) {
		/* One round trip: a pipelined SAVEPOINT, statement, RELEASE
		 * and sync is one write and one wait for the answers. */
		s->round_trips++;
		res = s->in_tx ? exec_guarded(s, slot, name, p) :
		    exec_plain(s, slot, name, p);
		if (attempt > 0 || !statement_vanished(res))
			return (res);
		PQclear(res);
		slot->gen = 0;
	}
}

static int
store_runv(struct pgl_store *s, struct pgl_err *err, const char *sql,
    struct reader *rd, uint64_t *changes, const char *fmt, va_list ap)
{
	struct stmt_slot	*slot;
	struct pg_params		 p;
	PGresult		*res;
	size_t			 index;
	int			 status;

	if ((status = pg_bind(&p, fmt, ap, err)) != PGL_OK)
		return (status);
	if ((status = pg_ready(s, err)) != PGL_OK)
		return (status);
	/* The writes sent ahead come first (pg_defer.c). */
	if (s->in_tx && (status = pg_defer_settle(s, err)) != PGL_OK)
		return (status);
	if ((slot = pg_slot(s, sql, &index, err)) == NULL)
		return (err->code);
	res = execute(s, slot, index, &p);
	/* A write outside a transaction is its own commit (pg_asset_cache.c:
	 * this connection's next lookup syncs, its own note seen). */
	if (!s->in_tx && rd == NULL)
		pg_assets_committed(s);
	pg_notes_held(s);
	if (!result_ok(res))
		status = store_pg_err(s, err, res);
	if (status == PGL_OK && rd != NULL)
		status = reader_rows(rd, res, err);
	if (status == PGL_OK && changes != NULL)
		*changes = strtoull(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return (status);
}

int
store_exec(struct pgl_store *s, struct pgl_err *err, const char *sql,
    uint64_t *changes, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	rc = store_runv(s, err, sql, NULL, changes, fmt, ap);
	va_end(ap);
	return (rc);
}

int
store_get(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err,
    const char *sql, row_fill_fn fill, void *out, const char *fmt, ...)
{
	/* The caller's struct is the one element: size 0 leaves it as the
	 * caller set it until the fill function writes every field. */
	struct reader	rd = { { s, a, NULL, 0, 0, 0 }, fill, 0, out,
			    0, 1, 0 };
	va_list		ap;
	int		rc;

	va_start(ap, fmt);
	rc = store_runv(s, err, sql, &rd, NULL, fmt, ap);
	va_end(ap);
	if (rc == PGL_OK && rd.n == 0)
		rc = store_err(err, PGL_ENOTFOUND, "not found");
	return (rc);
}

int
store_list(struct pgl_store *s, struct pgl_arena *a, struct pgl_err *err,
    const char *sql, row_fill_fn fill, size_t size, void **items, size_t *n,
    const char *fmt, ...)
{
	struct reader	rd = { { s, a, NULL, 0, 0, 0 }, fill, size, NULL,
			    0, 0, 1 };
	va_list		ap;
	int		rc;

	va_start(ap, fmt);
	rc = store_runv(s, err, sql, &rd, NULL, fmt, ap);
	va_end(ap);
	*items = rc == PGL_OK ? rd.items : NULL;
	*n = rc == PGL_OK ? rd.n : 0;
	return (rc);
}

int
store_write(struct pgl_store *s, struct pgl_err *err, const char *sql,
    uint64_t *changes, int64_t expect, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	va_start(ap, fmt);
	if (store_defers(s)) {
		rc = pg_defer_send(s, sql, expect, fmt, ap, err);
		if (rc == PGL_OK && changes != NULL)
			*changes = expect < 0 ? 0 : (uint64_t)expect;
	} else
		rc = store_runv(s, err, sql, NULL, changes, fmt, ap);
	va_end(ap);
	return (rc);
}

int
store_defers(const struct pgl_store *s)
{
	return (s->in_tx && s->defer);
}

struct sql_fork_memo *
store_fork_memo(struct pgl_store *s)
{
	return (&s->fork_memo);
}

static void
count_fill(struct row *r, void *out)
{
	*(uint64_t *)out = (uint64_t)row_int(r);
}

int
store_count(struct pgl_store *s, struct pgl_err *err, const char *sql,
    uint64_t *n, const char *fmt, ...)
{
	struct reader	rd = { { s, NULL, NULL, 0, 0, 0 }, count_fill,
			    sizeof(*n), n, 0, 1, 0 };
	va_list		ap;
	int		rc;

	*n = 0;
	va_start(ap, fmt);
	rc = store_runv(s, err, sql, &rd, NULL, fmt, ap);
	va_end(ap);
	return (rc);
}

const char *
row_text(struct row *r)
{
	char	*p;
	int	 i = r->col++;

	if (PQgetisnull(r->res, r->row, i))
		return (NULL);
	p = r->s->host->arena_strndup(r->a, PQgetvalue(r->res, r->row, i),
	    (size_t)PQgetlength(r->res, r->row, i));
	if (p == NULL)
		r->oom = 1;
	return (p);
}

int64_t
row_int(struct row *r)
{
	int	i = r->col++;

	if (PQgetisnull(r->res, r->row, i))
		return (0);
	return (strtoll(PQgetvalue(r->res, r->row, i), NULL, 10));
}
