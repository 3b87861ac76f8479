/*
 * FileIO on local disk: atomic, never-replacing writes, confined to a
 * root without following symbolic links (storage/fileio.h).  Every test
 * runs twice: once with openat2(2) (when the kernel has it) and once with
 * the O_NOFOLLOW walk that older kernels get (pgl_file_force_walk).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/openat2.h>

#include "storage/fileio.h"

static char	base[64];	/* per test: <base>/root and <base>/outside */
static char	root[96];
static char	outside[96];
static int	forced;		/* this group forces the walk */

static int
setup(void **state)
{
	(void)state;
	(void)snprintf(base, sizeof(base), "/tmp/pgl-fileio-XXXXXX");
	if (mkdtemp(base) == NULL)
		return (-1);
	(void)snprintf(root, sizeof(root), "%s/root", base);
	(void)snprintf(outside, sizeof(outside), "%s/outside", base);
	return (mkdir(root, 0750) == 0 && mkdir(outside, 0750) == 0 ? 0 : -1);
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", base);
	return (system(cmd) == 0 ? 0 : -1);
}

static int
walk_group(void **state)
{
	(void)state;
	forced = 1;
	pgl_file_force_walk(1);
	return (0);
}

static int
openat2_group(void **state)
{
	(void)state;
	forced = 0;
	pgl_file_force_walk(0);
	return (0);
}

/* printf into a static buffer: one of 64 reused in turn, enough for all
 * the paths one test holds at once. */
static const char *
fmt(const char *f, ...)
{
	static char	bufs[64][512];
	static int	next;
	char		*b = bufs[next++ % 64];
	va_list		 ap;

	va_start(ap, f);
	(void)vsnprintf(b, sizeof(bufs[0]), f, ap);
	va_end(ap);
	return (b);
}

static void
put(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
link_to(const char *target, const char *path)
{
	assert_int_equal(symlink(target, path), 0);
}

static int
exists(const char *path)
{
	struct stat	st;

	return (lstat(path, &st) == 0);
}

static int
entries(const char *dir)
{
	char	cmd[256];
	FILE	*p;
	int	n = -1;

	(void)snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", dir);
	assert_non_null(p = popen(cmd, "r"));
	assert_int_equal(fscanf(p, "%d", &n), 1);
	(void)pclose(p);
	return (n);
}

/* The message must name the link and only the link. */
static void
assert_refused(int rc, const struct pgl_err *err, const char *link)
{
	assert_int_equal(rc, PGL_EINVAL);
	assert_non_null(strstr(err->msg, "symbolic link"));
	assert_non_null(strstr(err->msg, fmt("refused: %s ", link)));
}

static void
test_resolver_is_the_one_asked_for(void **state)
{
	struct open_how	how;
	long		fd;

	(void)state;
	if (forced) {
		assert_string_equal(pgl_file_resolver(), "walk");
		return;
	}
	/* Not forced: openat2 exactly when this kernel has it (5.6+). */
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY;
	how.resolve = RESOLVE_BENEATH;
	fd = syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof(how));
	if (fd < 0) {
		assert_string_equal(pgl_file_resolver(), "walk");
		return;
	}
	(void)close((int)fd);
	assert_string_equal(pgl_file_resolver(), "openat2");
	/* The environment forces the walk too (a server under test). */
	assert_int_equal(setenv("PGL_FILEIO_NO_OPENAT2", "1", 1), 0);
	pgl_file_force_walk(0);
	assert_string_equal(pgl_file_resolver(), "walk");
	assert_int_equal(unsetenv("PGL_FILEIO_NO_OPENAT2"), 0);
	pgl_file_force_walk(0);
	assert_string_equal(pgl_file_resolver(), "openat2");
}

static void
test_write_creates_directories_and_reads_back(void **state)
{
	struct pgl_err	 err;
	const char	*loc = fmt("file://%s/t/metadata/0.json", root);
	char		*data;
	size_t		 len;

	(void)state;
	assert_int_equal(pgl_file_write(root, loc, "{\"a\":1}", 7, &err),
	    PGL_OK);
	assert_int_equal(pgl_file_read(fmt("file://%s", root), loc, 1024,
	    &data, &len, &err), PGL_OK);
	assert_int_equal(len, 7);
	assert_string_equal(data, "{\"a\":1}");
	free(data);
}

static void
test_missing_root_is_created_on_write_only(void **state)
{
	struct pgl_err	 err;
	const char	*r = fmt("%s/cat", root);
	char		*data;
	size_t		 len;

	(void)state;
	assert_int_equal(pgl_file_read(r, fmt("%s/x.json", r), 10, &data,
	    &len, &err), PGL_ENOTFOUND);
	assert_false(exists(r));
	assert_int_equal(pgl_file_write(r, fmt("%s/x.json", r), "x", 1, &err),
	    PGL_OK);
	assert_true(exists(fmt("%s/x.json", r)));
}

static void
test_existing_file_is_never_replaced(void **state)
{
	struct pgl_err	 err;
	const char	*loc = fmt("%s/m.json", root);
	char		*data;
	size_t		 len;

	(void)state;
	assert_int_equal(pgl_file_write(root, loc, "one", 3, &err), PGL_OK);
	assert_int_equal(pgl_file_write(root, loc, "two", 3, &err),
	    PGL_EEXISTS);
	assert_int_equal(pgl_file_read(root, loc, 1024, &data, &len, &err),
	    PGL_OK);
	assert_string_equal(data, "one");
	free(data);
	/* Nor a directory of that name. */
	assert_int_equal(mkdir(fmt("%s/d.json", root), 0750), 0);
	assert_int_equal(pgl_file_write(root, fmt("%s/d.json", root), "x", 1,
	    &err), PGL_EEXISTS);
	assert_int_equal(entries(fmt("%s/d.json", root)), 0);
}

static void
test_no_temporary_files_are_left_behind(void **state)
{
	struct pgl_err	 err;
	const char	*loc = fmt("%s/d/x.json", root);

	(void)state;
	assert_int_equal(pgl_file_write(root, loc, "x", 1, &err), PGL_OK);
	(void)pgl_file_write(root, loc, "y", 1, &err);
	link_to("/nonexistent", fmt("%s/d/l.json", root));
	(void)pgl_file_write(root, fmt("%s/d/l.json", root), "y", 1, &err);
	assert_int_equal(entries(fmt("%s/d", root)), 2);
}

static void
test_missing_file_and_size_limit(void **state)
{
	struct pgl_err	 err;
	const char	*loc = fmt("%s/nope.json", root);
	char		*data;
	size_t		 len;

	(void)state;
	assert_int_equal(pgl_file_read(root, loc, 10, &data, &len, &err),
	    PGL_ENOTFOUND);
	assert_int_equal(pgl_file_read(root, fmt("%s/no/such/dir.json", root),
	    10, &data, &len, &err), PGL_ENOTFOUND);
	assert_int_equal(pgl_file_delete(root, loc, &err), PGL_OK);
	assert_int_equal(pgl_file_delete(root, fmt("%s/no/x.json", root),
	    &err), PGL_OK);
	assert_int_equal(pgl_file_write(root, loc, "0123456789ab", 12, &err),
	    PGL_OK);
	assert_int_equal(pgl_file_read(root, loc, 10, &data, &len, &err),
	    PGL_EINVAL);
	assert_int_equal(pgl_file_delete(root, loc, &err), PGL_OK);
	assert_int_equal(access(loc, F_OK), -1);
}

static void
test_text_gate_refuses_traversal_and_paths_outside_the_root(void **state)
{
	struct pgl_err	err;

	(void)state;
	put(fmt("%s/secret.json", outside), "{}");
	assert_int_equal(pgl_file_write(root, fmt("%s/a/../b.json", root), "x",
	    1, &err), PGL_EINVAL);
	assert_int_equal(pgl_file_write(root, "relative.json", "x", 1, &err),
	    PGL_EINVAL);
	assert_int_equal(pgl_file_delete(root, fmt("%s/../outside/secret.json",
	    root), &err), PGL_EINVAL);
	assert_int_equal(pgl_file_delete(root, fmt("%s/secret.json", outside),
	    &err), PGL_EINVAL);
	assert_non_null(strstr(err.msg, "outside the storage location"));
	/* A sibling that shares the root's prefix is outside too. */
	assert_int_equal(pgl_file_write(root, fmt("%s2/x.json", root), "x", 1,
	    &err), PGL_EINVAL);
	assert_int_equal(pgl_file_write(NULL, fmt("%s/x.json", root), "x", 1,
	    &err), PGL_EINVAL);
	assert_int_equal(pgl_file_write("s3://bucket/wh", fmt("%s/x.json",
	    root), "x", 1, &err), PGL_EINVAL);
	assert_true(exists(fmt("%s/secret.json", outside)));
	assert_int_equal(entries(root), 0);
	assert_false(exists(fmt("%s2", root)));
}

static void
test_object_store_schemes_are_refused_by_name(void **state)
{
	static const char *const locs[][2] = {
		{ "s3://bucket/k.json", "'s3'" },
		{ "s3a://bucket/k.json", "'s3a'" },
		{ "gs://bucket/k.json", "'gs'" },
		{ "abfss://c@acct.dfs.core.windows.net/k.json", "'abfss'" },
	};
	struct pgl_err	 err;
	char		*data;
	size_t		 i, len;

	(void)state;
	for (i = 0; i < sizeof(locs) / sizeof(locs[0]); i++) {
		assert_int_equal(pgl_file_delete(root, locs[i][0], &err),
		    PGL_EINVAL);
		assert_non_null(strstr(err.msg, locs[i][1]));
		assert_int_equal(pgl_file_write("s3://bucket", locs[i][0], "x",
		    1, &err), PGL_EINVAL);
		assert_non_null(strstr(err.msg, locs[i][1]));
		assert_int_equal(pgl_file_read(root, locs[i][0], 10, &data,
		    &len, &err), PGL_EINVAL);
		assert_non_null(strstr(err.msg, "not supported"));
	}
}

/* <root>/ns/lnk -> <outside>: every operation through it is refused. */
static void
test_directory_link_out_is_refused_for_every_operation(void **state)
{
	struct pgl_file_info	 info;
	struct pgl_err		 err;
	const char		*lnk = fmt("%s/ns/lnk", root);
	char			*data;
	size_t			 len;

	(void)state;
	assert_int_equal(mkdir(fmt("%s/ns", root), 0750), 0);
	assert_int_equal(mkdir(fmt("%s/t", outside), 0750), 0);
	put(fmt("%s/t/m.json", outside), "{\"outside\":true}");
	put(fmt("%s/ns/in.json", root), "{}");
	link_to(outside, lnk);

	assert_refused(pgl_file_write(root, fmt("%s/t/new.json", lnk), "x", 1,
	    &err), &err, lnk);
	assert_refused(pgl_file_write(root, fmt("%s/u/v/new.json", lnk), "x",
	    1, &err), &err, lnk);
	assert_refused(pgl_file_read(root, fmt("%s/t/m.json", lnk), 1024,
	    &data, &len, &err), &err, lnk);
	assert_refused(pgl_file_stat(root, fmt("%s/t/m.json", lnk), &info,
	    &err), &err, lnk);
	assert_refused(pgl_file_list(root, fmt("%s/t", lnk), NULL, NULL,
	    &err), &err, lnk);
	assert_refused(pgl_file_delete(root, fmt("%s/t/m.json", lnk), &err),
	    &err, lnk);
	assert_refused(pgl_file_mkdirs(root, fmt("%s/x/y", lnk), &err), &err,
	    lnk);
	assert_refused(pgl_file_rename(root, fmt("%s/t/m.json", lnk),
	    fmt("%s/ns/m.json", root), &err), &err, lnk);
	assert_refused(pgl_file_rename(root, fmt("%s/ns/in.json", root),
	    fmt("%s/t/in.json", lnk), &err), &err, lnk);

	/* Outside: exactly what was there, untouched. */
	assert_int_equal(entries(outside), 1);
	assert_int_equal(entries(fmt("%s/t", outside)), 1);
	assert_true(exists(fmt("%s/t/m.json", outside)));
	assert_true(exists(fmt("%s/ns/in.json", root)));
}

/* <root>/m.json -> <outside>/m.json: not read, not written, not deleted. */
static void
test_file_link_out_is_refused_and_reported_not_followed(void **state)
{
	struct pgl_file_info	 info;
	struct pgl_err		 err;
	const char		*lnk = fmt("%s/m.json", root);
	char			*data;
	size_t			 len;

	(void)state;
	put(fmt("%s/m.json", outside), "{\"outside\":true}");
	link_to(fmt("%s/m.json", outside), lnk);

	assert_refused(pgl_file_read(root, lnk, 1024, &data, &len, &err),
	    &err, lnk);
	assert_refused(pgl_file_write(root, lnk, "x", 1, &err), &err, lnk);
	assert_refused(pgl_file_delete(root, lnk, &err), &err, lnk);
	assert_refused(pgl_file_rename(root, lnk, fmt("%s/n.json", root),
	    &err), &err, lnk);
	/* stat and list describe the link itself. */
	assert_int_equal(pgl_file_stat(root, lnk, &info, &err), PGL_OK);
	assert_int_equal(info.type, PGL_FILE_LINK);
	assert_true(exists(lnk));
	assert_int_equal(entries(outside), 1);
	{
		FILE	*f = fopen(fmt("%s/m.json", outside), "r");
		char	 buf[64] = "";

		assert_non_null(f);
		assert_non_null(fgets(buf, sizeof(buf), f));
		(void)fclose(f);
		assert_string_equal(buf, "{\"outside\":true}");
	}
}

/*
 * A link to /etc/passwd and a dangling link at the same place give the
 * same answer, byte for byte: nothing says what lies behind a link.
 */
static void
test_refusal_is_the_same_whatever_the_link_points_to(void **state)
{
	static const char *const targets[] = {
		"/etc/passwd", "/nonexistent/passwd", "/etc", "/nonexistent",
		"m.json", "."
	};
	struct pgl_err	 err;
	char		 first[2][sizeof(err.msg)], *data;
	const char	*lnk = fmt("%s/lnk", root);
	size_t		 i, len;
	int		 rc;

	(void)state;
	put(fmt("%s/m.json", root), "{}");
	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		(void)unlink(lnk);
		link_to(targets[i], lnk);
		/* The link as the file, and as a directory on the way. */
		rc = pgl_file_read(root, lnk, PGL_FILE_MAX, &data, &len, &err);
		assert_refused(rc, &err, lnk);
		if (i == 0)
			memcpy(first[0], err.msg, sizeof(err.msg));
		assert_string_equal(err.msg, first[0]);
		rc = pgl_file_read(root, fmt("%s/passwd", lnk), PGL_FILE_MAX,
		    &data, &len, &err);
		assert_refused(rc, &err, lnk);
		if (i == 0)
			memcpy(first[1], err.msg, sizeof(err.msg));
		assert_string_equal(err.msg, first[1]);
	}
}

/* ".." is refused as text, and as a link that leads up or stays inside. */
static void
test_dotdot_and_links_that_stay_inside_are_refused(void **state)
{
	struct pgl_err	 err;
	const char	*rootname = strrchr(root, '/') + 1;
	char		*data;
	size_t		 len;

	(void)state;
	put(fmt("%s/m.json", root), "{}");
	put(fmt("%s/secret.json", outside), "{}");
	assert_int_equal(pgl_file_read(root, fmt("%s/../outside/secret.json",
	    root), 1024, &data, &len, &err), PGL_EINVAL);
	assert_non_null(strstr(err.msg, "'..'"));
	assert_int_equal(pgl_file_read(root, fmt("%s/x/../../outside/"
	    "secret.json", root), 1024, &data, &len, &err), PGL_EINVAL);
	link_to("..", fmt("%s/up", root));
	assert_refused(pgl_file_read(root, fmt("%s/up/outside/secret.json",
	    root), 1024, &data, &len, &err), &err, fmt("%s/up", root));
	assert_refused(pgl_file_read(root, fmt("%s/up/%s/m.json", root,
	    rootname), 1024, &data, &len, &err), &err, fmt("%s/up", root));
	/* Policy: a link is refused even when it stays inside the root. */
	link_to(".", fmt("%s/self", root));
	assert_refused(pgl_file_read(root, fmt("%s/self/m.json", root), 1024,
	    &data, &len, &err), &err, fmt("%s/self", root));
	link_to("m.json", fmt("%s/alias.json", root));
	assert_refused(pgl_file_read(root, fmt("%s/alias.json", root), 1024,
	    &data, &len, &err), &err, fmt("%s/alias.json", root));
}

/* mkdir -p never creates anything through a link, dangling or not. */
static void
test_mkdir_through_link_creates_nothing_outside(void **state)
{
	struct pgl_err	 err;
	const char	*dang = fmt("%s/dang", root);
	const char	*live = fmt("%s/live", root);

	(void)state;
	link_to(fmt("%s/newdir", outside), dang);
	link_to(outside, live);
	assert_refused(pgl_file_write(root, fmt("%s/a/b.json", dang), "x", 1,
	    &err), &err, dang);
	assert_refused(pgl_file_mkdirs(root, dang, &err), &err, dang);
	assert_refused(pgl_file_mkdirs(root, fmt("%s/a", dang), &err), &err,
	    dang);
	assert_refused(pgl_file_write(root, fmt("%s/sub/x.json", live), "x",
	    1, &err), &err, live);
	assert_refused(pgl_file_mkdirs(root, fmt("%s/sub", live), &err), &err,
	    live);
	assert_int_equal(entries(outside), 0);
	/* Deeper: a link below directories that mkdir -p has to create. */
	assert_int_equal(pgl_file_mkdirs(root, fmt("%s/p/q", root), &err),
	    PGL_OK);
	link_to(outside, fmt("%s/p/q/r", root));
	assert_refused(pgl_file_write(root, fmt("%s/p/q/r/s/t.json", root),
	    "x", 1, &err), &err, fmt("%s/p/q/r", root));
	assert_int_equal(entries(outside), 0);
}

/* The root's own last component must not be a link either. */
static void
test_a_link_in_place_of_the_root_is_refused(void **state)
{
	struct pgl_err	 err;
	const char	*cat = fmt("%s/cat", root);

	(void)state;
	link_to(outside, cat);
	assert_refused(pgl_file_write(cat, fmt("%s/ns/t/m.json", cat), "x", 1,
	    &err), &err, cat);
	assert_refused(pgl_file_write(fmt("%s/", cat), fmt("%s/m.json", cat),
	    "x", 1, &err), &err, cat);
	assert_int_equal(entries(outside), 0);
}

static void
test_fifo_is_refused_without_blocking(void **state)
{
	struct pgl_err	 err;
	const char	*loc = fmt("%s/f.json", root);
	char		*data;
	size_t		 len;

	(void)state;
	assert_int_equal(mkfifo(loc, 0600), 0);
	assert_int_equal(pgl_file_read(root, loc, 1024, &data, &len, &err),
	    PGL_EINVAL);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

struct listing {
	int	files, dirs, links;
};

static int
count_entry(void *arg, const char *name, const struct pgl_file_info *info)
{
	struct listing	*l = arg;

	(void)name;
	l->files += info->type == PGL_FILE_REG;
	l->dirs += info->type == PGL_FILE_DIR;
	l->links += info->type == PGL_FILE_LINK;
	return (0);
}

static void
test_stat_and_list_describe_without_following(void **state)
{
	struct pgl_file_info	 info;
	struct listing		 l = { 0, 0, 0 };
	struct pgl_err		 err;

	(void)state;
	assert_int_equal(pgl_file_write(root, fmt("%s/t/a.json", root),
	    "12345", 5, &err), PGL_OK);
	assert_int_equal(pgl_file_mkdirs(root, fmt("%s/t/sub", root), &err),
	    PGL_OK);
	link_to(outside, fmt("%s/t/out", root));
	assert_int_equal(pgl_file_stat(root, fmt("%s/t/a.json", root), &info,
	    &err), PGL_OK);
	assert_int_equal(info.type, PGL_FILE_REG);
	assert_int_equal(info.size, 5);
	assert_true(info.mtime_ms > 0);
	assert_int_equal(pgl_file_stat(root, root, &info, &err), PGL_OK);
	assert_int_equal(info.type, PGL_FILE_DIR);
	assert_int_equal(pgl_file_stat(root, fmt("%s/t/none", root), &info,
	    &err), PGL_ENOTFOUND);
	assert_int_equal(pgl_file_list(root, fmt("%s/t", root), count_entry,
	    &l, &err), PGL_OK);
	assert_int_equal(l.files, 1);
	assert_int_equal(l.dirs, 1);
	assert_int_equal(l.links, 1);
	assert_int_equal(pgl_file_list(root, fmt("%s/none", root),
	    count_entry, &l, &err), PGL_ENOTFOUND);
}

static void
test_rename_moves_and_never_replaces(void **state)
{
	struct pgl_err	 err;
	char		*data;
	size_t		 len;

	(void)state;
	assert_int_equal(pgl_file_write(root, fmt("%s/a.json", root), "a", 1,
	    &err), PGL_OK);
	assert_int_equal(pgl_file_write(root, fmt("%s/b.json", root), "b", 1,
	    &err), PGL_OK);
	assert_int_equal(pgl_file_rename(root, fmt("%s/a.json", root),
	    fmt("%s/b.json", root), &err), PGL_EEXISTS);
	assert_int_equal(pgl_file_rename(root, fmt("%s/a.json", root),
	    fmt("%s/d/c.json", root), &err), PGL_OK);
	assert_false(exists(fmt("%s/a.json", root)));
	assert_int_equal(pgl_file_read(root, fmt("%s/d/c.json", root), 10,
	    &data, &len, &err), PGL_OK);
	assert_string_equal(data, "a");
	free(data);
	assert_int_equal(pgl_file_rename(root, fmt("%s/a.json", root),
	    fmt("%s/e.json", root), &err), PGL_ENOTFOUND);
}

/*
 * Many at once (the root and each directory opened once): every file in
 * any directory goes; a missing one is no error; a link, a path through
 * a directory link and a path outside the root are refused, the first
 * refusal reported, and the rest still deleted.
 */
static void
test_delete_many_deletes_all_and_refuses_the_same(void **state)
{
	struct pgl_err	 err;
	const char	*locs[9];
	size_t		 n = 0;

	(void)state;
	assert_int_equal(pgl_file_mkdirs(root, fmt("%s/a", root), &err),
	    PGL_OK);
	assert_int_equal(pgl_file_mkdirs(root, fmt("%s/b", root), &err),
	    PGL_OK);
	assert_int_equal(mkdir(fmt("%s/t", outside), 0755), 0);
	put(fmt("%s/m.json", outside), "{}");
	put(fmt("%s/t/x.json", outside), "{}");
	put(fmt("%s/a/1.json", root), "1");
	put(fmt("%s/b/2.json", root), "2");
	put(fmt("%s/a/3.json", root), "3");
	put(fmt("%s/4.json", root), "4");
	link_to(fmt("%s/m.json", outside), fmt("%s/a/l.json", root));
	link_to(outside, fmt("%s/d", root));
	locs[n++] = fmt("%s/b/2.json", root);
	locs[n++] = fmt("%s/a/1.json", root);
	locs[n++] = fmt("%s/a/l.json", root);
	locs[n++] = fmt("%s/a/missing.json", root);
	locs[n++] = fmt("%s/gone/missing.json", root);
	locs[n++] = fmt("%s/d/t/x.json", root);
	locs[n++] = fmt("%s/m.json", outside);
	locs[n++] = fmt("%s/a/3.json", root);
	locs[n++] = fmt("%s/4.json", root);
	memset(&err, 0, sizeof(err));
	assert_int_equal(pgl_file_delete_many(root, locs, n, &err),
	    PGL_EINVAL);
	assert_int_equal(err.code, PGL_EINVAL);
	assert_false(exists(fmt("%s/a/1.json", root)));
	assert_false(exists(fmt("%s/b/2.json", root)));
	assert_false(exists(fmt("%s/a/3.json", root)));
	assert_false(exists(fmt("%s/4.json", root)));
	assert_true(exists(fmt("%s/m.json", outside)));
	assert_true(exists(fmt("%s/t/x.json", outside)));
	assert_int_equal(entries(fmt("%s/a", root)), 1);	/* the link */
	/* Each refusal alone, with its own message. */
	locs[0] = fmt("%s/a/l.json", root);
	assert_refused(pgl_file_delete_many(root, locs, 1, &err), &err,
	    locs[0]);
	locs[0] = fmt("%s/d/t/x.json", root);
	assert_refused(pgl_file_delete_many(root, locs, 1, &err), &err,
	    fmt("%s/d", root));
	locs[0] = fmt("%s/m.json", outside);
	assert_int_equal(pgl_file_delete_many(root, locs, 1, &err),
	    PGL_EINVAL);
	assert_non_null(strstr(err.msg, "outside the storage location"));
	assert_true(exists(fmt("%s/m.json", outside)));
	assert_true(exists(fmt("%s/t/x.json", outside)));
	/* Nothing to refuse: PGL_OK, missing files included. */
	locs[0] = fmt("%s/a/1.json", root);
	assert_int_equal(pgl_file_delete_many(root, locs, 1, &err), PGL_OK);
	assert_int_equal(pgl_file_delete_many(root, locs, 0, &err), PGL_OK);
}

#define BOTH(t)	cmocka_unit_test_setup_teardown(t, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_resolver_is_the_one_asked_for),
		BOTH(test_write_creates_directories_and_reads_back),
		BOTH(test_missing_root_is_created_on_write_only),
		BOTH(test_existing_file_is_never_replaced),
		BOTH(test_no_temporary_files_are_left_behind),
		BOTH(test_missing_file_and_size_limit),
		BOTH(test_text_gate_refuses_traversal_and_paths_outside_the_root),
		BOTH(test_object_store_schemes_are_refused_by_name),
		BOTH(test_directory_link_out_is_refused_for_every_operation),
		BOTH(test_file_link_out_is_refused_and_reported_not_followed),
		BOTH(test_refusal_is_the_same_whatever_the_link_points_to),
		BOTH(test_dotdot_and_links_that_stay_inside_are_refused),
		BOTH(test_mkdir_through_link_creates_nothing_outside),
		BOTH(test_a_link_in_place_of_the_root_is_refused),
		BOTH(test_fifo_is_refused_without_blocking),
		BOTH(test_stat_and_list_describe_without_following),
		BOTH(test_rename_moves_and_never_replaces),
		BOTH(test_delete_many_deletes_all_and_refuses_the_same),
	};
	int	failed;

	failed = cmocka_run_group_tests_name("fileio (openat2)", tests,
	    openat2_group, NULL);
	failed += cmocka_run_group_tests_name("fileio (O_NOFOLLOW walk)",
	    tests, walk_group, NULL);
	return (failed);
}
