/*
 * Plugin loader: resolve a plugin name to a file, dlopen it, find its one
 * exported symbol, check its ABI, and refuse with a one-line reason.
 */
#ifndef PGL_LOADER_H
#define PGL_LOADER_H

#include <limits.h>

#include "pangolin/cache.h"
#include "pangolin/store.h"

struct pgl_plugin {
	void		*dl;
	char		 path[PATH_MAX];
};

/*
 * A name containing '/' is a path.  Otherwise <name>.so is looked for in
 * <directory of the executable>/plugins, then $PREFIX/lib/pangolin/plugins.
 */
int	pgl_plugin_resolve(const char *name, char *out, size_t outlen,
	    struct pgl_err *);

const struct pgl_store_ops	*pgl_store_plugin_load(const char *name,
				    struct pgl_plugin *, struct pgl_err *);
const struct pgl_cache_ops	*pgl_cache_plugin_load(const char *name,
				    struct pgl_plugin *, struct pgl_err *);
void				 pgl_plugin_unload(struct pgl_plugin *);

/* The host API handed to plugins at open (logging, arenas). */
const struct pgl_host		*pgl_host_api(void);

/*
 * Which optional methods a loaded store has: the version gates of
 * pangolin/store.h (pgl_store_has_events, pgl_store_can_try_begin, ...).
 */

#endif
