/*
 * What each byte of a JSON string is, shared by the writer (json_out.c)
 * and the reader (json_in.c): both stop at the same bytes (a quote, a
 * backslash, a control byte, the start of a UTF-8 sequence) and check
 * UTF-8 the same way, as jansson does.
 */
#ifndef PGL_JSON_BYTES_H
#define PGL_JSON_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * What a string byte needs: 0 copied as it is, 1 escaped, 2 the first
 * byte of a UTF-8 sequence of 2 (C2-DF), 3 (E0-EF) or 4 (F0-F4) bytes,
 * 5 never valid here (a continuation byte, C0, C1, F5-FF).  A lead
 * byte's class is its sequence's length.
 */
#define PGL_JB_PLAIN		0
#define PGL_JB_ESC		1
#define PGL_JB_LEAD2		2
#define PGL_JB_LEAD3		3
#define PGL_JB_LEAD4		4
#define PGL_JB_BAD		5

extern const unsigned char	pgl_json_byte[256];

/*
 * The length of the well-formed UTF-8 sequence at p (lead byte class
 * cls), or 0: continuation bytes 80-BF, no overlong three- or four-byte
 * form (E0 then A0-BF, F0 then 90-BF), no surrogate (ED then 80-9F), at
 * most U+10FFFF (F4 then 80-8F).
 */
static inline size_t
pgl_utf8_seq(const unsigned char *p, const unsigned char *end, int cls)
{
	size_t		n = (size_t)cls;
	unsigned char	lo = 0x80, hi = 0xbf;

	if ((size_t)(end - p) < n)
		return (0);
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return (0);
	if (n > 2 && (p[2] & 0xc0) != 0x80)
		return (0);
	if (n > 3 && (p[3] & 0xc0) != 0x80)
		return (0);
	return (n);
}

/*
 * Whether any of the 8 bytes at p is not PGL_JB_PLAIN: 80-FF, below 0x20, '"'
 * or '\\'.  (x - 0x01..) & ~x & 0x80.. marks a zero byte of x, and the
 * lowest one surely; a mark above it may be a borrow's, which does not
 * matter here: the byte loop finds which byte it is.
 */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

static inline int
pgl_json_word_special(const unsigned char *p)
{
	uint64_t	w, q, b;

	memcpy(&w, p, sizeof(w));
	q = w ^ (ONES * '"');
	b = w ^ (ONES * '\\');
	return (((w | ((w - ONES * 0x20) & ~w) | ((q - ONES) & ~q) |
	    ((b - ONES) & ~b)) & HIGHS) != 0);
}

#endif
