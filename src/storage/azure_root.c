/*
 * An Azure warehouse's root (azure_root.h).
 */
#include <string.h>
#include <strings.h>

#include "storage/azure_root.h"
#include "util/json.h"

/* The DNS suffix of the account's hosts (azure_root.h). */
static const char *
dfs_suffix(struct pgl_arena *a, const char *account, const char *ep)
{
	const char	*h;
	size_t		 n = strlen(account);

	if (ep == NULL || (h = strstr(ep, "://")) == NULL)
		return ("core.windows.net");
	h += 3;
	if (strncasecmp(h, account, n) != 0 ||
	    strncasecmp(h + n, ".blob.", 6) != 0 || h[n + 6] == '\0' ||
	    strpbrk(h + n + 6, "/:") != NULL)
		return ("core.windows.net");
	return (pgl_arena_strdup(a, h + n + 6));
}

const char *
pgl_azure_root(struct pgl_arena *a, const json_t *cfg)
{
	const char	*account = pgl_json_str(cfg, "account_name");
	const char	*container = pgl_json_str(cfg, "container");
	const char	*prefix = pgl_json_str(cfg, "prefix");
	const char	*suffix;

	if (account == NULL || *account == '\0' || container == NULL ||
	    *container == '\0')
		return (NULL);
	suffix = dfs_suffix(a, account, pgl_json_str(cfg, "endpoint"));
	if (prefix == NULL || *prefix == '\0')
		return (pgl_arena_printf(a, "abfss://%s@%s.dfs.%s", container,
		    account, suffix));
	return (pgl_arena_printf(a, "abfss://%s@%s.dfs.%s/%s", container,
	    account, suffix, prefix));
}
