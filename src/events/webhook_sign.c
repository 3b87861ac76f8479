#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "events/webhook_sign.h"
#include "util/base64.h"

#define PREFIX_LEN	(sizeof(PGL_WEBHOOK_SECRET_PREFIX) - 1)
#define MAC_LEN		32			/* SHA-256 */
#define SIG_B64_LEN	44			/* base64 of MAC_LEN */
#define SIG_LEN		(3 + SIG_B64_LEN)	/* "v1," + base64 */

int
pgl_webhook_secret_new(char out[PGL_WEBHOOK_SECRET_LEN])
{
	unsigned char	raw[PGL_WEBHOOK_KEY_NEW];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return (-1);
	memcpy(out, PGL_WEBHOOK_SECRET_PREFIX, PREFIX_LEN);
	(void)EVP_EncodeBlock((unsigned char *)out + PREFIX_LEN, raw,
	    sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	return (0);
}

/* The key of a secret into key (PGL_WEBHOOK_KEY_MAX bytes); its length,
 * or -1 with *why. */
static int
secret_key(const char *secret, unsigned char *key, const char **why)
{
	unsigned char	buf[PGL_WEBHOOK_KEY_MAX + 3];
	int		n;

	if (secret == NULL || strncmp(secret, PGL_WEBHOOK_SECRET_PREFIX,
	    PREFIX_LEN) != 0) {
		*why = "a webhook secret starts with whsec_";
		return (-1);
	}
	n = pgl_base64_decode_strict(secret + PREFIX_LEN, buf, sizeof(buf));
	if (n == -1 || n < PGL_WEBHOOK_KEY_MIN || n > PGL_WEBHOOK_KEY_MAX) {
		OPENSSL_cleanse(buf, sizeof(buf));
		*why = "a webhook secret is whsec_ and the base64 of 24 to 64 "
		    "bytes";
		return (-1);
	}
	memcpy(key, buf, (size_t)n);
	OPENSSL_cleanse(buf, sizeof(buf));
	return (n);
}

const char *
pgl_webhook_secret_check(const char *secret)
{
	unsigned char	 key[PGL_WEBHOOK_KEY_MAX];
	const char	*why = NULL;

	(void)secret_key(secret, key, &why);
	OPENSSL_cleanse(key, sizeof(key));
	return (why);
}

/* HMAC-SHA256(key, id "." ts "." body) into mac, fed in parts so the
 * body is not copied.  0 or -1. */
static int
mac_of(const unsigned char *key, size_t klen, const char *id, const char *ts,
    const void *body, size_t len, unsigned char mac[MAC_LEN])
{
	EVP_MAC		*m;
	EVP_MAC_CTX	*ctx = NULL;
	OSSL_PARAM	 params[2];
	size_t		 out = 0;
	int		 ok = 0;

	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return (-1);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(m)) != NULL &&
	    EVP_MAC_init(ctx, key, klen, params) == 1 &&
	    EVP_MAC_update(ctx, (const unsigned char *)id, strlen(id)) == 1 &&
	    EVP_MAC_update(ctx, (const unsigned char *)".", 1) == 1 &&
	    EVP_MAC_update(ctx, (const unsigned char *)ts, strlen(ts)) == 1 &&
	    EVP_MAC_update(ctx, (const unsigned char *)".", 1) == 1 &&
	    EVP_MAC_update(ctx, body, len) == 1 &&
	    EVP_MAC_final(ctx, mac, &out, MAC_LEN) == 1 && out == MAC_LEN)
		ok = 1;
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(m);
	return (ok ? 0 : -1);
}

static int
id_ok(const char *id)
{
	return (id != NULL && id[0] != '\0' && strchr(id, '.') == NULL);
}

int
pgl_webhook_sign(const char *const *secrets, size_t n, const char *msg_id,
    int64_t timestamp, const void *body, size_t len, char **header,
    const char **why)
{
	unsigned char	 key[PGL_WEBHOOK_KEY_MAX], mac[MAC_LEN];
	char		 ts[24], *out, *at;
	size_t		 i;
	int		 klen;

	*header = NULL;
	if (n == 0 || !id_ok(msg_id) || timestamp < 0) {
		*why = "signing needs a secret, an id without '.' and a "
		    "timestamp of epoch seconds";
		return (-1);
	}
	(void)snprintf(ts, sizeof(ts), "%" PRId64, timestamp);
	if ((out = malloc(n * (SIG_LEN + 1))) == NULL) {
		*why = "out of memory";
		return (-1);
	}
	for (i = 0, at = out; i < n; i++) {
		if ((klen = secret_key(secrets[i], key, why)) == -1 ||
		    mac_of(key, (size_t)klen, msg_id, ts, body, len, mac) ==
		    -1) {
			if (klen != -1)
				*why = "HMAC-SHA256 failed";
			OPENSSL_cleanse(key, sizeof(key));
			free(out);
			return (-1);
		}
		if (i > 0)
			*at++ = ' ';
		memcpy(at, "v1,", 3);
		at += 3 + EVP_EncodeBlock((unsigned char *)at + 3, mac,
		    MAC_LEN);
	}
	*at = '\0';
	OPENSSL_cleanse(key, sizeof(key));
	*header = out;
	return (0);
}

/* The header's timestamp: decimal digits only, no sign, no space. */
static int
timestamp_parse(const char *s, int64_t *out)
{
	int64_t	v = 0;

	if (s == NULL || *s == '\0' || strlen(s) > 18)
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return (-1);
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return (0);
}

/* 1 when one "v1," signature of the space-separated list is mac. */
static int
listed(const char *sigs, const unsigned char mac[MAC_LEN])
{
	unsigned char	 got[SIG_B64_LEN];
	char		 one[SIG_B64_LEN + 1];
	const char	*p, *end;
	size_t		 n;
	int		 found = 0;

	for (p = sigs; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		if ((end = strchr(p, ' ')) == NULL)
			end = p + strlen(p);
		n = (size_t)(end - p);
		if (n != SIG_LEN || strncmp(p, "v1,", 3) != 0)
			continue;
		memcpy(one, p + 3, SIG_B64_LEN);
		one[SIG_B64_LEN] = '\0';
		/* Every candidate compared: the time spent does not say
		 * which of them matched. */
		if (pgl_base64_decode_strict(one, got, sizeof(got)) ==
		    MAC_LEN && CRYPTO_memcmp(got, mac, MAC_LEN) == 0)
			found = 1;
	}
	return (found);
}

int
pgl_webhook_verify(const char *secret, const char *msg_id,
    const char *timestamp, const char *sig_header, const void *body,
    size_t len, int64_t now, int64_t tolerance, const char **why)
{
	unsigned char	key[PGL_WEBHOOK_KEY_MAX], mac[MAC_LEN];
	int64_t		ts;
	int		klen, ok;

	if (msg_id == NULL || msg_id[0] == '\0' || sig_header == NULL) {
		*why = "missing webhook-id or webhook-signature";
		return (-1);
	}
	if (timestamp_parse(timestamp, &ts) == -1) {
		*why = "webhook-timestamp is not epoch seconds";
		return (-1);
	}
	if (ts < now - tolerance || ts > now + tolerance) {
		*why = ts < now ? "webhook-timestamp too old" :
		    "webhook-timestamp too new";
		return (-1);
	}
	if ((klen = secret_key(secret, key, why)) == -1)
		return (-1);
	ok = mac_of(key, (size_t)klen, msg_id, timestamp, body, len, mac) ==
	    0 && listed(sig_header, mac);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(mac, sizeof(mac));
	if (!ok) {
		*why = "no matching signature";
		return (-1);
	}
	return (0);
}
