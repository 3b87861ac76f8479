/*
 * At most one action per field for any caller (ReadRestrictions, rule 3,
 * and its nesting rule), checked when a column action is defined and
 * when columns are tagged: a policy of the same catalog whose principals
 * could meet another's on one caller (pgl_pol_principals_overlap) must
 * not act on the same field, or on one around or inside it; and a tag's
 * action must apply to every column the tag is on.
 *
 * Two policies meet on a table both their scopes hold; the tables that
 * can tell are those a policy names, and those holding a policy's tag
 * (at most MAX_TABLES of them: the resolver flags what lies beyond).  On
 * each, the table's schema and column tags decide.  Two namespaces'
 * policies, one at or below the other, meet on every table naming the
 * column: their column names decide.  What only a later table or role
 * brings about the resolver meets, applies one and flags the other
 * (policy.h).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/policies/policy_int.h"
#include "api/read/policies.h"
#include "app/app.h"
#include "util/arena.h"

#define MAX_TARGETS	64
#define MAX_TABLES	256

struct tbl_ref {
	const char	*ns;
	const char	*name;
};

struct cands {
	struct tbl_ref	v[MAX_TABLES];
	size_t		n;
};

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

/* The table (ns, name) of main, once, when it exists. */
static int
add_table(struct pgl_req *r, const char *catalog, struct cands *c,
    const char *ns, const char *name)
{
	struct pgl_asset	a;
	struct pgl_err		err;
	size_t			i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].ns, ns) == 0 &&
		    strcmp(c->v[i].name, name) == 0)
			return (0);
	if (c->n == MAX_TABLES || STORE(get_asset, r->arena, r->tenant,
	    catalog, "main", ns, name, &a, &err) != PGL_OK)
		return (0);
	c->v[c->n].ns = ns;
	c->v[c->n++].name = name;
	return (0);
}

/* The catalog's tables of main holding tag on a column. */
static int
add_tagged(struct pgl_req *r, const char *catalog, struct cands *c,
    const char *tag)
{
	struct pgl_column_tag	*t;
	struct pgl_asset	 a;
	struct pgl_err		 err;
	size_t			 n, i;

	if (STORE(list_column_tags, r->arena, r->tenant, NULL, tag, &t, &n,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	for (i = 0; i < n && c->n < MAX_TABLES; i++) {
		if (i > 0 && strcmp(t[i].asset_id, t[i - 1].asset_id) == 0)
			continue;
		if (STORE(get_asset_by_id, r->arena, r->tenant, t[i].asset_id,
		    &a, &err) != PGL_OK || strcmp(a.catalog, catalog) != 0 ||
		    strcmp(a.branch, "main") != 0)
			continue;
		(void)add_table(r, catalog, c, a.ns, a.name);
	}
	return (0);
}

static int
refuse(struct pgl_req *r, const struct pgl_policy *q)
{
	pgl_reply_error(r, 409, "policy %s (id %s) already gives some of "
	    "these principals an action on this field (or on one around or "
	    "inside it): a caller may have at most one action per field",
	    q->name, q->id);
	return (-1);
}

/* A tag's action on every column of t holding the tag: 0, or -1 after
 * replying 422. */
static int
tag_applies(struct pgl_req *r, const struct pgl_policy *p, const json_t *d,
    const struct pgl_pol_table *t)
{
	struct pgl_pol_target	tg[MAX_TARGETS];
	size_t			n, i;
	char			why[256];

	if (p->tag == NULL)
		return (0);
	n = pgl_pol_targets(p, d, t, tg, MAX_TARGETS);
	for (i = 0; i < n; i++) {
		if (tg[i].applicable)
			continue;
		(void)pgl_pol_applicable(pgl_pol_doc_action(d), &tg[i].col,
		    why, sizeof(why));
		pgl_reply_error(r, 422, "policy %s: on table %s, tagged %s: "
		    "%s", p->name, t->name, p->tag, why);
		return (-1);
	}
	return (0);
}

/* p against the others on one table: 0, or -1 after replying. */
static int
check_table(struct pgl_req *r, const struct pgl_policy *p, const json_t *pd,
    const struct pgl_policy *ps, json_t **docs, size_t n,
    const struct tbl_ref *ref)
{
	struct pol_tbl	t;
	size_t		i;
	int		rc = 0;

	if (pol_table_load(r, p->catalog, ref->ns, ref->name, NULL, 422,
	    &t) == -1)
		return (-1);
	rc = tag_applies(r, p, pd, &t.t);
	for (i = 0; rc == 0 && i < n; i++) {
		if (docs[i] == NULL || !pgl_pol_scope_holds(&ps[i], p->catalog,
		    ref->ns, ref->name))
			continue;
		if (meet_on(p, pd, &ps[i], docs[i], &t.t))
			rc = refuse(r, &ps[i]);
	}
	pol_table_free(&t);
	return (rc);
}

/* The tables that can tell whether p meets another: 0 or -1 (replied). */
static int
candidates(struct pgl_req *r, const struct pgl_policy *p,
    const struct pgl_policy *ps, json_t **docs, size_t n, struct cands *c)
{
	size_t	i;

	c->n = 0;
	if (p->table_name != NULL)
		(void)add_table(r, p->catalog, c, p->ns, p->table_name);
	if (p->tag != NULL && add_tagged(r, p->catalog, c, p->tag) == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		if (docs[i] == NULL)
			continue;
		if (ps[i].table_name != NULL && pgl_pol_scope_holds(p,
		    p->catalog, ps[i].ns, ps[i].table_name))
			(void)add_table(r, p->catalog, c, ps[i].ns,
			    ps[i].table_name);
		if (ps[i].tag != NULL && add_tagged(r, p->catalog, c,
		    ps[i].tag) == -1)
			return (-1);
	}
	return (0);
}

/* The other column actions whose principals meet p's: docs[i] or NULL. */
static json_t **
others(struct pgl_req *r, const struct pgl_policy *p, const json_t *doc,
    const struct pgl_policy *ps, size_t n)
{
	json_t	**docs;
	size_t	  i;

	if ((docs = pgl_arena_alloc(r->arena, (n + 1) * sizeof(*docs))) ==
	    NULL)
		return (NULL);
	for (i = 0; i < n; i++) {
		docs[i] = NULL;
		if (strcmp(ps[i].id, p->id) == 0 ||
		    (docs[i] = api_obj(ps[i].doc)) == NULL)
			continue;
		if (pgl_pol_is_row_filter(docs[i]) ||
		    !pgl_pol_principals_overlap(doc, docs[i])) {
			json_decref(docs[i]);
			docs[i] = NULL;
		}
	}
	return (docs);
}

static int
by_names(struct pgl_req *r, const struct pgl_policy *p, const json_t *doc,
    const struct pgl_policy *ps, json_t **docs, size_t n)
{
	size_t	i;

	if (p->tag != NULL || p->table_name != NULL)
		return (0);
	for (i = 0; i < n; i++)
		if (docs[i] != NULL && ps[i].tag == NULL &&
		    ps[i].table_name == NULL && ns_nested(p->ns, ps[i].ns) &&
		    names_meet(json_string_value(json_object_get(doc,
		    "column")), json_string_value(json_object_get(docs[i],
		    "column"))))
			return (refuse(r, &ps[i]));
	return (0);
}

int
pol_conflicts(struct pgl_req *r, const struct pgl_policy *p,
    const json_t *doc)
{
	struct pgl_policy	*ps;
	struct cands		*c;
	json_t			**docs;
	size_t			 n, i;
	int			 rc;

	if (pgl_pol_is_row_filter(doc))
		return (0);
	if (ice_policies_of_catalog(r, p->catalog, &ps, &n) == -1)
		return (-1);
	if ((docs = others(r, p, doc, ps, n)) == NULL ||
	    (c = pgl_arena_alloc(r->arena, sizeof(*c))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	rc = by_names(r, p, doc, ps, docs, n);
	if (rc == 0)
		rc = candidates(r, p, ps, docs, n, c);
	for (i = 0; rc == 0 && i < c->n; i++)
		if (pgl_pol_scope_holds(p, p->catalog, c->v[i].ns,
		    c->v[i].name))
			rc = check_table(r, p, doc, ps, docs, n, &c->v[i]);
	for (i = 0; i < n; i++)
		json_decref(docs[i]);
	return (rc);
}

/*
 * New column tags of table t: each tag policy on them applies to the
 * columns' types, and no two column actions meet on a field for one
 * caller because of them.  0, or -1 after replying 422 or 409.
 */
int
pol_tags_check(struct pgl_req *r, const struct pgl_pol_table *t)
{
	struct pgl_policy	*ps;
	json_t			**docs;
	size_t			 n, i, j;
	int			 rc = 0;

	if (ice_policies_of_catalog(r, t->catalog, &ps, &n) == -1)
		return (-1);
	if ((docs = pgl_arena_alloc(r->arena, (n + 1) * sizeof(*docs))) ==
	    NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	for (i = 0; i < n; i++) {
		docs[i] = NULL;
		if (pgl_pol_scope_holds(&ps[i], t->catalog, t->ns, t->name) &&
		    (docs[i] = api_obj(ps[i].doc)) != NULL &&
		    pgl_pol_is_row_filter(docs[i])) {
			json_decref(docs[i]);
			docs[i] = NULL;
		}
	}
	for (i = 0; rc == 0 && i < n; i++)
		if (docs[i] != NULL)
			rc = tag_applies(r, &ps[i], docs[i], t);
	/* Only a pair with a tag's policy can meet anew. */
	for (i = 0; rc == 0 && i < n; i++)
		for (j = i + 1; rc == 0 && j < n; j++)
			if (docs[i] != NULL && docs[j] != NULL &&
			    (ps[i].tag != NULL || ps[j].tag != NULL) &&
			    pgl_pol_principals_overlap(docs[i], docs[j]) &&
			    meet_on(&ps[i], docs[i], &ps[j], docs[j], t)) {
				pgl_reply_error(r, 409, "with these tags, "
				    "policies %s and %s would give some caller "
				    "two actions on one field (or on one around "
				    "or inside it)", ps[i].name, ps[j].name);
				rc = -1;
			}
	for (i = 0; i < n; i++)
		json_decref(docs[i]);
	return (rc);
}
