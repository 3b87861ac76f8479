/*
 * Password hashing: argon2id (RFC 9106) in the PHC string format
 * "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>".
 */
#ifndef PGL_HASH_H
#define PGL_HASH_H

#include <stddef.h>

#define PGL_HASH_LEN	128	/* room for the encoded string */

/* Hash pw with a fresh random salt.  Returns 0, or -1 (RNG, memory). */
int	pgl_password_hash(const char *pw, char out[PGL_HASH_LEN]);

/*
 * 1 if pw matches encoded, else 0.  Anything but an argon2id string with
 * bounded parameters is 0, so a planted hash cannot make a login cost
 * gigabytes or minutes.
 */
int	pgl_password_verify(const char *pw, const char *encoded);

#endif
