#ifndef PGL_UUID_H
#define PGL_UUID_H

#include <stdint.h>

#define PGL_UUID_LEN	36
#define PGL_NIL_UUID	"00000000-0000-0000-0000-000000000000"

/* A random (v4) UUID in lower-case text; out holds 37 bytes. */
void	pgl_uuid_new(char out[PGL_UUID_LEN + 1]);
/*
 * A time-ordered (v7) UUID for an event at unix time ms: the ids this
 * process makes sort, as text, in the order it made them, also within
 * one millisecond (a counter, RFC 9562 §6.2 method 1), so a list ordered
 * by (time, id) is the order things happened.
 */
void	pgl_uuid_new_ordered(char out[PGL_UUID_LEN + 1], int64_t ms);
/* 1 if s is a UUID in 8-4-4-4-12 hex form. */
int	pgl_uuid_valid(const char *s);

#endif
