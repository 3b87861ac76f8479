/*
 * POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign: remote
 * signing.  A client that was told `s3.remote-signing-enabled` sends each
 * S3 request it is about to make; the catalog signs it with the
 * warehouse's keys (which never leave the server) after checking that it
 * touches only this table's objects, in the table's bucket, and that the
 * caller may: reads (GET, HEAD) need what loading the table needs; writes
 * need `update`, deletes `delete`.  This is how S3-compatible stores
 * without STS are served without handing out the warehouse's keys.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/iceberg.h"
#include "app.h"
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

/* The table's own key prefix: "<location key>/". */
static const char *
table_prefix(struct pgl_req *r, const char *location, const char *bucket)
{
	char		 b[256];
	const char	*key;

	if (pgl_s3_split(location, b, sizeof(b), &key) == -1 ||
	    strcmp(b, bucket) != 0)
		return (NULL);
	return (pgl_arena_printf(r->arena, "%s/", key));
}

/* A list request's prefix= value, decoded, or NULL. */
static const char *
list_prefix(struct pgl_req *r, const char *query)
{
	const char	*p = query, *end;

	while (p != NULL && *p != '\0') {
		end = strchr(p, '&');
		if (strncmp(p, "prefix=", 7) == 0)
			return (decoded(r, p + 7, end != NULL ?
			    (size_t)(end - p - 7) : strlen(p + 7)));
		p = end != NULL ? end + 1 : NULL;
	}
	return (NULL);
}

/* 0 if the request stays inside the table; else -1 after a 403. */
static int
inside_table(struct pgl_req *r, const struct pgl_storage *st,
    const struct target *t, const char *location)
{
	const char	*want = table_prefix(r, location, st->s3.bucket);
	const char	*key = t->key;

	if (*key == '\0')	/* the bucket itself: a listing */
		key = list_prefix(r, t->query);
	if (want == NULL || strcmp(t->bucket, st->s3.bucket) != 0 ||
	    !host_ok(&st->s3, t) || key == NULL ||
	    strncmp(key, want, strlen(want)) != 0 ||
	    strstr(key, "/../") != NULL) {
		pgl_reply_ice_error(r, 403, "ForbiddenException", "the request "
		    "must stay inside the table's location %s", location);
		return (-1);
	}
	return (0);
}

/* Reads need the route's read; writes and deletes their own action. */
static int
method_allowed(struct pgl_req *r, const char *method,
    const struct ice_target *it, const char *asset_id)
{
	struct pgl_target	t = { it->catalog.id, it->ns, asset_id, NULL,
				    0 };

	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return (0);
	if (strcmp(method, "DELETE") == 0)
		return (api_require(r, PGL_ACT_DELETE, &t));
	if (strcmp(method, "PUT") == 0 || strcmp(method, "POST") == 0)
		return (api_require(r, PGL_ACT_UPDATE, &t));
	pgl_reply_ice_error(r, 400, "BadRequestException", "method %s is not "
	    "signed (GET, HEAD, PUT, POST, DELETE)", method);
	return (-1);
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
	    ice_find_asset(r, &it, "ICEBERG_TABLE", &a) == -1)
		return;
	if (api_storage(r, &it.catalog, &st, &err) != PGL_OK) {
		ice_reply_file_error(r, &err);
		return;
	}
	if (!st->is_s3) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "table "
		    "files are on local disk: nothing to sign");
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
	if (inside_table(r, st, &t, a.location) == -1 ||
	    method_allowed(r, method, &it, a.id) == -1)
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
