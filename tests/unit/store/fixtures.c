/*
 * The store suite's fixtures (harness.h): the rows more than one family
 * seeds, and the readers of events more than one family counts.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

void
seed_tenant(struct fx *f, const char *id, const char *name)
{
	struct pgl_tenant	t = { id, name, "{\"k\":\"v\"}" };

	OK(f, ops->create_tenant(f->s, &t, &f->err));
}

void
seed_warehouse(struct fx *f, const char *tenant, const char *name)
{
	char			id[128];
	struct pgl_warehouse	w = { id, tenant, name, "{\"type\":\"s3\"}",
				    NULL, 0 };

	snprintf(id, sizeof(id), "wh-%s-%s", tenant, name);
	OK(f, ops->create_warehouse(f->s, &w, &f->err));
}

void
seed_catalog(struct fx *f, const char *tenant, const char *name,
    const char *warehouse)
{
	char			id[128];
	struct pgl_catalog	c = { id, tenant, name, "Local", warehouse,
				    "s3://bucket/x", NULL, "{}" };

	snprintf(id, sizeof(id), "cat-%s-%s", tenant, name);
	OK(f, ops->create_catalog(f->s, &c, &f->err));
}

void
seed_ns(struct fx *f, const char *tenant, const char *catalog,
    const char *name)
{
	struct pgl_namespace	ns = { catalog, name, "{}" };

	OK(f, ops->create_namespace(f->s, tenant, &ns, &f->err));
}

void
seed_branch(struct fx *f, const char *tenant, const char *catalog,
    const char *name)
{
	struct pgl_branch	b = { catalog, name, NULL, "ingest", "[]", 0, NULL };

	OK(f, ops->create_branch(f->s, tenant, &b, &f->err));
}

void
seed_asset(struct fx *f, const char *tenant, const char *catalog,
    const char *branch, const char *ns, const char *name, const char *kind)
{
	char			id[256], loc[256];
	struct pgl_asset	as = { id, catalog, branch, ns, name, kind,
				    "s3://bucket/t", loc, "{}", 0, 0, NULL };

	snprintf(id, sizeof(id), "as-%s-%s-%s-%s-%s", tenant, catalog,
	    branch, ns, name);
	snprintf(loc, sizeof(loc), "s3://bucket/%s/00000.metadata.json", name);
	OK(f, ops->create_asset(f->s, tenant, &as, &f->err));
}

void
seed_commit(struct fx *f, const char *tenant, const char *catalog,
    const char *id, const char *parent)
{
	struct pgl_commit	c = { id, catalog, parent, 1000, "alice",
				    "msg", "[]", NULL };

	OK(f, ops->create_commit(f->s, tenant, &c, &f->err));
}

/*
 * Between seeded rows i and i + 1 of a long seed in a transaction:
 * commit every SEED_BATCH rows and begin again.  PostgreSQL runs each
 * statement of a transaction under a savepoint (plugins/store-postgres/
 * pg_query.c), and each counted row updates its session's usage slot
 * row (pg_schema_usage.c): 10,000 rows in one transaction made 10,000
 * subtransactions and 10,000 versions of one row, each statement
 * slower than the last (70 s for 10,000 assets; 2 s in batches).
 */
#define SEED_BATCH	500

void
seed_batch(struct fx *f, size_t i)
{
	if (i % SEED_BATCH != SEED_BATCH - 1)
		return;
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->begin(f->s, &f->err));
}

/* tenant -> warehouse "wh" -> catalog "cat" -> branch main, ns "db",
 * table db.t1 and view db.v1. */
void
seed_catalog_tree(struct fx *f, const char *tenant)
{
	char	name[128];

	snprintf(name, sizeof(name), "name-%s", tenant);
	seed_tenant(f, tenant, name);
	seed_warehouse(f, tenant, "wh");
	seed_catalog(f, tenant, "cat", "wh");
	seed_branch(f, tenant, "cat", "main");
	seed_ns(f, tenant, "cat", "db");
	seed_asset(f, tenant, "cat", "main", "db", "t1", "ICEBERG_TABLE");
	seed_asset(f, tenant, "cat", "main", "db", "v1", "VIEW");
}

struct pgl_user
user(const char *id, const char *tenant, const char *name)
{
	struct pgl_user	u = { id, tenant, name, "u@example.com",
	    tenant != NULL ? "tenant-user" : "root", "$argon2id$x", 1, "{}" };

	return (u);
}

struct pgl_service_user
service_user(const char *id, const char *tenant, const char *name,
    const char *key_id)
{
	struct pgl_service_user	u = { id, tenant, name, key_id,
	    "sha256:abc", 1, 0, "{\"role\":\"tenant-user\"}" };

	return (u);
}

void
seed_audit(struct fx *f, const char *id, const char *tenant, int64_t ts,
    const char *user, const char *action, const char *result)
{
	struct pgl_audit_event	e = { id, tenant, ts, user, action,
	    "table", "r-1", result, "{\"username\":\"u\"}" };

	OK(f, ops->log_audit_event(f->s, &e, &f->err));
}

struct pgl_business_metadata
metadata(const char *asset, const char *description, const char *tags,
    int discoverable, const char *by)
{
	struct pgl_business_metadata	m = { "bm-1", asset, description,
	    tags, "{\"owner\":{\"team\":\"data\"}}", discoverable, by, 0, by,
	    0 };

	return (m);
}

/* An event of tenant/catalog, its id and body naming it. */
uint64_t
append_ev(struct fx *f, const char *tenant, const char *catalog,
    const char *id, int64_t ts, const char *op)
{
	char			body[256];
	struct pgl_event	e;
	uint64_t		seq = 0;

	snprintf(body, sizeof(body), "{\"event-id\":\"%s\"}", id);
	memset(&e, 0, sizeof(e));
	e.id = id;
	e.tenant_id = tenant;
	e.catalog = catalog;
	e.ts_ms = ts;
	e.actor = "alice";
	e.operation_type = op;
	e.object_type = "table";
	e.object_name = "db.t1";
	e.body = body;
	OK(f, ops->append_event(f->s, &e, &seq, &f->err));
	assert_true(seq > 0);
	return (seq);
}

size_t
list_ev(struct fx *f, const char *tenant, const char *catalog,
    uint64_t after, uint32_t limit, struct pgl_event **items)
{
	struct pgl_event_filter	flt = { .catalog = catalog,
				    .after_seq = after, .limit = limit };
	size_t			n;

	OK(f, ops->list_events(f->s, f->a, tenant, &flt, items, &n, &f->err));
	return (n);
}

/* Round trips since the last call (0 where the store does not count). */
uint64_t
trips(struct fx *f, uint64_t *last)
{
	uint64_t	now, d;

	if (ops->round_trips == NULL)
		return (0);
	now = ops->round_trips(f->s);
	d = now - *last;
	*last = now;
	return (d);
}

/* A subscription of tenant with every field set, created at created_ms. */
void
webhook_of(struct pgl_webhook *w, const char *tenant, const char *id,
    int64_t created_ms)
{
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->tenant_id = tenant;
	w->kind = "webhook";
	w->name = "to the lake";
	w->url = "https://example.com/hook";
	w->filter = "{\"operation-types\":[\"create-table\"]}";
	w->secrets = "sealed:v1:abc";
	w->created_ms = created_ms;
	w->updated_ms = created_ms + 1;
	w->cursor = 42;
	w->status = "active";
	w->status_reason = "resumed by alice";
	w->failing_since_ms = 1500;
	w->next_attempt_ms = 1600;
	w->attempts = 3;
	w->delivered = 1000;
	w->failures = 7;
	w->recent = "[{\"seq\":42,\"status\":200}]";
}
