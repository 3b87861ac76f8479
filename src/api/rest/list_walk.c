/*
 * Iceberg list answers in slices (rest/list_walk.h).
 */
#include <stdlib.h>
#include <string.h>

#include "api/gate.h"
#include "api/rest/list_walk.h"
#include "app/app.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/page_token.h"

struct list_walk *
list_walk_new(struct pgl_req *r, const struct list_walk_ops *ops,
    const struct pgl_page *want, int paged, uint64_t scope, int keyset,
    int (*visible)(struct pgl_req *, const void *, void *), void *ctx,
    void *arg)
{
	struct list_walk	*lw;

	if ((lw = pgl_arena_alloc(r->arena, sizeof(*lw))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (NULL);
	}
	memset(lw, 0, sizeof(*lw));
	lw->ops = ops;
	lw->r = r;
	lw->visible = visible;
	lw->ctx = ctx;
	lw->arg = arg;
	lw->want = *want;
	lw->paged = paged;
	lw->scope = scope;
	lw->keyset = keyset;
	jw_init(&lw->w);
	jw_open(&lw->w, '{');
	jw_key(&lw->w, ops->key);
	jw_open(&lw->w, '[');
	return (lw);
}

/* k's strings copied into r's arena (a slice's arena goes). */
static int
keep_key(struct pgl_req *r, const struct pgl_page_key *k,
    struct pgl_page_key *out)
{
	out->n = k->n;
	out->s = out->s2 = NULL;
	if ((k->s != NULL && (out->s = pgl_arena_strdup(r->arena, k->s)) ==
	    NULL) || (k->s2 != NULL && (out->s2 = pgl_arena_strdup(r->arena,
	    k->s2)) == NULL))
		return (-1);
	return (0);
}

/* Write a slice's rows: 1 when the walk has all it needs; *end the last
 * row written (NULL: none). */
static int
take(struct list_walk *lw, const unsigned char *rows, size_t n,
    const void **end)
{
	const struct pgl_page_key	*after = lw->want.after;
	size_t				 i;

	*end = NULL;
	for (i = 0; i < n; i++) {
		const void	*row = rows + i * lw->ops->size;

		/* A store without keyset reads: up to the key, dropped. */
		if (!lw->keyset && after != NULL && lw->ops->cmp(row, after) <=
		    0)
			continue;
		if (lw->visible != NULL && !lw->visible(lw->r, row, lw->ctx))
			continue;
		if (lw->want.limit != 0 && lw->kept == lw->want.limit) {
			lw->more = 1;
			return (1);
		}
		jw_next(&lw->w);
		lw->ops->write(&lw->w, row);
		lw->kept++;
		*end = row;
	}
	return (0);
}

static void
finish(struct list_walk *lw)
{
	const char	*tok;

	jw_close(&lw->w, ']');
	if (lw->paged && lw->more && lw->kept > 0 && (tok =
	    pgl_page_token(lw->r->arena, lw->scope, &lw->end)) != NULL)
		jw_str(&lw->w, "next-page-token", tok);
	else
		jw_json(&lw->w, "next-page-token", "null", "null");
	jw_close(&lw->w, '}');
	pgl_reply_jw(lw->r, 200, &lw->w);
}

/* One slice: 1 done (replied), 0 more to read. */
static int
slice(struct list_walk *lw)
{
	uint32_t		 rows_per = (uint32_t)
				    pgl_app.cfg->server.list_slice_rows;
	struct pgl_page		 pg = { rows_per, lw->at, NULL };
	struct pgl_page_key	 k;
	struct pgl_arena	*a;
	struct pgl_err		 err;
	const void		*end;
	void			*rows;
	size_t			 n;
	int			 done, rc = 0;

	if (lw->keyset) {
		pg.offset = 0;
		pg.after = lw->has_last ? &lw->last : lw->want.after;
	}
	/* Every row is the caller's (an admin): a page needs its rows and
	 * one more, not a whole slice. */
	if (lw->visible == NULL && lw->want.limit != 0 &&
	    lw->want.limit < rows_per)
		rows_per = pg.limit = lw->want.limit + 1;
	if ((a = pgl_arena_new()) == NULL) {
		jw_free(&lw->w);
		pgl_reply_error(lw->r, 503, "out of memory");
		return (1);
	}
	memset(&err, 0, sizeof(err));
	if (lw->ops->fetch(lw, a, &pg, &rows, &n, &err) != PGL_OK) {
		pgl_arena_free(a);
		jw_free(&lw->w);
		pgl_reply_store_error(lw->r, &err);
		return (1);
	}
	done = take(lw, rows, n, &end) || n < rows_per;
	/* The keys outlive the slice: where the next one starts, and the
	 * token of the page's last row. */
	if (end != NULL) {
		lw->ops->row_key(end, &k);
		rc = keep_key(lw->r, &k, &lw->end);
	}
	if (rc == 0 && n > 0 && !done) {
		lw->ops->row_key((const unsigned char *)rows + (n - 1) *
		    lw->ops->size, &k);
		rc = keep_key(lw->r, &k, &lw->last);
		lw->has_last = 1;
	}
	pgl_arena_free(a);
	lw->at += n;
	if (rc == -1) {
		jw_free(&lw->w);
		pgl_reply_error(lw->r, 503, "out of memory");
		return (1);
	}
	if (!done)
		return (0);
	finish(lw);
	return (1);
}

static void
go_on(struct pgl_req *r, void *arg)
{
	struct list_walk	*lw = arg;

	(void)r;
	if (slice(lw) == 0 && pgl_req_later(lw->r, go_on, lw) == 0) {
		pgl_metrics_inc(PGL_C_LIST_YIELDS);
		return;
	}
	/* Done, or no slice could be scheduled: answer what is there. */
	if (lw->r->status == 0) {
		jw_free(&lw->w);
		pgl_reply_error(lw->r, 503, "out of memory");
	}
	pgl_req_done(lw->r);
}

void
list_walk_run(struct list_walk *lw)
{
	int	done;

	/* The first slice at once: most lists are one slice. */
	while ((done = slice(lw)) == 0 && lw->r->http == NULL)
		;
	if (done)
		return;
	if (pgl_req_later(lw->r, go_on, lw) == -1) {
		jw_free(&lw->w);
		pgl_reply_error(lw->r, 503, "out of memory");
		return;
	}
	pgl_metrics_inc(PGL_C_LIST_YIELDS);
}
