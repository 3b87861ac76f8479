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

/*
 * Put ns (its levels joined by PGL_NS_SEP) into the tree under root,
 * each missing level a node.  byprefix maps each level's prefix of ns
 * ("a", "a\x1fb") to its node, so a level is found in one lookup, not by
 * a walk of its siblings: 10,000 namespaces at one level were 50 million
 * name compares.  A node's name is cut at 255 bytes, as before.
 */
static void
insert(json_t *root, json_t *byprefix, const char *ns)
{
	json_t		*children = root, *node, *path;
	const char	*p = ns, *sep;
	char		 level[256];
	size_t		 len, cut;

	path = json_array();
	for (;;) {
		sep = strchr(p, PGL_NS_SEP);
		len = sep != NULL ? (size_t)(sep - p) : strlen(p);
		cut = len < sizeof(level) ? len : sizeof(level) - 1;
		memcpy(level, p, cut);
		level[cut] = '\0';
		json_array_append_new(path, json_string(level));
		if ((node = json_object_getn(byprefix, ns,
		    (size_t)(p - ns) + len)) == NULL) {
			node = json_pack("{s:s,s:O,s:[]}", "name", level,
			    "full_path", path, "children");
			json_array_append_new(children, node);
			json_object_setn(byprefix, ns, (size_t)(p - ns) + len,
			    node);
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
	json_t			*root, *byprefix;
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
	byprefix = json_object();
	for (i = 0; i < n; i++) {
		struct pgl_target	t = { c.id, items[i].name, "", NULL, 0, 0 };

		/* A tenant user sees the namespaces it may see into. */
		if (api_sees(r, &t))
			insert(root, byprefix, items[i].name);
	}
	json_decref(byprefix);
	pgl_reply_json(r, 200, json_pack("{s:o}", "root", root));
}
