/* Metrics: shared counters rendered as Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "metrics/metrics.h"

static const char *const table[] = { "/health/live", "/api/v1/catalogs" };

static void
test_counts_from_child_processes_are_visible_in_the_parent(void **state)
{
	char	*text;
	pid_t	 pid;
	int	 i, st;

	(void)state;
	assert_int_equal(pgl_metrics_init(table, 2), 0);
	/* Two "workers" after fork, as Kore does. */
	for (i = 0; i < 2; i++) {
		if ((pid = fork()) == 0) {
			pgl_metrics_observe(2, "POST", 201, 3000);
			pgl_metrics_observe(2, "POST", 201, 30000);
			_exit(0);
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
	}
	pgl_metrics_observe(0, "GET", 404, 10);
	pgl_metrics_set_ready(1);
	text = pgl_metrics_render();
	assert_non_null(text);
	assert_non_null(strstr(text, "pangolin_http_requests_total{method=\"POST\","
	    "route=\"/api/v1/catalogs\",status=\"201\"} 4\n"));
	assert_non_null(strstr(text, "pangolin_http_requests_total{method=\"GET\","
	    "route=\"unmatched\",status=\"404\"} 1\n"));
	/* Cumulative buckets: 2 of 4 at or below 5 ms, all 4 below 50 ms. */
	assert_non_null(strstr(text, "route=\"/api/v1/catalogs\",status=\"201\","
	    "le=\"0.005\"} 2\n"));
	assert_non_null(strstr(text, "route=\"/api/v1/catalogs\",status=\"201\","
	    "le=\"0.05\"} 4\n"));
	assert_non_null(strstr(text, "_sum{method=\"POST\",route=\"/api/v1/"
	    "catalogs\",status=\"201\"} 0.066000\n"));
	assert_non_null(strstr(text, "pangolin_ready 1\n"));
	assert_null(strstr(text, "/health/live"));	/* never requested */
	free(text);
}

static void
test_unusual_status_is_counted_as_other(void **state)
{
	char	*text;

	(void)state;
	pgl_metrics_observe(1, "GET", 418, 1);
	text = pgl_metrics_render();
	assert_non_null(strstr(text, "route=\"/health/live\",status=\"other\"} 1"));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_from_child_processes_are_visible_in_the_parent),
		cmocka_unit_test(test_unusual_status_is_counted_as_other),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
