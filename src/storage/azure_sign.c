/*
 * Shared Key signing (azure_sign.h), as Microsoft's "Authorize with
 * Shared Key" lays it out for the Blob service since version 2009-09-19.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "storage/azure_sign.h"

#define MAX_PARAMS	32
#define MAX_HEADERS	32
#define SIGN_MAX	(16 * 1024)

/* The standard headers, in the order the string to sign lists them. */
static const char *const standard[] = {
	"Content-Encoding", "Content-Language", "Content-Length",
	"Content-MD5", "Content-Type", "Date", "If-Modified-Since",
	"If-Match", "If-None-Match", "If-Unmodified-Since", "Range"
};

struct kv {
	char	*k;
	char	*v;
};

/* Appends to a bounded buffer; *o past len means it did not fit. */
static void
put(char *out, size_t len, size_t *o, const char *s, size_t n)
{
	if (*o + n < len)
		memcpy(out + *o, s, n);
	*o += n;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = tolower(c);
	return (c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1);
}

/* Percent-decode in place ('+' is a space, as Azure reads a query);
 * -1 on a bad escape. */
static int
decode(char *s)
{
	char	*o = s;
	int	 h, l;

	for (; *s != '\0'; s++) {
		if (*s == '%') {
			if ((h = hexval(s[1])) < 0 || (l = hexval(s[2])) < 0)
				return (-1);
			*o++ = (char)(h * 16 + l);
			s += 2;
		} else
			*o++ = *s == '+' ? ' ' : *s;
	}
	*o = '\0';
	return (0);
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv	*x = a, *y = b;
	int		 c = strcmp(x->k, y->k);

	return (c != 0 ? c : strcmp(x->v, y->v));
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* The header's value with the spaces around it gone, or "". */
static const char *
header(const struct pgl_azure_signed *q, const char *name, size_t *n)
{
	const char	*v;
	size_t		 i;

	for (i = 0; i < q->nheaders; i++) {
		if (strcasecmp(q->headers[i].name, name) != 0)
			continue;
		for (v = q->headers[i].value; *v == ' ' || *v == '\t'; v++)
			;
		*n = strlen(v);
		while (*n > 0 && (v[*n - 1] == ' ' || v[*n - 1] == '\t'))
			(*n)--;
		/* Since 2015-02-21 a zero length is signed as empty. */
		if (strcasecmp(name, "Content-Length") == 0 && *n == 1 &&
		    v[0] == '0')
			*n = 0;
		return (v);
	}
	*n = 0;
	return ("");
}

/* The x-ms- headers, "name:value\n" each, names lower-cased, sorted. */
static int
canonical_headers(const struct pgl_azure_signed *q, char *out, size_t len,
    size_t *o)
{
	struct kv	 kv[MAX_HEADERS];
	char		 names[MAX_HEADERS][64];
	const char	*v;
	size_t		 n = 0, i, vn;

	for (i = 0; i < q->nheaders; i++) {
		if (strncasecmp(q->headers[i].name, "x-ms-", 5) != 0)
			continue;
		if (n == MAX_HEADERS ||
		    strlen(q->headers[i].name) >= sizeof(names[0]))
			return (-1);
		(void)snprintf(names[n], sizeof(names[0]), "%s",
		    q->headers[i].name);
		lower(names[n]);
		kv[n].k = names[n];
		kv[n].v = (char *)(uintptr_t)q->headers[i].value;
		n++;
	}
	qsort(kv, n, sizeof(kv[0]), kv_cmp);
	for (i = 0; i < n; i++) {
		put(out, len, o, kv[i].k, strlen(kv[i].k));
		put(out, len, o, ":", 1);
		v = header(q, kv[i].k, &vn);
		put(out, len, o, v, vn);
		put(out, len, o, "\n", 1);
	}
	return (0);
}

/* "/<account><path>", then "\nname:value" per parameter, sorted;
 * a name given twice has its values joined by ','. */
static int
canonical_resource(const char *account, const struct pgl_azure_signed *q,
    char *out, size_t len, size_t *o)
{
	struct kv	 kv[MAX_PARAMS];
	char		*copy, *pair, *eq, *rest;
	size_t		 n = 0, i;
	int		 rc = -1;

	put(out, len, o, "/", 1);
	put(out, len, o, account, strlen(account));
	put(out, len, o, q->path, strlen(q->path));
	if (q->query == NULL || *q->query == '\0')
		return (0);
	if ((copy = strdup(q->query)) == NULL)
		return (-1);
	for (rest = copy; (pair = strsep(&rest, "&")) != NULL;) {
		if (*pair == '\0')
			continue;
		if (n == MAX_PARAMS)
			goto done;
		if ((eq = strchr(pair, '=')) != NULL)
			*eq++ = '\0';
		kv[n].k = pair;
		kv[n].v = eq != NULL ? eq : pair + strlen(pair);
		if (decode(kv[n].k) == -1 || decode(kv[n].v) == -1)
			goto done;
		lower(kv[n].k);
		n++;
	}
	qsort(kv, n, sizeof(kv[0]), kv_cmp);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(kv[i].k, kv[i - 1].k) == 0)
			put(out, len, o, ",", 1);
		else {
			put(out, len, o, "\n", 1);
			put(out, len, o, kv[i].k, strlen(kv[i].k));
			put(out, len, o, ":", 1);
		}
		put(out, len, o, kv[i].v, strlen(kv[i].v));
	}
	rc = 0;
done:
	free(copy);
	return (rc);
}

int
pgl_azure_string_to_sign(const char *account, const struct pgl_azure_signed *q,
    char *out, size_t len)
{
	const char	*v;
	size_t		 o = 0, i, n;

	if (len == 0)
		return (-1);
	put(out, len, &o, q->method, strlen(q->method));
	put(out, len, &o, "\n", 1);
	for (i = 0; i < sizeof(standard) / sizeof(standard[0]); i++) {
		v = header(q, standard[i], &n);
		put(out, len, &o, v, n);
		put(out, len, &o, "\n", 1);
	}
	if (canonical_headers(q, out, len, &o) == -1 ||
	    canonical_resource(account, q, out, len, &o) == -1 || o >= len)
		return (-1);
	out[o] = '\0';
	return (0);
}

int
pgl_azure_hmac(const char *key, const char *msg, size_t n, char *out,
    size_t len)
{
	unsigned char	 raw[128], md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;
	size_t		 klen = strlen(key), pad = 0;
	int		 rawlen;

	/* EVP_DecodeBlock counts the padding's zero bytes: take them off. */
	if (klen == 0 || klen % 4 != 0 || klen / 4 * 3 > sizeof(raw) ||
	    len < 45)
		return (-1);
	if ((rawlen = EVP_DecodeBlock(raw, (const unsigned char *)key,
	    (int)klen)) < 0)
		return (-1);
	pad = (key[klen - 1] == '=') + (key[klen - 2] == '=');
	if (HMAC(EVP_sha256(), raw, rawlen - (int)pad,
	    (const unsigned char *)msg, n, md, &mdlen) == NULL)
		return (-1);
	(void)EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	return (0);
}

int
pgl_azure_shared_key(const char *account, const char *key,
    const struct pgl_azure_signed *q, char *out, size_t len)
{
	char	*sts, sig[64];
	int	 n;

	if ((sts = malloc(SIGN_MAX)) == NULL)
		return (-1);
	if (pgl_azure_string_to_sign(account, q, sts, SIGN_MAX) == -1 ||
	    pgl_azure_hmac(key, sts, strlen(sts), sig, sizeof(sig)) == -1) {
		free(sts);
		return (-1);
	}
	free(sts);
	n = snprintf(out, len, "SharedKey %s:%s", account, sig);
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}
