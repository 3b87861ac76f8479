/*
 * The Blob client's operations (azure.h): blobs read, written, listed and
 * deleted one at a time, each a few lines on the one path every call
 * takes (azure_call.c: sign, perform, classify the failure).  Many deletes at
 * once are azure_batch.c's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/azure.h"
#include "storage/azure_call.h"
#include "storage/fileio.h"
#include "storage/s3_call.h"
#include "storage/s3xml.h"

#define MARKER_MAX	1024

/* n bytes of s are all in set, and there are lo to hi of them. */
static int
all_in(const char *s, size_t n, size_t lo, size_t hi, const char *set)
{
	size_t	i;

	if (n < lo || n > hi)
		return (0);
	for (i = 0; i < n; i++) {
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && strchr(set, s[i]) == NULL)
			return (0);
	}
	return (1);
}

int
pgl_azure_split(const char *loc, char *container, size_t clen,
    char *account, size_t alen, const char **path)
{
	static const char *const schemes[] = {
		"abfss://", "abfs://", "wasbs://", "wasb://"
	};
	const char	*p = NULL, *at, *host, *end, *dot;
	size_t		 i, n;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]) && p == NULL;
	    i++) {
		if (strncmp(loc, schemes[i], strlen(schemes[i])) == 0)
			p = loc + strlen(schemes[i]);
	}
	if (p == NULL || (end = strchr(p, '/')) == NULL)
		end = p != NULL ? p + strlen(p) : NULL;
	if (p == NULL || (at = memchr(p, '@', (size_t)(end - p))) == NULL)
		return (-1);
	host = at + 1;
	/* Azure's rules (container 3-63 of a-z, 0-9, '-'; account 3-24 of
	 * a-z, 0-9): anything else names no Azure place, and both end up in
	 * a URL. */
	if ((dot = memchr(host, '.', (size_t)(end - host))) == NULL ||
	    !all_in(p, (size_t)(at - p), 3, 63, "-") ||
	    !all_in(host, (size_t)(dot - host), 3, 24, "") ||
	    (strncmp(dot, ".dfs.", 5) != 0 && strncmp(dot, ".blob.", 6) != 0) ||
	    (size_t)(at - p) >= clen || (size_t)(dot - host) >= alen)
		return (-1);
	n = (size_t)(at - p);
	memcpy(container, p, n);
	container[n] = '\0';
	n = (size_t)(dot - host);
	memcpy(account, host, n);
	account[n] = '\0';
	*path = *end == '/' ? end + 1 : end;
	return (0);
}

int
pgl_azure_get(const struct pgl_azure *a, const char *blob, size_t max,
    char **data, size_t *len, struct pgl_err *err)
{
	struct az_request	q = { .method = "GET", .blob = blob,
				    .max = max };
	struct az_response	r;
	int			rc;

	if ((rc = pgl_azure_perform(a, &q, &r, err)) != PGL_OK)
		return (rc);
	if (r.status != 200 && !r.body.too_big)
		return (pgl_azure_failed(a, blob, &r, err));
	if (r.body.too_big || r.body.len > max) {
		free(r.body.data);
		return (pgl_azure_err(err, PGL_EINVAL, a, "blob too large",
		    blob));
	}
	if (r.body.data == NULL && (r.body.data = calloc(1, 1)) == NULL)
		return (pgl_azure_err(err, PGL_ENOMEM, a, "out of memory",
		    NULL));
	*data = r.body.data;
	*len = r.body.len;
	return (PGL_OK);
}

/*
 * A request whose answer is only a status: PGL_OK for 2xx (and for a
 * Delete of what is not there), the store code of Azure's error
 * otherwise.  r keeps the headers (HEAD); its body is freed.
 */
static int
exchange(const struct pgl_azure *a, const struct az_request *q,
    struct az_response *r, struct pgl_err *err)
{
	int	rc;

	if ((rc = pgl_azure_perform(a, q, r, err)) != PGL_OK)
		return (rc);
	if ((r->status < 200 || r->status > 299) && !(r->status == 404 &&
	    strcmp(q->method, "DELETE") == 0))
		return (pgl_azure_failed(a, q->blob, r, err));
	free(r->body.data);
	r->body.data = NULL;
	return (PGL_OK);
}

int
pgl_azure_put(const struct pgl_azure *a, const char *blob, const void *data,
    size_t len, struct pgl_err *err)
{
	struct az_request	q = { .method = "PUT", .blob = blob,
				    .data = data, .len = len,
				    .blob_type = "BlockBlob",
				    .if_none_match = "*" };
	struct az_response	r;
	int			rc;

	if ((rc = pgl_azure_perform(a, &q, &r, err)) != PGL_OK)
		return (rc);
	/* "Specifying Conditional Headers for Blob Service Operations": Put
	 * Blob over an existing blob with If-None-Match: * fails 409
	 * BlobAlreadyExists (Azure, and Azurite, whose metadata store makes
	 * the check and the write one step); the generic 412 ConditionNotMet
	 * is taken the same way. */
	if (r.status == 412 || (r.status == 409 &&
	    strcmp(r.code, "BlobAlreadyExists") == 0)) {
		free(r.body.data);
		return (pgl_azure_err(err, PGL_EEXISTS, a, "blob exists",
		    blob));
	}
	if (r.status != 201)
		return (pgl_azure_failed(a, blob, &r, err));
	free(r.body.data);
	return (PGL_OK);
}

int
pgl_azure_delete(const struct pgl_azure *a, const char *blob,
    struct pgl_err *err)
{
	struct az_request	q = { .method = "DELETE", .blob = blob };
	struct az_response	r;

	return (exchange(a, &q, &r, err));
}

int
pgl_azure_head(const struct pgl_azure *a, const char *blob,
    struct pgl_file_info *fi, struct pgl_err *err)
{
	struct az_request	q = { .method = "HEAD", .blob = blob };
	struct az_response	r;
	int			rc;

	if ((rc = exchange(a, &q, &r, err)) != PGL_OK)
		return (rc);
	memset(fi, 0, sizeof(*fi));
	fi->type = PGL_FILE_REG;
	fi->size = r.length;
	fi->mtime_ms = r.mtime * 1000;
	return (PGL_OK);
}

int
pgl_azure_container_exists(const struct pgl_azure *a, int *exists,
    struct pgl_err *err)
{
	struct az_request	q = { .method = "HEAD",
				    .query = "restype=container" };
	struct az_response	r;
	int			rc;

	*exists = 0;
	if ((rc = pgl_azure_perform(a, &q, &r, err)) != PGL_OK)
		return (rc);
	/* A HEAD's 404 has no body: on the container's own path it can
	 * only be the container. */
	if (r.status == 200 || r.status == 404) {
		*exists = r.status == 200;
		free(r.body.data);
		return (PGL_OK);
	}
	return (pgl_azure_failed(a, a->container, &r, err));
}

int
pgl_azure_create_container(const struct pgl_azure *a, struct pgl_err *err)
{
	struct az_request	q = { .method = "PUT",
				    .query = "restype=container" };
	struct az_response	r;
	int			rc;

	if ((rc = pgl_azure_perform(a, &q, &r, err)) != PGL_OK)
		return (rc);
	if (r.status == 201 || (r.status == 409 &&
	    strcmp(r.code, "ContainerAlreadyExists") == 0)) {
		free(r.body.data);
		return (PGL_OK);
	}
	return (pgl_azure_failed(a, a->container, &r, err));
}

static int64_t
rfc1123_ms(const char *s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	if (strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm) == NULL)
		return (0);
	return ((int64_t)timegm(&tm) * 1000);
}

/*
 * One <Blob> of a List Blobs page, the text between "<Blob>" and its
 * "</Blob>" (NUL-ended by the caller, so no field is read from the next
 * one): fn's return, or 0 for an entry that is skipped.  A name Azure had
 * to encode (Name Encoded="true": bytes XML cannot carry) is never one
 * this catalog wrote, so it is skipped, as are the directories of an
 * account with a hierarchical namespace (metadata hdi_isfolder).
 */
static int
one_blob(const char *p, pgl_azure_list_fn fn, void *arg)
{
	char		 name[AZ_NAME_MAX + 1], size[32], when[40];
	const char	*q = p;

	if (strstr(p, "<hdi_isfolder>true</hdi_isfolder>") != NULL ||
	    !pgl_xml_next(&q, "Name", name, sizeof(name)))
		return (0);
	q = p;
	if (!pgl_xml_next(&q, "Content-Length", size, sizeof(size)))
		return (0);
	q = p;
	if (!pgl_xml_next(&q, "Last-Modified", when, sizeof(when)))
		when[0] = '\0';
	return (fn(arg, name, strtoull(size, NULL, 10), rfc1123_ms(when)));
}

/* Every <Blob> of a page through fn; fn's first non-zero return. */
static int
each_blob(char *body, pgl_azure_list_fn fn, void *arg)
{
	char	*p = body, *c, *end;
	int	 rc = 0;

	while (rc == 0 && (c = strstr(p, "<Blob>")) != NULL &&
	    (end = strstr(c, "</Blob>")) != NULL) {
		*end = '\0';
		rc = one_blob(c, fn, arg);
		*end = '<';
		p = end + 7;
	}
	return (rc);
}

int
pgl_azure_list(const struct pgl_azure *a, const char *prefix,
    pgl_azure_list_fn fn, void *arg, struct pgl_err *err)
{
	struct az_request	 q = { .method = "GET", .max = AZ_LIST_MAX };
	struct az_response	 r;
	char			 marker[MARKER_MAX] = "";
	char			 emarker[3 * MARKER_MAX + 1];
	char			 epfx[3 * AZ_NAME_MAX + 1], query[8192];
	const char		*p;
	int			 rc = 0, n;

	if (strlen(prefix) > AZ_NAME_MAX)
		return (pgl_azure_err(err, PGL_EINVAL, a, "prefix too long",
		    NULL));
	pgl_s3_encode(epfx, sizeof(epfx), prefix, 0);
	do {
		/* include=metadata: to tell an HNS account's directories
		 * (one_blob) from blobs. */
		pgl_s3_encode(emarker, sizeof(emarker), marker, 0);
		n = snprintf(query, sizeof(query), "restype=container&comp=list"
		    "&include=metadata&maxresults=%u&prefix=%s%s%s",
		    a->max_results != 0 ? a->max_results : 5000, epfx,
		    marker[0] != '\0' ? "&marker=" : "", emarker);
		if (n < 0 || (size_t)n >= sizeof(query))
			return (pgl_azure_err(err, PGL_EINVAL, a, "list query "
			    "too long", NULL));
		q.query = query;
		if ((rc = pgl_azure_perform(a, &q, &r, err)) != PGL_OK)
			return (rc);
		if (r.body.too_big) {
			free(r.body.data);
			return (pgl_azure_err(err, PGL_EUNAVAIL, a, "list page "
			    "too large", prefix));
		}
		if (r.status != 200)
			return (pgl_azure_failed(a, prefix, &r, err));
		rc = r.body.data != NULL ? each_blob(r.body.data, fn, arg) : 0;
		/* The marker after the blobs: a blob's metadata may have a
		 * key of any name.  "<NextMarker />" ends the listing. */
		marker[0] = '\0';
		if (rc == 0 && r.body.data != NULL) {
			p = strstr(r.body.data, "</Blobs>");
			p = p != NULL ? p : r.body.data;
			if (!pgl_xml_next(&p, "NextMarker", marker,
			    sizeof(marker)))
				marker[0] = '\0';
		}
		free(r.body.data);
		/* A marker cut short would list some page again or skip
		 * one: refused, never guessed at. */
		if (strlen(marker) >= MARKER_MAX - 1)
			return (pgl_azure_err(err, PGL_EUNAVAIL, a, "list "
			    "marker too long", prefix));
	} while (rc == 0 && marker[0] != '\0');
	return (PGL_OK);
}
