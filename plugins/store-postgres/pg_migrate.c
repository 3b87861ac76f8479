/*
 * Versioned schema migrations, applied at open.  Every Kore worker (and
 * every replica) opens the database at start-up, often at the same
 * instant, so the whole check-and-apply runs in one transaction holding
 * an advisory lock keyed by the schema: the first process migrates, the
 * others wait on the lock and then find nothing to do.  DDL is
 * transactional in PostgreSQL, so a migration that fails leaves nothing
 * half-applied.  Migrations are append-only; a released one is never
 * edited.
 *
 * The migrations themselves are in pg_migrations.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

/*
 * The lock is per schema (two keys: the plugin's, then a hash of the
 * schema name), so migrating one schema never waits for another; a hash
 * collision only makes two schemas take turns.
 */
#define LOCK_CLASS	1885825024	/* "pgl\0" */

static const char MIGRATE_LOCK[] =
	"SELECT pg_advisory_xact_lock($1, hashtext($2))";
static const char SCHEMA_EXISTS[] =
	"SELECT count(*) FROM pg_namespace WHERE nspname = $1";
static const char MIGRATIONS_TABLE[] =
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	"  version integer PRIMARY KEY,"
	"  name text NOT NULL,"
	"  applied_at bigint NOT NULL"
	")";
static const char MIGRATIONS_VERSION[] =
	"SELECT coalesce(max(version), 0) FROM schema_migrations";
static const char MIGRATIONS_RECORD[] =
	"INSERT INTO schema_migrations (version, name, applied_at)"
	" VALUES ($1, $2, $3)";

/*
 * CREATE SCHEMA IF NOT EXISTS checks the CREATE privilege on the database
 * before it looks for the schema, so a role that may only use an existing
 * schema (public, say) would fail on it; look first instead.  Under the
 * lock nobody else can create it between the look and the create.
 */
static int
create_schema(struct pgl_store *s, struct pgl_err *err)
{
	char		*ident, sql[200];
	uint64_t	 exists;
	int		 rc;

	if ((rc = store_count(s, err, SCHEMA_EXISTS, &exists, "s",
	    s->schema)) != PGL_OK || exists)
		return (rc);
	ident = PQescapeIdentifier(s->conn, s->schema, strlen(s->schema));
	if (ident == NULL)
		return (store_err(err, PGL_EINVAL, STORE_NAME ": schema: %s",
		    PQerrorMessage(s->conn)));
	(void)snprintf(sql, sizeof(sql), "CREATE SCHEMA %s", ident);
	PQfreemem(ident);
	return (pg_simple(s, sql, NULL, err));
}

static int
apply(struct pgl_store *s, const struct pg_migration *m, struct pgl_err *err)
{
	struct pgl_err	 why;
	PGresult	*res;
	size_t		 i;
	int		 rc;

	res = PQexec(s->conn, m->sql);
	if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = store_pg_err(s, &why, res);
		PQclear(res);
		return (store_err(err, rc, STORE_NAME ": migration %d (%s) "
		    "failed: %s", m->version, m->name, why.msg));
	}
	PQclear(res);
	for (i = 0; i < pg_nmigration_steps; i++) {
		if (pg_migration_steps[i].version == m->version &&
		    (rc = pg_migration_steps[i].run(s, err)) != PGL_OK)
			return (rc);
	}
	return (store_exec(s, err, MIGRATIONS_RECORD, NULL, "dsi",
	    m->version, m->name, store_now_ms()));
}

static int
migrate_locked(struct pgl_store *s, struct pgl_err *err)
{
	uint64_t	version;
	size_t		i;
	int		rc;

	/* "schema_migrations already exists, skipping" is the normal case,
	 * not news for every worker's log.  The session's bounds are for
	 * calls on an event loop: here a process may wait for another's
	 * migration, and a migration may rebuild an index of every row. */
	if ((rc = pg_simple(s, "SET LOCAL client_min_messages TO warning",
	    NULL, err)) != PGL_OK ||
	    (rc = pg_simple(s, "SET LOCAL statement_timeout TO 0", NULL,
	    err)) != PGL_OK ||
	    (rc = pg_simple(s, "SET LOCAL lock_timeout TO 0", NULL,
	    err)) != PGL_OK ||
	    (rc = store_exec(s, err, MIGRATE_LOCK, NULL, "ds", LOCK_CLASS,
	    s->schema)) != PGL_OK ||
	    (rc = create_schema(s, err)) != PGL_OK ||
	    (rc = store_exec(s, err, MIGRATIONS_TABLE, NULL, "")) != PGL_OK ||
	    (rc = store_count(s, err, MIGRATIONS_VERSION, &version, "")) !=
	    PGL_OK)
		return (rc);
	if (version > (uint64_t)pg_migrations[pg_nmigrations - 1].version)
		return (store_err(err, PGL_EINVAL, STORE_NAME ": database "
		    "schema version %llu is newer than this plugin's (%d)",
		    (unsigned long long)version,
		    pg_migrations[pg_nmigrations - 1].version));
	for (i = 0; i < pg_nmigrations && rc == PGL_OK; i++) {
		if ((uint64_t)pg_migrations[i].version > version)
			rc = apply(s, &pg_migrations[i], err);
	}
	return (rc == PGL_OK ? pg_ensure_text_index(s, err) : rc);
}

/*
 * READ COMMITTED whatever the server's default: each statement after the
 * lock must see what the process that held it before us committed.  A
 * snapshot taken before the wait (REPEATABLE READ, SERIALIZABLE) would
 * not, and we would apply the same migration twice.
 */
int
pg_migrate(struct pgl_store *s, struct pgl_err *err)
{
	struct pgl_err	ignored;
	int		rc;

	if ((rc = pg_simple(s, "BEGIN ISOLATION LEVEL READ COMMITTED", NULL,
	    err)) != PGL_OK)
		return (rc);
	if ((rc = migrate_locked(s, err)) != PGL_OK) {
		(void)pg_simple(s, "ROLLBACK", NULL, &ignored);
		return (rc);
	}
	return (pg_simple(s, "COMMIT", "COMMIT", err));
}
