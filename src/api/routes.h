#ifndef PGL_ROUTES_H
#define PGL_ROUTES_H

#include <stddef.h>

#include "http/router.h"

extern const struct pgl_route	pgl_routes[];
extern const size_t		pgl_nroutes;

#endif
