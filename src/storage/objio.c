#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "storage/fileio.h"
#include "storage/objio.h"
#include "util/location.h"
#include "util/str.h"

static int
refuse(struct pgl_err *err, const char *loc, const char *why,
    const char *what)
{
	int	n;

	err->code = PGL_EINVAL;
	/* Long names are cut, never the message's end (msg is 256). */
	n = snprintf(err->msg, sizeof(err->msg), "%.100s: %.80s", loc, why);
	if (n > 0 && (size_t)n < sizeof(err->msg))
		(void)pgl_strlcpy(err->msg + n, what, sizeof(err->msg) -
		    (size_t)n);
	return (PGL_EINVAL);
}

/* The object key of location, which must lie in the storage's bucket
 * and below its storage location. */
static int
s3_key(const struct pgl_storage *st, const char *loc, const char **key,
    struct pgl_err *err)
{
	char		 bucket[256];
	const char	*why;

	if ((why = pgl_location_check(loc)) != NULL)
		return (refuse(err, loc, why, ""));
	if (!pgl_location_within(loc, st->root))
		return (refuse(err, loc, "lies outside the catalog's storage "
		    "location ", st->root));
	if (pgl_s3_split(loc, bucket, sizeof(bucket), key) == -1 ||
	    strcmp(bucket, st->s3.bucket) != 0 || **key == '\0')
		return (refuse(err, loc, "is not an object of bucket ",
		    st->s3.bucket));
	return (PGL_OK);
}

/* The blob path of location, which must lie in the storage's account and
 * container and below its storage location (any spelling of it). */
static int
azure_blob(const struct pgl_storage *st, const char *loc, const char **blob,
    struct pgl_err *err)
{
	char		 container[64], account[64];
	const char	*why;

	if ((why = pgl_location_check(loc)) != NULL)
		return (refuse(err, loc, why, ""));
	if (!pgl_location_within(loc, st->root))
		return (refuse(err, loc, "lies outside the catalog's storage "
		    "location ", st->root));
	if (pgl_azure_split(loc, container, sizeof(container), account,
	    sizeof(account), blob) == -1 ||
	    strcmp(container, st->az.container) != 0 ||
	    strcasecmp(account, st->az.account) != 0 || **blob == '\0')
		return (refuse(err, loc, "is not a blob of container ",
		    st->az.container));
	return (PGL_OK);
}

/*
 * Put Blob said the blob exists.  Metadata files are uniquely named, so
 * one holding exactly these bytes is this write's own: libcurl sent the
 * PUT again after a connection lost before its answer, and the first
 * one had been carried out.  Anything else stays PGL_EEXISTS.
 */
static int
azure_ours(const struct pgl_storage *st, const char *blob, const void *data,
    size_t len, struct pgl_err *err)
{
	struct pgl_err	 e;
	char		*have = NULL;
	size_t		 n = 0;
	int		 same;

	if (pgl_azure_get(&st->az, blob, len + 1, &have, &n, &e) != PGL_OK)
		return (PGL_EEXISTS);
	same = n == len && memcmp(have, data, len) == 0;
	free(have);
	if (!same)
		return (err->code);
	memset(err, 0, sizeof(*err));
	return (PGL_OK);
}

int
pgl_obj_read(const struct pgl_storage *st, const char *loc, size_t max,
    char **data, size_t *len, struct pgl_err *err)
{
	const char	*key;
	int		 rc;

	if (st->is_azure) {
		if ((rc = azure_blob(st, loc, &key, err)) != PGL_OK)
			return (rc);
		return (pgl_azure_get(&st->az, key, max, data, len, err));
	}
	if (!st->is_s3)
		return (pgl_file_read(st->root, loc, max, data, len, err));
	if ((rc = s3_key(st, loc, &key, err)) != PGL_OK)
		return (rc);
	return (pgl_s3_get(&st->s3, key, max, data, len, err));
}

int
pgl_obj_write(const struct pgl_storage *st, const char *loc, const void *data,
    size_t len, struct pgl_err *err)
{
	const char	*key;
	int		 rc;

	if (st->is_azure) {
		if ((rc = azure_blob(st, loc, &key, err)) != PGL_OK)
			return (rc);
		rc = pgl_azure_put(&st->az, key, data, len, err);
		return (rc == PGL_EEXISTS ? azure_ours(st, key, data, len, err) :
		    rc);
	}
	if (!st->is_s3)
		return (pgl_file_write(st->root, loc, data, len, err));
	if ((rc = s3_key(st, loc, &key, err)) != PGL_OK)
		return (rc);
	return (pgl_s3_put(&st->s3, key, data, len, err));
}

int
pgl_obj_delete(const struct pgl_storage *st, const char *loc,
    struct pgl_err *err)
{
	const char	*key;
	int		 rc;

	if (st->is_azure) {
		if ((rc = azure_blob(st, loc, &key, err)) != PGL_OK)
			return (rc);
		return (pgl_azure_delete(&st->az, key, err));
	}
	if (!st->is_s3)
		return (pgl_file_delete(st->root, loc, err));
	if ((rc = s3_key(st, loc, &key, err)) != PGL_OK)
		return (rc);
	return (pgl_s3_delete(&st->s3, key, err));
}

int
pgl_obj_delete_many(const struct pgl_storage *st, const char *const *locs,
    size_t n, struct pgl_err *err)
{
	struct pgl_err	  one;
	const char	**keys;
	size_t		  i, nk = 0;
	int		  rc = PGL_OK;

	if (!st->remote)
		return (pgl_file_delete_many(st->root, locs, n, err));
	if ((keys = calloc(n + 1, sizeof(*keys))) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (PGL_ENOMEM);
	}
	for (i = 0; i < n; i++) {
		if ((st->is_azure ? azure_blob(st, locs[i], &keys[nk], &one) :
		    s3_key(st, locs[i], &keys[nk], &one)) == PGL_OK)
			nk++;
		else if (rc == PGL_OK) {
			*err = one;
			rc = one.code;
		}
	}
	if (nk > 0 && (st->is_azure ? pgl_azure_delete_blobs(&st->az, keys,
	    nk, &one) : pgl_s3_delete_keys(&st->s3, keys, nk, &one)) !=
	    PGL_OK && rc == PGL_OK) {
		*err = one;
		rc = one.code;
	}
	free(keys);
	return (rc);
}

/* --- listing -------------------------------------------------------------- */

#define LIST_DEPTH	32

struct disk_walk {
	const char	*root;
	char		 path[4096];	/* the directory being listed */
	int		 depth;
	pgl_obj_list_fn	 fn;
	void		*arg;
	int		 stopped;
	struct pgl_err	*err;
	int		 failed;
};

static int	walk_dir(struct disk_walk *);

static int
on_disk_entry(void *arg, const char *name, const struct pgl_file_info *fi)
{
	struct disk_walk	*w = arg;
	size_t			 len = strlen(w->path);
	int			 n;

	n = snprintf(w->path + len, sizeof(w->path) - len, "/%s", name);
	if (n < 0 || (size_t)n >= sizeof(w->path) - len) {
		w->path[len] = '\0';
		w->failed = refuse(w->err, w->path, "holds a name too long to "
		    "list", "");
		return (1);
	}
	if (fi->type == PGL_FILE_REG)
		w->stopped = w->fn(w->arg, w->path, fi->size, fi->mtime_ms);
	else if (fi->type == PGL_FILE_DIR)
		w->failed = walk_dir(w);
	w->path[len] = '\0';
	return (w->stopped || w->failed);
}

static int
walk_dir(struct disk_walk *w)
{
	int	rc;

	if (++w->depth > LIST_DEPTH) {
		w->depth--;
		return (refuse(w->err, w->path, "nests directories deeper "
		    "than 32", ""));
	}
	rc = pgl_file_list(w->root, w->path, on_disk_entry, w, w->err);
	w->depth--;
	if (rc != PGL_OK)
		return (rc);
	return (w->failed);
}

struct s3_walk {
	const char	*bucket;
	pgl_obj_list_fn	 fn;
	void		*arg;
	char		 location[4096];
};

static int
on_s3_object(void *arg, const char *key, uint64_t size, int64_t mtime_ms)
{
	struct s3_walk	*w = arg;
	int		 n;

	n = snprintf(w->location, sizeof(w->location), "s3://%s/%s",
	    w->bucket, key);
	if (n < 0 || (size_t)n >= sizeof(w->location))
		return (0);	/* no location of ours is that long */
	return (w->fn(w->arg, w->location, size, mtime_ms));
}

/* A listed blob as a location: the storage root's scheme and host, as
 * the server writes them, then the blob's path. */
struct azure_walk {
	char		 base[512];	/* "abfss://c@a.dfs.core.windows.net" */
	pgl_obj_list_fn	 fn;
	void		*arg;
	char		 location[4096];
};

static int
on_blob(void *arg, const char *blob, uint64_t size, int64_t mtime_ms)
{
	struct azure_walk	*w = arg;
	int			 n;

	n = snprintf(w->location, sizeof(w->location), "%s/%s", w->base,
	    blob);
	if (n < 0 || (size_t)n >= sizeof(w->location))
		return (0);	/* no location of ours is that long */
	return (w->fn(w->arg, w->location, size, mtime_ms));
}

static int
azure_list(const struct pgl_storage *st, const char *loc,
    pgl_obj_list_fn fn, void *arg, struct pgl_err *err)
{
	struct azure_walk	 w;
	const char		*blob, *root, *host;
	char			 canon[PGL_LOCATION_MAX + 16];
	char			 prefix[2048];
	int			 rc;

	if ((rc = azure_blob(st, loc, &blob, err)) != PGL_OK)
		return (rc);
	root = pgl_location_canon(st->root, canon, sizeof(canon));
	host = strstr(root, "://");
	rc = host != NULL ? (int)strcspn(host + 3, "/") : -1;
	if (rc < 0 || (size_t)(host + 3 - root) + (size_t)rc >= sizeof(w.base))
		return (refuse(err, loc, "is too long to list", ""));
	(void)snprintf(w.base, sizeof(w.base), "%.*s", (int)(host + 3 - root) +
	    rc, root);
	w.fn = fn;
	w.arg = arg;
	rc = snprintf(prefix, sizeof(prefix), "%s/", blob);
	if (rc < 0 || (size_t)rc >= sizeof(prefix))
		return (refuse(err, loc, "is too long to list", ""));
	return (pgl_azure_list(&st->az, prefix, on_blob, &w, err));
}

int
pgl_obj_list(const struct pgl_storage *st, const char *loc,
    pgl_obj_list_fn fn, void *arg, struct pgl_err *err)
{
	struct disk_walk	 d;
	struct s3_walk		 s = { st->s3.bucket, fn, arg, "" };
	const char		*key;
	char			 prefix[2048];
	int			 rc;

	if (st->is_azure)
		return (azure_list(st, loc, fn, arg, err));
	if (st->is_s3) {
		if ((rc = s3_key(st, loc, &key, err)) != PGL_OK)
			return (rc);
		rc = snprintf(prefix, sizeof(prefix), "%s/", key);
		if (rc < 0 || (size_t)rc >= sizeof(prefix))
			return (refuse(err, loc, "is too long to list", ""));
		return (pgl_s3_list(&st->s3, prefix, on_s3_object, &s, err));
	}
	memset(&d, 0, sizeof(d));
	d.root = st->root;
	d.fn = fn;
	d.arg = arg;
	d.err = err;
	if (pgl_strlcpy(d.path, loc, sizeof(d.path)) >= sizeof(d.path))
		return (refuse(err, loc, "is too long to list", ""));
	rc = walk_dir(&d);
	if (rc == PGL_ENOTFOUND && d.depth == 0 && !d.failed)
		return (PGL_OK);
	return (rc);
}
