/*
 * Writes sent ahead (store ABI 1.24, defer_writes).
 *
 * A commit group's transaction writes, for each commit, a pointer swap,
 * a catalog commit, an event and an audit record, and then the branch's
 * head: each a round trip to the server, waited for on the committing
 * worker's loop, and each answer is only "it took".  In a transaction
 * that defers writes, such a write goes into the connection's pipeline
 * and answers at once; the next statement that needs an answer (a read,
 * or the COMMIT) first reads all of theirs, in one round trip.
 *
 * Deferred writes run without the savepoint an awaited statement has
 * (pg_query.c): a failure is not an answer the caller can act on inside
 * the transaction, it ends it.  The first failure (an error, or a count
 * of rows other than the one the write expected: a compare-and-swap that
 * matched nothing) is kept, every later call of the transaction answers
 * it, and the commit rolls back.  The host then runs the work again
 * without deferring, where each write answers for itself.
 */
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

int
postgres_defer_writes(struct pgl_store *s, struct pgl_err *err)
{
	if (!s->in_tx)
		return (store_err(err, PGL_EINVAL, STORE_NAME ": defer_writes "
		    "outside a transaction"));
	s->defer = 1;
	return (PGL_OK);
}

/* The transaction's kept failure, answered again. */
static int
failed(struct pgl_store *s, struct pgl_err *err)
{
	if (err != NULL)
		*err = s->defer_err;
	return (s->defer_err.code);
}

/* The pipeline cannot be used any more: the connection goes. */
static int
broken(struct pgl_store *s, struct pgl_err *err)
{
	(void)store_err(err, PGL_EUNAVAIL, STORE_NAME ": connection lost: %s",
	    PQerrorMessage(s->conn));
	s->ndeferred = 0;
	pg_lost(s);
	return (PGL_EUNAVAIL);
}

int
pg_defer_send(struct pgl_store *s, const char *sql, int64_t expect,
    const char *fmt, va_list ap, struct pgl_err *err)
{
	struct pg_params	 p;
	struct stmt_slot	*slot;
	char			 name[PG_STMT_NAME];
	size_t			 index;
	int			 rc, ok = 1;

	if (s->defer_err.code != PGL_OK)
		return (failed(s, err));
	/* Room for a prepare and the write. */
	if (s->ndeferred + 2 > DEFER_MAX &&
	    (rc = pg_defer_settle(s, err)) != PGL_OK)
		return (rc);
	if ((rc = pg_bind(&p, fmt, ap, err)) != PGL_OK ||
	    (rc = pg_ready(s, err)) != PGL_OK)
		return (rc);
	if ((slot = pg_slot(s, sql, &index, err)) == NULL)
		return (err->code);
	if (s->ndeferred == 0 && PQenterPipelineMode(s->conn) != 1)
		return (broken(s, err));
	pg_stmt_name(name, index);
	/* Prepared from now on: a second use before the answers must not
	 * prepare it again (a failed prepare fails the transaction). */
	if (slot->gen != s->gen) {
		ok = PQsendPrepare(s->conn, name, slot->text, p.n, p.types);
		s->deferred[s->ndeferred++] = (struct pg_deferred){ slot, 1,
		    -1 };
		slot->gen = s->gen;
	}
	if (ok) {
		ok = PQsendQueryPrepared(s->conn, name, p.n, p.values,
		    p.lengths, p.formats, 0);
		s->deferred[s->ndeferred++] = (struct pg_deferred){ slot, 0,
		    expect };
	}
	return (ok ? PGL_OK : broken(s, err));
}

/* The next answer: one a COMMIT in flight read ahead first (pg_flight.c). */
PGresult *
pg_result(struct pgl_store *s)
{
	struct pg_flight	*f = &s->flight;

	if (f->next < f->ngot)
		return (f->got[f->next++]);
	return (PQgetResult(s->conn));
}

/* One command's answer: the first failure goes into rc and err. */
static void
judge(struct pgl_store *s, const struct pg_deferred *d, const PGresult *r,
    int *rc, struct pgl_err *err)
{
	uint64_t	n;
	int		st = PQresultStatus(r);

	/* A prepare that did not run (a write before it failed, which
	 * aborts the rest of the pipeline) is made again on next use. */
	if (d->prepare && st != PGRES_COMMAND_OK)
		d->slot->gen = 0;
	if (st == PGRES_PIPELINE_ABORTED || *rc != PGL_OK)
		return;
	if (st == PGRES_FATAL_ERROR) {
		/* A statement dropped behind our back (26000, a pooler):
		 * prepared again on its next use. */
		if (pg_sqlstate_is(PQresultErrorField(r, PG_DIAG_SQLSTATE),
		    "26000"))
			d->slot->gen = 0;
		*rc = store_pg_err(s, err, r);
		return;
	}
	if (d->prepare || d->expect < 0)
		return;
	n = strtoull(PQcmdTuples((PGresult *)r), NULL, 10);
	if (n != (uint64_t)d->expect)
		*rc = store_err(err, PGL_ECONFLICT, STORE_NAME ": a write sent "
		    "ahead changed %llu rows, not %lld: the transaction is "
		    "rolled back", (unsigned long long)n,
		    (long long)d->expect);
}

/*
 * The answers of the n writes sent ahead, after the pipeline's sync:
 * the first failure into *rc.  -1 when the connection went meanwhile.
 */
static int
answers(struct pgl_store *s, size_t n, int *rc, struct pgl_err *err)
{
	PGresult	*r;
	size_t		 i;

	for (i = 0; i < n; i++) {
		while ((r = pg_result(s)) != NULL) {
			judge(s, &s->deferred[i], r, rc, err);
			PQclear(r);
		}
		if (PQstatus(s->conn) == CONNECTION_BAD)
			return (-1);
	}
	return (0);
}

int
pg_defer_settle_send(struct pgl_store *s, struct pgl_err *err)
{
	if (s->defer_err.code != PGL_OK)
		return (failed(s, err));
	if (s->ndeferred == 0)
		return (PGL_OK);
	s->round_trips++;
	if (PQpipelineSync(s->conn) != 1)
		return (broken(s, err));
	return (PGL_OK);
}

int
pg_defer_settle_read(struct pgl_store *s, struct pgl_err *err)
{
	PGresult	*r;
	int		 rc = PGL_OK;

	if (s->ndeferred == 0)
		return (PGL_OK);
	if (answers(s, s->ndeferred, &rc, err) == -1)
		return (broken(s, err));
	if ((r = pg_result(s)) != NULL)	/* PGRES_PIPELINE_SYNC */
		PQclear(r);
	s->ndeferred = 0;
	if (PQexitPipelineMode(s->conn) != 1)
		return (broken(s, err));
	if (rc != PGL_OK)
		s->defer_err = *err;
	return (rc);
}

int
pg_defer_settle(struct pgl_store *s, struct pgl_err *err)
{
	int	rc;

	if ((rc = pg_defer_settle_send(s, err)) != PGL_OK)
		return (rc);
	return (pg_defer_settle_read(s, err));
}

/* Once the COMMIT may have gone out, a lost connection hides whether it
 * took. */
static int
lost_in_commit(struct pgl_store *s, struct pgl_err *err)
{
	s->ndeferred = 0;
	pg_lost(s);
	return (store_err(err, PGL_EUNAVAIL, STORE_NAME ": connection lost "
	    "during COMMIT; the outcome is unknown"));
}

/* The COMMIT's own answer, as pg_simple reads it ("ROLLBACK": an error). */
static int
commit_answer(struct pgl_store *s, const PGresult *r, struct pgl_err *err)
{
	switch (PQresultStatus(r)) {
	case PGRES_COMMAND_OK:
		if (strcmp(PQcmdStatus((PGresult *)r), "COMMIT") == 0)
			return (PGL_OK);
		return (store_err(err, PGL_EINTERNAL, STORE_NAME ": COMMIT "
		    "answered %s", PQcmdStatus((PGresult *)r)));
	case PGRES_PIPELINE_ABORTED:	/* a write before it failed */
		return (PGL_OK);
	default:
		return (store_pg_err(s, err, r));
	}
}

/*
 * A count of rows is checked here, not by the server, which would commit
 * after a swap that matched nothing: such writes are answered before the
 * COMMIT goes out.  Only writes whose answer is an error or none (an
 * audit record's) go in the COMMIT's pipeline.
 */
int
pg_defer_must_settle(const struct pgl_store *s)
{
	size_t	i;

	for (i = 0; i < s->ndeferred; i++) {
		if (!s->deferred[i].prepare && s->deferred[i].expect >= 0)
			return (1);
	}
	return (0);
}

/* A write failed: the COMMIT never ran, the transaction is open and
 * aborted. */
static int
undo(struct pgl_store *s, int rc)
{
	struct pgl_err	ignored;

	s->in_tx = 0;
	if (!s->reset)
		(void)pg_simple(s, "ROLLBACK", NULL, &ignored);
	return (rc);
}

int
pg_defer_commit_send(struct pgl_store *s, const char *also, size_t *n,
    struct pgl_err *err)
{
	int	ok;

	*n = s->ndeferred;
	if (s->defer_err.code != PGL_OK)
		return (undo(s, failed(s, err)));
	if (*n == 0 && PQenterPipelineMode(s->conn) != 1)
		return (broken(s, err));	/* nothing went out */
	s->round_trips++;
	s->ndeferred = 0;
	s->in_tx = 0;		/* over, whatever the answers */
	ok = PQsendQueryParams(s->conn, "COMMIT", 0, NULL, NULL, NULL, NULL,
	    0);
	if (ok && also != NULL)
		ok = PQsendQueryParams(s->conn, also, 0, NULL, NULL, NULL,
		    NULL, 0);
	if (!ok || PQpipelineSync(s->conn) != 1)
		return (lost_in_commit(s, err));
	return (PGL_OK);
}

int
pg_defer_commit_read(struct pgl_store *s, size_t n, const char *also,
    int *also_done, struct pgl_err *err)
{
	PGresult	*r;
	int		 rc = PGL_OK, crc = PGL_OK;

	*also_done = 0;
	if (answers(s, n, &rc, err) == -1)
		return (lost_in_commit(s, err));
	while ((r = pg_result(s)) != NULL) {
		if (rc == PGL_OK && crc == PGL_OK)
			crc = commit_answer(s, r, err);
		PQclear(r);
	}
	if (PQstatus(s->conn) == CONNECTION_BAD)
		return (lost_in_commit(s, err));
	if (also != NULL) {
		while ((r = pg_result(s)) != NULL) {
			*also_done |= PQresultStatus(r) == PGRES_TUPLES_OK ||
			    PQresultStatus(r) == PGRES_COMMAND_OK;
			PQclear(r);
		}
		/* Lost after the COMMIT's answer: it took or not, as said,
		 * and the session's locks went with it. */
		if (PQstatus(s->conn) == CONNECTION_BAD) {
			pg_lost(s);
			*also_done = 1;
			return (rc != PGL_OK ? rc : crc);
		}
	}
	if ((r = pg_result(s)) != NULL)	/* PGRES_PIPELINE_SYNC */
		PQclear(r);
	if (PQexitPipelineMode(s->conn) != 1)
		s->reset = 1;
	return (rc == PGL_OK ? crc : undo(s, rc));
}

int
pg_defer_commit(struct pgl_store *s, const char *also, int *also_done,
    struct pgl_err *err)
{
	size_t	n;
	int	rc;

	*also_done = 0;
	/* Lost in the settle, the COMMIT never went out: say so, not
	 * "unknown". */
	if (pg_defer_must_settle(s) &&
	    (rc = pg_defer_settle(s, err)) != PGL_OK &&
	    s->defer_err.code == PGL_OK)
		return (rc);
	if ((rc = pg_defer_commit_send(s, also, &n, err)) != PGL_OK)
		return (rc);
	return (pg_defer_commit_read(s, n, also, also_done, err));
}

void
pg_defer_end(struct pgl_store *s)
{
	struct pgl_err	ignored;

	if (s->ndeferred > 0 && s->conn != NULL && !s->reset &&
	    PQstatus(s->conn) == CONNECTION_OK)
		(void)pg_defer_settle(s, &ignored);
	s->ndeferred = 0;
	s->defer = 0;
	memset(&s->defer_err, 0, sizeof(s->defer_err));
	memset(&s->fork_memo, 0, sizeof(s->fork_memo));
}
