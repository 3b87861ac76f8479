#include <ctype.h>
#include <string.h>
#include <uuid/uuid.h>

#include "util/uuid.h"

void
pgl_uuid_new(char out[PGL_UUID_LEN + 1])
{
	uuid_t	u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

int
pgl_uuid_valid(const char *s)
{
	size_t	i;

	if (strlen(s) != PGL_UUID_LEN)
		return (0);
	for (i = 0; i < PGL_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return (0);
		} else if (!isxdigit((unsigned char)s[i])) {
			return (0);
		}
	}
	return (1);
}
