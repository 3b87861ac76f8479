/*
 * A small TOML reader; see toml.h for the subset it accepts.  This is
 * its parser, toml_parse(): the document's tables, headers, keys and
 * values, by recursive descent over the lexer's tokens (toml_lex.c),
 * into the tree the accessors read (toml.c, toml_tree.h).
 *
 * The lexer checks the input for valid UTF-8 (and no NUL) up front, so
 * the parser proper only looks at ASCII.  Every read is guarded by
 * p->end, every container is at most TOML_MAX_DEPTH deep, so recursion
 * (parse, free) is bounded.  Quoted section names refer to the TOML
 * 1.0.0 specification.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"
#include "config/toml_lex.h"
#include "config/toml_tree.h"

static int	parse_value(struct parser *, int, struct toml_value **);

/* The error key names the path being parsed, e.g. "cache.options.ttl". */
static size_t
path_push(struct parser *p, const char *part, size_t index, int is_index)
{
	size_t		saved, room;
	int		n;

	saved = p->pathlen;
	room = sizeof(p->path) - saved;
	if (room <= 1)
		return (saved);
	if (is_index)
		n = snprintf(p->path + saved, room, "[%zu]", index);
	else
		n = snprintf(p->path + saved, room, "%s%s",
		    saved > 0 ? "." : "", part);
	if (n < 0)
		n = 0;
	p->pathlen = (size_t)n >= room ? sizeof(p->path) - 1 : saved + n;

	return (saved);
}

static void
path_pop(struct parser *p, size_t saved)
{
	p->pathlen = saved;
	p->path[saved] = '\0';
}

static struct toml_value *
value_new(struct parser *p, enum toml_type type, int depth)
{
	struct toml_value	*v;

	if ((type == TOML_ARRAY || type == TOML_TABLE) &&
	    depth > TOML_MAX_DEPTH) {
		toml_fail(p, "nesting too deep (more than %d levels)",
		    TOML_MAX_DEPTH);
		return (NULL);
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		toml_fail(p, "out of memory");
		return (NULL);
	}
	v->type = type;
	v->line = p->line;
	v->depth = depth;

	return (v);
}

/* Takes ownership of key and val, freeing them on failure. */
static int
add_member(struct parser *p, struct toml_value *c, char *key,
    struct toml_value *val)
{
	struct member	*items;
	size_t		 cap;

	if (c->count == c->cap) {
		cap = c->cap ? c->cap * 2 : 4;
		if (cap > SIZE_MAX / sizeof(*items) ||
		    (items = realloc(c->items, cap * sizeof(*items))) == NULL) {
			free(key);
			toml_free(val);
			return (toml_fail(p, "out of memory"));
		}
		c->items = items;
		c->cap = cap;
	}
	c->items[c->count].key = key;
	c->items[c->count].val = val;
	c->count++;

	return (0);
}

static size_t
path_push_key(struct parser *p, const struct key *k)
{
	size_t		i, saved;

	saved = p->pathlen;
	for (i = 0; i < k->n; i++)
		path_push(p, k->part[i], 0, 0);

	return (saved);
}

/*
 * Booleans, integers and the unsupported types that look like them.
 * The token is everything a number, date or bool could be made of, so
 * "1.5" or "1979-05-27" is rejected whole rather than read as "1".
 */
static int
parse_word(struct parser *p, struct toml_value **out, int depth)
{
	const char	*s = p->p, *e;
	enum toml_type	 type = TOML_INT;
	int64_t		 num = 0;
	int		 len;

	for (e = s; e < p->end && (is_bare((unsigned char)*e) ||
	    *e == '+' || *e == '.' || *e == ':'); e++)
		;
	len = e - s > 40 ? 40 : (int)(e - s);
	if (e - s == 4 && memcmp(s, "true", 4) == 0) {
		type = TOML_BOOL;
		num = 1;
	} else if (e - s == 5 && memcmp(s, "false", 5) == 0)
		type = TOML_BOOL;
	else if (toml_lex_is_float(s, e))
		return (toml_fail(p, "floats are not supported"));
	else if (toml_lex_is_date(s, e))
		return (toml_fail(p, "dates and times are not supported"));
	else if ((*s < '0' || *s > '9') && *s != '+' && *s != '-')
		return (toml_fail(p, "invalid value '%.*s' (strings must be "
		    "quoted)", len, s));
	else if (memchr(s, '.', e - s) != NULL || memchr(s, ':', e - s))
		return (toml_fail(p, "invalid value '%.*s' (strings must be "
		    "quoted)", len, s));
	else if (toml_lex_int(p, s, e, &num) == -1)
		return (-1);
	if ((*out = value_new(p, type, depth)) == NULL)
		return (-1);
	(*out)->num = num;
	p->p = e;

	return (0);
}

static int
parse_array(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value	*a, *v;
	size_t			 saved;
	int			 line = p->line;

	if ((a = value_new(p, TOML_ARRAY, depth)) == NULL)
		return (-1);
	for (p->p++;; ) {
		if (toml_lex_space(p) == -1)
			goto bad;
		if (p->p == p->end) {
			toml_fail(p, "unterminated array (opened on line %d)",
			    line);
			goto bad;
		}
		if (at(p, ']'))
			break;
		saved = path_push(p, NULL, a->count, 1);
		if (parse_value(p, depth + 1, &v) == -1 ||
		    add_member(p, a, NULL, v) == -1)
			goto bad;
		path_pop(p, saved);
		if (toml_lex_space(p) == -1)
			goto bad;
		if (at(p, ']'))
			break;
		if (!at(p, ',')) {
			toml_fail(p, p->p == p->end ? "unterminated array "
			    "(opened on line %d)" : "expected ',' or ']' in "
			    "array (opened on line %d)", line);
			goto bad;
		}
		p->p++;
	}
	p->p++;
	*out = a;
	return (0);
bad:
	toml_free(a);
	return (-1);
}

/*
 * Steps from t into its child table k->part[i], creating it if missing.
 * how says who asks: a [header] naming a parent (T_IMPLICIT) or the
 * table itself (T_HEADER), or a dotted key (T_DOTTED).  Per "Table",
 * a table is defined once, and dotted keys may only extend tables
 * that dotted keys created; inline tables are closed to both.
 */
static struct toml_value *
descend(struct parser *p, struct toml_value *t, struct key *k, size_t i,
    int how)
{
	struct toml_value	*next;
	char			*name = k->part[i];

	if ((next = toml_find(t, name)) == NULL) {
		if ((next = value_new(p, TOML_TABLE, t->depth + 1)) == NULL)
			return (NULL);
		next->flags = how;
		k->part[i] = NULL;
		if (add_member(p, t, name, next) == -1)
			return (NULL);
		return (next);
	}
	/* Through an array of tables, a header means its last table. */
	if (next->type == TOML_ARRAY && (next->flags & T_AOT) &&
	    how == T_IMPLICIT)
		return (next->items[next->count - 1].val);
	if (next->type == TOML_ARRAY && (next->flags & T_AOT))
		toml_fail(p, "'%s' is an array of tables (line %d)", name,
		    next->line);
	else if (next->type != TOML_TABLE)
		toml_fail(p, "'%s' is already a value of type %s (line %d)",
		    name, toml_type_name(next->type), next->line);
	else if (next->flags & T_INLINE)
		toml_fail(p, "inline table '%s' (line %d) cannot be extended",
		    name, next->line);
	else if (how == T_DOTTED && !(next->flags & T_DOTTED))
		toml_fail(p, "table '%s' (line %d) cannot be extended with "
		    "dotted keys", name, next->line);
	else if (how == T_HEADER && (next->flags & T_HEADER))
		toml_fail(p, "table already defined on line %d", next->line);
	else if (how == T_HEADER && (next->flags & T_DOTTED))
		toml_fail(p, "table already defined by dotted keys on line %d",
		    next->line);
	else if (how == T_HEADER) {
		next->flags = T_HEADER;
		next->line = p->line;
	}

	return (p->failed ? NULL : next);
}

/* key = value, inserted below t; the path stays pushed for eol errors. */
static int
parse_keyval(struct parser *p, struct toml_value *t, size_t *saved)
{
	struct toml_value	*v;
	struct key		 k;
	size_t			 i;
	int			 r = -1;

	if (toml_lex_key(p, &k) == -1)
		return (-1);
	*saved = path_push_key(p, &k);
	if (!at(p, '=')) {
		toml_fail(p, "expected '=' after key");
		goto done;
	}
	p->p++;
	skip_ws(p);
	for (i = 0; i + 1 < k.n; i++) {
		if ((t = descend(p, t, &k, i, T_DOTTED)) == NULL)
			goto done;
	}
	if ((v = toml_find(t, k.part[i])) != NULL) {
		toml_fail(p, "duplicate key (first defined on line %d)",
		    v->line);
		goto done;
	}
	if (parse_value(p, t->depth + 1, &v) == -1)
		goto done;
	r = add_member(p, t, k.part[i], v);
	k.part[i] = NULL;
done:
	toml_key_free(&k);
	return (r);
}

/* Section "Inline Table": one line, no trailing comma, closed after. */
static int
parse_inline(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value	*t;
	size_t			 saved;

	if ((t = value_new(p, TOML_TABLE, depth)) == NULL)
		return (-1);
	p->p++;
	skip_ws(p);
	while (!at(p, '}')) {
		if (p->p == p->end) {
			toml_fail(p, "unterminated inline table");
			goto bad;
		}
		if (at(p, '\n') || at(p, '\r') || at(p, '#')) {
			toml_fail(p, "inline tables must be on one line");
			goto bad;
		}
		saved = p->pathlen;
		if (parse_keyval(p, t, &saved) == -1)
			goto bad;
		path_pop(p, saved);
		skip_ws(p);
		if (at(p, ',')) {
			p->p++;
			skip_ws(p);
			if (at(p, '}')) {
				toml_fail(p, "trailing comma in inline table");
				goto bad;
			}
		} else if (!at(p, '}') && p->p < p->end && *p->p != '\n' &&
		    *p->p != '\r' && *p->p != '#') {
			toml_fail(p, "expected ',' or '}' in inline table");
			goto bad;
		}
	}
	p->p++;
	t->flags = T_INLINE;
	*out = t;
	return (0);
bad:
	toml_free(t);
	return (-1);
}

static int
parse_value(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value	*v;
	char			*s = NULL;

	*out = NULL;
	if (p->p == p->end || at(p, '\n') || at(p, '\r') || at(p, '#') ||
	    at(p, ',') || at(p, ']') || at(p, '}'))
		return (toml_fail(p, "expected a value"));
	switch (*p->p) {
	case '"':
	case '\'':
		if ((v = value_new(p, TOML_STRING, depth)) == NULL)
			return (-1);
		if (toml_lex_string(p, &s) == -1) {
			toml_free(v);
			return (-1);
		}
		v->str = s;
		*out = v;
		return (0);
	case '[':
		return (parse_array(p, depth, out));
	case '{':
		return (parse_inline(p, depth, out));
	default:
		if (is_bare((unsigned char)*p->p) || *p->p == '+')
			return (parse_word(p, out, depth));
		if (*p->p > 0x20 && *p->p < 0x7f)
			return (toml_fail(p, "unexpected character '%c'",
			    *p->p));
		return (toml_fail(p, "unexpected byte 0x%02x",
		    (unsigned char)*p->p));
	}
}

/* The array of tables named name in t, made if new; NULL on failure. */
static struct toml_value *
table_array(struct parser *p, struct toml_value *t, struct key *k)
{
	struct toml_value	*a;
	char			*name = k->part[k->n - 1];

	if ((a = toml_find(t, name)) != NULL) {
		if (a->type != TOML_ARRAY || !(a->flags & T_AOT)) {
			toml_fail(p, "'%s' is already %s (line %d)", name,
			    a->type == TOML_ARRAY ? "a static array" :
			    a->type == TOML_TABLE ? "a table" : "a value",
			    a->line);
			return (NULL);
		}
		return (a);
	}
	if ((a = value_new(p, TOML_ARRAY, t->depth + 1)) == NULL)
		return (NULL);
	a->flags = T_AOT;
	k->part[k->n - 1] = NULL;
	if (add_member(p, t, name, a) == -1)
		return (NULL);
	return (a);
}

/* Section "Array of Tables": [[a.b]] appends a table to array b. */
static int
parse_array_header(struct parser *p)
{
	struct toml_value	*t, *elem;
	struct key		 k;
	size_t			 i;

	p->p++;
	if (toml_lex_key(p, &k) == -1)
		return (-1);
	path_push_key(p, &k);
	if (!starts(p, "]]")) {
		toml_key_free(&k);
		return (toml_fail(p, "expected ']]' after array of tables "
		    "name"));
	}
	p->p += 2;
	for (t = p->root, i = 0; t != NULL && i + 1 < k.n; i++)
		t = descend(p, t, &k, i, T_IMPLICIT);
	if (t != NULL)
		t = table_array(p, t, &k);
	toml_key_free(&k);
	if (t == NULL || (elem = value_new(p, TOML_TABLE, t->depth + 1)) ==
	    NULL)
		return (-1);
	elem->flags = T_HEADER;
	if (add_member(p, t, NULL, elem) == -1)
		return (-1);
	p->cur = elem;
	return (toml_lex_eol(p, "array of tables header"));
}

/* Section "Table": [a.b] defines b once; a may be implicit. */
static int
parse_header(struct parser *p)
{
	struct toml_value	*t;
	struct key		 k;
	size_t			 i;

	p->p++;
	path_pop(p, 0);
	if (at(p, '['))
		return (parse_array_header(p));
	if (toml_lex_key(p, &k) == -1)
		return (-1);
	path_push_key(p, &k);
	if (!at(p, ']')) {
		toml_key_free(&k);
		return (toml_fail(p, "expected ']' after table name"));
	}
	p->p++;
	for (t = p->root, i = 0; t != NULL && i < k.n; i++)
		t = descend(p, t, &k, i, i + 1 == k.n ? T_HEADER : T_IMPLICIT);
	toml_key_free(&k);
	if (t == NULL)
		return (-1);
	p->cur = t;

	return (toml_lex_eol(p, "table header"));
}

static int
parse_document(struct parser *p)
{
	size_t		saved;

	/* A UTF-8 byte order mark is not content. */
	if (starts(p, "\xef\xbb\xbf"))
		p->p += 3;
	for (;;) {
		skip_ws(p);
		if (p->p == p->end)
			return (0);
		if (at(p, '[')) {
			if (parse_header(p) == -1)
				return (-1);
		} else if (at(p, '#') || at(p, '\n') || at(p, '\r')) {
			if (toml_lex_eol(p, "comment") == -1)
				return (-1);
		} else {
			saved = p->pathlen;
			if (parse_keyval(p, p->cur, &saved) == -1 ||
			    toml_lex_eol(p, "value") == -1)
				return (-1);
			path_pop(p, saved);
		}
	}
}

struct toml_value *
toml_parse(const char *buf, size_t len, struct toml_error *err)
{
	struct toml_error	 local;
	struct parser		 p;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.line = 1;
	if (buf == NULL && len > 0) {
		toml_fail(&p, "no input");
		return (NULL);
	}
	if (len >= INT_MAX) {
		toml_fail(&p, "input too large");
		return (NULL);
	}
	/* NULL + 0 is undefined behaviour, so an empty input gets "". */
	p.p = buf != NULL ? buf : "";
	p.end = p.p + len;
	if (toml_lex_utf8(&p) == -1)
		return (NULL);
	if ((p.root = value_new(&p, TOML_TABLE, 0)) == NULL)
		return (NULL);
	p.root->flags = T_HEADER;
	p.cur = p.root;
	if (parse_document(&p) == -1) {
		toml_free(p.root);
		return (NULL);
	}

	return (p.root);
}
