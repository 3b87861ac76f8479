/*
 * The in-process cache plugin ("memory"): options, open/close and the
 * method table.  The store itself lives in lru.c.
 *
 * Options ([cache.options] in the config, all plain decimal integers):
 *	max_entries	entry cap, a backstop	(default 1000000)
 *	max_bytes	budget for keys + values	(default 64 MiB)
 *	ttl_secs	TTL when put passes 0		(default 300)
 * Zero is refused for each: an unbounded cache could outgrow a worker,
 * and nothing a replica keeps in memory may live without a TTL
 * (ARCHITECTURE.md section 2).
 */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pangolin/cache.h"
#include "lru.h"

#define PLUGIN_NAME	"memory"

#define LIMIT(f)	offsetof(struct cache_lru_limits, f)

static const struct option {
	const char	*name;
	size_t		 off;	/* into struct cache_lru_limits */
	uint64_t	 max;
} options[] = {
	{ "max_entries",	LIMIT(max_entries),	SIZE_MAX },
	{ "max_bytes",		LIMIT(max_bytes),	UINT64_MAX },
	/* put() takes a uint32_t TTL; the default cannot exceed it either. */
	{ "ttl_secs",		LIMIT(ttl_secs),	UINT32_MAX },
};

static const struct cache_lru_limits defaults = {
	.max_entries = 1000000,
	.max_bytes = 64ULL * 1024 * 1024,
	.ttl_secs = 300,
};

static int
fail(struct pgl_err *err, int code, const char *fmt, ...)
{
	va_list	ap;

	if (err != NULL) {
		err->code = code;
		va_start(ap, fmt);
		(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return (code);
}

/* Digits only: strtoull alone would take " 12", "+12" and "-1". */
static int
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long	 v;
	const char		*p;
	char			*end;

	if (s == NULL || *s == '\0')
		return (-1);
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max)
		return (-1);
	*out = v;
	return (0);
}

static const struct option *
option_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		if (strcmp(options[i].name, name) == 0)
			return (&options[i]);
	}
	return (NULL);
}

static int
apply_option(struct cache_lru_limits *lim, const struct pgl_kv *kv,
    struct pgl_err *err)
{
	const struct option	*o;
	uint64_t		 v;

	if (kv->key == NULL || (o = option_find(kv->key)) == NULL) {
		return (fail(err, PGL_EINVAL, "cache %s: unknown option \"%s\" "
		    "(known: max_entries, max_bytes, ttl_secs)", PLUGIN_NAME,
		    kv->key != NULL ? kv->key : "(null)"));
	}
	if (parse_u64(kv->value, o->max, &v) == -1) {
		return (fail(err, PGL_EINVAL, "cache %s: option %s: \"%s\" "
		    "is not an integer from 1 to %llu", PLUGIN_NAME, o->name,
		    kv->value != NULL ? kv->value : "(null)",
		    (unsigned long long)o->max));
	}
	*(uint64_t *)((char *)lim + o->off) = v;
	return (PGL_OK);
}

static int
mem_open(const struct pgl_host *host, const struct pgl_kv *opts,
    size_t nopts, struct pgl_cache **out, struct pgl_err *err)
{
	struct cache_lru_limits	 lim = defaults;
	size_t			 i;
	int			 rc;

	if (out == NULL || (opts == NULL && nopts > 0))
		return (fail(err, PGL_EINVAL, "cache %s: bad open arguments",
		    PLUGIN_NAME));
	*out = NULL;

	/* A host of another major version lays out struct pgl_host apart. */
	if (host != NULL && host->abi_major != PGL_HOST_ABI_MAJOR) {
		return (fail(err, PGL_EUNSUPPORTED, "cache %s: host ABI %u.%u, "
		    "plugin built for %u.%u", PLUGIN_NAME, host->abi_major,
		    host->abi_minor, PGL_HOST_ABI_MAJOR, PGL_HOST_ABI_MINOR));
	}

	for (i = 0; i < nopts; i++) {
		if ((rc = apply_option(&lim, &opts[i], err)) != PGL_OK)
			return (rc);
	}

	if ((*out = cache_lru_new(&lim)) == NULL)
		return (fail(err, PGL_ENOMEM, "cache %s: out of memory",
		    PLUGIN_NAME));

	if (host != NULL && host->log != NULL) {
		host->log(PGL_LOG_INFO, "cache %s: max_entries=%llu "
		    "max_bytes=%llu ttl_secs=%llu (per worker)", PLUGIN_NAME,
		    (unsigned long long)lim.max_entries,
		    (unsigned long long)lim.max_bytes,
		    (unsigned long long)lim.ttl_secs);
	}
	return (PGL_OK);
}

static const struct pgl_cache_ops ops = {
	.abi_major = PGL_CACHE_ABI_MAJOR,
	.abi_minor = PGL_CACHE_ABI_MINOR,
	.name = PLUGIN_NAME,
	.open = mem_open,
	.close = cache_lru_free,
	.get = cache_lru_get,
	.put = cache_lru_put,
	.del = cache_lru_del,
	.del_prefix = cache_lru_del_prefix,
	.clear = cache_lru_clear,
	.stats = cache_lru_stats,
	.get_ref = cache_lru_get_ref,
	.release = cache_lru_release,
};

PGL_EXPORT const struct pgl_cache_ops *
pangolin_cache_plugin(void)
{
	return (&ops);
}
