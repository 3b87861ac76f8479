/*
 * A tenant's quota checked before a write (quota.h): the store's
 * figures through this worker's copy of them, read again only near a
 * limit or after an allowance, so a commit far below its tenant's
 * limits costs a few comparisons and no store call.
 *
 * Why not read the figures before every write: the hot path (a table's
 * commit) would pay a round trip it does not need when the tenant is
 * nowhere near a limit, which is nearly always.  Why not keep the
 * figures here alone: other workers and replicas write too; the store's
 * ledger is the one place that sees them all, so this copy is only ever
 * trusted for an allowance (a 256th of the limit) of what this worker
 * itself let through since it read it.  Past a limit, each handle
 * (worker of a replica) lets through at most that allowance before it
 * reads again and refuses; with 8 handles the overshoot is at most 3%
 * of the limit, plus the writes under way at the time.  A small limit
 * (256 rows or fewer) has no allowance: every write near it reads.
 *
 * The limits (the settings and the tenant's properties) are kept with
 * the figures and read again when any management change has committed
 * since (the config epoch, auth/grant_cache.h): a root's new quota is
 * seen by the next write.
 */
#include <stdio.h>
#include <string.h>

#include "api/quota/quota.h"
#include "app/app.h"
#include "auth/grant_cache.h"
#include "metrics/limits.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/log.h"

/* Tenants whose figures a worker keeps (by a hash of the id). */
#define SEEN_SLOTS	256
/* The allowance: this part of a limit. */
#define ALLOWANCE_PART	256
/* Retry-After of a quota: waiting frees nothing but the logs' room. */
#define QUOTA_RETRY_SECS	60

struct seen {
	char			 tenant[PGL_UUID_LEN + 1];
	uint64_t		 epoch;		/* the limits' */
	struct api_quota_limits	 lim;
	int64_t			 count[PGL_QUOTA_KINDS];
	int64_t			 bytes[PGL_QUOTA_KINDS];
	/* Let through here since the figures were read. */
	int64_t			 since_count[PGL_QUOTA_KINDS];
	int64_t			 since_kind_bytes[PGL_QUOTA_KINDS];
	int64_t			 since_bytes;
};

static struct seen	seen[SEEN_SLOTS];

static struct seen *
slot_of(const char *tenant)
{
	uint32_t	h = 2166136261u;
	const char	*p;

	for (p = tenant; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return (&seen[h % SEEN_SLOTS]);
}

int
api_quota_usage_of(struct pgl_arena *a, const char *tenant,
    int64_t count[PGL_QUOTA_KINDS], int64_t bytes[PGL_QUOTA_KINDS],
    struct pgl_err *err)
{
	struct pgl_usage	*u;
	size_t			 n, i;
	int			 k;

	memset(count, 0, sizeof(int64_t) * PGL_QUOTA_KINDS);
	memset(bytes, 0, sizeof(int64_t) * PGL_QUOTA_KINDS);
	if (STORE(usage, a, tenant, NULL, 0, &u, &n, err) != PGL_OK)
		return (-1);
	for (i = 0; i < n; i++) {
		if ((k = api_quota_kind_of(u[i].kind)) == -1)
			continue;
		count[k] = u[i].count;
		bytes[k] = u[i].bytes;
	}
	return (0);
}

int64_t
api_quota_total(const struct api_quota_limits *l,
    const int64_t bytes[PGL_QUOTA_KINDS])
{
	int64_t	total = 0;
	int	k;

	for (k = 0; k < PGL_QUOTA_KINDS; k++) {
		/* Room the logs (and stored plans) may take, kept for them:
		 * what they hold never exceeds their ceilings for long. */
		if ((api_quota_kind_trimmed(k) || k == PGL_Q_PLANS) &&
		    l->bytes[k] > bytes[k])
			total += l->bytes[k];
		else
			total += bytes[k];
	}
	return (total);
}

/* The figures and limits of s's tenant, from the store. */
static int
refresh(struct seen *s, const char *tenant, int limits, struct pgl_err *err)
{
	struct pgl_arena	*a;
	struct pgl_tenant	 t;
	int			 rc = 0;

	if ((a = pgl_arena_new()) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (-1);
	}
	if (limits) {
		s->epoch = pgl_grant_epoch();
		if (STORE(get_tenant, a, tenant, &t, err) != PGL_OK)
			t.properties = NULL;
		api_quota_limits(t.properties, &s->lim);
	}
	if (api_quota_usage_of(a, tenant, s->count, s->bytes, err) == -1)
		rc = -1;
	pgl_arena_free(a);
	if (rc == 0) {
		(void)snprintf(s->tenant, sizeof(s->tenant), "%s", tenant);
		memset(s->since_count, 0, sizeof(s->since_count));
		memset(s->since_kind_bytes, 0, sizeof(s->since_kind_bytes));
		s->since_bytes = 0;
	} else
		s->tenant[0] = '\0';
	return (rc);
}

/* What fails (a kind, PGL_QUOTA_KINDS for the total), and its figures. */
struct over {
	int		 kind;
	int		 bytes;		/* a limit of bytes, not rows */
	int64_t		 limit, used;
};

/*
 * 1 when limit (0: none) holds used + add.  With allowance (used as this
 * worker last read it, add what it let through since and this write):
 * only while add is within the allowance and leaves one more free, so
 * that the writes of other handles since the read are covered.
 */
static int
holds(int64_t limit, int64_t used, int64_t add, int allowance)
{
	int64_t	part = limit / ALLOWANCE_PART;

	if (limit == 0)
		return (1);
	if (!allowance)
		return (used + add <= limit);
	return (add <= part && used + add + part <= limit);
}

/* 1 when the need fits s, else 0 and *o what it does not fit. */
static int
fits(const struct seen *s, const struct api_quota_need *need, int allowance,
    struct over *o)
{
	const struct api_quota_limits	*l = &s->lim;
	int64_t				 total;
	int				 k;

	for (k = 0; k < PGL_QUOTA_KINDS; k++) {
		if (!(need->kinds & API_QUOTA_KIND(k)))
			continue;
		if (need->count[k] > 0 && !holds(l->count[k], s->count[k],
		    s->since_count[k] + need->count[k], allowance)) {
			*o = (struct over){ k, 0, l->count[k], s->count[k] };
			return (0);
		}
		if (!holds(l->bytes[k], s->bytes[k], s->since_kind_bytes[k] +
		    need->kind_bytes, allowance)) {
			*o = (struct over){ k, 1, l->bytes[k], s->bytes[k] };
			return (0);
		}
	}
	total = api_quota_total(l, s->bytes);
	if (!holds(l->max_bytes, total, s->since_bytes + need->bytes,
	    allowance)) {
		*o = (struct over){ PGL_QUOTA_KINDS, 1, l->max_bytes, total };
		return (0);
	}
	return (1);
}

static void
took(struct seen *s, const struct api_quota_need *need)
{
	int	k;

	for (k = 0; k < PGL_QUOTA_KINDS; k++) {
		s->since_count[k] += need->count[k];
		if (need->kinds & API_QUOTA_KIND(k))
			s->since_kind_bytes[k] += need->kind_bytes;
	}
	s->since_bytes += need->bytes;
}

/* The setting a limit comes from and the tenant's property over it
 * (after "pangolin.quota."), for the message. */
static void
setting(const struct over *o, char *set, size_t setlen, char *key,
    size_t keylen)
{
	static const char *const counts[PGL_QUOTA_KINDS] = {
		[PGL_Q_DROPPED] = "[undrop] max_per_tenant, "
		    "PANGOLIN_UNDROP_MAX_PER_TENANT",
		[PGL_Q_POLICIES] = "[policies] max_per_tenant, "
		    "PANGOLIN_POLICIES_MAX_PER_TENANT",
		[PGL_Q_WEBHOOKS] = "[events] webhooks_max_per_tenant, "
		    "PANGOLIN_WEBHOOKS_MAX_PER_TENANT",
		[PGL_Q_EVENTS] = "[events] max_per_tenant, "
		    "PANGOLIN_EVENTS_MAX_PER_TENANT",
		[PGL_Q_PLANS] = "[scan] max_plans_per_tenant, "
		    "PANGOLIN_SCAN_MAX_PLANS_PER_TENANT",
	};
	char	*p;

	if (o->kind == PGL_QUOTA_KINDS)
		(void)snprintf(key, keylen, "max_bytes");
	else
		(void)snprintf(key, keylen, "%s%s",
		    api_quota_kind_name(o->kind), o->bytes ? "_bytes" : "");
	if (o->kind < PGL_QUOTA_KINDS && !o->bytes &&
	    counts[o->kind] != NULL) {
		(void)snprintf(set, setlen, "%s", counts[o->kind]);
		return;
	}
	if (o->kind == PGL_Q_PLANS) {
		(void)snprintf(set, setlen, "[scan] max_bytes_per_tenant, "
		    "PANGOLIN_SCAN_MAX_BYTES_PER_TENANT");
		return;
	}
	(void)snprintf(set, setlen, "[quota] %s, PANGOLIN_QUOTA_", key);
	for (p = set + strlen(set); *key != '\0' && p < set + setlen - 1;
	    key++)
		*p++ = *key >= 'a' && *key <= 'z' ? *key - 'a' + 'A' : *key;
	*p = '\0';
}

static void
refuse(struct pgl_req *r, const struct over *o)
{
	const char	*kind = api_quota_kind_name(o->kind), *msg;
	char		 set[128], key[64];
	json_t		*j;

	setting(o, set, sizeof(set), key, sizeof(key));
	msg = pgl_arena_printf(r->arena, "quota reached: this tenant holds "
	    "%lld %s%s, its limit is %lld (%s; the tenant's property "
	    "pangolin.quota.%s, set by root): delete what it no longer "
	    "needs, or ask the operator to raise it", (long long)o->used,
	    o->bytes ? "bytes of " : "", o->kind == PGL_QUOTA_KINDS ?
	    "everything it keeps" : kind, (long long)o->limit, set, key);
	if (r->iceberg)
		j = json_pack("{s:{s:s,s:s,s:i}}", "error", "message", msg,
		    "type", "TooManyRequestsException", "code", 429);
	else
		j = json_pack("{s:s}", "error", msg);
	pgl_set_header(r, "retry-after", pgl_arena_printf(r->arena, "%d",
	    QUOTA_RETRY_SECS));
	json_object_set_new(j, "kind", json_string(kind));
	json_object_set_new(j, "unit", json_string(o->bytes ? "bytes" :
	    "rows"));
	json_object_set_new(j, "limit", json_integer(o->limit));
	json_object_set_new(j, "used", json_integer(o->used));
	pgl_limit_hit(PGL_LIMIT_QUOTA, (uint64_t)o->limit);
	pgl_reply_json(r, 429, j);
}

int
api_quota_admit(struct pgl_req *r, const struct api_quota_need *need)
{
	struct seen	*s;
	struct over	 o;
	struct pgl_err	 err;
	int		 limits;

	if (!pgl_store_has_usage(pgl_app.db) || r->tenant[0] == '\0' ||
	    need->kinds == 0)
		return (0);
	s = slot_of(r->tenant);
	limits = strcmp(s->tenant, r->tenant) != 0 ||
	    s->epoch != pgl_grant_epoch();
	memset(&err, 0, sizeof(err));
	if (!limits && fits(s, need, 1, &o)) {
		took(s, need);
		return (0);
	}
	if (refresh(s, r->tenant, 1, &err) == -1) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (fits(s, need, 0, &o)) {
		took(s, need);
		return (0);
	}
	refuse(r, &o);
	return (-1);
}
