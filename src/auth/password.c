/*
 * Password policy for the root password and user passwords: what is too
 * weak to accept at all.  Hashing is src/auth/hash.c (argon2id).
 */
#include <ctype.h>
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

/*
 * Words the most common long passwords are made of ("password1234",
 * "Qwerty123456!"): with the digits and symbols around them taken off,
 * what is left must not be one of these, nor nothing at all.
 */
static const char *const common_bases[] = {
	"password", "passw0rd", "p@ssw0rd", "p@ssword", "qwerty",
	"qwertyuiop", "asdfgh", "asdfghjkl", "zxcvbnm", "letmein", "welcome",
	"iloveyou", "admin", "administrator", "root", "monkey", "dragon",
	"football", "baseball", "sunshine", "princess", "trustno", "abc",
	"abcdef", "abcdefgh", "changeme", "secret", "master", "login",
	"pangolin",
};

/* 1 if s is one character repeated. */
static int
one_char(const char *s)
{
	size_t	i;

	for (i = 1; s[i] != '\0' && s[i] == s[0]; i++)
		;
	return (s[i] == '\0');
}

/* 1 if s without leading/trailing digits and symbols is a common base. */
static int
common_base(const char *s)
{
	char	buf[64];
	size_t	b, e, i;

	for (b = 0; s[b] != '\0' && !isalpha((unsigned char)s[b]); b++)
		;
	for (e = strlen(s); e > b && !isalpha((unsigned char)s[e - 1]); e--)
		;
	if (e == b)
		return (1);		/* digits and symbols only */
	if (e - b >= sizeof(buf))
		return (0);
	for (i = b; i < e; i++)
		buf[i - b] = (char)tolower((unsigned char)s[i]);
	buf[e - b] = '\0';
	for (i = 0; i < sizeof(common_bases) / sizeof(common_bases[0]); i++) {
		if (strcmp(buf, common_bases[i]) == 0)
			return (1);
	}
	return (0);
}

int
pgl_password_is_weak(const char *s)
{
	size_t	i;

	if (strlen(s) < MIN_SECRET_LEN || one_char(s) || common_base(s))
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
