/*
 * The text index's pieces shared by the MongoDB plugin's files
 * (mongo_search.c says what the index is): the search fields a main
 * branch's asset document carries, trigrams, literal regular
 * expressions, JSON arrays from the host, and the business metadata
 * subdocument (mongo_governance.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mongo_store.h"

#define MAX_GRAMS	8192

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/* The byte length of the UTF-8 sequence that starts with c (1 if bad). */
static size_t
seq_len(unsigned char c)
{
	if (c >= 0xf0)
		return (4);
	if (c >= 0xe0)
		return (3);
	if (c >= 0xc0)
		return (2);
	return (1);
}

/* s with ASCII letters lowered (malloc'd). */
char *
mongo_lowered(const char *s)
{
	char	*out;
	size_t	 i;

	if ((out = strdup(s)) == NULL)
		return (NULL);
	for (i = 0; out[i] != '\0'; i++) {
		if ((unsigned char)out[i] < 0x80)
			out[i] = (char)tolower((unsigned char)out[i]);
	}
	return (out);
}

/*
 * Appends key: the distinct trigrams (three characters) of text, already
 * lowered.  Returns the number appended, or -1 when out of memory.
 */
int
mongo_append_grams(bson_t *b, const char *key, const char *text)
{
	char		**grams, buf[16];
	const char	*k;
	size_t		 starts[4], n = 0, i, j, len = strlen(text), l;
	bson_t		 arr;
	int		 out = 0;

	if ((grams = calloc(MAX_GRAMS, sizeof(*grams))) == NULL)
		return (-1);
	for (i = 0; i < len && n < MAX_GRAMS; i += seq_len(text[i])) {
		starts[0] = i;
		for (j = 1; j < 4; j++)
			starts[j] = starts[j - 1] >= len ? len :
			    starts[j - 1] + seq_len(text[starts[j - 1]]);
		if (starts[3] > len || starts[2] >= len)
			break;
		l = starts[3] - i;
		if ((grams[n] = strndup(text + i, l)) == NULL)
			break;
		n++;
	}
	qsort(grams, n, sizeof(*grams), cmp_str);
	BSON_APPEND_ARRAY_BEGIN(b, key, &arr);
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(grams[i], grams[i - 1]) == 0)
			continue;
		(void)bson_uint32_to_string((uint32_t)out++, &k, buf,
		    sizeof(buf));
		BSON_APPEND_UTF8(&arr, k, grams[i]);
	}
	bson_append_array_end(b, &arr);
	for (i = 0; i < n; i++)
		free(grams[i]);
	free(grams);
	return (out);
}

int
mongo_search_fields(bson_t *set, const char *name, const char *description)
{
	size_t	 len = strlen(name) + 2 + (description != NULL ?
		    strlen(description) : 0);
	char	*text, *low;
	int	 rc = PGL_OK;

	if ((text = malloc(len)) == NULL)
		return (PGL_ENOMEM);
	(void)snprintf(text, len, "%s%s%s", name, description != NULL ?
	    "\n" : "", description != NULL ? description : "");
	if ((low = mongo_lowered(text)) == NULL)
		rc = PGL_ENOMEM;
	else {
		BSON_APPEND_UTF8(set, "stext", low);
		if (mongo_append_grams(set, "grams", low) == -1)
			rc = PGL_ENOMEM;
	}
	free(low);
	free(text);
	return (rc);
}

/* A regular expression matching s literally (malloc'd); '.' also
 * matches the namespace separator when dots is set. */
char *
mongo_regex_quote(const char *s, int dots)
{
	char	*out;
	size_t	 n = 0;

	if ((out = malloc(strlen(s) * 6 + 1)) == NULL)
		return (NULL);
	for (; *s != '\0'; s++) {
		if (dots && *s == '.') {
			memcpy(out + n, "[.\x1f]", 5);
			n += 5;
			continue;
		}
		if (strchr("\\^$.|?*+()[]{}", *s) != NULL)
			out[n++] = '\\';
		out[n++] = *s;
	}
	out[n] = '\0';
	return (out);
}

/*
 * A JSON array of strings (text from the host) parsed for a query; *doc
 * holds it ({"n": [...]}) and *arr iterates it.  NULL json: no array.
 */
int
mongo_json_array(const char *json, bson_t **doc, bson_iter_t *arr,
    struct pgl_err *err)
{
	bson_error_t	e;
	bson_iter_t	it;
	char		*wrapped;
	size_t		 len;

	*doc = NULL;
	if (json == NULL)
		return (PGL_OK);
	len = strlen(json) + 8;
	if ((wrapped = malloc(len)) == NULL)
		return (mongo_err(err, PGL_ENOMEM, "out of memory"));
	(void)snprintf(wrapped, len, "{\"n\":%s}", json);
	*doc = bson_new_from_json((const uint8_t *)wrapped, -1, &e);
	free(wrapped);
	if (*doc == NULL || bson_count_keys(*doc) != 1 ||
	    !bson_iter_init_find(&it, *doc, "n") ||
	    !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, arr)) {
		if (*doc != NULL)
			bson_destroy(*doc);
		*doc = NULL;
		return (mongo_err(err, PGL_EINVAL, "not a JSON array: %.80s",
		    json));
	}
	return (PGL_OK);
}

/* Characters, not bytes: grams are three characters. */
size_t
mongo_utf8_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

/* The business metadata subdocument of an asset document, or 0. */
int
mongo_bm_doc(struct doc *d, bson_t *sub, struct doc *out)
{
	bson_iter_t	 it;
	const uint8_t	*data;
	uint32_t	 len;

	if (!bson_iter_init_find(&it, d->b, "bm") ||
	    !BSON_ITER_HOLDS_DOCUMENT(&it))
		return (0);
	bson_iter_document(&it, &len, &data);
	if (!bson_init_static(sub, data, len))
		return (0);
	*out = *d;
	out->b = sub;
	return (1);
}

