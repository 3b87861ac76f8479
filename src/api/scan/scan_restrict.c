/*
 * A scan plan as a caller whom a data policy binds may have it (issue
 * 67): the plan tells nothing of a value the caller's read restrictions
 * hide.  Issue 67 read a masked column's bounds in clear through
 * stats-fields, and bisected its values with filters that pruned on the
 * raw metrics (`email < "a"` 0 files, `email < "b"` 1).  So, for such a
 * caller (an enforcing engine too: an engine may answer `max(email)` from
 * the statistics, past its own mask):
 *
 *  - no statistic of a masked field (a projected one, or any field
 *    nested in it) is answered: no bounds, value, null or NaN counts,
 *    column sizes; and when a row filter binds the caller, no column
 *    statistic at all, since a file's statistics count the rows the
 *    filter hides as well;
 *  - a filter that names a masked field is evaluated without pruning on
 *    it: each predicate on such a field is taken as "may match" (true;
 *    the bound expression holds no NOT, so true is always the weaker
 *    side) for the partitions, the metrics and the residual, which
 *    leaves the predicate to the engine, over the masked values the spec
 *    has the caller's filter read (the row filter reads the raw ones).
 *    It is not refused: a query filtering on a masked column is an
 *    ordinary query, and an answer that neither prunes nor fails tells
 *    nothing;
 *  - when a row filter binds the caller, its own predicates prune by
 *    partition only, never by column metrics (the bounds of a file count
 *    the hidden rows too): the row filter alone prunes by metrics;
 *  - a caller that is no enforcing engine is refused a plan of a table
 *    partitioned by a masked field (403): a file's partition tuple is
 *    that field's raw value (or a transform of it).  An engine gets the
 *    tuples: it reads the files, and needs them to read identity columns;
 *  - a stored plan answers only a caller under the same restrictions
 *    (scan_scope): a plan id made by another user, or before a policy
 *    changed, is answered as a missing one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/read/policies.h"
#include "api/read/read.h"
#include "api/scan/scan.h"
#include "api/target.h"
#include "policy/policy.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/json.h"

#define BAD	"BadRequestException"
#define MAX_DEPTH	64

/* A field's dotted name through structs in schema st, or NULL. */
static const char *
name_of(struct pgl_arena *a, const json_t *st, int64_t id, int depth)
{
	const json_t	*f;
	const char	*in;
	size_t		 i;

	if (depth > MAX_DEPTH)
		return (NULL);
	json_array_foreach(json_object_get(st, "fields"), i, f) {
		if (json_integer_value(json_object_get(f, "id")) == id)
			return (pgl_json_str(f, "name"));
		if ((in = name_of(a, json_object_get(f, "type"), id,
		    depth + 1)) != NULL)
			return (pgl_arena_printf(a, "%s.%s",
			    pgl_json_str(f, "name"), in));
	}
	return (NULL);
}

/* The field of a partition field (source-id, or v3's source-ids) that
 * set holds, or -1. */
static int64_t
masked_source(const json_t *pf, const struct pgl_pol_mask *m)
{
	const json_t	*v;
	size_t		 i;

	v = json_object_get(pf, "source-id");
	if (json_is_integer(v) && pgl_pol_masked(m, json_integer_value(v)))
		return (json_integer_value(v));
	json_array_foreach(json_object_get(pf, "source-ids"), i, v) {
		if (json_is_integer(v) && pgl_pol_masked(m,
		    json_integer_value(v)))
			return (json_integer_value(v));
	}
	return (-1);
}

/* The 403 of a caller refused a plan of a table partitioned by field id. */
static int
refuse(struct pgl_req *r, const struct ice_target *t, const json_t *md,
    const json_t *pf, int64_t id)
{
	const json_t	*schema = pgl_pol_current_schema(md);
	const char	*name, *part = pgl_json_str(pf, "name");

	name = schema != NULL ? name_of(r->arena, schema, id, 0) : NULL;
	pgl_reply_ice_error(r, 403, "ForbiddenException", "read restrictions "
	    "mask field %lld (%s) of table %s for this caller, and partition "
	    "field %s is made from it: a plan's partition values would show "
	    "it; only an engine that enforces the restrictions (a service "
	    "user with enforces_read_restrictions) plans this table",
	    (long long)id, name != NULL ? name : "?", t->name,
	    part != NULL ? part : "?");
	return (-1);
}

/* 403 for a table partitioned by a field rr masks; 0 when it is not. */
static int
partitioned_by_masked(struct pgl_req *r, const struct ice_target *t,
    const json_t *rr, const json_t *md)
{
	struct pgl_pol_mask	 m;
	const json_t		*spec, *pf = NULL;
	size_t			 i, j;
	int64_t			 id = -1;

	if (pgl_pol_mask_of(rr, md, &m) == -1) {
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "out of memory");
		return (-1);
	}
	json_array_foreach(json_object_get(md, "partition-specs"), i, spec) {
		json_array_foreach(json_object_get(spec, "fields"), j, pf) {
			if ((id = masked_source(pf, &m)) >= 0)
				break;
		}
		if (id >= 0)
			break;
	}
	pgl_pol_mask_free(&m);
	if (id < 0 || ice_caller_enforces(r))
		return (0);
	return (refuse(r, t, md, pf, id));
}

int
scan_restrict_body(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const json_t *md)
{
	json_t	*rr, *copy;

	if (ice_read_restrictions(r, t->catalog.name, t->ns, t->name, a->id,
	    md, &rr, NULL) == -1)
		return (-1);
	if (rr == NULL)
		return (0);
	if (partitioned_by_masked(r, t, rr, md) == -1) {
		json_decref(rr);
		return (-1);
	}
	if ((copy = json_copy(r->body)) == NULL ||
	    json_object_set_new(copy, SCAN_RR_MEMBER, rr) == -1) {
		json_decref(copy);
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "out of memory");
		return (-1);
	}
	json_decref(r->body);
	r->body = copy;
	return (0);
}

/* A tag of rr: 32 hex digits of its canonical text (arena). */
static const char *
fingerprint(struct pgl_arena *a, const json_t *rr)
{
	static const char	 hex[] = "0123456789abcdef";
	uint64_t		 h[2];
	char			*text, *out;
	int			 i;

	if ((text = json_dumps(rr, JSON_COMPACT | JSON_SORT_KEYS)) == NULL ||
	    (out = pgl_arena_alloc(a, 33)) == NULL) {
		free(text);
		return (NULL);
	}
	h[0] = pgl_fnv1a_str(PGL_FNV_BASIS, text);
	free(text);
	/* The second half is the first mixed (splitmix64's finaliser). */
	h[1] = (h[0] ^ (h[0] >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h[1] = (h[1] ^ (h[1] >> 27)) * 0x94d049bb133111ebULL;
	h[1] ^= h[1] >> 31;
	for (i = 0; i < 32; i++)
		out[i] = hex[(h[i / 16] >> (60 - 4 * (i % 16))) & 0xf];
	out[32] = '\0';
	return (out);
}

static struct ice_expr *
node(struct pgl_arena *a, enum ice_op op, const struct ice_expr *l,
    const struct ice_expr *r)
{
	struct ice_expr	*x;

	if ((x = pgl_arena_alloc(a, sizeof(*x))) == NULL)
		return (NULL);
	memset(x, 0, sizeof(*x));
	x->op = op;
	x->left = (struct ice_expr *)(uintptr_t)l;
	x->right = (struct ice_expr *)(uintptr_t)r;
	return (x);
}

/* l AND r, or l OR r, folded where a side is a constant. */
static const struct ice_expr *
join(struct pgl_arena *a, enum ice_op op, const struct ice_expr *l,
    const struct ice_expr *r)
{
	enum ice_op	absorb = op == ICE_OP_AND ? ICE_OP_FALSE : ICE_OP_TRUE;
	enum ice_op	unit = op == ICE_OP_AND ? ICE_OP_TRUE : ICE_OP_FALSE;

	if (l == NULL || r == NULL)
		return (NULL);
	if (l->op == absorb || r->op == absorb)
		return (op == ICE_OP_AND ? ice_expr_false() : ice_expr_true());
	if (l->op == unit)
		return (r);
	if (r->op == unit)
		return (l);
	return (node(a, op, l, r));
}

/*
 * x with every predicate on a field of set made true (x is bound: no
 * NOT, so this only ever widens it); NULL out of memory.
 */
static const struct ice_expr *
neutral(struct pgl_arena *a, const struct ice_expr *x,
    const struct pgl_pol_mask *m)
{
	const struct ice_expr	*l, *r;

	switch (x->op) {
	case ICE_OP_TRUE:
	case ICE_OP_FALSE:
		return (x);
	case ICE_OP_AND:
	case ICE_OP_OR:
		l = neutral(a, x->left, m);
		r = neutral(a, x->right, m);
		if (l == x->left && r == x->right)
			return (x);
		return (join(a, x->op, l, r));
	default:
		return (pgl_pol_masked(m, x->field_id) ? ice_expr_true() :
		    x);
	}
}

/* Keep only the requested statistics of fields the caller may see. */
static void
drop_stats(struct scan_req *q, const struct pgl_pol_mask *m)
{
	size_t	i, k = 0;

	for (i = 0; i < q->nstats; i++) {
		if (m->all || pgl_pol_masked(m, q->stats[i]))
			continue;
		q->stats[k] = q->stats[i];
		q->stats_types[k++] = q->stats_types[i];
	}
	q->nstats = k;
}

int
scan_restrict_req(struct pgl_req *r, const json_t *body, const json_t *md,
    struct scan_req *q)
{
	const json_t		*rr = json_object_get(body, SCAN_RR_MEMBER);
	const json_t		*row;
	const struct ice_expr	*mine, *rowx = NULL;
	struct pgl_pol_mask	 m;
	struct ice_err		 e;

	q->metrics_filter = q->filter;
	q->scope = "";
	if (!json_is_object(rr))
		return (0);
	row = json_object_get(rr, "required-row-filter");
	if (pgl_pol_mask_of(rr, md, &m) == -1) {
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "out of memory");
		return (-1);
	}
	mine = neutral(r->arena, q->filter, &m);
	drop_stats(q, &m);
	pgl_pol_mask_free(&m);
	if ((q->scope = fingerprint(r->arena, rr)) == NULL || mine == NULL) {
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "out of memory");
		return (-1);
	}
	if (row != NULL && (rowx = ice_expr_bind(r->arena, row, q->schema, 1,
	    &e)) == NULL) {
		pgl_reply_ice_error(r, 400, BAD, "the read restrictions' row "
		    "filter does not bind to the schema this plan reads: %s",
		    e.msg);
		return (-1);
	}
	if (rowx == NULL) {
		q->filter = q->metrics_filter = mine;
		return (0);
	}
	if ((q->filter = join(r->arena, ICE_OP_AND, mine, rowx)) == NULL) {
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "out of memory");
		return (-1);
	}
	q->metrics_filter = rowx;
	q->has_filter = 1;
	return (0);
}

const char *
scan_scope_of(struct pgl_arena *a, const json_t *body)
{
	const json_t	*rr = json_object_get(body, SCAN_RR_MEMBER);

	return (json_is_object(rr) ? fingerprint(a, rr) : "");
}

int
scan_scope(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const char **scope)
{
	json_t	*md, *rr;
	int	 any, rc;

	*scope = "";
	if ((any = ice_policies_any(r)) <= 0)
		return (any);
	if (ice_read_metadata(r, &t->catalog, a->metadata_location, 500,
	    &md) == -1)
		return (-1);
	rc = ice_read_restrictions(r, t->catalog.name, t->ns, t->name, a->id,
	    md, &rr, NULL);
	json_decref(md);
	if (rc == -1 || rr == NULL)
		return (rc);
	*scope = fingerprint(r->arena, rr);
	json_decref(rr);
	if (*scope == NULL) {
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "out of memory");
		return (-1);
	}
	return (0);
}
