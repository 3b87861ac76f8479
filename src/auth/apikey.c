#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "auth/apikey.h"

static void
hex(const unsigned char *in, size_t len, char *out)
{
	static const char	digits[] = "0123456789abcdef";
	size_t			i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/*
 * Why SHA-256 and not argon2 or bcrypt: a slow hash protects guessable
 * secrets (passwords) from offline guessing.  This secret is 256
 * uniformly random bits, so guessing it is hopeless at any hash speed,
 * and a fast hash keeps an API call at microseconds instead of the tens
 * of milliseconds a password hash would add to every request.
 */
static void
digest(const char *secret, char out[PGL_APIKEY_HASH_LEN + 1])
{
	unsigned char	md[SHA256_DIGEST_LENGTH];

	(void)SHA256((const unsigned char *)secret, strlen(secret), md);
	memcpy(out, "sha256:", 7);
	hex(md, sizeof(md), out + 7);
	OPENSSL_cleanse(md, sizeof(md));
}

int
pgl_apikey_mint(char key[PGL_APIKEY_LEN + 1],
    char key_id[PGL_APIKEY_ID_LEN + 1], char hash[PGL_APIKEY_HASH_LEN + 1])
{
	unsigned char	id[PGL_APIKEY_ID_LEN / 2];
	unsigned char	raw[PGL_APIKEY_SECRET_LEN / 2];
	char		secret[PGL_APIKEY_SECRET_LEN + 1];

	if (RAND_bytes(id, sizeof(id)) != 1 ||
	    RAND_bytes(raw, sizeof(raw)) != 1)
		return (-1);
	hex(id, sizeof(id), key_id);
	hex(raw, sizeof(raw), secret);
	(void)snprintf(key, PGL_APIKEY_LEN + 1, "pgl_%s_%s", key_id, secret);
	digest(secret, hash);
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(secret, sizeof(secret));
	return (0);
}

static int
all_hex(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < len; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (0);
	}
	return (1);
}

int
pgl_apikey_parse(const char *key, char key_id[PGL_APIKEY_ID_LEN + 1],
    char secret[PGL_APIKEY_SECRET_LEN + 1])
{
	if (key == NULL || strlen(key) != PGL_APIKEY_LEN ||
	    strncmp(key, "pgl_", 4) != 0 || key[4 + PGL_APIKEY_ID_LEN] != '_' ||
	    !all_hex(key + 4, PGL_APIKEY_ID_LEN) ||
	    !all_hex(key + 5 + PGL_APIKEY_ID_LEN, PGL_APIKEY_SECRET_LEN))
		return (-1);
	memcpy(key_id, key + 4, PGL_APIKEY_ID_LEN);
	key_id[PGL_APIKEY_ID_LEN] = '\0';
	memcpy(secret, key + 5 + PGL_APIKEY_ID_LEN, PGL_APIKEY_SECRET_LEN + 1);
	return (0);
}

int
pgl_apikey_verify(const char *secret, const char *stored)
{
	char	h[PGL_APIKEY_HASH_LEN + 1];

	if (stored == NULL || strlen(stored) != PGL_APIKEY_HASH_LEN)
		return (0);
	digest(secret, h);
	return (CRYPTO_memcmp(h, stored, PGL_APIKEY_HASH_LEN) == 0);
}
