/*
 * Readiness for a service manager (systemd Type=notify, sd_notify(3)).
 *
 * The listener is bound in the parent before the workers fork, so a
 * connection made before any worker runs would only wait in the backlog:
 * the service is ready once every worker has opened its store and cache
 * and entered its loop.  Each worker says so to the parent over Kore's
 * message pipe; the parent, the unit's main process (NotifyAccess=main),
 * sends READY=1 when it has heard from all of them, once: a worker
 * restarted later says so again and is ignored.  Without NOTIFY_SOCKET
 * sd_notify() does nothing, so this costs nothing outside systemd.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include <kore.h>

#include "service.h"
#include "util/log.h"

/* Kore's ids for our messages start at KORE_MSG_APP_BASE. */
#define MSG_WORKER_READY	(KORE_MSG_APP_BASE + 1)

void	pgl_parent_stopping(void);

static unsigned char	*seen;		/* by worker id */
static unsigned		 nseen, nworkers, maxid;
static int		 ready_sent;

static void
worker_ready(struct kore_msg *msg, const void *data)
{
	char	status[96];
	int	rc;

	(void)data;
	if (ready_sent || msg->src >= maxid || seen[msg->src])
		return;
	seen[msg->src] = 1;
	if (++nseen < nworkers)
		return;
	ready_sent = 1;
	(void)snprintf(status, sizeof(status),
	    "READY=1\nSTATUS=serving with %u workers", nworkers);
	if ((rc = sd_notify(0, status)) < 0)
		pgl_log(PGL_LOG_WARN, "sd_notify READY=1: %s", strerror(-rc));
	/*
	 * Said whether or not a service manager listens: until then a
	 * connection may be served by the workers already up while another
	 * is still opening its store (so it neither takes hand-overs nor
	 * commits), and the test harness waits for this line.
	 */
	pgl_log(PGL_LOG_INFO, "ready: serving with %u workers%s", nworkers,
	    rc > 0 ? " (told the service manager)" : "");
}

int
pgl_service_parent_init(unsigned workers)
{
	/* Worker ids run from KORE_WORKER_BASE up to workers + base - 1. */
	maxid = workers + KORE_WORKER_BASE;
	nworkers = workers;
	if ((seen = calloc(maxid, 1)) == NULL)
		return (-1);
	kore_msg_register(MSG_WORKER_READY, worker_ready);
	return (0);
}

void
pgl_service_worker_ready(void)
{
	kore_msg_send(KORE_MSG_PARENT, MSG_WORKER_READY, NULL, 0);
}

/* Called by the patched Kore parent as soon as SIGTERM/SIGINT/SIGQUIT
 * arrives, before the drain (src/kore/0001-pangolin.patch, item 16). */
void
pgl_parent_stopping(void)
{
	(void)sd_notify(0, "STOPPING=1\nSTATUS=draining");
}
