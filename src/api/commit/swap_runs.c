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

void
commit_swap_add(struct commit_swap_run *runs, size_t *nruns,
    struct pgl_req *r, const struct ice_change *c)
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
			return;
		}
	}
	runs[*nruns].r = r;
	runs[*nruns].first = c;
	runs[*nruns].joined = 0;
	runs[(*nruns)++].to = c->next_location;
}

int
commit_swap_runs(const struct commit_swap_run *runs, size_t n,
    struct pgl_err *err)
{
	const struct ice_change	*c;
	size_t			 i, joined = 0;
	int			 rc;

	for (i = 0; i < n; i++) {
		c = runs[i].first;
		joined += runs[i].joined;
		if ((rc = STORE(update_metadata_location, runs[i].r->tenant,
		    c->asset.catalog, c->asset.branch, c->asset.ns,
		    c->asset.name, c->asset.metadata_location, runs[i].to,
		    err)) != PGL_OK)
			return (rc);
	}
	pgl_metrics_add(PGL_C_COMMIT_SWAPS_JOINED, joined);
	return (PGL_OK);
}
