/*
 * The rows a SQL store's connection keeps, bounded by bytes
 * (sql_asset_rows.h).
 *
 * Both stores kept rows in a fixed count of direct-mapped slots (1,024 a
 * SQLite connection, 4,096 a PostgreSQL one), each row eleven mallocs,
 * so what a worker held grew with the width of the rows it met, not with
 * a setting, and a hit cost ten strdups.  Here a row is one allocation
 * (its key, then its texts), a hit one arena copy, and the table holds
 * at most its budget: the slots are a power of two, one for every
 * ROW_GUESS bytes of the budget, and a row that would pass the budget
 * first evicts rows from a hand that sweeps the slots (a clock without
 * the second chance: every row here is as cheap to read again as any
 * other, and a miss costs one query).
 */
#include <stdlib.h>
#include <string.h>

#include "sql_asset_rows.h"

#define ROW_GUESS	256	/* budget bytes a slot: a narrow row */
#define MALLOC_COST	16	/* what the allocator adds to a row */
#define NO_TEXT		UINT32_MAX

struct kept_row {
	uint64_t	 hash;
	uint64_t	 a, b;		/* the tags it was kept under */
	uint64_t	 expires_ms;	/* 0: none */
	int64_t		 created_at_ms;
	int64_t		 updated_at_ms;
	size_t		 cost;		/* counted against the budget */
	uint32_t	 texts;		/* the texts' bytes, after the key */
	uint32_t	 off[SQL_ROW_TEXTS];	/* into the texts; NO_TEXT */
	char		 data[];	/* key NUL, then each text NUL */
};

struct sql_rows {
	size_t			 budget;
	size_t			 bytes;
	size_t			 base;		/* the table and its slots */
	size_t			 mask;		/* slots - 1 */
	size_t			 hand;
	struct kept_row		**slot;
};

static uint64_t
fnv(const char *key)
{
	uint64_t	h = 14695981039346656037ULL;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return (h);
}

struct sql_rows *
sql_rows_new(size_t budget)
{
	struct sql_rows	*t;
	size_t		 n = 1;

	if (budget == 0)
		return (NULL);
	while (n * 2 * ROW_GUESS <= budget)
		n *= 2;
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	if ((t->slot = calloc(n, sizeof(*t->slot))) == NULL) {
		free(t);
		return (NULL);
	}
	t->budget = budget;
	t->mask = n - 1;
	t->base = sizeof(*t) + n * sizeof(*t->slot);
	t->bytes = t->base;
	return (t);
}

static void
drop(struct sql_rows *t, size_t i)
{
	if (t->slot[i] == NULL)
		return;
	t->bytes -= t->slot[i]->cost;
	free(t->slot[i]);
	t->slot[i] = NULL;
}

void
sql_rows_clear(struct sql_rows *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i <= t->mask; i++)
		drop(t, i);
}

void
sql_rows_free(struct sql_rows *t)
{
	if (t == NULL)
		return;
	sql_rows_clear(t);
	free(t->slot);
	free(t);
}

size_t
sql_rows_bytes(const struct sql_rows *t)
{
	return (t != NULL ? t->bytes : 0);
}

static const struct kept_row *
find(const struct sql_rows *t, const char *key, uint64_t a, uint64_t b,
    uint64_t now_ms)
{
	const struct kept_row	*r;
	uint64_t		 h;

	if (t == NULL)
		return (NULL);
	h = fnv(key);
	r = t->slot[h & t->mask];
	if (r == NULL || r->hash != h || r->a != a || r->b != b ||
	    (r->expires_ms != 0 && now_ms >= r->expires_ms) ||
	    strcmp(r->data, key) != 0)
		return (NULL);
	return (r);
}

/* The asset's text fields, in the row's order. */
static void
fields(struct pgl_asset *as, const char **f[SQL_ROW_TEXTS])
{
	f[0] = &as->id;
	f[1] = &as->catalog;
	f[2] = &as->branch;
	f[3] = &as->ns;
	f[4] = &as->name;
	f[5] = &as->kind;
	f[6] = &as->location;
	f[7] = &as->metadata_location;
	f[8] = &as->properties;
	f[9] = &as->origin;
}

int
sql_rows_get_asset(struct sql_rows *t, const struct pgl_host *host,
    struct pgl_arena *arena, const char *key, uint64_t a, uint64_t b,
    uint64_t now_ms, struct pgl_asset *out)
{
	const struct kept_row	*r;
	const char		**f[SQL_ROW_TEXTS];
	char			*copy;
	size_t			 i;

	if ((r = find(t, key, a, b, now_ms)) == NULL)
		return (-1);
	/* One copy of every text, where each was two before. */
	if ((copy = host->arena_alloc(arena, r->texts + 1)) == NULL)
		return (-1);
	memcpy(copy, r->data + strlen(r->data) + 1, r->texts);
	fields(out, f);
	for (i = 0; i < SQL_ROW_TEXTS; i++)
		*f[i] = r->off[i] == NO_TEXT ? NULL : copy + r->off[i];
	out->created_at_ms = r->created_at_ms;
	out->updated_at_ms = r->updated_at_ms;
	return (0);
}

/* Room for cost bytes more: rows go from the hand on. */
static int
room(struct sql_rows *t, size_t cost)
{
	if (cost > t->budget || t->budget - cost < t->base)
		return (-1);
	while (t->bytes + cost > t->budget) {
		drop(t, t->hand);
		t->hand = (t->hand + 1) & t->mask;
	}
	return (0);
}

void
sql_rows_put(struct sql_rows *t, const char *key, uint64_t a, uint64_t b,
    uint64_t expires_ms, const char *const text[SQL_ROW_TEXTS],
    int64_t created_at_ms, int64_t updated_at_ms)
{
	struct kept_row	*r;
	size_t		 i, keylen, len[SQL_ROW_TEXTS], texts = 0, at;
	uint64_t	 h;

	if (t == NULL)
		return;
	h = fnv(key);
	/* The slot's row goes whatever comes: it may be this key's, older. */
	drop(t, h & t->mask);
	keylen = strlen(key) + 1;
	for (i = 0; i < SQL_ROW_TEXTS; i++) {
		len[i] = text[i] != NULL ? strlen(text[i]) + 1 : 0;
		texts += len[i];
	}
	if (texts >= NO_TEXT || room(t, sizeof(*r) + keylen + texts +
	    MALLOC_COST) == -1 ||
	    (r = malloc(sizeof(*r) + keylen + texts)) == NULL)
		return;
	r->hash = h;
	r->a = a;
	r->b = b;
	r->expires_ms = expires_ms;
	r->created_at_ms = created_at_ms;
	r->updated_at_ms = updated_at_ms;
	r->cost = sizeof(*r) + keylen + texts + MALLOC_COST;
	r->texts = (uint32_t)texts;
	memcpy(r->data, key, keylen);
	for (i = 0, at = 0; i < SQL_ROW_TEXTS; i++) {
		r->off[i] = text[i] != NULL ? (uint32_t)at : NO_TEXT;
		memcpy(r->data + keylen + at, text[i] != NULL ? text[i] : "",
		    len[i]);
		at += len[i];
	}
	t->slot[h & t->mask] = r;
	t->bytes += r->cost;
}

void
sql_rows_put_asset(struct sql_rows *t, const char *key, uint64_t a,
    uint64_t b, uint64_t expires_ms, const struct pgl_asset *as)
{
	const char	**f[SQL_ROW_TEXTS], *text[SQL_ROW_TEXTS];
	struct pgl_asset copy = *as;
	size_t		  i;

	fields(&copy, f);
	for (i = 0; i < SQL_ROW_TEXTS; i++)
		text[i] = *f[i];
	sql_rows_put(t, key, a, b, expires_ms, text, as->created_at_ms,
	    as->updated_at_ms);
}

char *
sql_asset_key(const char *const name[5], char *buf, size_t size)
{
	size_t	i, len, off = 0;

	for (i = 0; i < 5; i++) {
		if (name[i] == NULL)
			return (NULL);
		len = strlen(name[i]);
		if (off + len + 1 >= size)
			return (NULL);
		memcpy(buf + off, name[i], len);
		off += len;
		buf[off++] = '\x1f';
	}
	buf[off] = '\0';
	return (buf);
}
