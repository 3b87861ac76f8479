#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "plugin/loader.h"

#ifndef PGL_PREFIX
#define PGL_PREFIX	"/usr/local"
#endif

static void
seterr(struct pgl_err *err, int code, const char *fmt, ...)
{
	va_list	ap;

	err->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static int
exe_dir(char *out, size_t len)
{
	ssize_t	n;
	char	*slash;

	if ((n = readlink("/proc/self/exe", out, len - 1)) <= 0)
		return (-1);
	out[n] = '\0';
	if ((slash = strrchr(out, '/')) == NULL)
		return (-1);
	*slash = '\0';
	return (0);
}

/* dir/name if readable: into out, 0; else -1 (cand keeps the path). */
static int
try_path(char *cand, size_t clen, const char *dir, const char *name,
    char *out, size_t outlen)
{
	(void)snprintf(cand, clen, "%s/%s.so", dir, name);
	if (access(cand, R_OK) != 0)
		return (-1);
	(void)snprintf(out, outlen, "%s", cand);
	return (0);
}

/*
 * A bare name is looked up beside the binary (<dir>/plugins/, the build
 * tree), then in the installed layout relative to it
 * (<dir>/../lib/pangolin/plugins/, right for any PREFIX, and inside a
 * package unpacked anywhere), then under the compiled-in prefix.
 */
int
pgl_plugin_resolve(const char *name, char *out, size_t outlen,
    struct pgl_err *err)
{
	char	dir[PATH_MAX], sub[PATH_MAX + 32];
	char	a[PATH_MAX + 64], b[PATH_MAX + 64], c[PATH_MAX + 64];

	if (name == NULL || *name == '\0') {
		seterr(err, PGL_EINVAL, "no plugin named");
		return (-1);
	}
	if (strchr(name, '/') != NULL) {
		if (access(name, R_OK) == -1) {
			seterr(err, PGL_ENOTFOUND, "plugin %s: %s", name,
			    strerror(errno));
			return (-1);
		}
		(void)snprintf(out, outlen, "%s", name);
		return (0);
	}
	a[0] = b[0] = '\0';
	if (exe_dir(dir, sizeof(dir)) == 0) {
		(void)snprintf(sub, sizeof(sub), "%s/plugins", dir);
		if (try_path(a, sizeof(a), sub, name, out, outlen) == 0)
			return (0);
		(void)snprintf(sub, sizeof(sub), "%s/../lib/pangolin/plugins",
		    dir);
		if (try_path(b, sizeof(b), sub, name, out, outlen) == 0)
			return (0);
	}
	if (try_path(c, sizeof(c), PGL_PREFIX "/lib/pangolin/plugins", name,
	    out, outlen) == 0)
		return (0);
	seterr(err, PGL_ENOTFOUND, "plugin '%s' not found (looked for %s, %s "
	    "and %s)", name, a, b, c);
	return (-1);
}

/* dlopen + dlsym of the one entry point; returns the descriptor. */
static const void *
load(const char *name, const char *symbol, struct pgl_plugin *p,
    struct pgl_err *err)
{
	const void	*(*entry)(void);
	const void	*desc;

	memset(p, 0, sizeof(*p));
	if (pgl_plugin_resolve(name, p->path, sizeof(p->path), err) == -1)
		return (NULL);
	if ((p->dl = dlopen(p->path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		seterr(err, PGL_EINVAL, "plugin %s: dlopen failed: %s",
		    p->path, dlerror());
		return (NULL);
	}
	*(void **)&entry = dlsym(p->dl, symbol);
	if (entry == NULL) {
		seterr(err, PGL_EINVAL, "plugin %s: missing symbol %s",
		    p->path, symbol);
		pgl_plugin_unload(p);
		return (NULL);
	}
	if ((desc = entry()) == NULL) {
		seterr(err, PGL_EINVAL, "plugin %s: %s() returned NULL",
		    p->path, symbol);
		pgl_plugin_unload(p);
		return (NULL);
	}
	return (desc);
}

static int
abi_check(struct pgl_plugin *p, unsigned found, unsigned want,
    struct pgl_err *err)
{
	if (found == want)
		return (0);
	seterr(err, PGL_EINVAL, "plugin %s: ABI major version %u, this "
	    "pangolin needs %u", p->path, found, want);
	pgl_plugin_unload(p);
	return (-1);
}

/* Methods every store must implement; later groups may be NULL. */
#define REQ(m)	{ #m, offsetof(struct pgl_store_ops, m) }
static const struct {
	const char	*name;
	size_t		 off;
} required[] = {
	REQ(open), REQ(close), REQ(ping), REQ(begin), REQ(commit),
	REQ(rollback), REQ(create_tenant), REQ(get_tenant), REQ(list_tenants),
	REQ(update_tenant), REQ(delete_tenant), REQ(create_warehouse),
	REQ(get_warehouse), REQ(list_warehouses), REQ(update_warehouse),
	REQ(delete_warehouse), REQ(create_catalog), REQ(get_catalog),
	REQ(list_catalogs), REQ(update_catalog), REQ(delete_catalog),
	REQ(count_catalog), REQ(create_namespace), REQ(get_namespace),
	REQ(list_namespaces), REQ(update_namespace), REQ(delete_namespace),
	REQ(create_asset), REQ(get_asset), REQ(list_assets),
	REQ(delete_asset), REQ(copy_assets_bulk), REQ(create_branch),
	REQ(get_branch), REQ(list_branches), REQ(delete_branch),
	REQ(update_branch_head), REQ(create_tag), REQ(get_tag),
	REQ(list_tags), REQ(delete_tag), REQ(create_commit), REQ(get_commit),
	REQ(get_commit_ancestry), REQ(list_commit_ancestry),
	REQ(create_user), REQ(get_user), REQ(get_user_by_username),
	REQ(list_users), REQ(update_user), REQ(delete_user), REQ(store_token),
	REQ(list_active_tokens), REQ(get_token), REQ(revoke_token), REQ(is_token_revoked),
	REQ(cleanup_expired_tokens), REQ(create_service_user),
	REQ(get_service_user), REQ(get_service_user_by_key_id),
	REQ(list_service_users), REQ(update_service_user),
	REQ(delete_service_user), REQ(log_audit_event),
	REQ(list_audit_events), REQ(get_audit_event), REQ(create_role),
	REQ(get_role), REQ(list_roles), REQ(update_role), REQ(delete_role),
	REQ(assign_role), REQ(revoke_role), REQ(list_user_roles),
	REQ(create_permission), REQ(delete_permission), REQ(list_permissions),
};

const struct pgl_store_ops *
pgl_store_plugin_load(const char *name, struct pgl_plugin *p,
    struct pgl_err *err)
{
	const struct pgl_store_ops	*ops;
	size_t				 i;

	if ((ops = load(name, PGL_STORE_SYMBOL, p, err)) == NULL)
		return (NULL);
	if (abi_check(p, ops->abi_major, PGL_STORE_ABI_MAJOR, err) == -1)
		return (NULL);
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (*(void *const *)((const char *)ops + required[i].off) ==
		    NULL) {
			seterr(err, PGL_EINVAL, "plugin %s: required method "
			    "%s is not implemented", p->path,
			    required[i].name);
			pgl_plugin_unload(p);
			return (NULL);
		}
	}
	return (ops);
}

int
pgl_store_has_plan_parts(const struct pgl_store_ops *ops)
{
	/* Only a store that can count them (ABI 1.14): stored plans are
	 * bounded per tenant. */
	return (ops->abi_minor >= 14 && ops->put_plan_part != NULL &&
	    ops->get_plan_part != NULL && ops->delete_plan_parts != NULL &&
	    ops->purge_plan_parts != NULL && ops->plan_usage != NULL &&
	    ops->touch_plan_parts != NULL);
}

int
pgl_store_has_events(const struct pgl_store_ops *ops)
{
	/* The minor first: a 1.14 table ends before these fields. */
	return (ops->abi_minor >= 15 && ops->append_event != NULL &&
	    ops->list_events != NULL && ops->event_horizon != NULL &&
	    ops->purge_events != NULL && ops->trim_events != NULL &&
	    ops->event_usage != NULL);
}

int
pgl_store_has_webhooks(const struct pgl_store_ops *ops)
{
	/* The minor first: a 1.15 table ends before these fields. */
	return (ops->abi_minor >= 16 && ops->put_webhook != NULL &&
	    ops->get_webhook != NULL && ops->list_webhooks != NULL &&
	    ops->delete_webhook != NULL && ops->set_webhook_state != NULL &&
	    ops->claim_webhook != NULL && ops->event_newest != NULL);
}

int
pgl_store_has_dropped(const struct pgl_store_ops *ops)
{
	/* The minor first: a 1.17 table ends before these fields. */
	return (ops->abi_minor >= 18 && ops->put_dropped != NULL &&
	    ops->get_dropped != NULL && ops->list_dropped != NULL &&
	    ops->delete_dropped != NULL);
}

int
pgl_store_has_fork(const struct pgl_store_ops *ops)
{
	return (ops->abi_minor >= 12 && ops->fork_branch != NULL);
}

int
pgl_store_is_atomic(const struct pgl_store_ops *ops, struct pgl_store *s)
{
	return (ops->abi_minor >= 13 && ops->atomic != NULL && s != NULL &&
	    ops->atomic(s));
}

const struct pgl_cache_ops *
pgl_cache_plugin_load(const char *name, struct pgl_plugin *p,
    struct pgl_err *err)
{
	const struct pgl_cache_ops	*ops;

	if ((ops = load(name, "pangolin_cache_plugin", p, err)) == NULL)
		return (NULL);
	if (abi_check(p, ops->abi_major, PGL_CACHE_ABI_MAJOR, err) == -1)
		return (NULL);
	return (ops);
}

void
pgl_plugin_unload(struct pgl_plugin *p)
{
	if (p->dl != NULL)
		(void)dlclose(p->dl);
	p->dl = NULL;
}

/* Data policies and column tags (ABI 1.17, issue 46). */
int
pgl_store_has_policies(const struct pgl_store_ops *ops)
{
	/* The minor first: a 1.17 table ends before these fields. */
	return (ops->abi_minor >= 17 && ops->put_policy != NULL &&
	    ops->get_policy != NULL && ops->list_policies != NULL &&
	    ops->delete_policy != NULL && ops->set_column_tags != NULL &&
	    ops->list_column_tags != NULL);
}

/* Column tags in discovery search (ABI 1.19, issue 46). */
int
pgl_store_has_column_search(const struct pgl_store_ops *ops)
{
	/* The minor first: a 1.18 table ends before this field. */
	return (ops->abi_minor >= 19 && ops->list_column_tags_of != NULL);
}

/* Column tags kept by a drop (ABI 1.20, undrop). */
int
pgl_store_has_dropped_tags(const struct pgl_store_ops *ops)
{
	return (ops->abi_minor >= 20 && pgl_store_has_dropped(ops) &&
	    pgl_store_has_policies(ops));
}

/* A tenant's transactions one at a time (ABI 1.22). */
int
pgl_store_can_begin_tenant(const struct pgl_store_ops *ops)
{
	return (ops->abi_minor >= 22 && ops->begin_tenant != NULL);
}

/* A begin that gives way to another writer (ABI 1.23). */
int
pgl_store_can_try_begin(const struct pgl_store_ops *ops)
{
	return (ops->abi_minor >= 23 && ops->try_begin != NULL);
}

/* Writes sent without waiting for their answers (ABI 1.24). */
int
pgl_store_can_defer_writes(const struct pgl_store_ops *ops)
{
	return (ops->abi_minor >= 24 && ops->defer_writes != NULL);
}

/* A COMMIT answered later, the caller's thread free meanwhile (ABI
 * 1.25). */
int
pgl_store_can_send_commit(const struct pgl_store_ops *ops)
{
	return (ops->abi_minor >= 25 && ops->commit_send != NULL &&
	    ops->commit_poll != NULL);
}

/* The log's sync left to the host (ABI 1.21). */
int
pgl_store_can_defer_sync(const struct pgl_store_ops *ops)
{
	return (ops->abi_minor >= 21 && ops->defer_log_sync != NULL);
}

/* Every table owns its files: the owner of a place (ABI 1.26). */
int
pgl_store_has_owners(const struct pgl_store_ops *ops)
{
	return (ops->abi_minor >= 26 && ops->find_location_owner != NULL &&
	    ops->list_location_owners != NULL);
}

/* The usage ledger (ABI 1.27, issue 67): a tenant's quota. */
int
pgl_store_has_usage(const struct pgl_store_ops *ops)
{
	/* The minor first: a 1.26 table ends before these fields. */
	return (ops != NULL && ops->abi_minor >= 27 && ops->usage != NULL &&
	    ops->usage_recount != NULL && ops->trim_audit != NULL);
}
