/*
 * Changes between servers on one database, as notifications.
 *
 * Configuration (store.h, ABI 1.4): NOTIFY in the changing transaction,
 * LISTEN on every connection.  PostgreSQL delivers a notification only if
 * the transaction commits, and to every listening session of the
 * database, so the payload names the schema: servers on other schemas of
 * the same database ignore it.  The LISTEN is made on every (re)connect
 * (pg_conn.c).
 *
 * Notifications are taken in by pg_notes.c, with the asset notes (issue
 * 69) that come on the same connection.
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
 * While a COMMIT is in flight (pg_flight.c) the socket is not read here:
 * what came would be taken off it, and the host, which watches the
 * socket for the COMMIT's answers, would not see them come.
 * Notifications wait in the socket (or in libpq, which keeps those it
 * meets reading the answers) for the next call, a few milliseconds later.
 */
int
postgres_changes_seen(struct pgl_store *s, int *seen, struct pgl_err *err)
{
	int	rc;

	if (s->flight.land != NULL) {
		*seen = 0;
		return (PGL_OK);
	}
	if ((rc = pg_ready(s, err)) != PGL_OK ||
	    (rc = pg_take_notes(s, err)) != PGL_OK)
		return (rc);
	*seen = s->changed;
	s->changed = 0;
	return (PGL_OK);
}
