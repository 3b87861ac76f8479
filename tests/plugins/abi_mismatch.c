/* Built against a future ABI: the loader must refuse its major version. */
#include "stubs.h"

static struct pgl_store_ops	ops;

PGL_EXPORT const struct pgl_store_ops *
pangolin_store_plugin(void)
{
	fill_stubs(&ops);
	ops.abi_major = PGL_STORE_ABI_MAJOR + 98;
	return (&ops);
}
