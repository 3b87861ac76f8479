/*
 * [quota] (issue 67): the defaults of every tenant's quota and their
 * environment variables, PANGOLIN_QUOTA_<KEY> for [quota] <key>.  The
 * file's keys are config_file.c's table; what the numbers mean is
 * api/quota/ (and docs/limits.md, "Quotas").
 *
 * Out of the box one tenant cannot grow the store by more than 2 GiB:
 * max_bytes bounds every kind together, the room the logs and plans may
 * take counted at their own ceilings (api/quota/quota_limits.c).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_parts.h"

#define MIB	(1024LL * 1024)

void
pgl_config_quota_defaults(struct pgl_config *c)
{
	c->quota.max_bytes = 2048 * MIB;
	c->quota.count[PGL_Q_NAMESPACES] = 10000;
	c->quota.count[PGL_Q_TABLES] = 100000;
	c->quota.count[PGL_Q_VIEWS] = 10000;
	c->quota.count[PGL_Q_ASSETS] = 100000;
	c->quota.count[PGL_Q_COMMITS] = 1000000;
	c->quota.count[PGL_Q_AUDIT] = 1000000;
	c->quota.count[PGL_Q_OTHER] = 100000;
	/* The logs' room, kept by deleting their oldest. */
	c->quota.bytes[PGL_Q_EVENTS] = 256 * MIB;
	c->quota.bytes[PGL_Q_AUDIT] = 128 * MIB;
	/* Every tenant's stored scan plans together: eight tenants at
	 * [scan] max_bytes_per_tenant. */
	c->scan.max_bytes_total = 2048 * MIB;
}

static const struct {
	const char	*env;
	size_t		 off;
} envs[] = {
#define Q(f)	offsetof(struct pgl_config, quota.f)
	{ "PANGOLIN_QUOTA_MAX_BYTES", Q(max_bytes) },
	{ "PANGOLIN_QUOTA_NAMESPACES", Q(count[PGL_Q_NAMESPACES]) },
	{ "PANGOLIN_QUOTA_NAMESPACES_BYTES", Q(bytes[PGL_Q_NAMESPACES]) },
	{ "PANGOLIN_QUOTA_TABLES", Q(count[PGL_Q_TABLES]) },
	{ "PANGOLIN_QUOTA_TABLES_BYTES", Q(bytes[PGL_Q_TABLES]) },
	{ "PANGOLIN_QUOTA_VIEWS", Q(count[PGL_Q_VIEWS]) },
	{ "PANGOLIN_QUOTA_VIEWS_BYTES", Q(bytes[PGL_Q_VIEWS]) },
	{ "PANGOLIN_QUOTA_ASSETS", Q(count[PGL_Q_ASSETS]) },
	{ "PANGOLIN_QUOTA_ASSETS_BYTES", Q(bytes[PGL_Q_ASSETS]) },
	{ "PANGOLIN_QUOTA_METADATA_BYTES", Q(bytes[PGL_Q_METADATA]) },
	{ "PANGOLIN_QUOTA_COMMITS", Q(count[PGL_Q_COMMITS]) },
	{ "PANGOLIN_QUOTA_COMMITS_BYTES", Q(bytes[PGL_Q_COMMITS]) },
	{ "PANGOLIN_QUOTA_DROPPED_BYTES", Q(bytes[PGL_Q_DROPPED]) },
	{ "PANGOLIN_QUOTA_POLICIES_BYTES", Q(bytes[PGL_Q_POLICIES]) },
	{ "PANGOLIN_QUOTA_WEBHOOKS_BYTES", Q(bytes[PGL_Q_WEBHOOKS]) },
	{ "PANGOLIN_QUOTA_EVENTS_BYTES", Q(bytes[PGL_Q_EVENTS]) },
	{ "PANGOLIN_QUOTA_AUDIT", Q(count[PGL_Q_AUDIT]) },
	{ "PANGOLIN_QUOTA_AUDIT_BYTES", Q(bytes[PGL_Q_AUDIT]) },
	{ "PANGOLIN_QUOTA_OTHER", Q(count[PGL_Q_OTHER]) },
	{ "PANGOLIN_QUOTA_OTHER_BYTES", Q(bytes[PGL_Q_OTHER]) },
#undef Q
	{ "PANGOLIN_SCAN_MAX_BYTES_TOTAL",
	    offsetof(struct pgl_config, scan.max_bytes_total) },
};

int
pgl_config_quota_env(struct pgl_config *c, struct pgl_config_error *err)
{
	const char	*v;
	char		*end;
	long long	 n;
	size_t		 i;

	for (i = 0; i < sizeof(envs) / sizeof(envs[0]); i++) {
		if ((v = getenv(envs[i].env)) == NULL || *v == '\0')
			continue;
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno != 0 || *end != '\0' || end == v || n < 0 ||
		    n > PGL_QUOTA_MAX) {
			pgl_config_seterr(err, 0, envs[i].env, "must be an "
			    "integer between 0 and %lld",
			    (long long)PGL_QUOTA_MAX);
			return (-1);
		}
		*(int64_t *)(void *)((char *)c + envs[i].off) = n;
	}
	return (0);
}
