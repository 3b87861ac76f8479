/*
 * Keyset page tokens (issue 69): where a list's next page starts, as
 * text opaque to clients.  A token holds the key of the last row its page
 * gave (struct pgl_page_key: the columns of the list's order), and the
 * store reads the next page from that key on by an index, so a page deep
 * into a list of 200,000 costs what the first does, and a row created or
 * deleted before the key between two pages neither repeats nor hides
 * another, where an offset would.
 *
 * A token is bound to its list: its scope is a 64-bit hash of what the
 * list is of (the route's list, the tenant, the catalog by id, the
 * branch, the parent or namespace, the filters), and a token read with
 * another scope is refused (400), so a token of one tenant's, catalog's,
 * branch's or namespace's list cannot page another.  It carries no
 * secret and needs none: a made-up key only says where the caller's own
 * list resumes, and every query stays bound to the request's own tenant,
 * catalog and grants, never to the token's.
 *
 * The text is base64url without padding (RFC 4648 §5: safe in a query
 * string) of
 *	'k' | version (1) | scope (8, big end) | n (8, big end)
 *	| s length (2) | s | s2 length (2) | s2
 */
#ifndef PGL_PAGE_TOKEN_H
#define PGL_PAGE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/store-t.h"

struct pgl_arena;

/* The longest key string a token carries (a namespace of many levels). */
#define PGL_PAGE_TOKEN_KEY_MAX	4096

/*
 * The scope of a list: the hash of its parts, strings up to the NULL that
 * ends them, the list's name first.  A part that may be absent is spelled
 * so that no value reads as it (PGL_PAGE_NONE).
 */
#define PGL_PAGE_NONE	"\x01"
uint64_t	 pgl_page_scope(const char *list, ...)
		    __attribute__((sentinel));

/* The token of key k in scope, in the arena; NULL: out of memory or a
 * key string longer than PGL_PAGE_TOKEN_KEY_MAX. */
char		*pgl_page_token(struct pgl_arena *, uint64_t scope,
		    const struct pgl_page_key *k);

/*
 * Reads text into k (its strings in the arena).  0, or -1: not a token,
 * another version, or another list's (its scope is not scope).
 */
int		 pgl_page_token_read(struct pgl_arena *, const char *text,
		    uint64_t scope, struct pgl_page_key *k);

#endif
