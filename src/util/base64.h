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

#endif
