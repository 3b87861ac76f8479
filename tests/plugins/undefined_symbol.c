/* Needs a symbol nothing provides, so dlopen(RTLD_NOW) fails. */
#include "stubs.h"

extern int	pgl_symbol_that_does_not_exist(void);

static struct pgl_store_ops	ops;

PGL_EXPORT const struct pgl_store_ops *
pangolin_store_plugin(void)
{
	fill_stubs(&ops);
	if (pgl_symbol_that_does_not_exist())
		return (NULL);
	return (&ops);
}
