/*
 * Push sinks' statistics in a shared segment: see sink_stats.h.  A slot
 * is taken with a compare-and-swap of its state (free, being written,
 * ready), so two dispatcher threads never take the same one and a
 * renderer never reads a half-written key.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <string.h>

#include "metrics/sink_stats.h"

enum { FREE, TAKING, READY };

struct slot {
	int		state;
	char		tenant[PGL_SINK_STATS_KEY];
	char		id[PGL_SINK_STATS_KEY];
	char		kind[16];
	int64_t		lag_ms;
	uint64_t	backlog;
	uint64_t	delivered;
	uint64_t	failures;
	uint64_t	pauses;
};

struct segment {
	struct slot	slots[PGL_SINK_STATS_SLOTS];
	/* Every sink's, those without a slot too. */
	uint64_t	delivered, failures, pauses;
};

static struct segment	*seg;

int
pgl_sink_stats_init(void)
{
	seg = mmap(NULL, sizeof(*seg), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (seg == MAP_FAILED) {
		seg = NULL;
		return (-1);
	}
	return (0);
}

static int
same(const struct slot *s, const char *tenant, const char *id)
{
	return (strncmp(s->tenant, tenant, sizeof(s->tenant) - 1) == 0 &&
	    strncmp(s->id, id, sizeof(s->id) - 1) == 0);
}

/* The slot of (tenant, id), taken if need be; NULL when all are taken. */
static struct slot *
slot_of(const char *tenant, const char *id, const char *kind)
{
	struct slot	*s;
	size_t		 i;
	int		 st, want;

	if (seg == NULL)
		return (NULL);
	for (i = 0; i < PGL_SINK_STATS_SLOTS; i++) {
		s = &seg->slots[i];
		st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if (st == READY && same(s, tenant, id))
			return (s);
		if (st != FREE)
			continue;
		want = FREE;
		if (!__atomic_compare_exchange_n(&s->state, &want, TAKING, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			continue;
		(void)snprintf(s->tenant, sizeof(s->tenant), "%s", tenant);
		(void)snprintf(s->id, sizeof(s->id), "%s", id);
		(void)snprintf(s->kind, sizeof(s->kind), "%s", kind);
		__atomic_store_n(&s->state, READY, __ATOMIC_RELEASE);
		return (s);
	}
	return (NULL);
}

void
pgl_sink_stats_set(const char *tenant, const char *id, const char *kind,
    const struct pgl_sink_sample *v)
{
	struct slot	*s;

	if ((s = slot_of(tenant, id, kind)) == NULL)
		return;
	__atomic_store_n(&s->lag_ms, v->lag_ms, __ATOMIC_RELAXED);
	__atomic_store_n(&s->backlog, v->backlog, __ATOMIC_RELAXED);
}

void
pgl_sink_stats_count(const char *tenant, const char *id, const char *kind,
    uint64_t delivered, uint64_t failures, uint64_t pauses)
{
	struct slot	*s;

	if (seg == NULL)
		return;
	__atomic_fetch_add(&seg->delivered, delivered, __ATOMIC_RELAXED);
	__atomic_fetch_add(&seg->failures, failures, __ATOMIC_RELAXED);
	__atomic_fetch_add(&seg->pauses, pauses, __ATOMIC_RELAXED);
	if ((s = slot_of(tenant, id, kind)) == NULL)
		return;
	__atomic_fetch_add(&s->delivered, delivered, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->failures, failures, __ATOMIC_RELAXED);
	__atomic_fetch_add(&s->pauses, pauses, __ATOMIC_RELAXED);
}

/* Label text: tenant and sink ids are the server's own (UUIDs, "nats"),
 * but a quote or backslash would still break the exposition. */
static void
label(FILE *fp, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '"' || *v == '\\')
			fputc('\\', fp);
		if (*v == '\n')
			fputs("\\n", fp);
		else
			fputc(*v, fp);
	}
}

enum field { LAG, BACKLOG, DELIVERED, FAILURES, PAUSES };

static const struct {
	const char	*name, *type, *help;
} families[] = {
	{ "pangolin_event_sink_lag_seconds", "gauge", "Age of the oldest "
	    "event a push sink has not delivered yet (0: caught up), as of "
	    "its last delivery run." },
	{ "pangolin_event_sink_backlog", "gauge", "Events after a push "
	    "sink's cursor, as far as its last delivery run read (at most a "
	    "page)." },
	{ "pangolin_event_sink_delivered_total", "counter", "Events a push "
	    "sink delivered (2xx, or stored by NATS)." },
	{ "pangolin_event_sink_failures_total", "counter", "Delivery "
	    "attempts of a push sink that failed." },
	{ "pangolin_event_sink_pauses_total", "counter", "Times a webhook "
	    "subscription was paused after failing for "
	    "webhook_pause_after_secs." },
};

static void
render_family(FILE *fp, enum field f)
{
	struct slot	*s;
	size_t		 i;

	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", families[f].name,
	    families[f].help, families[f].name, families[f].type);
	for (i = 0; i < PGL_SINK_STATS_SLOTS; i++) {
		s = &seg->slots[i];
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != READY)
			continue;
		fprintf(fp, "%s{tenant=\"", families[f].name);
		label(fp, s->tenant);
		fputs("\",sink=\"", fp);
		label(fp, s->id);
		fputs("\",kind=\"", fp);
		label(fp, s->kind);
		fputs("\"} ", fp);
		switch (f) {
		case LAG:
			fprintf(fp, "%.3f\n", (double)__atomic_load_n(
			    &s->lag_ms, __ATOMIC_RELAXED) / 1000.0);
			break;
		case BACKLOG:
			fprintf(fp, "%llu\n", (unsigned long long)
			    __atomic_load_n(&s->backlog, __ATOMIC_RELAXED));
			break;
		case DELIVERED:
			fprintf(fp, "%llu\n", (unsigned long long)
			    __atomic_load_n(&s->delivered, __ATOMIC_RELAXED));
			break;
		case FAILURES:
			fprintf(fp, "%llu\n", (unsigned long long)
			    __atomic_load_n(&s->failures, __ATOMIC_RELAXED));
			break;
		case PAUSES:
			fprintf(fp, "%llu\n", (unsigned long long)
			    __atomic_load_n(&s->pauses, __ATOMIC_RELAXED));
			break;
		}
	}
}

void
pgl_sink_stats_render(FILE *fp, int per_sink)
{
	enum field	f;

	if (seg == NULL)
		return;
	/* A series names its tenant and its sink: not for everyone. */
	if (per_sink)
		for (f = LAG; f <= PAUSES; f++)
			render_family(fp, f);
	fprintf(fp, "# HELP pangolin_event_sinks_delivered_total Events "
	    "delivered by every push sink.\n"
	    "# TYPE pangolin_event_sinks_delivered_total counter\n"
	    "pangolin_event_sinks_delivered_total %llu\n"
	    "# HELP pangolin_event_sinks_failures_total Failed delivery "
	    "attempts of every push sink.\n"
	    "# TYPE pangolin_event_sinks_failures_total counter\n"
	    "pangolin_event_sinks_failures_total %llu\n"
	    "# HELP pangolin_event_sinks_pauses_total Webhook subscriptions "
	    "paused.\n# TYPE pangolin_event_sinks_pauses_total counter\n"
	    "pangolin_event_sinks_pauses_total %llu\n",
	    (unsigned long long)__atomic_load_n(&seg->delivered,
	    __ATOMIC_RELAXED), (unsigned long long)__atomic_load_n(
	    &seg->failures, __ATOMIC_RELAXED), (unsigned long long)
	    __atomic_load_n(&seg->pauses, __ATOMIC_RELAXED));
}
