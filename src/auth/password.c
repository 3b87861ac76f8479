/*
 * Password policy for secrets the operator configures (root password).
 * Stored user passwords are hashed with argon2 by the auth issue; this
 * file only decides what is too weak to accept at all.
 */
#include <string.h>
#include <strings.h>

#include "auth/password.h"

#define MIN_SECRET_LEN	12

/* The upstream list of values that are always rejected (pangolin-api §10). */
static const char *const weak[] = {
	"default_secret_for_dev", "change-me-please", "change-me", "changeme",
	"password", "password123", "secret", "test_secret", "your-secret-key",
	"supersecret", "admin", "adminadmin", "123456789012", "passwordpassword",
};

int
pgl_password_is_weak(const char *s)
{
	size_t	i;

	if (strlen(s) < MIN_SECRET_LEN)
		return (1);
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		if (strcasecmp(s, weak[i]) == 0)
			return (1);
	}
	return (0);
}

int
pgl_secret_equal(const char *a, const char *b)
{
	size_t			la = strlen(a), lb = strlen(b), i;
	unsigned char		diff = la != lb;

	/* Walk the expected secret's length whatever the input is. */
	for (i = 0; i < lb; i++)
		diff |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
	return (diff == 0);
}
