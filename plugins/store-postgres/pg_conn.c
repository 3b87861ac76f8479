/*
 * The handle's one connection: opening it, noticing it is gone, and
 * opening it again on the next call, so a worker outlives a database
 * restart without being restarted itself.
 *
 * A call that finds the connection broken fails with PGL_EUNAVAIL (the
 * host answers 503) and the next call reconnects with PQreset.  A broken
 * connection inside a transaction lost that transaction on the server, so
 * every call until the host's rollback (or commit) fails too, instead of
 * quietly reconnecting and running the rest of the "transaction" as
 * separate autocommitted statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

/*
 * jit off: PostgreSQL compiles a plan whose estimated cost passes
 * jit_above_cost (100,000), and a search's visibility and tag clauses
 * (subplans over JSON arrays it guesses at 100 elements each) pass it at
 * a million assets: a tag's count compiled for 610 ms to run for 80
 * (issue 69).  A catalog's statements are short; none gains from it.
 */
static const char SESSION_SETUP[] =
	"SELECT set_config('search_path', quote_ident($1), false),"
	" set_config('jit', 'off', false),"
	" set_config('default_transaction_isolation', 'read committed',"
	" false),"
	" set_config('statement_timeout', $2, false),"
	" set_config('lock_timeout', $3, false),"
	" set_config('idle_in_transaction_session_timeout', $4, false)";

/* state begins with want (a class like "08", or a whole code). */
int
pg_sqlstate_is(const char *state, const char *want)
{
	return (state != NULL && strncmp(state, want, strlen(want)) == 0);
}

/*
 * Class 08 and the shutdown codes: the connection is gone or going.  Not
 * 08P01, a protocol violation (a parameter count that disagrees with the
 * SQL, say): that is a bug here, and reconnecting would hide it.
 */
static int
connection_gone(const char *state)
{
	if (pg_sqlstate_is(state, "08P01"))
		return (0);
	return (pg_sqlstate_is(state, "08") || pg_sqlstate_is(state, "57P01") ||
	    pg_sqlstate_is(state, "57P02") || pg_sqlstate_is(state, "57P03"));
}

/*
 * Maps a failed libpq call to a store status.  Foreign key failures say
 * "a referenced row is missing"; the callers whose FK failure means
 * something else (deleting a warehouse in use) translate it themselves.
 * A serialization failure or deadlock is a lost race between
 * transactions (PGL_ERETRY): nothing of the loser stays, and the host
 * runs it again.  It is not PGL_ECONFLICT (a swap whose expected value
 * no longer holds) nor PGL_EEXISTS: the host answers those to clients as
 * CommitFailed and AlreadyExists, which a lost race is not.
 */
int
store_pg_err(struct pgl_store *s, struct pgl_err *err, const PGresult *res)
{
	const char	*state = NULL, *msg = NULL, *detail = NULL;

	if (res != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	}
	if (msg == NULL)
		msg = s->conn != NULL ? PQerrorMessage(s->conn) : "no connection";
	if (detail == NULL)
		detail = msg;
	if (s->conn == NULL || PQstatus(s->conn) == CONNECTION_BAD ||
	    res == NULL || connection_gone(state)) {
		pg_lost(s);
		return (store_err(err, PGL_EUNAVAIL,
		    STORE_NAME ": connection lost: %s", msg));
	}
	if (pg_sqlstate_is(state, "23505"))
		return (store_err(err, PGL_EEXISTS, "already exists (%s)",
		    detail));
	if (pg_sqlstate_is(state, "23503"))
		return (store_err(err, PGL_ENOTFOUND,
		    "a referenced row does not exist (%s)", detail));
	if (pg_sqlstate_is(state, "23502") || pg_sqlstate_is(state, "23514") ||
	    pg_sqlstate_is(state, "22"))
		return (store_err(err, PGL_EINVAL, "invalid value (%s)", msg));
	if (pg_sqlstate_is(state, "40001") || pg_sqlstate_is(state, "40P01"))
		return (store_err(err, PGL_ERETRY, STORE_NAME
		    ": concurrent change, retry (%s)", msg));
	if (pg_sqlstate_is(state, "53200"))
		return (store_err(err, PGL_ENOMEM, STORE_NAME ": %s", msg));
	if (pg_sqlstate_is(state, "53") || pg_sqlstate_is(state, "55P03") ||
	    pg_sqlstate_is(state, "57014"))
		return (store_err(err, PGL_EUNAVAIL, STORE_NAME ": %s", msg));
	return (store_err(err, PGL_EINTERNAL, STORE_NAME ": %s (SQLSTATE %s)",
	    msg, state != NULL ? state : "none"));
}

/* Every (re)connect; a reconnected handle may have missed a change. */
static int
pg_listen(struct pgl_store *s, struct pgl_err *err)
{
	if (s->gen > 1)
		s->changed = 1;
	if (s->assets != NULL)
		return (pg_simple(s, "LISTEN " PG_CHANNEL "; LISTEN "
		    PG_ASSET_CHANNEL, "LISTEN", err));
	return (pg_simple(s, "LISTEN " PG_CHANNEL, "LISTEN", err));
}

/*
 * The session's schema, and the level of statements run outside begin():
 * READ COMMITTED whatever the server's default, since each is one
 * statement that needs no more, and a stronger default would only add
 * spurious serialization failures (see pg_store.c).  Then the bounds on
 * how long a call may wait (pg_options.c).  Set again after every
 * (re)connect, with the LISTEN for other servers' changes.
 */
static int
session_setup(struct pgl_store *s, struct pgl_err *err)
{
	const char	*values[4] = { s->schema, s->statement_ms, s->lock_ms,
			    s->idle_tx_ms };
	PGresult	*res;
	int		 rc = PGL_OK;

	res = PQexecParams(s->conn, SESSION_SETUP, 4, NULL, values, NULL,
	    NULL, 0);
	if (res == NULL || PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = store_pg_err(s, err, res);
	PQclear(res);
	if (rc == PGL_OK)
		rc = pg_listen(s, err);
	return (rc);
}

/*
 * Server notices ("relation already exists, skipping", ...) would go to
 * stderr by default, unformatted; they are debug detail for the host log.
 * The hook belongs to the PGconn, so it survives PQreset.
 */
static void
notice(void *arg, const char *msg)
{
	struct pgl_store	*s = arg;
	struct pgl_err		 e;

	(void)store_err(&e, PGL_OK, STORE_NAME ": %s", msg);
	s->host->log(PGL_LOG_DEBUG, "%s", e.msg);
}

static int
connect_failed(struct pgl_store *s, struct pgl_err *err)
{
	int	rc;

	rc = store_err(err, PGL_EUNAVAIL, STORE_NAME ": %s",
	    PQerrorMessage(s->conn));
	PQfinish(s->conn);
	s->conn = NULL;
	return (rc);
}

int
pg_connect(struct pgl_store *s, struct pgl_err *err)
{
	s->conn = PQconnectdbParams(s->ci.keys,
	    (const char *const *)s->ci.values, s->ci.expand);
	if (s->conn == NULL)
		return (store_err(err, PGL_ENOMEM,
		    STORE_NAME ": out of memory"));
	if (PQstatus(s->conn) != CONNECTION_OK)
		return (connect_failed(s, err));
	(void)PQsetNoticeProcessor(s->conn, notice, s);
	s->gen++;
	s->reset = 0;
	return (session_setup(s, err));
}

/*
 * PQreset reconnects with the same parameters.  The pipeline state goes
 * with the old connection; if libpq ever kept it, a fresh connection is
 * the safe way out.
 */
static int
reconnect(struct pgl_store *s, struct pgl_err *err)
{
	if (s->conn == NULL)
		return (pg_connect(s, err));
	PQreset(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK)
		return (store_err(err, PGL_EUNAVAIL, STORE_NAME ": %s",
		    PQerrorMessage(s->conn)));
	if (PQpipelineStatus(s->conn) != PQ_PIPELINE_OFF) {
		PQfinish(s->conn);
		s->conn = NULL;
		return (pg_connect(s, err));
	}
	s->gen++;
	s->reset = 0;
	s->host->log(PGL_LOG_INFO, STORE_NAME ": reconnected to the database");
	return (session_setup(s, err));
}

/* Every call starts here. */
int
pg_ready(struct pgl_store *s, struct pgl_err *err)
{
	if (s->flight.land != NULL)	/* a COMMIT in flight: answers first */
		s->flight.land(s);
	if (s->tx_lost)
		return (store_err(err, PGL_EUNAVAIL, STORE_NAME ": the "
		    "connection was lost inside a transaction; roll it back"));
	if (s->conn != NULL && !s->reset &&
	    PQstatus(s->conn) == CONNECTION_OK)
		return (PGL_OK);
	if (s->in_tx) {
		pg_lost(s);
		return (pg_ready(s, err));
	}
	return (reconnect(s, err));
}

/* The connection broke (or must be rebuilt): reconnect on the next call. */
void
pg_lost(struct pgl_store *s)
{
	struct pgl_err	e;

	if (!s->reset) {
		(void)store_err(&e, PGL_EUNAVAIL, STORE_NAME
		    ": connection lost: %s", s->conn != NULL ?
		    PQerrorMessage(s->conn) : "closed");
		s->host->log(PGL_LOG_WARN, "%s", e.msg);
	}
	s->reset = 1;
	s->ndeferred = 0;	/* the pipeline went with the connection */
	if (s->in_tx) {
		s->in_tx = 0;
		s->tx_lost = 1;
	}
}

/*
 * A fixed statement through the simple protocol (BEGIN, COMMIT, ...).
 * tag, when given, is the command tag success must carry: COMMIT of a
 * transaction that had failed answers "ROLLBACK", not an error.
 */
int
pg_simple(struct pgl_store *s, const char *sql, const char *tag,
    struct pgl_err *err)
{
	PGresult	*res;
	int		 rc = PGL_OK;

	res = PQexec(s->conn, sql);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = store_pg_err(s, err, res);
	else if (tag != NULL && strcmp(PQcmdStatus(res), tag) != 0)
		rc = store_err(err, PGL_EINTERNAL, STORE_NAME ": %s answered "
		    "%s", sql, PQcmdStatus(res));
	PQclear(res);
	return (rc);
}
