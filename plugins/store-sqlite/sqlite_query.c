/*
 * The one path every query takes: find or prepare the statement, bind the
 * arguments, step it, hand each row to a fill function, reset it.  Keeping
 * prepare/bind/step/reset and the error mapping here lets every method
 * be a SQL text and a few lines.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "sqlite_store.h"

/* Where rows go: one struct (cap 1, fixed) or a growing arena array. */
struct reader {
	struct row	row;
	row_fill_fn	fill;
	size_t		size;
	void		*items;
	size_t		n;
	size_t		cap;
	int		grow;
};

int
store_err(struct pgl_err *err, int code, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL) {
		err->code = code;
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return (code);
}

/*
 * Maps a failed sqlite3 call to a store status.  Foreign key failures say
 * "a referenced row is missing"; the callers whose FK failure means
 * something else (deleting a warehouse in use) translate it themselves.
 */
int
store_sqlite_err(struct pgl_store *s, struct pgl_err *err, int rc)
{
	const char	*msg = sqlite3_errmsg(s->db);

	sqlite_asset_cache_failed(s);

	switch (rc) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_UNIQUE:
		return (store_err(err, PGL_EEXISTS, "already exists (%s)",
		    msg));
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return (store_err(err, PGL_ENOTFOUND,
		    "a referenced row does not exist (%s)", msg));
	case SQLITE_CONSTRAINT_NOTNULL:
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_DATATYPE:
		return (store_err(err, PGL_EINVAL, "invalid value (%s)", msg));
	}
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return (store_err(err, PGL_EUNAVAIL,
		    STORE_NAME ": database is locked (%s)", msg));
	case SQLITE_NOMEM:
		return (store_err(err, PGL_ENOMEM,
		    STORE_NAME ": out of memory"));
	}
	return (store_err(err, PGL_EINTERNAL, STORE_NAME ": %s", msg));
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
slot_find(struct pgl_store *s, const char *sql)
{
	size_t	i, n;

	i = ((uintptr_t)sql >> 4) & (STMT_SLOTS - 1);
	for (n = 0; n < STMT_SLOTS; n++) {
		if (s->stmts[i].sql == sql || s->stmts[i].sql == NULL)
			return (&s->stmts[i]);
		i = (i + 1) & (STMT_SLOTS - 1);
	}
	return (NULL);
}

static int
stmt_get(struct pgl_store *s, struct pgl_err *err, const char *sql,
    sqlite3_stmt **out)
{
	struct stmt_slot	*slot;
	int			rc;

	if ((slot = slot_find(s, sql)) == NULL)
		return (store_err(err, PGL_EINTERNAL,
		    STORE_NAME ": statement cache full, raise STMT_SLOTS"));
	if (slot->stmt == NULL) {
		rc = sqlite3_prepare_v3(s->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &slot->stmt, NULL);
		if (rc != SQLITE_OK)
			return (store_sqlite_err(s, err, rc));
		slot->sql = sql;
	}
	*out = slot->stmt;
	return (PGL_OK);
}

void
store_finalize(struct pgl_store *s)
{
	size_t	i;

	for (i = 0; i < STMT_SLOTS; i++) {
		sqlite3_finalize(s->stmts[i].stmt);
		s->stmts[i].stmt = NULL;
		s->stmts[i].sql = NULL;
	}
}

static int
bind_page(sqlite3_stmt *st, int i, const struct pgl_page *pg)
{
	int64_t	limit = -1, offset = 0;
	int	rc;

	if (pg != NULL) {
		if (pg->limit != 0)
			limit = pg->limit;
		offset = pg->offset > INT64_MAX ? INT64_MAX :
		    (int64_t)pg->offset;
	}
	if ((rc = sqlite3_bind_int64(st, i, limit)) != SQLITE_OK)
		return (rc);
	return (sqlite3_bind_int64(st, i + 1, offset));
}

/* Strings are bound SQLITE_STATIC: they outlive the step, and the
 * bindings are cleared before the call returns. */
static int
bind_args(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	const char	*str;
	int		i, rc = SQLITE_OK;

	for (i = 1; *fmt != '\0' && rc == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 's':
			str = va_arg(ap, const char *);
			rc = str == NULL ? sqlite3_bind_null(st, i) :
			    sqlite3_bind_text(st, i, str, -1, SQLITE_STATIC);
			break;
		case 'i':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		case 'p':
			rc = bind_page(st, i++,
			    va_arg(ap, const struct pgl_page *));
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	/* A format that disagrees with the SQL is a bug in this plugin;
	 * catch the count here rather than read a stray va_arg. */
	if (rc == SQLITE_OK && i - 1 != sqlite3_bind_parameter_count(st))
		rc = SQLITE_RANGE;
	return (rc);
}

static int
reader_slot(struct reader *rd, void **elem)
{
	void	*p;
	size_t	cap;

	if (rd->n == rd->cap && rd->grow) {
		cap = rd->cap == 0 ? 16 : rd->cap * 2;
		p = rd->row.s->host->arena_alloc(rd->row.a, cap * rd->size);
		if (p == NULL)
			return (PGL_ENOMEM);
		if (rd->n > 0)
			memcpy(p, rd->items, rd->n * rd->size);
		rd->items = p;
		rd->cap = cap;
	}
	*elem = rd->n < rd->cap ? (char *)rd->items + rd->n * rd->size : NULL;
	return (PGL_OK);
}

static int
reader_row(struct reader *rd, struct pgl_err *err)
{
	void	*elem;

	if (reader_slot(rd, &elem) != PGL_OK)
		return (store_err(err, PGL_ENOMEM, "arena exhausted"));
	if (elem == NULL)	/* a get on a unique key: cannot happen */
		return (PGL_OK);
	memset(elem, 0, rd->size);
	rd->row.col = 0;
	rd->fill(&rd->row, elem);
	if (rd->row.oom)
		return (store_err(err, PGL_ENOMEM, "arena exhausted"));
	rd->n++;
	return (PGL_OK);
}

static int
store_runv(struct pgl_store *s, struct pgl_err *err, const char *sql,
    struct reader *rd, uint64_t *changes, const char *fmt, va_list ap)
{
	sqlite3_stmt	*st = NULL;
	int		rc, status = PGL_OK;

	if ((status = stmt_get(s, err, sql, &st)) != PGL_OK)
		return (status);
	if ((rc = bind_args(st, fmt, ap)) != SQLITE_OK)
		status = store_err(err, PGL_EINTERNAL, STORE_NAME
		    ": cannot bind \"%s\" to %.160s", fmt, sql);
	else
		s->round_trips++;	/* one statement execution */
	if (rd != NULL)
		rd->row.stmt = st;
	while (status == PGL_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (rd != NULL)
			status = reader_row(rd, err);
	}
	if (status == PGL_OK && rc != SQLITE_DONE)
		status = store_sqlite_err(s, err, rc);
	if (status == PGL_OK && changes != NULL)
		*changes = (uint64_t)sqlite3_changes64(s->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
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
	struct reader	rd = { { s, a, NULL, 0, 0 }, fill, 0, out,
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
	struct reader	rd = { { s, a, NULL, 0, 0 }, fill, size, NULL,
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

/* A write costs no round trip here: each answers at once. */
int
store_write(struct pgl_store *s, struct pgl_err *err, const char *sql,
    uint64_t *changes, int64_t expect, const char *fmt, ...)
{
	va_list	ap;
	int	rc;

	(void)expect;
	va_start(ap, fmt);
	rc = store_runv(s, err, sql, NULL, changes, fmt, ap);
	va_end(ap);
	return (rc);
}

int
store_defers(const struct pgl_store *s)
{
	(void)s;
	return (0);
}

struct sql_fork_memo *
store_fork_memo(struct pgl_store *s)
{
	(void)s;
	return (NULL);
}

int
store_count(struct pgl_store *s, struct pgl_err *err, const char *sql,
    uint64_t *n, const char *fmt, ...)
{
	struct reader	rd = { { s, NULL, NULL, 0, 0 }, count_fill,
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
	const unsigned char	*t;
	char			*p;
	int			i = r->col++;

	if (sqlite3_column_type(r->stmt, i) == SQLITE_NULL)
		return (NULL);
	if ((t = sqlite3_column_text(r->stmt, i)) == NULL) {
		r->oom = 1;
		return (NULL);
	}
	p = r->s->host->arena_strndup(r->a, (const char *)t,
	    (size_t)sqlite3_column_bytes(r->stmt, i));
	if (p == NULL)
		r->oom = 1;
	return (p);
}

int64_t
row_int(struct row *r)
{
	return (sqlite3_column_int64(r->stmt, r->col++));
}

/*
 * mode: one of the synchronous option's values (a PRAGMA's value cannot
 * be bound); at open and around a deferred sync (log_sync.c), twice a
 * group commit.  Each mode's text is prepared once, in the statement
 * cache like any other: preparing it again each time was 1 % of a
 * commit's CPU on the 64-table storm.  Not counted as a round trip.
 */
static const char *const sync_sql[] = {
	"PRAGMA synchronous=OFF", "PRAGMA synchronous=NORMAL",
	"PRAGMA synchronous=FULL", "PRAGMA synchronous=EXTRA"
};

int
sqlite_set_synchronous(struct pgl_store *s, const char *mode,
    struct pgl_err *err)
{
	sqlite3_stmt	*st;
	const char	*sql = NULL;
	size_t		 i;
	int		 rc;

	for (i = 0; i < sizeof(sync_sql) / sizeof(sync_sql[0]); i++) {
		if (strcasecmp(sync_sql[i] + sizeof("PRAGMA synchronous=") - 1,
		    mode) == 0)
			sql = sync_sql[i];
	}
	if (sql == NULL)
		return (store_err(err, PGL_EINVAL, STORE_NAME
		    ": synchronous %s is not a mode", mode));
	if ((rc = stmt_get(s, err, sql, &st)) != PGL_OK)
		return (rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	(void)sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return (store_sqlite_err(s, err, rc));
	return (PGL_OK);
}
