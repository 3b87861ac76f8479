/*
 * Overlaps of before (commit/overlaps.h): tables and views whose
 * locations overlapped when they were placed, before every table owned
 * its files (issue 67), or placed on a store without transactions by two
 * creates racing.  Nothing refuses them after the fact, and nothing is
 * moved or deleted: they are reported, at start-up and to an admin, for
 * the operator to resolve (drop one, register it elsewhere).
 *
 * The store lists the owners of every place by (tenant, key, id), so an
 * owner comes right after the owners of the places holding it: the walk
 * keeps those (the chain of keys that are prefixes of the current one)
 * and reports the nearest that is another asset, in bounded memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/overlaps.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/log.h"

#define PAGE		500
#define CHAIN_MAX	64	/* the deepest nesting kept */

/* An owner, copied (the page it came from is freed). */
struct held {
	char	*s[11];		/* the fields of struct pgl_location_owner */
};

static void
held_free(struct held *h)
{
	size_t	i;

	for (i = 0; i < 11; i++)
		free(h->s[i]);
	memset(h, 0, sizeof(*h));
}

static void
fields(struct pgl_location_owner *o, const char **f[11])
{
	f[0] = &o->tenant_id;
	f[1] = &o->catalog;
	f[2] = &o->branch;
	f[3] = &o->ns;
	f[4] = &o->name;
	f[5] = &o->kind;
	f[6] = &o->location;
	f[7] = &o->key;
	f[8] = &o->origin;
	f[9] = &o->dropped_id;
	f[10] = &o->id;
}

static int
hold(struct held *h, const struct pgl_location_owner *o)
{
	struct pgl_location_owner	 c = *o;
	const char			**f[11];
	size_t				 i;

	fields(&c, f);
	memset(h, 0, sizeof(*h));
	for (i = 0; i < 11; i++) {
		if (*f[i] != NULL && (h->s[i] = strdup(*f[i])) == NULL) {
			held_free(h);
			return (-1);
		}
	}
	return (0);
}

static struct pgl_location_owner
owner_of(const struct held *h)
{
	struct pgl_location_owner	 o;
	const char			**f[11];
	size_t				 i;

	fields(&o, f);
	for (i = 0; i < 11; i++)
		*f[i] = h->s[i];
	return (o);
}

/* Two versions of one asset, or one live name of one catalog
 * (commit/owners.h). */
static int
same_asset(const struct pgl_location_owner *a,
    const struct pgl_location_owner *b)
{
	if (a->origin != NULL && b->origin != NULL &&
	    strcmp(a->origin, b->origin) == 0)
		return (1);
	return (a->dropped_id == NULL && b->dropped_id == NULL &&
	    strcmp(a->catalog, b->catalog) == 0 &&
	    strcmp(a->ns, b->ns) == 0 && strcmp(a->name, b->name) == 0);
}

static int
prefix_of(const char *p, const char *key)
{
	return (strncmp(key, p, strlen(p)) == 0);
}

struct walk {
	struct held	chain[CHAIN_MAX];
	size_t		n;
	uint64_t	found;
	int		stop;
};

/* o after the owners before it: report, then keep it on the chain. */
static int
step(struct walk *w, const struct pgl_location_owner *o,
    ice_overlap_fn fn, void *arg)
{
	struct pgl_location_owner	 up;
	size_t				 i;

	while (w->n > 0 && (strcmp(w->chain[w->n - 1].s[0], o->tenant_id) !=
	    0 || !prefix_of(w->chain[w->n - 1].s[7], o->key)))
		held_free(&w->chain[--w->n]);
	for (i = w->n; i > 0; i--) {
		up = owner_of(&w->chain[i - 1]);
		if (same_asset(&up, o))
			continue;
		w->found++;
		if (fn(arg, &up, o) != 0)
			w->stop = 1;
		break;
	}
	/* A version of the asset just kept at the same place adds
	 * nothing (a table's copies on a hundred branches). */
	if (w->n > 0) {
		up = owner_of(&w->chain[w->n - 1]);
		if (strcmp(up.key, o->key) == 0 && same_asset(&up, o))
			return (0);
	}
	if (w->n == CHAIN_MAX)
		held_free(&w->chain[--w->n]);
	return (hold(&w->chain[w->n++], o));
}

int
ice_overlaps_walk(const char *tenant, ice_overlap_fn fn, void *arg,
    uint64_t *found, struct pgl_err *err)
{
	struct walk			 w;
	struct pgl_location_owner	*page, last;
	struct pgl_arena		*a = NULL, *prev;
	size_t				 n, i;
	int				 rc = PGL_OK, first = 1;

	memset(&w, 0, sizeof(w));
	memset(&last, 0, sizeof(last));
	*found = 0;
	if (!pgl_store_has_owners(pgl_app.db))
		return (PGL_OK);
	do {
		prev = a;
		if ((a = pgl_arena_new()) == NULL) {
			a = prev;
			err->code = rc = PGL_ENOMEM;
			(void)snprintf(err->msg, sizeof(err->msg),
			    "out of memory");
			break;
		}
		rc = STORE(list_location_owners, a, tenant, first ? NULL :
		    last.tenant_id, first ? NULL : last.key, first ? NULL :
		    last.id, PAGE, &page, &n, err);
		if (prev != NULL)
			pgl_arena_free(prev);
		for (i = 0; rc == PGL_OK && i < n && !w.stop; i++) {
			if (page[i].key == NULL || page[i].tenant_id == NULL ||
			    page[i].id == NULL)
				continue;
			if (step(&w, &page[i], fn, arg) == -1) {
				err->code = rc = PGL_ENOMEM;
				(void)snprintf(err->msg, sizeof(err->msg),
				    "out of memory");
			}
		}
		if (rc == PGL_OK && n > 0) {
			last = page[n - 1];
			first = 0;
		}
	} while (rc == PGL_OK && n == PAGE && !w.stop);
	while (w.n > 0)
		held_free(&w.chain[--w.n]);
	if (a != NULL)
		pgl_arena_free(a);
	*found = w.found;
	return (rc);
}

struct startup {
	uint64_t	logged;
};

static int
log_one(void *arg, const struct pgl_location_owner *up,
    const struct pgl_location_owner *o)
{
	struct startup	*s = arg;

	if (s->logged++ >= ICE_OVERLAPS_LOGGED)
		return (0);
	pgl_log(PGL_LOG_WARN, "tenant %s: %s %s.%s (catalog %s, branch %s%s%s) "
	    "at %.200s lies in the location %.200s of %s %s.%s (catalog %s, "
	    "branch %s%s%s): every table owns its files; drop or move one "
	    "(GET /api/v1/catalogs/%s/location-overlaps lists them)",
	    o->tenant_id, o->kind, o->ns, o->name, o->catalog, o->branch,
	    o->dropped_id != NULL ? ", dropped " : "",
	    o->dropped_id != NULL ? o->dropped_id : "", o->location, up->location,
	    up->kind, up->ns, up->name, up->catalog, up->branch,
	    up->dropped_id != NULL ? ", dropped " : "",
	    up->dropped_id != NULL ? up->dropped_id : "", o->catalog);
	return (0);
}

void
ice_overlaps_report(void)
{
	struct startup	s = { 0 };
	struct pgl_err	err;
	uint64_t	found;

	memset(&err, 0, sizeof(err));
	if (!pgl_store_has_owners(pgl_app.db)) {
		pgl_log(PGL_LOG_WARN, "store %s keeps no owners of locations "
		    "(store ABI 1.%d, 1.26 does): tables' locations are not "
		    "checked for overlaps", pgl_app.db->name,
		    pgl_app.db->abi_minor);
		return;
	}
	if (ice_overlaps_walk(NULL, log_one, &s, &found, &err) != PGL_OK) {
		pgl_log(PGL_LOG_WARN, "the overlaps of tables' locations could "
		    "not be read: %s", err.msg);
		return;
	}
	if (found > ICE_OVERLAPS_LOGGED)
		pgl_log(PGL_LOG_WARN, "%llu tables or views in all lie in "
		    "another's location (the first %d are logged above)",
		    (unsigned long long)found, ICE_OVERLAPS_LOGGED);
}

void
ice_overlaps_report_on(struct pgl_store *s)
{
	struct pgl_store	*saved = pgl_app.dbh;

	pgl_app.dbh = s;
	ice_overlaps_report();
	pgl_app.dbh = saved;
}
