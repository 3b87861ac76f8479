/*
 * The TOML reader's types (toml.h): its limit, the types of a value, and
 * a parse error.  Apart from toml.h so that the reader's private headers
 * (toml_lex.h, toml_tree.h) need not include toml.h, the header of
 * toml.c, which includes toml_tree.h.
 */
#ifndef PGL_CONFIG_TOML_TYPES_H
#define PGL_CONFIG_TOML_TYPES_H

/* Tables, arrays and inline tables nested deeper than this are rejected. */
#define TOML_MAX_DEPTH		32

enum toml_type {
	TOML_STRING,
	TOML_INT,
	TOML_BOOL,
	TOML_ARRAY,
	TOML_TABLE
};

struct toml_error {
	int	line;		/* 1-based; 0 after a successful parse */
	char	key[128];	/* full dotted path being parsed, or "" */
	char	reason[160];
};

#endif
