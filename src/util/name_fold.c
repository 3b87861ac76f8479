/*
 * Principal names compared as a reader compares them (name_fold.h), with
 * GNU libunistring's Unicode tables: its normalization and full case
 * folding follow the Unicode version it was built with (14.0 for
 * Debian's 1.0), the same in every process, worker and replica that
 * runs this binary.  Stores keep the key beside the name and make it
 * unique, so the rule holds under concurrent creates.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "util/name_fold.h"

/* Characters that show nothing, or nothing of their own. */
static int
invisible(ucs4_t c)
{
	return (uc_is_property_default_ignorable_code_point(c) ||
	    uc_is_general_category(c, UC_CATEGORY_Cc) ||
	    uc_is_general_category(c, UC_CATEGORY_Cf) ||
	    uc_is_general_category(c, UC_CATEGORY_Zl) ||
	    uc_is_general_category(c, UC_CATEGORY_Zp));
}

/*
 * The folded text with default-ignorables dropped and white space
 * trimmed and collapsed, into out; its length or -1 (no room).
 */
static int
squeeze(const uint8_t *s, size_t n, char *out, size_t len)
{
	const uint8_t	*end = s + n;
	size_t		 o = 0;
	ucs4_t		 c;
	int		 k, space = 0;

	while (s < end) {
		k = u8_mbtouc(&c, s, (size_t)(end - s));
		if (uc_is_property_default_ignorable_code_point(c)) {
			s += k;
			continue;
		}
		if (uc_is_property_white_space(c)) {
			space = o > 0;
			s += k;
			continue;
		}
		if (o + space + (size_t)k + 1 > len)
			return (-1);
		if (space)
			out[o++] = ' ';
		space = 0;
		memcpy(out + o, s, (size_t)k);
		o += (size_t)k;
		s += k;
	}
	out[o] = '\0';
	return ((int)o);
}

int
pgl_name_key(const char *name, char *out, size_t len)
{
	const uint8_t	*s = (const uint8_t *)name;
	uint8_t		*nfkc, *folded;
	size_t		 n = strlen(name), nn, fn;
	int		 rc;

	if (len == 0 || u8_check(s, n) != NULL)
		return (-1);
	if ((nfkc = u8_normalize(UNINORM_NFKC, s, n, NULL, &nn)) == NULL)
		return (-1);
	folded = u8_casefold(nfkc, nn, NULL, UNINORM_NFKC, NULL, &fn);
	free(nfkc);
	if (folded == NULL)
		return (-1);
	rc = squeeze(folded, fn, out, len);
	free(folded);
	return (rc);
}

const char *
pgl_name_lookalike(const char *name, char *why, size_t len)
{
	const uint8_t	*s = (const uint8_t *)name, *end;
	ucs4_t		 c, prev = 0;
	size_t		 n = strlen(name);
	int		 k, first = 1;

	if (u8_check(s, n) != NULL) {
		(void)snprintf(why, len, "is not valid UTF-8");
		return (why);
	}
	for (end = s + n; s < end; s += k, prev = c, first = 0) {
		k = u8_mbtouc(&c, s, (size_t)(end - s));
		if (uc_is_property_white_space(c) && (first || s + k == end)) {
			(void)snprintf(why, len, "must not begin or end with "
			    "white space");
			return (why);
		}
		if (invisible(c)) {
			(void)snprintf(why, len, "holds an invisible character "
			    "(U+%04X)", (unsigned int)c);
			return (why);
		}
		if (uc_is_property_white_space(c) && (c != ' ' ||
		    prev == ' ')) {
			(void)snprintf(why, len, "holds white space other than "
			    "one U+0020 between words (U+%04X)",
			    (unsigned int)c);
			return (why);
		}
	}
	return (NULL);
}
