/*
 * The texts of lists kept between renders (util/json_memo.h): slots
 * found by a hash of the key and the name, two ways a bucket, a new
 * list taking the place of its own last text, else of an empty slot,
 * else of the bucket's older one.
 */
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/json_memo.h"

#define MEMO_WAYS	2

struct memo_slot {
	uint64_t			 hash;
	char				*key;	/* key, NUL, name, NUL */
	size_t				 keylen;
	uint64_t			 used;	/* the memo's clock then */
	struct pgl_json_memo_list	 l;
};

struct pgl_json_memo {
	struct memo_slot	*slots;
	size_t			 mask;		/* buckets - 1 */
	size_t			 bytes;		/* texts kept */
	size_t			 max_bytes;
	int			 precision;
	uint64_t		 clock;
	uint64_t		 copied;
	uint64_t		 kept;
};

static size_t
slot_bytes(const struct memo_slot *s)
{
	return (s->l.len + (s->l.n + 1) * sizeof(size_t) + s->keylen);
}

static void
slot_clear(struct pgl_json_memo *m, struct memo_slot *s)
{
	if (s->key != NULL)
		m->bytes -= slot_bytes(s);
	json_decref(s->l.list);
	free(s->l.text);
	free(s->l.off);
	free(s->key);
	memset(s, 0, sizeof(*s));
}

struct pgl_json_memo *
pgl_json_memo_new(size_t lists, size_t max_bytes, int precision)
{
	struct pgl_json_memo	*m;
	size_t			 n = MEMO_WAYS;

	while (n < lists && n < ((size_t)1 << 24))
		n <<= 1;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return (NULL);
	if ((m->slots = calloc(n, sizeof(*m->slots))) == NULL) {
		free(m);
		return (NULL);
	}
	m->mask = n / MEMO_WAYS - 1;
	m->max_bytes = max_bytes;
	precision &= 0x1f;
	m->precision = precision == 0 ? 17 : precision;
	return (m);
}

void
pgl_json_memo_free(struct pgl_json_memo *m)
{
	size_t	i;

	if (m == NULL)
		return;
	for (i = 0; i < (m->mask + 1) * MEMO_WAYS; i++)
		slot_clear(m, &m->slots[i]);
	free(m->slots);
	free(m);
}

int
pgl_json_memo_precision(const struct pgl_json_memo *m)
{
	return (m->precision);
}

/* key, NUL, name, NUL: the slot's key, and its length and hash. */
static char *
full_key(const char *key, const char *name, size_t *len, uint64_t *hash)
{
	size_t	 k = strlen(key) + 1, n = strlen(name) + 1;
	char	*p;

	*len = k + n;
	*hash = pgl_fnv1a(pgl_fnv1a(PGL_FNV_BASIS, key, k), name, n);
	if ((p = malloc(*len)) != NULL) {
		memcpy(p, key, k);
		memcpy(p + k, name, n);
	}
	return (p);
}

static struct memo_slot *
bucket(struct pgl_json_memo *m, uint64_t hash)
{
	return (&m->slots[(hash & m->mask) * MEMO_WAYS]);
}

static int
same_key(const struct memo_slot *s, const char *key, const char *name,
    uint64_t hash)
{
	size_t	k;

	if (s->key == NULL || s->hash != hash)
		return (0);
	k = strlen(key) + 1;
	return (k < s->keylen && memcmp(s->key, key, k) == 0 &&
	    strcmp(s->key + k, name) == 0);
}

const struct pgl_json_memo_list *
pgl_json_memo_find(struct pgl_json_memo *m, const char *key,
    const char *name)
{
	uint64_t		 h;
	struct memo_slot	*b;
	size_t			 i;

	h = pgl_fnv1a(pgl_fnv1a(PGL_FNV_BASIS, key, strlen(key) + 1), name,
	    strlen(name) + 1);
	b = bucket(m, h);
	for (i = 0; i < MEMO_WAYS; i++) {
		if (same_key(&b[i], key, name, h)) {
			b[i].used = ++m->clock;
			return (&b[i].l);
		}
	}
	return (NULL);
}

void
pgl_json_memo_keep(struct pgl_json_memo *m, const char *key,
    const char *name, const struct pgl_json_memo_list *l)
{
	struct memo_slot	*b, *s = NULL;
	uint64_t		 h;
	size_t			 len, i;
	char			*full;

	if ((full = full_key(key, name, &len, &h)) == NULL) {
		free(l->text);
		free(l->off);
		return;
	}
	b = bucket(m, h);
	for (i = 0; i < MEMO_WAYS && s == NULL; i++) {
		if (same_key(&b[i], key, name, h))
			s = &b[i];
	}
	for (i = 0; i < MEMO_WAYS && s == NULL; i++) {
		if (b[i].key == NULL)
			s = &b[i];
	}
	if (s == NULL)		/* the older of the two ways */
		s = b[0].used <= b[1].used ? &b[0] : &b[1];
	slot_clear(m, s);
	if (m->bytes + l->len + (l->n + 1) * sizeof(size_t) + len >
	    m->max_bytes) {
		free(full);
		free(l->text);
		free(l->off);
		return;
	}
	s->hash = h;
	s->key = full;
	s->keylen = len;
	s->l = *l;
	s->l.list = json_incref(l->list);
	s->used = ++m->clock;
	m->bytes += slot_bytes(s);
	m->kept++;
}

void
pgl_json_memo_copied(struct pgl_json_memo *m, size_t n)
{
	m->copied += n;
}

void
pgl_json_memo_counts(const struct pgl_json_memo *m, uint64_t *copied,
    uint64_t *kept)
{
	*copied = m->copied;
	*kept = m->kept;
}
