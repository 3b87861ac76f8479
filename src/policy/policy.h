/*
 * Data policies (issue 46): pure functions over a policy's stored row
 * (struct pgl_policy, its JSON document) and a table's Iceberg schema,
 * testable without a server.  The store keeps the rows and the api
 * layer reads them; this module decides what they mean.
 *
 * A policy is a row filter or a column action (exactly one), for the
 * principals of its applies_to, on a scope of one catalog:
 *
 *  - a table: the column and the row filter's references were resolved
 *    against the table's schema when the policy was defined, and are
 *    kept by field id (a rename keeps them valid);
 *  - a namespace, with everything below it: kept by name, resolved
 *    against each table's current schema when read (a table without
 *    the column is flagged, and a row filter that does not bind there
 *    keeps every row out: fail closed);
 *  - a column tag: the action applies to every column of the catalog's
 *    tables tagged so (column tags, by field id); no row filter.
 *
 * The document (pol_doc.c):
 *   {"kind": "row-filter" | "column-action",
 *    "table_uuid": the table's when a table's policy was defined,
 *    "row_filter": <REST expression>,   by field id (table) or name
 *    "column": "a.b", "field_id": N,    field_id for a table's
 *    "action": one of the nine of ReadRestrictions,
 *    "applies_to": {"roles", "users", "groups", "except_roles"}}
 */
#ifndef PGL_POLICY_H
#define PGL_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pangolin/store.h"

struct pgl_arena;

/* ---- actions (pol_action.c) ---------------------------------------- */

/* The nine actions of the spec's ReadRestrictions (Action mapping). */
enum pgl_pol_action {
	PGL_POL_MASK_ALPHANUM,
	PGL_POL_MASK_TO_FIXED_VALUE,
	PGL_POL_REPLACE_WITH_NULL,
	PGL_POL_SHOW_FIRST_4,
	PGL_POL_SHOW_LAST_4,
	PGL_POL_TRUNCATE_TO_YEAR,
	PGL_POL_TRUNCATE_TO_MONTH,
	PGL_POL_SHA_256_GLOBAL,
	PGL_POL_SHA_256_QUERY_LOCAL,
	PGL_POL_NACTIONS
};

/* The action's spec name; -1 for a name that is not one of the nine. */
const char	*pgl_pol_action_name(int action);
int		 pgl_pol_action_parse(const char *name);

/* ---- a schema's columns (pol_schema.c) ------------------------------ */

#define PGL_POL_MAX_DEPTH	32

/* A field of a schema: a column, a struct's field, a list's element, a
 * map's key or value. */
struct pgl_pol_column {
	int64_t		 id;
	const json_t	*type;		/* "string", or {"type":"struct"...} */
	int		 required;
	int		 in_map_key;	/* a map's key, or inside one */
	int64_t		 ancestors[PGL_POL_MAX_DEPTH];	/* outermost first */
	size_t		 nancestors;
};

/* By full name ("a.b", "l.element", "m.value"): 0, or -1 when none. */
int	pgl_pol_column_by_name(const json_t *schema, const char *name,
	    struct pgl_pol_column *);
/* By field id: 0, or -1 when the schema has none. */
int	pgl_pol_column_by_id(const json_t *schema, int64_t id,
	    struct pgl_pol_column *);
/* The schema of metadata whose id is current-schema-id; NULL if none. */
const json_t	*pgl_pol_current_schema(const json_t *metadata);
/* 1 when a is b, or one of them is an ancestor of the other. */
int	pgl_pol_columns_overlap(const struct pgl_pol_column *a,
	    const struct pgl_pol_column *b);

/*
 * Whether action may be returned for the column (the spec's "Applicable
 * to" of each action, and never on a map's key): 0, or -1 with why.
 */
int	pgl_pol_applicable(int action, const struct pgl_pol_column *,
	    char *why, size_t whylen);

/* ---- row filters (pol_filter.c) ------------------------------------ */

/*
 * Bind a REST expression (any form the planning routes take; names or
 * {"type":"reference","id":N}) to schema, case-sensitively, and write it
 * back in the spec's predicate form with {"type":"reference","id":N}
 * terms: a new reference, or NULL with why (the binder's message).
 */
json_t	*pgl_pol_filter_bind(const json_t *filter, const json_t *schema,
	    char *why, size_t whylen);

/* ---- documents and principals (pol_doc.c) --------------------------- */

/* Who a policy is resolved for: a user, its roles' names, its groups. */
struct pgl_pol_principal {
	const char		*user_id;
	const char *const	*roles;
	size_t			 nroles;
	const char *const	*groups;
	size_t			 ngroups;
};

/* 1 when p's applies_to names the principal (and no except_roles). */
int	pgl_pol_applies_to(const json_t *doc,
	    const struct pgl_pol_principal *);
/*
 * 1 when some one caller could be named by both documents' applies_to
 * (two policies that could give it two actions on one field).
 */
int	pgl_pol_principals_overlap(const json_t *a, const json_t *b);
/* 1 for a row filter's document, 0 for a column action's. */
int	pgl_pol_is_row_filter(const json_t *doc);
/* The document's action (enum pgl_pol_action), or -1. */
int	pgl_pol_doc_action(const json_t *doc);
/*
 * 1 when policy p's scope holds the table (catalog, ns joined by
 * PGL_NS_SEP, name): its table, or a table at or below its namespace; a
 * tag's scope holds every table of its catalog.
 */
int	pgl_pol_scope_holds(const struct pgl_policy *, const char *catalog,
	    const char *ns, const char *name);
/*
 * 1 when p is a table policy of catalog defined on the table row uuid
 * (its document's table_uuid): a table policy binds to its table's
 * identity as well as to its name (issue 67), so that a name that moved
 * under it (a rename racing the policy's creation) never leaves the
 * table it was defined on unprotected.
 */
int	pgl_pol_bound_to(const struct pgl_policy *, const char *catalog,
	    const char *uuid);
/* pgl_pol_scope_holds, or pgl_pol_bound_to (uuid NULL: by name alone). */
int	pgl_pol_holds(const struct pgl_policy *, const char *catalog,
	    const char *ns, const char *name, const char *uuid);

/* ---- the resolver (pol_resolve.c) ------------------------------------ */

/* The table a caller reads. */
struct pgl_pol_table {
	const char			*catalog;
	const char			*ns;		/* PGL_NS_SEP levels */
	const char			*name;
	const json_t			*schema;	/* its current one */
	const struct pgl_column_tag	*tags;		/* its column tags */
	size_t				 ntags;
	const char			*uuid;		/* NULL: not known */
};

/*
 * What a caller's policies make of one table:
 *  restrictions  the spec's ReadRestrictions object: required-column-
 *                projections ({field-id, action}, at most one per field
 *                and none under another's nested field) and required-
 *                row-filter (every row filter AND-ed, by field id);
 *                each member only when it restricts something;
 *  applied       [{"id", "name"}] of the policies that took effect;
 *  flags         [{"id", "name", "reason"}] of those that could not be
 *                applied as written (a missing column, a conflict, a
 *                filter that no longer binds), never silently.
 */
struct pgl_pol_result {
	json_t	*restrictions;
	json_t	*applied;
	json_t	*flags;
};

/*
 * Resolve the n policies (any; those whose scope and principals do not
 * hold are skipped) for principal on table.  0, or -1 when out of
 * memory.  The result is the caller's (pgl_pol_result_free).
 */
int	pgl_pol_resolve(const struct pgl_policy *, size_t n,
	    const struct pgl_pol_principal *, const struct pgl_pol_table *,
	    struct pgl_pol_result *);
void	pgl_pol_result_free(struct pgl_pol_result *);

/*
 * The fields of table that policy p's column action targets (none for a
 * row filter): a table's by field id, a namespace's by name, a tag's by
 * the table's tags.  Fills at most max columns; returns how many, each
 * with applicable 1 when the action applies to it.
 */
struct pgl_pol_target {
	struct pgl_pol_column	col;
	int			applicable;
};
size_t	pgl_pol_targets(const struct pgl_policy *p, const json_t *doc,
	    const struct pgl_pol_table *, struct pgl_pol_target *out,
	    size_t max);

/* ---- statistics withheld (pol_redact.c) ---------------------------- */

/* The fields a caller's read restrictions mask, for what it is given. */
struct pgl_pol_mask {
	int64_t	*ids;		/* projected fields and those nested in one */
	size_t	 n;
	int	 all;		/* a row filter: every field's statistics */
};

/*
 * The mask of read restrictions rr (NULL: none) on a table of metadata
 * md (its schemas give the nested fields): 0, or -1 out of memory.
 * pgl_pol_mask_free releases it.
 */
int	pgl_pol_mask_of(const json_t *rr, const json_t *md,
	    struct pgl_pol_mask *);
void	pgl_pol_mask_free(struct pgl_pol_mask *);
/* 1 when the mask holds field id. */
int	pgl_pol_masked(const struct pgl_pol_mask *, int64_t id);
/*
 * Table metadata as the masked caller may have it: statistics blobs of
 * masked fields (every blob under a row filter) and snapshot summaries'
 * per-partition keys withheld.  NULL when md withholds nothing (answer
 * it as it is; *oom 0) or out of memory (*oom 1); else a new reference.
 */
json_t	*pgl_pol_redact_metadata(const json_t *md,
	    const struct pgl_pol_mask *, int *oom);
/* 1 when md holds something the mask withholds (a mask with all set:
 * any statistics blob or per-partition summary at all). */
int	pgl_pol_withholds(const json_t *md, const struct pgl_pol_mask *);
/* The same for a commit's updates (set-statistics, add-snapshot). */
json_t	*pgl_pol_redact_updates(const json_t *updates,
	    const struct pgl_pol_mask *, int *oom);

#endif
