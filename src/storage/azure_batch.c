/*
 * Many deletes at once (pgl_azure_delete_blobs): Blob Batch ("Blob
 * Batch", container scope, POST ?restype=container&comp=batch, version
 * 2020-04-08 and later), a multipart/mixed body of up to 256 DELETE
 * subrequests, each authorized on its own (Shared Key over its own path
 * and x-ms-date, or the Bearer token), and a multipart answer with one
 * HTTP status per subrequest.  Where a batch is refused as a whole (an
 * endpoint or account without it: 400, 404, 405, 409 or 501, or an answer
 * that covers fewer blobs than were asked), its blobs are deleted one
 * DELETE each, as if there were no Blob Batch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "storage/azure.h"
#include "storage/azure_call.h"
#include "storage/s3xml.h"
#include "util/uuid.h"

#define BATCH_MAX	256		/* Azure's limit of subrequests */
#define BATCH_ANSWER	(1024 * 1024)
#define PART_MAX	(AZ_AUTH_MAX + 4 * AZ_NAME_MAX + 512)

struct outcome {
	size_t	answered;		/* subrequest statuses seen */
	long	status;			/* the first failed one's, or 0 */
	char	code[72];		/* and its x-ms-error-code */
};

/* One subrequest, after its boundary line; -1 if it does not fit. */
static int
part(const struct pgl_azure *a, const char *blob, size_t id, const char *date,
    char *out, size_t len, struct pgl_err *err)
{
	struct pgl_azure_header	 h[] = { { "x-ms-date", date },
				    { "Content-Length", "0" } };
	struct pgl_azure_signed	 s = { "DELETE", NULL, NULL, h, 2 };
	char			 path[3 * AZ_NAME_MAX + 512], auth[AZ_AUTH_MAX];
	int			 rc, n;

	if (pgl_azure_path(a, blob, path, sizeof(path)) == -1)
		return (pgl_azure_err(err, PGL_EINVAL, a, "blob name too long",
		    NULL));
	s.path = path;
	if ((rc = pgl_azure_authorize(a, &s, auth, sizeof(auth), err)) !=
	    PGL_OK)
		return (rc);
	/* The subrequest's path is the URI path a DELETE would send
	 * (account segment and all on the emulator); it carries no
	 * x-ms-version: the batch's applies. */
	n = snprintf(out, len, "Content-Type: application/http\r\n"
	    "Content-Transfer-Encoding: binary\r\nContent-ID: %zu\r\n\r\n"
	    "DELETE %s HTTP/1.1\r\nx-ms-date: %s\r\nAuthorization: %s\r\n"
	    "Content-Length: 0\r\n\r\n", id, path, date, auth);
	if (n < 0 || (size_t)n >= len)
		return (pgl_azure_err(err, PGL_EINVAL, a, "batch part too long",
		    NULL));
	return (PGL_OK);
}

/* The multipart body of n deletes, malloc'd, in *body. */
static int
batch_body(const struct pgl_azure *a, const char *const *blobs, size_t n,
    const char *boundary, char **body, size_t *blen, struct pgl_err *err)
{
	char	 date[32], *out, *one;
	size_t	 cap = (n + 1) * (PART_MAX + 128), o = 0, i, pl;
	int	 rc = PGL_OK;

	if ((out = malloc(cap)) == NULL || (one = malloc(PART_MAX)) == NULL) {
		free(out);
		return (pgl_azure_err(err, PGL_ENOMEM, a, "out of memory",
		    NULL));
	}
	pgl_azure_date(date);
	for (i = 0; i < n && rc == PGL_OK; i++) {
		if ((rc = part(a, blobs[i], i, date, one, PART_MAX, err)) !=
		    PGL_OK)
			break;
		pl = strlen(one);
		o += (size_t)snprintf(out + o, cap - o, "--%s\r\n", boundary);
		memcpy(out + o, one, pl);
		o += pl;
	}
	o += (size_t)snprintf(out + o, cap - o, "--%s--\r\n", boundary);
	free(one);
	if (rc != PGL_OK) {
		free(out);
		return (rc);
	}
	*body = out;
	*blen = o;
	return (PGL_OK);
}

/*
 * The answer's statuses: each part's "HTTP/1.1 NNN" line.  A delete that
 * found nothing (404) did what was asked; the first other failure is
 * kept with the x-ms-error-code of its part.
 */
static void
read_answer(const char *body, struct outcome *o)
{
	const char	*p = body, *next, *c;
	long		 st;
	size_t		 n;

	memset(o, 0, sizeof(*o));
	while (p != NULL && (p = strstr(p, "\r\nHTTP/1.1 ")) != NULL) {
		p += 11;
		st = strtol(p, NULL, 10);
		next = strstr(p, "\r\nHTTP/1.1 ");
		o->answered++;
		if ((st >= 200 && st <= 299) || st == 404 || o->status != 0)
			continue;
		o->status = st;
		if ((c = strcasestr(p, "\r\nx-ms-error-code:")) != NULL &&
		    (next == NULL || c < next)) {
			c += 18;
			c += strspn(c, " ");
			n = strcspn(c, "\r\n");
			if (pgl_xml_code_ok(c, n))
				(void)snprintf(o->code, sizeof(o->code), "%.*s",
				    (int)n, c);
		}
	}
}

/* One DELETE each: what a refused batch falls back to. */
static int
one_by_one(const struct pgl_azure *a, const char *const *blobs, size_t n,
    struct pgl_err *err)
{
	struct pgl_err	e;
	size_t		i;
	int		rc = PGL_OK, one;

	for (i = 0; i < n; i++) {
		if ((one = pgl_azure_delete(a, blobs[i], &e)) != PGL_OK &&
		    rc == PGL_OK) {
			rc = one;
			*err = e;
		}
	}
	return (rc);
}

/* One batch of at most BATCH_MAX. */
static int
batch(const struct pgl_azure *a, const char *const *blobs, size_t n,
    struct pgl_err *err)
{
	struct az_request	 q = { .method = "POST",
				    .query = "restype=container&comp=batch",
				    .max = BATCH_ANSWER };
	struct az_response	 r;
	struct outcome		 o;
	char			 boundary[64], uuid[PGL_UUID_LEN + 1];
	char			 type[128], what[128], *body = NULL;
	size_t			 blen = 0;
	int			 rc;

	pgl_uuid_new(uuid);
	(void)snprintf(boundary, sizeof(boundary), "batch_%s", uuid);
	(void)snprintf(type, sizeof(type), "multipart/mixed; boundary=%s",
	    boundary);
	if ((rc = batch_body(a, blobs, n, boundary, &body, &blen, err)) !=
	    PGL_OK)
		return (rc);
	q.data = body;
	q.len = blen;
	q.content_type = type;
	rc = pgl_azure_perform(a, &q, &r, err);
	free(body);
	if (rc != PGL_OK)
		return (rc);
	if (r.status == 400 || r.status == 404 || r.status == 405 ||
	    r.status == 409 || r.status == 501) {
		free(r.body.data);
		return (one_by_one(a, blobs, n, err));
	}
	if (r.status != 202 || r.body.too_big)
		return (pgl_azure_failed(a, "blob batch", &r, err));
	read_answer(r.body.data != NULL ? r.body.data : "", &o);
	free(r.body.data);
	/* Fewer answers than deletes: the batch was refused as a whole
	 * inside its 202 (the emulator's way with a body it cannot read). */
	if (o.answered < n)
		return (one_by_one(a, blobs, n, err));
	if (o.status != 0) {
		(void)snprintf(what, sizeof(what), "%s (HTTP %ld)",
		    o.code[0] != '\0' ? o.code : "Azure error", o.status);
		return (pgl_azure_err(err, PGL_EUNAVAIL, a, "could not delete",
		    what));
	}
	return (PGL_OK);
}

int
pgl_azure_delete_blobs(const struct pgl_azure *a, const char *const *blobs,
    size_t n, struct pgl_err *err)
{
	struct pgl_err	e;
	size_t		k;
	int		rc = PGL_OK, one;

	for (; n > 0; blobs += k, n -= k) {
		k = n > BATCH_MAX ? BATCH_MAX : n;
		if ((one = batch(a, blobs, k, &e)) != PGL_OK &&
		    rc == PGL_OK) {
			rc = one;
			*err = e;
		}
	}
	return (rc);
}
