/*
 * One sealed value of each class, opened at start-up (sealed_probe.h).
 * The walk goes tenant by tenant (a page of them at a time) and stops as
 * soon as every class has its sample, so a store whose first tenant
 * holds one of each costs a handful of reads; one with none costs a read
 * per tenant and class, up to API_SEALED_PROBE_TENANTS tenants.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/storage/sealed_probe.h"
#include "app/app.h"
#include "events/webhook_secrets.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/seal.h"

#define PAGE	100
#define NO_KEY	"it is sealed and PANGOLIN_ENCRYPTION_KEY is not set"

enum cls { C_STORAGE, C_VENDING, C_FEDERATED, C_SETTINGS, C_WEBHOOK, NCLS };

static const char *const cls_name[NCLS] = {
	"warehouse secrets (storage_config)",
	"warehouse vending_strategy secrets",
	"federated catalog secrets (federated_config)",
	"tenant settings secrets",
	"webhook signing secrets",
};

struct probe {
	const unsigned char	*key;		/* NULL: no key set */
	int			 done[NCLS];	/* a sample was opened */
	int			 failed[NCLS];
	char			 why[NCLS][240];
	size_t			 left;		/* classes without a sample */
};

static void
noted(struct probe *p, enum cls c, const char *what, const char *why)
{
	p->done[c] = 1;
	p->left--;
	if (why == NULL)
		return;
	p->failed[c] = 1;
	(void)snprintf(p->why[c], sizeof(p->why[c]), "%s: %s cannot be "
	    "opened: %s", cls_name[c], what, why);
}

/* One sealed value of class c, held by what: open it. */
static void
sample(struct probe *p, enum cls c, const char *what, const char *aad,
    const char *text)
{
	char		*plain = NULL;
	const char	*why = NULL;

	if (p->key == NULL)
		why = NO_KEY;
	else if (pgl_unseal(p->key, aad, text, &plain, &why) == 0) {
		explicit_bzero(plain, strlen(plain));
		free(plain);
		why = NULL;
	}
	noted(p, c, what, why);
}

/* The first sealed string of obj (each sealed with its key as aad),
 * sampled as class c. */
static void
sample_obj(struct probe *p, enum cls c, const char *what, const json_t *obj)
{
	const char	*k;
	json_t		*v;

	if (p->done[c] || !json_is_object(obj))
		return;
	json_object_foreach((json_t *)obj, k, v) {
		if (json_is_string(v) &&
		    pgl_seal_is_sealed(json_string_value(v))) {
			sample(p, c, what, k, json_string_value(v));
			return;
		}
	}
}

/* A stored JSON text, parsed; NULL when absent or not JSON. */
static json_t *
doc(const char *text)
{
	return (text != NULL ? json_loads(text, 0, NULL) : NULL);
}

static void
warehouses(struct probe *p, struct pgl_arena *a, const char *tenant)
{
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_warehouse	*ws;
	struct pgl_err		 err;
	const char		*what;
	json_t			*j;
	size_t			 n, i;

	if ((p->done[C_STORAGE] && p->done[C_VENDING]) ||
	    STORE(list_warehouses, a, tenant, &all, &ws, &n, NULL, &err) !=
	    PGL_OK)
		return;
	for (i = 0; i < n; i++) {
		what = pgl_arena_printf(a, "warehouse '%s' of tenant %s",
		    ws[i].name, tenant);
		j = doc(ws[i].storage_config);
		sample_obj(p, C_STORAGE, what, j);
		json_decref(j);
		/* {"<variant>": {...}}: the variant's secrets. */
		j = doc(ws[i].vending_strategy);
		if (json_is_object(j))
			sample_obj(p, C_VENDING, what,
			    json_object_iter_value(json_object_iter(j)));
		json_decref(j);
	}
}

static void
catalogs(struct probe *p, struct pgl_arena *a, const char *tenant)
{
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_catalog	*cs;
	struct pgl_err		 err;
	json_t			*j;
	size_t			 n, i;

	if (p->done[C_FEDERATED] || STORE(list_catalogs, a, tenant, &all, &cs,
	    &n, NULL, &err) != PGL_OK)
		return;
	for (i = 0; i < n && !p->done[C_FEDERATED]; i++) {
		j = doc(cs[i].federated_config);
		sample_obj(p, C_FEDERATED, pgl_arena_printf(a, "catalog '%s' "
		    "of tenant %s", cs[i].name, tenant),
		    json_object_get(j, "properties"));
		json_decref(j);
	}
}

static void
settings(struct probe *p, struct pgl_arena *a, const char *tenant)
{
	struct pgl_err	 err;
	const char	*text = NULL;
	json_t		*j;

	if (p->done[C_SETTINGS] || pgl_app.db->get_settings == NULL ||
	    STORE(get_settings, a, tenant, &text, &err) != PGL_OK)
		return;
	j = doc(text);
	sample_obj(p, C_SETTINGS, pgl_arena_printf(a, "the settings of "
	    "tenant %s", tenant), j);
	json_decref(j);
}

static void
webhooks(struct probe *p, struct pgl_arena *a, const char *tenant)
{
	struct pgl_webhook_secrets	 s;
	struct pgl_webhook		*ws;
	struct pgl_err			 err;
	const char			*why;
	size_t				 n, i;

	if (p->done[C_WEBHOOK] || pgl_app.db->list_webhooks == NULL ||
	    STORE(list_webhooks, a, tenant, &ws, &n, &err) != PGL_OK)
		return;
	for (i = 0; i < n; i++) {
		if (!pgl_seal_is_sealed(ws[i].secrets))
			continue;
		why = NULL;
		if (p->key == NULL)
			why = NO_KEY;
		else if (pgl_webhook_secrets_parse(ws[i].secrets, p->key, &s,
		    &why) == 0)
			why = NULL;
		else if (why == NULL)
			why = "malformed";
		explicit_bzero(&s, sizeof(s));
		noted(p, C_WEBHOOK, pgl_arena_printf(a, "webhook '%s' of "
		    "tenant %s", ws[i].name != NULL ? ws[i].name : ws[i].id,
		    tenant), why);
		return;
	}
}

/* Tenants a page at a time until every class has its sample. */
static int
walk(struct probe *p, size_t *walked, char *why, size_t len)
{
	struct pgl_page		 pg = { PAGE, 0, NULL };
	struct pgl_tenant	*ts;
	struct pgl_arena	*a, *ta;
	struct pgl_err		 err;
	size_t			 n, i;

	for (;;) {
		if ((a = pgl_arena_new()) == NULL) {
			(void)snprintf(why, len, "out of memory");
			return (-2);
		}
		if (STORE(list_tenants, a, &pg, &ts, &n, NULL, &err) !=
		    PGL_OK) {
			(void)snprintf(why, len, "the store's tenants cannot "
			    "be read: %s", err.msg);
			pgl_arena_free(a);
			return (-2);
		}
		for (i = 0; i < n && p->left > 0 &&
		    *walked < API_SEALED_PROBE_TENANTS; i++, (*walked)++) {
			if ((ta = pgl_arena_new()) == NULL)
				break;
			warehouses(p, ta, ts[i].id);
			catalogs(p, ta, ts[i].id);
			settings(p, ta, ts[i].id);
			webhooks(p, ta, ts[i].id);
			pgl_arena_free(ta);
		}
		pgl_arena_free(a);
		if (n < PAGE || p->left == 0 ||
		    *walked >= API_SEALED_PROBE_TENANTS)
			return (0);
		pg.offset += n;
	}
}

int
api_sealed_probe(char *why, size_t len)
{
	const struct pgl_config	*cfg = pgl_app.cfg;
	struct probe		 p;
	char			 proved[512] = "", none[512] = "";
	size_t			 walked = 0, at = 0, c;
	int			 rc;

	memset(&p, 0, sizeof(p));
	p.key = cfg->auth.has_encryption_key ? cfg->auth.encryption_key :
	    NULL;
	p.left = NCLS;
	*why = '\0';
	if ((rc = walk(&p, &walked, why, len)) != 0)
		return (rc);
	for (c = 0; c < NCLS; c++) {
		if (p.failed[c])
			at += (size_t)snprintf(why + at, at < len ? len - at :
			    0, "%s%s", at > 0 ? "; " : "", p.why[c]);
		else if (p.done[c])
			(void)snprintf(proved + strlen(proved),
			    sizeof(proved) - strlen(proved), "%s%s",
			    *proved != '\0' ? ", " : "", cls_name[c]);
		else
			(void)snprintf(none + strlen(none),
			    sizeof(none) - strlen(none), "%s%s",
			    *none != '\0' ? ", " : "", cls_name[c]);
	}
	if (at > 0)
		return (-1);
	if (*proved != '\0')
		pgl_log(PGL_LOG_INFO, "sealed values open with "
		    "PANGOLIN_ENCRYPTION_KEY (a sample of each): %s", proved);
	if (*none != '\0' && walked >= API_SEALED_PROBE_TENANTS)
		pgl_log(PGL_LOG_INFO, "sealed values: none of %s among the "
		    "first %zu tenants; not proved", none, walked);
	return (0);
}

int
api_sealed_start(char *why, size_t len)
{
	char	found[1024];
	int	rc = api_sealed_probe(found, sizeof(found));

	*why = '\0';
	if (rc == -2)
		pgl_log(PGL_LOG_WARN, "sealed values not proved: %s", found);
	if (rc != -1)
		return (0);
	if (pgl_app.cfg->auth.start_with_unreadable_secrets) {
		pgl_log(PGL_LOG_WARN, "%s; starting anyway "
		    "(start_with_unreadable_secrets): what they secure fails "
		    "until they are entered again", found);
		return (0);
	}
	/* The whole account in the log; the caller's one line is short. */
	pgl_log(PGL_LOG_ERR, "%s.  Start with the PANGOLIN_ENCRYPTION_KEY "
	    "they were sealed with, or set [auth] "
	    "start_with_unreadable_secrets = true (PANGOLIN_START_WITH_"
	    "UNREADABLE_SECRETS) to start and enter them again", found);
	(void)snprintf(why, len, "sealed secrets of the store do not open "
	    "with PANGOLIN_ENCRYPTION_KEY (each class named above)");
	return (-1);
}
