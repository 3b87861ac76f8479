/*
 * Asset lookups answered from memory while the database has not changed.
 *
 * loadTable's one store query is an asset lookup, and on SQLite it was
 * most of what the request cost beyond sending the answer: a read
 * transaction (two fcntl() locks on the WAL index), the statement, and
 * the copy of the row.  The row is the same until some connection commits
 * a write, so each connection keeps the rows it read, tagged with the
 * database's change count, and answers from them while the count stands.
 *
 * The count lives in a small file beside the database ("<db>-pgl"),
 * mapped shared by every Pangolin process that opens it, and is bumped
 * from SQLite's WAL hook, which runs after a commit is in the WAL and
 * visible to readers.  A reader reads the count before its query, so a
 * row it caches is never older than the count it is tagged with: a
 * commit that lands in between only makes the tag look old, and the next
 * lookup reads again.  Inside a transaction the cache is not used (the
 * transaction's own writes are not counted until it commits).
 *
 * One count for every commit emptied every connection's rows at each
 * commit, and in a commit storm every loadTable read its row again (14 %
 * of the event loops' time).  So an entry is tagged with two other
 * counts instead, in a second mapped file ("<db>-pgl-assets"): the
 * asset's own, one of ASSET_COUNTS chosen by its tenant, catalog,
 * namespace and name (every branch's row of it: a branch sees its
 * parent's), and one for every asset at once.  Temporary triggers on this
 * connection note what a transaction changes (assets by name; branches,
 * catalogs and tenants, which decide what a lookup finds, as "all"), and
 * the WAL hook bumps those counts after the commit; a rollback forgets
 * them.  The one count stays for the credential cache.
 *
 * Only Pangolin's own commits are counted: a program that writes the
 * database behind Pangolin's back (the sqlite3 shell, or a Pangolin
 * older than the asset counts) is seen once an entry's TTL ends,
 * ENTRY_TTL_MS.  Not WAL, or no file: no cache.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "sqlite_store.h"

#define ENTRY_TTL_MS	2000
#define MAP_BYTES	64
#define CHECKPOINT_FRAMES	1000	/* SQLite's own default */
/* The asset counts: one for all, then these, a power of two. */
#define ASSET_COUNTS	4096
#define COUNTS_BYTES	((ASSET_COUNTS + 1) * sizeof(uint64_t))
/* Assets a transaction may change before it counts as all of them. */
#define NOTED_MAX	64

struct asset_entry {
	char			*key;	/* tenant \x1f catalog \x1f ... */
	uint64_t		 all;	/* the counts it was read under */
	uint64_t		 own;
	uint64_t		 expires_ms;
	char			*text[9];
	int64_t			 created_at_ms;
	int64_t			 updated_at_ms;
};

struct asset_cache {
	volatile uint64_t	*version;	/* shared, in the map */
	volatile uint64_t	*counts;	/* shared: all, then each */
	struct asset_entry	 slot[ASSET_CACHE_SLOTS];
	/* What the open transaction changed: counts to bump at commit. */
	uint32_t		 noted[NOTED_MAX];
	size_t			 nnoted;
	int			 noted_all;
};

static uint64_t
mono_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

/*
 * After every commit of this connection: count it, then checkpoint as
 * SQLite's own hook (which this one replaces) would.  Checkpointing less
 * often was tried: while other workers keep reading, the WAL is restarted
 * only by a writer that finds it fully checkpointed, so it grew without
 * end (400 MiB in 20 s of commits).
 */
static int
on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct asset_cache	*c = arg;
	size_t			 i;

	__atomic_add_fetch(c->version, 1, __ATOMIC_SEQ_CST);
	if (c->noted_all)
		__atomic_add_fetch(&c->counts[0], 1, __ATOMIC_SEQ_CST);
	else {
		for (i = 0; i < c->nnoted; i++)
			__atomic_add_fetch(&c->counts[1 + c->noted[i]], 1,
			    __ATOMIC_SEQ_CST);
	}
	c->nnoted = 0;
	c->noted_all = 0;
	if (frames >= CHECKPOINT_FRAMES)
		(void)sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return (SQLITE_OK);
}

/* "<db><suffix>", bytes long, mapped shared; NULL when it cannot be. */
static volatile uint64_t *
map_counts(const char *db_path, const char *suffix, size_t bytes)
{
	char	 path[4096];
	void	*p;
	int	 fd, n;

	n = snprintf(path, sizeof(path), "%s%s", db_path, suffix);
	if (n < 0 || (size_t)n >= sizeof(path))
		return (NULL);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		return (NULL);
	/* Never shrinks: a second process growing it keeps the count. */
	if (ftruncate(fd, (off_t)bytes) == -1 && errno != EINVAL) {
		(void)close(fd);
		return (NULL);
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	(void)close(fd);
	return (p == MAP_FAILED ? NULL : p);
}

/* The count of an asset's name: FNV-1a over its four names. */
static uint32_t
count_of(const unsigned char *const name[4])
{
	uint64_t		 h = 14695981039346656037ULL;
	const unsigned char	*p;
	size_t			 i;

	for (i = 0; i < 4; i++) {
		for (p = name[i] != NULL ? name[i] : (const unsigned char *)"";
		    *p != '\0'; p++)
			h = (h ^ *p) * 1099511628211ULL;
		h = (h ^ 0x1f) * 1099511628211ULL;
	}
	return ((uint32_t)(h & (ASSET_COUNTS - 1)));
}

/* pgl_asset_noted(tenant, catalog, namespace, name), from a trigger. */
static void
asset_noted(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct asset_cache	*c = sqlite3_user_data(ctx);
	const unsigned char	*name[4];
	uint32_t		 k;
	size_t			 i;
	int			 j;

	for (j = 0; j < 4 && j < argc; j++)
		name[j] = sqlite3_value_text(argv[j]);
	k = count_of(name);
	for (i = 0; i < c->nnoted; i++) {
		if (c->noted[i] == k)
			break;
	}
	if (i == c->nnoted) {
		if (c->nnoted == NOTED_MAX)
			c->noted_all = 1;
		else
			c->noted[c->nnoted++] = k;
	}
	sqlite3_result_null(ctx);
}

/* pgl_assets_noted(): a change that may move what any lookup finds. */
static void
assets_noted(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct asset_cache	*c = sqlite3_user_data(ctx);

	(void)argc;
	(void)argv;
	c->noted_all = 1;
	sqlite3_result_null(ctx);
}

static void
on_rollback(void *arg)
{
	struct asset_cache	*c = arg;

	c->nnoted = 0;
	c->noted_all = 0;
}

/*
 * This connection's notes of what its transactions change: temporary
 * (its own, never in the file).  A branch's name, parent and fork point
 * decide a lookup's lineage (sql_lineage.h), not its head, which every
 * commit moves; a catalog's or a tenant's deletion takes its assets by
 * cascade (noted too, row by row) and is noted whole anyway.
 */
static const char NOTE_TRIGGERS[] =
	"CREATE TEMP TRIGGER pgl_note_asset_in AFTER INSERT ON main.assets"
	" BEGIN SELECT pgl_asset_noted(NEW.tenant_id, NEW.catalog_name,"
	" NEW.namespace, NEW.name); END;"
	"CREATE TEMP TRIGGER pgl_note_asset_up AFTER UPDATE ON main.assets"
	" BEGIN SELECT pgl_asset_noted(OLD.tenant_id, OLD.catalog_name,"
	" OLD.namespace, OLD.name), pgl_asset_noted(NEW.tenant_id,"
	" NEW.catalog_name, NEW.namespace, NEW.name); END;"
	"CREATE TEMP TRIGGER pgl_note_asset_out AFTER DELETE ON main.assets"
	" BEGIN SELECT pgl_asset_noted(OLD.tenant_id, OLD.catalog_name,"
	" OLD.namespace, OLD.name); END;"
	"CREATE TEMP TRIGGER pgl_note_branch_in AFTER INSERT ON main.branches"
	" BEGIN SELECT pgl_assets_noted(); END;"
	"CREATE TEMP TRIGGER pgl_note_branch_up AFTER UPDATE OF tenant_id,"
	" catalog_name, name, parent_name, fork_seq ON main.branches"
	" BEGIN SELECT pgl_assets_noted(); END;"
	"CREATE TEMP TRIGGER pgl_note_branch_out AFTER DELETE ON main.branches"
	" BEGIN SELECT pgl_assets_noted(); END;"
	"CREATE TEMP TRIGGER pgl_note_catalog_out AFTER DELETE ON main.catalogs"
	" BEGIN SELECT pgl_assets_noted(); END;"
	"CREATE TEMP TRIGGER pgl_note_tenant_out AFTER DELETE ON main.tenants"
	" BEGIN SELECT pgl_assets_noted(); END;";

static int
note_changes(sqlite3 *db, struct asset_cache *c)
{
	if (sqlite3_create_function(db, "pgl_asset_noted", 4, SQLITE_UTF8,
	    c, asset_noted, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "pgl_assets_noted", 0, SQLITE_UTF8,
	    c, assets_noted, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, NOTE_TRIGGERS, NULL, NULL, NULL) != SQLITE_OK)
		return (-1);
	(void)sqlite3_rollback_hook(db, on_rollback, c);
	return (0);
}

void
sqlite_asset_cache_open(struct pgl_store *s)
{
	const char	*path;
	sqlite3_stmt	*st;
	int		 wal = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		wal = strcasecmp((const char *)sqlite3_column_text(st, 0),
		    "wal") == 0;
	sqlite3_finalize(st);
	path = sqlite3_db_filename(s->db, "main");
	if (!wal || path == NULL || *path == '\0' ||
	    (s->assets = calloc(1, sizeof(*s->assets))) == NULL)
		return;
	if ((s->assets->version = map_counts(path, "-pgl", MAP_BYTES)) ==
	    NULL) {
		free(s->assets);
		s->assets = NULL;
		return;
	}
	/* Without the asset counts or the notes, no entry is ever kept. */
	if ((s->assets->counts = map_counts(path, "-pgl-assets",
	    COUNTS_BYTES)) != NULL && note_changes(s->db, s->assets) == -1) {
		(void)munmap((void *)s->assets->counts, COUNTS_BYTES);
		s->assets->counts = NULL;
	}
	sqlite3_wal_hook(s->db, on_commit, s->assets);
}

volatile uint64_t *
sqlite_change_count(struct pgl_store *s)
{
	return (s->assets != NULL ? s->assets->version : NULL);
}

static void
entry_clear(struct asset_entry *e)
{
	size_t	i;

	free(e->key);
	for (i = 0; i < 9; i++)
		free(e->text[i]);
	memset(e, 0, sizeof(*e));
}

void
sqlite_asset_cache_close(struct pgl_store *s)
{
	size_t	i;

	if (s->assets == NULL)
		return;
	sqlite3_wal_hook(s->db, NULL, NULL);
	(void)sqlite3_rollback_hook(s->db, NULL, NULL);
	for (i = 0; i < ASSET_CACHE_SLOTS; i++)
		entry_clear(&s->assets->slot[i]);
	if (s->assets->counts != NULL)
		(void)munmap((void *)s->assets->counts, COUNTS_BYTES);
	(void)munmap((void *)s->assets->version, MAP_BYTES);
	free(s->assets);
	s->assets = NULL;
}

/* The key: the five names, each ended by a unit separator. */
static char *
make_key(const char *const name[5], char *buf, size_t size)
{
	size_t	i, len, off = 0;

	for (i = 0; i < 5; i++) {
		len = strlen(name[i]);
		if (off + len + 1 >= size)
			return (NULL);
		memcpy(buf + off, name[i], len);
		off += len;
		buf[off++] = '\x1f';
	}
	buf[off] = '\0';
	return (buf);
}

static size_t
slot_of(const char *key)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return ((size_t)(h & (ASSET_CACHE_SLOTS - 1)));
}

/* The asset's text fields, in the entry's order. */
static void
fields(struct pgl_asset *as, const char **f[9])
{
	f[0] = &as->id;
	f[1] = &as->catalog;
	f[2] = &as->branch;
	f[3] = &as->ns;
	f[4] = &as->name;
	f[5] = &as->kind;
	f[6] = &as->location;
	f[7] = &as->metadata_location;
	f[8] = &as->properties;
}

static int
hit(struct pgl_store *s, struct pgl_arena *a, const struct asset_entry *e,
    struct pgl_asset *out)
{
	const char	**f[9];
	size_t		  i;

	fields(out, f);
	for (i = 0; i < 9; i++) {
		*f[i] = NULL;
		if (e->text[i] != NULL &&
		    (*f[i] = s->host->arena_strdup(a, e->text[i])) == NULL)
			return (-1);
	}
	out->created_at_ms = e->created_at_ms;
	out->updated_at_ms = e->updated_at_ms;
	return (0);
}

static void
keep(struct asset_entry *e, const char *key, uint64_t all, uint64_t own,
    struct pgl_asset *as)
{
	const char	**f[9];
	size_t		  i;

	entry_clear(e);
	fields(as, f);
	if ((e->key = strdup(key)) == NULL)
		return;
	for (i = 0; i < 9; i++) {
		if (*f[i] != NULL && (e->text[i] = strdup(*f[i])) == NULL) {
			entry_clear(e);
			return;
		}
	}
	e->created_at_ms = as->created_at_ms;
	e->updated_at_ms = as->updated_at_ms;
	e->all = all;
	e->own = own;
	e->expires_ms = mono_ms() + ENTRY_TTL_MS;
}

int
sqlite_get_asset(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const char *catalog, const char *branch,
    const char *ns, const char *name, struct pgl_asset *out,
    struct pgl_err *err)
{
	const char		*names[5] = { tenant, catalog, branch, ns, name };
	const unsigned char	*own_name[4] = { (const unsigned char *)tenant,
				    (const unsigned char *)catalog,
				    (const unsigned char *)ns,
				    (const unsigned char *)name };
	struct asset_entry	*e;
	char			 buf[2048], *key;
	uint64_t		 all, own;
	int			 rc;

	if (s->assets == NULL || s->assets->counts == NULL ||
	    !sqlite3_get_autocommit(s->db) ||
	    tenant == NULL || catalog == NULL || branch == NULL ||
	    ns == NULL || name == NULL ||
	    (key = make_key(names, buf, sizeof(buf))) == NULL)
		return (sql_get_asset(s, a, tenant, catalog, branch, ns, name,
		    out, err));
	/* Read before the query: a row is never older than its tags. */
	all = __atomic_load_n(&s->assets->counts[0], __ATOMIC_SEQ_CST);
	own = __atomic_load_n(&s->assets->counts[1 + count_of(own_name)],
	    __ATOMIC_SEQ_CST);
	e = &s->assets->slot[slot_of(key)];
	if (e->key != NULL && e->all == all && e->own == own &&
	    strcmp(e->key, key) == 0 && mono_ms() < e->expires_ms &&
	    hit(s, a, e, out) == 0)
		return (PGL_OK);
	rc = sql_get_asset(s, a, tenant, catalog, branch, ns, name, out, err);
	if (rc == PGL_OK)
		keep(e, key, all, own, out);
	return (rc);
}
