/*
 * One delivery job: see deliver.h.  At least once: the cursor is written
 * after events are delivered, so a crash in between sends them again,
 * each with its event id as webhook-id (and Nats-Msg-Id), which the
 * receiver de-duplicates on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "config/config.h"
#include "events/cloudevent.h"
#include "events/deliver.h"
#include "events/event_build.h"
#include "events/lease_owner.h"
#include "events/nats_sink.h"
#include "events/webhook_filter.h"
#include "events/webhook_post.h"
#include "events/webhook_secrets.h"
#include "metrics/sink_stats.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/uuid.h"

#define TEST_TYPE	"x-pangolin.webhook-test"
/*
 * How often the cursor is written while a batch delivers: a state write
 * is a store transaction (a commit, an fsync on SQLite), and one every
 * few events cost the commits beside them more than the deliveries did
 * (the events bench).  A crash re-sends at most this much, under the
 * same webhook-id and Nats-Msg-Id.
 */
#define WRITE_EVERY_MS	250
#define JOB_MS		10000	/* then another sink's turn */

/* One job's working state. */
struct job {
	struct pgl_deliverer		*d;
	struct pgl_arena		*a;
	struct pgl_webhook		 w;
	int				 nats;
	json_t				*filter;	/* NULL: all */
	struct pgl_webhook_secrets	 sec;
	const char			*sec_why;	/* unreadable */
	json_t				*recent;
	char				 reason[300];
	int64_t				 lease_until;
	uint64_t			 delivered, failures, pauses;
	uint64_t			 pauses_audited;
	int				 lost;	/* lease, or reset */
	int				 caught_up;
};

static int64_t
now_ms(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int64_t
pgl_deliver_backoff_ms(uint32_t n, uint64_t *rnd)
{
	int64_t	ms = PGL_DELIVER_BACKOFF_MIN_MS;
	double	f;

	while (n > 1 && ms < PGL_DELIVER_BACKOFF_MAX_MS) {
		ms *= 2;
		n--;
	}
	if (ms > PGL_DELIVER_BACKOFF_MAX_MS)
		ms = PGL_DELIVER_BACKOFF_MAX_MS;
	/* xorshift64: the jitter only spreads retries of many sinks. */
	*rnd ^= *rnd << 13;
	*rnd ^= *rnd >> 7;
	*rnd ^= *rnd << 17;
	f = 0.75 + 0.5 * (double)(*rnd >> 11) / (double)(1ULL << 53);
	return ((int64_t)((double)ms * f));
}

static int64_t
lease_ms(const struct pgl_config *cfg)
{
	return (2 * (int64_t)cfg->events.webhook_timeout_ms + 30000);
}

/* Let go of the lease: an expired one is free to the next claimant. */
static void
release(struct job *j)
{
	struct pgl_err	err;
	int64_t		now = now_ms();
	int		got;

	memset(&err, 0, sizeof(err));
	(void)j->d->env->db->claim_webhook(j->d->s, j->w.tenant_id, j->w.id,
	    j->d->owner, now, now - 1, &got, &err);
}

/* The tenant admin sees why in the audit log. */
static void
audit_pause(struct job *j)
{
	struct pgl_audit_event	 e;
	struct pgl_err		 err;
	char			 id[PGL_UUID_LEN + 1], *doc;
	int64_t			 now = now_ms();
	json_t			*o;

	pgl_uuid_new_ordered(id, now);
	o = json_pack("{s:s,s:n,s:s,s:s,s:s,s:{s:s,s:I,s:I}}", "username",
	    "system", "ip_address", "action", "webhook.paused",
	    "resource_name", j->w.name != NULL ? j->w.name : j->w.id,
	    "error_message", j->reason, "metadata", "kind", j->w.kind,
	    "failing_since_ms", (json_int_t)j->w.failing_since_ms,
	    "attempts", (json_int_t)j->w.attempts);
	doc = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	e = (struct pgl_audit_event){ id, j->w.tenant_id, now, NULL,
	    "webhook.paused", "webhook", j->w.id, "failure",
	    doc != NULL ? doc : "{}" };
	memset(&err, 0, sizeof(err));
	if (j->d->env->db->log_audit_event(j->d->s, &e, &err) != PGL_OK)
		pgl_log(PGL_LOG_WARN, "webhook %s/%s: pause not audited: %s",
		    j->w.tenant_id, j->w.id, err.msg);
	free(doc);
}

/* Write the state; 0, or -1 (the batch is dropped: lost or reset). */
static int
write_state(struct job *j)
{
	const struct pgl_store_ops	*db = j->d->env->db;
	struct pgl_err			 err;
	char				*recent;
	int				 rc;

	memset(&err, 0, sizeof(err));
	if ((recent = json_dumps(j->recent, JSON_COMPACT)) == NULL)
		return (-1);
	/*
	 * A pause is audited before the state that holds it is written: a
	 * reader who sees the sink paused finds its record (the stores have
	 * no transaction across the two here).  Should the write then lose
	 * the lease, the record stays, and the dispatcher that holds the
	 * sink now pauses (and audits) it again if it still fails.
	 */
	if (j->pauses > j->pauses_audited) {
		audit_pause(j);
		j->pauses_audited = j->pauses;
	}
	j->w.recent = recent;
	rc = db->set_webhook_state(j->d->s, &j->w, j->d->owner, &err);
	j->w.recent = NULL;
	free(recent);
	if (rc == PGL_ECONFLICT) {
		/* A route reset it (replay, resume) or the lease ran out:
		 * what this batch knows is stale. */
		j->lost = 1;
		return (-1);
	}
	if (rc != PGL_OK) {
		pgl_log(PGL_LOG_WARN, "webhook %s/%s: state write failed: %s",
		    j->w.tenant_id, j->w.id, err.msg);
		j->lost = 1;
		return (-1);
	}
	return (0);
}

/* Keep the lease while a batch runs long. */
static int
renew(struct job *j)
{
	struct pgl_err	err;
	int64_t		now = now_ms(), l = lease_ms(j->d->env->cfg);
	int		got = 0;

	if (now < j->lease_until - l / 2)
		return (0);
	memset(&err, 0, sizeof(err));
	if (j->d->env->db->claim_webhook(j->d->s, j->w.tenant_id, j->w.id,
	    j->d->owner, now, now + l, &got, &err) != PGL_OK || !got) {
		j->lost = 1;
		return (-1);
	}
	j->lease_until = now + l;
	return (0);
}

static void
note(struct job *j, const struct pgl_event *e, uint32_t attempt,
    long status, const char *error, int64_t ms)
{
	json_t	*o;

	o = json_pack("{s:s,s:I,s:s,s:I,s:I,s:s,s:I,s:I}", "event_id", e->id,
	    "seq", (json_int_t)e->seq, "type", e->operation_type, "attempt",
	    (json_int_t)attempt, "status", (json_int_t)status, "error", error,
	    "ms", (json_int_t)ms, "at_ms", (json_int_t)now_ms());
	if (o == NULL || json_array_insert_new(j->recent, 0, o) == -1)
		return;
	while (json_array_size(j->recent) > PGL_DELIVER_RECENT)
		(void)json_array_remove(j->recent, PGL_DELIVER_RECENT);
}

/* A failed attempt: back off, and pause past pause_after. */
static void
failed(struct job *j, const struct pgl_event *e, long status,
    const char *error, int64_t ms)
{
	const struct pgl_config	*cfg = j->d->env->cfg;
	int64_t			 now = now_ms();

	j->w.attempts++;
	j->w.failures++;
	j->failures++;
	note(j, e, j->w.attempts, status, error, ms);
	if (j->w.failing_since_ms == 0)
		j->w.failing_since_ms = now;
	j->w.next_attempt_ms = now + pgl_deliver_backoff_ms(j->w.attempts,
	    &j->d->rnd);
	if (!j->nats && now - j->w.failing_since_ms >=
	    (int64_t)cfg->events.webhook_pause_after_secs * 1000) {
		(void)snprintf(j->reason, sizeof(j->reason), "failing for "
		    "%lld s (%u attempts); last error: %s", (long long)((now -
		    j->w.failing_since_ms) / 1000), j->w.attempts, error);
		j->w.status = "paused";
		j->w.status_reason = j->reason;
		j->pauses++;
		pgl_log(PGL_LOG_WARN, "webhook %s/%s paused: %s",
		    j->w.tenant_id, j->w.id, j->reason);
	}
}

/* 1 if e goes to this sink (a test event only to its subscription). */
static int
wanted(struct job *j, const struct pgl_event *e, json_t *ev)
{
	const char	*target;

	if (j->nats)
		return (strcmp(e->operation_type, TEST_TYPE) != 0);
	if (strcmp(e->operation_type, TEST_TYPE) == 0) {
		target = pgl_json_str(json_object_get(ev, "operation"),
		    "webhook-id");
		return (target != NULL && strcmp(target, j->w.id) == 0);
	}
	return (pgl_webhook_filter_match(j->filter, e));
}

/* Send one event: 0 delivered, -1 failed (state noted). */
static int
send_one(struct job *j, const struct pgl_event *e, char *text)
{
	struct pgl_deliverer		*d = j->d;
	const struct pgl_config		*cfg = d->env->cfg;
	struct pgl_webhook_post		 p;
	struct pgl_webhook_result	 res;
	const char			*live[2];
	char				 why[256];
	int64_t				 t0 = now_ms();
	enum pgl_nats_result		 nr;

	if (j->nats) {
		if (d->nats == NULL && pgl_nats_sink_open(cfg->events.nats_url,
		    cfg->events.webhook_timeout_ms, &d->nats, NULL, why,
		    sizeof(why)) == -1) {
			d->nats = NULL;
			failed(j, e, 0, why, now_ms() - t0);
			return (-1);
		}
		nr = pgl_nats_sink_publish(d->nats, j->w.tenant_id, e->catalog,
		    e->id, text, strlen(text), why, sizeof(why));
		if (nr == PGL_NATS_FAILED) {
			failed(j, e, 0, why, now_ms() - t0);
			return (-1);
		}
		note(j, e, j->w.attempts + 1, 0, "", now_ms() - t0);
		return (0);
	}
	if (j->sec_why != NULL) {
		(void)snprintf(why, sizeof(why), "its secrets cannot be read: "
		    "%s", j->sec_why);
		failed(j, e, 0, why, 0);
		return (-1);
	}
	memset(&p, 0, sizeof(p));
	p.url = j->w.url;
	p.allowed = cfg->storage.allowed_endpoints.v;
	p.nallowed = cfg->storage.allowed_endpoints.n;
	p.timeout_ms = cfg->events.webhook_timeout_ms;
	p.msg_id = e->id;
	p.nsecrets = pgl_webhook_secrets_live(&j->sec, now_ms(), live);
	p.secrets = live;
	p.body = text;
	p.len = strlen(text);
	if (pgl_webhook_post(d->http, &p, &res) == -1) {
		failed(j, e, res.status, res.error, res.ms);
		return (-1);
	}
	note(j, e, j->w.attempts + 1, res.status, "", res.ms);
	return (0);
}

/*
 * One event: 1 moved past (delivered, or not this sink's), 0 failed.
 * An event that cannot be made into a CloudEvent (a host bug: the
 * builder made its body) is passed over with a warning; it would
 * otherwise hold the sink for ever.
 */
static int
one_event(struct job *j, const struct pgl_event *e)
{
	json_t	*ev;
	char	*text, why[256];
	int	 rc;

	/* What the request reached is the outbox's, not a subscriber's. */
	if ((ev = json_loads(e->body, 0, NULL)) != NULL)
		json_object_del(ev, PGL_EVENT_REACH);
	if (ev == NULL || !wanted(j, e, ev)) {
		if (ev == NULL)
			pgl_log(PGL_LOG_WARN, "event %s: body is not JSON; "
			    "not delivered", e->id);
		json_decref(ev);
		return (1);
	}
	text = pgl_cloudevent_text(ev, j->w.tenant_id, e->catalog, why,
	    sizeof(why));
	json_decref(ev);
	if (text == NULL) {
		pgl_log(PGL_LOG_WARN, "event %s: no CloudEvent (%s); not "
		    "delivered", e->id, why);
		return (1);
	}
	rc = send_one(j, e, text);
	free(text);
	if (rc == -1)
		return (0);
	j->w.attempts = 0;
	j->w.failing_since_ms = 0;
	j->w.delivered++;
	j->delivered++;
	return (1);
}

/* Read the sink's config: its filter and secrets.  -1: nothing to do. */
static int
prepare(struct job *j)
{
	const struct pgl_config	*cfg = j->d->env->cfg;
	const unsigned char	*key;
	const char		*why;

	j->recent = j->w.recent != NULL ? json_loads(j->w.recent, 0, NULL) :
	    NULL;
	if (!json_is_array(j->recent)) {
		json_decref(j->recent);
		j->recent = json_array();
	}
	if (j->recent == NULL || j->w.status == NULL ||
	    strcmp(j->w.status, "active") != 0)
		return (-1);
	if ((j->nats = strcmp(j->w.kind, "nats") == 0))
		return (cfg->events.nats_url != NULL ? 0 : -1);
	if (strcmp(j->w.kind, "webhook") != 0 || j->w.url == NULL)
		return (-1);
	if (j->w.filter != NULL && j->w.filter[0] != '\0')
		j->filter = json_loads(j->w.filter, 0, NULL);
	key = cfg->auth.has_encryption_key ? cfg->auth.encryption_key : NULL;
	/* The return says how it went, never *why: a parse that worked may
	 * leave a reason behind (issue 67: every delivery with the key set
	 * failed on the unseal's "malformed sealed value"). */
	why = NULL;
	if (pgl_webhook_secrets_parse(j->w.secrets != NULL ? j->w.secrets :
	    "", key, &j->sec, &why) == -1)
		j->sec_why = why != NULL ? why : "malformed";
	return (0);
}

/*
 * Deliver pages of events until caught up, failed, out of time or
 * stopping.  The gauges: how far behind the sink is.
 */
static void
batch(struct job *j, struct pgl_sink_sample *m)
{
	const struct pgl_store_ops	*db = j->d->env->db;
	struct pgl_event_filter		 f;
	struct pgl_event		*ev;
	struct pgl_err			 err;
	size_t				 n, i;
	int64_t				 t0 = now_ms();
	int64_t				 written = t0;
	int				 dirty = 0;

	for (;;) {
		memset(&f, 0, sizeof(f));
		f.after_seq = j->w.cursor;
		f.limit = PGL_DELIVER_PAGE;
		memset(&err, 0, sizeof(err));
		if (db->list_events(j->d->s, j->a, j->w.tenant_id, &f, &ev, &n,
		    &err) != PGL_OK) {
			pgl_log(PGL_LOG_WARN, "sink %s/%s: events not read: %s",
			    j->w.tenant_id, j->w.id, err.msg);
			break;
		}
		for (i = 0; i < n; i++) {
			if (*j->d->stop || renew(j) == -1)
				break;
			if (!one_event(j, &ev[i])) {
				m->lag_ms = now_ms() - ev[i].ts_ms;
				m->backlog = n - i;
				(void)write_state(j);
				return;
			}
			j->w.cursor = ev[i].seq;
			dirty = 1;
			if (now_ms() - written >= WRITE_EVERY_MS) {
				if (write_state(j) == -1)
					return;
				written = now_ms();
				dirty = 0;
			}
		}
		if (i == n && n < PGL_DELIVER_PAGE && !j->lost)
			j->caught_up = 1;
		if (i < n || n < PGL_DELIVER_PAGE || j->lost ||
		    now_ms() - t0 > JOB_MS) {
			m->lag_ms = i < n ? now_ms() - ev[i].ts_ms : 0;
			m->backlog = n - i;
			break;
		}
	}
	if (dirty && !j->lost)
		(void)write_state(j);
}

int
pgl_deliver_run(struct pgl_deliverer *d, const char *tenant, const char *id,
    uint64_t *cursor)
{
	const struct pgl_store_ops	*db = d->env->db;
	struct pgl_sink_sample		 m = { 0, 0 };
	struct pgl_err			 err;
	struct job			 j;
	int64_t				 now = now_ms();
	int				 got = 0;

	*cursor = 0;
	memset(&err, 0, sizeof(err));
	if (d->s == NULL && db->open(d->env->host, d->env->opts,
	    d->env->nopts, &d->s, &err) != PGL_OK) {
		d->s = NULL;
		pgl_log(PGL_LOG_WARN, "dispatcher: store open failed: %s",
		    err.msg);
		return (0);
	}
	memset(&j, 0, sizeof(j));
	j.d = d;
	j.lease_until = now + lease_ms(d->env->cfg);
	if (db->claim_webhook(d->s, tenant, id, d->owner, now, j.lease_until,
	    &got, &err) != PGL_OK)
		return (0);
	if ((j.a = pgl_arena_new()) == NULL)
		return (0);
	/* Held by a dispatcher of this machine that died (kill -9, a
	 * crash): taken now, not when its lease runs out.  A claim "at the
	 * end of time" finds every lease expired. */
	if (!got && db->get_webhook(d->s, j.a, tenant, id, &j.w, &err) ==
	    PGL_OK && pgl_lease_owner_gone(j.w.lease_owner)) {
		pgl_log(PGL_LOG_INFO, "dispatcher: sink %s of tenant %s was "
		    "held by %s, which is gone: taken over", id, tenant,
		    j.w.lease_owner);
		if (db->claim_webhook(d->s, tenant, id, d->owner, INT64_MAX,
		    j.lease_until, &got, &err) != PGL_OK)
			got = 0;
	}
	if (!got) {
		pgl_arena_free(j.a);
		return (0);
	}
	/* Read after the claim: a route's reset before it is seen. */
	if (db->get_webhook(d->s, j.a, tenant, id, &j.w, &err) == PGL_OK) {
		if (prepare(&j) == 0)
			batch(&j, &m);
		if (!j.lost)
			release(&j);
		pgl_sink_stats_set(tenant, id, j.w.kind, &m);
		pgl_sink_stats_count(tenant, id, j.w.kind, j.delivered,
		    j.failures, j.pauses);
		*cursor = j.w.cursor;
	}
	json_decref(j.filter);
	json_decref(j.recent);
	explicit_bzero(&j.sec, sizeof(j.sec));
	pgl_arena_free(j.a);
	return (j.caught_up);
}

void
pgl_deliverer_close(struct pgl_deliverer *d)
{
	if (d->nats != NULL)
		pgl_nats_sink_close(d->nats);
	d->nats = NULL;
	pgl_webhook_client_free(d->http);
	d->http = NULL;
	if (d->s != NULL)
		d->env->db->close(d->s);
	d->s = NULL;
}
