/*
 * The schema of store ABI 1.28 (migration 21 of pg_migrations.c), as
 * SQLite's migration 23 (sqlite_schema_keyset.c): keyset pages (issue
 * 69), a list's page a range of an index from the key on.
 */
#include "pg_store.h"

/*
 * As SQLite's, and the lists newest first get their id after the time
 * (tasks, merge operations, access requests, a user's tokens), which
 * SQLite's WITHOUT ROWID indexes hold already (an index there ends in
 * the primary key).
 */
const char pg_keyset_sql[] =
	"CREATE INDEX namespaces_parent ON namespaces(tenant_id, catalog_name,"
	"  (" SQL_NS_PARENT("name") "), name);"
	"CREATE INDEX assets_kind ON assets(tenant_id, catalog_name,"
	"  namespace, kind, name, branch_name);"
	"DROP INDEX audit_tenant_time;"
	"DROP INDEX audit_time;"
	"CREATE INDEX audit_tenant_time"
	"  ON audit_events(tenant_id, timestamp, id);"
	"CREATE INDEX audit_time ON audit_events(timestamp, id);"
	"DROP INDEX tasks_tenant_time;"
	"CREATE INDEX tasks_tenant_time ON tasks(tenant_id, created_at, id);"
	"DROP INDEX merge_operations_catalog;"
	"CREATE INDEX merge_operations_catalog"
	"  ON merge_operations(tenant_id, catalog_name, initiated_at, id);"
	"DROP INDEX access_requests_tenant;"
	"DROP INDEX access_requests_user;"
	"CREATE INDEX access_requests_tenant"
	"  ON access_requests(tenant_id, requested_at, id);"
	"CREATE INDEX access_requests_user"
	"  ON access_requests(tenant_id, user_id, requested_at, id);"
	"DROP INDEX active_tokens_user;"
	"CREATE INDEX active_tokens_user"
	"  ON active_tokens(user_id, expires_at, id);";
