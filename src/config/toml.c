/*
 * A small TOML reader (toml.h): the tree toml_parse() returns
 * (toml_parse.c, over the lexer of toml_lex.c), immutable once parsed,
 * read by lookups and typed access, freed whole.  Every container is at
 * most TOML_MAX_DEPTH deep, so the recursion of toml_free() is bounded.
 */
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"
#include "config/toml_tree.h"
void
toml_free(struct toml_value *v)
{
	size_t		i;

	if (v == NULL)
		return;
	for (i = 0; i < v->count; i++) {
		free(v->items[i].key);
		toml_free(v->items[i].val);
	}
	free(v->items);
	free(v->str);
	free(v);
}

static struct toml_value *
find_n(const struct toml_value *t, const char *key, size_t len)
{
	size_t		i;

	if (t == NULL || t->type != TOML_TABLE)
		return (NULL);
	for (i = 0; i < t->count; i++) {
		if (strncmp(t->items[i].key, key, len) == 0 &&
		    t->items[i].key[len] == '\0')
			return (t->items[i].val);
	}

	return (NULL);
}

struct toml_value *
toml_find(const struct toml_value *t, const char *key)
{
	return (find_n(t, key, strlen(key)));
}

enum toml_type
toml_type(const struct toml_value *v)
{
	return (v->type);
}

const char *
toml_type_name(enum toml_type type)
{
	static const char	*names[] = {
		"string", "integer", "boolean", "array", "table"
	};

	if ((unsigned int)type >= sizeof(names) / sizeof(names[0]))
		return ("unknown");

	return (names[type]);
}

int
toml_line(const struct toml_value *v)
{
	return (v != NULL ? v->line : 0);
}

const struct toml_value *
toml_get(const struct toml_value *t, const char *key)
{
	if (key == NULL)
		return (NULL);

	return (toml_find(t, key));
}

const struct toml_value *
toml_get_path(const struct toml_value *t, const char *dotted)
{
	const char	*dot;

	if (dotted == NULL)
		return (NULL);
	for (;;) {
		dot = strchr(dotted, '.');
		if (dot == NULL)
			return (toml_find(t, dotted));
		if ((t = find_n(t, dotted, dot - dotted)) == NULL)
			return (NULL);
		dotted = dot + 1;
	}
}

size_t
toml_count(const struct toml_value *v)
{
	if (v == NULL || (v->type != TOML_TABLE && v->type != TOML_ARRAY))
		return (0);

	return (v->count);
}

const char *
toml_key_at(const struct toml_value *t, size_t i)
{
	if (t == NULL || t->type != TOML_TABLE || i >= t->count)
		return (NULL);

	return (t->items[i].key);
}

const struct toml_value *
toml_value_at(const struct toml_value *v, size_t i)
{
	if (v == NULL || (v->type != TOML_TABLE && v->type != TOML_ARRAY) ||
	    i >= v->count)
		return (NULL);

	return (v->items[i].val);
}

const char *
toml_str(const struct toml_value *v)
{
	if (v == NULL || v->type != TOML_STRING)
		return (NULL);

	return (v->str);
}

int
toml_int(const struct toml_value *v, int64_t *out)
{
	if (v == NULL || v->type != TOML_INT)
		return (-1);
	*out = v->num;

	return (0);
}

int
toml_bool(const struct toml_value *v, int *out)
{
	if (v == NULL || v->type != TOML_BOOL)
		return (-1);
	*out = (int)v->num;

	return (0);
}
