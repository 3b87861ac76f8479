/*
 * The usage ledger (store ABI 1.27, issue 67): collection tenant_usage,
 * one document per (tenant, kind, slot) holding a count and bytes that
 * only ever change by $inc, so concurrent writers never lose one
 * another's change.  Each handle writes its own slot (chosen at open),
 * as PostgreSQL's sessions do (pg_schema_usage.c): inside a session
 * transaction two handles' $inc of one document would be a write
 * conflict for one of them.  A read adds a tenant's slots up.
 *
 * The changes of a write (mongo_usage_mark.c measures them) are kept on
 * the handle while a session transaction is open and written by one
 * bulk write just before it commits (mg_tx_commit), so the ledger moves
 * with the rows in the same transaction, for one round trip; without a
 * transaction they are written at once, after the write.  A server
 * without transactions (atomic() 0) can leave the two apart after a
 * crash between them: usage_recount makes the figures again from the
 * documents' marks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

/* Slots per (tenant, kind): handles writing one at once. */
#define SLOTS	64

int
mongo_usage_add(struct pgl_store *s, const struct usage_delta *d, size_t n,
    struct pgl_err *err)
{
	struct usage_delta	*p;
	size_t			 i, j, cap;

	for (i = 0; i < n; i++) {
		for (j = 0; j < s->nusage; j++) {
			if (strcmp(s->usage[j].tenant, d[i].tenant) == 0 &&
			    strcmp(s->usage[j].kind, d[i].kind) == 0)
				break;
		}
		if (j == s->nusage) {
			if (s->nusage == s->cusage) {
				cap = s->cusage == 0 ? 8 : s->cusage * 2;
				if ((p = realloc(s->usage, cap * sizeof(*p)))
				    == NULL)
					return (mongo_err(err, PGL_ENOMEM,
					    "out of memory"));
				s->usage = p;
				s->cusage = cap;
			}
			s->usage[s->nusage] = d[i];
			s->usage[s->nusage].count = 0;
			s->usage[s->nusage].bytes = 0;
			s->nusage++;
		}
		s->usage[j].count += d[i].count;
		s->usage[j].bytes += d[i].bytes;
	}
	return (s->tx_active ? PGL_OK : mongo_usage_flush(s, err));
}

void
mongo_usage_acc(struct usage_acc *acc, const struct usage_delta *d,
    size_t n)
{
	size_t	i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < acc->n; j++) {
			if (strcmp(acc->d[j].tenant, d[i].tenant) == 0 &&
			    strcmp(acc->d[j].kind, d[i].kind) == 0)
				break;
		}
		if (j == acc->n) {
			if (acc->n == sizeof(acc->d) / sizeof(acc->d[0]))
				continue;	/* cannot be: one tenant's */
			acc->d[acc->n] = d[i];
			acc->d[acc->n].count = 0;
			acc->d[acc->n++].bytes = 0;
		}
		acc->d[j].count += d[i].count;
		acc->d[j].bytes += d[i].bytes;
	}
}

void
mongo_usage_forget(struct pgl_store *s, const char *tenant)
{
	size_t	i, j;

	for (i = j = 0; i < s->nusage; i++) {
		if (tenant == NULL || strcmp(s->usage[i].tenant, tenant) == 0)
			continue;
		s->usage[j++] = s->usage[i];
	}
	s->nusage = j;
}

int
mongo_usage_flush(struct pgl_store *s, struct pgl_err *err)
{
	mongoc_bulk_operation_t	*bulk;
	bson_error_t		 e;
	bson_t			 opts, up, reply, *sel, *inc;
	size_t			 i, queued = 0;
	int			 rc;

	if (s->nusage == 0)
		return (PGL_OK);
	if ((rc = mg_opts(s, &opts, err)) != PGL_OK)
		return (rc);
	BSON_APPEND_BOOL(&opts, "ordered", false);
	bulk = mongoc_collection_create_bulk_operation_with_opts(
	    s->coll[COLL_USAGE], &opts);
	bson_destroy(&opts);
	bson_init(&up);
	BSON_APPEND_BOOL(&up, "upsert", true);
	for (i = 0; rc == PGL_OK && i < s->nusage; i++) {
		if (s->usage[i].count == 0 && s->usage[i].bytes == 0)
			continue;
		sel = BCON_NEW("tenant_id", BCON_UTF8(s->usage[i].tenant),
		    "kind", BCON_UTF8(s->usage[i].kind),
		    "slot", BCON_INT32(s->usage_slot));
		inc = BCON_NEW("$inc", "{", "n", BCON_INT64(s->usage[i].count),
		    "bytes", BCON_INT64(s->usage[i].bytes), "}");
		if (!mongoc_bulk_operation_update_one_with_opts(bulk, sel, inc,
		    &up, &e))
			rc = mongo_error(err, &e, NULL);
		else
			queued++;
		bson_destroy(sel);
		bson_destroy(inc);
	}
	if (rc == PGL_OK && queued > 0) {
		if (!mongoc_bulk_operation_execute(bulk, &reply, &e))
			rc = mongo_error(err, &e, &reply);
		bson_destroy(&reply);
	}
	bson_destroy(&up);
	mongoc_bulk_operation_destroy(bulk);
	s->nusage = 0;
	return (rc);
}

/* A group's _id {t: tenant, k: kind}, into the arena. */
static void
group_key(struct doc *d, const char **tenant, const char **kind)
{
	bson_iter_t	 it, id;
	const char	*v;
	uint32_t	 len;
	char		*p;

	if (bson_iter_init_find(&it, d->b, "_id") &&
	    BSON_ITER_HOLDS_DOCUMENT(&it) && bson_iter_recurse(&it, &id)) {
		while (bson_iter_next(&id)) {
			if (!BSON_ITER_HOLDS_UTF8(&id))
				continue;
			v = bson_iter_utf8(&id, &len);
			if ((p = d->s->host->arena_strndup(d->a, v, len)) ==
			    NULL)
				d->oom = 1;
			else if (strcmp(bson_iter_key(&id), "t") == 0)
				*tenant = p;
			else if (strcmp(bson_iter_key(&id), "k") == 0)
				*kind = p;
		}
	}
}

void
mongo_usage_group_fill(struct doc *d, void *out)
{
	struct usage_group	*g = out;

	group_key(d, &g->tenant, &g->kind);
	g->n = doc_int(d, "n");
	g->b = doc_int(d, "b");
	g->mn = doc_int(d, "mn");
	g->mb = doc_int(d, "mb");
}

/* The ledger read: a (tenant, kind)'s slots added up. */
static void
usage_fill(struct doc *d, void *out)
{
	struct pgl_usage	*u = out;

	group_key(d, &u->tenant, &u->kind);
	u->count = doc_int(d, "n");
	u->bytes = doc_int(d, "b");
}

/* Tenants holding the most first (their bytes of the kinds read). */
static const struct pgl_usage	*sort_rows;
static const int64_t		*sort_total;

static int
by_total(const void *x, const void *y)
{
	size_t	a = *(const size_t *)x, b = *(const size_t *)y;
	int	c;

	if (sort_total[a] != sort_total[b])
		return (sort_total[a] > sort_total[b] ? -1 : 1);
	if ((c = strcmp(sort_rows[a].tenant, sort_rows[b].tenant)) != 0)
		return (c);
	return (strcmp(sort_rows[a].kind, sort_rows[b].kind));
}

int
mongo_usage(struct pgl_store *s, struct pgl_arena *a, const char *tenant,
    const char *kind, uint32_t limit, struct pgl_usage **out, size_t *nout,
    struct pgl_err *err)
{
	struct pgl_usage	*u, *rows;
	bson_t			 match = BSON_INITIALIZER, *pipeline;
	int64_t			*total;
	size_t			*order, n = 0, i, j, k, tenants;
	void			*items = NULL;
	int			 rc;

	*out = NULL;
	*nout = 0;
	if (tenant != NULL)
		BSON_APPEND_UTF8(&match, "tenant_id", tenant);
	if (kind != NULL)
		BSON_APPEND_UTF8(&match, "kind", kind);
	pipeline = BCON_NEW("pipeline", "[",
	    "{", "$match", BCON_DOCUMENT(&match), "}",
	    "{", "$group", "{", "_id", "{", "t", BCON_UTF8("$tenant_id"),
	    "k", BCON_UTF8("$kind"), "}",
	    "n", "{", "$sum", BCON_UTF8("$n"), "}",
	    "b", "{", "$sum", BCON_UTF8("$bytes"), "}", "}", "}",
	    "]");
	rc = mg_aggregate(s, a, err, COLL_USAGE, pipeline, usage_fill,
	    sizeof(*u), &items, &n);
	bson_destroy(pipeline);
	bson_destroy(&match);
	if (rc != PGL_OK || n == 0)
		return (rc);
	u = items;
	total = s->host->arena_alloc(a, n * sizeof(*total));
	order = s->host->arena_alloc(a, n * sizeof(*order));
	rows = s->host->arena_alloc(a, n * sizeof(*rows));
	if (total == NULL || order == NULL || rows == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	/* A tenant's total: its rows' bytes, in each of its rows. */
	for (i = k = 0; i < n; i++) {
		/* Nothing held; or what a deleted tenant's events, purged
		 * after its figures went, took away. */
		if (u[i].tenant == NULL || u[i].kind == NULL ||
		    (u[i].count <= 0 && u[i].bytes <= 0))
			continue;
		order[k++] = i;
	}
	/* By tenant (every total 0), each run's total; then by it. */
	for (i = 0; i < k; i++)
		total[order[i]] = 0;
	sort_rows = u;
	sort_total = total;
	qsort(order, k, sizeof(*order), by_total);
	for (i = 0; tenant == NULL && i < k; i = j) {
		int64_t	sum = 0;

		for (j = i; j < k && strcmp(u[order[j]].tenant,
		    u[order[i]].tenant) == 0; j++)
			sum += u[order[j]].bytes;
		while (i < j)
			total[order[i++]] = sum;
	}
	if (tenant == NULL)
		qsort(order, k, sizeof(*order), by_total);
	for (i = j = tenants = 0; i < k; i++) {
		if (i == 0 || strcmp(u[order[i]].tenant,
		    u[order[i - 1]].tenant) != 0)
			tenants++;
		if (tenant == NULL && limit != 0 && tenants > limit)
			break;
		rows[j++] = u[order[i]];
	}
	*out = rows;
	*nout = j;
	return (PGL_OK);
}
