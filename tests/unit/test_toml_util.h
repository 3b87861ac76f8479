/*
 * Shared by test_toml.c and test_toml_rejects.c: parsing that must
 * succeed or fail (with the line, key and reason of the error), typed
 * lookups, and inputs built to a size.  Static inline: a file that does
 * not use one is not warned of it.
 */
#ifndef TEST_TOML_UTIL_H
#define TEST_TOML_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/toml.h"

static inline struct toml_value *
parse_ok_n(const char *src, size_t len)
{
	struct toml_error	 err;
	struct toml_value	*root;

	if ((root = toml_parse(src, len, &err)) == NULL)
		fail_msg("rejected at line %d key '%s': %s\n--\n%.*s",
		    err.line, err.key, err.reason, (int)len, src);

	return (root);
}

static inline struct toml_value *
parse_ok(const char *src)
{
	return (parse_ok_n(src, strlen(src)));
}

/* Rejects src at line with key (NULL: any) and a reason holding why. */
static inline void
rejects_n(const char *src, size_t len, int line, const char *key,
    const char *why)
{
	struct toml_error	 err;
	struct toml_value	*root;

	if ((root = toml_parse(src, len, &err)) != NULL) {
		toml_free(root);
		fail_msg("accepted:\n%.*s", (int)len, src);
	}
	if (err.line != line || (key != NULL && strcmp(err.key, key) != 0) ||
	    strstr(err.reason, why) == NULL)
		fail_msg("got line %d key '%s' reason '%s'; want line %d "
		    "key '%s' reason containing '%s'\n--\n%.*s", err.line,
		    err.key, err.reason, line, key ? key : "*", why,
		    (int)len, src);
}

static inline void
rejects(const char *src, int line, const char *key, const char *why)
{
	rejects_n(src, strlen(src), line, key, why);
}

static inline int64_t
int_at(const struct toml_value *root, const char *path)
{
	int64_t		v;

	if (toml_int(toml_get_path(root, path), &v) == -1)
		fail_msg("%s is not an integer", path);

	return (v);
}

static inline const char *
str_at(const struct toml_value *root, const char *path)
{
	const char	*s;

	if ((s = toml_str(toml_get_path(root, path))) == NULL)
		fail_msg("%s is not a string", path);

	return (s);
}

/* "[[[...]]]" or "{a={a=...}}" nested n deep, as "x = ...". */
static inline char *
nested(int n, int arrays)
{
	char	*s;
	int	 i, o = 0;

	s = malloc(8 + n * 4 + 1);
	assert_non_null(s);
	o += sprintf(s, "x = ");
	for (i = 0; i < n; i++)
		o += sprintf(s + o, "%s", arrays ? "[" : "{a=");
	o += sprintf(s + o, "1");
	for (i = 0; i < n; i++)
		o += sprintf(s + o, "%s", arrays ? "]" : "}");

	return (s);
}

/* "a.a.a...= 1" (or "[a.a...]" for headers) with n parts. */
static inline char *
long_key(int n, int header)
{
	char	*s;
	int	 i, o = 0;

	s = malloc(n * 2 + 16);
	assert_non_null(s);
	if (header)
		s[o++] = '[';
	for (i = 0; i < n; i++)
		o += sprintf(s + o, "%sa", i ? "." : "");
	sprintf(s + o, "%s", header ? "]\n" : " = 1\n");

	return (s);
}

#endif
