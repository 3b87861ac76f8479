/*
 * Which partitions two sets of manifests touch, from the manifest list's
 * partition summaries (field 507: per partition field, contains-null and
 * the lower and upper bound in Iceberg's single-value binary form), and
 * whether the two sets can meet (api/branching/merge.h, merge_touching).  Two
 * manifests can meet unless, on some partition field, their ranges are
 * disjoint.  Whatever cannot be decided (another spec, an unpartitioned
 * table, a bound missing, a type not ordered here) is taken to meet: a
 * conflict the user resolves beats a merge that mixes rows.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/branching/merge.h"
#include "util/arena.h"
#include "util/json.h"

enum ptype { P_UNKNOWN, P_INT, P_LONG, P_BYTES };

struct pfield {
	const char	*name;
	enum ptype	 type;
};

/* The source type of a partition field, from md's current schema. */
static const char *
source_type(const json_t *md, json_int_t source_id)
{
	const json_t	*sc, *f, *want = json_object_get(md, "current-schema-id");
	size_t		 i, j;

	json_array_foreach(json_object_get(md, "schemas"), i, sc) {
		if (!json_equal(json_object_get(sc, "schema-id"), want))
			continue;
		json_array_foreach(json_object_get(sc, "fields"), j, f) {
			if (json_integer_value(json_object_get(f, "id")) ==
			    source_id)
				return (json_string_value(json_object_get(f,
				    "type")));
		}
	}
	return (NULL);
}

static enum ptype
type_of(const json_t *md, const json_t *field)
{
	const char	*tr = pgl_json_str(field, "transform"), *st;

	if (tr == NULL)
		return (P_UNKNOWN);
	if (strncmp(tr, "bucket", 6) == 0 || strcmp(tr, "year") == 0 ||
	    strcmp(tr, "month") == 0 || strcmp(tr, "day") == 0 ||
	    strcmp(tr, "hour") == 0)
		return (P_INT);
	if (strcmp(tr, "identity") != 0 && strncmp(tr, "truncate", 8) != 0)
		return (P_UNKNOWN);
	st = source_type(md, json_integer_value(json_object_get(field,
	    "source-id")));
	if (st == NULL)
		return (P_UNKNOWN);
	if (strcmp(st, "int") == 0 || strcmp(st, "date") == 0)
		return (P_INT);
	if (strcmp(st, "long") == 0 || strcmp(st, "time") == 0 ||
	    strncmp(st, "timestamp", 9) == 0)
		return (P_LONG);
	if (strcmp(st, "string") == 0 || strcmp(st, "binary") == 0 ||
	    strncmp(st, "fixed", 5) == 0 || strcmp(st, "uuid") == 0)
		return (P_BYTES);
	return (P_UNKNOWN);
}

/* The fields of spec_id in md; NULL when there is no such spec. */
static struct pfield *
fields_of(struct pgl_req *r, const json_t *md, int32_t spec_id, size_t *n)
{
	const json_t	*sp, *f;
	struct pfield	*out;
	size_t		 i, j;

	json_array_foreach(json_object_get(md, "partition-specs"), i, sp) {
		if (json_integer_value(json_object_get(sp, "spec-id")) !=
		    spec_id)
			continue;
		*n = json_array_size(json_object_get(sp, "fields"));
		if ((out = pgl_arena_alloc(r->arena, (*n + 1) *
		    sizeof(*out))) == NULL)
			return (NULL);
		json_array_foreach(json_object_get(sp, "fields"), j, f) {
			out[j].name = pgl_json_str(f, "name");
			out[j].type = type_of(md, f);
		}
		return (out);
	}
	return (NULL);
}

static int64_t
le(const unsigned char *p, size_t len)
{
	uint64_t	v = 0;
	size_t		i;

	for (i = len; i > 0; i--)
		v = (v << 8) | p[i - 1];
	if (len == 4)
		return ((int32_t)(uint32_t)v);
	return ((int64_t)v);
}

/* <0, 0, >0; *known 0 when the type does not order these bytes. */
static int
cmp(enum ptype t, const void *a, size_t al, const void *b, size_t bl,
    int *known)
{
	int64_t	x, y;
	int	c;

	*known = 1;
	if ((t == P_INT && al == 4 && bl == 4) ||
	    (t == P_LONG && al == 8 && bl == 8)) {
		x = le(a, al);
		y = le(b, bl);
		return (x < y ? -1 : x > y);
	}
	if (t == P_BYTES) {
		c = memcmp(a, b, al < bl ? al : bl);
		return (c != 0 ? c : (al > bl) - (al < bl));
	}
	*known = al == bl && memcmp(a, b, al) == 0;
	return (0);
}

/* 1 if the two summaries of one field can hold a common value. */
static int
field_meets(enum ptype t, const struct ice_field_summary *x,
    const struct ice_field_summary *y)
{
	int	k1, k2, c1, c2;

	if (x->contains_null && y->contains_null)
		return (1);
	/* No bounds: only nulls (meets only nulls), or not recorded. */
	if (x->lower == NULL || x->upper == NULL)
		return (x->contains_null ? 0 : 1);
	if (y->lower == NULL || y->upper == NULL)
		return (y->contains_null ? 0 : 1);
	c1 = cmp(t, x->upper, x->upper_len, y->lower, y->lower_len, &k1);
	c2 = cmp(t, y->upper, y->upper_len, x->lower, x->lower_len, &k2);
	if (!k1 || !k2)
		return (1);
	return (c1 >= 0 && c2 >= 0);
}

static int
meets(const struct pfield *f, size_t nf, const struct ice_manifest_ref *x,
    const struct ice_manifest_ref *y)
{
	size_t	i;

	if (f == NULL || x->spec_id != y->spec_id || nf == 0 ||
	    x->npartitions != nf || y->npartitions != nf)
		return (1);
	for (i = 0; i < nf; i++) {
		if (!field_meets(f[i].type, &x->partitions[i],
		    &y->partitions[i]))
			return (0);
	}
	return (1);
}

/* A field's value for the conflict's list: "name=v" or "name=[lo, hi]". */
static char *
render(struct pgl_req *r, const struct pfield *f,
    const struct ice_field_summary *s)
{
	char	lo[96], hi[96];

	if (s->lower == NULL)
		return (pgl_arena_printf(r->arena, "%s=null", f->name));
	if (f->type == P_INT || f->type == P_LONG) {
		(void)snprintf(lo, sizeof(lo), "%lld",
		    (long long)le(s->lower, s->lower_len));
		(void)snprintf(hi, sizeof(hi), "%lld",
		    (long long)le(s->upper, s->upper_len));
	} else {
		(void)snprintf(lo, sizeof(lo), "%.*s", (int)(s->lower_len < 80 ?
		    s->lower_len : 80), (const char *)s->lower);
		(void)snprintf(hi, sizeof(hi), "%.*s", (int)(s->upper_len < 80 ?
		    s->upper_len : 80), (const char *)s->upper);
	}
	return (strcmp(lo, hi) == 0 ? pgl_arena_printf(r->arena, "%s=%s",
	    f->name, lo) : pgl_arena_printf(r->arena, "%s=[%s, %s]", f->name,
	    lo, hi));
}

static void
describe(struct pgl_req *r, const struct pfield *f, size_t nf,
    const struct ice_manifest_ref *m, json_t *out)
{
	const json_t	*e;
	char		*s;
	size_t		 i;

	if (f == NULL || nf == 0 || m->npartitions != nf)
		s = pgl_arena_strdup(r->arena, "(unpartitioned)");
	else {
		s = pgl_arena_strdup(r->arena, "");
		for (i = 0; s != NULL && i < nf; i++)
			s = pgl_arena_printf(r->arena, "%s%s%s", s,
			    i > 0 ? "/" : "", render(r, &f[i],
			    &m->partitions[i]));
	}
	if (s == NULL)
		return;
	json_array_foreach(out, i, e) {
		if (strcmp(json_string_value(e), s) == 0)
			return;
	}
	json_array_append_new(out, json_string(s));
}

int
merge_touching(struct pgl_req *r, const json_t *md,
    const struct ice_manifest_ref *a, size_t na,
    const struct ice_manifest_ref *b, size_t nb, json_t *overlapping)
{
	struct pfield	*f = NULL;
	size_t		 nf = 0, i, j;
	int		 any = 0;

	for (i = 0; i < na; i++) {
		for (j = 0; j < nb; j++) {
			f = fields_of(r, md, a[i].spec_id, &nf);
			if (!meets(f, nf, &a[i], &b[j]))
				continue;
			any = 1;
			describe(r, f, nf, &a[i], overlapping);
			break;
		}
	}
	return (any);
}
