/*
 * A plan's delete files and which data files each applies to, by the
 * Iceberg spec's rules (Scan Planning): a position delete file applies to
 * a data file of the same spec and partition whose data sequence number
 * is not above its own (and, when it names one data file, to that file
 * only); an equality delete file applies to a data file of the same spec
 * and partition whose sequence number is strictly below its own, or to
 * every data file when its spec is unpartitioned.  Deletes are sorted by
 * (spec, partition) once, and each data file finds its own by binary
 * search: a plan of a million files and many deletes stays linear.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/scan/scan.h"
#include "iceberg/manifest.h"
#include "util/arena.h"

/* Values as text that compares equal exactly when the values do. */
static void
key_value(char **o, char *end, const struct ice_value *v)
{
	static const char	 hex[] = "0123456789abcdef";
	size_t			 i;
	int			 n;

	if (v->is_null) {
		n = snprintf(*o, (size_t)(end - *o), "N|");
	} else switch (v->tid) {
	case ICE_T_FLOAT:
	case ICE_T_DOUBLE:
		n = snprintf(*o, (size_t)(end - *o), "D%a|", v->u.d);
		break;
	case ICE_T_BOOLEAN:
		n = snprintf(*o, (size_t)(end - *o), "B%d|", v->u.b != 0);
		break;
	case ICE_T_DECIMAL:
		n = snprintf(*o, (size_t)(end - *o), "M%016llx%016llx|",
		    (unsigned long long)((unsigned __int128)v->u.dec >> 64),
		    (unsigned long long)v->u.dec);
		break;
	case ICE_T_STRING:
	case ICE_T_UUID:
	case ICE_T_FIXED:
	case ICE_T_BINARY:
		n = snprintf(*o, (size_t)(end - *o), "S%zu:", v->u.s.n);
		if (n > 0 && n < end - *o)
			*o += n;
		for (i = 0; i < v->u.s.n && end - *o > 2; i++) {
			*(*o)++ = hex[v->u.s.p[i] >> 4];
			*(*o)++ = hex[v->u.s.p[i] & 15];
		}
		n = snprintf(*o, (size_t)(end - *o), "|");
		break;
	default:
		n = snprintf(*o, (size_t)(end - *o), "I%lld|",
		    (long long)v->u.i);
		break;
	}
	if (n > 0 && n < end - *o)
		*o += n;
}

const char *
scan_partition_key(struct pgl_arena *a, int32_t spec_id,
    const struct ice_value *t, size_t n)
{
	size_t	 i, cap = 32;
	char	*buf, *o;

	for (i = 0; i < n; i++)
		cap += 48 + (t[i].tid >= ICE_T_STRING ? t[i].u.s.n * 2 : 0);
	if ((buf = pgl_arena_alloc(a, cap)) == NULL)
		return ("");
	o = buf + snprintf(buf, cap, "%d|", (int)spec_id);
	for (i = 0; i < n; i++)
		key_value(&o, buf + cap, &t[i]);
	*o = '\0';
	return (buf);
}

int
scan_deletes_add(struct scan_deletes *d, struct pgl_arena *a,
    const struct scan_delete *x, size_t max, struct pgl_err *err)
{
	struct scan_delete	*v;

	if (d->n >= max) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "the snapshot has "
		    "more than %zu live delete files ([scan] "
		    "max_delete_files); compact the table", max);
		return (-1);
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		if ((v = pgl_arena_alloc(a, d->cap * sizeof(*v))) == NULL) {
			err->code = PGL_ENOMEM;
			return (-1);
		}
		if (d->n > 0)
			memcpy(v, d->v, d->n * sizeof(*v));
		d->v = v;
	}
	d->v[d->n++] = *x;
	return (0);
}

static int
by_key(const void *a, const void *b, void *arg)
{
	const struct scan_delete	*v = arg;

	return (strcmp(v[*(const size_t *)a].key, v[*(const size_t *)b].key));
}

/* Unpartitioned: its key is the spec id alone. */
static int
is_global(const struct scan_delete *x)
{
	const char	*bar = strchr(x->key, '|');

	return (x->content == ICE_CONTENT_EQ_DELETES && bar != NULL &&
	    bar[1] == '\0');
}

int
scan_deletes_index(struct scan_deletes *d, struct pgl_arena *a,
    struct pgl_err *err)
{
	size_t	i, n = 0;

	if (d->n == 0)
		return (0);
	d->by_key = pgl_arena_alloc(a, d->n * sizeof(size_t));
	d->global = pgl_arena_alloc(a, d->n * sizeof(size_t));
	if (d->by_key == NULL || d->global == NULL) {
		err->code = PGL_ENOMEM;
		return (-1);
	}
	for (i = 0; i < d->n; i++) {
		if (is_global(&d->v[i]))
			d->global[d->nglobal++] = i;
		else
			d->by_key[n++] = i;
	}
	qsort_r(d->by_key, n, sizeof(size_t), by_key, d->v);
	d->n_keyed = n;
	return (0);
}

static int
applies(const struct scan_delete *x, int64_t data_seq, const char *path)
{
	if (x->content == ICE_CONTENT_EQ_DELETES)
		return (data_seq < x->seq);
	if (data_seq > x->seq)
		return (0);
	return (x->referenced == NULL || strcmp(x->referenced, path) == 0);
}

void
scan_deletes_for(const struct scan_deletes *d, const char *key,
    int32_t spec_id, int64_t data_seq, const char *path,
    void (*fn)(void *, size_t), void *arg)
{
	size_t	lo = 0, hi = d->n_keyed, mid, i;

	(void)spec_id;		/* in the key */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(d->v[d->by_key[mid]].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < d->n_keyed &&
	    strcmp(d->v[d->by_key[i]].key, key) == 0; i++) {
		if (applies(&d->v[d->by_key[i]], data_seq, path))
			fn(arg, d->by_key[i]);
	}
	for (i = 0; i < d->nglobal; i++) {
		if (applies(&d->v[d->global[i]], data_seq, path))
			fn(arg, d->global[i]);
	}
}
