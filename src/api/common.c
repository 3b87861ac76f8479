#include <sys/random.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "app/app.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/json.h"

int
api_map_fits(struct pgl_req *r, const json_t *map, const char *what)
{
	char	why[256];

	if (pgl_json_map_fits(map, what, why, sizeof(why)) == 0)
		return (0);
	pgl_reply_error(r, r->iceberg ? 400 : 422, "%s", why);
	return (-1);
}

json_t *
api_obj(const char *text)
{
	return (pgl_json_load_or(text, json_object()));
}

char *
api_text(struct pgl_arena *a, const json_t *j)
{
	char	*s, *copy;

	if ((s = pgl_json_dump(j)) == NULL)
		return (NULL);
	copy = pgl_arena_strdup(a, s);
	free(s);
	return (copy);
}

json_t *
api_str_or_null(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

int
pgl_store_begin_in(const char *tenant, struct pgl_err *err)
{
	int	rc;

	if (pgl_app.begin_try) {
		pgl_app.begin_try = 0;
		if (pgl_store_can_try_begin(pgl_app.db)) {
			rc = STORE(try_begin, tenant, err);
			return (rc == PGL_EUNAVAIL ? PGL_TX_BUSY : rc);
		}
	}
	if (tenant != NULL && *tenant != '\0' &&
	    pgl_store_can_begin_tenant(pgl_app.db))
		return (STORE(begin_tenant, tenant, err));
	return (STORE(begin, err));
}

int
pgl_store_tx(int (*fn)(void *, struct pgl_err *), void *arg,
    struct pgl_err *err)
{
	return (pgl_store_tx_in(NULL, fn, arg, err));
}

/* fn in a transaction, then its COMMIT: waited for (fd NULL), or sent
 * to be answered later where the store can (PGL_TX_PENDING, *fd). */
static int
tx_run(const char *tenant, int (*fn)(void *, struct pgl_err *), void *arg,
    int *fd, struct pgl_err *err)
{
	struct pgl_err	rb;
	int		rc;

	/* Inside an open transaction (the gate's), fn is part of it. */
	if (pgl_app.in_tx)
		return (fn(arg, err));
	/* A COMMIT whose outcome is still to be taken: this one waits. */
	if (pgl_app.flight.h != NULL || pgl_app.flight.landed)
		fd = NULL;
	if ((rc = pgl_store_begin_in(tenant, err)) != PGL_OK)
		return (rc);
	pgl_app.in_tx = 1;
	rc = fn(arg, err);
	pgl_app.in_tx = 0;
	if (rc != PGL_OK) {
		(void)STORE(rollback, &rb);
		return (rc);
	}
	if (fd == NULL)
		rc = STORE(commit, err);
	else if ((rc = pgl_flight_send(fd, err)) == PGL_OK && *fd != -1) {
		pgl_metrics_inc(PGL_C_COMMIT_FLIGHTS);
		return (PGL_TX_PENDING);
	}
	return (rc == PGL_OK || rc == PGL_ERETRY ? rc : PGL_TX_UNKNOWN);
}

int
pgl_store_tx_in(const char *tenant, int (*fn)(void *, struct pgl_err *),
    void *arg, struct pgl_err *err)
{
	return (tx_run(tenant, fn, arg, NULL, err));
}

int
pgl_store_tx_send(const char *tenant, int (*fn)(void *, struct pgl_err *),
    void *arg, int *fd, struct pgl_err *err)
{
	*fd = -1;
	return (tx_run(tenant, fn, arg, fd, err));
}

int
pgl_store_tx_landed(int *fd, struct pgl_err *err)
{
	int	rc;

	if ((rc = pgl_flight_poll(fd, err)) == PGL_OK && *fd != -1)
		return (PGL_TX_PENDING);
	return (rc == PGL_OK || rc == PGL_ERETRY ? rc : PGL_TX_UNKNOWN);
}

/*
 * The run after the first loss goes at once: the loser waited on the
 * winner's row lock, and the winner has just committed, so the rows are
 * free now.  Losers that keep meeting are drawn apart: full jitter, a
 * pause drawn from [0, bound], the bound doubling from TX_PAUSE_FIRST_US
 * up to TX_PAUSE_MAX_US.  The worker sleeps: store calls are
 * synchronous, and it would wait as long on a row lock.  At most
 * TX_PAUSE_MAX_US a pause and API_TX_ATTEMPTS - 2 pauses a request
 * (24 ms in all at worst).  Measured against retrying every time at once
 * in tests/bench/tx_race.sh (docs/benchmarks.md).
 */
#define TX_PAUSE_FIRST_US	250
#define TX_PAUSE_MAX_US		2000

void
api_tx_pause(int attempt)
{
	struct timespec	ts;
	uint32_t	bound = TX_PAUSE_FIRST_US, draw;
	int		i;

	if (attempt < 2)
		return;
	for (i = 2; i < attempt && bound < TX_PAUSE_MAX_US; i++)
		bound *= 2;
	if (bound > TX_PAUSE_MAX_US)
		bound = TX_PAUSE_MAX_US;
	if (getrandom(&draw, sizeof(draw), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(draw))
		draw = (uint32_t)pgl_now_ms() * 2654435761U;
	draw %= bound + 1;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)draw * 1000;
	(void)nanosleep(&ts, NULL);
}

int
api_is_federated(const struct pgl_catalog *c)
{
	return (c->catalog_type != NULL &&
	    strcmp(c->catalog_type, "Federated") == 0);
}

int
api_local_catalog(struct pgl_req *r, const struct pgl_catalog *c)
{
	if (!api_is_federated(c))
		return (0);
	pgl_reply_error(r, 400, "catalog '%.200s' is federated: its branches, "
	    "tags, merges, maintenance, namespaces and assets are the remote "
	    "catalog's (use the Iceberg REST API under /v1/%.200s/)", c->name,
	    c->name);
	return (-1);
}
