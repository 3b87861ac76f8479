/*
 * Secrets at rest: AES-256-GCM with a 32-byte key from
 * PANGOLIN_ENCRYPTION_KEY.  A sealed value is text, so it can sit in a
 * JSON string in any store:
 *
 *	"enc:v1:" base64(nonce[12] || ciphertext || tag[16])
 *
 * The nonce is random per value (96 bits: a collision needs ~2^48 seals
 * under one key, far past what a catalog's warehouse secrets ever reach).
 * The caller's aad (the storage_config key, e.g. "s3.secret-access-key")
 * is authenticated, so a value moved to another field does not open.
 */
#ifndef PGL_SEAL_H
#define PGL_SEAL_H

#include <stddef.h>

#define PGL_SEAL_KEY_LEN	32
#define PGL_SEAL_PREFIX		"enc:v1:"

/*
 * Parse a base64 key (44 characters with its one '=' of padding) into
 * key.  Returns NULL, or the reason it is refused: not base64, not 32
 * bytes, or one byte repeated (all zeros and the like).
 */
const char	*pgl_seal_key_parse(const char *b64,
		    unsigned char key[PGL_SEAL_KEY_LEN]);

/* 1 if text carries the sealed prefix. */
int		 pgl_seal_is_sealed(const char *text);

/* Seal plain; *out is malloc'd text.  Returns 0, or -1 (out of memory,
 * or the RNG failed). */
int		 pgl_seal(const unsigned char key[PGL_SEAL_KEY_LEN],
		    const char *aad, const char *plain, char **out);

/*
 * Open a sealed value into a malloc'd string.  Returns 0 with *why NULL,
 * or -1 with *why set: not sealed, malformed, or it does not authenticate
 * (wrong key, another field's value, or tampered).
 */
int		 pgl_unseal(const unsigned char key[PGL_SEAL_KEY_LEN],
		    const char *aad, const char *sealed, char **out,
		    const char **why);

#endif
