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
#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_store.h"

/* Type OIDs from catalog/pg_type_d.h, which is a server header. */
#define INT8OID		20
#define INT4OID		23
#define TEXTOID		25

static const char SP_SET[] = "SAVEPOINT pgl_stmt";
static const char SP_RELEASE[] = "RELEASE SAVEPOINT pgl_stmt";
static const char SP_UNDO[] =
	"ROLLBACK TO SAVEPOINT pgl_stmt; RELEASE SAVEPOINT pgl_stmt";

/* Bound parameters; ints go in binary (network order), text as text. */
struct params {
	int		 n;
	Oid		 types[MAX_PARAMS];
	const char	*values[MAX_PARAMS];
	int		 lengths[MAX_PARAMS];
	int		 formats[MAX_PARAMS];
	uint64_t	 i8[MAX_PARAMS];
	uint32_t	 i4[MAX_PARAMS];
};

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

static struct stmt_slot *
slot_find(struct pgl_store *s, const char *sql, size_t *index)
{
	size_t	i, n;

	i = ((uintptr_t)sql >> 4) & (STMT_SLOTS - 1);
	for (n = 0; n < STMT_SLOTS; n++) {
		if (s->stmts[i].sql == sql || s->stmts[i].sql == NULL) {
			s->stmts[i].sql = sql;
			*index = i;
			return (&s->stmts[i]);
		}
		i = (i + 1) & (STMT_SLOTS - 1);
	}
	return (NULL);
}

/*
 * SQLite numbers a parameter ?N, PostgreSQL $N; the texts shared with the
 * SQLite store use the first, so the sigil is swapped once, when a text
 * first takes its slot.  Quoted literals and identifiers are copied as
 * they are, and a text already written with $N passes unchanged.
 */
static char *
pg_text(const char *sql)
{
	char	*out, *w, quote = 0;

	if ((out = malloc(strlen(sql) + 1)) == NULL)
		return (NULL);
	for (w = out; *sql != '\0'; sql++, w++) {
		*w = *sql;
		if (quote != 0) {
			if (*sql == quote)
				quote = 0;
		} else if (*sql == '\'' || *sql == '"')
			quote = *sql;
		else if (*sql == '?' && sql[1] >= '0' && sql[1] <= '9')
			*w = '$';
	}
	*w = '\0';
	return (out);
}

void
store_finalize(struct pgl_store *s)
{
	size_t	i;

	for (i = 0; i < STMT_SLOTS; i++) {
		free(s->stmts[i].text);
		s->stmts[i].text = NULL;
		s->stmts[i].sql = NULL;
		s->stmts[i].gen = 0;
	}
}

static void
bind_int8(struct params *p, int64_t v)
{
	p->i8[p->n] = htobe64((uint64_t)v);
	p->types[p->n] = INT8OID;
	p->values[p->n] = (const char *)&p->i8[p->n];
	p->lengths[p->n] = 8;
	p->formats[p->n++] = 1;
}

static void
bind_int4(struct params *p, int v)
{
	p->i4[p->n] = htobe32((uint32_t)v);
	p->types[p->n] = INT4OID;
	p->values[p->n] = (const char *)&p->i4[p->n];
	p->lengths[p->n] = 4;
	p->formats[p->n++] = 1;
}

/* NULL binds SQL NULL; LIMIT NULL is LIMIT ALL, so it also means "no
 * limit" for a page. */
static void
bind_text(struct params *p, Oid type, const char *v)
{
	p->types[p->n] = type;
	p->values[p->n] = v;
	p->lengths[p->n] = 0;
	p->formats[p->n++] = 0;
}

static void
bind_page(struct params *p, const struct pgl_page *pg)
{
	if (pg == NULL || pg->limit == 0)
		bind_text(p, INT8OID, NULL);
	else
		bind_int8(p, (int64_t)pg->limit);
	bind_int8(p, pg == NULL ? 0 : pg->offset > INT64_MAX ? INT64_MAX :
	    (int64_t)pg->offset);
}

static int
bind_args(struct params *p, const char *fmt, va_list ap, struct pgl_err *err)
{
	const char	*f;

	p->n = 0;
	for (f = fmt; *f != '\0'; f++) {
		if (p->n + (*f == 'p' ? 2 : 1) > MAX_PARAMS)
			return (store_err(err, PGL_EINTERNAL,
			    STORE_NAME ": too many parameters in \"%s\"", fmt));
		switch (*f) {
		case 's':
			bind_text(p, TEXTOID, va_arg(ap, const char *));
			break;
		case 'i':
			bind_int8(p, va_arg(ap, int64_t));
			break;
		case 'd':
			bind_int4(p, va_arg(ap, int));
			break;
		case 'p':
			bind_page(p, va_arg(ap, const struct pgl_page *));
			break;
		default:
			return (store_err(err, PGL_EINTERNAL,
			    STORE_NAME ": bad format \"%s\"", fmt));
		}
	}
	return (PGL_OK);
}

/* Outside a transaction: prepare once, then one round trip per call. */
static PGresult *
exec_plain(struct pgl_store *s, struct stmt_slot *slot, const char *name,
    const struct params *p)
{
	PGresult	*res;

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
    const struct params *p)
{
	PGconn		*c = s->conn;
	PGresult	*res;
	int		 prep = slot->gen != s->gen, ok;

	if (PQenterPipelineMode(c) != 1)
		return (NULL);
	ok = PQsendQueryParams(c, SP_SET, 0, NULL, NULL, NULL, NULL, 0);
	if (ok && prep)
		ok = PQsendPrepare(c, name, slot->text, p->n, p->types);
	if (ok)
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
    const struct params *p)
{
	PGresult	*res;
	char		 name[16];
	int		 attempt;

	(void)snprintf(name, sizeof(name), "pgl_%zu", index);
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
	struct params		 p;
	PGresult		*res;
	size_t			 index;
	int			 status;

	if ((status = bind_args(&p, fmt, ap, err)) != PGL_OK)
		return (status);
	if ((status = pg_ready(s, err)) != PGL_OK)
		return (status);
	if ((slot = slot_find(s, sql, &index)) == NULL)
		return (store_err(err, PGL_EINTERNAL,
		    STORE_NAME ": statement cache full, raise STMT_SLOTS"));
	if (slot->text == NULL && (slot->text = pg_text(sql)) == NULL)
		return (store_err(err, PGL_ENOMEM,
		    STORE_NAME ": out of memory"));
	res = execute(s, slot, index, &p);
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
