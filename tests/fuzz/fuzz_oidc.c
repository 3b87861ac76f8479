/*
 * libFuzzer target for identity providers' tokens: the input is read as
 * a JWKS document, as a token checked against a fixed key set, and as
 * the claims of a provider mapped to a caller.  None may crash, leak or
 * accept: no input verifies, since none is signed by the fixed key.
 *
 * sh tests/fuzz/run.sh builds it with src/auth/jwk.c, oidc_token.c and
 * idp_claims.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/idp_claims.h"
#include "auth/jwk.h"
#include "auth/oidc_token.h"

#define CHECK(x)	do { if (!(x)) __builtin_trap(); } while (0)

/* A P-256 key (RFC 7515 appendix A.3's) and an RSA one would do; one is
 * enough for every path but the signature check itself. */
static const char	fixed[] = "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
	"\"kid\":\"k\",\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
	"\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pgl_jwks		 keys;
	static int			 ready;
	struct pgl_oidc_expect		 e = { "https://idp", "pangolin",
					    1800000000, 60, NULL };
	struct pgl_oidc_provider	 p;
	struct pgl_idp_who		 who;
	struct pgl_jwks			 ks;
	json_t				*claims = NULL;
	const char			*why;
	char				*s, buf[160], iss[64], kid[64];

	if (!ready) {
		CHECK(pgl_jwks_parse(fixed, strlen(fixed), &keys, buf,
		    sizeof(buf)) == 0 && keys.n == 1);
		ready = 1;
	}
	if (pgl_jwks_parse((const char *)data, size, &ks, buf,
	    sizeof(buf)) == 0)
		pgl_jwks_free(&ks);
	if ((s = malloc(size + 1)) == NULL)
		return (0);
	memcpy(s, data, size);
	s[size] = '\0';
	(void)pgl_oidc_peek(s, iss, sizeof(iss), kid, sizeof(kid));
	CHECK(pgl_oidc_verify(s, &keys, &e, &claims, &why) != PGL_OIDC_OK);
	CHECK(claims == NULL);
	CHECK(pgl_oidc_verify_cached(s, &keys, &e, &claims, &why) !=
	    PGL_OIDC_OK);
	if ((claims = json_loads(s, 0, NULL)) != NULL) {
		memset(&p, 0, sizeof(p));
		p.name = "fuzz";
		p.groups_claim = "realm.groups";
		(void)pgl_idp_who(&p, claims, &who, buf, sizeof(buf));
		json_decref(claims);
	}
	free(s);
	return (0);
}
