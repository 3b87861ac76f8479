/*
 * [store.options] for PostgreSQL.  Every value is checked here, at open,
 * so a typo stops the appliance at start-up with the option's name rather
 * than failing on the first request.
 *
 *  url		libpq URI or key=value conninfo (DATABASE_URL arrives as
 *		this); host, port, dbname, user, password and sslmode,
 *		when given, override what the url says.
 *  connect_timeout
 *		seconds libpq waits for each connection attempt, at open
 *		and at every reconnect (default 30; libpq waits at least 2).
 *  schema	created if missing and used through search_path (default
 *		public), so several catalogs or test runs can share a
 *		database without seeing each other.
 *
 * How long one call may hold a worker.  Store calls are synchronous on a
 * worker's event loop (ARCHITECTURE.md §2), so a statement that waits
 * (on a row another replica holds, on a DBA's LOCK TABLE, on a replica
 * frozen inside a transaction) holds every connection of that worker.
 * Each bound is a session setting, set at every (re)connect; past one the
 * call fails with PGL_EUNAVAIL (503 with Retry-After) and its transaction
 * is rolled back.  0 turns a bound off.  Migrations at open run without
 * the first two (they may wait for another process's migration).
 *
 *  statement_timeout_ms	one statement (default 30000)
 *  lock_timeout_ms		waiting for one lock (default 5000)
 *  idle_in_transaction_timeout_ms
 *		the server ends a session that sits inside a transaction
 *		without a statement this long (default 60000): the locks of
 *		a replica that froze or hung mid-transaction are released.
 *
 * The pool sizes (DATABASE_MAX/MIN_CONNECTIONS) come from the upstream's
 * pooled design.  Under Kore a process serves one request at a time and
 * holds exactly one connection (ARCHITECTURE.md §2), so the server sees
 * workers + 1 (the task runner) connections per replica, whatever these
 * say; size the server's max_connections from that.  What they mean here:
 *
 *  max_connections  the most connections one process may hold (default
 *		5, 1 to 10000).  Each handle is one connection, and opening
 *		a handle beyond the limit fails with PGL_EUNAVAIL.  The
 *		appliance opens one per process, so this is a guard against
 *		a leak of handles, not a pool size.
 *  min_connections  connections opened eagerly and kept (default 2, at
 *		most max_connections).  0 releases the connection as soon
 *		as open has reached the server and migrated, and connects
 *		again on the first call (keeping that connection from then
 *		on): a worker that serves no request costs the server
 *		nothing, and the first request pays for the connect.  1 or
 *		more keeps the connection open from open() for the life of
 *		the process; a process never holds a second, so 2 (the
 *		default) behaves exactly as 1.
 *  asset_cache_bytes  bytes of asset rows each connection keeps for
 *		lookups (pg_asset_cache.c, sql_asset_rows.c; default 8 MiB,
 *		at most 1 GiB): about 16,000 narrow rows.  0: no cache, every
 *		lookup reads the store.  (asset_cache_slots, the count it
 *		replaced, is refused with the new name.)
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "pg_store.h"

#define DEFAULT_TIMEOUT		"30"
#define DEFAULT_MAX		5
#define DEFAULT_MIN		2
#define DEFAULT_STATEMENT_MS	30000
#define DEFAULT_LOCK_MS		5000
#define DEFAULT_IDLE_TX_MS	60000
#define TIMEOUT_MS_MAX		86400000	/* a day */
#define NAMEDATALEN_MAX		63	/* longer identifiers are truncated */
#define ASSET_BYTES_MAX		(1 << 30)

static const char *const sslmodes[] = {
	"disable", "allow", "prefer", "require", "verify-ca", "verify-full",
	NULL
};

/* The options that are plain strings, by their field in pg_options. */
static const struct {
	const char	*key;
	size_t		 off;
} string_opts[] = {
	{ "url", offsetof(struct pg_options, url) },
	{ "host", offsetof(struct pg_options, host) },
	{ "port", offsetof(struct pg_options, port) },
	{ "dbname", offsetof(struct pg_options, dbname) },
	{ "user", offsetof(struct pg_options, user) },
	{ "password", offsetof(struct pg_options, password) },
	{ "sslmode", offsetof(struct pg_options, sslmode) },
	{ "connect_timeout", offsetof(struct pg_options, connect_timeout) },
	{ "schema", offsetof(struct pg_options, schema) },
};

static int
parse_int(const char *value, long min, long max, int *out)
{
	char	*end;
	long	 v;

	if (value == NULL || *value == '\0')
		return (-1);
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return (-1);
	if (out != NULL)
		*out = (int)v;
	return (0);
}

static int
bad_value(const char *key, const char *value, const char *why,
    struct pgl_err *err)
{
	return (store_err(err, PGL_EINVAL, STORE_NAME ": invalid value \"%s\" "
	    "for option \"%s\"%s%s", value != NULL ? value : "", key,
	    why != NULL ? ": " : "", why != NULL ? why : ""));
}

/* The options that are milliseconds, by their field in pg_options. */
static const struct {
	const char	*key;
	size_t		 off;
} ms_opts[] = {
	{ "statement_timeout_ms",
	    offsetof(struct pg_options, statement_timeout_ms) },
	{ "lock_timeout_ms", offsetof(struct pg_options, lock_timeout_ms) },
	{ "idle_in_transaction_timeout_ms",
	    offsetof(struct pg_options, idle_in_transaction_timeout_ms) },
};

static int
set_option(struct pg_options *o, const struct pgl_kv *kv, struct pgl_err *err)
{
	const char	*k = kv->key != NULL ? kv->key : "";
	size_t		 i;

	for (i = 0; i < sizeof(ms_opts) / sizeof(ms_opts[0]); i++) {
		if (strcmp(k, ms_opts[i].key) != 0)
			continue;
		if (parse_int(kv->value, 0, TIMEOUT_MS_MAX,
		    (int *)((char *)o + ms_opts[i].off)) == -1)
			return (bad_value(k, kv->value, "milliseconds, 0 (none) "
			    "to 86400000", err));
		return (PGL_OK);
	}

	if (strcmp(k, "max_connections") == 0) {
		if (parse_int(kv->value, 1, 10000, &o->max_connections) == -1)
			return (bad_value(k, kv->value, "1 to 10000", err));
		return (PGL_OK);
	}
	if (strcmp(k, "asset_cache_bytes") == 0) {
		if (parse_int(kv->value, 0, ASSET_BYTES_MAX,
		    &o->asset_cache_bytes) == -1)
			return (bad_value(k, kv->value, "0 (none) to 1073741824 "
			    "bytes", err));
		return (PGL_OK);
	}
	if (strcmp(k, "asset_cache_slots") == 0)
		return (store_err(err, PGL_EINVAL, STORE_NAME ": option "
		    "\"asset_cache_slots\" is now \"asset_cache_bytes\", the "
		    "bytes of rows a connection keeps (0: none)"));
	if (strcmp(k, "min_connections") == 0) {
		if (parse_int(kv->value, 0, 10000, &o->min_connections) == -1)
			return (bad_value(k, kv->value, "0 to 10000", err));
		return (PGL_OK);
	}
	for (i = 0; i < sizeof(string_opts) / sizeof(string_opts[0]); i++) {
		if (strcmp(k, string_opts[i].key) != 0)
			continue;
		/* An empty password is a password; anything else empty is
		 * a mistake libpq would silently replace by its default. */
		if ((kv->value == NULL || *kv->value == '\0') &&
		    strcmp(k, "password") != 0)
			return (bad_value(k, kv->value, "empty", err));
		*(const char **)((char *)o + string_opts[i].off) = kv->value;
		return (PGL_OK);
	}
	return (store_err(err, PGL_EINVAL, STORE_NAME ": unknown option \"%s\"",
	    k));
}

static int
check_url(const char *url, struct pgl_err *err)
{
	PQconninfoOption	*parsed;
	char			*why = NULL;
	int			 rc;

	if ((parsed = PQconninfoParse(url, &why)) != NULL) {
		PQconninfoFree(parsed);
		return (PGL_OK);
	}
	/* libpq's reason names the problem, never the password. */
	rc = store_err(err, PGL_EINVAL, STORE_NAME ": invalid value for "
	    "option \"url\": %s", why != NULL ? why : "out of memory");
	PQfreemem(why);
	return (rc);
}

static int
check_values(struct pg_options *o, struct pgl_err *err)
{
	size_t	i;

	if (o->url != NULL && check_url(o->url, err) != PGL_OK)
		return (PGL_EINVAL);
	if (o->port != NULL && parse_int(o->port, 1, 65535, NULL) == -1)
		return (bad_value("port", o->port, "1 to 65535", err));
	if (o->connect_timeout != NULL &&
	    parse_int(o->connect_timeout, 1, 3600, NULL) == -1)
		return (bad_value("connect_timeout", o->connect_timeout,
		    "seconds, 1 to 3600", err));
	for (i = 0; o->sslmode != NULL && sslmodes[i] != NULL; i++) {
		if (strcmp(o->sslmode, sslmodes[i]) == 0)
			break;
	}
	if (o->sslmode != NULL && sslmodes[i] == NULL)
		return (bad_value("sslmode", o->sslmode, NULL, err));
	if (strlen(o->schema) > NAMEDATALEN_MAX)
		return (bad_value("schema", o->schema, "longer than 63 bytes",
		    err));
	if (o->min_connections > o->max_connections)
		return (store_err(err, PGL_EINVAL, STORE_NAME ": option "
		    "\"min_connections\" (%d) is more than max_connections "
		    "(%d)", o->min_connections, o->max_connections));
	if (o->min_connections == -1)
		o->min_connections = DEFAULT_MIN < o->max_connections ?
		    DEFAULT_MIN : o->max_connections;
	return (PGL_OK);
}

int
pg_parse_options(const struct pgl_kv *kv, size_t n, struct pg_options *o,
    struct pgl_err *err)
{
	size_t	i;
	int	rc;

	memset(o, 0, sizeof(*o));
	o->schema = "public";
	o->max_connections = DEFAULT_MAX;
	o->asset_cache_bytes = PG_ASSET_BYTES;
	o->min_connections = -1;	/* unset: the default, within max */
	o->statement_timeout_ms = DEFAULT_STATEMENT_MS;
	o->lock_timeout_ms = DEFAULT_LOCK_MS;
	o->idle_in_transaction_timeout_ms = DEFAULT_IDLE_TX_MS;
	for (i = 0; i < n; i++) {
		if ((rc = set_option(o, &kv[i], err)) != PGL_OK)
			return (rc);
	}
	return (check_values(o, err));
}

static int
add(struct conninfo *ci, const char *key, const char *value)
{
	if (value == NULL)
		return (0);
	if (ci->n >= MAX_CONNINFO || (ci->values[ci->n] = strdup(value)) ==
	    NULL)
		return (-1);
	ci->keys[ci->n++] = key;
	return (0);
}

/*
 * The libpq parameters, copied: a reconnect hours later must not read
 * the host's option strings.  libpq lets later entries override earlier
 * ones and expands only the first dbname as a connection string, so the
 * order is: defaults the url may override, the url, the single options
 * that override it, and client_encoding, because every text this plugin
 * sends and reads back is UTF-8.
 */
int
pg_conninfo(struct pgl_store *s, const struct pg_options *o,
    struct pgl_err *err)
{
	struct conninfo	*ci = &s->ci;
	int		 rc = 0;

	ci->expand = o->url != NULL;
	rc |= add(ci, "fallback_application_name", "pangolin");
	if (o->connect_timeout == NULL)
		rc |= add(ci, "connect_timeout", DEFAULT_TIMEOUT);
	rc |= add(ci, "dbname", o->url);
	rc |= add(ci, "host", o->host);
	rc |= add(ci, "port", o->port);
	rc |= add(ci, "dbname", o->dbname);
	rc |= add(ci, "user", o->user);
	rc |= add(ci, "password", o->password);
	rc |= add(ci, "sslmode", o->sslmode);
	rc |= add(ci, "connect_timeout", o->connect_timeout);
	rc |= add(ci, "client_encoding", "UTF8");
	(void)snprintf(s->statement_ms, sizeof(s->statement_ms), "%d",
	    o->statement_timeout_ms);
	(void)snprintf(s->lock_ms, sizeof(s->lock_ms), "%d",
	    o->lock_timeout_ms);
	(void)snprintf(s->idle_tx_ms, sizeof(s->idle_tx_ms), "%d",
	    o->idle_in_transaction_timeout_ms);
	if (rc != 0 || (s->schema = strdup(o->schema)) == NULL)
		return (store_err(err, PGL_ENOMEM,
		    STORE_NAME ": out of memory"));
	ci->keys[ci->n] = NULL;
	ci->values[ci->n] = NULL;
	return (PGL_OK);
}

void
pg_conninfo_free(struct conninfo *ci)
{
	size_t	i;

	for (i = 0; i < ci->n; i++)
		free(ci->values[i]);
	ci->n = 0;
}
