/*
 * A manifest list as a plan needs it, packed: the manifest_file records'
 * fields the plan reads and their partition summaries, in one flat
 * buffer the worker's metadata cache keeps (manifest lists are
 * immutable, like metadata files).  Decoding a list of 10,000 manifests
 * through libavro was half of a warm plan's time; walking the packed
 * form is a few hundred microseconds.
 *
 * Layout, host byte order (the cache never leaves the process's host):
 * "PGLSCAN1", then per ref: the int64 fields, then spec id, content and
 * the counts, the path (u32 length, bytes), and the summaries (u32 n,
 * then per summary contains_null, contains_nan and the two bounds as u32
 * length or UINT32_MAX for absent, and bytes).
 */
#include <stdlib.h>
#include <string.h>

#include "api/scan/scan.h"
#include "iceberg/manifest.h"

#define MAGIC		"PGLSCAN1"
#define ABSENT		UINT32_MAX
#define MAX_SUMMARIES	256

static void
put(struct scan_pack *k, const void *p, size_t n)
{
	unsigned char	*nb;
	size_t		 cap;

	if (k->oom)
		return;
	if (k->len + n > k->cap) {
		cap = k->cap ? k->cap : 4096;
		while (cap < k->len + n)
			cap *= 2;
		if ((nb = realloc(k->p, cap)) == NULL) {
			k->oom = 1;
			return;
		}
		k->p = nb;
		k->cap = cap;
	}
	memcpy(k->p + k->len, p, n);
	k->len += n;
}

static void
put_u32(struct scan_pack *k, uint32_t v)
{
	put(k, &v, sizeof(v));
}

static void
put_bytes(struct scan_pack *k, const void *p, size_t n, int present)
{
	put_u32(k, present ? (uint32_t)n : ABSENT);
	if (present)
		put(k, p, n);
}

void
scan_pack_ref(struct scan_pack *k, const struct ice_manifest_ref *m)
{
	int64_t	i64[10] = { m->length, m->sequence_number,
		    m->min_sequence_number, m->added_snapshot_id,
		    m->added_files, m->existing_files, m->deleted_files,
		    m->added_rows, m->existing_rows, m->deleted_rows };
	int32_t	i32[2] = { m->spec_id, m->content };
	size_t	i;

	if (m->npartitions > MAX_SUMMARIES) {
		k->oom = 1;		/* not kept: the walk would refuse it */
		return;
	}
	if (k->len == 0)
		put(k, MAGIC, 8);
	put(k, i64, sizeof(i64));
	put(k, i32, sizeof(i32));
	put_bytes(k, m->path, strlen(m->path), 1);
	put_u32(k, (uint32_t)m->npartitions);
	for (i = 0; i < m->npartitions; i++) {
		const struct ice_field_summary *s = &m->partitions[i];
		int32_t	flags[2] = { s->contains_null, s->contains_nan };

		put(k, flags, sizeof(flags));
		put_bytes(k, s->lower, s->lower_len, s->lower != NULL);
		put_bytes(k, s->upper, s->upper_len, s->upper != NULL);
	}
}

void
scan_pack_free(struct scan_pack *k)
{
	free(k->p);
	memset(k, 0, sizeof(*k));
}

/* A reader over the packed bytes; every length is checked. */
struct cur {
	const unsigned char	*p;
	size_t			 len, off;
};

static int
take(struct cur *c, void *out, size_t n)
{
	if (n > c->len - c->off)
		return (-1);
	memcpy(out, c->p + c->off, n);
	c->off += n;
	return (0);
}

static int
take_bytes(struct cur *c, const void **p, size_t *n)
{
	uint32_t	l;

	if (take(c, &l, sizeof(l)) == -1)
		return (-1);
	if (l == ABSENT) {
		*p = NULL;
		*n = 0;
		return (0);
	}
	if (l > c->len - c->off)
		return (-1);
	*p = c->p + c->off;
	*n = l;
	c->off += l;
	return (0);
}

static int
take_ref(struct cur *c, struct ice_manifest_ref *m,
    struct ice_field_summary *sums, char *path, size_t pathmax)
{
	int64_t		 i64[10];
	int32_t		 i32[2], flags[2];
	const void	*pp;
	size_t		 n, i;
	uint32_t	 ns;

	if (take(c, i64, sizeof(i64)) == -1 || take(c, i32, sizeof(i32)) ==
	    -1 || take_bytes(c, &pp, &n) == -1 || pp == NULL || n >= pathmax ||
	    take(c, &ns, sizeof(ns)) == -1 || ns > MAX_SUMMARIES)
		return (-1);
	memcpy(path, pp, n);
	path[n] = '\0';
	memset(m, 0, sizeof(*m));
	m->path = path;
	m->length = i64[0];
	m->sequence_number = i64[1];
	m->min_sequence_number = i64[2];
	m->added_snapshot_id = i64[3];
	m->added_files = i64[4];
	m->existing_files = i64[5];
	m->deleted_files = i64[6];
	m->added_rows = i64[7];
	m->existing_rows = i64[8];
	m->deleted_rows = i64[9];
	m->spec_id = i32[0];
	m->content = i32[1];
	m->first_row_id = -1;
	for (i = 0; i < ns; i++) {
		if (take(c, flags, sizeof(flags)) == -1 ||
		    take_bytes(c, &sums[i].lower, &sums[i].lower_len) == -1 ||
		    take_bytes(c, &sums[i].upper, &sums[i].upper_len) == -1)
			return (-1);
		sums[i].contains_null = flags[0];
		sums[i].contains_nan = flags[1];
	}
	m->partitions = sums;
	m->npartitions = ns;
	return (0);
}

int
scan_pack_walk(const void *buf, size_t len, ice_manifest_ref_fn fn,
    void *arg)
{
	struct cur		 c = { buf, len, 0 };
	struct ice_manifest_ref	 m;
	struct ice_field_summary sums[MAX_SUMMARIES];
	char			*path;
	int			 rc = 0;

	if (len < 8 || memcmp(buf, MAGIC, 8) != 0 ||
	    (path = malloc(len)) == NULL)
		return (-1);
	c.off = 8;
	while (c.off < c.len) {
		if (take_ref(&c, &m, sums, path, len) == -1) {
			rc = -1;
			break;
		}
		if (fn(arg, &m) != 0)
			break;
	}
	free(path);
	return (rc);
}
