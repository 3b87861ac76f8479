/*
 * pgl_json_out against json_dumps with the same flags (COMPACT |
 * PRESERVE_ORDER | ENCODE_ANY | REAL_PRECISION(p)): the same bytes, or
 * NULL from both, over every JSON file under tests/, metadata the engine
 * writes, hand-made edge cases, every short byte string as a string,
 * random doubles and a few thousand random trees from a seeded PRNG.
 * One difference on purpose: a key that is not UTF-8 (below).
 */
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iceberg/iceberg.h"
#include "util/json_out.h"

#define FLAGS(p)	(JSON_COMPACT | JSON_PRESERVE_ORDER | \
			 JSON_ENCODE_ANY | JSON_REAL_PRECISION(p))

/* Both NULL, or the same text; returns 1 when there was a text. */
static int
same_p(const json_t *j, int precision)
{
	char	*want, *got;
	size_t	 len = (size_t)-1;

	want = json_dumps(j, FLAGS(precision));
	got = pgl_json_out(j, precision, &len);
	if (want == NULL) {
		if (got != NULL)
			fail_msg("json_dumps refused, pgl_json_out gave %s",
			    got);
		return (0);
	}
	if (got == NULL)
		fail_msg("pgl_json_out refused, json_dumps gave %.200s", want);
	if (strcmp(want, got) != 0)
		fail_msg("precision %d:\n  want %.300s\n  got  %.300s",
		    precision, want, got);
	assert_int_equal(len, strlen(want));
	free(want);
	free(got);
	return (1);
}

static int
same(const json_t *j)
{
	(void)same_p(j, 6);
	return (same_p(j, 17));
}

/* Checks j and drops it. */
static void
same_new(json_t *j)
{
	assert_non_null(j);
	assert_int_equal(same(j), 1);
	json_decref(j);
}

/* --- files and the engine's metadata ----------------------------------- */

static int
walk(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	json_t		*j;
	char		 path[1024];
	size_t		 n;
	int		 count = 0;

	if ((d = opendir(dir)) == NULL)
		return (0);
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "node_modules") == 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		count += walk(path);
		n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		if ((j = json_load_file(path, JSON_DECODE_ANY |
		    JSON_ALLOW_NUL, NULL)) == NULL)
			continue;
		(void)same(j);
		json_decref(j);
		count++;
	}
	closedir(d);
	return (count);
}

static void
test_every_json_file_under_tests(void **state)
{
	(void)state;
	assert_true(walk("tests") >= 3);
}

static void
test_metadata_the_engine_writes(void **state)
{
	struct ice_err	 err;
	json_t		*req, *md, *next, *ups;
	char		 buf[512], base[128];
	int		 i;

	(void)state;
	req = json_loads("{\"name\":\"t\",\"schema\":{\"type\":\"struct\","
	    "\"fields\":[{\"id\":1,\"name\":\"id\",\"required\":true,"
	    "\"type\":\"long\"},{\"id\":2,\"name\":\"x\",\"required\":false,"
	    "\"type\":\"double\"},{\"id\":3,\"name\":\"s\",\"required\":false,"
	    "\"type\":\"string\",\"doc\":\"caf\xc3\xa9 \\\"q\\\"\\n\\/\"}]},"
	    "\"properties\":{\"format-version\":\"2\",\"k\\u0001\":\"\\t\"}}",
	    0, NULL);
	assert_non_null(req);
	md = ice_table_new(req, "s3://b/t", "9c12d441-03fe-4693-9a96-"
	    "a0705ddf69c1", 1700000000000LL, &err);
	json_decref(req);
	assert_non_null(md);
	for (i = 1; i <= 40; i++) {
		(void)snprintf(buf, sizeof(buf), "[{\"action\":\"add-snapshot\","
		    "\"snapshot\":{\"snapshot-id\":%d,\"sequence-number\":%d,"
		    "\"timestamp-ms\":%lld,\"manifest-list\":\"s3://b/t/snap-%d"
		    ".avro\",\"summary\":{\"operation\":\"append\"}}},{\"action\":"
		    "\"set-snapshot-ref\",\"ref-name\":\"main\",\"type\":"
		    "\"branch\",\"snapshot-id\":%d}]", i * 7919, i,
		    1700000000000LL + i, i, i * 7919);
		assert_non_null(ups = json_loads(buf, 0, NULL));
		(void)snprintf(base, sizeof(base),
		    "s3://b/t/metadata/%05d-x.metadata.json", i);
		next = ice_table_apply(md, ups, base, 1700000000000LL + i, &err);
		json_decref(ups);
		if (next == NULL)
			fail_msg("apply: %d %s", err.status, err.msg);
		json_decref(md);
		md = next;
		assert_int_equal(same(md), 1);
	}
	json_decref(md);
}

/* --- hand-made edge cases ---------------------------------------------- */

static void
test_containers_and_scalars(void **state)
{
	json_t	*o, *a;
	char	 key[16];
	int	 i;

	(void)state;
	same_new(json_object());
	same_new(json_array());
	same_new(json_true());
	same_new(json_false());
	same_new(json_null());
	same_new(json_string(""));
	same_new(json_loads("{\"a\":[],\"b\":{},\"c\":[{},[[]],{\"d\":[1,"
	    "2.5,\"x\",null,true,false]}]}", 0, NULL));
	/* Insertion order, a replaced value in place, a deleted key re-added
	 * at the end, a key with a NUL. */
	o = json_object();
	json_object_set_new(o, "z", json_integer(1));
	json_object_set_new(o, "a", json_integer(2));
	json_object_set_new(o, "m", json_integer(3));
	json_object_set_new(o, "z", json_integer(4));
	json_object_del(o, "a");
	json_object_set_new(o, "a", json_integer(5));
	json_object_setn_new(o, "k\0ey", 4, json_integer(6));
	for (i = 0; i < 100; i++) {
		(void)snprintf(key, sizeof(key), "k%d", (i * 37) % 101);
		json_object_set_new(o, key, json_integer(i));
	}
	a = json_array();
	json_array_append_new(a, o);
	json_array_append(a, o);	/* the same object twice: no loop */
	same_new(a);
	assert_null(pgl_json_out(NULL, 17, NULL));
	assert_null(json_dumps(NULL, FLAGS(17)));
}

static void
test_strings(void **state)
{
	static const char	*samples[] = {
		"\"", "\\", "/", "a\"b\\c/d", "\x7f", "caf\xc3\xa9",
		"\xe2\x82\xac", "\xef\xbf\xbf", "\xf0\x9f\x98\x80",
		"\xf4\x8f\xbf\xbf", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80",
		"tab\there\r\nnew", "\\u0041", "</script>",
	};
	static const char	 specials[] = "\"\\\x01\x1f\n\t\x7f /";
	char			 s[8], run[27];
	json_t			*o;
	size_t			 i;
	int			 c;

	(void)state;
	for (c = 0; c < 0x80; c++) {
		s[0] = 'x';
		s[1] = (char)c;
		s[2] = 'y';
		same_new(json_stringn(s, 3));
		same_new(json_stringn(s + 1, 1));
		o = json_object();
		json_object_setn_new(o, s, 3, json_integer(c));
		same_new(o);
	}
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		same_new(json_string(samples[i]));
		o = json_object();
		json_object_set_new(o, samples[i], json_string(samples[i]));
		same_new(o);
	}
	/* Each kind of byte at every place of an 8-byte word and across
	 * two (plain runs are scanned 8 bytes at a time). */
	for (i = 0; i < sizeof(specials) - 1; i++) {
		for (c = 0; c < 24; c++) {
			memset(run, 'a', sizeof(run));
			run[c] = specials[i];
			same_new(json_stringn(run, sizeof(run)));
			same_new(json_stringn(run, (size_t)c + 1));
		}
	}
	for (c = 0; c < 23; c++) {
		memset(run, 'a', sizeof(run));
		memcpy(run + c, "\xe2\x82\xac", 3);
		same_new(json_stringn(run, sizeof(run)));
	}
}

/* Every string of one and two bytes, and three- and four-byte ones over
 * every lead and second byte: jansson's UTF-8 verdict and text. */
static void
test_every_short_byte_string(void **state)
{
	static const unsigned char	tails[] = { 0x00, 0x41, 0x7f, 0x80,
					    0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
					    0xff };
	unsigned char			s[4];
	json_t				*j;
	size_t				 t, u;
	int				 a, b;

	(void)state;
	for (a = 0; a < 256; a++) {
		s[0] = (unsigned char)a;
		j = json_stringn_nocheck((char *)s, 1);
		(void)same(j);
		json_decref(j);
		for (b = 0; b < 256; b++) {
			s[1] = (unsigned char)b;
			j = json_stringn_nocheck((char *)s, 2);
			(void)same_p(j, 17);
			json_decref(j);
			if (a < 0xe0)
				continue;
			for (t = 0; t < sizeof(tails); t++) {
				s[2] = tails[t];
				j = json_stringn_nocheck((char *)s, 3);
				(void)same_p(j, 17);
				json_decref(j);
				if (a < 0xf0)
					continue;
				for (u = 0; u < sizeof(tails); u += 3) {
					s[3] = tails[u];
					j = json_stringn_nocheck((char *)s, 4);
					(void)same_p(j, 17);
					json_decref(j);
				}
			}
		}
	}
}

/*
 * The one place the texts differ on purpose: a key that is not UTF-8
 * (only a *_nocheck setter makes one; src/ has none).  jansson drops the
 * key's unflushed bytes and its closing quote and carries on, writing
 * text that is not JSON ({":null}); we refuse the tree.
 */
static void
test_key_not_utf8_is_refused(void **state)
{
	static const char	*keys[] = { "\xc3", "ab\xff", "a\nb\xed\xa0\x80" "c",
				    "\xf4\x90\x80\x80" };
	json_t			*o, *back;
	char			*text;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		o = json_object();
		json_object_set_new_nocheck(o, keys[i], json_null());
		assert_null(pgl_json_out(o, 17, NULL));
		text = json_dumps(o, FLAGS(17));
		if (text != NULL) {
			back = json_loads(text, 0, NULL);
			assert_null(back);
			free(text);
		}
		json_decref(o);
	}
}

static void
test_integers(void **state)
{
	json_int_t	p = 1;
	int		i;

	(void)state;
	same_new(json_integer(0));
	same_new(json_integer(INT64_MAX));
	same_new(json_integer(INT64_MIN));
	same_new(json_integer(INT64_MIN + 1));
	same_new(json_integer(INT64_MAX - 1));
	for (i = 0; i < 19; i++) {
		same_new(json_integer(p));
		same_new(json_integer(p - 1));
		same_new(json_integer(p + 1));
		same_new(json_integer(-p));
		same_new(json_integer(-p + 1));
		same_new(json_integer(-p - 1));
		if (i < 18)
			p *= 10;
	}
}

static void
reals_at_every_precision(double v)
{
	json_t	*j;
	int	 p;

	assert_non_null(j = json_real(v));
	for (p = 0; p < 32; p++)
		(void)same_p(j, p);
	json_decref(j);
}

static void
test_reals(void **state)
{
	static const double	vs[] = {
		0.0, -0.0, 1e300, -1e300, 1e-300, 0.1, 0.2, 0.3, 1.5, 100.0,
		1e17, 1e16, 1e15, 123456789012345678.0, 12345678901234567.0,
		1e21, 1e22, 1e-5, 1e-4, 1e-7, 1.0 / 3, 2.0 / 3, 123456.0, 1e6,
		1e7, 5e-324, 2.2250738585072009e-308, 2.2250738585072014e-308,
		DBL_MAX, -DBL_MAX, DBL_MIN, DBL_EPSILON, 9007199254740993.0,
		9007199254740992.0, 4503599627370496.5, 0.5, 1e100, 1e-100,
		-1.0, -123.456, 3.141592653589793, 299792458.0, 1e9, 99999.5,
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(vs) / sizeof(vs[0]); i++)
		reals_at_every_precision(vs[i]);
	/* jansson keeps no real that is not finite; ours refuses one too
	 * (a tree cannot hold it, so only NaN's refusal is seen here). */
	assert_null(json_real(NAN));
	assert_null(json_real(INFINITY));
}

/* --- a seeded PRNG ------------------------------------------------------ */

static uint64_t	rng_state;

static uint64_t
rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 0x2545f4914f6cdd1dULL);
}

static unsigned
rnd(unsigned n)
{
	return ((unsigned)(rng() % n));
}

static double
rnd_real(void)
{
	uint64_t	bits;
	double		d;

	switch (rnd(4)) {
	case 0:
		do {
			bits = rng();
			memcpy(&d, &bits, sizeof(d));
		} while (!isfinite(d));
		return (d);
	case 1:
		return ((double)((int)rnd(20001) - 10000) / (1 << rnd(8)));
	case 2:
		return ((double)(int64_t)rng() / pow(10, (int)rnd(40) - 10));
	default:
		return ((double)rnd(1000) * pow(10, (int)rnd(600) - 300));
	}
}

static json_int_t
rnd_int(void)
{
	json_int_t	v = (json_int_t)(rng() >> rnd(64));

	return (rnd(2) ? v : -v);
}

static int	bad_strings;	/* make one in this many strings invalid */

static json_t *
rnd_string(int key_of, json_t *obj, json_t *v)
{
	static const char	*pieces[] = {
		"\"", "\\", "/", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xf4\x8f\xbf\xbf", "\x7f", "\n", "\t", "s3://bucket/path-",
		"metadata", "\xed\x9f\xbf", "\xee\x80\x80",
	};
	static const char	*bad[] = {
		"\x80", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xff",
		"\xe2\x82",
	};
	char			 buf[1024];
	const char		*p;
	size_t			 len = 0, n, i, parts = rnd(12);
	int			 invalid = !key_of && bad_strings > 0 &&
				    rnd((unsigned)bad_strings) == 0;

	for (i = 0; i < parts; i++) {
		switch (rnd(4)) {
		case 0:
			buf[len++] = (char)(0x20 + rnd(0x5f));
			continue;
		case 1:
			buf[len++] = (char)rnd(0x20);
			continue;
		case 2:
			p = pieces[rnd(sizeof(pieces) / sizeof(pieces[0]))];
			break;
		default:
			p = "abcdefghijklmnopqrstuvwxyz0123456789-_." + rnd(30);
			break;
		}
		n = strlen(p);
		memcpy(buf + len, p, n);
		len += n;
	}
	if (invalid) {
		/* Anywhere (inside a piece it may now and then make a valid
		 * sequence: still a fair comparison). */
		p = bad[rnd(sizeof(bad) / sizeof(bad[0]))];
		n = strlen(p);
		i = rnd((unsigned)len + 1);
		memmove(buf + i + n, buf + i, len - i);
		memcpy(buf + i, p, n);
		len += n;
	}
	if (key_of) {
		json_object_setn_new_nocheck(obj, buf, len, v);
		return (NULL);
	}
	return (json_stringn_nocheck(buf, len));
}

static json_t *
rnd_tree(int depth)
{
	json_t		*j;
	void		*it;
	char		 key[1024];
	size_t		 klen;
	unsigned	 i, n, kind = rnd(depth > 0 ? 10 : 6);

	switch (kind) {
	case 0:
		return (rnd_string(0, NULL, NULL));
	case 1:
		return (json_integer(rnd_int()));
	case 2:
		return (json_real(rnd_real()));
	case 3:
		return (rnd(2) ? json_true() : json_false());
	case 4:
		return (json_null());
	case 5:
		return (json_integer((json_int_t)rnd(1000)));
	case 6:
	case 7:
		j = json_array();
		n = rnd(8);
		for (i = 0; i < n; i++)
			json_array_append_new(j, rnd_tree(depth - 1));
		return (j);
	default:
		j = json_object();
		n = rnd(8);
		for (i = 0; i < n; i++)
			(void)rnd_string(1, j, rnd_tree(depth - 1));
		/* Now and then a key dropped: order after deletes. */
		if (n > 2 && rnd(3) == 0) {
			it = json_object_iter(j);
			klen = json_object_iter_key_len(it);
			memcpy(key, json_object_iter_key(it), klen);
			(void)json_object_deln(j, key, klen);
		}
		return (j);
	}
}

static void
test_random_trees(void **state)
{
	json_t	*j;
	int	 i, texts = 0;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ULL;
	for (i = 0; i < 4000; i++) {
		/* The last thousand: now and then a string value that is not
		 * UTF-8 (one in 40), so a whole tree is refused. */
		bad_strings = i < 3000 ? 0 : 40;
		j = rnd_tree((int)rnd(7));
		assert_non_null(j);
		texts += same(j);
		json_decref(j);
	}
	assert_true(texts > 3000);
}

static void
test_random_reals(void **state)
{
	json_t	*j;
	int	 i;

	(void)state;
	rng_state = 42;
	for (i = 0; i < 20000; i++) {
		assert_non_null(j = json_real(rnd_real()));
		(void)same_p(j, 17);
		(void)same_p(j, (int)rnd(32));
		json_decref(j);
	}
}

/* --- depth, loops, size ------------------------------------------------- */

static json_t *
nest(int levels)
{
	json_t	*j = json_array(), *up;
	int	 i;

	/* levels containers, an empty array innermost. */
	for (i = 1; i < levels; i++) {
		if (i % 2) {
			up = json_array();
			json_array_append_new(up, j);
		} else {
			up = json_object();
			json_object_set_new(up, "k", j);
		}
		j = up;
	}
	return (j);
}

static void
test_depth_and_loops(void **state)
{
	json_t	*j, *a, *b;
	char	*text;

	(void)state;
	/* As deep as jansson parses (2048 containers; 2047 around a
	 * scalar), the same text. */
	j = nest(PGL_JSON_OUT_MAX_DEPTH);
	text = json_dumps(j, FLAGS(17));
	assert_non_null(text);
	json_decref(j);
	assert_non_null(j = json_loads(text, 0, NULL));
	free(text);
	assert_int_equal(same(j), 1);
	json_decref(j);
	/* One more: refused. */
	j = nest(PGL_JSON_OUT_MAX_DEPTH + 1);
	assert_null(pgl_json_out(j, 17, NULL));
	json_decref(j);
	/* A loop: both refuse. */
	a = json_array();
	b = json_object();
	json_array_append(a, b);
	json_object_set(b, "a", a);
	assert_int_equal(same(a), 0);
	json_object_clear(b);
	json_decref(b);
	json_decref(a);
}

static void
test_large_strings_grow_the_buffer(void **state)
{
	char	*s;
	size_t	 i, n = 300000;
	json_t	*a;

	(void)state;
	assert_non_null(s = malloc(n));
	for (i = 0; i < n; i++)
		s[i] = (char)(i % 7 == 0 ? (int)(i % 32) : 'a' + (int)(i % 26));
	a = json_array();
	json_array_append_new(a, json_stringn(s, n));
	json_array_append_new(a, json_stringn(s, 1000));
	memset(s, 1, n);
	json_array_append_new(a, json_stringn(s, n));	/* all \u0001 */
	same_new(a);
	free(s);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_every_json_file_under_tests),
		cmocka_unit_test(test_metadata_the_engine_writes),
		cmocka_unit_test(test_containers_and_scalars),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_every_short_byte_string),
		cmocka_unit_test(test_key_not_utf8_is_refused),
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_random_trees),
		cmocka_unit_test(test_random_reals),
		cmocka_unit_test(test_depth_and_loops),
		cmocka_unit_test(test_large_strings_grow_the_buffer),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
