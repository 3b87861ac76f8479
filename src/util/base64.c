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
