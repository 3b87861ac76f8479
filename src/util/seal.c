#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/base64.h"
#include "util/seal.h"
#include "util/str.h"

#define NONCE_LEN	12
#define TAG_LEN		16
#define PREFIX_LEN	(sizeof(PGL_SEAL_PREFIX) - 1)

const char *
pgl_seal_key_parse(const char *b64, unsigned char key[PGL_SEAL_KEY_LEN])
{
	unsigned char	buf[48];
	size_t		i;
	int		n;

	if ((n = pgl_base64_decode_strict(b64, buf, sizeof(buf))) == -1)
		return ("not base64");
	if (n != PGL_SEAL_KEY_LEN)
		return ("must decode to 32 bytes (openssl rand -base64 32)");
	for (i = 1; i < PGL_SEAL_KEY_LEN && buf[i] == buf[0]; i++)
		;
	if (i == PGL_SEAL_KEY_LEN)
		return ("refusing a key of one repeated byte");
	memcpy(key, buf, PGL_SEAL_KEY_LEN);
	OPENSSL_cleanse(buf, sizeof(buf));
	return (NULL);
}

int
pgl_seal_is_sealed(const char *text)
{
	return (text != NULL && strncmp(text, PGL_SEAL_PREFIX, PREFIX_LEN) ==
	    0);
}

/* One AES-256-GCM pass; enc 1 seals, 0 opens (and checks tag). */
static int
gcm(int enc, const unsigned char *key, const unsigned char *nonce,
    const char *aad, const unsigned char *in, int inlen, unsigned char *out,
    unsigned char *tag)
{
	EVP_CIPHER_CTX	*ctx;
	int		 n, fin, ok;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	ok = EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce,
	    enc) == 1 &&
	    EVP_CipherUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) == 1 &&
	    (inlen == 0 || EVP_CipherUpdate(ctx, out, &n, in, inlen) == 1) &&
	    (enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
	    tag) == 1) &&
	    EVP_CipherFinal_ex(ctx, out + (inlen == 0 ? 0 : n), &fin) == 1 &&
	    (!enc || EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
	    tag) == 1);
	EVP_CIPHER_CTX_free(ctx);
	return (ok ? 0 : -1);
}

int
pgl_seal(const unsigned char key[PGL_SEAL_KEY_LEN], const char *aad,
    const char *plain, char **out)
{
	size_t		 len = strlen(plain), blen = NONCE_LEN + len + TAG_LEN;
	unsigned char	*bin;
	char		*txt;

	*out = NULL;
	if (len > 1024 * 1024 || (bin = malloc(blen)) == NULL)
		return (-1);
	if ((txt = malloc(PREFIX_LEN + (blen + 2) / 3 * 4 + 1)) == NULL) {
		free(bin);
		return (-1);
	}
	if (RAND_bytes(bin, NONCE_LEN) != 1 || gcm(1, key, bin, aad,
	    (const unsigned char *)plain, (int)len, bin + NONCE_LEN,
	    bin + NONCE_LEN + len) == -1) {
		free(bin);
		free(txt);
		return (-1);
	}
	memcpy(txt, PGL_SEAL_PREFIX, PREFIX_LEN);
	(void)EVP_EncodeBlock((unsigned char *)txt + PREFIX_LEN, bin,
	    (int)blen);
	free(bin);
	*out = txt;
	return (0);
}

int
pgl_unseal(const unsigned char key[PGL_SEAL_KEY_LEN], const char *aad,
    const char *sealed, char **out, const char **why)
{
	unsigned char	*bin;
	char		*plain;
	size_t		 cap;
	int		 n, len;

	*out = NULL;
	*why = "not a sealed value";
	if (!pgl_seal_is_sealed(sealed))
		return (-1);
	sealed += PREFIX_LEN;
	cap = strlen(sealed) / 4 * 3 + 3;
	if ((bin = malloc(cap)) == NULL) {
		*why = "out of memory";
		return (-1);
	}
	*why = "malformed sealed value";
	if ((n = pgl_base64_decode_strict(sealed, bin, cap)) <
	    NONCE_LEN + TAG_LEN) {
		free(bin);
		return (-1);
	}
	len = n - NONCE_LEN - TAG_LEN;
	if ((plain = malloc((size_t)len + 1)) == NULL) {
		free(bin);
		*why = "out of memory";
		return (-1);
	}
	if (gcm(0, key, bin, aad, bin + NONCE_LEN, len, (unsigned char *)plain,
	    bin + NONCE_LEN + len) == -1) {
		free(bin);
		free(plain);
		*why = "does not authenticate (wrong PANGOLIN_ENCRYPTION_KEY, "
		    "or the value was altered)";
		return (-1);
	}
	free(bin);
	plain[len] = '\0';
	*out = plain;
	/* No reason left behind: a caller that reads *why to tell success
	 * took the last step's "malformed" for a failure (issue 67: no
	 * webhook delivered with the key set). */
	*why = NULL;
	return (0);
}
