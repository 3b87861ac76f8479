/*
 * The copy-on-write fixtures (cow.h) of the forks, lineage and locations
 * families: tenant t-a's catalog "cat" seeded, branches forked, assets
 * put, swapped, renamed and dropped on a branch, and a branch's whole
 * view as one line, read through every asset method at once.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cow.h"

int
cow_supported(void)
{
	if (pgl_store_has_fork(ops))	/* abi_minor >= 12 first */
		return (1);
	skip();
	return (0);
}

/* Tenant t-a, catalog cat, namespaces a.b, db, db2 and on main:
 * a.b.x (view), db.t1, db.t2, db.v1 (view), db2.t3, whose metadata
 * locations are the labels the views below print. */
void
cow_seed(struct fx *f)
{
	seed_tenant(f, "t-a", "acme");
	seed_warehouse(f, "t-a", "wh");
	seed_catalog(f, "t-a", "cat", "wh");
	seed_branch(f, "t-a", "cat", "main");
	seed_ns(f, "t-a", "cat", "a");
	seed_ns(f, "t-a", "cat", "a" SEP "b");
	seed_ns(f, "t-a", "cat", "db");
	seed_ns(f, "t-a", "cat", "db2");
}

void
cow_fork(struct fx *f, const char *from, const char *name)
{
	struct pgl_branch	b = { "cat", name, NULL, "experimental", "[]",
				    0, NULL };

	OK(f, ops->fork_branch(f->s, "t-a", &b, from, &f->err));
}

/* Creates ns.name on branch, its metadata location meta; the store
 * picks the id. */
void
cow_put(struct fx *f, const char *branch, const char *ns, const char *name,
    const char *kind, const char *meta)
{
	char			loc[256];
	struct pgl_asset	as = { NULL, "cat", branch, ns, name, kind, loc,
				    meta, "{}", 0, 0, NULL };

	snprintf(loc, sizeof(loc), "s3://bucket/%s/%s", branch, name);
	OK(f, ops->create_asset(f->s, "t-a", &as, &f->err));
}

void
cow_cas(struct fx *f, const char *branch, const char *ns, const char *name,
    const char *expected, const char *meta)
{
	OK(f, ops->update_metadata_location(f->s, "t-a", "cat", branch, ns,
	    name, expected, meta, &f->err));
}

/* update_asset: every field but the key changes. */
void
cow_update(struct fx *f, const char *branch, const char *ns,
    const char *name, const char *meta)
{
	struct pgl_asset	as = { NULL, "cat", branch, ns, name,
				    "ICEBERG_TABLE", "s3://bucket/updated",
				    meta, "{\"updated\":\"1\"}", 0, 0, NULL };

	OK(f, ops->update_asset(f->s, "t-a", &as, &f->err));
}

void
cow_del(struct fx *f, const char *branch, const char *ns, const char *name)
{
	OK(f, ops->delete_asset(f->s, "t-a", "cat", branch, ns, name,
	    &f->err));
}

void
cow_rename(struct fx *f, const char *branch, const char *ns,
    const char *name, const char *dns, const char *dname)
{
	OK(f, ops->rename_asset(f->s, "t-a", "cat", branch, ns, name, dns,
	    dname, &f->err));
}

/* ns.name as branch sees it: its metadata location, "-" when absent. */
const char *
cow_get(struct fx *f, const char *branch, const char *ns, const char *name)
{
	struct pgl_asset	as;
	int			rc;

	rc = ops->get_asset(f->s, f->a, "t-a", "cat", branch, ns, name, &as,
	    &f->err);
	if (rc == PGL_ENOTFOUND)
		return ("-");
	if (rc != PGL_OK)
		fail_msg("get_asset %s %s.%s -> %d: %s", branch, ns, name, rc,
		    f->err.msg);
	assert_string_equal(as.branch, branch);
	return (as.metadata_location != NULL ? as.metadata_location : "(null)");
}

const char *
cow_id(struct fx *f, const char *branch, const char *ns, const char *name)
{
	struct pgl_asset	as;

	OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", branch, ns, name, &as,
	    &f->err));
	return (as.id);
}

const char *
cow_parent(struct fx *f, const char *branch)
{
	struct pgl_branch	b;

	OK(f, ops->get_branch(f->s, f->a, "t-a", "cat", branch, &b, &f->err));
	return (b.parent != NULL ? b.parent : "(root)");
}

/* One asset as a line: the key with '.' between levels, then either the
 * label only (short) or every field but the branch (and the id if ids). */
static void
cow_describe(char *buf, size_t len, const struct pgl_asset *as, int full,
    int ids)
{
	char	ns[256];
	size_t	i;

	snprintf(ns, sizeof(ns), "%s", as->ns);
	for (i = 0; ns[i] != '\0'; i++)
		if (ns[i] == PGL_NS_SEP)
			ns[i] = '.';
	if (!full)
		snprintf(buf, len, "%s.%s=%s", ns, as->name,
		    as->metadata_location != NULL ? as->metadata_location :
		    "(null)");
	else
		snprintf(buf, len, "%s.%s %s %s %s %s %lld %lld %s", ns,
		    as->name, as->kind, as->location,
		    as->metadata_location != NULL ? as->metadata_location :
		    "(null)", as->properties, (long long)as->created_at_ms,
		    (long long)as->updated_at_ms, ids ? as->id : "");
}

static int
cow_same(const struct pgl_asset *x, const struct pgl_asset *y)
{
	char	a[1024], b[1024];

	cow_describe(a, sizeof(a), x, 1, 1);
	cow_describe(b, sizeof(b), y, 1, 1);
	if (strcmp(a, b) != 0)
		fail_msg("differ:\n  %s\n  %s", a, b);
	return (1);
}

/*
 * branch's assets as list_all_assets_for_branch lists them, after
 * checking that every other read agrees with it: list_assets whole, by
 * namespace, by kind and page by page (with the total), list_assets_after
 * page by page, get_asset and get_asset_by_id of each.  Every answer
 * names the branch asked about.  Returns the lines (short: "ns.name=label"
 * joined by spaces; full: every field, one per line).
 */
const char *
cow_view_of(struct fx *f, const char *branch, int full, int ids)
{
	static const char	*kinds[] = { "ICEBERG_TABLE", "VIEW" };
	struct pgl_asset	*all, *items, one;
	struct pgl_page		 pg = { 0, 0, NULL };
	size_t			 n, m, i, j, k, off;
	uint64_t		 total;
	char			 line[1024], *out;
	size_t			 len = 1, used = 0;
	const char		*after_ns, *after_name;

	OK(f, ops->list_all_assets_for_branch(f->s, f->a, "t-a", "cat",
	    branch, &all, &n, &f->err));
	for (i = 0; i < n; i++)
		assert_string_equal(all[i].branch, branch);

	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", branch, NULL, NULL,
	    NULL, &items, &m, &total, &f->err));
	assert_int_equal(m, n);
	assert_int_equal(total, n);
	for (i = 0; i < n; i++)
		cow_same(&items[i], &all[i]);

	for (off = 0; off <= n; off += 2) {
		pg.limit = 2;
		pg.offset = off;
		OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", branch, NULL,
		    NULL, &pg, &items, &m, &total, &f->err));
		assert_int_equal(total, n);
		assert_int_equal(m, n - off < 2 ? n - off : 2);
		for (i = 0; i < m; i++)
			cow_same(&items[i], &all[off + i]);
	}

	/* Each namespace and each kind: the matching subsequence. */
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(all[i].ns, all[i - 1].ns) == 0)
			continue;
		OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", branch,
		    all[i].ns, NULL, NULL, &items, &m, &total, &f->err));
		for (j = i, k = 0; j < n && strcmp(all[j].ns, all[i].ns) == 0;
		    j++, k++)
			cow_same(&items[k], &all[j]);
		assert_int_equal(m, k);
		assert_int_equal(total, k);
		/* Keyset pages within the namespace, one at a time. */
		after_name = "";
		for (j = i; j < i + k; j++) {
			OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat",
			    branch, all[i].ns, NULL, NULL, after_name, 1,
			    &items, &m, &f->err));
			assert_int_equal(m, 1);
			assert_string_equal(items[0].name, all[j].name);
			assert_string_equal(items[0].id, all[j].id);
			assert_string_equal(items[0].branch, branch);
			after_name = all[j].name;
		}
		OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", branch,
		    all[i].ns, NULL, NULL, after_name, 1, &items, &m, &f->err));
		assert_int_equal(m, 0);
	}
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", branch, NULL,
		    kinds[k], NULL, &items, &m, &total, &f->err));
		for (i = 0, j = 0; i < n; i++) {
			if (strcmp(all[i].kind, kinds[k]) != 0)
				continue;
			assert_true(j < m);
			cow_same(&items[j++], &all[i]);
		}
		assert_int_equal(m, j);
		assert_int_equal(total, j);
	}

	/* The whole branch by keyset, two at a time. */
	after_ns = "";
	after_name = "";
	for (off = 0; off < n; off += m) {
		OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", branch,
		    NULL, NULL, after_ns, after_name, 2, &items, &m, &f->err));
		assert_int_equal(m, n - off < 2 ? n - off : 2);
		for (i = 0; i < m; i++) {
			assert_string_equal(items[i].ns, all[off + i].ns);
			assert_string_equal(items[i].name, all[off + i].name);
			assert_string_equal(items[i].id, all[off + i].id);
			assert_string_equal(items[i].kind, all[off + i].kind);
			assert_string_equal(items[i].branch, branch);
		}
		after_ns = items[m - 1].ns;
		after_name = items[m - 1].name;
	}
	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", branch, NULL,
	    NULL, after_ns, after_name, 2, &items, &m, &f->err));
	assert_int_equal(m, 0);

	/* One by key, and the row behind it by id. */
	for (i = 0; i < n; i++) {
		OK(f, ops->get_asset(f->s, f->a, "t-a", "cat", branch,
		    all[i].ns, all[i].name, &one, &f->err));
		assert_string_equal(one.branch, branch);
		cow_same(&one, &all[i]);
		OK(f, ops->get_asset_by_id(f->s, f->a, "t-a", all[i].id, &one,
		    &f->err));
		assert_string_equal(one.ns, all[i].ns);
		assert_string_equal(one.name, all[i].name);
		assert_string_equal(one.kind, all[i].kind);
		if (all[i].metadata_location != NULL)
			assert_string_equal(one.metadata_location,
			    all[i].metadata_location);
	}

	for (i = 0; i < n; i++) {
		cow_describe(line, sizeof(line), &all[i], full, ids);
		len += strlen(line) + 1;
	}
	out = pgl_arena_alloc(f->a, len);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		cow_describe(line, sizeof(line), &all[i], full, ids);
		used += snprintf(out + used, len - used, "%s%s",
		    i > 0 ? (full ? "\n" : " ") : "", line);
	}
	return (out);
}

const char *
cow_view(struct fx *f, const char *branch)
{
	return (cow_view_of(f, branch, 0, 0));
}

void
cow_seed_assets(struct fx *f)
{
	cow_seed(f);
	cow_put(f, "main", "a" SEP "b", "x", "VIEW", "m-x");
	cow_put(f, "main", "db", "t1", "ICEBERG_TABLE", "m-t1");
	cow_put(f, "main", "db", "t2", "ICEBERG_TABLE", "m-t2");
	cow_put(f, "main", "db", "v1", "VIEW", "m-v1");
	cow_put(f, "main", "db2", "t3", "ICEBERG_TABLE", "m-t3");
}
