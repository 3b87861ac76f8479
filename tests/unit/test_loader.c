/*
 * Plugin loader: each refusal names the file and the reason.  Plugins come
 * from $PGL_PLUGIN_DIR (the real ones) and $PGL_TEST_PLUGIN_DIR (the
 * deliberately broken ones in tests/plugins/).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "plugin/loader.h"

static char *
broken(const char *name)
{
	static char	path[512];
	const char	*dir = getenv("PGL_TEST_PLUGIN_DIR");

	(void)snprintf(path, sizeof(path), "%s/%s.so",
	    dir != NULL ? dir : "build/test/tests/plugins", name);
	return (path);
}

static char *
real(const char *name)
{
	static char	path[512];
	const char	*dir = getenv("PGL_PLUGIN_DIR");

	(void)snprintf(path, sizeof(path), "%s/%s.so",
	    dir != NULL ? dir : "build/test/plugins", name);
	return (path);
}

static void
test_real_store_and_cache_plugins_load(void **state)
{
	struct pgl_plugin		 p;
	struct pgl_err			 err;
	const struct pgl_store_ops	*s;
	const struct pgl_cache_ops	*c;

	(void)state;
	assert_non_null(s = pgl_store_plugin_load(real("store-sqlite"), &p,
	    &err));
	assert_string_equal(s->name, "sqlite");
	pgl_plugin_unload(&p);
	assert_non_null(c = pgl_cache_plugin_load(real("cache"), &p, &err));
	pgl_plugin_unload(&p);
}

static void
test_missing_file_names_the_paths_tried(void **state)
{
	struct pgl_plugin	p;
	struct pgl_err		err;

	(void)state;
	assert_null(pgl_store_plugin_load("store-nope", &p, &err));
	assert_int_equal(err.code, PGL_ENOTFOUND);
	assert_non_null(strstr(err.msg, "store-nope"));
	assert_non_null(strstr(err.msg, "plugins/store-nope.so"));
	assert_null(pgl_store_plugin_load("/nonexistent/x.so", &p, &err));
	assert_non_null(strstr(err.msg, "/nonexistent/x.so"));
}

static void
test_not_a_shared_object_reports_dlerror(void **state)
{
	struct pgl_plugin	 p;
	struct pgl_err		 err;
	char			 path[] = "/tmp/pgl-bad-XXXXXX.so";
	FILE			*fp;
	int			 fd;

	(void)state;
	fd = mkstemps(path, 3);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("this is not an ELF file\n", fp);
	fclose(fp);
	assert_null(pgl_store_plugin_load(path, &p, &err));
	assert_non_null(strstr(err.msg, "dlopen failed"));
	assert_non_null(strstr(err.msg, path));
	remove(path);
}

static void
test_undefined_symbol_fails_at_load_not_at_first_call(void **state)
{
	struct pgl_plugin	p;
	struct pgl_err		err;

	(void)state;
	assert_null(pgl_store_plugin_load(broken("undefined_symbol"), &p,
	    &err));
	assert_non_null(strstr(err.msg, "pgl_symbol_that_does_not_exist"));
}

static void
test_missing_entry_symbol_is_refused(void **state)
{
	struct pgl_plugin	p;
	struct pgl_err		err;

	(void)state;
	assert_null(pgl_store_plugin_load(broken("no_symbol"), &p, &err));
	assert_non_null(strstr(err.msg, "missing symbol pangolin_store_plugin"));
}

static void
test_abi_major_mismatch_names_both_versions(void **state)
{
	struct pgl_plugin	p;
	struct pgl_err		err;
	char			want[64];

	(void)state;
	assert_null(pgl_store_plugin_load(broken("abi_mismatch"), &p, &err));
	(void)snprintf(want, sizeof(want), "ABI major version %d, this "
	    "pangolin needs %d", PGL_STORE_ABI_MAJOR + 98, PGL_STORE_ABI_MAJOR);
	assert_non_null(strstr(err.msg, want));
}

static void
test_missing_required_method_is_named(void **state)
{
	struct pgl_plugin	p;
	struct pgl_err		err;

	(void)state;
	assert_null(pgl_store_plugin_load(broken("missing_methods"), &p,
	    &err));
	assert_non_null(strstr(err.msg, "copy_assets_bulk"));
}

static void
test_open_failure_carries_the_plugins_message(void **state)
{
	const struct pgl_store_ops	*s;
	struct pgl_plugin		 p;
	struct pgl_store		*h = NULL;
	struct pgl_err			 err;

	(void)state;
	assert_non_null(s = pgl_store_plugin_load(broken("open_fails"), &p,
	    &err));
	assert_int_equal(s->open(pgl_host_api(), NULL, 0, &h, &err),
	    PGL_EUNAVAIL);
	assert_non_null(strstr(err.msg, "db.invalid"));
	pgl_plugin_unload(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_store_and_cache_plugins_load),
		cmocka_unit_test(test_missing_file_names_the_paths_tried),
		cmocka_unit_test(test_not_a_shared_object_reports_dlerror),
		cmocka_unit_test(test_undefined_symbol_fails_at_load_not_at_first_call),
		cmocka_unit_test(test_missing_entry_symbol_is_refused),
		cmocka_unit_test(test_abi_major_mismatch_names_both_versions),
		cmocka_unit_test(test_missing_required_method_is_named),
		cmocka_unit_test(test_open_failure_carries_the_plugins_message),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
