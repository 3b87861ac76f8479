/*
 * The schema of store ABI 1.28 (migration 23 of sqlite_migrate.c): keyset
 * pages (issue 69), a list's page a range of an index from the key on.
 */
#include "sqlite_store.h"

/*
 * A level of namespaces by its parent (namespaces_parent, on the
 * parent's expression, SQL_NS_PARENT: the children of one namespace are
 * a range however many namespaces lie below them), a namespace's tables
 * or views by kind (assets_kind: the views of a
 * namespace of 200,000 tables are a range of it, where the kind as a
 * filter read every table), and the audit log with its id after the
 * time, per tenant and for root's view (the rowid table's indexes of
 * migration 20 end in the rowid, not the id the order breaks ties by).
 * The other lists' indexes hold their keys already: a WITHOUT ROWID
 * table's index ends in its primary key.
 */
const char sqlite_keyset_sql[] =
	"CREATE INDEX namespaces_parent ON namespaces(tenant_id, catalog_name,"
	"  " SQL_NS_PARENT("name") ", name);"
	"CREATE INDEX assets_kind ON assets(tenant_id, catalog_name,"
	"  namespace, kind, name, branch_name);"
	"DROP INDEX audit_tenant_time;"
	"DROP INDEX audit_time;"
	"CREATE INDEX audit_tenant_time"
	"  ON audit_events(tenant_id, timestamp, id);"
	"CREATE INDEX audit_time ON audit_events(timestamp, id);";
