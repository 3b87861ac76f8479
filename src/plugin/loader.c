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

/*
 * The store ABI's layout (pangolin/store.h), which this file reads plugins
 * by: checked at compile time, so that a field moved, inserted or removed
 * fails the build, not every plugin built before.  A slot is one method
 * pointer (open is 0); each minor's first method sits where plugins of
 * that minor expect it, and the table ends after the last.  A struct's
 * appended fields stay last, in order.  A new minor adds its line.
 */
#define ABI_SLOT(m)							\
	((offsetof(struct pgl_store_ops, m) -				\
	    offsetof(struct pgl_store_ops, open)) / sizeof(void (*)(void)))
#define ABI_AT(minor, m, slot)						\
	_Static_assert(ABI_SLOT(m) == (slot),				\
	    "store ABI 1." #minor ": " #m " moved")
#define ABI_NEXT(type, a, b)						\
	_Static_assert(offsetof(type, b) == offsetof(type, a) +		\
	    sizeof(((type *)0)->a), #type ": " #b " moved")
#define ABI_LAST(type, f)						\
	_Static_assert(sizeof(type) == offsetof(type, f) +		\
	    sizeof(((type *)0)->f), #type ": " #f " is not last")

ABI_AT(0, open, 0);
ABI_AT(1, round_trips, 98);
ABI_AT(2, list_commit_ancestry, 99);
ABI_AT(3, get_token, 100);
ABI_AT(4, announce_change, 101);
ABI_AT(6, get_merge_base, 103);
ABI_AT(7, revoke_user_tokens, 105);
ABI_AT(8, delete_audit_events_before, 106);
ABI_AT(9, list_assets_after, 107);
ABI_AT(10, put_business_metadata, 108);
ABI_AT(11, put_plan_part, 118);
ABI_AT(12, fork_branch, 122);
ABI_AT(13, atomic, 123);
ABI_AT(14, plan_usage, 124);
ABI_AT(15, append_event, 126);
ABI_AT(16, put_webhook, 132);
ABI_AT(17, put_policy, 139);
ABI_AT(18, put_dropped, 145);
ABI_AT(19, list_column_tags_of, 149);
ABI_AT(21, defer_log_sync, 150);
ABI_AT(22, begin_tenant, 151);
ABI_AT(23, try_begin, 152);
ABI_AT(24, defer_writes, 153);
ABI_AT(25, commit_send, 154);
ABI_AT(26, find_location_owner, 156);
ABI_AT(27, usage, 158);
ABI_AT(29, read_after, 161);
ABI_AT(30, labels_any, 162);
ABI_LAST(struct pgl_store_ops, labels_any);
ABI_NEXT(struct pgl_commit, operations, merge_parent_id);	/* 1.6 */
ABI_LAST(struct pgl_commit, merge_parent_id);
ABI_NEXT(struct pgl_branch, created_at_ms, parent);		/* 1.12 */
ABI_LAST(struct pgl_branch, parent);
ABI_NEXT(struct pgl_dropped, dropped_by, column_tags);	/* 1.20 */
ABI_NEXT(struct pgl_dropped, column_tags, origin);		/* 1.26 */
ABI_LAST(struct pgl_dropped, origin);
ABI_NEXT(struct pgl_asset, updated_at_ms, origin);		/* 1.26 */
ABI_LAST(struct pgl_asset, origin);
ABI_NEXT(struct pgl_page, offset, after);			/* 1.28 */
ABI_LAST(struct pgl_page, after);
ABI_NEXT(struct pgl_permission, doc, seq);			/* 1.28 */
ABI_LAST(struct pgl_permission, seq);

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

