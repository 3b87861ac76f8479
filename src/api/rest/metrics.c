/*
 * POST .../tables/{table}/metrics: a client's ScanReport or CommitReport
 * (REST spec ReportMetricsRequest).  Reports are checked as strictly as
 * every other /v1 body (unknown fields, wrong types, missing fields: 400)
 * and then dropped: the spec only asks for 204, and storing them is a
 * job for a metrics pipeline, not the catalog's store.
 */
#include <string.h>

#include "api/target.h"
#include "api/read/read.h"
#include "api/rest/rest.h"
#include "util/json.h"

/*
 * Reports name a few dozen counters: the dispatcher refuses a body past
 * [server] max_metrics_body_bytes (1 MiB) before it is parsed, so a client
 * cannot make the catalog parse and walk megabytes for an answer it
 * throws away (http/kore_dispatch.c family_limit).
 */

static const struct pgl_jfield scan_fields[] = {
	{ "report-type", PGL_J_STRING, 1 },
	{ "table-name", PGL_J_STRING, 1 },
	{ "snapshot-id", PGL_J_INT, 1 },
	{ "filter", PGL_J_ANY, 1 },
	{ "schema-id", PGL_J_INT, 1 },
	{ "projected-field-ids", PGL_J_ARRAY, 1 },
	{ "projected-field-names", PGL_J_STRLIST, 1 },
	{ "metrics", PGL_J_OBJECT, 1 },
	{ "metadata", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield commit_fields[] = {
	{ "report-type", PGL_J_STRING, 1 },
	{ "table-name", PGL_J_STRING, 1 },
	{ "snapshot-id", PGL_J_INT, 1 },
	{ "sequence-number", PGL_J_INT, 1 },
	{ "operation", PGL_J_STRING, 1 },
	{ "metrics", PGL_J_OBJECT, 1 },
	{ "metadata", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

/* MetricResult is a CounterResult or a TimerResult, told apart by keys. */
static const struct pgl_jfield counter_fields[] = {
	{ "unit", PGL_J_STRING, 1 },
	{ "value", PGL_J_INT, 1 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield timer_fields[] = {
	{ "time-unit", PGL_J_STRING, 1 },
	{ "count", PGL_J_INT, 1 },
	{ "total-duration", PGL_J_INT, 1 },
	{ NULL, 0, 0 }
};

static int
check_metrics(const json_t *metrics, char *why, size_t whylen)
{
	const struct pgl_jfield	*shape;
	const char		*key;
	json_t			*v;
	char			 inner[128];

	json_object_foreach((json_t *)metrics, key, v) {
		shape = json_object_get(v, "unit") != NULL ? counter_fields :
		    timer_fields;
		if (pgl_json_check(v, shape, inner, sizeof(inner)) == -1) {
			(void)snprintf(why, whylen, "metrics.%.100s: %s", key,
			    inner);
			return (-1);
		}
	}
	return (0);
}

static int
check_int_list(const json_t *arr)
{
	size_t	 i;
	json_t	*v;

	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v))
			return (-1);
	}
	return (0);
}

static int
check_report(const json_t *body, char *why, size_t whylen)
{
	const struct pgl_jfield	*shape;
	const char		*type;
	const json_t		*ids;

	if (!json_is_object(body)) {
		(void)snprintf(why, whylen, "a metrics report must be a JSON "
		    "object");
		return (-1);
	}
	if ((type = pgl_json_str(body, "report-type")) == NULL) {
		(void)snprintf(why, whylen, "field `report-type` is required "
		    "and must be a string");
		return (-1);
	}
	if (strcmp(type, "scan-report") == 0)
		shape = scan_fields;
	else if (strcmp(type, "commit-report") == 0)
		shape = commit_fields;
	else {
		(void)snprintf(why, whylen, "unknown report-type `%.64s` "
		    "(scan-report or commit-report)", type);
		return (-1);
	}
	if (pgl_json_check(body, shape, why, whylen) == -1)
		return (-1);
	ids = json_object_get(body, "projected-field-ids");
	if (ids != NULL && check_int_list(ids) == -1) {
		(void)snprintf(why, whylen, "field `projected-field-ids` must "
		    "be an array of integers");
		return (-1);
	}
	return (check_metrics(json_object_get(body, "metrics"), why, whylen));
}

void
ice_table_metrics(struct pgl_req *r)
{
	struct ice_target	t;
	struct pgl_asset	a;
	char			why[256];

	if (r->body == NULL || check_report(r->body, why, sizeof(why)) == -1) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "%s",
		    r->body == NULL ? "a JSON request body is required" : why);
		return;
	}
	if (ice_target(r, "table", &t) == -1 ||
	    ice_find_asset(r, &t, "ICEBERG_TABLE", &a) == -1)
		return;
	pgl_reply_empty(r, 204);
}
