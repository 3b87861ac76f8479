/*
 * The secret-key rule (secret_key.h), moved here from the warehouse and
 * federation rooms of src/api so that the events room (below api) can
 * judge set-properties keys by the same rule (issue 43).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util/secret_key.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Substrings of the §2.2 names; /v1/config hides the same ones. */
static const char *const storage_marks[] = {
	"secret", "access-key", "access_key", "password", "token",
	"credential", "private", "sas", "account-key", "account_key",
	"external_id", "service_account_json", "api_key", "api-key"
};

/*
 * Marks of the normalised key (letters and digits, lower case).  A
 * connection string holds its credential inside the value (Azure's
 * "...;AccountKey=...", a database's password), so its key is a secret
 * whatever it is called around it: adls.connection-string.<account>
 * (Iceberg's ADLS FileIO), connectionString (issue 67).
 */
static const char *const marks[] = {
	"token", "secret", "password", "passwd", "pwd", "credential",
	"auth", "key", "signing", "private", "cookie", "bearer",
	"connectionstring", "sharedaccesssignature"
};

/*
 * Keys Pangolin itself reads whose value is checked to hold no secret:
 * a federated catalog's token endpoint is a URL without credentials,
 * query or fragment (api/federation/conf.c), and a mask sent back for
 * it would fail that check.
 */
static const char *const plain_keys[] = { "oauth2-server-uri" };

/*
 * Azure warehouse settings whose names hold the mark "sas" but whose
 * values are no secret: whether and how long SAS tokens are vended
 * (api/manage/warehouse_azure.c checks them as plain text).
 */
static const char *const storage_plain[] = { "vend_container_sas",
	"sas_lifetime_secs" };

int
pgl_secret_key_storage(const char *k)
{
	size_t	i;

	for (i = 0; i < NITEMS(storage_plain); i++) {
		if (strcmp(k, storage_plain[i]) == 0)
			return (0);
	}
	for (i = 0; i < NITEMS(storage_marks); i++) {
		if (strcasestr(k, storage_marks[i]) != NULL)
			return (1);
	}
	return (0);
}

/* k's letters and digits, lower case, malloc'd; NULL: out of memory. */
static char *
normalise(const char *k)
{
	char	*out;
	size_t	 n = 0;

	if ((out = malloc(strlen(k) + 1)) == NULL)
		return (NULL);
	for (; *k != '\0'; k++) {
		if (isalnum((unsigned char)*k))
			out[n++] = (char)tolower((unsigned char)*k);
	}
	out[n] = '\0';
	return (out);
}

int
pgl_secret_key(const char *k)
{
	char	*norm;
	size_t	 i;
	int	 found = 0;

	for (i = 0; i < NITEMS(plain_keys); i++) {
		if (strcmp(k, plain_keys[i]) == 0)
			return (0);
	}
	if (pgl_secret_key_storage(k))
		return (1);
	/* Out of memory: a secret, for the answer errs on the safe side. */
	if ((norm = normalise(k)) == NULL)
		return (1);
	for (i = 0; i < NITEMS(marks) && !found; i++)
		found = strstr(norm, marks[i]) != NULL;
	free(norm);
	return (found);
}
