/*
 * Settings that widen a credential are the operator's (issue 67).  A
 * vended credential reaches one table's files; two settings would make
 * it reach further, so neither is a tenant's to set:
 *
 *   - a container-wide SAS for an Azure warehouse (plain Blob accounts,
 *     which have no directories to scope a SAS to): every prefix of the
 *     container, another tenant's warehouse in it too;
 *   - an S3 warehouse's own long-term keys vended to its writers: the
 *     whole bucket at least, whatever else the keys open.
 *
 * Each is decided by the operator's configuration alone: [storage]
 * azure_container_sas lists the "<account>/<container>"s whose warehouse
 * vends a container SAS, [storage] static_key_buckets the buckets whose
 * warehouse vends its keys.  The storage_config keys that once said so
 * ("vend_container_sas", "vend_static_keys") are refused when they ask
 * for it (422), dropped when they say "false", and ignored as stored.
 *
 * And such a place holds one warehouse: a second one in a listed
 * container or bucket, of any tenant, is refused where it is placed,
 * and a credential is refused (never vended) while one is there anyway
 * (a row stored before the rule or the listing), so the wide credential
 * never reaches another tenant's or another warehouse's prefix.
 */
#ifndef PGL_API_WIDEN_H
#define PGL_API_WIDEN_H

#include <jansson.h>

#include "http/request.h"

/*
 * cfg (a storage_config as sent) asks for what only the operator may
 * set: the 422 message naming the key and the setting, or NULL.
 */
const char	*api_widen_refused(struct pgl_req *, const json_t *cfg);
/* Take the keys out of cfg (a storage_config about to be stored). */
void		 api_widen_strip(json_t *cfg);

/* The operator lists this Azure container / S3 bucket (1), or not (0). */
int		 api_widen_container_sas(const char *account,
		    const char *container);
int		 api_widen_static_keys(const char *bucket);

/*
 * The listed place of cfg (an Azure container or an S3 bucket the
 * operator lists) holds a warehouse other than self_id (NULL: none is
 * self), of any tenant: 1; 0 when not, or when cfg's place is not
 * listed; -1 when the store cannot say (then refuse).  *place names it
 * ("container c of account a", "bucket b") for messages.
 */
int		 api_widen_shared(struct pgl_req *, const json_t *cfg,
		    const char *self_id, const char **place);

#endif
