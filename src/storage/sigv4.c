#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "storage/sigv4.h"

#define MAX_PARAMS	64
#define MAX_HEADERS	64
#define CANON_MAX	(32 * 1024)

struct kv {
	char	*k;
	char	*v;
};

static void
hex(const unsigned char *md, size_t n, char *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = tolower(c);
	return (c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1);
}

/* Percent-decode in place; -1 on a bad escape. */
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
			*o++ = *s;
	}
	*o = '\0';
	return (0);
}

/* SigV4's encoding: unreserved bytes stay, everything else %XX. */
static int
encode(const char *in, char *out, size_t len)
{
	static const char	digits[] = "0123456789ABCDEF";
	size_t			o = 0;

	for (; *in != '\0'; in++) {
		unsigned char	c = (unsigned char)*in;

		if (o + 4 >= len)
			return (-1);
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
			out[o++] = (char)c;
		else {
			out[o++] = '%';
			out[o++] = digits[c >> 4];
			out[o++] = digits[c & 15];
		}
	}
	out[o] = '\0';
	return (0);
}

static int
kv_cmp(const void *a, const void *b)
{
	const struct kv	*x = a, *y = b;
	int		 c = strcmp(x->k, y->k);

	return (c != 0 ? c : strcmp(x->v, y->v));
}

/* The query, decoded, re-encoded and sorted; -1 if it does not fit. */
static int
canonical_query(const char *query, char *out, size_t len)
{
	struct kv	 kv[MAX_PARAMS];
	char		*copy, *pair, *eq, *rest, ek[1024], ev[2048];
	size_t		 n = 0, i, o = 0;
	int		 rc = -1;

	out[0] = '\0';
	if (query == NULL || *query == '\0')
		return (0);
	if ((copy = strdup(query)) == NULL)
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
		n++;
	}
	qsort(kv, n, sizeof(kv[0]), kv_cmp);
	for (i = 0; i < n; i++) {
		if (encode(kv[i].k, ek, sizeof(ek)) == -1 ||
		    encode(kv[i].v, ev, sizeof(ev)) == -1)
			goto done;
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%s=%s",
		    i > 0 ? "&" : "", ek, ev);
		if (o >= len)
			goto done;
	}
	rc = 0;
done:
	free(copy);
	return (rc);
}

static int
hdr_cmp(const void *a, const void *b)
{
	return (strcmp(((const struct kv *)a)->k, ((const struct kv *)b)->k));
}

/* Lower-cased name, trimmed value; the caller frees both. */
static int
header_kv(const char *name, const char *value, struct kv *out)
{
	size_t	i, len;

	if ((out->k = strdup(name)) == NULL)
		return (-1);
	for (i = 0; out->k[i] != '\0'; i++)
		out->k[i] = (char)tolower((unsigned char)out->k[i]);
	while (*value == ' ' || *value == '\t')
		value++;
	len = strlen(value);
	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	if ((out->v = strndup(value, len)) == NULL) {
		free(out->k);
		return (-1);
	}
	return (0);
}

/* "name:value\n" lines and "a;b" names, sorted by name. */
static int
canonical_headers(const struct pgl_sigv4_request *q, char *lines,
    size_t llen, char *names, size_t nlen)
{
	struct kv	h[MAX_HEADERS + 1];
	size_t		n = 0, i, lo = 0, no = 0;
	int		rc = -1;

	if (q->nheaders > MAX_HEADERS || header_kv("host", q->host, &h[n]) ==
	    -1)
		return (-1);
	n++;
	for (i = 0; i < q->nheaders; i++) {
		if (strcasecmp(q->headers[i].name, "host") == 0 ||
		    strcasecmp(q->headers[i].name, "authorization") == 0)
			continue;
		if (header_kv(q->headers[i].name, q->headers[i].value,
		    &h[n]) == -1)
			goto done;
		n++;
	}
	qsort(h, n, sizeof(h[0]), hdr_cmp);
	for (i = 0; i < n; i++) {
		lo += (size_t)snprintf(lines + lo, lo < llen ? llen - lo : 0,
		    "%s:%s\n", h[i].k, h[i].v);
		no += (size_t)snprintf(names + no, no < nlen ? nlen - no : 0,
		    "%s%s", i > 0 ? ";" : "", h[i].k);
		if (lo >= llen || no >= nlen)
			goto done;
	}
	rc = 0;
done:
	for (i = 0; i < n; i++) {
		free(h[i].k);
		free(h[i].v);
	}
	return (rc);
}

static void
hmac(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
	unsigned int	len = 32;

	(void)HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
	    strlen(msg), out, &len);
}

/*
 * The signature of a request (hex, into sighex) and its signed header
 * names (into names): the canonical request, the string to sign, and the
 * key derived for the day, region and service.
 */
static int
signature(const struct pgl_sigv4_request *q, const struct pgl_sigv4_key *k,
    const char *amz_date, char *scope, size_t slen, char *names,
    size_t nlen, char sighex[65])
{
	char		canon[CANON_MAX], lines[CANON_MAX / 2];
	char		query[CANON_MAX / 4];
	char		sts[512], date[9], secret[256], crhex[65];
	unsigned char	md[SHA256_DIGEST_LENGTH], kd[32], kr[32], ks[32];
	unsigned char	ksig[32], sig[32];
	int		n;

	if (strlen(amz_date) != 16 || canonical_query(q->query, query,
	    sizeof(query)) == -1 || canonical_headers(q, lines, sizeof(lines),
	    names, nlen) == -1)
		return (-1);
	n = snprintf(canon, sizeof(canon), "%s\n%s\n%s\n%s\n%s\n%s",
	    q->method, q->path[0] != '\0' ? q->path : "/", query, lines,
	    names, q->payload_hash);
	if (n < 0 || (size_t)n >= sizeof(canon))
		return (-1);
	SHA256((const unsigned char *)canon, (size_t)n, md);
	hex(md, sizeof(md), crhex);
	memcpy(date, amz_date, 8);
	date[8] = '\0';
	n = snprintf(scope, slen, "%s/%s/%s/aws4_request", date, k->region,
	    k->service);
	if (n < 0 || (size_t)n >= slen)
		return (-1);
	(void)snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s\n%s",
	    amz_date, scope, crhex);
	if ((size_t)snprintf(secret, sizeof(secret), "AWS4%s",
	    k->secret_key) >= sizeof(secret))
		return (-1);
	hmac(secret, strlen(secret), date, kd);
	hmac(kd, sizeof(kd), k->region, kr);
	hmac(kr, sizeof(kr), k->service, ks);
	hmac(ks, sizeof(ks), "aws4_request", ksig);
	hmac(ksig, sizeof(ksig), sts, sig);
	hex(sig, sizeof(sig), sighex);
	return (0);
}

int
pgl_sigv4_authorization(const struct pgl_sigv4_request *q,
    const struct pgl_sigv4_key *k, const char *amz_date, char *out,
    size_t len)
{
	char	names[2048], scope[128], sighex[65];
	int	n;

	if (signature(q, k, amz_date, scope, sizeof(scope), names,
	    sizeof(names), sighex) == -1)
		return (-1);
	n = snprintf(out, len, "AWS4-HMAC-SHA256 Credential=%s/%s, "
	    "SignedHeaders=%s, Signature=%s", k->access_key, scope, names,
	    sighex);
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

/*
 * Query-string signing (AWS "Authenticating Requests: Using Query
 * Parameters"): the X-Amz-* parameters carry what the Authorization
 * header would, only `host` is signed, and the payload is unsigned, so
 * the URL alone is the credential until it expires.
 */
int
pgl_sigv4_presign(const struct pgl_sigv4_request *q,
    const struct pgl_sigv4_key *k, const char *amz_date, int expires,
    const char *session_token, char *out, size_t len)
{
	struct pgl_sigv4_request	 pq = *q;
	char				 query[CANON_MAX / 4], names[64];
	char				 scope[128], cred[512], ecred[1536];
	char				 token[4096];
	char				 sighex[65];
	int				 n;

	if (expires < 1 || expires > 604800 || q->nheaders != 0 ||
	    strlen(amz_date) != 16)
		return (-1);
	/* The scope is known before the signature: date/region/service. */
	n = snprintf(scope, sizeof(scope), "%.8s/%s/%s/aws4_request",
	    amz_date, k->region, k->service);
	if (n < 0 || (size_t)n >= sizeof(scope) ||
	    (size_t)snprintf(cred, sizeof(cred), "%s/%s", k->access_key,
	    scope) >= sizeof(cred) || encode(cred, ecred, sizeof(ecred)) == -1)
		return (-1);
	token[0] = '\0';
	if (session_token != NULL && encode(session_token, token,
	    sizeof(token)) == -1)
		return (-1);
	n = snprintf(query, sizeof(query), "X-Amz-Algorithm=AWS4-HMAC-SHA256"
	    "&X-Amz-Credential=%s&X-Amz-Date=%s&X-Amz-Expires=%d"
	    "%s%s&X-Amz-SignedHeaders=host", ecred, amz_date, expires,
	    token[0] != '\0' ? "&X-Amz-Security-Token=" : "", token);
	if (n < 0 || (size_t)n >= sizeof(query))
		return (-1);
	pq.query = query;
	pq.payload_hash = "UNSIGNED-PAYLOAD";
	if (signature(&pq, k, amz_date, scope, sizeof(scope), names,
	    sizeof(names), sighex) == -1)
		return (-1);
	n = snprintf(out, len, "%s&X-Amz-Signature=%s", query, sighex);
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}
