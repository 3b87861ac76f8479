/*
 * Configuration changes between servers on one database (store.h, ABI
 * 1.4): NOTIFY in the changing transaction, LISTEN on every connection.
 * PostgreSQL delivers a notification only if the transaction commits,
 * and to every listening session of the database, so the payload names
 * the schema: servers on other schemas of the same database ignore it.
 * The LISTEN is made on every (re)connect (pg_conn.c).
 */
#include <string.h>

#include "pg_store.h"

int
postgres_announce_change(struct pgl_store *s, struct pgl_err *err)
{
	PGresult	*res;
	int		 rc;

	if ((rc = pg_ready(s, err)) != PGL_OK ||
	    (s->in_tx && (rc = pg_defer_settle(s, err)) != PGL_OK))
		return (rc);
	res = PQexec(s->conn, "SELECT pg_notify('" PG_CHANNEL "', "
	    "current_schema())");
	rc = res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK ? PGL_OK :
	    store_pg_err(s, err, res);
	PQclear(res);
	return (rc);
}

/*
 * Reads what has arrived on the socket; never waits for more.  While a
 * COMMIT is in flight (pg_flight.c) the socket is not read here: what
 * came would be taken off it, and the host, which watches the socket for
 * the COMMIT's answers, would not see them come.  Notifications wait in
 * the socket (or in libpq, which keeps those it meets reading the
 * answers) for the next call, a few milliseconds later.
 */
int
postgres_changes_seen(struct pgl_store *s, int *seen, struct pgl_err *err)
{
	PGnotify	*n;
	int		 rc, self;

	if (s->flight.land != NULL) {
		*seen = 0;
		return (PGL_OK);
	}
	if ((rc = pg_ready(s, err)) != PGL_OK)
		return (rc);
	if (!PQconsumeInput(s->conn)) {
		pg_lost(s);
		return (store_err(err, PGL_EUNAVAIL, STORE_NAME ": %s",
		    PQerrorMessage(s->conn)));
	}
	self = PQbackendPID(s->conn);
	while ((n = PQnotifies(s->conn)) != NULL) {
		if (strcmp(n->relname, PG_CHANNEL) == 0 && n->be_pid != self &&
		    strcmp(n->extra, s->schema) == 0)
			s->changed = 1;
		PQfreemem(n);
	}
	*seen = s->changed;
	s->changed = 0;
	return (PGL_OK);
}
