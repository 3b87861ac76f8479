/*
 * Health, readiness and metrics: public, cheap, and never a crash even
 * when the store is gone.  /metrics' lines naming tenants are only for
 * root and the scrape credential (metrics_scope.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "app/app.h"
#include "metrics/metrics.h"

void
api_health_live(struct pgl_req *r)
{
	pgl_reply_json(r, 200, json_pack("{s:s}", "status", "alive"));
}

/* /health and /health/ready: ping the store and report its latency. */
void
api_health_ready(struct pgl_req *r)
{
	struct pgl_err	err;
	uint64_t	t0;
	int		rc;

	memset(&err, 0, sizeof(err));
	t0 = pgl_now_us();
	rc = pgl_app.dbh == NULL && pgl_app_store_open(&err) == -1 ?
	    PGL_EUNAVAIL : STORE(ping, &err);
	if (rc != PGL_OK) {
		pgl_metrics_set_ready(0);
		pgl_reply_json(r, 503, json_pack("{s:s,s:s,s:s}", "status",
		    "unready", "store", "unreachable", "error", err.msg));
		return;
	}
	pgl_metrics_set_ready(1);
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:s,s:f}", "status",
	    "ready", "store", "ok", "store_plugin", pgl_app.db->name,
	    "store_latency_ms", (pgl_now_us() - t0) / 1000.0));
}

void
api_metrics(struct pgl_req *r)
{
	char	*text;

	if ((text = pgl_metrics_render(api_metrics_scope(r))) == NULL) {
		pgl_reply_error(r, 500, "cannot render metrics");
		return;
	}
	pgl_reply_raw(r, 200, "text/plain; version=0.0.4", text, strlen(text));
	free(text);
}

void
api_app_config(struct pgl_req *r)
{
	pgl_reply_json(r, 200, json_pack("{s:b}", "auth_enabled",
	    !pgl_app.cfg->auth.no_auth));
}
