/*
 * The CPU cost of each authentication and authorization step, measured
 * on the functions the server runs (src/auth), each next to the
 * cheapest thing it could be compared with in the same run: a SHA-256 of
 * 64 bytes.  Prints one table; medians of many timed batches.
 *
 *   auth_bench [out.md]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/sha.h>

#include "auth/apikey.h"
#include "auth/hash.h"
#include "auth/jwt.h"
#include "auth/rbac.h"
#include "util/arena.h"

#define SECRET	"bench-jwt-secret-0123456789abcdef-0123456789"
#define CAT	"6f1c1b9e-5f0e-4d7b-9c1a-2b3c4d5e6f70"
#define OTHER	"11111111-2222-4333-8444-555555555555"
#define BATCHES	21

typedef void	(*step_fn)(void *);

static double
now_ns(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec * 1e9 + (double)ts.tv_nsec);
}

static int
cmp(const void *a, const void *b)
{
	double	x = *(const double *)a, y = *(const double *)b;

	return ((x > y) - (x < y));
}

/* Median over BATCHES batches of n calls: ns per call. */
static double
median_ns(step_fn fn, void *arg, int n)
{
	double	t[BATCHES], t0;
	int	b, i;

	fn(arg);	/* warm */
	for (b = 0; b < BATCHES; b++) {
		t0 = now_ns();
		for (i = 0; i < n; i++)
			fn(arg);
		t[b] = (now_ns() - t0) / n;
	}
	qsort(t, BATCHES, sizeof(t[0]), cmp);
	return (t[BATCHES / 2]);
}

static void
sha(void *arg)
{
	unsigned char	md[SHA256_DIGEST_LENGTH];

	SHA256(arg, 64, md);
}

struct rbac {
	struct pgl_arena	*a;
	struct pgl_grant	*g;
	size_t			 n;
	struct pgl_target	 t;
	int			 ok;
};

static void
decide(void *arg)
{
	struct rbac	*r = arg;

	r->ok += pgl_rbac_allows(r->g, r->n, PGL_ACT_READ, &r->t);
}

/* 1,000 grants as stored (JSON), the matching one last. */
static json_t *
thousand_grants(void)
{
	json_t	*arr = json_array();
	char	 ns[32];
	int	 i;

	for (i = 0; i < 999; i++) {
		(void)snprintf(ns, sizeof(ns), "ns%d.sub", i);
		json_array_append_new(arr, json_pack("{s:{s:s,s:s,s:s},s:[s]}",
		    "scope", "type", "namespace", "catalog_id", i % 2 ? CAT :
		    OTHER, "namespace", ns, "actions", "write"));
	}
	json_array_append_new(arr, json_pack("{s:{s:s,s:s},s:[s]}", "scope",
	    "type", "catalog", "catalog_id", CAT, "actions", "read"));
	return (arr);
}

static void
parse_grants(void *arg)
{
	struct rbac	*r = arg;
	const char	*why;
	json_t		*v;
	size_t		 i;

	r->n = 0;
	json_array_foreach((json_t *)r->t.tags, i, v) {
		if (pgl_grant_parse(json_object_get(v, "scope"),
		    json_object_get(v, "actions"), r->a, &r->g[r->n],
		    &why) == 0)
			r->n++;
	}
}

struct jwt {
	char	*token;
	int	 ok;
};

static void
verify_jwt(void *arg)
{
	struct jwt		*j = arg;
	struct pgl_jwt_claims	 c;
	const char		*why;

	j->ok += pgl_jwt_verify(SECRET, j->token, time(NULL), &c, &why) == 0;
}

struct key {
	char	secret[PGL_APIKEY_SECRET_LEN + 1];
	char	hash[PGL_APIKEY_HASH_LEN + 1];
	int	ok;
};

static void
verify_key(void *arg)
{
	struct key	*k = arg;

	k->ok += pgl_apikey_verify(k->secret, k->hash);
}

struct pw {
	char	hash[PGL_HASH_LEN];
	int	ok;
};

static void
verify_pw(void *arg)
{
	struct pw	*p = arg;

	p->ok += pgl_password_verify("Str0ng-Passw0rd-for-bench", p->hash);
}

int
main(int argc, char **argv)
{
	static struct pgl_grant	 grants[1000];
	struct pgl_jwt_claims	 c;
	struct rbac		 r = { NULL, grants, 0, { CAT, "b", "", NULL, 0, 0 },
				    0 };
	struct jwt		 j = { NULL, 0 };
	struct key		 k;
	struct pw		 p;
	unsigned char		 buf[64] = { 0 };
	char			 kid[PGL_APIKEY_ID_LEN + 1], full[PGL_APIKEY_LEN + 1];
	double			 base, v[6];
	json_t			*stored = thousand_grants();
	FILE			*md = argc > 1 ? fopen(argv[1], "w") : NULL;
	const char		*names[6] = {
	    "permission decision, 1,000 grants (match last)",
	    "parse 1,000 stored grants (per request, uncached)",
	    "JWT HS256 verify + claims",
	    "API key verify (SHA-256 of the secret)",
	    "password verify (argon2id m=19 MiB t=2 p=1)",
	    "baseline: SHA-256 of 64 bytes" };
	int			 i;

	base = median_ns(sha, buf, 20000);
	r.t.tags = (const char *const *)stored;	/* parse_grants' input */
	if ((r.a = pgl_arena_new()) == NULL)
		return (1);
	v[1] = median_ns(parse_grants, &r, 20);
	r.t.tags = NULL;
	v[0] = median_ns(decide, &r, 200);
	memset(&c, 0, sizeof(c));
	strcpy(c.sub, OTHER);
	strcpy(c.jti, CAT);
	strcpy(c.username, "bench");
	strcpy(c.tenant_id, OTHER);
	strcpy(c.role, "tenant-user");
	c.iat = time(NULL);
	c.exp = c.iat + 3600;
	if (pgl_jwt_sign(SECRET, &c, &j.token) == -1)
		return (1);
	v[2] = median_ns(verify_jwt, &j, 2000);
	if (pgl_apikey_mint(full, kid, k.hash) == -1 ||
	    pgl_apikey_parse(full, kid, k.secret) == -1)
		return (1);
	v[3] = median_ns(verify_key, &k, 20000);
	if (pgl_password_hash("Str0ng-Passw0rd-for-bench", p.hash) == -1)
		return (1);
	v[4] = median_ns(verify_pw, &p, 1);
	v[5] = base;
	if (r.ok == 0 || j.ok == 0 || k.ok == 0 || p.ok == 0) {
		fprintf(stderr, "auth bench: a step did not succeed\n");
		return (1);
	}
	printf("%-52s %12s %14s\n", "step (one call)", "median", "vs SHA-256");
	for (i = 0; i < 6; i++)
		printf("%-52s %9.2f us %13.0fx\n", names[i], v[i] / 1000,
		    v[i] / base);
	if (md != NULL) {
		fprintf(md, "| step (one call) | median µs | vs SHA-256 of 64 B |\n"
		    "|---|---:|---:|\n");
		for (i = 0; i < 6; i++)
			fprintf(md, "| %s | %.2f | %.0fx |\n", names[i],
			    v[i] / 1000, v[i] / base);
		fclose(md);
	}
	json_decref(stored);
	free(j.token);
	return (0);
}
