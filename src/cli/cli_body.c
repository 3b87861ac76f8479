/*
 * Request bodies from the command line: --data JSON as it is, or words
 * key=value (a string) and key:=json (any JSON value), as httpie spells
 * them, so numbers, booleans and maps need no quoting dance.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

/*
 * Sets argv[first..] into obj (a new object when NULL); NULL on a word
 * that is not key=value or a value that is not JSON (obj is freed).
 */
json_t *
cli_words(const struct cli *c, int first, json_t *obj)
{
	json_t	*v;
	char	*eq, key[128];
	int	 i, raw;

	if (obj == NULL && (obj = json_object()) == NULL)
		return (NULL);
	for (i = first; i < c->argc; i++) {
		if ((eq = strchr(c->argv[i], '=')) == NULL ||
		    eq == c->argv[i] || eq - c->argv[i] >= (int)sizeof(key))
			goto bad;
		raw = eq[-1] == ':';
		(void)snprintf(key, sizeof(key), "%.*s",
		    (int)(eq - c->argv[i]) - raw, c->argv[i]);
		if (key[0] == '\0')
			goto bad;
		v = raw ? json_loads(eq + 1, JSON_DECODE_ANY, NULL) :
		    json_string(eq + 1);
		if (v == NULL || json_object_set_new(obj, key, v) == -1)
			goto bad;
	}
	return (obj);
bad:
	fprintf(stderr, "pangolin admin: %s: not key=value or key:=json\n",
	    i < c->argc ? c->argv[i] : "");
	json_decref(obj);
	return (NULL);
}

/* --data wins; else the words from argv[first]. */
json_t *
cli_body(const struct cli *c, int first)
{
	json_t	*j;

	if (c->data == NULL)
		return (cli_words(c, first, NULL));
	if (c->argc > first)
		return (NULL);	/* both: which one was meant? */
	if ((j = json_loads(c->data, JSON_DECODE_ANY, NULL)) == NULL)
		fprintf(stderr, "pangolin admin: --data is not JSON\n");
	return (j);
}
