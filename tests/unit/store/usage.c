/*
 * The usage ledger (store ABI 1.27, issue 67: per-tenant quotas).  The
 * figures are the same on every store: a row's bytes are the lengths of
 * its stored strings, scaled, and PGL_USAGE_ROW_BYTES (store.h), as the
 * SQL stores' sql_usage.h and MongoDB's mongo_usage_mark.c both count
 * them.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

/* A row's bytes from its strings' total (store.h). */
#define ROW(text)	((int64_t)(text) * PGL_USAGE_TEXT_NUM / \
			    PGL_USAGE_TEXT_DEN + PGL_USAGE_ROW_BYTES)

struct fig {
	int64_t	count, bytes;
};

/* tenant's figures of kind (zeros when it holds none). */
static struct fig
fig_of(struct fx *f, const char *tenant, const char *kind)
{
	struct pgl_usage	*u;
	struct fig		 out = { 0, 0 };
	size_t			 n, i;

	OK(f, ops->usage(f->s, f->a, tenant, NULL, 0, &u, &n, &f->err));
	for (i = 0; i < n; i++) {
		assert_string_equal(u[i].tenant, tenant);
		if (strcmp(u[i].kind, kind) == 0)
			out = (struct fig){ u[i].count, u[i].bytes };
	}
	return (out);
}

/* Every kind of tenant in one string: "kind=count/bytes ...". */
static const char *
figs_of(struct fx *f, const char *tenant)
{
	static char		 buf[1024];
	struct pgl_usage	*u;
	size_t			 n, i, len = 0;

	buf[0] = '\0';
	OK(f, ops->usage(f->s, f->a, tenant, NULL, 0, &u, &n, &f->err));
	for (i = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "%s=%lld/%lld ", u[i].kind, (long long)u[i].count,
		    (long long)u[i].bytes);
	return (buf);
}

/* The strings of seed_asset's table t1 of tenant t-a: catalog, branch,
 * namespace, name, id, kind, location, metadata location, properties,
 * and (ABI 1.26) its location's key and its origin (its own id). */
static size_t
t1_text(void)
{
	return (3 + 4 + 2 + 2 + strlen("as-t-a-cat-main-db-t1") + 13 +
	    strlen("s3://bucket/t") +
	    strlen("s3://bucket/t1/00000.metadata.json") + 2 +
	    strlen("s3://bucket/t/") + strlen("as-t-a-cat-main-db-t1"));
}

static void
test_usage_is_offered_from_abi_1_27_with_all_three(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	assert_true(pgl_store_has_usage(&o));
	o.abi_minor = 26;
	assert_false(pgl_store_has_usage(&o));
	o = *ops;
	o.trim_audit = NULL;
	assert_false(pgl_store_has_usage(&o));
}

/* seed_catalog_tree: namespace db of catalog cat, table t1, view v1. */
static void
test_usage_counts_each_kind_in_rows_and_bytes(void **state)
{
	struct fx	*f = *state;
	struct fig	 ns, t, v;
	int64_t		 asset;

	seed_catalog_tree(f, "t-a");
	ns = fig_of(f, "t-a", "namespaces");
	assert_int_equal(ns.count, 1);
	/* "cat", "db", "{}" */
	assert_int_equal(ns.bytes, ROW(3 + 2 + 2));
	t = fig_of(f, "t-a", "tables");
	v = fig_of(f, "t-a", "views");
	assert_int_equal(t.count, 1);
	assert_int_equal(v.count, 1);
	/* catalog, branch, namespace, name, id, kind, location, metadata
	 * location, properties, location key, origin (seed_asset's). */
	asset = ROW(t1_text());
	assert_int_equal(t.bytes, asset);
	assert_int_equal(fig_of(f, "t-a", "commits").count, 0);
	assert_int_equal(fig_of(f, "t-a", "assets").count, 0);
}

/* Updates move the bytes; deletes give them back; a catalog's delete
 * takes everything in it, as a direct delete would. */
static void
test_usage_follows_updates_deletes_and_cascades(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 a;
	struct pgl_namespace	 ns = { "cat", "db", "{\"owner\":\"alice\"}" };
	struct fig		 before, after;
	char			 left[64];

	seed_catalog_tree(f, "t-a");
	seed_commit(f, "t-a", "cat", "c1", NULL);
	before = fig_of(f, "t-a", "tables");
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1", &a,
	    &f->err));
	a.properties = "{\"k\":\"0123456789\"}";	/* 18 bytes, was 2 */
	OK(f, ops->update_asset(f->s, "t-a", &a, &f->err));
	after = fig_of(f, "t-a", "tables");
	assert_int_equal(after.count, 1);
	assert_int_equal(before.bytes, ROW(t1_text()));
	assert_int_equal(after.bytes, ROW(t1_text() + 16));
	OK(f, ops->update_namespace(f->s, "t-a", &ns, &f->err));
	assert_int_equal(fig_of(f, "t-a", "namespaces").bytes,
	    ROW(3 + 2 + strlen(ns.properties)));

	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "v1",
	    &f->err));
	assert_int_equal(fig_of(f, "t-a", "views").count, 0);
	assert_int_equal(fig_of(f, "t-a", "views").bytes, 0);

	/* What is left is the warehouse (kind other). */
	OK(f, ops->delete_catalog(f->s, "t-a", "cat", &f->err));
	(void)snprintf(left, sizeof(left), "other=1/%lld ",
	    (long long)ROW(2 + 9 + 13));
	assert_string_equal(figs_of(f, "t-a"), left);
}

static void
test_usage_of_a_rolled_back_transaction_is_not_kept(void **state)
{
	struct fx		*f = *state;
	struct pgl_namespace	 ns = { "cat", "db2", "{}" };

	if (!pgl_store_is_atomic(ops, f->s))
		skip();		/* a store whose rollback undoes nothing */
	seed_catalog_tree(f, "t-a");
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->create_namespace(f->s, "t-a", &ns, &f->err));
	seed_asset(f, "t-a", "cat", "main", "db2", "t9", "ICEBERG_TABLE");
	OK(f, ops->rollback(f->s, &f->err));
	assert_int_equal(fig_of(f, "t-a", "namespaces").count, 1);
	assert_int_equal(fig_of(f, "t-a", "tables").count, 1);
	/* And what commits is counted with it. */
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->create_namespace(f->s, "t-a", &ns, &f->err));
	OK(f, ops->commit(f->s, &f->err));
	assert_int_equal(fig_of(f, "t-a", "namespaces").count, 2);
}

/* One tenant's figures are its own; every tenant's, the most first. */
static void
test_usage_is_each_tenants_own_and_the_largest_first(void **state)
{
	struct fx		*f = *state;
	struct pgl_usage	*u;
	size_t			 n, i;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_asset(f, "t-b", "cat", "main", "db", "t2", "DELTA_TABLE");
	assert_int_equal(fig_of(f, "t-a", "assets").count, 0);
	assert_int_equal(fig_of(f, "t-b", "assets").count, 1);
	OK(f, ops->usage(f->s, f->a, NULL, NULL, 1, &u, &n, &f->err));
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		assert_string_equal(u[i].tenant, "t-b");
	OK(f, ops->usage(f->s, f->a, NULL, "assets", 0, &u, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(u[0].tenant, "t-b");
	assert_string_equal(u[0].kind, "assets");
	OK(f, ops->usage(f->s, f->a, "t-a", "tables", 0, &u, &n, &f->err));
	assert_int_equal(n, 1);
	assert_int_equal(u[0].count, 1);
	/* A deleted tenant's figures go with it. */
	OK(f, ops->delete_tenant(f->s, "t-b", &f->err));
	assert_string_equal(figs_of(f, "t-b"), "");
}

/* Commits, drops, policies, webhooks (not NATS cursors), events, audit
 * records (not root's), plan parts and business metadata: one each. */
static void
test_usage_counts_every_kind_a_tenant_makes(void **state)
{
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_dropped		 d;
	struct pgl_policy		 p;
	struct pgl_webhook		 w;
	struct pgl_plan_part		 part = { "plan-1", 0, "cat.main.db.t1",
					    "{\"tasks\":[]}", INT64_MAX };
	struct pgl_asset		 a;
	static const char *const	 kinds[] = { "commits", "dropped",
	    "policies", "webhooks", "events", "audit", "plans", "metadata" };
	size_t				 i;

	seed_catalog_tree(f, "t-a");
	seed_commit(f, "t-a", "cat", "c1", NULL);
	memset(&d, 0, sizeof(d));
	d.id = "d-1";
	d.tenant_id = "t-a";
	d.catalog = "cat";
	d.branch = "main";
	d.ns = "db";
	d.name = "gone";
	d.kind = "ICEBERG_TABLE";
	d.properties = "{}";
	OK(f, ops->put_dropped(f->s, &d, &f->err));
	memset(&p, 0, sizeof(p));
	p.id = "p-1";
	p.tenant_id = "t-a";
	p.name = "mask";
	p.catalog = "cat";
	p.ns = "db";
	p.doc = "{}";
	OK(f, ops->put_policy(f->s, &p, 1, &f->err));
	webhook_of(&w, "t-a", "w-1", 1000);
	OK(f, ops->put_webhook(f->s, &w, 1, &f->err));
	webhook_of(&w, "t-a", "nats", 1000);
	w.kind = "nats";
	OK(f, ops->put_webhook(f->s, &w, 1, &f->err));
	(void)append_ev(f, "t-a", "cat", "ev-1", 1000, "create-table");
	seed_audit(f, "au-1", "t-a", 1000, "u1", "create_table", "success");
	seed_audit(f, "au-root", NULL, 1000, "root", "create_tenant",
	    "success");
	OK(f, ops->put_plan_part(f->s, "t-a", &part, &f->err));
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1", &a,
	    &f->err));
	memset(&m, 0, sizeof(m));
	m.id = "bm-1";
	m.asset_id = a.id;
	m.description = "the orders";
	m.tags = "[\"pii\"]";
	m.properties = "{}";
	m.created_by = m.updated_by = "alice";
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (fig_of(f, "t-a", kinds[i]).count != 1)
			fail_msg("%s: %s", kinds[i], figs_of(f, "t-a"));
	/* Business metadata: its asset's id, its id and its strings. */
	assert_int_equal(fig_of(f, "t-a", "metadata").bytes,
	    ROW(strlen(a.id) + 4 + 10 + 7 + 2 + 5 + 5));
	/* Its delete gives its room back; its asset's stays. */
	OK(f, ops->delete_business_metadata(f->s, "t-a", a.id, &f->err));
	assert_int_equal(fig_of(f, "t-a", "metadata").count, 0);
	assert_int_equal(fig_of(f, "t-a", "tables").count, 1);
}

/* The rest a tenant makes is kind other: its catalog, warehouse and
 * branch (seed_catalog_tree's), a role, its grant, a tag. */
static void
test_usage_counts_the_rest_as_other(void **state)
{
	struct fx		*f = *state;
	struct pgl_role		 r;
	struct pgl_tag		 tag = { "cat", "v1", "c1", 1000 };
	struct fig		 o;

	seed_catalog_tree(f, "t-a");
	o = fig_of(f, "t-a", "other");
	assert_int_equal(o.count, 3);
	/* catalog: name, id, type, warehouse, location, properties;
	 * warehouse: name, id, storage config; branch: catalog, name,
	 * type, assets (no head yet). */
	assert_int_equal(o.bytes, ROW(3 + 11 + 5 + 2 + 13 + 2) +
	    ROW(2 + 9 + 13) + ROW(3 + 4 + 6 + 2));
	memset(&r, 0, sizeof(r));
	r.id = "r-1";
	r.tenant_id = "t-a";
	r.name = "readers";
	r.doc = "{\"name\":\"readers\"}";
	OK(f, ops->create_role(f->s, &r, &f->err));
	seed_commit(f, "t-a", "cat", "c1", NULL);
	OK(f, ops->create_tag(f->s, "t-a", &tag, &f->err));
	assert_int_equal(fig_of(f, "t-a", "other").count, 5);
	OK(f, ops->delete_role(f->s, "t-a", "r-1", &f->err));
	assert_int_equal(fig_of(f, "t-a", "other").count, 4);
}

/* The recount makes the same figures from the rows themselves. */
static void
test_usage_recount_agrees_with_the_ledger(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 a;
	char			 kept[1024];

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_commit(f, "t-a", "cat", "c1", NULL);
	seed_commit(f, "t-a", "cat", "c2", "c1");
	seed_audit(f, "au-1", "t-a", 1000, "u1", "create_table", "success");
	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", "main", "db", "t1", &a,
	    &f->err));
	a.properties = "{\"grown\":\"yes\"}";
	OK(f, ops->update_asset(f->s, "t-a", &a, &f->err));
	OK(f, ops->delete_asset(f->s, "t-b", "cat", "main", "db", "v1",
	    &f->err));
	(void)snprintf(kept, sizeof(kept), "%s", figs_of(f, "t-a"));
	OK(f, ops->usage_recount(f->s, NULL, &f->err));
	assert_string_equal(figs_of(f, "t-a"), kept);
	(void)snprintf(kept, sizeof(kept), "%s", figs_of(f, "t-b"));
	OK(f, ops->usage_recount(f->s, "t-b", &f->err));
	assert_string_equal(figs_of(f, "t-b"), kept);
}

/* Another handle's writes (another worker, another replica) count in
 * the same figures. */
static void
test_usage_adds_up_every_handles_writes(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*s2;
	struct pgl_namespace	 ns = { "cat", "other", "{}" };

	if (!needs_file())
		return;
	seed_catalog_tree(f, "t-a");
	OK(f, open_store(&s2, &f->err));
	OK(f, ops->create_namespace(s2, "t-a", &ns, &f->err));
	OK(f, ops->delete_namespace(f->s, "t-a", "cat", "db", &f->err));
	ops->close(s2);
	assert_int_equal(fig_of(f, "t-a", "namespaces").count, 1);
	assert_int_equal(fig_of(f, "t-a", "namespaces").bytes,
	    ROW(3 + 5 + 2));
}

/* trim_audit takes a tenant's oldest, and only its own. */
static void
test_trim_audit_takes_the_tenants_oldest(void **state)
{
	struct fx		*f = *state;
	struct pgl_audit_event	*items;
	struct pgl_audit_filter	 all;
	struct pgl_page		 pg = { 0, 0, NULL };
	uint64_t		 purged = 0;
	size_t			 n;

	seed_tenant(f, "t-a", "a");
	seed_tenant(f, "t-b", "b");
	seed_audit(f, "au-1", "t-a", 1000, "u", "x", "success");
	seed_audit(f, "au-2", "t-a", 2000, "u", "x", "success");
	seed_audit(f, "au-3", "t-a", 3000, "u", "x", "success");
	seed_audit(f, "au-4", "t-b", 500, "u", "x", "success");
	OK(f, ops->trim_audit(f->s, "t-a", 2, &purged, &f->err));
	assert_int_equal(purged, 2);
	memset(&all, 0, sizeof(all));
	OK(f, ops->list_audit_events(f->s, f->a, "t-a", &all, &pg, &items,
	    &n, NULL, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "au-3");
	assert_int_equal(fig_of(f, "t-a", "audit").count, 1);
	assert_int_equal(fig_of(f, "t-b", "audit").count, 1);
	FAILS(f, PGL_EINVAL, ops->trim_audit(f->s, NULL, 1, &purged, &f->err));
}

static const struct CMUnitTest	tests[] = {
	T(test_usage_is_offered_from_abi_1_27_with_all_three),
	T(test_usage_counts_each_kind_in_rows_and_bytes),
	T(test_usage_follows_updates_deletes_and_cascades),
	T(test_usage_of_a_rolled_back_transaction_is_not_kept),
	T(test_usage_is_each_tenants_own_and_the_largest_first),
	T(test_usage_counts_every_kind_a_tenant_makes),
	T(test_usage_counts_the_rest_as_other),
	T(test_usage_recount_agrees_with_the_ledger),
	T(test_usage_adds_up_every_handles_writes),
	T(test_trim_audit_takes_the_tenants_oldest),
};

STORE_FAMILY(usage, tests);
