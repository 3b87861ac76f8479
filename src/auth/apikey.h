/*
 * API keys of service users: "pgl_<key id>_<secret>", a 16-hex-digit key
 * id (looked up in the store) and a 64-hex-digit secret of 256 random
 * bits.  The key is shown once; the store keeps "sha256:" + hex of the
 * secret's SHA-256.
 */
#ifndef PGL_APIKEY_H
#define PGL_APIKEY_H

#define PGL_APIKEY_ID_LEN	16
#define PGL_APIKEY_SECRET_LEN	64
#define PGL_APIKEY_LEN		(4 + PGL_APIKEY_ID_LEN + 1 + \
				    PGL_APIKEY_SECRET_LEN)
#define PGL_APIKEY_HASH_LEN	(7 + 64)

/* A new key, its id and the hash to store.  Returns 0 or -1 (RNG). */
int	pgl_apikey_mint(char key[PGL_APIKEY_LEN + 1],
	    char key_id[PGL_APIKEY_ID_LEN + 1],
	    char hash[PGL_APIKEY_HASH_LEN + 1]);

/* Split a presented key; -1 unless it is exactly of the minted form. */
int	pgl_apikey_parse(const char *key, char key_id[PGL_APIKEY_ID_LEN + 1],
	    char secret[PGL_APIKEY_SECRET_LEN + 1]);

/* 1 if secret hashes to stored (constant-time compare), else 0. */
int	pgl_apikey_verify(const char *secret, const char *stored);

#endif
