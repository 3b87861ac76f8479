/*
 * STS AssumeRole (sts.h): the session policy, the call and its answer.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "storage/s3.h"
#include "storage/s3xml.h"
#include "storage/sts.h"
#include "util/str.h"

#define ANSWER_MAX	(64 * 1024)
#define FORM_MAX	(16 * 1024)

int
pgl_sts_role_partition(const char *arn, char *out, size_t len)
{
	const char	*p, *colon;
	size_t		 n;

	if (strncmp(arn, "arn:", 4) != 0)
		return (-1);
	p = arn + 4;
	if ((colon = strchr(p, ':')) == NULL || colon == p ||
	    (n = (size_t)(colon - p)) >= len)
		return (-1);
	memcpy(out, p, n);
	out[n] = '\0';
	for (p = out; *p != '\0'; p++) {
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '-')
			return (-1);
	}
	/* iam, an empty region, an account (empty on Ceph), then role/. */
	if (strncmp(colon, ":iam::", 6) != 0)
		return (-1);
	for (p = colon + 6; *p != ':'; p++) {
		if (*p == '\0' || !isdigit((unsigned char)*p))
			return (-1);
	}
	if (strncmp(p, ":role/", 6) != 0 || p[6] == '\0' ||
	    p[strlen(p) - 1] == '/')
		return (-1);
	for (p += 6; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("+=,.@_-/", *p) ==
		    NULL)
			return (-1);
	}
	return (0);
}

/* s with IAM's wildcards as literals: '*' -> ${*}, '?' -> ${?}, '$' -> ${$}. */
static char *
literal(const char *s)
{
	char	*out, *o;

	if ((out = malloc(4 * strlen(s) + 1)) == NULL)
		return (NULL);
	for (o = out; *s != '\0'; s++) {
		if (*s == '*' || *s == '?' || *s == '$')
			o += sprintf(o, "${%c}", *s);
		else
			*o++ = *s;
	}
	*o = '\0';
	return (out);
}

static json_t *
statement(json_t *actions, const char *resource)
{
	return (json_pack("{s:s,s:o,s:[s]}", "Effect", "Allow", "Action",
	    actions, "Resource", resource));
}

/* The policy as a tree; NULL out of memory. */
static json_t *
policy_tree(const char *partition, const char *bucket, const char *prefix,
    int write)
{
	json_t	*objects, *list, *actions, *writes;
	char	 res[2304], bres[256];
	int	 n;

	actions = json_pack("[s,s]", "s3:GetObject", "s3:GetObjectVersion");
	if (write && actions != NULL) {
		writes = json_pack("[s,s,s,s,s]", "s3:PutObject",
		    "s3:DeleteObject", "s3:DeleteObjectVersion",
		    "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts");
		(void)json_array_extend(actions, writes);
		json_decref(writes);
	}
	/* Never a resource cut short: it would name something else. */
	n = snprintf(res, sizeof(res), "arn:%s:s3:::%s/%s/*", partition,
	    bucket, prefix);
	if (n < 0 || (size_t)n >= sizeof(res) || snprintf(bres, sizeof(bres),
	    "arn:%s:s3:::%s", partition, bucket) >= (int)sizeof(bres)) {
		json_decref(actions);
		return (NULL);
	}
	objects = statement(actions, res);
	list = statement(json_pack("[s]", "s3:ListBucket"), bres);
	(void)snprintf(res, sizeof(res), "%s/*", prefix);
	if (list != NULL)
		json_object_set_new(list, "Condition", json_pack(
		    "{s:{s:[s]}}", "StringLike", "s3:prefix", res));
	return (json_pack("{s:s,s:[o,o]}", "Version", "2012-10-17",
	    "Statement", objects, list));
}

int
pgl_sts_policy(const char *partition, const char *bucket, const char *prefix,
    int write, char *out, size_t max, size_t *need)
{
	json_t	*tree;
	char	*lit, *text;
	size_t	 n;

	*need = 0;
	/* A key prefix fits S3's 1,024 bytes; escaped, four times that. */
	if (strlen(prefix) > 1024 || strlen(bucket) > 63 ||
	    strlen(partition) > 32 || (lit = literal(prefix)) == NULL)
		return (-1);
	tree = strlen(lit) <= 2048 ? policy_tree(partition, bucket, lit,
	    write) : NULL;
	text = tree != NULL ? json_dumps(tree, JSON_COMPACT) : NULL;
	json_decref(tree);
	if (text == NULL) {
		*need = 4 * strlen(prefix) + 512;
		free(lit);
		return (-1);
	}
	free(lit);
	*need = n = strlen(text);
	if (n >= max) {
		free(text);
		return (-1);
	}
	memcpy(out, text, n + 1);
	free(text);
	return ((int)n);
}

/* The element's text into out; -1 if missing or too long for it. */
static int
field(const char *xml, const char *tag, char *out, size_t len)
{
	const char	*p = xml;
	char		 probe[PGL_STS_TOKEN_MAX + 2];

	if (!pgl_xml_next(&p, tag, probe, sizeof(probe)) ||
	    strlen(probe) + 1 > len || probe[0] == '\0')
		return (-1);
	memcpy(out, probe, strlen(probe) + 1);
	return (0);
}

int
pgl_sts_parse(const char *xml, struct pgl_sts_creds *c)
{
	const char	*p;
	char		 when[64];

	memset(c, 0, sizeof(*c));
	if ((p = strstr(xml, "<Credentials>")) == NULL ||
	    field(p, "AccessKeyId", c->access_key, sizeof(c->access_key)) ||
	    field(p, "SecretAccessKey", c->secret_key,
	    sizeof(c->secret_key)) ||
	    field(p, "SessionToken", c->token, sizeof(c->token)) ||
	    field(p, "Expiration", when, sizeof(when)) ||
	    (c->expires_ms = pgl_iso8601_ms(when)) <= 0) {
		memset(c, 0, sizeof(*c));
		return (-1);
	}
	return (0);
}

/* "a=b&c=d" with each value percent-encoded; -1 if it does not fit. */
static int
form_add(char *form, size_t len, const char *key, const char *value)
{
	char	*v;
	size_t	 n = strlen(form);
	int	 w;

	if ((v = curl_easy_escape(NULL, value, 0)) == NULL)
		return (-1);
	w = snprintf(form + n, len - n, "%s%s=%s", n > 0 ? "&" : "", key, v);
	curl_free(v);
	return (w < 0 || (size_t)w >= len - n ? -1 : 0);
}

static int
sts_err(struct pgl_err *err, int code, const struct pgl_s3 *keys,
    const char *what)
{
	err->code = code;
	(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%.60s': STS "
	    "AssumeRole %.160s", keys->name != NULL ? keys->name : "?", what);
	return (code);
}

/* Where STS answers: its own endpoint, the S3 one, or AWS's. */
static void
sts_target(const struct pgl_s3 *keys, const struct pgl_sts *sts,
    struct pgl_s3 *t, char *aws, size_t len)
{
	*t = *keys;
	t->session_token = NULL;
	if (sts->region != NULL)
		t->region = sts->region;
	if (sts->endpoint != NULL)
		t->endpoint = sts->endpoint;
	else if (keys->endpoint == NULL) {
		(void)snprintf(aws, len, "https://sts.%s.amazonaws.com%s",
		    t->region, strncmp(t->region, "cn-", 3) == 0 ? ".cn" : "");
		t->endpoint = aws;
	}
}

/* A refusal's words: STS's error code if it looks like one. */
static int
refused(const struct pgl_s3 *keys, long status, const char *body,
    struct pgl_err *err)
{
	const char	*p = body != NULL ? body : "";
	char		 code[128] = "", what[200];

	if (!pgl_xml_next(&p, "Code", code, sizeof(code)) ||
	    !pgl_xml_code_ok(code, strlen(code)))
		(void)pgl_strlcpy(code, "an error", sizeof(code));
	(void)snprintf(what, sizeof(what), "refused: %s (HTTP %ld)", code,
	    status);
	/* STS's own trouble, or throttling: a retry can help. */
	if (status >= 500 || strcmp(code, "Throttling") == 0) {
		(void)snprintf(what, sizeof(what), "failed: %s (HTTP %ld); "
		    "retry after 1 s", code, status);
		return (sts_err(err, PGL_EUNAVAIL, keys, what));
	}
	return (sts_err(err, PGL_EINTERNAL, keys, what));
}

int
pgl_sts_assume_role(const struct pgl_s3 *keys, const struct pgl_sts *sts,
    const char *session, const char *policy, struct pgl_sts_creds *c,
    struct pgl_err *err)
{
	struct pgl_s3	 t;
	char		 form[FORM_MAX] = "", dur[16], aws[128];
	char		 tail[sizeof(err->msg)];
	char		*body = NULL;
	const char	*why;
	size_t		 len = 0;
	long		 status = 0;
	int		 rc;

	sts_target(keys, sts, &t, aws, sizeof(aws));
	(void)snprintf(dur, sizeof(dur), "%d", sts->duration_secs);
	if (form_add(form, sizeof(form), "Action", "AssumeRole") ||
	    form_add(form, sizeof(form), "Version", "2011-06-15") ||
	    form_add(form, sizeof(form), "RoleArn", sts->role_arn) ||
	    form_add(form, sizeof(form), "RoleSessionName", session) ||
	    form_add(form, sizeof(form), "DurationSeconds", dur) ||
	    (sts->external_id != NULL && form_add(form, sizeof(form),
	    "ExternalId", sts->external_id)) ||
	    form_add(form, sizeof(form), "Policy", policy))
		return (sts_err(err, PGL_EINVAL, keys, "request too large"));
	if ((rc = pgl_s3_post_form(&t, "sts", form, ANSWER_MAX, &status,
	    &body, &len, err)) != PGL_OK) {
		/* The S3 client's words after the warehouse, said of STS. */
		why = strstr(err->msg, "': ");
		why = why != NULL ? why + 3 : "failed";
		if (strncmp(why, "S3 ", 3) == 0)
			why += 3;
		(void)pgl_strlcpy(tail, why, sizeof(tail));
		return (sts_err(err, rc, keys, tail));
	}
	if (status != 200)
		rc = refused(keys, status, body, err);
	else if (body == NULL || pgl_sts_parse(body, c) == -1)
		rc = sts_err(err, PGL_EINTERNAL, keys, "answered no "
		    "credentials");
	free(body);
	return (rc);
}
