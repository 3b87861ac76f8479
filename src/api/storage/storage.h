/*
 * The storage room: a catalog's storage as the handlers use it, above the
 * shared layer (it asks the config cache for the warehouse, authorization
 * whether the caller may write, the placement rule whether it is served):
 * its location and its warehouse's S3 settings with their secrets opened
 * (storage.c, here), the secrets themselves (warehouse_secrets.h), and
 * credentials vended from STS (sts_vend.h).
 */
#ifndef PGL_API_STORAGE_H
#define PGL_API_STORAGE_H

#include <jansson.h>

#include "http/request.h"
#include "pangolin/store.h"
#include "storage/azure.h"

struct pgl_err;
struct pgl_s3;
struct pgl_storage;
struct pgl_sts;

/* An Azure warehouse's settings, opened (azure_conf.c). */
#define API_SAS_LIFETIME_DEFAULT	3600
#define API_SAS_LIFETIME_MIN		60
#define API_SAS_LIFETIME_MAX		86400
struct api_azure_conf {
	struct pgl_azure	 az;
	int			 vend_container_sas;
	int			 sas_lifetime_secs;
	const char		*root;	/* abfss://<container>@<account>.dfs.
					 * <suffix>[/<prefix>] */
	const char		*origin; /* the Blob endpoint */
};
int	api_warehouse_azure(struct pgl_req *, const struct pgl_warehouse *,
	    struct api_azure_conf *, struct pgl_err *);
/* storage_config's sas_lifetime_secs, or the default. */
int	api_azure_sas_lifetime(const json_t *cfg);

/* storage.c: the storage of catalog c (cached for the request). */
int	api_storage(struct pgl_req *, const struct pgl_catalog *c,
	    const struct pgl_storage **, struct pgl_err *);
/*
 * The operator lists s3's bucket for its keys to be vended, and another
 * warehouse (not warehouse_id) is in it: 1 (logged), 0 not, -1 the store
 * cannot say.  Keys go out only on 0 (widen.h).
 */
int	api_keys_shared(struct pgl_req *, const struct pgl_s3 *s3,
	    const char *warehouse_id);
/* A warehouse's S3 settings, secrets opened, whether it vends its keys,
 * its STS role (sts not NULL; role_arn NULL if none) and (root not NULL)
 * its root s3://<bucket>[/<prefix>]; PGL_EINVAL when it is not an S3
 * warehouse with keys. */
int	api_warehouse_s3(struct pgl_req *, const struct pgl_warehouse *,
	    struct pgl_s3 *, int *vend_keys, struct pgl_sts *,
	    const char **root, struct pgl_err *);
/*
 * The table config X-Iceberg-Access-Delegation asks for (vended
 * credentials, or remote signing for table), or NULL (not asked, local).
 * Vended credentials are the warehouse's static keys, given only where
 * the operator lists its bucket ([storage] static_key_buckets, widen.h),
 * it holds no other warehouse, and the caller may write; other callers
 * get the remote-signing config instead.
 */
json_t	*api_vended_config(struct pgl_req *, const struct pgl_catalog *c,
	    const char *table);
/* What a client needs to reach c's files on S3: the STS credentials
 * this request holds (sts_vend.h) for a warehouse that vends from STS,
 * else the warehouse's keys; NULL for none (local, a bucket not listed,
 * a caller who may not write the table, or no STS credentials held). */
json_t	*api_client_config(struct pgl_req *, const struct pgl_catalog *c);
/* Whether the caller may write the request's table (update on it, or on
 * its namespace when it has no row yet); admins may. */
int	api_may_write(struct pgl_req *, const struct pgl_catalog *c);

#endif
