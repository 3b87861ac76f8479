/*
 * Unit tests for the in-process cache plugin, called through the method
 * table exactly as the host calls it.  The plugin sources are linked in
 * directly, which gives the tests the clock hook in lru.h: TTLs are
 * driven by a manual clock instead of sleeping.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pangolin/cache.h"
#include "../../plugins/cache/lru.h"

#define NOPTS(a)	(sizeof(a) / sizeof((a)[0]))

/* Every test starts on a fresh manual clock. */
#define T(f)		cmocka_unit_test_setup_teardown(f, setup, teardown)

static const struct pgl_cache_ops	*ops;
static uint64_t				 now_ms;
static int				 logged;

static uint64_t
manual_clock(void)
{
	return (now_ms);
}

static void
advance(uint64_t ms)
{
	now_ms += ms;
}

static void
test_log(int level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
	logged++;
}

static const struct pgl_host host = {
	.abi_major = PGL_HOST_ABI_MAJOR,
	.abi_minor = PGL_HOST_ABI_MINOR,
	.log = test_log,
};

static int
setup(void **state)
{
	(void)state;
	ops = pangolin_cache_plugin();
	now_ms = 1000000;	/* well away from zero, like a real uptime */
	logged = 0;
	cache_lru_set_clock(manual_clock);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	cache_lru_set_clock(NULL);
	return (0);
}

static struct pgl_cache *
open_with(const struct pgl_kv *opts, size_t nopts)
{
	struct pgl_cache	*c = NULL;
	struct pgl_err		 err = { 0 };

	assert_int_equal(ops->open(&host, opts, nopts, &c, &err), PGL_OK);
	assert_non_null(c);
	return (c);
}

static struct pgl_cache *
open_limits(const char *max_entries, const char *max_bytes)
{
	const struct pgl_kv	opts[] = {
		{ "max_entries", max_entries },
		{ "max_bytes", max_bytes },
	};

	return (open_with(opts, NOPTS(opts)));
}

static void
put_str(struct pgl_cache *c, const char *key, const char *val, uint32_t ttl)
{
	assert_int_equal(ops->put(c, key, val, strlen(val), ttl), PGL_OK);
}

/* Asserts key holds exactly val; a hit, so it refreshes recency. */
static void
assert_holds(struct pgl_cache *c, const char *key, const char *val)
{
	void	*got = NULL;
	size_t	 len = 0;

	assert_int_equal(ops->get(c, key, &got, &len), PGL_OK);
	assert_int_equal(len, strlen(val));
	assert_memory_equal(got, val, len);
	free(got);
}

static void
assert_missing(struct pgl_cache *c, const char *key)
{
	void	*got = NULL;
	size_t	 len = 0;

	assert_int_equal(ops->get(c, key, &got, &len), PGL_ENOTFOUND);
	assert_null(got);
}

static struct pgl_cache_stats
stats_of(struct pgl_cache *c)
{
	struct pgl_cache_stats	st;

	memset(&st, 0, sizeof(st));
	ops->stats(c, &st);
	return (st);
}

static void
assert_open_fails(const char *key, const char *value, const char *mention)
{
	const struct pgl_kv	 opts[] = { { key, value } };
	struct pgl_cache	*c = NULL;
	struct pgl_err		 err = { 0 };

	assert_int_equal(ops->open(&host, opts, 1, &c, &err), PGL_EINVAL);
	assert_int_equal(err.code, PGL_EINVAL);
	assert_null(c);
	if (strstr(err.msg, mention) == NULL)
		fail_msg("error \"%s\" does not name \"%s\"", err.msg, mention);
}

/* --- the descriptor and open ---------------------------------------- */

static void
test_descriptor_declares_abi_name_and_every_method(void **state)
{
	(void)state;
	assert_int_equal(ops->abi_major, PGL_CACHE_ABI_MAJOR);
	assert_int_equal(ops->abi_minor, PGL_CACHE_ABI_MINOR);
	assert_string_equal(ops->name, "memory");
	assert_non_null(ops->open);
	assert_non_null(ops->close);
	assert_non_null(ops->get);
	assert_non_null(ops->put);
	assert_non_null(ops->del);
	assert_non_null(ops->del_prefix);
	assert_non_null(ops->clear);
	assert_non_null(ops->stats);
	assert_non_null(ops->get_ref);
	assert_non_null(ops->release);
}

static void
test_open_without_options_uses_documented_defaults(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	struct pgl_cache_stats	 st = stats_of(c);

	(void)state;
	assert_int_equal(st.max_entries, 1000000);
	assert_int_equal(st.max_bytes, 64 * 1024 * 1024);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes, 0);

	/* Default TTL is 300 s. */
	put_str(c, "k", "v", 0);
	advance(299999);
	assert_holds(c, "k", "v");
	advance(1);
	assert_missing(c, "k");
	assert_int_equal(logged, 1);
	ops->close(c);
}

static void
test_open_applies_options(void **state)
{
	const struct pgl_kv	 opts[] = {
		{ "max_entries", "7" },
		{ "max_bytes", "4096" },
		{ "ttl_secs", "2" },
	};
	struct pgl_cache	*c = open_with(opts, NOPTS(opts));
	struct pgl_cache_stats	 st = stats_of(c);

	(void)state;
	assert_int_equal(st.max_entries, 7);
	assert_int_equal(st.max_bytes, 4096);
	put_str(c, "k", "v", 0);
	advance(2000);
	assert_missing(c, "k");
	ops->close(c);
}

static void
test_bad_options_fail_with_einval_naming_the_option(void **state)
{
	(void)state;
	assert_open_fails("max_entries", "abc", "max_entries");
	assert_open_fails("max_entries", "0", "max_entries");
	assert_open_fails("max_entries", "", "max_entries");
	assert_open_fails("max_entries", "-1", "max_entries");
	assert_open_fails("max_entries", " 12", "max_entries");
	assert_open_fails("max_entries", "12MB", "max_entries");
	assert_open_fails("max_entries", NULL, "max_entries");
	assert_open_fails("max_bytes", "0", "max_bytes");
	assert_open_fails("max_bytes", "99999999999999999999999", "max_bytes");
	assert_open_fails("ttl_secs", "0", "ttl_secs");
	assert_open_fails("ttl_secs", "4294967296", "ttl_secs");
	assert_open_fails("ttl_secs", "1.5", "ttl_secs");
	assert_open_fails("max_entires", "10", "max_entires");
}

static void
test_host_of_another_abi_major_is_refused(void **state)
{
	struct pgl_host		 other = host;
	struct pgl_cache	*c = NULL;
	struct pgl_err		 err = { 0 };

	(void)state;
	other.abi_major = PGL_HOST_ABI_MAJOR + 1;
	assert_int_equal(ops->open(&other, NULL, 0, &c, &err),
	    PGL_EUNSUPPORTED);
	assert_null(c);
	assert_non_null(strstr(err.msg, "ABI"));
}

/* --- get and put ----------------------------------------------------- */

static void
test_miss_then_hit_are_counted(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	struct pgl_cache_stats	 st;

	(void)state;
	assert_missing(c, "k");
	st = stats_of(c);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.hits, 0);

	put_str(c, "k", "value", 0);
	assert_holds(c, "k", "value");
	assert_holds(c, "k", "value");
	st = stats_of(c);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bytes, strlen("k") + strlen("value"));
	ops->close(c);
}

static void
test_values_are_copied_in_and_out(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	char			 buf[] = "original";
	void			*got;
	size_t			 len;

	(void)state;
	assert_int_equal(ops->put(c, "k", buf, sizeof(buf), 0), PGL_OK);
	memset(buf, 'x', sizeof(buf) - 1);

	assert_int_equal(ops->get(c, "k", &got, &len), PGL_OK);
	assert_string_equal(got, "original");
	memset(got, 'y', len - 1);
	free(got);

	assert_int_equal(ops->get(c, "k", &got, &len), PGL_OK);
	assert_string_equal(got, "original");
	free(got);
	ops->close(c);
}

static void
test_binary_and_empty_values_round_trip(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	const char		 bin[] = { 'a', '\0', 'b', '\0' };
	void			*got;
	size_t			 len;

	(void)state;
	assert_int_equal(ops->put(c, "bin", bin, sizeof(bin), 0), PGL_OK);
	assert_int_equal(ops->get(c, "bin", &got, &len), PGL_OK);
	assert_int_equal(len, sizeof(bin));
	assert_memory_equal(got, bin, sizeof(bin));
	free(got);

	assert_int_equal(ops->put(c, "empty", NULL, 0, 0), PGL_OK);
	got = NULL;
	assert_int_equal(ops->get(c, "empty", &got, &len), PGL_OK);
	assert_non_null(got);
	assert_int_equal(len, 0);
	free(got);
	assert_int_equal(stats_of(c).bytes, 3 + sizeof(bin) + 5);
	ops->close(c);
}

static void
test_null_key_or_value_is_invalid(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	void			*got;
	size_t			 len;

	(void)state;
	assert_int_equal(ops->put(c, NULL, "v", 1, 0), PGL_EINVAL);
	assert_int_equal(ops->put(c, "k", NULL, 1, 0), PGL_EINVAL);
	assert_int_equal(ops->get(c, NULL, &got, &len), PGL_EINVAL);
	assert_int_equal(ops->del(c, NULL), PGL_EINVAL);
	assert_int_equal(ops->del_prefix(c, NULL), PGL_EINVAL);
	assert_int_equal(stats_of(c).entries, 0);
	ops->close(c);
}

/* --- TTL --------------------------------------------------------------- */

static void
test_entry_expires_exactly_at_its_ttl(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "k", "v", 5);
	advance(4999);
	assert_holds(c, "k", "v");
	advance(1);
	assert_missing(c, "k");

	st = stats_of(c);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.expirations, 1);
	assert_int_equal(st.evictions, 0);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes, 0);
	ops->close(c);
}

static void
test_get_does_not_extend_ttl(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);

	(void)state;
	put_str(c, "k", "v", 2);
	advance(1500);
	assert_holds(c, "k", "v");
	advance(500);
	assert_missing(c, "k");
	ops->close(c);
}

static void
test_put_restarts_ttl(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);

	(void)state;
	put_str(c, "k", "v1", 2);
	advance(1500);
	put_str(c, "k", "v2", 2);
	advance(1500);
	assert_holds(c, "k", "v2");
	ops->close(c);
}

static void
test_stats_sweeps_expired_entries(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "short", "v", 1);
	put_str(c, "long", "v", 60);
	advance(1000);

	st = stats_of(c);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bytes, strlen("long") + 1);
	assert_int_equal(st.expirations, 1);
	assert_int_equal(st.misses, 0);
	ops->close(c);
}

static void
test_full_cache_drops_expired_entries_before_live_ones(void **state)
{
	struct pgl_cache	*c = open_limits("2", "1024");
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "live", "v", 60);	/* least recently used */
	put_str(c, "stale", "v", 1);
	advance(2000);
	put_str(c, "new", "v", 60);

	assert_holds(c, "live", "v");
	assert_holds(c, "new", "v");
	st = stats_of(c);
	assert_int_equal(st.evictions, 0);
	assert_int_equal(st.expirations, 1);
	ops->close(c);
}

/* --- limits and LRU ---------------------------------------------------- */

static void
test_entry_cap_evicts_least_recently_put(void **state)
{
	struct pgl_cache	*c = open_limits("3", "1024");
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "a", "1", 0);
	put_str(c, "b", "2", 0);
	put_str(c, "c", "3", 0);
	put_str(c, "d", "4", 0);

	assert_missing(c, "a");
	assert_holds(c, "b", "2");
	assert_holds(c, "c", "3");
	assert_holds(c, "d", "4");
	st = stats_of(c);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.expirations, 0);
	ops->close(c);
}

static void
test_get_refreshes_recency(void **state)
{
	struct pgl_cache	*c = open_limits("3", "1024");

	(void)state;
	put_str(c, "a", "1", 0);
	put_str(c, "b", "2", 0);
	put_str(c, "c", "3", 0);
	assert_holds(c, "a", "1");	/* b is now the oldest */
	put_str(c, "d", "4", 0);

	assert_missing(c, "b");
	assert_holds(c, "a", "1");
	assert_holds(c, "c", "3");
	assert_holds(c, "d", "4");
	ops->close(c);
}

static void
test_a_miss_does_not_refresh_anything(void **state)
{
	struct pgl_cache	*c = open_limits("2", "1024");

	(void)state;
	put_str(c, "a", "1", 0);
	put_str(c, "b", "2", 0);
	assert_missing(c, "zzz");
	put_str(c, "c", "3", 0);
	assert_missing(c, "a");
	assert_holds(c, "b", "2");
	ops->close(c);
}

static void
test_byte_budget_counts_key_and_value(void **state)
{
	/* "k1"+"12345678" = 10 bytes; two fit in 20, a third does not. */
	struct pgl_cache	*c = open_limits("100", "20");
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "k1", "12345678", 0);
	put_str(c, "k2", "12345678", 0);
	st = stats_of(c);
	assert_int_equal(st.bytes, 20);
	assert_int_equal(st.evictions, 0);

	put_str(c, "k3", "12345678", 0);
	assert_missing(c, "k1");
	st = stats_of(c);
	assert_int_equal(st.bytes, 20);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.evictions, 1);
	ops->close(c);
}

static void
test_byte_budget_evicts_as_many_as_needed(void **state)
{
	struct pgl_cache	*c = open_limits("100", "20");
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "a", "1234", 0);		/* 5 */
	put_str(c, "b", "1234", 0);		/* 5 */
	put_str(c, "c", "1234", 0);		/* 5 */
	put_str(c, "d", "1234", 0);		/* 5: exactly full */
	put_str(c, "big", "1234567890", 0);	/* 13: a, b and c go */

	assert_missing(c, "a");
	assert_missing(c, "b");
	assert_missing(c, "c");
	assert_holds(c, "d", "1234");
	assert_holds(c, "big", "1234567890");
	st = stats_of(c);
	assert_int_equal(st.evictions, 3);
	assert_int_equal(st.bytes, 18);
	ops->close(c);
}

static void
test_value_larger_than_budget_is_not_stored(void **state)
{
	struct pgl_cache	*c = open_limits("100", "16");
	char			 big[16];
	struct pgl_cache_stats	 st;

	(void)state;
	memset(big, 'x', sizeof(big));
	put_str(c, "small", "v", 0);

	/* Key + value = 17 > 16: refused, and nothing evicted for it. */
	assert_int_equal(ops->put(c, "k", big, sizeof(big), 0), PGL_EINVAL);
	assert_missing(c, "k");
	assert_holds(c, "small", "v");
	st = stats_of(c);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.evictions, 0);

	/* Exactly the budget fits. */
	assert_int_equal(ops->put(c, "k", big, sizeof(big) - 1, 0), PGL_OK);
	ops->close(c);
}

static void
test_oversize_replace_drops_the_stale_value(void **state)
{
	struct pgl_cache	*c = open_limits("100", "16");
	char			 big[32];

	(void)state;
	memset(big, 'x', sizeof(big));
	put_str(c, "k", "old", 0);
	assert_int_equal(ops->put(c, "k", big, sizeof(big), 0), PGL_EINVAL);
	assert_missing(c, "k");
	assert_int_equal(stats_of(c).bytes, 0);
	ops->close(c);
}

static void
test_replace_updates_bytes_and_keeps_one_entry(void **state)
{
	struct pgl_cache	*c = open_limits("2", "1024");
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "k", "short", 0);
	put_str(c, "other", "v", 0);
	put_str(c, "k", "a longer value", 0);

	assert_holds(c, "k", "a longer value");
	assert_holds(c, "other", "v");
	st = stats_of(c);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.bytes, 1 + 14 + 5 + 1);
	assert_int_equal(st.evictions, 0);

	put_str(c, "k", "", 0);
	assert_int_equal(stats_of(c).bytes, 1 + 0 + 5 + 1);
	ops->close(c);
}

static void
test_replace_makes_the_key_most_recent(void **state)
{
	struct pgl_cache	*c = open_limits("2", "1024");

	(void)state;
	put_str(c, "a", "1", 0);
	put_str(c, "b", "2", 0);
	put_str(c, "a", "1'", 0);
	put_str(c, "c", "3", 0);
	assert_missing(c, "b");
	assert_holds(c, "a", "1'");
	ops->close(c);
}

static void
test_many_keys_survive_table_growth(void **state)
{
	struct pgl_cache	*c = open_limits("5000", "1000000");
	char			 key[32], val[32];
	int			 i;

	(void)state;
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		snprintf(val, sizeof(val), "val-%d", i);
		put_str(c, key, val, 0);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "key-%d", i);
		snprintf(val, sizeof(val), "val-%d", i);
		assert_holds(c, key, val);
	}
	assert_int_equal(stats_of(c).entries, 5000);
	assert_int_equal(stats_of(c).evictions, 0);
	ops->close(c);
}

/* --- invalidation ------------------------------------------------------ */

static void
test_del_removes_one_key(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "a", "1", 0);
	put_str(c, "b", "2", 0);
	assert_int_equal(ops->del(c, "a"), PGL_OK);
	assert_int_equal(ops->del(c, "a"), PGL_ENOTFOUND);

	assert_missing(c, "a");
	assert_holds(c, "b", "2");
	st = stats_of(c);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bytes, 2);
	assert_int_equal(st.evictions, 0);
	ops->close(c);
}

static void
test_del_prefix_removes_exactly_the_family(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "wh:t1:a", "1", 0);
	put_str(c, "wh:t1:b", "2", 0);
	put_str(c, "wh:t2:a", "3", 0);
	put_str(c, "wh:t1", "4", 0);	/* shorter than the prefix */
	put_str(c, "cat:t1:a", "5", 0);
	put_str(c, "w", "", 0);		/* smaller than the prefix */

	assert_int_equal(ops->del_prefix(c, "wh:t1:"), PGL_OK);
	assert_missing(c, "wh:t1:a");
	assert_missing(c, "wh:t1:b");
	assert_holds(c, "wh:t2:a", "3");
	assert_holds(c, "wh:t1", "4");
	assert_holds(c, "cat:t1:a", "5");
	assert_holds(c, "w", "");
	st = stats_of(c);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.bytes, 8 + 6 + 9 + 1);
	assert_int_equal(st.evictions, 0);

	/* No match is not an error. */
	assert_int_equal(ops->del_prefix(c, "nope:"), PGL_OK);
	assert_int_equal(stats_of(c).entries, 4);
	ops->close(c);
}

static void
test_clear_empties_the_cache_but_keeps_counters(void **state)
{
	struct pgl_cache	*c = open_limits("2", "1024");
	struct pgl_cache_stats	 st;

	(void)state;
	put_str(c, "a", "1", 0);
	put_str(c, "b", "2", 0);
	put_str(c, "c", "3", 0);	/* evicts a */
	assert_holds(c, "b", "2");
	assert_missing(c, "a");

	ops->clear(c);
	assert_missing(c, "b");
	assert_missing(c, "c");
	st = stats_of(c);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes, 0);
	assert_int_equal(st.hits, 1);
	assert_int_equal(st.misses, 3);
	assert_int_equal(st.evictions, 1);
	assert_int_equal(st.max_entries, 2);

	/* Still usable after clear. */
	put_str(c, "d", "4", 0);
	assert_holds(c, "d", "4");
	ops->close(c);
}

static void
test_close_frees_a_populated_cache(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);

	(void)state;
	put_str(c, "a", "1", 0);
	put_str(c, "b", "2", 0);
	ops->close(c);	/* ASan / valgrind report any leak */
}

/* --- pinned views (get_ref, ABI 1.2) ----------------------------------- */

/* Pins key and asserts the view holds exactly val; returns the pin. */
static void *
pin(struct pgl_cache *c, const char *key, const char *val)
{
	const void	*got = NULL;
	size_t		 len = 0;
	void		*ref = NULL;

	assert_int_equal(ops->get_ref(c, key, &got, &len, &ref), PGL_OK);
	assert_non_null(ref);
	assert_int_equal(len, strlen(val));
	assert_memory_equal(got, val, len);
	return (ref);
}

static void
test_get_ref_counts_hits_and_misses_as_get(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	struct pgl_cache_stats	 st;
	const void		*got = NULL;
	size_t			 len = 0;
	void			*ref = NULL;

	(void)state;
	assert_int_equal(ops->get_ref(c, "k", &got, &len, &ref),
	    PGL_ENOTFOUND);
	put_str(c, "k", "value", 0);
	ops->release(c, pin(c, "k", "value"));
	ops->release(c, pin(c, "k", "value"));
	st = stats_of(c);
	assert_int_equal(st.hits, 2);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.entries, 1);
	ops->close(c);
}

static void
test_get_ref_of_expired_entry_is_a_miss(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	const void		*got = NULL;
	size_t			 len = 0;
	void			*ref = NULL;

	(void)state;
	put_str(c, "k", "v", 10);
	advance(10000);
	assert_int_equal(ops->get_ref(c, "k", &got, &len, &ref),
	    PGL_ENOTFOUND);
	assert_int_equal(stats_of(c).expirations, 1);
	assert_int_equal(stats_of(c).misses, 1);
	ops->close(c);
}

static void
test_get_ref_refreshes_recency(void **state)
{
	struct pgl_cache	*c = open_limits("2", "1024");

	(void)state;
	put_str(c, "a", "1", 0);
	put_str(c, "b", "2", 0);
	ops->release(c, pin(c, "a", "1"));
	put_str(c, "c", "3", 0);
	assert_missing(c, "b");
	assert_holds(c, "a", "1");
	ops->close(c);
}

static void
test_pin_survives_del_and_leaves_the_stats(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	const void		*got = NULL;
	size_t			 len = 0;
	void			*ref = NULL;

	(void)state;
	put_str(c, "k", "value", 0);
	assert_int_equal(ops->get_ref(c, "k", &got, &len, &ref), PGL_OK);
	assert_int_equal(ops->del(c, "k"), PGL_OK);
	assert_missing(c, "k");
	assert_int_equal(stats_of(c).entries, 0);
	assert_int_equal(stats_of(c).bytes, 0);
	/* Still readable: ASan reports a use after free otherwise. */
	assert_memory_equal(got, "value", len);
	ops->release(c, ref);
	ops->close(c);
}

static void
test_pin_survives_put_under_its_key(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	const void		*got = NULL;
	size_t			 len = 0;
	void			*ref = NULL;

	(void)state;
	put_str(c, "k", "old", 0);
	assert_int_equal(ops->get_ref(c, "k", &got, &len, &ref), PGL_OK);
	put_str(c, "k", "newer", 0);
	assert_memory_equal(got, "old", len);
	assert_holds(c, "k", "newer");
	assert_int_equal(stats_of(c).entries, 1);
	assert_int_equal(stats_of(c).bytes, strlen("k") + strlen("newer"));
	ops->release(c, ref);
	assert_holds(c, "k", "newer");
	ops->close(c);
}

static void
test_pin_survives_eviction(void **state)
{
	struct pgl_cache	*c = open_limits("1", "1024");
	const void		*got = NULL;
	size_t			 len = 0;
	void			*ref = NULL;

	(void)state;
	put_str(c, "a", "first", 0);
	assert_int_equal(ops->get_ref(c, "a", &got, &len, &ref), PGL_OK);
	put_str(c, "b", "second", 0);
	assert_int_equal(stats_of(c).evictions, 1);
	assert_missing(c, "a");
	assert_memory_equal(got, "first", len);
	ops->release(c, ref);
	ops->close(c);
}

static void
test_pin_survives_clear_and_close(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	const void		*got = NULL;
	size_t			 len = 0;
	void			*ref = NULL, *ref2;

	(void)state;
	put_str(c, "a", "kept", 0);
	put_str(c, "b", "also", 0);
	assert_int_equal(ops->get_ref(c, "a", &got, &len, &ref), PGL_OK);
	ref2 = pin(c, "b", "also");
	ops->clear(c);
	assert_int_equal(stats_of(c).entries, 0);
	assert_int_equal(stats_of(c).bytes, 0);
	assert_memory_equal(got, "kept", len);
	ops->release(c, ref2);
	ops->close(c);
	/* A pin may end after close: it touches only its entry. */
	assert_memory_equal(got, "kept", len);
	ops->release(NULL, ref);
}

static void
test_two_pins_free_at_the_last_release(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);
	const void		*got = NULL;
	size_t			 len = 0;
	void			*ref1 = NULL, *ref2;

	(void)state;
	put_str(c, "k", "shared", 0);
	assert_int_equal(ops->get_ref(c, "k", &got, &len, &ref1), PGL_OK);
	ref2 = pin(c, "k", "shared");
	assert_ptr_equal(ref1, ref2);
	assert_int_equal(ops->del(c, "k"), PGL_OK);
	ops->release(c, ref1);
	assert_memory_equal(got, "shared", len);	/* one pin left */
	ops->release(c, ref2);	/* freed: ASan reports a leak otherwise */
	ops->close(c);
}

static void
test_release_of_a_live_entry_keeps_it(void **state)
{
	struct pgl_cache	*c = open_with(NULL, 0);

	(void)state;
	put_str(c, "k", "v", 0);
	ops->release(c, pin(c, "k", "v"));
	assert_holds(c, "k", "v");
	assert_int_equal(ops->del(c, "k"), PGL_OK);	/* freed here */
	ops->close(c);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		T(test_descriptor_declares_abi_name_and_every_method),
		T(test_open_without_options_uses_documented_defaults),
		T(test_open_applies_options),
		T(test_bad_options_fail_with_einval_naming_the_option),
		T(test_host_of_another_abi_major_is_refused),
		T(test_miss_then_hit_are_counted),
		T(test_values_are_copied_in_and_out),
		T(test_binary_and_empty_values_round_trip),
		T(test_null_key_or_value_is_invalid),
		T(test_entry_expires_exactly_at_its_ttl),
		T(test_get_does_not_extend_ttl),
		T(test_put_restarts_ttl),
		T(test_stats_sweeps_expired_entries),
		T(test_full_cache_drops_expired_entries_before_live_ones),
		T(test_entry_cap_evicts_least_recently_put),
		T(test_get_refreshes_recency),
		T(test_a_miss_does_not_refresh_anything),
		T(test_byte_budget_counts_key_and_value),
		T(test_byte_budget_evicts_as_many_as_needed),
		T(test_value_larger_than_budget_is_not_stored),
		T(test_oversize_replace_drops_the_stale_value),
		T(test_replace_updates_bytes_and_keeps_one_entry),
		T(test_replace_makes_the_key_most_recent),
		T(test_many_keys_survive_table_growth),
		T(test_del_removes_one_key),
		T(test_del_prefix_removes_exactly_the_family),
		T(test_clear_empties_the_cache_but_keeps_counters),
		T(test_close_frees_a_populated_cache),
		T(test_get_ref_counts_hits_and_misses_as_get),
		T(test_get_ref_of_expired_entry_is_a_miss),
		T(test_get_ref_refreshes_recency),
		T(test_pin_survives_del_and_leaves_the_stats),
		T(test_pin_survives_put_under_its_key),
		T(test_pin_survives_eviction),
		T(test_pin_survives_clear_and_close),
		T(test_two_pins_free_at_the_last_release),
		T(test_release_of_a_live_entry_keeps_it),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
