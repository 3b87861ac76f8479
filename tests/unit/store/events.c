/*
 * Change events, the outbox (ABI 1.15): an event appended in a committed
 * transaction is listed whole and one rolled back never, ids unique for
 * ever, sequences per catalog and tenant, pages and filters, purges and
 * trims in batches with their horizon, per-tenant usage, and appends
 * racing between processes read without a miss.
 */
#include <sys/wait.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* The host's one test of "this store keeps change events" (the loader). */
static void
test_events_are_offered_from_abi_1_15_with_all_six(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	assert_true(pgl_store_has_events(&o));
	o.abi_minor = 14;
	assert_false(pgl_store_has_events(&o));
	o = *ops;
	o.append_event = NULL;
	assert_false(pgl_store_has_events(&o));
	o = *ops;
	o.event_horizon = NULL;
	assert_false(pgl_store_has_events(&o));
	o = *ops;
	o.event_usage = NULL;
	assert_false(pgl_store_has_events(&o));
}

/*
 * A tenant's event lock (PostgreSQL's advisory lock, held until the
 * commit) is asked for once per transaction: a group commit's second
 * event of the tenant costs one round trip fewer than its first, and one
 * begun with begin_tenant holds it already.  It is still held: another
 * handle's begin_tenant of either tenant waits (and times out) until the
 * commit.  Stores without the lock (SQLite, memory, MongoDB) show no
 * difference and skip the waits.
 */
static void
test_an_event_lock_is_taken_once_a_transaction(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*s2 = NULL;
	uint64_t		 last = 0, a1, a2, b1, c1;
	int			 locks = pgl_store_can_begin_tenant(ops);

	(void)trips(f, &last);
	OK(f, ops->begin(f->s, &f->err));
	(void)trips(f, &last);
	append_ev(f, "t-l1", "cat", "0190c2a0-0000-7000-8000-00000000e001", 1,
	    "create-table");
	a1 = trips(f, &last);
	append_ev(f, "t-l1", "cat", "0190c2a0-0000-7000-8000-00000000e002", 2,
	    "create-table");
	a2 = trips(f, &last);
	append_ev(f, "t-l2", "cat", "0190c2a0-0000-7000-8000-00000000e003", 3,
	    "create-table");
	b1 = trips(f, &last);
	assert_int_equal(a2 + (locks ? 1 : 0), a1);
	assert_int_equal(b1, a1);	/* another tenant: its own */
	if (locks) {
		s2 = open_impatient(f);
		assert_int_not_equal(ops->begin_tenant(s2, "t-l1", &f->err),
		    PGL_OK);
		OK(f, ops->rollback(s2, &f->err));
		assert_int_not_equal(ops->begin_tenant(s2, "t-l2", &f->err),
		    PGL_OK);
		OK(f, ops->rollback(s2, &f->err));
	}
	OK(f, ops->commit(f->s, &f->err));
	if (locks) {
		/* Let go at the commit: the next transaction asks again. */
		OK(f, ops->begin_tenant(s2, "t-l1", &f->err));
		OK(f, ops->commit(s2, &f->err));
		ops->close(s2);
		(void)trips(f, &last);
		OK(f, ops->begin(f->s, &f->err));
		(void)trips(f, &last);
		append_ev(f, "t-l1", "cat",
		    "0190c2a0-0000-7000-8000-00000000e004", 4, "create-table");
		assert_int_equal(trips(f, &last), a1);
		OK(f, ops->commit(f->s, &f->err));
		/* Begun with the tenant's lock: no event asks for it. */
		OK(f, ops->begin_tenant(f->s, "t-l1", &f->err));
		(void)trips(f, &last);
		append_ev(f, "t-l1", "cat",
		    "0190c2a0-0000-7000-8000-00000000e005", 5, "create-table");
		c1 = trips(f, &last);
		assert_int_equal(c1, a2);
		OK(f, ops->commit(f->s, &f->err));
	}
}

static void
test_event_appended_in_a_committed_transaction_is_listed_whole(void **state)
{
	struct fx		*f = *state;
	struct pgl_event	e, *items;
	uint64_t		seq;

	seed_catalog_tree(f, "t-a");
	memset(&e, 0, sizeof(e));
	e.id = "0190c2a0-0000-7000-8000-000000000001";
	e.tenant_id = "t-a";
	e.catalog = "cat";
	e.ts_ms = 1700000000123;
	e.actor = "alice";
	e.operation_type = "create-namespace";
	e.object_type = "namespace";
	e.object_name = "db2";
	e.object_uuid = "uuid-1";
	e.branch = "main";
	e.request_id = "req-1";
	e.body = "{\"operation-type\":\"create-namespace\",\"x\":[1, 2]}";
	OK(f, ops->begin(f->s, &f->err));
	seed_ns(f, "t-a", "cat", "db2");
	OK(f, ops->append_event(f->s, &e, &seq, &f->err));
	OK(f, ops->commit(f->s, &f->err));

	assert_int_equal(list_ev(f, "t-a", "cat", 0, 10, &items), 1);
	assert_int_equal(items[0].seq, seq);
	assert_string_equal(items[0].id, e.id);
	assert_string_equal(items[0].tenant_id, "t-a");
	assert_string_equal(items[0].catalog, "cat");
	assert_int_equal(items[0].ts_ms, e.ts_ms);
	assert_string_equal(items[0].actor, "alice");
	assert_string_equal(items[0].operation_type, "create-namespace");
	assert_string_equal(items[0].object_type, "namespace");
	assert_string_equal(items[0].object_name, "db2");
	assert_string_equal(items[0].object_uuid, "uuid-1");
	assert_string_equal(items[0].branch, "main");
	assert_string_equal(items[0].request_id, "req-1");
	/* The body comes back byte for byte: the store never reads it. */
	assert_string_equal(items[0].body, e.body);
	/* The tenant's stream holds it too. */
	assert_int_equal(list_ev(f, "t-a", NULL, 0, 10, &items), 1);
	assert_int_equal(items[0].seq, seq);
	/* Absent optional fields come back NULL. */
	e.id = "e-2";
	e.actor = e.object_name = e.object_uuid = e.branch = NULL;
	e.request_id = NULL;
	OK(f, ops->append_event(f->s, &e, &seq, &f->err));	/* no tx */
	assert_int_equal(list_ev(f, "t-a", "cat", items[0].seq, 10, &items),
	    1);
	assert_string_equal(items[0].id, "e-2");
	assert_null(items[0].actor);
	assert_null(items[0].object_name);
	assert_null(items[0].request_id);
}

/* The outbox: a change rolled back leaves no event. */
static void
test_event_of_a_rolled_back_transaction_is_not_listed(void **state)
{
	struct fx		*f = *state;
	struct pgl_event	*items;
	struct pgl_namespace	ns;

	/* Named exception: CongoDB accepts transactions but does not make
	 * them atomic; real MongoDB (replica set) does.  See INFRA.md. */
	if (congodb()) {
		print_message("  SKIPPED on CongoDB: no atomic transactions\n");
		skip();
		return;
	}
	assert_true(ops->atomic(f->s));
	seed_catalog_tree(f, "t-a");
	(void)append_ev(f, "t-a", "cat", "e-kept", 1000, "create-table");
	OK(f, ops->begin(f->s, &f->err));
	seed_ns(f, "t-a", "cat", "db2");
	(void)append_ev(f, "t-a", "cat", "e-gone", 1001, "create-namespace");
	/* Read inside the transaction, it is there. */
	assert_int_equal(list_ev(f, "t-a", "cat", 0, 10, &items), 2);
	OK(f, ops->rollback(f->s, &f->err));

	FAILS(f, PGL_ENOTFOUND, ops->get_namespace(f->s, f->a, "t-a", "cat",
	    "db2", &ns, &f->err));
	assert_int_equal(list_ev(f, "t-a", "cat", 0, 10, &items), 1);
	assert_string_equal(items[0].id, "e-kept");
	assert_int_equal(list_ev(f, "t-a", NULL, 0, 10, &items), 1);
	/* Its id was never recorded: it can be appended again. */
	(void)append_ev(f, "t-a", "cat", "e-gone", 1002, "create-namespace");
}

static void
test_event_id_is_unique_for_ever(void **state)
{
	struct fx		*f = *state;
	struct pgl_event	e, *items;
	uint64_t		seq;

	(void)append_ev(f, "t-a", "cat", "e-1", 1000, "create-table");
	memset(&e, 0, sizeof(e));
	e.id = "e-1";
	e.tenant_id = "t-b";
	e.catalog = "other";
	e.operation_type = "drop-table";
	e.object_type = "table";
	e.body = "{}";
	FAILS(f, PGL_EEXISTS, ops->append_event(f->s, &e, &seq, &f->err));
	assert_int_equal(list_ev(f, "t-b", NULL, 0, 10, &items), 0);
	e.id = NULL;
	FAILS(f, PGL_EINVAL, ops->append_event(f->s, &e, &seq, &f->err));
	e.id = "e-2";
	e.body = NULL;
	FAILS(f, PGL_EINVAL, ops->append_event(f->s, &e, &seq, &f->err));
}

/*
 * seq increases in the order of appends (one handle: commit order) in
 * each catalog's stream and in the tenant's, which interleaves them with
 * the tenant-level events (catalog "").
 */
static void
test_event_seq_increases_per_catalog_and_across_the_tenant(void **state)
{
	static const char	*cats[] = { "c1", "c2", "", "c1", "", "c2",
				    "c1" };
	struct fx		*f = *state;
	struct pgl_event	*items;
	uint64_t		seqs[7];
	char			id[32];
	size_t			i, j, n;

	for (i = 0; i < 7; i++) {
		snprintf(id, sizeof(id), "e-%zu", i);
		OK(f, ops->begin(f->s, &f->err));
		seqs[i] = append_ev(f, "t-a", cats[i], id, 1000, "x-op");
		OK(f, ops->commit(f->s, &f->err));
		if (i > 0)
			assert_true(seqs[i] > seqs[i - 1]);
	}
	n = list_ev(f, "t-a", NULL, 0, 100, &items);
	assert_int_equal(n, 7);
	for (i = 0; i < 7; i++) {
		assert_int_equal(items[i].seq, seqs[i]);
		assert_string_equal(items[i].catalog, cats[i]);
	}
	/* c1: events 0, 3, 6; tenant-level: 2, 4. */
	n = list_ev(f, "t-a", "c1", 0, 100, &items);
	assert_int_equal(n, 3);
	for (i = 0, j = 0; i < 7; i++)
		if (strcmp(cats[i], "c1") == 0)
			assert_int_equal(items[j++].seq, seqs[i]);
	n = list_ev(f, "t-a", "", 0, 100, &items);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "e-2");
	assert_string_equal(items[1].id, "e-4");
}

static void
test_events_page_by_after_limit_time_and_operation_types(void **state)
{
	struct fx		*f = *state;
	struct pgl_event	*items;
	struct pgl_event_filter	flt = { .catalog = "cat", .limit = 2 };
	uint64_t		after = 0;
	char			id[32];
	size_t			n, got = 0;
	int			i;

	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "e-%d", i);
		(void)append_ev(f, "t-a", "cat", id, 1000 + i,
		    i % 2 ? "drop-table" : "create-table");
	}
	/* Pages of two, each after the last seq seen: 2, 2, 1, 0. */
	for (i = 0; i < 4; i++) {
		n = list_ev(f, "t-a", "cat", after, 2, &items);
		assert_int_equal(n, i < 2 ? 2 : i == 2 ? 1 : 0);
		if (n > 0) {
			snprintf(id, sizeof(id), "e-%zu", got);
			assert_string_equal(items[0].id, id);
			after = items[n - 1].seq;
		}
		got += n;
	}
	assert_int_equal(got, 5);
	/* since: ts_ms >= since_ms. */
	flt.since_ms = 1003;
	flt.limit = 10;
	OK(f, ops->list_events(f->s, f->a, "t-a", &flt, &items, &n, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "e-3");
	/* Operation types, a JSON array. */
	flt.since_ms = 0;
	flt.operation_types = "[\"drop-table\",\"x-none\"]";
	OK(f, ops->list_events(f->s, f->a, "t-a", &flt, &items, &n, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "e-1");
	assert_string_equal(items[1].id, "e-3");
	flt.operation_types = "[]";
	OK(f, ops->list_events(f->s, f->a, "t-a", &flt, &items, &n, &f->err));
	assert_int_equal(n, 0);
	flt.operation_types = NULL;
	flt.limit = 0;
	FAILS(f, PGL_EINVAL, ops->list_events(f->s, f->a, "t-a", &flt, &items,
	    &n, &f->err));
}

static void
append_obj(struct fx *f, const char *id, const char *type, const char *name,
    const char *uuid)
{
	struct pgl_event	e;
	uint64_t		seq;

	memset(&e, 0, sizeof(e));
	e.id = id;
	e.tenant_id = "t-a";
	e.catalog = "cat";
	e.ts_ms = 1000;
	e.operation_type = "update-table";
	e.object_type = type;
	e.object_name = name;
	e.object_uuid = uuid;
	e.body = "{}";
	OK(f, ops->append_event(f->s, &e, &seq, &f->err));
}

/* ids of a filtered list, comma separated, into buf. */
static const char *
ids_of(struct fx *f, const struct pgl_event_filter *flt, char *buf,
    size_t len)
{
	struct pgl_event	*items;
	size_t			 n, i, off = 0;

	buf[0] = '\0';
	OK(f, ops->list_events(f->s, f->a, "t-a", flt, &items, &n, &f->err));
	for (i = 0; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? "," : "", items[i].id);
	return (buf);
}

/*
 * The feed's filters (QueryEventsRequest): object types and uuids, and
 * object paths by whole levels: a namespace names what is in it, "a"
 * does not name "ab".
 */
static void
test_events_filter_by_object_type_uuid_and_path_levels(void **state)
{
	struct fx		*f = *state;
	struct pgl_event_filter	 flt;
	char			 buf[256];

	append_obj(f, "e-ns", "namespace", "a", NULL);
	append_obj(f, "e-t1", "table", "a" SEP "t1", "u-1");
	append_obj(f, "e-ab", "table", "ab" SEP "t2", "u-2");
	append_obj(f, "e-v", "view", "a" SEP "b" SEP "v", "u-3");
	append_obj(f, "e-user", "x-user", NULL, NULL);
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	assert_string_equal(ids_of(f, &flt, buf, sizeof(buf)),
	    "e-ns,e-t1,e-ab,e-v,e-user");
	flt.object_types = "[\"table\",\"view\"]";
	assert_string_equal(ids_of(f, &flt, buf, sizeof(buf)),
	    "e-t1,e-ab,e-v");
	flt.object_types = NULL;
	flt.object_uuids = "[\"u-3\",\"u-1\"]";
	assert_string_equal(ids_of(f, &flt, buf, sizeof(buf)), "e-t1,e-v");
	flt.object_uuids = NULL;
	flt.object_names = "[\"a\"]";
	assert_string_equal(ids_of(f, &flt, buf, sizeof(buf)),
	    "e-ns,e-t1,e-v");
	flt.object_names = "[\"a\\u001fb\",\"ab\\u001ft2\"]";
	assert_string_equal(ids_of(f, &flt, buf, sizeof(buf)), "e-ab,e-v");
	flt.object_names = "[]";
	assert_string_equal(ids_of(f, &flt, buf, sizeof(buf)), "");
	/* All of them at once: each narrows. */
	flt.object_names = "[\"a\"]";
	flt.object_types = "[\"table\"]";
	flt.operation_types = "[\"update-table\"]";
	assert_string_equal(ids_of(f, &flt, buf, sizeof(buf)), "e-t1");
}

static void
test_events_of_one_tenant_never_list_or_count_anothers(void **state)
{
	struct fx		*f = *state;
	struct pgl_event	*items;
	struct pgl_event_usage	*u;
	uint64_t		horizon, purged;
	size_t			n;

	(void)append_ev(f, "t-a", "cat", "a-1", 1000, "create-table");
	(void)append_ev(f, "t-b", "cat", "b-1", 1000, "create-table");
	(void)append_ev(f, "t-b", "", "b-2", 1000, "x-create-user");
	(void)append_ev(f, "t-a", "cat", "a-2", 1000, "create-table");
	assert_int_equal(list_ev(f, "t-a", "cat", 0, 10, &items), 2);
	assert_string_equal(items[0].id, "a-1");
	assert_string_equal(items[1].id, "a-2");
	assert_int_equal(list_ev(f, "t-a", NULL, 0, 10, &items), 2);
	assert_int_equal(list_ev(f, "t-a", "", 0, 10, &items), 0);
	assert_int_equal(list_ev(f, "t-c", NULL, 0, 10, &items), 0);
	OK(f, ops->event_usage(f->s, f->a, "t-a", 0, &u, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(u[0].tenant, "t-a");
	assert_int_equal(u[0].events, 2);
	/* Trimming t-b touches neither t-a's events nor its horizon. */
	OK(f, ops->trim_events(f->s, "t-b", 10, &purged, &f->err));
	assert_int_equal(purged, 2);
	assert_int_equal(list_ev(f, "t-a", NULL, 0, 10, &items), 2);
	OK(f, ops->event_horizon(f->s, "t-a", NULL, &horizon, &f->err));
	assert_int_equal(horizon, 0);
	OK(f, ops->event_horizon(f->s, "t-b", NULL, &horizon, &f->err));
	assert_true(horizon > 0);
}

/*
 * Retention: the purge takes events older than the time, oldest first,
 * at most limit a call, of every tenant; the horizon then says, per
 * stream, that a reader before it missed events.
 */
static void
test_events_purge_by_time_in_batches_and_the_horizon_names_what_went(
    void **state)
{
	struct fx		*f = *state;
	struct pgl_event	*items;
	uint64_t		s1, s2, s3, horizon, purged;

	s1 = append_ev(f, "t-a", "c1", "e-1", 1000, "create-table");
	s2 = append_ev(f, "t-a", "c2", "e-2", 2000, "create-table");
	(void)append_ev(f, "t-b", "c1", "e-3", 1500, "create-table");
	s3 = append_ev(f, "t-a", "c1", "e-4", 9000, "create-table");
	OK(f, ops->event_horizon(f->s, "t-a", "c1", &horizon, &f->err));
	assert_int_equal(horizon, 0);

	OK(f, ops->purge_events(f->s, 5000, 2, &purged, &f->err));
	assert_int_equal(purged, 2);		/* e-1, then e-3 */
	assert_int_equal(list_ev(f, "t-b", NULL, 0, 10, &items), 0);
	assert_int_equal(list_ev(f, "t-a", NULL, 0, 10, &items), 2);
	assert_int_equal(items[0].seq, s2);
	OK(f, ops->event_horizon(f->s, "t-a", "c1", &horizon, &f->err));
	assert_int_equal(horizon, s1);
	OK(f, ops->event_horizon(f->s, "t-a", "c2", &horizon, &f->err));
	assert_int_equal(horizon, 0);
	OK(f, ops->purge_events(f->s, 5000, 2, &purged, &f->err));
	assert_int_equal(purged, 1);		/* e-2: none older left */
	OK(f, ops->purge_events(f->s, 5000, 2, &purged, &f->err));
	assert_int_equal(purged, 0);
	OK(f, ops->event_horizon(f->s, "t-a", NULL, &horizon, &f->err));
	assert_int_equal(horizon, s2);
	assert_int_equal(list_ev(f, "t-a", NULL, 0, 10, &items), 1);
	assert_int_equal(items[0].seq, s3);
	FAILS(f, PGL_EINVAL, ops->purge_events(f->s, 5000, 0, &purged,
	    &f->err));
}

/*
 * event_newest: where a new subscription starts.  The newest event of
 * the tenant's stream, or its horizon once every event is gone, so that
 * a reader there is never told it missed events it could not have had.
 */
static void
test_events_newest_is_the_last_kept_or_the_horizon(void **state)
{
	struct fx	*f = *state;
	uint64_t	 s1, s2, newest, horizon, purged;

	OK(f, ops->event_newest(f->s, "t-a", &newest, &f->err));
	assert_int_equal(newest, 0);
	s1 = append_ev(f, "t-a", "c1", "n-1", 1000, "create-table");
	(void)append_ev(f, "t-b", "c1", "n-2", 1000, "create-table");
	s2 = append_ev(f, "t-a", "", "n-3", 1000, "x-create-user");
	assert_true(s2 > s1);
	OK(f, ops->event_newest(f->s, "t-a", &newest, &f->err));
	assert_int_equal(newest, s2);
	OK(f, ops->event_newest(f->s, "t-c", &newest, &f->err));
	assert_int_equal(newest, 0);
	OK(f, ops->trim_events(f->s, "t-a", 10, &purged, &f->err));
	assert_int_equal(purged, 2);
	OK(f, ops->event_horizon(f->s, "t-a", NULL, &horizon, &f->err));
	OK(f, ops->event_newest(f->s, "t-a", &newest, &f->err));
	assert_int_equal(newest, horizon);
	assert_int_equal(newest, s2);
}

/* A limit larger than a store's own batch is still honoured whole. */
static void
test_events_purge_and_trim_take_a_limit_past_one_batch(void **state)
{
	struct fx		*f = *state;
	struct pgl_event_usage	*u;
	uint64_t		 purged;
	char			 id[32];
	size_t			 n;
	int			 i;

	OK(f, ops->begin(f->s, &f->err));
	for (i = 0; i < 1100; i++) {
		snprintf(id, sizeof(id), "e-%04d", i);
		(void)append_ev(f, "t-a", "cat", id, 1000 + i, "create-table");
	}
	OK(f, ops->commit(f->s, &f->err));
	OK(f, ops->purge_events(f->s, 1000 + 1060, 1050, &purged, &f->err));
	assert_int_equal(purged, 1050);
	OK(f, ops->purge_events(f->s, 1000 + 1060, 1050, &purged, &f->err));
	assert_int_equal(purged, 10);
	OK(f, ops->trim_events(f->s, "t-a", 30, &purged, &f->err));
	assert_int_equal(purged, 30);
	OK(f, ops->event_usage(f->s, f->a, "t-a", 0, &u, &n, &f->err));
	assert_int_equal(u[0].events, 10);
	assert_int_equal(u[0].oldest_ms, 1000 + 1090);
}

/* The per-tenant limit: usage counts events and body bytes without
 * reading bodies; trim takes the tenant's oldest. */
static void
test_event_usage_counts_per_tenant_and_trim_takes_the_oldest(void **state)
{
	struct fx		*f = *state;
	struct pgl_event	*items;
	struct pgl_event_usage	*u;
	uint64_t		purged, horizon, s2;
	size_t			n;

	OK(f, ops->event_usage(f->s, f->a, "t-a", 0, &u, &n, &f->err));
	assert_int_equal(n, 0);
	(void)append_ev(f, "t-a", "cat", "e-1", 1000, "create-table");
	s2 = append_ev(f, "t-a", "", "e-2", 2000, "x-create-user");
	(void)append_ev(f, "t-a", "cat", "e-3", 3000, "create-table");
	(void)append_ev(f, "t-b", "cat", "e-4", 500, "create-table");
	(void)append_ev(f, "t-b", "cat", "e-5", 600, "create-table");
	(void)append_ev(f, "t-b", "cat", "e-6", 700, "create-table");
	(void)append_ev(f, "t-b", "cat", "e-7", 800, "create-table");
	OK(f, ops->event_usage(f->s, f->a, "t-a", 0, &u, &n, &f->err));
	assert_int_equal(n, 1);
	assert_int_equal(u[0].events, 3);
	/* Each body is {"event-id":"e-N"}: 18 bytes. */
	assert_int_equal(u[0].bytes, 3 * 18);
	assert_int_equal(u[0].oldest_ms, 1000);
	/* Every tenant, the most events first, at most limit. */
	OK(f, ops->event_usage(f->s, f->a, NULL, 0, &u, &n, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(u[0].tenant, "t-b");
	assert_int_equal(u[0].events, 4);
	assert_string_equal(u[1].tenant, "t-a");
	OK(f, ops->event_usage(f->s, f->a, NULL, 1, &u, &n, &f->err));
	assert_int_equal(n, 1);

	OK(f, ops->trim_events(f->s, "t-a", 2, &purged, &f->err));
	assert_int_equal(purged, 2);
	assert_int_equal(list_ev(f, "t-a", NULL, 0, 10, &items), 1);
	assert_string_equal(items[0].id, "e-3");
	OK(f, ops->event_horizon(f->s, "t-a", NULL, &horizon, &f->err));
	assert_int_equal(horizon, s2);
	OK(f, ops->event_horizon(f->s, "t-a", "", &horizon, &f->err));
	assert_int_equal(horizon, s2);
	OK(f, ops->event_usage(f->s, f->a, "t-a", 0, &u, &n, &f->err));
	assert_int_equal(u[0].events, 1);
	OK(f, ops->trim_events(f->s, "t-a", 0, &purged, &f->err));
	assert_int_equal(purged, 0);
}

/* Events outlive their tenant (its deletion is an event too). */
static void
test_deleting_a_tenant_keeps_its_events_until_purged(void **state)
{
	struct fx		*f = *state;
	struct pgl_event	*items;

	seed_catalog_tree(f, "t-a");
	OK(f, ops->begin(f->s, &f->err));
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	(void)append_ev(f, "t-a", "", "e-1", 1000, "x-drop-tenant");
	OK(f, ops->commit(f->s, &f->err));
	assert_int_equal(list_ev(f, "t-a", NULL, 0, 10, &items), 1);
}

#define EV_PER_CHILD	40

/* One writer: EV_PER_CHILD transactions of a change and its event, each
 * run again on PGL_ERETRY, as the host does. */
static void
event_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_err		err;
	struct pgl_event	e;
	struct pgl_tenant	t;
	char			id[64], tid[64], c;
	uint64_t		seq;
	int			k, rc, tries;

	if (open_store(&s, &err) != PGL_OK)
		_exit(100);
	if (read(gate, &c, 1) == -1)
		_exit(101);
	for (k = 0; k < EV_PER_CHILD; k++) {
		snprintf(id, sizeof(id), "e-%d-%03d", i, k);
		snprintf(tid, sizeof(tid), "side-%d-%d", i, k);
		memset(&e, 0, sizeof(e));
		e.id = id;
		e.tenant_id = "t-a";
		e.catalog = "cat";
		e.ts_ms = 1000;
		e.operation_type = "create-table";
		e.object_type = "table";
		e.body = "{}";
		t.id = tid;
		t.name = tid;
		t.properties = NULL;
		for (tries = 0; tries < 50; tries++) {
			if ((rc = ops->begin(s, &err)) != PGL_OK)
				break;
			/* The event first, the change after: the order
			 * a reader sees must still be commit order. */
			rc = ops->append_event(s, &e, &seq, &err);
			if (rc == PGL_OK)
				rc = ops->create_tenant(s, &t, &err);
			if (rc == PGL_OK)
				rc = ops->commit(s, &err);
			else
				(void)ops->rollback(s, &err);
			if (rc != PGL_ERETRY)
				break;
		}
		if (rc != PGL_OK) {
			fprintf(stderr, "child %d: %d %s\n", i, rc, err.msg);
			_exit(rc);
		}
	}
	ops->close(s);
	_exit(0);
}

/*
 * Writers in several processes append to one catalog while a reader
 * pages "after the last seq it saw", as a feed consumer does: every
 * seq is distinct, and on a store whose transactions are atomic the
 * reader misses none (seq follows commit order, so no event commits
 * behind a position already read).
 */
static void
test_event_appends_racing_between_processes_are_read_without_a_miss(
    void **state)
{
	struct fx		*f = *state;
	struct pgl_event	*items;
	pid_t			pids[NCHILDREN];
	int			codes[NCHILDREN], i, running, st;
	uint64_t		after = 0, last = 0;
	size_t			n, seen = 0, k;

	if (!needs_file())
		return;
	ops->close(f->s);	/* a connection must not cross fork() */
	f->s = NULL;
	assert_int_equal(fork_children(event_child, pids), 0);
	OK(f, open_store(&f->s, &f->err));
	for (running = NCHILDREN; ; ) {
		n = list_ev(f, "t-a", "cat", after, 50, &items);
		for (k = 0; k < n; k++) {
			assert_true(items[k].seq > last);
			last = items[k].seq;
		}
		seen += n;
		if (n > 0)
			after = items[n - 1].seq;
		pgl_arena_free(f->a);
		f->a = pgl_arena_new();
		if (n > 0)
			continue;
		if (running == 0)
			break;
		for (i = 0; i < NCHILDREN; i++) {
			if (pids[i] > 0 && waitpid(pids[i], &st, WNOHANG) ==
			    pids[i]) {
				assert_true(WIFEXITED(st));
				codes[i] = WEXITSTATUS(st);
				pids[i] = 0;
				running--;
			}
		}
	}
	for (i = 0; i < NCHILDREN; i++)
		assert_int_equal(codes[i], 0);
	n = list_ev(f, "t-a", "cat", 0, NCHILDREN * EV_PER_CHILD + 1,
	    &items);
	assert_int_equal(n, NCHILDREN * EV_PER_CHILD);
	for (k = 1; k < n; k++)
		assert_true(items[k].seq > items[k - 1].seq);
	if (ops->atomic(f->s))
		assert_int_equal(seen, n);
	else
		print_message("  %s: not atomic, the reader saw %zu of %zu\n",
		    ops->name, seen, n);
}

static const struct CMUnitTest	tests[] = {
	T(test_an_event_lock_is_taken_once_a_transaction),
	T(test_events_are_offered_from_abi_1_15_with_all_six),
	T(test_event_appended_in_a_committed_transaction_is_listed_whole),
	T(test_event_of_a_rolled_back_transaction_is_not_listed),
	T(test_event_id_is_unique_for_ever),
	T(test_event_seq_increases_per_catalog_and_across_the_tenant),
	T(test_events_page_by_after_limit_time_and_operation_types),
	T(test_events_filter_by_object_type_uuid_and_path_levels),
	T(test_events_of_one_tenant_never_list_or_count_anothers),
	T(test_events_purge_by_time_in_batches_and_the_horizon_names_what_went),
	T(test_events_purge_and_trim_take_a_limit_past_one_batch),
	T(test_events_newest_is_the_last_kept_or_the_horizon),
	T(test_event_usage_counts_per_tenant_and_trim_takes_the_oldest),
	T(test_deleting_a_tenant_keeps_its_events_until_purged),
	T(test_event_appends_racing_between_processes_are_read_without_a_miss),
};

STORE_FAMILY(events, tests);
