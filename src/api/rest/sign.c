/*
 * POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign: remote
 * signing.  A client that was told `s3.remote-signing-enabled` sends each
 * S3 request it is about to make; the catalog signs it with the
 * warehouse's keys (which never leave the server) after checking that it
 * touches only this table's objects, in the table's bucket, and that the
 * caller may: reads (GET, HEAD, a listing) need what loading the table
 * needs; writes (PUT, multipart) need `update`, deletes `delete`.  A key
 * is read as S3 reads it (percent-decoded, no "." "..", or empty segment);
 * each method takes only the query parameters of its operations, once;
 * headers naming another object (a copy source) must stay in the table
 * too, and a multi-object delete is signed only with its body and that
 * body's hash, so the keys S3 will delete are the keys checked here.
 * This is how S3-compatible stores without STS are served without handing
 * out the warehouse's keys.
 *
 * Kept whole, over 600 lines: every rule above is one check of one
 * request, and a signing rule read apart from the others is how a hole
 * gets in.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/sha.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/storage/storage.h"
#include "api/target.h"
#include "api/read/policies.h"
#include "api/read/read.h"
#include "api/rest/rest.h"
#include "app/app.h"
#include "storage/objio.h"
#include "storage/sigv4.h"
#include "util/arena.h"
#include "util/json.h"

#define MAX_SIGNED	48

static const struct pgl_jfield sign_fields[] = {
	{ "region", PGL_J_STRING, 1 },
	{ "uri", PGL_J_STRING, 1 },
	{ "method", PGL_J_STRING, 1 },
	{ "headers", PGL_J_OBJECT, 1 },
	{ "properties", PGL_J_OBJECT, 0 },
	{ "body", PGL_J_STRING, 0 },
	{ "provider", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

struct target {
	char	*host;		/* host[:port] as in the uri */
	char	*path;		/* encoded, from the first '/' */
	char	*query;		/* encoded, without '?' */
	char	*bucket;
	char	*key;		/* decoded */
};

/* Percent-decoded copy, or NULL on a bad escape or an encoded NUL. */
static char *
decoded(struct pgl_req *r, const char *s, size_t len)
{
	char	*out = pgl_arena_strndup(r->arena, s, len);

	return (out != NULL && pgl_url_decode(out) == 0 ? out : NULL);
}

/* XML's five named entities decoded in place; -1 on any other '&'. */
static int
xml_unescape(char *s)
{
	static const struct { const char *e; char c; } ent[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
		{ "&quot;", '"' }, { "&apos;", '\'' } };
	char	*out = s;
	size_t	 i;

	while (*s != '\0') {
		if (*s != '&') {
			*out++ = *s++;
			continue;
		}
		for (i = 0; i < sizeof(ent) / sizeof(ent[0]); i++) {
			if (strncmp(s, ent[i].e, strlen(ent[i].e)) == 0)
				break;
		}
		if (i == sizeof(ent) / sizeof(ent[0]))
			return (-1);
		*out++ = ent[i].c;
		s += strlen(ent[i].e);
	}
	*out = '\0';
	return (0);
}

/* The uri's host, path, query, and the bucket and key it names. */
static const char *
parse_uri(struct pgl_req *r, const struct pgl_s3 *s3, const char *uri,
    struct target *t)
{
	const char	*p, *slash, *q;
	char		*path;

	if ((p = strstr(uri, "://")) == NULL || (strncmp(uri, "http://", 7) !=
	    0 && strncmp(uri, "https://", 8) != 0))
		return ("uri must be an http:// or https:// URL");
	if (strchr(uri, '#') != NULL)
		return ("uri must not have a fragment");
	p += 3;
	slash = strchr(p, '/');
	t->host = pgl_arena_strndup(r->arena, p, slash != NULL ?
	    (size_t)(slash - p) : strlen(p));
	path = pgl_arena_strdup(r->arena, slash != NULL ? slash : "/");
	if (t->host == NULL || path == NULL || *t->host == '\0' ||
	    strchr(t->host, '@') != NULL)
		return ("uri has no usable host");
	if ((q = strchr(path, '?')) != NULL) {
		t->query = pgl_arena_strdup(r->arena, q + 1);
		path[q - path] = '\0';
	} else
		t->query = "";
	t->path = path;
	if (s3->path_style) {
		/* /bucket/key */
		slash = strchr(path + 1, '/');
		t->bucket = decoded(r, path + 1, slash != NULL ?
		    (size_t)(slash - path - 1) : strlen(path + 1));
		t->key = slash != NULL ? decoded(r, slash + 1,
		    strlen(slash + 1)) : "";
	} else {
		/* bucket.host/key */
		q = strchr(t->host, '.');
		t->bucket = q != NULL ? pgl_arena_strndup(r->arena, t->host,
		    (size_t)(q - t->host)) : NULL;
		t->key = decoded(r, path + 1, strlen(path + 1));
	}
	if (t->bucket == NULL || t->key == NULL)
		return ("uri has a bad escape");
	return (NULL);
}

/* The endpoint's host[:port], for path-style stores. */
static int
host_ok(const struct pgl_s3 *s3, const struct target *t)
{
	const char	*ep = s3->endpoint, *h;

	if (ep == NULL)		/* AWS: <bucket>.s3[.<region>].amazonaws.com */
		return (strncmp(t->host, t->bucket, strlen(t->bucket)) == 0 &&
		    strstr(t->host, ".amazonaws.com") != NULL);
	/* A warehouse stored before endpoints were checked: no match. */
	if ((h = strstr(ep, "://")) == NULL)
		return (0);
	h += 3;
	if (s3->path_style)
		return (strcasecmp(t->host, h) == 0);
	return (strlen(t->host) > strlen(h) && strcasecmp(t->host +
	    strlen(t->host) - strlen(h), h) == 0);
}

/*
 * The table's own key prefix: "<location key>/" (presign.c too), one
 * '/' however many the location ends with, so that "t1" is no prefix
 * of "t10/..." and "t1/" still signs "t1/data/...".  Its location is
 * its own (commit/owners.h): no other table's files lie under it.
 */
const char *
ice_table_key_prefix(struct pgl_req *r, const char *location,
    const char *bucket)
{
	char		 b[256];
	const char	*key;
	size_t		 n;

	if (pgl_s3_split(location, b, sizeof(b), &key) == -1 ||
	    strcmp(b, bucket) != 0)
		return (NULL);
	for (n = strlen(key); n > 0 && key[n - 1] == '/'; n--)
		;
	return (pgl_arena_printf(r->arena, "%.*s/", (int)n, key));
}

/*
 * A decoded key (or list prefix, which may end in '/') that S3 reads as
 * it is written: no control bytes, no empty segment ("a//b", "/a"), no
 * "." or ".." segment ("a/..", "a/./b").  Then inside want.
 */
int
ice_key_inside(const char *key, const char *want, int trailing_slash)
{
	const char	*seg, *end;
	size_t		 len;

	if (key == NULL || want == NULL || strncmp(key, want,
	    strlen(want)) != 0)
		return (0);
	for (seg = key; ; seg = end + 1) {
		end = strchr(seg, '/');
		len = end != NULL ? (size_t)(end - seg) : strlen(seg);
		if (len == 0 && !(end == NULL && trailing_slash && seg != key))
			return (0);
		if ((len == 1 && seg[0] == '.') || (len == 2 &&
		    seg[0] == '.' && seg[1] == '.'))
			return (0);
		if (end == NULL)
			break;
	}
	for (; *key != '\0'; key++) {
		if ((unsigned char)*key < 0x20 || *key == 0x7f)
			return (0);
	}
	return (1);
}

#define MAX_PARAMS	16

/* The uri's query: decoded names and values; -1 on a bad escape, a
 * duplicated name, too many, or a bare '+' (which S3 may read as a space
 * where we read a '+': clients encode it as %2B). */
struct params {
	const char	*name[MAX_PARAMS];
	const char	*value[MAX_PARAMS];
	size_t		 n;
};

static int
parse_query(struct pgl_req *r, const char *query, struct params *pp)
{
	const char	*p, *end, *eq;
	size_t		 i, len;

	pp->n = 0;
	if (strchr(query, '+') != NULL)
		return (-1);
	for (p = query; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(p, '&')) == NULL)
			end = p + strlen(p);
		if (end == p)
			continue;
		if (pp->n == MAX_PARAMS)
			return (-1);
		len = (size_t)(end - p);
		eq = memchr(p, '=', len);
		pp->name[pp->n] = decoded(r, p, eq != NULL ? (size_t)(eq - p) :
		    len);
		pp->value[pp->n] = eq != NULL ? decoded(r, eq + 1,
		    (size_t)(end - eq - 1)) : "";
		if (pp->name[pp->n] == NULL || pp->value[pp->n] == NULL)
			return (-1);
		for (i = 0; i < pp->n; i++) {
			if (strcmp(pp->name[i], pp->name[pp->n]) == 0)
				return (-1);	/* S3 would take one of them */
		}
		pp->n++;
	}
	return (0);
}

static const char *
param(const struct params *pp, const char *name)
{
	size_t	i;

	for (i = 0; i < pp->n; i++) {
		if (strcmp(pp->name[i], name) == 0)
			return (pp->value[i]);
	}
	return (NULL);
}

/* 1 if every parameter is one of the space-separated names ("response-"
 * stands for every name it begins). */
static int
params_only(const struct params *pp, const char *names)
{
	const char	*p;
	size_t		 i, len;
	int		 found;

	for (i = 0; i < pp->n; i++) {
		/* The AWS SDKs name the operation; S3 ignores it. */
		if (strcmp(pp->name[i], "x-id") == 0)
			continue;
		len = strlen(pp->name[i]);
		found = 0;
		for (p = names; *p != '\0' && !found; p += strcspn(p, " "),
		    p += *p == ' ') {
			size_t	n = strcspn(p, " ");

			found = (n == len && strncmp(p, pp->name[i], n) == 0) ||
			    (n == 9 && strncmp(p, "response-", 9) == 0 &&
			    strncmp(pp->name[i], "response-", 9) == 0);
		}
		if (!found)
			return (0);
	}
	return (1);
}

/* What a signed request does, and what the caller needs for it. */
enum op { OP_NONE, OP_READ, OP_LIST, OP_WRITE, OP_DELETE, OP_DELETE_MANY };

static enum op
operation(const char *method, const struct target *t,
    const struct params *pp)
{
	int	object = t->key[0] != '\0';

	if (!object) {
		if (strcmp(method, "GET") == 0 && param(pp, "list-type") !=
		    NULL && strcmp(param(pp, "list-type"), "2") == 0 &&
		    params_only(pp, "list-type prefix continuation-token "
		    "delimiter encoding-type fetch-owner max-keys start-after"))
			return (OP_LIST);
		if (strcmp(method, "POST") == 0 && param(pp, "delete") !=
		    NULL && params_only(pp, "delete"))
			return (OP_DELETE_MANY);
		return (OP_NONE);
	}
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return (params_only(pp, "partNumber versionId response-") ?
		    OP_READ : OP_NONE);
	if (strcmp(method, "PUT") == 0) {
		if (pp->n == 0 || params_only(pp, ""))
			return (OP_WRITE);		/* put, copy */
		return (param(pp, "partNumber") != NULL && param(pp,
		    "uploadId") != NULL && params_only(pp, "partNumber "
		    "uploadId") ? OP_WRITE : OP_NONE);	/* a part */
	}
	if (strcmp(method, "POST") == 0)		/* start, complete */
		return ((param(pp, "uploads") != NULL && params_only(pp,
		    "uploads")) || (param(pp, "uploadId") != NULL &&
		    params_only(pp, "uploadId")) ? OP_WRITE : OP_NONE);
	if (strcmp(method, "DELETE") == 0) {
		if (param(pp, "uploadId") != NULL && params_only(pp,
		    "uploadId"))
			return (OP_WRITE);		/* abort an upload */
		return (params_only(pp, "versionId") ? OP_DELETE : OP_NONE);
	}
	return (OP_NONE);
}

static int
forbid(struct pgl_req *r, const char *location, const char *why)
{
	pgl_reply_ice_error(r, 403, "ForbiddenException", "%s; only requests "
	    "inside the table's location %s are signed", why, location);
	return (-1);
}

/*
 * The keys of a multi-object delete body, every one inside want.  The
 * body is read as S3 would read it only if it is plain: elements of the
 * DeleteObjects document, no comments, CDATA, DTD or numeric entities.
 */
static int
delete_keys_inside(struct pgl_req *r, const char *body, const char *want)
{
	static const char *const names[] = { "Delete", "Object", "Key",
	    "VersionId", "Quiet", "ETag", "LastModifiedTime", "Size" };
	const char	*p = body, *gt, *n;
	char		*key;
	size_t		 len, i, keys = 0;
	int		 in_key = 0;

	if (strstr(body, "<!") != NULL || strstr(body, "&#") != NULL)
		return (0);
	while ((p = strchr(p, '<')) != NULL) {
		if ((gt = strchr(p, '>')) == NULL)
			return (0);
		if (p[1] == '?') {		/* the XML declaration */
			if (p != body + strspn(body, " \t\r\n") || gt[-1] != '?')
				return (0);
			p = gt + 1;
			continue;
		}
		n = p + 1 + (p[1] == '/');
		len = strcspn(n, " \t\r\n/>");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strlen(names[i]) == len && strncmp(n, names[i],
			    len) == 0)
				break;
		}
		if (i == sizeof(names) / sizeof(names[0]))
			return (0);
		/* Attributes only on the root (its xmlns). */
		if (n + len != gt && i != 0)
			return (0);
		if (i == 2 && p[1] != '/') {
			const char	*close = strstr(gt, "</Key>");

			if (in_key || close == NULL)
				return (0);
			if ((key = pgl_arena_strndup(r->arena, gt + 1,
			    (size_t)(close - gt - 1))) == NULL ||
			    strchr(key, '<') != NULL)
				return (0);
			if (xml_unescape(key) == -1 ||
			    !ice_key_inside(key, want, 0))
				return (0);
			keys++;
			in_key = 1;
		} else if (i == 2)
			in_key = 0;
		p = gt + 1;
	}
	return (keys > 0);
}

/* x-amz-copy-source: "[/]bucket/key[?versionId=v]", encoded. */
static int
copy_source_inside(struct pgl_req *r, const char *v, const char *bucket,
    const char *want)
{
	const char	*q, *slash;
	char		*src;

	if (*v == '/')
		v++;
	if (strchr(v, '+') != NULL)	/* '+' or ' '? encoded, it is clear */
		return (0);
	q = strchr(v, '?');
	if (q != NULL && strncmp(q, "?versionId=", 11) != 0)
		return (0);
	if ((src = decoded(r, v, q != NULL ? (size_t)(q - v) :
	    strlen(v))) == NULL || (slash = strchr(src, '/')) == NULL)
		return (0);
	return ((size_t)(slash - src) == strlen(bucket) && strncmp(src,
	    bucket, (size_t)(slash - src)) == 0 && ice_key_inside(slash + 1,
	    want, 0));
}

/*
 * Headers that name another object or change who may read this one:
 * x-amz-copy-source only from inside the table (and its -range, -if-*
 * only with it), never a redirect, a rename source or grants.
 */
static const char *
headers_inside(struct pgl_req *r, const json_t *in, enum op op,
    const char *bucket, const char *want)
{
	const char	*name, *v;
	json_t		*vals;
	int		 copy = 0, copy_extra = 0;

	json_object_foreach((json_t *)in, name, vals) {
		v = json_array_size(vals) > 0 ?
		    json_string_value(json_array_get(vals, 0)) : "";
		if (strcasecmp(name, "x-amz-copy-source") == 0) {
			if (op != OP_WRITE || json_array_size(vals) != 1 ||
			    !copy_source_inside(r, v, bucket, want))
				return ("x-amz-copy-source must name one object "
				    "of this table");
			copy = 1;
		} else if (strncasecmp(name, "x-amz-copy-source-", 18) == 0)
			copy_extra = 1;
		else if (strcasecmp(name, "x-amz-website-redirect-location") ==
		    0 || strncasecmp(name, "x-amz-rename-source", 19) == 0 ||
		    strncasecmp(name, "x-amz-grant-", 12) == 0)
			return (pgl_arena_printf(r->arena, "header %s is not "
			    "signed", name));
		else if (strcasecmp(name, "x-amz-acl") == 0 &&
		    (json_array_size(vals) != 1 || (strcmp(v, "private") != 0 &&
		    strcmp(v, "bucket-owner-full-control") != 0)))
			return ("x-amz-acl may only be private or "
			    "bucket-owner-full-control");
	}
	if (copy_extra && !copy)
		return ("x-amz-copy-source-* needs x-amz-copy-source");
	return (NULL);
}

/* The x-amz-content-sha256 a client sent, or NULL. */
static const char *
payload_hash(const json_t *in)
{
	const char	*name;
	json_t		*vals;

	json_object_foreach((json_t *)in, name, vals) {
		if (strcasecmp(name, "x-amz-content-sha256") == 0)
			return (json_array_size(vals) == 1 ?
			    json_string_value(json_array_get(vals, 0)) : NULL);
	}
	return (NULL);
}

/* A multi-object delete: its payload hash is the body's, and signed. */
static int
body_hash_ok(const char *hash, const char *body)
{
	unsigned char	md[SHA256_DIGEST_LENGTH];
	char		hex[2 * SHA256_DIGEST_LENGTH + 1];
	int		i;

	if (hash == NULL || body == NULL || strlen(hash) != 64 ||
	    strspn(hash, "0123456789abcdef") != 64)
		return (0);
	SHA256((const unsigned char *)body, strlen(body), md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return (strcmp(hex, hash) == 0);
}

/*
 * 0 if the request stays inside the table and the caller may make it;
 * else -1 after a reply.  Reads (GET, HEAD, a listing) need what loading
 * the table needs; writes (PUT, multipart, abort) update; deletes delete.
 */
static int
inside_table(struct pgl_req *r, const struct pgl_storage *st,
    const struct target *t, const char *location, const char *method,
    const struct ice_target *it, const char *asset_id)
{
	struct pgl_target	 pt = { it->catalog.id, it->ns, asset_id, NULL,
				    0, 0 };
	const char		*want = ice_table_key_prefix(r, location,
				    st->s3.bucket);
	const json_t		*headers = json_object_get(r->body, "headers");
	struct params		 pp;
	enum op			 op;
	const char		*why;

	if (want == NULL || strcmp(t->bucket, st->s3.bucket) != 0 ||
	    !host_ok(&st->s3, t))
		return (forbid(r, location, "another bucket or host"));
	if (parse_query(r, t->query, &pp) == -1)
		return (forbid(r, location, "a query parameter is given "
		    "twice or badly encoded"));
	if ((op = operation(method, t, &pp)) == OP_NONE)
		return (forbid(r, location, pgl_arena_printf(r->arena, "%s of "
		    "this kind is not signed", method)));
	if (op == OP_LIST ? !ice_key_inside(param(&pp, "prefix"), want, 1) :
	    op != OP_DELETE_MANY && !ice_key_inside(t->key, want, 0))
		return (forbid(r, location, "the key lies outside the table"));
	if (op == OP_DELETE_MANY) {
		if (!body_hash_ok(payload_hash(headers), pgl_json_str(r->body,
		    "body")))
			return (forbid(r, location, "a multi-object delete "
			    "needs its body and its SHA-256 as "
			    "x-amz-content-sha256"));
		if (!delete_keys_inside(r, pgl_json_str(r->body, "body"),
		    want))
			return (forbid(r, location, "a key of the delete lies "
			    "outside the table"));
	}
	if ((why = headers_inside(r, headers, op, st->s3.bucket, want)) !=
	    NULL)
		return (forbid(r, location, why));
	if (op == OP_WRITE)
		return (api_require(r, PGL_ACT_UPDATE, &pt));
	if (op == OP_DELETE || op == OP_DELETE_MANY)
		return (api_require(r, PGL_ACT_DELETE, &pt));
	return (0);
}

/* Headers that change in transit or that the signature sets itself. */
static int
unsigned_header(const char *name)
{
	static const char *const skip[] = { "authorization", "x-amz-date",
	    "x-amz-security-token", "user-agent", "expect", "connection",
	    "x-amzn-trace-id", "amz-sdk-invocation-id", "amz-sdk-request" };
	size_t	i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
		if (strcasecmp(name, skip[i]) == 0)
			return (1);
	}
	return (0);
}

/* RFC 9110 field names; values without control bytes (CR, LF, NUL). */
static int
headers_ok(const json_t *in)
{
	const char	*name, *v;
	json_t		*vals, *e;
	size_t		 i;

	json_object_foreach((json_t *)in, name, vals) {
		if (*name == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~") !=
		    strlen(name) || !json_is_array(vals))
			return (0);
		json_array_foreach(vals, i, e) {
			if ((v = json_string_value(e)) == NULL)
				return (0);
			for (; *v != '\0'; v++) {
				if ((unsigned char)*v < 0x20 && *v != '\t')
					return (0);
			}
		}
	}
	return (1);
}

/* The client's headers (values joined by ','), ours appended. */
static size_t
collect_headers(struct pgl_req *r, const json_t *in,
    struct pgl_sigv4_header *h, const char **payload)
{
	const char	*name, *v;
	json_t		*vals, *e;
	size_t		 n = 0, i;
	char		*joined;

	*payload = "UNSIGNED-PAYLOAD";
	json_object_foreach((json_t *)in, name, vals) {
		if (unsigned_header(name) || n == MAX_SIGNED - 3 ||
		    !json_is_array(vals))
			continue;
		joined = "";
		json_array_foreach(vals, i, e) {
			if ((v = json_string_value(e)) != NULL)
				joined = pgl_arena_printf(r->arena, "%s%s%s",
				    joined, i > 0 ? "," : "", v);
		}
		if (strcasecmp(name, "x-amz-content-sha256") == 0) {
			*payload = joined;
			continue;
		}
		h[n++] = (struct pgl_sigv4_header){ name, joined };
	}
	return (n);
}

static json_t *
result_headers(const struct pgl_sigv4_header *h, size_t n)
{
	json_t	*out = json_object();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_object_set_new(out, h[i].name, json_pack("[s]",
		    h[i].value));
	return (out);
}

void
ice_table_sign(struct pgl_req *r)
{
	struct pgl_sigv4_header		 h[MAX_SIGNED];
	struct ice_target		 it;
	struct pgl_asset		 a;
	struct pgl_err			 err;
	const struct pgl_storage	*st;
	struct target			 t;
	struct pgl_sigv4_key		 key;
	struct pgl_sigv4_request	 q;
	const char			*method, *why, *payload;
	char				 date[17], auth[1024];
	time_t				 now = time(NULL);
	size_t				 n;

	if (pgl_req_body(r, sign_fields) == -1 ||
	    ice_target(r, "table", &it) == -1 ||
	    ice_find_asset(r, &it, "ICEBERG_TABLE", &a) == -1 ||
	    ice_storage_allowed(r, &it.catalog, it.ns, it.name, &a) == -1)
		return;
	if (api_storage(r, &it.catalog, &st, &err) != PGL_OK) {
		ice_reply_file_error(r, &err);
		return;
	}
	if (!st->is_s3) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "%s",
		    st->is_azure ? "table files are on Azure: S3 requests are "
		    "not signed for them (vended credentials give a SAS)" :
		    "table files are on local disk: nothing to sign");
		return;
	}
	if (!headers_ok(json_object_get(r->body, "headers"))) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "headers "
		    "must map field names to arrays of strings without "
		    "control bytes");
		return;
	}
	method = pgl_json_str(r->body, "method");
	if ((why = parse_uri(r, &st->s3, pgl_json_str(r->body, "uri"),
	    &t)) != NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "%s", why);
		return;
	}
	if (inside_table(r, st, &t, a.location, method, &it, a.id) == -1)
		return;
	(void)strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", gmtime(&now));
	n = collect_headers(r, json_object_get(r->body, "headers"), h,
	    &payload);
	h[n++] = (struct pgl_sigv4_header){ "x-amz-date", date };
	h[n++] = (struct pgl_sigv4_header){ "x-amz-content-sha256", payload };
	if (st->s3.session_token != NULL)
		h[n++] = (struct pgl_sigv4_header){ "x-amz-security-token",
		    st->s3.session_token };
	key = (struct pgl_sigv4_key){ st->s3.access_key, st->s3.secret_key,
	    st->s3.region, "s3" };
	q = (struct pgl_sigv4_request){ method, t.host, t.path, t.query, h, n,
	    payload };
	if (pgl_sigv4_authorization(&q, &key, date, auth, sizeof(auth)) ==
	    -1) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "the "
		    "request is too large to sign");
		return;
	}
	h[n++] = (struct pgl_sigv4_header){ "Authorization", auth };
	pgl_reply_json(r, 200, json_pack("{s:s,s:o}", "uri",
	    pgl_json_str(r->body, "uri"), "headers", result_headers(h, n)));
}
