/*
 * Which assets a connection's commits changed, as counts every Pangolin
 * process on the file shares, for the asset cache (sqlite_asset_cache.c).
 *
 * The counts are words in a file beside the database ("<db>-pgl-assets"),
 * mapped shared: one for all assets, then ASSET_COUNTS more, an asset's
 * own chosen by its tenant, catalog, namespace and name (every branch's
 * row of it: a branch sees its parent's).  Temporary triggers on the
 * connection note what a transaction changes: an asset's row by its
 * names; a branch's name, parent or fork point (a lookup's lineage,
 * sql_lineage.h, not its head, which every commit moves), a catalog's
 * or a tenant's deletion as all.  After the commit (the WAL hook) the
 * noted counts are bumped; a rollback forgets them.
 *
 * The rows a commit wrote are kept too, as a lookup on their own branch
 * answers them (the table a worker just committed is the one its next
 * commit looks up).  Such a row may be kept under its count only when
 * nothing else moved that count between the commit and its bump: the
 * count is read in the commit hook, while this connection still holds
 * the write lock, and the bump must be the next one.  A row another
 * process wrote after this commit, or whose bump landed in between, is
 * read again instead.
 */
#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sqlite_store.h"

/* The asset counts: one for all, then these, a power of two. */
#define ASSET_COUNTS	4096
#define COUNTS_BYTES	((ASSET_COUNTS + 1) * sizeof(uint64_t))
/* Assets a transaction may change before it counts as all of them. */
#define NOTED_MAX	64
/* Rows a commit leaves that may be kept (the rest are read again). */
#define AFTER_MAX	32

struct after_row {
	uint32_t		 count;		/* its own count's index */
	uint64_t		 before;	/* that count at the commit */
	char			*name[5];	/* tenant ... name */
	struct asset_row	 row;		/* texts: its own copies */
};

struct asset_notes {
	volatile uint64_t	*counts;	/* shared: all, then each */
	uint32_t		 noted[NOTED_MAX];
	uint64_t		 bumped[NOTED_MAX];	/* after the bump */
	size_t			 nnoted;
	int			 all;
	struct after_row	 after[AFTER_MAX];
	size_t			 nafter;
	uint64_t		 all_before;
	/* A statement failed in the transaction: SQLite undid its rows,
	 * whose triggers had noted them already, so none is kept. */
	int			 failed;
};

volatile uint64_t *
sqlite_map_beside(const char *db_path, const char *suffix, size_t bytes)
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
	/* Never shrinks: a second process growing it keeps the counts. */
	if (ftruncate(fd, (off_t)bytes) == -1 && errno != EINVAL) {
		(void)close(fd);
		return (NULL);
	}
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	(void)close(fd);
	return (p == MAP_FAILED ? NULL : p);
}

/* An asset's own count: FNV-1a over tenant, catalog, namespace, name. */
static uint32_t
count_of(const char *tenant, const char *catalog, const char *ns,
    const char *name)
{
	const char	*part[4] = { tenant, catalog, ns, name };
	uint64_t	 h = 14695981039346656037ULL;
	const char	*p;
	size_t		 i;

	for (i = 0; i < 4; i++) {
		for (p = part[i] != NULL ? part[i] : ""; *p != '\0'; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		h = (h ^ 0x1f) * 1099511628211ULL;
	}
	return ((uint32_t)(h & (ASSET_COUNTS - 1)));
}

static void
note(struct asset_notes *n, uint32_t k)
{
	size_t	i;

	for (i = 0; i < n->nnoted; i++) {
		if (n->noted[i] == k)
			return;
	}
	if (n->nnoted == NOTED_MAX)
		n->all = 1;
	else
		n->noted[n->nnoted++] = k;
}

static void
after_clear(struct after_row *a)
{
	size_t	i;

	for (i = 0; i < 5; i++)
		free(a->name[i]);
	for (i = 0; i < 10; i++)
		free((char *)a->row.text[i]);
	memset(a, 0, sizeof(*a));
}

static void
forget(struct asset_notes *n)
{
	size_t	i;

	for (i = 0; i < n->nafter; i++)
		after_clear(&n->after[i]);
	n->nafter = 0;
	n->nnoted = 0;
	n->all = 0;
	n->failed = 0;
}

static const char *
text(sqlite3_value *v)
{
	return ((const char *)sqlite3_value_text(v));
}

/* The pending row of these five names, or NULL. */
static struct after_row *
after_of(struct asset_notes *n, sqlite3_value **argv)
{
	size_t	i, j;

	for (i = 0; i < n->nafter; i++) {
		for (j = 0; j < 5; j++) {
			if (text(argv[j]) == NULL ||
			    strcmp(n->after[i].name[j], text(argv[j])) != 0)
				break;
		}
		if (j == 5)
			return (&n->after[i]);
	}
	return (NULL);
}

/* Drop a pending row (swap the last one into its place). */
static void
after_drop(struct asset_notes *n, struct after_row *a)
{
	after_clear(a);
	if (a != &n->after[n->nafter - 1]) {
		*a = n->after[n->nafter - 1];
		memset(&n->after[n->nafter - 1], 0, sizeof(*a));
	}
	n->nafter--;
}

/*
 * pgl_asset_gone(tenant, catalog, branch, namespace, name): a row that
 * was there is not, or not under these names (a delete, or the old side
 * of an update).
 */
static void
asset_gone(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct asset_notes	*n = sqlite3_user_data(ctx);
	struct after_row	*a;

	(void)argc;
	note(n, count_of(text(argv[0]), text(argv[1]), text(argv[3]),
	    text(argv[4])));
	if ((a = after_of(n, argv)) != NULL)
		after_drop(n, a);
	sqlite3_result_null(ctx);
}

/*
 * pgl_asset_after(tenant, catalog, branch, namespace, name, id, kind,
 * location, metadata_location, properties, created_at, updated_at,
 * gone, origin): a row as the transaction leaves it (an insert, or the
 * new side of an update).
 */
static void
asset_after(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct asset_notes	*n = sqlite3_user_data(ctx);
	struct after_row	*a;
	const char		*t;
	size_t			 i;
	int			 oom = 0;

	(void)argc;
	note(n, count_of(text(argv[0]), text(argv[1]), text(argv[3]),
	    text(argv[4])));
	sqlite3_result_null(ctx);
	if ((a = after_of(n, argv)) != NULL)
		after_drop(n, a);
	/* A gone row is answered "not found", which is never kept. */
	if (sqlite3_value_int64(argv[12]) != 0 || n->nafter == AFTER_MAX)
		return;
	for (i = 0; i < 5; i++) {
		if (text(argv[i]) == NULL)
			return;
	}
	a = &n->after[n->nafter++];
	a->count = count_of(text(argv[0]), text(argv[1]), text(argv[3]),
	    text(argv[4]));
	for (i = 0; i < 5; i++)
		oom |= (a->name[i] = strdup(text(argv[i]))) == NULL;
	/* The entry's order: id, catalog, branch, namespace, name, kind,
	 * location, metadata_location, properties, origin. */
	a->row.text[1] = strdup(text(argv[1]));
	a->row.text[2] = strdup(text(argv[2]));
	a->row.text[3] = strdup(text(argv[3]));
	a->row.text[4] = strdup(text(argv[4]));
	oom |= a->row.text[1] == NULL || a->row.text[2] == NULL ||
	    a->row.text[3] == NULL || a->row.text[4] == NULL;
	for (i = 0; i < 4; i++) {
		static const size_t	at[4] = { 0, 5, 6, 7 };

		if ((t = text(argv[5 + i])) != NULL)
			oom |= (a->row.text[at[i]] = strdup(t)) == NULL;
	}
	if ((t = text(argv[9])) != NULL)
		oom |= (a->row.text[8] = strdup(t)) == NULL;
	if ((t = text(argv[13])) != NULL)
		oom |= (a->row.text[9] = strdup(t)) == NULL;
	a->row.created_at_ms = sqlite3_value_int64(argv[10]);
	a->row.updated_at_ms = sqlite3_value_int64(argv[11]);
	if (oom)
		after_drop(n, a);
}

/* pgl_assets_noted(): a change that may move what any lookup finds. */
static void
assets_noted(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct asset_notes	*n = sqlite3_user_data(ctx);

	(void)argc;
	(void)argv;
	n->all = 1;
	sqlite3_result_null(ctx);
}

/* Before the commit, the write lock held: the counts as they stand. */
static int
on_commit_begins(void *arg)
{
	struct asset_notes	*n = arg;
	size_t			 i;

	n->all_before = __atomic_load_n(&n->counts[0], __ATOMIC_SEQ_CST);
	for (i = 0; i < n->nafter; i++)
		n->after[i].before = __atomic_load_n(
		    &n->counts[1 + n->after[i].count], __ATOMIC_SEQ_CST);
	return (0);
}

static void
on_rollback(void *arg)
{
	forget(arg);
}

/* Temporary: this connection's own, never in the file. */
static const char NOTE_TRIGGERS[] =
	"CREATE TEMP TRIGGER pgl_note_asset_in AFTER INSERT ON main.assets"
	" BEGIN SELECT pgl_asset_after(NEW.tenant_id, NEW.catalog_name,"
	" NEW.branch_name, NEW.namespace, NEW.name, NEW.id, NEW.kind,"
	" NEW.location, NEW.metadata_location, NEW.properties,"
	" NEW.created_at, NEW.updated_at, NEW.gone,"
	" coalesce(NEW.origin, NEW.id)); END;"
	"CREATE TEMP TRIGGER pgl_note_asset_up AFTER UPDATE ON main.assets"
	" BEGIN SELECT pgl_asset_gone(OLD.tenant_id, OLD.catalog_name,"
	" OLD.branch_name, OLD.namespace, OLD.name),"
	" pgl_asset_after(NEW.tenant_id, NEW.catalog_name,"
	" NEW.branch_name, NEW.namespace, NEW.name, NEW.id, NEW.kind,"
	" NEW.location, NEW.metadata_location, NEW.properties,"
	" NEW.created_at, NEW.updated_at, NEW.gone,"
	" coalesce(NEW.origin, NEW.id)); END;"
	"CREATE TEMP TRIGGER pgl_note_asset_out AFTER DELETE ON main.assets"
	" BEGIN SELECT pgl_asset_gone(OLD.tenant_id, OLD.catalog_name,"
	" OLD.branch_name, OLD.namespace, OLD.name); END;"
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

static const char DROP_TRIGGERS[] =
	"DROP TRIGGER IF EXISTS temp.pgl_note_asset_in;"
	"DROP TRIGGER IF EXISTS temp.pgl_note_asset_up;"
	"DROP TRIGGER IF EXISTS temp.pgl_note_asset_out;"
	"DROP TRIGGER IF EXISTS temp.pgl_note_branch_in;"
	"DROP TRIGGER IF EXISTS temp.pgl_note_branch_up;"
	"DROP TRIGGER IF EXISTS temp.pgl_note_branch_out;"
	"DROP TRIGGER IF EXISTS temp.pgl_note_catalog_out;"
	"DROP TRIGGER IF EXISTS temp.pgl_note_tenant_out;";

struct asset_notes *
sqlite_asset_notes_open(sqlite3 *db, const char *db_path)
{
	struct asset_notes	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return (NULL);
	if ((n->counts = sqlite_map_beside(db_path, "-pgl-assets",
	    COUNTS_BYTES)) == NULL) {
		free(n);
		return (NULL);
	}
	if (sqlite3_create_function(db, "pgl_asset_gone", 5, SQLITE_UTF8,
	    n, asset_gone, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "pgl_asset_after", 14, SQLITE_UTF8,
	    n, asset_after, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(db, "pgl_assets_noted", 0, SQLITE_UTF8,
	    n, assets_noted, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, NOTE_TRIGGERS, NULL, NULL, NULL) != SQLITE_OK) {
		/* None of it stays: the cache keeps no entry then. */
		(void)sqlite3_exec(db, DROP_TRIGGERS, NULL, NULL, NULL);
		(void)sqlite3_create_function(db, "pgl_asset_gone", 5,
		    SQLITE_UTF8, NULL, NULL, NULL, NULL);
		(void)sqlite3_create_function(db, "pgl_asset_after", 14,
		    SQLITE_UTF8, NULL, NULL, NULL, NULL);
		(void)sqlite3_create_function(db, "pgl_assets_noted", 0,
		    SQLITE_UTF8, NULL, NULL, NULL, NULL);
		(void)munmap((void *)n->counts, COUNTS_BYTES);
		free(n);
		return (NULL);
	}
	(void)sqlite3_commit_hook(db, on_commit_begins, n);
	(void)sqlite3_rollback_hook(db, on_rollback, n);
	return (n);
}

void
sqlite_asset_notes_close(sqlite3 *db, struct asset_notes *n)
{
	if (n == NULL)
		return;
	(void)sqlite3_commit_hook(db, NULL, NULL);
	(void)sqlite3_rollback_hook(db, NULL, NULL);
	forget(n);
	(void)munmap((void *)n->counts, COUNTS_BYTES);
	free(n);
}

void
sqlite_asset_notes_counts(const struct asset_notes *n, const char *tenant,
    const char *catalog, const char *ns, const char *name, uint64_t *all,
    uint64_t *own)
{
	*all = __atomic_load_n(&n->counts[0], __ATOMIC_SEQ_CST);
	*own = __atomic_load_n(&n->counts[1 + count_of(tenant, catalog, ns,
	    name)], __ATOMIC_SEQ_CST);
}

void
sqlite_asset_notes_failed(struct asset_notes *n)
{
	if (n != NULL)
		n->failed = 1;
}

void
sqlite_asset_notes_committed(struct asset_notes *n, struct pgl_store *s,
    void (*kept)(struct pgl_store *, const char *const name[5],
    const struct asset_row *, uint64_t, uint64_t))
{
	const struct after_row	*a;
	size_t			 i, j;

	if (n->all) {
		__atomic_add_fetch(&n->counts[0], 1, __ATOMIC_SEQ_CST);
		forget(n);
		return;
	}
	for (i = 0; i < n->nnoted; i++)
		n->bumped[i] = __atomic_add_fetch(&n->counts[1 + n->noted[i]],
		    1, __ATOMIC_SEQ_CST);
	for (i = 0; i < n->nafter && !n->failed; i++) {
		a = &n->after[i];
		for (j = 0; j < n->nnoted && n->noted[j] != a->count; j++)
			;
		/* Kept only if this bump came next, and no "all" since. */
		if (j < n->nnoted && n->bumped[j] == a->before + 1 &&
		    __atomic_load_n(&n->counts[0], __ATOMIC_SEQ_CST) ==
		    n->all_before)
			kept(s, (const char *const *)a->name, &a->row,
			    n->all_before, n->bumped[j]);
	}
	forget(n);
}
