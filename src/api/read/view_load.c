/*
 * loadView and viewExists (iceberg-commit.md §7), and the LoadViewResult
 * that create, register and a view commit answer too, with the view's
 * labels (labels.c): the read room's answer for views, as table_load.c's
 * for tables.  Writers (create,
 * replace, drop, register) are rest/views.c's.
 */
#include "api/api.h"
#include "api/read/read.h"
#include "api/target.h"
#include "util/json.h"

#define KIND_VIEW	"VIEW"

/* LoadViewResult; md and labels (or NULL) are stolen. */
json_t *
ice_view_result(const char *location, json_t *md, json_t *labels)
{
	json_t	*j;

	j = json_pack("{s:s,s:o,s:{}}", "metadata-location", location,
	    "metadata", md, "config");
	if (j != NULL && labels != NULL)
		json_object_set_new(j, "labels", labels);
	else
		json_decref(labels);
	return (j);
}

void
ice_view_load(struct pgl_req *r)
{
	struct ice_target	 t;
	struct pgl_asset	 a;
	json_t			*md, *labels;

	if (ice_target(r, "view", &t) == -1 ||
	    ice_find_asset(r, &t, KIND_VIEW, &a) == -1 ||
	    ice_labels(r, &a, NULL, NULL, &labels) == -1)
		return;
	if (ice_read_metadata(r, &t.catalog, a.metadata_location, 500,
	    &md) == -1) {
		json_decref(labels);
		return;
	}
	pgl_reply_json(r, 200, ice_view_result(ice_uri(r, a.metadata_location),
	    md, labels));
}

void
ice_view_head(struct pgl_req *r)
{
	struct ice_target	t;
	struct pgl_asset	a;

	if (ice_target(r, "view", &t) == 0 &&
	    ice_find_asset(r, &t, KIND_VIEW, &a) == 0)
		pgl_reply_empty(r, 204);
}
