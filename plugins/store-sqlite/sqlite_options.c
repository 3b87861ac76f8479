/*
 * The SQLite store's options ([store.options] in the config; docs in
 * docs/operator-guide.md and docs/limits.md), each checked here so a
 * wrong one stops the start with its name.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite_store.h"

#define SCHEME		"sqlite://"

/* Rows kept per connection by default: about 16,000 narrow ones. */
#define ASSET_CACHE_BYTES	(8LL << 20)
/* SQLite's own page cache is 2 MB; see page_cache(), sqlite_store.c. */
#define PAGE_CACHE_MB		16
#define MMAP_MB			0
/* PRAGMA mmap_size is capped by SQLite at 2 GiB unless built otherwise;
 * the byte budgets are capped where a worker could still hold them. */
#define SIZE_MAX_MB		(64LL << 10)
#define ASSET_CACHE_MAX		(1LL << 30)	/* as PostgreSQL's */

/* PRAGMA values cannot be bound, so they are checked against a list. */
static const char *const journal_modes[] = {
	"WAL", "DELETE", "TRUNCATE", "PERSIST", "MEMORY", "OFF", NULL
};
static const char *const sync_modes[] = {
	"OFF", "NORMAL", "FULL", "EXTRA", NULL
};

static const char *
pick(const char *value, const char *const *allowed)
{
	size_t	i;

	for (i = 0; value != NULL && allowed[i] != NULL; i++) {
		if (strcasecmp(value, allowed[i]) == 0)
			return (allowed[i]);
	}
	return (NULL);
}

static int
parse_ms(const char *value, int *out)
{
	char	*end;
	long	v;

	if (value == NULL || *value == '\0')
		return (-1);
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX)
		return (-1);
	*out = (int)v;
	return (0);
}

static int
parse_size(const char *value, int64_t max, int64_t *out)
{
	char		*end;
	long long	 v;

	if (value == NULL || *value < '0' || *value > '9')
		return (-1);
	errno = 0;
	v = strtoll(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > max)
		return (-1);
	*out = v;
	return (0);
}

static int
set_path(struct sqlite_options *o, const char *value, struct pgl_err *err)
{
#if defined(PGL_STORE_MEMORY)
	(void)o;
	(void)value;
	return (store_err(err, PGL_EINVAL, "memory: option \"path\" is not "
	    "allowed; the memory store is private to one process"));
#else
	if (value != NULL && strncmp(value, SCHEME, strlen(SCHEME)) == 0)
		value += strlen(SCHEME);
	if (value == NULL || *value == '\0')
		return (store_err(err, PGL_EINVAL,
		    "sqlite: option \"path\" is empty"));
	o->path = value;
	return (PGL_OK);
#endif
}

static int
set_option(struct sqlite_options *o, const struct pgl_kv *kv, struct pgl_err *err)
{
	const char	*k = kv->key != NULL ? kv->key : "";

	if (strcmp(k, "path") == 0)
		return (set_path(o, kv->value, err));
	if (strcmp(k, "busy_timeout_ms") == 0) {
		if (parse_ms(kv->value, &o->busy_timeout_ms) == -1)
			goto bad;
	} else if (strcmp(k, "journal_mode") == 0) {
		if ((o->journal_mode = pick(kv->value, journal_modes)) == NULL)
			goto bad;
	} else if (strcmp(k, "synchronous") == 0) {
		if ((o->synchronous = pick(kv->value, sync_modes)) == NULL)
			goto bad;
	} else if (strcmp(k, "asset_cache_bytes") == 0) {
		if (parse_size(kv->value, ASSET_CACHE_MAX,
		    &o->asset_cache_bytes) == -1)
			goto bad;
	} else if (strcmp(k, "page_cache_mb") == 0) {
		if (parse_size(kv->value, SIZE_MAX_MB, &o->page_cache_mb) == -1)
			goto bad;
	} else if (strcmp(k, "mmap_mb") == 0) {
		if (parse_size(kv->value, SIZE_MAX_MB, &o->mmap_mb) == -1)
			goto bad;
	} else {
		return (store_err(err, PGL_EINVAL,
		    STORE_NAME ": unknown option \"%s\"", k));
	}
	return (PGL_OK);
bad:
	return (store_err(err, PGL_EINVAL, STORE_NAME
	    ": invalid value \"%s\" for option \"%s\"",
	    kv->value != NULL ? kv->value : "", k));
}

int
sqlite_parse_options(const struct pgl_kv *kv, size_t n, struct sqlite_options *o,
    struct pgl_err *err)
{
	size_t	i;
	int	rc;

	o->path = NULL;
	o->busy_timeout_ms = 5000;
	o->journal_mode = "WAL";
	/*
	 * FULL: every transaction's COMMIT syncs the WAL before it returns.
	 * Under NORMAL a WAL commit is synced only at the next checkpoint,
	 * so a power loss could take back commits already acknowledged
	 * (a table's pointer back on a file its writer saw replaced).  The
	 * metadata file is synced before the swap anyway; group commit
	 * shares this sync among the swaps of one transaction.
	 */
	o->synchronous = "FULL";
	o->asset_cache_bytes = ASSET_CACHE_BYTES;
	o->page_cache_mb = PAGE_CACHE_MB;
	o->mmap_mb = MMAP_MB;
	for (i = 0; i < n; i++) {
		if ((rc = set_option(o, &kv[i], err)) != PGL_OK)
			return (rc);
	}
#if !defined(PGL_STORE_MEMORY)
	if (o->path == NULL)
		return (store_err(err, PGL_EINVAL,
		    "sqlite: option \"path\" is required"));
#endif
	return (PGL_OK);
}
