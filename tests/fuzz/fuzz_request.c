/*
 * libFuzzer target for everything a request's bytes reach before a
 * handler: the router and URL decoding (path), the JSON body parser and
 * field checks, name and location validation, the Authorization header
 * (Basic, Bearer session tokens through the JWT verifier), password
 * policy, user names' folding and paging parameters.  None of them may crash, leak or read out of bounds.
 * The body parser (util/json_in.c) must accept what jansson's json_loadb
 * accepts and build the same tree.  A body that parses is also written
 * back (util/json_out.c): json_dumps' very bytes, reading back as the
 * same tree.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/apikey.h"
#include "auth/jwt.h"
#include "auth/password.h"
#include "auth/principal.h"
#include "auth/rbac.h"
#include "config/config.h"
#include "storage/sigv4.h"
#include "http/router.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/json_out.h"
#include "util/location.h"
#include "util/name_fold.h"
#include "util/names.h"
#include "util/paging.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
noop(struct pgl_req *r)
{
	(void)r;
}

static const struct pgl_route routes[] = {
	{ PGL_GET, "/api/v1/catalogs", noop, NULL, 0, NULL },
	{ PGL_GET, "/api/v1/catalogs/{name}", noop, NULL, 0, NULL },
	{ PGL_POST, "/api/v1/branches/merge", noop, NULL, 0, NULL },
	{ PGL_GET, "/api/v1/branches/{name}/commits", noop, NULL, 0, NULL },
	{ PGL_GET, "/v1/{prefix}/namespaces/{ns}/tables/{t}", noop, NULL, 0, NULL },
};

static const struct pgl_jfield fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ "assets", PGL_J_STRLIST, 0 },
	{ "use_sts", PGL_J_BOOL, 0 },
	{ "n", PGL_J_INT, 0 },
	{ NULL, 0, 0 }
};

/* A role's or permission's grant, as stored and as decided on. */
static void
fuzz_grant(const json_t *j)
{
	struct pgl_grant	 g;
	struct pgl_arena	*a;
	struct pgl_target	 t = { "6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70",
				    "a\x1f" "b", "", NULL, 0 };
	const char		*why;

	if ((a = pgl_arena_new()) == NULL)
		return;
	if (pgl_grant_parse(json_object_get(j, "scope"),
	    json_object_get(j, "actions"), a, &g, &why) == 0) {
		(void)pgl_rbac_allows(&g, 1, PGL_ACT_READ, &t);
		(void)pgl_rbac_sees(&g, 1, &t);
		t.ns = "";
		(void)pgl_rbac_sees(&g, 1, &t);
		free(pgl_grants_copy(&g, 1, &(size_t){ 0 }));
	}
	pgl_arena_free(a);
}

/*
 * util/json_out.c writes json_dumps' very bytes (flags of ice_render_metadata and
 * pgl_json_dump), and they read back as the same tree.
 */
static void
fuzz_json_out(const json_t *j, int precision)
{
	char	*want, *got;
	size_t	 len;
	json_t	*back;

	want = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY | JSON_REAL_PRECISION(precision));
	got = pgl_json_out(j, precision, &len);
	if ((want == NULL) != (got == NULL) ||
	    (got != NULL && (strcmp(want, got) != 0 || len != strlen(got))))
		__builtin_trap();
	if (got != NULL && precision == 17) {
		back = json_loadb(got, len, JSON_DECODE_ANY | JSON_ALLOW_NUL,
		    NULL);
		if (back == NULL || !json_equal(back, j))
			__builtin_trap();
		json_decref(back);
	}
	free(want);
	free(got);
}

/* util/json_in.c builds json_loadb's tree, and refuses what it refuses. */
static void
fuzz_json_in(const json_t *got, const uint8_t *data, size_t len)
{
	json_t	*want;
	char	*a, *b;

	/* A NUL byte is refused; jansson skips one after a number or a
	 * literal (util/json_in.c). */
	if (memchr(data, '\0', len) != NULL) {
		if (got != NULL)
			__builtin_trap();
		return;
	}
	want = len == 0 ? NULL : json_loadb((const char *)data, len,
	    JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
	if ((want == NULL) != (got == NULL))
		__builtin_trap();
	if (want == NULL)
		return;
	a = json_dumps(want, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
	b = json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
	if (a == NULL || b == NULL || strcmp(a, b) != 0)
		__builtin_trap();
	free(a);
	free(b);
	json_decref(want);
}

static void
fuzz_json(const uint8_t *data, size_t len)
{
	char		 why[256];
	json_t		*j;

	j = pgl_json_parse(data, len, why, sizeof(why));
	fuzz_json_in(j, data, len);
	if (j == NULL)
		return;
	fuzz_json_out(j, 17);
	fuzz_json_out(j, 6);
	(void)pgl_json_check(j, fields, why, sizeof(why));
	if (pgl_json_str(j, "name") != NULL)
		(void)pgl_name_check(pgl_json_str(j, "name"));
	fuzz_grant(j);
	json_decref(j);
}

/* An X-API-Key value: parsed, and checked against a stored hash. */
static void
fuzz_api_key(const char *s)
{
	char	id[PGL_APIKEY_ID_LEN + 1], secret[PGL_APIKEY_SECRET_LEN + 1];

	if (pgl_apikey_parse(s, id, secret) == 0)
		(void)pgl_apikey_verify(secret, "sha256:"
		    "0000000000000000000000000000000000000000000000000000000000000000");
	(void)pgl_apikey_verify(s, s);
}

/* The Authorization header as given, and as a Basic and a Bearer value. */
static void
fuzz_authorization(const char *s)
{
	static struct pgl_config	 cfg;
	struct pgl_principal		 who;
	struct pgl_jwt_claims		 c;
	char				 tenant[PGL_UUID_LEN + 1], *h;
	const char			*why;
	size_t				 len = strlen(s);

	cfg.auth.root_user = "root";
	cfg.auth.root_password = "Corr3ct-Horse-Battery";
	cfg.auth.jwt_secret = "fuzz-jwt-secret-0123456789abcdefghij";
	(void)pgl_auth_resolve(&cfg, s, s, &who, tenant, &why);
	(void)pgl_jwt_verify(cfg.auth.jwt_secret, s, 1800000000, &c, &why);
	(void)pgl_password_is_weak(s);
	fuzz_api_key(s);
	if ((h = malloc(len + 8)) == NULL)
		return;
	memcpy(h, "Bearer ", 7);
	memcpy(h + 7, s, len + 1);
	(void)pgl_auth_resolve(&cfg, h, NULL, &who, tenant, &why);
	memcpy(h, "Basic  ", 7);
	(void)pgl_auth_resolve(&cfg, h, NULL, &who, tenant, &why);
	free(h);
}

/* A remote-signing request's query, path and a header, as sent. */
static void
fuzz_sigv4(const char *s)
{
	const struct pgl_sigv4_header	h[] = { { "x-amz-meta-f", s },
					    { s, "v" } };
	const struct pgl_sigv4_key	k = { "AK", "SK", "us-east-1", "s3" };
	struct pgl_sigv4_request	q = { "GET", "h", s, s, h, 2,
					    "UNSIGNED-PAYLOAD" };
	char				out[1024];

	(void)pgl_sigv4_authorization(&q, &k, "20260101T000000Z", out,
	    sizeof(out));
}

static void
fuzz_text(const char *s)
{
	struct pgl_match	 m;
	struct pgl_page		 pg;
	char			 out[256], key[64], *copy;

	(void)pgl_router_match(routes, sizeof(routes) / sizeof(routes[0]),
	    PGL_GET, s, &m);
	(void)pgl_name_check(s);
	(void)pgl_name_key(s, key, sizeof(key));
	(void)pgl_name_lookalike(s, key, sizeof(key));
	(void)pgl_location_check(s);
	(void)pgl_location_within(s, "/data/warehouse");
	(void)pgl_base64_decode(s, out, sizeof(out));
	(void)pgl_paging_parse(s, NULL, NULL, NULL, &pg);
	(void)pgl_paging_parse(NULL, NULL, s, s, &pg);
	if ((copy = strdup(s)) != NULL) {
		(void)pgl_url_decode(copy);
		free(copy);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char	*s;

	fuzz_json(data, len);
	if ((s = malloc(len + 1)) == NULL)
		return (0);
	memcpy(s, data, len);
	s[len] = '\0';
	fuzz_text(s);
	fuzz_authorization(s);
	fuzz_sigv4(s);
	free(s);
	return (0);
}
