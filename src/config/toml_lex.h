/*
 * What the TOML reader's parser (toml_parse.c) and lexer (toml_lex.c) share:
 * the parser's state, a key as written, the byte primitives (inline) and
 * the lexer's tokens.  Private to src/config.
 */
#ifndef PGL_CONFIG_TOML_LEX_H
#define PGL_CONFIG_TOML_LEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config/toml_types.h"

struct parser {
	const char		*p;
	const char		*end;
	int			line;
	int			failed;
	struct toml_error	*err;
	struct toml_value	*root;
	struct toml_value	*cur;	/* table of the current [section] */
	char			path[sizeof(((struct toml_error *)0)->key)];
	size_t			pathlen;
};

/* A key as written: up to one table per level, plus the final value. */
struct key {
	char			*part[TOML_MAX_DEPTH + 1];
	size_t			n;
};

/* The first error, with the line and p->path; always -1. */
int	toml_fail(struct parser *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

static inline int
is_bare(unsigned char c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-');
}

static inline int
at(struct parser *p, char c)
{
	return (p->p < p->end && *p->p == c);
}

static inline int
starts(struct parser *p, const char *s)
{
	size_t		len = strlen(s);

	return ((size_t)(p->end - p->p) >= len && memcmp(p->p, s, len) == 0);
}

static inline void
skip_ws(struct parser *p)
{
	while (p->p < p->end && (*p->p == ' ' || *p->p == '\t'))
		p->p++;
}

/* Whitespace, comments and newlines, as allowed inside arrays. */
int	toml_lex_space(struct parser *);
/* Nothing but a comment to the end of the line; after names the thing. */
int	toml_lex_eol(struct parser *, const char *after);
/* Section "Spec": the whole input valid UTF-8, no NUL. */
int	toml_lex_utf8(struct parser *);
/* Single-line basic ("...") or literal ('...') string; p->p at quote. */
int	toml_lex_string(struct parser *, char **out);
/* Section "Keys": bare or quoted parts joined by dots; k->n >= 1. */
int	toml_lex_key(struct parser *, struct key *);
void	toml_key_free(struct key *);
/* The integer s..e (decimal, 0x, 0o, 0b, with _ separators). */
int	toml_lex_int(struct parser *, const char *s, const char *e,
	    int64_t *);
/* Loose: they only pick the reason a word is rejected. */
int	toml_lex_is_float(const char *s, const char *e);
int	toml_lex_is_date(const char *s, const char *e);

#endif
