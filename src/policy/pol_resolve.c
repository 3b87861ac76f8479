/*
 * The resolver: a caller's policies on one table into the spec's
 * ReadRestrictions (policy.h).  One job, no I/O: the api layer hands it
 * the tenant's policies, the principal and the table (its current schema
 * and its column tags), and a later step calls it on every loadTable.
 *
 * Column actions: each policy whose scope and principals hold gives its
 * targets (pgl_pol_targets).  At most one action per field may be
 * returned, and none under a nested field that has one (the spec's rule
 * 3 and its nesting rule), so when two meet on one caller (definition
 * refuses that, but a later tag, table or role can still bring it
 * about) the nearer scope wins: the table's, then the deepest
 * namespace's, then a tag's; then the older policy.  The other is
 * flagged, never dropped unsaid.  An action the column's type does not
 * take (a namespace's or a tag's column may be of any type) is not
 * returned: the spec forbids it; mask-to-fixed-value takes its place
 * where the type has a fixed value, and the policy is flagged.
 *
 * Row filters: every one that holds, bound to the table's schema and
 * AND-ed; one that does not bind (a namespace's naming a column the
 * table lacks) is `false`, no row, and flagged: fail closed.
 *
 * A table policy holds on the table of its name and on the table row it
 * was defined on, whatever that row is named now (pgl_pol_bound_to):
 * the name is how it is shown and followed, the row is what it protects.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

#define MAX_TARGETS	64

struct cand {
	const struct pgl_policy	*p;
	struct pgl_pol_column	 col;
	int			 action;
	int			 rank;		/* 0 table, 1 namespace, 2 tag */
	size_t			 depth;		/* a namespace's levels */
	int			 taken;
};

static size_t
levels(const char *ns)
{
	size_t	n = 1;

	if (ns == NULL)
		return (0);
	for (; *ns != '\0'; ns++)
		n += *ns == PGL_NS_SEP;
	return (n);
}

size_t
pgl_pol_targets(const struct pgl_policy *p, const json_t *doc,
    const struct pgl_pol_table *t, struct pgl_pol_target *out, size_t max)
{
	const json_t	*fid;
	char		 why[256];
	size_t		 i, n = 0;
	int		 action = pgl_pol_doc_action(doc);

	if (pgl_pol_is_row_filter(doc) || max == 0)
		return (0);
	if (p->tag != NULL) {
		for (i = 0; i < t->ntags && n < max; i++) {
			if (t->tags[i].tag == NULL ||
			    strcmp(t->tags[i].tag, p->tag) != 0 ||
			    pgl_pol_column_by_id(t->schema,
			    t->tags[i].field_id, &out[n].col) == -1)
				continue;
			out[n].applicable = pgl_pol_applicable(action,
			    &out[n].col, why, sizeof(why)) == 0;
			n++;
		}
		return (n);
	}
	fid = json_object_get(doc, "field_id");
	if (p->table_name != NULL && json_is_integer(fid)) {
		if (pgl_pol_column_by_id(t->schema, json_integer_value(fid),
		    &out[0].col) == -1)
			return (0);
	} else if (pgl_pol_column_by_name(t->schema, json_string_value(
	    json_object_get(doc, "column")), &out[0].col) == -1)
		return (0);
	out[0].applicable = pgl_pol_applicable(action, &out[0].col, why,
	    sizeof(why)) == 0;
	return (1);
}

static void	flag(struct pgl_pol_result *, const struct pgl_policy *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));

static void
flag(struct pgl_pol_result *r, const struct pgl_policy *p, const char *fmt,
    ...)
{
	va_list	ap;
	char	reason[512];

	va_start(ap, fmt);
	(void)vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	(void)json_array_append_new(r->flags, json_pack("{s:s?, s:s?, s:s}",
	    "id", p->id, "name", p->name, "reason", reason));
}

static void
applied(struct pgl_pol_result *r, const struct pgl_policy *p)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(r->applied, i, v) {
		if (strcmp(json_string_value(json_object_get(v, "id")),
		    p->id) == 0)
			return;
	}
	(void)json_array_append_new(r->applied, json_pack("{s:s, s:s?}",
	    "id", p->id, "name", p->name));
}

/* The policy's row filter bound to the table, or false (flagged). */
static json_t *
row_filter(struct pgl_pol_result *r, const struct pgl_policy *p,
    const json_t *doc, const struct pgl_pol_table *t)
{
	json_t	*f;
	char	 why[256];

	if ((f = pgl_pol_filter_bind(json_object_get(doc, "row_filter"),
	    t->schema, why, sizeof(why))) != NULL)
		return (f);
	flag(r, p, "its row filter does not bind to this table (%s): no row "
	    "is returned", why);
	return (json_false());
}

static int
add_cands(struct pgl_pol_result *r, const struct pgl_policy *p,
    const json_t *doc, const struct pgl_pol_table *t, struct cand **cs,
    size_t *n, size_t *cap)
{
	struct pgl_pol_target	 tg[MAX_TARGETS];
	struct cand		*c;
	size_t			 i, k;
	int			 action = pgl_pol_doc_action(doc);
	char			 why[256];

	k = pgl_pol_targets(p, doc, t, tg, MAX_TARGETS);
	if (k == 0 && p->tag == NULL)
		flag(r, p, "this table has no column %s",
		    json_string_value(json_object_get(doc, "column")));
	for (i = 0; i < k; i++) {
		int	a = action;

		if (!tg[i].applicable) {
			char	why2[256];

			(void)pgl_pol_applicable(action, &tg[i].col, why,
			    sizeof(why));
			if (pgl_pol_applicable(PGL_POL_MASK_TO_FIXED_VALUE,
			    &tg[i].col, why2, sizeof(why2)) != 0) {
				flag(r, p, "not applied: %s", why);
				continue;
			}
			flag(r, p, "%s: mask-to-fixed-value is returned "
			    "instead", why);
			a = PGL_POL_MASK_TO_FIXED_VALUE;
		}
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			if ((c = realloc(*cs, *cap * sizeof(*c))) == NULL)
				return (-1);
			*cs = c;
		}
		c = &(*cs)[(*n)++];
		c->p = p;
		c->col = tg[i].col;
		c->action = a;
		c->rank = p->tag != NULL ? 2 : p->table_name != NULL ? 0 : 1;
		c->depth = levels(p->ns);
		c->taken = 0;
	}
	return (0);
}

static int
cand_cmp(const void *x, const void *y)
{
	const struct cand	*a = x, *b = y;
	int			 c;

	if (a->rank != b->rank)
		return (a->rank - b->rank);
	if (a->depth != b->depth)
		return (a->depth > b->depth ? -1 : 1);
	if (a->p->created_ms != b->p->created_ms)
		return (a->p->created_ms < b->p->created_ms ? -1 : 1);
	if ((c = strcmp(a->p->id, b->p->id)) != 0)
		return (c);
	return (a->col.id < b->col.id ? -1 : a->col.id > b->col.id);
}

static int
proj_cmp(const void *x, const void *y)
{
	const struct cand	*a = x, *b = y;

	if (a->taken != b->taken)
		return (b->taken - a->taken);
	return (a->col.id < b->col.id ? -1 : a->col.id > b->col.id);
}

/* Greedy in precedence order: a field no accepted one overlaps. */
static void
choose(struct pgl_pol_result *r, struct cand *cs, size_t n)
{
	size_t	i, j;

	if (n == 0)
		return;
	qsort(cs, n, sizeof(*cs), cand_cmp);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (cs[j].taken && pgl_pol_columns_overlap(&cs[i].col,
			    &cs[j].col))
				break;
		if (j == i) {
			cs[i].taken = 1;
			applied(r, cs[i].p);
			continue;
		}
		/* Same policy on a nested field it already covers: quiet. */
		if (cs[j].p == cs[i].p)
			continue;
		flag(r, cs[i].p, "not applied to field %lld: policy %s gives "
		    "this caller an action on it (or on a field around or "
		    "inside it)", (long long)cs[i].col.id, cs[j].p->name);
	}
}

static int
projections(struct pgl_pol_result *r, struct cand *cs, size_t n)
{
	json_t	*arr;
	size_t	 i;

	if (n == 0)
		return (0);
	qsort(cs, n, sizeof(*cs), proj_cmp);
	if (!cs[0].taken)
		return (0);
	if ((arr = json_array()) == NULL)
		return (-1);
	for (i = 0; i < n && cs[i].taken; i++)
		(void)json_array_append_new(arr, json_pack("{s:I, s:s}",
		    "field-id", (json_int_t)cs[i].col.id, "action",
		    pgl_pol_action_name(cs[i].action)));
	return (json_object_set_new(r->restrictions,
	    "required-column-projections", arr));
}

/* Every filter AND-ed, left-deep in policy order; true ones dropped. */
static int
combine(struct pgl_pol_result *r, json_t *filters)
{
	json_t	*acc = NULL, *f;
	size_t	 i;

	json_array_foreach(filters, i, f) {
		if (json_is_true(f))
			continue;
		if (acc == NULL)
			acc = json_incref(f);
		else
			acc = json_pack("{s:s, s:o, s:O}", "type", "and",
			    "left", acc, "right", f);
		if (acc == NULL)
			return (-1);
	}
	if (acc == NULL)
		return (0);
	return (json_object_set_new(r->restrictions, "required-row-filter",
	    acc));
}

static int
resolve_one(struct pgl_pol_result *r, const struct pgl_policy *p,
    const struct pgl_pol_principal *who, const struct pgl_pol_table *t,
    json_t *filters, struct cand **cs, size_t *n, size_t *cap)
{
	json_t	*doc;
	int	 rc = 0, named;

	named = pgl_pol_scope_holds(p, t->catalog, t->ns, t->name);
	if (!named && !pgl_pol_bound_to(p, t->catalog, t->uuid))
		return (0);
	if ((doc = json_loads(p->doc != NULL ? p->doc : "{}", 0, NULL)) ==
	    NULL)
		return (0);
	if (!pgl_pol_applies_to(doc, who)) {
		json_decref(doc);
		return (0);
	}
	if (!named)
		flag(r, p, "defined on this table as %s: it holds on the "
		    "table it was defined on under any name", p->table_name);
	/* A table made again under the name: its field ids may be other
	 * columns.  Applied all the same (fail closed), and said. */
	if (p->table_name != NULL && t->uuid != NULL &&
	    json_is_string(json_object_get(doc, "table_uuid")) &&
	    strcmp(json_string_value(json_object_get(doc, "table_uuid")),
	    t->uuid) != 0)
		flag(r, p, "table %s was dropped and made again since the "
		    "policy was defined: its field ids may name other columns; "
		    "define the policy again", t->name);
	if (pgl_pol_is_row_filter(doc)) {
		rc = json_array_append_new(filters, row_filter(r, p, doc, t));
		applied(r, p);
	} else
		rc = add_cands(r, p, doc, t, cs, n, cap);
	json_decref(doc);
	return (rc);
}

int
pgl_pol_resolve(const struct pgl_policy *ps, size_t np,
    const struct pgl_pol_principal *who, const struct pgl_pol_table *t,
    struct pgl_pol_result *r)
{
	struct cand	*cs = NULL;
	json_t		*filters;
	size_t		 i, n = 0, cap = 0;
	int		 rc = 0;

	r->restrictions = json_object();
	r->applied = json_array();
	r->flags = json_array();
	filters = json_array();
	if (r->restrictions == NULL || r->applied == NULL ||
	    r->flags == NULL || filters == NULL)
		rc = -1;
	for (i = 0; rc == 0 && i < np; i++)
		rc = resolve_one(r, &ps[i], who, t, filters, &cs, &n, &cap);
	if (rc == 0) {
		choose(r, cs, n);
		rc = projections(r, cs, n);
	}
	if (rc == 0)
		rc = combine(r, filters);
	free(cs);
	json_decref(filters);
	if (rc != 0)
		pgl_pol_result_free(r);
	return (rc);
}

void
pgl_pol_result_free(struct pgl_pol_result *r)
{
	json_decref(r->restrictions);
	json_decref(r->applied);
	json_decref(r->flags);
	r->restrictions = r->applied = r->flags = NULL;
}
