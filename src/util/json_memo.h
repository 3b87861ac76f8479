/*
 * The texts of lists a render wrote, kept for the next render of the
 * same lists (util/json_out.h, pgl_json_out_memo): a table metadata's
 * next file shares all but one or two of its metadata-log's entries,
 * its snapshots and its schemas with the last, the very nodes, so the
 * next render copies runs of the last text instead of rendering each
 * entry again.  A list is found by its owner's key (the table's uuid)
 * and its member's name.  One thread's at a time.
 */
#ifndef PGL_UTIL_JSON_MEMO_H
#define PGL_UTIL_JSON_MEMO_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* A list's text as a render wrote it. */
struct pgl_json_memo_list {
	json_t	*list;	/* the array node; a reference is held */
	char	*text;	/* from '[' to ']' */
	size_t	 len;
	size_t	 n;	/* entries */
	size_t	*off;	/* entry i is text[off[i], off[i + 1] - 1); */
			/* off[n] is len */
};

struct pgl_json_memo;

/*
 * lists: how many lists are kept at most (rounded up to a power of two);
 * max_bytes: their texts' total at most (a list that would pass it is
 * not kept); precision: the only one the memo serves.
 */
struct pgl_json_memo	*pgl_json_memo_new(size_t lists, size_t max_bytes,
			    int precision);
void	 pgl_json_memo_free(struct pgl_json_memo *);
int	 pgl_json_memo_precision(const struct pgl_json_memo *);
/* The list last kept for key and name, or NULL. */
const struct pgl_json_memo_list *pgl_json_memo_find(struct pgl_json_memo *,
	    const char *key, const char *name);
/*
 * Keep l for key and name in place of the one kept before: the memo
 * takes l->text and l->off (freed when not kept) and a reference to
 * l->list.
 */
void	 pgl_json_memo_keep(struct pgl_json_memo *, const char *key,
	    const char *name, const struct pgl_json_memo_list *l);
/* Count entries copied from a kept list instead of rendered. */
void	 pgl_json_memo_copied(struct pgl_json_memo *, size_t n);
/* Entries copied, and lists kept, since the memo was made. */
void	 pgl_json_memo_counts(const struct pgl_json_memo *, uint64_t *copied,
	    uint64_t *kept);

#endif
