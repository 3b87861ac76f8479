/*
 * Scan planning's pure parts (issue 28): typed values, filter
 * expressions bound to a schema, partition transforms and their
 * projection, and the evaluators that decide, from a manifest list's
 * partition summaries, a data file's partition tuple and its column
 * metrics, whether a file may hold a matching row.  Bytes and JSON in,
 * answers out: no I/O, no clock.
 *
 * Every evaluator here is inclusive: it answers "may match" (1) unless it
 * can prove that no row matches (0), so a planned file set never misses a
 * file a correct client would read.  Memory comes from the caller's arena.
 *
 * The rules are the Iceberg spec's: single-value serialization
 * (Appendix D), JSON single values (Appendix C), 32-bit Murmur3 bucket
 * hashing (Appendix B), transforms and their projections (Partition
 * Transforms, Scan Planning).
 */
#ifndef PGL_ICEBERG_SCAN_H
#define PGL_ICEBERG_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "iceberg/iceberg.h"	/* struct ice_err */
#include "iceberg/value.h"

struct pgl_arena;
struct ice_field_summary;

/* ---- expressions (expr.c) ------------------------------------------ */

enum ice_op {
	ICE_OP_TRUE,
	ICE_OP_FALSE,
	ICE_OP_AND,		/* left, right */
	ICE_OP_OR,		/* left, right */
	ICE_OP_NOT,		/* left; gone after binding (rewritten) */
	ICE_OP_IS_NULL,
	ICE_OP_NOT_NULL,
	ICE_OP_IS_NAN,
	ICE_OP_NOT_NAN,
	ICE_OP_LT,
	ICE_OP_LT_EQ,
	ICE_OP_GT,
	ICE_OP_GT_EQ,
	ICE_OP_EQ,
	ICE_OP_NOT_EQ,
	ICE_OP_STARTS_WITH,
	ICE_OP_NOT_STARTS_WITH,
	ICE_OP_IN,		/* lits: sorted, no duplicates */
	ICE_OP_NOT_IN
};

/*
 * A bound expression.  A predicate names one primitive field by id (of
 * the table's schema, or, after projection, of a partition spec) with its
 * type; its literals are of that type.
 */
struct ice_expr {
	enum ice_op		 op;
	struct ice_expr		*left;
	struct ice_expr		*right;
	int32_t			 field_id;
	const char		*name;		/* full field name, for JSON */
	struct ice_type		 type;
	const struct ice_value	*lits;
	size_t			 nlits;
};

/*
 * Parse a REST Predicate (the spec's Expression schema: bare booleans,
 * "true"/"false", and/or/not, unary, comparison in both the left/right
 * and the deprecated term/value forms, in/not-in) and bind it to schema
 * (a Schema JSON object): names resolved (case-insensitively unless
 * case_sensitive), literals converted to the field's type, not pushed
 * down to the leaves, always-true/false folded.  NULL with e (status
 * 400, type "IllegalArgumentException" or "ValidationException") on an
 * unknown field, a literal of the wrong type, a malformed expression, a
 * predicate on a nested non-primitive field, a transform or function
 * term (not supported).
 */
struct ice_expr	*ice_expr_bind(struct pgl_arena *, const json_t *filter,
		    const json_t *schema, int case_sensitive,
		    struct ice_err *);
/* The canonical always-true / always-false expressions (static). */
const struct ice_expr	*ice_expr_true(void);
const struct ice_expr	*ice_expr_false(void);
/* A bound expression back to REST JSON (term/value form, names); new ref. */
json_t	*ice_expr_to_json(const struct ice_expr *);
/* The same in the spec's preferred form, by field id (left/right, child,
 * {"type":"reference","id":N}, {"type":"literal"}); new ref. */
json_t	*ice_expr_to_spec_json(const struct ice_expr *);

/* ---- partition specs and transforms (transform.c) ------------------ */

enum ice_xf {
	ICE_XF_IDENTITY,
	ICE_XF_BUCKET,
	ICE_XF_TRUNCATE,
	ICE_XF_YEAR,
	ICE_XF_MONTH,
	ICE_XF_DAY,
	ICE_XF_HOUR,
	ICE_XF_VOID,
	ICE_XF_UNKNOWN		/* never prunes */
};

struct ice_pfield {
	int32_t		 field_id;	/* the partition field's id */
	int32_t		 source_id;
	const char	*name;
	enum ice_xf	 xf;
	int32_t		 width;		/* bucket N, truncate W */
	int		 source_known;	/* the source is in the schema */
	struct ice_type	 source_type;
	struct ice_type	 result_type;
};

struct ice_pspec {
	int32_t			 spec_id;
	struct ice_pfield	*fields;
	size_t			 nfields;
};

/* Bind a PartitionSpec JSON to schema; 0, or -1 with e. */
int	ice_pspec_bind(struct pgl_arena *, const json_t *spec,
	    const json_t *schema, struct ice_pspec *, struct ice_err *);

/* f's transform of v (of f's source type) into *out; NULL in, NULL out.
 * 0, or -1 when v's type does not fit. */
int	ice_transform_apply(const struct ice_pfield *f,
	    const struct ice_value *v, struct ice_value *out);

/*
 * The inclusive projection of a bound row expression onto spec: an
 * expression over the spec's partition fields (field_id = partition field
 * id, type = result type) true for every partition that may hold a
 * matching row.  Predicates no partition field can decide become true.
 */
const struct ice_expr	*ice_expr_project(struct pgl_arena *,
			    const struct ice_expr *, const struct ice_pspec *);

/* ---- evaluators (evaluate.c) ---------------------------------------- */

/*
 * A projected expression on one partition tuple (values in spec field
 * order, NULL kind for a null): 1 match, 0 no match.
 */
int	ice_eval_partition(const struct ice_expr *projected,
	    const struct ice_pspec *, const struct ice_value *tuple);

/* A projected expression on a manifest's partition field summaries
 * (n = spec->nfields, or fewer: missing ones may match): 1 may match. */
int	ice_eval_summaries(const struct ice_expr *projected,
	    const struct ice_pspec *, const struct ice_field_summary *, size_t n);

/* One column's metrics in a data file (absent counts: -1; bounds NULL). */
struct ice_col_metrics {
	int32_t		 id;
	int64_t		 column_size;
	int64_t		 value_count;
	int64_t		 null_count;
	int64_t		 nan_count;
	const void	*lower;
	size_t		 lower_len;
	const void	*upper;
	size_t		 upper_len;
};

/* A data file's metrics: cols sorted by id. */
struct ice_file_metrics {
	int64_t				 record_count;
	const struct ice_col_metrics	*cols;
	size_t				 ncols;
};

/* A bound row expression on a file's metrics: 1 may match, 0 none can. */
int	ice_eval_metrics(const struct ice_expr *, const struct ice_file_metrics *);

/*
 * What is left of a bound row expression for the rows of one partition
 * (tuple of spec): predicates the partition decides fold to true or
 * false; the rest stay.  Never drops a predicate that still filters.
 */
const struct ice_expr	*ice_expr_residual(struct pgl_arena *,
			    const struct ice_expr *, const struct ice_pspec *,
			    const struct ice_value *tuple);

#endif
