/*
 * Deliberately broken store plugins for the loader's refusal tests.  A
 * fixture fills every method slot with a stub (they are never called: the
 * loader refuses, or open fails, first).
 */
#include <stdio.h>
#include <stddef.h>

#include "pangolin/store.h"

static int
stub(void)
{
	return (PGL_EUNSUPPORTED);
}

static void
fill_stubs(struct pgl_store_ops *ops)
{
	void	(**slot)(void) = (void (**)(void))(void *)&ops->open;
	size_t	  i, n;

	n = (sizeof(*ops) - offsetof(struct pgl_store_ops, open)) /
	    sizeof(void *);
	for (i = 0; i < n; i++)
		slot[i] = (void (*)(void))stub;
	ops->abi_major = PGL_STORE_ABI_MAJOR;
	ops->abi_minor = PGL_STORE_ABI_MINOR;
	ops->name = "broken";
}
