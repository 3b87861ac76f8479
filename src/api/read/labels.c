/*
 * Labels (apache/iceberg PR 15750; ../shared/spec/iceberg-labels.yaml):
 * catalog-owned enrichment a LoadTableResult and a LoadViewResult carry,
 * never written into a metadata file.  Ours are what the catalog already
 * keeps about an asset (issue 70):
 *
 *   object-labels  its business metadata (discovery/metadata.c): each
 *                  property, its value as it is when a string, else its
 *                  JSON text (null: none); and each tag, "k=v" (else
 *                  "k:v") as k: v and a plain tag t as t: "" (a
 *                  property of the same key wins);
 *   fields         its column tags (policies/column_tags.c), by field id,
 *                  each tag the same way.
 *
 * The operator's [labels] business_keys chooses the keys carried (every
 * one by default; none switches labels off); a key the secret rule names
 * (util/secret_key.h: "token", "secret", "password", "auth", "key" ...
 * in any spelling) is never carried.  A branch's own row of a table,
 * which has no business metadata or column tags of its own unless they
 * were set on it, carries its origin's: a branch carries its table's
 * labels.
 *
 * Per caller: a field its read restrictions project (a masked, hashed,
 * nulled ... column, or one nested in it; read/policies.h) has no label,
 * so a tag never tells what a policy hides.  The answer's ETag names the
 * labels (ice_labels_mode): a change of them changes the tag, and an old
 * tag is answered in full, never 304.
 *
 * Cost.  The asset's labels as the operator filters them are kept in the
 * config cache (config_cache.h) under the shared config epoch, which every
 * management change (a business metadata or column tags write among them)
 * bumps on every worker: a load reads them from the worker's cache, no
 * store round trip, labels or none, and an unrestricted caller's answer
 * carries the kept text as it is (no parse; the ETag hashes it); a
 * restricted caller's is parsed, masked and written again.  A miss costs
 * the business metadata read (free when the authorization step made it)
 * and the column tags read, two more on a branch's own row without any;
 * a tenant without any labels at all skips both (tenant_unlabelled).
 * Measured on the sanitizer build (load average 14, so roughly): a
 * load's handler time 0.08-0.10 ms, labelled or not, against 0.08 before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/config_cache.h"
#include "api/read/read.h"
#include "app/app.h"
#include "auth/grant_cache.h"
#include "policy/policy.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/secret_key.h"

#define WHAT_LABELS	"labels\x1f"
/* The tenant's flag: "1" labels somewhere, "0" none (store ABI 1.30). */
#define WHAT_ANY	"labels-any"

/* Whether labels are carried at all ([labels] business_keys = []). */
static int
labels_on(void)
{
	return (pgl_app.cfg == NULL || pgl_app.cfg->labels.business_keys.n > 0);
}

/* A key the operator lets through, and no secret's. */
static int
wanted(const char *key)
{
	const struct pgl_strlist	*l;
	size_t				 i;

	if (*key == '\0' || pgl_secret_key(key))
		return (0);
	if (pgl_app.cfg == NULL)
		return (1);
	l = &pgl_app.cfg->labels.business_keys;
	if (l->n == 1 && strcmp(l->v[0], "*") == 0)
		return (1);
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], key) == 0)
			return (1);
	return (0);
}

/* A tag as a label of into: "k=v" (else "k:v") is k: v, a plain tag t
 * is t: ""; a key already there (a property's) is kept. */
static void
tag_label(json_t *into, const char *tag)
{
	const char	*eq = strchr(tag, '=');
	char		*key;

	if (eq == NULL)
		eq = strchr(tag, ':');
	if (eq == NULL) {
		if (wanted(tag) && json_object_get(into, tag) == NULL)
			json_object_set_new(into, tag, json_string(""));
		return;
	}
	if ((key = strndup(tag, (size_t)(eq - tag))) == NULL)
		return;
	if (wanted(key) && json_object_get(into, key) == NULL)
		json_object_set_new(into, key, json_string(eq + 1));
	free(key);
}

/* The object labels of business metadata m (a new object). */
static json_t *
object_labels(const struct pgl_business_metadata *m)
{
	json_t		*out = json_object(), *props, *tags, *v;
	const char	*k;
	char		*text;
	size_t		 i;

	props = m != NULL ? pgl_json_load_or(m->properties, NULL) : NULL;
	json_object_foreach(props, k, v) {
		if (json_is_null(v) || !wanted(k))
			continue;
		if (json_is_string(v)) {
			json_object_set(out, k, v);
			continue;
		}
		if ((text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
		    JSON_ENCODE_ANY)) != NULL)
			json_object_set_new(out, k, json_string(text));
		free(text);
	}
	json_decref(props);
	tags = m != NULL ? pgl_json_load_or(m->tags, NULL) : NULL;
	json_array_foreach(tags, i, v) {
		if (json_is_string(v))
			tag_label(out, json_string_value(v));
	}
	json_decref(tags);
	return (out);
}

/* The field labels of n column tags (by field id, then tag). */
static json_t *
field_labels(const struct pgl_column_tag *t, size_t n)
{
	json_t	*out = json_array(), *labels = NULL;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (labels == NULL || t[i].field_id != t[i - 1].field_id) {
			if (json_object_size(labels) > 0)
				json_array_append_new(out, json_pack(
				    "{s:I,s:O}", "field-id",
				    (json_int_t)t[i - 1].field_id, "labels",
				    labels));
			json_decref(labels);
			labels = json_object();
		}
		tag_label(labels, t[i].tag);
	}
	if (json_object_size(labels) > 0)
		json_array_append_new(out, json_pack("{s:I,s:O}", "field-id",
		    (json_int_t)t[n - 1].field_id, "labels", labels));
	json_decref(labels);
	return (out);
}

/* Column tags of id: 0, or -1 after replying. */
static int
tags_of(struct pgl_req *r, const char *id, struct pgl_column_tag **t,
    size_t *n)
{
	struct pgl_err	err;

	*t = NULL;
	*n = 0;
	if (!pgl_store_has_policies(pgl_app.db))
		return (0);
	if (STORE(list_column_tags, r->arena, r->tenant, id, NULL, t, n,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

/*
 * The labels of asset a read from the store, as the operator filters
 * them: 0 with *out NULL (none) or a new object; -1 after replying.
 */
static int
read_labels(struct pgl_req *r, const struct pgl_asset *a, json_t **out)
{
	const struct pgl_business_metadata	*m;
	struct pgl_column_tag			*t = NULL;
	const char				*origin = a->origin;
	json_t					*obj, *fields;
	size_t					 n = 0;
	int					 rc, table;

	*out = NULL;
	/* A branch's own row: its origin's, when it has none itself. */
	if (origin != NULL && strcmp(origin, a->id) == 0)
		origin = NULL;
	if ((rc = api_asset_metadata(r, a->id, &m)) == 0 && origin != NULL)
		rc = api_asset_metadata(r, origin, &m);
	if (rc == -1)
		return (-1);
	table = a->kind != NULL && strcmp(a->kind, "ICEBERG_TABLE") == 0;
	if (table && tags_of(r, a->id, &t, &n) == -1)
		return (-1);
	if (table && n == 0 && origin != NULL && tags_of(r, origin, &t,
	    &n) == -1)
		return (-1);
	obj = object_labels(m);
	fields = field_labels(t, n);
	if (json_object_size(obj) == 0 && json_array_size(fields) == 0) {
		json_decref(obj);
		json_decref(fields);
		return (0);
	}
	*out = json_pack("{s:o,s:o}", "object-labels", obj, "fields", fields);
	return (0);
}

/*
 * The same through the config cache, as their JSON text (arena; NULL
 * for none): kept as that text ("" for none) with the epoch read before
 * the store was.  0, or -1 after replying.
 */
/*
 * 1 when the tenant has no business metadata and no column tag at all,
 * so no asset of it has labels: kept per tenant in the config cache
 * under the epoch read before the store was, as each asset's text is.
 * At a million tables no worker keeps most assets' texts, and each load
 * of one read both for it, two statements (on PostgreSQL two round
 * trips) beside the asset's own: 38,000 loads/s with labels off against
 * 22,000-33,000 on (SQLite, 2 workers, issue 69).  0 when it has some,
 * or when the store cannot tell (then each asset's are read).
 */
static int
tenant_unlabelled(struct pgl_req *r)
{
	const char	*body;
	struct pgl_err	 err;
	size_t		 len;
	uint64_t	 epoch, none;
	int		 any;

	if (pgl_app.in_tx || r->tenant[0] == '\0' ||
	    !PGL_STORE_HAS(pgl_app.db, 30, labels_any))
		return (0);
	if (api_list_cached(r, r->tenant, WHAT_ANY, &body, &len, &none) == 0)
		return (len == 1 && body[0] == '0');
	epoch = pgl_grant_epoch();
	if (STORE(labels_any, r->tenant, &any, &err) != PGL_OK)
		return (0);
	api_list_keep(r->tenant, WHAT_ANY, epoch, any ? "1" : "0", 1, 0);
	return (!any);
}

static int
cached_labels(struct pgl_req *r, const struct pgl_asset *a, const char **text)
{
	const char	*what, *body;
	char		*dump = NULL;
	size_t		 len;
	uint64_t	 epoch, none;
	json_t		*j;

	*text = NULL;
	if (tenant_unlabelled(r))
		return (0);
	what = pgl_arena_printf(r->arena, WHAT_LABELS "%s", a->id);
	if (what != NULL && api_list_cached(r, r->tenant, what, &body, &len,
	    &none) == 0) {
		*text = len > 0 ? body : NULL;
		return (0);
	}
	epoch = pgl_grant_epoch();
	if (read_labels(r, a, &j) == -1)
		return (-1);
	if (j != NULL && ((dump = pgl_json_dump(j)) == NULL ||
	    (*text = pgl_arena_strdup(r->arena, dump)) == NULL)) {
		free(dump);
		json_decref(j);
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	json_decref(j);
	if (what != NULL)
		api_list_keep(r->tenant, what, epoch, dump != NULL ? dump : "",
		    dump != NULL ? strlen(dump) : 0, 0);
	free(dump);
	return (0);
}

/*
 * labels without the field labels of what rr masks for the caller (md:
 * the table's metadata, for fields nested in a masked one; may be
 * NULL): 1 when something is left, 0 when nothing, -1 out of memory.
 */
static int
masked_out(json_t *labels, const json_t *rr, const json_t *md)
{
	struct pgl_pol_mask	 m;
	json_t			*fields;
	size_t			 i;

	fields = json_object_get(labels, "fields");
	if (pgl_pol_mask_of(rr, md, &m) == -1)
		return (-1);
	for (i = json_array_size(fields); i > 0; i--) {
		if (pgl_pol_masked(&m, json_integer_value(json_object_get(
		    json_array_get(fields, i - 1), "field-id"))))
			json_array_remove(fields, i - 1);
	}
	pgl_pol_mask_free(&m);
	return (json_object_size(json_object_get(labels, "object-labels")) >
	    0 || json_array_size(fields) > 0);
}

int
ice_labels_text(struct pgl_req *r, const struct pgl_asset *a,
    const json_t *rr, const json_t *md, const char **text)
{
	json_t	*j;
	char	*dump = NULL;
	int	 left;

	*text = NULL;
	if (!labels_on() || a == NULL || a->id == NULL || *a->id == '\0')
		return (0);
	if (cached_labels(r, a, text) == -1)
		return (-1);
	/* The hot path: the kept text as it is, no parse. */
	if (*text == NULL || rr == NULL)
		return (0);
	if ((j = json_loads(*text, 0, NULL)) == NULL ||
	    (left = masked_out(j, rr, md)) == -1 || (left == 1 &&
	    ((dump = pgl_json_dump(j)) == NULL ||
	    (*text = pgl_arena_strdup(r->arena, dump)) == NULL))) {
		free(dump);
		json_decref(j);
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (left == 0)
		*text = NULL;
	free(dump);
	json_decref(j);
	return (0);
}

int
ice_labels(struct pgl_req *r, const struct pgl_asset *a, const json_t *rr,
    const json_t *md, json_t **out)
{
	const char	*text;

	*out = NULL;
	if (ice_labels_text(r, a, rr, md, &text) == -1)
		return (-1);
	if (text != NULL && (*out = json_loads(text, 0, NULL)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	return (0);
}

const char *
ice_labels_mode(struct pgl_req *r, const char *mode, const char *text)
{
	if (text == NULL)
		return (mode);
	return (pgl_arena_printf(r->arena, "%s+labels:%016llx", mode,
	    (unsigned long long)pgl_fnv1a_str(PGL_FNV_BASIS, text)));
}
