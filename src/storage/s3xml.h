/*
 * The little of S3's and STS's XML answers the server reads: the text of
 * an element, a timestamp, and whether an error code looks like one.
 * Not an XML parser: these answers are flat, and a value that does not
 * fit is refused, never guessed at.
 */
#ifndef PGL_S3XML_H
#define PGL_S3XML_H

#include <stddef.h>
#include <stdint.h>

/*
 * The text of the next <tag>...</tag> at or after *p, the five
 * predefined entities decoded, into out (cut at len - 1 bytes); *p moves
 * past it.  0 if there is none.
 */
int	pgl_xml_next(const char **p, const char *tag, char *out, size_t len);

/* "2026-11-23T03:50:40.123456Z" -> ms since the epoch; 0 if unreadable. */
int64_t	pgl_iso8601_ms(const char *);

/*
 * 1 if the n bytes at a look like an error code ("NoSuchKey",
 * "AccessDenied"): 1 to 64 letters, digits and dots.  The only remote text
 * a caller ever sees, so an endpoint cannot make the server echo what it
 * likes.
 */
int	pgl_xml_code_ok(const char *a, size_t n);

#endif
