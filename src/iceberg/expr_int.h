/*
 * Shared by expr.c (parsing and binding a REST filter) and expr_field.c
 * (finding its fields in a schema); not for callers.
 */
#ifndef PGL_ICEBERG_EXPR_INT_H
#define PGL_ICEBERG_EXPR_INT_H

#include <stdint.h>

#include <jansson.h>

#include "iceberg/iceberg.h"
#include "iceberg/value.h"

struct pgl_arena;

/* A primitive field a predicate names. */
struct expr_field {
	int32_t		 id;
	const char	*name;		/* full dotted name, schema's case */
	struct ice_type	 type;
	int		 required;	/* it and every enclosing struct */
};

/* By full dotted name ("a.b.c"), or by id; 0, or -1 with a 400. */
int	expr_field_by_name(struct pgl_arena *, const json_t *schema,
	    const char *name, int case_sensitive, struct expr_field *,
	    struct ice_err *);
int	expr_field_by_id(struct pgl_arena *, const json_t *schema,
	    int64_t id, struct expr_field *, struct ice_err *);

#endif
