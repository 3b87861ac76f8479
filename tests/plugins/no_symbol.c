/* A shared object that exports no pangolin_store_plugin. */
#include "pangolin/plugin.h"

PGL_EXPORT int	not_a_pangolin_plugin(void);

int
not_a_pangolin_plugin(void)
{
	return (0);
}
