/*
 * What a write makes a table's metadata name, held to the table's own
 * place (commit/names.h).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/names.h"
#include "iceberg/place.h"

/* why: "<the file named> lies outside the <noun>'s location <loc>: ...". */
static void
say(const struct ice_named *nm, const struct ice_place *p, const char *noun,
    char *why, size_t n)
{
	char	what[512];

	ice_named_text(nm, what, sizeof(what));
	(void)snprintf(why, n, "%s lies outside the %s's location %.300s: a "
	    "%s reads and names only files in its own place", what, noun,
	    p->location != NULL ? p->location : "(none)", noun);
}

int
ice_names_outside(const json_t *before, const json_t *md, const char *noun,
    char *why, size_t n)
{
	struct ice_place	 p;
	struct ice_named	 nm;

	(void)ice_place_init(&p, json_string_value(json_object_get(md,
	    "location")));
	if (!ice_named_added(before, md, &p, &nm))
		return (0);
	say(&nm, &p, noun, why, n);
	return (1);
}

static void
refuse(struct pgl_req *r, const char *why)
{
	pgl_reply_ice_error(r, 400, "BadRequestException", "%s", why);
}

int
ice_names_check(struct pgl_req *r, const char *noun, const json_t *md)
{
	char	why[1024];

	if (!ice_names_outside(NULL, md, noun, why, sizeof(why)))
		return (0);
	refuse(r, why);
	return (-1);
}

/*
 * On the worker's thread, once per attempt, for every commit of the loop
 * (a table's, a view's, a transaction's, a task's): one pass over the
 * updates and the place's key, never over the metadata, whatever its
 * snapshots and statistics (a commit's whole check would grow with the
 * table).
 */
int
ice_commit_names(struct pgl_req *r, const struct ice_change *c)
{
	struct ice_place	 p;
	struct ice_named	 nm;
	const char		*loc;
	char			 why[1024];

	if (c->next == NULL)
		return (0);
	/* Moved: everything it names is judged by the new place. */
	if (c->moved_to != NULL)
		return (ice_names_check(r, c->kind->noun, c->next));
	if (json_array_size(c->updates) == 0)
		return (0);
	loc = json_string_value(json_object_get(c->next, "location"));
	(void)ice_place_init(&p, loc);
	if (!ice_named_updates(c->updates, &p, &nm))
		return (0);
	say(&nm, &p, c->kind->noun, why, sizeof(why));
	refuse(r, why);
	return (-1);
}
