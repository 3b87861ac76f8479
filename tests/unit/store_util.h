/*
 * Helpers shared by the store suites (test_store.c, test_store_pg.c,
 * test_store_mongo.c): assertions that print the plugin's message, a
 * monotonic clock, PGL_STORE_OPTS parsing and the host the plugin is
 * given.
 */
#ifndef PGL_TEST_STORE_UTIL_H
#define PGL_TEST_STORE_UTIL_H

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pangolin/plugin.h"

/*
 * The host a store plugin under test is given: the core's arenas and its
 * name and location keys, with the suite's own logger (each prints or
 * counts what it needs).  The callers include util/arena.h,
 * util/name_fold.h and util/location.h.
 */
#define STORE_TEST_HOST(logger) {					\
	.abi_major = PGL_HOST_ABI_MAJOR,				\
	.abi_minor = PGL_HOST_ABI_MINOR,				\
	.log = (logger),						\
	.arena_alloc = pgl_arena_alloc,					\
	.arena_strdup = pgl_arena_strdup,				\
	.arena_strndup = pgl_arena_strndup,				\
	.name_key = pgl_name_key,					\
	.arena_new = pgl_arena_new,					\
	.arena_free = pgl_arena_free,					\
	.location_key = pgl_location_key,				\
}

/* Fails the test with the plugin's message, which says what went wrong. */
#define OK(f, call) do {						\
	int rc_ = (call);						\
	if (rc_ != PGL_OK)						\
		fail_msg("%s -> %d: %s", #call, rc_, (f)->err.msg);	\
} while (0)

#define FAILS(f, code, call) do {					\
	int rc_ = (call);						\
	if (rc_ != (code))						\
		fail_msg("%s -> %d (want %d): %s", #call, rc_, (code),	\
		    rc_ == PGL_OK ? "" : (f)->err.msg);			\
} while (0)

static inline double
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/*
 * Split "k=v;k=v" into kv (at most max pairs), with every "{n}" replaced
 * by seq, so each test can open a fresh schema/database.  The strings
 * live in buf.  Returns the number of pairs.
 */
static inline size_t
store_opts_parse(const char *opts, unsigned seq, char *buf, size_t buflen,
    struct pgl_kv *kv, size_t max)
{
	const char	*p;
	char		*o = buf, *pair, *eq, *save = NULL;
	size_t		 n = 0;

	for (p = opts; *p != '\0' && o < buf + buflen - 16;) {
		if (strncmp(p, "{n}", 3) == 0) {
			o += snprintf(o, 16, "%u", seq);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	for (pair = strtok_r(buf, ";", &save); pair != NULL && n < max;
	    pair = strtok_r(NULL, ";", &save)) {
		if ((eq = strchr(pair, '=')) == NULL)
			continue;
		*eq = '\0';
		kv[n].key = pair;
		kv[n++].value = eq + 1;
	}
	return (n);
}

#endif
