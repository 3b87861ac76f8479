/*
 * JSON text to a jansson tree, fast: the tree of
 *
 *   json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e)
 *
 * (jansson 2.14), from the same inputs, and a refusal of every input it
 * refuses, without its cost: jansson reads a byte at a time through a
 * callback, checks and counts each one and copies it twice.  A commit
 * parses its base's metadata (~18 KB) whenever the other worker wrote it.
 */
#ifndef PGL_JSON_IN_H
#define PGL_JSON_IN_H

#include <stddef.h>
#include <jansson.h>

/* As jansson's JSON_PARSER_MAX_DEPTH: values nested deeper are refused. */
#define PGL_JSON_IN_MAX_DEPTH	2048

/*
 * The tree of buf[0..len), or NULL with a reason in why ("line L, column
 * C: what"): not JSON, a string that is not UTF-8 or holds \u0000, a
 * duplicate key, an integer outside int64, a real that overflows, bytes
 * after the value, too deep, out of memory.
 */
json_t	*pgl_json_in(const void *buf, size_t len, char *why, size_t whylen);

#endif
