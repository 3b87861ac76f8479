/*
 * Users and session tokens, service users: names unique store-wide (and
 * names that read alike are one name), a tenant's users with their total,
 * revocation and every credential read seen by another handle at once,
 * the cleanup of expired tokens, and what a user's deletion takes.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "harness.h"

static struct pgl_token
token(const char *jti, const char *tenant, const char *user_id,
    int64_t expires)
{
	struct pgl_token	t = { jti, tenant, user_id, expires, "{}" };

	return (t);
}

static void
test_user_crud_and_usernames_unique_store_wide(void **state)
{
	struct fx		*f = *state;
	struct pgl_user		 u = user("u1", "t-a", "alice"), got;
	struct pgl_user		 root = user("r1", NULL, "admin");

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	OK(f, ops->create_user(f->s, &u, &f->err));
	OK(f, ops->create_user(f->s, &root, &f->err));
	OK(f, ops->get_user(f->s, f->a, "u1", &got, &f->err));
	assert_string_equal(got.username, "alice");
	assert_string_equal(got.tenant_id, "t-a");
	assert_string_equal(got.role, "tenant-user");
	assert_string_equal(got.password_hash, "$argon2id$x");
	assert_int_equal(got.active, 1);
	OK(f, ops->get_user_by_username(f->s, f->a, "admin", &got, &f->err));
	assert_string_equal(got.id, "r1");
	assert_null(got.tenant_id);
	/* One name is one account, whatever the tenant. */
	u = user("u2", "t-b", "alice");
	FAILS(f, PGL_EEXISTS, ops->create_user(f->s, &u, &f->err));
	u = user("u1", "t-b", "bob");
	FAILS(f, PGL_EEXISTS, ops->create_user(f->s, &u, &f->err));
	u = user("u3", "t-none", "carol");
	FAILS(f, PGL_ENOTFOUND, ops->create_user(f->s, &u, &f->err));

	u = user("u1", "t-a", "alice2");
	u.active = 0;
	u.password_hash = NULL;
	OK(f, ops->update_user(f->s, &u, &f->err));
	OK(f, ops->get_user(f->s, f->a, "u1", &got, &f->err));
	assert_string_equal(got.username, "alice2");
	assert_int_equal(got.active, 0);
	assert_null(got.password_hash);
	u.username = "admin";
	FAILS(f, PGL_EEXISTS, ops->update_user(f->s, &u, &f->err));
	u = user("nope", "t-a", "x");
	FAILS(f, PGL_ENOTFOUND, ops->update_user(f->s, &u, &f->err));

	OK(f, ops->delete_user(f->s, "u1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_user(f->s, f->a, "u1", &got, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_user(f->s, "u1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_user_by_username(f->s, f->a,
	    "alice2", &got, &f->err));
}

static void
test_users_are_listed_per_tenant_with_total(void **state)
{
	struct fx		*f = *state;
	struct pgl_user		*items, u;
	struct pgl_page		 pg = { 2, 1, NULL };
	uint64_t		 total;
	size_t			 n;
	char			 id[16], name[16];
	int			 i;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	for (i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "a%d", i);
		snprintf(name, sizeof(name), "user%d", 4 - i);
		u = user(id, "t-a", name);
		OK(f, ops->create_user(f->s, &u, &f->err));
	}
	u = user("b0", "t-b", "other");
	OK(f, ops->create_user(f->s, &u, &f->err));
	OK(f, ops->list_users(f->s, f->a, "t-a", &pg, &items, &n, &total,
	    &f->err));
	assert_int_equal(total, 5);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].username, "user1");
	assert_string_equal(items[1].username, "user2");
	pg = (struct pgl_page){ 0, 0, NULL };
	OK(f, ops->list_users(f->s, f->a, "t-b", &pg, &items, &n, &total,
	    &f->err));
	assert_int_equal(total, 1);
	assert_string_equal(items[0].id, "b0");
}

static void
test_revocation_is_seen_by_another_handle_at_once(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	int			 revoked = -1;

	if (!needs_file())
		return;
	OK(f, open_store(&other, &f->err));
	OK(f, ops->is_token_revoked(other, "jti-1", &revoked, &f->err));
	assert_int_equal(revoked, 0);
	OK(f, ops->revoke_token(f->s, "jti-1", 2000, "logout", &f->err));
	OK(f, ops->is_token_revoked(other, "jti-1", &revoked, &f->err));
	assert_int_equal(revoked, 1);
	/* Revoking again keeps it revoked (and is no error). */
	OK(f, ops->revoke_token(f->s, "jti-1", 1000, NULL, &f->err));
	OK(f, ops->is_token_revoked(other, "jti-1", &revoked, &f->err));
	assert_int_equal(revoked, 1);
	ops->close(other);
}

static void
test_active_tokens_exclude_revoked_expired_and_other_users(void **state)
{
	struct fx		*f = *state;
	struct pgl_token	*items, t;
	struct pgl_user		 u = user("u1", "t-a", "alice");
	struct pgl_page		 pg = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n;

	seed_tenant(f, "t-a", "acme");
	OK(f, ops->create_user(f->s, &u, &f->err));
	t = token("j1", "t-a", "u1", 5000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	FAILS(f, PGL_EEXISTS, ops->store_token(f->s, &t, &f->err));
	t = token("j2", "t-a", "u1", 6000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	t = token("j3", "t-a", "u1", 900);		/* expired at 1000 */
	OK(f, ops->store_token(f->s, &t, &f->err));
	t = token("j4", "t-a", "u2", 6000);		/* someone else's */
	OK(f, ops->store_token(f->s, &t, &f->err));
	OK(f, ops->get_token(f->s, f->a, "j4", &t, &f->err));
	assert_string_equal(t.user_id, "u2");
	assert_string_equal(t.tenant_id, "t-a");
	assert_int_equal(t.expires_at_ms, 6000);
	FAILS(f, PGL_ENOTFOUND, ops->get_token(f->s, f->a, "nope", &t,
	    &f->err));
	OK(f, ops->revoke_token(f->s, "j2", 6000, "rotated", &f->err));
	OK(f, ops->list_active_tokens(f->s, f->a, "t-a", "u1", 1000, &pg,
	    &items, &n, &total, &f->err));
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	assert_string_equal(items[0].id, "j1");
	assert_string_equal(items[0].user_id, "u1");
	assert_int_equal(items[0].expires_at_ms, 5000);
	/* Another tenant sees none of them. */
	OK(f, ops->list_active_tokens(f->s, f->a, "t-b", "u1", 1000, &pg,
	    &items, &n, &total, &f->err));
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
}

static void
test_cleanup_removes_only_expired_tokens_and_revocations(void **state)
{
	struct fx		*f = *state;
	struct pgl_token	 t;
	uint64_t		 removed = 0;
	int			 revoked;

	t = token("j1", NULL, "root", 1000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	t = token("j2", NULL, "root", 3000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	OK(f, ops->revoke_token(f->s, "r-old", 1000, NULL, &f->err));
	OK(f, ops->revoke_token(f->s, "r-new", 3000, NULL, &f->err));
	OK(f, ops->cleanup_expired_tokens(f->s, 2000, &removed, &f->err));
	assert_int_equal(removed, 2);
	OK(f, ops->is_token_revoked(f->s, "r-old", &revoked, &f->err));
	assert_int_equal(revoked, 0);
	OK(f, ops->is_token_revoked(f->s, "r-new", &revoked, &f->err));
	assert_int_equal(revoked, 1);
	/* j2 is still there: storing it again is a duplicate. */
	FAILS(f, PGL_EEXISTS, ops->store_token(f->s, &t, &f->err));
}

static void
test_deleting_a_user_or_tenant_takes_its_tokens(void **state)
{
	struct fx		*f = *state;
	struct pgl_user		 u = user("u1", "t-a", "alice"), got;
	struct pgl_token	*items, t;
	struct pgl_page		 pg = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n;

	seed_tenant(f, "t-a", "acme");
	OK(f, ops->create_user(f->s, &u, &f->err));
	t = token("j1", "t-a", "u1", 5000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	OK(f, ops->delete_user(f->s, "u1", &f->err));
	/* Re-created under the same id, the user has no old sessions. */
	OK(f, ops->create_user(f->s, &u, &f->err));
	OK(f, ops->list_active_tokens(f->s, f->a, "t-a", "u1", 0, &pg, &items,
	    &n, &total, &f->err));
	assert_int_equal(n, 0);
	t = token("j2", "t-a", "u1", 5000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_user(f->s, f->a, "u1", &got, &f->err));
	seed_tenant(f, "t-a", "acme");
	OK(f, ops->create_user(f->s, &u, &f->err));
	OK(f, ops->list_active_tokens(f->s, f->a, "t-a", "u1", 0, &pg, &items,
	    &n, &total, &f->err));
	assert_int_equal(n, 0);
}

/* Deactivation, key rotation, deletion: every live token of the owner is
 * refused from then on, and still found by id (a revoke by id). */
static void
test_revoke_user_tokens_revokes_theirs_and_keeps_rows(void **state)
{
	struct fx		*f = *state;
	struct pgl_user		 u = user("u1", "t-a", "alice");
	struct pgl_token	*items, t;
	struct pgl_page		 pg = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n;
	int			 revoked;

	seed_tenant(f, "t-a", "acme");
	OK(f, ops->create_user(f->s, &u, &f->err));
	t = token("j1", "t-a", "u1", 5000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	t = token("j2", "t-a", "u1", 6000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	t = token("j3", "t-a", "u2", 6000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	OK(f, ops->revoke_user_tokens(f->s, "u1", 1000, "deactivated",
	    &f->err));
	OK(f, ops->is_token_revoked(f->s, "j1", &revoked, &f->err));
	assert_true(revoked);
	OK(f, ops->is_token_revoked(f->s, "j2", &revoked, &f->err));
	assert_true(revoked);
	OK(f, ops->is_token_revoked(f->s, "j3", &revoked, &f->err));
	assert_false(revoked);
	OK(f, ops->list_active_tokens(f->s, f->a, "t-a", "u1", 1000, &pg,
	    &items, &n, &total, &f->err));
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
	OK(f, ops->get_token(f->s, f->a, "j1", &t, &f->err));
	assert_string_equal(t.tenant_id, "t-a");
	/* Twice is harmless; a token stored later is live. */
	OK(f, ops->revoke_user_tokens(f->s, "u1", 1000, NULL, &f->err));
	t = token("j4", "t-a", "u1", 6000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	OK(f, ops->is_token_revoked(f->s, "j4", &revoked, &f->err));
	assert_false(revoked);
	/* Deleting the user revokes it, and its row is still found. */
	OK(f, ops->delete_user(f->s, "u1", &f->err));
	OK(f, ops->is_token_revoked(f->s, "j4", &revoked, &f->err));
	assert_true(revoked);
	OK(f, ops->get_token(f->s, f->a, "j4", &t, &f->err));
	/* Deleting a tenant revokes every token of it. */
	seed_tenant(f, "t-b", "beta");
	t = token("j5", "t-b", "u9", 6000);
	OK(f, ops->store_token(f->s, &t, &f->err));
	OK(f, ops->delete_tenant(f->s, "t-b", &f->err));
	OK(f, ops->is_token_revoked(f->s, "j5", &revoked, &f->err));
	assert_true(revoked);
	OK(f, ops->is_token_revoked(f->s, "j3", &revoked, &f->err));
	assert_false(revoked);
}

/*
 * The reads every authenticated request makes (a session's revocation, an
 * API key's service user, a provider token's user) see another handle's
 * commit on the very next call: a store may keep what it read (store-sqlite
 * does), but never past a commit, or a revocation would not reach every
 * worker and every server at once.  Inside a transaction a handle reads
 * its own writes.
 */
static void
test_credential_reads_see_other_handles_commits_at_once(void **state)
{
	struct fx		*f = *state;
	struct pgl_store	*other;
	struct pgl_user		 u = user("u1", "t-a", "alice"), got;
	struct pgl_service_user	 su = service_user("s1", "t-a", "etl", "k1");
	struct pgl_service_user	 sgot;
	int			 revoked = -1, i;

	if (!needs_file())
		return;
	seed_tenant(f, "t-a", "acme");
	OK(f, ops->create_user(f->s, &u, &f->err));
	OK(f, ops->create_service_user(f->s, &su, &f->err));
	OK(f, open_store(&other, &f->err));
	/* Twice: the second read may be answered from memory. */
	for (i = 0; i < 2; i++) {
		OK(f, ops->get_user(other, f->a, "u1", &got, &f->err));
		assert_int_equal(got.active, 1);
		OK(f, ops->get_service_user_by_key_id(other, f->a, "k1", &sgot,
		    &f->err));
		assert_string_equal(sgot.api_key_hash, "sha256:abc");
		OK(f, ops->is_token_revoked(other, "j1", &revoked, &f->err));
		assert_int_equal(revoked, 0);
	}
	u.active = 0;
	OK(f, ops->update_user(f->s, &u, &f->err));
	OK(f, ops->get_user(other, f->a, "u1", &got, &f->err));
	assert_int_equal(got.active, 0);
	su.api_key_hash = "sha256:rotated";
	OK(f, ops->update_service_user(f->s, &su, &f->err));
	OK(f, ops->get_service_user_by_key_id(other, f->a, "k1", &sgot,
	    &f->err));
	assert_string_equal(sgot.api_key_hash, "sha256:rotated");
	OK(f, ops->revoke_token(f->s, "j1", 2000, "logout", &f->err));
	OK(f, ops->is_token_revoked(other, "j1", &revoked, &f->err));
	assert_int_equal(revoked, 1);
	/* Its own writes, inside its transaction; the store's after. */
	OK(f, ops->begin(other, &f->err));
	u.active = 1;
	OK(f, ops->update_user(other, &u, &f->err));
	OK(f, ops->get_user(other, f->a, "u1", &got, &f->err));
	assert_int_equal(got.active, 1);
	OK(f, ops->rollback(other, &f->err));
	OK(f, ops->get_user(other, f->a, "u1", &got, &f->err));
	/* Named exception: CongoDB does not undo a rolled-back write (no
	 * atomic transactions; see test_rolled_back_transaction_leaves_
	 * nothing); what it answers must still be what it holds. */
	if (congodb())
		assert_int_equal(got.active, 1);
	else
		assert_int_equal(got.active, 0);
	OK(f, ops->delete_user(f->s, "u1", &f->err));
	OK(f, ops->delete_service_user(f->s, "t-a", "s1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_user(other, f->a, "u1", &got,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_service_user_by_key_id(other, f->a,
	    "k1", &sgot, &f->err));
	ops->close(other);
}

static void
test_service_user_crud_found_by_key_id_and_tenant_scoped(void **state)
{
	struct fx		*f = *state;
	struct pgl_service_user	 u = service_user("s1", "t-a", "etl", "k1");
	struct pgl_service_user	 got, *items;
	struct pgl_page		 pg = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	OK(f, ops->create_service_user(f->s, &u, &f->err));
	OK(f, ops->get_service_user(f->s, f->a, "t-a", "s1", &got, &f->err));
	assert_string_equal(got.name, "etl");
	assert_string_equal(got.api_key_hash, "sha256:abc");
	assert_int_equal(got.active, 1);
	OK(f, ops->get_service_user_by_key_id(f->s, f->a, "k1", &got,
	    &f->err));
	assert_string_equal(got.id, "s1");
	assert_string_equal(got.tenant_id, "t-a");
	/* Another tenant's id is not found. */
	FAILS(f, PGL_ENOTFOUND, ops->get_service_user(f->s, f->a, "t-b", "s1",
	    &got, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_service_user(f->s, "t-b", "s1",
	    &f->err));
	/* Names are unique per tenant, key ids everywhere. */
	u = service_user("s2", "t-a", "etl", "k2");
	FAILS(f, PGL_EEXISTS, ops->create_service_user(f->s, &u, &f->err));
	u = service_user("s2", "t-b", "other", "k1");
	FAILS(f, PGL_EEXISTS, ops->create_service_user(f->s, &u, &f->err));
	u = service_user("s2", "t-b", "etl", "k2");
	OK(f, ops->create_service_user(f->s, &u, &f->err));
	OK(f, ops->list_service_users(f->s, f->a, "t-a", &pg, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	/* Rotate: a new key id and hash; the old key id finds nothing. */
	u = service_user("s1", "t-a", "etl", "k9");
	u.api_key_hash = "sha256:new";
	u.active = 0;
	u.expires_at_ms = 12345;
	OK(f, ops->update_service_user(f->s, &u, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_service_user_by_key_id(f->s, f->a,
	    "k1", &got, &f->err));
	OK(f, ops->get_service_user_by_key_id(f->s, f->a, "k9", &got,
	    &f->err));
	assert_int_equal(got.active, 0);
	assert_int_equal(got.expires_at_ms, 12345);
	u.tenant_id = "t-b";
	FAILS(f, PGL_ENOTFOUND, ops->update_service_user(f->s, &u, &f->err));
	OK(f, ops->delete_service_user(f->s, "t-a", "s1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_service_user(f->s, f->a, "t-a", "s1",
	    &got, &f->err));
	OK(f, ops->delete_tenant(f->s, "t-b", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_service_user_by_key_id(f->s, f->a,
	    "k2", &got, &f->err));
}

/*
 * Names that read alike are one name (store.h, ABI 1.14): the store keeps
 * each username's key (host->name_key) unique store-wide, as the name is,
 * and a service user's per tenant.
 */
static void
test_usernames_that_read_alike_are_one_name_store_wide(void **state)
{
	struct fx		*f = *state;
	struct pgl_user		 u = user("u1", "t-a", "adminA"), got;
	const char		*alike[] = {
		"ADMINA",			/* case */
		"admina",
		"adminA ",			/* spacing */
		" adminA",
		"admin\xe2\x80\x8b" "A",	/* U+200B ZERO WIDTH SPACE */
		"\xef\xbd\x81" "dminA",	/* U+FF41 FULLWIDTH a */
	};
	size_t			 i;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	OK(f, ops->create_user(f->s, &u, &f->err));
	for (i = 0; i < sizeof(alike) / sizeof(alike[0]); i++) {
		u = user("u2", i % 2 ? "t-b" : "t-a", alike[i]);
		if (ops->create_user(f->s, &u, &f->err) != PGL_EEXISTS)
			fail_msg("'%s' was taken beside 'adminA' (%s)",
			    alike[i], f->err.msg);
	}
	/* Full case folding: one reading of "Straße" is "STRASSE". */
	u = user("u3", "t-a", "Stra\xc3\x9f" "e");
	OK(f, ops->create_user(f->s, &u, &f->err));
	u = user("u4", "t-b", "STRASSE");
	FAILS(f, PGL_EEXISTS, ops->create_user(f->s, &u, &f->err));
	/* Names that differ to a reader are two. */
	u = user("u5", "t-a", "admin-a");
	OK(f, ops->create_user(f->s, &u, &f->err));
	/* No rename onto a name that reads as another's; a user keeps its
	 * own key when its name changes only in case. */
	u = user("u5", "t-a", "AdminA");
	FAILS(f, PGL_EEXISTS, ops->update_user(f->s, &u, &f->err));
	u = user("u1", "t-a", "AdminA");
	OK(f, ops->update_user(f->s, &u, &f->err));
	OK(f, ops->get_user_by_username(f->s, f->a, "AdminA", &got, &f->err));
	assert_string_equal(got.id, "u1");
	/* The exact name is what signs in; the look-alike finds nobody. */
	FAILS(f, PGL_ENOTFOUND, ops->get_user_by_username(f->s, f->a,
	    "adminA", &got, &f->err));
	/* Once the user is gone, the name is free again. */
	OK(f, ops->delete_user(f->s, "u1", &f->err));
	u = user("u2", "t-b", "ADMINA");
	OK(f, ops->create_user(f->s, &u, &f->err));
}

static void
test_service_user_names_that_read_alike_are_one_name_in_a_tenant(void **state)
{
	struct fx		*f = *state;
	struct pgl_service_user	 u = service_user("s1", "t-a", "ETL", "k1");

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	OK(f, ops->create_service_user(f->s, &u, &f->err));
	u = service_user("s2", "t-a", "etl", "k2");
	FAILS(f, PGL_EEXISTS, ops->create_service_user(f->s, &u, &f->err));
	u = service_user("s2", "t-a", "e\xe2\x80\x8dtl", "k2");	/* ZWJ */
	FAILS(f, PGL_EEXISTS, ops->create_service_user(f->s, &u, &f->err));
	/* Another tenant's names are its own. */
	u = service_user("s2", "t-b", "etl", "k2");
	OK(f, ops->create_service_user(f->s, &u, &f->err));
	u = service_user("s3", "t-a", "loader", "k3");
	OK(f, ops->create_service_user(f->s, &u, &f->err));
	u = service_user("s3", "t-a", "Etl", "k3");
	FAILS(f, PGL_EEXISTS, ops->update_service_user(f->s, &u, &f->err));
	/* Its own name in another case is its own. */
	u = service_user("s1", "t-a", "Etl", "k1");
	OK(f, ops->update_service_user(f->s, &u, &f->err));
}

static const struct CMUnitTest	tests[] = {
	T(test_user_crud_and_usernames_unique_store_wide),
	T(test_users_are_listed_per_tenant_with_total),
	T(test_revocation_is_seen_by_another_handle_at_once),
	T(test_credential_reads_see_other_handles_commits_at_once),
	T(test_active_tokens_exclude_revoked_expired_and_other_users),
	T(test_cleanup_removes_only_expired_tokens_and_revocations),
	T(test_deleting_a_user_or_tenant_takes_its_tokens),
	T(test_revoke_user_tokens_revokes_theirs_and_keeps_rows),
	T(test_service_user_crud_found_by_key_id_and_tenant_scoped),
	T(test_usernames_that_read_alike_are_one_name_store_wide),
	T(test_service_user_names_that_read_alike_are_one_name_in_a_tenant),
};

STORE_FAMILY(users, tests);
