/*
 * SQL functions (the Iceberg UDF spec, iceberg-udf-spec.md; issue 70):
 * a function's metadata built from a create request, and a replace
 * appended to it, with the server assigning what the proposal (apache/
 * iceberg PR 17966) says it assigns: the function-uuid, the
 * format-version, each definition's definition-id (from its parameter
 * types) and current-version-id, each version's version-id and
 * timestamp-ms, and the definition-log.  Pure JSON in and out, so every
 * rule of the spec is checked here, once, with a 400 naming what is
 * wrong: a type, a parameter, a representation of a dialect, an
 * overload given twice, a specific name taken.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iceberg/internal.h"

#define FN_FORMAT	1	/* the UDF spec's format-version */
#define FN_MAX_DEFS	256	/* overloads of one name */
#define FN_MAX_VERSIONS	1000	/* versions of one definition */
#define FN_MAX_PARAMS	256
#define FN_ID_MAX	4096	/* a definition-id, bytes */
#define FN_MAX_ALL	10000	/* versions of all the definitions */
#define FN_MAX_LOG	1000	/* log entries kept: the newest */

static int
opt_str(const json_t *o, const char *key, const char *where,
    struct ice_err *e)
{
	const json_t	*v = json_object_get(o, key);

	if (v != NULL && !json_is_string(v))
		return (ice_bad(e, "%s: \"%s\" must be a string", where, key));
	return (0);
}

static int
opt_bool(const json_t *o, const char *key, const char *where,
    struct ice_err *e)
{
	const json_t	*v = json_object_get(o, key);

	if (v != NULL && !json_is_boolean(v))
		return (ice_bad(e, "%s: \"%s\" must be a boolean", where, key));
	return (0);
}

/*
 * One version of the request (the server's ids and time not yet in it):
 * its representations (SQL, one per dialect), deterministic and
 * on-null-input.  The version written: a new object.
 */
static json_t *
version_new(const json_t *v, const char *where, int64_t id, int64_t now_ms,
    struct ice_err *e)
{
	const json_t	*reps, *rep, *other;
	const char	*type, *dialect, *sql, *onn;
	json_t		*out, *outreps;
	size_t		 i, j;
	char		 w[160];

	if (!json_is_object(v)) {
		ice_bad(e, "%s: a version is an object", where);
		return (NULL);
	}
	reps = json_object_get(v, "representations");
	if (!json_is_array(reps) || json_array_size(reps) == 0) {
		ice_bad(e, "%s: \"representations\" must be a non-empty array",
		    where);
		return (NULL);
	}
	if (opt_bool(v, "deterministic", where, e) == -1)
		return (NULL);
	onn = json_string_value(json_object_get(v, "on-null-input"));
	if (json_object_get(v, "on-null-input") != NULL && (onn == NULL ||
	    (strcmp(onn, "return-null") != 0 && strcmp(onn, "call") != 0))) {
		ice_bad(e, "%s: \"on-null-input\" must be \"return-null\" or "
		    "\"call\"", where);
		return (NULL);
	}
	if ((outreps = json_array()) == NULL) {
		ice_oom(e);
		return (NULL);
	}
	json_array_foreach(reps, i, rep) {
		(void)snprintf(w, sizeof(w), "%s, representation %zu", where,
		    i);
		type = json_string_value(json_object_get(rep, "type"));
		dialect = json_string_value(json_object_get(rep, "dialect"));
		sql = json_string_value(json_object_get(rep, "sql"));
		if (!json_is_object(rep) || type == NULL ||
		    strcmp(type, "sql") != 0) {
			ice_bad(e, "%s: \"type\" must be \"sql\"", w);
			goto fail;
		}
		if (dialect == NULL || *dialect == '\0' || sql == NULL ||
		    *sql == '\0') {
			ice_bad(e, "%s: \"dialect\" and \"sql\" must be "
			    "non-empty strings", w);
			goto fail;
		}
		for (j = 0; j < i; j++) {
			other = json_array_get(reps, j);
			if (strcasecmp(dialect, json_string_value(
			    json_object_get(other, "dialect"))) == 0) {
				ice_bad(e, "%s: dialect \"%.40s\" is given "
				    "twice (one SQL representation per "
				    "dialect)", w, dialect);
				goto fail;
			}
		}
		if (json_array_append_new(outreps, json_pack("{s:s,s:s,s:s}",
		    "type", "sql", "dialect", dialect, "sql", sql)) == -1) {
			ice_oom(e);
			goto fail;
		}
	}
	out = json_pack("{s:I,s:o,s:b,s:s,s:I}", "version-id", (json_int_t)id,
	    "representations", outreps, "deterministic",
	    json_is_true(json_object_get(v, "deterministic")),
	    "on-null-input", onn != NULL ? onn : "call",
	    "timestamp-ms", (json_int_t)now_ms);
	if (out == NULL)
		ice_oom(e);
	return (out);
fail:
	json_decref(outreps);
	return (NULL);
}

/*
 * A definition of the request checked, its canonical definition-id in
 * id (cap bytes) and its parameters copied: a new definition without
 * versions (the caller adds them).
 */
static json_t *
definition_new(const json_t *d, size_t idx, char *id, size_t cap,
    struct ice_err *e)
{
	const json_t	*params, *p, *rt;
	const char	*ft, *name;
	json_t		*out, *outp;
	struct ice_sbuf	 b = { id, 0, cap };
	size_t		 i, j;
	char		 where[96], pw[160];

	(void)snprintf(where, sizeof(where), "definitions[%zu]", idx);
	*id = '\0';
	if (!json_is_object(d)) {
		ice_bad(e, "%s: a definition is an object", where);
		return (NULL);
	}
	params = json_object_get(d, "parameters");
	if (!json_is_array(params)) {
		ice_bad(e, "%s: \"parameters\" must be an array (empty for "
		    "none)", where);
		return (NULL);
	}
	if (json_array_size(params) > FN_MAX_PARAMS) {
		ice_bad(e, "%s: more than %d parameters", where, FN_MAX_PARAMS);
		return (NULL);
	}
	json_array_foreach(params, i, p) {
		(void)snprintf(pw, sizeof(pw), "%s, parameter %zu", where, i);
		name = json_string_value(json_object_get(p, "name"));
		if (!json_is_object(p) || name == NULL || *name == '\0') {
			ice_bad(e, "%s: needs a non-empty \"name\"", pw);
			return (NULL);
		}
		for (j = 0; j < i; j++)
			if (strcmp(name, json_string_value(json_object_get(
			    json_array_get(params, j), "name"))) == 0) {
				ice_bad(e, "%s: the name \"%.60s\" is taken by "
				    "parameter %zu", pw, name, j);
				return (NULL);
			}
		if (json_object_get(p, "type") == NULL) {
			ice_bad(e, "%s (%.60s): needs a \"type\"", pw, name);
			return (NULL);
		}
		if (i > 0 && ice_sbuf_put(&b, ",") == -1) {
			ice_bad(e, "%s: the signature is too long", pw);
			return (NULL);
		}
		if (ice_fn_type(json_object_get(p, "type"), pw, 0, &b, e) ==
		    -1)
			return (NULL);
		if (opt_str(p, "doc", pw, e) == -1)
			return (NULL);
	}
	rt = json_object_get(d, "return-type");
	(void)snprintf(pw, sizeof(pw), "%s, return-type", where);
	{
		char		rbuf[FN_ID_MAX];
		struct ice_sbuf	rb = { rbuf, 0, sizeof(rbuf) };

		if (rt == NULL) {
			ice_bad(e, "%s: needs a \"return-type\"", where);
			return (NULL);
		}
		if (ice_fn_type(rt, pw, 0, &rb, e) == -1)
			return (NULL);
	}
	ft = json_string_value(json_object_get(d, "function-type"));
	if (ft == NULL || (strcmp(ft, "udf") != 0 && strcmp(ft, "udtf") != 0)) {
		ice_bad(e, "%s: \"function-type\" must be \"udf\" or \"udtf\"",
		    where);
		return (NULL);
	}
	if (strcmp(ft, "udtf") == 0 && (!json_is_object(rt) ||
	    strcmp(json_string_value(json_object_get(rt, "type")),
	    "struct") != 0)) {
		ice_bad(e, "%s: a udtf's \"return-type\" must be a struct (the "
		    "rows' columns)", where);
		return (NULL);
	}
	if (opt_str(d, "doc", where, e) == -1 ||
	    opt_str(d, "specific-name", where, e) == -1 ||
	    opt_bool(d, "return-nullable", where, e) == -1)
		return (NULL);
	if ((outp = json_deep_copy(params)) == NULL ||
	    (out = json_pack("{s:s,s:o,s:O,s:b,s:[],s:I,s:s}",
	    "definition-id", id, "parameters", outp, "return-type", rt,
	    "return-nullable", !json_is_false(json_object_get(d,
	    "return-nullable")), "versions", "current-version-id",
	    (json_int_t)0, "function-type", ft)) == NULL) {
		ice_oom(e);
		return (NULL);
	}
	if (json_object_get(d, "specific-name") != NULL)
		json_object_set(out, "specific-name", json_object_get(d,
		    "specific-name"));
	if (json_object_get(d, "doc") != NULL)
		json_object_set(out, "doc", json_object_get(d, "doc"));
	return (out);
}

/* The definition of id in defs, or NULL. */
static json_t *
find_def(const json_t *defs, const char *id)
{
	json_t	*d;
	size_t	 i;

	json_array_foreach(defs, i, d)
		if (strcmp(json_string_value(json_object_get(d,
		    "definition-id")), id) == 0)
			return (d);
	return (NULL);
}

/* Another definition of defs (not self) naming specific-name sn. */
static const json_t *
specific_taken(const json_t *defs, const json_t *self, const char *sn)
{
	const json_t	*d;
	const char	*o;
	size_t		 i;

	json_array_foreach(defs, i, d) {
		o = json_string_value(json_object_get(d, "specific-name"));
		if (d != self && o != NULL && strcmp(o, sn) == 0)
			return (d);
	}
	return (NULL);
}

/* The largest version-id of def and its last timestamp. */
static void
last_version(const json_t *def, int64_t *id, int64_t *ts)
{
	const json_t	*v;
	size_t		 i;
	int64_t		 x;

	*id = 0;
	*ts = 0;
	json_array_foreach(json_object_get(def, "versions"), i, v) {
		x = json_integer_value(json_object_get(v, "version-id"));
		if (x > *id)
			*id = x;
		x = json_integer_value(json_object_get(v, "timestamp-ms"));
		if (x > *ts)
			*ts = x;
	}
}

/* 1 if two parameter lists name the same parameters, in order. */
static int
same_names(const json_t *a, const json_t *b)
{
	size_t	i;

	if (json_array_size(a) != json_array_size(b))
		return (0);
	for (i = 0; i < json_array_size(a); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(a,
		    i), "name")), json_string_value(json_object_get(
		    json_array_get(b, i), "name"))) != 0)
			return (0);
	return (1);
}

/*
 * One definition of the request into defs: a new overload added with its
 * versions numbered from 1, an existing one given its versions after its
 * last (its return-type, function-type and parameter names kept), its
 * current version the last given, each stamped ts (or its last version's
 * time, if later).  seen: the request's signatures so far.
 */
static int
merge_one(json_t *defs, const json_t *rd, size_t i, json_t *seen, int64_t ts,
    struct ice_err *e)
{
	const json_t	*vs, *v, *prior;
	json_t		*nd, *had, *target, *ver;
	char		 id[FN_ID_MAX], where[64], vw[96];
	size_t		 j;
	int64_t		 next_id, vts;

	if ((nd = definition_new(rd, i, id, sizeof(id), e)) == NULL)
		return (-1);
	(void)snprintf(where, sizeof(where), "definitions[%zu]", i);
	/* One definition per signature, in a request too. */
	if ((prior = json_object_get(seen, id)) != NULL) {
		json_decref(nd);
		return (ice_bad(e, "%s: the signature (%.200s) is "
		    "definitions[%" JSON_INTEGER_FORMAT "]'s too: one "
		    "definition per signature", where, id,
		    json_integer_value(prior)));
	}
	json_object_set_new(seen, id, json_integer((json_int_t)i));
	vs = json_object_get(rd, "versions");
	if (!json_is_array(vs) || json_array_size(vs) == 0) {
		json_decref(nd);
		return (ice_bad(e, "%s: \"versions\" must be a non-empty array",
		    where));
	}
	if ((had = find_def(defs, id)) != NULL) {
		if (!json_equal(json_object_get(had, "return-type"),
		    json_object_get(nd, "return-type")) ||
		    !json_equal(json_object_get(had, "function-type"),
		    json_object_get(nd, "function-type")) ||
		    !same_names(json_object_get(had, "parameters"),
		    json_object_get(nd, "parameters"))) {
			json_decref(nd);
			return (ice_bad(e, "%s: definition (%.200s) exists "
			    "with another return-type, function-type or "
			    "parameter names: every version of a definition "
			    "keeps them (drop the function to change them)",
			    where, id));
		}
		/* Its docs and specific name are the request's. */
		json_object_set(had, "parameters", json_object_get(nd,
		    "parameters"));
		json_object_del(had, "doc");
		if (json_object_get(nd, "doc") != NULL)
			json_object_set(had, "doc", json_object_get(nd, "doc"));
		json_object_del(had, "specific-name");
		if (json_object_get(nd, "specific-name") != NULL)
			json_object_set(had, "specific-name",
			    json_object_get(nd, "specific-name"));
		json_decref(nd);
		target = had;
	} else {
		if (json_array_size(defs) >= FN_MAX_DEFS) {
			json_decref(nd);
			return (ice_bad(e, "%s: a function holds at most %d "
			    "definitions", where, FN_MAX_DEFS));
		}
		if (json_array_append_new(defs, nd) == -1)
			return (ice_oom(e));
		target = nd;
	}
	last_version(target, &next_id, &vts);
	if (json_array_size(json_object_get(target, "versions")) +
	    json_array_size(vs) > FN_MAX_VERSIONS)
		return (ice_bad(e, "%s: a definition keeps at most %d versions",
		    where, FN_MAX_VERSIONS));
	json_array_foreach(vs, j, v) {
		(void)snprintf(vw, sizeof(vw), "%s, versions[%zu]", where, j);
		if ((ver = version_new(v, vw, ++next_id, ts > vts ? ts : vts,
		    e)) == NULL)
			return (-1);
		if (json_array_append_new(json_object_get(target, "versions"),
		    ver) == -1)
			return (ice_oom(e));
	}
	json_object_set_new(target, "current-version-id",
	    json_integer(next_id));
	return (0);
}

/* The log's entry of now: every definition's current version. */
static int
log_entry(json_t *md, int64_t ts, struct ice_err *e)
{
	json_t	*refs, *d, *log;
	size_t	 i;

	if ((refs = json_array()) == NULL)
		return (ice_oom(e));
	json_array_foreach(json_object_get(md, "definitions"), i, d)
		if (json_array_append_new(refs, json_pack("{s:O,s:O}",
		    "definition-id", json_object_get(d, "definition-id"),
		    "version-id", json_object_get(d, "current-version-id"))) ==
		    -1) {
			json_decref(refs);
			return (ice_oom(e));
		}
	log = json_object_get(md, "definition-log");
	if (json_array_append_new(log, json_pack("{s:I,s:o}", "timestamp-ms",
	    (json_int_t)ts, "definition-versions", refs)) == -1)
		return (ice_oom(e));
	/* The history kept is the newest entries, as a table's metadata-log
	 * keeps its newest files. */
	while (json_array_size(log) > FN_MAX_LOG)
		json_array_remove(log, 0);
	return (0);
}

/*
 * The request's definitions into md's (a create's empty ones, a
 * replace's base), each as merge_one says; specific names unique among
 * them all; then one log entry, at a time never before the last one's
 * (the log is monotonic), naming every definition's current version.
 */
static int
merge_definitions(json_t *md, const json_t *req, int64_t now_ms,
    struct ice_err *e)
{
	const json_t	*rdefs = json_object_get(req, "definitions"), *rd;
	const json_t	*entry, *taken, *d;
	json_t		*seen;
	const char	*sn;
	size_t		 i, all = 0;
	int64_t		 ts, last_ts = 0;
	int		 rc = 0;

	if (!json_is_array(rdefs) || json_array_size(rdefs) == 0)
		return (ice_bad(e, "\"definitions\" must be a non-empty "
		    "array"));
	json_array_foreach(json_object_get(md, "definition-log"), i, entry)
		if (json_integer_value(json_object_get(entry,
		    "timestamp-ms")) > last_ts)
			last_ts = json_integer_value(json_object_get(entry,
			    "timestamp-ms"));
	ts = now_ms > last_ts ? now_ms : last_ts;
	if ((seen = json_object()) == NULL)
		return (ice_oom(e));
	json_array_foreach(rdefs, i, rd)
		if ((rc = merge_one(json_object_get(md, "definitions"), rd, i,
		    seen, ts, e)) == -1)
			break;
	json_decref(seen);
	if (rc == -1)
		return (-1);
	json_array_foreach(json_object_get(md, "definitions"), i, d)
		all += json_array_size(json_object_get(d, "versions"));
	if (all > FN_MAX_ALL)
		return (ice_bad(e, "the function would hold %zu versions, more "
		    "than %d across its definitions: drop it and create it "
		    "again with the versions it needs", all, FN_MAX_ALL));
	json_array_foreach(json_object_get(md, "definitions"), i, d) {
		sn = json_string_value(json_object_get(d, "specific-name"));
		if (sn != NULL && (taken = specific_taken(json_object_get(md,
		    "definitions"), d, sn)) != NULL)
			return (ice_bad(e, "specific-name \"%.80s\" names "
			    "definitions (%.100s) and (%.100s): it must be "
			    "unique", sn, json_string_value(json_object_get(d,
			    "definition-id")), json_string_value(
			    json_object_get(taken, "definition-id"))));
	}
	return (log_entry(md, ts, e));
}

/* doc, secure and properties of the request, over md's. */
static int
take_top(json_t *md, const json_t *req, struct ice_err *e)
{
	const json_t	*props = json_object_get(req, "properties"), *v;
	const char	*k;

	if (opt_str(req, "doc", "the request", e) == -1 ||
	    opt_bool(req, "secure", "the request", e) == -1)
		return (-1);
	if (props != NULL) {
		if (!json_is_object(props))
			return (ice_bad(e, "\"properties\" must be an object "
			    "of strings"));
		json_object_foreach((json_t *)props, k, v)
			if (!json_is_string(v))
				return (ice_bad(e, "properties: \"%.80s\" must "
				    "be a string", k));
		json_object_set(md, "properties", (json_t *)props);
	}
	if (json_object_get(req, "secure") != NULL)
		json_object_set(md, "secure", json_object_get(req, "secure"));
	if (json_object_get(req, "doc") != NULL)
		json_object_set(md, "doc", json_object_get(req, "doc"));
	return (0);
}

json_t *
ice_function_new(const json_t *req, const char *location, const char *uuid,
    int64_t now_ms, struct ice_err *e)
{
	json_t	*md;

	md = json_pack("{s:s,s:i,s:[],s:[],s:s,s:{},s:b}", "function-uuid",
	    uuid, "format-version", FN_FORMAT, "definitions", "definition-log",
	    "location", location, "properties", "secure", 0);
	if (md == NULL) {
		ice_oom(e);
		return (NULL);
	}
	if (take_top(md, req, e) == -1 ||
	    merge_definitions(md, req, now_ms, e) == -1) {
		json_decref(md);
		return (NULL);
	}
	return (md);
}

json_t *
ice_function_replace(const json_t *base, const json_t *req, int64_t now_ms,
    struct ice_err *e)
{
	json_t	*md;

	if (!json_is_object(base) || !json_is_array(json_object_get(base,
	    "definitions")) || !json_is_array(json_object_get(base,
	    "definition-log"))) {
		ice_fail(e, 500, "ServiceFailureException", "the function's "
		    "metadata file is not function metadata");
		return (NULL);
	}
	if ((md = json_deep_copy(base)) == NULL) {
		ice_oom(e);
		return (NULL);
	}
	if (take_top(md, req, e) == -1 ||
	    merge_definitions(md, req, now_ms, e) == -1) {
		json_decref(md);
		return (NULL);
	}
	return (md);
}

char *
ice_function_metadata_location(const json_t *md, const char *base_location,
    const char *uuid)
{
	const char	*loc;
	char		*name, *out;

	loc = json_string_value(json_object_get(md, "location"));
	if (loc == NULL || (name = ice_metadata_file_name(base_location, uuid,
	    0)) == NULL)
		return (NULL);
	if (asprintf(&out, "%s/metadata/%s", loc, name) == -1)
		out = NULL;
	free(name);
	return (out);
}
