/*
 * The quota's one model (issue 67): every kind a tenant makes the store
 * hold, the store's name for it, where its limits come from, and a
 * tenant's own limits over the settings.
 *
 * The kinds that had a count limit before keep their settings ([undrop]
 * max_per_tenant, [policies] max_per_tenant, [events]
 * webhooks_max_per_tenant and max_per_tenant, [scan]
 * max_plans_per_tenant and max_bytes_per_tenant); every other limit is
 * [quota]'s (config_quota.c).  A tenant's property pangolin.quota.<key>
 * (<key> as in [quota]: max_bytes, tables, tables_bytes, ...; the
 * kinds above by their kind's name: policies, webhooks, dropped,
 * plans; not events, whose count stays the setting) replaces the
 * setting for that tenant; root alone
 * changes a tenant's properties (PUT /api/v1/tenants/{id}).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/quota/quota.h"
#include "app/app.h"
#include "util/json.h"

#define PROP_PREFIX	"pangolin.quota."

static const char *const names[PGL_QUOTA_KINDS] = {
	[PGL_Q_NAMESPACES] = "namespaces",
	[PGL_Q_TABLES] = "tables",
	[PGL_Q_VIEWS] = "views",
	[PGL_Q_ASSETS] = "assets",
	[PGL_Q_METADATA] = "metadata",
	[PGL_Q_COMMITS] = "commits",
	[PGL_Q_DROPPED] = "dropped",
	[PGL_Q_POLICIES] = "policies",
	[PGL_Q_WEBHOOKS] = "webhooks",
	[PGL_Q_EVENTS] = "events",
	[PGL_Q_AUDIT] = "audit",
	[PGL_Q_PLANS] = "plans",
	[PGL_Q_OTHER] = "other",
};

const char *
api_quota_kind_name(enum pgl_quota_kind k)
{
	return ((unsigned)k < PGL_QUOTA_KINDS ? names[k] : "total");
}

int
api_quota_kind_of(const char *name)
{
	int	k;

	for (k = 0; k < PGL_QUOTA_KINDS; k++) {
		if (strcmp(names[k], name) == 0)
			return (k);
	}
	return (-1);
}

int
api_quota_kind_trimmed(enum pgl_quota_kind k)
{
	return (k == PGL_Q_EVENTS || k == PGL_Q_AUDIT);
}

/* The settings alone. */
static void
settings(struct api_quota_limits *l)
{
	const struct pgl_config	*c = pgl_app.cfg;
	int			 k;

	l->max_bytes = c->quota.max_bytes;
	for (k = 0; k < PGL_QUOTA_KINDS; k++) {
		l->count[k] = c->quota.count[k];
		l->bytes[k] = c->quota.bytes[k];
	}
	l->count[PGL_Q_DROPPED] = c->undrop.max_per_tenant;
	l->count[PGL_Q_POLICIES] = c->policies.max_per_tenant;
	l->count[PGL_Q_WEBHOOKS] = c->events.webhooks_max_per_tenant;
	l->count[PGL_Q_EVENTS] = c->events.max_per_tenant;
	l->count[PGL_Q_PLANS] = c->scan.max_plans_per_tenant;
	l->bytes[PGL_Q_PLANS] = c->scan.max_bytes_per_tenant;
}

/* A property's value: a whole number of 0 to PGL_QUOTA_MAX, else -1. */
static int64_t
number(const char *v)
{
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return (-1);
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < 0 || n > PGL_QUOTA_MAX)
		return (-1);
	return (n);
}

/* The limit key names (after the prefix): *field of l, or NULL. */
static int64_t *
field(struct api_quota_limits *l, const char *key)
{
	char	 kind[32];
	size_t	 len = strlen(key);
	int	 k, bytes = 0;

	if (strcmp(key, "max_bytes") == 0)
		return (&l->max_bytes);
	if (len > 6 && strcmp(key + len - 6, "_bytes") == 0) {
		bytes = 1;
		len -= 6;
	}
	if (len >= sizeof(kind))
		return (NULL);
	memcpy(kind, key, len);
	kind[len] = '\0';
	if ((k = api_quota_kind_of(kind)) == -1)
		return (NULL);
	return (bytes ? &l->bytes[k] : &l->count[k]);
}

void
api_quota_limits(const char *properties, struct api_quota_limits *l)
{
	json_t		*props, *v;
	const char	*key;
	int64_t		*f, n;

	settings(l);
	if (properties == NULL || (props = pgl_json_load_or(properties,
	    NULL)) == NULL)
		return;
	json_object_foreach(props, key, v) {
		if (strncmp(key, PROP_PREFIX, sizeof(PROP_PREFIX) - 1) != 0 ||
		    (f = field(l, key + sizeof(PROP_PREFIX) - 1)) == NULL ||
		    (n = number(json_string_value(v))) == -1)
			continue;
		*f = n;
	}
	json_decref(props);
}

void
api_quota_limits_for(struct pgl_arena *a, const char *tenant,
    struct api_quota_limits *l)
{
	struct pgl_tenant	t;
	struct pgl_err		err;

	memset(&t, 0, sizeof(t));
	if (tenant == NULL || STORE(get_tenant, a, tenant, &t, &err) !=
	    PGL_OK)
		t.properties = NULL;
	api_quota_limits(t.properties, l);
}

int
api_quota_props_check(struct pgl_req *r, const json_t *props)
{
	struct api_quota_limits	 l;
	const char		*key;
	json_t			*v;
	int64_t			*f;

	if (!json_is_object(props))
		return (0);
	json_object_foreach((json_t *)props, key, v) {
		if (strncmp(key, PROP_PREFIX, sizeof(PROP_PREFIX) - 1) != 0)
			continue;
		f = field(&l, key + sizeof(PROP_PREFIX) - 1);
		if (f == &l.count[PGL_Q_EVENTS]) {
			/* Trimmed by tasks/retention_events.c to the setting,
			 * the same for every tenant: a tenant's own would not
			 * hold.  Its events_bytes is its own. */
			pgl_reply_error(r, 400, "quota %s is [events] "
			    "max_per_tenant's, the same for every tenant: "
			    "set " PROP_PREFIX "events_bytes", key);
			return (-1);
		}
		if (f == NULL) {
			pgl_reply_error(r, 400, "unknown quota %s: the keys are "
			    PROP_PREFIX "max_bytes and " PROP_PREFIX "<kind> or "
			    "<kind>_bytes, a kind one of namespaces, tables, "
			    "views, assets, metadata, commits, dropped, "
			    "policies, webhooks, events, audit, plans, other",
			    key);
			return (-1);
		}
		if (number(json_string_value(v)) == -1) {
			pgl_reply_error(r, 400, "quota %s must be a whole "
			    "number of 0 (none) to %lld", key,
			    (long long)PGL_QUOTA_MAX);
			return (-1);
		}
	}
	return (0);
}
