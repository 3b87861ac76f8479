/* FileIO on local disk: atomic, never-replacing writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "storage/fileio.h"

static char	root[64];

static int
setup(void **state)
{
	(void)state;
	(void)snprintf(root, sizeof(root), "/tmp/pgl-fileio-XXXXXX");
	return (mkdtemp(root) == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return (system(cmd) == 0 ? 0 : -1);
}

static void
test_write_creates_directories_and_reads_back(void **state)
{
	struct pgl_err	 err;
	char		 loc[256], *data;
	size_t		 len;

	(void)state;
	(void)snprintf(loc, sizeof(loc), "file://%s/t/metadata/0.json", root);
	assert_int_equal(pgl_file_write(loc, "{\"a\":1}", 7, &err), PGL_OK);
	assert_int_equal(pgl_file_read(loc, 1024, &data, &len, &err), PGL_OK);
	assert_int_equal(len, 7);
	assert_string_equal(data, "{\"a\":1}");
	free(data);
}

static void
test_existing_file_is_never_replaced(void **state)
{
	struct pgl_err	 err;
	char		 loc[256], *data;
	size_t		 len;

	(void)state;
	(void)snprintf(loc, sizeof(loc), "%s/m.json", root);
	assert_int_equal(pgl_file_write(loc, "one", 3, &err), PGL_OK);
	assert_int_equal(pgl_file_write(loc, "two", 3, &err), PGL_EEXISTS);
	assert_int_equal(pgl_file_read(loc, 1024, &data, &len, &err), PGL_OK);
	assert_string_equal(data, "one");
	free(data);
}

static void
test_no_temporary_files_are_left_behind(void **state)
{
	struct pgl_err	 err;
	char		 loc[256], cmd[256];

	(void)state;
	(void)snprintf(loc, sizeof(loc), "%s/d/x.json", root);
	assert_int_equal(pgl_file_write(loc, "x", 1, &err), PGL_OK);
	(void)pgl_file_write(loc, "y", 1, &err);
	(void)snprintf(cmd, sizeof(cmd), "test $(ls -A %s/d | wc -l) -eq 1",
	    root);
	assert_int_equal(system(cmd), 0);
}

static void
test_missing_file_and_size_limit(void **state)
{
	struct pgl_err	 err;
	char		 loc[256], *data;
	size_t		 len;

	(void)state;
	(void)snprintf(loc, sizeof(loc), "%s/nope.json", root);
	assert_int_equal(pgl_file_read(loc, 10, &data, &len, &err),
	    PGL_ENOTFOUND);
	assert_int_equal(pgl_file_delete(loc, &err), PGL_OK);
	assert_int_equal(pgl_file_write(loc, "0123456789ab", 12, &err), PGL_OK);
	assert_int_equal(pgl_file_read(loc, 10, &data, &len, &err), PGL_EINVAL);
	assert_int_equal(pgl_file_delete(loc, &err), PGL_OK);
	assert_int_equal(access(loc, F_OK), -1);
}

static void
test_traversal_and_remote_schemes_are_refused(void **state)
{
	struct pgl_err	err;

	(void)state;
	assert_int_equal(pgl_file_write("/tmp/a/../b.json", "x", 1, &err),
	    PGL_EINVAL);
	assert_int_equal(pgl_file_write("relative.json", "x", 1, &err),
	    PGL_EINVAL);
	assert_int_equal(pgl_file_delete("s3://bucket/k.json", &err),
	    PGL_EUNSUPPORTED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_creates_directories_and_reads_back),
		cmocka_unit_test(test_existing_file_is_never_replaced),
		cmocka_unit_test(test_no_temporary_files_are_left_behind),
		cmocka_unit_test(test_missing_file_and_size_limit),
		cmocka_unit_test(test_traversal_and_remote_schemes_are_refused),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
