/*
 * SQL functions as catalog objects (issue 70; the Iceberg REST spec's
 * listFunctions and loadFunction, and the create, drop and exists of
 * apache/iceberg PR 17966).  A function is an asset of kind FUNCTION in
 * its namespace, on its branch, beside the tables and views, whose names
 * it shares (a name holds one table, view or function); its metadata
 * (the UDF spec's, iceberg/function.c) is a file in its location, as a
 * view's is, and the asset row points at it.  So every branch, merge,
 * undrop, search and event path that carries assets carries functions.
 *
 * functions.c: create (and replace: ?replace=true appends new versions),
 * load, exists, drop.  list.c: the namespace's functions, paged by key.
 */
#ifndef PGL_API_FUNCTIONS_H
#define PGL_API_FUNCTIONS_H

#include "http/request.h"

#define FN_KIND		"FUNCTION"

void	ice_function_list(struct pgl_req *);
void	ice_function_create(struct pgl_req *);
void	ice_function_load(struct pgl_req *);
void	ice_function_head(struct pgl_req *);
void	ice_function_drop(struct pgl_req *);

#endif
