/*
 * Everything the shared texts spell differently in SQLite and PostgreSQL,
 * in one table.  The Makefile compiles plugins/sql-common into each SQL
 * store with -DSQL_DIALECT_SQLITE or -DSQL_DIALECT_POSTGRES; every text
 * stays a static array, put together by the preprocessor.
 *
 *  what                     SQLite                  PostgreSQL
 *  parameter N              ?N                      $N (pg_query.c)
 *  upsert                   ON CONFLICT ... DO UPDATE ... WHERE (both)
 *  recursive CTE bound      WHERE depth + 1 < ?N    (both: PostgreSQL has
 *                                                   no LIMIT in the recursion)
 *  SQL_UUID                 pgl_uuid_v4()           gen_random_uuid()::text
 *  SQL_CHR                  char                    chr
 *  SQL_STRPOS               instr                   strpos
 *  SQL_STARTS_WITH(s, p)    substr = p              starts_with(s, p)
 *  SQL_IS_NOT_DISTINCT      IS                      IS NOT DISTINCT FROM
 *  SQL_JSON_ELEMENTS(j)     json_each(j)            jsonb_array_elements_text
 *  SQL_JSON_IS_ARRAY(j)     json_valid, json_type   jsonb_typeof (a bad text
 *                                                   fails: PGL_EINVAL)
 *  SQL_UNUSED(p)            AND p IS p              nothing
 *  SQL_JSON_VALUES(j)       json_each(j), as v      jsonb_array_elements_text
 *                                                   (j::jsonb) AS v
 *  SQL_JSON_LENGTH(j)       json_array_length       jsonb_array_length
 *  SQL_JSON_FIRST(j)        json_extract(j, '$[0]') j::jsonb ->> 0
 *  SQL_JOIN_IN_ORDER        CROSS JOIN (the left     JOIN (the planner
 *                           table stays outer)      orders by cost)
 *  SQL_LOCK_ROW             nothing (writers are     FOR NO KEY UPDATE
 *                           serialized)
 *  SQL_NEXT_SEQ             asset_clock's one row   nextval('asset_clock')
 *  SQL_EVENT_LOCK           none (writers are       the tenant's advisory
 *                           serialized)             lock, to the commit
 *  SQL_NEXT_EVENT_SEQ       event_clock's one row   nextval('event_clock')
 *  SQL_EVENT_SEQ_IN_INSERT  not defined (an UPDATE   nextval('event_clock'):
 *                           cannot be a value)      the insert draws it
 *  SQL_NS_PARENT(c)         the levels before the    the same, by a regular
 *                           last 0x1f (rtrim of the  expression; both ""
 *                           rest's characters)       at the top level
 *  SQL_BY_NS_PARENT         INDEXED BY its index     nothing (the planner
 *                           (without statistics the  weighs it by cost)
 *                           planner took the key's
 *                           range under the catalog)
 *  SQL_BY_LOCATION(i)       INDEXED BY i (without    nothing
 *                           statistics the planner
 *                           read the tenant's rows
 *                           by the primary key for
 *                           a place's owner: 6.5 s
 *                           at 1,000,000 tables)
 *  SQL_CUSTOM_PLAN          nothing                 a comment the plugin
 *                                                   reads: the text is
 *                                                   planned anew for each
 *                                                   call's values (a page
 *                                                   after a key: the
 *                                                   generic plan cannot see
 *                                                   the LIMIT and sorted
 *                                                   100,000 rows, 0.5-2.6 s
 *                                                   a page of a 200,000-
 *                                                   table namespace)
 *  SQL_TEXT_INDEX_FTS5      FTS5 trigram: a phrase  pg_trgm: ILIKE on the
 *                           of 3+ characters        GIN index, any length
 *                           (shorter: LIKE)
 *
 * SQL_UNUSED: a text that ignores one of its parameters (so that one
 * binding order serves several texts) must still name it in SQLite, which
 * counts the parameters a text uses; PostgreSQL takes each one's type
 * from the prepare, so its texts leave the condition out, as they did.
 * pgl_uuid_v4() is registered at open by sqlite_store.c;
 * gen_random_uuid() is built in since PostgreSQL 13.
 */
#ifndef SQL_DIALECT_H
#define SQL_DIALECT_H

#if defined(SQL_DIALECT_SQLITE)

#define SQL_UUID		"pgl_uuid_v4()"
#define SQL_CHR			"char"
#define SQL_STRPOS		"instr"
#define SQL_STARTS_WITH(s, p)	"substr(" s ", 1, length(" p ")) = " p
#define SQL_IS_NOT_DISTINCT	"IS"
#define SQL_JSON_ELEMENTS(j)	"SELECT value FROM json_each(" j ")"
#define SQL_JSON_IS_ARRAY(j) \
	"CASE WHEN json_valid(" j ") THEN json_type(" j ") = 'array' ELSE 0 END"
#define SQL_UNUSED(p)		" AND " p " IS " p
#define SQL_JSON_VALUES(j)	"SELECT value AS v FROM json_each(" j ")"
#define SQL_JSON_LENGTH(j)	"json_array_length(" j ")"
#define SQL_JSON_FIRST(j)	"json_extract(" j ", '$[0]')"
#define SQL_TEXT_INDEX_FTS5	1
#define SQL_JOIN_IN_ORDER	"CROSS JOIN"
#define SQL_LOCK_ROW		""
#define SQL_GREATEST		"max"
#define SQL_NS_PARENT(c) \
	"substr(rtrim(" c ", replace(" c ", char(31), '')), 1," \
	" length(rtrim(" c ", replace(" c ", char(31), ''))) - 1)"
#define SQL_BY_NS_PARENT	" INDEXED BY namespaces_parent"
#define SQL_BY_LOCATION(i)	" INDEXED BY " i
#define SQL_CUSTOM_PLAN		""
#define SQL_NEXT_SEQ \
	"UPDATE asset_clock SET v = v + 1 WHERE one = 1 RETURNING v"
#define SQL_EVENT_LOCK		""
#define SQL_NEXT_EVENT_SEQ \
	"UPDATE event_clock SET v = v + 1 WHERE one = 1 RETURNING v"

#elif defined(SQL_DIALECT_POSTGRES)

#define SQL_UUID		"gen_random_uuid()::text"
#define SQL_CHR			"chr"
#define SQL_STRPOS		"strpos"
#define SQL_STARTS_WITH(s, p)	"starts_with(" s ", " p ")"
#define SQL_IS_NOT_DISTINCT	"IS NOT DISTINCT FROM"
#define SQL_JSON_ELEMENTS(j)	"SELECT jsonb_array_elements_text(" j "::jsonb)"
#define SQL_JSON_IS_ARRAY(j)	"(jsonb_typeof(" j "::jsonb) = 'array')::int"
#define SQL_UNUSED(p)		""
#define SQL_JSON_VALUES(j)	"SELECT jsonb_array_elements_text(" j "::jsonb) AS v"
#define SQL_JSON_LENGTH(j)	"jsonb_array_length(" j "::jsonb)"
#define SQL_JSON_FIRST(j)	"(" j "::jsonb ->> 0)"
#define SQL_TEXT_INDEX_FTS5	0
#define SQL_JOIN_IN_ORDER	"JOIN"
#define SQL_LOCK_ROW		" FOR NO KEY UPDATE"
#define SQL_GREATEST		"greatest"
#define SQL_NS_PARENT(c) \
	"coalesce(substring(" c " from '^(.*)' || chr(31)), '')"
#define SQL_BY_NS_PARENT	""
#define SQL_BY_LOCATION(i)	""
/* pg_query.c runs a text that begins so unnamed (PQexecParams), which
 * PostgreSQL plans for the values it is given, never generically. */
#define SQL_CUSTOM_PLAN		"/* custom plan */ "
#define SQL_NEXT_SEQ		"SELECT nextval('asset_clock')"
/* Class "pgl\1" (pg_migrate.c's is "pgl\0"), then the tenant's hash: a
 * collision only makes two tenants take turns. */
#define SQL_EVENT_LOCK_CLASS	"1885825025"
#define SQL_EVENT_LOCK \
	"SELECT pg_advisory_xact_lock(" SQL_EVENT_LOCK_CLASS ", hashtext(?1))"
#define SQL_NEXT_EVENT_SEQ	"SELECT nextval('event_clock')"
#define SQL_EVENT_SEQ_IN_INSERT	"nextval('event_clock')"

#else
#error "define SQL_DIALECT_SQLITE or SQL_DIALECT_POSTGRES"
#endif

#endif
