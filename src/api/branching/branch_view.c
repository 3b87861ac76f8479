/*
 * What a reader may see of a branch (issue 67): its commit log and a
 * partial branch's asset names, both carrying only the objects the caller
 * may read.  Root, a tenant admin and a holder of `read` on the whole
 * catalog see everything as stored; anyone else is judged per object by
 * the grants the filtered lists use (api_allowed, read): a Put by its
 * asset's namespace and id, a Delete (which names no id) by its
 * namespace, a partial branch's "ns.table" by its namespace.
 *
 * A commit is shown with the operations the reader may read.  One that
 * touched only objects it may not read is left out; one that touched
 * some of each shows its readable operations under a message made of
 * them ("Put pub.t"), since the stored message may name the rest (a
 * rename's "Rename priv.a to pub.b"); a merge commit keeps its own,
 * which names branches only.  A commit that touches no object
 * (a catalog's first) is shown as stored.  Ids stay: a parent id names
 * no object.
 *
 * Paging.  The filtered log is read from the head in slices of
 * LOG_SLICE commits (one store round trip each, the next slice starting
 * at the last one's parent, so a long walk reads each commit once), and
 * the worker serves other requests between slices.  offset and limit
 * count the entries the reader sees, and a page is full unless the
 * history ends (or the page byte cap cuts it).  The walk stops at the
 * first entry past the page: X-Total-Count is sent when it reached the
 * branch's first commit (then it is exact), and X-Next-Offset (where the
 * next page starts) when more entries follow, in place of a total that
 * only a walk of the whole history could give.
 *
 * A page_token (issue 69) pages the chain by key: X-Next-Page-Token names
 * the last commit given, and the next page starts at its parent, so a
 * page deep into a long history reads its own commits only, for every
 * reader; such a page carries no total.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/branching/merge.h"
#include "api/gate.h"
#include "api/target.h"
#include "app/app.h"
#include "metrics/metrics.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/paging.h"

#define LOG_SLICE	500

/* The levels of a JSON namespace joined by sep, in a; NULL when it is
 * not an array of names. */
static char *
levels_joined(struct pgl_arena *a, const json_t *levels, char sep)
{
	const json_t	*v;
	const char	*s;
	char		*out = "";
	size_t		 i;

	if (!json_is_array(levels))
		return (NULL);
	json_array_foreach(levels, i, v) {
		if ((s = json_string_value(v)) == NULL || *s == '\0' ||
		    strchr(s, PGL_NS_SEP) != NULL)
			return (NULL);
		out = i == 0 ? pgl_arena_strdup(a, s) :
		    pgl_arena_printf(a, "%s%c%s", out, sep, s);
		if (out == NULL)
			return (NULL);
	}
	return (out);
}

int
api_branch_reads_all(struct pgl_req *r, const char *catalog_id)
{
	return (api_allowed(r, PGL_ACT_READ,
	    &(struct pgl_target){ catalog_id, "", "", NULL, 0, 0 }));
}

/*
 * The object one commit operation names, if the reader may read it:
 * its dotted name in *name (for a message), in a.  0: not readable, or
 * an operation of a shape this reader cannot judge.
 */
static int
op_readable(struct pgl_req *r, struct pgl_arena *a, const char *catalog_id,
    const json_t *op, const char **name)
{
	const json_t	*o;
	const char	*id = "", *ns, *dotted, *leaf;

	if ((o = json_object_get(op, "Put")) != NULL) {
		o = json_object_get(o, "asset");
		if ((id = pgl_json_str(o, "id")) == NULL)
			return (0);
	} else if ((o = json_object_get(op, "Delete")) == NULL)
		return (0);
	if ((leaf = pgl_json_str(o, "name")) == NULL ||
	    (ns = levels_joined(a, json_object_get(o, "namespace"),
	    PGL_NS_SEP)) == NULL || (dotted = levels_joined(a,
	    json_object_get(o, "namespace"), '.')) == NULL)
		return (0);
	*name = pgl_arena_printf(a, "%s.%s", dotted, leaf);
	return (*name != NULL && api_allowed(r, PGL_ACT_READ,
	    &(struct pgl_target){ catalog_id, ns, id, NULL, 0, 0 }));
}

static json_t *
commit_json(const struct pgl_commit *c, const char *message, json_t *ops)
{
	json_t	*j;

	j = json_pack("{s:s,s:o,s:I,s:s,s:s,s:o}", "id", c->id,
	    "parent_id", api_str_or_null(c->parent_id),
	    "timestamp", (json_int_t)c->timestamp_ms, "author", c->author,
	    "message", message, "operations", ops);
	/* A merge commit also names the merged source's head. */
	if (j != NULL && c->merge_parent_id != NULL)
		json_object_set_new(j, "merge_parent_id",
		    json_string(c->merge_parent_id));
	return (j);
}

/*
 * c as the reader sees it (whole: as stored), or NULL when it touched
 * only objects the reader may not read (or out of memory).  Scratch
 * text goes to a (the slice's).
 */
static json_t *
commit_seen(struct pgl_req *r, struct pgl_arena *a, const char *catalog_id,
    int whole, const struct pgl_commit *c)
{
	json_t		*ops, *kept, *op;
	const char	*name, *msg = NULL;
	size_t		 i;

	ops = pgl_json_load_or(c->operations, json_array());
	if (!whole && !json_is_array(ops)) {
		json_decref(ops);
		ops = json_array();
	}
	if (whole || json_array_size(ops) == 0)
		return (commit_json(c, c->message, ops));
	if ((kept = json_array()) == NULL) {
		json_decref(ops);
		return (NULL);
	}
	json_array_foreach(ops, i, op) {
		if (!op_readable(r, a, catalog_id, op, &name))
			continue;
		json_array_append(kept, op);
		msg = pgl_arena_printf(a, "%s%s%s %s", msg != NULL ?
		    msg : "", msg != NULL ? "; " : "", json_object_get(op,
		    "Put") != NULL ? "Put" : "Delete", name);
	}
	i = json_array_size(ops);
	json_decref(ops);
	if (json_array_size(kept) == 0 || msg == NULL) {
		json_decref(kept);
		return (NULL);
	}
	/* A merge's message names branches only ("Merge dev into main"). */
	return (commit_json(c, json_array_size(kept) == i ||
	    c->merge_parent_id != NULL ? c->message : msg, kept));
}

/* The filtered walk of one request (see the top). */
struct log_walk {
	struct pgl_req		*r;
	const char		*catalog_id;
	struct pgl_page		 want;
	int			 keyed;		/* a page_token's page */
	uint64_t		 scope;		/* of its tokens */
	const char		*last;		/* the last commit given */
	const char		*next;		/* where the next slice starts */
	uint64_t		 seen;		/* entries passed */
	size_t			 used;		/* bytes of the page */
	int			 more;		/* an entry past the page */
	json_t			*page;
};

/* One slice's commits (read into a) into the page: 1 when complete. */
static int
take(struct log_walk *w, struct pgl_arena *a, const struct pgl_commit *items,
    size_t n)
{
	size_t	i, kept;
	json_t	*j;

	for (i = 0; i < n; i++) {
		if ((j = commit_seen(w->r, a, w->catalog_id, 0, &items[i])) ==
		    NULL)
			continue;
		if (w->seen++ < w->want.offset) {
			json_decref(j);
			continue;
		}
		kept = json_array_size(w->page);
		if ((w->want.limit != 0 && kept == w->want.limit) ||
		    pgl_page_full(w->used, kept)) {
			json_decref(j);
			w->more = 1;
			return (1);
		}
		w->used += json_dumpb(j, NULL, 0, JSON_COMPACT) + 1;
		json_array_append_new(w->page, j);
		w->last = pgl_arena_strdup(w->r->arena, items[i].id);
	}
	return (0);
}

static void
answer(struct log_walk *w)
{
	struct pgl_page_key	 k = { NULL, NULL, 0 };
	const char		*tok;
	char			 buf[32];

	/* A tag grant's read of an asset's tags that failed has replied. */
	if (w->r->status != 0) {
		json_decref(w->page);
		w->page = NULL;
		return;
	}
	if (w->more && (k.s = w->last) != NULL &&
	    pgl_store_pages_by_key(pgl_app.db) &&
	    (tok = pgl_page_token(w->r->arena, w->scope, &k)) != NULL)
		pgl_set_header(w->r, "x-next-page-token", tok);
	if (w->keyed)
		pgl_reply_json(w->r, 200, w->page);
	else if (w->more) {
		(void)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)
		    (w->want.offset + json_array_size(w->page)));
		pgl_set_header(w->r, "x-next-offset", buf);
		pgl_reply_json(w->r, 200, w->page);
	} else
		pgl_reply_list(w->r, w->page, w->seen);
	w->page = NULL;
}

/* One slice: 1 done (replied), 0 more to read. */
static int
slice(struct log_walk *w)
{
	struct pgl_commit	*items;
	struct pgl_arena	*a;
	struct pgl_err		 err;
	size_t			 n;
	int			 done;

	if ((a = pgl_arena_new()) == NULL) {
		json_decref(w->page);
		pgl_reply_error(w->r, 503, "out of memory");
		return (1);
	}
	memset(&err, 0, sizeof(err));
	if (STORE(get_commit_ancestry, a, w->r->tenant, w->next, LOG_SLICE,
	    &items, &n, &err) != PGL_OK) {
		pgl_arena_free(a);
		json_decref(w->page);
		pgl_reply_store_error(w->r, &err);
		return (1);
	}
	done = take(w, a, items, n);
	w->next = !done && n == LOG_SLICE && items[n - 1].parent_id != NULL ?
	    pgl_arena_strdup(w->r->arena, items[n - 1].parent_id) : NULL;
	pgl_arena_free(a);
	if (!done && w->next != NULL)
		return (0);
	answer(w);
	return (1);
}

static void
go_on(struct pgl_req *r, void *arg)
{
	struct log_walk	*w = arg;

	(void)r;
	if (slice(w) == 0 && pgl_req_later(w->r, go_on, w) == 0) {
		pgl_metrics_inc(PGL_C_LIST_YIELDS);
		return;
	}
	if (w->r->status == 0) {
		json_decref(w->page);
		pgl_reply_error(w->r, 503, "out of memory");
	}
	pgl_req_done(w->r);
}

/* The reader's page of the log from head (a tenant user's). */
static void
filtered(struct pgl_req *r, const char *catalog_id, const char *head,
    const struct pgl_page *pg, int keyed, uint64_t scope)
{
	struct log_walk	*w;
	int		 done;

	if ((w = pgl_arena_alloc(r->arena, sizeof(*w))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	memset(w, 0, sizeof(*w));
	if ((w->page = json_array()) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	w->r = r;
	w->catalog_id = catalog_id;
	w->want = *pg;
	/* The walk stops at the first entry past the page by itself. */
	w->want.limit--;
	w->keyed = keyed;
	w->scope = scope;
	w->next = head;
	w->used = 2;		/* the brackets, as page_trim counts */
	if (head == NULL) {
		answer(w);
		return;
	}
	/* The first slice at once: most pages are one slice. */
	while ((done = slice(w)) == 0 && r->http == NULL)
		;
	if (done)
		return;
	if (pgl_req_later(r, go_on, w) == -1) {
		json_decref(w->page);
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	pgl_metrics_inc(PGL_C_LIST_YIELDS);
}

/*
 * Where a keyed page starts: the parent of the commit its token names
 * (NULL: the chain ended there), which must be one of the catalog's;
 * -1 replied.
 */
static int
resume_at(struct pgl_req *r, const struct pgl_catalog *c, const char *id,
    const char **head)
{
	struct pgl_commit	cm;
	struct pgl_err		err;

	if (STORE(get_commit, r->arena, r->tenant, id, &cm, &err) != PGL_OK) {
		if (err.code == PGL_ENOTFOUND)
			pgl_reply_error(r, 400, "invalid page_token: not a "
			    "token of this list");
		else
			pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (cm.catalog == NULL || strcmp(cm.catalog, c->name) != 0) {
		pgl_reply_error(r, 400, "invalid page_token: not a token of "
		    "this list");
		return (-1);
	}
	*head = cm.parent_id;
	return (0);
}

void
api_branch_log(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *b, const struct api_page *ap)
{
	const struct pgl_page	*pg = &ap->pg;
	struct pgl_commit	*items = NULL;
	struct pgl_page		 from = *pg;
	struct pgl_err		 err;
	const char		*head = b->head_commit_id;
	json_t			*arr;
	uint64_t		 total = 0;
	size_t			 n = 0, i;

	/* The chain is the key's order: a keyed page reads from a head. */
	from.after = NULL;
	if (pg->after != NULL && (pg->after->s == NULL ||
	    resume_at(r, c, pg->after->s, &head) == -1)) {
		if (r->status == 0)
			pgl_reply_error(r, 400, "invalid page_token");
		return;
	}
	if (!api_branch_reads_all(r, c->id)) {
		filtered(r, c->id, head, &from, ap->keyed, ap->scope);
		return;
	}
	if (head != NULL && STORE(list_commit_ancestry, r->arena, r->tenant,
	    head, &from, &items, &n, ap->keyed ? NULL : &total, &err) !=
	    PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, commit_seen(r, r->arena, c->id, 1,
		    &items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_S(struct pgl_commit, id), ap, total);
}

json_t *
api_branch_json(const struct pgl_branch *b)
{
	return (json_pack("{s:s,s:o,s:s,s:o}", "name", b->name,
	    "head_commit_id", api_str_or_null(b->head_commit_id),
	    "branch_type", b->branch_type,
	    "assets", pgl_json_load_or(b->assets, json_array())));
}

json_t *
api_branch_seen_json(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *b)
{
	json_t		*j = api_branch_json(b), *names, *v;
	const char	*s, *dot;
	char		*ns, *p;
	size_t		 i;

	if (j == NULL || api_branch_reads_all(r, c->id))
		return (j);
	names = json_object_get(j, "assets");
	/* Each "ns.table" by its namespace: the levels before the last dot
	 * (a level holding a dot is read as two, the way the branch's own
	 * lookup of these names splits them). */
	for (i = 0; i < json_array_size(names); ) {
		v = json_array_get(names, i);
		ns = NULL;
		if ((s = json_string_value(v)) != NULL &&
		    (dot = strrchr(s, '.')) != NULL && dot != s &&
		    (ns = pgl_arena_strndup(r->arena, s, (size_t)(dot - s))) !=
		    NULL) {
			for (p = ns; *p != '\0'; p++) {
				if (*p == '.')
					*p = PGL_NS_SEP;
			}
		}
		if (ns != NULL && api_allowed(r, PGL_ACT_READ,
		    &(struct pgl_target){ c->id, ns, "", NULL, 0, 0 }))
			i++;
		else
			json_array_remove(names, i);
	}
	return (j);
}
