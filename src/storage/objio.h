/*
 * The files of one catalog wherever its storage is: local disk (FileIO,
 * fileio.h, confined to the storage location without following links),
 * S3 (s3.h) or Azure Blob storage (azure.h), chosen by the storage
 * location's scheme.  Every location is checked against the storage
 * location as text first (no "." or ".." segments, inside it
 * segment-wise); on S3 it must also name the warehouse's bucket, on Azure
 * its account and container.
 */
#ifndef PGL_OBJIO_H
#define PGL_OBJIO_H

#include <stddef.h>

#include "storage/azure.h"
#include "storage/s3.h"
#include "storage/sts.h"

struct pgl_storage {
	const char	*root;		/* the catalog's storage location */
	int		 remote;	/* an object store (S3 or Azure): its
					 * calls never run on the event loop */
	int		 is_s3;		/* root is s3:// or s3a:// */
	int		 is_azure;	/* root is abfss:// (or its spellings) */
	struct pgl_s3	 s3;		/* the warehouse's, when is_s3; for
					 * Azure the Blob endpoint and the
					 * warehouse's name only: the key of
					 * its breaker and gate (s3.h) */
	struct pgl_azure az;		/* the warehouse's, when is_azure */
	int		 vend_container_sas; /* the operator lets a
					 * container-wide SAS go out */
	int		 sas_lifetime_secs;
	int		 vend_keys;	/* [storage] static_key_buckets lists
					 * the bucket: the operator lets the
					 * static keys go to the table's
					 * writers */
	struct pgl_sts	 sts;		/* role_arn set: vends from STS */
	const char	*warehouse_id;	/* when remote */
};

int	pgl_obj_read(const struct pgl_storage *, const char *location,
	    size_t max, char **data, size_t *len, struct pgl_err *);
/* Metadata files are immutable and uniquely named: written once. */
int	pgl_obj_write(const struct pgl_storage *, const char *location,
	    const void *data, size_t len, struct pgl_err *);
/* A missing file is not an error. */
int	pgl_obj_delete(const struct pgl_storage *, const char *location,
	    struct pgl_err *);
/*
 * Delete many: on S3 in multi-object deletes of up to 1,000; on disk one
 * by one.  Locations the storage refuses (outside it) are skipped, never
 * deleted; the first refusal or failure is reported after the rest ran.
 */
int	pgl_obj_delete_many(const struct pgl_storage *,
	    const char *const *locations, size_t n, struct pgl_err *);

/*
 * Every file below location, recursively: on disk regular files only
 * (links are never followed nor reported; a directory deeper than 32 is
 * an error), on S3 every object under location + "/".  fn gets each
 * file's full location (location + "/" + its relative name), size and
 * modification time; non-zero from fn stops the walk.  A missing
 * location lists nothing.
 */
typedef int	(*pgl_obj_list_fn)(void *arg, const char *location,
		    uint64_t size, int64_t mtime_ms);
int	pgl_obj_list(const struct pgl_storage *, const char *location,
	    pgl_obj_list_fn fn, void *arg, struct pgl_err *);

#endif
