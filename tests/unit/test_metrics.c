/* Metrics: shared counters rendered as Prometheus text. */
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

#include "metrics/limits.h"
#include "metrics/metrics.h"
#include "metrics/sink_stats.h"

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
	text = pgl_metrics_render(PGL_METRICS_PUBLIC);
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
	text = pgl_metrics_render(PGL_METRICS_PUBLIC);
	assert_non_null(strstr(text, "route=\"/health/live\",status=\"other\"} 1"));
	free(text);
}

/* Lines of path holding needle. */
static int
lines_with(const char *path, const char *needle)
{
	char	 line[1024];
	FILE	*fp;
	int	 n = 0;

	assert_non_null(fp = fopen(path, "r"));
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(fp);
	return (n);
}

static void
test_a_limit_is_counted_per_hit_across_workers_and_logged_once_per_worker(
    void **state)
{
	char	 log[] = "/tmp/pgl-limits-XXXXXX", *text;
	pid_t	 pid;
	int	 fd, saved, i, st;

	(void)state;
	assert_int_equal(pgl_metrics_init(table, 2), 0);
	assert_true((fd = mkstemp(log)) >= 0);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) == STDERR_FILENO);
	/* Two "workers", three header timeouts each. */
	for (i = 0; i < 2; i++) {
		if ((pid = fork()) == 0) {
			pgl_limit_hit(PGL_LIMIT_HEADER_TIMEOUT, 10);
			pgl_limit_hit(PGL_LIMIT_HEADER_TIMEOUT, 10);
			pgl_limit_hit(PGL_LIMIT_HEADER_TIMEOUT, 10);
			_exit(pgl_limit_logged(PGL_LIMIT_HEADER_TIMEOUT) ? 0 : 1);
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &st, 0), pid);
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	/* Three limits share the 413 counter, each logged on its own. */
	pgl_limit_hit(PGL_LIMIT_BODY, 16);
	pgl_limit_hit(PGL_LIMIT_MANAGEMENT_BODY, 1);
	pgl_limit_hit(PGL_LIMIT_MANAGEMENT_BODY, 1);
	(void)fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) == STDERR_FILENO);
	close(saved);
	close(fd);

	assert_false(pgl_limit_logged(PGL_LIMIT_HEADER_TIMEOUT));
	assert_int_equal(pgl_metrics_get(PGL_C_HEADER_TIMEOUTS), 6);
	assert_int_equal(pgl_metrics_get(PGL_C_BODY_TOO_LARGE), 3);
	/* One line per worker, naming the setting, its value, the metric. */
	assert_int_equal(lines_with(log, "[server] header_timeout_secs 10 s "
	    "(PANGOLIN_HEADER_TIMEOUT_SECS)"), 2);
	assert_int_equal(lines_with(log, "pangolin_header_timeouts_total"), 2);
	assert_int_equal(lines_with(log, "max_management_body_bytes"), 1);
	assert_int_equal(lines_with(log, "[server] max_body_bytes"), 1);
	unlink(log);

	text = pgl_metrics_render(PGL_METRICS_PUBLIC);
	assert_non_null(text);
	assert_non_null(strstr(text, "\npangolin_header_timeouts_total 6\n"));
	assert_non_null(strstr(text, "\npangolin_body_too_large_total 3\n"));
	assert_non_null(strstr(text, "# TYPE pangolin_keepalive_closes_total "
	    "counter\npangolin_keepalive_closes_total 0\n"));
	free(text);
}

/* An api's extra lines: the tenants' only in their scope. */
static char *
tenant_extra(enum pgl_metrics_scope scope)
{
	return (strdup(scope == PGL_METRICS_TENANTS ?
	    "pangolin_scan_plans_stored{tenant=\"t-1\"} 1\n" :
	    "pangolin_scan_plans_running 0\n"));
}

static void
test_sink_series_and_extra_tenant_lines_only_in_the_tenants_scope(
    void **state)
{
	char	*pub, *all;

	(void)state;
	assert_int_equal(pgl_metrics_init(table, 2), 0);
	pgl_sink_stats_count("tenant-1", "sink-1", "webhook", 3, 1, 0);
	pgl_metrics_set_extra(tenant_extra);
	assert_non_null(pub = pgl_metrics_render(PGL_METRICS_PUBLIC));
	assert_non_null(all = pgl_metrics_render(PGL_METRICS_TENANTS));
	pgl_metrics_set_extra(NULL);
	/* Public: the totals, and the extra's process-wide lines. */
	assert_null(strstr(pub, "tenant="));
	assert_null(strstr(pub, "sink-1"));
	assert_null(strstr(pub, "tenant-1"));
	assert_non_null(strstr(pub, "\npangolin_event_sinks_delivered_total 3\n"));
	assert_non_null(strstr(pub, "\npangolin_scan_plans_running 0\n"));
	/* Root's, the scrape credential's: every series. */
	assert_non_null(strstr(all, "pangolin_event_sink_delivered_total{"
	    "tenant=\"tenant-1\",sink=\"sink-1\",kind=\"webhook\"} 3\n"));
	assert_non_null(strstr(all, "\npangolin_event_sinks_delivered_total 3\n"));
	assert_non_null(strstr(all, "pangolin_scan_plans_stored{tenant=\"t-1\"} 1"));
	free(pub);
	free(all);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_from_child_processes_are_visible_in_the_parent),
		cmocka_unit_test(test_unusual_status_is_counted_as_other),
		cmocka_unit_test(
		    test_a_limit_is_counted_per_hit_across_workers_and_logged_once_per_worker),
		cmocka_unit_test(
		    test_sink_series_and_extra_tenant_lines_only_in_the_tenants_scope),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
