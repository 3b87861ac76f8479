/* Cache statistics: per-worker rows in shared memory, summed by readers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "metrics/cache_stats.h"

static int	metadata, config;

static int
setup(void **state)
{
	(void)state;
	if (pgl_cache_stats_init() == -1)
		return (-1);
	metadata = pgl_cache_stats_register("metadata", "l1");
	config = pgl_cache_stats_register("config", "l1");
	return (metadata == 0 && config == 1 ? 0 : -1);
}

/* A "worker": publish its snapshot (twice, as after two operations). */
static void
child_publishes(uint64_t hits, uint64_t misses, uint64_t bytes)
{
	struct pgl_cache_stats	s = { 0 };
	pid_t			pid;
	int			st;

	if ((pid = fork()) == 0) {
		s.hits = 1;
		pgl_cache_stats_publish(metadata, &s);
		s.hits = hits;
		s.misses = misses;
		s.entries = 1;
		s.bytes = bytes;
		pgl_cache_stats_publish(metadata, &s);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_int_equal(st, 0);
}

static void
test_rows_of_every_worker_are_summed_and_a_republish_replaces(void **state)
{
	struct pgl_cache_stats	t;

	(void)state;
	child_publishes(3, 1, 100);
	child_publishes(5, 1, 50);
	pgl_cache_stats_total(metadata, &t);
	assert_int_equal(t.hits, 8);
	assert_int_equal(t.misses, 2);
	assert_int_equal(t.entries, 2);
	assert_int_equal(t.bytes, 150);
	assert_true(pgl_cache_stats_hit_ratio(&t) > 0.79 &&
	    pgl_cache_stats_hit_ratio(&t) < 0.81);
	/* Another cache's rows are its own. */
	pgl_cache_stats_total(config, &t);
	assert_int_equal(t.hits + t.misses + t.entries, 0);
	assert_true(pgl_cache_stats_hit_ratio(&t) == 0.0);
}

static void
test_names_and_bad_ids(void **state)
{
	struct pgl_cache_stats	t = { .hits = 9 };

	(void)state;
	assert_string_equal(pgl_cache_stats_name(config), "config");
	assert_string_equal(pgl_cache_stats_tier(metadata), "l1");
	assert_null(pgl_cache_stats_name(7));
	assert_null(pgl_cache_stats_name(-1));
	pgl_cache_stats_publish(-1, &t);	/* ignored, no crash */
	pgl_cache_stats_publish(42, &t);
	pgl_cache_stats_total(42, &t);
	assert_int_equal(t.hits, 0);
	while (pgl_cache_stats_count() < PGL_CACHE_STATS_MAX)
		assert_true(pgl_cache_stats_register("x", "l2") >= 0);
	assert_int_equal(pgl_cache_stats_register("full", "l1"), -1);
}

static void
test_render_is_prometheus_text_with_cache_and_tier_labels(void **state)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*fp;

	(void)state;
	fp = open_memstream(&text, &len);
	assert_non_null(fp);
	pgl_cache_stats_render(fp);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(strstr(text,
	    "# TYPE pangolin_cache_hits_total counter\n"));
	assert_non_null(strstr(text,
	    "pangolin_cache_hits_total{cache=\"metadata\",tier=\"l1\"} 8\n"));
	assert_non_null(strstr(text,
	    "pangolin_cache_bytes{cache=\"metadata\",tier=\"l1\"} 150\n"));
	assert_non_null(strstr(text,
	    "pangolin_cache_misses_total{cache=\"config\",tier=\"l1\"} 0\n"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_of_every_worker_are_summed_and_a_republish_replaces),
		cmocka_unit_test(test_names_and_bad_ids),
		cmocka_unit_test(test_render_is_prometheus_text_with_cache_and_tier_labels),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
