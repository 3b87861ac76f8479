/*
 * An Azure warehouse's settings (storage.h): its account, container and
 * endpoint, its Shared Key or Microsoft Entra service principal (secrets
 * opened), and how it vends SAS tokens (a container-wide one only where
 * the operator lists the container: widen.h).  The names are the issue's
 * storage_config keys; like the S3 settings, every value is a string.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/storage/storage.h"
#include "api/storage/warehouse_secrets.h"
#include "api/storage/widen.h"
#include "storage/azure.h"
#include "storage/azure_root.h"
#include "util/arena.h"
#include "util/json.h"

/* A storage_config string, copied into the request's arena; NULL when
 * absent or empty. */
static const char *
conf(struct pgl_req *r, const json_t *cfg, const char *k)
{
	const char	*v = pgl_json_str(cfg, k);

	return (v != NULL && *v != '\0' ? pgl_arena_strdup(r->arena, v) :
	    NULL);
}

/* sas_lifetime_secs, checked at create (warehouses.c): the default when
 * absent. */
int
api_azure_sas_lifetime(const json_t *cfg)
{
	const char	*v = pgl_json_str(cfg, "sas_lifetime_secs");
	long		 n;

	if (v == NULL || *v == '\0')
		return (API_SAS_LIFETIME_DEFAULT);
	n = strtol(v, NULL, 10);
	return (n >= API_SAS_LIFETIME_MIN && n <= API_SAS_LIFETIME_MAX ?
	    (int)n : API_SAS_LIFETIME_DEFAULT);
}

int
api_warehouse_azure(struct pgl_req *r, const struct pgl_warehouse *w,
    struct api_azure_conf *out, struct pgl_err *err)
{
	struct pgl_azure	*az = &out->az;
	const char		*root;
	json_t			*cfg;

	if ((cfg = api_secrets_open(r, "storage_config",
	    w->storage_config)) == NULL) {
		err->code = PGL_EINTERNAL;
		(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%s': "
		    "its secrets cannot be opened", w->name);
		return (err->code);
	}
	memset(out, 0, sizeof(*out));
	az->name = pgl_arena_strdup(r->arena, w->name);
	az->account = conf(r, cfg, "account_name");
	az->container = conf(r, cfg, "container");
	az->endpoint = conf(r, cfg, "endpoint");
	az->account_key = conf(r, cfg, "account_key");
	az->tenant_id = conf(r, cfg, "tenant_id");
	az->client_id = conf(r, cfg, "client_id");
	az->client_secret = conf(r, cfg, "client_secret");
	az->authority = conf(r, cfg, "authority_host");
	root = pgl_azure_root(r->arena, cfg);
	/* The operator's to say, never storage_config's (widen.h). */
	out->vend_container_sas = api_widen_container_sas(az->account,
	    az->container);
	out->sas_lifetime_secs = api_azure_sas_lifetime(cfg);
	json_decref(cfg);
	if (az->account == NULL || az->container == NULL ||
	    (az->account_key == NULL && (az->tenant_id == NULL ||
	    az->client_id == NULL || az->client_secret == NULL))) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%s': "
		    "storage_config needs account_name, container and an "
		    "account_key or an Entra tenant_id, client_id and "
		    "client_secret for Azure", w->name);
		return (err->code);
	}
	out->root = root;
	/* The Blob endpoint keys the breaker and the pool's gate (s3.h). */
	out->origin = az->endpoint != NULL ? az->endpoint :
	    pgl_arena_printf(r->arena, "https://%s.blob.core.windows.net",
	    az->account);
	return (PGL_OK);
}
