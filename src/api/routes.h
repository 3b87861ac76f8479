#ifndef PGL_ROUTES_H
#define PGL_ROUTES_H

#include <stddef.h>
#include <stdio.h>

#include "http/router.h"

extern const struct pgl_route	pgl_routes[];
extern const size_t		pgl_nroutes;

/*
 * Every route and the rule it declares, as a JSON array (`pangolin
 * --list-rules`, which the build runs and the authorization matrix
 * reads); -1, after naming each on stderr, when a rule is missing or
 * does not hold together (MAY without one action, a scope on ADMIN...).
 */
int	pgl_routes_print_rules(FILE *);

#endif
