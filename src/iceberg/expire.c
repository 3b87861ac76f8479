/*
 * Which snapshots an expire removes, as Iceberg's ExpireSnapshots decides
 * it (its "RemoveSnapshots"): refs past their max-ref-age-ms go (never
 * main); each kept branch keeps its newest min-snapshots-to-keep
 * ancestors and every ancestor younger than its max-snapshot-age-ms; a
 * kept tag keeps its snapshot; a snapshot no ref reaches is kept while it
 * is younger than the default age.  The answer is the commit's updates,
 * so the change goes through the one commit path like a client's.
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"

#define FIVE_DAYS_MS	(5LL * 24 * 3600 * 1000)

struct plan {
	const json_t	*md;
	int64_t		 now;
	int64_t		 default_cutoff;	/* older than this expires */
	int64_t		 default_min_keep;
	int64_t		 default_max_ref_age;	/* -1: forever */
	struct ice_ids	 keep;
	struct ice_ids	 referenced;		/* every ancestor of a kept ref */
	struct snap	*index;			/* by id, for the walks */
	size_t		 nindex;
};

struct snap {
	int64_t		 id;
	const json_t	*s;
};

static int
snap_cmp(const void *a, const void *b)
{
	int64_t	x = ((const struct snap *)a)->id;
	int64_t	y = ((const struct snap *)b)->id;

	return (x < y ? -1 : x > y);
}

/* Sort the snapshots by id: 10,000 of them walked ten times stays fast. */
static int
index_snapshots(struct plan *p, struct ice_err *err)
{
	const json_t	*snaps = json_object_get(p->md, "snapshots"), *s;
	size_t		 i, n = json_array_size(snaps);

	if (n == 0)
		return (0);
	if ((p->index = calloc(n, sizeof(*p->index))) == NULL)
		return (ice_oom(err));
	json_array_foreach(snaps, i, s) {
		p->index[i].id = ice_get(s, "snapshot-id");
		p->index[i].s = s;
	}
	p->nindex = n;
	qsort(p->index, n, sizeof(*p->index), snap_cmp);
	return (0);
}

static const json_t *
snapshot(const struct plan *p, int64_t id)
{
	struct snap	 key = { id, NULL }, *hit;

	if (p->nindex == 0)
		return (NULL);
	hit = bsearch(&key, p->index, p->nindex, sizeof(*p->index), snap_cmp);
	return (hit != NULL ? hit->s : NULL);
}

static int64_t
snapshot_ts(const struct plan *p, int64_t id, int *found)
{
	const json_t	*s = snapshot(p, id);

	*found = s != NULL;
	return (s != NULL ? ice_get(s, "timestamp-ms") : 0);
}

/* The ref's own setting, else def. */
static int64_t
ref_setting(const json_t *ref, const char *key, int64_t def)
{
	json_t	*v = json_object_get(ref, key);

	return (json_is_integer(v) ? json_integer_value(v) : def);
}

static int
ref_expired(struct plan *p, const char *name, const json_t *ref)
{
	int64_t	age = ref_setting(ref, "max-ref-age-ms",
	    p->default_max_ref_age), ts;
	int	found;

	if (strcmp(name, "main") == 0 || age < 0)
		return (0);
	ts = snapshot_ts(p, ice_get(ref, "snapshot-id"), &found);
	return (found && p->now - ts > age);
}

/*
 * Walk a kept branch's ancestry from its head: the newest ancestors are
 * kept until one is both past min-snapshots-to-keep and older than the
 * cutoff; every ancestor counts as referenced (bounded by the snapshot
 * count, so a malformed parent cycle ends).
 */
static int
keep_branch(struct plan *p, const json_t *ref, struct ice_err *err)
{
	const json_t	*s;
	int64_t		 min_keep, cutoff, id, kept = 0;
	size_t		 steps = p->nindex;
	json_t		*parent;
	int		 keeping = 1;

	min_keep = ref_setting(ref, "min-snapshots-to-keep",
	    p->default_min_keep);
	cutoff = json_is_integer(json_object_get(ref, "max-snapshot-age-ms")) ?
	    p->now - ice_get(ref, "max-snapshot-age-ms") : p->default_cutoff;
	for (id = ice_get(ref, "snapshot-id"); steps-- > 0 &&
	    (s = snapshot(p, id)) != NULL;) {
		if (ice_ids_add(&p->referenced, id, err) == -1)
			return (-1);
		keeping = keeping && (kept < min_keep ||
		    ice_get(s, "timestamp-ms") >= cutoff);
		if (keeping) {
			if (ice_ids_add(&p->keep, id, err) == -1)
				return (-1);
			kept++;
		}
		parent = json_object_get(s, "parent-snapshot-id");
		if (!json_is_integer(parent))
			break;
		id = json_integer_value(parent);
	}
	return (0);
}

/* Refs: expired ones into removed, the others' snapshots kept. */
static int
walk_refs(struct plan *p, json_t *updates, struct ice_err *err)
{
	const char	*name, *type;
	json_t		*ref;

	json_object_foreach(json_object_get(p->md, "refs"), name, ref) {
		if (ref_expired(p, name, ref)) {
			if (ice_push(updates, json_pack("{s:s,s:s}", "action",
			    "remove-snapshot-ref", "ref-name", name), err) == -1)
				return (-1);
			continue;
		}
		type = json_string_value(json_object_get(ref, "type"));
		if (type != NULL && strcmp(type, "tag") == 0) {
			if (ice_ids_add(&p->keep, ice_get(ref, "snapshot-id"),
			    err) == -1 || ice_ids_add(&p->referenced,
			    ice_get(ref, "snapshot-id"), err) == -1)
				return (-1);
		} else if (keep_branch(p, ref, err) == -1)
			return (-1);
	}
	return (0);
}

/* What expires: neither kept nor an unreferenced young snapshot. */
static json_t *
expired_ids(struct plan *p, struct ice_err *err)
{
	json_t	*ids = json_array(), *s;
	size_t	 i;
	int64_t	 id;

	if (ids == NULL) {
		(void)ice_oom(err);
		return (NULL);
	}
	ice_ids_sort(&p->keep);
	ice_ids_sort(&p->referenced);
	json_array_foreach(json_object_get(p->md, "snapshots"), i, s) {
		id = ice_get(s, "snapshot-id");
		if (ice_ids_sorted_has(&p->keep, id))
			continue;
		if (!ice_ids_sorted_has(&p->referenced, id) &&
		    ice_get(s, "timestamp-ms") >= p->default_cutoff)
			continue;
		if (json_array_append_new(ids, json_integer(id)) == -1) {
			json_decref(ids);
			(void)ice_oom(err);
			return (NULL);
		}
	}
	return (ids);
}

static int
plan_defaults(struct plan *p, const struct ice_expire_opts *o,
    struct ice_err *err)
{
	int64_t	age, keep;

	if (ice_prop_int(p->md, "history.expire.max-snapshot-age-ms",
	    FIVE_DAYS_MS, &age) == -1 ||
	    ice_prop_int(p->md, "history.expire.min-snapshots-to-keep", 1,
	    &keep) == -1 ||
	    ice_prop_int(p->md, "history.expire.max-ref-age-ms", -1,
	    &p->default_max_ref_age) == -1)
		return (ice_invalid(err, "a history.expire.* table property "
		    "is not an integer"));
	p->default_cutoff = p->now - (o->older_than_ms >= 0 ?
	    o->older_than_ms : age);
	p->default_min_keep = o->retain_last >= 0 ? o->retain_last : keep;
	if (p->default_min_keep < 1)
		p->default_min_keep = 1;
	return (0);
}

json_t *
ice_expire_updates(const json_t *md, const struct ice_expire_opts *o,
    json_t **expired, struct ice_err *err)
{
	struct plan	 p;
	json_t		*updates = json_array(), *ids = NULL;

	memset(&p, 0, sizeof(p));
	p.md = md;
	p.now = o->now_ms;
	*expired = NULL;
	if (updates == NULL) {
		(void)ice_oom(err);
		return (NULL);
	}
	if (plan_defaults(&p, o, err) == -1 ||
	    index_snapshots(&p, err) == -1 ||
	    walk_refs(&p, updates, err) == -1 ||
	    (ids = expired_ids(&p, err)) == NULL)
		goto fail;
	if (json_array_size(ids) > 0 && ice_push(updates, json_pack("{s:s,s:O}",
	    "action", "remove-snapshots", "snapshot-ids", ids), err) == -1)
		goto fail;
	ice_ids_free(&p.keep);
	ice_ids_free(&p.referenced);
	free(p.index);
	*expired = ids;
	return (updates);
fail:
	ice_ids_free(&p.keep);
	ice_ids_free(&p.referenced);
	free(p.index);
	json_decref(ids);
	json_decref(updates);
	return (NULL);
}
