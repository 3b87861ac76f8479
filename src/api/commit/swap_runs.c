/*
 * A group's pointer swaps, a chain's made as one (swap_runs.h).
 */
#include <string.h>

#include "api/commit/swap_runs.h"
#include "app/app.h"
#include "metrics/metrics.h"

static int
eq(const char *x, const char *y)
{
	return (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static int
same_asset(const struct ice_change *a, const struct ice_change *b)
{
	return (eq(a->asset.catalog, b->asset.catalog) &&
	    eq(a->asset.branch, b->asset.branch) &&
	    eq(a->asset.ns, b->asset.ns) && eq(a->asset.name, b->asset.name));
}

size_t
commit_swap_add(struct commit_swap_run *runs, size_t *nruns,
    struct pgl_req *r, const struct ice_change *c, int shared)
{
	const char	*base = c->asset.metadata_location;
	size_t		 i;

	/* A run is one tenant's table: the store swaps it by the tenant
	 * of its first request. */
	for (i = 0; base != NULL && i < *nruns; i++) {
		if (eq(runs[i].to, base) && eq(runs[i].r->tenant, r->tenant) &&
		    same_asset(runs[i].first, c)) {
			runs[i].to = c->next_location;
			runs[i].joined++;
			runs[i].shared |= shared;
			return (i);
		}
	}
	runs[*nruns].r = r;
	runs[*nruns].first = c;
	runs[*nruns].joined = 0;
	runs[*nruns].shared = shared;
	runs[*nruns].lost = 0;
	runs[*nruns].to = c->next_location;
	return ((*nruns)++);
}

int
commit_swap_runs(struct commit_swap_run *runs, size_t n, int leave_lost,
    struct pgl_err *err)
{
	const struct ice_change	*c;
	size_t			 i, joined = 0, lost = 0;
	int			 rc;

	for (i = 0; i < n; i++) {
		c = runs[i].first;
		rc = STORE(update_metadata_location, runs[i].r->tenant,
		    c->asset.catalog, c->asset.branch, c->asset.ns,
		    c->asset.name, c->asset.metadata_location, runs[i].to,
		    err);
		if (rc == PGL_ECONFLICT && leave_lost && !runs[i].shared) {
			runs[i].lost = 1;
			lost++;
			continue;
		}
		if (rc != PGL_OK)
			return (rc);
		joined += runs[i].joined;
	}
	pgl_metrics_add(PGL_C_COMMIT_SWAPS_JOINED, joined);
	pgl_metrics_add(PGL_C_COMMIT_SWAPS_LOST_KEPT, lost);
	return (PGL_OK);
}
