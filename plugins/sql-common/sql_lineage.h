/*
 * A branch's lineage, in SQL (copy-on-write branches, store ABI 1.12).
 *
 * A forked branch holds only the asset rows it changed; every other asset
 * it reads from its parent as of the fork, and so on up.  Level 0 is the
 * branch itself (any row); level i + 1 is the parent of level i, whose
 * rows count only if born before level i was forked (seq < lim).  An
 * asset resolves to its row at the lowest level that has one; a tombstone
 * (gone = 1) there means it was deleted on the way down.
 *
 * LINEAGE opens a statement with that walk for branch ?3 of catalog ?2 of
 * tenant ?1: at most PGL_BRANCH_MAX_DEPTH + 1 primary-key lookups on
 * branches, so every read below stays one statement.
 */
#ifndef SQL_LINEAGE_H
#define SQL_LINEAGE_H

#include "sql_store.h"

#define SQL_STR_(x)	#x
#define SQL_STR(x)	SQL_STR_(x)

#define LINEAGE \
	"WITH RECURSIVE lineage(depth, branch, lim, parent, plim) AS (" \
	" SELECT 0, name, CAST(9223372036854775807 AS bigint)," \
	"  parent_name, fork_seq FROM branches" \
	"  WHERE tenant_id = ?1 AND catalog_name = ?2 AND name = ?3" \
	" UNION ALL" \
	" SELECT l.depth + 1, b.name, l.plim, b.parent_name, b.fork_seq" \
	"  FROM lineage l JOIN branches b ON b.tenant_id = ?1" \
	"  AND b.catalog_name = ?2 AND b.name = l.parent" \
	"  WHERE l.depth < " SQL_STR(PGL_BRANCH_MAX_DEPTH) ") "

/* Row a of level l is in the branch's view ... */
#define IN_LINEAGE(a, l) \
	a ".tenant_id = ?1 AND " a ".catalog_name = ?2 AND " a \
	".branch_name = " l ".branch AND " a ".seq < " l ".lim"
/* ... unless a lower level has a row of the same asset: the few levels
 * outer, each a primary-key probe (assets outer would read the catalog);
 * nothing is below level 0, so the branch's own rows, and all of a
 * root's, skip the test. */
#define NOT_SHADOWED(a, l) \
	" AND (" l ".depth = 0 OR NOT EXISTS (SELECT 1 FROM lineage l2 " \
	SQL_JOIN_IN_ORDER " assets a2 ON" \
	" " IN_LINEAGE("a2", "l2") " AND a2.namespace = " a ".namespace" \
	" AND a2.name = " a ".name WHERE l2.depth < " l ".depth))"

/* The columns of struct pgl_asset, the branch being the one asked about. */
#define VIEW_COLS \
	"a.id, a.catalog_name, ?3, a.namespace, a.name, a.kind, a.location," \
	" a.metadata_location, a.properties, a.created_at, a.updated_at," \
	" coalesce(a.origin, a.id)"

#define ASSET_INSERT_COLS \
	"tenant_id, catalog_name, branch_name, namespace, name, id, kind," \
	" location, metadata_location, properties, created_at, updated_at," \
	" seq, gone, location_key, origin"
/* The last two of them for a copy of row a (ABI 1.26): the copy is a
 * version of the same asset, at the same place. */
#define ASSET_COPY_OWNER(a) \
	", " a ".location_key, coalesce(" a ".origin, " a ".id)"

#endif
