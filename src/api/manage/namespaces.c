/*
 * GET /api/v1/catalogs/{name}/namespaces/tree: the namespace hierarchy
 * as nested nodes.  The store returns names sorted, so a parent always
 * precedes its children; a missing intermediate level gets a node too.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "app/app.h"

static json_t *
child_named(json_t *children, const char *name)
{
	json_t	*node;
	size_t	 i;

	json_array_foreach(children, i, node) {
		if (strcmp(json_string_value(json_object_get(node, "name")),
		    name) == 0)
			return (node);
	}
	return (NULL);
}

static void
insert(json_t *root, const char *ns)
{
	json_t		*children = root, *node, *path;
	const char	*p = ns, *sep;
	char		 level[256];
	size_t		 len;

	path = json_array();
	for (;;) {
		sep = strchr(p, PGL_NS_SEP);
		len = sep != NULL ? (size_t)(sep - p) : strlen(p);
		if (len >= sizeof(level))
			len = sizeof(level) - 1;
		memcpy(level, p, len);
		level[len] = '\0';
		json_array_append_new(path, json_string(level));
		if ((node = child_named(children, level)) == NULL) {
			node = json_pack("{s:s,s:O,s:[]}", "name", level,
			    "full_path", path, "children");
			json_array_append_new(children, node);
		}
		children = json_object_get(node, "children");
		if (sep == NULL)
			break;
		p = sep + 1;
	}
	json_decref(path);
}

void
api_namespace_tree(struct pgl_req *r)
{
	const struct pgl_page	 all = { 0, 0, NULL };
	struct pgl_namespace	*items;
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	json_t			*root;
	size_t			 n, i;

	if (api_get_catalog(r, r->tenant, pgl_param(r, "name"), &c,
	    &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found",
		    pgl_param(r, "name"));
		return;
	}
	/* A federated catalog's namespaces are its remote's. */
	if (api_local_catalog(r, &c) == -1)
		return;
	if (STORE(list_namespaces, r->arena, r->tenant, c.name, NULL, &all,
	    &items, &n, NULL, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	root = json_array();
	for (i = 0; i < n; i++) {
		struct pgl_target	t = { c.id, items[i].name, "", NULL, 0, 0 };

		/* A tenant user sees the namespaces it may see into. */
		if (api_sees(r, &t))
			insert(root, items[i].name);
	}
	pgl_reply_json(r, 200, json_pack("{s:o}", "root", root));
}
