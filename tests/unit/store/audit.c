/*
 * The audit log: events filtered, ordered, paged and scoped by tenant,
 * and those before a time deleted in bounded batches (ABI 1.8).
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"

/*
 * Issue 23, audit retention (ABI 1.8): events older than the cutoff go,
 * oldest first, at most limit per call, across tenants (and anonymous
 * ones); the cutoff itself and newer stay.
 */
static void
test_audit_events_before_a_time_are_deleted_in_bounded_batches(
    void **state)
{
	struct fx		*f = *state;
	struct pgl_audit_event	*items, e;
	struct pgl_audit_filter	 none;
	struct pgl_page		 pg = { 0, 0, NULL };
	uint64_t		 total, deleted;
	size_t			 n;

	assert_non_null(ops->delete_audit_events_before);
	memset(&none, 0, sizeof(none));
	seed_audit(f, "e1", "t-a", 1000, "u1", "create_table", "success");
	seed_audit(f, "e2", "t-b", 1500, "u2", "drop_table", "failure");
	seed_audit(f, "e3", NULL, 2000, NULL, "login_failed", "failure");
	seed_audit(f, "e4", "t-a", 3000, "u1", "create_table", "success");
	FAILS(f, PGL_EINVAL, ops->delete_audit_events_before(f->s, f->a,
	    3000, 0, &deleted, &f->err));
	OK(f, ops->delete_audit_events_before(f->s, f->a, 3000, 2, &deleted,
	    &f->err));
	assert_int_equal(deleted, 2);
	FAILS(f, PGL_ENOTFOUND, ops->get_audit_event(f->s, f->a, NULL, "e1",
	    &e, &f->err));
	OK(f, ops->get_audit_event(f->s, f->a, NULL, "e3", &e, &f->err));
	OK(f, ops->delete_audit_events_before(f->s, f->a, 3000, 2, &deleted,
	    &f->err));
	assert_int_equal(deleted, 1);
	OK(f, ops->delete_audit_events_before(f->s, f->a, 3000, 2, &deleted,
	    &f->err));
	assert_int_equal(deleted, 0);
	OK(f, ops->list_audit_events(f->s, f->a, NULL, &none, &pg, &items,
	    &n, &total, &f->err));
	assert_int_equal(total, 1);
	assert_string_equal(items[0].id, "e4");
}

static void
test_audit_events_filter_order_page_and_scope_by_tenant(void **state)
{
	struct fx		*f = *state;
	struct pgl_audit_event	*items, e;
	struct pgl_audit_filter	 none, by;
	struct pgl_page		 pg = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n;

	memset(&none, 0, sizeof(none));
	seed_audit(f, "e1", "t-a", 1000, "u1", "create_table", "success");
	seed_audit(f, "e2", "t-a", 2000, "u2", "drop_table", "failure");
	seed_audit(f, "e3", "t-a", 3000, "u1", "create_table", "success");
	seed_audit(f, "e4", "t-b", 2500, "u9", "create_table", "success");
	seed_audit(f, "e5", NULL, 2600, NULL, "login_failed", "failure");
	FAILS(f, PGL_EEXISTS, ops->log_audit_event(f->s, &(struct
	    pgl_audit_event){ "e1", "t-a", 1, NULL, "x", "y", NULL, "success",
	    NULL }, &f->err));
	OK(f, ops->list_audit_events(f->s, f->a, "t-a", &none, &pg, &items,
	    &n, &total, &f->err));
	assert_int_equal(n, 3);
	assert_int_equal(total, 3);
	assert_string_equal(items[0].id, "e3");		/* newest first */
	assert_string_equal(items[2].id, "e1");
	assert_string_equal(items[0].doc, "{\"username\":\"u\"}");
	by = none;
	by.user_id = "u1";
	by.action = "create_table";
	OK(f, ops->list_audit_events(f->s, f->a, "t-a", &by, &pg, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 2);
	by = none;
	by.result = "failure";
	by.start_ms = 1500;
	by.end_ms = 2500;
	OK(f, ops->list_audit_events(f->s, f->a, "t-a", &by, &pg, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "e2");
	/* Every tenant (root's view), paged. */
	pg = (struct pgl_page){ 2, 1, NULL };
	OK(f, ops->list_audit_events(f->s, f->a, NULL, &none, &pg, &items, &n,
	    &total, &f->err));
	assert_int_equal(total, 5);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "e5");
	assert_string_equal(items[1].id, "e4");
	OK(f, ops->get_audit_event(f->s, f->a, "t-a", "e2", &e, &f->err));
	assert_string_equal(e.action, "drop_table");
	assert_int_equal(e.timestamp_ms, 2000);
	FAILS(f, PGL_ENOTFOUND, ops->get_audit_event(f->s, f->a, "t-b", "e2",
	    &e, &f->err));
	OK(f, ops->get_audit_event(f->s, f->a, NULL, "e2", &e, &f->err));
}

static const struct CMUnitTest	tests[] = {
	T(test_audit_events_filter_order_page_and_scope_by_tenant),
	T(test_audit_events_before_a_time_are_deleted_in_bounded_batches),
};

STORE_FAMILY(audit, tests);
