#include <stdio.h>
#include <string.h>

#include <argon2.h>
#include <openssl/rand.h>

#include "auth/hash.h"

/*
 * OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.  A login costs a
 * worker about 20-30 ms here (2 vCPU, measured by test_auth), which
 * bounds the damage of a burst of logins together with the rate limit.
 */
#define T_COST		2
#define M_COST		19456
#define LANES		1
#define SALT_LEN	16
#define HASH_LEN	32

/* What verify accepts from a stored string: at most 4x the cost above. */
#define M_COST_MAX	(4 * M_COST)
#define T_COST_MAX	(4 * T_COST)
#define LANES_MAX	4

int
pgl_password_hash(const char *pw, char out[PGL_HASH_LEN])
{
	unsigned char	salt[SALT_LEN];

	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return (-1);
	if (argon2id_hash_encoded(T_COST, M_COST, LANES, pw, strlen(pw), salt,
	    sizeof(salt), HASH_LEN, out, PGL_HASH_LEN) != ARGON2_OK)
		return (-1);
	return (0);
}

/* The parameters of an encoded string, refused when out of bounds. */
static int
params_ok(const char *encoded)
{
	unsigned int	v, m, t, p;
	int		n = 0;

	if (sscanf(encoded, "$argon2id$v=%u$m=%u,t=%u,p=%u$%n", &v, &m, &t,
	    &p, &n) != 4 || n == 0)
		return (0);
	return (v == ARGON2_VERSION_13 && m >= 8 && m <= M_COST_MAX &&
	    t >= 1 && t <= T_COST_MAX && p >= 1 && p <= LANES_MAX);
}

int
pgl_password_verify(const char *pw, const char *encoded)
{
	if (encoded == NULL || strlen(encoded) >= PGL_HASH_LEN ||
	    !params_ok(encoded))
		return (0);
	/* argon2id_verify compares in constant time. */
	return (argon2id_verify(encoded, pw, strlen(pw)) == ARGON2_OK);
}
