/*
 * A streaming JSON writer for hot list responses: appends to one growing
 * buffer instead of building a jansson tree per row.  Strings are escaped;
 * jw_raw embeds JSON text we stored ourselves (already validated).
 */
#ifndef PGL_JW_H
#define PGL_JW_H

#include <stddef.h>

struct pgl_jw {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 oom;
	int	 first;		/* no comma before the next member */
};

void	jw_init(struct pgl_jw *);
void	jw_free(struct pgl_jw *);
/* Empty again, keeping the buffer for the next text. */
void	jw_reset(struct pgl_jw *);
void	jw_raw(struct pgl_jw *, const char *);
/* A member's comma and "key": (key NULL: an element's comma); jw_open next. */
void	jw_key(struct pgl_jw *, const char *key);
void	jw_open(struct pgl_jw *, char brace);	/* '{' or '[' */
void	jw_close(struct pgl_jw *, char brace);
/* "key": string (NULL -> null) / raw JSON (NULL -> fallback). */
void	jw_str(struct pgl_jw *, const char *key, const char *value);
/* "key": the first len bytes of value, as a string. */
void	jw_strn(struct pgl_jw *, const char *key, const char *value,
	    size_t len);
void	jw_json(struct pgl_jw *, const char *key, const char *json,
	    const char *fallback);
/* An array element separator, before a nested object. */
void	jw_next(struct pgl_jw *);

#endif
