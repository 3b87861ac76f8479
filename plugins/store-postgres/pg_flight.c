/*
 * A COMMIT answered later (store ABI 1.25, commit_send and commit_poll).
 *
 * A commit group's transaction ends in one or two round trips
 * (pg_defer.c): the answers of its writes whose count of rows is checked
 * here, then the COMMIT and the tenant's unlock.  Waited for on the
 * host's event loop, those are the server running every write of the
 * group: milliseconds in which that loop could take in, compute and
 * write the next group.  commit_send sends what is to be answered and
 * returns the socket; the host watches it, and commit_poll takes in what
 * has come without waiting.  Once a stage's answers are all in (its
 * pipeline's sync), the code a waited commit reads them with reads them
 * from the flight's list instead (pg_result); a settle's answers in, the
 * COMMIT goes out as the next stage.
 *
 * The connection is one conversation: any other call on the handle while
 * a COMMIT is in flight waits for its answers first (pg_ready, through
 * the flight's land), and keeps the outcome for commit_poll (pg_store.c).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "pg_store.h"

/* Answers read ahead and not used (a stage that ended early). */
static void
forget(struct pg_flight *f)
{
	for (; f->next < f->ngot; f->next++)
		PQclear(f->got[f->next]);
	f->ngot = f->next = 0;
}

/*
 * What the socket has, without waiting: 1 once the stage's answers are
 * all in (its sync), or the connection is gone (the reader finds it so),
 * or the list is full (the reader waits for the rest); 0 not yet.
 */
static int
take_in(struct pgl_store *s)
{
	struct pg_flight	*f = &s->flight;
	PGresult		*r;

	if (PQconsumeInput(s->conn) != 1)
		return (1);
	while (f->ngot < FLIGHT_ANSWERS && !PQisBusy(s->conn)) {
		r = PQgetResult(s->conn);
		f->got[f->ngot++] = r;
		if (r != NULL && PQresultStatus(r) == PGRES_PIPELINE_SYNC)
			return (1);
	}
	return (f->ngot == FLIGHT_ANSWERS);
}

static void
wait_readable(struct pgl_store *s)
{
	struct pollfd	p;

	memset(&p, 0, sizeof(p));
	p.fd = PQsocket(s->conn);
	p.events = POLLIN;
	if (p.fd < 0)
		return;
	while (poll(&p, 1, -1) == -1 && errno == EINTR)
		;
}

/* The flight is over: its outcome, the unlock's too (*also_done). */
static int
over(struct pgl_store *s, int rc, int also_done, int *done, int *also)
{
	forget(&s->flight);
	s->flight.stage = FLIGHT_NONE;
	*done = 1;
	*also = also_done;
	return (rc);
}

/*
 * A stage's answers are in: read them.  *done 0: the COMMIT went out as
 * the next stage.  The stage is FLIGHT_NONE while they are read: a
 * ROLLBACK after a failed write is a call of its own (pg_ready).
 */
static int
advance(struct pgl_store *s, int *done, int *also, struct pgl_err *err)
{
	struct pg_flight	*f = &s->flight;
	enum pg_flight_stage	 stage = f->stage;
	int			 rc, also_done;

	f->stage = FLIGHT_NONE;
	if (stage == FLIGHT_SETTLE) {
		rc = pg_defer_settle_read(s, err);
		forget(f);
		/* Lost there, the COMMIT never went out: not "unknown". */
		if (rc != PGL_OK && s->defer_err.code == PGL_OK)
			return (over(s, rc, 0, done, also));
		if ((rc = pg_defer_commit_send(s, f->also, &f->n, err)) !=
		    PGL_OK)
			return (over(s, rc, 0, done, also));
		f->stage = FLIGHT_COMMIT;
		*done = 0;
		return (PGL_OK);
	}
	rc = pg_defer_commit_read(s, f->n, f->also, &also_done, err);
	return (over(s, rc, also_done, done, also));
}

int
pg_flight_send(struct pgl_store *s, const char *also, struct pgl_err *err)
{
	struct pg_flight	*f = &s->flight;
	int			 rc;

	f->also = also;
	f->ngot = f->next = 0;
	if (pg_defer_must_settle(s)) {
		if ((rc = pg_defer_settle_send(s, err)) != PGL_OK)
			return (rc);
		f->stage = FLIGHT_SETTLE;
		return (PGL_OK);
	}
	if ((rc = pg_defer_commit_send(s, also, &f->n, err)) != PGL_OK)
		return (rc);
	f->stage = FLIGHT_COMMIT;
	return (PGL_OK);
}

int
pg_flight_poll(struct pgl_store *s, int wait, int *done, int *also,
    struct pgl_err *err)
{
	int	rc;

	*done = 0;
	*also = 0;
	for (;;) {
		if (!take_in(s)) {
			if (!wait)
				return (PGL_OK);
			wait_readable(s);
			continue;
		}
		rc = advance(s, done, also, err);
		if (*done)
			return (rc);
	}
}
