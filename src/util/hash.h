/*
 * FNV-1a, 64 bits: the hash of every in-process table here (caches,
 * slots, sets) and of the ETag.  Not for anything adversarial.
 */
#ifndef PGL_UTIL_HASH_H
#define PGL_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define PGL_FNV_BASIS	14695981039346656037ULL
#define PGL_FNV_PRIME	1099511628211ULL

/* Go on hashing n bytes from h (start at PGL_FNV_BASIS). */
static inline uint64_t
pgl_fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char	*p = data;
	size_t			 i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * PGL_FNV_PRIME;
	return (h);
}

/* The same over a NUL-terminated string. */
static inline uint64_t
pgl_fnv1a_str(uint64_t h, const char *s)
{
	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * PGL_FNV_PRIME;
	return (h);
}

#endif
