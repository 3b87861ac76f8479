#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "util/base64.h"
#include "util/str.h"

int
pgl_base64_decode_strict(const char *in, unsigned char *out, size_t outlen)
{
	size_t	len = strlen(in), i, pad = 0;
	int	n;

	if (len == 0 || len % 4 != 0 || len / 4 * 3 > outlen)
		return (-1);
	for (i = 0; i < len; i++) {
		if (in[i] == '=' && i >= len - 2) {
			pad++;
			continue;
		}
		if (pad > 0 || pgl_base64_value(in[i]) == -1)
			return (-1);
	}
	if (pad > 0 && (pgl_base64_value(in[len - pad - 1]) &
	    (pad == 1 ? 0x3 : 0xf)))
		return (-1);
	if ((n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len)) <
	    (int)pad)
		return (-1);
	return (n - (int)pad);
}

size_t
pgl_base64url_encode(const unsigned char *raw, size_t len, char *out)
{
	char	*c;
	int	 n;

	n = EVP_EncodeBlock((unsigned char *)out, raw, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (c = out; *c != '\0'; c++) {
		if (*c == '+')
			*c = '-';
		else if (*c == '/')
			*c = '_';
	}
	return ((size_t)n);
}

int
pgl_base64url_decode(const char *text, unsigned char *out, size_t outlen)
{
	char	*buf;
	size_t	 i, n = strlen(text);
	int	 len;

	/* The text of outlen bytes and its padding, no more. */
	if (n == 0 || n % 4 == 1 || n > PGL_BASE64URL_LEN(outlen) ||
	    (buf = malloc(n + 4)) == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		if (text[i] == '+' || text[i] == '/' || text[i] == '=') {
			free(buf);
			return (-1);
		}
		buf[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' :
		    text[i];
	}
	while (i % 4 != 0)
		buf[i++] = '=';
	buf[i] = '\0';
	len = pgl_base64_decode_strict(buf, out, outlen);
	free(buf);
	return (len);
}
