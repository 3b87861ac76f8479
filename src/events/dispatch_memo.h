/*
 * The event dispatcher's memory of each sink's last job (events/
 * dispatch.c): when it ran, and whether it left the sink caught up.  The
 * scheduler offers the sinks that ran longest ago first, so that the
 * oldest subscriptions of a tenant at its in-flight cap cannot take every
 * turn, and passes over a sink that was caught up a moment ago when no
 * event has been appended since.  A fixed table: a sink it cannot hold is
 * simply treated as never run (offered first), which is safe.
 */
#ifndef PGL_EVENTS_DISPATCH_MEMO_H
#define PGL_EVENTS_DISPATCH_MEMO_H

#include <stdint.h>

#define PGL_MEMO_SLOTS	4096
#define PGL_MEMO_KEY	160

struct pgl_memo {
	char		tenant[PGL_MEMO_KEY];
	char		id[PGL_MEMO_KEY];
	int64_t		last_ms;	/* when its last job ended */
	uint64_t	cursor;		/* where that job left it */
	uint64_t	appended;	/* the appended counter then */
	int		caught_up;
	int		used;
};

/* The entry of (tenant, id), or NULL when it has none. */
const struct pgl_memo	*pgl_memo_find(const char *tenant, const char *id);

/* Remember a job's end; dropped when the table is full. */
void			 pgl_memo_note(const char *tenant, const char *id,
			    int64_t now_ms, uint64_t cursor, uint64_t appended,
			    int caught_up);

#endif
