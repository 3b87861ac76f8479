/*
 * Roles, assignments and direct grants (sql_roles.c, mongo_roles.c): names
 * unique per tenant, documents kept byte for byte, pages with the
 * tenant's total, assignments idempotent (and raced by processes), and
 * what deleting a role, a principal or a tenant takes.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "harness.h"

static struct pgl_role
role(const char *id, const char *tenant, const char *name, const char *doc)
{
	struct pgl_role	r = { id, tenant, name, doc };

	return (r);
}

static struct pgl_permission
perm(const char *id, const char *tenant, const char *user_id,
    const char *doc)
{
	struct pgl_permission	p = { id, tenant, user_id, doc, 0 };

	return (p);
}

static void
seed_role(struct fx *f, const char *id, const char *tenant, const char *name)
{
	char		doc[256];
	struct pgl_role	r = role(id, tenant, name, doc);

	(void)snprintf(doc, sizeof(doc), "{\"id\":\"%s\",\"name\":\"%s\"}",
	    id, name);
	OK(f, ops->create_role(f->s, &r, &f->err));
}

static void
seed_grant(struct fx *f, const char *id, const char *tenant,
    const char *user_id)
{
	struct pgl_permission	p = perm(id, tenant, user_id,
				    "{\"actions\":[\"read\"]}");

	OK(f, ops->create_permission(f->s, &p, &f->err));
}

/* A principal's roles' ids, comma-separated, in the order listed. */
static const char *
roles_of(struct fx *f, const char *tenant, const char *principal)
{
	static char	 buf[512];
	struct pgl_role	*items;
	size_t		 n, i, len;

	OK(f, ops->list_user_roles(f->s, f->a, tenant, principal, &items, &n,
	    &f->err));
	buf[0] = '\0';
	for (i = 0, len = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i > 0 ? "," : "", items[i].id);
	return (buf);
}

/* Grant ids of the tenant (principal NULL: all of them), in order. */
static const char *
grants_of(struct fx *f, const char *tenant, const char *principal)
{
	static char		 buf[512];
	struct pgl_permission	*items;
	struct pgl_page		 all = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n, i, len;

	OK(f, ops->list_permissions(f->s, f->a, tenant, principal, &all,
	    &items, &n, &total, &f->err));
	assert_int_equal(total, n);
	buf[0] = '\0';
	for (i = 0, len = 0; i < n && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i > 0 ? "," : "", items[i].id);
	return (buf);
}

static void
test_role_crud_names_unique_and_tenant_scoped(void **state)
{
	struct fx	*f = *state;
	const char	*doc = "{\"permissions\":[{\"scope\":{\"type\":"
			    "\"tenant\"},\"actions\":[\"read\"]}]}";
	struct pgl_role	 r = role("r1", "t-a", "readers", doc), got;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	OK(f, ops->create_role(f->s, &r, &f->err));
	OK(f, ops->get_role(f->s, f->a, "t-a", "r1", &got, &f->err));
	assert_string_equal(got.id, "r1");
	assert_string_equal(got.tenant_id, "t-a");
	assert_string_equal(got.name, "readers");
	assert_string_equal(got.doc, doc);
	/* Another tenant sees nothing and changes nothing. */
	FAILS(f, PGL_ENOTFOUND, ops->get_role(f->s, f->a, "t-b", "r1", &got,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_role(f->s, "t-b", "r1", &f->err));
	r = role("r1", "t-b", "hijack", "{}");
	FAILS(f, PGL_ENOTFOUND, ops->update_role(f->s, &r, &f->err));
	OK(f, ops->get_role(f->s, f->a, "t-a", "r1", &got, &f->err));
	assert_string_equal(got.name, "readers");
	assert_string_equal(got.doc, doc);
	/* Names are unique per tenant, ids everywhere; a missing tenant is
	 * not found. */
	r = role("r2", "t-a", "readers", "{}");
	FAILS(f, PGL_EEXISTS, ops->create_role(f->s, &r, &f->err));
	r = role("r1", "t-b", "other", "{}");
	FAILS(f, PGL_EEXISTS, ops->create_role(f->s, &r, &f->err));
	r = role("r2", "t-zz", "readers", "{}");
	FAILS(f, PGL_ENOTFOUND, ops->create_role(f->s, &r, &f->err));
	r = role("r2", "t-b", "readers", "{}");
	OK(f, ops->create_role(f->s, &r, &f->err));
	/* Update replaces name and doc; a NULL doc is stored as {}. */
	r = role("r3", "t-a", "admins", NULL);
	OK(f, ops->create_role(f->s, &r, &f->err));
	OK(f, ops->get_role(f->s, f->a, "t-a", "r3", &got, &f->err));
	assert_string_equal(got.doc, "{}");
	r = role("r3", "t-a", "readers", "{}");
	FAILS(f, PGL_EEXISTS, ops->update_role(f->s, &r, &f->err));
	r = role("r3", "t-a", "admins", "{\"permissions\":[]}");
	OK(f, ops->update_role(f->s, &r, &f->err));	/* its own name */
	r = role("r3", "t-a", "writers", "{\"permissions\":[1]}");
	OK(f, ops->update_role(f->s, &r, &f->err));
	OK(f, ops->get_role(f->s, f->a, "t-a", "r3", &got, &f->err));
	assert_string_equal(got.name, "writers");
	assert_string_equal(got.doc, "{\"permissions\":[1]}");
	/* The old name is free again. */
	r = role("r4", "t-a", "admins", "{}");
	OK(f, ops->create_role(f->s, &r, &f->err));
	r = role("r-none", "t-a", "ghost", "{}");
	FAILS(f, PGL_ENOTFOUND, ops->update_role(f->s, &r, &f->err));
	OK(f, ops->delete_role(f->s, "t-a", "r3", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_role(f->s, f->a, "t-a", "r3", &got,
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_role(f->s, "t-a", "r3", &f->err));
	OK(f, ops->get_role(f->s, f->a, "t-b", "r2", &got, &f->err));
}

/* The Role the HTTP layer hands over comes back as it went in, whatever
 * it holds, through every read. */
static void
test_role_and_grant_docs_come_back_byte_for_byte(void **state)
{
	struct fx		*f = *state;
	static char		 big[64 * 1024];
	/* Escapes, raw UTF-8, odd spacing, a number as written. */
	const char		*odd = "{ \"name\" : \"r\\u00e9les "
				    "\xc3\xa9\\\"x\",\n\t\"permissions\":[{"
				    "\"scope\":{\"type\":\"catalog\","
				    "\"catalog\":\"c\\\\d\"}}],\"n\":1.50e+01, "
				    "\"emoji\":\"\xf0\x9f\x90\xbc\"}";
	struct pgl_role		 r, got, *items;
	struct pgl_permission	 p, *grants;
	struct pgl_page		 all = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n, i, len;

	/* A 64 KiB doc: a role with many grants. */
	len = (size_t)snprintf(big, sizeof(big), "{\"permissions\":[");
	for (i = 0; len + 64 < sizeof(big); i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len,
		    "%s{\"actions\":[\"read\"],\"n\":%zu}", i > 0 ? "," : "",
		    i);
	(void)snprintf(big + len, sizeof(big) - len, "]}");

	seed_tenant(f, "t-a", "acme");
	r = role("r1", "t-a", "odd", odd);
	OK(f, ops->create_role(f->s, &r, &f->err));
	r = role("r2", "t-a", "big", big);
	OK(f, ops->create_role(f->s, &r, &f->err));
	OK(f, ops->get_role(f->s, f->a, "t-a", "r1", &got, &f->err));
	assert_string_equal(got.doc, odd);
	OK(f, ops->list_roles(f->s, f->a, "t-a", &all, &items, &n, &total,
	    &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].doc, big);	/* "big" < "odd" */
	assert_string_equal(items[1].doc, odd);
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r1", "{}", &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r2", "{}", &f->err));
	OK(f, ops->list_user_roles(f->s, f->a, "t-a", "u1", &items, &n,
	    &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].doc, big);
	assert_string_equal(items[1].doc, odd);
	r = role("r1", "t-a", "odd", big);
	OK(f, ops->update_role(f->s, &r, &f->err));
	OK(f, ops->get_role(f->s, f->a, "t-a", "r1", &got, &f->err));
	assert_string_equal(got.doc, big);

	p = perm("p1", "t-a", "u1", odd);
	OK(f, ops->create_permission(f->s, &p, &f->err));
	p = perm("p2", "t-a", "u1", NULL);
	OK(f, ops->create_permission(f->s, &p, &f->err));
	OK(f, ops->list_permissions(f->s, f->a, "t-a", "u1", &all, &grants,
	    &n, &total, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(grants[0].doc, odd);
	assert_string_equal(grants[0].tenant_id, "t-a");
	assert_string_equal(grants[0].user_id, "u1");
	assert_string_equal(grants[1].doc, "{}");
}

static void
test_roles_list_by_name_paged_with_the_tenants_total(void **state)
{
	struct fx	*f = *state;
	struct pgl_role	*items;
	struct pgl_page	 all = { 0, 0, NULL }, pg = { 2, 1, NULL };
	struct pgl_page	 past = { 5, 9, NULL };
	uint64_t	 total;
	size_t		 n;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	/* Names in byte order: upper case before lower case. */
	seed_role(f, "r1", "t-a", "writers");
	seed_role(f, "r2", "t-a", "Zed");
	seed_role(f, "r3", "t-a", "admins");
	seed_role(f, "r4", "t-a", "readers");
	seed_role(f, "r5", "t-a", "auditors");
	seed_role(f, "rb1", "t-b", "admins");
	seed_role(f, "rb2", "t-b", "b-only");
	OK(f, ops->list_roles(f->s, f->a, "t-a", &all, &items, &n, &total,
	    &f->err));
	assert_int_equal(n, 5);
	assert_int_equal(total, 5);
	assert_string_equal(items[0].name, "Zed");
	assert_string_equal(items[1].name, "admins");
	assert_string_equal(items[2].name, "auditors");
	assert_string_equal(items[3].name, "readers");
	assert_string_equal(items[4].name, "writers");
	assert_string_equal(items[1].tenant_id, "t-a");
	assert_string_equal(items[1].id, "r3");
	assert_string_equal(items[1].doc,
	    "{\"id\":\"r3\",\"name\":\"admins\"}");
	OK(f, ops->list_roles(f->s, f->a, "t-a", &pg, &items, &n, &total,
	    &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 5);
	assert_string_equal(items[0].name, "admins");
	assert_string_equal(items[1].name, "auditors");
	OK(f, ops->list_roles(f->s, f->a, "t-a", &past, &items, &n, &total,
	    &f->err));
	assert_int_equal(n, 0);
	assert_int_equal(total, 5);
	/* Each tenant its own; no total asked for is fine too. */
	OK(f, ops->list_roles(f->s, f->a, "t-b", &all, &items, &n, NULL,
	    &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "rb1");
	assert_string_equal(items[1].id, "rb2");
	OK(f, ops->list_roles(f->s, f->a, "t-zz", &all, &items, &n, &total,
	    &f->err));
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
}

static void
test_role_assignment_is_idempotent_joined_and_tenant_scoped(void **state)
{
	struct fx		*f = *state;
	struct pgl_role		 r, *items;
	struct pgl_user		 u = user("u1", "t-a", "alice");
	struct pgl_service_user	 su = service_user("s1", "t-a", "etl", "k1");
	size_t			 n;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	OK(f, ops->create_user(f->s, &u, &f->err));
	OK(f, ops->create_service_user(f->s, &su, &f->err));
	seed_role(f, "r1", "t-a", "zeta");
	seed_role(f, "r2", "t-a", "alpha");
	seed_role(f, "r3", "t-a", "mid");
	seed_role(f, "rb", "t-b", "beta-role");
	/* Nothing assigned yet: an empty list, not an error. */
	assert_string_equal(roles_of(f, "t-a", "u1"), "");
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r1", "{\"by\":1}",
	    &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r1", "{\"by\":2}",
	    &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r2", NULL, &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r3", "{}", &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "s1", "r2", "{}", &f->err));
	/* The store does not check the principal (the HTTP layer does). */
	OK(f, ops->assign_role(f->s, "t-a", "nobody-yet", "r3", "{}",
	    &f->err));
	/* A role of another tenant, or none, cannot be assigned here. */
	FAILS(f, PGL_ENOTFOUND, ops->assign_role(f->s, "t-a", "u1", "rb",
	    "{}", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->assign_role(f->s, "t-b", "u1", "r1",
	    "{}", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->assign_role(f->s, "t-a", "u1", "nope",
	    "{}", &f->err));
	/* The roles themselves, by name, once each, docs included. */
	OK(f, ops->list_user_roles(f->s, f->a, "t-a", "u1", &items, &n,
	    &f->err));
	assert_int_equal(n, 3);
	assert_string_equal(items[0].id, "r2");
	assert_string_equal(items[0].name, "alpha");
	assert_string_equal(items[0].tenant_id, "t-a");
	assert_string_equal(items[0].doc,
	    "{\"id\":\"r2\",\"name\":\"alpha\"}");
	assert_string_equal(items[1].name, "mid");
	assert_string_equal(items[2].name, "zeta");
	assert_string_equal(roles_of(f, "t-a", "s1"), "r2");
	/* A renamed role moves in the order; another tenant sees none. */
	r = role("r1", "t-a", "aaa", "{}");
	OK(f, ops->update_role(f->s, &r, &f->err));
	assert_string_equal(roles_of(f, "t-a", "u1"), "r1,r2,r3");
	assert_string_equal(roles_of(f, "t-b", "u1"), "");
	/* Revoke: the one assignment goes (re-assigning made no second);
	 * what is not assigned, or is another tenant's, is not found. */
	OK(f, ops->revoke_role(f->s, "t-a", "u1", "r1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->revoke_role(f->s, "t-a", "u1", "r1",
	    &f->err));
	assert_string_equal(roles_of(f, "t-a", "u1"), "r2,r3");
	FAILS(f, PGL_ENOTFOUND, ops->revoke_role(f->s, "t-b", "u1", "r2",
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->revoke_role(f->s, "t-a", "u1", "nope",
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->revoke_role(f->s, "t-a", "s1", "r3",
	    &f->err));
	assert_string_equal(roles_of(f, "t-a", "u1"), "r2,r3");
	assert_string_equal(roles_of(f, "t-a", "s1"), "r2");
}

/* Children assign one role to one principal at once. */
static void
assign_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_err		err;
	char			doc[32], c;
	int			rc;

	if (open_store(&s, &err) != PGL_OK)
		_exit(100);
	if (read(gate, &c, 1) == -1)	/* EOF when the parent lets go */
		_exit(101);
	snprintf(doc, sizeof(doc), "{\"by\":\"child-%d\"}", i);
	rc = ops->assign_role(s, "t-a", "u1", "r1", doc, &err);
	if (rc != PGL_OK)
		fprintf(stderr, "child %d: %d %s\n", i, rc, err.msg);
	ops->close(s);
	_exit(rc);
}

static void
test_racing_assigns_leave_one_assignment(void **state)
{
	struct fx	*f = *state;
	pid_t		 pids[NCHILDREN];
	int		 codes[NCHILDREN], i;

	if (!needs_file())
		return;
	/* Named exception: on MongoDB the unique index on (tenant_id,
	 * principal_id, role_id) turns the loser's insert into E11000,
	 * which assign_role answers PGL_OK; CongoDB does not enforce
	 * unique indexes, so two racing inserts both land there. */
	if (congodb()) {
		print_message("  SKIPPED on CongoDB: no unique index "
		    "enforcement (no E11000)\n");
		skip();
		return;
	}
	seed_tenant(f, "t-a", "acme");
	seed_role(f, "r1", "t-a", "readers");
	ops->close(f->s);	/* a connection must not cross fork() */
	f->s = NULL;
	assert_int_equal(fork_children(assign_child, pids), 0);
	wait_children(pids, codes);
	for (i = 0; i < NCHILDREN; i++)
		assert_int_equal(codes[i], PGL_OK);
	OK(f, open_store(&f->s, &f->err));
	assert_string_equal(roles_of(f, "t-a", "u1"), "r1");
	/* One assignment: the first revoke takes it, the second finds
	 * none. */
	OK(f, ops->revoke_role(f->s, "t-a", "u1", "r1", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->revoke_role(f->s, "t-a", "u1", "r1",
	    &f->err));
}

static void
test_deleting_a_role_takes_only_its_assignments(void **state)
{
	struct fx	*f = *state;

	seed_tenant(f, "t-a", "acme");
	seed_role(f, "r1", "t-a", "one");
	seed_role(f, "r2", "t-a", "two");
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r1", "{}", &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r2", "{}", &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "u2", "r1", "{}", &f->err));
	OK(f, ops->delete_role(f->s, "t-a", "r1", &f->err));
	assert_string_equal(roles_of(f, "t-a", "u1"), "r2");
	assert_string_equal(roles_of(f, "t-a", "u2"), "");
	FAILS(f, PGL_ENOTFOUND, ops->revoke_role(f->s, "t-a", "u2", "r1",
	    &f->err));
	/* A role made again under the same id starts with no holders. */
	seed_role(f, "r1", "t-a", "one");
	assert_string_equal(roles_of(f, "t-a", "u1"), "r2");
	assert_string_equal(roles_of(f, "t-a", "u2"), "");
}

static void
test_deleting_a_principal_takes_its_assignments_and_grants(void **state)
{
	struct fx		*f = *state;
	struct pgl_user		 u = user("u1", "t-a", "alice");
	struct pgl_user		 keep = user("u2", "t-a", "bob");
	struct pgl_service_user	 su = service_user("s1", "t-a", "etl", "k1");

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	OK(f, ops->create_user(f->s, &u, &f->err));
	OK(f, ops->create_user(f->s, &keep, &f->err));
	OK(f, ops->create_service_user(f->s, &su, &f->err));
	seed_role(f, "r1", "t-a", "one");
	seed_role(f, "r2", "t-a", "two");
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r1", "{}", &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r2", "{}", &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "u2", "r1", "{}", &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "s1", "r2", "{}", &f->err));
	seed_grant(f, "p1", "t-a", "u1");
	seed_grant(f, "p2", "t-a", "u2");
	seed_grant(f, "p3", "t-a", "s1");
	seed_grant(f, "p4", "t-a", "u1");
	OK(f, ops->delete_user(f->s, "u1", &f->err));
	assert_string_equal(roles_of(f, "t-a", "u1"), "");
	assert_string_equal(grants_of(f, "t-a", "u1"), "");
	assert_string_equal(roles_of(f, "t-a", "u2"), "r1");
	assert_string_equal(roles_of(f, "t-a", "s1"), "r2");
	assert_string_equal(grants_of(f, "t-a", NULL), "p2,p3");
	/* The roles stay: they belong to the tenant, not to a holder. */
	assert_string_equal(roles_of(f, "t-a", "u2"), "r1");
	/* A service user deleted through another tenant keeps everything. */
	FAILS(f, PGL_ENOTFOUND, ops->delete_service_user(f->s, "t-b", "s1",
	    &f->err));
	assert_string_equal(roles_of(f, "t-a", "s1"), "r2");
	OK(f, ops->delete_service_user(f->s, "t-a", "s1", &f->err));
	assert_string_equal(roles_of(f, "t-a", "s1"), "");
	assert_string_equal(grants_of(f, "t-a", NULL), "p2");
	assert_string_equal(roles_of(f, "t-a", "u2"), "r1");
}

static void
test_deleting_a_tenant_takes_its_roles_assignments_and_grants(void **state)
{
	struct fx	*f = *state;
	struct pgl_role	*items, got;
	struct pgl_page	 all = { 0, 0, NULL };
	uint64_t	 total;
	size_t		 n;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	seed_role(f, "r1", "t-a", "one");
	seed_role(f, "rb", "t-b", "one");
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r1", "{}", &f->err));
	OK(f, ops->assign_role(f->s, "t-b", "u1", "rb", "{}", &f->err));
	seed_grant(f, "p1", "t-a", "u1");
	seed_grant(f, "pb", "t-b", "u1");
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_role(f->s, f->a, "t-a", "r1", &got,
	    &f->err));
	/* The other tenant keeps all of its own. */
	assert_string_equal(roles_of(f, "t-b", "u1"), "rb");
	assert_string_equal(grants_of(f, "t-b", NULL), "pb");
	/* A tenant made again under the id inherits nothing. */
	seed_tenant(f, "t-a", "acme");
	OK(f, ops->list_roles(f->s, f->a, "t-a", &all, &items, &n, &total,
	    &f->err));
	assert_int_equal(total, 0);
	assert_string_equal(roles_of(f, "t-a", "u1"), "");
	assert_string_equal(grants_of(f, "t-a", NULL), "");
	/* Its ids are free again. */
	seed_role(f, "r1", "t-a", "one");
	seed_grant(f, "p1", "t-a", "u1");
}

static void
test_permissions_keep_order_page_scope_and_cascade(void **state)
{
	struct fx		*f = *state;
	struct pgl_permission	 p, *items;
	struct pgl_page		 pg = { 2, 1, NULL };
	struct pgl_page		 past = { 2, 7, NULL };
	const char		*ids[] = { "p-c", "p-a", "p-e", "p-b",
				    "p-d" };
	uint64_t		 total;
	size_t			 n, i;

	seed_tenant(f, "t-a", "acme");
	seed_tenant(f, "t-b", "beta");
	/* Made back to back: the order of creation, not of ids, even
	 * within one clock tick. */
	for (i = 0; i < 5; i++)
		seed_grant(f, ids[i], "t-a", i != 2 ? "u1" : "u2");
	seed_grant(f, "p-0", "t-b", "u1");
	/* Ids are unique store-wide; a missing tenant is not found. */
	p = perm("p-a", "t-a", "u1", "{}");
	FAILS(f, PGL_EEXISTS, ops->create_permission(f->s, &p, &f->err));
	p = perm("p-a", "t-b", "u1", "{}");
	FAILS(f, PGL_EEXISTS, ops->create_permission(f->s, &p, &f->err));
	p = perm("p-x", "t-zz", "u1", "{}");
	FAILS(f, PGL_ENOTFOUND, ops->create_permission(f->s, &p, &f->err));
	assert_string_equal(grants_of(f, "t-a", "u1"), "p-c,p-a,p-b,p-d");
	assert_string_equal(grants_of(f, "t-a", "u2"), "p-e");
	assert_string_equal(grants_of(f, "t-a", NULL), "p-c,p-a,p-e,p-b,p-d");
	assert_string_equal(grants_of(f, "t-b", "u1"), "p-0");
	assert_string_equal(grants_of(f, "t-a", "nobody"), "");
	/* Pages count the filter's total. */
	OK(f, ops->list_permissions(f->s, f->a, "t-a", "u1", &pg, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 4);
	assert_string_equal(items[0].id, "p-a");
	assert_string_equal(items[1].id, "p-b");
	assert_string_equal(items[0].user_id, "u1");
	assert_string_equal(items[0].tenant_id, "t-a");
	OK(f, ops->list_permissions(f->s, f->a, "t-a", NULL, &pg, &items, &n,
	    &total, &f->err));
	assert_int_equal(n, 2);
	assert_int_equal(total, 5);
	assert_string_equal(items[0].id, "p-a");
	assert_string_equal(items[1].id, "p-e");
	OK(f, ops->list_permissions(f->s, f->a, "t-a", NULL, &past, &items,
	    &n, &total, &f->err));
	assert_int_equal(n, 0);
	assert_int_equal(total, 5);
	OK(f, ops->list_permissions(f->s, f->a, "t-a", "u1", &pg, &items, &n,
	    NULL, &f->err));
	assert_int_equal(n, 2);
	/* Another tenant's grant is not found; deleting keeps the order. */
	FAILS(f, PGL_ENOTFOUND, ops->delete_permission(f->s, "t-b", "p-a",
	    &f->err));
	OK(f, ops->delete_permission(f->s, "t-a", "p-a", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_permission(f->s, "t-a", "p-a",
	    &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->delete_permission(f->s, "t-a", "nope",
	    &f->err));
	assert_string_equal(grants_of(f, "t-a", NULL), "p-c,p-e,p-b,p-d");
	/* A later grant goes last. */
	seed_grant(f, "p-0a", "t-a", "u1");
	assert_string_equal(grants_of(f, "t-a", "u1"), "p-c,p-b,p-d,p-0a");
}

static const struct CMUnitTest	tests[] = {
	T(test_role_crud_names_unique_and_tenant_scoped),
	T(test_role_and_grant_docs_come_back_byte_for_byte),
	T(test_roles_list_by_name_paged_with_the_tenants_total),
	T(test_role_assignment_is_idempotent_joined_and_tenant_scoped),
	T(test_racing_assigns_leave_one_assignment),
	T(test_deleting_a_role_takes_only_its_assignments),
	T(test_deleting_a_principal_takes_its_assignments_and_grants),
	T(test_deleting_a_tenant_takes_its_roles_assignments_and_grants),
	T(test_permissions_keep_order_page_scope_and_cascade),
};

STORE_FAMILY(roles, tests);
