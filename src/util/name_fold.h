#ifndef PGL_NAME_FOLD_H
#define PGL_NAME_FOLD_H

#include <stddef.h>

/*
 * What makes two principal names one name to a reader, and what a new
 * one may not hold (issue 42): `Root`, `ADMINA` beside `adminA`, `bob `
 * and `bob<U+200B>` all read as a name someone else has.
 */

/*
 * The key two names share when a reader would take them for one:
 * NFKC, then full case folding, then NFKC again (the compatibility
 * caseless match of Unicode §3.13, D146, with NFKC's recomposition so
 * the key is short), without default-ignorable code points (as the
 * NFKC_Casefold property drops them), white space trimmed and each run
 * of it one U+0020.  Written to out (NUL-terminated); its length, or -1
 * when name is not valid UTF-8 or the key does not fit.
 */
int		 pgl_name_key(const char *name, char *out, size_t len);

/*
 * NULL when name may be given to a new principal; else why not: white
 * space at its start or end, an invisible character (a default-ignorable
 * code point, a control or format character, a line or paragraph
 * separator), white space other than U+0020 or two in a row.  The
 * reason names the code point.  Written into why.
 */
const char	*pgl_name_lookalike(const char *name, char *why, size_t len);

#endif
