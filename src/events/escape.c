#include <string.h>

#include "events/escape.h"

static int
kept(unsigned char c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '~');
}

int
pgl_event_escape_cat(char *buf, size_t size, const char *name)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	size_t			 at, need;

	at = strlen(buf);
	for (need = 0, p = (const unsigned char *)name; *p != '\0'; p++)
		need += kept(*p) ? 1 : 3;
	if (at + need >= size)
		return (-1);
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (kept(*p)) {
			buf[at++] = (char)*p;
			continue;
		}
		buf[at++] = '%';
		buf[at++] = hex[*p >> 4];
		buf[at++] = hex[*p & 0xf];
	}
	buf[at] = '\0';
	return (0);
}
