/*
 * A PlanTableScanRequest bound to the table's metadata: which snapshot
 * (snapshot-id, the Pangolin extension "ref" naming a branch or tag of
 * the table, or main's current one), or which appends (start-snapshot-id
 * exclusive, end-snapshot-id inclusive); the schema (the snapshot's when
 * use-snapshot-schema or a tag, else the table's); the filter bound to
 * it; select and stats-fields resolved to field ids; the table's
 * partition specs bound to the same schema; the caller's read
 * restrictions applied to all of it (scan_restrict.c).  Every refusal is
 * a 400 with the Iceberg error envelope.
 */
#include <string.h>
#include <strings.h>

#include "api/api.h"
#include "api/scan/scan.h"
#include "util/arena.h"
#include "util/json.h"

#define BAD	"BadRequestException"

const json_t *
scan_snapshot_of(const json_t *md, int64_t id)
{
	const json_t	*s;
	size_t		 i;

	json_array_foreach(json_object_get(md, "snapshots"), i, s) {
		if (json_integer_value(json_object_get(s, "snapshot-id")) == id)
			return (s);
	}
	return (NULL);
}

static const json_t *
schema_of(const json_t *md, int64_t id)
{
	const json_t	*s;
	size_t		 i;

	json_array_foreach(json_object_get(md, "schemas"), i, s) {
		if (json_integer_value(json_object_get(s, "schema-id")) == id)
			return (s);
	}
	return (NULL);
}

/* A field by full dotted name through structs, or NULL. */
static const json_t *
field_named(const json_t *st, const char *name, int cs)
{
	const json_t	*f;
	const char	*dot = strchr(name, '.'), *fn;
	size_t		 i, n = dot != NULL ? (size_t)(dot - name) :
			    strlen(name);

	json_array_foreach(json_object_get(st, "fields"), i, f) {
		fn = pgl_json_str(f, "name");
		if (fn == NULL || strlen(fn) != n || (cs ?
		    strncmp(fn, name, n) : strncasecmp(fn, name, n)) != 0)
			continue;
		if (dot == NULL)
			return (f);
		if (!json_is_object(json_object_get(f, "type")))
			return (NULL);
		return (field_named(json_object_get(f, "type"), dot + 1, cs));
	}
	return (NULL);
}

/* A list of field names to ids and types (NULL list: none); -1 after 400. */
static int
field_ids(struct pgl_req *r, const json_t *names, const json_t *schema,
    int cs, const char *what, int32_t **ids, const json_t ***types,
    size_t *n)
{
	const json_t	*v, *f;
	size_t		 i, cap = json_array_size(names) + 1;

	*ids = NULL;
	*n = 0;
	if (names == NULL || json_is_null(names))
		return (0);
	if (!json_is_array(names)) {
		pgl_reply_ice_error(r, 400, BAD, "%s must be a list of field "
		    "names", what);
		return (-1);
	}
	*ids = pgl_arena_alloc(r->arena, cap * sizeof(**ids));
	*types = pgl_arena_alloc(r->arena, cap * sizeof(**types));
	json_array_foreach(names, i, v) {
		if (!json_is_string(v) || (f = field_named(schema,
		    json_string_value(v), cs)) == NULL) {
			pgl_reply_ice_error(r, 400, BAD, "%s: no field %.200s "
			    "in the schema", what, json_is_string(v) ?
			    json_string_value(v) : "(not a string)");
			return (-1);
		}
		(*ids)[*n] = (int32_t)json_integer_value(json_object_get(f,
		    "id"));
		(*types)[(*n)++] = json_object_get(f, "type");
	}
	return (0);
}

/* An optional int64 member; -1 after 400, 0 absent, 1 present. */
static int
opt_id(struct pgl_req *r, const json_t *body, const char *key, int64_t *out)
{
	const json_t	*v = json_object_get(body, key);

	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_integer(v)) {
		pgl_reply_ice_error(r, 400, BAD, "%s must be a snapshot id",
		    key);
		return (-1);
	}
	*out = json_integer_value(v);
	return (1);
}

static int
no_snapshot(struct pgl_req *r, int64_t id)
{
	pgl_reply_ice_error(r, 400, BAD, "snapshot %lld is not a snapshot of "
	    "this table", (long long)id);
	return (-1);
}

/* The appends after start up to end, along end's parents. */
static int
incremental(struct pgl_req *r, const json_t *md, int64_t start, int64_t end,
    struct scan_req *q)
{
	const json_t	*s;
	int64_t		 id = end;
	size_t		 n = json_array_size(json_object_get(md, "snapshots"));

	if (scan_snapshot_of(md, start) == NULL)
		return (no_snapshot(r, start));
	if (scan_snapshot_of(md, end) == NULL)
		return (no_snapshot(r, end));
	q->appends = pgl_arena_alloc(r->arena, (n + 1) * sizeof(int64_t));
	while (id != start) {
		const char *op;

		if ((s = scan_snapshot_of(md, id)) == NULL || q->nappends > n) {
			pgl_reply_ice_error(r, 400, BAD, "start-snapshot-id "
			    "%lld is not an ancestor of end-snapshot-id %lld",
			    (long long)start, (long long)end);
			return (-1);
		}
		op = pgl_json_str(json_object_get(s, "summary"), "operation");
		if (op == NULL || strcmp(op, "append") == 0)
			q->appends[q->nappends++] = id;
		id = json_is_integer(json_object_get(s, "parent-snapshot-id")) ?
		    json_integer_value(json_object_get(s,
		    "parent-snapshot-id")) : -1;
	}
	q->snapshot_id = end;
	q->start_id = start;
	return (0);
}

/* The point-in-time snapshot; *tag when a tag named it. */
static int
point_in_time(struct pgl_req *r, const json_t *body, const json_t *md,
    struct scan_req *q, int *tag)
{
	const char	*ref = pgl_json_str(body, "ref");
	const json_t	*cur, *rf;
	int		 has;

	*tag = 0;
	if ((has = opt_id(r, body, "snapshot-id", &q->snapshot_id)) == -1)
		return (-1);
	if (has && ref != NULL) {
		pgl_reply_ice_error(r, 400, BAD, "give snapshot-id or ref, "
		    "not both");
		return (-1);
	}
	if (has)
		return (scan_snapshot_of(md, q->snapshot_id) == NULL ?
		    no_snapshot(r, q->snapshot_id) : 0);
	if (ref != NULL) {
		rf = json_object_get(json_object_get(md, "refs"), ref);
		if (rf == NULL) {
			pgl_reply_ice_error(r, 400, BAD, "the table has no "
			    "branch or tag %.200s", ref);
			return (-1);
		}
		*tag = strcmp(pgl_json_str(rf, "type") != NULL ?
		    pgl_json_str(rf, "type") : "", "tag") == 0;
		q->snapshot_id = json_integer_value(json_object_get(rf,
		    "snapshot-id"));
		return (0);
	}
	cur = json_object_get(md, "current-snapshot-id");
	q->snapshot_id = json_is_integer(cur) && json_integer_value(cur) >= 0 ?
	    json_integer_value(cur) : -1;
	return (0);
}

static int
snapshots(struct pgl_req *r, const json_t *body, const json_t *md,
    struct scan_req *q, int *tag)
{
	int64_t	start = -1, end = -1;
	int	hs, he;

	if ((hs = opt_id(r, body, "start-snapshot-id", &start)) == -1 ||
	    (he = opt_id(r, body, "end-snapshot-id", &end)) == -1)
		return (-1);
	*tag = 0;
	if (!hs && !he)
		return (point_in_time(r, body, md, q, tag));
	if (!hs || !he) {
		pgl_reply_ice_error(r, 400, BAD, "an incremental scan needs "
		    "both start-snapshot-id and end-snapshot-id");
		return (-1);
	}
	if (json_object_get(body, "snapshot-id") != NULL ||
	    json_object_get(body, "ref") != NULL) {
		pgl_reply_ice_error(r, 400, BAD, "a scan is either point in "
		    "time (snapshot-id, ref) or incremental (start-snapshot-"
		    "id, end-snapshot-id), not both");
		return (-1);
	}
	return (incremental(r, md, start, end, q));
}

static int
bind_specs(struct pgl_req *r, const json_t *md, struct scan_req *q)
{
	const json_t	*specs = json_object_get(md, "partition-specs"), *s;
	struct ice_err	 e;
	size_t		 i;

	q->specs = pgl_arena_alloc(r->arena, (json_array_size(specs) + 1) *
	    sizeof(*q->specs));
	json_array_foreach(specs, i, s) {
		if (ice_pspec_bind(r->arena, s, q->schema, &q->specs[q->nspecs],
		    &e) == -1) {
			pgl_reply_ice_error(r, 400, BAD, "partition spec: %s",
			    e.msg);
			return (-1);
		}
		q->nspecs++;
	}
	return (0);
}

static const json_t *
pick_schema(const json_t *md, const json_t *body, int tag,
    int64_t snapshot_id)
{
	const json_t	*snap, *sid;

	if ((json_is_true(json_object_get(body, "use-snapshot-schema")) ||
	    tag) && (snap = scan_snapshot_of(md, snapshot_id)) != NULL &&
	    json_is_integer(sid = json_object_get(snap, "schema-id")))
		return (schema_of(md, json_integer_value(sid)));
	return (schema_of(md, json_integer_value(json_object_get(md,
	    "current-schema-id"))));
}

int
scan_req_parse(struct pgl_req *r, const json_t *body, const json_t *md,
    struct scan_req *q)
{
	const json_t	*filter = json_object_get(body, "filter");
	struct ice_err	 e;
	int32_t		*sel;
	const json_t	**seltypes;
	size_t		 nsel;
	int		 cs, tag;

	memset(q, 0, sizeof(*q));
	q->snapshot_id = q->start_id = -1;
	q->format_version = (int)json_integer_value(json_object_get(md,
	    "format-version"));
	cs = !json_is_false(json_object_get(body, "case-sensitive"));
	if (snapshots(r, body, md, q, &tag) == -1)
		return (-1);
	if ((q->schema = pick_schema(md, body, tag, q->snapshot_id)) == NULL) {
		pgl_reply_ice_error(r, 400, BAD, "the table metadata has no "
		    "schema for this snapshot");
		return (-1);
	}
	q->has_filter = filter != NULL && !json_is_null(filter);
	q->filter = ice_expr_true();
	if (q->has_filter && (q->filter = ice_expr_bind(r->arena, filter,
	    q->schema, cs, &e)) == NULL) {
		pgl_reply_ice_error(r, e.status ? e.status : 400, e.type ?
		    e.type : BAD, "filter: %s", e.msg);
		return (-1);
	}
	if (field_ids(r, json_object_get(body, "select"), q->schema, cs,
	    "select", &sel, &seltypes, &nsel) == -1 ||
	    field_ids(r, json_object_get(body, "stats-fields"), q->schema, cs,
	    "stats-fields", &q->stats, &q->stats_types, &q->nstats) == -1 ||
	    scan_restrict_req(r, body, md, q) == -1)
		return (-1);
	return (bind_specs(r, md, q));
}

const struct ice_pspec *
scan_spec(const struct scan_req *q, int32_t id)
{
	size_t	i;

	for (i = 0; i < q->nspecs; i++) {
		if (q->specs[i].spec_id == id)
			return (&q->specs[i]);
	}
	return (NULL);
}
