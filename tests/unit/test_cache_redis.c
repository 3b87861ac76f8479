/*
 * The Redis cache plugin without a server: option validation, and a
 * Redis that is not there is a miss (never an error), logged once, and
 * not dialled again until the back-off has passed.  The plugin source is
 * linked in; redis_l2.test.js covers it against a real redis-server.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "pangolin/cache.h"

static int	warnings, infos;

static void
count_log(int level, const char *fmt, ...)
{
	(void)fmt;
	if (level == PGL_LOG_WARN)
		warnings++;
	else if (level == PGL_LOG_INFO)
		infos++;
}

static const struct pgl_host host = {
	.abi_major = PGL_HOST_ABI_MAJOR,
	.abi_minor = PGL_HOST_ABI_MINOR,
	.log = count_log,
};

static int
open_with(const char *key, const char *value, struct pgl_cache **c,
    struct pgl_err *err)
{
	struct pgl_kv	kv = { key, value };

	return (pangolin_cache_plugin()->open(&host, &kv, 1, c, err));
}

static void
refused(const char *key, const char *value, const char *says)
{
	struct pgl_cache	*c = NULL;
	struct pgl_err		 err = { 0 };

	assert_int_equal(open_with(key, value, &c, &err), PGL_EINVAL);
	assert_null(c);
	if (strstr(err.msg, says) == NULL)
		fail_msg("%s=%s: \"%s\" lacks \"%s\"", key, value, err.msg, says);
}

static void
test_bad_options_are_refused_naming_the_option(void **state)
{
	(void)state;
	refused("url", "http://h:1", "option url");
	refused("url", "redis://", "option url");
	refused("url", "redis://:6379", "option url");
	refused("url", "redis://h:0", "option url");
	refused("url", "redis://h:65536", "option url");
	refused("url", "redis://h:12x", "option url");
	refused("url", "redis://u:p@h:1", "option url");
	refused("url", "redis://h:1/16", "option url");
	refused("url", "redis://h:1/-1", "option url");
	refused("timeout_ms", "0", "from 1 to 50");
	refused("timeout_ms", "51", "from 1 to 50");
	refused("timeout_ms", " 5", "timeout_ms");
	refused("ttl_secs", "0", "ttl_secs");
	refused("prefix", "a*b", "prefix");
	refused("nope", "1", "unknown option \"nope\"");
}

static void
test_good_options_open_without_connecting(void **state)
{
	const struct pgl_cache_ops	*ops = pangolin_cache_plugin();
	struct pgl_kv			 kv[] = {
		{ "url", "redis://localhost:1/15" }, { "timeout_ms", "1" },
		{ "ttl_secs", "60" }, { "prefix", "p:" },
	};
	struct pgl_cache		*c = NULL;
	struct pgl_err			 err = { 0 };

	(void)state;
	assert_int_equal(ops->abi_major, PGL_CACHE_ABI_MAJOR);
	warnings = 0;
	assert_int_equal(ops->open(&host, kv, 4, &c, &err), PGL_OK);
	assert_non_null(c);
	assert_int_equal(warnings, 0);
	ops->close(c);
}

/* A loopback port nothing listens on (bound, then closed). */
static int
closed_port(void)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };
	socklen_t		len = sizeof(sin);
	int			fd, port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return (port);
}

static void
test_a_missing_server_is_a_miss_logged_once(void **state)
{
	const struct pgl_cache_ops	*ops = pangolin_cache_plugin();
	struct pgl_cache_stats		 st = { 0 };
	struct pgl_cache		*c = NULL;
	struct pgl_err			 err = { 0 };
	char				 url[64];
	void				*v = NULL;
	size_t				 len = 0;
	int				 i;

	(void)state;
	(void)snprintf(url, sizeof(url), "redis://127.0.0.1:%d", closed_port());
	assert_int_equal(open_with("url", url, &c, &err), PGL_OK);
	warnings = 0;
	for (i = 0; i < 5; i++)
		assert_int_equal(ops->get(c, "k", &v, &len), PGL_ENOTFOUND);
	assert_null(v);
	assert_int_not_equal(ops->put(c, "k", "v", 1, 0), PGL_OK);
	assert_int_not_equal(ops->del(c, "k"), PGL_OK);
	assert_int_equal(warnings, 1);
	ops->stats(c, &st);
	assert_int_equal(st.misses, 5);
	assert_int_equal(st.hits, 0);
	assert_int_equal(ops->del_prefix(c, "x"), PGL_EUNSUPPORTED);
	ops->clear(c);
	ops->close(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_options_are_refused_naming_the_option),
		cmocka_unit_test(test_good_options_open_without_connecting),
		cmocka_unit_test(test_a_missing_server_is_a_miss_logged_once),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
