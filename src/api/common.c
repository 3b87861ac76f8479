#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "app.h"
#include "util/arena.h"
#include "util/json.h"

json_t *
api_obj(const char *text)
{
	return (pgl_json_load_or(text, json_object()));
}

char *
api_text(struct pgl_arena *a, const json_t *j)
{
	char	*s, *copy;

	if ((s = pgl_json_dump(j)) == NULL)
		return (NULL);
	copy = pgl_arena_strdup(a, s);
	free(s);
	return (copy);
}

json_t *
api_str_or_null(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

int
pgl_store_tx(int (*fn)(void *, struct pgl_err *), void *arg,
    struct pgl_err *err)
{
	struct pgl_err	rb;
	int		rc;

	if ((rc = STORE(begin, err)) != PGL_OK)
		return (rc);
	if ((rc = fn(arg, err)) != PGL_OK) {
		(void)STORE(rollback, &rb);
		return (rc);
	}
	return (STORE(commit, err));
}
