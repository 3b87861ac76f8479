/*
 * The auth settings of a loaded config, checked where the rules about
 * secrets live (§10): no default secrets, no weak ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/jwt.h"
#include "auth/password.h"
#include "auth/principal.h"

static void
refuse(struct pgl_config_error *err, const char *key, const char *why)
{
	err->line = 0;
	(void)snprintf(err->key, sizeof(err->key), "%s", key);
	(void)snprintf(err->reason, sizeof(err->reason), "%s", why);
}

/*
 * With auth on, the secret is required and must be strong.  No-auth
 * evaluation mode may leave it unset: a random one is made here, in the
 * parent, so every worker signs and checks with the same bytes, and
 * sessions end with the process.
 */
static int
jwt_secret(struct pgl_config *c, struct pgl_config_error *err)
{
	unsigned char	raw[48];
	char		b64[72];
	const char	*why;

	if (c->auth.jwt_secret == NULL && c->auth.no_auth) {
		if (RAND_bytes(raw, sizeof(raw)) != 1) {
			refuse(err, "auth.jwt_secret", "no random bytes");
			return (-1);
		}
		(void)EVP_EncodeBlock((unsigned char *)b64, raw, sizeof(raw));
		if ((c->auth.jwt_secret = strdup(b64)) == NULL) {
			refuse(err, "auth.jwt_secret", "out of memory");
			return (-1);
		}
		return (0);
	}
	if ((why = pgl_jwt_secret_check(c->auth.jwt_secret)) != NULL) {
		refuse(err, "auth.jwt_secret", why);
		return (-1);
	}
	return (0);
}

/*
 * The scrape credential of /metrics sees every tenant's lines there, as
 * root does: as long as the JWT secret, so that guessing it is as hard,
 * and optional (unset: only root sees them).
 */
static int
metrics_token(const struct pgl_config *c, struct pgl_config_error *err)
{
	const char	*t = c->metrics.token;
	size_t		 i, len;

	if (t == NULL)
		return (0);
	if ((len = strlen(t)) < 32) {
		refuse(err, "metrics.token", "[metrics] token "
		    "(PANGOLIN_METRICS_TOKEN) must be at least 32 bytes "
		    "(openssl rand -base64 32)");
		return (-1);
	}
	for (i = 1; i < len && t[i] == t[0]; i++)
		;
	if (i == len) {
		refuse(err, "metrics.token", "refusing a [metrics] token "
		    "(PANGOLIN_METRICS_TOKEN) of one repeated character");
		return (-1);
	}
	return (0);
}

int
pgl_auth_config_check(struct pgl_config *c, struct pgl_config_error *err)
{
	if (metrics_token(c, err) == -1)
		return (-1);
	if ((c->auth.root_user == NULL) != (c->auth.root_password == NULL)) {
		refuse(err, "auth.root_password", "root_user and "
		    "root_password must be set together");
		return (-1);
	}
	if (c->auth.root_password != NULL &&
	    pgl_password_is_weak(c->auth.root_password)) {
		refuse(err, "auth.root_password", "refusing a weak root "
		    "password (use at least 12 characters, not a common one)");
		return (-1);
	}
	return (jwt_secret(c, err));
}
