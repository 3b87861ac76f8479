#include <string.h>

#include "events/event_redact.h"
#include "util/json.h"
#include "util/secret_key.h"

/* 1: the value v of key k is masked (a null stays: it unsets). */
static int
is_secret(const char *k, const json_t *v)
{
	return (pgl_secret_key(k) && !json_is_null(v));
}

/* Mask, in place, the value of every secret key of map (an object). */
static int
mask_map(json_t *map)
{
	const char	*k;
	json_t		*v;

	if (!json_is_object(map))
		return (0);
	json_object_foreach(map, k, v) {
		if (is_secret(k, v) && json_object_set_new(map, k,
		    json_string(PGL_SECRET_MASK)) == -1)
			return (-1);
	}
	return (0);
}

/* 1: map (an object) has a value mask_map would mask. */
static int
has_secret(const json_t *map)
{
	const char	*k;
	json_t		*v;

	if (!json_is_object(map))
		return (0);
	json_object_foreach((json_t *)map, k, v) {
		if (is_secret(k, v))
			return (1);
	}
	return (0);
}

/* The map of update u whose secret keys are masked, or NULL: none. */
static json_t *
secret_map(const json_t *u)
{
	const char	*action = pgl_json_str(u, "action");
	json_t		*key;

	if (action == NULL)
		return (NULL);
	if (strcmp(action, "set-properties") == 0)
		return (json_object_get(u, "updates"));
	/* The wrapped key itself stays: see event_redact.h. */
	if (strcmp(action, "add-encryption-key") == 0 &&
	    json_is_object(key = json_object_get(u, "encryption-key")))
		return (json_object_get(key, "properties"));
	return (NULL);
}

json_t *
pgl_event_redact_updates(const json_t *updates)
{
	json_t	*copy, *u;
	size_t	 i;
	int	 secret = 0;

	if (!json_is_array(updates))
		return (NULL);
	json_array_foreach(updates, i, u)
		secret |= has_secret(secret_map(u));
	/* Most commits set no secret: the same array, not a copy. */
	if (!secret)
		return (json_incref((json_t *)updates));
	if ((copy = json_deep_copy(updates)) == NULL)
		return (NULL);
	json_array_foreach(copy, i, u) {
		if (mask_map(secret_map(u)) == -1) {
			json_decref(copy);
			return (NULL);
		}
	}
	return (copy);
}

json_t *
pgl_event_redact_props(const json_t *props)
{
	json_t	*copy;

	if (!json_is_object(props) || (copy = json_deep_copy(props)) == NULL)
		return (NULL);
	if (mask_map(copy) == -1) {
		json_decref(copy);
		return (NULL);
	}
	return (copy);
}
