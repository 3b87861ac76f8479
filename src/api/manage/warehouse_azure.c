/*
 * An Azure warehouse's storage_config, checked before it is stored
 * (warehouses.c): names Azure accepts, an endpoint the operator allows,
 * one way to authenticate, SAS settings in range, and a place no other
 * tenant holds (placement.h).  Whether a SAS may be container-wide is the
 * operator's (api/storage/widen.h), not storage_config's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "api/placement/placement.h"
#include "api/storage/storage.h"
#include "storage/azure_root.h"
#include "util/base64.h"
#include "util/json.h"
#include "util/seal.h"

/* Azure's rule for an account name: 3 to 24 lower-case letters and digits. */
static int
account_ok(const char *a)
{
	size_t	n = strlen(a), i;

	if (n < 3 || n > 24)
		return (0);
	for (i = 0; i < n; i++) {
		if (!islower((unsigned char)a[i]) && !isdigit((unsigned char)a[i]))
			return (0);
	}
	return (1);
}

/* A container: 3 to 63 of a-z, 0-9 and '-', starting and ending with a
 * letter or digit, no "--". */
static int
container_ok(const char *c)
{
	size_t	n = strlen(c), i;

	if (n < 3 || n > 63 || c[0] == '-' || c[n - 1] == '-' ||
	    strstr(c, "--") != NULL)
		return (0);
	for (i = 0; i < n; i++) {
		if (!islower((unsigned char)c[i]) &&
		    !isdigit((unsigned char)c[i]) && c[i] != '-')
			return (0);
	}
	return (1);
}

/*
 * The endpoint: an origin the operator allows, with no path but the
 * account's own (the emulator's path-style URLs, http://host:port/
 * <account>).  The origin is checked like an S3 endpoint's.
 */
static const char *
endpoint_check(const char *ep, const char *account, const char *field)
{
	static char	 msg[200];
	const char	*host, *path;
	char		 origin[256];

	if ((strncmp(ep, "http://", 7) != 0 && strncmp(ep, "https://", 8) !=
	    0) || strlen(ep) > 200 || strpbrk(ep, " \t\r\n?#@") != NULL ||
	    ep[strlen(ep) - 1] == '/') {
		(void)snprintf(msg, sizeof(msg), "storage_config %s must be "
		    "an http:// or https:// URL (http://host:port[/<account>])",
		    field);
		return (msg);
	}
	host = strstr(ep, "//") + 2;
	path = strchr(host, '/');
	if (path != NULL && (account == NULL || strcmp(path + 1, account) !=
	    0)) {
		(void)snprintf(msg, sizeof(msg), "storage_config %s may name "
		    "no path but the account's own (/<account_name>)", field);
		return (msg);
	}
	(void)snprintf(origin, sizeof(origin), "%.*s", (int)(path != NULL ?
	    path - ep : (ptrdiff_t)strlen(ep)), ep);
	return (api_warehouse_endpoint_refused(field, origin));
}

/* Keys and ids: printable, no spaces (they go into signed headers). */
static int
words_ok(const json_t *cfg)
{
	static const char *const keys[] = { "account_key", "tenant_id",
	    "client_id", "client_secret" };
	const char	*v;
	size_t		 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((v = pgl_json_str(cfg, keys[i])) != NULL &&
		    !api_warehouse_word_ok(v, 2048))
			return (0);
	}
	return (1);
}

/* The account key: strict base64 of 1 to 128 bytes (Azure's are 64). */
static int
key_ok(const char *k)
{
	unsigned char	raw[128];
	int		n = pgl_base64_decode_strict(k, raw, sizeof(raw));

	explicit_bzero(raw, sizeof(raw));
	return (n > 0);
}

static const char *
auth_check(const json_t *cfg)
{
	const char	*key = pgl_json_str(cfg, "account_key");
	int		 entra = 0, i;
	static const char *const sp[] = { "tenant_id", "client_id",
	    "client_secret" };

	for (i = 0; i < 3; i++)
		entra += pgl_json_str(cfg, sp[i]) != NULL;
	if (key != NULL && entra > 0)
		return ("an azure warehouse authenticates one way: "
		    "account_key, or tenant_id, client_id and client_secret "
		    "(Microsoft Entra), not both");
	if (key == NULL && entra != 3)
		return ("an azure warehouse needs account_key, or tenant_id, "
		    "client_id and client_secret (Microsoft Entra)");
	if (!words_ok(cfg))
		return ("storage_config keys and ids must be printable text "
		    "without spaces");
	/* A mistyped key is told here, not at the first commit.  (An
	 * update's check sees the merged config with its secrets opened:
	 * warehouses.c.) */
	if (key != NULL && !pgl_seal_is_sealed(key) && !key_ok(key))
		return ("storage_config account_key must be the account's "
		    "base64 key, as the Azure portal shows it");
	return (NULL);
}

static int
lifetime_ok(const char *v)
{
	char	*end;
	long	 n;

	if (v == NULL)
		return (1);
	n = strtol(v, &end, 10);
	return (*v != '\0' && *end == '\0' && n >= API_SAS_LIFETIME_MIN &&
	    n <= API_SAS_LIFETIME_MAX);
}

const char *
api_warehouse_azure_check(struct pgl_req *r, const json_t *cfg)
{
	const char	*account = pgl_json_str(cfg, "account_name");
	const char	*container = pgl_json_str(cfg, "container");
	const char	*prefix = pgl_json_str(cfg, "prefix");
	const char	*ep = pgl_json_str(cfg, "endpoint");
	const char	*authority = pgl_json_str(cfg, "authority_host");
	const char	*why;

	if (account == NULL || !account_ok(account))
		return ("an azure warehouse needs storage_config.account_name: "
		    "3 to 24 lower-case letters and digits");
	if (container == NULL || !container_ok(container))
		return ("an azure warehouse needs storage_config.container: 3 "
		    "to 63 of a-z, 0-9 and '-', no '--', not starting or "
		    "ending with '-'");
	if (prefix != NULL && *prefix != '\0' &&
	    !api_warehouse_prefix_ok(prefix, "?#"))
		return ("storage_config prefix must be path segments without "
		    "'.', '..', '?', '#' or control bytes");
	if (ep != NULL && (why = endpoint_check(ep, account, "endpoint")) !=
	    NULL)
		return (why);
	if (authority != NULL && (why = endpoint_check(authority, NULL,
	    "authority_host")) != NULL)
		return (why);
	if ((why = auth_check(cfg)) != NULL)
		return (why);
	if (!lifetime_ok(pgl_json_str(cfg, "sas_lifetime_secs")))
		return ("storage_config sas_lifetime_secs must be a whole "
		    "number of seconds from 60 to 86400");
	return (api_placement_azure(r, pgl_azure_root(r->arena, cfg)));
}
