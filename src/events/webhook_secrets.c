/*
 * A subscription's secrets, to and from the store's text: see
 * webhook_secrets.h.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "events/webhook_secrets.h"

#define AAD	"webhook.secrets"

int
pgl_webhook_secrets_text(const struct pgl_webhook_secrets *s,
    const unsigned char *key, char **out)
{
	json_t	*j;
	char	*plain;
	int	 rc;

	*out = NULL;
	if ((j = json_pack("{s:s}", "current", s->current)) == NULL)
		return (-1);
	if (s->previous[0] != '\0' && (json_object_set_new(j, "previous",
	    json_string(s->previous)) == -1 || json_object_set_new(j,
	    "previous_until_ms", json_integer(s->previous_until_ms)) == -1)) {
		json_decref(j);
		return (-1);
	}
	plain = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (plain == NULL)
		return (-1);
	if (key == NULL) {
		*out = plain;
		return (0);
	}
	rc = pgl_seal(key, AAD, plain, out);
	/* The plain text held a secret: do not leave it in freed memory. */
	explicit_bzero(plain, strlen(plain));
	free(plain);
	return (rc);
}

/* One secret field of j into dst; "" when absent and optional. */
static int
take(json_t *j, const char *k, int required, char dst[PGL_WEBHOOK_SECRET_LEN])
{
	const char	*v = json_string_value(json_object_get(j, k));

	dst[0] = '\0';
	if (v == NULL)
		return (required ? -1 : 0);
	if (pgl_webhook_secret_check(v) != NULL ||
	    strlen(v) >= PGL_WEBHOOK_SECRET_LEN)
		return (-1);
	memcpy(dst, v, strlen(v) + 1);
	return (0);
}

int
pgl_webhook_secrets_parse(const char *text, const unsigned char *key,
    struct pgl_webhook_secrets *s, const char **why)
{
	json_t		*j, *until;
	char		*plain = NULL;
	int		 rc = -1;

	memset(s, 0, sizeof(*s));
	if (text == NULL) {
		*why = "no secrets stored";
		return (-1);
	}
	if (pgl_seal_is_sealed(text)) {
		if (key == NULL) {
			*why = "the secrets are sealed and the server has no "
			    "PANGOLIN_ENCRYPTION_KEY";
			return (-1);
		}
		if (pgl_unseal(key, AAD, text, &plain, why) == -1)
			return (-1);
		text = plain;
	} else if (key != NULL) {
		/* Written before the key was set: still readable, as
		 * warehouse secrets stored plain are. */
	}
	if ((j = json_loads(text, 0, NULL)) == NULL || !json_is_object(j))
		*why = "the stored secrets are not a JSON object";
	else if (take(j, "current", 1, s->current) == -1 ||
	    take(j, "previous", 0, s->previous) == -1)
		*why = "a stored secret is malformed";
	else {
		until = json_object_get(j, "previous_until_ms");
		s->previous_until_ms = json_is_integer(until) ?
		    (int64_t)json_integer_value(until) : 0;
		rc = 0;
	}
	json_decref(j);
	if (plain != NULL) {
		explicit_bzero(plain, strlen(plain));
		free(plain);
	}
	if (rc == -1)
		memset(s, 0, sizeof(*s));
	else
		*why = NULL;
	return (rc);
}

size_t
pgl_webhook_secrets_live(const struct pgl_webhook_secrets *s,
    int64_t now_ms, const char *v[2])
{
	v[0] = s->current;
	if (s->previous[0] != '\0' && now_ms < s->previous_until_ms) {
		v[1] = s->previous;
		return (2);
	}
	return (1);
}

int
pgl_webhook_secrets_rotate(struct pgl_webhook_secrets *s, int64_t now_ms,
    int64_t overlap_ms)
{
	char	fresh[PGL_WEBHOOK_SECRET_LEN];

	if (pgl_webhook_secret_new(fresh) == -1)
		return (-1);
	if (overlap_ms > 0) {
		memcpy(s->previous, s->current, sizeof(s->previous));
		s->previous_until_ms = now_ms + overlap_ms;
	} else {
		s->previous[0] = '\0';
		s->previous_until_ms = 0;
	}
	memcpy(s->current, fresh, sizeof(s->current));
	explicit_bzero(fresh, sizeof(fresh));
	return (0);
}
