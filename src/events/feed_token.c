/*
 * The feed's continuation token (feed_token.h): fixed fields, two names,
 * an HMAC; base64url without padding.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "events/feed_token.h"
#include "util/base64.h"

#define VERSION		1
#define MAC_LEN		32
#define HEAD_LEN	(1 + 1 + 8 + 8 + 8)
#define RAW_MAX		(HEAD_LEN + 2 * (1 + PGL_NAME_MAX) + MAC_LEN)
#define LABEL		"pangolin events feed token v1"

/* The token's own key, derived from the server's secret. */
static int
derive(const unsigned char *key, size_t keylen, unsigned char out[MAC_LEN])
{
	unsigned int	n = MAC_LEN;

	if (keylen < PGL_FEED_TOKEN_KEY_MIN)
		return (-1);
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)LABEL,
	    sizeof(LABEL) - 1, out, &n) == NULL || n != MAC_LEN)
		return (-1);
	return (0);
}

static int
mac(const unsigned char *key, size_t keylen, const unsigned char *data,
    size_t len, unsigned char out[MAC_LEN])
{
	unsigned char	k[MAC_LEN];
	unsigned int	n = MAC_LEN;
	int		rc = 0;

	if (derive(key, keylen, k) == -1 || HMAC(EVP_sha256(), k, MAC_LEN,
	    data, len, out, &n) == NULL || n != MAC_LEN)
		rc = -1;
	OPENSSL_cleanse(k, sizeof(k));
	return (rc);
}

static void
put64(unsigned char *p, uint64_t v)
{
	int	i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t	v = 0;
	int		i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (v);
}

/* A name with its length byte; 0 when 1..255 bytes (or "" if empty_ok). */
static int
put_name(unsigned char **p, const char *s, int empty_ok)
{
	size_t	n = strlen(s);

	if (n > PGL_NAME_MAX || (n == 0 && !empty_ok))
		return (-1);
	*(*p)++ = (unsigned char)n;
	memcpy(*p, s, n);
	*p += n;
	return (0);
}

char *
pgl_feed_token_encode(const unsigned char *key, size_t keylen,
    const struct pgl_feed_token *tok, const char **why)
{
	unsigned char	 raw[RAW_MAX], *p = raw;
	char		*text;

	if (keylen < PGL_FEED_TOKEN_KEY_MIN) {
		*why = "the token secret is shorter than 16 bytes";
		return (NULL);
	}
	*p++ = VERSION;
	*p++ = tok->tenant_wide ? 't' : 'c';
	put64(p, tok->seq);
	put64(p + 8, (uint64_t)tok->ts_ms);
	/* Only a reader given nothing yet still seeks by time. */
	put64(p + 16, tok->seq == 0 ? (uint64_t)tok->since_ms : 0);
	p += 24;
	if (put_name(&p, tok->tenant_id, 0) == -1 ||
	    put_name(&p, tok->catalog, tok->tenant_wide) == -1 ||
	    (tok->tenant_wide && tok->catalog[0] != '\0')) {
		*why = "a token names a tenant, and a catalog unless it is "
		    "for the tenant's whole stream";
		return (NULL);
	}
	if (mac(key, keylen, raw, (size_t)(p - raw), p) == -1) {
		*why = "the token cannot be signed";
		return (NULL);
	}
	p += MAC_LEN;
	if ((text = malloc(PGL_BASE64URL_LEN((size_t)(p - raw)))) == NULL) {
		*why = "out of memory";
		return (NULL);
	}
	(void)pgl_base64url_encode(raw, (size_t)(p - raw), text);
	return (text);
}

/* One name with its length byte into out; -1 when it overruns left or
 * holds a NUL (it would read as another, shorter name). */
static int
get_name(const unsigned char **p, size_t *left, char *out)
{
	size_t	n;

	if (*left < 1 || (n = (*p)[0]) + 1 > *left ||
	    memchr(*p + 1, '\0', n) != NULL)
		return (-1);
	memcpy(out, *p + 1, n);
	out[n] = '\0';
	*p += n + 1;
	*left -= n + 1;
	return (0);
}

/* The names after the head: tenant, catalog, and nothing after them. */
static int
get_names(const unsigned char *p, size_t left, struct pgl_feed_token *tok)
{
	if (get_name(&p, &left, tok->tenant_id) == -1 ||
	    tok->tenant_id[0] == '\0' ||
	    get_name(&p, &left, tok->catalog) == -1 || left != 0)
		return (-1);
	return (0);
}

int
pgl_feed_token_decode(const unsigned char *key, size_t keylen,
    const char *text, struct pgl_feed_token *tok, const char **why)
{
	unsigned char	raw[RAW_MAX], want[MAC_LEN];
	int		len;

	memset(tok, 0, sizeof(*tok));
	*why = "continuation-token: not a token of this server";
	if (text == NULL || (len = pgl_base64url_decode(text, raw, sizeof(raw))) == -1 ||
	    len < HEAD_LEN + 2 + 1 + MAC_LEN)
		return (-1);
	/* Authenticate first: nothing of a forged token is read. */
	if (mac(key, keylen, raw, (size_t)len - MAC_LEN, want) == -1 ||
	    CRYPTO_memcmp(want, raw + len - MAC_LEN, MAC_LEN) != 0) {
		*why = "continuation-token: not made by this server (altered, "
		    "or made before its secret changed)";
		return (-1);
	}
	if (raw[0] != VERSION || (raw[1] != 'c' && raw[1] != 't') ||
	    get_names(raw + HEAD_LEN, (size_t)len - MAC_LEN - HEAD_LEN,
	    tok) == -1)
		return (-1);
	tok->tenant_wide = raw[1] == 't';
	tok->seq = get64(raw + 2);
	tok->ts_ms = (int64_t)get64(raw + 10);
	tok->since_ms = (int64_t)get64(raw + 18);
	if (tok->tenant_wide != (tok->catalog[0] == '\0'))
		return (-1);
	*why = NULL;
	return (0);
}

int
pgl_feed_token_check(const struct pgl_feed_token *tok, const char *tenant_id,
    const char *catalog, const char **why)
{
	if (strcmp(tok->tenant_id, tenant_id) != 0 ||
	    tok->tenant_wide != (catalog == NULL) ||
	    (catalog != NULL && strcmp(tok->catalog, catalog) != 0)) {
		*why = "continuation-token: a token of another stream (each "
		    "catalog's feed, and the tenant's, has its own tokens)";
		return (-1);
	}
	return (0);
}

int
pgl_feed_token_gone(const struct pgl_feed_token *tok, uint64_t horizon)
{
	return (horizon > tok->seq);
}
