/*
 * §4: a commit's updates applied in order to a builder (§4.0), then
 * build() (§4.Z).  The handlers live in update_*.c by subject.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"
#include "util/uuid.h"

static const struct action {
	const char	*name;
	ice_tb_fn	 fn;
} actions[] = {
	{ "assign-uuid",			ice_tb_assign_uuid },
	{ "upgrade-format-version",		ice_tb_upgrade_format },
	{ "add-schema",				ice_tb_add_schema },
	{ "set-current-schema",			ice_tb_set_current_schema },
	{ "add-spec",				ice_tb_add_spec },
	{ "set-default-spec",			ice_tb_set_default_spec },
	{ "add-sort-order",			ice_tb_add_order },
	{ "set-default-sort-order",		ice_tb_set_default_order },
	{ "add-snapshot",			ice_tb_add_snapshot },
	{ "set-snapshot-ref",			ice_tb_set_ref },
	{ "remove-snapshots",			ice_tb_remove_snapshots },
	{ "remove-snapshot-ref",		ice_tb_remove_ref },
	{ "set-location",			ice_tb_set_location },
	{ "set-properties",			ice_tb_set_properties },
	{ "remove-properties",			ice_tb_remove_properties },
	{ "set-statistics",			ice_tb_set_stats },
	{ "remove-statistics",			ice_tb_remove_stats },
	{ "set-partition-statistics",		ice_tb_set_pstats },
	{ "remove-partition-statistics",	ice_tb_remove_pstats },
	{ "remove-partition-specs",		ice_tb_remove_specs },
	{ "remove-schemas",			ice_tb_remove_schemas },
	{ "add-encryption-key",			ice_tb_add_key },
	{ "remove-encryption-key",		ice_tb_remove_key },
	{ "enable-row-lineage",			ice_tb_enable_row_lineage },
};

/* §2.6-2: a create starts at the version of the first upgrade, else 2. */
static int64_t
create_version(const json_t *updates)
{
	json_t	*u, *v;
	size_t	 i;

	json_array_foreach(updates, i, u) {
		if (!ice_strieq(json_string_value(json_object_get(u,
		    "action")), "upgrade-format-version"))
			continue;
		v = json_object_get(u, "format-version");
		if (json_is_integer(v) && json_integer_value(v) >= 1 &&
		    json_integer_value(v) <= ICE_MAX_FORMAT)
			return (json_integer_value(v));
		break;
	}
	return (2);
}

static int
init_create(struct ice_tb *b, const json_t *updates)
{
	char	uuid[PGL_UUID_LEN + 1];

	if ((b->md = ice_md_empty(create_version(updates), b->now,
	    b->err)) == NULL)
		return (-1);
	pgl_uuid_new(uuid);
	return (ice_set(b->md, "table-uuid", json_string(uuid), b->err));
}

/*
 * The lists whose entries no update changes in place: an update adds
 * entries, drops them or builds a new list (§4.Z-3), so the builder's
 * list is a new array holding the base's entries, not copies of them.
 * Deep-copying the 100 entries of a metadata log and every snapshot's
 * summary was most of a commit's copying.  Test builds (PGL_CHECKS)
 * check after every build that the base came out unchanged.
 */
static const char *const shared_entries[] = { "metadata-log",
	"snapshot-log", "snapshots", "schemas", "partition-specs",
	"sort-orders", "statistics", "partition-statistics",
	"encryption-keys", NULL };

static int
entries_shared(const char *key)
{
	const char *const	*k;

	for (k = shared_entries; *k != NULL; k++) {
		if (strcmp(key, *k) == 0)
			return (1);
	}
	return (0);
}

static json_t *
list_copy(const json_t *list)
{
	json_t	*out, *v;
	size_t	 i;

	if ((out = json_array()) == NULL)
		return (NULL);
	json_array_foreach(list, i, v) {
		if (json_array_append(out, v) == -1) {
			json_decref(out);
			return (NULL);
		}
	}
	return (out);
}

/* The builder's own metadata: base's, to change (see shared_entries). */
static json_t *
md_copy(const json_t *base)
{
	const char	*key;
	json_t		*out, *v, *c;

	if ((out = json_object()) == NULL)
		return (NULL);
	json_object_foreach((json_t *)base, key, v) {
		c = entries_shared(key) && json_is_array(v) ? list_copy(v) :
		    json_deep_copy(v);
		if (c == NULL || json_object_set_new(out, key, c) == -1) {
			json_decref(out);
			return (NULL);
		}
	}
	return (out);
}

/* read: base already normalised (ice_table_check_base), or NULL;
 * checked: read is a form this engine built, validated then. */
static int
tb_init(struct ice_tb *b, const json_t *base, const json_t *read,
    int checked, const json_t *updates, int64_t now, struct ice_err *e)
{
	memset(b, 0, sizeof(*b));
	b->err = e;
	b->now = now;
	b->last_schema = b->last_spec = b->last_order = ICE_NONE;
	if (base == NULL)
		return (init_create(b, updates));
	if (read != NULL)
		b->base = json_incref((json_t *)read);
	else if ((b->base = ice_md_read(base, e)) == NULL)
		return (-1);
#ifdef PGL_CHECKS
	if (checked && read != NULL && ice_md_validate(b->base, 0, e) == -1) {
		fprintf(stderr, "PGL_CHECKS: a base said to be checked fails "
		    "validation: %s\n", e->msg);
		abort();
	}
#endif
	if ((!checked || read == NULL) && ice_md_validate(b->base, 0, e) == -1)
		return (-1);
	if ((b->md = md_copy(b->base)) == NULL)
		return (ice_oom(e));
#ifdef PGL_CHECKS
	b->witness = json_deep_copy(b->base);
#endif
	return (0);
}

static void
tb_free(struct ice_tb *b)
{
#ifdef PGL_CHECKS
	/* The base is shared (tree caches): no update may change it. */
	if (b->witness != NULL && !json_equal(b->witness, b->base)) {
		fprintf(stderr, "PGL_CHECKS: a table update changed its base\n");
		abort();
	}
	json_decref(b->witness);
#endif
	json_decref(b->md);
	json_decref(b->base);
	ice_ids_free(&b->new_schemas);
	ice_ids_free(&b->new_specs);
	ice_ids_free(&b->new_orders);
	ice_ids_free(&b->new_snaps);
	ice_ids_free(&b->main_snaps);
}

/* §4.0: actions match case-insensitively; unknown ones are a 400. */
static int
apply_one(struct ice_tb *b, const json_t *u)
{
	const char	*name;
	size_t		 i;

	if (!json_is_object(u))
		return (ice_bad(b->err, "an update must be an object"));
	if (ice_str(u, "action", &name, b->err) == -1)
		return (-1);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (!ice_strieq(name, actions[i].name))
			continue;
		if (actions[i].fn(b, u) == -1) {
			ice_err_prefix(b->err, actions[i].name);
			return (-1);
		}
		return (0);
	}
	return (ice_bad(b->err, "unknown table update `%.64s`", name));
}

static int
apply_all(struct ice_tb *b, const json_t *updates)
{
	json_t	*u;
	size_t	 i;

	if (updates != NULL && !json_is_null(updates) &&
	    !json_is_array(updates))
		return (ice_bad(b->err, "`updates` must be an array"));
	json_array_foreach(updates, i, u) {
		if (apply_one(b, u) == -1)
			return (-1);
	}
	return (0);
}

/* §4.Z */
/*
 * §1.3 on the new metadata.  Its base passed it (tb_init checked it, or
 * it was a form this engine built), so the logs' entries it shares are
 * not read again: reading each of the 100 metadata-log entries, nodes
 * spread over a hundred commits' allocations, was 6 % of a storm's CPU.
 */
static int
next_valid(struct ice_tb *b)
{
	int	rc;
#ifdef PGL_CHECKS
	struct ice_err	whole;
	int		full;
#endif

	if (b->base == NULL)
		return (ice_md_validate(b->md, 1, b->err));
	rc = ice_md_validate_next(b->md, b->base, 1, b->err);
#ifdef PGL_CHECKS
	memset(&whole, 0, sizeof(whole));
	full = ice_md_validate(b->md, 1, &whole);
	if (full != rc) {
		fprintf(stderr, "PGL_CHECKS: validating from the base said "
		    "%d, validating whole %d (%s)\n", rc, full, whole.msg);
		abort();
	}
#endif
	return (rc);
}

static json_t *
build(struct ice_tb *b, const char *base_location)
{
	if (ice_set_int(b->md, "last-updated-ms", b->now, b->err) == -1)
		return (NULL);
	if (b->base != NULL && base_location != NULL &&
	    ice_tb_append_metadata_log(b, base_location) == -1)
		return (NULL);
	if (ice_tb_fix_snapshot_log(b) == -1 || next_valid(b) == -1)
		return (NULL);
	return (ice_md_write(b->md, b->err));
}

json_t *
ice_table_apply(const json_t *base, const json_t *updates,
    const char *base_location, int64_t now_ms, struct ice_err *err)
{
	return (ice_table_apply_base(base, NULL, updates, base_location,
	    now_ms, err));
}

#ifdef PGL_CHECKS
/* What the next commit takes as its base's normal form is the file's. */
static void
check_read_back(const json_t *out, const json_t *md)
{
	struct ice_err	 e;
	json_t		*back = ice_md_read(out, &e);

	if (back == NULL || !json_equal(back, md)) {
		fprintf(stderr, "PGL_CHECKS: written metadata does not read "
		    "back as its builder's\n");
		abort();
	}
	json_decref(back);
}
#endif

json_t *
ice_table_apply_read(const json_t *base, const json_t *read, int checked,
    const json_t *updates, const char *base_location, int64_t now_ms,
    json_t **next_read, struct ice_err *err)
{
	struct ice_err	 dummy;
	struct ice_tb	 b;
	json_t		*out = NULL;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	if (next_read != NULL)
		*next_read = NULL;
	if (tb_init(&b, base, read, checked, updates, now_ms, err) == 0 &&
	    apply_all(&b, updates) == 0) {
		/*
		 * §4.0: no recorded change, nothing to write; base itself
		 * comes back, which is how ice_table_unchanged knows.
		 */
		if (base != NULL && b.changes == 0)
			out = json_incref((json_t *)base);
		else if ((out = build(&b, base_location)) != NULL &&
		    next_read != NULL) {
#ifdef PGL_CHECKS
			check_read_back(out, b.md);
#endif
			*next_read = json_incref(b.md);
		}
	}
	tb_free(&b);
	return (out);
}

json_t *
ice_table_apply_base(const json_t *base, const json_t *read,
    const json_t *updates, const char *base_location, int64_t now_ms,
    struct ice_err *err)
{
	return (ice_table_apply_read(base, read, 0, updates, base_location,
	    now_ms, NULL, err));
}

/*
 * Identity, not equality: set-properties with the values already set is
 * a change (§9-9) even though the JSON may come out the same.
 */
int
ice_table_unchanged(const json_t *base, const json_t *next)
{
	return (base != NULL && base == next);
}

json_t *
ice_table_parse(const json_t *raw, struct ice_err *err)
{
	struct ice_err	 dummy;
	json_t		*md, *out = NULL;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	if ((md = ice_md_read_new(raw, err)) == NULL)
		return (NULL);
	if (ice_md_validate(md, 0, err) == 0)
		out = ice_md_write(md, err);
	json_decref(md);
	return (out);
}
