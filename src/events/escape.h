/*
 * One spelling of a name (tenant id, catalog, namespace level, table)
 * wherever a sink carries it: in a CloudEvents source URI, in its subject
 * and in a NATS subject token.  Every byte outside A-Z a-z 0-9 '-' '_' '~'
 * is written %XX (upper-case hex), '.' included: a NATS subject splits
 * tokens on '.', and a subject of levels joined by '.' must split back
 * into the same levels.  So catalog "sales.eu" is "sales%2Eeu" in all
 * three places and a consumer learns one rule.
 */
#ifndef PGL_EVENTS_ESCAPE_H
#define PGL_EVENTS_ESCAPE_H

#include <stddef.h>

/* The room a name of n bytes needs escaped, its NUL included. */
#define PGL_EVENT_ESCAPED_LEN(n)	(3 * (n) + 1)

/*
 * Append name, escaped, to the NUL-terminated text in buf (size bytes).
 * Returns 0, or -1 when it does not fit (buf is left as it was).
 */
int	pgl_event_escape_cat(char *buf, size_t size, const char *name);

#endif
