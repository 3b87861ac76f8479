/*
 * The read room's metadata files (ARCHITECTURE.md §14): read from the
 * catalog's storage, plain or gzip, through this worker's cache (the
 * plain bytes, and the gzip segment a gzip client's load is framed
 * around), parsed or as they lie; an I/O error translated once into an
 * Iceberg reply; and a location spelled as the server answers it.  The
 * commit room reads its bases here and puts what a swap made current in
 * the same cache (ice_cache_metadata); it writes its files itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/cache/cache.h"
#include "api/request/fetch.h"
#include "api/storage/storage.h"
#include "api/read/read.h"
#include "app/app.h"
#include "http/gzip.h"
#include "storage/codec.h"
#include "storage/objio.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"

static int
io_fail(struct pgl_err *err, int code, const char *what, const char *location)
{
	err->code = code;
	(void)snprintf(err->msg, sizeof(err->msg), "%s: %.200s", what,
	    location);
	return (code);
}

/* The file from storage, decompressed, malloc'd; errors as above. */
static int
metadata_read(struct pgl_req *r, const struct pgl_catalog *cat,
    const char *location, char **out, size_t *outlen, struct pgl_err *err)
{
	const struct pgl_storage	*st;
	char				*raw, *plain;
	size_t				 len, plen, max;
	int				 rc;

	max = (size_t)pgl_app.cfg->storage.max_metadata_file_bytes;
	if ((rc = api_storage(r, cat, &st, err)) != PGL_OK)
		return (rc);
	rc = api_fetch_read(r, st, location, max, &raw, &len, err);
	api_count_s3();
	if (rc != PGL_OK)
		return (rc);
	if (pgl_is_gzip(raw, len)) {
		rc = pgl_gunzip(raw, len, max, &plain, &plen);
		free(raw);
		if (rc == -1)
			return (io_fail(err, PGL_EINVAL,
			    "corrupt gzip metadata file", location));
		raw = plain;
		len = plen;
	}
	*out = raw;
	*outlen = len;
	return (PGL_OK);
}

/*
 * The plain (decompressed) bytes of a metadata file, through this
 * worker's cache: metadata files are immutable, so an entry keyed by
 * location never goes stale (ARCHITECTURE.md §7).  A view valid until
 * api_mcache_unref(*ref): on a hit the cache entry itself, pinned.
 * Quiet: errors come back in err (PGL_ENOTFOUND, PGL_EINVAL for a
 * corrupt file).
 */
static int
metadata_ref(struct pgl_req *r, const struct pgl_catalog *cat,
    const char *location, const char **out, size_t *outlen, void **ref,
    struct pgl_err *err)
{
	const void	*hit;
	char		*raw;
	size_t		 len;
	int		 rc;

	if (api_mcache_ref(location, &hit, outlen, ref) == PGL_OK) {
		*out = hit;
		return (PGL_OK);
	}
	if ((rc = metadata_read(r, cat, location, &raw, &len, err)) != PGL_OK)
		return (rc);
	api_mcache_put(location, raw, len);
	if (api_mcache_own(raw, ref) != PGL_OK)
		return (io_fail(err, PGL_ENOMEM, "out of memory", location));
	*out = raw;
	*outlen = len;
	return (PGL_OK);
}

int
ice_metadata_load(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, json_t **md, struct pgl_err *err)
{
	const char	*raw;
	char		 why[200];
	size_t		 len;
	void		*ref;
	int		 rc;

	if ((rc = metadata_ref(r, c, location, &raw, &len, &ref, err)) !=
	    PGL_OK)
		return (rc);
	*md = pgl_json_parse(raw, len, why, sizeof(why));
	api_mcache_unref(ref);
	if (*md == NULL || !json_is_object(*md)) {
		json_decref(*md);
		*md = NULL;
		return (io_fail(err, PGL_EINVAL,
		    "metadata file is not valid JSON", location));
	}
	return (PGL_OK);
}

/* One translation of a metadata I/O error into an Iceberg reply. */
static void
reply_io(struct pgl_req *r, const struct pgl_err *err, int missing,
    const char *location)
{
	if (err->code == PGL_ENOTFOUND)
		pgl_reply_ice_error(r, missing, "NotFoundException",
		    "metadata file not found: %.200s", location);
	else
		ice_reply_file_error(r, err);
}

void
ice_reply_file_error(struct pgl_req *r, const struct pgl_err *err)
{
	char	retry[16];

	switch (err->code) {
	case PGL_EINVAL:
		pgl_reply_ice_error(r, 400, "BadRequestException", "%s",
		    err->msg);
		break;
	case PGL_EUNAVAIL:
		/* The object store's answer, named by warehouse; storage
		 * messages never carry secrets.  Nothing was swapped. */
		(void)snprintf(retry, sizeof(retry), "%d",
		    pgl_s3_retry_after(err) > 0 ? pgl_s3_retry_after(err) : 1);
		pgl_set_header(r, "retry-after", retry);
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "%s", err->msg);
		break;
	default:
		pgl_reply_store_error(r, err);
	}
}

int
ice_metadata_ref(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, int missing, const char **out, size_t *outlen,
    void **ref)
{
	struct pgl_err	err;

	if (metadata_ref(r, c, location, out, outlen, ref, &err) == PGL_OK)
		return (0);
	reply_io(r, &err, missing, location);
	return (-1);
}

/*
 * The cache key of a metadata file's gzip segment; 0 if the location is
 * too long to have one (it is then compressed on every request).
 */
static int
gz_key(const char *location, char *key, size_t size)
{
	int	n = snprintf(key, size, "gz:%s", location);

	return (n > 0 && (size_t)n < size);
}

void
ice_uncache(const char *location)
{
	char	key[2048];

	api_mcache_del(location);
	if (gz_key(location, key, sizeof(key)))
		api_mcache_del(key);
}

/*
 * A metadata file as a gzip segment (http/gzip.h), cached beside its
 * plain bytes under its own key, so a loadTable hit for a gzip client
 * compresses only the few bytes around the metadata.  A view as
 * ice_metadata_ref's.
 */
int
ice_metadata_gz(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, int missing, const char **blob, size_t *bloblen,
    void **ref)
{
	struct pgl_err	 err;
	const char	*plain;
	const void	*hit;
	char		 key[2048], *made;
	size_t		 len;
	void		*pref;
	int		 keyed, rc;

	keyed = gz_key(location, key, sizeof(key));
	if (keyed && api_mcache_ref(key, &hit, bloblen, ref) == PGL_OK) {
		*blob = hit;
		return (0);
	}
	if (metadata_ref(r, c, location, &plain, &len, &pref, &err) !=
	    PGL_OK) {
		reply_io(r, &err, missing, location);
		return (-1);
	}
	rc = pgl_gz_seg_make(plain, len, &made, bloblen);
	api_mcache_unref(pref);
	if (rc == -1) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (keyed)
		api_mcache_put(key, made, *bloblen);
	*blob = made;
	if (api_mcache_own(made, ref) != PGL_OK) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	return (0);
}

int
ice_read_metadata(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, int missing, json_t **md)
{
	struct pgl_err	err;

	if (ice_metadata_load(r, c, location, md, &err) == PGL_OK)
		return (0);
	reply_io(r, &err, missing, location);
	return (-1);
}

void
ice_cache_metadata(const char *location, const char *bytes, size_t len)
{
	api_mcache_put(location, bytes, len);
}

const char *
ice_uri(struct pgl_req *r, const char *loc)
{
	char		 buf[PGL_LOCATION_MAX + 16];
	const char	*c;

	/* Azure's other spellings of one blob as abfss://. */
	if (loc != NULL && (c = pgl_location_canon(loc, buf, sizeof(buf))) !=
	    loc)
		return (pgl_arena_strdup(r->arena, c));
	if (loc == NULL || !pgl_location_is_local(loc) ||
	    strncmp(loc, "file://", 7) == 0)
		return (loc);
	return (pgl_arena_printf(r->arena, "file://%s",
	    pgl_location_path(loc)));
}
