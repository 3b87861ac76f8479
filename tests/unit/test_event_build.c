/* The feed's Event object (src/events/event_build.c): the events
 * proposal's Event and Operation schemas, Pangolin's x- types, secrets
 * masked. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "events/cloudevent.h"
#include "events/event_build.h"
#include "events/event_types.h"
#include "util/json.h"
#include "util/secret_key.h"
#include "util/uuid.h"

#define EVID	"0193b6a4-2f6e-7c1d-9d1a-5b8c3e2f1a00"
#define TUUID	"9c12d441-03fe-4693-9a96-a0705ddf69c1"
#define TENANT	"7d1c2f5e-0000-4000-8000-000000000001"

static json_t *
parse(const char *text)
{
	json_error_t	 e;
	json_t		*v = json_loads(text, 0, &e);

	assert_non_null(v);
	return (v);
}

/* 1 if v is the JSON of text. */
static int
eq(const json_t *v, const char *text)
{
	json_t	*want = parse(text);
	int	 same = json_equal(v, want);

	json_decref(want);
	return (same);
}

/* The keys of obj, sorted and joined by ',': the exact field set. */
static char *
keys(const json_t *obj)
{
	const char	*k, *list[32];
	json_t		*v;
	size_t		 n = 0, i, j;
	static char	 buf[512];

	json_object_foreach((json_t *)obj, k, v)
		list[n++] = k;
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && strcmp(list[j - 1], list[j]) > 0; j--) {
			k = list[j];
			list[j] = list[j - 1];
			list[j - 1] = k;
		}
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0)
			strcat(buf, ",");
		strcat(buf, list[i]);
	}
	return (buf);
}

static struct pgl_event_input
commit_input(const json_t *updates, const json_t *reqs)
{
	struct pgl_event_input	in = {
		.event_id = EVID, .request_id = "req-1",
		.timestamp_ms = 1614265330123, .catalog = "lake",
		.branch = "main", .actor_id = "u-1", .actor_type = "user",
		.actor_name = "alice", .operation_type = "update-table",
		.ns = "db\x1fsales", .name = "orders", .uuid = TUUID,
		.metadata_location = "s3://b/db/orders/metadata/00002.json",
		.has_snapshot_id = 1, .snapshot_id = 3055729675574597004LL,
		.updates = updates, .requirements = reqs
	};

	return (in);
}

static void
test_update_table_has_the_schema_fields_and_pangolin_adds_beside_it(
    void **state)
{
	char			 why[256];
	json_t			*u = parse("[{\"action\": \"set-current-schema\","
				    " \"schema-id\": 1}]");
	json_t			*r = parse("[{\"type\": \"assert-table-uuid\", "
				    "\"uuid\": \"" TUUID "\"}]");
	struct pgl_event_input	 in = commit_input(u, r);
	json_t			*ev, *op, *x;

	(void)state;
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	assert_string_equal(keys(ev), "actor,event-id,operation,"
	    "request-event-count,request-id,timestamp-ms,x-pangolin");
	assert_string_equal(pgl_json_str(ev, "event-id"), EVID);
	assert_string_equal(pgl_json_str(ev, "request-id"), "req-1");
	assert_int_equal(json_integer_value(json_object_get(ev,
	    "request-event-count")), 1);
	assert_int_equal(json_integer_value(json_object_get(ev,
	    "timestamp-ms")), 1614265330123LL);
	op = json_object_get(ev, "operation");
	assert_string_equal(keys(op), "identifier,operation-type,"
	    "requirements,table-uuid,updates");
	assert_true(eq(json_object_get(op, "identifier"), "{\"namespace\": "
	    "[\"db\", \"sales\"], \"name\": \"orders\"}"));
	assert_true(json_equal(json_object_get(op, "updates"), u));
	assert_true(json_equal(json_object_get(op, "requirements"), r));
	x = json_object_get(ev, "x-pangolin");
	assert_string_equal(keys(x), "branch,catalog,metadata-location,"
	    "snapshot-id");
	assert_int_equal(json_integer_value(json_object_get(x,
	    "snapshot-id")), 3055729675574597004LL);
	assert_string_equal(keys(json_object_get(ev, "actor")),
	    "id,name,type");
	json_decref(ev);
	json_decref(u);
	json_decref(r);
}

static void
test_secret_property_values_are_masked_and_the_input_is_untouched(
    void **state)
{
	char			 why[256];
	json_t			*u = parse("[{\"action\": \"set-properties\", "
	    "\"updates\": {\"owner\": \"ops\", \"rest.signing-key\": \"k1\", "
	    "\"s3.secret-access-key\": \"k2\", "
	    "\"adls.connection-string.acct\": \"AccountKey=k3\"}}, {\"action\": "
	    "\"add-encryption-key\", \"encryption-key\": {\"key-id\": \"a\", "
	    "\"encrypted-key-metadata\": \"c2VjcmV0\", \"properties\": "
	    "{\"kms.token\": \"t\", \"kms.region\": \"eu\"}}}]");
	json_t			*before = json_deep_copy(u), *ev, *got, *p;
	struct pgl_event_input	 in = commit_input(u, NULL);

	(void)state;
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	got = json_object_get(json_object_get(ev, "operation"), "updates");
	p = json_object_get(json_array_get(got, 0), "updates");
	assert_string_equal(pgl_json_str(p, "owner"), "ops");
	assert_string_equal(pgl_json_str(p, "rest.signing-key"),
	    PGL_SECRET_MASK);
	assert_string_equal(pgl_json_str(p, "s3.secret-access-key"),
	    PGL_SECRET_MASK);
	/* Issue 67: the account key is in the connection string's value. */
	assert_string_equal(pgl_json_str(p, "adls.connection-string.acct"),
	    PGL_SECRET_MASK);
	p = json_object_get(json_array_get(got, 1), "encryption-key");
	assert_string_equal(pgl_json_str(p, "key-id"), "a");
	/* A KMS-wrapped key, as the table metadata holds it. */
	assert_string_equal(pgl_json_str(p, "encrypted-key-metadata"),
	    "c2VjcmV0");
	p = json_object_get(p, "properties");
	assert_string_equal(pgl_json_str(p, "kms.token"), PGL_SECRET_MASK);
	assert_string_equal(pgl_json_str(p, "kms.region"), "eu");
	assert_true(json_equal(u, before));
	json_decref(ev);
	json_decref(u);
	json_decref(before);
}

/*
 * Updates with no secret are carried as they came (the event holds the
 * commit's own array, not a copy); a secret in any one update, here only
 * in an encryption key's properties, still masks, and the input stays.
 */
static void
test_updates_without_secrets_are_carried_and_one_secret_anywhere_masks(
    void **state)
{
	char			 why[256];
	json_t			*plain = parse("[{\"action\": \"set-properties\", "
	    "\"updates\": {\"owner\": \"ops\", \"s3.secret-access-key\": null}},"
	    " {\"action\": \"remove-properties\", \"removals\": [\"x\"]}]");
	json_t			*keyed = parse("[{\"action\": \"set-properties\", "
	    "\"updates\": {\"owner\": \"ops\"}}, {\"action\": "
	    "\"add-encryption-key\", \"encryption-key\": {\"key-id\": \"a\", "
	    "\"properties\": {\"kms.token\": \"t\"}}}]");
	json_t			*before = json_deep_copy(keyed), *ev, *got;
	struct pgl_event_input	 in = commit_input(plain, NULL);

	(void)state;
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	got = json_object_get(json_object_get(ev, "operation"), "updates");
	assert_true(json_equal(got, plain));
	json_decref(ev);
	in = commit_input(keyed, NULL);
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	got = json_object_get(json_object_get(ev, "operation"), "updates");
	assert_string_equal(pgl_json_str(json_object_get(json_array_get(got,
	    1), "encryption-key"), "key-id"), "a");
	assert_string_equal(pgl_json_str(json_object_get(json_object_get(
	    json_array_get(got, 1), "encryption-key"), "properties"),
	    "kms.token"), PGL_SECRET_MASK);
	assert_string_equal(pgl_json_str(json_object_get(json_array_get(got,
	    0), "updates"), "owner"), "ops");
	assert_true(json_equal(keyed, before));
	json_decref(ev);
	json_decref(plain);
	json_decref(keyed);
	json_decref(before);
}

static void
test_unknown_operation_type_is_an_error_not_a_crash(void **state)
{
	const char		*bad[] = { "frobnicate-table", "x-create-branch",
				    "", "CREATE-TABLE", NULL };
	struct pgl_event_input	 in = commit_input(NULL, NULL);
	char			 why[256];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in.operation_type = bad[i];
		why[0] = '\0';
		assert_null(pgl_event_build(&in, why, sizeof(why)));
		assert_non_null(strstr(why, "unknown operation type"));
	}
}

static void
test_a_table_event_without_its_required_object_is_refused(void **state)
{
	struct pgl_event_input	 in;
	char			 why[256];

	(void)state;
	in = commit_input(NULL, NULL);
	in.uuid = NULL;
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	assert_non_null(strstr(why, "table-uuid"));
	in = commit_input(NULL, NULL);
	in.uuid = "not-a-uuid";
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	in = commit_input(NULL, NULL);
	in.name = NULL;
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	in = commit_input(NULL, NULL);
	in.event_id = "has.a.dot";
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	in = commit_input(NULL, NULL);
	in.timestamp_ms = -1;
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	in = commit_input(NULL, NULL);
	in.updates = json_string("nope");
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	json_decref((json_t *)in.updates);
}

static void
test_create_table_without_updates_still_has_the_required_empty_list(
    void **state)
{
	struct pgl_event_input	 in = commit_input(NULL, NULL);
	char			 why[256];
	json_t			*ev, *op;

	(void)state;
	in.operation_type = "create-table";
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	op = json_object_get(ev, "operation");
	assert_string_equal(keys(op), "identifier,operation-type,"
	    "table-uuid,updates");
	assert_int_equal(json_array_size(json_object_get(op, "updates")), 0);
	json_decref(ev);
	/* register-table's updates are optional: absent when none. */
	in.operation_type = "register-table";
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_string_equal(keys(json_object_get(ev, "operation")),
	    "identifier,operation-type,table-uuid");
	json_decref(ev);
}

static void
test_updates_over_the_cap_are_left_out_and_flagged(void **state)
{
	json_t			*u = parse("[{\"action\": \"set-properties\", "
				    "\"updates\": {\"a\": \"0123456789\"}}]");
	struct pgl_event_input	 in = commit_input(u, NULL);
	char			 why[256];
	json_t			*ev, *x;

	(void)state;
	in.max_updates_bytes = 16;
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	assert_int_equal(json_array_size(json_object_get(json_object_get(ev,
	    "operation"), "updates")), 0);
	x = json_object_get(ev, "x-pangolin");
	assert_true(json_is_true(json_object_get(x, "updates-omitted")));
	assert_non_null(pgl_json_str(x, "metadata-location"));
	json_decref(ev);
	in.max_updates_bytes = 4096;
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_int_equal(json_array_size(json_object_get(json_object_get(ev,
	    "operation"), "updates")), 1);
	assert_null(json_object_get(json_object_get(ev, "x-pangolin"),
	    "updates-omitted"));
	json_decref(ev);
	json_decref(u);
}

static void
test_rename_has_source_destination_and_uuid_and_no_identifier(
    void **state)
{
	struct pgl_event_input	 in = commit_input(NULL, NULL);
	char			 why[256];
	json_t			*ev, *op;

	(void)state;
	in.operation_type = "rename-view";
	in.dest_ns = "db";
	in.dest_name = "orders_v";
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	op = json_object_get(ev, "operation");
	assert_string_equal(keys(op), "destination,operation-type,source,"
	    "view-uuid");
	assert_true(eq(json_object_get(op, "destination"),
	    "{\"namespace\": [\"db\"], \"name\": \"orders_v\"}"));
	json_decref(ev);
	in.dest_name = NULL;
	assert_null(pgl_event_build(&in, why, sizeof(why)));
}

static void
test_namespace_events_name_levels_and_mask_secret_properties(void **state)
{
	json_t			*props = parse("{\"owner\": \"ops\", "
				    "\"password\": \"p\"}");
	json_t			*upd = parse("[\"owner\"]");
	struct pgl_event_input	 in = { .timestamp_ms = 1, .ns = "a\x1f" "b",
				    .operation_type = "create-namespace",
				    .properties = props };
	char			 why[256];
	json_t			*ev, *op;

	(void)state;
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	op = json_object_get(ev, "operation");
	assert_true(eq(json_object_get(op, "namespace"), "[\"a\", \"b\"]"));
	assert_string_equal(pgl_json_str(json_object_get(op, "properties"),
	    "password"), PGL_SECRET_MASK);
	assert_null(json_object_get(ev, "actor"));
	assert_null(json_object_get(ev, "x-pangolin"));
	/* No id given: a UUID is made; request-id is the event's. */
	assert_true(pgl_uuid_valid(pgl_json_str(ev, "event-id")));
	assert_string_equal(pgl_json_str(ev, "request-id"),
	    pgl_json_str(ev, "event-id"));
	json_decref(ev);

	in.operation_type = "update-namespace-properties";
	in.properties = NULL;
	in.ns_updated = upd;
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	op = json_object_get(ev, "operation");
	assert_string_equal(keys(op), "namespace,operation-type,removed,"
	    "updated");
	assert_int_equal(json_array_size(json_object_get(op, "removed")), 0);
	json_decref(ev);

	in.operation_type = "drop-namespace";
	in.ns = "";
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	assert_int_equal(json_array_size(json_object_get(json_object_get(ev,
	    "operation"), "namespace")), 0);
	json_decref(ev);
	json_decref(props);
	json_decref(upd);
}

static void
test_x_type_payload_is_checked_against_its_row(void **state)
{
	json_t			*ok = parse("{\"branch\": \"dev\", "
				    "\"from-branch\": \"main\"}");
	json_t			*missing = parse("{\"from-branch\": \"main\"}");
	json_t			*unknown = parse("{\"branch\": \"dev\", "
				    "\"secret\": \"x\"}");
	json_t			*typed = parse("{\"branch\": 7}");
	struct pgl_event_input	 in = { .timestamp_ms = 1, .catalog = "lake",
				    .operation_type = "x-pangolin.create-branch",
				    .payload = ok, .actor_type = "system" };
	char			 why[256];
	json_t			*ev, *op;

	(void)state;
	ev = pgl_event_build(&in, why, sizeof(why));
	assert_non_null(ev);
	op = json_object_get(ev, "operation");
	assert_string_equal(keys(op), "branch,from-branch,operation-type");
	assert_string_equal(keys(json_object_get(ev, "actor")), "type");
	json_decref(ev);
	in.payload = missing;
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	assert_non_null(strstr(why, "branch"));
	in.payload = unknown;
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	in.payload = typed;
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	/* A standard type takes no payload. */
	in = (struct pgl_event_input){ .timestamp_ms = 1, .ns = "a",
	    .operation_type = "drop-namespace", .payload = ok };
	assert_null(pgl_event_build(&in, why, sizeof(why)));
	json_decref(ok);
	json_decref(missing);
	json_decref(unknown);
	json_decref(typed);
}

/* A payload of each required field of t, so every row can be built. */
static json_t *
payload_of(const struct pgl_event_type *t)
{
	const struct pgl_jfield	*f;
	json_t			*p = json_object();

	for (f = t->payload; f != NULL && f->name != NULL; f++) {
		if (f->required)
			json_object_set_new(p, f->name, f->type == PGL_J_INT ?
			    json_integer(1) : json_string("v"));
	}
	return (p);
}

/* Every field a type may take, so each row shows all it carries. */
static struct pgl_event_input
full_input(const struct pgl_event_type *t, json_t *const fix[5],
    json_t *payload)
{
	struct pgl_event_input	in = commit_input(NULL, NULL);
	int			view = (t->flags & PGL_EVF_VIEW_UUID) != 0;

	in.operation_type = t->name;
	in.dest_ns = "db";
	in.dest_name = "renamed";
	in.purge = 1;
	in.updates = fix[view ? 1 : 0];
	in.requirements = fix[view ? 3 : 2];
	in.properties = json_object_get(json_array_get(fix[0], 0), "updates");
	in.ns_updated = in.ns_removed = fix[4];
	in.payload = (t->flags & PGL_EVF_PAYLOAD) ? payload : NULL;
	return (in);
}

/*
 * With PGL_EVENT_SAMPLES=<file>, the events are also written there as a
 * JSON array: tests/integration/events_schema.test.js checks each against
 * the events proposal's own schema.
 */
static void
test_every_type_builds_and_goes_out_as_a_cloudevent(void **state)
{
	static const char *const standard[] = { "create-table",
	    "register-table", "drop-table", "update-table", "rename-table",
	    "create-view", "drop-view", "update-view", "rename-view",
	    "create-namespace", "update-namespace-properties",
	    "drop-namespace" };
	const struct pgl_event_type	*t;
	struct pgl_event_input		 in;
	const char			*out = getenv("PGL_EVENT_SAMPLES");
	char				 why[256], *text;
	json_t				*ev, *p, *all = json_array(), *fix[5];
	size_t				 n, i;

	(void)state;
	fix[0] = parse("[{\"action\": \"set-properties\", \"updates\": "
	    "{\"owner\": \"ops\", \"rest.signing-key\": \"k\"}}, "
	    "{\"action\": \"add-encryption-key\", \"encryption-key\": "
	    "{\"key-id\": \"a\", \"encrypted-key-metadata\": \"c2Vj\"}}, "
	    "{\"action\": \"set-location\", \"location\": \"s3://b/t\"}]");
	fix[1] = parse("[{\"action\": \"set-properties\", \"updates\": "
	    "{\"owner\": \"ops\"}}, {\"action\": "
	    "\"set-current-view-version\", \"view-version-id\": -1}]");
	fix[2] = parse("[{\"type\": \"assert-table-uuid\", \"uuid\": \""
	    TUUID "\"}]");
	fix[3] = parse("[{\"type\": \"assert-view-uuid\", \"uuid\": \""
	    TUUID "\"}]");
	fix[4] = parse("[\"owner\"]");
	t = pgl_event_types(&n);
	assert_true(n > 12);
	for (i = 0; i < n; i++) {
		if (i < 12)
			assert_string_equal(t[i].name, standard[i]);
		else
			assert_memory_equal(t[i].name, PGL_EVENT_X_PREFIX,
			    strlen(PGL_EVENT_X_PREFIX));
		assert_ptr_equal(pgl_event_type_find(t[i].name), &t[i]);
		p = payload_of(&t[i]);
		in = full_input(&t[i], fix, p);
		ev = pgl_event_build(&in, why, sizeof(why));
		if (ev == NULL)
			fail_msg("%s: %s", t[i].name, why);
		text = pgl_cloudevent_text(ev, TENANT, "lake", why,
		    sizeof(why));
		if (text == NULL)
			fail_msg("%s as a CloudEvent: %s", t[i].name, why);
		free(text);
		json_array_append_new(all, ev);
		json_decref(p);
	}
	if (out != NULL)
		assert_int_equal(json_dump_file(all, out, JSON_INDENT(1)), 0);
	json_decref(all);
	for (i = 0; i < 5; i++)
		json_decref(fix[i]);
}

static void
test_object_name_is_the_path_the_store_filters_on(void **state)
{
	struct pgl_event_input	 in = commit_input(NULL, NULL);
	char			*name;
	int			 none;

	(void)state;
	name = pgl_event_object_name(&in, &none);
	assert_string_equal(name, "db\x1fsales\x1forders");
	free(name);
	in.operation_type = "rename-table";
	in.dest_ns = "db";
	in.dest_name = "other";
	name = pgl_event_object_name(&in, &none);
	assert_string_equal(name, "db\x1fsales\x1forders");
	free(name);
	in.operation_type = "drop-namespace";
	name = pgl_event_object_name(&in, &none);
	assert_string_equal(name, "db\x1fsales");
	free(name);
	/* A table in the root namespace is its name alone. */
	in.operation_type = "drop-table";
	in.ns = "";
	name = pgl_event_object_name(&in, &none);
	assert_string_equal(name, "orders");
	free(name);
	in.operation_type = "x-pangolin.create-branch";
	assert_null(pgl_event_object_name(&in, &none));
	assert_int_equal(none, 1);
	/* A task's row names its table (the feed judges readers by it);
	 * a task of no table names nothing. */
	in.operation_type = "x-pangolin.task-state";
	in.ns = "db\x1fsales";
	name = pgl_event_object_name(&in, &none);
	assert_string_equal(name, "db\x1fsales\x1forders");
	free(name);
	in.name = NULL;
	assert_null(pgl_event_object_name(&in, &none));
	assert_int_equal(none, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_update_table_has_the_schema_fields_and_pangolin_adds_beside_it),
		cmocka_unit_test(test_secret_property_values_are_masked_and_the_input_is_untouched),
		cmocka_unit_test(test_updates_without_secrets_are_carried_and_one_secret_anywhere_masks),
		cmocka_unit_test(test_unknown_operation_type_is_an_error_not_a_crash),
		cmocka_unit_test(test_a_table_event_without_its_required_object_is_refused),
		cmocka_unit_test(test_create_table_without_updates_still_has_the_required_empty_list),
		cmocka_unit_test(test_updates_over_the_cap_are_left_out_and_flagged),
		cmocka_unit_test(test_rename_has_source_destination_and_uuid_and_no_identifier),
		cmocka_unit_test(test_namespace_events_name_levels_and_mask_secret_properties),
		cmocka_unit_test(test_x_type_payload_is_checked_against_its_row),
		cmocka_unit_test(test_every_type_builds_and_goes_out_as_a_cloudevent),
		cmocka_unit_test(test_object_name_is_the_path_the_store_filters_on),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
