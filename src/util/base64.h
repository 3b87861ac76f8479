#ifndef PGL_BASE64_H
#define PGL_BASE64_H

#include <stddef.h>

/*
 * Strict base64 (RFC 4648 §4, padded, canonical: the bits the padding
 * leaves unused are 0, so one value has one spelling).  OpenSSL's
 * EVP_DecodeBlock skips whitespace and counts padding as output, so the
 * text is checked here first.  Decodes in into out (outlen bytes) and
 * returns the decoded length, or -1: not base64, or too long for out.
 * (auth/principal.c's pgl_base64_decode decodes Basic credentials to
 * text, NUL refused.)
 */
int	pgl_base64_decode_strict(const char *in, unsigned char *out,
	    size_t outlen);

/*
 * base64url without padding (RFC 4648 §5: safe in a query string and a
 * path), the form of the opaque tokens (page and feed tokens).  Encode
 * writes len bytes' text into out, which has room for
 * PGL_BASE64URL_LEN(len) bytes, and returns its length.  Decode takes
 * nothing but that alphabet (no padding, no '+', '/' or '=') and
 * returns the decoded length, or -1: not such text, or too long for out.
 */
#define PGL_BASE64URL_LEN(len)	(4 * (((len) + 2) / 3) + 1)
size_t	pgl_base64url_encode(const unsigned char *raw, size_t len,
	    char *out);
int	pgl_base64url_decode(const char *text, unsigned char *out,
	    size_t outlen);

#endif
