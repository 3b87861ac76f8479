/*
 * Iceberg list answers in slices (rest/list_walk.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/gate.h"
#include "api/rest/list_walk.h"
#include "app/app.h"
#include "metrics/metrics.h"
#include "util/arena.h"

struct list_walk *
list_walk_new(struct pgl_req *r, const struct list_walk_ops *ops,
    const struct pgl_page *want, int paged,
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
	/* Every row is visible to an admin: start at the page. */
	if (visible == NULL)
		lw->at = lw->seen = want->offset;
	jw_init(&lw->w);
	jw_open(&lw->w, '{');
	jw_key(&lw->w, ops->key);
	jw_open(&lw->w, '[');
	return (lw);
}

/* Write a slice's rows: 1 when the walk has all it needs. */
static int
take(struct list_walk *lw, const unsigned char *rows, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		const void	*row = rows + i * lw->ops->size;

		if (lw->visible != NULL && !lw->visible(lw->r, row, lw->ctx))
			continue;
		if (lw->seen++ < lw->want.offset)
			continue;
		if (lw->want.limit != 0 && lw->kept == lw->want.limit) {
			lw->more = 1;
			return (1);
		}
		jw_next(&lw->w);
		lw->ops->write(&lw->w, row);
		lw->kept++;
	}
	return (0);
}

/* One slice: 1 done (replied), 0 more to read. */
static int
slice(struct list_walk *lw)
{
	uint32_t		 rows_per = (uint32_t)
				    pgl_app.cfg->server.list_slice_rows;
	struct pgl_page		 pg = { rows_per, lw->at };
	struct pgl_arena	*a;
	struct pgl_err		 err;
	void			*rows;
	size_t			 n;
	int			 done;
	char			 tok[32];

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
	done = take(lw, rows, n) || n < rows_per;
	pgl_arena_free(a);
	lw->at += n;
	if (!done)
		return (0);
	jw_close(&lw->w, ']');
	if (lw->paged && lw->more && lw->kept > 0) {
		(void)snprintf(tok, sizeof(tok), "o%llu",
		    (unsigned long long)(lw->want.offset + lw->kept));
		jw_str(&lw->w, "next-page-token", tok);
	} else
		jw_json(&lw->w, "next-page-token", "null", "null");
	jw_close(&lw->w, '}');
	pgl_reply_jw(lw->r, 200, &lw->w);
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
