/*
 * A jansson tree as compact JSON text, fast: the very bytes of
 *
 *   json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
 *       JSON_REAL_PRECISION(precision))
 *
 * (jansson 2.14), written straight into one growing buffer instead of
 * token by token through jansson's callback.
 */
#ifndef PGL_JSON_OUT_H
#define PGL_JSON_OUT_H

#include <stddef.h>
#include <jansson.h>

/* Deeper trees (arrays and objects nested more than this) are refused. */
#define PGL_JSON_OUT_MAX_DEPTH	2048

/*
 * The text of j, malloc'd and NUL-terminated; its length in *lenp when
 * lenp is not NULL.  precision: significant digits of a real, 1..31 (0:
 * jansson's default, 17).  NULL where json_dumps gives NULL (j NULL, a
 * string that is not UTF-8, a real that is not finite, a loop), on a key
 * that is not UTF-8 (json_dumps writes broken text), on a tree nested
 * deeper than PGL_JSON_OUT_MAX_DEPTH, and when out of memory.
 */
char	*pgl_json_out(const json_t *j, int precision, size_t *lenp);

/*
 * pgl_json_out's very text, with m (util/json_memo.h): each list of the
 * top object j is found in m by key and the member's name, each run of
 * its entries that are the very nodes of a run of the list's last text
 * is copied from it, and the new text is kept.  Only for trees whose
 * list entries are never changed in place while they live (a table
 * metadata's: src/iceberg/update.c, shared_entries): a change in place
 * would go unseen (test builds, PGL_CHECKS, render each copied entry
 * again and abort when it differs).  m or key NULL: pgl_json_out.
 */
struct pgl_json_memo;
char	*pgl_json_out_memo(const json_t *j, int precision, size_t *lenp,
	    struct pgl_json_memo *m, const char *key);

#endif
