#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nats/nats.h>

#include "events/escape.h"
#include "events/nats_sink.h"
#include "util/names.h"

#define NANOS_PER_SEC	1000000000LL

struct pgl_nats_sink {
	char		*url;
	int64_t		 timeout_ms;
	natsConnection	*nc;
	jsCtx		*js;
};

/* The library's own words for s, and JetStream's error code if any. */
static void
explain(natsStatus s, jsErrCode jerr, const char *doing, char *why,
    size_t whylen)
{
	natsStatus	 last;
	const char	*text = nats_GetLastError(&last);

	if (text == NULL || text[0] == '\0')
		text = natsStatus_GetText(s);
	if (jerr != 0)
		(void)snprintf(why, whylen, "NATS %s: %s (JetStream error %d)",
		    doing, text, (int)jerr);
	else
		(void)snprintf(why, whylen, "NATS %s: %s", doing, text);
}

static void
disconnect(struct pgl_nats_sink *sink)
{
	if (sink->js != NULL)
		jsCtx_Destroy(sink->js);
	if (sink->nc != NULL)
		natsConnection_Destroy(sink->nc);
	sink->js = NULL;
	sink->nc = NULL;
}

/* Find the stream, or make it: limits retention on file storage, our
 * subjects, the duplicate window of nats_sink.h. */
static int
stream_ensure(struct pgl_nats_sink *sink, int *made, char *why,
    size_t whylen)
{
	static const char	*subjects[] = { PGL_NATS_SUBJECT_PREFIX ">" };
	jsStreamConfig		 cfg;
	jsStreamInfo		*si = NULL;
	jsErrCode		 jerr = 0;
	natsStatus		 s;

	s = js_GetStreamInfo(&si, sink->js, PGL_NATS_STREAM, NULL, &jerr);
	if (s == NATS_OK) {
		jsStreamInfo_Destroy(si);
		*made = 0;
		return (0);
	}
	if (s != NATS_NOT_FOUND && jerr != JSStreamNotFoundErr) {
		explain(s, jerr, "stream info", why, whylen);
		return (-1);
	}
	jsStreamConfig_Init(&cfg);
	cfg.Name = PGL_NATS_STREAM;
	cfg.Description = "Pangolin change events (CloudEvents JSON)";
	cfg.Subjects = subjects;
	cfg.SubjectsLen = 1;
	cfg.Storage = js_FileStorage;
	cfg.Retention = js_LimitsPolicy;
	cfg.Duplicates = PGL_NATS_DUPLICATE_WINDOW_SECS * NANOS_PER_SEC;
	jerr = 0;
	s = js_AddStream(&si, sink->js, &cfg, NULL, &jerr);
	if (s == NATS_OK) {
		jsStreamInfo_Destroy(si);
		*made = 1;
		return (0);
	}
	/* Another replica made it between our two calls. */
	if (jerr == JSStreamNameExistErr) {
		*made = 0;
		return (0);
	}
	explain(s, jerr, "stream create", why, whylen);
	return (-1);
}

static int
connect_to(struct pgl_nats_sink *sink, int *made, char *why, size_t whylen)
{
	natsOptions	*opts = NULL;
	jsOptions	 jo;
	natsStatus	 s;

	if ((s = natsOptions_Create(&opts)) == NATS_OK &&
	    (s = natsOptions_SetURL(opts, sink->url)) == NATS_OK &&
	    (s = natsOptions_SetName(opts, "pangolin")) == NATS_OK &&
	    (s = natsOptions_SetTimeout(opts, sink->timeout_ms)) == NATS_OK &&
	    (s = natsOptions_SetAllowReconnect(opts, false)) == NATS_OK)
		s = natsConnection_Connect(&sink->nc, opts);
	natsOptions_Destroy(opts);
	if (s != NATS_OK) {
		explain(s, 0, "connect", why, whylen);
		sink->nc = NULL;
		return (-1);
	}
	jsOptions_Init(&jo);
	jo.Wait = sink->timeout_ms;
	if ((s = natsConnection_JetStream(&sink->js, sink->nc, &jo)) !=
	    NATS_OK) {
		explain(s, 0, "JetStream context", why, whylen);
		disconnect(sink);
		return (-1);
	}
	if (stream_ensure(sink, made, why, whylen) == -1) {
		disconnect(sink);
		return (-1);
	}
	return (0);
}

int
pgl_nats_sink_open(const char *url, int64_t timeout_ms,
    struct pgl_nats_sink **out, int *made, char *why, size_t whylen)
{
	struct pgl_nats_sink	*sink;
	int			 m = 0;

	*out = NULL;
	if (url == NULL || url[0] == '\0' || timeout_ms <= 0) {
		(void)snprintf(why, whylen, "NATS: a URL and a timeout are "
		    "required");
		return (-1);
	}
	if ((sink = calloc(1, sizeof(*sink))) == NULL ||
	    (sink->url = strdup(url)) == NULL) {
		free(sink);
		(void)snprintf(why, whylen, "out of memory");
		return (-1);
	}
	sink->timeout_ms = timeout_ms;
	if (connect_to(sink, &m, why, whylen) == -1) {
		pgl_nats_sink_close(sink);
		return (-1);
	}
	if (made != NULL)
		*made = m;
	*out = sink;
	return (0);
}

int
pgl_nats_subject(const char *tenant_id, const char *catalog, char *buf,
    size_t size)
{
	if (tenant_id[0] == '\0' || strlen(PGL_NATS_SUBJECT_PREFIX) >= size)
		return (-1);
	(void)snprintf(buf, size, "%s", PGL_NATS_SUBJECT_PREFIX);
	if (pgl_event_escape_cat(buf, size, tenant_id) == -1)
		return (-1);
	/* A tenant-level change: the tenant's subject, one token shorter
	 * (still within the stream's "pangolin.events.>"). */
	if (catalog[0] == '\0')
		return (0);
	if (strlen(buf) + 2 > size)
		return (-1);
	strcat(buf, ".");
	return (pgl_event_escape_cat(buf, size, catalog));
}

enum pgl_nats_result
pgl_nats_sink_publish(struct pgl_nats_sink *sink, const char *tenant_id,
    const char *catalog, const char *event_id, const void *body, size_t len,
    char *why, size_t whylen)
{
	char		 subject[sizeof(PGL_NATS_SUBJECT_PREFIX) +
			     2 * PGL_EVENT_ESCAPED_LEN(PGL_NAME_MAX)];
	jsPubOptions	 po;
	jsPubAck	*pa = NULL;
	jsErrCode	 jerr = 0;
	natsStatus	 s;
	int		 made, dup;

	if (pgl_nats_subject(tenant_id, catalog, subject, sizeof(subject)) ==
	    -1 || event_id == NULL || event_id[0] == '\0' || len > INT32_MAX) {
		(void)snprintf(why, whylen, "NATS publish: a tenant id, a "
		    "catalog of at most 255 bytes and an event id are "
		    "required");
		return (PGL_NATS_FAILED);
	}
	/* Dropped after a failure, or closed (the server went away):
	 * connect again, once. */
	if (sink->nc == NULL || natsConnection_IsClosed(sink->nc)) {
		disconnect(sink);
		if (connect_to(sink, &made, why, whylen) == -1)
			return (PGL_NATS_FAILED);
	}
	jsPubOptions_Init(&po);
	po.MsgId = event_id;
	po.ExpectStream = PGL_NATS_STREAM;
	po.MaxWait = sink->timeout_ms;
	s = js_Publish(&pa, sink->js, subject, body, (int)len, &po, &jerr);
	/* No stream listens (deleted since open): make it again, once. */
	if (s == NATS_NO_RESPONDERS) {
		if (stream_ensure(sink, &made, why, whylen) == -1) {
			disconnect(sink);
			return (PGL_NATS_FAILED);
		}
		jerr = 0;
		s = js_Publish(&pa, sink->js, subject, body, (int)len, &po,
		    &jerr);
	}
	if (s != NATS_OK) {
		explain(s, jerr, "publish", why, whylen);
		/*
		 * No answer from JetStream (a timeout, a connection lost):
		 * drop the connection so that the next publish starts from a
		 * fresh one, instead of depending on libnats's reader
		 * thread having noticed a dead socket by then.  A JetStream
		 * error (jerr) came over a working connection: keep it.
		 */
		if (jerr == 0)
			disconnect(sink);
		return (PGL_NATS_FAILED);
	}
	dup = pa->Duplicate;
	jsPubAck_Destroy(pa);
	return (dup ? PGL_NATS_DUPLICATE : PGL_NATS_STORED);
}

void
pgl_nats_sink_close(struct pgl_nats_sink *sink)
{
	if (sink == NULL)
		return;
	disconnect(sink);
	free(sink->url);
	free(sink);
}

void
pgl_nats_library_close(void)
{
	/* Waits for libnats's threads to end, at most 5 s. */
	(void)nats_CloseAndWait(5000);
}
