/*
 * merge preview SOURCE TARGET --catalog C: what a merge would do,
 * planned as a dry run by the server (branching/merge_preview.c) and
 * nothing recorded.  Text is one line an asset either side changed:
 * its name, what the source did, what the target did, and the conflict
 * a merge would stop on ("-" when none).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const char *
change(const json_t *asset, const char *side)
{
	const char	*s = json_string_value(json_object_get(
			    json_object_get(asset, side), "change"));

	return (s != NULL ? s : "?");
}

/*
 * A conflict's type is an object keyed by its kind (merge_plan.c:
 * {"SchemaChange": {...}}), the reference's serde enum: print the kind.
 */
static const char *
conflict_kind(const json_t *cf)
{
	const json_t	*t = json_object_get(cf, "conflict_type");
	void		*it;

	if (json_is_string(t))
		return (json_string_value(t));
	if ((it = json_object_iter((json_t *)t)) != NULL)
		return (json_object_iter_key(it));
	return (json_is_object(cf) ? "conflict" : "-");
}

static void
print_assets(const json_t *body)
{
	const json_t	*a;
	const char	*name;
	size_t		 i;

	json_array_foreach(json_object_get(body, "assets"), i, a) {
		name = json_string_value(json_object_get(a, "name"));
		printf("%s  source:%s  target:%s  %s\n", name != NULL ? name :
		    "?", change(a, "source"), change(a, "target"),
		    conflict_kind(json_object_get(a, "conflict")));
	}
}

int
cli_cmd_merge_preview(struct cli *c)
{
	json_t	*body;
	char	 path[1024] = "/api/v1/branches/merge/preview";
	long	 status;

	if (c->argc != 4 || c->catalog == NULL)
		return (CLI_USAGE);
	if (cli_query(path, sizeof(path), "catalog", c->catalog) == -1 ||
	    cli_query(path, sizeof(path), "source", c->argv[2]) == -1 ||
	    cli_query(path, sizeof(path), "target", c->argv[3]) == -1)
		return (CLI_USAGE);
	if (cli_http(c, "GET", path, NULL, &status, &body) == -1)
		return (CLI_UNREACHABLE);
	if (status != 200 || c->json)
		return (cli_result(c, status, body, 0));
	print_assets(body);
	json_decref(body);
	return (CLI_OK);
}
