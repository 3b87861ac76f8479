/*
 * A tenant's plans in this worker (issue 42): at most [scan]
 * max_running_per_tenant hold the worker's planning threads at once, the
 * next [scan] max_waiting_per_tenant wait here holding none, and past
 * those a plan is refused at once (429).  The planning threads run the
 * jobs they are handed in turn, so with one plan running per tenant, a
 * tenant's plan waits behind at most one plan of each other tenant: a
 * tenant whose users plan as hard as they can takes its share of the
 * threads, never all of them, and never the event loop.
 *
 * Only the worker's thread touches the gates: a plan enters in its
 * request's handler and leaves in its job's done(), both on that thread.
 * A gate lives while its tenant has a plan running or waiting, so there
 * are never more gates than plans in flight.
 */
#include <stdlib.h>
#include <string.h>

#include "api/scan/scan.h"
#include "app/app.h"
#include "metrics/metrics.h"
#include "util/str.h"

struct gate {
	struct gate		*next;
	char			 tenant[PGL_UUID_LEN + 1];
	int			 running;
	int			 waiting;
	struct scan_gate_item	*head, **tail;
};

static struct gate	*gates;

static struct gate *
find(const char *tenant, struct gate ***at)
{
	struct gate	**pp, *g;

	for (pp = &gates; (g = *pp) != NULL; pp = &g->next) {
		if (strcmp(g->tenant, tenant) == 0)
			break;
	}
	if (at != NULL)
		*at = pp;
	return (g);
}

int
scan_gate_enter(struct scan_gate_item *it, int *running, int *waiting)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	struct gate		*g;

	it->next = NULL;
	if ((g = find(it->tenant, NULL)) == NULL) {
		if ((g = calloc(1, sizeof(*g))) == NULL)
			return (-1);
		(void)pgl_strlcpy(g->tenant, it->tenant, sizeof(g->tenant));
		g->tail = &g->head;
		g->next = gates;
		gates = g;
	}
	*running = g->running;
	*waiting = g->waiting;
	if (g->running < cfg->scan.max_running_per_tenant) {
		g->running++;
		pgl_metrics_add(PGL_C_SCAN_RUNNING, 1);
		return (0);
	}
	if (g->waiting >= cfg->scan.max_waiting_per_tenant)
		return (-1);
	*g->tail = it;
	g->tail = &it->next;
	g->waiting++;
	pgl_metrics_add(PGL_C_SCAN_WAITING, 1);
	return (1);
}

void
scan_gate_leave(const char *tenant)
{
	struct gate		**at, *g;
	struct scan_gate_item	*next;

	if ((g = find(tenant, &at)) == NULL)
		return;
	if ((next = g->head) != NULL) {
		/* The slot goes to the next in line: running is unchanged. */
		if ((g->head = next->next) == NULL)
			g->tail = &g->head;
		g->waiting--;
		pgl_metrics_add(PGL_C_SCAN_WAITING, (uint64_t)-1);
		next->start(next);
		return;
	}
	g->running--;
	pgl_metrics_add(PGL_C_SCAN_RUNNING, (uint64_t)-1);
	if (g->running == 0 && g->waiting == 0) {
		*at = g->next;
		free(g);
	}
}
