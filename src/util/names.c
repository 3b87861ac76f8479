#include <string.h>

#include "util/names.h"

int
pgl_utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned int		 cp;

	while (i < len) {
		if (s[i] == 0)
			return (0);
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else {
			return (0);
		}
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return (0);
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		i += n + 1;
	}
	return (1);
}

const char *
pgl_name_check(const char *name)
{
	size_t		len = strlen(name), i;
	unsigned char	c;

	if (len == 0)
		return ("name must not be empty");
	if (len > PGL_NAME_MAX)
		return ("name is longer than 255 bytes");
	if (!pgl_utf8_valid(name, len))
		return ("name is not valid UTF-8");
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return ("name must not be '.' or '..' (names become path "
		    "segments of locations)");
	for (i = 0; i < len; i++) {
		c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f)
			return ("name must not contain control characters");
		if (c == '/' || c == '\\')
			return ("name must not contain '/' or '\\'");
		if (c == '@')
			return ("name must not contain '@' (branch separator)");
	}
	return (NULL);
}
