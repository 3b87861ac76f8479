/*
 * loadTable and the LoadTableResult (iceberg-commit.md §2), which create
 * and register answer too (rest/tables.c): the read room's answer
 * (ARCHITECTURE.md §14), read through the room's asset, metadata and
 * policy files and nothing of commits.  Its config and vended
 * credentials, its strong ETag, the caller's read restrictions (data
 * policies: a restricted answer carries them, is tagged apart from every
 * other caller's and is private to its caller), and the hot read path,
 * which frames the cached metadata bytes without parsing them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "api/api.h"
#include "api/cache/cache.h"
#include "api/gate.h"
#include "api/read/policies.h"
#include "api/read/read.h"
#include "api/storage/azure_vend.h"
#include "api/storage/storage.h"
#include "api/storage/sts_vend.h"
#include "api/target.h"
#include "app/app.h"
#include "http/gzip.h"
#include "iceberg/iceberg.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/jw.h"

#define KIND_TABLE	"ICEBERG_TABLE"

/*
 * The LoadTableResult's config, and its storage-credentials for the
 * table's files when vended credentials were asked for (stolen into j).
 */
static void
add_config(struct pgl_req *r, const struct pgl_catalog *c,
    const char *table_location, json_t *j)
{
	const char	*table = pgl_param(r, "table");
	json_t		*vended;

	if (table == NULL && r->body != NULL)
		table = pgl_json_str(r->body, "name");
	vended = c != NULL ? api_vended_config(r, c, table) : NULL;
	pgl_set_header(r, "vary", "X-Iceberg-Access-Delegation");
	if (vended == NULL) {
		json_object_set_new(j, "config", json_object());
		return;
	}
	/* Remote signing hands out no keys: config only. */
	if (json_object_get(vended, "s3.remote-signing-enabled") != NULL) {
		json_object_set_new(j, "config", vended);
		return;
	}
	json_object_set(j, "config", vended);
	json_object_set_new(j, "storage-credentials", json_pack("[{s:s,s:o}]",
	    "prefix", table_location, "config", vended));
}

/* LoadTableResult; md and rr (the caller's read restrictions, or NULL)
 * are stolen; labels: their JSON text (read/labels.c), or NULL. */
static json_t *
load_result(struct pgl_req *r, const struct pgl_catalog *c,
    const char *table_location, const char *location, json_t *md, json_t *rr,
    const char *labels)
{
	json_t	*j = json_object();

	if (location != NULL)
		json_object_set_new(j, "metadata-location",
		    json_string(ice_uri(r, location)));
	json_object_set_new(j, "metadata", md);
	add_config(r, c, table_location, j);
	if (rr != NULL)
		json_object_set_new(j, "read-restrictions", rr);
	if (labels != NULL)
		json_object_set_new(j, "labels", json_loads(labels, 0, NULL));
	return (j);
}

json_t *
ice_load_result(struct pgl_req *r, const struct pgl_catalog *c,
    const char *table_location, const char *location, json_t *md)
{
	return (load_result(r, c, table_location, location, md, NULL, NULL));
}

/*
 * The caller's read restrictions on table t (asset a), whose metadata is
 * read only when the tenant has policies: 0 (*rr NULL when none), or -1
 * after replying.  The metadata read here (md NULL) is handed to *kept
 * when kept is not NULL and restrictions apply, else released.
 */
static int
restrictions(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const json_t *md, json_t **rr, json_t **kept)
{
	json_t	*read = NULL, *applied = NULL;
	int	 any, rc;

	*rr = NULL;
	if (kept != NULL)
		*kept = NULL;
	if ((any = ice_policies_any(r)) <= 0)
		return (any);
	if (md == NULL && ice_read_metadata(r, &t->catalog,
	    a->metadata_location, 500, &read) == -1)
		return (-1);
	rc = ice_read_restrictions(r, t->catalog.name, t->ns, t->name,
	    a->id, md != NULL ? md : read, rr, &applied);
	if (rc == 0 && *rr != NULL && kept != NULL)
		*kept = read;
	else
		json_decref(read);
	/* Who read the table under which policies, an engine or not. */
	if (rc == 0 && *rr != NULL)
		api_audit_read(r, "load_table_restricted", "table", a->id,
		    t->name, json_pack("{s:o, s:b, s:s}", "policies", applied,
		    "enforcing_engine", ice_caller_enforces(r), "catalog",
		    t->catalog.name));
	return (rc);
}

/*
 * A restricted answer: its tag names the restrictions (a caller with
 * other restrictions, or none, never matches it), and no cache outside
 * the caller's own keeps it (the spec: not cached outside the
 * authenticated scope).  Returns the tag's mode.
 */
static const char *
restricted_mode(struct pgl_req *r, const char *mode, const json_t *rr)
{
	char		*text;
	uint64_t	 h;

	if (rr == NULL)
		return (mode);
	pgl_set_header(r, "cache-control", "private");
	text = pgl_json_dump(rr);
	h = pgl_fnv1a_str(PGL_FNV_BASIS, text != NULL ? text : "");
	free(text);
	return (pgl_arena_printf(r->arena, "%s+restricted:%016llx", mode,
	    (unsigned long long)h));
}

/*
 * A strong ETag: the metadata file names the table state exactly, so a
 * hash of its location (and of the answer's form) tells states apart.
 * Not a digest: nothing is secret or adversarial here, and SHA-256 was
 * 2 % of a cached loadTable.  A 64-bit FNV-1a and its mix, 32 hex digits.
 */
static void
etag(const char *location, const char *mode, char tag[40])
{
	static const char	hex[] = "0123456789abcdef";
	uint64_t		h[2];
	int			i;

	/* Over location '\n' mode. */
	h[0] = pgl_fnv1a_str(pgl_fnv1a(pgl_fnv1a_str(PGL_FNV_BASIS, location),
	    "\n", 1), mode);
	/* The second half is the first mixed (splitmix64's finaliser). */
	h[1] = (h[0] ^ (h[0] >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h[1] = (h[1] ^ (h[1] >> 27)) * 0x94d049bb133111ebULL;
	h[1] ^= h[1] >> 31;
	tag[0] = '"';
	for (i = 0; i < 32; i++)
		tag[1 + i] = hex[(h[i / 16] >> (60 - 4 * (i % 16))) & 0xf];
	tag[33] = '"';
	tag[34] = '\0';
}

void
ice_set_etag(struct pgl_req *r, const char *location, const char *mode)
{
	char	tag[40];

	etag(location, mode, tag);
	pgl_set_header(r, "etag", tag);
}

/*
 * Which keys this caller is handed: the warehouse's, STS keys for reading
 * or for writing, or none.  Not which STS keys: each worker mints its own,
 * so the same table would carry another tag on every worker (a create and
 * a load on two connections disagreed); a client renews STS keys through
 * /credentials before s3.session-token-expires-at-ms, not by reloading.
 */
static const char *
vend_mode(struct pgl_req *r, const struct pgl_catalog *c)
{
	const struct api_sas	*sas;
	json_t			*keys;

	if (api_sts_held(r) != NULL)
		return (api_may_write(r, c) ? "sts-write" : "sts-read");
	if ((sas = api_azure_held(r)) != NULL)
		return (sas->write ? "sas-write" : "sas-read");
	keys = api_client_config(r, c);
	json_decref(keys);
	return (keys != NULL ? "keys" : "vended");
}

/*
 * The answer differs with vended credentials, with whether this caller is
 * handed keys (writers only) and which, and with remote signing: so does
 * its tag, the same from a load, a create and a register.
 */
const char *
ice_tag_mode(struct pgl_req *r, const struct pgl_catalog *c, const char *mode)
{
	const char	*vend = pgl_header(r, "x-iceberg-access-delegation");

	if (vend == NULL)
		return (mode);
	return (pgl_arena_printf(r->arena, "%s+%s%s", mode, strstr(vend,
	    "vended-credentials") != NULL ? vend_mode(r, c) : "",
	    strstr(vend, "remote-signing") != NULL ? "signing" : ""));
}

/*
 * The catalog whose storage the answer of a table just made may hand
 * out: none to a restricted caller that is no enforcing engine.  Create
 * and register refuse such a caller before the table is made
 * (ice_storage_allowed_new); this holds when a policy came in between.
 */
static const struct pgl_catalog *
files_of(struct pgl_req *r, const struct pgl_catalog *c, const json_t *rr)
{
	if (rr != NULL && pgl_header(r, "x-iceberg-access-delegation") !=
	    NULL && !ice_caller_enforces(r))
		return (NULL);
	return (c);
}

/*
 * *md as the restricted caller may have it (issue 67: no statistic of a
 * field its restrictions mask; read/policies.h): replaced when something
 * is withheld.  1 replaced, 0 not, or -1 after replying.
 */
static int
withheld(struct pgl_req *r, json_t **md, const json_t *rr)
{
	json_t	*out;

	if (ice_restricted_metadata(r, *md, rr, &out) == -1)
		return (-1);
	if (out == NULL)
		return (0);
	json_decref(*md);
	*md = out;
	return (1);
}

void
ice_reply_created(struct pgl_req *r, const struct ice_target *t,
    const struct pgl_asset *a, const char *table_location, json_t *md)
{
	const char	*labels = NULL;
	json_t		*rr;

	if (restrictions(r, t, a, md, &rr, NULL) == -1 ||
	    ice_labels_text(r, a, rr, md, &labels) == -1 ||
	    withheld(r, &md, rr) == -1) {
		json_decref(rr);
		json_decref(md);
		return;
	}
	ice_set_etag(r, a->metadata_location, ice_labels_mode(r,
	    restricted_mode(r, ice_tag_mode(r, &t->catalog, "all"), rr),
	    labels));
	pgl_reply_json(r, 200, load_result(r, files_of(r, &t->catalog, rr),
	    table_location, a->metadata_location, md, rr, labels));
}

void
ice_reply_staged(struct pgl_req *r, const struct ice_target *t,
    const char *table_location, json_t *md)
{
	struct pgl_asset	 none;
	json_t			*rr;

	memset(&none, 0, sizeof(none));
	if (restrictions(r, t, &none, md, &rr, NULL) == -1 ||
	    withheld(r, &md, rr) == -1) {
		json_decref(rr);
		json_decref(md);
		return;
	}
	(void)restricted_mode(r, "all", rr);
	pgl_reply_json(r, 200, load_result(r, files_of(r, &t->catalog, rr),
	    table_location, NULL, md, rr, NULL));
}

/* The LoadTableResult around its metadata: what comes before and after. */
struct load_frame {
	const char	*head;	/* {"metadata-location":"...","metadata": */
	size_t		 headlen;
	const char	*tail;	/* ,"config":{...}} */
	size_t		 taillen;
};

static int
load_frame(struct pgl_req *r, const struct pgl_catalog *c,
    const char *table_location, const char *location, const json_t *rr,
    const char *labels, struct load_frame *f)
{
	struct pgl_jw	 w;
	json_t		*extra;
	char		*text;
	size_t		 n;

	f->tail = "\"config\":{}}";
	/* Vended credentials: config and storage-credentials after the
	 * metadata, still without parsing it. */
	extra = json_object();
	add_config(r, c, table_location, extra);
	if (rr != NULL)
		json_object_set(extra, "read-restrictions", (json_t *)rr);
	if ((json_object_size(json_object_get(extra, "config")) > 0 ||
	    rr != NULL) && (text = pgl_json_dump(extra)) != NULL) {
		f->tail = pgl_arena_strdup(r->arena, text + 1);
		free(text);
	}
	json_decref(extra);
	/* The labels' kept text as it is (read/labels.c), last. */
	if (f->tail != NULL && (n = strlen(f->tail)) > 0)
		f->tail = labels == NULL ? pgl_arena_printf(r->arena, ",%s",
		    f->tail) : pgl_arena_printf(r->arena,
		    ",%.*s,\"labels\":%s}", (int)(n - 1), f->tail, labels);
	/* Written, not built as a tree and dumped: 3 % of a cached load. */
	jw_init(&w);
	jw_open(&w, '{');
	jw_str(&w, "metadata-location", ice_uri(r, location));
	jw_raw(&w, ",\"metadata\":");
	f->head = w.oom ? NULL : pgl_arena_strndup(r->arena, w.buf, w.len);
	jw_free(&w);
	if (f->head == NULL || f->tail == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	f->headlen = strlen(f->head);
	f->taillen = strlen(f->tail);
	return (0);
}

/*
 * A gzip client: the metadata's segment, compressed when it was cached
 * and sent from the cache as it lies, between the frame compressed now
 * (http/gzip.h).  0 if replied, 1 if the body is too small to compress
 * (then answered plain), -1 if an error was replied.
 */
static int
reply_gz_load(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, const struct load_frame *f)
{
	struct pgl_reply_seg	 seg[3];
	struct pgl_gz_frame	 gf;
	struct pgl_gz_seg	 gz;
	unsigned char		*out;
	const char		*blob;
	size_t			 bloblen, cap;
	void			*ref;

	if (ice_metadata_gz(r, c, location, 500, &blob, &bloblen, &ref) == -1)
		return (-1);
	cap = pgl_gz_bound(f->headlen, NULL, f->taillen);
	if (pgl_gz_seg_parse(blob, bloblen, &gz) == -1 ||
	    f->headlen + gz.len + f->taillen <= PGL_GZIP_MIN ||
	    (out = pgl_arena_alloc(r->arena, cap)) == NULL ||
	    pgl_gz_frame(f->head, f->headlen, &gz, f->tail, f->taillen, out,
	    cap, &gf) == -1) {
		api_mcache_unref(ref);
		return (1);
	}
	seg[0] = (struct pgl_reply_seg){ gf.head, gf.headlen, NULL, NULL };
	seg[1] = (struct pgl_reply_seg){ gz.z, gz.zlen, api_mcache_unref,
	    ref };
	seg[2] = (struct pgl_reply_seg){ gf.tail, gf.taillen, NULL, NULL };
	pgl_reply_segs(r, 200, "application/json", 1, seg, 3);
	return (0);
}

/* The metadata sent from the cache as it lies, between the frame. */
static void
reply_plain_load(struct pgl_req *r, const struct pgl_catalog *c,
    const char *location, const struct load_frame *f)
{
	struct pgl_reply_seg	 seg[3];
	const char		*bytes;
	size_t			 len;
	void			*ref;

	if (ice_metadata_ref(r, c, location, 500, &bytes, &len, &ref) == -1)
		return;
	seg[0] = (struct pgl_reply_seg){ f->head, f->headlen, NULL, NULL };
	seg[1] = (struct pgl_reply_seg){ bytes, len, api_mcache_unref, ref };
	seg[2] = (struct pgl_reply_seg){ f->tail, f->taillen, NULL, NULL };
	pgl_reply_segs(r, 200, "application/json", 0, seg, 3);
}

/*
 * The hot read path: the LoadTableResult is assembled around the cached
 * metadata bytes, without parsing them (files are written by us, or
 * validated when registered, and never change).
 */
static void
reply_raw_load(struct pgl_req *r, const struct pgl_catalog *c,
    const char *table_location, const char *location, const json_t *rr,
    const char *labels)
{
	struct load_frame	f;

	if (load_frame(r, c, table_location, location, rr, labels, &f) == -1)
		return;
	if (pgl_req_gzip(r) && reply_gz_load(r, c, location, &f) != 1)
		return;
	reply_plain_load(r, c, location, &f);
}

/* Everything a load holds, let go of at its end. */
struct load_held {
	json_t		*md, *rr;
	const char	*labels;	/* their text (arena) */
};

static void
held_free(struct load_held *h)
{
	json_decref(h->md);
	json_decref(h->rr);
}

/* 1 when the caller's If-None-Match names tag (or is "*"). */
static int
not_modified(struct pgl_req *r, const char *tag)
{
	const char	*inm = pgl_header(r, "if-none-match");

	return (inm != NULL && (strcmp(inm, tag) == 0 ||
	    strcmp(inm, "*") == 0));
}

void
ice_table_load(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	struct load_held	 h = { NULL, NULL, NULL };
	const char		*mode = pgl_query(r, "snapshots");
	json_t			*refs;
	char			 tag[40];
	int			 changed;

	if (mode != NULL && strcmp(mode, "all") != 0 &&
	    strcmp(mode, "refs") != 0) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "snapshots must be 'all' or 'refs'");
		return;
	}
	if (mode == NULL)
		mode = "all";
	if (ice_target(r, "table", &t) == -1 ||
	    ice_find_asset(r, &t, KIND_TABLE, &a) == -1 ||
	    restrictions(r, &t, &a, NULL, &h.rr, &h.md) == -1)
		return;
	/* Vended credentials or remote signing: the files themselves.  The
	 * labels name the tag too: a 304 never hides a change of them. */
	if ((h.rr != NULL && pgl_header(r, "x-iceberg-access-delegation") !=
	    NULL && !ice_caller_enforces(r) &&
	    ice_storage_refused(r, t.name) == -1) ||
	    api_sts_prepare(r, &t.catalog, a.location, 0) == -1 ||
	    ice_labels_text(r, &a, h.rr, h.md, &h.labels) == -1) {
		held_free(&h);
		return;
	}
	etag(a.metadata_location, ice_labels_mode(r, restricted_mode(r,
	    ice_tag_mode(r, &t.catalog, mode), h.rr), h.labels), tag);
	pgl_set_header(r, "etag", tag);
	if (not_modified(r, tag)) {
		held_free(&h);
		pgl_reply_empty(r, 304);
		return;
	}
	/* A restricted caller's metadata without what it may not have: the
	 * bytes as they lie only when nothing is withheld. */
	if ((changed = h.md != NULL ? withheld(r, &h.md, h.rr) : 0) == -1) {
		held_free(&h);
		return;
	}
	if (strcmp(mode, "all") == 0 && !changed) {
		reply_raw_load(r, &t.catalog, a.location,
		    a.metadata_location, h.rr, h.labels);
		held_free(&h);
		return;
	}
	if (h.md == NULL && ice_read_metadata(r, &t.catalog,
	    a.metadata_location, 500, &h.md) == -1) {
		held_free(&h);
		return;
	}
	refs = strcmp(mode, "all") == 0 ? json_incref(h.md) :
	    ice_table_refs_only(h.md);
	pgl_reply_json(r, 200, load_result(r, &t.catalog, a.location,
	    a.metadata_location, refs, h.rr, h.labels));
	h.rr = NULL;
	held_free(&h);
}

void
ice_table_head(struct pgl_req *r)
{
	struct ice_target	t;
	struct pgl_asset	a;

	if (ice_target(r, "table", &t) == 0 &&
	    ice_find_asset(r, &t, KIND_TABLE, &a) == 0)
		pgl_reply_empty(r, 204);
}
