/*
 * One Blob service call (azure_call.h): its URL (the endpoint's path
 * kept: the emulator's account segment), its headers (x-ms-date,
 * x-ms-version) and authorization (Shared Key, azure_sign.h, or an Entra
 * token as Bearer, entra.h), the exchange itself (azure_http.h: the S3
 * client's handles, breakers, timeouts and address checks), and what its
 * answer means.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/azure.h"
#include "storage/azure_call.h"
#include "storage/azure_http.h"
#include "storage/azure_sign.h"
#include "storage/entra.h"
#include "storage/s3_call.h"
#include "storage/s3xml.h"

#define MAX_SENT	8		/* headers a call signs */
#define LINE_MAX_	(AZ_AUTH_MAX + 32)

/* Where the warehouse's Blob service is. */
struct base {
	char		 url[512];	/* no trailing '/' */
	const char	*path;		/* its path: "" or "/devstoreaccount1" */
};

static int
base_of(const struct pgl_azure *a, struct base *b)
{
	const char	*host, *slash;
	size_t		 n;
	int		 w;

	if (a->endpoint != NULL)
		w = snprintf(b->url, sizeof(b->url), "%s", a->endpoint);
	else
		w = snprintf(b->url, sizeof(b->url),
		    "https://%s.blob.core.windows.net", a->account);
	if (w < 0 || (size_t)w >= sizeof(b->url) ||
	    (host = strstr(b->url, "://")) == NULL)
		return (-1);
	/* "No trailing '/'", but an operator may write one. */
	for (n = strlen(b->url); n > 0 && b->url[n - 1] == '/'; n--)
		b->url[n - 1] = '\0';
	slash = strchr(host + 3, '/');
	b->path = slash != NULL ? slash : b->url + strlen(b->url);
	return (0);
}

int
pgl_azure_err(struct pgl_err *err, int code, const struct pgl_azure *a,
    const char *what, const char *detail)
{
	return (pgl_azure_http_err(err, code, a->name, what, detail));
}

int
pgl_azure_path(const struct pgl_azure *a, const char *blob, char *out,
    size_t len)
{
	struct base	b;
	char		enc[3 * AZ_NAME_MAX + 1];
	int		n;

	if (base_of(a, &b) == -1)
		return (-1);
	if (blob == NULL)
		n = snprintf(out, len, "%s/%s", b.path, a->container);
	else {
		if (*blob == '\0' || strlen(blob) > AZ_NAME_MAX)
			return (-1);
		/* Each segment encoded, '/' kept: the name Azure stores is
		 * the decoded path, and the signature covers it as sent. */
		pgl_s3_encode(enc, sizeof(enc), blob, 1);
		n = snprintf(out, len, "%s/%s/%s", b.path, a->container, enc);
	}
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

void
pgl_azure_date(char out[32])
{
	time_t		now = time(NULL);
	struct tm	tm;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(out, 32, "%a, %d %b %Y %H:%M:%S GMT", &tm) == 0)
		out[0] = '\0';
}

int
pgl_azure_authorize(const struct pgl_azure *a, const struct pgl_azure_signed *q,
    char *out, size_t len, struct pgl_err *err)
{
	char	token[AZ_AUTH_MAX - 16];
	int	rc, n;

	if (a->account_key != NULL) {
		if (pgl_azure_shared_key(a->account, a->account_key, q, out,
		    len) == -1)
			return (pgl_azure_err(err, PGL_EINVAL, a, "cannot sign "
			    "for Azure", "the account key is not base64"));
		return (PGL_OK);
	}
	if ((rc = pgl_entra_token(a, token, sizeof(token), err)) != PGL_OK)
		return (rc);
	n = snprintf(out, len, "Bearer %s", token);
	if (n < 0 || (size_t)n >= len)
		return (pgl_azure_err(err, PGL_EINVAL, a, "Entra token too "
		    "long", NULL));
	return (PGL_OK);
}

/*
 * The lines a call sends (lines[], n of them, in buf), signed as sent:
 * libcurl writes Content-Length for a body itself, so it is signed here
 * and not given; "Expect:" keeps it from waiting for 100-continue.
 */
static int
headers_of(const struct pgl_azure *a, const struct az_request *q,
    const char *path, char lines[][LINE_MAX_], size_t *nl,
    struct pgl_err *err)
{
	struct pgl_azure_header	 h[MAX_SENT];
	struct pgl_azure_signed	 s = { q->method, path, q->query, h, 0 };
	char			 date[32], length[24], auth[AZ_AUTH_MAX];
	size_t			 i;
	int			 rc;

	pgl_azure_date(date);
	h[s.nheaders++] = (struct pgl_azure_header){ "x-ms-date", date };
	h[s.nheaders++] = (struct pgl_azure_header){ "x-ms-version",
	    PGL_AZURE_VERSION };
	if (strcmp(q->method, "PUT") == 0 || strcmp(q->method, "POST") == 0) {
		(void)snprintf(length, sizeof(length), "%zu", q->len);
		h[s.nheaders++] = (struct pgl_azure_header){ "Content-Length",
		    length };
		h[s.nheaders++] = (struct pgl_azure_header){ "Content-Type",
		    q->content_type != NULL ? q->content_type :
		    "application/octet-stream" };
	}
	if (q->blob_type != NULL)
		h[s.nheaders++] = (struct pgl_azure_header){ "x-ms-blob-type",
		    q->blob_type };
	if (q->if_none_match != NULL)
		h[s.nheaders++] = (struct pgl_azure_header){ "If-None-Match",
		    q->if_none_match };
	if ((rc = pgl_azure_authorize(a, &s, auth, sizeof(auth), err)) !=
	    PGL_OK)
		return (rc);
	*nl = 0;
	for (i = 0; i < s.nheaders; i++) {
		if (strcmp(h[i].name, "Content-Length") != 0)
			(void)snprintf(lines[(*nl)++], LINE_MAX_, "%s: %s",
			    h[i].name, h[i].value);
	}
	(void)snprintf(lines[(*nl)++], LINE_MAX_, "Authorization: %s", auth);
	(void)snprintf(lines[(*nl)++], LINE_MAX_, "Expect:");
	return (PGL_OK);
}

int
pgl_azure_perform(const struct pgl_azure *a, const struct az_request *q,
    struct az_response *r, struct pgl_err *err)
{
	struct az_http	 x = { "Azure", a->name, q->method, NULL, a->account,
			    a->endpoint != NULL, NULL, 0, q->data, q->len,
			    q->max };
	struct base	 b;
	char		 path[3 * AZ_NAME_MAX + 600], *url;
	char		 (*lines)[LINE_MAX_];
	const char	*ptrs[MAX_SENT + 2];
	size_t		 nl = 0, i, ulen;
	int		 rc, n;

	memset(r, 0, sizeof(*r));
	if (base_of(a, &b) == -1 || pgl_azure_path(a, q->blob, path,
	    sizeof(path)) == -1)
		return (pgl_azure_err(err, PGL_EINVAL, a, "location too long "
		    "for Azure", NULL));
	ulen = sizeof(b.url) + strlen(path) + (q->query != NULL ?
	    strlen(q->query) : 0) + 2;
	if ((lines = calloc(MAX_SENT + 2, sizeof(*lines))) == NULL ||
	    (url = malloc(ulen)) == NULL) {
		free(lines);
		return (pgl_azure_err(err, PGL_ENOMEM, a, "out of memory",
		    NULL));
	}
	/* The origin, then the path with the endpoint's own in it. */
	n = snprintf(url, ulen, "%.*s%s%s%s", (int)(b.path - b.url), b.url,
	    path, q->query != NULL ? "?" : "", q->query != NULL ? q->query :
	    "");
	if (n < 0 || (size_t)n >= ulen)
		rc = pgl_azure_err(err, PGL_EINVAL, a, "location too long for "
		    "Azure", NULL);
	else if ((rc = headers_of(a, q, path, lines, &nl, err)) == PGL_OK) {
		for (i = 0; i < nl; i++)
			ptrs[i] = lines[i];
		x.url = url;
		x.headers = ptrs;
		x.nheaders = nl;
		rc = pgl_azure_http(&x, r, err);
	}
	free(lines);
	free(url);
	return (rc);
}

/* Azure's error code: the x-ms-error-code header, else <Code> of the
 * body (a HEAD has none). */
static const char *
code_of(struct az_response *r, char *buf, size_t len)
{
	const char	*a, *b;

	if (r->code[0] != '\0') {
		(void)snprintf(buf, len, "%s", r->code);
		return (buf);
	}
	if (r->body.data == NULL || (a = strstr(r->body.data, "<Code>")) ==
	    NULL || (b = strstr(a, "</Code>")) == NULL)
		return (NULL);
	a += 6;
	if (!pgl_xml_code_ok(a, (size_t)(b - a)))
		return (NULL);
	(void)snprintf(buf, len, "%.*s", (int)(b - a), a);
	return (buf);
}

int
pgl_azure_failed(const struct pgl_azure *a, const char *blob,
    struct az_response *r, struct pgl_err *err)
{
	char	code[128] = "", what[AZ_NAME_MAX + 64];
	int	rc;

	(void)snprintf(what, sizeof(what), "%s (HTTP %ld)",
	    code_of(r, code, sizeof(code)) != NULL ? code : "Azure error",
	    r->status);
	/* A missing container is the warehouse's fault, not a missing
	 * blob's. */
	if (r->status == 404 && strcmp(code, "ContainerNotFound") != 0)
		rc = pgl_azure_err(err, PGL_ENOTFOUND, a, "no such blob",
		    blob != NULL ? blob : a->container);
	else if (r->status == 403 || r->status == 400 || r->status == 404 ||
	    r->status == 409)
		rc = pgl_azure_err(err, PGL_EUNAVAIL, a, "Azure refused the "
		    "request", what);
	else
		rc = pgl_azure_err(err, PGL_EUNAVAIL, a, "Azure failed", what);
	free(r->body.data);
	r->body.data = NULL;
	return (rc);
}
