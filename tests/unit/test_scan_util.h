/*
 * Shared by test_scan_eval.c and test_scan_metrics.c: values, types and
 * bound expressions built by hand (a per-test pool, no parser), partition
 * fields, and the setup that gives each test an arena.  Functions are
 * static inline: a file that does not use one is not warned of it.
 */
#ifndef TEST_SCAN_UTIL_H
#define TEST_SCAN_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "iceberg/manifest.h"
#include "iceberg/scan.h"
#include "util/arena.h"

/* ---- values, types, expressions ---------------------------------- */

static inline struct ice_type
ty(enum ice_tid id)
{
	struct ice_type	t;

	memset(&t, 0, sizeof(t));
	t.id = id;
	return (t);
}

static inline struct ice_value
iv(enum ice_tid tid, int64_t i)
{
	struct ice_value	v;

	memset(&v, 0, sizeof(v));
	v.tid = tid;
	v.u.i = i;
	return (v);
}

static inline struct ice_value
sv(enum ice_tid tid, const char *s, size_t n)
{
	struct ice_value	v;

	memset(&v, 0, sizeof(v));
	v.tid = tid;
	v.u.s.p = (const unsigned char *)s;
	v.u.s.n = n;
	return (v);
}

#define STR(s)	sv(ICE_T_STRING, (s), strlen(s))

static inline struct ice_value
dv(double d)
{
	struct ice_value	v;

	memset(&v, 0, sizeof(v));
	v.tid = ICE_T_DOUBLE;
	v.u.d = d;
	return (v);
}

static inline struct ice_value
decv(__int128 unscaled)
{
	struct ice_value	v;

	memset(&v, 0, sizeof(v));
	v.tid = ICE_T_DECIMAL;
	v.u.dec = unscaled;
	return (v);
}

static inline struct ice_value
nullv(enum ice_tid tid)
{
	struct ice_value	v;

	memset(&v, 0, sizeof(v));
	v.tid = tid;
	v.is_null = 1;
	return (v);
}

/* Expressions live in a per-test pool; tests are small. */
#define POOL	64
static struct ice_expr	 pool[POOL];
static struct ice_value	 lpool[POOL][4];
static int		 npool;

static inline struct ice_expr *
pred(enum ice_op op, int32_t id, enum ice_tid tid, int n, ...)
{
	struct ice_expr	*e;
	va_list		 ap;
	int		 i;

	assert_true(npool < POOL && n <= 4);
	e = &pool[npool];
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->field_id = id;
	e->name = "c";
	e->type = ty(tid);
	va_start(ap, n);
	for (i = 0; i < n; i++)
		lpool[npool][i] = va_arg(ap, struct ice_value);
	va_end(ap);
	e->lits = n > 0 ? lpool[npool] : NULL;
	e->nlits = (size_t)n;
	npool++;
	return (e);
}

static inline struct ice_expr *
bin(enum ice_op op, struct ice_expr *l, struct ice_expr *r)
{
	struct ice_expr	*e;

	assert_true(npool < POOL);
	e = &pool[npool++];
	memset(e, 0, sizeof(*e));
	e->op = op;
	e->left = l;
	e->right = r;
	return (e);
}

static inline struct ice_pfield
pf(int32_t fid, int32_t src, enum ice_xf xf, int32_t w, enum ice_tid st)
{
	struct ice_pfield	f;

	memset(&f, 0, sizeof(f));
	f.field_id = fid;
	f.source_id = src;
	f.name = "p";
	f.xf = xf;
	f.width = w;
	f.source_known = 1;
	f.source_type = ty(st);
	switch (xf) {
	case ICE_XF_BUCKET:
	case ICE_XF_YEAR:
	case ICE_XF_MONTH:
	case ICE_XF_HOUR:
		f.result_type = ty(ICE_T_INT);
		break;
	case ICE_XF_DAY:
		f.result_type = ty(ICE_T_DATE);
		break;
	default:
		f.result_type = ty(st);
		break;
	}
	return (f);
}

static inline int
setup(void **state)
{
	npool = 0;
	*state = pgl_arena_new();
	return (*state == NULL ? -1 : 0);
}

static inline int
teardown(void **state)
{
	pgl_arena_free(*state);
	return (0);
}

#endif
