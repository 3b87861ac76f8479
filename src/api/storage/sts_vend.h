/*
 * Vended credentials from STS (pangolin-api.md §2.2): a warehouse with
 * use_sts and a role_arn, or the AwsSts vending strategy, hands a client
 * temporary keys from AssumeRole whose session policy reaches one table's
 * files only, read-only unless the caller may write the table.
 *
 * A handler that answers with credentials calls api_sts_prepare() for the
 * table's location before anything it cannot do twice.  Credentials this
 * worker minted for the same table, access level and role are reused
 * until shortly before they lapse (storage/sts_cache.h); otherwise the
 * AssumeRole call goes to the write pool as a fetch (fetch.h), the
 * request waits off the event loop and its handler runs again with them.
 * Later steps of the request (storage.c) find them with api_sts_held().
 * For an Azure warehouse it gets the SAS instead (azure_vend.h).
 */
#ifndef PGL_API_STS_VEND_H
#define PGL_API_STS_VEND_H

#include "http/request.h"
#include "pangolin/store.h"
#include "storage/sts.h"

/* In the parent, before fork: the cache's statistics row. */
void	api_sts_vend_init(void);
/* In each worker: its cache, [storage] sts_cache_entries. */
void	api_sts_vend_open(void);

/*
 * For a request that will answer credentials for the table at location
 * in catalog c: when it asked for vended credentials (or always, for the
 * /credentials route) and c's warehouse vends from STS, get them.
 * 0: ready (or nothing to get); -1: replied (an error, or a wait the
 * fetch takes back; either way the handler returns).
 */
int	api_sts_prepare(struct pgl_req *, const struct pgl_catalog *c,
	    const char *location, int always);

/* The credentials api_sts_prepare() got for this request, or NULL. */
const struct pgl_sts_creds *api_sts_held(struct pgl_req *);

#endif
