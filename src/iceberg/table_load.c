/*
 * §6 loadTable with ?snapshots=refs: the same metadata without the
 * snapshots no ref points at directly.
 */
#include "iceberg/internal.h"

static int
referenced(const json_t *refs, int64_t id)
{
	const char	*name;
	json_t		*ref;

	json_object_foreach((json_t *)refs, name, ref) {
		if (ice_get(ref, "snapshot-id") == id)
			return (1);
	}
	return (0);
}

json_t *
ice_table_refs_only(const json_t *md)
{
	json_t	*out, *snaps, *refs;
	size_t	 i;

	if ((out = json_deep_copy(md)) == NULL)
		return (NULL);
	refs = json_object_get(out, "refs");
	snaps = json_object_get(out, "snapshots");
	for (i = json_array_size(snaps); i-- > 0;) {
		if (!referenced(refs, ice_get(json_array_get(snaps, i),
		    "snapshot-id")))
			(void)json_array_remove(snaps, i);
	}
	return (out);
}
