/*
 * The PostgreSQL store: open/close, ping, transactions and the ops table.
 * Each Kore worker (and the task runner) opens its own handle, which is
 * one libpq connection; concurrency is between processes and replicas,
 * and the database arbitrates it.
 *
 * Isolation.  The SQLite store serializes writers (BEGIN IMMEDIATE), so a
 * host transaction there sees one state of the database and nobody
 * changes what it writes underneath it.  begin() here opens REPEATABLE
 * READ (snapshot isolation), which gives the host those same guarantees:
 *  - every read in the transaction sees one snapshot (a branch's head and
 *    the assets copied from it belong together);
 *  - a row that another transaction changed since the snapshot cannot be
 *    updated or deleted: the statement fails with SQLSTATE 40001, reported
 *    as PGL_ERETRY (ABI 1.14), and the host runs its transaction again;
 *  - a foreign-key cascade that would delete rows the snapshot does not
 *    show (a table created in a namespace being dropped) fails the same
 *    way, instead of deleting what the transaction never checked;
 *  - unique keys and foreign keys are checked against committed data, not
 *    the snapshot, and the swaps carry their condition in the UPDATE.
 * What SERIALIZABLE adds is protection against write skew (two
 * transactions each reading what the other writes, writing disjoint
 * rows); no host transaction depends on it, its invariants being keys,
 * foreign keys and swaps.  Its cost here is measured: its predicate locks
 * are per index page, the small hot tables (branches, commits) share
 * pages across tenants, and two or four processes creating tables in
 * *different* tenants saw 33-49% of their transactions fail with 40001.
 * The host retries those, a bounded number of times, and then answers
 * 503, so the stronger level would turn unrelated tenants' traffic into
 * retries and refusals.
 * Under REPEATABLE READ the same run sees no conflict; only writers of the
 * same row (the same branch head, the same table) conflict, as they must.
 *
 * Writers of one tenant one at a time (begin_tenant, ABI 1.22).  Under
 * snapshot isolation two transactions that overlap and both move the
 * tenant's branch head fail the later one (40001) after it waited for
 * the earlier one's row lock, and the host runs it again: measured, half
 * the commits of a 32-connection storm over 64 tables on two workers ran
 * their transaction twice.  begin_tenant first takes the tenant's event
 * lock (sql_dialect.h: the key every transaction that appends the
 * tenant's events takes before its commit) at session level, then
 * begins: the snapshot is taken after the wait, so it holds the earlier
 * writer's commit, and nothing is run again.  The lock goes when the
 * transaction ends (pg_advisory_unlock_all: the session holds no other),
 * or with the session if the connection is lost.  The wait is bounded by
 * the session's lock_timeout; another tenant's writers never wait.  The
 * host begins its commits', a merge task's and the task runner's
 * transactions so.  A management request's transaction begins with
 * begin (its handler may do slow work inside it) and takes the event
 * lock at its end; should it hold a row that a transaction holding the
 * lock from its start waits for, PostgreSQL fails one of them (40P01, a
 * lost race) and the host runs it again.
 *
 * A statement outside a transaction runs alone at READ COMMITTED (set
 * per session, pg_conn.c): each method is one statement (plus, for a
 * failed swap, a read that only picks the error), and PostgreSQL
 * re-checks a swap's WHERE against the newest row version after waiting
 * for a concurrent writer, so exactly one of several racing swaps
 * matches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

/* Handles open in this process, for max_connections.  The host closes
 * its start-up handle before forking, so children start from zero. */
static int	open_handles;

static void
postgres_close(struct pgl_store *s)
{
	if (s == NULL)
		return;
	if (s->flight.land != NULL)	/* its answers, before the connection */
		s->flight.land(s);
	if (s->conn != NULL)
		PQfinish(s->conn);	/* an open transaction rolls back */
	store_finalize(s);
	pg_assets_close(s);
	pg_conninfo_free(&s->ci);
	free(s->schema);
	free(s);
	open_handles--;
}

static int
check_host(const struct pgl_host *host, struct pgl_err *err)
{
	if (host == NULL || host->abi_major != PGL_HOST_ABI_MAJOR)
		return (store_err(err, PGL_EINVAL,
		    STORE_NAME ": host ABI major %d, expected %d",
		    host != NULL ? host->abi_major : -1, PGL_HOST_ABI_MAJOR));
	return (PGL_OK);
}

/*
 * Connecting and migrating here, not on first use, is what makes an
 * unreachable or unusable database a start-up failure (one line, exit 2)
 * rather than a stream of 503s.  min_connections 0 then lets the
 * connection go until the first call needs it.
 */
static int
postgres_open(const struct pgl_host *host, const struct pgl_kv *opts,
    size_t nopts, struct pgl_store **out, struct pgl_err *err)
{
	struct pg_options	 o;
	struct pgl_store	*s;
	int			 rc;

	*out = NULL;
	if ((rc = check_host(host, err)) != PGL_OK ||
	    (rc = pg_parse_options(opts, nopts, &o, err)) != PGL_OK)
		return (rc);
	if (open_handles >= o.max_connections)
		return (store_err(err, PGL_EUNAVAIL, STORE_NAME ": "
		    "max_connections (%d) reached in this process",
		    o.max_connections));
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (store_err(err, PGL_ENOMEM,
		    STORE_NAME ": out of memory"));
	s->host = host;
	open_handles++;
	if ((rc = pg_conninfo(s, &o, err)) == PGL_OK &&
	    (rc = pg_assets_open(s, o.asset_cache_bytes, err)) == PGL_OK &&
	    (rc = pg_connect(s, err)) == PGL_OK)
		rc = pg_migrate(s, err);
	if (rc != PGL_OK) {
		postgres_close(s);
		return (rc);
	}
	if (o.min_connections == 0) {
		PQfinish(s->conn);
		s->conn = NULL;
	}
	*out = s;
	return (PGL_OK);
}

static const char PING[] = "SELECT 1";

/* A real round trip: /health/ready must say "unready" while the server
 * is down, and reconnects (through pg_ready) once it is back. */
static int
postgres_ping(struct pgl_store *s, struct pgl_err *err)
{
	uint64_t	one;

	return (store_count(s, err, PING, &one, ""));
}

/* The event lock this session holds is not one to count on any more. */
static void
lock_forget(struct pgl_store *s)
{
	s->lock_tenant[0] = '\0';
	s->lock_in_tx = 0;
	s->lock_gen = 0;
}

/* The session (in_tx 0) or the transaction (1) holds tenant's lock. */
static void
lock_note(struct pgl_store *s, const char *tenant, int in_tx)
{
	size_t	n = strlen(tenant);

	lock_forget(s);
	if (n >= sizeof(s->lock_tenant))
		return;		/* not kept: the next event asks again */
	memcpy(s->lock_tenant, tenant, n + 1);
	s->lock_in_tx = in_tx;
	s->lock_gen = s->gen;
}

int
store_in_tx(const struct pgl_store *s)
{
	return (s->in_tx);
}

int
store_event_locked(const struct pgl_store *s, const char *tenant)
{
	return (s->in_tx && s->lock_tenant[0] != '\0' &&
	    s->lock_gen == s->gen && strcmp(s->lock_tenant, tenant) == 0 &&
	    (s->lock_in_tx || s->tenant_gen == s->gen));
}

void
store_event_lock_taken(struct pgl_store *s, const char *tenant)
{
	if (s->in_tx)
		lock_note(s, tenant, 1);
}

static int
postgres_begin(struct pgl_store *s, struct pgl_err *err)
{
	int	rc;

	if (s->in_tx || s->tx_lost)
		return (store_err(err, PGL_EINVAL,
		    STORE_NAME ": a transaction is already open (no nesting)"));
	if ((rc = pg_ready(s, err)) != PGL_OK)
		return (rc);
	if (s->tenant_gen == 0)		/* no begin_tenant before this */
		lock_forget(s);
	pg_defer_end(s);
	rc = pg_simple(s, "BEGIN ISOLATION LEVEL REPEATABLE READ", NULL, err);
	if (rc == PGL_OK)
		s->in_tx = 1;
	return (rc);
}

static void	tenant_unlock(struct pgl_store *);

static const char TENANT_LOCK[] =
	"SELECT pg_advisory_lock(" SQL_EVENT_LOCK_CLASS ", hashtext(?1))";
static const char TENANT_UNLOCK[] = "SELECT pg_advisory_unlock_all()";

static int
postgres_begin_tenant(struct pgl_store *s, const char *tenant,
    struct pgl_err *err)
{
	int	rc;

	if (s->in_tx || s->tx_lost)
		return (postgres_begin(s, err));	/* its refusal */
	if ((rc = store_exec(s, err, TENANT_LOCK, NULL, "s", tenant)) !=
	    PGL_OK)
		return (rc);
	s->tenant_gen = s->gen;
	lock_note(s, tenant, 0);
	if ((rc = postgres_begin(s, err)) != PGL_OK)
		tenant_unlock(s);
	return (rc);
}

/*
 * ABI 1.23: as begin_tenant, but when another session holds the tenant's
 * lock (its writer's transaction is under way on another worker), the
 * answer is PGL_EUNAVAIL at once instead of a wait on this worker's
 * loop for that whole transaction (pg_advisory_lock): the host swaps a
 * little later and serves its reads meanwhile.
 */
static const char TENANT_TRY_LOCK[] =
	"SELECT pg_try_advisory_lock(" SQL_EVENT_LOCK_CLASS ", hashtext(?1))"
	"::int";

static int
postgres_try_begin(struct pgl_store *s, const char *tenant,
    struct pgl_err *err)
{
	uint64_t	got = 0;
	int		rc;

	if (tenant == NULL || *tenant == '\0' || s->in_tx || s->tx_lost)
		return (postgres_begin(s, err));
	if ((rc = store_count(s, err, TENANT_TRY_LOCK, &got, "s", tenant)) !=
	    PGL_OK)
		return (rc);
	if (!got)
		return (store_err(err, PGL_EUNAVAIL, STORE_NAME ": another "
		    "session holds the tenant's writer lock"));
	s->tenant_gen = s->gen;
	lock_note(s, tenant, 0);
	if ((rc = postgres_begin(s, err)) != PGL_OK)
		tenant_unlock(s);
	return (rc);
}

/*
 * After the transaction: the tenant's lock back, if this session still
 * holds it (a lost connection took it with the session).  An unlock
 * that fails drops the session, so the lock cannot outlive this.
 */
static void
tenant_unlock(struct pgl_store *s)
{
	struct pgl_err	e;

	lock_forget(s);		/* the transaction's ended too */
	if (s->tenant_gen == 0)
		return;
	if (s->tenant_gen == s->gen && !s->reset && !s->tx_lost &&
	    s->conn != NULL && PQstatus(s->conn) == CONNECTION_OK &&
	    store_exec(s, &e, TENANT_UNLOCK, NULL, "") != PGL_OK)
		s->reset = 1;
	s->tenant_gen = 0;
}

/* The tenant's lock to give back behind the COMMIT, if this session
 * holds it. */
static const char *
commit_also(const struct pgl_store *s)
{
	return (s->tenant_gen != 0 && s->tenant_gen == s->gen && !s->reset ?
	    TENANT_UNLOCK : NULL);
}

/* After the COMMIT's pipeline, answered or lost: also_done, the unlock
 * behind it ran (or the session went, and its locks with it). */
static void
commit_over(struct pgl_store *s, int also_done)
{
	pg_defer_end(s);
	pg_assets_committed(s);
	s->tx_lost = 0;
	if (also_done) {
		lock_forget(s);
		s->tenant_gen = 0;
	} else
		tenant_unlock(s);
}

/*
 * The transaction is over whatever COMMIT answers.  A connection lost
 * during COMMIT leaves its outcome unknown, and the message says so; the
 * host reports 503 and has acknowledged nothing.
 */
static int
postgres_commit(struct pgl_store *s, struct pgl_err *err)
{
	const char	*also;
	int		 rc, unlocked;

	if (!s->in_tx) {
		if (!s->tx_lost)
			return (store_err(err, PGL_EINVAL,
			    STORE_NAME ": commit without a transaction"));
		s->tx_lost = 0;
		tenant_unlock(s);
		return (store_err(err, PGL_EUNAVAIL, STORE_NAME ": the "
		    "connection was lost inside the transaction; nothing "
		    "was committed"));
	}
	/*
	 * Writes sent ahead, or the tenant's lock to give back: the COMMIT
	 * goes in one pipeline after the first and before the unlock, one
	 * round trip for what took three (pg_defer.c).
	 */
	also = commit_also(s);
	if (s->ndeferred > 0 || s->defer_err.code != PGL_OK || also != NULL) {
		rc = pg_defer_commit(s, also, &unlocked, err);
		commit_over(s, unlocked);
		return (rc);
	}
	pg_defer_end(s);
	s->in_tx = 0;
	rc = pg_simple(s, "COMMIT", "COMMIT", err);
	pg_assets_committed(s);
	if (rc == PGL_EUNAVAIL)
		(void)store_err(err, rc, STORE_NAME ": connection lost during "
		    "COMMIT; the outcome is unknown");
	tenant_unlock(s);
	return (rc);
}

/*
 * ABI 1.25: the COMMIT answered later (pg_flight.c).  Only a transaction
 * with writes sent ahead goes so: their answers are what it waits for.
 */
static int	postgres_commit_poll(struct pgl_store *, int, int *,
		    struct pgl_err *);

/* Any other call meanwhile: the answers first, the outcome kept. */
static void
flight_land(struct pgl_store *s)
{
	struct pg_flight	*f = &s->flight;
	int			 fd;

	if (f->stage != FLIGHT_SETTLE && f->stage != FLIGHT_COMMIT)
		return;
	memset(&f->err, 0, sizeof(f->err));
	f->rc = postgres_commit_poll(s, 1, &fd, &f->err);
	f->stage = FLIGHT_LANDED;
}

static int
postgres_commit_send(struct pgl_store *s, int *fd, struct pgl_err *err)
{
	struct pg_flight	*f = &s->flight;
	const char		*also;
	int			 rc;

	*fd = -1;
	if (f->stage != FLIGHT_NONE)
		return (store_err(err, PGL_EINVAL, STORE_NAME ": a commit is "
		    "in flight already"));
	/* Nothing sent ahead to wait for, or a write failed: as commit. */
	if (!s->in_tx || s->ndeferred == 0 || s->defer_err.code != PGL_OK)
		return (postgres_commit(s, err));
	also = commit_also(s);
	if ((rc = pg_flight_send(s, also, err)) != PGL_OK) {
		commit_over(s, 0);
		return (rc);
	}
	f->land = flight_land;
	*fd = PQsocket(s->conn);
	return (PGL_OK);
}

static int
postgres_commit_poll(struct pgl_store *s, int wait, int *fd,
    struct pgl_err *err)
{
	struct pg_flight	*f = &s->flight;
	int			 rc, done, also_done;

	*fd = -1;
	if (f->stage == FLIGHT_LANDED) {
		f->stage = FLIGHT_NONE;
		if (err != NULL)
			*err = f->err;
		return (f->rc);
	}
	if (f->stage == FLIGHT_NONE)
		return (store_err(err, PGL_EINVAL, STORE_NAME ": no commit "
		    "in flight"));
	rc = pg_flight_poll(s, wait, &done, &also_done, err);
	if (!done) {
		*fd = PQsocket(s->conn);
		return (PGL_OK);
	}
	f->land = NULL;
	commit_over(s, also_done);
	return (rc);
}

/* Rolling back what the server already dropped (with the connection) is
 * not an error: the caller's cleanup path must always succeed. */
static int
postgres_rollback(struct pgl_store *s, struct pgl_err *err)
{
	int	rc;

	s->tx_lost = 0;
	pg_defer_end(s);
	if (!s->in_tx) {
		tenant_unlock(s);
		return (PGL_OK);
	}
	s->in_tx = 0;
	rc = pg_simple(s, "ROLLBACK", NULL, err);
	tenant_unlock(s);
	return (rc == PGL_EUNAVAIL ? PGL_OK : rc);
}

/*
 * A transaction whose connection was lost is still the host's until it
 * rolls it back: a method called inside it is part of it, and fails as
 * the lost connection does (503), never as a nested begin would (400).
 */
int
store_tx_own(struct pgl_store *s, int *owned, struct pgl_err *err)
{
	*owned = !s->in_tx && !s->tx_lost;
	if (s->tx_lost)
		return (pg_ready(s, err));
	return (*owned ? postgres_begin(s, err) : PGL_OK);
}

int
store_tx_done(struct pgl_store *s, int owned, int rc, struct pgl_err *err)
{
	struct pgl_err	rb;

	if (!owned)
		return (rc);
	if (rc != PGL_OK) {
		(void)postgres_rollback(s, &rb);
		return (rc);
	}
	return (postgres_commit(s, err));
}

/*
 * Counted in execute() (pg_query.c), where every method's statement is
 * sent: one per statement round trip.  Not counted: BEGIN, COMMIT and
 * ROLLBACK (pg_simple), a text's first PQprepare outside a transaction
 * (once per connection) and the ROLLBACK TO SAVEPOINT after a failure.
 */
/* Autovacuum gives dead rows' space back (sql_store.h). */
void
store_reclaim(struct pgl_store *s)
{
	(void)s;
}

static uint64_t
postgres_round_trips(struct pgl_store *s)
{
	return (s->round_trips);
}

static const struct pgl_store_ops ops = {
	.abi_major = PGL_STORE_ABI_MAJOR,
	.abi_minor = PGL_STORE_ABI_MINOR,
	.name = STORE_NAME,

	.open = postgres_open,
	.close = postgres_close,
	.ping = postgres_ping,
	.begin = postgres_begin,
	.commit = postgres_commit,
	.rollback = postgres_rollback,

	/* Every entity method: plugins/sql-common. */
	SQL_STORE_METHODS,
	/* Data policies and column tags (ABI 1.17): sql_policies.c. */
	SQL_POLICY_METHODS,
	/* The usage ledger (ABI 1.27, issue 67): sql_usage.c. */
	SQL_USAGE_METHODS,

	.round_trips = postgres_round_trips,
	.announce_change = postgres_announce_change,
	.changes_seen = postgres_changes_seen,
	/* A tenant's writers one at a time (ABI 1.22). */
	.begin_tenant = postgres_begin_tenant,
	/* A begin that gives way to another worker (ABI 1.23). */
	.try_begin = postgres_try_begin,
	.defer_writes = postgres_defer_writes,
	/* A COMMIT answered later, the host's loop free meanwhile (1.25). */
	.commit_send = postgres_commit_send,
	.commit_poll = postgres_commit_poll,
	/* Loads answered from memory, read-your-writes kept (1.29). */
	.read_after = pg_assets_read_after,
};

PGL_EXPORT const struct pgl_store_ops *
pangolin_store_plugin(void)
{
	return (&ops);
}
