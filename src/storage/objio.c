#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
pgl_obj_read(const struct pgl_storage *st, const char *loc, size_t max,
    char **data, size_t *len, struct pgl_err *err)
{
	const char	*key;
	int		 rc;

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

	if (!st->is_s3) {
		for (i = 0; i < n; i++) {
			if (pgl_file_delete(st->root, locs[i], &one) !=
			    PGL_OK && rc == PGL_OK) {
				*err = one;
				rc = one.code;
			}
		}
		return (rc);
	}
	if ((keys = calloc(n + 1, sizeof(*keys))) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (PGL_ENOMEM);
	}
	for (i = 0; i < n; i++) {
		if (s3_key(st, locs[i], &keys[nk], &one) == PGL_OK)
			nk++;
		else if (rc == PGL_OK) {
			*err = one;
			rc = one.code;
		}
	}
	if (nk > 0 && pgl_s3_delete_keys(&st->s3, keys, nk, &one) != PGL_OK &&
	    rc == PGL_OK) {
		*err = one;
		rc = one.code;
	}
	free(keys);
	return (rc);
}
