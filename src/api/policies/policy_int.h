/*
 * What the files of the policies room share (policies.h lists them).
 */
#ifndef PGL_API_POLICY_INT_H
#define PGL_API_POLICY_INT_H

#include <jansson.h>

#include "http/request.h"
#include "pangolin/store.h"
#include "policy/policy.h"

/* A table as the resolver takes it, with what it was read from. */
struct pol_tbl {
	struct pgl_catalog	 catalog;
	struct pgl_asset	 asset;
	json_t			*md;		/* its metadata (owned) */
	struct pgl_pol_table	 t;
};

/*
 * The table (catalog, ns, name) of the request's tenant on branch
 * (NULL: main), its current schema and column tags: 0, or -1 after
 * replying (missing_status for a table that is not there).
 */
int	pol_table_load(struct pgl_req *, const char *catalog, const char *ns,
	    const char *name, const char *branch, int missing_status,
	    struct pol_tbl *);
void	pol_table_free(struct pol_tbl *);

/*
 * Table policy p (doc its document), just written, made sure of its
 * table: the table row it was defined on is still under its name, held
 * against a rename racing it (policy_table.c says how).  0, or -1 after
 * replying: 409 when the table moved (the caller takes the policy back:
 * a store without transactions kept it).
 */
int	pol_table_hold(struct pgl_req *, const struct pgl_policy *p,
	    const json_t *doc);

/* 1 when the store keeps policies, else 0 after replying 501. */
int	pol_ready(struct pgl_req *);

/*
 * The body (POST or PUT) as policy p (id, tenant and times left to the
 * caller) and its document *doc (a new reference), validated against
 * the scope (a table's schema): 0, or -1 after replying 400/404/422.
 */
int	pol_from_body(struct pgl_req *, struct pgl_policy *p, json_t **doc);

/* Another policy that would give some caller a second action on a field
 * p's acts on: 0 none, or -1 after replying 409 naming it. */
int	pol_conflicts(struct pgl_req *, const struct pgl_policy *p,
	    const json_t *doc);

/*
 * Table t's column tags as they are to be (t->tags): every tag policy on
 * them applies to the columns' types and meets no other policy on a
 * field: 0, or -1 after replying 422 or 409.
 */
int	pol_tags_check(struct pgl_req *, const struct pgl_pol_table *t);

/* The policy as the API shows it (a new reference). */
json_t	*pol_json(struct pgl_req *, const struct pgl_policy *);

#endif
