/*
 * Data changes on both sides of a merge, combined the Iceberg way (issue
 * 13, item 3).  Each side's manifests since the base are the ones its
 * list has and the base's does not (added) and the base's it no longer
 * has (rewritten or dropped).  When both sides only appended (every
 * snapshot since the base an `append`, every base manifest kept), or when
 * the partitions the two sides touched are disjoint (branching/merge_parts.c, from
 * the manifest lists' partition summaries), the merged table gets one new
 * snapshot on top of the target's whose manifest list is the target's,
 * without the base manifests the source replaced, plus the ones the
 * source added.  Those are written as added by the new snapshot (its id,
 * and the next sequence number, which their entries inherit), so sequence
 * numbers stay monotonic on the target's line; on v3 tables their data
 * manifests get row ids from the target's next-row-id on, as the new
 * snapshot's first-row-id and added-rows say (v1 has no sequence numbers
 * to assign).  Anything else (touched partitions that meet, a v1 snapshot
 * listing its manifests inline) is left to the caller as a DataOverlap
 * listing the partitions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/branching/merge.h"
#include "api/read/read.h"
#include "api/storage/storage.h"
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

/*
 * 1 if md's line from its current snapshot reaches base_id (-1: the line
 * goes back to the table's first snapshot); *appends 1 if every snapshot
 * on the way is an append.
 */
static int
reaches(const json_t *md, json_int_t base_id, int *appends)
{
	const json_t	*s, *p;
	json_int_t	 id = current_id(md);
	size_t		 steps = 0;
	const char	*op;

	*appends = 1;
	while (id != base_id) {
		if (id < 0 || (s = snapshot(md, id)) == NULL ||
		    ++steps > json_array_size(json_object_get(md, "snapshots")))
			return (0);
		op = pgl_json_str(json_object_get(s, "summary"), "operation");
		if (op == NULL || strcmp(op, "append") != 0)
			*appends = 0;
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

/* The manifests of a not listed in b, into out (arena). */
static int
minus(struct pgl_req *r, const struct refs *a, const struct refs *b,
    struct refs *out)
{
	size_t	i;

	memset(out, 0, sizeof(*out));
	out->r = r;
	for (i = 0; i < a->n; i++) {
		if (!listed(b, a->v[i].path) && keep(out, &a->v[i]) != 0)
			return (-1);
	}
	return (0);
}

/* Both lists as one (the manifests a side touched). */
static int
both(struct pgl_req *r, const struct refs *a, const struct refs *b,
    struct refs *out)
{
	size_t	i;

	memset(out, 0, sizeof(*out));
	out->r = r;
	for (i = 0; i < a->n; i++)
		if (keep(out, &a->v[i]) != 0)
			return (-1);
	for (i = 0; i < b->n; i++)
		if (keep(out, &b->v[i]) != 0)
			return (-1);
	return (0);
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

/*
 * v3 row lineage: a data manifest brought in takes the ids from
 * next_row_id + *assigned on, as many as its added and existing rows,
 * and *assigned grows by them.  A count below zero, or ids past 2^63,
 * could not be handed out without giving some twice: -1.
 */
static int
stamp_rows(struct ice_manifest_ref *m, json_int_t next_row_id,
    json_int_t *assigned)
{
	int64_t	count, end;

	if (m->added_rows < 0 || m->existing_rows < 0 ||
	    __builtin_add_overflow(m->added_rows, m->existing_rows, &count) ||
	    __builtin_add_overflow(next_row_id, *assigned, &m->first_row_id) ||
	    __builtin_add_overflow(m->first_row_id, count, &end))
		return (-1);
	*assigned += count;
	return (0);
}

/*
 * The merged manifest list: the target's without what the source
 * replaced, plus what the source added, stamped as the new snapshot's;
 * on v3 its data manifests get row ids from next_row_id on (-1: v2), and
 * *assigned is how many the snapshot assigned (stamp_rows).  NULL for
 * counts that cannot be right (below zero, past 2^63): the merge is left
 * to the caller as for data it cannot combine.
 */
static struct ice_manifest_ref *
merged_list(struct pgl_req *r, const struct refs *tr,
    const struct refs *s_removed, const struct refs *s_added, json_int_t id,
    json_int_t next_row_id, size_t *n, json_int_t *files, json_int_t *rows,
    json_int_t *assigned, int *data_only)
{
	struct ice_manifest_ref	*all, *m;
	size_t			 i;

	*n = 0;
	*files = *rows = *assigned = 0;
	*data_only = 1;
	if ((all = pgl_arena_alloc(r->arena, (tr->n + s_added->n + 1) *
	    sizeof(*all))) == NULL)
		return (NULL);
	for (i = 0; i < tr->n; i++) {
		if (!listed(s_removed, tr->v[i].path))
			all[(*n)++] = tr->v[i];
	}
	for (i = 0; i < s_added->n; i++) {
		m = &all[(*n)++];
		*m = s_added->v[i];
		m->added_snapshot_id = id;
		/* Entries without a sequence number inherit the new one; an
		 * older explicit one (min below the manifest's) stays. */
		if (m->min_sequence_number >= m->sequence_number)
			m->min_sequence_number = -1;
		m->sequence_number = -1;
		if (m->content != ICE_CONTENT_DATA) {
			*data_only = 0;
			m->first_row_id = -1;
			continue;
		}
		if (__builtin_add_overflow(*files, m->added_files, files) ||
		    __builtin_add_overflow(*rows, m->added_rows, rows) ||
		    (next_row_id >= 0 && stamp_rows(m, next_row_id,
		    assigned) == -1))
			return (NULL);
	}
	return (all);
}

int
merge_appends(struct pgl_req *r, const struct pgl_catalog *c,
    const json_t *b, const json_t *s, const json_t *t, int dry,
    json_t *updates, json_t *overlapping)
{
	const struct pgl_storage	*st;
	struct ice_manifest_list_head	 head;
	struct refs			 br, sr, tr, s_add, s_rm, t_add, t_rm;
	struct refs			 s_touch, t_touch;
	struct ice_manifest_ref		*all;
	struct pgl_err			 err;
	const json_t			*fv = json_object_get(t, "format-version");
	json_int_t			 bid = current_id(b), tid = current_id(t);
	json_int_t			 id, added_files, added_rows, total;
	json_int_t			 version, next_row = -1, assigned;
	const char			*tloc = pgl_json_str(t, "location");
	char				 uuid[PGL_UUID_LEN + 1], *loc;
	void				*out;
	size_t				 outlen, n;
	int				 s_app, t_app, data_only;
	json_t				*summary, *snap;

	memset(&err, 0, sizeof(err));
	version = json_is_integer(fv) ? json_integer_value(fv) : 0;
	if (version == 3)
		next_row = json_integer_value(json_object_get(t, "next-row-id"));
	if (version < 1 || version > 3 || next_row < -1 || tloc == NULL ||
	    !reaches(s, bid, &s_app) || !reaches(t, bid, &t_app))
		return (0);
	if (read_list(r, c, b, bid, &br, &err) != PGL_OK ||
	    read_list(r, c, s, current_id(s), &sr, &err) != PGL_OK ||
	    read_list(r, c, t, tid, &tr, &err) != PGL_OK ||
	    minus(r, &sr, &br, &s_add) == -1 || minus(r, &br, &sr, &s_rm) == -1 ||
	    minus(r, &tr, &br, &t_add) == -1 || minus(r, &br, &tr, &t_rm) == -1)
		return (0);
	/* Anything but appends on both: the partitions must not meet. */
	if (!(s_app && t_app && s_rm.n == 0 && t_rm.n == 0)) {
		if (both(r, &s_add, &s_rm, &s_touch) == -1 ||
		    both(r, &t_add, &t_rm, &t_touch) == -1 ||
		    merge_touching(r, t, s_touch.v, s_touch.n, t_touch.v,
		    t_touch.n, overlapping))
			return (0);
	}
	/* A preview: it merges; the list is for the merge to write. */
	if (dry)
		return (1);
	id = new_snapshot_id(t);
	if ((all = merged_list(r, &tr, &s_rm, &s_add, id, next_row, &n,
	    &added_files, &added_rows, &assigned, &data_only)) == NULL)
		return (0);
	head = (struct ice_manifest_list_head){ (int)version, id, tid,
	    json_integer_value(json_object_get(t, "last-sequence-number")) + 1,
	    next_row };
	if (ice_manifest_list_write(&head, all, n, &out, &outlen, &err) == -1)
		return (0);
	pgl_uuid_new(uuid);
	/* A table from before locations were URIs gets its list as one. */
	loc = pgl_arena_printf(r->arena, "%s/metadata/snap-%lld-1-%s.avro",
	    ice_uri(r, tloc), (long long)id, uuid);
	if (loc == NULL || api_storage(r, c, &st, &err) != PGL_OK ||
	    pgl_obj_write(st, loc, out, outlen, &err) != PGL_OK) {
		free(out);
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	free(out);
	summary = json_pack("{s:s,s:s,s:s}", "operation", s_app &&
	    s_rm.n == 0 && data_only ? "append" : "overwrite",
	    "added-data-files", pgl_arena_printf(r->arena, "%lld",
	    (long long)added_files), "added-records",
	    pgl_arena_printf(r->arena, "%lld", (long long)added_rows));
	/* Totals only where they stay exact: nothing was replaced. */
	if (s_rm.n == 0 && data_only && (total = summary_int(snapshot(t, tid),
	    "total-data-files")) >= 0)
		json_object_set_new(summary, "total-data-files", json_string(
		    pgl_arena_printf(r->arena, "%lld", (long long)(total +
		    added_files))));
	if (s_rm.n == 0 && data_only && (total = summary_int(snapshot(t, tid),
	    "total-records")) >= 0)
		json_object_set_new(summary, "total-records", json_string(
		    pgl_arena_printf(r->arena, "%lld", (long long)(total +
		    added_rows))));
	json_array_append_new(updates, json_pack("{s:s,s:{s:I,s:I,s:I,s:I,"
	    "s:s,s:o,s:O}}", "action", "add-snapshot", "snapshot",
	    "snapshot-id", id, "parent-snapshot-id", tid, "sequence-number",
	    (json_int_t)head.sequence_number, "timestamp-ms",
	    (json_int_t)pgl_now_ms(), "manifest-list", loc, "summary", summary,
	    "schema-id", json_object_get(t, "current-schema-id")));
	snap = json_object_get(json_array_get(updates,
	    json_array_size(updates) - 1), "snapshot");
	/* v1 has no sequence numbers. */
	if (version == 1)
		json_object_del(snap, "sequence-number");
	if (version == 3) {
		json_object_set_new(snap, "first-row-id",
		    json_integer(next_row));
		json_object_set_new(snap, "added-rows", json_integer(assigned));
	}
	json_array_append_new(updates, json_pack("{s:s,s:s,s:s,s:I}",
	    "action", "set-snapshot-ref", "ref-name", "main", "type", "branch",
	    "snapshot-id", id));
	return (1);
}
