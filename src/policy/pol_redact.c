/*
 * What a caller's read restrictions withhold besides the rows and
 * values an engine masks (issue 67): statistics.  A column's bounds,
 * counts and sketches are its values in summary: the lower bound of an
 * email column is an email.  So a caller bound by a policy is given none
 * of a masked field (a projected field, or any field nested in one), and
 * when a row filter binds it none at all, since a table's or a file's
 * statistics count the rows the filter hides too:
 *
 *  - table metadata: each statistics file's blob-metadata (a blob's
 *    properties, an "ndv" of its fields) keeps only the blobs of fields
 *    the caller may see; every snapshot summary loses its "partitions."
 *    keys (per-partition summaries, whose keys are partition values: a
 *    masked field's, or a partition the row filter hides);
 *  - a commit's updates (the events feed): set-statistics and
 *    add-snapshot the same way.
 *
 * Record counts (a snapshot's totals, a file's record-count) stay: the
 * spec requires them, and docs/security.md says what they tell.  Pure
 * functions: JSON in, JSON out.
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define MAX_DEPTH	64
#define PARTITIONS	"partitions."

static int
add(struct pgl_pol_mask *m, size_t *cap, int64_t id)
{
	int64_t	*nv;

	if (pgl_pol_masked(m, id))
		return (0);
	if (m->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if ((nv = realloc(m->ids, *cap * sizeof(*nv))) == NULL)
			return (-1);
		m->ids = nv;
	}
	m->ids[m->n++] = id;
	return (0);
}

static int	visit(struct pgl_pol_mask *, size_t *, const json_t *proj,
		    const json_t *, int, int);

static int
projected(const json_t *proj, int64_t id)
{
	const json_t	*p;
	size_t		 i;

	json_array_foreach(proj, i, p) {
		if (json_integer_value(json_object_get(p, "field-id")) == id)
			return (1);
	}
	return (0);
}

/* A nested field (id, its type): masked when it or one around it is. */
static int
child(struct pgl_pol_mask *m, size_t *cap, const json_t *proj,
    const json_t *id, const json_t *type, int in, int depth)
{
	if (!json_is_integer(id))
		return (0);
	in = in || projected(proj, json_integer_value(id));
	if (in && add(m, cap, json_integer_value(id)) == -1)
		return (-1);
	return (visit(m, cap, proj, type, in, depth + 1));
}

static int
visit(struct pgl_pol_mask *m, size_t *cap, const json_t *proj,
    const json_t *t, int in, int depth)
{
	const json_t	*f;
	const char	*k;
	size_t		 i;

	if (!json_is_object(t) || depth > MAX_DEPTH ||
	    (k = json_string_value(json_object_get(t, "type"))) == NULL)
		return (0);
	if (strcmp(k, "struct") == 0) {
		json_array_foreach(json_object_get(t, "fields"), i, f) {
			if (child(m, cap, proj, json_object_get(f, "id"),
			    json_object_get(f, "type"), in, depth) == -1)
				return (-1);
		}
		return (0);
	}
	if (strcmp(k, "list") == 0)
		return (child(m, cap, proj, json_object_get(t, "element-id"),
		    json_object_get(t, "element"), in, depth));
	if (strcmp(k, "map") == 0)
		return (child(m, cap, proj, json_object_get(t, "key-id"),
		    json_object_get(t, "key"), in, depth) == -1 ||
		    child(m, cap, proj, json_object_get(t, "value-id"),
		    json_object_get(t, "value"), in, depth) == -1 ? -1 : 0);
	return (0);
}

int
pgl_pol_mask_of(const json_t *rr, const json_t *md, struct pgl_pol_mask *m)
{
	const json_t	*proj, *p, *sc;
	size_t		 i, cap = 0;

	memset(m, 0, sizeof(*m));
	if (rr == NULL)
		return (0);
	m->all = json_object_get(rr, "required-row-filter") != NULL;
	proj = json_object_get(rr, "required-column-projections");
	json_array_foreach(proj, i, p) {
		if (json_is_integer(json_object_get(p, "field-id")) &&
		    add(m, &cap, json_integer_value(json_object_get(p,
		    "field-id"))) == -1)
			goto oom;
	}
	/* Field ids are never reused in a table: every schema's children. */
	json_array_foreach(json_object_get(md, "schemas"), i, sc) {
		if (visit(m, &cap, proj, sc, 0, 0) == -1)
			goto oom;
	}
	return (0);
oom:
	pgl_pol_mask_free(m);
	return (-1);
}

void
pgl_pol_mask_free(struct pgl_pol_mask *m)
{
	free(m->ids);
	m->ids = NULL;
	m->n = 0;
}

int
pgl_pol_masked(const struct pgl_pol_mask *m, int64_t id)
{
	size_t	i;

	for (i = 0; i < m->n; i++)
		if (m->ids[i] == id)
			return (1);
	return (0);
}

/* A blob the caller may have: none of its fields masked. */
static int
blob_kept(const struct pgl_pol_mask *m, const json_t *blob)
{
	const json_t	*f;
	size_t		 i;

	if (m->all)
		return (0);
	json_array_foreach(json_object_get(blob, "fields"), i, f) {
		if (!json_is_integer(f) || pgl_pol_masked(m,
		    json_integer_value(f)))
			return (0);
	}
	return (1);
}

/* 1 when a statistics file holds a blob to withhold. */
static int
stats_withheld(const struct pgl_pol_mask *m, const json_t *sf)
{
	const json_t	*b;
	size_t		 i;

	json_array_foreach(json_object_get(sf, "blob-metadata"), i, b) {
		if (!blob_kept(m, b))
			return (1);
	}
	return (0);
}

/* sf (a copy) with only the blobs kept; -1 out of memory. */
static int
stats_redact(const struct pgl_pol_mask *m, json_t *sf)
{
	const json_t	*b;
	json_t		*kept;
	size_t		 i;

	if ((kept = json_array()) == NULL)
		return (-1);
	json_array_foreach(json_object_get(sf, "blob-metadata"), i, b) {
		if (blob_kept(m, b) && json_array_append(kept, (json_t *)b) ==
		    -1) {
			json_decref(kept);
			return (-1);
		}
	}
	return (json_object_set_new(sf, "blob-metadata", kept));
}

/* 1 when a snapshot summary holds a per-partition summary. */
static int
summary_withheld(const json_t *summary)
{
	const char	*k;
	json_t		*v;

	json_object_foreach((json_t *)summary, k, v) {
		if (strncmp(k, PARTITIONS, strlen(PARTITIONS)) == 0)
			return (1);
	}
	return (0);
}

static int
summary_redact(json_t *summary)
{
	const char	*k;
	json_t		*v;
	void		*tmp;

	json_object_foreach_safe(summary, tmp, k, v) {
		if (strncmp(k, PARTITIONS, strlen(PARTITIONS)) == 0 &&
		    json_object_del(summary, k) == -1)
			return (-1);
	}
	return (0);
}

int
pgl_pol_withholds(const json_t *md, const struct pgl_pol_mask *m)
{
	const json_t	*x;
	size_t		 i;

	json_array_foreach(json_object_get(md, "statistics"), i, x) {
		if (stats_withheld(m, x))
			return (1);
	}
	json_array_foreach(json_object_get(md, "snapshots"), i, x) {
		if (summary_withheld(json_object_get(x, "summary")))
			return (1);
	}
	return (0);
}

json_t *
pgl_pol_redact_metadata(const json_t *md, const struct pgl_pol_mask *m,
    int *oom)
{
	json_t	*out, *x;
	size_t	 i;
	int	 rc = 0;

	*oom = 0;
	if (!pgl_pol_withholds(md, m))
		return (NULL);
	if ((out = json_deep_copy(md)) == NULL) {
		*oom = 1;
		return (NULL);
	}
	json_array_foreach(json_object_get(out, "statistics"), i, x)
		rc |= stats_redact(m, x);
	json_array_foreach(json_object_get(out, "snapshots"), i, x) {
		if (json_is_object(json_object_get(x, "summary")))
			rc |= summary_redact(json_object_get(x, "summary"));
	}
	if (rc != 0) {
		json_decref(out);
		*oom = 1;
		return (NULL);
	}
	return (out);
}

static const char *
action_of(const json_t *u)
{
	const char	*a = json_string_value(json_object_get(u, "action"));

	return (a != NULL ? a : "");
}

static int
update_withheld(const struct pgl_pol_mask *m, const json_t *u)
{
	if (strcmp(action_of(u), "set-statistics") == 0)
		return (stats_withheld(m, json_object_get(u, "statistics")));
	if (strcmp(action_of(u), "add-snapshot") == 0)
		return (summary_withheld(json_object_get(json_object_get(u,
		    "snapshot"), "summary")));
	return (0);
}

json_t *
pgl_pol_redact_updates(const json_t *updates, const struct pgl_pol_mask *m,
    int *oom)
{
	const json_t	*u;
	json_t		*out, *x, *s;
	size_t		 i;
	int		 any = 0, rc = 0;

	*oom = 0;
	json_array_foreach(updates, i, u)
		any |= update_withheld(m, u);
	if (!any)
		return (NULL);
	if ((out = json_deep_copy(updates)) == NULL) {
		*oom = 1;
		return (NULL);
	}
	json_array_foreach(out, i, x) {
		if (strcmp(action_of(x), "set-statistics") == 0 &&
		    json_is_object(s = json_object_get(x, "statistics")))
			rc |= stats_redact(m, s);
		else if (strcmp(action_of(x), "add-snapshot") == 0 &&
		    json_is_object(s = json_object_get(json_object_get(x,
		    "snapshot"), "summary")))
			rc |= summary_redact(s);
	}
	if (rc != 0) {
		json_decref(out);
		*oom = 1;
		return (NULL);
	}
	return (out);
}
