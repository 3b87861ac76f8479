/*
 * The migrations' run at open (the list is sqlite_migrate.c's): with
 * foreign keys off, as SQLite's way of building a table anew asks (a
 * dropped table's rows are referenced until its copy takes its name:
 * migration 20, sqlite_schema_logs.c), and every key checked before
 * they commit.
 */
#include <stdio.h>

#include "sqlite_store.h"

/* The foreign keys the migrations left broken: none, or PGL_EINTERNAL. */
static int
keys_hold(struct pgl_store *s, struct pgl_err *err)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = sqlite3_prepare_v2(s->db, "PRAGMA foreign_key_check", -1,
	    &st, NULL)) != SQLITE_OK)
		return (store_sqlite_err(s, err, rc));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		(void)store_err(err, PGL_EINTERNAL, STORE_NAME ": a migration "
		    "left a row of %s whose foreign key is broken",
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return (PGL_EINTERNAL);
	return (rc == SQLITE_DONE ? PGL_OK : store_sqlite_err(s, err, rc));
}

/*
 * The pragma means nothing inside a transaction: it is set around it.
 * The keys are checked only when a migration ran: the check reads every
 * row of every child table, which at each open of a large database (by
 * every worker) would cost seconds for nothing.
 */
int
sqlite_migrate(struct pgl_store *s, struct pgl_err *err)
{
	size_t	applied = 0;
	int	rc;

	if ((rc = sqlite3_exec(s->db, "PRAGMA foreign_keys=OFF", NULL, NULL,
	    NULL)) != SQLITE_OK)
		return (store_sqlite_err(s, err, rc));
	if ((rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
	    != SQLITE_OK) {
		rc = store_sqlite_err(s, err, rc);
		goto keys_on;
	}
	if ((rc = sqlite_migrate_locked(s, &applied, err)) != PGL_OK ||
	    (applied > 0 && (rc = keys_hold(s, err)) != PGL_OK)) {
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		goto keys_on;
	}
	if ((rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL))
	    != SQLITE_OK) {
		rc = store_sqlite_err(s, err, rc);
		(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	}
keys_on:
	if (sqlite3_exec(s->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL) !=
	    SQLITE_OK && rc == PGL_OK)
		rc = store_err(err, PGL_EINTERNAL, STORE_NAME
		    ": foreign keys cannot be turned on");
	return (rc);
}
