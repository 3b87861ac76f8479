/*
 * Finding data and asking for it (§2.10): search, business metadata on
 * an asset, and access requests.  Asset ids come from search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/*
 * search QUERY: every kind (/search); with --catalog the assets of one
 * catalog, paged (/search/assets); with --tags, the discovery search
 * (/assets/search), all of whose tags must match.
 */
int
cli_cmd_search(struct cli *c)
{
	const char	*tags = cli_opt(c, "tags");
	char		 path[2048];
	int		 bad;

	if (c->argc != 2)
		return (CLI_USAGE);
	if (tags != NULL) {
		(void)snprintf(path, sizeof(path), "/api/v1/assets/search");
		bad = cli_query(path, sizeof(path), "query", c->argv[1]) ||
		    cli_query(path, sizeof(path), "tags", tags);
	} else if (c->catalog != NULL) {
		(void)snprintf(path, sizeof(path), "/api/v1/search/assets");
		bad = cli_query(path, sizeof(path), "q", c->argv[1]) ||
		    cli_query(path, sizeof(path), "catalog", c->catalog) ||
		    cli_query(path, sizeof(path), "offset", cli_opt(c,
		    "offset"));
	} else {
		(void)snprintf(path, sizeof(path), "/api/v1/search");
		bad = cli_query(path, sizeof(path), "q", c->argv[1]);
	}
	if (bad || cli_query(path, sizeof(path), "limit", cli_opt(c,
	    "limit")) == -1)
		return (CLI_USAGE);
	return (cli_call(c, "GET", path, NULL));
}

/* access-requests request ASSET [--reason] | review ID approve|deny */
int
cli_cmd_access(struct cli *c)
{
	json_t		*req;
	const char	*v, *status;
	char		 path[1024];
	int		 rc;

	if (c->argc == 3 && strcmp(c->argv[1], "request") == 0) {
		if (cli_path(path, sizeof(path), "/api/v1/assets", c->argv[2],
		    "/access-requests") == -1 || (req = json_pack("{s:s?}",
		    "reason", cli_opt(c, "reason"))) == NULL)
			return (CLI_USAGE);
		if (json_object_get(req, "reason") == json_null())
			json_object_del(req, "reason");
	} else if (c->argc == 4 && strcmp(c->argv[1], "review") == 0) {
		v = c->argv[3];
		if (strcmp(v, "approve") == 0 || strcmp(v, "approved") == 0)
			status = "approved";
		else if (strcmp(v, "deny") == 0 || strcmp(v, "reject") == 0 ||
		    strcmp(v, "rejected") == 0)
			status = "rejected";
		else
			return (CLI_USAGE);
		if (cli_path(path, sizeof(path), "/api/v1/access-requests",
		    c->argv[2], NULL) == -1 || (req = json_pack("{s:s}",
		    "status", status)) == NULL)
			return (CLI_USAGE);
		if ((v = cli_opt(c, "comment")) != NULL)
			json_object_set_new(req, "comment", json_string(v));
		rc = cli_call(c, "PUT", path, req);
		json_decref(req);
		return (rc);
	} else
		return (cli_cmd_resource(c, "access-requests"));
	rc = cli_call(c, "POST", path, req);
	json_decref(req);
	return (rc);
}

/* "a,b" as ["a","b"]; a JSON array stays as it is. */
static json_t *
tag_list(json_t *v)
{
	json_t		*arr;
	char		*copy, *tok, *save;

	if (!json_is_string(v))
		return (json_incref(v));
	if ((arr = json_array()) == NULL ||
	    (copy = strdup(json_string_value(v))) == NULL) {
		json_decref(arr);
		return (NULL);
	}
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save))
		json_array_append_new(arr, json_string(tok));
	free(copy);
	return (arr);
}

/*
 * The body of metadata set: the stored record (the POST replaces it),
 * then each word: description, tags and discoverable are fields, any
 * other key a property.  NULL on a bad word.
 */
static json_t *
metadata_merge(const json_t *cur, json_t *words)
{
	json_t		*req, *props, *v;
	const char	*k;

	req = json_pack("{s:O?,s:O?,s:O?,s:O?}", "description",
	    json_object_get(cur, "description"), "tags", json_object_get(cur,
	    "tags"), "properties", json_object_get(cur, "properties"),
	    "discoverable", json_object_get(cur, "discoverable"));
	if (req == NULL)
		return (NULL);
	if (!json_is_object(json_object_get(req, "properties")))
		json_object_set_new(req, "properties", json_object());
	if (!json_is_array(json_object_get(req, "tags")))
		json_object_set_new(req, "tags", json_array());
	if (!json_is_boolean(json_object_get(req, "discoverable")))
		json_object_set_new(req, "discoverable", json_false());
	if (json_is_null(json_object_get(req, "description")))
		json_object_del(req, "description");
	props = json_object_get(req, "properties");
	json_object_foreach(words, k, v) {
		if (strcmp(k, "tags") == 0)
			json_object_set_new(req, k, tag_list(v));
		else if (strcmp(k, "discoverable") == 0)
			json_object_set_new(req, k, json_is_string(v) ?
			    json_boolean(strcmp(json_string_value(v),
			    "true") == 0) : json_incref(v));
		else if (strcmp(k, "description") == 0)
			json_object_set(req, k, v);
		else
			json_object_set(props, k, v);
	}
	return (req);
}

static int
metadata_set(struct cli *c, const char *path)
{
	json_t	*words, *cur = NULL, *req;
	long	 status;
	int	 rc;

	if (c->data != NULL) {
		if ((req = cli_body(c, 3)) == NULL)
			return (CLI_USAGE);
	} else {
		if ((words = cli_words(c, 3, NULL)) == NULL)
			return (CLI_USAGE);
		if (cli_http(c, "GET", path, NULL, &status, &cur) == -1) {
			json_decref(words);
			return (CLI_UNREACHABLE);
		}
		if (status != 200 && status != 404) {
			json_decref(words);
			return (cli_result(c, status, cur, 0));
		}
		req = metadata_merge(status == 200 ? json_object_get(cur,
		    "metadata") : NULL, words);
		json_decref(words);
		json_decref(cur);
		if (req == NULL)
			return (CLI_FAILED);
	}
	rc = cli_call(c, "POST", path, req);
	json_decref(req);
	return (rc);
}

/* metadata get|set|delete ASSET_ID */
int
cli_cmd_metadata(struct cli *c)
{
	const char	*sub = c->argc > 1 ? c->argv[1] : "";
	char		 path[1024];

	if (c->argc < 3 || cli_path(path, sizeof(path), "/api/v1/assets",
	    c->argv[2], "/metadata") == -1)
		return (CLI_USAGE);
	if (strcmp(sub, "get") == 0 && c->argc == 3)
		return (cli_call(c, "GET", path, NULL));
	if (strcmp(sub, "delete") == 0 && c->argc == 3)
		return (cli_call(c, "DELETE", path, NULL));
	if (strcmp(sub, "set") == 0)
		return (metadata_set(c, path));
	return (CLI_USAGE);
}
