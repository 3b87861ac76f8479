/*
 * Row filters: bound by the planning routes' own binder (ice_expr_bind:
 * every expression form a plan request may hold, names or ids, literals
 * converted to the field's type), then written in the form the spec
 * asks of required-row-filter: predicates whose terms are
 * {"type":"reference","id":N} (rule 3: by field id, so a rename keeps
 * them valid), left/right and child rather than the deprecated
 * term/value, literals as {"type":"literal","value":...}, and the bare
 * booleans for always-true and always-false (ice_expr_to_spec_json).
 */
#include <stdio.h>
#include <string.h>

#include "iceberg/iceberg.h"
#include "iceberg/scan.h"
#include "iceberg/value.h"
#include "policy/policy.h"
#include "util/arena.h"

json_t *
pgl_pol_filter_bind(const json_t *filter, const json_t *schema, char *why,
    size_t whylen)
{
	struct pgl_arena	*a;
	struct ice_expr		*x;
	struct ice_err		 e;
	json_t			*out = NULL;

	if (filter == NULL || schema == NULL) {
		(void)snprintf(why, whylen, "no filter or no schema");
		return (NULL);
	}
	if ((a = pgl_arena_new()) == NULL) {
		(void)snprintf(why, whylen, "out of memory");
		return (NULL);
	}
	memset(&e, 0, sizeof(e));
	if ((x = ice_expr_bind(a, filter, schema, 1, &e)) == NULL)
		(void)snprintf(why, whylen, "%s", e.msg[0] != '\0' ? e.msg :
		    "not a valid expression");
	else if ((out = ice_expr_to_spec_json(x)) == NULL)
		(void)snprintf(why, whylen, "cannot write the filter back");
	pgl_arena_free(a);
	return (out);
}
