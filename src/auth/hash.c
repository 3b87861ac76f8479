#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>
#include <openssl/rand.h>

#include "auth/hash.h"

/*
 * argon2id at 7 MiB, 5 passes, 1 lane: one of OWASP's configurations of
 * equal defence (19 MiB and 2 passes is another), the one that costs
 * this server least: a hash is 27 ms of CPU here against 52 ms at 19 MiB
 * (release build, 2 vCPU), most of the difference the page faults of a
 * larger block, fresh at each hash.  With the rate limit it bounds the
 * damage of a burst of logins.
 */
#define T_COST		5
#define M_COST		7168
#define LANES		1
#define SALT_LEN	16
#define HASH_LEN	32

/*
 * What verify accepts from a stored string: at most 4x the cost of
 * either configuration, so the hashes made at 19 MiB and 2 passes before
 * 2026-11-29 still verify; a change of password hashes it anew.
 */
#define M_COST_MAX	(4 * 19456)
#define T_COST_MAX	(4 * T_COST)
#define LANES_MAX	4

#ifdef PGL_CHECKS
/*
 * The test flavor only: PGL_TEST_ARGON2_CHEAP=1 hashes at argon2's least
 * cost (8 KiB, 1 pass), which verify accepts as it always did.  A CI run
 * made about 2,400 hashes, 65 s of its CPU (perf, the whole make test),
 * in tests that count users and logins, not the defence; the pass that
 * runs the production configuration (postgres, tests/integration/lib/
 * server.js) and the tests of the hash itself keep the costs above.  A
 * release build has no such switch.
 */
static pthread_once_t	cost_once = PTHREAD_ONCE_INIT;
static uint32_t		t_cost = T_COST, m_cost = M_COST;

static void
cost_read(void)
{
	const char	*e = getenv("PGL_TEST_ARGON2_CHEAP");

	if (e != NULL && strcmp(e, "1") == 0) {
		t_cost = 1;
		m_cost = 8;
	}
}
#endif

int
pgl_password_hash(const char *pw, char out[PGL_HASH_LEN])
{
	unsigned char	salt[SALT_LEN];
	uint32_t	t = T_COST, m = M_COST;

#ifdef PGL_CHECKS
	(void)pthread_once(&cost_once, cost_read);
	t = t_cost;
	m = m_cost;
#endif
	if (RAND_bytes(salt, sizeof(salt)) != 1)
		return (-1);
	if (argon2id_hash_encoded(t, m, LANES, pw, strlen(pw), salt,
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
