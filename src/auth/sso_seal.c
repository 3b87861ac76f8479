#include <string.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "auth/sso_seal.h"
#include "util/seal.h"

static const struct {
	const char	*aad;
	int		 secs;
} kinds[] = {
	[PGL_SSO_FLOW] = { "sso-flow", 600 },
	[PGL_SSO_CODE] = { "sso-code", 120 },
};

int
pgl_sso_lifetime(enum pgl_sso_kind k)
{
	return (kinds[k].secs);
}

/* The sealing key: SHA-256 of a label and the session secret. */
static int
sso_key(const char *secret, unsigned char key[PGL_SEAL_KEY_LEN])
{
	unsigned int	 len = 0;
	EVP_MD_CTX	*c;
	int		 ok;

	if (secret == NULL || (c = EVP_MD_CTX_new()) == NULL)
		return (-1);
	ok = EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, "pangolin sso\n", 13) == 1 &&
	    EVP_DigestUpdate(c, secret, strlen(secret)) == 1 &&
	    EVP_DigestFinal_ex(c, key, &len) == 1 && len == PGL_SEAL_KEY_LEN;
	EVP_MD_CTX_free(c);
	return (ok ? 0 : -1);
}

char *
pgl_sso_seal(enum pgl_sso_kind k, const char *secret, json_t *j, int64_t now)
{
	unsigned char	 key[PGL_SEAL_KEY_LEN];
	char		*text = NULL, *sealed = NULL;

	if (j != NULL && json_object_set_new(j, "e",
	    json_integer((json_int_t)(now + kinds[k].secs))) == 0)
		text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (text != NULL && sso_key(secret, key) == 0 &&
	    pgl_seal(key, kinds[k].aad, text, &sealed) == -1)
		sealed = NULL;
	explicit_bzero(key, sizeof(key));
	free(text);
	return (sealed);
}

json_t *
pgl_sso_open(enum pgl_sso_kind k, const char *secret, const char *text,
    int64_t now)
{
	unsigned char	 key[PGL_SEAL_KEY_LEN];
	const char	*why;
	char		*plain = NULL;
	json_t		*j = NULL;

	if (text != NULL && sso_key(secret, key) == 0 &&
	    pgl_unseal(key, kinds[k].aad, text, &plain, &why) == 0)
		j = json_loads(plain, 0, NULL);
	explicit_bzero(key, sizeof(key));
	free(plain);
	if (j != NULL && (!json_is_object(j) ||
	    !json_is_integer(json_object_get(j, "e")) ||
	    json_integer_value(json_object_get(j, "e")) < now)) {
		json_decref(j);
		j = NULL;
	}
	return (j);
}
