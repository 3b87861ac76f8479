/*
 * The S3 client's operations (s3.h): objects read, written, listed and
 * deleted with SigV4 over libcurl, each a few lines on the one path every
 * call takes (s3_call.c: sign, perform, classify the failure), on handles
 * kept per endpoint and admitted by its breaker and in-flight cap
 * (s3.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "storage/fileio.h"
#include "storage/s3.h"
#include "storage/s3_call.h"
#include "storage/s3_client.h"
#include "storage/s3xml.h"
#include "util/str.h"

int
pgl_s3_split(const char *loc, char *bucket, size_t len, const char **key)
{
	const char	*p, *slash;

	if (strncmp(loc, "s3://", 5) == 0)
		p = loc + 5;
	else if (strncmp(loc, "s3a://", 6) == 0)
		p = loc + 6;
	else
		return (-1);
	slash = strchr(p, '/');
	if (slash == p || (slash == NULL ? strlen(p) : (size_t)(slash - p)) >=
	    len)
		return (-1);
	if (slash == NULL) {
		(void)pgl_strlcpy(bucket, p, len);
		*key = "";
	} else {
		memcpy(bucket, p, (size_t)(slash - p));
		bucket[slash - p] = '\0';
		*key = slash + 1;
	}
	return (0);
}

int
pgl_s3_get(const struct pgl_s3 *s, const char *key, size_t max, char **data,
    size_t *len, struct pgl_err *err)
{
	struct request	q = { "GET", key, NULL, NULL, 0, max, NULL, NULL, 0 };
	struct response	r;
	int		rc;

	if ((rc = pgl_s3_perform(s, &q, &r, err)) != PGL_OK)
		return (rc);
	if (r.status != 200 && !r.body.too_big)
		return (pgl_s3_failed(s, key, &r, err));
	if (r.body.too_big || r.body.len > max) {
		free(r.body.data);
		return (pgl_s3_err(err, PGL_EINVAL, s, "object too large",
		    key));
	}
	if (r.body.data == NULL && (r.body.data = calloc(1, 1)) == NULL)
		return (pgl_s3_err(err, PGL_EUNAVAIL, s, "out of memory",
		    NULL));
	*data = r.body.data;
	*len = r.body.len;
	return (PGL_OK);
}

/*
 * A request whose answer is only a status: PGL_OK for 2xx (and for a
 * DELETE of what is not there), the store code of S3's error otherwise.
 * r keeps the headers (HEAD); its body is freed.
 */
static int
exchange(const struct pgl_s3 *s, const struct request *q,
    struct response *r, struct pgl_err *err)
{
	int	rc;

	if ((rc = pgl_s3_perform(s, q, r, err)) != PGL_OK)
		return (rc);
	if ((r->status < 200 || r->status > 299) && !(r->status == 404 &&
	    strcmp(q->method, "DELETE") == 0))
		return (pgl_s3_failed(s, q->key, r, err));
	free(r->body.data);
	r->body.data = NULL;
	return (PGL_OK);
}

int
pgl_s3_post_form(const struct pgl_s3 *s, const char *service,
    const char *form, size_t max, long *status, char **body, size_t *len,
    struct pgl_err *err)
{
	struct request	q = { "POST", "", NULL, form, strlen(form), max, NULL,
			    service, 1 };
	struct response	r;
	int		rc;

	if ((rc = pgl_s3_perform(s, &q, &r, err)) != PGL_OK)
		return (rc);
	if (r.body.too_big) {
		free(r.body.data);
		return (pgl_s3_err(err, PGL_EUNAVAIL, s, "answer too large",
		    service));
	}
	*status = r.status;
	*body = r.body.data;
	*len = r.body.len;
	return (PGL_OK);
}

int
pgl_s3_put(const struct pgl_s3 *s, const char *key, const void *data,
    size_t len, struct pgl_err *err)
{
	struct request	q = { "PUT", key, NULL, data, len, ERR_BODY_MAX,
			    NULL, NULL, 0 };
	struct response	r;

	return (exchange(s, &q, &r, err));
}

int
pgl_s3_create_bucket(const struct pgl_s3 *s, struct pgl_err *err)
{
	struct request	q = { "PUT", "", NULL, NULL, 0, ERR_BODY_MAX, NULL,
			    NULL, 0 };
	struct response	r;
	char		code[128] = "";
	int		rc;

	if ((rc = pgl_s3_perform(s, &q, &r, err)) != PGL_OK)
		return (rc);
	if (r.status == 200 || (r.status == 409 &&
	    pgl_s3_error_code(&r, code, sizeof(code)) != NULL &&
	    strcmp(code, "BucketAlreadyOwnedByYou") == 0)) {
		free(r.body.data);
		return (PGL_OK);
	}
	return (pgl_s3_failed(s, s->bucket, &r, err));
}

int
pgl_s3_delete(const struct pgl_s3 *s, const char *key, struct pgl_err *err)
{
	struct request	q = { "DELETE", key, NULL, NULL, 0, ERR_BODY_MAX,
			    NULL, NULL, 0 };
	struct response	r;

	return (exchange(s, &q, &r, err));
}

/* "<Delete><Quiet>true</Quiet><Object><Key>k</Key></Object>...</Delete>" */
static char *
delete_body(const char *const *keys, size_t n, size_t *len)
{
	char	*out, *o;
	size_t	 cap = 64, i;

	for (i = 0; i < n; i++)
		cap += 32 + 6 * strlen(keys[i]);
	if ((out = o = malloc(cap)) == NULL)
		return (NULL);
	o += sprintf(o, "<Delete><Quiet>true</Quiet>");
	for (i = 0; i < n; i++) {
		const char	*k;

		o += sprintf(o, "<Object><Key>");
		for (k = keys[i]; *k != '\0'; k++) {
			switch (*k) {
			case '&': o += sprintf(o, "&amp;"); break;
			case '<': o += sprintf(o, "&lt;"); break;
			case '>': o += sprintf(o, "&gt;"); break;
			case '"': o += sprintf(o, "&quot;"); break;
			case '\'': o += sprintf(o, "&apos;"); break;
			default: *o++ = *k;
			}
		}
		o += sprintf(o, "</Key></Object>");
	}
	o += sprintf(o, "</Delete>");
	*len = (size_t)(o - out);
	return (out);
}

int
pgl_s3_delete_keys(const struct pgl_s3 *s, const char *const *keys, size_t n,
    struct pgl_err *err)
{
	struct request	 q = { "POST", "", "delete=", NULL, 0, ERR_BODY_MAX,
			    NULL, NULL, 0 };
	struct response	 r;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	char		 md5[32], code[128] = "";
	char		*body;
	const char	*p;
	size_t		 len, batch;
	int		 rc = PGL_OK;

	for (; n > 0 && rc == PGL_OK; keys += batch, n -= batch) {
		batch = n > 1000 ? 1000 : n;
		if ((body = delete_body(keys, batch, &len)) == NULL)
			return (pgl_s3_err(err, PGL_ENOMEM, s, "out of memory",
			    NULL));
		/* S3 requires Content-MD5 on a multi-object delete. */
		if (!EVP_Digest(body, len, md, NULL, EVP_md5(), NULL)) {
			free(body);
			return (pgl_s3_err(err, PGL_EINTERNAL, s, "md5 failed",
			    NULL));
		}
		(void)EVP_EncodeBlock((unsigned char *)md5, md, 16);
		q.data = body;
		q.len = len;
		q.content_md5 = md5;
		rc = pgl_s3_perform(s, &q, &r, err);
		free(body);
		if (rc != PGL_OK)
			return (rc);
		if (r.status != 200)
			return (pgl_s3_failed(s, "multi-object delete", &r,
			    err));
		/* Quiet mode lists only the objects that were not deleted. */
		p = r.body.data != NULL ? r.body.data : "";
		if (strstr(p, "<Error>") != NULL) {
			/* Only a code that looks like one: the key and the
			 * message are the remote's text. */
			(void)pgl_xml_next(&p, "Code", code, sizeof(code));
			rc = pgl_s3_err(err, PGL_EUNAVAIL, s,
			    "could not delete", pgl_xml_code_ok(code,
			    strlen(code)) ? code : "S3 error");
		}
		free(r.body.data);
	}
	return (rc);
}

int
pgl_s3_head(const struct pgl_s3 *s, const char *key,
    struct pgl_file_info *fi, struct pgl_err *err)
{
	struct request	q = { "HEAD", key, NULL, NULL, 0, ERR_BODY_MAX,
			    NULL, NULL, 0 };
	struct response	r;
	int		rc;

	if ((rc = exchange(s, &q, &r, err)) != PGL_OK)
		return (rc);
	memset(fi, 0, sizeof(*fi));
	fi->type = PGL_FILE_REG;
	fi->size = r.length;
	fi->mtime_ms = r.mtime * 1000;
	return (PGL_OK);
}

int
pgl_s3_list(const struct pgl_s3 *s, const char *prefix, pgl_s3_list_fn fn,
    void *arg, struct pgl_err *err)
{
	struct request	 q = { "GET", "", NULL, NULL, 0, LIST_BODY_MAX, NULL,
			    NULL, 0 };
	struct response	 r;
	char		 token[1024] = "", etok[3 * 1024 + 1];
	char		 epfx[3 * KEY_MAX + 1], query[8192], key[KEY_MAX + 1];
	char		 size[32], more[16], when[40];
	const char	*p, *c;
	int		 rc;

	pgl_s3_encode(epfx, sizeof(epfx), prefix, 0);
	do {
		/* Parameters in byte order, values encoded (SigV4). */
		pgl_s3_encode(etok, sizeof(etok), token, 0);
		(void)snprintf(query, sizeof(query), "%s%s%slist-type=2&"
		    "max-keys=%u&prefix=%s", token[0] != '\0' ?
		    "continuation-token=" : "", token[0] != '\0' ? etok : "",
		    token[0] != '\0' ? "&" : "", s->max_keys != 0 ?
		    s->max_keys : 1000, epfx);
		q.query = query;
		if ((rc = pgl_s3_perform(s, &q, &r, err)) != PGL_OK)
			return (rc);
		if (r.status != 200)
			return (pgl_s3_failed(s, prefix, &r, err));
		p = r.body.data != NULL ? r.body.data : "";
		while ((c = strstr(p, "<Contents>")) != NULL) {
			p = c;
			if (!pgl_xml_next(&p, "Key", key, sizeof(key)) ||
			    !pgl_xml_next(&p, "LastModified", when, sizeof(when)) ||
			    !pgl_xml_next(&p, "Size", size, sizeof(size)))
				break;
			if ((rc = fn(arg, key, strtoull(size, NULL, 10),
			    pgl_iso8601_ms(when))) != 0)
				break;
		}
		p = r.body.data != NULL ? r.body.data : "";
		token[0] = '\0';
		if (rc == 0 && pgl_xml_next(&p, "IsTruncated", more, sizeof(more)) &&
		    strcmp(more, "true") == 0) {
			p = r.body.data;
			if (!pgl_xml_next(&p, "NextContinuationToken", token,
			    sizeof(token)))
				token[0] = '\0';
		}
		free(r.body.data);
	} while (rc == 0 && token[0] != '\0');
	return (PGL_OK);
}
