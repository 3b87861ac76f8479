/* Right ABI, but a required method is missing. */
#include "stubs.h"

static struct pgl_store_ops	ops;

PGL_EXPORT const struct pgl_store_ops *
pangolin_store_plugin(void)
{
	fill_stubs(&ops);
	ops.copy_assets_bulk = NULL;
	return (&ops);
}
