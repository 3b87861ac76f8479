/*
 * The host API plugins receive: logging to stderr in the appliance's
 * format, the request arena for results, and the fold of principal
 * names and the key of a location (one definition each, the host's,
 * whatever store keeps the keys).
 */
#include <stdarg.h>
#include <stdio.h>

#include "plugin/loader.h"
#include "util/arena.h"
#include "util/location.h"
#include "util/log.h"
#include "util/name_fold.h"

static void
host_log(int level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	pgl_vlog(level, fmt, ap);
	va_end(ap);
}

static const struct pgl_host host = {
	.abi_major = PGL_HOST_ABI_MAJOR,
	.abi_minor = PGL_HOST_ABI_MINOR,
	.log = host_log,
	.arena_alloc = pgl_arena_alloc,
	.arena_strdup = pgl_arena_strdup,
	.arena_strndup = pgl_arena_strndup,
	.name_key = pgl_name_key,
	.arena_new = pgl_arena_new,
	.arena_free = pgl_arena_free,
	.location_key = pgl_location_key,
};

const struct pgl_host *
pgl_host_api(void)
{
	return (&host);
}
