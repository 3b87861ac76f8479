/*
 * The NATS JetStream sink: one event's CloudEvents text published to
 * stream PANGOLIN_EVENTS on subject
 *
 *	pangolin.events.<tenant id>.<catalog>
 *
 * (pangolin.events.<tenant id> for a tenant-level change, catalog ""),
 * each name escaped as events/escape.h says (a '.' in a catalog name
 * would be a token boundary), with the event id as the Nats-Msg-Id:
 * JetStream stores a message id once within the stream's duplicate
 * window, so a publish retried after a crash (acknowledged by the server,
 * the ack lost, the outbox cursor not yet moved) is stored once and
 * answered "duplicate".  The window is PGL_NATS_DUPLICATE_WINDOW_SECS
 * (2 minutes, NATS's own default): a retry comes from the dispatcher's
 * backoff within seconds; a redelivery later than that is stored again,
 * and a consumer de-duplicates it on the CloudEvents id like a webhook's.
 *
 * The stream is made when missing, at open and again at a publish that
 * finds no stream listening (file storage, limits retention, the
 * server's defaults for size and age: an operator who wants others makes
 * the stream first, and it is found and left as it is).
 *
 * Every call blocks on the network, each round trip bounded by the
 * timeout given at open: run them on a pool thread (src/storage/
 * write_pool.h), never on a worker's event loop.  A sink is one
 * connection used by one thread at a time.  The connection does not
 * reconnect by itself (a publish could otherwise wait in the reconnect
 * buffer without bound): a publish that gets no answer drops it, and a
 * publish that finds it dropped or closed connects again, once, within
 * the same timeout.
 */
#ifndef PGL_EVENTS_NATS_SINK_H
#define PGL_EVENTS_NATS_SINK_H

#include <stddef.h>
#include <stdint.h>

#define PGL_NATS_STREAM			"PANGOLIN_EVENTS"
#define PGL_NATS_SUBJECT_PREFIX		"pangolin.events."
#define PGL_NATS_DUPLICATE_WINDOW_SECS	120

enum pgl_nats_result {
	PGL_NATS_STORED,	/* acknowledged: stored now */
	PGL_NATS_DUPLICATE,	/* acknowledged: that id was stored before */
	PGL_NATS_FAILED		/* not acknowledged (why says): retry later */
};

struct pgl_nats_sink;

/*
 * Connect to url (nats://host:port, user:password@ allowed) and make
 * the stream if it is missing; *made (when not NULL) says which.  Every
 * round trip waits at most timeout_ms.  Returns 0, or -1 with why.
 */
int			 pgl_nats_sink_open(const char *url, int64_t timeout_ms,
			    struct pgl_nats_sink **sink, int *made, char *why,
			    size_t whylen);

/* Publish body (len bytes) as event_id of tenant_id's catalog. */
enum pgl_nats_result	 pgl_nats_sink_publish(struct pgl_nats_sink *,
			    const char *tenant_id, const char *catalog,
			    const char *event_id, const void *body, size_t len,
			    char *why, size_t whylen);

void			 pgl_nats_sink_close(struct pgl_nats_sink *);

/* The subject of tenant_id's catalog into buf; 0, or -1 too long. */
int			 pgl_nats_subject(const char *tenant_id,
			    const char *catalog, char *buf, size_t size);

/* At process exit, after every sink is closed: libnats's own threads and
 * memory released (leak checkers see none). */
void			 pgl_nats_library_close(void);

#endif
