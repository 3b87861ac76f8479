/*
 * Keyset page tokens (page_token.h): a fixed head, two strings;
 * base64url without padding.
 */
#include <stdarg.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "util/arena.h"
#include "util/base64.h"
#include "util/page_token.h"

#define VERSION		1
#define HEAD_LEN	(2 + 8 + 8)
#define RAW_MAX		(HEAD_LEN + 2 * (2 + PGL_PAGE_TOKEN_KEY_MAX))

/*
 * SHA-256 of the parts, each with its length first (so that ("ab", "c")
 * and ("a", "bc") differ), cut to 64 bits: two lists share a scope as
 * likely as a guess.
 */
uint64_t
pgl_page_scope(const char *list, ...)
{
	unsigned char	 md[SHA256_DIGEST_LENGTH], len[4];
	EVP_MD_CTX	*ctx;
	const char	*part;
	uint64_t	 v = 0;
	size_t		 n;
	va_list		 ap;
	int		 i;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return (0);
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
		va_start(ap, list);
		for (part = list; part != NULL;
		    part = va_arg(ap, const char *)) {
			n = strlen(part);
			for (i = 0; i < 4; i++)
				len[i] = (unsigned char)(n >> (24 - 8 * i));
			(void)EVP_DigestUpdate(ctx, len, sizeof(len));
			(void)EVP_DigestUpdate(ctx, part, n);
		}
		va_end(ap);
		if (EVP_DigestFinal_ex(ctx, md, NULL) == 1) {
			for (i = 0; i < 8; i++)
				v = v << 8 | md[i];
		}
	}
	EVP_MD_CTX_free(ctx);
	return (v);
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

/* A string with its length (2 bytes); -1 when too long. */
static int
put_str(unsigned char **p, const char *s)
{
	size_t	n = s != NULL ? strlen(s) : 0;

	if (n > PGL_PAGE_TOKEN_KEY_MAX)
		return (-1);
	*(*p)++ = (unsigned char)(n >> 8);
	*(*p)++ = (unsigned char)(n & 0xff);
	if (n > 0)
		memcpy(*p, s, n);
	*p += n;
	return (0);
}

char *
pgl_page_token(struct pgl_arena *a, uint64_t scope,
    const struct pgl_page_key *k)
{
	unsigned char	 raw[RAW_MAX], *p = raw;
	char		*out;

	*p++ = 'k';
	*p++ = VERSION;
	put64(p, scope);
	put64(p + 8, (uint64_t)k->n);
	p += 16;
	if (put_str(&p, k->s) == -1 || put_str(&p, k->s2) == -1)
		return (NULL);
	if ((out = pgl_arena_alloc(a, PGL_BASE64URL_LEN((size_t)(p - raw)))) ==
	    NULL)
		return (NULL);
	(void)pgl_base64url_encode(raw, (size_t)(p - raw), out);
	return (out);
}

/* One string with its length into the arena; -1 when it overruns or
 * holds a NUL (it would read as another, shorter string). */
static int
get_str(struct pgl_arena *a, const unsigned char **p, size_t *left,
    const char **out)
{
	size_t	n;

	if (*left < 2)
		return (-1);
	n = (size_t)(*p)[0] << 8 | (*p)[1];
	if (n + 2 > *left || memchr(*p + 2, '\0', n) != NULL ||
	    (*out = pgl_arena_strndup(a, (const char *)*p + 2, n)) == NULL)
		return (-1);
	*p += n + 2;
	*left -= n + 2;
	return (0);
}

int
pgl_page_token_read(struct pgl_arena *a, const char *text, uint64_t scope,
    struct pgl_page_key *k)
{
	unsigned char		 raw[RAW_MAX];
	const unsigned char	*p = raw + HEAD_LEN;
	size_t			 left;
	int			 len;

	memset(k, 0, sizeof(*k));
	if (text == NULL || (len = pgl_base64url_decode(text, raw, sizeof(raw))) <
	    HEAD_LEN + 4 || raw[0] != 'k' || raw[1] != VERSION ||
	    get64(raw + 2) != scope)
		return (-1);
	k->n = (int64_t)get64(raw + 10);
	left = (size_t)len - HEAD_LEN;
	if (get_str(a, &p, &left, &k->s) == -1 ||
	    get_str(a, &p, &left, &k->s2) == -1 || left != 0)
		return (-1);
	return (0);
}
