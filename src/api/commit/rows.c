/*
 * Hints of tables' rows (rows.h): COMMIT_ROWS entries, one per bucket of
 * a table's whole name, a newer one replacing an older one.  A miss is
 * only a store read, so a bucket shared by two tables costs each that.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/rows.h"
#include "api/request/req_app.h"
#include "util/arena.h"
#include "util/hash.h"

#ifndef COMMIT_ROWS
#define COMMIT_ROWS	1024
#endif
/* A row over this (its properties, mostly) is not kept: at most 8 MB a
 * worker, whatever the tenants' tables hold. */
#define ROW_HINT_MAX_BYTES	8192
/*
 * A hint found stale rests its table's hints this long.  Where another
 * writer commits the table too (every worker committing, or replicas), a
 * worker's last row is stale almost every time: measured on PostgreSQL
 * with commit_workers = 0, half the commits lost their first swap (a
 * file written for nothing, the group's writes sent again one by one),
 * 395 commits/s against 1,020 before hints.  Resting, such a table's
 * commits read the row; it loses a swap once a rest.
 */
#define ROW_HINT_REST_MS	5000

struct row_hint {
	char			*key;		/* NULL: empty */
	struct pgl_asset	 a;		/* its strings in blob */
	char			*blob;		/* NULL: no row (resting) */
	int64_t			 rest_until;	/* ms; no hint before it */
};

static struct row_hint	hints[COMMIT_ROWS];

/* tenant, catalog, branch, namespace, name, kind: each ended by 0xff,
 * which no UTF-8 name holds. */
static char *
key_of(const struct pgl_req *r, const struct ice_change *c, uint64_t *h)
{
	const char	*parts[6];
	size_t		 i, n = 0, len[6];
	char		*k, *p;

	parts[0] = r->tenant;
	parts[1] = c->t.catalog.name;
	parts[2] = c->t.branch;
	parts[3] = c->t.ns;
	parts[4] = c->t.name;
	parts[5] = c->kind->asset;
	for (i = 0; i < 6; i++) {
		if (parts[i] == NULL)
			return (NULL);
		len[i] = strlen(parts[i]);
		n += len[i] + 1;
	}
	if ((k = malloc(n + 1)) == NULL)
		return (NULL);
	for (p = k, i = 0; i < 6; i++) {
		memcpy(p, parts[i], len[i]);
		p += len[i];
		*p++ = '\xff';
	}
	*p = '\0';
	*h = pgl_fnv1a_str(PGL_FNV_BASIS, k);
	return (k);
}

static void
clear(struct row_hint *e)
{
	free(e->key);
	free(e->blob);
	memset(e, 0, sizeof(*e));
}

/* The entry holding c's key, or NULL; *slot its bucket. */
static struct row_hint *
find(const struct pgl_req *r, const struct ice_change *c,
    struct row_hint **slot)
{
	struct row_hint	*e;
	uint64_t	 h;
	char		*k;
	int		 hit;

	*slot = NULL;
	if ((k = key_of(r, c, &h)) == NULL)
		return (NULL);
	e = &hints[h % COMMIT_ROWS];
	*slot = e;
	hit = e->key != NULL && strcmp(e->key, k) == 0;
	free(k);
	return (hit ? e : NULL);
}

/* A schema change: the policies' check reads the tags of the row's id. */
static int
changes_schema(const struct ice_change *c)
{
	const json_t	*u;
	const char	*action;
	size_t		 i;

	if (c->updates == NULL)
		return (1);
	json_array_foreach(c->updates, i, u) {
		action = json_string_value(json_object_get(u, "action"));
		if (action == NULL || strcmp(action, "add-schema") == 0 ||
		    strcmp(action, "set-current-schema") == 0)
			return (1);
	}
	return (0);
}

static const char *
copy(struct pgl_req *r, const char *s, int *oom)
{
	char	*d;

	if (s == NULL)
		return (NULL);
	if ((d = pgl_arena_strdup(r->arena, s)) == NULL)
		*oom = 1;
	return (d);
}

int
commit_row_get(struct pgl_req *r, struct ice_change *c)
{
	struct row_hint		*e, *slot;
	struct pgl_asset	 a;
	int			 oom = 0;

	if ((r->app != NULL && r->app->have_asset) || changes_schema(c) ||
	    (e = find(r, c, &slot)) == NULL || e->blob == NULL)
		return (0);
	a = e->a;
	a.id = copy(r, e->a.id, &oom);
	a.catalog = copy(r, e->a.catalog, &oom);
	a.branch = copy(r, e->a.branch, &oom);
	a.ns = copy(r, e->a.ns, &oom);
	a.name = copy(r, e->a.name, &oom);
	a.kind = copy(r, e->a.kind, &oom);
	a.location = copy(r, e->a.location, &oom);
	a.metadata_location = copy(r, e->a.metadata_location, &oom);
	a.properties = copy(r, e->a.properties, &oom);
	a.origin = copy(r, e->a.origin, &oom);
	if (oom)
		return (0);
	c->asset = a;
	return (1);
}

/* Each string of a, with where for its location and loc for its pointer,
 * into one block; -1 if it cannot be kept. */
static int
fill(struct row_hint *e, const struct pgl_asset *a, const char *where,
    const char *loc)
{
	const char	*src[10] = { a->id, a->catalog, a->branch, a->ns,
			    a->name, a->kind, where, loc, a->properties,
			    a->origin };
	const char	**dst[10];
	size_t		 i, n = 0;
	char		*p;

	e->a = *a;
	dst[0] = &e->a.id;
	dst[1] = &e->a.catalog;
	dst[2] = &e->a.branch;
	dst[3] = &e->a.ns;
	dst[4] = &e->a.name;
	dst[5] = &e->a.kind;
	dst[6] = &e->a.location;
	dst[7] = &e->a.metadata_location;
	dst[8] = &e->a.properties;
	dst[9] = &e->a.origin;
	for (i = 0; i < 10; i++)
		n += src[i] != NULL ? strlen(src[i]) + 1 : 0;
	if (n > ROW_HINT_MAX_BYTES || (e->blob = malloc(n + 1)) == NULL)
		return (-1);
	for (p = e->blob, i = 0; i < 10; i++) {
		if (src[i] == NULL) {
			*dst[i] = NULL;
			continue;
		}
		n = strlen(src[i]) + 1;
		memcpy(p, src[i], n);
		*dst[i] = p;
		p += n;
	}
	return (0);
}

void
commit_row_put(struct pgl_req *r, const struct ice_change *c)
{
	struct row_hint	*slot;
	uint64_t	 h;
	char		*k;

	/* Only a table's own row: an inherited one (a branch's fork) is
	 * copied up by the swap, and reads differently after. */
	if (c->next_location == NULL || c->asset.branch == NULL ||
	    c->t.branch == NULL || strcmp(c->asset.branch, c->t.branch) != 0)
		return;
	if ((k = key_of(r, c, &h)) == NULL)
		return;
	slot = &hints[h % COMMIT_ROWS];
	if (slot->key != NULL && strcmp(slot->key, k) == 0 &&
	    pgl_now_ms() < slot->rest_until) {
		free(k);	/* resting: no row kept */
		return;
	}
	clear(slot);
	if (fill(slot, &c->asset, c->moved_to != NULL ? c->moved_to :
	    c->asset.location, c->next_location) == -1) {
		clear(slot);
		free(k);
		return;
	}
	slot->key = k;
}

/* The table's row may have moved under its hint: none for a while. */
void
commit_row_forget(struct pgl_req *r, const struct ice_change *c)
{
	struct row_hint	*slot;
	uint64_t	 h;
	char		*k;

	if ((k = key_of(r, c, &h)) == NULL)
		return;
	slot = &hints[h % COMMIT_ROWS];
	clear(slot);
	slot->key = k;
	slot->rest_until = pgl_now_ms() + ROW_HINT_REST_MS;
}
