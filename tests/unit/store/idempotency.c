/*
 * Idempotency keys (the Iceberg REST Idempotency-Key): a key read until
 * it expires, a live one never overwritten, an expired one replaced and
 * purged.
 */
#include <stdint.h>

#include "harness.h"

static void
test_idempotency_keys(void **state)
{
	struct fx		*f = *state;
	struct pgl_idempotent	k, old, rec = { "key-1", "POST /v1/x", 201,
				    "{\"ok\":true}", 5000 };
	uint64_t		purged;

	seed_tenant(f, "t-a", "acme");
	OK(f, ops->put_idempotent(f->s, "t-a", &rec, &f->err));
	OK(f, ops->get_idempotent(f->s, f->a, "t-a", "key-1", 4999, &k,
	    &f->err));
	assert_string_equal(k.key, "key-1");
	assert_string_equal(k.route, "POST /v1/x");
	assert_int_equal(k.status, 201);
	assert_string_equal(k.body, "{\"ok\":true}");
	assert_int_equal(k.expires_at_ms, 5000);
	/* Expired rows are invisible even before the purge. */
	FAILS(f, PGL_ENOTFOUND, ops->get_idempotent(f->s, f->a, "t-a",
	    "key-1", 5000, &k, &f->err));

	/* A live key is not overwritten; an expired one is replaced. */
	rec.expires_at_ms = INT64_MAX;
	OK(f, ops->put_idempotent(f->s, "t-a", &rec, &f->err));
	rec.status = 500;
	FAILS(f, PGL_EEXISTS, ops->put_idempotent(f->s, "t-a", &rec, &f->err));
	OK(f, ops->get_idempotent(f->s, f->a, "t-a", "key-1", 0, &k, &f->err));
	assert_int_equal(k.status, 201);

	old = (struct pgl_idempotent){ "key-2", "r", 200, NULL, 10 };
	OK(f, ops->put_idempotent(f->s, "t-a", &old, &f->err));
	OK(f, ops->purge_idempotent(f->s, 11, &purged, &f->err));
	assert_int_equal(purged, 1);
	FAILS(f, PGL_ENOTFOUND, ops->get_idempotent(f->s, f->a, "t-a",
	    "key-2", 0, &k, &f->err));
	OK(f, ops->get_idempotent(f->s, f->a, "t-a", "key-1", 11, &k,
	    &f->err));
	assert_string_equal(k.key, "key-1");
}

static const struct CMUnitTest	tests[] = {
	T(test_idempotency_keys),
};

STORE_FAMILY(idempotency, tests);
