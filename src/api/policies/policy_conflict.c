/*
 * At most one action per field for any caller (ReadRestrictions, rule 3,
 * and its nesting rule), checked when a column action is defined: a
 * policy of the same catalog whose principals could meet this one's on
 * one caller (pgl_pol_principals_overlap) must not act on the same field,
 * or on one around or inside it.  Where both meet on a table (one is the
 * table's, the other's scope holds it) that table's schema and column
 * tags decide; two namespaces' policies, one at or below the other,
 * meet on every table naming the column, so their column names decide;
 * two tags meet on every column holding both.  What only a later change
 * brings about (a new tag, table or role) the resolver meets, applies
 * one and flags the other (policy.h).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/policy_guard.h"
#include "api/policies/policy_int.h"
#include "app/app.h"

#define MAX_TARGETS	64

/* Two namespace policies' columns: the same, or one inside the other. */
static int
names_meet(const char *a, const char *b)
{
	size_t	na, nb;

	if (a == NULL || b == NULL)
		return (0);
	na = strlen(a);
	nb = strlen(b);
	if (na == nb)
		return (strcmp(a, b) == 0);
	if (na < nb)
		return (strncmp(a, b, na) == 0 && b[na] == '.');
	return (strncmp(a, b, nb) == 0 && a[nb] == '.');
}

static int
ns_nested(const char *a, const char *b)
{
	size_t	na = strlen(a), nb = strlen(b), n = na < nb ? na : nb;

	return (strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == PGL_NS_SEP)
	    && (b[n] == '\0' || b[n] == PGL_NS_SEP));
}

/* Both policies' targets on one table: 1 when two of them overlap. */
static int
meet_on(const struct pgl_policy *p, const json_t *pd,
    const struct pgl_policy *q, const json_t *qd,
    const struct pgl_pol_table *t)
{
	struct pgl_pol_target	a[MAX_TARGETS], b[MAX_TARGETS];
	size_t			na, nb, i, j;

	na = pgl_pol_targets(p, pd, t, a, MAX_TARGETS);
	nb = pgl_pol_targets(q, qd, t, b, MAX_TARGETS);
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			if (pgl_pol_columns_overlap(&a[i].col, &b[j].col))
				return (1);
	return (0);
}

/* Two tags held by one column of the tenant's. */
static int
tags_meet(struct pgl_req *r, const char *x, const char *y, int *meet)
{
	struct pgl_column_tag	*a, *b;
	struct pgl_err		 err;
	size_t			 na, nb, i, j;

	*meet = strcmp(x, y) == 0;
	if (*meet)
		return (0);
	if (STORE(list_column_tags, r->arena, r->tenant, NULL, x, &a, &na,
	    &err) != PGL_OK || STORE(list_column_tags, r->arena, r->tenant,
	    NULL, y, &b, &nb, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	for (i = 0; i < na && !*meet; i++)
		for (j = 0; j < nb && !*meet; j++)
			*meet = a[i].field_id == b[j].field_id &&
			    strcmp(a[i].asset_id, b[j].asset_id) == 0;
	return (0);
}

/* The table both meet on, if one is a table's the other holds. */
static const struct pgl_policy *
table_of(const struct pgl_policy *p, const struct pgl_policy *q)
{
	if (p->table_name != NULL && pgl_pol_scope_holds(q, p->catalog, p->ns,
	    p->table_name))
		return (p);
	if (q->table_name != NULL && pgl_pol_scope_holds(p, q->catalog, q->ns,
	    q->table_name))
		return (q);
	return (NULL);
}

/* 1 when p and q meet on a field, 0 not, -1 after replying. */
static int
meet(struct pgl_req *r, const struct pgl_policy *p, const json_t *pd,
    const struct pgl_policy *q, const json_t *qd)
{
	const struct pgl_policy	*on;
	struct pol_tbl		 t;
	int			 m;

	if ((on = table_of(p, q)) != NULL) {
		if (pol_table_load(r, on->catalog, on->ns, on->table_name,
		    NULL, 422, &t) == -1)
			return (-1);
		m = meet_on(p, pd, q, qd, &t.t);
		pol_table_free(&t);
		return (m);
	}
	if (p->tag != NULL && q->tag != NULL)
		return (tags_meet(r, p->tag, q->tag, &m) == -1 ? -1 : m);
	if (p->tag == NULL && q->tag == NULL && p->table_name == NULL &&
	    q->table_name == NULL && ns_nested(p->ns, q->ns))
		return (names_meet(json_string_value(json_object_get(pd,
		    "column")), json_string_value(json_object_get(qd,
		    "column"))));
	return (0);
}

int
pol_conflicts(struct pgl_req *r, const struct pgl_policy *p,
    const json_t *doc)
{
	struct pgl_policy	*ps;
	json_t			*qd;
	size_t			 n, i;
	int			 m;

	if (pgl_pol_is_row_filter(doc))
		return (0);
	if (ice_policies_of_catalog(r, p->catalog, &ps, &n) == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		if (strcmp(ps[i].id, p->id) == 0 ||
		    (qd = api_obj(ps[i].doc)) == NULL)
			continue;
		m = 0;
		if (!pgl_pol_is_row_filter(qd) &&
		    pgl_pol_principals_overlap(doc, qd))
			m = meet(r, p, doc, &ps[i], qd);
		json_decref(qd);
		if (m == -1)
			return (-1);
		if (m == 0)
			continue;
		pgl_reply_error(r, 409, "policy %s (id %s) already gives some "
		    "of these principals an action on this field (or on one "
		    "around or inside it): a caller may have at most one "
		    "action per field", ps[i].name, ps[i].id);
		return (-1);
	}
	return (0);
}
