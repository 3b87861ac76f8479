/*
 * Keyset pages (store ABI 1.28, issue 69): a list's page after a key
 * holds the rows strictly after it in the list's order.  A walk that
 * follows the last row's key from page to page, while rows are created
 * and deleted before and after it between pages, gives every row there
 * throughout exactly once and in order, and those created after the
 * key, where an offset would give a row twice (one created before it)
 * or skip one (one deleted before it).  Checked against a model of the
 * list for the lists whose size grows with a catalog, and for every
 * other keyed list a walk by key gives what the whole list gives.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define LETTERS	26

/* A row as a walk sees it: the letter it was made from, and its key. */
struct seen {
	char			 letter;
	struct pgl_page_key	 key;
};

/*
 * One keyed list: page reads up to limit rows after pg->after into *rows
 * (f's arena); add and del make and take the row of a letter; rank is the
 * letter's place in the list's order (of the n-th row created, for a list
 * in creation order).
 */
struct keyed {
	const char	*what;
	void	(*page)(struct fx *, const struct pgl_page *, struct seen **,
		    size_t *);
	void	(*add)(struct fx *, char);
	void	(*del)(struct fx *, char);
	int64_t	(*rank)(char, int64_t created);
};

/* tmpl with its "%c" made c, in f's arena. */
static char *
str1(struct fx *f, const char *tmpl, char c)
{
	char	*s = pgl_arena_strdup(f->a, tmpl), *p;

	if ((p = strstr(s, "%c")) != NULL) {
		p[0] = c;
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
	}
	return (s);
}

/* The letter a row's name ends with (after a prefix of its own). */
static char
last_letter(const char *s)
{
	return (s[strlen(s) - 1]);
}

static struct seen *
seen_of(struct fx *f, size_t n)
{
	return (pgl_arena_alloc(f->a, (n + 1) * sizeof(struct seen)));
}

/* Namespaces of the top level of catalog kc, "ka" .. "kz", each with a
 * child (a level is read by its parent, never through the children). */
static void
top_page(struct fx *f, const struct pgl_page *pg, struct seen **out,
    size_t *n)
{
	struct pgl_namespace	*ns;
	size_t			 i;

	OK(f, ops->list_namespaces(f->s, f->a, "t-a", "kc", "", pg, &ns, n,
	    NULL, &f->err));
	*out = seen_of(f, *n);
	for (i = 0; i < *n; i++) {
		(*out)[i].letter = last_letter(ns[i].name);
		memset(&(*out)[i].key, 0, sizeof((*out)[i].key));
		(*out)[i].key.s = ns[i].name;
	}
}

static void
top_add(struct fx *f, char c)
{
	seed_ns(f, "t-a", "kc", str1(f, "k%c", c));
	seed_ns(f, "t-a", "kc", str1(f, "k%c" SEP "child", c));
}

static void
top_del(struct fx *f, char c)
{
	OK(f, ops->delete_namespace(f->s, "t-a", "kc", str1(f, "k%c", c),
	    &f->err));
	OK(f, ops->delete_namespace(f->s, "t-a", "kc",
	    str1(f, "k%c" SEP "child", c), &f->err));
}

/* Children of "p": "p.a" .. "p.z", each with a child of its own. */
static void
kid_page(struct fx *f, const struct pgl_page *pg, struct seen **out,
    size_t *n)
{
	struct pgl_namespace	*ns;
	size_t			 i;

	OK(f, ops->list_namespaces(f->s, f->a, "t-a", "cat", "p", pg, &ns, n,
	    NULL, &f->err));
	*out = seen_of(f, *n);
	for (i = 0; i < *n; i++) {
		(*out)[i].letter = last_letter(ns[i].name);
		memset(&(*out)[i].key, 0, sizeof((*out)[i].key));
		(*out)[i].key.s = ns[i].name;
	}
}

static void
kid_add(struct fx *f, char c)
{
	seed_ns(f, "t-a", "cat", str1(f, "p" SEP "%c", c));
	seed_ns(f, "t-a", "cat", str1(f, "p" SEP "%c" SEP "deep", c));
}

static void
kid_del(struct fx *f, char c)
{
	OK(f, ops->delete_namespace(f->s, "t-a", "cat", str1(f, "p" SEP "%c",
	    c), &f->err));
}

/* The tables of namespace "tb" (a view beside each: not of the kind). */
static void
table_page(struct fx *f, const struct pgl_page *pg, struct seen **out,
    size_t *n)
{
	struct pgl_asset	*as;
	size_t			 i;

	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "main", "tb",
	    "ICEBERG_TABLE", pg, &as, n, NULL, &f->err));
	*out = seen_of(f, *n);
	for (i = 0; i < *n; i++) {
		(*out)[i].letter = last_letter(as[i].name);
		memset(&(*out)[i].key, 0, sizeof((*out)[i].key));
		(*out)[i].key.s = as[i].ns;
		(*out)[i].key.s2 = as[i].name;
	}
}

static void
table_add(struct fx *f, char c)
{
	seed_asset(f, "t-a", "cat", "main", "tb", str1(f, "t%c", c),
	    "ICEBERG_TABLE");
	seed_asset(f, "t-a", "cat", "main", "tb", str1(f, "t%c_view", c),
	    "VIEW");
}

static void
table_del(struct fx *f, char c)
{
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "tb",
	    str1(f, "t%c", c), &f->err));
}

static void
user_page(struct fx *f, const struct pgl_page *pg, struct seen **out,
    size_t *n)
{
	struct pgl_user	*us;
	size_t		 i;

	OK(f, ops->list_users(f->s, f->a, "t-u", pg, &us, n, NULL, &f->err));
	*out = seen_of(f, *n);
	for (i = 0; i < *n; i++) {
		(*out)[i].letter = last_letter(us[i].username);
		memset(&(*out)[i].key, 0, sizeof((*out)[i].key));
		(*out)[i].key.s = us[i].username;
	}
}

static void
user_add(struct fx *f, char c)
{
	struct pgl_user	u = user(str1(f, "uid-%c", c), "t-u",
			    str1(f, "user-%c", c));

	OK(f, ops->create_user(f->s, &u, &f->err));
}

static void
user_del(struct fx *f, char c)
{
	OK(f, ops->delete_user(f->s, str1(f, "uid-%c", c), &f->err));
}

/* Audit events newest first, two letters a time: ties by id. */
static void
audit_page(struct fx *f, const struct pgl_page *pg, struct seen **out,
    size_t *n)
{
	struct pgl_audit_filter	 none;
	struct pgl_audit_event	*es;
	size_t			 i;

	memset(&none, 0, sizeof(none));
	OK(f, ops->list_audit_events(f->s, f->a, "t-a", &none, pg, &es, n,
	    NULL, &f->err));
	*out = seen_of(f, *n);
	for (i = 0; i < *n; i++) {
		(*out)[i].letter = last_letter(es[i].id);
		memset(&(*out)[i].key, 0, sizeof((*out)[i].key));
		(*out)[i].key.n = es[i].timestamp_ms;
		(*out)[i].key.s = es[i].id;
	}
}

static void
audit_add(struct fx *f, char c)
{
	seed_audit(f, str1(f, "ev-%c", c), "t-a", 1000 + (c - 'a') / 2, "u",
	    "create_table", "success");
}

static int64_t
audit_rank(char c, int64_t created)
{
	(void)created;
	return (-((1000 + (c - 'a') / 2) * 100 + c));
}

/* Tokens of one user, the latest expiry first (ties by id). */
static void
token_page(struct fx *f, const struct pgl_page *pg, struct seen **out,
    size_t *n)
{
	struct pgl_token	*ts;
	size_t			 i;

	OK(f, ops->list_active_tokens(f->s, f->a, "t-a", "u1", 10, pg, &ts, n,
	    NULL, &f->err));
	*out = seen_of(f, *n);
	for (i = 0; i < *n; i++) {
		(*out)[i].letter = last_letter(ts[i].id);
		memset(&(*out)[i].key, 0, sizeof((*out)[i].key));
		(*out)[i].key.n = ts[i].expires_at_ms;
		(*out)[i].key.s = ts[i].id;
	}
}

static void
token_add(struct fx *f, char c)
{
	struct pgl_token	t = { str1(f, "jti-%c", c), "t-a", "u1",
				    5000 + (c - 'a') / 2, "{}" };

	OK(f, ops->store_token(f->s, &t, &f->err));
}

static void
token_del(struct fx *f, char c)
{
	OK(f, ops->revoke_token(f->s, str1(f, "jti-%c", c), 9000, "gone",
	    &f->err));
}

static int64_t
token_rank(char c, int64_t created)
{
	(void)created;
	return (-((5000 + (c - 'a') / 2) * 100 + c));
}

/* Grants of the tenant, in creation order. */
static void
grant_page(struct fx *f, const struct pgl_page *pg, struct seen **out,
    size_t *n)
{
	struct pgl_permission	*ps;
	size_t			 i;

	OK(f, ops->list_permissions(f->s, f->a, "t-a", NULL, pg, &ps, n,
	    NULL, &f->err));
	*out = seen_of(f, *n);
	for (i = 0; i < *n; i++) {
		(*out)[i].letter = last_letter(ps[i].id);
		memset(&(*out)[i].key, 0, sizeof((*out)[i].key));
		(*out)[i].key.n = ps[i].seq;
		(*out)[i].key.s = ps[i].id;
	}
}

static void
grant_add(struct fx *f, char c)
{
	struct pgl_permission	p = { str1(f, "perm-%c", c), "t-a", "u1",
				    "{}", 0 };

	OK(f, ops->create_permission(f->s, &p, &f->err));
}

static void
grant_del(struct fx *f, char c)
{
	OK(f, ops->delete_permission(f->s, "t-a", str1(f, "perm-%c", c),
	    &f->err));
}

static int64_t
by_letter(char c, int64_t created)
{
	(void)created;
	return (c);
}

static int64_t
by_creation(char c, int64_t created)
{
	(void)c;
	return (created);
}

/* The model: which letters are there, each with its rank; a letter is
 * made once (its rows may outlive a delete: a revoked token's). */
struct model {
	int	there[LETTERS];
	int	used[LETTERS];
	int64_t	rank[LETTERS];
	int64_t	created;
};

static void
model_add(struct fx *f, const struct keyed *k, struct model *m, char c)
{
	k->add(f, c);
	m->there[c - 'a'] = m->used[c - 'a'] = 1;
	m->rank[c - 'a'] = k->rank(c, ++m->created);
}

static void
model_del(struct fx *f, const struct keyed *k, struct model *m, char c)
{
	k->del(f, c);
	m->there[c - 'a'] = 0;
}

/* The model's page: up to limit letters ranked after cursor, in order. */
static size_t
model_page(const struct model *m, int has_cursor, int64_t cursor,
    uint32_t limit, char *out)
{
	int64_t	floor = cursor;
	size_t	n = 0;
	int	i, best, first = !has_cursor;

	while (n < limit) {
		best = -1;
		for (i = 0; i < LETTERS; i++) {
			if (!m->there[i] || (!first && m->rank[i] <= floor))
				continue;
			if (best == -1 || m->rank[i] < m->rank[best])
				best = i;
		}
		if (best == -1)
			break;
		out[n++] = (char)('a' + best);
		floor = m->rank[best];
		first = 0;
	}
	return (n);
}

/* A letter not there ranked before (dir -1) or after (1) cursor. */
static int
pick(const struct keyed *k, const struct model *m, int64_t cursor, int dir,
    int there)
{
	int	i;

	for (i = 0; i < LETTERS; i++) {
		int64_t	r = m->there[i] ? m->rank[i] : k->rank((char)('a' + i),
			    m->created + 1);

		if (m->there[i] != there || (!there && m->used[i]) ||
		    (dir < 0 ? r >= cursor : r <= cursor))
			continue;
		return ('a' + i);
	}
	return (-1);
}

/*
 * Walks k three rows a page.  Between pages: a row made before the key
 * (where the list's order lets one be) and one deleted before it (an
 * offset would then give a row twice, or skip one), the second row after
 * the key deleted and one made after it (no delete where k->del is NULL:
 * the audit log).  Every page is the model's.
 */
static void
walk(struct fx *f, const struct keyed *k)
{
	struct pgl_page_key	 at;
	struct pgl_page		 pg = { 3, 0, NULL };
	struct model		 m;
	struct seen		*rows;
	char			 want[LETTERS];
	size_t			 n, w, i, pages = 0, seen = 0;
	int64_t			 cursor = 0;
	int			 c;

	memset(&m, 0, sizeof(m));
	for (i = 1; i < 20; i += 2)
		model_add(f, k, &m, (char)('a' + i));
	for (;;) {
		k->page(f, &pg, &rows, &n);
		w = model_page(&m, pg.after != NULL, cursor, 3, want);
		if (n != w)
			fail_msg("%s: page %zu has %zu rows, not %zu", k->what,
			    pages, n, w);
		for (i = 0; i < n; i++) {
			if (rows[i].letter != want[i])
				fail_msg("%s: page %zu row %zu is %c, not %c",
				    k->what, pages, i, rows[i].letter,
				    want[i]);
		}
		seen += n;
		pages++;
		if (n < 3)
			break;
		at = rows[n - 1].key;
		pg.after = &at;
		cursor = m.rank[rows[n - 1].letter - 'a'];
		if ((c = pick(k, &m, cursor, -1, 0)) != -1)
			model_add(f, k, &m, (char)c);
		if (k->del != NULL && (c = pick(k, &m, cursor, -1, 1)) != -1)
			model_del(f, k, &m, (char)c);
		w = model_page(&m, 1, cursor, 2, want);
		if (k->del != NULL && w == 2)
			model_del(f, k, &m, want[1]);
		if ((c = pick(k, &m, cursor, 1, 0)) != -1)
			model_add(f, k, &m, (char)c);
	}
	assert_true(pages >= 4);
	assert_true(seen >= 10);
}

static void
seed_world(struct fx *f)
{
	struct pgl_user	u = user("u1", "t-a", "owner");

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_tenant(f, "t-u", "users");
	seed_catalog(f, "t-a", "kc", "wh");
	seed_ns(f, "t-a", "cat", "p");
	seed_ns(f, "t-a", "cat", "tb");
	OK(f, ops->create_user(f->s, &u, &f->err));
	/* Another tenant's rows of every list, which no page may show. */
	seed_ns(f, "t-b", "cat", "kzz");
	seed_audit(f, "ev-other", "t-b", 1005, "u", "create_table", "success");
}

#define KEYED(name, page, add, del, rank) \
	static const struct keyed name = { #name, page, add, del, rank }

KEYED(top_namespaces, top_page, top_add, top_del, by_letter);
KEYED(child_namespaces, kid_page, kid_add, kid_del, by_letter);
KEYED(tables, table_page, table_add, table_del, by_letter);
KEYED(users, user_page, user_add, user_del, by_letter);
KEYED(audit, audit_page, audit_add, NULL, audit_rank);
KEYED(tokens, token_page, token_add, token_del, token_rank);
KEYED(grants, grant_page, grant_add, grant_del, by_creation);

static void
test_keyset_namespaces_by_level_give_each_row_once_under_changes(
    void **state)
{
	struct fx	*f = *state;

	seed_world(f);
	walk(f, &top_namespaces);
	walk(f, &child_namespaces);
}

static void
test_keyset_tables_of_a_namespace_give_each_row_once_under_changes(
    void **state)
{
	struct fx	*f = *state;

	seed_world(f);
	walk(f, &tables);
}

static void
test_keyset_users_grants_tokens_give_each_row_once_under_changes(
    void **state)
{
	struct fx	*f = *state;

	seed_world(f);
	walk(f, &users);
	walk(f, &grants);
	walk(f, &tokens);
}

/* The audit log is append-only: rows are only made, newest first. */
static void
test_keyset_audit_newest_first_gives_each_row_once_under_appends(
    void **state)
{
	struct fx	*f = *state;

	seed_world(f);
	walk(f, &audit);
}

/*
 * Every other keyed list: a walk two rows a page, each page after the
 * last row's key as the list names it, gives what the whole list gives.
 */
typedef size_t	(*names_fn)(struct fx *, const struct pgl_page *,
		    const char **, struct pgl_page_key *);

static size_t
tenant_rows(struct fx *f, const struct pgl_page *pg, const char **names,
    struct pgl_page_key *keys)
{
	struct pgl_tenant	*ts;
	size_t			 n, i;

	OK(f, ops->list_tenants(f->s, f->a, pg, &ts, &n, NULL, &f->err));
	for (i = 0; i < n && i < 64; i++) {
		names[i] = ts[i].name;
		keys[i] = (struct pgl_page_key){ ts[i].name, NULL, 0 };
	}
	return (n);
}

static size_t
branch_rows(struct fx *f, const struct pgl_page *pg, const char **names,
    struct pgl_page_key *keys)
{
	struct pgl_branch	*bs;
	size_t			 n, i;

	OK(f, ops->list_branches(f->s, f->a, "t-a", "cat", pg, &bs, &n, NULL,
	    &f->err));
	for (i = 0; i < n && i < 64; i++) {
		names[i] = bs[i].name;
		keys[i] = (struct pgl_page_key){ bs[i].name, NULL, 0 };
	}
	return (n);
}

static size_t
tag_rows(struct fx *f, const struct pgl_page *pg, const char **names,
    struct pgl_page_key *keys)
{
	struct pgl_tag	*ts;
	size_t		 n, i;

	OK(f, ops->list_tags(f->s, f->a, "t-a", "cat", pg, &ts, &n, NULL,
	    &f->err));
	for (i = 0; i < n && i < 64; i++) {
		names[i] = ts[i].name;
		keys[i] = (struct pgl_page_key){ ts[i].name, NULL, 0 };
	}
	return (n);
}

static size_t
role_rows(struct fx *f, const struct pgl_page *pg, const char **names,
    struct pgl_page_key *keys)
{
	struct pgl_role	*rs;
	size_t		 n, i;

	OK(f, ops->list_roles(f->s, f->a, "t-a", pg, &rs, &n, NULL, &f->err));
	for (i = 0; i < n && i < 64; i++) {
		names[i] = rs[i].name;
		keys[i] = (struct pgl_page_key){ rs[i].name, NULL, 0 };
	}
	return (n);
}

static size_t
su_rows(struct fx *f, const struct pgl_page *pg, const char **names,
    struct pgl_page_key *keys)
{
	struct pgl_service_user	*ss;
	size_t			 n, i;

	OK(f, ops->list_service_users(f->s, f->a, "t-a", pg, &ss, &n, NULL,
	    &f->err));
	for (i = 0; i < n && i < 64; i++) {
		names[i] = ss[i].name;
		keys[i] = (struct pgl_page_key){ ss[i].name, NULL, 0 };
	}
	return (n);
}

static size_t
asset_rows(struct fx *f, const struct pgl_page *pg, const char **names,
    struct pgl_page_key *keys)
{
	struct pgl_asset	*as;
	size_t			 n, i;

	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "main", NULL, NULL, pg,
	    &as, &n, NULL, &f->err));
	for (i = 0; i < n && i < 64; i++) {
		names[i] = as[i].id;
		keys[i] = (struct pgl_page_key){ as[i].ns, as[i].name, 0 };
	}
	return (n);
}

static size_t
ns_rows(struct fx *f, const struct pgl_page *pg, const char **names,
    struct pgl_page_key *keys)
{
	struct pgl_namespace	*ns;
	size_t			 n, i;

	OK(f, ops->list_namespaces(f->s, f->a, "t-a", "cat", NULL, pg, &ns, &n,
	    NULL, &f->err));
	for (i = 0; i < n && i < 64; i++) {
		names[i] = ns[i].name;
		keys[i] = (struct pgl_page_key){ ns[i].name, NULL, 0 };
	}
	return (n);
}

static size_t
task_rows(struct fx *f, const struct pgl_page *pg, const char **names,
    struct pgl_page_key *keys)
{
	struct pgl_task_filter	 none;
	struct pgl_task		*ts;
	size_t			 n, i;

	memset(&none, 0, sizeof(none));
	OK(f, ops->list_tasks(f->s, f->a, "t-a", &none, pg, &ts, &n, NULL,
	    &f->err));
	for (i = 0; i < n && i < 64; i++) {
		names[i] = ts[i].id;
		keys[i] = (struct pgl_page_key){ ts[i].id, NULL,
		    ts[i].created_at_ms };
	}
	return (n);
}

static size_t
op_rows(struct fx *f, const struct pgl_page *pg, const char **names,
    struct pgl_page_key *keys)
{
	struct pgl_merge_op	*os;
	size_t			 n, i;

	OK(f, ops->list_merge_ops(f->s, f->a, "t-a", "cat", pg, &os, &n, NULL,
	    &f->err));
	for (i = 0; i < n && i < 64; i++) {
		names[i] = os[i].id;
		keys[i] = (struct pgl_page_key){ os[i].id, NULL,
		    os[i].initiated_at_ms };
	}
	return (n);
}

static void
walk_is_whole(struct fx *f, const char *what, names_fn rows)
{
	const char		*all[64], *page[64];
	struct pgl_page_key	 keys[64], at;
	struct pgl_page		 pg = { 2, 0, NULL };
	size_t			 n, m, got = 0, i;

	n = rows(f, NULL, all, keys);
	assert_true(n >= 3 && n < 64);
	for (;;) {
		m = rows(f, &pg, page, keys);
		for (i = 0; i < m; i++) {
			if (got + i >= n || strcmp(page[i], all[got + i]) != 0)
				fail_msg("%s: row %zu of the walk is %s, not "
				    "%s", what, got + i, page[i], got + i < n ?
				    all[got + i] : "(none)");
		}
		got += m;
		if (m < 2)
			break;
		at = keys[m - 1];
		pg.after = &at;
	}
	if (got != n)
		fail_msg("%s: the walk gave %zu rows of %zu", what, got, n);
}

static void
test_keyset_every_other_list_walks_as_a_whole(void **state)
{
	struct fx		*f = *state;
	struct pgl_tag		 tag = { "cat", NULL, "c1", 0 };
	struct pgl_role		 r = { NULL, "t-a", NULL, "{}" };
	struct pgl_service_user	 su;
	struct pgl_merge_op	 op = { NULL, "t-a", "cat", "Pending", "{}",
				    0 };
	struct pgl_task		 t;
	char			 c;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_commit(f, "t-a", "cat", "c1", NULL);
	memset(&t, 0, sizeof(t));
	t.tenant_id = "t-a";
	t.kind = "maintenance";
	t.params = "{}";
	t.max_attempts = 1;
	for (c = 'a'; c <= 'e'; c++) {
		seed_tenant(f, str1(f, "tid-%c", c), str1(f, "tenant-%c", c));
		seed_branch(f, "t-a", "cat", str1(f, "br-%c", c));
		tag.name = str1(f, "tag-%c", c);
		OK(f, ops->create_tag(f->s, "t-a", &tag, &f->err));
		r.id = str1(f, "rid-%c", c);
		r.name = str1(f, "role-%c", c);
		OK(f, ops->create_role(f->s, &r, &f->err));
		su = service_user(str1(f, "sid-%c", c), "t-a",
		    str1(f, "svc-%c", c), str1(f, "key-%c", c));
		OK(f, ops->create_service_user(f->s, &su, &f->err));
		seed_ns(f, "t-a", "cat", str1(f, "n%c", c));
		seed_ns(f, "t-a", "cat", str1(f, "n%c" SEP "x", c));
		seed_asset(f, "t-a", "cat", "main", str1(f, "n%c", c), "t1",
		    "ICEBERG_TABLE");
		seed_asset(f, "t-a", "cat", "main", "db", str1(f, "a%c", c),
		    "VIEW");
		/* Two of each time: ties go by id. */
		op.id = str1(f, "op-%c", c);
		op.initiated_at_ms = 1000 + (c - 'a') / 2;
		OK(f, ops->create_merge_op(f->s, &op, &f->err));
		t.id = str1(f, "task-%c", c);
		t.created_at_ms = 2000 + (c - 'a') / 2;
		OK(f, ops->create_task(f->s, &t, &f->err));
	}
	walk_is_whole(f, "tenants", tenant_rows);
	walk_is_whole(f, "branches", branch_rows);
	walk_is_whole(f, "tags", tag_rows);
	walk_is_whole(f, "roles", role_rows);
	walk_is_whole(f, "service users", su_rows);
	walk_is_whole(f, "a branch's assets", asset_rows);
	walk_is_whole(f, "a catalog's namespaces", ns_rows);
	walk_is_whole(f, "tasks", task_rows);
	walk_is_whole(f, "merge operations", op_rows);
}

/* A key of another tenant's list positions nothing of it: the page is
 * the caller's rows after that key. */
static void
test_keyset_a_key_reads_only_the_tenants_own_rows(void **state)
{
	struct fx		*f = *state;
	struct pgl_page_key	 at = { "kzz", NULL, 0 };
	struct pgl_page		 pg = { 10, 0, &at };
	struct pgl_namespace	*ns;
	size_t			 n, i;

	seed_world(f);
	seed_ns(f, "t-a", "cat", "ka");
	at.s = "k";
	OK(f, ops->list_namespaces(f->s, f->a, "t-a", "cat", "", &pg, &ns, &n,
	    NULL, &f->err));
	assert_int_equal(n, 3);
	assert_string_equal(ns[0].name, "ka");
	assert_string_equal(ns[1].name, "p");
	assert_string_equal(ns[2].name, "tb");
	at.s = "kzz";		/* t-b's */
	OK(f, ops->list_namespaces(f->s, f->a, "t-a", "cat", "", &pg, &ns, &n,
	    NULL, &f->err));
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		assert_true(strcmp(ns[i].name, "kzz") > 0);
}

static const struct CMUnitTest	tests[] = {
	T(test_keyset_namespaces_by_level_give_each_row_once_under_changes),
	T(test_keyset_tables_of_a_namespace_give_each_row_once_under_changes),
	T(test_keyset_users_grants_tokens_give_each_row_once_under_changes),
	T(test_keyset_audit_newest_first_gives_each_row_once_under_appends),
	T(test_keyset_every_other_list_walks_as_a_whole),
	T(test_keyset_a_key_reads_only_the_tenants_own_rows),
};

STORE_FAMILY(keyset, tests);
