/*
 * Appends on both sides of a merge, combined the Iceberg way (issue 13,
 * item 3): when every snapshot each side committed since the base is an
 * `append` and each side's manifest list still holds every manifest of
 * the base's (fast appends), the merged table gets one new snapshot on
 * top of the target's whose manifest list holds the target's manifests
 * plus the ones the source added.  Those are written as added by the new
 * snapshot (its id, and the next sequence number, which their entries
 * inherit), so sequence numbers stay monotonic on the target's line.
 * Anything else (overwrites, deletes, rewritten manifests, format v3 row
 * lineage) is left to the caller as a DataOverlap.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/iceberg.h"
#include "api/merge.h"
#include "iceberg/manifest.h"
#include "storage/objio.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

#define LIST_MAX	(256UL * 1024 * 1024)

struct refs {
	struct pgl_req		*r;
	struct ice_manifest_ref	*v;
	size_t			 n, cap;
	int			 oom;
};

/* Keep a copy of one manifest list record (its strings die with the
 * callback). */
static int
keep(void *arg, const struct ice_manifest_ref *m)
{
	struct refs		*rs = arg;
	struct ice_manifest_ref	*c, *nv;
	struct ice_field_summary *fs;
	size_t			 i;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		if ((nv = pgl_arena_alloc(rs->r->arena, rs->cap *
		    sizeof(*nv))) == NULL) {
			rs->oom = 1;
			return (1);
		}
		if (rs->n > 0)
			memcpy(nv, rs->v, rs->n * sizeof(*nv));
		rs->v = nv;
	}
	c = &rs->v[rs->n];
	*c = *m;
	c->path = pgl_arena_strdup(rs->r->arena, m->path);
	fs = m->npartitions > 0 ? pgl_arena_alloc(rs->r->arena,
	    m->npartitions * sizeof(*fs)) : NULL;
	if (c->path == NULL || (m->npartitions > 0 && fs == NULL)) {
		rs->oom = 1;
		return (1);
	}
	for (i = 0; i < m->npartitions; i++) {
		fs[i] = m->partitions[i];
		if (fs[i].lower != NULL && (fs[i].lower = pgl_arena_strndup(
		    rs->r->arena, m->partitions[i].lower,
		    m->partitions[i].lower_len)) == NULL)
			rs->oom = 1;
		if (fs[i].upper != NULL && (fs[i].upper = pgl_arena_strndup(
		    rs->r->arena, m->partitions[i].upper,
		    m->partitions[i].upper_len)) == NULL)
			rs->oom = 1;
	}
	c->partitions = fs;
	rs->n++;
	return (rs->oom);
}

static const json_t *
snapshot(const json_t *md, json_int_t id)
{
	const json_t	*s;
	size_t		 i;

	json_array_foreach(json_object_get(md, "snapshots"), i, s) {
		if (json_integer_value(json_object_get(s, "snapshot-id")) == id)
			return (s);
	}
	return (NULL);
}

static json_int_t
current_id(const json_t *md)
{
	const json_t	*v = json_object_get(md, "current-snapshot-id");

	return (json_is_integer(v) ? json_integer_value(v) : -1);
}

/* 1 if md's line from its current snapshot back to base_id is appends. */
static int
appends_only(const json_t *md, json_int_t base_id)
{
	const json_t	*s, *p;
	json_int_t	 id = current_id(md);
	size_t		 steps = 0;
	const char	*op;

	while (id != base_id) {
		if (id < 0 || (s = snapshot(md, id)) == NULL ||
		    ++steps > json_array_size(json_object_get(md, "snapshots")))
			return (0);
		op = pgl_json_str(json_object_get(s, "summary"), "operation");
		if (op == NULL || strcmp(op, "append") != 0)
			return (0);
		p = json_object_get(s, "parent-snapshot-id");
		id = json_is_integer(p) ? json_integer_value(p) : -1;
	}
	return (1);
}

/* The manifest list of md's snapshot id into rs (nothing for -1). */
static int
read_list(struct pgl_req *r, const struct pgl_catalog *c, const json_t *md,
    json_int_t id, struct refs *rs, struct pgl_err *err)
{
	const struct pgl_storage	*st;
	const char			*loc;
	char				*buf;
	size_t				 len;
	int				 rc;

	memset(rs, 0, sizeof(*rs));
	rs->r = r;
	if (id < 0)
		return (PGL_OK);
	loc = pgl_json_str(snapshot(md, id), "manifest-list");
	if (loc == NULL)
		return (PGL_EINVAL);	/* v1 inline manifests: not merged */
	if ((rc = api_storage(r, c, &st, err)) != PGL_OK ||
	    (rc = pgl_obj_read(st, loc, LIST_MAX, &buf, &len, err)) != PGL_OK)
		return (rc);
	rc = ice_manifest_list_read(buf, len, keep, rs, err) == -1 ?
	    PGL_EINVAL : PGL_OK;
	free(buf);
	return (rs->oom ? PGL_ENOMEM : rc);
}

static int
listed(const struct refs *rs, const char *path)
{
	size_t	i;

	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->v[i].path, path) == 0)
			return (1);
	}
	return (0);
}

/* 1 if every manifest of base is still in side's list. */
static int
keeps_base(const struct refs *side, const struct refs *base)
{
	size_t	i;

	for (i = 0; i < base->n; i++) {
		if (!listed(side, base->v[i].path))
			return (0);
	}
	return (1);
}

static json_int_t
summary_int(const json_t *snap, const char *key)
{
	const char	*v = pgl_json_str(json_object_get(snap, "summary"), key);

	return (v != NULL ? strtoll(v, NULL, 10) : -1);
}

/*
 * A positive snapshot id no snapshot of md has: 53 random bits, so that
 * clients whose numbers are doubles (JavaScript) read it exactly.
 */
static json_int_t
new_snapshot_id(const json_t *md)
{
	char		 uuid[PGL_UUID_LEN + 1], hex[17];
	json_int_t	 id;
	size_t		 i, j;

	do {
		pgl_uuid_new(uuid);
		for (i = j = 0; uuid[i] != '\0' && j < 16; i++) {
			if (uuid[i] != '-')
				hex[j++] = uuid[i];
		}
		hex[j] = '\0';
		id = (json_int_t)(strtoull(hex, NULL, 16) &
		    ((1ULL << 53) - 1));
	} while (id == 0 || snapshot(md, id) != NULL);
	return (id);
}

int
merge_appends(struct pgl_req *r, const struct pgl_catalog *c,
    const json_t *b, const json_t *s, const json_t *t, json_t *updates)
{
	const struct pgl_storage	*st;
	struct ice_manifest_list_head	 head;
	struct refs			 br, sr, tr;
	struct ice_manifest_ref		*all;
	struct pgl_err			 err;
	const json_t			*fv = json_object_get(t, "format-version");
	json_int_t			 bid = current_id(b), tid = current_id(t);
	json_int_t			 id, added_files = 0, added_rows = 0;
	json_int_t			 total;
	const char			*tloc = pgl_json_str(t, "location");
	char				 uuid[PGL_UUID_LEN + 1], *loc;
	void				*out;
	size_t				 outlen, n, i;
	json_t				*summary;

	memset(&err, 0, sizeof(err));
	if (!json_is_integer(fv) || json_integer_value(fv) != 2 ||
	    tloc == NULL || !appends_only(s, bid) || !appends_only(t, bid))
		return (0);
	if (read_list(r, c, b, bid, &br, &err) != PGL_OK ||
	    read_list(r, c, s, current_id(s), &sr, &err) != PGL_OK ||
	    read_list(r, c, t, tid, &tr, &err) != PGL_OK ||
	    !keeps_base(&sr, &br) || !keeps_base(&tr, &br))
		return (0);
	if ((all = pgl_arena_alloc(r->arena, (tr.n + sr.n + 1) *
	    sizeof(*all))) == NULL)
		return (0);
	memcpy(all, tr.v, tr.n * sizeof(*all));
	n = tr.n;
	id = new_snapshot_id(t);
	for (i = 0; i < sr.n; i++) {
		if (listed(&br, sr.v[i].path))
			continue;
		if (sr.v[i].content != ICE_CONTENT_DATA)
			return (0);
		all[n] = sr.v[i];
		/* Added by the new snapshot: its id, its sequence number. */
		all[n].added_snapshot_id = id;
		all[n].sequence_number = all[n].min_sequence_number = -1;
		added_files += sr.v[i].added_files + sr.v[i].existing_files;
		added_rows += sr.v[i].added_rows + sr.v[i].existing_rows;
		n++;
	}
	head = (struct ice_manifest_list_head){ 2, id, tid,
	    json_integer_value(json_object_get(t, "last-sequence-number")) + 1,
	    -1 };
	if (ice_manifest_list_write(&head, all, n, &out, &outlen, &err) == -1)
		return (0);
	pgl_uuid_new(uuid);
	loc = pgl_arena_printf(r->arena, "%s/metadata/snap-%lld-1-%s.avro",
	    tloc, (long long)id, uuid);
	if (loc == NULL || api_storage(r, c, &st, &err) != PGL_OK ||
	    pgl_obj_write(st, loc, out, outlen, &err) != PGL_OK) {
		free(out);
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	free(out);
	summary = json_pack("{s:s,s:s,s:s}", "operation", "append",
	    "added-data-files", pgl_arena_printf(r->arena, "%lld",
	    (long long)added_files), "added-records",
	    pgl_arena_printf(r->arena, "%lld", (long long)added_rows));
	if ((total = summary_int(snapshot(t, tid), "total-data-files")) >= 0)
		json_object_set_new(summary, "total-data-files", json_string(
		    pgl_arena_printf(r->arena, "%lld", (long long)(total +
		    added_files))));
	if ((total = summary_int(snapshot(t, tid), "total-records")) >= 0)
		json_object_set_new(summary, "total-records", json_string(
		    pgl_arena_printf(r->arena, "%lld", (long long)(total +
		    added_rows))));
	json_array_append_new(updates, json_pack("{s:s,s:{s:I,s:I,s:I,s:I,"
	    "s:s,s:o,s:O}}", "action", "add-snapshot", "snapshot",
	    "snapshot-id", id, "parent-snapshot-id", tid, "sequence-number",
	    (json_int_t)head.sequence_number, "timestamp-ms",
	    (json_int_t)pgl_now_ms(), "manifest-list", loc, "summary", summary,
	    "schema-id", json_object_get(t, "current-schema-id")));
	json_array_append_new(updates, json_pack("{s:s,s:s,s:s,s:I}",
	    "action", "set-snapshot-ref", "ref-name", "main", "type", "branch",
	    "snapshot-id", id));
	return (1);
}
